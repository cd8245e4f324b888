"""Test set-up shared by every test.

Qt must be told to render offscreen before anything imports it: without a display
and without this variable, Qt aborts the whole process.
"""

import os
from pathlib import Path

# A 1280 x 800 screen (the offscreen plugin's own is 800 x 600), so that the default window
# fits on it as it does on a laptop, and frame checks mean something.
SCREEN_CONFIG = Path(__file__).with_name("offscreen-screen.json")
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={SCREEN_CONFIG}")
os.environ.setdefault("QT_QUICK_BACKEND", "software")
