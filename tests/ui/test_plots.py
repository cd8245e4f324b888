"""The plots panel over the controller's history: bounded, redrawn on new data, wide tables."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import Qt
from support.history_rows import N_PARAMS, rows_snapshot, synthetic_rows

from gdapp.datasets import load_preset
from gdapp.datasets.dataset import from_arrays
from gdapp.ui.history import MAX_HELD_ROWS, SessionHistory
from gdapp.ui.panels.plots import MAX_WEIGHT_CURVES, MIN_EPOCH_SPAN, PlotsPanel
from gdapp.ui.training_thread import Snapshot

rows = synthetic_rows


def snapshot(first: int, stop: int, running: bool = True, generation: int = 1) -> Snapshot:
    return rows_snapshot(
        first, rows(first, stop), last_batch=np.arange(3), running=running, generation=generation
    )


def apply(history: SessionHistory, first: int, block: dict) -> None:
    history.apply(rows_snapshot(first, block, theta=np.zeros(N_PARAMS), epoch=0.0))


def test_history_grows_by_doubling_and_holds_every_row():
    history = SessionHistory()
    for first in range(0, 5000, 700):
        apply(history, first, rows(first, min(first + 700, 5000)))
    assert history.point_count == 5000 and history.stride == 1
    # 1,024 rows doubled three times, each row 7 columns, its index and 9 parameters of 8 B.
    assert history.nbytes == 8 * 1024 * 17 * 8
    np.testing.assert_array_equal(history.rows(), np.arange(5000))
    np.testing.assert_array_equal(history.param(2), 3.0 * np.arange(5000))
    np.testing.assert_array_equal(history.column("train_acc"), 0.5)  # a fraction
    with pytest.raises(ValueError):
        history.column("theta")
    with pytest.raises(IndexError):
        history.param(N_PARAMS)


def test_history_halves_at_its_cap_and_keeps_every_stride_th_row():
    history = SessionHistory(max_points=8, recent_rows=4)
    apply(history, 0, rows(0, 1))
    apply(history, 1, rows(1, 30))
    assert history.stride == 4
    shown = history.rows()
    # Every 4th row, then the recent stretch in full; the newest row is always held.
    np.testing.assert_array_equal(shown, [0, 4, 8, 12, 16, 20, 24, 25, 26, 27, 28, 29])
    np.testing.assert_array_equal(history.column("epoch"), shown.astype(float))
    apply(history, 30, rows(30, 33))
    np.testing.assert_array_equal(history.rows(), [0, 4, 8, 12, 16, 20, 24, *range(25, 33)])


def test_history_truncates_on_step_back_and_clears_on_reset():
    history = SessionHistory()
    apply(history, 0, rows(0, 6, test=False))
    apply(history, 4, rows(4, 5, test=False))  # a step back from step 5 to step 4
    np.testing.assert_array_equal(history.rows(), np.arange(5))
    apply(history, 0, rows(0, 1, test=False))  # a reset
    assert history.point_count == 1 and history.stride == 1


@pytest.fixture
def panel(qtbot, controller):
    widget = PlotsPanel(controller)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitUntil(lambda: widget.redraw_count > 0)
    return widget


def send(controller, snap: Snapshot) -> None:
    """Deliver ``snap`` as the training thread would: through the controller."""
    controller._on_worker_snapshot_ready(snap)


def test_a_million_epoch_run_keeps_memory_bounded(panel, controller):
    total = 1_000_001
    for first in range(1, total, 50_000):
        send(controller, snapshot(first, min(first + 50_000, total)))
    panel.redraw()
    x = panel.curves["train_loss"].xData
    assert len(x) <= MAX_HELD_ROWS
    assert panel.stride >= total // MAX_HELD_ROWS
    assert x[0] == 0.0 and x[-1] == 1_000_000.0
    assert np.all(np.diff(x) > 0)
    recent = controller.history.recent_count
    assert recent >= 4096
    np.testing.assert_array_equal(x[:-recent] % panel.stride, 0.0)  # the whole run, thinned
    np.testing.assert_array_equal(x[-recent:], np.arange(total - recent, total))  # in full
    for index, curve in enumerate(panel.weight_curves):
        np.testing.assert_array_equal(curve.yData, (index + 1) * x)


def test_redraws_only_when_new_data_arrived(panel, controller):
    send(controller, snapshot(1, 10))
    panel.redraw()
    count = panel.redraw_count
    panel.redraw()
    panel.redraw()
    assert panel.redraw_count == count
    send(controller, snapshot(10, 11))
    panel.redraw()
    assert panel.redraw_count == count + 1
    assert len(panel.curves["train_loss"].xData) == 11


def test_zooming_stops_following_the_data_until_auto_range(panel, controller):
    send(controller, snapshot(1, 500))
    panel.redraw()
    (x0, x1), _ = panel.loss_plot.viewRange()
    assert x0 <= 0 and x1 >= 499
    view_box = panel.loss_plot.getViewBox()
    view_box.setXRange(100, 200, padding=0)
    view_box.sigRangeChangedManually.emit(view_box.state["mouseEnabled"])
    send(controller, snapshot(500, 2000))
    panel.redraw()
    assert panel.loss_plot.viewRange()[0] == [100, 200]  # left where the user put it
    assert panel.accuracy_plot.viewRange()[0][1] >= 1999  # the others follow
    view_box.enableAutoRange()  # the "A" button
    assert panel.loss_plot.viewRange()[0][1] >= 1999
    assert not any(view_box.autoRangeEnabled())  # our own following took over again


def drawn_y(curve) -> np.ndarray:
    """The y values a curve hands Qt to draw (after pyqtgraph's clipping and clamping)."""
    return np.asarray(curve.curve.getData()[1])


def test_a_followed_plot_draws_every_point_and_a_zoomed_one_clamps_far_ones(panel, controller):
    send(controller, snapshot(1, 2000))
    panel.redraw()
    view_box = panel.weights_plot.getViewBox()
    (_, _), (low, high) = panel.weights_plot.viewRange()
    for index, curve in enumerate(panel.weight_curves):
        # The followed range holds every weight, so each curve draws its own values.
        assert low <= curve.yData.min() and curve.yData.max() <= high
        assert drawn_y(curve).max() == (index + 1) * 1999.0
    view_box.setYRange(0.0, 1e-5, padding=0)  # the user zooms far into the weights
    view_box.sigRangeChangedManually.emit(view_box.state["mouseEnabled"])
    send(controller, snapshot(2000, 2001))
    panel.redraw()
    assert panel.weights_plot.viewRange()[1] == [0.0, 1e-5]
    for curve in panel.weight_curves:
        # Points millions of view heights away are clamped, as Qt cannot draw them.
        assert np.isfinite(drawn_y(curve)).all()
        assert drawn_y(curve).max() <= 1e-5 * 1e7 < curve.yData.max()
    assert panel.loss_plot.viewRange()[1][1] >= 1.0  # the other plots still follow
    view_box.enableAutoRange()  # the "A" button: follow again, and draw everything
    for index, curve in enumerate(panel.weight_curves):
        assert drawn_y(curve).max() >= (index + 1) * 1999.0  # (binned in pairs to the pixels)


def test_a_dataset_without_test_rows_shows_no_test_curves(qtbot, controller):
    widget = PlotsPanel(controller)
    qtbot.addWidget(widget)
    widget.show()
    controller.set_dataset(load_preset("diabetes", test_fraction=0.0))
    qtbot.waitUntil(lambda: widget.redraw_count > 0 and not widget._timer.isActive())
    controller.step()
    qtbot.waitUntil(
        lambda: controller.last_snapshot is not None and controller.last_snapshot.step_count == 1
    )
    widget.redraw()
    assert not widget.curves["test_loss"].isVisible()
    assert controller.last_snapshot.rows["test_loss"] is None
    assert len(widget.curves["train_loss"].xData) == 2


def test_a_hidden_panel_skips_redraws_and_catches_up_when_shown(panel, controller):
    panel.hide()
    send(controller, snapshot(1, 40))
    panel.redraw()
    assert len(panel.curves["train_loss"].xData) == 1  # nothing drawn while hidden
    panel.show()
    panel.redraw()
    assert len(panel.curves["train_loss"].xData) == 40


def test_the_loss_axis_names_the_model_loss(panel, controller):
    axis = panel.loss_plot.getAxis("left")
    assert "cross-entropy" in axis.labelText
    controller.set_config(model="linear")
    assert "squared-error" in axis.labelText


def test_step_zero_shows_readable_axes(panel, controller):
    assert controller.history.total_rows == 1  # step 0 only
    (x0, x1), (y0, y1) = panel.loss_plot.viewRange()
    assert x0 <= 0.0 and MIN_EPOCH_SPAN <= x1 <= 1.1 * MIN_EPOCH_SPAN  # 0..10, not -0.4..0.4
    loss = controller.history.last_row["train_loss"]
    assert y0 < loss < y1 and y1 - y0 >= 0.1 * loss
    (_, wx1), (wy0, wy1) = panel.weights_plot.viewRange()
    assert wx1 >= MIN_EPOCH_SPAN
    assert wy0 <= -0.5 and wy1 >= 0.5  # zero weights, with room around them


def test_a_redraw_pending_across_a_dataset_switch_draws_nothing_stale(qtbot, panel, controller):
    send(controller, snapshot(1, 50))
    assert panel._dirty  # a redraw is due
    controller.set_dataset(load_preset("diabetes", test_fraction=0.0))
    panel.redraw()  # before the new dataset's first snapshot: the history is empty
    assert panel.curves["train_loss"].xData is None
    assert all(curve.xData is None for curve in panel.weight_curves)
    assert not any(head.isVisible() for head in panel.heads.values())
    qtbot.waitUntil(lambda: controller.history.total_rows == 1)
    qtbot.waitUntil(lambda: not panel._timer.isActive())
    panel.redraw()
    assert len(panel.curves["train_loss"].xData) == 1


def wide_dataset(n_features: int = 10_000, n_rows: int = 60):
    """A numpy-built table with ``n_features`` columns, assembled as the presets are."""
    rng = np.random.default_rng(5)
    values = rng.normal(size=(n_rows, n_features))
    y = (values[:, 0] + 0.5 * values[:, 1] > 0).astype(np.int8)
    y[:2] = (0, 1)  # both classes present
    columns = [f"x{j}" for j in range(n_features)]
    return from_arrays(values, y, name="wide", feature_names=columns)


def largest(theta: np.ndarray, k: int = MAX_WEIGHT_CURVES) -> set[int]:
    weights = np.abs(theta[:-1])
    return set(np.argsort(-weights, kind="stable")[:k].tolist())


def test_ten_thousand_columns_show_twelve_weights_and_the_picker_switches_them(
    qtbot, panel, controller
):
    controller.set_dataset(wide_dataset())
    controller.step(3)
    qtbot.waitUntil(lambda: getattr(controller.last_snapshot, "step_count", 0) == 3, timeout=10_000)
    qtbot.waitUntil(lambda: not panel._timer.isActive())
    panel.redraw()
    theta = controller.last_snapshot.theta
    assert len(theta) == 10_001
    assert len(panel.weight_curves) == MAX_WEIGHT_CURVES + 1
    assert len(panel.weights_plot.listDataItems()) == MAX_WEIGHT_CURVES + 1  # none per column
    assert len(panel.weights_legend.rows) == MAX_WEIGHT_CURVES + 1  # only the curves shown
    assert len(panel.bars.opts["width"]) == MAX_WEIGHT_CURVES + 1
    shown = panel.shown_params
    assert shown[-1] == 10_000  # the bias
    assert set(shown[:-1]) == largest(theta)
    np.testing.assert_array_equal(panel.bars.opts["width"], np.abs(theta[list(shown)]))
    for curve, index in zip(panel.weight_curves, shown, strict=True):
        assert len(curve.yData) == 4 and curve.yData[-1] == theta[index]
    legend_names = [name for _, name in panel.weights_legend.rows]
    assert legend_names == [f"x{i}" for i in shown[:-1]] + ["bias"]

    panel.set_shown_weights([5000, 7, 9999])
    assert panel.shown_params == (5000, 7, 9999, 10_000)
    assert len(panel.weights_legend.rows) == 4
    assert panel.weight_curves[0].yData[-1] == theta[5000]
    np.testing.assert_array_equal(panel.bars.opts["width"], np.abs(theta[[5000, 7, 9999, -1]]))

    picker = panel.weight_picker
    assert picker.isVisibleTo(panel) and picker.model.rowCount() == 10_000
    picker.search.setText("x7777")
    assert picker.proxy.rowCount() == 1
    check = Qt.ItemDataRole.CheckStateRole
    picker.proxy.setData(picker.proxy.index(0, 0), Qt.CheckState.Checked.value, check)
    assert panel.shown_params == (5000, 7, 9999, 7777, 10_000)
    assert picker.proxy.index(0, 0).data(check) == Qt.CheckState.Checked
    picker.search.setText("x7")
    row = next(r for r in range(picker.proxy.rowCount()) if picker.proxy.index(r, 0).data() == "x7")
    picker.proxy.setData(picker.proxy.index(row, 0), Qt.CheckState.Unchecked.value, check)
    assert panel.shown_params == (5000, 9999, 7777, 10_000)
    assert [name for _, name in panel.weights_legend.rows][1] == "x9999"

    picker.largest_button.click()  # back to the largest |w|
    assert set(panel.shown_params[:-1]) == largest(theta)
    assert len(panel.weights_legend.rows) == MAX_WEIGHT_CURVES + 1
    hidden = next(f for f in range(10_000) if f not in panel.shown_params)
    picker.search.setText(f"x{hidden}")
    index = next(
        picker.proxy.index(r, 0)
        for r in range(picker.proxy.rowCount())
        if picker.proxy.index(r, 0).data() == f"x{hidden}"
    )
    picker.proxy.setData(index, Qt.CheckState.Checked.value, check)  # a 13th: refused
    assert hidden not in panel.shown_params and "At most 12" in picker.hint.text()


def test_a_panel_made_late_draws_the_history_without_asking_for_it(qtbot, controller):
    controller.step(5)
    qtbot.waitUntil(lambda: controller.history.total_rows == 6)
    asked = []
    controller._snapshot_requested.connect(lambda: asked.append(True))
    widget = PlotsPanel(controller)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.redraw_count > 0)
    np.testing.assert_array_equal(widget.curves["train_loss"].xData, np.arange(6.0))
    assert not asked  # the controller's history already holds every row


def theta_snapshot(first: int, thetas: np.ndarray, generation: int) -> Snapshot:
    """Rows ``first``.. with parameters ``thetas`` ((k, p)) and made-up scalars."""
    block = rows(first, first + len(thetas), n_params=thetas.shape[1])
    block["theta"] = thetas
    return rows_snapshot(first, block, generation=generation)


def test_a_weight_that_stays_among_the_largest_keeps_its_curve(qtbot, panel, controller):
    controller.set_dataset(wide_dataset(n_features=1000))
    qtbot.waitUntil(lambda: controller.history.total_rows == 1)
    generation = controller._generation
    theta = np.zeros(1001)
    theta[100:112] = np.arange(1.0, 13.0)  # w100 = 1 ... w111 = 12
    send(controller, theta_snapshot(1, theta[None, :], generation))
    panel.redraw()
    assert panel.shown_params[:-1] == tuple(range(111, 99, -1))  # largest first
    theta = theta.copy()
    theta[105], theta[500] = 0.0, -50.0  # w105 drops out, w500 comes in
    send(controller, theta_snapshot(2, theta[None, :], generation))
    panel.redraw()
    expected = [500 if f == 105 else f for f in range(111, 99, -1)]
    assert panel.shown_params[:-1] == tuple(expected)
    assert panel.weights_legend.rows[expected.index(500)][1] == "x500"
    np.testing.assert_array_equal(panel.weight_curves[expected.index(500)].yData[-1], -50.0)


def test_a_dataset_with_the_same_columns_keeps_the_legend_and_another_relabels_it(
    qtbot, panel, controller
):
    labels = [name for _curve, name in panel.weights_legend.rows]
    test_label = panel.loss_legend.getLabel(panel.curves["test_loss"])
    controller.load_preset("diabetes-post")  # the same eight columns
    assert [name for _curve, name in panel.weights_legend.rows] == labels
    assert panel.loss_legend.getLabel(panel.curves["test_loss"]) is test_label
    renamed = load_preset("diabetes")
    names = [f"x{i}" for i in range(renamed.n_features)]
    controller.set_dataset(dataclasses.replace(renamed, feature_names=tuple(names)))
    texts = [name for _curve, name in panel.weights_legend.rows]
    assert texts == [*names, "bias"]
    controller.set_dataset(load_preset("diabetes", test_fraction=0.0))
    assert panel.loss_legend.getLabel(panel.curves["test_loss"]) is None


def legend_rows(panel) -> list[tuple[object, str]]:
    return panel.weights_legend.rows


@pytest.mark.parametrize("preset", ["moons", "xor"])
def test_the_legend_names_the_curves_shown_for_fewer_or_more_features(
    qtbot, panel, controller, preset
):
    from gdapp.ui.panels.plots import _short  # long names are cut to fit the legend

    def expected() -> list[tuple[object, str]]:
        names = [_short(panel._names[i]) for i in panel.shown_params]
        return list(zip(panel.weight_curves, names, strict=True))

    controller.load_preset(preset)  # two features: two weight rows and the bias
    assert legend_rows(panel) == expected() and len(legend_rows(panel)) == 3
    assert [name for _, name in legend_rows(panel)] == ["x1", "x2", "bias"]
    controller.load_preset("diabetes")  # and back to eight
    assert legend_rows(panel) == expected() and len(legend_rows(panel)) == 9
    controller.set_config(model="mlp")  # many parameters: the largest are shown
    assert legend_rows(panel) == expected()
    assert len(legend_rows(panel)) == MAX_WEIGHT_CURVES + 1
    assert legend_rows(panel)[-1][0] is panel.weight_curves[-1]  # the output's bias last


def test_the_side_legend_draws_each_row_in_its_curves_pen_and_sizes_itself(qtbot):
    import pyqtgraph as pg
    from PySide6.QtGui import QColor, QFontMetricsF

    from gdapp.ui.plot_items import SideLegend

    view = pg.GraphicsLayoutWidget()
    qtbot.addWidget(view)
    view.resize(420, 300)
    view.setBackground("w")
    plot = view.addPlot(row=0, col=0)
    legend = SideLegend()
    view.addItem(legend, row=0, col=1)
    colours = ["#d62728", "#2ca02c", "#1f77b4"]
    curves = [plot.plot([0, 1], [i, i], pen=pg.mkPen(c, width=2)) for i, c in enumerate(colours)]
    names = ["glucose", "a much longer name", "bias"]
    legend.set_rows(list(zip(curves, names, strict=True)))
    assert legend.rows == list(zip(curves, names, strict=True))
    metrics = QFontMetricsF(legend._font)
    hint = legend.sizeHint(0)
    assert hint.width() > metrics.horizontalAdvance("a much longer name")  # the widest fits
    assert hint.height() >= 3 * metrics.height()  # a line per row
    view.show()
    qtbot.waitExposed(view)
    qtbot.wait(50)
    image = view.grab().toImage()
    top_left = legend.mapToScene(0, 0).toPoint()
    found = set()
    for x in range(top_left.x(), top_left.x() + int(legend.size().width())):
        for y in range(top_left.y(), top_left.y() + int(legend.size().height())):
            found.add(QColor(image.pixel(x, y)).name())
    assert set(colours) <= found  # each row's stroke, in its curve's colour
    legend.set_rows(list(zip(curves[:1], names[:1], strict=True)))
    one_row = legend.sizeHint(0)
    assert len(legend.rows) == 1 and one_row.height() < hint.height()
    legend.set_text_points(16)  # the classroom zoom: twice the size
    zoomed = legend.sizeHint(0)
    assert zoomed.height() > 1.5 * one_row.height() and zoomed.width() > one_row.width()


def test_an_axis_keeps_its_drawn_ticks_when_given_the_label_it_has(qtbot):
    import pyqtgraph as pg

    from gdapp.ui.plot_items import AXIS_COLOR, set_axis_label

    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(300, 200)
    widget.show()
    qtbot.waitExposed(widget)
    axis = widget.getPlotItem().getAxis("left")
    set_axis_label(axis, "loss", color=AXIS_COLOR)
    widget.grab()  # drawn: the axis keeps its ticks as a picture
    drawn = axis.picture
    assert drawn is not None and axis.label.isVisibleTo(axis)
    set_axis_label(axis, "loss", color=AXIS_COLOR)
    assert axis.picture is drawn  # the same label: nothing to lay out or draw again
    set_axis_label(axis, "squared error", color=AXIS_COLOR)
    assert axis.picture is None and axis.labelText == "squared error"
    set_axis_label(axis, "")
    assert not axis.label.isVisibleTo(axis)
