"""Training settings a learner changes now and then: model, bias, L2 penalty, max epochs,
tolerance, start point and seed. The controls used all the time (Step, Run, learning rate,
optimizer, batch size, speed) live in the training toolbar instead.

Every control is a command to ``TrainingSession``; the panel shows the controller's state and
never the trainer's. Changing any of these settings restarts training at epoch 0 (the
controller says so in the status bar), except a larger max epochs, which a run may go on to:
a curve that mixes two settings would teach the wrong lesson.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from gdapp.core.models import MODEL_NAMES
from gdapp.core.trainer import TrainConfig
from gdapp.ui.controller import TrainingSession
from gdapp.ui.names import INIT_LABELS, MODEL_LABELS
from gdapp.ui.widgets import LogSpinBox, WholeSpinBox

L2_RANGE = (1e-6, 100.0)
TOL_RANGE = (1e-10, 1.0)
MAX_EPOCHS_LIMIT = 10_000_000


class SettingsPanel(QWidget):
    """Model, bias, L2, max epochs, tolerance, start and seed for ``controller``.

    Signal ``input_refused(str)``: a number typed into a box was out of its range (the
    message says what was kept), for the status bar. ``form`` holds the rows.
    """

    input_refused = Signal(str)

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsPanel")
        self._controller = controller
        layout = QVBoxLayout(self)
        self.form = self._make_form()
        layout.addLayout(self.form)
        layout.addStretch(1)
        self._show_config(controller.config)
        controller.config_changed.connect(self._on_controller_config_changed)

    def _make_form(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.model_input = self._combo({name: MODEL_LABELS[name] for name in MODEL_NAMES})
        self._add(form, "Model", self.model_input, "modelInput",
                  "Logistic regression minimises cross-entropy; linear, squared error",
                  self._on_model_input_changed)  # fmt: skip
        self.bias_input = QCheckBox("Fit a bias term")
        self._add(form, "", self.bias_input, "biasInput",
                  "Off: the bias stays 0 and the line passes through the origin",
                  self._on_bias_input_changed)  # fmt: skip
        self.l2_input = LogSpinBox(*L2_RANGE, zero_text="off", what="The L2 penalty")
        self._add(form, "L2 penalty", self.l2_input, "l2Input",
                  "Adds (L2 / 2) times the squared weights to the loss; the bias is not "
                  "penalised", self._on_l2_input_changed)  # fmt: skip
        self.max_epochs_input = WholeSpinBox(what="Max epochs")
        self.max_epochs_input.setRange(1, MAX_EPOCHS_LIMIT)
        self.max_epochs_input.setGroupSeparatorShown(True)
        self.max_epochs_input.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self._add(form, "Max epochs", self.max_epochs_input, "maxEpochsInput",
                  "A run pauses after this many passes over the training rows",
                  self._on_max_epochs_input_changed)  # fmt: skip
        self.tolerance_input = LogSpinBox(*TOL_RANGE, zero_text="off", what="The tolerance")
        self._add(form, "Tolerance", self.tolerance_input, "toleranceInput",
                  "A run pauses once every gradient entry is smaller than this",
                  self._on_tolerance_input_changed)  # fmt: skip
        self.init_input = self._combo(INIT_LABELS)
        self._add(form, "Start from", self.init_input, "initInput",
                  "Initial weights: all zeros, or small random values drawn from the seed",
                  self._on_init_input_changed)  # fmt: skip
        self.seed_input = WholeSpinBox(what="The seed")
        self.seed_input.setRange(0, 2**31 - 1)
        self._add(form, "Seed", self.seed_input, "seedInput",
                  "Seeds the mini-batch order and the random start, so runs repeat exactly",
                  self._on_seed_input_changed)  # fmt: skip

        note = QLabel("The learning rate and a larger max epochs apply from the next step. "
                      "Any other change restarts training at epoch 0.")  # fmt: skip
        note.setObjectName("settingsNote")
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted, still readable
        form.addRow(note)
        for box in (self.l2_input, self.max_epochs_input, self.tolerance_input, self.seed_input):
            box.refused.connect(self.input_refused)
        return form

    @staticmethod
    def _combo(labels: dict[str, str]) -> QComboBox:
        combo = QComboBox()
        for name, label in labels.items():
            combo.addItem(label, name)
        return combo

    @staticmethod
    def _add(form, label, widget, name, tip, slot) -> None:
        widget.setObjectName(name)
        widget.setToolTip(tip)
        if isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(slot)
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(slot)
        else:
            widget.valueChanged.connect(slot)
        form.addRow(label, widget)

    # -- showing the controller's state ---------------------------------------------------

    def _show_config(self, config: TrainConfig) -> None:
        widgets = (
            self.model_input, self.bias_input, self.l2_input, self.max_epochs_input,
            self.tolerance_input, self.init_input, self.seed_input,
        )  # fmt: skip
        blockers = [QSignalBlocker(w) for w in widgets]
        self.model_input.setCurrentIndex(self.model_input.findData(config.model))
        self.bias_input.setChecked(config.fit_bias)
        self.l2_input.setValue(config.l2)
        self.max_epochs_input.setValue(int(config.max_epochs))
        self.tolerance_input.setValue(config.tol)
        self.init_input.setCurrentIndex(self.init_input.findData(config.init))
        self.seed_input.setValue(config.seed)
        del blockers

    def _on_controller_config_changed(self, config: TrainConfig) -> None:
        self._show_config(config)

    # -- sending commands -----------------------------------------------------------------

    def _on_model_input_changed(self, _index: int) -> None:
        self._controller.set_config(model=self.model_input.currentData())

    def _on_bias_input_changed(self, checked: bool) -> None:
        self._controller.set_config(fit_bias=checked)

    def _on_l2_input_changed(self, value: float) -> None:
        self._controller.set_config(l2=value)

    def _on_max_epochs_input_changed(self, value: int) -> None:
        self._controller.set_config(max_epochs=value)

    def _on_tolerance_input_changed(self, value: float) -> None:
        self._controller.set_config(tol=value)

    def _on_init_input_changed(self, _index: int) -> None:
        self._controller.set_config(init=self.init_input.currentData())

    def _on_seed_input_changed(self, value: int) -> None:
        self._controller.set_config(seed=value)
