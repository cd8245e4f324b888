"""How long each File ▸ Export command holds the GUI thread, and how free it stays meanwhile.

Run from the repository root (offscreen unless QT_QPA_PLATFORM is set):

    .venv/bin/python benchmarks/bench_exports.py [--steps 20000]

Trains the diabetes preset for ``--steps`` steps in the window, then times each export
command's call on the GUI thread (the pictures are drawn there; the history, script and
notebook calls only copy their inputs and start a thread; the graph and the landscape are
drawn there, then encoded and written on a thread). While the background files are
written, a 10 ms QTimer ticks on the GUI thread; its worst lag (the gap between two ticks
minus 10 ms) says whether the window stayed responsive (aim: <= 100 ms). The baseline,
measured in the same process, is one redraw of the plots panel.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's gdapp

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GDAPP_SETTINGS_DIR", tempfile.mkdtemp(prefix="gdapp-bench-"))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gdapp.ui.main_window import MainWindow  # noqa: E402

TICK_MS = 10


def pump(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_for(condition, timeout_s: float = 120.0) -> None:
    end = time.perf_counter() + timeout_s
    while not condition() and time.perf_counter() < end:
        pump(0.02)


def timed(call) -> tuple[float, float, object]:
    """(wall ms, longest ms without an event-loop turn, result) of ``call()``.

    A call that lets the event loop run (between two plots, say) blocks only for its
    longest stretch between two ticks of a 1 ms timer.
    """
    marks: list[float] = []
    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(lambda: marks.append(time.perf_counter()))
    timer.start()
    start = time.perf_counter()
    marks.append(start)
    result = call()
    end = time.perf_counter()
    timer.stop()
    marks.append(end)
    return (end - start) * 1000, float(np.diff(marks).max()) * 1000, result


def worst_lag_until(job) -> tuple[float, float]:
    """(worst tick lag in ms, seconds until the job finished) while ``job`` runs."""
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    start = time.perf_counter()
    timer.start()
    wait_for(lambda: job.done)
    timer.stop()
    took = time.perf_counter() - start
    gaps = np.diff(np.array(ticks)) * 1000 - TICK_MS if len(ticks) > 1 else np.zeros(1)
    return float(max(gaps.max(), 0.0)), took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000, help="steps trained before exporting")
    args = parser.parse_args()
    QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    pump(1.5)
    controller = window.controller
    wait_for(lambda: controller.last_snapshot is not None)
    controller.set_config(max_epochs=10**9)
    controller.step(args.steps)
    wait_for(lambda: controller.history.total_rows == args.steps + 1)
    window.show_page("plots")
    pump(0.3)
    panel = window.plots_panel
    panel._dirty = True  # force a full redraw for the baseline
    baseline, _, _ = timed(panel.redraw)
    baseline = max(baseline, 1e-3)
    held = controller.history.point_count
    print(f"{controller.last_snapshot.step_count:,} steps, held in {held:,} history rows")
    print(f"baseline: one plots redraw {baseline:7.1f} ms")
    folder = Path(tempfile.mkdtemp(prefix="gdapp-exports-"))
    pictures = [
        ("loss plot PNG", lambda: window.export_plot("loss", folder / "loss.png")),
        ("loss plot SVG", lambda: window.export_plot("loss", folder / "loss.svg")),
        ("all plots PNG", lambda: window.export_plot(None, folder / "plots.png")),
        ("all plots SVG", lambda: window.export_plot(None, folder / "plots.svg")),
        ("weights CSV", lambda: window.export_weights(folder / "weights.csv")),
        ("weights JSON", lambda: window.export_weights(folder / "weights.json")),
    ]
    for name, call in pictures:
        pump(0.2)
        ms, block, ok = timed(call)
        print(
            f"{name:15s} {ms:7.1f} ms, longest block {block:6.1f} ms "
            f"({block / baseline:5.1f} x baseline)  ok={ok}"
        )
    background = [
        ("graph PNG", lambda: window.export_graph(folder / "graph.png")),
        ("graph SVG", lambda: window.export_graph(folder / "graph.svg")),
        ("landscape PNG", lambda: window.export_landscape(folder / "landscape.png")),
        ("landscape SVG", lambda: window.export_landscape(folder / "landscape.svg")),
        ("history CSV", lambda: window.export_history(folder / "history.csv")),
        ("script", lambda: window.export_script(folder / "run.py")),
        ("notebook", lambda: window.export_notebook(folder / "run.ipynb")),
    ]
    for name, call in background:
        pump(0.2)
        ms, block, job = timed(call)
        lag, took = worst_lag_until(job)
        print(
            f"{name:15s} {ms:7.1f} ms, longest block {block:6.1f} ms "
            f"({block / baseline:5.1f} x baseline); "
            f"written in {took:5.2f} s, worst tick lag meanwhile {lag:6.1f} ms  ok={job.ok}"
        )
    window.close()


if __name__ == "__main__":
    main()
