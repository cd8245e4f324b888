"""Growing, bounded buffers for the training curves.

``HistoryBuffer`` keeps one contiguous float64 column per plotted quantity (so each curve's
``setData`` gets a contiguous view without copying). Capacity doubles when full, as in
pyqtgraph's scrollingPlots example. To keep memory bounded on a run of a million epochs,
once a buffer holds ``MAX_POINTS`` points it drops every second point and from then on keeps
only every ``stride``-th history row (``stride`` doubles at each such halving). The newest
row is always shown, in a spare slot past the stored points, so the curves end where the
trainer is even between kept rows.

Rows arrive as in ``Snapshot``: ``apply(first_row, rows)`` keeps the points for history
rows before ``first_row`` and replaces the rest with ``rows``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

MAX_POINTS = 2**16  # points kept per curve before halving (512 kB per column)
INITIAL_CAPACITY = 1024  # points
SCALAR_COLUMNS = ("epoch", "train_loss", "test_loss", "train_acc", "test_acc")


class HistoryBuffer:
    """Plot data for ``n_params`` parameters (weights then bias) and the scalar columns.

    Accuracy is stored in percent. Test columns stay empty when ``has_test`` is False.
    """

    def __init__(self, n_params: int, has_test: bool, max_points: int = MAX_POINTS) -> None:
        if max_points < 4 or max_points % 2:
            raise ValueError(f"max_points must be an even number >= 4, not {max_points}")
        self.n_params = n_params
        self.has_test = has_test
        self.max_points = max_points
        self._n_cols = len(SCALAR_COLUMNS) + n_params
        self._capacity = min(INITIAL_CAPACITY, max_points)
        self._data = np.zeros((self._n_cols, self._capacity + 1))
        self._rows = np.zeros(self._capacity + 1, dtype=np.int64)
        self._n = 0  # stored points
        self._shown = 0  # stored points plus the newest row when it is not stored
        self.stride = 1  # history rows per stored point

    def __len__(self) -> int:
        """Number of points a curve shows."""
        return self._shown

    @property
    def capacity(self) -> int:
        """Points the buffer can hold before it grows (it doubles, up to ``max_points``)."""
        return self._capacity

    @property
    def last_row(self) -> int:
        """History row of the newest point (-1 when empty)."""
        return int(self._rows[self._shown - 1]) if self._shown else -1

    def clear(self) -> None:
        self._n = self._shown = 0
        self.stride = 1

    def column(self, name: str) -> np.ndarray:
        """A read-only view of one scalar column (``SCALAR_COLUMNS``), ``len(self)`` long."""
        return self._view(SCALAR_COLUMNS.index(name))

    def param(self, index: int) -> np.ndarray:
        """A read-only view of parameter ``index`` (the bias is ``n_params - 1``)."""
        if not 0 <= index < self.n_params:
            raise IndexError(f"parameter {index} out of range 0..{self.n_params - 1}")
        return self._view(len(SCALAR_COLUMNS) + index)

    def rows(self) -> np.ndarray:
        """History row index of every shown point."""
        view = self._rows[: self._shown]
        view.flags.writeable = False
        return view

    def apply(self, first_row: int, rows: Mapping[str, np.ndarray | None]) -> None:
        """Keep points before ``first_row``, then add ``rows`` (Snapshot.rows layout)."""
        if first_row <= 0:
            self.clear()
        else:
            self._n = int(np.searchsorted(self._rows[: self._n], first_row))
        self._shown = self._n
        count = len(rows["epoch"])
        if count == 0:
            return
        block = np.empty((self._n_cols, count))
        block[0] = rows["epoch"]
        block[1] = rows["train_loss"]
        block[3] = np.asarray(rows["train_acc"]) * 100.0
        if self.has_test and rows.get("test_loss") is not None:
            block[2] = rows["test_loss"]
            block[4] = np.asarray(rows["test_acc"]) * 100.0
        else:
            block[2] = block[4] = 0.0
        block[len(SCALAR_COLUMNS) :] = np.asarray(rows["theta"]).T
        row_ids = first_row + np.arange(count, dtype=np.int64)
        self._append(row_ids, block)
        last = row_ids[-1]
        if self._n == 0 or self._rows[self._n - 1] != last:
            # The newest row is off-stride: show it in the spare slot without storing it.
            self._data[:, self._n] = block[:, -1]
            self._rows[self._n] = last
            self._shown = self._n + 1
        else:
            self._shown = self._n

    def _append(self, row_ids: np.ndarray, block: np.ndarray) -> None:
        start = 0
        while start < len(row_ids):
            keep = np.flatnonzero(row_ids[start:] % self.stride == 0) + start
            if len(keep) == 0:
                return
            space = self.max_points - self._n
            take = keep[:space]
            self._reserve(self._n + len(take))
            end = self._n + len(take)
            self._data[:, self._n : end] = block[:, take]
            self._rows[self._n : end] = row_ids[take]
            self._n = end
            start = int(take[-1]) + 1
            if self._n == self.max_points:
                self._halve()

    def _reserve(self, needed: int) -> None:
        if needed <= self._capacity:
            return
        capacity = self._capacity
        while capacity < needed:
            capacity *= 2
        capacity = min(capacity, self.max_points)
        data = np.zeros((self._n_cols, capacity + 1))
        data[:, : self._n] = self._data[:, : self._n]
        rows = np.zeros(capacity + 1, dtype=np.int64)
        rows[: self._n] = self._rows[: self._n]
        self._data, self._rows, self._capacity = data, rows, capacity

    def _halve(self) -> None:
        """Keep every second stored point; later rows are kept at the doubled stride."""
        half = self._n // 2
        self._data[:, :half] = self._data[:, : self._n : 2]
        self._rows[:half] = self._rows[: self._n : 2]
        self._n = half
        self.stride *= 2

    def _view(self, col: int) -> np.ndarray:
        view = self._data[col, : self._shown]
        view.flags.writeable = False
        return view
