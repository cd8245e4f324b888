"""Look of the computation graph: number format, derivative colours, fonts and the legend.

Numbers are shown to ``SIGNIFICANT_DIGITS`` significant digits with a true minus sign.
A derivative's colour says its sign (red: increasing this node increases the loss; blue:
decreasing it does) and, through the intensity, the size of ``log10 |derivative|`` between
``LOG10_MIN`` and ``LOG10_MAX``.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

SIGNIFICANT_DIGITS = 4
MINUS = "\u2212"
ELLIPSIS = "\u2026"
# A wide usual number; cards reserve room for it so that the diagram keeps its layout while
# the numbers change (a wider one, such as -1.235e-05, widens its column once).
NUMBER_TEMPLATE = f"{MINUS}0.01234"
VECTOR_PREVIEW = 1  # leading entries shown for a vector (its mean is shown too)

LOG10_MIN = -4.0  # |derivative| at or below 1e-4 gets the palest tint
LOG10_MAX = 1.0  # |derivative| at or above 10 gets the strongest tint
TINT_MIN = 0.14  # blend towards the hue for the smallest non-zero derivative
TINT_MAX = 0.62  # ... and for the largest; black text stays readable on both
POSITIVE_RGB = (214, 48, 39)
NEGATIVE_RGB = (49, 104, 180)

# Card text in scene units (pixels at zoom 1) until the panel passes on its own font's size.
DEFAULT_FONT_PX = 12
READABLE_TEXT_PX = 11  # the smallest text on screen a learner reads without effort
# Narrow faces first: the sample graph has eight rows of cards to fit in the panel.
FONT_FAMILIES = ("DejaVu Sans Condensed", "Segoe UI", "Helvetica Neue", "Arial", "sans-serif")

TEXT_COLOUR = QColor("#15191e")
MUTED_COLOUR = QColor("#59616b")
AGREE_COLOUR = QColor("#17803d")
DISAGREE_COLOUR = QColor("#c01c28")
UPDATE_COLOUR = QColor("#8f4400")
HIGHLIGHT_COLOUR = QColor("#f08c00")
BORDER_COLOUR = QColor("#6b7682")
EDGE_COLOUR = QColor("#8a949e")
EDGE_HOVER_COLOUR = QColor("#1c5fa8")


def format_number(x: float) -> str:
    """``x`` to 4 significant digits: ``33``, ``0.1234``, ``−1.235e−5``."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "∞" if x > 0 else f"{MINUS}∞"
    if x == 0.0:
        return "0"
    text = f"{x:.{SIGNIFICANT_DIGITS}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", MINUS)


def format_value(value: float | np.ndarray) -> str:
    """A scalar as ``format_number``; an array as its leading entries, ``[0.1, −2, …]``."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return format_number(float(array))
    flat = array.ravel() if array.ndim == 1 else array[0]
    count = VECTOR_PREVIEW if array.ndim == 1 else 1  # a matrix shows its first entry
    shown = ", ".join(format_number(v) for v in flat[:count])
    more = f", {ELLIPSIS}" if flat.size > count else ""
    inner = f"[{shown}{more}]"
    if array.ndim > 1:
        return f"[{inner}, {ELLIPSIS}]" if array.shape[0] > 1 else f"[{inner}]"
    return inner


def summary_number(value: float | np.ndarray) -> float:
    """The one number that stands for ``value``: itself, or the mean of an array."""
    array = np.asarray(value, dtype=float)
    return float(array) if array.ndim == 0 else float(array.mean()) if array.size else 0.0


def shape_text(value: float | np.ndarray) -> str:
    """``(32,)`` or ``(32, 8)`` for an array, ``""`` for a scalar."""
    shape = np.shape(value)
    if not shape:
        return ""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def derivative_tint(grad: float | None) -> float:
    """Blend weight in [0, TINT_MAX] towards the sign's hue for a derivative."""
    if grad is None or not math.isfinite(grad) or grad == 0.0:
        return 0.0
    level = (math.log10(abs(grad)) - LOG10_MIN) / (LOG10_MAX - LOG10_MIN)
    level = min(1.0, max(0.0, level))
    return TINT_MIN + (TINT_MAX - TINT_MIN) * level


def derivative_colour(grad: float | None) -> QColor:
    """Fill colour for a node whose derivative is ``grad`` (white for 0 or unknown)."""
    tint = derivative_tint(grad)
    if grad is not None and math.isnan(grad):
        return QColor("#e0e0e0")
    rgb = POSITIVE_RGB if (grad or 0.0) > 0 else NEGATIVE_RGB
    return QColor(*(round(255 + (c - 255) * tint) for c in rgb))


def scene_font(px: int = DEFAULT_FONT_PX, *, bold: bool = False, italic: bool = False) -> QFont:
    """The diagram's font at a pixel size, so the layout does not depend on screen DPI."""
    font = QFont()
    font.setFamilies(list(FONT_FAMILIES))
    font.setPixelSize(px)
    font.setBold(bold)
    font.setItalic(italic)
    return font


def legend_caption(symbol: str) -> str:
    """What the colour bar encodes, in words: ``symbol`` is e.g. ``dL/d·``."""
    output = symbol[1:].split("/")[0] or "L"
    derivative = symbol.removesuffix("·") + "(node)"
    return f"Colour = {derivative}: red, raising it raises {output}; blue, lowers {output}"


class DerivativeLegend(QWidget):
    """The colour key: a caption saying what the colours mean above a signed log-scale bar."""

    BAR_HEIGHT_PX = 9
    BAR_WIDTH_EM = 16  # the bar's length in font sizes
    TICKS = (-10.0, -0.01, 0.0, 0.01, 10.0)

    def __init__(self, symbol: str = "dL/d·", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._symbol = symbol
        self.setObjectName("graphLegend")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._update_tooltip()

    def caption(self) -> str:
        return legend_caption(self._symbol)

    def set_symbol(self, symbol: str) -> None:
        """Name the derivative the colours stand for, e.g. ``dJ/d·``."""
        self._symbol = symbol
        self._update_tooltip()
        self.updateGeometry()
        self.update()

    def _update_tooltip(self) -> None:
        self.setToolTip(
            f"Node colour = the derivative {self._symbol} of that node.\n"
            "Red: nudging the node up raises the output; blue: it lowers it.\n"
            f"Stronger colour = larger size, on a log scale from 1e{int(LOG10_MIN)} "
            f"to 1e{int(LOG10_MAX)}; white = exactly 0."
        )

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        width = max(
            metrics.horizontalAdvance(self.caption()),
            self.BAR_WIDTH_EM * metrics.height(),
        )
        return QSize(width + 12, 2 * metrics.height() + self.BAR_HEIGHT_PX + 6)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_legend(painter, QRectF(self.rect()), self._symbol, self.font())
        painter.end()


def paint_legend(painter: QPainter, rect: QRectF, symbol: str, font: QFont) -> None:
    """Draw the caption, then the derivative colour bar with its tick labels, inside ``rect``."""
    painter.save()
    painter.setFont(font)
    metrics = painter.fontMetrics()
    painter.setPen(TEXT_COLOUR)
    line = metrics.height()
    painter.drawText(
        QRectF(rect.left(), rect.top(), rect.width(), line),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        metrics.elidedText(legend_caption(symbol), Qt.TextElideMode.ElideRight, int(rect.width())),
    )
    bar_h = DerivativeLegend.BAR_HEIGHT_PX
    bar_w = min(rect.width() - 16, DerivativeLegend.BAR_WIDTH_EM * line)
    bar = QRectF(rect.left() + 8, rect.top() + line + 2, bar_w, bar_h)
    gradient = QLinearGradient(bar.topLeft(), bar.topRight())
    # Symmetric log scale: position 0 and 1 are -10 and +10, the middle is 0.
    steps = 12
    for i in range(steps + 1):
        t = i / steps
        signed = (2 * t - 1) * (LOG10_MAX - LOG10_MIN)
        grad = math.copysign(10 ** (LOG10_MIN + abs(signed)), signed) if signed else 0.0
        gradient.setColorAt(t, derivative_colour(grad))
    painter.setPen(QPen(BORDER_COLOUR, 0.8))
    painter.setBrush(gradient)
    painter.drawRect(bar)
    painter.setPen(MUTED_COLOUR)
    span = LOG10_MAX - LOG10_MIN
    for tick in DerivativeLegend.TICKS:
        if tick == 0:
            t = 0.5
        else:
            offset = (math.log10(abs(tick)) - LOG10_MIN) / span / 2
            t = 0.5 + math.copysign(offset, tick)
        x = bar.left() + t * bar.width()
        text = format_number(tick)
        w = metrics.horizontalAdvance(text)
        x_text = min(max(x - w / 2, bar.left() - 4), bar.right() + 10 - w)
        painter.drawLine(QPointF(x, bar.bottom()), QPointF(x, bar.bottom() + 2))
        painter.drawText(QPointF(x_text, bar.bottom() + 2 + metrics.ascent()), text)
    painter.restore()
