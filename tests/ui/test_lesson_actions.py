"""Lesson actions drive the app through the controller and the panels, as clicks would."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

from gdapp.core.trainer import TrainConfig, Trainer
from gdapp.lessons.actions import validate_actions
from gdapp.ui.lesson_actions import HistoryTracker, LessonActions, checkpoint_context
from gdapp.ui.panels.graph import GraphPanel
from gdapp.ui.panels.landscape import LandscapePanel

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


class FigureHost:
    """Records what the ``post_example`` action asks of the lesson panel."""

    def __init__(self):
        self.calls = []

    def set_post_example(self, variant, x):
        self.calls.append((variant, x))


@pytest.fixture
def window(qtbot, controller):
    window = QMainWindow()
    window.setCentralWidget(QLabel("plots"))
    docks = {}
    for name, panel in (
        ("graphDock", GraphPanel(controller)),
        ("landscapeDock", LandscapePanel(controller)),
    ):
        dock = QDockWidget(name, window)
        dock.setObjectName(name)
        dock.setWidget(panel)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        docks[name] = dock
    window.tabifyDockWidget(docks["graphDock"], docks["landscapeDock"])
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    docks["graphDock"].raise_()
    qtbot.waitUntil(lambda: controller.last_snapshot is not None)
    return window


@pytest.fixture
def actions(window, controller):
    return LessonActions(controller, window, FigureHost())


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


def test_view_actions_reach_the_graph_and_landscape_panels(qtbot, window, actions):
    graph = window.findChild(GraphPanel, "graphView")
    landscape = window.findChild(LandscapePanel, "landscapePanel")
    checked = validate_actions(
        {
            "graph_view": "example",
            "graph_inputs": {"a": 2.0},
            "nudge": True,
            "landscape": {"mode": "slice", "params": [3]},
            "post_example": {"variant": "correct", "x": 1.5},
        }
    )
    assert actions.apply(checked) == []
    assert graph.current_view() == "example"
    assert actions.graph_inputs == {"a": 2.0, "b": 3.0, "c": 2.0}
    assert landscape.mode == "slice" and landscape.params == (3,)
    assert actions._figure_host.calls == [("correct", 1.5)]
    contour = validate_actions(
        {
            "landscape": {
                "mode": "contour",
                "params": [1, 5],
                "overlay": [{"optimizer": "adam", "lr": 0.05}],
            }
        }
    )
    assert actions.apply(contour) == []
    assert landscape.mode == "contour" and landscape.params == (1, 5)
    assert [run.label for run in landscape.overlays] == ["adam, lr 0.05"]


def test_show_panel_and_spotlight_bring_a_tabbed_dock_forward(qtbot, window, actions):
    landscape = window.findChild(LandscapePanel, "landscapePanel")

    def on_top():
        return not landscape.visibleRegion().isEmpty()

    qtbot.waitUntil(lambda: not on_top())  # behind the graph's tab
    assert actions.apply({"show_panel": "landscapePanel"}) == []
    qtbot.waitUntil(on_top)
    window.findChild(QDockWidget, "graphDock").raise_()
    qtbot.waitUntil(lambda: not on_top())
    assert actions.apply({"spotlight": "landscapePanel"}) == []
    qtbot.waitUntil(on_top)
    assert actions.spotlight.target is landscape
    actions.dismiss_spotlight()
    assert actions.spotlight.target is None


def test_missing_panels_are_reported_not_raised(controller):
    alone = LessonActions(controller)
    notes = alone.apply({"graph_view": "sample", "spotlight": "lossPlot", "post_example": {}})
    assert len(notes) == 3


def test_a_bug_the_view_cannot_show_is_a_note(actions):
    notes = actions.apply({"graph_view": "example", "bug": "forget_mean"})
    assert len(notes) == 1 and notes[0].startswith("bug:")


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
