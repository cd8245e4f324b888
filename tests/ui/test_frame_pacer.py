"""FramePacer on a fake clock, and its wiring into the live views that use it."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

from gdapp.ui.frame_pacer import COST_MEMORY, LATE_TIMER_MS, YIELD_MS, FramePacer


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


def test_a_frame_timer_that_fires_late_waits_once(qtbot):
    clock = Clock()
    pacer = FramePacer(0.030, clock=clock)
    timer = QTimer(singleShot=True)
    pacer.start(timer, 20)
    clock.now += (20 + LATE_TIMER_MS / 2) / 1000  # a little late: the frame goes ahead
    assert not pacer.yield_if_late(timer)
    pacer.start(timer, 20)
    clock.now += (20 + 3 * LATE_TIMER_MS) / 1000  # the loop was busy: the frame waits
    assert pacer.yield_if_late(timer)
    assert timer.isActive() and timer.interval() == YIELD_MS
    assert not pacer.yield_if_late(timer)  # once: the next timeout draws, however late
    assert pacer.yielded == 1
    timer.stop()


class _Busy(QObject):
    """Takes ``seconds`` of the GUI thread on a posted event, as a long paint would."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.User:
            end = time.perf_counter() + self.seconds
            while time.perf_counter() < end:
                pass
            return True
        return super().event(event)


def test_a_frame_due_before_a_busy_stretch_lets_the_timers_due_during_it_go_first(qtbot):
    # Qt runs the posted events first, then the timers due, in the order they came due:
    # the frame (due first) would run before the other timer, both late.
    order = []
    pacer = FramePacer(0.030)
    frame = QTimer(singleShot=True)
    other = QTimer(singleShot=True, interval=5)

    def on_frame() -> None:
        if pacer.yield_if_late(frame):
            order.append("frame waits")
            return
        order.append("frame")

    frame.timeout.connect(on_frame)
    other.timeout.connect(lambda: order.append("other"))
    busy = _Busy(3 * LATE_TIMER_MS / 1000)
    pacer.start(frame, 0)
    other.start()
    QCoreApplication.postEvent(busy, QEvent(QEvent.Type.User))
    qtbot.waitUntil(lambda: "frame" in order, timeout=5000)
    assert order == ["frame waits", "other", "frame"]


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
