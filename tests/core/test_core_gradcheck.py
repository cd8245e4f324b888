"""Central differences and the relative-error measure on functions with known gradients."""

import numpy as np
import pytest

from gdapp.core.gradcheck import GradCheck, check_gradient, numeric_gradient, relative_error


def f(t):
    return float(np.sin(t).sum() + t[0] * t[1] + 0.5 * t[2] ** 3)


def grad_f(t):
    # d/dt of sum(sin t) + t0 t1 + t2^3 / 2
    return np.cos(t) + np.array([t[1], t[0], 1.5 * t[2] ** 2])


THETA = np.array([0.3, -1.2, 2.0])


def test_numeric_gradient_of_known_function():
    np.testing.assert_allclose(numeric_gradient(f, THETA), grad_f(THETA), rtol=1e-8, atol=1e-9)


def test_numeric_gradient_is_exact_on_a_quadratic_up_to_rounding():
    # Central differences have no truncation error on a quadratic.
    A = np.array([[2.0, 0.5], [0.5, 1.0]])
    q = np.array([1.5, -0.25])
    np.testing.assert_allclose(
        numeric_gradient(lambda t: 0.5 * t @ A @ t, q, h=1e-3), A @ q, rtol=1e-10
    )


def test_numeric_gradient_leaves_theta_alone():
    theta = THETA.copy()
    numeric_gradient(f, theta)
    np.testing.assert_array_equal(theta, THETA)


def test_relative_error_values():
    rel = relative_error([1.0, 1.0, 0.0, 1e-13, 3.0], [1.0, -1.0, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(rel, [0.0, 1.0, 0.0, 0.1, 0.5], rtol=1e-12)


def test_check_gradient_accepts_the_right_gradient_and_rejects_a_wrong_one():
    good = check_gradient(f, grad_f, THETA)
    assert isinstance(good, GradCheck)
    assert good.ok
    assert good.rel_error.max() < 1e-8

    bad = check_gradient(f, lambda t: 2.0 * grad_f(t), THETA)
    assert not bad.ok
    # |2g - g| / (|2g| + |g|) = 1/3 for every entry.
    np.testing.assert_allclose(bad.rel_error, 1.0 / 3.0, rtol=1e-6)


@pytest.mark.parametrize("tol", [1e-12, 0.5])
def test_check_gradient_honours_tolerance(tol):
    result = check_gradient(f, lambda t: grad_f(t) * 1.01, THETA, tol=tol)
    assert result.ok == (tol == 0.5)
