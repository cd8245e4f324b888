"""Import the code of the pages not yet built on a background thread, once per process.

Building a page the first time also imports its modules (pyqtgraph alone takes about a
quarter of a second), and on the GUI thread that import holds the event loop for as long.
On another thread it takes turns with the GUI thread for Python's lock, a few milliseconds
at a time, so timers and repaints go on; the window then builds its pages from modules that
are already loaded. Only modules are imported here: every widget is still made on the GUI
thread. An import that fails here is left for the GUI thread, which reports it as usual.
"""

from __future__ import annotations

import importlib
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


def start_preloading(modules: Sequence[str] = PAGE_MODULES) -> None:
    """Start importing ``modules`` on a background thread, unless that was already started.

    Not a daemon thread: a window closed within a second of opening (a self-test, a quick
    look) would otherwise end the interpreter while the thread is inside an extension
    module's import, which can crash the process on its way out (seen as SIGSEGV at exit
    on Python 3.13). Python waits for it at exit instead: the import under way finishes, and
    the next ones fail at once (the interpreter refuses them while it shuts down), which
    ``_import_all`` takes as the end.
    """
    global _thread
    with _lock:
        if _thread is not None:
            return
        _thread = threading.Thread(
            target=_import_all, args=(tuple(modules),), name="gdapp-preload", daemon=False
        )
        _thread.start()


def preloading() -> bool:
    """True while the background imports are still running."""
    thread = _thread
    return thread is not None and thread.is_alive()


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the GUI thread imports it again and reports it
            return
