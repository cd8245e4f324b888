"""Snapshot rows stay exact when the trainer recomputes old parameters from checkpoints."""

from __future__ import annotations

import numpy as np

from gdapp.core.trainer import CHECKPOINT_INTERVAL, Trainer
from gdapp.ui.controller import TrainingSession

STEPS = 2 * CHECKPOINT_INTERVAL + 300
BACK = CHECKPOINT_INTERVAL + 200  # lands two checkpoints back


class Recorder:
    """Rebuilds the theta rows from the snapshots the way a panel does."""

    def __init__(self, controller: TrainingSession) -> None:
        self.last = None
        self.theta: list[np.ndarray] = []
        controller.snapshot_ready.connect(self._on_snapshot)

    def _on_snapshot(self, snapshot) -> None:
        self.last = snapshot
        self.theta = self.theta[: snapshot.first_row] + list(snapshot.rows["theta"])


def settled(controller: TrainingSession, recorder: Recorder, step_count: int) -> bool:
    last = recorder.last
    return last is not None and last.step_count == step_count and not controller.is_running


def reference_thetas(controller: TrainingSession, steps: int) -> np.ndarray:
    """theta after each of ``steps`` steps of a fresh trainer, read as the steps are taken."""
    data = controller.dataset
    trainer = Trainer(data.X_train, data.y_train, data.X_test, data.y_test, controller.config)
    rows = [trainer.theta]
    for _ in range(steps):
        trainer.step()
        rows.append(trainer.theta)
    return np.array(rows)


def test_rows_stay_exact_through_step_back_and_a_full_resend(qtbot, controller):
    recorder = Recorder(controller)
    controller.set_config(optimizer="adam", batch_size=32, lr=0.05, max_epochs=10**7)
    controller.step(STEPS)
    qtbot.waitUntil(lambda: settled(controller, recorder, STEPS), timeout=20_000)
    expected = reference_thetas(controller, STEPS)
    np.testing.assert_array_equal(recorder.theta, expected)

    for _ in range(BACK):
        controller.step_back()
    qtbot.waitUntil(lambda: settled(controller, recorder, STEPS - BACK), timeout=20_000)
    np.testing.assert_array_equal(recorder.theta, expected[: STEPS - BACK + 1])
    np.testing.assert_array_equal(recorder.last.theta, expected[STEPS - BACK])

    controller.request_snapshot()  # every row again: older ones are recomputed
    qtbot.waitUntil(lambda: recorder.last.first_row == 0, timeout=20_000)
    assert recorder.last.history_length == STEPS - BACK + 1
    np.testing.assert_array_equal(
        np.array(recorder.last.rows["theta"]), expected[: STEPS - BACK + 1]
    )

    controller.step(10)  # and the run goes on where the reference does
    qtbot.waitUntil(lambda: settled(controller, recorder, STEPS - BACK + 10), timeout=20_000)
    np.testing.assert_array_equal(recorder.theta, expected[: STEPS - BACK + 11])
