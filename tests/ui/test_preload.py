"""The page modules are imported on a background thread after the first frame."""

from __future__ import annotations

import importlib.util
import sys

from support.fresh_process import run_code

from gdapp.ui import preload
from gdapp.ui.main_window import MainWindow


def test_every_named_module_exists():
    for name in preload.PAGE_MODULES:
        assert importlib.util.find_spec(name) is not None, name


def test_a_shown_window_has_the_page_modules_imported_and_every_page_built(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    # Whatever this process had not imported yet is imported in the background.
    qtbot.waitUntil(
        lambda: (
            not preload.preloading() and all(name in sys.modules for name in preload.PAGE_MODULES)
        ),
        timeout=20_000,
    )
    qtbot.waitUntil(
        lambda: all(window.workspace.is_built(p) for p in ("plots", "boundary")), timeout=20_000
    )
    window.close()


def test_a_process_that_ends_at_once_waits_for_the_imports_and_exits_cleanly():

    # The process ends right after starting the imports. Python waits for the thread before
    # it runs atexit handlers and tears down: no import is cut off halfway.
    script = (
        "import atexit\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from gdapp.ui import preload\n"
        "atexit.register(lambda: print('still importing', preload.preloading()))\n"
        "preload.start_preloading()\n"
    )
    done = run_code(script)
    assert done.stdout.strip() == "still importing False"


def test_after_stop_no_further_module_is_imported(monkeypatch):
    imported = []
    monkeypatch.setattr(preload.importlib, "import_module", imported.append)
    monkeypatch.setattr(preload, "_stop", preload.threading.Event())
    preload._import_all(("first", "second"))
    assert imported == ["first", "second"]
    imported.clear()
    preload.stop_preloading()
    preload._import_all(("first", "second"))
    assert imported == []


def test_only_modules_not_yet_imported_are_preloaded_and_a_stop_is_lifted_by_a_new_start(
    monkeypatch,
):
    started = []

    class Recorder:
        def __init__(self, target, args, name, daemon):
            started.append((args[0], daemon))

        def start(self):
            pass

        def is_alive(self):
            return False

    monkeypatch.setattr(preload.threading, "Thread", Recorder)
    monkeypatch.setattr(preload, "_thread", None)
    monkeypatch.setattr(preload, "_stop", preload.threading.Event())
    preload.stop_preloading()
    preload.start_preloading(("json", "no_such_module_here"))
    assert started == [(("no_such_module_here",), False)]  # json is in; not a daemon
    assert not preload._stop.is_set()
    preload.start_preloading(("json",))  # nothing missing: no thread
    assert len(started) == 1
