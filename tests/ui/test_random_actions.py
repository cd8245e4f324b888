"""Thousands of seeded random actions through the real window, with invariants after each.

A Hypothesis state machine clicks the training buttons, types learning rates (in and out of
range), switches optimizer, batch size, model, dataset, workspace page, graph view, planted
bug and nudge check, jumps between lesson steps and leaves or resumes the lesson. After every
action: no exception reached Qt, no Qt warning (the UI tests fail on any), no NaN in a plot,
and the lesson is visible while it is open. Whenever training is at rest, the status bar's
epoch is the trainer's.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

# isort: split
import pyqtgraph as pg

from gdapp.core.models import MODEL_NAMES
from gdapp.core.optimizers import OPTIMIZER_NAMES
from gdapp.datasets import PRESETS
from gdapp.ui.main_window import MainWindow
from gdapp.ui.view_state import PAGES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)"),
    pytest.mark.timeout(900),
]

LEARNING_RATES = (1e-7, 1e-4, 0.01, 0.1, 0.5, 2.0, 5.0, 50.0, 100.0, 500.0, 1e6)
BATCH_SIZES = (0, 1, 7, 32, 64, 10_000)
GRAPH_VIEWS = ("example", "sample", "batch")


def settle(qtbot, window) -> None:
    """Let queued commands and snapshots through (a run is paused first)."""
    controller = window.controller
    if controller.is_running:
        controller.pause()
    controller.request_snapshot()  # every command so far is answered by this one's reply

    def quiet():
        snapshot = controller.last_snapshot
        return (
            snapshot is not None
            and not controller.is_running
            and snapshot.commands_seen == controller.commands_sent
        )

    qtbot.waitUntil(quiet, timeout=20_000)
    qtbot.wait(5)


def make_machine(qtbot):
    class WindowMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.window = MainWindow()
            qtbot.addWidget(self.window)
            self.window.resize(1280, 800)
            self.window.show()
            qtbot.waitExposed(self.window)
            qtbot.waitUntil(lambda: self.window.controller.last_snapshot is not None)

        def teardown(self):
            self.window.close()

        def widget(self, kind, name):
            found = self.window.findChild(kind, name)
            assert found is not None, name
            return found

        def click(self, name):
            button = self.widget(QWidget, name)
            if button.isEnabled() and button.isVisible():
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

        # -- training ------------------------------------------------------------------
        @rule(name=st.sampled_from(["stepButton", "stepBackButton", "resetButton"]))
        def click_button(self, name):
            self.click(name)

        @rule(ms=st.integers(5, 120))
        def run_a_little(self, ms):
            self.click("runButton")
            qtbot.wait(ms)
            self.click("pauseButton")

        @rule(lr=st.sampled_from(LEARNING_RATES))
        def type_learning_rate(self, lr):
            box = self.widget(QAbstractSpinBox, "learningRateInput")
            box.lineEdit().setText(f"{lr:g}")
            box.interpretText()
            box.editingFinished.emit()

        @rule(name=st.sampled_from(OPTIMIZER_NAMES))
        def choose_optimizer(self, name):
            combo = self.widget(QComboBox, "optimizerInput")
            combo.setCurrentIndex(combo.findData(name))

        @rule(size=st.sampled_from(BATCH_SIZES))
        def choose_batch_size(self, size):
            self.widget(QAbstractSpinBox, "batchSizeInput").setValue(size)

        @rule(name=st.sampled_from(MODEL_NAMES))
        def choose_model(self, name):
            combo = self.widget(QComboBox, "modelInput")
            combo.setCurrentIndex(combo.findData(name))

        @rule(name=st.sampled_from(tuple(PRESETS)))
        def load_preset(self, name):
            self.window.preset_actions[name].trigger()

        # -- views ---------------------------------------------------------------------
        @rule(page=st.sampled_from(PAGES))
        def show_page(self, page):
            self.window.page_actions[page].trigger()

        @rule(view=st.sampled_from(GRAPH_VIEWS))
        def choose_graph_view(self, view):
            combo = self.widget(QComboBox, "graphViewSelector")
            index = combo.findData(view)
            if index >= 0:
                combo.setCurrentIndex(index)

        @rule(data=st.data())
        def choose_bug(self, data):
            combo = self.widget(QComboBox, "bugSelector")
            enabled = [
                k
                for k in range(combo.count())
                if combo.model().item(k) is None or combo.model().item(k).isEnabled()
            ]
            combo.setCurrentIndex(data.draw(st.sampled_from(enabled)))

        @rule()
        def toggle_nudge(self):
            toggle = self.widget(QWidget, "nudgeToggle")
            if toggle.isEnabled():
                toggle.toggle()

        # -- lessons -------------------------------------------------------------------
        @rule(data=st.data())
        def jump_to_a_lesson_step(self, data):
            panel = self.window.lesson_panel
            lesson = data.draw(st.integers(0, len(panel.runner.lessons) - 1))
            step = data.draw(st.integers(0, len(panel.runner.lessons[lesson].steps) - 1))
            panel.goto(lesson, step)

        @rule(name=st.sampled_from(["lessonNextButton", "lessonBackButton", "lessonLeaveButton"]))
        def click_lesson_button(self, name):
            self.click(name)

        # -- invariants ----------------------------------------------------------------
        @invariant()
        def plots_hold_no_nan(self):
            if not self.window.workspace.is_built("plots"):
                return
            for view in self.window.plots_panel.findChildren(pg.GraphicsView):
                for item in view.scene().items():
                    if not isinstance(item, pg.PlotDataItem):
                        continue
                    _x, y = item.getData()
                    if y is not None and len(y):
                        assert not np.isnan(np.asarray(y, dtype=float)).any(), item.name()

        @invariant()
        def the_lesson_is_visible_while_open(self):
            panel = self.window.lesson_panel
            if panel.is_active:
                assert panel.isVisible() and self.window.lesson_dock.isVisible()
                assert self.widget(QWidget, "lessonNextButton").isVisible()

        @invariant()
        def the_status_epoch_is_the_trainers(self):
            settle(qtbot, self.window)
            QApplication.processEvents()
            snapshot = self.window.controller.last_snapshot
            text = self.window.status_labels["epoch"].text()
            shown = float(text.removeprefix("Epoch ").replace(",", ""))
            assert math.isclose(shown, float(f"{snapshot.epoch:.6g}")), (text, snapshot.epoch)

    return WindowMachine


def test_random_actions_keep_the_window_consistent(qtbot):
    run_state_machine_as_test(
        make_machine(qtbot),
        settings=settings(
            max_examples=10,
            stateful_step_count=150,
            deadline=None,
            derandomize=True,
            # A window's timing is not replayable step for step: report, do not shrink.
            phases=(Phase.explicit, Phase.generate),
            suppress_health_check=list(HealthCheck),
        ),
    )
