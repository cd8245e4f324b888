"""A run the trainer stops as diverging: the window says why and offers both ways on."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QPushButton, QToolButton

from gdapp.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.controller.last_snapshot is not None)
    return win


def run_until_diverging(qtbot, win: MainWindow, lr: float, max_epochs: int) -> None:
    win.findChild(QAbstractSpinBox, "learningRateInput").setValue(lr)
    win.findChild(QAbstractSpinBox, "maxEpochsInput").setValue(max_epochs)
    qtbot.waitUntil(
        lambda: (
            win.controller.last_snapshot is not None
            and win.controller.last_snapshot.config.max_epochs == max_epochs
        )
    )
    qtbot.mouseClick(win.findChild(QToolButton, "runButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            win.controller.last_snapshot is not None
            and win.controller.last_snapshot.status == "diverging"
        )
    )
    qtbot.waitUntil(lambda: not win.controller.is_running)


def test_the_stop_explains_itself_and_the_fix_divides_the_rate(qtbot, window):
    run_until_diverging(qtbot, window, 100.0, 1000)
    snapshot = window.controller.last_snapshot
    assert snapshot.step_count == 20
    bar = window.message_bar
    assert bar.isVisible() and "Training is diverging." in bar.text
    assert "for the last 20 steps the loss stayed more than 25 %" in bar.text.lower()
    assert f"(0.693 → {snapshot.rows['train_loss'][-1]:.3g})" in bar.text
    assert window.statusBar().currentMessage() == (
        "Stopped: diverging at step 20, learning rate too large"
    )
    names = [b.objectName() for b in bar.buttons()]
    assert names == ["divergeResetButton", "keepGoingButton"]
    fix = bar.findChild(QPushButton, "divergeResetButton")
    assert fix.text() == "Reset with learning rate ÷ 10 (10)"
    qtbot.mouseClick(fix, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            window.controller.last_snapshot is not None
            and window.controller.last_snapshot.status == "ready"
        )
    )
    assert window.controller.config.lr == 10.0
    assert window.controller.last_snapshot.step_count == 0
    assert not bar.isVisible()


def test_keep_going_runs_on_to_the_next_stop(qtbot, window):
    run_until_diverging(qtbot, window, 100.0, 60)
    keep = window.message_bar.findChild(QPushButton, "keepGoingButton")
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            window.controller.last_snapshot.status == "max_epochs"
            and not window.controller.is_running
        )
    )
    snapshot = window.controller.last_snapshot
    assert snapshot.step_count == 60
    assert math.isfinite(snapshot.rows["train_loss"][-1])
    assert "maximum of 60 epochs" in window.message_bar.text
