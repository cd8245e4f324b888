"""Lesson 8's last step, who pushes the gradient: its claims from the maths and the data."""

from __future__ import annotations

import numpy as np
import pytest

from gdapp.core.trainer import TrainConfig, Trainer

LESSON = 8


@pytest.fixture(scope="module")
def text(lessons):
    return " ".join(" ".join(step.body for step in lessons[LESSON - 1].steps).split())


@pytest.fixture(scope="module")
def after_20_steps(datasets):
    """Each training patient's share of step 21's gradient, written out from the formulas."""
    ds = datasets["diabetes"]
    trainer = Trainer(ds.X_train, ds.y_train, config=TrainConfig(lr=2.0))
    trainer.run(20)
    theta = trainer.theta
    X, y = ds.X_train, ds.y_train
    a = 1.0 / (1.0 + np.exp(-(X @ theta[:-1] + theta[-1])))
    shares = (a - y)[:, None] * np.column_stack([X, np.ones(len(y))]) / len(y)
    return trainer, a, y, shares


def test_the_shares_add_up_to_the_gradient(text, after_20_steps):
    trainer, _, _, shares = after_20_steps
    np.testing.assert_allclose(shares.sum(axis=0), trainer.grad, rtol=0, atol=1e-14)
    assert "the m shares add up exactly to the gradient of the step" in text
    assert "xᵢ(aᵢ − yᵢ)/m to ∂J/∂w and (aᵢ − yᵢ)/m to ∂J/∂b" in text


def test_the_wrong_ones_push_hardest(text, after_20_steps):
    _, a, y, shares = after_20_steps
    length = np.linalg.norm(shares, axis=1)
    order = np.argsort(-length)
    wrong = (a >= 0.5) != (y == 1)
    # "A few patients push much harder than the rest": the largest share is several times
    # the median one.
    assert length[order[0]] > 3 * np.median(length)
    # The misclassified crowd the right of the chart (sorted from small to large): among the
    # 30 longest shares they are far more common than among all patients.
    assert wrong[order[:30]].mean() > 2 * wrong.mean()
    # A patient the model gets right with a close to y adds almost nothing.
    close = np.abs(a - y) < 0.1
    assert close.any() and length[close].max() < 0.2 * length[order[0]]
    assert "tend to crowd the right" in text and "adds almost nothing" in text
