"""The Dataset record, the seeded train/test split and the step that assembles both.

Shapes: n rows, d features. ``X`` is (n, d) scaled features, ``y`` (n,) float 0/1,
``train_idx`` / ``test_idx`` are sorted row positions into X, y and ``raw`` (disjoint,
together every row exactly once). The scaler is fitted on the training rows only, unless
a preset brings its own (the post's table was scaled over all rows).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import pandas as pd

from gdapp.datasets.errors import DatasetError
from gdapp.datasets.scaling import Scaler, fit_scaler


@dataclass(frozen=True, eq=False)
class Dataset:
    """A labelled table ready for training: raw values, scaled features, labels and split.

    ``raw`` keeps the original feature columns (raw units, rows in file order) and the label
    as 0/1 int in column ``label_name``; its index is the row's original 0-based position
    where rows were dropped (``diabetes-post``), else 0..n-1. ``positive_label`` /
    ``negative_label`` say what y = 1 / y = 0 mean. ``imputed`` maps a feature to the value
    that replaced its zeros or missing values in X (empty unless some were imputed; ``raw``
    keeps the zeros and NaNs). A file's own row labels (R's and pandas' unnamed first
    column) are ``raw``'s index; ``row_labels`` returns them. ``notes`` are what a user
    should know about how the file was read (rows left out, encoding, separators).
    Arrays are read-only.
    """

    name: str
    source: str
    feature_names: tuple[str, ...]
    label_name: str
    positive_label: str
    raw: pd.DataFrame
    X: np.ndarray
    y: np.ndarray
    train_idx: np.ndarray
    test_idx: np.ndarray
    scaler: Scaler
    negative_label: str = ""
    imputed: Mapping[str, float] = field(default_factory=dict)
    description: str = ""
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n, d = len(self.raw), len(self.feature_names)
        if self.X.shape != (n, d) or self.y.shape != (n,):
            raise DatasetError(
                f"inconsistent dataset {self.name!r}: raw has {n} rows and {d} features, "
                f"X is {self.X.shape}, y is {self.y.shape}"
            )
        for array in (self.X, self.y, self.train_idx, self.test_idx):
            array.setflags(write=False)

    @property
    def row_labels(self) -> pd.Index | None:
        """The file's row labels (text), one per row of ``raw``, or None if it had none."""
        index = self.raw.index
        return index if index.dtype.kind not in "iu" else None

    @property
    def n_samples(self) -> int:
        return len(self.y)

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @property
    def X_train(self) -> np.ndarray:
        """Scaled training features, (n_train, d)."""
        return self.X[self.train_idx]

    @property
    def y_train(self) -> np.ndarray:
        """Training labels, (n_train,)."""
        return self.y[self.train_idx]

    @property
    def X_test(self) -> np.ndarray:
        """Scaled test features, (n_test, d); n_test may be 0."""
        return self.X[self.test_idx]

    @property
    def y_test(self) -> np.ndarray:
        """Test labels, (n_test,)."""
        return self.y[self.test_idx]

    def feature_summary(self) -> pd.DataFrame:
        """Per-feature min, max, mean and count of zeros over all rows of ``raw``.

        One row per feature (index = feature name), columns ``min``, ``max``, ``mean``,
        ``zeros``.
        """
        values = self.raw[list(self.feature_names)]
        return pd.DataFrame(
            {
                "min": values.min(),
                "max": values.max(),
                "mean": values.mean(),
                "zeros": (values == 0).sum().astype(np.int64),
            }
        )


def check_test_fraction(test_fraction: object, path: object = None) -> float:
    """Return test_fraction as a float, or raise DatasetError unless it is in [0, 1)."""
    if (
        isinstance(test_fraction, bool)
        or not isinstance(test_fraction, Real)
        or not math.isfinite(float(test_fraction))
        or not 0.0 <= float(test_fraction) < 1.0
    ):
        raise DatasetError(
            f"test_fraction must be a number in [0, 1), got {test_fraction!r}", path=path
        )
    return float(test_fraction)


def check_seed(seed: object, path: object = None) -> int:
    """Return seed as an int, or raise DatasetError unless it is a whole number >= 0."""
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise DatasetError(f"seed must be a whole number >= 0, got {seed!r}", path=path)
    return int(seed)


def split_indices(y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified seeded split of row positions: (train_idx, test_idx), both sorted.

    Each class sends round(test_fraction * its size) rows to the test set but always keeps
    at least one training row. The same (y, test_fraction, seed) gives the same split.
    """
    rng = np.random.default_rng(seed)
    test_parts = []
    for cls in np.unique(y):
        members = np.flatnonzero(y == cls)
        n_test = min(round(test_fraction * len(members)), len(members) - 1)
        test_parts.append(rng.permutation(members)[:n_test])
    test_idx = np.sort(np.concatenate(test_parts)) if test_parts else np.empty(0, np.intp)
    in_test = np.zeros(len(y), dtype=bool)
    in_test[test_idx] = True
    return np.flatnonzero(~in_test), np.flatnonzero(in_test)


def assemble(
    *,
    name: str,
    source: str,
    features: pd.DataFrame,
    y01: np.ndarray,
    label_name: str,
    positive_label: str,
    negative_label: str,
    scale: str,
    test_fraction: float,
    seed: int,
    impute_zero_columns: Sequence[str] = (),
    scaler: Scaler | None = None,
    description: str = "",
    notes: Sequence[str] = (),
    fill_missing: bool = False,
) -> Dataset:
    """Split, impute (optional), scale and wrap ``features`` (n, d raw) and ``y01`` (n,).

    Zeros in ``impute_zero_columns`` are replaced in X by the median of that column's
    non-zero training values; with ``fill_missing``, NaNs in any column by the median of
    its training values. ``scaler`` given means it is used as is; otherwise a ``scale``
    scaler is fitted on the training rows. ``features`` is not copied: the caller hands
    it over (``raw`` shares its columns).
    """
    feature_names = tuple(str(c) for c in features.columns)
    train_idx, test_idx = split_indices(y01, test_fraction, seed)
    # One C-ordered copy: the model reads rows, and X is scaled in place below.
    values = np.array(features.to_numpy(dtype=np.float64), dtype=np.float64, order="C")
    imputed = {}
    for column in impute_zero_columns:
        j = feature_names.index(column)
        measured = values[train_idx, j][values[train_idx, j] != 0]
        if measured.size == 0:
            raise DatasetError(
                "no measured (non-zero) training value to impute from", column=column
            )
        imputed[column] = float(np.median(measured))
        values[values[:, j] == 0, j] = imputed[column]
    if fill_missing:
        for j, column in enumerate(feature_names):
            gaps = np.isnan(values[:, j])
            if not gaps.any():
                continue
            measured = values[train_idx, j]
            measured = measured[~np.isnan(measured)]
            if measured.size == 0:
                raise DatasetError("no training row holds a value to fill gaps with", column=column)
            imputed[column] = float(np.median(measured))
            values[gaps, j] = imputed[column]
    in_train = np.zeros(len(values), dtype=bool)
    in_train[train_idx] = True
    if scaler is None:
        # Unchanged values are fitted on the frame, whose columns are contiguous: picking
        # the training rows there is much cheaper than in the row-major copy.
        fit_values = values if imputed else features
        scaler = fit_scaler(fit_values, scale, feature_names, rows=in_train)
    X = np.ascontiguousarray(scaler.transform(values, copy=False))
    raw = features.assign(**{label_name: np.asarray(y01, dtype=np.int64)})
    return Dataset(
        name=name,
        source=source,
        feature_names=feature_names,
        label_name=label_name,
        positive_label=positive_label,
        raw=raw,
        X=X,
        y=np.array(y01, dtype=np.float64),
        train_idx=train_idx,
        test_idx=test_idx,
        scaler=scaler,
        negative_label=negative_label,
        imputed=imputed,
        description=description,
        notes=tuple(notes),
    )


def from_arrays(
    X: np.ndarray,
    y01: np.ndarray,
    *,
    name: str = "arrays",
    feature_names: Sequence[str] | None = None,
    scale: str = "standard",
    test_fraction: float = 0.2,
    seed: int = 0,
) -> Dataset:
    """A Dataset from a numeric table X (n, d) and 0/1 labels y01 (n,), assembled (split,
    scaled) as the presets are; features are named ``x0, x1, ...`` unless named."""
    X = np.asarray(X, dtype=np.float64)
    names = (
        list(feature_names) if feature_names is not None else [f"x{j}" for j in range(X.shape[1])]
    )
    return assemble(
        name=name,
        source=f"{name}.csv",
        features=pd.DataFrame(X, columns=names),
        y01=np.asarray(y01, dtype=np.int8),
        label_name="label",
        positive_label="1",
        negative_label="0",
        scale=scale,
        test_fraction=test_fraction,
        seed=seed,
    )
