"""Let a run step aside while the GUI thread handles events: handlers and frames at full speed.

During a run the training thread wants the CPU and the GIL all the time. Each time Qt calls
into Python on the GUI thread (an event handler, a slot, a pyqtgraph item's ``paint``) that
thread must win the GIL back, waiting up to Python's switch interval (5 ms) for the training
loop to let it go, and on a loaded machine the training thread takes CPU time from it too: a
frame that takes 10 ms at rest can take hundreds of milliseconds during a run.

``BusyHold`` sees every event the GUI thread delivers (an application-wide event filter) and
tells the run to leave the GUI thread the next ``GUI_BUSY_GRACE_S`` before its next batch of
steps (``TrainingSession.defer_to_gui``); when the event loop is about to wait for more
events, the time is given back at once. A busy GUI thread thus slows the run by the time it
works and no more: at rest it sleeps almost all the time, and code that spins
``processEvents()`` and sleeps (QTest's waits) leaves the run its sleeps. Bursts of Python
work without events in between (a new dataset, a lesson step) hold the run explicitly
(``TrainingSession.hold_training``).

A change the learner makes (a click or a key, a new dataset, model or optimizer, another
page or lesson step) is followed by a frame that redraws much of the window. ``hold_until_idle``
holds the run from the change until the event loop next goes idle, so that frame is drawn
with the GIL to itself; ``HOLD_UNTIL_IDLE_MAX_MS`` bounds the hold if the loop stays busy.
The window often draws that frame a turn after the change (``frame_pacer.paint_next_turn``),
by when the hold has ended and the run has come back; ``hold_next_repaint`` holds the run
again for the window's next repaint. (Every repaint is not held: the landscape's frames,
10-20 ms thirty times a second, would cost a run 40 % of its steps.)
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractEventDispatcher, QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from gdapp.ui.controller import TrainingSession

# After each event, how long a run leaves the GUI thread alone: long enough to cover the
# longest handler or frame we allow (100 ms), since a frame is one event and the run must
# not come back halfway through it; the loop going idle gives the time back at once, and a
# run still takes a batch every BUSY_WAIT_MAX_S.
GUI_BUSY_GRACE_S = 0.1
HOLD_UNTIL_IDLE_MAX_MS = 250  # longest a change holds the run waiting for the loop to go idle
# Input that usually changes what the window shows; each holds the run until idle.
INPUT_EVENTS = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.Wheel})
REPAINT = QEvent.Type.UpdateRequest  # sent to a window to paint what changed in it


class BusyHold(QObject):
    """Makes ``controller``'s run step aside while the GUI thread handles events."""

    def __init__(self, window: QWidget, controller: TrainingSession) -> None:
        super().__init__(window)
        self._controller = controller
        self.events_seen = 0  # during runs (for tests and benchmarks)
        self._idle_hold = ExitStack()
        self._holding = False
        self._repaint_due = False  # hold the run for the window's next repaint
        self._window = window
        self._hold_cap = QTimer(self)
        self._hold_cap.setSingleShot(True)
        self._hold_cap.setInterval(HOLD_UNTIL_IDLE_MAX_MS)
        self._hold_cap.timeout.connect(self._release_idle_hold)
        # Qt removes the filter and drops the connection when this object is deleted.
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        dispatcher = QAbstractEventDispatcher.instance(self.thread())
        if dispatcher is not None:
            dispatcher.aboutToBlock.connect(self._on_dispatcher_about_to_block)

    def hold_until_idle(self, *_args) -> None:
        """Hold a run until the event loop next goes idle (at most HOLD_UNTIL_IDLE_MAX_MS).

        Takes any arguments, so that any signal can be connected to it.
        """
        if self._holding or not self._controller.is_running:
            return
        self._holding = True
        self._idle_hold.enter_context(self._controller.hold_training())
        self._hold_cap.start()

    def hold_next_repaint(self, *_args) -> None:
        """Hold a run while the window next repaints (until the loop goes idle after it)."""
        self._repaint_due = self._controller.is_running

    @property
    def holding(self) -> bool:
        """True while a change holds the run."""
        return self._holding

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        controller = self._controller
        if controller.is_running:
            self.events_seen += 1
            controller.defer_to_gui(GUI_BUSY_GRACE_S)
            kind = event.type()
            if kind in INPUT_EVENTS:
                self.hold_until_idle()
            elif kind == REPAINT and self._repaint_due and watched is self._window:
                self._repaint_due = False
                self.hold_until_idle()
        return False

    def _on_dispatcher_about_to_block(self) -> None:
        self._release_idle_hold()
        if self._controller.is_running:
            self._controller.defer_to_gui(0.0)

    def _release_idle_hold(self) -> None:
        if self._holding:
            self._holding = False
            self._hold_cap.stop()
            self._idle_hold.close()
