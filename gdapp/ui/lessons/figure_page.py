"""The lesson-figure page of the workspace: the current step's figure, drawn large.

Figures (``lesson_figures.FIGURE_CLASSES``) are made on first use and kept; one is shown at a
time. ``set_figure(None)`` shows a short note instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from gdapp.ui.lessons.figures import FIGURE_CLASSES, LessonFigure, make_figure

if TYPE_CHECKING:
    from gdapp.ui.controller import TrainingSession

FIGURE_TITLES = {
    "sigmoid": "the sigmoid",
    "loss_vs_yhat": "loss against ŷ",
    "post_loss_error": "the post's loss",
    "post_example_trajectory": "the post's numpy example",
}
MAX_FIGURE_WIDTH_PX = 1100  # wider, the curves only stretch
# Figures that mark the selected patient: they get a patient box under them.
PATIENT_FIGURES = ("sigmoid", "loss_vs_yhat")


class FigurePage(QWidget):
    """Shows one lesson figure (objectName ``figurePanel``)."""

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figurePanel")
        self._controller = controller
        self._figures: dict[str, LessonFigure] = {}
        self._current: str | None = None
        self._post_example: tuple[str, float | None] = ("post", None)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(12, 8, 12, 8)
        self._note = QLabel("The lesson step in view has no figure.", self)
        self._note.setObjectName("figureNote")
        self._layout.addWidget(self._note)
        self._patient_row = QWidget(self)
        row = QHBoxLayout(self._patient_row)
        row.setContentsMargins(0, 0, 0, 0)
        label = QLabel("&Patient (row of the table)", self._patient_row)
        self._patient = QSpinBox(self._patient_row)
        self._patient.setObjectName("figurePatient")
        self._patient.setToolTip("The patient marked on the curve: a row of the dataset table")
        self._patient.setKeyboardTracking(False)
        label.setBuddy(self._patient)
        row.addWidget(label)
        row.addWidget(self._patient)
        row.addStretch(1)
        self._layout.addWidget(self._patient_row)
        self._patient_row.hide()
        self._patient.valueChanged.connect(self._on_patient_value_changed)
        controller.sample_selected.connect(self._on_controller_sample_selected)
        controller.dataset_changed.connect(self._on_controller_dataset_changed)
        if controller.dataset is not None:
            self._on_controller_dataset_changed(controller.dataset)

    @property
    def current(self) -> str | None:
        return self._current

    def has_figure(self, name: str) -> bool:
        """Whether figure ``name`` has been made."""
        return name in self._figures

    def figure(self, name: str) -> LessonFigure:
        """The figure called ``name``, made on first use."""
        if name not in FIGURE_CLASSES:
            raise ValueError(f"unknown lesson figure {name!r}")
        if name not in self._figures:
            figure = make_figure(name, self._controller, self)
            figure.setMaximumWidth(MAX_FIGURE_WIDTH_PX)
            figure.hide()
            self._layout.insertWidget(self._layout.indexOf(self._patient_row), figure, 1)
            self._figures[name] = figure
            if name == "post_example_trajectory":
                figure.set_example(*self._post_example)
        return self._figures[name]

    def set_figure(self, name: str | None) -> None:
        """Show figure ``name`` (None: the note)."""
        self._current = name
        if name is not None:
            shown = self.figure(name)
            shown.refresh()
        for key, figure in self._figures.items():
            figure.setVisible(key == name)
        self._note.setVisible(name is None)
        self._patient_row.setVisible(name in PATIENT_FIGURES)

    def set_post_example(self, variant: str, x: float | None, *, refresh: bool = True) -> None:
        """Configure the post's one-weight example (variant "post" or "correct", its x).

        ``refresh=False`` leaves the drawing to the ``set_figure`` that follows (it redraws
        the figure it shows), so a step showing the example computes it once.
        """
        if (variant, x) == self._post_example and "post_example_trajectory" in self._figures:
            return
        self._post_example = (variant, x)
        if "post_example_trajectory" in self._figures:
            self._figures["post_example_trajectory"].set_example(variant, x, refresh=refresh)

    def _on_patient_value_changed(self, row: int) -> None:
        self._controller.select_sample(row)

    def _on_controller_sample_selected(self, row: int) -> None:
        with QSignalBlocker(self._patient):
            self._patient.setValue(max(0, row))

    def _on_controller_dataset_changed(self, dataset) -> None:
        with QSignalBlocker(self._patient):
            self._patient.setRange(0, max(0, dataset.n_samples - 1))
            self._patient.setValue(max(0, self._controller.selected_sample))
