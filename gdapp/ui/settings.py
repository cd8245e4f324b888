"""Where the app keeps its settings, and a way for tests to keep theirs apart.

``make_settings()`` returns the user's ``QSettings("GradientDescentLab", "gdapp")``, unless
the environment variable ``GDAPP_SETTINGS_DIR`` names a folder: then the settings live in an
INI file there, so a test (or a second copy of the app) never reads or writes the user's.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

ORGANIZATION = "GradientDescentLab"
APPLICATION = "gdapp"
SETTINGS_DIR_ENV = "GDAPP_SETTINGS_DIR"


def make_settings() -> QSettings:
    """The settings store to use now (see the module docstring)."""
    folder = os.environ.get(SETTINGS_DIR_ENV)
    if folder:
        path = Path(folder) / f"{APPLICATION}.ini"
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, APPLICATION)
