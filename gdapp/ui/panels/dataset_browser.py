"""The dataset browser: the current dataset as a sortable table with a summary strip.

The panel is a view of ``TrainingSession`` (it takes the controller, listens to
``dataset_changed``, ``snapshot_ready`` and ``sample_selected``, and sends commands back):
the preset selector calls ``load_preset``, a selected row calls ``select_sample`` with the
row's index in dataset order (the table may be sorted), and a CSV file is loaded on a
background thread and handed over with ``set_dataset``.

Shown values are the raw table (``Dataset.raw``) or, with "Scaled", the features as
training sees them (``Dataset.X``). Rows the latest weights misclassify can be shaded; the
shading is recomputed (one vectorised predict over ``Dataset.X``) at most every
``HIGHLIGHT_INTERVAL_MS`` while snapshots arrive, never per training step.

Under the table, in a splitter, the ``ContributionsView`` charts each training row's share
of the gradient; the same numbers fill the table's last column, "contribution" (a value
column of the table model, so it sorts like the others; test rows show none).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from PySide6.QtCore import QSize, Qt, QTimer, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSplitter,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gdapp.core.trainer import model_for
from gdapp.datasets import PRESETS, Dataset
from gdapp.ui.dataset_loader import DatasetLoader, describe_error, show_load_error
from gdapp.ui.models.dataframe_model import (
    SUMMARY_STATS,
    ColumnSummaryModel,
    DataFrameModel,
    summarize,
)
from gdapp.ui.panels.contributions_view import NUMBER_FORMAT, ContributionsView
from gdapp.ui.panels.csv_dialog import CsvImportDialog
from gdapp.ui.settings import shared_settings

if TYPE_CHECKING:
    from gdapp.ui.controller import TrainingSession

HIGHLIGHT_INTERVAL_MS = 100  # shading follows snapshots at most this often
PROGRESS_RESOLUTION = 1000
ROW_PADDING_PX = 6  # table row height = font height + this
FIT_SAMPLE_ROWS = 40  # rows measured when fitting column widths (Qt's default: 1000)
PRESET_TIPS = {
    "diabetes": "Pima diabetes data, all 768 rows; 1 = diabetic; min–max scaled on the "
    "training rows.",
    "diabetes-post": "The blog post's 759-row table, rebuilt exactly: its label is "
    "1 = NOT diabetic and it scales with all rows.",
    "moons": "Two interleaved half-moons, 400 generated points; no straight line separates them.",
    "xor": "Four generated clusters labelled by the exclusive or of the signs of x1 and x2; "
    "no straight line separates them.",
}
SPLIT_NAMES = ("training set", "test set")
SETTINGS_GROUP = "dataset_browser"
VIEW_OPTIONS = ("scaledToggle", "highlightToggle", "summaryToggle")  # remembered checkboxes


FIT_COLUMNS = 60  # columns measured to fit their contents; wider tables keep default widths
VALUE_COLUMN = "contribution"  # the table's last column: the contributions view's numbers
VALUE_COLUMN_SAMPLE = "+0.000e+00"  # sizes that column for the numbers it will show
SPLITTER_STRETCH = (3, 2)  # table : contributions chart
MIN_TABLE_ROWS = 8  # the chart never squeezes the table below this many rows


def _is_csv(path: str) -> bool:
    return path.lower().endswith(".csv")


class RowHeader(QHeaderView):
    """A table's row header whose width the panel sets (``setFixedWidth``).

    Qt's header measures the labels of the first and last 100 rows for its size hint, which
    it asks again after each new dataset and each selected row: 800 calls into the model
    for a width that is fixed anyway.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setSectionsClickable(True)  # as QTableView's own row header
        self.setHighlightSections(True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        width = self.minimumWidth()
        if width > 0 and width == self.maximumWidth():
            return QSize(width, self.defaultSectionSize())
        return super().sizeHint()


class DatasetBrowserPanel(QWidget):
    """The current dataset as a table (objectName ``datasetBrowser``).

    ``controller`` is the TrainingSession. Child objectNames for tests: ``presetInput``,
    ``openCsvButton``, ``scaledToggle``, ``highlightToggle``, ``datasetInfo``,
    ``datasetTable``, ``columnSummary``, ``datasetLoadProgress``, ``datasetSplitter``,
    ``contributionsView`` (and its children, see ``ContributionsView``).
    """

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("datasetBrowser")
        self.setAcceptDrops(True)
        self._controller = controller
        self._dataset: Dataset | None = None
        self._frames: dict[bool, pd.DataFrame] = {}
        self._summaries: dict[bool, pd.DataFrame] = {}
        self._csv_dataset: Dataset | None = None
        self._csv_dialog: CsvImportDialog | None = None
        self._syncing = False
        self._misclassified = -1
        self._columns_stale = False
        self._summary_stale = False
        self._load_options: dict = {}
        self.report_error = show_load_error
        self.error_box: object | None = None
        self.last_error = ""
        self._model = DataFrameModel(parent=self)
        self._summary_model = ColumnSummaryModel(self)
        self._loader = DatasetLoader(self)
        self._highlight_timer = QTimer(self)
        self._highlight_timer.setSingleShot(True)
        self._highlight_timer.setInterval(HIGHLIGHT_INTERVAL_MS)
        self._highlight_timer.timeout.connect(self._on_highlight_timer_timeout)
        self._build()
        self._restore_view_options()
        self._loader.progress.connect(self._on_loader_progress)
        self._loader.running_changed.connect(self._on_loader_running_changed)
        self._loader.loaded.connect(self._on_loader_loaded)
        self._loader.failed.connect(self._on_loader_failed)
        controller.dataset_changed.connect(self._on_controller_dataset_changed)
        controller.snapshot_ready.connect(self._on_controller_snapshot_ready)
        controller.sample_selected.connect(self._on_controller_sample_selected)
        if controller.dataset is not None:
            self._on_controller_dataset_changed(controller.dataset)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self._preset_input = QComboBox(objectName="presetInput")
        self._preset_input.setToolTip("The dataset to train on")
        self._preset_input.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for name in PRESETS:
            self._preset_input.addItem(name, name)
            self._preset_input.setItemData(
                self._preset_input.count() - 1,
                PRESET_TIPS.get(name, name),
                Qt.ItemDataRole.ToolTipRole,
            )
        self._preset_input.setCurrentIndex(-1)
        self._preset_input.currentIndexChanged.connect(self._on_preset_input_changed)
        open_button = QToolButton(objectName="openCsvButton")
        open_button.setText("Open CSV…")
        open_button.setToolTip("Load your own CSV file (you can also drop a .csv file here)")
        open_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        open_button.clicked.connect(lambda: self.open_csv_dialog())
        self._scaled_toggle = QCheckBox("Scaled", objectName="scaledToggle")
        self._scaled_toggle.setToolTip(
            "Show the features as training sees them (Dataset.X) instead of the raw file values"
        )
        self._scaled_toggle.toggled.connect(self._on_scaled_toggle_toggled)
        self._highlight_toggle = QCheckBox("Highlight misclassified", objectName="highlightToggle")
        self._highlight_toggle.setToolTip(
            "Shade the rows the current weights classify wrongly (updated as training runs)"
        )
        self._highlight_toggle.toggled.connect(self._on_highlight_toggle_toggled)
        self._summary_toggle = QCheckBox("Summary", objectName="summaryToggle")
        self._summary_toggle.setChecked(True)
        self._summary_toggle.setToolTip(
            "Show min, max, mean and the count of zeros under each column"
        )
        top = QHBoxLayout()
        top.addWidget(QLabel("Dataset:"))
        top.addWidget(self._preset_input)
        top.addWidget(open_button)
        top.addStretch(1)
        top.addWidget(self._scaled_toggle)
        top.addWidget(self._highlight_toggle)
        top.addWidget(self._summary_toggle)

        self._info = QLabel(objectName="datasetInfo")
        self._info.setWordWrap(True)
        self._info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._progress = QProgressBar(objectName="datasetLoadProgress")
        self._progress.setRange(0, PROGRESS_RESOLUTION)
        self._cancel_button = QToolButton(objectName="cancelLoadButton")
        self._cancel_button.setText("Cancel")
        self._cancel_button.setToolTip("Stop loading; the current dataset stays")
        self._cancel_button.clicked.connect(self._loader.cancel)
        self._progress_row = QWidget()
        progress_layout = QHBoxLayout(self._progress_row)
        progress_layout.setContentsMargins(0, 0, 0, 0)
        progress_layout.addWidget(self._progress, 1)
        progress_layout.addWidget(self._cancel_button)
        self._progress_row.setVisible(False)

        self._table = QTableView(objectName="datasetTable")
        self._table.setVerticalHeader(RowHeader(self._table))
        self._table.setModel(self._model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setAlternatingRowColors(True)
        self._table.setWordWrap(False)
        self._table.setToolTip("")
        row_height = self._table.fontMetrics().height() + ROW_PADDING_PX
        rows = self._table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(row_height)
        rows.setToolTip("")
        columns = self._table.horizontalHeader()
        # Fit columns to a sample of rows: measuring every row cost 120 ms per dataset load.
        columns.setResizeContentsPrecision(FIT_SAMPLE_ROWS)
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        columns.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # file order until a click
        columns.setSortIndicatorClearable(True)
        columns.setHighlightSections(False)  # keep the bold header for the label column only
        columns.setMinimumSectionSize(self._table.fontMetrics().horizontalAdvance("-0.00000"))
        self._table.setSortingEnabled(True)
        self._table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        # The summary strip below carries the horizontal scroll bar for both tables.
        self._table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        columns.sectionResized.connect(self._on_table_section_resized)

        self._summary = QTableView(objectName="columnSummary")
        self._summary.setVerticalHeader(RowHeader(self._summary))
        self._summary.setModel(self._summary_model)
        self._summary.horizontalHeader().setVisible(False)
        self._summary.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._summary.verticalHeader().setDefaultSectionSize(row_height)
        self._summary.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self._summary.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._summary.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._summary.setToolTip("Per-column summary of the values shown above")
        footer = self._summary.palette()
        footer.setColor(QPalette.ColorRole.Base, footer.color(QPalette.ColorRole.Window))
        self._summary.setPalette(footer)
        table_bar, summary_bar = (
            self._table.horizontalScrollBar(),
            self._summary.horizontalScrollBar(),
        )
        summary_bar.valueChanged.connect(table_bar.setValue)
        table_bar.valueChanged.connect(summary_bar.setValue)
        summary_bar.rangeChanged.connect(self._fit_summary_height)
        # Leaves room under the table's vertical scroll bar so the columns line up.
        self._summary_gap = QWidget()
        self._summary_gap.setFixedWidth(self._table.verticalScrollBar().sizeHint().width())
        summary_row = QHBoxLayout()
        summary_row.setContentsMargins(0, 0, 0, 0)
        summary_row.setSpacing(0)
        summary_row.addWidget(self._summary, 1)
        summary_row.addWidget(self._summary_gap)
        self._fit_summary_height()
        self._summary_toggle.toggled.connect(self._on_summary_toggle_toggled)

        sheet = self._sheet = QWidget()
        grid = QVBoxLayout(sheet)  # table and summary flush, so they read as one sheet
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(0)
        grid.addWidget(self._table, 1)
        grid.addLayout(summary_row)
        self._contributions = ContributionsView(self._controller)
        self._contributions.values_changed.connect(self._on_contributions_values_changed)
        self._splitter = QSplitter(Qt.Orientation.Vertical, objectName="datasetSplitter")
        self._splitter.addWidget(sheet)
        self._splitter.addWidget(self._contributions)
        self._splitter.setCollapsible(0, False)
        for index, stretch in enumerate(SPLITTER_STRETCH):
            self._splitter.setStretchFactor(index, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self._info)
        layout.addWidget(self._progress_row)
        layout.addWidget(self._splitter, 1)
        self._fit_sheet_height()

    # ------------------------------------------------------------- public API
    @property
    def loader(self) -> DatasetLoader:
        """The background loader used by ``load_csv_file``."""
        return self._loader

    def current_model(self) -> DataFrameModel:
        """The table's model (view rows may be sorted; see ``dataset_row``)."""
        return self._model

    def contributions_view(self) -> ContributionsView:
        return self._contributions

    def summary_model(self) -> ColumnSummaryModel:
        self._catch_up_summary()
        return self._summary_model

    def table_view(self) -> QTableView:
        return self._table

    def summary_view(self) -> QTableView:
        self._catch_up_summary()
        return self._summary

    def summary_frame(self) -> pd.DataFrame:
        """The summary shown: index SUMMARY_STATS, one column per shown column."""
        self._catch_up_summary()
        return self._summary_model.table()

    def info_text(self) -> str:
        """The info line as plain text (ordinary spaces)."""
        return self._info.text().replace("\u00a0", " ")

    def csv_dialog(self) -> CsvImportDialog | None:
        """The import dialog last opened (None before the first)."""
        return self._csv_dialog

    def is_scaled(self) -> bool:
        return self._scaled_toggle.isChecked()

    def set_scaled(self, scaled: bool) -> None:
        self._scaled_toggle.setChecked(scaled)

    def set_highlight_misclassified(self, enabled: bool) -> None:
        self._highlight_toggle.setChecked(enabled)

    def misclassified_count(self) -> int:
        """Rows shaded as misclassified; -1 when shading is off or no weights exist yet."""
        return self._misclassified

    def selected_row(self) -> int | None:
        """The selected row's index in dataset order (into ``Dataset.X``), or None."""
        rows = self._table.selectionModel().selectedRows()
        return self._model.dataset_row(rows[0].row()) if rows else None

    def select_row(self, dataset_row: int) -> None:
        """Select a row by its dataset index, as a click on it would."""
        view_row = self._model.view_row(dataset_row)
        self._table.selectRow(view_row)
        self._table.scrollTo(self._model.index(view_row, 0))

    def open_csv_dialog(self, path: str | os.PathLike[str] | None = None) -> CsvImportDialog:
        """Show the CSV import dialog (pre-filled with ``path``) without blocking."""
        if isinstance(path, bool) or not path:
            path = None  # e.g. QAction.triggered(bool) connected straight to this method
        dialog = self._csv_dialog
        if dialog is not None and dialog.isVisible():
            if path is not None:
                dialog.set_path(path)
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        if dialog is not None:
            dialog.deleteLater()
        dialog = CsvImportDialog(self._controller, path, self)
        self._csv_dialog = dialog
        dialog.open()
        return dialog

    def load_csv_file(self, path: str | os.PathLike[str], **options) -> bool:
        """Load ``path`` in the background with ``load_csv`` options; False if busy.

        Progress shows in the panel; the dataset goes to the controller when read, and a
        failure opens a message naming the file and the problem.
        """
        if self._loader.is_running():
            return False
        self._load_options = dict(options)
        self._progress.setValue(0)
        self._progress.setFormat(f"Loading {Path(path).name}… %p%")
        self._loader.start(path, **options)
        return True

    def shutdown(self) -> None:
        """Stop background loads and join their threads (call before the app quits)."""
        self._highlight_timer.stop()
        self._contributions.shutdown()
        self._loader.shutdown()
        if self._csv_dialog is not None:
            self._csv_dialog.loader.shutdown()

    # ----------------------------------------------------------- drag and drop
    def _dropped_csv(self, event) -> str | None:
        mime = event.mimeData()
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile() and _is_csv(url.toLocalFile()):
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event) -> None:
        path = self._dropped_csv(event)
        if path:
            event.acceptProposedAction()
            self._info.setText(f"Drop to open “{Path(path).name}”…")
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self._dropped_csv(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self._update_info()
        super().dragLeaveEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._catch_up_summary()
        if self._columns_stale and self._dataset is not None:
            self._columns_stale = False
            self._fit_columns()

    def dropEvent(self, event) -> None:
        path = self._dropped_csv(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self._update_info()
        self.open_csv_dialog(path)

    # --------------------------------------------------------- controller side
    @Slot(object)
    def _on_controller_dataset_changed(self, dataset: Dataset) -> None:
        self._dataset = dataset
        self._frames.clear()
        self._summaries.clear()
        if dataset.source not in PRESETS:
            self._csv_dataset = dataset
        self._sync_preset_input()
        self._model.set_highlight(None)
        self._misclassified = -1
        self._show_frame(reset_sort=True)
        self._model.set_value_column(VALUE_COLUMN, None, number_format=NUMBER_FORMAT)
        codes = np.zeros(dataset.n_samples, dtype=np.int8)
        codes[dataset.test_idx] = 1
        self._model.set_row_tags(codes, SPLIT_NAMES)
        if self.isVisible():
            self._fit_columns()
        else:  # measuring the cells takes tens of ms: a hidden table waits until it is shown
            self._columns_stale = True
        self._update_info()
        if self._highlight_toggle.isChecked():
            self._highlight_timer.start()

    @Slot(object)
    def _on_controller_snapshot_ready(self, _snapshot) -> None:
        if self._highlight_toggle.isChecked() and not self._highlight_timer.isActive():
            self._highlight_timer.start()

    @Slot(int)
    def _on_controller_sample_selected(self, row: int) -> None:
        if row == self.selected_row() or self._dataset is None:
            return
        self._syncing = True
        try:
            if row < 0:
                self._table.clearSelection()
            else:
                self.select_row(row)
        finally:
            self._syncing = False

    # --------------------------------------------------------------- widget side
    @Slot(int)
    def _on_preset_input_changed(self, index: int) -> None:
        if self._syncing or index < 0:
            return
        choice = self._preset_input.itemData(index)
        if isinstance(choice, str):
            if not self._controller.load_preset(choice):
                self._sync_preset_input()  # the controller reported why; keep showing the old
        elif isinstance(choice, Dataset) and choice is not self._dataset:
            self._controller.set_dataset(choice)

    @Slot(bool)
    def _on_scaled_toggle_toggled(self, _scaled: bool) -> None:
        if self._dataset is not None:
            self._show_frame(reset_sort=False)

    @Slot(bool)
    def _on_highlight_toggle_toggled(self, enabled: bool) -> None:
        if enabled:
            self._update_highlight()
        else:
            self._highlight_timer.stop()
            self._model.set_highlight(None)
            self._misclassified = -1
            self._update_info()

    @Slot(bool)
    def _on_summary_toggle_toggled(self, shown: bool) -> None:
        self._summary.setVisible(shown)
        self._summary_gap.setVisible(shown)
        # Without the strip the table carries its own horizontal scroll bar.
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff if shown else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        )
        self._table.setHorizontalScrollBarPolicy(policy)
        self._fit_sheet_height()

    @Slot()
    def _on_highlight_timer_timeout(self) -> None:
        self._update_highlight()

    def _on_table_selection_changed(self, *_args) -> None:
        if self._syncing or self._dataset is None:
            return
        row = self.selected_row()
        self._controller.select_sample(-1 if row is None else row)

    @Slot(int, int, int)
    def _on_table_section_resized(self, column: int, _old: int, new: int) -> None:
        self._summary.setColumnWidth(column, new)

    @Slot(object, object, str)
    def _on_contributions_values_changed(self, values, muted, tooltip: str) -> None:
        if values is not None and len(values) != self._model.rowCount():
            return  # numbers for a dataset this table no longer shows
        self._model.set_value_column(
            VALUE_COLUMN, values, muted=muted, tooltip=tooltip, number_format=NUMBER_FORMAT
        )

    @Slot(float)
    def _on_loader_progress(self, fraction: float) -> None:
        self._progress.setValue(round(fraction * PROGRESS_RESOLUTION))

    @Slot(bool)
    def _on_loader_running_changed(self, running: bool) -> None:
        self._progress_row.setVisible(running)

    @Slot(object)
    def _on_loader_loaded(self, dataset: Dataset) -> None:
        origin = {"csv": str(self._loader.path), **self._load_options}
        try:
            self._controller.set_dataset(dataset, origin)
        except Exception as error:  # a dataset the app cannot train on
            self._on_loader_failed(error)

    @Slot(object)
    def _on_loader_failed(self, error: BaseException) -> None:
        self.last_error = describe_error(error)
        current = self._dataset.name if self._dataset is not None else None
        self.error_box = self.report_error(self, self._loader.path, error, current)

    # ------------------------------------------------------------------ helpers
    def _restore_view_options(self) -> None:
        """Check the view checkboxes as the user left them, and remember every change."""
        settings = shared_settings()  # writes the file later, in a turn of its own
        for name in VIEW_OPTIONS:
            box = self.findChild(QCheckBox, name)
            key = f"{SETTINGS_GROUP}/{name}"
            if settings.contains(key):
                box.setChecked(str(settings.value(key)).lower() == "true")
            box.toggled.connect(lambda checked, key=key: settings.setValue(key, checked))

    def _sync_preset_input(self) -> None:
        """Show the current dataset in the selector (a loaded CSV gets its own entry)."""
        combo, dataset = self._preset_input, self._dataset
        self._syncing = True
        try:
            while combo.count() > len(PRESETS):
                combo.removeItem(combo.count() - 1)
            if self._csv_dataset is not None:
                csv = self._csv_dataset
                combo.addItem(f"{csv.name} (CSV)", csv)
                combo.setItemData(combo.count() - 1, csv.source, Qt.ItemDataRole.ToolTipRole)
            if dataset is None:
                combo.setCurrentIndex(-1)
            elif dataset.source in PRESETS:
                combo.setCurrentIndex(PRESETS.index(dataset.source))
            else:
                combo.setCurrentIndex(combo.count() - 1)
        finally:
            self._syncing = False

    def _frame(self, scaled: bool) -> pd.DataFrame:
        """Raw or scaled table of the current dataset: label then features, (n, 1 + d).

        The label comes first so it stays in sight beside the row number however many
        features scroll off to the right.
        """
        if scaled not in self._frames:
            ds = self._dataset
            if scaled:
                frame = pd.DataFrame(ds.X, columns=list(ds.feature_names), index=ds.raw.index)
                frame.insert(0, ds.label_name, ds.raw[ds.label_name].to_numpy())
            else:
                frame = ds.raw[[ds.label_name, *ds.feature_names]]
            self._frames[scaled] = frame
        return self._frames[scaled]

    def _summary_of(self, scaled: bool) -> pd.DataFrame:
        if scaled not in self._summaries:
            self._summaries[scaled] = summarize(self._frame(scaled))
        return self._summaries[scaled]

    def _show_frame(self, *, reset_sort: bool) -> None:
        ds, scaled = self._dataset, self.is_scaled()
        frame = self._frame(scaled)
        header = self._table.horizontalHeader()
        old_names = [
            self._model.headerData(j, Qt.Orientation.Horizontal)
            for j in range(self._model.columnCount())
        ]
        if reset_sort and old_names != list(frame.columns):
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            self._model.sort(-1)
        self._model.set_frame(frame, label_column=ds.label_name)
        scope = f"{ds.scaler.kind} scaled" if scaled else "raw values"
        tips = {name: f"{name} — {scope}" for name in ds.feature_names}
        negative = ds.negative_label or "the other class"
        tips[ds.label_name] = f"{ds.label_name}: 1 = {ds.positive_label}, 0 = {negative}"
        self._model.set_column_tooltips(tips)
        if self.isVisible():
            self._show_summary()
        else:  # summing up every column takes milliseconds: a hidden page waits until shown
            self._summary_stale = True

    def _show_summary(self) -> None:
        self._summary_stale = False
        ds, scaled = self._dataset, self.is_scaled()
        frame = self._frame(scaled)
        scope = f"{ds.scaler.kind} scaled" if scaled else "raw values"
        integer = [frame[c].dtype.kind in "iub" for c in frame.columns]
        # An empty column under the contribution column keeps the strip aligned with the table.
        summary = self._summary_of(scaled)
        blank = pd.DataFrame({VALUE_COLUMN: np.nan}, index=summary.index)
        summary = pd.concat([summary, blank], axis=1)
        self._summary_model.set_summary(summary, [*integer, False], scope)
        self._sync_summary_columns()

    def _catch_up_summary(self) -> None:
        if self._summary_stale and self._dataset is not None:
            self._show_summary()

    def _fit_columns(self) -> None:
        """Size columns to their contents (every row, the header and summary) and align them.

        Each column is measured on the few rows whose text is longest (``widest_rows``), with
        the delegate's own size hint, so the width is what Qt's fitting gives without asking
        for every cell. Only the first ``FIT_COLUMNS`` columns are measured; a wider table
        gives the rest the default width, so a 10,000-column file costs no more than a
        60-column one.
        """
        columns = self._model.columnCount()
        table, model = self._table, self._model
        header = table.horizontalHeader()
        grid = 1 if table.showGrid() else 0
        for column in range(min(columns, FIT_COLUMNS)):
            cells = [
                table.sizeHintForIndex(model.index(row, column)).width() + grid
                for row in model.widest_rows(column)
            ]
            width = max(
                [*cells, header.sectionSizeHint(column), self._summary.sizeHintForColumn(column)]
            )
            table.setColumnWidth(column, width)
        if self._model.value_column() is not None:
            metrics = self._table.fontMetrics()
            width = max(
                metrics.horizontalAdvance(VALUE_COLUMN_SAMPLE),
                self._table.horizontalHeader().fontMetrics().horizontalAdvance(VALUE_COLUMN),
            )
            self._table.setColumnWidth(columns - 1, width + 4 * ROW_PADDING_PX)
        self._sync_summary_columns()

    def _sync_summary_columns(self) -> None:
        for column in range(self._model.columnCount()):
            self._summary.setColumnWidth(column, self._table.columnWidth(column))
        # Both vertical headers get the width of the widest row number, so columns line up.
        index = self._dataset.raw.index if self._dataset is not None else pd.RangeIndex(0)
        if len(index) and index.dtype.kind not in "iu":  # the file's own row labels
            widest = "8" * int(index.astype(str).str.len().max())
        else:
            widest = str(max(int(index.max()), 0) if len(index) else 0)
        metrics = self._table.verticalHeader().fontMetrics()
        margin = 2 * self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin) + 8
        width = max(
            metrics.horizontalAdvance("8" * len(widest)) + margin,
            metrics.horizontalAdvance(max(SUMMARY_STATS, key=len)) + margin,
        )
        for header in (self._table.verticalHeader(), self._summary.verticalHeader()):
            header.setFixedWidth(width)
        self._summary.horizontalScrollBar().setValue(self._table.horizontalScrollBar().value())

    @Slot()
    def _fit_summary_height(self, *_args) -> None:
        bar = self._summary.horizontalScrollBar()
        bar_height = bar.sizeHint().height() if bar.maximum() > 0 else 0
        rows = len(SUMMARY_STATS) * self._summary.verticalHeader().defaultSectionSize()
        self._summary.setFixedHeight(rows + 2 * self._summary.frameWidth() + bar_height)
        self._fit_sheet_height()

    def _fit_sheet_height(self) -> None:
        """Keep room for MIN_TABLE_ROWS rows (and the summary strip) above the chart."""
        if not hasattr(self, "_sheet"):
            return  # called while the widgets are being built
        header = self._table.horizontalHeader().sizeHint().height()
        rows = (MIN_TABLE_ROWS + 0.5) * self._table.verticalHeader().defaultSectionSize()
        if self._summary_toggle.isChecked():
            below = self._summary.minimumHeight()
        else:
            below = self._table.horizontalScrollBar().sizeHint().height()
        self._sheet.setMinimumHeight(int(header + rows + 2 * self._table.frameWidth() + below))

    def _update_highlight(self) -> None:
        ds = self._dataset
        snapshot = self._controller.last_snapshot
        if not self._highlight_toggle.isChecked() or ds is None:
            return
        theta = None if snapshot is None else np.asarray(snapshot.theta, dtype=np.float64)
        predictor = None if snapshot is None else model_for(snapshot.config)
        if theta is None or theta.shape != (predictor.n_params(ds.n_features),):
            self._misclassified = -1  # no weights for this dataset (and model) yet
            self._model.set_highlight(None)
            self._update_info()
            return
        predicted = predictor.predict(theta, ds.X)
        mask = predicted != ds.y.astype(np.int64)
        previous = self._model.highlight_mask()
        if previous is None or not np.array_equal(previous, mask):
            self._model.set_highlight(mask, predicted)
        self._misclassified = int(np.count_nonzero(mask))
        self._update_info()

    def _update_info(self) -> None:
        ds = self._dataset
        if ds is None:
            self._info.setText("No dataset loaded.")
            return
        if {ds.positive_label, ds.negative_label} == {"1", "0"}:
            meaning = f"label “{ds.label_name}” (0 / 1)"
        else:
            meaning = f"label “{ds.label_name}”: 1 = {ds.positive_label}, 0 = {ds.negative_label}"
        parts = [
            f"{ds.n_samples:,} rows",
            f"{ds.n_features} features",
            meaning,
            f"train {len(ds.train_idx):,} / test {len(ds.test_idx):,}",
        ]
        if self._misclassified >= 0:
            share = self._misclassified / max(ds.n_samples, 1)
            parts.append(f"{self._misclassified:,} misclassified ({share:.1%})")
        elif self._highlight_toggle.isChecked():
            parts.append("misclassified rows appear after the first step")
        # Non-breaking spaces inside each part: the line wraps only between parts.
        self._info.setText(" · ".join(part.replace(" ", "\u00a0") for part in parts))
        self._info.setToolTip(f"{ds.description}\nSource: {ds.source}".strip())
