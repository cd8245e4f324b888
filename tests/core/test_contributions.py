"""Per-row gradient contributions: they add up to the gradient the trainer stepped with."""

import math

import numpy as np
import pytest

from gdapp.core.contributions import (
    NORM_TARGET,
    contributions,
    step_contributions,
    target_values,
)
from gdapp.core.gradcheck import numeric_gradient
from gdapp.core.models import make_model
from gdapp.core.trainer import TrainConfig, Trainer, model_for

MODELS = ("logistic", "linear")


def data(n=57, d=4, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X @ rng.normal(size=d) + 0.5 * rng.normal(size=n) > 0).astype(float)
    return X, y


def row_loss(name, theta, x, y, fit_bias):
    """One row's loss from the textbook definitions."""
    z = x @ theta[:-1] + (theta[-1] if fit_bias else 0.0)
    if name == "logistic":
        a = 1.0 / (1.0 + np.exp(-z))
        return -(y * np.log(a) + (1.0 - y) * np.log(1.0 - a))
    return (z - y) ** 2


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("fit_bias", [True, False])
def test_per_row_grads_match_finite_differences(name, fit_bias):
    X, y = data(n=9, d=3)
    model = make_model(name, fit_bias=fit_bias, l2=0.7)  # the penalty is not a row's
    theta = np.array([0.3, -0.8, 0.5, 0.2])
    grads = model.per_row_grads(theta, X, y)
    assert grads.shape == (9, 4)
    for i in range(9):
        numeric = numeric_gradient(lambda t, i=i: row_loss(name, t, X[i], y[i], fit_bias), theta)
        np.testing.assert_allclose(grads[i], numeric, rtol=1e-6, atol=1e-8)
    if not fit_bias:
        assert np.all(grads[:, -1] == 0.0)


@pytest.mark.parametrize("name", MODELS)
def test_penalty_grad_is_l2_times_the_weights_and_zero_for_the_bias(name):
    theta = np.array([1.5, -2.0, 0.25, 7.0])
    np.testing.assert_array_equal(
        make_model(name, l2=0.5).penalty_grad(theta), [0.75, -1.0, 0.125, 0.0]
    )
    np.testing.assert_array_equal(make_model(name).penalty_grad(theta), np.zeros(4))


def recovered_gd_gradient(trainer, k):
    """What plain gradient descent stepped with: g_k = (theta_{k-1} - theta_k) / lr."""
    before, after = trainer.state_at(k - 1), trainer.state_at(k)
    return (before.theta - after.theta) / after.lr


CASES = [
    pytest.param(dict(), id="full-batch"),
    pytest.param(dict(batch_size=10), id="mini-batch"),
    pytest.param(dict(l2=0.3), id="l2"),
    pytest.param(dict(l2=0.3, batch_size=7), id="l2-mini-batch"),
    pytest.param(dict(fit_bias=False), id="no-bias"),
    pytest.param(dict(fit_bias=False, batch_size=16, l2=0.05), id="no-bias-l2-mini-batch"),
]


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("options", CASES)
def test_contributions_add_up_to_the_trainers_gradient(name, options):
    X, y = data()
    lr = 0.05 if name == "linear" else 0.5
    config = TrainConfig(model=name, lr=lr, seed=3, init="random", **options)
    trainer = Trainer(X, y, config=config)
    trainer.run(13)
    assert trainer.step_count == 13
    c = step_contributions(trainer, X, y)
    model = model_for(config)
    # The gradient the update actually used, read back from the parameters it moved.
    used = recovered_gd_gradient(trainer, 13)
    np.testing.assert_allclose(c.rows.sum(0) + c.penalty, used, rtol=0, atol=1e-12)
    # ... and the mean-loss gradient on the step's batch at the parameters before the step.
    batch = trainer.batch_for_step(13)
    theta_before = trainer.state_at(12).theta
    expected = model.loss_and_grad(theta_before, X[batch], y[batch])[1]
    np.testing.assert_allclose(c.gradient, expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(c.theta, theta_before)
    # The penalty is its own vector: l2 * w, and 0 for the bias.
    w = theta_before[:-1]
    np.testing.assert_array_equal(c.penalty, np.append(config.l2 * w, 0.0))
    outside = np.setdiff1d(np.arange(len(y)), batch)
    if options.get("batch_size"):
        assert len(outside) == len(y) - len(batch) > 0
        assert np.all(c.rows[outside] == 0.0)  # exact zeros, not small numbers
        assert not c.in_batch[outside].any() and c.in_batch[batch].all()
        assert np.all(np.abs(c.rows[batch]).sum(1) > 0)
    else:
        assert c.in_batch.all()
    if not config.fit_bias:
        assert np.all(c.rows[:, -1] == 0.0)
    # The parameters after the step (what a snapshot carries) give another gradient.
    after = contributions(model, trainer.theta, X, y, None if not outside.size else batch)
    assert np.max(np.abs(after.gradient - used)) > 1e-6


def test_an_earlier_step_and_step_zero():
    X, y = data()
    trainer = Trainer(X, y, config=TrainConfig(batch_size=8, lr=0.3))
    trainer.run(9)
    c = step_contributions(trainer, X, y, step=4)
    np.testing.assert_allclose(c.gradient, recovered_gd_gradient(trainer, 4), rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="step must be in 1..9"):
        step_contributions(trainer, X, y, step=0)


def test_contribution_rows_are_the_per_row_gradients_over_the_batch_size():
    X, y = data(n=12, d=2)
    model = make_model("logistic", l2=0.2)
    theta = np.array([0.4, -0.3, 0.1])
    batch = np.array([7, 2, 11])
    c = contributions(model, theta, X, y, batch)
    for i in batch:
        z = X[i] @ theta[:-1] + theta[-1]
        a = 1.0 / (1.0 + np.exp(-z))
        np.testing.assert_allclose(c.rows[i], (a - y[i]) * np.append(X[i], 1.0) / 3, rtol=1e-12)
    with pytest.raises(ValueError, match="no rows"):
        contributions(model, theta, X, y, np.array([], dtype=int))


def test_target_values_pick_a_parameter_or_the_length():
    X, y = data(n=6, d=2)
    model = make_model("linear", l2=0.5)
    theta = np.array([0.4, -0.3, 0.1])
    c = contributions(model, theta, X, y)
    values, penalty = target_values(c, 1)
    np.testing.assert_array_equal(values, c.rows[:, 1])
    assert penalty == 0.5 * -0.3
    lengths, penalty_length = target_values(c, NORM_TARGET)
    np.testing.assert_allclose(
        lengths, [math.sqrt(sum(v * v for v in r)) for r in c.rows], rtol=1e-14
    )
    assert penalty_length == pytest.approx(np.hypot(0.2, -0.15))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("options", CASES)
def test_a_hidden_layers_contributions_add_up_to_the_trainers_gradient(activation, options):
    X, y = data()
    config = TrainConfig(model="mlp", hidden=3, activation=activation, lr=0.5, seed=3, **options)
    trainer = Trainer(X, y, config=config)
    trainer.run(13)
    c = step_contributions(trainer, X, y)
    used = recovered_gd_gradient(trainer, 13)
    np.testing.assert_allclose(c.rows.sum(0) + c.penalty, used, rtol=0, atol=1e-12)
    theta_before = trainer.state_at(12).theta
    model = model_for(config)
    weights = model.weight_mask(X.shape[1])
    np.testing.assert_array_equal(c.penalty, np.where(weights, config.l2 * theta_before, 0.0))
    batch = trainer.batch_for_step(13)
    outside = np.setdiff1d(np.arange(len(y)), batch)
    assert np.all(c.rows[outside] == 0.0)
    if not config.fit_bias:
        assert np.all(c.rows[:, ~weights] == 0.0)
