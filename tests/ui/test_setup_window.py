"""A setup file applied to the real window: hidden parts, limits, lessons, export, --setup.

Every check compares against a window opened without a setup, or against the lesson files
and the setup text themselves.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractSpinBox, QMenu, QMessageBox, QToolButton, QWidget

from gdapp.lessons.model import load_available_lessons
from gdapp.ui.main_window import MainWindow
from gdapp.ui.view_state import PAGES

REPO = Path(__file__).resolve().parents[2]
LESSONS = {lesson.id: lesson for lesson in load_available_lessons()[0]}
TOOLBAR_WIDGETS = {
    "step_back": "stepBackButton",
    "step": "stepButton",
    "run": "runButton",
    "pause": "pauseButton",
    "reset": "resetButton",
    "learning_rate": "learningRateInput",
    "optimizer": "optimizerInput",
    "batch_size": "batchSizeInput",
    "speed": "speedInput",
}
SETTINGS_FIELDS = {
    "model": "modelInput",
    "bias": "biasInput",
    "l2": "l2Input",
    "max_epochs": "maxEpochsInput",
    "tolerance": "toleranceInput",
    "init": "initInput",
    "seed": "seedInput",
    "hidden_units": "hiddenUnitsInput",
    "activation": "activationInput",
}
MENU_ACTIONS = {
    "open_csv": ["openCsvAction"],
    "open_session": ["openSessionAction"],
    "save_session": ["saveSessionAction", "saveSessionAsAction"],
    "open_setup": ["openSetupAction"],
    "export_setup": ["exportSetupAction"],
}
SUBMENUS = {"presets": "&Presets", "export": "&Export"}


def open_window(qtbot, setup: Path | None = None) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    if setup is not None:
        assert window.open_setup(setup), window.setup_commands.last_error
    qtbot.waitUntil(lambda: window.controller.last_snapshot is not None)
    return window


def visible_parts(window: MainWindow) -> dict[str, bool]:
    """Whether each control and panel can be seen, read from the widgets themselves."""
    parts: dict[str, bool] = {}
    bar = window.training_bar
    for name, object_name in TOOLBAR_WIDGETS.items():
        widget = bar.findChild(QWidget, object_name)
        parts[name] = widget.isVisibleTo(window)
    settings = window.settings_panel
    for name, object_name in SETTINGS_FIELDS.items():
        parts[name] = settings.findChild(QWidget, object_name).isVisibleTo(settings)
    for name, object_names in MENU_ACTIONS.items():
        parts[name] = all(window.findChild(QAction, n).isVisible() for n in object_names)
    for name, title in SUBMENUS.items():
        (menu,) = [m for m in window.menuBar().findChildren(QMenu) if m.title() == title]
        parts[name] = menu.menuAction().isVisible()
    workspace = window.workspace
    for index, page in enumerate(PAGES):
        parts[page] = workspace.isTabVisible(index) and window.page_actions[page].isVisible()
    parts["lessons"] = window.lesson_dock.isVisible()
    toggle = window.settings_dock.toggleViewAction()
    parts["settings"] = toggle.isVisible() and bool(
        window.training_bar.widgetForAction(toggle).isVisibleTo(window)
    )
    parts["timeline"] = window.timeline.isVisibleTo(window)
    data = window.dataset_panel
    parts["contributions"] = data.contributions_view().isVisibleTo(data)
    return parts


def write(tmp_path: Path, text: str, name: str = "class.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "marks.csv"
    rows = "\n".join(f"{h},{h % 3},{int(h > 9)}" for h in range(20))
    path.write_text(f"hours,attempts,passed\n{rows}\n", encoding="utf-8")
    return path


# -- hiding ----------------------------------------------------------------------------------

HIDDEN_CONTROLS = ["step", "run", "learning_rate", "l2", "seed", "open_csv", "presets",
                   "save_session", "export"]  # fmt: skip
HIDDEN_PANELS = ["landscape", "settings", "timeline"]


def test_a_setup_hides_exactly_what_it_names(qtbot, tmp_path):
    plain = visible_parts(open_window(qtbot))
    setup = write(
        tmp_path,
        f"version = 1\n[hide]\ncontrols = {HIDDEN_CONTROLS!r}\npanels = {HIDDEN_PANELS!r}\n",
    )
    shown = visible_parts(open_window(qtbot, setup))
    hidden = set(HIDDEN_CONTROLS) | set(HIDDEN_PANELS)
    assert all(plain[name] for name in hidden), "the plain window shows all of them"
    assert {name for name, seen in shown.items() if not seen} == hidden | {
        name for name, seen in plain.items() if not seen
    }
    assert {name: seen for name, seen in shown.items() if name not in hidden} == {
        name: seen for name, seen in plain.items() if name not in hidden
    }


def test_every_documented_name_hides_its_part(qtbot, tmp_path):
    from gdapp.setup_file import CONTROLS, PANELS

    names = [*CONTROLS, *PANELS]
    setup = write(
        tmp_path,
        f"version = 1\n[hide]\ncontrols = {list(CONTROLS)!r}\npanels = {list(PANELS)!r}\n",
    )
    parts = visible_parts(open_window(qtbot, setup))
    assert sorted(parts) == sorted(names)  # the check above reads every documented name
    assert [name for name, seen in parts.items() if seen] == []


def test_a_hidden_control_loses_its_shortcut_and_a_shown_one_keeps_it(qtbot, tmp_path):
    plain = open_window(qtbot)
    qtbot.keyClick(plain, Qt.Key.Key_Right)
    qtbot.waitUntil(
        lambda: (
            plain.controller.last_snapshot is not None
            and plain.controller.last_snapshot.step_count == 1
        )
    )

    setup = write(tmp_path, 'version = 1\n[hide]\ncontrols = ["step"]\npanels = ["landscape"]\n')
    window = open_window(qtbot, setup)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Right)  # Step is hidden: nothing happens
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_R)  # Reset stays
    qtbot.wait(200)
    assert window.controller.last_snapshot.step_count == 0
    assert window.workspace.current_page != "landscape"
    assert not window.findChild(QToolButton, "stepButton").isVisibleTo(window)


def test_the_dataset_page_loses_its_open_and_preset_inputs_too(qtbot, tmp_path):
    setup = write(tmp_path, 'version = 1\n[hide]\ncontrols = ["open_csv", "presets"]\n')
    window = open_window(qtbot, setup)
    window.show_page("data")
    page = window.dataset_panel
    assert not page.findChild(QWidget, "openCsvButton").isVisibleTo(page)
    assert not page.findChild(QWidget, "presetInput").isVisibleTo(page)
    assert not page.acceptDrops()


def test_a_hidden_page_in_front_gives_way_to_a_shown_one(qtbot, tmp_path):
    window = open_window(qtbot)
    window.show_page("plots")
    window.open_setup(write(tmp_path, 'version = 1\n[hide]\npanels = ["plots"]\n'))
    assert window.workspace.current_page != "plots"
    assert not window.workspace.isTabVisible(PAGES.index("plots"))


def test_a_lesson_step_asking_for_a_hidden_page_gets_a_shown_one(qtbot, tmp_path):
    window = open_window(qtbot, write(tmp_path, 'version = 1\n[hide]\npanels = ["landscape"]\n'))
    window.show_page("plots")
    window.show_lesson_view(replace(window.view_model.state, page="landscape"))
    assert window.workspace.current_page == "plots"
    assert window.view_model.state.page == "plots"


def test_a_second_setup_adds_to_what_is_hidden_and_resetting_the_layout_keeps_it(qtbot, tmp_path):
    window = open_window(qtbot, write(tmp_path, 'version = 1\n[hide]\npanels = ["lessons"]\n'))
    window.open_setup(write(tmp_path, 'version = 1\n[hide]\ncontrols = ["reset"]\n', "two.toml"))
    window.reset_layout()
    parts = visible_parts(window)
    assert not parts["lessons"] and not parts["reset"]
    assert parts["step"] and parts["data"]


def test_the_next_launch_without_the_setup_gets_the_learners_own_layout(qtbot, tmp_path):
    window = open_window(qtbot, write(tmp_path, 'version = 1\n[hide]\npanels = ["lessons"]\n'))
    assert not window.lesson_dock.isVisible()
    window.close()
    later = open_window(qtbot)
    assert later.lesson_dock.isVisible()
    assert later.lesson_dock.toggleViewAction().isVisible()


# -- limits ----------------------------------------------------------------------------------


def type_into(qtbot, box: QAbstractSpinBox, text: str) -> None:
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)


def test_limits_refuse_values_outside_them_with_a_message(qtbot, tmp_path):
    setup = write(
        tmp_path,
        "version = 1\n[training]\nlr = 0.1\n[limits]\nlr = [0.01, 0.5]\nbatch_size = [2, 8]\n"
        "seed = [0, 9]\nl2 = [0.001, 0.1]\noptimizer = ['gd', 'adam']\n",
    )
    window = open_window(qtbot, setup)
    controller = window.controller
    assert controller.config.batch_size == 8  # the full batch is outside [2, 8]: nearest end
    assert controller.config.l2 == 0.001  # 0 (off) is outside [0.001, 0.1]

    type_into(qtbot, window.findChild(QAbstractSpinBox, "learningRateInput"), "5")
    assert controller.config.lr == 0.5
    assert "at most 0.5" in window.statusBar().currentMessage()

    type_into(qtbot, window.findChild(QAbstractSpinBox, "learningRateInput"), "0.001")
    assert controller.config.lr == 0.01
    assert "at least 0.01" in window.statusBar().currentMessage()

    type_into(qtbot, window.findChild(QAbstractSpinBox, "batchSizeInput"), "100")
    assert controller.config.batch_size == 8
    assert "at most 8" in window.statusBar().currentMessage()

    window.settings_dock.show()
    type_into(qtbot, window.findChild(QAbstractSpinBox, "seedInput"), "42")
    assert controller.config.seed == 9
    # A new seed restarts training too: the status bar says both.
    qtbot.waitUntil(
        lambda: (
            window.statusBar().currentMessage()
            == "The seed is at most 9: set to 9. Changed seed: training restarted at epoch 0."
        )
    )

    combo = window.training_bar.optimizer_input
    allowed = [combo.itemData(k) for k in range(combo.count())
               if combo.model().item(k).isEnabled()]  # fmt: skip
    assert allowed == ["gd", "adam"]


def test_only_the_named_boxes_are_limited(qtbot, tmp_path):
    window = open_window(qtbot, write(tmp_path, "version = 1\n[limits]\nlr = [0.01, 0.5]\n"))
    box = window.findChild(QAbstractSpinBox, "batchSizeInput")
    type_into(qtbot, box, "64")
    assert window.controller.config.batch_size == 64
    window.settings_dock.show()
    type_into(qtbot, window.findChild(QAbstractSpinBox, "seedInput"), "4242")
    assert window.controller.config.seed == 4242


def test_a_value_set_outside_the_limits_by_a_lesson_is_shown_as_it_is(qtbot, tmp_path):
    window = open_window(qtbot, write(tmp_path, "version = 1\n[limits]\nlr = [0.01, 0.5]\n"))
    box = window.findChild(QAbstractSpinBox, "learningRateInput")
    window.controller.set_config(lr=5.0)  # as a lesson step's config does
    assert box.value() == 5.0 and box.text() == "5"
    box.stepBy(-1)  # the learner's next change lands inside the limits
    assert window.controller.config.lr == 0.5
    box.stepBy(-100)
    assert window.controller.config.lr == 0.01


# -- lessons ---------------------------------------------------------------------------------


def contents_titles(window: MainWindow) -> list[str]:
    tree = window.lesson_panel.findChild(QWidget, "lessonContents")
    return [tree.topLevelItem(k).text(0) for k in range(tree.topLevelItemCount())]


def test_the_lesson_list_shows_the_setup_order(qtbot, tmp_path):
    order = ["loss", "data", "cost"]
    window = open_window(qtbot, write(tmp_path, f"version = 1\n[lessons]\norder = {order!r}\n"))
    titles = contents_titles(window)
    assert len(titles) == len(order)
    for number, (text, lesson_id) in enumerate(zip(titles, order, strict=True), start=1):
        assert text.startswith(f"{number}. {LESSONS[lesson_id].title}")
    # The learner's place (lesson "data", see the settings fixture) is kept: now lesson 2.
    assert window.lesson_panel.runner.position == (1, 0)


def test_a_place_in_a_lesson_the_order_leaves_out_moves_to_the_first(qtbot, tmp_path):
    window = open_window(qtbot, write(tmp_path, "version = 1\n[lessons]\norder = ['cost']\n"))
    assert window.lesson_panel.runner.lesson.id == "cost"
    assert window.lesson_panel.runner.position == (0, 0)


def choice_buttons(panel) -> list[QWidget]:
    # The buttons of the step before are deleted later: finish that first.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return [panel.findChild(QWidget, f"lessonChoice{k}") for k in range(2)]


def test_locked_answers_open_once_the_step_is_reached(qtbot, tmp_path):
    loss = LESSONS["loss"]
    asked = next(k for k, step in enumerate(loss.steps) if step.checkpoint is not None)
    unlock = asked + 1  # 0-based; the file counts steps from 1
    setup = write(
        tmp_path,
        "version = 1\n[lessons]\norder = ['loss']\n"
        f"lock_answers_until = {{ loss = {unlock + 1} }}\n",
    )
    window = open_window(qtbot, setup)
    panel = window.lesson_panel
    panel.goto(0, asked)
    choices = choice_buttons(panel)
    note = panel.findChild(QWidget, "lessonLockNote")
    assert not any(button.isEnabled() for button in choices)
    assert note.isVisibleTo(panel) and f"step {unlock + 1}" in note.text()
    assert loss.steps[unlock].title in note.text()
    assert panel.choose(0) is False
    assert loss.steps[asked].checkpoint.id not in panel.runner.answered

    panel.goto(0, unlock)
    panel.goto(0, asked)
    choices = choice_buttons(panel)
    assert all(button.isEnabled() for button in choices)
    assert not panel.findChild(QWidget, "lessonLockNote").isVisibleTo(panel)


def opened_as_the_app_does(qtbot, setup: Path) -> MainWindow:
    """As ``gdapp --setup``: the setup is applied before the event loop first runs."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.open_setup(setup)
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.controller.last_snapshot is not None)
    qtbot.wait(100)  # the first-launch lesson start, if any, has run
    return window


@pytest.mark.first_launch
def test_a_new_learner_starts_on_the_first_lesson_of_the_order(qtbot, tmp_path):
    window = opened_as_the_app_does(
        qtbot, write(tmp_path, "version = 1\n[lessons]\norder = ['cost', 'data']\n")
    )
    panel = window.lesson_panel
    assert panel.is_active and panel.runner.lesson.id == "cost"


@pytest.mark.first_launch
def test_a_new_learner_keeps_the_setups_settings_until_resuming_the_lesson(qtbot, tmp_path):
    window = opened_as_the_app_does(
        qtbot, write(tmp_path, "version = 1\n[training]\nlr = 0.02\noptimizer = 'adam'\n")
    )
    assert not window.lesson_panel.is_active
    assert (window.controller.config.lr, window.controller.config.optimizer) == (0.02, "adam")


# -- export and re-open ----------------------------------------------------------------------


def window_state(window: MainWindow) -> dict:
    bar, settings = window.training_bar, window.settings_panel
    ranges = {
        name: box.limits
        for name, box in (
            ("lr", bar.learning_rate_input),
            ("batch", bar.batch_size_input),
            ("seed", settings.seed_input),
            ("l2", settings.l2_input),
        )
    }
    combo = bar.optimizer_input
    return {
        "title": window.windowTitle(),
        "config": window.controller.config,
        "speed": window.controller.speed,
        "origin": window.controller.dataset_origin,
        "parts": visible_parts(window),
        "ranges": ranges,
        "optimizers": [combo.model().item(k).isEnabled() for k in range(combo.count())],
        "lessons": contents_titles(window),
        "locks": window.lesson_panel.answer_locks,
    }


def test_export_then_reopen_gives_the_same_window(qtbot, tmp_path, csv_file):
    setup = write(
        tmp_path,
        'version = 1\ntitle = "Set \\"B\\""\n[dataset]\ncsv = "marks.csv"\nlabel = "passed"\n'
        "test_fraction = 0.25\n[training]\nlr = 0.2\noptimizer = 'momentum'\nseed = 3\n"
        "speed = 20\n[limits]\nlr = [0.01, 0.5]\nseed = [0, 9]\n"
        "optimizer = ['gd', 'momentum']\n[hide]\ncontrols = ['open_csv', 'l2']\n"
        "panels = ['graph']\n[lessons]\norder = ['loss', 'data']\n"
        "lock_answers_until = { loss = 3 }\n",
    )
    first = open_window(qtbot, setup)
    first.controller.set_config(lr=0.3)  # the current settings are what is exported
    exported = tmp_path / "exported.toml"
    assert first.export_setup(exported)
    second = open_window(qtbot, exported)
    assert window_state(second) == window_state(first)
    assert second.windowTitle().startswith('Set "B"')
    assert second.controller.config.lr == 0.3
    assert Path(second.controller.dataset_origin["csv"]) == csv_file.resolve()


def test_an_export_whose_csv_lies_outside_its_folder_is_refused(qtbot, tmp_path, csv_file):
    window = open_window(qtbot, write(tmp_path, "version = 1\n[dataset]\ncsv = 'marks.csv'\n"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert not window.export_setup(elsewhere / "out.toml")
    assert not (elsewhere / "out.toml").exists()
    box = window.findChild(QMessageBox, "setupErrorDialog")
    assert box is not None and "marks.csv" in box.informativeText()


# -- bad files -------------------------------------------------------------------------------


def test_a_bad_file_gives_a_message_and_leaves_the_window_as_it_was(qtbot, tmp_path):
    window = open_window(qtbot)
    before = window_state(window)
    bad = write(tmp_path, 'version = 1\n[training]\nlr = 0.2\n[hide]\npanels = ["console"]\n')
    assert not window.open_setup(bad)
    box = window.findChild(QMessageBox, "setupErrorDialog")
    assert box is not None and box.isVisible()
    assert "class.toml" in box.text()
    assert "[hide] panels (line 5)" in box.informativeText()
    assert window_state(window) == before
    box.close()


def test_a_dataset_that_does_not_load_leaves_the_window_as_it_was(qtbot, tmp_path):
    (tmp_path / "one-class.csv").write_text("a,y\n1,0\n2,0\n3,0\n", encoding="utf-8")
    window = open_window(qtbot)
    before = window_state(window)
    setup = write(
        tmp_path,
        'version = 1\ntitle = "T"\n[dataset]\ncsv = "one-class.csv"\n[hide]\npanels = ["plots"]\n',
    )
    assert not window.open_setup(setup)
    assert "one-class.csv" in window.findChild(QMessageBox, "errorDialog").text()
    assert "class.toml was not applied" in window.statusBar().currentMessage()
    assert window_state(window) == before


@pytest.mark.parametrize(
    "content",
    [b"version = 1\n[training\n", b"version = 1\x00\n", "titl\xe9 = 1".encode("latin-1"),
     b"x = " + b"[" * 50_000 + b"]" * 50_000],
    ids=["bad toml", "nul", "latin-1", "deep"],
)  # fmt: skip
def test_a_hostile_file_gives_a_message_not_a_traceback(qtbot, tmp_path, content):
    window = open_window(qtbot)
    path = tmp_path / "class.toml"
    path.write_bytes(content)
    before = window_state(window)
    assert not window.open_setup(path)
    assert "class.toml" in window.findChild(QMessageBox, "setupErrorDialog").informativeText()
    assert window_state(window) == before


# -- the command line ------------------------------------------------------------------------

LAUNCH = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from gdapp.__main__ import main
app = QApplication(sys.argv[:1])

def report():
    from gdapp.ui.main_window import MainWindow
    (window,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    box = window.findChild(QMessageBox, "setupErrorDialog")
    print("title", window.windowTitle())
    print("lr", window.controller.config.lr)
    print("landscape", window.workspace.isTabVisible(3))
    print("error", None if box is None else box.informativeText().replace("\\n", " | "))
    app.quit()

for path in sys.argv[1:]:
    QTimer.singleShot(300, report)
    print("status", main(["--setup", path]))
"""


def test_setup_on_the_command_line_opens_the_window_that_way_or_as_usual(
    tmp_path, isolated_settings
):
    good = write(
        tmp_path,
        'version = 1\ntitle = "Period 3"\n[training]\nlr = 0.02\n[hide]\npanels = ["landscape"]\n',
    )
    bad = write(tmp_path, "version = 1\n[training]\nlr = 'fast'\n", "bad.toml")
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH, str(good), str(bad)],
        capture_output=True, text=True, timeout=120, check=False, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.split("status 0\n")[:2]
    assert "title Period 3 — Gradient Descent Lab" in first
    assert "lr 0.02" in first and "landscape False" in first and "error None" in first
    assert "title Gradient Descent Lab\n" in second
    assert "landscape True" in second
    assert "bad.toml: [training] lr (line 3)" in second
    assert "Traceback" not in done.stderr


def test_setup_without_a_file_is_a_usage_error(capsys):
    from gdapp.app import main

    assert main(["--setup"]) == 2
    assert "--setup needs the setup file" in capsys.readouterr().err


def test_a_hidden_layers_rows_obey_the_setup_and_its_limits(qtbot, tmp_path):
    setup = write(
        tmp_path,
        'version = 1\n[training]\nmodel = "mlp"\nhidden = 6\n[limits]\nhidden = [2, 8]\n'
        'activation = ["tanh"]\n[hide]\ncontrols = ["hidden_units"]\n',
    )
    window = open_window(qtbot, setup)
    settings = window.settings_panel
    assert window.controller.config.model == "mlp" and window.controller.config.hidden == 6
    assert not settings.hidden_input.isVisibleTo(settings)  # hidden, though the model has it
    assert settings.activation_input.isVisibleTo(settings)  # not named: still shown
    assert settings.hidden_input.limits == (2, 8)
    relu = settings.activation_input.findData("relu")
    assert not settings.activation_input.model().item(relu).isEnabled()
    window.controller.set_config(model="logistic")
    window.controller.set_config(model="mlp")
    qtbot.waitUntil(lambda: window.controller.config.model == "mlp")
    assert not settings.hidden_input.isVisibleTo(settings)
    assert settings.activation_input.isVisibleTo(settings)
