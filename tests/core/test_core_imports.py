"""gdapp.core stands on numpy and the standard library alone."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import importlib, pkgutil, sys
import gdapp.core
import gdapp.core.functional, gdapp.core.models, gdapp.core.optimizers
import gdapp.core.trainer, gdapp.core.gradcheck
names = [m.name for m in pkgutil.iter_modules(gdapp.core.__path__, "gdapp.core.")]
for name in names:
    importlib.import_module(name)
print(",".join(sorted(names)))
for banned in ("PySide6", "pandas", "pyqtgraph"):
    assert banned not in sys.modules, banned + " was imported"
"""


def test_core_imports_neither_qt_nor_pandas():
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
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
    for name in ("functional", "losses", "models", "optimizers", "trainer", "gradcheck"):
        assert f"gdapp.core.{name}" in imported
