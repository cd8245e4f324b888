"""The window's session commands: save a run to a file, open it again, recent files, resume.

``SessionCommands(window)`` adds File ▸ Save session (Ctrl+S), Save session as…
(Ctrl+Shift+S), Open session… and Open recent ▸ (the last ``RECENT_LIMIT`` files that still
exist). The last session saved or opened is opened again on the next launch, with a message
bar offering to start fresh instead.

Opening checks everything before anything changes: the file (``session_file``), the
ViewState, the dataset (a CSV must still hash to what was saved) and the start's width. Then
it loads the dataset, sets the config, resets, and replays the steps through the controller,
one chunk of at most ``REPLAY_CHUNK_STEPS`` at a time: each chunk is a ``step(k)`` command
(after ``set_config(lr=…)`` where the rate changed), and the next one is sent when the
snapshot answering it arrives, so the GUI thread never waits for the training thread. The
final parameters are hashed and compared with the file's hash; when they differ the previous
run is put back the same way and the user is told. Only then are the ViewState and the
lesson progress applied.

A CSV larger than ``SYNC_LOAD_BYTES`` is hashed a slice per event-loop turn and loaded on
the ``DatasetLoader``'s thread, so ``open_session`` returns before it is checked; a problem
found then ends the opening with a message and ``session_ready(False)``, the window as it
was.

``session_ready(bool)`` is emitted when an ``open_session`` that returned True has finished:
True when the replay reproduced the saved weights, False when it did not (the previous run
is then back) or when a large CSV was refused. ``is_replaying`` says whether an opening is
still under way.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

import gdapp
from gdapp.core.trainer import TrainConfig, initial_theta, model_for
from gdapp.datasets import PRESETS, Dataset, DatasetError, load_csv, load_preset
from gdapp.ui.dataset_loader import DatasetLoader, describe_error
from gdapp.ui.session_file import (
    SUFFIX,
    SessionData,
    SessionFileError,
    file_sha256,
    lr_changes_from,
    read_session_file,
    session_dict,
    theta_sha256,
    write_session_file,
)
from gdapp.ui.status_bar import NOTICE_TIMEOUT_MS
from gdapp.ui.view_state import ViewState

if TYPE_CHECKING:
    from gdapp.ui.main_window import MainWindow
    from gdapp.ui.training_thread import Snapshot

RECENT_KEY = "sessions/recent"  # JSON list of paths, newest first
LAST_KEY = "sessions/last"  # the session to open on the next launch ("" for none)
RECENT_LIMIT = 8
SYNC_LOAD_BYTES = 2**20  # a CSV up to this size is hashed and loaded at once (tens of ms)
HASH_SLICE_BYTES = 4 * 2**20  # a larger one is hashed this much per event-loop turn
REPLAY_CHUNK_STEPS = 500  # steps per command during a replay (a few ms of training each)
POST_EXAMPLE_VARIANTS = ("post", "correct")  # the lesson figure's two update rules
FILE_FILTER = f"Gradient Descent Lab sessions (*{SUFFIX});;JSON (*.json);;All files (*)"


@dataclass
class _Replay:
    """A replay under way: the run to rebuild and what to do once it is rebuilt."""

    plan: SessionData
    name: str
    path: str | None  # None when putting the previous run back
    view: ViewState
    previous: _Previous | None
    awaited: int = 0  # the controller's command count whose snapshot is awaited
    cleared_at: int = -1  # step at which a stop was last cleared
    last_done: int = -1  # step count when the latest chunk was asked for
    resumed: bool = False


@dataclass
class _Pending:
    """A session whose large CSV is being hashed, then loaded (off the GUI thread)."""

    data: SessionData
    name: str
    path: str
    view: ViewState
    resumed: bool
    handle: Any
    digest: Any
    loader: DatasetLoader | None = None


@dataclass
class _Previous:
    """What the window showed before a session was opened, to put back if the replay fails."""

    dataset: Dataset
    origin: dict[str, Any]
    plan: SessionData | None
    config: TrainConfig
    view: ViewState


class SessionCommands(QObject):
    """Save, open, recent sessions and resume on launch, for ``window``; see the module doc."""

    session_ready = Signal(bool)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._settings = window._settings
        self._replay: _Replay | None = None
        self._pending: _Pending | None = None
        self._hash_timer = QTimer(self)
        self._hash_timer.setInterval(0)
        self._hash_timer.timeout.connect(self._on_hash_timer_timeout)
        self.current_path: str | None = None
        controller = window.controller
        controller.snapshot_ready.connect(self._on_controller_snapshot_ready)
        controller.error.connect(self._on_controller_error)
        self.save_action = _action(
            window, "&Save session", "Ctrl+S", self.save, "saveSessionAction"
        )
        self.save_as_action = _action(
            window, "Save session &as…", "Ctrl+Shift+S", self.save_as, "saveSessionAsAction"
        )
        self.open_action = _action(window, "Open &session…", None, self.open_dialog,
                                   "openSessionAction")  # fmt: skip
        self.recent_menu = QMenu("Open &recent", window)
        self.recent_menu.setObjectName("recentSessionsMenu")
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)

    # -- menus ----------------------------------------------------------------------------

    def add_to_menu(self, menu: QMenu) -> None:
        """Put the session actions into the File menu."""
        for action in (self.open_action, self.save_action, self.save_as_action):
            menu.addAction(action)
        menu.addMenu(self.recent_menu)
        self.fill_recent_menu()

    def fill_recent_menu(self) -> None:
        """List the recent sessions that still exist (missing ones are dropped)."""
        self.recent_menu.clear()
        paths = self.recent_paths()
        for index, path in enumerate(paths):
            action = self.recent_menu.addAction(f"&{index + 1} {Path(path).name}")
            action.setObjectName(f"recentSession{index}")
            action.setToolTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_session(p))
        self.recent_menu.setEnabled(bool(paths))

    def recent_paths(self) -> list[str]:
        """Recent session files, newest first, without the ones that no longer exist."""
        try:
            paths = json.loads(self._settings.value(RECENT_KEY, "") or "[]")
        except (TypeError, ValueError):
            paths = []
        if not isinstance(paths, list):
            paths = []
        kept = [p for p in paths if isinstance(p, str) and Path(p).is_file()][:RECENT_LIMIT]
        if kept != paths:
            self._settings.setValue(RECENT_KEY, json.dumps(kept))
        return kept

    def _remember(self, path: str) -> None:
        path = str(Path(path).resolve())
        paths = [p for p in self.recent_paths() if p != path]
        self._settings.setValue(RECENT_KEY, json.dumps([path, *paths][:RECENT_LIMIT]))
        self._settings.setValue(LAST_KEY, path)
        self._settings.sync()
        self.current_path = path

    # -- saving ---------------------------------------------------------------------------

    def save(self) -> bool:
        """Save to the current session file, or ask for one (File ▸ Save session)."""
        if self.current_path is None:
            return self.save_as()
        return self.save_session(self.current_path)

    def save_as(self) -> bool:
        start = self.current_path or str(Path.home() / f"session{SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self._window, "Save session", start, FILE_FILTER)
        if not path:
            return False
        if not Path(path).suffix:
            path += SUFFIX
        return self.save_session(path)

    def save_session(self, path: str | Path) -> bool:
        """Write the current run to ``path``; False with the reason shown when it cannot."""
        name = Path(path).name
        if self.is_replaying:
            self._window._show_error(f"Could not save {name}: a session is still being opened.")
            return False
        window = self._window
        try:
            run = _current_run(window)
            lessons = _lesson_progress(window)
            data = session_dict(
                origin=run["origin"],
                config=run["config"],
                steps=run["steps"],
                lr_changes=run["lr_changes"],
                theta=run["theta"],
                start=run["start"],
                view=window.view_model.state.to_dict(),
                lessons=lessons,
                app_version=gdapp.__version__,
                forks=[branch] if (branch := window.timeline.branch()) is not None else [],
            )
            write_session_file(path, data)
        except SessionFileError as exc:
            window._show_error(f"Could not save {name}: {exc}")
            return False
        except OSError as exc:
            window._show_error(f"Could not save {name}: {exc.strerror or exc}.")
            return False
        self._remember(str(path))
        window.statusBar().showMessage(f"Saved the session to {path}", NOTICE_TIMEOUT_MS)
        return True

    # -- opening --------------------------------------------------------------------------

    @property
    def is_replaying(self) -> bool:
        """True while an opened session is being checked, loaded or replayed."""
        return self._replay is not None or self._pending is not None

    def open_dialog(self) -> bool:
        start = str(Path(self.current_path).parent) if self.current_path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self._window, "Open session", start, FILE_FILTER)
        return bool(path) and self.open_session(path)

    def open_session(self, path: str | Path, resumed: bool = False) -> bool:
        """Check ``path`` and start rebuilding its run; False (message shown) if refused.

        Nothing in the window changes when False is returned. True means the replay has
        started; ``session_ready`` says how it ended.
        """
        name = Path(path).name
        if self.is_replaying:
            self._refuse(f"Could not open {name}: another session is still being opened.", resumed)
            return False
        try:
            data = read_session_file(path)
            view = _view_state(data, name)
            csv = _large_csv(data, name)
            if csv is not None:
                # Hashed a slice per event-loop turn, then loaded on the loader's thread;
                # session_ready(False) and a message if either finds a problem.
                handle = open(csv, "rb")  # noqa: SIM115 (closed when the hash is done or stopped)
                self._pending = _Pending(data, name, str(path), view, resumed, handle,
                                         hashlib.sha256())  # fmt: skip
                self._hash_timer.start()
                self._window.statusBar().showMessage(f"Checking {csv.name}…")
                return True
            dataset, origin = _load_dataset(data, name)
            _check_start(data, dataset, name)
        except SessionFileError as exc:
            self._refuse(str(exc), resumed)
            return False
        except OSError as exc:
            self._refuse(f"{name}: could not read its CSV file: {exc.strerror or exc}.", resumed)
            return False
        self._start_replay(data, name, str(path), view, resumed, dataset, origin)
        return True

    def shutdown(self) -> None:
        """Stop a CSV check or load under way (the window is closing)."""
        pending, self._pending = self._pending, None
        self._hash_timer.stop()
        if pending is not None:
            pending.handle.close()
            if pending.loader is not None:
                pending.loader.shutdown()

    def _start_replay(self, data, name, path, view, resumed, dataset, origin) -> None:
        self._window.message_bar.hide()
        previous = self._previous()
        replay = _Replay(data, name, path, view, previous, resumed=resumed)
        self._begin(replay, dataset, origin)

    def _on_hash_timer_timeout(self) -> None:
        pending = self._pending
        if pending is None:
            self._hash_timer.stop()
            return
        try:
            chunk = pending.handle.read(HASH_SLICE_BYTES)
        except OSError as exc:
            self._pending_failed(f"could not read its CSV file: {exc.strerror or exc}")
            return
        if chunk:
            pending.digest.update(chunk)
            return
        self._hash_timer.stop()
        pending.handle.close()
        source = pending.data.dataset
        if pending.digest.hexdigest() != source["sha256"]:
            self._pending_failed(_changed_csv(source["csv"]))
            return
        pending.loader = DatasetLoader(self)
        pending.loader.loaded.connect(self._on_loader_loaded)
        pending.loader.failed.connect(self._on_loader_failed)
        pending.loader.start(source["csv"], **source["options"])
        self._window.statusBar().showMessage(f"Loading {Path(source['csv']).name}…")

    def _on_loader_loaded(self, dataset: Dataset) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            _check_start(pending.data, dataset, pending.name)
        except SessionFileError as exc:
            self._pending = pending
            self._pending_failed(str(exc).removeprefix(f"{pending.name}: "))
            return
        data = pending.data
        self._start_replay(data, pending.name, pending.path, pending.view, pending.resumed,
                           dataset, data.origin)  # fmt: skip

    def _on_loader_failed(self, error: BaseException) -> None:
        self._pending_failed(describe_error(error))

    def _pending_failed(self, problem: str) -> None:
        pending = self._pending
        self.shutdown()
        if pending is None:
            return
        self._window.statusBar().clearMessage()
        self._refuse(f"{pending.name}: {problem}", pending.resumed)
        self.session_ready.emit(False)

    def resume_last(self) -> bool:
        """Open the last session saved or opened, if it still exists; True if it started."""
        last = self._settings.value(LAST_KEY, "")
        if not isinstance(last, str) or not last or not Path(last).is_file():
            return False
        return self.open_session(last, resumed=True)

    def start_fresh(self) -> None:
        """Forget the resumed session: the default dataset, settings, view and epoch 0."""
        from gdapp.ui.controller import DEFAULT_PRESET

        window = self._window
        controller = window.controller
        self._settings.setValue(LAST_KEY, "")
        self.current_path = None
        controller.set_config(**dataclasses.asdict(TrainConfig()))
        controller.load_preset(DEFAULT_PRESET)
        controller.reset(None)
        window.view_model.set_state(ViewState())
        window.statusBar().showMessage("Started fresh.", NOTICE_TIMEOUT_MS)

    def _refuse(self, message: str, resumed: bool) -> None:
        if resumed:  # at launch, a dialog before the window is up would only get in the way
            self._window.statusBar().showMessage(
                f"Could not resume the last session. {message}", NOTICE_TIMEOUT_MS
            )
        else:
            self._window._show_error(message)

    def _previous(self) -> _Previous | None:
        controller = self._window.controller
        if controller.dataset is None:
            return None
        try:
            run = _current_run(self._window)
        except SessionFileError:
            plan = None
        else:
            plan = SessionData(
                dataset={},
                config=run["config"],
                steps=run["steps"],
                lr_changes=tuple(run["lr_changes"]),
                theta_sha256=theta_sha256(run["theta"]),
                start=run["start"],
            )
        return _Previous(
            controller.dataset,
            controller.dataset_origin,
            plan,
            controller.config,
            self._window.view_model.state,
        )

    def _begin(self, replay: _Replay, dataset: Dataset, origin: dict[str, Any]) -> None:
        """Load the dataset, set the config, reset, and send the first chunk of steps."""
        controller = self._window.controller
        plan = replay.plan
        self._replay = replay
        self._window.training_bar.setEnabled(False)  # the replay's commands come first
        controller.set_dataset(dataset, origin)
        controller.set_config(**dataclasses.asdict(plan.initial_config()))
        controller.reset(None if plan.start is None else np.array(plan.start, dtype=float))
        replay.awaited = controller.commands_sent
        what = f"Replaying {replay.name}" if replay.path else "Putting the previous run back"
        self._window.statusBar().showMessage(f"{what}…")

    def _on_controller_snapshot_ready(self, snapshot: Snapshot) -> None:
        replay = self._replay
        if replay is None or snapshot.commands_seen < replay.awaited:
            return
        controller = self._window.controller
        plan = replay.plan
        done = snapshot.step_count
        if done >= plan.steps:
            self._finish(snapshot)
            return
        if snapshot.status != "ready":
            if replay.cleared_at == done:
                self._fail(f"the replay stopped at step {done:,}: {snapshot.stop_reason}")
                return
            # The run went on past this stop when it was made (Keep going), so go on too.
            replay.cleared_at = done
            controller.clear_stop()
            replay.awaited = controller.commands_sent
            return
        if done == replay.last_done:  # stepping was asked for and nothing was taken
            self._fail(f"the replay could not go past step {done:,}")
            return
        replay.last_done = done
        lr = plan.lr_at(done + 1)
        if lr != controller.config.lr:
            controller.set_config(lr=lr)
        count = min(REPLAY_CHUNK_STEPS, plan.steps - done)
        change = plan.next_change_after(done)
        if change is not None:
            count = min(count, change - 1 - done)
        controller.step(count)
        replay.awaited = controller.commands_sent

    def _on_controller_error(self, message: str) -> None:
        if self._replay is not None:
            self._fail(message)

    def _finish(self, snapshot: Snapshot) -> None:
        replay = self._replay
        if theta_sha256(snapshot.theta) != replay.plan.theta_sha256:
            self._fail(
                "the replayed weights differ from the saved ones (the file was edited, or "
                "was written by a version of the app that trains differently)"
            )
            return
        self._end()
        window = self._window
        if window.controller.config.lr != replay.plan.config.lr:  # set after the last step
            window.controller.set_config(lr=replay.plan.config.lr)
        window.view_model.set_state(replay.view)
        if replay.path is None:  # the previous run is back
            self.session_ready.emit(False)
            return
        if replay.plan.lessons is not None:
            window.lesson_panel.restore_progress(replay.plan.lessons)
        for epoch, loss in replay.plan.forks[-1:]:  # the timeline draws one branch
            window.timeline.restore_branch(epoch, loss)
        self._remember(replay.path)
        window.statusBar().showMessage(f"Opened {replay.name}", NOTICE_TIMEOUT_MS)
        if replay.resumed:
            window.message_bar.show_message(
                f"Resumed where you left off ({replay.name}).",
                [("startFreshButton", "Start fresh", self.start_fresh)],
                level="info",
            )
        self.session_ready.emit(True)

    def _fail(self, problem: str) -> None:
        """End a replay that went wrong: say so, and put the previous run back."""
        replay = self._replay
        self._end()
        if replay.path is None:
            self._window._show_error(f"Could not put the previous run back: {problem}.")
            self.session_ready.emit(False)
            return
        message = f"Could not open {replay.name}: {problem}. The previous run was put back."
        previous = replay.previous
        if previous is None or previous.plan is None:
            if previous is not None:
                controller = self._window.controller
                controller.set_dataset(previous.dataset, previous.origin)
                controller.set_config(**dataclasses.asdict(previous.config))
                controller.reset(None)
                self._window.view_model.set_state(previous.view)
            self._refuse(message, replay.resumed)
            self.session_ready.emit(False)
            return
        self._refuse(message, replay.resumed)
        back = _Replay(previous.plan, replay.name, None, previous.view, None)
        self._begin(back, previous.dataset, previous.origin)

    def _end(self) -> None:
        self._replay = None
        self._window.training_bar.setEnabled(True)
        self._window.statusBar().clearMessage()


# -- what a session holds ------------------------------------------------------------------


def _current_run(window: MainWindow) -> dict[str, Any]:
    """The current run as a session records it; SessionFileError when it cannot be."""
    controller = window.controller
    snapshot = controller.last_snapshot
    dataset = controller.dataset
    if snapshot is None or dataset is None:
        raise SessionFileError("no training run to save yet.")
    history = controller.history
    steps = int(snapshot.step_count)
    rows = history.rows()
    if history.total_rows != steps + 1 or len(rows) == 0 or rows[0] != 0:
        raise SessionFileError("the training history is still arriving; try again.")
    lrs = history.column("lr")
    gaps = np.flatnonzero(np.diff(rows) > 1)
    if any(lrs[k + 1] != lrs[k] for k in gaps):
        # Rows between two kept ones were thinned out of a long run, and the rate changed
        # somewhere in between: the step of that change is no longer known.
        raise SessionFileError(
            "the run is too long for its learning-rate changes to be known exactly."
        )
    config = controller.config
    start = history.row_at(0)["theta"]
    default = initial_theta(config, dataset.X.shape[1])
    return {
        "origin": controller.dataset_origin,
        "config": config,
        "steps": steps,
        "lr_changes": lr_changes_from(rows, lrs),
        "theta": np.array(snapshot.theta, dtype=float),
        "start": None if np.array_equal(start, default) else [float(x) for x in start],
    }


def _lesson_progress(window: MainWindow) -> dict[str, Any] | None:
    try:
        return window.lesson_panel.runner.to_dict()
    except RuntimeError:  # no lesson could be loaded
        return None


def _view_state(data: SessionData, name: str) -> ViewState:
    """The session's ViewState, each choice checked against what the panels can show."""
    from gdapp.core.optimizers import OPTIMIZER_NAMES
    from gdapp.ui.lessons.figure_page import FIGURE_TITLES
    from gdapp.ui.panels.graph.views import BUG_NAMES, VIEW_NAMES
    from gdapp.ui.panels.landscape.state import MODES

    try:
        state = ViewState(**data.view)
    except (TypeError, ValueError) as exc:
        raise SessionFileError(f"{name}: view: {exc}") from None
    choices = (
        ("graph_view", state.graph_view, VIEW_NAMES),
        ("graph_bug", state.graph_bug, BUG_NAMES),
        ("figure", state.figure, (None, *FIGURE_TITLES)),
        ("landscape_mode", state.landscape_mode, MODES),
        ("post_example", state.post_example[0], POST_EXAMPLE_VARIANTS),
    )
    for field, value, allowed in choices:
        if value not in allowed:
            known = ", ".join(str(a) for a in allowed if a is not None)
            raise SessionFileError(f"{name}: view.{field} {value!r} is not one of {known}.")
    for optimizer, lr in state.overlays:
        if optimizer not in OPTIMIZER_NAMES or not lr > 0:
            raise SessionFileError(f"{name}: view.overlays holds an unknown run {optimizer!r}.")
    return state


def _changed_csv(csv: str | Path) -> str:
    return (
        f"the CSV file {csv} has changed since the session was saved "
        "(its SHA-256 differs), so the run cannot be rebuilt."
    )


def _large_csv(data: SessionData, name: str) -> Path | None:
    """The session's CSV when it is too large to check and load at once; None otherwise."""
    if "csv" not in data.dataset:
        return None
    csv = Path(data.dataset["csv"])
    try:
        size = csv.stat().st_size
    except OSError:
        raise SessionFileError(
            f"{name}: the CSV file {csv} it was trained on is missing."
        ) from None
    return csv if size > SYNC_LOAD_BYTES else None


def _check_start(data: SessionData, dataset: Dataset, name: str) -> None:
    d = dataset.X.shape[1]
    p = model_for(data.config).n_params(d)
    if data.start is not None and len(data.start) != p:
        layout = "with the bias" if data.config.model != "mlp" else "for its hidden layer"
        raise SessionFileError(
            f"{name}: start holds {len(data.start)} numbers, but the model on a dataset of "
            f"{d} features has {p} parameters ({layout})."
        )


def _load_dataset(data: SessionData, name: str) -> tuple[Dataset, dict[str, Any]]:
    """The session's dataset, loaded but not yet shown; SessionFileError naming the problem."""
    source = data.dataset
    if "preset" in source:
        preset = source["preset"]
        if preset not in PRESETS:
            raise SessionFileError(
                f"{name}: the preset {preset!r} does not exist; presets: {', '.join(PRESETS)}."
            )
        try:
            return load_preset(preset), data.origin
        except DatasetError as exc:
            raise SessionFileError(
                f"{name}: the preset {preset!r} could not be loaded: {exc}"
            ) from None
    csv = Path(source["csv"])
    if not csv.is_file():
        raise SessionFileError(f"{name}: the CSV file {csv} it was trained on is missing.")
    try:
        digest = file_sha256(csv)
    except OSError as exc:
        raise SessionFileError(f"{name}: could not read {csv}: {exc.strerror or exc}.") from None
    if digest != source["sha256"]:
        raise SessionFileError(f"{name}: {_changed_csv(csv)}")
    try:
        dataset = load_csv(csv, **source["options"])
    except DatasetError as exc:
        raise SessionFileError(f"{name}: {csv.name}: {exc}") from None
    except (OSError, TypeError, ValueError) as exc:
        raise SessionFileError(f"{name}: could not load {csv.name}: {exc}") from None
    return dataset, data.origin


def _action(window, text: str, shortcut: str | None, slot, name: str) -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _checked=False: slot())
    return action
