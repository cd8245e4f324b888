"""The view onto the graph scene: wheel and button zoom, drag to pan, fit, render to an image.

The view fits the diagram on show, on resize and when the graph changes, until the user
zooms; a change of view turns fitting back on. Fitting never shrinks the smallest text
below ``READABLE_TEXT_PX``: a diagram too wide for that is shown at the readable size from
its inputs on, with scroll bars and a line saying how to see the rest. The Fit button
(Ctrl+0) fits the whole diagram whatever its text size, until the view changes.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QTransform
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QLabel, QWidget

from gdapp.ui.frame_pacer import paint_with_window
from gdapp.ui.panels.graph.style import DEFAULT_FONT_PX

ZOOM_STEP = 1.25  # per wheel notch or button press
ZOOM_MIN = 0.1
ZOOM_MAX = 6.0
FIT_MAX_ZOOM = 1.6  # a small graph is fitted no larger than this
EXPORT_SCALE = 2.0  # exported images are drawn at twice the scene's size, for sharp text
READABLE_TEXT_PX = 11.0  # fitting keeps the smallest text at least this large on screen
SMALL_HINT_TEXT_PX = 8.0  # text fitted whole smaller than this on screen gets the hint below
SMALL_HINT = "Shrunk to fit: enlarge this panel, or zoom in with the wheel, to read the labels."
CUT_HINT = "Drag or scroll to see the rest of the graph; Fit (Ctrl+0) shows it all, smaller."


class GraphCanvas(QGraphicsView):
    """QGraphicsView with zoom, pan and auto-fit. Signals: ``zoom_changed(float)``, and
    ``painted(float)`` with the seconds its paint took (the panel paces its refreshes by it).
    """

    zoom_changed = Signal(float)
    painted = Signal(float)

    def paintEvent(self, event) -> None:
        started = time.perf_counter()
        super().paintEvent(event)
        self.painted.emit(time.perf_counter() - started)

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        paint_with_window(self)
        self.setObjectName("graphCanvas")
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing
            | QPainter.RenderHint.TextAntialiasing
            | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.auto_fit = True
        self.fits_whole = False  # the Fit button's mode: the whole diagram, however small
        self.cut_to_read = False  # the last fit kept the text readable and cut the diagram
        self.text_px = float(DEFAULT_FONT_PX)  # card text size in scene units
        self.setToolTip(
            "Hover a card for its numbers in full, an arrow for its local derivative.\n"
            "Mouse wheel: zoom · drag: pan · Fit (Ctrl+0): show it all."
        )
        self._hint = QLabel(SMALL_HINT, self.viewport())
        self._hint.setObjectName("graphSmallHint")
        self._hint.setStyleSheet(
            "background: rgba(255, 248, 220, 230); border: 1px solid #d9c27a; padding: 2px 4px;"
        )
        self._hint.hide()
        self.zoom_changed.connect(self._on_zoom_changed)

    @property
    def zoom(self) -> float:
        """Current scale: 1 means one scene unit per pixel."""
        return self.transform().m11()

    def fit(self) -> None:
        """Fit the diagram with its text readable, and keep doing so on resize until the user
        zooms (see the module docstring)."""
        self._fit(whole=False)

    def fit_whole(self) -> None:
        """Fit the whole diagram however small its text gets (the Fit button, Ctrl+0)."""
        self._fit(whole=True)

    def refit(self) -> None:
        """Fit again the way the last fit did (readable, or whole)."""
        self._fit(self.fits_whole)

    def _fit(self, whole: bool) -> None:
        self.auto_fit, self.fits_whole = True, whole
        rect = self.scene().sceneRect()
        if rect.isEmpty() or self.viewport().width() < 10 or self.viewport().height() < 10:
            return
        # Measured against the room without scroll bars (as fitInView would, with its 2 px
        # margins), so that scroll bars shown by a readable fit do not keep it cut.
        room = self.maximumViewportSize()
        zoom = min(
            FIT_MAX_ZOOM,
            (room.width() - 4) / rect.width(),
            (room.height() - 4) / rect.height(),
        )
        smallest = self._smallest_text_px()
        readable = READABLE_TEXT_PX / smallest if smallest > 0 else 0.0
        self.cut_to_read = not whole and zoom < readable
        if self.cut_to_read:
            zoom = readable
        # A diagram fitted whole needs no scroll bars; without this, bars shown by an
        # earlier, larger zoom would take the room that lets it fit and so stay.
        self._show_scroll_bars(self.cut_to_read)
        self.setTransform(QTransform.fromScale(zoom, zoom))
        if self.cut_to_read:
            # Start where the diagram starts: its inputs, on the left.
            half_width = self.viewport().width() / zoom / 2
            self.centerOn(rect.left() + half_width, rect.center().y())
        else:
            self.centerOn(rect.center())
        self.zoom_changed.emit(self.zoom)

    def _show_scroll_bars(self, shown: bool) -> None:
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAsNeeded if shown else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self.setHorizontalScrollBarPolicy(policy)
        self.setVerticalScrollBarPolicy(policy)

    def _smallest_text_px(self) -> float:
        """The smallest text of the scene in scene units (the card text size if it cannot say)."""
        smallest = getattr(self.scene(), "min_text_px", None)
        value = smallest() if callable(smallest) else 0.0
        return float(value) if value > 0 else self.text_px

    def _on_zoom_changed(self, zoom: float) -> None:
        has_items = bool(self.scene().items())
        small = self.auto_fit and zoom * self.text_px < SMALL_HINT_TEXT_PX and has_items
        cut = self.auto_fit and self.cut_to_read and has_items
        self._hint.setText(CUT_HINT if cut else SMALL_HINT)
        self._hint.adjustSize()
        self._place_hint()
        self._hint.setVisible(small or cut)

    def _place_hint(self) -> None:
        """Bottom left of the visible area, where the vertically centred diagram leaves room."""
        viewport = self.viewport()
        self._hint.move(6, max(6, viewport.height() - self._hint.height() - 6))

    def zoom_by(self, factor: float, *, under_mouse: bool = False) -> None:
        """Multiply the zoom by ``factor`` (clamped), about the mouse or the view's centre."""
        target = min(ZOOM_MAX, max(ZOOM_MIN, self.zoom * factor))
        if target == self.zoom:
            return
        self.auto_fit = False
        self._show_scroll_bars(True)
        anchor = (
            QGraphicsView.ViewportAnchor.AnchorUnderMouse
            if under_mouse
            else QGraphicsView.ViewportAnchor.AnchorViewCenter
        )
        self.setTransformationAnchor(anchor)
        self.scale(target / self.zoom, target / self.zoom)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.zoom_changed.emit(self.zoom)

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def render_image(self, scale: float = EXPORT_SCALE) -> QImage:
        """The whole diagram (not just the visible part) as an image on white."""
        rect = self.scene().sceneRect()
        size = (rect.size() * scale).toSize()
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self.scene().render(painter, QRectF(image.rect()), rect)
        painter.end()
        return image

    # -- Qt overrides ---------------------------------------------------------------------

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP**steps, under_mouse=True)
        event.accept()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_hint()
        if self.auto_fit:
            self.refit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.auto_fit:
            self.refit()
