"""The import dialog on the files people have (R and European exports, True/False labels,
thousands separators, gaps, workbooks) and on files it cannot read: real widgets, real
files, offscreen. A problem shows in the message area; the current dataset stays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton

from gdapp.ui.controller import TrainingSession
from gdapp.ui.panels.csv_dialog import CsvImportDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
LOAD_TIMEOUT_MS = 60_000
GLUCOSE = [86, 195, 77, 165, 107, 97, 82, 166, 133, 120]
BMI = [30.2, 25.1, 35.8, 43.3, 22.9, 27.6, 31.0, 33.8, 29.3, 24.4]
TYPE = ["No", "Yes", "No", "Yes", "No", "No", "No", "Yes", "Yes", "No"]


@pytest.fixture
def controller(qapp):
    ctrl = TrainingSession()
    ctrl.load_preset("diabetes")
    yield ctrl
    ctrl.shutdown()


@pytest.fixture
def make_dialog(qtbot, controller):
    made = []

    def make(path=None) -> CsvImportDialog:
        dialog = CsvImportDialog(controller, path)
        qtbot.addWidget(dialog)
        dialog.report_error = lambda *args: None  # the message area is what we check
        dialog.open()
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        dialog.loader.shutdown()


def load(qtbot, dialog, controller):
    with qtbot.waitSignal(controller.dataset_changed, timeout=LOAD_TIMEOUT_MS) as blocker:
        dialog.accept()
    return blocker.args[0]


def message(dialog) -> str:
    return dialog.findChild(QLabel, "validationMessage").text()


def test_r_row_names_are_the_row_header_and_never_a_feature(
    qtbot, make_dialog, controller, tmp_path
):
    rows = [
        f'"{i}",{g},{b},"{t}"'
        for i, (g, b, t) in enumerate(zip(GLUCOSE, BMI, TYPE, strict=True), start=1)
    ]
    path = tmp_path / "pima_tr.csv"
    path.write_text('"","glu","bmi","type"\n' + "\n".join(rows) + "\n")
    dialog = make_dialog(path)
    assert dialog.validation_message() == ""
    assert dialog.feature_columns() == ["glu", "bmi"]
    model = dialog.preview_model()
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(3)] == ["1", "2", "3"]
    assert "row labels" in message(dialog)
    dataset = load(qtbot, dialog, controller)
    assert dataset.feature_names == ("glu", "bmi")
    assert list(dataset.row_labels[:3]) == ["1", "2", "3"]
    np.testing.assert_array_equal(dataset.raw["glu"], GLUCOSE)


def test_true_false_labels_load_with_either_class(qtbot, make_dialog, controller, tmp_path):
    path = tmp_path / "flags.csv"
    flags = [t == "Yes" for t in TYPE]
    pd.DataFrame({"glu": GLUCOSE, "bmi": BMI, "sick": flags}).to_csv(path, index=False)
    dialog = make_dialog(path)
    assert dialog.positive_choices() == ["False", "True"]
    assert dialog.positive_class() == "True" and dialog.validation_message() == ""
    dialog.set_positive_class("False")
    assert dialog.validation_message() == ""
    dataset = load(qtbot, dialog, controller)
    assert dataset.positive_label == "False"
    np.testing.assert_array_equal(dataset.y, [0.0 if f else 1.0 for f in flags])


@pytest.mark.parametrize(("sep", "decimal"), [(";", ","), ("\t", ".")])
def test_semicolon_and_tab_files_preview_and_load(
    qtbot, make_dialog, controller, tmp_path, sep, decimal
):
    path = tmp_path / "export.csv"
    pd.DataFrame({"glu": GLUCOSE, "bmi": BMI, "type": TYPE}).to_csv(
        path, sep=sep, decimal=decimal, index=False
    )
    dialog = make_dialog(path)
    assert list(dialog.preview_frame().columns) == ["glu", "bmi", "type"]
    assert dialog.feature_columns() == ["glu", "bmi"] and dialog.validation_message() == ""
    dataset = load(qtbot, dialog, controller)
    np.testing.assert_array_equal(dataset.raw["bmi"], BMI)


def test_thousands_separators_and_blank_cells_agree_with_the_loader(
    qtbot, make_dialog, controller, tmp_path
):
    lines = ["income,age,y"] + [f'"{1000 + 997 * i:,}",{20 + i},{i % 2}' for i in range(10)]
    lines[4] = '"4,048",   ,1'  # a whitespace-only age: a missing value
    path = tmp_path / "income.csv"
    path.write_text("\n".join(lines) + "\n")
    dialog = make_dialog(path)
    assert dialog.feature_columns() == ["income", "age"] and dialog.validation_message() == ""
    assert "thousands separators read" in message(dialog)
    notices = []
    controller.notice.connect(notices.append)
    dataset = load(qtbot, dialog, controller)
    assert dataset.n_samples == 9
    assert 1997.0 in dataset.raw["income"].tolist()
    assert any("1 row with missing values left out (the first at line 5)" in n for n in notices)


def test_ambiguous_separators_are_refused_in_the_dialog_too(make_dialog, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text('income,age,y\n"48,048",30,0\n"1,5",41,1\n"950",29,0\n"7,25",33,1\n')
    dialog = make_dialog(path)
    assert dialog.feature_columns() == ["age"]  # shown as text, not ticked
    dialog.set_feature_columns(["income", "age"])
    assert "'income' holds text" in dialog.validation_message()


def test_fill_choice_reaches_the_loader(qtbot, make_dialog, controller, tmp_path):
    path = tmp_path / "gaps.csv"
    rows = [f"{g},{b},{t}" for g, b, t in zip(GLUCOSE, BMI, TYPE, strict=True)]
    rows[2] = f"NA,{BMI[2]},{TYPE[2]}"
    path.write_text("glu,bmi,type\n" + "\n".join(rows) + "\n")
    dialog = make_dialog(path)
    combo = dialog.findChild(QComboBox, "missingInput")
    assert combo.currentData() == "drop"
    dialog.set_missing("fill")
    assert dialog.options()["missing"] == "fill"
    dataset = load(qtbot, dialog, controller)
    assert dataset.n_samples == 10 and "glu" in dataset.imputed
    assert controller.dataset_origin["missing"] == "fill"


def test_workbook_sheets(qtbot, make_dialog, controller, tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"note": ["x", "y"]}).to_excel(writer, sheet_name="About", index=False)
        pd.DataFrame({"glu": GLUCOSE, "bmi": BMI, "type": TYPE}).to_excel(
            writer, sheet_name="Data", index=False
        )
    dialog = make_dialog(path)
    sheet = dialog.findChild(QComboBox, "sheetInput")
    assert sheet.isVisibleTo(dialog) and dialog.sheet() == "About"
    assert dialog.validation_message() != ""  # one column: nothing to learn from
    dialog.set_sheet("Data")
    assert dialog.feature_columns() == ["glu", "bmi"] and dialog.validation_message() == ""
    dataset = load(qtbot, dialog, controller)
    assert dataset.feature_names == ("glu", "bmi")
    assert controller.dataset_origin["sheet"] == "Data"
    plain = make_dialog(tmp_path.parent)  # a folder: no sheets, the row hidden
    assert not plain.findChild(QComboBox, "sheetInput").isVisibleTo(plain)


def png(path):
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: png(tmp / "photo.csv"), "not a text file"),
        (lambda tmp: tmp / ("y" * 300 + ".csv"), "too long"),
        (lambda tmp: tmp.joinpath(*["abcdefgh"] * 600, "a.csv"), "too long"),
        (lambda tmp: tmp, "not a file"),
    ],
    ids=["picture", "long name", "deep path", "folder"],
)
def test_unreadable_files_are_messages_not_crashes(make_dialog, tmp_path, make, expected):
    dialog = make_dialog(make(tmp_path))
    assert expected in dialog.validation_message()
    assert expected in message(dialog)
    assert not dialog.findChild(QPushButton, "loadButton").isEnabled()


def test_typing_a_long_path_then_enter_previews(qtbot, make_dialog, tmp_path):
    dialog = make_dialog()
    field = dialog.findChild(QLineEdit, "csvPathInput")
    field.setFocus()
    field.setText(str(tmp_path / ("z" * 400 + ".csv")))
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert "too long" in message(dialog)
    assert dialog.isVisible() and not dialog.is_loading()


def test_enter_in_the_path_field_previews_and_does_not_load(
    qtbot, make_dialog, controller, tmp_path
):
    path = tmp_path / "good.csv"
    pd.DataFrame({"glu": GLUCOSE, "bmi": BMI, "type": TYPE}).to_csv(path, sep=";", index=False)
    dialog = make_dialog()
    before = controller.dataset
    field = dialog.findChild(QLineEdit, "csvPathInput")
    field.setFocus()
    field.setText(str(path))
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert dialog.path() == path and dialog.feature_columns() == ["glu", "bmi"]
    assert "semicolons" in message(dialog)  # the notes are there to read
    qtbot.keyClick(field, Qt.Key.Key_Enter)
    assert not dialog.is_loading() and dialog.isVisible()
    assert controller.dataset is before


def test_a_file_removed_after_the_preview(qtbot, make_dialog, controller, tmp_path):
    path = tmp_path / "soon_gone.csv"
    pd.DataFrame({"glu": GLUCOSE, "bmi": BMI, "type": TYPE}).to_csv(path, index=False)
    dialog = make_dialog(path)
    before = controller.dataset
    path.unlink()
    with qtbot.waitSignal(dialog.loader.failed, timeout=LOAD_TIMEOUT_MS) as blocker:
        dialog.accept()
    assert type(blocker.args[0]).__name__ == "DatasetError"
    assert "soon_gone.csv: no such file" in message(dialog)
    assert controller.dataset is before and dialog.isVisible()


def test_a_named_row_counter_is_not_ticked_by_default(qtbot, make_dialog, controller, tmp_path):
    path = tmp_path / "numbered.csv"
    table = pd.DataFrame({"id": range(1, 11), "glu": GLUCOSE, "bmi": BMI, "type": TYPE})
    table.to_csv(path, index=False)
    dialog = make_dialog(path)
    assert dialog.feature_columns() == ["glu", "bmi"]
    assert "Left out 'id': it counts the rows." in message(dialog)
    dataset = load(qtbot, dialog, controller)
    assert dataset.feature_names == ("glu", "bmi")
    dialog2 = make_dialog(path)
    dialog2.set_feature_columns(["id", "glu"])  # a choice, still possible
    assert dialog2.validation_message() == ""


def test_row_labels_in_the_main_window_table(qtbot, tmp_path):
    from PySide6.QtWidgets import QTableView

    from gdapp.ui.main_window import MainWindow

    path = tmp_path / "named_rows.csv"
    table = pd.DataFrame({"glu": GLUCOSE, "bmi": BMI, "type": TYPE})
    table.set_axis([f"patient {i}" for i in range(10)]).to_csv(path)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.controller.load_csv(path)
    view = window.dataset_panel.findChild(QTableView, "datasetTable")
    model = view.model()
    qtbot.waitUntil(lambda: model.rowCount() == 10)
    shown = {model.headerData(r, Qt.Orientation.Vertical) for r in range(10)}
    assert shown == {f"patient {i}" for i in range(10)}
    tip = model.headerData(0, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole)
    assert "labelled 'patient" in tip
