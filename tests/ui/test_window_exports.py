"""File ▸ Export from the real window: every file is written, then read back on its own.

Pictures are checked as files (the PNG signature; SVG parsed as XML, with the drawn curves
among its shapes), tables against the controller's numbers, and the exported code by running
it in a fresh Python and comparing its last line with the window's final training loss.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from gdapp.ui.history import SessionHistory
from gdapp.ui.main_window import MainWindow

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"
FINAL_PREFIX = "final train loss: "
TOLERANCE = 1e-9
JOB_TIMEOUT_MS = 30_000


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.controller.last_snapshot is not None)
    return win


def steps_taken(qtbot, win: MainWindow, n: int) -> None:
    """Take ``n`` steps and wait until the window's history holds them."""
    ctrl = win.controller
    target = ctrl.last_snapshot.step_count + n
    ctrl.step(n)
    qtbot.waitUntil(
        lambda: ctrl.last_snapshot.step_count == target and ctrl.history.total_rows == target + 1,
        timeout=10_000,
    )


def finished(qtbot, job):
    assert job is not None
    qtbot.waitUntil(lambda: job.done, timeout=JOB_TIMEOUT_MS)
    return job


def error_text(win: MainWindow) -> str | None:
    box = win.findChild(QMessageBox, "errorDialog")
    return box.text() if box is not None and box.isVisible() else None


def svg_shapes(path: Path) -> ET.Element:
    """The parsed document; fails unless the file is well-formed SVG with paths in it."""
    text = path.read_text(encoding="utf-8")
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    assert "<path" in text
    return root


def lines(root: ET.Element) -> list[np.ndarray]:
    """The vertices ((k, 2), x then y) of every straight-line path and polyline drawn."""
    found = []
    for element in root.iter():
        if element.tag == f"{SVG}polyline":
            numbers = element.get("points").replace(",", " ").split()
        elif element.tag == f"{SVG}path" and not set(element.get("d")) & set("CQAZz"):
            numbers = element.get("d").replace("M", " ").replace("L", " ").split()
            numbers = [n.strip(",") for n in " ".join(numbers).replace(",", " ").split()]
        else:
            continue
        found.append(np.array([float(n) for n in numbers]).reshape(-1, 2))
    return found


def drawn_as(values: np.ndarray, line: np.ndarray) -> bool:
    """True when the line's heights are an affine image of ``values`` (y grows downwards)."""
    if len(line) != len(values):
        return False
    slope, offset = np.polyfit(values, line[:, 1], 1)
    return slope < 0 and np.allclose(slope * values + offset, line[:, 1], atol=0.05)


# -- pictures -------------------------------------------------------------------------------


def test_every_plot_exports_as_png_and_svg_with_its_curves(qtbot, window, tmp_path):
    steps_taken(qtbot, window, 7)
    points = window.controller.history.point_count
    assert points == 8
    for key in ("loss", "accuracy", "weights", "current weights", None):
        name = "all" if key is None else key.replace(" ", "-")
        png, svg = tmp_path / f"{name}.png", tmp_path / f"{name}.svg"
        assert window.export_plot(key, str(png))
        assert png.read_bytes()[:8] == PNG_SIGNATURE
        assert window.statusBar().currentMessage() == f"Saved {png}"
        assert window.export_plot(key, str(svg))
        root = svg_shapes(svg)
        if key != "current weights":
            # Each curve of 8 points is one line of 8 vertices (train, test, each weight).
            assert [len(line) for line in lines(root)].count(points) >= 2, key
        if key in ("loss", None):
            train_loss = np.array(window.controller.history.column("train_loss"))
            assert any(drawn_as(train_loss, line) for line in lines(root)), key
    combined = ET.parse(tmp_path / "all.svg").getroot()
    parts = combined.findall(f"{SVG}svg")
    assert len(parts) == 4
    ids = [e.get("id") for e in combined.iter() if e.get("id")]
    assert len(ids) == len(set(ids))  # the four plots' clip paths stay apart
    assert error_text(window) is None


def test_the_menu_exports_the_weight_bars(qtbot, window, tmp_path, monkeypatch):
    """The menu's entries reach the export (the file dialog answered with a path)."""
    chosen = tmp_path / "bars.svg"
    monkeypatch.setattr(
        "gdapp.ui.exports.QFileDialog.getSaveFileName",
        lambda *args: (str(chosen), "SVG drawing (*.svg)"),
    )
    steps_taken(qtbot, window, 2)
    window.findChild(QAction, "export_weight_bars").trigger()
    svg_shapes(chosen)
    assert error_text(window) is None


def test_a_failing_svg_exporter_gives_a_png_and_says_so(qtbot, window, tmp_path, monkeypatch):
    """pyqtgraph's SVG export raises with Qt >= 6.11 (pyqtgraph#3485); the plot still saves."""
    import pyqtgraph.exporters

    def broken(self, *args, **kwargs):
        raise TypeError("QByteArray expected")  # the kind of failure a newer Qt gives

    monkeypatch.setattr(pyqtgraph.exporters.SVGExporter, "export", broken)
    steps_taken(qtbot, window, 2)
    assert window.export_plot("loss", tmp_path / "loss.svg")
    assert not (tmp_path / "loss.svg").exists()
    assert (tmp_path / "loss.png").read_bytes()[:8] == PNG_SIGNATURE
    message = window.statusBar().currentMessage()
    assert "PNG image was saved instead" in message and message.endswith(f"{tmp_path / 'loss.png'}")
    assert error_text(window) is None


def test_graph_exports_as_png_and_svg(qtbot, window, tmp_path):
    steps_taken(qtbot, window, 1)
    window.graph_panel.set_view("sample")
    job = finished(qtbot, window.export_graph(tmp_path / "graph.png"))
    assert job.ok, job.message
    assert (tmp_path / "graph.png").read_bytes()[:8] == PNG_SIGNATURE
    assert window.statusBar().currentMessage() == f"Saved {tmp_path / 'graph.png'}"
    assert finished(qtbot, window.export_graph(tmp_path / "graph.svg")).ok
    root = svg_shapes(tmp_path / "graph.svg")
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "w1" in texts  # the cards' labels stay text
    assert error_text(window) is None


def test_landscape_exports_as_png_and_svg(qtbot, window, tmp_path):
    steps_taken(qtbot, window, 3)
    assert finished(qtbot, window.export_landscape(tmp_path / "landscape.png")).ok
    assert (tmp_path / "landscape.png").read_bytes()[:8] == PNG_SIGNATURE
    assert finished(qtbot, window.export_landscape(tmp_path / "landscape.svg")).ok
    root = svg_shapes(tmp_path / "landscape.svg")
    assert list(root.iter(f"{SVG}image"))  # the colour map, embedded
    assert 4 in [len(line) for line in lines(root)]  # the descent path: start, three steps
    assert error_text(window) is None


# -- tables ---------------------------------------------------------------------------------


def test_weights_csv_and_json_read_back_as_the_trainers_theta(qtbot, window, tmp_path):
    steps_taken(qtbot, window, 5)
    theta = window.controller.last_snapshot.theta
    names = window.controller.dataset.feature_names
    assert window.export_weights(tmp_path / "w.csv")
    table = pd.read_csv(tmp_path / "w.csv")
    assert list(table["parameter"]) == [*(f"w_{n}" for n in names), "bias"]
    assert np.array_equal(table["value"].to_numpy(), theta)
    assert window.export_weights(tmp_path / "w.json")
    document = json.loads((tmp_path / "w.json").read_text(encoding="utf-8"))
    weights = [document["weights"][n] for n in names]
    assert np.array_equal([*weights, document["bias"]], theta)
    assert document["dataset"] == {"preset": "diabetes"}


def test_the_dialog_offers_a_name_after_the_dataset_and_its_filter_picks_the_format(
    qtbot, window, tmp_path, monkeypatch
):
    asked = []

    def answer(parent, title, start, filters):
        asked.append((start, filters))
        return str(tmp_path / "mine"), "JSON file (*.json)"

    monkeypatch.setattr("gdapp.ui.exports.QFileDialog.getSaveFileName", answer)
    steps_taken(qtbot, window, 2)
    window.findChild(QAction, "exportWeightsAction").trigger()
    ((start, filters),) = asked
    assert Path(start).name == "diabetes-weights.csv"
    assert filters == "CSV table (*.csv);;JSON file (*.json)"
    document = json.loads((tmp_path / "mine.json").read_text(encoding="utf-8"))
    assert document["bias"] == window.controller.last_snapshot.theta[-1]
    window.findChild(QAction, "exportWeightsAction").trigger()
    assert Path(asked[1][0]).parent == tmp_path  # the next dialog opens where this one saved


def test_history_csv_rows_equal_the_windows_history(qtbot, window, tmp_path):
    steps_taken(qtbot, window, 6)
    job = finished(qtbot, window.export_history(tmp_path / "history.csv"))
    assert job.ok, job.message
    assert window.statusBar().currentMessage() == f"Saved {tmp_path / 'history.csv'}"
    history = window.controller.history
    table = pd.read_csv(tmp_path / "history.csv")
    assert len(table) == history.total_rows == 7
    assert np.array_equal(table["step"].to_numpy(), np.arange(7))
    for column, name in (
        ("epoch", "epoch"),
        ("train_loss", "train_loss"),
        ("test_loss", "test_loss"),
        ("train_accuracy", "train_acc"),
        ("test_accuracy", "test_acc"),
        ("lr", "lr"),
    ):
        assert np.array_equal(table[column].to_numpy(), history.column(name)), column
    names = window.controller.dataset.feature_names
    params = table[[*(f"w_{n}" for n in names), "bias"]].to_numpy()
    assert np.array_equal(params, history.theta())


def test_a_downsampled_history_says_so_and_code_export_is_refused(qtbot, tmp_path, monkeypatch):
    small = functools.partial(SessionHistory, max_points=8, recent_rows=4)
    monkeypatch.setattr("gdapp.ui.controller.SessionHistory", small)
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.controller.last_snapshot is not None)
    steps_taken(qtbot, win, 40)
    history = win.controller.history
    assert history.point_count < history.total_rows == 41
    job = finished(qtbot, win.export_history(tmp_path / "history.csv"))
    assert job.ok
    assert f"{history.point_count:,} of 41 steps" in win.statusBar().currentMessage()
    table = pd.read_csv(tmp_path / "history.csv")
    assert np.array_equal(table["step"].to_numpy(), history.rows())
    assert np.array_equal(table["train_loss"].to_numpy(), history.column("train_loss"))

    assert win.export_script(tmp_path / "run.py") is None
    assert not (tmp_path / "run.py").exists()
    message = error_text(win)
    assert message is not None and "run.py" in message and "learning rate" in message


# -- the run as code ------------------------------------------------------------------------


def last_printed_loss(script: Path, cwd: Path) -> float:
    done = subprocess.run(
        [sys.executable, str(script)], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith(FINAL_PREFIX), last
    return float(last[len(FINAL_PREFIX) :])


def test_script_repeats_the_run_after_a_mid_run_learning_rate_change(qtbot, window, tmp_path):
    ctrl = window.controller
    steps_taken(qtbot, window, 3)
    ctrl.set_config(lr=ctrl.config.lr * 3)
    steps_taken(qtbot, window, 4)
    lr = ctrl.history.column("lr")
    assert lr[4] == 3 * lr[3]  # the change is in the history the export reads
    job = finished(qtbot, window.export_script(tmp_path / "run.py"))
    assert job.ok, job.message
    expected = float(ctrl.history.column("train_loss")[-1])
    assert abs(last_printed_loss(tmp_path / "run.py", tmp_path) - expected) <= TOLERANCE
    assert window.statusBar().currentMessage().startswith(f"Saved {tmp_path / 'run.py'}")


def test_notebook_cells_repeat_the_run(qtbot, window, tmp_path):
    steps_taken(qtbot, window, 5)
    job = finished(qtbot, window.export_notebook(tmp_path / "run"))
    assert job.ok, job.message
    assert job.path == tmp_path / "run.ipynb"
    notebook = nbformat.read(job.path, as_version=4)
    code = "\n\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    script = tmp_path / "cells.py"
    script.write_text(code, encoding="utf-8")
    expected = float(window.controller.history.column("train_loss")[-1])
    assert abs(last_printed_loss(script, tmp_path) - expected) <= TOLERANCE


# -- failures -------------------------------------------------------------------------------


def test_an_unwritable_path_opens_an_error_naming_the_file(qtbot, window, tmp_path):
    steps_taken(qtbot, window, 1)
    missing = tmp_path / "no such folder"
    assert not window.export_plot("loss", missing / "loss.svg")
    message = error_text(window)
    assert "loss.svg" in message and "no such folder" in message
    assert not window.export_weights(missing / "weights.csv")
    assert "weights.csv" in error_text(window)
    assert window.export_script(missing / "run.py") is None
    assert "run.py" in error_text(window)
    blocker = tmp_path / "a file"
    blocker.write_text("", encoding="utf-8")
    assert window.export_graph(blocker / "graph.png") is None
    assert "graph.png" in error_text(window) and "is a file" in error_text(window)


def write_table(path: Path, shift: float = 0.0) -> Path:
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 10, 60).round(2) + shift
    z = rng.normal(5, 2, 60).round(2)
    label = np.where(x - z + rng.normal(0, 1, 60) > 0, "yes", "no")
    rows = [f"{float(a)!r},{float(b)!r},{c}" for a, b, c in zip(x, z, label, strict=True)]
    path.write_text("x,z,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_data_file_changed_since_it_was_opened_refuses_the_script(qtbot, window, tmp_path):
    """The check runs on the export's thread; its ExportError reaches the error dialog."""
    table = write_table(tmp_path / "table.csv")
    ctrl = window.controller
    assert ctrl.load_csv(table, label="label")
    qtbot.waitUntil(lambda: ctrl.last_snapshot is not None and ctrl.dataset.source == str(table))
    steps_taken(qtbot, window, 2)
    write_table(table, shift=1.0)
    job = finished(qtbot, window.export_script(tmp_path / "run.py"))
    assert not job.ok and not (tmp_path / "run.py").exists()
    message = error_text(window)
    assert "run.py" in message and "different data" in message
