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
