"""Small argument checks shared by lesson actions and checkpoint answers.

Each check takes a value read from a lesson file's TOML header and returns it in plain
form (an int given for a float becomes a float), or raises ``ValueError`` with a short
reason that the caller wraps into a ``LessonError``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

Check = Callable[[object], object]


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def integer(minimum: int = 0, maximum: int | None = None, what: str = "an integer") -> Check:
    def check(value: object) -> int:
        if not is_int(value) or value < minimum:
            raise ValueError(f"expected {what} >= {minimum}, got {value!r}")
        if maximum is not None and value > maximum:
            raise ValueError(f"expected {what} <= {maximum}, got {value!r}")
        return int(value)

    return check


def number(minimum: float | None = None, *, strict: bool = False) -> Check:
    """A finite float, optionally >= ``minimum`` (> with ``strict``)."""

    def check(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value!r}")
        if minimum is not None and (value <= minimum if strict else value < minimum):
            relation = ">" if strict else ">="
            raise ValueError(f"expected a number {relation} {minimum}, got {value!r}")
        return float(value)

    return check


def choice(options: tuple[str, ...]) -> Check:
    def check(value: object) -> str:
        if value not in options:
            raise ValueError(f"expected one of {', '.join(map(repr, options))}, got {value!r}")
        return str(value)

    return check


def flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def true(value: object) -> bool:
    if value is not True:
        raise ValueError(f"expected true, got {value!r}")
    return True


def int_pair(value: object) -> tuple[int, int]:
    """Two different integers >= 0, e.g. two rows or two parameter indices."""
    if not isinstance(value, list | tuple) or len(value) != 2 or not all(map(is_int, value)):
        raise ValueError(f"expected two integers, got {value!r}")
    if value[0] == value[1] or min(value) < 0:
        raise ValueError(f"expected two different integers >= 0, got {value!r}")
    return int(value[0]), int(value[1])


def table(fields: Mapping[str, Check], required: tuple[str, ...] = ()) -> Check:
    """A TOML table with only the keys of ``fields``, each checked by its own check."""

    def check(value: object) -> dict[str, object]:
        if not isinstance(value, Mapping):
            raise ValueError(f"expected a table, got {value!r}")
        unknown = sorted(set(value) - set(fields))
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r}; expected {', '.join(fields)}")
        missing = [key for key in required if key not in value]
        if missing:
            raise ValueError(f"missing key {missing[0]!r}")
        checked = {}
        for key, item in value.items():
            try:
                checked[key] = fields[key](item)
            except ValueError as error:
                raise ValueError(f"{key}: {error}") from None
        return checked

    return check
