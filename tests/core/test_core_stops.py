"""The diverging rule: what it counts, where the trainer applies it, and how it is tuned.

The reference for "diverging" is computed here from the recorded losses of a run with the
rule off: a step is high when its loss exceeds 1.25 times the starting loss, and the run
is diverging at the first step where 15 of the last 20 steps (or three quarters of an
epoch's worth, for small batches) were high.
"""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from gdapp.core.optimizers import OPTIMIZER_NAMES
from gdapp.core.stops import (
    DIVERGING_MARGIN,
    DIVERGING_SHARE,
    DIVERGING_WINDOW,
    DivergenceWatch,
)
from gdapp.core.trainer import Status, TrainConfig, Trainer
from gdapp.datasets import load_preset

DEFAULT_LR = TrainConfig().lr


@pytest.fixture(scope="module")
def presets():
    return {
        "diabetes": load_preset("diabetes"),
        "imputed": load_preset("diabetes", impute_zeros=True),
        "post": load_preset("diabetes-post"),
    }


def train(data, steps: int | None = None, **fields) -> Trainer:
    trainer = Trainer(data.X_train, data.y_train, data.X_test, data.y_test, TrainConfig(**fields))
    if steps is None:
        while trainer.run(5000) is Status.READY:
            pass
    else:
        trainer.run(steps)
    return trainer


def first_diverging_step(losses: np.ndarray, window: int) -> int | None:
    """The reference rule on a finished run's losses (row 0 the start)."""
    if len(losses) <= window:
        return None
    high = sliding_window_view(losses[1:], window) > 1.25 * losses[0]
    hits = np.flatnonzero(high.sum(axis=1) >= math.ceil(0.75 * window))
    return None if hits.size == 0 else int(hits[0]) + window


def window_for(data, batch_size: int | None) -> int:
    n = len(data.y_train)
    return 20 if batch_size is None else max(20, -(-n // batch_size))


# -- the watch on its own ---------------------------------------------------------------------
def test_the_documented_numbers():
    assert (DIVERGING_WINDOW, DIVERGING_MARGIN, DIVERGING_SHARE) == (20, 0.25, 0.75)
    assert TrainConfig().diverging_window == DIVERGING_WINDOW


def test_watch_counts_high_steps_in_a_sliding_window():
    watch = DivergenceWatch(2.0, 4)  # high: above 2.5; diverging: 3 of the last 4
    assert watch.limit == 2.5 and watch.needed == 3
    seen = [watch.observe(v) for v in (3.0, 3.0, 3.0)]
    assert seen == [False, False, False]  # three high, but the window is not full yet
    assert watch.observe(1.0) is True and watch.high_steps == 3  # 3 of 4
    assert watch.observe(2.5) is False and watch.high_steps == 2  # 2.5 is not above 2.5
    assert watch.observe(9.0) is False and watch.high_steps == 2  # 3, 1, 2.5, 9
    assert watch.observe(9.0) is False and watch.high_steps == 2  # 1, 2.5, 9, 9
    assert watch.observe(9.0) is True and watch.high_steps == 3  # 2.5, 9, 9, 9
    watch.refill([1.0, 9.0, 9.0, 9.0])
    assert watch.high_steps == 3
    watch.refill(())
    assert watch.high_steps == 0 and not watch.observe(9.0)


def test_a_window_of_zero_never_fires():
    watch = DivergenceWatch(0.5, 0)
    assert not any(watch.observe(1e9) for _ in range(100))
    with pytest.raises(ValueError, match="window"):
        DivergenceWatch(0.5, -1)


def test_the_reason_says_what_happened_in_words():
    watch = DivergenceWatch(0.6931, 4)
    for v in (5.0, 48.2, 0.1, 30.0):
        watch.observe(v)
    text = watch.reason(30.0, 100.0)
    assert text.startswith("Diverging: at 3 of the last 4 steps the loss was more than 25 %")
    assert "(0.693 → 30)" in text and "learning rate 100" in text and "too large" in text
    watch.refill([5.0, 48.2, 30.0, 12.0])
    assert "for the last 4 steps the loss stayed more than 25 %" in watch.reason(12.0, 1.0)


# -- ordinary runs are never stopped ----------------------------------------------------------
@pytest.mark.parametrize("model", ["logistic", "linear"])
@pytest.mark.parametrize("batch_size", [None, 16, 64])
def test_no_optimizer_at_its_default_rate_is_stopped_as_diverging(presets, model, batch_size):
    # benchmarks/diverging_rule.py runs a wider grid (batches of 1 to 128, longer runs).
    epochs = 300 if batch_size is None else 10
    for (name, data), optimizer, seed in itertools.product(
        presets.items(), OPTIMIZER_NAMES, (0, 1) if batch_size else (0,)
    ):
        run = train(
            data,
            model=model,
            optimizer=optimizer,
            lr=DEFAULT_LR,
            batch_size=batch_size,
            max_epochs=epochs,
            seed=seed,
        )
        what = f"{name} {model} {optimizer} batch {batch_size} seed {seed}"
        assert run.status is Status.MAX_EPOCHS, f"{what}: {run.stop_reason}"
        losses = np.asarray(run.history.train_loss)
        assert first_diverging_step(losses, window_for(data, batch_size)) is None, what


@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
def test_single_row_batches_at_the_default_rate_are_not_stopped(presets, optimizer):
    # One row per step lifts the full-data loss for dozens of steps at a time; the window
    # of a whole epoch (614 steps) keeps that noise from reading as divergence.
    data = presets["diabetes"]
    run = train(data, optimizer=optimizer, lr=DEFAULT_LR, batch_size=1, max_epochs=2)
    assert run.status is Status.MAX_EPOCHS, run.stop_reason
    losses = np.asarray(run.history.train_loss)
    if optimizer == "momentum":
        assert np.max(losses) > 1.25 * losses[0]  # it does go high now and then
    assert first_diverging_step(losses, len(data.y_train)) is None


# -- a hundred times the default --------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [None, 32])
@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
def test_a_hundred_times_the_default_rate(presets, optimizer, batch_size):
    data = presets["diabetes"]
    lr = 100 * DEFAULT_LR
    free = train(data, 1000, optimizer=optimizer, lr=lr, batch_size=batch_size, diverging_window=0)
    losses = np.asarray(free.history.train_loss)
    expected = first_diverging_step(losses, window_for(data, batch_size))
    run = train(data, optimizer=optimizer, lr=lr, batch_size=batch_size)

    if optimizer == "adagrad" and batch_size is None:
        # AdaGrad divides each step by the root of the summed squared gradients, so after
        # its first wild steps (J reaches 17 times its start) the steps shrink and it comes
        # back down: it converges, and it is not stopped.
        assert expected is None and run.status is Status.MAX_EPOCHS
        assert losses.max() > 10 * losses[0] and losses[-1] < 0.49
        return
    # Every other optimizer thrashes far above its start: gradient descent, momentum and
    # Nesterov overshoot the valley; RMSProp and Adam take steps of about lr = 10 in every
    # parameter, on features scaled to [-1, 1].
    assert expected is not None and expected <= 200
    assert run.status is Status.DIVERGING and run.step_count == expected
    window = losses[expected - 19 : expected + 1]
    assert np.count_nonzero(window > 1.25 * losses[0]) >= 15
    np.testing.assert_array_equal(run.history.train_loss, losses[: expected + 1])
    assert run.stop_reason.startswith("Diverging: ") and "learning rate 10" in run.stop_reason


@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
def test_the_linear_model_at_a_hundred_times_the_default(presets, optimizer):
    # The squared error grows with the square of the weights: plain, momentum and Nesterov
    # steps blow it up at once and the hard rule refuses the step; the adaptive optimizers
    # bound their steps by lr and the diverging rule decides.
    data = presets["diabetes"]
    run = train(data, model="linear", optimizer=optimizer, lr=100 * DEFAULT_LR)
    free = train(data, 1000, model="linear", optimizer=optimizer, lr=10.0, diverging_window=0)
    if optimizer in ("gd", "momentum", "nesterov"):
        assert run.status is Status.DIVERGED and run.step_count <= 1
        assert free.status is Status.DIVERGED
        return
    expected = first_diverging_step(np.asarray(free.history.train_loss), 20)
    if expected is None:
        assert optimizer == "adagrad" and run.status is Status.MAX_EPOCHS
    else:
        assert run.status is Status.DIVERGING and run.step_count == expected


# -- the cases that used to go unreported -----------------------------------------------------
@pytest.mark.parametrize("lr, before", [(1e6, "Reached the maximum"), (100.0, ""), (50.0, "")])
def test_huge_rates_on_the_logistic_model_stop_as_diverging(presets, lr, before):
    data = presets["diabetes"]
    free = train(data, diverging_window=0, lr=lr)
    assert free.status is Status.MAX_EPOCHS  # what happened before the rule existed
    assert free.history.train_loss[1:].min() > 1.25 * math.log(2)
    run = train(data, lr=lr)
    assert run.status is Status.DIVERGING and run.step_count == 20
    loss = run.history.train_loss[-1]
    match = re.fullmatch(
        r"Diverging: for the last 20 steps the loss stayed more than 25 % above where it "
        r"started \(0\.693 → (\S+)\)\. With learning rate (\S+) .*",
        run.stop_reason,
    )
    assert match and float(match.group(1)) == pytest.approx(loss, rel=5e-3)
    assert float(match.group(2)) == lr


def test_the_stopped_step_is_kept_and_step_back_replays_the_stop(presets):
    data = presets["diabetes"]
    run = train(data, lr=100.0)
    assert run.status is Status.DIVERGING and len(run.history) == 21  # step 20 was taken
    reason, theta = run.stop_reason, run.theta
    assert run.step_back() and run.status is Status.READY and run.step_count == 19
    assert run.step() is Status.DIVERGING and run.step_count == 20
    assert run.stop_reason == reason
    np.testing.assert_array_equal(run.theta, theta)
    for _ in range(5):
        run.step_back()
    assert run.run(100) is Status.DIVERGING and run.step_count == 20


def test_continuing_after_the_stop_turns_the_rule_off_until_reset(presets):
    data = presets["diabetes"]
    run = train(data, lr=100.0, max_epochs=200)
    assert run.status is Status.DIVERGING
    run.clear_stop()
    assert run.run(1000) is Status.MAX_EPOCHS and run.step_count == 200
    run.reset()
    assert run.run(1000) is Status.DIVERGING and run.step_count == 20


def test_the_window_spans_at_least_an_epoch_of_mini_batches(presets):
    data = presets["diabetes"]
    n = len(data.y_train)
    run = train(data, lr=100.0, batch_size=8)
    per_epoch = -(-n // 8)
    assert per_epoch == 77
    assert run.status is Status.DIVERGING and run.step_count >= per_epoch
    losses = np.asarray(run.history.train_loss)
    assert first_diverging_step(losses, per_epoch) == run.step_count
    assert re.search(rf"\b(for|of) the last {per_epoch} steps", run.stop_reason)


def test_a_start_at_the_bottom_of_the_valley_is_not_called_diverging(presets):
    # Mini-batch noise keeps the loss above a start at the optimum at nearly every step;
    # the 25 % margin is what keeps that from reading as divergence.
    data = presets["diabetes"]
    bottom = train(data, lr=2.0, tol=1e-6).theta
    run = Trainer(
        data.X_train, data.y_train, config=TrainConfig(batch_size=32, max_epochs=50), theta0=bottom
    )
    assert run.run(10_000) is Status.MAX_EPOCHS
    losses = np.asarray(run.history.train_loss)
    assert np.mean(losses[1:] > losses[0]) > 0.9
    assert losses.max() < 1.25 * losses[0]
