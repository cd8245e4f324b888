"""The landscape panel draws what the core computes, off the GUI thread.

Path = the trainer's history = an independent replay; J = log-loss written out in numpy;
nothing is computed while the panel is hidden; the event loop keeps ticking while a large
dataset's contour is computed; the state API round-trips and reports only the learner's edits.
"""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QPushButton

from gdapp.core import landscape
from gdapp.core.replay import replay
from gdapp.datasets.dataset import from_arrays
from gdapp.ui.panels.landscape import LandscapePanel, LandscapeState, jobs, worker

# The offscreen platform warns that it cannot size or raise a top-level window.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")

LARGE_ROWS = 300_000
TICK_MS = 10


def plain_log_loss(X, y, theta, l2=0.0):
    z = X @ theta[:-1] + theta[-1]
    p = 1.0 / (1.0 + np.exp(-z))
    data_term = np.mean(-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))
    return float(data_term) + 0.5 * l2 * float(theta[:-1] @ theta[:-1])


def built_dataset(n: int, d: int = 8, seed: int = 0):
    """A labelled table made here with numpy, assembled (split, scaled) as the presets are."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, size=d)
    w = rng.normal(size=d)
    labels = (values @ w + rng.logistic(size=n) > 0).astype(np.int8)
    return from_arrays(values, labels, name="built", seed=seed)


@pytest.fixture
def controller(qtbot, controller):
    """The conftest's controller on the diabetes preset, once its first snapshot arrived."""
    qtbot.waitUntil(lambda: controller.last_snapshot is not None)
    return controller


@pytest.fixture
def make_panel(qtbot, controller):
    """Builds panels (shown unless asked not to); at the end, every worker thread is joined."""
    made = []

    def make(show: bool = True) -> LandscapePanel:
        panel = LandscapePanel(controller)
        qtbot.addWidget(panel)
        made.append(panel)
        panel.resize(640, 520)
        if show:
            panel.show()
            qtbot.waitExposed(panel)
            qtbot.waitUntil(lambda: len(panel.path) >= 1)  # the snapshot the panel asked for
            assert panel.wait_until_idle()
        return panel

    yield make
    for panel in made:
        panel.shutdown()
        assert not panel.worker_running
    assert worker.running_threads() == 0, "a landscape worker thread is still running"


@pytest.fixture
def panel(make_panel):
    return make_panel()


def train(qtbot, controller, n):
    target = controller.last_snapshot.step_count + n
    controller.step(n)
    qtbot.waitUntil(
        lambda: (
            controller.last_snapshot is not None and controller.last_snapshot.step_count == target
        )
    )


def test_parameter_choosers_name_every_feature_and_the_bias(panel, controller):
    combo = panel.findChild(QComboBox, "landscapeXCombo")
    names = [combo.itemText(k) for k in range(combo.count())]
    assert len(names) == controller.dataset.X.shape[1] + 1
    assert names[0].startswith("w1 (") and names[-1] == "b (bias)"


def test_contour_path_equals_an_independent_replay(qtbot, panel, controller):
    controller.set_config(lr=0.5)
    panel.configure(mode="contour", params=[1, 5])
    train(qtbot, controller, 25)
    controller.set_config(lr=0.2)
    train(qtbot, controller, 15)
    dataset = controller.dataset
    reference = replay(
        dataset.X_train, dataset.y_train, controller.config, None, 40, [(1, 0.5), (26, 0.2)]
    ).theta
    np.testing.assert_array_equal(panel.path, reference)
    # The drawn path follows at the redraw rate.
    assert panel.wait_until_idle()
    xs, ys = panel._plots.path_item.getData()
    np.testing.assert_array_equal(xs, reference[:, 1])
    np.testing.assert_array_equal(ys, reference[:, 5])
    # A step back truncates the path to the trainer's history again.
    controller.step_back()
    qtbot.waitUntil(
        lambda: controller.last_snapshot is not None and controller.last_snapshot.step_count == 39
    )
    np.testing.assert_array_equal(panel.path, reference[:40])


def test_grid_values_equal_plain_numpy_log_loss(qtbot, panel, controller):
    controller.set_config(l2=0.05)
    train(qtbot, controller, 5)
    panel.configure(mode="contour", params=[0, 8])
    assert panel.wait_until_idle()
    u, v, grid = panel.grid
    assert grid.shape == (len(v), len(u)) == (jobs.GRID_SIZE, jobs.GRID_SIZE)
    dataset = controller.dataset
    theta = controller.last_snapshot.theta
    for r, c in [(0, 0), (len(v) - 1, len(u) - 1), (17, 40), (50, 3)]:
        point = theta.copy()
        point[0], point[8] = u[c], v[r]
        expected = plain_log_loss(dataset.X_train, dataset.y_train, point, l2=0.05)
        assert grid[r, c] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("l2", [0.0, 0.4])
def test_grids_summed_over_row_blocks_equal_plain_numpy(monkeypatch, l2):
    monkeypatch.setattr(jobs, "BLOCK_ELEMENTS", 7 * 11 * 37)  # 37 rows a block: many blocks
    dataset = built_dataset(3001, d=4, seed=5)
    X, y = dataset.X_train, dataset.y_train
    theta = np.array([0.3, -0.8, 1.1, 0.2, -0.4])
    u, v = np.linspace(-3.0, 2.0, 11), np.linspace(-1.0, 3.0, 7)
    grid = jobs.grid_cost(X, y, theta, 1, 4, u, v, "logistic", l2, lambda: None)
    values = np.linspace(-2.0, 2.0, 9)
    curve = jobs.slice_cost(X, y, theta, 2, values, "logistic", l2, lambda: None)
    for r, c in [(0, 0), (6, 10), (3, 5)]:
        point = theta.copy()
        point[1], point[4] = u[c], v[r]
        assert grid[r, c] == pytest.approx(plain_log_loss(X, y, point, l2), rel=1e-12)
    for g in (0, 4, 8):
        point = theta.copy()
        point[2] = values[g]
        assert curve[g] == pytest.approx(plain_log_loss(X, y, point, l2), rel=1e-12)


def test_iso_lines_of_a_plane_are_exact_and_cover_the_whole_line():
    x, y = np.linspace(-2.0, 2.0, 41), np.linspace(-1.0, 3.0, 23)
    Z = x[None, :] + 2.0 * y[:, None]  # linear: the traced line is exact
    xs, ys = jobs.iso_segments(Z, x, y, [1.3])
    np.testing.assert_allclose(xs + 2.0 * ys, 1.3, rtol=0, atol=1e-12)
    length = np.hypot(np.diff(xs)[::2], np.diff(ys)[::2]).sum()
    # x + 2y = 1.3 crosses the box from (-2, 1.65) to (2, -0.35): length sqrt(4^2 + 2^2).
    assert length == pytest.approx(np.hypot(4.0, 2.0), rel=1e-12)


def test_iso_lines_through_saddles_keep_the_two_branches_apart():
    x, y = np.linspace(-1.05, 0.95, 21), np.linspace(-0.97, 1.03, 19)
    Z = x[None, :] * y[:, None]  # bilinear: exact on every edge, saddle cells at the centre
    for level in (0.001, -0.001):  # the centre cell has corners on both sides: a saddle
        xs, ys = jobs.iso_segments(Z, x, y, [level])
        assert len(xs) > 0 and len(xs) % 2 == 0
        np.testing.assert_allclose(xs * ys, level, rtol=0, atol=1e-12)
        # A segment never joins the hyperbola's two branches (opposite quadrants).
        assert np.all(xs[::2] * xs[1::2] > 0) and np.all(ys[::2] * ys[1::2] > 0)


def test_hovering_the_contour_reads_j_at_the_cursor(qtbot, panel, controller):
    panel.configure(mode="contour", params=[1, 5])
    assert panel.wait_until_idle()
    qtbot.wait(50)  # let the view apply its new range before mapping coordinates
    plot = panel._plots.contour_plot
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
    assert f"{value:.6g}" in panel.findChild(QLabel, "landscapeReadout").text()


def test_slice_marks_the_current_point_on_the_curve(qtbot, panel, controller):
    controller.set_config(lr=1.0)
    panel.configure(mode="slice", params=[1])
    train(qtbot, controller, 12)
    panel.refresh()
    assert panel.wait_until_idle()
    theta = controller.last_snapshot.theta
    dataset = controller.dataset
    xs, ys = panel._plots.slice_point.getData()
    assert xs[0] == theta[1]
    expected = plain_log_loss(dataset.X_train, dataset.y_train, theta)
    assert ys[0] == pytest.approx(expected, rel=1e-12)
    curve_x, curve_y = panel._plots.slice_curve.getData()
    assert curve_x[0] < theta[1] < curve_x[-1]
    assert np.interp(theta[1], curve_x, curve_y) == pytest.approx(ys[0], rel=1e-3)


def test_overlaid_runs_start_together_and_follow_an_independent_replay(panel, controller):
    panel.configure(
        mode="contour",
        params=[1, 5],
        overlay=[{"optimizer": "momentum", "lr": 0.5}, {"optimizer": "adam", "lr": 0.05}],
    )
    runs = panel.overlays
    assert [run.status for run in runs] == ["computing", "computing"]
    assert panel.wait_until_idle()
    assert [run.label for run in runs] == ["Momentum (α = 0.5)", "Adam (α = 0.05)"]
    dataset = controller.dataset
    for run in runs:
        config = dataclasses.replace(controller.config, optimizer=run.optimizer, lr=run.lr)
        reference = replay(dataset.X_train, dataset.y_train, config, None, run.steps)
        np.testing.assert_array_equal(run.path, reference.theta)
        assert run.status == "ready"
    legend = panel.legend_labels()
    assert "Momentum (α = 0.5)" in legend and "Adam (α = 0.05)" in legend
    key = panel.findChild(QLabel, "landscapeKey").text()
    assert "Adam&nbsp;(α&nbsp;=&nbsp;0.05)" in key
    panel.clear_overlays()
    assert panel.overlays == ()
    assert "Adam (α = 0.05)" not in panel.legend_labels()


def test_a_short_overlaid_run_is_drawn_over_the_longer_ones_it_lies_along(qtbot, panel):
    """Lesson 12 overlays alpha = 0.1 and alpha = 2 from one start: the short run lies along
    the start of the long one and, drawn under it, could not be seen while the lesson asks
    about it. Counted on the rendered map: its colour shows along its whole path."""
    import pyqtgraph as pg
    from PySide6.QtGui import QColor

    panel.configure(
        mode="contour",
        params=[1, 5],
        overlay=[{"optimizer": "gd", "lr": 0.1}, {"optimizer": "gd", "lr": 2.0}],
    )
    assert panel.wait_until_idle()
    short, long = panel.overlays
    qtbot.wait(50)  # the paths' redraw
    view = panel.findChild(pg.PlotWidget, "landscapeContourPlot")

    def pixels_of(run) -> int:
        image = view.grab().toImage()
        color = QColor(run.color).rgb()
        return sum(
            image.pixel(x, y) == color for x in range(image.width()) for y in range(image.height())
        )

    # Where the short run lies on screen: its first to last point, in pixels.
    box = view.getViewBox()
    ends = [
        box.mapViewToDevice(QPointF(*run_point)) for run_point in short.path[[0, -1]][:, [1, 5]]
    ]
    length_px = max(abs(ends[1].x() - ends[0].x()), abs(ends[1].y() - ends[0].y()))
    assert length_px > 40  # long enough to see
    assert pixels_of(short) >= length_px  # a line 2 px wide along it, markers aside
    assert pixels_of(long) > 0
    markers = (panel._plots.start_item, panel._plots.current_item)
    assert min(m.zValue() for m in markers) > max(short.item.zValue(), long.item.zValue())


def test_overlaid_runs_follow_a_new_start_after_a_reset(qtbot, panel, controller):
    panel.configure(mode="contour", params=[1, 5], overlay=[{"optimizer": "gd", "lr": 0.5}])
    assert panel.wait_until_idle()
    assert not panel.overlays[0].path[0].any()  # zeros: where the default config starts
    controller.set_config(init="random", seed=3)
    qtbot.waitUntil(lambda: len(panel.path) == 1 and panel.path[0].any())
    assert panel.wait_until_idle()
    run = panel.overlays[0]
    dataset = controller.dataset
    config = dataclasses.replace(controller.config, optimizer="gd", lr=0.5)
    reference = replay(dataset.X_train, dataset.y_train, config, None, run.steps)
    np.testing.assert_array_equal(run.path, reference.theta)
    np.testing.assert_array_equal(run.path[0], panel.path[0])


def test_a_diverging_overlay_does_not_stretch_the_view(panel, controller):
    panel.configure(mode="contour", params=[1, 5])
    assert panel.wait_until_idle()
    u_alone = panel.grid[0]
    panel.configure(overlay=[{"optimizer": "gd", "lr": 100.0}])
    assert panel.wait_until_idle()
    flown = panel.overlays[0].path[:, 1]
    u = panel.grid[0]
    assert np.ptp(flown) > 20 * np.ptp(u_alone)  # the run flies far off ...
    # ... and widens the view by at most OVERLAY_REACH times its own width on each side.
    assert np.ptp(u) <= (1 + 2 * jobs.OVERLAY_REACH) * np.ptp(u_alone) * (1 + 1e-9)


def test_clicking_the_contour_sets_the_start(qtbot, panel, controller):
    panel.configure(mode="contour", params=[1, 5], overlay=[{"optimizer": "gd", "lr": 0.5}])
    assert panel.wait_until_idle()
    qtbot.wait(50)
    plot = panel._plots.contour_plot
    scene_pos = plot.getViewBox().mapViewToScene(QPointF(0.5, 1.5))
    QTest.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=plot.mapFromScene(scene_pos))
    qtbot.waitUntil(lambda: panel.start is not None)
    assert panel.wait_until_idle()
    start = panel.start
    assert start[1] == pytest.approx(0.5, abs=0.05) and start[5] == pytest.approx(1.5, abs=0.05)
    np.testing.assert_array_equal(panel.overlays[0].path[0], start)


def test_grid_is_recomputed_only_when_something_changed(qtbot, panel, controller):
    panel.configure(mode="contour", params=[1, 5])
    assert panel.wait_until_idle()
    first = panel.grid[2]
    panel.refresh()
    assert panel.wait_until_idle()
    assert panel.grid[2] is first  # nothing moved: no new evaluation
    panel.set_params([2, 5])
    panel.refresh()
    assert panel.wait_until_idle()
    assert panel.grid[2] is not first


def test_a_newer_request_supersedes_the_older_ones(qtbot, panel, controller, monkeypatch):
    drawn = []
    draw = panel._plots.draw_contour
    monkeypatch.setattr(
        panel._plots,
        "draw_contour",
        lambda picture, *a: (drawn.append(picture.axes), draw(picture, *a)),
    )
    for params in ([1, 5], [2, 5], [3, 6]):
        panel.configure(mode="contour", params=params)  # each asks the worker at once
    assert panel.wait_until_idle()
    assert drawn and set(drawn) == {(3, 6)}  # the older pictures were dropped
    u, v, grid = panel.grid
    dataset = controller.dataset
    point = controller.last_snapshot.theta.copy()
    point[3], point[6] = u[7], v[60]
    expected = plain_log_loss(dataset.X_train, dataset.y_train, point)
    assert grid[60, 7] == pytest.approx(expected, rel=1e-12)


def test_a_hidden_panel_computes_nothing_until_it_is_shown(
    qtbot, make_panel, controller, monkeypatch
):
    calls = []

    def counting(function, name):
        def counted(*args, **kwargs):
            calls.append(name)
            return function(*args, **kwargs)

        return counted

    for name in ("cost_grid", "cost_slice", "plane_minimum"):
        monkeypatch.setattr(landscape, name, counting(getattr(landscape, name), name))
    monkeypatch.setattr(jobs, "replay", counting(jobs.replay, "replay"))
    panel = make_panel(show=False)
    panel.configure(mode="contour", params=[1, 5], overlay=[{"optimizer": "adam", "lr": 0.05}])
    train(qtbot, controller, 5)  # snapshots arrive while hidden
    assert panel.wait_until_idle()
    assert calls == [] and not panel.worker_running
    assert panel.grid is None and panel.overlays[0].path.size == 0
    assert len(panel.path) == 6  # the path is kept up to date all the same

    panel.show()
    qtbot.waitExposed(panel)
    assert panel.wait_until_idle()
    assert {"cost_grid", "plane_minimum", "replay"} <= set(calls)
    assert panel.grid is not None
    np.testing.assert_array_equal(panel.overlays[0].path[0], panel.path[0])


def test_hiding_stops_the_worker_and_showing_again_finishes_the_picture(qtbot, panel, controller):
    dataset = built_dataset(10_000)  # a few seconds of work
    controller.set_dataset(dataset)
    qtbot.waitUntil(lambda: panel.worker_running and panel.is_busy)
    panel.hide()
    qtbot.waitUntil(lambda: not panel.worker_running)  # it stops at its next row block
    assert not panel.is_busy
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.wait_until_idle()
    assert not panel.findChild(QLabel, "landscapeBusyNote").isVisible()
    u, v, grid = panel.grid
    assert grid.shape == (jobs.GRID_SIZE, jobs.GRID_SIZE)
    theta = controller.last_snapshot.theta
    for r, c in [(0, 0), (71, 71), (30, 45)]:
        point = theta.copy()
        point[0], point[1] = u[c], v[r]
        expected = plain_log_loss(dataset.X_train, dataset.y_train, point)
        assert grid[r, c] == pytest.approx(expected, rel=1e-12)


def test_destroying_the_panel_mid_computation_joins_its_worker(qtbot, controller):
    panel = LandscapePanel(controller)  # not given to qtbot, which would close it afterwards
    panel.resize(640, 520)
    panel.show()
    qtbot.waitExposed(panel)
    controller.set_dataset(built_dataset(10_000))
    qtbot.waitUntil(lambda: panel.worker_running and panel.is_busy)
    shiboken6.delete(panel)  # as when the window holding it is deleted
    assert worker.running_threads() == 0


def test_a_large_contour_is_computed_off_the_gui_thread(qtbot, panel, controller, monkeypatch):
    """The grid's core calls all run on the worker while the GUI thread keeps ticking.

    Counted, not timed: every call into the core's cost functions is recorded with the
    thread it ran on, and a 10 ms timer must keep firing while the contour is computed
    (benchmarks/bench_landscape.py measures how long the event loop is held).
    """
    from gdapp.core import landscape as core_landscape

    threads = []
    for name in ("cost_grid", "cost_slice"):
        real = getattr(core_landscape, name)

        def spy(*args, _real=real, **kwargs):
            threads.append(threading.current_thread() is threading.main_thread())
            return _real(*args, **kwargs)

        monkeypatch.setattr(core_landscape, name, spy)
    dataset = built_dataset(LARGE_ROWS)
    ticks = []
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(len(threads)))
    timer.start()
    controller.set_dataset(dataset)
    note = panel.findChild(QLabel, "landscapeBusyNote")
    qtbot.waitUntil(lambda: panel.grid is not None, timeout=120_000)  # the coarse pass
    assert panel.grid[2].shape == (jobs.COARSE_GRID_SIZE, jobs.COARSE_GRID_SIZE)
    assert note.isVisible() and "coarse" in note.text()
    qtbot.waitUntil(lambda: len(threads) > 2, timeout=60_000)  # into the fine pass
    assert panel.is_busy and panel.worker_running
    timer.stop()
    panel.shutdown()  # stops the fine pass mid-way and joins the thread
    assert not panel.worker_running
    assert threads and not any(threads), "a grid was computed on the GUI thread"
    # The timer fired between the worker's row blocks, not only before and after them.
    assert len(set(ticks)) > 2


def test_set_state_round_trips_and_emits_nothing(qtbot, panel, controller):
    edits = []
    panel.state_edited.connect(lambda *args: edits.append(args))
    panel.set_state("slice", (3,), ())
    assert panel.state() == ("slice", (3,), ())
    runs = (("momentum", 0.5), ("adam", 0.05))
    panel.set_state("contour", (2, 8), runs)
    assert panel.state() == LandscapeState("contour", (2, 8), runs)
    assert panel.mode == "contour" and panel.params == (2, 8)
    kept = panel.overlays
    panel.set_state(*panel.state())  # the same state again replays nothing
    assert all(a is b for a, b in zip(panel.overlays, kept, strict=True))
    for bad in [
        ("contour", (2, 2), ()),
        ("slice", (1, 2), ()),
        ("contour", (1, 99), ()),
        ("surface", (1,), ()),
        ("contour", (1, 2), (("sgd", 0.1),)),
        ("contour", (1, 2), (("gd", -1.0),)),
    ]:
        with pytest.raises(ValueError):
            panel.set_state(*bad)
        assert panel.state() == ("contour", (2, 8), runs)  # nothing changed
    panel.configure(mode="slice", params=[1])
    panel.set_mode("contour")
    panel.set_params([0, 4])
    panel.add_overlay("gd", 0.3)
    panel.clear_overlays()
    assert panel.wait_until_idle()
    assert edits == []


def test_state_edited_reports_what_the_learner_changes(qtbot, panel, controller):
    panel.set_state("contour", (1, 5), ())
    edits = []
    panel.state_edited.connect(lambda *args: edits.append(args))
    mode_combo = panel.findChild(QComboBox, "landscapeModeCombo")
    QTest.keyClick(mode_combo, Qt.Key.Key_Up)  # Contour -> Slice
    assert edits == [("slice", (1,), ())]
    QTest.keyClick(panel.findChild(QComboBox, "landscapeXCombo"), Qt.Key.Key_Down)
    assert edits[-1] == ("slice", (2,), ())
    QTest.keyClick(mode_combo, Qt.Key.Key_Down)  # back to Contour
    assert edits[-1] == ("contour", (2, 5), ())
    panel.findChild(QComboBox, "landscapeOverlayOptimizer").setCurrentIndex(5)
    panel.findChild(QDoubleSpinBox, "landscapeOverlayLr").setValue(0.25)
    QTest.mouseClick(
        panel.findChild(QPushButton, "landscapeAddRunButton"), Qt.MouseButton.LeftButton
    )
    assert edits[-1] == ("contour", (2, 5), (("adam", 0.25),))
    assert panel.overlays[0].label == "Adam (α = 0.25)"
    assert panel.wait_until_idle()
    assert "Added Adam (α = 0.25): 300 steps" in panel.findChild(QLabel, "landscapeReadout").text()
    QTest.mouseClick(
        panel.findChild(QPushButton, "landscapeClearRunsButton"), Qt.MouseButton.LeftButton
    )
    assert edits[-1] == ("contour", (2, 5), ())
    assert len(edits) == 5


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
    qtbot.waitUntil(
        lambda: controller.last_snapshot is not None and controller.last_snapshot.step_count == 0
    )
    np.testing.assert_array_equal(controller.last_snapshot.theta, start)
    train(qtbot, controller, 5)
    dataset = controller.dataset
    reference = replay(dataset.X_train, dataset.y_train, controller.config, start, 5)
    np.testing.assert_array_equal(controller.last_snapshot.theta, reference.theta[-1])
    controller.reset()  # a plain reset keeps the chosen start
    qtbot.waitUntil(
        lambda: controller.last_snapshot is not None and controller.last_snapshot.step_count == 0
    )
    np.testing.assert_array_equal(controller.last_snapshot.theta, start)
    panel.clear_start()
    qtbot.waitUntil(
        lambda: (
            controller.last_snapshot.step_count == 0 and not controller.last_snapshot.theta.any()
        )
    )
    assert controller.config.init == "zeros"


def test_a_hidden_panel_draws_its_path_when_shown_again(qtbot, panel, controller):
    panel.configure(mode="contour", params=[1, 5])
    train(qtbot, controller, 10)
    assert panel.wait_until_idle()
    panel.hide()
    drawn = len(panel._plots.path_item.getData()[0])
    controller.set_config(seed=3)  # a restart: the path would be redrawn at once if seen
    qtbot.waitUntil(
        lambda: controller.last_snapshot is not None and controller.last_snapshot.step_count == 0
    )
    assert len(panel._plots.path_item.getData()[0]) == drawn  # left alone while hidden
    panel.show()
    qtbot.waitExposed(panel)
    xs, ys = panel._plots.path_item.getData()
    np.testing.assert_array_equal(xs, panel.path[:, 1])
    np.testing.assert_array_equal(ys, panel.path[:, 5])
    assert len(xs) == 1
