"""load_csv: a user's table file (CSV in any usual dialect, or an Excel workbook) -> Dataset.

Everything is read and checked before anything is returned, so a bad file raises one
DatasetError and leaves nothing half-loaded behind. Rows with missing values are left out
(``missing="drop"``, with a note giving their count) or their gaps filled with the training
median (``missing="fill"``); a row without a label is always left out.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from gdapp.datasets._text import format_value, short_text
from gdapp.datasets.csv_reader import Progress, describe_columns, open_table
from gdapp.datasets.dataset import Dataset, assemble, check_seed, check_test_fraction
from gdapp.datasets.errors import DatasetError
from gdapp.datasets.labels import encode_labels
from gdapp.datasets.scaling import SCALE_KINDS

MISSING_CHOICES = ("drop", "fill")


def load_csv(
    path: str | os.PathLike[str],
    *,
    label: str | None = None,
    features: Sequence[str] | None = None,
    positive: object = None,
    scale: str = "minmax",
    test_fraction: float = 0.2,
    seed: int = 0,
    missing: str = "drop",
    sheet: str | int | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Load a table with a header line into a Dataset.

    ``label`` names the label column (default: the last column); ``features`` the feature
    columns (default: all others but the row labels), which must hold finite numbers or
    missing values. ``missing`` says what happens to rows with a missing feature ("drop"
    or "fill"). The label column must hold exactly two classes; ``positive`` chooses the
    one mapped to 1 (see ``encode_labels`` for the default). ``scale`` ("minmax" to
    [-1, 1], "standard" or "none") is fitted on the training split only.
    ``test_fraction`` in [0, 1) of each class goes to the test split, drawn with ``seed``.
    ``sheet`` picks a workbook's sheet (name or 0-based position; default the first).
    ``progress(fraction)`` is called while reading, with fractions rising to 1.0.
    """
    if scale not in SCALE_KINDS:
        raise DatasetError(
            f"unknown scaling {scale!r}; choose one of {', '.join(SCALE_KINDS)}", path=path
        )
    if missing not in MISSING_CHOICES:
        raise DatasetError(
            f"unknown missing-value choice {missing!r}; choose one of {', '.join(MISSING_CHOICES)}",
            path=path,
        )
    test_fraction = check_test_fraction(test_fraction, path)
    seed = check_seed(seed, path)
    source = open_table(path, sheet)
    path = source.path
    feature_names, label_name = _choose_columns(source.names, label, features, path)
    if progress is not None:
        progress(0.0)
    table = source.read(feature_names, label_name, progress)
    notes = table.notes
    frame, lines, row_labels = table.frame, table.lines, table.row_labels
    values = frame[list(feature_names)]
    gaps = values.isna().to_numpy()
    no_label = frame[label_name].isna().to_numpy()
    drop = no_label | gaps.any(axis=1) if missing == "drop" else no_label
    if drop.all():
        raise DatasetError(
            f"every one of the {len(frame):,} data rows has a missing value", path=path
        )
    if drop.any():
        count = int(drop.sum())
        first = int(lines[np.argmax(drop)])
        what = "a missing label" if missing == "fill" or not gaps.any() else "missing values"
        notes.append(
            f"{count:,} row{'s' if count != 1 else ''} with {what} left out "
            f"(the first at line {first})."
        )
        keep = ~drop
        frame, lines = frame.loc[keep], lines[keep]
        gaps = gaps[keep]
        if row_labels is not None:
            row_labels = row_labels[keep]
    if missing == "fill" and gaps.any():
        notes.append(
            f"{int(gaps.sum()):,} missing value{'s' if gaps.sum() != 1 else ''} in "
            f"{int(gaps.any(axis=1).sum()):,} row(s) filled with the training median."
        )
    y01, positive_label, negative_label = encode_labels(
        frame[label_name], positive, path=path, notes=notes
    )
    features_frame = frame[list(feature_names)]
    if row_labels is not None:
        features_frame = features_frame.set_axis(row_labels, axis=0)
    elif drop.any():  # the index keeps each row's 0-based position among the data lines
        features_frame = features_frame.set_axis(pd.Index(lines - 2), axis=0)
    else:
        features_frame = features_frame.reset_index(drop=True)
    del frame, values
    _reject_constant(features_frame, feature_names, path)
    try:
        dataset = assemble(
            name=path.stem,
            source=str(path),
            features=features_frame,
            y01=y01,
            label_name=label_name,
            positive_label=positive_label,
            negative_label=negative_label,
            scale=scale,
            test_fraction=test_fraction,
            seed=seed,
            notes=notes,
            fill_missing=missing == "fill",
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
            f"only one column ({short_text(names[0])!r}); a dataset needs at least one "
            "feature column and a label column",
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
    low, high = table.min(skipna=True).to_numpy(), table.max(skipna=True).to_numpy()
    flat = ~(low < high)
    if flat.any():
        j = int(np.flatnonzero(flat)[0])
        if np.isnan(low[j]):
            raise DatasetError("every value is missing", path=path, column=feature_names[j])
        raise DatasetError(
            f"every row holds the same value ({format_value(low[j])}); a constant "
            "feature carries nothing to learn from",
            path=path,
            column=feature_names[j],
        )
