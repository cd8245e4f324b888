"""Exports of a run: its weights and history as data files, and the run itself as code.

No Qt here (pandas and nbformat are allowed), so the window's File ▸ Export menu, the
command line and the tests all call the same functions. Public names:

    ExportError                 the one exception; its message names what cannot be exported
    write_weights_csv / _json   the weights (feature name → weight) and the bias
    history_table, write_history_csv
                                one row per step: losses, accuracies, parameters, lr
    run_script, run_notebook    the run as a numpy + pandas script / a Jupyter notebook
    write_script, write_notebook
    lr_changes_from_history     the (step, lr) changes recorded in a history's lr column
"""

from gdapp.exports.code import run_notebook, run_script, write_notebook, write_script
from gdapp.exports.errors import ExportError
from gdapp.exports.recipe import lr_changes_from_history
from gdapp.exports.tables import (
    history_table,
    write_history_csv,
    write_weights_csv,
    write_weights_json,
)

__all__ = [
    "ExportError",
    "history_table",
    "lr_changes_from_history",
    "run_notebook",
    "run_script",
    "write_history_csv",
    "write_notebook",
    "write_script",
    "write_weights_csv",
    "write_weights_json",
]
