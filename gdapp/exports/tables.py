"""The weights and the history of a run as CSV and JSON files that read back exactly.

Every float is written as its ``repr``, the shortest text that reads back as the same double,
so ``pandas.read_csv`` (or ``json.load``) gives back the very numbers that were written.

Shapes: ``d`` features; ``theta`` is ``(d + 1,)``, weights then the bias last (as in
``gdapp.core.models``).  A history has ``k`` rows (row ``i`` is the state after step ``i``):
``step``, ``epoch``, ``train_loss``, ``train_acc`` and ``lr`` are ``(k,)``, ``theta`` is
``(k, d + 1)`` and ``test_loss`` / ``test_acc`` are ``(k,)`` or None without a test set,
the names of ``gdapp.core.trainer.History`` and of a snapshot's ``rows``.

Files
-----
weights CSV   columns ``parameter, value``; one row ``w_<feature>`` per weight, then ``bias``
weights JSON  ``{"weights": {feature: weight, ...}, "bias": b, "feature_names": [...],
              "config": {TrainConfig fields}, "dataset": {dataset origin}}``
history CSV   columns ``step, epoch, train_loss, test_loss, train_accuracy, test_accuracy,
              w_<feature>..., bias, lr``; the test cells are empty without a test set

A model with a hidden layer has ``p`` parameters instead of ``d + 1``: pass its
``param_names`` (``h1:glucose`` … ``out:bias``) as ``parameter_names``, and they name the
CSV rows and columns instead of ``w_<feature>`` and ``bias``; its weights JSON holds
``"parameters": {name: value, ...}`` instead of ``"weights"`` and ``"bias"``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gdapp.core.trainer import TrainConfig
from gdapp.exports.errors import ExportError

__all__ = [
    "HISTORY_KEYS",
    "history_table",
    "parameter_columns",
    "weight_columns",
    "write_history_csv",
    "write_weights_csv",
    "write_weights_json",
]

HISTORY_KEYS = ("step", "epoch", "train_loss", "test_loss", "train_acc", "test_acc", "theta", "lr")
WEIGHTS_FORMAT = "gdapp-weights"
WEIGHTS_FORMAT_VERSION = 1


def weight_columns(feature_names: Sequence[str]) -> list[str]:
    """Column names of the parameters: ``w_<feature>`` for each weight, then ``bias``."""
    names = [str(n) for n in feature_names]
    if len(set(names)) != len(names):
        raise ExportError("two features have the same name; their weights could not be told apart")
    return [*(f"w_{n}" for n in names), "bias"]


def parameter_columns(
    feature_names: Sequence[str], parameter_names: Sequence[str] | None = None
) -> list[str]:
    """``weight_columns(feature_names)``, or ``parameter_names`` (a hidden layer's) checked."""
    if parameter_names is None:
        return weight_columns(feature_names)
    names = [str(n) for n in parameter_names]
    if len(set(names)) != len(names):
        raise ExportError("two parameters have the same name; they could not be told apart")
    return names


def _theta(theta: Any, d: int, what: str = "theta", hidden: bool = False) -> np.ndarray:
    values = np.asarray(theta, dtype=np.float64)
    if values.shape[-1:] != (d + 1,):
        layout = "parameters of the model" if hidden else f"{d} weights, then the bias"
        raise ExportError(
            f"{what} must hold {d + 1} numbers per row ({layout}), got shape {values.shape}"
        )
    return values


def _number(value: float) -> str:
    return repr(float(value))


def _open(path: str | os.PathLike[str]):
    try:
        return Path(path).open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_weights_csv(
    path: str | os.PathLike[str],
    feature_names: Sequence[str],
    theta: Sequence[float],
    *,
    parameter_names: Sequence[str] | None = None,
) -> Path:
    """Write the weights and the bias as ``parameter,value`` rows; returns the path."""
    columns = parameter_columns(feature_names, parameter_names)
    values = _theta(theta, len(columns) - 1, hidden=parameter_names is not None)
    if values.ndim != 1:
        raise ExportError(f"theta must be one parameter vector, got shape {values.shape}")
    with _open(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["parameter", "value"])
        writer.writerows([name, _number(v)] for name, v in zip(columns, values, strict=True))
    return Path(path)


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars and arrays turned into JSON's own types."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


def write_weights_json(
    path: str | os.PathLike[str],
    feature_names: Sequence[str],
    theta: Sequence[float],
    *,
    config: TrainConfig | None = None,
    dataset_origin: Mapping[str, Any] | None = None,
    parameter_names: Sequence[str] | None = None,
) -> Path:
    """Write ``{"weights": {feature: w}, "bias": b, ...}`` with the run's config and origin
    (``{"parameters": {name: value}, ...}`` for a hidden layer's ``parameter_names``)."""
    weight_columns(feature_names)  # same check on the names as for the CSV
    columns = parameter_columns(feature_names, parameter_names)
    values = _theta(theta, len(columns) - 1, hidden=parameter_names is not None)
    if values.ndim != 1:
        raise ExportError(f"theta must be one parameter vector, got shape {values.shape}")
    if not np.isfinite(values).all():
        raise ExportError("the weights are not all finite numbers; JSON cannot hold them")
    document: dict[str, Any] = {
        "format": WEIGHTS_FORMAT,
        "version": WEIGHTS_FORMAT_VERSION,
        "feature_names": [str(n) for n in feature_names],
    }
    if parameter_names is None:
        document["weights"] = {
            str(n): float(v) for n, v in zip(feature_names, values[:-1], strict=True)
        }
        document["bias"] = float(values[-1])
    else:
        document["parameters"] = {n: float(v) for n, v in zip(columns, values, strict=True)}
    document["config"] = None if config is None else _plain(dataclasses.asdict(config))
    document["dataset"] = None if dataset_origin is None else _plain(dict(dataset_origin))
    with _open(path) as handle:
        json.dump(document, handle, indent=2, allow_nan=False)
        handle.write("\n")
    return Path(path)


def _history_arrays(history: Any) -> dict[str, Any]:
    """The history's columns by name, from a mapping or from an object's attributes."""
    get = history.get if isinstance(history, Mapping) else lambda k: getattr(history, k, None)
    return {key: get(key) for key in HISTORY_KEYS}


def history_table(
    feature_names: Sequence[str],
    history: Any,
    *,
    parameter_names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per history row; see the module docstring for the columns.

    ``history`` is a ``History`` or a mapping with its keys (a snapshot's ``rows``).
    """
    arrays = _history_arrays(history)
    missing = [k for k in HISTORY_KEYS if arrays[k] is None and k not in ("test_loss", "test_acc")]
    if missing:
        raise ExportError(f"the history has no {', '.join(missing)} column")
    columns = parameter_columns(feature_names, parameter_names)
    hidden = parameter_names is not None
    theta = _theta(arrays["theta"], len(columns) - 1, "the history's theta", hidden)
    if theta.ndim != 2:
        raise ExportError(f"the history's theta must be (rows, p), got shape {theta.shape}")
    rows = theta.shape[0]
    out: dict[str, Any] = {}
    for key, name in (
        ("step", "step"),
        ("epoch", "epoch"),
        ("train_loss", "train_loss"),
        ("test_loss", "test_loss"),
        ("train_acc", "train_accuracy"),
        ("test_acc", "test_accuracy"),
    ):
        value = arrays[key]
        column = np.full(rows, np.nan) if value is None else np.asarray(value)
        if column.shape != (rows,):
            raise ExportError(
                f"the history's {key} has shape {column.shape}, theta has {rows} rows"
            )
        out[name] = column.astype(np.int64) if key == "step" else column.astype(np.float64)
    for j, name in enumerate(columns):
        out[name] = theta[:, j]
    lr = np.asarray(arrays["lr"], dtype=np.float64)
    if lr.shape != (rows,):
        raise ExportError(f"the history's lr has shape {lr.shape}, theta has {rows} rows")
    out["lr"] = lr
    return pd.DataFrame(out)


def _cell(value: Any) -> str:
    if isinstance(value, int | np.integer):
        return str(int(value))
    number = float(value)
    return "" if math.isnan(number) else repr(number)


def write_history_csv(
    path: str | os.PathLike[str],
    feature_names: Sequence[str],
    history: Any,
    *,
    parameter_names: Sequence[str] | None = None,
) -> Path:
    """Write ``history_table(feature_names, history)`` as CSV, floats as ``repr``."""
    table = history_table(feature_names, history, parameter_names=parameter_names)
    with _open(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.columns)
        columns = [table[c].tolist() for c in table.columns]
        writer.writerows([_cell(v) for v in row] for row in zip(*columns, strict=True))
    return Path(path)
