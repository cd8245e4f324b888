"""DataFrameModel: formatting, roles, numpy sorting, highlights, and cost on big frames."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView

from gdapp.ui.models.dataframe_model import (
    DATASET_ROW_ROLE,
    FLOAT_FORMAT,
    HIGHLIGHT_COLOR,
    HIGHLIGHT_ROLE,
    LABEL_HEADER_COLOR,
    MISSING_TEXT,
    SORT_ROLE,
    SUMMARY_STATS,
    ColumnSummaryModel,
    DataFrameModel,
    stable_argsort,
    summarize,
)

DISPLAY = Qt.ItemDataRole.DisplayRole
H, V = Qt.Orientation.Horizontal, Qt.Orientation.Vertical


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "count": np.array([3, 1, 2, 3, 0], dtype=np.int64),
            "value": [0.5, -1.25, np.nan, 2.0, 1 / 3],
            "name": ["c", "a", "b", "e", "d"],
            "label": np.array([1, 0, 0, 1, 1], dtype=np.int64),
        }
    )


@pytest.fixture
def model(qapp, frame) -> DataFrameModel:
    return DataFrameModel(frame, label_column="label")


def cell(model, row, col, role=DISPLAY):
    return model.data(model.index(row, col), role)


def test_shape_and_headers(model, frame):
    assert model.rowCount() == len(frame) and model.columnCount() == frame.shape[1]
    assert [model.headerData(j, H) for j in range(4)] == list(frame.columns)
    assert [model.headerData(i, V) for i in range(5)] == ["0", "1", "2", "3", "4"]
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable


def test_numbers_are_formatted(model):
    assert [cell(model, i, 0) for i in range(5)] == ["3", "1", "2", "3", "0"]
    assert cell(model, 0, 1) == FLOAT_FORMAT.format(0.5) == "0.5000"
    assert cell(model, 4, 1) == FLOAT_FORMAT.format(1 / 3)
    assert cell(model, 2, 1) == MISSING_TEXT
    assert cell(model, 1, 2) == "a"
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert cell(model, 0, 1, Qt.ItemDataRole.TextAlignmentRole) == right
    assert cell(model, 0, 2, Qt.ItemDataRole.TextAlignmentRole) != right


def test_sort_role_returns_the_raw_python_value(model):
    value = cell(model, 4, 1, SORT_ROLE)
    assert type(value) is float and value == 1 / 3
    assert type(cell(model, 0, 0, SORT_ROLE)) is int
    assert cell(model, 0, 2, SORT_ROLE) == "c"
    assert "0.3333333" in cell(model, 4, 1, Qt.ItemDataRole.ToolTipRole)


def test_label_column_is_marked(model):
    bold = model.headerData(3, H, Qt.ItemDataRole.FontRole)
    assert bold is not None and bold.bold()
    assert model.headerData(3, H, Qt.ItemDataRole.ForegroundRole) == LABEL_HEADER_COLOR
    assert not model.headerData(3, H, Qt.ItemDataRole.DecorationRole).isNull()
    assert "Label column" in model.headerData(3, H, Qt.ItemDataRole.ToolTipRole)
    assert model.headerData(0, H, Qt.ItemDataRole.FontRole) is None
    assert model.label_column == "label"
    assert cell(model, 0, 3, Qt.ItemDataRole.BackgroundRole) is not None  # tinted cells


@pytest.mark.parametrize("column", [0, 1, 2])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_matches_numpy(model, frame, column, descending):
    order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
    model.sort(column, order)
    values = frame.iloc[:, column].to_numpy()
    if values.dtype.kind == "O":
        values = values.astype(str)
    expected = np.argsort(values, kind="stable")
    if descending:
        # Stable descending: ties keep file order, NaN comes first.
        expected = stable_argsort(values, descending=True)
        shown = values[expected]
        finite = shown[~pd.isna(shown)] if values.dtype.kind == "f" else shown
        assert all(a >= b for a, b in zip(finite, finite[1:], strict=False))
    np.testing.assert_array_equal(model.row_order(), expected)
    shown = [model.dataset_row(r) for r in range(model.rowCount())]
    assert shown == list(expected)
    assert [int(model.headerData(r, V)) for r in range(5)] == list(expected)
    assert [cell(model, r, 0, DATASET_ROW_ROLE) for r in range(5)] == list(expected)


def test_stable_argsort_keeps_ties_in_frame_order():
    values = np.array([2, 1, 2, 1, 3])
    np.testing.assert_array_equal(stable_argsort(values), [1, 3, 0, 2, 4])
    np.testing.assert_array_equal(stable_argsort(values, descending=True), [4, 0, 2, 1, 3])


def test_sort_minus_one_restores_frame_order(model):
    model.sort(1)
    model.sort(-1)
    np.testing.assert_array_equal(model.row_order(), np.arange(5))
    assert model.view_row(3) == 3


def test_view_row_inverts_dataset_row(model):
    model.sort(1, Qt.SortOrder.DescendingOrder)
    for view_row in range(model.rowCount()):
        assert model.view_row(model.dataset_row(view_row)) == view_row


def test_selection_follows_its_row_through_a_sort(qtbot, model):
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.selectionModel().select(
        model.index(1, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    model.sort(1)  # value column: row 1 (-1.25) moves to the top
    selected = view.selectionModel().selectedRows()
    assert [model.dataset_row(i.row()) for i in selected] == [1]
    assert selected[0].row() == 0


def test_highlight_roles(model):
    mask = np.array([False, True, False, False, True])
    model.set_highlight(mask, predicted=np.array([1, 1, 0, 1, 0]))
    model.sort(1)
    for view_row in range(5):
        row = model.dataset_row(view_row)
        assert cell(model, view_row, 0, HIGHLIGHT_ROLE) is bool(mask[row])
        brush = cell(model, view_row, 0, Qt.ItemDataRole.BackgroundRole)
        if mask[row]:
            assert brush.color() == HIGHLIGHT_COLOR
        else:
            assert brush is None
    tip = cell(model, model.view_row(1), 0, Qt.ItemDataRole.ToolTipRole)
    assert "Misclassified" in tip and "predicted 1, label 0" in tip
    model.set_highlight(None)
    assert model.highlight_mask() is None
    with pytest.raises(ValueError, match="shape"):
        model.set_highlight(np.zeros(3, dtype=bool))


def test_vertical_header_shows_the_original_row_numbers(qapp):
    frame = pd.DataFrame({"x": [5.0, 4.0, 3.0], "y": [0, 1, 0]}, index=[0, 2, 7])
    model = DataFrameModel(frame, label_column="y")
    assert [model.headerData(i, V) for i in range(3)] == ["0", "2", "7"]
    model.sort(0)
    assert [model.headerData(i, V) for i in range(3)] == ["7", "2", "0"]
    assert model.dataset_row(0) == 2  # position, not label
    assert "row 7 of the file" in model.headerData(0, V, Qt.ItemDataRole.ToolTipRole)


def test_same_layout_frame_swaps_values_without_reset(qtbot, model, frame):
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    model.sort(1)
    scaled = frame.copy()
    scaled["value"] = scaled["value"] * 10
    model.set_frame(scaled, label_column="label")
    assert not resets
    assert model.sort_column() == 1
    assert cell(model, 0, 1) == FLOAT_FORMAT.format(-12.5)


def test_row_tags_and_muted_columns(model):
    model.set_row_tags(np.array([0, 1, 0, 0, 1]), ("training set", "test set"))
    assert "test set" in model.headerData(1, V, Qt.ItemDataRole.ToolTipRole)
    model.set_muted_columns(["name"])
    assert cell(model, 0, 2, Qt.ItemDataRole.ForegroundRole) is not None
    assert cell(model, 0, 1, Qt.ItemDataRole.ForegroundRole) is None


def python_calls(action) -> int:
    """How many Python and builtin functions ``action()`` calls, counted with a profiler."""
    calls = 0

    def count(_frame, event, _arg):
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    previous = sys.getprofile()
    sys.setprofile(count)
    try:
        action()
    finally:
        sys.setprofile(previous)
    return calls


def test_million_rows_cost_only_the_visible_cells(qtbot):
    def table(n):
        rng = np.random.default_rng(0)
        return pd.DataFrame(
            {"a": rng.normal(size=n), "b": rng.integers(0, 9, n), "y": rng.integers(0, 2, n)}
        )

    n = 1_000_000
    small, frame = table(1_000), table(n)

    class CountingModel(DataFrameModel):
        rows_asked: set[int] = set()

        def data(self, index, role=DISPLAY):
            self.rows_asked.add(index.row())
            return super().data(index, role)

    # No per-row work when the frame is set or sorted: a thousand times the rows costs the
    # same Python calls (one per row would add a million), and no cell is formatted.
    small_model, model = CountingModel(), CountingModel()
    small_calls = python_calls(lambda: small_model.set_frame(small, label_column="y"))
    calls = python_calls(lambda: model.set_frame(frame, label_column="y"))
    assert calls - small_calls < 1_000
    assert not model.rows_asked
    assert model.rowCount() == n
    view = QTableView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.setModel(model)
    view.show()
    qtbot.waitExposed(view)
    view.grab()
    assert 0 < len(model.rows_asked) < 100
    model.rows_asked.clear()
    view.scrollToBottom()
    view.grab()
    assert model.rows_asked and min(model.rows_asked) > n - 100
    # numpy argsort, not Python comparisons through data()
    model.rows_asked.clear()
    small_calls = python_calls(lambda: small_model.sort(0))
    calls = python_calls(lambda: model.sort(0))
    assert calls - small_calls < 1_000
    assert not model.rows_asked
    assert np.all(np.diff(frame["a"].to_numpy()[model.row_order()]) >= 0)


def test_column_summary_model(qapp, frame):
    numbers = frame[["count", "value", "label"]]
    table = summarize(numbers)
    assert list(table.index) == list(SUMMARY_STATS)
    assert (
        table.loc["zeros", "count"] == 1 and table.loc["mean", "value"] == numbers["value"].mean()
    )
    model = ColumnSummaryModel()
    model.set_summary(table, [True, False, True], "raw values")
    assert (model.rowCount(), model.columnCount()) == (4, 3)
    text = [[model.data(model.index(r, c)) for c in range(3)] for r in range(4)]
    assert text[0] == ["0", FLOAT_FORMAT.format(-1.25), "0"]  # int columns: min as int
    assert text[2][0] == FLOAT_FORMAT.format(numbers["count"].mean())  # mean stays float
    assert text[3] == ["1", "0", "2"]  # zeros counted, NaN is not a zero
    assert [model.headerData(r, V) for r in range(4)] == list(SUMMARY_STATS)
    assert "raw values" in model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
