"""Stable sigmoid, log-sigmoid, softplus and per-sample losses against their definitions."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdapp.core.functional import bce_with_logits, log_sigmoid, sigmoid, softplus, squared_error

MODERATE = st.floats(-30.0, 30.0, allow_nan=False)


def ref_sigmoid(z: float) -> float:
    """1 / (1 + e^-z) in Python floats; valid for |z| < 700."""
    return 1.0 / (1.0 + math.exp(-z))


def test_sigmoid_at_huge_logits_is_exact_and_silent():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = sigmoid(np.array([1e6, -1e6, 1e300, -1e300]))
    np.testing.assert_array_equal(out, [1.0, 0.0, 1.0, 0.0])
    assert sigmoid(1e6) == 1.0
    assert sigmoid(-1e6) == 0.0


def test_sigmoid_matches_definition_over_its_whole_range():
    z = np.linspace(-700.0, 700.0, 2801)
    expected = np.array([ref_sigmoid(v) for v in z])
    np.testing.assert_allclose(sigmoid(z), expected, rtol=1e-13, atol=0.0)


def test_sigmoid_known_values_and_symmetry():
    assert sigmoid(0.0) == 0.5
    assert sigmoid(math.log(3.0)) == pytest.approx(0.75, rel=1e-15)
    z = np.linspace(-40.0, 40.0, 161)
    np.testing.assert_allclose(sigmoid(z) + sigmoid(-z), 1.0, rtol=0, atol=5e-16)


def test_scalar_in_gives_float_out():
    for fn in (sigmoid, log_sigmoid, softplus):
        assert isinstance(fn(0.3), float)
    assert isinstance(bce_with_logits(0.3, 1.0), float)
    assert isinstance(squared_error(0.3, 1.0), float)


@given(MODERATE)
def test_log_sigmoid_and_softplus_match_definitions(z):
    # log(sigmoid(z)) = -log(1 + e^-z)
    assert log_sigmoid(z) == pytest.approx(-math.log1p(math.exp(-z)), rel=1e-12, abs=1e-300)
    assert softplus(z) == pytest.approx(math.log1p(math.exp(z)), rel=1e-12, abs=1e-300)
    assert softplus(z) == pytest.approx(float(np.logaddexp(0.0, z)), rel=1e-14, abs=1e-300)


def test_log_sigmoid_and_softplus_at_huge_logits():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_array_equal(log_sigmoid(np.array([1e6, -1e6])), [0.0, -1e6])
        np.testing.assert_array_equal(softplus(np.array([1e6, -1e6])), [1e6, 0.0])


def test_bce_with_logits_at_huge_logits_is_finite_and_silent():
    z = np.array([1e6, 1e6, -1e6, -1e6])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = bce_with_logits(z, y)
    # Right and confident costs 0; wrong and confident costs |z|.
    np.testing.assert_array_equal(loss, [0.0, 1e6, 1e6, 0.0])


@given(st.floats(-10.0, 10.0), st.sampled_from([0.0, 1.0]))
def test_bce_with_logits_equals_cross_entropy_of_the_probability(z, y):
    # The probability form loses digits as a -> 0 or 1, so only moderate z are compared.
    a = ref_sigmoid(z)
    expected = -(y * math.log(a) + (1 - y) * math.log1p(-a))
    assert bce_with_logits(z, y) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(max_examples=50)
@given(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3))
def test_squared_error(y_hat, y):
    assert squared_error(y_hat, y) == pytest.approx((y_hat - y) ** 2, rel=1e-15, abs=0)
    assert squared_error(np.array([3.0, -1.0]), np.array([1.0, 1.0])).tolist() == [4.0, 4.0]
