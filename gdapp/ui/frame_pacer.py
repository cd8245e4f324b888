"""Pace a live view's frames by what they cost, so drawing never takes the whole GUI thread.

A view that redraws on a fixed timer takes whatever its frames cost: on a fast machine a
30 ms timer leaves the GUI thread mostly idle, but on a slow one, or while the training
thread competes for the CPU and the GIL, four pyqtgraph plots can take 40 ms a frame, and
at 30 frames a second nothing else (a click, a lesson step, the status bar) gets a turn.

``FramePacer`` keeps the cost of the latest frames (the redraw and the paints it causes)
and spaces frames so that drawing takes at most ``duty`` of the time: a frame that took
``c`` seconds is followed by the next one no sooner than ``c / duty`` after it started,
and never sooner than ``min_interval_s``. A cheap frame keeps the full rate; a costly one
lowers it until the thread has room again.

``paint_next_turn(widget)`` puts a widget's paint one turn of the event loop after the work
that made it necessary, so that the two do not hold the loop as one; ``paint_with_window``
has a graphics view's changes painted with the window's next frame instead of at once.

A frame's timer that fires late lets the others go first. Qt runs the timers that are due
in the order they came due: a live view's frame timer, due a little before the 10 ms tick
that stands for a learner's input, fired right after a lesson step or a new dataset's
paint, and the two held the loop as one (a paint's 35-60 ms, then a 20-40 ms frame). The
pacer starts the view's timer (``start``) and so knows when it was due; one that fires
more than ``LATE_TIMER_MS`` after that (``yield_if_late``) waits ``YIELD_MS`` more, once
per frame: Qt handles the events posted meanwhile (a paint) before it looks at its timers
again, and with the frame 10 ms later the timers due by then come first.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGraphicsView, QWidget

DEFAULT_DUTY = 0.4  # the share of the GUI thread a live view's drawing may take
# A frame whose work took this long is painted one turn of the event loop later.
SPLIT_PAINT_AFTER_MS = 10.0
COST_MEMORY = 4  # frames whose cost is remembered; the largest of them sets the pace
# A frame timer that fires this much after it was due waits YIELD_MS more (yield_if_late).
LATE_TIMER_MS = 10.0
YIELD_MS = 10


class FramePacer:
    """When a view's next frame may start, from what its recent frames cost."""

    def __init__(
        self,
        min_interval_s: float,
        duty: float = DEFAULT_DUTY,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        if not 0.0 < duty <= 1.0:
            raise ValueError(f"duty must be in (0, 1], got {duty}")
        self.min_interval_s = float(min_interval_s)
        self.duty = float(duty)
        self._clock = clock
        self._started: float | None = None  # when the latest frame started
        self._costs: deque[float] = deque([0.0], maxlen=COST_MEMORY)
        self.frames = 0
        self._due: float | None = None  # when the timer started by ``start`` is due
        self.yielded = 0  # frames that let the others go first (for tests and benchmarks)

    def start(self, timer: QTimer, wait_ms: int | None = None) -> None:
        """Start the view's single-shot frame ``timer`` for ``wait_ms`` (default: the
        pacer's ``wait_ms()``), remembering when it is due."""
        wait_ms = self.wait_ms() if wait_ms is None else int(wait_ms)
        self._due = self._clock() + wait_ms / 1000.0
        timer.start(wait_ms)

    def yield_if_late(self, timer: QTimer) -> bool:
        """At the frame timer's timeout: if it fired more than LATE_TIMER_MS after it was
        due (the loop was busy), start it again for YIELD_MS and return True: the frame
        waits, behind the events posted meanwhile and the timers due by then. Once per
        frame, so a busy loop delays frames but never stops them.
        """
        due, self._due = self._due, None
        if due is None or (self._clock() - due) * 1000.0 <= LATE_TIMER_MS:
            return False
        self.yielded += 1
        timer.start(YIELD_MS)
        return True

    def frame_started(self) -> float:
        """Mark the start of a frame; returns the clock's time, for ``add_cost``."""
        self._started = self._clock()
        self._costs.append(0.0)
        self.frames += 1
        return self._started

    def add_cost(self, seconds: float) -> None:
        """Count ``seconds`` of drawing (the redraw, or a paint it caused) to this frame."""
        self._costs[-1] += max(0.0, float(seconds))

    @property
    def cost_s(self) -> float:
        """The largest cost of the remembered frames, in seconds."""
        return max(self._costs)

    @property
    def interval_s(self) -> float:
        """The time from one frame's start to the next one's."""
        return max(self.min_interval_s, self.cost_s / self.duty)

    def wait_ms(self) -> int:
        """Milliseconds from now until the next frame may start (0: at once)."""
        if self._started is None:
            return 0
        due = self._started + self.interval_s - self._clock()
        return max(0, int(due * 1000.0 + 0.5))


def paint_next_turn(
    widget: QWidget, turns: int = 1, before_paint: Callable[[], object] | None = None
) -> None:
    """Keep ``widget`` from painting until the event loop's next turn (or ``turns``-th).

    A change (a lesson step, a dataset, a long redraw) makes its widgets lay themselves out
    in the events it posts, and Qt paints the result before it looks at its timers again:
    the change, its layout and its first frame would hold the event loop as one. The
    widget's updates are off until a timer fires, which Qt handles after the other timers
    already due, so those run between the two halves. With ``turns`` = 2 the widget paints
    a turn after those given 1, in a frame of its own. ``before_paint`` is called as the
    updates come back (the window holds a run then, for the frame about to be drawn).
    Calls made while it waits add nothing. (Give it a child widget: a top-level window
    whose updates come back does not redraw its plots.)
    """
    if widget.testAttribute(Qt.WidgetAttribute.WA_ForceUpdatesDisabled):
        return  # already waiting for its turn
    widget.setUpdatesEnabled(False)
    _enable_after(widget, max(1, turns), before_paint)


def _enable_after(widget: QWidget, turns: int, before_paint: Callable[[], object] | None) -> None:
    # 1 ms, not 0: Qt turns a zero-delay single shot into a posted call, which would run
    # in the same turn, before the layout it is meant to follow.
    if turns > 1:
        QTimer.singleShot(1, widget, partial(_enable_after, widget, turns - 1, before_paint))
    else:
        QTimer.singleShot(1, widget, partial(_updates_back, widget, before_paint))


def _updates_back(widget: QWidget, before_paint: Callable[[], object] | None) -> None:
    if before_paint is not None:
        before_paint()
    widget.setUpdatesEnabled(True)


def paint_next_turn_if_long(widget: QWidget, cost_s: float) -> None:
    """After a view's update that took ``cost_s`` seconds: a long one (a new dataset's
    first data, a new graph) is painted one turn later, so that the update and its paint
    do not hold the event loop as one; a quick one, as in a steady run, is painted at once.
    """
    if cost_s * 1000.0 >= SPLIT_PAINT_AFTER_MS:
        paint_next_turn(widget)


def _scene_changed(_region) -> None:
    """Nothing: connected only so that Qt takes its lazy path (see ``paint_with_window``)."""


def paint_with_window(view: QGraphicsView) -> None:
    """Let ``view``'s scene mark its changes for the window's next paint, not paint now.

    When nothing listens to a scene's ``changed`` signal, Qt hands the scene's pending
    updates straight to its views and has the window paint them at once, inside the
    scene's own queued call. After a change that touches several plots (a lesson step, a
    dataset), each plot's scene painted the whole window again in the same turn of the
    event loop: two or three paints of every dirty widget where one would do. With a
    listener, each scene reports its changed region and the views schedule an ordinary
    update, which Qt paints once, with the rest of the window.
    """
    scene = view.scene()
    if scene is not None:
        scene.changed.connect(_scene_changed)
