"""The cost J evaluated along one parameter (a slice) or over two parameters (a grid).

Conventions: X is (n_samples, n_features) = (n, d), y is (n,) with 0/1 entries, and theta
is the flat (d+1,) vector w_1..w_d then the bias b LAST. A parameter index k in 0..d names
w_{k+1} for k < d and the bias for k == d; the "column" of the bias is a column of ones.

The logits z = X @ w + b are affine in every single parameter, so moving theta_i to u and
theta_j to v (all other entries held) gives

    z(u, v) = z_rest + u * x_i + v * x_j          z_rest = z with theta_i = theta_j = 0

and a G_v x G_u grid of logits is one broadcast, (G_v, 1, 1) * (n,) + (1, G_u, 1) * (n,),
evaluated in row chunks so the temporary stays near ``CHUNK_ELEMENTS`` floats. Per sample

    logistic:  L = softplus(z) - y * z            (log-loss on logits, finite for any z)
    linear:    L = (z - y) ** 2

both taken from the model's loss in ``gdapp.core.losses``, never written out again here,
and J = mean_n L + (l2 / 2) * ||w||^2, the bias not penalised, exactly as
``gdapp.core.models`` defines the training loss.

A hidden layer
--------------
``model`` is a model name ("logistic", "linear") for the fast paths above, or a model object
(``MLPModel``, whose own ``l2`` then applies and the ``l2`` argument is ignored).  For one
hidden layer (``mlp.py``: theta = W1 (h, d), b1, w2, b2 last) the logit is

    z = sum_k w2_k act(A_k) + b2,     A_k = X W1_k + b1_k     (n,) per unit k

and a parameter belongs to one unit k (its row of W1, its b1_k or its w2_k) or is the output
bias b2.  Moving one or two parameters changes at most two units, so a grid keeps
``z_rest`` (the other units and, unless it moves, b2) and evaluates only the moved units at
every grid point, one broadcast ``S + (n,)`` for a grid of shape ``S``: the same cost per
point as the linear path, times the units moved.  The hidden layer's J has no closed-form
lowest point; ``plane_minimum`` takes the lowest of a ``MLP_SEARCH_POINTS`` grid within
``MLP_SEARCH_RADIUS`` of theta on each axis.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gdapp.core.functional import sigmoid
from gdapp.core.mlp import MLPModel
from gdapp.core.models import make_model

MODELS = ("logistic", "linear")
# Upper bound on the number of float64 entries of one broadcast chunk (about 16 MB).
CHUNK_ELEMENTS = 2_000_000
MLP_SEARCH_RADIUS = 3.0  # plane_minimum of a hidden layer looks this far along each axis
MLP_SEARCH_POINTS = (121, 41)  # grid points per axis for one and for two axes
ModelLike = str | MLPModel


def parameter_column(X: np.ndarray, k: int) -> np.ndarray:
    """The (n,) column that multiplies theta_k in the logits: X[:, k], or ones for the bias."""
    n, d = X.shape
    if not 0 <= k <= d:
        raise ValueError(f"parameter index {k} is out of range 0..{d}")
    return np.ones(n) if k == d else np.asarray(X[:, k], dtype=float)


def parameter_names(feature_names: Sequence[str], model: ModelLike = "logistic") -> tuple[str, ...]:
    """Readable names of theta's entries: ``"w1 (glucose)"`` ..., then ``"b (bias)"``;
    a hidden layer's own names (``model.param_names``: ``h1:glucose`` … ``out:bias``)."""
    if isinstance(model, MLPModel):
        return tuple(model.param_names(feature_names))
    names = [f"w{k + 1} ({name})" for k, name in enumerate(feature_names)]
    return (*names, "b (bias)")


def _per_sample_loss(z: np.ndarray, y: np.ndarray, model: str) -> np.ndarray:
    """The model's own loss (``gdapp.core.losses``), so J here is the trainer's J."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of {MODELS}")
    return make_model(model).loss_fn.value(z, np.broadcast_to(y, np.shape(z)))


def _penalty(theta: np.ndarray, l2: float) -> float:
    return 0.5 * l2 * float(np.dot(theta[:-1], theta[:-1])) if l2 else 0.0


def cost(
    X: np.ndarray, y: np.ndarray, theta: np.ndarray, model: ModelLike = "logistic", l2: float = 0.0
) -> float:
    """J(theta) as a float: mean per-sample loss plus the L2 term on the weights."""
    theta = np.asarray(theta, dtype=float)
    if isinstance(model, MLPModel):
        return model.loss(theta, np.asarray(X, dtype=float), y)
    z = X @ theta[:-1] + theta[-1]
    return float(np.mean(_per_sample_loss(z, y, model))) + _penalty(theta, l2)


def cost_slice(
    X: np.ndarray,
    y: np.ndarray,
    theta: np.ndarray,
    i: int,
    values: np.ndarray,
    model: ModelLike = "logistic",
    l2: float = 0.0,
) -> np.ndarray:
    """J along theta_i = values[g] with every other entry held: returns (G,)."""
    theta = np.asarray(theta, dtype=float)
    values = np.asarray(values, dtype=float)
    if isinstance(model, MLPModel):
        return _mlp_cost_slice(model, X, y, theta, i, values)
    x_i = parameter_column(X, i)
    z_rest = X @ theta[:-1] + theta[-1] - theta[i] * x_i
    out = np.empty(values.shape[0])
    rows = max(1, CHUNK_ELEMENTS // max(1, X.shape[0]))
    for start in range(0, values.shape[0], rows):
        u = values[start : start + rows]
        z = z_rest[None, :] + u[:, None] * x_i[None, :]
        out[start : start + rows] = _per_sample_loss(z, y[None, :], model).mean(axis=1)
    return out + _grid_penalty(theta, l2, i, values)


def _grid_penalty(theta: np.ndarray, l2: float, i: int, values: np.ndarray) -> np.ndarray:
    """(l2/2)||w||^2 when theta_i takes each of ``values``: (G,)."""
    if not l2:
        return np.zeros(values.shape[0])
    held = theta.copy()
    held[i] = 0.0
    varying = 0.5 * l2 * values**2 if i < theta.shape[0] - 1 else np.zeros(values.shape[0])
    return _penalty(held, l2) + varying


def cost_grid(
    X: np.ndarray,
    y: np.ndarray,
    theta: np.ndarray,
    i: int,
    j: int,
    u: np.ndarray,
    v: np.ndarray,
    model: ModelLike = "logistic",
    l2: float = 0.0,
) -> np.ndarray:
    """J over theta_i = u[c], theta_j = v[r] (others held): returns (len(v), len(u)).

    Row r follows the vertical axis (theta_j), column c the horizontal one (theta_i), the
    layout of an image drawn row-major with its origin at the lower left.
    """
    if i == j:
        raise ValueError("a grid needs two different parameters")
    theta = np.asarray(theta, dtype=float)
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    if isinstance(model, MLPModel):
        return _mlp_cost_grid(model, X, y, theta, i, j, u, v)
    x_i = parameter_column(X, i)
    x_j = parameter_column(X, j)
    z_rest = X @ theta[:-1] + theta[-1] - theta[i] * x_i - theta[j] * x_j
    base_u = z_rest[None, :] + u[:, None] * x_i[None, :]  # (G_u, n)
    out = np.empty((v.shape[0], u.shape[0]))
    rows = max(1, CHUNK_ELEMENTS // max(1, base_u.size))
    for start in range(0, v.shape[0], rows):
        v_chunk = v[start : start + rows]
        z = base_u[None, :, :] + v_chunk[:, None, None] * x_j[None, None, :]
        out[start : start + rows] = _per_sample_loss(z, y[None, None, :], model).mean(axis=2)
    if l2:
        held = theta.copy()
        held[[i, j]] = 0.0
        d = theta.shape[0] - 1
        pen_u = 0.5 * l2 * u**2 if i < d else np.zeros_like(u)
        pen_v = 0.5 * l2 * v**2 if j < d else np.zeros_like(v)
        out += _penalty(held, l2) + pen_v[:, None] + pen_u[None, :]
    return out


def axis_range(
    center: float,
    points: np.ndarray | None = None,
    min_half_width: float = 1.0,
    margin: float = 0.15,
) -> tuple[float, float]:
    """An axis interval around ``center`` that also covers ``points`` (a path), with a margin.

    The half-width is at least ``min_half_width`` so a path at rest still shows its bowl.
    """
    lo = hi = float(center)
    if points is not None and np.size(points):
        finite = np.asarray(points, dtype=float)
        finite = finite[np.isfinite(finite)]
        if finite.size:
            lo = min(lo, float(finite.min()))
            hi = max(hi, float(finite.max()))
    mid = 0.5 * (lo + hi)
    half = max(0.5 * (hi - lo) * (1.0 + 2.0 * margin), min_half_width)
    return mid - half, mid + half


def plane_minimum(
    X: np.ndarray,
    y: np.ndarray,
    theta: np.ndarray,
    axes: Sequence[int],
    model: ModelLike = "logistic",
    l2: float = 0.0,
    max_radius: float = 12.0,
    iterations: int = 30,
) -> np.ndarray:
    """The lowest point of J over the parameters ``axes`` (one or two), the others held.

    Damped Newton on the k = len(axes) free entries, k <= 2: with A the (n, k) columns of
    those parameters and r = a - y (logistic) or 2 (z - y) (linear),

        g = A^T r / n + l2 * w_axes,      H = A^T diag(s) A / n + l2 * I_w,

    s = a (1 - a) or 2. Steps are halved until J decreases, and the result stays within
    ``max_radius`` of ``theta`` on each axis (J of separable data has no minimum at all).
    Returns theta with the ``axes`` entries replaced: (d+1,).  A hidden layer: see the
    module docstring (a grid search, ``max_radius`` and ``iterations`` unused).
    """
    theta = np.asarray(theta, dtype=float).copy()
    axes = list(axes)
    if isinstance(model, MLPModel):
        return _mlp_plane_minimum(model, X, y, theta, axes)
    A = np.stack([parameter_column(X, k) for k in axes], axis=1)
    weights = np.array([1.0 if k < theta.shape[0] - 1 else 0.0 for k in axes])
    n = X.shape[0]
    origin = theta[axes].copy()
    best = cost(X, y, theta, model, l2)
    for _ in range(iterations):
        z = X @ theta[:-1] + theta[-1]
        if model == "logistic":
            a = sigmoid(z)
            r, s = a - y, np.maximum(a * (1.0 - a), 1e-12)
        else:
            r, s = 2.0 * (z - y), np.full(n, 2.0)
        g = A.T @ r / n + l2 * weights * theta[axes]
        H = (A * s[:, None]).T @ A / n + np.diag(l2 * weights + 1e-9)
        step = np.linalg.solve(H, g)
        scale = 1.0
        while scale > 1e-4:
            trial = theta.copy()
            trial[axes] = np.clip(
                theta[axes] - scale * step, origin - max_radius, origin + max_radius
            )
            value = cost(X, y, trial, model, l2)
            if value < best:
                break
            scale *= 0.5
        else:
            break
        moved = float(np.max(np.abs(trial[axes] - theta[axes])))
        theta, best = trial, value
        if moved < 1e-7:
            break
    return theta


# -- one hidden layer ---------------------------------------------------------------------
def _check_index(model: MLPModel, d: int, k: int) -> int:
    p = model.n_params(d)
    if not 0 <= k < p:
        raise ValueError(f"parameter index {k} is out of range 0..{p - 1}")
    return int(k)


def mlp_logits(
    model: MLPModel, X: np.ndarray, theta: np.ndarray, moved: dict[int, np.ndarray]
) -> np.ndarray:
    """The hidden layer's logits with theta_k replaced by ``moved[k]`` for each k.

    Each ``moved[k]`` broadcasts to a grid shape ``S + (1,)``; returns ``S + (n,)``.
    """
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    h = model.hidden
    parts = model.parts(theta, d)
    A = X @ parts.W1.T
    if model.fit_bias:
        A += parts.b1
    H = np.tanh(A) if model.activation == "tanh" else np.maximum(A, 0.0)
    by_unit: dict[int, list[int]] = {}
    out_bias = None
    for k in moved:
        k = _check_index(model, d, k)
        if k == model.n_params(d) - 1:
            out_bias = k
        else:
            unit = k // d if k < h * d else (k - h * d) % h
            by_unit.setdefault(unit, []).append(k)
    units = sorted(by_unit)
    z = H @ parts.w2 - H[:, units] @ parts.w2[units]
    if model.fit_bias and out_bias is None:
        z += parts.b2
    shape = np.broadcast_shapes((n,), *(np.shape(v) for v in moved.values()))
    for unit in units:
        a: np.ndarray = A[:, unit]
        w_out: np.ndarray | float = parts.w2[unit]
        for k in by_unit[unit]:
            value = np.asarray(moved[k], dtype=float)
            if k < h * d:
                a = a + (value - theta[k]) * X[:, k % d]
            elif k < h * d + h:
                if model.fit_bias:  # without a bias, b1 is ignored (mlp.py)
                    a = a + (value - theta[k])
            else:
                w_out = value
        act = np.tanh(a) if model.activation == "tanh" else np.maximum(a, 0.0)
        z = z + w_out * act
    if out_bias is not None and model.fit_bias:
        z = z + np.asarray(moved[out_bias], dtype=float)
    return np.broadcast_to(z, shape)


def _mlp_penalty(model: MLPModel, theta: np.ndarray, moved: dict[int, np.ndarray]) -> np.ndarray:
    """(l2/2)(||W1||^2 + ||w2||^2) with ``moved`` entries replaced: the grid shape ``S``."""
    shape = np.broadcast_shapes((1,), *(np.shape(v) for v in moved.values()))[:-1]
    if not model.l2:
        return np.zeros(shape)
    mask = model.weight_mask(model.n_features(theta.shape[0]))
    held = np.where(mask, theta, 0.0)
    held[list(moved)] = 0.0
    total = np.full(shape, float(held @ held))
    for k, value in moved.items():
        if mask[k]:
            total = total + np.asarray(value, dtype=float)[..., 0] ** 2
    return 0.5 * model.l2 * total


def _mlp_cost(
    model: MLPModel, X: np.ndarray, y: np.ndarray, theta: np.ndarray, moved: dict
) -> np.ndarray:
    z = mlp_logits(model, X, theta, moved)
    losses = model.loss_fn.value(z, np.broadcast_to(np.asarray(y, dtype=float), z.shape))
    return losses.mean(axis=-1) + _mlp_penalty(model, theta, moved)


def _mlp_cost_slice(
    model: MLPModel, X: np.ndarray, y: np.ndarray, theta: np.ndarray, i: int, values: np.ndarray
) -> np.ndarray:
    out = np.empty(values.shape[0])
    rows = max(1, CHUNK_ELEMENTS // max(1, X.shape[0]))
    for start in range(0, values.shape[0], rows):
        chunk = values[start : start + rows, None]
        out[start : start + rows] = _mlp_cost(model, X, y, theta, {i: chunk})
    return out


def _mlp_cost_grid(
    model: MLPModel,
    X: np.ndarray,
    y: np.ndarray,
    theta: np.ndarray,
    i: int,
    j: int,
    u: np.ndarray,
    v: np.ndarray,
) -> np.ndarray:
    out = np.empty((v.shape[0], u.shape[0]))
    rows = max(1, CHUNK_ELEMENTS // max(1, X.shape[0] * u.shape[0]))
    for start in range(0, v.shape[0], rows):
        v_chunk = v[start : start + rows, None, None]
        moved = {i: u[None, :, None], j: v_chunk}
        out[start : start + rows] = _mlp_cost(model, X, y, theta, moved)
    return out


def _mlp_plane_minimum(
    model: MLPModel, X: np.ndarray, y: np.ndarray, theta: np.ndarray, axes: list[int]
) -> np.ndarray:
    size = MLP_SEARCH_POINTS[len(axes) - 1]
    grids = [
        np.linspace(theta[k] - MLP_SEARCH_RADIUS, theta[k] + MLP_SEARCH_RADIUS, size) for k in axes
    ]
    if len(axes) == 1:
        J = _mlp_cost_slice(model, X, y, theta, axes[0], grids[0])
        best = (int(np.argmin(J)),)
    else:
        J = _mlp_cost_grid(model, X, y, theta, axes[0], axes[1], grids[0], grids[1])
        r, c = np.unravel_index(int(np.argmin(J)), J.shape)
        best = (int(c), int(r))
    out = theta.copy()
    if float(J.flat[np.argmin(J)]) < model.loss(theta, np.asarray(X, dtype=float), y):
        for k, grid, index in zip(axes, grids, best, strict=True):
            out[k] = grid[index]
    return out
