"""Live training plots: loss, accuracy and the parameters against epoch, and the weights now.

The panel draws from the controller's ``history`` (a ``SessionHistory``, the window's one
copy of the run) and keeps no data of its own: each snapshot marks the plots dirty, and a
single-shot display timer redraws at most every ``REDRAW_INTERVAL_MS``, so a run at
thousands of steps per second costs one redraw per frame; the run is held while a frame
paints (see ``_hold_until_painted``). Frames that cost more (a slow machine, a busy
training thread) come less often: a ``FramePacer`` keeps the plots to a share of the GUI
thread, so a click or a lesson step never waits behind a queue of frames. Curves are
created once and only ever updated with ``setData``; peak downsampling and clip-to-view
keep a million-epoch curve smooth (as in pyqtgraph's scrollingPlots example).

The parameters are named by the model (``model.param_names``: the features and ``bias`` for
the linear models, ``h1:glucose`` … ``out:bias`` for a hidden layer); the last one (the
output's bias) always has its own dashed curve.  A model with more than
``MAX_WEIGHT_CURVES`` other parameters shows the ``MAX_WEIGHT_CURVES`` farthest from zero in
the weights plot and the bar chart, or the ones picked with the weights plot's title, which
is then a button ("Weights and bias: 12 of 30 weights"); nothing drawn grows with the
column count.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import ExitStack
from functools import partial

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QGridLayout, QWidget

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph uses it

from gdapp.core.trainer import TrainConfig, model_for
from gdapp.datasets import Dataset
from gdapp.ui.controller import TrainingSession
from gdapp.ui.frame_pacer import FramePacer, paint_next_turn_if_long
from gdapp.ui.history import SessionHistory
from gdapp.ui.panels.weight_picker import WeightPicker
from gdapp.ui.plot_items import (
    AXIS_COLOR,
    BIAS_COLOR,
    LEGEND_BRUSH,
    TEST_COLOR,
    TRAIN_COLOR,
    ZERO_LINE_COLOR,
    PlotView,
    SideLegend,
    bounds,
    make_curve,
    make_plot,
    param_color,
    set_axis_label,
    view_point,
)
from gdapp.ui.training_thread import Snapshot

REDRAW_INTERVAL_MS = 30  # at most ~33 redraws per second
PAINT_HOLD_LIMIT_MS = 100  # longest a redraw may hold a run while waiting for paints
LABEL_GAP_PX = 10  # between a bar's end and its value label, plus a margin
BAR_LABEL_POINTS = 8.0  # the bars' value labels, before the classroom zoom
FOLLOWING_PLOTS = ("loss", "accuracy", "weights")  # views that track the data's range
# pyqtgraph's cap on how far (in view heights) a curve may reach past a zoomed view before
# its points are clamped (Qt stalls drawing lines millions of pixels long). A view that
# follows its data holds every point, so its curves go without: with the cap, each curve
# recomputes what it draws at every change of the view's height, about every frame.
ZOOMED_RANGE_LIMIT = 1e6
MIN_EPOCH_SPAN = 10  # epochs shown on the x axes before autoscaling takes over
EPOCH_AXIS_GROWTH = 1.25  # the epoch axis extends to 25 % past the data when it grows
LOSS_LABELS = {
    "logistic": "cross-entropy loss",
    "linear": "squared-error loss",
    "mlp": "cross-entropy loss (hidden layer)",
}
MAX_WEIGHT_CURVES = 12  # weights a plot can label; wider tables show a choice of them
NAME_CHARS = 18  # longest feature name written on a tick or in the legend
WEIGHTS_TITLE = "Weights and bias"
TITLE_UNDER_BUTTON = "\u00a0"  # a title of one space keeps its row for the picker
PARAMS_TITLE = "Weights and biases"  # a hidden layer has one bias per unit and the output's
# The panel's four plots: key -> make_plot's arguments (objectName, title, x and y label).
PLOT_SPECS = {
    "loss": ("lossPlot", "Loss", "epoch", ""),
    "accuracy": ("accuracyPlot", "Accuracy", "epoch", "correct (%)"),
    "weights": ("weightsPlot", WEIGHTS_TITLE, "epoch", "value"),
    "current weights": ("weightsBarPlot", "Current weights", "value", ""),
}


BRANCH_COLOR = (120, 120, 120, 150)  # a forked-off branch: grey, translucent


class PlotsPanel(QWidget):
    """Four plots: ``lossPlot``, ``accuracyPlot``, ``weightsPlot`` and ``weightsBarPlot``.

    ``views`` maps "loss", "accuracy", "weights", "current weights" to the plot widgets and
    ``plots`` to their PlotItems. ``curves`` maps "train_loss", "test_loss", "train_acc" and
    "test_acc" to their curves, ``heads`` to the dot on each curve's newest point;
    ``weight_curves`` lists the weight curves shown (one per entry of ``shown_params``, the
    bias last) and ``weight_picker`` is the button that stands in for the weights plot's
    title when there are more than ``MAX_WEIGHT_CURVES`` weights.
    """

    def __init__(
        self,
        controller: TrainingSession,
        parent: QWidget | None = None,
        prebuilt: dict[str, PlotView] | None = None,
    ) -> None:
        """``prebuilt``: plot views already made from ``PLOT_SPECS`` (by key), taken from it
        and used instead of new ones (the window makes them one per turn of the event loop
        before it builds this page: the four take most of the panel's cost)."""
        super().__init__(parent)
        self.setObjectName("plotsPanel")
        self._controller = controller
        self._history: SessionHistory = controller.history
        self._names: tuple[str, ...] = ()  # model.param_names: one per parameter, bias last
        self._feature_names: tuple[str, ...] = ()
        self._model_name = ""
        self._has_test = False
        self._picks: tuple[int, ...] | None = None  # parameters picked; None: the largest
        self._features: tuple[int, ...] = ()  # parameters shown, one per weight slot
        self._picker_texts = ("", "")  # the picker's text, long and short
        self._running = False
        self._dirty = False
        self.pacer = FramePacer(REDRAW_INTERVAL_MS / 1000)
        self._following = dict.fromkeys(FOLLOWING_PLOTS, True)
        self._epoch_axis_end = 0.0
        self._setting_range = False
        self.redraw_count = 0

        prebuilt = {} if prebuilt is None else prebuilt
        self.views = {
            key: prebuilt.pop(key, None) or make_plot(*spec) for key, spec in PLOT_SPECS.items()
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
        # The part of the run a timeline fork left behind, drawn faded under the live curve.
        self.branch_curve = pg.PlotDataItem(
            pen=pg.mkPen(BRANCH_COLOR, width=2, style=Qt.PenStyle.DashLine)
        )
        self.branch_curve.setObjectName("branchCurve")
        self.branch_curve.setZValue(-1)
        self.branch_curve.setVisible(False)
        self.loss_plot.addItem(self.branch_curve)
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
        # Thirteen entries would hide the curves, so the weights legend sits beside the plot.
        self.weights_legend = SideLegend(below=self.weights_plot.titleLabel)
        self.views["weights"].addItem(self.weights_legend, row=0, col=1)
        self.views["weights"].ci.layout.setAlignment(self.weights_legend, Qt.AlignmentFlag.AlignTop)
        # One curve per weight slot and one for the bias, made once for every dataset.
        self._slot_curves = [
            make_curve(self.weights_plot, param_color(i, MAX_WEIGHT_CURVES + 1), f"w{i}")
            for i in range(MAX_WEIGHT_CURVES)
        ]
        self._bias_curve = make_curve(self.weights_plot, BIAS_COLOR, "bias", dashed=True)
        # The curves that the followed range holds (the earlier branch may lie outside it).
        self._followed_curves = {
            "loss": [self.curves["train_loss"], self.curves["test_loss"]],
            "accuracy": [self.curves["train_acc"], self.curves["test_acc"]],
            "weights": [*self._slot_curves, self._bias_curve],
        }
        for key in FOLLOWING_PLOTS:
            self._set_following(key, True)
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.7)
        self.bars_plot.addItem(self.bars)
        self.bars_plot.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen(AXIS_COLOR)))
        self.weights_plot.addItem(
            pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(ZERO_LINE_COLOR)), ignoreBounds=True
        )
        self._label_font = QFont(self.font().family(), BAR_LABEL_POINTS)
        self._label_metrics = QFontMetricsF(self._label_font)
        self._bar_labels: list[pg.TextItem] = []
        for _ in range(MAX_WEIGHT_CURVES + 1):
            label = pg.TextItem(color=AXIS_COLOR, anchor=(0, 0.5))
            label.setFont(self._label_font)
            label.setVisible(False)
            self.bars_plot.addItem(label)
            self._bar_labels.append(label)

        # For a wide table the weights plot's title is this button: it stands where the
        # title is, so showing it moves nothing (a row of its own relaid all four plots).
        self.weight_picker = WeightPicker(MAX_WEIGHT_CURVES, parent=self.views["weights"])
        self.weight_picker.hide()
        self.weight_picker.picks_changed.connect(self._on_weight_picker_picks_changed)
        self.weights_plot.titleLabel.geometryChanged.connect(self._place_weight_picker)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        for index, view in enumerate(self.views.values()):
            grid.addWidget(view, index // 2, index % 2)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
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
        self._pending_dataset: Dataset | None = None  # came while hidden (see showEvent)
        self._pending_layout = False  # a model with other parameters came while hidden
        if controller.dataset is not None:
            self._lay_out_dataset(controller.dataset)
            if self._history.point_count:
                self._schedule_redraw()  # what the history holds already

    @property
    def stride(self) -> int:
        """History rows per plotted point before the recent stretch (1 for a short run)."""
        return self._history.stride

    @property
    def shown_params(self) -> tuple[int, ...]:
        """Parameter indices the weights plot and the bar chart show, the bias last."""
        return (*self._features, len(self._names) - 1) if self._names else ()

    @property
    def weight_curves(self) -> list[pg.PlotDataItem]:
        """The weight curves shown, in the order of ``shown_params`` (the bias last)."""
        return [*self._slot_curves[: len(self._features)], self._bias_curve]

    def set_shown_weights(self, features: Sequence[int] | None) -> None:
        """Show these parameters (indices into theta, not the last; at most
        ``MAX_WEIGHT_CURVES``); None: the largest |value|.

        Models with up to ``MAX_WEIGHT_CURVES`` such parameters always show every one.
        """
        n_features = len(self._names) - 1
        if n_features < 0:
            raise RuntimeError("No dataset is loaded.")
        if features is not None:
            picks = tuple(dict.fromkeys(int(f) for f in features))
            if any(not 0 <= f < n_features for f in picks):
                raise ValueError(f"feature indices must lie in 0..{n_features - 1}: {picks}")
            features = picks[:MAX_WEIGHT_CURVES]
        self._picks = features
        self._dirty = True
        if self._history.point_count:
            self.redraw()
        else:
            self._show_features(self._choose_features(np.zeros(n_features + 1)))

    # -- controller events ----------------------------------------------------------------

    def set_branch(self, epoch: np.ndarray | None, loss: np.ndarray | None) -> None:
        """Draw an abandoned branch's training loss faded on the loss plot (None: remove)."""
        if epoch is None or loss is None or not len(epoch):
            self.branch_curve.setData([], [])
            self.branch_curve.setVisible(False)
            self.loss_legend.removeItem(self.branch_curve)
            return
        self.branch_curve.setData(np.asarray(epoch, float), np.asarray(loss, float))
        self.branch_curve.setVisible(True)
        self.loss_legend.removeItem(self.branch_curve)
        self.loss_legend.addItem(self.branch_curve, "earlier branch")

    def _on_controller_dataset_changed(self, dataset: Dataset) -> None:
        if not self.isVisible():
            # Laid out when next shown: a lesson step or a dataset switch made on another
            # page would lay out legends, bars and the picker for nothing (4-10 ms).
            self._pending_dataset, self._pending_layout = dataset, False
            return
        self._lay_out_dataset(dataset)

    def _lay_out_dataset(self, dataset: Dataset) -> None:
        self._pending_dataset, self._pending_layout = None, False
        self.set_branch(None, None)
        self._feature_names = tuple(dataset.feature_names)
        self._has_test = len(dataset.test_idx) > 0
        self._lay_out_params(self._controller.config)
        for key, legend in (("test_loss", self.loss_legend), ("test_acc", self.accuracy_legend)):
            curve = self.curves[key]
            curve.setVisible(self._has_test)
            if (legend.getLabel(curve) is not None) != self._has_test:
                legend.removeItem(curve)
                if self._has_test:
                    legend.addItem(curve, "test")
        self._clear_curves()

    def _lay_out_params(self, config: TrainConfig) -> None:
        """Name the parameters of ``config``'s model on the current dataset, nothing shown yet.

        The same names keep their legend and bars: making legend labels is slow.
        """
        self._model_name = config.model
        names = tuple(model_for(config).param_names(self._feature_names))
        wide = len(names) - 1 > MAX_WEIGHT_CURVES
        if names != self._names or wide:
            self._features = ()  # nothing laid out: the next call lays out every slot
        self._names = names
        self._picks = None
        self.weight_picker.setVisible(wide)  # a child of the view: no layout moves
        if wide:
            self.weight_picker.set_names(self._names[:-1])
        self._show_features(self._choose_features(np.zeros(len(self._names))))

    def _on_controller_config_changed(self, config: TrainConfig) -> None:
        self._show_loss_label(config)
        if not self._feature_names or self._pending_dataset is not None:
            return  # the dataset laid out when shown takes the config as it is then
        names = tuple(model_for(config).param_names(self._feature_names))
        if names != self._names:  # another layout: the run restarts and its curves with it
            if not self.isVisible():
                self._pending_layout = True
                return
            self._lay_out_params(config)
            self._clear_curves()

    def _on_controller_snapshot_ready(self, snapshot: Snapshot) -> None:
        self._running = snapshot.running
        self._schedule_redraw()

    def _on_weight_picker_picks_changed(self, picks: tuple[int, ...] | None) -> None:
        self.set_shown_weights(picks)

    # -- drawing --------------------------------------------------------------------------

    def _schedule_redraw(self) -> None:
        self._dirty = True
        if not self._timer.isActive():
            self.pacer.start(self._timer)

    def _on_timer_timeout(self) -> None:
        if self._dirty and self.isVisible() and self.pacer.yield_if_late(self._timer):
            return  # the timers that came due while the loop was busy go first
        self.redraw()

    def redraw(self) -> None:
        """Push the history into the curves (the display timer calls this)."""
        self._timer.stop()
        if not self._dirty or not self.isVisible():
            return  # a hidden panel catches up when shown (showEvent)
        self._dirty = False
        history = self._history
        if history.point_count == 0 or history.n_params != len(self._names):
            self._clear_curves()  # a new dataset whose first snapshot is still on its way
            return
        started = self.pacer.frame_started()
        self._hold_until_painted()
        self._set_curve_data(history)
        self.redraw_count += 1
        cost = time.perf_counter() - started
        self.pacer.add_cost(cost)  # and each paint, as it comes
        paint_next_turn_if_long(self, cost)

    def showEvent(self, event) -> None:
        if self._pending_dataset is not None:
            self._lay_out_dataset(self._pending_dataset)
        elif self._pending_layout:
            self._pending_layout = False
            self._lay_out_params(self._controller.config)
            self._clear_curves()
        super().showEvent(event)
        if self._dirty and not self._timer.isActive():
            self.pacer.start(self._timer, 0)

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
        self.pacer.add_cost(view.last_paint_s)
        waiting = self._waiting_for_paint
        if waiting:
            waiting.discard(view)
            if not waiting:
                self._release_hold()

    def _release_hold(self) -> None:
        self._hold_timer.stop()
        self._waiting_for_paint = set()
        self._hold.close()

    def _set_curve_data(self, history: SessionHistory) -> None:
        # The views share the history's buffer, which the next snapshot may rearrange; the
        # redraw that follows it (within REDRAW_INTERVAL_MS) hands the curves fresh views.
        epoch = history.column("epoch")
        keys = ("train_loss", "train_acc", "test_loss", "test_acc")
        for key in keys if self._has_test else keys[:2]:
            values = history.column(key)
            if key.endswith("acc"):
                values = values * 100.0  # percent
            self.curves[key].setData(epoch, values)
            # The dot marks where a paused run stands; during a run it would only cost time.
            head = self.heads[key]
            head.setVisible(not self._running)
            if not self._running:
                head.setPos(*view_point(self.curves[key], float(epoch[-1]), float(values[-1])))
        theta = history.theta()[-1]
        self._show_features(self._choose_features(theta))
        for curve, index in zip(self.weight_curves, self.shown_params, strict=True):
            curve.setData(epoch, history.param(index))
        self._follow_data(history)
        self._draw_bars(theta[list(self.shown_params)])

    def _choose_features(self, theta: np.ndarray) -> tuple[int, ...]:
        """Parameters to show for ``theta`` ((p,)), keeping shown ones in place; the last
        parameter has its own curve and is never among them."""
        n_features = len(self._names) - 1
        if n_features <= MAX_WEIGHT_CURVES:
            return tuple(range(n_features))
        if self._picks is not None:
            return self._picks
        magnitude = np.abs(theta[:n_features])
        # The largest |w|, ties to the lower index; O(d) (argpartition), not a full sort.
        top = np.argpartition(-magnitude, MAX_WEIGHT_CURVES - 1)[:MAX_WEIGHT_CURVES]
        threshold = magnitude[top].min()
        above = np.flatnonzero(magnitude > threshold)
        at = np.flatnonzero(magnitude == threshold)[: MAX_WEIGHT_CURVES - len(above)]
        chosen = set(above.tolist()) | set(at.tolist())
        # A weight that stays among the largest keeps its curve, colour and legend line.
        slots = [f if f in chosen else None for f in self._features]
        slots += [None] * (MAX_WEIGHT_CURVES - len(slots))
        newcomers = chosen - set(self._features)
        incoming = iter(sorted(newcomers, key=lambda f: (-magnitude[f], f)))
        return tuple(f if f is not None else next(incoming) for f in slots)

    def _show_features(self, features: tuple[int, ...]) -> None:
        """Lay out the weight slots, legend, bars and ticks for ``features`` (if changed)."""
        if features == self._features:
            return
        self._features = features
        names = [_short(self._names[i]) for i in self.shown_params]
        for slot, curve in enumerate(self._slot_curves):
            curve.setVisible(slot < len(features))
            if slot >= len(features):
                curve.setData([], [])
        self.weights_legend.set_rows(list(zip(self.weight_curves, names, strict=True)))
        n_shown = len(names)
        colors = [QColor(param_color(i, MAX_WEIGHT_CURVES + 1)) for i in range(len(features))]
        colors.append(QColor(BIAS_COLOR))
        self.bars.setOpts(brushes=colors, pens=[pg.mkPen(c.darker(130)) for c in colors])
        self.bars_plot.getAxis("left").setTicks([list(enumerate(names))])
        self.bars_plot.setYRange(-0.6, n_shown - 0.4, padding=0)
        for index, label in enumerate(self._bar_labels):
            label.setVisible(index < n_shown)
        n_features = len(self._names) - 1
        base = PARAMS_TITLE if self._model_name == "mlp" else WEIGHTS_TITLE
        if n_features > MAX_WEIGHT_CURVES:
            what = "parameters" if self._model_name == "mlp" else "weights"
            count = f"{len(features)} of {n_features:,} {what}"
            self._picker_texts = (f"{base}: {count}", count)  # the second where space is short
            self.weight_picker.setText(self._picker_texts[0])
            self.weight_picker.set_shown(features, automatic=self._picks is None)
            title = TITLE_UNDER_BUTTON  # keeps the title's row, the button stands on it
        else:
            title = base
        self._set_weights_title(title)
        self._place_weight_picker()

    def set_text_scale(self, factor: float) -> None:
        """Write the bars' value labels ``factor`` times their size (the classroom zoom)."""
        self._label_font.setPointSizeF(BAR_LABEL_POINTS * factor)
        self._label_metrics = QFontMetricsF(self._label_font)
        for label in self._bar_labels:
            label.setFont(self._label_font)
        if self._history.point_count and self._history.n_params == len(self._names):
            self._draw_bars(self._history.theta()[-1][list(self.shown_params)])

    def _set_weights_title(self, title: str) -> None:
        label = self.weights_plot.titleLabel
        size = label.opts.get("size", "10pt")  # the classroom zoom may have changed it
        if label.text != title:
            self.weights_plot.setTitle(title, color=AXIS_COLOR, size=size)

    def _place_weight_picker(self, *_args) -> None:
        """Centre the picker on the weights plot's title row, inside the view."""
        picker = self.weight_picker
        if not picker.isVisibleTo(self):
            return
        view = self.views["weights"]
        label = self.weights_plot.titleLabel
        title = view.mapFromScene(label.sceneBoundingRect()).boundingRect()
        title.translate(view.viewport().pos())
        # The long text where it fits; the count alone in a narrow plot or a large zoom.
        metrics = picker.fontMetrics()
        frame = picker.sizeHint().width() - metrics.horizontalAdvance(picker.text())
        long_text, short_text = self._picker_texts
        fits = frame + metrics.horizontalAdvance(long_text) <= view.width()
        text = long_text if fits else short_text
        if picker.text() != text:
            picker.setText(text)
        hint = picker.sizeHint()
        width = min(hint.width(), view.width())
        x = min(max(0, title.center().x() - width // 2), view.width() - width)
        y = max(0, title.center().y() - hint.height() // 2)
        picker.setGeometry(x, y, width, hint.height())
        picker.raise_()

    def _follow_data(self, history: SessionHistory) -> None:
        """Fit the view to the data, for each plot the user has not zoomed or panned.

        The ranges are set here from the data we already hold, with pyqtgraph's own
        auto-range off: that one rescans every curve when painting and changes the range
        during the paint, which paints the view two or three times per frame. The epoch
        axis grows in steps of ``EPOCH_AXIS_GROWTH`` and spans at least ``MIN_EPOCH_SPAN``
        (one point at epoch 0 has no range of its own): every change of the x range makes
        each curve downsample its data again, and a steady axis is easier to read.
        """
        last = float(history.column("epoch")[-1])
        low = max(MIN_EPOCH_SPAN, last)
        if not low <= self._epoch_axis_end <= max(MIN_EPOCH_SPAN, last * EPOCH_AXIS_GROWTH**2):
            self._epoch_axis_end = max(MIN_EPOCH_SPAN, last * EPOCH_AXIS_GROWTH)
        x_range = (0.0, self._epoch_axis_end)
        losses = [history.column("train_loss")]
        if self._has_test:
            losses.append(history.column("test_loss"))
        y_ranges = {
            "loss": bounds(losses),
            "accuracy": (0.0, 100.0),
            "weights": bounds([history.param(i) for i in self.shown_params]),
        }
        for key, y_range in y_ranges.items():
            if self._following[key]:
                self._set_range(key, x_range, y_range)

    def _set_range(self, key: str, x_range: tuple[float, float], y_range: tuple[float, float]):
        self._setting_range = True
        self.plots[key].setRange(xRange=x_range, yRange=y_range, padding=0.04)
        # Apply the new range now: left to the paint, it would move every item during the
        # paint and so paint the view a second time.
        self.plots[key].getViewBox().updateMatrix()
        self._setting_range = False

    def _set_following(self, key: str, following: bool) -> None:
        """Fit plot ``key`` to its data from now on, or leave it where the user put it."""
        self._following[key] = following
        limit = None if following else ZOOMED_RANGE_LIMIT
        for curve in self._followed_curves[key]:
            curve.setDynamicRangeLimit(limit)  # nothing happens if it is already so

    def _on_view_range_changed_manually(self, key: str, *_args) -> None:
        self._set_following(key, False)  # the user zoomed or panned: leave the view alone

    def _on_view_state_changed(self, key: str, *_args) -> None:
        view_box = self.plots[key].getViewBox()
        if self._setting_range or not any(view_box.autoRangeEnabled()):
            return
        # The user asked for auto-range ("A" button, "View all"): follow the data again.
        view_box.disableAutoRange()
        self._set_following(key, True)
        if self._history.point_count and self._history.n_params == len(self._names):
            self._follow_data(self._history)

    def _draw_bars(self, theta: np.ndarray) -> None:
        """Bars for the shown parameters' values ``theta`` (in ``shown_params`` order)."""
        n_shown = len(theta)
        self.bars.setOpts(x0=np.minimum(theta, 0.0), width=np.abs(theta), y=np.arange(n_shown))
        texts = [f"{value:+.3g}" if value else "0" for value in theta]
        # Leave room beside the longest bar for the widest value label, on both sides.
        extent = max(float(np.max(np.abs(theta))), 1e-3)
        width_px = max(self.bars_plot.getViewBox().width(), 1.0)
        # TextItems draw a little wider than the metrics say (their own font and margins).
        widest = max(self._label_metrics.horizontalAdvance(t) for t in texts)
        room_px = 1.25 * widest + 8 + LABEL_GAP_PX
        room_px = min(room_px, width_px / 4)  # a tiny plot keeps at least half for the bars
        half_range = extent / (1.0 - 2.0 * room_px / width_px)
        self.bars_plot.setXRange(-half_range, half_range, padding=0)
        self.bars_plot.getViewBox().updateMatrix()  # now, not during the paint (see above)
        gap = LABEL_GAP_PX / 2 * (2 * half_range / width_px)  # in data units
        for index, (label, value, text) in enumerate(
            zip(self._bar_labels[:n_shown], theta, texts, strict=True)
        ):
            if label.toPlainText() != text:  # re-laying out text is the costly part
                label.setText(text)
                label.setAnchor((0, 0.5) if value >= 0 else (1, 0.5))
            label.setPos(value + (gap if value >= 0 else -gap), index)

    def _clear_curves(self) -> None:
        for curve in (*self.curves.values(), *self._slot_curves, self._bias_curve):
            curve.setData([], [])
        for head in self.heads.values():
            head.setVisible(False)
        for key in FOLLOWING_PLOTS:
            self._set_following(key, True)
        self._epoch_axis_end = float(MIN_EPOCH_SPAN)
        for key, y_range in (("loss", (0.0, 1.0)), ("accuracy", (0.0, 100.0))):
            self._set_range(key, (0.0, self._epoch_axis_end), y_range)
        self._set_range("weights", (0.0, self._epoch_axis_end), (-1.0, 1.0))
        self.bars.setOpts(x0=[], width=[], y=[], height=0.7)
        for label in self._bar_labels:
            label.setText("")

    def _show_loss_label(self, config: TrainConfig) -> None:
        label = LOSS_LABELS.get(config.model, "loss")
        set_axis_label(self.loss_plot.getAxis("left"), label, color=AXIS_COLOR)


def _short(name: str) -> str:
    """``name`` cut to ``NAME_CHARS`` characters (a CSV header can be a sentence)."""
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"
