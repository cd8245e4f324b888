"""Pick which weights the plots show when a table has more features than a plot can label.

``WeightPicker`` is a flat button (the plots panel puts it on the weights plot's title row,
with the title as its text) whose popup holds a search field, a checkable list of the
feature names (a list model, so ten thousand names cost nothing to build) and a "Largest
|w|" button that goes back to showing the largest weights. Checking or unchecking a name
emits ``picks_changed(tuple)`` with the feature indices now picked (at most ``limit``);
"Largest |w|" emits ``picks_changed(None)``. The plots panel tells the
picker what it shows with ``set_shown``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

LIST_WIDTH_PX = 260
LIST_HEIGHT_PX = 320

AnyIndex = QModelIndex | QPersistentModelIndex


class FeatureCheckModel(QAbstractListModel):
    """Feature names, each with a check box; ``checked`` is the set of checked rows."""

    toggled = Signal(int, bool)  # row, checked (asked for by the user; not yet applied)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._names: tuple[str, ...] = ()
        self.checked: frozenset[int] = frozenset()

    def set_names(self, names: Sequence[str]) -> None:
        self.beginResetModel()
        self._names = tuple(names)
        self.checked = frozenset()
        self.endResetModel()

    def set_checked(self, rows: Iterable[int]) -> None:
        new = frozenset(rows)
        changed = new ^ self.checked
        self.checked = new
        for row in changed:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._names)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._names[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole:
            checked = index.row() in self.checked
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
        )

    def setData(self, index: AnyIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        self.toggled.emit(index.row(), checked)
        return True


class WeightPicker(QToolButton):
    """The picker button and its popup (see the module docstring)."""

    picks_changed = Signal(object)  # tuple[int, ...] of feature indices, or None: largest

    def __init__(self, limit: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weightsPickerButton")
        self.setText("Weights shown…")
        self.setToolTip("Choose which weights the plots show")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setAutoRaise(True)
        self.limit = limit
        self._shown: tuple[int, ...] = ()

        self.model = FeatureCheckModel(self)
        self.model.toggled.connect(self._on_model_toggled)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        popup = QWidget()
        layout = QVBoxLayout(popup)
        layout.setContentsMargins(6, 6, 6, 6)
        self.search = QLineEdit(objectName="weightsSearch")
        self.search.setPlaceholderText("Search features")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.list_view = QListView(objectName="weightsList")
        self.list_view.setModel(self.proxy)
        self.list_view.setUniformItemSizes(True)  # lays out 10,000 rows without measuring each
        self.list_view.setFixedSize(LIST_WIDTH_PX, LIST_HEIGHT_PX)
        self.hint = QLabel(objectName="weightsHint")
        self.hint.setWordWrap(True)
        self.largest_button = QPushButton(f"Largest {limit} |w|", objectName="weightsLargestButton")
        self.largest_button.setToolTip(
            f"Show the {limit} weights farthest from zero, as they change"
        )
        self.largest_button.clicked.connect(lambda: self.picks_changed.emit(None))
        for widget in (self.search, self.list_view, self.hint, self.largest_button):
            layout.addWidget(widget)
        menu = QMenu(self)
        action = QWidgetAction(menu)
        action.setDefaultWidget(popup)
        menu.addAction(action)
        menu.aboutToShow.connect(self.search.setFocus)
        self.setMenu(menu)

    def set_names(self, names: Sequence[str]) -> None:
        """The feature names (the bias is always shown and not listed)."""
        self.search.clear()
        self.model.set_names(names)
        self._shown = ()
        self.hint.setText(
            f"Up to {self.limit} of {len(names):,} weights; the bias is always shown."
        )

    def set_shown(self, features: Sequence[int], automatic: bool) -> None:
        """Tick the features the plots show; ``automatic`` when they are the largest |w|."""
        self._shown = tuple(features)
        self.model.set_checked(self._shown)
        how = f"the {len(self._shown)} largest |w|" if automatic else "your choice"
        self.setToolTip(f"Choose which weights the plots show (now: {how})")

    def _on_model_toggled(self, row: int, checked: bool) -> None:
        picks = [f for f in self._shown if f != row]
        if checked:
            if len(picks) >= self.limit:
                self.hint.setText(f"At most {self.limit} weights at once: untick one first.")
                return
            picks.append(row)
        self.picks_changed.emit(tuple(picks))
