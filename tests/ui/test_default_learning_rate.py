"""The window starts from the same learning rate as the command line: TrainConfig's."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractSpinBox

from gdapp.cli import build_parser
from gdapp.core.trainer import TrainConfig
from gdapp.ui.main_window import MainWindow


def test_controls_landscape_and_cli_share_one_default_learning_rate(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.controller.last_snapshot is not None)
    default = TrainConfig().lr
    assert window.findChild(QAbstractSpinBox, "learningRateInput").value() == default
    assert window.findChild(QAbstractSpinBox, "landscapeOverlayLr").value() == default
    assert window.controller.last_snapshot.config.lr == default
    assert build_parser().parse_args(["train"]).lr == default
    window.close()
