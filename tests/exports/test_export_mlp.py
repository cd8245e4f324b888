"""A hidden layer's run exported as code prints the Trainer's final training loss.

Each case trains a real Trainer, writes the script (or the notebook's code cells), runs it
in a fresh process without gdapp on the path, and compares its last line with the loss.
"""

from __future__ import annotations

import numpy as np
import pytest

from gdapp.core.mlp import MLPModel
from gdapp.core.trainer import TrainConfig
from gdapp.datasets import load_csv, load_preset
from gdapp.exports import ExportError, run_notebook, run_script

from .test_export_code import (
    TOLERANCE,
    app_loss,
    final_loss,
    notebook_code,
    run_code,
    write_csv,
)

CASES = {
    # name: (dataset origin, config, steps, lr changes)
    "tanh, gradient descent, diabetes": (
        {"preset": "diabetes"},
        TrainConfig(model="mlp", hidden=4, activation="tanh", lr=0.5),
        120,
        (),
    ),
    "relu, adam, mini-batches, L2, lr change": (
        {"preset": "diabetes", "seed": 2},
        TrainConfig(
            model="mlp",
            hidden=6,
            activation="relu",
            optimizer="adam",
            lr=0.02,
            batch_size=64,
            l2=0.01,
            seed=5,
        ),
        90,
        ((40, 0.005),),
    ),  # fmt: skip
    "tanh, momentum, no bias": (
        {"csv": None},
        TrainConfig(
            model="mlp",
            hidden=3,
            activation="tanh",
            optimizer="momentum",
            lr=0.05,
            fit_bias=False,
            seed=3,
        ),
        80,
        (),
    ),  # fmt: skip
}


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    return write_csv(tmp_path_factory.mktemp("data") / "patients.csv")


def _load(origin):
    options = {k: v for k, v in origin.items() if k not in ("preset", "csv")}
    if "preset" in origin:
        return load_preset(origin["preset"], **options)
    return load_csv(origin["csv"], **options)


@pytest.mark.parametrize("name", list(CASES))
def test_script_prints_the_trainers_final_loss(name, table, tmp_path):
    origin, config, steps, changes = CASES[name]
    if "csv" in origin:
        origin = {"csv": str(table)}
    dataset = _load(origin)
    expected = app_loss(dataset, config, steps, changes)
    code = run_script(origin, config, steps, changes, dataset=dataset)
    assert "W1" in code and "sigmoid" in code
    assert abs(final_loss(run_code(code, tmp_path)) - expected) <= TOLERANCE


def test_a_chosen_start_and_the_notebook(table, tmp_path):
    origin = {"csv": str(table)}
    dataset = _load(origin)
    config = TrainConfig(model="mlp", hidden=2, activation="relu", optimizer="rmsprop", lr=0.01)
    model = MLPModel(hidden=2, activation="relu")
    start = np.random.default_rng(4).normal(0.0, 0.7, model.n_params(dataset.n_features))
    expected = app_loss(dataset, config, 70, (), start)
    notebook = run_notebook(origin, config, 70, (), start=start, dataset=dataset)
    lines = run_code(notebook_code(notebook), tmp_path)
    assert abs(final_loss(lines) - expected) <= TOLERANCE
    assert any(line.startswith("unit 2:") for line in lines)


def test_a_start_of_another_layout_is_refused(table):
    origin = {"csv": str(table)}
    config = TrainConfig(model="mlp", hidden=2)
    with pytest.raises(ExportError, match="must be 11 finite numbers"):  # 2·3 + 2·2 + 1
        run_script(origin, config, 5, (), start=np.zeros(4))


GENERATED_CASES = {
    "xor, the lesson's hidden layer": (
        {"preset": "xor"},
        TrainConfig(model="mlp", hidden=4, activation="tanh", lr=1.0),
        150,
    ),
    "xor, logistic regression": ({"preset": "xor", "seed": 4}, TrainConfig(lr=1.0), 50),
    "moons, relu, mini-batches": (
        {"preset": "moons", "test_fraction": 0.0},
        TrainConfig(model="mlp", hidden=5, activation="relu", lr=0.3, batch_size=32, seed=6),
        60,
    ),
}


@pytest.mark.parametrize("name", list(GENERATED_CASES))
def test_a_generated_preset_is_drawn_again_by_the_script(name, tmp_path):
    origin, config, steps = GENERATED_CASES[name]
    dataset = _load(origin)
    expected = app_loss(dataset, config, steps)
    code = run_script(origin, config, steps, (), dataset=dataset)
    assert "DATA_FILE" not in code and "read_csv" not in code
    assert abs(final_loss(run_code(code, tmp_path)) - expected) <= TOLERANCE
