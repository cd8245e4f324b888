"""The actions a lesson step may declare, and how each one's argument is checked.

A step's ``actions`` table (in the lesson file's TOML header) names the state the app should
be in while the step is shown. The lesson panel carries each action out through the same
controller commands a learner's clicks send; this module only knows names and arguments.

``ACTIONS`` is ordered: it is also the order in which a step's actions are applied (data
first, then the trainer, then the views, the spotlight last).

``config`` takes ``TrainConfig``'s fields by name: ``model`` (logistic, linear, mlp),
``fit_bias``, ``l2``, ``optimizer``, ``lr``, ``batch_size`` (an integer or "full"),
``max_epochs``, ``tol``, ``seed``, ``init`` (zeros, random) and, for the hidden layer of
``model = "mlp"``, ``hidden`` (2 to 16 units) and ``activation`` (tanh, relu).  A step that
trains a hidden layer names both, so that it walks to the same state from anywhere.

Every validator returns the argument in a plain, JSON-able form (tables as dicts, arrays as
lists, integers given for floats as floats) or raises ``ValueError`` with a short reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from gdapp.core.mlp import ACTIVATIONS, HIDDEN_RANGE
from gdapp.core.models import MODEL_NAMES
from gdapp.core.optimizers import OPTIMIZER_NAMES
from gdapp.datasets.presets import PRESETS
from gdapp.lessons import checks
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
    "contributionsPlot",
    "lossPlot",
    "accuracyPlot",
    "weightsPlot",
    "graphView",
    "graphViewSelector",
    "nudgeToggle",
    "bugSelector",
    "landscapePanel",
    "boundaryPlot",
    "figurePatient",
    "lessonPanel",
)
# Figures the lesson panel draws beside a step's text.
FIGURES = ("sigmoid", "loss_vs_yhat", "post_loss_error", "post_example_trajectory")
# Upper bound on "steps": a lesson runs a few hundred steps at most, never a long job.
MAX_LESSON_STEPS = 10_000


# -- argument checks -----------------------------------------------------------------------
def _batch_size(value: object) -> int | str:
    if value == "full":
        return "full"
    return checks.integer(1, what='an integer or "full"')(value)


CONFIG_FIELDS: Mapping[str, checks.Check] = MappingProxyType(
    {
        "model": checks.choice(MODEL_NAMES),
        "fit_bias": checks.flag,
        "l2": checks.number(0.0),
        "optimizer": checks.choice(OPTIMIZER_NAMES),
        "lr": checks.number(0.0, strict=True),
        "batch_size": _batch_size,
        "max_epochs": checks.integer(1),
        "tol": checks.number(0.0),
        "seed": checks.integer(0),
        "init": checks.choice(INIT_KINDS),
        "hidden": checks.integer(*HIDDEN_RANGE, what="a number of hidden units"),
        "activation": checks.choice(ACTIVATIONS),
    }
)
_GRAPH_INPUTS = {name: checks.number() for name in ("a", "b", "c")}
# One overlaid run on the landscape: an optimizer and its learning rate.
_run = checks.table(
    {"optimizer": CONFIG_FIELDS["optimizer"], "lr": CONFIG_FIELDS["lr"]},
    required=("optimizer", "lr"),
)


def _params(items: object) -> list[int]:
    if not isinstance(items, list) or not items:
        raise ValueError(f"expected a list of parameter indices, got {items!r}")
    return [checks.integer(0, what="a parameter index")(item) for item in items]


def _overlay(items: object) -> list[dict[str, object]]:
    if not isinstance(items, list):
        raise ValueError(f"expected a list of runs, got {items!r}")
    return [_run(item) for item in items]


def _landscape(value: object) -> dict[str, object]:
    checked = checks.table(
        {"mode": checks.choice(LANDSCAPE_MODES), "params": _params, "overlay": _overlay},
        required=("mode", "params"),
    )(value)
    wanted = 1 if checked["mode"] == "slice" else 2
    chosen = checked["params"]
    if len(chosen) != wanted or len(set(chosen)) != wanted:
        raise ValueError(f"a {checked['mode']} needs {wanted} different parameter index(es)")
    return checked


def _feature_pair(items: object) -> list[int]:
    """Two different 0-based feature indices (horizontal axis first)."""
    if not isinstance(items, list) or len(items) != 2:
        raise ValueError(f"expected a list of two feature indices, got {items!r}")
    pair = [checks.integer(0, what="a feature index")(item) for item in items]
    if pair[0] == pair[1]:
        raise ValueError(f"the two features must differ, got {pair}")
    return pair


@dataclass(frozen=True)
class ActionSpec:
    """One action: its name, what it does, and the check (and normaliser) of its argument."""

    name: str
    summary: str
    check: Callable[[object], object]


_POST_EXAMPLE = checks.table(
    {"variant": checks.choice(POST_VARIANTS), "x": checks.number()}, required=("variant",)
)
_SPECS = (
    ActionSpec("preset", f"load a built-in dataset ({', '.join(PRESETS)})", checks.choice(PRESETS)),
    ActionSpec("select_sample", "select a row (0-based) of the dataset", checks.integer(0)),
    ActionSpec(
        "config",
        "training settings (TrainConfig fields, hidden and activation included)",
        checks.table(CONFIG_FIELDS),
    ),
    ActionSpec("reset", "put the trainer back to step 0", checks.true),
    ActionSpec("steps", "run this many training steps", checks.integer(1, MAX_LESSON_STEPS)),
    ActionSpec("train", "run until the trainer stops", checks.true),
    ActionSpec("graph_view", "graph panel view", checks.choice(GRAPH_VIEWS)),
    ActionSpec("graph_inputs", "a, b, c of the example graph", checks.table(_GRAPH_INPUTS)),
    ActionSpec("nudge", "show or hide the nudge check on the graph", checks.flag),
    ActionSpec("bug", "plant a derivative bug in the graph", checks.choice(BUGS)),
    ActionSpec("landscape", "slice or contour, its parameters, overlaid runs", _landscape),
    ActionSpec(
        "boundary_features",
        "the two features (0-based) on the decision boundary's axes, horizontal first",
        _feature_pair,
    ),
    ActionSpec("post_example", "run the post's one-weight example", _POST_EXAMPLE),
    ActionSpec("show_panel", "bring a panel to the front", checks.choice(SPOTLIGHT_TARGETS)),
    ActionSpec("spotlight", "dim the window around one widget", checks.choice(SPOTLIGHT_TARGETS)),
)
ACTIONS: Mapping[str, ActionSpec] = MappingProxyType({spec.name: spec for spec in _SPECS})


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
