"""DatasetBrowserPanel with the real TrainingSession: table, sorting, selection, summary,
raw/scaled, presets, misclassified shading, background CSV loading and bad files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QMessageBox, QTableView

from gdapp.ui.controller import TrainingSession
from gdapp.ui.models.dataframe_model import FLOAT_FORMAT, HIGHLIGHT_ROLE, SORT_ROLE
from gdapp.ui.panels.csv_dialog import CsvImportDialog
from gdapp.ui.panels.dataset_browser import SUMMARY_STATS, DatasetBrowserPanel

# The offscreen platform cannot resize or raise real windows and says so; nothing to fix.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
LOAD_TIMEOUT_MS = 60_000
H = Qt.Orientation.Horizontal


@pytest.fixture
def browser_controller(qapp):
    """A real TrainingSession on the diabetes preset, joined after the test."""
    ctrl = TrainingSession()
    ctrl.load_preset("diabetes")
    yield ctrl
    ctrl.shutdown()


@pytest.fixture
def panel(qtbot, browser_controller):
    widget = DatasetBrowserPanel(browser_controller)
    qtbot.addWidget(widget)
    widget.resize(600, 500)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.shutdown()


def click_header(qtbot, view: QTableView, column: int) -> None:
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def click_row(qtbot, view: QTableView, view_row: int) -> None:
    view.scrollTo(view.model().index(view_row, 0))
    rect = view.visualRect(view.model().index(view_row, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def column_of(panel, name: str) -> int:
    model = panel.current_model()
    return [model.headerData(j, H) for j in range(model.columnCount())].index(name)


def test_panel_shows_the_controllers_dataset(panel, browser_controller):
    ds = browser_controller.dataset
    model = panel.current_model()
    assert panel.objectName() == "datasetBrowser"
    for name, kind in [
        ("presetInput", QComboBox),
        ("datasetTable", QTableView),
        ("scaledToggle", QCheckBox),
        ("highlightToggle", QCheckBox),
        ("columnSummary", QTableView),
    ]:
        assert panel.findChild(kind, name) is not None, name
    assert model.rowCount() == ds.n_samples == 768
    assert model.label_column == ds.label_name
    headers = [model.headerData(j, H) for j in range(model.columnCount())]
    # The frame's columns, then the contributions view's numbers as the last column.
    assert sorted(headers[:-1]) == sorted([*ds.feature_names, ds.label_name])
    assert headers[-1] == "contribution"
    glucose = column_of(panel, "glucose")
    for row in (0, 5, 767):
        index = model.index(row, glucose)
        assert model.data(index, SORT_ROLE) == ds.raw["glucose"].iat[row]
        assert model.data(index) == str(ds.raw["glucose"].iat[row])  # ints shown as ints
    bmi = column_of(panel, "bmi")
    assert model.data(model.index(0, bmi)) == FLOAT_FORMAT.format(ds.raw["bmi"].iat[0])
    info = panel.info_text()
    for part in ("768", "8", "diabetic", f"{len(ds.train_idx)}", f"{len(ds.test_idx)}"):
        assert part in info
    assert panel.findChild(QComboBox, "presetInput").currentText() == "diabetes"


def test_sorting_by_a_column_gives_the_numpy_order(qtbot, panel, browser_controller):
    ds = browser_controller.dataset
    view, model = panel.table_view(), panel.current_model()
    column = column_of(panel, "glucose")
    click_header(qtbot, view, column)
    values = ds.raw["glucose"].to_numpy()
    np.testing.assert_array_equal(model.row_order(), np.argsort(values, kind="stable"))
    shown = [model.data(model.index(r, column), SORT_ROLE) for r in range(model.rowCount())]
    assert shown == sorted(values.tolist())
    click_header(qtbot, view, column)  # second click: descending
    shown = [model.data(model.index(r, column), SORT_ROLE) for r in range(model.rowCount())]
    assert shown == sorted(values.tolist(), reverse=True)


def test_selecting_a_row_selects_that_dataset_sample(qtbot, panel, browser_controller):
    view, model = panel.table_view(), panel.current_model()
    with qtbot.waitSignal(browser_controller.sample_selected) as blocker:
        click_row(qtbot, view, 4)
    assert blocker.args == [4]
    assert browser_controller.selected_sample == 4 == panel.selected_row()

    click_header(qtbot, view, column_of(panel, "bmi"))
    bmi = browser_controller.dataset.raw["bmi"].to_numpy()
    expected = int(np.argsort(bmi, kind="stable")[0])
    assert panel.selected_row() == 4  # the selection moved with its row
    with qtbot.waitSignal(browser_controller.sample_selected) as blocker:
        click_row(qtbot, view, 0)
    assert blocker.args == [expected]
    bmi_cell = view.selectionModel().selectedRows(column_of(panel, "bmi"))[0]
    assert model.data(bmi_cell, SORT_ROLE) == bmi[expected] == bmi.min()


def test_a_sample_selected_elsewhere_is_selected_in_the_table(qtbot, panel, browser_controller):
    panel.table_view().sortByColumn(column_of(panel, "age"), Qt.SortOrder.DescendingOrder)
    browser_controller.select_sample(123)
    assert panel.selected_row() == 123
    view_row = panel.table_view().selectionModel().selectedRows()[0].row()
    assert panel.current_model().dataset_row(view_row) == 123
    browser_controller.select_sample(-1)
    assert panel.selected_row() is None


def test_scaled_toggle_shows_dataset_x(qtbot, panel, browser_controller):
    ds = browser_controller.dataset
    model = panel.current_model()
    panel.select_row(10)
    qtbot.mouseClick(panel.findChild(QCheckBox, "scaledToggle"), Qt.MouseButton.LeftButton)
    assert panel.is_scaled()
    np.testing.assert_array_equal(model.frame()[list(ds.feature_names)].to_numpy(), ds.X)
    for j, name in enumerate(ds.feature_names):
        index = model.index(7, column_of(panel, name))
        assert model.data(index, SORT_ROLE) == ds.X[7, j]
        assert model.data(index) == FLOAT_FORMAT.format(ds.X[7, j])
    assert panel.selected_row() == 10  # nothing lost by switching
    panel.set_scaled(False)
    glucose = column_of(panel, "glucose")
    assert model.data(model.index(7, glucose), SORT_ROLE) == ds.raw["glucose"].iat[7]


@pytest.mark.parametrize("scaled", [False, True])
def test_summary_equals_pandas(panel, browser_controller, scaled):
    ds = browser_controller.dataset
    panel.set_scaled(scaled)
    if scaled:
        values = pd.DataFrame(ds.X, columns=list(ds.feature_names))
    else:
        values = ds.raw[list(ds.feature_names)]
    summary = panel.summary_frame()
    assert list(summary.index) == list(SUMMARY_STATS)
    np.testing.assert_allclose(summary.loc["min", values.columns], values.min(), rtol=0)
    np.testing.assert_allclose(summary.loc["max", values.columns], values.max(), rtol=0)
    np.testing.assert_allclose(summary.loc["mean", values.columns], values.mean(), rtol=1e-12)
    np.testing.assert_array_equal(summary.loc["zeros", values.columns], (values == 0).sum())
    assert summary.loc["mean", ds.label_name] == pytest.approx(ds.y.mean())
    model = panel.summary_model()
    zeros_row, insulin = SUMMARY_STATS.index("zeros"), list(summary.columns).index("insulin")
    assert model.data(model.index(zeros_row, insulin)) == f"{int((values['insulin'] == 0).sum()):,}"
    view = panel.summary_view()
    table = panel.table_view()
    for j in range(model.columnCount()):
        assert view.columnWidth(j) == table.columnWidth(j)  # the strip lines up with the table
    assert view.verticalHeader().width() == table.verticalHeader().width()


def test_preset_switch(qtbot, panel, browser_controller):
    combo = panel.findChild(QComboBox, "presetInput")
    with qtbot.waitSignal(browser_controller.dataset_changed):
        combo.setCurrentIndex(combo.findText("diabetes-post"))
    ds = browser_controller.dataset
    assert ds.source == "diabetes-post"
    model = panel.current_model()
    assert model.rowCount() == 759
    assert model.label_column == "not_diabetic"
    # Rows the post dropped leave gaps: the header keeps the original numbering (row 14 is gone).
    assert [model.headerData(i, Qt.Orientation.Vertical) for i in (13, 14)] == ["13", "15"]
    assert "759" in panel.info_text() and "not diabetic" in panel.info_text()
    with qtbot.waitSignal(browser_controller.dataset_changed):
        combo.setCurrentIndex(combo.findText("diabetes"))
    assert model.rowCount() == 768


def test_misclassified_rows_match_numpy_predictions(qtbot, panel, browser_controller):
    ds = browser_controller.dataset
    model = panel.current_model()
    panel.set_highlight_misclassified(True)
    browser_controller.step(3)
    qtbot.waitUntil(lambda: getattr(browser_controller.last_snapshot, "step_count", 0) == 3)
    theta = np.asarray(browser_controller.last_snapshot.theta)
    assert np.any(theta != 0)
    z = ds.X @ theta[:-1] + theta[-1]
    probability = 1.0 / (1.0 + np.exp(-z))
    expected = (probability >= 0.5).astype(int) != ds.y.astype(int)
    qtbot.waitUntil(lambda: np.array_equal(model.highlight_mask(), expected), timeout=2000)
    assert panel.misclassified_count() == int(expected.sum()) > 0
    assert f"{int(expected.sum())}" in panel.info_text()
    panel.table_view().sortByColumn(column_of(panel, "glucose"), Qt.SortOrder.AscendingOrder)
    for view_row in (0, 100, 500, 767):
        row = model.dataset_row(view_row)
        index = model.index(view_row, 0)
        assert model.data(index, HIGHLIGHT_ROLE) is bool(expected[row])
        brush = model.data(index, Qt.ItemDataRole.BackgroundRole)
        assert (brush is not None and brush.color().alpha() > 60) is bool(expected[row])
    panel.set_highlight_misclassified(False)
    assert model.highlight_mask() is None and panel.misclassified_count() == -1


def write_csv(path, n_rows: int, *, bad_line: int | None = None, seed: int = 0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "a": rng.integers(0, 1000, n_rows),
            "b": rng.integers(-50, 50, n_rows),
            "c": rng.integers(0, 10, n_rows),
            "label": rng.integers(0, 2, n_rows),
        }
    )
    frame.to_csv(path, index=False)
    if bad_line is not None:
        lines = path.read_text().splitlines()
        fields = lines[bad_line - 1].split(",")
        fields[1] = "abc"
        lines[bad_line - 1] = ",".join(fields)
        path.write_text("\n".join(lines) + "\n")
    return path


def test_million_row_csv_loads_in_the_background(qtbot, tmp_path, panel, browser_controller):
    path = write_csv(tmp_path / "million.csv", 1_000_000)
    progress: list[float] = []
    panel.loader.progress.connect(progress.append)
    with qtbot.waitSignal(browser_controller.dataset_changed, timeout=LOAD_TIMEOUT_MS) as blocker:
        assert panel.load_csv_file(path)
        assert panel.loader.is_running()
        assert panel.findChild(QCheckBox, "scaledToggle").isEnabled()  # the GUI stays live
    assert not panel.loader.is_running()
    assert progress[-1] == 1.0 and progress == sorted(progress) and len(progress) > 2
    ds = blocker.args[0]
    assert ds.n_samples == 1_000_000
    assert panel.current_model().rowCount() == 1_000_000
    assert browser_controller.dataset_origin["csv"] == str(path)
    assert panel.findChild(QComboBox, "presetInput").currentText() == "million (CSV)"


def test_bad_csv_names_the_file_and_keeps_the_dataset(qtbot, tmp_path, panel, browser_controller):
    before = browser_controller.dataset
    raw_copy, x_copy = before.raw.copy(), before.X.copy()
    path = write_csv(tmp_path / "broken.csv", 300, bad_line=120)
    with qtbot.waitSignal(panel.loader.failed, timeout=LOAD_TIMEOUT_MS):
        panel.load_csv_file(path)
    box = panel.error_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.icon() == QMessageBox.Icon.Critical
    assert "broken.csv" in box.text()
    assert "line 120" in box.informativeText() and "'b'" in box.informativeText()
    assert "'abc' is not a number" in panel.last_error
    assert "diabetes" in box.informativeText()  # says which dataset stays
    assert browser_controller.dataset is before
    pd.testing.assert_frame_equal(before.raw, raw_copy)
    np.testing.assert_array_equal(before.X, x_copy)
    assert panel.current_model().rowCount() == 768
    box.close()


def test_error_reporting_can_be_replaced(qtbot, tmp_path, panel):
    reports = []
    panel.report_error = lambda parent, path, error, current: reports.append((path, error))
    path = tmp_path / "empty.csv"
    path.write_text("")
    with qtbot.waitSignal(panel.loader.failed):
        panel.load_csv_file(path)
    assert len(reports) == 1 and reports[0][0] == path
    assert "empty" in str(reports[0][1])


def test_dropping_a_csv_opens_the_import_dialog(qtbot, tmp_path, panel):
    path = write_csv(tmp_path / "dropped.csv", 40)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    panel.dropEvent(event)
    dialog = panel.csv_dialog()
    assert isinstance(dialog, CsvImportDialog) and dialog.isVisible()
    assert dialog.path() == path and dialog.label_column() == "label"
    assert dialog.preview_model().rowCount() == 40
    dialog.reject()
    assert not dialog.isVisible()


def test_a_loaded_csv_stays_in_the_selector(qtbot, tmp_path, panel, browser_controller):
    path = write_csv(tmp_path / "mine.csv", 200)
    with qtbot.waitSignal(browser_controller.dataset_changed, timeout=LOAD_TIMEOUT_MS) as blocker:
        panel.load_csv_file(path, scale="standard")
    mine = blocker.args[0]
    combo = panel.findChild(QComboBox, "presetInput")
    with qtbot.waitSignal(browser_controller.dataset_changed):
        combo.setCurrentIndex(combo.findText("diabetes"))
    with qtbot.waitSignal(browser_controller.dataset_changed) as blocker:
        combo.setCurrentIndex(combo.findText("mine (CSV)"))
    assert blocker.args[0] is mine  # back without reading the file again


def test_only_csv_files_can_be_dropped(tmp_path, panel):
    kept = []  # an event only points at its QMimeData: keep each alive

    def drag(name: str) -> QDragEnterEvent:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(tmp_path / name))])
        kept.append(mime)
        return QDragEnterEvent(
            QPoint(5, 5),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )

    info = panel.info_text()
    text = drag("notes.txt")
    panel.dragEnterEvent(text)
    assert not text.isAccepted()
    csv = drag("Data.CSV")
    panel.dragEnterEvent(csv)
    assert csv.isAccepted() and "Data.CSV" in panel.info_text()
    panel.dragLeaveEvent(QDragLeaveEvent())
    assert panel.info_text() == info


def test_open_csv_dialog_from_a_menu_action(qtbot, panel):
    from PySide6.QtGui import QAction

    action = QAction("Open CSV…", panel)
    action.triggered.connect(panel.open_csv_dialog)  # triggered(bool) passes checked=False
    action.trigger()
    dialog = panel.csv_dialog()
    assert dialog is not None and dialog.isVisible() and dialog.path() is None
    assert "Choose a CSV file" in dialog.validation_message()
    assert panel.open_csv_dialog() is dialog  # a second request raises the open dialog
    dialog.reject()


def test_view_options_are_remembered(qtbot, panel, browser_controller):
    summary = panel.findChild(QCheckBox, "summaryToggle")
    assert summary.isChecked() and panel.summary_view().isVisibleTo(panel)
    summary.setChecked(False)
    assert not panel.summary_view().isVisibleTo(panel)
    panel.set_scaled(True)
    again = DatasetBrowserPanel(browser_controller)
    qtbot.addWidget(again)
    assert again.is_scaled() and not again.findChild(QCheckBox, "summaryToggle").isChecked()
    assert not again.summary_view().isVisibleTo(again)
    assert not again.findChild(QCheckBox, "highlightToggle").isChecked()
    again.shutdown()


def test_a_ten_thousand_column_table_measures_only_its_first_columns(qtbot, controller):
    from gdapp.datasets.dataset import from_arrays
    from gdapp.ui.panels import dataset_browser

    rng = np.random.default_rng(0)
    dataset = from_arrays(rng.normal(size=(40, 10_000)), np.arange(40) % 2, name="wide")
    panel = dataset_browser.DatasetBrowserPanel(controller)
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    measured = []
    model = panel.current_model()
    original = model.widest_rows
    model.widest_rows = lambda column: (measured.append(column), original(column))[1]
    controller.set_dataset(dataset)
    assert panel.current_model().columnCount() == 10_002  # and the contribution column
    assert 0 < len(measured) <= dataset_browser.FIT_COLUMNS


def test_a_hidden_table_measures_its_columns_when_shown(qtbot, controller):
    from gdapp.datasets.dataset import from_arrays

    panel = DatasetBrowserPanel(controller)
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    table = panel.table_view()
    measured = []
    model = panel.current_model()
    original = model.widest_rows
    model.widest_rows = lambda column: (measured.append(column), original(column))[1]
    rng = np.random.default_rng(1)
    long_names = from_arrays(rng.normal(size=(30, 3)) * 1e6, np.arange(30) % 2, name="wide")
    controller.set_dataset(long_names)
    # The data is there at once: the label, three features and the contribution column.
    assert panel.current_model().columnCount() == 5
    assert measured == []  # the widths wait until someone can see them
    panel.show()
    qtbot.waitExposed(panel)
    assert {0, 1, 2, 3} <= set(measured)
    summary = panel.summary_view()
    for column in range(4):
        assert summary.columnWidth(column) == table.columnWidth(column)
    measured.clear()
    controller.load_preset("diabetes")  # shown: measured now
    assert measured


def qt_fitted_widths(table: QTableView, summary: QTableView, columns: int) -> list[int]:
    """What Qt's own fitting gives when it reads every row of every column."""
    table.horizontalHeader().setResizeContentsPrecision(-1)
    widths = []
    for column in range(columns):
        table.resizeColumnToContents(column)
        widths.append(max(table.columnWidth(column), summary.sizeHintForColumn(column)))
    return widths


@pytest.mark.parametrize("sort_column", [-1, 1])
def test_columns_fit_their_widest_cell_as_qt_measures_it(qtbot, controller, sort_column):
    from gdapp.datasets.dataset import from_arrays

    rng = np.random.default_rng(3)
    x = rng.normal(size=(2_000, 4)) * np.array([1.0, 1e3, 1e-3, 1e5])
    x[1_500, 1] = -987_654.25  # the widest text sits in one row far below the visible ones
    x[7, 2] = np.nan
    dataset = from_arrays(x, np.arange(2_000) % 2, name="widths")
    panel = DatasetBrowserPanel(controller)
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    qtbot.waitExposed(panel)
    controller.set_dataset(dataset)
    table, model = panel.table_view(), panel.current_model()
    if sort_column >= 0:
        table.sortByColumn(sort_column, Qt.SortOrder.DescendingOrder)
        panel._fit_columns()
    columns = model.columnCount() - 1  # the contribution column has its own fixed width
    ours = [table.columnWidth(column) for column in range(columns)]
    assert ours == qt_fitted_widths(table, panel.summary_view(), columns)


def test_widest_rows_finds_the_longest_text_and_the_widest_numbers(qapp):
    from gdapp.ui.models.dataframe_model import DataFrameModel

    frame = pd.DataFrame(
        {
            "name": ["a", "a much longer name", None, "mid"],
            "value": [1.5, -20.25, 3.0, np.nan],
            "count": [3, 1_000_000, -7, 0],
        }
    )
    model = DataFrameModel(frame)
    assert model.widest_rows(0) == [1]
    assert model.widest_rows(1) == [1, 2]  # the most negative and the largest
    assert model.widest_rows(2) == [1, 2]
    model.sort(2, Qt.SortOrder.DescendingOrder)  # view rows follow the sort
    assert model.widest_rows(0) == [0]
    assert model.widest_rows(1) == [0, 3]


def test_the_row_header_keeps_its_width_without_reading_every_row_label(
    qtbot, browser_controller, monkeypatch
):
    from gdapp.ui.models.dataframe_model import DataFrameModel

    asked: list[int] = []
    real = DataFrameModel.headerData

    def counting(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Vertical:
            asked.append(section)
        return real(self, section, orientation, role)

    monkeypatch.setattr(DataFrameModel, "headerData", counting)  # before the model is made
    panel = DatasetBrowserPanel(browser_controller)
    qtbot.addWidget(panel)
    panel.resize(600, 500)
    panel.show()
    qtbot.waitExposed(panel)
    table = panel.findChild(QTableView, "datasetTable")
    summary = panel.findChild(QTableView, "columnSummary")
    qtbot.waitUntil(lambda: table.rowAt(table.viewport().height() // 2) >= 0)
    asked.clear()
    browser_controller.load_preset("moons")
    browser_controller.select_sample(300)
    # Qt's own row header reads the labels of 200 rows after each (800 calls).
    assert len(asked) < 50
    header, model = table.verticalHeader(), table.model()
    widest = header.fontMetrics().horizontalAdvance(str(model.rowCount() - 1))
    assert header.width() > widest  # the widest row number fits
    assert header.width() == summary.verticalHeader().width()  # the columns line up
    assert header.isVisible() and header.sectionsClickable()
    panel.shutdown()
