"""The one-hidden-layer model: layout, gradients against finite differences, training."""

from __future__ import annotations

import numpy as np
import pytest

from gdapp.core.functional import bce_with_logits, sigmoid
from gdapp.core.gradcheck import numeric_gradient
from gdapp.core.mlp import MLPModel
from gdapp.core.models import make_model
from gdapp.core.trainer import TrainConfig, Trainer, initial_theta, model_for


def _data(n=40, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (rng.random(n) < 0.5).astype(float)
    return X, y


def _by_hand(theta, X, h, activation, fit_bias=True):
    """The forward pass written out unit by unit, from the layout in the module docstring."""
    n, d = X.shape
    z = np.zeros(n)
    for j in range(h):
        a = X @ theta[j * d : (j + 1) * d] + (theta[h * d + j] if fit_bias else 0.0)
        hj = np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)
        z += theta[h * d + h + j] * hj
    return z + (theta[-1] if fit_bias else 0.0)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("fit_bias", [True, False])
@pytest.mark.parametrize("l2", [0.0, 0.25])
def test_gradient_matches_finite_differences(activation, fit_bias, l2):
    X, y = _data()
    model = MLPModel(hidden=5, activation=activation, fit_bias=fit_bias, l2=l2)
    theta = np.random.default_rng(1).normal(size=model.n_params(3))
    if not fit_bias:
        theta[model.bias_mask(3)] = 0.0
    loss, grad = model.loss_and_grad(theta, X, y)
    fd = numeric_gradient(lambda t: model.loss(t, X, y), theta)
    if not fit_bias:
        fd[model.bias_mask(3)] = 0.0  # biases are not parameters without a bias
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)
    # The loss itself, from the maths: mean BCE of the hand-computed logits plus the penalty.
    z = _by_hand(theta, X, 5, activation, fit_bias)
    weights = theta[model.weight_mask(3)]
    expected = np.mean(bce_with_logits(z, y)) + 0.5 * l2 * weights @ weights
    assert loss == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_per_row_gradients_are_each_rows_own_gradient(activation):
    X, y = _data(n=12)
    model = MLPModel(hidden=3, activation=activation, l2=0.5)
    theta = np.random.default_rng(2).normal(size=model.n_params(3))
    rows = model.per_row_grads(theta, X, y)
    assert rows.shape == (12, model.n_params(3))
    unpenalised = MLPModel(hidden=3, activation=activation)
    for i in (0, 5, 11):
        Xi, yi = X[i : i + 1], y[i : i + 1]
        fd = numeric_gradient(lambda t, Xi=Xi, yi=yi: unpenalised.loss(t, Xi, yi), theta)
        np.testing.assert_allclose(rows[i], fd, rtol=1e-6, atol=1e-8)
    _, grad = model.loss_and_grad(theta, X, y)
    np.testing.assert_allclose(rows.mean(axis=0) + model.penalty_grad(theta), grad, atol=1e-14)


def test_layout_and_names():
    model = MLPModel(hidden=2)
    assert model.n_params(3) == 2 * 3 + 2 + 2 + 1
    assert model.n_features(11) == 3
    names = model.param_names(["a", "b", "c"])
    assert names == [
        "h1:a", "h1:b", "h1:c", "h2:a", "h2:b", "h2:c",
        "h1:bias", "h2:bias", "out:h1", "out:h2", "out:bias",
    ]  # fmt: skip
    theta = np.arange(11.0)
    X = np.array([[0.1, -0.2, 0.3]])
    assert model.logits(theta, X)[0] == pytest.approx(_by_hand(theta, X, 2, "tanh")[0], 1e-14)
    assert model.predict_proba(theta, X)[0] == pytest.approx(
        sigmoid(_by_hand(theta, X, 2, "tanh")[0])
    )


@pytest.mark.parametrize(
    "kwargs",
    [{"hidden": 1}, {"hidden": 17}, {"hidden": 2.5}, {"activation": "sigmoid"}, {"l2": -1}],
)
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        MLPModel(**kwargs)
    config_kwargs = {k: v for k, v in kwargs.items() if k != "l2"}
    if config_kwargs:
        with pytest.raises(ValueError):
            TrainConfig(model="mlp", **config_kwargs)


def test_config_builds_the_model_and_a_random_start():
    config = TrainConfig(model="mlp", hidden=6, activation="relu", l2=0.1, seed=3)
    model = model_for(config)
    assert model == make_model("mlp", True, 0.1, hidden=6, activation="relu")
    theta = initial_theta(config, 4)
    assert theta.shape == (6 * 4 + 2 * 6 + 1,)
    # Zeros would leave every hidden unit identical; the start is random (weights) and seeded.
    assert np.count_nonzero(theta[model.weight_mask(4)]) == model.weight_mask(4).sum()
    assert not theta[model.bias_mask(4)].any()
    np.testing.assert_array_equal(theta, initial_theta(config, 4))
    assert not np.array_equal(theta, initial_theta(TrainConfig(model="mlp", hidden=6, seed=4), 4))


def test_a_zero_start_never_learns():
    """Why the start is random: from all zeros only the output bias ever moves."""
    X, y = _data()
    model = MLPModel(hidden=4)
    theta = np.zeros(model.n_params(3))
    _, grad = model.loss_and_grad(theta, X, y)
    assert not grad[:-1].any()


def _xor(n=400, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]]) * 0.5
    k = rng.integers(0, 4, n)
    return centres[k] + rng.normal(0, 0.15, (n, 2)), (k >= 2).astype(float)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_trainer_steps_back_exactly_and_solves_xor(activation):
    X, y = _xor()
    config = TrainConfig(model="mlp", hidden=4, activation=activation, lr=1.0, max_epochs=5000)
    trainer = Trainer(X, y, config=config, checkpoint_interval=64)
    trainer.run(300)
    theta_300 = trainer.theta
    trainer.run(1200)
    assert trainer.model.accuracy(trainer.theta, X, y) >= 0.95
    assert trainer.rewind(300)
    np.testing.assert_array_equal(trainer.theta, theta_300)
    linear = Trainer(X, y, config=TrainConfig(lr=1.0, max_epochs=5000))
    linear.run(1500)
    assert linear.model.accuracy(linear.theta, X, y) <= 0.65
