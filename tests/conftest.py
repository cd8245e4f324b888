"""Test set-up shared by every test.

Qt must be told to render offscreen before anything imports it: without a display
and without this variable, Qt aborts the whole process.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")
