"""What every model of the app shares once it has a logit: classes and accuracy.

A model gives ``logits(theta, X)`` (the raw output, ``(n,)``) and a ``threshold``; the
predicted class is 1 where the logit reaches the threshold.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class LogitClassifier:
    """``predict`` and ``accuracy`` from a subclass's ``logits`` and ``threshold``."""

    threshold: float  # class 1 when the raw prediction z >= threshold

    def logits(self, theta: FloatArray, X: FloatArray) -> FloatArray:
        raise NotImplementedError

    def predict(self, theta: FloatArray, X: FloatArray) -> NDArray[np.int64]:
        """Predicted class 0/1, shape ``(n,)``."""
        return (self.logits(theta, X) >= self.threshold).astype(np.int64)

    def accuracy(self, theta: FloatArray, X: FloatArray, y: FloatArray) -> float:
        """Fraction of samples whose predicted class equals ``y``, in [0, 1]."""
        return self._accuracy(self.logits(theta, X), y)

    def _accuracy(self, z: FloatArray, y: FloatArray) -> float:
        return np.count_nonzero((z >= self.threshold) == y) / z.shape[0]
