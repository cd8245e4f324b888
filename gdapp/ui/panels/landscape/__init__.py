"""The cost-landscape panel: ``panel`` (the widget), ``plots`` (its pyqtgraph items),
``jobs`` (what it computes, no Qt) and ``worker`` (the thread that computes it)."""

from gdapp.ui.panels.landscape.panel import (
    MODES,
    OPTIMIZER_LABELS,
    LandscapePanel,
    LandscapeState,
    OverlayRun,
)

__all__ = ["MODES", "OPTIMIZER_LABELS", "LandscapePanel", "LandscapeState", "OverlayRun"]
