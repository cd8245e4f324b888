"""The decision boundary's held-values form: one spin box per feature off the axes.

``HeldValuesForm`` only shows values and reports edits: ``value_edited(feature, value)``
when the learner changes a box, ``reset_requested()`` for "Reset to means". The panel owns
the values and decides what they mean; ``show_features`` lays the boxes out (two columns,
scrolling past ``HELD_BOX_MAX_HEIGHT``), ``show_values`` puts values in without an edit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

MAX_HELD_BOXES = 48  # held features with a box of their own; wider tables keep the rest
HELD_BOX_MAX_HEIGHT = 150  # px; more boxes scroll
DECIMALS = 3


class HeldValuesForm(QWidget):
    """Spin boxes ``boundaryHeld_<k>`` for the held features and a ``boundaryResetHeld`` button."""

    value_edited = Signal(int, float)
    reset_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boundaryHeldForm")
        self.boxes: dict[int, QDoubleSpinBox] = {}
        self._quiet = False
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        inner = QWidget()
        inner.setLayout(self._grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setMaximumHeight(HELD_BOX_MAX_HEIGHT)
        scroll.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.reset_button = QPushButton("Reset to means", objectName="boundaryResetHeld")
        self.reset_button.setToolTip("Hold every other feature at its training mean again")
        self.reset_button.clicked.connect(self.reset_requested)
        self._cap = QLabel()
        self._cap.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        buttons = QHBoxLayout()
        buttons.addWidget(self._cap, 1)
        buttons.addWidget(self.reset_button)
        layout.addLayout(buttons)

    def show_features(
        self,
        names: Sequence[str],
        held_features: Sequence[int],
        ranges: np.ndarray,
        held: np.ndarray,
    ) -> None:
        """Boxes for ``held_features`` (the first ``MAX_HELD_BOXES``), each spanning its
        ``ranges`` row ((d, 2) as the axes show them) widened by its width on each side."""
        while self._grid.count():
            widget = self._grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.boxes = {}
        for slot, k in enumerate(held_features[:MAX_HELD_BOXES]):
            box = QDoubleSpinBox(objectName=f"boundaryHeld_{k}")
            low, high = (float(x) for x in ranges[k])
            span = high - low
            box.setDecimals(DECIMALS)
            box.setRange(low - span, high + span)
            box.setSingleStep(span / 40)
            box.setKeyboardTracking(False)
            box.setToolTip(f"The value of {names[k]} (scaled) everywhere in the picture")
            box.valueChanged.connect(lambda value, k=k: self._on_box_value_changed(k, value))
            label = QLabel(names[k])
            label.setToolTip(box.toolTip())
            row, col = divmod(slot, 2)
            self._grid.addWidget(label, row, 2 * col)
            self._grid.addWidget(box, row, 2 * col + 1)
            self.boxes[k] = box
        hidden = len(held_features) - len(self.boxes)
        self._cap.setText(
            f"The other {hidden:,} features stay at their mean." if hidden > 0 else ""
        )
        self.show_values(held)

    def show_values(self, held: np.ndarray) -> None:
        """Put ``held`` ((d,)) into the boxes without reporting an edit."""
        self._quiet = True
        try:
            for k, box in self.boxes.items():
                box.setValue(float(held[k]))
        finally:
            self._quiet = False

    def _on_box_value_changed(self, feature: int, value: float) -> None:
        if not self._quiet:
            self.value_edited.emit(feature, float(value))
