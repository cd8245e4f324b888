"""The view onto the graph scene: wheel and button zoom, drag to pan, fit, render to an image.

The view fits the diagram on show, on resize and when the graph changes, until the user
zooms; the Fit button (or a change of view) turns fitting back on.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QTransform
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QLabel, QWidget

from gdapp.ui.panels.graph.style import DEFAULT_FONT_PX

ZOOM_STEP = 1.25  # per wheel notch or button press
ZOOM_MIN = 0.1
ZOOM_MAX = 6.0
FIT_MAX_ZOOM = 1.6  # a small graph is fitted no larger than this
EXPORT_SCALE = 2.0  # exported images are drawn at twice the scene's size, for sharp text
SMALL_HINT_TEXT_PX = 8.0  # fitted text smaller than this on screen gets the hint below
SMALL_HINT = "Shrunk to fit: enlarge this panel, or zoom in with the wheel, to read the labels."


class GraphCanvas(QGraphicsView):
    """QGraphicsView with zoom, pan and auto-fit. Signal: ``zoom_changed(float)``."""

    zoom_changed = Signal(float)

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
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
        self._hint.move(6, 6)
        self._hint.hide()
        self.zoom_changed.connect(self._on_zoom_changed)

    @property
    def zoom(self) -> float:
        """Current scale: 1 means one scene unit per pixel."""
        return self.transform().m11()

    def fit(self) -> None:
        """Show the whole diagram, and keep doing so on resize until the user zooms."""
        self.auto_fit = True
        rect = self.scene().sceneRect()
        if rect.isEmpty() or self.viewport().width() < 10 or self.viewport().height() < 10:
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > FIT_MAX_ZOOM:
            self.setTransform(QTransform.fromScale(FIT_MAX_ZOOM, FIT_MAX_ZOOM))
        self.centerOn(rect.center())
        self.zoom_changed.emit(self.zoom)

    def _on_zoom_changed(self, zoom: float) -> None:
        small = (
            self.auto_fit
            and zoom * self.text_px < SMALL_HINT_TEXT_PX
            and bool(self.scene().items())
        )
        self._hint.adjustSize()
        self._hint.setVisible(small)

    def zoom_by(self, factor: float, *, under_mouse: bool = False) -> None:
        """Multiply the zoom by ``factor`` (clamped), about the mouse or the view's centre."""
        target = min(ZOOM_MAX, max(ZOOM_MIN, self.zoom * factor))
        if target == self.zoom:
            return
        self.auto_fit = False
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
        if self.auto_fit:
            self.fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.auto_fit:
            self.fit()
