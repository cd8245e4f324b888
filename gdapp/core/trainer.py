"""Training one step at a time, with a compact history, exact step back and stop rules.

Conventions
-----------
- ``X_train`` is ``(n, d)``, ``y_train`` is ``(n,)``; an optional test set has the same
  ``d``.  ``theta`` is ``(p,)``: for the linear models ``p = d + 1`` (weights, then the
  bias last), for a hidden layer ``p = h d + 2 h + 1`` (see ``models.py`` and ``mlp.py``).
- Step ``k`` (``k = 1, 2, ...``) is the ``k``-th optimizer update; history row ``k`` holds
  the parameters after it, row 0 the initial parameters.  ``len(history) ==
  step_count + 1``.

Maths
-----
One step on the mini-batch ``B_k = batch_indices(n, batch_size, seed, k - 1)``:

    g_k            = grad J_B(theta_{k-1})                (theta_{k-1} is (p,))
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

History
-------
A run is deterministic (batches come from ``(seed, step)``, and the learning rate of
every step is recorded where it changed), so the trainer keeps the scalar curves of
every row but ``theta``, the gradient and the optimizer state only every
``checkpoint_interval`` steps (see ``history.py``).  Any other row is recomputed from the
checkpoint before it, bit for bit: ``state_at(k)`` gives one row, ``theta_rows`` a range,
``history.theta`` and ``history.grad`` the whole run.  The latest rows (between one and
two ``checkpoint_interval``s of them) are kept in full; a step back before them
recomputes the segment it lands in once and keeps it, so stepping back many times in a
row costs one replay of at most ``checkpoint_interval`` steps per segment.

Randomness comes only from ``numpy.random.default_rng`` seeded per use: the random
start from ``default_rng(seed)`` and the order of epoch ``e`` from
``default_rng([seed, e])``, so stepping back and replaying gives the same batches.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdapp.core.history import ScalarCurves, Trajectory
from gdapp.core.mlp import ACTIVATIONS, HIDDEN_RANGE
from gdapp.core.models import MODEL_NAMES, Model, make_model
from gdapp.core.optimizers import OPTIMIZER_NAMES, Optimizer, make_optimizer
from gdapp.core.stops import DIVERGING_WINDOW, DivergenceWatch

__all__ = [
    "CHECKPOINT_INTERVAL",
    "DIVERGENCE_FACTOR",
    "History",
    "Status",
    "StepState",
    "TrainConfig",
    "Trainer",
    "batch_indices",
    "initial_theta",
    "model_for",
]

FloatArray = NDArray[np.float64]

# Steps between two kept (theta, gradient, optimizer state) rows.  Recomputing a row costs
# at most this many steps: about 10 ms at some 20 us a step on the diabetes data.
CHECKPOINT_INTERVAL = 512
DIVERGENCE_FACTOR = 1e6  # a step may not raise the loss above this times max(1, initial loss)
RANDOM_INIT_STD = 0.01  # standard deviation of init="random"


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
    hidden: int = 4  # hidden units of model "mlp" (HIDDEN_RANGE); ignored by the others
    activation: str = "tanh"  # the hidden units' activation ("tanh" or "relu"), model "mlp"

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
        lo, hi = HIDDEN_RANGE
        if not (_is_int(self.hidden) and lo <= self.hidden <= hi):
            raise ValueError(f"hidden must be an integer from {lo} to {hi}, got {self.hidden!r}.")
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"Unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}."
            )


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _check_lr(lr: float) -> float:
    lr = float(lr)
    if not (math.isfinite(lr) and lr > 0.0):
        raise ValueError(f"The learning rate must be a finite number > 0, got {lr!r}.")
    return lr


def model_for(config: TrainConfig) -> Model:
    """The model ``config`` trains (its name, bias, L2 and, for ``"mlp"``, its hidden layer)."""
    return make_model(
        config.model,
        config.fit_bias,
        config.l2,
        hidden=config.hidden,
        activation=config.activation,
    )


def initial_theta(config: TrainConfig, d: int, theta0: ArrayLike | None = None) -> FloatArray:
    """Where a run with ``config`` on ``d`` features starts: a new ``(p,)`` array.

    ``p`` is ``model_for(config).n_params(d)`` (``d + 1`` for the linear models).
    ``theta0`` when given, else ``config.init``: zeros, or ``N(0, RANDOM_INIT_STD^2)``
    drawn from ``default_rng(config.seed)``.  A hidden layer never starts at zeros (its
    units would stay identical): it starts at ``MLPModel.initial_parameters(d, seed)``
    whatever ``init`` says.  Without a bias (``config.fit_bias`` False) every bias entry is
    0.  A ``theta0`` of the wrong shape or with non-finite entries raises ValueError.
    ``Trainer`` starts here, and so does anything that needs to know where training starts
    without building a trainer.
    """
    model = model_for(config)
    p = model.n_params(int(d))
    if theta0 is not None:
        theta = _check_theta0(theta0, p)
    elif config.model == "mlp":
        theta = model.initial_parameters(int(d), config.seed)
    elif config.init == "random":
        theta = np.random.default_rng(config.seed).normal(0.0, RANDOM_INIT_STD, p)
    else:
        theta = np.zeros(p)
    if not config.fit_bias:
        theta[~model.weight_mask(int(d))] = 0.0
    return theta


def _check_theta0(theta0: ArrayLike, p: int) -> FloatArray:
    theta = np.array(theta0, dtype=np.float64)
    if theta.shape != (p,) or not np.isfinite(theta).all():
        raise ValueError(f"theta0 must be {p} finite numbers (the model's parameters, bias last).")
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
    """Read-only arrays of the recorded rows ``step[0]..step[-1]``, one entry per row.

    ``trainer.history`` holds every row of the run, so index ``k`` is row ``k``;
    ``trainer.history_rows(start, stop)`` holds rows ``start..stop-1``.  The scalar
    fields are copies.  ``theta`` and ``grad`` (``(rows, p)``) are recomputed from the
    trainer's checkpoints the first time either is read, which costs about one step per
    row: read them before the trainer steps back or resets (that raises ``RuntimeError``).
    """

    step: NDArray[np.int64]
    epoch: FloatArray
    train_loss: FloatArray
    test_loss: FloatArray | None
    train_acc: FloatArray
    test_acc: FloatArray | None
    lr: FloatArray
    _path: Callable[[], tuple[FloatArray, FloatArray]] = field(repr=False, compare=False)

    def __len__(self) -> int:
        return int(self.step.shape[0])

    @cached_property
    def _rows(self) -> tuple[FloatArray, FloatArray]:
        theta, grad = self._path()
        return _read_only(theta), _read_only(grad)

    @property
    def theta(self) -> FloatArray:
        """Parameters of every row, ``(rows, p)``."""
        return self._rows[0]

    @property
    def grad(self) -> FloatArray:
        """Full-training-set gradient of every row, ``(rows, p)``."""
        return self._rows[1]


class StepState(NamedTuple):
    """Everything recorded about one row ``step`` of a run (arrays are copies)."""

    step: int
    epoch: float
    theta: FloatArray  # (p,)
    grad: FloatArray  # (p,) full-training-set gradient at theta
    opt_state: Any  # the optimizer state after the step
    lr: float  # the learning rate the step used (row 0: the initial rate)
    train_loss: float
    train_acc: float
    test_loss: float | None
    test_acc: float | None


def _read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _optional_read_only(a: np.ndarray | None) -> np.ndarray | None:
    return None if a is None else _read_only(a)


def _copy_state(state: Any) -> Any:
    return type(state)(*(f.copy() if isinstance(f, np.ndarray) else f for f in state))


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
        *,
        checkpoint_interval: int = CHECKPOINT_INTERVAL,
    ) -> None:
        if not (_is_int(checkpoint_interval) and checkpoint_interval >= 1):
            raise ValueError(
                f"checkpoint_interval must be an integer >= 1, got {checkpoint_interval!r}."
            )
        self._interval = int(checkpoint_interval)
        self._version = 0  # bumped whenever recorded rows are dropped (step back, reset)
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
        model = model_for(cfg)
        p = model.n_params(d)
        theta0_given = self._theta0_given
        if theta0_given is not None and theta0_given.shape != (p,):
            theta0_given = None  # a start for another model's layout
        if theta0 is not None:
            theta0_given = _check_theta0(theta0, p)
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
        self.model: Model = model
        self.optimizer: Optimizer = make_optimizer(cfg.optimizer)
        n = self._X.shape[0]
        self._full_batch = cfg.batch_size is None or cfg.batch_size >= n
        self._batches_per_epoch = 1 if self._full_batch else -(-n // cfg.batch_size)
        self._perm_epoch, self._perm = -1, np.arange(n)
        self._lr = float(cfg.lr)
        self._opt_state = self.optimizer.init(theta)
        self._tol_armed = True
        self._rejected = False  # the last step diverged and was not taken
        self._version += 1
        curves = ScalarCurves(n, None if self._Xt is None else self._Xt.shape[0])
        self._trajectory = Trajectory(p, curves, self._interval, self._advance, self._lr)
        self._theta, self._grad, self._step = theta, grad, 0
        self._trajectory.record(loss, acc, test, self._lr, theta, grad, self._opt_state)
        self._loss_limit = DIVERGENCE_FACTOR * max(1.0, loss)
        window = cfg.diverging_window and max(cfg.diverging_window, self._batches_per_epoch)
        self._watch = DivergenceWatch(loss, window)
        self._diverging_armed = True
        self._status, self._stop_reason = Status.READY, ""
        if cfg.max_epochs <= 0:
            self._stop(Status.MAX_EPOCHS, f"Reached the maximum of {cfg.max_epochs} epochs.")
        else:
            self._check_tol(grad)

    # -- read-only state -------------------------------------------------------------
    @property
    def has_test(self) -> bool:
        return self._Xt is not None

    @property
    def theta(self) -> FloatArray:
        """Current parameters, ``(p,)`` (a copy)."""
        return self._theta.copy()

    @property
    def grad(self) -> FloatArray:
        """Full-training-set gradient at the current parameters, ``(p,)`` (a copy)."""
        return self._grad.copy()

    @property
    def opt_state(self):
        """Current optimizer state (a copy of the NamedTuple and its arrays)."""
        return _copy_state(self._opt_state)

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
        """Every row of the run, 0..step_count; see ``History``."""
        return self.history_rows(0)

    def history_rows(self, start: int = 0, stop: int | None = None) -> History:
        """Rows ``start..stop-1`` (``stop`` defaults to ``step_count + 1``); see ``History``."""
        start, stop = self._check_range(start, stop)
        steps = np.arange(start, stop)
        curves = self._trajectory.curves
        version = self._version

        def path() -> tuple[FloatArray, FloatArray]:
            if self._version != version:
                raise RuntimeError(
                    "The trainer stepped back or reset since this history was read; "
                    "read trainer.history again."
                )
            return self._trajectory.path(start, stop, with_grad=True)

        return History(
            step=_read_only(steps),
            epoch=_read_only(self._epochs(steps)),
            train_loss=_read_only(curves.train_loss(start, stop)),
            test_loss=_optional_read_only(curves.test_loss(start, stop)),
            train_acc=_read_only(curves.train_acc(start, stop)),
            test_acc=_optional_read_only(curves.test_acc(start, stop)),
            lr=_read_only(self._trajectory.lrs.rows(start, stop)),
            _path=path,
        )

    def theta_rows(self, start: int = 0, stop: int | None = None) -> FloatArray:
        """Parameters of rows ``start..stop-1``, ``(rows, p)``, a fresh array.

        Rows among the latest ones cost a copy; older rows are recomputed from the
        checkpoint before ``start``, about one step's work per row.
        """
        start, stop = self._check_range(start, stop)
        return self._trajectory.path(start, stop, with_grad=False)[0]

    def state_at(self, step: int) -> StepState:
        """Row ``step`` (0..step_count) exactly as the run recorded it.

        Recomputes at most ``checkpoint_interval`` steps, and keeps the segment it
        recomputed, so the neighbouring rows cost nothing afterwards.
        """
        k = int(step)
        if not 0 <= k <= self._step:
            raise ValueError(f"step must be in 0..{self._step}, got {step}.")
        theta, grad, state = self._trajectory.row(k)
        curves = self._trajectory.curves
        test_loss = curves.test_loss(k, k + 1)
        test_acc = curves.test_acc(k, k + 1)
        return StepState(
            step=k,
            epoch=self._epoch_of(k),
            theta=theta,
            grad=grad,
            opt_state=_copy_state(state),
            lr=self._trajectory.lrs.at(k),
            train_loss=float(curves.train_loss(k, k + 1)[0]),
            train_acc=float(curves.train_acc(k, k + 1)[0]),
            test_loss=None if test_loss is None else float(test_loss[0]),
            test_acc=None if test_acc is None else float(test_acc[0]),
        )

    @property
    def lr_changes(self) -> list[tuple[int, float]]:
        """``(step, lr)`` for step 0 and each step whose rate differs from the one before."""
        return self._trajectory.lrs.changes()

    @property
    def checkpoint_interval(self) -> int:
        return self._interval

    @property
    def history_nbytes(self) -> int:
        """Bytes of the arrays the history holds (curves, checkpoints, kept segments)."""
        return self._trajectory.nbytes

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
        if self._status is Status.DIVERGED:
            self._rejected = False
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
        rejected step changed nothing else.  Any step can be undone, back to step 0.
        """
        if self._rejected:
            self._rejected = False
            self._status, self._stop_reason = Status.READY, ""
            return True
        return self._step > 0 and self.rewind(self._step - 1)

    def rewind(self, step: int) -> bool:
        """Go back to ``step`` (0 <= step <= step_count) bit for bit, forgetting later steps.

        The state is that of a fresh run of ``step`` steps with the same settings and
        learning-rate changes; the status becomes READY. Step back is ``rewind(k - 1)``.
        Returns False when there was nothing to change.
        """
        step = int(step)
        if not 0 <= step <= self._step:
            raise ValueError(f"step must lie in 0..{self._step}, got {step}")
        changed = step < self._step or self._rejected or self._status is not Status.READY
        self._rejected = False
        if step < self._step:
            self._version += 1
            self._step = step
            self._theta, self._grad, self._opt_state = self._trajectory.truncate(step)
            self._refill_watch()
        self._status, self._stop_reason = Status.READY, ""
        return changed

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

    def _epochs(self, steps: NDArray[np.int64]) -> FloatArray:
        """``_epoch_of`` of every entry of ``steps``, the same floats."""
        if self._full_batch:
            return steps.astype(np.float64)
        n = self._X.shape[0]
        full, k = np.divmod(steps, self._batches_per_epoch)
        return (full * n + k * self.config.batch_size) / n

    def _check_range(self, start: int, stop: int | None) -> tuple[int, int]:
        rows = self._step + 1
        stop = rows if stop is None else int(stop)
        start = int(start)
        if not 0 <= start <= stop <= rows:
            raise ValueError(f"Rows {start}..{stop} are not within 0..{rows}.")
        return start, stop

    def _update(
        self, step0: int, theta: FloatArray, grad: FloatArray, state: Any, lr: float
    ) -> tuple[FloatArray, Any]:
        """Update number ``step0`` (0-based) from ``theta`` whose full-set gradient is ``grad``."""
        if self._full_batch:
            g = grad
        else:
            idx = self._batch(step0)
            g = self.model.loss_and_grad(theta, self._X[idx], self._y[idx])[1]
        updates, state = self.optimizer.update(g, state, theta, lr)
        return theta + updates, state

    def _advance(
        self,
        step0: int,
        theta: FloatArray,
        grad: FloatArray | None,
        state: Any,
        lr: float,
        with_grad: bool,
    ) -> tuple[FloatArray, FloatArray | None, Any]:
        """Recompute step ``step0 + 1`` for the history (see ``history.Advance``).

        The same operations as ``_step_once``, so the same floats.  A mini-batch step does
        not need the full-set gradient, so it is skipped unless ``with_grad``.
        """
        theta, state = self._update(step0, theta, grad, state, lr)
        if with_grad or self._full_batch:
            grad = self.model.loss_and_grad(theta, self._X, self._y)[1]
        else:
            grad = None
        return theta, grad, state

    def _step_once(self) -> Status:
        if self._status is not Status.READY:
            return self._status
        k = self._step
        new_theta, state = self._update(k, self._theta, self._grad, self._opt_state, self._lr)
        loss, grad, acc = self.model.loss_grad_and_accuracy(new_theta, self._X, self._y)
        test = (0.0, 0.0)
        if self._Xt is not None:
            test = self.model.loss_and_accuracy(new_theta, self._Xt, self._yt)
        # `not (loss <= limit)` is also true for nan.
        if not (loss <= self._loss_limit and math.isfinite(test[0]) and np.isfinite(grad).all()):
            return self._reject(k + 1, loss)
        epoch = self._epoch_of(k + 1)
        self._trajectory.record(loss, acc, test, self._lr, new_theta, grad, state)
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
        self._watch.refill(self.history_rows(first).train_loss)

    def _reject(self, step: int, loss: float) -> Status:
        if math.isfinite(loss):
            what = f"jump to {loss:.3g}, above the limit of {self._loss_limit:.3g}"
        else:
            what = "become non-finite"
        self._rejected = True
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
