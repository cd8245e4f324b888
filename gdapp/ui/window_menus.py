"""The main window's menus, its list of shortcuts and the classroom zoom.

``build_menus(window)`` fills the menu bar from the window's actions and panels;
``TextScale`` scales every text in the window (Ctrl+= / Ctrl+− / Ctrl+0) for a projector.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QFont, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from gdapp.datasets import PRESETS
from gdapp.ui.view_state import PAGE_TITLES, PAGES

if TYPE_CHECKING:
    from gdapp.ui.main_window import MainWindow

TEXT_SCALES = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0)
SHORTCUTS = (
    ("Space", "Run / Pause"),
    ("Right", "Step (one gradient step)"),
    ("Left", "Step back (undo the latest step exactly)"),
    ("R", "Reset to epoch 0"),
    ("Alt+Right", "Next lesson step"),
    ("Alt+Left", "Previous lesson step"),
    ("Esc", "Dismiss the spotlight"),
    (f"Ctrl+1 … Ctrl+{len(PAGES)}", ", ".join(PAGE_TITLES[page] for page in PAGES)),
    ("Ctrl+=", "Larger text everywhere (classroom zoom)"),
    ("Ctrl+−", "Smaller text everywhere"),
    ("Ctrl+0", "Text back to its normal size"),
    ("Ctrl+,", "Show or hide the training settings"),
    ("Ctrl+O", "Open a CSV file"),
    ("Ctrl+S", "Save the session (run, view and lesson place)"),
    ("Ctrl+Shift+S", "Save the session under another name"),
    ("F1", "This list"),
    ("Ctrl+Q", "Quit"),
)


def shortcuts_html() -> str:
    rows = "".join(f"<tr><td><b>{key}</b></td><td>{what}</td></tr>" for key, what in SHORTCUTS)
    return (
        f'<table cellspacing="6">{rows}</table>'
        "<p>Space, the arrows and R act on training unless the cursor is in a text field.</p>"
    )


class TextScale:
    """Scales the application font, and the texts that set their own size, by a factor."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._base = QFont(QApplication.font())
        self.factor = 1.0

    def set(self, factor: float) -> None:
        factor = min(max(float(factor), TEXT_SCALES[0]), TEXT_SCALES[-1])
        self.factor = factor
        font = QFont(self._base)
        if self._base.pointSizeF() > 0:
            font.setPointSizeF(self._base.pointSizeF() * factor)
        else:
            font.setPixelSize(max(6, round(self._base.pixelSize() * factor)))
        QApplication.setFont(font)  # dialogs and windows opened later
        # Widgets that exist already do not all follow the application font: the window's
        # own font reaches every child that has not set one of its own.
        self._window.setFont(font)
        self._window.apply_text_scale(factor, font)

    def bigger(self) -> None:
        larger = [s for s in TEXT_SCALES if s > self.factor + 1e-9]
        self.set(larger[0] if larger else TEXT_SCALES[-1])

    def smaller(self) -> None:
        smaller = [s for s in TEXT_SCALES if s < self.factor - 1e-9]
        self.set(smaller[-1] if smaller else TEXT_SCALES[0])

    def restore_base(self) -> None:
        """Put the application font back as it was before the window changed it."""
        QApplication.setFont(self._base)


def _action(window: QWidget, text: str, shortcut, slot, name: str = "", tip: str = "") -> QAction:
    action = QAction(text, window)
    if name:
        action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def _add_export_menu(window: MainWindow, menu) -> None:
    """File ▸ Export: each plot, the graph and the landscape, the tables, the run as code."""
    from gdapp.ui.exports import PLOT_EXPORTS

    exports = window.exports
    for key, text, stem in PLOT_EXPORTS:
        if key is None:
            menu.addSeparator()
        action = _action(
            window, text, None, lambda k=key: exports.export_plot(k),
            f"export_{stem.replace('-', '_')}", "Save as a PNG image or an SVG drawing",
        )  # fmt: skip
        menu.addAction(action)
    menu.addSeparator()
    for text, slot, name, tip in (
        ("Computation &graph…", exports.export_graph, "exportGraphAction",
         "Save the graph as shown, as a PNG image or an SVG drawing"),
        ("Cost la&ndscape…", exports.export_landscape, "exportLandscapeAction",
         "Save the landscape as shown, as a PNG image or an SVG drawing"),
        (None, None, None, None),
        ("W&eights (CSV or JSON)…", exports.export_weights, "exportWeightsAction",
         "Save the current weights and bias"),
        ("&History (CSV)…", exports.export_history, "exportHistoryAction",
         "Save loss, accuracy, weights and learning rate, one row per step"),
        (None, None, None, None),
        ("Run as Python &script…", exports.export_script, "exportScriptAction",
         "Save code that repeats this run with numpy and pandas"),
        ("Run as Jupyter &notebook…", exports.export_notebook, "exportNotebookAction",
         "Save a notebook that repeats this run step by step"),
    ):  # fmt: skip
        if text is None:
            menu.addSeparator()
        else:
            menu.addAction(_action(window, text, None, slot, name, tip))


def build_menus(window: MainWindow) -> None:
    """File, Training, View and Help menus for ``window``."""
    menu_bar = window.menuBar()
    file_menu = menu_bar.addMenu("&File")
    open_action = _action(
        window, "&Open CSV…", QKeySequence.StandardKey.Open, window.open_csv_dialog,
        "openCsvAction", "Load your own table from a CSV file",
    )  # fmt: skip
    file_menu.addAction(open_action)
    window.sessions.add_to_menu(file_menu)
    file_menu.addSeparator()
    window.setup_commands.add_to_menu(file_menu)
    file_menu.addSeparator()
    presets_menu = window.presets_menu = file_menu.addMenu("&Presets")
    window.preset_group = QActionGroup(window)
    window.preset_actions = {}
    for name in PRESETS:
        action = presets_menu.addAction(name)
        action.setCheckable(True)
        action.setObjectName(f"preset_{name}")
        action.triggered.connect(lambda _checked=False, n=name: window.controller.load_preset(n))
        window.preset_group.addAction(action)
        window.preset_actions[name] = action
    window.export_menu = file_menu.addMenu("&Export")
    _add_export_menu(window, window.export_menu)
    file_menu.addSeparator()
    quit_action = _action(window, "&Quit", QKeySequence.StandardKey.Quit, window.close)
    quit_action.setMenuRole(QAction.MenuRole.QuitRole)
    file_menu.addAction(quit_action)

    training_menu = menu_bar.addMenu("&Training")
    bar = window.training_bar
    for action in (bar.toggle_run_action, bar.step_action, bar.step_back_action):
        training_menu.addAction(action)
    training_menu.addSeparator()
    training_menu.addAction(bar.reset_action)
    training_menu.addSeparator()
    training_menu.addAction(window.settings_dock.toggleViewAction())

    view_menu = window.view_menu = menu_bar.addMenu("&View")
    window.page_actions = {}
    for k, page in enumerate(PAGES):
        action = _action(
            window, PAGE_TITLES[page], f"Ctrl+{k + 1}",
            lambda p=page: window.show_page(p), f"page_{page}",
        )  # fmt: skip
        view_menu.addAction(action)
        window.addAction(action)
        window.page_actions[page] = action
    view_menu.addSeparator()
    view_menu.addAction(window.lesson_dock.toggleViewAction())
    view_menu.addAction(window.settings_dock.toggleViewAction())
    view_menu.addSeparator()
    scale = window.text_scale
    for text, keys, slot, name in (
        ("&Larger text", ("Ctrl+=", "Ctrl++"), scale.bigger, "zoomInAction"),
        ("&Smaller text", ("Ctrl+-",), scale.smaller, "zoomOutAction"),
        ("&Normal text size", ("Ctrl+0",), lambda: scale.set(1.0), "zoomResetAction"),
    ):
        action = _action(window, text, None, slot, name, "Scale every text, for a projector")
        action.setShortcuts([QKeySequence(key) for key in keys])
        view_menu.addAction(action)
        window.addAction(action)
    view_menu.addSeparator()
    reset_layout = _action(window, "Reset &layout", None, window.reset_layout, "resetLayoutAction")
    view_menu.addAction(reset_layout)

    help_menu = menu_bar.addMenu("&Help")
    shortcuts = _action(
        window, "&Keyboard shortcuts", QKeySequence.StandardKey.HelpContents,
        window.show_shortcuts, "shortcutsAction",
    )  # fmt: skip
    help_menu.addAction(shortcuts)
    about = _action(window, "&About Gradient Descent Lab", None, window.show_about)
    about.setMenuRole(QAction.MenuRole.AboutRole)
    help_menu.addAction(about)
