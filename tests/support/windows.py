"""The main window as most UI tests start from it: shown at 1280×800 with its first snapshot."""

from __future__ import annotations

from gdapp.ui.main_window import MainWindow


def shown_window(qtbot, size: tuple[int, int] = (1280, 800), timeout_ms: int = 5000) -> MainWindow:
    """A new window of ``size``, shown and exposed, once the worker's first snapshot is in."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.controller.last_snapshot is not None, timeout=timeout_ms)
    return window
