"""gdapp.exports runs without Qt: the window, the command line and a plain script can use it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import importlib, pkgutil, sys
import gdapp.exports
names = [m.name for m in pkgutil.iter_modules(gdapp.exports.__path__, "gdapp.exports.")]
for name in names:
    importlib.import_module(name)
print(",".join(sorted(names)))
for banned in ("PySide6", "pyqtgraph", "gdapp.ui", "matplotlib"):
    assert banned not in sys.modules, banned + " was imported"
"""


def test_exports_import_no_qt():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    imported = result.stdout.strip().split(",")
    for name in ("code", "recipe", "tables", "command_line"):
        assert f"gdapp.exports.{name}" in imported
