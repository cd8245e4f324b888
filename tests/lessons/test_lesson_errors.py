"""Malformed lesson files raise LessonError naming the file, the line if known, the problem."""

from __future__ import annotations

import pytest

from gdapp.lessons import LessonError, load_lesson, load_lessons, validate_actions
from gdapp.lessons.actions import train_config_fields

GOOD = """+++
id = "demo"
title = "A demo"

[[steps]]
[steps.actions]
preset = "diabetes"
spotlight = "lossPlot"

[[steps]]
figure = "sigmoid"
[steps.actions]
config = { lr = 2.0, batch_size = "full" }
reset = true
steps = 3
[steps.checkpoint]
id = "demo-q"
question = "Up or down?"
choices = ["down", "up"]
answer = "loss_after_step_direction"
args = { steps = 2 }
explain = "From {loss_now:.4f} to {loss_next:.4f} ({answer})."
+++

## First

Some text.

## Second

More text.

```python
## not a heading inside code
```
"""


def write(tmp_path, text: str, name: str = "01-demo.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path, text: str, name: str = "01-demo.md") -> LessonError:
    path = write(tmp_path, text, name)
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    assert caught.value.path == path
    assert str(caught.value).startswith(name)
    return caught.value


def test_the_template_is_valid(tmp_path):
    lesson = load_lesson(write(tmp_path, GOOD))
    assert (lesson.id, lesson.number, lesson.title) == ("demo", 1, "A demo")
    assert [step.title for step in lesson.steps] == ["First", "Second"]
    assert "## not a heading inside code" in lesson.steps[1].body
    assert lesson.steps[1].figure == "sigmoid"
    assert lesson.steps[1].actions["config"] == {"lr": 2.0, "batch_size": "full"}
    checkpoint = lesson.steps[1].checkpoint
    assert checkpoint.choices == ("down", "up") and checkpoint.args == {"steps": 2}


def test_actions_are_read_only(tmp_path):
    step = load_lesson(write(tmp_path, GOOD)).steps[1]
    with pytest.raises(TypeError):
        step.actions["steps"] = 5  # type: ignore[index]
    with pytest.raises(TypeError):
        step.actions["config"]["lr"] = 5.0  # type: ignore[index]


def test_bad_toml_names_the_line(tmp_path):
    error = error_for(tmp_path, GOOD.replace('title = "A demo"', 'title = "A demo'))
    assert "bad TOML" in str(error)
    assert error.line == 3


def test_multi_line_inline_tables_are_rejected(tmp_path):
    text = GOOD.replace(
        'config = { lr = 2.0, batch_size = "full" }',
        'config = { lr = 2.0,\n  batch_size = "full" }',
    )
    assert "bad TOML" in str(error_for(tmp_path, text))


def test_step_count_mismatch(tmp_path):
    error = error_for(tmp_path, GOOD.replace("## Second", "Second"))
    assert "2 [[steps]]" in str(error) and "1 '## ' step headings" in str(error)


def test_unknown_action_names_the_steps_line(tmp_path):
    error = error_for(tmp_path, GOOD.replace('spotlight = "lossPlot"', 'spotlite = "lossPlot"'))
    assert "unknown action 'spotlite'" in str(error)
    assert error.line == 5


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("steps = 3", "steps = 0", "action 'steps'"),
        ("steps = 3", 'steps = "3"', "action 'steps'"),
        ("steps = 3", "steps = 20000", "<= 10000"),
        ('preset = "diabetes"', 'preset = "iris"', "action 'preset'"),
        ('spotlight = "lossPlot"', 'spotlight = "nowhere"', "action 'spotlight'"),
        ("lr = 2.0", "lr = -1.0", "lr"),
        ("lr = 2.0", "lr = 2.0, momentum = 0.9", "unknown key 'momentum'"),
        ('batch_size = "full"', 'batch_size = "half"', "batch_size"),
        ("reset = true", "reset = false", "action 'reset'"),
        ("reset = true\n", "", "must also reset"),
    ],
)
def test_bad_action_arguments(tmp_path, old, new, words):
    assert words in str(error_for(tmp_path, GOOD.replace(old, new, 1)))


def test_unknown_answer(tmp_path):
    error = error_for(tmp_path, GOOD.replace('"loss_after_step_direction"', '"guess"'))
    assert "unknown answer 'guess'" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("args = { steps = 2 }", "args = { steps = -2 }", "argument 'steps'"),
        ("args = { steps = 2 }", "args = { stride = 2 }", "unknown argument 'stride'"),
        ('choices = ["down", "up"]', 'choices = ["down", "up", "flat"]', "picks one of 2"),
        ('choices = ["down", "up"]', 'choices = ["down"]', "at least two"),
        ("{loss_next:.4f}", "{loss_later:.4f}", "{loss_later}"),
        ("{loss_next:.4f}", "{loss_next", "not a valid template"),
        ('question = "Up or down?"\n', "", "'question'"),
        ('id = "demo-q"', 'id = "demo-q"\nhint = "no"', "unknown key 'hint'"),
    ],
)
def test_bad_checkpoints(tmp_path, old, new, words):
    assert words in str(error_for(tmp_path, GOOD.replace(old, new, 1)))


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('figure = "sigmoid"', 'figure = "pie"', "unknown figure 'pie'"),
        ('figure = "sigmoid"', 'image = "x"', "unknown step key 'image'"),
        ('title = "A demo"', 'title = ""', "'title'"),
        ('title = "A demo"', 'title = "A demo"\nauthor = "x"', "unknown header key"),
        ("## First\n", "Intro.\n\n## First\n", "text before the first"),
        ("## First\n", "# Title\n\n## First\n", "level-1 headings"),
        ("## First\n\nSome text.\n", "## First\n", "has no text"),
        ("```python\n## not a heading inside code\n```\n", "```python\nopen\n", "never closed"),
    ],
)
def test_bad_structure(tmp_path, old, new, words):
    assert words in str(error_for(tmp_path, GOOD.replace(old, new, 1)))


def test_missing_or_unclosed_header(tmp_path):
    assert "must start with a '+++'" in str(error_for(tmp_path, GOOD[4:]))
    assert "never closed" in str(error_for(tmp_path, GOOD.replace("+++\n\n## First", "\n## First")))


def test_bad_file_name(tmp_path):
    assert "NN-slug.md" in str(error_for(tmp_path, GOOD, name="demo.md"))


def test_unreadable_file(tmp_path):
    path = tmp_path / "01-demo.md"
    path.write_bytes(b"+++\n\xff\xfe")
    with pytest.raises(LessonError, match="cannot read"):
        load_lesson(path)


def test_a_directory_of_lessons_must_be_numbered_without_gaps(tmp_path):
    write(tmp_path, GOOD, "01-demo.md")
    write(tmp_path, GOOD.replace('"demo"', '"other"').replace("demo-q", "other-q"), "03-other.md")
    with pytest.raises(LessonError, match="03 where 02 was expected"):
        load_lessons(tmp_path)


def test_ids_must_be_unique_across_lessons(tmp_path):
    write(tmp_path, GOOD, "01-demo.md")
    write(tmp_path, GOOD.replace('"demo"', '"other"'), "02-other.md")
    with pytest.raises(LessonError, match="checkpoint id 'demo-q' is used twice"):
        load_lessons(tmp_path)
    write(tmp_path, GOOD.replace("demo-q", "other-q"), "02-other.md")
    with pytest.raises(LessonError, match="lesson id 'demo' is used twice"):
        load_lessons(tmp_path)


def test_an_empty_directory_is_an_error(tmp_path):
    with pytest.raises(LessonError, match="no lesson files"):
        load_lessons(tmp_path)


def test_validate_actions_normalises_and_orders():
    actions = validate_actions(
        {"spotlight": "lossPlot", "steps": 2, "reset": True, "preset": "diabetes"}
    )
    assert list(actions) == ["preset", "reset", "steps", "spotlight"]
    landscape = validate_actions(
        {
            "landscape": {
                "mode": "contour",
                "params": [1, 5],
                "overlay": [{"optimizer": "adam", "lr": 1}],
            }
        }
    )["landscape"]
    assert landscape["overlay"] == [{"optimizer": "adam", "lr": 1.0}]
    with pytest.raises(LessonError, match="2 different parameter"):
        validate_actions({"landscape": {"mode": "contour", "params": [1, 1]}})
    with pytest.raises(LessonError, match="1 different parameter"):
        validate_actions({"landscape": {"mode": "slice", "params": [1, 2]}})
    with pytest.raises(LessonError, match="variant"):
        validate_actions({"post_example": {"x": 1.0}})
    with pytest.raises(LessonError, match="must be a table"):
        validate_actions(["steps"])


def test_train_config_fields_spells_full_batch_as_none():
    assert train_config_fields({"batch_size": "full", "lr": 1.0}) == {"batch_size": None, "lr": 1.0}
    assert train_config_fields({"batch_size": 32}) == {"batch_size": 32}
