"""Carry out a lesson step's training state through the commands a learner's clicks send.

``LessonActions.apply(actions)`` takes the session part of a step's checked actions table
(``SESSION_ACTIONS``: dataset, row, settings, reset, steps, train, in that order) and calls
the controller. Everything else a step declares is on-screen state: it becomes the step's
``ViewState``, which the window shows. Nothing here reaches into the trainer.

``HistoryTracker`` keeps the trainer's history (train loss and theta rows) from the
controller's incremental snapshots, and ``checkpoint_context`` turns the live state into the
``CheckpointContext`` a checkpoint's answer is computed from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from gdapp.core.trainer import Status, Trainer, initial_theta
from gdapp.lessons.actions import train_config_fields
from gdapp.lessons.checkpoints import DEFAULT_GRAPH_INPUTS, CheckpointContext

if TYPE_CHECKING:
    from gdapp.ui.controller import TrainingSession

# The actions that make up a step's training state, in the order they are applied.
SESSION_ACTIONS = ("preset", "select_sample", "config", "reset", "steps", "train")


class HistoryTracker:
    """The trainer's history as the controller holds it: ``train_loss`` and ``theta`` rows.

    A read-only view of ``controller.history`` (the window's one copy); every row of a run
    short enough for a lesson is held exactly.
    """

    def __init__(self, controller: TrainingSession, parent: object | None = None) -> None:
        self._controller = controller

    @property
    def train_loss(self) -> np.ndarray:
        """(rows,) training loss of every held history row, row 0 at step 0."""
        return np.array(self._controller.history.column("train_loss"), dtype=float)

    @property
    def theta(self) -> np.ndarray:
        """(rows, d+1) parameters of every held history row."""
        history = self._controller.history
        if history.total_rows == 0:
            return np.zeros((0, 0))
        return np.array(history.theta(), dtype=float)


def _replayed_trainer(
    controller: TrainingSession, history: HistoryTracker
) -> Callable[[], Trainer]:
    """A function that rebuilds a private copy of the live trainer by replaying its steps.

    Batches depend only on (seed, step), so replaying the same number of steps from the
    same start gives the same trainer, optimizer state included. If the learning rate was
    changed during the run the replay drifts; then a fresh trainer starts at the live theta.
    """
    dataset, snapshot = controller.dataset, controller.last_snapshot

    def build() -> Trainer:
        X, y = dataset.X_train, dataset.y_train
        config = replace(snapshot.config, lr=controller.config.lr)
        rows = history.theta
        start = rows[0] if len(rows) else None
        trainer = Trainer(X, y, config=snapshot.config, theta0=start)
        trainer.run(snapshot.step_count)
        if trainer.step_count != snapshot.step_count or not np.array_equal(
            trainer.theta, snapshot.theta
        ):
            trainer = Trainer(X, y, config=config, theta0=snapshot.theta)
        elif trainer.status is Status.READY:
            trainer.set_lr(config.lr)
        return trainer

    return build


def checkpoint_context(
    controller: TrainingSession,
    history: HistoryTracker | None = None,
    graph_inputs: Mapping[str, float] | None = None,
) -> CheckpointContext:
    """The live state as a ``CheckpointContext`` (raises RuntimeError without a dataset)."""
    dataset = controller.dataset
    if dataset is None:
        raise RuntimeError("No dataset is loaded.")
    snapshot = controller.last_snapshot
    config = controller.config
    if snapshot is not None:
        theta = np.asarray(snapshot.theta, dtype=float)
    else:
        theta = initial_theta(config, dataset.X_train.shape[1])
    fields: dict[str, object] = {
        "selected_sample": max(0, controller.selected_sample),
        "graph_inputs": dict(graph_inputs or DEFAULT_GRAPH_INPUTS),
    }
    if history is not None:
        fields["history_train_loss"] = history.train_loss
        if snapshot is not None and len(history.theta) == snapshot.step_count + 1:
            fields["trainer_copy"] = _replayed_trainer(controller, history)
    return CheckpointContext.from_dataset(dataset, theta, config, **fields)


class LessonActions:
    """Applies the session part of lesson actions through ``controller``'s commands.

    ``host`` (the main window, or None) is asked for the example graph's inputs as shown
    now, and to dismiss a spotlight; ``graph_inputs`` holds the inputs the step declared.
    """

    def __init__(self, controller: TrainingSession, host: object | None = None) -> None:
        self._controller = controller
        self._host = host
        self.graph_inputs: dict[str, float] = dict(DEFAULT_GRAPH_INPUTS)
        self._config_sent = False  # in ``apply``: the step's config went with its dataset

    def apply(self, actions: Mapping[str, object]) -> list[str]:
        """Carry out ``actions`` in order; returns a note for each one that could not run."""
        notes: list[str] = []
        self._config_sent = False
        for name, value in actions.items():
            handler = getattr(self, f"_do_{name}", None) if name in SESSION_ACTIONS else None
            if handler is None:
                notes.append(f"{name!r} is not a training action")
                continue
            if name == "preset" and "config" in actions:
                note = self._do_preset(value, actions["config"])
            else:
                note = handler(value)
            if note:
                notes.append(note)
        return notes

    def dismiss_spotlight(self) -> None:
        dismiss = getattr(self._host, "dismiss_spotlight", None)
        if dismiss is not None:
            dismiss()

    def current_graph_inputs(self) -> dict[str, float]:
        """The a, b, c of the example graph as shown now (a learner may have edited them)."""
        shown = getattr(self._host, "graph_inputs", None)
        if shown is not None:
            return dict(shown())
        return dict(self.graph_inputs)

    # -- data and training ---------------------------------------------------------------

    def _do_preset(self, name: str, config: Mapping[str, object] | None = None) -> str | None:
        """Load preset ``name``, with the step's ``config`` if it has one: a new dataset
        restarts training anyway, and the window lays itself out once for both."""
        controller = self._controller
        if controller.dataset is not None and controller.dataset_origin == {"preset": name}:
            return None  # already loaded: keep the trainer and the selection
        fields = None if config is None else train_config_fields(config)
        if not controller.load_preset(name, fields):
            return f"could not load the preset {name!r}"
        self._config_sent = config is not None
        return None

    def _do_select_sample(self, row: int) -> str | None:
        dataset = self._controller.dataset
        if dataset is None or row >= dataset.X.shape[0]:
            return f"there is no row {row} to select"
        self._controller.select_sample(int(row))
        return None

    def _do_config(self, table: Mapping[str, object]) -> None:
        if not self._config_sent:  # else it came with the step's dataset
            self._controller.set_config(**train_config_fields(table))

    def _do_reset(self, _value: object) -> None:
        self._controller.reset()

    def _do_steps(self, n: int) -> None:
        self._controller.step(int(n))

    def _do_train(self, _value: object) -> None:
        self._controller.run()
