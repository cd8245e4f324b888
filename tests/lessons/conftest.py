"""Shared fixtures for the lesson tests: the shipped lessons, the data, and a way to put a
plain core Trainer into the state a lesson step describes (what the lesson panel does
through the controller)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from gdapp.core.trainer import Status, TrainConfig, Trainer
from gdapp.datasets.presets import PRESETS, load_preset
from gdapp.lessons.actions import train_config_fields
from gdapp.lessons.checkpoints import CheckpointContext
from gdapp.lessons.model import load_lessons
from gdapp.resources import resource_path

DATA_CSV = resource_path("data/diabetes.csv")


@pytest.fixture(scope="session")
def lessons():
    return load_lessons()


@pytest.fixture(scope="session")
def datasets():
    """Every preset, loaded once (they are read-only)."""
    return {name: load_preset(name) for name in PRESETS}


@pytest.fixture(scope="session")
def raw_table() -> np.ndarray:
    """diabetes.csv read with plain numpy: (768, 9), the outcome last."""
    return np.loadtxt(DATA_CSV, delimiter=",", skiprows=1)


@dataclass
class AppState:
    dataset: object
    trainer: Trainer
    context: CheckpointContext


def apply_state(state: dict, datasets: dict) -> AppState:
    """Carry out a step's folded actions on a fresh core Trainer, as the controller would."""
    dataset = datasets[state.get("preset", "diabetes")]
    config = TrainConfig(**train_config_fields(state.get("config", {})))
    trainer = Trainer(
        dataset.X_train, dataset.y_train, dataset.X_test, dataset.y_test, config=config
    )
    if "steps" in state:
        trainer.run(state["steps"])
    if state.get("train"):
        while trainer.run(1000) is Status.READY:
            pass
    context = CheckpointContext.from_dataset(
        dataset,
        trainer.theta,
        config,
        selected_sample=state.get("select_sample", 0),
        history_train_loss=np.array(trainer.history.train_loss),
        graph_inputs=state.get("graph_inputs", {"a": 5.0, "b": 3.0, "c": 2.0}),
        theta_start=np.array(trainer.history.theta[0]),
    )
    return AppState(dataset, trainer, context)


@pytest.fixture(scope="session")
def state_of(datasets):
    """state_of(state_actions_dict) -> AppState."""
    return lambda state: apply_state(state, datasets)
