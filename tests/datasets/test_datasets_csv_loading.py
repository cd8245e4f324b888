"""load_csv on good files: label mapping, column choice, formats, progress, preview."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gdapp.datasets import Dataset, csv_reader, load_csv, read_preview, split_indices


def two_feature_file(labels: list[object]) -> str:
    rows = [f"{i},{(i * 3) % 7},{label}" for i, label in enumerate(labels)]
    return "a,b,label\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize(
    ("labels", "positive", "expected_positive", "expected_negative"),
    [
        ([0, 1, 1, 0], None, "1", "0"),
        ([0.0, 1.0, 1.0, 0.0], None, "1", "0"),
        (["No", "Yes", "Yes", "No"], None, "Yes", "No"),
        (["yes", "no", "no", "yes"], None, "yes", "no"),
        (
            ["tested_negative", "tested_positive", "tested_positive", "tested_negative"],
            None,
            "tested_positive",
            "tested_negative",
        ),
        (["negative", "positive", "positive", "negative"], None, "positive", "negative"),
        # pandas reads TRUE/FALSE as booleans, shown in Python's spelling.
        (["FALSE", "TRUE", "TRUE", "FALSE"], None, "True", "False"),
        (["False", "True", "True", "False"], "1", "True", "False"),
        (["False", "True", "True", "False"], "0", "False", "True"),
        (["False", "True", "True", "False"], "true", "True", "False"),
        # Spellings that differ in case or surrounding spaces are one class.
        (["no", "Yes ", "yes", " No", "yes"], None, "yes", "no"),  # the commoner spelling
        (["cat", "dog", "dog", "cat"], None, "dog", "cat"),  # second in sorted order
        (["cat", "dog", "dog", "cat"], "cat", "cat", "dog"),
        ([1, 2, 2, 1], None, "2", "1"),  # the larger number
        ([1, 2, 2, 1], 1, "1", "2"),
        ([1, 2, 2, 1], "1", "1", "2"),  # numeric labels accept the class as text
        ([-1, 1, 1, -1], None, "1", "-1"),
        ([0, 1, 1, 0], 0, "0", "1"),
    ],
)
def test_label_mapping(write_file, labels, positive, expected_positive, expected_negative):
    path = write_file("labels.csv", two_feature_file(labels))
    dataset = load_csv(path, positive=positive, test_fraction=0)
    assert dataset.positive_label == expected_positive
    assert dataset.negative_label == expected_negative
    as_text = [str(v).removesuffix(".0").strip().casefold() for v in labels]
    expected = [1.0 if v == expected_positive.casefold() else 0.0 for v in as_text]
    np.testing.assert_array_equal(dataset.y, expected)
    assert dataset.raw["label"].tolist() == [int(v) for v in expected]
    assert dataset.raw["label"].dtype == np.int64


def test_booleans_as_labels(write_file):
    path = write_file("bools.csv", two_feature_file(["True", "False", "True", "False"]))
    dataset = load_csv(path, test_fraction=0)
    assert (dataset.positive_label, dataset.negative_label) == ("True", "False")
    np.testing.assert_array_equal(dataset.y, [1, 0, 1, 0])


def test_label_and_features_chosen_by_name(write_file):
    path = write_file("pick.csv", "diagnosis,x,id,z\nB,1,10,4\nM,2,11,3\nB,3,12,9\nM,5,13,1\n")
    dataset = load_csv(path, label="diagnosis", features=["z", "x"], test_fraction=0)
    assert dataset.feature_names == ("z", "x")
    assert dataset.label_name == "diagnosis"
    assert list(dataset.raw.columns) == ["z", "x", "diagnosis"]
    assert dataset.positive_label == "M"
    np.testing.assert_array_equal(dataset.raw["z"], [4, 3, 9, 1])
    assert dataset.X.shape == (4, 2)


def test_defaults_label_last_and_every_other_column_a_feature(write_file):
    path = write_file("default.csv", "a,b,c,y\n1,2,3,0\n2,3,1,1\n3,1,2,0\n4,5,6,1\n")
    dataset = load_csv(path)
    assert dataset.feature_names == ("a", "b", "c")
    assert dataset.label_name == "y"
    assert dataset.name == "default"
    assert dataset.source == str(path)
    assert isinstance(dataset, Dataset)


def test_integers_stay_integers_and_decimals_stay_exact(write_file):
    path = write_file("types.csv", "count,bmi,y\n1,33.6,0\n2,26.6,1\n3,0.1,0\n4,31,1\n")
    dataset = load_csv(path, test_fraction=0)
    assert dataset.raw["count"].dtype == np.int64
    assert dataset.raw["bmi"].tolist() == [33.6, 26.6, 0.1, 31.0]


def test_byte_order_mark_crlf_and_padded_header_names(write_file):
    content = "\ufeff a , b ,y\r\n1,2,0\r\n2,1,1\r\n3,5,0\r\n4,4,1\r\n"
    dataset = load_csv(write_file("windows.csv", content), test_fraction=0)
    assert dataset.feature_names == ("a", "b")
    assert dataset.label_name == "y"
    np.testing.assert_array_equal(dataset.raw["b"], [2, 1, 5, 4])


def test_blank_lines_are_skipped(write_file):
    path = write_file("gaps.csv", "a,y\n1,0\n\n2,1\n3,0\n\n4,1\n\n")
    dataset = load_csv(path, test_fraction=0)
    np.testing.assert_array_equal(dataset.raw["a"], [1, 2, 3, 4])
    assert list(dataset.raw.index) == [0, 1, 2, 3]


def test_progress_rises_to_one_over_several_chunks(write_file, monkeypatch):
    monkeypatch.setattr(csv_reader, "CHUNK_ROWS", 50)
    lines = [f"{i},{(i * 13) % 17},{i % 2}" for i in range(1000)]
    path = write_file("long.csv", "a,b,y\n" + "\n".join(lines) + "\n")
    fractions: list[float] = []
    dataset = load_csv(path, progress=fractions.append)
    assert dataset.n_samples == 1000
    assert len(fractions) > 10
    assert fractions[0] == 0.0
    assert fractions[-1] == 1.0
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert fractions == sorted(fractions)


def test_nothing_is_reported_done_when_loading_fails(write_file):
    path = write_file("bad.csv", "a,y\n1,0\nx,1\n")
    fractions: list[float] = []
    with pytest.raises(ValueError, match="line 3"):
        load_csv(path, progress=fractions.append)
    assert 1.0 not in fractions


def test_read_preview_shows_header_and_first_rows(write_file):
    lines = [f"{i},{i * 0.5},{'yes' if i % 2 else 'no'}" for i in range(200)]
    path = write_file("preview.csv", "n,half,answer\n" + "\n".join(lines) + "\n")
    preview = read_preview(path, n_rows=10)
    assert list(preview.columns) == ["n", "half", "answer"]
    assert len(preview) == 10
    assert preview["n"].tolist() == list(range(10))
    assert preview["answer"].iloc[1] == "yes"
    assert len(read_preview(path)) == 50


def test_read_preview_of_a_file_with_bad_cells_still_shows_them(write_file):
    path = write_file("messy.csv", "a,b\n1,x\n2,\n")
    preview = read_preview(path)
    assert preview["b"].iloc[0] == "x"
    assert pd.isna(preview["b"].iloc[1])


def test_read_preview_of_header_only_has_columns_and_no_rows(write_file):
    preview = read_preview(write_file("header.csv", "a,b,y\n"))
    assert list(preview.columns) == ["a", "b", "y"]
    assert preview.empty


numeric_frames = st.tuples(st.integers(2, 40), st.integers(1, 4)).flatmap(
    lambda shape: st.tuples(
        hnp.arrays(np.float64, shape, elements=st.floats(-1e9, 1e9, allow_subnormal=False)),
        hnp.arrays(np.int64, shape[0], elements=st.integers(0, 1)),
    )
)


@settings(max_examples=50, deadline=None)
@given(frame=numeric_frames)
def test_random_numeric_frames_survive_csv_and_scaling(frame):
    values, labels = frame
    labels[:2] = [0, 1]  # both classes present
    values = np.vstack([values[:-1], values.min(axis=0) - 1.0])  # no constant column
    columns = [f"f{j}" for j in range(values.shape[1])]
    table = pd.DataFrame(values, columns=columns).assign(label=labels)
    # A column constant on the training rows is rejected (tested elsewhere); skip those.
    train = split_indices(labels, 0.25, 7)[0]
    assume(np.all(np.ptp(values[train], axis=0) > 0))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.csv"
        table.to_csv(path, index=False)
        plain = load_csv(path, scale="none", test_fraction=0)
        scaled = load_csv(path, scale="minmax", test_fraction=0.25, seed=7)
    np.testing.assert_array_equal(plain.raw[columns].to_numpy(), values)  # exact
    np.testing.assert_array_equal(plain.y, labels)
    np.testing.assert_array_equal(plain.X, values)
    back = scaled.scaler.inverse_transform(scaled.X)
    np.testing.assert_allclose(back, values, rtol=1e-12, atol=1e-12 * np.abs(values).max())
    np.testing.assert_allclose(scaled.X_train.min(axis=0), -1.0, atol=1e-12)


def test_a_million_rows_load_in_chunks(tmp_path):
    block = "".join(
        f"{i % 97},{(i * 7) % 101}.5,{i % 13},{(i * 3) % 5},{i % 2}\n" for i in range(1000)
    )
    path = tmp_path / "million.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("a,b,c,d,y\n")
        for _ in range(1000):
            handle.write(block)
    fractions: list[float] = []
    calls = 0

    def count(_frame, event, _arg):
        nonlocal calls
        calls += event in ("call", "c_call")

    previous = sys.getprofile()
    sys.setprofile(count)
    try:
        dataset = load_csv(path, progress=fractions.append)
    finally:
        sys.setprofile(previous)
    assert dataset.X.shape == (1_000_000, 4)
    assert len(dataset.test_idx) == 200_000
    assert fractions[-1] == 1.0 and len(fractions) >= 10
    # Parsed by the chunk, not by the row: a Python call per row would make a million.
    assert calls < 100_000, f"{calls:,} Python calls for 1,000,000 rows"
