"""Time from launch to a shown main window, against a bare PySide6 + pyqtgraph + pandas window.

Run from the repository root (offscreen unless QT_QPA_PLATFORM is set):

    .venv/bin/python benchmarks/bench_startup.py [--repeats 7]

Each launch is a fresh Python process with fresh settings. The clock starts before the
process is spawned and stops when the child reports its window exposed (QTest's
qWaitForWindowExposed), so interpreter start-up and imports count on both sides. The bare
window imports PySide6, pyqtgraph and pandas and shows one PlotWidget; the app's window
loads the diabetes preset, builds every panel and starts its training thread. Prints the
median and the fastest launch of each and the ratio of medians (aim <= 1.3), and, for the
app, when its first training snapshot had been drawn.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMON = """
import sys, time
start = time.perf_counter()
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
"""

BARE = (
    COMMON
    + """
import pyqtgraph as pg
import pandas
from PySide6.QtWidgets import QMainWindow
window = QMainWindow()
window.setCentralWidget(pg.PlotWidget())
window.resize(1280, 800)
window.show()
QTest.qWaitForWindowExposed(window)
print("shown", flush=True)
"""
)

APP = (
    COMMON
    + """
from gdapp.ui.main_window import MainWindow
window = MainWindow()
window.show()
QTest.qWaitForWindowExposed(window)
print("shown", flush=True)
window.show_page("plots")  # a first launch opens on lesson 1's table
panel = window.plots_panel
while panel.redraw_count == 0:
    app.processEvents()
print("drawn", time.perf_counter() - start, flush=True)
window.close()
"""
)


def launch(script: str) -> tuple[float, float | None]:
    """Seconds until the child says "shown", and its own time to the first drawn snapshot."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="gdapp-startup-") as settings:
        env["GDAPP_SETTINGS_DIR"] = settings
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        shown = drawn = None
        for line in child.stdout:
            if line.startswith("shown") and shown is None:
                shown = time.perf_counter() - start
            elif line.startswith("drawn"):
                drawn = float(line.split()[1])
        if child.wait(60) != 0 or shown is None:
            raise RuntimeError("a launch failed; run the script by hand to see why")
    return shown, drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="launches of each window")
    args = parser.parse_args()

    launch(BARE)  # warm the file cache for both
    launch(APP)
    bare, app, drawn = [], [], []
    for _ in range(args.repeats):  # interleaved, so drift in machine load hits both
        bare.append(launch(BARE)[0])
        shown, first = launch(APP)
        app.append(shown)
        drawn.append(first)

    bare_ms = statistics.median(bare) * 1000
    app_ms = statistics.median(app) * 1000
    print(f"launches: {args.repeats} of each, fresh process and settings every time")
    print(f"bare PySide6 + pyqtgraph + pandas window: median {bare_ms:6.0f} ms, "
          f"fastest {min(bare) * 1000:6.0f} ms")  # fmt: skip
    print(f"Gradient Descent Lab main window:         median {app_ms:6.0f} ms, "
          f"fastest {min(app) * 1000:6.0f} ms")  # fmt: skip
    print(f"ratio of medians: {app_ms / bare_ms:.2f}   (aim <= 1.3)")
    print(f"app: first snapshot drawn {statistics.median(drawn) * 1000:.0f} ms after the "
          "interpreter started (median)")  # fmt: skip


if __name__ == "__main__":
    main()
