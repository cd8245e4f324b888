"""What the landscape panel shows, as plain records: the state a view model sets, the runs.

``LandscapeState(mode, params, overlays)`` is the panel's state as ``set_state`` takes it
and ``state()`` returns it; ``OverlayRun`` is one extra run drawn over the contour. The
checks raise ValueError with the reason, so a bad state changes nothing.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph binds to it

from gdapp.core.optimizers import OPTIMIZER_NAMES, run_label

MODES = ("slice", "contour")
OVERLAY_STEPS = 300  # steps an overlaid run takes unless told otherwise
OVERLAY_COLORS = ("#ff9f1c", "#2ec4f0", "#ff4fa3", "#9be564", "#c792ea", "#ffd23f")


class LandscapeState(NamedTuple):
    """What the panel shows: ``mode`` ("slice" | "contour"), the parameter indices on its
    axes (``(i,)`` or ``(i, j)``, bias = d) and the overlaid runs as (optimizer, lr)."""

    mode: str
    params: tuple[int, ...]
    overlays: tuple[tuple[str, float], ...]


@dataclasses.dataclass(eq=False)
class OverlayRun:
    """An extra descent run drawn over the contour: its settings and (k+1, d+1) path.

    ``status`` is "computing" until the replay arrives, then how it ended ("ready" when
    it took all its steps, else "diverged" or "converged"), or "failed".
    """

    optimizer: str
    lr: float
    steps: int
    item: pg.PlotDataItem
    color: str
    key: int
    path: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 0)))
    loss: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    status: str = "computing"
    generation: int = 0
    start: np.ndarray | None = None  # where the replay asked for last starts
    waiting: bool = False  # replay asked for while the panel was hidden
    announce: bool = False  # say in the read-out how it ended

    @property
    def label(self) -> str:
        return run_label(self.optimizer, self.lr)


def check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown landscape mode {mode!r}; expected one of {MODES}")


def check_params(chosen: Sequence[int], count: int) -> None:
    """Indices into theta, 0..count-1 (no check before a dataset gives ``count``)."""
    if not chosen or any(not 0 <= p < max(count, 1) for p in chosen) and count:
        raise ValueError(f"parameter indices {list(chosen)} out of range 0..{count - 1}")


def check_run(optimizer: str, lr: float) -> None:
    if optimizer not in OPTIMIZER_NAMES:
        raise ValueError(f"unknown optimizer {optimizer!r}; expected one of {OPTIMIZER_NAMES}")
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"the learning rate of a run must be a number > 0, got {lr!r}")
