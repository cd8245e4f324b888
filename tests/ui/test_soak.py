"""Soak tests: many thousands of commands and snapshots between the GUI and training threads.

PySide6 6.12.0 aborts with "Fatal Python error: bool_dealloc" after a few hundred
cross-thread emits on Python 3.11 (hence the pin in pyproject.toml); these tests make sure
the pinned version carries a long session's traffic in the real window.
"""

from __future__ import annotations

import numpy as np
import pytest

from gdapp.core.trainer import TrainConfig, Trainer
from gdapp.ui.history import MAX_HELD_ROWS as MAX_POINTS
from gdapp.ui.main_window import MainWindow

STEPS = 50_000  # each is a command to the worker and a snapshot back: 100,000 emits
BURST = 1_000  # commands sent before waiting for the window to catch up


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.controller.last_snapshot is not None)
    return win


def caught_up(qtbot, controller):
    """Ask for a full snapshot and wait until the worker has answered it."""
    asked = controller._commands_sent + 1
    controller.request_snapshot()
    qtbot.waitUntil(
        lambda: (
            controller.last_snapshot is not None and controller.last_snapshot.commands_seen >= asked
        ),
        timeout=20_000,
    )
    return controller.last_snapshot


@pytest.mark.slow
def test_a_hundred_thousand_cross_thread_emits_keep_the_window_exact(qtbot, window):
    controller = window.controller
    controller.set_config(max_epochs=10 * STEPS)
    received = []
    controller.snapshot_ready.connect(lambda snapshot: received.append(snapshot.step_count))
    for sent in range(BURST, STEPS + 1, BURST):
        for _ in range(BURST):
            controller.step()
        qtbot.waitUntil(
            lambda s=sent: (
                controller.last_snapshot is not None and controller.last_snapshot.step_count == s
            ),
            timeout=20_000,
        )
    assert len(received) >= STEPS  # one snapshot per manual step
    assert received[-STEPS:] == list(range(1, STEPS + 1))

    data = controller.dataset
    reference = Trainer(data.X_train, data.y_train, data.X_test, data.y_test, controller.config)
    reference.run(STEPS)
    np.testing.assert_array_equal(controller.last_snapshot.theta, reference.theta)

    qtbot.waitUntil(lambda: not window.plots_panel._timer.isActive())
    window.plots_panel.redraw()
    x = window.plots_panel.curves["train_loss"].xData
    assert len(x) <= MAX_POINTS + 1 and x[-1] == STEPS
    np.testing.assert_array_equal(
        [curve.yData[-1] for curve in window.plots_panel.weight_curves], reference.theta
    )
    window.close()
    assert not controller.thread_running


@pytest.mark.slow
def test_run_and_pause_pressed_hundreds_of_times_end_paused_and_consistent(qtbot, window):
    controller = window.controller
    controller.set_config(max_epochs=10**9, optimizer="momentum", batch_size=16)
    for cycle in range(300):
        controller.run()
        if cycle % 3 == 0:
            qtbot.wait(2)  # let some runs take a few steps
        controller.set_config(lr=0.05 if controller.config.lr == 0.1 else 0.1)
        controller.pause()
    # The answer to a snapshot request comes after every command sent before it.
    caught_up(qtbot, controller)
    assert not controller.is_running and not controller.last_snapshot.running
    stopped = controller.last_snapshot.step_count
    assert stopped > 100

    # The run went through its commands in order: replaying its learning rates reproduces it.
    # The second round trip also shows that nothing stepped after the last Pause.
    lrs = {}
    controller.snapshot_ready.connect(
        lambda s: lrs.update(zip(s.rows["step"].tolist(), s.rows["lr"].tolist(), strict=True))
    )
    assert caught_up(qtbot, controller).step_count == stopped
    assert len(lrs) == stopped + 1
    config = TrainConfig(max_epochs=10**9, optimizer="momentum", batch_size=16)
    data = controller.dataset
    reference = Trainer(data.X_train, data.y_train, data.X_test, data.y_test, config)
    for step in range(1, stopped + 1):
        reference.set_lr(lrs[step])
        reference.step()
    np.testing.assert_array_equal(controller.last_snapshot.theta, reference.theta)
