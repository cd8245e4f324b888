"""A graph's named nodes, nudged the post's way to check every backpropagated derivative.

``Graph(output)`` collects the ``Value`` nodes upstream of ``output`` (see ``graph.py``) in
topological order and names them. The post checks a derivative by a nudge: add h = 0.001 to
one node, recompute only what lies downstream of it, and read (J(x + h) - J(x)) / h (v: 11 ->
11.001 moves J: 33 -> 33.003). ``Graph.nudge`` does exactly this, one-sided or two-sided;
``Graph.nudge_check`` does it for every node (every entry of a vector node) and compares with
``grad`` by the project's one agreement rule, ``gdapp.core.gradcheck.agrees``.

Shapes: a nudge result has the shape of its node (a float for a scalar node).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np

from gdapp.core.gradcheck import agrees, relative_error
from gdapp.core.graph import Data, Value, topological_order

# A nudge check says an entry agrees when its relative error |a - n| / (|a| + |n|) is at most
# this: the two estimates lie within 1% of their mean size. Below NUDGE_ATOL both count as 0.
NUDGE_RTOL = 5e-3
NUDGE_ATOL = 1e-6
# A nudge never crosses a node's bounds and stays within this fraction of the distance to the
# nearer one. Near a bound the derivative can blow up like 1/distance (dL/da as a -> 0 or 1);
# a step of distance/100 keeps the forward difference within 1/200 of it.
BOUND_STEP_FRACTION = 0.01


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
    derivative and ``bug_edges`` the (parent, child) edges it sits on. ``theta_layout``, when
    given, says where each entry of the model's flat parameter vector lives: entry k is
    ``(node name, index)`` (index None for a scalar node); ``gather`` reads a flat vector back.
    """

    def __init__(
        self,
        output: Value,
        *,
        params: Sequence[Value] = (),
        bug: str | None = None,
        bug_edges: Sequence[tuple[str, str]] = (),
        feature_names: Sequence[str] = (),
        theta_layout: Sequence[tuple[str, Any]] = (),
    ) -> None:
        self.output = output
        self.nodes: tuple[Value, ...] = tuple(topological_order(output))
        self.params = frozenset(id(p) for p in params)
        self.bug = bug
        self.bug_edges = tuple(bug_edges)
        self.feature_names = tuple(feature_names)
        self.theta_layout = tuple(theta_layout)
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

    def gather(self, per_node: Mapping[str, Data]) -> np.ndarray:
        """A flat vector in ``theta_layout`` order from node name -> data (values, grads, ...)."""
        out = np.empty(len(self.theta_layout))
        for k, (name, index) in enumerate(self.theta_layout):
            data = per_node[name]
            out[k] = float(data if index is None else np.asarray(data)[index])
        return out

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


def _copy(data: Data) -> Data:
    return float(data) if np.ndim(data) == 0 else np.array(data, dtype=float)


def _scalar(value: np.ndarray) -> Data:
    return float(value) if np.ndim(value) == 0 else value
