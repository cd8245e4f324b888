"""Finite-difference checks of analytic gradients.

Maths
-----
For a scalar function ``f`` of a flat parameter vector ``theta`` of shape ``(p,)``, the
central difference along coordinate ``j`` with step ``h`` is

    numeric_j = (f(theta + h e_j) - f(theta - h e_j)) / (2 h)

whose error is ``O(h^2)`` from truncation plus about ``eps |f| / h`` from rounding
(``eps`` ~ 2.2e-16), so ``h = 1e-6`` leaves roughly 1e-10 on a cost of order 1.
Agreement is measured per entry by the symmetric relative error

    rel_j = |a_j - n_j| / max(|a_j| + |n_j|, floor)        floor = 1e-12 unless given

which lies in [0, 1] and is 1 when the two have opposite signs; rel_j <= rtol says the two
lie within 2 rtol of their mean size.  An entry whose true value is 0 is dominated by
rounding noise, so ``agrees`` also accepts two entries that differ by at most ``atol``
(the floor becomes atol / rtol).  This is the one rule of the project: the graph panel's
nudge check uses it too.

Shapes
------
``theta``, the analytic gradient, the numeric gradient and the relative errors are all
``(p,)``.  ``f`` must not keep a reference to the vector it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["GradCheck", "agrees", "check_gradient", "numeric_gradient", "relative_error"]

FloatArray = NDArray[np.float64]


class GradCheck(NamedTuple):
    """Result of ``check_gradient``: both gradients, their per-entry relative error, verdict."""

    analytic: FloatArray
    numeric: FloatArray
    rel_error: FloatArray
    ok: bool


def numeric_gradient(
    f: Callable[[FloatArray], float], theta: ArrayLike, h: float = 1e-6
) -> FloatArray:
    """Central-difference gradient of the scalar function ``f`` at ``theta``; shape of ``theta``."""
    base = np.array(theta, dtype=np.float64)
    flat = base.reshape(-1)
    grad = np.empty_like(flat)
    for j in range(flat.size):
        keep = flat[j]
        flat[j] = keep + h
        f_plus = float(f(base.copy()))
        flat[j] = keep - h
        f_minus = float(f(base.copy()))
        flat[j] = keep
        grad[j] = (f_plus - f_minus) / (2.0 * h)
    return grad.reshape(base.shape)


def relative_error(analytic: ArrayLike, numeric: ArrayLike, floor: float = 1e-12) -> FloatArray:
    """``|a - n| / max(|a| + |n|, floor)`` elementwise."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)


def agrees(analytic: ArrayLike, numeric: ArrayLike, rtol: float, atol: float = 0.0) -> NDArray:
    """Per entry: relative error at most ``rtol``, or ``|a - n| <= atol`` where both are tiny.

    A nan on either side never agrees.
    """
    floor = max(atol / rtol, 1e-12)
    return relative_error(analytic, numeric, floor) <= rtol


def check_gradient(
    f: Callable[[FloatArray], float],
    grad_f: Callable[[FloatArray], ArrayLike],
    theta: ArrayLike,
    h: float = 1e-6,
    tol: float = 1e-6,
) -> GradCheck:
    """Compare ``grad_f(theta)`` with central differences of ``f``; ``ok`` if every entry's
    relative error is at most ``tol``."""
    theta = np.array(theta, dtype=np.float64)
    analytic = np.asarray(grad_f(theta.copy()), dtype=np.float64)
    numeric = numeric_gradient(f, theta, h)
    rel = relative_error(analytic, numeric)
    return GradCheck(analytic, numeric, rel, bool(np.all(agrees(analytic, numeric, tol))))
