"""What the graph says about each node and edge: names, closed-form derivatives, captions.

The engine (``gdapp.core.graph``) only computes; every string a learner reads about a graph
is written here, next to the graph it describes. No Qt: the strings are plain data.

``formulas(graph, view, model)``   node name -> its derivative in closed form, "dL/dz = a − y"
``edge_labels(graph, view, model)`` (parent, child) -> "dp2/dw2 = x2 = 2" (the number only
                                    when the local derivative is a scalar)
``labels(graph)``                   node name -> a short label: the feature name of an x node
``symbol(name)``                    how a node name is typeset in a derivative ("yhat" -> "ŷ")
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from gdapp.core.nudge import Graph

SYMBOLS = {"yhat": "ŷ"}

# The output of each model's loss, written as in the formulas below.
_RESIDUAL = {"logistic": "a − y", "linear": "2(ŷ − y)"}


def symbol(name: str) -> str:
    return SYMBOLS.get(name, name)


def labels(graph: Graph) -> dict[str, str]:
    """Node name -> label: "glucose" for x2 of a graph on (…, glucose), "w_glucose" for w2."""
    out = {node.name: symbol(node.name) for node in graph.nodes}
    for i, feature in enumerate(graph.feature_names, start=1):
        if f"x{i}" in out:
            out[f"x{i}"] = feature
            out[f"w{i}"] = f"w_{feature}"
    return out


def formulas(graph: Graph, view: str, model: str = "logistic") -> dict[str, str]:
    """Node name -> the closed form of d output / d node."""
    if view == "example":
        return {
            "a": "dJ/da = dJ/dv · dv/da = 3 · 1",
            "b": "dJ/db = dJ/du · du/db = 3 · c",
            "c": "dJ/dc = dJ/du · du/dc = 3 · b",
            "u": "dJ/du = dJ/dv · dv/du = 3 · 1",
            "v": "dJ/dv = 3",
            "J": "dJ/dJ = 1",
        }
    r = _RESIDUAL[model]
    if view == "sample":
        factor = "" if model == "logistic" else "2"
        plain = "a − y" if model == "logistic" else "ŷ − y"
        out = {
            "b": f"dL/db = {r}",
            "z": f"dL/dz = {r}",
            "L": "dL/dL = 1",
        }
        if model == "logistic":
            out["a"] = "dL/da = −y/a + (1 − y)/(1 − a)"
            out["y"] = "dL/dy = −log(a/(1 − a)) = −z"
        else:
            out["yhat"] = f"dL/dŷ = {r}"
            out["y"] = f"dL/dy = −{r}"
        for node in graph.nodes:
            i = node.name[1:]
            if node.name.startswith("x") and i.isdigit():
                out[node.name] = f"dL/dx{i} = {factor}w{i}({plain})"
            elif node.name.startswith("w") and i.isdigit():
                out[node.name] = f"dL/dw{i} = {factor}x{i}({plain})"
            elif node.name.startswith("p") and i.isdigit():
                out[node.name] = f"dL/dp{i} = {r}"
        return out
    if model == "logistic":
        return {
            "X": "dJ/dX_ij = w_j(a_i − y_i)/m",
            "w": "dJ/dw = Xᵀ(a − y)/m",
            "b": "dJ/db = mean(a − y)",
            "z": "dJ/dz = (a − y)/m",
            "a": "dJ/da_i = (−y_i/a_i + (1 − y_i)/(1 − a_i))/m",
            "y": "dJ/dy_i = −z_i/m",
            "L": "dJ/dL_i = 1/m",
            "J": "dJ/dJ = 1",
        }
    return {
        "X": "dJ/dX_ij = 2w_j(ŷ_i − y_i)/m",
        "w": "dJ/dw = 2Xᵀ(ŷ − y)/m",
        "b": "dJ/db = 2·mean(ŷ − y)",
        "z": "dJ/dz = 2(ŷ − y)/m",
        "yhat": "dJ/dŷ = 2(ŷ − y)/m",
        "y": "dJ/dy_i = −2(ŷ_i − y_i)/m",
        "L": "dJ/dL_i = 1/m",
        "J": "dJ/dJ = 1",
    }


Local = tuple[str, Callable[[], object] | None]  # text, and the number it stands for


def edge_labels(graph: Graph, view: str, model: str = "logistic") -> dict[tuple[str, str], str]:
    """(parent, child) -> "dchild/dparent = text", with " = number" where that says more."""
    bug = graph.bug
    data = {node.name: node for node in graph.nodes}

    def of(name: str) -> Callable[[], object]:
        return lambda: data[name].data

    local: dict[tuple[str, str], Local] = {}
    if view == "example":
        local = {
            ("b", "u"): ("c", of("c")),
            ("c", "u"): ("b", of("b")),
            ("a", "v"): ("1", None),
            ("u", "v"): ("1", None),
            ("v", "J"): ("3", None),
        }
    else:
        sign = "−" if bug == "flip_sign" else ""
        flip = -1.0 if bug == "flip_sign" else 1.0
        a = data.get("a")
        if model == "logistic":
            local[("z", "a")] = (
                f"{sign}a(1 − a)",
                lambda: flip * a.data * (1 - a.data),
            )
            y, z = data["y"], data["z"]
            local[("a", "L")] = (
                "−y/a + (1 − y)/(1 − a)",
                lambda: -y.data / a.data + (1 - y.data) / (1 - a.data),
            )
            local[("y", "L")] = ("−log(a/(1 − a))", lambda: -z.data)
        else:
            y, yhat = data["y"], data["yhat"]
            local[("z", "yhat")] = (f"{sign}1", None)
            local[("yhat", "L")] = ("2(ŷ − y)", lambda: 2 * (yhat.data - y.data))
            local[("y", "L")] = ("−2(ŷ − y)", lambda: -2 * (yhat.data - y.data))
        if view == "sample":
            for node in graph.nodes:
                match = re.fullmatch(r"p(\d+)", node.name)
                if match:
                    i = match.group(1)
                    local[(f"x{i}", node.name)] = (f"w{i}", of(f"w{i}"))
                    local[(f"w{i}", node.name)] = (
                        ("1", None) if bug == "drop_x" else (f"x{i}", of(f"x{i}"))
                    )
                    local[(node.name, "z")] = ("1", None)
            local[("b", "z")] = ("1", None)
        else:
            local[("X", "z")] = ("w_j", None)
            local[("w", "z")] = ("1" if bug == "drop_x" else "X", None)
            local[("b", "z")] = ("1", None)
            local[("L", "J")] = ("1" if bug == "forget_mean" else "1/m", None)
    out = {}
    for child in graph.nodes:
        for parent in child.parents:
            text, number = local.get((parent.name, child.name), ("", None))
            label = f"d{symbol(child.name)}/d{symbol(parent.name)}"
            if text:
                label += f" = {text}"
                with np.errstate(all="ignore"):  # a on a bound: no number to show
                    try:
                        value = None if number is None else number()
                    except ZeroDivisionError:  # plain floats: a rounded to exactly 0 or 1
                        value = None
                scalar = value is not None and np.ndim(value) == 0 and np.isfinite(value)
                if scalar and text != _format(value):
                    label += f" = {_format(float(value))}"
            out[(parent.name, child.name)] = label
    return out


def layers(graph: Graph) -> list[list[str]]:
    """Node names by column, left to right: a node's column is its longest path from an input."""
    depth: dict[str, int] = {}
    for node in graph.nodes:
        depth[node.name] = 1 + max((depth[p.name] for p in node.parents), default=-1)
    columns: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for node in graph.nodes:
        columns[depth[node.name]].append(node.name)
    return columns


def _format(value: float) -> str:
    """Four significant digits with a true minus sign, as on the cards."""
    return f"{float(value):.4g}".replace("-", "−")
