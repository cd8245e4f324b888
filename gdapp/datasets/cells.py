"""Cells of a text column as numbers: missing values, thousands separators, decimal marks.

The loader and the import dialog's preview both convert through ``to_numbers``, so they
agree on which columns are numeric and which cells are missing.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

GROUPED = {
    ".": re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d*)?$"),
    ",": re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d*)?$"),
}
OTHER_DECIMAL = {".": re.compile(r"^[-+]?\d*,\d+$"), ",": re.compile(r"^[-+]?\d*\.\d+$")}
MISSING_WORDS = {"na", "n/a", "nan", "null", "none", "<na>", "-nan", "#n/a", "?", ""}


def to_numbers(series: pd.Series, decimal: str) -> tuple[np.ndarray | None, np.ndarray, str]:
    """A text column as float64 numbers: (values, bad, note).

    Missing cells become NaN and are not ``bad``; ``bad`` marks cells that are text (or
    infinite). Numbers grouped with thousands separators are read; ``note`` says so. When
    grouped numbers sit beside numbers with the other decimal mark, the column is
    ambiguous: values is None, ``bad`` marks the first such cell and ``note`` explains.
    """
    text = series.astype("str").str.strip()
    missing = series.isna().to_numpy() | text.str.lower().isin(MISSING_WORDS).to_numpy()
    separator = "," if decimal == "." else "."
    grouped = text.str.fullmatch(GROUPED[decimal].pattern).to_numpy(dtype=bool, copy=True)
    note = ""
    if grouped.any():
        other = text.str.fullmatch(OTHER_DECIMAL[decimal].pattern).to_numpy(dtype=bool, copy=True)
        other &= ~grouped
        if other.any():
            first = int(np.argmax(grouped | other))
            bad = np.zeros(len(series), dtype=bool)
            bad[first] = True
            example_group = text.iloc[int(np.argmax(grouped))]
            example_other = text.iloc[int(np.argmax(other))]
            return (
                None,
                bad,
                f"{example_group!r} and {example_other!r}: is {separator!r} a thousands "
                "separator or a decimal mark? Save the numbers without thousands separators",
            )
        text = text.where(~grouped, text.str.replace(separator, "", regex=False))
        note = (
            f"thousands separators read ({series.iloc[int(np.argmax(grouped))]!r} as "
            f"{text.iloc[int(np.argmax(grouped))].replace(',', '.')})"
        )
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text.where(~missing), errors="coerce").to_numpy(
        dtype=np.float64, copy=True
    )
    bad = ~missing & ~np.isfinite(numbers)
    numbers[missing] = np.nan
    return numbers, bad, note


def is_number_dtype(series: pd.Series) -> bool:
    return series.dtype.kind in "iuf"


def cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def strip_excel_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Whitespace-only text cells of a sheet are missing values, as in a CSV."""
    for name in frame.columns:
        series = frame[name]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            stripped = series.where(~series.astype(str).str.strip().eq(""), np.nan)
            frame[name] = stripped
    return frame
