"""Checkpoint answers are computed from the live state, and agree with plain numpy.

The reference computations here use only numpy and the raw CSV: their own scaling, sigmoid,
cost, gradient and optimizer loops, so that a bug in the core cannot hide a wrong answer.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pytest

from gdapp.core.trainer import TrainConfig, Trainer
from gdapp.lessons import ANSWERS, Answer, CheckpointContext, LessonRunner
from gdapp.lessons.model import Checkpoint

POST_X, POST_M0, POST_Y = -1.12242755, 1.06498435, -0.290105
NOT_MEASURED = ("glucose", "blood_pressure", "skin_thickness", "insulin", "bmi")


# -- plain numpy reference -------------------------------------------------------------------
def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z)))  # no overflow for large |z|


def cost_and_grad(theta, X, y):
    z = X @ theta[:-1] + theta[-1]
    a = sigmoid(z)
    cost = np.mean(np.logaddexp(0.0, z) - y * z)
    return cost, np.append(X.T @ (a - y) / len(y), np.mean(a - y))


def batches(n, size, seed, step):
    if size is None or size >= n:
        return np.arange(n)
    per_epoch = -(-n // size)
    epoch, k = divmod(step, per_epoch)
    order = np.random.default_rng([seed, epoch]).permutation(n)
    return order[k * size : (k + 1) * size]


def optimise(theta, X, y, optimizer, lr, steps, batch_size=None):
    """Reference optimizer loops: returns (thetas (steps+1, p), full-data costs (steps+1,))."""
    theta = np.array(theta, dtype=float)
    v = np.zeros_like(theta)
    s = np.zeros_like(theta)
    thetas, costs = [theta.copy()], [cost_and_grad(theta, X, y)[0]]
    for t in range(1, steps + 1):
        rows = batches(len(y), batch_size, 0, t - 1)
        g = cost_and_grad(theta, X[rows], y[rows])[1]
        if optimizer == "gd":
            theta = theta - lr * g
        elif optimizer == "momentum":
            v = 0.9 * v + g
            theta = theta - lr * v
        elif optimizer == "rmsprop":
            s = 0.9 * s + 0.1 * g**2
            theta = theta - lr * g / (np.sqrt(s) + 1e-8)
        elif optimizer == "adam":
            v = 0.9 * v + 0.1 * g
            s = 0.999 * s + 0.001 * g**2
            theta = theta - lr * (v / (1 - 0.9**t)) / (np.sqrt(s / (1 - 0.999**t)) + 1e-8)
        thetas.append(theta.copy())
        costs.append(cost_and_grad(theta, X, y)[0])
    return np.array(thetas), np.array(costs)


def sample_loss(theta, x, label):
    z = x @ theta[:-1] + theta[-1]
    return float(np.logaddexp(0.0, z) - label * z)


@pytest.fixture(scope="module")
def reference(raw_table, datasets):
    """Scaled features rebuilt from the CSV with the training split's min and max."""
    dataset = datasets["diabetes"]
    raw = raw_table[:, :8]
    low = raw[dataset.train_idx].min(axis=0)
    high = raw[dataset.train_idx].max(axis=0)
    X = 2.0 * (raw - low) / (high - low) - 1.0
    y = raw_table[:, 8]
    return {"X": X, "y": y, "train": dataset.train_idx, "raw": raw}


def test_reference_scaling_matches_the_dataset(reference, datasets):
    np.testing.assert_allclose(reference["X"], datasets["diabetes"].X, atol=1e-12)
    np.testing.assert_array_equal(reference["y"], datasets["diabetes"].y)


def expected_index(name, args, context, ref, raw_table):
    """The right choice, computed independently for the reference dataset."""
    X, y = ref["X"][ref["train"]], ref["y"][ref["train"]]
    theta = np.asarray(context.theta)
    lr = context.config.lr
    start = np.zeros(9) if args.get("start") == "initial" else theta
    if name == "loss_after_step_direction":
        _, costs = optimise(theta, X, y, "gd", lr, args.get("steps", 1))
        return 0 if costs[-1] < costs[0] else 1
    if name == "param_move_direction":
        step = -lr * cost_and_grad(theta, X, y)[1][args["param"]]
        return 0 if step > 0 else 1 if step < 0 else 2
    if name == "larger_change_param":
        thetas, _ = optimise(start, X, y, "gd", lr, args["steps"])
        moved = np.abs(thetas[-1] - thetas[0])
        i, j = args["params"]
        return 0 if moved[i] >= moved[j] else 1
    if name == "prediction_above_half":
        x = ref["X"][context.selected_sample]
        return 0 if sigmoid(x @ theta[:-1] + theta[-1]) > 0.5 else 1
    if name == "larger_loss_patient":
        first, second = (sample_loss(theta, ref["X"][r], ref["y"][r]) for r in args["rows"])
        return 0 if first >= second else 1
    if name == "grad_sign_for_sample":
        row, k = context.selected_sample, args["weight"] - 1
        x = ref["X"][row]
        grad = x[k] * (sigmoid(x @ theta[:-1] + theta[-1]) - ref["y"][row])
        return int(np.sign(grad)) + 1
    if name == "largest_graph_derivative":
        a, b, c = (context.graph_inputs[k] for k in "abc")
        return int(np.argmax(np.abs([3.0, 3.0 * c, 3.0 * b])))
    if name == "lr_behaviour":
        _, costs = optimise(start, X, y, "gd", args["lr"], args.get("steps", 30))
        if not costs[-1] < costs[0] or not np.isfinite(costs).all():
            return 2
        return 1 if np.any(np.diff(costs) > 0) else 0
    if name == "lowest_loss_run":
        finals = []
        for run in args["runs"]:
            size = run.get("batch_size")
            if args.get("epochs"):
                steps = args["epochs"] * (1 if size is None else -(-len(y) // size))
            else:
                steps = args["steps"]
            finals.append(optimise(start, X, y, run["optimizer"], run["lr"], steps, size)[1][-1])
        return int(np.argmin(finals))
    if name == "farthest_run":
        lengths = []
        for run in args["runs"]:
            thetas, _ = optimise(start, X, y, run["optimizer"], run["lr"], args["steps"])
            lengths.append(np.linalg.norm(np.diff(thetas, axis=0), axis=1).sum())
        return int(np.argmax(lengths))
    if name == "accuracy_beats_majority":
        share = y.mean()
        if args.get("after_training"):
            t = theta.copy()
            for _ in range(100_000):
                g = cost_and_grad(t, X, y)[1]
                if np.abs(g).max() < context.config.tol:
                    break
                t = t - lr * g
        else:
            t = theta
        accuracy = np.mean((X @ t[:-1] + t[-1] >= 0) == y)
        return 0 if accuracy > max(share, 1 - share) else 1
    if name == "post_rule_direction":
        x, m = args["x"], POST_M0
        for _ in range(args.get("epochs", 100)):
            residual = POST_Y - m * x
            grad = 2 * residual if args.get("variant", "post") == "post" else -2 * x * residual
            m -= 0.01 * grad
        return 0 if (POST_Y - m * x) ** 2 < (POST_Y - POST_M0 * x) ** 2 else 1
    if name == "post_gradient_agrees":
        residual = POST_Y - POST_M0 * args["x"]
        return 0 if (2 * residual) * (-2 * args["x"] * residual) > 0 else 1
    if name == "post_zero_meaning":
        # Row numbers of the post's table: the original rows minus the 9 midpoint rows.
        kept = [r for r in range(768) if r not in (14, 24, 236, 259, 285, 401, 458, 517, 658)]
        column = raw_table[kept, args["column"]]
        value = column[args["row"]]
        if value == 0 and context.feature_names[args["column"]] in NOT_MEASURED:
            return 2
        return 1 if value == column.min() else 0
    if name == "sample_is_diabetic":
        kept = [r for r in range(768) if r not in (14, 24, 236, 259, 285, 401, 458, 517, 658)]
        outcome = raw_table[kept[context.selected_sample], 8]
        return 0 if outcome == 1 else 1
    if name == "hidden_layer_parameter_count":
        h, d = context.config.hidden, context.X.shape[1]
        return list(args["counts"]).index(h * d + h + h + 1)
    if name == "equal_units_stay_equal":
        return 0 if equal_units_spread(context, args.get("steps", 200)) <= 1e-9 else 1
    raise AssertionError(f"no reference for {name}")


def equal_units_spread(context, steps):
    """Plain numpy gradient descent on one hidden layer whose units all start as unit 1."""
    X, y = context.X_train, context.y_train
    n, d = X.shape
    h, lr = context.config.hidden, context.config.lr
    start = np.asarray(context.start_theta())
    W1 = np.tile(start[:d], (h, 1))
    b1 = np.full(h, start[h * d])
    w2 = np.full(h, start[h * d + h])
    b2 = float(start[-1])
    relu = context.config.activation == "relu"
    for _ in range(steps):
        A = X @ W1.T + b1
        H = np.maximum(A, 0.0) if relu else np.tanh(A)
        z = H @ w2 + b2
        dz = 1.0 / (1.0 + np.exp(-z)) - y
        dA = np.outer(dz, w2) * ((A > 0) if relu else 1.0 - H**2)
        W1, b1 = W1 - lr * dA.T @ X / n, b1 - lr * dA.mean(axis=0)
        w2, b2 = w2 - lr * H.T @ dz / n, b2 - lr * dz.mean()
    units = np.column_stack([W1, b1, w2])
    return float(np.max(np.abs(units - units[0])))


def lesson_checkpoints(lessons):
    runner = LessonRunner(lessons)
    return [
        (runner.state_actions(li, si), step.checkpoint)
        for li, lesson in enumerate(lessons)
        for si, step in enumerate(lesson.steps)
        if step.checkpoint is not None
    ]


def test_every_lesson_checkpoint_agrees_with_numpy(lessons, state_of, reference, raw_table):
    checked = set()
    for state, checkpoint in lesson_checkpoints(lessons):
        context = state_of(state).context
        answer = checkpoint.evaluate(context)
        expected = expected_index(checkpoint.answer, checkpoint.args, context, reference, raw_table)
        assert answer.index == expected, checkpoint.id
        checked.add(checkpoint.answer)
    assert checked == set(ANSWERS), "every answer function is used by a lesson"


def test_every_explanation_renders_with_its_facts(lessons, state_of):
    for state, checkpoint in lesson_checkpoints(lessons):
        answer = checkpoint.evaluate(state_of(state).context)
        assert set(answer.facts) == set(ANSWERS[checkpoint.answer].facts), checkpoint.id
        text = checkpoint.explanation(answer)
        assert "{" not in text and "}" not in text and "-" not in text.replace("−", ""), text


def test_lesson_checkpoint_facts_match_numpy(lessons, state_of, reference):
    """Spot checks of quoted numbers: lesson 3, lesson 4 and lesson 8."""
    by_id = {c.id: (s, c) for s, c in lesson_checkpoints(lessons)}
    X, y = reference["X"], reference["y"]
    state, checkpoint = by_id["loss-two-patients"]
    context = state_of(state).context
    facts = checkpoint.evaluate(context).facts
    assert facts["loss_first"] == pytest.approx(sample_loss(context.theta, X[0], y[0]), rel=1e-12)
    assert facts["loss_second"] == pytest.approx(sample_loss(context.theta, X[1], y[1]), rel=1e-12)
    state, checkpoint = by_id["cost-first-step"]
    facts = checkpoint.evaluate(state_of(state).context).facts
    _, costs = optimise(np.zeros(9), X[reference["train"]], y[reference["train"]], "gd", 2.0, 1)
    assert (facts["loss_now"], facts["loss_next"]) == pytest.approx(tuple(costs), rel=1e-12)
    state, checkpoint = by_id["logistic-graph-sign"]
    facts = checkpoint.evaluate(state_of(state).context).facts
    assert facts["grad"] == pytest.approx(X[1, 1] * (0.5 - y[1]), rel=1e-12)
    assert facts["weight"] == "w₂"


# -- the same functions away from the lessons' settings ---------------------------------------
def make_context(datasets, theta=None, **fields):
    dataset = datasets["diabetes"]
    theta = np.zeros(9) if theta is None else np.asarray(theta, dtype=float)
    config = fields.pop("config", TrainConfig(lr=2.0))
    return CheckpointContext.from_dataset(dataset, theta, config, **fields)


@pytest.mark.parametrize("lr", [0.01, 0.5, 3.0, 8.0, 30.0, 500.0])
def test_lr_behaviour_against_numpy(datasets, reference, raw_table, lr):
    context = make_context(datasets)
    args = {"lr": lr, "steps": 25}
    answer = ANSWERS["lr_behaviour"](context, **args)
    assert answer.index == expected_index("lr_behaviour", args, context, reference, raw_table)


@pytest.mark.parametrize(("row", "weight"), [(0, 1), (1, 2), (2, 4), (5, 5), (6, 8), (9, 6)])
def test_grad_sign_against_numpy(datasets, reference, raw_table, row, weight):
    theta = np.linspace(-1.0, 1.0, 9)  # some point away from the start
    context = make_context(datasets, theta, selected_sample=row)
    args = {"weight": weight}
    answer = ANSWERS["grad_sign_for_sample"](context, **args)
    assert answer.index == expected_index(
        "grad_sign_for_sample", args, context, reference, raw_table
    )
    x, label = reference["X"][row], reference["y"][row]
    expected = x[weight - 1] * (sigmoid(x @ theta[:-1] + theta[-1]) - label)
    assert answer.facts["grad"] == pytest.approx(expected, rel=1e-12)


def test_grad_sign_is_zero_when_the_feature_is_zero(datasets):
    dataset = datasets["diabetes"]
    X = dataset.X.copy()
    X[3, 1] = 0.0
    context = CheckpointContext(X=X, y=dataset.y, theta=np.zeros(9), selected_sample=3)
    assert ANSWERS["grad_sign_for_sample"](context, weight=2).index == 1


@pytest.mark.parametrize("rows", [(0, 1), (2, 6), (9, 13), (100, 200)])
def test_larger_loss_patient_against_numpy(datasets, reference, raw_table, rows):
    theta = np.array([0.6, 1.7, -0.1, 0.1, 0.1, 0.8, 0.5, 0.6, 0.1])
    context = make_context(datasets, theta)
    args = {"rows": rows}
    answer = ANSWERS["larger_loss_patient"](context, **args)
    assert answer.index == expected_index(
        "larger_loss_patient", args, context, reference, raw_table
    )


def test_answers_follow_the_live_state_not_a_stored_value(datasets):
    """The same question gets different right answers in different states."""
    up = make_context(datasets, np.r_[np.zeros(8), 3.0], selected_sample=6)
    down = make_context(datasets, np.r_[np.zeros(8), -3.0], selected_sample=6)
    assert ANSWERS["prediction_above_half"](up).index == 0
    assert ANSWERS["prediction_above_half"](down).index == 1
    assert ANSWERS["prediction_above_half"](up).facts["y_hat"] == pytest.approx(sigmoid(3.0))
    calm = make_context(datasets, config=TrainConfig(lr=0.5))
    wild = make_context(datasets, config=TrainConfig(lr=5e7))
    assert ANSWERS["loss_after_step_direction"](calm).index == 0
    diverged = ANSWERS["loss_after_step_direction"](wild)
    assert diverged.index == 1 and math.isinf(diverged.facts["loss_next"])
    graph = make_context(datasets, graph_inputs={"a": 1.0, "b": 1.0, "c": -5.0})
    assert ANSWERS["largest_graph_derivative"](graph).index == 1  # |3c| = 15


def test_param_move_direction_covers_every_branch(datasets):
    context = make_context(datasets)
    grad = Trainer(datasets["diabetes"].X_train, datasets["diabetes"].y_train).grad
    for k in range(9):
        expected = 0 if grad[k] < 0 else 1 if grad[k] > 0 else 2
        assert ANSWERS["param_move_direction"](context, param=k).index == expected
    no_bias = make_context(datasets, config=TrainConfig(lr=2.0, fit_bias=False))
    assert ANSWERS["param_move_direction"](no_bias, param=8).index == 2


def test_lowest_loss_and_farthest_run_against_numpy(datasets, reference, raw_table):
    theta = np.full(9, 0.2)
    context = make_context(datasets, theta)
    runs = [{"optimizer": "gd", "lr": 0.5}, {"optimizer": "adam", "lr": 0.01}]
    for name, args in [
        ("lowest_loss_run", {"runs": runs, "steps": 40}),
        (
            "lowest_loss_run",
            {"runs": [*runs, {"optimizer": "gd", "lr": 0.5, "batch_size": 100}], "epochs": 2},
        ),
        ("farthest_run", {"runs": runs, "steps": 15}),
    ]:
        answer = ANSWERS[name](context, **args)
        assert answer.index == expected_index(name, args, context, reference, raw_table)
    with pytest.raises(ValueError, match="exactly one"):
        ANSWERS["lowest_loss_run"](context, runs=runs, steps=5, epochs=5)


def test_run_answers_name_the_runs_as_a_learner_reads_them(datasets):
    context = make_context(datasets)
    runs = [
        {"optimizer": "gd", "lr": 1.0},
        {"optimizer": "rmsprop", "lr": 0.03},
        {"optimizer": "adam", "lr": 0.1, "batch_size": 32},
    ]
    lowest = ANSWERS["lowest_loss_run"](context, runs=runs, steps=5).facts
    farthest = ANSWERS["farthest_run"](context, runs=runs, steps=5).facts
    for text in (lowest["summary"], lowest["best"], farthest["summary"], farthest["longest"]):
        assert not re.search(r"\b(gd|rmsprop|adam|lr)\b", text), text  # no internal names
    assert lowest["summary"].split("; ")[0].startswith("Gradient descent (α = 1): ")
    assert "RMSProp (α = 0.03): " in lowest["summary"]
    assert "Adam (α = 0.1, batch 32): " in farthest["summary"]


def test_accuracy_beats_majority_on_the_live_parameters(datasets):
    assert ANSWERS["accuracy_beats_majority"](make_context(datasets)).index == 1
    facts = ANSWERS["accuracy_beats_majority"](make_context(datasets)).facts
    assert facts["baseline"] == pytest.approx(1 - datasets["diabetes"].y_train.mean())


@pytest.mark.parametrize(("x", "variant"), [(-1.5, "post"), (0.3, "post"), (0.3, "correct")])
def test_post_answers_against_plain_python(datasets, reference, raw_table, x, variant):
    context = make_context(datasets)
    args = {"x": x, "variant": variant, "epochs": 50}
    answer = ANSWERS["post_rule_direction"](context, **args)
    assert answer.index == expected_index(
        "post_rule_direction", args, context, reference, raw_table
    )
    agrees = ANSWERS["post_gradient_agrees"](context, x=x)
    assert agrees.index == (0 if x < 0 else 1)


@pytest.mark.parametrize(("row", "column", "meaning"), [(3, 7, 1), (0, 4, 2), (0, 0, 0), (4, 0, 1)])
def test_post_zero_meaning_reads_the_raw_values(datasets, row, column, meaning):
    dataset = datasets["diabetes-post"]
    context = CheckpointContext.from_dataset(dataset, np.zeros(9), TrainConfig())
    answer = ANSWERS["post_zero_meaning"](context, row=row, column=column)
    assert answer.index == meaning
    assert answer.facts["raw"] == dataset.raw.iloc[row, column]


def test_sample_is_diabetic_reads_the_labels_meaning(datasets):
    """The post's table flips the label; the answer follows the meaning, not the digit."""
    post = CheckpointContext.from_dataset(datasets["diabetes-post"], np.zeros(9), TrainConfig())
    ours = CheckpointContext.from_dataset(datasets["diabetes"], np.zeros(9), TrainConfig())
    for row in range(6):  # the first 14 rows of both tables are the same patients
        in_post = ANSWERS["sample_is_diabetic"](replace(post, selected_sample=row))
        in_ours = ANSWERS["sample_is_diabetic"](replace(ours, selected_sample=row))
        assert in_post.index == in_ours.index == (0 if datasets["diabetes"].y[row] == 1 else 1)
        assert in_post.facts["label"] == 1 - in_ours.facts["label"]


def test_the_context_can_continue_a_copy_of_the_live_trainer(datasets):
    dataset = datasets["diabetes"]
    config = TrainConfig(optimizer="momentum", lr=0.1, batch_size=64)
    live = Trainer(dataset.X_train, dataset.y_train, config=config)
    live.run(7)

    def copy() -> Trainer:
        twin = Trainer(dataset.X_train, dataset.y_train, config=config)
        twin.run(7)
        return twin

    context = CheckpointContext.from_dataset(dataset, live.theta, config, trainer_copy=copy)
    losses = context.simulate_steps(3)
    live.run(3)
    np.testing.assert_array_equal(losses, live.history.train_loss[7:])
    fresh = CheckpointContext.from_dataset(dataset, live.theta, config).simulate_steps(1)
    assert fresh[0] == live.history.train_loss[-1]


def test_start_theta_prefers_the_recorded_start(datasets):
    context = make_context(datasets, np.ones(9), theta_start=np.full(9, 0.5))
    np.testing.assert_array_equal(context.start_theta(), np.full(9, 0.5))
    np.testing.assert_array_equal(make_context(datasets, np.ones(9)).start_theta(), np.zeros(9))


def test_answer_arguments_are_checked():
    spec = ANSWERS["larger_loss_patient"]
    assert spec.check_args({"rows": [3, 4]}) == {"rows": (3, 4)}
    for bad in [{}, {"rows": [3, 3]}, {"rows": [3]}, {"rows": [3, 4], "extra": 1}, []]:
        with pytest.raises(ValueError):
            spec.check_args(bad)
    runs = ANSWERS["lowest_loss_run"]
    assert runs.choice_count(runs.check_args({"runs": [{"optimizer": "gd", "lr": 1}] * 3})) == 3
    for bad_runs in [
        [{"optimizer": "gd", "lr": 1}],
        [{"optimizer": "sgd", "lr": 1}] * 2,
        [{"optimizer": "gd"}] * 2,
        [{"optimizer": "gd", "lr": 1, "beta": 1}] * 2,
    ]:
        with pytest.raises(ValueError):
            runs.check_args({"runs": bad_runs})


def test_explanations_format_facts_with_a_true_minus():
    checkpoint = Checkpoint(
        id="x",
        question="?",
        choices=("a", "b"),
        answer="post_gradient_agrees",
        explain="{post_grad:.2f} and {true_grad:.1f}, so {answer}",
    )
    text = checkpoint.explanation(Answer(1, {"post_grad": -1.234, "true_grad": 2.0}))
    assert text == "\u22121.23 and 2.0, so b"
