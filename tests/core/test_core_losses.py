"""Per-sample losses: values, derivatives by finite differences, extreme logits."""

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

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


def exact_bce(z: float, y: float) -> tuple[float, float]:
    """log(1 + e^z) - y z and e^z / (1 + e^z) - y in 50-digit decimal arithmetic."""
    with localcontext() as ctx:
        ctx.prec = 50
        zd, yd = Decimal(z), Decimal(y)
        e = zd.exp()
        return float((1 + e).ln() - yd * zd), float(e / (1 + e) - yd)


def exact_se(z: float, y: float) -> tuple[float, float]:
    """(z - y)^2 and 2 (z - y), exact in decimal arithmetic."""
    r = Decimal(z) - Decimal(y)
    return float(r * r), float(2 * r)


EXACT = {"bce_with_logits": exact_bce, "squared_error": exact_se}


@settings(max_examples=30, deadline=None)
@pytest.mark.parametrize("loss", [BCE_WITH_LOGITS, SQUARED_ERROR], ids=lambda loss: loss.name)
@given(data=logits_and_labels())
def test_value_and_gradient_match_high_precision_arithmetic(loss, data):
    z, y = data
    exact = np.array([EXACT[loss.name](float(zi), float(yi)) for zi, yi in zip(z, y, strict=True)])
    value, grad = loss.value_and_gradient(z, y)
    # Near a perfect fit the log-loss cancels (softplus(z) - z for large z), so an absolute
    # term of a few ulps of |z| is allowed; the gradient a - y cancels the same way when a is
    # near y, and a in (0, 1) is only known to an ulp of 1 (1.1e-16), so a few of those too.
    np.testing.assert_allclose(value, exact[:, 0], rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(grad, exact[:, 1], rtol=1e-13, atol=5e-16)
    np.testing.assert_allclose(loss.value(z, y), exact[:, 0], rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(loss.gradient(z, y), exact[:, 1], rtol=1e-13, atol=5e-16)


@pytest.mark.parametrize(
    ("z", "y", "value"),
    [
        (0.0, 1.0, math.log(2.0)),  # sigmoid(0) = 1/2, -log(1/2)
        (0.0, 0.0, math.log(2.0)),
        (math.log(3.0), 1.0, math.log(4.0 / 3.0)),  # sigmoid(log 3) = 3/4
        (math.log(3.0), 0.0, math.log(4.0)),  # -log(1 - 3/4)
        (-math.log(3.0), 0.0, math.log(4.0 / 3.0)),
    ],
)
def test_bce_closed_forms(z, y, value):
    assert BCE_WITH_LOGITS.value(np.array([z]), np.array([y]))[0] == pytest.approx(value, 1e-15)
    a = {0.0: 0.5, math.log(3.0): 0.75, -math.log(3.0): 0.25}[z]
    assert BCE_WITH_LOGITS.gradient(np.array([z]), np.array([y]))[0] == pytest.approx(a - y)


def test_squared_error_closed_forms():
    z, y = np.array([3.0, -1.5, 0.25]), np.array([1.0, 0.0, 1.0])
    np.testing.assert_array_equal(SQUARED_ERROR.value(z, y), [4.0, 2.25, 0.5625])
    np.testing.assert_array_equal(SQUARED_ERROR.gradient(z, y), [4.0, -3.0, -1.5])


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
