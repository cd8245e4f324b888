"""Python's cyclic garbage collector, run on the GUI thread only.

The collector runs in whichever thread happens to allocate when a generation fills up. If
that is the training thread and the garbage holds a Qt object (a closed dialog, a dropped
menu), the object is destroyed off the GUI thread, which can crash Qt or deadlock it against
the GUI thread (a hang of exactly this kind was seen with a worker thread here). While a
training thread exists, automatic collection is switched off and a GUI-thread timer collects
whenever a generation is over its threshold, as pyqtgraph's ``GarbageCollector`` does.

A full collection visits every object Python tracks: with the whole window built (its
pages, plots and lesson figures, about 110,000 objects) that takes 60-70 ms of the GUI
thread, and during a run the interpreter's rule makes one every minute or two.
``freeze_long_lived`` moves the objects alive once the window is built, which live as long
as it does, out of the collector's sight (``gc.freeze``): a full collection then visits
only what was made since. ``thaw`` gives them back (a closed window's objects must be
collectable again).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

COLLECT_INTERVAL_MS = 500

_holders = 0  # how many GuiThreadCollectors are active; automatic gc returns at zero
_was_enabled = True


def freeze_long_lived() -> int:
    """Leave every object alive now out of all later collections; how many there are.

    For objects that live until the window closes: any garbage among them stays until
    ``thaw``. Takes no time (the objects are moved, not visited)."""
    gc.freeze()
    return gc.get_freeze_count()


def thaw() -> None:
    """Let the collector see every frozen object again (from its oldest generation)."""
    gc.unfreeze()


class GuiThreadCollector(QObject):
    """While active, garbage is collected by this timer on the GUI thread, never elsewhere."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        global _holders, _was_enabled
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
        self._active = True
        self._timer = QTimer(self)
        self._timer.setInterval(COLLECT_INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> None:
        """Collect the oldest generation that is over its threshold, as the interpreter would."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return

    def stop(self) -> None:
        """Hand collection back to the interpreter once no collector is active."""
        global _holders
        if not self._active:
            return
        self._active = False
        self._timer.stop()
        _holders -= 1
        if _holders == 0 and _was_enabled:
            gc.enable()
