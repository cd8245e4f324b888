"""Plot items and styles shared by the plots panel: colours, plot views, curves.

``PlotView`` is a pyqtgraph layout widget that says when it has painted (the plots panel
holds a run until its frame is on screen); ``make_plot`` styles one plot in it, and
``make_curve`` makes a curve set up for long, cheap live updates.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from PySide6.QtCore import Qt, Signal

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph uses it

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

    def paintEvent(self, event) -> None:
        started = time.perf_counter()
        super().paintEvent(event)
        self.last_paint_s = time.perf_counter() - started
        self.painted.emit()


class SideLegend(pg.LegendItem):
    """A legend that can change many rows and lay itself out once (``changing_rows``).

    pyqtgraph's legend measures every row and resizes itself after each row added or
    removed, and each resize lays out every row again: replacing a dozen rows (another
    model or dataset) took a dozen full layouts, about 90 ms with the hidden layer.
    """

    def __init__(self, *args, **kwargs) -> None:
        self._changing = 0
        super().__init__(*args, **kwargs)

    @contextmanager
    def changing_rows(self) -> Iterator[None]:
        """Add, remove and relabel rows inside; the legend is laid out once, at the end."""
        self._changing += 1
        try:
            yield
        finally:
            self._changing -= 1
            if not self._changing:
                self.updateSize()

    def updateSize(self) -> None:  # noqa: N802 (pyqtgraph's name)
        if not self._changing:
            super().updateSize()


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
        axis.enableAutoSIPrefix(False)  # "loss (x0.001)" reads worse than plain decimals
        if label:
            axis.setLabel(label, color=AXIS_COLOR)
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
