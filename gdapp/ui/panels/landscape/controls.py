"""The landscape panel's own widgets: mode and axis choosers, the runs row, key, read-out.

``LandscapeControls`` only builds them and lays them out around the plots; the panel
connects to them and decides what they mean.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gdapp.core.optimizers import OPTIMIZER_LABELS, OPTIMIZER_NAMES
from gdapp.core.trainer import TrainConfig
from gdapp.ui.panels.landscape.state import OVERLAY_STEPS

BUSY_TEXT = "Computing the landscape…"
COARSE_TEXT = "Computing the landscape… (a coarse preview is shown)"
KEY_MARKS = (("━━", "#30363d"), ("■", "#30363d"), ("●", "#ff5a36"), ("★", "#c9a100"))


class LandscapeControls:
    """Every widget of the panel but the plots, laid out on ``panel`` around ``plots``."""

    def __init__(self, panel: QWidget, plot_widgets: Sequence[QWidget]) -> None:
        self.mode_combo = QComboBox(objectName="landscapeModeCombo")
        self.mode_combo.addItem("Slice", "slice")
        self.mode_combo.addItem("Contour", "contour")
        self.mode_combo.setToolTip(
            "Slice: J along one parameter, the others held at their current values.\n"
            "Contour: J over two parameters, the others held, with the descent path."
        )
        self.x_combo = QComboBox(objectName="landscapeXCombo")
        self.x_combo.setToolTip("Parameter on the horizontal axis")
        self.y_combo = QComboBox(objectName="landscapeYCombo")
        self.y_combo.setToolTip("Parameter on the vertical axis (contour only)")
        self.fit_button = QToolButton(text="Fit", objectName="landscapeFitButton")
        self.fit_button.setToolTip("Fit the view to the descent paths and the current point")
        self.y_label = QLabel("y:")
        self.runs_button = QToolButton(text="Runs", objectName="landscapeRunsButton")
        self.runs_button.setCheckable(True)
        self.runs_button.setToolTip("Show the controls that overlay other runs from the same start")
        top = QHBoxLayout()
        top.addWidget(self.mode_combo)
        top.addWidget(QLabel("x:"))
        top.addWidget(self.x_combo, 1)
        top.addWidget(self.y_label)
        top.addWidget(self.y_combo, 1)
        top.addWidget(self.fit_button)
        top.addWidget(self.runs_button)
        for combo in (self.x_combo, self.y_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)

        self.optimizer_combo = QComboBox(objectName="landscapeOverlayOptimizer")
        for name in OPTIMIZER_NAMES:
            self.optimizer_combo.addItem(OPTIMIZER_LABELS.get(name, name), name)
        self.optimizer_combo.setToolTip("Optimizer of the run to overlay")
        self.lr_spin = QDoubleSpinBox(objectName="landscapeOverlayLr")
        self.lr_spin.setDecimals(4)
        self.lr_spin.setRange(0.0001, 100.0)
        self.lr_spin.setValue(TrainConfig().lr)
        self.lr_spin.setPrefix("lr ")
        self.lr_spin.setToolTip("Learning rate of the run to overlay")
        self.steps_spin = QSpinBox(objectName="landscapeOverlaySteps")
        self.steps_spin.setRange(1, 5000)
        self.steps_spin.setValue(OVERLAY_STEPS)
        self.steps_spin.setSuffix(" steps")
        self.steps_spin.setToolTip("How many steps the overlaid run takes")
        self.add_button = QPushButton("Add run", objectName="landscapeAddRunButton")
        self.add_button.setToolTip(
            "Train a copy from the same start with this optimizer and learning rate\n"
            "and draw its path over the contour"
        )
        self.clear_button = QPushButton("Clear runs", objectName="landscapeClearRunsButton")
        self.clear_button.setToolTip("Remove the overlaid runs")
        runs = QHBoxLayout()
        for widget in (
            self.optimizer_combo,
            self.lr_spin,
            self.steps_spin,
            self.add_button,
            self.clear_button,
        ):
            runs.addWidget(widget)
        runs.addStretch(1)
        runs.setContentsMargins(0, 0, 0, 0)
        self.runs_row = QWidget()
        self.runs_row.setLayout(runs)

        self.stack = QStackedWidget()
        for widget in plot_widgets:
            self.stack.addWidget(widget)
        self.key = QLabel(objectName="landscapeKey")
        self.key.setWordWrap(True)
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.readout = QLabel(objectName="landscapeReadout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout.setText("Load a dataset to see its cost landscape.")
        self.busy_note = QLabel(BUSY_TEXT, objectName="landscapeBusyNote")
        self.busy_note.setStyleSheet("color: #8b949e; font-style: italic;")
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        policy.setRetainSizeWhenHidden(True)  # the plot does not jump when the note goes
        self.busy_note.setSizePolicy(policy)
        self.busy_note.hide()

        layout = QVBoxLayout(panel)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.runs_row)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.busy_note)
        layout.addWidget(self.key)
        layout.addWidget(self.readout)

    def set_key(self, labels: Sequence[str], run_colors: Sequence[str]) -> None:
        """A key under the contour, where it never hides the valley it describes."""
        marks = [*KEY_MARKS, *(("━━", color) for color in run_colors)]
        parts = [
            f'<span style="color:{color}">{mark}</span>&nbsp;{label.replace(" ", "&nbsp;")}'
            for (mark, color), label in zip(marks, labels, strict=True)
        ]
        self.key.setText(" &nbsp; ".join(parts))

    def set_busy(self, computing: bool, coarse_shown: bool) -> None:
        """Show the note while something is computed; say so when a coarse preview is up."""
        self.busy_note.setText(COARSE_TEXT if coarse_shown else BUSY_TEXT)
        self.busy_note.setVisible(computing)
