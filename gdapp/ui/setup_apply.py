"""A setup file applied to the window, and the window written back as one.

``SetupCommands`` (the window's ``setup_commands``) holds File ▸ Open setup… and File ▸
Export setup…. ``open_setup(path)`` reads the file with ``gdapp.setup_file.read_setup``; a
file that cannot be used leaves the window as it was and says why in a message box. A
usable one is applied in this order: the dataset, the training settings (a setting the
setup leaves out but limits is brought inside its limits), the run speed, the limits on the
toolbar and settings inputs, what is hidden, the lessons and their locks, the title.

Limits bind the learner's edits (``set_limits`` on each box; a choice left out is greyed
out in its list), not the program: a lesson step may still set a value outside them.

A setup hides what it names and shows nothing again: a control or panel hidden by an
earlier setup stays hidden. Hidden means not shown anywhere (toolbar, menus, tabs) and its
keyboard shortcut gone. A setup that sets the dataset or the training settings, or hides the
lessons, stops the lesson panel driving the app (the learner resumes the lesson when ready),
so that a lesson step does not undo the setup as the window opens.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QFileDialog, QMenu, QMessageBox, QWidget

from gdapp.setup_file import Setup, SetupError, read_setup, setup_to_toml
from gdapp.ui.view_state import PAGES

if TYPE_CHECKING:
    from gdapp.ui.main_window import MainWindow

FILE_FILTER = "Setup files (*.toml);;All files (*)"
# The load options a CSV dataset's origin may carry into a setup file.
CSV_OPTIONS = ("label", "features", "positive", "scale", "test_fraction", "seed", "missing",
               "sheet")  # fmt: skip
NOT_ALLOWED_TIP = "Not allowed by this window's setup file"
NOTICE_MS = 8000


class SetupCommands(QObject):
    """Open, apply and export setup files for ``window``.

    ``title``, ``limits``, ``hidden_controls`` and ``hidden_panels`` are what the setups
    opened so far asked for; ``holds_lessons`` is True once a setup stopped the lessons
    driving the app (the window then does not start lesson 1 on a first launch).
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._all_lessons = window.lesson_panel.lessons
        self.title: str | None = None
        self.limits: dict[str, tuple] = {}
        self.hidden_controls: list[str] = []
        self.hidden_panels: list[str] = []
        self.holds_lessons = False
        self.last_error: str | None = None
        self.open_action = self._action(
            "Open set&up…", "openSetupAction", self.open_dialog,
            "Set the window up from a teacher's setup file (dataset, settings, lessons)",
        )  # fmt: skip
        self.export_action = self._action(
            "E&xport setup…", "exportSetupAction", self.export_dialog,
            "Save this window's dataset, settings, hidden parts and lessons as a setup file",
        )  # fmt: skip
        window.workspace.page_built.connect(self._on_workspace_page_built)
        self._watching_pages = False

    @property
    def hides_docks(self) -> bool:
        """Whether a setup hid the lesson column or the settings dock (then the window does
        not save its layout: the next launch, without the setup, gets the learner's own)."""
        return bool({"lessons", "settings"} & set(self.hidden_panels))

    def _action(self, text: str, name: str, slot, tip: str) -> QAction:
        action = QAction(text, self._window)
        action.setObjectName(name)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def add_to_menu(self, menu: QMenu) -> None:
        menu.addAction(self.open_action)
        menu.addAction(self.export_action)

    # -- opening ---------------------------------------------------------------------------

    def open_dialog(self) -> bool:
        path, _ = QFileDialog.getOpenFileName(self._window, "Open setup", "", FILE_FILTER)
        return bool(path) and self.open_setup(path)

    def open_setup(self, path: str | Path) -> bool:
        """Read and apply ``path``; False (a message box says why, nothing changed) if refused."""
        try:
            setup = read_setup(path, self._all_lessons)
        except SetupError as error:
            self._refuse(
                f"The setup file {Path(path).name} could not be used; the window is as it "
                "was without it.",
                error.problems,
            )
            return False
        if not self.apply(setup):
            self._window.statusBar().showMessage(
                f"The setup file {Path(path).name} was not applied: its dataset could not be "
                "loaded.",
                NOTICE_MS,
            )
            return False
        return True

    def _refuse(self, text: str, problems: Iterable[str]) -> None:
        self.last_error = "\n".join(problems)
        box = QMessageBox(self._window)
        box.setObjectName("setupErrorDialog")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Gradient Descent Lab")
        box.setText(text)
        box.setInformativeText(self.last_error)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # window-modal without blocking: the training thread keeps reporting

    def apply(self, setup: Setup) -> bool:
        """Make the window what ``setup`` describes (see the module docstring).

        False when its dataset does not load: the controller has said why, and nothing
        else of the setup is applied.
        """
        window = self._window
        controller = window.controller
        with controller.hold_training():
            dataset = dict(setup.dataset)
            if "preset" in dataset and not controller.load_preset(dataset["preset"]):
                return False
            if "csv" in dataset and not controller.load_csv(dataset.pop("csv"), **dataset):
                return False
            self.limits.update(setup.limits)
            fields = {**_inside_limits(controller.config, self.limits), **setup.training}
            controller.set_config(**fields)
            if setup.speed is not None:
                controller.set_speed(None if setup.speed == "max" else setup.speed)
            self._apply_limits()
            for name in setup.hidden_controls:
                if name not in self.hidden_controls:
                    self.hidden_controls.append(name)
            for name in setup.hidden_panels:
                if name not in self.hidden_panels:
                    self.hidden_panels.append(name)
            self._apply_hidden()
            panel = window.lesson_panel
            if setup.lesson_order is not None:
                by_id = {lesson.id: lesson for lesson in self._all_lessons}
                panel.set_lessons(tuple(by_id[i] for i in setup.lesson_order))
            if setup.answer_locks:
                panel.set_answer_locks({**panel.answer_locks, **setup.answer_locks})
            if setup.dataset or setup.training or "lessons" in setup.hidden_panels:
                self.holds_lessons = True
                if panel.is_active:
                    panel.leave()
            if setup.title:
                self.title = setup.title
                window.setWindowTitle(f"{setup.title} — Gradient Descent Lab")
        return True

    # -- limits ----------------------------------------------------------------------------

    def _apply_limits(self) -> None:
        bar, settings = self._window.training_bar, self._window.settings_panel
        boxes = {
            "lr": bar.learning_rate_input,
            "batch_size": bar.batch_size_input,
            "l2": settings.l2_input,
            "tol": settings.tolerance_input,
            "max_epochs": settings.max_epochs_input,
            "seed": settings.seed_input,
            "hidden": settings.hidden_input,
        }
        combos = {
            "optimizer": bar.optimizer_input,
            "model": settings.model_input,
            "activation": settings.activation_input,
        }
        for name, allowed in self.limits.items():
            if name in boxes:
                boxes[name].set_limits(*allowed)
            else:
                _allow_only(combos[name], allowed)

    # -- hiding ----------------------------------------------------------------------------

    def reapply_hidden(self) -> None:
        """Hide again what the setups hid (after the layout was reset, say)."""
        self._apply_hidden()

    def _apply_hidden(self) -> None:
        window = self._window
        bar = window.training_bar
        toolbar = {
            "step_back": ("stepBackButton", [bar.step_back_action]),
            "step": ("stepButton", [bar.step_action]),
            "run": ("runButton", [bar.run_action, bar.toggle_run_action]),
            "pause": ("pauseButton", [bar.pause_action]),
            "reset": ("resetButton", [bar.reset_action]),
            "learning_rate": ("learningRateInput", []),
            "optimizer": ("optimizerInput", []),
            "batch_size": ("batchSizeInput", []),
            "speed": ("speedInput", []),
        }
        settings = window.settings_panel
        fields = {
            "model": settings.model_input,
            "bias": settings.bias_input,
            "l2": settings.l2_input,
            "max_epochs": settings.max_epochs_input,
            "tolerance": settings.tolerance_input,
            "init": settings.init_input,
            "seed": settings.seed_input,
            "hidden_units": settings.hidden_input,
            "activation": settings.activation_input,
        }
        sessions = window.sessions
        menus = {
            "open_csv": [window.findChild(QAction, "openCsvAction")],
            "presets": [window.presets_menu.menuAction()],
            "open_session": [sessions.open_action, sessions.recent_menu.menuAction()],
            "save_session": [sessions.save_action, sessions.save_as_action],
            "export": [window.export_menu.menuAction()],
            "open_setup": [self.open_action],
            "export_setup": [self.export_action],
        }
        for name in self.hidden_controls:
            if name in toolbar:
                widget_name, actions = toolbar[name]
                _hide_actions([bar.widget_actions[widget_name], *actions])
            elif name in fields:
                settings.withhold(fields[name])
            else:
                _hide_actions(menus[name])
        for name in self.hidden_panels:
            if name in PAGES:
                self._hide_page(name)
            elif name == "lessons":
                window.lesson_dock.hide()
                _hide_actions([window.lesson_dock.toggleViewAction()])
            elif name == "settings":
                window.settings_dock.hide()
                _hide_actions([window.settings_dock.toggleViewAction()])
            elif name == "timeline":
                window.timeline.hide()
        if window.workspace.is_built("data"):
            self._on_workspace_page_built("data", window.dataset_panel)

    def _hide_page(self, page: str) -> None:
        window = self._window
        window.workspace.setTabVisible(PAGES.index(page), False)
        _hide_actions([window.page_actions[page]])
        if not self._watching_pages:
            # Connected after the window's own slot, so that ours has the last word.
            window.view_model.changed.connect(self._on_view_model_changed)
            self._watching_pages = True
        self._on_view_model_changed(window.view_model.state, window.view_model.state)

    def _on_view_model_changed(self, old, new) -> None:
        """A hidden page asked for (by a lesson step, say) gives way to a shown one."""
        if new.page not in self.hidden_panels:
            return
        shown = [p for p in PAGES if p not in self.hidden_panels and p != "figure"]
        if old.page not in self.hidden_panels:
            shown.insert(0, old.page)
        if shown:
            self._window.view_model.update(page=shown[0])

    def _on_workspace_page_built(self, page: str, widget: QWidget) -> None:
        if page != "data":
            return
        if "open_csv" in self.hidden_controls:
            button = widget.findChild(QWidget, "openCsvButton")
            if button is not None:
                button.hide()
            widget.setAcceptDrops(False)  # dropping a file opens it as Open CSV does
        if "presets" in self.hidden_controls:
            combo = widget.findChild(QWidget, "presetInput")
            if combo is not None:
                combo.hide()
        if "contributions" in self.hidden_panels:
            widget.contributions_view().hide()

    # -- exporting -------------------------------------------------------------------------

    def current(self) -> Setup:
        """The window as a Setup: dataset, settings, limits, hidden parts, lessons, title."""
        window = self._window
        controller = window.controller
        origin = controller.dataset_origin
        if "csv" in origin:
            dataset = {"csv": origin["csv"]}
            dataset.update((k, _plain(origin[k])) for k in CSV_OPTIONS if origin.get(k) is not None)
        else:
            dataset = {"preset": origin["preset"]} if "preset" in origin else {}
        training = dataclasses.asdict(controller.config)
        training.pop("diverging_window", None)  # not a setting a setup sets
        speed = controller.speed
        panel = window.lesson_panel
        return Setup(
            title=self.title,
            dataset=dataset,
            training=training,
            speed="max" if speed is None else float(speed),
            limits=dict(self.limits),
            hidden_controls=tuple(self.hidden_controls),
            hidden_panels=tuple(self.hidden_panels),
            lesson_order=panel.lesson_order,
            answer_locks=panel.answer_locks,
        )

    def export_dialog(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(
            self._window, "Export setup", "setup.toml", FILE_FILTER
        )
        return bool(path) and self.export_setup(path)

    def export_setup(self, path: str | Path) -> bool:
        """Write the window as a setup file at ``path``; False (with a message) if it fails."""
        path = Path(path)
        try:
            text = setup_to_toml(self.current(), path.parent)
        except SetupError as error:
            self._refuse(f"The setup could not be exported to {path.name}.", error.problems)
            return False
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            self._refuse(
                f"The setup could not be exported to {path.name}.",
                [f"{path.name}: {error.strerror or error}"],
            )
            return False
        self._window.statusBar().showMessage(f"Setup saved to {path.name}.", NOTICE_MS)
        return True


def _inside_limits(config: Any, limits: dict[str, tuple]) -> dict[str, Any]:
    """The config fields that lie outside ``limits``, brought to the nearest allowed value."""
    fields: dict[str, Any] = {}
    for name, allowed in limits.items():
        value = getattr(config, name)
        if isinstance(allowed[0], str):
            if value not in allowed:
                fields[name] = allowed[0]
            continue
        low, high = allowed
        if name == "batch_size":
            if value is None and low > 0:  # the full batch is the largest batch of all
                fields[name] = high
            elif value is not None and not low <= value <= high:
                clamped = min(max(value, low), high)
                fields[name] = None if clamped == 0 else clamped
        elif not low <= value <= high:
            fields[name] = min(max(value, low), high)
    return fields


def _allow_only(combo: QComboBox, allowed: tuple[str, ...]) -> None:
    """Grey out (and make unselectable) every choice of ``combo`` not in ``allowed``."""
    model = combo.model()
    if not isinstance(model, QStandardItemModel):
        return
    for row in range(combo.count()):
        item = model.item(row)
        if combo.itemData(row) not in allowed:
            item.setEnabled(False)
            item.setToolTip(NOT_ALLOWED_TIP)


def _hide_actions(actions: Iterable[QAction | None]) -> None:
    """Hide each action everywhere it shows and take its keyboard shortcuts away."""
    for action in actions:
        if action is not None:
            action.setVisible(False)
            action.setShortcuts([])


def _plain(value: object) -> object:
    """numpy scalars (a class label read from a table) as plain Python values."""
    item = getattr(value, "item", None)
    return item() if callable(item) and not isinstance(value, list | str) else value
