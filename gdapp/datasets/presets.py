"""The built-in datasets: two computed from data/diabetes.csv (768 rows, 8 features) and two
made by a formula (``moons`` and ``xor``, 400 rows, 2 features; see ``generated.py``).

``diabetes`` (the app's default): every row, label 1 = diabetic, features min-max scaled
to [-1, 1] with the training split's min and max. With ``impute_zeros=True`` a zero in
glucose, blood pressure, skin thickness, insulin or BMI (a measurement never taken) is
replaced by the median of that column's measured training values before scaling.

``diabetes-post``: the 759-row table the source blog post trains on, rebuilt exactly,
including three things the post does not say:
1. its label is 1 - outcome, so 1 means NOT diabetic (the post says 1 = diabetic);
2. it scales x to 2 (x - min) / (max - min) - 1 with min and max over all 768 rows, but
   writes a value equal to its column's minimum as 0 instead of -1;
3. it lacks the 9 rows where some value lies exactly halfway between its column's min
   and max (ages of 51, one blood pressure of 61): rows ``POST_MISSING_ROWS``.
Its raw frame keeps each row's original 0-based row number as the index.

``moons`` and ``xor``: the same table on every call (a fixed generator seed); the split
follows ``seed``, and the features are min-max scaled to [-1, 1] on the training split,
as for ``diabetes``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from gdapp.datasets.csv_reader import open_table
from gdapp.datasets.dataset import Dataset, assemble, check_seed, check_test_fraction
from gdapp.datasets.errors import DatasetError
from gdapp.datasets.generated import FEATURES, make_moons, make_xor
from gdapp.datasets.scaling import Scaler
from gdapp.resources import resource_path

PRESETS = ("diabetes", "diabetes-post", "moons", "xor")
GENERATED_PRESETS = ("moons", "xor")  # made by a formula, no file
DATA_CSV = resource_path("data/diabetes.csv")

DIABETES_FEATURES = (
    "pregnancies",
    "glucose",
    "blood_pressure",
    "skin_thickness",
    "insulin",
    "bmi",
    "diabetes_pedigree",
    "age",
)
DIABETES_LABEL = "outcome"  # 1 = diabetic
DIABETES_ROWS = 768
# A zero in these columns marks a measurement that was not taken.
ZERO_MEANS_MISSING = ("glucose", "blood_pressure", "skin_thickness", "insulin", "bmi")
# 0-based rows of diabetes.csv absent from the post's table (see property 3 above).
POST_MISSING_ROWS = (14, 24, 236, 259, 285, 401, 458, 517, 658)
POST_LABEL = "not_diabetic"


_LAST_TABLE: dict[tuple[str, int, int], pd.DataFrame] = {}


def load_preset(
    name: str, *, impute_zeros: bool = False, test_fraction: float = 0.2, seed: int = 0
) -> Dataset:
    """Build the preset ``name`` (one of PRESETS) with a seeded train/test split."""
    if name not in PRESETS:
        raise DatasetError(
            f"unknown preset {name!r}; the presets are {', '.join(repr(p) for p in PRESETS)}"
        )
    test_fraction = check_test_fraction(test_fraction)
    seed = check_seed(seed)
    if name in GENERATED_PRESETS:
        if impute_zeros:
            raise DatasetError("impute_zeros applies to the 'diabetes' preset only")
        return _generated(name, test_fraction, seed)
    table = read_diabetes_table()
    if name == "diabetes":
        return _diabetes(table, impute_zeros, test_fraction, seed)
    if impute_zeros:
        raise DatasetError("impute_zeros applies to the 'diabetes' preset only")
    return _diabetes_post(table, test_fraction, seed)


def read_diabetes_table(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The 768 raw rows of diabetes.csv (default DATA_CSV), checked, index 0..767.

    The last table read is kept (a copy is returned) until the file's size or modification
    time changes: switching between the presets, or a lesson loading one, reads it once.
    """
    target = Path(DATA_CSV if path is None else path)
    try:
        stat = target.stat()
        key = (str(target.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None  # open_table names the problem
    cached = _LAST_TABLE.get(key) if key is not None else None
    if cached is not None:
        return cached.copy()
    table = _read_diabetes_table(target)
    _LAST_TABLE.clear()
    if key is not None:
        _LAST_TABLE[key] = table.copy()
    return table


def _read_diabetes_table(path: Path) -> pd.DataFrame:
    source = open_table(path)
    path, names = source.path, source.names
    if tuple(names) != (*DIABETES_FEATURES, DIABETES_LABEL) or source.has_row_labels:
        raise DatasetError(f"unexpected columns {names}", path=path, row=1)
    table = source.read(DIABETES_FEATURES, DIABETES_LABEL).frame
    table[DIABETES_LABEL] = pd.to_numeric(table[DIABETES_LABEL], errors="coerce")
    if table[list(DIABETES_FEATURES)].isna().any().any():
        raise DatasetError("a value is missing", path=path)
    if len(table) != DIABETES_ROWS or not table[DIABETES_LABEL].isin([0, 1]).all():
        raise DatasetError(
            f"expected {DIABETES_ROWS} rows with outcome 0 or 1, found {len(table)} rows", path=path
        )
    table[DIABETES_LABEL] = table[DIABETES_LABEL].astype(np.int64)
    return table


def midpoint_rows(features: pd.DataFrame) -> np.ndarray:
    """0-based positions of rows holding a value exactly at its column's (min + max) / 2."""
    values = features.to_numpy(dtype=np.float64)
    low, high = values.min(axis=0), values.max(axis=0)
    # 2x == min + max avoids dividing; exact for the integers where it happens here.
    return np.flatnonzero((2.0 * values == low + high).any(axis=1))


def _diabetes(table: pd.DataFrame, impute_zeros: bool, test_fraction: float, seed: int) -> Dataset:
    zeros = "; zeros meaning 'not measured' replaced by training medians" if impute_zeros else ""
    return assemble(
        name="diabetes",
        source="diabetes",
        features=table[list(DIABETES_FEATURES)],
        y01=table[DIABETES_LABEL].to_numpy(dtype=np.int8),
        label_name=DIABETES_LABEL,
        positive_label="diabetic",
        negative_label="not diabetic",
        scale="minmax",
        test_fraction=test_fraction,
        seed=seed,
        impute_zero_columns=ZERO_MEANS_MISSING if impute_zeros else (),
        description=(
            "Pima Indians Diabetes data, 768 patients; 1 = diabetic. Features scaled to "
            f"[-1, 1] with the training split's min and max{zeros}."
        ),
    )


def _diabetes_post(table: pd.DataFrame, test_fraction: float, seed: int) -> Dataset:
    features = table[list(DIABETES_FEATURES)]
    dropped = midpoint_rows(features)
    if tuple(dropped.tolist()) != POST_MISSING_ROWS:
        raise DatasetError(
            f"the midpoint rule drops rows {dropped.tolist()}, expected {list(POST_MISSING_ROWS)}; "
            "diabetes.csv is not the published table",
            path=DATA_CSV,
        )
    values = features.to_numpy(dtype=np.float64)
    scaler = Scaler("minmax-post", {"min": values.min(axis=0), "max": values.max(axis=0)})
    kept = np.setdiff1d(np.arange(len(table)), dropped)
    return assemble(
        name="diabetes-post",
        source="diabetes-post",
        features=features.iloc[kept],
        y01=1 - table[DIABETES_LABEL].to_numpy(dtype=np.int8)[kept],
        label_name=POST_LABEL,
        positive_label="not diabetic",
        negative_label="diabetic",
        scale=scaler.kind,
        test_fraction=test_fraction,
        seed=seed,
        scaler=scaler,
        description=(
            "The blog post's 759-row table. Its label is 1 - outcome, so 1 means NOT diabetic; "
            "features scaled with all 768 rows' min and max, minimum values written as 0; "
            "the 9 rows holding a value exactly midway between min and max are missing."
        ),
    )


_GENERATED = {
    "moons": (
        make_moons,
        "lower_moon",
        "lower moon",
        "upper moon",
        "Two interleaved half-moons, 400 points with a little noise; 1 = the lower moon. "
        "No straight line separates them. Features scaled to [-1, 1] with the training "
        "split's min and max.",
    ),
    "xor": (
        make_xor,
        "signs_differ",
        "signs differ",
        "same signs",
        "Four clusters of 100 points around (±1, ±1); 1 = x1 and x2 of opposite signs "
        "(exclusive or). No straight line separates them. Features scaled to [-1, 1] with "
        "the training split's min and max.",
    ),
}


def _generated(name: str, test_fraction: float, seed: int) -> Dataset:
    make, label, positive, negative, description = _GENERATED[name]
    X, y = make()
    return assemble(
        name=name,
        source=name,
        features=pd.DataFrame(X, columns=list(FEATURES)),
        y01=y,
        label_name=label,
        positive_label=positive,
        negative_label=negative,
        scale="minmax",
        test_fraction=test_fraction,
        seed=seed,
        description=description,
    )
