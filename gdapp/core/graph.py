"""A computation graph small enough to read in one sitting, for the graph panel.

Every node holds a value and ``grad`` = d output / d node. A node made by an operation keeps its
parents in order and the local derivatives d node / d parent_i at the current values; ``backward``
walks the nodes from the output back to the inputs and applies the chain rule,

    dJ/du = dJ/dv * dv/du        (for every edge u -> v, summed over the children v of u).

The post's example: a = 5, b = 3, c = 2, u = b*c = 6, v = a + u = 11, J = 3v = 33, so
dJ/dv = 3, dJ/du = dJ/dv * dv/du = 3, dJ/da = 3, dJ/db = dJ/du * du/db = 3c = 6, dJ/dc = 3b = 9.

The post also checks each derivative by a nudge: add h = 0.001 to one node, recompute only what
lies downstream of it, and read (J(x + h) - J(x)) / h (v: 11 -> 11.001 moves J: 33 -> 33.003).
``Graph.nudge`` does exactly this; ``Graph.nudge_check`` does it for every node (every entry of
a vector node) and compares with ``grad``.

Values are Python floats or numpy arrays. The graphs themselves are built in
``gdapp.core.graph_builders`` and re-exported here:

    build_post_example()                    the graph above
    build_logistic_sample(x, w, b, y)       one sample: x, w (d,), p_i = w_i x_i, z, a, L
    build_batch_cost(X, y, w, b)            X (m, d), y (m,), w (d,): z, a, L (m,), J = mean L

Drawing is not done here: ``graph_edges`` and ``layers`` give a drawing everything it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np

Value = float | np.ndarray

# A nudge never crosses a node's bounds and stays within this fraction of the distance to the
# nearer one. Near a bound the derivative can blow up like 1/distance (dL/da as a -> 0 or 1);
# a step of distance/100 keeps the forward difference within 1/200 of it.
BOUND_STEP_FRACTION = 0.01


class Jacobian(NamedTuple):
    """A local derivative of a vector node, kept as the product it is used in.

    ``vjp(g)`` returns g times d child / d parent (the gradient handed to the parent, in the
    parent's shape); ``text`` is what to show for it, e.g. "X" for d(Xw + b)/dw.
    """

    text: str
    vjp: Callable[[np.ndarray], Value]

    def __str__(self) -> str:
        return self.text


class NudgeResult(NamedTuple):
    """Backpropagated and nudged derivative of the output with respect to one node.

    For a vector node ``analytic``, ``numeric`` and ``rel_error`` have the node's shape and
    ``agrees`` is True only when every entry agrees.
    """

    analytic: Value
    numeric: Value
    rel_error: Value
    agrees: bool


class Node:
    """One value of the graph.

    ``forward(*parent_values) -> (value, local_grads)`` re-evaluates the node from its parents
    (None for inputs and parameters). ``backward()``, when given, replaces the plain chain rule
    for this node's parents. ``bounds`` = (low, high) keeps nudges strictly inside an open range.
    """

    def __init__(
        self,
        name: str,
        parents: Sequence[Node] = (),
        op: str = "",
        *,
        value: Value = 0.0,
        kind: str = "op",
        label: str | None = None,
        formula: str = "",
        grad_labels: Sequence[str] = (),
        forward: Callable[..., tuple[Value, tuple[Any, ...]]] | None = None,
        backward: Callable[[], None] | None = None,
        bounds: tuple[float, float] | None = None,
    ) -> None:
        self.name = name
        self.label = label or name
        self.kind = kind
        self.op = op
        self.parents: tuple[Node, ...] = tuple(parents)
        self.formula = formula
        self.local_grads: tuple[Any, ...] = ()
        self.local_grad_labels: tuple[str, ...] = tuple(grad_labels)
        self.bounds = bounds
        self.value = value
        self._forward = forward
        self._backward = backward or self._chain_rule
        self.recompute()
        self.grad: Value = _zeros_like(self.value)

    def recompute(self) -> None:
        """Re-evaluate value and local derivatives from the parents' current values."""
        if self._forward is not None:
            self.value, self.local_grads = self._forward(*(p.value for p in self.parents))

    def backward(self) -> None:
        """Set every grad upstream of this node to d self / d node (reverse mode)."""
        order = topological_order(self)
        for node in order:
            node.grad = _zeros_like(node.value)
        self.grad = _zeros_like(self.value) + 1.0
        for node in reversed(order):
            node._backward()

    def _chain_rule(self) -> None:
        for parent, local in zip(self.parents, self.local_grads, strict=True):
            step = local.vjp(self.grad) if isinstance(local, Jacobian) else local * self.grad
            parent.grad = parent.grad + step

    def __repr__(self) -> str:
        return f"Node({self.name}={self.value!r}, grad={self.grad!r})"


class Graph:
    """The nodes upstream of ``output``, in topological order (parents before children)."""

    def __init__(
        self,
        output: Node,
        *,
        bug: str | None = None,
        bug_edges: Sequence[tuple[str, str]] = (),
        feature_names: Sequence[str] = (),
    ) -> None:
        self.output = output
        self.nodes: tuple[Node, ...] = tuple(topological_order(output))
        self.bug = bug
        self.bug_edges = tuple(bug_edges)
        self.feature_names = tuple(feature_names)
        self._by_name = {node.name: node for node in self.nodes}
        if len(self._by_name) != len(self.nodes):
            raise ValueError("node names must be unique")
        self._downstream: dict[str, tuple[Node, ...]] = {}
        self.backward()

    def node(self, name: str) -> Node:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no node {name!r}; nodes are {', '.join(self._by_name)}") from None

    @property
    def inputs(self) -> tuple[Node, ...]:
        """Nodes with no parents (inputs and parameters)."""
        return tuple(node for node in self.nodes if not node.parents)

    def downstream(self, name: str) -> tuple[Node, ...]:
        """Nodes whose value depends on node ``name``, in topological order (itself excluded)."""
        if name not in self._downstream:
            reached = {self.node(name)}
            for node in self.nodes:
                if any(p in reached for p in node.parents):
                    reached.add(node)
            reached.discard(self.node(name))
            self._downstream[name] = tuple(n for n in self.nodes if n in reached)
        return self._downstream[name]

    def forward(self) -> None:
        """Recompute every node from the inputs, in order."""
        for node in self.nodes:
            node.recompute()

    def backward(self) -> None:
        """Fill every node's grad with d output / d node at the current values."""
        self.output.backward()

    def set_value(self, name: str, value: Value) -> None:
        """Overwrite one node's value and recompute everything downstream of it.

        An op node keeps the value until ``forward()`` recomputes it from its parents.
        """
        node = self.node(name)
        if np.ndim(node.value) == 0:
            node.value = float(value)
        else:
            new = np.array(value, dtype=float)
            if new.shape != np.shape(node.value):
                raise ValueError(f"{name} has shape {np.shape(node.value)}, got {new.shape}")
            node.value = new
        for child in self.downstream(name):
            child.recompute()

    @contextmanager
    def nudged(self, name: str, h: float = 1e-3, index: Any = None) -> Iterator[Graph]:
        """Add h to a node's value (to one entry if ``index`` is given) for the ``with`` block.

        Everything downstream is recomputed on entry; every value is put back exactly on exit.
        """
        node = self.node(name)
        saved = [(n, n.value, n.local_grads) for n in (node, *self.downstream(name))]
        if index is None:
            new = node.value + h
        else:
            new = np.array(node.value, dtype=float)
            new[index] += h
        try:
            self.set_value(name, new)
            yield self
        finally:
            for n, value, local_grads in saved:
                n.value, n.local_grads = value, local_grads

    def nudge(self, name: str, h: float = 1e-3, central: bool = False) -> Value:
        """Finite-difference estimate of d output / d node, the post's way.

        Forward difference (J(x + h) - J(x)) / h, or (J(x + h) - J(x - h)) / 2h when ``central``.
        A vector node is nudged one entry at a time. A bounded node (a probability) takes a
        smaller step where x + h would come too close to a bound; a value on a bound gives nan.
        """
        if not h > 0:
            raise ValueError(f"h must be positive, got {h}")
        node = self.node(name)
        if np.ndim(node.value) == 0:
            return self._nudge_entry(node, None, h, central)
        numeric = np.empty(np.shape(node.value))
        for index in np.ndindex(numeric.shape):
            numeric[index] = self._nudge_entry(node, index, h, central)
        return numeric

    def _nudge_entry(self, node: Node, index: Any, h: float, central: bool) -> float:
        x = float(node.value if index is None else node.value[index])
        step = h
        if node.bounds is not None:
            room = min(x - node.bounds[0], node.bounds[1] - x)
            step = min(h, BOUND_STEP_FRACTION * room)
        # The steps actually taken, after rounding x +- step to floats.
        up, down = (x + step) - x, (x - (x - step) if central else 0.0)
        if not up + down > 0:
            return float("nan")
        with self.nudged(node.name, step, index):
            high = float(self.output.value)
        if central:
            with self.nudged(node.name, -step, index):
                low = float(self.output.value)
        else:
            low = float(self.output.value)
        return (high - low) / (up + down)

    def nudge_check(
        self, h: float = 1e-3, rtol: float = 1e-2, atol: float = 1e-6, central: bool = True
    ) -> dict[str, NudgeResult]:
        """Compare backpropagated and nudged derivatives at every node.

        An entry agrees when |analytic - numeric| <= rtol * max(|analytic|, |numeric|, atol/rtol),
        so derivatives both below atol in size agree; ``rel_error`` is the left side divided by
        that maximum. Central differences by default: a forward difference is off by about
        (h/2) * curvature, which fails the check on real data wherever a derivative is near 0.
        """
        steps = self.nudge_check_steps(h, rtol, atol, central)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value

    def nudge_check_steps(
        self, h: float = 1e-3, rtol: float = 1e-2, atol: float = 1e-6, central: bool = True
    ) -> Generator[None, None, dict[str, NudgeResult]]:
        """``nudge_check`` one nudged value at a time: the generator yields after each entry
        and returns the results, so a caller can spread a large check over many short slices."""
        if not rtol > 0:
            raise ValueError(f"rtol must be positive, got {rtol}")
        if not h > 0:
            raise ValueError(f"h must be positive, got {h}")
        self.forward()
        self.backward()
        results = {}
        for node in self.nodes:
            analytic = _copy(node.grad)
            if np.ndim(node.value) == 0:
                numeric = self._nudge_entry(node, None, h, central)
                yield
            else:
                numeric = np.empty(np.shape(node.value))
                for index in np.ndindex(numeric.shape):
                    numeric[index] = self._nudge_entry(node, index, h, central)
                    yield
            gap = np.abs(np.asarray(analytic) - numeric)
            scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), atol / rtol)
            rel_error = gap / scale
            agrees = bool(np.all(rel_error <= rtol))
            results[node.name] = NudgeResult(analytic, numeric, _scalar(rel_error), agrees)
        return results

    def __repr__(self) -> str:
        return f"Graph({', '.join(self._by_name)}; output {self.output.name})"


def topological_order(output: Node) -> list[Node]:
    """The nodes upstream of ``output`` (inclusive), parents first, in parent order."""
    order: list[Node] = []
    seen: set[int] = set()

    def visit(node: Node) -> None:
        if id(node) not in seen:
            seen.add(id(node))
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(output)
    return order


def graph_edges(graph: Graph) -> list[tuple[str, str, str]]:
    """(parent, child, local derivative text) for every edge, e.g. ("b", "u", "du/db = c = 2")."""
    edges = []
    for child in graph.nodes:
        for parent, text, local in zip(
            child.parents, child.local_grad_labels, child.local_grads, strict=True
        ):
            label = f"d{child.name}/d{parent.name} = {text}"
            if isinstance(local, float) and text != _format(local):
                label += f" = {_format(local)}"
            edges.append((parent.name, child.name, label))
    return edges


def layers(graph: Graph) -> list[list[str]]:
    """Node names by column, left to right: a node's column is its longest path from an input."""
    depth: dict[str, int] = {}
    for node in graph.nodes:
        depth[node.name] = 1 + max((depth[p.name] for p in node.parents), default=-1)
    columns: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for node in graph.nodes:
        columns[depth[node.name]].append(node.name)
    return columns


def _zeros_like(value: Value) -> Value:
    return 0.0 if np.ndim(value) == 0 else np.zeros(np.shape(value))


def _copy(value: Value) -> Value:
    return float(value) if np.ndim(value) == 0 else np.array(value, dtype=float)


def _scalar(value: np.ndarray) -> Value:
    return float(value) if np.ndim(value) == 0 else value


def _format(value: float) -> str:
    return f"{value:.4g}"


# The builders live in their own module, which imports this one; re-export them lazily so
# either module can be imported first.
_BUILDER_NAMES = ("BUGS", "build_batch_cost", "build_logistic_sample", "build_post_example")


def __getattr__(name: str) -> Any:
    if name in _BUILDER_NAMES:
        from gdapp.core import graph_builders

        return getattr(graph_builders, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BOUND_STEP_FRACTION",
    "Graph",
    "Jacobian",
    "Node",
    "NudgeResult",
    "graph_edges",
    "layers",
    "topological_order",
    *_BUILDER_NAMES,
]
