"""Live training plots: loss, accuracy and every parameter against epoch, and the weights now.

The panel subscribes to ``AppController``: each snapshot's rows go into a ``HistoryBuffer``
and mark the plots dirty; a single-shot display timer redraws at most every
``REDRAW_INTERVAL_MS``, so a run at thousands of steps per second costs one redraw per
frame; the run is held while a frame paints (see ``_hold_until_painted``). Curves are
created once per dataset and only ever updated with ``setData``;
peak downsampling and clip-to-view keep a million-epoch curve smooth (as in pyqtgraph's
scrollingPlots example).
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from functools import partial

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QGridLayout, QWidget

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph uses it

from gdapp.core.trainer import TrainConfig
from gdapp.datasets import Dataset
from gdapp.ui.controller import AppController
from gdapp.ui.plot_buffers import HistoryBuffer
from gdapp.ui.plot_items import (
    AXIS_COLOR,
    LEGEND_BRUSH,
    TEST_COLOR,
    TRAIN_COLOR,
    ZERO_LINE_COLOR,
    PlotView,
    bounds,
    make_curve,
    make_plot,
    param_color,
    view_point,
)
from gdapp.ui.training_thread import Snapshot

REDRAW_INTERVAL_MS = 30  # at most ~33 redraws per second
PAINT_HOLD_LIMIT_MS = 100  # longest a redraw may hold a run while waiting for paints
LABEL_GAP_PX = 10  # between a bar's end and its value label, plus a margin
FOLLOWING_PLOTS = ("loss", "accuracy", "weights")  # views that track the data's range
MIN_EPOCH_SPAN = 10  # epochs shown on the x axes before autoscaling takes over
EPOCH_AXIS_GROWTH = 1.25  # the epoch axis extends to 25 % past the data when it grows
LOSS_LABELS = {"logistic": "cross-entropy loss", "linear": "squared-error loss"}


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
        self._running = False
        self._dirty = False
        self._last_redraw = 0.0
        self._following = dict.fromkeys(FOLLOWING_PLOTS, True)
        self._epoch_axis_end = 0.0
        self._setting_range = False
        self.redraw_count = 0

        self.views = {
            "loss": make_plot("lossPlot", "Loss", "epoch", ""),
            "accuracy": make_plot("accuracyPlot", "Accuracy", "epoch", "correct (%)"),
            "weights": make_plot("weightsPlot", "Weights and bias", "epoch", "value"),
            "current weights": make_plot("weightsBarPlot", "Current weights", "value", ""),
        }
        self.plots: dict[str, pg.PlotItem] = {
            key: view.getItem(0, 0) for key, view in self.views.items()
        }
        self.loss_plot = self.plots["loss"]
        self.accuracy_plot = self.plots["accuracy"]
        self.weights_plot = self.plots["weights"]
        self.bars_plot = self.plots["current weights"]
        self.accuracy_plot.setYRange(0, 100, padding=0.04)
        self.bars_plot.invertY(True)
        self.bars_plot.setMouseEnabled(x=False, y=False)
        self.bars_plot.hideButtons()
        self.bars_plot.setMenuEnabled(False)  # log scale or downsampling make no sense here
        for key in FOLLOWING_PLOTS:
            view_box = self.plots[key].getViewBox()
            view_box.disableAutoRange()
            view_box.sigRangeChangedManually.connect(
                partial(self._on_view_range_changed_manually, key)
            )
            view_box.sigStateChanged.connect(partial(self._on_view_state_changed, key))

        legend_style = {"labelTextSize": "8pt", "labelTextColor": AXIS_COLOR}
        self.loss_legend = self.loss_plot.addLegend(
            offset=(-10, 10), brush=LEGEND_BRUSH, **legend_style
        )
        self.accuracy_legend = self.accuracy_plot.addLegend(
            offset=(-10, -10), brush=LEGEND_BRUSH, **legend_style
        )
        self.curves = {
            "train_loss": make_curve(self.loss_plot, TRAIN_COLOR, "train"),
            "test_loss": make_curve(self.loss_plot, TEST_COLOR, "test", dashed=True),
            "train_acc": make_curve(self.accuracy_plot, TRAIN_COLOR, "train"),
            "test_acc": make_curve(self.accuracy_plot, TEST_COLOR, "test", dashed=True),
        }
        # A dot on the newest point, so a single step (or step 0) is visible.
        self.heads: dict[str, pg.ScatterPlotItem] = {}
        for key in self.curves:
            color = TRAIN_COLOR if key.startswith("train") else TEST_COLOR
            plot = self.loss_plot if key.endswith("loss") else self.accuracy_plot
            # One dot at the item's origin, moved with setPos (much cheaper than setData).
            head = pg.ScatterPlotItem(
                [0.0], [0.0], size=7, brush=pg.mkBrush(color), pen=pg.mkPen("w")
            )
            head.setVisible(False)
            plot.getViewBox().addItem(head, ignoreBounds=True)
            self.heads[key] = head
        # Nine entries would hide the curves, so the weights legend sits beside the plot.
        self.weights_legend = pg.LegendItem(verSpacing=-4, **legend_style)
        self.views["weights"].addItem(self.weights_legend, row=0, col=1)
        self.weight_curves: list[pg.PlotDataItem] = []
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.7)
        self.bars_plot.addItem(self.bars)
        self.bars_plot.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen(AXIS_COLOR)))
        self.weights_plot.addItem(
            pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(ZERO_LINE_COLOR)), ignoreBounds=True
        )
        self._bar_labels: list[pg.TextItem] = []
        self._label_font = QFont(self.font().family(), 8)
        self._label_metrics = QFontMetricsF(self._label_font)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        for index, view in enumerate(self.views.values()):
            grid.addWidget(view, index // 2, index % 2)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.redraw)
        self._hold = ExitStack()
        self._waiting_for_paint: set[PlotView] = set()
        self._hold_timer = QTimer(self)  # a safety net: never hold a run for long
        self._hold_timer.setSingleShot(True)
        self._hold_timer.setInterval(PAINT_HOLD_LIMIT_MS)
        self._hold_timer.timeout.connect(self._release_hold)
        for view in self.views.values():
            view.painted.connect(partial(self._on_view_painted, view))

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
            make_curve(self.weights_plot, param_color(i, n_params), name, dashed=name == "bias")
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
            label.setFont(self._label_font)
            self.bars_plot.addItem(label)
            self._bar_labels.append(label)
        colors = [QColor(param_color(i, n_params)) for i in range(n_params)]
        self.bars.setOpts(brushes=colors, pens=[pg.mkPen(c.darker(130)) for c in colors])
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
        self._running = snapshot.running
        self._dirty = True
        if not self._timer.isActive():
            wait_ms = self._last_redraw * 1000 + REDRAW_INTERVAL_MS - time.perf_counter() * 1000
            self._timer.start(max(0, int(wait_ms)))

    # -- drawing --------------------------------------------------------------------------

    def redraw(self) -> None:
        """Push the buffered history into the curves (the display timer calls this)."""
        self._timer.stop()
        buffer = self._buffer
        if not self._dirty or buffer is None or not self.isVisible():
            return  # a hidden panel catches up when shown (showEvent)
        self._dirty = False
        self._last_redraw = time.perf_counter()
        self._hold_until_painted()
        self._set_curve_data(buffer)
        self.redraw_count += 1

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty and not self._timer.isActive():
            self._timer.start(0)

    def _hold_until_painted(self) -> None:
        """Hold a run until every visible plot has painted the new data.

        Drawing makes hundreds of short calls into Qt, and during a run each of them must
        win the GIL back from the training thread: a held frame costs a fraction of a
        contended one, and the run loses less time than the contention would take.
        """
        waiting = {v for v in self.views.values() if not v.viewport().visibleRegion().isEmpty()}
        if not waiting or self._waiting_for_paint:
            return
        self._waiting_for_paint = waiting
        self._hold.enter_context(self._controller.hold_training())
        self._hold_timer.start()

    def _on_view_painted(self, view: PlotView) -> None:
        waiting = self._waiting_for_paint
        if waiting:
            waiting.discard(view)
            if not waiting:
                self._release_hold()

    def _release_hold(self) -> None:
        self._hold_timer.stop()
        self._waiting_for_paint = set()
        self._hold.close()

    def _set_curve_data(self, buffer: HistoryBuffer) -> None:
        epoch = buffer.column("epoch")
        keys = ("train_loss", "train_acc", "test_loss", "test_acc")
        for key in keys if buffer.has_test else keys[:2]:
            values = buffer.column(key)
            self.curves[key].setData(epoch, values)
            # The dot marks where a paused run stands; during a run it would only cost time.
            head = self.heads[key]
            head.setVisible(not self._running)
            if not self._running:
                head.setPos(*view_point(self.curves[key], float(epoch[-1]), float(values[-1])))
        if len(epoch):
            self._follow_data(buffer)
        for index, curve in enumerate(self.weight_curves):
            curve.setData(epoch, buffer.param(index))
        if self._theta is not None:
            self._draw_bars(self._theta)

    def _follow_data(self, buffer: HistoryBuffer) -> None:
        """Fit the view to the data, for each plot the user has not zoomed or panned.

        The ranges are set here from the data we already hold, with pyqtgraph's own
        auto-range off: that one rescans every curve when painting and changes the range
        during the paint, which paints the view two or three times per frame. The epoch
        axis grows in steps of ``EPOCH_AXIS_GROWTH``: every change of the x range makes
        each curve downsample its data again, and a steady axis is easier to read.
        """
        last = float(buffer.column("epoch")[-1])
        if not last <= self._epoch_axis_end <= max(MIN_EPOCH_SPAN, last * EPOCH_AXIS_GROWTH**2):
            self._epoch_axis_end = max(MIN_EPOCH_SPAN, last * EPOCH_AXIS_GROWTH)
        x_range = (0.0, self._epoch_axis_end)
        n_params = buffer.n_params
        y_ranges = {
            "loss": bounds([buffer.column("train_loss")]
                            + ([buffer.column("test_loss")] if buffer.has_test else [])),
            "accuracy": (0.0, 100.0),
            "weights": bounds([buffer.param(i) for i in range(n_params)]),
        }  # fmt: skip
        for key, y_range in y_ranges.items():
            if self._following[key]:
                self._setting_range = True
                self.plots[key].setRange(xRange=x_range, yRange=y_range, padding=0.04)
                # Apply the new range now: left to the paint, it would move every item
                # during the paint and so paint the view a second time.
                self.plots[key].getViewBox().updateMatrix()
                self._setting_range = False

    def _on_view_range_changed_manually(self, key: str, *_args) -> None:
        self._following[key] = False  # the user zoomed or panned: leave the view alone

    def _on_view_state_changed(self, key: str, *_args) -> None:
        view_box = self.plots[key].getViewBox()
        if self._setting_range or not any(view_box.autoRangeEnabled()):
            return
        # The user asked for auto-range ("A" button, "View all"): follow the data again.
        view_box.disableAutoRange()
        self._following[key] = True
        if self._buffer is not None and len(self._buffer):
            self._follow_data(self._buffer)

    def _draw_bars(self, theta: np.ndarray) -> None:
        n_params = len(theta)
        self.bars.setOpts(x0=np.minimum(theta, 0.0), width=np.abs(theta), y=np.arange(n_params))
        texts = [f"{value:+.3g}" if value else "0" for value in theta]
        # Leave room beside the longest bar for the widest value label, on both sides.
        extent = max(float(np.max(np.abs(theta))), 1e-3)
        width_px = max(self.bars_plot.getViewBox().width(), 1.0)
        room_px = max(self._label_metrics.horizontalAdvance(t) for t in texts) + LABEL_GAP_PX
        room_px = min(room_px, width_px / 4)  # a tiny plot keeps at least half for the bars
        half_range = extent / (1.0 - 2.0 * room_px / width_px)
        self.bars_plot.setXRange(-half_range, half_range, padding=0)
        self.bars_plot.getViewBox().updateMatrix()  # now, not during the paint (see above)
        gap = LABEL_GAP_PX / 2 * (2 * half_range / width_px)  # in data units
        for index, (label, value, text) in enumerate(
            zip(self._bar_labels, theta, texts, strict=True)
        ):
            if label.toPlainText() != text:  # re-laying out text is the costly part
                label.setText(text)
                label.setAnchor((0, 0.5) if value >= 0 else (1, 0.5))
            label.setPos(value + (gap if value >= 0 else -gap), index)

    def _clear_curves(self) -> None:
        for curve in (*self.curves.values(), *self.weight_curves):
            curve.setData([], [])
        for head in self.heads.values():
            head.setVisible(False)
        for key in FOLLOWING_PLOTS:
            self._following[key] = True
        self._epoch_axis_end = 0.0
        self.bars.setOpts(x0=[], width=[], y=[], height=0.7)
        for label in self._bar_labels:
            label.setText("")

    def _show_loss_label(self, config: TrainConfig) -> None:
        label = LOSS_LABELS.get(config.model, "loss")
        self.loss_plot.getAxis("left").setLabel(label, color=AXIS_COLOR)
