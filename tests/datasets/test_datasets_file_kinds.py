"""Tables as other programs write them: R's write.csv, pandas' to_csv with its index,
European spreadsheets (";" and decimal commas), UTF-16 and cp1252 text, compressed files
with misleading names, Excel workbooks; and every way a path or a file can be unusable.

Expected values come from the numbers the test writes, never from the loader."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gdapp.datasets import DatasetError, load_csv, open_table, read_preview

REFERENCE = Path("/work/shared/reference/data-03-diabetes.csv")

# Ten patients, two features and a yes/no label, with R's default row names 1..10.
GLUCOSE = [86.0, 195.0, 77.0, 165.0, 107.0, 97.0, 82.0, 166.0, 133.0, 120.5]
BMI = [30.2, 25.1, 35.8, 43.3, 22.9, 27.6, 31.0, 33.8, 29.3, 24.4]
TYPE = ["No", "Yes", "No", "Yes", "No", "No", "No", "Yes", "Yes", "No"]


def frame() -> pd.DataFrame:
    return pd.DataFrame({"glu": GLUCOSE, "bmi": BMI, "type": TYPE})


def r_write_csv(path: Path, table: pd.DataFrame) -> Path:
    """What R's write.csv(df, path) writes: a quoted empty first header field, quoted row
    names and strings, unquoted numbers, "NA" for a missing value."""
    header = ",".join(['""', *(f'"{c}"' for c in table.columns)])
    lines = [header]
    for i, row in enumerate(table.itertuples(index=False), start=1):
        cells = [f'"{i}"']
        for value in row:
            if isinstance(value, str):
                cells.append(f'"{value}"')
            elif value != value:
                cells.append("NA")
            else:
                cells.append(repr(float(value)).removesuffix(".0"))
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n")
    return path


def expect_two_features(dataset, glucose=GLUCOSE, bmi=BMI, labels=TYPE) -> None:
    assert dataset.feature_names == ("glu", "bmi")
    np.testing.assert_array_equal(dataset.raw["glu"].to_numpy(dtype=float), glucose)
    np.testing.assert_array_equal(dataset.raw["bmi"].to_numpy(dtype=float), bmi)
    np.testing.assert_array_equal(dataset.y, [1.0 if t == "Yes" else 0.0 for t in labels])
    assert dataset.positive_label == "Yes"


# -- row labels ---------------------------------------------------------------------------


def test_r_write_csv_row_names_are_row_labels_not_a_feature(tmp_path):
    path = r_write_csv(tmp_path / "pima_tr.csv", frame())
    assert path.read_text().startswith('"","glu","bmi","type"\n"1",86,30.2,"No"')
    dataset = load_csv(path, test_fraction=0)
    expect_two_features(dataset)
    assert list(dataset.row_labels) == [str(i) for i in range(1, 11)]
    assert any("row labels" in note for note in dataset.notes)
    # Naming features leaves the row labels out just the same.
    only = load_csv(path, features=["glu"], label="type", test_fraction=0)
    assert only.feature_names == ("glu",)


def test_pandas_to_csv_index_and_unnamed_0(tmp_path):
    table = frame().set_axis([f"p{i}" for i in range(10)])
    plain = tmp_path / "indexed.csv"
    table.to_csv(plain)  # header ",glu,bmi,type"
    assert plain.read_text().startswith(",glu,bmi,type\np0,")
    dataset = load_csv(plain, test_fraction=0)
    expect_two_features(dataset)
    assert list(dataset.row_labels) == [f"p{i}" for i in range(10)]
    # Read back and saved again, the index column is called "Unnamed: 0".
    again = tmp_path / "again.csv"
    pd.read_csv(plain).to_csv(again, index=False)
    assert again.read_text().startswith("Unnamed: 0,glu")
    expect_two_features(load_csv(again, test_fraction=0))


def test_reference_file_in_r_style_trains_on_its_eight_features(tmp_path):
    if not REFERENCE.exists():
        pytest.skip("the reference data file is not on this machine")
    table = pd.read_csv(REFERENCE, header=None)
    path = tmp_path / "reference_r.csv"
    table.columns = [f"v{j}" for j in range(table.shape[1])]
    r_write_csv(path, table)
    dataset = load_csv(path, test_fraction=0)
    assert dataset.n_features == table.shape[1] - 1
    assert dataset.n_samples == len(table)
    assert "v0" in dataset.feature_names and dataset.row_labels is not None


# -- dialects -------------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_delimiters_are_detected(tmp_path, sep):
    path = tmp_path / "table.txt"
    frame().to_csv(path, sep=sep, index=False)
    expect_two_features(load_csv(path, test_fraction=0))


def test_european_export_semicolons_and_decimal_commas(tmp_path):
    path = tmp_path / "export.csv"
    frame().to_csv(path, sep=";", decimal=",", index=False)
    assert "30,2" in path.read_text()
    dataset = load_csv(path, test_fraction=0)
    expect_two_features(dataset)
    assert any("Decimal commas" in note for note in dataset.notes)


def test_quoted_numbers_and_padded_cells(tmp_path):
    rows = "".join(f'"{g}", {b} ,{t}\n' for g, b, t in zip(GLUCOSE, BMI, TYPE, strict=True))
    path = tmp_path / "quoted.csv"
    path.write_text("glu,bmi,type\n" + rows)
    expect_two_features(load_csv(path, test_fraction=0))


@pytest.mark.parametrize(
    ("encoding", "note"),
    [("utf-8-sig", None), ("utf-16", "UTF-16"), ("cp1252", "cp1252")],
)
def test_encodings(tmp_path, encoding, note):
    table = frame().assign(city=["Zürich", "Köln", "Malmö", "Besançon", "Århus"] * 2)
    path = tmp_path / f"{encoding}.csv"
    table.to_csv(path, index=False, encoding=encoding)
    dataset = load_csv(path, features=["glu", "bmi"], label="type", test_fraction=0)
    expect_two_features(dataset)
    preview = read_preview(path)
    assert preview["city"].tolist()[:2] == ["Zürich", "Köln"]
    if note is not None:
        assert any(note in n for n in dataset.notes), dataset.notes


@pytest.mark.parametrize("compression", ["gzip", "bz2", "xz", "zip"])
def test_compression_is_found_by_content_whatever_the_name(tmp_path, compression):
    path = tmp_path / "looks_plain.csv"  # no .gz/.bz2/.xz/.zip: only the bytes tell
    frame().to_csv(path, index=False, compression={"method": compression})
    magic = {"gzip": b"\x1f\x8b", "bz2": b"BZh", "xz": b"\xfd7zXZ", "zip": b"PK"}
    assert path.read_bytes().startswith(magic[compression])
    dataset = load_csv(path, test_fraction=0)
    expect_two_features(dataset)
    assert any(compression in note for note in dataset.notes)


def test_damaged_compressed_file(tmp_path):
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(gzip.compress(frame().to_csv(index=False).encode())[:30])
    with pytest.raises(DatasetError, match="^cut.csv.gz: "):
        load_csv(path)


def test_zip_with_two_files_is_refused(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "x,y\n1,0\n2,1\n")
        archive.writestr("b.csv", "x,y\n1,0\n2,1\n")
    with pytest.raises(DatasetError, match="holds 2 files"):
        load_csv(path)


# -- missing values, label spellings, thousands separators -----------------------------------


def missing_file(tmp_path) -> Path:
    """Rows 2, 5 and 8 (0-based) have a gap: "NA", "" and "?"; row 6 holds spaces only."""
    cells = [[str(g), str(b), t] for g, b, t in zip(GLUCOSE, BMI, TYPE, strict=True)]
    cells[2][0], cells[5][1], cells[8][0], cells[6][1] = "NA", "", "?", "   "
    path = tmp_path / "gaps.csv"
    path.write_text("glu,bmi,type\n" + "".join(",".join(row) + "\n" for row in cells))
    return path


def test_rows_with_missing_values_are_left_out_by_default(tmp_path):
    dataset = load_csv(missing_file(tmp_path), test_fraction=0)
    kept = [i for i in range(10) if i not in (2, 5, 6, 8)]
    expect_two_features(
        dataset,
        [GLUCOSE[i] for i in kept],
        [BMI[i] for i in kept],
        [TYPE[i] for i in kept],
    )
    assert "4 rows with missing values left out (the first at line 4)." in dataset.notes
    assert list(dataset.raw.index) == kept  # each row keeps its place in the file


def test_missing_values_filled_with_the_training_median(tmp_path):
    dataset = load_csv(missing_file(tmp_path), test_fraction=0, missing="fill", scale="none")
    glucose = [g for i, g in enumerate(GLUCOSE) if i not in (2, 8)]
    bmi = [b for i, b in enumerate(BMI) if i not in (5, 6)]
    assert dataset.imputed == {"glu": np.median(glucose), "bmi": np.median(bmi)}
    assert dataset.X[2, 0] == np.median(glucose) and dataset.X[6, 1] == np.median(bmi)
    assert np.isnan(dataset.raw["glu"][2])  # the raw table keeps the gap
    assert any("4 missing values in 4 row(s) filled" in note for note in dataset.notes)


def test_fill_uses_training_rows_only(tmp_path):
    rng = np.random.default_rng(3)
    values = rng.normal(size=40).round(3)
    labels = np.tile([0, 1], 20)
    text = [str(v) for v in values]
    text[7] = "NA"
    path = tmp_path / "fill.csv"
    rows = [f"{t},{i},{y}\n" for i, (t, y) in enumerate(zip(text, labels, strict=True))]
    path.write_text("a,b,y\n" + "".join(rows))
    dataset = load_csv(path, test_fraction=0.5, seed=4, missing="fill", scale="none")
    train = [i for i in dataset.train_idx if i != 7]
    assert dataset.imputed["a"] == pytest.approx(np.median(values[train]))


def test_unknown_missing_choice(tmp_path):
    with pytest.raises(DatasetError, match="unknown missing-value choice 'keep'"):
        load_csv(missing_file(tmp_path), missing="keep")


def test_labels_differing_in_case_or_spaces_are_one_class(tmp_path):
    labels = ["yes", "no", "Yes ", "No", " yes", "no", "YES", "no", "yes", "no"]
    path = tmp_path / "case.csv"
    table = frame().assign(type=labels)
    table.to_csv(path, index=False)
    dataset = load_csv(path, test_fraction=0)
    np.testing.assert_array_equal(dataset.y, [1, 0, 1, 0, 1, 0, 1, 0, 1, 0])
    assert dataset.positive_label == "yes" and dataset.negative_label == "no"
    assert any("differ only in case or spaces" in note for note in dataset.notes)


def test_true_false_labels_load_with_any_spelling_of_the_positive_class(tmp_path):
    path = tmp_path / "flags.csv"
    flags = [t == "Yes" for t in TYPE]
    frame().assign(type=flags).to_csv(path, index=False)
    for positive, expected in [(None, flags), ("True", flags), ("1", flags), ("0", None)]:
        dataset = load_csv(path, positive=positive, test_fraction=0)
        want = flags if expected is not None else [not f for f in flags]
        np.testing.assert_array_equal(dataset.y, np.array(want, dtype=float))


def test_thousands_separators_are_read_when_unambiguous(tmp_path):
    path = tmp_path / "income.csv"
    path.write_text('income,age,y\n"48,048",30,0\n"1,250,000",41,1\n"950",29,0\n"12,500.5",35,1\n')
    dataset = load_csv(path, test_fraction=0, scale="none")
    np.testing.assert_array_equal(dataset.raw["income"], [48048, 1250000, 950, 12500.5])
    assert any("thousands separators read" in note for note in dataset.notes)
    assert read_preview(path)["income"].dtype.kind == "f"


def test_thousands_separators_beside_decimal_commas_are_refused(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text('income,age,y\n"48,048",30,0\n"1,5",41,1\n"950",29,0\n')
    with pytest.raises(DatasetError) as caught:
        load_csv(path)
    assert caught.value.column == "income" and caught.value.row == 2
    assert "thousands separator or a decimal mark" in str(caught.value)
    # The preview leaves such a column as text, so a dialog refuses it as well.
    assert read_preview(path)["income"].dtype.kind not in "iuf"


# -- Excel ----------------------------------------------------------------------------------


def test_excel_first_sheet_or_a_chosen_one(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"note": ["x"]}).to_excel(writer, sheet_name="About", index=False)
        frame().to_excel(writer, sheet_name="Patients")
    source = open_table(path)
    assert source.sheets == ("About", "Patients")
    dataset = load_csv(path, sheet="Patients", test_fraction=0)
    expect_two_features(dataset)
    assert list(dataset.row_labels) == [str(i) for i in range(10)]
    with pytest.raises(DatasetError, match="only one column"):
        load_csv(path)  # the first sheet holds one column
    with pytest.raises(DatasetError, match="no sheet 'Nope'; the sheets are 'About', 'Patients'"):
        load_csv(path, sheet="Nope")


def test_excel_with_a_misleading_name_and_a_bad_cell(tmp_path):
    path = tmp_path / "data.csv"  # a workbook all the same
    table = frame().astype({"glu": object})
    table.loc[4, "glu"] = "high"
    table.to_excel(path, index=False, engine="openpyxl")
    with pytest.raises(DatasetError) as caught:
        load_csv(path)
    assert (caught.value.row, caught.value.column) == (6, "glu")
    assert "'high' is not a number" in str(caught.value)


def test_old_xls_is_refused_with_advice(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(DatasetError, match="old Excel"):
        load_csv(path)


# -- files and paths that cannot be read ----------------------------------------------------


def png_bytes() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_a_picture_is_not_a_table(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(png_bytes())
    for read in (load_csv, read_preview):
        with pytest.raises(DatasetError, match="^photo.csv: not a text file"):
            read(path)


def test_path_too_long(tmp_path):
    long_name = tmp_path / ("x" * 300 + ".csv")
    deep = tmp_path.joinpath(*["abcdefgh"] * 600, "data.csv")
    for path in (long_name, deep):
        for read in (load_csv, read_preview):
            with pytest.raises(DatasetError, match="too long"):
                read(path)
    with pytest.raises(DatasetError) as caught:
        load_csv(long_name)
    assert len(str(caught.value)) < 200


def test_folder_symlink_loop_and_vanished_file(tmp_path):
    with pytest.raises(DatasetError, match="not a file"):
        load_csv(tmp_path)
    (tmp_path / "a.csv").symlink_to(tmp_path / "b.csv")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")
    with pytest.raises(DatasetError, match="loop of symbolic links"):
        load_csv(tmp_path / "a.csv")
    path = tmp_path / "gone.csv"
    frame().to_csv(path, index=False)
    source = open_table(path)
    path.unlink()
    with pytest.raises(DatasetError, match="^gone.csv: no such file"):
        source.read(["glu"], "type")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads any file")
def test_no_permission(tmp_path):
    path = tmp_path / "locked.csv"
    frame().to_csv(path, index=False)
    path.chmod(0)
    with pytest.raises(DatasetError, match="no permission"):
        load_csv(path)


def test_giant_field_and_giant_header_line(tmp_path):
    cell = "9" * 200_000  # beyond the csv module's 131,072-character field limit
    path = tmp_path / "giant.csv"
    path.write_text(f"a,b,y\n1,{cell},0\n2,3,1\n3,4,0\n")
    with pytest.raises(DatasetError) as caught:
        load_csv(path)
    assert (caught.value.row, caught.value.column) == (2, "b")
    assert len(str(caught.value)) < 200
    # The giant cell in an unused column is no obstacle.
    assert load_csv(path, features=["a"], test_fraction=0).n_samples == 3
    line = tmp_path / "one_line.csv"
    line.write_text("1," * 2_000_000)
    with pytest.raises(DatasetError, match="line 1: no line break in the first"):
        load_csv(line)


@pytest.mark.parametrize("opener", [gzip.open, bz2.open, lzma.open])
def test_compressed_binary_is_not_a_table(tmp_path, opener):
    path = tmp_path / "packed.bin"
    with opener(path, "wb") as handle:
        handle.write(png_bytes())
    with pytest.raises(DatasetError, match="not a text file"):
        load_csv(path)


def test_permission_refused_by_the_system_is_a_dataset_error(tmp_path, monkeypatch):
    """The same check as test_no_permission where the tests run as root: opening the
    file fails with EACCES, as it does for an unreadable file."""
    path = tmp_path / "locked.csv"
    frame().to_csv(path, index=False)
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(DatasetError, match="^locked.csv: no permission to read the file"):
        load_csv(path)
