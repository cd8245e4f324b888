"""The main window: a lesson beside a large workspace, the training controls always on top.

Layout: the training toolbar (Step back, Step, Run, Pause, Reset, learning rate, optimizer,
batch size, speed, Settings) runs across the top and never hides; the lesson column sits on
the left; the workspace in the middle shows one page at a time (dataset, plots, computation
graph, cost landscape, decision boundary, lesson figure), each built when first shown; the
rarely changed training settings open in a dock on the right when asked for.

The window owns two models and shows them: ``controller`` (the ``TrainingSession``: dataset,
training settings, the training thread's snapshots) and ``view_model`` (a ``ViewModel``
holding the ``ViewState``: which page is in front and every panel's view settings). A
panel's own widgets edit the ViewState through ``view_model.update``; a lesson step
replaces it whole (``show_lesson_view``). Layout, the last dataset, the training settings
and the text scale are saved between launches.
"""

from __future__ import annotations

import atexit
import contextlib
import weakref
from pathlib import Path

import shiboken6
from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

import gdapp
from gdapp.datasets import PRESETS, Dataset
from gdapp.lessons.model import load_available_lessons
from gdapp.ui.busy_hold import BusyHold
from gdapp.ui.controller import DEFAULT_PRESET, TrainingSession
from gdapp.ui.exports import WindowExports
from gdapp.ui.first_frame import after_first_frame
from gdapp.ui.frame_pacer import paint_next_turn
from gdapp.ui.gui_gc import freeze_long_lived, thaw
from gdapp.ui.lessons.panel import LessonPanel
from gdapp.ui.message_bar import MessageBar
from gdapp.ui.panels.settings_panel import SettingsPanel
from gdapp.ui.panels.training_bar import SPEEDS, TrainingBar
from gdapp.ui.preload import preloading, start_preloading, stop_preloading
from gdapp.ui.session_commands import SessionCommands
from gdapp.ui.settings import flush_settings, read_session, shared_settings, write_session
from gdapp.ui.setup_apply import SetupCommands
from gdapp.ui.status_bar import NOTICE_TIMEOUT_MS, TrainingStatusBar
from gdapp.ui.timeline import TimelineBar
from gdapp.ui.training_thread import Snapshot
from gdapp.ui.view_state import PAGES, TARGET_PAGES, ViewModel, ViewState
from gdapp.ui.window_menus import TextScale, build_menus, shortcuts_html
from gdapp.ui.workspace import Workspace

WINDOW_TITLE = "Gradient Descent Lab"
DEFAULT_SIZE = (1280, 800)  # px
MINIMUM_SIZE = (900, 640)  # px; the window fits 1024 x 768 with room to spare
LESSON_COLUMN_SHARE = 0.29  # of the window's width, between the two bounds below
LESSON_COLUMN_PX = (300, 420)
LESSON_COLUMN_MAX_SHARE = 0.32  # a window made narrower shrinks the column to this share
IDLE_BUILD_DELAY_MS = 400  # pages not in front are built this long after the first frame
IDLE_BUILD_GAP_MS = 60  # and one at a time, so the window stays responsive meanwhile
COMPACT_TOOLBAR_BELOW_PX = 1200  # narrower windows get icon-only Back, Pause and Reset
LAYOUT_VERSION = 2  # bump when the docks change, so an old saved layout is ignored
TEXT_SCALE_KEY = "view/text_scale"
EXAMPLE_IDLE_REASON = (
    "The post's a, b, c graph is not trained: choose the patient or batch view of the "
    "computation graph, or another page, to watch a gradient step"
)
# Where widgets that tests and lessons look up by objectName live.
PAGE_OF_WIDGET = {
    **TARGET_PAGES,
    "datasetInfo": "data",
    "presetInput": "data",
    "columnSummary": "data",
    "plotsPanel": "plots",
    "boundaryPanel": "boundary",
    "gradientTable": "graph",
    "figurePanel": "figure",
}
_OPEN_WINDOWS: weakref.WeakSet[MainWindow] = weakref.WeakSet()


class MainWindow(QMainWindow):
    """Gradient Descent Lab's window; ``controller`` and ``view_model`` are its two models."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(WINDOW_TITLE)
        self.setObjectName("mainWindow")
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
        )
        self._settings = shared_settings()
        _OPEN_WINDOWS.add(self)
        self._last_status = "ready"
        self._refusal: str | None = None  # the latest refused input, until its notice joins it
        self._closed = False
        self._applying_view = False
        self._spotlight = None
        self._first_lesson_due = False
        # Checked values only: a damaged settings file falls back to defaults, with warnings.
        self._session = read_session(self._settings)
        self.settings_warnings = self._session.warnings
        self.controller = TrainingSession(config=self._session.config, parent=self)
        self.view_model = ViewModel(parent=self)
        self.text_scale = TextScale(self)

        self.training_bar = TrainingBar(self.controller, self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.training_bar)
        self.addActions(self.training_bar.actions)  # shortcuts work wherever the focus is

        self.message_bar = MessageBar()
        self._prebuilt_plots: dict[str, QWidget] = {}  # see _prebuild_plot_view
        self.workspace = Workspace(
            {
                "data": self._make_dataset_page,
                "plots": self._make_plots_page,
                "graph": self._make_graph_page,
                "landscape": self._make_landscape_page,
                "boundary": self._make_boundary_page,
                "figure": self._make_figure_page,
            }
        )
        central = QWidget(objectName="centralArea")
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(2, 2, 2, 0)
        central_layout.setSpacing(4)
        self.timeline = TimelineBar(self.controller)
        self._branch: tuple | None = None
        central_layout.addWidget(self.message_bar)
        central_layout.addWidget(self.timeline)
        central_layout.addWidget(self.workspace, 1)
        self.setCentralWidget(central)

        lessons, problems = load_available_lessons()
        self.lesson_panel = LessonPanel(self.controller, self, lessons, problems)
        self.lesson_dock = self._add_dock(
            self.lesson_panel, "Lesson", "lessonDock", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.settings_panel = SettingsPanel(self.controller)
        settings_scroll = QScrollArea()
        settings_scroll.setWidgetResizable(True)
        settings_scroll.setWidget(self.settings_panel)
        self.settings_dock = self._add_dock(
            settings_scroll, "Training settings", "settingsDock",
            Qt.DockWidgetArea.RightDockWidgetArea,
        )  # fmt: skip
        self.settings_dock.hide()
        toggle_settings = self.settings_dock.toggleViewAction()
        toggle_settings.setText("Settings")
        toggle_settings.setShortcut(QKeySequence("Ctrl+,"))
        toggle_settings.setToolTip("Show or hide the other training settings (Ctrl+,)")
        self.training_bar.addSeparator()
        self.training_bar.addAction(toggle_settings)
        self.training_bar.widgetForAction(toggle_settings).setObjectName("settingsButton")

        self.setStatusBar(TrainingStatusBar(self.controller))
        self.status_labels = self.statusBar().labels
        self.sessions = SessionCommands(self)
        self.setup_commands = SetupCommands(self)
        self.exports = WindowExports(self)
        build_menus(self)
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(*self._default_size())
        self._size_lesson_column()
        self._default_state = self.saveState(LAYOUT_VERSION)

        controller = self.controller
        self.busy_hold = BusyHold(self, controller)  # a run waits while this thread works
        # A new dataset, setting, page, view, lesson step or Run redraws much of the window:
        # the run waits for that frame (the view model's is connected before the window's
        # own handler, so the hold covers applying the view too), which is drawn one turn
        # of the event loop after the change (``_paint_next_turn``).
        for change in (
            controller.dataset_changed,
            controller.config_changed,
            controller.running_changed,
            self.view_model.changed,
            self.lesson_panel.step_entered,
        ):
            change.connect(self.busy_hold.hold_until_idle)
            change.connect(self._paint_next_turn)
        controller.snapshot_ready.connect(self._on_controller_snapshot_ready)
        controller.dataset_changed.connect(self._on_controller_dataset_changed)
        controller.running_changed.connect(self._on_controller_running_changed)
        controller.error.connect(self._on_controller_error)
        self.training_bar.input_refused.connect(self._on_training_bar_input_refused)
        self.settings_panel.input_refused.connect(self._on_training_bar_input_refused)
        self.view_model.changed.connect(self._on_view_model_changed)
        self.timeline.branch_left.connect(self._on_timeline_branch_left)
        self.training_bar.reset_action.triggered.connect(self.timeline.forget_branch)
        self.workspace.page_built.connect(self._on_workspace_page_built)
        self.workspace.page_chosen.connect(self._on_workspace_page_chosen)

        self._restore_settings()
        if self.settings_warnings:
            self.statusBar().showMessage(" ".join(self.settings_warnings))
        # The last session saved or opened comes back (run, view, lesson place) if there is
        # one; a truly new learner has none and starts on lesson 1.
        resumed = self.sessions.resume_last()
        if not resumed and self.lesson_panel.is_first_launch() and lessons:
            # A new learner starts on lesson 1, once the window is up so that the spotlight
            # finds the widget the lesson talks about.
            self.view_model.set_state(self.lesson_panel.view_state())
            self._first_lesson_due = True
            QTimer.singleShot(0, self, self._start_first_lesson_unshown)
        # The page in front is built right after the first frame, so the window shows at once.
        self.workspace.select_page(self.view_model.state.page)
        if problems:
            names = ", ".join(problem.path.name for problem in problems)
            self.statusBar().showMessage(
                f"Some lessons could not be loaded ({names}); the contents list says why.",
                NOTICE_TIMEOUT_MS,
            )

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.training_bar.set_compact(self.width() < COMPACT_TOOLBAR_BELOW_PX)
        # A narrower window takes its width from the lesson column too, not only the pages.
        cap = max(LESSON_COLUMN_PX[0], int(self.width() * LESSON_COLUMN_MAX_SHARE))
        if self.lesson_dock.isVisible() and self.lesson_dock.width() > cap:
            self.resizeDocks([self.lesson_dock], [cap], Qt.Orientation.Horizontal)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_sized", False):
            self._sized = True
            self._size_lesson_column()
            # What the first frame does not show waits until it is on the screen.
            after_first_frame(self, self._build_front_page)
            if self._first_lesson_due:
                before = (self.view_model.state, self.controller.is_running)
                after_first_frame(self, lambda: self._start_first_lesson(before))
            after_first_frame(self, start_preloading)
            QTimer.singleShot(IDLE_BUILD_DELAY_MS, self, self._build_next_page)

    def _build_front_page(self) -> None:
        if not self._closed:
            self.workspace.page(self.workspace.current_page)

    def _start_first_lesson(self, before: tuple | None = None) -> None:
        """Enter lesson 1, unless the learner changed the view or ran since ``before``.

        A learner who clicks before the lesson is entered keeps what they chose; the lesson
        then waits for Resume. A setup file that set the dataset or the settings keeps them
        until the learner resumes the lesson.
        """
        if not self._first_lesson_due or self._closed:
            return
        self._first_lesson_due = False
        if self.setup_commands.holds_lessons:
            return
        if before is None or before == (self.view_model.state, self.controller.is_running):
            self.lesson_panel.start()

    def _start_first_lesson_unshown(self) -> None:
        if not self.isVisible():  # a shown window starts it after its first frame
            self._start_first_lesson()

    # -- pages (built on first show) -----------------------------------------------------

    def _make_dataset_page(self) -> QWidget:
        from gdapp.ui.panels.dataset_browser import DatasetBrowserPanel

        return DatasetBrowserPanel(self.controller)

    def _make_plots_page(self) -> QWidget:
        from gdapp.ui.panels.plots import PlotsPanel

        return PlotsPanel(self.controller, prebuilt=self._prebuilt_plots)

    def _prebuild_plot_view(self) -> bool:
        """Make one of the plots page's plot views, if one is still to make (True then).

        The four views are most of that page's cost (together some 90 ms); made one per
        turn of the event loop before the page, no turn of the page's build is long."""
        from gdapp.ui.panels.plots import PLOT_SPECS
        from gdapp.ui.plot_items import make_plot

        for key, spec in PLOT_SPECS.items():
            if key not in self._prebuilt_plots:
                view = make_plot(*spec)
                view.setParent(self)  # hidden, and deleted with the window if never used
                self._prebuilt_plots[key] = view
                return True
        return False

    def _make_graph_page(self) -> QWidget:
        from gdapp.ui.panels.graph import GraphPanel

        return GraphPanel(self.controller)

    def _make_landscape_page(self) -> QWidget:
        from gdapp.ui.panels.landscape import LandscapePanel

        return LandscapePanel(self.controller)

    def _make_boundary_page(self) -> QWidget:
        from gdapp.ui.panels.boundary import BoundaryPanel

        return BoundaryPanel(self.controller)

    def _make_figure_page(self) -> QWidget:
        from gdapp.ui.lessons.figure_page import FigurePage

        return FigurePage(self.controller)

    @property
    def dataset_panel(self):
        return self.workspace.page("data")

    @property
    def plots_panel(self):
        return self.workspace.page("plots")

    @property
    def graph_panel(self):
        return self.workspace.page("graph")

    @property
    def landscape_panel(self):
        return self.workspace.page("landscape")

    @property
    def boundary_panel(self):
        return self.workspace.page("boundary")

    @property
    def figure_page(self):
        return self.workspace.page("figure")

    def _paint_next_turn(self, *_args) -> None:
        """Draw the workspace and the lesson column after the event loop's next turn
        (``paint_next_turn``): a change, its layout and its first frame, at up to 60-100 ms
        each, would otherwise hold the event loop as one. Takes any arguments, so that any
        signal can be connected to it.
        """
        # The workspace first, the lesson column a turn later: painted together after a
        # lesson step (a new page, new text), the two held the event loop for 60-80 ms.
        # By then the loop has gone idle and a run has come back: each frame holds it again
        # (it would make each of the paint's calls into Python wait for the GIL).
        hold = self.busy_hold.hold_next_repaint
        for turns, area in enumerate((self.centralWidget(), self.lesson_dock), start=1):
            if not area.isWindow():  # a floating dock is a window of its own
                paint_next_turn(area, turns, before_paint=hold)

    def show_page(self, page: str) -> None:
        """Bring a workspace page to the front (a learner's choice: the ViewState follows)."""
        if page == "figure" and self.view_model.state.figure is None:
            self.statusBar().showMessage("No lesson figure to show now.", NOTICE_TIMEOUT_MS)
            return
        self.view_model.update(page=page)

    def findChild(self, kind, *args):  # noqa: N802 (Qt's name)
        """Qt's findChild, which first builds a page that a wanted widget lives on."""
        found = super().findChild(kind, *args)
        name = args[0] if args and isinstance(args[0], str) else ""
        if found is None and name and self._build_pages_for(name):
            found = super().findChild(kind, *args)
        return found

    def findChildren(self, kind, *args):  # noqa: N802 (Qt's name)
        """Qt's findChildren, after building the page a named widget lives on."""
        name = args[0] if args and isinstance(args[0], str) else ""
        if name:
            self._build_pages_for(name)
        return super().findChildren(kind, *args)

    def _build_pages_for(self, name: str) -> bool:
        """Build the page ``name`` lives on, or every page if that is not known; True if any."""
        workspace = getattr(self, "workspace", None)
        if workspace is None:
            return False
        page = PAGE_OF_WIDGET.get(name)
        pages = [page] if page is not None else list(PAGES)
        missing = [p for p in pages if not workspace.is_built(p)]
        for p in missing:
            workspace.page(p)
        return bool(missing)

    def _build_next_page(self) -> None:
        """After the first frame, build the other pages one per event-loop turn, once their
        code has been imported in the background (``preload``)."""
        if self._closed:
            return
        if preloading():
            QTimer.singleShot(IDLE_BUILD_GAP_MS, self, self._build_next_page)
            return
        for page in PAGES:
            if not self.workspace.is_built(page):
                if page == "plots" and self._prebuild_plot_view():
                    QTimer.singleShot(IDLE_BUILD_GAP_MS, self, self._build_next_page)
                    return
                self.workspace.page(page)
                QTimer.singleShot(IDLE_BUILD_GAP_MS, self, self._build_next_page)
                return
        # Then the lesson figures, so a step with a figure does not pay for making it.
        from gdapp.ui.lessons.figures import FIGURE_CLASSES

        figures = self.figure_page
        for name in FIGURE_CLASSES:
            if not figures.has_figure(name):
                figures.figure(name)
                QTimer.singleShot(IDLE_BUILD_GAP_MS, self, self._build_next_page)
                return
        # Everything the window is made of lives as long as it does: a full collection
        # during a run need not visit it again (60-70 ms of this thread each time).
        freeze_long_lived()

    def find_widget(self, name: str) -> QWidget | None:
        """The widget named ``name`` (building the page it lives on), or None."""
        page = TARGET_PAGES.get(name)
        if page is not None:
            self.workspace.page(page)
        found = self.findChildren(QWidget, name)
        visible = [w for w in found if w.isVisible()]
        return (visible or found or [None])[0]

    # -- construction ---------------------------------------------------------------------

    def _add_dock(
        self, panel: QWidget, title: str, object_name: str, area: Qt.DockWidgetArea
    ) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name)
        dock.setWidget(panel)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _default_size(self) -> tuple[int, int]:
        width, height = DEFAULT_SIZE
        screen = self.screen() or QApplication.primaryScreen()
        if screen is not None:
            available = screen.availableGeometry()
            width, height = min(width, available.width()), min(height, available.height())
        return width, height

    def _size_lesson_column(self) -> None:
        low, high = LESSON_COLUMN_PX
        width = min(max(int(self.width() * LESSON_COLUMN_SHARE), low), high)
        self.resizeDocks([self.lesson_dock], [width], Qt.Orientation.Horizontal)

    # -- the view state -------------------------------------------------------------------

    def leaving_page_for(self, page: str) -> contextlib.AbstractContextManager[None]:
        """While a lesson step that shows ``page`` is set up, keep the page in front (if it
        is another) out of sight: it would draw the step's new dataset, then be left."""
        return self.workspace.out_of_sight_unless(page)

    def show_lesson_view(self, state: ViewState) -> list[str]:
        """Show a lesson step's ViewState: page, panels, figure, then its spotlight."""
        self.dismiss_spotlight()
        self.lesson_dock.show()
        if state == self.view_model.state:
            self._apply_view(state)  # panels may hold edits made while the lesson was left
        else:
            self.view_model.set_state(state)
        target = state.spotlight
        if not target or target == "lessonPanel":
            return []
        widget = self.find_widget(target)
        if widget is None:
            return [f"nothing named {target!r} to spotlight"]
        QTimer.singleShot(0, self, lambda: self._spotlight_widget(widget))
        return []

    def _spotlight_widget(self, widget: QWidget) -> None:
        if self._closed or not shiboken6.isValid(widget) or not widget.isVisible():
            return
        if self._spotlight is None:
            from gdapp.ui.lessons.spotlight import Spotlight

            self._spotlight = Spotlight(self)
        self._spotlight.show_for(widget, keep_visible=[self.lesson_dock])

    def dismiss_spotlight(self) -> None:
        if self._spotlight is not None:
            self._spotlight.dismiss()

    def graph_inputs(self) -> dict[str, float]:
        """The a, b, c of the example graph as shown now."""
        if self.workspace.is_built("graph"):
            return self.graph_panel.example_inputs()
        return dict(zip("abc", self.view_model.state.graph_inputs, strict=True))

    def _on_view_model_changed(self, _old: ViewState, new: ViewState) -> None:
        self._apply_view(new)

    def _apply_view(self, state: ViewState) -> None:
        """Make every built panel show ``state`` (edits they report meanwhile are ignored)."""
        self._applying_view = True
        try:
            title = None
            if state.figure:  # the figures' module is imported once a step shows one
                from gdapp.ui.lessons.figure_page import FIGURE_TITLES

                title = FIGURE_TITLES.get(state.figure, state.figure)
            self.workspace.set_figure_title(title)
            if state.figure is not None or self.workspace.is_built("figure"):
                self.figure_page.set_post_example(*state.post_example, refresh=False)
                self.figure_page.set_figure(state.figure)  # draws the figure it shows
            if self.workspace.current_page != state.page:
                if self.isVisible():
                    self.workspace.show_page(state.page)
                else:
                    self.workspace.select_page(state.page)
            for page, widget in self.workspace.built_pages().items():
                self._apply_view_to(page, widget, state)
            idle = state.page == "graph" and state.graph_view == "example"
            self.training_bar.set_idle_reason(EXAMPLE_IDLE_REASON if idle else "")
        finally:
            self._applying_view = False

    def _apply_view_to(self, page: str, widget: QWidget, state: ViewState) -> None:
        if page == "graph":
            widget.set_view(state.graph_view)
            if state.graph_bug in widget.bug_names():
                widget.set_bug(state.graph_bug)
            widget.set_nudge(state.graph_nudge or state.graph_bug is not None)
            widget.set_example_inputs(*state.graph_inputs)
        elif page == "landscape":
            wanted = (state.landscape_mode, state.landscape_params, state.overlays)
            if tuple(widget.state()[:3]) != wanted:
                try:
                    widget.set_state(*wanted)
                except ValueError:  # axes this dataset does not have: the panel keeps its own
                    self._landscape_on_own_axes(widget, state)
                    QTimer.singleShot(0, self, self._on_landscape_refused)
        elif page == "boundary":
            wanted = (state.boundary_features, state.boundary_held)
            if widget.state() != wanted:
                try:
                    widget.set_state(*wanted)
                except ValueError:  # features this dataset does not have: the page keeps its own
                    QTimer.singleShot(0, self, self._on_boundary_refused)
        elif page == "data":
            widget.set_scaled(state.table_scaled)

    def _on_workspace_page_built(self, page: str, widget: QWidget) -> None:
        self._apply_view_to(page, widget, self.view_model.state)
        if page == "plots" and self._branch is not None:
            widget.set_branch(*self._branch)
        if page == "graph":
            for name in ("graphViewSelector", "bugSelector"):
                combo = widget.findChild(QComboBox, name)
                if combo is not None:
                    combo.currentIndexChanged.connect(self._on_graph_edited)
            toggle = widget.findChild(QWidget, "nudgeToggle")
            if toggle is not None and hasattr(toggle, "toggled"):
                toggle.toggled.connect(self._on_graph_edited)
            for name in ("exampleA", "exampleB", "exampleC"):
                box = widget.findChild(QDoubleSpinBox, name)
                if box is not None:
                    box.valueChanged.connect(self._on_graph_edited)
        elif page == "landscape":
            edited = getattr(widget, "state_edited", None)
            if edited is not None:
                edited.connect(self._on_landscape_edited)
        elif page == "boundary":
            widget.state_edited.connect(self._on_boundary_edited)
        elif page == "data":
            toggle = widget.findChild(QCheckBox, "scaledToggle")
            if toggle is not None:
                toggle.toggled.connect(self._on_table_scaled_toggled)
        if self.text_scale.factor != 1.0:
            self.apply_text_scale(self.text_scale.factor, QApplication.font())

    def _on_timeline_branch_left(self, epoch, loss) -> None:
        self._branch = None if epoch is None else (epoch, loss)
        if self.workspace.is_built("plots"):
            self.plots_panel.set_branch(epoch, loss)

    def _on_workspace_page_chosen(self, page: str) -> None:
        if not self._applying_view:
            self.view_model.update(page=page)

    def _on_graph_edited(self, *_args) -> None:
        if self._applying_view:
            return
        panel = self.graph_panel
        bug = panel.findChild(QComboBox, "bugSelector")
        bug_name = None if bug is None else bug.currentData()
        toggle = panel.findChild(QWidget, "nudgeToggle")
        inputs = panel.example_inputs()
        self.view_model.update(
            graph_view=panel.current_view(),
            graph_bug=None if bug_name in (None, "none") else bug_name,
            graph_nudge=bool(toggle is not None and toggle.isChecked()),
            graph_inputs=(inputs["a"], inputs["b"], inputs["c"]),
        )

    def _on_landscape_edited(self, mode, params, overlays) -> None:
        if not self._applying_view:
            self.view_model.update(
                landscape_mode=mode,
                landscape_params=tuple(params),
                overlays=tuple((str(o), float(lr)) for o, lr in overlays),
            )

    @staticmethod
    def _landscape_on_own_axes(widget, state: ViewState) -> None:
        """The step's mode and overlaid runs on the panel's own axes, so that nothing of the
        view before (another lesson's runs, say) stays behind when only the axes do not fit."""
        own = tuple(widget.state()[1])
        params = own[:1] if state.landscape_mode == "slice" else own
        # If even that does not fit, the panel keeps all of its own state, which the refusal
        # then writes back.
        with contextlib.suppress(ValueError):
            widget.set_state(state.landscape_mode, params, state.overlays)

    def _on_landscape_refused(self) -> None:
        mode, params, overlays = tuple(self.landscape_panel.state()[:3])
        self.view_model.update(
            landscape_mode=mode, landscape_params=tuple(params), overlays=tuple(overlays)
        )

    def _on_boundary_edited(self, features, held) -> None:
        if not self._applying_view:
            self.view_model.update(boundary_features=features, boundary_held=held)

    def _on_boundary_refused(self) -> None:
        if not self._closed:
            self._on_boundary_edited(*self.boundary_panel.state())

    def _on_table_scaled_toggled(self, scaled: bool) -> None:
        if not self._applying_view:
            self.view_model.update(table_scaled=bool(scaled))

    # -- text scale -----------------------------------------------------------------------

    def apply_text_scale(self, factor: float, font: QFont) -> None:
        """Scale the texts that set their own size (lesson text, plots' axes, graph)."""
        self.lesson_panel.set_text_scale(factor)
        for widget in self.workspace.built_pages().values():
            scale = getattr(widget, "set_text_scale", None)
            if scale is not None:
                scale(factor)
        from gdapp.ui.plot_text import scale_plot_text

        scale_plot_text(self, font)
        self._settings.setValue(TEXT_SCALE_KEY, factor)

    # -- commands -------------------------------------------------------------------------

    def open_csv_dialog(self):
        self.show_page("data")
        return self.dataset_panel.open_csv_dialog()

    def save_session(self, path: str | Path) -> None:
        """Save the current run, view and lesson place to ``path`` (a message if it fails)."""
        self.sessions.save_session(path)

    def open_session(self, path: str | Path) -> bool:
        """Open a session file; False (message shown, nothing changed) when it is refused.

        True means its steps are being replayed: ``session_ready(ok)`` is emitted at the end.
        """
        return self.sessions.open_session(path)

    @property
    def session_ready(self):
        """``SessionCommands.session_ready``: an opened session's replay has ended."""
        return self.sessions.session_ready

    def reset_layout(self) -> None:
        """Put every dock back where it started and show the lesson."""
        self.restoreState(self._default_state, LAYOUT_VERSION)
        for dock in self.findChildren(QDockWidget):
            dock.setFloating(False)
        self.lesson_dock.show()
        self.settings_dock.hide()
        self.setup_commands.reapply_hidden()

    def open_setup(self, path: str | Path) -> bool:
        """Apply a setup file (see gdapp.ui.setup_apply); False, with a message, if refused."""
        return self.setup_commands.open_setup(path)

    def export_setup(self, path: str | Path) -> bool:
        """Write this window as a setup file; False, with a message, if that fails."""
        return self.setup_commands.export_setup(path)

    # File ▸ Export (see gdapp.ui.exports): the plots and the weights return True when
    # written; the others return the ExportJob writing the file (None when refused).

    def export_plot(self, key: str | None, path: str | None = None) -> bool:
        """Save one plot (``PlotsPanel.views`` key) or all of them (None): PNG, or SVG."""
        return self.exports.export_plot(key, path)

    def export_graph(self, path: str | None = None):
        return self.exports.export_graph(path)

    def export_landscape(self, path: str | None = None):
        return self.exports.export_landscape(path)

    def export_weights(self, path: str | None = None) -> bool:
        return self.exports.export_weights(path)

    def export_history(self, path: str | None = None):
        return self.exports.export_history(path)

    def export_script(self, path: str | None = None):
        return self.exports.export_script(path)

    def export_notebook(self, path: str | None = None):
        return self.exports.export_notebook(path)

    def show_shortcuts(self) -> None:
        self._show_info("shortcutsDialog", "Keyboard shortcuts", shortcuts_html())

    def show_about(self) -> None:
        import pyqtgraph
        from PySide6 import __version__ as qt_version

        self._show_info(
            "aboutDialog",
            "About Gradient Descent Lab",
            f"<h3>Gradient Descent Lab {gdapp.__version__}</h3>"
            "<p>Watch logistic regression learn on the Pima diabetes data, one gradient "
            "step at a time: loss, accuracy and every weight as they change.</p>"
            f"<p>PySide6 {qt_version} · pyqtgraph {pyqtgraph.__version__}</p>",
        )

    def _show_info(self, name: str, title: str, html: str) -> QMessageBox:
        """A window-modal message that does not block (training keeps reporting)."""
        box = QMessageBox(QMessageBox.Icon.Information, title, html, parent=self)
        box.setObjectName(name)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    # -- controller events ----------------------------------------------------------------

    def _on_controller_dataset_changed(self, _dataset: Dataset) -> None:
        action = self.preset_actions.get(self.controller.dataset_origin.get("preset", ""))
        if action is not None:
            action.setChecked(True)
        else:
            checked = self.preset_group.checkedAction()
            if checked is not None:
                checked.setChecked(False)
        self._last_status = "ready"
        self.message_bar.hide()

    def _on_controller_snapshot_ready(self, snapshot: Snapshot) -> None:
        if snapshot.commands_seen != self.controller.commands_sent:
            # Taken before a command still on its way (Run, a new setting): a stop it reports
            # may already be undone, and its banner would flash up again after Run.
            return
        if snapshot.status != self._last_status:
            self._last_status = snapshot.status
            self._show_stop(snapshot)

    def _on_controller_running_changed(self, running: bool) -> None:
        action = self.training_bar.toggle_run_action
        action.setText("Pause" if running else "Run")
        if running:
            self.message_bar.hide()

    def _on_controller_error(self, message: str) -> None:
        self._show_error(message)

    def _on_training_bar_input_refused(self, message: str) -> None:
        bar = self.statusBar()
        bar.showMessage(message, NOTICE_TIMEOUT_MS)
        self._refusal = message

        def keep_both() -> None:
            # The value kept may restart training, and the controller's notice saying so
            # comes right after: show the two together rather than the second alone.
            if self._refusal is not message:
                return  # a later refusal has the status bar now
            self._refusal = None
            current = bar.currentMessage()
            if current and current != message:
                bar.showMessage(f"{message} {current}", NOTICE_TIMEOUT_MS)

        QTimer.singleShot(0, self, keep_both)

    def _show_stop(self, snapshot: Snapshot) -> None:
        """Explain why training stopped, with the fix one click away."""
        from gdapp.ui.status_bar import stop_message

        if snapshot.status == "ready":
            self.message_bar.hide()
            return
        controller = self.controller
        title, text = stop_message(snapshot)
        if snapshot.status in ("diverged", "diverging"):
            smaller = float(f"{snapshot.lr / 10:.6g}")

            def reset_smaller() -> None:
                controller.set_config(lr=smaller)
                controller.reset()

            def keep_going() -> None:
                controller.clear_stop()
                controller.run()

            actions = [("divergeResetButton", f"Reset with learning rate ÷ 10 ({smaller:g})",
                        reset_smaller)]  # fmt: skip
            if snapshot.status == "diverging":  # its steps were taken: going on is allowed
                actions.append(("keepGoingButton", "Keep going", keep_going))
            self.message_bar.show_message(f"<b>{title}</b> {text}", actions)
        elif snapshot.status == "max_epochs":
            more = 2 * snapshot.config.max_epochs

            def continue_more() -> None:
                controller.set_config(max_epochs=more)
                controller.run()

            self.message_bar.show_message(
                f"<b>{title}</b> {text}",
                [("continueButton", f"Continue to {more:,} epochs", continue_more)],
                level="info",
            )
        else:
            self.message_bar.show_message(f"<b>{title}</b> {text}", level="info")

    def _show_error(self, message: str) -> None:
        box = self.findChild(QMessageBox, "errorDialog")
        if box is None:
            box = QMessageBox(self)
            box.setObjectName("errorDialog")
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("Gradient Descent Lab")
        box.setText(message)
        box.open()  # window-modal without blocking: training threads keep reporting

    # -- settings -------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        settings = self._settings
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
            self._fit_on_screen()
        state = settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state, LAYOUT_VERSION)
        try:
            scale = float(settings.value(TEXT_SCALE_KEY, 1.0))
        except (TypeError, ValueError):
            scale = 1.0
        if scale == scale and scale != 1.0:  # not NaN
            self.text_scale.set(scale)
        speed = self._session.speed
        self.controller.set_speed(speed if speed in SPEEDS else None)
        origin = self._session.origin
        if "csv" in origin:
            options = {k: v for k, v in origin.items() if k != "csv"}
            if self.controller.load_csv(origin["csv"], **options):
                return
        elif origin.get("preset") in PRESETS and self.controller.load_preset(origin["preset"]):
            return
        self.controller.load_preset(DEFAULT_PRESET)

    def _fit_on_screen(self) -> None:
        """A saved geometry from a larger screen is brought inside this one."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return
        available = screen.availableGeometry()
        frame = self.frameGeometry()
        if available.contains(frame):
            return
        width = min(self.width(), available.width())
        height = min(self.height(), available.height())
        self.resize(width, height)
        self.move(available.topLeft())

    def _save_settings(self) -> None:
        settings = self._settings
        settings.setValue("window/geometry", self.saveGeometry())
        if not self.setup_commands.hides_docks:  # a class's layout is not the learner's own
            settings.setValue("window/state", self.saveState(LAYOUT_VERSION))
        controller = self.controller
        write_session(settings, controller.config, controller.speed, controller.dataset_origin)
        flush_settings()  # and the lesson place, panel options and text size not yet written

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self._closed = True
            stop_preloading()  # the process may end soon: no import left running then
            self.sessions.shutdown()
            self._save_settings()
            self.dismiss_spotlight()
            self.exports.shutdown()
            for widget in self.workspace.built_pages().values():
                shutdown = getattr(widget, "shutdown", None)
                if shutdown is not None:
                    shutdown()
            self.controller.shutdown()
            thaw()  # this window's objects may be collected again
            if self.text_scale.factor != 1.0:
                self.text_scale.restore_base()
        super().closeEvent(event)


@atexit.register
def _delete_windows_at_exit() -> None:
    """Close and delete windows a script left behind, while Python can still run their code.

    Otherwise PySide6's own clean-up at exit deletes them in an order that can crash: a
    pyqtgraph item's destructor calls back into Python while the interpreter is finalizing
    (a segmentation fault in shiboken's error handling). Runs before that clean-up, which
    was registered first.
    """
    for window in list(_OPEN_WINDOWS):
        if shiboken6.isValid(window):
            window.close()
            shiboken6.delete(window)
