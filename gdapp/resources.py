"""Locate files shipped with the app, from a source tree and from a PyInstaller bundle alike."""

from __future__ import annotations

import sys
from pathlib import Path

# From source, data/ and resources/ sit beside the gdapp package; PyInstaller unpacks
# the same folders under sys._MEIPASS.
_ROOT = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))


def resource_path(relative: str) -> Path:
    """Return the absolute path of ``relative`` (e.g. ``"data/diabetes.csv"``)."""
    return _ROOT / relative
