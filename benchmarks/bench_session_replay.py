"""Time opening a saved session (its replay through the training thread) against the core alone.

Run from the repository root:

    .venv/bin/python benchmarks/bench_session_replay.py [--steps 20000] [--batch 32]

A window trains the diabetes preset for ``--steps`` mini-batch steps with one learning-rate
change halfway, saves the session, and a second window opens it. Printed: the time from
``open_session`` to ``session_ready``, the same steps on a bare core ``Trainer`` in this
process (the baseline), their ratio, and the longest the GUI thread went without running a
10 ms heartbeat timer during the replay (the GUI thread's longest stall).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["GDAPP_SETTINGS_DIR"] = tempfile.mkdtemp(prefix="gdapp-bench-")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gdapp.core.trainer import Trainer  # noqa: E402
from gdapp.datasets import load_preset  # noqa: E402
from gdapp.ui import session_commands  # noqa: E402
from gdapp.ui.main_window import MainWindow  # noqa: E402
from gdapp.ui.session_commands import LAST_KEY  # noqa: E402

HEARTBEAT_MS = 10


def wait_until(app: QApplication, done, timeout_s: float = 600.0) -> None:
    end = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > end:
            raise TimeoutError("gave up waiting")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--chunk", type=int, default=session_commands.REPLAY_CHUNK_STEPS)
    args = parser.parse_args()
    session_commands.REPLAY_CHUNK_STEPS = args.chunk
    half = args.steps // 2
    app = QApplication.instance() or QApplication([])

    win = MainWindow()
    ctrl = win.controller
    wait_until(app, lambda: ctrl.last_snapshot is not None)
    ctrl.set_config(max_epochs=10**9, batch_size=args.batch, lr=0.05)
    for lr, count in ((0.05, half), (0.4, args.steps - half)):
        ctrl.set_config(lr=lr)
        ctrl.step(count)
        asked = ctrl.commands_sent
        wait_until(app, lambda a=asked: ctrl.last_snapshot.commands_seen >= a)
    path = Path(os.environ["GDAPP_SETTINGS_DIR"]) / "bench.gdsession"
    win.save_session(path)
    config = ctrl.config
    win.close()
    from gdapp.ui.settings import make_settings

    make_settings().setValue(LAST_KEY, "")  # the second window must not resume by itself

    again = MainWindow()
    wait_until(app, lambda: again.controller.last_snapshot is not None)
    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]

    def beat() -> None:
        now = clock.nsecsElapsed()
        gaps.append(((now - last[0]) / 1e6, now / 1e6))
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(beat)
    finished: list[bool] = []
    again.session_ready.connect(finished.append)
    heartbeat.start()
    start = time.perf_counter()
    if not again.open_session(path):
        raise SystemExit("the session was refused")
    open_call_s = time.perf_counter() - start
    wait_until(app, lambda: bool(finished))
    replay_s = time.perf_counter() - start
    heartbeat.stop()
    wait_until(app, lambda: not again.sessions.is_replaying)
    before = time.perf_counter()
    again.controller.load_preset("diabetes")  # what choosing a preset from the menu costs
    preset_call_s = time.perf_counter() - before
    again.close()
    if finished != [True]:
        raise SystemExit("the replay did not reproduce the saved weights")

    dataset = load_preset("diabetes")
    start = time.perf_counter()
    trainer = Trainer(dataset.X_train, dataset.y_train, dataset.X_test, dataset.y_test,
                      config=replace(config, lr=0.05))  # fmt: skip
    trainer.run(half)
    trainer.set_lr(0.4)
    trainer.run(args.steps - half)
    core_s = time.perf_counter() - start

    run = f"batch {args.batch}, one lr change, chunks of {args.chunk}"
    print(f"steps replayed:               {args.steps:,} ({run})")
    print(f"open_session -> session_ready: {replay_s * 1e3:,.0f} ms")
    print(f"core Trainer, same steps:      {core_s * 1e3:,.0f} ms")
    print(f"ratio replay / core:           {replay_s / core_s:.2f}")
    print(f"open_session call itself:      {open_call_s * 1e3:.0f} ms")
    print(f"File > Presets > diabetes call: {preset_call_s * 1e3:.0f} ms (same dataset change)")
    worst = sorted(gaps, reverse=True)
    print(
        f"longest GUI-thread gap:        {worst[0][0]:.1f} ms (heartbeat every {HEARTBEAT_MS} ms)"
    )
    median = sorted(g for g, _ in gaps)[len(gaps) // 2]
    print(f"median heartbeat interval:     {median:.1f} ms")
    at = ", ".join(f"{g:.0f} ms at {t / 1e3:.2f} s" for g, t in worst[:4])
    print(f"longest gaps (when):           {at} (replay took {replay_s:.2f} s)")


if __name__ == "__main__":
    main()
