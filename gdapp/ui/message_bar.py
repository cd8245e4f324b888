"""A non-blocking message strip with action buttons, shown above the plots.

Used where a modal dialog would interrupt for no reason: a run that stopped itself says
why, and offers the one-click fix next to the message.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

LEVEL_STYLES = {
    "warning": "background: #fff4ce; border: 1px solid #e0b000; color: #3b2f00;",
    "info": "background: #e7f1fb; border: 1px solid #7aa7d8; color: #10263f;",
}


class MessageBar(QFrame):
    """One message at a time; ``show_message`` replaces the previous one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self._label = QLabel()
        self._label.setObjectName("messageText")
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._buttons: list[QPushButton] = []
        self._level = ""  # the level whose style sheet is set
        close = QToolButton()
        close.setObjectName("messageCloseButton")
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss this message")
        close.clicked.connect(self.hide)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(8, 4, 4, 4)
        self._layout.addWidget(self._label, 1)
        self._layout.addWidget(close)
        self.hide()

    @property
    def text(self) -> str:
        return self._label.text()

    def buttons(self) -> list[QPushButton]:
        return list(self._buttons)

    def show_message(
        self,
        text: str,
        actions: list[tuple[str, str, Callable[[], None]]] = (),
        level: str = "warning",
    ) -> None:
        """Show ``text`` with buttons (objectName, label, callback); a click hides the bar."""
        for button in self._buttons:
            self._layout.removeWidget(button)
            button.deleteLater()
        self._buttons = []
        if level != self._level:  # a new style sheet restyles every child: only on change
            self._level = level
            self.setStyleSheet(f"#messageBar {{ {LEVEL_STYLES[level]} border-radius: 3px; }}")
        self._label.setText(text)
        for index, (name, label, callback) in enumerate(actions):
            button = QPushButton(label)
            button.setObjectName(name)
            button.clicked.connect(self.hide)
            button.clicked.connect(callback)
            self._layout.insertWidget(1 + index, button)
            self._buttons.append(button)
        self.show()
