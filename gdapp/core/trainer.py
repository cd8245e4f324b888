"""Training one step at a time, with a full history, exact step back and stop rules.

Conventions
-----------
- ``X_train`` is ``(n, d)``, ``y_train`` is ``(n,)``; an optional test set has the same
  ``d``.  ``theta`` is ``(d + 1,)``: weights then bias last (see ``models.py``).
- Step ``k`` (``k = 1, 2, ...``) is the ``k``-th optimizer update; history row ``k`` holds
  the parameters after it, row 0 the initial parameters.  ``len(history) ==
  step_count + 1``.

Maths
-----
One step on the mini-batch ``B_k = batch_indices(n, batch_size, seed, k - 1)``:

    g_k            = grad J_B(theta_{k-1})                (theta_{k-1} is (d + 1,))
    u_k, state_k   = optimizer.update(g_k, state_{k-1}, theta_{k-1}, lr_k)
    theta_k        = theta_{k-1} + u_k

and then, on the full training set (and the test set when there is one),
``J(theta_k)``, ``grad J(theta_k)`` and the accuracy are recorded in row ``k``.  With a
full batch, ``g_k`` is exactly the gradient recorded in row ``k - 1``, so it is reused
instead of computed twice.

Epochs count samples seen: after ``k`` steps of ``ceil(n / batch_size)`` batches per
epoch, ``epoch = (full_epochs * n + samples_in_current_epoch) / n``; this equals
``k * batch_size / n`` whenever ``batch_size`` divides ``n`` and is ``k`` for a full
batch.

Stop rules, checked after every step:
- divergence: if ``J(theta_k)`` is not finite or exceeds ``DIVERGENCE_FACTOR *
  max(1, J(theta_0))`` the step is not committed (theta, optimizer state and history stay
  as they were) and the status becomes ``DIVERGED``;
- tolerance: ``max_j |grad J(theta_k)_j| < tol`` (``tol > 0``) gives ``CONVERGED``;
- diverging: when most of the last ``diverging_window`` steps (at least one epoch of
  them) left the loss well above ``J(theta_0)`` (the rule is in ``stops.py``) the step is
  kept and the status becomes ``DIVERGING``; ``diverging_window = 0`` turns it off;
- epochs: reaching ``max_epochs`` gives ``MAX_EPOCHS``.

Randomness comes only from ``numpy.random.default_rng`` seeded per use: the random
start from ``default_rng(seed)`` and the order of epoch ``e`` from
``default_rng([seed, e])``, so stepping back and replaying gives the same batches.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdapp.core.models import MODEL_NAMES, LinearModel, LogisticModel, make_model
from gdapp.core.optimizers import OPTIMIZER_NAMES, Optimizer, make_optimizer
from gdapp.core.stops import DIVERGING_WINDOW, DivergenceWatch

__all__ = [
    "DIVERGENCE_FACTOR",
    "UNDO_LIMIT",
    "History",
    "Status",
    "TrainConfig",
    "Trainer",
    "batch_indices",
    "initial_theta",
]

FloatArray = NDArray[np.float64]

UNDO_LIMIT = 100_000  # steps that step_back can undo
DIVERGENCE_FACTOR = 1e6  # a step may not raise the loss above this times max(1, initial loss)
INITIAL_CAPACITY_ROWS = 1024  # history rows allocated up front; doubled when full
RANDOM_INIT_STD = 0.01  # standard deviation of init="random"
_REJECTED = object()  # undo entry of a step that diverged and was not committed


class Status(StrEnum):
    """Where a run stands; a ``str`` subclass, so ``Status.READY == "ready"``."""

    READY = "ready"
    CONVERGED = "converged"
    MAX_EPOCHS = "max_epochs"
    DIVERGED = "diverged"  # a step would have blown up the loss and was not taken
    DIVERGING = "diverging"  # the loss has stayed well above its start (steps were taken)


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run; see the module docstring for the rules."""

    model: str = "logistic"
    fit_bias: bool = True
    l2: float = 0.0
    optimizer: str = "gd"
    lr: float = 0.1
    batch_size: int | None = None  # None: full batch
    max_epochs: int = 1000
    tol: float = 0.0  # 0 disables the gradient tolerance
    seed: int = 0
    init: str = "zeros"  # "zeros" or "random" (N(0, RANDOM_INIT_STD^2))
    diverging_window: int = DIVERGING_WINDOW  # steps the diverging rule looks at; 0: off

    def __post_init__(self) -> None:
        if self.model not in MODEL_NAMES:
            raise ValueError(
                f"Unknown model {self.model!r}; choose one of {', '.join(MODEL_NAMES)}."
            )
        if self.optimizer not in OPTIMIZER_NAMES:
            raise ValueError(
                f"Unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZER_NAMES)}."
            )
        _check_lr(self.lr)
        if not (math.isfinite(self.l2) and self.l2 >= 0.0):
            raise ValueError(f"l2 must be a finite number >= 0, got {self.l2!r}.")
        if self.batch_size is not None and not (_is_int(self.batch_size) and self.batch_size >= 1):
            raise ValueError(
                f"batch_size must be None or an integer >= 1, got {self.batch_size!r}."
            )
        if not (_is_int(self.max_epochs) and self.max_epochs >= 0):
            raise ValueError(f"max_epochs must be an integer >= 0, got {self.max_epochs!r}.")
        if not (math.isfinite(self.tol) and self.tol >= 0.0):
            raise ValueError(f"tol must be a finite number >= 0, got {self.tol!r}.")
        if not (_is_int(self.seed) and self.seed >= 0):
            raise ValueError(f"seed must be an integer >= 0, got {self.seed!r}.")
        if self.init not in ("zeros", "random"):
            raise ValueError(f"init must be 'zeros' or 'random', got {self.init!r}.")
        if not (_is_int(self.diverging_window) and self.diverging_window >= 0):
            raise ValueError(
                f"diverging_window must be an integer >= 0, got {self.diverging_window!r}."
            )


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _check_lr(lr: float) -> float:
    lr = float(lr)
    if not (math.isfinite(lr) and lr > 0.0):
        raise ValueError(f"The learning rate must be a finite number > 0, got {lr!r}.")
    return lr


def initial_theta(config: TrainConfig, d: int, theta0: ArrayLike | None = None) -> FloatArray:
    """Where a run with ``config`` on ``d`` features starts: a new ``(d + 1,)`` array.

    ``theta0`` (weights, then the bias) when given, else ``config.init``: zeros, or
    ``N(0, RANDOM_INIT_STD^2)`` drawn from ``default_rng(config.seed)``.  Without a bias
    (``config.fit_bias`` False) the bias entry is 0.  A ``theta0`` of the wrong shape or
    with non-finite entries raises ValueError.  ``Trainer`` starts here, and so does anything
    that needs to know where training starts without building a trainer.
    """
    p = int(d) + 1
    if theta0 is not None:
        theta = _check_theta0(theta0, p)
    elif config.init == "random":
        theta = np.random.default_rng(config.seed).normal(0.0, RANDOM_INIT_STD, p)
    else:
        theta = np.zeros(p)
    if not config.fit_bias:
        theta[-1] = 0.0
    return theta


def _check_theta0(theta0: ArrayLike, p: int) -> FloatArray:
    theta = np.array(theta0, dtype=np.float64)
    if theta.shape != (p,) or not np.isfinite(theta).all():
        raise ValueError(f"theta0 must be {p} finite numbers (weights, then bias).")
    return theta


def batch_indices(n: int, batch_size: int | None, seed: int, step: int) -> NDArray[np.int64]:
    """Row indices of the mini-batch used by update number ``step`` (0-based).

    Full batch (``batch_size`` None or >= n): ``arange(n)``.  Otherwise epoch
    ``e = step // ceil(n / batch_size)`` visits ``default_rng([seed, e]).permutation(n)``
    in consecutive slices of ``batch_size``; the last slice of an epoch may be shorter.
    """
    if batch_size is None or batch_size >= n:
        return np.arange(n)
    epoch, k = divmod(step, -(-n // batch_size))
    perm = np.random.default_rng([seed, epoch]).permutation(n)
    return perm[k * batch_size : (k + 1) * batch_size]


@dataclass(frozen=True)
class History:
    """Read-only views of the recorded rows; row ``k`` is the state after step ``k``.

    Arrays have one row per step (``theta`` and ``grad`` are ``(rows, d + 1)``).  The views
    share memory with the trainer: copy them to keep them across ``step_back`` or ``reset``.
    """

    step: NDArray[np.int64]
    epoch: FloatArray
    train_loss: FloatArray
    test_loss: FloatArray | None
    train_acc: FloatArray
    test_acc: FloatArray | None
    theta: FloatArray
    grad: FloatArray
    lr: FloatArray

    def __len__(self) -> int:
        return int(self.step.shape[0])


def _read_only(a: np.ndarray) -> np.ndarray:
    view = a.view()
    view.flags.writeable = False
    return view


def _check_xy(X: ArrayLike, y: ArrayLike, what: str) -> tuple[FloatArray, FloatArray]:
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"The {what} set needs X of shape (n, d) and y of shape (n,); "
            f"got {X.shape} and {y.shape}."
        )
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise ValueError(f"The {what} set contains missing or infinite values.")
    return X, y


class Trainer:
    """Runs one optimizer on one model and data set, a step at a time; see the module docstring."""

    def __init__(
        self,
        X_train: ArrayLike,
        y_train: ArrayLike,
        X_test: ArrayLike | None = None,
        y_test: ArrayLike | None = None,
        config: TrainConfig | None = None,
        theta0: ArrayLike | None = None,
    ) -> None:
        self._X, self._y = _check_xy(X_train, y_train, "training")
        if self._X.shape[0] == 0:
            raise ValueError("The training set has no rows.")
        if (X_test is None) != (y_test is None):
            raise ValueError("Give both X_test and y_test, or neither.")
        self._Xt = self._yt = None
        if X_test is not None:
            Xt, yt = _check_xy(X_test, y_test, "test")
            if Xt.shape[1] != self._X.shape[1]:
                raise ValueError(
                    f"The test set has {Xt.shape[1]} features, the training set {self._X.shape[1]}."
                )
            if Xt.shape[0] > 0:
                self._Xt, self._yt = Xt, yt
        self.config = TrainConfig() if config is None else config
        self._theta0_given: FloatArray | None = None
        self.reset(None, theta0)

    # -- set-up ----------------------------------------------------------------------
    def reset(self, config: TrainConfig | None = None, theta0: ArrayLike | None = None) -> None:
        """Go back to step 0, optionally with a new config and/or starting point.

        Without ``theta0`` the starting point given last (to the constructor or here) is
        reused; if none was ever given, ``config.init`` decides.
        """
        cfg = self.config if config is None else config
        if not isinstance(cfg, TrainConfig):
            raise TypeError(f"config must be a TrainConfig, got {type(cfg).__name__}.")
        d = self._X.shape[1]
        p = d + 1
        theta0_given = self._theta0_given
        if theta0 is not None:
            theta0_given = _check_theta0(theta0, p)
        model = make_model(cfg.model, cfg.fit_bias, cfg.l2)
        theta = initial_theta(cfg, d, theta0_given)
        with np.errstate(over="ignore", invalid="ignore"):
            loss, grad, acc = model.loss_grad_and_accuracy(theta, self._X, self._y)
            test = (
                (0.0, 0.0)
                if self._Xt is None
                else model.loss_and_accuracy(theta, self._Xt, self._yt)
            )
        if not (math.isfinite(loss) and np.isfinite(grad).all() and math.isfinite(test[0])):
            raise ValueError(
                "The starting parameters give a non-finite loss; choose smaller values."
            )

        # Nothing above changed the trainer, so a rejected reset leaves it as it was.
        self.config, self._theta0_given = cfg, theta0_given
        self.model: LogisticModel | LinearModel = model
        self.optimizer: Optimizer = make_optimizer(cfg.optimizer)
        n = self._X.shape[0]
        self._full_batch = cfg.batch_size is None or cfg.batch_size >= n
        self._batches_per_epoch = 1 if self._full_batch else -(-n // cfg.batch_size)
        self._perm_epoch, self._perm = -1, np.arange(n)
        self._lr = float(cfg.lr)
        self._opt_state = self.optimizer.init(theta)
        self._tol_armed = True
        self._undo: deque = deque(maxlen=UNDO_LIMIT)
        self._allocate(INITIAL_CAPACITY_ROWS, p)
        self._theta, self._grad, self._step = theta, grad, 0
        self._record(0, 0.0, loss, acc, test, theta, grad)
        self._loss_limit = DIVERGENCE_FACTOR * max(1.0, loss)
        window = cfg.diverging_window and max(cfg.diverging_window, self._batches_per_epoch)
        self._watch = DivergenceWatch(loss, window)
        self._diverging_armed = True
        self._status, self._stop_reason = Status.READY, ""
        if cfg.max_epochs <= 0:
            self._stop(Status.MAX_EPOCHS, f"Reached the maximum of {cfg.max_epochs} epochs.")
        else:
            self._check_tol(grad)

    def _allocate(self, rows: int, p: int) -> None:
        self._capacity = rows
        self._epoch_buf = np.zeros(rows)
        self._loss_buf = np.zeros(rows)
        self._acc_buf = np.zeros(rows)
        self._lr_buf = np.zeros(rows)
        self._theta_buf = np.zeros((rows, p))
        self._grad_buf = np.zeros((rows, p))
        self._tloss_buf = np.zeros(rows) if self.has_test else None
        self._tacc_buf = np.zeros(rows) if self.has_test else None

    def _grow(self) -> None:
        """Double the capacity of every history buffer, keeping the recorded rows."""
        rows = self._step + 1
        for name in (
            "_epoch_buf",
            "_loss_buf",
            "_acc_buf",
            "_lr_buf",
            "_theta_buf",
            "_grad_buf",
            "_tloss_buf",
            "_tacc_buf",
        ):
            old = getattr(self, name)
            if old is not None:
                new = np.zeros((2 * self._capacity, *old.shape[1:]))
                new[:rows] = old[:rows]
                setattr(self, name, new)
        self._capacity *= 2

    # -- read-only state -------------------------------------------------------------
    @property
    def has_test(self) -> bool:
        return self._Xt is not None

    @property
    def theta(self) -> FloatArray:
        """Current parameters, ``(d + 1,)`` (a copy)."""
        return self._theta.copy()

    @property
    def grad(self) -> FloatArray:
        """Full-training-set gradient at the current parameters, ``(d + 1,)`` (a copy)."""
        return self._grad.copy()

    @property
    def opt_state(self):
        """Current optimizer state (a copy of the NamedTuple and its arrays)."""
        s = self._opt_state
        return type(s)(*(f.copy() if isinstance(f, np.ndarray) else f for f in s))

    @property
    def lr(self) -> float:
        """Learning rate the next step will use."""
        return self._lr

    @property
    def step_count(self) -> int:
        return self._step

    @property
    def epoch(self) -> float:
        return self._epoch_of(self._step)

    @property
    def status(self) -> Status:
        return self._status

    @property
    def stop_reason(self) -> str:
        return self._stop_reason

    @property
    def n_train(self) -> int:
        return int(self._X.shape[0])

    @property
    def history(self) -> History:
        rows = self._step + 1
        test = self.has_test
        return History(
            step=_read_only(np.arange(rows)),
            epoch=_read_only(self._epoch_buf[:rows]),
            train_loss=_read_only(self._loss_buf[:rows]),
            test_loss=_read_only(self._tloss_buf[:rows]) if test else None,
            train_acc=_read_only(self._acc_buf[:rows]),
            test_acc=_read_only(self._tacc_buf[:rows]) if test else None,
            theta=_read_only(self._theta_buf[:rows]),
            grad=_read_only(self._grad_buf[:rows]),
            lr=_read_only(self._lr_buf[:rows]),
        )

    def batch_for_step(self, step: int) -> NDArray[np.int64]:
        """Row indices of the batch that step ``step`` (1-based) uses; empty for step 0."""
        if step < 0:
            raise ValueError(f"step must be >= 0, got {step}.")
        if step == 0:
            return np.zeros(0, dtype=np.int64)
        return batch_indices(self.n_train, self.config.batch_size, self.config.seed, step - 1)

    # -- commands --------------------------------------------------------------------
    def clear_start(self) -> None:
        """Forget a starting point given earlier: from the next reset, ``config.init`` decides."""
        self._theta0_given = None

    def set_lr(self, lr: float) -> None:
        """Use ``lr`` from the next step on."""
        self._lr = _check_lr(lr)
        self.config = replace(self.config, lr=self._lr)

    def clear_stop(self) -> None:
        """Return to READY after a stop so that stepping may continue.

        After a convergence stop the tolerance rule, and after a diverging stop the
        diverging rule, stays off until the next reset; the epoch rule only fires when the
        epoch count crosses ``max_epochs``.
        """
        if self._status is Status.DIVERGED and self._undo and self._undo[-1] is _REJECTED:
            self._undo.pop()
        if self._status is Status.CONVERGED:
            self._tol_armed = False
        if self._status is Status.DIVERGING:
            self._diverging_armed = False
        self._status, self._stop_reason = Status.READY, ""

    def step(self) -> Status:
        """One optimizer update on one batch; returns the status afterwards."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self._step_once()

    def run(self, n_steps: int) -> Status:
        """Up to ``n_steps`` steps, stopping early when the status leaves READY."""
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(int(n_steps)):
                if self._step_once() is not Status.READY:
                    break
        return self._status

    def step_back(self) -> bool:
        """Undo the last step bit for bit; False if there is nothing to undo.

        After a rejected (diverged) step this only clears the DIVERGED status, since the
        rejected step changed nothing else.
        """
        if not self._undo:
            return False
        entry = self._undo.pop()
        if entry is not _REJECTED:
            k = self._step - 1
            self._step = k
            self._theta = self._theta_buf[k].copy()
            self._grad = self._grad_buf[k].copy()
            self._opt_state = entry
            self._refill_watch()
        self._status, self._stop_reason = Status.READY, ""
        return True

    # -- internals -------------------------------------------------------------------
    def _epoch_of(self, step: int) -> float:
        if self._full_batch:
            return float(step)
        n = self._X.shape[0]
        full, k = divmod(step, self._batches_per_epoch)
        return (full * n + k * self.config.batch_size) / n

    def _batch(self, step0: int) -> NDArray[np.int64]:
        """Same as ``batch_indices`` for update ``step0`` (0-based), caching the permutation."""
        epoch, k = divmod(step0, self._batches_per_epoch)
        if epoch != self._perm_epoch:
            self._perm = np.random.default_rng([self.config.seed, epoch]).permutation(
                self._X.shape[0]
            )
            self._perm_epoch = epoch
        bs = self.config.batch_size
        return self._perm[k * bs : (k + 1) * bs]

    def _record(
        self,
        row: int,
        epoch: float,
        loss: float,
        acc: float,
        test: tuple[float, float],
        theta: FloatArray,
        grad: FloatArray,
    ) -> None:
        if row >= self._capacity:
            self._grow()
        self._epoch_buf[row] = epoch
        self._loss_buf[row] = loss
        self._acc_buf[row] = acc
        self._lr_buf[row] = self._lr
        self._theta_buf[row] = theta
        self._grad_buf[row] = grad
        if self._tloss_buf is not None:
            self._tloss_buf[row] = test[0]
            self._tacc_buf[row] = test[1]

    def _step_once(self) -> Status:
        if self._status is not Status.READY:
            return self._status
        k = self._step
        theta = self._theta
        if self._full_batch:
            g = self._grad
        else:
            idx = self._batch(k)
            g = self.model.loss_and_grad(theta, self._X[idx], self._y[idx])[1]
        updates, state = self.optimizer.update(g, self._opt_state, theta, self._lr)
        new_theta = theta + updates
        loss, grad, acc = self.model.loss_grad_and_accuracy(new_theta, self._X, self._y)
        test = (0.0, 0.0)
        if self._Xt is not None:
            test = self.model.loss_and_accuracy(new_theta, self._Xt, self._yt)
        # `not (loss <= limit)` is also true for nan.
        if not (loss <= self._loss_limit and math.isfinite(test[0]) and np.isfinite(grad).all()):
            return self._reject(k + 1, loss)
        self._undo.append(self._opt_state)
        epoch = self._epoch_of(k + 1)
        self._record(k + 1, epoch, loss, acc, test, new_theta, grad)
        self._theta, self._grad, self._opt_state, self._step = new_theta, grad, state, k + 1
        diverging = self._watch.observe(loss) and self._diverging_armed
        if not self._check_tol(grad):
            max_epochs = self.config.max_epochs
            if diverging:
                self._stop(Status.DIVERGING, self._watch.reason(loss, self._lr))
            elif self._epoch_of(k) < max_epochs <= epoch:
                self._stop(Status.MAX_EPOCHS, f"Reached the maximum of {max_epochs} epochs.")
        return self._status

    def _refill_watch(self) -> None:
        """After a step back: count the window again from the recorded losses."""
        first = max(1, self._step + 1 - self._watch.window)
        self._watch.refill(self.history.train_loss[first:])

    def _reject(self, step: int, loss: float) -> Status:
        if math.isfinite(loss):
            what = f"jump to {loss:.3g}, above the limit of {self._loss_limit:.3g}"
        else:
            what = "become non-finite"
        self._undo.append(_REJECTED)
        self._stop(
            Status.DIVERGED,
            f"Diverged at step {step}: with learning rate {self._lr:g} the training loss would "
            f"{what}, so the step was not taken. The learning rate is too large; lower it to "
            "continue.",
        )
        return self._status

    def _check_tol(self, grad: FloatArray) -> bool:
        tol = self.config.tol
        if tol > 0.0 and self._tol_armed:
            largest = float(np.max(np.abs(grad)))
            if largest < tol:
                self._stop(
                    Status.CONVERGED,
                    f"Converged: largest gradient entry {largest:.2g} < tolerance {tol:g}.",
                )
                return True
        return False

    def _stop(self, status: Status, reason: str) -> None:
        self._status, self._stop_reason = status, reason
