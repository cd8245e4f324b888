"""Per-sample losses of a raw prediction, with their derivatives.

Maths
-----
A linear model produces one raw prediction per sample, ``z_i = x_i . w + b``.  A loss
``l(z_i, y_i)`` compares it with the label; the model's cost is the mean over samples.
Each loss here gives, elementwise,

    value(z, y)              l(z_i, y_i)
    gradient(z, y)           dl/dz_i
    value_and_gradient(z, y) both, sharing the work

    binary cross-entropy on logits (labels y in [0, 1]):
        l      = softplus(z) - y z            softplus(z) = log(1 + exp(z))
        dl/dz  = sigmoid(z) - y               sigmoid(z) = exp(z - softplus(z))
    squared error:
        l      = (z - y)^2
        dl/dz  = 2 (z - y)

The chain rule then gives the model's gradient: ``dJ/dw = X^T (dl/dz) / n`` and
``dJ/db = mean(dl/dz)`` (see ``models.py``).

Writing ``sigmoid(z) = exp(z - softplus(z))`` reuses the softplus already computed for
the value: ``z - softplus(z) = log(sigmoid(z)) <= 0``, so the ``exp`` never overflows.

Shapes
------
``z`` and ``y`` are ``(n_samples,)`` float arrays (or scalars); every output has the
shape of ``z``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from gdapp.core.functional import softplus

__all__ = ["BCE_WITH_LOGITS", "LOSSES", "SQUARED_ERROR", "Loss", "get_loss"]

FloatArray = NDArray[np.float64]


class Loss(NamedTuple):
    """A per-sample loss of a raw prediction ``z`` against a label ``y``."""

    name: str
    value: Callable[[FloatArray, FloatArray], FloatArray]
    gradient: Callable[[FloatArray, FloatArray], FloatArray]
    value_and_gradient: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]


def _softplus(z: FloatArray) -> FloatArray:
    return np.asarray(softplus(z))


def _bce_value(z: FloatArray, y: FloatArray) -> FloatArray:
    z = np.asarray(z, dtype=np.float64)
    return _softplus(z) - y * z


def _bce_value_and_gradient(z: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    z = np.asarray(z, dtype=np.float64)
    sp = _softplus(z)
    dz = z - sp
    np.exp(dz, out=dz)
    dz -= y
    return sp - y * z, dz


def _bce_gradient(z: FloatArray, y: FloatArray) -> FloatArray:
    return _bce_value_and_gradient(z, y)[1]


def _se_value(z: FloatArray, y: FloatArray) -> FloatArray:
    r = np.asarray(z, dtype=np.float64) - y
    return r * r


def _se_gradient(z: FloatArray, y: FloatArray) -> FloatArray:
    return 2.0 * (np.asarray(z, dtype=np.float64) - y)


def _se_value_and_gradient(z: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    r = np.asarray(z, dtype=np.float64) - y
    return r * r, 2.0 * r


BCE_WITH_LOGITS = Loss("bce_with_logits", _bce_value, _bce_gradient, _bce_value_and_gradient)
SQUARED_ERROR = Loss("squared_error", _se_value, _se_gradient, _se_value_and_gradient)
LOSSES: dict[str, Loss] = {loss.name: loss for loss in (BCE_WITH_LOGITS, SQUARED_ERROR)}


def get_loss(name: str) -> Loss:
    """The loss called ``name`` (one of ``LOSSES``)."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"Unknown loss {name!r}; choose one of {', '.join(LOSSES)}.") from None
