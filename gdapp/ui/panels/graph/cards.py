"""What a node's card says, line by line, and in which font and colour.

A card reads top to bottom like the post's worked example:

    u = bc = 6        title and forward value
    dJ/du = 3         backward derivative (or its closed form, then "= 3" below)
    nudge ≈ 3 ✓       finite-difference estimate, when the nudge check is on

Vector nodes (the batch view) show their shape, leading entries and mean instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtGui import QColor, QFont

from gdapp.ui.panels.graph.style import (
    AGREE_COLOUR,
    DISAGREE_COLOUR,
    MUTED_COLOUR,
    TEXT_COLOUR,
    UPDATE_COLOUR,
    scene_font,
    shape_text,
    summary_number,
)

HIDDEN = "?"  # a number the walk animation has not reached yet


@dataclass(frozen=True)
class NodeStyle:
    """How a node is named on screen; part of the scene's structure key."""

    title: str  # "u = bc", "x1", "a = σ(z)"
    kind: str = "op"  # "input", "param", "op" or "output" (as the engine's Node.kind)
    subtitle: str = ""  # e.g. the feature name of an x node
    formula: str = ""  # the derivative's closed form shown on the card, "dL/dw1 = x1(a − y)"
    description: str = ""  # one sentence for the tooltip
    detail: str = ""  # the closed form when the card has no room for it (tooltip only)
    compact: bool = False  # in a tall column: long titles stay on one line
    inline_nudge: bool = False  # the nudge estimate shares the derivative's line
    symbol: str = ""  # the node's name as typeset in a derivative: "ŷ" for yhat
    brief: bool = False  # a vector in two lines: its size, then its largest derivative


@dataclass(frozen=True)
class CardContent:
    style: NodeStyle
    symbol: str
    leaf: bool
    vector: bool
    numbers: Any  # NodeNumbers
    nudge_on: bool
    reveal: str


def card_lines(card: CardContent, fmt: Callable[[Any], str]) -> list[tuple[str, str]]:
    """(text, role) pairs; ``fmt`` formats a number or array (a template when measuring)."""
    style, numbers = card.style, card.numbers
    show_value = card.reveal in ("value", "all")
    show_grad = card.reveal == "all"
    if card.vector and style.brief:
        return _brief_vector_lines(card, fmt, show_grad)
    lines: list[tuple[str, str]] = []
    name = style.title.split(" = ")[0]
    if numbers.update is not None and not card.vector:
        old, new = numbers.update
        lines.append((f"{name}: {fmt(old)} → {fmt(new)}", "update"))
    elif card.vector:
        lines.append((f"{style.title}  {shape_text(numbers.value)}", "title"))
    else:
        lines.append((f"{style.title} = {fmt(numbers.value) if show_value else HIDDEN}", "title"))
    if style.subtitle and style.inline_nudge:
        # A one-row card (the sample view's features) keeps its feature name on the title line.
        text, role = lines[-1]
        lines[-1] = (f"{text}\t{style.subtitle}", f"{role}|subtitle")
    elif style.subtitle:
        lines.append((style.subtitle, "subtitle"))
    if card.vector:
        lines.extend(_vector_lines(numbers.value, fmt, show_value, prefix="= "))
        if numbers.update is not None:
            old, new = numbers.update
            mean_old, mean_new = fmt(summary_number(old)), fmt(summary_number(new))
            lines.append((f"mean {mean_old} → {mean_new}", "update"))
    grad_text = fmt(numbers.grad) if show_grad else HIDDEN
    if card.vector:
        lines.append((style.formula or card.symbol, "formula" if style.formula else "body"))
        lines.extend(_vector_lines(numbers.grad, fmt, show_grad, prefix="= "))
    elif style.formula:
        lines.append((style.formula, "formula"))
        lines.append((f"= {grad_text}", "body"))
    else:
        lines.append((f"{card.symbol} = {grad_text}", "body"))
    if card.nudge_on:
        if style.inline_nudge:
            text, role = _inline_nudge(numbers, fmt, show_grad)
            last_text, last_role = lines[-1]
            lines[-1] = (f"{last_text}\t{text}", f"{last_role}|{role}")
        else:
            lines.append(_nudge_line(numbers, fmt, show_grad))
    return lines


def _brief_vector_lines(card: CardContent, fmt, show_grad: bool) -> list[tuple[str, str]]:
    """A vector leaf beside scalar cards (a hidden unit's weights): two lines, like theirs.

    Its entries are listed in the gradient table; the card gives the largest derivative.
    """
    numbers = card.numbers
    size = int(np.size(numbers.value))
    lines = [(f"{card.style.title}\t{size} values", "title|subtitle")]
    grad = np.asarray(numbers.grad, dtype=float).ravel()
    largest = float(grad[np.argmax(np.abs(grad))]) if grad.size else 0.0
    lines.append((f"max {card.symbol} = {fmt(largest) if show_grad else HIDDEN}", "body"))
    if card.nudge_on:
        text, role = _inline_nudge(numbers, fmt, show_grad)
        lines[-1] = (f"{lines[-1][0]}\t{text}", f"body|{role}")
    return lines


def wrap_lines(
    lines: list[tuple[str, str]],
    template: list[tuple[str, str]],
    measure: Callable[[str, str], float],
    max_width: float,
) -> list[tuple[str, str]]:
    """Break each line whose template is wider than ``max_width`` in two.

    A title breaks before its value ("p1 = w1·x1" / "= 0.04"), a formula at its first
    " + " or else before its last " = ". The template (widest numbers) decides, so a card
    keeps its shape while its numbers change.
    """
    out: list[tuple[str, str]] = []
    for (text, role), (t_text, t_role) in zip(lines, template, strict=True):
        if role not in ("title", "formula") or measure(t_text, t_role) <= max_width:
            out.append((text, role))
            continue
        if role == "formula" and " + " in text:
            cut = text.index(" + ") + 1
        elif " = " in text:
            cut = text.rindex(" = ") + 1
        else:
            out.append((text, role))
            continue
        out.append((text[:cut].rstrip(), role))
        out.append((text[cut:], "body" if role == "title" else role))
    return out


def _vector_lines(value, fmt, shown: bool, prefix: str) -> list[tuple[str, str]]:
    if not shown:
        return [(f"{prefix}{HIDDEN}", "muted"), (f"mean {HIDDEN}", "muted")]
    return [(f"{prefix}{fmt(value)}", "body"), (f"mean {fmt(summary_number(value))}", "body")]


def _inline_nudge(numbers, fmt, shown: bool) -> tuple[str, str]:
    """The nudge verdict beside a derivative, ✓ or ✗; the estimate itself is in the tooltip.

    Eight rows of features leave no room for a second number on each line.
    """
    if not shown:
        return (HIDDEN, "muted")
    if numbers.numeric is None:
        return ("…", "muted")
    return ("✓", "ok") if numbers.agrees else ("✗", "bad")


def _nudge_line(numbers, fmt, shown: bool) -> tuple[str, str]:
    if not shown:
        return (f"nudge ≈ {HIDDEN}", "muted")
    if numbers.numeric is None:
        return (f"nudge: {numbers.note or 'not computed'}", "muted")
    mark, role = ("✓", "ok") if numbers.agrees else ("✗", "bad")
    numeric = numbers.numeric
    if np.ndim(numeric):
        each = numbers.agrees_each if numbers.agrees_each is not None else [numbers.agrees]
        bad = int(np.count_nonzero(~np.asarray(each, dtype=bool)))
        count = np.size(numeric)
        verdict = "all agree" if bad == 0 else f"{bad} of {count} differ"
        return (f"nudge: {verdict} {mark}", role)
    return (f"nudge ≈ {fmt(numeric)} {mark}", role)


def line_font(role: str, px: int) -> QFont:
    """Font for a line role at the card's pixel size (shared: copy it before changing it).

    Every role has the same size, so the smallest text on a card is as large as its body:
    titles are bold, formulas and subtitles italic.
    """
    key = (role, px)
    if key not in _FONTS:
        bold = role in ("title", "update")
        italic = role in ("subtitle", "formula")
        _FONTS[key] = scene_font(px, bold=bold, italic=italic)
    return _FONTS[key]


_FONTS: dict[tuple[str, int], QFont] = {}


def line_colour(role: str) -> QColor:
    return _ROLE_COLOURS.get(role, TEXT_COLOUR)


_ROLE_COLOURS = {
    "muted": MUTED_COLOUR,
    "subtitle": MUTED_COLOUR,
    "formula": QColor("#2c3440"),
    "ok": AGREE_COLOUR,
    "bad": DISAGREE_COLOUR,
    "update": UPDATE_COLOUR,
}
