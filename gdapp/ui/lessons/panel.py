"""The lesson panel: walks the learner through the lessons a step at a time.

A ``LessonRunner`` (pure Python) holds the position, the steps seen and the answers; this
panel shows the current step (Markdown text with formulas and an optional checkpoint) in one
scrolling column, so text, question, answers and explanation always get the height they need
and answering never resizes the window. On entering a step it puts the app into that step's
state: the training commands of the runner's ``state_actions()`` go through ``LessonActions``
(the same controller commands a learner's clicks send), and the step's ``ViewState`` (which
page is in front, the graph and landscape settings, the figure, the spotlight) goes to the
window, which shows it. Entering a step the same way from anywhere gives the same screen.
Progress is saved in the app's settings after every move or answer; the settings file
follows within a second (``shared_settings``), and at once when the window closes.

"Leave lesson" stops applying steps so the learner can play; the position is kept and
"Resume lesson" (or Back/Next, or a click in the contents) puts the step's state back.
A lesson file that fails to load is listed, greyed out, with its error; the others work.

A setup file may choose which lessons appear and in what order (``set_lessons``; they are then
numbered in that order) and keep a lesson's answers locked until the learner has reached one
of its steps (``set_answer_locks``): the answer buttons stay disabled, with a note saying why.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gdapp.lessons.model import Lesson, LessonProblem, load_available_lessons
from gdapp.lessons.runner import LessonRunner
from gdapp.resources import resource_path
from gdapp.ui.controller import TrainingSession
from gdapp.ui.lessons.actions import (
    SESSION_ACTIONS,
    HistoryTracker,
    LessonActions,
    checkpoint_context,
)
from gdapp.ui.lessons.text import LessonTextBrowser
from gdapp.ui.settings import shared_settings
from gdapp.ui.view_state import ViewState, from_lesson_actions

SETTINGS_KEY = "lessons/progress"
CHOICE_TIP = "Commit to this answer; the app then checks it against the model"
CHECK = "\u2713"
CROSS = "\u2717"
RIGHT_COLOR = "#17803d"
WRONG_COLOR = "#b3261e"
UNAVAILABLE_COLOR = "#8a8f98"
CONTENTS_HEIGHT_PX = 220
MIN_WIDTH_PX = 280


class LessonHost(Protocol):
    """What the lesson panel needs from the window: show a step's ViewState."""

    def show_lesson_view(self, state: ViewState) -> list[str]:
        """Show ``state`` (page, panels, figure, spotlight); return a note per problem."""
        ...

    def leaving_page_for(self, page: str) -> AbstractContextManager[None]:
        """Keep the page in front out of sight while a step that shows ``page`` is set up."""
        ...


class LessonPanel(QWidget):
    """Lesson text, checkpoint, contents and Back/Next for ``controller``'s app.

    ``host`` is the main window (it shows each step's ViewState); without one, only the
    training commands of a step are carried out. ``lessons`` defaults to the shipped
    lessons; ``problems`` lists lesson files that could not be loaded.
    Signals: ``step_entered(int, int)`` (lesson index, step index, 0-based) after a step's
    state was applied; ``left()`` when the learner leaves the lesson; ``answered(str, bool)``.
    """

    step_entered = Signal(int, int)
    left = Signal()
    answered = Signal(str, bool)

    def __init__(
        self,
        controller: TrainingSession,
        host: LessonHost | None = None,
        lessons: tuple[Lesson, ...] | None = None,
        problems: tuple[LessonProblem, ...] = (),
    ) -> None:
        super().__init__()
        self.setObjectName("lessonPanel")
        self.setMinimumWidth(MIN_WIDTH_PX)
        self._controller = controller
        self._host = host
        if lessons is None:
            lessons, problems = load_available_lessons()
        self._lessons = tuple(lessons)
        self._problems = tuple(problems)
        self._ordered = False  # True once a setup chose the lessons and their order
        self._locks: dict[str, int] = {}
        # Seen at once; the file follows in a turn of its own, not the busy one of a move.
        self._settings = settings = shared_settings()
        saved = settings.value(SETTINGS_KEY)
        self._first_launch = saved is None
        self._runner = (
            LessonRunner.from_dict(self._lessons, _parse(saved)) if self._lessons else None
        )
        self._active = False
        self._started = False
        self._applied: tuple[str, int, int, str] | None = None
        self._history = HistoryTracker(controller, self)
        self._actions = LessonActions(controller, host)
        self.last_notes: list[str] = []
        self.last_view: ViewState | None = None
        self._build()
        self._fill_contents()
        if self._runner is not None:
            self._show_step()
        else:
            self._show_no_lessons()
        self._set_active(False)

    # -- public API --------------------------------------------------------------------

    @property
    def runner(self) -> LessonRunner:
        if self._runner is None:
            raise RuntimeError("no lesson could be loaded")
        return self._runner

    @property
    def actions(self) -> LessonActions:
        return self._actions

    @property
    def problems(self) -> tuple[LessonProblem, ...]:
        """Lesson files that could not be loaded (listed as unavailable)."""
        return self._problems

    @property
    def is_active(self) -> bool:
        """Whether the panel drives the app (False after "Leave lesson" or before ``start``)."""
        return self._active

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        """The lessons listed, in their order."""
        return self._lessons

    @property
    def lesson_order(self) -> tuple[str, ...] | None:
        """The lesson ids a setup chose, in its order; None when every lesson is listed."""
        return tuple(lesson.id for lesson in self._lessons) if self._ordered else None

    @property
    def answer_locks(self) -> dict[str, int]:
        """Lesson id -> the 0-based step whose visit unlocks that lesson's answers."""
        return dict(self._locks)

    def set_lessons(self, lessons: tuple[Lesson, ...]) -> None:
        """List only ``lessons``, in this order, numbered 1, 2, ... in it.

        Progress (steps seen, answers) is kept for the lessons that stay; the place is kept
        if its lesson stays, else (and for a new learner) it is the first lesson's first
        step. The panel stops driving the app until ``start`` (Resume lesson).
        """
        if not lessons:
            raise ValueError("a lesson list needs at least one lesson")
        saved = self._runner.to_dict() if self._runner is not None else None
        self._actions.dismiss_spotlight()
        self._lessons = tuple(lessons)
        self._problems = ()
        self._ordered = True
        self._locks = {k: v for k, v in self._locks.items() if k in self.lesson_order}
        self._runner = LessonRunner.from_dict(self._lessons, saved)
        new_learner = self._first_launch and not self._started
        if (
            new_learner
            or not isinstance(saved, dict)
            or saved.get("lesson") not in self.lesson_order
        ):
            self._runner.goto(0, 0)
        self._applied = None
        self._fill_contents()
        self._show_step()
        self._set_active(False)
        self._save()

    def set_answer_locks(self, locks: Mapping[str, int]) -> None:
        """Lock each named lesson's answers until the learner has reached its step ``index``."""
        self._locks = dict(locks)
        if self._runner is not None:
            self._show_checkpoint()

    def answers_locked(self) -> bool:
        """Whether the current step's answers wait for a step not reached yet."""
        if self._runner is None:
            return False
        lesson = self._runner.lesson
        index = self._locks.get(lesson.id)
        return index is not None and (lesson.id, index) not in self._runner.visited

    def number_of(self, lesson: Lesson) -> int:
        """The number shown for ``lesson``: its place in a setup's order, else its file's."""
        return self._lessons.index(lesson) + 1 if self._ordered else lesson.number

    def is_first_launch(self) -> bool:
        """True when no lesson progress was saved before this panel was made."""
        return self._first_launch

    def view_state(self) -> ViewState:
        """The ViewState the current step declares."""
        lesson, step = self.runner.current
        return from_lesson_actions(self.runner.state_actions(), step.figure)

    def start(self) -> None:
        """Enter the current step: apply its state and drive the app from now on."""
        if self._runner is None:
            return
        self._set_active(True)
        self._enter_step()

    def restore_progress(self, data: object) -> None:
        """Take saved progress (``LessonRunner.to_dict()`` output) without entering the step.

        The app is left as it is (the panel stops driving it); Resume lesson enters the step.
        """
        if self._runner is None:
            return
        self._actions.dismiss_spotlight()
        self._runner = LessonRunner.from_dict(self._lessons, data)
        self._applied = None
        self._save()
        self._show_step()
        self._set_active(False)

    def leave(self) -> None:
        """Stop driving the app; the position is kept for ``start`` (Resume) later."""
        self._actions.dismiss_spotlight()
        self._set_active(False)
        self._save()
        self.left.emit()

    def next(self) -> bool:
        """Go to the next step (and enter it); False at the very end."""
        moved = self._runner is not None and self._runner.next()
        if moved:
            self._after_move()
        return moved

    def back(self) -> bool:
        """Go to the previous step (and enter it); False at the very start."""
        moved = self._runner is not None and self._runner.back()
        if moved:
            self._after_move()
        return moved

    def goto(self, lesson_index: int, step_index: int = 0) -> None:
        self.runner.goto(lesson_index, step_index)
        self._after_move()

    def choose(self, choice_index: int) -> bool:
        """Answer the current step's checkpoint with ``choice_index``; True if right.

        The right choice is computed now from the live state; the result and the
        explanation are shown, the answer recorded and saved.
        """
        checkpoint = self.runner.step.checkpoint
        if checkpoint is None:
            raise RuntimeError("this step has no checkpoint")
        if self.answers_locked():
            return False
        try:
            context = checkpoint_context(
                self._controller, self._history, self._actions.current_graph_inputs()
            )
            answer = checkpoint.evaluate(context)
        except (RuntimeError, ValueError, IndexError) as error:
            self._result.setText(f"This question cannot be checked right now: {error}")
            self._result.show()
            return False
        right = self.runner.answer(checkpoint.id, choice_index, answer.index)
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
        # Bring the explanation into view: it is the point of answering.
        self._scroll.ensureWidgetVisible(self._result, 0, 8)
        return right

    def set_text_scale(self, factor: float) -> None:
        """Scale the lesson text and its formulas (the classroom zoom)."""
        self._text.set_text_scale(factor)
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.25)
        title_font.setBold(True)
        self._title.setFont(title_font)
        self._fit_text()

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

        # One scrolling column: the text at its full height, then the checkpoint.
        self._text = LessonTextBrowser(resource_path("resources/lessons"))
        self._text.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._text.setFrameShape(QFrame.Shape.NoFrame)
        self._text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._text.document().documentLayout().documentSizeChanged.connect(self._fit_text)

        self._checkpoint = QGroupBox("Predict, then check", objectName="lessonCheckpoint")
        self._question = QLabel(objectName="lessonQuestion")
        self._question.setWordWrap(True)
        self._choices_layout = QVBoxLayout()
        self._choice_pool: list[QPushButton] = []  # made as needed, kept (_show_checkpoint)
        self._choice_buttons: list[QPushButton] = []  # the current step's answers
        self._result = QLabel(objectName="lessonCheckpointResult")
        self._result.setWordWrap(True)
        self._result.setTextFormat(Qt.TextFormat.RichText)
        self._lock_note = QLabel(objectName="lessonLockNote")
        self._lock_note.setWordWrap(True)
        self._lock_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._lock_note.hide()
        box = QVBoxLayout(self._checkpoint)
        box.addWidget(self._question)
        box.addWidget(self._lock_note)
        box.addLayout(self._choices_layout)
        box.addWidget(self._result)

        column = QWidget(objectName="lessonColumn")
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 4, 0)
        column_layout.addWidget(self._text)
        column_layout.addWidget(self._checkpoint)
        column_layout.addStretch(1)
        self._scroll = QScrollArea(objectName="lessonScroll")
        self._scroll.setWidgetResizable(True)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setWidget(column)
        self._scroll.viewport().installEventFilter(self)

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
        layout.addWidget(self._scroll, 1)
        layout.addLayout(nav)

        self._contents_button.toggled.connect(self._contents.setVisible)
        self._contents.itemActivated.connect(self._on_contents_item_activated)
        self._contents.itemClicked.connect(self._on_contents_item_activated)
        self._back_button.clicked.connect(self._on_back_button_clicked)
        self._next_button.clicked.connect(self._on_next_button_clicked)
        self._leave_button.clicked.connect(self._on_leave_button_clicked)

    def eventFilter(self, watched, event) -> bool:
        if watched is self._scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_text()
        return super().eventFilter(watched, event)

    def _fit_text(self, *_args) -> None:
        """Give the text view exactly the height its document needs at the current width."""
        document = self._text.document()
        width = max(80, self._scroll.viewport().width() - 4)
        document.setTextWidth(width - 2 * self._text.frameWidth())
        height = int(document.size().height()) + 2 * self._text.frameWidth() + 2
        if self._text.height() != height:
            self._text.setFixedHeight(height)

    def _fill_contents(self) -> None:
        self._contents.clear()
        entries: list[tuple[str, object]] = [(lesson.path.name, lesson) for lesson in self._lessons]
        entries += [(problem.path.name, problem) for problem in self._problems]
        if not self._ordered:
            entries.sort(key=lambda entry: entry[0])
        self._lesson_items: list[QTreeWidgetItem] = []
        for _name, entry in entries:
            if isinstance(entry, LessonProblem):
                item = QTreeWidgetItem([f"{entry.path.stem} — unavailable"])
                item.setToolTip(0, entry.message)
                item.setForeground(0, Qt.GlobalColor.gray)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                item.addChild(QTreeWidgetItem([entry.message]))
                item.child(0).setFlags(Qt.ItemFlag.NoItemFlags)
                self._contents.addTopLevelItem(item)
                continue
            lesson_index = self._lessons.index(entry)
            parent = QTreeWidgetItem([f"{self.number_of(entry)}. {entry.title}"])
            parent.setData(0, Qt.ItemDataRole.UserRole, (lesson_index, 0))
            for step_index, step in enumerate(entry.steps):
                child = QTreeWidgetItem([step.title])
                child.setData(0, Qt.ItemDataRole.UserRole, (lesson_index, step_index))
                parent.addChild(child)
            self._contents.addTopLevelItem(parent)
            self._lesson_items.append(parent)
        self._update_contents()

    def _update_contents(self) -> None:
        if self._runner is None:
            return
        answered = self._runner.answered
        current = self._runner.position
        for lesson_index, lesson in enumerate(self._lessons):
            parent = self._lesson_items[lesson_index]
            done, total = self._runner.answered_in(lesson_index)
            suffix = f"  ({done}/{total} {CHECK})" if total else ""
            parent.setText(0, f"{self.number_of(lesson)}. {lesson.title}{suffix}")
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
        # A burst of GUI work: a run waits between two steps meanwhile (see hold_training).
        with self._controller.hold_training():
            self._save()
            self._set_active(True)
            self._show_step()
            self._enter_step()

    def _show_no_lessons(self) -> None:
        self._title.setText("No lessons")
        self._progress.setText("")
        details = "\n".join(f"- {problem.message}" for problem in self._problems)
        self._text.show_markdown(f"No lesson could be loaded.\n\n{details}")
        self._checkpoint.hide()
        for button in (self._back_button, self._next_button, self._leave_button):
            button.setEnabled(False)

    def _show_step(self) -> None:
        lesson, step = self._runner.current
        lesson_index, step_index = self._runner.position
        self._title.setText(f"{self.number_of(lesson)}. {lesson.title}")
        self._progress.setText(
            f"Lesson {lesson_index + 1} of {len(self._lessons)} · "
            f"step {step_index + 1} of {len(lesson.steps)} — {step.title}"
        )
        self._text.show_markdown(f"### {step.title}\n\n{step.body}")
        self._fit_text()
        self._show_checkpoint()
        self._scroll.verticalScrollBar().setValue(0)
        self._back_button.setEnabled(not self._runner.at_start)
        self._next_button.setEnabled(not self._runner.at_end)
        self._update_contents()

    def _show_checkpoint(self) -> None:
        self._fill_checkpoint()
        # Lay the question and its buttons out now: reused buttons whose text changed
        # would otherwise be painted a frame or two at their old height (relaid in turns).
        self._checkpoint.layout().activate()
        self._scroll.widget().layout().activate()

    def _fill_checkpoint(self) -> None:
        checkpoint = self._runner.step.checkpoint
        self._result.clear()
        self._result.hide()
        self._checkpoint.setVisible(checkpoint is not None)
        choices = () if checkpoint is None else checkpoint.choices
        # The answer buttons are kept and reused: a new button costs its first polish and
        # show on top of the step's own work (2-6 ms each during a run).
        for k, button in enumerate(self._choice_pool):
            if k < len(choices):
                button.setText(choices[k])
                button.setToolTip(CHOICE_TIP)
                button.setEnabled(True)
                if button.property("verdict"):  # the right answer of an earlier answering
                    button.setProperty("verdict", "")
                    button.setStyleSheet("")
            button.setVisible(k < len(choices))
        while len(self._choice_pool) < len(choices):  # shown by the layout, with the rest
            k = len(self._choice_pool)
            button = QPushButton(choices[k], objectName=f"lessonChoice{k}")
            button.setToolTip(CHOICE_TIP)
            button.clicked.connect(lambda _checked=False, k=k: self.choose(k))
            self._choices_layout.addWidget(button)
            self._choice_pool.append(button)
        self._choice_buttons = self._choice_pool[: len(choices)]
        if checkpoint is None:
            return
        self._question.setText(checkpoint.question)
        locked = self.answers_locked()
        self._lock_note.setVisible(locked)
        if locked:
            lesson = self._runner.lesson
            index = self._locks[lesson.id]
            self._lock_note.setText(
                f"The answers open once you have reached step {index + 1} of this lesson, "
                f"“{lesson.steps[index].title}”. Read on, then come back to answer."
            )
            for button in self._choice_buttons:
                button.setEnabled(False)
                button.setToolTip("Locked until you have reached the step named above")
            return
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
        state = self._runner.state_actions()
        session = {name: value for name, value in state.items() if name in SESSION_ACTIONS}
        # The same training, untouched since it was applied, is not run again.
        wanted = json.dumps(session, sort_keys=True)
        notes = []
        _lesson, step = self._runner.current
        view = from_lesson_actions(state, step.figure)
        host = self._host
        # A page the step leaves does no work for the step's dataset and run meanwhile.
        with nullcontext() if host is None else host.leaving_page_for(view.page):
            if (wanted, *self._session_mark()) != self._applied:
                notes = self._actions.apply(session)
                self._applied = (wanted, *self._session_mark())
            self.last_view = view
            self._actions.graph_inputs = dict(zip("abc", view.graph_inputs, strict=True))
            if host is not None:
                notes += host.show_lesson_view(view)
        self.last_notes = notes
        self.step_entered.emit(*self._runner.position)

    def _session_mark(self) -> tuple[int, int, str]:
        """What changes when anyone touches the session: commands, selection, dataset."""
        controller = self._controller
        origin = json.dumps(controller.dataset_origin, sort_keys=True, default=str)
        return controller.commands_sent, controller.selected_sample, origin

    def _set_active(self, active: bool) -> None:
        self._active = active
        self._leave_button.setText("Leave lesson" if active else "Resume lesson")
        self._leave_button.setToolTip(
            "Explore the app freely; your place in the lesson is kept"
            if active
            else "Put the app back into this step's state and continue the lesson"
        )
        self._started = self._started or active
        if self._runner is None:
            self._banner.setVisible(False)
            return
        lesson, _ = self._runner.current
        if self._started:
            text = (
                f"You are exploring on your own. Your place in “{lesson.title}” is kept: "
                "press Resume lesson (or Back / Next) to put the app back into this step's state."
            )
        else:
            text = (
                f"Welcome back. You stopped at lesson {self.number_of(lesson)}, “{lesson.title}”. "
                "Press Resume lesson to set the app up for this step and carry on."
            )
        self._banner.setText(text)
        self._banner.setVisible(not active)

    def _save(self) -> None:
        if self._runner is None:
            return
        self._settings.setValue(SETTINGS_KEY, json.dumps(self._runner.to_dict()))

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
        if position is not None and tuple(position) != self.runner.position:
            self.goto(*position)
        elif position is not None and not self._active:
            self.start()


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
