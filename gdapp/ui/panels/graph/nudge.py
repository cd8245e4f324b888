"""Running the core's nudge check without freezing the window.

A small graph (the post's example, one sample, a batch of a dozen rows) is checked at once,
in a few tens of milliseconds. A larger batch nudges every entry of X, z, a, L and y (a 32-row
batch takes about 0.1 s, the full batch a second or two), so it is checked in short slices on
the GUI thread (``Graph.nudge_check_steps`` yields after every nudged value), on its own copy
of the graph. No second thread: Python's garbage collector may
run in whichever thread allocates, and a Qt object it frees from a worker thread deadlocks
against the GUI thread destroying widgets (seen with a plain ``threading.Thread`` here).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Hashable

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from gdapp.core import nudge as core_graph

SYNC_ENTRY_LIMIT = 150  # graphs with at most this many values are checked at once (~50 ms)
LIVE_ENTRY_LIMIT = 100  # ... and checked on every snapshot during a run (~35 ms)
SLICE_MS = 8  # work per event-loop turn for a large check: the window stays responsive

_Job = tuple[Hashable, Generator[None, None, dict[str, core_graph.NudgeResult]]]


def entry_count(graph: core_graph.Graph) -> int:
    """How many values a nudge check must nudge: one per scalar node, one per array entry."""
    return sum(int(np.size(node.value)) for node in graph.nodes)


class NudgeRunner(QObject):
    """Computes nudge checks; ``ready(key, results)`` reports one spread over slices."""

    ready = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job: _Job | None = None
        self._pending: tuple[Hashable, Callable[[], core_graph.Graph], float, bool] | None = None
        self._paused = False
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def busy(self) -> bool:
        return self._job is not None or self._pending is not None

    def check_now(
        self, graph: core_graph.Graph, h: float, central: bool
    ) -> dict[str, core_graph.NudgeResult]:
        """The engine's nudge check on ``graph``, all at once."""
        return graph.nudge_check(h=h, central=central)

    def check_later(
        self, key: Hashable, build: Callable[[], core_graph.Graph], h: float, central: bool
    ) -> None:
        """Check the graph ``build()`` makes in slices; the latest request wins."""
        self._pending = (key, build, h, central)
        if self._job is None:
            self._start_pending()

    def cancel(self) -> None:
        """Forget queued work; a check already under way finishes and is dropped."""
        self._pending = None

    def pause(self) -> None:
        """Take no more slices until ``resume`` (the panel is hidden: nobody waits)."""
        self._paused = True
        self._timer.stop()

    def resume(self) -> None:
        """Go on with the check under way or queued, if any."""
        self._paused = False
        if self.busy:
            self._timer.start()

    def wait(self, timeout_s: float = 30.0) -> None:
        """Finish every running or queued check now, delivering results (for tests)."""
        deadline = time.monotonic() + timeout_s
        while self.busy and time.monotonic() < deadline:
            self._advance(deadline)

    def _start_pending(self) -> None:
        if self._pending is None:
            self._timer.stop()
            return
        key, build, h, central = self._pending
        self._pending = None
        graph = build()  # a copy of its own: the panel's graph keeps changing meanwhile
        self._job = (key, graph.nudge_check_steps(h=h, central=central))
        if not self._paused:
            self._timer.start()

    def _on_timer_timeout(self) -> None:
        self._advance(time.monotonic() + SLICE_MS / 1000)

    def _advance(self, until: float) -> None:
        """Run the current check until ``until`` (monotonic seconds) or its end."""
        if self._job is None:
            self._start_pending()
            return
        key, steps = self._job
        result: object
        try:
            while time.monotonic() < until:
                next(steps)
            return
        except StopIteration as done:
            result = done.value
        except Exception as exc:  # reported to the user by the panel
            result = exc
        self._job = None
        if self._pending is None:
            self._timer.stop()
            self.ready.emit(key, result)
        else:
            self._start_pending()  # the result is already stale
