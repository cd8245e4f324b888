"""Answer functions for "predict, then reveal" checkpoints.

A checkpoint names one function of ``ANSWERS``. The function receives the live state as a
``CheckpointContext`` (plus the checkpoint's ``args``) and returns an ``Answer``: the index of
the right choice, computed now with the core model and trainer, and the numbers behind it
(``facts``) that the checkpoint's explanation quotes. Nothing here stores a right answer.

Conventions (see ``context.py``): ``X`` is ``(n, d)``, ``theta`` is ``(d + 1,)`` with the
bias last, parameter index ``k`` names ``w_{k+1}`` for ``k < d`` and the bias for
``k == d``. J is the training cost, as in the loss plot. Simulations run on copies.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from gdapp.core.models import POST_M0, POST_Y, post_gradient, run_post_example
from gdapp.core.optimizers import OPTIMIZER_NAMES, run_label
from gdapp.core.trainer import Status, TrainConfig, model_for
from gdapp.lessons import checks
from gdapp.lessons.context import (
    DEFAULT_GRAPH_INPUTS,
    SUBSCRIPTS,
    CheckpointContext,
    SimulatedRun,
)

__all__ = [
    "ANSWERS",
    "DEFAULT_GRAPH_INPUTS",
    "NOT_MEASURED_WHEN_ZERO",
    "Answer",
    "AnswerSpec",
    "CheckpointContext",
    "SimulatedRun",
]

Fact = float | int | str
# Columns of the diabetes data in which a raw 0 means "not measured".
NOT_MEASURED_WHEN_ZERO = ("glucose", "blood_pressure", "skin_thickness", "insulin", "bmi")
STARTS = ("current", "initial")
EQUAL_UNITS_TOLERANCE = 1e-9  # units whose parameters differ by no more count as identical


class Answer(NamedTuple):
    """The right choice's ``index`` and the computed ``facts`` an explanation may quote."""

    index: int
    facts: Mapping[str, Fact]


# -- registry --------------------------------------------------------------------------------
def _runs(value: object) -> tuple[Mapping[str, object], ...]:
    """Runs to compare: tables {optimizer, lr, batch_size (optional, int or "full")}."""
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise ValueError(f"expected a list of at least two runs, got {value!r}")
    runs = []
    for item in value:
        if not isinstance(item, Mapping) or not {"optimizer", "lr"} <= set(item):
            raise ValueError(f"each run needs an optimizer and an lr, got {item!r}")
        unknown = set(item) - {"optimizer", "lr", "batch_size"}
        if unknown:
            raise ValueError(f"unknown run key {sorted(unknown)[0]!r}")
        if item["optimizer"] not in OPTIMIZER_NAMES:
            raise ValueError(f"unknown optimizer {item['optimizer']!r}")
        run = {
            "optimizer": str(item["optimizer"]),
            "lr": checks.number(0.0, strict=True)(item["lr"]),
        }
        size = item.get("batch_size", "full")
        if size != "full":
            run["batch_size"] = checks.integer(1)(size)
        runs.append(MappingProxyType(run))
    return tuple(runs)


@dataclass(frozen=True)
class Param:
    """One argument of an answer function: its check and its default (None: required)."""

    check: Callable[[object], object]
    default: object = None


@dataclass(frozen=True, eq=False)
class AnswerSpec:
    """An answer function with what a lesson file must know about it.

    ``facts`` are the names the function's ``Answer.facts`` always holds (what an
    ``explain`` text may quote); ``params`` its arguments; ``choices`` the number of choices
    it picks from (an int, or the name of a list argument whose length it is).
    """

    name: str
    function: Callable[..., Answer]
    facts: tuple[str, ...]
    params: Mapping[str, Param]
    choices: int | str
    summary: str

    def check_args(self, args: object) -> dict[str, object]:
        """Checked arguments with defaults filled in; ValueError if something is wrong."""
        if not isinstance(args, Mapping):
            raise ValueError(f"args must be a table, got {args!r}")
        unknown = sorted(set(args) - set(self.params))
        if unknown:
            known = ", ".join(self.params) or "none"
            raise ValueError(f"unknown argument {unknown[0]!r} (arguments: {known})")
        checked = {}
        for key, param in self.params.items():
            if key in args:
                try:
                    checked[key] = param.check(args[key])
                except ValueError as error:
                    raise ValueError(f"argument {key!r}: {error}") from None
            elif param.default is None:
                raise ValueError(f"missing argument {key!r}")
            else:
                checked[key] = param.default
        return checked

    def choice_count(self, args: Mapping[str, object]) -> int:
        return self.choices if isinstance(self.choices, int) else len(args[self.choices])

    def __call__(self, context: CheckpointContext, **args: object) -> Answer:
        answer = self.function(context, **self.check_args(args))
        return Answer(int(answer.index), MappingProxyType(dict(answer.facts)))


_REGISTRY: dict[str, AnswerSpec] = {}
ANSWERS: Mapping[str, AnswerSpec] = MappingProxyType(_REGISTRY)


def _answer(choices: int | str, facts: tuple[str, ...], **params: Param):
    def register(function: Callable[..., Answer]) -> Callable[..., Answer]:
        summary = (function.__doc__ or "").strip().splitlines()[0]
        _REGISTRY[function.__name__] = AnswerSpec(
            function.__name__, function, facts, MappingProxyType(params), choices, summary
        )
        return function

    return register


def _theta0(context: CheckpointContext, start: str) -> np.ndarray | None:
    """The starting point a simulation asks for: None (the live parameters) or the start."""
    return context.start_theta() if start == "initial" else None


_START = Param(checks.choice(STARTS), "current")


def _config_for(context: CheckpointContext, run: Mapping[str, object]) -> TrainConfig:
    return replace(
        context.config,
        optimizer=run["optimizer"],
        lr=run["lr"],
        batch_size=run.get("batch_size"),
    )


def _steps_for(context: CheckpointContext, run: Mapping[str, object], epochs: int) -> int:
    size = run.get("batch_size")
    n = context.X_train.shape[0]
    return epochs if size is None or size >= n else epochs * -(-n // size)


def _final_loss(run: SimulatedRun, steps: int) -> float:
    """The loss after ``steps`` steps; a run that stopped early counts as infinite.

    Simulations turn the diverging rule off, so this means a step refused because it would
    blow the loss up (``DIVERGED``), or a live run's copy that stopped before ``steps``.
    """
    if run.status is Status.DIVERGED or run.losses.shape[0] < steps + 1:
        return math.inf
    return float(run.losses[-1])


def _run_name(run: Mapping[str, object]) -> str:
    """A run as the choices name it: "Momentum (α = 0.1)", "Gradient descent (α = 1, batch 32)"."""
    size = run.get("batch_size")
    return run_label(str(run["optimizer"]), float(run["lr"]), None if size is None else int(size))


# -- answer functions ------------------------------------------------------------------------
@_answer(2, ("loss_now", "loss_next", "steps"), steps=Param(checks.integer(1), 1))
def loss_after_step_direction(context: CheckpointContext, steps: int) -> Answer:
    """0 if J is lower after ``steps`` more steps with the live settings, else 1."""
    run = context.simulate(steps)
    now = float(run.losses[0])
    later = _final_loss(run, steps)
    return Answer(0 if later < now else 1, {"loss_now": now, "loss_next": later, "steps": steps})


@_answer(3, ("grad", "before", "after", "param"), param=Param(checks.integer(0)))
def param_move_direction(context: CheckpointContext, param: int) -> Answer:
    """Does parameter ``param`` grow (0), shrink (1) or stay (2) on the next step?"""
    run = context.simulate(1)
    before = float(run.thetas[0, param])
    after = float(run.thetas[-1, param])
    _, grad = context.model().loss_and_grad(context.theta, context.X_train, context.y_train)
    index = 0 if after > before else 1 if after < before else 2
    facts = {"grad": float(grad[param]), "before": before, "after": after}
    return Answer(index, {**facts, "param": context.param_label(param)})


@_answer(
    2,
    ("change_first", "change_second", "first", "second"),
    params=Param(checks.int_pair),
    steps=Param(checks.integer(1)),
    start=_START,
)
def larger_change_param(
    context: CheckpointContext, params: tuple[int, int], steps: int, start: str
) -> Answer:
    """Which of two parameters moves farther (in absolute value) over ``steps`` steps?

    ``start``: from the live parameters (``"current"``) or the run's start (``"initial"``).
    """
    run = context.simulate(steps, context.config, _theta0(context, start))
    moved = np.abs(run.thetas[-1] - run.thetas[0])
    first, second = (float(moved[k]) for k in params)
    return Answer(
        0 if first >= second else 1,
        {
            "change_first": first,
            "change_second": second,
            "first": context.param_label(params[0]),
            "second": context.param_label(params[1]),
        },
    )


def _sample_model(context: CheckpointContext):
    """The live model without its L2 term: the penalty belongs to J, not to one patient's L."""
    return model_for(replace(context.config, l2=0.0))


@_answer(2, ("y_hat", "z", "label", "loss", "row"))
def prediction_above_half(context: CheckpointContext) -> Answer:
    """Is the selected patient's prediction ŷ above 0.5 (0) or not (1)?"""
    x, label = context.sample()
    model = _sample_model(context)
    single = x[None, :]
    z = float(model.logits(context.theta, single)[0])
    y_hat = float(model.predict_proba(context.theta, single)[0])
    loss = model.loss(context.theta, single, np.array([label]))
    facts = {"y_hat": y_hat, "z": z, "label": int(label), "loss": loss}
    return Answer(0 if y_hat > 0.5 else 1, {**facts, "row": context.selected_sample})


@_answer(
    2,
    ("loss_first", "loss_second", "y_hat_first", "y_hat_second", "label_first", "label_second"),
    rows=Param(checks.int_pair),
)
def larger_loss_patient(context: CheckpointContext, rows: tuple[int, int]) -> Answer:
    """Which of two patients (rows) has the larger loss L(ŷ, y) at the live parameters?"""
    model = _sample_model(context)
    facts: dict[str, Fact] = {}
    losses = []
    for row, which in zip(rows, ("first", "second"), strict=True):
        x, label = context.sample(row)
        losses.append(model.loss(context.theta, x[None, :], np.array([label])))
        facts[f"loss_{which}"] = losses[-1]
        facts[f"y_hat_{which}"] = float(model.predict_proba(context.theta, x[None, :])[0])
        facts[f"label_{which}"] = int(label)
    return Answer(0 if losses[0] >= losses[1] else 1, facts)


@_answer(3, ("x", "y_hat", "label", "grad", "weight"), weight=Param(checks.integer(1)))
def grad_sign_for_sample(context: CheckpointContext, weight: int) -> Answer:
    """Sign of ∂L/∂w_weight = x_weight (ŷ − y) for the selected patient: −, 0 or +."""
    x, label = context.sample()
    if weight > x.shape[0]:
        raise ValueError(f"there is no weight w{weight}; the data has {x.shape[0]} features")
    model = _sample_model(context)
    grad = float(model.per_sample_grad(context.theta, x, label)[weight - 1])
    y_hat = float(model.predict_proba(context.theta, x[None, :])[0])
    facts = {
        "x": float(x[weight - 1]),
        "y_hat": y_hat,
        "label": int(label),
        "grad": grad,
        "weight": "w" + str(weight).translate(SUBSCRIPTS),
    }
    return Answer(int(np.sign(grad)) + 1, facts)


@_answer(3, ("da", "db", "dc", "J"))
def largest_graph_derivative(context: CheckpointContext) -> Answer:
    """Which input of the a, b, c graph has the largest |∂J/∂input|: a (0), b (1) or c (2)?"""
    # Imported here: the graph engine is not needed to list the answers at start-up.
    from gdapp.core.graph_builders import build_post_example

    graph = build_post_example(**{k: float(v) for k, v in context.graph_inputs.items()})
    graph.output.backward()
    grads = [float(graph.node(name).grad) for name in ("a", "b", "c")]
    facts = {"da": grads[0], "db": grads[1], "dc": grads[2], "J": float(graph.output.value)}
    return Answer(int(np.argmax(np.abs(grads))), facts)


@_answer(
    3,
    ("loss_start", "loss_end", "rises", "lr", "steps"),
    lr=Param(checks.number(0.0, strict=True)),
    steps=Param(checks.integer(1), 30),
    start=_START,
)
def lr_behaviour(context: CheckpointContext, lr: float, steps: int, start: str) -> Answer:
    """Plain GD with learning rate ``lr`` for ``steps`` steps from ``start``.

    0: J falls at every step; 1: J rises at some steps but ends lower; 2: J ends no lower
    than it started (or a step is refused because it would blow the loss up). The
    simulation does not stop at the diverging rule: the question is about the steps.
    """
    config = replace(context.config, optimizer="gd", lr=lr)
    run = context.simulate(steps, config, _theta0(context, start))
    start, end = float(run.losses[0]), _final_loss(run, steps)
    rises = int(np.count_nonzero(np.diff(run.losses) > 0))
    index = 2 if not end < start else 1 if rises else 0
    facts = {"loss_start": start, "loss_end": end, "rises": rises, "lr": lr, "steps": steps}
    return Answer(index, facts)


@_answer(
    "runs",
    ("best", "best_loss", "summary"),
    runs=Param(_runs),
    steps=Param(checks.integer(0), 0),
    epochs=Param(checks.integer(0), 0),
    start=_START,
)
def lowest_loss_run(
    context: CheckpointContext,
    runs: tuple[Mapping[str, object], ...],
    steps: int,
    epochs: int,
    start: str,
) -> Answer:
    """Which run, all started at the same point, has the lowest J after the same budget?

    The budget is ``steps`` updates for every run, or ``epochs`` passes over the training
    set (a mini-batch run then takes more, smaller steps). Give exactly one of the two.
    """
    if (steps > 0) == (epochs > 0):
        raise ValueError("give exactly one of steps and epochs")
    theta0 = _theta0(context, start)
    losses = []
    for run in runs:
        n = steps if steps else _steps_for(context, run, epochs)
        losses.append(_final_loss(context.simulate(n, _config_for(context, run), theta0), n))
    best = int(np.argmin(losses))
    summary = "; ".join(f"{_run_name(r)}: {v:.4f}" for r, v in zip(runs, losses, strict=True))
    return Answer(
        best, {"best": _run_name(runs[best]), "best_loss": losses[best], "summary": summary}
    )


@_answer(
    "runs",
    ("longest", "longest_length", "summary"),
    runs=Param(_runs),
    steps=Param(checks.integer(1)),
    start=_START,
)
def farthest_run(
    context: CheckpointContext, runs: tuple[Mapping[str, object], ...], steps: int, start: str
) -> Answer:
    """Which run's path through parameter space is longest over its first ``steps`` steps?"""
    theta0 = _theta0(context, start)
    lengths = []
    for run in runs:
        path = context.simulate(steps, _config_for(context, run), theta0).thetas
        lengths.append(float(np.linalg.norm(np.diff(path, axis=0), axis=1).sum()))
    best = int(np.argmax(lengths))
    summary = "; ".join(f"{_run_name(r)}: {v:.2f}" for r, v in zip(runs, lengths, strict=True))
    facts = {"longest": _run_name(runs[best]), "longest_length": lengths[best], "summary": summary}
    return Answer(best, facts)


@_answer(2, ("accuracy", "baseline"), after_training=Param(checks.flag, False))
def accuracy_beats_majority(context: CheckpointContext, after_training: bool) -> Answer:
    """Does the model beat always guessing the commoner label (0), or not (1)?

    With ``after_training`` the model is first trained on a copy, with the live settings,
    until the trainer stops; otherwise the live parameters are judged.
    """
    theta = context.simulate_training().thetas[-1] if after_training else context.theta
    accuracy = context.model().accuracy(theta, context.X_train, context.y_train)
    share = float(np.mean(context.y_train))
    baseline = max(share, 1.0 - share)
    return Answer(0 if accuracy > baseline else 1, {"accuracy": accuracy, "baseline": baseline})


@_answer(
    2,
    ("loss_start", "loss_end", "m_end", "x", "epochs"),
    x=Param(checks.number()),
    variant=Param(checks.choice(("post", "correct")), "post"),
    epochs=Param(checks.integer(1), 100),
)
def post_rule_direction(context: CheckpointContext, x: float, variant: str, epochs: int) -> Answer:
    """The post's one-weight loop at feature value ``x``: does the loss shrink (0) or grow (1)?"""
    run = run_post_example(x, POST_Y, POST_M0, epochs=epochs, variant=variant)
    start = float(run.loss[0])
    end = float((POST_Y - run.m[-1] * x) ** 2)
    facts = {
        "loss_start": start,
        "loss_end": end,
        "m_end": float(run.m[-1]),
        "x": x,
        "epochs": epochs,
    }
    return Answer(0 if end < start else 1, facts)


@_answer(2, ("post_grad", "true_grad", "x"), x=Param(checks.number()))
def post_gradient_agrees(context: CheckpointContext, x: float) -> Answer:
    """At the post's starting weight, do 2(y − ŷ) and the true dL/dm share a sign (0) or not (1)?"""
    printed = post_gradient(POST_M0, x, POST_Y, "post")
    true = post_gradient(POST_M0, x, POST_Y, "correct")
    return Answer(0 if printed * true > 0 else 1, {"post_grad": printed, "true_grad": true, "x": x})


@_answer(
    3,
    ("raw", "column_min", "column_mean", "column"),
    row=Param(checks.integer(0)),
    column=Param(checks.integer(0)),
)
def post_zero_meaning(context: CheckpointContext, row: int, column: int) -> Answer:
    """What a scaled 0 stands for in the post's table: the average (0), the column's
    minimum (1) or a measurement never taken (2, a raw 0 in a column where 0 is impossible).
    """
    if context.raw_features is None:
        raise ValueError("this question needs the raw (unscaled) values of the dataset")
    values = context.raw_features[:, column]
    raw = float(values[row])
    name = context.feature_names[column] if column < len(context.feature_names) else ""
    if raw == 0.0 and name in NOT_MEASURED_WHEN_ZERO:
        index = 2
    elif raw == float(values.min()):
        index = 1
    else:
        index = 0
    facts = {
        "raw": raw,
        "column_min": float(values.min()),
        "column_mean": float(values.mean()),
        "column": name,
    }
    return Answer(index, facts)


@_answer(2, ("label", "meaning", "row"))
def sample_is_diabetic(context: CheckpointContext) -> Answer:
    """Is the selected patient diabetic (0) or not (1), reading the label the dataset's way?"""
    _, label = context.sample()
    positive = context.positive_label.strip().lower()
    means_diabetic = (label == 1.0) == (positive == "diabetic")
    meaning = "diabetic" if means_diabetic else "not diabetic"
    facts = {"label": int(label), "meaning": meaning, "row": context.selected_sample}
    return Answer(0 if means_diabetic else 1, facts)


# -- one hidden layer ------------------------------------------------------------------------
def _int_list(value: object) -> tuple[int, ...]:
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise ValueError(f"expected a list of at least two whole numbers, got {value!r}")
    return tuple(checks.integer(0)(item) for item in value)


def _hidden_config(context: CheckpointContext) -> TrainConfig:
    """The live settings as a hidden layer (the live one, or the default units if none)."""
    return context.config if context.config.model == "mlp" else replace(context.config, model="mlp")


@_answer("counts", ("count", "features", "hidden", "weights", "biases"), counts=Param(_int_list))
def hidden_layer_parameter_count(context: CheckpointContext, counts: tuple[int, ...]) -> Answer:
    """Which of ``counts`` is the number of parameters of the live hidden layer?

    Each of the h units has d weights and a bias, and the output has h weights and a bias:
    p = h d + h + h + 1, counted from the model's own layout.
    """
    model = model_for(_hidden_config(context))
    d = context.X.shape[1]
    count = model.n_params(d)
    if count not in counts:
        raise ValueError(f"none of the choices {list(counts)} is the right count {count}")
    biases = int(np.count_nonzero(~model.weight_mask(d)))
    facts = {
        "count": count,
        "features": d,
        "hidden": model.hidden,
        "weights": count - biases,
        "biases": biases,
    }
    return Answer(counts.index(count), facts)


@_answer(
    2,
    ("spread", "steps", "loss_start", "loss_end"),
    steps=Param(checks.integer(1), 200),
)
def equal_units_stay_equal(context: CheckpointContext, steps: int) -> Answer:
    """Start every hidden unit with the same weights: after ``steps`` steps, are the units
    still identical (0) or have they become different (1)?

    The start copies unit 1 of the live run's start into every unit (its weights on the
    inputs, its bias and its output weight); ``spread`` is the largest difference between
    two units' parameters at the end.
    """
    config = _hidden_config(context)
    model = model_for(config)
    d = context.X.shape[1]
    start = context.start_theta() if context.config.model == "mlp" else None
    if start is None or start.shape != (model.n_params(d),):
        start = model.initial_parameters(d, config.seed)
    parts = model.parts(start, d)
    parts.W1[...] = parts.W1[0]
    parts.b1[...] = parts.b1[0]
    parts.w2[...] = parts.w2[0]
    run = context.simulate(steps, config, start)
    end = model.parts(np.array(run.thetas[-1]), d)
    unit = np.column_stack([end.W1, end.b1, end.w2])  # one row of parameters per unit
    spread = float(np.max(np.abs(unit - unit[0])))
    facts = {
        "spread": spread,
        "steps": steps,
        "loss_start": float(run.losses[0]),
        "loss_end": float(run.losses[-1]),
    }
    # Exactly 0 in exact arithmetic; the tolerance only forgives a rounding difference.
    return Answer(0 if spread <= EQUAL_UNITS_TOLERANCE else 1, facts)
