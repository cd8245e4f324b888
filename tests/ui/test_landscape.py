"""The landscape panel draws what the core computes: path = trainer history, J = log-loss."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from gdapp.core.trainer import Trainer
from gdapp.ui.panels.landscape import LandscapePanel

# The offscreen platform warns that it cannot size or raise a top-level window.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


def plain_log_loss(X, y, theta):
    z = X @ theta[:-1] + theta[-1]
    p = 1.0 / (1.0 + np.exp(-z))
    return float(np.mean(-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))))


@pytest.fixture
def controller(qtbot, controller):
    """The conftest's controller on the diabetes preset, once its first snapshot arrived."""
    qtbot.waitUntil(lambda: controller.last_snapshot is not None)
    return controller


@pytest.fixture
def panel(qtbot, controller):
    panel = LandscapePanel(controller)
    qtbot.addWidget(panel)
    panel.resize(640, 520)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def train(qtbot, controller, n):
    target = controller.last_snapshot.step_count + n
    controller.step(n)
    qtbot.waitUntil(lambda: controller.last_snapshot.step_count == target)


def test_parameter_choosers_name_every_feature_and_the_bias(panel, controller):
    combo = panel.findChild(type(panel._x_combo), "landscapeXCombo")
    names = [combo.itemText(k) for k in range(combo.count())]
    assert len(names) == controller.dataset.X.shape[1] + 1
    assert names[0].startswith("w1 (") and names[-1] == "b (bias)"


def test_contour_path_equals_an_independent_trainer_run(qtbot, panel, controller):
    controller.set_config(lr=0.5)
    panel.configure(mode="contour", params=[1, 5])
    train(qtbot, controller, 40)
    dataset = controller.dataset
    reference = Trainer(dataset.X_train, dataset.y_train, config=controller.config)
    reference.run(40)
    np.testing.assert_array_equal(panel.path, reference.history.theta)
    # The drawn path follows at the redraw rate.
    qtbot.waitUntil(lambda: len(panel._path_item.getData()[0]) == 41)
    xs, ys = panel._path_item.getData()
    np.testing.assert_array_equal(xs, reference.history.theta[:, 1])
    np.testing.assert_array_equal(ys, reference.history.theta[:, 5])
    # A step back truncates the path to the trainer's history again.
    controller.step_back()
    qtbot.waitUntil(lambda: controller.last_snapshot.step_count == 39)
    np.testing.assert_array_equal(panel.path, reference.history.theta[:40])


def test_grid_values_equal_plain_numpy_log_loss(qtbot, panel, controller):
    train(qtbot, controller, 5)
    panel.configure(mode="contour", params=[0, 8])
    u, v, grid = panel.grid
    assert grid.shape == (len(v), len(u)) and len(u) >= 60
    dataset = controller.dataset
    theta = controller.last_snapshot.theta
    for r, c in [(0, 0), (len(v) - 1, len(u) - 1), (17, 40), (50, 3)]:
        point = theta.copy()
        point[0], point[8] = u[c], v[r]
        expected = plain_log_loss(dataset.X_train, dataset.y_train, point)
        assert grid[r, c] == pytest.approx(expected, rel=1e-10)


def test_hovering_the_contour_reads_j_at_the_cursor(qtbot, panel, controller):
    panel.configure(mode="contour", params=[1, 5])
    qtbot.wait(50)  # let the view apply its new range before mapping coordinates
    plot = panel._contour_plot
    widget_pos = plot.mapFromScene(plot.getViewBox().mapViewToScene(QPointF(0.7, -0.4)))
    seen = []
    panel.hovered.connect(lambda *args: seen.append(args))
    QTest.mouseMove(plot.viewport(), widget_pos)
    qtbot.waitUntil(lambda: len(seen) >= 1)
    a, b, value = seen[-1]
    assert a == pytest.approx(0.7, abs=0.05) and b == pytest.approx(-0.4, abs=0.05)
    point = controller.last_snapshot.theta.copy()
    point[1], point[5] = a, b
    dataset = controller.dataset
    expected = plain_log_loss(dataset.X_train, dataset.y_train, point)
    assert value == pytest.approx(expected, rel=1e-12)
    assert f"{value:.6g}" in panel.findChild(type(panel._readout), "landscapeReadout").text()


def test_slice_marks_the_current_point_on_the_curve(qtbot, panel, controller):
    controller.set_config(lr=1.0)
    panel.configure(mode="slice", params=[1])
    train(qtbot, controller, 12)
    panel.refresh()
    theta = controller.last_snapshot.theta
    dataset = controller.dataset
    xs, ys = panel._slice_point.getData()
    assert xs[0] == theta[1]
    expected = plain_log_loss(dataset.X_train, dataset.y_train, theta)
    assert ys[0] == pytest.approx(expected, rel=1e-12)
    curve_x, curve_y = panel._slice_curve.getData()
    assert curve_x[0] < theta[1] < curve_x[-1]
    assert np.interp(theta[1], curve_x, curve_y) == pytest.approx(ys[0], rel=1e-3)


def test_overlaid_runs_start_together_and_follow_the_core_trainer(panel, controller):
    panel.configure(
        mode="contour",
        params=[1, 5],
        overlay=[{"optimizer": "momentum", "lr": 0.5}, {"optimizer": "adam", "lr": 0.05}],
    )
    runs = panel.overlays
    assert [run.label for run in runs] == ["momentum, lr 0.5", "adam, lr 0.05"]
    dataset = controller.dataset
    for run in runs:
        config = dataclasses.replace(controller.config, optimizer=run.optimizer, lr=run.lr)
        reference = Trainer(dataset.X_train, dataset.y_train, config=config)
        reference.run(run.steps)
        np.testing.assert_allclose(run.path, reference.history.theta, rtol=0, atol=1e-12)
    legend = panel.legend_labels()
    assert "momentum, lr 0.5" in legend and "adam, lr 0.05" in legend
    key = panel.findChild(type(panel._readout), "landscapeKey").text()
    assert "adam,&nbsp;lr&nbsp;0.05" in key
    panel.clear_overlays()
    assert panel.overlays == ()
    assert "adam, lr 0.05" not in panel.legend_labels()


def test_clicking_the_contour_sets_the_start(qtbot, panel, controller):
    panel.configure(mode="contour", params=[1, 5], overlay=[{"optimizer": "gd", "lr": 0.5}])
    qtbot.wait(50)
    plot = panel._contour_plot
    scene_pos = plot.getViewBox().mapViewToScene(QPointF(0.5, 1.5))
    QTest.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=plot.mapFromScene(scene_pos))
    qtbot.waitUntil(lambda: panel.start is not None)
    start = panel.start
    assert start[1] == pytest.approx(0.5, abs=0.05) and start[5] == pytest.approx(1.5, abs=0.05)
    np.testing.assert_array_equal(panel.overlays[0].path[0], start)


def test_grid_is_recomputed_only_when_something_changed(qtbot, panel, controller):
    panel.configure(mode="contour", params=[1, 5])
    first = panel.grid[2]
    panel.refresh()
    assert panel.grid[2] is first  # nothing moved: no new evaluation
    panel.set_params([2, 5])
    panel.refresh()
    assert panel.grid[2] is not first


def test_a_new_dataset_clears_the_path(qtbot, panel, controller):
    train(qtbot, controller, 3)
    assert len(panel.path) == 4
    controller.load_preset("diabetes-post")
    qtbot.waitUntil(lambda: len(panel.path) == 1)
    assert panel.path.shape[1] == controller.dataset.X.shape[1] + 1


def test_setting_a_start_restarts_the_main_run_there_and_clearing_it_goes_back(
    qtbot, panel, controller
):
    train(qtbot, controller, 3)
    d = controller.dataset.X.shape[1]
    start = np.linspace(-1.0, 1.0, d + 1)
    panel.set_start(start)
    qtbot.waitUntil(lambda: controller.last_snapshot.step_count == 0)
    np.testing.assert_array_equal(controller.last_snapshot.theta, start)
    train(qtbot, controller, 5)
    dataset = controller.dataset
    reference = Trainer(dataset.X_train, dataset.y_train, config=controller.config, theta0=start)
    reference.run(5)
    np.testing.assert_array_equal(controller.last_snapshot.theta, reference.theta)
    controller.reset()  # a plain reset keeps the chosen start
    qtbot.waitUntil(lambda: controller.last_snapshot.step_count == 0)
    np.testing.assert_array_equal(controller.last_snapshot.theta, start)
    panel.clear_start()
    qtbot.waitUntil(
        lambda: (
            controller.last_snapshot.step_count == 0 and not controller.last_snapshot.theta.any()
        )
    )
    assert controller.config.init == "zeros"
