"""Made-up history rows and the snapshot that carries them, for the history and plots tests.

Row ``k`` encodes its own number, so a test can tell from any value which row it came from.
"""

from __future__ import annotations

import numpy as np

from gdapp.core.trainer import TrainConfig
from gdapp.ui.training_thread import Snapshot

N_PARAMS = 9  # the diabetes presets: eight weights and the bias


def synthetic_rows(first: int, stop: int, n_params: int = N_PARAMS, test: bool = True) -> dict:
    """History rows first..stop-1 whose values encode their row number."""
    step = np.arange(first, stop)
    value = step.astype(float)
    return {
        "step": step,
        "epoch": value,
        "train_loss": 1.0 / (1.0 + value),
        "test_loss": 2.0 / (1.0 + value) if test else None,
        "train_acc": np.full(len(step), 0.5),
        "test_acc": np.full(len(step), 0.25) if test else None,
        "theta": np.outer(value, np.arange(1, n_params + 1)),
        "lr": np.full(len(step), 0.1),
    }


def rows_snapshot(
    first: int,
    block: dict,
    *,
    theta: np.ndarray | None = None,
    epoch: float | None = None,
    last_batch: np.ndarray | None = None,
    running: bool = False,
    generation: int = 0,
) -> Snapshot:
    """A snapshot carrying ``block`` as rows ``first``..; theta defaults to the last row's."""
    stop = first + len(block["step"])
    n_params = block["theta"].shape[1]
    return Snapshot(
        step_count=stop - 1,
        epoch=float(stop - 1) if epoch is None else epoch,
        status="ready",
        stop_reason="",
        theta=block["theta"][-1].copy() if theta is None else theta,
        grad=np.zeros(n_params),
        lr=0.1,
        config=TrainConfig(),
        first_row=first,
        rows=block,
        steps_per_second=0.0,
        last_batch=np.arange(0) if last_batch is None else last_batch,
        running=running,
        generation=generation,
    )
