"""Read a CSV file in chunks and check it cell by cell, naming the line of the first problem.

The file is UTF-8 (a byte-order mark is allowed), comma-separated, with one header line.
Line numbers are physical lines: the header is line 1, data row i (0-based) is line i + 2.
Blank lines are skipped but still counted. (A quoted field spanning several lines would
shift the numbers after it; such fields do not occur in numeric data.)

pandas is lenient where we want to be strict, so a few checks are ours:
- a row with too FEW fields is padded with NaN by pandas; a NaN in the last column sends
  us back to that line's text to count its fields;
- undecodable bytes surface as a UnicodeDecodeError with a byte offset; we scan the lines
  to name the first bad one.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from gdapp.datasets._text import quoted_list
from gdapp.datasets.errors import DatasetError

CHUNK_ROWS = 100_000
# Reading is this share of the whole load; the rest (split, scaling) follows it.
READ_PROGRESS_SHARE = 0.9
_PANDAS_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")

Progress = Callable[[float], None]


def check_file(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a Path if it names a non-empty readable file, else raise."""
    path = Path(path)
    if not path.exists():
        raise DatasetError(f"no such file ({path})", path=path)
    if not path.is_file():
        raise DatasetError(f"not a file ({path})", path=path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DatasetError(f"cannot read the file: {exc.strerror or exc}", path=path) from exc
    if size == 0:
        raise DatasetError("the file is empty (0 bytes)", path=path)
    return path


def read_header(path: Path) -> list[str]:
    """Column names from line 1 (surrounding spaces removed), checked for usability."""
    try:
        with path.open("rb") as handle:
            first = handle.readline()
            rest = handle.read(1)
    except OSError as exc:
        raise DatasetError(f"cannot read the file: {exc.strerror or exc}", path=path) from exc
    text = _decode_line(first, path, 1, None, bom=True).rstrip("\r\n")
    if not text.strip():
        problem = "the line holding the column names is empty" if rest else "the file is blank"
        raise DatasetError(problem, path=path, row=1)
    names = [name.strip() for name in next(csv.reader([text]))]
    for position, name in enumerate(names, start=1):
        if not name:
            raise DatasetError(f"header field {position} has no column name", path=path, row=1)
    seen = set()
    for name in names:
        if name in seen:
            raise DatasetError(
                "this name appears twice in the header", path=path, row=1, column=name
            )
        seen.add(name)
    return names


def read_checked(
    path: Path,
    names: Sequence[str],
    feature_names: Sequence[str],
    label_name: str,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Read the feature and label columns of every data row, with every cell checked.

    Features must be finite numbers, labels present. Returns a frame with columns
    ``[*feature_names, label_name]`` (feature columns numeric), index 0..n-1 over the
    non-blank rows in file order. Raises DatasetError at the first bad line.
    """
    used = [*feature_names, label_name]
    size = path.stat().st_size
    parts = []
    with path.open("rb") as handle, _LineCursor(path) as lines:
        _check_first_row(lines, names, path)
        try:
            # The reader tokenizes a first block on creation, so it can raise here too.
            with pd.read_csv(
                handle,
                names=list(names),
                header=0,
                index_col=False,
                skip_blank_lines=False,
                chunksize=CHUNK_ROWS,
                encoding="utf-8-sig",
                # Labels stay as written ("TRUE", "yes"); encode_labels decides about numbers.
                dtype={label_name: str},
            ) as reader:
                for chunk in reader:
                    parts.append(_check_chunk(chunk, path, names, feature_names, label_name, lines))
                    if progress is not None:
                        progress(READ_PROGRESS_SHARE * min(handle.tell() / size, 1.0))
        except pd.errors.ParserError as exc:
            raise _parser_error(exc, path) from exc
        except UnicodeDecodeError as exc:
            raise _find_undecodable(path, names) from exc
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=used)
    if table.empty:
        raise DatasetError("no data rows: the file ends after the header line", path=path, row=2)
    return table


def read_preview(path: str | os.PathLike[str], n_rows: int = 50) -> pd.DataFrame:
    """The header and the first ``n_rows`` rows as pandas reads them, for an import dialog.

    Column types are inferred (numbers become numeric, anything else text); empty cells
    are NaN. Raises DatasetError when the file cannot be read as CSV.
    """
    if isinstance(n_rows, bool) or not isinstance(n_rows, int) or n_rows < 0:
        raise DatasetError(f"n_rows must be a whole number >= 0, got {n_rows!r}", path=path)
    path = check_file(path)
    names = read_header(path)
    with _LineCursor(path) as lines:
        _check_first_row(lines, names, path)
    try:
        return pd.read_csv(
            path, names=names, header=0, index_col=False, nrows=n_rows, encoding="utf-8-sig"
        )
    except pd.errors.ParserError as exc:
        raise _parser_error(exc, path) from exc
    except UnicodeDecodeError as exc:
        raise _find_undecodable(path, names) from exc


def _check_first_row(lines: _LineCursor, names: Sequence[str], path: Path) -> None:
    """Reject a first data row longer than the header.

    pandas raises for any later row that is too long, but for the first one it only warns
    and drops the extra fields.
    """
    text = lines.text(2)
    if text.strip():
        fields = next(csv.reader([text]))
        if len(fields) > len(names):
            raise DatasetError(
                f"{len(fields)} fields where the header has {len(names)}", path=path, row=2
            )


def _check_chunk(
    chunk: pd.DataFrame,
    path: Path,
    names: Sequence[str],
    feature_names: Sequence[str],
    label_name: str,
    lines: _LineCursor,
) -> pd.DataFrame:
    """Drop blank lines, convert features to numbers, raise at the chunk's first bad line."""
    first_line = chunk.index[0] + 2 if len(chunk) else 0
    padded = np.flatnonzero(chunk[names[-1]].isna().to_numpy())
    blank = np.zeros(len(chunk), dtype=bool)
    problems = []  # (line, column or None, message)
    for position in padded:
        text = lines.text(first_line + position)
        if not text.strip():
            blank[position] = True
            continue
        fields = next(csv.reader([text]))
        if len(fields) != len(names):
            problems.append(
                (
                    first_line + position,
                    None,
                    f"{len(fields)} fields where the header has {len(names)}",
                )
            )
            break
    if blank.any():
        chunk = chunk.loc[~blank]
    out = {}
    for column in [*feature_names, label_name]:
        series = chunk[column]
        if column == label_name:
            bad = series.isna().to_numpy()
            out[column] = series
        else:
            numbers = series if _is_number_dtype(series) else pd.to_numeric(series, errors="coerce")
            values = numbers.to_numpy(dtype=np.float64)
            bad = ~np.isfinite(values)
            out[column] = numbers
        if bad.any():
            row = int(chunk.index[np.argmax(bad)])
            problems.append((row + 2, column, None))
    if problems:
        line, column, message = min(problems, key=lambda p: (p[0], p[1] is not None))
        if message is None:
            message = _cell_problem(lines.text(line), names.index(column))
        raise DatasetError(message, path=path, row=line, column=column)
    return pd.DataFrame(out)


def _is_number_dtype(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    )


def _cell_problem(text: str, position: int) -> str:
    """Describe why the cell at ``position`` of a line's text is not a usable value."""
    fields = next(csv.reader([text]), [])
    if position >= len(fields):
        return f"{len(fields)} fields where the header needs at least {position + 1}"
    cell = fields[position]
    if not cell.strip():
        return "the cell is empty"
    try:
        number = float(cell)
    except ValueError:
        if cell.strip().lower() in {"na", "n/a", "nan", "null", "none", "<na>", "-nan", "#n/a"}:
            return f"missing value ({cell!r})"
        return f"{cell!r} is not a number"
    if number != number:
        return f"missing value ({cell!r})"
    return f"{cell!r} is not a finite number"


def _parser_error(exc: pd.errors.ParserError, path: Path) -> DatasetError:
    match = _PANDAS_LINE.search(str(exc))
    if match:
        expected, line, saw = (int(g) for g in match.groups())
        return DatasetError(f"{saw} fields where the header has {expected}", path=path, row=line)
    return DatasetError(f"not readable as CSV ({exc})", path=path)


def _find_undecodable(path: Path, names: Sequence[str]) -> DatasetError:
    """Name the first line holding bytes that are not UTF-8, and its column if known."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                _decode_line(raw, path, number, names, bom=number == 1)
            except DatasetError as error:
                return error
    return DatasetError("the file is not valid UTF-8 text", path=path)


def _decode_line(
    raw: bytes, path: Path, number: int, names: Sequence[str] | None, *, bom: bool
) -> str:
    try:
        return raw.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        # Counting commas ignores quoting; good enough to point at the right cell.
        field = raw[: exc.start].count(b",")
        column = names[field] if names and field < len(names) else None
        byte = raw[exc.start]
        raise DatasetError(
            f"byte 0x{byte:02x} is not valid UTF-8 text; save the file as UTF-8",
            path=path,
            row=number,
            column=column,
        ) from None


class _LineCursor:
    """Forward reader of a file's physical lines by 1-based number (rewinds if asked back)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._handle = path.open("rb")
        self._number = 0
        self._last = b""

    def text(self, number: int) -> str:
        if number < self._number:
            self._handle.seek(0)
            self._number = 0
        while self._number < number:
            self._last = self._handle.readline()
            self._number += 1
            if not self._last:
                break
        return self._last.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")

    def __enter__(self) -> _LineCursor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._handle.close()


def describe_columns(names: Sequence[str]) -> str:
    """The column names as a message fragment."""
    return quoted_list(names, limit=len(names)) if names else "none"
