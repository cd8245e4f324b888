"""Slices and grids of a hidden layer's cost: every value is the model's own loss there."""

from __future__ import annotations

import numpy as np
import pytest

from gdapp.core import landscape
from gdapp.core.mlp import MLPModel

D, H = 3, 4


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(60, D))
    y = (rng.random(60) < 0.5).astype(float)
    return X, y


def _loss_with(model, X, y, theta, moved):
    """The loss at theta with some entries replaced, by the model's own loss (one point)."""
    point = theta.copy()
    for k, value in moved.items():
        point[k] = value
    return model.loss(point, X, y)


MODELS = [
    MLPModel(H, "tanh", True, 0.0),
    MLPModel(H, "relu", True, 0.25),
    MLPModel(H, "tanh", False, 0.1),
]


@pytest.mark.parametrize("model", MODELS, ids=repr)
def test_every_pair_of_parameters_gives_the_model_loss_on_the_grid(model, data):
    X, y = data
    theta = np.random.default_rng(1).normal(size=model.n_params(D))
    p = model.n_params(D)
    u, v = np.linspace(-2.0, 1.5, 4), np.linspace(-1.0, 2.0, 3)
    for i in range(p):
        for j in range(p):
            if i == j:
                continue
            J = landscape.cost_grid(X, y, theta, i, j, u, v, model)
            assert J.shape == (3, 4)
            for r, c in ((0, 0), (2, 3), (1, 2)):
                expected = _loss_with(model, X, y, theta, {i: u[c], j: v[r]})
                assert J[r, c] == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("model", MODELS, ids=repr)
def test_slices_and_cost_agree_with_the_model(model, data):
    X, y = data
    theta = np.random.default_rng(2).normal(size=model.n_params(D))
    values = np.linspace(-3.0, 3.0, 7)
    for i in range(model.n_params(D)):
        J = landscape.cost_slice(X, y, theta, i, values, model)
        expected = [_loss_with(model, X, y, theta, {i: value}) for value in values]
        np.testing.assert_allclose(J, expected, rtol=1e-12, atol=1e-12)
    assert landscape.cost(X, y, theta, model) == model.loss(theta, X, y)


def test_grid_chunks_give_the_same_values(data, monkeypatch):
    X, y = data
    model = MODELS[0]
    theta = np.random.default_rng(3).normal(size=model.n_params(D))
    u, v = np.linspace(-1, 1, 9), np.linspace(-1, 1, 8)
    whole = landscape.cost_grid(X, y, theta, 0, 14, u, v, model)
    monkeypatch.setattr(landscape, "CHUNK_ELEMENTS", 1)
    np.testing.assert_array_equal(landscape.cost_grid(X, y, theta, 0, 14, u, v, model), whole)


def test_a_bias_without_fit_bias_leaves_the_cost_flat(data):
    X, y = data
    model = MODELS[2]
    theta = np.random.default_rng(4).normal(size=model.n_params(D))
    b1_first, b2 = H * D, model.n_params(D) - 1
    for k in (b1_first, b2):
        J = landscape.cost_slice(X, y, theta, k, np.linspace(-5, 5, 5), model)
        assert np.ptp(J) == 0.0


def test_plane_minimum_is_no_higher_and_stays_in_its_window(data):
    X, y = data
    model = MODELS[1]
    theta = np.random.default_rng(6).normal(size=model.n_params(D))
    for axes in ((0,), (3, model.n_params(D) - 1)):
        low = landscape.plane_minimum(X, y, theta, axes, model)
        assert model.loss(low, X, y) <= model.loss(theta, X, y)
        held = np.setdiff1d(np.arange(len(theta)), axes)
        np.testing.assert_array_equal(low[held], theta[held])
        assert np.all(np.abs(low - theta) <= landscape.MLP_SEARCH_RADIUS + 1e-12)


def test_names_are_the_model_names():
    model = MLPModel(2)
    assert landscape.parameter_names(("a", "b"), model) == tuple(model.param_names(("a", "b")))
    assert landscape.parameter_names(("a",)) == ("w1 (a)", "b (bias)")


def test_out_of_range_index_is_refused(data):
    X, y = data
    model = MODELS[0]
    theta = np.zeros(model.n_params(D))
    with pytest.raises(ValueError, match="out of range"):
        landscape.cost_slice(X, y, theta, model.n_params(D), np.zeros(2), model)
