"""TrainingSession and the training thread, checked against a core Trainer run in the test."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from gdapp.core.models import make_model
from gdapp.core.trainer import TrainConfig, Trainer
from gdapp.ui.controller import TrainingSession
from gdapp.ui.training_thread import Snapshot

LONG = 10**7  # max_epochs that a test run never reaches


class Recorder:
    """Collects the controller's snapshots and rebuilds the history the way a panel does."""

    def __init__(self, controller: TrainingSession) -> None:
        self.snapshots: list[Snapshot] = []
        self.rows: dict[str, list] = {}
        controller.snapshot_ready.connect(self._on_snapshot)

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshots.append(snapshot)
        keep = snapshot.first_row
        for key, values in snapshot.rows.items():
            if values is not None:
                self.rows[key] = self.rows.get(key, [])[:keep] + list(values)

    @property
    def last(self) -> Snapshot:
        return self.snapshots[-1]

    def column(self, key: str) -> np.ndarray:
        return np.array(self.rows[key])


def reference(controller: TrainingSession, config: TrainConfig) -> Trainer:
    dataset = controller.dataset
    return Trainer(dataset.X_train, dataset.y_train, dataset.X_test, dataset.y_test, config)


def settle(qtbot, controller: TrainingSession, recorder: Recorder, step_count: int) -> None:
    """Wait until the worker reports ``step_count`` and is idle."""
    qtbot.waitUntil(
        lambda: (
            bool(recorder.snapshots)
            and recorder.last.step_count == step_count
            and not controller.is_running
        ),
        timeout=5000,
    )


def caught_up(qtbot, controller: TrainingSession, recorder: Recorder) -> Snapshot:
    """Ask for a full snapshot and wait for the answer.

    The worker handles commands in the order they were sent, so the answer comes after
    every earlier command has been carried out.
    """
    asked = controller._commands_sent + 1
    controller.request_snapshot()
    qtbot.waitUntil(lambda: recorder.last.commands_seen >= asked, timeout=5000)
    return recorder.last


@pytest.fixture
def recorder(qtbot, controller):
    rec = Recorder(controller)
    controller.request_snapshot()
    settle(qtbot, controller, rec, 0)
    return rec


def test_loaded_dataset_reports_step_zero(controller, recorder):
    snap = recorder.last
    assert snap.first_row == 0 and snap.history_length == 1
    assert snap.status == "ready" and snap.stop_reason == ""
    assert snap.theta.shape == (controller.dataset.n_features + 1,)
    np.testing.assert_array_equal(snap.theta, 0.0)


def test_each_step_sends_exactly_one_new_row_that_matches_the_core(qtbot, controller, recorder):
    ref = reference(controller, controller.config)
    for k in range(1, 4):
        controller.step()
        settle(qtbot, controller, recorder, k)
        ref.step()
        snap = recorder.last
        assert (snap.first_row, len(snap.rows["step"])) == (k, 1)
        np.testing.assert_array_equal(snap.theta, ref.theta)
        np.testing.assert_array_equal(snap.grad, ref.grad)
        assert len(snap.last_batch) == len(controller.dataset.train_idx)
    np.testing.assert_array_equal(recorder.column("theta"), ref.history.theta)


def test_step_back_after_five_steps_restores_step_four_exactly(qtbot, controller, recorder):
    controller.set_config(optimizer="adam", batch_size=32, lr=0.05)
    controller.step(5)
    settle(qtbot, controller, recorder, 5)
    controller.step_back()
    settle(qtbot, controller, recorder, 4)
    ref = reference(controller, controller.config)
    ref.run(4)
    snap = recorder.last
    assert snap.first_row == 4 and snap.history_length == 5  # receivers truncate
    np.testing.assert_array_equal(snap.theta, ref.theta)
    np.testing.assert_array_equal(recorder.column("theta"), ref.history.theta)
    # The next step takes the same batch and lands where the reference's fifth step does.
    controller.step()
    settle(qtbot, controller, recorder, 5)
    ref.step()
    np.testing.assert_array_equal(recorder.last.theta, ref.theta)
    np.testing.assert_array_equal(recorder.last.last_batch, ref.batch_for_step(5))


def test_pause_is_honoured_no_step_follows_the_confirming_snapshot(qtbot, controller, recorder):
    controller.set_config(max_epochs=LONG)
    controller.run()
    qtbot.waitUntil(lambda: recorder.last.running and recorder.last.step_count > 100)
    controller.pause()
    qtbot.waitUntil(lambda: not recorder.last.running and not controller.is_running)
    confirmed = len(recorder.snapshots)
    stopped_at = recorder.last.step_count
    # Two round trips to the worker: a run left going would step while each one is answered.
    for _ in range(2):
        answer = caught_up(qtbot, controller, recorder)
        assert answer.first_row == 0 and answer.history_length == stopped_at + 1
    after = recorder.snapshots[confirmed - 1 :]
    assert [(s.step_count, s.running) for s in after] == [(stopped_at, False)] * len(after)
    np.testing.assert_array_equal(recorder.column("step"), np.arange(stopped_at + 1))
    controller.step()  # and the next command carries on from where the run stopped
    settle(qtbot, controller, recorder, stopped_at + 1)


def test_learning_rate_change_during_a_run_applies_from_the_next_step(qtbot, controller, recorder):
    controller.set_config(max_epochs=LONG, lr=0.1)
    controller.set_speed(500)
    controller.run()
    qtbot.waitUntil(lambda: recorder.last.step_count >= 20)
    controller.set_config(lr=0.05)
    qtbot.waitUntil(lambda: recorder.last.step_count >= 60 and recorder.last.lr == 0.05)
    controller.pause()
    qtbot.waitUntil(lambda: not controller.is_running and not recorder.last.running)

    lr = recorder.column("lr")[1:]  # lr of steps 1, 2, ...
    first_new = int(np.argmax(lr == 0.05))
    assert first_new > 0
    assert np.all(lr[:first_new] == 0.1) and np.all(lr[first_new:] == 0.05)
    # Step k moved theta by -lr_k * grad(theta_{k-1}) with the new rate from its first step.
    model = make_model("logistic")
    X, y = controller.dataset.X_train, controller.dataset.y_train
    theta = recorder.column("theta")
    for k in (first_new, first_new + 1):  # the last old-rate step and the first new-rate one
        _, grad = model.loss_and_grad(theta[k], X, y)
        np.testing.assert_allclose(theta[k + 1], theta[k] - lr[k] * grad, rtol=1e-12)


def test_snapshots_during_a_run_are_batched(qtbot, controller, recorder):
    controller.set_config(max_epochs=LONG)
    before = len(recorder.snapshots)
    controller.run()
    qtbot.waitUntil(lambda: len(recorder.snapshots) - before >= 12)
    controller.pause()
    qtbot.waitUntil(lambda: not recorder.last.running)
    during = recorder.snapshots[before:]
    steps = recorder.last.step_count
    assert steps > 10 * len(during)  # many steps per snapshot
    # Each snapshot carries only the rows new since the one before: nothing is sent twice.
    for previous, snapshot in pairwise(during):
        assert snapshot.first_row == previous.history_length
    np.testing.assert_array_equal(recorder.column("step"), np.arange(steps + 1))


def test_max_epochs_pauses_with_the_reason_and_a_larger_limit_continues(
    qtbot, controller, recorder
):
    controller.set_config(max_epochs=30)
    controller.run()
    qtbot.waitUntil(lambda: recorder.last.status == "max_epochs" and not controller.is_running)
    assert recorder.last.step_count == 30
    assert "maximum of 30 epochs" in recorder.last.stop_reason
    controller.set_config(max_epochs=40)
    qtbot.waitUntil(lambda: recorder.last.status == "ready")
    controller.run()
    qtbot.waitUntil(lambda: recorder.last.status == "max_epochs" and not controller.is_running)
    assert recorder.last.step_count == 40


def test_divergence_pauses_the_run_and_says_the_learning_rate_is_too_large(
    qtbot, controller, recorder
):
    controller.set_config(model="linear", lr=10.0, max_epochs=LONG)
    controller.run()
    qtbot.waitUntil(lambda: recorder.last.status == "diverged" and not controller.is_running)
    snap = recorder.last
    assert "learning rate is too large" in snap.stop_reason
    for key in ("train_loss", "test_loss", "train_acc", "theta"):
        assert np.isfinite(recorder.column(key)).all()
    assert np.isfinite(snap.theta).all()


def test_changing_a_setting_other_than_lr_restarts_and_says_so(qtbot, controller, recorder):
    notices: list[str] = []
    controller.notice.connect(notices.append)
    controller.step(3)
    settle(qtbot, controller, recorder, 3)
    controller.set_config(optimizer="momentum")
    settle(qtbot, controller, recorder, 0)
    assert recorder.last.first_row == 0
    assert recorder.last.config.optimizer == "momentum"
    assert notices and "optimizer" in notices[-1] and "restarted" in notices[-1]
    with pytest.raises(TypeError, match="learning_rate"):
        controller.set_config(learning_rate=0.1)


def test_snapshots_from_a_replaced_dataset_are_dropped(qtbot, controller, recorder):
    controller.step(50)
    controller.load_preset("diabetes-post")
    qtbot.waitUntil(lambda: recorder.last.generation == 2)
    assert all(s.generation == 2 for s in recorder.snapshots[-1:])
    assert recorder.last.step_count == 0


def test_a_dataset_with_its_settings_is_one_change_and_one_restart(qtbot, controller, recorder):
    seen: list[tuple[str, str]] = []
    controller.dataset_changed.connect(
        lambda ds: seen.append(("dataset", f"{ds.source} {controller.config.model}"))
    )
    controller.config_changed.connect(lambda config: seen.append(("config", config.model)))
    sent = controller.commands_sent
    assert controller.load_preset("xor", {"model": "mlp", "hidden": 3})
    # Panels laying themselves out for the new dataset already see its settings.
    assert [kind for kind, _ in seen] == ["dataset", "config"]
    assert "mlp" in seen[0][1] and seen[1][1] == "mlp"
    assert controller.commands_sent == sent + 1  # one load, no restart of the old dataset
    snap = caught_up(qtbot, controller, recorder)
    assert snap.config.model == "mlp" and snap.config.hidden == 3 and snap.step_count == 0
    n_features = controller.dataset.n_features
    assert snap.theta.shape == ((n_features + 1) * 3 + 3 + 1,)  # W1, b1, w2, b2
    seen.clear()
    controller.load_preset("moons", {"model": "mlp"})  # settings unchanged: no config_changed
    assert [kind for kind, _ in seen] == ["dataset"]
    with pytest.raises(TypeError, match="learning_rate"):
        controller.load_preset("diabetes", {"learning_rate": 0.1})
    assert controller.dataset.source == "moons"  # refused before anything changed


def test_a_failed_load_keeps_the_dataset_and_reports_the_file(qtbot, controller, tmp_path):
    bad = tmp_path / "broken.csv"
    bad.write_text("a,b,label\n1,2,0\n3,x,1\n4,5,0\n")
    errors: list[str] = []
    controller.error.connect(errors.append)
    before = controller.dataset
    assert not controller.load_csv(bad, label="label")
    assert controller.dataset is before
    assert errors and "broken.csv" in errors[0]


def test_shutdown_during_a_run_joins_the_thread(qtbot, controller, recorder):
    controller.set_config(max_epochs=LONG)
    controller.run()
    qtbot.waitUntil(lambda: recorder.last.running)
    controller.shutdown()
    assert not controller.thread_running
    controller.shutdown()  # a second call is harmless
    controller.step()  # commands after shutdown go nowhere


def test_a_command_waits_while_the_gui_thread_holds_the_run(qtbot, controller, recorder):
    """A lesson step sends its commands while it lays the window out: the training thread
    builds the new Trainer, or takes the steps, once the GUI thread lets go (or after the
    hold's time limit), not while the two would fight over the GIL."""
    import time

    from gdapp.ui.training_thread import HOLD_TIMEOUT_S

    with controller.hold_training():
        controller.step(3)
        time.sleep(HOLD_TIMEOUT_S / 5)  # the worker has had the command all this time
        assert controller._worker._trainer.step_count == 0
    settle(qtbot, controller, recorder, 3)
    ref = reference(controller, controller.config)
    ref.run(3)
    np.testing.assert_array_equal(recorder.last.theta, ref.theta)
    # The hold is a courtesy, not a lock: a GUI thread that never lets go delays a command
    # by HOLD_TIMEOUT_S at most.
    with controller.hold_training():
        controller.step(1)
        qtbot.waitUntil(lambda: controller._worker._trainer.step_count == 4, timeout=5000)
