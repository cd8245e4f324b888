"""The live state a checkpoint is answered from, and simulations on copies of it.

Conventions: ``X`` is ``(n, d)`` scaled features of every row of the dataset (training and
test rows alike, in the dataset's order), ``y`` is ``(n,)`` with 0/1 labels, ``theta`` is
``(d + 1,)``: the weights, then the bias last. ``train_idx`` selects the rows the trainer
trains on, so the cost J here is the training cost drawn in the loss plot. Simulations build
a core ``Trainer`` of their own; the live trainer is never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from gdapp.core.trainer import Status, TrainConfig, Trainer, initial_theta, model_for

__all__ = ["DEFAULT_GRAPH_INPUTS", "CheckpointContext", "SimulatedRun"]

# Steps per call when training a copy to the end (max_epochs bounds the total).
TRAINING_CHUNK_STEPS = 1000
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
DEFAULT_GRAPH_INPUTS = MappingProxyType({"a": 5.0, "b": 3.0, "c": 2.0})


class SimulatedRun(NamedTuple):
    """A simulated run: ``losses`` (k+1,) and ``thetas`` (k+1, d+1), row 0 the start."""

    losses: np.ndarray
    thetas: np.ndarray
    status: Status


@dataclass(frozen=True, eq=False)
class CheckpointContext:
    """The live state a checkpoint is answered from.

    ``X`` (n, d) and ``y`` (n,) are the dataset's scaled features and labels for every row;
    ``train_idx`` the rows the trainer trains on (None: all); ``selected_sample`` a row of
    ``X``; ``raw_features`` (n, d) the unscaled features when known; ``positive_label`` what
    ``y = 1`` means; ``graph_inputs`` the a, b, c of the example graph; ``theta_start``
    the parameters the live run started from (history row 0; None: the start that
    ``config.init`` gives). ``trainer_copy``, if
    given, returns a private copy of the live trainer; simulations that keep the live
    settings continue from it (optimizer state and batch order included) instead of
    starting a fresh trainer at ``theta``.
    """

    X: np.ndarray
    y: np.ndarray
    theta: np.ndarray
    config: TrainConfig = field(default_factory=TrainConfig)
    feature_names: tuple[str, ...] = ()
    selected_sample: int = 0
    train_idx: np.ndarray | None = None
    history_train_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    raw_features: np.ndarray | None = None
    positive_label: str = "diabetic"
    theta_start: np.ndarray | None = None
    graph_inputs: Mapping[str, float] = field(default_factory=lambda: DEFAULT_GRAPH_INPUTS)
    trainer_copy: Callable[[], Trainer] | None = None

    @classmethod
    def from_dataset(cls, dataset: Any, theta: np.ndarray, config: TrainConfig, **fields: Any):
        """Build a context from a ``gdapp.datasets.Dataset`` and the live parameters."""
        names = tuple(dataset.feature_names)
        return cls(
            X=np.asarray(dataset.X, dtype=float),
            y=np.asarray(dataset.y, dtype=float),
            theta=np.asarray(theta, dtype=float),
            config=config,
            feature_names=names,
            train_idx=np.asarray(dataset.train_idx),
            raw_features=dataset.raw[list(names)].to_numpy(dtype=float),
            positive_label=str(dataset.positive_label),
            **fields,
        )

    # -- derived data --------------------------------------------------------------------
    @property
    def X_train(self) -> np.ndarray:
        return self.X if self.train_idx is None else self.X[self.train_idx]

    @property
    def y_train(self) -> np.ndarray:
        return self.y if self.train_idx is None else self.y[self.train_idx]

    def model(self):
        """The core model the live config describes."""
        return model_for(self.config)

    def sample(self, row: int | None = None) -> tuple[np.ndarray, float]:
        """Features (d,) and label of ``row`` (default: the selected sample)."""
        row = self.selected_sample if row is None else row
        if not 0 <= row < self.X.shape[0]:
            raise IndexError(f"row {row} is outside 0..{self.X.shape[0] - 1}")
        return self.X[row], float(self.y[row])

    def param_label(self, k: int) -> str:
        """``"w₂ (glucose)"`` for a weight, ``"b"`` for the bias; a hidden layer's own name
        (``model.param_names``: ``h1:glucose`` … ``out:bias``)."""
        d = self.X.shape[1]
        if self.config.model == "mlp":
            names = self.feature_names or tuple(f"x{j + 1}" for j in range(d))
            return self.model().param_names(names)[k]
        if k == d:
            return "b"
        weight = "w" + str(k + 1).translate(SUBSCRIPTS)
        name = self.feature_names[k] if k < len(self.feature_names) else ""
        return f"{weight} ({name})" if name else weight

    def start_theta(self) -> np.ndarray:
        """Where the live run started: ``theta_start``, or the start ``config.init`` gives."""
        if self.theta_start is not None:
            return np.array(self.theta_start, dtype=float)
        return initial_theta(self.config, self.X.shape[1])

    def simulate(
        self, n_steps: int, config: TrainConfig | None = None, theta0: np.ndarray | None = None
    ) -> SimulatedRun:
        """Run ``n_steps`` on a copy and return the path (shorter if the copy stops)."""
        trainer = None
        if config is None and theta0 is None and self.trainer_copy is not None:
            trainer = self.trainer_copy()
            if trainer.status is not Status.READY:
                trainer = None
        if trainer is None:
            base = self.config if config is None else config
            # A lesson's question is about the steps, not about a stop rule firing first
            # (a step that would blow the loss up is still refused).
            needed = max(base.max_epochs, int(n_steps) + 1)
            base = replace(base, max_epochs=needed, tol=0.0, diverging_window=0)
            start = self.theta if theta0 is None else theta0
            trainer = Trainer(self.X_train, self.y_train, config=base, theta0=start)
        first = trainer.step_count
        trainer.run(n_steps)
        history = trainer.history
        return SimulatedRun(
            np.array(history.train_loss[first:]), np.array(history.theta[first:]), trainer.status
        )

    def simulate_training(self) -> SimulatedRun:
        """Train a fresh copy from ``theta`` with the live settings until it stops."""
        trainer = Trainer(self.X_train, self.y_train, config=self.config, theta0=self.theta)
        while trainer.run(TRAINING_CHUNK_STEPS) is Status.READY:
            pass
        history = trainer.history
        return SimulatedRun(np.array(history.train_loss), np.array(history.theta), trainer.status)

    def simulate_steps(self, n_steps: int) -> np.ndarray:
        """Training losses of ``n_steps`` more steps with the live settings: (k+1,)."""
        return self.simulate(n_steps).losses
