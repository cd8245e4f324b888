"""Plot items and styles shared by the plots panel: colours, plot views, curves.

``PlotView`` is a pyqtgraph layout widget that says when it has painted (the plots panel
holds a run until its frame is on screen); ``make_plot`` styles one plot in it, and
``make_curve`` makes a curve set up for long, cheap live updates. ``set_axis_label`` labels
an axis only when the label changes: pyqtgraph lays a relabelled axis out again and redraws
its ticks (1-3 ms an axis), and views that label their axes at each redraw paid for that
at every frame of a run. ``plain_axes`` turns off the unit prefixes of a plot's four axes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QSizePolicy

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph uses it

from gdapp.ui.frame_pacer import paint_with_window

TRAIN_COLOR = "#1f77b4"
TEST_COLOR = "#e8710a"
# Qualitative palette (Tableau 10 without grey, which the bias uses).
PARAM_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#bcbd22", "#17becf",
)  # fmt: skip
BIAS_COLOR = "#555555"
LEGEND_BRUSH = (255, 255, 255, 210)
DOWNSAMPLE_PER_PIXEL = 1.0  # samples per pixel kept by peak downsampling
AXIS_COLOR = "#333333"
ZERO_LINE_COLOR = "#b0b0b0"
MIN_HALF_SPAN = 0.5  # half the height of an axis around a constant zero


def set_axis_label(axis: pg.AxisItem, text: str, **style: str) -> None:
    """``axis.setLabel(text, **style)``, unless the axis shows that label already."""
    shown = axis.label.isVisibleTo(axis) == bool(text)
    same_style = not style or axis.labelStyle == style
    if axis.labelText == text and not axis.labelUnits and same_style and shown:
        return
    axis.setLabel(text, **style)


def plain_axes(plot: pg.PlotItem | pg.PlotWidget) -> None:
    """Write every axis of ``plot`` in plain decimals, never "(x0.001)".

    All four, the hidden top and right ones too: an axis with automatic prefixes rewrites
    its label's HTML at every change of the view's range (about 0.2 ms an axis, at every
    frame of a run), shown or not.
    """
    for side in ("left", "bottom", "top", "right"):
        plot.getAxis(side).enableAutoSIPrefix(False)


def param_color(index: int, n_params: int) -> str:
    """Colour of parameter ``index``; the bias (last) is grey."""
    if index == n_params - 1:
        return BIAS_COLOR
    return PARAM_COLORS[index % len(PARAM_COLORS)]


class PlotView(pg.GraphicsLayoutWidget):
    """A plot widget that says when it has painted, and how long its last paint took."""

    painted = Signal()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.last_paint_s = 0.0
        paint_with_window(self)

    def paintEvent(self, event) -> None:
        started = time.perf_counter()
        super().paintEvent(event)
        self.last_paint_s = time.perf_counter() - started
        self.painted.emit()


class SideLegend(pg.GraphicsWidget):
    """The names of a plot's curves, in a column beside it, each after a stroke of its pen.

    pyqtgraph's legend makes a text item for each row, and giving a row another name lays
    out the whole legend again: a new dataset renamed a dozen rows in 30-60 ms. This one
    draws its rows itself, so ``set_rows`` costs a comparison and a repaint.
    """

    SAMPLE_PX = 20  # length of the pen stroke
    GAP_PX = 6  # between the stroke and the name
    PAD_PX = 4

    def __init__(
        self, points: float = 8.0, color: str = AXIS_COLOR, below: pg.GraphicsWidget | None = None
    ) -> None:
        """``below``: an item in the legend's row (the plot's title) the rows start under."""
        super().__init__()
        self._rows: list[tuple[pg.PlotDataItem, str]] = []
        self._below = below
        if below is not None:
            below.geometryChanged.connect(self.updateGeometry)  # a taller title, a lower row
        self._color = QColor(color)
        self._font = QFont()
        self.set_text_points(points)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    @property
    def rows(self) -> list[tuple[pg.PlotDataItem, str]]:
        """The rows shown, top to bottom: (curve, name)."""
        return list(self._rows)

    def set_rows(self, rows: Sequence[tuple[pg.PlotDataItem, str]]) -> None:
        """Show ``rows`` (curve, name), top to bottom; the same rows again cost nothing."""
        rows = list(rows)
        if rows == self._rows:
            return
        self._rows = rows
        self.updateGeometry()
        self.update()

    @property
    def text_points(self) -> float:
        return self._font.pointSizeF()

    def set_text_points(self, points: float) -> None:
        """Write the names at ``points`` (the classroom zoom calls this)."""
        self._font.setPointSizeF(points)
        self._metrics = QFontMetricsF(self._font)
        self.updateGeometry()
        self.update()

    def _line_height(self) -> float:
        return self._metrics.height() * 1.45

    def _top(self) -> float:
        """Where the first row starts: under the item named at construction, if any."""
        below = self._below
        return self.PAD_PX + (below.size().height() if below is not None else 0.0)

    def sizeHint(self, which, constraint=None) -> QSizeF:  # noqa: N802 (Qt's name)
        widest = max((self._metrics.horizontalAdvance(name) for _c, name in self._rows), default=0)
        width = 2 * self.PAD_PX + self.SAMPLE_PX + self.GAP_PX + widest if self._rows else 0
        rows = len(self._rows) * self._line_height()
        height = self._top() + self.PAD_PX + rows if self._rows else 0
        return QSizeF(width, height)

    def paint(self, painter: QPainter, *_args) -> None:
        line = self._line_height()
        top = self._top()
        x0, x1 = self.PAD_PX, self.PAD_PX + self.SAMPLE_PX
        text_x = x1 + self.GAP_PX
        width = self.size().width() - text_x
        painter.setFont(self._font)
        for row, (curve, name) in enumerate(self._rows):
            middle = top + (row + 0.5) * line
            painter.setPen(pg.mkPen(curve.opts["pen"]))
            painter.drawLine(QPointF(x0, middle), QPointF(x1, middle))
            painter.setPen(self._color)
            box = QRectF(text_x, middle - line / 2, width, line)
            painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)


def make_plot(name: str, title: str, x_label: str, y_label: str) -> PlotView:
    """A white plot in a layout widget (so a side legend can sit next to it)."""
    widget = PlotView()
    widget.setBackground("w")
    widget.setObjectName(name)
    widget.setMinimumSize(220, 160)
    widget.ci.setContentsMargins(2, 2, 2, 2)
    plot = widget.addPlot(row=0, col=0)
    plot.setTitle(title, color=AXIS_COLOR, size="10pt")
    for side, label in (("bottom", x_label), ("left", y_label)):
        axis = plot.getAxis(side)
        axis.setPen(pg.mkPen(AXIS_COLOR))
        axis.setTextPen(pg.mkPen(AXIS_COLOR))
        if label:
            axis.setLabel(label, color=AXIS_COLOR)
    plain_axes(plot)  # "loss (x0.001)" reads worse than plain decimals
    # No grid: in software rendering it costs more than the curves (drawn over the whole
    # view at every frame); a zero line marks the one level that matters.
    plot.setDownsampling(auto=True, mode="peak")
    plot.setClipToView(True)
    return widget


def make_curve(plot: pg.PlotItem, color: str, name: str, dashed: bool = False) -> pg.PlotDataItem:
    """A line in ``plot``: no antialiasing, no finite check, peak-downsampled to the pixels."""
    pen = pg.mkPen(color, width=2)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    # skipFiniteCheck: the trainer never records NaN or inf. autoDownsampleFactor: about
    # one min-max pair per pixel column is all a screen can show (the default draws five).
    return plot.plot(
        name=name,
        pen=pen,
        antialias=False,
        connect="all",
        skipFiniteCheck=True,
        autoDownsampleFactor=DOWNSAMPLE_PER_PIXEL,
    )


def bounds(columns: list[np.ndarray]) -> tuple[float, float]:
    """Smallest and largest value over ``columns`` (each a non-empty 1-D array).

    A range of (nearly) one value, as at step 0, is widened by 10 % of the value on each
    side (by ``MIN_HALF_SPAN`` around zero), so the axis shows readable ticks around it.
    """
    low = min(float(c.min()) for c in columns)
    high = max(float(c.max()) for c in columns)
    half_span = max(abs(low), abs(high)) * 0.1 or MIN_HALF_SPAN
    if high - low < 1e-3 * half_span:
        return low - half_span, high + half_span
    return low, high


def view_point(curve: pg.PlotDataItem, x: float, y: float) -> tuple[float, float]:
    """Where (x, y) sits in the curve's view (log10 of a coordinate the user made log)."""
    log_x, log_y = curve.opts.get("logMode", (False, False))
    return (
        float(np.log10(x)) if log_x and x > 0 else x,
        float(np.log10(y)) if log_y and y > 0 else y,
    )
