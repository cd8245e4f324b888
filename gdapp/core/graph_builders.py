"""The graphs the graph panel shows, with an optional planted bug.

Shapes: one sample has x, w (d,), b and y floats; a batch has X (m, d), y (m,), w (d,), b float.

    post example     u = b*c, v = a + u, J = 3v
    logistic sample  p_i = w_i x_i, z = sum_i p_i + b, a = sigmoid(z), L = L(a, y)
    batch cost       z = Xw + b, a = sigmoid(z), L = L(a, y) per sample, J = mean(L)

with L(a, y) = -(y log a + (1 - y) log(1 - a)), so

    dL/da = -y/a + (1 - y)/(1 - a),  dL/dz = a - y,  dL/dw_i = x_i (a - y),  dL/db = a - y,
    dJ/dw = X^T (a - y) / m,          dJ/db = mean(a - y).

L is drawn as a function of a and y but evaluated on the logit behind a,
L = y log(1 + e^-z) + (1 - y) log(1 + e^z), which is finite for any z even when a has rounded
to 0 or 1; dL/dz = a - y is likewise taken in closed form rather than as the product
dL/da * da/dz. The dL/da shown on the graph keeps a and 1 - a at least the smallest normal
float, so it stays finite too.

Bugs, each one wrong local derivative; backward then goes wrong exactly upstream of that edge:
    "drop_x"       dp_i/dw_i = 1 instead of x_i (batch: dz/dw = ones instead of X)
    "flip_sign"    da/dz = -a(1 - a), so dL/dz comes out as y - a
    "forget_mean"  dJ/dL_i = 1 instead of 1/m (batch cost only)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gdapp.core.graph import Graph, Jacobian, Node, Value

BUGS = ("drop_x", "flip_sign", "forget_mean")

_TINY = np.finfo(float).tiny  # smallest normal float: the floor for a and 1 - a in dL/da
_BELOW_ONE = 1.0 - np.finfo(float).epsneg  # largest float below 1


def build_post_example(
    a: float = 5.0, b: float = 3.0, c: float = 2.0, bug: str | None = None
) -> Graph:
    """The post's graph: u = b*c, v = a + u, J = 3v (33 at a=5, b=3, c=2)."""
    _check_bug(bug, (), "build_post_example")
    na = Node("a", value=float(a), kind="input", formula="dJ/da = dJ/dv · dv/da = 3 · 1")
    nb = Node("b", value=float(b), kind="input", formula="dJ/db = dJ/du · du/db = 3 · c")
    nc = Node("c", value=float(c), kind="input", formula="dJ/dc = dJ/du · du/dc = 3 · b")
    u = _multiply("u", nb, nc, formula="dJ/du = dJ/dv · dv/du = 3 · 1")
    v = Node("v", (na, u), "+", formula="dJ/dv = 3", grad_labels=("1", "1"), forward=_add)
    J = Node(
        "J",
        (v,),
        "×3",
        kind="output",
        formula="dJ/dJ = 1",
        grad_labels=("3",),
        forward=lambda v: (3.0 * v, (3.0,)),
    )
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
    _check_bug(bug, ("drop_x", "flip_sign"), "build_logistic_sample")
    x, w = _vector(x, "x"), _vector(w, "w")
    if x.shape != w.shape:
        raise ValueError(f"x and w must have the same length, got {x.size} and {w.size}")
    names = _feature_names(feature_names, x.size)
    products = []
    for i, (x_i, w_i) in enumerate(zip(x, w, strict=True), start=1):
        feature = names[i - 1] if names else None
        xn = Node(
            f"x{i}",
            value=float(x_i),
            kind="input",
            label=feature,
            formula=f"dL/dx{i} = w{i}(a − y)",
        )
        wn = Node(
            f"w{i}",
            value=float(w_i),
            kind="param",
            label=f"w_{feature}" if feature else None,
            formula=f"dL/dw{i} = x{i}(a − y)",
        )
        products.append(
            _multiply(f"p{i}", xn, wn, drop_x=bug == "drop_x", formula=f"dL/dp{i} = a − y")
        )
    bn = Node("b", value=_number(b, "b"), kind="param", formula="dL/db = a − y")
    z = Node(
        "z",
        (*products, bn),
        "+",
        formula="dL/dz = a − y",
        grad_labels=("1",) * (len(products) + 1),
        forward=_add,
    )
    yn = Node("y", value=_label(y), kind="input", formula="dL/dy = −log(a/(1 − a)) = −z")
    _, L = _probability_and_loss(
        z,
        yn,
        flip_sign=bug == "flip_sign",
        formulas=("dL/da = −y/a + (1 − y)/(1 − a)", "dL/dL = 1"),
    )
    L.kind = "output"
    edges = {
        "drop_x": [(f"w{i}", f"p{i}") for i in range(1, x.size + 1)],
        "flip_sign": [("z", "a")],
    }
    return Graph(L, bug=bug, bug_edges=edges.get(bug, []), feature_names=names)


def build_batch_cost(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    b: float,
    feature_names: Sequence[str] | None = None,
    bug: str | None = None,
) -> Graph:
    """Mean logistic loss J over a batch, with vector nodes: X (m, d), y (m,), w (d,), b."""
    _check_bug(bug, BUGS, "build_batch_cost")
    X = np.array(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0 or not np.all(np.isfinite(X)):
        raise ValueError(f"X must be a finite (m, d) array with m >= 1, got shape {X.shape}")
    w = _vector(w, "w")
    if w.size != X.shape[1]:
        raise ValueError(f"w must have {X.shape[1]} entries (one per column of X), got {w.size}")
    labels = _labels(y, X.shape[0])
    names = _feature_names(feature_names, w.size)
    Xn = Node("X", value=X, kind="input", formula="dJ/dX_ij = w_j(a_i − y_i)/m")
    wn = Node("w", value=w, kind="param", formula="dJ/dw = Xᵀ(a − y)/m")
    bn = Node("b", value=_number(b, "b"), kind="param", formula="dJ/db = mean(a − y)")

    def affine(X, w, b):
        if bug == "drop_x":
            dz_dw = Jacobian("ones (m×d)", lambda g: np.full(w.shape, np.sum(g)))
        else:
            dz_dw = Jacobian("X", lambda g: X.T @ g)
        dz_dX = Jacobian("w_j at (i, j)", lambda g: np.outer(g, w))
        return X @ w + b, (dz_dX, dz_dw, Jacobian("ones (m)", lambda g: float(np.sum(g))))

    z = Node(
        "z",
        (Xn, wn, bn),
        "Xw + b",
        formula="dJ/dz = (a − y)/m",
        grad_labels=("w_j", "X" if bug != "drop_x" else "1", "1"),
        forward=affine,
    )
    yn = Node("y", value=labels, kind="input", formula="dJ/dy_i = −z_i/m")
    _, L = _probability_and_loss(
        z,
        yn,
        flip_sign=bug == "flip_sign",
        formulas=("dJ/da_i = (−y_i/a_i + (1 − y_i)/(1 − a_i))/m", "dJ/dL_i = 1/m"),
    )
    m = X.shape[0]
    dJ_dL = np.ones(m) if bug == "forget_mean" else np.full(m, 1.0 / m)
    J = Node(
        "J",
        (L,),
        "mean",
        kind="output",
        formula="dJ/dJ = 1",
        grad_labels=("1" if bug == "forget_mean" else "1/m",),
        forward=lambda L: (float(np.mean(L)), (dJ_dL,)),
    )
    edges = {"drop_x": [("w", "z")], "flip_sign": [("z", "a")], "forget_mean": [("L", "J")]}
    return Graph(J, bug=bug, bug_edges=edges.get(bug, []), feature_names=names)


def _multiply(name: str, left: Node, right: Node, *, drop_x: bool = False, formula: str) -> Node:
    """left * right; with ``drop_x`` the derivative with respect to ``right`` is 1, not left."""

    def forward(p, q):
        return p * q, (q, 1.0 if drop_x else p)

    labels = (right.name, "1" if drop_x else left.name)
    return Node(name, (left, right), "×", formula=formula, grad_labels=labels, forward=forward)


def _add(*terms: float) -> tuple[float, tuple[float, ...]]:
    return sum(terms), (1.0,) * len(terms)


def _probability_and_loss(
    z: Node, y: Node, *, flip_sign: bool, formulas: tuple[str, str]
) -> tuple[Node, Node]:
    """a = sigmoid(z) and L(a, y), built together so that dL/dz = a - y comes out exact.

    a has no consumer but L, so its backward hands z the closed form (a - y) * dOut/dL instead of
    dL/da * da/dz, which rounds, and is 0 * inf once a has rounded to 1.
    """
    sign = -1.0 if flip_sign else 1.0

    def sigmoid_forward(z_value):
        a_value = _sigmoid(z_value)
        return _out(a_value), (_out(sign * a_value * _sigmoid(-z_value)),)

    def sigmoid_backward():
        z.grad = z.grad + sign * (a.value - y.value) * L.grad

    def loss_forward(a_value, y_value):
        loss, dL_da, dL_dy = _bce(a_value, z.value, y_value)
        return _out(loss), (_out(dL_da), _out(dL_dy))

    a = Node(
        "a",
        (z,),
        "σ",
        formula=formulas[0],
        grad_labels=("−a(1 − a)" if flip_sign else "a(1 − a)",),
        forward=sigmoid_forward,
        backward=sigmoid_backward,
        bounds=(0.0, 1.0),
    )
    L = Node(
        "L",
        (a, y),
        "log loss",
        formula=formulas[1],
        grad_labels=("−y/a + (1 − y)/(1 − a)", "−log(a/(1 − a))"),
        forward=loss_forward,
    )
    return a, L


def _bce(a: Value, z: Value, y: Value) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L(a, y), dL/da and dL/dy, evaluated on the logit behind a.

    Where a is still sigmoid(z) that logit is z itself. Where a was set by hand (a nudge) it is
    log(a) - log(1 - a), with a first moved strictly inside (0, 1) so that L stays finite.
    """
    a, z, y = np.asarray(a, float), np.asarray(z, float), np.asarray(y, float)
    from_z = a == _sigmoid(z)
    p = np.clip(a, _TINY, _BELOW_ONE)
    q = np.maximum(np.where(from_z, _sigmoid(-z), 1.0 - p), _TINY)  # 1 - a, unrounded from z
    logit = np.where(from_z, z, np.log(p) - np.log(q))
    loss = y * np.logaddexp(0.0, -logit) + (1.0 - y) * np.logaddexp(0.0, logit)
    return loss, -y / p + (1.0 - y) / q, -logit


def _sigmoid(z: Value) -> np.ndarray:
    """1 / (1 + e^-z) without overflow: e^-|z| never exceeds 1."""
    z = np.asarray(z, float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _out(value: np.ndarray) -> Value:
    return float(value) if np.ndim(value) == 0 else value


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


def _labels(y: Sequence[float] | np.ndarray, m: int) -> np.ndarray:
    labels = np.array(y, dtype=float)
    if labels.shape != (m,) or not np.all((labels >= 0.0) & (labels <= 1.0)):
        raise ValueError(f"y must have shape ({m},) with entries in [0, 1]")
    return labels


def _feature_names(names: Sequence[str] | None, d: int) -> tuple[str, ...]:
    if names is None:
        return ()
    names = tuple(str(name) for name in names)
    if len(names) != d:
        raise ValueError(f"expected {d} feature names, got {len(names)}")
    return names
