"""`gdapp train --export-script / --export-notebook`, run as a real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


def gdapp(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "gdapp", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def python(script: Path) -> list[str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=script.parent,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


@pytest.fixture
def table(tmp_path) -> Path:
    rng = np.random.default_rng(3)
    rows = ["height,mass,group"]
    for _ in range(50):
        height, mass = rng.normal(170, 10), rng.normal(70, 15)
        group = "b" if height / 10 - mass / 20 + rng.normal() > 13.5 else "a"
        rows.append(f"{height!r},{mass!r},{group}")
    path = tmp_path / "people.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_train_exports_a_script_and_a_notebook_that_print_its_loss(table, tmp_path):
    proc = gdapp(
        "train",
        "--dataset",
        str(table),
        "--positive",
        "b",
        "--optimizer",
        "rmsprop",
        "--lr",
        "0.02",
        "--batch-size",
        "8",
        "--epochs",
        "20",
        "--l2",
        "0.01",
        "--test-fraction",
        "0.2",
        "--seed",
        "4",
        "--json",
        "--export-script",
        "run.py",
        "--export-notebook",
        "run.ipynb",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)  # --json output stays one JSON object
    assert result["steps"] == 20 * 5  # 40 training rows in batches of 8
    lines = python(tmp_path / "run.py")
    assert lines[-1].startswith("final train loss: ")
    assert float(lines[-1].split(": ")[1]) == pytest.approx(result["train_loss"], abs=1e-9)
    notebook = nbformat.read(tmp_path / "run.ipynb", as_version=4)
    nbformat.validate(notebook)
    # The notebook's cells hold the same code (the code tests run notebooks too).
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    script = (tmp_path / "run.py").read_text(encoding="utf-8")
    assert all(cell in script for cell in code)
    assert "steps = 100" in code[0] and "batch_size = 8" in code[0]


@pytest.mark.parametrize(
    ("flag", "path", "message"),
    [
        ("--export-script", "no-such-folder/run.py", "--export-script: there is no folder"),
        ("--export-notebook", ".", "--export-notebook: . is a folder"),
    ],
)
def test_a_bad_export_path_exits_2_with_one_line(flag, path, message, tmp_path):
    proc = gdapp("train", "--epochs", "1", flag, path, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {message}")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stdout == ""  # refused before training
