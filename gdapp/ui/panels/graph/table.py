"""The gradient table: one column per parameter, under the diagram.

The batch graph keeps w as one vector node, and a hidden layer has far more parameters than
cards, so the gradient of each parameter is listed here (a hidden layer's by the model's
parameter names, the largest derivatives first):
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
        header = self.horizontalHeader()
        header.setTextElideMode(Qt.TextElideMode.ElideRight)  # long parameter names: "h3:diabet…"
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._tip = (
            "The gradient of the batch cost J for every weight and the bias; after an animated "
            "step, 'before' holds each parameter's value before the step."
        )
        self.setToolTip(self._tip)
        # What each column shows: (label, meaning, value, grad, nudge, agrees, (old, new)).
        self.columns: list[tuple] = []

    def clear_rows(self) -> None:
        self.columns = []
        self.setColumnCount(0)

    def show_numbers(self, data, numbers, nudge_on: bool, active: bool) -> None:
        """Fill the columns from the w and b cards' numbers (only while the batch view shows)."""
        if not active:
            return
        self.verticalHeaderItem(1).setText(f"d{data.output_symbol}/dθ")
        if data.param_names:
            self._fill(*_layout_columns(data, numbers), nudge_on)
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
                f"weight of {names[i]}",
                w.value[i],
                w.grad[i],
                None if w.numeric is None else w.numeric[i],
                None if w.agrees_each is None else bool(w.agrees_each[i]),
                None if w.update is None else (w.update[0][i], w.update[1][i]),
            )
            for i in shown
        ]
        columns.append(("b", "the bias", b.value, b.grad, b.numeric, b.agrees, b.update))
        self._fill(
            columns,
            self._tip
            if d <= MAX_TABLE_WEIGHTS
            else f"{self._tip} Of the {d:,} weights, the {MAX_TABLE_WEIGHTS} with the largest "
            "|dJ/dw| are shown.",
            nudge_on,
        )

    def _fill(self, columns: list[tuple], tip: str, nudge_on: bool) -> None:
        """One column per (label, meaning, value, grad, nudge, agrees, (old, new) or None)."""
        self.setToolTip(tip)
        self.columns = list(columns)
        self.setColumnCount(len(columns))
        for c, (label, feature, value, grad, numeric, agrees, update) in enumerate(columns):
            head = self.horizontalHeaderItem(c) or QTableWidgetItem()
            head.setText(label)
            head.setToolTip(f"{label}: {feature}")
            self.setHorizontalHeaderItem(c, head)
            self._set(NUDGE_ROW - 2, c, format_number(value))
            self._set(NUDGE_ROW - 1, c, format_number(grad))
            if numeric is None:
                self._set(NUDGE_ROW, c, "—")
            else:
                cell = self._set(NUDGE_ROW, c, f"{format_number(numeric)}{'✓' if agrees else '✗'}")
                cell.setForeground(AGREE_COLOUR if agrees else DISAGREE_COLOUR)
            # After an animated step: the value before it ("value" is the new one).
            self._set(UPDATE_ROW, c, "" if update is None else format_number(update[0]))
        self.setRowHidden(NUDGE_ROW, not nudge_on)
        self.setRowHidden(UPDATE_ROW, all(col[6] is None for col in columns))
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Share the width out when every number fits whole; else scroll, never cut a number."""
        header = self.horizontalHeader()
        needed = sum(
            max(self.sizeHintForColumn(c), header.sectionSizeHint(c), header.minimumSectionSize())
            for c in range(self.columnCount())
        )
        room = self.width() - 2 * self.frameWidth() - self.verticalHeader().width()
        scrolling = needed > room
        header.setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents if scrolling else QHeaderView.ResizeMode.Stretch
        )
        self.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOn
            if scrolling
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        bar = self.horizontalScrollBar().sizeHint().height() if scrolling else 0
        self.setFixedHeight(self._content_height() + bar)

    def _content_height(self) -> int:
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()) if not self.isRowHidden(r))
        return rows + self.horizontalHeader().height() + 2 * self.frameWidth() + 2

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.columnCount():
            self._fit_columns()

    def _set(self, row: int, column: int, text: str) -> QTableWidgetItem:
        item = self.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            item.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight)
            self.setItem(row, column, item)
        item.setText(text)
        item.setToolTip(text)
        return item


def _layout_columns(data, numbers) -> tuple[list[tuple], str]:
    """Every entry of a flat theta through the graph's layout, largest |derivative| first."""
    graph, names = data.graph, data.param_names
    symbol = data.output_symbol
    per = {name: numbers[name] for name, _ in graph.theta_layout}
    value = graph.gather({n: v.value for n, v in per.items()})
    grad = graph.gather({n: v.grad for n, v in per.items()})
    checked = all(v.numeric is not None for v in per.values())
    numeric = graph.gather({n: v.numeric for n, v in per.items()}) if checked else None
    agrees = (
        graph.gather(
            {n: v.agrees if v.agrees_each is None else v.agrees_each for n, v in per.items()}
        )
        if checked
        else None
    )
    updated = all(v.update is not None for v in per.values())
    old = graph.gather({n: v.update[0] for n, v in per.items()}) if updated else None
    order = np.argsort(-np.abs(grad), kind="stable")[:MAX_TABLE_WEIGHTS]
    columns = [
        (
            names[k],
            f"{names[k]}, entry {k + 1} of the model's {len(names)} parameters",
            value[k],
            grad[k],
            None if numeric is None else numeric[k],
            None if agrees is None else bool(agrees[k]),
            None if old is None else (old[k], value[k]),
        )
        for k in order
    ]
    tip = (
        f"The {min(len(names), MAX_TABLE_WEIGHTS)} of the model's {len(names)} parameters with "
        f"the largest |d{symbol}/dθ|, largest first (hN:feature is unit N's weight on it, "
        "out:hN the output's weight on unit N); after an animated step, 'before' holds each "
        "one's value before the step."
    )
    return columns, tip
