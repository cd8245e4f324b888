"""The decision boundary's own widgets: the held-values form and the colour key.

``HeldValuesForm`` (one spin box per feature off the axes) only shows values and reports
edits: ``value_edited(feature, value)`` when the learner changes a box, ``reset_requested()``
for "Reset to means". The panel owns the values and decides what they mean;
``show_features`` lays the boxes out (two columns, scrolling past ``HELD_BOX_MAX_HEIGHT``),
``show_values`` puts values in without an edit.

``ColorKey`` is the scale beside the plot: the shading's colours from P = 0 (bottom) to
P = 1 (top) with ticks at 0, 0.5 and 1, painted with QPainter (a pyqtgraph colour bar is a
plot of its own and costs a quarter of the page's build time).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Signal
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

MAX_HELD_BOXES = 48  # held features with a box of their own; wider tables keep the rest
HELD_BOX_MAX_HEIGHT = 150  # px; more boxes scroll
DECIMALS = 3
KEY_BAR_PX = 14  # width of the colour key's bar
KEY_TICKS = (0.0, 0.5, 1.0)


class HeldValuesForm(QWidget):
    """Spin boxes ``boundaryHeld_<k>`` for the held features and a ``boundaryResetHeld`` button."""

    value_edited = Signal(int, float)
    reset_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boundaryHeldForm")
        self.boxes: dict[int, QDoubleSpinBox] = {}
        self._quiet = False
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        inner = QWidget()
        inner.setLayout(self._grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setMaximumHeight(HELD_BOX_MAX_HEIGHT)
        scroll.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.reset_button = QPushButton("Reset to means", objectName="boundaryResetHeld")
        self.reset_button.setToolTip("Hold every other feature at its training mean again")
        self.reset_button.clicked.connect(self.reset_requested)
        self._cap = QLabel()
        self._cap.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        buttons = QHBoxLayout()
        buttons.addWidget(self._cap, 1)
        buttons.addWidget(self.reset_button)
        layout.addLayout(buttons)

    def show_features(
        self,
        names: Sequence[str],
        held_features: Sequence[int],
        ranges: np.ndarray,
        held: np.ndarray,
    ) -> None:
        """Boxes for ``held_features`` (the first ``MAX_HELD_BOXES``), each spanning its
        ``ranges`` row ((d, 2) as the axes show them) widened by its width on each side."""
        while self._grid.count():
            widget = self._grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.boxes = {}
        for slot, k in enumerate(held_features[:MAX_HELD_BOXES]):
            box = QDoubleSpinBox(objectName=f"boundaryHeld_{k}")
            low, high = (float(x) for x in ranges[k])
            span = high - low
            box.setDecimals(DECIMALS)
            box.setRange(low - span, high + span)
            box.setSingleStep(span / 40)
            box.setKeyboardTracking(False)
            box.setToolTip(f"The value of {names[k]} (scaled) everywhere in the picture")
            box.valueChanged.connect(lambda value, k=k: self._on_box_value_changed(k, value))
            label = QLabel(names[k])
            label.setToolTip(box.toolTip())
            row, col = divmod(slot, 2)
            self._grid.addWidget(label, row, 2 * col)
            self._grid.addWidget(box, row, 2 * col + 1)
            self.boxes[k] = box
        hidden = len(held_features) - len(self.boxes)
        self._cap.setText(
            f"The other {hidden:,} features stay at their mean." if hidden > 0 else ""
        )
        self.show_values(held)

    def show_values(self, held: np.ndarray) -> None:
        """Put ``held`` ((d,)) into the boxes without reporting an edit."""
        self._quiet = True
        try:
            for k, box in self.boxes.items():
                value = float(held[k])
                if not box.minimum() <= value <= box.maximum():  # shown as it is, not clipped
                    box.setRange(min(box.minimum(), value), max(box.maximum(), value))
                box.setValue(value)
        finally:
            self._quiet = False

    def _on_box_value_changed(self, feature: int, value: float) -> None:
        if not self._quiet:
            self.value_edited.emit(feature, float(value))


class ColorKey(QWidget):
    """A vertical colour scale for values in [0, 1]: ``colors`` at ``positions``, a title."""

    def __init__(
        self,
        positions: Sequence[float],
        colors: Sequence[str],
        title: str,
        text_color: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("boundaryColorKey")
        self.positions = tuple(float(p) for p in positions)
        self.colors = tuple(colors)
        self.title = title
        self._text_color = QColor(text_color)
        self._span: tuple[float, float] | None = None  # the bar's top and bottom, in px
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)

    def set_span(self, top: float, bottom: float) -> None:
        """Draw the bar from ``top`` to ``bottom`` (px in this widget), e.g. level with a plot."""
        if bottom - top > 10 and (top, bottom) != self._span:
            self._span = (top, bottom)
            self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        metrics = self.fontMetrics()
        return QSize(KEY_BAR_PX + 10 + metrics.horizontalAdvance("0.5") + metrics.height(), 160)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(self.sizeHint().width(), 60)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        metrics = self.fontMetrics()
        line = metrics.height()
        top, bottom = self._span or (line, self.height() - line)
        bar = QRectF(line + 2, top, KEY_BAR_PX, max(1.0, bottom - top))
        gradient = QLinearGradient(bar.bottomLeft(), bar.topLeft())
        for position, color in zip(self.positions, self.colors, strict=True):
            gradient.setColorAt(position, QColor(color))
        painter.fillRect(bar, gradient)
        painter.setPen(QPen(self._text_color))
        painter.drawRect(bar)
        for value in KEY_TICKS:
            y = bar.bottom() - value * bar.height()
            painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 3, y))
            # Kept inside the widget: the ends of the bar sit near its edges.
            baseline = min(max(y + metrics.ascent() / 2 - 1, metrics.ascent()), self.height() - 2)
            painter.drawText(QPointF(bar.right() + 5, baseline), f"{value:g}")
        # The title reads bottom to top beside the bar.
        painter.translate(line - 2, bar.center().y())
        painter.rotate(-90)
        width = metrics.horizontalAdvance(self.title)
        painter.drawText(QPointF(-width / 2, 0), self.title)
        painter.end()
