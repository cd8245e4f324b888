"""How long the decision-boundary page holds the GUI thread on a 100,000-row table.

A real ``BoundaryPanel`` on an offscreen window follows a real training run (full batch,
gradient descent) on 100,000 rows of 8 features while a 10 ms timer ticks. Printed: the
time to lay the page out for the new table, to build it on a table already loaded (the
window builds a page when it is first shown; best of three, first picture painted), the
redraws per second during the run, the longest and the median redraw (picture, rings and
line, painted), and the largest gap between ticks minus 10 ms (how long the event loop was
held at most).

Baseline (measured here, in this process): the same page drawing every training row
instead of a sample of ``MAX_SCATTER_POINTS``. The ratio is the page's largest hold over
the baseline's. For scale, the same run with no page at all shows what the training
thread and the window's snapshots cost the event loop by themselves.

    python benchmarks/bench_boundary.py            # 100,000 rows
    python benchmarks/bench_boundary.py --rows N   # another size
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gdapp.datasets.dataset import from_arrays  # noqa: E402
from gdapp.ui.controller import TrainingSession  # noqa: E402
from gdapp.ui.panels import boundary  # noqa: E402
from gdapp.ui.panels.boundary import BoundaryPanel  # noqa: E402

TICK_MS = 10
RUN_SECONDS = 6.0
ROWS = 100_000
SAMPLE = boundary.MAX_SCATTER_POINTS  # the page's own sample size


def built_dataset(n: int, d: int = 8):
    rng = np.random.default_rng(0)
    values = rng.normal(size=(n, d))
    labels = (values @ rng.normal(size=d) + rng.logistic(size=n) > 0).astype(np.int8)
    return from_arrays(values, labels, name=f"{n} rows")


def pump(app, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)


def measure(app, dataset, max_points: int | None) -> dict[str, float]:
    """Lay a page out for ``dataset`` and follow a run; figures in ms (and redraws/s).

    ``max_points`` None: no page, only the session and its training thread.
    """
    boundary.MAX_SCATTER_POINTS = max_points or SAMPLE
    controller = TrainingSession()
    controller.set_config(lr=0.5, optimizer="gd", batch_size=None, max_epochs=10**6)
    panel = BoundaryPanel(controller)
    panel.resize(760, 560)
    if max_points is not None:
        panel.show()
    pump(app, 0.3)
    start = time.perf_counter()
    controller.set_dataset(dataset)
    layout_ms = (time.perf_counter() - start) * 1e3
    while controller.last_snapshot is None:
        app.processEvents()
    pump(app, 0.5)

    durations: list[float] = []
    original = panel.redraw

    def timed_redraw() -> None:
        begin = time.perf_counter()
        original()
        panel.plot.repaint()  # the paint belongs to the redraw's cost
        durations.append(time.perf_counter() - begin)

    panel._timer.timeout.disconnect()
    panel._timer.timeout.connect(timed_redraw)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    count = panel.redraw_count
    timer.start()
    controller.run()
    pump(app, RUN_SECONDS)
    controller.pause()
    timer.stop()
    redraws = panel.redraw_count - count
    steps = controller.last_snapshot.step_count
    panel.close()
    controller.shutdown()
    gaps = np.diff(ticks)
    drawn = durations
    # Building the page on a table already loaded, as the window does when it is first shown.
    build = []
    for _ in range(3 if max_points is not None else 0):
        again = TrainingSession()
        again.set_dataset(dataset)
        while again.last_snapshot is None:
            app.processEvents()
        begin = time.perf_counter()
        late = BoundaryPanel(again)
        late.resize(760, 560)
        if max_points is not None:
            late.show()
            late.redraw()
            late.plot.repaint()
        build.append(time.perf_counter() - begin)
        late.close()
        again.shutdown()
    return {
        "layout": layout_ms,
        "per_second": redraws / RUN_SECONDS,
        "longest": max(drawn) * 1e3 if drawn else float("nan"),
        "median": float(np.median(drawn)) * 1e3 if drawn else float("nan"),
        "held": (float(gaps.max()) - TICK_MS / 1000) * 1e3,
        "steps": steps,
        "build": min(build) * 1e3 if build else float("nan"),
    }


def plots_page_build(app, dataset) -> float:
    """ms to build and paint the plots page on the same loaded table (best of three)."""
    from gdapp.ui.panels.plots import PlotsPanel

    times = []
    for _ in range(3):
        session = TrainingSession()
        session.set_dataset(dataset)
        while session.last_snapshot is None:
            app.processEvents()
        begin = time.perf_counter()
        page = PlotsPanel(session)
        page.resize(760, 560)
        page.show()
        page.redraw()
        page.repaint()
        times.append(time.perf_counter() - begin)
        page.close()
        session.shutdown()
    return min(times) * 1e3


def main() -> None:
    rows = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else ROWS
    app = QApplication.instance() or QApplication([])
    dataset = built_dataset(rows)
    n_train = len(dataset.train_idx)
    sample = boundary.MAX_SCATTER_POINTS
    page = measure(app, dataset, sample)
    baseline = measure(app, dataset, n_train)
    bare = measure(app, dataset, None)
    boundary.MAX_SCATTER_POINTS = sample
    print(f"{rows:,} rows ({n_train:,} training rows), 8 features, grid 120 x 120")
    head = f"{'':34}{'sample of ' + format(sample, ','):>18}{'every row (baseline)':>24}"
    print(f"{head}{'no page':>12}")
    for key, label in (
        ("layout", "lay out for the new table (ms)"),
        ("build", "build on a loaded table (ms)"),
        ("per_second", "redraws per second"),
        ("median", "median redraw, painted (ms)"),
        ("longest", "longest redraw, painted (ms)"),
        ("held", "event loop held at most (ms)"),
        ("steps", "training steps in the run"),
    ):
        print(f"  {label:32}{page[key]:18.1f}{baseline[key]:24.1f}{bare[key]:12.1f}")
    print(f"  ratio held, page / baseline     {page['held'] / baseline['held']:18.3f}")
    plots_ms = plots_page_build(app, dataset)
    print(f"  the plots page, built on the same table: {plots_ms:.1f} ms", end="")
    print(f" (ratio boundary / plots {page['build'] / plots_ms:.2f})")


if __name__ == "__main__":
    main()
