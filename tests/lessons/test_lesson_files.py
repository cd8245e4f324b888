"""The shipped lesson files: they parse, follow the curriculum, and name only things that exist."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest
from support.fresh_process import run_code

from gdapp.core.trainer import TrainConfig, model_for
from gdapp.datasets import load_preset
from gdapp.lessons import ACTIONS, ANSWERS, FIGURES, LessonRunner
from gdapp.lessons.actions import SPOTLIGHT_TARGETS, train_config_fields
from gdapp.resources import resource_path

LESSONS_DIR = resource_path("resources/lessons")
FORMULAS_DIR = resource_path("resources/formulas")
TITLES = (
    "The data and the question",
    "A prediction",
    "The loss for one patient",
    "The cost J as the mean over patients",
    "The update rule",
    "Two weights at once",
    "Computation graphs",
    "The logistic-regression graph",
    "The whole loop",
    "The post's numpy example",
    "What the post got wrong",
    "Learning rate",
    "Beyond the post",
    "A hidden layer",
)
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
FENCED = re.compile(r"^```.*?^```", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`]*`")
# What LaTeX source looks like when it leaks into text meant for reading.
LATEX = re.compile(r"\$|\\[A-Za-z]+|\^\{|_\{|(?<![A-Za-z])[A-Za-z]_[A-Za-z0-9]")
# Answers computed from the live parameters and settings, and from the data alone.
MODEL_ANSWERS = {
    "loss_after_step_direction",
    "param_move_direction",
    "larger_change_param",
    "prediction_above_half",
    "larger_loss_patient",
    "grad_sign_for_sample",
    "lr_behaviour",
    "lowest_loss_run",
    "farthest_run",
    "accuracy_beats_majority",
    "hidden_layer_parameter_count",
    "equal_units_stay_equal",
}
DATA_ANSWERS = {"sample_is_diabetic", "post_zero_meaning"}
N_PARAMS = 9  # the presets have 8 features: parameter indices 0..8 (8 is the bias)


def prose(body: str) -> str:
    """A step's Markdown without code blocks, code spans and image targets."""
    text = FENCED.sub("", body)
    text = CODE_SPAN.sub("", text)
    return IMAGE.sub(lambda m: m.group(1), text)


def all_steps(lessons):
    return [(lesson, step) for lesson in lessons for step in lesson.steps]


def test_fourteen_lessons_in_the_curriculum_order(lessons):
    assert tuple(lesson.title for lesson in lessons) == TITLES
    assert [lesson.number for lesson in lessons] == list(range(1, 15))
    assert [lesson.path.name[:2] for lesson in lessons] == [f"{n:02d}" for n in range(1, 15)]


def test_every_lesson_has_two_to_five_steps(lessons):
    for lesson in lessons:
        assert 2 <= len(lesson.steps) <= 5, lesson.path.name
        assert all(step.title and step.body.strip() for step in lesson.steps)


def test_lessons_three_to_fourteen_ask_at_least_one_checkpoint(lessons):
    for lesson in lessons[2:]:
        assert lesson.checkpoints, lesson.path.name


def test_every_action_figure_and_answer_name_exists(lessons):
    for _, step in all_steps(lessons):
        assert set(step.actions) <= set(ACTIONS)
        assert step.figure is None or step.figure in FIGURES
        if step.checkpoint is not None:
            assert step.checkpoint.answer in ANSWERS
            spec = ANSWERS[step.checkpoint.answer]
            assert len(step.checkpoint.choices) == spec.choice_count(step.checkpoint.args)
        for name in ("spotlight", "show_panel"):
            assert step.actions.get(name, SPOTLIGHT_TARGETS[0]) in SPOTLIGHT_TARGETS


def test_every_step_spotlights_the_widget_it_discusses(lessons):
    for lesson, step in all_steps(lessons):
        assert "spotlight" in step.actions, f"{lesson.path.name}: {step.title}"


def test_landscape_parameters_exist_in_the_presets(lessons):
    runner = LessonRunner(lessons)
    for li, lesson in enumerate(lessons):
        for si, step in enumerate(lesson.steps):
            landscape = step.actions.get("landscape")
            if landscape is None:
                continue
            state = runner.state_actions(li, si)
            config = train_config_fields(state["config"])
            d = load_preset(state["preset"]).n_features
            n_params = model_for(TrainConfig(**config)).n_params(d)
            if config.get("model", "logistic") != "mlp":
                assert n_params == N_PARAMS
            assert all(0 <= k < n_params for k in landscape["params"]), lesson.path.name


def test_every_training_step_sets_its_data_and_settings(lessons):
    """A step that trains, or asks about the model, gives the same state however reached."""
    runner = LessonRunner(lessons)
    for li, lesson in enumerate(lessons):
        for si, step in enumerate(lesson.steps):
            answer = step.checkpoint.answer if step.checkpoint else ""
            state = runner.state_actions(li, si)
            where = f"{lesson.path.name}: {step.title}"
            if "steps" in step.actions or "train" in step.actions or answer in MODEL_ANSWERS:
                assert "preset" in state and "config" in state and "reset" in state, where
            if answer in DATA_ANSWERS:
                assert "preset" in state and "select_sample" in state, where


def test_lesson_and_checkpoint_ids_are_unique(lessons):
    ids = [lesson.id for lesson in lessons]
    checkpoint_ids = [c.id for lesson in lessons for c in lesson.checkpoints]
    assert len(set(ids)) == len(ids)
    assert len(set(checkpoint_ids)) == len(checkpoint_ids)


def test_formula_images_exist_and_are_valid_svg(lessons):
    referenced = 0
    for lesson, step in all_steps(lessons):
        for alt, target in IMAGE.findall(step.body):
            assert target.startswith("../formulas/") and target.endswith(".svg"), target
            path = (LESSONS_DIR / target).resolve()
            assert path.parent == FORMULAS_DIR.resolve()
            assert path.is_file(), f"{lesson.path.name}: {target}"
            root = ElementTree.parse(path).getroot()
            assert root.tag == "{http://www.w3.org/2000/svg}svg"
            assert alt.strip(), f"{lesson.path.name}: {target} needs a Unicode alt text"
            referenced += 1
    assert referenced >= 30


def test_no_latex_source_leaks_into_the_text(lessons):
    for lesson, step in all_steps(lessons):
        text = prose(step.body)
        for line in text.splitlines():
            assert not LATEX.search(line), f"{lesson.path.name}: {line!r}"
        checkpoint = step.checkpoint
        if checkpoint is not None:
            for part in (checkpoint.question, *checkpoint.choices):
                assert not LATEX.search(part), f"{lesson.path.name}: {part!r}"


def test_the_latex_check_catches_leaks():
    for leak in (r"$\hat{y}$", r"\frac{1}{2}", "w_j", "x^{2}", "m_{t+1}"):
        assert LATEX.search(prose(leak)), leak
    for fine in ("blood_pressure", "e^(−z)", "wⱼ", "`y_pred`", "![ŷ](../formulas/a_b.svg)"):
        assert not LATEX.search(prose(fine)), fine


def test_lessons_do_not_import_qt_or_matplotlib():
    code = (
        "import sys, gdapp.lessons; gdapp.lessons.load_lessons(); "
        "bad = [m for m in ('PySide6', 'pyqtgraph', 'matplotlib') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    run_code(code)


@pytest.mark.parametrize("number", [1, 2])
def test_the_first_lessons_need_no_checkpoint_but_show_the_data(lessons, number):
    lesson = lessons[number - 1]
    assert lesson.steps[0].actions["preset"] == "diabetes"
