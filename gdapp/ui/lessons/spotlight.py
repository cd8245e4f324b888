"""A spotlight overlay: dims a window except the widget a lesson step talks about.

The overlay is a child of the top-level window covering all of it. It paints a translucent
veil with holes cut around the spotlighted widget (and any widget that must stay readable,
such as the lesson panel itself), and draws a ring around the spotlighted one. The holes
are also cut from the overlay's mask, so clicks inside them reach the widgets below.
Clicking the veil or pressing Esc dismisses it; otherwise it goes after a while.

The veil appears and goes at once, without a fade: it is translucent and covers the whole
window, so every frame of a fade would repaint every widget under it, the plots included
(tens of milliseconds each during a run).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPainterPath, QPen, QRegion, QShortcut
from PySide6.QtWidgets import QWidget

VEIL_COLOR = QColor(15, 20, 30, 150)
RING_COLOR = QColor(255, 196, 0)
RING_WIDTH_PX = 3
# The ring is drawn just inside the target's own rectangle, so that it never covers the
# text of a neighbouring widget (a caption right above a plot, say).
HOLE_PADDING_PX = 0
# How long the veil stays before it goes by itself (0 keeps it until dismissed).
DEFAULT_TIMEOUT_MS = 6000


class Spotlight(QWidget):
    """Dims ``window`` except a target widget; ``show_for`` starts it, ``dismiss`` ends it."""

    dismissed = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("spotlightOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setToolTip("Click anywhere on the dimmed area or press Esc to dismiss")
        self._window = window
        self._target: QWidget | None = None
        self._keep: list[QWidget] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
        self._escape.setContext(Qt.ShortcutContext.WindowShortcut)
        self._escape.setEnabled(False)
        self._escape.activated.connect(self.dismiss)
        window.installEventFilter(self)
        self.hide()

    @property
    def target(self) -> QWidget | None:
        """The widget in the light, or None when the overlay is not showing."""
        return self._target if self.isVisible() else None

    def find_target(self, name: str) -> QWidget | None:
        """The visible widget named ``name`` (objectName) inside the window, or None."""
        if self._window.objectName() == name:
            return self._window
        for widget in self._window.findChildren(QWidget, name):
            if widget.isVisible():
                return widget
        return None

    def show_for(
        self,
        target: QWidget | str,
        keep_visible: Iterable[QWidget] = (),
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
    ) -> bool:
        """Spotlight ``target`` (a widget or an objectName); False if it is not on screen.

        ``keep_visible`` widgets get a hole in the veil without a ring (e.g. the lesson text).
        """
        widget = self.find_target(target) if isinstance(target, str) else target
        if widget is None or not widget.isVisible():
            self.dismiss()
            return False
        for old in (self._target, *self._keep):
            if old is not None:
                old.removeEventFilter(self)
        self._target = widget
        self._keep = [w for w in keep_visible if w is not None and w is not widget]
        for watched in (widget, *self._keep):
            watched.installEventFilter(self)
        self._update_geometry()
        self.raise_()
        self.show()
        self._escape.setEnabled(True)
        if timeout_ms > 0:
            self._timer.start(timeout_ms)
        else:
            self._timer.stop()
        return True

    def dismiss(self) -> None:
        """Hide the veil; emits ``dismissed`` when it was showing."""
        self._timer.stop()
        self._escape.setEnabled(False)
        if self.isVisible():
            self._finish_dismiss()

    # -- geometry and painting ---------------------------------------------------------

    def _rect_of(self, widget: QWidget, padding: int) -> QRect:
        top_left = self.mapFromGlobal(widget.mapToGlobal(QPoint(0, 0)))
        rect = QRect(top_left, widget.size())
        return rect.adjusted(-padding, -padding, padding, padding).intersected(self.rect())

    def _holes(self) -> list[QRect]:
        holes = [self._rect_of(w, 0) for w in self._keep if w.isVisible()]
        if self._target is not None:
            holes.append(self._rect_of(self._target, HOLE_PADDING_PX))
        return holes

    def _update_geometry(self) -> None:
        self.setGeometry(self._window.rect())
        region = QRegion(self.rect())
        for hole in self._holes():
            region -= QRegion(hole)
        self.setMask(region)
        self.update()

    def paintEvent(self, event) -> None:  # noqa: ARG002 - Qt signature
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        veil = QPainterPath()
        veil.addRect(self.rect())
        for hole in self._holes():
            cut = QPainterPath()
            cut.addRect(hole)
            veil = veil.subtracted(cut)
        painter.fillPath(veil, VEIL_COLOR)
        if self._target is not None:
            ring = self._rect_of(self._target, HOLE_PADDING_PX)
            half = RING_WIDTH_PX // 2 + 1
            painter.setPen(QPen(RING_COLOR, RING_WIDTH_PX))
            painter.drawRoundedRect(ring.adjusted(half, half, -half, -half), 4, 4)
        painter.end()

    def mousePressEvent(self, event) -> None:
        event.accept()
        self.dismiss()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self.isVisible() and kind in (QEvent.Type.Resize, QEvent.Type.Move):
            self._update_geometry()
        elif self.isVisible() and watched is self._target and kind == QEvent.Type.Hide:
            self.dismiss()
        return False

    # -- going ---------------------------------------------------------------------------

    def _on_timer_timeout(self) -> None:
        self.dismiss()

    def _finish_dismiss(self) -> None:
        for watched in (self._target, *self._keep):
            if watched is not None:
                watched.removeEventFilter(self)
        self._target = None
        self._keep = []
        self.hide()
        self.dismissed.emit()
