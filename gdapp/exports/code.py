"""A run exported as code: a plain Python script or a Jupyter notebook, the same cells in both.

Both repeat the run from the same data file with numpy and pandas only and end by printing
``final train loss: <repr of the float>``, the app's final training loss (to about 1e-12).
Arguments, shared by every function here:

``dataset_origin``  how to load the data again, as ``TrainingSession.dataset_origin`` gives it
                    (see ``gdapp.exports.recipe`` for the keys);
``config``          the run's ``TrainConfig``;
``steps``           how many updates the run committed (``Trainer.step_count``);
``lr_changes``      ``(step, lr)`` pairs: from update ``step`` on, the rate is ``lr``
                    (``lr_changes_from_history(history.lr)`` reads them off a history);
``start``           the starting point given to the Trainer, if one was (weights, then bias);
``dataset``         the dataset being trained on, to check that loading again gives it.

Whatever the code could not repeat exactly raises ``ExportError`` naming it.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gdapp.core.trainer import TrainConfig
from gdapp.datasets import Dataset
from gdapp.exports.code_cells import LINE_CHARS, Cell, run_cells, title_of
from gdapp.exports.errors import ExportError
from gdapp.exports.recipe import make_recipe

if TYPE_CHECKING:  # nbformat is imported when a notebook is made, not by the command line
    import nbformat

__all__ = ["run_notebook", "run_script", "write_notebook", "write_script"]

INTRO = (
    "This code repeats a training run of Gradient Descent Lab step by step, with numpy and "
    "pandas only: the same data file, scaling, split, optimizer, batches, learning rates and "
    "number of steps. Its last printed line is the final training loss, the number the app "
    "showed at the end of the run."
)


def _cells(
    dataset_origin: Mapping[str, Any],
    config: TrainConfig,
    steps: int,
    lr_changes: Sequence[tuple[int, float]],
    start: Sequence[float] | None,
    dataset: Dataset | None,
) -> tuple[str, list[Cell]]:
    recipe = make_recipe(dataset_origin, config, steps, lr_changes, start=start, dataset=dataset)
    return title_of(recipe), run_cells(recipe)


def _comment(text: str) -> str:
    return "\n".join(
        textwrap.wrap(text, LINE_CHARS - 2, initial_indent="# ", subsequent_indent="# ")
    )


def run_script(
    dataset_origin: Mapping[str, Any],
    config: TrainConfig,
    steps: int,
    lr_changes: Sequence[tuple[int, float]] = (),
    *,
    start: Sequence[float] | None = None,
    dataset: Dataset | None = None,
) -> str:
    """The run as the text of a Python script; ``# %%`` lines separate its cells."""
    title, cells = _cells(dataset_origin, config, steps, lr_changes, start, dataset)
    parts = [f"# Gradient Descent Lab: {title}\n#\n{_comment(INTRO)}"]
    for number, cell in enumerate(cells, start=1):
        parts.append(f"# %% {number}. {cell.title}\n{_comment(cell.text)}\n{cell.code}")
    return "\n\n\n".join(parts) + "\n"


def run_notebook(
    dataset_origin: Mapping[str, Any],
    config: TrainConfig,
    steps: int,
    lr_changes: Sequence[tuple[int, float]] = (),
    *,
    start: Sequence[float] | None = None,
    dataset: Dataset | None = None,
) -> nbformat.NotebookNode:
    """The run as a notebook (nbformat 4): a Markdown cell, then a code cell, per idea."""
    import nbformat

    title, cells = _cells(dataset_origin, config, steps, lr_changes, start, dataset)
    v4 = nbformat.v4
    notebook = v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.cells.append(v4.new_markdown_cell(f"# Gradient Descent Lab: {title}\n\n{INTRO}"))
    for number, cell in enumerate(cells, start=1):
        notebook.cells.append(v4.new_markdown_cell(f"## {number}. {cell.title}\n\n{cell.text}"))
        notebook.cells.append(v4.new_code_cell(cell.code))
    return notebook


def _write(path: str | os.PathLike[str], text: str) -> Path:
    path = Path(path)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def write_script(path: str | os.PathLike[str], *args: Any, **kwargs: Any) -> Path:
    """Write ``run_script(*args, **kwargs)`` to ``path`` (UTF-8); returns the path."""
    return _write(path, run_script(*args, **kwargs))


def write_notebook(path: str | os.PathLike[str], *args: Any, **kwargs: Any) -> Path:
    """Write ``run_notebook(*args, **kwargs)`` to ``path`` as an .ipynb file; returns the path."""
    import nbformat

    return _write(path, nbformat.writes(run_notebook(*args, **kwargs)) + "\n")
