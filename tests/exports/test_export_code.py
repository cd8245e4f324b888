"""The run exported as code prints the app's final training loss.

Each case trains a real Trainer, exports the run, runs the exported script (or the notebook's
code cells joined) with this Python in a fresh process, in an empty folder, and compares the
last printed line with the Trainer's final training loss.
"""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
import tokenize
from pathlib import Path

import nbformat
import numpy as np
import pytest

from gdapp.core.optimizers import OPTIMIZER_NAMES
from gdapp.core.trainer import TrainConfig, Trainer
from gdapp.datasets import load_csv, load_preset
from gdapp.exports import ExportError, lr_changes_from_history, run_notebook, run_script

TOLERANCE = 1e-9
FINAL_PREFIX = "final train loss: "


def write_csv(path: Path, *, header=("size", "weight", "score", "label"), labels=("no", "yes")):
    """A two-class table of 90 rows whose features have very different ranges."""
    rng = np.random.default_rng(7)
    n = 90
    size = rng.uniform(0, 50, n).round(3)
    weight = rng.normal(70, 12, n).round(2)
    score = rng.integers(0, 6, n)
    logit = 0.08 * (size - 25) - 0.05 * (weight - 70) + 0.4 * (score - 2.5)
    positive = rng.random(n) < 1 / (1 + np.exp(-logit))
    lines = [",".join(header)]
    for s, w, c, p in zip(size, weight, score, positive, strict=True):
        lines.append(f"{float(s)!r},{float(w)!r},{int(c)},{labels[int(p)]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> Path:
    return write_csv(tmp_path_factory.mktemp("data") / "patients.csv")


def app_loss(dataset, config: TrainConfig, steps: int, lr_changes=(), start=None) -> float:
    """The final training loss of a real Trainer run with these settings."""
    has_test = len(dataset.test_idx) > 0
    trainer = Trainer(
        dataset.X_train,
        dataset.y_train,
        dataset.X_test if has_test else None,
        dataset.y_test if has_test else None,
        config=config,
        theta0=start,
    )
    done = 0
    for step, lr in lr_changes:
        trainer.run(step - 1 - done)
        done = step - 1
        trainer.set_lr(lr)
    trainer.run(steps - done)
    assert trainer.step_count == steps, trainer.stop_reason
    return float(trainer.history.train_loss[-1])


def clean_env() -> dict[str, str]:
    """This environment without PYTHONPATH (the code must not need gdapp) and without a display."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("PYTHONPATH", None)
    return env


def run_code(code: str, folder: Path) -> list[str]:
    """Run ``code`` as a script with this Python in ``folder``; returns its stdout lines."""
    script = folder / "run.py"
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=folder,
        env=clean_env(),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def final_loss(lines: list[str]) -> float:
    assert lines[-1].startswith(FINAL_PREFIX), lines[-5:]
    return float(lines[-1][len(FINAL_PREFIX) :])


def notebook_code(notebook) -> str:
    return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "code") + "\n"


CSV_CASES = {
    # name: (load options, config, steps, lr changes)
    "gd, test split": (
        {"test_fraction": 0.25, "seed": 3},
        TrainConfig(optimizer="gd", lr=0.5),
        150,
        (),
    ),
    "momentum, mini-batches, L2": (
        {"label": "label", "positive": "yes"},
        TrainConfig(optimizer="momentum", lr=0.05, batch_size=7, l2=0.05, seed=4),
        120,
        (),
    ),
    "nesterov, no test set, standard scaling, lr change": (
        {"test_fraction": 0.0, "scale": "standard"},
        TrainConfig(optimizer="nesterov", lr=0.02),
        100,
        ((40, 0.005),),
    ),
    "adagrad, no bias, no scaling, random start": (
        {"scale": "none", "features": ["size", "score"]},
        TrainConfig(optimizer="adagrad", lr=0.1, fit_bias=False, init="random", seed=9),
        80,
        (),
    ),
    "rmsprop, mini-batches, lr changes, other positive class": (
        {"positive": "no", "seed": 5},
        TrainConfig(optimizer="rmsprop", lr=0.01, batch_size=16, seed=2),
        90,
        ((20, 0.02), (70, 0.004)),
    ),
    "adam, mini-batches, L2, test split, lr change": (
        {"test_fraction": 0.3},
        TrainConfig(optimizer="adam", lr=0.05, batch_size=10, l2=0.01),
        110,
        ((55, 0.01),),
    ),
    "linear model": (
        {},
        TrainConfig(model="linear", optimizer="gd", lr=0.1, l2=0.001),
        60,
        (),
    ),
}
PRESET_CASES = {
    "diabetes": ({"preset": "diabetes"}, TrainConfig(optimizer="gd", lr=0.5), 100, ()),
    "diabetes-post, mini-batches, lr change": (
        {"preset": "diabetes-post", "test_fraction": 0.0},
        TrainConfig(optimizer="adam", lr=0.02, batch_size=64, seed=1),
        80,
        ((30, 0.005),),
    ),
    "diabetes imputed, L2": (
        {"preset": "diabetes", "impute_zeros": True, "seed": 2},
        TrainConfig(optimizer="momentum", lr=0.1, l2=0.01, seed=2),
        60,
        (),
    ),
}
START = (0.3, -0.2, 0.1, 0.05)
# Scripts run together in one Python process (one start-up instead of one per case), each in
# its own folder as __main__, with matplotlib made unimportable: the plot must be skipped.
BATCH_RUNNER = """
import contextlib, io, os, runpy, sys, traceback
sys.modules["matplotlib"] = None
for folder in sys.argv[1:]:
    os.chdir(folder)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path("run.py", run_name="__main__")
    except BaseException:
        with open("error.txt", "w", encoding="utf-8") as handle:
            handle.write(traceback.format_exc())
    with open("stdout.txt", "w", encoding="utf-8") as handle:
        handle.write(out.getvalue())
"""


def committed_steps(origin, config: TrainConfig) -> int:
    dataset = _dataset_of(origin)
    trainer = Trainer(dataset.X_train, dataset.y_train, config=config)
    assert trainer.run(100) == "diverged"
    assert trainer.step_count > 0
    return trainer.step_count


def _dataset_of(origin):
    options = {k: v for k, v in origin.items() if k not in ("preset", "csv")}
    if "preset" in origin:
        return load_preset(origin["preset"], **options)
    return load_csv(origin["csv"], **options)


@pytest.fixture(scope="module")
def exported_runs(table, tmp_path_factory):
    """For every case: (the app's final loss, the exported script's printed lines)."""
    spaced = write_csv(
        tmp_path_factory.mktemp("data") / "spaced.csv",
        header=(" size", "weight ", "score", " outcome "),
        labels=("0", "1"),
    )
    cases = {
        name: ({"csv": str(table), **options}, config, steps, changes, None)
        for name, (options, config, steps, changes) in CSV_CASES.items()
    }
    cases |= {name: (*case, None) for name, case in PRESET_CASES.items()}
    cases["spaced header, numeric labels"] = (
        {"csv": str(spaced), "label": "outcome"},
        TrainConfig(optimizer="gd", lr=0.3),
        50,
        (),
        None,
    )
    cases["starting point"] = ({"csv": str(table)}, TrainConfig(lr=0.2), 40, (), START)
    # The app refuses the step that would diverge; the export repeats the steps it committed.
    diverging = TrainConfig(optimizer="momentum", lr=500.0, diverging_window=0)  # the hard rule
    unscaled = {"csv": str(table), "scale": "none"}
    cases["diverged run"] = (unscaled, diverging, committed_steps(unscaled, diverging), (), None)
    folders, expected = [], {}
    for name, (origin, config, steps, changes, start) in cases.items():
        dataset = _dataset_of(origin)
        expected[name] = app_loss(dataset, config, steps, changes, start)
        folder = tmp_path_factory.mktemp("run")
        code = run_script(origin, config, steps, list(changes), start=start, dataset=dataset)
        (folder / "run.py").write_text(code, encoding="utf-8")
        folders.append(folder)
    proc = subprocess.run(
        [sys.executable, "-c", BATCH_RUNNER, *map(str, folders)],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    results = {}
    for name, folder in zip(cases, folders, strict=True):
        error = folder / "error.txt"
        lines = (folder / "stdout.txt").read_text(encoding="utf-8").splitlines()
        results[name] = (expected[name], lines, error.read_text() if error.exists() else "")
    return results


@pytest.mark.parametrize(
    "case", [*CSV_CASES, "spaced header, numeric labels", "starting point", "diverged run"]
)
def test_script_prints_the_app_loss_for_a_csv(case, exported_runs):
    expected, lines, error = exported_runs[case]
    assert error == ""
    assert final_loss(lines) == pytest.approx(expected, rel=0, abs=TOLERANCE)


@pytest.mark.parametrize("case", list(PRESET_CASES))
def test_script_prints_the_app_loss_for_a_preset(case, exported_runs):
    expected, lines, error = exported_runs[case]
    assert error == ""
    assert final_loss(lines) == pytest.approx(expected, rel=0, abs=TOLERANCE)


def test_every_optimizer_has_a_case():
    used = {config.optimizer for _, config, _, _ in CSV_CASES.values()}
    assert used == set(OPTIMIZER_NAMES)


def test_spaced_header_is_stripped_and_numeric_labels_compare_as_numbers(tmp_path):
    table = write_csv(tmp_path / "s.csv", header=("a ", " b", "c", "y"), labels=("0", "1"))
    code = run_script({"csv": str(table)}, TrainConfig(), 5)
    assert "df.columns = df.columns.str.strip()" in code
    assert "POSITIVE = 1.0" in code and "pd.to_numeric(df[LABEL])" in code


@pytest.mark.parametrize("preset", [False, True], ids=["csv", "diabetes-post"])
def test_notebook_code_prints_the_app_loss_and_validates(preset, table, tmp_path):
    if preset:
        origin, dataset = {"preset": "diabetes-post"}, load_preset("diabetes-post")
    else:
        origin = {"csv": str(table), "test_fraction": 0.3}
        dataset = load_csv(table, test_fraction=0.3)
    config = TrainConfig(optimizer="adam", lr=0.05, batch_size=12, l2=0.02)
    changes = [(25, 0.01)]
    expected = app_loss(dataset, config, 70, changes)
    notebook = run_notebook(origin, config, 70, changes, dataset=dataset)
    nbformat.validate(notebook)
    kinds = [c.cell_type for c in notebook.cells]
    assert kinds[0] == "markdown" and kinds[1::2] == ["markdown"] * (len(kinds) // 2)
    assert kinds[2::2] == ["code"] * (len(kinds) // 2)
    # Written and read back as a file, the notebook is still valid nbformat 4.
    path = tmp_path / "run.ipynb"
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    nbformat.validate(nbformat.read(path, as_version=4))
    # Run on its own, with matplotlib present (Agg, no window): the plot cell runs too.
    lines = run_code(notebook_code(notebook), tmp_path)
    assert final_loss(lines) == pytest.approx(expected, rel=0, abs=TOLERANCE)


# -- what the code contains (no subprocess) ---------------------------------------------------
def imported_modules(code: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
def test_only_the_optimizer_used_is_written_out(optimizer, table):
    config = TrainConfig(optimizer=optimizer, lr=0.01, batch_size=8)
    code = run_script({"csv": str(table)}, config, 10)
    others = [name for name in OPTIMIZER_NAMES if name != optimizer and name != "gd"]
    lowered = code.lower()
    assert optimizer in lowered
    assert [name for name in others if name in lowered] == []
    assert imported_modules(code) == {"numpy", "pandas", "matplotlib"}
    assert "gdapp" not in imported_modules(code)


def test_what_the_run_does_not_use_is_left_out(table):
    code = run_script({"csv": str(table), "test_fraction": 0.0}, TrainConfig(lr=0.1), 10)
    assert "batch_size" not in code and "l2" not in code and "lr_changes" not in code
    assert "X_test" not in code
    code = run_script({"csv": str(table)}, TrainConfig(lr=0.1, batch_size=5, l2=0.1), 10)
    assert "batch_size = 5" in code and "l2 = 0.1" in code and "X_test" in code
    # A batch at least as large as the training set is a full batch, in the app and here.
    code = run_script({"csv": str(table)}, TrainConfig(lr=0.1, batch_size=1000), 10)
    assert "batch_size" not in code and "gradient(X_train, y_train, w, b)" in code


def test_formulas_and_lesson_names_are_in_the_code(table):
    code = run_script({"csv": str(table)}, TrainConfig(lr=0.1), 10)
    for text in ("σ(z)", "Xᵀ(a − y)/m", "z = X @ w + b", "a = sigmoid(", "dJ_dw", "lr"):
        assert text in code


def code_outside_strings_and_comments(code: str) -> str:
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    skipped = (tokenize.STRING, tokenize.COMMENT)
    return " ".join(t.string for t in tokens if t.type not in skipped)


def test_names_from_the_file_stay_inside_string_literals(tmp_path):
    # A file name and a class name holding a line break and code: both must stay text.
    folder = tmp_path / "odd\nINJECTED = 1"
    folder.mkdir()
    path = folder / "t\nINJECTED = 2\n.csv"
    odd_class = '"no\nINJECTED = 3"'  # a quoted field spanning two lines
    rows = ["x,y,label"] + [
        f"{i},{(i * 7) % 5},{'plain' if i % 3 else odd_class}" for i in range(30)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    dataset = load_csv(path, positive="plain")
    assert "INJECTED" in dataset.negative_label
    code = run_script({"csv": str(path), "positive": "plain"}, TrainConfig(), 5, dataset=dataset)
    assert "INJECTED" in code
    assert "INJECTED" not in code_outside_strings_and_comments(code)
    nb = run_notebook({"csv": str(path), "positive": "plain"}, TrainConfig(), 5)
    assert "INJECTED" not in code_outside_strings_and_comments(notebook_code(nb))


# -- refusals -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("origin", "message"),
    [
        ({"preset": "diabetes", "label": "x"}, "'label'"),
        ({"preset": "nope"}, "unknown preset 'nope'"),
        ({"name": "diabetes"}, "neither a preset nor a CSV"),
        ({"csv": "/no/such/file.csv"}, "no such file"),
        ({"preset": "diabetes-post", "impute_zeros": True}, "impute_zeros"),
    ],
)
def test_an_origin_it_cannot_repeat_is_refused(origin, message):
    with pytest.raises(ExportError, match=message):
        run_script(origin, TrainConfig(), 10)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ([(5, 0.1), (3, 0.2)], "increasing step order"),
        ([(0, 0.1)], "step >= 1"),
        ([(4, -1.0)], "step 4 must be a finite number > 0"),
        ([(4,)], r"\(step, lr\) pair"),
    ],
)
def test_bad_learning_rate_changes_are_refused(changes, message, table):
    with pytest.raises(ExportError, match=message):
        run_script({"csv": str(table)}, TrainConfig(), 10, changes)


def test_bad_steps_and_start_are_refused(table):
    with pytest.raises(ExportError, match="steps"):
        run_script({"csv": str(table)}, TrainConfig(), -1)
    with pytest.raises(ExportError, match="4 finite numbers"):
        run_script({"csv": str(table)}, TrainConfig(), 5, start=[0.0, 1.0])


def test_a_file_changed_since_loading_is_refused(tmp_path):
    path = write_csv(tmp_path / "t.csv")
    dataset = load_csv(path)
    text = path.read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace(",", ",1", 1)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ExportError, match="has the file changed"):
        run_script({"csv": str(path)}, TrainConfig(), 5, dataset=dataset)


@pytest.mark.parametrize("change", ["value", "row"])
def test_a_file_pandas_reads_differently_is_refused(change, table, monkeypatch):
    # pandas and the loader agree on every file found so far, so the difference is made here:
    # the table the script would read gets one value changed, or one row fewer.
    from gdapp.exports import recipe

    real = recipe._plain_table

    def altered(r):
        frame = real(r)
        if change == "row":
            return frame.iloc[1:]
        frame.loc[4, "weight"] += 1e-9
        return frame

    monkeypatch.setattr(recipe, "_plain_table", altered)
    message = "column 'weight': pandas reads other values" if change == "value" else "89 data rows"
    with pytest.raises(ExportError, match=message):
        run_script({"csv": str(table)}, TrainConfig(), 5)


def test_lr_changes_from_a_trainer_history(table):
    dataset = load_csv(table)
    trainer = Trainer(dataset.X_train, dataset.y_train, config=TrainConfig(lr=0.5))
    trainer.run(3)
    trainer.set_lr(0.25)
    trainer.run(2)
    trainer.set_lr(0.25)  # no change
    trainer.run(1)
    trainer.set_lr(0.125)
    trainer.run(1)
    assert lr_changes_from_history(trainer.history.lr) == [(1, 0.5), (4, 0.25), (7, 0.125)]
    assert lr_changes_from_history([0.5]) == []
