"""Who pushes the gradient: each training row's share of a step's gradient.

Conventions
-----------
- ``X`` is ``(n, d)``, ``y`` is ``(n,)``; ``theta`` is the model's flat parameter vector of
  length ``p`` (for the linear models ``p = d + 1``: the weights, then the bias).
- ``batch`` holds positions in the rows of ``X`` (``None``: every row), as
  ``trainer.batch_indices`` returns them.

Maths
-----
The gradient of the mean loss over a batch ``B`` of ``m`` rows is a mean of per-row terms
plus the penalty's gradient, which belongs to no row:

    g = (1/m) sum_{i in B} grad l_i(theta) + grad P(theta)

    C[i] = grad l_i(theta) / m   for i in B,     C[i] = 0 (exactly) for i not in B

so ``C.sum(0) + penalty == g``, the gradient ``loss_and_grad`` gives on ``X[B], y[B]``
(equal up to the rounding of a different summation order, ~1e-16 relative).  For the linear
models ``grad l_i = dl/dz_i * [x_i, 1]`` (``[x_i, 0]`` without a bias) and ``grad P = l2 *
[w, 0]``.

Which theta and which batch made step ``k``
-------------------------------------------
Step ``k`` (1-based) evaluates its gradient at ``theta_{k-1}``, the parameters *before* the
update (history row ``k - 1``; ``trainer.state_at(k - 1).theta``), on the rows
``trainer.batch_for_step(k)`` = ``batch_indices(n, batch_size, seed, k - 1)``.  A snapshot
after step ``k`` carries ``theta_k`` (after the update) and ``last_batch`` =
``batch_for_step(k)``; its ``grad`` is the full-set gradient at ``theta_k``, which is the
gradient the *next* full-batch step uses, not the one step ``k`` used.
``step_contributions`` puts the pieces together.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "NORM_TARGET",
    "Contributions",
    "contributions",
    "step_contributions",
    "target_values",
]

FloatArray = NDArray[np.float64]
NORM_TARGET = -1  # target_values: the length of each row's contribution vector


class Contributions(NamedTuple):
    """Each row's share of one gradient; ``rows.sum(0) + penalty`` is that gradient.

    ``rows`` is ``(n, p)`` with exact zeros for rows outside the batch, ``penalty`` is
    ``(p,)``, ``in_batch`` is ``(n,)`` bool, ``theta`` the ``(p,)`` parameters the gradient
    was taken at.
    """

    rows: FloatArray
    penalty: FloatArray
    in_batch: NDArray[np.bool_]
    theta: FloatArray

    @property
    def gradient(self) -> FloatArray:
        """The gradient these contributions add up to, ``(p,)``."""
        return self.rows.sum(axis=0) + self.penalty


def contributions(
    model: Any,
    theta: FloatArray,
    X: FloatArray,
    y: FloatArray,
    batch: NDArray[np.integer] | None = None,
) -> Contributions:
    """Every row's contribution to the gradient of the mean loss over ``batch`` at ``theta``.

    ``model`` offers ``per_row_grads(theta, X, y) -> (n, p)`` and ``penalty_grad(theta) ->
    (p,)``.  Only the batch rows are evaluated.  An empty batch raises ValueError.
    """
    theta = np.asarray(theta, dtype=np.float64)
    n = X.shape[0]
    out = np.zeros((n, theta.shape[0]))
    in_batch = np.zeros(n, dtype=bool)
    if batch is None:
        m = n
        in_batch[:] = True
        if n:
            out[:] = model.per_row_grads(theta, X, y)
    else:
        batch = np.asarray(batch, dtype=np.int64)
        m = batch.shape[0]
        in_batch[batch] = True
        if m:
            out[batch] = model.per_row_grads(theta, X[batch], y[batch])
    if m == 0:
        raise ValueError("The batch has no rows, so there is no gradient to share out.")
    out /= m
    return Contributions(out, np.asarray(model.penalty_grad(theta)), in_batch, theta)


def step_contributions(
    trainer: Any, X: FloatArray, y: FloatArray, step: int | None = None
) -> Contributions:
    """The contributions to the gradient that step ``step`` (1-based; default the last) used.

    ``X``, ``y`` are the trainer's training rows.  That gradient was taken at
    ``trainer.state_at(step - 1).theta`` on the rows ``trainer.batch_for_step(step)`` (see
    the module docstring).  Step 0 is no update, so it raises ValueError.
    """
    k = trainer.step_count if step is None else int(step)
    if not 1 <= k <= trainer.step_count:
        raise ValueError(f"step must be in 1..{trainer.step_count}, got {k}.")
    theta = trainer.state_at(k - 1).theta
    batch = trainer.batch_for_step(k)
    full = len(batch) == X.shape[0]
    return contributions(trainer.model, theta, X, y, None if full else batch)


def target_values(c: Contributions, target: int) -> tuple[FloatArray, float]:
    """``(n,)`` per-row values for parameter ``target`` and the penalty's value.

    ``target`` is a parameter index, or ``NORM_TARGET`` for the Euclidean length of each
    row's contribution vector (and of the penalty vector).
    """
    if target == NORM_TARGET:
        values = np.sqrt(np.einsum("ij,ij->i", c.rows, c.rows))
        return values, float(np.sqrt(c.penalty @ c.penalty))
    return c.rows[:, target].copy(), float(c.penalty[target])
