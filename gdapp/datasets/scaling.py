"""Feature scaling fitted on the training split and kept, so scaled values map back to raw.

X is (n_samples, n_features); every statistic is per feature, shape (n_features,).

- ``"minmax"``:   z = 2 (x - min) / (max - min) - 1, so the training split spans [-1, 1]
                  (test rows outside the training range land outside it).
- ``"standard"``: z = (x - mean) / std, std with ddof=0.
- ``"none"``:     z = x.
- ``"minmax-post"``: the blog post's variant, used only by the ``diabetes-post`` preset: the
                  min-max formula except that a value equal to its column's minimum becomes 0
                  instead of -1. Its inverse reads every 0 as the minimum, which is exact on
                  the post's table because that table has no row holding a midpoint value
                  (the one value that would also scale to 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from gdapp.datasets._text import format_value
from gdapp.datasets.errors import DatasetError

SCALE_KINDS = ("minmax", "standard", "none")
_PARAM_NAMES = {
    "minmax": ("min", "max"),
    "minmax-post": ("min", "max"),
    "standard": ("mean", "std"),
    "none": (),
}


@dataclass(frozen=True, eq=False)
class Scaler:
    """A fitted scaling: ``kind`` and its per-feature ``params`` (read-only (d,) arrays).

    ``params`` holds ``min``/``max`` for the min-max kinds, ``mean``/``std`` for
    ``"standard"`` and nothing for ``"none"``.
    """

    kind: str
    params: Mapping[str, np.ndarray]

    def __post_init__(self) -> None:
        if self.kind not in _PARAM_NAMES:
            raise DatasetError(
                f"unknown scaling {self.kind!r}; choose one of {', '.join(_PARAM_NAMES)}"
            )
        if set(self.params) != set(_PARAM_NAMES[self.kind]):
            raise DatasetError(f"scaling {self.kind!r} needs parameters {_PARAM_NAMES[self.kind]}")
        frozen = {}
        for key, value in self.params.items():
            array = np.array(value, dtype=np.float64)
            array.setflags(write=False)
            frozen[key] = array
        object.__setattr__(self, "params", MappingProxyType(frozen))

    def transform(self, X: np.ndarray, *, copy: bool = True) -> np.ndarray:
        """Raw values (n, d) or (d,) -> scaled values of the same shape (float64).

        ``copy=False`` scales a float64 ``X`` in place (a big file's values, once).
        """
        raw = np.asarray(X, dtype=np.float64)
        scaled = raw.copy() if copy else raw
        if self.kind == "none":
            return scaled
        if self.kind == "standard":
            scaled -= self.params["mean"]
            scaled /= self.params["std"]
            return scaled
        low, high = self.params["min"], self.params["max"]
        at_min = raw == low if self.kind == "minmax-post" else None
        # 2 (x - min) / (max - min) - 1, evaluated in that order but in place (big files).
        scaled -= low
        scaled *= 2.0
        scaled /= high - low
        scaled -= 1.0
        if at_min is not None:
            scaled[at_min] = 0.0
        return scaled

    def inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        """Scaled values (n, d) or (d,) -> raw values of the same shape (float64)."""
        scaled = np.asarray(Z, dtype=np.float64)
        if self.kind == "none":
            return scaled.copy()
        if self.kind == "standard":
            return scaled * self.params["std"] + self.params["mean"]
        low, high = self.params["min"], self.params["max"]
        raw = (scaled + 1.0) / 2.0 * (high - low) + low
        if self.kind == "minmax-post":
            raw = np.where(scaled == 0.0, low, raw)
        return raw


def fit_scaler(
    X: np.ndarray | pd.DataFrame,
    kind: str = "minmax",
    feature_names: Sequence[str] | None = None,
    *,
    rows: np.ndarray | None = None,
) -> Scaler:
    """Fit a ``kind`` scaling on the rows of X (n, d), normally the training split.

    ``rows`` (bool (n,)) picks the rows to fit on without copying them; default all. A
    DataFrame is read one column at a time, never converted as a whole.
    Raises DatasetError naming the feature when one is constant on these rows, since it
    cannot be scaled (and carries no information to learn from).
    """
    if kind not in SCALE_KINDS and kind != "minmax-post":
        raise DatasetError(f"unknown scaling {kind!r}; choose one of {', '.join(SCALE_KINDS)}")
    if isinstance(X, pd.DataFrame):
        frame = X

        def column_of(j: int) -> np.ndarray:
            return frame.iloc[:, j].to_numpy(dtype=np.float64)
    else:
        X = np.asarray(X, dtype=np.float64)

        def column_of(j: int) -> np.ndarray:
            return X[:, j]

    where = None if rows is None else np.asarray(rows, dtype=bool)
    n_rows = X.shape[0] if rows is None else int(np.count_nonzero(rows))
    if X.ndim != 2 or n_rows == 0:
        raise DatasetError(f"cannot fit a scaling on an array of shape {X.shape}")
    names = list(feature_names) if feature_names is not None else None
    if kind == "none":
        return Scaler(kind, {})
    # Column by column: a reduction over axis 0 of a narrow (n, d) array is slow in
    # numpy, and picking rows one column at a time never copies all of X.
    stats = {"standard": (np.mean, np.std), "minmax": (np.min, np.max)}
    first, second = stats["standard" if kind == "standard" else "minmax"]
    pairs = np.empty((2, X.shape[1]))
    for j in range(X.shape[1]):
        column = column_of(j) if where is None else column_of(j)[where]
        pairs[0, j], pairs[1, j] = first(column), second(column)
    if kind == "standard":
        params = {"mean": pairs[0], "std": pairs[1]}
        flat = params["std"] == 0
    else:
        params = {"min": pairs[0], "max": pairs[1]}
        flat = params["min"] == params["max"]
    if flat.any():
        j = int(np.flatnonzero(flat)[0])
        first = int(np.argmax(rows)) if rows is not None else 0
        raise DatasetError(
            f"every training row holds the same value ({format_value(column_of(j)[first])}); "
            "a constant feature cannot be scaled",
            column=names[j] if names else f"feature {j + 1}",
        )
    return Scaler(kind, params)
