"""A read-only table model over a pandas DataFrame, sized for a million rows.

The view asks only for the cells it paints, so the model does no per-row Python work
when a frame is set: ``rowCount`` is ``len(frame)``, each column is held as one numpy
array, and ``data()`` formats a single value on request.

Sorting keeps an ``order`` permutation (view row -> frame row) computed with a stable
numpy argsort, so sorting a million rows takes milliseconds instead of the millions of
Python comparisons a ``QSortFilterProxyModel`` would make through ``data()``. The
vertical header shows each row's own number (the frame's index label when it is not a
plain range, e.g. where rows were dropped on load), so a sorted view still says which row
of the file each line is.

A *value column* (``set_value_column``) is one more numeric column after the frame's, held
outside the frame and replaced as often as its numbers change (a live quantity such as each
row's share of the gradient); it sorts like any other column.

``ColumnSummaryModel`` shows ``summarize(frame)`` (min, max, mean, zeros per column) as a
strip that lines up under the table.

Roles beyond Qt's own:
    SORT_ROLE         the raw value (numpy scalar converted to a Python number)
    DATASET_ROW_ROLE  the frame row behind a view row (int)
    HIGHLIGHT_ROLE    whether the row is highlighted (bool)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap

FLOAT_FORMAT = "{:.4f}"  # four decimals: aligned columns, enough for scaled values
MISSING_TEXT = "–"  # shown for NaN / NA cells
WIDEST_SCAN_ROWS = 20_000  # rows of a text column measured when a column is sized
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
DATASET_ROW_ROLE = Qt.ItemDataRole.UserRole + 2
HIGHLIGHT_ROLE = Qt.ItemDataRole.UserRole + 3

# Translucent colours read on light and dark palettes alike (they blend with the base).
HIGHLIGHT_COLOR = QColor(220, 50, 47, 110)  # misclassified rows
LABEL_TINT_COLOR = QColor(38, 139, 210, 40)  # cells of the label column
LABEL_HEADER_COLOR = QColor(38, 110, 190)  # label column header text and icon
LABEL_ICON_SIZE_PX = 12
MUTED_TEXT_COLOR = QColor(128, 128, 128)  # columns left out (e.g. unticked features)
SUMMARY_STATS = ("min", "max", "mean", "zeros")
STAT_TIPS = {
    "min": "Smallest value in the column (all rows)",
    "max": "Largest value in the column (all rows)",
    "mean": "Average over all rows; for a 0/1 label, the share of positive rows",
    "zeros": "How many values are exactly 0. In medical data such as the diabetes set a "
    "zero glucose, blood pressure, skin thickness, insulin or BMI means not measured.",
}

_ALIGN_NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ALIGN_TEXT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_VALID = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def _label_icon() -> QIcon:
    """A small filled target mark drawn once (needs a QGuiApplication)."""
    pixmap = QPixmap(LABEL_ICON_SIZE_PX, LABEL_ICON_SIZE_PX)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(LABEL_HEADER_COLOR)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(1, 1, LABEL_ICON_SIZE_PX - 2, LABEL_ICON_SIZE_PX - 2)
    painter.setBrush(LABEL_HEADER_COLOR)
    inner = LABEL_ICON_SIZE_PX // 2 - 2
    painter.drawEllipse(
        LABEL_ICON_SIZE_PX // 2 - inner // 2 - 1,
        LABEL_ICON_SIZE_PX // 2 - inner // 2 - 1,
        inner + 1,
        inner + 1,
    )
    painter.end()
    return QIcon(pixmap)


def _sort_key(values: np.ndarray) -> np.ndarray:
    """Something numpy can argsort: numbers as they are, anything else as text."""
    if values.dtype.kind in "biuf":
        return values
    return pd.Series(values).astype(str).to_numpy()


def stable_argsort(values: np.ndarray, descending: bool = False) -> np.ndarray:
    """Permutation that sorts ``values`` (n,); ties keep their original order either way.

    NaN sorts last ascending and first descending, as a reversed ascending order would.
    """
    key = _sort_key(values)
    if not descending:
        return np.argsort(key, kind="stable")
    n = len(key)
    # Sorting the reversed array stably and reversing the result keeps ties in frame order.
    return (n - 1 - np.argsort(key[::-1], kind="stable"))[::-1].copy()


class DataFrameModel(QAbstractTableModel):
    """Read-only model over a DataFrame with numpy sorting, a label column and row highlights.

    ``frame`` has one row per sample; ``label_column`` (if given) is drawn marked.
    """

    def __init__(
        self,
        frame: pd.DataFrame | None = None,
        *,
        label_column: str | None = None,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self._frame = pd.DataFrame()
        self._columns: list[np.ndarray] = []
        self._kinds: list[str] = []
        self._names: list[str] = []
        self._row_labels: np.ndarray | None = None
        self._label_col = -1
        self._order: np.ndarray | None = None  # view row -> frame row; None = identity
        self._inverse: np.ndarray | None = None  # frame row -> view row (lazy)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._highlight: np.ndarray | None = None
        self._predicted: np.ndarray | None = None
        self._column_tips: dict[str, str] = {}
        self._muted: frozenset[int] = frozenset()
        self._row_tags: np.ndarray | None = None
        self._row_tag_names: tuple[str, ...] = ()
        self._label_icon: QIcon | None = None
        self._value_name: str | None = None  # the value column, shown after the frame's
        self._value: np.ndarray = np.zeros(0)
        self._value_muted: np.ndarray | None = None
        self._value_tip = ""
        self._value_format = FLOAT_FORMAT
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)
        self._highlight_brush = QBrush(HIGHLIGHT_COLOR)
        self._label_brush = QBrush(LABEL_TINT_COLOR)
        if frame is not None:
            self.set_frame(frame, label_column=label_column)

    # ----------------------------------------------------------------- content
    def set_frame(
        self, frame: pd.DataFrame, *, label_column: str | None = None, keep_sort: bool = True
    ) -> None:
        """Show ``frame`` (n rows); re-applies the current sort if ``keep_sort`` and it fits.

        A frame with the same columns, index and label as the current one (e.g. scaled
        instead of raw values) only swaps the values, so selection and scroll position
        survive. Otherwise the model resets; highlights and row tags are cleared when the
        row count changes.
        """
        same_layout = (
            keep_sort
            and self._columns
            and label_column == self.label_column
            and [str(c) for c in frame.columns] == self._names
            and frame.index.equals(self._frame.index)
        )
        if same_layout:
            self._frame = frame
            self._columns = [frame.iloc[:, j].to_numpy() for j in range(frame.shape[1])]
            self._kinds = [col.dtype.kind for col in self._columns]
            if self._sort_column >= 0:
                self._apply_order(self._compute_order(self._sort_column, self._sort_order))
            rows, cols = self.rowCount(), self.columnCount()
            if rows and cols:
                self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, cols - 1))
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, cols - 1)
            return
        self.beginResetModel()
        old_rows = len(self._frame)
        self._frame = frame
        self._names = [str(c) for c in frame.columns]
        self._columns = [frame.iloc[:, j].to_numpy() for j in range(frame.shape[1])]
        self._kinds = [col.dtype.kind for col in self._columns]
        # Rows dropped on load leave gaps in the index; the header shows the file's numbering.
        index = frame.index
        self._row_labels = None if isinstance(index, pd.RangeIndex) else index.to_numpy()
        self._label_col = self._names.index(label_column) if label_column in self._names else -1
        self._muted = frozenset()
        self._order = None
        self._inverse = None
        if len(frame) != old_rows:
            self._highlight = None
            self._predicted = None
            self._row_tags = None
            if self._value_name is not None:
                self._value = np.full(len(frame), np.nan)
                self._value_muted = None
        if keep_sort and 0 <= self._sort_column < self._n_columns():
            self._order = self._compute_order(self._sort_column, self._sort_order)
        else:
            self._sort_column = -1
        self.endResetModel()

    def frame(self) -> pd.DataFrame:
        """The DataFrame shown, in frame (not view) order."""
        return self._frame

    @property
    def label_column(self) -> str | None:
        return self._names[self._label_col] if self._label_col >= 0 else None

    def set_column_tooltips(self, tips: Mapping[str, str]) -> None:
        """Header tooltips by column name (the label column gets its own note added)."""
        self._column_tips = dict(tips)
        if self._names:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._names) - 1)

    def set_muted_columns(self, names: Sequence[str]) -> None:
        """Draw the cells and headers of these columns greyed out (e.g. columns left out)."""
        self._muted = frozenset(j for j, name in enumerate(self._names) if name in set(names))
        rows, cols = self.rowCount(), self.columnCount()
        if rows and cols:
            roles = [Qt.ItemDataRole.ForegroundRole]
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, cols - 1), roles)
        if cols:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, cols - 1)

    def set_row_tags(self, codes: np.ndarray | None, names: Sequence[str] = ()) -> None:
        """Tag each frame row with ``names[codes[row]]`` (codes (n,) ints) for header tooltips."""
        self._row_tags = None if codes is None else np.asarray(codes)
        self._row_tag_names = tuple(names)

    # ------------------------------------------------------------ value column
    def set_value_column(
        self,
        name: str | None,
        values: np.ndarray | None = None,
        *,
        muted: np.ndarray | None = None,
        tooltip: str = "",
        number_format: str = FLOAT_FORMAT,
    ) -> None:
        """Show ``values`` (n,) floats, NaN for none, as a last column called ``name``.

        ``muted`` (n,) bool draws those cells greyed; ``tooltip`` is the header's tooltip.
        ``name`` None removes the column. The same name again replaces the numbers in place
        (the view keeps its selection; a sort by this column is applied again).
        """
        if name is None:
            if self._value_name is not None:
                column = len(self._columns)
                if self._sort_column == column:
                    self.sort(-1)
                self.beginRemoveColumns(_ROOT, column, column)
                self._value_name = None
                self.endRemoveColumns()
            return
        n = len(self._frame)
        values = np.full(n, np.nan) if values is None else np.asarray(values, dtype=np.float64)
        if values.shape != (n,):
            raise ValueError(f"value column has shape {values.shape}, expected ({n},)")
        if muted is not None:
            muted = np.asarray(muted, dtype=bool)
            if muted.shape != (n,):
                raise ValueError(f"muted rows have shape {muted.shape}, expected ({n},)")
        column = len(self._columns)
        adding = self._value_name is None
        if adding:
            self.beginInsertColumns(_ROOT, column, column)
        renamed = self._value_name != name
        self._value_name, self._value, self._value_muted = name, values, muted
        self._value_tip, self._value_format = tooltip, number_format
        if adding:
            self.endInsertColumns()
            return
        if self._sort_column == column:
            self._apply_order(self._compute_order(column, self._sort_order))
        if n:
            self.dataChanged.emit(self.index(0, column), self.index(n - 1, column))
        if renamed:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, column, column)

    def value_column(self) -> np.ndarray | None:
        """The value column's numbers in frame order (n,), or None when there is none."""
        return None if self._value_name is None else self._value

    # -------------------------------------------------------------- highlights
    def set_highlight(self, mask: np.ndarray | None, predicted: np.ndarray | None = None) -> None:
        """Highlight frame rows where ``mask`` (n,) is true; ``predicted`` (n,) feeds tooltips.

        Repaints only what the view shows: one dataChanged over the whole table.
        """
        if mask is not None:
            mask = np.asarray(mask, dtype=bool)
            if mask.shape != (len(self._frame),):
                raise ValueError(
                    f"highlight mask has shape {mask.shape}, expected ({len(self._frame)},)"
                )
        self._highlight = mask
        self._predicted = None if predicted is None else np.asarray(predicted)
        rows, cols = self.rowCount(), self.columnCount()
        if rows and cols:
            roles = [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole, HIGHLIGHT_ROLE]
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, cols - 1), roles)
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, rows - 1)

    def highlight_mask(self) -> np.ndarray | None:
        """The current mask in frame order (n,), or None."""
        return self._highlight

    # ------------------------------------------------------------ row mapping
    def dataset_row(self, view_row: int) -> int:
        """The frame row shown at ``view_row``."""
        return int(self._order[view_row]) if self._order is not None else int(view_row)

    def view_row(self, dataset_row: int) -> int:
        """Where frame row ``dataset_row`` is shown."""
        if self._order is None:
            return int(dataset_row)
        if self._inverse is None:
            self._inverse = np.empty_like(self._order)
            self._inverse[self._order] = np.arange(len(self._order))
        return int(self._inverse[dataset_row])

    def row_order(self) -> np.ndarray:
        """Frame rows in view order (n,)."""
        if self._order is None:
            return np.arange(len(self._frame))
        return self._order.copy()

    # ------------------------------------------------------------------ sorting
    def sort_column(self) -> int:
        return self._sort_column

    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    def _n_columns(self) -> int:
        return len(self._columns) + (self._value_name is not None)

    def _column_values(self, column: int) -> np.ndarray:
        return self._value if column == len(self._columns) else self._columns[column]

    def widest_rows(self, column: int, limit: int = WIDEST_SCAN_ROWS) -> list[int]:
        """View rows whose cells in ``column`` show the longest text (for sizing the column).

        Numbers are shown with a fixed number of decimals, so the longest text belongs to the
        largest or the most negative value; for text the longest string wins. Only the first
        ``limit`` rows of a text column are measured. Costs a few numpy passes, where Qt's
        own fitting asks ``data()`` for every cell of up to 1,000 rows.
        """
        if not (0 <= column < self._n_columns()) or self.rowCount() == 0:
            return []
        values = self._column_values(column)
        frame_rows: set[int] = set()
        if values.dtype.kind in "biuf":
            finite = np.flatnonzero(~np.isnan(values)) if values.dtype.kind == "f" else None
            if finite is not None and len(finite) == 0:
                frame_rows.add(0)
            else:
                pool = values if finite is None else values[finite]
                for pick in (int(np.argmax(pool)), int(np.argmin(pool))):
                    frame_rows.add(pick if finite is None else int(finite[pick]))
        else:
            head = values[:limit]
            lengths = np.fromiter(
                (len(self._format(v, values.dtype.kind)) for v in head), dtype=np.int64,
                count=len(head),
            )  # fmt: skip
            frame_rows.add(int(np.argmax(lengths)))
        return sorted(self.view_row(row) for row in frame_rows)

    def _compute_order(self, column: int, order: Qt.SortOrder) -> np.ndarray:
        values = self._column_values(column)
        return stable_argsort(values, order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (numpy argsort); ``column`` < 0 restores frame order."""
        if not self._columns:
            self._sort_column, self._sort_order = column, order
            return
        if column == self._sort_column and order == self._sort_order:
            # QTableView.sortByColumn asks twice for one click; the frame is read-only.
            return
        self._sort_column, self._sort_order = column, order
        in_range = 0 <= column < self._n_columns()
        self._apply_order(self._compute_order(column, order) if in_range else None)

    def _apply_order(self, order: np.ndarray | None) -> None:
        """Switch to ``order`` (view row -> frame row), moving selections with their rows."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        frame_rows = [self.dataset_row(idx.row()) for idx in persistent]
        self._order = order
        self._inverse = None
        moved = [
            self.index(self.view_row(row), idx.column())
            for idx, row in zip(persistent, frame_rows, strict=True)
        ]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    # ------------------------------------------------------------- Qt interface
    def rowCount(self, parent: _VALID = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._frame)

    def columnCount(self, parent: _VALID = _ROOT) -> int:
        return 0 if parent.isValid() else self._n_columns()

    def flags(self, index: _VALID) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _VALID, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        col = index.column()
        row = self._order[index.row()] if self._order is not None else index.row()
        if col == len(self._columns):
            return self._value_data(int(row), role)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._format(self._columns[col][row], self._kinds[col])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_NUMBER if self._kinds[col] in "biuf" else _ALIGN_TEXT
        if role == Qt.ItemDataRole.BackgroundRole:
            if self._highlight is not None and self._highlight[row]:
                return self._highlight_brush
            return self._label_brush if col == self._label_col else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return MUTED_TEXT_COLOR if col in self._muted else None
        if role == SORT_ROLE:
            value = self._columns[col][row]
            return value.item() if isinstance(value, np.generic) else value
        if role == DATASET_ROW_ROLE:
            return int(row)
        if role == HIGHLIGHT_ROLE:
            return bool(self._highlight is not None and self._highlight[row])
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._cell_tooltip(int(row), col)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(self._frame):
                return None
            row = self.dataset_row(section)
            if role == Qt.ItemDataRole.DisplayRole:
                return str(self._row_labels[row]) if self._row_labels is not None else str(row)
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._row_tooltip(row)
            if role == Qt.ItemDataRole.BackgroundRole and self._is_highlighted(row):
                return self._highlight_brush
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _ALIGN_NUMBER
            return None
        if section == len(self._names) and self._value_name is not None:
            if role == Qt.ItemDataRole.DisplayRole:
                return self._value_name
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._value_tip or self._value_name
            if role == Qt.ItemDataRole.FontRole:  # set apart: not a column of the file
                return self._italic
            return None
        if not 0 <= section < len(self._names):
            return None
        name = self._names[section]
        is_label = section == self._label_col
        if role == Qt.ItemDataRole.DisplayRole:
            return name
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self._column_tips.get(name, name)
            if is_label:
                tip += "\nLabel column: the value the model learns to predict."
            if section != self._sort_column:
                tip += "\nClick to sort by this column."
            elif self._sort_order == Qt.SortOrder.AscendingOrder:
                tip += "\nSorted ascending; click for descending."
            else:
                tip += "\nSorted descending; click again for the original order."
            return tip
        if role == Qt.ItemDataRole.ForegroundRole and section in self._muted:
            return MUTED_TEXT_COLOR
        if is_label:
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            if role == Qt.ItemDataRole.ForegroundRole:
                return LABEL_HEADER_COLOR
            if role == Qt.ItemDataRole.DecorationRole:
                if self._label_icon is None:
                    self._label_icon = _label_icon()
                return self._label_icon
        return None

    # ------------------------------------------------------------------ helpers
    def _value_data(self, row: int, role: int):
        value = float(self._value[row])
        if role == Qt.ItemDataRole.DisplayRole:
            return MISSING_TEXT if value != value else self._value_format.format(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_NUMBER
        if role == SORT_ROLE:
            return value
        if role == DATASET_ROW_ROLE:
            return row
        if role == HIGHLIGHT_ROLE:
            return self._is_highlighted(row)
        if role == Qt.ItemDataRole.ForegroundRole:
            muted = self._value_muted is not None and self._value_muted[row]
            return MUTED_TEXT_COLOR if muted else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._highlight_brush if self._is_highlighted(row) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self._value_name} = {value:g}" if value == value else self._value_tip
        return None

    def _is_highlighted(self, row: int) -> bool:
        return self._highlight is not None and bool(self._highlight[row])

    @staticmethod
    def _format(value, kind: str) -> str:
        if kind == "f":
            return MISSING_TEXT if value != value else FLOAT_FORMAT.format(value)
        if kind in "iu":
            return str(int(value))
        if kind == "b":
            return "true" if value else "false"
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return MISSING_TEXT
        return str(value)

    def _row_tooltip(self, row: int) -> str:
        parts = [f"Row {row} of the dataset"]
        label = self._row_labels[row] if self._row_labels is not None else row
        if isinstance(label, str):  # the file's own row labels (R's row names, say)
            parts[0] += f" (labelled {label!r} in the file)"
        elif label != row:
            parts[0] += f" (row {label} of the file)"
        if self._row_tags is not None and 0 <= int(self._row_tags[row]) < len(self._row_tag_names):
            parts.append(self._row_tag_names[int(self._row_tags[row])])
        if self._is_highlighted(row):
            parts.append("misclassified")
        return " · ".join(parts)

    def _cell_tooltip(self, row: int, col: int) -> str:
        value = self._columns[col][row]
        if isinstance(value, np.generic):
            value = value.item()
        tip = (
            f"{self._names[col]} = {value!r}"
            if isinstance(value, str)
            else f"{self._names[col]} = {value}"
        )
        if self._is_highlighted(row):
            tip += "\nMisclassified by the current weights"
            if self._predicted is not None and self._label_col >= 0:
                label = self._format(
                    self._columns[self._label_col][row], self._kinds[self._label_col]
                )
                tip += f": predicted {int(self._predicted[row])}, label {label}"
        return tip


def summarize(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-column min, max, mean and count of zeros of ``frame`` (n, k) -> (4, k).

    Rows are SUMMARY_STATS; computed with pandas, column by column, over all rows.
    """
    return pd.DataFrame(
        [frame.min(), frame.max(), frame.mean(), (frame == 0).sum()], index=list(SUMMARY_STATS)
    )


class ColumnSummaryModel(QAbstractTableModel):
    """Per-column min, max, mean and count of zeros: rows are SUMMARY_STATS, (4, n_columns)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._table = pd.DataFrame(index=list(SUMMARY_STATS))  # one column per shown column
        self._values = np.empty((len(SUMMARY_STATS), 0))  # the same, read cell by cell
        self._integer: list[bool] = []
        self._scope = ""

    def set_summary(self, table: pd.DataFrame, integer: list[bool], scope: str) -> None:
        """``table`` (4, n_columns); ``integer[j]`` shows min/max of column j as ints."""
        self.beginResetModel()
        self._table, self._integer, self._scope = table, integer, scope
        # data() reads one float per call: numpy indexing, not pandas' (ten times slower).
        self._values = table.to_numpy(dtype=np.float64, na_value=np.nan)
        self.endResetModel()

    def table(self) -> pd.DataFrame:
        return self._table

    def rowCount(self, parent: _VALID = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._table)

    def columnCount(self, parent: _VALID = _ROOT) -> int:
        return 0 if parent.isValid() else self._table.shape[1]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        value = float(self._values[row, col])
        stat = SUMMARY_STATS[row]
        if role == Qt.ItemDataRole.DisplayRole:
            if value != value:
                return MISSING_TEXT
            if stat == "zeros" or (stat in ("min", "max") and self._integer[col]):
                return f"{int(value):,}" if stat == "zeros" else str(int(value))
            return FLOAT_FORMAT.format(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_NUMBER
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{stat} of {self._table.columns[col]} ({self._scope}): {value:g}"
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(SUMMARY_STATS):
            if role == Qt.ItemDataRole.DisplayRole:
                return SUMMARY_STATS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return STAT_TIPS[SUMMARY_STATS[section]]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _ALIGN_NUMBER
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return str(self._table.columns[section])
        return None
