"""Small figures the lesson panel shows under a step's text, named by the step's ``figure``.

Each figure is a ``LessonFigure``: a pyqtgraph plot with a caption, built once and updated
with ``setData``. The live ones follow the controller (the selected patient and the current
parameters); the post's figures are computed from ``gdapp.core.models``.

    sigmoid                  sigma(z) with the selected patient's z and y-hat marked
    loss_vs_yhat             L(y-hat, y) for y = 1 (-log y-hat) and y = 0 (-log(1 - y-hat)),
                             with the selected patient's point on the curve of their label
    post_loss_error          the post's y = 0 branch -(1 - log y-hat) beside -log(1 - y-hat)
    post_example_trajectory  the post's one-weight example, m and the loss by epoch, for the
                             post's update rule and the correct one, the post's printout marked
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

# isort: split
import pyqtgraph as pg  # after PySide6, so that pyqtgraph binds to it

from gdapp.core.functional import bce_with_logits, sigmoid
from gdapp.core.models import (
    POST_EPOCHS,
    POST_LR,
    POST_M0,
    POST_PRINTED,
    POST_X,
    POST_Y,
    run_post_example,
)
from gdapp.core.trainer import initial_theta, model_for
from gdapp.ui.frame_pacer import paint_with_window
from gdapp.ui.plot_items import plain_axes

if TYPE_CHECKING:
    from gdapp.ui.controller import TrainingSession

FIGURE_HEIGHT_PX = 230
MINUS = "\u2212"
Y1_COLOR = "#1f6fbf"
Y0_COLOR = "#d1495b"
POST_COLOR = "#d1495b"
CORRECT_COLOR = "#2a9d4b"
MARK_BRUSH = pg.mkBrush("#f2a900")
TEXT_PEN = pg.mkPen("#30363d")
Y_HAT_GRID = np.linspace(0.002, 0.998, 400)


def signed(value: float, digits: int = 8) -> str:
    """``value`` to ``digits`` decimals with a true minus sign."""
    text = f"{value:.{digits}f}"
    return MINUS + text[1:] if text.startswith("-") else text


def _plot(title: str = "", x_label: str = "", y_label: str = "") -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w")
    paint_with_window(plot)
    plot.setMinimumHeight(FIGURE_HEIGHT_PX - 40)
    plot.showGrid(x=True, y=True, alpha=0.15)
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen(TEXT_PEN)
        axis.setTextPen(TEXT_PEN)
    plain_axes(plot)
    if title:
        plot.setTitle(title, color="#30363d", size="10pt")
    if x_label:
        plot.setLabel("bottom", x_label)
    if y_label:
        plot.setLabel("left", y_label)
    plot.setMenuEnabled(False)
    return plot


def _legend(plot: pg.PlotWidget, offset: tuple[int, int]) -> pg.LegendItem:
    legend = plot.addLegend(offset=offset, labelTextColor="#30363d")
    legend.setBrush(pg.mkBrush(255, 255, 255, 220))
    return legend


class LessonFigure(QWidget):
    """A named figure: one or more plots above a caption; ``refresh()`` redraws it."""

    name = ""

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"lessonFigure_{self.name}")
        self._controller = controller
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._caption = QLabel(objectName="lessonFigureCaption")
        self._caption.setWordWrap(True)
        self._caption.setTextFormat(Qt.TextFormat.RichText)
        self._caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    @property
    def caption(self) -> str:
        """The caption's text (rich text)."""
        return self._caption.text()

    def _set_caption(self, text: str) -> None:
        self._caption.setText(text)
        # A wrapped label's height depends on its width; keep the figure from squeezing it.
        self._caption.setMinimumHeight(self._caption.heightForWidth(max(160, self.width())))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._caption.setMinimumHeight(self._caption.heightForWidth(max(160, self.width())))

    def _finish(self) -> None:
        self._layout.addWidget(self._caption)
        self.refresh()

    def refresh(self) -> None:
        """Redraw from the current state (static figures have nothing to do)."""


class _LiveFigure(LessonFigure):
    """A figure that marks the selected patient at the current parameters on its curve.

    Subclasses add ``self._mark`` to their plot and say what to draw in ``show_patient``.
    """

    NO_PATIENT = "Select a patient to mark them on the curve."

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self._mark = pg.ScatterPlotItem(size=11, brush=MARK_BRUSH, pen=pg.mkPen("k"))
        controller.snapshot_ready.connect(self._on_controller_changed)
        controller.sample_selected.connect(self._on_controller_changed)
        controller.dataset_changed.connect(self._on_controller_changed)

    def _on_controller_changed(self, *_args) -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        patient = self.patient()
        if patient is None:
            self._mark.setData([], [])
            self._set_caption(self.NO_PATIENT)
        else:
            self.show_patient(*patient)

    def show_patient(self, row: int, z: float, y_hat: float, label: float) -> None:
        raise NotImplementedError

    def patient(self) -> tuple[int, float, float, float] | None:
        """(row, z, y-hat, y) of the selected patient at the current parameters, or None."""
        controller = self._controller
        dataset, row = controller.dataset, controller.selected_sample
        if dataset is None or row < 0:
            return None
        snapshot = controller.last_snapshot
        d = dataset.X.shape[1]
        config = snapshot.config if snapshot is not None else controller.config
        theta = snapshot.theta if snapshot is not None else initial_theta(config, d)
        x = dataset.X[row][None, :]
        model = model_for(replace(config, l2=0.0))
        z = float(model.logits(theta, x)[0])
        return row, z, float(sigmoid(z)), float(dataset.y[row])


class SigmoidFigure(_LiveFigure):
    name = "sigmoid"
    NO_PATIENT = "Select a patient to see where their z lands on the curve."

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self._plot = _plot("ŷ = σ(z) = 1 / (1 + e<sup>−z</sup>)", "z = wᵀx + b", "ŷ")
        z = np.linspace(-8, 8, 321)
        self._plot.plot(z, sigmoid(z), pen=pg.mkPen(Y1_COLOR, width=2.5))
        self._plot.addLine(y=0.5, pen=pg.mkPen("#8b949e", style=Qt.PenStyle.DashLine))
        self._plot.addItem(self._mark)
        self._plot.setYRange(-0.05, 1.05, padding=0)
        self._layout.addWidget(self._plot)
        self._finish()

    def show_patient(self, row: int, z: float, y_hat: float, label: float) -> None:
        shown = float(np.clip(z, -8, 8))
        self._mark.setData([shown], [float(sigmoid(shown))])
        self._set_caption(
            f"Patient {row}: z = {signed(z, 3)}, so ŷ = σ(z) = {y_hat:.3f}"
            f" (label y = {int(label)})."
        )


class LossVsYhatFigure(_LiveFigure):
    name = "loss_vs_yhat"
    NO_PATIENT = "Select a patient to mark their prediction on their curve."

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self._plot = _plot("Loss of one patient against ŷ", "ŷ", "L(ŷ, y)")
        _legend(self._plot, offset=(-10, 10))
        # The core's log-loss of the logit behind each ŷ: −log ŷ for y = 1, −log(1 − ŷ) for 0.
        logit = np.log(Y_HAT_GRID) - np.log1p(-Y_HAT_GRID)
        self._plot.plot(
            Y_HAT_GRID,
            bce_with_logits(logit, 1.0),
            pen=pg.mkPen(Y1_COLOR, width=2.5),
            name="y = 1: −log ŷ",
        )
        self._plot.plot(
            Y_HAT_GRID,
            bce_with_logits(logit, 0.0),
            pen=pg.mkPen(Y0_COLOR, width=2.5),
            name="y = 0: −log(1 − ŷ)",
        )
        self._plot.addItem(self._mark)
        self._plot.setXRange(0, 1, padding=0.02)
        self._plot.setYRange(0, 5, padding=0.02)
        self._layout.addWidget(self._plot)
        self._finish()

    def show_patient(self, row: int, z: float, y_hat: float, label: float) -> None:
        # L from the logit z, which stays exact when ŷ rounds to 0 or 1.
        loss = float(bce_with_logits(z, label))
        self._mark.setData([y_hat], [min(loss, 5.0)])
        curve = "−log ŷ" if label == 1 else "−log(1 − ŷ)"
        self._set_caption(
            f"Patient {row} has y = {int(label)} and ŷ = {y_hat:.3f}, so L = {curve} = {loss:.3f}."
        )


class PostLossErrorFigure(LessonFigure):
    name = "post_loss_error"

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self._plot = _plot("The y = 0 branch: as printed vs correct", "ŷ", "L(ŷ, 0)")
        _legend(self._plot, offset=(10, 10))
        self._plot.addLine(y=0.0, pen=pg.mkPen("#8b949e"))
        self.printed = np.log(Y_HAT_GRID) - 1.0  # -(1 - log ŷ)
        # The core's log-loss for y = 0 of the logit behind each ŷ: −log(1 − ŷ).
        self.correct = bce_with_logits(np.log(Y_HAT_GRID) - np.log1p(-Y_HAT_GRID), 0.0)
        self._plot.plot(
            Y_HAT_GRID,
            self.printed,
            pen=pg.mkPen(POST_COLOR, width=2.5, style=Qt.PenStyle.DashLine),
            name="as printed: −(1 − log ŷ)",
        )
        self._plot.plot(
            Y_HAT_GRID,
            self.correct,
            pen=pg.mkPen(CORRECT_COLOR, width=2.5),
            name="correct: −log(1 − ŷ)",
        )
        self._plot.setXRange(0, 1, padding=0.02)
        self._plot.setYRange(-5, 5, padding=0.02)
        self._layout.addWidget(self._plot)
        self._set_caption(
            "As printed, the branch equals log ŷ − 1: negative for every ŷ in (0, 1), never "
            "above −1 even for a confident wrong answer (ŷ → 1), and falling without bound as "
            "ŷ → 0, so J has no minimum. The correct −log(1 − ŷ) is 0 at ŷ = 0 and grows "
            "without bound as ŷ → 1."
        )
        self._finish()


class PostExampleTrajectoryFigure(LessonFigure):
    """The post's loop: ``set_example(variant, x)`` chooses the rule to stress and x."""

    name = "post_example_trajectory"

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self._variant = "post"
        self._x = POST_X
        self._m_plot = _plot("m by epoch")
        self._m_plot.setLabel("left", "m")
        self._loss_plot = _plot("loss (y − ŷ)² by epoch")
        self._loss_plot.setLabel("left", "loss")
        self._loss_plot.setLabel("bottom", "epoch")
        self._loss_plot.setLogMode(y=True)
        self._loss_plot.setXLink(self._m_plot)
        for plot in (self._m_plot, self._loss_plot):
            plot.setMinimumHeight(140)
        self._m_curves = {}
        self._loss_curves = {}
        for variant, color, label in (
            ("post", POST_COLOR, "post's rule: 2(y − ŷ)"),
            ("correct", CORRECT_COLOR, "correct: −2x(y − ŷ)"),
        ):
            pen = pg.mkPen(color, width=2)
            self._m_curves[variant] = self._m_plot.plot(pen=pen, name=label)
            self._loss_curves[variant] = self._loss_plot.plot(pen=pen, name=label)
        printed = np.array(POST_PRINTED)
        self._printed_m = pg.ScatterPlotItem(
            printed[:, 0],
            printed[:, 3],
            size=9,
            symbol="x",
            pen=pg.mkPen("k", width=2),
        )
        self._printed_loss = pg.ScatterPlotItem(
            printed[:, 0], np.log10(printed[:, 2]), size=9, symbol="x", pen=pg.mkPen("k", width=2)
        )
        self._m_plot.addItem(self._printed_m)
        self._loss_plot.addItem(self._printed_loss)
        self._layout.addWidget(self._m_plot)
        self._layout.addWidget(self._loss_plot)
        self.trajectories = {}
        self._finish()

    @property
    def variant(self) -> str:
        return self._variant

    @property
    def x(self) -> float:
        return self._x

    def set_example(
        self, variant: str = "post", x: float | None = None, *, refresh: bool = True
    ) -> None:
        """Show the run of ``variant`` ("post" or "correct") with feature value ``x`` (drawn
        at the next ``refresh`` when ``refresh`` is False)."""
        if variant not in ("post", "correct"):
            raise ValueError(f"unknown variant {variant!r}; expected 'post' or 'correct'")
        self._variant = variant
        self._x = POST_X if x is None else float(x)
        if refresh:
            self.refresh()

    def printed_rows(self, variant: str | None = None) -> list[tuple[int, float, float, float]]:
        """(epoch, y_pred, loss, m) every 100 epochs, as the post's loop prints them."""
        run = self.trajectories[variant or self._variant]
        return [
            (e, float(run.y_pred[e]), float(run.loss[e]), float(run.m[e]))
            for e in range(0, POST_EPOCHS, 100)
        ]

    def refresh(self) -> None:
        epochs = np.arange(POST_EPOCHS)
        with np.errstate(over="ignore", invalid="ignore"):
            for variant in ("post", "correct"):
                run = run_post_example(self._x, POST_Y, POST_M0, POST_LR, POST_EPOCHS, variant)
                self.trajectories[variant] = run
                finite = np.isfinite(run.m) & np.isfinite(run.loss) & (run.loss > 0)
                self._m_curves[variant].setData(epochs[finite], run.m[finite])
                self._loss_curves[variant].setData(epochs[finite], run.loss[finite])
                emphasis = 2.5 if variant == self._variant else 1.2
                color = POST_COLOR if variant == "post" else CORRECT_COLOR
                self._m_curves[variant].setPen(pg.mkPen(color, width=emphasis))
                self._loss_curves[variant].setPen(pg.mkPen(color, width=emphasis))
        as_printed = math.isclose(self._x, POST_X)
        self._printed_m.setVisible(as_printed)
        self._printed_loss.setVisible(as_printed)
        self._m_plot.enableAutoRange()
        self._loss_plot.enableAutoRange()
        self._set_caption(self._caption_text())

    def _caption_text(self) -> str:
        key = (
            f'<span style="color:{POST_COLOR}">━━</span> post\'s rule 2(y − ŷ) &nbsp; '
            f'<span style="color:{CORRECT_COLOR}">━━</span> correct rule −2x(y − ŷ)'
        )
        if math.isclose(self._x, POST_X):
            key += " &nbsp; ✖ the post's printout"
        return f"{key}<br>{self._run_text()}"

    def _run_text(self) -> str:
        run = self.trajectories[self._variant]
        rule = "the post's rule" if self._variant == "post" else "the correct rule"
        rows = {e: (y_pred, m) for e, y_pred, _, m in self.printed_rows()}
        final = float(run.m[-1])
        if not math.isfinite(final) or abs(final) > 1e6:
            return (
                f"With x = {signed(self._x, 4)} and {rule}, m runs away: after {POST_EPOCHS} "
                f"epochs m = {final:.3g} and the loss is {float(run.loss[-1]):.3g}."
            )
        y100, m100 = rows[100]
        text = (
            f"x = {signed(self._x, 8)}, {rule}. Epoch 100: ŷ = {signed(y100)}, "
            f"m = {signed(m100)}. Final m = {signed(final)}."
        )
        if math.isclose(self._x, POST_X) and self._variant == "post":
            text += " The curve passes through every printed value."
        return text


FIGURE_CLASSES: dict[str, type[LessonFigure]] = {
    cls.name: cls
    for cls in (SigmoidFigure, LossVsYhatFigure, PostLossErrorFigure, PostExampleTrajectoryFigure)
}


def make_figure(
    name: str, controller: TrainingSession, parent: QWidget | None = None
) -> LessonFigure:
    """Build the figure called ``name`` (one of ``FIGURE_CLASSES``)."""
    try:
        cls = FIGURE_CLASSES[name]
    except KeyError:
        known = ", ".join(FIGURE_CLASSES)
        raise ValueError(f"unknown lesson figure {name!r}; known figures: {known}") from None
    return cls(controller, parent)
