"""Read a user's table (CSV in any usual dialect, or an Excel sheet) and check it cell by cell.

``open_table(path)`` probes the file (``files.probe_file``) and reads its header line;
``TableSource.read`` then reads every row in chunks, ``TableSource.preview`` the first few.
Both convert cells the same way, so an import dialog and the loader agree on every column:

- missing values ("", "NA", "NaN", "?", whitespace only, ...) become NaN; the caller
  decides what to do with them;
- numbers may be quoted, padded with spaces or grouped with thousands separators
  ("48,048" when the decimal mark is "."; "48.048" when it is ","); a column mixing
  grouped numbers with decimal commas ("1,5") is refused as ambiguous;
- an unnamed first column (R's ``write.csv``, pandas' ``to_csv`` index, "Unnamed: 0") holds
  row labels: never a feature, kept as the table's index.

Line numbers are physical lines: the header is line 1, data row i (0-based, blank lines
included) is line i + 2; in a workbook, "line" is the sheet's row. (A quoted field
spanning several lines would shift the numbers after it; such fields do not occur in
numeric data.) pandas pads a row with too FEW fields with NaN, so a NaN in the last column
sends us back to that line's text to count its fields.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from gdapp.datasets._text import quoted_list, short_text
from gdapp.datasets.cells import cell_text, is_number_dtype, strip_excel_text, to_numbers
from gdapp.datasets.errors import DatasetError
from gdapp.datasets.files import (
    MAX_HEADER_BYTES,
    FileProbe,
    check_file,
    open_binary,
    open_text,
    probe_file,
    reading,
    wrap_binary,
)

CHUNK_ROWS = 100_000
MAX_COLUMNS = 10_000
# Reading is this share of the whole load; the rest (split, scaling) follows it.
READ_PROGRESS_SHARE = 0.9
# Beyond pandas' defaults ("", "NA", "NaN", "N/A", "NULL", "None", "#N/A", ...).
EXTRA_MISSING = ("?",)
ROW_LABELS = "\x00row labels"  # internal name of the row-label column
_UNNAMED = re.compile(r"^Unnamed: 0(_level_0)?$")
_PANDAS_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
Progress = Callable[[float], None]

__all__ = [
    "CHUNK_ROWS",
    "LoadedTable",
    "Progress",
    "TableSource",
    "check_file",
    "describe_columns",
    "open_table",
    "read_preview",
]


@dataclass
class LoadedTable:
    """Rows read and checked: ``frame`` holds the asked-for columns (features as float64
    with NaN where a value is missing, the label as read), ``lines`` each row's line in the
    file (int64, (n,)), ``row_labels`` the file's row labels or None, ``notes`` for a user."""

    frame: pd.DataFrame
    lines: np.ndarray
    row_labels: pd.Index | None
    notes: list[str] = field(default_factory=list)


@dataclass
class TableSource:
    """A probed file with its column ``names`` (row-label column excluded)."""

    probe: FileProbe
    names: list[str]
    has_row_labels: bool
    sheet: str | int = 0
    sheets: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return self.probe.path

    @property
    def notes(self) -> list[str]:
        notes = list(self.probe.notes)
        if self.has_row_labels:
            notes.append("The unnamed first column holds row labels; it is never a feature.")
        return notes

    # -- reading ------------------------------------------------------------------------

    def preview(self, n_rows: int) -> tuple[pd.DataFrame, list[str]]:
        """The first ``n_rows`` rows and notes for a user.

        Numbers are converted as ``read`` converts them wherever a whole column converts;
        other columns stay text. Row labels (if any) are the index.
        """
        if self.probe.kind == "csv":
            with _LineCursor(self.probe) as cursor:
                self._check_first_row(cursor)
        frame = self._read_frame(nrows=n_rows)
        frame, labels = self._split_row_labels(frame)
        notes = self.notes
        for name in self.names:
            series = frame[name]
            if not is_number_dtype(series) and not pd.api.types.is_bool_dtype(series.dtype):
                numbers, bad, note = to_numbers(series, self.probe.decimal)
                if numbers is not None and not bad.any() and series.notna().any():
                    frame[name] = numbers
                    if note:
                        notes.append(f"Column {name!r}: {note}.")
        if labels is not None:
            frame.index = labels
        return frame, notes

    def read(
        self,
        feature_names: Sequence[str],
        label_name: str,
        progress: Progress | None = None,
    ) -> LoadedTable:
        """Every data row's feature and label columns, cell by cell checked.

        Features must be numbers (NaN marks a missing one), labels anything. Raises
        DatasetError at the first bad line: a row with too many or too few fields, a cell
        that is not a number, an infinite number, an ambiguous separator.
        """
        try:
            return self._read(feature_names, label_name, progress)
        except _LateUndecodableError as late:
            if self.probe.encoding != "utf-8":
                raise late.error from None
            # The probe's sample was UTF-8 but a later line is not: a spreadsheet export.
            encoding = "cp1252"
            try:
                with reading(self.path), open_binary(self.path, self.probe.compression) as f:
                    for raw in f:
                        raw.decode(encoding)
            except UnicodeDecodeError:
                encoding = "latin-1"
            note = f"Line {late.error.row} is not UTF-8 text: the file was read as {encoding}."
            self.probe = replace(self.probe, encoding=encoding, notes=(*self.probe.notes, note))
            return self._read(feature_names, label_name, progress)

    def _read(
        self, feature_names: Sequence[str], label_name: str, progress: Progress | None
    ) -> LoadedTable:
        used = [*feature_names, label_name]
        notes = self.notes
        if self.probe.kind == "excel":
            frames = [self._read_frame(nrows=None)]
            positions = None
        else:
            frames, positions = self._read_csv_chunks(progress)
        parts, lines, labels = [], [], []
        with _LineCursor(self.probe) as cursor:
            if self.probe.kind == "csv":
                self._check_first_row(cursor)
            for chunk in frames:
                kept, chunk_lines, chunk_notes = self._check_chunk(
                    chunk, feature_names, label_name, cursor
                )
                for note in chunk_notes:
                    if note not in notes:
                        notes.append(note)
                parts.append(kept[used])
                lines.append(chunk_lines)
                if self.has_row_labels:
                    labels.append(kept[ROW_LABELS])
                if progress is not None and positions is not None:
                    progress(READ_PROGRESS_SHARE * positions())
        frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        frame = frame.reset_index(drop=True)
        line_array = np.concatenate(lines) if lines else np.empty(0, np.int64)
        if frame.empty:
            raise DatasetError(
                "no data rows: the file ends after the header line", path=self.path, row=2
            )
        row_labels = None
        if labels:
            row_labels = pd.Index(pd.concat(labels, ignore_index=True).astype(str), name="")
        return LoadedTable(frame, line_array, row_labels, notes)

    # -- helpers ------------------------------------------------------------------------

    def _internal_names(self) -> list[str]:
        return [ROW_LABELS, *self.names] if self.has_row_labels else list(self.names)

    def _csv_options(self) -> dict:
        probe = self.probe
        dtype = {ROW_LABELS: str} if self.has_row_labels else None
        return {
            "sep": probe.delimiter,
            "decimal": probe.decimal,
            "encoding": probe.encoding,
            "names": self._internal_names(),
            "header": 0,
            "index_col": False,
            "skip_blank_lines": False,
            "na_values": list(EXTRA_MISSING),
            "dtype": dtype,
            "engine": "c",
        }

    def _read_frame(self, nrows: int | None) -> pd.DataFrame:
        path = self.path
        try:
            with reading(path):
                if self.probe.kind == "excel":
                    frame = pd.read_excel(
                        path,
                        sheet_name=self.sheet,
                        header=0,
                        names=self._internal_names(),
                        nrows=nrows,
                        engine="openpyxl",
                        dtype={ROW_LABELS: str} if self.has_row_labels else None,
                        na_values=list(EXTRA_MISSING),
                    )
                    frame = strip_excel_text(frame)
                else:
                    with open_binary(path, self.probe.compression) as handle:
                        frame = pd.read_csv(handle, nrows=nrows, **self._csv_options())
        except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
            raise _parser_error(exc, path) from None
        except UnicodeDecodeError:
            raise _undecodable(self.probe) from None
        except (ValueError, KeyError) as exc:  # what openpyxl raises for a damaged workbook
            problem = f"not readable as a table ({short_text(str(exc))})"
            raise DatasetError(problem, path=path) from None
        return frame

    def _read_csv_chunks(self, progress: Progress | None):
        """An iterator of chunks and a function giving the fraction of the file read."""
        path = self.path
        with reading(path):
            size = max(path.stat().st_size, 1)
            raw = path.open("rb")
        position = [0]

        def fraction() -> float:
            return min(position[0] / size, 1.0)

        # Without progress to report, one read skips the final concatenation.
        chunk_rows = CHUNK_ROWS if progress is not None else 1 << 62

        def chunks():
            try:
                with (
                    reading(path),
                    raw,
                    wrap_binary(raw, self.probe.compression) as handle,
                    pd.read_csv(handle, chunksize=chunk_rows, **self._csv_options()) as rd,
                ):
                    for chunk in rd:
                        position[0] = raw.tell()
                        yield chunk
            except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
                raise _parser_error(exc, path) from None
            except UnicodeDecodeError:
                raise _LateUndecodableError(_undecodable(self.probe)) from None

        return chunks(), fraction

    def _split_row_labels(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Index | None]:
        if not self.has_row_labels:
            return frame, None
        labels = pd.Index(frame[ROW_LABELS].astype(str), name="")
        return frame.drop(columns=ROW_LABELS), labels

    def _check_first_row(self, cursor: _LineCursor) -> None:
        """pandas raises for any later row that is too long, but for the first one it only
        warns and drops the extra fields."""
        count = cursor.field_count(2)
        expected = len(self._internal_names())
        if count is not None and count > expected:
            raise DatasetError(
                f"{count} fields where the header has {expected}", path=self.path, row=2
            )

    def _check_chunk(
        self,
        chunk: pd.DataFrame,
        feature_names: Sequence[str],
        label_name: str,
        cursor: _LineCursor,
    ) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
        """Drop blank lines, convert features to numbers, raise at the chunk's first bad line."""
        path = self.path
        first_line = int(chunk.index[0]) + 2 if len(chunk) else 0
        internal = self._internal_names()
        last = chunk[internal[-1]].isna().to_numpy()
        blank = np.zeros(len(chunk), dtype=bool)
        problems: list[tuple[int, str | None, str]] = []  # (line, column or None, message)
        if last.any():
            empty = chunk.isna().to_numpy().all(axis=1)
            blank = empty.copy()
            for position in np.flatnonzero(last & ~empty):
                count = cursor.field_count(first_line + position)
                if count is not None and count < len(internal):
                    message = f"{count} fields where the header has {len(internal)}"
                    problems.append((first_line + position, None, message))
                    break
        notes: list[str] = []
        out = {}
        for column in [*feature_names, label_name]:
            series = chunk[column]
            if column == label_name:
                out[column] = series
                continue
            if is_number_dtype(series):
                values = series.to_numpy(dtype=np.float64)
                bad = np.isinf(values)
                if bad.any():
                    position = int(np.argmax(bad & ~blank)) if (bad & ~blank).any() else -1
                    if position >= 0:
                        problems.append(
                            (
                                first_line + position,
                                column,
                                f"{short_text(cell_text(series.iloc[position]))!r} "
                                "is not a finite number",
                            )
                        )
                out[column] = series  # integers stay integers in the raw table
                continue
            numbers, bad, note = to_numbers(series, self.probe.decimal)
            if numbers is None:  # grouped numbers and decimal commas side by side
                problems.append((first_line + int(np.argmax(bad)), column, note))
                continue
            if note:
                notes.append(f"Column {column!r}: {note}.")
            bad &= ~blank
            if bad.any():
                position = int(np.argmax(bad))
                cell = series.iloc[position]
                value = numbers[position]
                text = short_text(cell_text(cell))
                problem = (
                    f"{text!r} is not a finite number"
                    if np.isinf(value)
                    else f"{text!r} is not a number"
                )
                problems.append((first_line + position, column, problem))
            out[column] = numbers
        if problems:
            line, column, message = min(problems, key=lambda p: (p[0], p[1] is not None))
            raise DatasetError(message, path=path, row=line, column=column)
        keep = [*feature_names, label_name] + ([ROW_LABELS] if self.has_row_labels else [])
        frame = chunk[keep]  # columns read as numbers are kept as they are, not copied
        for column, values in out.items():
            if not isinstance(values, pd.Series):  # text read as numbers
                frame[column] = values
        lines = np.arange(first_line, first_line + len(chunk), dtype=np.int64)
        if blank.any():
            frame = frame.loc[~blank]
            lines = lines[~blank]
        return frame, lines, notes


def open_table(path: str | os.PathLike[str], sheet: str | int | None = None) -> TableSource:
    """Probe ``path`` and read its column names (see the module docstring)."""
    probe = probe_file(path)
    if probe.kind == "excel":
        raw_names, sheet, sheets = _excel_header(probe.path, sheet)
    else:
        if sheet not in (None, 0, ""):
            raise DatasetError("a sheet can be chosen in an Excel workbook only", path=probe.path)
        raw_names, sheet, sheets = _csv_header(probe), 0, ()
    if len(raw_names) > MAX_COLUMNS:
        raise DatasetError(
            f"{len(raw_names):,} columns; more than {MAX_COLUMNS:,} is not a table this app "
            "can train on",
            path=probe.path,
            row=1,
        )
    names = [name.strip() for name in raw_names]
    has_row_labels = len(names) > 1 and (names[0] == "" or bool(_UNNAMED.match(names[0])))
    if has_row_labels:
        names = names[1:]
    _check_names(names, probe.path, offset=1 if has_row_labels else 0)
    return TableSource(probe, names, has_row_labels, sheet, sheets)


def read_preview(
    path: str | os.PathLike[str], n_rows: int = 50, sheet: str | int | None = None
) -> pd.DataFrame:
    """The header and the first ``n_rows`` rows as the loader converts them, for a dialog.

    Columns whose previewed cells all read as numbers are numeric, others text; missing
    values are NaN; row labels (if any) are the index. Raises DatasetError when the file
    cannot be read as a table.
    """
    if isinstance(n_rows, bool) or not isinstance(n_rows, int) or n_rows < 0:
        raise DatasetError(f"n_rows must be a whole number >= 0, got {n_rows!r}", path=path)
    return open_table(path, sheet).preview(n_rows)[0]


def describe_columns(names: Sequence[str]) -> str:
    """The column names as a message fragment."""
    return quoted_list(names, limit=len(names)) if names else "none"


# -- header -----------------------------------------------------------------------------


def _csv_header(probe: FileProbe) -> list[str]:
    path = probe.path
    with reading(path), open_text(probe) as handle:
        first = handle.readline(MAX_HEADER_BYTES)
        rest = handle.read(1)
    if len(first) >= MAX_HEADER_BYTES and not first.endswith(("\n", "\r")):
        raise DatasetError(
            "line 1 is longer than 1 MB; a table starts with a line of column names",
            path=path,
            row=1,
        )
    text = first.lstrip("\ufeff").rstrip("\r\n")
    if not text.strip():
        problem = "the line holding the column names is empty" if rest else "the file is blank"
        raise DatasetError(problem, path=path, row=1)
    try:
        return next(csv.reader([text], delimiter=probe.delimiter))
    except csv.Error as exc:
        raise DatasetError(f"the header line is not readable ({exc})", path=path, row=1) from None


def _excel_header(path: Path, sheet: str | int | None) -> tuple[list[str], str | int, tuple]:
    import openpyxl  # noqa: F401  pandas imports it by name; named here for PyInstaller

    with reading(path):
        try:
            workbook = pd.ExcelFile(path, engine="openpyxl")
        except (ValueError, KeyError, OSError) as exc:
            problem = f"not a readable workbook ({short_text(str(exc))})"
            raise DatasetError(problem, path=path) from None
        with workbook:
            sheets = tuple(str(s) for s in workbook.sheet_names)
            if sheet in (None, ""):
                sheet = 0
            if isinstance(sheet, str) and sheet not in sheets:
                raise DatasetError(
                    f"no sheet {sheet!r}; the sheets are {describe_columns(sheets)}", path=path
                )
            if isinstance(sheet, int) and not 0 <= sheet < len(sheets):
                raise DatasetError(f"the workbook has {len(sheets)} sheet(s)", path=path)
            top = pd.read_excel(workbook, sheet_name=sheet, header=None, nrows=1)
    if top.empty:
        name = sheets[sheet] if isinstance(sheet, int) else sheet
        raise DatasetError(f"sheet {name!r} is empty", path=path, row=1)
    names = ["" if pd.isna(v) else cell_text(v) for v in top.iloc[0].tolist()]
    return names, sheet, sheets


def _check_names(names: Sequence[str], path: Path, offset: int) -> None:
    for position, name in enumerate(names, start=1 + offset):
        if not name:
            raise DatasetError(f"header field {position} has no column name", path=path, row=1)
    seen = set()
    for name in names:
        if name in seen:
            raise DatasetError(
                "this name appears twice in the header", path=path, row=1, column=name
            )
        seen.add(name)


# -- helpers ----------------------------------------------------------------------------


def _parser_error(exc: Exception, path: Path) -> DatasetError:
    match = _PANDAS_LINE.search(str(exc))
    if match:
        expected, line, saw = (int(g) for g in match.groups())
        return DatasetError(f"{saw} fields where the header has {expected}", path=path, row=line)
    return DatasetError(f"not readable as a table ({short_text(str(exc))})", path=path)


def _undecodable(probe: FileProbe) -> DatasetError:
    """Name the first line whose bytes the probe's encoding cannot decode."""
    path = probe.path
    with reading(path), open_binary(path, probe.compression) as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode(probe.encoding)
            except UnicodeDecodeError as exc:
                return DatasetError(
                    f"byte 0x{raw[exc.start]:02x} is not valid {probe.encoding} text; save the "
                    "file as UTF-8",
                    path=path,
                    row=number,
                )
    return DatasetError(f"the file is not valid {probe.encoding} text", path=path)


class _LateUndecodableError(Exception):
    """Bytes the probed encoding cannot decode, met after the probe's sample."""

    def __init__(self, error: DatasetError) -> None:
        super().__init__(str(error))
        self.error = error


class _LineCursor:
    """Forward reader of a file's physical lines by 1-based number (rewinds if asked back)."""

    def __init__(self, probe: FileProbe) -> None:
        self._probe = probe
        self._handle = None if probe.kind == "excel" else open_text(probe)
        self._number = 0
        self._last = ""

    def text(self, number: int) -> str | None:
        if self._handle is None:
            return None
        if number < self._number:
            self._handle.seek(0)
            self._number = 0
        while self._number < number:
            self._last = self._handle.readline()
            self._number += 1
            if not self._last:
                break
        return self._last.lstrip("\ufeff").rstrip("\r\n")

    def field_count(self, number: int) -> int | None:
        """How many fields line ``number`` holds (None for a blank or unreadable line)."""
        text = self.text(number)
        if not text or not text.strip():
            return None
        try:
            return len(next(csv.reader([text], delimiter=self._probe.delimiter)))
        except csv.Error:
            return None

    def __enter__(self) -> _LineCursor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._handle is not None:
            self._handle.close()
