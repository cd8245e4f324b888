"""Training settings a learner changes now and then: model (and, for the hidden layer, its
units and activation), bias, L2 penalty, max epochs, tolerance, start point and seed. The
controls used all the time (Step, Run, learning rate, optimizer, batch size, speed) live in
the training toolbar instead.

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

from gdapp.core.mlp import ACTIVATIONS, HIDDEN_RANGE
from gdapp.core.models import MODEL_NAMES
from gdapp.core.trainer import TrainConfig
from gdapp.ui.controller import TrainingSession
from gdapp.ui.names import ACTIVATION_LABELS, INIT_LABELS, MODEL_LABELS
from gdapp.ui.widgets import LogSpinBox, WholeSpinBox

L2_RANGE = (1e-6, 100.0)
TOL_RANGE = (1e-10, 1.0)
MAX_EPOCHS_LIMIT = 10_000_000
INIT_TIP = "Initial weights: all zeros, or small random values drawn from the seed"
INIT_TIP_HIDDEN = (
    "A hidden layer always starts from small random weights drawn from the seed: from "
    "zeros its units would compute the same thing and never become different"
)


class SettingsPanel(QWidget):
    """Model, hidden layer, bias, L2, max epochs, tolerance, start and seed for ``controller``.

    The hidden-units and activation rows are shown only while the model is ``"mlp"``.
    Signal ``input_refused(str)``: a number typed into a box was out of its range (the
    message says what was kept), for the status bar. ``form`` holds the rows.
    """

    input_refused = Signal(str)
    # Rows a teacher's setup hid: they stay hidden whatever the model (see ``withhold``).
    withheld: set[QWidget]

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.withheld = set()
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
                  "Logistic regression minimises cross-entropy; linear, squared error; one "
                  "hidden layer feeds a few tanh or ReLU units into a logistic output",
                  self._on_model_input_changed)  # fmt: skip
        self.hidden_input = WholeSpinBox(what="Hidden units")
        self.hidden_input.setRange(*HIDDEN_RANGE)
        self._add(form, "Hidden units", self.hidden_input, "hiddenUnitsInput",
                  f"How many units the hidden layer has ({HIDDEN_RANGE[0]} to "
                  f"{HIDDEN_RANGE[1]}); each draws its own line through the inputs",
                  self._on_hidden_input_changed)  # fmt: skip
        self.activation_input = self._combo({name: ACTIVATION_LABELS[name] for name in ACTIVATIONS})
        self._add(form, "Activation", self.activation_input, "activationInput",
                  "What a hidden unit applies to its weighted sum: tanh squashes it into "
                  "(-1, 1), ReLU keeps it when positive and gives 0 otherwise",
                  self._on_activation_input_changed)  # fmt: skip
        self._form = form
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
                  INIT_TIP, self._on_init_input_changed)  # fmt: skip
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
        boxes = (self.l2_input, self.max_epochs_input, self.tolerance_input, self.seed_input)
        for box in (*boxes, self.hidden_input):
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
            self.tolerance_input, self.init_input, self.seed_input, self.hidden_input,
            self.activation_input,
        )  # fmt: skip
        blockers = [QSignalBlocker(w) for w in widgets]
        self.model_input.setCurrentIndex(self.model_input.findData(config.model))
        self.hidden_input.setValue(int(config.hidden))
        self.activation_input.setCurrentIndex(self.activation_input.findData(config.activation))
        hidden_layer = config.model == "mlp"
        for widget in (self.hidden_input, self.activation_input):
            self._form.setRowVisible(widget, hidden_layer and widget not in self.withheld)
            widget.setEnabled(hidden_layer)
        # A hidden layer ignores init (initial_theta): say so where the start is chosen.
        self.init_input.setEnabled(not hidden_layer)
        self.init_input.setToolTip(INIT_TIP_HIDDEN if hidden_layer else INIT_TIP)
        self.bias_input.setChecked(config.fit_bias)
        self.l2_input.setValue(config.l2)
        self.max_epochs_input.setValue(int(config.max_epochs))
        self.tolerance_input.setValue(config.tol)
        self.init_input.setCurrentIndex(self.init_input.findData(config.init))
        self.seed_input.setValue(config.seed)
        del blockers

    def withhold(self, widget: QWidget) -> None:
        """Hide ``widget``'s row for good (a teacher's setup); other rows are left as they are."""
        self.withheld.add(widget)
        self._form.setRowVisible(widget, False)

    def _on_controller_config_changed(self, config: TrainConfig) -> None:
        self._show_config(config)

    # -- sending commands -----------------------------------------------------------------

    def _on_model_input_changed(self, _index: int) -> None:
        self._controller.set_config(model=self.model_input.currentData())

    def _on_hidden_input_changed(self, value: int) -> None:
        self._controller.set_config(hidden=value)

    def _on_activation_input_changed(self, _index: int) -> None:
        self._controller.set_config(activation=self.activation_input.currentData())

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
