"""The window as a learner meets it: it fits the screen, the controls never hide, the text
scales for a projector, and words say what the controls do."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QStatusBar,
    QTableView,
    QToolButton,
    QWidget,
)

# isort: split
import pyqtgraph as pg
from support.windows import shown_window

from gdapp.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


@pytest.fixture
def window(qtbot):
    window = shown_window(qtbot)
    yield window
    window.close()


@pytest.mark.parametrize("size", [(1024, 768), (1280, 800), (1920, 1080)])
def test_the_toolbar_shows_every_control_and_the_workspace_gets_the_room(qtbot, window, size):
    window.resize(*size)
    qtbot.wait(50)
    extension = window.training_bar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert extension is None or not extension.isVisible()  # nothing folded away
    for name in ("stepButton", "runButton", "pauseButton", "resetButton", "stepBackButton",
                 "learningRateInput", "optimizerInput", "batchSizeInput", "speedInput",
                 "settingsButton"):  # fmt: skip
        widget = window.findChild(QWidget, name)
        assert widget.isVisible(), name
        assert window.rect().contains(widget.mapTo(window, widget.rect().bottomRight())), name
    lesson, workspace = window.lesson_dock.width(), window.workspace.width()
    assert workspace > 2 * lesson  # the pages get the space, the lesson a readable column
    assert lesson >= 280


def test_the_window_fits_1024_by_768_and_can_shrink_to_1024_by_700(window):
    assert window.minimumSizeHint().width() <= 1024 and window.minimumSizeHint().height() <= 700
    window.resize(1024, 700)
    assert window.width() == 1024 and window.height() == 700


def test_the_dataset_table_shows_at_least_eight_rows_with_the_summary_on(qtbot, window):
    window.show_page("data")
    summary = window.findChild(QCheckBox, "summaryToggle")
    summary.setChecked(True)
    qtbot.wait(50)
    table = window.findChild(QTableView, "datasetTable")
    first = table.rowAt(0)
    last = table.rowAt(table.viewport().height() - 1)
    assert first == 0 and last - first + 1 >= 8


def test_classroom_zoom_scales_every_text_and_is_remembered(qtbot, window):
    base = QFont(QApplication.font()).pointSizeF()
    text = window.lesson_panel._text
    text_px = text.text_px
    window.show_page("plots")
    view = window.findChild(pg.GraphicsView, "lossPlot")
    axis = next(item for item in view.scene().items() if isinstance(item, pg.AxisItem))
    for _ in range(2):
        qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    factor = window.text_scale.factor
    assert factor == pytest.approx(1.3)  # 1 -> 1.15 -> 1.3
    assert QApplication.font().pointSizeF() == pytest.approx(base * factor)
    assert text.text_px == round(text_px * factor)
    axes = [i for i in view.scene().items() if isinstance(i, pg.AxisItem)]
    assert axis in axes
    for each in axes:
        assert each.style["tickFont"].pointSizeF() == pytest.approx(base * factor)
    table = window.findChild(QTableView, "datasetTable")
    assert table.font().pointSizeF() == pytest.approx(base * factor)
    panel = window.findChild(QWidget, "plotsPanel")
    legend = panel.weights_legend  # drawn by the app
    assert legend.text_points == pytest.approx(base * factor)
    # The bars' value labels are smaller than the rest (8 pt), and grow by the same factor.
    sizes = [label.textItem.font().pointSizeF() for label in panel._bar_labels]
    assert sizes == pytest.approx([8.0 * factor] * len(sizes))
    window.close()

    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.text_scale.factor == pytest.approx(factor)
    assert again.font().pointSizeF() == pytest.approx(base * factor)
    again.findChild(QAction, "zoomResetAction").trigger()  # Ctrl+0
    assert QApplication.font().pointSizeF() == pytest.approx(base)
    again.close()
    assert QApplication.font().pointSizeF() == pytest.approx(base)


def test_step_and_run_say_why_they_are_off_on_the_posts_example_graph(qtbot, window):
    window.show_page("graph")
    window.view_model.update(graph_view="example")
    step, run = (window.findChild(QToolButton, n) for n in ("stepButton", "runButton"))
    assert not step.isEnabled() and not run.isEnabled()
    assert "a, b, c graph" in step.toolTip() and "a, b, c graph" in run.toolTip()
    window.view_model.update(graph_view="sample")
    assert step.isEnabled() and run.isEnabled()
    assert "gradient step" in step.toolTip().lower()


def test_a_learning_rate_above_the_range_is_clamped_and_said(qtbot, window):
    box = window.findChild(QAbstractSpinBox, "learningRateInput")
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "1000")
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert window.controller.config.lr == pytest.approx(box.maximum())
    assert "at most" in window.statusBar().currentMessage()


@pytest.mark.parametrize("view", ["sample", "batch", "example"])
def test_the_graph_reads_at_eleven_pixels_in_the_default_window(qtbot, window, view):
    window.lesson_panel.leave()
    window.show_page("graph")
    window.view_model.update(graph_view=view)
    panel = window.graph_panel
    qtbot.waitUntil(lambda: panel.displayed_values() != {}, timeout=5000)
    qtbot.wait(50)
    assert panel.min_text_px() >= 11.0, (view, panel.min_text_px(), panel.size())


def test_the_graph_follows_the_linear_model(qtbot, window):
    window.lesson_panel.leave()
    window.show_page("graph")
    controller = window.controller
    window.findChild(QWidget, "modelInput").setCurrentIndex(
        window.findChild(QWidget, "modelInput").findData("linear")
    )
    controller.select_sample(5)
    qtbot.waitUntil(
        lambda: (
            controller.last_snapshot is not None
            and controller.last_snapshot.config.model == "linear"
        )
    )
    controller.step(3)
    qtbot.waitUntil(
        lambda: controller.last_snapshot is not None and controller.last_snapshot.step_count == 3
    )
    window.view_model.update(graph_view="sample")
    panel = window.graph_panel
    qtbot.waitUntil(lambda: "L" in panel.displayed_values(), timeout=5000)
    theta = controller.last_snapshot.theta
    dataset = controller.dataset
    prediction = dataset.X[5] @ theta[:-1] + theta[-1]
    expected = (prediction - dataset.y[5]) ** 2  # squared error, as the trainer's loss
    assert float(panel.displayed_values()["L"].value) == pytest.approx(expected, rel=1e-9)


def test_ctrl_5_shows_the_boundary_page_and_its_plot_gets_the_room(qtbot, window):
    window.lesson_panel.leave()
    window.resize(1024, 768)
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.current_page == "boundary" == window.view_model.state.page
    panel = window.boundary_panel
    qtbot.waitUntil(lambda: panel.redraw_count > 0)
    assert panel.plot.height() > 0.6 * panel.height()
    for name in ("boundaryFeatureX", "boundaryFeatureY", "boundaryHeldToggle", "boundaryPlot"):
        widget = window.findChild(QWidget, name)
        assert widget.isVisible(), name
        assert window.rect().contains(widget.mapTo(window, widget.rect().bottomRight())), name


def test_a_long_note_in_the_status_bar_ends_in_an_ellipsis_and_stays_whole_in_its_tooltip(
    qtbot, window
):
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: window.width() == 1024)
    bar = window.statusBar()
    note = "Changed model: training restarted at epoch 0, " + "and more words " * 8
    bar.showMessage(note, 5000)
    assert bar.currentMessage() == note
    room = bar.width() - sum(label.width() for label in bar.labels.values())
    shown = QStatusBar.currentMessage(bar)
    assert shown.endswith("…") and bar.fontMetrics().horizontalAdvance(shown) <= room
    assert bar.toolTip() == note
