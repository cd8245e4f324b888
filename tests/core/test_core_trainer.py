"""Trainer: textbook updates, exact step back and replay, mini-batches, stop rules."""

import re

import numpy as np
import pytest

from gdapp.core.optimizers import OPTIMIZER_NAMES
from gdapp.core.trainer import (
    CHECKPOINT_INTERVAL,
    Status,
    TrainConfig,
    Trainer,
    batch_indices,
    initial_theta,
)

RNG = np.random.default_rng(20240611)
N, D = 120, 3
X = RNG.uniform(-1.0, 1.0, (N, D))
Y = (RNG.random(N) < 1.0 / (1.0 + np.exp(-(X @ [2.0, -1.0, 0.5] + 0.3)))).astype(float)
XT = RNG.uniform(-1.0, 1.0, (40, D))
YT = (RNG.random(40) < 0.5).astype(float)

STABLE_LR = {
    "gd": 0.5,
    "momentum": 0.1,
    "nesterov": 0.1,
    "adagrad": 0.1,
    "rmsprop": 0.01,
    "adam": 0.01,
}


def ref_logistic(theta, X, y, fit_bias=True, l2=0.0):
    """Loss, gradient and accuracy of logistic regression written out from the definitions."""
    w, b = theta[:-1], theta[-1] if fit_bias else 0.0
    a = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    loss = np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a))) + 0.5 * l2 * w @ w
    grad = np.append(X.T @ (a - y) / len(y) + l2 * w, np.mean(a - y) if fit_bias else 0.0)
    return loss, grad, np.mean((a >= 0.5) == y)


HISTORY_FIELDS = (
    "step",
    "epoch",
    "train_loss",
    "test_loss",
    "train_acc",
    "test_acc",
    "theta",
    "grad",
    "lr",
)


def config(**fields):
    return TrainConfig(**{"max_epochs": 10**6, **fields})


def snapshot(t: Trainer) -> dict:
    h = t.history
    snap = {f: None if getattr(h, f) is None else np.array(getattr(h, f)) for f in HISTORY_FIELDS}
    snap.update(
        theta=t.theta,
        grad=t.grad,
        state=tuple(np.array(f) for f in t.opt_state),
        step_count=t.step_count,
        epoch=t.epoch,
        status=t.status,
        reason=t.stop_reason,
    )
    return snap


def assert_identical(a: dict, b: dict):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.ndarray | tuple):
            left = a[key] if isinstance(a[key], tuple) else (a[key],)
            right = b[key] if isinstance(b[key], tuple) else (b[key],)
            assert len(left) == len(right), key
            for u, v in zip(left, right, strict=True):
                assert u.dtype == v.dtype and np.array_equal(u, v), key
        else:
            assert a[key] == b[key], key


def test_initial_state():
    t = Trainer(X, Y, XT, YT)
    assert (t.step_count, t.epoch, t.status, t.stop_reason, t.has_test) == (
        0,
        0.0,
        Status.READY,
        "",
        True,
    )
    h = t.history
    assert len(h) == 1
    assert h.step.tolist() == [0]
    np.testing.assert_array_equal(t.theta, np.zeros(D + 1))
    # At theta = 0 every probability is 1/2, so the cross-entropy is log 2.
    assert h.train_loss[0] == pytest.approx(np.log(2.0), rel=1e-15)
    assert h.test_loss[0] == pytest.approx(np.log(2.0), rel=1e-15)
    np.testing.assert_allclose(t.grad, ref_logistic(np.zeros(D + 1), X, Y)[1], rtol=1e-13)


def test_full_batch_gd_is_the_textbook_update():
    t = Trainer(X, Y, XT, YT, config(lr=0.5))
    t.run(6)
    h = t.history
    theta = np.zeros(D + 1)
    for k in range(7):
        loss, grad, acc = ref_logistic(theta, X, Y)
        test_loss, _, test_acc = ref_logistic(theta, XT, YT)
        np.testing.assert_allclose(h.theta[k], theta, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(h.grad[k], grad, rtol=1e-10, atol=1e-15)
        assert h.train_loss[k] == pytest.approx(loss, rel=1e-12)
        assert h.test_loss[k] == pytest.approx(test_loss, rel=1e-12)
        assert (h.train_acc[k], h.test_acc[k]) == (acc, test_acc)
        theta = theta - 0.5 * grad
    assert h.epoch.tolist() == list(range(7)) == h.step.tolist()
    assert h.lr.tolist() == [0.5] * 7
    assert t.epoch == 6.0


def test_set_lr_takes_effect_on_the_next_step():
    t = Trainer(X, Y, config=config(lr=0.5))
    t.run(2)
    theta2 = t.theta
    t.set_lr(0.05)
    assert t.lr == 0.05 and t.config.lr == 0.05
    assert t.history.lr.tolist() == [0.5, 0.5, 0.5]
    t.step()
    assert t.history.lr.tolist() == [0.5, 0.5, 0.5, 0.05]
    expected = theta2 - 0.05 * ref_logistic(theta2, X, Y)[1]
    np.testing.assert_allclose(t.theta, expected, rtol=1e-12)
    with pytest.raises(ValueError, match="learning rate"):
        t.set_lr(0.0)


@pytest.mark.parametrize("batch_size", [None, 32])
@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_step_back_is_exact_and_replay_repeats_the_run(name, batch_size):
    cfg = config(
        optimizer=name, lr=STABLE_LR[name], batch_size=batch_size, init="random", seed=7, l2=0.01
    )
    t = Trainer(X, Y, XT, YT, cfg)
    snaps = [snapshot(t)]
    for _ in range(30):
        t.step()
        snaps.append(snapshot(t))
    assert t.status is Status.READY
    for k in range(30, 10, -1):
        assert t.step_back()
        assert_identical(snapshot(t), snaps[k - 1])
    for k in range(11, 31):  # replay: same batches, same numbers
        t.step()
        assert_identical(snapshot(t), snaps[k])
    for _ in range(30):
        assert t.step_back()
    assert_identical(snapshot(t), snaps[0])
    assert not t.step_back()


def test_lr_changed_after_step_back_applies_to_the_replayed_step():
    t = Trainer(X, Y, config=config(lr=0.5))
    t.run(3)
    t.step_back()
    theta2 = t.theta
    t.set_lr(0.1)
    t.step()
    np.testing.assert_allclose(t.theta, theta2 - 0.1 * ref_logistic(theta2, X, Y)[1], rtol=1e-12)
    assert t.history.lr.tolist() == [0.5, 0.5, 0.5, 0.1]


def epoch_permutation(seed, epoch):
    return np.random.default_rng([seed, epoch]).permutation(N)


def test_batch_indices_follow_the_documented_rule():
    np.testing.assert_array_equal(batch_indices(N, None, 0, 5), np.arange(N))
    np.testing.assert_array_equal(batch_indices(N, N, 0, 5), np.arange(N))
    batches = [batch_indices(N, 32, 3, step) for step in range(8)]
    assert [len(b) for b in batches] == [32, 32, 32, 24] * 2  # 4 batches per epoch, last short
    for epoch in range(2):
        np.testing.assert_array_equal(
            np.concatenate(batches[4 * epoch : 4 * epoch + 4]), epoch_permutation(3, epoch)
        )
    assert not np.array_equal(np.concatenate(batches[:4]), np.concatenate(batches[4:]))
    np.testing.assert_array_equal(batch_indices(N, 32, 3, 6), batches[6])


def test_mini_batch_steps_use_their_batches_and_count_epochs_by_samples():
    t = Trainer(X, Y, config=config(lr=0.3, batch_size=32, seed=5))
    theta = np.zeros(D + 1)
    for k in range(1, 10):
        t.step()
        epoch, j = divmod(k - 1, 4)
        idx = epoch_permutation(5, epoch)[32 * j : 32 * (j + 1)]
        np.testing.assert_array_equal(t.batch_for_step(k), idx)
        theta = theta - 0.3 * ref_logistic(theta, X[idx], Y[idx])[1]
        np.testing.assert_allclose(t.theta, theta, rtol=1e-12, atol=1e-15)
        # The full-set gradient, not the batch one, is recorded.
        np.testing.assert_allclose(t.grad, ref_logistic(theta, X, Y)[1], rtol=1e-10, atol=1e-15)
    seen = [0, 32, 64, 96, 120, 152, 184, 216, 240, 272]
    np.testing.assert_array_equal(t.history.epoch, np.array(seen) / N)
    assert t.history.epoch[4] == 1.0 and t.history.epoch[8] == 2.0
    assert len(t.batch_for_step(0)) == 0


def test_epoch_is_steps_times_batch_over_n_when_the_batch_divides_n():
    t = Trainer(X, Y, config=config(batch_size=30))
    t.run(9)
    np.testing.assert_array_equal(t.history.epoch, np.arange(10) * 30 / N)


def test_huge_learning_rate_diverges_without_taking_the_step():
    t = Trainer(X, Y, XT, YT, config(lr=1e9))
    before = snapshot(t)
    assert t.step() is Status.DIVERGED
    assert t.status is Status.DIVERGED
    reason = t.stop_reason
    assert re.search(r"\bstep 1\b", reason)
    assert "learning rate 1e+09" in reason
    assert "too large" in reason
    after = snapshot(t)
    for key in ("theta", "grad", "state", "train_loss", "step_count"):
        assert_identical({key: after[key]}, {key: before[key]})
    assert t.step() is Status.DIVERGED and t.step_count == 0  # stays stopped
    assert t.step_back()
    assert t.status is Status.READY and t.stop_reason == ""
    np.testing.assert_array_equal(t.theta, before["theta"])
    assert not t.step_back()


def test_exploding_linear_model_stops_before_the_loss_runs_away():
    t = Trainer(X, Y, XT, YT, config(model="linear", lr=5.0))
    assert t.run(10_000) is Status.DIVERGED
    k = t.step_count
    assert k > 1
    h = t.history
    assert len(h) == k + 1
    for field in (
        "train_loss",
        "test_loss",
        "train_acc",
        "test_acc",
        "theta",
        "grad",
        "lr",
        "epoch",
    ):
        assert np.isfinite(getattr(h, field)).all(), field
    assert h.train_loss.max() <= 1e6 * max(1.0, h.train_loss[0])
    assert h.train_loss[-1] > h.train_loss[1]  # it was getting worse
    np.testing.assert_array_equal(t.theta, h.theta[-1])
    assert f"step {k + 1}" in t.stop_reason and "learning rate 5" in t.stop_reason
    assert "too large" in t.stop_reason


def test_overflowing_step_is_rejected_silently_and_can_be_retried():
    t = Trainer(X, Y, config=config(model="linear", lr=1e300))
    assert t.step() is Status.DIVERGED  # loss overflows to inf: no warning, no commit
    assert "non-finite" in t.stop_reason
    assert len(t.history) == 1
    t.set_lr(0.1)
    t.clear_stop()
    assert t.step() is Status.READY
    assert t.step_count == 1
    assert t.step_back() and t.step_count == 0
    assert not t.step_back()  # clear_stop dropped the rejected step


def test_max_epochs_stops_and_can_be_cleared():
    t = Trainer(X, Y, config=TrainConfig(lr=0.5, max_epochs=5))
    assert t.run(100) is Status.MAX_EPOCHS
    assert t.step_count == 5
    assert t.stop_reason == "Reached the maximum of 5 epochs."
    assert t.step() is Status.MAX_EPOCHS and t.step_count == 5
    assert t.step_back() and t.status is Status.READY and t.step_count == 4
    t.step()
    assert t.status is Status.MAX_EPOCHS
    t.clear_stop()
    assert t.step() is Status.READY and t.step_count == 6

    t = Trainer(X, Y, config=TrainConfig(batch_size=32, max_epochs=2))
    assert t.run(100) is Status.MAX_EPOCHS
    assert (t.step_count, t.epoch) == (8, 2.0)
    assert t.stop_reason == "Reached the maximum of 2 epochs."


def test_tolerance_stops_at_the_first_small_gradient():
    tol = 1e-3
    t = Trainer(X, Y, config=config(lr=2.0, tol=tol))
    assert t.run(100_000) is Status.CONVERGED
    h = t.history
    largest = np.abs(ref_logistic(h.theta[-1], X, Y)[1]).max()
    assert largest < tol
    assert np.abs(ref_logistic(h.theta[-2], X, Y)[1]).max() >= tol
    match = re.fullmatch(
        r"Converged: largest gradient entry (\S+) < tolerance 0\.001\.", t.stop_reason
    )
    assert match and float(match.group(1)) == pytest.approx(largest, rel=0.06)
    t.clear_stop()
    assert t.step() is Status.READY  # the tolerance rule stays off until reset

    assert Trainer(X, Y, config=config(tol=10.0)).status is Status.CONVERGED  # already at step 0


def test_reset_and_initialisation():
    t = Trainer(X, Y, config=config(lr=0.5))
    t.run(5)
    t.reset()
    assert (t.step_count, len(t.history), t.status) == (0, 1, Status.READY)
    np.testing.assert_array_equal(t.theta, np.zeros(D + 1))

    t.reset(config(optimizer="adam", init="random", seed=11))
    assert t.optimizer.name == "adam" and t.config.optimizer == "adam"
    np.testing.assert_array_equal(t.theta, np.random.default_rng(11).normal(0.0, 0.01, D + 1))

    theta0 = np.array([0.1, -0.2, 0.3, 0.4])
    t.reset(theta0=theta0)
    t.run(3)
    t.reset()
    np.testing.assert_array_equal(t.theta, theta0)
    with pytest.raises(ValueError, match="theta0"):
        t.reset(theta0=np.zeros(D))

    t.reset(config(fit_bias=False), theta0=theta0)
    assert t.theta[-1] == 0.0


def test_rejected_reset_changes_nothing():
    t = Trainer(X, Y, config=config(lr=0.5))
    t.run(3)
    before = snapshot(t)
    with pytest.raises(ValueError, match="non-finite"):
        t.reset(config(model="linear"), theta0=np.full(D + 1, 1e200))
    with pytest.raises(TypeError):
        t.reset({"lr": 1.0})
    assert_identical(snapshot(t), before)
    assert t.config == config(lr=0.5) and t.model.name == "logistic"


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_bias_stays_zero_without_bias(name):
    t = Trainer(
        X, Y, config=config(optimizer=name, lr=STABLE_LR[name], fit_bias=False, batch_size=50)
    )
    t.run(20)
    h = t.history
    assert np.all(h.theta[:, -1] == 0.0) and np.all(h.grad[:, -1] == 0.0)
    np.testing.assert_allclose(
        h.grad[-1], ref_logistic(h.theta[-1], X, Y, fit_bias=False)[1], rtol=1e-10, atol=1e-15
    )


def test_step_back_reaches_step_zero_from_a_long_run():
    t = Trainer(X, Y, config=config(lr=0.5), checkpoint_interval=16)
    t.run(100)
    for k in range(99, -1, -1):
        assert t.step_back() and t.step_count == k and len(t.history) == k + 1
    assert not t.step_back()
    np.testing.assert_array_equal(t.theta, np.zeros(D + 1))


def test_history_spans_checkpoints_and_is_read_only():
    steps = 3 * CHECKPOINT_INTERVAL + 5
    t = Trainer(X, Y, XT, YT, config(lr=1.0))
    t.run(steps)
    h = t.history
    assert len(h) == steps + 1
    theta = np.zeros(D + 1)
    for k in range(steps + 1):
        if k in (
            0,
            1,
            CHECKPOINT_INTERVAL - 1,
            CHECKPOINT_INTERVAL,
            2 * CHECKPOINT_INTERVAL + 1,
            steps,
        ):
            np.testing.assert_allclose(h.theta[k], theta, rtol=1e-9, atol=1e-12)
            loss, _, acc = ref_logistic(theta, XT, YT)
            assert h.test_loss[k] == pytest.approx(loss, rel=1e-9)
            assert h.test_acc[k] == acc
        theta = theta - 1.0 * ref_logistic(theta, X, Y)[1]
    with pytest.raises(ValueError):
        h.theta[0, 0] = 1.0
    with pytest.raises(ValueError):
        h.train_loss[0] = 1.0


def test_no_test_set():
    for t in (Trainer(X, Y), Trainer(X, Y, XT[:0], YT[:0])):
        t.run(2)
        assert not t.has_test
        assert t.history.test_loss is None and t.history.test_acc is None


@pytest.mark.parametrize(
    "fields",
    [
        {"model": "svm"},
        {"optimizer": "lbfgs"},
        {"lr": 0.0},
        {"lr": float("nan")},
        {"batch_size": 0},
        {"max_epochs": -1},
        {"tol": -1.0},
        {"seed": -3},
        {"init": "ones"},
        {"l2": -0.1},
        {"diverging_window": -1},
        {"diverging_window": 2.5},
        {"diverging_window": True},
    ],
)
def test_config_validation(fields):
    with pytest.raises(ValueError):
        TrainConfig(**fields)


def test_bad_data_is_rejected():
    with pytest.raises(ValueError, match="shape"):
        Trainer(X, Y[:-1])
    with pytest.raises(ValueError, match="missing"):
        Trainer(np.where(X > 0.9, np.nan, X), Y)
    with pytest.raises(ValueError, match="features"):
        Trainer(X, Y, XT[:, :2], YT)


def test_clear_start_lets_config_init_decide_the_next_reset():
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(30, 3)), (rng.random(30) > 0.5).astype(float)
    start = np.array([0.5, -0.25, 1.0, 0.125])
    trainer = Trainer(X, y, config=TrainConfig(), theta0=start)
    trainer.run(2)
    trainer.reset()
    np.testing.assert_array_equal(trainer.theta, start)  # the given start is kept
    trainer.clear_start()
    np.testing.assert_array_equal(trainer.theta, start)  # nothing moves before a reset
    trainer.reset()
    np.testing.assert_array_equal(trainer.theta, np.zeros(4))
    trainer.reset(TrainConfig(init="random", seed=3))
    expected = np.random.default_rng(3).normal(0.0, 0.01, 4)
    np.testing.assert_array_equal(trainer.theta, expected)


@pytest.mark.parametrize(
    "fields, theta0",
    [
        ({}, None),
        ({"init": "random", "seed": 5}, None),
        ({"init": "random", "seed": 5, "fit_bias": False}, None),
        ({}, [0.5, -0.25, 1.0, 0.125]),
        ({"fit_bias": False, "init": "random"}, [0.5, -0.25, 1.0, 0.125]),
    ],
)
def test_initial_theta_is_where_the_trainer_starts(fields, theta0):
    cfg = config(**fields)
    start = initial_theta(cfg, D, theta0)
    assert start.shape == (D + 1,) and start.dtype == np.float64
    np.testing.assert_array_equal(start, Trainer(X, Y, config=cfg, theta0=theta0).theta)
    if theta0 is not None:
        expected = np.array(theta0, dtype=float)
    elif cfg.init == "random":
        expected = np.random.default_rng(cfg.seed).normal(0.0, 0.01, D + 1)
    else:
        expected = np.zeros(D + 1)
    if not cfg.fit_bias:
        expected[-1] = 0.0
    np.testing.assert_array_equal(start, expected)


def test_initial_theta_copies_and_checks_a_given_start():
    given = np.array([0.5, -0.25, 1.0, 0.125])
    start = initial_theta(config(), D, given)
    start[0] = 9.0
    assert given[0] == 0.5
    with pytest.raises(ValueError, match="theta0 must be 4 finite numbers"):
        initial_theta(config(), D, np.zeros(D))
    with pytest.raises(ValueError, match="finite"):
        initial_theta(config(), D, [0.0, np.inf, 0.0, 0.0])
