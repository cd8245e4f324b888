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

from gdapp.ui import frame_pacer
from gdapp.ui.lessons.figures import FIGURE_CLASSES
from gdapp.ui.panels.plots import PlotsPanel
from gdapp.ui.plot_items import PlotView
from gdapp.ui.view_state import PAGES

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


@pytest.fixture
def window(qtbot):
    window = shown_window(qtbot)
    window.show_page("plots")
    qtbot.wait(50)
    yield window
    window.close()


def events_after(qtbot, monkeypatch, window, change, area: QWidget) -> list[str]:
    """What follows ``change``, made in a timer event as a click would be made in an input
    event: a timer that fell due meanwhile ("timer"), ``area``'s updates coming back
    ("updates back") and the loss plot's paint ("paint").

    The updates coming back is what lets the change's frame be painted. (A paint can come
    before it even so: Qt paints a widget whose updates are off as part of its window when
    the window itself is drawn, as a loaded machine's late frames can make it.)
    """
    order: list[str] = []
    loss = window.findChild(PlotView, "lossPlot")
    loss.painted.connect(lambda: order and order.append("paint"))
    due = QTimer()
    due.setSingleShot(True)
    due.timeout.connect(lambda: order.append("timer"))
    set_updates = area.setUpdatesEnabled

    def set_updates_seen(enable: bool) -> None:
        set_updates(enable)
        if enable and order:
            order.append("updates back")

    monkeypatch.setattr(area, "setUpdatesEnabled", set_updates_seen)
    areas = (window.centralWidget(), window.lesson_dock, window.findChild(PlotsPanel))

    def make_change() -> None:
        if not all(each.updatesEnabled() for each in areas):
            QTimer.singleShot(5, make_change)  # an earlier change is still to be drawn
            return
        order.append("change")
        due.start(0)  # falls due while the change is made, as a ticking timer would
        change()
        loss.viewport().update()  # and the plot has something new to draw either way

    QTimer.singleShot(5, make_change)
    qtbot.waitUntil(lambda: "paint" in order and "timer" in order)
    qtbot.wait(20)  # any updates still to come back
    return order[1:]


@pytest.mark.parametrize("kind", ["dataset", "lesson step"])
def test_timers_already_due_run_before_the_change_is_drawn(qtbot, monkeypatch, window, kind):
    controller = window.controller
    changes = {
        "dataset": lambda: controller.load_preset("moons"),
        "lesson step": lambda: window.lesson_panel.goto(8, 1),  # lesson 9: the plots page
    }
    order = events_after(qtbot, monkeypatch, window, changes[kind], window.centralWidget())
    assert "updates back" in order, order  # they were off
    assert order.index("timer") < order.index("updates back"), order
    controller.pause()


@pytest.mark.parametrize("long", [True, False], ids=["long redraw", "quick redraw"])
def test_a_long_redraw_is_painted_after_the_timers_already_due(qtbot, monkeypatch, window, long):
    """A redraw that took SPLIT_PAINT_AFTER_MS or longer is painted a turn later; a quick
    one, as in a steady run, at once (both made long or quick here by the threshold)."""
    controller = window.controller
    controller.step(5)
    qtbot.waitUntil(lambda: controller.last_snapshot.step_count == 5)
    qtbot.wait(50)  # the redraw of those steps is done
    monkeypatch.setattr(frame_pacer, "SPLIT_PAINT_AFTER_MS", 0.0 if long else 1e9)
    panel = window.findChild(PlotsPanel)
    order = events_after(qtbot, monkeypatch, window, lambda: panel.set_shown_weights(None), panel)
    if long:
        assert "updates back" in order, order
        assert order.index("timer") < order.index("updates back"), order
    else:
        assert "updates back" not in order, order  # never turned off: painted at once
    assert panel.updatesEnabled()


@pytest.mark.parametrize("long", [True, False], ids=["long refresh", "quick refresh"])
def test_a_long_graph_refresh_is_painted_a_turn_later(qtbot, monkeypatch, window, long):
    """The graph panel follows the same rule as the plots: its refresh for a new snapshot,
    when it took long, is painted a turn later; a quick refresh at once."""
    window.show_page("graph")
    panel = window.findChild(QWidget, "graphView")
    qtbot.waitUntil(lambda: bool(panel.displayed_values()))
    qtbot.wait(100)
    monkeypatch.setattr(frame_pacer, "SPLIT_PAINT_AFTER_MS", 0.0 if long else 1e9)
    seen: list[bool] = []
    set_updates = panel.setUpdatesEnabled
    monkeypatch.setattr(panel, "setUpdatesEnabled", lambda on: (seen.append(on), set_updates(on)))
    before = panel.displayed_values()
    window.controller.step(3)  # a new snapshot: the refresh timer, then the cards
    qtbot.waitUntil(lambda: panel.displayed_values() != before)
    if long:
        qtbot.waitUntil(lambda: seen == [False, True])
    else:
        qtbot.wait(50)
        assert seen == []
    assert panel.updatesEnabled()


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


class EventCounter(QObject):
    """Counts the events of one type delivered to ``widget`` (its paints, its repaints)."""

    def __init__(self, widget: QWidget, kind: QEvent.Type) -> None:
        super().__init__(widget)
        self.kind = kind
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, _watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == self.kind:
            self.count += 1
        return False


def test_the_lesson_column_shows_the_new_step_once_updates_are_back(qtbot, window):
    panel = window.lesson_panel
    panel.goto(1, 0)
    qtbot.wait(100)
    text = panel.findChild(QTextBrowser, "lessonText")
    paints = EventCounter(text.viewport(), QEvent.Type.Paint)
    panel.goto(8, 1)  # another lesson: new text in the dock
    assert not window.lesson_dock.updatesEnabled()  # drawn a turn after the workspace
    qtbot.waitUntil(lambda: window.lesson_dock.updatesEnabled() and paints.count > 0)
    assert panel.runner.lessons[8].steps[1].title.split()[0] in text.toPlainText()


def test_after_a_lesson_step_the_workspace_and_the_lesson_column_paint_in_turn(qtbot, window):
    """A new page and new lesson text painted in one repaint held the event loop for
    40-80 ms: the workspace repaints first, and the lesson column in a later repaint."""
    panel, workspace, dock = window.lesson_panel, window.centralWidget(), window.lesson_dock
    panel.goto(1, 0)
    qtbot.wait(100)
    order: list[tuple[bool, bool]] = []  # (workspace, dock) updates at each window repaint

    class Watch(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
            if watched is window and event.type() == QEvent.Type.UpdateRequest:
                order.append((workspace.updatesEnabled(), dock.updatesEnabled()))
            return False

    watch = Watch()
    window.installEventFilter(watch)
    try:
        panel.goto(8, 1)  # another lesson: a new page and new text
        assert not workspace.updatesEnabled() and not dock.updatesEnabled()
        qtbot.waitUntil(lambda: dock.updatesEnabled() and bool(order) and all(order[-1]))
    finally:
        window.removeEventFilter(watch)
    assert (True, False) in order  # a repaint with the workspace back and the dock not yet
    assert order.index((True, False)) < order.index((True, True))


def test_a_change_to_every_plot_is_painted_in_one_repaint_of_the_window(qtbot, window):
    """Four plots changed in one turn are drawn by one repaint of the window. Without a
    listener on each scene's ``changed`` signal, Qt has every scene repaint the window at
    once from its own queued call: one repaint per plot."""
    panel = window.findChild(PlotsPanel)
    window.controller.pause()
    # The window builds its other pages and the lesson figures in the background after
    # its first frame; a page coming in can lay the workspace out (and repaint it) again.
    qtbot.waitUntil(
        lambda: (
            all(window.workspace.is_built(page) for page in PAGES)
            and all(window.figure_page.has_figure(name) for name in FIGURE_CLASSES)
        ),
        timeout=30_000,
    )
    qtbot.waitUntil(lambda: not panel._timer.isActive())
    qtbot.wait(200)  # nothing left to draw
    requests = EventCounter(window, QEvent.Type.UpdateRequest)  # one per repaint
    painted_in: dict[str, list[int]] = {view.objectName(): [] for view in panel.views.values()}
    for name in painted_in:
        view = window.findChild(PlotView, name)
        view.painted.connect(partial(lambda name: painted_in[name].append(requests.count), name))

    def change_every_plot() -> None:
        for k, plot in enumerate(panel.plots.values()):
            plot.plot([0.0, 1.0, 2.0], [k, k + 1.0, k - 1.0])  # a new curve in each

    QTimer.singleShot(0, change_every_plot)
    qtbot.waitUntil(lambda: all(painted_in.values()))
    qtbot.wait(100)
    assert all(len(repaints) == 1 for repaints in painted_in.values()), painted_in
    assert len({repaints[0] for repaints in painted_in.values()}) == 1, painted_in
