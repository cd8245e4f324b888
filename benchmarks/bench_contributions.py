"""What one recomputation of the gradient-contributions view costs on the GUI thread.

For the diabetes preset (768 rows, 614 for training) and a 100,000-row table (80,000 for
training, 3 features) this prints, after a few mini-batch steps of a real session:

- the plain full-batch gradient ``model.loss_and_grad`` over the training rows (baseline);
- the core ``contributions`` alone, full batch;
- one ``refresh_now()`` of the view: contributions, predictions, bars, caption and the
  table's contribution column (median and 95th percentile over REPEATS runs), then the same
  with the table sorted by that column;
- one repaint of the chart;

and the ratio of each to the baseline measured in the same process.  A refresh happens at
most every REFRESH_INTERVAL_MS (100 ms), so it must stay well below that.

    .venv/bin/python benchmarks/bench_contributions.py   (offscreen unless QT_QPA_PLATFORM is set)
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gdapp.core.contributions import contributions  # noqa: E402
from gdapp.core.trainer import model_for  # noqa: E402
from gdapp.datasets.dataset import from_arrays  # noqa: E402
from gdapp.ui.controller import TrainingSession  # noqa: E402
from gdapp.ui.panels.contributions_view import MAX_BARS  # noqa: E402
from gdapp.ui.panels.dataset_browser import DatasetBrowserPanel  # noqa: E402

REPEATS = 30
STEPS = 5
BATCH_SIZE = 32
PAGE_SIZE_PX = (900, 700)


def timed(fn, repeats: int = REPEATS) -> tuple[float, float]:
    """Median and 95th percentile seconds of ``fn()``."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def wait_for(app: QApplication, condition, timeout_s: float = 30.0) -> None:
    end = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the session did not answer")
        app.processEvents()
        time.sleep(0.002)


def measure(app: QApplication, session: TrainingSession, panel, label: str) -> None:
    session.set_config(batch_size=BATCH_SIZE)
    wait_for(app, lambda: getattr(session.last_snapshot, "config", None) == session.config)
    target = session.last_snapshot.step_count + STEPS
    session.step(STEPS)
    wait_for(app, lambda: session.last_snapshot.step_count == target)
    view = panel.contributions_view()
    ds = session.dataset
    X, y = np.ascontiguousarray(ds.X_train), np.ascontiguousarray(ds.y_train)
    model = model_for(session.config)
    theta = np.asarray(session.last_snapshot.theta)

    baseline, _ = timed(lambda: model.loss_and_grad(theta, X, y))
    core, _ = timed(lambda: contributions(model, theta, X, y))
    view.set_sorted(True)
    refresh, refresh_p95 = timed(view.refresh_now)
    table = panel.table_view()
    table.sortByColumn(panel.current_model().columnCount() - 1, Qt.SortOrder.DescendingOrder)
    sorted_refresh, sorted_p95 = timed(view.refresh_now)
    table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    app.processEvents()
    plot = view.plot_widget()
    paint, paint_p95 = timed(lambda: plot.viewport().grab(), repeats=10)
    bars = len(view.bar_heights())

    print(f"{label}: {len(y):,} training rows, {X.shape[1]} features, {bars:,} bars drawn")
    print(f"  plain gradient (baseline)      {baseline * 1e3:8.3f} ms")
    print(f"  core contributions             {core * 1e3:8.3f} ms   x{core / baseline:8.1f}")
    print(
        f"  view refresh                   {refresh * 1e3:8.3f} ms   x{refresh / baseline:8.1f}"
        f"   (p95 {refresh_p95 * 1e3:.3f} ms)"
    )
    print(
        f"  refresh, table sorted by it    {sorted_refresh * 1e3:8.3f} ms   "
        f"x{sorted_refresh / baseline:8.1f}   (p95 {sorted_p95 * 1e3:.3f} ms)"
    )
    print(
        f"  chart repaint                  {paint * 1e3:8.3f} ms   (p95 {paint_p95 * 1e3:.3f} ms)"
    )


def main() -> None:
    app = QApplication.instance() or QApplication([])
    session = TrainingSession()
    session.load_preset("diabetes")
    panel = DatasetBrowserPanel(session)
    panel.resize(*PAGE_SIZE_PX)
    panel.show()
    wait_for(app, lambda: session.last_snapshot is not None)
    try:
        measure(app, session, panel, "diabetes")
        rng = np.random.default_rng(0)
        X = rng.normal(size=(100_000, 3))
        session.set_dataset(from_arrays(X, (X[:, 0] + 0.3 * X[:, 1] > 0).astype(int), name="big"))
        wait_for(app, lambda: session.last_snapshot is not None)
        measure(app, session, panel, f"100,000-row table (at most {MAX_BARS:,} bars)")
    finally:
        panel.shutdown()
        session.shutdown()


if __name__ == "__main__":
    main()
