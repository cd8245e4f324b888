"""Where the app keeps its settings, and a way for tests to keep theirs apart.

``make_settings()`` returns the user's ``QSettings("GradientDescentLab", "gdapp")``, unless
the environment variable ``GDAPP_SETTINGS_DIR`` names a folder: then the settings live in an
INI file there, so a test (or a second copy of the app) never reads or writes the user's.
The ``read_*`` and ``write_session`` helpers hold what the main window keeps between
launches; anything unreadable falls back to the defaults.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from gdapp.core.trainer import TrainConfig

ORGANIZATION = "GradientDescentLab"
APPLICATION = "gdapp"
SETTINGS_DIR_ENV = "GDAPP_SETTINGS_DIR"


def make_settings() -> QSettings:
    """The settings store to use now (see the module docstring)."""
    folder = os.environ.get(SETTINGS_DIR_ENV)
    if folder:
        path = Path(folder) / f"{APPLICATION}.ini"
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, APPLICATION)


# -- what the main window keeps between launches --------------------------------------------


def read_config(settings: QSettings) -> TrainConfig:
    """The saved training settings; the defaults when missing or unreadable."""
    raw = settings.value("training/config", "")
    try:
        fields = json.loads(raw) if raw else {}
        known = {f.name for f in dataclasses.fields(TrainConfig)}
        return TrainConfig(**{k: v for k, v in fields.items() if k in known})
    except (TypeError, ValueError, AttributeError):
        return TrainConfig()


def read_speed(settings: QSettings) -> float | None:
    """The saved run speed in steps per second; None (as fast as possible) by default."""
    speed = settings.value("training/speed", "max")
    try:
        return None if speed in (None, "max") else float(speed)
    except (TypeError, ValueError):
        return None


def read_origin(settings: QSettings) -> dict[str, Any]:
    """How to reload the last dataset: ``{"preset": name}``, ``{"csv": path, ...}`` or {}."""
    try:
        origin = json.loads(settings.value("dataset/origin", "") or "{}")
    except (TypeError, ValueError):
        return {}
    return origin if isinstance(origin, dict) else {}


def write_session(
    settings: QSettings, config: TrainConfig, speed: float | None, origin: dict[str, Any]
) -> None:
    """Save the training settings, the run speed and the dataset's origin."""
    settings.setValue("training/config", json.dumps(dataclasses.asdict(config)))
    settings.setValue("training/speed", "max" if speed is None else speed)
    settings.setValue("dataset/origin", json.dumps(origin))
