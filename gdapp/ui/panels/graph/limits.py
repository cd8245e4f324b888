"""The graph panel's choices and ranges, in a module light enough for the start-up checks.

The saved-settings check reads these before the graph page is built; the panel's own modules
import them from here, so both always agree.
"""

from __future__ import annotations

VIEW_NAMES = ("example", "sample", "batch")
SPEED_MIN, SPEED_MAX, SPEED_DEFAULT = 1, 10, 5  # animation speed slider, slow to fast
