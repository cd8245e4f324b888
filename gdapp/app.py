"""Composition root: the QApplication, an error dialog for uncaught exceptions, the window.

``main()`` is the ``gdapp`` gui-script entry point; ``python -m gdapp`` and ``python main.py``
call it too.
"""

from __future__ import annotations

import os
import sys
import traceback
from types import TracebackType

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

import gdapp
from gdapp.resources import resource_path
from gdapp.ui.settings import APPLICATION, ORGANIZATION

APP_ICON = "resources/icons/gdapp.svg"
# Set to 1 by benchmarks/bench_package.py: print "shown" once the window is up, then quit.
REPORT_SHOWN_ENV = "GDAPP_REPORT_SHOWN"
USAGE = """usage: gdapp [--setup FILE | --self-test | --version | train | dataset | gradcheck
             | contributions ...]

Without arguments, opens the Gradient Descent Lab window.
  --setup FILE  open the window as a teacher's setup file describes it (dataset, settings,
                limits, hidden controls, lessons); see resources/setup-example.toml
  --self-test   open the window, drive it through a lesson, training, the graph panel and a
                plot export, check each result and exit 0 (or 1 naming what failed)
  --version     print the version and exit
  train, dataset, gradcheck, contributions
                headless subcommands; `gdapp train --help` lists their options
"""

_showing_error = False


def _on_uncaught_exception(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None
) -> None:
    """Show an uncaught exception in a dialog (and on stderr) instead of a bare traceback."""
    details = "".join(traceback.format_exception(kind, error, tb))
    sys.stderr.write(details)
    global _showing_error
    if _showing_error or QApplication.instance() is None or issubclass(kind, KeyboardInterrupt):
        return
    _showing_error = True
    try:
        box = QMessageBox(QMessageBox.Icon.Critical, "Gradient Descent Lab", "")
        box.setText("Something went wrong inside Gradient Descent Lab.")
        box.setInformativeText(
            f"{kind.__name__}: {error}\n\nYour work is still open; saving settings and "
            "restarting the app is safe. Please report this with the details below."
        )
        box.setDetailedText(details)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()
    finally:
        _showing_error = False


def take_setup_option(args: list[str]) -> tuple[str | None, list[str]]:
    """``--setup FILE`` (or ``--setup=FILE``) taken out of ``args``: (FILE or None, the rest).

    ValueError when ``--setup`` has no file after it.
    """
    rest: list[str] = []
    setup = None
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--setup":
            if index + 1 >= len(args) or args[index + 1].startswith("-"):
                raise ValueError("--setup needs the setup file after it: gdapp --setup class.toml")
            setup = args[index + 1]
            index += 2
            continue
        if arg.startswith("--setup="):
            setup = arg.removeprefix("--setup=")
            if not setup:
                raise ValueError("--setup needs the setup file after it: gdapp --setup class.toml")
        else:
            rest.append(arg)
        index += 1
    return setup, rest


def main(argv: list[str] | None = None) -> int:
    """Open the window and run the event loop; ``argv`` excludes the program name."""
    args = sys.argv[1:] if argv is None else list(argv)
    if "--help" in args or "-h" in args:
        sys.stdout.write(USAGE)
        return 0
    try:
        setup_path, args = take_setup_option(args)
    except ValueError as error:
        sys.stderr.write(f"gdapp: {error}\n")
        return 2
    if "--version" in args:
        sys.stdout.write(f"Gradient Descent Lab {gdapp.__version__}\n")
        return 0
    if "--self-test" in args:
        from gdapp.selftest import run_self_test

        return run_self_test()
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "gdapp", *args])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setWindowIcon(QIcon(str(resource_path(APP_ICON))))
    sys.excepthook = _on_uncaught_exception

    from gdapp.ui.main_window import MainWindow  # after QApplication: it builds widgets

    window = MainWindow()
    app.aboutToQuit.connect(window.close)  # saves settings and joins the training thread
    window.show()
    if setup_path is not None:
        window.open_setup(setup_path)  # a file it cannot use: a message, and the usual window
    # The version is looked up in the installed metadata (~30 ms): after the first frame.
    QTimer.singleShot(0, lambda: app.setApplicationVersion(gdapp.__version__))
    if os.environ.get(REPORT_SHOWN_ENV) == "1":
        QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
    status = app.exec()
    window.close()
    shiboken6.delete(window)  # now, not in PySide6's clean-up at exit (see main_window)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
