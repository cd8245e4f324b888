"""The decision-boundary page in a real window: the line, the shading and the rings match the
model's maths, computed here from theta; held values move the line; it follows training.

Reference values come from the formulas: P(y = 1) = sigma(x . w + b) with the features off the
axes at their training means (computed here from the dataset), and the class is 1 where
x . w + b >= 0. The contour path is checked with a stand-in model whose 0.5 curve is a circle.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QWidget,
)
from support.windows import shown_window

from gdapp.datasets.dataset import from_arrays
from gdapp.lessons import LessonError
from gdapp.lessons.actions import validate_actions
from gdapp.ui.main_window import MainWindow
from gdapp.ui.panels import boundary
from gdapp.ui.view_state import PAGES, TARGET_PAGES, from_lesson_actions

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.fixture
def window(qtbot):
    window = shown_window(qtbot)
    window.lesson_panel.leave()
    window.show_page("boundary")
    yield window
    window.close()


def trained(qtbot, window, steps: int) -> np.ndarray:
    """Take ``steps`` more gradient steps; wait until the page shows them; return theta."""
    controller = window.controller
    target = controller.last_snapshot.step_count + steps
    controller.step(steps)
    qtbot.waitUntil(
        lambda: controller.last_snapshot.step_count == target and not controller.is_running,
        timeout=10_000,
    )
    return shown(qtbot, window)


def shown(qtbot, window) -> np.ndarray:
    """Wait until the page has drawn the latest snapshot's theta; return it."""
    panel = window.boundary_panel
    theta = window.controller.last_snapshot.theta
    qtbot.waitUntil(
        lambda: panel.drawn_theta is not None and np.array_equal(panel.drawn_theta, theta),
        timeout=5000,
    )
    return np.array(theta)


def full_rows(window, u, v, held=None):
    """Rows of d features: the axis features at (u, v), the others at ``held`` (or means)."""
    dataset = window.controller.dataset
    i, j = window.boundary_panel.features
    base = dataset.X_train.mean(axis=0) if held is None else np.asarray(held, dtype=float)
    rows = np.tile(base, (len(u), 1))
    rows[:, i], rows[:, j] = u, v
    return rows


def image_grid(panel):
    """The pixel centres of the shading in data units, from the image item's own geometry."""
    picture = panel.image.image
    rect = panel.image.mapRectToParent(panel.image.boundingRect())
    n_rows, n_cols = picture.shape
    xs = rect.left() + (np.arange(n_cols) + 0.5) * rect.width() / n_cols
    ys = rect.top() + (np.arange(n_rows) + 0.5) * rect.height() / n_rows
    return picture, xs, ys


def test_the_page_sits_after_the_landscape_and_the_figure_stays_last(window):
    assert PAGES.index("boundary") == PAGES.index("landscape") + 1
    assert PAGES[-1] == "figure"
    assert TARGET_PAGES["boundaryPlot"] == "boundary"
    action = window.page_actions["boundary"]
    assert action.shortcut().toString() == f"Ctrl+{PAGES.index('boundary') + 1}"
    assert window.workspace.tabText(PAGES.index("boundary")) == "Decision boundary"
    assert window.find_widget("boundaryPlot") is window.boundary_panel.plot


def test_the_line_is_exactly_where_sigma_is_one_half(qtbot, window):
    window.controller.set_config(lr=0.5)
    theta = trained(qtbot, window, 40)
    panel = window.boundary_panel
    assert panel.features == (0, 1)  # the first two features by default
    u, v = panel.boundary_curve.getData()
    assert len(u) == 2
    z = full_rows(window, u, v) @ theta[:-1] + theta[-1]
    np.testing.assert_allclose(sigmoid(z), 0.5, rtol=0, atol=1e-9)
    # The line runs from edge to edge of the shaded picture.
    _, xs, ys = image_grid(panel)
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    on_edge = np.isclose(u, xs[0] - dx / 2, atol=dx) | np.isclose(u, xs[-1] + dx / 2, atol=dx)
    on_edge |= np.isclose(v, ys[0] - dy / 2, atol=dy) | np.isclose(v, ys[-1] + dy / 2, atol=dy)
    assert on_edge.all()


def test_the_shading_is_the_model_probability_at_the_grid_points(qtbot, window):
    theta = trained(qtbot, window, 15)
    panel = window.boundary_panel
    picture, xs, ys = image_grid(panel)
    assert picture.shape[0] >= 100 and picture.shape[1] >= 100
    uu, vv = np.meshgrid(xs, ys)
    expected = sigmoid(full_rows(window, uu.ravel(), vv.ravel()) @ theta[:-1] + theta[-1])
    np.testing.assert_allclose(picture, expected.reshape(picture.shape), rtol=1e-9, atol=1e-12)
    assert tuple(panel.image.getLevels()) == (0.0, 1.0)
    color = panel.image.getColorMap().map(0.5, mode="qcolor")
    assert (color.red(), color.green(), color.blue()) == (255, 255, 255)  # 0.5 is neutral
    # The key beside the plot shows the same colours at the same values.
    key = panel.color_key
    assert key.isVisible() and key.title == "P(y=1)"
    for position, hex_color in zip(key.positions, key.colors, strict=True):
        shade = panel.image.getColorMap().map(position, mode="qcolor")
        assert shade.name() == hex_color


def test_rings_mark_exactly_the_rows_predicted_wrongly(qtbot, window):
    theta = trained(qtbot, window, 10)
    panel = window.boundary_panel
    dataset = window.controller.dataset
    X, y = dataset.X_train, dataset.y_train
    wrong = (X @ theta[:-1] + theta[-1] >= 0).astype(float) != y
    assert 0 < wrong.sum() < len(y)
    i, j = panel.features
    expected = sorted(zip(X[wrong, i], X[wrong, j], strict=True))
    rings = panel.wrong_points.getData()
    assert sorted(zip(*rings, strict=True)) == expected
    assert len(panel.negative_points.getData()[0]) == int((y == 0).sum())
    assert len(panel.positive_points.getData()[0]) == int((y == 1).sum())
    assert f"{int(wrong.sum()):,} of them predicted wrongly" in panel.note.text()


def test_a_held_value_moves_the_line_as_the_maths_says(qtbot, window):
    window.controller.set_config(lr=0.5)
    theta = trained(qtbot, window, 30)
    panel = window.boundary_panel
    means = window.controller.dataset.X_train.mean(axis=0)
    assert "held at their mean" in panel.held_line.text()
    before = np.column_stack(panel.boundary_curve.getData())
    panel.held_toggle.click()
    box = panel.findChild(QDoubleSpinBox, "boundaryHeld_2")
    assert box.isVisible() and box.value() == pytest.approx(means[2], abs=1e-3)
    box.setValue(round(means[2] + 1.0, 3))
    held = means.copy()
    held[2] = round(means[2] + 1.0, 3)
    qtbot.waitUntil(lambda: not np.allclose(panel.boundary_curve.getData()[0], before[:, 0]))
    u, v = panel.boundary_curve.getData()
    z = full_rows(window, u, v, held) @ theta[:-1] + theta[-1]
    np.testing.assert_allclose(sigmoid(z), 0.5, rtol=0, atol=1e-9)
    # The old line now sits at z = w_3 * (change in the held value), as z is linear in it.
    z_old = full_rows(window, before[:, 0], before[:, 1], held) @ theta[:-1] + theta[-1]
    np.testing.assert_allclose(z_old, theta[2] * (held[2] - means[2]), rtol=1e-9, atol=1e-12)
    assert "values you set" in panel.held_line.text()
    assert window.view_model.state.boundary_held[2] == pytest.approx(held[2])
    panel.findChild(QAbstractButton, "boundaryResetHeld").click()
    qtbot.waitUntil(lambda: np.allclose(panel.boundary_curve.getData()[0], before[:, 0]))
    assert window.view_model.state.boundary_held is None
    assert box.value() == pytest.approx(means[2], abs=1e-3)


def test_the_page_follows_training(qtbot, window):
    panel = window.boundary_panel
    window.controller.set_config(lr=0.5)
    first = trained(qtbot, window, 20)
    line = panel.boundary_curve.getData()
    count = panel.redraw_count
    theta = trained(qtbot, window, 40)
    assert not np.array_equal(theta, first)
    assert panel.redraw_count > count
    u, v = panel.boundary_curve.getData()
    assert not np.allclose(u, line[0]) or not np.allclose(v, line[1])
    z = full_rows(window, u, v) @ theta[:-1] + theta[-1]
    np.testing.assert_allclose(sigmoid(z), 0.5, rtol=0, atol=1e-9)


class Circle:
    """A nonlinear stand-in model: P(y = 1) = sigma(K (R^2 - |x_01 - C|^2)); theta unused."""

    R, K, C = 0.3, 12.0, np.array([0.1, 0.2])

    def predict_proba(self, theta, X):
        return sigmoid(self.K * (self.R**2 - ((X[:, :2] - self.C) ** 2).sum(axis=1)))


def test_any_model_with_predict_proba_gets_its_contour(qtbot, window, monkeypatch):
    monkeypatch.setattr(boundary, "session_model", lambda config: Circle())
    panel = window.boundary_panel
    trained(qtbot, window, 1)
    u, v = panel.boundary_curve.getData()
    _, xs, ys = image_grid(panel)
    step = max(xs[1] - xs[0], ys[1] - ys[0])
    radius = np.hypot(u - Circle.C[0], v - Circle.C[1])
    assert len(u) > 2 * np.pi * Circle.R / step  # one segment or more per grid cell crossed
    np.testing.assert_allclose(radius, Circle.R, atol=0.05 * step)
    rows = full_rows(window, u, v)
    # Within the grid's tolerance: P changes by at most its slope times a small fraction of a cell.
    slope = Circle.K * 2 * Circle.R / 4
    np.testing.assert_allclose(Circle().predict_proba(None, rows), 0.5, atol=slope * 0.05 * step)
    # Without a predict method, the rings are the rows whose P >= 0.5 disagrees with the label.
    dataset = window.controller.dataset
    X, y = dataset.X_train, dataset.y_train
    inside = ((X[:, :2] - Circle.C) ** 2).sum(axis=1) <= Circle.R**2
    wrong = inside.astype(float) != y
    assert sorted(zip(*panel.wrong_points.getData(), strict=True)) == sorted(
        zip(X[wrong, 0], X[wrong, 1], strict=True)
    )


def test_the_contour_of_a_saddle_pairs_its_crossings_by_the_centre():
    from gdapp.ui.panels.boundary_geometry import contour_segments

    xs = ys = np.array([0.0, 1.0])
    # Corners: bottom-left 1, bottom-right 0, top-left 0, top-right 1; centre 0.5 >= level.
    values = np.array([[1.0, 0.0], [0.0, 1.0]])
    segments = contour_segments(values, xs, ys, 0.5)
    ends = {tuple(sorted(map(tuple, np.round(s, 9)))) for s in segments}
    # The high diagonal is joined, so the two low corners are cut off.
    assert ends == {((0.5, 0.0), (1.0, 0.5)), ((0.0, 0.5), (0.5, 1.0))}


def test_picking_features_reaches_the_view_state_and_a_lesson_can_declare_them(qtbot, window):
    panel = window.boundary_panel
    x_combo = panel.findChild(QComboBox, "boundaryFeatureX")
    y_combo = panel.findChild(QComboBox, "boundaryFeatureY")
    y_combo.setCurrentIndex(5)
    assert panel.features == (0, 5)
    assert window.view_model.state.boundary_features == (0, 5)
    x_combo.setCurrentIndex(5)  # the same feature twice: the axes swap
    assert panel.features == (5, 0)
    names = window.controller.dataset.feature_names
    label = panel.plot.getPlotItem().getAxis("bottom").labelText
    assert names[5] in label

    actions = validate_actions({"boundary_features": [1, 7], "spotlight": "boundaryPlot"})
    state = from_lesson_actions(actions)
    assert state.page == "boundary" and state.boundary_features == (1, 7)
    window.show_lesson_view(state)
    assert panel.features == (1, 7)
    assert (x_combo.currentText(), y_combo.currentText()) == (names[1], names[7])
    with pytest.raises(LessonError, match="differ"):
        validate_actions({"boundary_features": [2, 2]})


def test_features_the_table_lacks_are_refused_and_the_view_state_corrected(qtbot, window):
    panel = window.boundary_panel
    window.view_model.update(boundary_features=(0, 99))
    qtbot.waitUntil(lambda: window.view_model.state.boundary_features is None)
    assert panel.features == (0, 1)


def test_a_large_table_draws_a_sample_and_says_so(qtbot, window):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100_000, 3))
    y = (X[:, 0] - X[:, 1] + rng.logistic(size=len(X)) > 0).astype(np.int8)
    window.controller.set_dataset(from_arrays(X, y, name="wide"))
    panel = window.boundary_panel
    qtbot.waitUntil(lambda: window.controller.last_snapshot is not None)
    theta = trained(qtbot, window, 3)
    n_train = len(window.controller.dataset.train_idx)
    drawn = len(panel.negative_points.getData()[0]) + len(panel.positive_points.getData()[0])
    assert drawn == len(panel.shown_rows) == boundary.MAX_SCATTER_POINTS
    assert f"{boundary.MAX_SCATTER_POINTS:,} of the {n_train:,} training rows" in panel.note.text()
    u, v = panel.boundary_curve.getData()
    z = full_rows(window, u, v) @ theta[:-1] + theta[-1]
    np.testing.assert_allclose(sigmoid(z), 0.5, rtol=0, atol=1e-9)


def test_a_one_feature_table_says_why_there_is_no_picture(qtbot, window):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 1))
    window.controller.set_dataset(from_arrays(X, (X[:, 0] > 0).astype(np.int8)))
    panel = window.boundary_panel
    assert "at least two features" in panel.note.text()
    assert not panel.findChild(QComboBox, "boundaryFeatureX").isEnabled()


def test_every_control_has_a_tooltip_and_the_page_explains_itself(qtbot, window):
    panel = window.boundary_panel
    panel.held_toggle.click()
    controls = [
        w
        for w in panel.findChildren(QWidget)
        if isinstance(w, QComboBox | QAbstractButton | QDoubleSpinBox) and w.isVisible()
    ]
    assert len(controls) >= 5
    assert [w.objectName() for w in controls if not w.toolTip()] == []
    explanation = panel.findChild(QLabel, "boundaryExplanation")
    assert explanation.isVisible() and "0.5" in explanation.text()
    assert "first two features" in explanation.text()  # the default axes, said on the page
    held_line = panel.findChild(QLabel, "boundaryHeldLine")
    assert held_line.isVisible() and held_line.text().startswith(
        "Other features held at their mean:"
    )


def test_the_held_line_names_the_values_set_first(qtbot, window):
    panel = window.boundary_panel
    names = window.controller.dataset.feature_names
    panel.held_toggle.click()
    panel.findChild(QDoubleSpinBox, f"boundaryHeld_{len(names) - 1}").setValue(0.75)
    text = panel.held_line.text()
    assert text.startswith(f"Other features held at the values you set: {names[-1]} 0.75,")
    assert f"and {len(names) - 2 - 4:,} more" in text  # two on the axes, four written out


def test_a_session_file_brings_the_page_back_as_it_was(qtbot, window, tmp_path):
    panel = window.boundary_panel
    window.controller.set_config(lr=0.5)
    theta = trained(qtbot, window, 60)
    panel.set_features(1, 5)
    panel.set_held_value(7, 0.4)
    before = window.view_model.state
    assert before.page == "boundary" and before.boundary_features == (1, 5)
    assert before.boundary_held[7] == 0.4
    path = tmp_path / "boundary.gdsession"
    window.save_session(path)
    window.close()

    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    qtbot.waitUntil(lambda: not again.sessions.is_replaying, timeout=20_000)
    with qtbot.waitSignal(again.session_ready, timeout=20_000) as ready:
        assert again.open_session(path)
    assert ready.args == [True]
    assert again.view_model.state == before
    shown_again = again.boundary_panel
    assert shown_again.features == (1, 5) and shown_again.held[7] == 0.4
    assert shown(qtbot, again).tobytes() == theta.tobytes()
    u, v = shown_again.boundary_curve.getData()
    held = np.array(before.boundary_held)
    rows = np.tile(held, (len(u), 1))
    rows[:, 1], rows[:, 5] = u, v
    np.testing.assert_allclose(sigmoid(rows @ theta[:-1] + theta[-1]), 0.5, rtol=0, atol=1e-9)
    again.close()


def test_the_line_is_cut_at_the_edges_of_the_picture_and_a_flat_model_has_none():
    from gdapp.ui.panels.boundary_geometry import axis_ranges, clip_line

    rect = (-1.0, 1.0, -2.0, 2.0)
    # u + v = 0 meets the edges u = -1 and u = 1 at v = 1 and v = -1.
    ends = clip_line(1.0, 1.0, 0.0, rect)
    assert sorted(map(tuple, ends)) == [(-1.0, 1.0), (1.0, -1.0)]
    # v = 1.5 (a = 0) runs across the whole width; u = 3 misses the picture.
    assert sorted(map(tuple, clip_line(0.0, 2.0, 3.0, rect))) == [(-1.0, 1.5), (1.0, 1.5)]
    assert clip_line(1.0, 0.0, 3.0, rect) is None
    assert clip_line(0.0, 0.0, 1.0, rect) is None  # both weights 0: P is the same everywhere
    ranges = axis_ranges(np.array([[0.0, 5.0], [10.0, 5.0]]))
    np.testing.assert_allclose(ranges, [[-0.8, 10.8], [4.5, 5.5]])  # 8 % padding; a constant


def test_a_narrower_table_after_the_form_was_used_takes_held_values(qtbot, window):
    panel = window.boundary_panel
    panel.held_toggle.click()
    assert panel.findChild(QDoubleSpinBox, "boundaryHeld_7") is not None
    panel.held_toggle.click()  # closed again, then a table of three features
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 3))
    window.controller.set_dataset(from_arrays(X, (X[:, 0] > X[:, 2]).astype(np.int8)))
    panel.set_held_value(2, 0.5)
    assert panel.held[2] == 0.5
    assert window.view_model.state.boundary_held == (*panel.held[:2], 0.5)
    panel.held_toggle.click()
    assert sorted(panel.held_form.boxes) == [2]
    assert panel.held_form.boxes[2].value() == 0.5


def test_a_wide_table_gets_a_coarser_grid_and_a_bounded_form(qtbot, window):
    from gdapp.ui.panels.boundary_geometry import MAX_GRID_ELEMENTS
    from gdapp.ui.panels.boundary_widgets import MAX_HELD_BOXES

    rng = np.random.default_rng(4)
    X = rng.normal(size=(400, 400))
    window.controller.set_dataset(from_arrays(X, (X[:, 0] + X[:, 1] > 0).astype(np.int8)))
    window.controller.set_config(lr=0.5)
    qtbot.waitUntil(lambda: window.controller.last_snapshot is not None)
    theta = trained(qtbot, window, 10)
    panel = window.boundary_panel
    picture, _, _ = image_grid(panel)
    assert picture.size * 400 <= MAX_GRID_ELEMENTS < (picture.shape[0] + 1) ** 2 * 400
    u, v = panel.boundary_curve.getData()
    z = full_rows(window, u, v) @ theta[:-1] + theta[-1]
    np.testing.assert_allclose(sigmoid(z), 0.5, rtol=0, atol=1e-9)
    panel.held_toggle.click()
    assert len(panel.held_form.boxes) == MAX_HELD_BOXES
    assert f"The other {398 - MAX_HELD_BOXES:,} features stay at their mean." in [
        label.text() for label in panel.held_form.findChildren(QLabel)
    ]
    assert "and 394 more" in panel.held_line.text()
    panel.set_held_value(3, 25.0)  # beyond the box's range: shown as it is
    assert panel.held_form.boxes[3].value() == 25.0


def mlp_probability(theta, X, h):
    """sigma(w2 . tanh(W1 x + b1) + b2), with theta laid out W1 (h, d), b1, w2, b2."""
    d = X.shape[1]
    W1 = theta[: h * d].reshape(h, d)
    b1, w2, b2 = theta[h * d : h * d + h], theta[h * d + h : h * d + 2 * h], theta[-1]
    return sigmoid(np.tanh(X @ W1.T + b1) @ w2 + b2)


def test_a_hidden_layers_boundary_is_its_grid_contour(qtbot, window):
    window.controller.set_config(model="mlp", hidden=4, activation="tanh", lr=0.5)
    theta = trained(qtbot, window, 60)
    panel = window.boundary_panel
    picture, xs, ys = image_grid(panel)
    grid_u, grid_v = np.meshgrid(xs, ys)
    expected = mlp_probability(theta, full_rows(window, grid_u.ravel(), grid_v.ravel()), 4)
    np.testing.assert_allclose(picture.ravel(), expected, rtol=0, atol=1e-12)
    u, v = panel.boundary_curve.getData()
    assert len(u) > 2  # a traced contour, not the two ends of a straight line
    p = mlp_probability(theta, full_rows(window, u, v), 4)
    # The contour is interpolated linearly inside each grid cell: close to 0.5, not exact.
    np.testing.assert_allclose(p, 0.5, atol=0.01)
