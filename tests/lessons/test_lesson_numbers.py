"""Every number a lesson states is computed here and compared with the text.

Each test quotes the lesson's wording (so that editing a number in a lesson without
checking it fails) and recomputes the value from the data with plain numpy, the maths or
scikit-learn; where the app computes the same number, its core is checked against that.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from sklearn.metrics import log_loss

from gdapp.core import optimizers
from gdapp.core.functional import bce_with_logits
from gdapp.core.graph_builders import build_batch_cost, build_post_example
from gdapp.core.models import (
    POST_EPOCHS,
    POST_LR,
    POST_M0,
    POST_X,
    POST_Y,
    LogisticModel,
    run_post_example,
)
from gdapp.core.stops import DIVERGING_MARGIN, DIVERGING_SHARE, DIVERGING_WINDOW
from gdapp.core.trainer import DIVERGENCE_FACTOR, Status, TrainConfig, Trainer

MISSING_ROWS = (14, 24, 236, 259, 285, 401, 458, 517, 658)
# What the post printed every 100 epochs: (epoch, y_pred, loss, m after the update).
POST_PRINTED = (
    (0, -1.19536778, 0.8195006880017411, 1.0468791),
    (100, -0.38358895, 0.008739248374301, 0.33987973),
    (200, -0.29975883, 9.319633682547794e-05, 0.26686989),
    (300, -0.29110193, 9.938563164344092e-07, 0.25933037),
    (400, -0.29020795, 1.0598596590384224e-08, 0.25855178),
    (500, -0.29011564, 1.1302463728896095e-10, 0.25847138),
    (600, -0.2901061, 1.205307563391514e-12, 0.25846308),
    (700, -0.29010512, 1.2853536663934478e-14, 0.25846222),
    (800, -0.29010502, 1.3707157234604092e-16, 0.25846213),
    (900, -0.29010501, 1.4617465301232346e-18, 0.25846212),
)
POST_FINAL_M = 0.25846212


@pytest.fixture(scope="module")
def text(lessons):
    """text(n) -> the whole Markdown of lesson n, lines joined so phrases may wrap."""
    bodies = {lesson.number: " ".join(step.body for step in lesson.steps) for lesson in lessons}
    return lambda number: " ".join(bodies[number].split())


@pytest.fixture(scope="module")
def diabetes(datasets):
    return datasets["diabetes"]


def says(text_of_lesson: str, *phrases: str) -> None:
    for phrase in phrases:
        assert phrase in text_of_lesson, phrase


def train(dataset, steps: int | None = None, **config) -> Trainer:
    trainer = Trainer(
        dataset.X_train, dataset.y_train, dataset.X_test, dataset.y_test, TrainConfig(**config)
    )
    if steps is None:
        while trainer.run(1000) is Status.READY:
            pass
    else:
        trainer.run(steps)
    return trainer


def f4(value: float) -> str:
    return f"{value:.4f}"


def plain_gradient_descent(X, y, lr: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch gradient descent on the mean log loss, written out from the formulas.

    Starts at w = 0, b = 0; each step takes a = 1 / (1 + e^(-(Xw + b))) and moves
    w by -lr X^T (a - y) / m and b by -lr mean(a - y). Returns the parameters after 0, 1,
    ..., ``steps`` steps ((steps + 1, d + 1), bias last) and the cost J at each of them
    ((steps + 1,)).
    """
    m, d = X.shape
    w, b = np.zeros(d), 0.0
    thetas, costs = [], []
    for _ in range(steps + 1):
        a = 1 / (1 + np.exp(-(X @ w + b)))
        thetas.append(np.append(w, b))
        costs.append(np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a))))
        w, b = w - lr * X.T @ (a - y) / m, b - lr * np.mean(a - y)
    return np.array(thetas), np.array(costs)


def test_lesson_1_the_data(text, raw_table, diabetes):
    t = text(1)
    raw, outcome = raw_table[:, :8], raw_table[:, 8]
    assert raw.shape[0] == 768 and raw[:, 7].min() == 21
    says(t, "768 women", "at least 21 years old")
    row0 = "6 pregnancies, a glucose of 148, a blood pressure of 72, a skin fold of 35 mm, an "
    row0 += "insulin of 0, a BMI of 33.6, a pedigree score of 0.627, and she is 50 years old"
    says(t, row0)
    np.testing.assert_array_equal(raw[0], [6, 148, 72, 35, 0, 33.6, 0.627, 50])
    assert outcome[0] == 1 and "Row 0 has outcome 1" in t
    assert outcome.sum() == 268 and f"{outcome.mean():.1%}" == "34.9%"
    says(t, "268 of the 768 patients carry a 1, which is about 34.9 %")
    assert raw[:, 4].max() == 846 and raw[:, 6].max() == 2.42
    says(t, "insulin reaches 846", "never goes above 2.42")
    assert (len(diabetes.train_idx), len(diabetes.test_idx)) == (614, 154)
    says(t, "614 patients used for training", "other 154 patients")
    assert (raw[:, 4] == 0).sum() == 374 and (raw[:, 3] == 0).sum() == 227
    says(t, "Insulin is missing in this way for 374 patients and the skin fold for 227")
    train_raw = raw[diabetes.train_idx]
    low, high = train_raw.min(axis=0), train_raw.max(axis=0)
    np.testing.assert_allclose(diabetes.X, 2 * (raw - low) / (high - low) - 1, atol=1e-12)
    np.testing.assert_allclose(diabetes.X_train.min(axis=0), -1.0)
    np.testing.assert_allclose(diabetes.X_train.max(axis=0), 1.0)


def test_lesson_2_the_sigmoid(text, diabetes):
    t = text(2)
    sigmoid = LogisticModel().predict_proba
    one = np.ones((1, 1))
    assert sigmoid(np.array([0.0, 0.0]), one)[0] == 0.5
    assert f"{sigmoid(np.array([2.0, 0.0]), one)[0]:.3f}" == "0.881"
    assert f"{sigmoid(np.array([-2.0, 0.0]), one)[0]:.3f}" == "0.119"
    says(t, "σ(0) = 0.5, σ(2) ≈ 0.881 and σ(−2) ≈ 0.119", "nine numbers to learn in all")
    assert diabetes.X.shape[1] + 1 == 9
    start = Trainer(diabetes.X_train, diabetes.y_train)
    assert np.all(start.theta == 0)
    assert np.all(start.model.predict_proba(start.theta, diabetes.X) == 0.5)
    says(t, "so ŷ = 0.5 for every patient")


def test_lesson_3_losses(text, diabetes, raw_table):
    t = text(3)
    values = {0.9: "0.105", 0.5: "0.693", 0.1: "2.303", 0.01: "4.605"}
    for y_hat, shown in values.items():
        assert f"{-math.log(y_hat):.3f}" == shown  # the maths: L = -log ŷ for y = 1
        # and the app, which works from the logit z = log(ŷ / (1 - ŷ))
        assert f"{bce_with_logits(math.log(y_hat / (1 - y_hat)), 1.0):.3f}" == shown
    says(
        t, "ŷ = 0.9 costs 0.105, ŷ = 0.5 costs 0.693, ŷ = 0.1 costs 2.303 and ŷ = 0.01 costs 4.605"
    )
    assert raw_table[6, 8] == 1 and raw_table[6, 1] == 78 and raw_table[6, 7] == 26
    says(t, "her glucose (78) is low and she is young (26)", "20 training steps", "rate of 2")
    thetas, _ = plain_gradient_descent(diabetes.X_train, diabetes.y_train, 2.0, 20)
    assert int(np.argmax(np.abs(thetas[20, :-1]))) == 1  # w2, glucose
    np.testing.assert_allclose(train(diabetes, 20, lr=2.0).theta, thetas[20], rtol=1e-10)
    says(t, "w₂ is its largest weight")
    # The app's loss on logits is the log loss of ŷ = σ(z), as scikit-learn computes it...
    z = np.linspace(-10, 10, 21)
    for label in (0, 1):
        y_hat = 1 / (1 + np.exp(-z))
        expected = [log_loss([label], [p], labels=[0, 1]) for p in y_hat]
        np.testing.assert_allclose(bce_with_logits(z, label), expected, rtol=1e-9)
    # ...and stays finite where ŷ rounds to exactly 0 or 1 and log ŷ or log(1 - ŷ) cannot:
    # for |z| = 40 the loss of the wrong label is |z| + log(1 + e^-|z|), |z| to rounding.
    assert 1 / (1 + math.exp(-40.0)) == 1.0
    assert bce_with_logits(40.0, 0.0) == 40.0 and bce_with_logits(-40.0, 1.0) == 40.0
    assert 0.0 <= bce_with_logits(40.0, 1.0) <= 2 * math.exp(-40.0)  # log(1 + e^-40)


def test_lesson_4_the_cost(text, diabetes):
    t = text(4)
    trainer = train(diabetes, 20, lr=2.0)
    losses = trainer.history.train_loss
    assert losses[0] == pytest.approx(math.log(2), abs=1e-15) and f4(losses[0]) == "0.6931"
    assert len(diabetes.y_train) == 614
    says(t, "Here m = 614", "ln 2 ≈ 0.6931", "J = 0.6931", "154 test patients")
    says(t, f"After 20 steps J has fallen to {f4(losses[20])}")
    model = LogisticModel()
    p = model.predict_proba(trainer.theta, diabetes.X)
    per_patient = -(diabetes.y * np.log(p) + (1 - diabetes.y) * np.log(1 - p))
    train_losses = per_patient[diabetes.train_idx]
    says(
        t,
        f"costs {train_losses.min():.2f}, while the most expensive still costs "
        f"{train_losses.max():.2f}, and patient 6 from the last lesson is at "
        f"{per_patient[6]:.2f}",
    )


def test_lesson_5_ten_steps(text, diabetes):
    t = text(5)
    thetas, costs = plain_gradient_descent(diabetes.X_train, diabetes.y_train, 2.0, 10)
    assert f4(costs[0]) == f4(math.log(2))  # ŷ = 0.5 for everyone at the start
    says(
        t, f"w₂ has gone from 0 to {f4(thetas[10, 1])} and J from {f4(costs[0])} to {f4(costs[10])}"
    )
    says(t, "10 steps with α = 2")
    # The app's Trainer takes the same ten steps.
    trainer = train(diabetes, 10, lr=2.0)
    np.testing.assert_allclose(trainer.history.theta, thetas, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(trainer.history.train_loss, costs, rtol=1e-10)


def test_lesson_7_the_example_graph(text):
    t = text(7)
    graph = build_post_example(5.0, 3.0, 2.0)
    graph.output.backward()
    values = {name: graph.node(name).value for name in ("u", "v", "J")}
    grads = {name: graph.node(name).grad for name in ("a", "b", "c", "u", "v")}
    assert values == {"u": 6.0, "v": 11.0, "J": 33.0}
    assert grads == {"a": 3.0, "b": 6.0, "c": 9.0, "u": 3.0, "v": 3.0}
    says(t, "u = 6, v = 11 and J = 33", "from 11 to 11.001", "from 33 to 33.003")
    says(t, "∂J/∂a = ∂J/∂v · ∂v/∂a = 3 · 1 = 3")
    assert graph.nudge("v", 1e-3) == pytest.approx(3.0)
    assert pytest.approx(33.003) == 3 * (11.001)
    other = build_post_example(2.0, 0.5, 4.0)
    other.output.backward()
    assert [other.node(n).grad for n in "abc"] == [3.0, 12.0, 1.5]


def test_lesson_8_local_derivatives_by_finite_differences():
    h = 1e-6
    for y in (0.0, 1.0):
        for z in (-2.0, 0.3, 1.5):
            a = 1 / (1 + math.exp(-z))

            def loss(a_value, y=y):
                return -(y * math.log(a_value) + (1 - y) * math.log(1 - a_value))

            def loss_of_z(z_value, y=y):
                return loss(1 / (1 + math.exp(-z_value)))

            d_a = (loss(a + h) - loss(a - h)) / (2 * h)
            assert d_a == pytest.approx(-y / a + (1 - y) / (1 - a), rel=1e-6)
            d_z = (loss_of_z(z + h) - loss_of_z(z - h)) / (2 * h)
            assert d_z == pytest.approx(a - y, rel=1e-6, abs=1e-9)
            assert d_a * a * (1 - a) == pytest.approx(a - y, abs=1e-6)


def test_lesson_8_the_nudge_check_agrees_and_catches_the_planted_bug(text, diabetes):
    t = text(8)
    says(t, "every derivative from the backward pass agrees", "forget the factor x in ∂L/∂wⱼ")
    X, y = diabetes.X_train, diabetes.y_train
    clean = build_batch_cost(X, y, np.zeros(8), 0.0).nudge_check()
    assert all(result.agrees for result in clean.values())
    planted = build_batch_cost(X, y, np.zeros(8), 0.0, bug="drop_x").nudge_check()
    assert {name for name, result in planted.items() if not result.agrees} == {"w"}


def test_lesson_9_the_whole_loop(text, diabetes):
    t = text(9)
    trainer = train(diabetes, lr=2.0, tol=1e-4)
    h = trainer.history
    assert trainer.status is Status.CONVERGED
    says(t, "tolerance of 0.0001", f"stopped after {trainer.step_count} steps")
    says(t, f"from {f4(h.train_loss[0])} down to {f4(h.train_loss[-1])}")
    says(t, f"ended at {f4(h.test_loss[-1])}")
    train_acc, test_acc = f"{h.train_acc[-1]:.1%}", f"{h.test_acc[-1]:.1%}"
    assert train_acc == test_acc == "77.9%"
    says(t, "It reached 77.9 % on the training patients and 77.9 % on the test patients")
    w = trainer.theta
    quoted = {
        1: ("w₂", "3.4"),
        5: ("w₆", "2.9"),
        6: ("w₇", "1.2"),
        0: ("w₁", "1.0"),
        2: ("w₃", "−1.0"),
        4: ("w₅", "−0.6"),
    }
    for k, (name, value) in quoted.items():
        assert f"{w[k]:.1f}".replace("-", "−") == value
        says(t, f"({name} ≈ {value})")
    share = diabetes.y_train.mean()
    assert 0.3 < share < 0.37 and 0.63 < 1 - share < 0.7
    says(t, "About a third of the patients are diabetic", "about two times in three")


def printed(value: float) -> str:
    """A one-element numpy array as the post's ``print`` shows it, without the brackets."""
    return str(np.array([value]))[1:-1]


def test_lesson_10_reproduces_the_post(text):
    t = text(10)
    run = run_post_example(POST_X, POST_Y, POST_M0, POST_LR, POST_EPOCHS, "post")
    for epoch, y_pred, loss, m in POST_PRINTED:
        assert printed(run.y_pred[epoch]) == printed(y_pred)
        assert printed(run.m[epoch]) == printed(m)
        assert loss == pytest.approx(run.loss[epoch], rel=3e-11)
    assert f"{run.loss[0]:.5f}" == "0.81950"
    assert f"{run.y_pred[100]:.8f}" == "-0.38358895" and f"{run.m[100]:.8f}" == "0.33987973"
    assert f"{run.m[-1]:.8f}" == f"{POST_FINAL_M:.8f}" == f"{POST_Y / POST_X:.8f}"
    says(t, "x = −1.12242755, m = 1.06498435 and y = −0.290105", "1000 epochs of m ← m − 0.01")
    says(t, "At epoch 0 the loss is 0.81950", "ŷ = −0.38358895 and m = 0.33987973")
    says(t, "At the end m = 0.25846212, which is y/x")
    # The recovered start prints as the post's, and the text quotes it in full.
    assert [printed(v) for v in (POST_X, POST_M0, POST_Y)] == [
        "-1.12242755",
        "1.06498435",
        "-0.290105",
    ]
    full = f"x = {POST_X!r}, m = {POST_M0!r} and y = {POST_Y!r}".replace("-", "−")
    says(t, full, "All 20 printed values of ŷ and m agree digit for digit")
    says(t, "every printed loss to within 3 parts in 10¹¹", "losses, though, are printed to 16")
    # From the start exactly as printed, 11 of the 20 values miss in the eighth decimal.
    rounded = run_post_example(-1.12242755, -0.290105, 1.06498435, POST_LR, POST_EPOCHS, "post")
    misses = sum(
        (printed(rounded.y_pred[e]) != printed(y_pred)) + (printed(rounded.m[e]) != printed(m))
        for e, y_pred, _, m in POST_PRINTED
    )
    assert misses == 11
    says(t, "11 of the 20 printed values of ŷ and m come out one unit off in the eighth decimal")


def test_lesson_10_the_missing_factor(text):
    t = text(10)
    factor_post_neg = 1 + 2 * POST_LR * POST_X
    factor_post_pos = 1 - 2 * POST_LR * POST_X
    factor_true = 1 - 2 * POST_LR * POST_X**2
    says(t, f"the factor is {factor_post_neg:.5f}", f"the factor is {factor_post_pos:.5f}")
    says(t, f"which is {factor_true:.5f} for either sign of x")
    says(t, f"grows by about {100 * (factor_post_pos - 1):.1f} % per epoch")
    # Check the factors against the loop itself.
    for x, variant, factor in [
        (POST_X, "post", factor_post_neg),
        (-POST_X, "post", factor_post_pos),
        (-POST_X, "correct", factor_true),
    ]:
        run = run_post_example(x, POST_Y, POST_M0, epochs=3, variant=variant)
        target = POST_Y / x
        assert (run.m[2] - target) / (run.m[1] - target) == pytest.approx(factor, rel=1e-9)
    runaway = run_post_example(-POST_X, POST_Y, POST_M0, variant="post")
    assert f"{runaway.m[-1] / 1e9:.1f}" == "5.8"
    says(t, "After 1000 epochs m is about 5.8 billion")
    fixed = run_post_example(-POST_X, POST_Y, POST_M0, variant="correct")
    assert f"{fixed.m[-1]:.8f}" == "-0.25846212"
    says(t, "converges too, to m* = −0.25846212")
    corrected = run_post_example(POST_X, POST_Y, POST_M0, variant="correct")
    assert f"{corrected.m[-1]:.8f}" == "0.25846212" and f"{corrected.m[100]:.8f}" == "0.31972885"
    says(t, "also ends at 0.25846212", "it is at m = 0.31972885 instead of 0.33987973")
    assert f"{-POST_X:.2f}" == "1.12"
    says(t, "always 1.12 times the code's")


def test_lesson_11_the_corrections(text, raw_table, datasets):
    t = text(11)
    assert f"{-(1 - math.log(0.5)):.4f}" == "-1.6931" and f"{-math.log(0.5):.4f}" == "0.6931"
    says(t, "At ŷ = 0.5 it gives −1.6931 where the correct loss gives 0.6931")
    y_hat = np.linspace(1e-9, 1 - 1e-9, 1001)
    printed = -(1 - np.log(y_hat))
    assert printed.max() <= -1 + 1e-8 and np.all(np.diff(printed) > 0)
    says(t, "never above −1")
    post = datasets["diabetes-post"]
    assert post.X.shape == (759, 8) and raw_table.shape[0] == 768
    says(t, "759 rows, while the original has 768", "759 × 8", "8 × 759")
    raw = raw_table[:, :8]
    low, high = raw.min(axis=0), raw.max(axis=0)
    midpoint = np.flatnonzero((2 * raw == low + high).any(axis=1))
    assert tuple(midpoint) == MISSING_ROWS == tuple(np.setdiff1d(np.arange(768), post.raw.index))
    says(t, "rows 14, 24, 236, 259, 285, 401, 458, 517 and 658 of the original")
    ages = [r for r in MISSING_ROWS if raw[r, 7] == 51 == (low[7] + high[7]) / 2]
    assert len(ages) == 8 and raw[401, 2] == 61 == (low[2] + high[2]) / 2
    says(
        t,
        "an age of 51, halfway between 21 and 81, in eight of them",
        "a blood pressure of 61, halfway between 0 and 122, in row 401",
    )
    assert post.y[0] == 0 and raw_table[0, 8] == 1
    np.testing.assert_array_equal(post.y, 1 - raw_table[post.raw.index, 8])
    says(t, "Patient 0, the first row, carries the label 0 there", "1 − outcome")
    assert post.X[3, 7] == 0.0 and raw[3, 7] == 21 == low[7]
    says(t, "her age reads 0.000", "the youngest age, 21")
    assert np.all(raw[:3, 4] == 0) and np.all(post.X[:3, 4] == 0.0) and low[4] == 0
    says(t, "insulin of 0 recorded for patients 0, 1 and 2")
    assert np.all(post.X[raw[post.raw.index] == low] == 0.0)
    says(t, "which are 3 and 9")


def test_lesson_12_learning_rates(text, diabetes):
    t = text(12)
    says(t, "α = 0.1, 2, 5 and 50")
    small, right = train(diabetes, 100, lr=0.1), train(diabetes, 100, lr=2.0)
    says(
        t,
        f"After 100 steps J is {f4(small.history.train_loss[-1])}, while α = 2 has "
        f"reached {f4(right.history.train_loss[-1])}",
    )
    large = train(diabetes, 1000, lr=5.0)
    thetas = large.history.theta
    assert np.linalg.norm(thetas[-1] - thetas[-3]) < 1e-6 < np.linalg.norm(thetas[-1] - thetas[-2])
    best = train(diabetes, lr=2.0, tol=1e-6).history.train_loss[-1]
    says(
        t,
        f"Even after 1000 steps J is stuck at {f4(large.history.train_loss[-1])}, while "
        f"the bottom of the valley is at {f4(best)}",
    )
    wild = train(diabetes, 100, lr=50.0)  # asked for 100 steps, it stops after 20
    losses = wild.history.train_loss
    high = (1 + DIVERGING_MARGIN) * losses[0]
    assert (DIVERGING_WINDOW, DIVERGING_MARGIN, DIVERGING_SHARE) == (20, 0.25, 0.75)
    assert wild.status is Status.DIVERGING and wild.step_count == 20
    assert np.all(losses[1:21] > high) and f"{high:.4f}" == "0.8664"
    says(t, f"at J = {f4(losses[1])}", "first 20 steps it stays above 0.8664, which is 25 %")
    says(t, "most of the last 20 steps have left J more than 25 % above its start")
    says(t, f"here after 20 steps with J at {losses[20]:.2f}", "ten times smaller")
    assert "Diverging" in wild.stop_reason and "0.693 → 18.5" in wild.stop_reason
    wild.clear_stop()  # "Keep going"
    assert wild.run(1000) is Status.MAX_EPOCHS and wild.step_count == 1000
    losses = wild.history.train_loss
    assert losses[1] > losses[0] and f"{losses[100]:.2f}" == "13.35"
    says(t, "stays quiet until the next reset", "after 100 steps it is 13.35, far above 0.6931")
    sizes = np.linalg.norm(wild.history.theta, axis=1)
    assert np.all((sizes[100:] > 45) & (sizes[100:] < 70)) and np.all(losses[100:] > 1.0)
    says(t, "a size of about 60")
    assert DIVERGENCE_FACTOR == 1e6
    says(t, "a million times its starting value (or a million, when the start is below 1)")
    absurd = train(diabetes, 10, lr=1e7)
    assert absurd.status is Status.DIVERGED and absurd.step_count == 0
    assert "step 1" in absurd.stop_reason
    # A hundred times smaller is not refused by the hard rule; the diverging rule stops it.
    assert train(diabetes, 100, lr=1e5, diverging_window=0).status is Status.READY
    assert train(diabetes, 100, lr=1e5).status is Status.DIVERGING
    says(t, "10,000,000, which is stopped at its very first step")
    linear = train(diabetes, 100, model="linear", lr=1.0)
    assert linear.status is Status.DIVERGED and linear.step_count == 4
    assert "step 5" in linear.stop_reason and linear.step_count < DIVERGING_WINDOW
    says(t, "α = 1 is stopped as diverged at step 5, before the first rule has seen 20")


def test_lesson_13_beyond(text, diabetes):
    t = text(13)
    n = len(diabetes.train_idx)
    assert -(-n // 64) == 10 and n - 9 * 64 == 38
    says(t, "takes 10 steps: nine batches of 64 and a last one of 38")
    noisy = train(diabetes, 50, lr=1.0, batch_size=64)
    rises = int(np.count_nonzero(np.diff(noisy.history.train_loss) > 0))
    says(t, f"In these 50 steps with batches of 64 it rose {rises} times")
    assert inspect.signature(optimizers.momentum).parameters["beta"].default == 0.9
    assert inspect.signature(optimizers.rmsprop).parameters["decay"].default == 0.9
    adam = inspect.signature(optimizers.adam).parameters
    assert (adam["b1"].default, adam["b2"].default, adam["eps"].default) == (0.9, 0.999, 1e-8)
    says(t, "β₁ = 0.9, β₂ = 0.999 and ε = 10⁻⁸ (ρ = 0.9 for RMSProp)", "With β = 0.9")
    assert pytest.approx(10) == 1 / (1 - 0.9)
    says(t, "towards ten times a single gradient")
    first = train(diabetes, 1, optimizer="adam", lr=0.1).theta
    np.testing.assert_allclose(np.abs(first), 0.1, rtol=1e-6)
    says(t, "On its first step Adam moves every parameter by almost exactly α")
    says(
        t,
        "gradient descent with α = 1, momentum with α = 0.1, RMSProp with α = 0.03 and Adam "
        "with α = 0.1",
    )
