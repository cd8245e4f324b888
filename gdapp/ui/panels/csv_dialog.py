"""The table import dialog: preview a CSV or Excel file, choose label, classes, features,
missing values, scaling and split.

The preview reads only the first ``PREVIEW_ROWS`` rows on the GUI thread, converted exactly
as the loader converts them (``gdapp.datasets.open_table``), so a column the preview shows
as numbers loads as numbers. Notes about how the file was read (delimiter, encoding, row
labels, thousands separators) appear in the message area. Load runs
``load_csv`` on a background thread (``DatasetLoader``) with a progress bar in the dialog;
Cancel stops a running load first and closes the dialog on a second press. On success the
dataset goes to ``session.set_dataset``; on failure a message box names the file and
the problem, the dialog keeps every choice, and the current dataset stays as it was.

Nothing here blocks: the dialog is shown with ``open()`` and error boxes with ``open()``,
so tests drive it through its setters and ``accept()``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gdapp.datasets import DatasetError, encode_labels, label_classes, open_table
from gdapp.ui.dataset_loader import DatasetLoader, ErrorReporter, describe_error, show_load_error
from gdapp.ui.models.dataframe_model import DataFrameModel
from gdapp.ui.settings import make_settings

if TYPE_CHECKING:
    from gdapp.ui.controller import TrainingSession

PREVIEW_ROWS = 50
DEFAULT_TEST_FRACTION = 0.2
MAX_TEST_FRACTION = 0.9
MAX_SEED = 2**31 - 1
PROGRESS_RESOLUTION = 1000  # progress bar steps for a fraction in [0, 1]
LAST_DIR_KEY = "dataset_browser/last_csv_dir"
SCALINGS = (
    (
        "minmax",
        "Min–max to [−1, 1]",
        "Each feature mapped linearly so the training rows span [−1, 1].",
    ),
    (
        "standard",
        "Standardise",
        "Each feature shifted and divided: mean 0 and standard deviation 1 on the training rows.",
    ),
    (
        "none",
        "None (raw values)",
        "Features used as they are in the file; large values slow gradient descent down.",
    ),
)
MISSING_CHOICES = (
    ("drop", "Leave those rows out", "Rows with a missing feature value are not used."),
    (
        "fill",
        "Fill with the training median",
        "A missing value becomes the median of its column over the training rows.",
    ),
)
ERROR_STYLE = "color: #c0392b;"
NOTE_STYLE = "color: palette(placeholder-text);"
_NAME_ROLE = Qt.ItemDataRole.UserRole


def _distinct_labels(column: pd.Series) -> list[str]:
    """The classes of a label column as load_csv tells them apart, in its sorted order."""
    _, classes, spelling, _, _ = label_classes(column.dropna())
    return [spelling[c] for c in classes]


def _is_numeric(column: pd.Series) -> bool:
    return column.dtype.kind in "iuf"


class CsvImportDialog(QDialog):
    """Choose how a CSV file becomes a dataset, then load it in the background.

    ``session`` receives the loaded dataset (``set_dataset``). ``path`` pre-fills the
    file (e.g. a dropped file). ``dataset_loaded(Dataset)`` is emitted after a load.
    """

    dataset_loaded = Signal(object)

    def __init__(
        self,
        session: TrainingSession,
        path: str | os.PathLike[str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("csvImportDialog")
        self.setWindowTitle("Open CSV")
        self.setSizeGripEnabled(True)
        self.resize(800, 600)
        self._controller = session
        self._path: Path | None = None
        self._preview = pd.DataFrame()
        self._preview_error = ""
        self._preview_notes: list[str] = []
        self._sheets: tuple[str, ...] = ()
        self._restoring = False
        self._shown_label: str | None = None
        self.report_error: ErrorReporter = show_load_error
        self.error_box: object | None = None
        self.last_error = ""
        self._loader = DatasetLoader(self)
        self._build()
        self._loader.progress.connect(self._on_loader_progress)
        self._loader.loaded.connect(self._on_loader_loaded)
        self._loader.failed.connect(self._on_loader_failed)
        self._loader.cancelled.connect(self._on_loader_cancelled)
        if path is not None:
            self.set_path(path)
        self._revalidate()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self._path_input = QLineEdit(objectName="csvPathInput")
        self._path_input.setPlaceholderText("Choose a CSV or Excel file with a header line…")
        self._path_input.setToolTip(
            "The table to load: CSV (comma, semicolon, tab or | separated; any usual\n"
            "encoding; may be compressed) or an Excel workbook, with one header line.\n"
            "Enter previews the file; Load reads it."
        )
        self._path_input.editingFinished.connect(self._on_path_input_edited)
        browse = QPushButton("Browse…", objectName="browseButton")
        browse.setToolTip("Choose a CSV file")
        browse.clicked.connect(self._on_browse_clicked)
        file_row = QHBoxLayout()
        file_row.addWidget(QLabel("File:"))
        file_row.addWidget(self._path_input, 1)
        file_row.addWidget(browse)

        self._preview_model = DataFrameModel(parent=self)
        self._preview_view = QTableView(objectName="csvPreviewTable")
        self._preview_view.setModel(self._preview_model)
        self._preview_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self._preview_view.setAlternatingRowColors(True)
        self._preview_view.verticalHeader().setDefaultSectionSize(
            self._preview_view.fontMetrics().height() + 6
        )
        self._preview_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive
        )
        self._preview_view.horizontalHeader().setMinimumSectionSize(
            self._preview_view.fontMetrics().horizontalAdvance("0000.00")
        )
        self._preview_view.setToolTip("")
        self._preview_box = QGroupBox("Preview")
        preview_layout = QVBoxLayout(self._preview_box)
        self._file_info = QLabel(objectName="csvFileInfo")
        self._file_info.setStyleSheet(NOTE_STYLE)
        preview_layout.addWidget(self._file_info)
        preview_layout.addWidget(self._preview_view)

        self._label_input = QComboBox(objectName="labelColumnInput")
        self._label_input.setToolTip("The column the model learns to predict (two classes).")
        self._label_input.currentIndexChanged.connect(self._on_label_input_changed)
        self._positive_input = QComboBox(objectName="positiveClassInput")
        self._positive_input.setEditable(True)
        self._positive_input.setToolTip(
            "The class mapped to 1 (the one the model's probability is about).\n"
            "Filled from the label values in the preview; type another value if the\n"
            "preview shows only one class."
        )
        self._positive_input.lineEdit().setPlaceholderText("automatic")
        self._positive_input.currentTextChanged.connect(self._revalidate)
        self._scaling_input = QComboBox(objectName="scalingInput")
        for index, (kind, text, tip) in enumerate(SCALINGS):
            self._scaling_input.addItem(text, kind)
            self._scaling_input.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self._scaling_input.setToolTip(
            "How features are scaled before training (fitted on the training rows only)."
        )
        self._test_input = QDoubleSpinBox(objectName="testFractionInput")
        self._test_input.setRange(0.0, MAX_TEST_FRACTION)
        self._test_input.setSingleStep(0.05)
        self._test_input.setDecimals(2)
        self._test_input.setValue(DEFAULT_TEST_FRACTION)
        self._test_input.setToolTip(
            "Share of each class held out as the test set (0 = train on every row)."
        )
        self._sheet_input = QComboBox(objectName="sheetInput")
        self._sheet_input.setToolTip("The workbook's sheet to read.")
        self._sheet_input.currentIndexChanged.connect(self._on_sheet_input_changed)
        self._missing_input = QComboBox(objectName="missingInput")
        for index, (kind, text, tip) in enumerate(MISSING_CHOICES):
            self._missing_input.addItem(text, kind)
            self._missing_input.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self._missing_input.setToolTip(
            'What happens to rows with missing values ("", NA, NaN, ?, spaces only).\n'
            "A row without a label is always left out."
        )
        self._seed_input = QSpinBox(objectName="seedInput")
        self._seed_input.setRange(0, MAX_SEED)
        self._seed_input.setToolTip("Seed of the random train/test split: same seed, same split.")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Sheet:", self._sheet_input)
        self._sheet_row_label = form.labelForField(self._sheet_input)
        form.addRow("Label column:", self._label_input)
        form.addRow("Positive class (1):", self._positive_input)
        form.addRow("Missing values:", self._missing_input)
        form.addRow("Scaling:", self._scaling_input)
        form.addRow("Test fraction:", self._test_input)
        form.addRow("Split seed:", self._seed_input)

        self._features_input = QListWidget(objectName="featureColumnsInput")
        self._features_input.setToolTip("Tick the columns to use as features.")
        self._features_input.itemChanged.connect(self._on_features_input_changed)
        # The list scrolls; the preview above gets the height.
        self._features_input.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self._features_input.setMinimumHeight(6 * self._features_input.fontMetrics().height())
        select_all = QPushButton("All", objectName="selectAllFeatures")
        select_all.setToolTip("Tick every numeric column except the label")
        select_all.clicked.connect(lambda: self._tick_all(True))
        select_none = QPushButton("None", objectName="selectNoFeatures")
        select_none.setToolTip("Untick every feature column")
        select_none.clicked.connect(lambda: self._tick_all(False))
        feature_buttons = QHBoxLayout()
        feature_buttons.addWidget(select_all)
        feature_buttons.addWidget(select_none)
        feature_buttons.addStretch(1)
        features_box = QGroupBox("Feature columns")
        features_layout = QVBoxLayout(features_box)
        features_layout.addWidget(self._features_input)
        features_layout.addLayout(feature_buttons)
        options_box = QGroupBox("Options")
        options_box.setLayout(form)
        options_row = QHBoxLayout()
        options_row.addWidget(options_box, 3)
        options_row.addWidget(features_box, 2)

        self._message = QLabel(objectName="validationMessage")
        self._message.setWordWrap(True)
        self._message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._progress = QProgressBar(objectName="loadProgress")
        self._progress.setRange(0, PROGRESS_RESOLUTION)
        self._progress.setTextVisible(True)
        self._progress.setFormat("Loading… %p%")
        self._progress.setVisible(False)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._load_button = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        self._load_button.setText("Load")
        self._load_button.setObjectName("loadButton")
        self._load_button.setToolTip("Read the whole file with these choices")
        # Enter in the path field previews; only a click (or Alt+L) loads.
        self._load_button.setAutoDefault(False)
        self._load_button.setDefault(False)
        self._cancel_button = self._buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self._cancel_button.setObjectName("cancelButton")
        self._cancel_button.setAutoDefault(False)
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addWidget(self._preview_box, 1)
        layout.addLayout(options_row)
        layout.addWidget(self._message)
        layout.addWidget(self._progress)
        layout.addWidget(self._buttons)
        self._set_sheets((), None)
        self._inputs: Sequence[QWidget] = (
            self._path_input,
            browse,
            self._sheet_input,
            self._missing_input,
            self._label_input,
            self._positive_input,
            self._scaling_input,
            self._test_input,
            self._seed_input,
            self._features_input,
            select_all,
            select_none,
        )

    # ------------------------------------------------------------- public API
    @property
    def loader(self) -> DatasetLoader:
        return self._loader

    def path(self) -> Path | None:
        return self._path

    def preview_model(self) -> DataFrameModel:
        return self._preview_model

    def preview_frame(self) -> pd.DataFrame:
        return self._preview

    def set_path(self, path: str | os.PathLike[str], sheet: str | None = None) -> bool:
        """Preview ``path`` and reset the choices to its defaults; False if unreadable.

        ``sheet`` picks a workbook's sheet (default: the first)."""
        self._path = Path(path)
        if self._path_input.text() != str(self._path):
            self._path_input.setText(str(self._path))
        try:
            source = open_table(self._path, sheet)
            preview, notes = source.preview(PREVIEW_ROWS)
        except DatasetError as error:
            self._preview_error = describe_error(error)
            self._preview_notes = []
            self._set_sheets((), None)
            preview = pd.DataFrame()
        else:
            self._preview_error = ""
            self._preview_notes = notes
            sheets, current = source.sheets, source.sheet
            if sheets and isinstance(current, int):
                current = sheets[current]
            self._set_sheets(sheets, str(current) if sheets else None)
        self._set_preview(preview)
        self._revalidate()
        return not self._preview_error

    def sheet(self) -> str | None:
        """The chosen sheet of a workbook; None for a CSV file."""
        return self._sheet_input.currentText() or None if self._sheets else None

    def set_sheet(self, name: str) -> None:
        index = self._sheet_input.findText(name)
        if index < 0:
            raise ValueError(f"no sheet {name!r} in {self._path}")
        self._sheet_input.setCurrentIndex(index)

    def missing(self) -> str:
        return self._missing_input.currentData()

    def set_missing(self, kind: str) -> None:
        index = self._missing_input.findData(kind)
        if index < 0:
            raise ValueError(f"unknown missing-value choice {kind!r}")
        self._missing_input.setCurrentIndex(index)

    def notes(self) -> list[str]:
        """What the preview found about how the file is read (delimiter, encoding, ...)."""
        return list(self._preview_notes)

    def label_column(self) -> str | None:
        return self._label_input.currentText() or None

    def set_label_column(self, name: str) -> None:
        index = self._label_input.findText(name)
        if index < 0:
            raise ValueError(f"no column {name!r} in {self._path}")
        self._label_input.setCurrentIndex(index)

    def positive_class(self) -> str | None:
        """The class typed or chosen as positive; None lets the loader decide."""
        return self._positive_input.currentText().strip() or None

    def positive_choices(self) -> list[str]:
        return [self._positive_input.itemText(i) for i in range(self._positive_input.count())]

    def set_positive_class(self, value: str) -> None:
        self._positive_input.setCurrentText(str(value))

    def feature_columns(self) -> list[str]:
        """Ticked feature columns in file order."""
        return [
            item.data(_NAME_ROLE)
            for item in self._feature_items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def set_feature_columns(self, names: Sequence[str]) -> None:
        wanted = set(names)
        unknown = wanted - {item.data(_NAME_ROLE) for item in self._feature_items()}
        if unknown:
            raise ValueError(f"no column(s) {sorted(unknown)} in {self._path}")
        self._restoring = True
        for item in self._feature_items():
            if item.flags() & Qt.ItemFlag.ItemIsEnabled:
                checked = item.data(_NAME_ROLE) in wanted
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self._restoring = False
        self._on_features_input_changed()

    def scaling(self) -> str:
        return self._scaling_input.currentData()

    def set_scaling(self, kind: str) -> None:
        index = self._scaling_input.findData(kind)
        if index < 0:
            raise ValueError(f"unknown scaling {kind!r}")
        self._scaling_input.setCurrentIndex(index)

    def test_fraction(self) -> float:
        return float(self._test_input.value())

    def set_test_fraction(self, fraction: float) -> None:
        self._test_input.setValue(fraction)

    def seed(self) -> int:
        return int(self._seed_input.value())

    def set_seed(self, seed: int) -> None:
        self._seed_input.setValue(seed)

    def options(self) -> dict:
        """Keyword arguments for ``load_csv`` as currently chosen."""
        options = {
            "label": self.label_column(),
            "features": self.feature_columns(),
            "positive": self.positive_class(),
            "scale": self.scaling(),
            "test_fraction": self.test_fraction(),
            "seed": self.seed(),
            "missing": self.missing(),
        }
        if self.sheet() is not None:
            options["sheet"] = self.sheet()
        return options

    def validation_message(self) -> str:
        """The blocking problem shown inline, or "" when Load is possible."""
        return self._validate()[0]

    def is_loading(self) -> bool:
        return self._loader.is_running()

    # --------------------------------------------------------- dialog actions
    def accept(self) -> None:
        """Start loading (the dialog closes when the dataset is in)."""
        if self._loader.is_running():
            return
        problem, _ = self._validate()
        if problem:
            self._revalidate()
            return
        self._set_loading(True)
        self._progress.setValue(0)
        self._loader.start(self._path, **self.options())

    def reject(self) -> None:
        """Cancel a running load first; close when idle."""
        if self._loader.is_running():
            self._loader.cancel()
            self._show_message("Cancelling…", error=False)
            return
        super().reject()

    def keyPressEvent(self, event) -> None:
        # QDialog turns Enter into a click on the default button; in the path field it
        # means "preview this path" instead, so the notes are seen before any load.
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and self.focusWidget() is self._path_input:
            self._on_path_input_edited()
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event) -> None:
        if self._loader.is_running():
            self._loader.cancel()
            self._show_message("Cancelling…", error=False)
            event.ignore()
            return
        super().closeEvent(event)

    # ------------------------------------------------------------------ slots
    @Slot()
    def _on_browse_clicked(self) -> None:
        settings = make_settings()
        start = str(self._path.parent) if self._path else str(settings.value(LAST_DIR_KEY, ""))
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            "Open a table",
            start,
            "Tables (*.csv *.CSV *.tsv *.txt *.xlsx *.gz *.bz2 *.xz *.zip);;All files (*)",
        )
        if chosen:
            settings.setValue(LAST_DIR_KEY, str(Path(chosen).parent))
            self.set_path(chosen)

    @Slot()
    def _on_path_input_edited(self) -> None:
        text = self._path_input.text().strip()
        if text and (self._path is None or Path(text) != self._path):
            self.set_path(text)

    @Slot(int)
    def _on_sheet_input_changed(self, _index: int) -> None:
        if self._restoring or self._path is None:
            return
        sheet = self._sheet_input.currentText()
        if sheet:
            self.set_path(self._path, sheet)

    @Slot(int)
    def _on_label_input_changed(self, _index: int) -> None:
        if self._restoring:
            return
        self._fill_positive_choices()
        self._refresh_feature_items()
        self._revalidate()

    @Slot()
    def _on_features_input_changed(self, _item=None) -> None:
        if self._restoring:
            return
        ticked = set(self.feature_columns())
        label = self.label_column()
        muted = [c for c in self._preview.columns if c not in ticked and c != label]
        self._preview_model.set_muted_columns(muted)
        self._revalidate()

    @Slot(float)
    def _on_loader_progress(self, fraction: float) -> None:
        self._progress.setValue(round(fraction * PROGRESS_RESOLUTION))

    @Slot(object)
    def _on_loader_loaded(self, dataset) -> None:
        self._progress.setValue(PROGRESS_RESOLUTION)
        self._set_loading(False)
        try:
            self._controller.set_dataset(dataset, {"csv": str(self._path), **self.options()})
        except Exception as error:  # a dataset the app cannot train on
            self._report(error)
            return
        notes = getattr(dataset, "notes", ())
        if notes:  # e.g. "12 rows with missing values left out": said where training shows
            self._controller.notice.emit(f"{dataset.name}: {' '.join(notes)}")
        self.dataset_loaded.emit(dataset)
        super().accept()

    @Slot(object)
    def _on_loader_failed(self, error: BaseException) -> None:
        self._set_loading(False)
        self._report(error)

    @Slot()
    def _on_loader_cancelled(self) -> None:
        self._set_loading(False)
        self._show_message("Loading cancelled; nothing was changed.", error=False)

    # --------------------------------------------------------------- helpers
    def _report(self, error: BaseException) -> None:
        self.last_error = describe_error(error)
        self._show_message(self.last_error, error=True)
        current = getattr(self._controller.dataset, "name", None)
        self.error_box = self.report_error(self, self._path, error, current)

    def _set_loading(self, loading: bool) -> None:
        for widget in self._inputs:
            widget.setEnabled(not loading)
        self._load_button.setEnabled(not loading and not self._validate()[0])
        self._cancel_button.setToolTip("Stop loading" if loading else "Close without loading")
        self._progress.setVisible(loading)
        if loading:
            self._show_message(f"Loading {self._path.name}…", error=False)

    def _set_preview(self, preview: pd.DataFrame) -> None:
        self._preview = preview
        columns = [str(c) for c in preview.columns]
        default_label = columns[-1] if columns else None
        self._restoring = True
        self._label_input.clear()
        self._label_input.addItems(columns)
        if default_label is not None:
            self._label_input.setCurrentText(default_label)
        self._restoring = False
        self._preview_model.set_frame(preview, label_column=default_label, keep_sort=False)
        self._fill_positive_choices()
        self._refresh_feature_items(reset=True)
        if self._path is None or self._preview_error:
            self._file_info.setText(self._preview_error and "Nothing to preview.")
        else:
            try:
                size = self._path.stat().st_size
            except OSError:  # gone since the preview was read; Load will say so
                size = 0
            self._file_info.setText(
                f"{self._path.name} · {_file_size_text(size)} · {len(columns)} columns · "
                f"showing the first {min(len(preview), PREVIEW_ROWS)} rows"
            )

    def _set_sheets(self, sheets: tuple[str, ...], current: str | None) -> None:
        self._sheets = tuple(sheets)
        self._restoring = True
        self._sheet_input.clear()
        self._sheet_input.addItems(list(sheets))
        if current is not None:
            self._sheet_input.setCurrentText(current)
        self._restoring = False
        visible = bool(sheets)
        self._sheet_input.setVisible(visible)
        if self._sheet_row_label is not None:
            self._sheet_row_label.setVisible(visible)

    def _fill_positive_choices(self) -> None:
        label = self.label_column()
        self._positive_input.blockSignals(True)
        self._positive_input.clear()
        if label is not None and label in self._preview.columns:
            column = self._preview[label]
            choices = _distinct_labels(column)
            self._positive_input.addItems(choices)
            default = ""
            if len(choices) == 2:
                try:
                    _, default, _ = encode_labels(column.dropna())
                except DatasetError:
                    default = choices[-1]
            self._positive_input.setCurrentText(default)
        self._positive_input.blockSignals(False)
        self._preview_model.set_frame(self._preview, label_column=label, keep_sort=False)
        self._preview_view.resizeColumnsToContents()  # the label header is bold with an icon

    def _feature_items(self) -> list[QListWidgetItem]:
        return [self._features_input.item(i) for i in range(self._features_input.count())]

    def _refresh_feature_items(self, reset: bool = False) -> None:
        """One checkable item per column: the label disabled, text columns unticked."""
        label = self.label_column()
        previous = set() if reset else set(self.feature_columns())
        freed = None if reset else self._shown_label  # the old label becomes a feature
        self._shown_label = label
        counter = _row_counter(self._preview)
        self._restoring = True
        self._features_input.clear()
        for name in self._preview.columns:
            name = str(name)
            item = QListWidgetItem(name)
            item.setData(_NAME_ROLE, name)
            flags = Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
            numeric = _is_numeric(self._preview[name])
            if name == label:
                item.setText(f"{name}  (label)")
                item.setToolTip("The label column cannot also be a feature.")
                flags &= ~Qt.ItemFlag.ItemIsEnabled
                checked = False
            elif not numeric:
                item.setText(f"{name}  (text)")
                item.setToolTip("This column holds text in the preview; features must be numbers.")
                checked = not reset and name in previous
            elif name == counter:
                item.setText(f"{name}  (row numbers)")
                item.setToolTip(
                    "This column counts the rows (1, 2, 3, …): a weight on it would learn the\n"
                    "order of the file, not the data. Tick it to use it anyway."
                )
                checked = (not reset and name in previous) or name == freed
            else:
                item.setToolTip(f"Use {name!r} as a feature")
                checked = reset or name in previous or name == freed
            item.setFlags(flags)
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self._features_input.addItem(item)
        self._restoring = False
        self._on_features_input_changed()

    def _tick_all(self, ticked: bool) -> None:
        names = [
            item.data(_NAME_ROLE)
            for item in self._feature_items()
            if item.flags() & Qt.ItemFlag.ItemIsEnabled
            and (not ticked or _is_numeric(self._preview[item.data(_NAME_ROLE)]))
        ]
        self.set_feature_columns(names if ticked else [])

    def _validate(self) -> tuple[str, str]:
        """(blocking problem, note) for the current choices."""
        if self._path is None:
            return "Choose a CSV file to preview.", ""
        if self._preview_error:
            return self._preview_error, ""
        label = self.label_column()
        if label is None:
            return "The file has no columns.", ""
        features = self.feature_columns()
        if not features:
            return "Tick at least one feature column.", ""
        text = [f for f in features if not _is_numeric(self._preview[f])]
        if text:
            sample = self._preview[text[0]].dropna()
            example = f" (e.g. {str(sample.iloc[0])!r})" if len(sample) else ""
            return (
                f"Feature {text[0]!r} holds text{example}; features must be numbers. "
                "Untick it or choose it as the label.",
                "",
            )
        classes = _distinct_labels(self._preview[label])
        if len(classes) > 2:
            shown = ", ".join(repr(c) for c in classes[:6]) + (" …" if len(classes) > 6 else "")
            two = [
                str(c)
                for c in self._preview.columns
                if c != label and len(_distinct_labels(self._preview[c])) == 2
            ]
            hint = f" Two-class columns: {', '.join(repr(c) for c in two)}." if two else ""
            return (
                f"The label {label!r} has {len(classes)} different values in the preview "
                f"({shown}); a label needs exactly two classes.{hint}",
                "",
            )
        positive = self.positive_class()
        if positive is not None and len(classes) == 2:
            try:
                encode_labels(self._preview[label].dropna(), positive)
            except DatasetError:
                return f"The positive class must be one of {classes[0]!r} or {classes[1]!r}.", ""
        notes = list(self._preview_notes)
        if len(classes) < 2:
            notes.append(
                f"Only {len(classes)} class of {label!r} appears in the preview; the whole "
                "file is checked on Load."
            )
        counter = _row_counter(self._preview)
        if counter is not None and counter not in features and counter != label:
            notes.append(f"Left out {counter!r}: it counts the rows.")
        left_out = [
            str(c)
            for c in self._preview.columns
            if c != label and c not in features and not _is_numeric(self._preview[c])
        ]
        if left_out:
            names = ", ".join(repr(n) for n in left_out)
            notes.append(f"Left out text column(s) {names}: features must be numbers.")
        return "", " ".join(notes)

    @Slot()
    def _revalidate(self, *_args) -> None:
        if self._loader.is_running():
            return
        problem, note = self._validate()
        self._load_button.setEnabled(not problem)
        if problem:
            self._show_message(problem, error=self._path is not None)
        else:
            self._show_message(note or "Ready to load.", error=False)

    def _show_message(self, text: str, *, error: bool) -> None:
        self._message.setText(text)
        self._message.setStyleSheet(ERROR_STYLE if error else NOTE_STYLE)


def _row_counter(preview: pd.DataFrame) -> str | None:
    """The first column when it only counts the rows (0, 1, 2, … or 1, 2, 3, …)."""
    if preview.shape[1] < 3 or len(preview) < 3:
        return None
    first = preview.iloc[:, 0]
    if first.dtype.kind not in "iu":
        return None
    values = first.to_numpy()
    start = values[0]
    if start in (0, 1) and (values == start + np.arange(len(values))).all():
        return str(preview.columns[0])
    return None


def _file_size_text(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
