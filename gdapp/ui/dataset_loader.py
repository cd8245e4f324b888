"""Load a CSV into a Dataset off the GUI thread, with progress and cancel.

Wiring (as in superqt's thread workers): a ``_LoadWorker`` that only computes is moved to
a fresh ``QThread``; ``thread.started -> worker.run``, ``worker.done -> thread.quit``. The
worker calls ``gdapp.datasets.load_csv`` with a progress callback that forwards fractions
in [0, 1] (throttled to whole percents) and raises ``LoadCancelledError`` once ``cancel()`` was
asked for, which unwinds the load cleanly from inside the reader.

``DatasetLoader`` lives on the GUI thread. It emits exactly one of ``loaded(Dataset)``,
``failed(Exception)`` or ``cancelled()`` per ``start()``, and only after the thread has
been joined, so a receiver never sees a result while a thread is still running.

``show_load_error`` opens (never blocks on) the message a failed load gets: the file, the
problem as ``describe_error`` words it, and that the current dataset stayed as it was.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from gdapp.datasets import DatasetError, load_csv

PROGRESS_STEP = 0.01  # forward progress only when it advanced by this fraction (1 %)
JOIN_TIMEOUT_MS = 10_000  # how long shutdown() waits for a cancelled load to unwind
ERROR_TEXT_WIDTH_PX = 380  # the load error message keeps a long problem on few lines

# Every started thread stays referenced here until it has finished, so a loader deleted
# with its owner mid-load never drops a running QThread (Qt aborts on that).
_RUNNING: dict[int, tuple[QThread, QObject]] = {}


class LoadCancelledError(Exception):
    """Raised inside the reader's progress callback to stop a load the user cancelled."""


class _LoadWorker(QObject):
    """Runs one ``load_csv`` call; never touches a widget."""

    progress = Signal(float)
    result = Signal(
        str, object
    )  # ("loaded", Dataset) | ("failed", Exception) | ("cancelled", None)
    done = Signal()

    def __init__(self, path: Path, options: dict, cancel_event: threading.Event) -> None:
        super().__init__()
        self._path = path
        self._options = options
        self._cancel = cancel_event
        self._last_progress = -1.0

    def _on_reader_progress(self, fraction: float) -> None:
        if self._cancel.is_set():
            raise LoadCancelledError(str(self._path))
        fraction = min(max(float(fraction), 0.0), 1.0)
        if fraction - self._last_progress >= PROGRESS_STEP or (
            fraction >= 1.0 > self._last_progress
        ):
            self._last_progress = fraction
            self.progress.emit(fraction)

    @Slot()
    def run(self) -> None:
        try:
            self._on_reader_progress(0.0)
            dataset = load_csv(self._path, progress=self._on_reader_progress, **self._options)
        except LoadCancelledError:
            self.result.emit("cancelled", None)
        except Exception as error:  # every failure becomes a message, never a crash
            self.result.emit("failed", error)
        else:
            if self._last_progress < 1.0:
                self.progress.emit(1.0)
            self.result.emit("loaded", dataset)
        finally:
            self.done.emit()


class DatasetLoader(QObject):
    """Loads one CSV at a time on a background thread.

    Signals: ``progress(float)`` fraction in [0, 1]; then exactly one of ``loaded(object)``
    (the Dataset), ``failed(object)`` (the exception, normally a DatasetError) or
    ``cancelled()``; ``running_changed(bool)`` around each load.
    """

    progress = Signal(float)
    loaded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: _LoadWorker | None = None
        self._cancel = threading.Event()
        self._outcome: tuple[str, object] = ("cancelled", None)
        self._path: Path | None = None
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @property
    def path(self) -> Path | None:
        """The file of the current (or last) load."""
        return self._path

    def is_running(self) -> bool:
        return self._thread is not None

    def start(self, path: str | os.PathLike[str], **options) -> None:
        """Load ``path`` with ``load_csv(path, **options)``; raises RuntimeError if busy."""
        if self.is_running():
            raise RuntimeError(f"already loading {self._path}")
        self._path = Path(path)
        self._cancel = threading.Event()
        self._outcome = ("cancelled", None)
        thread = QThread()
        thread.setObjectName("datasetLoaderThread")
        worker = _LoadWorker(self._path, dict(options), self._cancel)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self.progress)
        worker.result.connect(self._on_worker_result)
        worker.done.connect(thread.quit)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        _RUNNING[id(thread)] = (thread, worker)
        self.running_changed.emit(True)
        thread.start()

    def cancel(self) -> None:
        """Ask the running load to stop at its next progress report (no-op when idle)."""
        self._cancel.set()

    def wait(self, timeout_ms: int = JOIN_TIMEOUT_MS) -> bool:
        """Block until the thread ends; True if it did (results still arrive as events)."""
        return self._thread is None or self._thread.wait(timeout_ms)

    @Slot()
    def shutdown(self) -> None:
        """Cancel and join: call before the application quits or the owner goes away."""
        if self._thread is not None:
            self.cancel()
            self._thread.wait(JOIN_TIMEOUT_MS)

    @Slot(str, object)
    def _on_worker_result(self, kind: str, payload: object) -> None:
        self._outcome = (kind, payload)

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._thread is not None:
            self._thread.wait()
            _RUNNING.pop(id(self._thread), None)
        self._thread, self._worker = None, None
        kind, payload = self._outcome
        self._outcome = ("cancelled", None)
        self.running_changed.emit(False)
        if kind == "loaded":
            self.loaded.emit(payload)
        elif kind == "failed":
            self.failed.emit(payload)
        else:
            self.cancelled.emit()


def describe_error(error: BaseException) -> str:
    """The problem in one line: a DatasetError already names file, line and column."""
    if isinstance(error, DatasetError):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return f"{type(error).__name__}: {error}"


def show_load_error(
    parent: QWidget | None,
    path: str | os.PathLike[str] | None,
    error: BaseException,
    current_name: str | None = None,
) -> QMessageBox:
    """Open (without blocking) a critical message naming the file and the problem."""
    name = Path(path).name if path else "the file"
    box = QMessageBox(parent)
    box.setObjectName("loadErrorBox")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Could not load CSV")
    box.setText(f"Could not load “{name}”.")
    kept = (
        f"The current dataset “{current_name}” is still loaded, unchanged."
        if current_name
        else "No dataset was changed."
    )
    box.setInformativeText(f"{describe_error(error)}\n\n{kept}")
    if path:
        box.setDetailedText(f"File: {Path(path)}\n\n{describe_error(error)}")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    # QMessageBox sizes itself to its shortest line; keep a long problem on few lines.
    box.setStyleSheet(
        f"QLabel#qt_msgbox_informativelabel {{ min-width: {ERROR_TEXT_WIDTH_PX}px; }}"
    )
    box.open()
    return box


ErrorReporter = Callable[[QWidget | None, object, BaseException, str | None], object]
