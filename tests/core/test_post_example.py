"""The source post's one-weight example: its printed run, and where its gradient goes wrong."""

import numpy as np
import pytest

from gdapp.core.gradcheck import numeric_gradient
from gdapp.core.models import (
    POST_EPOCHS,
    POST_LR,
    POST_M0,
    POST_X,
    POST_Y,
    post_gradient,
    run_post_example,
)

# Copied from the post's output, as printed: epoch -> (y_pred, loss, value of weight after
# the update).  y_pred and m are numpy arrays printed with numpy's default 8 decimals.
PRINTED = {
    0: ("-1.19536778", 0.8195006880017411, "1.0468791"),
    100: ("-0.38358895", 0.008739248374301, "0.33987973"),
    200: ("-0.29975883", 9.319633682547794e-05, "0.26686989"),
    300: ("-0.29110193", 9.938563164344092e-07, "0.25933037"),
    400: ("-0.29020795", 1.0598596590384224e-08, "0.25855178"),
    500: ("-0.29011564", 1.1302463728896095e-10, "0.25847138"),
    600: ("-0.2901061", 1.205307563391514e-12, "0.25846308"),
    700: ("-0.29010512", 1.2853536663934478e-14, "0.25846222"),
    800: ("-0.29010502", 1.3707157234604092e-16, "0.25846213"),
    900: ("-0.29010501", 1.4617465301232346e-18, "0.25846212"),
}
PRINTED_START = ("-1.12242755", "1.06498435", "-0.290105")  # "Original x, m, and y"
PRINTED_FINAL_M = "0.25846212"  # "Final x, m, and y"
# The recovered start is one that agrees with everything the post prints, not necessarily
# its exact random draw: the printed losses agree with the replay to this relative error.
REL_LOSS = 2.6e-11


def as_printed(value: float) -> str:
    """How the post's ``print`` shows a one-element numpy array, without the brackets."""
    return str(np.array([value]))[1:-1]


def test_start_values_print_as_the_posts():
    assert (as_printed(POST_X), as_printed(POST_M0), as_printed(POST_Y)) == PRINTED_START
    assert (POST_LR, POST_EPOCHS) == (0.01, 1000)


def test_replays_every_printed_value_digit_for_digit():
    run = run_post_example(POST_X, POST_Y, POST_M0, POST_LR, POST_EPOCHS, "post")
    assert run.y_pred.shape == run.loss.shape == run.m.shape == (1000,)
    replayed = {e: (as_printed(run.y_pred[e]), as_printed(run.m[e])) for e in PRINTED}
    assert replayed == {e: (y_pred, m) for e, (y_pred, _, m) in PRINTED.items()}
    assert as_printed(run.m[-1]) == PRINTED_FINAL_M


def test_replays_every_printed_loss():
    run = run_post_example(POST_X, POST_Y, POST_M0, POST_LR, POST_EPOCHS, "post")
    for epoch, (_, loss, _) in PRINTED.items():
        assert run.loss[epoch] == pytest.approx(loss, rel=REL_LOSS, abs=0), epoch


def test_the_rounded_start_misses_the_eighth_decimal():
    # Why the constants carry more digits than the post shows: from the start as printed,
    # 11 of the 20 printed y_pred and m values come out one unit off in the 8th decimal.
    x, m0, y = (float(v) for v in PRINTED_START)
    run = run_post_example(x, y, m0, POST_LR, POST_EPOCHS, "post")
    misses = 0
    for epoch, (y_pred, _, m) in PRINTED.items():
        for value, text in ((run.y_pred[epoch], y_pred), (run.m[epoch], m)):
            assert abs(value - float(text)) <= 1.5e-8
            misses += as_printed(value) != text
    assert misses == 11


# Each update rounds m by about 1e-17; a contracting recurrence keeps a few hundred of
# those, so residuals below ~1e-14 are rounding noise rather than signal.
ATOL_RESIDUAL = 1e-13


def residuals(x, y, m0, rate, epochs):
    """r_e = y - m_e x for the linear recurrence r_{e+1} = rate * r_e (before update e)."""
    return (y - m0 * x) * rate ** np.arange(epochs)


@pytest.mark.parametrize("x", [POST_X, -POST_X])
def test_posts_rule_follows_its_closed_form(x):
    # m <- m - 2 lr (y - m x)  gives  r <- r (1 + 2 lr x): it shrinks only when x < 0.
    run = run_post_example(x, POST_Y, POST_M0, POST_LR, POST_EPOCHS, "post")
    r = residuals(x, POST_Y, POST_M0, 1 + 2 * POST_LR * x, POST_EPOCHS)
    np.testing.assert_allclose(POST_Y - run.y_pred, r, rtol=1e-9, atol=ATOL_RESIDUAL)
    np.testing.assert_allclose(run.loss, (POST_Y - run.y_pred) ** 2, rtol=1e-15)


def test_posts_rule_diverges_for_positive_x():
    x = -POST_X
    run = run_post_example(x, POST_Y, POST_M0, POST_LR, POST_EPOCHS, "post")
    assert np.all(np.diff(run.loss) > 0)
    assert np.all(np.diff(np.abs(run.m)) > 0)
    assert run.loss[-1] > 1e15
    assert abs(run.m[-1]) > 1e6


@pytest.mark.parametrize("x", [POST_X, -POST_X])
def test_correct_gradient_converges_for_either_sign(x):
    # m <- m + 2 lr x (y - m x)  gives  r <- r (1 - 2 lr x^2), a contraction for small lr.
    run = run_post_example(x, POST_Y, POST_M0, POST_LR, POST_EPOCHS, "correct")
    r = residuals(x, POST_Y, POST_M0, 1 - 2 * POST_LR * x * x, POST_EPOCHS)
    np.testing.assert_allclose(POST_Y - run.y_pred, r, rtol=1e-9, atol=ATOL_RESIDUAL)
    # After 1000 epochs |r| has shrunk by (1 - 2 lr x^2)^1000 ~ 1e-11.
    assert run.m[-1] == pytest.approx(POST_Y / x, abs=1e-10)
    assert run.loss[-1] < 1e-20


@pytest.mark.parametrize("m", [-2.0, 0.25, 1.06498435])
@pytest.mark.parametrize("x", [POST_X, 0.7])
def test_post_gradient_against_finite_differences(m, x):
    y = POST_Y
    numeric = numeric_gradient(lambda t: (y - t[0] * x) ** 2, np.array([m]))[0]
    assert post_gradient(m, x, y, "correct") == pytest.approx(numeric, rel=1e-8, abs=1e-10)
    # The post's version drops the factor x and flips the sign.
    assert post_gradient(m, x, y, "post") == pytest.approx(-numeric / x, rel=1e-8, abs=1e-10)


def test_unknown_variant():
    with pytest.raises(ValueError, match="variant"):
        post_gradient(1.0, 1.0, 1.0, "other")
