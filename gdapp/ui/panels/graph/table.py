"""The batch view's gradient table: one column per parameter, under the diagram.

The batch graph keeps w as one vector node, so the gradient of each weight is listed here:
its value, dJ/dθ, the nudge estimate with ✓/✗, and after an animated step the value it had
before the step.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
)

from gdapp.ui.panels.graph.style import AGREE_COLOUR, DISAGREE_COLOUR, format_number

ROWS = ("value", "dJ/dθ", "nudge", "before")
MAX_TABLE_WEIGHTS = 12  # columns of weights shown; a wider table shows the largest gradients
NUDGE_ROW, UPDATE_ROW = 2, 3


class GradientTable(QTableWidget):
    """Parameters of the batch view (columns w1..wd, b): value, derivative, nudge, update."""

    def __init__(self, parent=None) -> None:
        super().__init__(len(ROWS), 0, parent)
        self.setObjectName("gradientTable")
        self.setVerticalHeaderLabels(ROWS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(False)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)  # nine columns share the panel's width
        self.setFont(font)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._tip = (
            "The gradient of the batch cost J for every weight and the bias; after an animated "
            "step, 'before' holds each parameter's value before the step."
        )
        self.setToolTip(self._tip)

    def clear_rows(self) -> None:
        self.setColumnCount(0)

    def show_numbers(self, data, numbers, nudge_on: bool, active: bool) -> None:
        """Fill the columns from the w and b cards' numbers (only while the batch view shows)."""
        if not active:
            return
        w, b = numbers.get("w"), numbers.get("b")
        if w is None or b is None:
            self.clear_rows()
            return
        d = int(np.size(w.value))
        names = list(data.graph.feature_names) or [f"x{i + 1}" for i in range(d)]
        # A wide table shows the weights with the largest gradients; the rest are summed up.
        shown = range(d)
        if d > MAX_TABLE_WEIGHTS:
            grads = np.abs(np.asarray(w.grad, dtype=float))
            shown = sorted(np.argsort(-grads, kind="stable")[:MAX_TABLE_WEIGHTS].tolist())
        columns = [
            (
                f"w{i + 1}",
                names[i],
                w.value[i],
                w.grad[i],
                None if w.numeric is None else w.numeric[i],
                None if w.agrees_each is None else bool(w.agrees_each[i]),
                None if w.update is None else (w.update[0][i], w.update[1][i]),
            )
            for i in shown
        ]
        columns.append(("b", "bias", b.value, b.grad, b.numeric, b.agrees, b.update))
        self.setToolTip(
            self._tip
            if d <= MAX_TABLE_WEIGHTS
            else f"{self._tip} Of the {d:,} weights, the {MAX_TABLE_WEIGHTS} with the largest "
            "|dJ/dw| are shown."
        )
        self.setColumnCount(len(columns))
        for c, (label, feature, value, grad, numeric, agrees, update) in enumerate(columns):
            head = self.horizontalHeaderItem(c) or QTableWidgetItem()
            head.setText(label)
            head.setToolTip(f"{label}: {'the bias' if label == 'b' else f'weight of {feature}'}")
            self.setHorizontalHeaderItem(c, head)
            self._set(NUDGE_ROW - 2, c, format_number(value))
            self._set(NUDGE_ROW - 1, c, format_number(grad))
            if numeric is None:
                self._set(NUDGE_ROW, c, "—")
            else:
                cell = self._set(NUDGE_ROW, c, f"{format_number(numeric)}{'✓' if agrees else '✗'}")
                cell.setForeground(AGREE_COLOUR if agrees else DISAGREE_COLOUR)
                small = self.font()
                small.setPointSizeF(small.pointSizeF() * 0.9)  # an estimate and a mark per cell
                cell.setFont(small)
            # After an animated step: the value before it ("value" is the new one).
            self._set(UPDATE_ROW, c, "" if update is None else format_number(update[0]))
        self.setRowHidden(NUDGE_ROW, not nudge_on)
        self.setRowHidden(UPDATE_ROW, all(col[6] is None for col in columns))
        self.setFixedHeight(self._content_height())

    def _content_height(self) -> int:
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()) if not self.isRowHidden(r))
        return rows + self.horizontalHeader().height() + 2 * self.frameWidth() + 2

    def _set(self, row: int, column: int, text: str) -> QTableWidgetItem:
        item = self.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            item.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight)
            self.setItem(row, column, item)
        item.setText(text)
        item.setToolTip(text)
        return item
