"""What a hidden layer costs the graph page on the GUI thread, against the logistic graph.

For the logistic model and for a hidden layer of 4 and of 16 units (8 features, the
diabetes preset), times in one process:

- the page built: a new graph panel made, shown and drawn (core graph, cards, layout, fit);
- the diagram rebuilt: every card and edge made anew for the same numbers (a new structure,
  as when 16 units change which four are drawn);
- one training snapshot shown: new parameters, the cards updated in place;
- the same with the nudge check on (at once for a small graph, in slices otherwise).

Prints medians and 90th percentiles, and each one's ratio to the logistic graph's.

    python benchmarks/bench_graph_mlp.py
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gdapp.core.trainer import model_for  # noqa: E402
from gdapp.ui.controller import TrainingSession  # noqa: E402
from gdapp.ui.panels.graph import GraphPanel  # noqa: E402
from gdapp.ui.panels.graph.nudge import entry_count  # noqa: E402

PAGE_SIZE = (900, 560)  # the graph page of the window at 1280x800
BUILDS = 15
UPDATES = 120
WARMUP = 5
MODELS = (("logistic", {"model": "logistic"}),
          ("mlp h=4", {"model": "mlp", "hidden": 4, "activation": "tanh"}),
          ("mlp h=16", {"model": "mlp", "hidden": 16, "activation": "tanh"}))  # fmt: skip


def timed(action, repeats: int) -> list[float]:
    for i in range(WARMUP):
        action(i)
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        action(WARMUP + i)
        times.append(time.perf_counter() - start)
    return times


def stats(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), sorted(times)[int(0.9 * len(times))]


def wait_for(app, condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        app.processEvents()


def measure(app, controller, fields: dict) -> dict[str, tuple[float, float]]:
    controller.set_config(**fields)
    wait_for(app, lambda: controller.last_snapshot.config.model == fields["model"]
             and controller.last_snapshot.config.hidden == fields.get("hidden", 4))  # fmt: skip
    base = controller.last_snapshot
    d = controller.dataset.X.shape[1]
    p = model_for(base.config).n_params(d)
    thetas = np.random.default_rng(0).normal(0.0, 0.5, size=(WARMUP + UPDATES, p))
    out = {}

    def build(_i: int) -> None:
        panel = GraphPanel(controller)
        panel.resize(*PAGE_SIZE)
        panel.show()
        panel.set_view("sample")
        panel.displayed_values()  # drawn and fitted
        panel.hide()
        panel.deleteLater()

    out["page built"] = stats(timed(build, BUILDS))
    app.processEvents()
    panel = GraphPanel(controller)
    panel.resize(*PAGE_SIZE)
    panel.show()
    panel.set_view("sample")
    panel.set_nudge(False)
    app.processEvents()

    def rebuild(_i: int) -> None:
        panel._scene._structure = ()  # the next refresh makes every item anew
        panel._refresh(force=True)

    out["diagram rebuilt"] = stats(timed(rebuild, BUILDS))

    def feed(i: int) -> None:
        snapshot = dataclasses.replace(base, theta=thetas[i], step_count=base.step_count + 2 * i)
        panel._on_controller_snapshot_ready(snapshot)
        panel._flush()

    out["snapshot shown"] = stats(timed(feed, UPDATES))
    panel.set_nudge(True)
    out["snapshot shown, nudge on"] = stats(timed(feed, UPDATES // 4))
    entries = entry_count(panel._data.graph)
    nodes = len(panel._scene.nodes)
    panel.set_nudge(False)
    panel.hide()
    panel.deleteLater()
    app.processEvents()
    out["_size"] = (nodes, entries)
    return out


def main() -> None:
    app = QApplication.instance() or QApplication([])
    controller = TrainingSession()
    controller.load_preset("diabetes")
    wait_for(app, lambda: controller.last_snapshot is not None)
    results = {label: measure(app, controller, fields) for label, fields in MODELS}
    baseline = results["logistic"]
    print(f"Graph page, one-sample view, 8 features, {PAGE_SIZE[0]}x{PAGE_SIZE[1]} panel")
    for label, figures in results.items():
        nodes, entries = figures["_size"]
        print(f"{label}: {nodes} cards, {entries} values in the core graph")
        for key, (median, p90) in figures.items():
            if key.startswith("_"):
                continue
            ratio = median / baseline[key][0]
            print(
                f"  {key:<26} median {median * 1e3:7.2f} ms   p90 {p90 * 1e3:7.2f} ms"
                f"   {ratio:4.1f}x logistic"
            )
    controller.shutdown()


if __name__ == "__main__":
    main()
