"""What the graph panel writes about the core's graphs: labels, closed forms, local derivatives.

The strings live beside the panel, not in the engine; the numbers in them come from the post
(a = 5, b = 3, c = 2) or from the inputs given here.
"""

import numpy as np

from gdapp.core.graph_builders import (
    build_batch_cost,
    build_linear_sample,
    build_logistic_sample,
    build_post_example,
)
from gdapp.ui.panels.graph import text


def test_post_example_edges_and_layers():
    g = build_post_example()
    edges = text.edge_labels(g, "example")
    assert list(edges.items()) == [
        (("b", "u"), "du/db = c = 2"),
        (("c", "u"), "du/dc = b = 3"),
        (("a", "v"), "dv/da = 1"),
        (("u", "v"), "dv/du = 1"),
        (("v", "J"), "dJ/dv = 3"),
    ]
    assert text.layers(g) == [["a", "b", "c"], ["u"], ["v"], ["J"]]
    formulas = text.formulas(g, "example")
    assert all(formulas[n.name] for n in g.nodes)
    assert formulas["c"] == "dJ/dc = dJ/du · du/dc = 3 · b"


def test_logistic_sample_names_labels_and_layers():
    g = build_logistic_sample([0.5, 2.0], [0.1, -0.3], 0.2, 1.0, feature_names=["age", "glucose"])
    labels = text.labels(g)
    assert labels["x2"] == "glucose"
    assert labels["w2"] == "w_glucose"
    assert labels["z"] == "z"
    assert text.layers(g) == [["x1", "w1", "x2", "w2", "b", "y"], ["p1", "p2"], ["z"], ["a"], ["L"]]
    formulas = text.formulas(g, "sample")
    assert formulas["z"] == "dL/dz = a − y"
    assert formulas["w1"] == "dL/dw1 = x1(a − y)"
    edges = text.edge_labels(g, "sample")
    assert edges[("w2", "p2")] == "dp2/dw2 = x2 = 2"
    assert edges[("z", "a")].startswith("da/dz = a(1 − a) = ")
    assert len(edges) == sum(len(n.parents) for n in g.nodes)
    # y = 1 and z = 0.5·0.1 − 2·0.3 + 0.2 = −0.35, so dL/dy = −z = 0.35.
    assert edges[("y", "L")] == "dL/dy = −log(a/(1 − a)) = 0.35"


def test_planted_bugs_show_in_the_edge_text():
    g = build_logistic_sample([0.5, 2.0], [0.1, -0.3], 0.2, 1.0, bug="drop_x")
    assert text.edge_labels(g, "sample")[("w2", "p2")] == "dp2/dw2 = 1"
    g = build_logistic_sample([0.5], [0.0], 0.0, 1.0, bug="flip_sign")  # a = 1/2
    assert text.edge_labels(g, "sample")[("z", "a")] == "da/dz = −a(1 − a) = −0.25"
    g = build_batch_cost(np.ones((3, 1)), [0, 1, 1], [0.5], 0.0, bug="forget_mean")
    assert text.edge_labels(g, "batch")[("L", "J")] == "dJ/dL = 1"


def test_linear_graph_is_written_with_y_hat():
    g = build_linear_sample([1.0, 2.0], [0.5, 0.25], 0.0, 0.0)  # ŷ = 1, y = 0
    formulas = text.formulas(g, "sample", "linear")
    assert formulas["yhat"] == "dL/dŷ = 2(ŷ − y)"
    assert formulas["w2"] == "dL/dw2 = 2x2(ŷ − y)"
    edges = text.edge_labels(g, "sample", "linear")
    assert edges[("yhat", "L")] == "dL/dŷ = 2(ŷ − y) = 2"
    assert edges[("z", "yhat")] == "dŷ/dz = 1"
    assert text.layers(g)[-2:] == [["yhat"], ["L"]]
    batch = build_batch_cost(np.eye(2), [0, 1], [1.0, 1.0], 0.0, model="linear")
    assert set(text.formulas(batch, "batch", "linear")) == {n.name for n in batch.nodes}
