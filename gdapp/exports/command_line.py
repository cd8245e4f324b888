"""What ``gdapp train --export-script PATH`` and ``--export-notebook PATH`` do.

The paths are checked before training, so a typo costs no training time; the files are
written after it, from the same options the run was trained with.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from gdapp.datasets import PRESETS, Dataset
from gdapp.exports.code import write_notebook, write_script
from gdapp.exports.errors import ExportError
from gdapp.exports.recipe import lr_changes_from_history

__all__ = ["check_export_paths", "origin_from_args", "write_exports"]

_OPTIONS = (("export_script", "--export-script"), ("export_notebook", "--export-notebook"))


def _targets(args: argparse.Namespace) -> list[tuple[str, Path]]:
    return [
        (flag, Path(getattr(args, name)))
        for name, flag in _OPTIONS
        if getattr(args, name, None) is not None
    ]


def check_export_paths(args: argparse.Namespace) -> None:
    """Raise ExportError naming the option when a path cannot be written to."""
    targets = _targets(args)
    for flag, path in targets:
        if path.is_dir():
            raise ExportError(f"{flag}: {path} is a folder, not a file name")
        if not path.parent.is_dir():
            raise ExportError(f"{flag}: there is no folder {path.parent}")
    if len(targets) == 2 and targets[0][1].resolve() == targets[1][1].resolve():
        raise ExportError("--export-script and --export-notebook name the same file")


def origin_from_args(args: argparse.Namespace, dataset: Dataset) -> dict[str, Any]:
    """The dataset origin of a ``train`` run: its preset or CSV options, as the run loaded it."""
    options = {"test_fraction": args.test_fraction, "seed": args.seed}
    if args.dataset in PRESETS:
        return {"preset": args.dataset, "impute_zeros": bool(args.impute_zeros), **options}
    return {
        "csv": dataset.source,
        "label": dataset.label_name,
        "features": list(dataset.feature_names),
        "positive": dataset.positive_label,
        "scale": args.scale,
        **options,
    }


def write_exports(
    args: argparse.Namespace, dataset: Dataset, trainer: Any, out: TextIO | None = None
) -> None:
    """Write the files the export options name, for a ``trainer`` that has finished."""
    targets = dict(_targets(args))
    if not targets:
        return
    run = (
        origin_from_args(args, dataset),
        trainer.config,
        trainer.step_count,
        lr_changes_from_history(trainer.history.lr),
    )
    written = []
    if "--export-script" in targets:
        written.append(write_script(targets["--export-script"], *run, dataset=dataset))
    if "--export-notebook" in targets:
        written.append(write_notebook(targets["--export-notebook"], *run, dataset=dataset))
    if out is not None:
        for path in written:
            out.write(f"Wrote {path}\n")
