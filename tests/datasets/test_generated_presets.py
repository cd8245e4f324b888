"""The generated presets: moons and xor, the same table on every call, and what they teach."""

from __future__ import annotations

import numpy as np
import pytest

from gdapp.core.trainer import TrainConfig, Trainer
from gdapp.datasets import PRESETS, DatasetError, load_preset
from gdapp.datasets.generated import XOR_CENTRE, make_moons, make_xor

# The settings lesson 14 trains with: plain gradient descent at rate 1, 500 full-batch steps.
LESSON_LR = 1.0
LESSON_STEPS = 500


@pytest.mark.parametrize("name", ["moons", "xor"])
def test_shape_labels_and_scaling(name):
    data = load_preset(name)
    assert name in PRESETS
    assert data.X.shape == (400, 2)
    assert data.feature_names == ("x1", "x2")
    assert list(data.raw.columns) == ["x1", "x2", data.label_name]
    assert set(np.unique(data.y)) == {0.0, 1.0}
    assert data.y.sum() == 200
    assert len(data.train_idx) + len(data.test_idx) == 400
    assert len(data.test_idx) == 80
    # min-max on the training rows: they span exactly [-1, 1] column by column.
    train = data.X[data.train_idx]
    np.testing.assert_allclose(train.min(axis=0), [-1.0, -1.0])
    np.testing.assert_allclose(train.max(axis=0), [1.0, 1.0])


@pytest.mark.parametrize("name", ["moons", "xor"])
def test_same_table_every_call_split_follows_seed(name):
    a, b, c = load_preset(name), load_preset(name), load_preset(name, seed=3)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.train_idx, b.train_idx)
    np.testing.assert_array_equal(a.raw.to_numpy(), c.raw.to_numpy())
    assert not np.array_equal(a.train_idx, c.train_idx)


def test_impute_zeros_is_refused():
    with pytest.raises(DatasetError, match="diabetes"):
        load_preset("xor", impute_zeros=True)


def test_moons_geometry():
    X, y = make_moons(4000, seed=1)
    # Class 0 sits around the unit half circle, class 1 around the one centred at (1, 1/2).
    r0 = np.hypot(X[y == 0, 0], X[y == 0, 1])
    r1 = np.hypot(X[y == 1, 0] - 1.0, X[y == 1, 1] - 0.5)
    assert abs(np.median(r0) - 1.0) < 0.05 and abs(np.median(r1) - 1.0) < 0.05
    assert np.mean(X[y == 0, 1]) > np.mean(X[y == 1, 1])


def test_xor_labels_are_the_exclusive_or_of_the_signs():
    X, y = make_xor(4000, seed=1)
    # Almost every point stays in its cluster's quadrant (3 standard deviations away).
    near = (np.abs(X) > 0.2 * XOR_CENTRE).all(axis=1)
    signs_differ = (X[near, 0] > 0) != (X[near, 1] > 0)
    assert np.mean(signs_differ == (y[near] == 1)) > 0.99


def _accuracy(name, **config):
    data = load_preset(name)
    trainer = Trainer(
        data.X_train, data.y_train, config=TrainConfig(lr=LESSON_LR, max_epochs=5000, **config)
    )
    trainer.run(LESSON_STEPS)
    return trainer.model.accuracy(trainer.theta, data.X_train, data.y_train)


def test_xor_needs_the_hidden_layer():
    assert _accuracy("xor") <= 0.65
    assert _accuracy("xor", model="mlp", hidden=4, activation="tanh") >= 0.95


def test_moons_hidden_layer_beats_logistic_regression():
    logistic = _accuracy("moons")
    hidden = _accuracy("moons", model="mlp", hidden=4, activation="tanh")
    assert hidden > logistic + 0.05
