"""Step-through lessons: lesson files as frozen data, checkpoint answers, a pure runner.

No Qt here: the lesson panel in ``gdapp.ui`` renders what this package parses and carries
out a step's actions through the controller.
"""

from gdapp.lessons.actions import ACTIONS, FIGURES, validate_actions
from gdapp.lessons.checkpoints import ANSWERS, Answer, CheckpointContext
from gdapp.lessons.errors import LessonError
from gdapp.lessons.model import Checkpoint, Lesson, LessonStep, load_lesson, load_lessons
from gdapp.lessons.runner import LessonRunner

__all__ = [
    "ACTIONS",
    "ANSWERS",
    "FIGURES",
    "Answer",
    "Checkpoint",
    "CheckpointContext",
    "Lesson",
    "LessonError",
    "LessonRunner",
    "LessonStep",
    "load_lesson",
    "load_lessons",
    "validate_actions",
]
