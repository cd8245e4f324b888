"""Weights and history files read back with pandas / json give the very numbers written."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from gdapp.core.trainer import TrainConfig, Trainer
from gdapp.exports import (
    ExportError,
    history_table,
    write_history_csv,
    write_weights_csv,
    write_weights_json,
)

NAMES = ("glucose", "bmi", "age, in years")  # a comma inside a name must survive the CSV
# Values whose shortest text needs all 17 digits, or sits near the ends of the float range.
THETA = np.array([0.1 + 0.2, -1 / 3, 2.5e-308, 1.7976931348623157e308])


def test_weights_csv_round_trips(tmp_path):
    path = write_weights_csv(tmp_path / "w.csv", NAMES, THETA)
    table = pd.read_csv(path)
    assert list(table.columns) == ["parameter", "value"]
    assert table["parameter"].tolist() == ["w_glucose", "w_bmi", "w_age, in years", "bias"]
    assert table["value"].tolist() == THETA.tolist()  # exact, not approximate


def test_weights_json_round_trips_with_config_and_origin(tmp_path):
    config = TrainConfig(optimizer="adam", lr=0.05, batch_size=32, l2=0.01)
    origin = {"csv": "/data/t.csv", "label": "y", "features": list(NAMES), "test_fraction": 0.2}
    path = write_weights_json(
        tmp_path / "w.json", NAMES, THETA, config=config, dataset_origin=origin
    )
    document = json.loads(path.read_text(encoding="utf-8"))
    assert list(document["weights"]) == list(NAMES)
    assert list(document["weights"].values()) == THETA[:-1].tolist()
    assert document["bias"] == THETA[-1]
    assert document["feature_names"] == list(NAMES)
    assert document["config"] == dataclasses.asdict(config)
    assert TrainConfig(**document["config"]) == config
    assert document["dataset"] == origin


def test_weights_json_refuses_non_finite_weights(tmp_path):
    with pytest.raises(ExportError, match="finite"):
        write_weights_json(tmp_path / "w.json", NAMES, [1.0, np.nan, 0.0, 0.0])


@pytest.mark.parametrize(
    ("names", "theta", "message"),
    [
        (("a", "a"), [1.0, 2.0, 3.0], "same name"),
        (("a", "b"), [1.0, 2.0], "3 numbers"),
    ],
)
def test_weights_csv_refuses_bad_input(names, theta, message, tmp_path):
    with pytest.raises(ExportError, match=message):
        write_weights_csv(tmp_path / "w.csv", names, theta)


def test_an_unwritable_path_is_refused(tmp_path):
    with pytest.raises(ExportError, match="cannot write"):
        write_weights_csv(tmp_path / "no-such-folder" / "w.csv", NAMES, THETA)


def trained(test: bool) -> Trainer:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X @ [1.0, -2.0, 0.5] + rng.normal(size=40) > 0).astype(float)
    trainer = Trainer(
        X[:30],
        y[:30],
        X[30:] if test else None,
        y[30:] if test else None,
        config=TrainConfig(optimizer="momentum", lr=0.3, batch_size=8),
    )
    trainer.run(7)
    trainer.set_lr(0.1)
    trainer.run(5)
    return trainer


def test_history_csv_round_trips_every_column(tmp_path):
    history = trained(test=True).history
    path = write_history_csv(tmp_path / "h.csv", NAMES, history)
    table = pd.read_csv(path)
    assert list(table.columns) == [
        "step",
        "epoch",
        "train_loss",
        "test_loss",
        "train_accuracy",
        "test_accuracy",
        "w_glucose",
        "w_bmi",
        "w_age, in years",
        "bias",
        "lr",
    ]
    assert len(table) == 13  # step 0 and 12 updates
    assert table["step"].tolist() == list(range(13))
    for column, values in [
        ("epoch", history.epoch),
        ("train_loss", history.train_loss),
        ("test_loss", history.test_loss),
        ("train_accuracy", history.train_acc),
        ("test_accuracy", history.test_acc),
        ("lr", history.lr),
        ("bias", history.theta[:, -1]),
        ("w_bmi", history.theta[:, 1]),
    ]:
        assert table[column].tolist() == np.asarray(values).tolist(), column
    assert table["lr"].tolist()[7:9] == [0.3, 0.1]  # step 8 was the first at the new rate


def test_history_without_test_set_leaves_the_test_cells_empty(tmp_path):
    history = trained(test=False).history
    path = write_history_csv(tmp_path / "h.csv", NAMES, history)
    text = path.read_text(encoding="utf-8").splitlines()
    cells = text[1].split(",")
    assert (cells[3], cells[5]) == ("", "")
    table = pd.read_csv(path)
    assert table["test_loss"].isna().all() and table["test_accuracy"].isna().all()
    assert table["train_loss"].tolist() == history.train_loss.tolist()


def test_history_from_a_mapping_of_rows():
    trainer = trained(test=False)
    h = trainer.history
    rows = {key: getattr(h, key) for key in ("step", "epoch", "train_loss", "train_acc", "lr")}
    rows |= {"theta": h.theta, "test_loss": None, "test_acc": None}
    table = history_table(NAMES, rows)
    assert table["w_glucose"].tolist() == h.theta[:, 0].tolist()


def test_history_with_mismatched_lengths_is_refused():
    h = trained(test=False).history
    rows = {key: getattr(h, key) for key in ("step", "epoch", "train_loss", "train_acc", "theta")}
    rows["lr"] = h.lr[:-1]
    with pytest.raises(ExportError, match="lr has shape"):
        history_table(NAMES, rows)
    del rows["lr"]
    with pytest.raises(ExportError, match="no lr column"):
        history_table(NAMES, rows)


def test_a_hidden_layer_names_its_parameters_in_every_table(tmp_path):
    from gdapp.core.mlp import MLPModel

    model = MLPModel(hidden=2)
    names = model.param_names(NAMES)  # 2·3 + 2 + 2 + 1 = 11
    theta = np.linspace(-1.0, 1.0, 11) / 3.0
    table = pd.read_csv(write_weights_csv(tmp_path / "w.csv", NAMES, theta, parameter_names=names))
    assert table["parameter"].tolist() == names
    assert table["value"].tolist() == theta.tolist()
    document = json.loads(
        write_weights_json(tmp_path / "w.json", NAMES, theta, parameter_names=names).read_text()
    )
    assert "weights" not in document and "bias" not in document
    assert list(document["parameters"].items()) == list(zip(names, theta.tolist(), strict=True))
    rows = np.vstack([theta, 2 * theta])
    history = {
        "step": np.array([0, 1]),
        "epoch": np.array([0.0, 1.0]),
        "train_loss": np.array([0.7, 0.6]),
        "train_acc": np.array([0.5, 0.6]),
        "theta": rows,
        "lr": np.array([0.1, 0.1]),
    }
    path = write_history_csv(tmp_path / "h.csv", NAMES, history, parameter_names=names)
    np.testing.assert_array_equal(pd.read_csv(path)[names].to_numpy(), rows)
    with pytest.raises(ExportError, match="11 numbers per row"):
        write_weights_csv(tmp_path / "x.csv", NAMES, theta[:-1], parameter_names=names)
    # Linear-model columns refuse a hidden layer's vector, naming the expected layout.
    with pytest.raises(ExportError, match="4 numbers per row"):
        write_weights_csv(tmp_path / "y.csv", NAMES, theta)
