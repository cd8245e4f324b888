"""The computation-graph panel on a real controller, read through its accessors.

The panel is built on its own at a fixed size (a page of the main workspace at 1280×800 is
about 900×560), so these tests do not depend on the window's layout.

Numbers are checked against the post (the a, b, c example) and against plain numpy (the
logistic per-sample gradient x_i(σ(w·x + b) − y)); the nudge check against the nodes each
planted bug must affect.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontInfo, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QToolButton,
    QWidget,
)

from gdapp.core.models import LinearModel, LogisticModel
from gdapp.ui.panels.graph import GraphPanel, ViewState
from gdapp.ui.panels.graph.style import format_number

PAGE_SIZE = (900, 560)

FEATURES = 8
XS = [f"x{i}" for i in range(1, FEATURES + 1)]
WS = [f"w{i}" for i in range(1, FEATURES + 1)]
PS = [f"p{i}" for i in range(1, FEATURES + 1)]


@pytest.fixture
def app(qtbot, controller):
    """(panel, controller): a graph panel on the controller, shown at the workspace page size."""
    panel = GraphPanel(controller)
    qtbot.addWidget(panel)
    panel.resize(*PAGE_SIZE)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: controller.last_snapshot is not None, timeout=5000)
    yield panel, controller
    controller.shutdown()


def step_and_wait(qtbot, ctrl, n: int = 1):
    target = ctrl.last_snapshot.step_count + n
    ctrl.step(n)
    qtbot.waitUntil(
        lambda: ctrl.last_snapshot is not None and ctrl.last_snapshot.step_count == target,
        timeout=5000,
    )
    return ctrl.last_snapshot


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def flagged(panel) -> set[str]:
    panel.wait_for_nudge()
    return {name for name, node in panel.displayed_values().items() if node.agrees is False}


# -- the post's example --------------------------------------------------------------------


def test_example_view_shows_the_posts_numbers(app):
    panel, _ = app
    panel.set_view("example")
    shown = panel.displayed_values()
    assert {n: shown[n].value for n in "abcuvJ"} == {
        "a": 5,
        "b": 3,
        "c": 2,
        "u": 6,
        "v": 11,
        "J": 33,
    }
    assert {n: shown[n].grad for n in "abcuvJ"} == {
        "a": 3,
        "b": 6,
        "c": 9,
        "u": 3,
        "v": 3,
        "J": 1,
    }
    assert "u = bc = 6" in panel.node_text("u")
    assert "J = 3v = 33" in panel.node_text("J")
    assert "= 9" in panel.node_text("c")


def test_editing_an_input_updates_every_number(app, qtbot):
    panel, _ = app
    panel.set_view("example")
    panel.set_example_inputs(6.0, 3.0, 2.0)
    assert panel.displayed_values()["J"].value == 36
    box = panel.findChild(QDoubleSpinBox, "exampleB")
    box.setValue(4.0)  # as typing in the box does: u = 8, v = 14, J = 42, dJ/dc = 3b = 12
    shown = panel.displayed_values()
    assert (shown["u"].value, shown["v"].value, shown["J"].value) == (8, 14, 42)
    assert shown["c"].grad == 12
    assert "J = 3v = 42" in panel.node_text("J")


# -- one sample ----------------------------------------------------------------------------


def test_sample_view_after_a_step_matches_the_per_sample_gradient(app, qtbot):
    panel, ctrl = app
    panel.set_view("sample")
    snapshot = step_and_wait(qtbot, ctrl)
    theta = snapshot.theta
    dataset = ctrl.dataset
    row = max(ctrl.selected_sample, 0)
    x, y = dataset.X[row], dataset.y[row]
    a = sigmoid(x @ theta[:-1] + theta[-1])
    shown = panel.displayed_values()
    np.testing.assert_allclose([shown[w].grad for w in WS], x * (a - y), rtol=1e-12)
    np.testing.assert_allclose(shown["b"].grad, a - y, rtol=1e-12)
    np.testing.assert_allclose([shown[w].value for w in WS], theta[:-1])
    reference = LogisticModel().per_sample_grad(theta, x, y)
    np.testing.assert_allclose([shown[n].grad for n in (*WS, "b")], reference, rtol=1e-10)
    assert shown["a"].value == pytest.approx(a)
    assert shown["z"].grad == pytest.approx(a - y)
    assert shown["a"].grad == pytest.approx(-y / a + (1 - y) / (1 - a))
    assert "dL/dw1 = x1(a − y)" in panel.node_text("w1")
    assert "dL/dz = a − y" in panel.node_text("z")
    assert dataset.feature_names[0] in panel.node_text("x1")


def test_snapshots_update_the_cards_in_place(app, qtbot):
    panel, ctrl = app
    panel.set_view("sample")
    panel.displayed_values()
    items = dict(panel._scene.nodes)
    before = panel.displayed_values()["w3"].value
    step_and_wait(qtbot, ctrl, 3)
    after = panel.displayed_values()
    assert after["w3"].value == pytest.approx(ctrl.last_snapshot.theta[2])
    assert after["w3"].value != before
    assert panel._scene.nodes == items  # the same card objects, new numbers


def test_selecting_another_row_shows_that_row(app, qtbot):
    panel, ctrl = app
    panel.set_view("sample")
    dataset = ctrl.dataset
    np.testing.assert_allclose([panel.displayed_values()[x].value for x in XS], dataset.X[0])
    ctrl.select_sample(7)  # what a click on row 7 of the dataset browser sends
    qtbot.waitUntil(lambda: ctrl.selected_sample == 7)
    shown = panel.displayed_values()
    np.testing.assert_allclose([shown[x].value for x in XS], dataset.X[7])
    assert shown["y"].value == dataset.y[7]


# -- the batch -----------------------------------------------------------------------------


def test_batch_view_uses_the_latest_batch(app, qtbot):
    panel, ctrl = app
    ctrl.set_config(batch_size=32)
    qtbot.waitUntil(
        lambda: ctrl.last_snapshot is not None and ctrl.last_snapshot.config.batch_size == 32,
        timeout=5000,
    )
    panel.set_view("batch")
    snapshot = step_and_wait(qtbot, ctrl)
    X = ctrl.dataset.X_train[snapshot.last_batch]
    y = ctrl.dataset.y_train[snapshot.last_batch]
    w, b = snapshot.theta[:-1], snapshot.theta[-1]
    a = sigmoid(X @ w + b)
    shown = panel.displayed_values()
    assert shown["X"].value.shape == (32, FEATURES)
    np.testing.assert_allclose(shown["w"].grad, X.T @ (a - y) / 32, rtol=1e-10)
    np.testing.assert_allclose(shown["b"].grad, np.mean(a - y), rtol=1e-10)
    table = panel.findChild(object, "gradientTable")
    assert table.isVisibleTo(panel)
    assert table.columnCount() == FEATURES + 1
    assert table.item(1, 0).text() == format_number(shown["w"].grad[0])


# -- the nudge check and planted bugs ------------------------------------------------------


@pytest.mark.parametrize("view", ["example", "sample", "batch"])
def test_nudge_check_agrees_everywhere_on_the_correct_graph(app, qtbot, view):
    panel, ctrl = app
    ctrl.set_config(batch_size=64)
    qtbot.waitUntil(
        lambda: ctrl.last_snapshot is not None and ctrl.last_snapshot.config.batch_size == 64,
        timeout=5000,
    )
    step_and_wait(qtbot, ctrl, 2)
    panel.set_view(view)
    panel.set_nudge(True, h=1e-3)
    panel.wait_for_nudge()
    shown = panel.displayed_values()
    assert all(node.numeric is not None for node in shown.values())
    assert flagged(panel) == set()
    if view == "example":
        assert shown["b"].numeric == pytest.approx(6, rel=1e-6)
        assert "nudge ≈ 6 ✓" in panel.node_text("b")


@pytest.mark.parametrize(
    ("view", "bug", "expected"),
    [
        ("sample", "drop_x", set(WS)),
        ("sample", "flip_sign", {*XS, *WS, *PS, "b", "z"}),
        ("batch", "drop_x", {"w"}),
        ("batch", "flip_sign", {"X", "w", "b", "z"}),
        ("batch", "forget_mean", {"X", "w", "b", "z", "a", "y", "L"}),
    ],
)
def test_each_planted_bug_is_flagged_exactly_where_it_acts(app, qtbot, view, bug, expected):
    panel, ctrl = app
    ctrl.set_config(batch_size=32)
    qtbot.waitUntil(
        lambda: ctrl.last_snapshot is not None and ctrl.last_snapshot.config.batch_size == 32,
        timeout=5000,
    )
    step_and_wait(qtbot, ctrl, 3)  # weights away from 0, so every derivative is non-zero
    panel.set_view(view)
    panel.set_bug(bug)
    assert panel.findChild(QComboBox, "nudgeToggle") is None
    assert panel.findChild(object, "nudgeToggle").isChecked()  # planting a bug turns it on
    assert flagged(panel) == expected
    panel.set_bug(None)
    assert flagged(panel) == set()


def test_bugs_that_do_not_apply_are_disabled_with_a_reason(app):
    panel, _ = app
    panel.set_view("sample")
    combo = panel.findChild(QComboBox, "bugSelector")
    item = combo.model().item(combo.findData("forget_mean"))
    assert not item.isEnabled()
    assert "batch view" in item.toolTip()
    with pytest.raises(ValueError, match="batch view"):
        panel.set_bug("forget_mean")
    panel.set_view("example")
    assert not combo.isEnabled()
    panel.set_view("batch")
    panel.set_bug("forget_mean")
    explanation = panel.findChild(object, "bugExplanation").text()
    assert "1/m" in explanation and "gradient check" in explanation
    panel.set_view("sample")  # the bug does not apply here, so it is lifted
    assert combo.currentData() == "none"


# -- animation, export, fit ----------------------------------------------------------------


def test_step_animation_walks_and_shows_each_update(app, qtbot):
    panel, ctrl = app
    panel.set_view("sample")
    old = ctrl.last_snapshot.theta.copy()
    panel.set_animate(True)
    snapshot = step_and_wait(qtbot, ctrl)
    qtbot.waitUntil(lambda: panel.animation_running, timeout=2000)
    assert panel.node_text("L").split("\n")[1:] == ["= ?", "dL/dL = ?"]  # not reached yet
    qtbot.waitUntil(lambda: not panel.node_text("x1").startswith("x1 = ?"), timeout=3000)
    assert "dL/dx1 = ?" in panel.node_text("x1")  # forward pass: value shown, derivative not
    panel.skip_animation()
    assert not panel.animation_running
    shown = panel.displayed_values()
    np.testing.assert_allclose([shown[w].value for w in WS], snapshot.theta[:-1])
    text = panel.node_text("w1")
    assert "→" in text
    assert f"w1: {old[0]:.4g}".replace("-", "−") in text


def test_export_writes_a_png(app, tmp_path):
    panel, _ = app
    panel.set_view("sample")
    path = panel.export_image(tmp_path / "graph")
    assert path.suffix == ".png" and path.stat().st_size > 0
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 500


def test_eight_feature_graph_at_dock_size_reads_at_11_px_and_fit_shows_it_whole(app, qtbot):
    _, ctrl = app
    panel = GraphPanel(ctrl)
    qtbot.addWidget(panel)
    panel.resize(700, 520)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_view("sample")
    panel.displayed_values()
    view = panel.graph_view
    assert panel.min_text_px() >= 11.0 - 1e-9
    view.fit_whole()
    viewport = view.viewport().rect()
    shown = view.mapFromScene(view.scene().sceneRect()).boundingRect()
    assert viewport.contains(shown)
    assert not view.horizontalScrollBar().isVisible()
    assert not view.verticalScrollBar().isVisible()
    assert view.zoom >= 0.8  # whole, the 12 px card text stays at least 9.6 px on screen
    panel.set_view("example")
    panel.set_view("sample")
    assert view.mapFromScene(view.scene().sceneRect()).boundingRect().height() <= viewport.height()


def test_edges_tell_their_local_derivative_and_the_bugged_one_is_marked(app):
    panel, _ = app
    panel.set_view("example")
    panel.displayed_values()
    tips = {(e.parent_item.name, e.child_item.name): e.toolTip() for e in panel._scene.edges}
    assert "du/db = c = 2" in tips[("b", "u")]
    assert "dJ/dv = 3" in tips[("v", "J")]
    panel.set_view("sample")
    panel.set_bug("flip_sign")
    panel.displayed_values()
    bugged = {(e.parent_item.name, e.child_item.name) for e in panel._scene.edges if e.bugged}
    assert bugged == {("z", "a")}


def test_zoom_buttons_and_fit(app, qtbot):
    panel, _ = app
    panel.set_view("sample")
    panel.displayed_values()
    view = panel.graph_view
    fitted = view.zoom
    qtbot.mouseClick(panel.findChild(QToolButton, "zoomInButton"), Qt.MouseButton.LeftButton)
    assert view.zoom == pytest.approx(fitted * 1.25)
    assert not view.auto_fit
    qtbot.mouseClick(panel.findChild(QToolButton, "fitButton"), Qt.MouseButton.LeftButton)
    assert view.zoom == pytest.approx(fitted) and view.auto_fit


def test_view_and_animation_options_are_remembered(app, qtbot):
    panel, ctrl = app
    panel.set_view("batch")
    panel.set_animate(True)
    panel.set_nudge(True, h=1e-4)
    panel.set_bug("drop_x")
    again = GraphPanel(ctrl)
    qtbot.addWidget(again)
    assert again.current_view() == "batch"
    assert again.findChild(object, "animateToggle").isChecked()
    assert again.findChild(object, "nudgeStep").value() == pytest.approx(1e-4)
    assert not again.findChild(object, "nudgeToggle").isChecked()  # starts without a bug
    assert again.findChild(QComboBox, "bugSelector").currentData() == "none"


def test_full_batch_nudge_check_runs_in_the_background(app, qtbot):
    panel, ctrl = app  # the default configuration trains on the full batch
    panel.set_view("batch")
    assert panel.displayed_values()["X"].value.shape[0] == len(ctrl.dataset.train_idx)
    panel.set_nudge(True)
    assert "nudge: checking…" in panel.node_text("w")  # the window stays responsive
    panel.wait_for_nudge()
    shown = panel.displayed_values()
    assert all(node.agrees for node in shown.values())
    assert "nudge: all agree ✓" in panel.node_text("w")


def test_a_background_nudge_check_waits_while_the_panel_is_hidden(app, qtbot):
    panel, ctrl = app
    panel.set_view("batch")  # the full batch: checked in slices, over a second or two
    panel.set_nudge(True)
    runner = panel._nudger
    qtbot.waitUntil(lambda: runner._job is not None)
    panel.hide()  # another page in front: nobody sees the check
    job = runner._job
    qtbot.wait(300)
    assert runner._job is job and not runner._timer.isActive()  # no slice while hidden
    assert "nudge: checking…" in panel.node_text("w")
    panel.show()
    qtbot.waitUntil(lambda: "nudge: all agree ✓" in panel.node_text("w"), timeout=20_000)
    assert all(node.agrees for node in panel.displayed_values().values())


def test_a_hidden_panel_catches_up_when_shown(app, qtbot):
    panel, ctrl = app
    panel.set_view("sample")
    panel.displayed_values()
    panel.hide()
    snapshot = step_and_wait(qtbot, ctrl, 2)
    qtbot.wait(20)
    assert panel._stale  # the update waited
    panel.show()
    qtbot.waitUntil(lambda: not panel._stale)
    shown = {w: panel._scene.nodes[w].numbers.value for w in WS}
    np.testing.assert_allclose(list(shown.values()), snapshot.theta[:-1])


def test_a_covered_panel_waits_and_catches_up_when_uncovered(controller, qtbot):
    # As a page or dock tab behind another: shown, but with nothing of it on screen.
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(*PAGE_SIZE)
    panel = GraphPanel(controller, host)
    panel.setGeometry(0, 0, *PAGE_SIZE)
    cover = QWidget(host)
    cover.setAutoFillBackground(True)
    cover.setGeometry(0, 0, *PAGE_SIZE)
    host.show()
    qtbot.waitExposed(host)
    qtbot.waitUntil(lambda: controller.last_snapshot is not None, timeout=5000)
    panel.set_view("sample")
    panel.displayed_values()
    cover.raise_()
    qtbot.waitUntil(lambda: panel.visibleRegion().isEmpty())
    assert panel.isVisible()
    snapshot = step_and_wait(qtbot, controller, 2)
    qtbot.wait(20)
    assert panel._stale  # a run behind another page costs the graph nothing
    cover.hide()
    panel.catch_up()  # what the window calls when the page comes to the front
    qtbot.waitUntil(lambda: not panel._stale)
    shown = {w: panel._scene.nodes[w].numbers.value for w in WS}
    np.testing.assert_allclose(list(shown.values()), snapshot.theta[:-1])


# -- readable at the workspace page size ------------------------------------------------------


def shown_panel(qtbot, ctrl, size):
    panel = GraphPanel(ctrl)
    qtbot.addWidget(panel)
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def fits_without_scrolling(panel) -> bool:
    view = panel.graph_view
    shown = view.mapFromScene(view.scene().sceneRect()).boundingRect()
    return (
        view.viewport().rect().contains(shown)
        and not view.horizontalScrollBar().isVisible()
        and not view.verticalScrollBar().isVisible()
    )


def text_px_by_hand(panel) -> float:
    """Font pixel size × the view's scale, for every card, from the cards themselves."""
    zoom = panel.graph_view.transform().m11()
    return min(item.smallest_text_px() for item in panel._scene.nodes.values()) * zoom


@pytest.mark.parametrize("nudge", [False, True])
@pytest.mark.parametrize("view", ["example", "sample", "batch"])
def test_every_node_reads_at_11_px_on_a_900_by_560_page(controller, qtbot, view, nudge):
    ctrl = controller
    qtbot.waitUntil(lambda: ctrl.last_snapshot is not None, timeout=5000)
    ctrl.set_config(batch_size=32)
    step_and_wait(qtbot, ctrl)
    panel = shown_panel(qtbot, ctrl, PAGE_SIZE)
    panel.set_view(view)
    panel.set_nudge(nudge)
    panel.wait_for_nudge()
    assert panel.min_text_px() >= 11.0
    assert panel.min_text_px() == pytest.approx(text_px_by_hand(panel))
    assert fits_without_scrolling(panel)
    assert not panel.findChild(QLabel, "graphSmallHint").isVisible()


@pytest.mark.parametrize("view", ["example", "sample", "batch"])
def test_a_700_by_480_page_keeps_the_text_readable_and_fit_shows_it_all(controller, qtbot, view):
    ctrl = controller
    qtbot.waitUntil(lambda: ctrl.last_snapshot is not None, timeout=5000)
    panel = shown_panel(qtbot, ctrl, (700, 480))
    panel.set_view(view)
    panel.set_nudge(True)
    panel.wait_for_nudge()
    canvas = panel.graph_view
    hint = panel.findChild(QLabel, "graphSmallHint")
    # Fitting never takes the text below 11 px: a graph too wide for that is cut, with
    # scroll bars, from its inputs on, and a line says how to see the rest.
    assert panel.min_text_px() >= 11.0 - 1e-9
    assert panel.min_text_px() == pytest.approx(text_px_by_hand(panel))
    if canvas.cut_to_read:
        assert not fits_without_scrolling(panel)
        assert hint.isVisible() and "Fit" in hint.text()
        left = canvas.mapFromScene(canvas.scene().sceneRect().topLeft()).x()
        assert 0 <= left <= 4  # the inputs' edge is in view
        readable = panel.min_text_px()
        qtbot.mouseClick(panel.findChild(QAbstractButton, "fitButton"), Qt.MouseButton.LeftButton)
        assert fits_without_scrolling(panel)
        assert panel.min_text_px() < readable  # whole, at a smaller size
        panel.set_view("example" if view != "example" else "sample")
        panel.set_view(view)  # a change of view fits readably again
        qtbot.waitUntil(lambda: canvas.cut_to_read)
        assert panel.min_text_px() >= 11.0 - 1e-9
    else:
        assert fits_without_scrolling(panel)
        assert not hint.isVisible()


def test_card_text_follows_the_widget_font(app, qtbot):
    panel, _ = app
    panel.set_view("example")
    before = panel.min_text_px()
    px = QFontInfo(panel.font()).pixelSize()
    assert {item.px for item in panel._scene.nodes.values()} == {px}
    width = panel._scene.nodes["u"].width
    font = QFont(panel.font())
    font.setPixelSize(2 * px)  # a classroom zoom of every text in the window
    panel.setFont(font)  # delivers QEvent.FontChange
    assert {item.px for item in panel._scene.nodes.values()} == {2 * px}
    assert panel._scene.nodes["u"].width > 1.8 * width  # measured and laid out anew
    panel.resize(2 * PAGE_SIZE[0], 2 * PAGE_SIZE[1])  # the page grows with its text
    qtbot.waitUntil(lambda: panel.min_text_px() > 1.8 * before)
    assert fits_without_scrolling(panel)
    assert panel.displayed_values()["J"].value == 33
    panel.grab().save("/tmp/graph-example-font-x2-1800x1120.png")


def test_the_colour_key_says_what_it_encodes(app):
    panel, _ = app
    panel.set_view("sample")
    panel.displayed_values()
    legend = panel.findChild(QWidget, "graphLegend")
    assert legend.caption().startswith("Colour = dL/d(node): red")
    assert "raising it raises L" in legend.caption() and "lowers L" in legend.caption()
    panel.set_view("batch")
    panel.displayed_values()
    assert "raises J" in legend.caption()


def test_batch_title_names_the_mini_batch_and_the_full_batch_loss(app, qtbot):
    panel, ctrl = app
    ctrl.set_config(batch_size=32)
    panel.set_view("batch")
    snapshot = step_and_wait(qtbot, ctrl)
    X, y = ctrl.dataset.X_train, ctrl.dataset.y_train
    w, b = snapshot.theta[:-1], snapshot.theta[-1]
    a = sigmoid(X @ w + b)
    full = float(np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a))))  # every training row
    a_batch = sigmoid(X[snapshot.last_batch] @ w + b)
    y_batch = y[snapshot.last_batch]
    batch = float(np.mean(-(y_batch * np.log(a_batch) + (1 - y_batch) * np.log(1 - a_batch))))
    panel.displayed_values()  # the update the snapshot asked for, drawn now
    caption = panel.findChild(QLabel, "graphStatus").text()
    assert "mini-batch" in caption and "32 rows" in caption
    assert f"J = {format_number(batch)}" in caption
    assert f"all {len(y)} training rows ({format_number(full)})" in caption


# -- the graph follows the model -----------------------------------------------------------


def use_linear_model(qtbot, ctrl):
    ctrl.set_config(model="linear")
    qtbot.waitUntil(
        lambda: ctrl.last_snapshot is not None and ctrl.last_snapshot.config.model == "linear",
        timeout=5000,
    )
    return step_and_wait(qtbot, ctrl, 2)


def test_linear_model_graph_shows_the_trainers_squared_error(app, qtbot):
    panel, ctrl = app
    snapshot = use_linear_model(qtbot, ctrl)
    panel.set_view("sample")
    theta, dataset = snapshot.theta, ctrl.dataset
    ctrl.select_sample(5)
    qtbot.waitUntil(lambda: ctrl.selected_sample == 5)
    x, y = dataset.X[5], dataset.y[5]
    z = float(x @ theta[:-1] + theta[-1])
    shown = panel.displayed_values()
    assert "a" not in shown
    assert shown["yhat"].value == pytest.approx(z, rel=1e-12)
    assert shown["L"].value == pytest.approx((z - y) ** 2, rel=1e-12)  # the trainer's, no 1/2
    np.testing.assert_allclose([shown[w].grad for w in WS], 2 * x * (z - y), rtol=1e-10)
    assert "L = (ŷ − y)²" in panel.node_text("L")
    assert "dL/dŷ = 2(ŷ − y)" in panel.node_text("yhat")
    assert "dL/dw1 = 2x1(ŷ − y)" in panel.node_text("w1")
    # The batch view's J is the trainer's loss: the mean squared error over the batch rows.
    panel.set_view("batch")
    X, Y = dataset.X_train[snapshot.last_batch], dataset.y_train[snapshot.last_batch]
    mse = float(np.mean((X @ theta[:-1] + theta[-1] - Y) ** 2))
    assert panel.displayed_values()["J"].value == pytest.approx(mse, rel=1e-12)
    # ... and the trainer's own convention for that loss (no 1/2, a mean over rows).
    assert LinearModel().loss(theta, X, Y) == pytest.approx(mse, rel=1e-12)


# -- every combination is valid or cannot be chosen ----------------------------------------


def test_choosing_forget_the_mean_then_the_sample_view_lifts_the_bug(app, qtbot):
    panel, _ = app
    views = panel.findChild(QComboBox, "graphViewSelector")
    bugs = panel.findChild(QComboBox, "bugSelector")
    views.setCurrentIndex(views.findData("batch"))
    bugs.setCurrentIndex(bugs.findData("forget_mean"))
    assert panel.view_state().bug == "forget_mean"
    views.setCurrentIndex(views.findData("sample"))  # as a click on the combo does
    assert panel.view_state() == ViewState("sample", None, True, 1e-3, "two-sided")
    assert panel.displayed_values()["L"].agrees is True


@pytest.mark.parametrize("preset", ["diabetes", "diabetes-post"])
@pytest.mark.parametrize("model", ["logistic", "linear"])
def test_every_view_bug_nudge_and_model_combination(controller, qtbot, preset, model):
    ctrl = controller
    ctrl.load_preset(preset)
    ctrl.set_config(model=model, batch_size=16)
    qtbot.waitUntil(
        lambda: (
            ctrl.last_snapshot is not None
            and ctrl.last_snapshot.config.model == model
            and ctrl.dataset.source == preset
        ),
        timeout=5000,
    )
    step_and_wait(qtbot, ctrl, 2)
    panel = shown_panel(qtbot, ctrl, PAGE_SIZE)
    combo = panel.findChild(QComboBox, "bugSelector")
    for view in ("example", "sample", "batch"):
        panel.set_view(view)
        for bug in (None, "drop_x", "flip_sign", "forget_mean"):
            item = combo.model().item(combo.findData(bug or "none"))
            if bug not in panel.bug_names():
                assert not item.isEnabled() or not combo.isEnabled()
                with pytest.raises(ValueError):
                    panel.set_bug(bug)
                continue
            for nudge, kind in ((False, 0), (True, 0), (True, 1)):
                panel.set_bug(bug)
                panel.set_nudge(nudge)
                panel.findChild(QComboBox, "nudgeMethod").setCurrentIndex(kind)
                panel.wait_for_nudge()
                shown = panel.displayed_values()
                state = panel.view_state()
                assert (state.view, state.bug) == (view, bug)
                assert all(np.all(np.isfinite(node.value)) for node in shown.values())
                assert (shown[next(iter(shown))].numeric is not None) == state.nudge
                assert panel.min_text_px() > 0


# -- one loss everywhere -------------------------------------------------------------------


def test_landscape_graph_and_lesson_figure_agree_on_the_log_loss(controller, qtbot):
    from gdapp.core.graph_builders import build_batch_cost
    from gdapp.core.landscape import cost
    from gdapp.ui.lessons.figures import LossVsYhatFigure

    figure = LossVsYhatFigure(controller)
    qtbot.addWidget(figure)
    curves = {item.name(): item.getData() for item in figure._plot.listDataItems()}
    for label, name in ((1.0, "y = 1: −log ŷ"), (0.0, "y = 0: −log(1 − ŷ)")):
        y_hat, shown = curves[name]
        for k in range(0, len(y_hat), 37):
            # One row whose logit is the one behind ŷ: z = 1 · logit(ŷ) + 0.
            X = np.array([[np.log(y_hat[k]) - np.log1p(-y_hat[k])]])
            y = np.array([label])
            J = cost(X, y, np.array([1.0, 0.0]))
            graph = build_batch_cost(X, y, [1.0], 0.0).output.value
            assert graph == pytest.approx(J, rel=1e-12, abs=1e-12)
            assert shown[k] == pytest.approx(J, rel=1e-12, abs=1e-12)
            # ... and all three are the cross-entropy of ŷ itself.
            expected = -np.log(y_hat[k]) if label else -np.log1p(-y_hat[k])
            assert pytest.approx(expected, rel=1e-9) == J


def test_a_wide_row_draws_twelve_inputs_and_keeps_z_and_the_loss_exact(app, qtbot):
    from gdapp.datasets.dataset import from_arrays
    from gdapp.ui.panels.graph.views import MAX_GRAPH_FEATURES

    panel, ctrl = app
    rng = np.random.default_rng(3)
    dataset = from_arrays(rng.normal(size=(40, 500)), np.arange(40) % 2, test_fraction=0.0)
    ctrl.set_dataset(dataset)
    qtbot.waitUntil(lambda: ctrl.last_snapshot is not None)
    ctrl.select_sample(4)
    panel.set_view("sample")
    snapshot = step_and_wait(qtbot, ctrl, 2)
    qtbot.waitUntil(lambda: "z" in panel.displayed_values())
    shown = panel.displayed_values()
    assert sum(name.startswith("x") for name in shown) == MAX_GRAPH_FEATURES
    theta = snapshot.theta
    z = dataset.X[4] @ theta[:-1] + theta[-1]
    y = dataset.y[4]
    assert float(shown["z"].value) == pytest.approx(z, rel=1e-12, abs=1e-12)
    loss = np.logaddexp(0.0, z) - y * z
    assert float(shown["L"].value) == pytest.approx(loss, rel=1e-12)


def test_a_probability_that_rounds_to_one_shows_no_number_on_its_edge(app, qtbot):
    from gdapp.core.graph_builders import build_sample
    from gdapp.ui.panels.graph import text

    # z = 40: a = σ(40) is exactly 1.0 in float64, so dL/da = (1 − y)/(1 − a) has no value.
    graph = build_sample(np.array([1.0]), np.array([40.0]), 0.0, 0.0)
    assert graph.node("a").value == 1.0
    labels = text.edge_labels(graph, "sample", "logistic")
    assert labels[("a", "L")] == "dL/da = −y/a + (1 − y)/(1 − a)"
