"""Import the code of the pages not yet built on a background thread.

Building a page the first time also imports its modules (pyqtgraph alone takes about a
quarter of a second), and on the GUI thread that import holds the event loop for as long.
On another thread it takes turns with the GUI thread for Python's lock, a few milliseconds
at a time, so timers and repaints go on; the window then builds its pages from modules that
are already loaded. Only modules are imported here: every widget is still made on the GUI
thread. An import that fails here is left for the GUI thread, which reports it as usual.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Sequence

# What the pages after the first import, heaviest first.
PAGE_MODULES = (
    "pyqtgraph",
    "gdapp.ui.panels.plots",
    "gdapp.ui.panels.dataset_browser",
    "gdapp.ui.panels.graph.panel",
    "gdapp.ui.panels.landscape.panel",
    "gdapp.ui.panels.boundary",
    "gdapp.ui.lessons.figure_page",
    "gdapp.ui.lessons.figures",
)

_lock = threading.Lock()
_thread: threading.Thread | None = None
_stop = threading.Event()


def start_preloading(modules: Sequence[str] = PAGE_MODULES) -> None:
    """Start importing those of ``modules`` not yet imported on a background thread, unless
    it is already at work.

    Not a daemon thread: a window closed within a second of opening (a self-test, a quick
    look) would otherwise end the interpreter while the thread is inside an extension
    module's import, which can crash the process on its way out (seen as SIGSEGV at exit
    on Python 3.13). Python waits for it at exit instead; a window that closes tells it to
    import no more (``stop_preloading``), so that wait is for one import at most.
    """
    global _thread
    with _lock:
        if _thread is not None and _thread.is_alive():
            return
        missing = tuple(name for name in modules if name not in sys.modules)
        if not missing:
            return
        _stop.clear()  # a window opened after one closed imports what is still missing
        _thread = threading.Thread(
            target=_import_all, args=(missing,), name="gdapp-preload", daemon=False
        )
        _thread.start()


def stop_preloading() -> None:
    """Import no more modules after the one under way (a closing window calls this)."""
    _stop.set()


def preloading() -> bool:
    """True while the background imports are still running."""
    thread = _thread
    return thread is not None and thread.is_alive()


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        if _stop.is_set():
            return
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the GUI thread imports it again and reports it
            return
