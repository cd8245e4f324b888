"""The computation graph against the post's numbers, closed forms and plain numpy.

Expected values here never come from gdapp: the logistic loss, its gradients and its finite
differences are written out below with numpy.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gdapp.core.graph import Value, topological_order
from gdapp.core.graph_builders import (
    BUGS,
    build_batch_cost,
    build_linear_sample,
    build_logistic_sample,
    build_post_example,
)
from gdapp.core.nudge import NUDGE_RTOL, Graph

# --- plain numpy reference ---------------------------------------------------------------


def np_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def np_loss(x, w, b, y):
    """-(y log a + (1 - y) log(1 - a)) for one sample, the textbook way (moderate z only)."""
    a = np_sigmoid(np.dot(x, w) + b)
    return -(y * np.log(a) + (1 - y) * np.log(1 - a))


def np_cost(X, y, w, b):
    a = np_sigmoid(X @ w + b)
    return float(np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a))))


def central_differences(f, v, h=1e-6):
    v = np.array(v, dtype=float)
    out = np.empty_like(v)
    for i in np.ndindex(v.shape):
        up, down = v.copy(), v.copy()
        up[i] += h
        down[i] -= h
        out[i] = (f(up) - f(down)) / (2 * h)
    return out


def np_batch_grads(X, y, w, b):
    """dJ/d(node) for every node of the batch graph, written out by hand."""
    m = X.shape[0]
    z = X @ w + b
    a = np_sigmoid(z)
    dz = (a - y) / m
    return {
        "X": np.outer(dz, w),
        "w": X.T @ dz,
        "b": dz.sum(),
        "z": dz,
        "a": (-y / a + (1 - y) / (1 - a)) / m,
        "y": -z / m,
        "L": np.full(m, 1 / m),
        "J": 1.0,
    }


def upstream(graph: Graph, name: str) -> set[str]:
    """``name`` and every node it is computed from."""
    found, todo = set(), [graph.node(name)]
    while todo:
        node = todo.pop()
        if node.name not in found:
            found.add(node.name)
            todo.extend(node.parents)
    return found


def disagreeing(graph: Graph) -> set[str]:
    return {name for name, result in graph.nudge_check().items() if not result.agrees}


# --- strategies ------------------------------------------------------------------------------


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(lo, hi):
    """Numbers with lo <= |v| <= hi, either sign."""
    return st.tuples(st.sampled_from([-1.0, 1.0]), floats(lo, hi)).map(lambda t: t[0] * t[1])


labels = st.sampled_from([0.0, 1.0])


FEATURES, WEIGHTS, BIASES = floats(-3, 3), floats(-2, 2), floats(-2, 2)


@st.composite
def samples(draw, x_values=FEATURES, w_values=WEIGHTS, b_values=BIASES):
    d = draw(st.integers(1, 4))
    x = np.array(draw(st.lists(x_values, min_size=d, max_size=d)))
    w = np.array(draw(st.lists(w_values, min_size=d, max_size=d)))
    return x, w, draw(b_values), draw(labels)


@st.composite
def batches(draw, x_values=FEATURES, w_values=WEIGHTS, b_values=BIASES):
    m, d = draw(st.integers(1, 6)), draw(st.integers(1, 3))
    X = np.array(draw(st.lists(x_values, min_size=m * d, max_size=m * d))).reshape(m, d)
    w = np.array(draw(st.lists(w_values, min_size=d, max_size=d)))
    y = np.array(draw(st.lists(labels, min_size=m, max_size=m)))
    return X, y, w, draw(b_values)


# Data on which every planted bug shows: |z| <= 4.8, so |a - y| >= 0.008; no weight is near 0
# and no feature is near 1 (drop_x replaces x_i by 1).
features_not_one = away_from_zero(0.2, 1.2).filter(lambda v: abs(v - 1) >= 0.1)
bug_samples = samples(features_not_one, away_from_zero(0.2, 1.2), floats(-0.5, 0.5))
bug_batches = batches(features_not_one, away_from_zero(0.2, 1.2), floats(-0.5, 0.5)).filter(
    lambda batch: batch[0].shape[0] >= 2  # forget_mean changes nothing when m = 1
)


# --- the post's example ----------------------------------------------------------------------


def test_post_example_values_and_derivatives():
    g = build_post_example()
    values = {n.name: n.value for n in g.nodes}
    grads = {n.name: n.grad for n in g.nodes}
    assert values == {"a": 5, "b": 3, "c": 2, "u": 6, "v": 11, "J": 33}
    assert grads == {"a": 3, "b": 6, "c": 9, "u": 3, "v": 3, "J": 1}
    assert [n.name for n in g.inputs] == ["a", "b", "c"]
    assert g.output is g.node("J")
    assert [n.name for n in g.node("v").parents] == ["a", "u"]
    assert [g.kind(n) for n in g.nodes] == ["input"] * 3 + ["op", "op", "output"]


def test_post_example_nudges_as_the_post_describes():
    g = build_post_example()
    with g.nudged("v", 0.001):
        assert g.node("v").value == pytest.approx(11.001)
        assert g.output.value == pytest.approx(33.003)
    with g.nudged("u", 0.001):
        assert g.node("u").value == pytest.approx(6.001)
        assert g.node("v").value == pytest.approx(11.001)
    with g.nudged("b", 0.001):
        assert g.node("u").value == pytest.approx(6.002)
    assert {n.name: n.value for n in g.nodes} == {"a": 5, "b": 3, "c": 2, "u": 6, "v": 11, "J": 33}
    assert g.nudge("v") == pytest.approx(3, rel=1e-9)
    assert g.nudge("b") == pytest.approx(6, rel=1e-9)
    assert g.nudge("c") == pytest.approx(9, rel=1e-9)


def test_set_value_recomputes_downstream_and_forward_restores():
    g = build_post_example()
    g.set_value("v", 11.001)
    assert g.output.value == pytest.approx(33.003)
    assert g.node("u").value == 6  # upstream untouched
    g.forward()
    assert g.output.value == 33
    g.set_value("a", 6.0)
    assert (g.node("v").value, g.output.value) == (12, 36)


def test_post_example_accepts_no_bug():
    for bug in BUGS:
        with pytest.raises(ValueError, match="None"):
            build_post_example(bug=bug)


# --- one sample ------------------------------------------------------------------------------


@given(samples(floats(-2, 2), floats(-1, 1), floats(-1, 1)))
def test_logistic_sample_matches_closed_forms_and_numpy(sample):
    x, w, b, y = sample
    g = build_logistic_sample(x, w, b, y)
    d = x.size
    z = float(np.dot(x, w) + b)
    a = np_sigmoid(z)
    assert g.node("z").value == pytest.approx(z, abs=1e-12)
    assert g.node("a").value == pytest.approx(a, rel=1e-12)
    assert g.output.value == pytest.approx(-(y * np.log(a) + (1 - y) * np.log(1 - a)), rel=1e-9)

    # dL/dz = a - y with a computed here, not read from the graph.
    assert g.node("z").grad == pytest.approx(a - y, rel=1e-12, abs=1e-16)
    assert g.node("b").grad == pytest.approx(a - y, rel=1e-12, abs=1e-16)
    assert g.node("a").grad == pytest.approx(-y / a + (1 - y) / (1 - a), rel=1e-12)
    assert g.node("y").grad == pytest.approx(-z, abs=1e-9)
    for i in range(1, d + 1):
        assert g.node(f"w{i}").grad == pytest.approx(x[i - 1] * (a - y), rel=1e-12, abs=1e-300)
        assert g.node(f"x{i}").grad == pytest.approx(w[i - 1] * (a - y), rel=1e-12, abs=1e-300)
        assert g.node(f"p{i}").grad == pytest.approx(a - y, rel=1e-12, abs=1e-16)

    dw = central_differences(lambda v: np_loss(x, v, b, y), w)
    dx = central_differences(lambda v: np_loss(v, w, b, y), x)
    db = central_differences(lambda v: np_loss(x, w, v[0], y), [b])[0]
    grads = lambda prefix: [g.node(f"{prefix}{i}").grad for i in range(1, d + 1)]  # noqa: E731
    np.testing.assert_allclose(grads("w"), dw, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(grads("x"), dx, rtol=1e-5, atol=1e-8)
    assert g.node("b").grad == pytest.approx(db, rel=1e-5, abs=1e-8)


def test_logistic_sample_structure():
    g = build_logistic_sample([0.5, 2.0], [0.1, -0.3], 0.2, 1.0, feature_names=["age", "glucose"])
    names = [n.name for n in g.nodes]
    assert sorted(names) == sorted(["x1", "x2", "w1", "w2", "b", "p1", "p2", "z", "a", "y", "L"])
    assert g.feature_names == ("age", "glucose")
    assert g.output.name == "L" and g.kind(g.output) == "output"
    assert {n.name for n in g.inputs} == {"x1", "x2", "w1", "w2", "b", "y"}
    assert {n.name for n in g.nodes if g.kind(n) == "param"} == {"w1", "w2", "b"}
    assert [p.name for p in g.node("z").parents] == ["p1", "p2", "b"]
    assert [p.name for p in g.node("p2").parents] == ["x2", "w2"]
    assert [p.name for p in g.node("L").parents] == ["a", "y"]


def test_logistic_sample_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        build_logistic_sample([1.0, 2.0], [1.0], 0.0, 1.0)
    with pytest.raises(ValueError, match="feature names"):
        build_logistic_sample([1.0], [1.0], 0.0, 1.0, feature_names=["a", "b"])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        build_logistic_sample([1.0], [1.0], 0.0, 2.0)
    with pytest.raises(ValueError, match="forget_mean.*build_logistic_sample"):
        build_logistic_sample([1.0], [1.0], 0.0, 1.0, bug="forget_mean")
    with pytest.raises(ValueError, match="drop_x, flip_sign, forget_mean"):
        build_logistic_sample([1.0], [1.0], 0.0, 1.0, bug="typo")


# --- a batch ---------------------------------------------------------------------------------


@given(batches(floats(-2, 2), floats(-1, 1), floats(-1, 1)))
def test_batch_cost_matches_numpy(batch):
    X, y, w, b = batch
    g = build_batch_cost(X, y, w, b)
    m = X.shape[0]
    a = np_sigmoid(X @ w + b)
    assert g.output.value == pytest.approx(np_cost(X, y, w, b), rel=1e-9)
    assert g.node("L").value.shape == (m,)
    np.testing.assert_allclose(g.node("w").grad, X.T @ (a - y) / m, rtol=1e-9, atol=1e-15)
    assert g.node("b").grad == pytest.approx(np.mean(a - y), rel=1e-9, abs=1e-15)
    for name, expected in np_batch_grads(X, y, w, b).items():
        np.testing.assert_allclose(g.node(name).grad, expected, rtol=1e-9, atol=1e-15)
    dw = central_differences(lambda v: np_cost(X, y, v, b), w)
    db = central_differences(lambda v: np_cost(X, y, w, v[0]), [b])[0]
    dX = central_differences(lambda v: np_cost(v, y, w, b), X)
    np.testing.assert_allclose(g.node("w").grad, dw, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(g.node("X").grad, dX, rtol=1e-5, atol=1e-8)
    assert g.node("b").grad == pytest.approx(db, rel=1e-5, abs=1e-8)


def test_batch_cost_shape_and_layers():
    X = np.arange(6.0).reshape(3, 2)
    g = build_batch_cost(X, [0, 1, 1], [0.1, 0.2], 0.0, feature_names=["bmi", "age"])
    assert [n.name for n in g.nodes] == ["X", "w", "b", "z", "a", "y", "L", "J"]
    assert g.feature_names == ("bmi", "age")
    assert isinstance(g.output.value, float)
    assert g.nudge("w").shape == (2,)
    assert g.nudge("X").shape == (3, 2)
    with pytest.raises(ValueError, match="entries"):
        build_batch_cost(X, [0, 1, 1], [0.1], 0.0)
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        build_batch_cost(X, [0, 1], [0.1, 0.2], 0.0)


# --- nudge check -----------------------------------------------------------------------------


def test_nudge_check_agrees_on_the_post_example():
    results = build_post_example().nudge_check()
    assert list(results) == ["a", "b", "c", "u", "v", "J"]
    assert all(r.agrees for r in results.values())
    assert results["c"].numeric == pytest.approx(9, rel=1e-9)


@settings(deadline=None)
@given(samples())
def test_nudge_check_agrees_everywhere_on_a_correct_sample(sample):
    g = build_logistic_sample(*sample)
    before = [(n.value, n.grad) for n in g.nodes]
    results = g.nudge_check()
    assert [name for name, r in results.items() if not r.agrees] == []
    assert [(n.value, n.grad) for n in g.nodes] == before  # restored exactly


@settings(deadline=None, max_examples=50)
@given(batches())
def test_nudge_check_agrees_everywhere_on_a_correct_batch(batch):
    g = build_batch_cost(*batch)
    before = [np.copy(n.value) for n in g.nodes]
    results = g.nudge_check()
    assert [name for name, r in results.items() if not r.agrees] == []
    assert results["X"].numeric.shape == batch[0].shape
    for node, value in zip(g.nodes, before, strict=True):
        assert np.array_equal(node.value, value)


@settings(deadline=None)
@given(bug_samples, st.sampled_from(["drop_x", "flip_sign"]))
def test_planted_bug_is_flagged_exactly_upstream_of_its_edge_in_a_sample(sample, bug):
    g = build_logistic_sample(*sample, bug=bug)
    d = sample[0].size
    ws = {f"w{i}" for i in range(1, d + 1)}
    if bug == "drop_x":
        edges = {(f"w{i}", f"p{i}") for i in range(1, d + 1)}
        expected = ws
    else:
        edges = {("z", "a")}
        expected = {"z", "b"} | ws | {f"{s}{i}" for s in "xp" for i in range(1, d + 1)}
    assert set(g.bug_edges) == edges
    assert set().union(*(upstream(g, parent) for parent, _ in edges)) == expected
    assert disagreeing(g) == expected


@settings(deadline=None, max_examples=60)
@given(bug_batches, st.sampled_from(["drop_x", "flip_sign", "forget_mean"]))
def test_planted_bug_is_flagged_exactly_upstream_of_its_edge_in_a_batch(batch, bug):
    X, y, w, b = batch
    true = np_batch_grads(X, y, w, b)
    # Sums over the batch can cancel; keep only data where every true gradient is visible.
    assume(all(np.max(np.abs(v)) > 1e-3 for v in true.values()))
    if bug == "drop_x":  # the wrong gradient X-free: sum(dJ/dz) for every entry of w
        assume(np.max(np.abs(true["w"] - true["z"].sum())) > 0.05 * np.max(np.abs(true["w"])))
    g = build_batch_cost(X, y, w, b, bug=bug)
    edge, expected = {
        "drop_x": (("w", "z"), {"w"}),
        "flip_sign": (("z", "a"), {"z", "X", "w", "b"}),
        "forget_mean": (("L", "J"), {"L", "a", "y", "z", "X", "w", "b"}),
    }[bug]
    assert g.bug_edges == (edge,)
    assert upstream(g, edge[0]) == expected
    assert disagreeing(g) == expected


def test_forward_differences_miss_a_flat_point_that_central_ones_pass():
    # Soft labels y = a = 1/2 put the cost at its minimum over w: dJ/dw = 0, but the cost curves,
    # so (J(w + h) - J(w)) / h is about h/2 * d2J/dw2, not 0.
    X = np.array([[1.0], [-2.0]])
    g = build_batch_cost(X, [0.5, 0.5], [0.0], 0.0)
    assert g.node("w").grad[0] == 0
    assert not g.nudge_check(central=False)["w"].agrees
    assert g.nudge_check()["w"].agrees
    curvature = np.mean(X**2) * 0.5 * (1 - 0.5)  # d2J/dw2 = mean(x^2 a(1 - a))
    assert g.nudge("w", central=False)[0] == pytest.approx(1e-3 / 2 * curvature, rel=0.01)


# --- extremes --------------------------------------------------------------------------------


@pytest.mark.parametrize("z", [1e6, -1e6, 800.0, -800.0, 40.0, -40.0])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_loss_and_gradient_stay_finite_for_huge_logits(z, y):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = build_logistic_sample([1.0], [z], 0.0, y)
        batch = build_batch_cost(np.array([[1.0], [-1.0]]), [y, 1 - y], [z], 0.0)
        results = g.nudge_check()
    for node in (*g.nodes, *batch.nodes):
        assert np.all(np.isfinite(node.value)) and np.all(np.isfinite(node.grad)), node
    a = g.node("a").value
    wrong = (z > 0) != (y == 1)
    assert g.output.value == pytest.approx(abs(z) if wrong else 0.0, abs=1e-15)
    # sigmoid(z) - y written with e^-|z| <= 1, computed here rather than read from the graph
    e = math.exp(-abs(z))
    expected = (1.0 / (1.0 + e) if z > 0 else e / (1.0 + e)) - y
    assert g.node("z").grad == pytest.approx(expected, abs=1e-15)
    assert g.node("w1").grad == pytest.approx(expected, abs=1e-15)
    assert batch.output.value == pytest.approx(abs(z) if wrong else 0.0, abs=1e-15)
    np.testing.assert_allclose(batch.node("w").grad, [expected], atol=1e-15)
    # Only a probability that rounded to exactly 0 or 1 cannot be nudged.
    assert {name for name, r in results.items() if not r.agrees} <= {"a"}
    if 0.0 < a < 1.0:
        assert results["a"].agrees
    else:
        assert np.isnan(results["a"].numeric)


def test_nudging_a_probability_stays_inside_zero_one():
    g = build_logistic_sample([1.0], [9.0], 0.0, 0.0)  # a = 0.99988, dL/da = 1/(1 - a)
    a = g.node("a").value
    assert a + 1e-3 > 1
    assert g.nudge("a") == pytest.approx(1 / (1 - a), rel=1e-2)
    assert g.nudge("a", central=True) == pytest.approx(1 / (1 - a), rel=1e-4)
    with g.nudged("a", 1.0):  # set by hand past 1: L stays finite
        assert np.isfinite(g.output.value)


# --- the engine itself ------------------------------------------------------------------------


def test_value_operators_follow_the_chain_rule():
    # f = (x y + 3 x)^2 - y at x = 2, y = -1: g = x y + 3x = 4, f = 16 + 1 = 17,
    # df/dx = 2g (y + 3) = 16, df/dy = 2g x - 1 = 15.
    x, y = Value(2.0, name="x"), Value(-1.0, name="y")
    g = x * y + 3 * x
    f = g**2 - y
    f.backward()
    assert (f.data, x.grad, y.grad) == (17.0, 16.0, 15.0)
    assert f.parents[1] is y and f.op == "−"  # parents in order, as drawn


def test_vector_values_and_a_scalar_parent_take_the_summed_gradient():
    X = Value(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), name="X")
    w = Value(np.array([0.5, -1.0]), name="w")
    b = Value(0.25, name="b")
    J = (X @ w + b).mean()
    J.backward()
    # J = mean(Xw) + b, so dJ/dw = column means of X, dJ/db = 1, dJ/dX = w / 3 in every row.
    assert J.data == pytest.approx(np.mean([-1.5, -2.5, -3.5]) + 0.25)
    np.testing.assert_allclose(w.grad, [3.0, 4.0])
    assert b.grad == 1.0
    np.testing.assert_allclose(X.grad, np.tile([0.5 / 3, -1.0 / 3], (3, 1)))


def test_nudge_check_uses_the_gradcheck_rule():
    from gdapp.core.gradcheck import relative_error

    g = build_post_example()
    results = g.nudge_check(central=False)
    for name, result in results.items():
        rel = relative_error(result.analytic, result.numeric, floor=1e-6 / NUDGE_RTOL)
        assert result.rel_error == pytest.approx(float(rel), abs=1e-15), name
        assert result.agrees == (rel <= NUDGE_RTOL)


def test_graph_needs_a_name_for_every_node():
    a = Value(1.0, name="a")
    with pytest.raises(ValueError, match="name"):
        Graph(a * Value(2.0))


# --- the linear model -------------------------------------------------------------------------


@given(samples(floats(-2, 2), floats(-1, 1), floats(-1, 1)))
def test_linear_sample_matches_the_squared_error(sample):
    x, w, b, y = sample
    g = build_linear_sample(x, w, b, y)
    z = float(np.dot(x, w) + b)
    assert [p.name for p in g.node("L").parents] == ["yhat", "y"]
    assert g.node("yhat").value == pytest.approx(z, abs=1e-12)
    assert g.output.value == pytest.approx((z - y) ** 2, rel=1e-12, abs=1e-15)  # no factor 1/2
    for i in range(1, x.size + 1):
        assert g.node(f"w{i}").grad == pytest.approx(2 * x[i - 1] * (z - y), abs=1e-12)
    assert g.node("b").grad == pytest.approx(2 * (z - y), abs=1e-12)
    assert g.node("y").grad == pytest.approx(-2 * (z - y), abs=1e-12)
    dw = central_differences(lambda v: (np.dot(x, v) + b - y) ** 2, w)
    np.testing.assert_allclose([g.node(f"w{i}").grad for i in range(1, x.size + 1)], dw, atol=1e-6)
    assert [n for n, r in g.nudge_check().items() if not r.agrees] == []


@settings(deadline=None, max_examples=40)
@given(bug_batches, st.sampled_from(["drop_x", "flip_sign", "forget_mean"]))
def test_linear_batch_cost_and_its_bugs(batch, bug):
    X, y, w, b = batch
    m = X.shape[0]
    r = X @ w + b - y
    g = build_batch_cost(X, y, w, b, model="linear")
    assert [n.name for n in g.nodes] == ["X", "w", "b", "z", "yhat", "y", "L", "J"]
    assert g.output.value == pytest.approx(np.mean(r**2), rel=1e-12)
    np.testing.assert_allclose(g.node("w").grad, 2 * X.T @ r / m, rtol=1e-9, atol=1e-12)
    assume(all(np.max(np.abs(v)) > 1e-3 for v in (X.T @ r, r, w)))
    if bug == "drop_x":
        assume(np.max(np.abs(X.T @ r - r.sum())) > 0.05 * np.max(np.abs(X.T @ r)))
    bugged = build_batch_cost(X, y, w, b, model="linear", bug=bug)
    expected = {
        "drop_x": {"w"},
        "flip_sign": {"z", "X", "w", "b"},
        "forget_mean": {"L", "yhat", "y", "z", "X", "w", "b"},
    }[bug]
    assert disagreeing(bugged) == expected


def test_constants_join_the_op_and_a_matrix_mean_spreads_evenly():
    x = Value(4.0, name="x")
    y = 2 - (x - 1) * 3  # constants are no nodes: y's graph has x alone as a leaf
    y.backward()
    assert (y.data, x.grad) == (-7.0, -3.0)
    assert [n for n in topological_order(y) if not n.parents] == [x]
    M = Value(np.arange(6.0).reshape(2, 3), name="M")
    m = M.mean()
    m.backward()
    np.testing.assert_allclose(M.grad, np.full((2, 3), 1 / 6))
