"""Building blocks of generated code: the Cell record and helpers that write literals.

Templates mark the places to fill with ``«name»``; ``fill`` puts Python literals there
(``repr``), so any column name or path a user has ends up as a valid string literal.
"""

from __future__ import annotations

import textwrap
from typing import NamedTuple

__all__ = ["LINE_CHARS", "Cell", "fill", "float_literal", "names_literal"]

LINE_CHARS = 92


class Cell(NamedTuple):
    """One idea of the generated code: a title, a paragraph about it and its code."""

    title: str
    text: str
    code: str


def fill(template: str, **values: str) -> str:
    code = textwrap.dedent(template).strip("\n")
    for key, value in values.items():
        code = code.replace(f"«{key}»", value)
    if "«" in code:
        raise AssertionError(f"unfilled marker in template: {code}")
    return code


def float_literal(value: float) -> str:
    return repr(float(value))


def names_literal(names: tuple[str, ...] | list[str], indent: str = "    ") -> str:
    """A list literal of strings, one per line when it would be long."""
    items = [repr(n) for n in names]
    flat = "[" + ", ".join(items) + "]"
    if len(flat) <= 60:
        return flat
    return "[\n" + "".join(f"{indent}{item},\n" for item in items) + "]"
