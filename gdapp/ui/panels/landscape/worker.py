"""The landscape panel's worker thread: it runs ``jobs`` and sends results back, nothing else.

Wiring as in superqt's thread workers: a ``LandscapeWorker`` moved to a ``QThread``,
``thread.started -> worker.run``, ``worker.finished -> thread.quit``; the worker never
reads or writes a widget. Jobs wait in a ``JobQueue`` keyed by what they compute: a newer
job with the same key replaces the waiting one, and the running one stops at its next
``check()`` (a generation counter tells the current request from stale ones).

``LandscapeRunner`` lives on the GUI thread. It starts a thread when a job arrives; the
thread ends by itself after ``IDLE_EXIT_S`` without work, at ``stop()`` (a hidden panel
computes nothing), or at ``shutdown()``, which also joins it. Results reach the GUI thread
as queued signals: ``produced(result)`` and ``failed(key, generation, message)``.
"""

from __future__ import annotations

import atexit
import threading

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot

from gdapp.ui.gui_gc import GuiThreadCollector
from gdapp.ui.panels.landscape.jobs import PICTURE, SupersededError, compute

IDLE_EXIT_S = 2.0  # an idle worker thread ends after this long without a job
JOIN_TIMEOUT_MS = 10_000  # shutdown() waits this long; a job checks in every few ms

# Every started thread stays referenced here until it has finished: a QThread destroyed
# while running aborts the process, whatever deleted its owner.
_RUNNING: dict[int, tuple[QThread, LandscapeWorker, JobQueue]] = {}


class JobQueue:
    """Jobs waiting for the worker, one per key; thread-safe. ``take`` gives pictures first."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._waiting: dict[object, object] = {}
        self._latest: dict[object, int] = {}
        self._closed = False

    def put(self, job) -> bool:
        """Queue ``job``, replacing a waiting one with its key; False once the queue closed."""
        with self._condition:
            if self._closed:
                return False
            self._waiting.pop(job.key, None)
            self._waiting[job.key] = job
            self._latest[job.key] = job.generation
            self._condition.notify()
            return True

    def take(self, timeout_s: float = IDLE_EXIT_S):
        """The next job; None once closed, or (closing the queue) after ``timeout_s`` idle."""
        with self._condition:
            if not self._waiting and not self._closed:
                self._condition.wait(timeout_s)
            if self._closed or not self._waiting:
                self._closed = True
                return None
            key = PICTURE if PICTURE in self._waiting else next(iter(self._waiting))
            return self._waiting.pop(key)

    def check(self, job) -> None:
        """Raise ``SupersededError`` if ``job`` is no longer the latest of its key, or stopped."""
        with self._condition:
            if self._closed or self._latest.get(job.key) != job.generation:
                raise SupersededError

    def cancel(self, key: object) -> None:
        """Forget the job with ``key``: the waiting one is dropped, the running one stops."""
        with self._condition:
            self._waiting.pop(key, None)
            self._latest.pop(key, None)

    def close(self) -> None:
        """No more jobs: the running one stops at its next check, the worker then ends."""
        with self._condition:
            self._closed = True
            self._waiting.clear()
            self._condition.notify_all()


class LandscapeWorker(QObject):
    """Takes jobs from its queue until it closes; emits each result. Lives on its thread."""

    produced = Signal(object)
    failed = Signal(object, int, str)
    finished = Signal()

    def __init__(self, queue: JobQueue) -> None:
        super().__init__()
        self._queue = queue

    @Slot()
    def run(self) -> None:
        try:
            while (job := self._queue.take()) is not None:
                self._run_job(job)
        finally:
            self.finished.emit()

    def _run_job(self, job) -> None:
        def check() -> None:
            self._queue.check(job)

        try:
            for result in compute(job, check):
                check()
                self.produced.emit(result)
        except SupersededError:
            pass
        except Exception as error:  # the panel shows the problem in words, never a traceback
            self.failed.emit(job.key, job.generation, f"{type(error).__name__}: {error}")


class LandscapeRunner(QObject):
    """Runs landscape jobs on a worker thread started on demand; lives on the GUI thread."""

    produced = Signal(object)
    failed = Signal(object, int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: JobQueue | None = None
        self._threads: list[QThread] = []
        self._collector: GuiThreadCollector | None = None
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @property
    def is_running(self) -> bool:
        """True while one of this runner's threads has not finished."""
        return any(thread.isRunning() for thread in self._threads)

    def submit(self, job) -> None:
        """Compute ``job`` on the worker thread, replacing a job with the same key."""
        if self._queue is None or not self._queue.put(job):
            self._start_thread()
            self._queue.put(job)

    def cancel(self, key: object) -> None:
        """Drop the job with ``key``, waiting or running; its results never come."""
        if self._queue is not None:
            self._queue.cancel(key)

    def stop(self) -> None:
        """Drop every job; the thread ends after its current block. Does not wait."""
        if self._queue is not None:
            self._queue.close()
            self._queue = None

    @Slot()
    def shutdown(self) -> None:
        """Stop and join every thread of this runner (before the app quits or the panel goes)."""
        self.stop()
        for thread in list(self._threads):
            thread.wait(JOIN_TIMEOUT_MS)
        self._reap()

    def _start_thread(self) -> None:
        queue = JobQueue()
        thread = QThread()
        thread.setObjectName("landscapeThread")
        worker = LandscapeWorker(queue)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Direct: the thread has no event loop running while the worker loops.
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.produced.connect(self.produced)
        worker.failed.connect(self.failed)
        thread.finished.connect(self._reap)
        if self._collector is None:
            # Garbage holding Qt objects must never be collected on the worker thread.
            self._collector = GuiThreadCollector(self)
        self._queue = queue
        self._threads.append(thread)
        _RUNNING[id(thread)] = (thread, worker, queue)
        thread.start()

    @Slot()
    def _reap(self) -> None:
        for thread in [t for t in self._threads if t.isFinished()]:
            thread.wait()
            self._threads.remove(thread)
            _, worker, _ = _RUNNING.pop(id(thread), (None, None, None))
            if worker is not None:
                worker.deleteLater()
            thread.deleteLater()
        if not self._threads and self._collector is not None:
            self._collector.stop()
            self._collector = None


def running_threads() -> int:
    """How many landscape worker threads have been started and not yet finished."""
    return sum(1 for thread, _, _ in _RUNNING.values() if not thread.isFinished())


@atexit.register
def _join_at_exit() -> None:
    for thread, _, queue in list(_RUNNING.values()):
        queue.close()
        thread.wait(JOIN_TIMEOUT_MS)
