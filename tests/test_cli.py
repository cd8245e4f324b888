"""The headless subcommands, driven in-process and, for the entry points, as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support.cli_runs import run, run_json

from gdapp.cli import main

REPO = Path(__file__).resolve().parent.parent
DATA_CSV = REPO / "data" / "diabetes.csv"
FEATURES = [
    "pregnancies",
    "glucose",
    "blood_pressure",
    "skin_thickness",
    "insulin",
    "bmi",
    "diabetes_pedigree",
    "age",
]
# The first rows of the post's table (its printed precision is 6 decimals).
POST_ROW_0 = [-0.294118, 0.487437, 0.180328, -0.292929, 0.0, 0.001490, -0.531170, -0.033333, 0]
POST_ROW_3 = [-0.882353, -0.105528, 0.081967, -0.535354, -0.777778, -0.162444, -0.923997, 0.0, 1]


def run_module(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m gdapp ARGV`` in a fresh process that imports this checkout's package."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "gdapp", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_train_json_has_the_documented_keys_and_one_loss_per_epoch():
    result = run_json("train", "--epochs", "25", "--lr", "0.5")
    for key in (
        "feature_names",
        "weights",
        "bias",
        "epochs",
        "train_loss",
        "test_loss",
        "train_accuracy",
        "test_accuracy",
        "loss_history",
        "stopped",
    ):
        assert key in result
    assert result["feature_names"] == FEATURES
    assert len(result["weights"]) == 8
    assert result["epochs"] == 25
    assert len(result["loss_history"]) == 25
    assert result["stopped"] == "max_epochs"
    # Gradient descent with a modest rate lowers the loss from its start, ln 2 at w = 0.
    assert result["loss_history"][-1] < result["loss_history"][0] < np.log(2)
    assert result["loss_history"][-1] == pytest.approx(result["train_loss"])


def test_train_without_a_test_split_reports_no_test_metrics():
    result = run_json("train", "--epochs", "3", "--test-fraction", "0")
    assert result["test_loss"] is None and result["test_accuracy"] is None


def test_train_final_loss_matches_an_independent_log_loss():
    result = run_json(
        "train", "--epochs", "40", "--test-fraction", "0", "--optimizer", "adam", "--lr", "0.05"
    )
    raw = np.loadtxt(DATA_CSV, delimiter=",", skiprows=1)
    X, y = raw[:, :8], raw[:, 8]
    lo, hi = X.min(axis=0), X.max(axis=0)
    X = 2 * (X - lo) / (hi - lo) - 1
    z = X @ np.array(result["weights"]) + result["bias"]
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert result["train_loss"] == pytest.approx(expected, rel=1e-9)
    assert result["train_accuracy"] == pytest.approx(np.mean((p >= 0.5) == y))


def test_train_reads_a_csv_with_text_labels(tmp_path):
    path = tmp_path / "toy.csv"
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=60), rng.normal(size=60)
    labels = np.where(a + b > 0, "Yes", "No")
    path.write_text(
        "a,b,answer\n" + "".join(f"{x},{z},{c}\n" for x, z, c in zip(a, b, labels, strict=True))
    )
    result = run_json(
        "train",
        "--dataset",
        str(path),
        "--positive",
        "Yes",
        "--epochs",
        "200",
        "--lr",
        "1",
        "--test-fraction",
        "0",
    )
    assert result["feature_names"] == ["a", "b"]
    assert result["train_accuracy"] > 0.9  # the classes are separated by a + b = 0
    assert result["weights"][0] > 0 and result["weights"][1] > 0


def test_human_summary_names_every_weight():
    code, out, _ = run("train", "--epochs", "2")
    assert code == 0
    for name in [*FEATURES, "bias"]:
        assert name in out
    assert "Accuracy" in out


def test_dataset_csv_is_the_table_training_sees():
    code, out, _ = run("dataset", "--dataset", "diabetes", "--csv", "--test-fraction", "0")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == ",".join([*FEATURES, "outcome"])
    table = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    raw = np.loadtxt(DATA_CSV, delimiter=",", skiprows=1)
    lo, hi = raw[:, :8].min(axis=0), raw[:, :8].max(axis=0)
    np.testing.assert_allclose(table[:, :8], 2 * (raw[:, :8] - lo) / (hi - lo) - 1, atol=1e-12)
    np.testing.assert_array_equal(table[:, 8], raw[:, 8])


def test_dataset_csv_of_the_post_preset_starts_with_the_posts_rows():
    code, out, _ = run("dataset", "--dataset", "diabetes-post", "--csv", "--test-fraction", "0")
    assert code == 0
    rows = out.strip().splitlines()[1:]
    assert len(rows) == 759
    first = [float(v) for v in rows[0].split(",")]
    fourth = [float(v) for v in rows[3].split(",")]
    np.testing.assert_allclose(first, POST_ROW_0, atol=5e-7)
    np.testing.assert_allclose(fourth, POST_ROW_3, atol=5e-7)


def test_gradcheck_agrees_on_every_parameter():
    result = run_json("gradcheck")
    assert result["ok"] is True
    assert [p["parameter"] for p in result["parameters"]] == [*FEATURES, "bias"]
    for p in result["parameters"]:
        assert p["rel_error"] < 1e-6


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


BAD_FILES = {
    "empty.csv": ("", "empty"),
    "header.csv": ("a,b,label\n", "no data"),
    "text.csv": ("a,b,label\n1,2,0\n3,abc,1\n4,5,0\n", "abc"),
    "inf.csv": ("a,b,label\n1,2,0\n3,inf,1\n4,5,0\n", "line 3"),
    "ragged.csv": ("a,b,label\n1,2,0\n3,4,1,9\n4,5,0\n", "line 3"),
    "latin1.csv": (b"a,b,label\n1,2,0\n3,4,1\n\xe9\xff,5,0\n", "line 4, column 'a'"),
    "onecol.csv": ("label\n0\n1\n0\n", "column"),
    "oneclass.csv": ("a,b,label\n1,2,0\n3,4,0\n5,6,0\n", "two"),
    "constant.csv": ("a,b,label\n1,2,0\n1,4,1\n1,6,0\n1,3,1\n", "'a'"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_csv_exits_2_with_one_line_naming_file_and_problem(tmp_path, name):
    content, fragment = BAD_FILES[name]
    path = write(tmp_path, name, content)
    code, out, err = run("train", "--dataset", str(path), "--epochs", "1", "--json")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert name in err
    assert fragment.lower() in err.lower()
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["train", "--dataset", "no/such/file.csv"], "file.csv"),
        (["train", "--lr", "-1"], "--lr"),
        (["train", "--lr", "abc"], "--lr"),
        (["train", "--batch-size", "0"], "--batch-size"),
        (["train", "--test-fraction", "1"], "--test-fraction"),
        (["train", "--optimizer", "sgdx"], "--optimizer"),
        (["train", "--label", "x"], "--label"),
        (["train", "--dataset", "diabetes-post", "--positive", "1"], "--positive"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_bad_options_exit_2_with_one_line(argv, fragment):
    code, out, err = run(*argv)
    assert code == 2
    assert err.count("\n") == 1, err
    assert fragment in err


def test_module_entry_point_runs_as_a_real_process(tmp_path):
    proc = run_module("train", "--epochs", "5", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["loss_history"]) == 5


def test_module_entry_point_bad_input_has_no_traceback(tmp_path):
    proc = run_module("train", "--dataset", str(tmp_path / "missing.csv"), cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert "missing.csv" in proc.stderr


@pytest.mark.parametrize("word", ["bogus", "trian", "Train", "help"])
def test_a_mistyped_subcommand_is_a_usage_error_naming_the_subcommands(tmp_path, word):
    # Without the check, a word that is no subcommand opened the window (and, without a
    # display, aborted with exit 134).
    proc = run_module(word, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert repr(word) in proc.stderr
    assert "train, dataset, gradcheck" in proc.stderr
    code, _, err = run(word, "--json")
    assert code == 2 and repr(word) in err


def test_window_options_still_reach_the_window(tmp_path):
    import gdapp

    version = run_module("--version", cwd=tmp_path)
    assert version.returncode == 0, version.stderr
    assert version.stdout == f"Gradient Descent Lab {gdapp.__version__}\n"
    usage = run_module("--help", cwd=tmp_path)
    assert usage.returncode == 0, usage.stderr
    assert "--self-test" in usage.stdout and "train, dataset, gradcheck" in usage.stdout


def test_the_defaults_are_the_windows(capsys):
    # The window's controls start from TrainConfig(); so does the command line.
    from gdapp.core.trainer import TrainConfig

    defaults = TrainConfig()
    result = run_json("train")
    assert (result["model"], result["optimizer"], result["lr"]) == (
        defaults.model,
        defaults.optimizer,
        defaults.lr,
    )
    assert result["stopped"] == "max_epochs" and result["epochs"] == defaults.max_epochs
    with pytest.raises(SystemExit) as stopped:
        main(["train", "--help"])
    assert stopped.value.code == 0
    assert f"learning rate ({defaults.lr:g})" in " ".join(capsys.readouterr().out.split())


def test_train_reports_a_run_that_is_diverging():
    # Gradient descent at learning rate 100 thrashes far above its start; it used to run
    # all 1000 epochs and report only that it had reached them.
    result = run_json("train", "--lr", "100")
    assert result["stopped"] == "diverging"
    assert result["steps"] == 20 and len(result["loss_history"]) == 20
    assert result["stop_reason"].startswith("Diverging: for the last 20 steps the loss stayed")
    assert min(result["loss_history"]) > 1.25 * np.log(2)
    code, out, err = run("train", "--lr", "100")
    assert code == 0, err
    assert "Stopped    after 20 steps (20 epochs): Diverging: " in out


def test_train_reports_a_step_that_was_refused():
    result = run_json("train", "--model", "linear", "--lr", "10")
    assert result["stopped"] == "diverged" and result["steps"] < 20
    assert "the step was not taken" in result["stop_reason"]
