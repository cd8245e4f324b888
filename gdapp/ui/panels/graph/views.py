"""The three graphs the panel can show, built from the core and named for the screen.

``example``  the post's a, b, c -> u = bc -> v = a + u -> J = 3v, inputs editable
``sample``   the loss of one row: x_i, w_i, b -> p_i = w_i x_i -> z -> a = σ(z) -> L(a, y)
             (logistic model) or z -> ŷ = z -> L = (ŷ − y)² (linear model)
``batch``    the mean cost J over the rows of the latest step's batch (vector nodes)

theta is (d+1,): the weights w_1..w_d, then the bias b. The same views through a hidden
layer, whose theta is longer, are built in ``views_mlp``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdapp.core import graph_builders as builders
from gdapp.core.gradcheck import agrees
from gdapp.core.nudge import NUDGE_ATOL, NUDGE_RTOL, Graph
from gdapp.ui.panels.graph import text
from gdapp.ui.panels.graph.cards import NodeStyle
from gdapp.ui.panels.graph.items import NodeNumbers
from gdapp.ui.panels.graph.limits import VIEW_NAMES

VIEW_LABELS = {
    "example": "Post's example",
    "sample": "One sample: L",
    "batch": "Batch cost: J",
}
VIEW_TOOLTIPS = {
    "example": "The post's worked example with three inputs a, b, c; edit them below.",
    "sample": (
        "The loss of one row (the row selected in the dataset browser, row 0 until one is "
        "selected) at the current weights, through the model being trained: logistic or "
        "linear regression, or one hidden layer."
    ),
    "batch": (
        "The mean loss J over the rows the latest training step used (all training "
        "rows for full-batch gradient descent); vector nodes are summarised."
    ),
}
POST_INPUTS = (5.0, 3.0, 2.0)  # a, b, c as in the post

BUG_NAMES = (None, "drop_x", "flip_sign", "forget_mean")
BUG_LABELS = {
    None: "None (correct)",
    "drop_x": "Drop xᵢ from dL/dwᵢ",
    "flip_sign": "Flip the sign",
    "forget_mean": "Forget the 1/m",
}
BUG_VIEWS = {
    None: frozenset(VIEW_NAMES),
    "drop_x": frozenset({"sample", "batch"}),
    "flip_sign": frozenset({"sample", "batch"}),
    "forget_mean": frozenset({"batch"}),
}
BUG_UNAVAILABLE = {
    ("drop_x", "example"): "The post's example has no features x or weights w to break.",
    ("flip_sign", "example"): "The post's example has no z = w·x + b whose sign could flip.",
    ("forget_mean", "example"): "Only the batch view averages over samples.",
    ("forget_mean", "sample"): (
        "One sample's loss has no mean over a batch: switch to the batch view."
    ),
}
# One line under the selector; the tooltip says more.
CAUGHT = "A gradient check catches it."
BUG_EXPLANATIONS = {
    None: "Correct gradient: each derivative matches the post's nudge estimate.",
    "drop_x": f"Bug: dL/dwᵢ = a − y, missing xᵢ; training runs, but wrongly. {CAUGHT}",
    "flip_sign": f"Bug: dL/dz = y − a, the post's sign flip: descent climbs. {CAUGHT}",
    "forget_mean": f"Bug: dJ/dLᵢ = 1, not 1/m: the gradient is m times too big. {CAUGHT}",
}
BUG_DETAILS = {
    None: (
        "Backpropagation applies the chain rule edge by edge. The nudge check recomputes "
        "every derivative the slow way (nudge the node by h, watch the output, divide) and "
        "compares. Plant a bug to see what the check catches."
    ),
    "drop_x": (
        "dp/dw should be x; the planted code uses 1. Every weight's gradient is then (a − y) "
        "instead of xᵢ(a − y): the loss may still fall, towards the wrong weights, so nothing "
        "looks broken. Only the w nodes are wrong, and only they are flagged."
    ),
    "flip_sign": (
        "The post's numpy example computes the gradient as 2(y − ŷ) instead of −2x(y − ŷ). "
        "Here da/dz is negated, so dL/dz = y − a: every node upstream of z gets the wrong "
        "sign and gradient descent walks uphill."
    ),
    "forget_mean": (
        "J is the mean of the per-row losses, so dJ/dLᵢ = 1/m. Forgetting the 1/m makes "
        "every upstream gradient m times too large: a learning rate that worked now diverges."
    ),
}


def bug_details(bug: str | None, model: str) -> str:
    """The bug selector's tooltip, in the terms of the trainer's model."""
    if bug == "drop_x" and model == "mlp":
        return (
            "da_j/dW1[j,i] should be x_i; the planted code uses 1. Every first-layer weight's "
            "gradient is then dL/da_j instead of x_i·dL/da_j, while the hidden nodes, the "
            "output weights and the biases stay right: the ✗ marks are on the W1 entries "
            "of the table."
        )
    return BUG_DETAILS[bug]


def bug_explanation(bug: str | None, model: str) -> str:
    """The line under the bug selector, in the terms of the trainer's model."""
    if bug == "drop_x" and model == "mlp":
        return f"Bug: dL/dW1 = dL/da, missing x; training runs, but wrongly. {CAUGHT}"
    if bug == "flip_sign" and model == "linear":
        return f"Bug: dL/dz = −2(ŷ − y), the post's sign flip: descent climbs. {CAUGHT}"
    return BUG_EXPLANATIONS[bug]


@dataclass(frozen=True)
class ViewData:
    """A built core graph and how to name its nodes and edges on screen."""

    graph: Graph
    styles: dict[str, NodeStyle]
    output_symbol: str  # "J" or "L": derivatives read dJ/d· or dL/d·
    edges: dict[tuple[str, str], str]  # (parent, child) -> its local derivative, in words
    layers: list[list[str]]
    note: str = ""  # what the drawing leaves out, said under it ("4 of 16 units drawn")
    param_names: tuple[str, ...] = ()  # one per entry of theta, when graph.theta_layout is set
    hidden: frozenset[str] = frozenset()  # nodes without a card (shown on edges and in the table)


def split_theta(theta: np.ndarray | None, d: int) -> tuple[np.ndarray, float]:
    """(w (d,), b) from theta (d+1,); zeros when theta is missing or of another size."""
    if theta is None or np.shape(theta) != (d + 1,):
        return np.zeros(d), 0.0
    theta = np.asarray(theta, dtype=float)
    return theta[:d].copy(), float(theta[d])


def build_example(a: float, b: float, c: float) -> ViewData:
    graph = builders.build_post_example(a, b, c)
    describe = {
        "a": ("a", "Input a of the post's example."),
        "b": ("b", "Input b of the post's example."),
        "c": ("c", "Input c of the post's example."),
        "u": ("u = bc", "u(b, c) = bc, so du/db = c and du/dc = b."),
        "v": ("v = a + u", "v(a, u) = a + u, so dv/da = dv/du = 1."),
        "J": ("J = 3v", "The output J(v) = 3v, so dJ/dv = 3."),
    }
    formulas = text.formulas(graph, "example")
    styles = {
        name: _style(graph, formulas, name, title, description=tip, on_card=name != "J")
        for name, (title, tip) in describe.items()
    }
    return _view_data(graph, styles, "J", "example", "logistic")


MAX_GRAPH_FEATURES = 12  # features drawn one by one in the one-row graph


def _fold_wide_row(
    x: np.ndarray, w: np.ndarray, names: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Keep the MAX_GRAPH_FEATURES - 1 largest products and sum the rest into one input."""
    d = len(x)
    if d <= MAX_GRAPH_FEATURES:
        return x, np.asarray(w, float), names
    w = np.asarray(w, float)
    names = names + tuple(f"feature {i + 1}" for i in range(len(names), d))
    products = np.abs(w * x)
    order = np.lexsort((np.arange(d), -np.abs(x), -products))  # largest |wx|, then |x|
    keep = np.sort(order[: MAX_GRAPH_FEATURES - 1])
    rest = np.setdiff1d(np.arange(d), keep)
    folded_w = float(np.dot(w[rest], x[rest]))
    label = f"the other {len(rest):,} features: Σ wᵢxᵢ"
    return (
        np.append(x[keep], 1.0),
        np.append(w[keep], folded_w),
        tuple(names[i] for i in keep) + (label,),
    )


def build_sample(
    x: np.ndarray,
    y: float,
    theta: np.ndarray | None,
    feature_names: tuple[str, ...],
    bug: str | None,
    model: str = "logistic",
) -> ViewData:
    """The loss of one row (x (d,), label y) at weights theta, for the trainer's model.

    A row with more than ``MAX_GRAPH_FEATURES`` features shows the features whose products
    wᵢxᵢ are largest, in their order, and one more input that carries the sum of all the
    others' products (its weight is that sum, its x is 1), so z, the loss and every shown
    derivative stay exact while the drawing does not grow with the table's width.
    """
    w, b = split_theta(theta, len(x))
    x, w, feature_names = _fold_wide_row(np.asarray(x, float), w, tuple(feature_names))
    d = len(x)
    graph = builders.build_sample(x, w, b, float(y), feature_names, bug=bug, model=model)
    formulas = text.formulas(graph, "sample", model)
    styles: dict[str, NodeStyle] = {}
    for i in range(1, d + 1):
        feature = feature_names[i - 1] if i - 1 < len(feature_names) else f"feature {i}"
        styles[f"x{i}"] = _style(
            graph, formulas, f"x{i}", f"x{i}", subtitle=feature, inline=True,
            description=f"Feature “{feature}” of this row, scaled.",
        )  # fmt: skip
        styles[f"w{i}"] = _style(
            graph, formulas, f"w{i}", f"w{i}", inline=True, on_card=True,
            description=f"Weight of “{feature}”; gradient descent updates it.",
        )  # fmt: skip
        styles[f"p{i}"] = _style(
            graph, formulas, f"p{i}", f"p{i} = w{i}·x{i}", description=f"w{i} times x{i}.",
            inline=True,
        )  # fmt: skip
    styles["b"] = _style(
        graph, formulas, "b", "b", inline=True, on_card=True, description="The bias."
    )
    styles["z"] = _style(
        graph,
        formulas,
        "z",
        "z = Σ pᵢ + b",
        on_card=True,
        description="The raw prediction.",
        compact=False,
    )
    if model == "logistic":
        styles["a"] = _style(
            graph, formulas, "a", "a = σ(z)", on_card=True, compact=False,
            description="Predicted probability of the positive class.",
        )  # fmt: skip
        styles["L"] = _style(
            graph, formulas, "L", "L(a, y)", compact=False,
            description="Log loss −(y log a + (1 − y) log(1 − a)), computed stably from z.",
        )  # fmt: skip
    else:
        styles["yhat"] = _style(
            graph, formulas, "yhat", "ŷ = z", on_card=True, symbol="ŷ", compact=False,
            description="The linear model predicts the label directly: ŷ = z.",
        )  # fmt: skip
        styles["L"] = _style(
            graph, formulas, "L", "L = (ŷ − y)²", compact=False,
            description="Squared error (ŷ − y)², the loss the trainer uses for this model.",
        )  # fmt: skip
    styles["y"] = _style(graph, formulas, "y", "y", description="The label.", inline=True)
    return _view_data(graph, styles, "L", "sample", model)


def build_batch(
    X: np.ndarray,
    y: np.ndarray,
    theta: np.ndarray | None,
    feature_names: tuple[str, ...],
    bug: str | None,
    model: str = "logistic",
) -> ViewData:
    """The mean cost over the rows X (m, d), labels y (m,), at weights theta."""
    d = X.shape[1]
    w, b = split_theta(theta, d)
    graph = builders.build_batch_cost(X, y, w, b, feature_names, bug=bug, model=model)
    loss = "Log loss per row." if model == "logistic" else "Squared error (ŷᵢ − yᵢ)² per row."
    describe = {
        "X": ("X", False, "The batch's scaled features, one row per sample."),
        "w": ("w", True, "The weights, one per feature (listed in the table)."),
        "b": ("b", True, "The bias."),
        "z": ("z = Xw + b", True, "The raw predictions, one per row."),
        "a": ("a = σ(z)", False, "Predicted probabilities, one per row."),
        "yhat": ("ŷ = z", False, "The linear model's predictions, one per row."),
        "y": ("y", False, "The labels, 0 or 1."),
        "L": ("L(a, y)" if model == "logistic" else "L = (ŷ − y)²", True, loss),
        "J": ("J = mean(L)", False, "The mean cost over this batch."),
    }
    names = {node.name for node in graph.nodes}
    formulas = text.formulas(graph, "batch", model)
    styles = {
        name: _style(graph, formulas, name, title, on_card=card, description=tip)
        for name, (title, card, tip) in describe.items()
        if name in names
    }
    return _view_data(graph, styles, "J", "batch", model)


def _view_data(graph: Graph, styles, output: str, view: str, model: str) -> ViewData:
    edges = text.edge_labels(graph, view, model)
    return ViewData(graph, _complete(graph, styles), output, edges, text.layers(graph))


def _style(
    graph: Graph,
    formulas: dict[str, str],
    name: str,
    title: str,
    *,
    on_card: bool = False,
    subtitle: str = "",
    description: str = "",
    inline: bool = False,
    symbol: str = "",
    compact: bool = True,
    brief: bool = False,
) -> NodeStyle:
    """A node's screen style; its closed-form derivative on the card or in the tooltip."""
    formula = formulas.get(name, "")
    return NodeStyle(
        title,
        graph.kind(name),
        subtitle=subtitle,
        formula=formula if on_card else "",
        description=description,
        detail="" if on_card else formula,
        inline_nudge=inline,
        compact=compact,
        symbol=symbol or text.symbol(name),
        brief=brief,
    )


def _complete(graph: Graph, styles: dict[str, NodeStyle]) -> dict[str, NodeStyle]:
    """Give every node a style, falling back to its label."""
    names = text.labels(graph)
    for node in graph.nodes:
        if node.name not in styles:
            styles[node.name] = NodeStyle(names[node.name], graph.kind(node))
    return styles


def parameter_updates(view: str, data: ViewData, pair) -> dict:
    """Node name -> (old, new) of a step's update, from theta before and after (d+1,)."""
    if pair is None or view == "example":
        return {}
    old, new = pair
    if old.shape != new.shape:
        return {}
    if data.graph.theta_layout:
        return _updates_by_layout(data.graph, old, new)
    if view == "sample":
        updates = {f"w{i + 1}": (old[i], new[i]) for i in range(len(old) - 1)}
        updates["b"] = (old[-1], new[-1])
    else:
        updates = {"w": (old[:-1], new[:-1]), "b": (old[-1], new[-1])}
    names = {node.name for node in data.graph.nodes}
    return {name: value for name, value in updates.items() if name in names}


def _updates_by_layout(graph: Graph, old: np.ndarray, new: np.ndarray) -> dict:
    """Node name -> (old, new) through the graph's theta layout (a hidden layer's nodes)."""
    if old.shape != (len(graph.theta_layout),):
        return {}
    before = {node.name: _copy(node.value) for node in graph.nodes}
    after = {name: _copy(value) for name, value in before.items()}
    for k, (name, index) in enumerate(graph.theta_layout):
        if index is None:
            before[name], after[name] = float(old[k]), float(new[k])
        else:
            before[name][index], after[name][index] = old[k], new[k]
    return {name: (before[name], after[name]) for name, _ in graph.theta_layout}


def node_numbers(data: ViewData, results, updates: dict, note: str) -> dict[str, NodeNumbers]:
    """What each card shows: copies of the graph's values and grads, the nudge results."""
    numbers = {}
    for node in data.graph.nodes:
        value, grad = _copy(node.value), _copy(node.grad)
        result = results.get(node.name) if results else None
        if result is None:
            numbers[node.name] = NodeNumbers(value, grad, update=updates.get(node.name), note=note)
            continue
        each = (
            agrees(result.analytic, result.numeric, NUDGE_RTOL, NUDGE_ATOL)
            if np.ndim(result.numeric)
            else None
        )
        numbers[node.name] = NodeNumbers(
            value,
            grad,
            numeric=_copy(result.numeric),
            agrees=bool(result.agrees),
            rel_error=_copy(result.rel_error),
            update=updates.get(node.name),
            agrees_each=each,
        )
    return numbers


def _copy(value):
    return float(value) if np.ndim(value) == 0 else np.array(value, dtype=float)
