"""The computation-graph panel with a hidden layer, in the real window.

Every expected number is computed here from the snapshot's theta and the row's x with
numpy (W1 x + b1, tanh or max(a, 0), the textbook log loss) and central differences of that
loss; the panel is read through ``displayed_values()`` and ``table_columns()``.
"""

from __future__ import annotations

import numpy as np
import pytest
from support.windows import shown_window

from gdapp.core.gradcheck import numeric_gradient
from gdapp.core.mlp import MLPModel
from gdapp.ui.panels.graph.style import format_number

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")

D, H, ROW = 8, 4, 5


def act(a, activation):
    return np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)


def split(theta, h, d=D):
    W1 = theta[: h * d].reshape(h, d)
    return W1, theta[h * d : h * d + h], theta[h * d + h : h * d + 2 * h], theta[-1]


def loss_of_z(z, y):
    a = 1.0 / (1.0 + np.exp(-z))
    return float(-(y * np.log(a) + (1 - y) * np.log(1 - a)))


def loss(theta, x, y, h, activation):
    W1, b1, w2, b2 = split(theta, h, x.size)
    return loss_of_z(act(W1 @ x + b1, activation) @ w2 + b2, y)


def steps(qtbot, session, n):
    target = session.last_snapshot.step_count + n
    session.step(n)
    qtbot.waitUntil(
        lambda: session.last_snapshot is not None and session.last_snapshot.step_count == target,
        timeout=10000,
    )


@pytest.fixture
def window(qtbot):
    window = shown_window(qtbot, timeout_ms=10_000)
    window.lesson_panel.leave()
    yield window
    window.close()


def use_mlp(qtbot, window, hidden=H, activation="tanh", view="sample"):
    """The MLP chosen on the window's session, the graph page in front; returns the panel."""
    session = window.controller
    session.set_config(model="mlp", hidden=hidden, activation=activation, lr=0.5)
    qtbot.waitUntil(
        lambda: (
            session.last_snapshot.config.model == "mlp"
            and session.last_snapshot.config.hidden == hidden
            and session.last_snapshot.config.activation == activation
        ),
        timeout=10000,
    )
    session.select_sample(ROW)
    window.show_page("graph")
    window.view_model.update(graph_view=view)
    panel = window.graph_panel
    qtbot.waitUntil(lambda: "z" in panel.displayed_values(), timeout=10000)
    return panel


def shown_state(window):
    session = window.controller
    theta = np.asarray(session.last_snapshot.theta, dtype=float)
    x = np.asarray(session.dataset.X[ROW], dtype=float)
    return theta, x, float(session.dataset.y[ROW])


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_hidden_values_are_the_activation_of_the_pre_activation(qtbot, window, activation):
    panel = use_mlp(qtbot, window, activation=activation)
    steps(qtbot, window.controller, 3)  # the graph follows training
    theta, x, y = shown_state(window)
    W1, b1, w2, b2 = split(theta, H)
    A = W1 @ x + b1
    shown = panel.displayed_values()
    assert set(shown) >= {f"{kind}{j}" for kind in "ahq" for j in range(1, H + 1)}
    for j in range(H):
        assert shown[f"a{j + 1}"].value == pytest.approx(A[j], abs=1e-12)
        assert shown[f"h{j + 1}"].value == pytest.approx(act(A[j], activation), abs=1e-12)
        assert shown[f"q{j + 1}"].value == pytest.approx(w2[j] * act(A[j], activation), abs=1e-12)
    assert shown["L"].value == pytest.approx(loss(theta, x, y, H, activation), rel=1e-10)
    assert "step 3" in panel._caption_text()


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_shown_derivatives_equal_finite_differences_of_the_loss(qtbot, window, activation):
    panel = use_mlp(qtbot, window, activation=activation)
    steps(qtbot, window.controller, 2)
    theta, x, y = shown_state(window)
    W1, b1, w2, b2 = split(theta, H)
    A = W1 @ x + b1
    shown = panel.displayed_values()
    by_a = numeric_gradient(lambda a: loss_of_z(act(a, activation) @ w2 + b2, y), A)
    by_h = numeric_gradient(lambda hv: loss_of_z(hv @ w2 + b2, y), act(A, activation))
    by_x = numeric_gradient(lambda v: loss(theta, v, y, H, activation), x)
    for j in range(H):
        assert shown[f"a{j + 1}"].grad == pytest.approx(by_a[j], rel=1e-6, abs=1e-9)
        assert shown[f"h{j + 1}"].grad == pytest.approx(by_h[j], rel=1e-6, abs=1e-9)
    for i in range(D):
        assert shown[f"x{i + 1}"].grad == pytest.approx(by_x[i], rel=1e-6, abs=1e-9)
    by_theta = numeric_gradient(lambda t: loss(t, x, y, H, activation), theta)
    names = MLPModel(H, activation).param_names(list(window.controller.dataset.feature_names))
    for column in panel.table_columns():
        k = names.index(column.label)
        assert column.value == theta[k]
        assert column.grad == pytest.approx(by_theta[k], rel=1e-6, abs=1e-9)


def test_nudge_check_passes_on_hidden_nodes_and_parameters(qtbot, window):
    panel = use_mlp(qtbot, window)
    steps(qtbot, window.controller, 2)
    panel.set_nudge(True)
    panel.wait_for_nudge()
    shown = panel.displayed_values()
    h2 = shown["h2"]
    assert h2.agrees is True and h2.numeric == pytest.approx(h2.grad, rel=5e-3, abs=1e-6)
    assert all(node.agrees for node in shown.values()), [
        name for name, node in shown.items() if not node.agrees
    ]
    columns = panel.table_columns()
    assert columns and all(column.agrees for column in columns)
    panel.set_bug("drop_x")  # dL/dW1 loses its x: only first-layer weights are wrong
    panel.wait_for_nudge()
    label = panel._bug_label
    assert "dL/dW1" in label.text() and "W1 entries" in label.toolTip()
    assert all(node.agrees for node in panel.displayed_values().values())
    wrong = {c.label for c in panel.table_columns() if c.agrees is False}
    assert wrong and all(":" in label and not label.startswith("out:") for label in wrong)
    assert not any(label.endswith(":bias") for label in wrong)


def test_the_table_names_parameters_largest_derivative_first(qtbot, window):
    panel = use_mlp(qtbot, window)
    steps(qtbot, window.controller, 1)
    names = MLPModel(H, "tanh").param_names(list(window.controller.dataset.feature_names))
    columns = panel.table_columns()
    assert len(columns) == 12 < len(names)
    assert {c.label for c in columns} <= set(names)
    assert any(c.label.startswith("h1:") for c in panel.table_columns()) or any(
        c.label.startswith("out:") for c in columns
    )
    sizes = [abs(c.grad) for c in columns]
    assert sizes == sorted(sizes, reverse=True)
    theta, x, y = shown_state(window)
    model = MLPModel(H, "tanh")
    grad = model.per_sample_grad(theta, x, y)
    assert max(sizes) == pytest.approx(np.max(np.abs(grad)), rel=1e-12)


def test_text_reads_at_11_px_at_1280_by_800(qtbot, window):
    panel = use_mlp(qtbot, window)
    qtbot.wait(50)
    assert panel.min_text_px() >= 11.0, panel.min_text_px()
    # The nudge marks widen every card: fitting then keeps 11 px and cuts the diagram.
    panel.set_nudge(True)
    panel.wait_for_nudge()
    assert panel.min_text_px() >= 11.0 - 1e-9, panel.min_text_px()


@pytest.mark.parametrize("hidden", [4, 16])
def test_text_reads_at_11_px_at_1024_by_768_with_the_lesson_column_open(qtbot, window, hidden):
    window.resize(1024, 768)
    panel = use_mlp(qtbot, window, hidden=hidden)
    qtbot.wait(50)
    assert window.lesson_dock.isVisible()
    assert panel.min_text_px() >= 11.0 - 1e-9, panel.min_text_px()


def test_sixteen_units_fold_to_four_and_a_rest_that_stays_exact(qtbot, window):
    panel = use_mlp(qtbot, window, hidden=16, activation="relu")
    steps(qtbot, window.controller, 2)
    theta, x, y = shown_state(window)
    W1, b1, w2, b2 = split(theta, 16)
    share = w2 * act(W1 @ x + b1, "relu")
    shown = panel.displayed_values()
    drawn = sorted(int(name[1:]) - 1 for name in shown if name[0] == "q")
    assert len(drawn) == 4
    assert min(abs(share[drawn])) >= max(abs(np.delete(share, drawn)))
    rest = np.delete(share, drawn).sum()
    assert shown["rest"].value == pytest.approx(rest, abs=1e-12)
    assert shown["L"].value == pytest.approx(loss(theta, x, y, 16, "relu"), rel=1e-10)
    assert "4 of 16 hidden units drawn" in panel._caption_text()


def test_step_back_and_switching_back_to_logistic_restore_the_graphs(qtbot, window):
    panel = use_mlp(qtbot, window)
    session = window.controller
    steps(qtbot, session, 2)
    before = panel.displayed_values()["a1"].value
    steps(qtbot, session, 1)
    session.step_back()
    qtbot.waitUntil(
        lambda: session.last_snapshot is not None and session.last_snapshot.step_count == 2,
        timeout=10000,
    )
    assert panel.displayed_values()["a1"].value == pytest.approx(before, abs=1e-12)
    session.set_config(model="logistic")
    qtbot.waitUntil(
        lambda: (
            session.last_snapshot is not None and session.last_snapshot.config.model == "logistic"
        ),
        timeout=10000,
    )
    qtbot.waitUntil(lambda: "p1" in panel.displayed_values(), timeout=10000)
    names = set(panel.displayed_values())
    expected = {f"{k}{i}" for k in "xwp" for i in range(1, D + 1)} | {"b", "z", "a", "y", "L"}
    assert names == expected
    assert panel.table_columns() == []  # the one-row logistic graph has no table
    theta, x, y = shown_state(window)
    z = float(theta[:-1] @ x + theta[-1])
    assert panel.displayed_values()["z"].value == pytest.approx(z, abs=1e-12)


def test_edges_carry_the_first_layer_weights(qtbot, window):
    panel = use_mlp(qtbot, window)
    steps(qtbot, window.controller, 1)
    theta, _, _ = shown_state(window)
    W1, _, w2, _ = split(theta, H)
    panel.displayed_values()
    tips = {(e.parent_item.name, e.child_item.name): e.toolTip() for e in panel._scene.edges}
    assert f"da1/dx2 = W1[1,2] = {fmt(W1[0, 1])}" in tips[("x2", "a1")]
    assert f"da3/dx8 = W1[3,8] = {fmt(W1[2, 7])}" in tips[("x8", "a3")]
    assert f"dq2/dh2 = w2_2 = {fmt(w2[1])}" in tips[("h2", "q2")]
    assert len([pair for pair in tips if pair[1].startswith("a") and pair[1] != "a"]) == D * H


def fmt(value: float) -> str:
    return f"{value:.4g}".replace("-", "−")


def test_batch_view_cost_and_table_follow_the_hidden_layer(qtbot, window):
    panel = use_mlp(qtbot, window, view="batch")
    steps(qtbot, window.controller, 2)
    session = window.controller
    theta = np.asarray(session.last_snapshot.theta, dtype=float)
    X, Y = session.dataset.X_train, session.dataset.y_train

    def cost(t):
        return np.mean([loss(t, X[r], Y[r], H, "tanh") for r in range(len(Y))])

    qtbot.waitUntil(lambda: "W1" in panel.displayed_values(), timeout=10000)
    shown = panel.displayed_values()
    assert shown["J"].value == pytest.approx(cost(theta), rel=1e-10)
    assert shown["H"].value.shape == (len(Y), H)
    names = MLPModel(H, "tanh").param_names(list(session.dataset.feature_names))
    columns = panel.table_columns()
    assert len(columns) == 12
    for column in columns[:4]:
        k = names.index(column.label)
        step = np.zeros_like(theta)
        step[k] = 1e-6
        expected = (cost(theta + step) - cost(theta - step)) / 2e-6
        assert column.grad == pytest.approx(expected, rel=1e-5, abs=1e-9)
    assert set(panel.bug_names()) == {None, "drop_x", "flip_sign", "forget_mean"}
    panel.set_view("sample")
    assert "forget_mean" not in panel.bug_names()


def test_an_animated_step_walks_the_hidden_layer_and_shows_each_update(qtbot, window):
    panel = use_mlp(qtbot, window)
    session = window.controller
    old = np.asarray(session.last_snapshot.theta, dtype=float).copy()
    panel.set_animate(True)
    steps(qtbot, session, 1)
    qtbot.waitUntil(lambda: panel.animation_running, timeout=3000)
    assert "= ?" in panel.node_text("h3")  # the walk has not reached it yet
    panel.skip_animation()
    new = np.asarray(session.last_snapshot.theta, dtype=float)
    _, _, w2_old, _ = split(old, H)
    _, _, w2_new, _ = split(new, H)
    text = panel.node_text("w2_2")
    assert f"w2_2: {fmt(w2_old[1])} → {fmt(w2_new[1])}" in text
    names = MLPModel(H, "tanh").param_names(list(session.dataset.feature_names))
    for c, column in enumerate(panel.table_columns()):
        k = names.index(column.label)
        assert column.value == new[k]
        assert panel._table.item(3, c).text() == format_number(old[k])  # the "before" row


def test_a_wide_row_folds_its_inputs_and_keeps_every_unit_exact():
    from gdapp.ui.panels.graph import views_mlp

    rng = np.random.default_rng(3)
    d = 30
    x = rng.normal(size=d)
    model = MLPModel(H, "tanh")
    theta = rng.normal(scale=0.4, size=model.n_params(d))
    names = tuple(f"f{i}" for i in range(d))
    data = views_mlp.build_sample(x, 1.0, theta, names, None, model)
    inputs = [n.name for n in data.graph.nodes if n.name.startswith("x")]
    assert len(inputs) == 12
    assert data.graph.feature_names[-1].startswith("the other 19 features")
    W1, b1, w2, b2 = split(theta, H, d)
    A = W1 @ x + b1
    for j in range(H):
        assert data.graph.node(f"a{j + 1}").value == pytest.approx(A[j], abs=1e-12)
    assert data.graph.output.value == pytest.approx(loss(theta, x, 1.0, H, "tanh"), rel=1e-12)
    assert len(data.param_names) == model.n_params(12)


@pytest.mark.parametrize(
    ("activation", "slope"), [("tanh", "dL/dh2·(1 − h2²)"), ("relu", "dL/dh2·[a2 > 0]")]
)
def test_hidden_cards_tell_their_formula(qtbot, window, activation, slope):
    panel = use_mlp(qtbot, window, activation=activation)
    panel.displayed_values()
    nodes = panel._scene.nodes
    assert f"dL/da2 = {slope}" in nodes["a2"]._tooltip()
    assert "Σᵢ W1[2,i]·xᵢ + b1_2" in nodes["a2"]._tooltip()
    assert "dL/dh2 = w2_2(a − y)" in nodes["h2"]._tooltip()
    assert "dL/dx3 = Σⱼ W1[j,3]·dL/daⱼ" in nodes["x3"]._tooltip()
    assert f"h2 = {activation}(a2)" in panel.node_text("h2")


def test_the_hidden_layer_graph_exports_as_an_image(qtbot, window, tmp_path):
    from PySide6.QtGui import QImage

    panel = use_mlp(qtbot, window, hidden=16)
    written = panel.export_image(tmp_path / "hidden")
    image = QImage(str(written))
    assert written.suffix == ".png" and not image.isNull()
    assert image.width() > image.height() > 200


def test_sixteen_units_keep_the_drawn_four_until_another_clearly_overtakes():
    from gdapp.ui.panels.graph import views_mlp

    model = MLPModel(16, "tanh")
    x = np.ones(2)
    theta = np.zeros(model.n_params(2))
    W1, b1, w2, _ = split(theta, 16, 2)
    b1[:] = 0.5  # every h_j = tanh(0.5): the shares are w2_j tanh(0.5)
    w2[:] = 0.1
    w2[[0, 1, 2, 3]] = [1.0, 0.9, 0.8, 0.7]
    w2[9] = 0.75  # larger than unit 3's share, but by less than the margin
    assert views_mlp.drawn_units(model, theta, x) == [0, 1, 2, 9]
    assert views_mlp.drawn_units(model, theta, x, keep=[0, 1, 2, 3]) == [0, 1, 2, 3]
    w2[9] = 0.7 * 1.3
    assert views_mlp.drawn_units(model, theta, x, keep=[0, 1, 2, 3]) == [0, 1, 2, 9]


def test_the_graph_follows_a_run_and_the_chosen_patient(qtbot, window):
    panel = use_mlp(qtbot, window)
    session = window.controller
    session.set_speed(None)
    session.run()
    qtbot.waitUntil(
        lambda: session.last_snapshot is not None and session.last_snapshot.step_count >= 20,
        timeout=15000,
    )
    session.pause()
    qtbot.waitUntil(
        lambda: session.last_snapshot is not None and not session.last_snapshot.running,
        timeout=10000,
    )
    session.select_sample(11)
    theta = np.asarray(session.last_snapshot.theta, dtype=float)
    x, y = np.asarray(session.dataset.X[11], dtype=float), float(session.dataset.y[11])
    W1, b1, _, _ = split(theta, H)
    shown = panel.displayed_values()
    np.testing.assert_allclose(
        [shown[f"h{j}"].value for j in range(1, H + 1)], np.tanh(W1 @ x + b1), atol=1e-12
    )
    assert shown["L"].value == pytest.approx(loss(theta, x, y, H, "tanh"), rel=1e-10)
    assert f"step {session.last_snapshot.step_count}" in panel._caption_text()


def test_the_gradient_table_cuts_no_number_at_1024_by_768(qtbot, window):
    from PySide6.QtGui import QFontInfo
    from PySide6.QtWidgets import QTableWidget

    window.resize(1024, 768)
    panel = use_mlp(qtbot, window, view="batch")
    table = panel.findChild(QTableWidget, "gradientTable")
    qtbot.waitUntil(lambda: table.columnCount() > 0)
    assert QFontInfo(table.font()).pixelSize() >= 11
    metrics = table.fontMetrics()
    for c in range(table.columnCount()):
        for r in range(table.rowCount()):
            item = table.item(r, c)
            if item is None or table.isRowHidden(r):
                continue
            # The column is at least as wide as the cell's text and its margins.
            assert table.columnWidth(c) >= metrics.horizontalAdvance(item.text()), (r, c)
