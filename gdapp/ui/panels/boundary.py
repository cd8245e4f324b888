"""The decision boundary: the training rows over two features, and where the model says 0.5.

The page plots the training rows by two features of the learner's choice (in the scaled
units the model sees), coloured by label, with a ring on each row the model gets wrong. Under
them the model's probability P(y = 1) is shaded over a grid (white at 0.5), and a black curve
marks where it is exactly 0.5: for the linear models the straight line computed exactly, for
any other model the 0.5 contour of the grid (``boundary_geometry``). Every other feature is
held at a value the learner sets, by default its training mean.

Live: each snapshot marks the picture dirty and a single-shot timer redraws at most every
``REDRAW_INTERVAL_MS``, only while the page is visible. The grid's rows are kept between
redraws (they change only with the axes or the held values), so a redraw is one prediction
over the grid and one over the rows shown. A large table shows a random sample of at most
``MAX_SCATTER_POINTS`` rows, and says so.

The model comes from the session's config through ``session_model``; the panel uses only
``predict_proba(theta, X)`` (and ``predict`` when the model has one), so any model works.

State, as the window's view model drives it: ``set_state(features, held)`` and ``state()``;
``features`` None means the first two features, ``held`` None the training means.
``state_edited(features, held)`` is emitted when the learner changes them here.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph binds to it

from gdapp.core.trainer import TrainConfig, model_for
from gdapp.ui.frame_pacer import paint_with_window
from gdapp.ui.panels import boundary_geometry as geometry
from gdapp.ui.panels.boundary_widgets import ColorKey, HeldValuesForm
from gdapp.ui.plot_items import AXIS_COLOR, LEGEND_BRUSH, plain_axes

if TYPE_CHECKING:
    from gdapp.datasets import Dataset
    from gdapp.ui.controller import TrainingSession

REDRAW_INTERVAL_MS = 100  # at most ten redraws a second
MAX_SCATTER_POINTS = 3000  # rows drawn; a larger table shows a random sample of them
SAMPLE_SEED = 0  # the sample is the same every time a table is loaded
HELD_NAMES_SHOWN = 4  # held values written out in the line above the plot
NEGATIVE_COLOR = "#1f5f9e"
POSITIVE_COLOR = "#c4500c"
# Diverging shading: light blue at P = 0, white at 0.5, light orange at P = 1.
SHADE_POSITIONS = (0.0, 0.5, 1.0)
SHADE_COLORS = ("#8fb8de", "#ffffff", "#f5b07a")
BOUNDARY_PEN = pg.mkPen("#111111", width=2.5)
WRONG_PEN = pg.mkPen("#111111", width=1.6)
EXPLANATION = (
    "Each dot is a training row, placed by two of its features. The shading is the "
    "model's P(y = 1) at each point of the plane, white at 0.5; the black line is where "
    "it is exactly 0.5 (for logistic regression σ(z) = 0.5, that is z = 0): the model "
    "predicts 1 on the orange side, 0 on the blue side. A ring marks a row it gets wrong, "
    "judged on all of the row's features. The axes start on the table's first two "
    "features; choose any two above."
)
AXES_TIP = (
    "The page starts on the first two features of the table; pick any two. "
    "Values are in the scaled units the model sees."
)


def session_model(config: TrainConfig):
    """The model a session's ``config`` trains (the one place the page makes it)."""
    return model_for(config)


def predicted_class(model, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """0/1 per row of X: the model's own ``predict``, else its probability >= 0.5."""
    predict = getattr(model, "predict", None)
    if predict is not None:
        return np.asarray(predict(theta, X)).astype(np.int64)
    return (np.asarray(model.predict_proba(theta, X)) >= 0.5).astype(np.int64)


def _diverging_map() -> pg.ColorMap:
    return pg.ColorMap(pos=list(SHADE_POSITIONS), color=list(SHADE_COLORS))


class BoundaryPanel(QWidget):
    """The decision-boundary page; see the module docstring.

    Items, for tests and exports: ``plot`` (the ``boundaryPlot`` PlotWidget), ``image``
    (P(y = 1) over the grid, row-major), ``boundary_curve`` (the 0.5 line or contour, as
    point pairs), ``negative_points`` / ``positive_points`` (rows by label) and
    ``wrong_points`` (the rings). ``shown_rows`` are the training-row positions drawn,
    ``drawn_theta`` the parameters drawn last. Signal ``redrawn()`` after each redraw.
    """

    state_edited = Signal(object, object)
    redrawn = Signal()

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boundaryPanel")
        self._controller = controller
        self._dataset: Dataset | None = None
        self._features_choice: tuple[int, int] | None = None
        self._held_choice: tuple[float, ...] | None = None
        self._means = np.zeros(0)
        self._held = np.zeros(0)
        self.shown_rows = np.zeros(0, dtype=np.intp)
        self._rows_uv = np.zeros((0, 2))  # the drawn rows' two coordinates
        self._X_shown = np.zeros((0, 0))  # the drawn rows, all features, and their labels
        self._y_shown = np.zeros(0)
        self._ranges = np.zeros((0, 2))  # (d, 2) range each feature's axis shows
        self._grid: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._drawn_key: tuple | None = None
        self._dirty = False
        self._last_redraw = 0.0
        self._quiet = False  # widgets being set from code: their signals are not edits
        self._boxes_stale = True  # the held-values form waits until it is opened
        self.redraw_count = 0
        self.drawn_theta: np.ndarray | None = None  # the parameters the picture shows
        self._build()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.redraw)
        controller.dataset_changed.connect(self._on_controller_dataset_changed)
        controller.snapshot_ready.connect(self._on_controller_snapshot_ready)
        if controller.dataset is not None:
            self._on_controller_dataset_changed(controller.dataset)

    # -- construction ----------------------------------------------------------------------

    def _build(self) -> None:
        self.x_combo = QComboBox(objectName="boundaryFeatureX")
        self.x_combo.setToolTip("Feature on the horizontal axis. " + AXES_TIP)
        self.y_combo = QComboBox(objectName="boundaryFeatureY")
        self.y_combo.setToolTip("Feature on the vertical axis. " + AXES_TIP)
        for combo in (self.x_combo, self.y_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(10)
            combo.currentIndexChanged.connect(self._on_combo_changed)
        self.held_toggle = QToolButton(text="Held values", objectName="boundaryHeldToggle")
        self.held_toggle.setCheckable(True)
        self.held_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.held_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.held_toggle.setToolTip(
            "Show the value each other feature is held at for the whole picture"
        )
        self.held_toggle.toggled.connect(self._on_held_toggle_toggled)
        top = QHBoxLayout()
        top.addWidget(QLabel("Horizontal:"))
        top.addWidget(self.x_combo, 1)
        top.addWidget(QLabel("Vertical:"))
        top.addWidget(self.y_combo, 1)
        top.addWidget(self.held_toggle)

        self.explanation = QLabel(EXPLANATION, objectName="boundaryExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setToolTip(
            "With more than two features a row's ring uses all of its features, so a ringed "
            "row can sit on the right side of this slice of the model."
        )
        self.held_line = QLabel(objectName="boundaryHeldLine")
        self.held_line.setWordWrap(True)
        self.held_line.setToolTip("The features not on the axes keep these values everywhere")
        self.note = QLabel(objectName="boundaryNote")
        self.note.setWordWrap(True)
        self.note.setToolTip("How many training rows are drawn, and what the line shows now")

        self.held_form = HeldValuesForm()
        self.held_form.value_edited.connect(self._on_held_form_value_edited)
        self.held_form.reset_requested.connect(self.reset_held)
        self.held_form.hide()

        self.plot = pg.PlotWidget(background="w")
        paint_with_window(self.plot)
        self.plot.setObjectName("boundaryPlot")
        self.plot.setToolTip(
            "Rows coloured by label, ringed when predicted wrongly; shading is P(y = 1), "
            "the black line P = 0.5"
        )
        self.plot.setMinimumSize(260, 200)
        item = self.plot.getPlotItem()
        for side in ("bottom", "left"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(AXIS_COLOR))
            axis.setTextPen(pg.mkPen(AXIS_COLOR))
        plain_axes(item)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        self.plot.addItem(self.image)
        self.image.setColorMap(_diverging_map())
        self.color_key = ColorKey(SHADE_POSITIONS, SHADE_COLORS, "P(y=1)", AXIS_COLOR)
        self.color_key.setToolTip("The shading's colour for each value of P(y = 1)")
        item.getViewBox().sigResized.connect(self._on_view_box_resized)
        self.legend = item.addLegend(
            offset=(8, 8), brush=LEGEND_BRUSH, labelTextSize="8pt", labelTextColor=AXIS_COLOR
        )
        self.negative_points = pg.ScatterPlotItem(
            size=6, brush=pg.mkBrush(NEGATIVE_COLOR), pen=pg.mkPen("w", width=0.6)
        )
        self.positive_points = pg.ScatterPlotItem(
            size=6, brush=pg.mkBrush(POSITIVE_COLOR), pen=pg.mkPen("w", width=0.6)
        )
        self.wrong_points = pg.ScatterPlotItem(size=12, brush=None, pen=WRONG_PEN, symbol="o")
        self.boundary_curve = pg.PlotDataItem(pen=BOUNDARY_PEN, connect="pairs")
        for scatter in (self.negative_points, self.positive_points, self.wrong_points):
            self.plot.addItem(scatter)
        self.plot.addItem(self.boundary_curve)
        self.legend.addItem(self.negative_points, "y = 0")
        self.legend.addItem(self.positive_points, "y = 1")
        self.legend.addItem(self.wrong_points, "predicted wrongly")
        self.legend.addItem(self.boundary_curve, "P(y=1) = 0.5")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.explanation)
        layout.addWidget(self.held_line)
        layout.addWidget(self.held_form)
        picture = QHBoxLayout()
        picture.setSpacing(2)
        picture.addWidget(self.plot, 1)
        picture.addWidget(self.color_key)
        layout.addLayout(picture, 1)
        layout.addWidget(self.note)

    # -- state -----------------------------------------------------------------------------

    @property
    def features(self) -> tuple[int, int] | None:
        """The two features on the axes (horizontal, vertical); None without two features."""
        dataset = self._dataset
        if dataset is None or dataset.n_features < 2:
            return None
        return self._features_choice or (0, 1)

    @property
    def held(self) -> np.ndarray:
        """(d,) values the features off the axes are held at (axis entries unused)."""
        return self._held.copy()

    def state(self) -> tuple[tuple[int, int] | None, tuple[float, ...] | None]:
        """``(features, held)`` as the view model holds them (None: the defaults)."""
        return self._features_choice, self._held_choice

    def set_state(self, features: Sequence[int] | None, held: Sequence[float] | None) -> None:
        """Show ``features`` (two distinct indices, None: the first two) with the other
        features at ``held`` (one value per feature, None: the training means).

        Raises ValueError, changing nothing, when they do not fit the dataset.
        """
        features = self._checked_features(features)
        held = self._checked_held(held)
        if (features, held) == self.state():
            return
        self._features_choice, self._held_choice = features, held
        self._held = self._means.copy() if held is None else np.array(held, dtype=float)
        self._show_choice()

    def set_features(self, horizontal: int, vertical: int) -> None:
        """Put these two features on the axes (as a learner's pick: ``state_edited``)."""
        features = self._checked_features((horizontal, vertical))
        if features != self.features:
            self._features_choice = features
            self._show_choice()
            self._emit_edited()

    def set_held_value(self, feature: int, value: float) -> None:
        """Hold ``feature`` at ``value`` (scaled units), as a learner's edit."""
        if self._dataset is None or not 0 <= feature < self._dataset.n_features:
            raise ValueError(f"no feature {feature} to hold")
        value = float(value)
        if not np.isfinite(value):
            raise ValueError(f"a held value must be a finite number, got {value!r}")
        if self._held[feature] == value and self._held_choice is not None:
            return
        self._held[feature] = value
        self._held_choice = tuple(float(x) for x in self._held)
        self.held_form.show_values(self._held)
        self._after_held_changed()
        self._emit_edited()

    def reset_held(self) -> None:
        """Hold every other feature at its training mean again."""
        if self._held_choice is None:
            return
        self._held_choice = None
        self._held = self._means.copy()
        self.held_form.show_values(self._held)
        self._after_held_changed()
        self._emit_edited()

    def _checked_features(self, features: Sequence[int] | None) -> tuple[int, int] | None:
        if features is None:
            return None
        pair = tuple(int(k) for k in features)
        d = self._dataset.n_features if self._dataset is not None else None
        if len(pair) != 2 or pair[0] == pair[1]:
            raise ValueError(f"the boundary needs two different features, got {list(pair)}")
        if d is not None and not all(0 <= k < d for k in pair):
            raise ValueError(f"feature indices {list(pair)} out of range 0..{d - 1}")
        return pair[0], pair[1]

    def _checked_held(self, held: Sequence[float] | None) -> tuple[float, ...] | None:
        if held is None:
            return None
        values = tuple(float(x) for x in held)
        d = self._dataset.n_features if self._dataset is not None else len(values)
        if len(values) != d or not all(np.isfinite(values)):
            raise ValueError(f"held values must be {d} finite numbers, got {len(values)}")
        return values

    def _emit_edited(self) -> None:
        self.state_edited.emit(self._features_choice, self._held_choice)

    # -- controller events -----------------------------------------------------------------

    def _on_controller_dataset_changed(self, dataset: Dataset) -> None:
        before = self.state()
        self._dataset = dataset
        X_train, y_train = dataset.X_train, dataset.y_train  # copies: taken once here
        self._means = X_train.mean(axis=0) if len(X_train) else np.zeros(dataset.n_features)
        self._ranges = geometry.axis_ranges(X_train)
        d = dataset.n_features
        if self._features_choice is not None and not all(0 <= k < d for k in self._features_choice):
            self._features_choice = None
        self._held_choice = None  # values held for another table mean nothing for this one
        self._held = self._means.copy()
        n_train = len(dataset.train_idx)
        if n_train > MAX_SCATTER_POINTS:
            rng = np.random.default_rng(SAMPLE_SEED)
            self.shown_rows = np.sort(rng.choice(n_train, MAX_SCATTER_POINTS, replace=False))
        else:
            self.shown_rows = np.arange(n_train)
        self._X_shown, self._y_shown = X_train[self.shown_rows], y_train[self.shown_rows]
        self._quiet = True
        for combo in (self.x_combo, self.y_combo):
            combo.clear()
            for k, name in enumerate(dataset.feature_names):
                combo.addItem(name, k)
        self._quiet = False
        negative = dataset.negative_label or "0"
        self.legend.items[0][1].setText(html.escape(f"y = 0 ({negative})"))
        self.legend.items[1][1].setText(html.escape(f"y = 1 ({dataset.positive_label})"))
        self._show_choice()
        if self.state() != before:
            self._emit_edited()

    def _on_controller_snapshot_ready(self, _snapshot) -> None:
        self._schedule_redraw()

    def _on_combo_changed(self, _index: int) -> None:
        if self._quiet or self._dataset is None:
            return
        old = self.features
        x, y = self.x_combo.currentData(), self.y_combo.currentData()
        if x is None or y is None or old is None:
            return
        if x == y:  # the other axis takes the feature this one gave up
            if self.sender() is self.x_combo:
                y = old[0]
            else:
                x = old[1]
        self.set_features(int(x), int(y))

    def _on_view_box_resized(self, view_box) -> None:
        # The key's bar runs level with the plotted area, whatever the axes take.
        rect = view_box.mapRectToScene(view_box.boundingRect())
        top = self.plot.mapFromScene(rect.topLeft()).y()
        bottom = self.plot.mapFromScene(rect.bottomLeft()).y()
        offset = self.plot.mapTo(self, self.plot.rect().topLeft()).y()
        key_offset = self.color_key.mapTo(self, self.color_key.rect().topLeft()).y()
        self.color_key.set_span(top + offset - key_offset, bottom + offset - key_offset)

    def _on_held_toggle_toggled(self, shown: bool) -> None:
        self.held_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        if shown and self._boxes_stale:
            self._build_held_boxes()
        self.held_form.setVisible(shown)

    def _on_held_form_value_edited(self, feature: int, value: float) -> None:
        self.set_held_value(feature, value)

    # -- showing the choice ----------------------------------------------------------------

    def _show_choice(self) -> None:
        """Lay the page out for the current dataset, axes and held values."""
        dataset, features = self._dataset, self.features
        self._grid = None
        self._drawn_key = None
        self._quiet = True
        if features is not None:
            self.x_combo.setCurrentIndex(features[0])
            self.y_combo.setCurrentIndex(features[1])
        self._quiet = False
        enabled = features is not None
        for widget in (self.x_combo, self.y_combo, self.held_toggle):
            widget.setEnabled(enabled)
        self._boxes_stale = True
        if self.held_form.isVisible():
            self._build_held_boxes()
        elif self.held_form.boxes:  # boxes of other features: gone until the form opens
            self.held_form.show_features((), (), self._ranges, self._held)
        if dataset is None or features is None:
            self._clear("A decision boundary needs a table with at least two features.")
            return
        i, j = features
        plot = self.plot.getPlotItem()
        plot.setLabel("bottom", self._axis_label(i), color=AXIS_COLOR)
        plot.setLabel("left", self._axis_label(j), color=AXIS_COLOR)
        y = self._y_shown
        self._rows_uv = self._X_shown[:, [i, j]]
        for scatter, label in ((self.negative_points, 0.0), (self.positive_points, 1.0)):
            chosen = self._rows_uv[y == label]
            scatter.setData(chosen[:, 0], chosen[:, 1])
        self.wrong_points.setData([], [])
        xs, ys, _ = self._grid_arrays()
        rect = (xs[0], xs[-1], ys[0], ys[-1])
        plot.setRange(xRange=rect[:2], yRange=rect[2:], padding=0)
        self._write_held_line()
        self._schedule_redraw(now=True)

    def _axis_label(self, feature: int) -> str:
        name = self._dataset.feature_names[feature]
        scaled = self._dataset.scaler.kind != "none"
        return f"{name} (scaled)" if scaled else name

    def _after_held_changed(self) -> None:
        self._grid = None
        self._write_held_line()
        self._schedule_redraw(now=True)

    def _write_held_line(self) -> None:
        dataset, features = self._dataset, self.features
        if dataset is None or features is None:
            self.held_line.setText("")
            return
        others = [k for k in range(dataset.n_features) if k not in features]
        if not others:
            self.held_line.setText("No other features: this picture is the whole model.")
            return
        # The values the learner moved away from the mean come first.
        others.sort(key=lambda k: (self._held[k] == self._means[k], k))
        words = ", ".join(
            f"{dataset.feature_names[k]} {self._held[k]:.2f}" for k in others[:HELD_NAMES_SHOWN]
        )
        if len(others) > HELD_NAMES_SHOWN:
            words += f" and {len(others) - HELD_NAMES_SHOWN:,} more"
        if self._held_choice is None:
            self.held_line.setText(f"Other features held at their mean: {words}.")
        else:
            self.held_line.setText(f"Other features held at the values you set: {words}.")

    def _build_held_boxes(self) -> None:
        self._boxes_stale = False
        dataset, features = self._dataset, self.features
        if dataset is None or features is None:
            self.held_form.show_features((), (), self._ranges, self._held)
            return
        others = [k for k in range(dataset.n_features) if k not in features]
        self.held_form.show_features(dataset.feature_names, others, self._ranges, self._held)

    # -- drawing ---------------------------------------------------------------------------

    def _grid_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The grid's axes and its (G*G, d) rows, kept until the axes or held values change."""
        if self._grid is None:
            dataset = self._dataset
            i, j = self.features
            size = geometry.grid_size(dataset.n_features)
            xs = np.linspace(*self._ranges[i], size)
            ys = np.linspace(*self._ranges[j], size)
            self._grid = (xs, ys, geometry.grid_points(xs, ys, self._held, i, j))
        return self._grid

    def _schedule_redraw(self, now: bool = False) -> None:
        self._dirty = True
        if now:
            self._timer.start(0)
        elif not self._timer.isActive():
            wait_ms = self._last_redraw * 1000 + REDRAW_INTERVAL_MS - time.perf_counter() * 1000
            self._timer.start(max(0, int(wait_ms)))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty and not self._timer.isActive():
            self._timer.start(0)

    def redraw(self) -> None:
        """Draw the current model over the page (the display timer calls this)."""
        self._timer.stop()
        if not self._dirty or not self.isVisible():
            return  # a hidden page catches up when shown
        self._dirty = False
        snapshot = self._controller.last_snapshot
        if self._dataset is None or self.features is None or snapshot is None:
            return
        key = (snapshot.theta.tobytes(), snapshot.config, self.features, self._held.tobytes())
        if key == self._drawn_key:
            return
        self._last_redraw = time.perf_counter()
        model = session_model(snapshot.config)
        with self._controller.hold_training():
            try:
                self._draw(model, np.asarray(snapshot.theta, dtype=float))
            except ValueError:  # parameters of another shape: the next snapshot fits
                self._dirty = True
                return
        self._drawn_key = key
        self.drawn_theta = np.array(snapshot.theta, dtype=float)
        self.redraw_count += 1
        self.redrawn.emit()

    def _draw(self, model, theta: np.ndarray) -> None:
        dataset = self._dataset
        i, j = self.features
        xs, ys, points = self._grid_arrays()
        probability = np.asarray(model.predict_proba(theta, points), dtype=float)
        picture = probability.reshape(len(ys), len(xs))
        wrong = predicted_class(model, theta, self._X_shown) != self._y_shown
        self.image.setImage(picture, autoLevels=False, levels=(0.0, 1.0))
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        # Pixel centres on the grid points.
        self.image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))
        self.wrong_points.setData(self._rows_uv[wrong, 0], self._rows_uv[wrong, 1])
        rect = (xs[0], xs[-1], ys[0], ys[-1])
        line = geometry.linear_boundary(model, theta, dataset.n_features, self._held, i, j)
        if line is not None:
            ends = geometry.clip_line(*line, rect)
            if ends is None:
                self.boundary_curve.setData([], [])
                missing = "nowhere in this picture"
                if line[0] == 0.0 and line[1] == 0.0:
                    missing = "nowhere: both of these weights are 0, so P is the same everywhere"
            else:
                self.boundary_curve.setData(ends[:, 0], ends[:, 1])
                missing = ""
        else:
            segments = geometry.contour_segments(picture, xs, ys, 0.5)
            self.boundary_curve.setData(segments[:, :, 0].ravel(), segments[:, :, 1].ravel())
            missing = "" if len(segments) else "nowhere in this picture"
        self._write_note(int(np.count_nonzero(wrong)), missing)

    def _write_note(self, wrong: int, missing: str) -> None:
        n_train = len(self._dataset.train_idx)
        shown = len(self.shown_rows)
        if shown < n_train:
            rows = f"{shown:,} of the {n_train:,} training rows drawn, picked at random"
        else:
            rows = f"All {n_train:,} training rows drawn"
        text = f"{rows}; {wrong:,} of them predicted wrongly."
        if missing:
            text += f" P = 0.5 lies {missing}."
        self.note.setText(text)

    def _clear(self, message: str) -> None:
        for scatter in (self.negative_points, self.positive_points, self.wrong_points):
            scatter.setData([], [])
        self.boundary_curve.setData([], [])
        self.image.clear()
        self.drawn_theta = None
        self.held_line.setText("")
        self.note.setText(message)
