"""Where a model's probability crosses 0.5 over two features: grids, lines and contours.

numpy only; the decision-boundary panel draws what these functions return.

Conventions. ``X`` is (n, d) in the scaled units the model sees; the picture puts feature
``i`` on the horizontal axis (u) and feature ``j`` on the vertical axis (v) and holds every
other feature k at ``held[k]`` ((d,) array; its entries i and j are ignored). A grid has
``xs`` (G_u,) and ``ys`` (G_v,) evenly spaced, and an array over it is (G_v, G_u): row r
is v = ys[r], column c is u = xs[c] (an image's row-major order).

The 0.5 curve. For the two linear models the raw prediction is z = x . w + b, so with the
other features held it is z = w_i u + w_j v + (b + sum_k w_k held_k), and the probability
is 0.5 exactly where z equals the model's threshold t (0 for sigma(z), 0.5 for the clipped
least-squares line): the straight line w_i u + w_j v = t - b - sum_k w_k held_k, which
``linear_boundary`` gives and ``clip_line`` cuts to the picture. Any other model gets the
0.5 level of its probability grid traced by marching squares (``contour_segments``): on
each grid edge whose ends lie on either side of 0.5 the crossing is placed by linear
interpolation, and each cell joins its crossings with one segment (two in a saddle cell,
paired by the value at the cell's centre).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from gdapp.core.models import LinearModel, LogisticModel

GRID_SIZE = 120  # grid points a side of the probability picture
MIN_GRID_SIZE = 24
# Grid points times features held in memory at once (8 bytes each: 32 MB); a wide table
# gets a coarser grid rather than a larger array.
MAX_GRID_ELEMENTS = 4_000_000
AXIS_PADDING = 0.08  # of the data's span, added on each side of the picture
MIN_SPAN = 1.0  # an axis whose values are (nearly) all equal spans at least this


def grid_size(n_features: int) -> int:
    """Points a side of the grid for a table of ``n_features`` columns."""
    fits = math.isqrt(MAX_GRID_ELEMENTS // max(1, n_features))
    return max(MIN_GRID_SIZE, min(GRID_SIZE, fits))


def axis_ranges(X: np.ndarray) -> np.ndarray:
    """(d, 2) ranges the axes show, one per column of X: its range, padded by
    ``AXIS_PADDING`` each side (``MIN_SPAN`` wide around a constant column)."""
    X = np.asarray(X, dtype=float)
    if X.shape[0] == 0:
        return np.tile([-MIN_SPAN, MIN_SPAN], (X.shape[1], 1))
    if np.isfinite(X).all():  # the usual case, and much cheaper than the NaN-aware one
        low, high = X.min(axis=0), X.max(axis=0)
    else:
        finite = np.where(np.isfinite(X), X, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column: see below
            low, high = np.nanmin(finite, axis=0), np.nanmax(finite, axis=0)
        low, high = np.nan_to_num(low, nan=-MIN_SPAN), np.nan_to_num(high, nan=MIN_SPAN)
    span = high - low
    flat = span < 1e-12 * np.maximum(1.0, np.maximum(np.abs(low), np.abs(high)))
    middle = 0.5 * (low + high)
    return np.column_stack(
        [
            np.where(flat, middle - MIN_SPAN / 2, low - AXIS_PADDING * span),
            np.where(flat, middle + MIN_SPAN / 2, high + AXIS_PADDING * span),
        ]
    )


def grid_points(xs: np.ndarray, ys: np.ndarray, held: np.ndarray, i: int, j: int) -> np.ndarray:
    """(G_v * G_u, d) rows: feature i = xs[c], feature j = ys[r], the others ``held``.

    Row r * G_u + c is grid point (r, c), so a prediction reshaped to (G_v, G_u) is the
    picture in row-major order.
    """
    points = np.tile(np.asarray(held, dtype=float), (len(ys) * len(xs), 1))
    points[:, i] = np.tile(xs, len(ys))
    points[:, j] = np.repeat(ys, len(xs))
    return points


def linear_boundary(
    model: object, theta: np.ndarray, n_features: int, held: np.ndarray, i: int, j: int
) -> tuple[float, float, float] | None:
    """``(a, b, c)`` with the 0.5 line a u + b v = c, for the two linear models; else None.

    Their ``theta`` holds the d weights then the bias; the bias counts only with
    ``fit_bias`` (as in ``models._LinearPredictor.logits``).
    """
    if not isinstance(model, (LogisticModel, LinearModel)):
        return None
    w = np.asarray(theta[:n_features], dtype=float)
    bias = float(theta[n_features]) if model.fit_bias else 0.0
    others = np.ones(n_features, dtype=bool)
    others[[i, j]] = False
    held_part = float(w[others] @ np.asarray(held, dtype=float)[others])
    return float(w[i]), float(w[j]), float(model.threshold) - bias - held_part


def clip_line(
    a: float, b: float, c: float, rect: tuple[float, float, float, float]
) -> np.ndarray | None:
    """The part of the line a u + b v = c inside ``rect`` = (u0, u1, v0, v1): (2, 2) ends.

    None when the line misses the rectangle, or when a = b = 0 (no line: the probability
    does not change across the picture).
    """
    norm2 = a * a + b * b
    if not norm2 > 0.0 or not math.isfinite(norm2):
        return None
    # Points p0 + s (-b, a): p0 is the line's point nearest the origin.
    p0 = np.array([a * c / norm2, b * c / norm2])
    direction = np.array([-b, a])
    s_low, s_high = -math.inf, math.inf
    for axis, (low, high) in enumerate(((rect[0], rect[1]), (rect[2], rect[3]))):
        if direction[axis] == 0.0:
            if not low <= p0[axis] <= high:
                return None
            continue
        s0 = (low - p0[axis]) / direction[axis]
        s1 = (high - p0[axis]) / direction[axis]
        s_low, s_high = max(s_low, min(s0, s1)), min(s_high, max(s0, s1))
    if not s_low < s_high:
        return None
    ends = np.array([p0 + s_low * direction, p0 + s_high * direction])
    # Put ends that rounding left a hair outside back on the rectangle's edge.
    ends[:, 0] = np.clip(ends[:, 0], rect[0], rect[1])
    ends[:, 1] = np.clip(ends[:, 1], rect[2], rect[3])
    return ends


def contour_segments(
    values: np.ndarray, xs: np.ndarray, ys: np.ndarray, level: float = 0.5
) -> np.ndarray:
    """Marching squares: (k, 2, 2) segments (two (u, v) ends each) of ``values == level``.

    ``values`` is (G_v, G_u) over ``xs`` and ``ys`` (see the module docstring); a grid
    point counts as above the level when its value is >= ``level``.
    """
    values = np.asarray(values, dtype=float)
    above = values >= level
    with np.errstate(divide="ignore", invalid="ignore"):
        # Crossings on horizontal edges (r, c)-(r, c+1) and vertical edges (r, c)-(r+1, c).
        h_cross = above[:, :-1] != above[:, 1:]
        h_t = (level - values[:, :-1]) / (values[:, 1:] - values[:, :-1])
        v_cross = above[:-1, :] != above[1:, :]
        v_t = (level - values[:-1, :]) / (values[1:, :] - values[:-1, :])
    h_u = xs[:-1][None, :] + h_t * np.diff(xs)[None, :]
    h_v = np.broadcast_to(ys[:, None], h_u.shape)
    v_u = np.broadcast_to(xs[None, :], v_t.shape)
    v_v = ys[:-1][:, None] + v_t * np.diff(ys)[:, None]
    # Each cell's edges in the order bottom, right, top, left: (4, G_v-1, G_u-1).
    cross = np.stack([h_cross[:-1], v_cross[:, 1:], h_cross[1:], v_cross[:, :-1]])
    u = np.stack([h_u[:-1], v_u[:, 1:], h_u[1:], v_u[:, :-1]])
    v = np.stack([h_v[:-1], v_v[:, 1:], h_v[1:], v_v[:, :-1]])
    count = cross.sum(axis=0)
    segments = []
    rows, cols = np.nonzero(count == 2)
    if rows.size:
        first = np.argmax(cross[:, rows, cols], axis=0)
        second = 3 - np.argmax(cross[::-1, rows, cols], axis=0)
        segments.append(_segments(u, v, first, second, rows, cols))
    rows, cols = np.nonzero(count == 4)
    if rows.size:
        # A saddle: the value at the centre says which two corners are joined.
        centre = 0.25 * (
            values[rows, cols]
            + values[rows, cols + 1]
            + values[rows + 1, cols]
            + values[rows + 1, cols + 1]
        )
        bottom_left_high = above[rows, cols]
        cut_corners = (centre >= level) != bottom_left_high
        # Edges 0..3 = bottom, right, top, left. Cutting off the bottom-left and top-right
        # corners joins (bottom, left) and (top, right); otherwise (bottom, right), (top, left).
        first_a = np.zeros(rows.size, dtype=int)
        second_a = np.where(cut_corners, 3, 1)
        first_b = np.full(rows.size, 2)
        second_b = np.where(cut_corners, 1, 3)
        segments.append(_segments(u, v, first_a, second_a, rows, cols))
        segments.append(_segments(u, v, first_b, second_b, rows, cols))
    if not segments:
        return np.zeros((0, 2, 2))
    return np.concatenate(segments)


def _segments(u, v, first, second, rows, cols) -> np.ndarray:
    start = np.stack([u[first, rows, cols], v[first, rows, cols]], axis=-1)
    end = np.stack([u[second, rows, cols], v[second, rows, cols]], axis=-1)
    return np.stack([start, end], axis=1)
