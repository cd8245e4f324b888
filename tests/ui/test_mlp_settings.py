"""The hidden layer in the real window: chosen in the settings dock, trained from the toolbar,
its parameters named on the plots, stepped back exactly and sliced on the landscape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QSpinBox, QToolButton

from gdapp.core.mlp import MLPModel
from gdapp.core.trainer import TrainConfig, Trainer
from gdapp.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")
PICTURE_WAIT_S = 3.0  # ample for one 72 x 72 grid of 320 rows (some 50 ms); no assert on it


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.controller.last_snapshot is not None)
    win.settings_dock.show()
    return win


def settled(qtbot, win, step_count):
    ctrl = win.controller
    qtbot.waitUntil(
        lambda: ctrl.last_snapshot.step_count == step_count and not ctrl.is_running,
        timeout=5000,
    )
    return ctrl.last_snapshot


def choose_hidden_layer(qtbot, win, units=3, activation="relu"):
    model_input = win.findChild(QComboBox, "modelInput")
    model_input.setCurrentIndex(model_input.findData("mlp"))
    win.findChild(QSpinBox, "hiddenUnitsInput").setValue(units)
    activation_input = win.findChild(QComboBox, "activationInput")
    activation_input.setCurrentIndex(activation_input.findData(activation))
    qtbot.waitUntil(
        lambda: (
            len(win.controller.last_snapshot.theta)
            == MLPModel(units).n_params(win.controller.dataset.n_features)
        )
    )


def test_the_hidden_layer_controls_show_only_for_the_mlp(qtbot, window):
    hidden = window.findChild(QSpinBox, "hiddenUnitsInput")
    activation = window.findChild(QComboBox, "activationInput")
    start = window.findChild(QComboBox, "initInput")
    assert not hidden.isVisible() and not activation.isVisible() and start.isEnabled()
    assert (hidden.minimum(), hidden.maximum()) == (2, 16)
    assert [activation.itemData(k) for k in range(activation.count())] == ["tanh", "relu"]
    assert hidden.toolTip() and activation.toolTip()
    choose_hidden_layer(qtbot, window)
    assert hidden.isVisible() and activation.isVisible()
    assert not start.isEnabled() and "random" in start.toolTip()
    config = window.controller.config
    assert (config.model, config.hidden, config.activation) == ("mlp", 3, "relu")
    model_input = window.findChild(QComboBox, "modelInput")
    model_input.setCurrentIndex(model_input.findData("logistic"))
    assert not hidden.isVisible() and start.isEnabled()


def test_train_from_the_toolbar_name_the_parameters_and_step_back(qtbot, window):
    choose_hidden_layer(qtbot, window, units=3, activation="relu")
    data = window.controller.dataset
    step = window.findChild(QToolButton, "stepButton")
    for _ in range(6):
        qtbot.mouseClick(step, Qt.MouseButton.LeftButton)
    snap = settled(qtbot, window, 6)
    config = TrainConfig(model="mlp", hidden=3, activation="relu")
    reference = Trainer(data.X_train, data.y_train, data.X_test, data.y_test, config)
    reference.run(6)
    np.testing.assert_array_equal(snap.theta, reference.theta)

    panel = window.plots_panel
    window.show_page("plots")
    qtbot.waitUntil(lambda: not panel._timer.isActive())
    panel.redraw()
    # 3 units on 8 features: 3·8 + 2·3 + 1 = 31 parameters; 12 of the 30 before the last shown.
    names = MLPModel(3).param_names(data.feature_names)
    assert len(names) == 31
    assert panel.weight_picker.isVisible()
    shown = panel.shown_params
    assert len(shown) == 13 and shown[-1] == 30
    magnitude = np.abs(snap.theta[:30])
    assert set(shown[:-1]) == set(np.argsort(-magnitude, kind="stable")[:12].tolist())
    legend = [name for _, name in panel.weights_legend.rows]
    assert legend == [names[k] for k in shown]
    # The picker is the title now: it says how many of the parameters are drawn.
    assert "12 of 30 parameters" in panel.weight_picker.text()
    assert not panel.weights_plot.titleLabel.text.strip()
    assert "hidden layer" in panel.loss_plot.getAxis("left").labelText
    for curve, k in zip(panel.weight_curves, shown, strict=True):
        np.testing.assert_array_equal(curve.yData, reference.history.theta[:, k])

    qtbot.mouseClick(window.findChild(QToolButton, "stepBackButton"), Qt.MouseButton.LeftButton)
    back = settled(qtbot, window, 5)
    np.testing.assert_array_equal(back.theta, reference.history.theta[5])


def test_the_landscape_slices_two_hidden_layer_parameters(qtbot, window):
    window.preset_actions["xor"].trigger()  # the File menu lists the generated presets
    qtbot.waitUntil(lambda: window.controller.dataset.name == "xor")
    qtbot.waitUntil(lambda: window.controller.last_snapshot is not None)
    choose_hidden_layer(qtbot, window, units=4, activation="tanh")
    window.controller.step(20)
    snap = settled(qtbot, window, 20)
    window.show_page("landscape")
    panel = window.landscape_panel
    combo = panel.findChild(QComboBox, "landscapeXCombo")
    names = [combo.itemText(k) for k in range(combo.count())]
    assert names == MLPModel(4).param_names(("x1", "x2"))
    panel.configure(mode="contour", params=[1, 13])  # h1:x2 against out:h2
    assert panel.wait_until_idle(20_000)
    u, v, grid = panel.grid
    model = MLPModel(4)
    data = window.controller.dataset
    for r, c in ((0, 0), (len(v) // 2, len(u) // 3), (len(v) - 1, len(u) - 1)):
        point = np.array(snap.theta)
        point[1], point[13] = u[c], v[r]
        assert grid[r, c] == pytest.approx(model.loss(point, data.X_train, data.y_train), rel=1e-10)
    # The drawn path sits at the history's rows of theta.
    reference = Trainer(data.X_train, data.y_train, config=window.controller.config)
    reference.run(20)
    np.testing.assert_array_equal(panel.path, reference.history.theta)
    xs, ys = panel._plots.path_item.getData()
    np.testing.assert_array_equal(xs, reference.history.theta[:, 1])
    np.testing.assert_array_equal(ys, reference.history.theta[:, 13])
    # An overlaid optimizer replays the hidden layer from the same start.
    run = panel.add_overlay("adam", 0.05, 15)
    assert panel.wait_until_idle(20_000)
    assert run.path.shape == (16, 17)
    np.testing.assert_array_equal(run.path[0], reference.history.theta[0])


def test_weights_history_and_script_exports_of_a_hidden_layer(qtbot, window, tmp_path):
    choose_hidden_layer(qtbot, window, units=2, activation="tanh")
    window.controller.step(4)
    snap = settled(qtbot, window, 4)
    qtbot.waitUntil(lambda: window.controller.history.total_rows == 5)
    names = MLPModel(2).param_names(window.controller.dataset.feature_names)
    assert window.export_weights(tmp_path / "w.csv")
    table = pd.read_csv(tmp_path / "w.csv")
    assert table["parameter"].tolist() == names
    np.testing.assert_array_equal(table["value"].to_numpy(), snap.theta)
    assert window.export_weights(tmp_path / "w.json")
    document = json.loads((tmp_path / "w.json").read_text(encoding="utf-8"))
    assert list(document["parameters"]) == names and "weights" not in document
    np.testing.assert_array_equal(list(document["parameters"].values()), snap.theta)
    assert document["config"]["hidden"] == 2

    job = window.export_history(tmp_path / "h.csv")
    qtbot.waitUntil(lambda: job.done, timeout=10_000)
    assert job.ok, job.message
    history = pd.read_csv(tmp_path / "h.csv")
    np.testing.assert_array_equal(history[names].to_numpy(), window.controller.history.theta())

    job = window.export_script(tmp_path / "run.py")
    qtbot.waitUntil(lambda: job.done, timeout=30_000)
    assert job.ok, job.message
    done = subprocess.run(
        [sys.executable, str(tmp_path / "run.py")],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    last = done.stdout.splitlines()[-1]
    expected = float(window.controller.history.column("train_loss")[-1])
    assert abs(float(last.removeprefix("final train loss: ")) - expected) <= 1e-9


def test_a_hidden_layer_session_on_xor_reopens_bit_for_bit(qtbot, window, tmp_path):
    from gdapp.ui.session_commands import LAST_KEY
    from gdapp.ui.settings import make_settings

    window.preset_actions["xor"].trigger()
    qtbot.waitUntil(lambda: window.controller.dataset.name == "xor")
    qtbot.waitUntil(lambda: window.controller.last_snapshot is not None)
    choose_hidden_layer(qtbot, window, units=5, activation="relu")
    window.controller.set_config(lr=0.5)
    window.controller.step(30)
    snap = settled(qtbot, window, 30)
    qtbot.waitUntil(lambda: window.controller.history.total_rows == 31)
    path = tmp_path / "xor.gdsession"
    window.save_session(path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["dataset"] == {"preset": "xor"}
    assert (saved["config"]["model"], saved["config"]["hidden"]) == ("mlp", 5)
    window.close()

    settings = make_settings()
    settings.setValue(LAST_KEY, "")  # open a fresh window, not the last session
    settings.sync()
    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    qtbot.waitUntil(lambda: again.controller.last_snapshot is not None)
    with qtbot.waitSignal(again.session_ready, timeout=20_000) as ready:
        assert again.open_session(path)
    assert ready.args == [True]
    assert again.controller.dataset.name == "xor"
    assert again.controller.config.activation == "relu"
    assert again.controller.last_snapshot.step_count == 30
    assert np.array(again.controller.last_snapshot.theta).tobytes() == snap.theta.tobytes()
    assert again.findChild(QSpinBox, "hiddenUnitsInput").value() == 5


def test_a_picture_of_the_old_layout_is_dropped_when_the_model_changes(qtbot, window):
    window.preset_actions["xor"].trigger()
    qtbot.waitUntil(lambda: window.controller.dataset.name == "xor")
    qtbot.waitUntil(lambda: window.controller.last_snapshot is not None)
    choose_hidden_layer(qtbot, window, units=6, activation="tanh")
    window.show_page("landscape")
    panel = window.landscape_panel
    assert panel.wait_until_idle(20_000)
    panel.configure(mode="contour", params=[3, 20])  # h2:x2 against out:h3
    # Let the worker finish that picture without handing it to the GUI thread: its result
    # waits in the event queue, ahead of anything the model change below asks for.
    time.sleep(PICTURE_WAIT_S)
    model_input = window.findChild(QComboBox, "modelInput")
    model_input.setCurrentIndex(model_input.findData("logistic"))
    qtbot.waitUntil(
        lambda: (
            window.controller.last_snapshot is not None
            and len(window.controller.last_snapshot.theta) == 3
        )
    )
    assert panel.wait_until_idle(20_000)
    combo = panel.findChild(QComboBox, "landscapeXCombo")
    assert [combo.itemText(k) for k in range(combo.count())] == ["w1 (x1)", "w2 (x2)", "b (bias)"]
    assert max(panel.params) < 3
    u, v, grid = panel.grid
    assert grid.shape == (len(v), len(u))


def test_a_wide_model_keeps_the_plots_in_place_and_its_legend_inside_the_plot(qtbot, window):
    """At 1024 x 768, 16 parameters: the picker stands on the weights plot's title row, so
    showing it moves no plot, and every legend name lies inside the weights view."""
    window.settings_dock.hide()
    window.resize(1024, 768)
    window.preset_actions["xor"].trigger()
    qtbot.waitUntil(lambda: window.controller.dataset.name == "xor")
    window.show_page("plots")
    panel = window.plots_panel
    qtbot.waitUntil(lambda: not panel._timer.isActive())

    def geometries():
        return {key: view.geometry() for key, view in panel.views.items()}

    def settled_layout():  # the window's resize and its docks laid out
        seen = geometries()
        qtbot.wait(100)
        return geometries() == seen

    qtbot.waitUntil(settled_layout)
    before = geometries()
    assert not panel.weight_picker.isVisible()

    window.controller.set_config(model="mlp", hidden=4, activation="tanh")
    n_params = MLPModel(4).n_params(2)  # 4·2 + 4 + 4 + 1 = 17, 16 before the output's bias
    qtbot.waitUntil(
        lambda: (
            (snapshot := window.controller.last_snapshot) is not None
            and len(snapshot.theta) == n_params
        )
    )
    qtbot.waitUntil(lambda: panel.weight_picker.isVisible())
    qtbot.waitUntil(settled_layout)
    assert geometries() == before

    view = panel.views["weights"]
    picker = panel.weight_picker.geometry()
    assert view.rect().contains(picker)
    legend = panel.weights_legend
    assert len(legend.rows) == 13
    shown = view.mapFromScene(legend.sceneBoundingRect()).boundingRect()
    assert view.viewport().rect().contains(shown)
    widest = max(legend._metrics.horizontalAdvance(name) for _curve, name in legend.rows)
    assert legend.size().width() >= widest  # no name cut short
    # The rows start under the title row, so the picker covers none of them.
    first_row = view.mapFromScene(legend.mapToScene(0, legend._top())).y() + view.viewport().y()
    assert first_row >= picker.bottom()
    button = panel.weight_picker
    assert button.text() == "Weights and biases: 12 of 16 parameters"
    assert button.sizeHint().width() <= button.width()  # all of it shown, nothing elided

    for _ in range(3):  # a projector's zoom: the long title no longer fits the plot
        window.text_scale.bigger()
    qtbot.waitUntil(lambda: button.text() == "12 of 16 parameters")
    qtbot.waitUntil(settled_layout)
    assert button.sizeHint().width() <= button.width() <= view.width()
