"""A teacher's setup file: the dataset, the settings, what learners may change and what they see.

A setup file is TOML (read with ``tomllib``, never executed); ``resources/setup-example.toml``
is a commented example. Every section is optional::

    version = 1                      # required; the only version so far
    title = "Period 3: descent"      # shown in the window's title

    [dataset]                        # a preset, or a CSV file relative to this file
    csv = "class.csv"                # with load options: label, features, positive, scale,
    label = "Outcome"                # test_fraction, seed, missing, sheet

    [training]                       # TrainConfig fields, plus the run speed
    lr = 0.05
    batch_size = "full"              # or a number of rows
    speed = 10                       # steps per second, or "max"

    [limits]                         # what a learner may set in the toolbar and settings
    lr = [0.001, 1.0]                # numbers: [lowest, highest]
    batch_size = [0, 64]             # 0 stands for the full batch
    optimizer = ["gd", "momentum"]   # choices: the ones allowed

    [hide]
    controls = ["open_csv", "l2"]    # names in CONTROLS
    panels = ["landscape"]           # names in PANELS

    [lessons]
    order = ["data", "loss"]         # lesson ids or file stems, in the order shown
    lock_answers_until = { loss = 3 }  # a lesson's answers wait until its step 3 is reached

``read_setup(path)`` checks everything and returns a ``Setup``; any problem raises
``SetupError``, whose ``problems`` each name the file, the key, the line when it can be found,
and what is wrong. ``setup_to_toml(setup, folder)`` writes a ``Setup`` back as such a file.
No Qt here: the window applies a Setup in ``gdapp.ui.setup_apply``.
"""

from __future__ import annotations

import math
import re
import stat
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gdapp.core.mlp import ACTIVATIONS, HIDDEN_RANGE
from gdapp.core.models import MODEL_NAMES
from gdapp.core.optimizers import OPTIMIZER_NAMES
from gdapp.datasets import MISSING_CHOICES, PRESETS, SCALE_KINDS

__all__ = [
    "CONTROLS",
    "PANELS",
    "SETUP_VERSION",
    "Setup",
    "SetupError",
    "parse_setup",
    "read_setup",
    "setup_to_toml",
]

SETUP_VERSION = 1
MAX_FILE_BYTES = 1_000_000
MAX_TEXT_CHARS = 4096  # any one string: a title, a path, a column name
# A setup holds a few dozen entries; TOML's parser takes about 6 us per structural
# character (= , . [ ] { } and escapes), so this many keeps a read under ~60 ms on the GUI
# thread, where a dense 1 MB file would take seconds (benchmarks/bench_setup_file.py).
MAX_STRUCTURE = 10_000
_STRUCTURE = "=,.[]{}\\"
# The widest values the toolbar and settings boxes take (tests check they agree).
LR_RANGE = (1e-6, 100.0)
L2_RANGE = (1e-6, 100.0)  # and 0, "off"
TOL_RANGE = (1e-10, 1.0)  # and 0, "off"
MAX_EPOCHS_RANGE = (1, 10_000_000)
SEED_RANGE = (0, 2**31 - 1)
BATCH_SIZE_RANGE = (1, 1 << 20)  # and the full batch
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000)  # steps per second, or "max"

CONTROLS: Mapping[str, str] = MappingProxyType(
    {
        "step_back": "toolbar: Step back (and the Left key)",
        "step": "toolbar: Step (and the Right key)",
        "run": "toolbar: Run (and Space, which runs and pauses)",
        "pause": "toolbar: Pause",
        "reset": "toolbar: Reset (and the R key)",
        "learning_rate": "toolbar: the learning rate box",
        "optimizer": "toolbar: the optimizer list",
        "batch_size": "toolbar: the batch size box",
        "speed": "toolbar: the run speed slider",
        "model": "settings: the model list",
        "bias": "settings: Fit a bias term",
        "l2": "settings: the L2 penalty box",
        "max_epochs": "settings: the max epochs box",
        "tolerance": "settings: the tolerance box",
        "init": "settings: Start from",
        "seed": "settings: the seed box",
        "hidden_units": "settings: the hidden units box (a hidden layer only)",
        "activation": "settings: the activation list (a hidden layer only)",
        "open_csv": "File > Open CSV (Ctrl+O) and the dataset page's Open CSV button",
        "presets": "File > Presets and the dataset page's preset list",
        "open_session": "File > Open session (and Open recent)",
        "save_session": "File > Save session and Save session as",
        "export": "File > Export",
        "open_setup": "File > Open setup",
        "export_setup": "File > Export setup",
    }
)
PANELS: Mapping[str, str] = MappingProxyType(
    {
        "data": "the Dataset page (Ctrl+1)",
        "plots": "the Plots page (Ctrl+2)",
        "graph": "the Computation graph page (Ctrl+3)",
        "landscape": "the Cost landscape page (Ctrl+4)",
        "boundary": "the Decision boundary page (Ctrl+5)",
        "figure": "the Lesson figure page (Ctrl+6)",
        "contributions": "the gradient contributions chart under the dataset table",
        "lessons": "the lesson column (and View > Lesson)",
        "settings": "the training settings dock (its toolbar button, Ctrl+, and the menus)",
        "timeline": "the timeline bar above the pages",
    }
)

_TOP_KEYS = ("version", "title", "dataset", "training", "limits", "hide", "lessons")
_HIDE_KEYS = ("controls", "panels")
_LESSON_KEYS = ("order", "lock_answers_until")
_SECTION = re.compile(r"^\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?$")
_KEY_PART = r"""(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)"""
_KEY_LINE = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
MAX_PROBLEMS = 20  # listed one by one; the rest are counted


class SetupError(ValueError):
    """A setup file that cannot be used; ``problems`` holds one sentence per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Setup:
    """A checked setup: each field as the window takes it, None / empty when not given.

    ``dataset`` is ``{"preset": name}`` or ``{"csv": absolute path, **load options}``;
    ``training`` holds ``TrainConfig`` fields (``batch_size`` None for the full batch);
    ``speed`` is steps per second, ``"max"`` or None (not given); ``limits`` maps a field to
    ``(lowest, highest)`` or to the tuple of allowed names (``batch_size`` 0 = full batch);
    ``lesson_order`` holds lesson ids; ``answer_locks`` maps a lesson id to the 0-based index
    of the step that unlocks its answers.
    """

    title: str | None = None
    dataset: Mapping[str, Any] = field(default_factory=dict)
    training: Mapping[str, Any] = field(default_factory=dict)
    speed: float | str | None = None
    limits: Mapping[str, tuple] = field(default_factory=dict)
    hidden_controls: tuple[str, ...] = ()
    hidden_panels: tuple[str, ...] = ()
    lesson_order: tuple[str, ...] | None = None
    answer_locks: Mapping[str, int] = field(default_factory=dict)


# -- reading ---------------------------------------------------------------------------------


def read_setup(path: str | Path, lessons: Sequence[Any] | None = None) -> Setup:
    """Read and check the setup file ``path``; ``lessons`` defaults to the shipped ones."""
    path = Path(path)
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # a folder, a device, a pipe that never ends
            raise SetupError([f"{path.name}: is not a file"])
        size = status.st_size
        if size > MAX_FILE_BYTES:
            raise SetupError([_too_big(path, size)])
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise SetupError([f"{path.name}: cannot be read ({error.strerror or error})"]) from None
    if len(data) > MAX_FILE_BYTES:
        raise SetupError([_too_big(path, len(data))])
    if b"\x00" in data:
        raise SetupError([f"{path.name}: holds NUL bytes, so it is not a text file"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SetupError(
            [f"{path.name}: is not UTF-8 text (byte {error.start} cannot be read)"]
        ) from None
    return parse_setup(text, path, lessons)


def _too_big(path: Path, size: int) -> str:
    return (
        f"{path.name}: is {size:,} bytes, larger than the {MAX_FILE_BYTES:,} a setup file may "
        "be (a setup is a few lines of text)"
    )


def parse_setup(text: str, path: str | Path, lessons: Sequence[Any] | None = None) -> Setup:
    """Check the TOML ``text`` of the setup file ``path`` (relative CSV paths start there)."""
    path = Path(path)
    structure = sum(text.count(char) for char in _STRUCTURE)
    if structure > MAX_STRUCTURE:
        raise SetupError(
            [
                f"{path.name}: holds {structure:,} separators (= , . [ ] {{ }} \\), far more "
                f"than the {MAX_STRUCTURE:,} a setup file may have; a setup is a few dozen lines"
            ]
        )
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SetupError([f"{path.name}: is not valid TOML: {error}"]) from None
    except RecursionError:
        raise SetupError([f"{path.name}: is nested too deeply to be a setup file"]) from None
    if lessons is None:
        from gdapp.lessons.model import load_available_lessons

        lessons = load_available_lessons()[0]
    return _Checker(path, text, lessons).setup(raw)


class _Checker:
    """Checks one parsed file, collecting a sentence per problem."""

    def __init__(self, path: Path, text: str, lessons: Sequence[Any]) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.lessons = tuple(lessons)
        self.problems: list[str] = []
        self.more = 0  # problems past MAX_PROBLEMS, counted only
        self._lines_of: dict[tuple[str | None, str | None], int] | None = None

    def fail(self, section: str | None, key: str | None, problem: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.more += 1
            return
        where = f"[{section}]" if section else ""
        if key:
            where = f"{where} {key}".strip()
        line = self.line_of(section, key)
        at = f" (line {line})" if line else ""
        self.problems.append(f"{self.path.name}: {where or 'file'}{at}: {problem}")

    def line_of(self, section: str | None, key: str | None) -> int | None:
        """The line where ``key`` is set in ``[section]`` (or where the section starts)."""
        if self._lines_of is None:
            self._lines_of = _key_lines(self.lines)
        return self._lines_of.get((section, key.split(".")[0] if key else None))

    # -- the sections ----------------------------------------------------------------------

    def setup(self, raw: dict[str, Any]) -> Setup:
        for key in raw:
            if key not in _TOP_KEYS:
                self.fail(None, key, f"unknown key; a setup has {', '.join(_TOP_KEYS)}")
        version = raw.get("version")
        if "version" not in raw:
            self.fail(None, "version", f"missing; write version = {SETUP_VERSION} at the top")
        elif type(version) is not int or version != SETUP_VERSION:
            self.fail(None, "version", f"is {version!r}; this app reads version {SETUP_VERSION}")
        title = raw.get("title")
        if title is not None and not self.text(None, "title", title):
            title = None
        sections = {name: self.table(raw, name) for name in _TOP_KEYS[2:]}
        dataset = self.dataset(sections["dataset"])
        training, speed = self.training(sections["training"])
        limits = self.limits(sections["limits"])
        self.within_limits(training, limits)
        hidden = self.hide(sections["hide"])
        order, locks = self.lessons_section(sections["lessons"])
        if self.problems:
            if self.more:
                self.problems.append(f"{self.path.name}: and {self.more:,} more problems")
            raise SetupError(self.problems)
        return Setup(
            title=title or None,
            dataset=dataset,
            training=training,
            speed=speed,
            limits=limits,
            hidden_controls=hidden["controls"],
            hidden_panels=hidden["panels"],
            lesson_order=order,
            answer_locks=locks,
        )

    def table(self, raw: dict[str, Any], name: str) -> dict[str, Any]:
        value = raw.get(name, {})
        if not isinstance(value, dict):
            self.fail(None, name, f"must be a [{name}] section, not a {_kind(value)}")
            return {}
        return value

    def text(self, section: str | None, key: str, value: object) -> bool:
        if not isinstance(value, str):
            self.fail(section, key, f"must be text in quotes, not a {_kind(value)}")
            return False
        if len(value) > MAX_TEXT_CHARS:
            self.fail(section, key, f"is longer than {MAX_TEXT_CHARS:,} characters")
            return False
        return True

    def dataset(self, table: dict[str, Any]) -> dict[str, Any]:
        if not table:
            return {}
        options = {
            "label": self.column_name,
            "features": self.column_names,
            "positive": self.class_value,
            "scale": lambda k, v: self.choice("dataset", k, v, SCALE_KINDS),
            "test_fraction": lambda k, v: self.number("dataset", k, v, (0.0, 0.9), zero=True),
            "seed": lambda k, v: self.whole("dataset", k, v, SEED_RANGE),
            "missing": lambda k, v: self.choice("dataset", k, v, MISSING_CHOICES),
            "sheet": self.sheet,
        }
        for key in table:
            if key not in ("preset", "csv", *options):
                known = ", ".join(("preset", "csv", *options))
                self.fail("dataset", key, f"unknown key; [dataset] takes {known}")
        if ("preset" in table) == ("csv" in table):
            self.fail("dataset", None, 'needs exactly one of preset = "…" or csv = "…"')
            return {}
        if "preset" in table:
            extra = [key for key in table if key in options]
            if extra:
                self.fail("dataset", extra[0], "is a CSV option; a preset takes none")
            name = table["preset"]
            if self.choice("dataset", "preset", name, tuple(PRESETS)) is _BAD:
                return {}
            return {"preset": name}
        csv = self.csv_path(table["csv"])
        result: dict[str, Any] = {"csv": csv}
        for key, check in options.items():
            if key in table:
                value = check(key, table[key])
                if value is not _BAD:
                    result[key] = value
        return result if csv is not None else {}

    def csv_path(self, value: object) -> str | None:
        if not self.text("dataset", "csv", value):
            return None
        if not value.strip():
            self.fail("dataset", "csv", "is empty; give the CSV file's name")
            return None
        relative = Path(value)
        if relative.is_absolute() or relative.drive or value.startswith(("/", "\\", "~")):
            self.fail(
                "dataset", "csv",
                f"{value!r} is not relative; name the file relative to {self.path.name}'s folder",
            )  # fmt: skip
            return None
        folder = self.path.resolve().parent
        target = (folder / relative).resolve()
        if not target.is_relative_to(folder):
            self.fail(
                "dataset", "csv",
                f"{value!r} leads outside the folder of {self.path.name}; keep the CSV beside "
                "the setup file or below it",
            )  # fmt: skip
            return None
        if not target.is_file():
            self.fail("dataset", "csv", f"{value!r}: there is no such file beside the setup")
            return None
        return str(target)

    def column_name(self, key: str, value: object) -> object:
        return value if self.text("dataset", key, value) else _BAD

    def column_names(self, key: str, value: object) -> object:
        if not isinstance(value, list) or not value:
            self.fail("dataset", key, 'must be a list of column names, e.g. ["Glucose"]')
            return _BAD
        if not all(isinstance(v, str) and len(v) <= MAX_TEXT_CHARS for v in value):
            self.fail("dataset", key, "must hold column names in quotes only")
            return _BAD
        return list(value)

    def class_value(self, key: str, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail("dataset", key, f"must be a class: text or a number, not a {_kind(value)}")
            return _BAD
        return value

    def sheet(self, key: str, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and self.text("dataset", key, value):
            return value
        self.fail("dataset", key, "must be a sheet name or a position from 0")
        return _BAD

    def training(self, table: dict[str, Any]) -> tuple[dict[str, Any], float | str | None]:
        rules = {
            "model": lambda k, v: self.choice("training", k, v, MODEL_NAMES),
            "fit_bias": lambda k, v: self.boolean("training", k, v),
            "l2": lambda k, v: self.number("training", k, v, L2_RANGE, zero=True),
            "optimizer": lambda k, v: self.choice("training", k, v, OPTIMIZER_NAMES),
            "lr": lambda k, v: self.number("training", k, v, LR_RANGE),
            "batch_size": self.batch_size,
            "max_epochs": lambda k, v: self.whole("training", k, v, MAX_EPOCHS_RANGE),
            "tol": lambda k, v: self.number("training", k, v, TOL_RANGE, zero=True),
            "seed": lambda k, v: self.whole("training", k, v, SEED_RANGE),
            "init": lambda k, v: self.choice("training", k, v, ("zeros", "random")),
            "hidden": lambda k, v: self.whole("training", k, v, HIDDEN_RANGE),
            "activation": lambda k, v: self.choice("training", k, v, ACTIVATIONS),
        }
        training: dict[str, Any] = {}
        speed = None
        for key, value in table.items():
            if key == "speed":
                speed = self.speed(value)
            elif key in rules:
                checked = rules[key](key, value)
                if checked is not _BAD:
                    training[key] = checked
            else:
                known = ", ".join((*rules, "speed"))
                self.fail("training", key, f"unknown key; [training] takes {known}")
        return training, speed

    def batch_size(self, key: str, value: object) -> object:
        if value == "full":
            return None
        if isinstance(value, str):
            self.fail("training", key, f'is {value!r}; write "full" or a number of rows')
            return _BAD
        return self.whole("training", key, value, BATCH_SIZE_RANGE)

    def speed(self, value: object) -> float | str | None:
        if value == "max":
            return "max"
        if isinstance(value, int | float) and not isinstance(value, bool) and value in SPEEDS:
            return float(value)
        speeds = ", ".join(str(s) for s in SPEEDS)
        self.fail("training", "speed", f'is {value!r}; choose one of {speeds} or "max"')
        return None

    def limits(self, table: dict[str, Any]) -> dict[str, tuple]:
        numeric = {
            "lr": (LR_RANGE, False, False),
            "l2": (L2_RANGE, True, False),
            "tol": (TOL_RANGE, True, False),
            "batch_size": ((0, BATCH_SIZE_RANGE[1]), False, True),
            "max_epochs": (MAX_EPOCHS_RANGE, False, True),
            "seed": (SEED_RANGE, False, True),
            "hidden": (HIDDEN_RANGE, False, True),
        }
        choices = {"optimizer": OPTIMIZER_NAMES, "model": MODEL_NAMES, "activation": ACTIVATIONS}
        limits: dict[str, tuple] = {}
        for key, value in table.items():
            if key in numeric:
                bounds, zero, whole = numeric[key]
                checked = self.limit_range(key, value, bounds, zero, whole)
            elif key in choices:
                checked = self.limit_choices(key, value, choices[key])
            else:
                known = ", ".join((*numeric, *choices))
                self.fail("limits", key, f"unknown key; [limits] takes {known}")
                continue
            if checked is not None:
                limits[key] = checked
        return limits

    def limit_range(self, key, value, bounds, zero: bool, whole: bool) -> tuple | None:
        if not isinstance(value, list) or len(value) != 2:
            self.fail("limits", key, "must be [lowest, highest], e.g. [0.001, 1.0]")
            return None
        ends = []
        for end in value:
            checked = (
                self.whole("limits", key, end, bounds)
                if whole
                else self.number("limits", key, end, bounds, zero=zero)
            )
            if checked is _BAD:
                return None
            ends.append(checked)
        low, high = ends
        if low > high:
            self.fail("limits", key, f"lowest {low:g} is above highest {high:g}")
            return None
        return (low, high)

    def limit_choices(self, key: str, value: object, names: Sequence[str]) -> tuple | None:
        if not isinstance(value, list) or not value:
            self.fail("limits", key, f"must be a list of allowed names from {', '.join(names)}")
            return None
        for name in value:
            if self.choice("limits", key, name, names) is _BAD:
                return None
        if len(set(value)) != len(value):
            self.fail("limits", key, "names a choice twice")
            return None
        return tuple(value)

    def within_limits(self, training: dict[str, Any], limits: dict[str, tuple]) -> None:
        for key, allowed in limits.items():
            if key not in training:
                continue
            value = training[key]
            if key == "batch_size" and value is None:
                value = 0
            if isinstance(allowed[0], str):
                if value not in allowed:
                    self.fail("training", key, f"{value!r} is not among the [limits] choices")
            elif not allowed[0] <= value <= allowed[1]:
                shown = "full" if key == "batch_size" and value == 0 else f"{value:g}"
                self.fail(
                    "training", key,
                    f"{shown} is outside its [limits] {allowed[0]:g} to {allowed[1]:g}",
                )  # fmt: skip

    def hide(self, table: dict[str, Any]) -> dict[str, tuple[str, ...]]:
        hidden: dict[str, tuple[str, ...]] = {"controls": (), "panels": ()}
        for key in table:
            if key not in _HIDE_KEYS:
                self.fail("hide", key, "unknown key; [hide] takes controls and panels")
        for key, names in (("controls", CONTROLS), ("panels", PANELS)):
            value = table.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.fail("hide", key, "must be a list of names in quotes")
                continue
            unknown = [v for v in value if v not in names]
            for name in unknown:
                self.fail("hide", key, f"unknown name {name[:60]!r}; known: {', '.join(names)}")
            if not unknown:
                hidden[key] = tuple(dict.fromkeys(value))
        return hidden

    def lessons_section(self, table: dict[str, Any]) -> tuple[tuple[str, ...] | None, dict]:
        for key in table:
            if key not in _LESSON_KEYS:
                self.fail("lessons", key, "unknown key; [lessons] takes order, lock_answers_until")
        by_name = {}
        for lesson in self.lessons:
            by_name[lesson.id] = lesson
            by_name[lesson.path.stem] = lesson
        order = None
        if "order" in table:
            value = table["order"]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.fail("lessons", "order", "must be a list of lesson ids in quotes")
            elif not value:
                self.fail("lessons", "order", "is empty; name at least one lesson")
            else:
                ids = []
                for name in value:
                    lesson = by_name.get(name)
                    if lesson is None:
                        known = ", ".join(lesson.id for lesson in self.lessons)
                        self.fail("lessons", "order", f"no lesson {name[:60]!r}; lessons: {known}")
                    elif lesson.id in ids:
                        self.fail("lessons", "order", f"names lesson {lesson.id!r} twice")
                    else:
                        ids.append(lesson.id)
                if len(ids) == len(value):
                    order = tuple(ids)
        locks: dict[str, int] = {}
        value = table.get("lock_answers_until", {})
        if not isinstance(value, dict):
            self.fail("lessons", "lock_answers_until", "must be a table: { loss = 3 }")
            return order, locks
        for name, step in value.items():
            key = f"lock_answers_until.{name[:60]}"
            lesson = by_name.get(name)
            if lesson is None:
                self.fail("lessons", key, "names no lesson")
                continue
            if order is not None and lesson.id not in order:
                self.fail("lessons", key, "names a lesson that the order leaves out")
                continue
            index = self.step_index(key, lesson, step)
            if index is not None:
                locks[lesson.id] = index
        return order, locks

    def step_index(self, key: str, lesson: Any, step: object) -> int | None:
        count = len(lesson.steps)
        if isinstance(step, int) and not isinstance(step, bool):
            if 1 <= step <= count:
                return step - 1
            self.fail("lessons", key, f"step {step} is not a step of {lesson.id!r} (1 to {count})")
            return None
        if isinstance(step, str):
            titles = [s.title for s in lesson.steps]
            if step in titles:
                return titles.index(step)
            self.fail("lessons", key, f"{lesson.id!r} has no step titled {step[:60]!r}")
            return None
        self.fail("lessons", key, "must be a step number from 1, or a step's title")
        return None

    # -- values ---------------------------------------------------------------------------

    def choice(self, section: str, key: str, value: object, choices: Sequence[str]) -> object:
        if isinstance(value, str) and value in choices:
            return value
        shown = repr(value)[:60]
        self.fail(section, key, f"is {shown}; choose one of {', '.join(choices)}")
        return _BAD

    def boolean(self, section: str, key: str, value: object) -> object:
        if isinstance(value, bool):
            return value
        self.fail(section, key, "must be true or false")
        return _BAD

    def number(self, section, key, value, bounds, *, zero: bool = False) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(section, key, f"must be a number, not a {_kind(value)}")
            return _BAD
        if not math.isfinite(value):
            self.fail(section, key, "must be a finite number")
            return _BAD
        if zero and value == 0:
            return 0.0
        low, high = bounds
        if not low <= value <= high:
            also = " (or 0 for off)" if zero else ""
            self.fail(section, key, f"{value:g} is outside {low:g} to {high:g}{also}")
            return _BAD
        return float(value)

    def whole(self, section, key, value, bounds) -> object:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(section, key, f"must be a whole number, not a {_kind(value)}")
            return _BAD
        low, high = bounds
        if not low <= value <= high:
            self.fail(section, key, f"{value:,} is outside {low:,} to {high:,}")
            return _BAD
        return value


_BAD = object()  # what a check returns after reporting a problem


def _key_lines(lines: Sequence[str]) -> dict[tuple[str | None, str | None], int]:
    """(section, key) -> the first line setting it, and (section, None) -> its header line.

    One pass over the text, so that naming the line of each of many problems stays cheap.
    A top-level ``dataset.preset = ...`` counts as ``("dataset", "preset")`` too.
    """
    found: dict[tuple[str | None, str | None], int] = {}
    current = None
    for number, line in enumerate(lines, start=1):
        header = _SECTION.match(line)
        if header:
            current = header.group(1)
            found.setdefault((current, None), number)
            continue
        match = _KEY_LINE.match(line)
        if match is None:
            continue
        parts = [part.strip("\"'") for part in re.split(r"\s*\.\s*", match.group(1))]
        found.setdefault((current, parts[0]), number)
        if current is None and len(parts) > 1:
            found.setdefault((parts[0], parts[1]), number)
    return found


def _kind(value: object) -> str:
    names = {bool: "true/false", int: "number", float: "number", str: "text", list: "list",
             dict: "table"}  # fmt: skip
    return names.get(type(value), type(value).__name__)


# -- writing ---------------------------------------------------------------------------------


def setup_to_toml(setup: Setup, folder: str | Path) -> str:
    """``setup`` as the text of a setup file saved in ``folder``.

    A CSV dataset is written relative to ``folder``; ``SetupError`` if it lies outside it
    (a setup file only reaches files beside it or below).
    """
    folder = Path(folder).resolve()
    lines = [f"version = {SETUP_VERSION}"]
    if setup.title:
        lines.append(f"title = {_toml(setup.title)}")
    dataset = dict(setup.dataset)
    if dataset:
        lines += ["", "[dataset]"]
        if "csv" in dataset:
            target = Path(dataset.pop("csv")).resolve()
            if not target.is_relative_to(folder):
                raise SetupError(
                    [
                        f"The dataset {target.name} lies outside {folder}: save the setup "
                        "in the CSV file's folder or a folder above it"
                    ]
                )
            dataset = {"csv": target.relative_to(folder).as_posix(), **dataset}
        lines += [f"{_key(k)} = {_toml(v)}" for k, v in dataset.items() if v is not None]
    training = dict(setup.training)
    if "batch_size" in training and training["batch_size"] is None:
        training["batch_size"] = "full"
    if setup.speed is not None:
        training["speed"] = setup.speed
    if training:
        lines += ["", "[training]"]
        lines += [f"{_key(k)} = {_toml(v)}" for k, v in training.items()]
    if setup.limits:
        lines += ["", "[limits]"]
        lines += [f"{_key(k)} = {_toml(list(v))}" for k, v in setup.limits.items()]
    if setup.hidden_controls or setup.hidden_panels:
        lines += ["", "[hide]"]
        lines.append(f"controls = {_toml(list(setup.hidden_controls))}")
        lines.append(f"panels = {_toml(list(setup.hidden_panels))}")
    if setup.lesson_order is not None or setup.answer_locks:
        lines += ["", "[lessons]"]
        if setup.lesson_order is not None:
            lines.append(f"order = {_toml(list(setup.lesson_order))}")
        if setup.answer_locks:
            locks = ", ".join(f"{_key(k)} = {v + 1}" for k, v in setup.answer_locks.items())
            lines.append(f"lock_answers_until = {{ {locks} }}")
    return "\n".join(lines) + "\n"


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else _string(name)


def _string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and every control character escaped."""
    out = []
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no place in a setup file")
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} into a setup file")
