"""The main window: plots in the centre, controls, dataset and graph in movable docks.

The window assembles the panels around one ``AppController``, owns the menus and the
QActions behind them, shows the controller's state in the status bar and a message bar,
and saves and restores its layout, the last dataset and the training settings.
"""

from __future__ import annotations

import atexit
import weakref
from pathlib import Path

import shiboken6
from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

# isort: split
import pyqtgraph  # after PySide6, so that pyqtgraph uses it
import pyqtgraph.exporters

import gdapp
from gdapp.datasets import PRESETS, Dataset
from gdapp.ui.controller import DEFAULT_PRESET, AppController
from gdapp.ui.message_bar import MessageBar
from gdapp.ui.panels.controls import SPEEDS, ControlsPanel
from gdapp.ui.panels.dataset_browser import DatasetBrowserPanel
from gdapp.ui.panels.graph_panel import GraphPanel
from gdapp.ui.panels.landscape import LandscapePanel
from gdapp.ui.panels.lesson_panel import LessonPanel
from gdapp.ui.panels.plots import PlotsPanel
from gdapp.ui.settings import make_settings, read_session, write_session
from gdapp.ui.status_bar import NOTICE_TIMEOUT_MS, TrainingStatusBar
from gdapp.ui.training_thread import Snapshot

WINDOW_TITLE = "Gradient Descent Lab"
DEFAULT_SIZE = (1280, 800)  # px
LEFT_COLUMN_PX = 340  # controls and lessons (the lesson figures need 340 px)
LAYOUT_VERSION = 1  # bump when the docks change, so an old saved layout is ignored
EXPORT_SCALE = 2  # exported images have twice the on-screen resolution
SHORTCUTS_HTML = """
<table cellspacing="6">
<tr><td><b>Space</b></td><td>Run / Pause</td></tr>
<tr><td><b>Right</b></td><td>Step (one gradient step)</td></tr>
<tr><td><b>Left</b></td><td>Step back (undo the latest step exactly)</td></tr>
<tr><td><b>R</b></td><td>Reset to epoch 0</td></tr>
<tr><td><b>Ctrl+O</b></td><td>Open a CSV file</td></tr>
<tr><td><b>Ctrl+Q</b></td><td>Quit</td></tr>
</table>
<p>Space, the arrows and R act on training unless the cursor is in a text field.</p>
"""


_OPEN_WINDOWS: weakref.WeakSet[MainWindow] = weakref.WeakSet()


class MainWindow(QMainWindow):
    """Gradient Descent Lab's window; ``controller`` is the AppController behind it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(WINDOW_TITLE)
        self.setObjectName("mainWindow")
        # The controls take the full height on the left; the dataset sits under the plots.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowNestedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
        )
        self._settings = make_settings()
        _OPEN_WINDOWS.add(self)
        self._last_status = "ready"
        self._closed = False
        # Checked values only: a damaged settings file falls back to defaults, with warnings.
        self._session = read_session(self._settings)
        self.settings_warnings = self._session.warnings
        self.controller = AppController(config=self._session.config, parent=self)

        self.plots_panel = PlotsPanel(self.controller)
        self.controls_panel = ControlsPanel(self.controller)
        self.dataset_panel = DatasetBrowserPanel(self.controller)
        self.graph_panel = GraphPanel(self.controller)
        self.landscape_panel = LandscapePanel(self.controller)
        self.lesson_panel = LessonPanel(self.controller, self)
        # Every panel is a dock; the central widget is an empty placeholder kept hidden, so
        # the docks share the whole window.
        placeholder = QWidget()
        self.setCentralWidget(placeholder)
        placeholder.hide()
        self.controls_dock = self.add_panel_dock(
            self.controls_panel, "Controls", "controlsDock", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        # The message bar explains a stop right above the curves that show it.
        self.message_bar = MessageBar()
        plots_page = QWidget()
        plots_page.setObjectName("plotsPage")
        page_layout = QVBoxLayout(plots_page)
        page_layout.setContentsMargins(2, 2, 2, 0)
        page_layout.setSpacing(4)
        page_layout.addWidget(self.message_bar)
        page_layout.addWidget(self.plots_panel, 1)
        self.plots_dock = self.add_panel_dock(
            plots_page, "Plots", "plotsDock", Qt.DockWidgetArea.RightDockWidgetArea
        )
        # The graph needs the plots' room to be readable at 1280x800, so it shares their
        # place as a tab (drag the tab out to see both at once).
        self.graph_dock = self.add_panel_dock(
            self.graph_panel,
            "Computation graph",
            "graphDock",
            Qt.DockWidgetArea.RightDockWidgetArea,
        )
        self.tabifyDockWidget(self.plots_dock, self.graph_dock)
        self.landscape_dock = self.add_panel_dock(
            self.landscape_panel,
            "Cost landscape",
            "landscapeDock",
            Qt.DockWidgetArea.RightDockWidgetArea,
        )
        self.tabifyDockWidget(self.graph_dock, self.landscape_dock)
        self.plots_dock.raise_()
        # The lessons share the left column with the controls (keys still step and run).
        self.lesson_dock = self.add_panel_dock(
            self.lesson_panel, "Lessons", "lessonDock", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.tabifyDockWidget(self.controls_dock, self.lesson_dock)
        self.controls_dock.raise_()
        self.dataset_dock = self.add_panel_dock(
            self.dataset_panel, "Dataset", "datasetDock", Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.addActions(self.controls_panel.actions)  # shortcuts work wherever the focus is

        self.setStatusBar(TrainingStatusBar(self.controller))
        self.status_labels = self.statusBar().labels
        self._make_menus()
        self.resize(*self._default_size())
        # Give the plots all the width the left column does not take (the hidden central
        # placeholder would otherwise keep a share that goes to the left column on show).
        self.resizeDocks(
            [self.controls_dock, self.plots_dock],
            [LEFT_COLUMN_PX, self.width() - LEFT_COLUMN_PX],
            Qt.Orientation.Horizontal,
        )
        self.resizeDocks([self.dataset_dock], [290], Qt.Orientation.Vertical)
        self._default_state = self.saveState(LAYOUT_VERSION)

        controller = self.controller
        controller.snapshot_ready.connect(self._on_controller_snapshot_ready)
        controller.dataset_changed.connect(self._on_controller_dataset_changed)
        controller.running_changed.connect(self._on_controller_running_changed)
        controller.error.connect(self._on_controller_error)

        self._restore_settings()
        if self.settings_warnings:
            self.statusBar().showMessage(" ".join(self.settings_warnings))
        if self.lesson_panel.is_first_launch():
            # A new learner starts on lesson 1, once the window is up so that the
            # spotlight finds the widget the lesson talks about.
            self.lesson_dock.show()
            self.lesson_dock.raise_()
            QTimer.singleShot(0, self, self._start_first_lesson)

    def _start_first_lesson(self) -> None:
        if not self._closed:
            self.lesson_panel.start()

    # -- construction ---------------------------------------------------------------------

    def add_panel_dock(
        self, panel: QWidget, title: str, object_name: str, area: Qt.DockWidgetArea
    ) -> QDockWidget:
        """Put ``panel`` in a dock the user can move, float, close and reopen (View menu)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name)
        dock.setWidget(panel)
        self.addDockWidget(area, dock)
        # A dock tab behind another stays "visible" to Qt (no showEvent when it is raised),
        # so a panel that skips work while unseen hears about it from the dock instead.
        catch_up = getattr(panel, "catch_up", None)
        if catch_up is not None:
            dock.visibilityChanged.connect(lambda visible: catch_up() if visible else None)
        if hasattr(self, "view_menu"):
            self.view_menu.insertAction(self._reset_layout_separator, dock.toggleViewAction())
        return dock

    def _default_size(self) -> tuple[int, int]:
        width, height = DEFAULT_SIZE
        screen = self.screen() or QApplication.primaryScreen()
        if screen is not None:
            available = screen.availableGeometry()
            width, height = min(width, available.width()), min(height, available.height())
        return width, height

    def _make_menus(self) -> None:
        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&File")
        open_action = file_menu.addAction("&Open CSV…")
        open_action.setObjectName("openCsvAction")
        open_action.setShortcut(QKeySequence.StandardKey.Open)
        open_action.setStatusTip("Load your own table from a CSV file")
        open_action.triggered.connect(self.dataset_panel.open_csv_dialog)
        presets_menu = file_menu.addMenu("&Presets")
        self._preset_group = QActionGroup(self)
        self.preset_actions: dict[str, QAction] = {}
        for name in PRESETS:
            action = presets_menu.addAction(name)
            action.setCheckable(True)
            action.setObjectName(f"preset_{name}")
            action.triggered.connect(lambda _checked=False, n=name: self.controller.load_preset(n))
            self._preset_group.addAction(action)
            self.preset_actions[name] = action
        export_menu = file_menu.addMenu("&Export plot image")
        for key in self.plots_panel.views:
            action = export_menu.addAction(f"{key.capitalize()} plot…")
            action.triggered.connect(lambda _checked=False, k=key: self.export_plot(k))
        export_menu.addSeparator()
        all_action = export_menu.addAction("All plots…")
        all_action.triggered.connect(lambda: self.export_plot(None))
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)

        training_menu = menu_bar.addMenu("&Training")
        panel = self.controls_panel
        for action in (panel.toggle_run_action, panel.step_action, panel.step_back_action):
            training_menu.addAction(action)
        training_menu.addSeparator()
        training_menu.addAction(panel.reset_action)

        self.view_menu = menu_bar.addMenu("&View")
        for dock in (
            self.controls_dock,
            self.lesson_dock,
            self.plots_dock,
            self.graph_dock,
            self.landscape_dock,
            self.dataset_dock,
        ):
            self.view_menu.addAction(dock.toggleViewAction())
        self._reset_layout_separator = self.view_menu.addSeparator()
        reset_layout = self.view_menu.addAction("Reset &layout")
        reset_layout.setObjectName("resetLayoutAction")
        reset_layout.triggered.connect(self.reset_layout)

        help_menu = menu_bar.addMenu("&Help")
        shortcuts = help_menu.addAction("&Keyboard shortcuts")
        shortcuts.setShortcut(QKeySequence.StandardKey.HelpContents)
        shortcuts.triggered.connect(self.show_shortcuts)
        about = help_menu.addAction("&About Gradient Descent Lab")
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.show_about)

    # -- commands -------------------------------------------------------------------------

    def reset_layout(self) -> None:
        """Put every dock back where it started and show it."""
        self.restoreState(self._default_state, LAYOUT_VERSION)
        for dock in self.findChildren(QDockWidget):
            dock.setFloating(False)
            dock.show()

    def export_plot(self, key: str | None, path: str | None = None) -> bool:
        """Save one plot (``PlotsPanel.plots`` key) or all of them (None) as a PNG image."""
        name = "plots" if key is None else f"{key.replace(' ', '-')}-plot"
        if path is None:
            start = str(Path.home() / f"{name}.png")
            path, _ = QFileDialog.getSaveFileName(self, "Export plot image", start, "PNG (*.png)")
            if not path:
                return False
        if not path.lower().endswith(".png"):
            path += ".png"
        if key is None:
            ok = self.plots_panel.grab().save(path, "PNG")
        else:
            view = self.plots_panel.views[key]
            exporter = pyqtgraph.exporters.ImageExporter(view.ci)  # the plot and its legend
            exporter.parameters()["width"] = view.width() * EXPORT_SCALE
            exporter.parameters()["antialias"] = True
            exporter.export(path)
            ok = Path(path).exists()
        if ok:
            self.statusBar().showMessage(f"Saved {path}", NOTICE_TIMEOUT_MS)
        else:
            self._show_error(f"Could not write the image {path}. Is the folder writable?")
        return bool(ok)

    def show_shortcuts(self) -> None:
        self._show_info("shortcutsDialog", "Keyboard shortcuts", SHORTCUTS_HTML)

    def show_about(self) -> None:
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
            checked = self._preset_group.checkedAction()
            if checked is not None:
                checked.setChecked(False)
        self._last_status = "ready"
        self.message_bar.hide()

    def _on_controller_snapshot_ready(self, snapshot: Snapshot) -> None:
        if snapshot.status != self._last_status:
            self._last_status = snapshot.status
            self._show_stop(snapshot)

    def _on_controller_running_changed(self, running: bool) -> None:
        action = self.controls_panel.toggle_run_action
        action.setText("Pause" if running else "Run")
        if running:
            self.message_bar.hide()

    def _on_controller_error(self, message: str) -> None:
        self._show_error(message)

    def _show_stop(self, snapshot: Snapshot) -> None:
        """Explain why training stopped, with the fix one click away."""
        if snapshot.status == "ready":
            self.message_bar.hide()
            return
        controller = self.controller
        lr = snapshot.lr
        if snapshot.status == "diverged":
            smaller = float(f"{lr / 10:.6g}")

            def reset_smaller() -> None:
                controller.set_config(lr=smaller)
                controller.reset()

            self.message_bar.show_message(
                f"<b>Training diverged.</b> {snapshot.stop_reason}",
                [("divergeResetButton", f"Reset with learning rate ÷ 10 ({smaller:g})",
                  reset_smaller)],
            )  # fmt: skip
        elif snapshot.status == "max_epochs":
            more = 2 * snapshot.config.max_epochs

            def continue_more() -> None:
                controller.set_config(max_epochs=more)
                controller.run()

            self.message_bar.show_message(
                f"<b>Run finished.</b> {snapshot.stop_reason}",
                [("continueButton", f"Continue to {more:,} epochs", continue_more)],
                level="info",
            )
        else:
            self.message_bar.show_message(f"<b>Converged.</b> {snapshot.stop_reason}", level="info")

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
        state = settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state, LAYOUT_VERSION)
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

    def _save_settings(self) -> None:
        settings = self._settings
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState(LAYOUT_VERSION))
        controller = self.controller
        write_session(settings, controller.config, controller.speed, controller.dataset_origin)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self._closed = True
            self._save_settings()
            self.dataset_panel.shutdown()
            self.controller.shutdown()
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
