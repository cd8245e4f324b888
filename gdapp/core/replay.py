"""Replaying a training run: the same data, settings and start give the same path again.

Conventions
-----------
- ``X`` is ``(n, d)``, ``y`` is ``(n,)`` with 0/1 entries; ``theta`` is ``(d + 1,)``, the
  weights then the bias LAST (see ``models.py``).
- A replay of ``k`` steps returns ``theta`` of shape ``(k + 1, d + 1)`` (row 0 the start,
  row ``s`` the parameters after update ``s``) and ``loss`` of shape ``(k + 1,)``, the
  training cost ``J(theta_s)`` on all of ``X``.

Maths
-----
The run is the Trainer's own (``trainer.py``): update ``s`` draws its mini-batch from
``(config.seed, s - 1)``, applies the optimizer with learning rate ``lr_s`` and commits
the step under the same stop rules. So a replay with the settings, start and learning-rate
changes of a run reproduces that run bit for bit.

Learning-rate changes are ``(s, lr)`` pairs: update ``s`` (1-based) and every later update
use ``lr`` until the next change; before the first change the rate is ``config.lr``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdapp.core.trainer import Status, TrainConfig, Trainer

__all__ = ["Replay", "replay"]


@dataclass(frozen=True, eq=False)
class Replay:
    """The path of a replayed run: ``theta`` (k+1, d+1), ``loss`` (k+1,), how it ended.

    ``status`` is a ``Status`` value: ``"ready"`` when all the steps asked for were taken,
    otherwise why the run stopped early (``stop_reason`` says it in words).
    """

    theta: NDArray[np.float64]
    loss: NDArray[np.float64]
    status: str
    stop_reason: str

    @property
    def steps(self) -> int:
        """Number of updates taken (``len(theta) - 1``)."""
        return int(self.theta.shape[0]) - 1


def _lr_schedule(changes: Iterable[tuple[int, float]]) -> dict[int, float]:
    schedule: dict[int, float] = {}
    for step, lr in changes:
        if isinstance(step, bool) or int(step) != step or step < 1:
            raise ValueError(f"A learning-rate change needs a step >= 1, got {step!r}.")
        rate = float(lr)
        if not (math.isfinite(rate) and rate > 0.0):
            raise ValueError(f"The learning rate must be a finite number > 0, got {lr!r}.")
        schedule[int(step)] = rate
    return schedule


def replay(
    X: ArrayLike,
    y: ArrayLike,
    config: TrainConfig,
    theta0: ArrayLike | None,
    steps: int,
    lr_changes: Iterable[tuple[int, float]] = (),
    progress: Callable[[int], None] | None = None,
) -> Replay:
    """Run ``steps`` updates of ``config`` on ``(X, y)`` from ``theta0`` and return the path.

    ``theta0`` None starts where a new Trainer with ``config`` starts (``config.init``).
    The run ends early when the Trainer stops (divergence, convergence, ``max_epochs``).
    ``progress(s)`` is called after update ``s``; an exception it raises ends the replay
    and propagates, which is how a caller on another thread abandons one.
    """
    if isinstance(steps, bool) or int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}.")
    schedule = _lr_schedule(lr_changes)
    trainer = Trainer(X, y, config=config, theta0=theta0)
    for step in range(1, int(steps) + 1):
        if trainer.status is not Status.READY:
            break
        if step in schedule:
            trainer.set_lr(schedule[step])
        trainer.step()
        if progress is not None and trainer.step_count == step:  # the step was committed
            progress(step)
    history = trainer.history
    return Replay(
        theta=np.array(history.theta, dtype=np.float64),
        loss=np.array(history.train_loss, dtype=np.float64),
        status=str(trainer.status.value),
        stop_reason=trainer.stop_reason,
    )
