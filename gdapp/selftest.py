"""``gdapp --self-test``: open the real window, drive it, check each result, exit 0 or 1.

It works the same from source and from the packaged app, with or without a display (without
one it renders offscreen). Settings go to a temporary folder, so a user's layout, lesson
progress and hyper-parameters are never touched. Each check prints one line; the first
failure names what failed and ends the run with exit status 1.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

SELF_TEST_STEPS = 200
WAIT_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 0.01
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SETTINGS_ENV = "GDAPP_SETTINGS_DIR"
# The offscreen platform says so whenever a window is shown; nothing is wrong.
OFFSCREEN_NOISE = ("This plugin does not support",)


class SelfTestError(Exception):
    """A check did not hold; the message says which and why."""


def _needs_offscreen() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _wait_until(app, predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_TIMEOUT_S
    while not predicate():
        if time.monotonic() > deadline:
            raise SelfTestError(f"timed out after {WAIT_TIMEOUT_S:.0f} s waiting for {what}")
        app.processEvents()
        time.sleep(POLL_INTERVAL_S)
    app.processEvents()


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SelfTestError(message)


def run_self_test(out: TextIO | None = None) -> int:
    """Run every check; return the process exit status."""
    out = sys.stdout if out is None else out
    if _needs_offscreen():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    saved_settings_dir = os.environ.get(SETTINGS_ENV)
    with tempfile.TemporaryDirectory(prefix="gdapp-self-test-") as scratch:
        os.environ[SETTINGS_ENV] = str(Path(scratch) / "settings")
        try:
            _run_checks(Path(scratch), out)
        except SelfTestError as failure:
            out.write(f"self-test FAILED: {failure}\n")
            out.flush()
            return 1
        except Exception as error:  # a crash is a failure too, reported in one line
            out.write(f"self-test FAILED: {type(error).__name__}: {error}\n")
            out.flush()
            return 1
        finally:
            if saved_settings_dir is None:
                os.environ.pop(SETTINGS_ENV, None)
            else:
                os.environ[SETTINGS_ENV] = saved_settings_dir
    out.write("self-test passed\n")
    out.flush()
    return 0


def _run_checks(scratch: Path, out: TextIO) -> None:

    def ok(message: str) -> None:
        out.write(f"ok  {message}\n")
        out.flush()

    from PySide6.QtCore import qInstallMessageHandler

    def on_qt_message(mode, context, message: str) -> None:
        if not message.startswith(OFFSCREEN_NOISE):
            sys.stderr.write(message + "\n")

    previous_handler = qInstallMessageHandler(on_qt_message)
    try:
        _drive_window(scratch, out, ok)
    finally:
        qInstallMessageHandler(previous_handler)


def _drive_window(scratch: Path, out: TextIO, ok: Callable[[str], None]) -> None:
    import numpy as np
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["gdapp", "--self-test"])
    from gdapp.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    try:
        controller = window.controller
        _wait_until(app, lambda: controller.dataset is not None, "the bundled dataset")
        dataset = controller.dataset
        _check(dataset.name == "diabetes", f"opened on {dataset.name!r}, not 'diabetes'")
        _check(len(dataset.y) == 768, f"the diabetes preset has {len(dataset.y)} rows, not 768")
        ok(f"window shown on the bundled dataset ({len(dataset.y)} rows)")

        lessons = window.lesson_panel
        lessons.start()
        first = lessons.runner.lesson
        for _ in range(len(first.steps) - 1):
            _check(lessons.next(), "the first lesson's Next button did nothing")
            app.processEvents()
        _check(
            lessons.runner.position == (0, len(first.steps) - 1),
            f"after walking lesson 1 the lessons stand at {lessons.runner.position}",
        )
        lessons.leave()
        ok(f"walked the {len(first.steps)} steps of lesson 1, {first.title!r}")

        controller.set_config(optimizer="gd", lr=0.5, batch_size=None, max_epochs=100_000)
        controller.reset()

        def at_step(n: int) -> Callable[[], bool]:
            def reached() -> bool:
                snapshot = controller.last_snapshot
                return snapshot is not None and snapshot.step_count == n

            return reached

        _wait_until(app, at_step(0), "the reset")
        controller.step(SELF_TEST_STEPS)
        _wait_until(app, at_step(SELF_TEST_STEPS), f"{SELF_TEST_STEPS} training steps")
        snapshot = controller.last_snapshot
        window.show_page("plots")
        app.processEvents()
        plots = window.plots_panel
        plots.redraw()
        loss = np.asarray(plots.curves["train_loss"].yData, dtype=float)
        _check(len(loss) == SELF_TEST_STEPS + 1, f"the loss plot holds {len(loss)} points")
        _check(bool(np.all(np.isfinite(loss))), "the loss plot holds a non-finite value")
        _check(loss[-1] < loss[0], f"the loss did not fall: {loss[0]:.4f} -> {loss[-1]:.4f}")
        ok(f"{SELF_TEST_STEPS} steps on the training thread; loss {loss[0]:.4f} -> {loss[-1]:.4f}")

        window.show_page("graph")
        app.processEvents()
        graph = window.graph_panel
        graph.set_view("sample")
        row = controller.selected_sample
        shown = graph.displayed_values()
        theta = np.asarray(snapshot.theta)
        x, y = dataset.X[row], dataset.y[row]
        a = 1.0 / (1.0 + np.exp(-(x @ theta[:-1] + theta[-1])))
        expected = x * (a - y)
        got = np.array([shown[f"w{i + 1}"].grad for i in range(len(x))], dtype=float)
        _check(
            np.allclose(got, expected, rtol=1e-4, atol=1e-8),
            f"graph panel dL/dw {got} differs from x·(a − y) {expected}",
        )
        ok(f"graph panel shows dL/dw for patient {row} after training")

        window.show_page("boundary")
        boundary = window.boundary_panel

        def boundary_drawn() -> bool:
            drawn = boundary.drawn_theta
            return drawn is not None and np.array_equal(drawn, theta)

        _wait_until(app, boundary_drawn, "the decision boundary page")
        i, j = boundary.features
        u, v = boundary.boundary_curve.getData()
        _check(u is not None and len(u) == 2, "the decision boundary page draws no line")
        rows = np.tile(dataset.X_train.mean(axis=0), (len(u), 1))
        rows[:, i], rows[:, j] = u, v
        p = 1.0 / (1.0 + np.exp(-(rows @ theta[:-1] + theta[-1])))
        _check(np.allclose(p, 0.5, rtol=0, atol=1e-9), f"the boundary's ends have P = {p}")
        ok("decision boundary page: its line lies where σ(z) = 0.5")

        image = scratch / "loss.png"
        _check(window.export_plot("loss", str(image)), "exporting the loss plot failed")
        _check(image.exists() and image.stat().st_size > 0, f"{image} is missing or empty")
        _check(image.read_bytes()[:8] == PNG_SIGNATURE, f"{image} is not a PNG file")
        ok(f"exported the loss plot as PNG ({image.stat().st_size} bytes)")
    finally:
        window.close()
        app.processEvents()
    _check(not window.controller.thread_running, "the training thread still runs after close")
    ok("closed the window; the training thread has stopped")
