"""The computation-graph panel and the pieces it is drawn with.

``panel``     the panel (objectName ``graphView``) and its public setters
``views``     the three graphs it shows, built from the core, named for the screen
``views_mlp`` the same graphs through a hidden layer
``text``      every string about a node or edge: labels, closed forms, local derivatives
``scene``, ``items``, ``cards``, ``style``, ``canvas``  the drawing
``controls``, ``nudge``, ``animation``, ``table``, ``export``  what surrounds it
"""

from __future__ import annotations

__all__ = ["GraphPanel", "ViewState"]


def __getattr__(name: str):
    # On demand: the settings check reads constants from this package at start-up, before
    # the graph page (and its panel) is ever built.
    if name in __all__:
        from gdapp.ui.panels.graph import panel

        return getattr(panel, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
