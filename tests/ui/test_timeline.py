"""The timeline: scrubbing shows any step exactly, forking keeps the old branch in view."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QSlider

from gdapp.core.trainer import Trainer
from gdapp.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


@pytest.fixture
def window(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.lesson_panel.leave()
    window.show_page("plots")
    qtbot.waitUntil(lambda: window.controller.last_snapshot is not None)
    yield window
    window.close()


def settle(qtbot, window, step):
    controller = window.controller

    def done():
        snap = controller.last_snapshot
        return (
            snap is not None
            and not controller.is_running
            and snap.commands_seen == controller.commands_sent
            and snap.step_count == step
        )

    qtbot.waitUntil(done, timeout=20_000)
    return controller.last_snapshot


def fresh(window, steps, lr_changes=()):
    dataset, config = window.controller.dataset, window.controller.config
    trainer = Trainer(dataset.X_train, dataset.y_train, config=config)
    changes = dict(lr_changes)
    for k in range(steps):
        if k in changes:
            trainer.set_lr(changes[k])
        trainer.step()
    return trainer


def test_scrubbing_shows_any_step_exactly_and_forward_again_repeats_it(qtbot, window):
    controller = window.controller
    controller.set_config(optimizer="momentum", lr=0.5, batch_size=32, seed=3)
    controller.reset()
    controller.step(300)
    end = settle(qtbot, window, 300).theta.copy()
    slider = window.findChild(QSlider, "timelineSlider")
    assert slider.maximum() == 300 and slider.value() == 300
    slider.setValue(120)
    snap = settle(qtbot, window, 120)
    np.testing.assert_array_equal(snap.theta, fresh(window, 120).theta)
    assert window.status_labels["epoch"].text().startswith("Epoch")
    assert slider.maximum() == 300  # the branch is still there to go back to
    loss = window.controller.history.column("train_loss")
    np.testing.assert_array_equal(loss, fresh(window, 120).history.train_loss[: len(loss)])
    branch = window.plots_panel.branch_curve
    assert branch.isVisible()
    y = branch.yData  # the data given, not what the view downsampled it to
    assert len(y) == 301 and y[-1] == pytest.approx(fresh(window, 300).history.train_loss[-1])
    slider.setValue(300)
    np.testing.assert_array_equal(settle(qtbot, window, 300).theta, end)


def test_step_back_moves_the_timeline_one_step(qtbot, window):
    controller = window.controller
    controller.step(10)
    settle(qtbot, window, 10)
    window.training_bar.step_back_action.trigger()
    settle(qtbot, window, 9)
    slider = window.findChild(QSlider, "timelineSlider")
    assert slider.value() == 9
    np.testing.assert_array_equal(controller.last_snapshot.theta, fresh(window, 9).theta)


def test_continue_from_here_forks_with_new_settings_and_keeps_the_old_branch(qtbot, window):
    controller = window.controller
    controller.set_config(optimizer="gd", lr=2.0)
    controller.reset()
    controller.step(200)
    settle(qtbot, window, 200)
    old_end = fresh(window, 200).history.train_loss[-1]
    slider = window.findChild(QSlider, "timelineSlider")
    slider.setValue(50)
    settle(qtbot, window, 50)
    fork = window.findChild(QPushButton, "forkButton")
    assert fork.isEnabled()
    controller.set_config(lr=0.1, max_epochs=120)  # a different rate from step 50 on
    qtbot.mouseClick(fork, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            controller.last_snapshot is not None and controller.last_snapshot.status == "max_epochs"
        ),
        timeout=20_000,
    )
    snap = controller.last_snapshot
    assert snap.step_count == 120
    reference = fresh(window, 120, lr_changes=[(0, 2.0), (50, 0.1)])
    np.testing.assert_array_equal(snap.theta, reference.theta)
    y = window.plots_panel.branch_curve.yData
    assert y[-1] == pytest.approx(old_end)  # the abandoned branch is still drawn
    assert slider.maximum() == 120 and not fork.isEnabled()
