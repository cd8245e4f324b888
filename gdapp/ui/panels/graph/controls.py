"""The graph panel's controls: view selector, zoom, animation, example inputs, nudge check.

Built here so that ``graph_panel`` reads as behaviour; every widget is stored on the panel
and wired to one of its ``_on_<source>_<event>`` slots.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from gdapp.ui.panels.graph import views
from gdapp.ui.panels.graph.animation import SPEED_DEFAULT, SPEED_MAX, SPEED_MIN
from gdapp.ui.settings import shared_settings

EXAMPLE_RANGE = (-99.0, 99.0)

FIT_TIP = "Fit the whole graph in view (Ctrl+0), even if its text gets small"


def build_controls(panel) -> None:
    """Create the control rows as ``panel._top_row``, ``panel._check_row``, ``panel._bug_label``."""
    panel._view_combo = QComboBox(panel)
    panel._view_combo.setObjectName("graphViewSelector")
    for i, name in enumerate(views.VIEW_NAMES):
        panel._view_combo.addItem(views.VIEW_LABELS[name], name)
        panel._view_combo.setItemData(i, views.VIEW_TOOLTIPS[name], Qt.ItemDataRole.ToolTipRole)
    panel._view_combo.setCurrentIndex(views.VIEW_NAMES.index(panel._view))
    panel._view_combo.setToolTip("Which computation graph to show.")
    panel._view_combo.currentIndexChanged.connect(panel._on_view_combo_changed)

    panel._mode_stack = QStackedWidget(panel)
    panel._mode_stack.addWidget(_animation_controls(panel))
    panel._mode_stack.addWidget(_example_inputs(panel))
    panel._mode_stack.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    top = QHBoxLayout()
    top.setContentsMargins(0, 0, 0, 0)
    top.setSpacing(4)
    top.addWidget(panel._view_combo)
    top.addWidget(panel._mode_stack, 1)
    for name, text, tip, slot in (
        ("zoomOutButton", "−", "Zoom out (Ctrl+−, or the mouse wheel)", panel.graph_view.zoom_out),
        ("zoomInButton", "+", "Zoom in (Ctrl++, or the mouse wheel)", panel.graph_view.zoom_in),
        ("fitButton", "Fit", FIT_TIP, panel._on_fit_clicked),
        ("exportButton", "Export…", "Save the graph as a PNG image", panel._on_export_clicked),
    ):
        button = QToolButton(panel)
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        top.addWidget(button)
    panel._top_row = top

    panel._nudge_toggle = QCheckBox("Nudge check", panel)
    panel._nudge_toggle.setObjectName("nudgeToggle")
    panel._nudge_toggle.setToolTip(
        "Beside every derivative, show the post's estimate: nudge that node by h, watch the "
        "output move, divide by h. ✓ when they agree within 1%, ✗ when they do not."
    )
    panel._nudge_toggle.toggled.connect(panel._on_nudge_toggled)
    panel._h_box = StepSpinBox(panel)
    panel._h_box.setObjectName("nudgeStep")
    panel._h_box.setPrefix("h = ")
    panel._h_box.setDecimals(7)
    panel._h_box.setRange(1e-6, 0.5)
    panel._h_box.setSingleStep(0.001)
    panel._h_box.setValue(panel._h)
    panel._h_box.setKeyboardTracking(False)
    panel._h_box.setToolTip(
        "Size of the nudge. Too large and curvature spoils the estimate; far below 1e-6 and "
        "rounding does."
    )
    panel._h_box.valueChanged.connect(panel._on_h_changed)
    panel._difference_combo = QComboBox(panel)
    panel._difference_combo.setObjectName("nudgeMethod")
    panel._difference_combo.addItems(["two-sided", "one-sided"])
    panel._difference_combo.setToolTip(
        "one-sided: (J(x + h) − J(x)) / h, exactly as in the post.\n"
        "two-sided: (J(x + h) − J(x − h)) / 2h, whose error shrinks like h² instead of h,\n"
        "so derivatives near 0 are not flagged by mistake."
    )
    panel._difference_combo.currentIndexChanged.connect(panel._on_difference_changed)

    panel._bug_combo = QComboBox(panel)
    panel._bug_combo.setObjectName("bugSelector")
    for bug in views.BUG_NAMES:
        panel._bug_combo.addItem(views.BUG_LABELS[bug], bug or "none")
    panel._bug_combo.setSizeAdjustPolicy(
        QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
    )
    panel._bug_combo.setMinimumContentsLength(12)
    panel._bug_combo.currentIndexChanged.connect(panel._on_bug_combo_changed)
    bug_caption = QLabel("Break the gradient:", panel)
    bug_caption.setBuddy(panel._bug_combo)

    check = QHBoxLayout()
    check.setContentsMargins(0, 0, 0, 0)
    check.setSpacing(4)
    check.addWidget(panel._nudge_toggle)
    check.addWidget(panel._h_box)
    check.addWidget(panel._difference_combo)
    check.addSpacing(10)
    check.addWidget(bug_caption)
    check.addWidget(panel._bug_combo, 1)
    panel._check_row = check

    panel._bug_label = QLabel(panel)
    panel._bug_label.setObjectName("bugExplanation")
    panel._bug_label.setWordWrap(True)
    panel._bug_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    panel._bug_label.setStyleSheet("color: palette(dark);")


def restore_settings(panel, group: str) -> None:
    """Put the view, animation and nudge options back as the user left them.

    A planted bug and the nudge toggle are not remembered: the app starts correct.
    """
    settings = shared_settings()
    widgets = (
        ("view", panel._view_combo, "index"),
        ("animate", panel._animate_toggle, "checked"),
        ("speed", panel._speed_slider, "value"),
        ("nudge_h", panel._h_box, "value"),
        ("nudge_method", panel._difference_combo, "index"),
    )
    for name, widget, kind in widgets:
        key = f"{group}/{name}"
        value = settings.value(key)
        try:
            if value is None:
                pass
            elif kind == "index" and 0 <= int(value) < widget.count():
                widget.setCurrentIndex(int(value))
            elif kind == "checked":
                widget.setChecked(str(value).lower() == "true")
            elif kind == "value":
                widget.setValue(type(widget.value())(value))
        except (TypeError, ValueError):
            pass  # a hand-edited or older settings file: keep the default
        signal = {
            "index": getattr(widget, "currentIndexChanged", None),
            "checked": getattr(widget, "toggled", None),
            "value": getattr(widget, "valueChanged", None),
        }[kind]
        # The shared store: a QSettings made per change would write and flush the file each
        # time, and one kept here would do so in the turn after each change (settings.py).
        signal.connect(lambda v, key=key: settings.setValue(key, v))


def _animation_controls(panel) -> QWidget:
    page = QWidget(panel)
    row = QHBoxLayout(page)
    row.setContentsMargins(6, 0, 0, 0)
    row.setSpacing(4)
    panel._animate_toggle = QCheckBox("Animate steps", page)
    panel._animate_toggle.setObjectName("animateToggle")
    panel._animate_toggle.setToolTip(
        "After each single Step, walk the forward pass (values light up in evaluation order), "
        "then the backward pass in reverse, and show each weight's update as old → new."
    )
    panel._animate_toggle.toggled.connect(panel._on_animate_toggled)
    panel._speed_slider = QSlider(Qt.Orientation.Horizontal, page)
    panel._speed_slider.setObjectName("animationSpeed")
    panel._speed_slider.setRange(SPEED_MIN, SPEED_MAX)
    panel._speed_slider.setValue(SPEED_DEFAULT)
    panel._speed_slider.setMaximumWidth(90)
    panel._speed_slider.setToolTip("Animation speed: slow on the left, fast on the right.")
    panel._speed_slider.valueChanged.connect(panel._on_speed_changed)
    panel._skip_button = QToolButton(page)
    panel._skip_button.setObjectName("skipAnimationButton")
    panel._skip_button.setText("Skip")
    panel._skip_button.setToolTip("Jump to the end of the animation.")
    panel._skip_button.clicked.connect(panel._on_skip_clicked)
    row.addWidget(panel._animate_toggle)
    row.addWidget(panel._speed_slider)
    row.addWidget(panel._skip_button)
    row.addStretch(1)
    return page


def _example_inputs(panel) -> QWidget:
    page = QWidget(panel)
    row = QHBoxLayout(page)
    row.setContentsMargins(6, 0, 0, 0)
    row.setSpacing(3)
    panel._example_boxes = []
    for name, value in zip("abc", panel._example, strict=True):
        box = QDoubleSpinBox(page)
        box.setObjectName(f"example{name.upper()}")
        box.setPrefix(f"{name} = ")
        box.setRange(*EXAMPLE_RANGE)
        box.setDecimals(2)
        box.setSingleStep(0.5)
        box.setValue(value)
        box.setToolTip(f"Input {name} of the post's example; every number follows as you edit.")
        box.valueChanged.connect(panel._on_example_changed)
        panel._example_boxes.append(box)
        row.addWidget(box)
    reset = QToolButton(page)
    reset.setObjectName("exampleResetButton")
    reset.setText("Post's values")
    reset.setToolTip("Back to a = 5, b = 3, c = 2 as in the post.")
    reset.clicked.connect(panel._on_example_reset_clicked)
    row.addWidget(reset)
    row.addStretch(1)
    return page


class StepSpinBox(QDoubleSpinBox):
    """A spin box for a small step size: shows 0.001 or 1e-05, steps by factors of 10."""

    def textFromValue(self, value: float) -> str:
        return f"{value:g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.removeprefix(self.prefix()).strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        from PySide6.QtGui import QValidator

        body = text.removeprefix(self.prefix()).strip()
        try:
            float(body)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos

    def stepBy(self, steps: int) -> None:
        self.setValue(self.value() * 10.0**steps)
