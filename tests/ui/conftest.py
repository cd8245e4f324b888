"""Fixtures for the UI tests: isolated settings, Qt warnings as failures, threads joined.

Every test gets its own settings folder (``GDAPP_SETTINGS_DIR``), so nothing reads or writes
the user's settings. Qt warnings fail the test that caused them (pytest-qt's
``qt_log_level_fail``, as vorta's ``qt_default_raising`` does); warnings printed while the
test's windows close at teardown fail it too. Every ``TrainingSession`` a test created must
have its training thread stopped and joined by the end of the test: windows still open are
closed here, and a controller left running is an error.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from gdapp.ui.controller import TrainingSession

UI_TESTS = Path(__file__).parent
# The offscreen platform plugin says this when a dock is shown or a window raised; not ours.
OFFSCREEN_NOISE = r"This plugin does not support \w+\(\)"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if UI_TESTS in Path(item.path).parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def isolated_settings(request, tmp_path, monkeypatch):
    """A fresh settings folder per test; yields its path.

    A window opened on a truly first launch starts lesson 1 by itself, and the lesson's
    actions would race with what a test does to the window. So the folder holds saved
    lesson progress (a returning learner at lesson 1, step 1), unless the test is marked
    ``first_launch``.
    """
    folder = tmp_path / "settings"
    folder.mkdir()
    monkeypatch.setenv("GDAPP_SETTINGS_DIR", str(folder))
    if request.node.get_closest_marker("first_launch") is None:
        from gdapp.ui.lessons.panel import SETTINGS_KEY
        from gdapp.ui.settings import make_settings

        settings = make_settings()
        settings.setValue(SETTINGS_KEY, json.dumps({"version": 1, "lesson_index": 0, "step": 0}))
        settings.sync()
    return folder


@pytest.fixture(autouse=True)
def joined_threads(qapp, monkeypatch):
    """Close leftover windows at teardown and check that every training thread was joined."""
    created: list[TrainingSession] = []
    original_init = TrainingSession.__init__

    def tracking_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        created.append(self)

    monkeypatch.setattr(TrainingSession, "__init__", tracking_init)
    yield created

    messages: list[str] = []

    def on_message(kind, _context, message):
        if kind not in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg) and not re.search(
            OFFSCREEN_NOISE, message
        ):
            messages.append(message)

    previous = qInstallMessageHandler(on_message)
    try:
        window_module = sys.modules.get("gdapp.ui.main_window")  # no window without it
        if window_module is not None:
            # The windows the app itself tracks, not QApplication.topLevelWidgets(): wrapping
            # every top-level widget (a tooltip label deleting itself, say) crashed teardown.
            for window in list(window_module._OPEN_WINDOWS):
                if shiboken6.isValid(window):
                    window.close()
        leaked = [c for c in created if c.thread_running]
        for controller in leaked:
            controller.shutdown()
        QApplication.processEvents()
    finally:
        qInstallMessageHandler(previous)
    assert not leaked, f"{len(leaked)} training thread(s) still running after the test"
    assert not messages, f"Qt warnings while closing: {messages}"


@pytest.fixture
def controller(qapp):
    """An TrainingSession on the diabetes preset, shut down after the test."""
    ctrl = TrainingSession()
    ctrl.load_preset("diabetes")
    yield ctrl
    ctrl.shutdown()
