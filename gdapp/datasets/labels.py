"""Map a two-class label column to 0/1 and decide which class counts as positive (1).

Classes are compared as numbers when every label reads as one ("1" == "1.0"), else as
text without surrounding spaces and without case ("yes", "Yes " and "YES" are one class,
shown as its most common spelling). True/False labels are text, and 1/0 pick True/False.
The column is factorized first, so only its distinct values are ever normalised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdapp.datasets._text import format_value, quoted_list
from gdapp.datasets.errors import DatasetError

# Without an explicit choice, a class spelled like one of these is the positive one
# (compared case-insensitively). Numeric 0/1 labels need no guess: 1 is positive.
POSITIVE_SPELLINGS = ("1", "yes", "y", "true", "t", "positive", "pos", "tested_positive")
_BOOL_NUMBERS = {"1": "true", "0": "false"}


def label_classes(labels: pd.Series) -> tuple[np.ndarray, list, dict, bool, list[str]]:
    """(codes (n,) int into classes, classes sorted, spelling of each class, numeric, notes).

    Missing labels get code -1. ``notes`` says which spellings were merged into one class.
    """
    codes, uniques = pd.factorize(labels, use_na_sentinel=True)
    values = list(uniques)
    numeric = False
    if pd.api.types.is_bool_dtype(labels.dtype):
        keys = ["true" if bool(v) else "false" for v in values]
        spelled = [str(bool(v)) for v in values]
    elif labels.dtype.kind in "iuf":
        keys = [float(v) for v in values]
        spelled = [format_value(v) for v in values]
        numeric = True
    else:
        stripped = [str(v).strip() for v in values]
        numbers = pd.to_numeric(pd.Series(stripped, dtype=object), errors="coerce")
        if len(values) and numbers.notna().all():
            keys = [float(v) for v in numbers]
            spelled = [format_value(v) for v in keys]
            numeric = True
        else:
            keys = [s.casefold() for s in stripped]
            spelled = stripped
    classes = sorted(set(keys))
    index = {key: i for i, key in enumerate(classes)}
    mapping = np.array([index[k] for k in keys] + [-1], dtype=np.intp)
    class_codes = mapping[codes]  # code -1 (missing) picks the trailing -1
    counts = np.bincount(codes[codes >= 0], minlength=len(values))
    spelling: dict = {}
    best: dict = {}
    for key, text, count in zip(keys, spelled, counts, strict=True):
        if count > best.get(key, -1):
            best[key], spelling[key] = count, text
    notes = []
    if not numeric:
        for key in classes:
            forms = {str(v) for v, k in zip(values, keys, strict=True) if k == key}
            if len(forms) > 1:
                notes.append(
                    f"Labels {quoted_list(sorted(forms))} differ only in case or spaces: "
                    f"read as one class, {spelling[key]!r}."
                )
    return class_codes, classes, spelling, numeric, notes


def encode_labels(
    labels: pd.Series,
    positive: object = None,
    *,
    path: object = None,
    notes: list[str] | None = None,
) -> tuple[np.ndarray, str, str]:
    """Return (y01 int8 (n,), positive_label, negative_label) for a column without gaps.

    The column must hold exactly two classes (see the module docstring). ``positive``
    picks the class mapped to 1; by default that is 1 for numeric labels (else the larger
    value), and for text labels a class spelled like "yes", "true", "positive" or
    "tested_positive" when exactly one is, else the later of the two in sorted order.
    Notes about merged spellings are appended to ``notes`` when given.
    """
    column = str(labels.name)
    codes, classes, spelling, numeric, merged = label_classes(labels)
    if (codes < 0).any():
        row = int(np.argmax(codes < 0))
        raise DatasetError(f"label missing in data row {row + 1}", path=path, column=column)
    shown = [spelling[c] for c in classes]
    if len(classes) != 2:
        found = "none" if not classes else f"{len(classes)}: {quoted_list(shown)}"
        raise DatasetError(
            f"a label needs exactly two classes; found {found}", path=path, column=column
        )
    if positive is None:
        chosen = _default_positive(classes, numeric)
    else:
        chosen = _match_positive(positive, classes, numeric)
        if chosen is None:
            raise DatasetError(
                f"positive class {format_value(positive)!r} is not one of the labels "
                f"({quoted_list(shown)})",
                path=path,
                column=column,
            )
    if notes is not None:
        notes.extend(merged)
    chosen_code = classes.index(chosen)
    other = classes[1 - chosen_code]
    y01 = (codes == chosen_code).astype(np.int8)
    return y01, spelling[chosen], spelling[other]


def _default_positive(classes: list, numeric: bool) -> object:
    if numeric:
        return classes[1]  # 1 of {0, 1}; in general the larger value
    spelled = [c for c in classes if c in POSITIVE_SPELLINGS]
    return spelled[0] if len(spelled) == 1 else classes[1]


def _match_positive(positive: object, classes: list, numeric: bool) -> object | None:
    if numeric:
        try:
            wanted = float(positive)  # "1" and 1 both pick the class 1.0
        except (TypeError, ValueError):
            return None
        return next((c for c in classes if c == wanted), None)
    text = format_value(positive).strip().casefold()
    if text not in classes and set(classes) == {"true", "false"}:
        text = _BOOL_NUMBERS.get(text, text)
    return next((c for c in classes if c == text), None)
