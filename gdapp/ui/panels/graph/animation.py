"""The step-mode walk: light the nodes up in evaluation order, then back again.

Forward pass: each node in topological order shows its value (its incoming edges glow).
Backward pass: the same nodes in reverse show their derivative (the edges that carried it
glow). Numbers not reached yet read "?". ``skip()`` jumps to the end at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QTimer, Signal

from gdapp.ui.panels.graph.limits import SPEED_DEFAULT, SPEED_MAX, SPEED_MIN
from gdapp.ui.panels.graph.scene import GraphScene
from gdapp.ui.panels.graph.style import format_value, summary_number

SLOWEST_STEP_MS = 900  # per node at speed 1
FASTEST_STEP_MS = 40  # per node at speed 10


def step_interval_ms(speed: int) -> int:
    """Time per node for a speed setting 1 (slow) .. 10 (fast), evenly on a log scale."""
    speed = min(SPEED_MAX, max(SPEED_MIN, int(speed)))
    t = (speed - SPEED_MIN) / (SPEED_MAX - SPEED_MIN)
    return round(SLOWEST_STEP_MS * (FASTEST_STEP_MS / SLOWEST_STEP_MS) ** t)


class GraphWalk(QObject):
    """Drives the scene's cards through one forward and one backward pass.

    Signals: ``progressed(str)`` with a status line per node, ``finished()`` at the end
    (also after ``skip()``).
    """

    progressed = Signal(str)
    finished = Signal()

    def __init__(self, scene: GraphScene, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scene = scene
        self._order: list[str] = []
        self._position = 0
        self._timer = QTimer(self)
        self._timer.setInterval(step_interval_ms(SPEED_DEFAULT))
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def set_speed(self, speed: int) -> None:
        self._timer.setInterval(step_interval_ms(speed))

    def start(self, order: Sequence[str]) -> None:
        """Walk the named nodes (topological order) forward, then backward."""
        self._order = [name for name in order if name in self._scene.nodes]
        self._position = 0
        for item in self._scene.nodes.values():
            item.set_reveal("none")
        self._light_edges(set())
        if not self._order:
            self.finished.emit()
            return
        self._advance()
        self._timer.start()

    def skip(self) -> None:
        """Show everything now and finish."""
        if not self._order and not self.running:
            return
        self._finish()

    # -- internals ------------------------------------------------------------------------

    def _on_timer_timeout(self) -> None:
        self._advance()

    def _advance(self) -> None:
        n = len(self._order)
        if self._position >= 2 * n:
            self._finish()
            return
        nodes = self._scene.nodes
        for item in nodes.values():
            if item.current:
                item.set_reveal(item.reveal, current=False)
        if self._position < n:
            name = self._order[self._position]
            item = nodes[name]
            item.set_reveal("value", current=True)
            self._light_edges({(p, name) for p in self._scene.parents_of(name)})
            value = format_value(summary_number(item.numbers.value))
            title = item.style.title
            self.progressed.emit(
                f"Forward pass {self._position + 1}/{n}: {title} → {value}"
                if " = " in title
                else f"Forward pass {self._position + 1}/{n}: {title} = {value}"
            )
        else:
            k = self._position - n
            name = self._order[n - 1 - k]
            item = nodes[name]
            item.set_reveal("all", current=True)
            self._light_edges({(name, c) for c in self._scene.children_of(name)})
            grad = format_value(summary_number(item.numbers.grad))
            self.progressed.emit(f"Backward pass {k + 1}/{n}: {item.symbol} = {grad}")
        self._position += 1

    def _light_edges(self, pairs: set[tuple[str, str]]) -> None:
        for edge in self._scene.edges:
            edge.set_lit((edge.parent_item.name, edge.child_item.name) in pairs)

    def _finish(self) -> None:
        self._timer.stop()
        self._order = []
        self._position = 0
        for item in self._scene.nodes.values():
            item.set_reveal("all")
        self._light_edges(set())
        self.finished.emit()
