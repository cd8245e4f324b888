"""The graphs the graph panel shows, built from ``Value`` operations, with an optional bug.

Shapes: one sample has x, w (d,), b and y floats; a batch has X (m, d), y (m,), w (d,), b float.

    post example      u = b*c, v = a + u, J = 3v
    logistic sample   p_i = x_i w_i, z = sum_i p_i + b, a = sigmoid(z), L = L(a, y)
    linear sample     p_i = x_i w_i, z = sum_i p_i + b, yhat = z, L = (yhat - y)^2
    batch cost        z = Xw + b, then a and L (or yhat and L) per row, J = mean(L)

The losses are the core's (``gdapp.core.losses``): the log-loss on the logit,
L = softplus(z) - y z = -(y log a + (1 - y) log(1 - a)), and the squared error (yhat - y)^2,
without a factor 1/2, as the trainer uses them. For the log-loss

    dL/da = -y/a + (1 - y)/(1 - a),  dL/dz = a - y,  dL/dw_i = x_i (a - y),  dL/db = a - y,

and dL/dz = a - y is handed to z in closed form rather than as the product dL/da * da/dz,
which rounds, and is 0 * inf once a has rounded to 1. For the squared error dL/dyhat = 2(yhat - y).

Bugs, each one wrong local derivative; backward then goes wrong exactly upstream of that edge:
    "drop_x"       dp_i/dw_i = 1 instead of x_i (batch: dz/dw = ones instead of X)
    "flip_sign"    da/dz = -a(1 - a) (linear: dyhat/dz = -1), so dL/dz comes out negated
    "forget_mean"  dJ/dL_i = 1 instead of 1/m (batch cost only)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gdapp.core.functional import sigmoid
from gdapp.core.graph import Value, add
from gdapp.core.losses import BCE_WITH_LOGITS, SQUARED_ERROR
from gdapp.core.nudge import Graph

BUGS = ("drop_x", "flip_sign", "forget_mean")
MODELS = ("logistic", "linear")
SAMPLE_BUGS = ("drop_x", "flip_sign")

_TINY = np.finfo(float).tiny  # smallest normal float: the floor for a and 1 - a in dL/da
_BELOW_ONE = 1.0 - np.finfo(float).epsneg  # largest float below 1


def build_post_example(
    a: float = 5.0, b: float = 3.0, c: float = 2.0, bug: str | None = None
) -> Graph:
    """The post's graph: u = b*c, v = a + u, J = 3v (33 at a=5, b=3, c=2)."""
    _check_bug(bug, (), "build_post_example")
    a, b, c = Value(a, name="a"), Value(b, name="b"), Value(c, name="c")
    u = (b * c).named("u")
    v = (a + u).named("v")
    J = (3 * v).named("J")
    return Graph(J)


def build_logistic_sample(
    x: Sequence[float] | np.ndarray,
    w: Sequence[float] | np.ndarray,
    b: float,
    y: float,
    feature_names: Sequence[str] | None = None,
    bug: str | None = None,
) -> Graph:
    """Logistic regression on one sample, one node per feature: x (d,), w (d,), b, y in [0, 1]."""
    _check_bug(bug, SAMPLE_BUGS, "build_logistic_sample")
    return _sample_graph(x, w, b, Value(_label(y), name="y"), feature_names, bug, "logistic")


def build_linear_sample(
    x: Sequence[float] | np.ndarray,
    w: Sequence[float] | np.ndarray,
    b: float,
    y: float,
    feature_names: Sequence[str] | None = None,
    bug: str | None = None,
) -> Graph:
    """Least squares on one sample: z = w·x + b, yhat = z, L = (yhat - y)^2."""
    _check_bug(bug, SAMPLE_BUGS, "build_linear_sample")
    return _sample_graph(x, w, b, Value(_number(y, "y"), name="y"), feature_names, bug, "linear")


def _sample_graph(x, w, b, yn: Value, feature_names, bug: str | None, model: str) -> Graph:
    """z = Σ wᵢxᵢ + b, then the model's loss against ``yn``; the bug edges end at its output."""
    xs, ws, bn, z, names = _sample_logit(x, w, b, feature_names, bug == "drop_x")
    loss, output = (_log_loss, "a") if model == "logistic" else (_squared_error, "yhat")
    L = loss(z, yn, flip_sign=bug == "flip_sign")
    return Graph(
        L, params=(*ws, bn), bug=bug, bug_edges=_sample_bug_edges(bug, len(xs), output),
        feature_names=names,
    )  # fmt: skip


def build_sample(
    x: Sequence[float] | np.ndarray,
    w: Sequence[float] | np.ndarray,
    b: float,
    y: float,
    feature_names: Sequence[str] | None = None,
    bug: str | None = None,
    model: str = "logistic",
) -> Graph:
    """One sample's loss for ``model`` ("logistic" or "linear")."""
    build = {"logistic": build_logistic_sample, "linear": build_linear_sample}
    if model not in build:
        raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")
    return build[model](x, w, b, y, feature_names, bug)


def build_batch_cost(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    b: float,
    feature_names: Sequence[str] | None = None,
    bug: str | None = None,
    model: str = "logistic",
) -> Graph:
    """Mean loss J over a batch, with vector nodes: X (m, d), y (m,), w (d,), b."""
    _check_bug(bug, BUGS, "build_batch_cost")
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")
    X = np.array(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0 or not np.all(np.isfinite(X)):
        raise ValueError(f"X must be a finite (m, d) array with m >= 1, got shape {X.shape}")
    w = _vector(w, "w")
    if w.size != X.shape[1]:
        raise ValueError(f"w must have {X.shape[1]} entries (one per column of X), got {w.size}")
    m = X.shape[0]
    labels = _labels(y, m, bounded=model == "logistic")
    Xn, wn, bn = Value(X, name="X"), Value(w, name="w"), Value(_number(b, "b"), name="b")
    yn = Value(labels, name="y")

    def dz(g):  # d(Xw + b) times g, for X, w and b
        dw = np.full(w.shape, np.sum(g)) if bug == "drop_x" else Xn.data.T @ g
        return np.outer(g, wn.data), dw, float(np.sum(g))

    z = Value.make((Xn, wn, bn), "Xw + b", lambda: Xn.data @ wn.data + bn.data, dz).named("z")
    flip = bug == "flip_sign"
    L = _log_loss(z, yn, flip) if model == "logistic" else _squared_error(z, yn, flip)
    per_row = 1.0 if bug == "forget_mean" else 1.0 / m
    J = Value.make(
        (L,), "mean", lambda: float(np.mean(L.data)), lambda g: (np.full(m, g * per_row),)
    ).named("J")
    middle = "a" if model == "logistic" else "yhat"
    edges = {"drop_x": [("w", "z")], "flip_sign": [("z", middle)], "forget_mean": [("L", "J")]}
    return Graph(
        J,
        params=(wn, bn),
        bug=bug,
        bug_edges=edges.get(bug, []),
        feature_names=_feature_names(feature_names, w.size),
    )


def _sample_logit(x, w, b, feature_names, drop_x: bool):
    """x_i, w_i, b, z = sum_i x_i w_i + b and the feature names of one sample."""
    x, w = _vector(x, "x"), _vector(w, "w")
    if x.shape != w.shape:
        raise ValueError(f"x and w must have the same length, got {x.size} and {w.size}")
    names = _feature_names(feature_names, x.size)
    xs = [Value(v, name=f"x{i}") for i, v in enumerate(x, start=1)]
    ws = [Value(v, name=f"w{i}") for i, v in enumerate(w, start=1)]
    ps = [
        _times(x_i, w_i, drop_x).named(f"p{i}")
        for i, (x_i, w_i) in enumerate(zip(xs, ws, strict=True), 1)
    ]
    bn = Value(_number(b, "b"), name="b")
    return xs, ws, bn, add(*ps, bn).named("z"), names


def _times(x: Value, w: Value, drop_x: bool) -> Value:
    """x * w; with ``drop_x`` the derivative handed to w is 1 * grad instead of x * grad."""
    if not drop_x:
        return x * w
    return Value.make((x, w), "×", lambda: x.data * w.data, lambda g: (g * w.data, g))


def _sample_bug_edges(bug: str | None, d: int, middle: str) -> list[tuple[str, str]]:
    if bug == "drop_x":
        return [(f"w{i}", f"p{i}") for i in range(1, d + 1)]
    return [("z", middle)] if bug == "flip_sign" else []


def _log_loss(z: Value, y: Value, flip_sign: bool) -> Value:
    """a = sigmoid(z) and L(a, y) = log-loss; returns L.

    a has no consumer but L, so its backward hands z the closed form (a - y) * dOut/dL
    instead of dL/da * da/dz.
    """
    sign = -1.0 if flip_sign else 1.0
    a = z.sigmoid().named("a")
    L = Value.make(
        (a, y),
        "log loss",
        lambda: _out(BCE_WITH_LOGITS.value(_logit(a.data, z.data), y.data)),
        lambda g: tuple(g * d for d in _log_loss_slopes(a.data, z.data, y.data)),
    ).named("L")
    a._backward = lambda g: (sign * (a.data - y.data) * L.grad,)
    return L


def _squared_error(z: Value, y: Value, flip_sign: bool) -> Value:
    """yhat = z and L = (yhat - y)^2; returns L."""
    sign = -1.0 if flip_sign else 1.0
    yhat = Value.make((z,), "=", lambda: z.data, lambda g: (sign * g,)).named("yhat")

    def slopes(g):
        d = SQUARED_ERROR.gradient(np.asarray(yhat.data, float), np.asarray(y.data, float))
        return g * _out(d), -g * _out(d)

    return Value.make(
        (yhat, y), "squared error", lambda: _out(SQUARED_ERROR.value(yhat.data, y.data)), slopes
    ).named("L")


def _logit(a, z) -> np.ndarray:
    """The logit behind a: z itself while a = sigmoid(z); log(a) - log(1 - a) for a nudged a,
    with a first moved strictly inside (0, 1) so that L stays finite."""
    a, z = np.asarray(a, float), np.asarray(z, float)
    p = np.clip(a, _TINY, _BELOW_ONE)
    return np.where(a == sigmoid(z), z, np.log(p) - np.log1p(-p))


def _log_loss_slopes(a, z, y) -> tuple:
    """dL/da and dL/dy = -logit, finite: a and 1 - a are kept at least the smallest float."""
    a, z, y = np.asarray(a, float), np.asarray(z, float), np.asarray(y, float)
    from_z = a == sigmoid(z)
    p = np.clip(a, _TINY, _BELOW_ONE)
    q = np.maximum(np.where(from_z, sigmoid(-z), 1.0 - p), _TINY)  # 1 - a, unrounded from z
    return _out(-y / p + (1.0 - y) / q), _out(-_logit(a, z))


def _out(value) -> float | np.ndarray:
    return float(value) if np.ndim(value) == 0 else np.asarray(value, float)


def _check_bug(bug: str | None, valid: tuple[str, ...], builder: str) -> None:
    if bug is None or bug in valid:
        return
    if bug not in BUGS:
        raise ValueError(f"unknown bug {bug!r}; the bugs are {', '.join(BUGS)} (or None)")
    allowed = ", ".join((*valid, "None")) if valid else "None only"
    raise ValueError(f"bug {bug!r} does not apply to {builder}; valid there: {allowed}")


def _number(value: float, name: str) -> float:
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _vector(values: Sequence[float] | np.ndarray, name: str) -> np.ndarray:
    array = np.array(values, dtype=float)
    if array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be a finite 1-d array with at least one entry")
    return array


def _label(y: float) -> float:
    y = _number(y, "y")
    if not 0.0 <= y <= 1.0:
        raise ValueError(f"y must lie in [0, 1], got {y}")
    return y


def _labels(y: Sequence[float] | np.ndarray, m: int, bounded: bool = True) -> np.ndarray:
    labels = np.array(y, dtype=float)
    if labels.shape != (m,) or not np.all(np.isfinite(labels)):
        raise ValueError(f"y must be a finite array of shape ({m},)")
    if bounded and not np.all((labels >= 0.0) & (labels <= 1.0)):
        raise ValueError(f"y must have shape ({m},) with entries in [0, 1]")
    return labels


def _feature_names(names: Sequence[str] | None, d: int) -> tuple[str, ...]:
    if names is None:
        return ()
    names = tuple(str(name) for name in names)
    if len(names) != d:
        raise ValueError(f"expected {d} feature names, got {len(names)}")
    return names
