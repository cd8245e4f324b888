"""How long the landscape's work takes, and how long it holds the GUI thread.

Baseline (measured here, in this process): the contour grid evaluated with one call to the
core's ``cost_grid`` on all training rows, which is what the window used to do on its GUI
thread, and its peak memory. Then the panel as it is: for each dataset size, a real
``LandscapePanel`` on an offscreen window computes a new contour while a 10 ms timer ticks;
printed are the time to the first (coarse) picture, to the finished one, the largest gap
between ticks minus 10 ms (how long the event loop was held), and the ratio of that to
the baseline's blocking time. Also the peak memory of the row-block evaluation and the time
to replay one overlaid run of 300 steps.

    python benchmarks/bench_landscape.py            # 768, 30,000 and 300,000 rows
    python benchmarks/bench_landscape.py --quick    # 768 and 30,000 rows only

The baseline on 300,000 rows is extrapolated from 30,000 (it is linear in the rows and
would take about a minute and several hundred MB); ``--full`` measures it.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gdapp.core import landscape  # noqa: E402
from gdapp.core.replay import replay  # noqa: E402
from gdapp.core.trainer import TrainConfig  # noqa: E402
from gdapp.datasets import load_preset  # noqa: E402
from gdapp.datasets.dataset import from_arrays  # noqa: E402
from gdapp.ui.controller import TrainingSession  # noqa: E402
from gdapp.ui.panels.landscape import LandscapePanel, jobs  # noqa: E402

TICK_MS = 10
SIZES = (768, 30_000, 300_000)
TIMEOUT_S = 600


def built_dataset(n: int, d: int = 8):
    rng = np.random.default_rng(0)
    values = rng.normal(size=(n, d))
    labels = (values @ rng.normal(size=d) + rng.logistic(size=n) > 0).astype(np.int8)
    return from_arrays(values, labels, name=f"{n} rows")


def dataset_of(n: int):
    return load_preset("diabetes") if n == 768 else built_dataset(n)


def direct_grid(X, y) -> tuple[float, float]:
    """Seconds and peak MB of one core cost_grid call on all rows (the old GUI-thread work)."""
    theta = np.zeros(X.shape[1] + 1)
    u = v = np.linspace(-2.0, 2.0, jobs.GRID_SIZE)
    tracemalloc.start()
    start = time.perf_counter()
    landscape.cost_grid(X, y, theta, 0, 1, u, v)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak


def blocked_grid_peak(X, y) -> float:
    """Peak MB of the panel's row-block evaluation of the same grid."""
    theta = np.zeros(X.shape[1] + 1)
    u = v = np.linspace(-2.0, 2.0, jobs.GRID_SIZE)
    tracemalloc.start()
    jobs.grid_cost(X, y, theta, 0, 1, u, v, "logistic", 0.0, lambda: None)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def idle_lag_ms(app, seconds: float = 3.0) -> float:
    """The largest gap between 10 ms ticks minus 10 ms with nothing else to do (the machine's
    own scheduling noise, the floor under every lag figure below)."""
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    return (float(np.max(np.diff(ticks))) - TICK_MS / 1000) * 1e3


def panel_run(app, controller, panel, dataset) -> dict[str, float]:
    """Load ``dataset`` and time the panel's contour while a 10 ms timer ticks."""
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    first: list[float] = []
    panel.grid_ready.connect(lambda: first.append(time.perf_counter()))
    start = time.perf_counter()
    timer.start()
    controller.set_dataset(dataset)
    coarse = None
    deadline = start + TIMEOUT_S
    while time.perf_counter() < deadline:
        app.processEvents()
        if coarse is None and panel.grid is not None:
            coarse = time.perf_counter() - start
        if panel.grid is not None and not panel.is_busy:
            break
        time.sleep(0.001)
    done = time.perf_counter() - start
    timer.stop()
    panel.grid_ready.disconnect()
    gaps = np.diff(ticks) if len(ticks) > 1 else np.array([done])
    return {
        "coarse": coarse if coarse is not None else float("nan"),
        "done": done,
        "lag_ms": (float(gaps.max()) - TICK_MS / 1000) * 1e3,
        "grid": float(panel.grid[2].shape[0]) if panel.grid is not None else float("nan"),
    }


def main() -> None:
    sizes = SIZES[:2] if "--quick" in sys.argv else SIZES
    full = "--full" in sys.argv
    app = QApplication.instance() or QApplication([])
    controller = TrainingSession()
    controller.load_preset("diabetes")
    panel = LandscapePanel(controller)
    panel.resize(700, 520)
    panel.show()
    panel.wait_until_idle()

    print(f"Contour {jobs.GRID_SIZE} x {jobs.GRID_SIZE}, 8 features (diabetes preset at 768 rows)")
    print(f"Event loop doing nothing: held at most {idle_lag_ms(app):.1f} ms (scheduling noise)")
    per_row = None  # seconds per training row of the baseline, from a measured size
    for n in sizes:
        dataset = dataset_of(n)
        X, y = np.asarray(dataset.X_train), np.asarray(dataset.y_train)
        if n >= 300_000 and not full and per_row is not None:
            seconds, peak, note = per_row * len(y), float("nan"), "extrapolated"
        else:
            seconds, peak = direct_grid(X, y)
            note, per_row = "measured", seconds / len(y)
        block_peak = blocked_grid_peak(X[: min(len(y), 30_000)], y[: min(len(y), 30_000)])
        figures = panel_run(app, controller, panel, dataset)
        ratio = figures["lag_ms"] / 1e3 / seconds
        print(f"\n{n:>9,} rows ({len(y):,} training rows)")
        print(f"  baseline: one cost_grid call   {seconds * 1e3:10.0f} ms ({note})")
        print(f"  baseline: peak memory          {peak:10.1f} MB")
        print(f"  row blocks, peak memory        {block_peak:10.1f} MB (30,000 rows at most)")
        print(f"  panel: first picture after     {figures['coarse'] * 1e3:10.0f} ms")
        print(
            f"  panel: finished picture after  {figures['done'] * 1e3:10.0f} ms "
            f"({figures['grid']:.0f} x {figures['grid']:.0f})"
        )
        print(f"  event loop held at most        {figures['lag_ms']:10.1f} ms")
        print(f"  ratio held / baseline          {ratio:10.4f}")
        start = time.perf_counter()
        replay(X, y, TrainConfig(optimizer="adam", lr=0.05, max_epochs=301), None, 300)
        seconds = time.perf_counter() - start
        print(f"  one overlaid run, 300 steps    {seconds * 1e3:10.0f} ms (on the worker)")

    panel.shutdown()
    controller.shutdown()


if __name__ == "__main__":
    main()
