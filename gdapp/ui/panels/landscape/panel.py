"""The cost landscape: J along one parameter (slice) or over two (contour), live.

The panel follows the controller: the dataset's training rows define J, each snapshot moves
the current point and extends the descent path (the trainer's history of theta). The
picture is computed on a worker thread (``worker.py`` running ``jobs.py``) and drawn here
when it arrives; a newer request supersedes an older one, and a hidden panel asks for
nothing until it is shown again. A request is made only when the parameters held fixed
moved enough to change the logits, or the axes or the view changed, at most
``1000 / GRID_INTERVAL_MS`` times per second, and while training runs the next request
waits for the current picture to arrive.

Contour mode also shows extra runs from the same start (other optimizers or learning
rates), replayed on the worker thread with ``gdapp.core.replay``, each with a key entry;
hovering reads J exactly at the cursor, clicking starts training from the clicked point.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEventLoop, QPointF, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QWidget,
)

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph binds to it

from gdapp.core import landscape
from gdapp.core.trainer import TrainConfig, initial_theta, model_for
from gdapp.ui.panels.landscape import jobs
from gdapp.ui.panels.landscape.controls import LandscapeControls
from gdapp.ui.panels.landscape.jobs import AxisSpec, Picture, PictureJob, ReplayJob, ReplayResult
from gdapp.ui.panels.landscape.plots import LandscapePlots
from gdapp.ui.panels.landscape.state import (
    MODES,
    OVERLAY_COLORS,
    OVERLAY_STEPS,
    LandscapeState,
    OverlayRun,
    check_mode,
    check_params,
    check_run,
)
from gdapp.ui.panels.landscape.worker import LandscapeRunner

if TYPE_CHECKING:
    from gdapp.ui.controller import TrainingSession

HINTS = {
    "slice": "Hover the curve to read J at any value of the parameter.",
    "contour": "Hover the map to read J; click to start training from that point.",
}
GRID_INTERVAL_MS = 250  # at most four contour requests per second
SLICE_INTERVAL_MS = 40
HOVER_INTERVAL_MS = 30  # J under the cursor is read at most this often
# Re-evaluate when the held parameters move any sample's logit by more than this.
HELD_LOGIT_TOLERANCE = 0.02
HELD_CHECK_ROWS = 20_000  # rows a hidden layer's held-parameter check reads
TRAIL_POINTS = 25
MAX_DRAWN_PATH_POINTS = 2000  # a longer descent path is drawn thinned out, ends kept
PATH_REDRAW_INTERVAL_MS = 33  # the live path is redrawn at most 30 times a second
IDLE_WAIT_MS = 60_000  # wait_until_idle gives up after this long by default


@dataclasses.dataclass(frozen=True, eq=False)
class _Request:
    """A picture asked of the worker: what it depends on, to tell when a new one is due."""

    generation: int
    key: tuple
    ends: tuple
    theta: np.ndarray
    grad: np.ndarray | None
    rows: int
    fit: bool


class LandscapePanel(QWidget):
    """J(theta) around the current parameters, as a slice or a contour with descent paths.

    State, as one view model drives it: ``set_state(mode, params, overlays)`` and
    ``state()``; ``state_edited(mode, params, overlays)`` is emitted when the learner
    changes one of them with the panel's own widgets (never for ``set_state``).
    Also: ``configure(mode, params, overlay)`` (a lesson's ``landscape`` action),
    ``set_mode``, ``set_params``, ``add_overlay``, ``clear_overlays``, ``set_start``,
    ``clear_start``, ``refresh()`` (request now instead of at the next tick), ``value_at``,
    ``wait_until_idle()`` and ``shutdown()`` (stop and join the worker thread).
    Signals: ``hovered(float, float, float)``, the two coordinates and J under the cursor
    (slice mode: theta_i, J, J); ``grid_ready()`` when a finished picture was drawn;
    ``idle()`` when nothing is left to compute or draw.
    """

    hovered = Signal(float, float, float)
    state_edited = Signal(str, object, object)
    grid_ready = Signal()
    idle = Signal()

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("landscapePanel")
        self._controller = controller
        self._X: np.ndarray | None = None
        self._y: np.ndarray | None = None
        self._names: tuple[str, ...] = ()
        self._feature_names: tuple[str, ...] = ()
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
        self._data_id = 0  # counts datasets, part of a picture's key
        self._generations = itertools.count(1)
        self._run_keys = itertools.count(1)
        self._requested: _Request | None = None  # the last picture asked for
        self._in_flight: _Request | None = None  # asked for and not finished yet
        self._dirty = False  # a live update waits for the picture in flight
        self._shown_key: tuple | None = None  # key of the picture on screen
        self._coarse_shown = False
        self._grid: np.ndarray | None = None
        self._grid_coords: tuple[np.ndarray, np.ndarray] | None = None
        self._fit_pending = True  # next picture fits the view to the paths
        self._user_zoomed = False  # the learner zoomed or panned: follow their view
        self._quiet_depth = 0  # > 0 while the panel's widgets are set from code
        self._hover_pos: QPointF | None = None
        self._runner = LandscapeRunner()
        self._runner.produced.connect(self._on_runner_produced)
        self._runner.failed.connect(self._on_runner_failed)
        self.destroyed.connect(self._runner.shutdown)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer_live = True
        self._path_timer = QTimer(self)
        self._path_timer.setSingleShot(True)
        self._path_timer.setInterval(PATH_REDRAW_INTERVAL_MS)
        self._path_timer.timeout.connect(self._on_path_timer_timeout)
        self._hover_timer = QTimer(self)
        self._hover_timer.setSingleShot(True)
        self._hover_timer.setInterval(HOVER_INTERVAL_MS)
        self._hover_timer.timeout.connect(self._on_hover_timer_timeout)
        self._build()
        controller.dataset_changed.connect(self._on_controller_dataset_changed)
        controller.snapshot_ready.connect(self._on_controller_snapshot_ready)
        controller.config_changed.connect(self._on_controller_config_changed)
        if controller.dataset is not None:
            self._on_controller_dataset_changed(controller.dataset)
        if controller.last_snapshot is not None:  # made late: the session's history is there
            self._on_controller_snapshot_ready(controller.last_snapshot)

    # -- construction ------------------------------------------------------------------

    def _build(self) -> None:
        self._plots = LandscapePlots()
        controls = LandscapeControls(self, (self._plots.slice_plot, self._plots.contour_plot))
        self._controls = controls
        self._mode_combo, self._x_combo, self._y_combo = (
            controls.mode_combo,
            controls.x_combo,
            controls.y_combo,
        )
        self._y_label, self._stack, self._readout = (
            controls.y_label,
            controls.stack,
            controls.readout,
        )
        self._runs_button, self._runs_row = controls.runs_button, controls.runs_row
        self._optimizer_combo, self._lr_spin = controls.optimizer_combo, controls.lr_spin
        self._steps_spin = controls.steps_spin
        self._update_key()
        controls.fit_button.clicked.connect(self._on_fit_button_clicked)
        controls.add_button.clicked.connect(self._on_add_button_clicked)
        controls.clear_button.clicked.connect(self._on_clear_button_clicked)
        self._mode_combo.currentIndexChanged.connect(self._on_mode_combo_changed)
        self._x_combo.currentIndexChanged.connect(self._on_param_combo_changed)
        self._y_combo.currentIndexChanged.connect(self._on_param_combo_changed)
        self._runs_button.toggled.connect(self._on_runs_button_toggled)
        for plot in (self._plots.slice_plot, self._plots.contour_plot):
            plot.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
            plot.getViewBox().sigRangeChangedManually.connect(self._on_view_manual)
        self._plots.contour_plot.scene().sigMouseClicked.connect(self._on_contour_clicked)
        with self._quiet():
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
        """The contour on screen as (u (G,), v (G,), J (G, G) with J[r, c] at (u[c], v[r]))."""
        if self._grid is None or self._grid_coords is None:
            return None
        return self._grid_coords[0], self._grid_coords[1], self._grid

    @property
    def path(self) -> np.ndarray:
        """The descent path drawn: history rows of theta, (rows, d+1)."""
        return self._history[: self._rows].copy()

    @property
    def start(self) -> np.ndarray | None:
        """The start point chosen by clicking (or ``set_start``), or None."""
        return None if self._start is None else self._start.copy()

    @property
    def is_busy(self) -> bool:
        """True while a picture or a replay is being computed, or a redraw is due."""
        return (
            self._timer.isActive()
            or self._path_timer.isActive()
            or self._in_flight is not None
            or any(run.status == "computing" and not run.waiting for run in self._overlays)
        )

    def state(self) -> LandscapeState:
        """The mode, the parameters on the axes and the overlaid runs as (optimizer, lr)."""
        runs = tuple((run.optimizer, run.lr) for run in self._overlays)
        return LandscapeState(self._mode, self.params, runs)

    def set_state(
        self,
        mode: str,
        params: tuple[int, ...],
        overlays: tuple[tuple[str, float], ...],
    ) -> None:
        """Show ``mode`` over ``params`` with ``overlays``; emits no ``state_edited``.

        ``params`` is ``(i,)`` for a slice, ``(i, j)`` (different) for a contour; each run
        takes ``OVERLAY_STEPS`` steps, and one already overlaid is kept, not replayed again.
        Raises ValueError, changing nothing, if any part is invalid.
        """
        check_mode(mode)
        chosen = tuple(int(p) for p in params)
        wanted = 1 if mode == "slice" else 2
        if len(chosen) != wanted or len(set(chosen)) != wanted:
            raise ValueError(f"a {mode} needs {wanted} different parameter index(es)")
        check_params(chosen, self._x_combo.count())
        runs = tuple((str(optimizer), float(lr)) for optimizer, lr in overlays)
        for optimizer, lr in runs:
            check_run(optimizer, lr)
        with self._quiet():
            if chosen != self.params:
                self.set_params(chosen)
            if mode != self._mode:
                self.set_mode(mode)
            if runs != self.state().overlays:
                self._replace_overlays([(optimizer, lr, OVERLAY_STEPS) for optimizer, lr in runs])

    def set_mode(self, mode: str) -> None:
        check_mode(mode)
        with self._quiet():
            self._mode_combo.setCurrentIndex(MODES.index(mode))

    def set_params(self, params: Sequence[int]) -> None:
        """Choose the parameter(s) on the axes: [i] or [i, j] (bias index = d)."""
        chosen = [int(p) for p in params]
        check_params(chosen, self._x_combo.count())
        count = self._x_combo.count()
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
        with self._quiet():
            if params is not None:
                self.set_params(params)
            if mode is not None:
                self.set_mode(mode)
            if overlay is not None:
                runs = [
                    (
                        str(run.get("optimizer", "gd")),
                        float(run.get("lr", self._config.lr)),
                        int(run.get("steps", OVERLAY_STEPS)),
                    )
                    for run in overlay
                ]
                for optimizer, lr, _steps in runs:
                    check_run(optimizer, lr)
                self._replace_overlays(runs)
        self.refresh()

    def add_overlay(self, optimizer: str, lr: float, steps: int = OVERLAY_STEPS) -> OverlayRun:
        """Replay a copy from the current start with ``optimizer`` and ``lr``; draw its path.

        The run is returned at once with status "computing"; its path arrives later.
        """
        check_run(optimizer, lr)
        run = self._new_run(optimizer, float(lr), int(steps))
        self._overlays.append(run)
        self._request_replay(run)
        self._update_key()
        self._draw_paths()
        self._schedule(0, live=False)
        return run

    def clear_overlays(self) -> None:
        for run in self._overlays:
            self._runner.cancel(("overlay", run.key))
            self._plots.remove_item(run.item)
        self._overlays.clear()
        self._update_key()
        self._after_work()

    def legend_labels(self) -> list[str]:
        """The entries of the contour's key, in order."""
        return ["this run", "start", "now", "lowest point (others held)"] + [
            run.label for run in self._overlays
        ]

    def set_start(self, theta0: np.ndarray) -> None:
        """Start training (and the overlaid runs) from ``theta0`` ((d+1,))."""
        theta0 = np.asarray(theta0, dtype=float).copy()
        self._start = theta0
        self._controller.reset(theta0=theta0)
        for run in self._overlays:
            self._request_replay(run)
        self._draw_paths()
        self._schedule(0, live=False)

    def clear_start(self) -> None:
        """Go back to the trainer's own initial parameters."""
        self._start = None
        self._controller.reset(theta0=None)
        for run in self._overlays:
            self._request_replay(run)
        self._draw_paths()

    def value_at(self, a: float, b: float | None = None) -> float:
        """J at the current parameters with theta_i = a (and theta_j = b in contour mode)."""
        theta = self._point(a, b)
        return landscape.cost(
            self._X, self._y, theta, _landscape_model(self._config), self._config.l2
        )

    def refresh(self) -> None:
        """Ask for a new picture now if anything it depends on changed."""
        self._timer.stop()
        self._update_picture(live=False)
        self._after_work()

    def wait_until_idle(self, timeout_ms: int = IDLE_WAIT_MS) -> bool:
        """Run the event loop until nothing is left to compute or draw; False on timeout.

        A hidden panel computes nothing, so it is idle once its timers have fired.
        """
        if not self.is_busy:
            return True
        loop = QEventLoop()
        self.idle.connect(loop.quit)
        limit = QTimer()
        limit.setSingleShot(True)
        limit.timeout.connect(loop.quit)
        limit.start(timeout_ms)
        try:
            while self.is_busy and limit.isActive():
                loop.exec()
        finally:
            self.idle.disconnect(loop.quit)
            limit.stop()
        return not self.is_busy

    def shutdown(self) -> None:
        """Stop computing and join the worker thread (call before the app quits)."""
        self._suspend()
        self._runner.shutdown()

    @property
    def worker_running(self) -> bool:
        """True while the panel's worker thread has not finished."""
        return self._runner.is_running

    # -- visibility --------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.catch_up()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._suspend()

    def catch_up(self) -> None:
        """Compute and draw what arrived while the panel was unseen (hidden, or behind a tab)."""
        if self._stale:
            self._stale = False
            for run in self._overlays:
                if run.waiting:
                    self._request_replay(run)
            self._draw_paths()
            self._schedule(0, live=False)

    def _suspend(self) -> None:
        """Hidden: stop the worker; what was being computed is asked for again when shown."""
        self._runner.stop()
        if self._in_flight is not None:
            self._fit_pending = self._fit_pending or self._in_flight.fit
            self._in_flight = None
            self._requested = None
            self._stale = True
        for run in self._overlays:
            if run.status == "computing" and not run.waiting:
                run.waiting, run.generation = True, next(self._generations)
                self._stale = True
        self._after_work()

    def _hidden(self) -> bool:
        return self.visibleRegion().isEmpty()

    # -- controller events ---------------------------------------------------------------

    def _on_controller_dataset_changed(self, dataset) -> None:
        # X_train is a fresh copy already; it is shared with the worker, so never written.
        X = np.asarray(dataset.X_train, dtype=float)
        y = np.asarray(dataset.y_train, dtype=float)
        X.setflags(write=False)
        y.setflags(write=False)
        self._X, self._y = X, y
        self._data_id += 1
        self._feature_names = tuple(dataset.feature_names)
        self._start = None
        self._config = self._controller.config
        self._lay_out(self._config)
        for run in self._overlays:
            self._request_replay(run)
        self._invalidate()

    def _lay_out(self, config: TrainConfig) -> None:
        """Size and name the parameters of ``config``'s model on the data; nothing drawn."""
        d = self._X.shape[1]
        p = model_for(config).n_params(d)
        self._names = landscape.parameter_names(self._feature_names, _landscape_model(config))
        self._theta = initial_theta(config, d) if self._start is None else self._start.copy()
        self._grad = None
        self._minimum = np.zeros(0)
        self._history = np.zeros((64, p))
        self._rows = 0
        last = p - 1
        self._params = (min(self._params[0], last), min(self._params[1], last))
        if self._params[0] == self._params[1]:
            self._params = (0, 1 if last >= 1 else 0)
        self._fill_combos()
        self._readout.setText(HINTS[self._mode])
        self._fit_pending, self._user_zoomed = True, False
        self._grid = self._grid_coords = self._shown_key = None
        # A picture on its way was asked for with the old layout: its axes may not exist now.
        self._runner.cancel(jobs.PICTURE)
        self._in_flight = self._requested = None
        self._plots.clear_pictures()

    def _n_params(self) -> int:
        return model_for(self._config).n_params(self._X.shape[1])

    def _on_controller_config_changed(self, config: TrainConfig) -> None:
        old, self._config = self._config, config
        if self._X is not None and (
            landscape.parameter_names(self._feature_names, _landscape_model(old))
            != landscape.parameter_names(self._feature_names, _landscape_model(config))
        ):
            # Another layout of theta (a hidden layer, or another number of units): the
            # axes, the path and a chosen start of the old one mean nothing now.
            self._start = None
            self._lay_out(config)
        changed = {f.name for f in dataclasses.fields(config)} - {"lr"}
        if any(getattr(old, name) != getattr(config, name) for name in changed):
            for run in self._overlays:
                self._request_replay(run)
            self._invalidate()

    def _on_controller_snapshot_ready(self, snapshot) -> None:
        if self._X is None:
            return
        # The path is the session's one history (downsampled on a long run), not a copy.
        history = self._controller.history
        p = model_for(snapshot.config).n_params(self._X.shape[1])
        if np.shape(snapshot.theta) != (p,) or p != len(self._names):
            return  # a snapshot of the layout before a change; the next one fits
        if history.total_rows and history.n_params == p:
            self._history = history.theta()
            self._rows = history.point_count
            if snapshot.first_row == 0 and not self._user_zoomed:
                self._fit_pending = True
            if snapshot.first_row == 0 and self._start is None:
                # A reset may have moved where training starts (another seed or init).
                for run in self._overlays:
                    if run.start is not None and not np.array_equal(run.start, self._history[0]):
                        self._request_replay(run)
        self._theta = np.asarray(snapshot.theta, dtype=float).copy()
        self._grad = np.asarray(snapshot.grad, dtype=float).copy()
        self._config = snapshot.config
        if self._hidden():
            self._stale = True  # hidden or behind another tab: catch up when shown
            return
        # Snapshots may come once per manual step; the path is redrawn at a fixed rate.
        if not self._path_timer.isActive():
            self._path_timer.start()
        self._schedule(SLICE_INTERVAL_MS if self._mode == "slice" else GRID_INTERVAL_MS)

    # -- worker results ------------------------------------------------------------------

    @Slot(object)
    def _on_runner_produced(self, result) -> None:
        if isinstance(result, Picture):
            self._apply_picture(result)
        elif isinstance(result, ReplayResult):
            self._apply_replay(result)
        self._after_work()

    @Slot(object, int, str)
    def _on_runner_failed(self, key, generation: int, message: str) -> None:
        if key == jobs.PICTURE:
            if self._in_flight is None or self._in_flight.generation != generation:
                return
            self._in_flight = None
            self._readout.setText(f"Could not compute the landscape: {message}")
        else:
            run = self._run_for(key, generation)
            if run is None:
                return
            run.status = "failed"
            self._readout.setText(f"Could not replay {run.label}: {message}")
        self._after_work()

    def _apply_picture(self, picture: Picture) -> None:
        request = self._in_flight
        if request is None or picture.generation != request.generation:
            return  # superseded by a newer request
        if picture.theta.shape != (len(self._names),):
            return  # computed for another layout of theta (the model changed meanwhile)
        fit_view = not self._user_zoomed
        if picture.mode == "contour":
            self._plots.draw_contour(picture, self._names, fit_view)
            self._grid = picture.J
            self._grid_coords = picture.coords
        else:
            self._plots.draw_slice(picture, request.grad, self._names, fit_view)
        self._minimum = picture.minimum
        self._shown_key = request.key
        self._coarse_shown = not picture.final
        if picture.final:
            # What is on screen now: the next request compares against these ends.
            ends = tuple((float(c[0]), float(c[-1])) for c in picture.coords)
            self._requested = dataclasses.replace(request, ends=ends)
            self._in_flight = None
            self.grid_ready.emit()
            if self._dirty:
                self._dirty = False
                self._schedule(0)

    def _apply_replay(self, result: ReplayResult) -> None:
        run = self._run_for(result.key, result.generation)
        if run is None:
            return
        run.path = result.replay.theta
        run.loss = result.replay.loss
        run.status = result.replay.status
        if run.announce:
            run.announce = False
            ended = {"diverged": ", stopped: diverging", "converged": ", converged"}
            self._readout.setText(
                f"Added {run.label}: {result.replay.steps} steps{ended.get(run.status, '')}."
            )
        self._draw_paths()
        self._schedule(0)  # the runs may widen the view

    def _run_for(self, key, generation: int) -> OverlayRun | None:
        for run in self._overlays:
            if ("overlay", run.key) == key and run.generation == generation:
                return run
        return None

    def _after_work(self) -> None:
        """Show or hide the busy note; emit ``idle`` when nothing is left to do."""
        computing = self._in_flight is not None or any(
            run.status == "computing" and not run.waiting for run in self._overlays
        )
        self._controls.set_busy(computing, self._coarse_shown)
        if not self.is_busy:
            self.idle.emit()

    # -- widget events -------------------------------------------------------------------

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Widgets set from code inside this block do not count as the learner's edits."""
        self._quiet_depth += 1
        try:
            yield
        finally:
            self._quiet_depth -= 1

    def _edited(self) -> None:
        if self._quiet_depth == 0:
            self.state_edited.emit(*self.state())

    def _on_mode_combo_changed(self, index: int) -> None:
        self._mode = MODES[index]
        self._sync_mode_widgets()
        self._fit_pending, self._user_zoomed = True, False
        self._invalidate()
        self._edited()

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
        self._edited()

    def _update_key(self) -> None:
        self._controls.set_key(self.legend_labels(), [run.color for run in self._overlays])

    def _on_runs_button_toggled(self, checked: bool) -> None:
        self._runs_row.setVisible(checked and self._mode == "contour")

    def _on_fit_button_clicked(self) -> None:
        self._fit_pending, self._user_zoomed = True, False
        self._invalidate()

    def _on_add_button_clicked(self) -> None:
        if self._X is None:
            self._readout.setText("Load a dataset first.")
            return
        optimizer = self._optimizer_combo.currentData()
        run = self.add_overlay(optimizer, self._lr_spin.value(), self._steps_spin.value())
        run.announce = True
        self._readout.setText(f"Replaying {run.label} for {run.steps} steps…")
        self._edited()

    def _on_clear_button_clicked(self) -> None:
        self.clear_overlays()
        self._edited()

    def _on_view_manual(self, *_args) -> None:
        self._user_zoomed = True
        self._schedule(GRID_INTERVAL_MS, live=False)

    def _on_scene_mouse_moved(self, scene_pos: QPointF) -> None:
        if self._X is None:
            return
        plot = self._plots.slice_plot if self._mode == "slice" else self._plots.contour_plot
        if not plot.sceneBoundingRect().contains(scene_pos):
            return
        # J on all rows costs O(n): read it at most every HOVER_INTERVAL_MS, at the last spot.
        self._hover_pos = plot.getViewBox().mapSceneToView(scene_pos)
        if not self._hover_timer.isActive():
            self._hover_timer.start()

    def _on_hover_timer_timeout(self) -> None:
        if self._hover_pos is not None and self._X is not None:
            self.show_value_at(self._hover_pos.x(), self._hover_pos.y())

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
        view = self._plots.contour_plot.getViewBox()
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
        self._update_picture(live=self._timer_live)
        self._after_work()

    def _on_path_timer_timeout(self) -> None:
        self._draw_paths()
        self._after_work()

    # -- state helpers -------------------------------------------------------------------

    def _new_run(self, optimizer: str, lr: float, steps: int) -> OverlayRun:
        color = OVERLAY_COLORS[len(self._overlays) % len(OVERLAY_COLORS)]
        item = self._plots.add_run_item(color)
        return OverlayRun(optimizer, lr, steps, item, color, next(self._run_keys))

    def _replace_overlays(self, wanted: Iterable[tuple[str, float, int]]) -> None:
        """Overlay exactly ``wanted``, keeping (not replaying) runs that are already there."""
        kept, runs = list(self._overlays), []
        self._overlays = runs
        for optimizer, lr, steps in wanted:
            same = next(
                (r for r in kept if (r.optimizer, r.lr, r.steps) == (optimizer, lr, steps)), None
            )
            if same is not None:
                kept.remove(same)
                runs.append(same)
            else:
                run = self._new_run(optimizer, lr, steps)
                runs.append(run)
                self._request_replay(run)
        for run in kept:
            self._runner.cancel(("overlay", run.key))
            self._plots.remove_item(run.item)
        for index, run in enumerate(runs):
            run.color = OVERLAY_COLORS[index % len(OVERLAY_COLORS)]
            run.item.setPen(pg.mkPen(run.color, width=2))
        self._update_key()
        self._draw_paths()
        self._schedule(0, live=False)

    # -- requests ------------------------------------------------------------------------

    def _initial_theta(self) -> np.ndarray:
        """Where training starts: the history's first row, else the core's ``initial_theta``."""
        if self._rows:
            return self._history[0].copy()
        return initial_theta(self._config, self._X.shape[1])

    def _overlay_start(self) -> np.ndarray:
        """The start of the overlaid runs: the clicked start, else where training starts."""
        return self._start.copy() if self._start is not None else self._initial_theta()

    def _request_replay(self, run: OverlayRun) -> None:
        run.generation = next(self._generations)
        run.status = "computing"
        if self._X is None:
            run.waiting = True  # replayed when a dataset arrives
            return
        run.path = np.zeros((0, self._n_params()))
        run.loss = np.zeros(0)
        if self._hidden():
            run.waiting, self._stale = True, True
            return
        run.waiting = False
        run.start = self._overlay_start()
        # No stop rule but divergence may end the run before its steps are taken.
        config = dataclasses.replace(
            self._config, optimizer=run.optimizer, lr=run.lr, max_epochs=run.steps + 1, tol=0.0
        )
        job = ReplayJob(
            ("overlay", run.key),
            run.generation,
            self._X,
            self._y,
            config,
            run.start,
            run.steps,
        )
        self._runner.submit(job)
        self._after_work()

    def _invalidate(self) -> None:
        self._requested = None
        if self._hidden():  # catch_up draws the paths when the panel is seen again
            self._stale = True
        else:
            self._draw_paths()
        self._schedule(0, live=False)

    def _schedule(self, delay_ms: int, live: bool = True) -> None:
        """Ask for a picture after ``delay_ms``; a live request waits for one in flight."""
        self._timer_live = (self._timer_live and live) if self._timer.isActive() else live
        if not self._timer.isActive() or delay_ms == 0:
            self._timer.start(delay_ms)

    def _point(self, a: float, b: float | None) -> np.ndarray:
        theta = self._theta.copy()
        i, j = self._params
        theta[i] = a
        if b is not None:
            theta[j] = b
        return theta

    def _held_moved(self, reference: np.ndarray, axes: Sequence[int]) -> bool:
        """Whether theta's held entries moved some logit by more than the tolerance."""
        delta = self._theta - reference
        delta[list(axes)] = 0.0
        if not np.any(delta):
            return False
        if self._config.model == "mlp":
            # A hidden layer's logits cost hidden units times more: read a sample of rows,
            # so that the GUI thread stays quick on a large table.
            model, X = model_for(self._config), self._X[:HELD_CHECK_ROWS]
            shift = model.logits(reference + delta, X) - model.logits(reference, X)
        else:
            shift = self._X @ delta[:-1] + delta[-1]
        return float(np.max(np.abs(shift))) > HELD_LOGIT_TOLERANCE

    def _axis_spec(self, k: int, view_range: Sequence[float]) -> AxisSpec:
        column = self._history[: self._rows, k]
        cover = [float(column.min()), float(column.max())] if self._rows else []
        if self._start is not None:
            cover.append(float(self._start[k]))
        runs = []
        for run in self._overlays:
            if run.path.size:
                runs += [float(run.path[:, k].min()), float(run.path[:, k].max())]
        policy = "fit" if self._fit_pending else "view" if self._user_zoomed else "follow"
        view = (float(view_range[0]), float(view_range[1]))
        return AxisSpec(float(self._theta[k]), tuple(cover), tuple(runs), view, policy)

    def _update_picture(self, live: bool) -> None:
        """Ask the worker for the picture if what it depends on changed."""
        if self._X is None or self._theta is None:
            return
        if self._theta.shape != (len(self._names),):
            return  # the model's layout changed; its first snapshot asks again
        if self._hidden():
            self._stale = True
            return
        axes = self.params
        plot = self._plots.slice_plot if self._mode == "slice" else self._plots.contour_plot
        ranges = plot.getViewBox().viewRange()
        specs = tuple(self._axis_spec(k, ranges[n]) for n, k in enumerate(axes))
        lowest = self._minimum if self._minimum.shape == self._theta.shape else self._theta
        ends = tuple(
            tuple(float(e) for e in jobs.axis_values(spec, lowest[k], 2))
            for spec, k in zip(specs, axes, strict=True)
        )
        config = self._config
        key = (
            self._mode, axes, config.model, config.l2, config.hidden, config.activation,
            config.fit_bias, self._data_id,
        )  # fmt: skip
        last = self._requested
        if last is not None and last.key == key and np.allclose(last.ends, ends, rtol=1e-9):
            if self._mode == "contour" and not self._held_moved(last.theta, axes):
                return
            if (
                self._mode == "slice"
                and last.rows == self._rows
                and np.array_equal(last.theta, self._theta)
            ):
                return
        if live and self._in_flight is not None:
            self._dirty = True  # training moves on: ask again when this picture is drawn
            return
        trail = self._history[max(0, self._rows - TRAIL_POINTS) : self._rows, axes[0]].copy()
        sizes = jobs.pass_sizes(self._mode, self._X.shape[0], new_picture=key != self._shown_key)
        generation = next(self._generations)
        job = PictureJob(
            generation,
            self._mode,
            self._X,
            self._y,
            self._theta.copy(),
            axes,
            specs,
            _landscape_model(self._config),
            self._config.l2,
            sizes,
            trail,
        )
        grad = None if self._grad is None else self._grad.copy()
        request = _Request(
            generation, key, ends, self._theta.copy(), grad, self._rows, self._fit_pending
        )
        self._requested = self._in_flight = request
        self._dirty = False
        self._fit_pending = False
        self._coarse_shown = False
        self._runner.submit(job)

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

    def _draw_paths(self) -> None:
        if self._X is None or self._theta is None or self._mode != "contour":
            return
        if not self.isVisible():  # behind another page: catch_up draws them when shown
            self._stale = True
            return
        i, j = self._params
        plots = self._plots
        path = _thin(self._history[: self._rows], MAX_DRAWN_PATH_POINTS)
        plots.path_item.setData(path[:, i], path[:, j])
        start = self._start if self._start is not None else (path[0] if len(path) else None)
        if start is not None:
            plots.start_item.setData([start[i]], [start[j]])
        plots.current_item.setData([self._theta[i]], [self._theta[j]])
        (x0, x1), (y0, y1) = plots.contour_plot.getViewBox().viewRange()
        span = np.array([max(x1 - x0, 1e-12), max(y1 - y0, 1e-12)])
        extents = []
        for run in self._overlays:
            if run.path.size:
                run.item.setData(run.path[:, i], run.path[:, j])
                plane = run.path[:, [i, j]] / span  # in view widths, as the eye sees it
                extents.append(float(np.ptp(plane, axis=0).max()))
            else:
                run.item.setData([], [])
                extents.append(0.0)
        plots.stack_runs([run.item for run in self._overlays], extents)


def _landscape_model(config: TrainConfig) -> landscape.ModelLike:
    """What ``gdapp.core.landscape`` evaluates: a linear model's name (its fast paths), or
    the hidden layer itself."""
    return model_for(config) if config.model == "mlp" else config.model


def _thin(path: np.ndarray, limit: int) -> np.ndarray:
    """At most ``limit`` rows of ``path``, evenly spaced, always keeping the first and last.

    A long run's path drawn point by point would make every redraw cost more than the last.
    """
    n = path.shape[0]
    if n <= limit:
        return path
    keep = np.unique(np.linspace(0, n - 1, limit).round().astype(int))
    return path[keep]
