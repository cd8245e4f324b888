"""One hidden layer: the first step past logistic regression.

Conventions
-----------
- ``X`` is ``(n, d)``, ``y`` is ``(n,)`` with labels 0/1, ``h`` hidden units (2..16).
- ``theta`` is flat, length ``p = h d + 2 h + 1``, in this order::

      W1  (h, d) row-major   unit j's weights on the d features are theta[j d : (j + 1) d]
      b1  (h,)               the hidden units' biases
      w2  (h,)               the output's weights on the hidden units
      b2  ()                 the output's bias, LAST (as for the linear models)

  With ``fit_bias=False`` both ``b1`` and ``b2`` are ignored by every prediction and their
  gradients are 0, so they stay at 0.

Maths
-----
Forward, for every row at once::

    A = X W1^T + b1          pre-activations, (n, h)
    H = act(A)               act = tanh, or relu(a) = max(a, 0)
    z = H w2 + b2            the output logit, (n,)
    P(y = 1 | x) = sigmoid(z), class 1 when z >= 0

Cost: mean binary cross-entropy on the logit plus ``(l2/2)(||W1||^2 + ||w2||^2)`` (the
weights only, never a bias).  Backward (chain rule, dl/dz = sigmoid(z) - y per row)::

    dz  = sigmoid(z) - y                     (n,)
    dw2 = H^T dz / n + l2 w2                 (h,)
    db2 = mean(dz)
    dA  = (dz w2^T) * act'(A)                (n, h);  tanh' = 1 - H^2, relu' = [A > 0]
    dW1 = dA^T X / n + l2 W1                 (h, d)
    db1 = mean over rows of dA               (h,)

ReLU's derivative at exactly 0 is taken as 0.

Why the start cannot be zero: with every weight 0, each hidden unit computes the same
thing and receives the same gradient (here exactly 0, since w2 = 0 and H = 0), so the units
never become different.  ``initial_parameters`` draws a small random start instead.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gdapp.core.classifier import LogitClassifier
from gdapp.core.functional import sigmoid
from gdapp.core.losses import BCE_WITH_LOGITS

__all__ = [
    "ACTIVATIONS",
    "HIDDEN_RANGE",
    "MLPModel",
    "MLPParts",
]

FloatArray = NDArray[np.float64]
ACTIVATIONS = ("tanh", "relu")
HIDDEN_RANGE = (2, 16)


class MLPParts:
    """Views of a flat parameter vector as ``W1 (h, d)``, ``b1 (h,)``, ``w2 (h,)``, ``b2``."""

    __slots__ = ("W1", "b1", "b2", "w2")

    def __init__(self, theta: FloatArray, d: int, h: int) -> None:
        hd = h * d
        self.W1 = theta[:hd].reshape(h, d)
        self.b1 = theta[hd : hd + h]
        self.w2 = theta[hd + h : hd + 2 * h]
        self.b2 = theta[hd + 2 * h]


class MLPModel(LogitClassifier):
    """One hidden layer of ``hidden`` tanh or ReLU units and a sigmoid output; see the module."""

    name = "mlp"
    loss_fn = BCE_WITH_LOGITS
    threshold = 0.0

    def __init__(
        self, hidden: int = 4, activation: str = "tanh", fit_bias: bool = True, l2: float = 0.0
    ) -> None:
        if isinstance(hidden, bool) or not isinstance(hidden, (int, np.integer)):
            raise ValueError(f"hidden must be a whole number of units, got {hidden!r}.")
        lo, hi = HIDDEN_RANGE
        if not lo <= int(hidden) <= hi:
            raise ValueError(f"hidden must be between {lo} and {hi} units, got {hidden}.")
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"Unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}."
            )
        l2 = float(l2)
        if not (np.isfinite(l2) and l2 >= 0.0):
            raise ValueError(f"l2 must be a finite number >= 0, got {l2!r}.")
        self.hidden = int(hidden)
        self.activation = activation
        self.fit_bias = bool(fit_bias)
        self.l2 = l2

    def __repr__(self) -> str:
        return (
            f"MLPModel(hidden={self.hidden}, activation={self.activation!r}, "
            f"fit_bias={self.fit_bias}, l2={self.l2!r})"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MLPModel) and (
            other.hidden,
            other.activation,
            other.fit_bias,
            other.l2,
        ) == (self.hidden, self.activation, self.fit_bias, self.l2)

    def __hash__(self) -> int:
        return hash((MLPModel, self.hidden, self.activation, self.fit_bias, self.l2))

    # -- layout --------------------------------------------------------------------
    def n_params(self, d: int) -> int:
        """Length of ``theta`` for ``d`` features: ``h d + 2 h + 1``."""
        return self.hidden * int(d) + 2 * self.hidden + 1

    def n_features(self, p: int) -> int:
        """The ``d`` whose parameter vector has length ``p``."""
        d, rest = divmod(int(p) - 2 * self.hidden - 1, self.hidden)
        if rest or d < 1:
            raise ValueError(f"{p} parameters do not fit {self.hidden} hidden units.")
        return d

    def parts(self, theta: FloatArray, d: int | None = None) -> MLPParts:
        """``theta`` seen as ``W1, b1, w2, b2`` (views, not copies)."""
        d = self.n_features(theta.shape[0]) if d is None else int(d)
        return MLPParts(theta, d, self.hidden)

    def param_names(self, feature_names: list[str] | tuple[str, ...]) -> list[str]:
        """A short name per entry of ``theta``.

        ``h1:glucose`` … (W1), ``h1:bias`` … (b1), ``out:h1`` … (w2), ``out:bias`` (b2).
        """
        h = self.hidden
        names = [f"h{j + 1}:{f}" for j in range(h) for f in feature_names]
        names += [f"h{j + 1}:bias" for j in range(h)]
        names += [f"out:h{j + 1}" for j in range(h)]
        return [*names, "out:bias"]

    def weight_mask(self, d: int) -> NDArray[np.bool_]:
        """True for the entries the L2 penalty applies to (``W1`` and ``w2``), False for biases."""
        mask = np.zeros(self.n_params(d), dtype=bool)
        h = self.hidden
        mask[: h * d] = True
        mask[h * d + h : h * d + 2 * h] = True
        return mask

    def bias_mask(self, d: int) -> NDArray[np.bool_]:
        """True for ``b1`` and ``b2``."""
        return ~self.weight_mask(d)

    def initial_parameters(self, d: int, seed: int) -> FloatArray:
        """A small seeded random start: weights ``N(0, 1/fan_in)``, biases 0."""
        rng = np.random.default_rng([int(seed), 7919])
        theta = np.zeros(self.n_params(d))
        parts = self.parts(theta, d)
        parts.W1[...] = rng.normal(0.0, 1.0 / np.sqrt(d), (self.hidden, d))
        parts.w2[...] = rng.normal(0.0, 1.0 / np.sqrt(self.hidden), self.hidden)
        return theta

    # -- forward -------------------------------------------------------------------
    def _act(self, A: FloatArray) -> FloatArray:
        return np.tanh(A) if self.activation == "tanh" else np.maximum(A, 0.0)

    def _act_slope(self, A: FloatArray, H: FloatArray) -> FloatArray:
        if self.activation == "tanh":
            return 1.0 - H * H
        return (A > 0.0).astype(np.float64)

    def forward(
        self, theta: FloatArray, X: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``(A, H, z)`` for every row: pre-activations, hidden values and the output logit."""
        X = np.asarray(X, dtype=np.float64)
        parts = self.parts(theta, X.shape[1])
        A = X @ parts.W1.T
        if self.fit_bias:
            A += parts.b1
        H = self._act(A)
        z = H @ parts.w2
        if self.fit_bias:
            z += parts.b2
        return A, H, z

    def hidden_values(self, theta: FloatArray, X: FloatArray) -> FloatArray:
        """The hidden units' outputs ``H``, ``(n, h)``."""
        return self.forward(theta, X)[1]

    def logits(self, theta: FloatArray, X: FloatArray) -> FloatArray:
        """The output logit ``z``, ``(n,)``."""
        return self.forward(theta, X)[2]

    def predict_proba(self, theta: FloatArray, X: FloatArray) -> FloatArray:
        return np.asarray(sigmoid(self.logits(theta, X)))

    # -- cost and gradient ---------------------------------------------------------
    def _penalty(self, theta: FloatArray, d: int) -> float:
        if self.l2 == 0.0:
            return 0.0
        w = theta[self.weight_mask(d)]
        return 0.5 * self.l2 * float(w @ w)

    def penalty_grad(self, theta: FloatArray) -> FloatArray:
        """Gradient of ``(l2/2)(||W1||^2 + ||w2||^2)``: ``l2`` times the weights, 0 on biases."""
        d = self.n_features(theta.shape[0])
        return np.where(self.weight_mask(d), self.l2 * theta, 0.0)

    def loss(self, theta: FloatArray, X: FloatArray, y: FloatArray) -> float:
        z = self.logits(theta, X)
        return float(self.loss_fn.value(z, y).mean()) + self._penalty(theta, X.shape[1])

    def _row_terms(
        self, theta: FloatArray, X: FloatArray, y: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """``(z, values, dz, H, dA)``: logits, per-row losses and the backward pass's factors."""
        X = np.asarray(X, dtype=np.float64)
        A, H, z = self.forward(theta, X)
        values, dz = self.loss_fn.value_and_gradient(z, y)
        parts = self.parts(theta, X.shape[1])
        dA = np.outer(dz, parts.w2)
        dA *= self._act_slope(A, H)
        return z, values, dz, H, dA

    def _assemble(
        self, dW1: FloatArray, db1: FloatArray, dw2: FloatArray, db2: FloatArray | float
    ) -> FloatArray:
        return np.concatenate([dW1.ravel(), db1, dw2, [db2]])

    def loss_and_grad(
        self, theta: FloatArray, X: FloatArray, y: FloatArray
    ) -> tuple[float, FloatArray]:
        """Cost ``J(theta)`` and its gradient, shape ``(p,)``."""
        loss, grad, _ = self.loss_grad_and_accuracy(theta, X, y)
        return loss, grad

    def loss_grad_and_accuracy(
        self, theta: FloatArray, X: FloatArray, y: FloatArray
    ) -> tuple[float, FloatArray, float]:
        X = np.asarray(X, dtype=np.float64)
        n, d = X.shape
        z, values, dz, H, dA = self._row_terms(theta, X, y)
        if self.fit_bias:
            db1, db2 = dA.sum(axis=0) / n, float(dz.sum()) / n
        else:
            db1, db2 = np.zeros(self.hidden), 0.0
        grad = self._assemble((dA.T @ X) / n, db1, (H.T @ dz) / n, db2)
        loss = float(values.sum()) / n
        if self.l2 != 0.0:
            loss += self._penalty(theta, d)
            grad += self.penalty_grad(theta)
        return loss, grad, self._accuracy(z, y)

    def loss_and_accuracy(
        self, theta: FloatArray, X: FloatArray, y: FloatArray
    ) -> tuple[float, float]:
        z = self.logits(theta, X)
        loss = float(self.loss_fn.value(z, y).sum()) / z.shape[0]
        loss += self._penalty(theta, X.shape[1])
        return loss, self._accuracy(z, y)

    def per_row_grads(self, theta: FloatArray, X: FloatArray, y: FloatArray) -> FloatArray:
        """Each row's gradient of its own loss (no mean, no penalty), ``(n, p)``."""
        X = np.asarray(X, dtype=np.float64)
        n, d = X.shape
        _, _, dz, H, dA = self._row_terms(theta, X, y)
        out = np.zeros((n, self.n_params(d)))
        h = self.hidden
        out[:, : h * d] = (dA[:, :, None] * X[:, None, :]).reshape(n, h * d)
        out[:, h * d + h : h * d + 2 * h] = dz[:, None] * H
        if self.fit_bias:
            out[:, h * d : h * d + h] = dA
            out[:, -1] = dz
        return out

    def per_sample_grad(self, theta: FloatArray, x: FloatArray, y: float) -> FloatArray:
        """Gradient of one sample's loss (no penalty, no mean); ``x`` is ``(d,)``."""
        x = np.asarray(x, dtype=np.float64).reshape(1, -1)
        return self.per_row_grads(theta, x, np.array([float(y)]))[0]
