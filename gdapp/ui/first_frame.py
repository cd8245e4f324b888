"""Run work once a window's first frame is on the screen.

``after_first_frame(widget, callback)`` calls ``callback`` on a later turn of the event loop
than the one that exposes (and so paints) ``widget``'s window, so a launch shows the window
before it pays for what the first frame does not need. A widget already exposed, or one never
shown, gets its callback on the next turn; a window the platform never exposes (minimized at
start) gets it after ``FIRST_FRAME_TIMEOUT_MS`` at the latest. Each callback runs once.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

FIRST_FRAME_TIMEOUT_MS = 500


class _ExposeWatch(QObject):
    """Waits for the Expose event of one window, then runs its callbacks on the next turn."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self._widget = widget
        self._callbacks: list[Callable[[], None]] = []
        self._done = False
        handle = widget.windowHandle()
        if handle is not None:
            handle.installEventFilter(self)
        QTimer.singleShot(FIRST_FRAME_TIMEOUT_MS, self, self._fire)

    @property
    def done(self) -> bool:
        return self._done

    def add(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Expose and not self._done:
            handle = self._widget.windowHandle()
            if handle is not None and handle.isExposed():
                # The window paints this frame once the filter returns; the work waits a turn.
                QTimer.singleShot(0, self, self._fire)
        return False

    def _fire(self) -> None:
        if self._done:
            return
        self._done = True
        handle = self._widget.windowHandle()
        if handle is not None:
            handle.removeEventFilter(self)
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()


def after_first_frame(widget: QWidget, callback: Callable[[], None]) -> None:
    """Call ``callback`` once ``widget``'s window has shown its first frame (see the module)."""
    handle = widget.windowHandle()
    waiting = widget.isVisible() and handle is not None and not handle.isExposed()
    if not waiting:
        QTimer.singleShot(0, widget, callback)
        return
    watch = getattr(widget, "_first_frame_watch", None)
    if watch is None or watch.done:
        watch = _ExposeWatch(widget)
        widget._first_frame_watch = watch
    watch.add(callback)
