"""Small text helpers for messages and labels."""

from __future__ import annotations

from collections.abc import Iterable

# Beyond this many digits an integral float is shown in exponent form.
_MAX_PLAIN_INTEGER = 1e15
# Lists in messages stop after this many items.
MAX_LISTED = 8


def format_value(value: object) -> str:
    """Show a cell value the way a user typed it: 1.0 -> '1', 0.627 -> '0.627', 'x' -> 'x'."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) or hasattr(value, "dtype"):
        number = float(value)  # numpy scalars included
        if number.is_integer() and abs(number) < _MAX_PLAIN_INTEGER:
            return str(int(number))
        return repr(number)
    return str(value)


def quoted_list(values: Iterable[object], limit: int = MAX_LISTED) -> str:
    """'a', 'b', 'c' (and 5 more) -- for messages that list names or classes."""
    items = [repr(short_text(format_value(v))) for v in values]
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} (and {len(items) - limit} more)"


def short_text(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, for a cell quoted in a message."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
