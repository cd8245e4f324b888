"""Running the core's nudge check without freezing the window.

A small graph (the post's example, one sample, a modest batch) is checked at once: a few
milliseconds. A full-batch graph nudges every entry of X, z, a, L and y, about a second, so
it is checked on a plain Python thread on its own copy of the graph. The thread touches no Qt
object; the panel polls for the result with a timer, so nothing crosses threads but a dict.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from gdapp.core import graph as core_graph

SYNC_ENTRY_LIMIT = 2500  # graphs with at most this many values are checked at once
LIVE_ENTRY_LIMIT = 200  # ... and checked on every snapshot during a run
POLL_INTERVAL_MS = 40
NUDGE_RTOL = 1e-2  # an entry agrees when its relative error is at most this


def entry_count(graph: core_graph.Graph) -> int:
    """How many values a nudge check must nudge: one per scalar node, one per array entry."""
    return sum(int(np.size(node.value)) for node in graph.nodes)


class NudgeRunner(QObject):
    """Computes nudge checks; ``ready(key, results)`` reports a background one."""

    ready = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done: tuple[Hashable, object] | None = None
        self._pending: tuple[Hashable, Callable[[], core_graph.Graph], float, bool] | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_INTERVAL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)

    @property
    def busy(self) -> bool:
        return self._thread is not None or self._pending is not None

    def check_now(
        self, graph: core_graph.Graph, h: float, central: bool
    ) -> dict[str, core_graph.NudgeResult]:
        """The engine's nudge check on ``graph``, in this thread."""
        return graph.nudge_check(h=h, rtol=NUDGE_RTOL, central=central)

    def check_later(
        self, key: Hashable, build: Callable[[], core_graph.Graph], h: float, central: bool
    ) -> None:
        """Check the graph ``build()`` makes on a worker thread; the latest request wins."""
        self._pending = (key, build, h, central)
        if self._thread is None:
            self._start_pending()

    def cancel(self) -> None:
        """Forget queued work; a check already running finishes and is dropped."""
        self._pending = None

    def wait(self, timeout_s: float = 30.0) -> None:
        """Block until no check is running or queued, delivering results (for tests)."""
        while self._thread is not None:
            self._thread.join(timeout_s)
            self._on_poll_timeout()

    def _start_pending(self) -> None:
        if self._pending is None:
            self._poll.stop()
            return
        key, build, h, central = self._pending
        self._pending = None
        graph = build()  # built here: the worker only ever sees its own copy

        def work() -> None:
            try:
                result: object = graph.nudge_check(h=h, rtol=NUDGE_RTOL, central=central)
            except Exception as exc:  # reported to the user by the panel
                result = exc
            with self._lock:
                self._done = (key, result)

        self._thread = threading.Thread(target=work, name="nudge-check", daemon=True)
        self._thread.start()
        self._poll.start()

    def _on_poll_timeout(self) -> None:
        with self._lock:
            done, self._done = self._done, None
        if done is None:
            return
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._pending is None:
            self._poll.stop()
            self.ready.emit(*done)
        else:
            self._start_pending()  # the result is already stale
