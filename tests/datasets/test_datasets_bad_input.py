"""Every kind of bad input raises one DatasetError that names the file, line/column, problem."""

from __future__ import annotations

import math

import pytest

from gdapp.datasets import DatasetError, csv_reader, load_csv, read_preview

HEADER = "pregnancies,glucose,age,outcome\n"
GOOD_ROWS = "".join(f"{i},{100 + i},{30 + i},{i % 2}\n" for i in range(5))  # lines 2-6


def expect_error(path, error, *, line=None, column=None, problem):
    """The attributes and the message agree on file, line, column and problem."""
    message = str(error)
    assert isinstance(error, ValueError)
    assert error.path.name == path.name
    assert message.startswith(path.name)
    assert error.row == line
    assert error.column == column
    if line is not None:
        assert f"line {line}" in message
    if column is not None:
        assert f"column {column!r}" in message
    assert problem in message, message


# (file name, content, load_csv options, line, column, problem fragment)
CASES = [
    (
        "broken.csv",
        HEADER + GOOD_ROWS + "1,abc,40,1\n",
        {},
        7,
        "glucose",
        "'abc' is not a number",
    ),
    ("inf.csv", HEADER + "1,inf,30,0\n" + GOOD_ROWS, {}, 2, "glucose", "'inf' is not a finite"),
    ("neg_inf.csv", HEADER + GOOD_ROWS + "1,2,-inf,0\n", {}, 7, "age", "'-inf' is not a finite"),
    ("overflow.csv", HEADER + GOOD_ROWS + "1,1e999,3,0\n", {}, 7, "glucose", "not a finite"),
    (
        "short_row.csv",
        HEADER + GOOD_ROWS + "1,2,3\n",
        {},
        7,
        None,
        "3 fields where the header has 4",
    ),
    (
        "long_row.csv",
        HEADER + "1,2,3,0,9\n" + GOOD_ROWS,
        {},
        2,
        None,
        "5 fields where the header has 4",
    ),
    ("header_only.csv", HEADER, {}, 2, None, "no data rows"),
    ("one_column.csv", "glucose\n1\n2\n", {}, 1, None, "only one column ('glucose')"),
    ("blank_header.csv", "\n1,2\n", {}, 1, None, "column names is empty"),
    ("no_name.csv", "a,,y\n1,2,0\n", {}, 1, None, "header field 2 has no column name"),
    ("twice.csv", "a,a,y\n1,2,0\n", {}, 1, "a", "appears twice in the header"),
    (
        "three_classes.csv",
        HEADER + GOOD_ROWS + "1,2,3,2\n",
        {},
        None,
        "outcome",
        "exactly two classes; found 3: '0', '1', '2'",
    ),
    (
        "one_class.csv",
        HEADER + "1,2,3,yes\n4,5,6,yes\n",
        {},
        None,
        "outcome",
        "exactly two classes; found 1: 'yes'",
    ),
    (
        "constant.csv",
        "a,b,y\n1,5,0\n2,5,1\n3,5,0\n",
        {},
        None,
        "b",
        "every row holds the same value (5)",
    ),
    (
        "label_name.csv",
        HEADER + GOOD_ROWS,
        {"label": "diabetic"},
        None,
        "diabetic",
        "no such label",
    ),
    (
        "feature_name.csv",
        HEADER + GOOD_ROWS,
        {"features": ["glucose", "insulin"]},
        None,
        "insulin",
        "no such feature column; the columns are 'pregnancies', 'glucose', 'age', 'outcome'",
    ),
    (
        "both.csv",
        HEADER + GOOD_ROWS,
        {"features": ["glucose", "outcome"]},
        None,
        "outcome",
        "both label and feature",
    ),
    (
        "positive.csv",
        HEADER + GOOD_ROWS,
        {"positive": "yes"},
        None,
        "outcome",
        "positive class 'yes' is not one of the labels ('0', '1')",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "options", "line", "column", "problem"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_bad_file_names_file_line_column_and_problem(
    write_file, name, content, options, line, column, problem
):
    path = write_file(name, content)
    with pytest.raises(DatasetError) as caught:
        load_csv(path, **options)
    expect_error(path, caught.value, line=line, column=column, problem=problem)


def test_brief_example_message_reads_exactly(write_file):
    path = write_file("broken.csv", HEADER + GOOD_ROWS + "1,abc,40,1\n")
    with pytest.raises(DatasetError, match="^broken.csv, line 7, column 'glucose': 'abc' is not"):
        load_csv(path)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.csv"
    with pytest.raises(DatasetError) as caught:
        load_csv(path)
    expect_error(path, caught.value, problem="no such file")
    assert str(path) in str(caught.value)


def test_folder_is_not_a_file(tmp_path):
    with pytest.raises(DatasetError, match="not a file"):
        load_csv(tmp_path)


def test_empty_file(write_file):
    path = write_file("empty.csv", b"")
    with pytest.raises(DatasetError) as caught:
        load_csv(path)
    expect_error(path, caught.value, problem="the file is empty (0 bytes)")


def test_bytes_that_are_not_utf8_are_read_as_cp1252_with_a_note(write_file):
    # Line 7 holds "été" in Windows-1252, past the sample the encoding is guessed from.
    path = write_file("latin1.csv", (HEADER + GOOD_ROWS).encode() + b"1,2,\xe9t\xe9,0\n")
    with pytest.raises(DatasetError) as caught:
        load_csv(path)
    expect_error(path, caught.value, line=7, column="age", problem="'été' is not a number")
    good = write_file("names.csv", b"name,x,y\n" + b"Ren\xe9e,1,0\nZo\xeb,2,1\n")
    dataset = load_csv(good, features=["x"], test_fraction=0)
    assert dataset.feature_names == ("x",)
    assert any("read as cp1252" in note for note in dataset.notes), dataset.notes


def test_undecodable_header_is_read_in_the_guessed_encoding(write_file):
    path = write_file("header.csv", b"a,caf\xe9,y\n1,2,0\n3,4,1\n")
    assert list(read_preview(path).columns) == ["a", "café", "y"]


@pytest.mark.parametrize("fraction", [1.0, -0.1, 1.5, math.nan, "0.2", True])
def test_test_fraction_outside_range(write_file, fraction):
    path = write_file("data.csv", HEADER + GOOD_ROWS)
    with pytest.raises(DatasetError) as caught:
        load_csv(path, test_fraction=fraction)
    expect_error(path, caught.value, problem="test_fraction must be a number in [0, 1)")


@pytest.mark.parametrize(("option", "value"), [("scale", "log"), ("seed", -1), ("seed", 0.5)])
def test_bad_options(write_file, option, value):
    path = write_file("data.csv", HEADER + GOOD_ROWS)
    with pytest.raises(DatasetError, match=f"^data.csv: .*{option}|^data.csv: unknown scaling"):
        load_csv(path, **{option: value})


def test_first_bad_line_wins_over_later_ones(write_file):
    path = write_file("two.csv", HEADER + "1,x,3,0\n1,2,3\n" + GOOD_ROWS)
    with pytest.raises(DatasetError) as caught:
        load_csv(path)
    expect_error(path, caught.value, line=2, column="glucose", problem="'x' is not a number")
    path = write_file("two_b.csv", HEADER + "1,2,3\n1,x,3,0\n" + GOOD_ROWS)
    with pytest.raises(DatasetError) as caught:
        load_csv(path)
    expect_error(path, caught.value, line=2, problem="3 fields where the header has 4")


def test_line_numbers_survive_blank_lines_and_chunks(write_file, monkeypatch):
    monkeypatch.setattr(csv_reader, "CHUNK_ROWS", 3)
    rows = [f"{i},{i + 1},{i + 2},{i % 2}\n" for i in range(20)]
    rows[4] = "\n"  # line 6 is blank: skipped, still counted
    rows[13] = "1,2,oops,0\n"  # line 15, in the fifth chunk
    path = write_file("chunks.csv", HEADER + "".join(rows))
    with pytest.raises(DatasetError) as caught:
        load_csv(path, progress=lambda fraction: None)  # progress: read in chunks
    expect_error(path, caught.value, line=15, column="age", problem="'oops' is not a number")


def test_short_row_in_a_later_chunk(write_file, monkeypatch):
    monkeypatch.setattr(csv_reader, "CHUNK_ROWS", 4)
    rows = [f"{i},{i + 1},{i + 2},{i % 2}\n" for i in range(12)]
    rows[9] = "1,2\n"
    path = write_file("ragged.csv", HEADER + "".join(rows))
    with pytest.raises(DatasetError) as caught:
        load_csv(path, progress=lambda fraction: None)
    expect_error(path, caught.value, line=11, problem="2 fields where the header has 4")


def test_bad_cell_in_an_unused_column_is_ignored(write_file):
    path = write_file("notes.csv", "a,note,b,y\n1,x,2,0\n2,,3,1\n3,y,1,0\n4,,5,1\n")
    dataset = load_csv(path, features=["a", "b"], label="y", test_fraction=0)
    assert dataset.feature_names == ("a", "b")
    assert list(dataset.raw.columns) == ["a", "b", "y"]


def test_constant_on_training_split_only(write_file):
    # b varies only through the last row; with test_fraction 0.5 and this seed, the row
    # lands in the test split, so b is constant on the training rows.
    rows = "a,b,y\n" + "".join(f"{i},1,{i % 2}\n" for i in range(9)) + "9,7,1\n"
    path = write_file("flat_train.csv", rows)
    for seed in range(50):
        try:
            load_csv(path, test_fraction=0.5, seed=seed)
        except DatasetError as error:
            expect_error(path, error, column="b", problem="constant feature cannot be scaled")
            return
    pytest.fail("no seed put the one varying row into the test split")


@pytest.mark.parametrize(
    ("name", "content", "line", "problem"),
    [
        ("empty.csv", b"", None, "the file is empty"),
        ("binary.csv", b"a,b\n1,\x002\n", None, "not a text file"),
        ("long.csv", b"a,b\n1,2\n1,2,3\n", 3, "3 fields where the header has 2"),
    ],
)
def test_read_preview_errors(write_file, name, content, line, problem):
    path = write_file(name, content)
    with pytest.raises(DatasetError) as caught:
        read_preview(path)
    assert caught.value.row == line
    assert caught.value.path.name == name
    assert problem in str(caught.value)


def test_read_preview_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        read_preview(tmp_path / "gone.csv")
