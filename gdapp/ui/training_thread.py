"""The training worker: owns the core Trainer on its own thread and reports snapshots.

The GUI never touches the Trainer. ``TrainingSession`` moves a ``TrainingWorker`` to a
``QThread`` and sends it commands through queued signals; the worker answers with
``Snapshot`` copies (see ``snapshot.py``). During Run the worker steps in short chunks
driven by a zero-interval timer, so the thread's event loop delivers Pause (or any other
command) between chunks, well within ``CHUNK_BUDGET_S``. Between batches of
``STEPS_PER_CHECK`` steps it also waits while the GUI thread holds it (``hold()``), which
the plots do while a frame is drawn.

During a run snapshots are batched to at most ``1 / SNAPSHOT_INTERVAL_S`` per second, and
no more than ``MAX_SNAPSHOTS_IN_FLIGHT`` wait unread in the GUI thread's queue: a busy GUI
slows the reporting, never the training, and the queue cannot grow without bound.

The Trainer keeps the parameters of its latest steps only (older ones are recomputed from
checkpoints), so the worker copies each new step's parameters as the steps are taken and
holds them until a snapshot sends them (``_UnsentRows``). A snapshot that resends older
rows (``request_snapshot``, after a reset it is all of them) has the Trainer recompute
their parameters, about one step's work per row.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from gdapp.core.trainer import Status, TrainConfig, Trainer
from gdapp.ui.snapshot import ROW_KEYS, Snapshot, TrainingData

__all__ = ["ROW_KEYS", "Snapshot", "TrainingData", "TrainingWorker"]

SNAPSHOT_INTERVAL_S = 1 / 40  # at most 40 snapshots per second during a run
CHUNK_BUDGET_S = 0.008  # stepping time before the event loop gets a turn (Pause latency)
STEPS_PER_CHECK = 16  # steps between two looks at the clock and at a hold from the GUI
PACED_TICK_MS = 5  # timer period when a speed limit is set
MAX_SNAPSHOTS_IN_FLIGHT = 2  # snapshots emitted but not yet read by the GUI thread
RATE_WINDOW_S = 0.5  # window over which steps per second are measured
HOLD_TIMEOUT_S = 0.25  # longest a hold from the GUI thread can stall a step (a safety net)
BUSY_WAIT_MAX_S = 0.005  # longest a batch waits for a busy GUI thread (see ``defer_to_gui``)


class _UnsentRows:
    """Parameter rows ``start..stop-1`` taken but not yet sent, ``(rows, d+1)``."""

    def __init__(self) -> None:
        self.start = 0
        self._rows = np.empty((0, 0))
        self._n = 0

    @property
    def stop(self) -> int:
        return self.start + self._n

    def clear(self, start: int) -> None:
        """Forget every row; the next one added is row ``start``."""
        self.start, self._n = start, 0

    def extend(self, rows: np.ndarray) -> None:
        count = rows.shape[0]
        if self._n + count > self._rows.shape[0] or self._rows.shape[1] != rows.shape[1]:
            grown = np.empty((max(2 * (self._n + count), 64), rows.shape[1]))
            if self._rows.shape[1] == rows.shape[1]:
                grown[: self._n] = self._rows[: self._n]
            self._rows = grown
        self._rows[self._n : self._n + count] = rows
        self._n += count

    def truncate(self, stop: int) -> None:
        """Keep the rows below ``stop``; the next row added is then row ``min(stop, self.stop)``."""
        if stop <= self.start:
            self.start, self._n = stop, 0
        else:
            self._n = min(self._n, stop - self.start)

    def since(self, first: int) -> np.ndarray:
        """A copy of rows ``first..stop-1`` (``first >= start``)."""
        return self._rows[first - self.start : self._n].copy()


class TrainingWorker(QObject):
    """Owns a Trainer; every public slot is a command sent from the GUI thread.

    Signals: ``snapshot_ready(Snapshot)``, ``error(str)`` (a user-facing message),
    ``notice(str)`` (a status-bar note) and ``finished()`` once ``stop()`` has run (the thread
    may then quit).
    """

    snapshot_ready = Signal(object)
    error = Signal(str)
    notice = Signal(str)
    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._trainer: Trainer | None = None
        self._generation = 0
        self._commands_seen = 0  # commands are delivered in the order they were sent
        self._running = False
        self._speed: float | None = None  # steps per second; None = as fast as possible
        self._dirty_from = 0  # lowest history row that changed since the last snapshot
        self._unsent = _UnsentRows()
        self._last_emit = 0.0
        self._in_flight = 0
        self._in_flight_lock = threading.Lock()
        self._holds = 0
        self._holds_lock = threading.Lock()
        self._not_held = threading.Event()
        self._not_held.set()
        self._gui_busy_until = 0.0  # perf_counter time; see defer_to_gui
        self._pace_start = 0.0
        self._pace_done = 0
        self._rate_marks: list[tuple[float, int]] = []
        # A child timer moves to the worker's thread with it.
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)

    # -- called from the GUI thread -------------------------------------------------------

    def hold(self) -> None:
        """Make the run wait between steps until ``release()``. Thread-safe.

        The GUI thread holds the run while it draws: both threads need the GIL, and a
        drawing pass makes hundreds of calls into Qt, each of which would otherwise wait for
        the training loop to give the GIL back.
        """
        with self._holds_lock:
            self._holds += 1
            self._not_held.clear()

    def release(self) -> None:
        """End one ``hold()``. Thread-safe."""
        with self._holds_lock:
            self._holds = max(0, self._holds - 1)
            if self._holds == 0:
                self._not_held.set()

    def _wait_while_held(self) -> None:
        """Wait while the GUI thread holds the run, at most HOLD_TIMEOUT_S: before each
        batch of a run's steps, and before a command's work (a new Trainer, steps, a
        snapshot). A lesson step or a new dataset sends its commands while it lays the
        window out, and building a Trainer then would make each of the GUI thread's calls
        into Python wait for the GIL."""
        if not self._not_held.is_set():
            self._not_held.wait(HOLD_TIMEOUT_S)

    def defer_to_gui(self, seconds: float) -> None:
        """Let the GUI thread have the next ``seconds`` (0 gives the time back). Thread-safe.

        Before each batch of steps a run waits until then, at most ``BUSY_WAIT_MAX_S`` per
        batch, so a GUI thread that is always busy slows the run but never stops it. The GUI
        thread calls this for every event it handles: a handler or a frame then has the GIL
        and the CPU to itself, and once the GUI thread sleeps the run goes on at full speed.
        """
        self._gui_busy_until = time.perf_counter() + seconds if seconds > 0 else 0.0

    def acknowledge(self) -> None:
        """Mark one snapshot as read. Thread-safe: the receiver calls it directly."""
        with self._in_flight_lock:
            self._in_flight = max(0, self._in_flight - 1)

    # -- commands (queued slots, run on the worker's thread) ------------------------------

    @Slot(object, object, int)
    def load(self, data: TrainingData, config: TrainConfig, generation: int) -> None:
        """Build a new Trainer for ``data`` and report its step-0 state."""
        self._commands_seen += 1
        self._wait_while_held()
        self._stop_running()
        try:
            self._trainer = Trainer(data.X_train, data.y_train, data.X_test, data.y_test, config)
        except (ValueError, TypeError) as exc:
            self._trainer = None
            self.error.emit(f"Could not set up training: {exc}")
            return
        self._generation = generation
        self._restart_rows()
        self._emit_snapshot()

    @Slot(int)
    def step(self, n: int = 1) -> None:
        """Take ``n`` optimizer steps (pausing a run first)."""
        self._commands_seen += 1
        self._wait_while_held()
        if self._trainer is None:
            return
        self._stop_running()
        for _ in range(max(1, n)):
            if not self._guarded_steps(1):
                break
        self._emit_snapshot()

    @Slot()
    def run(self) -> None:
        """Start stepping until paused, stopped, diverged, converged or out of epochs."""
        self._commands_seen += 1
        trainer = self._trainer
        if trainer is None or self._running:
            return
        if trainer.status != Status.READY:
            self._emit_snapshot()  # re-announce the stop reason
            return
        self._running = True
        self._start_pacing()
        self._rate_marks = [(time.perf_counter(), trainer.step_count)]
        self._timer.start(self._tick_interval_ms())
        self._emit_snapshot()

    @Slot()
    def pause(self) -> None:
        """Stop a run after the current chunk and report where it stopped."""
        self._commands_seen += 1
        if self._running:
            self._stop_running()
            self._emit_snapshot()

    @Slot(object)
    def reset(self, config: TrainConfig | None = None) -> None:
        """Return to step 0, optionally with a new configuration."""
        self._reset_from(config, None)

    def _reset_from(self, config: TrainConfig | None, theta0: np.ndarray | None) -> None:
        self._commands_seen += 1
        self._wait_while_held()
        if self._trainer is None:
            return
        self._stop_running()
        try:
            self._trainer.reset(config, theta0)
        except (ValueError, TypeError) as exc:
            self.error.emit(f"Could not reset training: {exc}")
            return
        self._restart_rows()
        self._emit_snapshot()

    @Slot(object, object)
    def reset_start(self, config: TrainConfig, theta0: np.ndarray | None) -> None:
        """Return to step 0 from ``theta0`` ((d+1,)), or from ``config.init`` when None."""
        if self._trainer is not None and theta0 is None:
            self._trainer.clear_start()
        self._reset_from(config, theta0)

    @Slot()
    def step_back(self) -> None:
        """Undo the latest step (pausing a run first)."""
        self._commands_seen += 1
        self._wait_while_held()
        if self._trainer is None:
            return
        self._stop_running()
        if self._trainer.step_back():
            last = self._trainer.step_count
            self._dirty_from = min(self._dirty_from, last)
            self._unsent.truncate(last + 1)
        self._emit_snapshot()

    @Slot(int)
    def seek(self, step: int) -> None:
        """Put the run at ``step`` (pausing first): back bit for bit, or forward by stepping.

        Going back forgets the later steps, as step back does; going forward takes the steps
        again with the settings in force now (a fork, when they were changed).
        """
        self._commands_seen += 1
        self._wait_while_held()
        trainer = self._trainer
        if trainer is None:
            return
        self._stop_running()
        step = max(0, int(step))
        if step < trainer.step_count or trainer.status is not Status.READY:
            trainer.rewind(min(step, trainer.step_count))
            last = trainer.step_count
            self._dirty_from = min(self._dirty_from, last)
            self._unsent.truncate(last + 1)
        for _ in range(step - trainer.step_count):
            if not self._guarded_steps(1):
                break
        self._emit_snapshot()

    @Slot(float)
    def set_lr(self, lr: float) -> None:
        """Use ``lr`` from the next step on; a run keeps going."""
        self._commands_seen += 1
        if self._trainer is None:
            return
        try:
            self._trainer.set_lr(lr)
        except ValueError as exc:
            self.error.emit(f"Learning rate not accepted: {exc}")

    @Slot(int)
    def set_max_epochs(self, max_epochs: int) -> None:
        """Move the epoch limit; training continues if the new limit lies ahead.

        A limit at or below the current epoch restarts training at epoch 0, since the run
        could not have reached where it is.
        """
        self._commands_seen += 1
        trainer = self._trainer
        if trainer is None:
            return
        config = replace(trainer.config, max_epochs=int(max_epochs))
        if trainer.epoch >= max_epochs:
            self._stop_running()
            trainer.reset(config)
            self._restart_rows()
            self.notice.emit(
                f"Max epochs {max_epochs:,} is not ahead of the current epoch: "
                "training restarted at epoch 0."
            )
        else:
            # Trainer reads max_epochs from its config at every step; nothing else changes.
            trainer.config = config
            if trainer.status == Status.MAX_EPOCHS:
                trainer.clear_stop()
        self._emit_snapshot()

    @Slot()
    def clear_stop(self) -> None:
        """Accept a stop (divergence, convergence, max epochs) and allow stepping again."""
        self._commands_seen += 1
        if self._trainer is not None and self._trainer.status != Status.READY:
            self._trainer.clear_stop()
            self._emit_snapshot()

    @Slot(object)
    def set_speed(self, steps_per_second: float | None) -> None:
        """Limit a run to ``steps_per_second`` (None: as fast as possible)."""
        self._commands_seen += 1
        self._speed = None if steps_per_second is None else max(0.1, float(steps_per_second))
        if self._running:
            self._start_pacing()
            self._timer.setInterval(self._tick_interval_ms())

    @Slot()
    def request_snapshot(self) -> None:
        """Send the whole history again (for a receiver that attached late)."""
        self._commands_seen += 1
        self._wait_while_held()
        if self._trainer is not None:
            self._dirty_from = 0
            self._emit_snapshot()

    @Slot()
    def stop(self) -> None:
        """Stop running, drop the Trainer and emit ``finished``."""
        self._commands_seen += 1
        self._stop_running()
        self._trainer = None
        self.finished.emit()

    # -- the run loop ---------------------------------------------------------------------

    def _on_timer_timeout(self) -> None:
        trainer = self._trainer
        if not self._running or trainer is None:
            self._stop_running()
            return
        start = time.perf_counter()
        deadline = start + CHUNK_BUDGET_S
        budget = self._steps_due(start)
        while budget > 0:
            self._wait_while_held()
            busy = self._gui_busy_until - time.perf_counter()
            if busy > 0:
                time.sleep(min(busy, BUSY_WAIT_MAX_S))
            before = trainer.step_count
            going = self._guarded_steps(min(budget, STEPS_PER_CHECK))
            done = trainer.step_count - before
            budget -= done
            self._pace_done += done
            if not going or time.perf_counter() >= deadline:
                break
        now = time.perf_counter()
        if trainer.status != Status.READY:
            self._stop_running()
            self._emit_snapshot()
        elif self._running and now - self._last_emit >= SNAPSHOT_INTERVAL_S:
            with self._in_flight_lock:
                busy = self._in_flight >= MAX_SNAPSHOTS_IN_FLIGHT
            if not busy and trainer.step_count + 1 > self._dirty_from:
                self._emit_snapshot()

    def _guarded_steps(self, n: int) -> bool:
        """Up to ``n`` trainer steps; False when training cannot continue."""
        trainer = self._trainer
        assert trainer is not None
        try:
            status = trainer.run(n)
        except (ArithmeticError, ValueError) as exc:
            self._stop_running()
            self.error.emit(f"Training stopped at step {trainer.step_count}: {exc}")
            return False
        finally:
            self._take_new_rows()
        return status == Status.READY

    def _take_new_rows(self) -> None:
        """Copy the parameters of the steps taken since the last call (still kept in full)."""
        trainer = self._trainer
        rows = trainer.step_count + 1
        if self._unsent.stop < rows:
            self._unsent.extend(trainer.theta_rows(self._unsent.stop, rows))

    def _restart_rows(self) -> None:
        """After a (re)load or reset: every row is new."""
        self._dirty_from = 0
        self._unsent.clear(0)

    def _steps_due(self, now: float) -> int:
        if self._speed is None:
            return 1 << 30  # bounded by the time budget instead
        due = int((now - self._pace_start) * self._speed) + 1 - self._pace_done
        return max(0, due)

    def _start_pacing(self) -> None:
        self._pace_start = time.perf_counter()
        self._pace_done = 0

    def _tick_interval_ms(self) -> int:
        return 0 if self._speed is None else PACED_TICK_MS

    def _stop_running(self) -> None:
        self._running = False
        self._timer.stop()

    def _steps_per_second(self, now: float) -> float:
        """Steps per second over the last ``RATE_WINDOW_S`` of a run (0 when not running)."""
        if not self._running or self._trainer is None:
            self._rate_marks.clear()
            return 0.0
        marks = self._rate_marks
        marks.append((now, self._trainer.step_count))
        while len(marks) > 2 and now - marks[1][0] >= RATE_WINDOW_S:
            marks.pop(0)
        (t0, s0), (t1, s1) = marks[0], marks[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0

    def _emit_snapshot(self) -> None:
        trainer = self._trainer
        if trainer is None:
            return
        self._take_new_rows()
        length = trainer.step_count + 1
        first = min(self._dirty_from, length)
        history = trainer.history_rows(first)
        rows: dict[str, np.ndarray | None] = {}
        for key in ROW_KEYS:
            if key != "theta":
                column = getattr(history, key)
                rows[key] = None if column is None else np.array(column, copy=True)
        if first >= self._unsent.start:
            rows["theta"] = self._unsent.since(first)
        else:
            rows["theta"] = trainer.theta_rows(first, length)
        self._unsent.clear(length)
        now = time.perf_counter()
        step_count = trainer.step_count
        last_batch = trainer.batch_for_step(step_count)  # empty at step 0
        theta = trainer.theta
        snapshot = Snapshot(
            step_count=step_count,
            epoch=float(trainer.epoch),
            status=str(trainer.status.value),
            stop_reason=trainer.stop_reason,
            theta=np.array(theta, copy=True),
            grad=np.array(trainer.grad, copy=True),
            lr=trainer.lr,
            config=trainer.config,
            first_row=first,
            rows=rows,
            steps_per_second=self._steps_per_second(now),
            last_batch=np.array(last_batch, copy=True),
            running=self._running,
            generation=self._generation,
            commands_seen=self._commands_seen,
        )
        self._dirty_from = length
        self._last_emit = now
        with self._in_flight_lock:
            self._in_flight += 1
        self.snapshot_ready.emit(snapshot)
