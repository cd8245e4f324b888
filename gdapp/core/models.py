"""Linear models for binary labels, and the source post's one-weight example.

Conventions
-----------
- ``X`` is ``(n_samples, n_features)`` = ``(n, d)``; ``y`` is ``(n,)`` with labels 0/1.
- ``theta`` is a flat float64 vector of length ``d + 1``: the weights ``w_1..w_d`` then
  the bias ``b`` LAST.  With ``fit_bias=False`` the bias slot is ignored by every
  prediction and its gradient is 0, so it stays at 0 during training.

Maths
-----
Raw prediction ``z = X w + b`` (shape ``(n,)``).  With a per-sample loss ``l(z_i, y_i)``
from ``losses.py`` and an L2 penalty on the weights only (never on the bias):

    J(theta)  = (1/n) sum_i l(z_i, y_i) + (l2/2) ||w||^2
    dJ/dw     = X^T (dl/dz) / n + l2 w          shape (d,)
    dJ/db     = mean(dl/dz)                      0 when fit_bias is False

    LogisticModel: l = binary cross-entropy on the logit z, dl/dz = sigmoid(z) - y,
                   probability sigmoid(z), class 1 when z >= 0 (probability >= 0.5).
    LinearModel:   l = (z - y)^2, dl/dz = 2 (z - y),
                   "probability" clip(z, 0, 1), class 1 when z >= 0.5.

For one sample ``x`` of shape ``(d,)`` the per-sample gradient (no penalty, no mean) is
``dl/dz * [x, 1]`` (``[x, 0]`` without a bias).

The post's example
------------------
The post fits ``y_hat = m x`` to one point with the squared error ``(y - m x)^2``.  The
correct derivative is ``d/dm (y - m x)^2 = -2 x (y - m x)``; the post's code uses
``2 (y - m x)``, which drops the factor ``x`` and flips the sign.  For ``x < 0`` the two
point the same way (the post's run converges, just at a different speed); for ``x > 0``
the post's rule climbs the loss and ``m`` runs away.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from gdapp.core.classifier import LogitClassifier
from gdapp.core.functional import sigmoid
from gdapp.core.losses import BCE_WITH_LOGITS, SQUARED_ERROR, Loss
from gdapp.core.mlp import MLPModel

__all__ = [
    "MODEL_NAMES",
    "POST_EPOCHS",
    "POST_FINAL_M",
    "POST_LR",
    "POST_M0",
    "POST_PRINTED",
    "POST_X",
    "POST_Y",
    "LinearModel",
    "LogisticModel",
    "MLPModel",
    "Model",
    "PostTrajectory",
    "make_model",
    "post_gradient",
    "run_post_example",
]

FloatArray = NDArray[np.float64]
MODEL_NAMES = ("logistic", "linear", "mlp")


class _LinearPredictor(LogitClassifier):
    """Shared parameter layout and cost for a model whose raw prediction is ``X w + b``."""

    name: str = ""
    loss_fn: Loss
    threshold: float  # class 1 when the raw prediction z >= threshold

    def __init__(self, fit_bias: bool = True, l2: float = 0.0) -> None:
        l2 = float(l2)
        if not (np.isfinite(l2) and l2 >= 0.0):
            raise ValueError(f"l2 must be a finite number >= 0, got {l2!r}.")
        self.fit_bias = bool(fit_bias)
        self.l2 = l2

    def __repr__(self) -> str:
        return f"{type(self).__name__}(fit_bias={self.fit_bias}, l2={self.l2!r})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and other.fit_bias == self.fit_bias  # type: ignore[attr-defined]
            and other.l2 == self.l2  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self), self.fit_bias, self.l2))

    # -- layout --------------------------------------------------------------------
    def n_params(self, d: int) -> int:
        """Length of ``theta`` for ``d`` features: ``d`` weights and the bias."""
        return int(d) + 1

    def n_features(self, p: int) -> int:
        """The ``d`` whose parameter vector has length ``p``."""
        return int(p) - 1

    def param_names(self, feature_names: list[str] | tuple[str, ...]) -> list[str]:
        """A name per entry of ``theta``: the feature names, then ``bias``."""
        return [*feature_names, "bias"]

    def weight_mask(self, d: int) -> NDArray[np.bool_]:
        """True for the entries the L2 penalty applies to (the weights), False for the bias."""
        mask = np.ones(int(d) + 1, dtype=bool)
        mask[-1] = False
        return mask

    def initial_parameters(self, d: int, seed: int) -> FloatArray:
        """The default start: every parameter 0 (a linear model's cost is convex)."""
        del seed
        return np.zeros(int(d) + 1)

    # -- predictions ---------------------------------------------------------------
    def logits(self, theta: FloatArray, X: FloatArray) -> FloatArray:
        """Raw prediction ``z = X w + b``, shape ``(n,)``."""
        z = X @ theta[:-1]
        if self.fit_bias:
            z += theta[-1]
        return z

    def predict_proba(self, theta: FloatArray, X: FloatArray) -> FloatArray:
        """Predicted probability of class 1, shape ``(n,)``."""
        raise NotImplementedError

    # -- cost and gradient ---------------------------------------------------------
    def _penalty(self, theta: FloatArray) -> float:
        if self.l2 == 0.0:
            return 0.0
        w = theta[:-1]
        return 0.5 * self.l2 * float(w @ w)

    def loss(self, theta: FloatArray, X: FloatArray, y: FloatArray) -> float:
        """Mean loss over the rows of ``X`` plus ``(l2/2) ||w||^2``."""
        return float(self.loss_fn.value(self.logits(theta, X), y).mean()) + self._penalty(theta)

    def _from_logits(
        self, theta: FloatArray, X: FloatArray, y: FloatArray, z: FloatArray
    ) -> tuple[float, FloatArray]:
        values, dz = self.loss_fn.value_and_gradient(z, y)
        n = z.shape[0]
        grad = np.empty(theta.shape[0])
        np.matmul(dz, X, out=grad[:-1])
        if self.fit_bias:
            grad[-1] = dz.sum()
            grad /= n
        else:
            grad[:-1] /= n
            grad[-1] = 0.0
        loss = float(values.sum()) / n
        if self.l2 != 0.0:
            w = theta[:-1]
            loss += 0.5 * self.l2 * float(w @ w)
            grad[:-1] += self.l2 * w
        return loss, grad

    def loss_and_grad(
        self, theta: FloatArray, X: FloatArray, y: FloatArray
    ) -> tuple[float, FloatArray]:
        """Cost ``J(theta)`` and its gradient, shape ``(d + 1,)``."""
        return self._from_logits(theta, X, y, self.logits(theta, X))

    def loss_grad_and_accuracy(
        self, theta: FloatArray, X: FloatArray, y: FloatArray
    ) -> tuple[float, FloatArray, float]:
        """``loss_and_grad`` and ``accuracy`` from a single forward pass."""
        z = self.logits(theta, X)
        loss, grad = self._from_logits(theta, X, y, z)
        return loss, grad, self._accuracy(z, y)

    def loss_and_accuracy(
        self, theta: FloatArray, X: FloatArray, y: FloatArray
    ) -> tuple[float, float]:
        """``loss`` and ``accuracy`` from a single forward pass (no gradient)."""
        z = self.logits(theta, X)
        loss = float(self.loss_fn.value(z, y).sum()) / z.shape[0]
        if self.l2 != 0.0:
            loss += self._penalty(theta)
        return loss, self._accuracy(z, y)

    def per_row_grads(self, theta: FloatArray, X: FloatArray, y: FloatArray) -> FloatArray:
        """Each row's gradient of its own loss ``l(z_i, y_i)``: ``(n, d + 1)``, no mean, no penalty.

        Row ``i`` is ``dl/dz_i * [x_i, 1]`` (``[x_i, 0]`` without a bias), so
        ``per_row_grads(theta, X, y).mean(0) + penalty_grad(theta)`` is ``loss_and_grad``'s
        gradient.
        """
        dz = self.loss_fn.gradient(self.logits(theta, X), y)
        grads = np.empty((X.shape[0], theta.shape[0]))
        np.multiply(X, dz[:, None], out=grads[:, :-1])
        grads[:, -1] = dz if self.fit_bias else 0.0
        return grads

    def penalty_grad(self, theta: FloatArray) -> FloatArray:
        """Gradient of ``(l2/2) ||w||^2``: ``l2 * w``, then 0 for the bias; ``(d + 1,)``."""
        grad = np.zeros(theta.shape[0])
        if self.l2 != 0.0:
            grad[:-1] = self.l2 * theta[:-1]
        return grad

    def per_sample_grad(self, theta: FloatArray, x: FloatArray, y: float) -> FloatArray:
        """Gradient of one sample's loss ``l(z, y)`` (no penalty, no mean); ``x`` is ``(d,)``."""
        x = np.asarray(x, dtype=np.float64)
        z = float(x @ theta[:-1]) + (float(theta[-1]) if self.fit_bias else 0.0)
        dz = float(self.loss_fn.gradient(np.array([z]), np.array([float(y)]))[0])
        grad = np.zeros(theta.shape[0])
        grad[:-1] = dz * x
        if self.fit_bias:
            grad[-1] = dz
        return grad


class LogisticModel(_LinearPredictor):
    """Logistic regression: ``P(y = 1 | x) = sigmoid(x . w + b)``, mean cross-entropy cost."""

    name = "logistic"
    loss_fn = BCE_WITH_LOGITS
    threshold = 0.0

    def predict_proba(self, theta: FloatArray, X: FloatArray) -> FloatArray:
        return np.asarray(sigmoid(self.logits(theta, X)))


class LinearModel(_LinearPredictor):
    """Least squares on the 0/1 labels: ``y_hat = x . w + b``, mean squared-error cost."""

    name = "linear"
    loss_fn = SQUARED_ERROR
    threshold = 0.5

    def predict_proba(self, theta: FloatArray, X: FloatArray) -> FloatArray:
        return np.clip(self.logits(theta, X), 0.0, 1.0)


Model = LogisticModel | LinearModel | MLPModel


def make_model(
    name: str,
    fit_bias: bool = True,
    l2: float = 0.0,
    *,
    hidden: int = 4,
    activation: str = "tanh",
) -> Model:
    """The model called ``name`` (one of ``MODEL_NAMES``).

    ``hidden`` and ``activation`` shape the hidden layer of ``"mlp"``; the others ignore them.
    """
    if name == "logistic":
        return LogisticModel(fit_bias=fit_bias, l2=l2)
    if name == "linear":
        return LinearModel(fit_bias=fit_bias, l2=l2)
    if name == "mlp":
        return MLPModel(hidden=hidden, activation=activation, fit_bias=fit_bias, l2=l2)
    raise ValueError(f"Unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}.")


# -- the post's one-weight example -----------------------------------------------------
# The post prints its random start rounded to 8 decimals: x = -1.12242755, m = 1.06498435,
# y = -0.290105.  Replayed from those rounded numbers, 11 of the 20 printed y_pred and m
# values come out one unit off in the 8th decimal.  The values below print exactly as the
# post's start and were recovered from the losses it prints to 16 significant digits: the
# loss is r^2 with the residual r = y - m x shrinking by (1 + 2 lr x) per epoch, so the ratio
# of two printed losses fixes x and the first loss fixes y - m x; the printed 8-decimal
# values then fix m and y.  With them the replay matches every printed y_pred and m digit
# for digit and every printed loss to 2.6e-11 relative.
POST_X = -1.1224275495600955  # the post's feature value, printed as -1.12242755
POST_M0 = 1.064984352936836  # the post's starting weight, printed as 1.06498435
POST_Y = -0.290105004685  # the post's target, printed as -0.290105
POST_LR = 0.01
POST_EPOCHS = 1000
# What the post printed every 100 epochs: (epoch, y_pred, loss, m after the update).
POST_PRINTED = (
    (0, -1.19536778, 0.8195006880017411, 1.0468791),
    (100, -0.38358895, 0.008739248374301, 0.33987973),
    (200, -0.29975883, 9.319633682547794e-05, 0.26686989),
    (300, -0.29110193, 9.938563164344092e-07, 0.25933037),
    (400, -0.29020795, 1.0598596590384224e-08, 0.25855178),
    (500, -0.29011564, 1.1302463728896095e-10, 0.25847138),
    (600, -0.2901061, 1.205307563391514e-12, 0.25846308),
    (700, -0.29010512, 1.2853536663934478e-14, 0.25846222),
    (800, -0.29010502, 1.3707157234604092e-16, 0.25846213),
    (900, -0.29010501, 1.4617465301232346e-18, 0.25846212),
)
POST_FINAL_M = 0.25846212

PostVariant = Literal["post", "correct"]


class PostTrajectory(NamedTuple):
    """One run of the post's loop; each array has length ``epochs``.

    ``y_pred[e]`` and ``loss[e]`` are computed before the update of epoch ``e`` and
    ``m[e]`` after it, which is the order in which the post prints them.
    """

    y_pred: FloatArray
    loss: FloatArray
    m: FloatArray


def post_gradient(m: float, x: float, y: float, variant: PostVariant) -> float:
    """Gradient used to update ``m`` for the loss ``(y - m x)^2``.

    ``"post"``: ``2 (y - m x)``, as printed in the post (no factor x, opposite sign).
    ``"correct"``: ``-2 x (y - m x)``, the true derivative.
    """
    residual = y - m * x
    if variant == "post":
        return 2.0 * residual
    if variant == "correct":
        return -2.0 * x * residual
    raise ValueError(f"Unknown variant {variant!r}; choose 'post' or 'correct'.")


def run_post_example(
    x: float,
    y: float,
    m0: float,
    lr: float = POST_LR,
    epochs: int = POST_EPOCHS,
    variant: PostVariant = "post",
) -> PostTrajectory:
    """Replay the post's loop ``m -= lr * gradient`` for ``epochs`` epochs.

    Python floats are IEEE doubles, so this repeats the post's NumPy arithmetic exactly.
    A diverging run may overflow to ``inf``; the values are returned as they are.
    """
    x, y, m = float(x), float(y), float(m0)
    y_preds, losses, ms = [], [], []
    for _ in range(int(epochs)):
        y_pred = m * x
        residual = y - y_pred
        y_preds.append(y_pred)
        losses.append(residual * residual)
        m -= lr * post_gradient(m, x, y, variant)
        ms.append(m)
    return PostTrajectory(np.array(y_preds), np.array(losses), np.array(ms))
