"""How much the graph panel adds to rebuilding the core graph, per training snapshot.

For each view, feeds the panel snapshots whose weights change (as a run does) and times
one full update: the core graph rebuilt, every card's text and colour set in place, the
edge tooltips refreshed. Compares it with rebuilding the same core graph alone. Prints the
median and 90th percentile over ``REPEATS`` updates and the ratio of the medians.

    python benchmarks/bench_graph_panel.py
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gdapp.core import graph_builders as core_graph  # noqa: E402
from gdapp.ui.controller import TrainingSession  # noqa: E402
from gdapp.ui.panels.graph import GraphPanel  # noqa: E402
from gdapp.ui.panels.graph.nudge import SYNC_ENTRY_LIMIT, entry_count  # noqa: E402

REPEATS = 400
WARMUP = 20
BATCH_SIZE = 32


def timed(action, repeats: int = REPEATS) -> list[float]:
    for i in range(WARMUP):
        action(i)
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        action(WARMUP + i)
        times.append(time.perf_counter() - start)
    return times


def describe(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    p90 = sorted(times)[int(0.9 * len(times))]
    print(f"  {label:<34} median {median * 1e3:8.3f} ms   p90 {p90 * 1e3:8.3f} ms")
    return median


def main() -> None:
    app = QApplication.instance() or QApplication([])
    controller = TrainingSession()
    controller.load_preset("diabetes")
    deadline = time.monotonic() + 10
    while controller.last_snapshot is None and time.monotonic() < deadline:
        app.processEvents()
    base = controller.last_snapshot
    dataset = controller.dataset
    panel = GraphPanel(controller)
    panel.resize(900, 560)
    panel.show()
    app.processEvents()
    rng = np.random.default_rng(0)
    d = dataset.X.shape[1]
    thetas = rng.normal(0.0, 0.5, size=(WARMUP + REPEATS, d + 1))
    batch = np.arange(BATCH_SIZE)
    x, y = dataset.X[0], float(dataset.y[0])
    w0 = thetas[0][:-1]
    X, Y = dataset.X_train[batch], dataset.y_train[batch]

    def feed(i: int) -> None:
        snapshot = dataclasses.replace(
            base, theta=thetas[i], step_count=base.step_count + 10 * i + 2, last_batch=batch
        )
        panel._on_controller_snapshot_ready(snapshot)
        panel._flush()

    def core_sample(i: int) -> None:
        theta = thetas[i]
        core_graph.build_logistic_sample(x, theta[:-1], theta[-1], y, dataset.feature_names)

    def core_batch(i: int) -> None:
        theta = thetas[i]
        core_graph.build_batch_cost(X, Y, theta[:-1], theta[-1], dataset.feature_names)

    print(f"Graph panel update per snapshot ({REPEATS} updates, 8 features, 900x560 panel)")
    for view, core in (("sample", core_sample), ("batch", core_batch)):
        panel.set_view(view)
        panel.set_nudge(False)
        feed(0)
        print(f"{view} view:")
        core_median = describe("core graph rebuilt alone", timed(core))
        panel_median = describe("panel update (core + cards)", timed(feed))
        print(f"  ratio panel / core: {panel_median / core_median:.1f}x")
        panel.set_nudge(True)
        describe("panel update with nudge check on", timed(feed, REPEATS // 4))
    # The largest check the panel runs at once, on the GUI thread: it must stay under ~100 ms.
    rows = 1
    while entry_count(core_graph.build_batch_cost(X[: rows + 1], Y[: rows + 1], w0, 0.0)) <= (
        SYNC_ENTRY_LIMIT
    ):
        rows += 1
    graph = core_graph.build_batch_cost(X[:rows], Y[:rows], w0, 0.0)
    print(f"Largest synchronous nudge check: {rows} rows, {entry_count(graph)} values")
    check = describe("graph.nudge_check()", timed(lambda i: graph.nudge_check(), 20))
    sample = core_graph.build_logistic_sample(x, w0, 0.0, y)
    one = describe("one-sample nudge_check()", timed(lambda i: sample.nudge_check(), 100))
    print(f"  ratio batch / one sample: {check / one:.1f}x")
    controller.shutdown()


if __name__ == "__main__":
    main()
