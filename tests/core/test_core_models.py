"""Logistic and linear models: costs against textbook formulas, gradients by finite differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gdapp.core.gradcheck import check_gradient, numeric_gradient
from gdapp.core.models import LinearModel, LogisticModel, make_model


def ref_per_sample(name, theta, X, y, fit_bias):
    """Per-sample loss from the textbook definitions (probabilities, not logits)."""
    z = X @ theta[:-1] + (theta[-1] if fit_bias else 0.0)
    if name == "logistic":
        a = 1.0 / (1.0 + np.exp(-z))
        return -(y * np.log(a) + (1.0 - y) * np.log(1.0 - a))
    return (z - y) ** 2


def ref_cost(name, theta, X, y, fit_bias, l2):
    w = theta[:-1]
    return ref_per_sample(name, theta, X, y, fit_bias).mean() + 0.5 * l2 * np.sum(w**2)


@st.composite
def problems(draw):
    n = draw(st.integers(1, 15))
    d = draw(st.integers(1, 4))
    # |z| <= 4 * 2 * 1 + 1 = 9 keeps the probability form of the reference accurate.
    X = draw(arrays(np.float64, (n, d), elements=st.floats(-2.0, 2.0)))
    y = draw(arrays(np.float64, n, elements=st.sampled_from([0.0, 1.0])))
    theta = draw(arrays(np.float64, d + 1, elements=st.floats(-1.0, 1.0)))
    return X, y, theta


MODEL_ARGS = dict(
    name=st.sampled_from(["logistic", "linear"]),
    fit_bias=st.booleans(),
    l2=st.sampled_from([0.0, 0.1, 1.0]),
)


@settings(max_examples=80, deadline=None)
@given(problem=problems(), **MODEL_ARGS)
def test_cost_and_gradient(problem, name, fit_bias, l2):
    X, y, theta = problem
    model = make_model(name, fit_bias=fit_bias, l2=l2)
    expected = ref_cost(name, theta, X, y, fit_bias, l2)
    assert model.loss(theta, X, y) == pytest.approx(expected, rel=1e-9, abs=1e-12)

    loss, grad = model.loss_and_grad(theta, X, y)
    assert loss == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert grad.shape == theta.shape
    numeric = numeric_gradient(lambda t: ref_cost(name, t, X, y, fit_bias, l2), theta)
    # Costs reach ~100 here, so rounding leaves up to ~1e-7 on a difference quotient.
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)
    if not fit_bias:
        assert grad[-1] == 0.0

    loss3, grad3, acc3 = model.loss_grad_and_accuracy(theta, X, y)
    assert loss3 == loss
    np.testing.assert_array_equal(grad3, grad)
    assert acc3 == model.accuracy(theta, X, y)
    loss2, acc2 = model.loss_and_accuracy(theta, X, y)
    assert loss2 == pytest.approx(loss, rel=1e-13, abs=1e-15)
    assert acc2 == acc3


@settings(max_examples=60, deadline=None)
@given(problem=problems(), **MODEL_ARGS)
def test_per_sample_grad(problem, name, fit_bias, l2):
    X, y, theta = problem
    model = make_model(name, fit_bias=fit_bias, l2=l2)
    rows = []
    for x_i, y_i in zip(X, y, strict=True):
        g = model.per_sample_grad(theta, x_i, y_i)
        # No penalty and no mean: the loss of that one sample only.
        numeric = numeric_gradient(
            lambda t, x_i=x_i, y_i=y_i: ref_per_sample(
                name, t, x_i[None, :], np.array([y_i]), fit_bias
            )[0],
            theta,
        )
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-7)
        rows.append(g)
    # The cost's gradient is the mean of the per-sample gradients plus l2 w.
    penalty = np.append(l2 * theta[:-1], 0.0)
    np.testing.assert_allclose(
        np.mean(rows, axis=0) + penalty, model.loss_and_grad(theta, X, y)[1], rtol=1e-10, atol=1e-13
    )


def test_gradcheck_on_the_logistic_cost():
    rng = np.random.default_rng(3)
    X, y = rng.uniform(-1, 1, (50, 3)), (rng.random(50) < 0.4).astype(float)
    model = LogisticModel(l2=0.01)
    theta = rng.normal(size=4)
    result = check_gradient(
        lambda t: model.loss(t, X, y), lambda t: model.loss_and_grad(t, X, y)[1], theta, tol=1e-6
    )
    assert result.ok, result.rel_error


def test_bias_slot_is_ignored_without_bias():
    X = np.array([[1.0, 2.0], [-1.0, 0.5]])
    model = LogisticModel(fit_bias=False)
    a, b = np.array([0.3, -0.2, 0.0]), np.array([0.3, -0.2, 5.0])
    np.testing.assert_array_equal(model.logits(a, X), model.logits(b, X))


def test_logistic_predictions_by_hand():
    X = np.array([[1.0], [-1.0], [2.0], [0.5]])
    y = np.array([1.0, 1.0, 0.0, 1.0])
    theta = np.array([1.0, -0.5])  # z = [0.5, -1.5, 1.5, 0.0]
    model = LogisticModel()
    np.testing.assert_allclose(model.logits(theta, X), [0.5, -1.5, 1.5, 0.0])
    np.testing.assert_allclose(
        model.predict_proba(theta, X),
        1 / (1 + np.exp(-np.array([0.5, -1.5, 1.5, 0.0]))),
        rtol=1e-15,
    )
    pred = model.predict(theta, X)
    assert pred.dtype.kind == "i"
    assert pred.tolist() == [1, 0, 1, 1]  # sigmoid(0) = 0.5 counts as class 1
    assert model.accuracy(theta, X, y) == 0.5


def test_linear_predictions_by_hand():
    X = np.array([[1.0], [-1.0], [2.0], [0.3]])
    y = np.array([1.0, 0.0, 1.0, 1.0])
    theta = np.array([0.5, 0.1])  # z = [0.6, -0.4, 1.1, 0.25]
    model = LinearModel()
    np.testing.assert_allclose(model.predict_proba(theta, X), [0.6, 0.0, 1.0, 0.25])
    assert model.predict(theta, X).tolist() == [1, 0, 1, 0]
    assert model.accuracy(theta, X, y) == 0.75
    assert model.loss(theta, X, y) == pytest.approx((0.16 + 0.16 + 0.01 + 0.5625) / 4, rel=1e-14)


def test_make_model():
    assert make_model("logistic").name == "logistic"
    m = make_model("linear", fit_bias=False, l2=0.5)
    assert isinstance(m, LinearModel)
    assert (m.name, m.fit_bias, m.l2) == ("linear", False, 0.5)
    assert make_model("logistic", l2=0.1) == LogisticModel(l2=0.1)
    with pytest.raises(ValueError, match="Unknown model"):
        make_model("svm")
    with pytest.raises(ValueError, match="l2"):
        LogisticModel(l2=-1.0)
