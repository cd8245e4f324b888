"""The hidden layer's graphs for the screen: one row's loss and a batch's cost through the MLP.

``sample``  x_i → a_j = Σᵢ W1[j,i]·xᵢ + b1_j → h_j = tanh(a_j) or relu(a_j) → q_j = w2_j·h_j
            → z = Σ q_j + b2 → a = σ(z) → L. The weights W1[j,i] are written on the edges
            x_i → a_j (hover one) and listed in the gradient table; each unit's row of W1 is
            one small card. More than ``MAX_GRAPH_UNITS`` units: the ``FOLDED_UNITS`` with the
            largest |w2_j h_j| are drawn, the others summed into one "rest" node (exact).
            More than ``views.MAX_GRAPH_FEATURES`` features fold as the logistic graph does.
``batch``   X → A = XW1ᵀ + b1 → H → z = Hw2 + b2 → a → L → J, matrix nodes.

theta is the model's flat vector (see ``gdapp.core.mlp``), never d + 1 long.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gdapp.core.graph_mlp import build_mlp_batch_cost, build_mlp_sample
from gdapp.core.mlp import MLPModel
from gdapp.core.nudge import Graph
from gdapp.ui.panels.graph import text
from gdapp.ui.panels.graph.cards import NodeStyle
from gdapp.ui.panels.graph.views import MAX_GRAPH_FEATURES, ViewData, _complete, _style

MAX_GRAPH_UNITS = 5  # hidden units drawn one by one ...
FOLDED_UNITS = 4  # ... and, past that, how many are drawn beside the "rest" node
KEEP_MARGIN = 1.25  # a folded unit replaces a drawn one once its share is this much larger
SUBTITLE_CHARS = 12  # a feature name on an input card is cut to this many characters


def model_key(model: MLPModel) -> tuple:
    """What a graph depends on besides theta and the data (for the panel's caches)."""
    return ("mlp", model.hidden, model.activation)


def parameters(theta: np.ndarray | None, model: MLPModel, d: int) -> np.ndarray:
    """theta when it fits ``model`` on d features, else zeros (no run yet for this model)."""
    p = model.n_params(d)
    if theta is None or np.shape(theta) != (p,):
        return np.zeros(p)
    return np.asarray(theta, dtype=float)


def fold_inputs(x: np.ndarray, theta: np.ndarray, model: MLPModel, names: tuple[str, ...]):
    """(x, theta, names) with at most MAX_GRAPH_FEATURES inputs: the features that weigh most
    on the hidden layer (Σⱼ |W1[j,i] xᵢ|) in their order, then one input x = 1 whose weight
    for unit j is Σ over the others of W1[j,i] xᵢ, so every a_j and all after it stay exact."""
    d = len(x)
    if d <= MAX_GRAPH_FEATURES:
        return x, theta, names
    names = names + tuple(f"feature {i + 1}" for i in range(len(names), d))
    parts = model.parts(theta, d)
    weight = np.abs(parts.W1 * x).sum(axis=0)
    order = np.lexsort((np.arange(d), -np.abs(x), -weight))
    keep = np.sort(order[: MAX_GRAPH_FEATURES - 1])
    rest = np.setdiff1d(np.arange(d), keep)
    W1 = np.column_stack([parts.W1[:, keep], parts.W1[:, rest] @ x[rest]])
    folded = np.concatenate([W1.ravel(), parts.b1, parts.w2, [parts.b2]])
    label = f"the other {len(rest):,} features: Σ W1ⱼᵢxᵢ"
    return np.append(x[keep], 1.0), folded, tuple(names[i] for i in keep) + (label,)


def drawn_units(
    model: MLPModel, theta: np.ndarray, x: np.ndarray, keep: Sequence[int] | None = None
) -> list[int] | None:
    """None (every unit) up to MAX_GRAPH_UNITS, else the FOLDED_UNITS largest |w2_j h_j|.

    ``keep``, the units drawn before, stays while none of the others has grown past
    KEEP_MARGIN times the smallest of them: during a run the cards do not trade places
    every time two units' shares cross.
    """
    if model.hidden <= MAX_GRAPH_UNITS:
        return None
    _, H, _ = model.forward(theta, x.reshape(1, -1))
    share = np.abs(model.parts(theta, x.size).w2 * H[0])
    if keep is not None and len(keep) == FOLDED_UNITS and all(0 <= j < model.hidden for j in keep):
        kept = sorted(int(j) for j in keep)
        others = np.delete(share, kept)
        if others.size == 0 or others.max() <= KEEP_MARGIN * share[kept].min():
            return kept
    order = np.lexsort((np.arange(model.hidden), -share))
    return sorted(order[:FOLDED_UNITS].tolist())


def units_of(data: ViewData) -> list[int] | None:
    """The hidden units a one-row graph draws, 0-based (None when it draws them all)."""
    names = {node.name for node in data.graph.nodes}
    if "rest" not in names:
        return None
    return sorted(int(n[1:]) - 1 for n in names if n[0] == "q" and n[1:].isdigit())


def build_sample(
    x: np.ndarray,
    y: float,
    theta: np.ndarray | None,
    feature_names: tuple[str, ...],
    bug: str | None,
    model: MLPModel,
    keep: Sequence[int] | None = None,
) -> ViewData:
    """One row's loss through the hidden layer at parameters theta (``keep``: see
    ``drawn_units``)."""
    x = np.asarray(x, dtype=float)
    theta = parameters(theta, model, len(x))
    x, theta, feature_names = fold_inputs(x, theta, model, tuple(feature_names))
    units = drawn_units(model, theta, x, keep)
    graph = build_mlp_sample(model, theta, x, float(y), feature_names, bug=bug, units=units)
    d, h = len(x), model.hidden
    shown = range(h) if units is None else units
    formulas = sample_formulas(graph, model.activation)
    act = model.activation
    styles: dict[str, NodeStyle] = {}

    def style(name, title, **kw):
        styles[name] = _style(graph, formulas, name, title, **kw)

    for i, feature in enumerate(feature_names, start=1):
        style(f"x{i}", f"x{i}", subtitle=_short(feature), inline=True,
              description=f"Feature “{feature}” of this row, scaled.")  # fmt: skip
    for j in (k + 1 for k in shown):
        style(f"W1_{j}", f"W1[{j},:]", inline=True, brief=True,
              description=f"Unit {j}'s {d} weights on the features; each one is written on "
              f"its edge xᵢ → a{j}, and all are listed in the table.")  # fmt: skip
        style(f"b1_{j}", f"b1_{j}", inline=True, description=f"Unit {j}'s bias.")
        style(f"a{j}", f"a{j} = W1[{j}]·x + b1_{j}", inline=True,
              description=f"Unit {j}'s pre-activation: Σᵢ W1[{j},i]·xᵢ + b1_{j}.")  # fmt: skip
        style(f"h{j}", f"h{j} = {act}(a{j})", inline=True, compact=False,
              description=f"Unit {j}'s output, {_act_words(act)}.")  # fmt: skip
        style(f"w2_{j}", f"w2_{j}", inline=True, description=f"The output's weight on h{j}.")
        style(f"q{j}", f"q{j} = w2_{j}·h{j}", inline=True, compact=False,
              description=f"Unit {j}'s share of the logit z.")  # fmt: skip
    rest = h - len(shown)
    note = ""
    if rest:
        style("rest", f"rest: {rest} units", inline=True,
              description=f"The other {rest} hidden units' share of z, Σ w2ⱼhⱼ over them: "
              f"only the {len(shown)} units with the largest |w2ⱼhⱼ| are drawn.")  # fmt: skip
        style("rest_theta", "their W1, b1, w2", inline=True, brief=True,
              description=f"The parameters of the {rest} units summed in “rest”.")  # fmt: skip
        note = (
            f"{len(shown)} of {h} hidden units drawn (largest |w2ⱼhⱼ|); "
            f"the other {rest} are summed in “rest”"
        )
    style("b2", "b2", inline=True, description="The output's bias.")
    style("z", "z = Σ qⱼ + b2", on_card=True, compact=False, inline=True,
          description="The output logit.")  # fmt: skip
    style("a", "a = σ(z)", on_card=True, compact=False, inline=True,
          description="Predicted probability of the positive class.")  # fmt: skip
    loss = "Log loss −(y log a + (1 − y) log(1 − a)), computed stably from z."
    style("L", "L(a, y)", compact=False, inline=True, description=loss)
    style("y", "y", inline=True, description="The label.")
    edges = sample_edge_labels(graph, model.activation)
    names = model.param_names(list(feature_names))
    hidden = frozenset(n.name for n in graph.nodes if n.name.startswith(("W1_", "b1_")))
    hidden |= {"rest_theta"} if rest else set()
    return ViewData(
        graph, _complete(graph, styles), "L", edges, text.layers(graph), note, tuple(names), hidden
    )


def build_batch(
    X: np.ndarray,
    y: np.ndarray,
    theta: np.ndarray | None,
    feature_names: tuple[str, ...],
    bug: str | None,
    model: MLPModel,
) -> ViewData:
    """The mean cost over the rows X (m, d), labels y (m,), through the hidden layer."""
    d = X.shape[1]
    theta = parameters(theta, model, d)
    graph = build_mlp_batch_cost(model, theta, X, y, feature_names, bug=bug)
    act = model.activation
    describe = {
        "X": ("X", False, "The batch's scaled features, one row per sample."),
        "W1": ("W1", True, "The hidden layer's weights, one row per unit (in the table)."),
        "b1": ("b1", True, "The hidden units' biases."),
        "A": ("A = XW1ᵀ + b1", False, "Every row's pre-activations, one column per unit."),
        "H": (f"H = {act}(A)", False, f"Every row's hidden values, {_act_words(act)}."),
        "w2": ("w2", True, "The output's weights on the hidden units."),
        "b2": ("b2", True, "The output's bias."),
        "z": ("z = Hw2 + b2", True, "The output logits, one per row."),
        "a": ("a = σ(z)", False, "Predicted probabilities, one per row."),
        "y": ("y", False, "The labels, 0 or 1."),
        "L": ("L(a, y)", True, "Log loss per row."),
        "J": ("J = mean(L)", False, "The mean cost over this batch."),
    }
    formulas = batch_formulas(act)
    styles = {  # J breaks before its value: seven columns leave little width
        name: _style(
            graph, formulas, name, title, on_card=card, description=tip, compact=name != "J"
        )
        for name, (title, card, tip) in describe.items()
    }
    edges = text.edge_labels(graph, "batch", "logistic")
    for (parent, child), local in {
        ("X", "A"): "W1",
        ("W1", "A"): "1" if bug == "drop_x" else "X",
        ("b1", "A"): "1",
        ("A", "H"): "1 − H²" if act == "tanh" else "[A > 0]",
        ("H", "z"): "w2",
        ("w2", "z"): "H",
        ("b2", "z"): "1",
    }.items():
        edges[(parent, child)] = f"d{child}/d{parent} = {local}"
    names = tuple(model.param_names(list(graph.feature_names) or [f"x{i + 1}" for i in range(d)]))
    return ViewData(graph, _complete(graph, styles), "J", edges, text.layers(graph), "", names)


def sample_formulas(graph: Graph, activation: str) -> dict[str, str]:
    """Node name -> the closed form of dL/d node in the one-row graph."""
    slope = "(1 − h{j}²)" if activation == "tanh" else "[a{j} > 0]"
    out = {
        "b2": "dL/db2 = a − y",
        "z": "dL/dz = a − y",
        "a": "dL/da = −y/a + (1 − y)/(1 − a)",
        "y": "dL/dy = −log(a/(1 − a)) = −z",
        "L": "dL/dL = 1",
        "rest": "dL/drest = a − y",
        "rest_theta": "as for a drawn unit: dL/dW1[j,:] = x·dL/daⱼ, and so on",
    }
    for node in graph.nodes:
        name = node.name
        if name.startswith("x"):
            out[name] = f"dL/d{name} = Σⱼ W1[j,{name[1:]}]·dL/daⱼ"
        elif name.startswith("W1_"):
            j = name[3:]
            out[name] = f"dL/dW1[{j},:] = x·dL/da{j}"
        elif name.startswith("b1_"):
            out[name] = f"dL/d{name} = dL/da{name[3:]}"
        elif name.startswith("w2_"):
            out[name] = f"dL/d{name} = h{name[3:]}(a − y)"
        elif name[0] in "ahq" and name[1:].isdigit():
            j = name[1:]
            out[name] = {
                "a": f"dL/da{j} = dL/dh{j}·{slope.format(j=j)}",
                "h": f"dL/dh{j} = w2_{j}(a − y)",
                "q": f"dL/dq{j} = a − y",
            }[name[0]]
    return out


def batch_formulas(activation: str) -> dict[str, str]:
    slope = "(1 − H²)" if activation == "tanh" else "[A > 0]"
    return {
        "X": "dJ/dX = (dJ/dA)·W1",
        "W1": "dJ/dW1 = (dJ/dA)ᵀX",
        "b1": "dJ/db1 = Σ over rows of dJ/dA",
        "A": f"dJ/dA = dJ/dH ⊙ {slope}",
        "H": "dJ/dH = (a − y)w2ᵀ/m",
        "w2": "dJ/dw2 = Hᵀ(a − y)/m",
        "b2": "dJ/db2 = mean(a − y)",
        "z": "dJ/dz = (a − y)/m",
        "a": "dJ/da_i = (−y_i/a_i + (1 − y_i)/(1 − a_i))/m",
        "y": "dJ/dy_i = −z_i/m",
        "L": "dJ/dL_i = 1/m",
        "J": "dJ/dJ = 1",
    }


def sample_edge_labels(graph: Graph, activation: str) -> dict[tuple[str, str], str]:
    """(parent, child) -> "dchild/dparent = text = number" for the one-row graph.

    The numbers are each child's own local derivatives (its backward pass given 1), so a
    planted bug shows on the edge it sits on. The output's edges are the logistic graph's.
    """
    out = text.edge_labels(graph, "sample", "logistic")
    for child in graph.nodes:
        if child.name in ("a", "L") or not child.parents or np.ndim(child.data):
            continue
        locals_ = child._backward(1.0)
        for parent, local in zip(child.parents, locals_, strict=True):
            words = _edge_words(parent.name, child.name, activation)
            label = f"d{child.name}/d{parent.name}"
            if words:
                label += f" = {words}"
            if np.ndim(local) == 0 and np.isfinite(local) and words != text._format(local):
                label += f" = {text._format(float(local))}"
            out[(parent.name, child.name)] = label
    return out


def _edge_words(parent: str, child: str, activation: str) -> str:
    if child.startswith("a") and parent.startswith("x"):
        return f"W1[{child[1:]},{parent[1:]}]"
    if child.startswith("a") and parent.startswith("W1_"):
        return "x"
    if child.startswith("h"):
        return f"1 − {child}²" if activation == "tanh" else f"[{parent} > 0]"
    if child.startswith("q"):
        return f"w2_{child[1:]}" if parent.startswith("h") else f"h{child[1:]}"
    if child == "rest" and parent.startswith("x"):
        return "Σ over those units of w2ⱼ·act′(aⱼ)·W1[j,i]"
    if child in ("z",) or (child.startswith("a") and parent.startswith("b1_")):
        return "1"
    return ""


def _short(feature: str) -> str:
    """A feature name cut to SUBTITLE_CHARS (the tooltip has it whole): five columns follow
    the inputs, so their cards get less room than in the logistic graph."""
    if len(feature) <= SUBTITLE_CHARS:
        return feature
    return feature[: SUBTITLE_CHARS - 1] + "…"


def _act_words(activation: str) -> str:
    if activation == "tanh":
        return "tanh squashes a into (−1, 1)"
    return "relu keeps a positive a and gives 0 otherwise"
