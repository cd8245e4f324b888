"""The Dataset page's gradient-contributions chart and table column, on a real session.

Expected bar heights come from the maths: a logistic row's share of a step's gradient is
(sigmoid(x.w + b) - y) * [x, 1] / m for the m rows of the step's batch, at the parameters
before the step (replayed here with a plain core Trainer), and exactly 0 outside the batch.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel

from gdapp.core.trainer import Trainer, batch_indices
from gdapp.ui.models.dataframe_model import MUTED_TEXT_COLOR, SORT_ROLE
from gdapp.ui.panels.contributions_view import BAR_WIDTH, MAX_BARS, NORM_TARGET, WORST_ROWS
from gdapp.ui.panels.dataset_browser import DatasetBrowserPanel
from gdapp.ui.panels.graph import GraphPanel

H = Qt.Orientation.Horizontal
FEATURES = 8
XS = [f"x{i}" for i in range(1, FEATURES + 1)]


@pytest.fixture
def page(qtbot, controller):
    """(browser panel, contributions view, controller) shown at a Dataset-page size."""
    panel = DatasetBrowserPanel(controller)
    qtbot.addWidget(panel)
    panel.resize(900, 760)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: controller.last_snapshot is not None, timeout=5000)
    yield panel, panel.contributions_view(), controller
    panel.shutdown()


def step_and_wait(qtbot, ctrl, n: int):
    target = ctrl.last_snapshot.step_count + n
    ctrl.step(n)
    qtbot.waitUntil(
        lambda: ctrl.last_snapshot is not None and ctrl.last_snapshot.step_count == target,
        timeout=10_000,
    )


def theta_before(ctrl, step: int) -> np.ndarray:
    """The parameters before update ``step``, from a fresh core run with the same settings."""
    ds = ctrl.dataset
    trainer = Trainer(ds.X_train, ds.y_train, config=ctrl.config)
    trainer.run(step - 1)
    return trainer.theta


def expected_shares(ctrl, step: int, batch: np.ndarray | None) -> np.ndarray:
    """(n_train, d + 1): each row's share of step ``step``'s logistic gradient."""
    ds = ctrl.dataset
    X, y = ds.X_train, ds.y_train
    theta = theta_before(ctrl, step)
    z = X @ theta[:-1] + theta[-1]
    shares = (1.0 / (1.0 + np.exp(-z)) - y)[:, None] * np.column_stack([X, np.ones(len(y))])
    rows = np.arange(len(y)) if batch is None else batch
    out = np.zeros_like(shares)
    out[rows] = shares[rows] / len(rows)
    return out


def bar_pixel(qtbot, view, position: int) -> QPoint:
    """Where training row ``position``'s bar is on the plot's viewport, once the axes settled."""
    plot = view.plot_widget()
    qtbot.wait(50)  # the view box applies its auto range on the next pass of the event loop
    box = plot.getPlotItem().getViewBox()
    point = plot.mapFromScene(box.mapViewToScene(view.bar_center(position)))
    return QPoint(point.x(), point.y())


def click_bar(qtbot, view, position: int) -> None:
    pixel = bar_pixel(qtbot, view, position)
    qtbot.mouseClick(view.plot_widget().viewport(), Qt.MouseButton.LeftButton, pos=pixel)


def test_full_batch_bars_are_each_rows_share_of_the_step(qtbot, page):
    panel, view, ctrl = page
    step_and_wait(qtbot, ctrl, 6)
    view.refresh_now()
    assert view.findChild(QComboBox, "contributionTarget") is not None
    assert view.plot_widget().objectName() == "contributionsPlot"
    expected = expected_shares(ctrl, 6, None)
    for j in (1, 5, FEATURES):  # glucose, bmi and the bias
        view.set_target(j)
        heights = view.bar_heights()
        assert sorted(heights) == list(range(len(expected)))
        got = np.array([heights[i] for i in range(len(expected))])
        np.testing.assert_allclose(got, expected[:, j], rtol=1e-10, atol=1e-16)
        assert view.penalty_height() == 0.0  # no L2 penalty
    view.set_target(NORM_TARGET)
    heights = view.bar_heights()
    lengths = np.sqrt((expected**2).sum(axis=1))
    np.testing.assert_allclose([heights[i] for i in range(len(lengths))], lengths, rtol=1e-10)
    assert "Step 6: the full-batch gradient this step used" in view.info_text()


def test_the_l2_penalty_has_its_own_bar(qtbot, page):
    panel, view, ctrl = page
    ctrl.set_config(l2=0.5)
    qtbot.waitUntil(
        lambda: ctrl.last_snapshot is not None and ctrl.last_snapshot.config.l2 == 0.5, timeout=5000
    )
    step_and_wait(qtbot, ctrl, 4)
    view.refresh_now()
    view.set_target(1)
    w_glucose = theta_before(ctrl, 4)[1]
    assert w_glucose != 0
    assert view.penalty_height() == pytest.approx(0.5 * w_glucose, rel=1e-12)
    view.set_target(FEATURES)
    assert view.penalty_height() == 0.0  # the bias is not penalised
    assert "Bars + L2 = " in view.info_text()


def test_mini_batch_rows_outside_the_batch_are_rings_at_zero(qtbot, page):
    panel, view, ctrl = page
    ctrl.set_config(batch_size=32)
    qtbot.waitUntil(
        lambda: ctrl.last_snapshot is not None and ctrl.last_snapshot.config.batch_size == 32,
        timeout=5000,
    )
    step_and_wait(qtbot, ctrl, 3)
    view.refresh_now()
    ds = ctrl.dataset
    n = len(ds.train_idx)
    batch = batch_indices(n, 32, ctrl.config.seed, 2)  # update number 3 uses batch 2
    expected = expected_shares(ctrl, 3, batch)
    view.set_target(1)
    heights = view.bar_heights()
    np.testing.assert_allclose([heights[i] for i in range(n)], expected[:, 1], atol=1e-16)
    outside = np.setdiff1d(np.arange(n), batch)
    np.testing.assert_array_equal(np.sort(view.outside_rows()), outside)
    assert all(heights[i] == 0.0 for i in outside)
    assert "mini-batch of 32 rows" in view.info_text() and f"{n - 32:,}" in view.info_text()
    # The table column shows the same numbers, greyed outside the batch, none for test rows.
    model = panel.current_model()
    column = model.columnCount() - 1
    assert model.headerData(column, H) == "contribution"
    for dataset_row, position in (
        (ds.train_idx[batch[0]], batch[0]),
        (ds.train_idx[outside[0]], outside[0]),
    ):
        index = model.index(model.view_row(int(dataset_row)), column)
        assert model.data(index, SORT_ROLE) == expected[position, 1]
        muted = model.data(index, Qt.ItemDataRole.ForegroundRole) == MUTED_TEXT_COLOR
        assert muted == (position in outside)
    test_cell = model.index(model.view_row(int(ds.test_idx[0])), column)
    assert model.data(test_cell) == "–"


def test_clicking_a_bar_selects_that_patient_in_the_graph_panel(qtbot, page):
    panel, view, ctrl = page
    graph = GraphPanel(ctrl)
    qtbot.addWidget(graph)
    graph.resize(900, 560)
    graph.show()
    graph.set_view("sample")
    step_and_wait(qtbot, ctrl, 2)
    view.set_sorted(False)
    view.set_target(1)
    view.refresh_now()
    ds = ctrl.dataset
    heights = view.bar_heights()
    position = max(heights, key=lambda i: abs(heights[i]))  # a tall bar, easy to hit
    with qtbot.waitSignal(ctrl.sample_selected) as blocker:
        click_bar(qtbot, view, position)
    row = int(ds.train_idx[position])
    assert blocker.args == [row] and ctrl.selected_sample == row
    qtbot.waitUntil(lambda: np.allclose([graph.displayed_values()[x].value for x in XS], ds.X[row]))
    assert view.selected_position() == position  # highlighted in the chart
    assert panel.selected_row() == row  # and in the table


def test_a_table_row_selects_its_bar_and_the_tooltip_names_it(qtbot, page):
    panel, view, ctrl = page
    step_and_wait(qtbot, ctrl, 2)
    view.refresh_now()
    ds = ctrl.dataset
    position = 17
    panel.select_row(int(ds.train_idx[position]))
    assert ctrl.selected_sample == ds.train_idx[position]
    assert view.selected_position() == position
    ctrl.select_sample(int(ds.test_idx[0]))  # a test row has no bar
    assert view.selected_position() is None
    shares = view.current_shares()
    text = view.bar_tooltip(position)
    assert f"Row {ds.train_idx[position]} (training row {position})" in text
    assert f"label {int(ds.y_train[position])}" in text
    assert f"predicted {int(shares.predicted[position])}" in text
    # Hovering the bar shows the same text.
    pixel = bar_pixel(qtbot, view, position)
    qtbot.mouseMove(view.plot_widget().viewport(), pixel)
    qtbot.waitUntil(lambda: view.hover_text == view.bar_tooltip(position))


def test_misclassified_and_worst_rows_stand_out(qtbot, page):
    panel, view, ctrl = page
    step_and_wait(qtbot, ctrl, 5)
    view.refresh_now()
    ds = ctrl.dataset
    theta = theta_before(ctrl, 5)
    z = ds.X_train @ theta[:-1] + theta[-1]
    a = 1.0 / (1.0 + np.exp(-z))
    worst = np.argsort(-np.abs(a - ds.y_train), kind="stable")[:WORST_ROWS]
    assert set(view.worst_rows().tolist()) == set(worst.tolist())
    wrong = np.flatnonzero((z >= 0) != (ds.y_train == 1))
    np.testing.assert_array_equal(np.flatnonzero(view.current_shares().misclassified), wrong)
    legend = view.findChild(QLabel, "contributionsLegend").text()
    assert "misclassified" in legend and "|a − y|" in legend and "outside the mini-batch" in legend


def test_sorted_and_row_order(qtbot, page):
    panel, view, ctrl = page
    step_and_wait(qtbot, ctrl, 3)
    view.set_target(2)
    view.refresh_now()
    toggle = view.findChild(QCheckBox, "contributionSortToggle")
    toggle.setChecked(True)
    in_x_order = [view.bar_heights()[int(i)] for i in view.drawn_rows()]
    assert in_x_order == sorted(in_x_order)
    toggle.setChecked(False)
    np.testing.assert_array_equal(view.drawn_rows(), np.arange(len(ctrl.dataset.train_idx)))


def test_bars_follow_training_live(qtbot, page):
    panel, view, ctrl = page
    qtbot.waitUntil(lambda: view.current_shares() is not None, timeout=5000)
    assert view.current_shares().step == 0
    assert "Step 0" in view.info_text()
    count = view.refresh_count
    step_and_wait(qtbot, ctrl, 40)
    # No explicit refresh: the throttle timer picks up the latest snapshot.
    qtbot.waitUntil(lambda: view.current_shares().step == 40, timeout=5000)
    assert view.refresh_count > count
    assert "Step 40" in view.info_text()
    expected = expected_shares(ctrl, 40, None)
    view.set_target(0)
    heights = view.bar_heights()
    np.testing.assert_allclose(
        [heights[i] for i in range(len(expected))], expected[:, 0], rtol=1e-10, atol=1e-16
    )


def test_sorting_the_table_by_contribution(qtbot, page):
    panel, view, ctrl = page
    step_and_wait(qtbot, ctrl, 2)
    view.refresh_now()
    model = panel.current_model()
    column = model.columnCount() - 1
    panel.table_view().sortByColumn(column, Qt.SortOrder.DescendingOrder)
    values = model.value_column()
    shown = [model.data(model.index(r, column), SORT_ROLE) for r in range(model.rowCount())]
    finite = [v for v in shown if v == v]
    assert finite == sorted(finite, reverse=True)
    assert len(finite) == len(ctrl.dataset.train_idx)
    assert np.isnan(values[ctrl.dataset.test_idx]).all()


def test_a_big_table_draws_only_the_largest_bars(qtbot, page):
    from gdapp.datasets.dataset import from_arrays

    panel, view, ctrl = page
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100_000, 3))
    dataset = from_arrays(X, (X[:, 0] > 0).astype(int), name="big")
    ctrl.set_dataset(dataset)
    qtbot.waitUntil(
        lambda: ctrl.last_snapshot is not None and ctrl.last_snapshot.step_count == 0,
        timeout=10_000,
    )
    step_and_wait(qtbot, ctrl, 1)
    view.set_target(0)
    view.refresh_now()
    heights = view.bar_heights()
    assert len(heights) == MAX_BARS
    values = view.current_shares().shares.rows[:, 0]
    smallest_drawn = min(abs(h) for h in heights.values())
    assert np.count_nonzero(np.abs(values) > smallest_drawn) < MAX_BARS
    assert "Showing the 2,000 rows with the largest |value| of 80,000" in view.info_text()
    assert len(panel.current_model().value_column()) == 100_000


def test_the_table_models_value_column(qtbot):
    import pandas as pd

    from gdapp.ui.models.dataframe_model import DataFrameModel

    model = DataFrameModel(pd.DataFrame({"a": [3, 1, 2, 5], "label": [0, 1, 0, 1]}))
    model.set_value_column("share", np.array([0.5, np.nan, -0.25, 0.0]), number_format="{:+.2f}")
    assert model.columnCount() == 3 and model.headerData(2, H) == "share"
    assert [model.data(model.index(r, 2)) for r in range(4)] == ["+0.50", "–", "-0.25", "+0.00"]
    model.sort(2, Qt.SortOrder.AscendingOrder)
    np.testing.assert_array_equal(model.row_order(), [2, 3, 0, 1])  # NaN last
    # New numbers in place: the sort by this column follows them.
    model.set_value_column("share", np.array([1.0, 2.0, 3.0, -1.0]), muted=[0, 0, 1, 0])
    np.testing.assert_array_equal(model.row_order(), [3, 0, 1, 2])
    assert model.data(model.index(3, 2), Qt.ItemDataRole.ForegroundRole) == MUTED_TEXT_COLOR
    with pytest.raises(ValueError, match="expected"):
        model.set_value_column("share", np.zeros(3))
    model.set_value_column(None)
    assert model.columnCount() == 2 and model.sort_column() == -1
    assert list(model.frame().columns) == ["a", "label"]  # the frame never held it


def test_without_the_row_before_the_step_the_bars_say_they_are_the_full_batch_gradient():
    from types import SimpleNamespace

    from gdapp.core.trainer import TrainConfig
    from gdapp.ui.panels.contributions_view import row_shares

    rng = np.random.default_rng(2)
    X = rng.normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(float)
    theta = np.array([0.3, -0.2, 0.1])
    snapshot = SimpleNamespace(
        config=TrainConfig(batch_size=5),
        step_count=7,
        last_batch=np.array([1, 4, 9, 12, 15]),
        theta=theta,
    )
    held = SimpleNamespace(row_at=lambda step: None)  # a deep step back dropped row 6
    shares = row_shares(X, y, snapshot, held)
    assert not shares.exact and shares.shares.in_batch.all()
    a = 1.0 / (1.0 + np.exp(-(X @ theta[:-1] + theta[-1])))
    np.testing.assert_allclose(shares.shares.rows[:, 0], (a - y) * X[:, 0] / 20, rtol=1e-12)
    before = np.array([0.5, 0.5, -0.5])
    kept = SimpleNamespace(row_at=lambda step: {"theta": before} if step == 6 else None)
    shares = row_shares(X, y, snapshot, kept)
    assert shares.exact and shares.shares.in_batch.sum() == 5
    np.testing.assert_array_equal(shares.shares.theta, before)


def test_a_hidden_view_waits_and_catches_up_when_shown(qtbot, page):
    panel, view, ctrl = page
    qtbot.waitUntil(lambda: view.current_shares() is not None, timeout=5000)
    panel.hide()
    count = view.refresh_count
    step_and_wait(qtbot, ctrl, 3)
    qtbot.wait(3 * 100)
    assert view.refresh_count == count  # nothing computed for a page nobody sees
    panel.show()
    qtbot.waitUntil(lambda: view.current_shares().step == 3, timeout=5000)


def test_text_reads_at_11_px_or_more(qtbot, page):
    from PySide6.QtGui import QFontInfo

    panel, view, ctrl = page
    for widget in view.findChildren(QLabel) + view.findChildren(QComboBox):
        assert QFontInfo(widget.font()).pixelSize() >= 11, widget.objectName()
    item = view.plot_widget().getPlotItem()
    for side in ("left", "bottom"):
        assert item.getAxis(side).style["tickFont"].pixelSize() >= 11


def test_a_hidden_layers_parameters_are_named_and_their_shares_add_up(qtbot, page):
    _, view, session = page
    session.set_config(model="mlp", hidden=3, activation="tanh", lr=0.5)
    qtbot.waitUntil(
        lambda: session.last_snapshot is not None and session.last_snapshot.config.model == "mlp",
        timeout=10_000,
    )
    step_and_wait(qtbot, session, 5)
    view.refresh_now()
    combo = view.findChild(QComboBox, "contributionTarget")
    names = [combo.itemText(i) for i in range(1, combo.count())]
    d = session.dataset.X_train.shape[1]
    assert names[0] == f"h1:{session.dataset.feature_names[0]}" and names[-1] == "out:bias"
    assert len(names) == 3 * d + 2 * 3 + 1
    # The last step's shares add up to what plain gradient descent stepped with.
    before, after = session.history.row_at(4)["theta"], session.history.row_at(5)["theta"]
    shares = view.current_shares().shares
    np.testing.assert_allclose(
        shares.rows.sum(axis=0) + shares.penalty, (before - after) / 0.5, rtol=0, atol=1e-12
    )


def test_every_bar_is_in_view_and_a_refresh_keeps_the_axis_labels(qtbot, page, monkeypatch):
    panel, view, ctrl = page
    ctrl.set_config(l2=0.5)  # a penalty bar too, left of the rows
    qtbot.waitUntil(
        lambda: ctrl.last_snapshot is not None and ctrl.last_snapshot.config.l2 == 0.5, timeout=5000
    )
    step_and_wait(qtbot, ctrl, 5)
    view.refresh_now()
    box = view.plot_widget().getPlotItem().getViewBox()
    (left, right), (bottom, top) = box.viewRange()
    drawn = view.bar_heights()
    heights = np.array([*drawn.values(), view.penalty_height()])
    assert bottom <= min(0.0, heights.min()) and top >= max(0.0, heights.max())
    centres = [view.bar_center(position).x() for position in drawn]
    assert left <= min(centres) - BAR_WIDTH / 2 and right >= max(centres) + BAR_WIDTH / 2
    labels = []
    for side in ("left", "bottom"):
        axis = view.plot_widget().getPlotItem().getAxis(side)
        monkeypatch.setattr(axis, "setLabel", lambda *a, **k: labels.append(a))
    step_and_wait(qtbot, ctrl, 3)
    view.refresh_now()  # the same target and order: the labels stand
    assert labels == []
    view.findChild(QCheckBox, "contributionSortToggle").setChecked(False)
    assert len(labels) == 1  # the bottom axis now says it shows the rows in order
