"""The landscape grid and slice agree with J written out in plain numpy at sample points."""

import numpy as np
import pytest

from gdapp.core import landscape


def plain_log_loss(X, y, theta, l2=0.0):
    """Mean log-loss written the textbook way, with probabilities (fine for moderate z)."""
    z = X @ theta[:-1] + theta[-1]
    p = 1.0 / (1.0 + np.exp(-z))
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))) + 0.5 * l2 * float(
        np.sum(theta[:-1] ** 2)
    )


def plain_squared_error(X, y, theta, l2=0.0):
    z = X @ theta[:-1] + theta[-1]
    return float(np.mean((z - y) ** 2)) + 0.5 * l2 * float(np.sum(theta[:-1] ** 2))


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, size=(97, 4))
    y = (rng.uniform(size=97) < 0.4).astype(float)
    theta = rng.normal(size=5)
    return X, y, theta


@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize(("i", "j"), [(0, 1), (2, 4), (4, 3)])
def test_grid_equals_plain_numpy_at_sample_points(data, i, j, l2):
    X, y, theta = data
    u = np.linspace(-3, 2, 23)
    v = np.linspace(-1, 4, 17)
    grid = landscape.cost_grid(X, y, theta, i, j, u, v, l2=l2)
    assert grid.shape == (17, 23)
    for r, c in [(0, 0), (16, 22), (5, 11), (9, 3)]:
        point = theta.copy()
        point[i], point[j] = u[c], v[r]
        assert grid[r, c] == pytest.approx(plain_log_loss(X, y, point, l2), rel=1e-12)


def test_grid_in_small_chunks_matches_one_chunk(data, monkeypatch):
    X, y, theta = data
    u, v = np.linspace(-2, 2, 31), np.linspace(-2, 2, 29)
    whole = landscape.cost_grid(X, y, theta, 0, 1, u, v)
    monkeypatch.setattr(landscape, "CHUNK_ELEMENTS", 500)
    np.testing.assert_allclose(landscape.cost_grid(X, y, theta, 0, 1, u, v), whole, rtol=1e-13)


@pytest.mark.parametrize("l2", [0.0, 0.5])
@pytest.mark.parametrize("i", [0, 3, 4])
def test_slice_equals_plain_numpy(data, i, l2, monkeypatch):
    X, y, theta = data
    values = np.linspace(-4, 4, 41)
    monkeypatch.setattr(landscape, "CHUNK_ELEMENTS", 1000)
    curve = landscape.cost_slice(X, y, theta, i, values, l2=l2)
    assert curve.shape == (41,)
    for g in (0, 7, 20, 40):
        point = theta.copy()
        point[i] = values[g]
        assert curve[g] == pytest.approx(plain_log_loss(X, y, point, l2), rel=1e-12)


def test_slice_through_a_grid_column(data):
    X, y, theta = data
    u, v = np.linspace(-2, 2, 9), np.linspace(-3, 1, 13)
    grid = landscape.cost_grid(X, y, theta, 1, 2, u, v)
    held = theta.copy()
    held[1] = u[4]
    np.testing.assert_allclose(landscape.cost_slice(X, y, held, 2, v), grid[:, 4], rtol=1e-12)


def test_linear_model_is_mean_squared_error(data):
    X, y, theta = data
    u, v = np.linspace(-1, 1, 5), np.linspace(-1, 1, 7)
    grid = landscape.cost_grid(X, y, theta, 0, 4, u, v, model="linear", l2=0.2)
    point = theta.copy()
    point[0], point[4] = u[3], v[6]
    assert grid[6, 3] == pytest.approx(plain_squared_error(X, y, point, 0.2), rel=1e-12)
    assert landscape.cost(X, y, point, "linear", 0.2) == pytest.approx(grid[6, 3], rel=1e-12)


def test_cost_is_finite_for_huge_logits(data):
    X, y, _ = data
    theta = np.full(5, 1e5)
    grid = landscape.cost_grid(X, y, theta, 0, 1, np.array([-1e5, 1e5]), np.array([1e5]))
    assert np.all(np.isfinite(grid))
    assert landscape.cost(X, y, -theta) > 1e3


def test_bad_arguments_are_refused(data):
    X, y, theta = data
    with pytest.raises(ValueError, match="two different"):
        landscape.cost_grid(X, y, theta, 1, 1, np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="out of range"):
        landscape.cost_slice(X, y, theta, 5, np.zeros(2))
    with pytest.raises(ValueError, match="unknown model"):
        landscape.cost(X, y, theta, "probit")


def test_parameter_names_put_the_bias_last():
    assert landscape.parameter_names(["glucose", "bmi"]) == (
        "w1 (glucose)",
        "w2 (bmi)",
        "b (bias)",
    )


def test_axis_range_covers_the_path_with_a_margin():
    lo, hi = landscape.axis_range(0.0, np.array([-0.1, 0.2]))
    assert (lo, hi) == pytest.approx((-0.95, 1.05))
    lo, hi = landscape.axis_range(1.0, np.array([1.0, -9.0, np.nan]))
    assert lo < -9.0 and hi > 1.0
    assert hi - lo == pytest.approx(10.0 * 1.3)


@pytest.mark.parametrize("axes", [(1,), (0, 2), (3, 4)])
@pytest.mark.parametrize("model", ["logistic", "linear"])
def test_plane_minimum_is_the_lowest_grid_point(data, axes, model):
    X, y, theta = data
    found = landscape.plane_minimum(X, y, theta, axes, model, l2=0.1)
    np.testing.assert_array_equal(np.delete(found, axes), np.delete(theta, axes))
    best = landscape.cost(X, y, found, model, 0.1)
    # No point of a fine grid around it is lower.
    i = axes[0]
    u = found[i] + np.linspace(-0.5, 0.5, 41)
    if len(axes) == 1:
        values = landscape.cost_slice(X, y, found, i, u, model, 0.1)
    else:
        v = found[axes[1]] + np.linspace(-0.5, 0.5, 41)
        values = landscape.cost_grid(X, y, found, i, axes[1], u, v, model, 0.1)
    assert best <= values.min() + 1e-12


def test_plane_minimum_stays_near_for_separable_data():
    X = np.array([[-1.0], [-0.5], [0.5], [1.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    found = landscape.plane_minimum(X, y, np.zeros(2), (0,), max_radius=5.0)
    assert found[0] == pytest.approx(5.0)


def test_landscape_graph_and_trainer_share_one_loss(data):
    """J from the landscape, the graph's batch cost and the model agree to 1e-12."""
    from gdapp.core.graph_builders import build_batch_cost
    from gdapp.core.models import make_model

    X, y = data[0], data[1]
    rng = np.random.default_rng(3)
    for model in ("logistic", "linear"):
        theta = rng.normal(0, 0.7, X.shape[1] + 1)
        from_landscape = landscape.cost(X, y, theta, model)
        graph = build_batch_cost(X, y, theta[:-1], theta[-1], model=model)
        assert graph.output.value == pytest.approx(from_landscape, rel=1e-12, abs=1e-12)
        trainer = make_model(model).loss(theta, X, y)
        assert trainer == pytest.approx(from_landscape, rel=1e-12, abs=1e-12)
