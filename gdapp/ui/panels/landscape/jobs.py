"""What the landscape panel computes, as jobs its worker thread runs: numpy and the core only.

Conventions as in ``gdapp.core.landscape``: ``X`` is (n, d), ``y`` is (n,), ``theta`` is
(p,) with the (output) bias last: for the linear models p = d + 1 and a parameter index k
in 0..d names w_{k+1} (k < d) or the bias (k == d); for a hidden layer ``model`` is the
``MLPModel`` itself and k follows its layout. A job never touches a widget: it reads its
own arrays and yields results.

Row blocks. J is a mean over the samples plus the L2 term, so over blocks of n_b rows

    J(theta) = sum_b (n_b / n) * J_b(theta)

where J_b is the core's cost on block b, L2 term included: the weights sum to one, so the
L2 term is counted once. A block holds at most ``BLOCK_ELEMENTS`` (grid point, sample)
pairs, which bounds the memory of a grid whatever n is, and between blocks a job asks
``check()`` whether it is still wanted (``check`` raises ``SupersededError`` when it is not).

Passes. A picture job lists its sizes coarse first: for a new picture of a large dataset a
16 x 16 grid (or a 40-point curve) is shown within a few seconds, then the fine one. The
fine grid has ``GRID_SIZE`` points a side, fewer for very large data so that one pass stays
near ``FINE_WORK_BUDGET`` loss evaluations.

Axes. Each axis covers theta_k now, the descent path, the start and the lowest point of the
plane; overlaid runs may widen it by at most ``OVERLAY_REACH`` times that width, so a run
that flies off does not shrink the valley to a dot. Policy "fit" shows exactly that range,
"view" keeps the learner's zoom, "follow" grows the view to the range but never shrinks it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from gdapp.core import landscape
from gdapp.core.replay import Replay, replay
from gdapp.core.trainer import TrainConfig

GRID_SIZE = 72  # points a side of the finest contour grid
MIN_GRID_SIZE = 32  # the fine grid never gets coarser than this, however large the data
COARSE_GRID_SIZE = 16
SLICE_POINTS = 240
MIN_SLICE_POINTS = 60
COARSE_SLICE_POINTS = 40
# Loss evaluations (grid points x samples) one fine pass may take: about 10 s on one core.
FINE_WORK_BUDGET = 4e8
# A new picture that takes more evaluations than this is shown coarse first (< 1 s).
COARSE_FIRST_WORK = 3e7
BLOCK_ELEMENTS = 1_000_000  # (grid point, sample) pairs per block: about 8 MB per array
OVERLAY_REACH = 1.0  # overlaid runs may widen an axis by this many times its own width
ISO_QUANTILES = (0.01, 0.03, 0.07, 0.14, 0.25, 0.4, 0.6, 0.8)  # of log J, for the iso-lines
POLICIES = ("fit", "view", "follow")
PICTURE = "picture"  # the key of picture jobs: a newer one replaces an older one


class SupersededError(Exception):
    """Raised by ``check()`` inside a job that a newer request (or a stop) made useless."""


Check = Callable[[], None]


@dataclass(frozen=True)
class AxisSpec:
    """What fixes one axis: theta_k now, values it must show, overlaid runs' ends, the view.

    ``cover`` holds the ends of the descent path and the start (any number of values);
    ``runs`` the ends of the overlaid runs' paths; ``view`` the range on screen now.
    """

    center: float
    cover: tuple[float, ...]
    runs: tuple[float, ...]
    view: tuple[float, float]
    policy: str = "fit"


def axis_values(spec: AxisSpec, lowest: float, size: int) -> np.ndarray:
    """``size`` evenly spaced values along one axis, ``lowest`` (the plane's minimum) shown."""
    points = np.array([*spec.cover, lowest], dtype=float)
    own = landscape.axis_range(spec.center, points)
    reach = OVERLAY_REACH * (own[1] - own[0])
    runs = np.clip(np.array(spec.runs, dtype=float), own[0] - reach, own[1] + reach)
    fitted = landscape.axis_range(spec.center, np.concatenate([points, runs]))
    if spec.policy == "fit":
        lo, hi = fitted
    elif spec.policy == "view":
        lo, hi = spec.view
    elif spec.policy == "follow":
        lo, hi = min(spec.view[0], fitted[0]), max(spec.view[1], fitted[1])
    else:
        raise ValueError(f"unknown axis policy {spec.policy!r}; expected one of {POLICIES}")
    return np.linspace(lo, hi, size)


def pass_sizes(mode: str, n: int, new_picture: bool) -> tuple[int, ...]:
    """Grid (contour) or curve (slice) sizes of a picture job's passes, coarse first."""
    n = max(int(n), 1)
    if mode == "contour":
        fine = min(GRID_SIZE, max(MIN_GRID_SIZE, math.isqrt(int(FINE_WORK_BUDGET // n))))
        coarse, work = COARSE_GRID_SIZE, fine * fine * n
    else:
        fine = min(SLICE_POINTS, max(MIN_SLICE_POINTS, int(FINE_WORK_BUDGET // n)))
        coarse, work = COARSE_SLICE_POINTS, fine * n
    if new_picture and work > COARSE_FIRST_WORK and coarse < fine:
        return (coarse, fine)
    return (fine,)


def _blocks(n: int, per_sample: int) -> Iterator[slice]:
    rows = max(1, BLOCK_ELEMENTS // max(1, per_sample))
    for start in range(0, n, rows):
        yield slice(start, min(n, start + rows))


def grid_cost(
    X: np.ndarray,
    y: np.ndarray,
    theta: np.ndarray,
    i: int,
    j: int,
    u: np.ndarray,
    v: np.ndarray,
    model: landscape.ModelLike,
    l2: float,
    check: Check,
) -> np.ndarray:
    """J at theta_i = u[c], theta_j = v[r] as ``landscape.cost_grid`` gives it: (G_v, G_u)."""
    n = X.shape[0]
    total = np.zeros((len(v), len(u)))
    for rows in _blocks(n, len(u) * len(v)):
        check()
        block = landscape.cost_grid(X[rows], y[rows], theta, i, j, u, v, model, l2)
        total += ((rows.stop - rows.start) / n) * block
    return total


def slice_cost(
    X: np.ndarray,
    y: np.ndarray,
    theta: np.ndarray,
    i: int,
    values: np.ndarray,
    model: landscape.ModelLike,
    l2: float,
    check: Check,
) -> np.ndarray:
    """J along theta_i = values[g] as ``landscape.cost_slice``, in row blocks: (G,)."""
    n = X.shape[0]
    total = np.zeros(len(values))
    for rows in _blocks(n, len(values)):
        check()
        block = landscape.cost_slice(X[rows], y[rows], theta, i, values, model, l2)
        total += ((rows.stop - rows.start) / n) * block
    return total


def iso_segments(
    Z: np.ndarray, x: np.ndarray, y: np.ndarray, levels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Where ``Z`` ((len(y), len(x)), Z[r, c] at (x[c], y[r])) crosses each level, by
    marching squares: returns ``(xs, ys)``, both (2m,), consecutive pairs ending a segment.

    In each cell a level crosses an edge where its two corners lie on either side, at the
    linear interpolation between them. Two crossings make one segment; four (a saddle) make
    two, joined the way the cell's mean value says the corners are.
    """
    a, b, c, d = Z[:-1, :-1], Z[:-1, 1:], Z[1:, 1:], Z[1:, :-1]  # corners, counter-clockwise
    x0, x1 = x[None, :-1], x[None, 1:]
    y0, y1 = y[:-1, None], y[1:, None]
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    for level in np.asarray(levels, dtype=float):
        hit, px, py = [], [], []
        for p, q, along_x, fixed, lo, hi in (
            (a, b, True, y0, x0, x1),  # bottom edge
            (b, c, False, x1, y0, y1),  # right edge
            (d, c, True, y1, x0, x1),  # top edge
            (a, d, False, x0, y0, y1),  # left edge
        ):
            crosses = (p < level) != (q < level)
            with np.errstate(invalid="ignore", divide="ignore"):
                t = np.where(crosses, (level - p) / np.where(crosses, q - p, 1.0), 0.0)
            moving = lo + t * (hi - lo)
            hit.append(crosses)
            px.append(moving if along_x else np.broadcast_to(fixed, moving.shape))
            py.append(np.broadcast_to(fixed, moving.shape) if along_x else moving)
        hits, px, py = np.array(hit), np.array(px), np.array(py)
        count = hits.sum(axis=0)
        pairs = []
        two = count == 2
        if two.any():
            first, second = np.argsort(~hits[:, two], axis=0, kind="stable")[:2]
            pairs.append((first, second, two))
        four = count == 4
        if four.any():
            # Centre on a's side: a and c are joined, the lines cut off b and d; else a and c.
            joined = ((a + b + c + d)[four] / 4 < level) == (a[four] < level)
            bottom = np.zeros(joined.shape, dtype=int)
            pairs.append((bottom, np.where(joined, 1, 3), four))  # around b, or around a
            pairs.append((np.where(joined, 2, 1), np.where(joined, 3, 2), four))  # d, or c
        for first, second, cells in pairs:
            cx, cy = px[:, cells], py[:, cells]
            k = np.arange(cx.shape[1])
            segment_x = np.stack([cx[first, k], cx[second, k]], axis=1).ravel()
            segment_y = np.stack([cy[first, k], cy[second, k]], axis=1).ravel()
            xs.append(segment_x)
            ys.append(segment_y)
    if not xs:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(xs), np.concatenate(ys)


@dataclass(frozen=True, eq=False)
class PictureJob:
    """A slice (one axis) or contour (two axes) of J around ``theta`` on ``(X, y)``.

    ``specs`` has one ``AxisSpec`` per entry of ``axes``; ``sizes`` the passes' sizes;
    ``trail`` (slice only) recent values of theta_i to mark on the curve.
    """

    generation: int
    mode: str
    X: np.ndarray
    y: np.ndarray
    theta: np.ndarray
    axes: tuple[int, ...]
    specs: tuple[AxisSpec, ...]
    model: landscape.ModelLike
    l2: float
    sizes: tuple[int, ...]
    trail: np.ndarray

    @property
    def key(self) -> str:
        return PICTURE


@dataclass(frozen=True, eq=False)
class Picture:
    """One pass of a picture job. ``coords`` is ``(values,)`` (slice) or ``(u, v)``.

    ``J`` is (G,) along ``values`` or (len(v), len(u)) with J[r, c] at (u[c], v[r]).
    ``minimum`` is theta with the axes' entries moved to the plane's lowest point. Slice
    only: ``here`` = J(theta), ``lowest`` = J(minimum), ``trail_cost`` = J along ``trail``.
    Contour only: ``shown`` = log J as coloured, ``iso`` its iso-lines at ``ISO_QUANTILES``
    of the values, as segment ends ``(xs, ys)`` in parameter coordinates.
    """

    generation: int
    final: bool
    mode: str
    axes: tuple[int, ...]
    theta: np.ndarray
    minimum: np.ndarray
    coords: tuple[np.ndarray, ...]
    J: np.ndarray
    here: float = math.nan
    lowest: float = math.nan
    trail: np.ndarray | None = None
    trail_cost: np.ndarray | None = None
    shown: np.ndarray | None = None
    iso: tuple[np.ndarray, np.ndarray] | None = None


@dataclass(frozen=True, eq=False)
class ReplayJob:
    """Replay ``steps`` updates of ``config`` from ``start`` (None: where config starts)."""

    key: object
    generation: int
    X: np.ndarray
    y: np.ndarray
    config: TrainConfig
    start: np.ndarray | None
    steps: int


@dataclass(frozen=True, eq=False)
class ReplayResult:
    key: object
    generation: int
    replay: Replay


def _contour(job: PictureJob, check: Check) -> Iterator[Picture]:
    i, j = job.axes
    minimum = landscape.plane_minimum(job.X, job.y, job.theta, (i, j), job.model, job.l2)
    for index, size in enumerate(job.sizes):
        u = axis_values(job.specs[0], minimum[i], size)
        v = axis_values(job.specs[1], minimum[j], size)
        J = grid_cost(job.X, job.y, job.theta, i, j, u, v, job.model, job.l2, check)
        shown = np.log(np.maximum(J, 1e-12))
        iso = iso_segments(shown, u, v, np.quantile(shown, ISO_QUANTILES))
        yield Picture(
            job.generation,
            index == len(job.sizes) - 1,
            job.mode,
            job.axes,
            job.theta,
            minimum,
            (u, v),
            J,
            shown=shown,
            iso=iso,
        )


def _slice(job: PictureJob, check: Check) -> Iterator[Picture]:
    (i,) = job.axes
    X, y, theta, model, l2 = job.X, job.y, job.theta, job.model, job.l2
    minimum = landscape.plane_minimum(X, y, theta, (i,), model, l2)
    check()
    here = landscape.cost(X, y, theta, model, l2)
    lowest = landscape.cost(X, y, minimum, model, l2)
    trail_cost = slice_cost(X, y, theta, i, job.trail, model, l2, check)
    for index, size in enumerate(job.sizes):
        values = axis_values(job.specs[0], minimum[i], size)
        J = slice_cost(X, y, theta, i, values, model, l2, check)
        yield Picture(
            job.generation,
            index == len(job.sizes) - 1,
            job.mode,
            job.axes,
            theta,
            minimum,
            (values,),
            J,
            here,
            lowest,
            job.trail,
            trail_cost,
        )


def _replay(job: ReplayJob, check: Check) -> Iterator[ReplayResult]:
    run = replay(job.X, job.y, job.config, job.start, job.steps, progress=lambda _step: check())
    yield ReplayResult(job.key, job.generation, run)


def compute(job: PictureJob | ReplayJob, check: Check) -> Iterator[Picture | ReplayResult]:
    """The results of ``job``, in order; ``check()`` is called often and may raise."""
    check()
    if isinstance(job, ReplayJob):
        return _replay(job, check)
    if job.mode == "contour":
        return _contour(job, check)
    if job.mode == "slice":
        return _slice(job, check)
    raise ValueError(f"unknown landscape mode {job.mode!r}")
