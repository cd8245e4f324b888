"""The lesson panel walks every lesson, sets the app up for each step and checks answers live."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QLabel, QPushButton

from gdapp.core.models import (
    POST_EPOCHS,
    POST_M0,
    POST_PRINTED,
    POST_X,
    POST_Y,
    run_post_example,
)
from gdapp.core.trainer import TrainConfig
from gdapp.lessons.actions import train_config_fields
from gdapp.ui.lessons.actions import checkpoint_context
from gdapp.ui.lessons.panel import SETTINGS_KEY, LessonPanel
from gdapp.ui.main_window import MainWindow
from gdapp.ui.panels.graph import GraphPanel
from gdapp.ui.panels.landscape import LandscapePanel
from gdapp.ui.settings import SYNC_DELAY_MS, make_settings, shared_settings

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


@pytest.fixture
def window(qtbot):
    window = MainWindow()
    assert isinstance(window.landscape_panel, LandscapePanel)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


@pytest.fixture
def panel(window):
    return window.findChild(LessonPanel, "lessonPanel")


def settle(qtbot, controller, state):
    """Wait until the training a step asked for has been done."""
    if "steps" in state:
        qtbot.waitUntil(
            lambda: (
                controller.last_snapshot is not None
                and controller.last_snapshot.step_count == state["steps"]
                and not controller.is_running
            ),
            timeout=10_000,
        )
    elif "train" in state:
        qtbot.waitUntil(
            lambda: (
                controller.last_snapshot is not None
                and controller.last_snapshot.status != "ready"
                and not controller.is_running
            ),
            timeout=20_000,
        )
    else:
        qtbot.waitUntil(lambda: controller.last_snapshot is not None)


def check_step_state(qtbot, window, panel):
    """The app is in the state the runner says the current step needs."""
    controller = window.controller
    state = panel.runner.state_actions()
    assert panel.last_notes == []
    if "preset" in state:
        assert controller.dataset_origin == {"preset": state["preset"]}
    if "config" in state:
        assert controller.config == TrainConfig(**train_config_fields(state["config"]))
    if "select_sample" in state:
        assert controller.selected_sample == state["select_sample"]
    if "graph_view" in state:
        assert window.findChild(GraphPanel, "graphView").current_view() == state["graph_view"]
    if "landscape" in state:
        landscape = window.findChild(LandscapePanel, "landscapePanel")
        assert landscape.mode == state["landscape"]["mode"]
        assert list(landscape.params) == state["landscape"]["params"]
    lesson_index, step_index = panel.runner.position
    progress = panel.findChild(QLabel, "lessonProgress").text()
    lesson = panel.runner.lesson
    assert progress.startswith(
        f"Lesson {lesson_index + 1} of {len(panel.runner.lessons)} · "
        f"step {step_index + 1} of {len(lesson.steps)}"
    )
    settle(qtbot, controller, state)


@pytest.mark.first_launch
def test_first_launch_opens_on_lesson_one(qtbot, window, panel):
    assert panel.is_first_launch()
    qtbot.waitUntil(lambda: panel.is_active)  # the window starts lesson 1 by itself
    assert panel.runner.position == (0, 0)
    assert "1." in panel.findChild(QLabel, "lessonTitle").text()
    assert window.lesson_dock.isVisible()


@pytest.mark.first_launch
def test_a_later_launch_does_not_start_a_lesson_by_itself(qtbot, window, panel):
    qtbot.waitUntil(lambda: panel.is_active)
    panel.next()
    window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    # The first snapshot has crossed to the training thread and back, long after the
    # zero-delay timer a first launch starts its lesson from would have fired.
    qtbot.waitUntil(lambda: again.controller.last_snapshot is not None)
    assert not again.lesson_panel.is_first_launch()
    assert not again.lesson_panel.is_active
    assert again.lesson_panel.runner.position == (0, 1)  # where the learner left off
    again.close()


def test_walking_next_through_every_lesson_and_back_again(qtbot, window, panel):
    panel.start()
    check_step_state(qtbot, window, panel)
    seen = [panel.runner.position]
    next_button = panel.findChild(QPushButton, "lessonNextButton")
    back_button = panel.findChild(QPushButton, "lessonBackButton")
    assert not back_button.isEnabled()
    while next_button.isEnabled():
        qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
        check_step_state(qtbot, window, panel)
        seen.append(panel.runner.position)
    assert panel.runner.at_end
    assert [p[0] for p in seen][-1] == len(panel.runner.lessons) - 1
    assert len(seen) == sum(len(lesson.steps) for lesson in panel.runner.lessons)
    while back_button.isEnabled():
        qtbot.mouseClick(back_button, Qt.MouseButton.LeftButton)
        check_step_state(qtbot, window, panel)
    assert panel.runner.position == (0, 0)


def test_every_step_text_renders_and_its_formulas_load(qtbot, panel):
    text = panel._text
    for lesson_index, lesson in enumerate(panel.runner.lessons):
        for step_index, step in enumerate(lesson.steps):
            panel.runner.goto(lesson_index, step_index)
            panel._show_step()
            document = text.document()
            assert document.toPlainText().strip()
            for name in _image_names(step.body):
                image = document.resource(QTextDocument.ResourceType.ImageResource, name)
                assert isinstance(image, QImage) and not image.isNull(), name


def _image_names(markdown):
    import re

    return re.findall(r"!\[[^\]]*\]\(([^)]+\.svg)\)", markdown)


def checkpoint_steps(panel):
    for lesson_index, lesson in enumerate(panel.runner.lessons):
        for step_index, step in enumerate(lesson.steps):
            if step.checkpoint is not None:
                yield lesson_index, step_index, step.checkpoint


def test_every_checkpoint_is_answered_from_the_live_model(qtbot, window, panel):
    panel.start()
    controller = window.controller
    steps = list(checkpoint_steps(panel))
    assert steps
    for lesson_index, step_index, checkpoint in steps:
        panel.goto(lesson_index, step_index)
        settle(qtbot, controller, panel.runner.state_actions())
        context = checkpoint_context(controller, panel._history, panel.actions.graph_inputs)
        expected = checkpoint.evaluate(context)
        wrong = (expected.index + 1) % len(checkpoint.choices)
        assert panel.choose(wrong) is False
        assert panel.runner.answered[checkpoint.id] is False
        result = panel.findChild(QLabel, "lessonCheckpointResult").text()
        assert "Not quite" in result and checkpoint.choices[expected.index] in result
        assert panel.choose(expected.index) is True
        assert panel.runner.answered[checkpoint.id] is True
        item = panel._contents.topLevelItem(lesson_index).child(step_index)
        assert item.text(0).startswith("\u2713")


def test_the_answer_buttons_are_reused_and_show_only_the_current_choices(qtbot, window, panel):
    steps = {len(cp.choices): (li, si) for li, si, cp in checkpoint_steps(panel)}
    many, few = max(steps), min(steps)
    assert many > few
    panel.start()
    panel.goto(*steps[many])
    first = list(panel._choice_buttons)
    panel.choose(0)  # marks the right answer in bold colour
    marked = [b for b in first if b.styleSheet()]
    assert len(marked) == 1
    panel.goto(*steps[few])
    checkpoint = panel.runner.step.checkpoint
    shown = [b for b in panel.findChildren(QPushButton) if b.objectName().startswith(
        "lessonChoice") and b.isVisibleTo(panel)]  # fmt: skip
    assert [b.text() for b in shown] == list(checkpoint.choices)
    assert all(b.isEnabled() and not b.styleSheet() for b in shown)  # no earlier verdict
    assert shown == first[:few]  # the same buttons, not new ones
    panel.goto(*steps[many])
    assert panel._choice_buttons == first
    assert len(panel.findChildren(QPushButton, "lessonChoice0")) == 1
    assert panel.choose(many - 1) in (True, False)  # the last button answers its own choice
    assert panel.last_answer is not None


def test_a_changed_state_changes_the_right_answer(qtbot, window, panel):
    """prediction_above_half: the right choice follows the selected patient's prediction."""
    found = [
        (li, si, cp)
        for li, si, cp in checkpoint_steps(panel)
        if cp.answer == "prediction_above_half"
    ]
    assert found
    lesson_index, step_index, checkpoint = found[0]
    panel.start()
    panel.goto(lesson_index, step_index)
    controller = window.controller
    settle(qtbot, controller, panel.runner.state_actions())
    target = controller.last_snapshot.step_count + 200
    controller.step(200)
    qtbot.waitUntil(
        lambda: (
            controller.last_snapshot is not None and controller.last_snapshot.step_count == target
        )
    )
    theta = controller.last_snapshot.theta
    X = controller.dataset.X
    z = X @ theta[:-1] + theta[-1]
    high, low = int(np.argmax(z)), int(np.argmin(z))
    answers = {}
    for row in (high, low):
        controller.select_sample(row)
        panel.choose(0)
        answers[row] = panel.last_answer.index
    assert answers == {high: 0, low: 1}


def test_loss_direction_answer_follows_the_learning_rate(qtbot, window, panel):
    found = [
        (li, si)
        for li, si, cp in checkpoint_steps(panel)
        if cp.answer == "loss_after_step_direction"
    ]
    assert found
    panel.start()
    panel.goto(*found[0])
    controller = window.controller
    settle(qtbot, controller, panel.runner.state_actions())
    panel.choose(0)
    assert panel.last_answer.index == 0  # a sensible rate: J goes down
    controller.set_config(lr=500.0)
    panel.choose(0)
    assert panel.last_answer.index == 1  # far too large: J goes up


def test_the_post_example_reproduces_the_printed_trajectory(qtbot, window, panel):
    lesson_index = next(k for k, lesson in enumerate(panel.runner.lessons) if lesson.number == 10)
    lesson = panel.runner.lessons[lesson_index]
    step_index = next(
        k for k, step in enumerate(lesson.steps) if step.figure == "post_example_trajectory"
    )
    panel.start()
    panel.goto(lesson_index, step_index)
    assert window.workspace.current_page == "figure"
    figure = window.figure_page.figure("post_example_trajectory")
    assert figure.isVisible()
    figure.set_example("post", POST_X)
    caption = figure.caption
    assert "−0.38358895" in caption and "0.33987973" in caption and "0.25846212" in caption
    for (epoch, y_pred, loss, m), printed in zip(
        figure.printed_rows("post"), POST_PRINTED, strict=True
    ):
        assert epoch == printed[0]
        # The post printed x, m0 and y rounded to 8 decimals, so the replay agrees with
        # its printout to about one unit in the 8th decimal.
        assert y_pred == pytest.approx(printed[1], abs=1e-8)
        assert loss == pytest.approx(printed[2], rel=1e-7)
        assert m == pytest.approx(printed[3], abs=1e-8)
    run = run_post_example(POST_X, POST_Y, POST_M0, epochs=POST_EPOCHS, variant="post")
    assert f"{run.m[-1]:.8f}" == "0.25846212"


def test_a_step_that_changes_the_post_example_computes_it_once(qtbot, window, panel, monkeypatch):
    from gdapp.ui.lessons import figures

    lesson_index = next(k for k, lesson in enumerate(panel.runner.lessons) if lesson.number == 10)
    steps = panel.runner.lessons[lesson_index].steps
    shows = [k for k, step in enumerate(steps) if step.figure == "post_example_trajectory"]
    panel.start()
    panel.goto(lesson_index, shows[0])  # x < 0, the post's rule
    figure = window.figure_page.figure("post_example_trajectory")
    runs: list[str] = []
    real = figures.run_post_example
    monkeypatch.setattr(
        figures, "run_post_example", lambda *args: (runs.append(args[-1]), real(*args))[1]
    )

    def example(k: int) -> dict:
        return dict(steps[k].actions["post_example"])

    later = next(k for k in shows if example(k) != example(shows[0]))
    panel.goto(lesson_index, later)  # another x or rule: the figure is drawn again, once
    assert sorted(runs) == ["correct", "post"]  # each variant's run, once
    assert (figure.variant, figure.x) == (example(later)["variant"], example(later)["x"])
    assert figure.printed_rows()[0][0] == 0  # and what it shows is the new example


def test_progress_is_saved_and_restored(qtbot, window, panel):
    panel.start()
    panel.next()
    panel.next()
    position = panel.runner.position
    saved = json.loads(make_settings().value(SETTINGS_KEY))
    assert (saved["lesson_index"], saved["step"]) == position
    again = LessonPanel(window.controller, window)
    qtbot.addWidget(again)
    assert not again.is_first_launch()
    assert again.runner.position == position
    assert not again.is_active  # waits for Resume before touching the app


def test_leaving_keeps_the_place_and_resume_restores_the_state(qtbot, window, panel):
    panel.start()
    while "config" not in panel.runner.state_actions():
        panel.next()
    controller = window.controller
    expected = controller.config
    position = panel.runner.position
    leave = panel.findChild(QPushButton, "lessonLeaveButton")
    qtbot.mouseClick(leave, Qt.MouseButton.LeftButton)
    assert not panel.is_active and leave.text() == "Resume lesson"
    assert panel.findChild(QLabel, "lessonBanner").isVisible()
    controller.set_config(lr=7.5, optimizer="adam")
    assert panel.runner.position == position
    qtbot.mouseClick(leave, Qt.MouseButton.LeftButton)
    assert panel.is_active
    assert controller.config == expected


def test_contents_tree_jumps_to_a_step(qtbot, panel):
    panel.start()
    tree = panel._contents
    item = tree.topLevelItem(2).child(0)
    panel._on_contents_item_activated(item)
    assert panel.runner.position == (2, 0)
    assert item.font(0).bold()


def test_a_checkpoint_about_the_example_graph_reads_the_inputs_as_edited(qtbot, window, panel):
    panel.goto(6, 1)  # lesson 7, whose second step asks which of a, b, c matters most
    assert panel.runner.step.checkpoint.id == "graphs-largest"
    # As the lesson sets it (a, b, c = 5, 3, 2): dJ/db = 3c = 6 < dJ/dc = 3b = 9, so c.
    window.graph_panel.set_example_inputs(1.0, 1.0, 10.0)
    # Edited: dJ/da = 3, dJ/db = 3c = 30, dJ/dc = 3b = 3, so now b is the answer.
    assert panel.choose(1)
    assert window.graph_panel.example_inputs() == {"a": 1.0, "b": 1.0, "c": 10.0}


def test_each_move_is_seen_at_once_and_reaches_the_file_within_a_second(
    qtbot, panel, isolated_settings
):
    ini = isolated_settings / "gdapp.ini"
    panel.start()
    panel.next()
    panel.next()
    saved = json.loads(shared_settings().value(SETTINGS_KEY))  # seen at once in the store
    assert (saved["lesson_index"], saved["step"]) == (0, 2)
    qtbot.wait(SYNC_DELAY_MS // 10)  # the turns right after the move: no file write yet
    assert '"step": 2' not in ini.read_text().replace("\\", "")
    qtbot.waitUntil(lambda: '"step": 2' in ini.read_text().replace("\\", ""), timeout=5000)


def test_closing_the_window_writes_the_last_move_at_once(qtbot, window, panel, isolated_settings):
    ini = isolated_settings / "gdapp.ini"
    panel.start()
    panel.next()
    panel.next()
    window.close()  # no turn of the event loop in between
    assert '"step": 2' in ini.read_text().replace("\\", "")
