"""``gdapp contributions``: each training row's share of the final full-batch gradient."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support.cli_runs import run, run_json

REPO = Path(__file__).resolve().parent.parent


def dataset_csv(*options: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``gdapp dataset --csv`` parsed: header, features (n, d) and labels (n,)."""
    code, out, err = run("dataset", *options, "--csv")
    assert code == 0, err
    lines = out.splitlines()
    table = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    return lines[0].split(","), table[:, :-1], table[:, -1]


OPTION_SETS = [
    pytest.param(("--epochs", "30"), id="logistic"),
    pytest.param(("--epochs", "30", "--l2", "0.05", "--test-fraction", "0.3"), id="l2"),
    pytest.param(
        ("--model", "linear", "--lr", "0.05", "--epochs", "20", "--batch-size", "50"),
        id="linear-mini-batch",
    ),
    pytest.param(("--epochs", "10", "--no-bias", "--test-fraction", "0"), id="no-bias"),
]


@pytest.mark.parametrize("options", OPTION_SETS)
def test_contributions_follow_the_maths_on_the_rows_dataset_csv_writes(options):
    result = run_json("contributions", *options)
    header, X_all, y_all = dataset_csv(*_data(options))
    names = result["feature_names"]
    assert header[:-1] == names
    w, b = np.array(result["weights"]), result["bias"]
    rows = np.array(result["rows"])
    shares = np.array(result["contributions"])
    n = result["n_train"]
    assert shares.shape == (n, len(names) + 1) == (len(rows), len(w) + 1)
    assert np.all(np.diff(rows) > 0)  # in the order the CSV lists them
    X, y = X_all[rows], y_all[rows]
    # Each training row's own loss gradient over n, from the textbook formulas.
    z = X @ w + b
    dz = 2.0 * (z - y) if "linear" in options else 1.0 / (1.0 + np.exp(-z)) - y
    bias_column = np.zeros(n) if "--no-bias" in options else np.ones(n)
    expected = dz[:, None] * np.column_stack([X, bias_column]) / n
    np.testing.assert_allclose(shares, expected, rtol=1e-9, atol=1e-15)
    # The relation: the contributions add up to the gradient less its L2 part.
    l2 = float(options[options.index("--l2") + 1]) if "--l2" in options else 0.0
    penalty = np.array(result["penalty"])
    np.testing.assert_array_equal(penalty, np.append(l2 * w, 0.0))
    gradient = np.array(result["gradient"])
    np.testing.assert_allclose(shares.sum(axis=0), gradient - penalty, rtol=0, atol=1e-12)
    np.testing.assert_allclose(expected.sum(axis=0) + penalty, gradient, rtol=1e-9, atol=1e-12)
    # The same run as `gdapp train` with the same options.
    trained = run_json("train", *options)
    assert trained["weights"] == result["weights"] and trained["bias"] == result["bias"]
    assert trained["steps"] == result["steps"]


def _data(options: tuple[str, ...]) -> list[str]:
    """The data options among ``options`` (what `gdapp dataset` accepts)."""
    kept = []
    for flag in ("--test-fraction", "--seed", "--dataset"):
        if flag in options:
            kept += [flag, options[options.index(flag) + 1]]
    return kept


def test_without_a_test_split_every_csv_row_is_a_training_row():
    result = run_json("contributions", "--epochs", "3", "--test-fraction", "0")
    _, X_all, _ = dataset_csv("--test-fraction", "0")
    assert result["rows"] == list(range(len(X_all))) and result["n_train"] == len(X_all)


def test_a_csv_file_with_a_split_gives_its_training_rows_in_file_order(tmp_path):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] - X[:, 1] > 0).astype(int)
    path = tmp_path / "two.csv"
    lines = ["a,b,label", *(f"{p},{q},{t}" for (p, q), t in zip(X, y, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    options = ("--dataset", str(path), "--scale", "none", "--seed", "2", "--epochs", "5")
    result = run_json("contributions", *options)
    header, X_csv, y_csv = dataset_csv("--dataset", str(path), "--scale", "none", "--seed", "2")
    assert header == ["a", "b", "label"]
    rows = np.array(result["rows"])
    assert len(rows) == 32  # 20 % of each class held out
    shares = np.array(result["contributions"])
    # With a bias, a row's contribution is dl/dz * [x, 1] / n: the ratios give x back.
    np.testing.assert_allclose(shares[:, :2] / shares[:, 2:], X_csv[rows], rtol=1e-9)
    np.testing.assert_allclose(X_csv, X, rtol=1e-15)


def test_the_text_summary_names_the_gradient_and_the_hardest_pushing_rows():
    code, out, err = run("contributions", "--epochs", "5")
    assert code == 0, err
    assert "Full-batch gradient after 5 steps" in out and "bias" in out
    assert out.count("  row ") == 10


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--dataset", "no/such/file.csv"], "file.csv"),
        (["--lr", "-1"], "--lr"),
        (["--batch-size", "0"], "--batch-size"),
        (["--model", "tree"], "--model"),
        (["--label", "x"], "--label"),
    ],
)
def test_bad_options_exit_2_with_one_line(argv, fragment):
    code, out, err = run("contributions", *argv, "--json")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and fragment in err
    assert "Traceback" not in err


def test_runs_as_a_real_process(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-m", "gdapp", "contributions", "--epochs", "4", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    shares = np.array(result["contributions"])
    gradient, penalty = np.array(result["gradient"]), np.array(result["penalty"])
    np.testing.assert_allclose(shares.sum(0) + penalty, gradient, rtol=0, atol=1e-12)
    assert result["steps"] == 4 and len(shares) == result["n_train"] == 614
