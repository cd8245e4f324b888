"""Compact storage for a training run: scalar curves, learning-rate changes, checkpoints.

A run is deterministic: step ``k`` depends only on the state after step ``k - 1``, the
batch of step ``k`` (derived from ``(seed, k)``) and the learning rate step ``k`` used.
So the trainer need not keep every step's parameters: it keeps

- the scalar curves of every row (``ScalarCurves``): training and test loss as float64,
  and the accuracies as counts of correct predictions (uint32, exact: the accuracy is
  ``count / n``), 24 bytes per row with a test set, 12 without;
- the learning rate only where it changed (``LrLog``);
- a checkpoint every ``interval`` steps (``Checkpoints``): ``theta``, the full-set
  gradient and the optimizer state after that step;
- one or two ``Segment``s of consecutive rows with everything a step needs (``theta``,
  gradient, optimizer state): the latest rows, and a segment recomputed on demand.

``Trajectory`` puts these together for one run; it recomputes rows with the step function
the trainer gives it.

Conventions: row ``k`` is the state after step ``k`` (row 0: the start); ``p = d + 1``
parameters; ``theta`` and gradient rows are ``(p,)`` float64; optimizer states are the
NamedTuples of ``optimizers.py``, kept by reference (``update`` never modifies a state).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["BLOCK_ROWS", "Advance", "Checkpoints", "LrLog", "ScalarCurves", "Segment", "Trajectory"]

FloatArray = NDArray[np.float64]
# advance(row, theta, grad, state, lr, with_grad) -> (theta, grad, state) of row ``row + 1``,
# taking step ``row + 1`` with rate ``lr``; grad may be None when ``with_grad`` is False.
Advance = Callable[
    [int, FloatArray, FloatArray | None, Any, float, bool],
    tuple[FloatArray, FloatArray | None, Any],
]

BLOCK_ROWS = 1 << 15  # rows per storage block of a scalar curve (256 kB of float64)


class _Column:
    """One growing column stored in fixed-size blocks: no reallocation, at most one spare block."""

    def __init__(self, dtype: type, block_rows: int) -> None:
        self.dtype = np.dtype(dtype)
        self.block_rows = block_rows
        self._blocks: list[np.ndarray] = []

    def block(self, index: int) -> np.ndarray:
        """Block ``index`` (rows ``index * block_rows`` on), added if it is the next one."""
        if index == len(self._blocks):
            self._blocks.append(np.zeros(self.block_rows, dtype=self.dtype))
        return self._blocks[index]

    def get(self, start: int, stop: int) -> np.ndarray:
        """A fresh array with rows ``start..stop-1``."""
        out = np.empty(max(0, stop - start), dtype=self.dtype)
        row, size = start, self.block_rows
        while row < stop:
            block, offset = divmod(row, size)
            take = min(size - offset, stop - row)
            out[row - start : row - start + take] = self._blocks[block][offset : offset + take]
            row += take
        return out

    def truncate(self, rows: int) -> None:
        """Drop the blocks no row below ``rows`` lives in."""
        del self._blocks[-(-rows // self.block_rows) :]

    @property
    def nbytes(self) -> int:
        return sum(b.nbytes for b in self._blocks)


class ScalarCurves:
    """Per-row training loss and accuracy (and test ones when ``has_test``).

    Accuracies are stored as counts of correct predictions out of ``n_train`` (``n_test``)
    samples and returned as ``count / n``, which is exactly the float the model computed.
    """

    def __init__(self, n_train: int, n_test: int | None, block_rows: int = BLOCK_ROWS) -> None:
        if block_rows < 1:
            raise ValueError(f"block_rows must be >= 1, got {block_rows}.")
        self.n_train, self.n_test = n_train, n_test
        self._block_rows = block_rows
        self.has_test = n_test is not None
        self._train_loss = _Column(np.float64, block_rows)
        self._train_correct = _Column(np.uint32, block_rows)
        self._test_loss = _Column(np.float64, block_rows) if self.has_test else None
        self._test_correct = _Column(np.uint32, block_rows) if self.has_test else None

    def set(self, row: int, loss: float, acc: float, test: tuple[float, float]) -> None:
        block, offset = divmod(row, self._block_rows)
        self._train_loss.block(block)[offset] = loss
        self._train_correct.block(block)[offset] = round(acc * self.n_train)
        if self._test_loss is not None:
            self._test_loss.block(block)[offset] = test[0]
            self._test_correct.block(block)[offset] = round(test[1] * self.n_test)

    def truncate(self, rows: int) -> None:
        for column in self._columns():
            column.truncate(rows)

    def train_loss(self, start: int, stop: int) -> FloatArray:
        return self._train_loss.get(start, stop)

    def train_acc(self, start: int, stop: int) -> FloatArray:
        return self._train_correct.get(start, stop) / self.n_train

    def test_loss(self, start: int, stop: int) -> FloatArray | None:
        return None if self._test_loss is None else self._test_loss.get(start, stop)

    def test_acc(self, start: int, stop: int) -> FloatArray | None:
        if self._test_correct is None:
            return None
        return self._test_correct.get(start, stop) / self.n_test

    def _columns(self) -> list[_Column]:
        columns = [self._train_loss, self._train_correct, self._test_loss, self._test_correct]
        return [c for c in columns if c is not None]

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for c in self._columns())


class LrLog:
    """The learning rate of every row, stored only where it changed.

    ``record(row, lr)`` says row ``row`` (the step of that number) used ``lr``; rows are
    recorded in increasing order, and a record equal to the current rate is not stored.
    """

    def __init__(self, lr: float) -> None:
        self._rows: list[int] = [0]
        self._values: list[float] = [float(lr)]

    def record(self, row: int, lr: float) -> None:
        if lr != self._values[-1]:
            self._rows.append(row)
            self._values.append(float(lr))

    def at(self, row: int) -> float:
        """Learning rate of row ``row``."""
        return self._values[bisect.bisect_right(self._rows, row) - 1]

    def truncate(self, rows: int) -> None:
        """Forget the changes at rows ``>= rows`` (row 0 is always kept)."""
        keep = max(1, bisect.bisect_left(self._rows, rows))
        del self._rows[keep:], self._values[keep:]

    def rows(self, start: int, stop: int) -> FloatArray:
        """Learning rate of rows ``start..stop-1``, ``(stop - start,)``."""
        rows = np.arange(start, max(start, stop))
        which = np.searchsorted(np.asarray(self._rows), rows, side="right") - 1
        return np.asarray(self._values, dtype=np.float64)[which]

    def changes(self) -> list[tuple[int, float]]:
        """``(row, lr)`` for row 0 and every row whose rate differs from the row before."""
        return list(zip(self._rows, self._values, strict=True))


class Checkpoints:
    """``(theta, grad, state)`` after every step that is a multiple of ``interval``."""

    def __init__(self, interval: int) -> None:
        if interval < 1:
            raise ValueError(f"The checkpoint interval must be >= 1, got {interval}.")
        self.interval = interval
        self._items: list[tuple[FloatArray, FloatArray, Any]] = []

    def __len__(self) -> int:
        return len(self._items)

    def offer(self, row: int, theta: FloatArray, grad: FloatArray, state: Any) -> None:
        """Keep row ``row`` if it is the next multiple of ``interval``."""
        if row == len(self._items) * self.interval:
            self._items.append((theta, grad, state))

    def at_or_before(self, row: int) -> tuple[int, tuple[FloatArray, FloatArray, Any]]:
        """The latest checkpoint at or before ``row``: ``(its row, (theta, grad, state))``."""
        i = min(row // self.interval, len(self._items) - 1)
        return i * self.interval, self._items[i]

    def truncate(self, rows: int) -> None:
        """Forget checkpoints at rows ``>= rows``."""
        del self._items[-(-rows // self.interval) :]

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays held (the Python objects around them are not counted)."""
        total = 0
        for theta, grad, state in self._items:
            total += theta.nbytes + grad.nbytes
            total += sum(f.nbytes for f in state if isinstance(f, np.ndarray))
        return total


class Segment:
    """Consecutive rows ``start..stop-1`` with ``theta``, gradient and optimizer state."""

    def __init__(self, start: int, p: int, capacity: int) -> None:
        self.start = start
        self._theta = np.empty((capacity, p))
        self._grad = np.empty((capacity, p))
        self._states: list[Any] = []

    @property
    def stop(self) -> int:
        return self.start + len(self._states)

    def __contains__(self, row: int) -> bool:
        return self.start <= row < self.stop

    def append(self, theta: FloatArray, grad: FloatArray, state: Any) -> None:
        i = len(self._states)
        if i == self._theta.shape[0]:
            self._theta = np.concatenate([self._theta, np.empty_like(self._theta)])
            self._grad = np.concatenate([self._grad, np.empty_like(self._grad)])
        self._theta[i] = theta
        self._grad[i] = grad
        self._states.append(state)

    def row(self, row: int) -> tuple[FloatArray, FloatArray, Any]:
        """Copies of ``theta`` and the gradient of ``row``, and its state (shared, immutable)."""
        i = row - self.start
        return self._theta[i].copy(), self._grad[i].copy(), self._states[i]

    def theta(self, start: int, stop: int) -> FloatArray:
        return self._theta[start - self.start : stop - self.start].copy()

    def grad(self, start: int, stop: int) -> FloatArray:
        return self._grad[start - self.start : stop - self.start].copy()

    def truncate(self, stop: int) -> None:
        """Keep rows below ``stop``."""
        del self._states[max(0, stop - self.start) :]

    def drop_front(self, count: int) -> None:
        """Forget the first ``count`` rows."""
        n = len(self._states)
        self._theta[: n - count] = self._theta[count:n]
        self._grad[: n - count] = self._grad[count:n]
        del self._states[:count]
        self.start += count

    @property
    def nbytes(self) -> int:
        """Bytes of the row buffers and the state arrays held."""
        total = self._theta.nbytes + self._grad.nbytes
        for state in self._states:
            total += sum(f.nbytes for f in state if isinstance(f, np.ndarray))
        return total


class Trajectory:
    """Every row of one run: scalar curves in full, the rest recomputed from checkpoints.

    Row 0 is recorded at construction and each ``record`` adds the next row.  The latest
    rows (between ``interval`` and ``2 * interval`` of them) are kept in full in
    ``tail``; any other row is recomputed with ``advance`` from the checkpoint before it,
    and the segment recomputed last is kept (``browse``), so neighbouring rows are free.
    """

    def __init__(
        self,
        p: int,
        curves: ScalarCurves,
        interval: int,
        advance: Advance,
        lr: float,
    ) -> None:
        self.p = p
        self.curves = curves
        self.interval = interval
        self.lrs = LrLog(lr)
        self._advance = advance
        self._checkpoints = Checkpoints(interval)
        self._tail = Segment(0, p, 2 * interval + 1)
        self._browse: Segment | None = None

    @property
    def rows(self) -> int:
        return self._tail.stop

    def record(
        self,
        loss: float,
        acc: float,
        test: tuple[float, float],
        lr: float,
        theta: FloatArray,
        grad: FloatArray,
        state: Any,
    ) -> None:
        """Add the next row (row 0 first)."""
        row = self._tail.stop
        self.curves.set(row, loss, acc, test)
        self.lrs.record(row, lr)
        self._checkpoints.offer(row, theta, grad, state)
        tail = self._tail
        tail.append(theta, grad, state)
        if tail.stop - tail.start > 2 * self.interval:
            tail.drop_front(self.interval)

    def truncate(self, row: int) -> tuple[FloatArray, FloatArray, Any]:
        """Make ``row`` the latest row, forgetting those after it; returns ``row(row)``."""
        if row not in self._tail:
            self._tail = self._segment_with(row)
            self._browse = None
        self._tail.truncate(row + 1)
        self.curves.truncate(row + 1)
        self.lrs.truncate(row + 1)
        self._checkpoints.truncate(row + 1)
        return self._tail.row(row)

    def row(self, row: int) -> tuple[FloatArray, FloatArray, Any]:
        """Copies of ``theta`` and gradient of ``row``, and its optimizer state (shared)."""
        return self._segment_with(row).row(row)

    def path(self, start: int, stop: int, with_grad: bool) -> tuple[FloatArray, FloatArray | None]:
        """``theta`` rows ``start..stop-1``, and gradient rows when ``with_grad``."""
        theta = np.empty((stop - start, self.p))
        grad = np.empty((stop - start, self.p)) if with_grad else None
        kept = max(start, min(stop, self._tail.start))  # rows from here on are in the tail
        for row, t, g, _ in self._replay(start, kept, with_grad):
            theta[row - start] = t
            if grad is not None:
                grad[row - start] = g
        if kept < stop:
            theta[kept - start :] = self._tail.theta(kept, stop)
            if grad is not None:
                grad[kept - start :] = self._tail.grad(kept, stop)
        return theta, grad

    def _replay(
        self, start: int, stop: int, with_grad: bool = True
    ) -> Iterator[tuple[int, FloatArray, FloatArray | None, Any]]:
        """``(row, theta, grad, state)`` for rows ``start..stop-1``, from the checkpoint before."""
        if start >= stop:
            return
        row, (theta, grad, state) = self._checkpoints.at_or_before(start)
        advance, lr_at = self._advance, self.lrs.at
        with np.errstate(over="ignore", invalid="ignore"):
            while True:
                if row >= start:
                    yield row, theta, grad, state
                if row + 1 >= stop:
                    return
                theta, grad, state = advance(row, theta, grad, state, lr_at(row + 1), with_grad)
                row += 1

    def _segment_with(self, row: int) -> Segment:
        """A kept segment holding ``row``, recomputing the one around it if needed."""
        if row in self._tail:
            return self._tail
        if self._browse is None or row not in self._browse:
            start, _ = self._checkpoints.at_or_before(row)
            stop = min(start + self.interval, self._tail.start)
            segment = Segment(start, self.p, 2 * self.interval + 1)
            for _, theta, grad, state in self._replay(start, stop):
                segment.append(theta, grad, state)
            self._browse = segment
        return self._browse

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays held: curves, checkpoints and kept segments."""
        total = self.curves.nbytes + self._checkpoints.nbytes + self._tail.nbytes
        return total + (0 if self._browse is None else self._browse.nbytes)
