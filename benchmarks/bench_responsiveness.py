"""How free the GUI thread stays while a learner switches things during a run.

Run from the repository root (offscreen unless QT_QPA_PLATFORM is set):

    .venv/bin/python benchmarks/bench_responsiveness.py [--rounds 20]

Once the window has built its pages and lesson figures (after its first frame, in the
background), a 10 ms QTimer ticks on the GUI thread while the window runs gradient descent
at full speed and, every 150 ms, the benchmark switches one thing as a learner would: the
model, the optimizer, the dataset, the workspace page, the graph view, or the lesson step.
A learner switches with a click or a key, so each switch is made while the window handles
a key press (delivered through the application, as Qt delivers one: its event filters see
it).
The lag of a tick is the time between two ticks minus 10 ms. Prints the median, p99 and
worst lag (aim: worst <= 100 ms) and, as a baseline measured in the same process, the same
figures with the window idle; then the same run on each page without switching, and the
steps per second the run kept meanwhile (the GUI thread and the training thread share the
GIL: a free GUI thread costs training speed, and the figures show both sides).

On Linux it also prints how busy the machine was while switching: this process's share of
the CPUs, the other processes' share and the time the hypervisor gave to other machines
("steal"), from /proc/stat. Lags measured while something else loads the machine are
longer for reasons outside the app; these figures tell such a run apart.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

# The package of this tree, not whichever one the environment has installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GDAPP_SETTINGS_DIR", tempfile.mkdtemp(prefix="gdapp-bench-"))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QKeyEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gdapp.core.trainer import TrainConfig  # noqa: E402
from gdapp.ui.main_window import MainWindow  # noqa: E402

TICK_MS = 10
SWITCH_EVERY_MS = 150
LONG = 10**9
RUN_SECONDS = 4.0  # each page's run without switching


def pump(app: QApplication, seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def lags_while(app: QApplication, seconds: float, action=None, ticks=None) -> np.ndarray:
    """Tick lags (ms) over ``seconds``, calling ``action(k)`` every SWITCH_EVERY_MS; the
    tick times (perf_counter seconds) go to ``ticks`` if given."""
    ticks = [] if ticks is None else ticks
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    switches = QTimer()
    switches.setInterval(SWITCH_EVERY_MS)
    count = [0]

    def switch() -> None:
        count[0] += 1
        action(count[0])

    if action is not None:
        switches.timeout.connect(switch)
        switches.start()
    timer.start()
    pump(app, seconds)
    timer.stop()
    switches.stop()
    gaps = np.diff(np.array(ticks)) * 1000 - TICK_MS
    return np.clip(gaps, 0, None)


def built_all(app: QApplication, window: MainWindow, timeout_s: float = 30.0) -> None:
    """Wait until the window has built every page and lesson figure (it does so in the
    background after its first frame, one per turn of the event loop)."""
    from gdapp.ui.lessons.figures import FIGURE_CLASSES
    from gdapp.ui.view_state import PAGES

    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        pages = all(window.workspace.is_built(page) for page in PAGES)
        if pages and all(window.figure_page.has_figure(name) for name in FIGURE_CLASSES):
            pump(app, 0.2)  # the last one's first paint
            return
        pump(app, 0.1)


class KeySwitch(QObject):
    """Makes a switch while handling a key press, as a shortcut or a key in a widget would."""

    def __init__(self, action) -> None:
        super().__init__()
        self._action = action
        self._k = 0

    def press(self, k: int) -> None:
        self._k = k
        event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_F20, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(self, event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            self._action(self._k)
            return True
        return super().event(event)


class MachineLoad:
    """How busy the machine's CPUs were between ``start()`` and ``report()`` (Linux)."""

    def __init__(self) -> None:
        self._start: tuple[list[int], float] | None = None

    @staticmethod
    def _cpu_ticks() -> list[int] | None:
        try:
            with open("/proc/stat", encoding="ascii") as stat:
                fields = stat.readline().split()
        except OSError:
            return None
        # user nice system idle iowait irq softirq steal (in clock ticks, all CPUs)
        return [int(value) for value in fields[1:9]] if fields[:1] == ["cpu"] else None

    def start(self) -> None:
        ticks = self._cpu_ticks()
        self._start = None if ticks is None else (ticks, time.process_time())

    def report(self) -> str:
        ticks = self._cpu_ticks()
        if self._start is None or ticks is None:
            return "machine load: not known on this system"
        before, cpu_before = self._start
        spent = [after - first for first, after in zip(before, ticks, strict=True)]
        total = sum(spent)
        if total <= 0:
            return "machine load: too short to measure"
        per_tick = 1.0 / os.sysconf("SC_CLK_TCK")
        busy = sum(spent[:3]) + sum(spent[5:7])  # user, nice, system, irq, softirq
        ours = (time.process_time() - cpu_before) / per_tick
        others = max(0.0, busy - ours)
        return (
            f"machine load while switching ({os.cpu_count()} CPUs): this process "
            f"{100 * ours / total:.0f} %, other processes {100 * others / total:.0f} %, "
            f"steal {100 * spent[7] / total:.1f} %"
        )


class StepCounter:
    """Steps the run takes (over dataset switches and resets, which restart its count)."""

    def __init__(self, controller) -> None:
        self._last = 0
        self._total = 0
        self._since = time.perf_counter()
        controller.snapshot_ready.connect(self._on_snapshot)

    def _on_snapshot(self, snapshot) -> None:
        count = snapshot.step_count
        self._total += count - self._last if count >= self._last else count
        self._last = count

    def start(self) -> None:
        self._total, self._since = 0, time.perf_counter()

    def rate(self) -> float:
        return self._total / max(time.perf_counter() - self._since, 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="switches of each kind")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    pump(app, 1.5)  # the first frame and the pages built after it, one per turn
    built_all(app, window)  # the switching below measures switching, not start-up
    controller = window.controller
    panel = window.lesson_panel
    steps = [(li, si) for li, lesson in enumerate(panel.runner.lessons)
             for si in range(len(lesson.steps))]  # fmt: skip
    kinds = ("model", "optimizer", "dataset", "page", "graph", "lesson")
    models, optimizers = ("linear", "logistic"), ("adam", "momentum", "gd", "rmsprop")
    presets, pages = ("diabetes-post", "diabetes"), ("graph", "landscape", "plots", "data")

    durations: dict[str, list[float]] = {kind: [] for kind in kinds}

    made: list[tuple[float, str]] = []  # (when, what) for each switch

    def action(k: int) -> None:
        started = time.perf_counter()
        made.append((started, act(k)))
        durations[kinds[k % len(kinds)]].append((time.perf_counter() - started) * 1000)

    def act(k: int) -> str:
        kind = kinds[k % len(kinds)]
        if kind == "model":
            what = models[k % 2]
            controller.set_config(model=what)
        elif kind == "optimizer":
            what = optimizers[k % 4]
            controller.set_config(optimizer=what)
        elif kind == "dataset":
            what = presets[k % 2]
            controller.load_preset(what)
        elif kind == "page":
            what = pages[k % 4]
            window.show_page(what)
        elif kind == "graph":
            what = ("sample", "batch")[k % 2]
            window.view_model.update(graph_view=what)
        else:
            lesson, step = steps[(k * 7) % len(steps)]
            what = f"{panel.runner.lessons[lesson].number}.{step + 1}"
            panel.goto(lesson, step)
        controller.set_config(max_epochs=LONG)
        controller.run()
        return f"{kind} {what}"

    counter = StepCounter(controller)
    idle = lags_while(app, 2.0)
    controller.set_config(max_epochs=LONG)
    controller.run()
    seconds = args.rounds * len(kinds) * SWITCH_EVERY_MS / 1000
    counter.start()
    keys = KeySwitch(action)
    ticks: list[float] = []
    load = MachineLoad()
    load.start()
    busy = lags_while(app, seconds, keys.press, ticks)
    busy_rate = counter.rate()
    machine = load.report()
    runs = []
    panel.leave()  # the page runs below show no lesson, on a fresh start
    controller.set_speed(None)  # as fast as possible, whatever the last lesson step set
    for page in pages:
        controller.load_preset("diabetes")
        controller.set_config(**{**dataclasses.asdict(TrainConfig()), "max_epochs": LONG})
        window.show_page(page)
        controller.run()
        pump(app, 0.5)
        counter.start()
        runs.append((f"run on {page}", lags_while(app, RUN_SECONDS), counter.rate()))
    controller.pause()
    window.close()
    rows = [("idle window", idle, None), ("run + switching", busy, busy_rate), *runs]
    for label, lags, rate in rows:
        speed = "" if rate is None else f", {rate:7,.0f} steps/s"
        print(
            f"{label:16s} 10 ms timer lag: median {np.median(lags):6.1f} ms, "
            f"p99 {np.percentile(lags, 99):6.1f} ms, worst {lags.max():6.1f} ms "
            f"over {len(lags)} ticks{speed}"
        )
    for kind, values in durations.items():
        if values:
            print(f"  {kind:9s} switch on the GUI thread: median {np.median(values):6.1f} ms, "
                  f"worst {max(values):6.1f} ms")  # fmt: skip
    worst = []  # the longest gaps and the switch made last before each one ended
    for gap in np.argsort(busy)[::-1][:3]:
        before = [what for when, what in made if when <= ticks[gap + 1]]
        worst.append(f"{busy[gap]:.0f} ms after {before[-1] if before else 'the start'}")
    print("  longest gaps: " + "; ".join(worst))
    print("  " + machine)
    ratio = busy.max() / max(np.percentile(idle, 99), 1.0)
    print(f"worst lag while switching / idle p99: {ratio:.1f}   (aim: worst <= 100 ms)")


if __name__ == "__main__":
    main()
