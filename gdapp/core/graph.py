"""A reverse-mode computation graph small enough to read in five minutes.

A ``Value`` holds ``data`` (a float or a numpy array), ``grad`` = d output / d this value,
its ``parents`` in a tuple (a stable order, for drawing), an ``op`` label and two closures:
``_forward()`` recomputes ``data`` from the parents' data, ``_backward(g)`` turns this node's
grad ``g`` into one gradient per parent. ``backward()`` sorts the nodes topologically and
applies the chain rule from the output back,

    dJ/du = sum over the children v of u of  dJ/dv * dv/du.

The post's example: a = 5, b = 3, c = 2, u = b*c = 6, v = a + u = 11, J = 3v = 33, so
dJ/dv = 3, dJ/du = 3, dJ/da = 3, dJ/db = 3c = 6, dJ/dc = 3b = 9.

Shapes: a vector node holds an array; ``X @ w`` takes X (m, d) and w (d,); a scalar parent
of a vector result (the bias b in Xw + b) receives the sum of the gradient.

``Graph`` names the nodes upstream of an output and nudges them the post's way: add h to one
node, recompute only what lies downstream, read (J(x + h) - J(x)) / h (v: 11 -> 11.001 moves
J: 33 -> 33.003). ``nudge_check`` does it for every node (every entry of a vector node) and
compares with ``grad`` by the relative error of ``gdapp.core.gradcheck``. The graphs the panel
shows are built in ``gdapp.core.graph_builders``; drawing and naming live in the UI.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np

from gdapp.core.gradcheck import agrees, relative_error

Data = float | np.ndarray

# A nudge check says an entry agrees when its relative error |a - n| / (|a| + |n|) is at most
# this: the two estimates lie within 1% of their mean size. Below NUDGE_ATOL both count as 0.
NUDGE_RTOL = 5e-3
NUDGE_ATOL = 1e-6
# A nudge never crosses a node's bounds and stays within this fraction of the distance to the
# nearer one. Near a bound the derivative can blow up like 1/distance (dL/da as a -> 0 or 1);
# a step of distance/100 keeps the forward difference within 1/200 of it.
BOUND_STEP_FRACTION = 0.01


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

    def __sub__(self, other: Value) -> Value:
        return Value.make((self, other), "−", lambda: self.data - other.data, lambda g: (g, -g))

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
        n = np.size(self.data)
        return Value.make(
            (self,), "mean", lambda: float(np.mean(self.data)), lambda g: (np.full(n, g / n),)
        )

    def sigmoid(self) -> Value:
        from gdapp.core.functional import sigmoid

        out = Value.make(
            (self,),
            "σ",
            lambda: sigmoid(self.data),
            lambda g: (g * out.data * (1.0 - out.data),),
        )
        out.bounds = (0.0, 1.0)
        return out

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


class NudgeResult(NamedTuple):
    """Backpropagated and nudged derivative of the output with respect to one node.

    For a vector node every field but ``agrees`` has the node's shape; ``agrees`` is True only
    when every entry agrees.
    """

    analytic: Data
    numeric: Data
    rel_error: Data
    agrees: bool


class Graph:
    """The named nodes upstream of ``output``, in topological order (parents before children).

    ``params`` are the nodes gradient descent updates; ``bug`` names a planted wrong local
    derivative and ``bug_edges`` the (parent, child) edges it sits on.
    """

    def __init__(
        self,
        output: Value,
        *,
        params: Sequence[Value] = (),
        bug: str | None = None,
        bug_edges: Sequence[tuple[str, str]] = (),
        feature_names: Sequence[str] = (),
    ) -> None:
        self.output = output
        self.nodes: tuple[Value, ...] = tuple(topological_order(output))
        self.params = frozenset(id(p) for p in params)
        self.bug = bug
        self.bug_edges = tuple(bug_edges)
        self.feature_names = tuple(feature_names)
        self._by_name = {node.name: node for node in self.nodes}
        if "" in self._by_name or len(self._by_name) != len(self.nodes):
            raise ValueError("every node needs a name of its own")
        self._downstream: dict[str, tuple[Value, ...]] = {}
        self.backward()

    def node(self, name: str) -> Value:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no node {name!r}; nodes are {', '.join(self._by_name)}") from None

    def kind(self, node: Value | str) -> str:
        """ "output", "param" (updated by descent), "input" (any other leaf) or "op"."""
        node = self.node(node) if isinstance(node, str) else node
        if node is self.output:
            return "output"
        if id(node) in self.params:
            return "param"
        return "op" if node.parents else "input"

    @property
    def inputs(self) -> tuple[Value, ...]:
        """Nodes with no parents (inputs and parameters)."""
        return tuple(node for node in self.nodes if not node.parents)

    def downstream(self, name: str) -> tuple[Value, ...]:
        """Nodes whose value depends on node ``name``, in topological order (itself excluded)."""
        if name not in self._downstream:
            start = self.node(name)
            reached = {id(start)}
            found = []
            for node in self.nodes:
                if any(id(p) in reached for p in node.parents):
                    reached.add(id(node))
                    found.append(node)
            self._downstream[name] = tuple(found)
        return self._downstream[name]

    def forward(self) -> None:
        """Recompute every node from the inputs, in order."""
        for node in self.nodes:
            node.recompute()

    def backward(self) -> None:
        self.output.backward()

    def set_value(self, name: str, data: Data) -> None:
        """Overwrite one node's data and recompute everything downstream of it."""
        node = self.node(name)
        new = _as_data(data)
        if np.shape(new) != np.shape(node.data):
            raise ValueError(f"{name} has shape {np.shape(node.data)}, got {np.shape(new)}")
        node.data = new
        for child in self.downstream(name):
            child.recompute()

    @contextmanager
    def nudged(self, name: str, h: float = 1e-3, index: Any = None) -> Iterator[Graph]:
        """Add h to a node's data (to one entry if ``index`` is given) for the ``with`` block;
        everything downstream is recomputed, and every value put back exactly on exit."""
        node = self.node(name)
        saved = [(n, n.data) for n in (node, *self.downstream(name))]
        if index is None:
            new = node.data + h
        else:
            new = np.array(node.data, dtype=float)
            new[index] += h
        try:
            self.set_value(name, new)
            yield self
        finally:
            for n, data in saved:
                n.data = data

    def nudge(self, name: str, h: float = 1e-3, central: bool = False) -> Data:
        """Finite-difference estimate of d output / d node, the post's way.

        One-sided (J(x + h) - J(x)) / h, or two-sided (J(x + h) - J(x - h)) / 2h when
        ``central``. A vector node is nudged one entry at a time. A bounded node (a
        probability) takes a smaller step near a bound; a value on a bound gives nan.
        """
        if not h > 0:
            raise ValueError(f"h must be positive, got {h}")
        node = self.node(name)
        if np.ndim(node.data) == 0:
            return self._nudge_entry(node, None, h, central)
        numeric = np.empty(np.shape(node.data))
        for index in np.ndindex(numeric.shape):
            numeric[index] = self._nudge_entry(node, index, h, central)
        return numeric

    def _nudge_entry(self, node: Value, index: Any, h: float, central: bool) -> float:
        x = float(node.data if index is None else node.data[index])
        step = h
        if node.bounds is not None:
            room = min(x - node.bounds[0], node.bounds[1] - x)
            step = min(h, BOUND_STEP_FRACTION * room)
        # The steps actually taken, after rounding x +- step to floats.
        up, down = (x + step) - x, (x - (x - step) if central else 0.0)
        if not up + down > 0:
            return float("nan")
        with self.nudged(node.name, step, index):
            high = float(self.output.data)
        if central:
            with self.nudged(node.name, -step, index):
                low = float(self.output.data)
        else:
            low = float(self.output.data)
        return (high - low) / (up + down)

    def nudge_check(
        self,
        h: float = 1e-3,
        rtol: float = NUDGE_RTOL,
        atol: float = NUDGE_ATOL,
        central: bool = True,
    ) -> dict[str, NudgeResult]:
        """Compare backpropagated and nudged derivatives at every node.

        Agreement is ``gradcheck.agrees``: relative error at most ``rtol``, or both below
        ``atol``. Two-sided by default: a one-sided difference is off by about
        (h/2) * curvature, which fails the check on real data wherever a derivative is near 0.
        """
        steps = self.nudge_check_steps(h, rtol, atol, central)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value

    def nudge_check_steps(
        self,
        h: float = 1e-3,
        rtol: float = NUDGE_RTOL,
        atol: float = NUDGE_ATOL,
        central: bool = True,
    ) -> Generator[None, None, dict[str, NudgeResult]]:
        """``nudge_check`` one nudged value at a time: yields after each entry and returns the
        results, so a caller can spread a large check over many short slices."""
        if not rtol > 0:
            raise ValueError(f"rtol must be positive, got {rtol}")
        if not h > 0:
            raise ValueError(f"h must be positive, got {h}")
        self.forward()
        self.backward()
        results = {}
        for node in self.nodes:
            analytic = _copy(node.grad)
            if np.ndim(node.data) == 0:
                numeric = self._nudge_entry(node, None, h, central)
                yield
            else:
                numeric = np.empty(np.shape(node.data))
                for index in np.ndindex(numeric.shape):
                    numeric[index] = self._nudge_entry(node, index, h, central)
                    yield
            each = agrees(analytic, numeric, rtol, atol)
            rel = relative_error(analytic, numeric, floor=atol / rtol)
            results[node.name] = NudgeResult(analytic, numeric, _scalar(rel), bool(np.all(each)))
        return results

    def __repr__(self) -> str:
        return f"Graph({', '.join(self._by_name)}; output {self.output.name})"


def _as_data(data: Data) -> Data:
    return float(data) if np.ndim(data) == 0 else np.asarray(data, dtype=float)


def _zeros_like(data: Data) -> Data:
    return 0.0 if np.ndim(data) == 0 else np.zeros(np.shape(data))


def _unbroadcast(g: Data, like: Data) -> Data:
    """A gradient in the shape of the parent it flows to: a scalar parent gets the sum."""
    if np.ndim(like) == 0:
        return float(np.sum(g))
    return np.broadcast_to(g, np.shape(like)).astype(float)


def _copy(data: Data) -> Data:
    return float(data) if np.ndim(data) == 0 else np.array(data, dtype=float)


def _scalar(value: np.ndarray) -> Data:
    return float(value) if np.ndim(value) == 0 else value
