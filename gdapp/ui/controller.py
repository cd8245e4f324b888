"""The training session: the app's single command surface and the state every panel shows.

Every click and every lesson action goes through here. ``TrainingSession`` lives on the GUI
thread; it holds the current dataset, the training configuration, the selected sample, the
running/stop state and the one copy of the history, applying each snapshot from the training
thread once, and it owns that thread. Widgets call its methods and listen to its signals; only the
``TrainingWorker`` (on its own thread) touches the core Trainer.
"""

from __future__ import annotations

import atexit
import dataclasses
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal

from gdapp.core.trainer import TrainConfig
from gdapp.datasets import Dataset, DatasetError, load_csv, load_preset
from gdapp.ui.gui_gc import GuiThreadCollector
from gdapp.ui.history import SessionHistory
from gdapp.ui.training_thread import Snapshot, TrainingData, TrainingWorker

DEFAULT_PRESET = "diabetes"
# Controllers whose thread may still run; joined at interpreter exit whatever the exit path,
# since destroying a running QThread aborts the process.
_LIVE_CONTROLLERS: weakref.WeakSet[TrainingSession] = weakref.WeakSet()
THREAD_JOIN_TIMEOUT_MS = 5000
# Fields a Trainer can take mid-run (max_epochs only while the new limit lies ahead);
# changing any other field restarts training at step 0.
LIVE_FIELDS = frozenset({"lr", "max_epochs"})

_FIELD_LABELS = {
    "model": "model",
    "fit_bias": "bias",
    "l2": "L2 penalty",
    "optimizer": "optimizer",
    "batch_size": "batch size",
    "max_epochs": "max epochs",
    "tol": "tolerance",
    "seed": "seed",
    "init": "initial weights",
    "hidden": "hidden units",
    "activation": "activation",
}


_KEEP_START = object()  # reset() without theta0: keep whatever start was set


class TrainingSession(QObject):
    """Commands for the training thread and the training state every panel shows.

    Signals: ``dataset_changed(Dataset)``, ``snapshot_ready(Snapshot)``,
    ``sample_selected(int)`` (row into ``dataset.raw`` / ``dataset.X``, -1 for none),
    ``config_changed(TrainConfig)``, ``error(str)`` (a message for the user),
    ``running_changed(bool)``, ``speed_changed(float | None)``, ``notice(str)`` (a short
    status-bar note) and ``history_changed(int)`` (the first history row that changed).

    ``history`` is the window's one copy of the training history (a ``SessionHistory``):
    emptied when the dataset changes, updated from each snapshot before ``history_changed``
    and ``snapshot_ready`` are emitted. Panels read it instead of keeping their own.
    """

    dataset_changed = Signal(object)
    snapshot_ready = Signal(object)
    sample_selected = Signal(int)
    config_changed = Signal(object)
    error = Signal(str)
    running_changed = Signal(bool)
    speed_changed = Signal(object)
    notice = Signal(str)
    history_changed = Signal(int)

    # Commands for the worker; queued because the worker lives on another thread.
    _load_requested = Signal(object, object, int)
    _step_requested = Signal(int)
    _run_requested = Signal()
    _pause_requested = Signal()
    _reset_requested = Signal(object)
    _reset_start_requested = Signal(object, object)
    _step_back_requested = Signal()
    _seek_requested = Signal(int)
    _lr_requested = Signal(float)
    _max_epochs_requested = Signal(int)
    _clear_stop_requested = Signal()
    _speed_requested = Signal(object)
    _snapshot_requested = Signal()
    _stop_requested = Signal()

    def __init__(self, config: TrainConfig | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dataset: Dataset | None = None
        self._dataset_origin: dict[str, Any] = {}
        self._config = config if config is not None else TrainConfig()
        self._last_snapshot: Snapshot | None = None
        self._selected_sample = -1
        self._speed: float | None = None
        self._running = False
        self._generation = 0
        self._commands_sent = 0
        # Through a weak reference: a cycle would leave the controller to the cyclic
        # collector, which may run on the training thread.
        request = weakref.WeakMethod(self.request_snapshot)

        def request_full() -> None:
            method = request()
            if method is not None:
                method()

        self._history = SessionHistory(request_full=request_full)

        self._thread: QThread | None = QThread()
        self._thread.setObjectName("trainingThread")
        self._worker: TrainingWorker | None = TrainingWorker()
        self._worker.moveToThread(self._thread)
        self._connect_worker(self._worker, self._thread)
        # Garbage holding Qt objects must never be collected on the training thread.
        self._collector = GuiThreadCollector(self)
        self._thread.start()
        _LIVE_CONTROLLERS.add(self)

    def _connect_worker(self, worker: TrainingWorker, thread: QThread) -> None:
        self._load_requested.connect(worker.load)
        self._step_requested.connect(worker.step)
        self._run_requested.connect(worker.run)
        self._pause_requested.connect(worker.pause)
        self._reset_requested.connect(worker.reset)
        self._reset_start_requested.connect(worker.reset_start)
        self._step_back_requested.connect(worker.step_back)
        self._seek_requested.connect(worker.seek)
        self._lr_requested.connect(worker.set_lr)
        self._max_epochs_requested.connect(worker.set_max_epochs)
        self._clear_stop_requested.connect(worker.clear_stop)
        self._speed_requested.connect(worker.set_speed)
        self._snapshot_requested.connect(worker.request_snapshot)
        self._stop_requested.connect(worker.stop)
        worker.snapshot_ready.connect(self._on_worker_snapshot_ready)
        worker.error.connect(self._on_worker_error)
        worker.notice.connect(self.notice)
        # Direct: shutdown() blocks the GUI thread in wait(), so a queued quit would never run.
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(worker.deleteLater)

    # -- state ----------------------------------------------------------------------------

    @property
    def dataset(self) -> Dataset | None:
        return self._dataset

    @property
    def dataset_origin(self) -> dict[str, Any]:
        """How to load the current dataset again: ``{"preset": name}`` or ``{"csv": path, ...}``."""
        return dict(self._dataset_origin)

    @property
    def config(self) -> TrainConfig:
        return self._config

    @property
    def last_snapshot(self) -> Snapshot | None:
        return self._last_snapshot

    @property
    def history(self) -> SessionHistory:
        """The training history as the snapshots report it (bounded; see ``SessionHistory``)."""
        return self._history

    @property
    def selected_sample(self) -> int:
        return self._selected_sample

    @property
    def commands_sent(self) -> int:
        """How many commands have gone to the training thread (any change counts one)."""
        return self._commands_sent

    @property
    def is_running(self) -> bool:
        return self._running

    @property
    def thread_running(self) -> bool:
        """True until ``shutdown()`` has stopped and joined the training thread."""
        return self._thread is not None and self._thread.isRunning()

    @property
    def speed(self) -> float | None:
        """Run speed in steps per second; None means as fast as possible."""
        return self._speed

    # -- datasets -------------------------------------------------------------------------

    def load_preset(self, name: str, config: Mapping[str, Any] | None = None) -> bool:
        """Load a bundled dataset (with ``config`` as for ``set_dataset``); on failure emit
        ``error`` and keep the current one."""
        try:
            dataset = load_preset(name)
        except DatasetError as exc:
            self.error.emit(f"Could not load the preset {name!r}: {exc}")
            return False
        self.set_dataset(dataset, {"preset": name}, config)
        return True

    def load_csv(self, path: str | Path, **options: Any) -> bool:
        """Load a CSV file on the calling thread (``options`` as for ``datasets.load_csv``).

        On failure emit ``error`` naming the problem and keep the current dataset.
        """
        try:
            dataset = load_csv(path, **options)
        except DatasetError as exc:
            self.error.emit(f"Could not open {Path(path).name}: {exc}")
            return False
        except OSError as exc:
            self.error.emit(f"Could not open {Path(path).name}: {exc.strerror or exc}")
            return False
        self.set_dataset(dataset, {"csv": str(path), **options})
        return True

    def set_dataset(
        self,
        dataset: Dataset,
        origin: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        """Make ``dataset`` current and restart training on it at step 0.

        ``origin`` says how to load it again (saved with the settings); without it, a preset
        name or the CSV options recorded in the dataset are used. ``config`` (TrainConfig
        fields) changes the settings with it: one restart, and the panels lay themselves
        out for the new dataset and settings once (``config_changed`` follows
        ``dataset_changed``), where a dataset and then a model would take two layouts.
        """
        new_config = self._config_with(config or {})
        changed = new_config != self._config
        self._config = new_config
        self._dataset = dataset
        self._dataset_origin = dict(origin) if origin is not None else _origin_of(dataset)
        self._generation += 1
        self._last_snapshot = None
        self._history.clear()
        self._set_running(False)
        has_test = len(dataset.test_idx) > 0
        data = TrainingData(
            dataset.X_train,
            dataset.y_train,
            dataset.X_test if has_test else None,
            dataset.y_test if has_test else None,
        )
        self._send(self._load_requested, data, self._config, self._generation)
        self._selected_sample = -1
        with self.hold_training():  # every panel lays itself out for the new dataset
            self.dataset_changed.emit(dataset)
            if changed:
                self.config_changed.emit(new_config)

    def select_sample(self, row: int) -> None:
        """Make ``row`` (an index into ``dataset.X``) the current sample; -1 clears it."""
        if self._dataset is None or not -1 <= row < self._dataset.n_samples:
            return
        if row != self._selected_sample:
            self._selected_sample = row
            self.sample_selected.emit(row)

    # -- configuration --------------------------------------------------------------------

    def set_config(self, **fields: Any) -> None:
        """Change training settings (``TrainConfig`` field names).

        The learning rate takes effect on the next step, even during a run, and so does a
        larger max_epochs (a run stopped at the old limit may go on); any other change
        restarts training at step 0 with the new settings and says so with ``notice``.
        """
        new = self._config_with(fields)
        changed = {name for name in fields if getattr(new, name) != getattr(self._config, name)}
        if not changed:
            return
        self._config = new
        restart = sorted(changed - LIVE_FIELDS)
        if restart and self._dataset is not None:
            self._set_running(False)
            self._send(self._reset_requested, new)
            labels = ", ".join(_FIELD_LABELS.get(name, name) for name in restart)
            self.notice.emit(f"Changed {labels}: training restarted at epoch 0.")
        elif not restart:
            if "lr" in changed:
                self._send(self._lr_requested, float(new.lr))
            if "max_epochs" in changed:
                self._send(self._max_epochs_requested, int(new.max_epochs))
        self.config_changed.emit(new)

    def _config_with(self, fields: Mapping[str, Any]) -> TrainConfig:
        """The current settings with ``fields`` changed (TypeError naming unknown ones)."""
        unknown = set(fields) - {f.name for f in dataclasses.fields(TrainConfig)}
        if unknown:
            raise TypeError(f"unknown TrainConfig field(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self._config, **fields)

    def set_speed(self, steps_per_second: float | None) -> None:
        """Limit Run to ``steps_per_second`` (1 = watch every step); None runs flat out."""
        if steps_per_second == self._speed:
            return
        self._speed = steps_per_second
        self._send(self._speed_requested, steps_per_second)
        self.speed_changed.emit(steps_per_second)

    # -- training commands ----------------------------------------------------------------

    def step(self, n: int = 1) -> None:
        """Take ``n`` steps (a run pauses first)."""
        self._set_running(False)
        self._send(self._step_requested, int(n))

    def run(self) -> None:
        """Keep stepping until Pause, divergence, convergence or max epochs."""
        if self._dataset is not None:
            self._set_running(True)
            self._send(
                self._run_requested,
            )

    def pause(self) -> None:
        """Stop a run; the worker confirms with a snapshot whose ``running`` is False."""
        self._set_running(False)
        self._send(
            self._pause_requested,
        )

    def toggle_run(self) -> None:
        """Run when paused, pause when running (the Space key)."""
        if self._running:
            self.pause()
        else:
            self.run()

    def reset(self, theta0: Any = _KEEP_START) -> None:
        """Back to step 0 with the current settings.

        ``theta0`` ((d+1,), weights then bias) makes training start from that point from now
        on; ``None`` forgets such a point, so ``config.init`` decides the start again.
        """
        self._set_running(False)
        if theta0 is _KEEP_START:
            self._send(self._reset_requested, self._config)
        else:
            start = None if theta0 is None else np.array(theta0, dtype=float)
            self._send(self._reset_start_requested, self._config, start)

    def step_back(self) -> None:
        """Undo the latest step exactly (a run pauses first)."""
        self._set_running(False)
        self._send(
            self._step_back_requested,
        )

    def seek(self, step: int) -> None:
        """Show step ``step`` of the run (the timeline): back exactly, forward by stepping."""
        self._set_running(False)
        self._send(self._seek_requested, int(step))

    def clear_stop(self) -> None:
        """Accept a divergence, convergence or max-epochs stop so stepping may go on."""
        self._send(self._clear_stop_requested)

    def request_snapshot(self) -> None:
        """Ask for a snapshot carrying the whole history (for a panel created late)."""
        self._send(
            self._snapshot_requested,
        )

    @contextmanager
    def hold_training(self) -> Iterator[None]:
        """Keep a run waiting between two steps while the GUI thread does a burst of work.

        Drawing on the GUI thread makes many short calls into Qt; each one has to win the
        GIL back from the training loop, so a frame drawn during a run can take many times
        longer than one drawn at rest. Holding the run for the frame avoids that.
        """
        worker = self._worker
        if worker is None:
            yield
            return
        worker.hold()
        try:
            yield
        finally:
            worker.release()

    def defer_to_gui(self, seconds: float) -> None:
        """During a run, let the GUI thread have the next ``seconds`` (0: give them back).

        Cheap enough to call for every event the GUI thread handles (see ``BusyHold``).
        """
        worker = self._worker
        if worker is not None and self._running:
            worker.defer_to_gui(seconds)

    def shutdown(self) -> None:
        """Stop training and join the thread; safe to call more than once."""
        thread, worker = self._thread, self._worker
        if thread is None or worker is None:
            return
        self._thread = self._worker = None
        self._set_running(False)
        self._send(
            self._stop_requested,
        )
        if not thread.wait(THREAD_JOIN_TIMEOUT_MS):
            # The worker checks for commands every few milliseconds, so this means a bug.
            raise RuntimeError("the training thread did not stop within 5 s")
        thread.deleteLater()
        self._collector.stop()

    # -- worker replies -------------------------------------------------------------------

    def _on_worker_snapshot_ready(self, snapshot: Snapshot) -> None:
        if self._worker is not None:
            self._worker.acknowledge()
        if snapshot.generation != self._generation:
            return  # from a trainer that a newer dataset replaced
        self._last_snapshot = snapshot
        if snapshot.commands_seen == self._commands_sent:
            # Older snapshots may predate a Run or Pause still in the queue.
            self._set_running(snapshot.running)
        self._history.apply(snapshot)
        if self._history.changed_from >= 0:
            self.history_changed.emit(self._history.changed_from)
        self.snapshot_ready.emit(snapshot)

    def _on_worker_error(self, message: str) -> None:
        self._set_running(False)
        self.error.emit(message)

    def _send(self, command: Any, *args: Any) -> None:
        self._commands_sent += 1
        command.emit(*args)

    def _set_running(self, running: bool) -> None:
        if running != self._running:
            self._running = running
            self.running_changed.emit(running)


def _origin_of(dataset: Dataset) -> dict[str, Any]:
    """How to load ``dataset`` again, from what it records about itself."""
    from gdapp.datasets import PRESETS

    if dataset.source in PRESETS:
        return {"preset": dataset.source}
    n = dataset.n_samples
    return {
        "csv": dataset.source,
        "label": dataset.label_name,
        "features": list(dataset.feature_names),
        "positive": dataset.positive_label,
        "scale": dataset.scaler.kind,
        "test_fraction": round(len(dataset.test_idx) / n, 4) if n else 0.2,
    }


@atexit.register
def _shut_down_live_controllers() -> None:
    for controller in list(_LIVE_CONTROLLERS):
        controller.shutdown()
