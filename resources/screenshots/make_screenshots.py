"""Regenerate the README's screenshots from the real window.

Run on a display (a virtual one is fine: ``Xvfb :99 -screen 0 1280x800x24 &`` and
``DISPLAY=:99``) from the repository root:

    .venv/bin/python resources/screenshots/make_screenshots.py
    .venv/bin/python resources/screenshots/make_screenshots.py boundary-page   # only these

Each shot opens a fresh window with fresh settings at the size named in its file name, puts
it into a state (a run, a lesson step, a page), waits for the training thread and saves the
window as a PNG here. Without a display it falls back to Qt's offscreen platform.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
if not os.environ.get("DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SETTLE_MS = 2500


def wait(ms: int) -> None:
    """Run the event loop for ``ms``. (Not ``QTest.qWait``: it keeps the GIL while it waits,
    and the training thread then takes seconds for a lesson step's few hundred steps.)"""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(predicate, timeout_ms: int = 30_000) -> None:
    waited = 0
    while not predicate() and waited < timeout_ms:
        wait(20)
        waited += 20


def open_window(size: tuple[int, int]):
    os.environ["GDAPP_SETTINGS_DIR"] = tempfile.mkdtemp()
    from gdapp.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(*size)
    window.move(0, 0)
    window.show()
    QTest.qWaitForWindowExposed(window)
    wait_until(lambda: window.controller.last_snapshot is not None)
    wait(SETTLE_MS)
    return window


def trained(window, epochs: int) -> None:
    window.lesson_panel.leave()
    controller = window.controller
    controller.set_config(optimizer="gd", lr=0.5, max_epochs=epochs)
    controller.reset()
    controller.select_sample(0)
    controller.run()
    wait_until(lambda: controller.last_snapshot.step_count >= epochs, 60_000)
    wait(SETTLE_MS)


def lesson_step(window, lesson: int, step: int) -> None:
    window.lesson_panel.goto(lesson - 1, step - 1)
    wait(SETTLE_MS * 2)


WANTED = set(sys.argv[1:])  # shot names to make; none named: every shot


def shoot(name: str, size: tuple[int, int], setup) -> Path | None:
    if WANTED and name not in WANTED:
        return None
    window = open_window(size)
    setup(window)
    path = HERE / f"{name}.png"
    window.grab().save(str(path))
    window.close()
    print(f"saved {path.relative_to(HERE.parent.parent)}")
    return path


def main() -> int:
    QApplication.instance() or QApplication(sys.argv[:1])
    big, small = (1280, 800), (1024, 768)

    def plots_after_a_run(window):
        trained(window, 3000)
        window.show_page("plots")
        wait(SETTLE_MS)

    def graph_after_a_run(window):
        trained(window, 300)
        window.show_page("graph")
        window.view_model.update(graph_view="sample")
        wait(SETTLE_MS)

    def boundary_after_a_run(window):
        trained(window, 300)
        window.show_page("boundary")
        window.view_model.update(boundary_features=(1, 5))  # glucose against BMI
        wait(SETTLE_MS)

    def hidden_layer_graph(window):
        lesson_step(window, 14, 2)  # four tanh units trained on xor
        window.show_page("graph")
        window.view_model.update(graph_view="sample")
        wait(SETTLE_MS)

    shoot("main-window", big, plots_after_a_run)
    shoot("lesson-figure", big, lambda w: lesson_step(w, 3, 2))
    shoot("graph-panel", big, graph_after_a_run)
    shoot("lesson-graph-1024x768", small, lambda w: lesson_step(w, 8, 1))
    shoot("lesson-landscape-1024x768", small, lambda w: lesson_step(w, 6, 3))
    shoot("main-window-1024x768", small, plots_after_a_run)
    shoot("boundary-page", big, boundary_after_a_run)
    shoot("boundary-page-1024x768", small, boundary_after_a_run)
    shoot("lesson-hidden-layer", big, lambda w: lesson_step(w, 14, 5))
    shoot("hidden-layer-graph-1024x768", small, hidden_layer_graph)
    shoot("lesson-contributions-1024x768", small, lambda w: lesson_step(w, 8, 5))
    return 0


if __name__ == "__main__":
    sys.exit(main())
