"""FramePacer on a fake clock, and its wiring into the live views that use it."""

from __future__ import annotations

import pytest

from gdapp.ui.frame_pacer import COST_MEMORY, FramePacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_cheap_frame_keeps_the_minimum_interval():
    clock = Clock()
    pacer = FramePacer(0.030, duty=0.4, clock=clock)
    assert pacer.wait_ms() == 0  # nothing drawn yet: at once
    pacer.frame_started()
    pacer.add_cost(0.004)
    assert pacer.interval_s == pytest.approx(0.030)
    clock.now += 0.010
    assert pacer.wait_ms() == 20
    clock.now += 0.050
    assert pacer.wait_ms() == 0


def test_a_costly_frame_spaces_the_next_so_drawing_keeps_its_share():
    clock = Clock()
    pacer = FramePacer(0.030, duty=0.4, clock=clock)
    pacer.frame_started()
    pacer.add_cost(0.020)  # the redraw
    pacer.add_cost(0.020)  # and the paint it caused
    assert pacer.cost_s == pytest.approx(0.040)
    assert pacer.interval_s == pytest.approx(0.100)  # 40 ms of every 100 ms
    clock.now += 0.040
    assert pacer.wait_ms() == 60


def test_the_largest_recent_cost_sets_the_pace_until_it_is_forgotten():
    clock = Clock()
    pacer = FramePacer(0.010, duty=0.5, clock=clock)
    pacer.frame_started()
    pacer.add_cost(0.050)
    for _ in range(COST_MEMORY - 1):
        pacer.frame_started()
        pacer.add_cost(0.002)
        assert pacer.interval_s == pytest.approx(0.100)
    pacer.frame_started()
    pacer.add_cost(0.002)
    assert pacer.interval_s == pytest.approx(0.010)


def test_negative_costs_are_ignored_and_the_duty_is_checked():
    pacer = FramePacer(0.02)
    pacer.frame_started()
    pacer.add_cost(-1.0)
    assert pacer.cost_s == 0.0
    with pytest.raises(ValueError):
        FramePacer(0.02, duty=0.0)
    with pytest.raises(ValueError):
        FramePacer(0.02, duty=1.5)


def test_the_plots_and_the_graph_count_their_redraws_and_paints(qtbot):
    from gdapp.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    controller = window.controller
    for page, pacer_of in (
        ("plots", lambda: window.workspace.page("plots").pacer),
        ("graph", lambda: window.workspace.page("graph").pacer),
    ):
        window.show_page(page)
        pacer = pacer_of()
        frames = pacer.frames
        controller.step(5)
        qtbot.waitUntil(lambda p=pacer, f=frames: p.frames > f and p.cost_s > 0, timeout=10_000)
    window.close()
