"""Drawing of a core computation graph: node cards, edges and a left-to-right layout.

``GraphScene.show_graph`` builds items for a new structure and afterwards only updates the
numbers of the items it has (a training snapshot changes values, not the structure). Each
``NodeItem`` keeps the numbers it was given so the panel can report exactly what is shown.

Layout: the engine's layers give each node a column; a leaf (input or parameter) moves to
the column just before its first consumer, so ``b`` sits next to ``z`` and ``y`` next to
``L``. Columns are ordered from the output back by the mean position of each node's
consumers. A column with many leaves (the sample view's x1, w1, x2, w2, ...) is drawn as
two staggered sub-columns; edges from the left sub-column run straight through the gaps
of the right one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsScene

from gdapp.ui.panels.graph.cards import NodeStyle
from gdapp.ui.panels.graph.items import EdgeItem, NodeItem, NodeNumbers
from gdapp.ui.panels.graph.style import DEFAULT_FONT_PX, MUTED_COLOUR, scene_font

__all__ = ["EdgeItem", "GraphScene", "NodeItem", "NodeNumbers", "arrange_columns"]

COLUMN_GAP = 13.0  # horizontal room for edges between columns
SUB_COLUMN_GAP = 6.0  # between the two halves of a staggered column
ROW_GAP = 6.0  # between cards stacked in one column
STAGGER_GAP = 5.0  # a staggered column's gaps carry edges, so they stay open
STAGGER_MIN_NODES = 10  # leaf columns at least this tall are split in two
SCENE_MARGIN = 4.0


class GraphScene(QGraphicsScene):
    """Cards and arrows for one core graph; rebuilt only when the structure changes."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.nodes: dict[str, NodeItem] = {}
        self.edges: list[EdgeItem] = []
        self._structure: tuple = ()
        self._layout_key: tuple = ()
        self._message = None
        self._parents: dict[str, list[str]] = {}
        self._children: dict[str, list[str]] = {}
        self._layers: list[list[str]] = []
        self.font_px = DEFAULT_FONT_PX
        self.setBackgroundBrush(QColor("#fbfbfc"))

    @property
    def structure(self) -> tuple:
        return self._structure

    def parents_of(self, name: str) -> list[str]:
        return list(self._parents.get(name, ()))

    def children_of(self, name: str) -> list[str]:
        return list(self._children.get(name, ()))

    def show_message(self, text: str) -> None:
        """Replace the diagram with a line of text (no dataset yet, for instance)."""
        self.clear()
        self.nodes, self.edges, self._structure, self._layout_key = {}, [], (), ()
        self._parents, self._children = {}, {}
        item = self.addSimpleText(text, scene_font(self.font_px + 1))
        item.setBrush(MUTED_COLOUR)
        self._message = item
        self.setSceneRect(item.boundingRect().adjusted(-20, -20, 20, 20))

    def show_graph(
        self,
        graph,
        styles: Mapping[str, NodeStyle],
        output_symbol: str,
        numbers: Mapping[str, NodeNumbers],
        layers: Sequence[Sequence[str]],
        nudge_on: bool,
        edge_labels: Mapping[tuple[str, str], str],
        bug_edges: Sequence[tuple[str, str]] = (),
        hidden: frozenset[str] = frozenset(),
    ) -> bool:
        """Show ``graph``'s numbers; returns True when the items had to be rebuilt.

        ``hidden`` nodes get no card and no edges (a hidden layer's weights, which its edges
        and the gradient table show instead).
        """
        drawn = [node for node in graph.nodes if node.name not in hidden]
        structure = tuple(
            (
                node.name,
                tuple(p.name for p in node.parents if p.name not in hidden),
                np.shape(node.value),
                styles[node.name],
            )
            for node in drawn
        )
        rebuilt = structure != self._structure
        if rebuilt:
            self._build(drawn, hidden, styles, output_symbol)
            self._structure = structure
            self._layers = [[n for n in layer if n not in hidden] for layer in layers]
            self._layers = [layer for layer in self._layers if layer]
        for node in drawn:
            item = self.nodes[node.name]
            item.nudge_on = nudge_on
            item.set_numbers(numbers[node.name])
        bugged = set(bug_edges)
        for edge in self.edges:
            pair = (edge.parent_item.name, edge.child_item.name)
            edge.set_label(edge_labels.get(pair, f"d{pair[1]}/d{pair[0]}"), pair in bugged)
        grown = any(not item.fits() for item in self.nodes.values())
        self.relayout(force=rebuilt or grown)
        return rebuilt

    def set_font_px(self, px: int) -> None:
        """Card text size in scene units; every card is measured and placed anew."""
        if px == self.font_px:
            return
        self.font_px = px
        for item in self.nodes.values():
            item.set_font_px(px)
        if self.nodes:
            self.relayout(force=True)
        elif self._message is not None:
            self._message.setFont(scene_font(px + 1))
            self.setSceneRect(self._message.boundingRect().adjusted(-20, -20, 20, 20))

    def min_text_px(self) -> float:
        """The smallest font size over every card, in scene units (0 with no cards)."""
        return min((item.smallest_text_px() for item in self.nodes.values()), default=0.0)

    def set_nudge(self, enabled: bool) -> None:
        for item in self.nodes.values():
            item.nudge_on = enabled
            item.update()
        self.relayout()

    def relayout(self, force: bool = False) -> None:
        """Size and place every card; skipped when no card's size can have changed."""
        key = tuple(item.layout_key() for item in self.nodes.values())
        if not force and key == self._layout_key:
            return
        self._layout_key = key
        columns = arrange_columns(self._layers, self._parents, self._children)
        x = 0.0
        for column in columns:
            staggered = len(column) == 2
            sizes = [[self.nodes[n].natural_size() for n in sub] for sub in column]
            widths = [max((w for w, _ in sub), default=0.0) for sub in sizes]
            tallest = max(h for sub in sizes for _, h in sub)
            if staggered:
                pitch = tallest + STAGGER_GAP
                order = [n for pair in _interleave(column[0], column[1]) for n in pair]
                count = len(order)
                for t, name in enumerate(order):
                    sub = 0 if name in column[0] else 1
                    item = self.nodes[name]
                    y_mid = (t - (count - 1) / 2) * pitch / 2
                    left = x if sub == 0 else x + widths[0] + SUB_COLUMN_GAP
                    item.set_size(widths[sub], tallest)
                    item.setPos(left, y_mid - tallest / 2)
                pass_x = x + widths[0] + SUB_COLUMN_GAP + widths[1] + 6.0
                for edge in self.edges:
                    if edge.parent_item.name in column[0]:
                        edge.pass_x = pass_x
                width = widths[0] + SUB_COLUMN_GAP + widths[1]
            else:
                names = column[0]
                heights = [h for _, h in sizes[0]]
                total = sum(heights) + ROW_GAP * (len(names) - 1)
                y = -total / 2
                for name, h in zip(names, heights, strict=True):
                    item = self.nodes[name]
                    item.set_size(widths[0], h)
                    item.setPos(x, y)
                    y += h + ROW_GAP
                width = widths[0]
            x += width + COLUMN_GAP
        for edge in self.edges:
            edge.route()
        bounds = self.itemsBoundingRect()
        self.setSceneRect(bounds.adjusted(-SCENE_MARGIN, -SCENE_MARGIN, SCENE_MARGIN, SCENE_MARGIN))

    def _build(
        self, drawn, hidden: frozenset[str], styles: Mapping[str, NodeStyle], output_symbol: str
    ) -> None:
        self.clear()
        self._message = None
        self.nodes, self.edges = {}, []
        self._parents = {
            node.name: [p.name for p in node.parents if p.name not in hidden] for node in drawn
        }
        self._children: dict[str, list[str]] = {node.name: [] for node in drawn}
        for node in drawn:
            for parent in self._parents[node.name]:
                self._children[parent].append(node.name)
        for node in drawn:
            symbol = f"d{output_symbol}/d{styles[node.name].symbol or node.name}"
            item = NodeItem(
                node.name,
                styles[node.name],
                symbol,
                leaf=not node.parents,
                vector=np.ndim(node.value) > 0,
            )
            item.set_font_px(self.font_px)
            self.nodes[node.name] = item
            self.addItem(item)
        for node in drawn:
            parents = self._parents[node.name]
            for index, parent in enumerate(parents):
                edge = EdgeItem(self.nodes[parent], self.nodes[node.name], index, len(parents))
                self.edges.append(edge)
                self.addItem(edge)


def arrange_columns(
    layers: Sequence[Sequence[str]],
    parents: Mapping[str, Sequence[str]],
    children: Mapping[str, Sequence[str]],
) -> list[list[list[str]]]:
    """Columns of sub-columns of node names, left to right, ordered to limit crossings."""
    rank = {name: i for i, name in enumerate(n for layer in layers for n in layer)}
    depth = {name: d for d, layer in enumerate(layers) for name in layer}
    for name in depth:
        if not parents[name] and children[name]:
            depth[name] = min(depth[c] for c in children[name]) - 1
    used = sorted(set(depth.values()))
    columns: list[list[str]] = [[] for _ in used]
    for name in sorted(depth, key=rank.__getitem__):
        columns[used.index(depth[name])].append(name)
    position: dict[str, float] = {}
    for column in reversed(columns):
        column.sort(key=lambda n: (_mean(position[c] for c in children[n]), rank[n]))
        for i, name in enumerate(column):
            position[name] = float(i)
    arranged: list[list[list[str]]] = []
    for column in columns:
        all_leaves = all(not parents[n] for n in column)
        if all_leaves and len(column) >= STAGGER_MIN_NODES:
            arranged.append([column[0::2], column[1::2]])
        else:
            arranged.append([column])
    return arranged


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _interleave(first: Sequence[str], second: Sequence[str]):
    for i in range(max(len(first), len(second))):
        yield tuple(sub[i] for sub in (first, second) if i < len(sub))
