"""Gradient contributions: each training row's share of a step's gradient, as a bar chart.

``ContributionsView`` (objectName ``contributionsView``) sits on the Dataset page with the
table. It is a view of ``TrainingSession``: it listens to ``dataset_changed``,
``snapshot_ready`` and ``sample_selected``, recomputes at most every
``REFRESH_INTERVAL_MS`` from the latest snapshot (never per training step, and not while
hidden), and a click on a bar calls ``select_sample``. ``values_changed`` hands the same
numbers to the table's "contribution" column.

Which gradient
--------------
After step ``k`` the bars share out the gradient step ``k`` used: taken at the parameters
*before* the step (history row ``k - 1``) on the step's rows (``snapshot.last_batch``);
rows outside that mini-batch add exactly 0 and are drawn as rings on the zero line.  At
step 0 (no step yet), or when row ``k - 1`` is no longer held, the bars share out the
full-batch gradient at the current parameters, and the caption says so.  The bar of row
``i`` is ``C[i, j]`` of ``gdapp.core.contributions`` for the chosen parameter ``j``, or the
length ``||C[i]||`` for "whole gradient (length)"; the L2 penalty has its own bar.

More than ``MAX_BARS`` training rows: only the ``MAX_BARS`` largest ``|value|`` are drawn
(rows in the batch first) and the caption says so; the table column keeps every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCursor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph uses it

from gdapp.core.contributions import (
    NORM_TARGET,
    Contributions,
    contributions,
    target_values,
)
from gdapp.core.trainer import model_for
from gdapp.ui.frame_pacer import paint_with_window
from gdapp.ui.plot_items import AXIS_COLOR, ZERO_LINE_COLOR, plain_axes, set_axis_label

if TYPE_CHECKING:
    from gdapp.datasets import Dataset
    from gdapp.ui.controller import TrainingSession

REFRESH_INTERVAL_MS = 100  # at most ten recomputations a second
MAX_BARS = 2000  # bars drawn at most; the rest of a big table is in the table column
WORST_ROWS = 10  # rows marked for the largest |a - y|
TEXT_PX = 11  # smallest text the view draws
BAR_WIDTH = 0.8  # in row units
PICK_SLACK_PX = 3  # a click this close to a bar still picks it
NUMBER_FORMAT = "{:+.3e}"  # contributions are gradients over n: small numbers
LENGTH_LABEL = "whole gradient (length)"
BATCH_COLOR = "#1f77b4"
WRONG_COLOR = "#d62728"
OUTSIDE_COLOR = "#9a9a9a"
WORST_COLOR = "#111111"
PENALTY_COLOR = "#9467bd"
SELECTED_COLOR = "#ff7f0e"
PLOT_MIN_HEIGHT_PX = 90


@dataclass(frozen=True)
class RowShares:
    """One recomputation: contributions of the training rows and what marks them.

    Arrays are (n_train,) in training-row order (``dataset.train_idx``). ``exact`` is True
    when ``shares`` is the gradient step ``step`` used, False for the full-batch gradient
    at the current parameters.
    """

    step: int
    exact: bool
    shares: Contributions
    label: np.ndarray
    prob: np.ndarray
    predicted: np.ndarray
    misclassified: np.ndarray
    worst: np.ndarray  # positions of the WORST_ROWS largest |a - y|


def row_shares(X: np.ndarray, y: np.ndarray, snapshot, history) -> RowShares:
    """The contributions after ``snapshot`` (see the module docstring for which gradient).

    ``X``, ``y`` are the training rows; ``history`` is the session's ``SessionHistory``.
    """
    model = model_for(snapshot.config)
    k = int(snapshot.step_count)
    batch = np.asarray(snapshot.last_batch, dtype=np.int64)
    before = history.row_at(k - 1) if k >= 1 and len(batch) else None
    if before is not None:
        theta = np.asarray(before["theta"], dtype=np.float64)
        full = len(batch) >= len(y)
        shares = contributions(model, theta, X, y, None if full else batch)
    else:
        theta = np.asarray(snapshot.theta, dtype=np.float64)
        shares = contributions(model, theta, X, y)
    prob = np.asarray(model.predict_proba(theta, X))
    predicted = np.asarray(model.predict(theta, X))
    error = np.abs(prob - y)
    count = min(WORST_ROWS, len(y))
    worst = np.argpartition(-error, count - 1)[:count] if count else np.zeros(0, np.int64)
    return RowShares(
        k, before is not None, shares, y, prob, predicted, predicted != y.astype(np.int64), worst
    )


def parameter_names(feature_names: tuple[str, ...], n_params: int, config=None) -> list[str]:
    """Combo entries for the parameters, as the model names them when its layout fits."""
    model = None if config is None else model_for(config)
    if model is not None and model.n_params(len(feature_names)) == n_params:
        names = model.param_names(feature_names)
        if config.model != "mlp":
            return [f"weight of {name}" for name in names[:-1]] + ["bias"]
        return names
    if n_params == len(feature_names) + 1:
        return [f"weight of {name}" for name in feature_names] + ["bias"]
    return [f"parameter {j}" for j in range(n_params)]


class ContributionsView(QWidget):
    """Bars of each training row's share of the gradient (see the module docstring).

    Child objectNames: ``contributionsPlot`` (the pyqtgraph plot), ``contributionTarget``
    (which parameter), ``contributionSortToggle``, ``contributionsCollapse``,
    ``contributionsInfo`` (the caption), ``contributionsLegend``.
    ``values_changed(values, muted, tooltip)`` carries (n_samples,) numbers in dataset
    order (NaN for test rows), the rows outside the batch and a column tooltip.
    """

    values_changed = Signal(object, object, str)

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contributionsView")
        self._controller = controller
        self._dataset: Dataset | None = None
        self._X = self._y = np.zeros(0)
        self._shares: RowShares | None = None
        self._stale = False
        self._drawn_rows = np.zeros(0, np.int64)  # training positions, in x order
        self._drawn_x = np.zeros(0)
        self._values = np.zeros(0)
        self.hover_text = ""
        self.refresh_count = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._build()
        controller.dataset_changed.connect(self._on_controller_dataset_changed)
        controller.snapshot_ready.connect(self._on_controller_snapshot_ready)
        controller.sample_selected.connect(self._on_controller_sample_selected)
        if controller.dataset is not None:
            self._on_controller_dataset_changed(controller.dataset)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        title = QLabel("Gradient contributions")
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        self._target_names: list[str] = []
        self._target = QComboBox(objectName="contributionTarget")
        self._target.setToolTip("Which part of the gradient the bars share out")
        self._target.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._target.currentIndexChanged.connect(self._on_target_changed)
        self._sort_toggle = QCheckBox("Sorted", objectName="contributionSortToggle")
        self._sort_toggle.setChecked(True)
        self._sort_toggle.setToolTip("Bars sorted by value; untick for the rows' own order")
        self._sort_toggle.toggled.connect(self._on_sort_toggled)
        self._collapse = QToolButton(objectName="contributionsCollapse")
        self._collapse.setCheckable(True)
        self._collapse.setArrowType(Qt.ArrowType.DownArrow)
        self._collapse.setToolTip("Hide or show the chart")
        self._collapse.toggled.connect(self._on_collapse_toggled)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self._collapse)
        top.addWidget(title)
        top.addWidget(self._target)
        top.addWidget(self._sort_toggle)
        top.addStretch(1)

        self._info = QLabel(objectName="contributionsInfo")
        self._info.setWordWrap(True)
        self._legend = QLabel(objectName="contributionsLegend")
        self._legend.setWordWrap(True)
        self._legend.setText(_legend_html())

        self._plot = pg.PlotWidget()
        paint_with_window(self._plot)
        self._plot.setObjectName("contributionsPlot")
        self._plot.setBackground("w")
        self._plot.setMinimumHeight(PLOT_MIN_HEIGHT_PX)
        self._plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        item = self._plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        font = QFont()
        font.setPixelSize(TEXT_PX)
        for side, text in (("bottom", "training rows"), ("left", "contribution")):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(AXIS_COLOR))
            axis.setTextPen(pg.mkPen(AXIS_COLOR))
            axis.setStyle(tickFont=font)
            axis.setLabel(text, color=AXIS_COLOR, **{"font-size": f"{TEXT_PX}px"})
        plain_axes(item)
        item.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(ZERO_LINE_COLOR)))
        empty = np.zeros(0)
        self._bars = pg.BarGraphItem(
            x=empty, height=empty, width=BAR_WIDTH, brush=BATCH_COLOR, pen=None
        )
        self._wrong_bars = pg.BarGraphItem(
            x=empty, height=empty, width=BAR_WIDTH, brush=WRONG_COLOR, pen=None
        )
        self._penalty_bar = pg.BarGraphItem(
            x=empty, height=empty, width=BAR_WIDTH, brush=PENALTY_COLOR, pen=None
        )
        # Two ring items with one pen each: a pen per spot costs a symbol render per spot.
        self._rings = pg.ScatterPlotItem(size=6, brush=None, pen=pg.mkPen(OUTSIDE_COLOR))
        self._wrong_rings = pg.ScatterPlotItem(size=6, brush=None, pen=pg.mkPen(WRONG_COLOR))
        self._stars = pg.ScatterPlotItem(
            size=11, symbol="star", brush=pg.mkBrush(WORST_COLOR), pen=None
        )
        self._selected_bar = pg.BarGraphItem(
            x=empty,
            height=empty,
            width=BAR_WIDTH,
            brush=None,
            pen=pg.mkPen(SELECTED_COLOR, width=3),
        )
        self._selected_line = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(SELECTED_COLOR, width=1, style=Qt.PenStyle.DashLine)
        )
        self._selected_line.setVisible(False)
        self._penalty_text = pg.TextItem("L2", color=PENALTY_COLOR, anchor=(0.5, 1.0))
        self._penalty_text.setFont(font)
        for part in (
            self._bars,
            self._wrong_bars,
            self._penalty_bar,
            self._rings,
            self._wrong_rings,
            self._stars,
            self._selected_bar,
            self._selected_line,
            self._penalty_text,
        ):
            item.addItem(part)
        scene = self._plot.scene()
        scene.sigMouseClicked.connect(self._on_scene_clicked)
        scene.sigMouseMoved.connect(self._on_scene_mouse_moved)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self._info)
        layout.addWidget(self._plot, 1)
        layout.addWidget(self._legend)

    # ------------------------------------------------------------- public API
    def plot_widget(self) -> pg.PlotWidget:
        return self._plot

    def info_text(self) -> str:
        return self._info.text()

    def current_shares(self) -> RowShares | None:
        """The latest recomputation (None before the first snapshot of a dataset)."""
        return self._shares

    def target(self) -> int:
        """The chosen parameter index, or ``NORM_TARGET`` for the whole gradient's length."""
        data = self._target.currentData()
        return NORM_TARGET if data is None else int(data)

    def set_target(self, target: int) -> None:
        index = self._target.findData(target)
        if index >= 0:
            self._target.setCurrentIndex(index)

    def set_sorted(self, sorted_bars: bool) -> None:
        self._sort_toggle.setChecked(sorted_bars)

    def bar_heights(self) -> dict[int, float]:
        """Training position -> height of its drawn bar, read from the plot's bar items.

        Rows outside the batch have height 0 (drawn as rings); rows not drawn are absent.
        """
        heights: dict[int, float] = {}
        position = dict(zip(self._drawn_x.tolist(), self._drawn_rows.tolist(), strict=True))
        for bars in (self._bars, self._wrong_bars):
            for x, h in zip(bars.opts["x"], bars.opts["height"], strict=True):
                heights[position[float(x)]] = float(h)
        for rings in (self._rings, self._wrong_rings):
            for x, h in zip(*rings.getData(), strict=True):
                heights[position[float(x)]] = float(h)
        return heights

    def drawn_rows(self) -> np.ndarray:
        """Training positions of the drawn bars, left to right."""
        return self._drawn_rows.copy()

    def penalty_height(self) -> float | None:
        heights = self._penalty_bar.opts["height"]
        return float(heights[0]) if len(heights) else None

    def outside_rows(self) -> np.ndarray:
        """Training positions drawn as rings (outside the step's mini-batch), in x order."""
        x = np.sort(np.concatenate([self._rings.getData()[0], self._wrong_rings.getData()[0]]))
        return self._drawn_rows[np.searchsorted(self._drawn_x, x)]

    def worst_rows(self) -> np.ndarray:
        """Training positions marked with a star (largest |a - y|), in x order."""
        x = self._stars.getData()[0]
        return self._drawn_rows[np.searchsorted(self._drawn_x, x)]

    def bar_center(self, position: int) -> QPointF:
        """Where training row ``position``'s bar sits in the plot's view coordinates."""
        i = int(np.flatnonzero(self._drawn_rows == position)[0])
        return QPointF(float(self._drawn_x[i]), float(self._values[position]) / 2)

    def selected_position(self) -> int | None:
        """Training position of the highlighted bar, or None."""
        x = self._selected_bar.opts["x"]
        if not len(x):
            return None
        return int(self._drawn_rows[np.searchsorted(self._drawn_x, float(x[0]))])

    def bar_tooltip(self, position: int) -> str:
        """What hovering training row ``position``'s bar says."""
        rs, ds = self._shares, self._dataset
        if rs is None or ds is None:
            return ""
        row = int(ds.train_idx[position])
        parts = [
            f"Row {row} (training row {position})",
            f"label {int(rs.label[position])}",
            f"predicted {int(rs.predicted[position])} (a = {rs.prob[position]:.3f})",
            f"contribution {NUMBER_FORMAT.format(self._values[position])}",
        ]
        text = " · ".join(parts)
        if not rs.shares.in_batch[position]:
            text += "\nOutside this step's mini-batch: it adds exactly 0."
        if rs.misclassified[position]:
            text += "\nMisclassified at these weights."
        if position in set(rs.worst.tolist()):
            text += f"\nOne of the {WORST_ROWS} rows with the largest |a − y|."
        return text

    def shutdown(self) -> None:
        """Stop the refresh timer (the panel is going away)."""
        self._timer.stop()

    def refresh_now(self) -> None:
        """Recompute from the latest snapshot at once (what the throttle timer does)."""
        self._timer.stop()
        self._refresh()

    # --------------------------------------------------------- controller side
    @Slot(object)
    def _on_controller_dataset_changed(self, dataset: Dataset) -> None:
        self._dataset = dataset
        self._X = np.ascontiguousarray(dataset.X_train)
        self._y = np.ascontiguousarray(dataset.y_train)
        self._shares = None
        features = tuple(dataset.feature_names)
        n_params = model_for(self._controller.config).n_params(len(features))
        self._fill_targets(parameter_names(features, n_params, self._controller.config))
        if self.isVisible():
            self._draw()
        else:  # a hidden page's plot is cleared when it is next shown, not drawn for nothing
            self._stale = True
        self._info.setText("The bars appear with the first snapshot of training.")
        self.values_changed.emit(None, None, _column_tip(self._target.currentText()))
        self._schedule()

    @Slot(object)
    def _on_controller_snapshot_ready(self, _snapshot) -> None:
        self._schedule()

    @Slot(int)
    def _on_controller_sample_selected(self, _row: int) -> None:
        if self.isVisible():
            self._draw_selected()
        else:
            self._stale = True

    # ------------------------------------------------------------ widget side
    @Slot(int)
    def _on_target_changed(self, _index: int) -> None:
        if self._shares is not None:
            self._draw()
            self._emit_values()

    @Slot(bool)
    def _on_sort_toggled(self, _checked: bool) -> None:
        self._draw()

    @Slot(bool)
    def _on_collapse_toggled(self, collapsed: bool) -> None:
        self._plot.setVisible(not collapsed)
        self._legend.setVisible(not collapsed)
        self._collapse.setArrowType(
            Qt.ArrowType.RightArrow if collapsed else Qt.ArrowType.DownArrow
        )

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._refresh()

    def _on_scene_clicked(self, event) -> None:
        position = self._pick(event.scenePos())
        if position is not None and self._dataset is not None:
            event.accept()
            self._controller.select_sample(int(self._dataset.train_idx[position]))

    def _on_scene_mouse_moved(self, scene_pos) -> None:
        position = self._pick(scene_pos)
        text = "" if position is None else self.bar_tooltip(position)
        if text != self.hover_text:
            self.hover_text = text
            if text:
                QToolTip.showText(QCursor.pos(), text, self._plot)
            else:
                QToolTip.hideText()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            if self._shares is None:
                self._draw()  # the bars of a dataset that is gone
            else:
                self._draw_selected()
            self._schedule()

    # ------------------------------------------------------------------ helpers
    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def _refresh(self) -> None:
        if not self.isVisible():
            self._stale = True  # a hidden page catches up when shown
            return
        self._stale = False
        snapshot, ds = self._controller.last_snapshot, self._dataset
        if snapshot is None or ds is None or len(self._y) == 0:
            return
        theta = np.asarray(snapshot.theta)
        names = parameter_names(tuple(ds.feature_names), theta.shape[0], snapshot.config)
        if names != self._target_names:
            self._fill_targets(names)
        self.refresh_count += 1
        self._shares = row_shares(self._X, self._y, snapshot, self._controller.history)
        self._draw()
        self._emit_values()

    def _fill_targets(self, names: list[str]) -> None:
        self._target_names = names
        keep = self.target() if self._target.count() else NORM_TARGET
        self._target.blockSignals(True)
        self._target.clear()
        self._target.addItem(LENGTH_LABEL, NORM_TARGET)
        for j, name in enumerate(names):
            self._target.addItem(name, j)
        index = self._target.findData(keep)
        self._target.setCurrentIndex(max(index, 0))
        self._target.blockSignals(False)

    def _emit_values(self) -> None:
        rs, ds = self._shares, self._dataset
        values = np.full(ds.n_samples, np.nan)
        values[ds.train_idx] = self._values
        muted = np.zeros(ds.n_samples, dtype=bool)
        muted[ds.train_idx] = ~rs.shares.in_batch
        self.values_changed.emit(values, muted, _column_tip(self._target.currentText()))

    def _draw(self) -> None:
        rs = self._shares
        empty = np.zeros(0)
        if rs is None:
            self._values = empty
            self._drawn_rows, self._drawn_x = np.zeros(0, np.int64), empty
            for bars in (self._bars, self._wrong_bars, self._penalty_bar):
                bars.setOpts(x=empty, height=empty)
            self._rings.setData(x=empty, y=empty)
            self._wrong_rings.setData(x=empty, y=empty)
            self._stars.setData(x=empty, y=empty)
            self._penalty_text.setVisible(False)
            self._draw_selected()
            return
        values, penalty = target_values(rs.shares, self.target())
        self._values = values
        in_batch = rs.shares.in_batch
        n = len(values)
        shown = np.arange(n)
        if n > MAX_BARS:
            key = np.abs(values)
            key[~in_batch] = -1.0  # rows in the batch first
            shown = np.sort(np.argpartition(-key, MAX_BARS - 1)[:MAX_BARS])
        if self._sort_toggle.isChecked():
            rows = shown[np.argsort(values[shown], kind="stable")]
            x = np.arange(len(rows), dtype=np.float64)
        else:
            rows, x = shown, shown.astype(np.float64)
        self._drawn_rows, self._drawn_x = rows, x
        inside = in_batch[rows]
        wrong = rs.misclassified[rows]
        plain, red = inside & ~wrong, inside & wrong
        self._bars.setOpts(x=x[plain], height=values[rows[plain]])
        self._wrong_bars.setOpts(x=x[red], height=values[rows[red]])
        grey, red_ring = ~inside & ~wrong, ~inside & wrong
        self._rings.setData(x=x[grey], y=np.zeros(int(grey.sum())))
        self._wrong_rings.setData(x=x[red_ring], y=np.zeros(int(red_ring.sum())))
        marked = np.isin(rows, rs.worst)
        self._stars.setData(x=x[marked], y=values[rows[marked]])
        span = float(x[-1] - x[0]) if len(x) else 1.0
        width = max(BAR_WIDTH, 0.02 * span)
        x_penalty = (float(x[0]) if len(x) else 0.0) - 0.03 * span - width
        self._penalty_bar.setOpts(x=np.array([x_penalty]), height=np.array([penalty]), width=width)
        self._penalty_text.setPos(x_penalty, max(penalty, 0.0))
        self._penalty_text.setVisible(True)
        self._set_axis_label(
            "bottom",
            "training rows, sorted by value" if self._sort_toggle.isChecked() else "training row",
        )
        self._set_axis_label("left", "length" if self.target() == NORM_TARGET else "contribution")
        self._info.setText(self._caption(rs, values, penalty, len(shown)))
        self._draw_selected()
        # The range from the bars drawn, set now: pyqtgraph's auto-range would scan every
        # item again when painting, and move them during the paint.
        low = min(0.0, penalty, float(values[rows].min()) if len(rows) else 0.0)
        high = max(0.0, penalty, float(values[rows].max()) if len(rows) else 0.0)
        if high - low <= 0.0:
            low, high = -1.0, 1.0
        left = x_penalty - width / 2
        right = (float(x[-1]) if len(x) else 0.0) + BAR_WIDTH / 2
        view_box = self._plot.getPlotItem().getViewBox()
        view_box.setRange(xRange=(left, right), yRange=(low, high), padding=None)  # as auto-range
        view_box.updateMatrix()

    def _set_axis_label(self, side: str, text: str) -> None:
        """Label an axis (each refresh asks; see ``set_axis_label``)."""
        axis = self._plot.getPlotItem().getAxis(side)
        set_axis_label(axis, text, color=AXIS_COLOR, **{"font-size": f"{TEXT_PX}px"})

    def _draw_selected(self) -> None:
        ds, empty = self._dataset, np.zeros(0)
        row = self._controller.selected_sample
        position = -1
        if ds is not None and row >= 0 and len(self._drawn_rows):
            at = int(np.searchsorted(ds.train_idx, row))
            if at < len(ds.train_idx) and ds.train_idx[at] == row:
                position = at
        hits = np.flatnonzero(self._drawn_rows == position) if position >= 0 else []
        if len(hits):
            x = float(self._drawn_x[hits[0]])
            self._selected_bar.setOpts(x=np.array([x]), height=np.array([self._values[position]]))
            self._selected_line.setPos(x)
            self._selected_line.setVisible(True)
        else:
            self._selected_bar.setOpts(x=empty, height=empty)
            self._selected_line.setVisible(False)

    def _pick(self, scene_pos) -> int | None:
        """Training position of the bar under ``scene_pos`` (scene coordinates), or None."""
        if not len(self._drawn_x):
            return None
        box = self._plot.getPlotItem().getViewBox()
        if not box.sceneBoundingRect().contains(scene_pos):
            return None
        x = box.mapSceneToView(scene_pos).x()
        i = int(np.clip(np.searchsorted(self._drawn_x, x), 1, len(self._drawn_x) - 1))
        if len(self._drawn_x) == 1 or abs(self._drawn_x[i - 1] - x) < abs(self._drawn_x[i] - x):
            i -= 1
        slack = BAR_WIDTH / 2 + PICK_SLACK_PX * box.viewPixelSize()[0]
        return int(self._drawn_rows[i]) if abs(self._drawn_x[i] - x) <= slack else None

    def _caption(self, rs: RowShares, values: np.ndarray, penalty: float, shown: int) -> str:
        n = len(values)
        in_batch = int(rs.shares.in_batch.sum())
        if rs.exact and in_batch < n:
            text = (
                f"Step {rs.step}: the gradient of this step's mini-batch of {in_batch} rows, "
                f"at the weights before the step. The other {n - in_batch:,} training rows "
                "add exactly 0 (rings on the zero line)."
            )
        elif rs.exact:
            text = (
                f"Step {rs.step}: the full-batch gradient this step used ({n:,} rows, at the "
                "weights before the step)."
            )
        elif rs.step == 0:
            text = (
                "Step 0: the full-batch gradient at the starting weights (the one a "
                "full-batch first step uses)."
            )
        else:
            text = (
                f"Step {rs.step}: the weights before this step are no longer held, so this "
                "is the full-batch gradient at the current weights."
            )
        if self.target() == NORM_TARGET:
            total = float(np.linalg.norm(rs.shares.gradient))
            text += f" Lengths do not add up: the whole gradient's length is {total:.3e}."
        else:
            total = float(values.sum()) + penalty
            text += f" Bars + L2 = {NUMBER_FORMAT.format(total)}, this gradient entry."
        if shown < n:
            text += (
                f" Showing the {shown:,} rows with the largest |value| of {n:,}; the "
                "table's contribution column has every row."
            )
        return text


def _column_tip(target: str) -> str:
    return (
        f"Each training row's share of the gradient ({target}); test rows have none. "
        "Greyed: outside this step's mini-batch (exactly 0)."
    )


def _legend_html() -> str:
    def mark(color: str, symbol: str) -> str:
        return f'<span style="color:{color}">{symbol}</span>'

    return " · ".join(
        [
            f"{mark(BATCH_COLOR, '■')} in the step's rows",
            f"{mark(WRONG_COLOR, '■')} misclassified",
            f"{mark(WORST_COLOR, '★')} the {WORST_ROWS} largest |a − y|",
            f"{mark(OUTSIDE_COLOR, '○')} outside the mini-batch (adds 0)",
            f"{mark(PENALTY_COLOR, '■')} L2 penalty",
            f"{mark(SELECTED_COLOR, '▯')} selected row",
        ]
    )
