"""The setup file format: what it accepts, how each mistake is named, hostile files, writing.

No Qt here: ``gdapp.setup_file`` reads and checks; the window applies it elsewhere.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from gdapp.lessons.model import load_available_lessons
from gdapp.setup_file import (
    CONTROLS,
    MAX_FILE_BYTES,
    MAX_PROBLEMS,
    MAX_STRUCTURE,
    PANELS,
    Setup,
    SetupError,
    read_setup,
    setup_to_toml,
)

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "resources" / "setup-example.toml"
LESSONS = load_available_lessons()[0]


def write(tmp_path: Path, text: str, name: str = "class.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> tuple[str, ...]:
    with pytest.raises(SetupError) as caught:
        read_setup(path, LESSONS)
    return caught.value.problems


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "marks.csv"
    path.write_text("hours,score,passed\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n", encoding="utf-8")
    return path


def test_a_full_setup_is_read_into_checked_values(tmp_path, csv_file):
    path = write(
        tmp_path,
        """version = 1
title = "Period 3"
[dataset]
csv = "marks.csv"
label = "passed"
features = ["hours", "score"]
test_fraction = 0.25
[training]
lr = 0.05
optimizer = "momentum"
batch_size = "full"
fit_bias = false
max_epochs = 200
speed = "max"
[limits]
lr = [0.001, 1.0]
batch_size = [0, 64]
optimizer = ["gd", "momentum"]
[hide]
controls = ["open_csv", "l2"]
panels = ["landscape"]
[lessons]
order = ["03-loss", "data"]
lock_answers_until = { loss = 3 }
""",
    )
    setup = read_setup(path, LESSONS)
    assert setup.title == "Period 3"
    assert setup.dataset == {
        "csv": str(csv_file.resolve()),
        "label": "passed",
        "features": ["hours", "score"],
        "test_fraction": 0.25,
    }
    assert setup.training == {
        "lr": 0.05,
        "optimizer": "momentum",
        "batch_size": None,
        "fit_bias": False,
        "max_epochs": 200,
    }
    assert setup.speed == "max"
    assert setup.limits == {"lr": (0.001, 1.0), "batch_size": (0, 64),
                            "optimizer": ("gd", "momentum")}  # fmt: skip
    assert setup.hidden_controls == ("open_csv", "l2")
    assert setup.hidden_panels == ("landscape",)
    assert setup.lesson_order == ("loss", "data")  # a file stem names its lesson too
    assert setup.answer_locks == {"loss": 2}  # step 3 of the file is index 2


def test_a_step_is_named_by_number_or_by_title(tmp_path):
    loss = next(lesson for lesson in LESSONS if lesson.id == "loss")
    title = loss.steps[1].title
    path = write(tmp_path, f'version = 1\n[lessons]\nlock_answers_until = {{ loss = "{title}" }}\n')
    assert read_setup(path, LESSONS).answer_locks == {"loss": 1}


def test_only_the_version_is_required(tmp_path):
    assert read_setup(write(tmp_path, "version = 1\n"), LESSONS) == Setup()


def test_the_example_file_is_a_valid_setup_that_names_every_control_and_panel():
    text = EXAMPLE.read_text(encoding="utf-8")
    setup = read_setup(EXAMPLE, LESSONS)
    assert setup.title
    for name in (*CONTROLS, *PANELS):
        assert f'"{name}"' in text, f"the example does not document {name!r}"


# -- every mistake names the file, the key and (when it can) the line -----------------------

CASES = {
    "no version": ("title = 'x'\n", "version", None, "missing"),
    "wrong version": ("version = 2\n", "version", 1, "version 1"),
    "version a float": ("version = 1.0\n", "version", 1, "version 1"),
    "unknown top key": ("version = 1\ncolour = 'red'\n", "colour", 2, "unknown key"),
    "unknown section": ("version = 1\n[extras]\na = 1\n", "extras", None, "unknown key"),
    "section not a table": ("version = 1\ntraining = 3\n", "training", 2, "section"),
    "title not text": ("version = 1\ntitle = 3\n", "title", 2, "text"),
    "unknown training key": ("version = 1\n[training]\nrate = 0.1\n", "[training] rate", 3,
                             "unknown key"),
    "lr wrong type": ("version = 1\n[training]\nlr = 'fast'\n", "[training] lr", 3, "number"),
    "lr out of range": ("version = 1\n[training]\nlr = 1000.0\n", "[training] lr", 3,
                        "outside"),
    "lr not finite": ("version = 1\n[training]\nlr = inf\n", "[training] lr", 3, "finite"),
    "unknown optimizer": ("version = 1\n[training]\noptimizer = 'sgd2'\n",
                          "[training] optimizer", 3, "choose one of"),
    "batch size text": ("version = 1\n[training]\nbatch_size = 'half'\n",
                        "[training] batch_size", 3, "full"),
    "batch size zero": ("version = 1\n[training]\nbatch_size = 0\n", "[training] batch_size", 3,
                        "outside"),
    "bias not boolean": ("version = 1\n[training]\nfit_bias = 1\n", "[training] fit_bias", 3,
                         "true or false"),
    "epochs a float": ("version = 1\n[training]\nmax_epochs = 10.5\n", "[training] max_epochs",
                       3, "whole number"),
    "speed not a speed": ("version = 1\n[training]\nspeed = 7\n", "[training] speed", 3,
                          "choose one of"),
    "limit not a pair": ("version = 1\n[limits]\nlr = 0.1\n", "[limits] lr", 3, "[lowest"),
    "limit reversed": ("version = 1\n[limits]\nlr = [1.0, 0.1]\n", "[limits] lr", 3, "above"),
    "limit beyond the box": ("version = 1\n[limits]\nlr = [0.1, 500.0]\n", "[limits] lr", 3,
                             "outside"),
    "unknown limit": ("version = 1\n[limits]\nspeed = [1, 2]\n", "[limits] speed", 3,
                      "unknown key"),
    "unknown choice limit": ("version = 1\n[limits]\noptimizer = ['gd', 'lbfgs']\n",
                             "[limits] optimizer", 3, "lbfgs"),
    "value outside its limit": ("version = 1\n[training]\nlr = 2.0\n[limits]\nlr = [0.01, 1.0]\n",
                                "[training] lr", 3, "[limits]"),
    "choice outside its limit": (
        "version = 1\n[training]\noptimizer = 'adam'\n[limits]\noptimizer = ['gd']\n",
        "[training] optimizer", 3, "[limits]"),
    "full batch outside its limit": (
        "version = 1\n[training]\nbatch_size = 'full'\n[limits]\nbatch_size = [1, 8]\n",
        "[training] batch_size", 3, "full is outside"),
    "unknown control": ("version = 1\n[hide]\ncontrols = ['self_destruct']\n", "[hide] controls",
                        3, "self_destruct"),
    "unknown panel": ("version = 1\n[hide]\npanels = ['console']\n", "[hide] panels", 3,
                      "console"),
    "controls not a list": ("version = 1\n[hide]\ncontrols = 'run'\n", "[hide] controls", 3,
                            "list"),
    "unknown hide key": ("version = 1\n[hide]\nmenus = []\n", "[hide] menus", 3, "unknown key"),
    "unknown lesson": ("version = 1\n[lessons]\norder = ['data', 'quantum']\n",
                       "[lessons] order", 3, "quantum"),
    "lesson twice": ("version = 1\n[lessons]\norder = ['data', '01-data']\n", "[lessons] order",
                     3, "twice"),
    "empty order": ("version = 1\n[lessons]\norder = []\n", "[lessons] order", 3, "empty"),
    "lock on no lesson": ("version = 1\n[lessons]\nlock_answers_until = { nope = 1 }\n",
                          "[lessons] lock_answers_until.nope", 3, "no lesson"),
    "lock past the end": ("version = 1\n[lessons]\nlock_answers_until = { loss = 99 }\n",
                          "[lessons] lock_answers_until.loss", 3, "not a step"),
    "lock on no title": ("version = 1\n[lessons]\nlock_answers_until = { loss = 'Nowhere' }\n",
                         "[lessons] lock_answers_until.loss", 3, "no step titled"),
    "lock outside the order": (
        "version = 1\n[lessons]\norder = ['data']\nlock_answers_until = { loss = 2 }\n",
        "[lessons] lock_answers_until.loss", 4, "leaves out"),
    "preset and csv": ("version = 1\n[dataset]\npreset = 'diabetes'\ncsv = 'a.csv'\n",
                       "[dataset]", 2, "exactly one"),
    "unknown preset": ("version = 1\n[dataset]\npreset = 'iris'\n", "[dataset] preset", 3,
                       "choose one of"),
    "option with a preset": ("version = 1\n[dataset]\npreset = 'diabetes'\nlabel = 'y'\n",
                             "[dataset] label", 4, "preset takes none"),
    "unknown dataset key": ("version = 1\n[dataset]\npreset = 'diabetes'\nurl = 'x'\n",
                            "[dataset] url", 4, "unknown key"),
    "absolute csv": ("version = 1\n[dataset]\ncsv = '/etc/passwd'\n", "[dataset] csv", 3,
                     "not relative"),
    "escaping csv": ("version = 1\n[dataset]\ncsv = '../../secret.csv'\n", "[dataset] csv", 3,
                     "outside the folder"),
    "missing csv": ("version = 1\n[dataset]\ncsv = 'gone.csv'\n", "[dataset] csv", 3,
                    "no such file"),
    "bad scale": ("version = 1\n[dataset]\ncsv = 'marks.csv'\nscale = 'log'\n",
                  "[dataset] scale", 4, "choose one of"),
    "bad test fraction": ("version = 1\n[dataset]\ncsv = 'marks.csv'\ntest_fraction = 0.95\n",
                          "[dataset] test_fraction", 4, "outside"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_each_mistake_names_the_file_the_key_the_line_and_the_problem(tmp_path, csv_file, case):
    text, key, line, words = CASES[case]
    found = problems(write(tmp_path, text))
    assert len(found) == 1, found
    message = found[0]
    assert message.startswith("class.toml: "), message
    assert key in message, message
    assert words in message, message
    if line is not None:
        assert f"(line {line})" in message, message


def test_every_problem_of_a_file_is_listed_at_once(tmp_path):
    found = problems(
        write(tmp_path, "version = 1\n[training]\nlr = -1.0\nseed = -3\n[hide]\npanels = ['x']\n")
    )
    assert [m.split(":")[1].strip() for m in found] == [
        "[training] lr (line 3)",
        "[training] seed (line 4)",
        "[hide] panels (line 6)",
    ]


def test_a_csv_through_a_symlink_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("a,y\n1,0\n2,1\n", encoding="utf-8")
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "link.csv").symlink_to(outside / "secret.csv")
    (message,) = problems(write(folder, "version = 1\n[dataset]\ncsv = 'link.csv'\n"))
    assert "[dataset] csv" in message and "outside the folder" in message


def test_a_csv_in_a_subfolder_is_allowed(tmp_path):
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "m.csv"
    target.write_text("a,y\n1,0\n2,1\n", encoding="utf-8")
    path = write(tmp_path, "version = 1\n[dataset]\ncsv = 'data/m.csv'\n")
    assert read_setup(path, LESSONS).dataset == {"csv": str(target.resolve())}


# -- hostile files ---------------------------------------------------------------------------


def test_bad_toml_names_the_file_and_the_line(tmp_path):
    (message,) = problems(write(tmp_path, "version = 1\n[training\nlr = 0.1\n"))
    assert message.startswith("class.toml: is not valid TOML")
    assert "line 2" in message


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "class.toml"
    path.write_bytes(b"version = 1\n" + b"# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    (message,) = problems(path)
    assert "class.toml" in message and "larger than" in message


def test_nul_bytes_are_refused(tmp_path):
    path = tmp_path / "class.toml"
    path.write_bytes(b'version = 1\ntitle = "a\x00b"\n')
    (message,) = problems(path)
    assert "class.toml" in message and "NUL" in message


def test_a_file_in_another_encoding_is_refused(tmp_path):
    path = tmp_path / "class.toml"
    path.write_bytes('version = 1\ntitle = "Cours élève"\n'.encode("latin-1"))
    (message,) = problems(path)
    assert "class.toml" in message and "not UTF-8" in message


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "class.toml"
    path.write_bytes('\ufeffversion = 1\ntitle = "Cours élève"\n'.encode())
    assert read_setup(path, LESSONS).title == "Cours élève"


def test_deep_nesting_is_refused_without_a_traceback(tmp_path):
    depth = 4_000  # under the separator limit, over what the parser's recursion allows
    (message,) = problems(write(tmp_path, "version = 1\nx = " + "[" * depth + "]" * depth + "\n"))
    assert message == "class.toml: is nested too deeply to be a setup file"


def test_a_file_dense_with_entries_is_refused_before_it_is_parsed(tmp_path):
    lines = "".join(f"k{i} = 1\n" for i in range(MAX_STRUCTURE + 1))
    (message,) = problems(write(tmp_path, "version = 1\n" + lines))
    assert message.startswith("class.toml: holds 10,002 separators")


def test_many_problems_are_listed_up_to_a_bound_then_counted(tmp_path):
    lines = "".join(f"k{i} = 1\n" for i in range(MAX_PROBLEMS + 5))
    found = problems(write(tmp_path, "version = 1\n" + lines))
    assert len(found) == MAX_PROBLEMS + 1
    assert (
        found[0] == "class.toml: k0 (line 2): unknown key; a setup has version, title, "
        "dataset, training, limits, hide, lessons"
    )
    assert found[-1] == "class.toml: and 5 more problems"


def test_moderate_nesting_is_an_unknown_key_not_a_crash(tmp_path):
    (message,) = problems(write(tmp_path, "version = 1\n[limits]\nlr = [[[[0.1]]], 1.0]\n"))
    assert "[limits] lr" in message and "number" in message


def test_a_missing_file_is_a_message(tmp_path):
    (message,) = problems(tmp_path / "nowhere.toml")
    assert message.startswith("nowhere.toml: cannot be read")


def test_a_folder_is_a_message(tmp_path):
    folder = tmp_path / "class.toml"
    folder.mkdir()
    (message,) = problems(folder)
    assert message.startswith("class.toml: ")


def test_a_pipe_is_refused_without_waiting_for_it(tmp_path):
    pipe = tmp_path / "class.toml"
    os.mkfifo(pipe)
    (message,) = problems(pipe)
    assert message == "class.toml: is not a file"


def test_the_file_is_never_executed(tmp_path):
    marker = tmp_path / "ran"
    text = f"version = 1\ntitle = \"__import__('os').system('touch {marker}')\"\n"
    assert "__import__" in read_setup(write(tmp_path, text), LESSONS).title
    assert not marker.exists()


# -- writing ---------------------------------------------------------------------------------


def test_writing_then_reading_gives_the_same_setup(tmp_path, csv_file):
    setup = Setup(
        title='Year 9 "B" \\ set\ttwo\x7f',
        dataset={"csv": str(csv_file.resolve()), "label": "passed", "positive": 1,
                 "features": ["hours", "score"], "scale": "standard", "test_fraction": 0.25},
        training={"lr": 0.05, "optimizer": "adam", "batch_size": None, "l2": 0.0,
                  "max_epochs": 300, "tol": 1e-06, "seed": 7, "init": "random",
                  "fit_bias": False, "model": "logistic"},
        speed=20.0,
        limits={"lr": (0.001, 1.0), "batch_size": (0, 64), "optimizer": ("gd", "adam"),
                "model": ("logistic",), "seed": (0, 10), "l2": (0.0, 0.5)},
        hidden_controls=("open_csv", "presets"),
        hidden_panels=("graph", "timeline"),
        lesson_order=("loss", "data"),
        answer_locks={"loss": 2},
    )  # fmt: skip
    path = tmp_path / "out.toml"
    path.write_text(setup_to_toml(setup, tmp_path), encoding="utf-8")
    tomllib.loads(path.read_text(encoding="utf-8"))  # valid TOML for any reader
    assert read_setup(path, LESSONS) == setup


def test_writing_a_csv_outside_the_folder_is_refused(tmp_path, csv_file):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(SetupError, match="outside"):
        setup_to_toml(Setup(dataset={"csv": str(csv_file)}), elsewhere)


def test_the_module_needs_no_qt():
    code = "import sys, gdapp.setup_file; print('PySide6' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.strip() == "False"


def test_the_widest_values_agree_with_the_boxes():
    pytest.importorskip("PySide6")
    from gdapp import setup_file
    from gdapp.ui.panels import settings_panel, training_bar
    from gdapp.ui.settings import MAX_BATCH_SIZE, MAX_SEED

    assert setup_file.LR_RANGE == training_bar.LR_RANGE
    assert setup_file.L2_RANGE == settings_panel.L2_RANGE
    assert setup_file.TOL_RANGE == settings_panel.TOL_RANGE
    assert setup_file.MAX_EPOCHS_RANGE[1] == settings_panel.MAX_EPOCHS_LIMIT
    assert setup_file.SEED_RANGE == (0, MAX_SEED)
    assert setup_file.BATCH_SIZE_RANGE[1] == MAX_BATCH_SIZE
    assert (*setup_file.SPEEDS, None) == training_bar.SPEEDS
