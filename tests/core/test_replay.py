"""A replay follows the update rules written out in plain numpy, and the Trainer's own run."""

from __future__ import annotations

import numpy as np
import pytest

from gdapp.core.replay import replay
from gdapp.core.trainer import TrainConfig, Trainer
from gdapp.datasets import load_preset


@pytest.fixture(scope="module")
def data():
    dataset = load_preset("diabetes")
    return np.array(dataset.X_train), np.array(dataset.y_train)


def plain_log_loss(X, y, theta, l2=0.0):
    z = X @ theta[:-1] + theta[-1]
    p = 1.0 / (1.0 + np.exp(-z))
    data_term = np.mean(-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))
    return float(data_term) + 0.5 * l2 * float(theta[:-1] @ theta[:-1])


def plain_gradient(X, y, theta, l2=0.0):
    """dJ/dw = X^T (sigmoid(z) - y) / n + l2 w, dJ/db = mean(sigmoid(z) - y)."""
    z = X @ theta[:-1] + theta[-1]
    r = 1.0 / (1.0 + np.exp(-z)) - y
    return np.append(X.T @ r / len(y) + l2 * theta[:-1], r.mean())


def plain_descent(X, y, theta0, lrs, l2=0.0, batches=None, beta=None):
    """theta_s = theta_{s-1} - lr_s g (or heavy-ball momentum v = beta v + g); (k+1, d+1)."""
    path = [np.array(theta0, dtype=float)]
    velocity = np.zeros_like(path[0])
    for s, lr in enumerate(lrs):
        rows = slice(None) if batches is None else batches[s]
        g = plain_gradient(X[rows], y[rows], path[-1], l2)
        if beta is not None:
            velocity = beta * velocity + g
            g = velocity
        path.append(path[-1] - lr * g)
    return np.array(path)


def test_gradient_descent_replay_equals_a_plain_numpy_loop(data):
    X, y = data
    config = TrainConfig(lr=0.5, l2=0.01)
    run = replay(X, y, config, None, 60)
    expected = plain_descent(X, y, np.zeros(X.shape[1] + 1), [0.5] * 60, l2=0.01)
    assert run.steps == 60 and run.status == "ready"
    np.testing.assert_allclose(run.theta, expected, rtol=0, atol=1e-12)
    losses = [plain_log_loss(X, y, theta, l2=0.01) for theta in expected]
    np.testing.assert_allclose(run.loss, losses, rtol=1e-12, atol=0)


def test_learning_rate_changes_apply_from_their_step_on(data):
    X, y = data
    start = np.linspace(-0.5, 0.5, X.shape[1] + 1)
    run = replay(X, y, TrainConfig(lr=0.3), start, 40, lr_changes=[(31, 1.5), (11, 0.05)])
    lrs = [0.3] * 10 + [0.05] * 20 + [1.5] * 10
    np.testing.assert_allclose(run.theta, plain_descent(X, y, start, lrs), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(run.theta[0], start)


def test_mini_batches_come_from_the_seed_and_the_step(data):
    X, y = data
    n, size, seed = len(y), 100, 7
    per_epoch = -(-n // size)
    batches = []
    for s in range(25):
        epoch, k = divmod(s, per_epoch)
        order = np.random.default_rng([seed, epoch]).permutation(n)
        batches.append(order[k * size : (k + 1) * size])
    config = TrainConfig(lr=0.4, batch_size=size, seed=seed)
    run = replay(X, y, config, None, 25)
    expected = plain_descent(X, y, np.zeros(X.shape[1] + 1), [0.4] * 25, batches=batches)
    np.testing.assert_allclose(run.theta, expected, rtol=0, atol=1e-12)


def test_momentum_replay_equals_the_heavy_ball_rule(data):
    X, y = data
    run = replay(X, y, TrainConfig(optimizer="momentum", lr=0.2), None, 30)
    expected = plain_descent(X, y, np.zeros(X.shape[1] + 1), [0.2] * 30, beta=0.9)
    np.testing.assert_allclose(run.theta, expected, rtol=0, atol=1e-12)


def test_a_replay_reproduces_a_trainer_run_bit_for_bit(data):
    X, y = data
    config = TrainConfig(optimizer="adam", lr=0.05, init="random", seed=4, batch_size=64)
    trainer = Trainer(X, y, config=config)
    trainer.run(12)
    trainer.set_lr(0.01)
    trainer.run(8)
    run = replay(X, y, config, None, 20, lr_changes=[(13, 0.01)])
    np.testing.assert_array_equal(run.theta, trainer.history.theta)
    np.testing.assert_array_equal(run.loss, trainer.history.train_loss)


def test_a_diverging_run_ends_where_the_trainer_refused_a_step(data):
    X, y = data
    run = replay(X, y, TrainConfig(model="linear", lr=100.0), None, 50)
    assert run.status == "diverged" and "Diverged" in run.stop_reason
    assert 1 <= run.steps < 50
    assert np.isfinite(run.theta).all() and np.isfinite(run.loss).all()


def test_progress_is_told_each_step_and_may_abandon_the_replay(data):
    X, y = data
    seen = []

    def progress(step):
        seen.append(step)
        if step == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        replay(X, y, TrainConfig(), None, 100, progress=progress)
    assert seen == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("steps", "changes", "message"),
    [(-1, (), "steps"), (2.5, (), "steps"), (5, [(0, 0.1)], "step >= 1"), (5, [(2, 0.0)], "> 0")],
)
def test_bad_arguments_are_refused_with_a_reason(data, steps, changes, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        replay(X, y, TrainConfig(), None, steps, lr_changes=changes)
