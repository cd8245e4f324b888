"""Carry out a lesson step's actions through the same commands a learner's clicks send.

``LessonActions.apply(actions)`` takes a checked actions table (``gdapp.lessons`` gives it in
the order to apply: data, trainer, views, spotlight last) and calls the controller, the
graph panel, the landscape panel, the lesson panel's figures and the spotlight overlay.
Nothing here reaches into the trainer: training actions are controller commands.

``HistoryTracker`` keeps the trainer's history (train loss and theta rows) from the
controller's incremental snapshots, and ``checkpoint_context`` turns the live state into the
``CheckpointContext`` a checkpoint's answer is computed from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDockWidget, QWidget

from gdapp.core.trainer import Status, Trainer, initial_theta
from gdapp.lessons.actions import train_config_fields
from gdapp.lessons.checkpoints import DEFAULT_GRAPH_INPUTS, CheckpointContext
from gdapp.ui.spotlight import Spotlight

GRAPH_PANEL_NAME = "graphView"
LANDSCAPE_PANEL_NAME = "landscapePanel"


class HistoryTracker(QObject):
    """The trainer's history rows as the controller reports them: ``train_loss``, ``theta``."""

    def __init__(self, controller, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._train_loss = np.zeros(0)
        self._theta = np.zeros((0, 0))
        self._controller = controller
        controller.snapshot_ready.connect(self._on_controller_snapshot_ready)
        controller.dataset_changed.connect(self._on_controller_dataset_changed)
        if controller.last_snapshot is not None:
            controller.request_snapshot()  # the rows sent before we listened

    @property
    def train_loss(self) -> np.ndarray:
        """(rows,) training loss of every history row, row 0 at step 0."""
        return self._train_loss.copy()

    @property
    def theta(self) -> np.ndarray:
        """(rows, d+1) parameters of every history row."""
        return self._theta.copy()

    def _on_controller_dataset_changed(self, _dataset) -> None:
        self._train_loss = np.zeros(0)
        self._theta = np.zeros((0, 0))

    def _on_controller_snapshot_ready(self, snapshot) -> None:
        first = snapshot.first_row
        if first > len(self._train_loss):
            self._controller.request_snapshot()  # rows are missing: ask for all of them
            return
        loss = np.asarray(snapshot.rows["train_loss"], dtype=float)
        theta = np.asarray(snapshot.rows["theta"], dtype=float).reshape(-1, len(snapshot.theta))
        if first == 0:
            self._train_loss, self._theta = loss.copy(), theta.copy()
        else:
            self._train_loss = np.concatenate([self._train_loss[:first], loss])
            self._theta = np.concatenate([self._theta[:first], theta])


def _replayed_trainer(controller, history: HistoryTracker) -> Callable[[], Trainer]:
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
    controller,
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


def dock_of(widget: QWidget | None) -> QDockWidget | None:
    """The dock widget holding ``widget`` (itself if it is one), or None."""
    while widget is not None and not isinstance(widget, QDockWidget):
        widget = widget.parentWidget()
    return widget


def bring_forward(widget: QWidget) -> None:
    """Show the dock holding ``widget`` and raise it over the docks tabbed with it."""
    dock = dock_of(widget)
    if dock is not None:
        dock.show()
        dock.raise_()


class LessonActions:
    """Applies lesson actions to the app: controller, panels of ``window``, figures, spotlight.

    ``window`` may be None (a lesson panel on its own): then panel and spotlight actions are
    skipped and reported by ``apply``. ``figure_host`` is the lesson panel: it receives
    ``post_example`` through ``set_post_example(variant, x)``; ``keep_visible`` widgets stay
    readable under the spotlight.
    """

    def __init__(
        self,
        controller,
        window: QWidget | None = None,
        figure_host: object | None = None,
        keep_visible: Callable[[], list[QWidget]] | None = None,
    ) -> None:
        self._controller = controller
        self._window = window
        self._figure_host = figure_host
        self._keep_visible = keep_visible or (lambda: [])
        self._spotlight: Spotlight | None = None
        self.graph_inputs: dict[str, float] = dict(DEFAULT_GRAPH_INPUTS)

    @property
    def spotlight(self) -> Spotlight | None:
        """The overlay (created on first use; None without a window)."""
        if self._spotlight is None and self._window is not None:
            self._spotlight = Spotlight(self._window)
        return self._spotlight

    def find(self, name: str) -> QWidget | None:
        """The widget of ``window`` named ``name`` (a visible one preferred), or None."""
        if self._window is None:
            return None
        found = self._window.findChildren(QWidget, name)
        visible = [w for w in found if w.isVisible()]
        return (visible or found or [None])[0]

    def apply(self, actions: Mapping[str, object]) -> list[str]:
        """Carry out ``actions`` in order; returns a note for each one that could not run."""
        notes: list[str] = []
        for name, value in actions.items():
            handler = getattr(self, f"_do_{name}", None)
            if handler is None:
                notes.append(f"unknown action {name!r}")
                continue
            try:
                note = handler(value)
            except ValueError as error:  # e.g. a bug the current graph view cannot show
                note = f"{name}: {error}"
            if note:
                notes.append(note)
        return notes

    def dismiss_spotlight(self) -> None:
        if self._spotlight is not None:
            self._spotlight.dismiss(animate=False)

    # -- data and training ---------------------------------------------------------------

    def _do_preset(self, name: str) -> str | None:
        controller = self._controller
        if controller.dataset is not None and controller.dataset_origin == {"preset": name}:
            return None  # already loaded: keep the trainer and the selection
        return None if controller.load_preset(name) else f"could not load the preset {name!r}"

    def _do_select_sample(self, row: int) -> str | None:
        dataset = self._controller.dataset
        if dataset is None or row >= dataset.X.shape[0]:
            return f"there is no row {row} to select"
        self._controller.select_sample(int(row))
        return None

    def _do_config(self, table: Mapping[str, object]) -> None:
        self._controller.set_config(**train_config_fields(table))

    def _do_reset(self, _value: object) -> None:
        self._controller.reset()

    def _do_steps(self, n: int) -> None:
        self._controller.step(int(n))

    def _do_train(self, _value: object) -> None:
        self._controller.run()

    # -- views ---------------------------------------------------------------------------

    def current_graph_inputs(self) -> dict[str, float]:
        """The a, b, c of the example graph as shown now (a learner may have edited them)."""
        panel = self.find(GRAPH_PANEL_NAME)
        if panel is not None and hasattr(panel, "example_inputs"):
            return panel.example_inputs()
        return dict(self.graph_inputs)

    def _graph(self, method: str, *args: object) -> str | None:
        panel = self.find(GRAPH_PANEL_NAME)
        call = getattr(panel, method, None)
        if call is None:
            return f"no graph panel to {method.removeprefix('set_').replace('_', ' ')}"
        call(*args)
        return None

    def _do_graph_view(self, view: str) -> str | None:
        return self._graph("set_view", view)

    def _do_graph_inputs(self, inputs: Mapping[str, float]) -> str | None:
        self.graph_inputs = {**self.graph_inputs, **{k: float(v) for k, v in inputs.items()}}
        return self._graph("set_example_inputs", *(self.graph_inputs[k] for k in "abc"))

    def _do_nudge(self, enabled: bool) -> str | None:
        return self._graph("set_nudge", bool(enabled))

    def _do_bug(self, bug: str) -> str | None:
        return self._graph("set_bug", None if bug == "none" else bug)

    def _do_landscape(self, table: Mapping[str, object]) -> str | None:
        panel = self.find(LANDSCAPE_PANEL_NAME)
        if panel is None or not hasattr(panel, "configure"):
            return "no landscape panel"
        panel.configure(
            mode=table.get("mode"), params=table.get("params"), overlay=table.get("overlay", [])
        )
        return None

    def _do_post_example(self, table: Mapping[str, object]) -> str | None:
        host = self._figure_host
        if host is None or not hasattr(host, "set_post_example"):
            return "no figure for the post's example"
        host.set_post_example(str(table.get("variant", "post")), table.get("x"))
        return None

    def _do_show_panel(self, name: str) -> str | None:
        widget = self.find(name)
        if widget is None:
            return f"no panel named {name!r}"
        bring_forward(widget)
        return None

    def _do_spotlight(self, name: str) -> str | None:
        widget = self.find(name)
        overlay = self.spotlight
        if widget is None or overlay is None:
            return f"nothing named {name!r} to spotlight"
        bring_forward(widget)
        if not overlay.show_for(widget, keep_visible=self._keep_visible()):
            return f"{name!r} is not on screen"
        return None
