"""The lesson spotlight on real widgets: the veil, its hole, and every way it goes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from gdapp.ui.lessons.spotlight import VEIL_COLOR, Spotlight

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
WHITE = QColor(255, 255, 255)


@pytest.fixture
def window(qtbot):
    top = QWidget(objectName="spotWindow")
    top.setStyleSheet("background: white;")
    layout = QVBoxLayout(top)
    for name in ("first", "second"):
        layout.addWidget(QPushButton(name, objectName=name))
    top.resize(400, 300)
    qtbot.addWidget(top)
    top.show()
    qtbot.waitExposed(top)
    return top


def veiled(color: QColor) -> QColor:
    """White under VEIL_COLOR, blended as Qt's source-over does."""
    a = VEIL_COLOR.alphaF()
    mix = [
        round(255 * (1 - a) + c * a)
        for c in (VEIL_COLOR.red(), VEIL_COLOR.green(), VEIL_COLOR.blue())
    ]
    return QColor(*mix) if color == WHITE else color


def test_the_veil_is_drawn_at_once_with_a_hole_for_the_target(qtbot, window):
    spot = Spotlight(window)
    assert spot.show_for("second", timeout_ms=0)
    image = window.grab().toImage()  # no fade: the first frame already shows the veil
    corner = image.pixelColor(2, 2)
    expected = veiled(WHITE)
    assert max(abs(corner.red() - expected.red()), abs(corner.blue() - expected.blue())) <= 2
    target = window.findChild(QPushButton, "second")
    inside = target.mapTo(window, target.rect().center())
    assert spot.mask().contains(inside) is False  # clicks in the hole reach the button
    assert spot.mask().contains(QPoint(2, 2))
    assert spot.target is target


def test_esc_a_click_on_the_veil_a_hidden_target_and_the_timeout_each_end_it(qtbot, window):
    spot = Spotlight(window)
    ends = []
    spot.dismissed.connect(lambda: ends.append(True))
    spot.show_for("second", timeout_ms=0)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not spot.isVisible() and spot.target is None and len(ends) == 1
    spot.show_for("second", timeout_ms=0)
    qtbot.mouseClick(spot, Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    assert not spot.isVisible() and len(ends) == 2
    spot.show_for("second", timeout_ms=0)
    window.findChild(QPushButton, "second").hide()
    assert not spot.isVisible() and len(ends) == 3
    spot.show_for("first", timeout_ms=50)
    qtbot.waitUntil(lambda: not spot.isVisible(), timeout=2_000)
    assert len(ends) == 4


def test_a_target_that_is_not_on_screen_is_refused(qtbot, window):
    spot = Spotlight(window)
    window.findChild(QPushButton, "first").hide()
    assert spot.show_for("first") is False
    assert spot.show_for("nowhere") is False
    assert not spot.isVisible()
