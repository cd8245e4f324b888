"""The one exception raised for every kind of bad dataset input."""

from __future__ import annotations

import os
from pathlib import Path

MAX_NAME_CHARS = 80  # a longer file name is cut in messages


class DatasetError(ValueError):
    """Bad dataset input: a missing or malformed file, a bad column choice, a bad option.

    ``path`` is the file (or ``None``), ``row`` the 1-based line number in that file (the
    header is line 1), ``column`` the column name. ``problem`` is the bare description;
    ``str(error)`` puts the three in front of it, e.g.
    ``broken.csv, line 7, column 'glucose': 'abc' is not a number``.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str] | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.problem = message
        self.path = None if path is None else Path(path)
        self.row = row
        self.column = column
        super().__init__(self._full_message())

    def _full_message(self) -> str:
        where = []
        if self.path is not None:
            name = self.path.name or str(self.path)
            where.append(name if len(name) <= MAX_NAME_CHARS else f"{name[:MAX_NAME_CHARS]}…")
        if self.row is not None:
            where.append(f"line {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.problem}" if where else self.problem
