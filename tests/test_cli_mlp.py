"""The command line with a hidden layer: options, named parameters, errors, the new presets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support.cli_runs import run, run_json

from gdapp.datasets import load_preset

REPO = Path(__file__).resolve().parent.parent


def _forward(params, X, hidden, act):
    """The hidden layer written out from its formula, to check the printed parameters."""
    d = X.shape[1]
    p = np.asarray(params)
    W1 = p[: hidden * d].reshape(hidden, d)
    b1 = p[hidden * d : hidden * d + hidden]
    w2 = p[hidden * d + hidden : hidden * d + 2 * hidden]
    b2 = p[-1]
    H = act(X @ W1.T + b1)
    return H @ w2 + b2


def test_train_mlp_on_xor_lists_parameters_by_name_and_solves_it():
    result = run_json(
        "train", "--dataset", "xor", "--model", "mlp", "--hidden", "4", "--lr", "1",
        "--epochs", "500",
    )  # fmt: skip
    assert result["hidden"] == 4 and result["activation"] == "tanh"
    assert "weights" not in result
    names = result["parameter_names"]
    assert len(names) == len(result["parameters"]) == 4 * 2 + 9
    assert names[:2] == ["h1:x1", "h1:x2"] and names[-1] == "out:bias"
    assert names[8:12] == ["h1:bias", "h2:bias", "h3:bias", "h4:bias"]
    assert result["train_accuracy"] >= 0.95
    data = load_preset("xor")
    z = _forward(result["parameters"], data.X_train, 4, np.tanh)
    loss = np.mean(np.logaddexp(0.0, z) - data.y_train * z)
    assert loss == pytest.approx(result["train_loss"], rel=1e-9)


def test_train_mlp_text_output_names_each_parameter():
    code, out, err = run(
        "train", "--dataset", "moons", "--model", "mlp", "--hidden", "3",
        "--activation", "relu", "--epochs", "5",
    )  # fmt: skip
    assert code == 0, err
    assert "mlp (3 relu hidden units)" in out
    assert "Parameters" in out
    for name in ("h3:x2", "h2:bias", "out:h3", "out:bias"):
        assert f"  {name} " in out


def test_linear_models_keep_weights_and_bias():
    result = run_json("train", "--dataset", "xor", "--epochs", "3")
    assert result["parameter_names"] == ["x1", "x2", "bias"]
    assert result["parameters"] == [*result["weights"], result["bias"]]


def test_gradcheck_mlp_agrees_for_both_activations():
    for activation in ("tanh", "relu"):
        result = run_json(
            "gradcheck", "--dataset", "xor", "--model", "mlp", "--hidden", "5",
            "--activation", activation,
        )  # fmt: skip
        assert result["ok"]
        names = [row["parameter"] for row in result["parameters"]]
        assert len(names) == 5 * 2 + 11 and names[-1] == "out:bias"


def test_gradcheck_mlp_without_bias_keeps_the_biases_at_zero():
    result = run_json("gradcheck", "--dataset", "moons", "--model", "mlp", "--no-bias")
    biases = [row for row in result["parameters"] if row["parameter"].endswith("bias")]
    assert len(biases) == 5
    assert all(row["value"] == 0.0 and row["analytic"] == 0.0 for row in biases)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--model", "mlp", "--hidden", "1"], ["--hidden", "2 to 16", "'1'"]),
        (["--model", "mlp", "--hidden", "17"], ["--hidden", "2 to 16"]),
        (["--model", "mlp", "--hidden", "four"], ["--hidden", "whole number"]),
        (["--model", "mlp", "--activation", "sigmoid"], ["--activation", "sigmoid"]),
        (["--hidden", "4"], ["--hidden", "mlp", "logistic"]),
        (["--model", "linear", "--activation", "relu"], ["--activation", "mlp", "linear"]),
        (["--dataset", "circles"], ["circles"]),
    ],
)
@pytest.mark.parametrize("command", ["train", "gradcheck"])
def test_bad_hidden_layer_options_exit_2_with_one_line(command, argv, words):
    code, out, err = run(command, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    for word in words:
        assert word in err


def test_mlp_run_on_a_generated_preset_is_exported(tmp_path):
    script = tmp_path / "run.py"
    code, _, err = run(
        "train", "--dataset", "moons", "--model", "mlp", "--epochs", "2",
        "--export-script", str(script),
    )  # fmt: skip
    assert code == 0, err
    text = script.read_text(encoding="utf-8")
    assert "def forward(X, W1, b1, w2, b2):" in text and "X_raw[half:, 0]" in text


def test_dataset_command_shows_the_generated_presets():
    summary = run_json("dataset", "--dataset", "moons")
    assert summary["rows"] == 400 and summary["feature_names"] == ["x1", "x2"]
    assert summary["positive_share"] == 0.5


def test_python_m_gdapp_trains_the_hidden_layer(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "gdapp", "train", "--dataset", "xor", "--model", "mlp",
         "--hidden", "4", "--lr", "1", "--epochs", "500", "--json"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["parameter_names"][-1] == "out:bias"
    assert result["train_accuracy"] >= 0.95
