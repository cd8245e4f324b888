"""A change (a lesson step, a dataset, a model, Run) is drawn one turn of the event loop later.

Qt handles the events a change posts (layouts, scene updates, the window's repaint) before
it looks at its timers again; a change and its first frame then hold the loop as one. The
window keeps its updates off until the timers already due have run.
"""

from __future__ import annotations

from functools import partial

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QTextBrowser, QWidget
from support.windows import shown_window

from gdapp.ui.panels import plots
from gdapp.ui.panels.plots import PlotsPanel
from gdapp.ui.plot_items import PlotView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


@pytest.fixture
def window(qtbot):
    window = shown_window(qtbot)
    window.show_page("plots")
    qtbot.wait(50)
    yield window
    window.close()


def first_events_after(qtbot, window, change) -> list[str]:
    """What comes first after ``change``, made in a timer event as a click would be made in
    an input event: a timer that fell due meanwhile, or the plots' paint."""
    order: list[str] = []
    recording = False  # a paint from before the change (a late snapshot) does not count
    loss = window.findChild(PlotView, "lossPlot")
    loss.painted.connect(lambda: recording and order.append("paint"))
    due = QTimer()
    due.setSingleShot(True)
    due.timeout.connect(lambda: order.append("timer"))

    areas = (window.centralWidget(), window.lesson_dock, window.findChild(PlotsPanel))

    def make_change() -> None:
        nonlocal recording
        if not all(area.updatesEnabled() for area in areas):
            # An earlier change (the first lesson step, a late snapshot's redraw) is still
            # to be drawn; its timer could fire in this turn and let the paint through.
            QTimer.singleShot(5, make_change)
            return
        recording = True
        due.start(0)  # falls due while the change is made, as a ticking timer would
        change()
        loss.viewport().update()  # and the plot has something new to draw either way

    QTimer.singleShot(5, make_change)
    qtbot.waitUntil(lambda: "paint" in order and "timer" in order)
    return order


def firsts_until(qtbot, window, changes, expected: str) -> list[str]:
    """What came first after each change in turn, until it is ``expected``.

    On a loaded machine a frame already on its way can now and then come first; a change
    drawn in its own turn puts the paint first every time, and fails all the tries.
    """
    seen: list[str] = []
    for change in changes:
        seen.append(first_events_after(qtbot, window, change)[0])
        if seen[-1] == expected:
            break
    return seen


@pytest.mark.parametrize("kind", ["dataset", "lesson step"])
def test_timers_already_due_run_before_the_change_is_drawn(qtbot, window, kind):
    controller = window.controller
    panel = window.lesson_panel
    changes = {
        "dataset": [partial(controller.load_preset, name) for name in ("moons", "xor", "moons")],
        # Steps of lesson 9, which show the plots page: the loss plot has a frame to draw.
        "lesson step": [partial(panel.goto, *place) for place in ((8, 1), (8, 3), (8, 2))],
    }
    seen = firsts_until(qtbot, window, changes[kind], "timer")
    assert seen[-1] == "timer", seen
    controller.pause()


@pytest.mark.parametrize(("split_after_ms", "first"), [(0.0, "timer"), (1e9, "paint")])
def test_a_long_redraw_is_painted_after_the_timers_already_due(
    qtbot, window, monkeypatch, split_after_ms, first
):
    """A redraw that took SPLIT_PAINT_AFTER_MS or longer is painted a turn later; a quick
    one, as in a steady run, at once (both made long or quick here by the threshold)."""
    controller = window.controller
    controller.step(5)
    qtbot.waitUntil(lambda: controller.last_snapshot.step_count == 5)
    qtbot.wait(50)  # the redraw of those steps is done
    monkeypatch.setattr(plots, "SPLIT_PAINT_AFTER_MS", split_after_ms)
    panel = window.findChild(PlotsPanel)
    seen = firsts_until(qtbot, window, [partial(panel.set_shown_weights, None)] * 3, first)
    assert seen[-1] == first, seen
    qtbot.waitUntil(panel.updatesEnabled)  # and the plots are drawn again either way


def test_updates_come_back_after_the_turn_and_after_a_burst_of_changes(qtbot, window):
    central = window.centralWidget()
    controller = window.controller
    controller.load_preset("moons")
    assert not central.updatesEnabled()  # off until the next turn
    qtbot.waitUntil(central.updatesEnabled)
    for name in ("xor", "diabetes", "moons", "diabetes"):
        controller.load_preset(name)
        QApplication.processEvents()
    qtbot.waitUntil(central.updatesEnabled)
    painted: set[str] = set()
    views = window.findChildren(PlotView)
    shown = [view for view in views if view.isVisible()]
    assert len(shown) == 4  # the plots page
    for view in views:
        view.painted.connect(lambda view=view: painted.add(view.objectName()))
    controller.load_preset("xor")  # every plot has new curves and axes to draw
    # Each one is drawn once updates are back: none is left showing the old dataset.
    qtbot.waitUntil(lambda: painted >= {view.objectName() for view in shown})


class PaintCounter(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, _watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_the_lesson_column_shows_the_new_step_once_updates_are_back(qtbot, window):
    panel = window.lesson_panel
    panel.goto(1, 0)
    qtbot.wait(100)
    text = panel.findChild(QTextBrowser, "lessonText")
    paints = PaintCounter(text.viewport())
    panel.goto(8, 1)  # another lesson: new text in the dock
    assert not window.lesson_dock.updatesEnabled()  # drawn next turn, with the workspace
    qtbot.waitUntil(lambda: window.lesson_dock.updatesEnabled() and paints.count > 0)
    assert panel.runner.lessons[8].steps[1].title.split()[0] in text.toPlainText()
