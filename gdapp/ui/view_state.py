"""What the screen shows, in one place: ``ViewState`` and the ``ViewModel`` that holds it.

``ViewState`` is a frozen record of every choice about *what is on screen* that is not
training state: which page of the workspace is in front, the graph panel's view, planted bug
and nudge check, the example graph's inputs, the landscape's mode, axes and overlaid runs,
the decision boundary's axes and held values, the lesson figure, and the table options.
``ViewModel`` holds the current one and emits ``changed(old, new)`` whenever it is replaced;
panels subscribe and show it, and a user's edit in a panel goes back through
``ViewModel.update`` so that the model always says what the screen shows. Nothing else keeps
a copy (napari's evented viewer model, simplified to a frozen dataclass replaced whole).

A lesson step declares a ViewState (``from_lesson_actions``): every field it does not name
takes its default, so entering a step from anywhere gives the same screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from PySide6.QtCore import QObject, Signal

# Pages of the main workspace, in tab order.
PAGES = ("data", "plots", "graph", "landscape", "boundary", "figure")
PAGE_TITLES = {
    "data": "Dataset",
    "plots": "Plots",
    "graph": "Computation graph",
    "landscape": "Cost landscape",
    "boundary": "Decision boundary",
    "figure": "Lesson figure",
}
# The page each spotlight target lives on; targets on the toolbar or in the lesson column
# are always visible and need no page.
TARGET_PAGES = {
    "datasetTable": "data",
    "datasetBrowser": "data",
    "contributionsPlot": "data",
    "lossPlot": "plots",
    "accuracyPlot": "plots",
    "weightsPlot": "plots",
    "graphView": "graph",
    "graphViewSelector": "graph",
    "nudgeToggle": "graph",
    "bugSelector": "graph",
    "landscapePanel": "landscape",
    "boundaryPlot": "boundary",
    "figurePatient": "figure",
}
DEFAULT_PAGE = "plots"
DEFAULT_GRAPH_INPUTS = (5.0, 3.0, 2.0)  # the post's a, b, c


@dataclass(frozen=True)
class ViewState:
    """Every on-screen choice that is not training state; see the module docstring.

    ``landscape_params`` holds parameter indices (weights then bias), one for a slice and two
    for a contour; ``overlays`` holds ``(optimizer, lr)`` pairs; ``post_example`` is the
    lesson-10 figure's ``(variant, x)`` (x None: the post's own start).
    ``boundary_features`` holds the two feature indices on the decision boundary's axes
    (None: the first two) and ``boundary_held`` one value per feature for the features off
    those axes, in scaled units (None: their training means).
    """

    page: str = DEFAULT_PAGE
    figure: str | None = None
    post_example: tuple[str, float | None] = ("post", None)
    graph_view: str = "sample"
    graph_bug: str | None = None
    graph_nudge: bool = False
    graph_inputs: tuple[float, float, float] = DEFAULT_GRAPH_INPUTS
    landscape_mode: str = "contour"
    landscape_params: tuple[int, ...] = (1, 5)
    overlays: tuple[tuple[str, float], ...] = ()
    boundary_features: tuple[int, int] | None = None
    boundary_held: tuple[float, ...] | None = None
    table_scaled: bool = False
    spotlight: str | None = None

    def __post_init__(self) -> None:
        if self.page not in PAGES:
            raise ValueError(f"unknown page {self.page!r}; pages: {', '.join(PAGES)}")
        if self.page == "figure" and self.figure is None:
            raise ValueError("the figure page needs a figure")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (tuples become lists)."""
        return asdict(self)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


def from_lesson_actions(actions: Mapping[str, Any], figure: str | None = None) -> ViewState:
    """The ViewState a lesson step declares (its folded ``state_actions`` and its figure).

    The page in front is the one holding the spotlighted widget; else the figure's page when
    the step has a figure; else the page of the latest ``show_panel``; else the default.
    """
    state = ViewState()
    changes: dict[str, Any] = {"figure": figure}
    if "graph_view" in actions:
        changes["graph_view"] = actions["graph_view"]
    if "bug" in actions:
        changes["graph_bug"] = None if actions["bug"] == "none" else actions["bug"]
    if "nudge" in actions:
        changes["graph_nudge"] = bool(actions["nudge"])
    if "graph_inputs" in actions:
        inputs = dict(zip("abc", DEFAULT_GRAPH_INPUTS, strict=True))
        inputs.update({k: float(v) for k, v in actions["graph_inputs"].items()})
        changes["graph_inputs"] = (inputs["a"], inputs["b"], inputs["c"])
    if "landscape" in actions:
        table = actions["landscape"]
        changes["landscape_mode"] = table["mode"]
        changes["landscape_params"] = tuple(int(k) for k in table["params"])
        changes["overlays"] = tuple(
            (str(run["optimizer"]), float(run["lr"])) for run in table.get("overlay", ())
        )
    if "boundary_features" in actions:
        first, second = (int(k) for k in actions["boundary_features"])
        changes["boundary_features"] = (first, second)
    if "post_example" in actions:
        table = actions["post_example"]
        x = table.get("x")
        changes["post_example"] = (str(table.get("variant", "post")), None if x is None else x)
    spotlight = actions.get("spotlight")
    changes["spotlight"] = spotlight
    page = TARGET_PAGES.get(spotlight or "")
    if page is None and figure is not None:
        page = "figure"
    if page is None:
        page = TARGET_PAGES.get(actions.get("show_panel") or "", DEFAULT_PAGE)
    changes["page"] = page
    return replace(state, **changes)


class ViewModel(QObject):
    """Holds the current ``ViewState``; ``changed(old, new)`` after every replacement."""

    changed = Signal(object, object)

    def __init__(self, state: ViewState | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = state if state is not None else ViewState()

    @property
    def state(self) -> ViewState:
        return self._state

    def set_state(self, state: ViewState) -> None:
        """Replace the whole state (a lesson step entering); no signal when nothing changed."""
        if state != self._state:
            old, self._state = self._state, state
            self.changed.emit(old, state)

    def update(self, **changes: Any) -> None:
        """Change some fields (a user's edit in a panel)."""
        unknown = set(changes) - set(ViewState.field_names())
        if unknown:
            raise TypeError(f"unknown ViewState field(s): {', '.join(sorted(unknown))}")
        self.set_state(replace(self._state, **changes))
