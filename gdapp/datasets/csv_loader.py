"""load_csv: a user's CSV file -> Dataset (checked, labels 0/1, split, scaled).

Everything is read and checked before anything is returned, so a bad file raises one
DatasetError and leaves nothing half-loaded behind.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gdapp.datasets._text import format_value
from gdapp.datasets.csv_reader import (
    Progress,
    check_file,
    describe_columns,
    read_checked,
    read_header,
)
from gdapp.datasets.dataset import Dataset, assemble, check_seed, check_test_fraction
from gdapp.datasets.errors import DatasetError
from gdapp.datasets.labels import encode_labels
from gdapp.datasets.scaling import SCALE_KINDS


def load_csv(
    path: str | os.PathLike[str],
    *,
    label: str | None = None,
    features: Sequence[str] | None = None,
    positive: object = None,
    scale: str = "minmax",
    test_fraction: float = 0.2,
    seed: int = 0,
    progress: Progress | None = None,
) -> Dataset:
    """Load a CSV with a header line into a Dataset.

    ``label`` names the label column (default: the last column); ``features`` the feature
    columns (default: all others), which must hold finite numbers. The label column must
    hold exactly two classes; ``positive`` chooses the one mapped to 1 (see
    ``encode_labels`` for the default). ``scale`` ("minmax" to [-1, 1], "standard" or
    "none") is fitted on the training split only. ``test_fraction`` in [0, 1) of each class
    goes to the test split, drawn with ``seed``. ``progress(fraction)`` is called while
    reading, with fractions rising to 1.0 at the end.
    """
    if scale not in SCALE_KINDS:
        raise DatasetError(
            f"unknown scaling {scale!r}; choose one of {', '.join(SCALE_KINDS)}", path=path
        )
    test_fraction = check_test_fraction(test_fraction, path)
    seed = check_seed(seed, path)
    path = check_file(path)
    names = read_header(path)
    feature_names, label_name = _choose_columns(names, label, features, path)
    if progress is not None:
        progress(0.0)
    table = read_checked(path, names, feature_names, label_name, progress)
    y01, positive_label, negative_label = encode_labels(table[label_name], positive, path=path)
    _reject_constant(table, feature_names, path)
    try:
        dataset = assemble(
            name=path.stem,
            source=str(path),
            features=table[list(feature_names)],
            y01=y01,
            label_name=label_name,
            positive_label=positive_label,
            negative_label=negative_label,
            scale=scale,
            test_fraction=test_fraction,
            seed=seed,
        )
    except DatasetError as error:  # e.g. a feature constant on the training split
        if error.path is not None:
            raise
        raise DatasetError(error.problem, path=path, row=error.row, column=error.column) from error
    if progress is not None:
        progress(1.0)
    return dataset


def _choose_columns(
    names: list[str], label: str | None, features: Sequence[str] | None, path: Path
) -> tuple[tuple[str, ...], str]:
    if len(names) < 2:
        raise DatasetError(
            f"only one column ({names[0]!r}); a dataset needs at least one feature column "
            "and a label column",
            path=path,
            row=1,
        )
    label_name = names[-1] if label is None else label
    if label_name not in names:
        raise DatasetError(
            f"no such label column; the columns are {describe_columns(names)}",
            path=path,
            column=label_name,
        )
    if features is None:
        chosen = [n for n in names if n != label_name]
    elif isinstance(features, str):
        chosen = [features]
    else:
        chosen = list(features)
    if not chosen:
        raise DatasetError("no feature columns chosen", path=path)
    for name in chosen:
        if name not in names:
            raise DatasetError(
                f"no such feature column; the columns are {describe_columns(names)}",
                path=path,
                column=name,
            )
        if name == label_name:
            raise DatasetError("a column cannot be both label and feature", path=path, column=name)
    if len(set(chosen)) != len(chosen):
        raise DatasetError("a feature column is listed twice", path=path)
    return tuple(chosen), label_name


def _reject_constant(table, feature_names: Sequence[str], path: Path) -> None:
    values = table[list(feature_names)].to_numpy(dtype=np.float64)
    flat = values.min(axis=0) == values.max(axis=0)
    if flat.any():
        j = int(np.flatnonzero(flat)[0])
        raise DatasetError(
            f"every row holds the same value ({format_value(values[0, j])}); a constant "
            "feature carries nothing to learn from",
            path=path,
            column=feature_names[j],
        )
