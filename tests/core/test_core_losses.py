"""Per-sample losses: values, derivatives by finite differences, extreme logits."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gdapp.core.functional import bce_with_logits, squared_error
from gdapp.core.gradcheck import numeric_gradient
from gdapp.core.losses import BCE_WITH_LOGITS, LOSSES, SQUARED_ERROR, get_loss

N = st.integers(1, 12)


@st.composite
def logits_and_labels(draw):
    n = draw(N)
    z = draw(arrays(np.float64, n, elements=st.floats(-8.0, 8.0)))
    y = draw(arrays(np.float64, n, elements=st.sampled_from([0.0, 1.0])))
    return z, y


@settings(max_examples=60, deadline=None)
@pytest.mark.parametrize("loss", [BCE_WITH_LOGITS, SQUARED_ERROR], ids=lambda loss: loss.name)
@given(data=logits_and_labels())
def test_gradient_matches_finite_differences(loss, data):
    z, y = data
    # The losses are separable, so the gradient of their sum is the per-sample derivative.
    numeric = numeric_gradient(lambda v: loss.value(v, y).sum(), z)
    # Rounding in a sum of up to 12 terms of size ~100 leaves ~1e-7 on each difference quotient.
    np.testing.assert_allclose(loss.gradient(z, y), numeric, rtol=1e-6, atol=1e-6)


@settings(max_examples=30, deadline=None)
@pytest.mark.parametrize("loss", [BCE_WITH_LOGITS, SQUARED_ERROR], ids=lambda loss: loss.name)
@given(data=logits_and_labels())
def test_value_and_gradient_agrees_with_value_and_gradient(loss, data):
    z, y = data
    value, grad = loss.value_and_gradient(z, y)
    np.testing.assert_array_equal(value, loss.value(z, y))
    np.testing.assert_array_equal(grad, loss.gradient(z, y))


@settings(max_examples=30, deadline=None)
@given(data=logits_and_labels())
def test_losses_agree_with_functional_definitions(data):
    z, y = data
    np.testing.assert_allclose(BCE_WITH_LOGITS.value(z, y), bce_with_logits(z, y), rtol=1e-15)
    np.testing.assert_allclose(SQUARED_ERROR.value(z, y), squared_error(z, y), rtol=1e-15)
    # d/dz of the cross-entropy is sigmoid(z) - y, and of (z - y)^2 is 2 (z - y).
    np.testing.assert_allclose(
        BCE_WITH_LOGITS.gradient(z, y), 1.0 / (1.0 + np.exp(-z)) - y, rtol=1e-12, atol=1e-15
    )
    np.testing.assert_allclose(SQUARED_ERROR.gradient(z, y), 2.0 * (z - y), rtol=1e-15)


def test_bce_at_huge_logits_is_finite_and_exact():
    z = np.array([1e6, 1e6, -1e6, -1e6])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, grad = BCE_WITH_LOGITS.value_and_gradient(z, y)
    np.testing.assert_array_equal(value, [0.0, 1e6, 1e6, 0.0])
    np.testing.assert_array_equal(grad, [0.0, 1.0, -1.0, 0.0])


def test_get_loss():
    assert get_loss("bce_with_logits") is BCE_WITH_LOGITS
    assert set(LOSSES) == {"bce_with_logits", "squared_error"}
    with pytest.raises(ValueError, match="Unknown loss"):
        get_loss("hinge")
