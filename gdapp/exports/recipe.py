"""What a generated script needs to repeat a run, checked before a line of code is written.

A ``Recipe`` gathers the inputs of a run: where the data comes from (a dataset origin, as the
window records it), the ``TrainConfig``, the number of committed steps, the learning-rate
changes and, optionally, a starting point.  ``make_recipe`` checks them against what the
generated code will do:

- the dataset is loaded again with the app's own loaders and, when the dataset being trained
  on is given, compared with it array for array;
- the data file is read the way the generated code reads it (plain ``pandas.read_csv``), and
  the raw feature values and the 0/1 labels must equal the loader's exactly.

Whatever fails a check raises ``ExportError`` naming it, so no script is written that would
print a different number from the app's.

Dataset origins
---------------
``{"preset": "diabetes" | "diabetes-post"}`` with optional ``impute_zeros`` (diabetes only),
``test_fraction`` (default 0.2) and ``seed`` (of the split, default 0); or
``{"csv": path}`` with optional ``label``, ``features``, ``positive``, ``scale`` (default
"minmax"), ``test_fraction`` and ``seed``, the keyword arguments of ``load_csv``.

The generated presets ``moons`` and ``xor`` have no file: the code draws their table with the
same numpy calls as ``gdapp.datasets.generated`` (``path`` is then empty).

Learning-rate changes
---------------------
``(step, lr)`` pairs in increasing step order: update number ``step`` (1-based) and every
later one use ``lr`` until the next change.  Before the first change, ``config.lr`` applies; a
change at step 1 replaces it.  Changes after the last step are dropped, since no update uses
them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gdapp.core.trainer import TrainConfig, model_for
from gdapp.datasets import DATA_CSV, PRESETS, Dataset, DatasetError, load_csv, load_preset
from gdapp.datasets.presets import GENERATED_PRESETS
from gdapp.exports.errors import ExportError

__all__ = ["Recipe", "lr_changes_from_history", "make_recipe"]

DEFAULT_TEST_FRACTION = 0.2
DEFAULT_SEED = 0
PRESET_KEYS = ("preset", "impute_zeros", "test_fraction", "seed")
CSV_KEYS = ("csv", "label", "features", "positive", "scale", "test_fraction", "seed")
# Columns of the diabetes preset whose zeros mean "not measured" (see gdapp.datasets.presets).
DIABETES_ZERO_MEANS_MISSING = ("glucose", "blood_pressure", "skin_thickness", "insulin", "bmi")
DIABETES_LABEL = "outcome"


@dataclass(frozen=True)
class Recipe:
    """A checked run: the data steps, the training settings and the schedule.

    ``kind`` is ``"diabetes"``, ``"diabetes-post"`` or ``"csv"``; ``path`` the absolute path
    of the file the code reads.  For a CSV, ``label_header`` is the label's name as written
    in the header (``strip_header`` says whether names carry spaces to remove) and
    ``positive`` the class mapped to 1 (a float when the labels are numbers).
    """

    kind: str
    path: str
    features: tuple[str, ...]
    label: str
    label_header: str
    strip_header: bool
    positive: str | float
    positive_name: str
    negative_name: str
    scale: str
    impute_zeros: tuple[str, ...]
    test_fraction: float
    split_seed: int
    n_rows: int
    n_train: int
    n_test: int
    config: TrainConfig
    steps: int
    lr0: float
    lr_changes: tuple[tuple[int, float], ...]
    start: tuple[float, ...] | None

    @property
    def has_test(self) -> bool:
        return self.n_test > 0

    @property
    def full_batch(self) -> bool:
        size = self.config.batch_size
        return size is None or size >= self.n_train


def lr_changes_from_history(lr: Sequence[float] | np.ndarray) -> list[tuple[int, float]]:
    """The learning-rate changes of a run from its history's ``lr`` column.

    Row ``k >= 1`` of ``History.lr`` holds the rate update ``k`` used (row 0 the rate set at
    step 0), so the result starts with ``(1, lr[1])`` and lists every later step whose rate
    differs from the step before.  Shorter than two rows: no update, no change.
    """
    rates = [float(v) for v in np.asarray(lr, dtype=np.float64).ravel()]
    changes = []
    for step in range(1, len(rates)):
        if step == 1 or rates[step] != rates[step - 1]:
            changes.append((step, rates[step]))
    return changes


def make_recipe(
    dataset_origin: Mapping[str, Any],
    config: TrainConfig,
    steps: int,
    lr_changes: Sequence[tuple[int, float]] = (),
    *,
    start: Sequence[float] | None = None,
    dataset: Dataset | None = None,
) -> Recipe:
    """Check a run and return its Recipe; raises ExportError naming what cannot be repeated.

    ``start`` is a starting point given to the Trainer (the model's ``n_params(d)``
    numbers: ``d + 1`` weights then bias, or a hidden layer's flat vector); without it
    ``config.init`` decides (a hidden layer's seeded random start).  ``dataset``, when
    given, is the dataset being trained on: loading ``dataset_origin`` again must give the
    same arrays.
    """
    if not isinstance(config, TrainConfig):
        raise ExportError(f"config must be a TrainConfig, got {type(config).__name__}")
    if isinstance(steps, bool) or not isinstance(steps, Integral) or steps < 0:
        raise ExportError(f"steps must be a whole number >= 0, got {steps!r}")
    steps = int(steps)
    loaded, kind, options = _load(dataset_origin)
    if dataset is not None:
        _check_same_data(loaded, dataset)
    lr0, changes = _schedule(config.lr, lr_changes, steps)
    start_point = _check_start(start, loaded.n_features, config)
    generated = kind in GENERATED_PRESETS
    path = Path(loaded.source if kind == "csv" else DATA_CSV).resolve()
    header = [] if generated else _header(path)
    label_header = next((h for h in header if h.strip() == loaded.label_name), loaded.label_name)
    strip = kind == "csv" and any(h != h.strip() for h in header)
    positive: str | float = loaded.positive_label
    recipe = Recipe(
        kind=kind,
        path="" if generated else str(path),
        features=tuple(loaded.feature_names),
        label=loaded.label_name,
        label_header=label_header,
        strip_header=strip,
        positive=positive,
        positive_name=loaded.positive_label,
        negative_name=loaded.negative_label,
        scale=loaded.scaler.kind,
        impute_zeros=tuple(loaded.imputed),
        test_fraction=options["test_fraction"],
        split_seed=options["seed"],
        n_rows=loaded.n_samples,
        n_train=len(loaded.train_idx),
        n_test=len(loaded.test_idx),
        config=config,
        steps=steps,
        lr0=lr0,
        lr_changes=changes,
        start=start_point,
    )
    if generated:
        return recipe  # no file to read; the export tests run the drawn table's code
    table = _plain_table(recipe)
    if kind == "csv" and _labels_are_numbers(table[recipe.label]):
        recipe = replace(recipe, positive=float(loaded.positive_label))
    _check_plain_read(recipe, table, loaded)
    return recipe


# -- dataset origin --------------------------------------------------------------------------
def _load(origin: Mapping[str, Any]) -> tuple[Dataset, str, dict[str, Any]]:
    if not isinstance(origin, Mapping):
        raise ExportError(f"the dataset origin must be a mapping, got {type(origin).__name__}")
    if "preset" in origin and "csv" in origin:
        raise ExportError("the dataset origin names both a preset and a CSV file")
    if "preset" in origin:
        kind, allowed = "preset", PRESET_KEYS
    elif "csv" in origin:
        kind, allowed = "csv", CSV_KEYS
    else:
        raise ExportError("the dataset origin names neither a preset nor a CSV file")
    unknown = [key for key in origin if key not in allowed]
    if unknown:
        raise ExportError(
            f"cannot repeat the dataset option {unknown[0]!r}; "
            f"a {kind} origin takes {', '.join(allowed)}"
        )
    options = {
        "test_fraction": origin.get("test_fraction", DEFAULT_TEST_FRACTION),
        "seed": origin.get("seed", DEFAULT_SEED),
    }
    try:
        if kind == "preset":
            name = origin["preset"]
            if name not in PRESETS:
                raise ExportError(
                    f"unknown preset {name!r}; the presets are {', '.join(map(repr, PRESETS))}"
                )
            loaded = load_preset(name, impute_zeros=bool(origin.get("impute_zeros")), **options)
            kind = name
        else:
            loaded = load_csv(
                origin["csv"],
                label=origin.get("label"),
                features=origin.get("features"),
                positive=origin.get("positive"),
                scale=origin.get("scale", "minmax"),
                **options,
            )
    except DatasetError as exc:
        raise ExportError(f"cannot load the data again: {exc}") from None
    except OSError as exc:
        raise ExportError(f"cannot load the data again: {exc.strerror or exc}") from None
    # The loaders have checked both; keep them as the plain numbers the code will show.
    options = {"test_fraction": float(options["test_fraction"]), "seed": int(options["seed"])}
    return loaded, kind, options


def _check_same_data(loaded: Dataset, current: Dataset) -> None:
    same = (
        tuple(loaded.feature_names) == tuple(current.feature_names)
        and loaded.X.shape == current.X.shape
        and np.array_equal(loaded.X, current.X)
        and np.array_equal(loaded.y, current.y)
        and np.array_equal(loaded.train_idx, current.train_idx)
        and np.array_equal(loaded.test_idx, current.test_idx)
    )
    if not same:
        raise ExportError(
            f"loading {Path(loaded.source).name or loaded.source} again with the recorded "
            "options gives different data from the data being trained on (has the file "
            "changed since it was opened?)"
        )


# -- schedule and start ----------------------------------------------------------------------
def _positive_rate(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ExportError(f"{what} must be a finite number > 0, got {value!r}")
    if not value > 0:
        raise ExportError(f"{what} must be a finite number > 0, got {value!r}")
    return float(value)


def _schedule(
    lr: float, lr_changes: Sequence[tuple[int, float]], steps: int
) -> tuple[float, tuple[tuple[int, float], ...]]:
    lr0 = _positive_rate(lr, "the learning rate")
    current, changes, last_step = lr0, [], 0
    for item in lr_changes:
        if not (isinstance(item, Sequence) and len(item) == 2):
            raise ExportError(f"a learning-rate change must be a (step, lr) pair, got {item!r}")
        step, rate = item
        if isinstance(step, bool) or not isinstance(step, Integral) or step < 1:
            raise ExportError(f"a learning-rate change needs a step >= 1, got {step!r}")
        if step <= last_step:
            raise ExportError(
                f"learning-rate changes must be in increasing step order; step {step} "
                f"follows step {last_step}"
            )
        rate = _positive_rate(rate, f"the learning rate of step {step}")
        last_step = int(step)
        if step > steps or rate == current:
            continue
        if step == 1:
            lr0 = rate
        else:
            changes.append((int(step), rate))
        current = rate
    return lr0, tuple(changes)


def _check_start(
    start: Sequence[float] | None, n_features: int, config: TrainConfig
) -> tuple[float, ...] | None:
    if start is None:
        return None
    model = model_for(config)
    p = model.n_params(n_features)
    values = np.asarray(start, dtype=np.float64).ravel()
    if values.shape != (p,) or not np.isfinite(values).all():
        layout = "the hidden layer's parameters" if config.model == "mlp" else "weights, then bias"
        raise ExportError(f"the starting point must be {p} finite numbers ({layout})")
    if not config.fit_bias:
        # The Trainer does the same: without a bias every bias slot stays 0.
        values[~model.weight_mask(n_features)] = 0.0
    return tuple(float(v) for v in values)


# -- reading the file as the generated code does ---------------------------------------------
def _header(path: Path) -> list[str]:
    try:
        return [str(c) for c in pd.read_csv(path, encoding="utf-8-sig", nrows=0).columns]
    except (OSError, ValueError) as exc:
        raise ExportError(f"{path.name}: cannot read the header with pandas ({exc})") from None


def _labels_are_numbers(labels: pd.Series) -> bool:
    """The loader's rule: labels compare as numbers when every one reads as a number."""
    return bool(pd.to_numeric(labels, errors="coerce").notna().all())


def _plain_table(recipe: Recipe) -> pd.DataFrame:
    """The file as the generated code reads it (see ``code_data.load_cell``)."""
    path = Path(recipe.path)
    try:
        if recipe.kind == "csv":
            table = pd.read_csv(path, encoding="utf-8-sig", dtype={recipe.label_header: str})
            if recipe.strip_header:
                table.columns = table.columns.str.strip()
        else:
            table = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise ExportError(
            f"{path.name}: pandas cannot read it as the script would ({exc})"
        ) from None
    label = recipe.label if recipe.kind == "csv" else DIABETES_LABEL
    missing = [c for c in (*recipe.features, label) if c not in table.columns]
    if missing:
        raise ExportError(f"{path.name}: pandas finds no column {missing[0]!r}")
    return table


def _plain_arrays(recipe: Recipe, table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Raw features (n, d) and 0/1 labels (n,) computed as the generated code computes them."""
    try:
        if recipe.kind == "csv":
            X_raw = table[list(recipe.features)].to_numpy(dtype=float)
            labels = table[recipe.label]
            if isinstance(recipe.positive, float):
                labels = pd.to_numeric(labels)
            return X_raw, (labels == recipe.positive).to_numpy(dtype=float)
        X_all = table[list(recipe.features)].to_numpy(dtype=float)
        outcome = table[DIABETES_LABEL].to_numpy(dtype=float)
        if recipe.kind == "diabetes":
            return X_all, outcome
        lo, hi = X_all.min(axis=0), X_all.max(axis=0)
        kept = ~(2 * X_all == lo + hi).any(axis=1)
        return X_all[kept], 1.0 - outcome[kept]
    except (ValueError, TypeError) as exc:
        raise ExportError(
            f"{Path(recipe.path).name}: pandas cannot read it as the script would ({exc})"
        ) from None


def _check_plain_read(recipe: Recipe, table: pd.DataFrame, loaded: Dataset) -> None:
    name = Path(recipe.path).name
    X_raw, y = _plain_arrays(recipe, table)
    expected = loaded.raw[list(loaded.feature_names)].to_numpy(dtype=float)
    if X_raw.shape != expected.shape:
        raise ExportError(
            f"{name}: pandas reads {X_raw.shape[0]} data rows where the app's loader reads "
            f"{expected.shape[0]}; a script could not repeat this run"
        )
    differs = ~((X_raw == expected) | (np.isnan(X_raw) & np.isnan(expected))).all(axis=0)
    if differs.any():
        column = recipe.features[int(np.flatnonzero(differs)[0])]
        raise ExportError(
            f"{name}, column {column!r}: pandas reads other values than the app's loader; "
            "a script could not repeat this run"
        )
    if not np.array_equal(y, loaded.y):
        raise ExportError(
            f"{name}, column {recipe.label!r}: the labels read by pandas do not give the app's "
            "0/1 classes; a script could not repeat this run"
        )
