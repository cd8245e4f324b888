"""Where the app keeps its settings, and how every saved value is checked on the way in.

``make_settings()`` returns the user's ``QSettings("GradientDescentLab", "gdapp")``, unless
the environment variable ``GDAPP_SETTINGS_DIR`` names a folder: then the settings live in an
INI file there, so a test (or a second copy of the app) never reads or writes the user's.

``read_session(settings)`` reads what the main window keeps between launches (training
settings, run speed, the dataset to reopen) and checks every value against what the
widgets can show and the core accepts. A value out of range, of the wrong type or unknown
falls back to its default and yields one warning sentence; bad values the panels read on
their own (the graph panel's options) are removed from the store, so the panel starts
with its default. A settings file edited by hand, damaged or written by another version
therefore never keeps the window from opening.

``shared_settings()`` is the one store of the process for values written while the app is
used (the lesson place, panel options, the text size): a value set is seen at once through
it, and the file follows at most ``SYNC_DELAY_MS`` later, in a turn of its own
(``DeferredSync``), or at once on ``flush_settings()`` (the window calls it on closing; a
new ``QSettings`` on the same file also writes what is pending, as it syncs when made).
Writing the file ends in an fsync, 2-18 ms of the GUI thread here; a store that wrote on
each change (one kept per panel, or one made per change) put that wait into the busy turn
after a lesson move or a click, on top of the move's own work.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QTimer

from gdapp.core.trainer import TrainConfig

ORGANIZATION = "GradientDescentLab"
APPLICATION = "gdapp"
SETTINGS_DIR_ENV = "GDAPP_SETTINGS_DIR"
CONFIG_KEY = "training/config"
SPEED_KEY = "training/speed"
ORIGIN_KEY = "dataset/origin"
GRAPH_GROUP = "graph_panel"
# The graph panel's nudge step box spans this range (graph_panel_ui).
NUDGE_H_RANGE = (1e-6, 0.5)
NUDGE_METHODS = 2  # two-sided, one-sided
MAX_SEED = 2**31 - 1
MAX_BATCH_SIZE = 1 << 20  # the batch size box's range (ui/widgets.py)
MAX_PATH_CHARS = 4096
FULL_BATCH = "full batch"  # how a batch size of None reads in a warning
SYNC_DELAY_MS = 1000  # DeferredSync: the longest a saved value waits for the file
_SHARED: dict[str, DeferredSync] = {}  # shared_settings(): settings folder -> store
_CONFIG_WORDS = {"lr": "learning rate", "l2": "L2 penalty", "tol": "tolerance"}


def make_settings() -> QSettings:
    """The settings store to use now (see the module docstring)."""
    folder = os.environ.get(SETTINGS_DIR_ENV)
    if folder:
        path = Path(folder) / f"{APPLICATION}.ini"
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, APPLICATION)


def shared_settings() -> QSettings:
    """The process's store for the settings location in use now (see the module
    docstring); a plain ``make_settings()`` store before the application exists."""
    app = QCoreApplication.instance()
    if app is None:
        return make_settings()
    key = os.environ.get(SETTINGS_DIR_ENV) or ""
    deferred = _SHARED.get(key)
    if deferred is None or not shiboken6.isValid(deferred):
        settings = make_settings()
        settings.setParent(app)  # deleted with the application, writing what is left
        deferred = _SHARED[key] = DeferredSync(settings)
    return deferred.settings


def flush_settings() -> None:
    """Write every shared store's pending changes to its file now."""
    for deferred in list(_SHARED.values()):
        if shiboken6.isValid(deferred):
            deferred.flush()


class DeferredSync(QObject):
    """Writes ``settings`` to its file ``SYNC_DELAY_MS`` after the first change not yet
    written, in a turn of its own, instead of in the turn after each change (see the
    module docstring). ``flush()`` writes at once."""

    def __init__(self, settings: QSettings, delay_ms: int = SYNC_DELAY_MS) -> None:
        super().__init__(settings)
        self._settings = settings
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self.flush)
        settings.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # QSettings posts itself an UpdateRequest when a change is pending, and syncs on it.
        if watched is self._settings and event.type() == QEvent.Type.UpdateRequest:
            if not self._timer.isActive():
                self._timer.start()
            return True
        return False

    @property
    def settings(self) -> QSettings:
        return self._settings

    def flush(self) -> None:
        """Write every pending change to the file now."""
        self._timer.stop()
        self._settings.sync()


@dataclass(frozen=True)
class SavedSession:
    """What the window restores: ``config``, ``speed`` (steps/s, None = as fast as
    possible), ``origin`` (how to reload the dataset) and a ``warnings`` sentence for
    every saved value that was replaced by its default."""

    config: TrainConfig
    speed: float | None
    origin: dict[str, Any]
    warnings: tuple[str, ...] = ()


def read_session(settings: QSettings) -> SavedSession:
    """Every saved value the window and its panels read, checked (see the module docstring)."""
    warnings: list[str] = []
    config = _read_config(settings, warnings)
    speed = _read_speed(settings, warnings)
    origin = _read_origin(settings, warnings)
    _check_graph_panel(settings, warnings)
    return SavedSession(config, speed, origin, tuple(warnings))


def read_config(settings: QSettings) -> TrainConfig:
    """The saved training settings, each checked; defaults where missing or unreadable."""
    return _read_config(settings, [])


def read_speed(settings: QSettings) -> float | None:
    """The saved run speed in steps per second; None (as fast as possible) by default."""
    return _read_speed(settings, [])


def read_origin(settings: QSettings) -> dict[str, Any]:
    """How to reload the last dataset: ``{"preset": name}``, ``{"csv": path, ...}`` or {}."""
    return _read_origin(settings, [])


def write_session(
    settings: QSettings, config: TrainConfig, speed: float | None, origin: dict[str, Any]
) -> None:
    """Save the training settings, the run speed and the dataset's origin."""
    settings.setValue(CONFIG_KEY, json.dumps(dataclasses.asdict(config)))
    settings.setValue(SPEED_KEY, "max" if speed is None else speed)
    settings.setValue(ORIGIN_KEY, json.dumps(origin))


# -- checks -----------------------------------------------------------------------------


def _config_rules() -> dict[str, Any]:
    """Field -> check returning the value or raising ValueError with the reason."""
    # Imported here: the training toolbar and settings panel import this module's users.
    from gdapp.core.mlp import ACTIVATIONS, HIDDEN_RANGE
    from gdapp.core.models import MODEL_NAMES
    from gdapp.core.optimizers import OPTIMIZER_NAMES
    from gdapp.ui.panels.settings_panel import L2_RANGE, MAX_EPOCHS_LIMIT, TOL_RANGE
    from gdapp.ui.panels.training_bar import LR_RANGE

    return {
        "model": lambda v: _choice(v, MODEL_NAMES),
        "fit_bias": _boolean,
        "l2": lambda v: _number(v, *L2_RANGE, zero=True),
        "optimizer": lambda v: _choice(v, OPTIMIZER_NAMES),
        "lr": lambda v: _number(v, *LR_RANGE),
        "batch_size": lambda v: None if v is None else _whole(v, 1, MAX_BATCH_SIZE),
        "max_epochs": lambda v: _whole(v, 1, MAX_EPOCHS_LIMIT),
        "tol": lambda v: _number(v, *TOL_RANGE, zero=True),
        "seed": lambda v: _whole(v, 0, MAX_SEED),
        "init": lambda v: _choice(v, ("zeros", "random")),
        # Steps the diverging rule watches; 0 turns it off.
        "diverging_window": lambda v: _whole(v, 0, MAX_EPOCHS_LIMIT),
        "hidden": lambda v: _whole(v, *HIDDEN_RANGE),
        "activation": lambda v: _choice(v, ACTIVATIONS),
    }


def _read_config(settings: QSettings, warnings: list[str]) -> TrainConfig:
    fields = _json_object(settings, CONFIG_KEY, "training settings", warnings)
    rules = _config_rules()
    kept: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in rules:
            warnings.append(f"Saved training setting {_shown(name)} is unknown; ignored.")
            continue
        try:
            kept[name] = rules[name](value)
        except ValueError as reason:
            default = getattr(TrainConfig(), name)
            if name == "batch_size" and default is None:
                default = FULL_BATCH
            words = _CONFIG_WORDS.get(name, name.replace("_", " "))
            warnings.append(f"Saved {words} {_shown(value)} {reason}; using {_shown(default)}.")
    try:
        return TrainConfig(**kept)
    except (TypeError, ValueError) as error:  # a combination the core refuses
        warnings.append(f"Saved training settings refused ({error}); using the defaults.")
        return TrainConfig()


def _read_speed(settings: QSettings, warnings: list[str]) -> float | None:
    from gdapp.ui.panels.training_bar import SPEEDS

    speed = settings.value(SPEED_KEY, "max")
    if speed in (None, "max"):
        return None
    try:
        value = float(speed)
    except (TypeError, ValueError, OverflowError):
        value = math.nan
    if value in SPEEDS:
        return value
    warnings.append(f"Saved run speed {_shown(speed)} is not one of the speeds; using the fastest.")
    return None


def _read_origin(settings: QSettings, warnings: list[str]) -> dict[str, Any]:
    origin = _json_object(settings, ORIGIN_KEY, "dataset", warnings)
    if not origin:
        return {}
    from gdapp.datasets import MISSING_CHOICES, PRESETS, SCALE_KINDS

    if "preset" in origin:
        if set(origin) == {"preset"} and origin["preset"] in PRESETS:
            return origin
        warnings.append(f"Saved dataset {_shown(origin)} is not a preset; opening the default.")
        return {}
    path = origin.get("csv")
    if not isinstance(path, str) or not path.strip() or len(path) > MAX_PATH_CHARS:
        warnings.append(
            f"Saved dataset path {_shown(path)} is not a file path; opening the default."
        )
        return {}
    rules = {
        "label": lambda v: v if v is None or isinstance(v, str) else _bad("is not a column name"),
        "features": _names,
        "positive": lambda v: (
            v
            if v is None or isinstance(v, str | int | float) and not isinstance(v, bool)
            else _bad("is not a class")
        ),
        "scale": lambda v: _choice(v, SCALE_KINDS),
        "test_fraction": lambda v: _number(v, 0.0, 0.9, zero=True),
        "seed": lambda v: _whole(v, 0, MAX_SEED),
        "missing": lambda v: _choice(v, MISSING_CHOICES),
        "sheet": lambda v: v if v is None or isinstance(v, str) else _bad("is not a sheet name"),
    }
    kept: dict[str, Any] = {"csv": path}
    for name, value in origin.items():
        if name == "csv":
            continue
        if name not in rules:
            warnings.append(f"Saved dataset option {_shown(name)} is unknown; ignored.")
            continue
        try:
            kept[name] = rules[name](value)
        except ValueError as reason:
            warnings.append(f"Saved dataset option {name} {_shown(value)} {reason}; ignored.")
    return kept


def _check_graph_panel(settings: QSettings, warnings: list[str]) -> None:
    """Remove graph panel options its widgets cannot take (the panel reads the rest)."""
    from gdapp.ui.panels.graph.limits import SPEED_MAX, SPEED_MIN, VIEW_NAMES

    checks = {
        "view": ("graph view", lambda v: _whole(v, 0, len(VIEW_NAMES) - 1)),
        "animate": ("animation switch", _boolean),
        "speed": ("graph animation speed", lambda v: _whole(v, SPEED_MIN, SPEED_MAX)),
        "nudge_h": ("nudge step h", lambda v: _number(v, *NUDGE_H_RANGE)),
        "nudge_method": ("nudge method", lambda v: _whole(v, 0, NUDGE_METHODS - 1)),
    }
    for name, (words, check) in checks.items():
        key = f"{GRAPH_GROUP}/{name}"
        if not settings.contains(key):
            continue
        value = settings.value(key)
        try:
            check(value)
        except ValueError as reason:
            settings.remove(key)
            warnings.append(f"Saved {words} {_shown(value)} {reason}; using the default.")


# -- value checks (each returns the value or raises ValueError with the reason) --------


def _json_object(settings: QSettings, key: str, what: str, warnings: list[str]) -> dict:
    raw = settings.value(key, "")
    if raw in (None, ""):
        return {}
    try:
        data = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        warnings.append(f"Saved {what} could not be read; using the defaults.")
        return {}
    return data


def _bad(reason: str):
    raise ValueError(reason)


def _shown(value: object) -> str:
    text = value if value is FULL_BATCH else repr(value)
    return text if len(text) <= 40 else f"{text[:39]}…"


def _choice(value: object, choices) -> object:
    if isinstance(value, str) and value in choices:
        return value
    raise ValueError("is not one of " + ", ".join(str(c) for c in choices))


def _boolean(value: object) -> bool:
    # JSON gives True/False; an INI file gives the text "true"/"false".
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError("is not true or false")


def _number(value: object, low: float, high: float, *, zero: bool = False) -> float:
    if isinstance(value, bool):
        raise ValueError("is not a number")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ValueError("is not a number") from None
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("is not a finite number")
    if zero and value == 0:
        return 0.0
    if not low <= value <= high:
        raise ValueError(f"is outside {low:g} to {high:g}")
    return float(value)


def _whole(value: object, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValueError("is not a whole number")
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise ValueError("is not a whole number") from None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**62:
        value = int(value)
    if not isinstance(value, int):
        raise ValueError("is not a whole number")
    if not low <= value <= high:
        raise ValueError(f"is outside {low:,} to {high:,}")
    return value


def _names(value: object) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ValueError("is not a list of column names")
