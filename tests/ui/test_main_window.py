"""The real main window, driven through its widgets and shortcuts, checked against the core."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QMessageBox,
    QPushButton,
    QSlider,
    QTableView,
    QToolButton,
)
from support.fresh_process import run_code

from gdapp.core.trainer import TrainConfig, Trainer
from gdapp.ui.main_window import WINDOW_TITLE, MainWindow

LONG = 10**7  # max epochs a test run never reaches


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: win.controller.last_snapshot is not None)
    return win


def button(win: MainWindow, name: str) -> QToolButton:
    found = win.findChild(QToolButton, name)
    assert found is not None, name
    return found


def snapshot_at(qtbot, win: MainWindow, step_count: int):
    ctrl = win.controller
    qtbot.waitUntil(
        lambda: ctrl.last_snapshot.step_count == step_count and not ctrl.is_running,
        timeout=5000,
    )
    return ctrl.last_snapshot


def caught_up(qtbot, controller):
    """Ask for a full snapshot and wait for the answer.

    The worker handles commands in the order they were sent, so the answer comes after
    every earlier command has been carried out.
    """
    asked = controller._commands_sent + 1
    controller.request_snapshot()
    qtbot.waitUntil(
        lambda: (
            controller.last_snapshot is not None and controller.last_snapshot.commands_seen >= asked
        ),
        timeout=5000,
    )
    return controller.last_snapshot


def redrawn(qtbot, win: MainWindow) -> None:
    """Wait until the plots show the latest snapshot."""
    win.show_page("plots")  # a hidden panel draws nothing until it is shown
    panel = win.plots_panel

    def drawn() -> bool:
        # Draw what is due now rather than at the pace's next frame. A redraw made while a
        # change (the first lesson step, later on a loaded machine) is still on its way
        # clears the curves instead: the wait goes on until they hold the history.
        panel.redraw()
        x = panel.curves["train_loss"].xData
        return (
            panel._history.point_count > 0
            and x is not None
            and len(x) == panel._history.point_count
        )

    qtbot.waitUntil(drawn)


def plotted_arrays(win: MainWindow):
    panel = win.plots_panel
    for curve in (*panel.curves.values(), *panel.weight_curves):
        if curve.xData is not None:
            yield curve.xData
            yield curve.yData
    for head in panel.heads.values():
        yield np.array([head.pos().x(), head.pos().y()])
    yield panel.bars.opts["width"]


def reference_trainer(win: MainWindow, config: TrainConfig) -> Trainer:
    data = win.controller.dataset
    return Trainer(data.X_train, data.y_train, data.X_test, data.y_test, config)


def test_window_opens_on_the_diabetes_preset_ready_for_step(window):
    assert window.windowTitle() == WINDOW_TITLE
    assert window.controller.dataset.name == "diabetes"
    assert window.controller.last_snapshot.step_count == 0
    assert button(window, "stepButton").isEnabled()
    assert button(window, "runButton").isEnabled()
    assert not button(window, "pauseButton").isEnabled()
    for name in ("stepButton", "runButton", "pauseButton", "resetButton", "stepBackButton"):
        assert "(" in button(window, name).toolTip() or name in ("runButton", "pauseButton")
    for kind, name in (
        (QAbstractSpinBox, "learningRateInput"),
        (QComboBox, "optimizerInput"),
        (QAbstractSpinBox, "batchSizeInput"),
        (QSlider, "speedInput"),
        (QTableView, "datasetTable"),
    ):
        assert window.findChild(kind, name) is not None, name
    for name in ("lossPlot", "accuracyPlot", "weightsPlot"):
        assert window.plots_panel.findChild(type(window.plots_panel.views["loss"]), name)
    assert "diabetes" in window.status_labels["dataset"].text()


def test_step_adds_exactly_one_point_to_the_loss_plot_and_changes_the_weights(qtbot, window):
    redrawn(qtbot, window)
    loss_curve = window.plots_panel.curves["train_loss"]
    assert len(loss_curve.xData) == 1
    weights_before = [curve.yData[-1] for curve in window.plots_panel.weight_curves]

    qtbot.mouseClick(button(window, "stepButton"), Qt.MouseButton.LeftButton)
    snap = snapshot_at(qtbot, window, 1)
    redrawn(qtbot, window)

    assert len(loss_curve.xData) == 2
    np.testing.assert_array_equal(loss_curve.xData, [0.0, 1.0])
    weights_after = [curve.yData[-1] for curve in window.plots_panel.weight_curves]
    assert weights_after != weights_before
    np.testing.assert_array_equal(weights_after, snap.theta)
    np.testing.assert_array_equal(window.plots_panel.bars.opts["width"], np.abs(snap.theta))
    assert window.status_labels["epoch"].text() == "Epoch 1"


def test_run_then_pause_stops_and_no_step_follows(qtbot, window):
    controller = window.controller
    controller.set_config(max_epochs=LONG)
    qtbot.mouseClick(button(window, "runButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: controller.last_snapshot is not None and controller.last_snapshot.step_count > 200
    )
    assert button(window, "pauseButton").isEnabled()
    qtbot.mouseClick(button(window, "pauseButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: controller.last_snapshot is not None and not controller.last_snapshot.running
    )
    stopped_at = controller.last_snapshot.step_count
    later: list[tuple[int, bool]] = []
    controller.snapshot_ready.connect(lambda s: later.append((s.step_count, s.running)))
    for _ in range(2):  # a run left going would step while each round trip is answered
        assert caught_up(qtbot, controller).step_count == stopped_at
    assert later == [(stopped_at, False)] * len(later)
    assert button(window, "runButton").isEnabled()
    assert not button(window, "pauseButton").isEnabled()


def test_step_back_after_five_steps_restores_the_step_four_weights_exactly(qtbot, window):
    window.controller.set_config(optimizer="momentum", batch_size=64)
    for _ in range(5):
        qtbot.keyClick(window, Qt.Key.Key_Right)
    snapshot_at(qtbot, window, 5)
    qtbot.keyClick(window, Qt.Key.Key_Left)
    snap = snapshot_at(qtbot, window, 4)
    redrawn(qtbot, window)

    reference = reference_trainer(window, window.controller.config)
    reference.run(4)
    np.testing.assert_array_equal(snap.theta, reference.theta)
    panel = window.plots_panel
    assert len(panel.curves["train_loss"].xData) == 5  # the undone point is gone
    np.testing.assert_array_equal([c.yData[-1] for c in panel.weight_curves], reference.theta)
    for index, curve in enumerate(panel.weight_curves):
        np.testing.assert_array_equal(curve.yData, reference.history.theta[:, index])


def test_learning_rate_changed_during_a_run_applies_from_the_next_step(qtbot, window):
    controller = window.controller
    lr_by_step: dict[int, float] = {}

    def record(snapshot):
        for step, lr in zip(snapshot.rows["step"], snapshot.rows["lr"], strict=True):
            lr_by_step[int(step)] = float(lr)

    controller.snapshot_ready.connect(record)
    controller.set_config(max_epochs=LONG)
    controller.set_speed(500)
    lr_input = window.findChild(QAbstractSpinBox, "learningRateInput")
    qtbot.mouseClick(button(window, "runButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: controller.last_snapshot is not None and controller.last_snapshot.step_count >= 20
    )
    lr_input.setValue(0.02)
    changed_at = controller.last_snapshot.step_count
    qtbot.waitUntil(
        lambda: (
            controller.last_snapshot is not None
            and controller.last_snapshot.step_count >= changed_at + 30
        )
    )
    qtbot.mouseClick(button(window, "pauseButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: controller.last_snapshot is not None and not controller.last_snapshot.running
    )

    lrs = [lr_by_step[k] for k in range(1, controller.last_snapshot.step_count + 1)]
    first_new = lrs.index(0.02)
    assert first_new >= changed_at - 1  # not before the change was made
    assert set(lrs[:first_new]) == {0.1} and set(lrs[first_new:]) == {0.02}
    assert controller.config.lr == 0.02 and controller.last_snapshot.lr == 0.02


def test_closing_during_a_run_leaves_no_running_thread(qtbot, window):
    window.controller.set_config(max_epochs=LONG)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(
        lambda: (
            window.controller.last_snapshot is not None and window.controller.last_snapshot.running
        )
    )
    window.close()
    assert not window.controller.thread_running
    # The thread is joined, so whatever it queued is posted already: deliver all of it now
    # (a Qt warning or a crash from it fails the test).
    QApplication.sendPostedEvents()
    QApplication.processEvents()


def test_a_bad_csv_shows_an_error_and_keeps_the_old_data(qtbot, window, tmp_path):
    bad = tmp_path / "broken.csv"
    bad.write_text("glucose,bmi,outcome\n148,33.6,1\n85,abc,0\n183,23.3,1\n")
    before = window.controller.dataset
    qtbot.keyClick(window, Qt.Key.Key_Right)
    snapshot_at(qtbot, window, 1)

    assert not window.controller.load_csv(bad, label="outcome")

    box = window.findChild(QMessageBox, "errorDialog")
    assert box is not None and box.isVisible()
    assert "broken.csv" in box.text() and "line 3" in box.text()
    assert window.controller.dataset is before
    assert window.controller.last_snapshot.step_count == 1  # training untouched too
    table = window.findChild(QTableView, "datasetTable")
    assert table.model().rowCount() == before.n_samples
    box.close()


def test_divergence_pauses_with_a_reason_and_one_click_divides_the_rate(qtbot, window):
    model_input = window.findChild(QComboBox, "modelInput")
    model_input.setCurrentIndex(model_input.findData("linear"))
    window.findChild(QAbstractSpinBox, "learningRateInput").setValue(10.0)
    window.controller.set_config(max_epochs=LONG)
    qtbot.mouseClick(button(window, "runButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            window.controller.last_snapshot is not None
            and window.controller.last_snapshot.status == "diverged"
        )
    )
    qtbot.waitUntil(lambda: not window.controller.is_running)
    redrawn(qtbot, window)

    bar = window.message_bar
    assert bar.isVisible() and "learning rate is too large" in bar.text
    assert "learning rate too large" in window.statusBar().currentMessage()
    assert not button(window, "runButton").isEnabled()
    for values in plotted_arrays(window):
        assert np.isfinite(values).all()

    fix = bar.findChild(QPushButton, "divergeResetButton")
    qtbot.mouseClick(fix, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            window.controller.last_snapshot is not None
            and window.controller.last_snapshot.status == "ready"
        )
    )
    assert window.controller.config.lr == 1.0
    assert window.findChild(QAbstractSpinBox, "learningRateInput").value() == 1.0
    assert window.controller.last_snapshot.step_count == 0
    assert not bar.isVisible()


def test_max_epochs_pauses_with_the_reason_and_continue_doubles_it(qtbot, window):
    window.findChild(QAbstractSpinBox, "maxEpochsInput").setValue(20)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(
        lambda: (
            window.controller.last_snapshot is not None
            and window.controller.last_snapshot.status == "max_epochs"
        )
    )
    assert "maximum of 20 epochs" in window.message_bar.text
    qtbot.mouseClick(
        window.message_bar.findChild(QPushButton, "continueButton"), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(
        lambda: (
            window.controller.last_snapshot.step_count == 40
            and window.controller.last_snapshot.status == "max_epochs"
        )
    )
    assert window.controller.config.max_epochs == 40


def test_changing_a_setting_restarts_training_with_a_status_note(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_Right)
    snapshot_at(qtbot, window, 1)
    optimizer = window.findChild(QComboBox, "optimizerInput")
    optimizer.setCurrentIndex(optimizer.findData("adam"))
    snap = snapshot_at(qtbot, window, 0)
    assert snap.config.optimizer == "adam"
    assert "optimizer" in window.statusBar().currentMessage()


def test_shortcuts_act_on_training_but_not_inside_a_text_field(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    snapshot_at(qtbot, window, 2)
    lr_input = window.findChild(QAbstractSpinBox, "learningRateInput")
    lr_input.setFocus()
    qtbot.waitUntil(lr_input.hasFocus)
    line_edit = lr_input.lineEdit()
    sent = window.controller._commands_sent
    qtbot.keyClick(line_edit, Qt.Key.Key_R)
    qtbot.keyClick(line_edit, Qt.Key.Key_Left)
    assert window.controller._commands_sent == sent  # no command went to the worker
    snap = caught_up(qtbot, window.controller)
    assert (snap.step_count, snap.history_length) == (2, 3)  # no reset, no step back
    button(window, "stepButton").setFocus()
    qtbot.keyClick(window, Qt.Key.Key_R)
    snapshot_at(qtbot, window, 0)


def test_settings_are_restored_on_the_next_launch(qtbot, window):
    window.findChild(QAbstractSpinBox, "learningRateInput").setValue(0.05)
    optimizer = window.findChild(QComboBox, "optimizerInput")
    optimizer.setCurrentIndex(optimizer.findData("rmsprop"))
    window.findChild(QSlider, "speedInput").setValue(3)  # 10 steps/s
    window.preset_actions["diabetes-post"].trigger()
    qtbot.waitUntil(lambda: window.controller.dataset.name == "diabetes-post")
    window.settings_dock.show()
    window.lesson_dock.hide()
    window.resize(window.width(), 720)
    window.close()

    again = MainWindow()
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.controller.last_snapshot is not None)
    assert again.controller.dataset.name == "diabetes-post"
    assert again.controller.config.lr == 0.05 and again.controller.config.optimizer == "rmsprop"
    assert again.controller.speed == 10
    assert again.findChild(QComboBox, "optimizerInput").currentData() == "rmsprop"
    assert again.findChild(QSlider, "speedInput").value() == 3
    assert again.height() == 720  # (the offscreen screen is too narrow to check the width)
    assert again.lesson_dock.isHidden() and not again.settings_dock.isHidden()
    assert again.preset_actions["diabetes-post"].isChecked()
    again.reset_layout()
    assert not again.lesson_dock.isHidden() and again.settings_dock.isHidden()
    again.close()


def test_export_plot_image_writes_png_files(qtbot, window, tmp_path):
    qtbot.keyClick(window, Qt.Key.Key_Right)
    snapshot_at(qtbot, window, 1)
    redrawn(qtbot, window)
    for key in (None, "loss", "weights"):
        path = tmp_path / f"{key}.png"
        assert window.export_plot(key, str(path))
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_view_menu_toggles_every_dock_and_help_opens_without_blocking(qtbot, window):
    docks = window.findChildren(QDockWidget)
    assert {d.objectName() for d in docks} == {"lessonDock", "settingsDock"}
    view_actions = {a.text() for a in window.view_menu.actions()}
    for dock in docks:
        assert dock.toggleViewAction().text() in view_actions
    for page, action in window.page_actions.items():
        action.trigger()
        if page == "figure":  # no lesson figure is set: the page stays where it was
            assert window.workspace.current_page != "figure"
        else:
            assert window.workspace.current_page == page == window.view_model.state.page
    window.show_shortcuts()
    window.show_about()
    shortcuts = window.findChild(QMessageBox, "shortcutsDialog")
    about = window.findChild(QMessageBox, "aboutDialog")
    assert shortcuts.isVisible() and "Space" in shortcuts.text()
    for key in ("Alt+Right", "Alt+Left", "Esc", "Ctrl+=", "Ctrl+0", "F1"):
        assert f"<b>{key}" in shortcuts.text(), key
    import gdapp

    assert gdapp.__version__ in about.text()
    shortcuts.close()
    about.close()


def test_a_loaded_csv_and_its_options_are_reopened_on_the_next_launch(qtbot, window, tmp_path):
    table = tmp_path / "small.csv"
    rows = "\n".join(f"{i},{(i * 7) % 11},{i % 2}" for i in range(40))
    table.write_text("dose,weight,cured\n" + rows + "\n")
    assert window.controller.load_csv(table, label="cured", scale="standard")
    qtbot.waitUntil(
        lambda: (snap := window.controller.last_snapshot) is not None and snap.theta.shape == (3,)
    )
    window.close()

    again = MainWindow()
    qtbot.addWidget(again)
    dataset = again.controller.dataset
    assert dataset.source == str(table) and dataset.label_name == "cured"
    assert dataset.scaler.kind == "standard"
    again.close()


def test_a_missing_last_file_falls_back_to_the_preset_and_says_why(qtbot, window, tmp_path):
    table = tmp_path / "gone.csv"
    table.write_text("a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    assert window.controller.load_csv(table)
    window.close()
    table.unlink()

    again = MainWindow()
    qtbot.addWidget(again)
    assert again.controller.dataset.name == "diabetes"
    box = again.findChild(QMessageBox, "errorDialog")
    assert box is not None and "gone.csv" in box.text()
    box.close()
    again.close()


def test_app_main_runs_the_window_and_returns_the_exit_status(isolated_settings):
    # In a fresh process: app.main() quits the application, which would end every later
    # test's event loop at once in this one.
    script = (
        "import sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from gdapp.app import main\n"
        "app = QApplication(sys.argv[:1])\n"
        "def close():\n"
        "    for widget in QApplication.topLevelWidgets():\n"
        "        widget.close()\n"
        "QTimer.singleShot(500, close)\n"
        "status = main([])\n"
        "print('status', status, QApplication.applicationName())\n"
    )
    done = run_code(script, timeout_s=60)
    assert "status 0 gdapp" in done.stdout
    assert (isolated_settings / "gdapp.ini").exists()  # the window saved its settings


def test_an_uncaught_exception_is_shown_in_a_dialog_with_the_traceback(qtbot, capsys):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gdapp.app import _on_uncaught_exception

    seen = {}

    def read_and_close():
        box = QApplication.activeModalWidget()
        seen["text"] = box.informativeText()
        seen["details"] = box.detailedText()
        box.close()

    QTimer.singleShot(100, read_and_close)
    try:
        raise ValueError("a bad value")
    except ValueError as error:
        _on_uncaught_exception(ValueError, error, error.__traceback__)
    assert "ValueError: a bad value" in seen["text"]
    assert "Traceback" in seen["details"]
    assert "a bad value" in capsys.readouterr().err


def test_the_reset_button_returns_to_step_zero(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_Right)
    snapshot_at(qtbot, window, 1)
    qtbot.mouseClick(button(window, "resetButton"), Qt.MouseButton.LeftButton)
    snap = snapshot_at(qtbot, window, 0)
    np.testing.assert_array_equal(snap.theta, 0.0)
    assert window.findChild(QMessageBox, "errorDialog") is None


def test_a_snapshot_older_than_the_last_command_does_not_bring_a_stop_banner(qtbot, window):
    controller, bar = window.controller, window.message_bar
    controller.set_config(max_epochs=20)
    controller.run()
    qtbot.waitUntil(lambda: controller.last_snapshot.status == "max_epochs")
    qtbot.waitUntil(bar.isVisible)
    stopped = controller.last_snapshot  # "stopped at 20 epochs"
    controller.set_config(max_epochs=10**9)
    controller.run()
    qtbot.waitUntil(
        lambda: (
            controller.last_snapshot.running
            and controller.last_snapshot.commands_seen == controller.commands_sent
        )
    )
    assert not bar.isVisible()
    # A stop the worker reported before the learner's last command reaches the window
    # only now, as a snapshot still queued would: the run it reports on is gone.
    controller.snapshot_ready.emit(stopped)
    assert not bar.isVisible()
    controller.pause()
    qtbot.waitUntil(lambda: not controller.is_running)


@pytest.mark.first_launch  # lesson 1 starts, on the Dataset page: the plots are built later
def test_the_plots_pages_views_are_made_one_per_turn_before_the_page(qtbot, monkeypatch):
    """The window builds the pages not in front in the background, one per turn of the
    event loop; the plots page's four plot views, most of its cost, each get a turn of
    their own before the page, which then uses them instead of making its own."""
    from gdapp.ui import plot_items

    made: list[plot_items.PlotView] = []
    init = plot_items.PlotView.__init__

    def counted_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(plot_items.PlotView, "__init__", counted_init)
    per_turn: list[tuple[int, bool]] = []  # (views made, plots page built) per idle turn
    build = MainWindow._build_next_page

    def counted_build(self):
        before, built = len(made), self.workspace.is_built("plots")
        build(self)
        per_turn.append((len(made) - before, self.workspace.is_built("plots") and not built))

    monkeypatch.setattr(MainWindow, "_build_next_page", counted_build)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.workspace.current_page != "plots" and not window.workspace.is_built("plots")
    qtbot.waitUntil(lambda: window.workspace.is_built("plots"), timeout=20_000)
    page_turn = next(k for k, (_views, page) in enumerate(per_turn) if page)
    assert per_turn[page_turn][0] == 0  # the page made no view of its own
    assert [views for views, _page in per_turn[page_turn - 4 : page_turn]] == [1, 1, 1, 1]
    panel = window.workspace.page("plots")
    assert list(panel.views.values()) == made[-4:]
    window.show_page("plots")
    qtbot.waitUntil(lambda: all(view.isVisible() for view in panel.views.values()))
    window.close()


def test_every_axis_in_the_window_writes_plain_decimals(qtbot, window):
    """No axis of any plot (pages, lesson figures, hidden top and right axes too) scales
    its numbers with a prefix such as "(x0.0001)": a learner reads the values as they are,
    and an axis with prefixes rewrites its label at every change of the view's range."""
    import pyqtgraph as pg

    from gdapp.ui.lessons.figures import FIGURE_CLASSES
    from gdapp.ui.view_state import PAGES

    qtbot.waitUntil(
        lambda: (
            all(window.workspace.is_built(page) for page in PAGES)
            and all(window.figure_page.has_figure(name) for name in FIGURE_CLASSES)
        ),
        timeout=30_000,
    )
    axes = [
        item
        for view in window.findChildren(pg.GraphicsView)
        for item in view.scene().items()
        if isinstance(item, pg.AxisItem)
    ]
    assert len(axes) >= 4 * 10  # four to a plot: every page's plots and the figures'
    for axis in axes:
        axis.setRange(0.0, 1e-4)  # a range pyqtgraph would write as "(x1e+04)"
        assert not axis.autoSIPrefix and axis.autoSIPrefixScale == 1.0
        assert "(x" not in axis.labelString()
