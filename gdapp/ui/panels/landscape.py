"""The cost landscape: J along one parameter (slice) or over two (contour), live.

The panel follows the controller: the dataset's training rows define J, each snapshot moves
the current point and extends the descent path (the trainer's history of theta), and the
picture is re-evaluated only when the parameters held fixed have moved enough to change the
logits, or when the axes change, at most ``1000 / GRID_INTERVAL_MS`` times per second.

Contour mode also shows extra runs from the same start (other optimizers or learning rates),
computed here with core Trainers, each with a legend entry; hovering reads J exactly at the
cursor, clicking starts training from the clicked point.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph binds to it

from gdapp.core import landscape
from gdapp.core.optimizers import OPTIMIZER_NAMES
from gdapp.core.trainer import TrainConfig, Trainer, initial_theta

MODES = ("slice", "contour")
HINTS = {
    "slice": "Hover the curve to read J at any value of the parameter.",
    "contour": "Hover the map to read J; click to start training from that point.",
}
SLICE_POINTS = 240
GRID_SIZE = 72  # G x G grid of the contour
GRID_INTERVAL_MS = 250  # at most four grid evaluations per second
SLICE_INTERVAL_MS = 40
# Re-evaluate when the held parameters move any sample's logit by more than this.
HELD_LOGIT_TOLERANCE = 0.02
ISO_QUANTILES = (0.01, 0.03, 0.07, 0.14, 0.25, 0.4, 0.6, 0.8)
OVERLAY_STEPS = 300
TRAIL_POINTS = 25
MAX_DRAWN_PATH_POINTS = 2000  # a longer descent path is drawn thinned out, ends kept
PATH_REDRAW_INTERVAL_MS = 33  # the live path is redrawn at most 30 times a second
OVERLAY_REACH = 1.0  # overlaid runs may widen the view by this many times its own width
MINIMUM_COLOR = "#ffd23f"
PATH_PEN = pg.mkPen("#ffffff", width=2)
CURRENT_COLOR = "#ff5a36"
CURRENT_BRUSH = pg.mkBrush(CURRENT_COLOR)
START_BRUSH = pg.mkBrush("#ffffff")
OVERLAY_COLORS = ("#ff9f1c", "#2ec4f0", "#ff4fa3", "#9be564", "#c792ea", "#ffd23f")
SLICE_PEN = pg.mkPen("#4c9be8", width=2)
TANGENT_PEN = pg.mkPen("#ff5a36", width=1.5, style=Qt.PenStyle.DashLine)


@dataclasses.dataclass
class OverlayRun:
    """An extra descent run drawn over the contour: its settings and (k+1, d+1) path."""

    optimizer: str
    lr: float
    steps: int
    path: np.ndarray
    status: str
    item: pg.PlotDataItem
    color: str = "#ffffff"

    @property
    def label(self) -> str:
        return f"{self.optimizer}, lr {self.lr:g}"


class LandscapePanel(QWidget):
    """J(theta) around the current parameters, as a slice or a contour with descent paths.

    Public: ``configure(mode, params, overlay)`` (what a lesson's ``landscape`` action sets),
    ``set_mode``, ``set_params``, ``add_overlay``, ``clear_overlays``, ``set_start``,
    ``clear_start``, ``refresh()`` (evaluate now instead of at the next tick), ``value_at``.
    Signal ``hovered(float, float, float)``: the two coordinates and J under the cursor
    (slice mode: theta_i, J, J).
    """

    hovered = Signal(float, float, float)

    def __init__(self, controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("landscapePanel")
        self._controller = controller
        self._X: np.ndarray | None = None
        self._y: np.ndarray | None = None
        self._names: tuple[str, ...] = ()
        self._config: TrainConfig = controller.config
        self._theta: np.ndarray | None = None
        self._grad: np.ndarray | None = None
        self._minimum = np.zeros(0)  # lowest point of the picture's plane (others held)
        self._history = np.zeros((0, 0))
        self._stale = False
        self._rows = 0
        self._start: np.ndarray | None = None
        self._mode = "contour"
        self._params = (0, 1)
        self._overlays: list[OverlayRun] = []
        self._grid: np.ndarray | None = None
        self._grid_key: tuple | None = None
        self._grid_theta: np.ndarray | None = None
        self._slice_theta: np.ndarray | None = None
        self._fit_pending = True  # next evaluation fits the view to the paths
        self._user_zoomed = False  # the learner zoomed or panned: follow their view
        self._timer = QTimer(self)
        self._path_timer = QTimer(self)
        self._path_timer.setSingleShot(True)
        self._path_timer.setInterval(PATH_REDRAW_INTERVAL_MS)
        self._path_timer.timeout.connect(self._draw_paths)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._build()
        controller.dataset_changed.connect(self._on_controller_dataset_changed)
        controller.snapshot_ready.connect(self._on_controller_snapshot_ready)
        controller.config_changed.connect(self._on_controller_config_changed)
        if controller.dataset is not None:
            self._on_controller_dataset_changed(controller.dataset)
        if controller.last_snapshot is not None:
            controller.request_snapshot()

    # -- construction ------------------------------------------------------------------

    def _build(self) -> None:
        self._mode_combo = QComboBox(objectName="landscapeModeCombo")
        self._mode_combo.addItem("Slice", "slice")
        self._mode_combo.addItem("Contour", "contour")
        self._mode_combo.setToolTip(
            "Slice: J along one parameter, the others held at their current values.\n"
            "Contour: J over two parameters, the others held, with the descent path."
        )
        self._x_combo = QComboBox(objectName="landscapeXCombo")
        self._x_combo.setToolTip("Parameter on the horizontal axis")
        self._y_combo = QComboBox(objectName="landscapeYCombo")
        self._y_combo.setToolTip("Parameter on the vertical axis (contour only)")
        self._fit_button = QToolButton(text="Fit", objectName="landscapeFitButton")
        self._fit_button.setToolTip("Fit the view to the descent paths and the current point")
        top = QHBoxLayout()
        top.addWidget(self._mode_combo)
        top.addWidget(QLabel("x:"))
        top.addWidget(self._x_combo, 1)
        self._y_label = QLabel("y:")
        top.addWidget(self._y_label)
        top.addWidget(self._y_combo, 1)
        top.addWidget(self._fit_button)
        self._runs_button = QToolButton(text="Runs", objectName="landscapeRunsButton")
        self._runs_button.setCheckable(True)
        self._runs_button.setToolTip(
            "Show the controls that overlay other runs from the same start"
        )
        top.addWidget(self._runs_button)
        for combo in (self._x_combo, self._y_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)

        self._optimizer_combo = QComboBox(objectName="landscapeOverlayOptimizer")
        self._optimizer_combo.addItems(OPTIMIZER_NAMES)
        self._optimizer_combo.setToolTip("Optimizer of the run to overlay")
        self._lr_spin = QDoubleSpinBox(objectName="landscapeOverlayLr")
        self._lr_spin.setDecimals(4)
        self._lr_spin.setRange(0.0001, 100.0)
        self._lr_spin.setValue(TrainConfig().lr)
        self._lr_spin.setPrefix("lr ")
        self._lr_spin.setToolTip("Learning rate of the run to overlay")
        self._steps_spin = QSpinBox(objectName="landscapeOverlaySteps")
        self._steps_spin.setRange(1, 5000)
        self._steps_spin.setValue(OVERLAY_STEPS)
        self._steps_spin.setSuffix(" steps")
        self._steps_spin.setToolTip("How many steps the overlaid run takes")
        self._add_button = QPushButton("Add run", objectName="landscapeAddRunButton")
        self._add_button.setToolTip(
            "Train a copy from the same start with this optimizer and learning rate\n"
            "and draw its path over the contour"
        )
        self._clear_button = QPushButton("Clear runs", objectName="landscapeClearRunsButton")
        self._clear_button.setToolTip("Remove the overlaid runs")
        runs = QHBoxLayout()
        runs.addWidget(self._optimizer_combo)
        runs.addWidget(self._lr_spin)
        runs.addWidget(self._steps_spin)
        runs.addWidget(self._add_button)
        runs.addWidget(self._clear_button)
        runs.addStretch(1)
        self._runs_row = QWidget()
        self._runs_row.setLayout(runs)
        runs.setContentsMargins(0, 0, 0, 0)

        self._slice_plot = pg.PlotWidget()
        self._slice_plot.setObjectName("landscapeSlicePlot")
        self._slice_plot.setLabel("left", "J")
        self._slice_plot.getAxis("left").enableAutoSIPrefix(False)
        self._slice_plot.showGrid(x=True, y=True, alpha=0.2)
        self._slice_curve = self._slice_plot.plot(pen=SLICE_PEN, name="J along θᵢ")
        self._slice_tangent = self._slice_plot.plot(pen=TANGENT_PEN)
        self._slice_trail = pg.ScatterPlotItem(size=6, brush=pg.mkBrush(255, 90, 54, 90), pen=None)
        self._slice_point = pg.ScatterPlotItem(size=12, brush=CURRENT_BRUSH, pen=pg.mkPen("w"))
        self._slice_plot.addItem(self._slice_trail)
        self._slice_plot.addItem(self._slice_point)
        self._slice_minimum = pg.ScatterPlotItem(
            size=11, symbol="t1", brush=pg.mkBrush(MINIMUM_COLOR), pen=pg.mkPen("k")
        )
        self._slice_plot.addItem(self._slice_minimum)
        self._slice_plot.setToolTip("Hover to read J; the red point is the current parameter")

        self._contour_plot = pg.PlotWidget()
        self._contour_plot.setObjectName("landscapeContourPlot")
        self._contour_plot.setAspectLocked(False)
        self._image = pg.ImageItem(axisOrder="row-major")
        self._image.setColorMap(pg.colormap.get("viridis"))
        self._image.setZValue(-10)
        self._contour_plot.addItem(self._image)
        self._isocurves = []
        for _ in ISO_QUANTILES:
            iso = pg.IsocurveItem(level=0.0, pen=pg.mkPen(255, 255, 255, 70), axisOrder="row-major")
            iso.setParentItem(self._image)
            self._isocurves.append(iso)
        self._path_item = self._contour_plot.plot(
            pen=PATH_PEN, name="this run", symbol="o", symbolSize=3, symbolBrush="w", symbolPen=None
        )
        self._start_item = pg.ScatterPlotItem(
            size=11, symbol="s", brush=START_BRUSH, pen=pg.mkPen("k"), name="start"
        )
        self._current_item = pg.ScatterPlotItem(
            size=13, brush=CURRENT_BRUSH, pen=pg.mkPen("w"), name="now"
        )
        self._contour_plot.addItem(self._start_item)
        self._contour_plot.addItem(self._current_item)
        self._minimum_item = pg.ScatterPlotItem(
            size=16,
            symbol="star",
            brush=pg.mkBrush(MINIMUM_COLOR),
            pen=pg.mkPen("k"),
        )
        self._contour_plot.addItem(self._minimum_item)
        self._contour_plot.setToolTip(
            "Colour is log J with the other parameters held at their current values.\n"
            "Hover to read J; click to start training from that point."
        )

        self._key = QLabel(objectName="landscapeKey")
        self._key.setWordWrap(True)
        self._key.setTextFormat(Qt.TextFormat.RichText)
        self._update_key()

        self._stack = QStackedWidget()
        self._stack.addWidget(self._slice_plot)
        self._stack.addWidget(self._contour_plot)
        self._readout = QLabel(objectName="landscapeReadout")
        self._readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._readout.setText("Load a dataset to see its cost landscape.")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self._runs_row)
        layout.addWidget(self._stack, 1)
        layout.addWidget(self._key)
        layout.addWidget(self._readout)

        self._mode_combo.currentIndexChanged.connect(self._on_mode_combo_changed)
        self._x_combo.currentIndexChanged.connect(self._on_param_combo_changed)
        self._y_combo.currentIndexChanged.connect(self._on_param_combo_changed)
        self._fit_button.clicked.connect(self._on_fit_button_clicked)
        self._runs_button.toggled.connect(self._on_runs_button_toggled)
        self._add_button.clicked.connect(self._on_add_button_clicked)
        self._clear_button.clicked.connect(self.clear_overlays)
        for plot in (self._slice_plot, self._contour_plot):
            plot.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        self._contour_plot.scene().sigMouseClicked.connect(self._on_contour_clicked)
        self._contour_plot.getViewBox().sigRangeChangedManually.connect(self._on_view_manual)
        self._slice_plot.getViewBox().sigRangeChangedManually.connect(self._on_view_manual)
        self._mode_combo.setCurrentIndex(MODES.index(self._mode))
        self._sync_mode_widgets()

    # -- public API --------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def params(self) -> tuple[int, ...]:
        """(i,) in slice mode, (i, j) in contour mode: indices into theta (bias = d)."""
        return self._params[:1] if self._mode == "slice" else self._params

    @property
    def overlays(self) -> tuple[OverlayRun, ...]:
        return tuple(self._overlays)

    @property
    def grid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The last contour grid as (u (G,), v (G,), J (G, G) with J[r, c] at (u[c], v[r]))."""
        if self._grid is None or self._grid_key is None:
            return None
        return self._grid_key[3], self._grid_key[4], self._grid

    @property
    def path(self) -> np.ndarray:
        """The descent path drawn: history rows of theta, (rows, d+1)."""
        return self._history[: self._rows].copy()

    @property
    def start(self) -> np.ndarray | None:
        """The start point chosen by clicking (or ``set_start``), or None."""
        return None if self._start is None else self._start.copy()

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown landscape mode {mode!r}; expected one of {MODES}")
        self._mode_combo.setCurrentIndex(MODES.index(mode))

    def set_params(self, params: Sequence[int]) -> None:
        """Choose the parameter(s) on the axes: [i] or [i, j] (bias index = d)."""
        count = self._x_combo.count()
        chosen = [int(p) for p in params]
        if not chosen or any(not 0 <= p < max(count, 1) for p in chosen) and count:
            raise ValueError(f"parameter indices {chosen} out of range 0..{count - 1}")
        i = chosen[0]
        j = chosen[1] if len(chosen) > 1 else (self._params[1] if self._params[1] != i else -1)
        if j < 0 or j == i:
            j = (i + 1) % max(count, 2)
        self._params = (i, j)
        self._sync_combos()
        self._invalidate()

    def configure(
        self,
        mode: str | None = None,
        params: Sequence[int] | None = None,
        overlay: Sequence[Mapping[str, object]] | None = None,
    ) -> None:
        """Apply a lesson's ``landscape`` action: mode, axes and the runs to overlay."""
        if params is not None:
            self.set_params(params)
        if mode is not None:
            self.set_mode(mode)
        if overlay is not None:
            self.clear_overlays()
            for run in overlay:
                self.add_overlay(
                    str(run.get("optimizer", "gd")),
                    float(run.get("lr", self._config.lr)),
                    int(run.get("steps", OVERLAY_STEPS)),
                )
        self.refresh()

    def add_overlay(self, optimizer: str, lr: float, steps: int = OVERLAY_STEPS) -> OverlayRun:
        """Train a copy from the current start with ``optimizer`` and ``lr``; draw its path."""
        if optimizer not in OPTIMIZER_NAMES:
            raise ValueError(f"unknown optimizer {optimizer!r}; expected one of {OPTIMIZER_NAMES}")
        color = OVERLAY_COLORS[len(self._overlays) % len(OVERLAY_COLORS)]
        item = self._contour_plot.plot(pen=pg.mkPen(color, width=2))
        run = OverlayRun(optimizer, float(lr), int(steps), np.zeros((0, 0)), "", item, color)
        self._overlays.append(run)
        self._compute_overlay(run)
        self._update_key()
        self._draw_paths()
        self._schedule(0)
        return run

    def clear_overlays(self) -> None:
        for run in self._overlays:
            self._contour_plot.removeItem(run.item)
        self._overlays.clear()
        self._update_key()

    def set_start(self, theta0: np.ndarray) -> None:
        """Start training (and the overlaid runs) from ``theta0`` ((d+1,))."""
        theta0 = np.asarray(theta0, dtype=float).copy()
        self._start = theta0
        self._controller.reset(theta0=theta0)
        for run in self._overlays:
            self._compute_overlay(run)
        self._draw_paths()
        self._schedule(0)

    def clear_start(self) -> None:
        """Go back to the trainer's own initial parameters."""
        self._start = None
        self._controller.reset(theta0=None)
        for run in self._overlays:
            self._compute_overlay(run)
        self._draw_paths()

    def value_at(self, a: float, b: float | None = None) -> float:
        """J at the current parameters with theta_i = a (and theta_j = b in contour mode)."""
        theta = self._point(a, b)
        return landscape.cost(self._X, self._y, theta, self._config.model, self._config.l2)

    def refresh(self) -> None:
        """Re-evaluate the picture now if anything it depends on changed."""
        self._timer.stop()
        self._update_picture(force=False)

    # -- controller events ---------------------------------------------------------------

    def _on_controller_dataset_changed(self, dataset) -> None:
        self._X = np.asarray(dataset.X_train, dtype=float)
        self._y = np.asarray(dataset.y_train, dtype=float)
        self._names = landscape.parameter_names(dataset.feature_names)
        d = self._X.shape[1]
        self._theta = np.zeros(d + 1)
        self._grad = None
        self._history = np.zeros((64, d + 1))
        self._rows = 0
        self._start = None
        self._params = (min(self._params[0], d), min(self._params[1], d))
        if self._params[0] == self._params[1]:
            self._params = (0, 1 if d >= 1 else 0)
        self._fill_combos()
        self._readout.setText(HINTS[self._mode])
        self._fit_pending, self._user_zoomed = True, False
        self._grid = self._grid_key = None
        self._config = self._controller.config
        for run in self._overlays:
            self._compute_overlay(run)
        self._invalidate()

    def _on_controller_config_changed(self, config: TrainConfig) -> None:
        old, self._config = self._config, config
        changed = {f.name for f in dataclasses.fields(config)} - {"lr"}
        if any(getattr(old, name) != getattr(config, name) for name in changed):
            for run in self._overlays:
                self._compute_overlay(run)
            self._invalidate()

    def _on_controller_snapshot_ready(self, snapshot) -> None:
        if self._X is None:
            return
        rows = snapshot.rows.get("theta")
        if rows is not None and snapshot.first_row > self._rows:
            self._controller.request_snapshot()  # rows are missing: ask for all of them
            rows = None
        if rows is not None:
            rows = np.asarray(rows, dtype=float).reshape(-1, self._X.shape[1] + 1)
            end = snapshot.first_row + rows.shape[0]
            if end > self._history.shape[0]:
                grown = np.zeros((max(end, 2 * self._history.shape[0]), self._history.shape[1]))
                grown[: self._rows] = self._history[: self._rows]
                self._history = grown
            self._history[snapshot.first_row : end] = rows
            self._rows = end
            if snapshot.first_row == 0 and not self._user_zoomed:
                self._fit_pending = True
        self._theta = np.asarray(snapshot.theta, dtype=float).copy()
        self._grad = np.asarray(snapshot.grad, dtype=float).copy()
        self._config = snapshot.config
        if self.visibleRegion().isEmpty():
            self._stale = True  # hidden or behind another tab: catch up when shown
            return
        # Snapshots may come once per manual step; the path is redrawn at a fixed rate.
        if not self._path_timer.isActive():
            self._path_timer.start()
        self._schedule(SLICE_INTERVAL_MS if self._mode == "slice" else GRID_INTERVAL_MS)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.catch_up()

    def catch_up(self) -> None:
        """Draw what arrived while the panel was unseen (hidden, or behind another tab)."""
        if self._stale:
            self._stale = False
            self._draw_paths()
            self._schedule(0)

    # -- widget events -------------------------------------------------------------------

    def _on_mode_combo_changed(self, index: int) -> None:
        self._mode = MODES[index]
        self._sync_mode_widgets()
        self._fit_pending, self._user_zoomed = True, False
        self._invalidate()

    def _on_param_combo_changed(self, _index: int) -> None:
        i, j = self._x_combo.currentIndex(), self._y_combo.currentIndex()
        if i < 0 or j < 0:
            return
        if i == j:  # keep the two axes different: move the other one
            j = self._params[0] if self._params[0] != i else (i + 1) % self._x_combo.count()
            self._y_combo.blockSignals(True)
            self._y_combo.setCurrentIndex(j)
            self._y_combo.blockSignals(False)
        self._params = (i, j)
        self._fit_pending, self._user_zoomed = True, False
        self._invalidate()

    def legend_labels(self) -> list[str]:
        """The entries of the contour's key, in order."""
        return ["this run", "start", "now", "lowest point (others held)"] + [
            run.label for run in self._overlays
        ]

    def _update_key(self) -> None:
        """A key under the contour, where it never hides the valley it describes."""
        marks = ["━━", "■", "●", "★"]
        colors = ["#30363d", "#30363d", CURRENT_COLOR, "#c9a100"]
        for run in self._overlays:
            marks.append("━━")
            colors.append(run.color)
        parts = [
            f'<span style="color:{color}">{mark}</span>&nbsp;{label.replace(" ", "&nbsp;")}'
            for mark, color, label in zip(marks, colors, self.legend_labels(), strict=True)
        ]
        self._key.setText(" &nbsp; ".join(parts))

    def _on_runs_button_toggled(self, checked: bool) -> None:
        self._runs_row.setVisible(checked and self._mode == "contour")

    def _on_fit_button_clicked(self) -> None:
        self._fit_pending, self._user_zoomed = True, False
        self._invalidate()

    def _on_add_button_clicked(self) -> None:
        if self._X is None:
            self._readout.setText("Load a dataset first.")
            return
        run = self.add_overlay(
            self._optimizer_combo.currentText(), self._lr_spin.value(), self._steps_spin.value()
        )
        self._readout.setText(f"Added {run.label}: {run.status} after {len(run.path) - 1} steps.")

    def _on_view_manual(self, *_args) -> None:
        self._user_zoomed = True
        self._schedule(GRID_INTERVAL_MS)

    def _on_scene_mouse_moved(self, scene_pos: QPointF) -> None:
        if self._X is None:
            return
        plot = self._slice_plot if self._mode == "slice" else self._contour_plot
        if not plot.sceneBoundingRect().contains(scene_pos):
            return
        point = plot.getViewBox().mapSceneToView(scene_pos)
        self.show_value_at(point.x(), point.y())

    def show_value_at(self, a: float, b: float) -> float:
        """Write J at view coordinates (a, b) in the read-out and emit ``hovered``."""
        i, j = self._params
        if self._mode == "slice":
            value = self.value_at(a)
            self._readout.setText(f"{self._names[i]} = {a:.4g}   →   J = {value:.6g}")
            self.hovered.emit(a, value, value)
        else:
            value = self.value_at(a, b)
            self._readout.setText(
                f"{self._names[i]} = {a:.4g},  {self._names[j]} = {b:.4g}   →   J = {value:.6g}"
            )
            self.hovered.emit(a, b, value)
        return value

    def _on_contour_clicked(self, event) -> None:
        if self._X is None or event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        view = self._contour_plot.getViewBox()
        if not view.sceneBoundingRect().contains(event.scenePos()):
            return
        point = view.mapSceneToView(event.scenePos())
        base = self._start if self._start is not None else self._initial_theta()
        theta0 = base.copy()
        i, j = self._params
        theta0[i], theta0[j] = point.x(), point.y()
        self.set_start(theta0)
        self._readout.setText(
            f"Start set to {self._names[i]} = {point.x():.3g}, {self._names[j]} = {point.y():.3g}."
        )

    def _on_timer_timeout(self) -> None:
        self._update_picture(force=False)

    # -- drawing -------------------------------------------------------------------------

    def _fill_combos(self) -> None:
        for combo in (self._x_combo, self._y_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(self._names)
            combo.blockSignals(False)
        self._sync_combos()

    def _sync_combos(self) -> None:
        for combo, index in ((self._x_combo, self._params[0]), (self._y_combo, self._params[1])):
            combo.blockSignals(True)
            combo.setCurrentIndex(index)
            combo.blockSignals(False)

    def _sync_mode_widgets(self) -> None:
        contour = self._mode == "contour"
        self._stack.setCurrentIndex(1 if contour else 0)
        self._y_combo.setEnabled(contour)
        self._y_label.setEnabled(contour)
        self._runs_button.setVisible(contour)
        self._runs_row.setVisible(contour and self._runs_button.isChecked())
        if self._X is not None:
            self._readout.setText(HINTS[self._mode])

    def _invalidate(self) -> None:
        self._grid_key = None
        self._slice_theta = None
        self._draw_paths()
        self._schedule(0)

    def _schedule(self, delay_ms: int) -> None:
        if not self._timer.isActive() or delay_ms == 0:
            self._timer.start(delay_ms)

    def _initial_theta(self) -> np.ndarray:
        """Where training starts: the history's first row, else a fresh trainer's theta."""
        if self._rows:
            return self._history[0].copy()
        return initial_theta(self._config, self._X.shape[1])

    def _point(self, a: float, b: float | None) -> np.ndarray:
        theta = self._theta.copy()
        i, j = self._params
        theta[i] = a
        if b is not None:
            theta[j] = b
        return theta

    def _compute_overlay(self, run: OverlayRun) -> None:
        if self._X is None:
            return
        config = dataclasses.replace(
            self._config, optimizer=run.optimizer, lr=run.lr, max_epochs=max(run.steps, 1), tol=0.0
        )
        start = self._start if self._start is not None else self._initial_theta()
        trainer = Trainer(self._X, self._y, config=config, theta0=start)
        status = trainer.run(run.steps)
        run.path = np.array(trainer.history.theta, copy=True)
        run.status = getattr(status, "value", str(status))

    def _draw_paths(self) -> None:
        if self._X is None or self._theta is None:
            return
        i, j = self._params
        path = _thin(self._history[: self._rows], MAX_DRAWN_PATH_POINTS)
        if self._mode == "contour":
            self._path_item.setData(path[:, i], path[:, j])
            start = self._start if self._start is not None else (path[0] if len(path) else None)
            if start is not None:
                self._start_item.setData([start[i]], [start[j]])
            self._current_item.setData([self._theta[i]], [self._theta[j]])
            for run in self._overlays:
                run.item.setData(run.path[:, i], run.path[:, j])

    def _held_moved(self, reference: np.ndarray | None, axes: Sequence[int]) -> bool:
        """Whether theta's held entries moved some logit by more than the tolerance."""
        if reference is None:
            return True
        delta = self._theta - reference
        delta[list(axes)] = 0.0
        if not np.any(delta):
            return False
        shift = self._X @ delta[:-1] + delta[-1]
        return float(np.max(np.abs(shift))) > HELD_LOGIT_TOLERANCE

    def _axis_values(self, k: int, view_range: tuple[float, float], size: int) -> np.ndarray:
        """Grid values along parameter k: the fitted range, or the view grown to cover it."""
        points = [self._history[: self._rows, k], self._minimum[k : k + 1]]
        if self._start is not None:
            points.append(self._start[k : k + 1])
        own = landscape.axis_range(self._theta[k], np.concatenate(points))
        # Overlaid runs widen the view, but a diverging one may not drag it off to infinity.
        reach = OVERLAY_REACH * (own[1] - own[0])
        runs = [np.clip(run.path[:, k], own[0] - reach, own[1] + reach) for run in self._overlays]
        fitted = landscape.axis_range(self._theta[k], np.concatenate([*points, *runs]))
        if self._fit_pending:
            lo, hi = fitted
        elif self._user_zoomed:
            lo, hi = view_range
        else:  # follow the path out of the view, but never shrink under the learner's eyes
            lo, hi = min(view_range[0], fitted[0]), max(view_range[1], fitted[1])
        return np.linspace(lo, hi, size)

    def _update_picture(self, force: bool) -> None:
        if self._X is None or self._theta is None:
            return
        if self._mode == "slice":
            self._update_slice(force)
        else:
            self._update_contour(force)

    def _update_slice(self, force: bool) -> None:
        i = self._params[0]
        view = self._slice_plot.getViewBox()
        x_range = tuple(view.viewRange()[0])
        model, l2 = self._config.model, self._config.l2
        self._minimum = landscape.plane_minimum(self._X, self._y, self._theta, (i,), model, l2)
        values = self._axis_values(i, x_range, SLICE_POINTS)
        curve = landscape.cost_slice(self._X, self._y, self._theta, i, values, model, l2)
        self._slice_curve.setData(values, curve)
        here = landscape.cost(self._X, self._y, self._theta, model, l2)
        self._slice_point.setData([self._theta[i]], [here])
        trail = self._history[max(0, self._rows - TRAIL_POINTS) : self._rows, i]
        if trail.size:
            along = landscape.cost_slice(self._X, self._y, self._theta, i, trail, model, l2)
            self._slice_trail.setData(trail, along)
        if self._grad is not None and self._grad.shape == self._theta.shape:
            half = 0.12 * (values[-1] - values[0])
            xs = np.array([self._theta[i] - half, self._theta[i] + half])
            self._slice_tangent.setData(xs, here + self._grad[i] * (xs - self._theta[i]))
        lowest = landscape.cost(self._X, self._y, self._minimum, model, l2)
        self._slice_minimum.setData([self._minimum[i]], [lowest])
        self._slice_plot.setLabel("bottom", self._names[i])
        self._slice_theta = self._theta.copy()
        if not self._user_zoomed:
            pad = 0.08 * (curve.max() - curve.min() + 1e-9)
            view.setRange(
                xRange=(values[0], values[-1]),
                yRange=(curve.min() - pad, curve.max() + pad),
                padding=0,
            )
        self._fit_pending = False

    def _update_contour(self, force: bool) -> None:
        i, j = self._params
        view = self._contour_plot.getViewBox()
        (x0, x1), (y0, y1) = view.viewRange()
        model, l2 = self._config.model, self._config.l2
        self._minimum = landscape.plane_minimum(self._X, self._y, self._theta, (i, j), model, l2)
        self._minimum_item.setData([self._minimum[i]], [self._minimum[j]])
        u = self._axis_values(i, (x0, x1), GRID_SIZE)
        v = self._axis_values(j, (y0, y1), GRID_SIZE)
        key_axes = (i, j, self._config.model, self._config.l2)
        same_axes = self._grid_key is not None and self._grid_key[:3] == key_axes[:3]
        same_range = (
            same_axes
            and np.allclose(self._grid_key[3][[0, -1]], u[[0, -1]])
            and np.allclose(self._grid_key[4][[0, -1]], v[[0, -1]])
            and self._grid_key[5] == self._config.l2
        )
        if not force and same_range and not self._held_moved(self._grid_theta, (i, j)):
            return
        grid = landscape.cost_grid(
            self._X, self._y, self._theta, i, j, u, v, self._config.model, self._config.l2
        )
        self._grid = grid
        self._grid_key = (i, j, self._config.model, u, v, self._config.l2)
        self._grid_theta = self._theta.copy()
        shown = np.log(np.maximum(grid, 1e-12))
        self._image.setImage(shown, levels=(float(shown.min()), float(shown.max())))
        du, dv = (u[-1] - u[0]) / (len(u) - 1), (v[-1] - v[0]) / (len(v) - 1)
        self._image.setRect(QRectF(u[0] - du / 2, v[0] - dv / 2, du * len(u), dv * len(v)))
        for iso, q in zip(self._isocurves, ISO_QUANTILES, strict=True):
            iso.setData(shown, level=float(np.quantile(shown, q)))
        self._contour_plot.setLabel("bottom", self._names[i])
        self._contour_plot.setLabel("left", self._names[j])
        if not self._user_zoomed:
            view.setRange(xRange=(u[0], u[-1]), yRange=(v[0], v[-1]), padding=0)
        self._fit_pending = False


def _thin(path: np.ndarray, limit: int) -> np.ndarray:
    """At most ``limit`` rows of ``path``, evenly spaced, always keeping the first and last.

    A long run's path drawn point by point would make every redraw cost more than the last.
    """
    n = path.shape[0]
    if n <= limit:
        return path
    keep = np.unique(np.linspace(0, n - 1, limit).round().astype(int))
    return path[keep]
