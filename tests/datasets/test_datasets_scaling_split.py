"""Scalers round-trip and are fitted on training rows only; splits are seeded and exact."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gdapp.datasets import DatasetError, Scaler, fit_scaler, load_csv, split_indices

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


def varied_matrix():
    """(n, d) float arrays whose every column has at least two distinct values."""
    shapes = st.tuples(st.integers(2, 30), st.integers(1, 5))
    return (
        shapes.flatmap(lambda shape: hnp.arrays(np.float64, shape, elements=finite))
        .map(lambda X: np.vstack([X, X.min(axis=0) - 1.0]))  # guarantee a spread
        .filter(lambda X: np.all(np.ptp(X, axis=0) > 1e-6))
    )


@pytest.mark.parametrize("kind", ["minmax", "standard", "none"])
@settings(max_examples=60, deadline=None)
@given(X=varied_matrix())
def test_inverse_transform_undoes_transform(kind, X):
    scaler = fit_scaler(X, kind)
    back = scaler.inverse_transform(scaler.transform(X))
    scale = np.maximum(np.abs(X).max(axis=0), 1.0)
    np.testing.assert_allclose(back, X, rtol=0, atol=1e-9 * scale.max())


@settings(max_examples=60, deadline=None)
@given(X=varied_matrix())
def test_minmax_maps_training_range_onto_minus_one_to_one(X):
    Z = fit_scaler(X, "minmax").transform(X)
    np.testing.assert_allclose(Z.min(axis=0), -1.0, atol=1e-12)
    np.testing.assert_allclose(Z.max(axis=0), 1.0, atol=1e-12)


def test_standard_scaling_centres_and_normalises():
    X = np.array([[1.0, 10.0], [2.0, 30.0], [3.0, 20.0], [6.0, 60.0]])
    Z = fit_scaler(X, "standard").transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(Z.std(axis=0), 1.0)


def test_transform_accepts_one_row():
    scaler = fit_scaler(np.array([[0.0, 10.0], [4.0, 20.0]]), "minmax")
    np.testing.assert_allclose(scaler.transform(np.array([2.0, 25.0])), [0.0, 2.0])
    np.testing.assert_allclose(scaler.inverse_transform(np.array([1.0, -1.0])), [4.0, 10.0])


def test_post_scaling_writes_minimum_as_zero_and_reads_zero_back_as_minimum():
    scaler = Scaler("minmax-post", {"min": [0.0, 21.0], "max": [10.0, 81.0]})
    X = np.array([[0.0, 21.0], [10.0, 81.0], [2.5, 36.0]])
    Z = scaler.transform(X)
    np.testing.assert_allclose(Z, [[0.0, 0.0], [1.0, 1.0], [-0.5, -0.5]])
    np.testing.assert_allclose(scaler.inverse_transform(Z), X)


def test_constant_training_feature_is_named():
    X = np.array([[1.0, 3.0], [2.0, 3.0]])
    with pytest.raises(DatasetError, match=r"column 'flat': every training row holds .* \(3\)"):
        fit_scaler(X, "minmax", ["ok", "flat"])
    with pytest.raises(DatasetError, match="flat"):
        fit_scaler(X, "standard", ["ok", "flat"])


def test_unknown_scaling():
    with pytest.raises(DatasetError, match="unknown scaling 'log'"):
        fit_scaler(np.ones((2, 1)), "log")


def test_scaler_is_fitted_on_training_rows_only(write_file):
    # Row 19 holds an extreme value; pick a seed that puts it in the test split.
    y = np.arange(20) % 2
    seed = next(s for s in range(100) if 19 in split_indices(y, 0.25, s)[1])
    lines = [f"{1000 if i == 19 else i},{(i * 7) % 5},{y[i]}" for i in range(20)]
    path = write_file("outlier.csv", "a,b,y\n" + "\n".join(lines) + "\n")
    dataset = load_csv(path, test_fraction=0.25, seed=seed)
    assert 19 in dataset.test_idx
    train_a = dataset.raw["a"].to_numpy()[dataset.train_idx]
    assert dataset.scaler.params["max"][0] == train_a.max() < 1000
    np.testing.assert_allclose(dataset.X_train.max(axis=0), 1.0)
    row = int(np.flatnonzero(dataset.test_idx == 19)[0])
    assert dataset.X_test[row, 0] > 1.0  # beyond the training range, not clipped
    np.testing.assert_allclose(dataset.scaler.inverse_transform(dataset.X)[19, 0], 1000)


@pytest.mark.parametrize("scale", ["minmax", "standard", "none"])
def test_load_csv_scaling_round_trips_raw_values(write_file, scale):
    lines = [f"{i * 0.5},{(i * 37) % 11},{i % 2}" for i in range(40)]
    path = write_file("data.csv", "a,b,y\n" + "\n".join(lines) + "\n")
    dataset = load_csv(path, scale=scale)
    assert dataset.scaler.kind == scale
    back = dataset.scaler.inverse_transform(dataset.X)
    np.testing.assert_allclose(back, dataset.raw[["a", "b"]], rtol=1e-12, atol=1e-12)
    if scale == "none":
        np.testing.assert_array_equal(dataset.X, dataset.raw[["a", "b"]])


@settings(max_examples=100, deadline=None)
@given(
    y=hnp.arrays(np.int8, st.integers(2, 200), elements=st.integers(0, 1)),
    test_fraction=st.floats(0.0, 0.95),
    seed=st.integers(0, 2**32 - 1),
)
def test_split_is_disjoint_complete_stratified_and_reproducible(y, test_fraction, seed):
    train, test = split_indices(y, test_fraction, seed)
    assert np.intersect1d(train, test).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(len(y)))
    assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)
    for cls in np.unique(y):
        members = int((y == cls).sum())
        in_test = int((y[test] == cls).sum())
        assert in_test == min(round(test_fraction * members), members - 1)
    again = split_indices(y, test_fraction, seed)
    np.testing.assert_array_equal(again[0], train)
    np.testing.assert_array_equal(again[1], test)


def test_split_depends_on_seed():
    y = np.arange(100) % 2
    assert not np.array_equal(split_indices(y, 0.2, 0)[1], split_indices(y, 0.2, 1)[1])


def test_zero_test_fraction_gives_an_empty_test_split(write_file):
    path = write_file("data.csv", "a,y\n1,0\n2,1\n3,0\n4,1\n")
    dataset = load_csv(path, test_fraction=0)
    assert dataset.test_idx.size == 0
    assert dataset.X_test.shape == (0, 1)
    assert dataset.y_test.shape == (0,)
    np.testing.assert_array_equal(dataset.train_idx, np.arange(4))


def test_from_arrays_assembles_a_table_as_the_presets_do():
    from gdapp.datasets.dataset import from_arrays, split_indices

    rng = np.random.default_rng(5)
    X = rng.normal(loc=3.0, scale=2.0, size=(50, 3))
    y = (X[:, 0] > 3.0).astype(int)
    dataset = from_arrays(X, y, name="made", seed=2)
    assert dataset.feature_names == ("x0", "x1", "x2") and dataset.name == "made"
    train, test = split_indices(y.astype(np.int8), 0.2, 2)
    np.testing.assert_array_equal(dataset.train_idx, train)
    np.testing.assert_array_equal(dataset.test_idx, test)
    # Standard scaling fitted on the training rows only: mean 0 and sd 1 there.
    np.testing.assert_allclose(dataset.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(dataset.X_train.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(dataset.y, y)
