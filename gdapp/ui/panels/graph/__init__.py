"""The computation-graph panel and the pieces it is drawn with.

``panel``     the panel (objectName ``graphView``) and its public setters
``views``     the three graphs it shows, built from the core, named for the screen
``text``      every string about a node or edge: labels, closed forms, local derivatives
``scene``, ``items``, ``cards``, ``style``, ``canvas``  the drawing
``controls``, ``nudge``, ``animation``, ``table``, ``export``  what surrounds it
"""

from gdapp.ui.panels.graph.panel import GraphPanel, ViewState

__all__ = ["GraphPanel", "ViewState"]
