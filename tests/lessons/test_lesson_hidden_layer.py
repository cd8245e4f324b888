"""Lesson 14, the hidden layer: its numbers from the maths and the data, its two questions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gdapp.core.mlp import MLPModel
from gdapp.core.trainer import Status, TrainConfig, Trainer, initial_theta
from gdapp.datasets.generated import make_xor
from gdapp.lessons import ANSWERS, LessonRunner
from gdapp.lessons.checkpoints import CheckpointContext

LESSON = 14


@pytest.fixture(scope="module")
def text(lessons):
    lesson = lessons[LESSON - 1]
    return " ".join(" ".join(step.body for step in lesson.steps).split())


@pytest.fixture(scope="module")
def xor(datasets):
    return datasets["xor"]


def says(text: str, *phrases: str) -> None:
    for phrase in phrases:
        assert phrase in text, phrase


def trained(dataset, steps=500, **config):
    trainer = Trainer(dataset.X_train, dataset.y_train, config=TrainConfig(lr=1.0, **config))
    trainer.run(steps)
    assert trainer.status is Status.READY
    return trainer


def accuracy(trainer, X, y):
    return float(np.mean(trainer.model.predict(trainer.theta, X) == y))


def test_the_lesson_is_last_and_declares_its_state(lessons):
    lesson = lessons[LESSON - 1]
    assert lesson.id == "hidden-layer" and lesson.number == LESSON
    runner = LessonRunner(lessons)
    for si, step in enumerate(lesson.steps):
        state = runner.state_actions(LESSON - 1, si)
        assert state["preset"] == "xor" and state["reset"] and state["steps"] == 500
        assert step.actions["config"]["model"] in ("logistic", "mlp")
        if step.actions["config"]["model"] == "mlp":
            assert {"hidden", "activation"} <= set(step.actions["config"])


def test_logistic_regression_is_stuck_near_a_coin_flip(text, xor):
    run = trained(xor, model="logistic", init="zeros")
    train_acc = accuracy(run, xor.X_train, xor.y_train)
    assert round(100 * train_acc) == 51
    says(text, "for 500 steps with α = 1", "about 51 % of the training points")


def test_no_line_gets_the_four_clusters_right(text):
    # The argument of the text, checked on a grid of lines: none classifies the four
    # centres correctly, and the two sums the text adds have opposite required signs.
    centres = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    labels = np.array([0, 0, 1, 1])
    values = np.linspace(-3, 3, 25)
    for w1, w2, b in itertools.product(values, values, values):
        z = centres @ np.array([w1, w2]) + b
        assert not np.array_equal(z > 0, labels == 1)
        assert (z[0] + z[1]) == pytest.approx(2 * b) and (z[2] + z[3]) == pytest.approx(2 * b)
    says(text, "adding the two gives b < 0", "b > 0")


def test_two_units_are_enough_in_principle(text):
    X, y = make_xor(4000, seed=3)  # raw coordinates, as the text describes the lines
    model = MLPModel(hidden=2, activation="tanh")
    k, out = 8.0, 6.0
    # Unit 1 is on above x1 + x2 = -1, unit 2 above x1 + x2 = 1; 1 when only unit 1 is on.
    theta = np.array([k, k, k, k, k, -k, out, -out, -out])
    assert model.accuracy(theta, X, y.astype(float)) > 0.95
    says(text, "one switches on above the line x1 + x2 = −1, the other above x1 + x2 = 1")


def test_four_tanh_units_pass_95_percent(text, xor):
    run = trained(xor, model="mlp", hidden=4, activation="tanh")
    assert accuracy(run, xor.X_train, xor.y_train) > 0.95
    assert accuracy(run, xor.X, xor.y) > 0.95  # the table shows every row
    assert accuracy(run, xor.X_train, xor.y_train) == 1.0  # "no training point is left to ring"
    says(
        text, "500 steps take the training accuracy past 95 %", "no training point is left to ring"
    )


def test_the_trained_layer_labels_the_opposite_quarters(xor):
    run = trained(xor, model="mlp", hidden=4, activation="tanh")
    corners = np.array([[0.5, -0.5], [-0.5, 0.5], [0.5, 0.5], [-0.5, -0.5]])
    np.testing.assert_array_equal(run.model.predict(run.theta, corners), [1, 1, 0, 0])


def test_the_counts_in_the_text(text):
    model = MLPModel(hidden=4)
    assert model.n_params(2) == 17 == 4 * 2 + 4 + 4 + 1
    says(text, "two of the 17 parameters", "with the other 15 held")


def test_swapping_two_units_leaves_the_cost_unchanged(text, xor):
    model = MLPModel(hidden=4)
    theta = model.initial_parameters(2, seed=11)
    swapped = theta.copy()
    parts, other = model.parts(theta, 2), model.parts(swapped, 2)
    for name in ("W1", "b1", "w2"):
        getattr(other, name)[[0, 1]] = getattr(parts, name)[[1, 0]]
    assert not np.array_equal(theta, swapped)
    assert model.loss(swapped, xor.X_train, xor.y_train) == pytest.approx(
        model.loss(theta, xor.X_train, xor.y_train), rel=1e-14
    )
    says(text, "Swapping two units changes nothing the model computes")


def test_relu_and_tanh_slopes(text):
    a = np.array([-2.0, -0.5, 0.5, 3.0])
    h = 1e-6
    relu = lambda v: np.maximum(v, 0.0)  # noqa: E731
    np.testing.assert_allclose((relu(a + h) - relu(a - h)) / (2 * h), [0, 0, 1, 1], atol=1e-9)
    slope = (np.tanh(a + h) - np.tanh(a - h)) / (2 * h)
    np.testing.assert_allclose(slope, 1 - np.tanh(a) ** 2, rtol=1e-6)
    says(text, "relu(a) = max(a, 0)", "the slope 1 − tanh(a)²")


def _context(dataset, **config):
    cfg = TrainConfig(model="mlp", lr=1.0, **config)
    theta = initial_theta(cfg, dataset.n_features)
    return CheckpointContext.from_dataset(dataset, theta, cfg)


def test_parameter_count_answer_is_h_d_plus_2h_plus_1(datasets):
    spec = ANSWERS["hidden_layer_parameter_count"]
    for name, hidden in (("xor", 4), ("xor", 7), ("diabetes", 3)):
        dataset = datasets[name]
        d = dataset.n_features
        expected = hidden * d + 2 * hidden + 1
        counts = (expected - 1, expected, expected + 4)
        answer = spec.function(_context(dataset, hidden=hidden), counts=counts)
        assert answer.index == 1
        assert answer.facts["weights"] == hidden * d + hidden
        assert answer.facts["biases"] == hidden + 1
    with pytest.raises(ValueError, match="right count"):
        spec.function(_context(datasets["xor"]), counts=(1, 2))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_equal_units_stay_equal_but_a_random_start_does_not(xor, activation):
    answer = ANSWERS["equal_units_stay_equal"].function(
        _context(xor, activation=activation), steps=200
    )
    assert answer.index == 0 and answer.facts["spread"] == 0.0
    assert answer.facts["loss_end"] < answer.facts["loss_start"]
    # The same 200 steps from the usual random start: the units' parameters differ.
    run = trained(xor, steps=200, model="mlp", activation=activation)
    parts = run.model.parts(run.theta, 2)
    units = np.column_stack([parts.W1, parts.b1, parts.w2])
    assert np.max(np.abs(units - units[0])) > 0.1
