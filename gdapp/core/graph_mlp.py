"""The graphs of a one-hidden-layer network (``gdapp.core.mlp.MLPModel``), node by node.

Shapes: x (d,), theta flat as in ``mlp.py`` (W1 (h, d) row-major, b1 (h,), w2 (h,), b2 last),
y a float in [0, 1]; a batch has X (m, d) and y (m,). Units are numbered j = 1..h on screen.

One sample, for each hidden unit j::

    a_j = sum_i W1[j, i] x_i + b1_j        node "a{j}", parents x1..xd, "W1_{j}" (d,), "b1_{j}"
    h_j = tanh(a_j) or relu(a_j)           node "h{j}"
    q_j = w2_j h_j                         node "q{j}", parents "h{j}", "w2_{j}"
    z = sum_j q_j + b2,  a = sigmoid(z),  L = softplus(z) - y z   nodes "z", "a", "L"

``units`` picks the hidden units drawn one by one; the others are summed into one node
``rest`` = sum over them of w2_j act(W1_j . x + b1_j), whose parents are every x_i and one
parameter vector ``rest_theta`` (their W1 rows, then b1, then w2). Every value and every
derivative stays exact, folded or not.

A batch, with vector and matrix nodes::

    A = X W1^T + b1 (m, h),  H = act(A),  z = H w2 + b2 (m,),  a, L per row,  J = mean(L)

Backward (the chain rule as ``mlp.py`` writes it): dL/dz = a - y, dL/dq_j = a - y,
dL/dh_j = w2_j (a - y), dL/da_j = dL/dh_j act'(a_j), dL/dW1[j, i] = x_i dL/da_j,
dL/db1_j = dL/da_j, dL/dx_i = sum_j W1[j, i] dL/da_j.

Bugs (the names of ``graph_builders.BUGS``):
    "drop_x"       da_j/dW1_j = 1 instead of x (batch: dA/dW1 uses ones instead of X)
    "flip_sign"    da/dz = -a(1 - a), so dL/dz comes out negated
    "forget_mean"  dJ/dL_i = 1 instead of 1/m (batch cost only)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gdapp.core.graph import Value, add
from gdapp.core.graph_builders import (
    BUGS,
    SAMPLE_BUGS,
    _check_bug,
    _feature_names,
    _label,
    _labels,
    _log_loss,
    _vector,
)
from gdapp.core.mlp import MLPModel
from gdapp.core.nudge import Graph

__all__ = ["build_mlp_batch_cost", "build_mlp_sample"]


def build_mlp_sample(
    model: MLPModel,
    theta: Sequence[float] | np.ndarray,
    x: Sequence[float] | np.ndarray,
    y: float,
    feature_names: Sequence[str] | None = None,
    bug: str | None = None,
    units: Sequence[int] | None = None,
) -> Graph:
    """One sample's loss through the hidden layer; ``units`` (0-based) are drawn one by one."""
    _check_bug(bug, SAMPLE_BUGS, "build_mlp_sample")
    x = _vector(x, "x")
    d, h = x.size, model.hidden
    theta = _theta(theta, model, d)
    parts = model.parts(theta, d)
    drawn = _units(units, h)
    rest = [j for j in range(h) if j not in drawn]
    drop_x = bug == "drop_x"
    xs = [Value(v, name=f"x{i}") for i, v in enumerate(x, start=1)]
    params: list[Value] = []
    terms: list[Value] = []
    layout: list[tuple[str, object] | None] = [None] * theta.size
    hd = h * d
    for j in drawn:
        k = j + 1
        W = Value(parts.W1[j].copy(), name=f"W1_{k}")
        b1 = Value(float(parts.b1[j]), name=f"b1_{k}")
        a_j = _unit_sum(xs, W, b1, drop_x).named(f"a{k}")
        h_j = _activate(a_j, model.activation).named(f"h{k}")
        w2 = Value(float(parts.w2[j]), name=f"w2_{k}")
        terms.append((h_j * w2).named(f"q{k}"))
        params += [W, b1, w2]
        layout[j * d : (j + 1) * d] = [(W.name, i) for i in range(d)]
        layout[hd + j] = (b1.name, None)
        layout[hd + h + j] = (w2.name, None)
    if rest:
        packed = np.concatenate([parts.W1[rest].ravel(), parts.b1[rest], parts.w2[rest]])
        rest_theta = Value(packed, name="rest_theta")
        terms.append(_rest_sum(xs, rest_theta, len(rest), model.activation, drop_x))
        params.append(rest_theta)
        r = len(rest)
        for t, j in enumerate(rest):
            layout[j * d : (j + 1) * d] = [("rest_theta", t * d + i) for i in range(d)]
            layout[hd + j] = ("rest_theta", r * d + t)
            layout[hd + h + j] = ("rest_theta", r * d + r + t)
    b2 = Value(float(parts.b2), name="b2")
    params.append(b2)
    layout[-1] = ("b2", None)
    z = add(*terms, b2).named("z")
    L = _log_loss(z, Value(_label(y), name="y"), flip_sign=bug == "flip_sign")
    edges: list[tuple[str, str]] = []
    if drop_x:
        edges = [(f"W1_{j + 1}", f"a{j + 1}") for j in drawn]
        edges += [("rest_theta", "rest")] if rest else []
    elif bug == "flip_sign":
        edges = [("z", "a")]
    return Graph(
        L, params=params, bug=bug, bug_edges=edges, feature_names=_feature_names(feature_names, d),
        theta_layout=layout,
    )  # fmt: skip


def build_mlp_batch_cost(
    model: MLPModel,
    theta: Sequence[float] | np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    feature_names: Sequence[str] | None = None,
    bug: str | None = None,
) -> Graph:
    """Mean loss J over a batch X (m, d), y (m,), with matrix nodes "W1", "A" and "H"."""
    _check_bug(bug, BUGS, "build_mlp_batch_cost")
    X = np.array(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0 or not np.all(np.isfinite(X)):
        raise ValueError(f"X must be a finite (m, d) array with m >= 1, got shape {X.shape}")
    (m, d), h = X.shape, model.hidden
    theta = _theta(theta, model, d)
    parts = model.parts(theta, d)
    Xn, yn = Value(X, name="X"), Value(_labels(y, m), name="y")
    W1, b1 = Value(parts.W1.copy(), name="W1"), Value(parts.b1.copy(), name="b1")
    w2, b2 = Value(parts.w2.copy(), name="w2"), Value(float(parts.b2), name="b2")
    ones = np.ones_like(X)

    def dA(g):  # d(X W1^T + b1) times g (m, h), for X, W1 and b1
        return g @ W1.data, g.T @ (ones if bug == "drop_x" else Xn.data), g.sum(axis=0)

    A = Value.make((Xn, W1, b1), "XW1ᵀ + b1", lambda: Xn.data @ W1.data.T + b1.data, dA)
    H = _activate(A.named("A"), model.activation).named("H")
    z = Value.make(
        (H, w2, b2),
        "Hw2 + b2",
        lambda: H.data @ w2.data + b2.data,
        lambda g: (np.outer(g, w2.data), H.data.T @ g, float(np.sum(g))),
    ).named("z")
    L = _log_loss(z, yn, flip_sign=bug == "flip_sign")
    per_row = 1.0 if bug == "forget_mean" else 1.0 / m
    J = Value.make(
        (L,), "mean", lambda: float(np.mean(L.data)), lambda g: (np.full(m, g * per_row),)
    ).named("J")
    edges = {"drop_x": [("W1", "A")], "flip_sign": [("z", "a")], "forget_mean": [("L", "J")]}
    layout = [("W1", (j, i)) for j in range(h) for i in range(d)]
    layout += [("b1", j) for j in range(h)] + [("w2", j) for j in range(h)] + [("b2", None)]
    return Graph(
        J, params=(W1, b1, w2, b2), bug=bug, bug_edges=edges.get(bug, []),
        feature_names=_feature_names(feature_names, d), theta_layout=layout,
    )  # fmt: skip


def _theta(theta, model: MLPModel, d: int) -> np.ndarray:
    theta = np.array(theta, dtype=float)
    p = model.n_params(d)
    if theta.shape != (p,) or not np.all(np.isfinite(theta)):
        raise ValueError(
            f"theta must hold {p} finite numbers for {model.hidden} hidden units on {d} "
            f"features, got shape {theta.shape}"
        )
    return theta


def _units(units: Sequence[int] | None, h: int) -> list[int]:
    if units is None:
        return list(range(h))
    drawn = sorted({int(j) for j in units})
    if not drawn or drawn[0] < 0 or drawn[-1] >= h:
        raise ValueError(f"units must name at least one of the hidden units 0..{h - 1}")
    return drawn


def _activate(a: Value, activation: str) -> Value:
    return a.tanh() if activation == "tanh" else a.relu()


def _unit_sum(xs: list[Value], W: Value, b: Value, drop_x: bool) -> Value:
    """sum_i W[i] x_i + b as one node; with ``drop_x`` W receives g instead of g x."""

    def forward():
        return float(W.data @ _stack(xs)) + b.data

    def backward(g):
        dW = np.full(W.data.shape, g) if drop_x else g * _stack(xs)
        return (*(g * W.data), dW, g)

    return Value.make((*xs, W, b), "Σ", forward, backward)


def _rest_sum(xs: list[Value], packed: Value, r: int, activation: str, drop_x: bool) -> Value:
    """sum over r folded units of w2_j act(W1_j . x + b1_j); ``packed`` = (W1 rows, b1, w2)."""
    d = len(xs)

    def split():
        p = packed.data
        return p[: r * d].reshape(r, d), p[r * d : r * d + r], p[r * d + r :]

    def forward():
        W, b, w = split()
        A = W @ _stack(xs) + b
        return float(w @ (np.tanh(A) if activation == "tanh" else np.maximum(A, 0.0)))

    def backward(g):
        W, b, w = split()
        x = _stack(xs)
        A = W @ x + b
        H = np.tanh(A) if activation == "tanh" else np.maximum(A, 0.0)
        slope = 1.0 - H * H if activation == "tanh" else (A > 0.0).astype(float)
        dA = g * w * slope
        dW = np.outer(dA, np.ones(d) if drop_x else x)
        return (*(W.T @ dA), np.concatenate([dW.ravel(), dA, g * H]))

    return Value.make((*xs, packed), "Σ rest", forward, backward).named("rest")


def _stack(xs: list[Value]) -> np.ndarray:
    return np.fromiter((x.data for x in xs), dtype=float, count=len(xs))
