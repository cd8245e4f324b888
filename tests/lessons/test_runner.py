"""LessonRunner: walking, progress, answers, the state a step needs, persistence."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdapp.lessons import LessonRunner
from gdapp.lessons.runner import STATE_VERSION, default_config_table


def positions(lessons):
    return [(li, si) for li, lesson in enumerate(lessons) for si in range(len(lesson.steps))]


def test_next_through_everything_and_back_again(lessons):
    runner = LessonRunner(lessons)
    start = runner.position
    forward = [runner.position]
    while runner.next():
        forward.append(runner.position)
        runner.state_actions()  # never raises
    assert forward == positions(lessons)
    assert runner.at_end and not runner.next()
    backward = [runner.position]
    while runner.back():
        backward.append(runner.position)
    assert backward == forward[::-1]
    assert runner.position == start and runner.at_start and not runner.back()
    assert all(runner.progress(i) == 1.0 for i in range(len(lessons)))


def test_each_steps_state_does_not_depend_on_the_way_there(lessons):
    runner = LessonRunner(lessons)
    seen = {}
    while True:
        seen[runner.position] = json.dumps(runner.state_actions(), sort_keys=True)
        if not runner.next():
            break
    while runner.back():
        assert json.dumps(runner.state_actions(), sort_keys=True) == seen[runner.position]
    for li, si in reversed(positions(lessons)):
        runner.goto(li, si)
        assert json.dumps(runner.state_actions(), sort_keys=True) == seen[(li, si)]


@settings(max_examples=60, deadline=None)
@given(moves=st.lists(st.sampled_from(["next", "back", "goto"]), max_size=40), data=st.data())
def test_random_walks_keep_a_valid_position_and_its_state(lessons, moves, data):
    runner = LessonRunner(lessons)
    everywhere = positions(lessons)
    for move in moves:
        if move == "goto":
            runner.goto(*data.draw(st.sampled_from(everywhere)))
        else:
            getattr(runner, move)()
        assert runner.position in everywhere
        assert runner.state_actions() == LessonRunner(lessons).state_actions(*runner.position)
    restored = LessonRunner.from_dict(lessons, json.loads(json.dumps(runner.to_dict())))
    assert restored.position == runner.position and restored.visited == runner.visited


def test_goto_rejects_positions_that_do_not_exist(lessons):
    runner = LessonRunner(lessons)
    for bad in [(-1, 0), (len(lessons), 0), (0, len(lessons[0].steps)), (0, -1)]:
        with pytest.raises(IndexError):
            runner.goto(*bad)
    assert runner.position == (0, 0)


def test_progress_counts_the_steps_seen(lessons):
    runner = LessonRunner(lessons)
    assert runner.progress(0) == pytest.approx(1 / len(lessons[0].steps))
    assert runner.progress(1) == 0.0
    runner.goto(1, len(lessons[1].steps) - 1)
    assert runner.progress(1) == pytest.approx(1 / len(lessons[1].steps))
    assert (lessons[1].id, len(lessons[1].steps) - 1) in runner.visited


def test_answers_are_recorded_latest_first(lessons):
    runner = LessonRunner(lessons)
    checkpoint = lessons[2].checkpoints[0]
    assert runner.answered_in(2) == (0, len(lessons[2].checkpoints))
    assert runner.answer(checkpoint.id, 1, 0) is False
    assert runner.answered == {checkpoint.id: False}
    assert runner.answer(checkpoint.id, 0, 0) is True
    assert runner.answered == {checkpoint.id: True}
    assert runner.answered_in(2) == (1, len(lessons[2].checkpoints))
    with pytest.raises(KeyError):
        runner.answer("no-such-question", 0, 0)
    with pytest.raises(ValueError):
        runner.answer(checkpoint.id, len(checkpoint.choices), 0)
    with pytest.raises(TypeError):
        runner.answered[checkpoint.id] = False  # type: ignore[index]


def test_round_trip_through_json(lessons):
    runner = LessonRunner(lessons)
    for _ in range(7):
        runner.next()
    runner.goto(11, 2)
    runner.answer(lessons[3].checkpoints[0].id, 0, 0)
    runner.answer(lessons[12].checkpoints[-1].id, 1, 3)
    data = json.loads(json.dumps(runner.to_dict()))
    assert data["version"] == STATE_VERSION and data["lesson"] == lessons[11].id
    restored = LessonRunner.from_dict(lessons, data)
    assert restored.position == runner.position == (11, 2)
    assert restored.visited == runner.visited
    assert dict(restored.answered) == dict(runner.answered)
    assert restored.to_dict() == runner.to_dict()


@pytest.mark.parametrize(
    "data",
    [
        None,
        "nonsense",
        [],
        {},
        {"lesson": ["not", "hashable"], "step": "two", "visited": "all", "answered": 3},
        {"lesson": "gone", "lesson_index": 99, "step": 99},
        {"lesson": "gone", "lesson_index": -5, "step": -5},
        {"visited": {"gone": [0], "data": [0, 1, 99, "x", True]}, "answered": {"gone": True}},
        {"answered": {"loss-two-patients": "yes"}},
    ],
)
def test_from_dict_tolerates_stale_or_broken_data(lessons, data):
    runner = LessonRunner.from_dict(lessons, data)
    assert runner.position in positions(lessons)
    assert all(lesson_id in {lesson.id for lesson in lessons} for lesson_id, _ in runner.visited)
    assert "gone" not in runner.answered and "loss-two-patients" not in runner.answered


def test_from_dict_clamps_positions(lessons):
    runner = LessonRunner.from_dict(lessons, {"lesson": "loop", "step": 99})
    assert runner.position == (8, len(lessons[8].steps) - 1)
    runner = LessonRunner.from_dict(lessons, {"lesson": "gone", "lesson_index": 99, "step": 0})
    assert runner.position == (len(lessons) - 1, 0)
    runner = LessonRunner.from_dict(
        lessons, {"visited": {"data": [0, 1, 99]}, "answered": {"cost-first-step": True}}
    )
    assert ("data", 1) in runner.visited and ("data", 99) not in runner.visited
    assert runner.answered == {"cost-first-step": True}


def test_state_actions_fold_a_lessons_steps(lessons):
    runner = LessonRunner(lessons)
    # Lesson 12: the first step sets lr 2 and a contour, the second lr 0.1 and 100 steps.
    first = runner.state_actions(11, 0)
    second = runner.state_actions(11, 1)
    assert first["config"] == {**default_config_table(), "optimizer": "gd", "lr": 2.0}
    assert second["config"]["lr"] == 0.1 and second["config"]["model"] == "logistic"
    assert second["landscape"] == first["landscape"]  # lasting settings carry over
    assert "steps" not in first and second["steps"] == 100 and second["reset"] is True
    assert second["spotlight"] == "lossPlot" and first["spotlight"] == "landscapePanel"
    # Order is the order to apply: data, trainer, views, spotlight last.
    assert list(second) == [
        "preset",
        "select_sample",
        "config",
        "reset",
        "steps",
        "landscape",
        "show_panel",
        "spotlight",
    ]
    # A lesson's state does not leak into the next one.
    assert runner.state_actions(12, 0)["config"]["lr"] == 1.0
    assert "landscape" not in runner.state_actions(12, 0)


def test_what_a_lesson_never_names_takes_its_default(lessons):
    runner = LessonRunner(lessons)
    # Lesson 7 (the a, b, c graph) names no dataset, row, settings or training.
    state = runner.state_actions(6, 1)
    assert state["preset"] == "diabetes" and state["select_sample"] == 0
    assert state["config"] == default_config_table()
    assert state["reset"] is True and "steps" not in state and "train" not in state
    # 12.5 resets after 12.4 trained 100 steps: its training is its own reset alone.
    assert "steps" not in runner.state_actions(11, 4)
    # 9.3 names no training of its own; it takes 9.2's "train until the trainer stops".
    nine_two, nine_three = lessons[8].steps[1], lessons[8].steps[2]
    if "train" not in nine_three.actions:
        assert "train" in nine_two.actions
    assert runner.state_actions(8, 2)["train"] is True


def test_state_actions_are_plain_data(lessons):
    runner = LessonRunner(lessons)
    for li, si in positions(lessons):
        state = runner.state_actions(li, si)
        assert json.loads(json.dumps(state)) == state
        state.setdefault("config", {})["lr"] = 123.0  # a copy: the lessons are untouched
    assert all(
        "config" not in step.actions or step.actions["config"].get("lr") != 123.0
        for lesson in lessons
        for step in lesson.steps
    )


def test_a_runner_needs_lessons():
    with pytest.raises(ValueError):
        LessonRunner([])
