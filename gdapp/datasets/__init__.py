"""Datasets: CSV loading with line-exact errors, the built-in presets, scaling and splits.

pandas is allowed here; Qt is not. Public names:

    DatasetError            the one exception for bad input (path, row = file line, column)
    Dataset                 frozen record: raw table, scaled X (n, d), y (n,), split, scaler
    Scaler, fit_scaler      min-max / standard / none scaling, fitted on training rows
    PRESETS, load_preset    "diabetes" and "diabetes-post", built from data/diabetes.csv
    load_csv, read_preview  a user's CSV file -> Dataset / first rows for an import dialog
    DATA_CSV                path of the shipped diabetes.csv
"""

from gdapp.datasets.csv_loader import load_csv
from gdapp.datasets.csv_reader import read_preview
from gdapp.datasets.dataset import Dataset, split_indices
from gdapp.datasets.errors import DatasetError
from gdapp.datasets.labels import encode_labels
from gdapp.datasets.presets import DATA_CSV, PRESETS, load_preset
from gdapp.datasets.scaling import SCALE_KINDS, Scaler, fit_scaler

__all__ = [
    "DATA_CSV",
    "PRESETS",
    "SCALE_KINDS",
    "Dataset",
    "DatasetError",
    "Scaler",
    "encode_labels",
    "fit_scaler",
    "load_csv",
    "load_preset",
    "read_preview",
    "split_indices",
]
