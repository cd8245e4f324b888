"""CsvImportDialog and DatasetLoader: preview, choices, inline validation, background load,
cancel, and a bad file that leaves the current dataset untouched."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QListWidget,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
)

from gdapp.datasets import load_csv
from gdapp.ui.controller import TrainingSession
from gdapp.ui.dataset_loader import DatasetLoader
from gdapp.ui.panels.csv_dialog import PREVIEW_ROWS, CsvImportDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
LOAD_TIMEOUT_MS = 60_000


@pytest.fixture
def dialog_controller(qapp):
    """A real TrainingSession on the diabetes preset, joined after the test."""
    ctrl = TrainingSession()
    ctrl.load_preset("diabetes")
    yield ctrl
    ctrl.shutdown()


@pytest.fixture
def patients_csv(tmp_path):
    """80 rows: numbers, a text column, and a yes/no label that is not the last column."""
    rng = np.random.default_rng(1)
    n = 80
    frame = pd.DataFrame(
        {
            "age": rng.integers(20, 80, n),
            "weight": np.round(rng.normal(70, 12, n), 1),
            "city": rng.choice(["Oslo", "Lyon", "Kyiv"], n),
            "sick": rng.choice(["yes", "no"], n),
            "score": rng.integers(0, 5, n),
        }
    )
    path = tmp_path / "patients.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def make_dialog(qtbot, dialog_controller):
    made = []

    def make(path=None) -> CsvImportDialog:
        dialog = CsvImportDialog(dialog_controller, path)
        qtbot.addWidget(dialog)
        dialog.open()  # window-modal, returns at once
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        dialog.loader.shutdown()


def test_preview_and_defaults(make_dialog, patients_csv):
    dialog = make_dialog(patients_csv)
    assert dialog.objectName() == "csvImportDialog" and dialog.isVisible()
    for name, kind in [
        ("csvPathInput", object),
        ("csvPreviewTable", QTableView),
        ("labelColumnInput", QComboBox),
        ("positiveClassInput", QComboBox),
        ("featureColumnsInput", QListWidget),
        ("scalingInput", QComboBox),
        ("testFractionInput", QDoubleSpinBox),
        ("seedInput", QSpinBox),
        ("validationMessage", QLabel),
        ("loadProgress", QProgressBar),
    ]:
        assert dialog.findChild(kind, name) is not None, name
    assert dialog.preview_model().rowCount() == min(80, PREVIEW_ROWS)
    assert dialog.label_column() == "score"  # the last column by default
    assert dialog.positive_choices() == ["0", "1", "2", "3", "4"]
    assert dialog.feature_columns() == ["age", "weight"]  # text columns left out
    assert dialog.preview_model().headerData(2, Qt.Orientation.Horizontal) == "city"
    assert dialog.preview_model().data(
        dialog.preview_model().index(0, 2), Qt.ItemDataRole.ForegroundRole
    )  # greyed: not used
    assert dialog.scaling() == "minmax" and dialog.test_fraction() == 0.2 and dialog.seed() == 0
    # A five-valued label cannot be used: the message says so and Load is disabled.
    assert "exactly two classes" in dialog.validation_message()
    assert not dialog.findChild(QPushButton, "loadButton").isEnabled()
    dialog.set_label_column("sick")
    message = dialog.findChild(QLabel, "validationMessage").text()
    assert "'city'" in message and "Left out" in message


def test_choosing_the_label_updates_classes_and_features(make_dialog, patients_csv):
    dialog = make_dialog(patients_csv)
    dialog.set_feature_columns(["age", "weight", "score"])  # "sick" is a text column
    dialog.set_label_column("sick")
    assert dialog.positive_choices() == ["no", "yes"]
    assert dialog.positive_class() == "yes"  # the class load_csv would choose
    assert "sick" not in dialog.feature_columns()
    items = dialog.findChild(QListWidget, "featureColumnsInput")
    label_item = next(items.item(i) for i in range(items.count()) if "sick" in items.item(i).text())
    assert not label_item.flags() & Qt.ItemFlag.ItemIsEnabled
    assert dialog.validation_message() == ""
    assert dialog.findChild(QPushButton, "loadButton").isEnabled()
    dialog.set_label_column("age")  # the old label becomes available again
    assert "age" not in dialog.feature_columns()
    muted = dialog.preview_model()
    assert muted.label_column == "age"


def test_inline_validation_messages(make_dialog, patients_csv, tmp_path):
    dialog = make_dialog(patients_csv)
    dialog.set_label_column("sick")
    dialog.set_feature_columns([])
    assert dialog.validation_message() == "Tick at least one feature column."
    assert (
        dialog.findChild(QLabel, "validationMessage").text() == "Tick at least one feature column."
    )
    dialog.set_feature_columns(["age", "city"])
    assert "'city' holds text" in dialog.validation_message()
    dialog.set_feature_columns(["age"])
    dialog.set_positive_class("maybe")
    assert "positive class" in dialog.validation_message()
    dialog.set_positive_class("no")
    assert dialog.validation_message() == ""
    missing = make_dialog(tmp_path / "nowhere.csv")
    assert "no such file" in missing.validation_message()
    assert not missing.findChild(QPushButton, "loadButton").isEnabled()
    empty = make_dialog()
    assert "Choose a CSV file" in empty.validation_message()


def test_load_applies_every_choice(qtbot, make_dialog, patients_csv, dialog_controller):
    dialog = make_dialog(patients_csv)
    dialog.set_label_column("sick")
    dialog.set_feature_columns(["age", "score"])
    dialog.set_positive_class("no")
    dialog.set_scaling("standard")
    dialog.set_test_fraction(0.25)
    dialog.set_seed(7)
    progress = []
    dialog.loader.progress.connect(progress.append)
    with qtbot.waitSignal(dialog_controller.dataset_changed, timeout=LOAD_TIMEOUT_MS) as blocker:
        dialog.accept()
    ds = blocker.args[0]
    expected = load_csv(
        patients_csv,
        label="sick",
        features=["age", "score"],
        positive="no",
        scale="standard",
        test_fraction=0.25,
        seed=7,
    )
    assert ds.feature_names == ("age", "score") and ds.label_name == "sick"
    assert ds.positive_label == "no" and ds.scaler.kind == "standard"
    np.testing.assert_array_equal(ds.X, expected.X)
    np.testing.assert_array_equal(ds.test_idx, expected.test_idx)
    assert progress[-1] == 1.0
    assert not dialog.isVisible() and dialog.result() == CsvImportDialog.DialogCode.Accepted
    assert dialog_controller.dataset is ds
    assert dialog_controller.dataset_origin["csv"] == str(patients_csv)


def test_bad_file_shows_an_error_and_keeps_the_dataset(
    qtbot, make_dialog, tmp_path, dialog_controller
):
    before = dialog_controller.dataset
    raw_copy = before.raw.copy()
    rows = ["x,y,label"] + [f"{i},{i % 7},{i % 2}" for i in range(200)]
    rows[150] = "149,abc,1"  # past the preview, so only the full read finds it
    path = tmp_path / "bad values.csv"
    path.write_text("\n".join(rows) + "\n")
    dialog = make_dialog(path)
    assert dialog.validation_message() == ""
    changed = []
    dialog_controller.dataset_changed.connect(changed.append)
    with qtbot.waitSignal(dialog.loader.failed, timeout=LOAD_TIMEOUT_MS):
        dialog.accept()
    box = dialog.error_box
    assert isinstance(box, QMessageBox) and box.isVisible()  # opened without blocking
    assert box.icon() == QMessageBox.Icon.Critical
    assert "bad values.csv" in box.text()
    assert "line 151" in box.informativeText() and "column 'y'" in box.informativeText()
    assert "'abc' is not a number" in box.informativeText()
    assert "diabetes" in box.informativeText()
    assert dialog.isVisible()  # every choice is still there to fix and retry
    assert "'abc' is not a number" in dialog.findChild(QLabel, "validationMessage").text()
    assert dialog.findChild(QPushButton, "loadButton").isEnabled()
    assert dialog_controller.dataset is before and not changed
    pd.testing.assert_frame_equal(before.raw, raw_copy)
    box.close()


def test_error_reporter_is_injectable(qtbot, make_dialog, tmp_path):
    path = tmp_path / "one_class.csv"
    path.write_text("a,b\n" + "".join(f"{i},1\n" for i in range(30)))
    dialog = make_dialog(path)
    reports = []
    dialog.report_error = lambda parent, p, error, current: reports.append((p, str(error)))
    with qtbot.waitSignal(dialog.loader.failed):
        dialog.accept()
    assert reports == [(path, reports[0][1])]
    assert "two classes" in reports[0][1] and "one_class.csv" in reports[0][1]


def test_cancel_stops_a_running_load(qtbot, make_dialog, tmp_path, dialog_controller):
    path = tmp_path / "big.csv"
    rng = np.random.default_rng(0)
    n = 400_000
    pd.DataFrame({"a": rng.integers(0, 99, n), "y": rng.integers(0, 2, n)}).to_csv(
        path, index=False
    )
    before = dialog_controller.dataset
    dialog = make_dialog(path)
    with qtbot.waitSignal(dialog.loader.cancelled, timeout=LOAD_TIMEOUT_MS):
        dialog.accept()
        assert dialog.is_loading()
        assert dialog.findChild(QProgressBar, "loadProgress").isVisibleTo(dialog)
        dialog.reject()  # the first Cancel stops the load, the dialog stays
    assert not dialog.is_loading() and dialog.isVisible()
    assert (
        "cancelled"
        in dialog.validation_message() + dialog.findChild(QLabel, "validationMessage").text()
    )
    assert dialog_controller.dataset is before
    dialog.reject()  # the second closes it
    assert not dialog.isVisible()


def test_loader_reports_one_outcome_after_joining(qtbot, tmp_path):
    path = tmp_path / "small.csv"
    path.write_text("a,b,y\n1,2,0\n3,4,1\n5,7,0\n6,1,1\n")
    loader = DatasetLoader()
    seen = []
    loader.running_changed.connect(lambda running: seen.append(("running", running)))
    loader.loaded.connect(lambda ds: seen.append(("loaded", loader.is_running())))
    with qtbot.waitSignal(loader.loaded):
        loader.start(path, test_fraction=0.0)
        with pytest.raises(RuntimeError, match="already loading"):
            loader.start(path)
    assert seen == [("running", True), ("running", False), ("loaded", False)]
    with qtbot.waitSignal(loader.failed) as blocker:
        loader.start(path, scale="cubic")
    assert "unknown scaling" in str(blocker.args[0])
