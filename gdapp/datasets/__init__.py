"""Datasets: CSV loading with line-exact errors, the built-in presets, scaling and splits.

pandas is allowed here; Qt is not. Public names:

    DatasetError            the one exception for bad input (path, row = file line, column)
    Dataset                 frozen record: raw table, scaled X (n, d), y (n,), split, scaler
    Scaler, fit_scaler      min-max / standard / none scaling, fitted on training rows
    PRESETS, load_preset    "diabetes" and "diabetes-post", built from data/diabetes.csv;
                            "moons" and "xor", made by a seeded formula
    load_csv, read_preview  a user's table (CSV or Excel) -> Dataset / first rows for a dialog
    open_table, TableSource a probed table: column names, sheets, notes, preview()
    label_classes           the classes of a label column, as load_csv compares them
    MISSING_CHOICES         what load_csv(missing=...) accepts: "drop", "fill"
    DATA_CSV                path of the shipped diabetes.csv
"""

from gdapp.datasets.csv_loader import MISSING_CHOICES, load_csv
from gdapp.datasets.csv_reader import TableSource, open_table, read_preview
from gdapp.datasets.dataset import Dataset, split_indices
from gdapp.datasets.errors import DatasetError
from gdapp.datasets.labels import encode_labels, label_classes
from gdapp.datasets.presets import DATA_CSV, PRESETS, load_preset
from gdapp.datasets.scaling import SCALE_KINDS, Scaler, fit_scaler

__all__ = [
    "DATA_CSV",
    "MISSING_CHOICES",
    "PRESETS",
    "SCALE_KINDS",
    "Dataset",
    "DatasetError",
    "Scaler",
    "TableSource",
    "encode_labels",
    "fit_scaler",
    "label_classes",
    "load_csv",
    "load_preset",
    "open_table",
    "read_preview",
    "split_indices",
]
