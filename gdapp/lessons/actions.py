"""The actions a lesson step may declare, and how each one's argument is checked.

A step's ``actions`` table (in the lesson file's TOML header) names the state the app should
be in while the step is shown. The lesson panel carries each action out through the same
controller commands a learner's clicks send; this module only knows names and arguments.

``ACTIONS`` is ordered: it is also the order in which a step's actions are applied (data
first, then the trainer, then the views, the spotlight last).

Every validator returns the argument in a plain, JSON-able form (tables as dicts, arrays as
lists, integers given for floats as floats) or raises ``ValueError`` with a short reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from gdapp.core.models import MODEL_NAMES
from gdapp.core.optimizers import OPTIMIZER_NAMES
from gdapp.datasets.presets import PRESETS
from gdapp.lessons.errors import LessonError

__all__ = [
    "ACTIONS",
    "BUGS",
    "FIGURES",
    "GRAPH_VIEWS",
    "LANDSCAPE_MODES",
    "SPOTLIGHT_TARGETS",
    "ActionSpec",
    "train_config_fields",
    "validate_actions",
]

GRAPH_VIEWS = ("example", "sample", "batch")
BUGS = ("none", "drop_x", "flip_sign", "forget_mean")
LANDSCAPE_MODES = ("slice", "contour")
POST_VARIANTS = ("post", "correct")
INIT_KINDS = ("zeros", "random")
# objectNames of the widgets a step may spotlight or bring forward.
SPOTLIGHT_TARGETS = (
    "stepButton",
    "runButton",
    "pauseButton",
    "resetButton",
    "stepBackButton",
    "learningRateInput",
    "optimizerInput",
    "batchSizeInput",
    "speedInput",
    "datasetTable",
    "datasetBrowser",
    "lossPlot",
    "accuracyPlot",
    "weightsPlot",
    "graphView",
    "graphViewSelector",
    "nudgeToggle",
    "bugSelector",
    "landscapePanel",
    "lessonPanel",
)
# Figures the lesson panel draws beside a step's text.
FIGURES = ("sigmoid", "loss_vs_yhat", "post_loss_error", "post_example_trajectory")
# Upper bound on "steps": a lesson runs a few hundred steps at most, never a long job.
MAX_LESSON_STEPS = 10_000


# -- argument checks -----------------------------------------------------------------------
def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(value: object, minimum: int, what: str = "an integer") -> int:
    if not _is_int(value) or value < minimum:
        raise ValueError(f"expected {what} >= {minimum}, got {value!r}")
    return int(value)


def _float(value: object, minimum: float | None = None, *, strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        relation = ">" if strict else ">="
        raise ValueError(f"expected a number {relation} {minimum}, got {value!r}")
    return float(value)


def _choice(options: tuple[str, ...]) -> Callable[[object], str]:
    def check(value: object) -> str:
        if value not in options:
            raise ValueError(f"expected one of {', '.join(map(repr, options))}, got {value!r}")
        return str(value)

    return check


def _true(value: object) -> bool:
    if value is not True:
        raise ValueError(f"expected true, got {value!r}")
    return True


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _table(
    value: object, fields: Mapping[str, Callable[[object], object]], required: tuple[str, ...] = ()
) -> dict[str, object]:
    if not isinstance(value, Mapping):
        raise ValueError(f"expected a table, got {value!r}")
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}; expected {', '.join(fields)}")
    missing = [key for key in required if key not in value]
    if missing:
        raise ValueError(f"missing key {missing[0]!r}")
    checked = {}
    for key, item in value.items():
        try:
            checked[key] = fields[key](item)
        except ValueError as error:
            raise ValueError(f"{key}: {error}") from None
    return checked


def _batch_size(value: object) -> int | str:
    if value == "full":
        return "full"
    return _int(value, 1, 'an integer or "full"')


CONFIG_FIELDS: Mapping[str, Callable[[object], object]] = MappingProxyType(
    {
        "model": _choice(MODEL_NAMES),
        "fit_bias": _bool,
        "l2": lambda v: _float(v, 0.0),
        "optimizer": _choice(OPTIMIZER_NAMES),
        "lr": lambda v: _float(v, 0.0, strict=True),
        "batch_size": _batch_size,
        "max_epochs": lambda v: _int(v, 1),
        "tol": lambda v: _float(v, 0.0),
        "seed": lambda v: _int(v, 0),
        "init": _choice(INIT_KINDS),
    }
)


def _config(value: object) -> dict[str, object]:
    return _table(value, CONFIG_FIELDS)


def _run(value: object) -> dict[str, object]:
    """One overlaid run on the landscape: an optimizer and its learning rate."""
    return _table(
        value,
        {"optimizer": CONFIG_FIELDS["optimizer"], "lr": CONFIG_FIELDS["lr"]},
        required=("optimizer", "lr"),
    )


def _landscape(value: object) -> dict[str, object]:
    def params(items: object) -> list[int]:
        if not isinstance(items, list) or not items:
            raise ValueError(f"expected a list of parameter indices, got {items!r}")
        return [_int(item, 0, "a parameter index") for item in items]

    def overlay(items: object) -> list[dict[str, object]]:
        if not isinstance(items, list):
            raise ValueError(f"expected a list of runs, got {items!r}")
        return [_run(item) for item in items]

    checked = _table(
        value,
        {"mode": _choice(LANDSCAPE_MODES), "params": params, "overlay": overlay},
        required=("mode", "params"),
    )
    wanted = 1 if checked["mode"] == "slice" else 2
    chosen = checked["params"]
    if len(chosen) != wanted or len(set(chosen)) != wanted:
        raise ValueError(f"a {checked['mode']} needs {wanted} different parameter index(es)")
    return checked


def _graph_inputs(value: object) -> dict[str, object]:
    return _table(value, {name: _float for name in ("a", "b", "c")})


def _post_example(value: object) -> dict[str, object]:
    return _table(value, {"variant": _choice(POST_VARIANTS), "x": _float}, required=("variant",))


@dataclass(frozen=True)
class ActionSpec:
    """One action: its name, what it does, and the check (and normaliser) of its argument."""

    name: str
    summary: str
    check: Callable[[object], object]


def _spec(name: str, summary: str, check: Callable[[object], object]) -> tuple[str, ActionSpec]:
    return name, ActionSpec(name, summary, check)


ACTIONS: Mapping[str, ActionSpec] = MappingProxyType(
    dict(
        [
            _spec("preset", f"load a built-in dataset ({', '.join(PRESETS)})", _choice(PRESETS)),
            _spec("select_sample", "select a row (0-based) of the dataset", lambda v: _int(v, 0)),
            _spec("config", "set training settings (TrainConfig fields; lr applies live)", _config),
            _spec("reset", "put the trainer back to step 0", _true),
            _spec("steps", "run this many training steps", lambda v: _int(v, 1)),
            _spec("train", "run until the trainer stops", _true),
            _spec(
                "graph_view", f"graph panel view ({', '.join(GRAPH_VIEWS)})", _choice(GRAPH_VIEWS)
            ),
            _spec("graph_inputs", "the a, b, c inputs of the example graph", _graph_inputs),
            _spec("nudge", "show or hide the nudge check on the graph", _bool),
            _spec("bug", f"plant a derivative bug ({', '.join(BUGS)})", _choice(BUGS)),
            _spec(
                "landscape", "landscape view: slice or contour, parameters, overlays", _landscape
            ),
            _spec("post_example", "run the post's one-weight example", _post_example),
            _spec("show_panel", "bring a panel to the front", _choice(SPOTLIGHT_TARGETS)),
            _spec("spotlight", "dim the window around one widget", _choice(SPOTLIGHT_TARGETS)),
        ]
    )
)


def validate_actions(actions: object, *, path: str | None = None, line: int | None = None) -> dict:
    """Check a step's actions table; return it normalised, in ``ACTIONS`` order.

    Raises ``LessonError`` (naming ``path`` and ``line`` when given) for an unknown action
    name or a bad argument. A step that runs training (``steps`` or ``train``) must also
    ``reset``, so that showing the step again reproduces the same state.
    """
    if not isinstance(actions, Mapping):
        raise LessonError(f"actions must be a table, got {actions!r}", path=path, line=line)
    unknown = [name for name in actions if name not in ACTIONS]
    if unknown:
        raise LessonError(
            f"unknown action {unknown[0]!r}; known actions: {', '.join(ACTIONS)}",
            path=path,
            line=line,
        )
    checked = {}
    for name, spec in ACTIONS.items():
        if name not in actions:
            continue
        try:
            checked[name] = spec.check(actions[name])
        except ValueError as error:
            raise LessonError(f"action {name!r}: {error}", path=path, line=line) from None
    if ("steps" in checked or "train" in checked) and "reset" not in checked:
        raise LessonError(
            "a step that runs training must also reset (reset = true), so that showing it "
            "again gives the same state",
            path=path,
            line=line,
        )
    return checked


def train_config_fields(config: Mapping[str, object]) -> dict[str, object]:
    """A checked ``config`` table as keyword arguments for ``TrainConfig``/``set_config``.

    The only translation: ``batch_size = "full"`` (TOML has no null) becomes ``None``.
    """
    fields = dict(config)
    if fields.get("batch_size") == "full":
        fields["batch_size"] = None
    return fields
