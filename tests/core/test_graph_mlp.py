"""The hidden layer's graphs against numpy written out here, finite differences and the model.

Reference values: the forward pass and the loss are written out below with numpy (tanh,
max(a, 0), the textbook log loss), derivatives come from central differences of that loss,
and the parameter gradients must equal ``MLPModel.per_sample_grad`` / ``loss_and_grad``.
"""

from __future__ import annotations

import numpy as np
import pytest

from gdapp.core.gradcheck import numeric_gradient
from gdapp.core.graph import Value
from gdapp.core.graph_mlp import build_mlp_batch_cost, build_mlp_sample
from gdapp.core.mlp import MLPModel

D, H = 8, 4


def np_forward(theta, x, h, activation):
    """(A, H, z) for one row x (d,), from theta laid out W1 (h, d), b1, w2, b2."""
    d = x.size
    W1 = theta[: h * d].reshape(h, d)
    b1, w2, b2 = theta[h * d : h * d + h], theta[h * d + h : h * d + 2 * h], theta[-1]
    A = W1 @ x + b1
    Hv = np.tanh(A) if activation == "tanh" else np.maximum(A, 0.0)
    return A, Hv, float(Hv @ w2 + b2)


def np_loss(theta, x, y, h, activation):
    a = 1.0 / (1.0 + np.exp(-np_forward(theta, x, h, activation)[2]))
    return float(-(y * np.log(a) + (1 - y) * np.log(1 - a)))


def grads(graph):
    return {node.name: node.grad for node in graph.nodes}


@pytest.fixture
def problem():
    rng = np.random.default_rng(11)
    x = rng.normal(size=D)
    theta = rng.normal(scale=0.7, size=H * D + 2 * H + 1)
    return theta, x, 1.0


# -- the engine's activations ----------------------------------------------------------------


@pytest.mark.parametrize("op", ["tanh", "relu"])
@pytest.mark.parametrize("start", [-1.3, -0.2, 0.4, 2.5])
def test_activation_backward_matches_central_differences(op, start):
    v = Value(start, name="v")
    out = getattr(v, op)()
    J = (out * 3.0).named("J")
    J.backward()
    f = np.tanh if op == "tanh" else (lambda t: np.maximum(t, 0.0))
    assert out.data == pytest.approx(f(start), abs=1e-15)
    assert v.grad == pytest.approx(
        numeric_gradient(lambda t: 3.0 * f(t), np.array(start)), rel=1e-8
    )


def test_relu_derivative_is_zero_at_zero_and_works_on_arrays():
    v = Value(np.array([-1.0, 0.0, 2.0]), name="v")
    out = v.relu()
    out.mean().backward()
    assert np.array_equal(out.data, [0.0, 0.0, 2.0])
    assert np.array_equal(v.grad, [0.0, 0.0, 1.0 / 3.0])
    s = Value(0.0)
    s.relu().backward()
    assert s.grad == 0.0


# -- one sample --------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_sample_values_match_numpy(problem, activation):
    theta, x, y = problem
    graph = build_mlp_sample(MLPModel(H, activation), theta, x, y)
    A, Hv, z = np_forward(theta, x, H, activation)
    for j in range(H):
        assert graph.node(f"a{j + 1}").value == pytest.approx(A[j], abs=1e-13)
        assert graph.node(f"h{j + 1}").value == pytest.approx(Hv[j], abs=1e-13)
        w2 = theta[H * D + H + j]
        assert graph.node(f"q{j + 1}").value == pytest.approx(w2 * Hv[j], abs=1e-13)
    assert graph.node("z").value == pytest.approx(z, abs=1e-13)
    assert graph.output.value == pytest.approx(np_loss(theta, x, y, H, activation), rel=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("units", [None, [0, 2], [3]])
def test_sample_parameter_gradients_equal_the_models(problem, activation, units):
    theta, x, y = problem
    model = MLPModel(H, activation)
    graph = build_mlp_sample(model, theta, x, y, units=units)
    shown = graph.gather(grads(graph))
    assert np.max(np.abs(shown - model.per_sample_grad(theta, x, y))) <= 1e-12
    assert np.array_equal(graph.gather({n.name: n.value for n in graph.nodes}), theta)
    fd = numeric_gradient(lambda t: np_loss(t, x, y, H, activation), theta)
    np.testing.assert_allclose(shown, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("units", [None, [1, 2]])
def test_sample_input_gradients_match_central_differences(problem, activation, units):
    theta, x, y = problem
    graph = build_mlp_sample(MLPModel(H, activation), theta, x, y, units=units)
    fd = numeric_gradient(lambda v: np_loss(theta, v, y, H, activation), x)
    shown = np.array([graph.node(f"x{i + 1}").grad for i in range(D)])
    np.testing.assert_allclose(shown, fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("units", [None, [0, 3]])
def test_nudge_check_agrees_on_every_node_of_the_hidden_layer(problem, activation, units):
    theta, x, y = problem
    graph = build_mlp_sample(MLPModel(H, activation), theta, x, y, units=units)
    results = graph.nudge_check()
    assert set(results) == {node.name for node in graph.nodes}
    assert all(result.agrees for result in results.values()), [
        name for name, r in results.items() if not r.agrees
    ]
    assert {"a1", "h1", "q1", "W1_1", "b1_1", "w2_1"} <= set(results)


def test_a_pre_activation_nudged_by_hand_moves_the_loss_by_its_derivative(problem):
    theta, x, y = problem
    graph = build_mlp_sample(MLPModel(H, "tanh"), theta, x, y)
    A, Hv, z = np_forward(theta, x, H, "tanh")
    w2 = theta[H * D + H : H * D + 2 * H]
    a = 1.0 / (1.0 + np.exp(-z))
    expected = (a - y) * w2[1] * (1.0 - Hv[1] ** 2)  # the chain rule written out
    assert graph.node("a2").grad == pytest.approx(expected, rel=1e-12)
    step = 1e-5
    with graph.nudged("a2", step):
        up = graph.output.value
    with graph.nudged("a2", -step):
        down = graph.output.value
    assert (up - down) / (2 * step) == pytest.approx(expected, rel=1e-6)


def test_folded_units_keep_every_number_exact(problem):
    theta, x, y = problem
    model = MLPModel(H, "tanh")
    full = build_mlp_sample(model, theta, x, y)
    folded = build_mlp_sample(model, theta, x, y, units=[2])
    assert {n.name for n in folded.nodes} >= {"rest", "rest_theta", "a3", "h3", "q3"}
    assert "a1" not in {n.name for n in folded.nodes}
    for name in ["z", "a", "L", "a3", "h3", *(f"x{i}" for i in range(1, D + 1))]:
        assert folded.node(name).value == pytest.approx(full.node(name).value, abs=1e-14)
        assert folded.node(name).grad == pytest.approx(full.node(name).grad, abs=1e-14)
    _, Hv, _ = np_forward(theta, x, H, "tanh")
    w2 = theta[H * D + H : H * D + 2 * H]
    assert folded.node("rest").value == pytest.approx(w2[[0, 1, 3]] @ Hv[[0, 1, 3]], abs=1e-14)


@pytest.mark.parametrize(
    ("bug", "expected"),
    [
        ("drop_x", {f"W1_{j}" for j in range(1, H + 1)}),
        ("flip_sign", None),  # everything upstream of z
    ],
)
def test_planted_bugs_are_flagged_exactly_where_they_act(problem, bug, expected):
    theta, x, y = problem
    graph = build_mlp_sample(MLPModel(H, "tanh"), theta, x, y, bug=bug)
    flagged = {name for name, r in graph.nudge_check().items() if not r.agrees}
    if expected is None:
        upstream = {n.name for n in graph.nodes} - {"z", "a", "y", "L"}
        expected = upstream | {"z"}
    assert flagged == expected
    assert graph.bug_edges


def test_bad_input_is_refused_with_a_clear_message(problem):
    theta, x, y = problem
    model = MLPModel(H, "tanh")
    with pytest.raises(ValueError, match="forget_mean.*does not apply to build_mlp_sample"):
        build_mlp_sample(model, theta, x, y, bug="forget_mean")
    with pytest.raises(ValueError, match="theta must hold 41 finite numbers"):
        build_mlp_sample(model, theta[:-1], x, y)
    with pytest.raises(ValueError, match="units must name"):
        build_mlp_sample(model, theta, x, y, units=[4])
    with pytest.raises(ValueError, match="y must lie in"):
        build_mlp_sample(model, theta, x, 2.0)


# -- a batch -------------------------------------------------------------------------------------


@pytest.fixture
def batch():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(12, D))
    y = (rng.random(12) > 0.5).astype(float)
    theta = rng.normal(scale=0.6, size=H * D + 2 * H + 1)
    return theta, X, y


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_batch_cost_equals_the_models_loss_and_gradient(batch, activation):
    theta, X, y = batch
    model = MLPModel(H, activation)
    graph = build_mlp_batch_cost(model, theta, X, y)
    loss, grad = model.loss_and_grad(theta, X, y)
    costs = [np_loss(theta, X[r], y[r], H, activation) for r in range(len(y))]
    assert graph.output.value == pytest.approx(np.mean(costs), rel=1e-12)
    assert graph.output.value == pytest.approx(loss, rel=1e-12)
    assert np.max(np.abs(graph.gather(grads(graph)) - grad)) <= 1e-12
    A = np.stack([np_forward(theta, X[r], H, activation)[0] for r in range(len(y))])
    np.testing.assert_allclose(graph.node("A").value, A, atol=1e-13)
    assert graph.node("A").value.shape == (12, H) and graph.node("H").value.shape == (12, H)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_batch_nudge_check_agrees_everywhere(batch, activation):
    theta, X, y = batch
    graph = build_mlp_batch_cost(MLPModel(H, activation), theta, X, y)
    assert all(r.agrees for r in graph.nudge_check().values())


@pytest.mark.parametrize(
    ("bug", "expected"),
    [
        ("drop_x", {"W1"}),
        ("flip_sign", {"X", "W1", "b1", "A", "H", "w2", "b2", "z"}),
        ("forget_mean", {"X", "W1", "b1", "A", "H", "w2", "b2", "z", "a", "y", "L"}),
    ],
)
def test_batch_bugs_are_flagged_exactly_where_they_act(batch, bug, expected):
    theta, X, y = batch
    graph = build_mlp_batch_cost(MLPModel(H, "tanh"), theta, X, y, bug=bug)
    assert {name for name, r in graph.nudge_check().items() if not r.agrees} == expected
