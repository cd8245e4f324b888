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
        dl/dz  = sigmoid(z) - y
    squared error:
        l      = (z - y)^2
        dl/dz  = 2 (z - y)

The chain rule then gives the model's gradient: ``dJ/dw = X^T (dl/dz) / n`` and
``dJ/db = mean(dl/dz)`` (see ``models.py``).

The values come from ``functional.py``, where each loss and the sigmoid are defined once;
the landscape, the computation graph and the lesson figures use these same functions.

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

from gdapp.core.functional import bce_with_logits, sigmoid, squared_error

__all__ = ["BCE_WITH_LOGITS", "LOSSES", "SQUARED_ERROR", "Loss", "get_loss"]

FloatArray = NDArray[np.float64]


class Loss(NamedTuple):
    """A per-sample loss of a raw prediction ``z`` against a label ``y``."""

    name: str
    value: Callable[[FloatArray, FloatArray], FloatArray]
    gradient: Callable[[FloatArray, FloatArray], FloatArray]
    value_and_gradient: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]


def _bce_value(z: FloatArray, y: FloatArray) -> FloatArray:
    return np.asarray(bce_with_logits(z, y))


def _bce_gradient(z: FloatArray, y: FloatArray) -> FloatArray:
    return np.asarray(sigmoid(z)) - y


def _bce_value_and_gradient(z: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _bce_value(z, y), _bce_gradient(z, y)


def _se_value(z: FloatArray, y: FloatArray) -> FloatArray:
    return np.asarray(squared_error(z, y))


def _se_gradient(z: FloatArray, y: FloatArray) -> FloatArray:
    return 2.0 * (np.asarray(z, dtype=np.float64) - y)


def _se_value_and_gradient(z: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _se_value(z, y), _se_gradient(z, y)


BCE_WITH_LOGITS = Loss("bce_with_logits", _bce_value, _bce_gradient, _bce_value_and_gradient)
SQUARED_ERROR = Loss("squared_error", _se_value, _se_gradient, _se_value_and_gradient)
LOSSES: dict[str, Loss] = {loss.name: loss for loss in (BCE_WITH_LOGITS, SQUARED_ERROR)}


def get_loss(name: str) -> Loss:
    """The loss called ``name`` (one of ``LOSSES``)."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"Unknown loss {name!r}; choose one of {', '.join(LOSSES)}.") from None
