"""The window's one copy of the training history, bounded whatever the run length.

``SessionHistory`` keeps the rows the snapshots report (see ``snapshot.py``: ``rows`` from
``first_row``; rows before ``first_row`` are kept, the rest replaced, so a step back truncates).
Row ``k`` is the state after step ``k``; ``total_rows`` is the trainer's history length.

What is held, for ``R = recent_rows`` and a stride ``s`` that doubles as the run grows:

- the whole run downsampled: every row whose index is a multiple of ``s`` (row 0 always), at
  most ``max_points`` of them; when they reach that number every second one is dropped and
  ``s`` doubles (the stride-halving of pyqtgraph's scrollingPlots, kept bounded);
- the most recent stretch in full detail: every row from ``detail_start`` on, between ``R``
  and ``2 R`` rows (the older half is thinned to the stride only every ``R`` rows, so
  appending costs O(1) per row). A deep step back can leave fewer (the rows in between
  were not kept).

Both live in one buffer, in row order, so ``column(name)`` is one contiguous read-only view
that a curve's ``setData`` takes without a copy; ``theta`` is stored a row at a time, so a
wide row is one copy in and ``param(i)`` is a strided view. Columns: ``step``, ``epoch``,
``train_loss``, ``test_loss``, ``train_acc``, ``test_acc``, ``lr`` (``TEST_COLUMNS`` are NaN
when the dataset has no test rows; accuracies are fractions), and ``theta`` ((points, d+1),
bias last).

Memory: a row costs ``8 * (len(COLUMNS) + 1 + d + 1)`` bytes (the columns, the row index and
theta). The buffer holds ``max_points + 2 R`` rows, fewer when that would exceed
``budget_bytes`` (``HISTORY_BUDGET_BYTES`` = 32 MiB): the diabetes data (d = 8) holds 73,728
rows in 10 MB for any run length, a 10,000-column table 418 rows in 32 MiB.

The views share memory with the buffer: the next ``apply`` may move the rows under them, so
a reader takes them again after each change (``version`` counts changes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from gdapp.ui.snapshot import Snapshot

COLUMNS = ("step", "epoch", "train_loss", "test_loss", "train_acc", "test_acc", "lr")
TEST_COLUMNS = ("test_loss", "test_acc")
MAX_POINTS = 2**16  # rows of the downsampled whole run (512 kB per column)
RECENT_ROWS = 4096  # rows kept in full detail at least (up to twice as many)
HISTORY_BUDGET_BYTES = 32 * 2**20  # the buffer's limit whatever the column count
MIN_CAPACITY = 16  # rows held even when one row exceeds the budget
INITIAL_CAPACITY = 1024  # rows allocated at first; doubled when full
MAX_HELD_ROWS = MAX_POINTS + 2 * RECENT_ROWS  # most points a column view can have


class SessionHistory:
    """The trainer's history as the snapshots report it, downsampled plus a full recent stretch.

    ``request_full`` is called (once until a snapshot can be applied again) when a snapshot's
    ``first_row`` lies beyond the rows held, so the sender can resend the whole history.
    """

    def __init__(
        self,
        request_full: Callable[[], None] | None = None,
        *,
        max_points: int = MAX_POINTS,
        recent_rows: int = RECENT_ROWS,
        budget_bytes: int = HISTORY_BUDGET_BYTES,
    ) -> None:
        if max_points < 4 or max_points % 2:
            raise ValueError(f"max_points must be an even number >= 4, not {max_points}")
        if recent_rows < 1:
            raise ValueError(f"recent_rows must be >= 1, not {recent_rows}")
        self._request_full = request_full
        self._max_points_limit = max_points
        self._recent_limit = recent_rows
        self._budget = budget_bytes
        self._awaiting_full = False
        self.version = 0  # counts the changes, so a reader can tell it is up to date
        self.changed_from = -1  # first row the latest apply() changed; -1 for none
        self._reset_layout(0, False)

    # -- what is held ---------------------------------------------------------------------

    @property
    def n_params(self) -> int:
        """Parameters per row (d weights and the bias); 0 before the first snapshot."""
        return self._n_params

    @property
    def has_test(self) -> bool:
        return self._has_test

    @property
    def total_rows(self) -> int:
        """The history's length: rows the trainer holds (step_count + 1), 0 when empty."""
        return self._detail_start + self._n_detail

    @property
    def point_count(self) -> int:
        """Rows held (downsampled ones and the recent stretch): the length of every view."""
        return self._n_coarse + self._n_detail

    @property
    def recent_count(self) -> int:
        """Rows at the end held in full detail (``recent`` returns at most this many)."""
        return self._n_detail

    @property
    def stride(self) -> int:
        """Rows per point in the downsampled part (1 until a long run is thinned out)."""
        return self._stride

    @property
    def capacity(self) -> int:
        """Rows the buffer can hold at most (``max_points + 2 * recent_rows``, within budget)."""
        return self._max_points + 2 * self._recent

    @property
    def nbytes(self) -> int:
        """Bytes of every array held."""
        return self._scalars.nbytes + self._rows.nbytes + self._theta.nbytes

    def rows(self) -> np.ndarray:
        """(points,) int64: the history row of every point held, increasing."""
        return _read_only(self._rows[: self.point_count])

    def column(self, name: str) -> np.ndarray:
        """(points,) read-only view of one of ``COLUMNS``, aligned with ``rows()``."""
        return _read_only(self._scalars[COLUMNS.index(name), : self.point_count])

    def param(self, index: int) -> np.ndarray:
        """(points,) read-only view of parameter ``index`` (the bias is ``n_params - 1``)."""
        if not 0 <= index < self._n_params:
            raise IndexError(f"parameter {index} out of range 0..{self._n_params - 1}")
        return _read_only(self._theta[: self.point_count, index])

    def theta(self) -> np.ndarray:
        """(points, d+1) read-only view of the parameters of every point held."""
        return _read_only(self._theta[: self.point_count])

    def recent(self, name: str, n: int) -> np.ndarray:
        """The last ``min(n, recent_count)`` rows of ``name`` (a column or "theta"), in full."""
        end = self.point_count
        start = end - min(max(n, 0), self._n_detail)
        if name == "theta":
            return _read_only(self._theta[start:end])
        return _read_only(self._scalars[COLUMNS.index(name), start:end])

    @property
    def last_row(self) -> dict[str, Any] | None:
        """The newest row (always held exactly), or None when empty."""
        return self._row_dict(self.point_count - 1) if self.point_count else None

    def row_at(self, step: int) -> dict[str, Any] | None:
        """Row ``step`` as a dict (COLUMNS and "theta"), exact; None when it is not held.

        Every row of the recent stretch is held; before it only every ``stride``-th row.
        """
        if not 0 <= step < self.total_rows:
            return None
        if step >= self._detail_start:
            return self._row_dict(self._n_coarse + step - self._detail_start)
        position = int(np.searchsorted(self._rows[: self._n_coarse], step))
        if position < self._n_coarse and self._rows[position] == step:
            return self._row_dict(position)
        return None

    # -- changes --------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget everything (and the buffer: the next dataset may have another width)."""
        self._reset_layout(0, False)
        self._awaiting_full = False
        self.changed_from = 0
        self.version += 1

    def apply(self, snapshot: Snapshot) -> None:
        """Keep the rows before ``snapshot.first_row``, then append ``snapshot.rows``.

        A snapshot that starts beyond the rows held (or has another parameter count) cannot
        be applied: it is ignored and ``request_full`` asked, once, for the whole history.
        """
        self.changed_from = -1
        first = int(snapshot.first_row)
        rows = snapshot.rows
        count = len(rows["step"])
        width = int(np.shape(snapshot.theta)[0])
        if first == 0:
            self._reset_layout(width, rows.get("test_loss") is not None)
        elif first > self.total_rows or width != self._n_params:
            if not self._awaiting_full:
                self._awaiting_full = True
                if self._request_full is not None:
                    self._request_full()
            return
        self._awaiting_full = False
        if first == self.total_rows and count == 0:
            return  # nothing new (a status change)
        self._truncate(first)
        if count:
            self._append(first, rows, count)
        self.changed_from = first
        self.version += 1

    # -- internals ------------------------------------------------------------------------

    def _reset_layout(self, n_params: int, has_test: bool) -> None:
        self._n_params = n_params
        self._has_test = has_test
        row_bytes = 8 * (len(COLUMNS) + 1 + n_params)
        fits = max(MIN_CAPACITY, self._budget // row_bytes)
        full = self._max_points_limit + 2 * self._recent_limit
        if fits >= full:
            self._recent, self._max_points = self._recent_limit, self._max_points_limit
        else:
            self._recent = max(1, min(self._recent_limit, fits // 4))
            self._max_points = max(4, (fits - 2 * self._recent) // 2 * 2)
        self._n_coarse = self._n_detail = self._detail_start = 0
        self._stride = 1
        self._allocate(min(INITIAL_CAPACITY, self.capacity) if n_params else 0, keep=False)

    def _allocate(self, capacity: int, keep: bool = True) -> None:
        scalars = np.full((len(COLUMNS), capacity), np.nan)
        rows = np.zeros(capacity, dtype=np.int64)
        theta = np.zeros((capacity, self._n_params))
        if keep:
            n = self.point_count
            scalars[:, :n] = self._scalars[:, :n]
            rows[:n] = self._rows[:n]
            theta[:n] = self._theta[:n]
        self._scalars, self._rows, self._theta = scalars, rows, theta

    def _truncate(self, first: int) -> None:
        if first == 0:
            self._n_coarse = self._n_detail = self._detail_start = 0
            self._stride = 1
        elif first >= self._detail_start:
            self._n_detail = first - self._detail_start
        else:  # back into the downsampled part: the rows after it were not kept
            self._n_coarse = int(np.searchsorted(self._rows[: self._n_coarse], first))
            self._n_detail, self._detail_start = 0, first

    def _append(self, first: int, rows: dict, count: int) -> None:
        done = 0
        while done < count:
            end = self.point_count
            if end == self._rows.shape[0]:
                if end < self.capacity:
                    self._allocate(min(2 * end, self.capacity))
                else:
                    self._thin_detail()
                continue
            take = min(count - done, self._rows.shape[0] - end)
            block = slice(done, done + take)
            for index, name in enumerate(COLUMNS):
                values = rows.get(name)
                if values is not None:
                    self._scalars[index, end : end + take] = values[block]
                else:
                    self._scalars[index, end : end + take] = np.nan
            self._theta[end : end + take] = rows["theta"][block]
            self._rows[end : end + take] = np.arange(first + done, first + done + take)
            self._n_detail += take
            done += take

    def _thin_detail(self) -> None:
        """Keep the newest ``recent`` detail rows; the older ones join the run at the stride."""
        start = self._n_coarse
        overflow = self._n_detail - self._recent
        old = self._rows[start : start + overflow]
        keep = start + np.flatnonzero(old % self._stride == 0)
        moved = np.concatenate([keep, np.arange(start + overflow, start + self._n_detail)])
        n_kept = len(keep)
        self._move(moved, start)
        self._n_coarse += n_kept
        self._n_detail = self._recent
        self._detail_start = int(self._rows[self._n_coarse])
        while self._n_coarse > self._max_points:
            self._halve()

    def _halve(self) -> None:
        """Keep every second downsampled point; the stride doubles."""
        n = self._n_coarse
        moved = np.concatenate([np.arange(0, n, 2), np.arange(n, n + self._n_detail)])
        self._move(moved, 0)
        self._n_coarse = math.ceil(n / 2)
        self._stride *= 2

    def _move(self, positions: np.ndarray, to: int) -> None:
        """Copy the points at ``positions`` (increasing, >= ``to``) to ``to``, ``to + 1``, …"""
        end = to + len(positions)
        # Fancy indexing copies first, so the overlapping source is read before it is written.
        self._scalars[:, to:end] = self._scalars[:, positions]
        self._rows[to:end] = self._rows[positions]
        self._theta[to:end] = self._theta[positions]

    def _row_dict(self, position: int) -> dict[str, Any]:
        row: dict[str, Any] = {
            name: float(self._scalars[i, position]) for i, name in enumerate(COLUMNS)
        }
        row["step"] = int(self._scalars[0, position])
        if not self._has_test:
            for name in TEST_COLUMNS:
                row[name] = None
        row["theta"] = self._theta[position].copy()
        return row


def _read_only(view: np.ndarray) -> np.ndarray:
    view = view.view()
    view.flags.writeable = False
    return view
