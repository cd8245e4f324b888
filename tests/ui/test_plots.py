"""History buffers and the plots panel: growth, bounded memory, redraw only on new data."""

from __future__ import annotations

import numpy as np
import pytest

from gdapp.core.trainer import TrainConfig
from gdapp.datasets import load_preset
from gdapp.ui.panels.plots import PlotsPanel
from gdapp.ui.plot_buffers import INITIAL_CAPACITY, MAX_POINTS, HistoryBuffer
from gdapp.ui.training_thread import Snapshot

N_PARAMS = 9  # the diabetes presets: eight weights and the bias


def rows(first: int, stop: int, n_params: int = N_PARAMS, test: bool = True) -> dict:
    """History rows first..stop-1 whose values encode their row number."""
    step = np.arange(first, stop)
    value = step.astype(float)
    return {
        "step": step,
        "epoch": value,
        "train_loss": 1.0 / (1.0 + value),
        "test_loss": 2.0 / (1.0 + value) if test else None,
        "train_acc": np.full(len(step), 0.5),
        "test_acc": np.full(len(step), 0.25) if test else None,
        "theta": np.outer(value, np.arange(1, n_params + 1)),
        "lr": np.full(len(step), 0.1),
    }


def snapshot(first: int, stop: int, running: bool = True, generation: int = 1) -> Snapshot:
    block = rows(first, stop)
    return Snapshot(
        step_count=stop - 1,
        epoch=float(stop - 1),
        status="ready",
        stop_reason="",
        theta=block["theta"][-1].copy(),
        grad=np.zeros(N_PARAMS),
        lr=0.1,
        config=TrainConfig(),
        first_row=first,
        rows=block,
        steps_per_second=0.0,
        last_batch=np.arange(3),
        running=running,
        generation=generation,
    )


def test_buffer_grows_by_doubling_and_shows_every_row():
    buffer = HistoryBuffer(N_PARAMS, has_test=True)
    assert buffer.capacity == INITIAL_CAPACITY
    for first in range(0, 5000, 700):
        buffer.apply(first, rows(first, min(first + 700, 5000)))
    assert len(buffer) == 5000 and buffer.stride == 1
    assert buffer.capacity == 8 * INITIAL_CAPACITY
    np.testing.assert_array_equal(buffer.rows(), np.arange(5000))
    np.testing.assert_array_equal(buffer.param(2), 3.0 * np.arange(5000))
    np.testing.assert_array_equal(buffer.column("train_acc"), 50.0)  # percent
    with pytest.raises(ValueError):
        buffer.column("theta")
    with pytest.raises(IndexError):
        buffer.param(N_PARAMS)


def test_buffer_halves_at_its_cap_and_keeps_every_stride_th_row():
    buffer = HistoryBuffer(N_PARAMS, has_test=True, max_points=8)
    buffer.apply(0, rows(0, 1))
    buffer.apply(1, rows(1, 30))
    assert buffer.stride == 8
    shown = buffer.rows()
    np.testing.assert_array_equal(shown[:-1], [0, 8, 16, 24])
    assert shown[-1] == 29  # the newest row is always shown
    np.testing.assert_array_equal(buffer.column("epoch"), shown.astype(float))
    buffer.apply(30, rows(30, 33))
    np.testing.assert_array_equal(buffer.rows(), [0, 8, 16, 24, 32])


def test_buffer_truncates_on_step_back_and_clears_on_reset():
    buffer = HistoryBuffer(N_PARAMS, has_test=False)
    buffer.apply(0, rows(0, 6, test=False))
    buffer.apply(4, rows(4, 5, test=False))  # a step back from step 5 to step 4
    np.testing.assert_array_equal(buffer.rows(), np.arange(5))
    buffer.apply(0, rows(0, 1, test=False))  # a reset
    assert len(buffer) == 1 and buffer.stride == 1


@pytest.fixture
def panel(qtbot, controller):
    widget = PlotsPanel(controller)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitUntil(lambda: widget.redraw_count > 0)
    controller.snapshot_ready.disconnect(widget._on_controller_snapshot_ready)
    return widget


def test_a_million_epoch_run_keeps_memory_bounded(panel):
    total = 1_000_001
    for first in range(1, total, 50_000):
        panel._on_controller_snapshot_ready(snapshot(first, min(first + 50_000, total)))
    panel.redraw()
    x = panel.curves["train_loss"].xData
    assert len(x) <= MAX_POINTS + 1
    assert panel.stride >= total // MAX_POINTS
    assert x[0] == 0.0 and x[-1] == 1_000_000.0
    assert np.all(np.diff(x) > 0)
    np.testing.assert_array_equal(x[:-1] % panel.stride, 0.0)
    for index, curve in enumerate(panel.weight_curves):
        np.testing.assert_array_equal(curve.yData, (index + 1) * x)


def test_redraws_only_when_new_data_arrived(panel):
    panel._on_controller_snapshot_ready(snapshot(1, 10))
    panel.redraw()
    count = panel.redraw_count
    panel.redraw()
    panel.redraw()
    assert panel.redraw_count == count
    panel._on_controller_snapshot_ready(snapshot(10, 11))
    panel.redraw()
    assert panel.redraw_count == count + 1
    assert len(panel.curves["train_loss"].xData) == 11


def test_zooming_stops_following_the_data_until_auto_range(panel):
    panel._on_controller_snapshot_ready(snapshot(1, 500))
    panel.redraw()
    (x0, x1), _ = panel.loss_plot.viewRange()
    assert x0 <= 0 and x1 >= 499
    view_box = panel.loss_plot.getViewBox()
    view_box.setXRange(100, 200, padding=0)
    view_box.sigRangeChangedManually.emit(view_box.state["mouseEnabled"])
    panel._on_controller_snapshot_ready(snapshot(500, 2000))
    panel.redraw()
    assert panel.loss_plot.viewRange()[0] == [100, 200]  # left where the user put it
    assert panel.accuracy_plot.viewRange()[0][1] >= 1999  # the others follow
    view_box.enableAutoRange()  # the "A" button
    assert panel.loss_plot.viewRange()[0][1] >= 1999
    assert not any(view_box.autoRangeEnabled())  # our own following took over again


def test_a_dataset_without_test_rows_shows_no_test_curves(qtbot, controller):
    widget = PlotsPanel(controller)
    qtbot.addWidget(widget)
    widget.show()
    controller.set_dataset(load_preset("diabetes", test_fraction=0.0))
    qtbot.waitUntil(lambda: widget.redraw_count > 0 and not widget._timer.isActive())
    controller.step()
    qtbot.waitUntil(lambda: controller.last_snapshot.step_count == 1)
    widget.redraw()
    assert not widget.curves["test_loss"].isVisible()
    assert controller.last_snapshot.rows["test_loss"] is None
    assert len(widget.curves["train_loss"].xData) == 2


def test_a_hidden_panel_skips_redraws_and_catches_up_when_shown(panel):
    panel.hide()
    panel._on_controller_snapshot_ready(snapshot(1, 40))
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
