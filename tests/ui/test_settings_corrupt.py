"""A damaged or hand-edited settings file never keeps the window from opening.

Each bad value falls back to its default and yields one warning that the status bar shows;
the good values beside it are kept. Settings live in the test's own folder (conftest)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QSlider

from gdapp.core.trainer import TrainConfig
from gdapp.ui.main_window import MainWindow
from gdapp.ui.panels.graph.animation import SPEED_DEFAULT
from gdapp.ui.settings import (
    CONFIG_KEY,
    ORIGIN_KEY,
    SPEED_KEY,
    make_settings,
    read_session,
)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def save(**values) -> None:
    settings = make_settings()
    for key, value in values.items():
        settings.setValue(key, value)
    settings.sync()


def open_window(qtbot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.controller.last_snapshot is not None)
    return window


def config_json(**fields) -> str:
    return json.dumps({"lr": 0.25, **fields})  # a good value saved beside the bad one


CONFIG_CASES = {
    "max epochs 1e11": ({"max_epochs": 1e11}, "max_epochs", "max epochs"),
    "seed 1e10": ({"seed": 1e10}, "seed", "seed"),
    "batch size 1e10": ({"batch_size": 1e10}, "batch_size", "batch size"),
    "learning rate as text": ({"lr": "fast"}, "lr", "learning rate"),
    "fit_bias as text": ({"fit_bias": "sometimes"}, "fit_bias", "fit bias"),
    "learning rate 1e6": ({"lr": 1e6}, "lr", "learning rate"),
}


@pytest.mark.parametrize("case", list(CONFIG_CASES))
def test_bad_training_setting_falls_back_to_its_default(qtbot, case):
    fields, name, words = CONFIG_CASES[case]
    save(**{CONFIG_KEY: config_json(**fields)})
    window = open_window(qtbot)
    config = window.controller.config
    assert getattr(config, name) == getattr(TrainConfig(), name)
    if name != "lr":
        assert config.lr == 0.25  # the good value next to it survives
    assert len(window.settings_warnings) == 1
    warning = window.settings_warnings[0]
    assert warning.startswith(f"Saved {words} ") and "using" in warning
    assert warning in window.statusBar().currentMessage()
    # What the controls show is what trains.
    box = window.training_bar.learning_rate_input
    assert box.value() == pytest.approx(config.lr)


def test_unknown_key_in_the_saved_dataset_is_ignored(qtbot, tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{(i * 7) % 5},{i % 2}\n" for i in range(20)))
    save(**{ORIGIN_KEY: json.dumps({"csv": str(path), "colour": "red", "seed": 3})})
    window = open_window(qtbot)
    assert window.controller.dataset.source == str(path)
    assert window.controller.dataset_origin.get("seed") == 3
    assert window.settings_warnings == ("Saved dataset option 'colour' is unknown; ignored.",)


@pytest.mark.parametrize("path", [12345, ["a.csv"], None, ""])
def test_non_text_path_in_the_saved_dataset(qtbot, path):
    save(**{ORIGIN_KEY: json.dumps({"csv": path})})
    window = open_window(qtbot)
    assert window.controller.dataset.name == "diabetes"
    assert len(window.settings_warnings) == 1
    assert "is not a file path" in window.settings_warnings[0]


def test_graph_animation_speed_out_of_range(qtbot):
    save(**{"graph_panel/speed": "99999999999", "graph_panel/nudge_h": "0.01"})
    window = open_window(qtbot)
    slider = window.graph_panel.findChild(QSlider, "animationSpeed")
    assert slider.value() == SPEED_DEFAULT
    assert len(window.settings_warnings) == 1
    assert window.settings_warnings[0].startswith("Saved graph animation speed '99999999999'")
    assert make_settings().value("graph_panel/nudge_h") == "0.01"  # a good value stays


def test_many_bad_values_at_once_and_garbage(qtbot):
    save(
        **{
            CONFIG_KEY: "{not json",
            SPEED_KEY: "warp",
            ORIGIN_KEY: json.dumps({"preset": "nope"}),
            "graph_panel/view": "7",
            "graph_panel/animate": "perhaps",
        }
    )
    window = open_window(qtbot)
    assert window.controller.config == TrainConfig()
    assert window.controller.speed is None
    assert len(window.settings_warnings) == 5
    message = window.statusBar().currentMessage()
    assert all(w in message for w in window.settings_warnings)


def test_good_settings_give_no_warning(qtbot):
    config = TrainConfig(lr=0.05, max_epochs=300, batch_size=16, seed=9, fit_bias=False)
    save(
        **{
            CONFIG_KEY: json.dumps(config.__dict__),
            SPEED_KEY: 50,
            ORIGIN_KEY: json.dumps({"preset": "diabetes-post"}),
            "graph_panel/speed": 3,
        }
    )
    session = read_session(make_settings())
    assert session.warnings == ()
    assert session.config == config and session.speed == 50
    assert session.origin == {"preset": "diabetes-post"}
    window = open_window(qtbot)
    assert window.settings_warnings == ()
    assert window.controller.config == config
