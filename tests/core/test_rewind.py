"""Trainer.rewind: any earlier step, bit for bit, as if the run had stopped there."""

from __future__ import annotations

import numpy as np
import pytest

from gdapp.core.optimizers import OPTIMIZER_NAMES
from gdapp.core.trainer import Status, TrainConfig, Trainer


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(90, 4))
    y = (X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.3 * rng.normal(size=90) > 0).astype(float)
    return X, y


def run(X, y, config, steps, lr_at=None):
    """A fresh run of ``steps`` steps; ``lr_at`` = (step, lr) changes the rate before that step."""
    trainer = Trainer(X, y, config=config, checkpoint_interval=16)
    for k in range(steps):
        if lr_at is not None and k == lr_at[0]:
            trainer.set_lr(lr_at[1])
        trainer.step()
    return trainer


@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
def test_rewinding_equals_a_run_that_stopped_there(data, optimizer):
    X, y = data
    config = TrainConfig(optimizer=optimizer, lr=0.05, batch_size=16, seed=4)
    long = run(X, y, config, 120, lr_at=(40, 0.02))
    for target in (97, 64, 41, 40, 17, 3, 0):
        long.rewind(target)
        short = run(X, y, config, target, lr_at=(40, 0.02))
        assert long.step_count == target and long.status is Status.READY
        np.testing.assert_array_equal(long.theta, short.theta)
        np.testing.assert_array_equal(long.grad, short.grad)
        for mine, theirs in zip(long.opt_state, short.opt_state, strict=True):
            np.testing.assert_array_equal(mine, theirs)
        assert long.epoch == short.epoch
        np.testing.assert_array_equal(long.history.train_loss, short.history.train_loss)


def test_forward_again_repeats_the_same_steps_and_step_back_is_rewind_by_one(data):
    X, y = data
    config = TrainConfig(optimizer="adam", lr=0.05, batch_size=8, seed=1)
    trainer = run(X, y, config, 60)
    end = trainer.theta.copy()
    trainer.rewind(25)
    trainer.run(35)
    np.testing.assert_array_equal(trainer.theta, end)
    other = run(X, y, config, 60)
    assert trainer.step_back() and other.rewind(59)
    np.testing.assert_array_equal(trainer.theta, other.theta)
    with pytest.raises(ValueError, match="0..59"):
        trainer.rewind(60)
