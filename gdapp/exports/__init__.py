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

from __future__ import annotations

from importlib import import_module

from gdapp.exports.errors import ExportError

# The writers are imported when first asked for: the window imports this package at start-up
# for ExportError, and an export is rarely the first thing a learner does.
_HOMES = {
    "history_table": "tables",
    "lr_changes_from_history": "recipe",
    "run_notebook": "code",
    "run_script": "code",
    "write_history_csv": "tables",
    "write_notebook": "code",
    "write_script": "code",
    "write_weights_csv": "tables",
    "write_weights_json": "tables",
}

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


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"gdapp.exports.{home}"), name)
    globals()[name] = value
    return value
