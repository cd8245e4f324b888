"""What the training thread sends: ``Snapshot`` copies of a Trainer's state.

Snapshots are incremental: ``rows`` holds the history rows from ``first_row`` on, and a
receiver keeps its rows before ``first_row`` and replaces everything after with ``rows``
(after a step back ``first_row`` is the new last row, so receivers truncate). Everything
in a snapshot is a copy, safe to read on any thread. ``training_thread`` re-exports both
classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdapp.core.trainer import TrainConfig

ROW_KEYS = ("step", "epoch", "train_loss", "test_loss", "train_acc", "test_acc", "theta", "lr")


@dataclass(frozen=True)
class TrainingData:
    """The arrays a Trainer is built from; X is (n, d), y is (n,). Test arrays may be None."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None


@dataclass(frozen=True)
class Snapshot:
    """A copy of the trainer's state, safe to read on any thread.

    ``theta`` and ``grad`` are (d+1,) with the bias last; ``lr`` is the rate the next step
    will use. ``rows`` maps each of ``ROW_KEYS`` to the history rows from ``first_row`` on:
    ``theta`` rows are (k, d+1), ``lr`` holds the rate each step used, and ``test_loss`` and
    ``test_acc`` are None when the dataset has no test rows. ``generation`` counts the
    trainers the worker has built, so a snapshot from a replaced dataset can be told apart;
    ``commands_seen`` counts the commands the worker had received, so the sender can tell
    whether ``running`` already reflects its latest command. ``last_batch`` holds positions
    in the training rows (``dataset.train_idx[last_batch]`` are dataset rows).
    """

    step_count: int
    epoch: float
    status: str
    stop_reason: str
    theta: np.ndarray
    grad: np.ndarray
    lr: float
    config: TrainConfig
    first_row: int
    rows: dict[str, np.ndarray | None]
    steps_per_second: float
    last_batch: np.ndarray
    running: bool = False
    generation: int = 0
    commands_seen: int = 0

    @property
    def history_length(self) -> int:
        """Number of history rows the trainer holds (``first_row`` plus the rows sent)."""
        return self.first_row + len(self.rows["step"])
