"""Every lesson step, as a learner meets it: the lesson stays in view and nothing is clipped.

The walks run at the two window sizes the app is designed for. At each step (and again after
answering its question) the lesson panel and its Next button are visible, no label or button
of the lesson column is squeezed below the height its text needs, and the window keeps its
size inside the screen. Entering a step from its predecessor or from another lesson gives
the same ViewState and the same training state.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QWidget

from gdapp.ui.main_window import MainWindow
from gdapp.ui.view_state import PAGES

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


def open_window(qtbot, size):
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(*size)
    window.move(0, 0)
    window.show()
    qtbot.waitExposed(window)
    window.lesson_panel.start()
    return window


def positions(panel):
    return [
        (li, si)
        for li, lesson in enumerate(panel.runner.lessons)
        for si in range(len(lesson.steps))
    ]


def squeezed(panel) -> list[str]:
    """Labels and buttons of the lesson panel shown shorter than their text needs."""
    found = []
    for widget in panel.findChildren(QLabel) + panel.findChildren(QAbstractButton):
        if not widget.isVisibleTo(panel) or not widget.text():
            continue
        if isinstance(widget, QLabel) and widget.wordWrap():
            needed = widget.heightForWidth(widget.width())
        else:
            needed = widget.sizeHint().height()
        if widget.height() < needed:
            found.append(
                f"{widget.objectName() or widget.text()[:30]}: {widget.height()} < {needed}"
            )
    return found


def check_screen(qtbot, window, size, where):
    qtbot.wait(10)
    panel = window.lesson_panel
    next_button = window.findChild(QAbstractButton, "lessonNextButton")
    assert panel.isVisible() and next_button.isVisible(), where
    assert panel.rect().contains(next_button.geometry().translated(0, 0)) or next_button.isVisible()
    assert window.lesson_dock.isVisible(), where
    assert not window.lesson_dock.isFloating(), where
    assert squeezed(panel) == [], where
    assert window.size().width() <= size[0] and window.size().height() <= size[1], where
    assert QRect(0, 0, *size).contains(window.frameGeometry()), (where, window.frameGeometry())


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)], ids=["1280x800", "1024x768"])
def test_every_step_keeps_the_lesson_in_view_and_unclipped(qtbot, size):
    window = open_window(qtbot, size)
    panel = window.lesson_panel
    assert window.minimumSizeHint().width() <= 1024 and window.minimumSizeHint().height() <= 700
    assert window.minimumWidth() <= 1024 and window.minimumHeight() <= 700
    for li, si in positions(panel):
        panel.goto(li, si)
        where = f"lesson {li + 1} step {si + 1} at {size}"
        assert panel.last_notes == [], (where, panel.last_notes)
        check_screen(qtbot, window, size, where)
        if panel.runner.step.checkpoint is not None:
            panel.choose(0)
            check_screen(qtbot, window, size, where + " after answering")
            result = window.findChild(QLabel, "lessonCheckpointResult")
            assert result.isVisible() and result.text(), where
    window.close()


def page_clipped(window, page) -> list[str]:
    """Labels, buttons and inputs of a page squeezed below their text or cut off by the window."""
    found = squeezed(page)
    frame = window.rect()
    for widget in page.findChildren(QWidget):
        if not widget.isVisible() or not isinstance(widget, QAbstractButton | QComboBox | QLabel):
            continue
        if widget.window() is not window or widget.parentWidget().inherits("QScrollArea"):
            continue
        corner = widget.mapTo(window, widget.rect().bottomRight())
        if not frame.contains(corner):
            found.append(f"{widget.objectName() or type(widget).__name__} outside the window")
    return found


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)], ids=["1280x800", "1024x768"])
def test_every_page_keeps_the_lesson_in_view_and_the_boundary_page_unclipped(qtbot, size):
    window = open_window(qtbot, size)
    for page in PAGES:
        if page == "figure":
            continue  # shown only with a lesson figure: the step walk above covers it
        window.show_page(page)
        check_screen(qtbot, window, size, f"the {page} page at {size}")
    window.show_page("boundary")
    boundary = window.boundary_panel
    qtbot.waitUntil(lambda: boundary.redraw_count > 0)
    for opened in (False, True):  # the held-values form closed, then open
        boundary.held_toggle.setChecked(opened)
        where = f"the boundary page at {size}, held values {'open' if opened else 'closed'}"
        check_screen(qtbot, window, size, where)
        assert page_clipped(window, boundary) == [], where
        plot = boundary.plot
        assert plot.isVisible() and plot.width() >= 400 and plot.height() >= 250, where
        assert window.rect().contains(plot.mapTo(window, plot.rect().bottomRight())), where
    window.close()


def settled(qtbot, window):
    """Wait until the training a step asked for has finished; return the session's state."""
    controller = window.controller
    state = window.lesson_panel.runner.state_actions()

    def done():
        snapshot = controller.last_snapshot
        if snapshot is None or controller.is_running:
            return False
        if snapshot.commands_seen != controller.commands_sent:
            return False  # an older snapshot, from before the step's commands
        if "steps" in state:
            return snapshot.step_count == state["steps"]
        if "train" in state:
            return snapshot.status != "ready"
        return snapshot.step_count == 0

    qtbot.waitUntil(done, timeout=30_000)
    snapshot = controller.last_snapshot
    return (
        controller.dataset_origin,
        controller.config,
        controller.selected_sample,
        snapshot.step_count,
        snapshot.status,
        snapshot.theta.tobytes(),
    )


@pytest.mark.slow  # 51 steps entered twice each, training included: the full suite runs it
def test_entering_a_step_from_anywhere_gives_the_same_state(qtbot):
    window = open_window(qtbot, (1280, 800))
    panel = window.lesson_panel
    everywhere = positions(panel)
    lessons = len(panel.runner.lessons)
    for k, (li, si) in enumerate(everywhere):
        before = everywhere[k - 1] if k else everywhere[-1]
        other_lesson = (li + 1 + k % (lessons - 1)) % lessons
        elsewhere = (other_lesson, len(panel.runner.lessons[other_lesson].steps) - 1)
        seen = []
        for start in (before, elsewhere):
            panel.goto(*start)
            settled(qtbot, window)
            if start == elsewhere:  # a learner plays a little before moving on
                window.controller.step(3)
                qtbot.waitUntil(lambda: not window.controller.is_running)
            panel.goto(li, si)
            session = settled(qtbot, window)
            seen.append((window.view_model.state, session, window.workspace.current_page))
        assert seen[0] == seen[1], f"lesson {li + 1} step {si + 1}"
        assert seen[0][2] == seen[0][0].page
    window.close()


def test_a_bad_lesson_file_is_listed_and_the_others_open(qtbot, tmp_path, monkeypatch):
    from gdapp.lessons import model

    shipped = model.resource_path(model.LESSONS_DIR)
    for path in sorted(shipped.glob("*.md"))[:3]:
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "02-prediction.md").write_text("+++\nid = \n+++\n## Broken\n", encoding="utf-8")
    real = model.load_available_lessons
    monkeypatch.setattr("gdapp.ui.main_window.load_available_lessons", lambda: real(tmp_path))
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    panel = window.lesson_panel
    assert [lesson.number for lesson in panel.runner.lessons] == [1, 3]
    assert [p.path.name for p in panel.problems] == ["02-prediction.md"]
    contents = panel.findChild(type(panel._contents), "lessonContents")
    texts = [contents.topLevelItem(k).text(0) for k in range(contents.topLevelItemCount())]
    assert texts[1] == "02-prediction — unavailable"
    assert "02-prediction.md" in contents.topLevelItem(1).toolTip(0)
    panel.start()
    while panel.runner.lesson.number == 1:
        assert panel.next()
    assert panel.runner.lesson.number == 3  # the broken lesson is skipped, not a dead end
    window.close()
    np.testing.assert_equal(len(texts), 3)


def test_a_step_on_a_narrower_table_drops_the_runs_overlaid_before(qtbot):
    """Lesson 13 ends with four runs overlaid on the landscape; lesson 14 trains on xor, whose
    three parameters cannot take the default axes, and must not inherit those runs."""
    window = open_window(qtbot, (1280, 800))
    panel = window.lesson_panel
    last = len(panel.runner.lessons[12].steps) - 1
    panel.goto(12, last)
    settled(qtbot, window)
    assert window.view_model.state.overlays  # lesson 13's race of optimizers
    panel.goto(13, 0)
    settled(qtbot, window)
    qtbot.wait(50)  # the refused axes are written back a turn later
    assert window.view_model.state.overlays == ()
    landscape = window.landscape_panel
    assert tuple(landscape.state().overlays) == ()
    window.close()
