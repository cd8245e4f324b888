"""Work put off until a window's first frame runs after the expose, once, and always runs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QWidget

from gdapp.ui.first_frame import after_first_frame
from gdapp.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


class ExposeLog(QObject):
    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log

    def eventFilter(self, watched, event):  # noqa: N802
        if event.type() == QEvent.Type.Expose:
            self.log.append("expose")
        return False


def test_the_work_runs_after_the_window_is_exposed(qtbot):
    widget = QLabel("first frame")
    qtbot.addWidget(widget)
    log: list[str] = []
    widget.show()
    watcher = ExposeLog(log)
    widget.windowHandle().installEventFilter(watcher)
    exposed_when_run = []

    def work() -> None:
        log.append("work")
        exposed_when_run.append(widget.windowHandle().isExposed())

    after_first_frame(widget, work)
    assert log == []  # nothing runs inside the call
    qtbot.waitUntil(lambda: "work" in log)
    assert log.index("expose") < log.index("work")
    assert exposed_when_run == [True]


def test_each_callback_runs_once_in_order(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    calls: list[str] = []
    after_first_frame(widget, lambda: calls.append("a"))
    after_first_frame(widget, lambda: calls.append("b"))
    qtbot.waitUntil(lambda: len(calls) == 2)
    qtbot.wait(50)
    assert calls == ["a", "b"]
    after_first_frame(widget, lambda: calls.append("c"))  # already exposed: next turn
    qtbot.waitUntil(lambda: len(calls) == 3)
    assert calls == ["a", "b", "c"]


def test_a_widget_never_shown_still_gets_its_callback(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    calls: list[int] = []
    after_first_frame(widget, lambda: calls.append(1))
    assert calls == []
    qtbot.waitUntil(lambda: calls == [1])


@pytest.mark.first_launch
def test_lesson_one_is_entered_after_the_first_frame(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert not window.lesson_panel.is_active  # not before the window is on the screen
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.lesson_panel.is_active)
    assert window.lesson_panel.runner.position == (0, 0)
    assert window.workspace.current_page == window.lesson_panel.view_state().page
    window.close()


@pytest.mark.first_launch
def test_a_learner_who_clicks_first_keeps_the_page_chosen(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.show_page("plots")  # before lesson 1 could be entered
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.controller.last_snapshot is not None)
    qtbot.wait(100)
    assert window.workspace.current_page == "plots"
    assert not window.lesson_panel.is_active  # the lesson waits for Resume
    window.lesson_panel.start()
    assert window.workspace.current_page == window.lesson_panel.view_state().page
    window.close()
