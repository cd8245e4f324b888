"""A workspace page that is not in front waits: a new dataset costs it nothing until shown.

A lesson step or a preset loads a new dataset while the learner looks at the plots; the
Dataset page behind them would otherwise sum up every column and redraw its contributions
chart on the GUI thread for a picture no one sees. When the page comes to the front it
shows the new dataset, with nothing left from the old one.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QTableView
from support.windows import shown_window

from gdapp.core.trainer import model_for
from gdapp.ui.models.dataframe_model import summarize
from gdapp.ui.panels import dataset_browser
from gdapp.ui.panels.dataset_browser import DatasetBrowserPanel

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


@pytest.fixture
def window(qtbot):
    """The window on the plots page, its Dataset page built and drawn once behind them."""
    window = shown_window(qtbot)
    window.show_page("data")
    browser = window.findChild(DatasetBrowserPanel)
    qtbot.waitUntil(lambda: browser.contributions_view().drawn_rows().size > 0)
    window.show_page("plots")
    yield window
    window.close()


def test_a_hidden_dataset_page_waits_then_shows_the_new_dataset(qtbot, window, monkeypatch):
    controller = window.controller
    browser = window.findChild(DatasetBrowserPanel)
    view = browser.contributions_view()
    old_rows = len(controller.dataset.train_idx)  # diabetes: 614 training rows
    summed, drawn = [], []
    monkeypatch.setattr(
        dataset_browser, "summarize", lambda frame: summed.append(frame) or summarize(frame)
    )
    draw = view._draw
    monkeypatch.setattr(view, "_draw", lambda: drawn.append(1) or draw())

    controller.load_preset("moons")
    qtbot.wait(100)  # its first snapshot comes and goes
    assert summed == [] and drawn == []  # nothing summed or drawn behind the plots

    window.show_page("data")
    ds = controller.dataset
    new_rows = len(ds.train_idx)
    assert new_rows < old_rows  # so that a bar left from diabetes would show
    # At once: no bar of the old dataset, and the summary is the new table's.
    assert view.drawn_rows().size == 0 or view.drawn_rows().max() < new_rows
    # What the strip on screen holds (its own model, not an accessor that would catch up).
    summary = browser.findChild(QTableView, "columnSummary").model().table()
    features = list(ds.feature_names)
    np.testing.assert_allclose(summary.loc["max", features], ds.raw[features].max(), rtol=0)
    np.testing.assert_allclose(summary.loc["min", features], ds.raw[features].min(), rtol=0)
    # And then the new dataset's bars, one per training row.
    qtbot.waitUntil(lambda: view.drawn_rows().size == new_rows)
    assert sorted(view.drawn_rows().tolist()) == list(range(new_rows))


def test_hidden_plots_lay_out_a_new_dataset_and_model_only_when_shown(qtbot, window):
    controller = window.controller
    plots = window.plots_panel
    window.show_page("data")  # the plots behind it
    laid_out = []
    lay_out = plots._lay_out_params
    plots._lay_out_params = lambda config: laid_out.append(config) or lay_out(config)

    controller.load_preset("xor")
    controller.set_config(model="mlp", hidden=4)  # a hidden layer: 17 parameters
    qtbot.wait(100)
    assert laid_out == []  # no legend, bar or picker laid out behind the data page

    window.show_page("plots")
    # Laid out once, for the dataset and model as they are now, before the first frame.
    assert len(laid_out) == 1 and (laid_out[0].model, laid_out[0].hidden) == ("mlp", 4)
    params = model_for(controller.config).param_names(controller.dataset.feature_names)
    names = [name for _, name in plots.weights_legend.rows]
    assert len(params) == 17 and len(names) == len(plots.shown_params)
    assert set(names) <= set(params)  # the hidden layer's parameters, none of diabetes
    frames = plots.redraw_count
    qtbot.waitUntil(lambda: plots.redraw_count > frames)  # and its curves drawn


def test_a_row_chosen_while_the_page_is_hidden_is_marked_when_it_is_shown(qtbot, window):
    controller = window.controller
    view = window.findChild(DatasetBrowserPanel).contributions_view()
    ds = controller.dataset
    position = 5
    controller.select_sample(int(ds.train_idx[position]))  # from another page: a graph node
    window.show_page("data")
    assert view.selected_position() == position


def test_the_summary_accessors_answer_for_the_new_dataset_while_hidden(qtbot, window):
    controller = window.controller
    browser = window.findChild(DatasetBrowserPanel)
    controller.load_preset("xor")
    ds = controller.dataset
    assert not browser.isVisible()
    summary = browser.summary_frame()  # asked for: computed now, though the page is hidden
    np.testing.assert_allclose(
        summary.loc["mean", list(ds.feature_names)],
        ds.raw[list(ds.feature_names)].mean(),
        rtol=1e-12,
    )


def test_a_lesson_step_that_leaves_the_dataset_page_draws_nothing_there(qtbot, window, monkeypatch):
    """Lesson 1 shows the Dataset page; a step of lesson 14 loads the xor table and shows
    the plots. The Dataset page is out of sight while the step loads its table, so its
    contributions chart draws nothing for a dataset it is about to leave; the plots page
    shows the new run, and the Dataset page shows the new table when it comes back."""
    panel = window.lesson_panel
    panel.goto(0, 0)
    assert window.workspace.current_page == "data"
    view = window.findChild(DatasetBrowserPanel).contributions_view()
    qtbot.waitUntil(lambda: view.drawn_rows().size > 0)
    drawn = []
    draw = view._draw
    monkeypatch.setattr(view, "_draw", lambda: drawn.append(1) or draw())

    panel.goto(13, 1)  # 14.2: the hidden layer on the xor table, on the plots page
    assert window.controller.dataset.name == "xor"
    assert window.workspace.current_page == "plots"
    assert drawn == []
    assert not view.isVisible()

    window.show_page("data")  # the table and chart of the new dataset, nothing of the old
    n_rows = len(window.controller.dataset.train_idx)
    assert view.drawn_rows().size == 0 or view.drawn_rows().max() < n_rows
    table = window.findChild(QTableView, "datasetTable")
    assert table.model().rowCount() == window.controller.dataset.n_samples


def test_a_page_kept_out_of_sight_comes_back_when_no_other_page_was_shown(qtbot, window):
    workspace = window.workspace
    plots = workspace.page("plots")
    assert workspace.current_page == "plots" and plots.isVisible()
    with workspace.out_of_sight_unless("plots"):  # the page the change shows: left alone
        assert plots.isVisible()
    with workspace.out_of_sight_unless("graph"):
        assert not plots.isVisible()
    assert workspace.current_page == "plots" and plots.isVisible()  # no page came in front
    with workspace.out_of_sight_unless("graph"):
        workspace.show_page("graph")
    assert workspace.page("graph").isVisible() and not plots.isVisible()
