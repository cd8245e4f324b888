"""Live training plots: loss, accuracy and every parameter against epoch, and the weights now.

The panel subscribes to ``AppController``: each snapshot's rows go into a ``HistoryBuffer``
and mark the plots dirty; a single-shot display timer redraws at most every
``REDRAW_INTERVAL_MS``, so a run at thousands of steps per second costs one redraw per
frame. Curves are created once per dataset and only ever updated with ``setData``;
peak downsampling and clip-to-view keep a million-epoch curve smooth (as in pyqtgraph's
scrollingPlots example).
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QGridLayout, QWidget

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph uses it

from gdapp.core.trainer import TrainConfig
from gdapp.datasets import Dataset
from gdapp.ui.controller import AppController
from gdapp.ui.plot_buffers import HistoryBuffer
from gdapp.ui.training_thread import Snapshot

REDRAW_INTERVAL_MS = 16  # at most ~60 redraws per second
TRAIN_COLOR = "#1f77b4"
TEST_COLOR = "#e8710a"
# Qualitative palette (Tableau 10 without grey, which the bias uses).
PARAM_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#bcbd22", "#17becf",
)  # fmt: skip
BIAS_COLOR = "#555555"
LABEL_ROOM_PX = 48  # horizontal space kept for a bar's value label
LEGEND_BRUSH = (255, 255, 255, 210)
MIN_EPOCH_SPAN = 10  # epochs shown on the x axes before autoscaling takes over
AXIS_COLOR = "#333333"
LOSS_LABELS = {"logistic": "cross-entropy loss", "linear": "squared-error loss"}


def param_color(index: int, n_params: int) -> str:
    """Colour of parameter ``index``; the bias (last) is grey."""
    if index == n_params - 1:
        return BIAS_COLOR
    return PARAM_COLORS[index % len(PARAM_COLORS)]


def _make_plot(name: str, title: str, x_label: str, y_label: str) -> pg.GraphicsLayoutWidget:
    """A white plot in a layout widget (so a side legend can sit next to it)."""
    widget = pg.GraphicsLayoutWidget()
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
    plot.showGrid(x=True, y=True, alpha=0.15)
    plot.setDownsampling(auto=True, mode="peak")
    plot.setClipToView(True)
    return widget


def _curve(plot: pg.PlotItem, color: str, name: str, dashed: bool = False) -> pg.PlotDataItem:
    pen = pg.mkPen(color, width=2)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return plot.plot(
        name=name, pen=pen, antialias=False, connect="all", skipFiniteCheck=True
    )  # skipFiniteCheck: the trainer never records NaN or inf


class PlotsPanel(QWidget):
    """Four plots: ``lossPlot``, ``accuracyPlot``, ``weightsPlot`` and ``weightsBarPlot``.

    ``views`` maps "loss", "accuracy", "weights", "current weights" to the plot widgets and
    ``plots`` to their PlotItems. ``curves`` maps "train_loss", "test_loss", "train_acc" and
    "test_acc" to their curves, ``heads`` to the dot on each curve's newest point;
    ``weight_curves`` holds one curve per parameter (weights, then the bias).
    """

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plotsPanel")
        self._controller = controller
        self._buffer: HistoryBuffer | None = None
        self._names: tuple[str, ...] = ()
        self._theta: np.ndarray | None = None
        self._dirty = False
        self._last_redraw = 0.0
        self._short_x_range: bool | None = None
        self.redraw_count = 0

        self.views = {
            "loss": _make_plot("lossPlot", "Loss", "epoch", ""),
            "accuracy": _make_plot("accuracyPlot", "Accuracy", "epoch", "correct (%)"),
            "weights": _make_plot("weightsPlot", "Weights and bias", "epoch", "value"),
            "current weights": _make_plot("weightsBarPlot", "Current weights", "value", ""),
        }
        self.plots: dict[str, pg.PlotItem] = {
            key: view.getItem(0, 0) for key, view in self.views.items()
        }
        self.loss_plot = self.plots["loss"]
        self.accuracy_plot = self.plots["accuracy"]
        self.weights_plot = self.plots["weights"]
        self.bars_plot = self.plots["current weights"]
        self.accuracy_plot.setYRange(0, 100, padding=0.02)
        self.accuracy_plot.enableAutoRange(axis="y", enable=False)
        self.bars_plot.invertY(True)
        self.bars_plot.showGrid(x=True, y=False, alpha=0.15)
        self.bars_plot.setMouseEnabled(x=False, y=False)
        self.bars_plot.hideButtons()

        legend_style = {"labelTextSize": "8pt", "labelTextColor": AXIS_COLOR}
        self.loss_legend = self.loss_plot.addLegend(
            offset=(-10, 10), brush=LEGEND_BRUSH, **legend_style
        )
        self.accuracy_legend = self.accuracy_plot.addLegend(
            offset=(-10, -10), brush=LEGEND_BRUSH, **legend_style
        )
        self.curves = {
            "train_loss": _curve(self.loss_plot, TRAIN_COLOR, "train"),
            "test_loss": _curve(self.loss_plot, TEST_COLOR, "test", dashed=True),
            "train_acc": _curve(self.accuracy_plot, TRAIN_COLOR, "train"),
            "test_acc": _curve(self.accuracy_plot, TEST_COLOR, "test", dashed=True),
        }
        # A dot on the newest point, so a single step (or step 0) is visible.
        self.heads: dict[str, pg.ScatterPlotItem] = {}
        for key in self.curves:
            color = TRAIN_COLOR if key.startswith("train") else TEST_COLOR
            head = pg.ScatterPlotItem(size=7, brush=pg.mkBrush(color), pen=pg.mkPen("w"))
            (self.loss_plot if key.endswith("loss") else self.accuracy_plot).addItem(head)
            self.heads[key] = head
        # Nine entries would hide the curves, so the weights legend sits beside the plot.
        self.weights_legend = pg.LegendItem(verSpacing=-4, **legend_style)
        self.views["weights"].addItem(self.weights_legend, row=0, col=1)
        self.weight_curves: list[pg.PlotDataItem] = []
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.7)
        self.bars_plot.addItem(self.bars)
        zero = pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen(AXIS_COLOR, width=1))
        self.bars_plot.addItem(zero)
        self._bar_labels: list[pg.TextItem] = []

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        for index, view in enumerate(self.views.values()):
            grid.addWidget(view, index // 2, index % 2)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.redraw)

        self._show_loss_label(controller.config)
        controller.dataset_changed.connect(self._on_controller_dataset_changed)
        controller.snapshot_ready.connect(self._on_controller_snapshot_ready)
        controller.config_changed.connect(self._on_controller_config_changed)
        if controller.dataset is not None:
            self._on_controller_dataset_changed(controller.dataset)
            controller.request_snapshot()

    @property
    def stride(self) -> int:
        """History rows per plotted point (1 until a long run has been thinned out)."""
        return self._buffer.stride if self._buffer is not None else 1

    # -- controller events ----------------------------------------------------------------

    def _on_controller_dataset_changed(self, dataset: Dataset) -> None:
        self._names = (*dataset.feature_names, "bias")
        n_params = len(self._names)
        has_test = len(dataset.test_idx) > 0
        self._buffer = HistoryBuffer(n_params, has_test)
        self._theta = None
        for curve in self.weight_curves:
            self.weights_legend.removeItem(curve)
            self.weights_plot.removeItem(curve)
        self.weight_curves = [
            _curve(self.weights_plot, param_color(i, n_params), name, dashed=name == "bias")
            for i, name in enumerate(self._names)
        ]
        for curve, name in zip(self.weight_curves, self._names, strict=True):
            self.weights_legend.addItem(curve, name)
        for key, legend in (("test_loss", self.loss_legend), ("test_acc", self.accuracy_legend)):
            curve = self.curves[key]
            curve.setVisible(has_test)
            legend.removeItem(curve)
            if has_test:
                legend.addItem(curve, "test")
        for label in self._bar_labels:
            self.bars_plot.removeItem(label)
        self._bar_labels = []
        for _ in self._names:
            label = pg.TextItem(color=AXIS_COLOR, anchor=(0, 0.5))
            label.setFont(QFont(self.font().family(), 8))
            self.bars_plot.addItem(label)
            self._bar_labels.append(label)
        axis = self.bars_plot.getAxis("left")
        axis.setTicks([list(enumerate(self._names))])
        self.bars_plot.setYRange(-0.6, n_params - 0.4, padding=0)
        self._clear_curves()

    def _on_controller_config_changed(self, config: TrainConfig) -> None:
        self._show_loss_label(config)

    def _on_controller_snapshot_ready(self, snapshot: Snapshot) -> None:
        buffer = self._buffer
        if buffer is None or snapshot.theta.shape != (buffer.n_params,):
            return
        buffer.apply(snapshot.first_row, snapshot.rows)
        self._theta = snapshot.theta
        self._dirty = True
        if not self._timer.isActive():
            wait_ms = self._last_redraw * 1000 + REDRAW_INTERVAL_MS - time.perf_counter() * 1000
            self._timer.start(max(0, int(wait_ms)))

    # -- drawing --------------------------------------------------------------------------

    def redraw(self) -> None:
        """Push the buffered history into the curves (the display timer calls this)."""
        self._timer.stop()
        buffer = self._buffer
        if not self._dirty or buffer is None:
            return
        self._dirty = False
        self._last_redraw = time.perf_counter()
        epoch = buffer.column("epoch")
        keys = ("train_loss", "train_acc", "test_loss", "test_acc")
        for key in keys if buffer.has_test else keys[:2]:
            values = buffer.column(key)
            self.curves[key].setData(epoch, values)
            self.heads[key].setData(epoch[-1:], values[-1:])
        self._update_x_ranges(float(epoch[-1]) if len(epoch) else 0.0)
        for index, curve in enumerate(self.weight_curves):
            curve.setData(epoch, buffer.param(index))
        if self._theta is not None:
            self._draw_bars(self._theta)
        self.redraw_count += 1

    def _update_x_ranges(self, last_epoch: float) -> None:
        """Show epochs 0..MIN_EPOCH_SPAN until the run passes it, then follow the data."""
        short = last_epoch < MIN_EPOCH_SPAN
        if short == self._short_x_range:
            return
        self._short_x_range = short
        for plot in (self.loss_plot, self.accuracy_plot, self.weights_plot):
            if short:
                plot.setXRange(0, MIN_EPOCH_SPAN, padding=0.02)
            else:
                plot.enableAutoRange(axis="x")

    def _draw_bars(self, theta: np.ndarray) -> None:
        n_params = len(theta)
        colors = [QColor(param_color(i, n_params)) for i in range(n_params)]
        self.bars.setOpts(
            x0=np.minimum(theta, 0.0),
            width=np.abs(theta),
            y=np.arange(n_params),
            height=0.7,
            brushes=colors,
            pens=[pg.mkPen(c.darker(130)) for c in colors],
        )
        # Leave room beside the longest bar for its value label (LABEL_ROOM_PX on each side).
        extent = max(float(np.max(np.abs(theta))), 1e-3)
        width_px = max(self.bars_plot.getViewBox().width(), 4.0 * LABEL_ROOM_PX)
        half_range = extent / (1.0 - 2.0 * LABEL_ROOM_PX / width_px)
        self.bars_plot.setXRange(-half_range, half_range, padding=0)
        for index, (label, value) in enumerate(zip(self._bar_labels, theta, strict=True)):
            label.setText(f"{value:+.3g}" if value else "0")
            label.setAnchor((0, 0.5) if value >= 0 else (1, 0.5))
            label.setPos(value + (0.03 if value >= 0 else -0.03) * extent, index)

    def _clear_curves(self) -> None:
        for curve in (*self.curves.values(), *self.heads.values(), *self.weight_curves):
            curve.setData([], [])
        self._short_x_range = None
        self.bars.setOpts(x0=[], width=[], y=[], height=0.7)
        for label in self._bar_labels:
            label.setText("")

    def _show_loss_label(self, config: TrainConfig) -> None:
        label = LOSS_LABELS.get(config.model, "loss")
        self.loss_plot.getAxis("left").setLabel(label, color=AXIS_COLOR)
