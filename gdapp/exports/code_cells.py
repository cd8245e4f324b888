"""The generated code of a run, one idea per cell, written for a learner to read.

``run_cells`` gives one ``Cell(title, text, code)`` per step of the run: settings, data, split
and scaling (``code_data``), then model, gradient, optimizer, training loop, result and plot
(``code_training``).  ``code`` uses
numpy and pandas only (matplotlib optionally, for the plot) and writes out the same maths as
``gdapp.core`` and ``gdapp.datasets``, in the same order of floating-point operations where
that order decides the last digit.  Only what the run uses is written: its optimizer, its
model, mini-batches only when it has them, a test set only when there is one.

Names follow the lessons: ``X`` (m, d) features, ``y`` (m,) 0/1 labels, ``w`` (d,) weights,
``b`` the bias, ``z = Xw + b``, ``a = σ(z)``, ``J`` the cost and ``lr`` the learning rate; a
hidden layer has ``W1`` (hidden, d), ``b1``, ``w2`` (hidden,) and ``b2``.

Code is built from templates whose ``«name»`` markers are filled with Python literals
(``repr``), so any column name or path a user has ends up as a valid string literal.
"""

from __future__ import annotations

from pathlib import Path

from gdapp.exports.code_data import load_cell, scale_cell, settings_cell, split_cell
from gdapp.exports.code_text import LINE_CHARS, Cell
from gdapp.exports.code_training import (
    gradient_cell,
    model_cell,
    optimizer_cell,
    plot_cell,
    result_cell,
    train_cell,
)
from gdapp.exports.recipe import Recipe

__all__ = ["LINE_CHARS", "Cell", "run_cells", "title_of"]


def title_of(recipe: Recipe) -> str:
    cfg = recipe.config
    model = {
        "logistic": "logistic regression",
        "linear": "least squares on 0/1 labels",
        "mlp": f"a hidden layer of {cfg.hidden} {cfg.activation} units",
    }[cfg.model]
    data = recipe.kind if recipe.kind != "csv" else Path(recipe.path).name
    if not data.isprintable():  # a line break in a file name must not end the comment it is in
        data = repr(data)
    return f"{model} on {data}, {cfg.optimizer}, {recipe.steps} steps"


def run_cells(recipe: Recipe) -> list[Cell]:
    """The cells of the run, in order; their code joined is a complete script."""
    builders = (
        settings_cell,
        load_cell,
        split_cell,
        scale_cell,
        model_cell,
        gradient_cell,
        optimizer_cell,
        train_cell,
        result_cell,
        plot_cell,
    )
    return [build(recipe) for build in builders]
