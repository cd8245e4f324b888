"""A reverse-mode computation graph small enough to read in five minutes.

A ``Value`` holds ``data`` (a float or a numpy array), ``grad`` = d output / d this value,
its ``parents`` in a tuple (a stable order, for drawing), an ``op`` label and two closures:
``_forward()`` recomputes ``data`` from the parents' data, ``_backward(g)`` turns this node's
grad ``g`` into one gradient per parent. ``backward()`` sorts the nodes topologically and
applies the chain rule from the output back,

    dJ/du = sum over the children v of u of  dJ/dv * dv/du.

The post's example: a = 5, b = 3, c = 2, u = b*c = 6, v = a + u = 11, J = 3v = 33, so
dJ/dv = 3, dJ/du = 3, dJ/da = 3, dJ/db = 3c = 6, dJ/dc = 3b = 9.

Activations for a hidden layer: ``tanh()`` (d/da = 1 - tanh(a)^2) and ``relu()`` (d/da = 1
for a > 0, else 0, so 0 at a = 0 exactly, as ``gdapp.core.mlp`` takes it).

Shapes: a vector node holds an array; ``X @ w`` takes X (m, d) and w (d,); a scalar parent
of a vector result (the bias b in Xw + b) receives the sum of the gradient.

``gdapp.core.nudge`` names the nodes of a graph and checks every grad the post's way; the
graphs the panel shows are built in ``gdapp.core.graph_builders``; drawing and naming live
in the UI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from gdapp.core.functional import sigmoid

Data = float | np.ndarray


class Value:
    """One node: ``data``, ``grad``, ``parents`` (tuple), ``op`` and a backward closure."""

    def __init__(self, data: Data, parents: Sequence[Value] = (), op: str = "", name: str = ""):
        self.data: Data = _as_data(data)
        self.grad: Data = _zeros_like(self.data)
        self.parents: tuple[Value, ...] = tuple(parents)
        self.op = op
        self.name = name
        self.bounds: tuple[float, float] | None = None  # nudges stay strictly inside
        self._forward: Callable[[], Data] | None = None
        self._backward: Callable[[Data], tuple[Data, ...]] = lambda g: ()

    @classmethod
    def make(
        cls,
        parents: Sequence[Value],
        op: str,
        forward: Callable[[], Data],
        backward: Callable[[Data], tuple[Data, ...]],
    ) -> Value:
        """A node computed by ``forward()``; ``backward(g)`` gives one gradient per parent."""
        out = cls(forward(), parents, op)
        out._forward, out._backward = forward, backward
        return out

    @property
    def value(self) -> Data:
        """The same as ``data``."""
        return self.data

    def named(self, name: str) -> Value:
        self.name = name
        return self

    def recompute(self) -> None:
        if self._forward is not None:
            self.data = _as_data(self._forward())

    # -- operations ---------------------------------------------------------------------

    def __add__(self, other: Value | float) -> Value:
        return add(self, other)

    __radd__ = __add__

    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        if not isinstance(other, Value):
            return add(self, -float(other))
        return Value.make((self, other), "−", lambda: self.data - other.data, lambda g: (g, -g))

    def __rsub__(self, other: float) -> Value:
        return add(self * -1.0, float(other))

    def __mul__(self, other: Value | float) -> Value:
        if not isinstance(other, Value):  # a constant factor is part of the op, not a node
            k = float(other)
            return Value.make((self,), f"×{k:g}", lambda: k * self.data, lambda g: (k * g,))
        return Value.make(
            (self, other),
            "×",
            lambda: self.data * other.data,
            lambda g: (g * other.data, g * self.data),
        )

    __rmul__ = __mul__

    def __pow__(self, k: float) -> Value:
        return Value.make(
            (self,),
            f"^{k:g}",
            lambda: self.data**k,
            lambda g: (g * k * self.data ** (k - 1),),
        )

    def __matmul__(self, other: Value) -> Value:
        """X (m, d) @ w (d,) -> (m,)."""
        return Value.make(
            (self, other),
            "@",
            lambda: self.data @ other.data,
            lambda g: (np.outer(g, other.data), self.data.T @ g),
        )

    def mean(self) -> Value:
        shape, n = np.shape(self.data), np.size(self.data)
        return Value.make(
            (self,), "mean", lambda: float(np.mean(self.data)), lambda g: (np.full(shape, g / n),)
        )

    def sigmoid(self) -> Value:
        out = Value.make(
            (self,),
            "σ",
            lambda: sigmoid(self.data),
            lambda g: (g * out.data * (1.0 - out.data),),
        )
        out.bounds = (0.0, 1.0)
        return out

    def tanh(self) -> Value:
        """tanh, with d tanh(a)/da = 1 - tanh(a)^2."""
        out = Value.make(
            (self,),
            "tanh",
            lambda: np.tanh(self.data),
            lambda g: (g * (1.0 - out.data * out.data),),
        )
        return out

    def relu(self) -> Value:
        """max(a, 0), with derivative 1 for a > 0 and 0 for a <= 0 (0 at a = 0 itself)."""
        return Value.make(
            (self,),
            "relu",
            lambda: np.maximum(self.data, 0.0),
            lambda g: (g * (np.asarray(self.data) > 0.0),),
        )

    # -- reverse mode -------------------------------------------------------------------

    def backward(self) -> None:
        """Fill every grad upstream of this node with d self / d node."""
        order = topological_order(self)
        for node in order:
            node.grad = _zeros_like(node.data)
        self.grad = _zeros_like(self.data) + 1.0
        for node in reversed(order):
            for parent, g in zip(node.parents, node._backward(node.grad), strict=True):
                parent.grad = parent.grad + _unbroadcast(g, parent.data)

    def __repr__(self) -> str:
        return f"Value({self.name or self.op}={self.data!r}, grad={self.grad!r})"


def add(*terms: Value | float) -> Value:
    """The sum of any number of terms as one node (z = p1 + ... + pd + b has d + 1 parents)."""
    nodes = tuple(t for t in terms if isinstance(t, Value))
    k = sum(float(t) for t in terms if not isinstance(t, Value))
    return Value.make(
        nodes,
        "+",
        lambda: sum((n.data for n in nodes), start=k),
        lambda g: (g,) * len(nodes),
    )


def topological_order(output: Value) -> list[Value]:
    """The nodes upstream of ``output`` (inclusive), parents first, in parent order."""
    order: list[Value] = []
    seen: set[int] = set()

    def visit(node: Value) -> None:
        if id(node) not in seen:
            seen.add(id(node))
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(output)
    return order


def _as_data(data: Data) -> Data:
    return float(data) if np.ndim(data) == 0 else np.asarray(data, dtype=float)


def _zeros_like(data: Data) -> Data:
    return 0.0 if np.ndim(data) == 0 else np.zeros(np.shape(data))


def _unbroadcast(g: Data, like: Data) -> Data:
    """A gradient in the shape of the parent it flows to: a scalar parent gets the sum."""
    if np.ndim(like) == 0:
        return float(np.sum(g))
    return np.broadcast_to(g, np.shape(like)).astype(float)
