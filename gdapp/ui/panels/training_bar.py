"""The training toolbar: Step back, Step, Run, Pause, Reset, learning rate, optimizer, batch
size and speed, always visible above the workspace.

Every control is a command to ``TrainingSession``; the bar shows the controller's state and
never the trainer's. The buttons are driven by QActions that the main window also registers,
so their shortcuts (Space, Right, Left, R) work wherever the focus is, except inside a text
field, which keeps its keys. Changing the learning rate takes effect on the next step, even
during a run; changing the optimizer or the batch size restarts training at epoch 0.

``set_idle_reason(text)`` disables Step and Run with ``text`` as their tooltip, for a view in
which training changes nothing visible (the post's a, b, c graph).
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStyle,
    QToolBar,
    QToolButton,
    QWidget,
)

from gdapp.core.optimizers import OPTIMIZER_LABELS, OPTIMIZER_NAMES
from gdapp.core.trainer import TrainConfig
from gdapp.ui.controller import TrainingSession
from gdapp.ui.training_thread import Snapshot
from gdapp.ui.widgets import BatchSizeSpinBox, LogSpinBox

# Run speeds in steps per second; None = as fast as the machine allows.
SPEEDS: tuple[float | None, ...] = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, None)
LR_RANGE = (1e-6, 100.0)


def speed_label(speed: float | None) -> str:
    return "max" if speed is None else f"{speed:g} step/s" if speed == 1 else f"{speed:g} steps/s"


class TrainingBar(QToolBar):
    """The always-visible training controls; ``actions`` holds the QActions behind them.

    Signal ``input_refused(str)``: a value typed into a box was out of its range (the message
    says what was kept), for the status bar.
    """

    input_refused = Signal(str)

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__("Training", parent)
        self.setObjectName("trainingToolBar")
        self.setMovable(False)
        self.setFloatable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._controller = controller
        self._snapshot: Snapshot | None = None
        self._idle_reason = ""
        self._make_actions()
        self._make_buttons()
        self.addSeparator()
        self._make_inputs()
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
            act.setProperty("baseToolTip", tip)
            # Through a lambda: triggered(bool checked) must not reach an optional argument.
            act.triggered.connect(lambda _checked=False: slot())
            return act

        pixmap = QStyle.StandardPixmap
        self.step_back_action = action(
            "stepBackAction", "Step back", pixmap.SP_MediaSeekBackward, "Left",
            "Step back: undo the latest step exactly", controller.step_back,
        )  # fmt: skip
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

    def _make_buttons(self) -> None:
        self.buttons: dict[str, QToolButton] = {}
        # The toolbar's own action for each button and input box, by the widget's name:
        # hiding that action hides the widget in the bar.
        self.widget_actions: dict[str, QAction] = {}
        for name, act in (
            ("stepBackButton", self.step_back_action),
            ("stepButton", self.step_action),
            ("runButton", self.run_action),
            ("pauseButton", self.pause_action),
            ("resetButton", self.reset_action),
        ):
            button = QToolButton(self)
            button.setObjectName(name)
            button.setDefaultAction(act)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAutoRaise(True)
            self.widget_actions[name] = self.addWidget(button)
            self.buttons[name] = button

    def _labelled(self, text: str, widget: QWidget, name: str, tip: str) -> QLabel:
        widget.setObjectName(name)
        widget.setToolTip(tip)
        box = QWidget(self)
        box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout(box)
        row.setContentsMargins(6, 0, 2, 0)
        row.setSpacing(4)
        label = QLabel(text, box)
        label.setBuddy(widget)
        label.setToolTip(tip)
        row.addWidget(label)
        row.addWidget(widget)
        self.widget_actions[name] = self.addWidget(box)
        return label

    def _make_inputs(self) -> None:
        self.learning_rate_input = LogSpinBox(*LR_RANGE, what="The learning rate")
        self._labelled("&Rate", self.learning_rate_input, "learningRateInput",
                       "Learning rate α, the step size: the arrows move through 1-2-5 values; "
                       "a change applies from the next step, even during a run")  # fmt: skip
        self.learning_rate_input.valueChanged.connect(self._on_learning_rate_input_changed)
        self.learning_rate_input.refused.connect(self.input_refused)

        self.optimizer_input = QComboBox()
        for name in OPTIMIZER_NAMES:
            self.optimizer_input.addItem(OPTIMIZER_LABELS[name], name)
        self._labelled("&Optimizer", self.optimizer_input, "optimizerInput",
                       "How the gradient becomes a step (changing it restarts)")  # fmt: skip
        self.optimizer_input.currentIndexChanged.connect(self._on_optimizer_input_changed)

        self.batch_size_input = BatchSizeSpinBox()
        self._labelled("&Batch", self.batch_size_input, "batchSizeInput",
                       "Rows per step: the full batch, a mini-batch of k rows, or 1 "
                       "(stochastic); changing it restarts at epoch 0")  # fmt: skip
        self.batch_size_input.valueChanged.connect(self._on_batch_size_input_changed)
        self.batch_size_input.refused.connect(self.input_refused)

        self.speed_input = QSlider(Qt.Orientation.Horizontal)
        self.speed_input.setRange(0, len(SPEEDS) - 1)
        self.speed_input.setPageStep(1)
        self.speed_input.setFixedWidth(self.fontMetrics().horizontalAdvance("M") * 6)
        self.speed_label = self._labelled(
            "Speed", self.speed_input, "speedInput",
            "Run speed: from 1 step per second (watch every step) to as fast as possible",
        )  # fmt: skip
        self.speed_label.setObjectName("speedLabel")
        self.speed_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("Speed 5000 steps/s"))
        self.speed_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.speed_input.valueChanged.connect(self._on_speed_input_value_changed)

    # -- showing the controller's state ---------------------------------------------------

    def set_idle_reason(self, reason: str) -> None:
        """Disable Step and Run with ``reason`` as tooltip ("" enables them again)."""
        if reason != self._idle_reason:
            self._idle_reason = reason
            self._update_enabled()

    def _show_config(self, config: TrainConfig) -> None:
        widgets = (self.learning_rate_input, self.optimizer_input, self.batch_size_input)
        blockers = [QSignalBlocker(w) for w in widgets]
        self.learning_rate_input.setValue(config.lr)
        self.optimizer_input.setCurrentIndex(self.optimizer_input.findData(config.optimizer))
        self.batch_size_input.setValue(config.batch_size or 0)
        del blockers

    def _show_speed(self, speed: float | None) -> None:
        index = SPEEDS.index(speed) if speed in SPEEDS else len(SPEEDS) - 1
        with QSignalBlocker(self.speed_input):
            self.speed_input.setValue(index)
        self.speed_label.setText(f"Speed {speed_label(speed)}")

    def set_compact(self, compact: bool) -> None:
        """Narrow windows: Back, Pause and Reset show their icon only (tooltips keep words)."""
        style = (
            Qt.ToolButtonStyle.ToolButtonIconOnly
            if compact
            else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        )
        for name in ("stepBackButton", "pauseButton", "resetButton"):
            self.buttons[name].setToolButtonStyle(style)

    def _update_enabled(self) -> None:
        snapshot = self._snapshot
        running = self._controller.is_running
        loaded = snapshot is not None
        can_continue = loaded and snapshot.status == "ready" and not self._idle_reason
        self.run_action.setEnabled(can_continue and not running)
        self.pause_action.setEnabled(running)
        self.toggle_run_action.setEnabled(running or can_continue)
        self.step_action.setEnabled(can_continue)
        self.step_back_action.setEnabled(loaded and snapshot.step_count > 0)
        self.reset_action.setEnabled(loaded and (snapshot.step_count > 0 or not can_continue))
        for act in (self.step_action, self.run_action):
            tip = self._idle_reason or act.property("baseToolTip")
            act.setToolTip(tip)
            act.setStatusTip(tip)
        # A disabled QToolButton shows its own tooltip, not the action's: keep them in step.
        for name in ("stepButton", "runButton"):
            button = self.buttons[name]
            button.setToolTip(button.defaultAction().toolTip())

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
        self.speed_label.setText(f"Speed {speed_label(SPEEDS[index])}")

    def _on_learning_rate_input_changed(self, value: float) -> None:
        self._controller.set_config(lr=value)

    def _on_optimizer_input_changed(self, _index: int) -> None:
        self._controller.set_config(optimizer=self.optimizer_input.currentData())

    def _on_batch_size_input_changed(self, value: int) -> None:
        self._controller.set_config(batch_size=value or None)
