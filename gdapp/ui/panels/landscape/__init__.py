"""The cost-landscape panel: ``panel`` (the widget), ``controls`` and ``plots`` (what it
shows), ``state`` (its records), ``jobs`` (what it computes, no Qt) and ``worker`` (the
thread that computes it)."""

from gdapp.ui.panels.landscape.panel import LandscapePanel
from gdapp.ui.panels.landscape.state import MODES, LandscapeState, OverlayRun

__all__ = ["MODES", "LandscapePanel", "LandscapeState", "OverlayRun"]
