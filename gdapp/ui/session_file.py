"""Session files: a saved training run as JSON, read back only after every field is checked.

A session file records how to rebuild a run rather than the run itself: the dataset (a
preset name, or a CSV path with its import options and the SHA-256 of its bytes), the
``TrainConfig`` fields, where training started, the learning-rate changes as ``(step, lr)``
pairs (step ``s`` and later steps use ``lr``), the number of steps, and the SHA-256 of the
final parameters (float64, little-endian bytes) so that the replay can be checked. It also
holds what the screen showed (a ``ViewState`` as ``to_dict()`` gives it), the lesson progress
(``LessonRunner.to_dict()``) and ``"forks": []``, kept for a timeline of branches::

    {"format": "gdapp-session", "version": 1, "app_version": "0.1.0",
     "dataset": {"preset": "diabetes"},        # or {"csv": path, "sha256": hex, "options": {...}}
     "config": {"model": "logistic", ...}, "start": null,   # or d+1 numbers: weights, bias
     "steps": 120, "lr_changes": [[1, 0.1], [60, 0.5]], "theta_sha256": hex,
     "view": {...}, "lessons": {...}, "forks": []}

Reading is defensive: at most ``MAX_FILE_BYTES`` are read, NaN and infinities are refused,
numbers are bounded in length, nesting depth is bounded, and every field is checked for type
and range before anything uses it. Problems raise ``SessionFileError`` with a message that
names the file and the field. Nothing here imports Qt, so it can be tested on its own.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gdapp.core.trainer import TrainConfig

FORMAT = "gdapp-session"
VERSION = 1
SUFFIX = ".gdsession"
MAX_FILE_BYTES = 5 * 2**20  # a session is a few kB; anything this large is not one
MAX_DEPTH = 32  # containers inside containers; a session needs five
MAX_NUMBER_CHARS = 40  # digits of one number in the file (a float64 repr needs 24)
MAX_STEPS = 10_000_000  # steps a session may replay
MAX_LR_CHANGES = 100_000
MAX_FORKS = 4  # branches the timeline left behind, kept with a session
MAX_FORK_POINTS = 10_000  # points of one branch's loss curve
MAX_TEXT_CHARS = 4096  # one string (a path, a column name)
HASH_CHUNK_BYTES = 2**20

# Keyword options of ``gdapp.datasets.load_csv`` a CSV origin may carry, and their JSON kinds.
CSV_OPTIONS = {
    "label": (str, type(None)),
    "features": (list, type(None)),
    "positive": (str, int, float, bool, type(None)),
    "scale": (str,),
    "test_fraction": (int, float),
    "seed": (int,),
}
# ViewState fields and the shape of each (see ``gdapp.ui.view_state.ViewState``); the UI
# builds the ViewState, which checks the page itself.
VIEW_FIELDS = (
    "page", "figure", "post_example", "graph_view", "graph_bug", "graph_nudge",
    "graph_inputs", "landscape_mode", "landscape_params", "overlays", "boundary_features",
    "boundary_held", "table_scaled", "spotlight",
)  # fmt: skip
_CONFIG_KINDS = {
    "model": "str",
    "fit_bias": "bool",
    "l2": "number",
    "optimizer": "str",
    "lr": "number",
    "batch_size": "int_or_none",
    "max_epochs": "int",
    "tol": "number",
    "seed": "int",
    "init": "str",
    "diverging_window": "int",
    "hidden": "int",
    "activation": "str",
}


class SessionFileError(ValueError):
    """A session file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class SessionData:
    """A checked session: everything needed to rebuild and show the run.

    ``dataset`` is ``{"preset": name}`` or ``{"csv": path, "sha256": hex, "options": {...}}``;
    ``start`` is ``(d+1,)`` numbers (weights, bias last) or None for ``config.init``;
    ``lr_changes`` are ``(step, lr)`` pairs with increasing steps in ``1..steps``;
    ``view`` holds the ViewState fields as plain data (lists for tuples); ``lessons`` the
    runner's ``to_dict()`` or None.
    """

    dataset: dict[str, Any]
    config: TrainConfig
    steps: int
    lr_changes: tuple[tuple[int, float], ...]
    theta_sha256: str
    start: tuple[float, ...] | None = None
    view: dict[str, Any] = dataclasses.field(default_factory=dict)
    lessons: dict[str, Any] | None = None
    # Branches the timeline left behind: (epoch, train loss) points, drawn faded.
    forks: tuple[tuple[tuple[float, ...], tuple[float, ...]], ...] = ()

    @property
    def origin(self) -> dict[str, Any]:
        """The dataset's origin as ``TrainingSession.dataset_origin`` spells it."""
        if "preset" in self.dataset:
            return {"preset": self.dataset["preset"]}
        return {"csv": self.dataset["csv"], **self.dataset["options"]}

    def initial_config(self) -> TrainConfig:
        """The config the replay starts with: the first step's learning rate."""
        if self.lr_changes:
            return dataclasses.replace(self.config, lr=self.lr_changes[0][1])
        return self.config

    def lr_at(self, step: int) -> float:
        """The learning rate update ``step`` (1-based) uses."""
        rate = self.initial_config().lr
        for change, lr in self.lr_changes:
            if change > step:
                break
            rate = lr
        return rate

    def next_change_after(self, step: int) -> int | None:
        """The first step after ``step`` whose learning rate differs from the one before."""
        for change, _lr in self.lr_changes:
            if change > step + 1:
                return change
        return None


# -- hashes ----------------------------------------------------------------------------------


def theta_sha256(theta: Any) -> str:
    """SHA-256 of ``theta``'s float64 little-endian bytes, as hex."""
    data = np.ascontiguousarray(np.asarray(theta, dtype="<f8"))
    return hashlib.sha256(data.tobytes()).hexdigest()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes, as hex (read a chunk at a time)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(HASH_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def lr_changes_from(steps: Sequence[int], lrs: Sequence[float]) -> list[tuple[int, float]]:
    """``(step, lr)`` pairs from a history's ``step`` and ``lr`` columns (row k: step k's rate).

    Row 0 (the start) is skipped; the first pair is step 1's rate, then one pair wherever the
    rate differs from the row before.
    """
    changes: list[tuple[int, float]] = []
    previous = None
    for step, lr in zip(steps, lrs, strict=True):
        step, lr = int(step), float(lr)
        if step < 1:
            continue
        if previous is None or lr != previous:
            changes.append((step, lr))
        previous = lr
    return changes


# -- writing ---------------------------------------------------------------------------------


def session_dict(
    *,
    origin: Mapping[str, Any],
    config: TrainConfig,
    steps: int,
    lr_changes: Sequence[tuple[int, float]],
    theta: Any,
    start: Sequence[float] | None = None,
    view: Mapping[str, Any] | None = None,
    lessons: Mapping[str, Any] | None = None,
    app_version: str = "",
    forks: Sequence[tuple[Sequence[float], Sequence[float]]] = (),
) -> dict[str, Any]:
    """The JSON data of a session (``origin`` as ``TrainingSession.dataset_origin`` gives it).

    A CSV origin's file is hashed now; OSError when it cannot be read.
    """
    if "csv" in origin:
        path = os.path.abspath(origin["csv"])  # the session may be opened from anywhere
        options = {k: _plain(v) for k, v in origin.items() if k != "csv"}
        dataset: dict[str, Any] = {"csv": path, "sha256": file_sha256(path), "options": options}
    else:
        dataset = {"preset": str(origin.get("preset", ""))}
    return {
        "format": FORMAT,
        "version": VERSION,
        "app_version": app_version,
        "dataset": dataset,
        "config": {k: _plain(v) for k, v in dataclasses.asdict(config).items()},
        "start": None if start is None else [float(x) for x in start],
        "steps": int(steps),
        "lr_changes": [[int(s), float(lr)] for s, lr in lr_changes],
        "theta_sha256": theta_sha256(theta),
        "view": {k: _plain(v) for k, v in dict(view or {}).items()},
        "lessons": None if lessons is None else _plain(dict(lessons)),
        "forks": [{"epoch": _points(epoch), "train_loss": _points(loss)} for epoch, loss in forks],
    }


def write_session_file(path: str | os.PathLike[str], data: Mapping[str, Any]) -> None:
    """Write ``data`` as JSON, replacing ``path`` only once the whole file is written."""
    text = json.dumps(data, indent=1, allow_nan=False, ensure_ascii=False)
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    partial.write_text(text + "\n", encoding="utf-8")
    os.replace(partial, target)


def _plain(value: Any) -> Any:
    """JSON-able plain data: tuples become lists, numpy scalars Python numbers."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


# -- reading ---------------------------------------------------------------------------------


def read_session_file(path: str | os.PathLike[str]) -> SessionData:
    """Read and check a session file; ``SessionFileError`` naming the problem otherwise."""
    name = Path(path).name
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise SessionFileError(f"{name}: the file does not exist.") from None
    except OSError as exc:
        raise SessionFileError(f"{name}: could not be read ({exc.strerror or exc}).") from None
    if len(raw) > MAX_FILE_BYTES:
        raise SessionFileError(
            f"{name}: larger than {MAX_FILE_BYTES // 2**20} MB, so not a session file."
        )
    return parse_session(raw, name)


def parse_session(raw: bytes, name: str = "session") -> SessionData:
    """Check the bytes of a session file (``name`` is used in messages)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SessionFileError(f"{name}: not UTF-8 text (byte {exc.start}).") from None
    try:
        data = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_parse_float,
            parse_int=_parse_int,
        )
    except RecursionError:
        raise SessionFileError(f"{name}: nested too deeply to be a session file.") from None
    except json.JSONDecodeError as exc:
        raise SessionFileError(
            f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    except ValueError as exc:
        raise SessionFileError(f"{name}: {exc}") from None
    if _depth(data) > MAX_DEPTH:
        raise SessionFileError(f"{name}: nested too deeply to be a session file.")
    return _check(data, name)


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"{token} is not allowed (numbers must be finite).")


def _parse_float(token: str) -> float:
    if len(token) > MAX_NUMBER_CHARS:
        raise ValueError(f"the number {token[:20]}… is too long.")
    value = float(token)
    if not math.isfinite(value):
        raise ValueError(f"the number {token} is out of range (numbers must be finite).")
    return value


def _parse_int(token: str) -> int:
    if len(token) > MAX_NUMBER_CHARS:
        raise ValueError(f"the number {token[:20]}… is too long.")
    return int(token)


def _depth(value: Any) -> int:
    """Nesting depth of containers, without recursion (json.loads already bounds it)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterator[Any] = iter(item.values())
        elif isinstance(item, list):
            children = iter(item)
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


class _Checker:
    """Field checks that raise ``SessionFileError`` naming the file and the field."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, field: str, problem: str) -> SessionFileError:
        return SessionFileError(f"{self.name}: {field} {problem}")

    def mapping(self, value: Any, field: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(field, f"must be an object, not {_kind(value)}.")
        return value

    def text(self, value: Any, field: str, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise self.fail(field, f"must be text, not {_kind(value)}.")
        if len(value) > MAX_TEXT_CHARS:
            raise self.fail(field, f"is longer than {MAX_TEXT_CHARS} characters.")
        return value

    def integer(self, value: Any, field: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(field, f"must be a whole number, not {_kind(value)}.")
        if not low <= value <= high:
            raise self.fail(field, f"must lie in {low:,}..{high:,}, not {value:,}.")
        return value

    def number(self, value: Any, field: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(field, f"must be a number, not {_kind(value)}.")
        value = float(value)
        if not math.isfinite(value):
            raise self.fail(field, "must be a finite number.")
        return value

    def flag(self, value: Any, field: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(field, f"must be true or false, not {_kind(value)}.")
        return value

    def sha256(self, value: Any, field: str) -> str:
        text = self.text(value, field)
        if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
            raise self.fail(field, "must be 64 lowercase hexadecimal digits (a SHA-256).")
        return text

    def items(self, value: Any, field: str, most: int) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(field, f"must be a list, not {_kind(value)}.")
        if len(value) > most:
            raise self.fail(field, f"has {len(value):,} entries; at most {most:,} are allowed.")
        return value


def _kind(value: Any) -> str:
    return {
        type(None): "null", bool: "true/false", int: "a number", float: "a number",
        str: "text", list: "a list", dict: "an object",
    }.get(type(value), type(value).__name__)  # fmt: skip


def _check(data: Any, name: str) -> SessionData:
    c = _Checker(name)
    if not isinstance(data, dict):
        raise SessionFileError(f"{name}: not a session file (expected a JSON object).")
    if data.get("format") != FORMAT:
        raise SessionFileError(f'{name}: not a session file (no "format": "{FORMAT}").')
    version = data.get("version")
    if version != VERSION or isinstance(version, bool):
        raise SessionFileError(
            f"{name}: written in session format version {version!r}; this version of the "
            f"app reads version {VERSION} only."
        )
    for key in ("dataset", "config", "steps", "lr_changes", "theta_sha256", "view"):
        if key not in data:
            raise SessionFileError(f'{name}: the field "{key}" is missing.')
    dataset = _check_dataset(c, data["dataset"])
    config = _check_config(c, data["config"])
    steps = c.integer(data["steps"], "steps", 0, MAX_STEPS)
    lr_changes = _check_lr_changes(c, data["lr_changes"], steps)
    start = data.get("start")
    if start is not None:
        entries = c.items(start, "start", 1_000_000)
        if not entries:
            raise c.fail("start", "must hold the starting weights and bias.")
        start = tuple(c.number(x, f"start[{k}]") for k, x in enumerate(entries))
    view = _check_view(c, data["view"])
    lessons = data.get("lessons")
    if lessons is not None:
        lessons = c.mapping(lessons, "lessons")
    forks = tuple(
        _check_fork(c, fork, f"forks[{k}]")
        for k, fork in enumerate(c.items(data.get("forks", []), "forks", MAX_FORKS))
    )
    return SessionData(
        dataset=dataset,
        config=config,
        steps=steps,
        lr_changes=lr_changes,
        theta_sha256=c.sha256(data["theta_sha256"], "theta_sha256"),
        start=start,
        view=view,
        lessons=lessons,
        forks=forks,
    )


def _points(values: Sequence[float]) -> list[float]:
    """At most MAX_FORK_POINTS of a branch's points, evenly spread, as plain floats."""
    values = [float(v) for v in values]
    if len(values) > MAX_FORK_POINTS:
        step = len(values) / MAX_FORK_POINTS
        values = [values[int(k * step)] for k in range(MAX_FORK_POINTS - 1)] + [values[-1]]
    return values


def _check_fork(c: _Checker, value: Any, field: str) -> tuple[tuple[float, ...], ...]:
    fork = c.mapping(value, field)
    epoch = c.items(fork.get("epoch"), f"{field}.epoch", MAX_FORK_POINTS)
    loss = c.items(fork.get("train_loss"), f"{field}.train_loss", MAX_FORK_POINTS)
    if len(epoch) != len(loss):
        raise c.fail(field, f"has {len(epoch)} epochs but {len(loss)} losses.")
    return (
        tuple(c.number(x, f"{field}.epoch[{k}]") for k, x in enumerate(epoch)),
        tuple(c.number(x, f"{field}.train_loss[{k}]") for k, x in enumerate(loss)),
    )


def _check_dataset(c: _Checker, value: Any) -> dict[str, Any]:
    dataset = c.mapping(value, "dataset")
    if "preset" in dataset:
        preset = c.text(dataset["preset"], "dataset.preset")
        if set(dataset) != {"preset"}:
            raise c.fail("dataset", "names a preset and something else.")
        return {"preset": preset}
    if "csv" not in dataset:
        raise c.fail("dataset", "must name a preset or a CSV file.")
    path = c.text(dataset["csv"], "dataset.csv")
    if not path:
        raise c.fail("dataset.csv", "is empty.")
    sha = c.sha256(dataset.get("sha256"), "dataset.sha256")
    options = c.mapping(dataset.get("options", {}), "dataset.options")
    for key, option in options.items():
        kinds = CSV_OPTIONS.get(key)
        if kinds is None:
            raise c.fail(f"dataset.options.{key}", "is not a CSV import option.")
        if not isinstance(option, kinds) or (isinstance(option, bool) and bool not in kinds):
            raise c.fail(f"dataset.options.{key}", f"cannot be {_kind(option)}.")
        if isinstance(option, str):
            c.text(option, f"dataset.options.{key}")
        if isinstance(option, float) and not math.isfinite(option):
            raise c.fail(f"dataset.options.{key}", "must be a finite number.")
    features = options.get("features")
    if features is not None:
        for k, feature in enumerate(c.items(features, "dataset.options.features", 100_000)):
            c.text(feature, f"dataset.options.features[{k}]")
    if "test_fraction" in options and not 0 <= options["test_fraction"] < 1:
        raise c.fail("dataset.options.test_fraction", "must lie in [0, 1).")
    if "seed" in options:
        c.integer(options["seed"], "dataset.options.seed", 0, 2**32 - 1)
    return {"csv": path, "sha256": sha, "options": dict(options)}


def _check_config(c: _Checker, value: Any) -> TrainConfig:
    config = c.mapping(value, "config")
    unknown = sorted(set(config) - set(_CONFIG_KINDS))
    if unknown:
        raise c.fail(f"config.{unknown[0]}", "is not a training setting.")
    fields: dict[str, Any] = {}
    for key, raw in config.items():
        field, kind = f"config.{key}", _CONFIG_KINDS[key]
        if kind == "str":
            fields[key] = c.text(raw, field)
        elif kind == "bool":
            fields[key] = c.flag(raw, field)
        elif kind == "number":
            fields[key] = c.number(raw, field)
        elif kind == "int":
            fields[key] = c.integer(raw, field, 0, 2**63 - 1)
        else:
            fields[key] = None if raw is None else c.integer(raw, field, 1, 2**63 - 1)
    try:
        return TrainConfig(**fields)
    except (TypeError, ValueError) as exc:
        raise SessionFileError(f"{c.name}: config: {exc}") from None


def _check_lr_changes(c: _Checker, value: Any, steps: int) -> tuple[tuple[int, float], ...]:
    entries = c.items(value, "lr_changes", MAX_LR_CHANGES)
    changes: list[tuple[int, float]] = []
    for k, entry in enumerate(entries):
        field = f"lr_changes[{k}]"
        pair = c.items(entry, field, 2)
        if len(pair) != 2:
            raise c.fail(field, "must be a [step, learning rate] pair.")
        low = changes[-1][0] + 1 if changes else 1
        step = c.integer(pair[0], f"{field} step", low, MAX_STEPS)
        if step > steps:
            raise c.fail(f"{field} step", f"lies beyond the session's {steps:,} steps.")
        lr = c.number(pair[1], f"{field} learning rate")
        if lr <= 0:
            raise c.fail(f"{field} learning rate", "must be > 0.")
        changes.append((step, lr))
    return tuple(changes)


def _check_view(c: _Checker, value: Any) -> dict[str, Any]:
    view = c.mapping(value, "view")
    unknown = sorted(set(view) - set(VIEW_FIELDS))
    if unknown:
        raise c.fail(f"view.{unknown[0]}", "is not a view setting.")
    out: dict[str, Any] = {}
    for key, raw in view.items():
        field = f"view.{key}"
        if key in ("page", "graph_view", "landscape_mode"):
            out[key] = c.text(raw, field)
        elif key in ("figure", "graph_bug", "spotlight"):
            out[key] = c.text(raw, field, optional=True)
        elif key in ("graph_nudge", "table_scaled"):
            out[key] = c.flag(raw, field)
        elif key == "post_example":
            pair = c.items(raw, field, 2)
            if len(pair) != 2:
                raise c.fail(field, "must be a [variant, x] pair.")
            x = None if pair[1] is None else c.number(pair[1], f"{field} x")
            out[key] = (c.text(pair[0], f"{field} variant"), x)
        elif key == "graph_inputs":
            inputs = c.items(raw, field, 3)
            if len(inputs) != 3:
                raise c.fail(field, "must be three numbers (a, b, c).")
            out[key] = tuple(c.number(x, f"{field}[{k}]") for k, x in enumerate(inputs))
        elif key == "landscape_params":
            params = c.items(raw, field, 2)
            if not params:
                raise c.fail(field, "must name one or two parameters.")
            out[key] = tuple(c.integer(p, f"{field}[{k}]", 0, 10**6) for k, p in enumerate(params))
        elif key == "boundary_features":
            if raw is None:
                out[key] = None
                continue
            pair = c.items(raw, field, 2)
            if len(pair) != 2:
                raise c.fail(field, "must be two feature indices.")
            out[key] = tuple(c.integer(p, f"{field}[{k}]", 0, 10**6) for k, p in enumerate(pair))
        elif key == "boundary_held":
            if raw is None:
                out[key] = None
                continue
            values = c.items(raw, field, 100_000)
            out[key] = tuple(c.number(x, f"{field}[{k}]") for k, x in enumerate(values))
        else:  # overlays
            runs = []
            for k, run in enumerate(c.items(raw, field, 64)):
                pair = c.items(run, f"{field}[{k}]", 2)
                if len(pair) != 2:
                    raise c.fail(f"{field}[{k}]", "must be an [optimizer, lr] pair.")
                runs.append((c.text(pair[0], f"{field}[{k}]"), c.number(pair[1], f"{field}[{k}]")))
            out[key] = tuple(runs)
    return out
