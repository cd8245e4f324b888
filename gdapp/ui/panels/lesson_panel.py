"""The lesson panel: walks the learner through the lessons a step at a time.

A ``LessonRunner`` (pure Python) holds the position, the steps seen and the answers; this
panel shows the current step (Markdown text with formulas, an optional figure, an optional
checkpoint), and on entering a step puts the app into that step's state by applying the
runner's ``state_actions()`` through ``LessonActions``, the same controller commands a
learner's clicks send. Progress is saved in the app's settings after every move or answer.

"Leave lesson" stops applying actions so the learner can play; the position is kept and
"Resume lesson" (or Back/Next, or a click in the contents) puts the step's state back.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gdapp.lessons.model import Lesson, load_lessons
from gdapp.lessons.runner import LessonRunner
from gdapp.resources import resource_path
from gdapp.ui.lesson_actions import HistoryTracker, LessonActions, checkpoint_context, dock_of
from gdapp.ui.panels.lesson_figures import LessonFigure, make_figure
from gdapp.ui.panels.lesson_text import LessonTextBrowser
from gdapp.ui.settings import make_settings

SETTINGS_KEY = "lessons/progress"
CHECK = "\u2713"
CROSS = "\u2717"
RIGHT_COLOR = "#17803d"
WRONG_COLOR = "#b3261e"
CONTENTS_HEIGHT_PX = 190
MIN_WIDTH_PX = 340  # narrower, the figures' axes and titles no longer fit
MAX_LOWER_SHARE = 0.7  # the figure and checkpoint take at most this share of the height


class LessonPanel(QWidget):
    """Lesson text, figure, checkpoint, contents and Back/Next for ``controller``'s app.

    ``window`` is the main window (its panels are found by objectName for spotlight,
    show_panel, graph and landscape actions); without it those actions are skipped.
    Signals: ``step_entered(int, int)`` (lesson index, step index, 0-based) after a step's
    actions ran; ``left()`` when the learner leaves the lesson; ``answered(str, bool)``.
    """

    step_entered = Signal(int, int)
    left = Signal()
    answered = Signal(str, bool)

    def __init__(
        self, controller, window: QWidget | None = None, lessons: tuple[Lesson, ...] | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("lessonPanel")
        self.setMinimumWidth(MIN_WIDTH_PX)
        self._controller = controller
        self._window = window
        self._lessons = load_lessons() if lessons is None else tuple(lessons)
        settings = make_settings()
        saved = settings.value(SETTINGS_KEY)
        self._first_launch = saved is None
        self._runner = LessonRunner.from_dict(self._lessons, _parse(saved))
        self._active = False
        self._started = False
        self._figures: dict[str, LessonFigure] = {}
        self._history = HistoryTracker(controller, self)
        self._actions = LessonActions(controller, window, self, self._keep_visible)
        self.last_notes: list[str] = []
        self._build()
        self._fill_contents()
        self._show_step()
        self._set_active(False)

    # -- public API --------------------------------------------------------------------

    @property
    def runner(self) -> LessonRunner:
        return self._runner

    @property
    def actions(self) -> LessonActions:
        return self._actions

    @property
    def is_active(self) -> bool:
        """Whether the panel drives the app (False after "Leave lesson" or before ``start``)."""
        return self._active

    def is_first_launch(self) -> bool:
        """True when no lesson progress was saved before this panel was made."""
        return self._first_launch

    def figure(self, name: str) -> LessonFigure:
        """The figure called ``name``, made on first use."""
        if name not in self._figures:
            figure = make_figure(name, self._controller, self._figure_box)
            figure.hide()
            self._figure_layout.addWidget(figure)
            self._figures[name] = figure
        return self._figures[name]

    def start(self) -> None:
        """Enter the current step: apply its actions and drive the app from now on."""
        self._set_active(True)
        self._enter_step()

    def leave(self) -> None:
        """Stop driving the app; the position is kept for ``start`` (Resume) later."""
        self._actions.dismiss_spotlight()
        self._set_active(False)
        self._save()
        self.left.emit()

    def next(self) -> bool:
        """Go to the next step (and enter it); False at the very end."""
        moved = self._runner.next()
        if moved:
            self._after_move()
        return moved

    def back(self) -> bool:
        """Go to the previous step (and enter it); False at the very start."""
        moved = self._runner.back()
        if moved:
            self._after_move()
        return moved

    def goto(self, lesson_index: int, step_index: int = 0) -> None:
        self._runner.goto(lesson_index, step_index)
        self._after_move()

    def choose(self, choice_index: int) -> bool:
        """Answer the current step's checkpoint with ``choice_index``; True if right.

        The right choice is computed now from the live state; the result and the
        explanation are shown, the answer recorded and saved.
        """
        checkpoint = self._runner.step.checkpoint
        if checkpoint is None:
            raise RuntimeError("this step has no checkpoint")
        try:
            context = checkpoint_context(
                self._controller, self._history, self._actions.current_graph_inputs()
            )
            answer = checkpoint.evaluate(context)
        except (RuntimeError, ValueError, IndexError) as error:
            self._result.setText(f"This question cannot be checked right now: {error}")
            return False
        right = self._runner.answer(checkpoint.id, choice_index, answer.index)
        explanation = checkpoint.explanation(answer)
        verdict = (
            f'<b style="color:{RIGHT_COLOR}">{CHECK} Right.</b>'
            if right
            else f'<b style="color:{WRONG_COLOR}">{CROSS} Not quite</b> — the answer is '
            f"<b>{_escape(checkpoint.choices[answer.index])}</b>."
        )
        self._result.setText(f"{verdict} {_escape(explanation)}")
        self._result.show()
        for k, button in enumerate(self._choice_buttons):
            button.setProperty("verdict", "right" if k == answer.index else "")
            button.setStyleSheet(
                f"font-weight: bold; color: {RIGHT_COLOR};" if k == answer.index else ""
            )
        self.last_answer = answer
        self._save()
        self._update_contents()
        self.answered.emit(checkpoint.id, right)
        return right

    def set_post_example(self, variant: str, x: float | None) -> None:
        """Configure the post's example figure (the ``post_example`` action)."""
        self.figure("post_example_trajectory").set_example(variant, x)

    # -- construction ------------------------------------------------------------------

    def _build(self) -> None:
        self._title = QLabel(objectName="lessonTitle")
        self._title.setWordWrap(True)
        title_font = self._title.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.25)
        title_font.setBold(True)
        self._title.setFont(title_font)
        self._progress = QLabel(objectName="lessonProgress")
        self._progress.setWordWrap(True)
        self._contents_button = QToolButton(text="Contents", objectName="lessonContentsButton")
        self._contents_button.setCheckable(True)
        self._contents_button.setToolTip("Show or hide the list of lessons and steps")
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self._title)
        titles.addWidget(self._progress)
        header.addLayout(titles, 1)
        header.addWidget(self._contents_button, 0, Qt.AlignmentFlag.AlignTop)

        self._contents = QTreeWidget(objectName="lessonContents")
        self._contents.setHeaderHidden(True)
        self._contents.setMaximumHeight(CONTENTS_HEIGHT_PX)
        self._contents.setToolTip(
            f"Click a step to go there. {CHECK} marks a question answered right, "
            f"{CROSS} one answered wrong."
        )
        self._contents.hide()

        self._banner = QLabel(objectName="lessonBanner")
        self._banner.setWordWrap(True)
        self._banner.setStyleSheet(
            "background: #fff4d6; border: 1px solid #e3c56b; border-radius: 4px; padding: 6px;"
        )

        self._text = LessonTextBrowser(resource_path("resources/lessons"))
        self._figure_box = QWidget(objectName="lessonFigureBox")
        self._figure_layout = QVBoxLayout(self._figure_box)
        self._figure_layout.setContentsMargins(0, 0, 0, 0)

        self._checkpoint = QGroupBox("Predict, then check", objectName="lessonCheckpoint")
        self._question = QLabel(objectName="lessonQuestion")
        self._question.setWordWrap(True)
        self._choices_layout = QVBoxLayout()
        self._choice_buttons: list[QPushButton] = []
        self._result = QLabel(objectName="lessonCheckpointResult")
        self._result.setWordWrap(True)
        self._result.setTextFormat(Qt.TextFormat.RichText)
        box = QVBoxLayout(self._checkpoint)
        box.addWidget(self._question)
        box.addLayout(self._choices_layout)
        box.addWidget(self._result)

        self._lower = lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self._figure_box)
        lower_layout.addWidget(self._checkpoint)
        lower_layout.addStretch(1)
        self._splitter = QSplitter(Qt.Orientation.Vertical)
        self._splitter.addWidget(self._text)
        self._splitter.addWidget(lower)
        self._splitter.setStretchFactor(0, 3)
        self._splitter.setStretchFactor(1, 2)
        self._splitter.setChildrenCollapsible(False)

        self._back_button = QPushButton("◀ Back", objectName="lessonBackButton")
        self._back_button.setToolTip("Previous step (Alt+Left)")
        self._back_button.setShortcut(QKeySequence("Alt+Left"))
        self._leave_button = QPushButton("Leave lesson", objectName="lessonLeaveButton")
        self._next_button = QPushButton("Next ▶", objectName="lessonNextButton")
        self._next_button.setToolTip("Next step (Alt+Right)")
        self._next_button.setShortcut(QKeySequence("Alt+Right"))
        self._next_button.setDefault(True)
        nav = QHBoxLayout()
        nav.addWidget(self._back_button)
        nav.addStretch(1)
        nav.addWidget(self._leave_button)
        nav.addStretch(1)
        nav.addWidget(self._next_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(header)
        layout.addWidget(self._contents)
        layout.addWidget(self._banner)
        layout.addWidget(self._splitter, 1)
        layout.addLayout(nav)

        self._contents_button.toggled.connect(self._contents.setVisible)
        self._contents.itemActivated.connect(self._on_contents_item_activated)
        self._contents.itemClicked.connect(self._on_contents_item_activated)
        self._back_button.clicked.connect(self._on_back_button_clicked)
        self._next_button.clicked.connect(self._on_next_button_clicked)
        self._leave_button.clicked.connect(self._on_leave_button_clicked)

    def _fill_contents(self) -> None:
        self._contents.clear()
        for lesson_index, lesson in enumerate(self._lessons):
            parent = QTreeWidgetItem([f"{lesson.number}. {lesson.title}"])
            parent.setData(0, Qt.ItemDataRole.UserRole, (lesson_index, 0))
            for step_index, step in enumerate(lesson.steps):
                child = QTreeWidgetItem([step.title])
                child.setData(0, Qt.ItemDataRole.UserRole, (lesson_index, step_index))
                parent.addChild(child)
            self._contents.addTopLevelItem(parent)
        self._update_contents()

    def _update_contents(self) -> None:
        answered = self._runner.answered
        current = self._runner.position
        for lesson_index, lesson in enumerate(self._lessons):
            parent = self._contents.topLevelItem(lesson_index)
            done, total = self._runner.answered_in(lesson_index)
            suffix = f"  ({done}/{total} {CHECK})" if total else ""
            parent.setText(0, f"{lesson.number}. {lesson.title}{suffix}")
            for step_index, step in enumerate(lesson.steps):
                child = parent.child(step_index)
                mark = ""
                if step.checkpoint is not None and step.checkpoint.id in answered:
                    mark = f"{CHECK} " if answered[step.checkpoint.id] else f"{CROSS} "
                child.setText(0, f"{mark}{step.title}")
                font = child.font(0)
                font.setBold((lesson_index, step_index) == current)
                child.setFont(0, font)
                if (lesson_index, step_index) == current:
                    self._contents.setCurrentItem(child)
                    parent.setExpanded(True)

    # -- moving between steps ------------------------------------------------------------

    def _after_move(self) -> None:
        self._save()
        self._set_active(True)
        self._show_step()
        self._enter_step()

    def _show_step(self) -> None:
        lesson, step = self._runner.current
        lesson_index, step_index = self._runner.position
        self._title.setText(f"{lesson.number}. {lesson.title}")
        self._progress.setText(
            f"Lesson {lesson_index + 1} of {len(self._lessons)} · "
            f"step {step_index + 1} of {len(lesson.steps)} — {step.title}"
        )
        self._text.show_markdown(f"### {step.title}\n\n{step.body}")
        for name, figure in self._figures.items():
            figure.setVisible(name == step.figure)
        if step.figure is not None:
            self.figure(step.figure).show()
        self._figure_box.setVisible(step.figure is not None)
        self._show_checkpoint()
        self._lower.setVisible(step.figure is not None or step.checkpoint is not None)
        self._fit_splitter()
        self._back_button.setEnabled(not self._runner.at_start)
        self._next_button.setEnabled(not self._runner.at_end)
        self._update_contents()

    def _fit_splitter(self) -> None:
        """Give the figure and the checkpoint the room they ask for, the text the rest."""
        total = sum(self._splitter.sizes())
        if total <= 0 or not self._lower.isVisibleTo(self):
            return
        wanted = min(self._lower.sizeHint().height(), int(total * MAX_LOWER_SHARE))
        self._splitter.setSizes([total - wanted, wanted])

    def _show_checkpoint(self) -> None:
        checkpoint = self._runner.step.checkpoint
        for button in self._choice_buttons:
            self._choices_layout.removeWidget(button)
            button.deleteLater()
        self._choice_buttons = []
        self._result.clear()
        self._result.hide()
        self._checkpoint.setVisible(checkpoint is not None)
        if checkpoint is None:
            return
        self._question.setText(checkpoint.question)
        for k, choice in enumerate(checkpoint.choices):
            button = QPushButton(choice, objectName=f"lessonChoice{k}")
            button.setToolTip("Commit to this answer; the app then checks it against the model")
            button.clicked.connect(lambda _checked=False, k=k: self.choose(k))
            self._choices_layout.addWidget(button)
            self._choice_buttons.append(button)
        if checkpoint.id in self._runner.answered:
            right = self._runner.answered[checkpoint.id]
            self._result.setText(
                f"You answered this before ({'right' if right else 'not quite right'}). "
                "Answer again to see the explanation for the current state."
            )
            self._result.show()

    def _enter_step(self) -> None:
        if not self._active:
            return
        self._actions.dismiss_spotlight()
        self.last_notes = self._actions.apply(self._runner.state_actions())
        self.step_entered.emit(*self._runner.position)

    def _set_active(self, active: bool) -> None:
        self._active = active
        self._leave_button.setText("Leave lesson" if active else "Resume lesson")
        self._leave_button.setToolTip(
            "Explore the app freely; your place in the lesson is kept"
            if active
            else "Put the app back into this step's state and continue the lesson"
        )
        self._started = self._started or active
        lesson, _ = self._runner.current
        if self._started:
            text = (
                f"You are exploring on your own. Your place in “{lesson.title}” is kept: "
                "press Resume lesson (or Back / Next) to put the app back into this step's state."
            )
        else:
            text = (
                f"Welcome back. You stopped at lesson {lesson.number}, “{lesson.title}”. "
                "Press Resume lesson to set the app up for this step and carry on."
            )
        self._banner.setText(text)
        self._banner.setVisible(not active)

    def _keep_visible(self) -> list[QWidget]:
        dock = dock_of(self)
        return [dock if dock is not None else self]

    def _save(self) -> None:
        settings = make_settings()
        settings.setValue(SETTINGS_KEY, json.dumps(self._runner.to_dict()))
        settings.sync()

    # -- widget events -------------------------------------------------------------------

    def _on_back_button_clicked(self) -> None:
        self.back()

    def _on_next_button_clicked(self) -> None:
        self.next()

    def _on_leave_button_clicked(self) -> None:
        if self._active:
            self.leave()
        else:
            self.start()

    def _on_contents_item_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        position = item.data(0, Qt.ItemDataRole.UserRole)
        if position is not None and tuple(position) != self._runner.position:
            self.goto(*position)


def _parse(saved: object) -> object:
    """Saved progress (a JSON string) as data for ``LessonRunner.from_dict``; None if bad."""
    if not isinstance(saved, str):
        return None
    try:
        return json.loads(saved)
    except ValueError:
        return None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
