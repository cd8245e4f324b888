"""Lesson actions drive training through the controller, as clicks would."""

from __future__ import annotations

import numpy as np
import pytest

from gdapp.core.trainer import TrainConfig, Trainer
from gdapp.lessons.actions import validate_actions
from gdapp.ui.lessons.actions import HistoryTracker, LessonActions, checkpoint_context

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


@pytest.fixture
def actions(qtbot, controller):
    qtbot.waitUntil(lambda: controller.last_snapshot is not None)
    return LessonActions(controller)


def wait_steps(qtbot, controller, n):
    qtbot.waitUntil(
        lambda: (
            controller.last_snapshot is not None
            and controller.last_snapshot.step_count == n
            and not controller.is_running
        )
    )


def test_training_actions_go_through_the_controller(qtbot, controller, actions):
    checked = validate_actions(
        {
            "preset": "diabetes",
            "config": {"lr": 0.5, "optimizer": "momentum"},
            "reset": True,
            "steps": 25,
            "select_sample": 7,
        }
    )
    dataset = controller.dataset
    assert actions.apply(checked) == []
    assert controller.dataset is dataset  # the preset already loaded is kept
    assert controller.config == TrainConfig(lr=0.5, optimizer="momentum")
    assert controller.selected_sample == 7
    wait_steps(qtbot, controller, 25)
    reference = Trainer(dataset.X_train, dataset.y_train, config=controller.config)
    reference.run(25)
    np.testing.assert_array_equal(controller.last_snapshot.theta, reference.theta)


def test_a_different_preset_is_loaded(qtbot, controller, actions):
    assert actions.apply({"preset": "diabetes-post"}) == []
    assert controller.dataset_origin == {"preset": "diabetes-post"}


def test_a_new_preset_brings_the_steps_settings_in_one_change(qtbot, controller, actions):
    checked = validate_actions(
        {"preset": "xor", "select_sample": 3, "config": {"model": "mlp", "hidden": 4}}
    )
    changes: list[str] = []
    controller.dataset_changed.connect(lambda _ds: changes.append("dataset"))
    controller.config_changed.connect(lambda _config: changes.append("config"))
    sent = controller.commands_sent
    assert actions.apply(checked) == []
    assert changes == ["dataset", "config"]  # the dataset and its settings, laid out once
    assert controller.commands_sent == sent + 1  # one load: no restart on the old dataset
    assert controller.config == TrainConfig(model="mlp", hidden=4)
    assert controller.dataset_origin == {"preset": "xor"} and controller.selected_sample == 3
    changes.clear()
    assert actions.apply(checked) == []  # already loaded: the config is applied as before
    assert changes == [] and controller.commands_sent == sent + 1


def test_view_actions_are_not_training_actions(controller, actions):
    notes = actions.apply({"graph_view": "sample", "spotlight": "lossPlot", "post_example": {}})
    assert len(notes) == 3 and all("not a training action" in note for note in notes)


def test_history_tracker_follows_steps_and_step_back(qtbot, controller):
    history = HistoryTracker(controller)
    controller.set_config(lr=0.5)
    controller.step(12)
    wait_steps(qtbot, controller, 12)
    controller.step_back()
    wait_steps(qtbot, controller, 11)
    dataset = controller.dataset
    reference = Trainer(dataset.X_train, dataset.y_train, config=controller.config)
    reference.run(11)
    np.testing.assert_array_equal(history.theta, reference.history.theta)
    np.testing.assert_array_equal(history.train_loss, reference.history.train_loss)


def test_checkpoint_context_mirrors_the_live_state(qtbot, controller):
    history = HistoryTracker(controller)
    controller.set_config(lr=0.3, optimizer="adam")
    controller.select_sample(42)
    controller.step(30)
    wait_steps(qtbot, controller, 30)
    context = checkpoint_context(controller, history, {"a": 1.0, "b": 2.0, "c": 3.0})
    dataset = controller.dataset
    np.testing.assert_array_equal(context.theta, controller.last_snapshot.theta)
    np.testing.assert_array_equal(context.X, dataset.X)
    assert context.config == controller.config and context.selected_sample == 42
    assert dict(context.graph_inputs) == {"a": 1.0, "b": 2.0, "c": 3.0}
    assert len(context.history_train_loss) == 31
    # The private copy continues exactly like the live trainer (Adam's moments included).
    copy = context.trainer_copy()
    np.testing.assert_array_equal(copy.theta, controller.last_snapshot.theta)
    copy.run(5)
    controller.step(5)
    wait_steps(qtbot, controller, 35)
    np.testing.assert_array_equal(copy.theta, controller.last_snapshot.theta)


def test_a_live_learning_rate_change_is_honoured_by_the_copy(qtbot, controller):
    history = HistoryTracker(controller)
    controller.set_config(lr=0.3)
    controller.step(10)
    wait_steps(qtbot, controller, 10)
    controller.set_config(lr=0.05)
    controller.step(3)
    wait_steps(qtbot, controller, 13)
    copy = checkpoint_context(controller, history).trainer_copy()
    np.testing.assert_array_equal(copy.theta, controller.last_snapshot.theta)
    assert copy.lr == 0.05
    copy.run(4)
    controller.step(4)
    wait_steps(qtbot, controller, 17)
    np.testing.assert_array_equal(copy.theta, controller.last_snapshot.theta)
