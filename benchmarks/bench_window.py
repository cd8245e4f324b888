"""Measure the main window while it trains at maximum speed, and the latency of one Step.

Run from the repository root (offscreen unless QT_QPA_PLATFORM is set):

    .venv/bin/python benchmarks/bench_window.py [--seconds 5]

Prints, for full-batch gradient descent on the diabetes preset:

- epochs per second of a run in the window against the headless core Trainer in the same
  process (aim: ratio >= 0.5);
- plot redraws per second during that run (aim >= 30);
- the lag of a 10 ms QTimer on the GUI thread during the run, median and p99 (aim: p99
  <= 50 ms): how responsive the window stays;
- snapshots per second during that run against the cap of 1 / SNAPSHOT_INTERVAL_S, and
  the training steps each snapshot carries;
- the time from Step to every panel showing the new state (the plots redraw last), median
  and p90 over STEP_REPEATS steps (aim: median <= 16 ms);
- the time from Pause during a run to the worker's confirming snapshot, median and max over
  PAUSE_REPEATS runs, against the round trip of a snapshot request to the idle worker in the
  same process (aim: max <= 200 ms).
- for the plots panel alone: the time to take a WIDE_FEATURES-column table and to redraw
  it, against the diabetes preset in the same process (aim: a fraction of a second, not
  the minutes a legend entry per column used to cost);
- the bytes the window's one history holds after a million epochs (aim: <= 80 MB, bounded)
  for the diabetes width and for WIDE_FEATURES columns.

``--plots-only`` skips the training run and the step latencies.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GDAPP_SETTINGS_DIR", tempfile.mkdtemp(prefix="gdapp-bench-"))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gdapp.core.trainer import TrainConfig, Trainer  # noqa: E402
from gdapp.datasets import Dataset, load_preset  # noqa: E402
from gdapp.datasets.dataset import from_arrays  # noqa: E402
from gdapp.ui.controller import TrainingSession  # noqa: E402
from gdapp.ui.history import COLUMNS, SessionHistory  # noqa: E402
from gdapp.ui.main_window import MainWindow  # noqa: E402
from gdapp.ui.panels.plots import PlotsPanel  # noqa: E402
from gdapp.ui.snapshot import Snapshot  # noqa: E402
from gdapp.ui.training_thread import SNAPSHOT_INTERVAL_S  # noqa: E402

LONG = 10**9  # max epochs that a benchmark run never reaches
TIMER_MS = 10
STEP_REPEATS = 60
STEP_GAP_S = 0.05  # between two timed steps: a fast clicker's pace
RUN_POLL_MS = 100  # how often the benchmark looks at the clock during a run
PAUSE_REPEATS = 20
PAUSE_AFTER_S = 0.2  # how long each timed run goes before Pause
WIDE_FEATURES = 10_000
WIDE_ROWS = 60
REDRAW_REPEATS = 20
MILLION = 1_000_000


def pump_until(app: QApplication, condition, timeout_s: float = 10.0, poll_ms: int = 1) -> None:
    """Run the real event loop (idle waits release the GIL) until ``condition()`` holds."""
    loop = QEventLoop()
    deadline = time.perf_counter() + timeout_s
    timed_out = []

    def check() -> None:
        if condition():
            loop.quit()
        elif time.perf_counter() > deadline:
            timed_out.append(True)
            loop.quit()

    poll = QTimer()
    poll.setInterval(poll_ms)
    poll.timeout.connect(check)
    poll.start()
    if not condition():
        loop.exec()
    poll.stop()
    if timed_out:
        raise TimeoutError("the window did not respond in time")


def headless_epochs_per_second(window: MainWindow, seconds: float) -> float:
    data = window.controller.dataset
    trainer = Trainer(
        data.X_train, data.y_train, data.X_test, data.y_test, TrainConfig(max_epochs=LONG)
    )
    trainer.run(200)  # warm up
    start_epoch, start = trainer.epoch, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.run(500)
    return (trainer.epoch - start_epoch) / (time.perf_counter() - start)


def window_run(app: QApplication, window: MainWindow, seconds: float) -> dict[str, float]:
    controller, plots = window.controller, window.plots_panel
    lags: list[float] = []
    last_tick = [time.perf_counter()]

    def on_tick() -> None:
        now = time.perf_counter()
        lags.append(max(0.0, now - last_tick[0] - TIMER_MS / 1000))
        last_tick[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(on_tick)

    controller.set_config(max_epochs=LONG)
    controller.set_speed(None)
    controller.run()
    pump_until(app, lambda: controller.last_snapshot.running)
    end_warmup = time.perf_counter() + 0.5
    pump_until(app, lambda: time.perf_counter() > end_warmup, 5, RUN_POLL_MS)

    start_epoch, start_redraws = controller.last_snapshot.epoch, plots.redraw_count
    start_steps = controller.last_snapshot.step_count
    snapshots = [0]

    def on_snapshot(_snapshot) -> None:
        snapshots[0] += 1

    controller.snapshot_ready.connect(on_snapshot)
    start = time.perf_counter()
    last_tick[0] = start
    timer.start(TIMER_MS)
    # A coarse poll: a waiting GUI thread must not compete with training for the GIL.
    pump_until(app, lambda: time.perf_counter() - start >= seconds, seconds + 5, RUN_POLL_MS)
    timer.stop()
    controller.snapshot_ready.disconnect(on_snapshot)
    elapsed = time.perf_counter() - start
    epochs = controller.last_snapshot.epoch - start_epoch
    steps = controller.last_snapshot.step_count - start_steps
    redraws = plots.redraw_count - start_redraws
    controller.pause()
    pump_until(app, lambda: not controller.last_snapshot.running)
    lags_ms = np.array(lags) * 1000
    return {
        "epochs_per_second": epochs / elapsed,
        "redraws_per_second": redraws / elapsed,
        "lag_p50_ms": float(np.percentile(lags_ms, 50)),
        "lag_p99_ms": float(np.percentile(lags_ms, 99)),
        "points_per_curve": len(plots.curves["train_loss"].xData),
        "snapshots_per_second": snapshots[0] / elapsed,
        "steps_per_snapshot": steps / max(1, snapshots[0]),
    }


def step_latencies(app: QApplication, window: MainWindow) -> list[float]:
    """Seconds from Step until every plot has painted the new step (the plots are last)."""
    controller, plots = window.controller, window.plots_panel
    controller.reset()
    pump_until(app, lambda: controller.last_snapshot.step_count == 0)
    painted: dict[str, float] = {}
    for name, view in plots.views.items():
        view.painted.connect(lambda name=name: painted.__setitem__(name, time.perf_counter()))

    def all_painted_since(moment: float) -> bool:
        return all(painted.get(name, 0.0) >= moment for name in plots.views)

    latencies = []
    for k in range(1, STEP_REPEATS + 1):
        pause_until = time.perf_counter() + STEP_GAP_S
        pump_until(app, lambda t=pause_until: time.perf_counter() > t)
        start = time.perf_counter()
        controller.step()
        pump_until(
            app,
            lambda k=k, t=start: controller.last_snapshot.step_count == k and all_painted_since(t),
        )
        latencies.append(time.perf_counter() - start)
    return latencies


def pause_latencies(app: QApplication, window: MainWindow) -> tuple[list[float], list[float]]:
    """Seconds from Pause to the confirming snapshot, and from a snapshot request to its answer.

    The request goes to the idle worker: the cost of one command's round trip, the floor
    under the Pause figure.
    """
    controller = window.controller
    controller.set_config(max_epochs=LONG)
    controller.set_speed(None)
    arrived: list[tuple[float, bool, int]] = []

    def on_snapshot(snapshot) -> None:
        arrived.append((time.perf_counter(), snapshot.running, snapshot.commands_seen))

    controller.snapshot_ready.connect(on_snapshot)
    pauses, round_trips = [], []
    try:
        for _ in range(PAUSE_REPEATS):
            controller.reset()
            controller.run()
            pump_until(app, lambda: controller.last_snapshot.running)
            go_on = time.perf_counter() + PAUSE_AFTER_S
            pump_until(app, lambda t=go_on: time.perf_counter() > t, 5, RUN_POLL_MS)
            arrived.clear()
            start = time.perf_counter()
            controller.pause()
            pump_until(app, lambda: any(not running for _, running, _ in arrived))
            pauses.append(next(t for t, running, _ in arrived if not running) - start)

            arrived.clear()
            start = time.perf_counter()
            controller.request_snapshot()
            pump_until(app, lambda: bool(arrived))
            round_trips.append(arrived[0][0] - start)
    finally:
        controller.snapshot_ready.disconnect(on_snapshot)
    return pauses, round_trips


def wide_dataset(n_features: int = WIDE_FEATURES, n_rows: int = WIDE_ROWS) -> Dataset:
    """A random table with ``n_features`` columns, assembled as the presets are."""
    rng = np.random.default_rng(0)
    values = rng.normal(size=(n_rows, n_features))
    y = (values[:, 0] > 0).astype(np.int8)
    y[:2] = (0, 1)
    return from_arrays(values, y, name="wide")


def plots_on(app: QApplication, dataset: Dataset, steps: int = 20) -> dict[str, float]:
    """Seconds for a plots panel to take ``dataset`` and for one redraw after ``steps``."""
    controller = TrainingSession()
    panel = PlotsPanel(controller)
    panel.resize(1000, 650)
    panel.show()
    try:
        start = time.perf_counter()
        controller.set_dataset(dataset)  # the panel lays itself out in dataset_changed
        set_up = time.perf_counter() - start
        controller.step(steps)
        pump_until(app, lambda: getattr(controller.last_snapshot, "step_count", -1) == steps, 60)
        pump_until(app, lambda: not panel._timer.isActive())
        redraws = []
        for _ in range(REDRAW_REPEATS):
            panel._dirty = True
            start = time.perf_counter()
            panel.redraw()
            panel.repaint()  # the paint is part of the cost
            redraws.append(time.perf_counter() - start)
        return {
            "set_up": set_up,
            "redraw": statistics.median(redraws),
            "curves": len(panel.weight_curves),
            "legend": len(panel.weights_legend.items),
        }
    finally:
        panel.close()
        controller.shutdown()


def history_bytes(n_params: int, rows: int, per_snapshot: int) -> tuple[int, float]:
    """Bytes a SessionHistory holds after ``rows`` synthetic rows, and µs per row applied."""
    history = SessionHistory()
    theta_block = np.ones((per_snapshot, n_params))
    scalars = {name: np.ones(per_snapshot) for name in COLUMNS}
    start = time.perf_counter()
    for first in range(0, rows, per_snapshot):
        block = {**scalars, "theta": theta_block, "step": np.arange(first, first + per_snapshot)}
        history.apply(
            Snapshot(
                step_count=first + per_snapshot - 1,
                epoch=0.0,
                status="ready",
                stop_reason="",
                theta=theta_block[0],
                grad=theta_block[0],
                lr=0.1,
                config=TrainConfig(),
                first_row=first,
                rows=block,
                steps_per_second=0.0,
                last_batch=np.arange(0),
            )
        )
    elapsed = time.perf_counter() - start
    return history.nbytes, elapsed / rows * 1e6


def report_plots(app: QApplication) -> None:
    diabetes = plots_on(app, load_preset("diabetes"))
    wide = plots_on(app, wide_dataset())
    print(f"plots panel, diabetes (8 features) vs a {WIDE_FEATURES:,}-column table:")
    for key, label in (("set_up", "take the dataset"), ("redraw", "redraw + paint")):
        ratio = wide[key] / diabetes[key]
        print(
            f"  {label:18s} {diabetes[key] * 1000:8.1f} ms vs {wide[key] * 1000:8.1f} ms"
            f"   (x{ratio:.1f})"
        )
    print(f"  weight curves / legend entries shown: {wide['curves']} / {wide['legend']}")
    for n_params, rows, per_snapshot in ((9, MILLION, 1000), (WIDE_FEATURES + 1, 20_000, 100)):
        nbytes, us_per_row = history_bytes(n_params, rows, per_snapshot)
        print(
            f"history, {n_params - 1:,} features, {rows:,} rows in snapshots of {per_snapshot}:"
            f" {nbytes / 1e6:.1f} MB held (aim <= 80 MB per 10^6 epochs),"
            f" {us_per_row:.2f} µs per row applied"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    parser.add_argument("--plots-only", action="store_true", help="only the plots figures")
    args = parser.parse_args()

    app = QApplication.instance() or QApplication([])
    if args.plots_only:
        report_plots(app)
        return
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    window.lesson_panel.leave()
    window.show_page("plots")  # the plots draw only while their page is in front
    pump_until(app, lambda: window.controller.last_snapshot is not None)

    try:
        headless = headless_epochs_per_second(window, args.seconds)
        run = window_run(app, window, args.seconds)
        steps_ms = np.array(step_latencies(app, window)) * 1000
        pauses, round_trips = pause_latencies(app, window)
    finally:
        window.close()

    ratio = run["epochs_per_second"] / headless
    print(f"platform: {app.platformName()}, full-batch GD on diabetes, {args.seconds:g} s runs")
    print(f"headless core Trainer:       {headless:10,.0f} epochs/s")
    print(f"run in the window:           {run['epochs_per_second']:10,.0f} epochs/s")
    print(f"window / headless:           {ratio:10.2f}    (aim >= 0.5)")
    print(f"plot redraws:                {run['redraws_per_second']:10.1f} /s   (aim >= 30)")
    print(f"points per curve at the end: {run['points_per_curve']:10,d}")
    print(
        f"snapshots during the run:    {run['snapshots_per_second']:10.1f} /s   "
        f"(cap {1 / SNAPSHOT_INTERVAL_S:.0f}), {run['steps_per_snapshot']:,.0f} steps each"
    )
    print(
        f"10 ms timer lag on GUI:      p50 {run['lag_p50_ms']:.1f} ms, "
        f"p99 {run['lag_p99_ms']:.1f} ms   (aim p99 <= 50 ms)"
    )
    print(
        f"Step -> all panels updated:  median {statistics.median(steps_ms):.1f} ms, "
        f"p90 {np.percentile(steps_ms, 90):.1f} ms over {STEP_REPEATS} steps "
        "(aim median <= 16 ms)"
    )
    pause_ms, trip_ms = np.array(pauses) * 1000, np.array(round_trips) * 1000
    print(
        f"Pause -> confirming snapshot: median {np.median(pause_ms):.1f} ms, "
        f"max {pause_ms.max():.1f} ms over {PAUSE_REPEATS} runs (aim max <= 200 ms)"
    )
    print(
        f"idle request round trip:     median {np.median(trip_ms):.1f} ms; "
        f"Pause / round trip {np.median(pause_ms) / np.median(trip_ms):.1f}"
    )
    report_plots(app)


if __name__ == "__main__":
    main()
