"""The window's File ▸ Export commands: pictures, tables and the run as code.

``WindowExports(window)`` holds one method per export. Each takes a ``path`` or, without one,
asks for it with a save dialog (a default name after the dataset, a filter per format); it
reports "Saved …" in the status bar, or opens the window's ``errorDialog`` naming the file
and the problem. Nothing raises into the event loop.

Formats go by the path's suffix: ``.png`` or ``.svg`` for the plots, the computation graph
and the cost landscape; ``.csv`` or ``.json`` for the weights. SVG comes from pyqtgraph's
``SVGExporter`` (it fails with Qt >= 6.11, pyqtgraph#3485, hence the pin below 6.11).

The plots and the weights are written at once (``export_plot`` and ``export_weights``
return True or False). The other exports can take over 0.1 s: the graph's and the
landscape's large PNGs to encode, the history CSV (a long history has 10⁶ cells to format),
the script and the notebook (which load the data file again to check it). Their inputs are
drawn or copied on the GUI thread, and the file is encoded and written on an
``ExportJob``'s own thread. Those methods return the job (None when refused before it
started): its ``finished(job)`` signal fires on the GUI thread once the thread has been
joined, and then ``done``, ``ok``, ``path`` and ``message`` say how it went.
"""

from __future__ import annotations

import atexit
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QEventLoop,
    QIODevice,
    QObject,
    QPoint,
    QStandardPaths,
    Qt,
    QThread,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from gdapp.core.trainer import TrainConfig, initial_theta, model_for
from gdapp.exports import ExportError  # the writers are imported where they are used
from gdapp.ui.settings import make_settings
from gdapp.ui.status_bar import NOTICE_TIMEOUT_MS

if TYPE_CHECKING:
    from gdapp.ui.main_window import MainWindow

EXPORT_SCALE = 2  # exported plot images have twice the on-screen resolution
MIN_PLOT_EXPORT_PX = 400  # narrowest exported plot image, before the scale
JOIN_TIMEOUT_MS = 10_000  # how long shutdown() waits for a file being written
FOLDER_KEY = "export/folder"  # where the last export went: the next dialog starts there
SVG_MAX_MARKERS = 50  # a scatter of more points is left out of an SVG (see plot_svg)
LANDSCAPE_WAIT_MS = 5_000  # an export waits this long for a picture being computed
# Menu entries of the plots: (key for export_plot, menu text, file name stem).
PLOT_EXPORTS = (
    ("loss", "&Loss plot…", "loss-plot"),
    ("accuracy", "&Accuracy plot…", "accuracy-plot"),
    ("weights", "&Weights plot…", "weights-plot"),
    ("current weights", "Weight &bars…", "weight-bars"),
    (None, "All &plots…", "plots"),
)
PLOT_ALIASES = {"bars": "current weights"}
_NO_INPUT = QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents
IMAGE_FILTERS = {".png": "PNG image (*.png)", ".svg": "SVG drawing (*.svg)"}
# pyqtgraph is imported where a picture is made, after PySide6 (so that it uses it), and not
# when the window starts.
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

# Every started job stays referenced here until its thread has finished, so a job whose
# window went away never drops a running QThread (Qt aborts on that).
_RUNNING: dict[int, ExportJob] = {}


class _Worker(QObject):
    """Runs one task on the job's thread; never touches a widget."""

    result = Signal(object)  # None when it worked, else the message
    done = Signal()

    def __init__(self, task: Callable[[], Any]) -> None:
        super().__init__()
        self._task = task

    @Slot()
    def run(self) -> None:
        try:
            self._task()
        except ExportError as error:
            self.result.emit(str(error))
        except OSError as error:
            self.result.emit(error.strerror or str(error))
        except Exception as error:  # every failure becomes a message, never a crash
            self.result.emit(f"{type(error).__name__}: {error}")
        else:
            self.result.emit(None)
        finally:
            self.done.emit()


class ExportJob(QObject):
    """One file written on a thread of its own.

    ``finished(job)`` is emitted on the GUI thread after the thread has been joined; then
    ``done`` is True, ``ok`` says whether the file was written and ``message`` is the
    status-bar text ("Saved …") or the problem.
    """

    finished = Signal(object)

    def __init__(self, path: Path, what: str, task: Callable[[], Any]) -> None:
        super().__init__()
        self.path = path
        self.what = what
        self.done = False
        self.ok = False
        self.message = ""
        self.note = ""  # added to "Saved …" (a downsampled history says so)
        self.prefix = ""  # put before it (an SVG that became a PNG says so)
        self._problem: str | None = "the export stopped before it finished"
        self._thread = QThread()
        self._thread.setObjectName("exportThread")
        self._worker = _Worker(task)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.result.connect(self._on_worker_result)
        # Direct: shutdown() blocks the GUI thread in wait(), so a queued quit would never run.
        self._worker.done.connect(self._thread.quit, Qt.ConnectionType.DirectConnection)
        self._thread.finished.connect(self._on_thread_finished)

    def start(self) -> None:
        _RUNNING[id(self)] = self
        self._thread.start()

    def wait(self, timeout_ms: int = JOIN_TIMEOUT_MS) -> bool:
        """Block until the thread ends; True if it did (``finished`` still comes as an event)."""
        return self._thread.wait(timeout_ms)

    @Slot(object)
    def _on_worker_result(self, problem: str | None) -> None:
        self._problem = problem

    @Slot()
    def _on_thread_finished(self) -> None:
        self._thread.wait()
        self.done = True
        self.ok = self._problem is None
        if self.ok:
            self.message = f"{self.prefix}Saved {self.path}{self.note}"
        else:
            self.message = f"Could not save {self.what} as {self.path.name}: {self._problem}"
        self.finished.emit(self)
        # Dropped on the next turn of the event loop, not inside its own thread's slot.
        key = id(self)
        QTimer.singleShot(0, lambda: _RUNNING.pop(key, None))


class WindowExports(QObject):
    """The window's export commands; see the module docstring for what each returns."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._jobs: list[ExportJob] = []

    # -- pictures -------------------------------------------------------------------------

    def export_plot(self, key: str | None, path: str | os.PathLike[str] | None = None) -> bool:
        """One plot (a ``PlotsPanel.views`` key, or "bars") or all of them (None), PNG or SVG."""
        import pyqtgraph.exporters

        key = PLOT_ALIASES.get(key, key) if key is not None else None
        stem = next(s for k, _text, s in PLOT_EXPORTS if k == key)
        title = "all plots" if key is None else f"the {key} plot"
        target = self._target(path, f"Export {title}", stem, IMAGE_FILTERS)
        if target is None:
            return False
        window = self._window
        panel = window.plots_panel
        window.show_page("plots")  # a hidden panel does not draw; the export shows it drawn
        panel.redraw()
        if target.suffix == ".svg":
            try:
                if key is None:
                    offsets = {k: v.mapTo(panel, QPoint(0, 0)) for k, v in panel.views.items()}
                    parts = []
                    for k, view in panel.views.items():
                        parts.append((plot_svg(view.ci), offsets[k].x(), offsets[k].y()))
                        # A plot takes up to ~100 ms to write out; paints and timers run
                        # between two (user input waits, so no command can interleave).
                        QCoreApplication.processEvents(_NO_INPUT)
                    data = combine_svgs(parts, panel.width(), panel.height())
                else:
                    data = plot_svg(panel.views[key].ci)
            except SvgUnavailableError as error:
                target, data, note = target.with_suffix(".png"), None, str(error)
            else:
                note = ""
        else:
            data, note = None, ""
        if data is None and key is None:
            data = png_bytes(panel.grab().toImage())
        elif data is None:
            view = panel.views[key]
            exporter = pyqtgraph.exporters.ImageExporter(view.ci)  # the plot and its legend
            exporter.parameters()["width"] = max(view.width(), MIN_PLOT_EXPORT_PX) * EXPORT_SCALE
            exporter.parameters()["antialias"] = True
            data = png_bytes(exporter.export(toBytes=True))
        return self._write_now(target, title, data, note)

    def export_graph(self, path: str | os.PathLike[str] | None = None) -> ExportJob | None:
        """The computation graph as shown (with caption and legend), PNG or SVG.

        Drawn now; the PNG's encoding (~0.1 s for a large graph) and the writing happen on
        the returned job's thread.
        """
        window = self._window
        panel = window.graph_panel
        stem = f"graph-{panel.current_view()}"
        target = self._target(path, "Export the computation graph", stem, IMAGE_FILTERS)
        if target is None:
            return None
        window.show_page("graph")
        picture = panel.composed_svg() if target.suffix == ".svg" else panel.composed_image()
        return self._start(target, "the computation graph", _writer(target, picture), "")

    def export_landscape(self, path: str | os.PathLike[str] | None = None) -> ExportJob | None:
        """The cost landscape as shown (slice or contour, with the paths), PNG or SVG.

        A picture still being computed is waited for (the event loop keeps running) for at
        most ``LANDSCAPE_WAIT_MS``; the file is encoded and written on the returned job's
        thread.
        """
        import pyqtgraph as pg
        import pyqtgraph.exporters

        window = self._window
        panel = window.landscape_panel
        stem = f"landscape-{panel.mode}"
        target = self._target(path, "Export the cost landscape", stem, IMAGE_FILTERS)
        if target is None:
            return None
        window.show_page("landscape")
        panel.wait_until_idle(LANDSCAPE_WAIT_MS)
        name = "landscapeSlicePlot" if panel.mode == "slice" else "landscapeContourPlot"
        plot = panel.findChild(pg.PlotWidget, name)
        if plot is None:  # the panel's layout changed: say so rather than fail
            self._report(target, "the cost landscape", f"no plot named {name} to draw")
            return None
        picture: bytes | QImage | None = None
        note = ""
        if target.suffix == ".svg":
            try:
                picture = plot_svg(plot.getPlotItem())
            except SvgUnavailableError as error:
                target, note = target.with_suffix(".png"), str(error)
        if picture is None:
            exporter = pyqtgraph.exporters.ImageExporter(plot.getPlotItem())
            exporter.parameters()["width"] = max(plot.width(), MIN_PLOT_EXPORT_PX) * EXPORT_SCALE
            exporter.parameters()["antialias"] = True
            picture = exporter.export(toBytes=True)
        return self._start(target, "the cost landscape", _writer(target, picture), "", note)

    # -- tables ---------------------------------------------------------------------------

    def export_weights(self, path: str | os.PathLike[str] | None = None) -> bool:
        """The current weights and bias: CSV (``parameter,value``) or JSON, by the suffix."""
        controller = self._window.controller
        snapshot, dataset = controller.last_snapshot, controller.dataset
        filters = {".csv": "CSV table (*.csv)", ".json": "JSON file (*.json)"}
        target = self._target(path, "Export the weights", "weights", filters)
        if target is None:
            return False
        if snapshot is None or dataset is None:
            return self._report(target, "the weights", "training has not started yet")
        names = _parameter_names(snapshot.config, dataset.feature_names)
        from gdapp.exports import write_weights_csv, write_weights_json

        try:
            if target.suffix == ".json":
                write_weights_json(
                    target,
                    dataset.feature_names,
                    snapshot.theta,
                    config=controller.config,
                    dataset_origin=controller.dataset_origin,
                    parameter_names=names,
                )
            else:
                write_weights_csv(
                    target, dataset.feature_names, snapshot.theta, parameter_names=names
                )
        except ExportError as error:
            return self._report(target, "the weights", str(error))
        return self._report(target, "the weights", None)

    def export_history(self, path: str | os.PathLike[str] | None = None) -> ExportJob | None:
        """The history as CSV, one row per step held (see ``SessionHistory``); returns the job.

        A long run's history holds the recent steps in full and the older ones at a stride;
        the dialog's title and the status bar say so.
        """
        controller = self._window.controller
        history, dataset = controller.history, controller.dataset
        held, total = history.point_count, history.total_rows
        note = ""
        if 0 < held < total:
            note = (
                f" ({held:,} of {total:,} steps held: one in {history.stride:,} of the older "
                f"steps, every one of the latest {history.recent_count:,})"
            )
        title = "Export the history" + (note and f" — downsampled{note}")
        target = self._target(path, title, "history", {".csv": "CSV table (*.csv)"})
        if target is None:
            return None
        if dataset is None or held == 0:
            self._report(target, "the history", "training has not started yet")
            return None
        rows: dict[str, Any] = {
            name: np.array(history.column(name))
            for name in ("epoch", "train_loss", "test_loss", "train_acc", "test_acc", "lr")
        }
        rows["step"] = np.array(history.column("step"), dtype=np.int64)
        rows["theta"] = np.array(history.theta())
        if not history.has_test:
            rows["test_loss"] = rows["test_acc"] = None
        features = list(dataset.feature_names)
        params = _parameter_names(controller.config, features)
        from gdapp.exports import write_history_csv

        job = self._start(
            target,
            "the history",
            lambda: write_history_csv(target, features, rows, parameter_names=params),
            note,
        )
        return job

    # -- the run as code ------------------------------------------------------------------

    def export_script(self, path: str | os.PathLike[str] | None = None) -> ExportJob | None:
        """The run as a Python script (numpy + pandas); returns the job, None if refused."""
        return self._export_code(path, "script")

    def export_notebook(self, path: str | os.PathLike[str] | None = None) -> ExportJob | None:
        """The run as a Jupyter notebook; returns the job, None if refused."""
        return self._export_code(path, "notebook")

    def _export_code(self, path: str | os.PathLike[str] | None, kind: str) -> ExportJob | None:
        what = "the run as a script" if kind == "script" else "the run as a notebook"
        suffix, label = (".py", "Python script") if kind == "script" else (".ipynb", "Notebook")
        target = self._target(path, f"Export {what}", "run", {suffix: f"{label} (*{suffix})"})
        if target is None:
            return None
        try:
            run = self._run_inputs()
        except ExportError as error:
            self._report(target, what, str(error))
            return None
        from gdapp.exports import write_notebook, write_script

        write = write_script if kind == "script" else write_notebook
        origin, config, steps, changes, start, dataset = run

        def task() -> None:
            write(target, origin, config, steps, changes, start=start, dataset=dataset)

        return self._start(target, what, task, f" (the run's {steps:,} steps)")

    def _run_inputs(self) -> tuple:
        """What ``write_script`` needs, copied now; ExportError when it cannot be repeated."""
        controller = self._window.controller
        snapshot, dataset, history = (
            controller.last_snapshot,
            controller.dataset,
            controller.history,
        )
        if snapshot is None or dataset is None:
            raise ExportError("training has not started yet")
        config = controller.config
        fixed = [
            name
            for name in ("model", "fit_bias", "l2", "optimizer", "batch_size", "seed", "init")
            if getattr(snapshot.config, name) != getattr(config, name)
        ]
        if fixed:
            raise ExportError("training is restarting with the new settings; try again")
        steps = int(snapshot.step_count)
        if history.total_rows != steps + 1:
            raise ExportError("the history is still catching up with training; try again")
        if history.point_count < history.total_rows:
            raise ExportError(
                f"this run is {steps:,} steps long and the window keeps only "
                f"{history.point_count:,} of them, so the learning rate of every step cannot "
                "be read back; a script could print another final loss. Reset and train "
                "fewer steps, or use `gdapp train --export-script` for long runs"
            )
        from gdapp.exports import lr_changes_from_history

        changes = lr_changes_from_history(np.array(history.column("lr")))
        first = history.row_at(0)
        start = None
        if first is not None:
            theta0 = np.array(first["theta"])
            if not np.array_equal(theta0, initial_theta(config, dataset.n_features)):
                start = theta0  # training was started from a chosen point
        return controller.dataset_origin, config, steps, changes, start, dataset

    # -- jobs -----------------------------------------------------------------------------

    @property
    def jobs(self) -> list[ExportJob]:
        """Jobs started and not finished yet."""
        return list(self._jobs)

    def shutdown(self) -> None:
        """Wait for the files being written (call before the window goes away)."""
        for job in list(self._jobs):
            job.wait(JOIN_TIMEOUT_MS)

    def _start(
        self, target: Path, what: str, task: Callable[[], Any], note: str, prefix: str = ""
    ) -> ExportJob | None:
        problem = unwritable(target)
        if problem is not None:
            self._report(target, what, problem)
            return None
        job = ExportJob(target, what, task)
        job.note, job.prefix = note, prefix
        job.finished.connect(self._on_job_finished)
        self._jobs.append(job)
        self._status(f"Writing {target.name}…", 0)
        job.start()
        return job

    @Slot(object)
    def _on_job_finished(self, job: ExportJob) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        if job.ok:
            self._status(job.message, NOTICE_TIMEOUT_MS)
        else:
            self._status("", 0)
            self._window._show_error(job.message)

    # -- paths, files and messages --------------------------------------------------------

    def _target(
        self, path: str | os.PathLike[str] | None, title: str, stem: str, filters: dict[str, str]
    ) -> Path | None:
        """The file to write: ``path`` or the user's choice; the suffix picks the format."""
        if path is None:
            dataset = self._window.controller.dataset
            name = f"{dataset.name}-{stem}" if dataset is not None else stem
            name = re.sub(r"[^\w.-]+", "-", name) + next(iter(filters))
            start = str(self._folder() / name)
            chosen, selected = QFileDialog.getSaveFileName(
                self._window, title, start, ";;".join(filters.values())
            )
            if not chosen:
                return None
            target = Path(chosen)
            self._settings_folder(target.parent)
            fallback = next((s for s, f in filters.items() if f == selected), next(iter(filters)))
        else:
            target = Path(path)
            fallback = next(iter(filters))
        if target.suffix.lower() not in filters:
            target = target.with_name(target.name + fallback)
        return target.with_suffix(target.suffix.lower())

    def _folder(self) -> Path:
        saved = make_settings().value(FOLDER_KEY, "")
        if saved and Path(str(saved)).is_dir():
            return Path(str(saved))
        kind = QStandardPaths.StandardLocation.DocumentsLocation
        found = QStandardPaths.writableLocation(kind)
        return Path(found) if found and Path(found).is_dir() else Path.home()

    def _settings_folder(self, folder: Path) -> None:
        settings = make_settings()
        settings.setValue(FOLDER_KEY, str(folder))
        settings.sync()

    def _write_now(self, target: Path, what: str, data: bytes, note: str = "") -> bool:
        problem = unwritable(target)
        if problem is None:
            try:
                target.write_bytes(data)
            except OSError as error:
                problem = error.strerror or str(error)
        return self._report(target, what, problem, note)

    def _report(self, target: Path, what: str, problem: str | None, note: str = "") -> bool:
        if problem is None:
            self._status(f"{note}Saved {target}", NOTICE_TIMEOUT_MS)
            return True
        self._window._show_error(f"Could not save {what} as {target.name}: {problem}")
        return False

    def _status(self, text: str, timeout_ms: int) -> None:
        bar = self._window.statusBar()
        if text:
            bar.showMessage(text, timeout_ms)
        else:
            bar.clearMessage()


# -- helpers (no window needed) ---------------------------------------------------------------


def unwritable(path: Path) -> str | None:
    """Why ``path`` cannot be written, in words, or None when it looks writable."""
    folder = path.parent
    if not folder.exists():
        return f"there is no folder {folder}"
    if not folder.is_dir():
        return f"{folder} is a file, not a folder"
    if path.is_dir():
        return f"{path} is a folder"
    if not os.access(folder, os.W_OK) and not path.exists():
        return f"the folder {folder} is not writable"
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path.name} is read-only"
    return None


def _writer(path: Path, picture: bytes | QImage) -> Callable[[], None]:
    """A task writing ``picture`` to ``path``: bytes as they are, an image encoded as PNG.

    The task runs on a job's thread: a QImage may be encoded there once no other thread
    paints on it (the window keeps no reference).
    """

    def write() -> None:
        path.write_bytes(picture if isinstance(picture, bytes) else png_bytes(picture))

    return write


def png_bytes(image: QImage) -> bytes:
    """``image`` encoded as PNG."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


class SvgUnavailableError(Exception):
    """pyqtgraph could not make an SVG document here; the message says so for the status bar."""


SVG_UNAVAILABLE = (
    "SVG drawings cannot be made with this Qt version (pyqtgraph#3485), so a PNG image was "
    "saved instead. "
)


def plot_svg(item: Any) -> bytes:
    """A pyqtgraph item (a PlotItem or a layout) and its children as an SVG document.

    Raises ``SvgUnavailableError`` when the exporter fails or writes no well-formed SVG (as
    with Qt >= 6.11, pyqtgraph#3485).

    Curves thicker than 1 px are drawn as one line per segment on screen (pyqtgraph's
    segmented-line mode, faster to paint); for the file each becomes one polyline.
    """
    import pyqtgraph as pg
    import pyqtgraph.exporters

    items = item.scene().items()
    curves = [i for i in items if isinstance(i, pg.PlotCurveItem)]
    modes = [curve.opts["segmentedLineMode"] for curve in curves]
    for curve in curves:
        curve.setSegmentedLineMode("off")
    # The exporter writes each marker as an element of its own (about 0.4 ms each): the dots
    # along a long descent path are left out, its line and the start and end markers stay.
    crowded = [
        i
        for i in items
        if isinstance(i, pg.ScatterPlotItem) and i.isVisible() and len(i.data) > SVG_MAX_MARKERS
    ]
    for scatter in crowded:
        scatter.setVisible(False)
    try:
        data = bytes(pyqtgraph.exporters.SVGExporter(item).export(toBytes=True))
        if ET.fromstring(data).tag != f"{{{SVG_NS}}}svg":
            raise ValueError("the document is not SVG")
    except Exception as error:  # the exporter's failures vary with the Qt version
        raise SvgUnavailableError(SVG_UNAVAILABLE) from error
    finally:
        for curve, mode in zip(curves, modes, strict=True):
            curve.setSegmentedLineMode(mode)
        for scatter in crowded:
            scatter.setVisible(True)
    return data


_URL_REF = re.compile(r"url\(#")


def combine_svgs(parts: list[tuple[bytes, float, float]], width: float, height: float) -> bytes:
    """One SVG holding each ``(document, x, y)`` of ``parts`` at its place, ids kept apart."""
    root = ET.Element(
        f"{{{SVG_NS}}}svg",
        {"version": "1.1", "width": f"{width:g}", "height": f"{height:g}",
         "viewBox": f"0 0 {width:g} {height:g}"},
    )  # fmt: skip
    for index, (document, x, y) in enumerate(parts):
        part = ET.fromstring(document)
        prefix = f"p{index}_"
        for element in part.iter():
            for name, value in list(element.attrib.items()):
                if name == "id":
                    element.set(name, prefix + value)
                elif "url(#" in value:
                    element.set(name, _URL_REF.sub(f"url(#{prefix}", value))
                elif name == f"{{{XLINK_NS}}}href" and value.startswith("#"):
                    element.set(name, "#" + prefix + value[1:])
        view_box = (part.get("viewBox") or "").split()
        part.set("x", f"{x:g}")
        part.set("y", f"{y:g}")
        if len(view_box) == 4:
            part.set("width", view_box[2])
            part.set("height", view_box[3])
        root.append(part)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


@atexit.register
def _join_running_jobs() -> None:
    for job in list(_RUNNING.values()):
        job.wait(JOIN_TIMEOUT_MS)


def _parameter_names(config: TrainConfig, feature_names) -> list[str] | None:
    """A hidden layer's parameter names for the tables; None keeps the linear columns."""
    if config.model != "mlp":
        return None
    return model_for(config).param_names(list(feature_names))
