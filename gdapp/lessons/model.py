"""Lessons as frozen data, parsed from ``resources/lessons/NN-slug.md``.

A lesson file is a TOML header between two ``+++`` lines, then Markdown. The header gives
the lesson's ``id`` and ``title`` and one ``[[steps]]`` table per step; the Markdown is cut
into steps at its level-2 headings (``## Step title``), in the same order::

    +++
    id = "loss"
    title = "The loss for one patient"

    [[steps]]
    figure = "loss_vs_yhat"
    [steps.actions]
    preset = "diabetes"
    spotlight = "lossPlot"
    [steps.checkpoint]
    id = "loss-larger"
    question = "Which of the two patients has the larger loss?"
    choices = ["patient 0", "patient 1"]
    answer = "larger_loss_patient"
    args = { rows = [0, 1] }
    explain = "Their losses are {loss_first:.3f} and {loss_second:.3f}."
    +++

    ## The first step
    Text...

The header is read with ``tomllib`` and never executed. Actions are checked against
``actions.ACTIONS``, figures against ``actions.FIGURES``, and a checkpoint's ``answer``
against ``checkpoints.ANSWERS`` (with its ``args`` and the ``{fact}`` fields of its
``explain`` text). Anything wrong raises ``LessonError`` naming the file and, when it is
known, the line.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from gdapp.lessons.actions import FIGURES, validate_actions
from gdapp.lessons.checkpoints import ANSWERS, Answer
from gdapp.lessons.errors import LessonError
from gdapp.resources import resource_path

__all__ = [
    "Checkpoint",
    "Lesson",
    "LessonError",
    "LessonStep",
    "LessonProblem",
    "load_lesson",
    "load_lessons",
    "load_available_lessons",
]

LESSONS_DIR = "resources/lessons"
FILE_NAME = re.compile(r"^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.md$")
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
HEADER_KEYS = {"id", "title", "steps"}
STEP_KEYS = {"actions", "checkpoint", "figure"}
CHECKPOINT_KEYS = {"id", "question", "choices", "answer", "explain", "args"}


def _freeze(value: object) -> object:
    """Tables become read-only mappings and arrays tuples, all the way down."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    return value


class _Facts(string.Formatter):
    """Formats computed facts; negative numbers get a true minus sign."""

    def format_field(self, value: object, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        if isinstance(value, int | float) and text.startswith("-"):
            text = "\u2212" + text[1:]
        return text


@dataclass(frozen=True)
class Checkpoint:
    """A "predict, then reveal" question whose right choice is computed, never stored.

    ``answer`` names a function in ``checkpoints.ANSWERS``; it is called with the live
    ``CheckpointContext`` and ``args`` and returns an ``Answer(index, facts)``. ``explain`` is
    shown after either choice; its ``{name}`` fields (with optional format specs, e.g.
    ``{loss_next:.4f}``) are filled from the answer's facts, plus ``{answer}``, the text of
    the right choice.
    """

    id: str
    question: str
    choices: tuple[str, ...]
    answer: str
    explain: str
    args: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def evaluate(self, context: object) -> Answer:
        """Compute the right choice (and the facts behind it) from the live state."""
        return ANSWERS[self.answer](context, **self.args)

    def explanation(self, answer: Answer) -> str:
        """The ``explain`` text with the answer's facts filled in."""
        facts = {**answer.facts, "answer": self.choices[answer.index]}
        return _Facts().vformat(self.explain, (), facts)


@dataclass(frozen=True)
class LessonStep:
    """One screen of a lesson: a title, Markdown text, the app state it needs, a question."""

    title: str
    body: str
    actions: Mapping[str, object]
    checkpoint: Checkpoint | None = None
    figure: str | None = None


@dataclass(frozen=True)
class Lesson:
    """A numbered lesson (``number`` from the file name ``NN-slug.md``) and its steps."""

    id: str
    number: int
    title: str
    steps: tuple[LessonStep, ...]
    path: Path

    @property
    def checkpoints(self) -> tuple[Checkpoint, ...]:
        return tuple(step.checkpoint for step in self.steps if step.checkpoint is not None)


# -- parsing ---------------------------------------------------------------------------------
def _split_header(text: str, path: Path) -> tuple[str, int, list[str], int]:
    """Return (header text, line number of its first line, body lines, first body line)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "+++":
        raise LessonError(
            "the file must start with a '+++' line opening the header", path=path, line=1
        )
    for index in range(1, len(lines)):
        if lines[index].strip() == "+++":
            return "\n".join(lines[1:index]), 2, lines[index + 1 :], index + 2
    raise LessonError("the header opened on line 1 is never closed with '+++'", path=path, line=1)


def _split_steps(lines: list[str], first_line: int, path: Path) -> list[tuple[str, str, int]]:
    """Cut Markdown at level-2 headings (outside code fences): [(title, body, line)]."""
    steps: list[tuple[str, list[str], int]] = []
    fence = None
    for offset, line in enumerate(lines):
        number = first_line + offset
        marker = FENCE.match(line)
        if marker:
            token = marker.group(1)
            if fence is None:
                fence = token[0] * 3
            elif token.startswith(fence):
                fence = None
        heading = HEADING.match(line) if fence is None else None
        if heading and len(heading.group(1)) == 2:
            if not heading.group(2):
                raise LessonError("a step heading needs a title", path=path, line=number)
            steps.append((heading.group(2), [], number))
        elif heading and len(heading.group(1)) == 1:
            raise LessonError(
                "level-1 headings are not used; the lesson title comes from the header",
                path=path,
                line=number,
            )
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise LessonError("text before the first '## ' step heading", path=path, line=number)
    if fence is not None:
        raise LessonError("a code block is never closed", path=path)
    result = []
    for title, body_lines, number in steps:
        body = "\n".join(body_lines).strip("\n")
        if not body.strip():
            raise LessonError(f"step {title!r} has no text", path=path, line=number)
        result.append((title, body + "\n", number))
    return result


def _step_lines(header: str, first_line: int) -> list[int]:
    """File line numbers of the ``[[steps]]`` tables, in order."""
    return [
        first_line + index
        for index, line in enumerate(header.splitlines())
        if line.strip().startswith("[[steps]]")
    ]


def _format_fields(template: str) -> set[str]:
    fields = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None:
            fields.add(name)
    return fields


def _checkpoint(raw: object, path: Path, line: int | None) -> Checkpoint:
    def fail(problem: str) -> LessonError:
        return LessonError(f"checkpoint: {problem}", path=path, line=line)

    if not isinstance(raw, Mapping):
        raise fail("must be a table")
    unknown = sorted(set(raw) - CHECKPOINT_KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}")
    for key in ("id", "question", "answer", "explain"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise fail(f"{key!r} must be a non-empty string")
    choices = raw.get("choices")
    if (
        not isinstance(choices, list)
        or len(choices) < 2
        or not all(isinstance(c, str) and c.strip() for c in choices)
    ):
        raise fail("'choices' must be a list of at least two non-empty strings")
    name = raw["answer"]
    if name not in ANSWERS:
        raise fail(f"unknown answer {name!r}; known answers: {', '.join(ANSWERS)}")
    spec = ANSWERS[name]
    try:
        args = spec.check_args(raw.get("args", {}))
    except ValueError as error:
        raise fail(f"answer {name!r}: {error}") from None
    wanted = spec.choice_count(args)
    if len(choices) != wanted:
        raise fail(f"answer {name!r} picks one of {wanted} choices, but {len(choices)} are given")
    try:
        fields = _format_fields(raw["explain"])
    except ValueError as error:
        raise fail(f"'explain' is not a valid template: {error}") from None
    unknown_facts = sorted(fields - set(spec.facts) - {"answer"})
    if unknown_facts:
        raise fail(
            f"'explain' uses {{{unknown_facts[0]}}}, but answer {name!r} gives only "
            f"{', '.join(('answer', *spec.facts))}"
        )
    return Checkpoint(
        id=raw["id"],
        question=raw["question"],
        choices=tuple(choices),
        answer=name,
        explain=raw["explain"],
        args=_freeze(args),
    )


def _lesson_step(raw: object, title: str, body: str, path: Path, line: int | None) -> LessonStep:
    if not isinstance(raw, Mapping):
        raise LessonError("each [[steps]] entry must be a table", path=path, line=line)
    unknown = sorted(set(raw) - STEP_KEYS)
    if unknown:
        raise LessonError(
            f"unknown step key {unknown[0]!r}; expected {', '.join(sorted(STEP_KEYS))}",
            path=path,
            line=line,
        )
    actions = validate_actions(raw.get("actions", {}), path=str(path), line=line)
    figure = raw.get("figure")
    if figure is not None and figure not in FIGURES:
        raise LessonError(
            f"unknown figure {figure!r}; known figures: {', '.join(FIGURES)}", path=path, line=line
        )
    checkpoint = _checkpoint(raw["checkpoint"], path, line) if "checkpoint" in raw else None
    return LessonStep(
        title=title, body=body, actions=_freeze(actions), checkpoint=checkpoint, figure=figure
    )


def parse_lesson(text: str, path: str | Path) -> Lesson:
    """Parse the text of the lesson file ``path`` (its name gives the lesson's number)."""
    path = Path(path)
    match = FILE_NAME.match(path.name)
    if not match:
        raise LessonError("lesson files are named NN-slug.md, e.g. 03-loss.md", path=path)
    header, header_line, body_lines, body_line = _split_header(text, path)
    try:
        data = tomllib.loads(header)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = TOML_POSITION.search(message)
        line = None
        if found:
            line = header_line + int(found.group(1)) - 1
            message = f"{message[: found.start()].rstrip()} (column {found.group(2)})"
        raise LessonError(f"bad TOML header: {message}", path=path, line=line) from None
    unknown = sorted(set(data) - HEADER_KEYS)
    if unknown:
        raise LessonError(f"unknown header key {unknown[0]!r}", path=path, line=header_line)
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise LessonError(f"the header needs a non-empty {key!r}", path=path, line=header_line)
    raw_steps = data.get("steps", [])
    if not isinstance(raw_steps, list):
        raise LessonError("'steps' must be an array of tables", path=path, line=header_line)
    sections = _split_steps(body_lines, body_line, path)
    if not sections:
        raise LessonError("the lesson has no '## ' step headings", path=path, line=body_line)
    if len(raw_steps) != len(sections):
        raise LessonError(
            f"the header declares {len(raw_steps)} [[steps]] but the text has "
            f"{len(sections)} '## ' step headings",
            path=path,
            line=header_line,
        )
    step_lines = _step_lines(header, header_line)
    steps = tuple(
        _lesson_step(
            raw, title, body, path, step_lines[index] if index < len(step_lines) else heading_line
        )
        for index, (raw, (title, body, heading_line)) in enumerate(
            zip(raw_steps, sections, strict=True)
        )
    )
    return Lesson(
        id=data["id"], number=int(match.group(1)), title=data["title"], steps=steps, path=path
    )


def load_lesson(path: str | Path) -> Lesson:
    """Read and parse one lesson file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LessonError(f"cannot read the file: {error}", path=path) from None
    return parse_lesson(text, path)


def load_lessons(directory: str | Path | None = None) -> tuple[Lesson, ...]:
    """Every ``NN-slug.md`` lesson in ``directory`` (default the shipped lessons), in order.

    The numbers must run 1, 2, 3, ... without gaps; lesson ids and checkpoint ids must be
    unique across all lessons.
    """
    directory = Path(directory) if directory is not None else resource_path(LESSONS_DIR)
    paths = sorted(p for p in directory.glob("*.md") if p.is_file())
    lessons = tuple(load_lesson(p) for p in paths)
    if not lessons:
        raise LessonError(f"no lesson files in {directory}")
    lesson_ids: set[str] = set()
    checkpoint_ids: set[str] = set()
    for expected, lesson in enumerate(lessons, start=1):
        if lesson.number != expected:
            raise LessonError(
                f"lesson number {lesson.number:02d} where {expected:02d} was expected",
                path=lesson.path,
            )
        if lesson.id in lesson_ids:
            raise LessonError(f"lesson id {lesson.id!r} is used twice", path=lesson.path)
        lesson_ids.add(lesson.id)
        for checkpoint in lesson.checkpoints:
            if checkpoint.id in checkpoint_ids:
                raise LessonError(
                    f"checkpoint id {checkpoint.id!r} is used twice", path=lesson.path
                )
            checkpoint_ids.add(checkpoint.id)
    return lessons


@dataclass(frozen=True)
class LessonProblem:
    """A lesson file that could not be used: its path and what is wrong with it."""

    path: Path
    message: str


def load_available_lessons(
    directory: str | Path | None = None,
) -> tuple[tuple[Lesson, ...], tuple[LessonProblem, ...]]:
    """The lessons that load, and a ``LessonProblem`` for each file that does not.

    Unlike ``load_lessons`` this never raises for a bad file: the app lists such a lesson as
    unavailable and opens the others. A lesson whose id or checkpoint ids repeat an earlier
    lesson's is left out the same way.
    """
    directory = Path(directory) if directory is not None else resource_path(LESSONS_DIR)
    try:
        paths = sorted(p for p in directory.glob("*.md") if p.is_file())
    except OSError as error:
        return (), (LessonProblem(directory, f"cannot list the lessons: {error}"),)
    lessons: list[Lesson] = []
    problems: list[LessonProblem] = []
    lesson_ids: set[str] = set()
    checkpoint_ids: set[str] = set()
    for path in paths:
        try:
            lesson = load_lesson(path)
        except LessonError as error:
            problems.append(LessonProblem(path, str(error)))
            continue
        except (OSError, UnicodeDecodeError) as error:
            problems.append(LessonProblem(path, f"{path.name}: cannot be read ({error})"))
            continue
        repeated = [c.id for c in lesson.checkpoints if c.id in checkpoint_ids]
        if lesson.id in lesson_ids or repeated:
            what = (
                f"lesson id {lesson.id!r}"
                if lesson.id in lesson_ids
                else (f"checkpoint id {repeated[0]!r}")
            )
            problems.append(LessonProblem(path, f"{path.name}: {what} is used twice"))
            continue
        lesson_ids.add(lesson.id)
        checkpoint_ids.update(c.id for c in lesson.checkpoints)
        lessons.append(lesson)
    return tuple(lessons), tuple(problems)
