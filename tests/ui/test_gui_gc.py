"""Garbage is collected on the GUI thread only while a training thread exists."""

from __future__ import annotations

import gc
import weakref

from gdapp.ui.controller import TrainingSession
from gdapp.ui.gui_gc import GuiThreadCollector


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_automatic_collection_is_off_while_a_controller_lives(qapp):
    assert gc.isenabled()
    first = TrainingSession()
    second = TrainingSession()
    try:
        assert not gc.isenabled()
        first.shutdown()
        assert not gc.isenabled()  # the second controller's thread still runs
    finally:
        first.shutdown()
        second.shutdown()
    assert gc.isenabled()


def test_a_full_generation_is_collected_on_the_gui_thread(qapp):
    gc.collect()  # every generation starts empty
    collector = GuiThreadCollector()
    try:
        assert collector.thread() is qapp.thread()
        assert collector._timer.isActive()
        cycle = _Cycle()
        alive = weakref.ref(cycle)
        del cycle
        collector.collect()  # generation 0 is not full yet: nothing happens
        assert alive() is not None
        junk = [_Cycle() for _ in range(gc.get_threshold()[0] + 10)]
        del junk
        collector.collect()
        assert alive() is None
    finally:
        collector.stop()
    assert gc.isenabled()


def test_a_built_window_is_left_out_of_collections_until_it_closes(qtbot):
    """Once every page and lesson figure is built, the window's objects are frozen: a full
    collection, which visits every tracked object, would otherwise walk them all again
    (60-70 ms of the GUI thread). Closing the window makes them collectable again."""
    from gdapp.ui.lessons.figures import FIGURE_CLASSES
    from gdapp.ui.main_window import MainWindow
    from gdapp.ui.panels.plots import PlotsPanel
    from gdapp.ui.view_state import PAGES

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(
        lambda: (
            all(window.workspace.is_built(page) for page in PAGES)
            and all(window.figure_page.has_figure(name) for name in FIGURE_CLASSES)
        ),
        timeout=30_000,
    )
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 0)
    panel = window.findChild(PlotsPanel)
    curve = panel.curves["train_loss"]
    tracked = {id(obj) for obj in gc.get_objects()}
    assert id(panel) not in tracked and id(curve) not in tracked
    made_later = _Cycle()  # what the run makes from now on is collected as before
    assert any(obj is made_later for obj in gc.get_objects())
    window.close()
    assert gc.get_freeze_count() == 0
    assert id(curve) in {id(obj) for obj in gc.get_objects()}
