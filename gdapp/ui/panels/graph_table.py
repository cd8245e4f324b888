"""The batch view's side table: one row per parameter with its value and gradient.

The batch graph keeps w as one vector node, so the gradient of each weight is listed here:
value, dJ/dθ, the nudge estimate with ✓/✗, and old → new after an animated step.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from gdapp.ui.panels.graph_style import AGREE_COLOUR, DISAGREE_COLOUR, format_number

COLUMNS = ("Feature", "Value", "dJ/dθ", "Nudge", "Update")


class GradientTable(QTableWidget):
    """Parameters of the batch view: feature, value, derivative, nudge, update."""

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("gradientTable")
        self.setHorizontalHeaderLabels(COLUMNS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.setToolTip("The gradient dJ/dθ of the batch cost for every weight and the bias.")
        self.setMinimumWidth(180)

    def clear_rows(self) -> None:
        self.setRowCount(0)

    def show_numbers(self, data, numbers, nudge_on: bool, active: bool) -> None:
        """Fill the rows from the w and b cards' numbers (only while the batch view shows)."""
        if not active:
            return
        w, b = numbers.get("w"), numbers.get("b")
        if w is None or b is None:
            self.clear_rows()
            return
        names = list(data.graph.feature_names) or [f"x{i + 1}" for i in range(np.size(w.value))]
        d = np.size(w.value)
        rows = []
        for i in range(d):
            rows.append(
                (
                    f"w{i + 1}",
                    names[i],
                    w.value[i],
                    w.grad[i],
                    None if w.numeric is None else w.numeric[i],
                    None if w.agrees_each is None else bool(w.agrees_each[i]),
                    None if w.update is None else (w.update[0][i], w.update[1][i]),
                )
            )
        rows.append(("b", "bias", b.value, b.grad, b.numeric, b.agrees, b.update))
        self.setRowCount(len(rows))
        self.setVerticalHeaderLabels([row[0] for row in rows])
        for r, (_, feature, value, grad, numeric, agrees, update) in enumerate(rows):
            self._set(r, 0, feature, align_right=False)
            self._set(r, 1, format_number(value))
            self._set(r, 2, format_number(grad))
            if numeric is None:
                self._set(r, 3, "—" if nudge_on else "")
            else:
                cell = self._set(r, 3, f"{format_number(numeric)} {'✓' if agrees else '✗'}")
                cell.setForeground(AGREE_COLOUR if agrees else DISAGREE_COLOUR)
            text = (
                "" if update is None else f"{format_number(update[0])} → {format_number(update[1])}"
            )
            self._set(r, 4, text)
        self.setColumnHidden(3, not nudge_on)
        self.setColumnHidden(4, all(row[6] is None for row in rows))

    def _set(self, row: int, column: int, text: str, align_right: bool = True) -> QTableWidgetItem:
        item = self.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            self.setItem(row, column, item)
        item.setText(text)
        item.setToolTip(text)
        alignment = Qt.AlignmentFlag.AlignVCenter
        alignment |= Qt.AlignmentFlag.AlignRight if align_right else Qt.AlignmentFlag.AlignLeft
        item.setTextAlignment(alignment)
        return item
