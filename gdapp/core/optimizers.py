"""First-order optimizers as pure ``(init, update)`` pairs.

Conventions
-----------
- ``params`` (``theta``) and ``grads`` (``g``) are flat float64 vectors of shape ``(p,)``,
  here ``p = d + 1`` (weights then bias last).
- ``init(params) -> state``; ``update(grads, state, params, lr) -> (updates, new_state)``
  and the caller applies ``new_params = params + updates``.
- A state is a NamedTuple of ints and ``(p,)`` arrays.  ``update`` never modifies its
  arguments: it returns fresh arrays, so keeping old states is all it takes to undo
  steps.  ``lr`` is an argument of ``update``, so it may change between any two steps.

Maths (t = state.count + 1 is the number of the step being taken, g = grads)
-----
    gd        u = -lr g
    momentum  v = beta v + g;                          u = -lr v
    nesterov  v = beta v + g;                          u = -lr (g + beta v)
    adagrad   s = s + g^2;                             u = -lr g / (sqrt(s) + eps)
    rmsprop   s = decay s + (1 - decay) g^2;           u = -lr g / (sqrt(s) + eps)
    adam      mu = b1 mu + (1 - b1) g;  nu = b2 nu + (1 - b2) g^2
              u = -lr mu_hat / (sqrt(nu_hat) + eps),  mu_hat = mu / (1 - b1^t),
                                                      nu_hat = nu / (1 - b2^t)

``nesterov`` is the look-ahead form used by optax and PyTorch: the gradient at the
current point plus the momentum it is about to add.  Squares and square roots are
elementwise.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "OPTIMIZER_NAMES",
    "AdagradState",
    "AdamState",
    "GDState",
    "MomentumState",
    "Optimizer",
    "RMSPropState",
    "adagrad",
    "adam",
    "gd",
    "make_optimizer",
    "momentum",
    "nesterov",
    "rmsprop",
]

FloatArray = NDArray[np.float64]


class GDState(NamedTuple):
    count: int


class MomentumState(NamedTuple):
    count: int
    velocity: FloatArray


class AdagradState(NamedTuple):
    count: int
    sum_sq: FloatArray


class RMSPropState(NamedTuple):
    count: int
    nu: FloatArray


class AdamState(NamedTuple):
    count: int
    mu: FloatArray
    nu: FloatArray


class Optimizer(NamedTuple):
    """A named pair of pure functions; see the module docstring."""

    name: str
    init: Callable[[FloatArray], Any]
    update: Callable[[FloatArray, Any, FloatArray, float], tuple[FloatArray, Any]]


def _check_unit_interval(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}.")
    return value


def _check_positive(name: str, value: float) -> float:
    value = float(value)
    if not (np.isfinite(value) and value > 0.0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}.")
    return value


def gd() -> Optimizer:
    """Plain gradient descent: ``u = -lr g``."""

    def init(params: FloatArray) -> GDState:
        return GDState(0)

    def update(grads: FloatArray, state: GDState, params: FloatArray, lr: float):
        return -lr * grads, GDState(state.count + 1)

    return Optimizer("gd", init, update)


def momentum(beta: float = 0.9) -> Optimizer:
    """Heavy-ball momentum: ``v = beta v + g``, ``u = -lr v``."""
    beta = _check_unit_interval("beta", beta)

    def init(params: FloatArray) -> MomentumState:
        return MomentumState(0, np.zeros_like(params, dtype=np.float64))

    def update(grads: FloatArray, state: MomentumState, params: FloatArray, lr: float):
        v = beta * state.velocity + grads
        return -lr * v, MomentumState(state.count + 1, v)

    return Optimizer("momentum", init, update)


def nesterov(beta: float = 0.9) -> Optimizer:
    """Nesterov momentum (look-ahead form): ``v = beta v + g``, ``u = -lr (g + beta v)``."""
    beta = _check_unit_interval("beta", beta)

    def init(params: FloatArray) -> MomentumState:
        return MomentumState(0, np.zeros_like(params, dtype=np.float64))

    def update(grads: FloatArray, state: MomentumState, params: FloatArray, lr: float):
        v = beta * state.velocity + grads
        return -lr * (grads + beta * v), MomentumState(state.count + 1, v)

    return Optimizer("nesterov", init, update)


def adagrad(eps: float = 1e-8) -> Optimizer:
    """AdaGrad: ``s = s + g^2``, ``u = -lr g / (sqrt(s) + eps)``."""
    eps = _check_positive("eps", eps)

    def init(params: FloatArray) -> AdagradState:
        return AdagradState(0, np.zeros_like(params, dtype=np.float64))

    def update(grads: FloatArray, state: AdagradState, params: FloatArray, lr: float):
        s = state.sum_sq + grads * grads
        return -lr * grads / (np.sqrt(s) + eps), AdagradState(state.count + 1, s)

    return Optimizer("adagrad", init, update)


def rmsprop(decay: float = 0.9, eps: float = 1e-8) -> Optimizer:
    """RMSProp: ``s = decay s + (1 - decay) g^2``, ``u = -lr g / (sqrt(s) + eps)``."""
    decay = _check_unit_interval("decay", decay)
    eps = _check_positive("eps", eps)

    def init(params: FloatArray) -> RMSPropState:
        return RMSPropState(0, np.zeros_like(params, dtype=np.float64))

    def update(grads: FloatArray, state: RMSPropState, params: FloatArray, lr: float):
        s = decay * state.nu + (1.0 - decay) * (grads * grads)
        return -lr * grads / (np.sqrt(s) + eps), RMSPropState(state.count + 1, s)

    return Optimizer("rmsprop", init, update)


def adam(b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> Optimizer:
    """Adam with bias correction; see the module docstring."""
    b1 = _check_unit_interval("b1", b1)
    b2 = _check_unit_interval("b2", b2)
    eps = _check_positive("eps", eps)

    def init(params: FloatArray) -> AdamState:
        zeros = np.zeros_like(params, dtype=np.float64)
        return AdamState(0, zeros, zeros.copy())

    def update(grads: FloatArray, state: AdamState, params: FloatArray, lr: float):
        t = state.count + 1
        mu = b1 * state.mu + (1.0 - b1) * grads
        nu = b2 * state.nu + (1.0 - b2) * (grads * grads)
        mu_hat = mu / (1.0 - b1**t)
        nu_hat = nu / (1.0 - b2**t)
        return -lr * mu_hat / (np.sqrt(nu_hat) + eps), AdamState(t, mu, nu)

    return Optimizer("adam", init, update)


_FACTORIES: dict[str, Callable[..., Optimizer]] = {
    "gd": gd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
}
OPTIMIZER_NAMES = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
# What a learner reads for each name: the controls, the landscape's key, lesson answers.
OPTIMIZER_LABELS = {
    "gd": "Gradient descent",
    "momentum": "Momentum",
    "nesterov": "Nesterov momentum",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
}


def run_label(optimizer: str, lr: float, batch_size: int | None = None) -> str:
    """A run as a learner reads it: "Momentum (α = 0.1)", "Adam (α = 0.1, batch 32)"."""
    batch = "" if batch_size is None else f", batch {batch_size}"
    return f"{OPTIMIZER_LABELS.get(optimizer, optimizer)} (α = {lr:g}{batch})"


def make_optimizer(name: str, **hyper: float) -> Optimizer:
    """The optimizer called ``name`` (one of ``OPTIMIZER_NAMES``) with hyperparameters ``hyper``."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise ValueError(
            f"Unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZER_NAMES)}."
        ) from None
    unknown = sorted(set(hyper) - set(inspect.signature(factory).parameters))
    if unknown:
        raise ValueError(f"Optimizer {name!r} has no hyperparameter {', '.join(unknown)}.")
    return factory(**hyper)
