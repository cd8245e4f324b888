"""The two presets: the default diabetes data and the blog post's 759-row table."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gdapp.datasets import DATA_CSV, PRESETS, DatasetError, load_preset
from gdapp.datasets.presets import (
    DIABETES_FEATURES,
    POST_MISSING_ROWS,
    ZERO_MEANS_MISSING,
    midpoint_rows,
    read_diabetes_table,
)
from gdapp.resources import resource_path

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO.parent / "shared" / "reference" / "data-03-diabetes.csv"
DIABETIC = 268
# The five rows the post prints inline, 6 decimals each (8 features, then the label).
POST_PRINTED_ROWS = np.array(
    [
        [-0.294118, 0.487437, 0.180328, -0.292929, 0.000000, 0.001490, -0.531170, -0.033333, 0],
        [-0.882353, -0.145729, 0.081967, -0.414141, 0.000000, -0.207153, -0.766866, -0.666667, 1],
        [-0.058824, 0.839196, 0.049180, 0.000000, 0.000000, -0.305514, -0.492741, -0.633333, 0],
        [-0.882353, -0.105528, 0.081967, -0.535354, -0.777778, -0.162444, -0.923997, 0.000000, 1],
        [0.000000, 0.376884, -0.344262, -0.292929, -0.602837, 0.284650, 0.887276, -0.600000, 0],
    ]
)
# Half of the last printed digit would be 5e-7, but the post's numbers went through its
# own file's 6 significant digits first: -0.20715350 (row 1, bmi) is printed -0.207153.
PRINTED_TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def raw_csv() -> pd.DataFrame:
    return pd.read_csv(DATA_CSV)


@pytest.fixture(scope="module")
def diabetes():
    return load_preset("diabetes")


@pytest.fixture(scope="module")
def post():
    return load_preset("diabetes-post")


def test_preset_names_and_data_path():
    assert PRESETS == ("diabetes", "diabetes-post", "moons", "xor")
    assert resource_path("data/diabetes.csv") == DATA_CSV
    assert DATA_CSV.is_file()


def test_data_file_is_the_raw_pima_table(raw_csv):
    assert list(raw_csv.columns) == [*DIABETES_FEATURES, "outcome"]
    assert raw_csv.shape == (768, 9)
    assert int(raw_csv["outcome"].sum()) == DIABETIC
    integer_columns = [c for c in raw_csv.columns if c not in ("bmi", "diabetes_pedigree")]
    assert all(raw_csv[c].dtype == np.int64 for c in integer_columns)
    assert raw_csv.iloc[0].tolist() == [6, 148, 72, 35, 0, 33.6, 0.627, 50, 1]
    assert raw_csv.iloc[-1].tolist() == [1, 93, 70, 31, 0, 30.4, 0.315, 23, 0]


def test_diabetes_preset_shape_labels_and_split(diabetes, raw_csv):
    assert diabetes.name == diabetes.source == "diabetes"
    assert diabetes.feature_names == DIABETES_FEATURES
    assert diabetes.X.shape == (768, 8)
    assert diabetes.label_name == "outcome"
    assert (diabetes.positive_label, diabetes.negative_label) == ("diabetic", "not diabetic")
    assert diabetes.y.mean() == pytest.approx(DIABETIC / 768)
    np.testing.assert_array_equal(diabetes.y, raw_csv["outcome"].to_numpy())
    assert len(diabetes.test_idx) == round(0.2 * 500) + round(0.2 * 268)
    both = np.concatenate([diabetes.train_idx, diabetes.test_idx])
    np.testing.assert_array_equal(np.sort(both), np.arange(768))
    # Stratified: both splits keep the 268/768 share of diabetics (to one row).
    assert abs(diabetes.y_test.sum() - 0.2 * DIABETIC) <= 1


def test_diabetes_raw_frame_is_the_file(diabetes, raw_csv):
    pd.testing.assert_frame_equal(diabetes.raw, raw_csv)


def test_diabetes_features_span_minus_one_to_one_on_training_rows(diabetes):
    X_train = diabetes.X_train
    np.testing.assert_allclose(X_train.min(axis=0), -1.0)
    np.testing.assert_allclose(X_train.max(axis=0), 1.0)
    train_raw = diabetes.raw.iloc[diabetes.train_idx][list(DIABETES_FEATURES)]
    np.testing.assert_array_equal(diabetes.scaler.params["min"], train_raw.min().to_numpy())
    np.testing.assert_array_equal(diabetes.scaler.params["max"], train_raw.max().to_numpy())


def test_diabetes_scaling_round_trips_to_raw(diabetes):
    back = diabetes.scaler.inverse_transform(diabetes.X)
    np.testing.assert_allclose(back, diabetes.raw[list(DIABETES_FEATURES)], rtol=1e-12, atol=1e-12)


def test_impute_zeros_is_off_by_default(diabetes):
    back = diabetes.scaler.inverse_transform(diabetes.X)
    assert (np.abs(back[:, DIABETES_FEATURES.index("insulin")]) < 1e-9).sum() == 374
    assert diabetes.imputed == {}


def test_impute_zeros_uses_training_medians_of_measured_values(raw_csv):
    dataset = load_preset("diabetes", impute_zeros=True)
    back = dataset.scaler.inverse_transform(dataset.X)
    train = raw_csv.iloc[dataset.train_idx]
    assert set(dataset.imputed) == set(ZERO_MEANS_MISSING)
    for column in ZERO_MEANS_MISSING:
        j = DIABETES_FEATURES.index(column)
        measured = train[column][train[column] != 0]
        assert dataset.imputed[column] == pytest.approx(measured.median())
        zeros = raw_csv[column].to_numpy() == 0
        np.testing.assert_allclose(back[zeros, j], dataset.imputed[column])
        np.testing.assert_allclose(back[~zeros, j], raw_csv[column][~zeros], rtol=1e-12)
    # Real zeros stay zeros; the raw frame keeps the file's zeros.
    pregnancies = DIABETES_FEATURES.index("pregnancies")
    assert (np.abs(back[:, pregnancies]) < 1e-9).sum() == 111
    assert int((dataset.raw["insulin"] == 0).sum()) == 374
    # The scaler saw the imputed training values, so they still span [-1, 1].
    np.testing.assert_allclose(dataset.X_train.min(axis=0), -1.0)


def test_midpoint_rule_finds_exactly_the_nine_missing_rows(raw_csv):
    rows = midpoint_rows(raw_csv[list(DIABETES_FEATURES)])
    assert rows.tolist() == list(POST_MISSING_ROWS)
    assert rows.tolist() == [14, 24, 236, 259, 285, 401, 458, 517, 658]
    # Ages of 51 (midway between 21 and 81) and one blood pressure of 61 (0..122).
    assert raw_csv.loc[rows, "age"].tolist().count(51) == 8
    assert raw_csv.loc[401, "blood_pressure"] == 61


def test_post_preset_has_759_rows_keeping_raw_row_numbers(post, raw_csv):
    assert post.name == post.source == "diabetes-post"
    assert post.X.shape == (759, 8)
    assert len(post.raw) == 759
    missing = sorted(set(range(768)) - set(post.raw.index))
    assert missing == list(POST_MISSING_ROWS)
    kept = raw_csv.drop(index=list(POST_MISSING_ROWS))
    pd.testing.assert_frame_equal(
        post.raw[list(DIABETES_FEATURES)], kept[list(DIABETES_FEATURES)], check_index_type=False
    )


def test_post_label_means_not_diabetic(post, raw_csv):
    assert post.label_name == "not_diabetic"
    assert (post.positive_label, post.negative_label) == ("not diabetic", "diabetic")
    outcome = raw_csv["outcome"].to_numpy()[post.raw.index]
    np.testing.assert_array_equal(post.y, 1 - outcome)
    np.testing.assert_array_equal(post.raw["not_diabetic"], 1 - outcome)


def test_post_scaling_uses_all_rows_and_writes_minimum_as_zero(post, raw_csv):
    features = raw_csv[list(DIABETES_FEATURES)]
    np.testing.assert_array_equal(post.scaler.params["min"], features.min().to_numpy())
    np.testing.assert_array_equal(post.scaler.params["max"], features.max().to_numpy())
    at_minimum = post.raw[list(DIABETES_FEATURES)].to_numpy() == features.min().to_numpy()
    assert at_minimum.any()
    assert np.all(post.X[at_minimum] == 0.0)
    assert not np.any(post.X == -1.0)
    back = post.scaler.inverse_transform(post.X)
    np.testing.assert_allclose(back, post.raw[list(DIABETES_FEATURES)], rtol=1e-12, atol=1e-12)


def test_post_first_rows_match_the_numbers_printed_in_the_post(post):
    table = np.column_stack([post.X[:5], post.y[:5]])
    np.testing.assert_allclose(table, POST_PRINTED_ROWS, rtol=0, atol=PRINTED_TOLERANCE)


@pytest.mark.skipif(
    not REFERENCE.is_file(), reason=f"the post's data file is not available at {REFERENCE}"
)
def test_post_matches_the_posts_data_file_in_every_cell(post):
    reference = np.loadtxt(REFERENCE, delimiter=",")
    assert reference.shape == (759, 9)
    table = np.column_stack([post.X, post.y])
    np.testing.assert_allclose(table, reference, rtol=0, atol=1e-6)


def test_feature_summary_of_raw_values(diabetes):
    summary = diabetes.feature_summary()
    assert list(summary.index) == list(DIABETES_FEATURES)
    assert list(summary.columns) == ["min", "max", "mean", "zeros"]
    assert summary["zeros"].tolist() == [111, 5, 35, 227, 374, 11, 0, 0]
    assert summary.loc["glucose", "max"] == 199
    assert summary.loc["diabetes_pedigree", "min"] == pytest.approx(0.078)
    assert summary.loc["age", "mean"] == pytest.approx(33.240885, abs=1e-6)


def test_seed_and_test_fraction_control_the_split():
    a = load_preset("diabetes-post", seed=3)
    b = load_preset("diabetes-post", seed=3)
    c = load_preset("diabetes-post", seed=4)
    np.testing.assert_array_equal(a.test_idx, b.test_idx)
    assert not np.array_equal(a.test_idx, c.test_idx)
    none = load_preset("diabetes", test_fraction=0)
    assert none.X_test.shape == (0, 8)
    assert len(none.train_idx) == 768


def test_dataset_is_frozen_and_read_only(diabetes):
    with pytest.raises(dataclasses.FrozenInstanceError):
        diabetes.name = "other"
    with pytest.raises(ValueError, match="read-only"):
        diabetes.X[0, 0] = 5.0
    with pytest.raises(ValueError, match="read-only"):
        diabetes.scaler.params["min"][0] = 5.0


def test_unknown_preset_lists_the_valid_ones():
    with pytest.raises(DatasetError, match="unknown preset 'iris'.*'diabetes', 'diabetes-post'"):
        load_preset("iris")


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"test_fraction": 1.0}, "test_fraction"),
        ({"seed": -3}, "seed"),
    ],
)
def test_bad_preset_options(options, problem):
    with pytest.raises(DatasetError, match=problem):
        load_preset("diabetes", **options)


def test_post_table_has_no_imputation():
    with pytest.raises(DatasetError, match="impute_zeros applies to the 'diabetes' preset only"):
        load_preset("diabetes-post", impute_zeros=True)


def test_diabetes_table_reader_rejects_a_different_file(write_file):
    path = write_file("diabetes.csv", "a,b,outcome\n1,2,0\n")
    with pytest.raises(DatasetError, match="line 1: unexpected columns"):
        read_diabetes_table(path)


def test_the_table_read_again_is_an_independent_copy_until_the_file_changes(tmp_path):
    path = tmp_path / "diabetes.csv"
    text = Path(DATA_CSV).read_text()
    path.write_text(text)
    first = read_diabetes_table(path)
    first.iloc[0, 0] = -999.0  # a caller's edit must not reach the next reader
    again = read_diabetes_table(path)
    assert again.iloc[0, 0] == pd.read_csv(DATA_CSV).iloc[0, 0]
    assert again.iloc[0, 0] != -999.0
    lines = text.splitlines(keepends=True)
    cells = lines[1].split(",")
    cells[0] = str(int(float(cells[0])) + 10)  # a longer first cell: the file's size changes
    path.write_text(lines[0] + ",".join(cells) + "".join(lines[2:]))
    changed = read_diabetes_table(path)
    assert changed.iloc[0, 0] == pd.read_csv(path).iloc[0, 0] != again.iloc[0, 0]
