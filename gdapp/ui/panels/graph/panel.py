"""The computation-graph panel: every node's forward value and backward derivative, live.

Three views (see ``views``): the post's a, b, c example with editable inputs, the loss of
the selected sample, and the mean cost over the latest batch; with a hidden layer the last
two go through it (``views_mlp``) and the gradient table lists its parameters by name. Training
snapshots update the numbers in place; after a single manual step the panel can walk the
forward and backward pass and show each weight's update as old → new. The nudge check puts
the post's finite-difference estimate beside every derivative, and "Break the gradient"
plants a known bug so the check has something to catch.

Tests read what is shown through ``displayed_values()``, never from pixels.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from PySide6.QtCore import QEvent, QSize, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QFontInfo, QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gdapp.core import graph_builders as builders
from gdapp.core.trainer import model_for
from gdapp.ui.frame_pacer import FramePacer, paint_next_turn_if_long
from gdapp.ui.panels.graph import views, views_mlp
from gdapp.ui.panels.graph.animation import GraphWalk
from gdapp.ui.panels.graph.canvas import GraphCanvas
from gdapp.ui.panels.graph.controls import restore_settings
from gdapp.ui.panels.graph.export import compose_export, compose_svg
from gdapp.ui.panels.graph.nudge import (
    LIVE_ENTRY_LIMIT,
    SYNC_ENTRY_LIMIT,
    NudgeRunner,
    entry_count,
)
from gdapp.ui.panels.graph.scene import GraphScene, NodeNumbers
from gdapp.ui.panels.graph.style import DerivativeLegend, format_number
from gdapp.ui.panels.graph.table import GradientTable

if TYPE_CHECKING:
    from gdapp.ui.controller import TrainingSession

DEFAULT_VIEW = "sample"
REFRESH_MIN_INTERVAL_MS = 33  # at most ~30 refreshes a second during a run
DEFAULT_H = 1e-3
PREFERRED_SIZE_PX = (900, 560)  # a page of the main workspace at 1280×800
SETTINGS_GROUP = "graph_panel"
H_RANGE = (1e-7, 0.5)


@dataclass(frozen=True)
class ViewState:
    """What the panel shows: its view, planted bug, and how the nudge check runs."""

    view: str  # "example", "sample" or "batch"
    bug: str | None  # a planted bug that applies to ``view``, or None
    nudge: bool  # the nudge check is on
    h: float  # its step
    difference: str  # "two-sided" or "one-sided"


class DisplayedNode(NamedTuple):
    """What one card shows: value, derivative and the nudge estimate with its verdict."""

    value: float | np.ndarray
    grad: float | np.ndarray
    numeric: float | np.ndarray | None
    agrees: bool | None


class TableColumn(NamedTuple):
    """One parameter in the gradient table: its name, value, derivative and nudge verdict."""

    label: str
    value: float
    grad: float
    numeric: float | None
    agrees: bool | None


class GraphPanel(QWidget):
    """The computation graph of the post's example, one sample or a batch (objectName graphView)."""

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graphView")
        self._controller = controller
        self._view = DEFAULT_VIEW
        self._bug: str | None = None
        self._example = views.POST_INPUTS
        self._nudge_on = False
        self._h = DEFAULT_H
        self._central = True
        self._snapshot = controller.last_snapshot
        self._walk_request = None  # (old snapshot, new snapshot) awaiting its animation
        self._walk_update = None  # (old theta, new theta) to show once the walk ends
        self._update_pair = None  # (old theta, new theta) shown on the parameter cards
        self._data: views.ViewData | None = None
        self._nudge_cache: tuple[object, dict] | None = None
        self._nudge_note = ""
        self._stale = True  # inputs changed while hidden
        self._units_drawn = None  # (row key, units) of the last one-row graph of many units

        self._scene = GraphScene(self)
        self.graph_view = GraphCanvas(self._scene, self)
        self._walk = GraphWalk(self._scene, self)
        self._nudger = NudgeRunner(self)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)
        # A run's snapshots come up to 40 times a second; a graph of many cards is redrawn
        # as often as its cost allows (see FramePacer).
        self.pacer = FramePacer(REFRESH_MIN_INTERVAL_MS / 1000)
        self.graph_view.painted.connect(self.pacer.add_cost)

        self._build_ui()
        self._apply_font()
        self._walk.progressed.connect(self._on_walk_progressed)
        self._walk.finished.connect(self._on_walk_finished)
        self._nudger.ready.connect(self._on_nudger_ready)
        controller.dataset_changed.connect(self._on_controller_dataset_changed)
        controller.snapshot_ready.connect(self._on_controller_snapshot_ready)
        controller.sample_selected.connect(self._on_controller_sample_selected)
        self._restore_settings()
        self._sync_controls()
        self._refresh(force=True)

    # -- public accessors -----------------------------------------------------------------

    def view_names(self) -> tuple[str, ...]:
        return views.VIEW_NAMES

    def current_view(self) -> str:
        return self._view

    def set_view(self, name: str) -> None:
        """Show ``"example"``, ``"sample"`` or ``"batch"``."""
        if name not in views.VIEW_NAMES:
            raise ValueError(f"unknown view {name!r}; views are {', '.join(views.VIEW_NAMES)}")
        self._view_combo.setCurrentIndex(views.VIEW_NAMES.index(name))

    def bug_names(self) -> tuple[str | None, ...]:
        """Bugs that can be planted in the current view (None = the correct gradient)."""
        return tuple(bug for bug in views.BUG_NAMES if self._view in views.BUG_VIEWS[bug])

    def set_bug(self, name: str | None) -> None:
        """Plant a bug (``"drop_x"``, ``"flip_sign"``, ``"forget_mean"``) or None/"none".

        Planting a bug turns the nudge check on, since that is what catches it.
        """
        bug = None if name in (None, "none") else name
        if bug not in views.BUG_NAMES:
            raise ValueError(f"unknown bug {name!r}; bugs are none, {', '.join(builders.BUGS)}")
        if self._view not in views.BUG_VIEWS[bug]:
            raise ValueError(views.BUG_UNAVAILABLE[(bug, self._view)])
        self._bug_combo.setCurrentIndex(views.BUG_NAMES.index(bug))

    def view_state(self) -> ViewState:
        """The view, bug and nudge settings as one frozen record."""
        return ViewState(
            self._view,
            self._bug,
            self._nudge_on,
            self._h,
            "two-sided" if self._central else "one-sided",
        )

    def example_inputs(self) -> dict[str, float]:
        """The post's example inputs as the learner sees them: {"a": …, "b": …, "c": …}."""
        return dict(zip("abc", self._example, strict=True))

    def set_example_inputs(self, a: float, b: float, c: float) -> None:
        """Set the post's example inputs (shown in the example view)."""
        for box, value in zip(self._example_boxes, (a, b, c), strict=True):
            box.blockSignals(True)
            box.setValue(value)
            box.blockSignals(False)
        self._example = tuple(float(box.value()) for box in self._example_boxes)
        self._schedule_refresh()

    def set_nudge(self, enabled: bool, h: float | None = None) -> None:
        """Show the nudge estimates (with step ``h``, default 0.001) or hide them."""
        if h is not None:
            if not H_RANGE[0] <= h <= H_RANGE[1]:
                raise ValueError(f"h must lie in [{H_RANGE[0]:g}, {H_RANGE[1]:g}], got {h}")
            self._h_box.setValue(h)
        self._nudge_toggle.setChecked(enabled)

    def set_animate(self, enabled: bool) -> None:
        """Animate the forward and backward pass after each single manual step."""
        self._animate_toggle.setChecked(enabled)

    @property
    def animation_running(self) -> bool:
        return self._walk.running

    def skip_animation(self) -> None:
        """End a running walk now; the cards show the final numbers."""
        self._walk.skip()
        self._flush()

    def displayed_values(self) -> dict[str, DisplayedNode]:
        """Node name -> the numbers its card was given (after any pending update)."""
        self._flush()
        return {
            name: DisplayedNode(
                item.numbers.value, item.numbers.grad, item.numbers.numeric, item.numbers.agrees
            )
            for name, item in self._scene.nodes.items()
        }

    def table_columns(self) -> list[TableColumn]:
        """What the gradient table shows, column by column (empty while it is hidden)."""
        self._flush()
        if not self._table.isVisibleTo(self):
            return []
        return [TableColumn(c[0], c[2], c[3], c[4], c[5]) for c in self._table.columns]

    def node_text(self, name: str) -> str:
        """The lines of text a node's card shows."""
        self._flush()
        return self._scene.nodes[name].text()

    def wait_for_nudge(self, timeout_s: float = 30.0) -> None:
        """Finish a background nudge check and show it (a full-batch check takes ~1 s)."""
        self._flush()  # a pending refresh may be what starts the check
        self._nudger.wait(timeout_s)
        self._flush()

    def export_image(self, path: str | Path) -> Path:
        """Write the whole diagram with its caption and legend (PNG without a suffix).

        A ``.svg`` path gets an SVG drawing, any other an image; OSError if it cannot be written.
        """
        self._flush()
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".png")
        if path.suffix.lower() == ".svg":
            path.write_bytes(self.composed_svg())
            return path
        image = self.composed_image()
        if not image.save(str(path)):
            raise OSError(f"could not write the image {path}")
        return path

    def composed_image(self) -> QImage:
        """The whole diagram with its caption and legend, at twice the scene's size."""
        self._flush()
        return compose_export(
            self.graph_view.render_image(), self._caption_text(), self._symbol_for_legend()
        )

    def composed_svg(self) -> bytes:
        """The same picture as an SVG document (UTF-8)."""
        self._flush()
        return compose_svg(self.graph_view.scene(), self._caption_text(), self._symbol_for_legend())

    def min_text_px(self) -> float:
        """The smallest text on screen over every node: font pixel size × the view's scale."""
        self._flush()
        return self._scene.min_text_px() * self.graph_view.zoom

    def sizeHint(self) -> QSize:
        # At this size every card of the eight-feature sample graph reads at >= 11 px.
        return QSize(*PREFERRED_SIZE_PX)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._apply_font()

    def _apply_font(self) -> None:
        """Cards take their text size from this widget's font, so a zoom of the whole
        application's text scales the graph too; the diagram is laid out and fitted anew."""
        px = max(1, QFontInfo(self.font()).pixelSize())
        self._scene.set_font_px(px)
        self.graph_view.text_px = float(px)
        if self.graph_view.auto_fit:
            self.graph_view.refit()

    # -- user interface -------------------------------------------------------------------

    def _build_ui(self) -> None:
        from gdapp.ui.panels.graph.controls import build_controls

        build_controls(self)
        self._legend = DerivativeLegend(parent=self)
        self._status = QLabel(self)
        self._status.setObjectName("graphStatus")
        self._status.setTextFormat(Qt.TextFormat.PlainText)
        self._status.setWordWrap(True)
        self._status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._table = GradientTable(self)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self._status, 1)
        bottom.addWidget(self._legend)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addLayout(self._top_row)
        layout.addLayout(self._check_row)
        layout.addWidget(self._bug_label)
        layout.addWidget(self.graph_view, 1)
        layout.addWidget(self._table)
        layout.addLayout(bottom)
        for keys, slot in (
            (QKeySequence.StandardKey.ZoomIn, self.graph_view.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.graph_view.zoom_out),
            (QKeySequence("Ctrl+0"), self.graph_view.fit_whole),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def _restore_settings(self) -> None:
        restore_settings(self, SETTINGS_GROUP)

    def _sync_controls(self) -> None:
        """Enable, show and explain the controls that apply to the current view."""
        view = self._view
        training_view = view != "example"
        self._mode_stack.setCurrentIndex(0 if training_view else 1)
        self._table.setVisible(self._shows_table())
        model = self._bug_combo.model()
        for i, bug in enumerate(views.BUG_NAMES):
            item = model.item(i)
            allowed = view in views.BUG_VIEWS[bug]
            item.setEnabled(allowed)
            item.setToolTip(
                views.BUG_DETAILS[bug] if allowed else views.BUG_UNAVAILABLE[(bug, view)]
            )
        self._bug_combo.setEnabled(len(self.bug_names()) > 1)
        self._bug_combo.setToolTip(
            "Plant one known bug in this diagram's backward pass (training is not affected)."
            if len(self.bug_names()) > 1
            else views.BUG_UNAVAILABLE[("drop_x", "example")]
            + " Switch to the sample or batch view to plant a bug."
        )
        self._bug_label.setText(views.bug_explanation(self._bug, self._model()))
        self._bug_label.setToolTip(views.bug_details(self._bug, self._model()))
        self._h_box.setEnabled(self._nudge_on)
        self._difference_combo.setEnabled(self._nudge_on)
        self._skip_button.setEnabled(self._walk.running)
        self._speed_slider.setEnabled(self._animate_toggle.isChecked())

    # -- slots: controls ------------------------------------------------------------------

    def _on_view_combo_changed(self, index: int) -> None:
        self._walk.skip()
        self._view = views.VIEW_NAMES[index]
        if self._view not in views.BUG_VIEWS[self._bug]:
            self._bug_combo.setCurrentIndex(0)  # a bug that does not apply here
        self._update_pair = None
        self._sync_controls()
        self.graph_view.auto_fit, self.graph_view.fits_whole = True, False
        self._schedule_refresh()

    def _on_bug_combo_changed(self, index: int) -> None:
        self._bug = views.BUG_NAMES[index]
        if self._bug is not None and not self._nudge_on:
            self._nudge_toggle.setChecked(True)
        self._sync_controls()
        self._schedule_refresh()

    def _on_nudge_toggled(self, enabled: bool) -> None:
        self._nudge_on = enabled
        self._sync_controls()
        self._schedule_refresh()

    def _on_h_changed(self, value: float) -> None:
        self._h = float(value)
        self._schedule_refresh()

    def _on_difference_changed(self, index: int) -> None:
        self._central = index == 0
        self._schedule_refresh()

    def _on_example_changed(self, _value: float = 0.0) -> None:
        self._example = tuple(float(box.value()) for box in self._example_boxes)
        self._schedule_refresh()

    def _on_example_reset_clicked(self) -> None:
        self.set_example_inputs(*views.POST_INPUTS)

    def _on_animate_toggled(self, enabled: bool) -> None:
        if not enabled:
            self._walk.skip()
        self._sync_controls()

    def _on_speed_changed(self, speed: int) -> None:
        self._walk.set_speed(speed)

    def _on_skip_clicked(self) -> None:
        self.skip_animation()

    def _on_fit_clicked(self) -> None:
        self.graph_view.fit_whole()

    def _on_export_clicked(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        suggested = str(Path(folder or Path.home()) / f"graph-{self._view}.png")
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Export graph as image",
            suggested,
            "PNG image (*.png);;SVG drawing (*.svg);;JPEG image (*.jpg)",
        )
        if not path:
            return
        try:
            written = self.export_image(path)
        except OSError as exc:
            QMessageBox.warning(self, "Export failed", f"Could not save the image: {exc}")
            return
        self._status.setText(f"Saved {written.name}")

    # -- slots: controller ----------------------------------------------------------------

    def _on_controller_dataset_changed(self, _dataset) -> None:
        self._walk.skip()
        self._snapshot = None
        self._walk_request = self._update_pair = None
        self._nudge_cache = None
        self.graph_view.auto_fit, self.graph_view.fits_whole = True, False
        self._schedule_refresh()

    def _on_controller_sample_selected(self, _row: int) -> None:
        if self._view == "sample":
            self._schedule_refresh()

    def _on_controller_snapshot_ready(self, snapshot) -> None:
        previous = self._snapshot
        if self._walk.running:
            self._walk.skip()
        self._snapshot = snapshot
        self._update_pair = None
        self._walk_request = (previous, snapshot) if self._wants_walk(previous, snapshot) else None
        if self._view != "example" or self._walk_request is not None:
            self._schedule_refresh()

    def _on_nudger_ready(self, key, results) -> None:
        if isinstance(results, Exception):
            self._nudge_note = "failed"
            self._status.setText(f"The nudge check failed: {results}")
            return
        self._nudge_cache = (key, results)
        self._schedule_refresh()

    def _on_walk_progressed(self, text: str) -> None:
        self._status.setText(text)

    def _on_walk_finished(self) -> None:
        self._update_pair, self._walk_update = self._walk_update, None
        self._sync_controls()
        self._schedule_refresh()

    # -- refreshing -----------------------------------------------------------------------

    def _wants_walk(self, previous, snapshot) -> bool:
        return (
            self._animate_toggle.isChecked()
            and self._view in ("sample", "batch")
            and previous is not None
            and getattr(previous, "generation", 0) == getattr(snapshot, "generation", 0)
            and snapshot.step_count == previous.step_count + 1
            and not getattr(snapshot, "running", False)
            and self._controller.dataset is not None
        )

    def _schedule_refresh(self) -> None:
        # Paced during a run only: a step, a click or a new view is shown at once.
        wait_ms = self.pacer.wait_ms() if self._controller.is_running else 0
        if not self._refresh_timer.isActive():
            self.pacer.start(self._refresh_timer, wait_ms)
        elif wait_ms == 0 and self._refresh_timer.remainingTime() > 0:
            self.pacer.start(self._refresh_timer, 0)

    def _flush(self) -> None:
        if self._refresh_timer.isActive() or self._stale:
            self._refresh_timer.stop()
            self._refresh(force=True)

    def _on_refresh_timer_timeout(self) -> None:
        if self.pacer.yield_if_late(self._refresh_timer):
            return  # the timers that came due while the loop was busy go first
        started = self.pacer.frame_started()
        self._refresh()
        cost = time.perf_counter() - started
        self.pacer.add_cost(cost)
        paint_next_turn_if_long(self, cost)  # a new graph's cards, then their paint

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._nudger.resume()
        self.catch_up()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._nudger.pause()  # a check of a hidden graph waits until it is seen again

    def catch_up(self) -> None:
        """Bring a panel that skipped updates while unseen up to date (now that it is seen)."""
        if self._stale:
            self._schedule_refresh()

    def _refresh(self, force: bool = False) -> None:
        """Rebuild the core graph for the current inputs and update the cards in place.

        A hidden panel (a dock tab behind another) only notes that it is stale and catches
        up when shown, so a run costs it nothing meanwhile.
        """
        if not force and (not self.isVisible() or self.visibleRegion().isEmpty()):
            self._stale = True
            self._walk_request = None
            return
        self._stale = False
        self._bug_label.setText(views.bug_explanation(self._bug, self._model()))
        self._bug_label.setToolTip(views.bug_details(self._bug, self._model()))
        request, self._walk_request = self._walk_request, None
        walking = request is not None
        snapshot = request[0] if walking else self._snapshot
        made = self._make_view(snapshot, request[1] if walking else self._snapshot)
        if isinstance(made, str):
            self._data = None
            self._scene.show_message(made)
            self.graph_view.refit()
            self._status.setText("")
            self._table.clear_rows()
            return
        data, key, rebuild = made
        self._data = data
        results = self._nudge_results(data, key, rebuild)
        numbers = self._numbers(data, results, None if walking else self._update_pair)
        rebuilt = self._scene.show_graph(
            data.graph,
            data.styles,
            data.output_symbol,
            numbers,
            data.layers,
            self._nudge_on,
            data.edges,
            data.graph.bug_edges,
            data.hidden,
        )
        self._legend.set_symbol(self._symbol_for_legend())
        table = self._shows_table()
        self._table.setVisible(table)
        self._table.show_numbers(data, numbers, self._nudge_on, table)
        if walking:
            old, new = request
            self._walk_update = (np.asarray(old.theta), np.asarray(new.theta))
            self._walk.start([node.name for node in data.graph.nodes])
            self._sync_controls()
        else:
            self._status.setText(self._caption_text())
        # The table and caption may have changed height: give the canvas its final size now,
        # so that the fit below (and any reading of the zoom) is not one layout pass behind.
        self.layout().activate()
        if self.graph_view.auto_fit:
            self.graph_view.refit()
        del rebuilt

    def _make_view(self, snapshot, batch_snapshot):
        """(ViewData, nudge key, rebuild function), or a message when there is nothing to show."""
        view = self._view
        bug = self._bug if view in views.BUG_VIEWS[self._bug] else None  # never an invalid pair
        if view == "example":
            a, b, c = self._example
            key = ("example", a, b, c)
            return views.build_example(a, b, c), key, lambda: views.build_example(a, b, c)
        dataset = self._controller.dataset
        if dataset is None:
            return "No dataset yet. Load one, or choose the post's example in View."
        theta = None if snapshot is None else np.array(snapshot.theta, dtype=float)
        names = tuple(dataset.feature_names)
        model = self._model()
        hidden = self._hidden_layer()
        if hidden is not None:
            model = views_mlp.model_key(hidden)
        generation = getattr(snapshot, "generation", None)
        theta_key = None if theta is None else theta.tobytes()
        if view == "sample":
            row = self._sample_row()
            x, y = np.array(dataset.X[row], dtype=float), float(dataset.y[row])

            keep = self._drawn_units(("sample", row, model, generation))

            def build():
                if hidden is not None:
                    data = views_mlp.build_sample(x, y, theta, names, bug, hidden, keep)
                    self._units_drawn = (
                        ("sample", row, model, generation),
                        views_mlp.units_of(data),
                    )
                    return data
                return views.build_sample(x, y, theta, names, bug, model)

            return build(), ("sample", bug, model, row, theta_key, generation), build
        rows = self._batch_rows(batch_snapshot)
        if len(rows) == 0:
            return "This dataset has no training rows to average over."
        X, y = np.array(dataset.X_train[rows], dtype=float), np.array(dataset.y_train[rows])

        def build():
            if hidden is not None:
                return views_mlp.build_batch(X, y, theta, names, bug, hidden)
            return views.build_batch(X, y, theta, names, bug, model)

        return build(), ("batch", bug, model, rows.tobytes(), theta_key, generation), build

    def _drawn_units(self, key) -> list[int] | None:
        """The hidden units the same row's graph drew last (None for another row or run)."""
        drawn = self._units_drawn
        return drawn[1] if drawn is not None and drawn[0] == key else None

    def _model(self) -> str:
        """The trainer's model: the graph follows it ("logistic", "linear" or "mlp")."""
        return self._config().model

    def _config(self):
        return getattr(self._snapshot, "config", None) or self._controller.config

    def _hidden_layer(self):
        """The trainer's model when it has a hidden layer (its ``MLPModel``), else None."""
        config = self._config()
        return model_for(config) if config.model == "mlp" else None

    def _shows_table(self) -> bool:
        """The batch view lists every parameter; so does a hidden layer's one-row graph."""
        return self._view == "batch" or (self._view == "sample" and self._model() == "mlp")

    def _sample_row(self) -> int:
        row = self._controller.selected_sample
        return row if row is not None and row >= 0 else 0

    def _batch_rows(self, snapshot) -> np.ndarray:
        dataset = self._controller.dataset
        batch = None if snapshot is None else getattr(snapshot, "last_batch", None)
        if batch is None or len(batch) == 0:
            return np.arange(len(dataset.train_idx))
        return np.asarray(batch, dtype=int)

    def _nudge_results(self, data: views.ViewData, key, rebuild) -> dict | None:
        """Nudge results for ``data``: now if cheap, else from the background check."""
        self._nudge_note = ""
        if not self._nudge_on:
            self._nudger.cancel()
            return None
        key = (key, self._h, self._central)
        entries = entry_count(data.graph)
        running = bool(getattr(self._snapshot, "running", False))
        if entries <= LIVE_ENTRY_LIMIT or (entries <= SYNC_ENTRY_LIMIT and not running):
            return self._nudger.check_now(data.graph, self._h, self._central)
        if self._nudge_cache is not None and self._nudge_cache[0] == key:
            return self._nudge_cache[1]
        if running:
            self._nudge_note = "waits for a pause"
            self._nudger.cancel()
            return None
        self._nudge_note = "checking…"
        self._nudger.check_later(key, lambda: rebuild().graph, self._h, self._central)
        return None

    def _numbers(self, data: views.ViewData, results, update_pair) -> dict[str, NodeNumbers]:
        updates = views.parameter_updates(self._view, data, update_pair)
        return views.node_numbers(data, results, updates, self._nudge_note)

    def _symbol_for_legend(self) -> str:
        return f"d{self._data.output_symbol}/d·" if self._data is not None else "dL/d·"

    def _caption_text(self) -> str:
        data = self._data
        if data is None:
            return ""
        output = data.graph.output
        step = 0 if self._snapshot is None else self._snapshot.step_count
        if self._view == "example":
            a, b, c = (format_number(v) for v in self._example)
            total = format_number(output.value)
            return f"The post's example: J = 3(a + bc) = 3({a} + {b}·{c}) = {total}"
        dataset = self._controller.dataset
        if self._view == "sample":
            row = self._sample_row()
            y = int(dataset.y[row])
            meaning = dataset.positive_label if y == 1 else (dataset.negative_label or "negative")
            chosen = "" if self._controller.selected_sample >= 0 else " (none selected)"
            note = f" · {data.note}" if data.note else ""
            return (
                f"Row {row}{chosen} · y = {y} ({meaning}) · step {step} · "
                f"L = {format_number(output.value)}{note}"
            )
        m = int(np.shape(data.graph.node("X").value)[0])
        n = len(dataset.train_idx)
        cost = format_number(output.value)
        loss = self._full_batch_loss()
        if m == n:
            return (
                f"All {n} training rows (full batch) · J = {cost}, the training loss the plots "
                "and status show"
                + ("" if loss is None or loss == output.value else f" ({format_number(loss)} "
                   "with the L2 term)")
            )  # fmt: skip
        full = "" if loss is None else f" ({format_number(loss)})"
        return (
            f"Step {step}'s mini-batch of {m} rows: J = {cost} on them alone. The plots and "
            f"status show the loss over all {n} training rows{full}, so the two differ."
        )

    def _full_batch_loss(self) -> float | None:
        """The trainer's loss over every training row at the shown weights (its L2 term too)."""
        dataset, snapshot = self._controller.dataset, self._snapshot
        if dataset is None or snapshot is None or len(dataset.train_idx) == 0:
            return None
        config = snapshot.config
        theta = np.asarray(snapshot.theta, dtype=float)
        model = model_for(config)
        if theta.shape != (model.n_params(dataset.X_train.shape[1]),):
            return None
        return model.loss(theta, dataset.X_train, dataset.y_train)
