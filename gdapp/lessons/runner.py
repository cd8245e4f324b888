"""Walking through the lessons: position, progress, answered checkpoints. Pure Python.

``LessonRunner`` knows where the learner is (a lesson index and a step index), which steps
they have seen and which checkpoints they have answered; ``next()`` / ``back()`` cross
lesson boundaries. It never touches the app: the lesson panel asks it for
``state_actions()`` and carries those out through the controller.

A step's state depends only on its lesson's steps up to it, never on how the learner got
there: ``state_actions`` folds the lesson's actions from its first step to the current one
(the latest value of each setting wins, config tables merge field by field on top of the
``TrainConfig`` defaults). The training of a step (``reset``/``steps``/``train``) is that of
the latest step up to it that trains or resets, as one group; ``spotlight`` comes from the
current step alone. What a lesson never names takes its default (the diabetes preset, row 0,
the default settings, a reset to step 0), so nothing survives from another lesson.

``to_dict()`` is JSON-able; ``from_dict()`` accepts anything, ignoring what it does not
recognise (lessons and checkpoints that no longer exist) and clamping positions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from types import MappingProxyType

from gdapp.core.trainer import TrainConfig
from gdapp.lessons.actions import ACTIONS
from gdapp.lessons.model import Lesson, LessonStep

__all__ = ["STATE_VERSION", "LessonRunner", "default_config_table"]

STATE_VERSION = 1
# Actions that describe the current step only; every other action is a lasting setting.
TRANSIENT_ACTIONS = ("spotlight",)
# The training of a step: taken together from the latest step that names any of them.
TRAINING_ACTIONS = ("reset", "steps", "train")
DEFAULT_PRESET = "diabetes"
# Table-valued settings whose fields merge across steps instead of replacing each other.
MERGED_ACTIONS = ("config", "graph_inputs")


def default_config_table() -> dict[str, object]:
    """``TrainConfig()``'s fields as a lesson ``config`` table (full batch spelled "full")."""
    table = {f.name: getattr(TrainConfig(), f.name) for f in fields(TrainConfig)}
    if table["batch_size"] is None:
        table["batch_size"] = "full"
    return table


class LessonRunner:
    """Position and progress in a sequence of lessons (each with at least one step)."""

    def __init__(self, lessons: Sequence[Lesson]) -> None:
        self._lessons = tuple(lessons)
        if not self._lessons or not all(lesson.steps for lesson in self._lessons):
            raise ValueError("a runner needs at least one lesson, and every lesson a step")
        self._checkpoints = {
            checkpoint.id: checkpoint
            for lesson in self._lessons
            for checkpoint in lesson.checkpoints
        }
        self._lesson_index = 0
        self._step_index = 0
        self._visited: set[tuple[str, int]] = set()
        self._answered: dict[str, bool] = {}
        self._visit()

    # -- where we are ----------------------------------------------------------------------
    @property
    def lessons(self) -> tuple[Lesson, ...]:
        return self._lessons

    @property
    def position(self) -> tuple[int, int]:
        """``(lesson_index, step_index)``, both 0-based."""
        return self._lesson_index, self._step_index

    @property
    def lesson(self) -> Lesson:
        return self._lessons[self._lesson_index]

    @property
    def step(self) -> LessonStep:
        return self.lesson.steps[self._step_index]

    @property
    def current(self) -> tuple[Lesson, LessonStep]:
        return self.lesson, self.step

    @property
    def at_start(self) -> bool:
        return self.position == (0, 0)

    @property
    def at_end(self) -> bool:
        last = len(self._lessons) - 1
        return self.position == (last, len(self._lessons[last].steps) - 1)

    # -- moving --------------------------------------------------------------------------
    def next(self) -> bool:
        """Go to the next step (across lesson boundaries); False at the very end."""
        if self._step_index + 1 < len(self.lesson.steps):
            self._step_index += 1
        elif self._lesson_index + 1 < len(self._lessons):
            self._lesson_index += 1
            self._step_index = 0
        else:
            return False
        self._visit()
        return True

    def back(self) -> bool:
        """Go to the previous step (across lesson boundaries); False at the very start."""
        if self._step_index > 0:
            self._step_index -= 1
        elif self._lesson_index > 0:
            self._lesson_index -= 1
            self._step_index = len(self.lesson.steps) - 1
        else:
            return False
        self._visit()
        return True

    def goto(self, lesson_index: int, step_index: int = 0) -> None:
        """Jump to a step; IndexError if there is no such lesson or step."""
        if not 0 <= lesson_index < len(self._lessons):
            raise IndexError(f"there is no lesson {lesson_index}")
        if not 0 <= step_index < len(self._lessons[lesson_index].steps):
            raise IndexError(f"lesson {lesson_index} has no step {step_index}")
        self._lesson_index, self._step_index = lesson_index, step_index
        self._visit()

    def _visit(self) -> None:
        self._visited.add((self.lesson.id, self._step_index))

    # -- progress ------------------------------------------------------------------------
    @property
    def visited(self) -> frozenset[tuple[str, int]]:
        """``(lesson_id, step_index)`` of every step shown so far."""
        return frozenset(self._visited)

    def progress(self, lesson_index: int) -> float:
        """Fraction of the lesson's steps that have been shown, in [0, 1]."""
        lesson = self._lessons[lesson_index]
        seen = sum((lesson.id, k) in self._visited for k in range(len(lesson.steps)))
        return seen / len(lesson.steps)

    def answer(self, checkpoint_id: str, choice_index: int, correct_index: int) -> bool:
        """Record an answer to a checkpoint (the latest one counts); True if it was right."""
        checkpoint = self._checkpoints.get(checkpoint_id)
        if checkpoint is None:
            raise KeyError(f"there is no checkpoint {checkpoint_id!r}")
        for index in (choice_index, correct_index):
            if not 0 <= index < len(checkpoint.choices):
                raise ValueError(f"choice {index} is out of range for {checkpoint_id!r}")
        correct = choice_index == correct_index
        self._answered[checkpoint_id] = correct
        return correct

    @property
    def answered(self) -> Mapping[str, bool]:
        """Checkpoint id -> whether its latest answer was right (unanswered ids absent)."""
        return MappingProxyType(dict(self._answered))

    def answered_in(self, lesson_index: int) -> tuple[int, int]:
        """(answered, total) checkpoints of a lesson, for the table of contents."""
        ids = [c.id for c in self._lessons[lesson_index].checkpoints]
        return sum(i in self._answered for i in ids), len(ids)

    # -- the state a step needs ----------------------------------------------------------
    def state_actions(
        self, lesson_index: int | None = None, step_index: int | None = None
    ) -> dict[str, object]:
        """The actions that put the app into the state of a step (default: the current one).

        Returned in ``ACTIONS`` order, i.e. the order to apply them in.
        """
        if lesson_index is None:
            lesson_index, step_index = self.position
        lesson = self._lessons[lesson_index]
        step_index = 0 if step_index is None else step_index
        steps = lesson.steps[: step_index + 1]
        state: dict[str, object] = {
            "preset": DEFAULT_PRESET,
            "select_sample": 0,
            "config": default_config_table(),
            "reset": True,
        }
        for step in steps:
            if any(name in step.actions for name in TRAINING_ACTIONS):
                for name in TRAINING_ACTIONS:
                    state.pop(name, None)
            for name, value in step.actions.items():
                if name in TRANSIENT_ACTIONS:
                    continue
                if name in MERGED_ACTIONS:
                    base = state.get(name) or (default_config_table() if name == "config" else {})
                    state[name] = {**base, **_thaw(value)}
                else:
                    state[name] = _thaw(value)
        for name in TRANSIENT_ACTIONS:
            if name in steps[-1].actions:
                state[name] = _thaw(steps[-1].actions[name])
        return {name: state[name] for name in ACTIONS if name in state}

    # -- persistence ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, object]:
        """Position, seen steps and answers as plain JSON-able data."""
        visited: dict[str, list[int]] = {}
        for lesson_id, step_index in sorted(self._visited):
            visited.setdefault(lesson_id, []).append(step_index)
        return {
            "version": STATE_VERSION,
            "lesson": self.lesson.id,
            "lesson_index": self._lesson_index,
            "step": self._step_index,
            "visited": visited,
            "answered": dict(sorted(self._answered.items())),
        }

    @classmethod
    def from_dict(cls, lessons: Sequence[Lesson], data: object) -> LessonRunner:
        """A runner restored from ``to_dict()`` output, as far as it still fits ``lessons``."""
        runner = cls(lessons)
        if not isinstance(data, Mapping):
            return runner
        by_id = {lesson.id: index for index, lesson in enumerate(runner._lessons)}
        visited = data.get("visited")
        if isinstance(visited, Mapping):
            for lesson_id, indices in visited.items():
                if lesson_id not in by_id or not isinstance(indices, list):
                    continue
                count = len(runner._lessons[by_id[lesson_id]].steps)
                runner._visited.update(
                    (lesson_id, k) for k in indices if _is_int(k) and 0 <= k < count
                )
        answered = data.get("answered")
        if isinstance(answered, Mapping):
            runner._answered.update(
                (key, value)
                for key, value in answered.items()
                if key in runner._checkpoints and isinstance(value, bool)
            )
        lesson_id = data.get("lesson")
        lesson_index = by_id.get(lesson_id) if isinstance(lesson_id, str) else None
        if lesson_index is None:
            raw = data.get("lesson_index")
            lesson_index = _clamp(raw, len(runner._lessons)) if _is_int(raw) else 0
        raw_step = data.get("step")
        count = len(runner._lessons[lesson_index].steps)
        step_index = _clamp(raw_step, count) if _is_int(raw_step) else 0
        runner.goto(lesson_index, step_index)
        return runner


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clamp(value: int, count: int) -> int:
    return min(max(value, 0), count - 1)


def _thaw(value: object) -> object:
    """Read-only lesson data back to plain dicts and lists (JSON-able, safe to change)."""
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_thaw(item) for item in value]
    return value
