"""The items of the graph scene: a node's card and the arrow of an edge.

A ``NodeItem`` paints the lines ``graph_cards`` writes for it and keeps the numbers it was
given (``NodeNumbers``), which is what the panel reports to tests. Its size is taken from
the widest usual numbers, so a card keeps its shape while training changes its numbers. An
``EdgeItem`` is a curve from a parent's right side to one of a child's input ports; it shows
its local derivative on hover and is dashed red when a planted bug makes it wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from gdapp.ui.panels.graph.cards import (
    CardContent,
    NodeStyle,
    card_lines,
    line_colour,
    line_font,
    wrap_lines,
)
from gdapp.ui.panels.graph.style import (
    BORDER_COLOUR,
    DEFAULT_FONT_PX,
    DISAGREE_COLOUR,
    EDGE_COLOUR,
    EDGE_HOVER_COLOUR,
    HIGHLIGHT_COLOUR,
    NUMBER_TEMPLATE,
    derivative_colour,
    format_value,
    summary_number,
)

PAD_X = 5.0  # text inset inside a card
PAD_Y = 2.0
CORNER_RADIUS = 6.0
PARAM_STRIPE_W = 4.0
CARD_WRAP_EM = 9.0  # a title or formula wider than this many font sizes breaks in two ...
COMPACT_WRAP_EM = 14.0  # ... or this many, in a tall column where height is scarce
INLINE_GAP = 5.0  # between a derivative and its nudge estimate on one line


@dataclass
class NodeNumbers:
    """The numbers a card shows (floats or arrays), as given by the panel."""

    value: float | np.ndarray
    grad: float | np.ndarray
    numeric: float | np.ndarray | None = None
    agrees: bool | None = None
    rel_error: float | np.ndarray | None = None
    update: tuple[float | np.ndarray, float | np.ndarray] | None = None
    agrees_each: np.ndarray | None = None  # per entry, for a vector node
    note: str = ""  # why there is no nudge estimate yet ("checking…")


class NodeItem(QGraphicsItem):
    """One node drawn as a card: title, value, derivative, optional nudge estimate."""

    def __init__(self, name: str, style: NodeStyle, symbol: str, leaf: bool, vector: bool):
        super().__init__()
        self.name = name
        self.style = style
        self.symbol = symbol  # derivative symbol such as "dL/dw1"
        self.leaf = leaf
        self.vector = vector
        self.numbers = NodeNumbers(0.0, 0.0)
        self.nudge_on = False
        self.reveal = "all"  # "none", "value" or "all": what the walk animation has shown
        self.current = False  # the walk animation's current node
        self._width = 80.0
        self.px = DEFAULT_FONT_PX
        self._shrunk_px = DEFAULT_FONT_PX
        self._wrap_em = COMPACT_WRAP_EM if style.compact else CARD_WRAP_EM
        self._wrap = self._wrap_em * self.px
        self._template_size: tuple[tuple, tuple[float, float]] = ((), (0.0, 0.0))
        self._height = 40.0
        self._lines_cache: tuple[NodeNumbers | None, tuple, list[tuple[str, str]]] = (None, (), [])
        self.setAcceptHoverEvents(True)
        self.setZValue(1)

    # -- content --------------------------------------------------------------------------

    def content(self, reveal: str | None = None) -> CardContent:
        """What the card says; ``reveal`` overrides the animation state (for templates)."""
        return CardContent(
            style=self.style,
            symbol=self.symbol,
            leaf=self.leaf,
            vector=self.vector,
            numbers=self.numbers,
            nudge_on=self.nudge_on,
            reveal=reveal or self.reveal,
        )

    def lines(self) -> list[tuple[str, str]]:
        """The (text, role) lines the card shows now; a role "body|ok" has two parts.

        Kept until what they depend on changes: a refresh measures the card, and its paint
        draws the same lines.
        """
        numbers, key = self.numbers, (self.reveal, self.nudge_on, self.px, self._wrap)
        cached_numbers, cached_key, cached = self._lines_cache
        if numbers is cached_numbers and key == cached_key:  # numbers are replaced, not edited
            return cached
        template = card_lines(self.content(reveal="all"), _template_format)
        lines = wrap_lines(
            card_lines(self.content(), format_value), template, self._measure, self._wrap
        )
        self._lines_cache = (numbers, key, lines)
        return lines

    def _measure(self, text: str, role: str) -> float:
        return line_width(text, role, self.px)

    def set_font_px(self, px: int) -> None:
        """Text size in scene units; the card measures itself anew."""
        if px != self.px:
            self.px = px
            self._wrap = self._wrap_em * px
            self._template_size = ((), (0.0, 0.0))
            self.update()

    def smallest_text_px(self) -> float:
        """The smallest font size on the card, in scene units (an update line may shrink)."""
        return float(min(self._shrunk_px, self.px))

    def text(self) -> str:
        """Every line of the card, one per line."""
        return "\n".join(text.replace("\t", "  ") for text, _ in self.lines())

    def natural_size(self) -> tuple[float, float]:
        """Room for the widest usual number (or the actual one, if wider) and every line."""
        key = self.layout_key()
        if self._template_size[0] != key:
            template = card_lines(self.content(reveal="all"), _template_format)
            template = wrap_lines(template, template, self._measure, self._wrap)
            width = max(self._measure(t, role) for t, role in template)
            height = sum(_line_height(role, self.px) for _, role in template)
            self._template_size = (key, (width, height))
        width, height = self._template_size[1]
        width = max(width, self._actual_width())
        stripe = PARAM_STRIPE_W if self.style.kind == "param" else 0.0
        return width + 2 * PAD_X + stripe, height + 2 * PAD_Y

    def _actual_width(self) -> float:
        return max(self._measure(t, role) for t, role in self.lines())

    def fits(self) -> bool:
        """False when a number has grown wider than the card's current width."""
        stripe = PARAM_STRIPE_W if self.style.kind == "param" else 0.0
        return self._actual_width() + 2 * PAD_X + stripe <= self._width + 0.5

    def layout_key(self) -> tuple:
        """Changes exactly when the card's template size may change."""
        return (self.nudge_on, self.numbers.update is not None, self.numbers.note != "")

    def set_numbers(self, numbers: NodeNumbers) -> None:
        self.numbers = numbers
        self.update()

    def hoverEnterEvent(self, event) -> None:
        # Built on demand: a rich tooltip per card per snapshot would cost more than the card.
        self.setToolTip(self._tooltip())
        super().hoverEnterEvent(event)

    def set_size(self, width: float, height: float) -> None:
        if (width, height) != (self._width, self._height):
            self.prepareGeometryChange()
            self._width, self._height = width, height

    def set_reveal(self, reveal: str, current: bool = False) -> None:
        self.reveal, self.current = reveal, current
        self.update()

    # -- geometry -------------------------------------------------------------------------

    @property
    def width(self) -> float:
        return self._width

    @property
    def height(self) -> float:
        return self._height

    def in_port(self, index: int, count: int) -> QPointF:
        """Where the edge from parent ``index`` of ``count`` meets the left side."""
        step = self._height / (count + 1)
        return self.mapToScene(QPointF(0.0, step * (index + 1)))

    def out_port(self) -> QPointF:
        return self.mapToScene(QPointF(self._width, self._height / 2))

    def boundingRect(self) -> QRectF:
        return QRectF(-3, -3, self._width + 6, self._height + 6)

    # -- painting -------------------------------------------------------------------------

    def paint(self, painter: QPainter, option, widget=None) -> None:
        rect = QRectF(0, 0, self._width, self._height)
        grad = summary_number(self.numbers.grad) if self.reveal == "all" else None
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QBrush(derivative_colour(grad)))
        pen = QPen(BORDER_COLOUR, 2.0 if self.style.kind == "output" else 1.1)
        if self.nudge_on and self.numbers.agrees is False and self.reveal == "all":
            pen = QPen(DISAGREE_COLOUR, 2.6)
        if self.current:
            pen = QPen(HIGHLIGHT_COLOUR, 3.2)
        painter.setPen(pen)
        painter.drawRoundedRect(rect, CORNER_RADIUS, CORNER_RADIUS)
        left = PAD_X
        if self.style.kind == "param":
            # A stripe marks what gradient descent updates.
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#5b4b8a"))
            stripe = QRectF(1.2, 3.0, PARAM_STRIPE_W - 1, self._height - 6.0)
            painter.drawRoundedRect(stripe, 1.5, 1.5)
            left += PARAM_STRIPE_W
        y = PAD_Y
        avail = self._width - left - PAD_X + 1
        px = self.px
        self._shrunk_px = px
        for text, role in self.lines():
            baseline = y + _metrics(role.split("|")[0], px).ascent()
            x = left
            for part, part_role in zip(text.split("\t"), role.split("|"), strict=True):
                font = QFont(line_font(part_role, px))
                metrics = _metrics(part_role, px)
                room = left + avail - x
                if metrics.horizontalAdvance(part) > room:
                    if part_role == "update":
                        # Old and new value must both stay whole: shrink rather than cut.
                        scale = room / metrics.horizontalAdvance(part)
                        font.setPixelSize(max(7, int(font.pixelSize() * scale)))
                        self._shrunk_px = min(self._shrunk_px, font.pixelSize())
                        metrics = QFontMetricsF(font)
                    else:
                        part = metrics.elidedText(part, Qt.TextElideMode.ElideRight, room)
                painter.setFont(font)
                painter.setPen(line_colour(part_role))
                painter.drawText(QPointF(x, baseline), part)
                x += metrics.horizontalAdvance(part) + INLINE_GAP
            y += _line_height(role, px)

    def _tooltip(self) -> str:
        numbers, style = self.numbers, self.style
        parts = [f"<b>{style.title}</b>"]
        if style.description:
            parts.append(style.description)
        parts.append(f"value: {_full(numbers.value)}")
        parts.append(f"{self.symbol} = {_full(numbers.grad)}")
        if style.detail:
            parts.append(style.detail)
        if numbers.numeric is not None:
            verdict = "agrees" if numbers.agrees else "DISAGREES"
            parts.append(
                f"nudge estimate: {_full(numbers.numeric)} ({verdict}; relative error "
                f"{_full(numbers.rel_error) if numbers.rel_error is not None else '—'})"
            )
        if numbers.update is not None:
            old, new = numbers.update
            parts.append(f"last update: {_full(old)} → {_full(new)}")
        return "<br>".join(parts)


class EdgeItem(QGraphicsPathItem):
    """An arrow from a parent to a child; hovering shows the local derivative."""

    def __init__(self, parent: NodeItem, child: NodeItem, index: int, count: int):
        super().__init__()
        self.parent_item, self.child_item = parent, child
        self.index, self.count = index, count
        self.bugged = False
        self._label: tuple[str, bool] = ("", False)
        self.pass_x: float | None = None  # straight run through a staggered column's gaps
        self._hover = False
        self._lit = False
        self.setAcceptHoverEvents(True)
        self.setZValue(0)
        self._apply_pen()

    def set_label(self, label: str, bugged: bool) -> None:
        """Show ``label`` (e.g. "du/db = c = 2") on hover; a planted bug draws dashed red."""
        if (label, bugged) == self._label:
            return
        self._label = (label, bugged)
        self.bugged = bugged
        child, parent = self.child_item.name, self.parent_item.name
        note = (
            "<br><span style='color:#c01c28'><b>Planted bug:</b> this local derivative is "
            "wrong on purpose.</span>"
            if bugged
            else ""
        )
        self.setToolTip(
            f"<b>{label}</b><br>Local derivative: how much {child} moves per unit change of "
            f"{parent}. The chain rule multiplies it by {self.child_item.symbol} to give "
            f"{parent}'s share of {self.parent_item.symbol}.{note}"
        )
        self._apply_pen()

    def set_lit(self, lit: bool) -> None:
        self._lit = lit
        self._apply_pen()

    def route(self) -> None:
        start = self.parent_item.out_port()
        end = self.child_item.in_port(self.index, self.count)
        path = QPainterPath(start)
        if self.pass_x is not None and self.pass_x < end.x():
            path.lineTo(self.pass_x, start.y())
            start = QPointF(self.pass_x, start.y())
        dx = max(12.0, (end.x() - start.x()) / 2)
        path.cubicTo(start + QPointF(dx, 0), end - QPointF(dx, 0), end - QPointF(4.0, 0))
        self.setPath(path)
        self._end = end

    def shape(self) -> QPainterPath:
        # A wider hit area than the 1-px line, so hovering is easy.
        from PySide6.QtGui import QPainterPathStroker

        stroker = QPainterPathStroker()
        stroker.setWidth(8)
        return stroker.createStroke(self.path())

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        super().paint(painter, option, widget)
        end = self._end
        head = QPolygonF([end, end + QPointF(-7.0, -3.5), end + QPointF(-7.0, 3.5)])
        painter.setBrush(self.pen().color())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawPolygon(head)

    def boundingRect(self) -> QRectF:
        return super().boundingRect().adjusted(-8, -8, 8, 8)

    def hoverEnterEvent(self, event) -> None:
        self._hover = True
        self._apply_pen()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self._hover = False
        self._apply_pen()
        super().hoverLeaveEvent(event)

    def _apply_pen(self) -> None:
        if self._hover:
            pen = QPen(EDGE_HOVER_COLOUR, 2.6)
        elif self._lit:
            pen = QPen(HIGHLIGHT_COLOUR, 2.4)
        elif self.bugged:
            pen = QPen(DISAGREE_COLOUR, 1.8, Qt.PenStyle.DashLine)
        else:
            pen = QPen(EDGE_COLOUR, 1.2)
        self.setPen(pen)
        self.setZValue(0.5 if (self._hover or self._lit) else 0)


def _template_format(value) -> str:
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return NUMBER_TEMPLATE
    if array.ndim > 1:
        return f"[[{NUMBER_TEMPLATE}, …], …]"
    return f"[{NUMBER_TEMPLATE}, …]"


_METRICS: dict[tuple[str, int], QFontMetricsF] = {}


def _metrics(role: str, px: int) -> QFontMetricsF:
    if (role, px) not in _METRICS:
        _METRICS[(role, px)] = QFontMetricsF(line_font(role, px))
    return _METRICS[(role, px)]


def _line_height(role: str, px: int) -> float:
    role = role.split("|")[0]
    return _metrics(role, px).height() + (1.0 if role == "title" else 0.0)


def line_width(text: str, role: str, px: int) -> float:
    """Width of a line; a two-part line ("body|ok") is measured part by part."""
    if "\t" not in text:
        return _metrics(role, px).horizontalAdvance(text)
    parts = list(zip(text.split("\t"), role.split("|"), strict=True))
    widths = [_metrics(r, px).horizontalAdvance(t) for t, r in parts]
    return sum(widths) + INLINE_GAP * (len(parts) - 1)


def _full(value) -> str:
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return f"{float(array):.8g}"
    with np.printoptions(precision=5, threshold=12, edgeitems=4):
        return str(array)
