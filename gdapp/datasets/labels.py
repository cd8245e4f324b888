"""Map a two-class label column to 0/1 and decide which class counts as positive (1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdapp.datasets._text import format_value, quoted_list
from gdapp.datasets.errors import DatasetError

# Without an explicit choice, a class spelled like one of these is the positive one
# (compared case-insensitively). Numeric 0/1 labels need no guess: 1 is positive.
POSITIVE_SPELLINGS = ("1", "yes", "y", "true", "t", "positive", "pos", "tested_positive")


def encode_labels(
    labels: pd.Series, positive: object = None, *, path: object = None
) -> tuple[np.ndarray, str, str]:
    """Return (y01 int8 (n,), positive_label, negative_label) for a column without gaps.

    The column must hold exactly two distinct values; when every value reads as a number
    they compare as numbers, otherwise as text (as written in the file). ``positive`` picks
    the class mapped to 1; by default that is 1 for numeric labels (else the larger value),
    and for text labels a class spelled like "yes", "true", "positive" or "tested_positive"
    when exactly one is, else the later of the two in sorted order.
    """
    column = str(labels.name)
    values, numeric = _as_classes(labels)
    classes = sorted(pd.unique(values))
    if len(classes) != 2:
        found = "none" if not classes else f"{len(classes)}: {quoted_list(classes)}"
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
                f"({quoted_list(classes)})",
                path=path,
                column=column,
            )
    other = classes[0] if chosen == classes[1] else classes[1]
    y01 = (values == chosen).to_numpy(dtype=np.int8)
    return y01, format_value(chosen), format_value(other)


def _as_classes(labels: pd.Series) -> tuple[pd.Series, bool]:
    """Labels that all read as numbers compare as numbers ("1" == "1.0"); others as text."""
    if pd.api.types.is_bool_dtype(labels.dtype):
        return labels.astype(str), False
    if pd.api.types.is_numeric_dtype(labels.dtype):
        return labels, True
    text = labels.astype(str)
    numbers = pd.to_numeric(text, errors="coerce")
    if numbers.notna().all():
        return numbers, True
    return text, False


def _default_positive(classes: list, numeric: bool) -> object:
    if numeric:
        return classes[1]  # 1 of {0, 1}; in general the larger value
    spelled = [c for c in classes if c.strip().lower() in POSITIVE_SPELLINGS]
    return spelled[0] if len(spelled) == 1 else classes[1]


def _match_positive(positive: object, classes: list, numeric: bool) -> object | None:
    if numeric:
        try:
            wanted = float(positive)  # "1" and 1 both pick the class 1.0
        except (TypeError, ValueError):
            return None
        return next((c for c in classes if float(c) == wanted), None)
    text = format_value(positive)
    return next((c for c in classes if c == text), None)
