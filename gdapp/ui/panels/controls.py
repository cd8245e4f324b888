"""Training controls: Step, Run, Pause, Step back, Reset, the run speed and the settings.

Every control is a command to ``AppController``; the panel shows the controller's state
and never the trainer's. The buttons are driven by QActions that the main window also
registers, so their shortcuts (Space, Right, Left, R) work wherever the focus is, except
inside a text field, which keeps its keys.

Changing the learning rate takes effect on the next step, even during a run. Changing any
other setting restarts training at epoch 0 (the controller says so in the status bar): a
curve that mixes two settings would teach the wrong lesson.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gdapp.core.models import MODEL_NAMES
from gdapp.core.optimizers import OPTIMIZER_NAMES
from gdapp.core.trainer import TrainConfig
from gdapp.ui.controller import AppController
from gdapp.ui.training_thread import Snapshot
from gdapp.ui.widgets import BatchSizeSpinBox, LogSpinBox

# Run speeds in steps per second; None = as fast as the machine allows.
SPEEDS: tuple[float | None, ...] = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, None)
LR_RANGE = (1e-6, 100.0)
L2_RANGE = (1e-6, 100.0)
TOL_RANGE = (1e-10, 1.0)
MAX_EPOCHS_LIMIT = 10_000_000

OPTIMIZER_LABELS = {
    "gd": "Gradient descent",
    "momentum": "Momentum",
    "nesterov": "Nesterov momentum",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
}
MODEL_LABELS = {
    "logistic": "Logistic (cross-entropy)",
    "linear": "Linear (squared error)",
}
INIT_LABELS = {"zeros": "Zeros", "random": "Small random (seeded)"}


def speed_label(speed: float | None) -> str:
    return "max" if speed is None else f"{speed:g} step/s" if speed == 1 else f"{speed:g} steps/s"


class ControlsPanel(QWidget):
    """Buttons, speed and settings; ``actions`` holds the QActions behind the buttons."""

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("controlsPanel")
        self._controller = controller
        self._snapshot: Snapshot | None = None
        self._make_actions()
        layout = QVBoxLayout(self)
        layout.addWidget(self._make_training_box())
        layout.addWidget(self._make_settings_box())
        layout.addStretch(1)
        self._show_config(controller.config)
        self._show_speed(controller.speed)
        self._update_enabled()

        controller.config_changed.connect(self._on_controller_config_changed)
        controller.snapshot_ready.connect(self._on_controller_snapshot_ready)
        controller.running_changed.connect(self._on_controller_running_changed)
        controller.speed_changed.connect(self._on_controller_speed_changed)
        controller.dataset_changed.connect(self._on_controller_dataset_changed)

    # -- construction ---------------------------------------------------------------------

    def _make_actions(self) -> None:
        style = self.style()
        controller = self._controller

        def action(name, text, icon, shortcut, tip, slot) -> QAction:
            act = QAction(style.standardIcon(icon), text, self)
            act.setObjectName(name)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
                tip = f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.NativeText)})"
            act.setToolTip(tip)
            act.setStatusTip(tip)
            # Through a lambda: triggered(bool checked) must not reach an optional argument.
            act.triggered.connect(lambda _checked=False: slot())
            return act

        pixmap = QStyle.StandardPixmap
        self.step_action = action(
            "stepAction", "Step", pixmap.SP_MediaSeekForward, "Right",
            "Take one gradient step", controller.step,
        )  # fmt: skip
        self.run_action = action(
            "runAction", "Run", pixmap.SP_MediaPlay, None,
            "Keep stepping until paused (Space toggles Run and Pause)", controller.run,
        )  # fmt: skip
        self.pause_action = action(
            "pauseAction", "Pause", pixmap.SP_MediaPause, None,
            "Stop after the current step (Space toggles Run and Pause)", controller.pause,
        )  # fmt: skip
        self.step_back_action = action(
            "stepBackAction", "Step back", pixmap.SP_MediaSeekBackward, "Left",
            "Undo the latest step exactly", controller.step_back,
        )  # fmt: skip
        self.reset_action = action(
            "resetAction", "Reset", pixmap.SP_BrowserReload, "R",
            "Back to epoch 0 with the current settings", controller.reset,
        )  # fmt: skip
        self.toggle_run_action = action(
            "toggleRunAction", "Run / Pause", pixmap.SP_MediaPlay, "Space",
            "Run, or pause a run", controller.toggle_run,
        )  # fmt: skip
        self.actions = (
            self.step_action,
            self.toggle_run_action,
            self.step_back_action,
            self.reset_action,
            self.run_action,
            self.pause_action,
        )

    def _make_training_box(self) -> QGroupBox:
        box = QGroupBox("Training")
        grid = QGridLayout()
        self.buttons: dict[str, QToolButton] = {}
        buttons = (
            ("stepButton", self.step_action, 0, 0),
            ("runButton", self.run_action, 0, 1),
            ("pauseButton", self.pause_action, 0, 2),
            ("stepBackButton", self.step_back_action, 1, 0),
            ("resetButton", self.reset_action, 1, 1),
        )
        for name, act, row, col in buttons:
            button = QToolButton()
            button.setObjectName(name)
            button.setDefaultAction(act)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.buttons[name] = button
            grid.addWidget(button, row, col)

        self.speed_input = QSlider(Qt.Orientation.Horizontal)
        self.speed_input.setObjectName("speedInput")
        self.speed_input.setRange(0, len(SPEEDS) - 1)
        self.speed_input.setPageStep(1)
        self.speed_input.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.speed_input.setToolTip(
            "Run speed: from 1 step per second (watch every step) to as fast as possible"
        )
        self.speed_input.valueChanged.connect(self._on_speed_input_value_changed)
        self.speed_label = QLabel()
        self.speed_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("5000 steps/s "))
        speed_row = QHBoxLayout()
        speed_row.addWidget(QLabel("Speed"))
        speed_row.addWidget(self.speed_input, 1)
        speed_row.addWidget(self.speed_label)
        grid.addLayout(speed_row, 2, 0, 1, 3)
        box.setLayout(grid)
        return box

    def _make_settings_box(self) -> QGroupBox:
        box = QGroupBox("Settings")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.learning_rate_input = LogSpinBox(*LR_RANGE)
        self._add(form, "Learning rate", self.learning_rate_input, "learningRateInput",
                  "Step size: arrows move through 1-2-5 values; also changes a run "
                  "from its next step", self._on_learning_rate_input_changed)  # fmt: skip
        self.optimizer_input = self._combo(
            {name: OPTIMIZER_LABELS[name] for name in OPTIMIZER_NAMES}
        )
        self._add(form, "Optimizer", self.optimizer_input, "optimizerInput",
                  "How the gradient turns into a step",
                  self._on_optimizer_input_changed)  # fmt: skip
        self.batch_size_input = BatchSizeSpinBox()
        self._add(form, "Batch size", self.batch_size_input, "batchSizeInput",
                  "Rows per step: full batch, a mini-batch of k rows, or 1 (stochastic)",
                  self._on_batch_size_input_changed)  # fmt: skip
        self.model_input = self._combo({name: MODEL_LABELS[name] for name in MODEL_NAMES})
        self._add(form, "Model", self.model_input, "modelInput",
                  "Logistic regression minimises cross-entropy; linear, squared error",
                  self._on_model_input_changed)  # fmt: skip
        self.bias_input = QCheckBox("Fit a bias term")
        self._add(form, "", self.bias_input, "biasInput",
                  "Off: the bias stays 0 and the line passes through the origin",
                  self._on_bias_input_changed)  # fmt: skip
        self.l2_input = LogSpinBox(*L2_RANGE, zero_text="off")
        self._add(form, "L2 penalty", self.l2_input, "l2Input",
                  "Adds (L2 / 2) times the squared weights to the loss; the bias is not "
                  "penalised", self._on_l2_input_changed)  # fmt: skip
        self.max_epochs_input = QSpinBox()
        self.max_epochs_input.setRange(1, MAX_EPOCHS_LIMIT)
        self.max_epochs_input.setGroupSeparatorShown(True)
        self.max_epochs_input.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.max_epochs_input.setKeyboardTracking(False)
        self._add(form, "Max epochs", self.max_epochs_input, "maxEpochsInput",
                  "A run pauses after this many passes over the training rows",
                  self._on_max_epochs_input_changed)  # fmt: skip
        self.tolerance_input = LogSpinBox(*TOL_RANGE, zero_text="off")
        self._add(form, "Tolerance", self.tolerance_input, "toleranceInput",
                  "A run pauses once every gradient entry is smaller than this",
                  self._on_tolerance_input_changed)  # fmt: skip
        self.init_input = self._combo(INIT_LABELS)
        self._add(form, "Start from", self.init_input, "initInput",
                  "Initial weights: all zeros, or small random values drawn from the seed",
                  self._on_init_input_changed)  # fmt: skip
        self.seed_input = QSpinBox()
        self.seed_input.setRange(0, 2**31 - 1)
        self.seed_input.setKeyboardTracking(False)
        self._add(form, "Seed", self.seed_input, "seedInput",
                  "Seeds the mini-batch order and the random start, so runs repeat exactly",
                  self._on_seed_input_changed)  # fmt: skip

        note = QLabel("Changing the learning rate applies from the next step. "
                      "Any other change restarts training at epoch 0.")  # fmt: skip
        note.setObjectName("settingsNote")
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted, still readable
        form.addRow(note)
        box.setLayout(form)
        return box

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
            self.learning_rate_input, self.optimizer_input, self.batch_size_input,
            self.model_input, self.bias_input, self.l2_input, self.max_epochs_input,
            self.tolerance_input, self.init_input, self.seed_input,
        )  # fmt: skip
        blockers = [QSignalBlocker(w) for w in widgets]
        self.learning_rate_input.setValue(config.lr)
        self.optimizer_input.setCurrentIndex(self.optimizer_input.findData(config.optimizer))
        self.batch_size_input.setValue(config.batch_size or 0)
        self.model_input.setCurrentIndex(self.model_input.findData(config.model))
        self.bias_input.setChecked(config.fit_bias)
        self.l2_input.setValue(config.l2)
        self.max_epochs_input.setValue(int(config.max_epochs))
        self.tolerance_input.setValue(config.tol)
        self.init_input.setCurrentIndex(self.init_input.findData(config.init))
        self.seed_input.setValue(config.seed)
        del blockers

    def _show_speed(self, speed: float | None) -> None:
        index = SPEEDS.index(speed) if speed in SPEEDS else len(SPEEDS) - 1
        with QSignalBlocker(self.speed_input):
            self.speed_input.setValue(index)
        self.speed_label.setText(speed_label(speed))

    def _update_enabled(self) -> None:
        snapshot = self._snapshot
        running = self._controller.is_running
        loaded = snapshot is not None
        can_continue = loaded and snapshot.status == "ready"
        self.run_action.setEnabled(can_continue and not running)
        self.pause_action.setEnabled(running)
        self.toggle_run_action.setEnabled(running or can_continue)
        self.step_action.setEnabled(can_continue)
        self.step_back_action.setEnabled(loaded and snapshot.step_count > 0)
        self.reset_action.setEnabled(loaded and (snapshot.step_count > 0 or not can_continue))

    def _on_controller_config_changed(self, config: TrainConfig) -> None:
        self._show_config(config)

    def _on_controller_snapshot_ready(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._update_enabled()

    def _on_controller_running_changed(self, _running: bool) -> None:
        self._update_enabled()

    def _on_controller_speed_changed(self, speed: float | None) -> None:
        self._show_speed(speed)

    def _on_controller_dataset_changed(self, dataset) -> None:
        self._snapshot = None
        self.batch_size_input.setMaximum(max(1, len(dataset.train_idx)))
        self._update_enabled()

    # -- sending commands -----------------------------------------------------------------

    def _on_speed_input_value_changed(self, index: int) -> None:
        self._controller.set_speed(SPEEDS[index])
        self.speed_label.setText(speed_label(SPEEDS[index]))

    def _on_learning_rate_input_changed(self, value: float) -> None:
        self._controller.set_config(lr=value)

    def _on_optimizer_input_changed(self, _index: int) -> None:
        self._controller.set_config(optimizer=self.optimizer_input.currentData())

    def _on_batch_size_input_changed(self, value: int) -> None:
        self._controller.set_config(batch_size=value or None)

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
