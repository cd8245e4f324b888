"""Headless subcommands: ``train``, ``dataset``, ``gradcheck`` and ``contributions``.

Every subcommand prints to stdout (JSON with ``--json``) and exits 0; bad input exits 2 with
one line on stderr that names the problem, never a traceback.

``--dataset`` takes a preset name (``diabetes``, ``diabetes-post``, ``moons``, ``xor``) or the
path of a table.  ``--model mlp`` trains one hidden layer of ``--hidden`` units (2 to 16,
default 4) with ``--activation`` tanh (default) or relu; ``--hidden`` or ``--activation``
with another model is refused, since the linear models have no hidden layer to shape.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

import numpy as np

SUBCOMMANDS = ("train", "dataset", "gradcheck", "contributions")
EXIT_BAD_INPUT = 2
PROGRESS_MIN_SECONDS = 0.5  # a run shorter than this never shows a progress bar
PROGRESS_INTERVAL_S = 0.1
PROGRESS_WIDTH_CHARS = 30


class CliError(Exception):
    """Bad input on the command line; the message is shown as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse's default prints usage over two lines
        raise CliError(f"{self.prog}: {message}")


def _positive_float(text: str) -> float:
    value = _float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text!r}")
    return value


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    value = _float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value


def _batch_size(text: str) -> int | None:
    if text.strip().lower() == "full":
        return None
    return _positive_int(text)


def _fraction(text: str) -> float:
    value = _float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text!r}")
    return value


def _hidden_units(text: str) -> int:
    from gdapp.core.mlp import HIDDEN_RANGE

    lo, hi = HIDDEN_RANGE
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not lo <= value <= hi:
        raise argparse.ArgumentTypeError(f"must be from {lo} to {hi} units, got {text!r}")
    return value


def _add_dataset_options(p: argparse.ArgumentParser) -> None:
    from gdapp.datasets.presets import PRESETS

    g = p.add_argument_group("data")
    g.add_argument(
        "--dataset",
        default="diabetes",
        help=f"a preset ({', '.join(PRESETS)}) or the path of a CSV file (default: diabetes)",
    )
    g.add_argument("--label", help="label column of a CSV (default: the last column)")
    g.add_argument("--features", help="comma-separated feature columns (default: all others)")
    g.add_argument("--positive", help="label value that counts as the positive class (1)")
    g.add_argument(
        "--scale",
        choices=("minmax", "standard", "none"),
        default="minmax",
        help="feature scaling for a CSV, fitted on the training split (default: minmax)",
    )
    g.add_argument(
        "--missing",
        choices=("drop", "fill"),
        default="drop",
        help="rows of a CSV with missing values: leave them out (drop, the default) or fill "
        "the gaps with the training median (fill)",
    )
    g.add_argument("--sheet", help="sheet of an Excel workbook, by name (default: the first)")
    g.add_argument(
        "--impute-zeros",
        action="store_true",
        help="diabetes preset: treat impossible zeros as missing and impute the training median",
    )
    g.add_argument(
        "--test-fraction",
        type=_fraction,
        default=0.2,
        help="share of rows held out for testing, 0 allowed (default: 0.2)",
    )
    g.add_argument("--seed", type=int, default=0, help="seed for the split and batches (0)")


def _add_model_options(p: argparse.ArgumentParser) -> None:
    """The model and training options every subcommand that trains shares."""
    from gdapp.core.mlp import ACTIVATIONS, HIDDEN_RANGE
    from gdapp.core.models import MODEL_NAMES
    from gdapp.core.optimizers import OPTIMIZER_NAMES
    from gdapp.core.trainer import TrainConfig

    default = TrainConfig()  # the window starts from the same defaults
    g = p.add_argument_group("model and training")
    g.add_argument(
        "--model",
        choices=MODEL_NAMES,
        default=default.model,
        help="logistic or linear regression, or mlp: one hidden layer",
    )
    # None marks "not given", so that a hidden-layer option without --model mlp is refused.
    g.add_argument(
        "--hidden",
        type=_hidden_units,
        default=None,
        metavar="N",
        help=f"--model mlp: hidden units, {HIDDEN_RANGE[0]} to {HIDDEN_RANGE[1]} "
        f"({default.hidden})",
    )
    g.add_argument(
        "--activation",
        choices=ACTIVATIONS,
        default=None,
        help=f"--model mlp: the hidden units' activation ({default.activation})",
    )
    g.add_argument("--no-bias", action="store_true", help="fit no intercept b")
    g.add_argument(
        "--l2", type=_non_negative_float, default=default.l2, help="L2 penalty (l2/2)·‖w‖²"
    )
    g.add_argument("--optimizer", choices=OPTIMIZER_NAMES, default=default.optimizer)
    g.add_argument(
        "--lr", type=_positive_float, default=default.lr, help=f"learning rate ({default.lr:g})"
    )
    g.add_argument(
        "--batch-size", type=_batch_size, default=None, help="'full' (default) or rows per step"
    )
    g.add_argument(
        "--epochs",
        type=_positive_int,
        default=default.max_epochs,
        help=f"maximum epochs ({default.max_epochs})",
    )
    g.add_argument(
        "--tol",
        type=_non_negative_float,
        default=default.tol,
        help="stop once every gradient entry is below this in size (0 = never)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gdapp", description="Gradient Descent Lab, headless.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = sub.add_parser("train", help="train a model and report the result")
    _add_dataset_options(train)
    _add_model_options(train)
    train.add_argument("--json", action="store_true", help="print one JSON object")
    _add_export_options(train)

    dataset = sub.add_parser("dataset", help="show or export the prepared table")
    _add_dataset_options(dataset)
    dataset.add_argument(
        "--csv",
        action="store_true",
        help="write the features as training sees them, then the 0/1 label, as CSV",
    )
    dataset.add_argument("--json", action="store_true", help="print a JSON summary")

    check = sub.add_parser("gradcheck", help="compare analytic and finite-difference gradients")
    _add_dataset_options(check)
    _add_model_options(check)
    check.add_argument("--h", type=_positive_float, default=1e-6, help="difference step (1e-6)")
    check.add_argument("--json", action="store_true", help="print one JSON object")

    share = sub.add_parser(
        "contributions",
        help="train, then show each training row's share of the full-batch gradient",
    )
    _add_dataset_options(share)
    _add_model_options(share)
    share.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def load_dataset(args: argparse.Namespace):
    """The dataset the options name; raises CliError with the loader's message."""
    from gdapp.datasets import PRESETS, DatasetError, load_csv, load_preset

    try:
        if args.dataset in PRESETS:
            for option in ("label", "features", "positive", "sheet"):
                if getattr(args, option) is not None:
                    raise CliError(
                        f"--{option} applies to a CSV file, not to preset {args.dataset}"
                    )
            return load_preset(
                args.dataset,
                impute_zeros=args.impute_zeros,
                test_fraction=args.test_fraction,
                seed=args.seed,
            )
        features = None
        if args.features is not None:
            features = [name.strip() for name in args.features.split(",") if name.strip()]
        dataset = load_csv(
            args.dataset,
            label=args.label,
            features=features,
            positive=args.positive,
            scale=args.scale,
            test_fraction=args.test_fraction,
            seed=args.seed,
            missing=args.missing,
            sheet=args.sheet,
        )
    except DatasetError as exc:
        raise CliError(str(exc)) from None
    notes = getattr(args, "note_stream", None) or sys.stderr
    for note in dataset.notes:
        notes.write(f"note: {note}\n")
    return dataset


def _config(args: argparse.Namespace):
    """The TrainConfig the options describe; CliError for a hidden-layer option without mlp."""
    from gdapp.core.trainer import TrainConfig

    default = TrainConfig()
    if args.model != "mlp":
        for option in ("hidden", "activation"):
            if getattr(args, option) is not None:
                raise CliError(
                    f"--{option} shapes the hidden layer of --model mlp; "
                    f"model {args.model} has none"
                )
    return TrainConfig(
        model=args.model,
        hidden=default.hidden if args.hidden is None else args.hidden,
        activation=default.activation if args.activation is None else args.activation,
        fit_bias=not args.no_bias,
        l2=args.l2,
        optimizer=args.optimizer,
        lr=args.lr,
        batch_size=args.batch_size,
        max_epochs=args.epochs,
        tol=args.tol,
        seed=args.seed,
    )


class _ProgressBar:
    """A one-line progress bar on a terminal, shown only once a run has lasted a while."""

    def __init__(self, total: float, stream: TextIO) -> None:
        self._total = total
        self._stream = stream
        self._start = time.perf_counter()
        self._last = 0.0
        self._shown = False

    def update(self, done: float) -> None:
        now = time.perf_counter()
        if now - self._start < PROGRESS_MIN_SECONDS or now - self._last < PROGRESS_INTERVAL_S:
            return
        self._last = now
        self._shown = True
        share = min(done / self._total, 1.0)
        filled = int(share * PROGRESS_WIDTH_CHARS)
        bar = "#" * filled + "-" * (PROGRESS_WIDTH_CHARS - filled)
        self._stream.write(f"\r[{bar}] {share:6.1%}  epoch {done:.0f}/{self._total:.0f}")
        self._stream.flush()

    def close(self) -> None:
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()


def epoch_losses(trainer) -> list[float]:
    """Training loss after each completed epoch (history rows at epoch boundaries)."""
    history = trainer.history
    epochs = np.asarray(history.epoch)
    steps = np.asarray(history.step)
    whole = np.isclose(epochs, np.round(epochs), rtol=0, atol=1e-9) & (steps > 0)
    return [float(v) for v in np.asarray(history.train_loss)[whole]]


def _fit(args: argparse.Namespace, err: TextIO, dataset, config):
    """Train on ``dataset`` with ``config`` until a stop rule fires; returns the Trainer."""
    from gdapp.core.trainer import Status, Trainer

    has_test = len(dataset.y_test) > 0
    trainer = Trainer(
        dataset.X_train,
        dataset.y_train,
        dataset.X_test if has_test else None,
        dataset.y_test if has_test else None,
        config=config,
    )
    progress = None if args.json or not err.isatty() else _ProgressBar(config.max_epochs, err)
    chunk = 200
    while trainer.status == Status.READY:
        trainer.run(chunk)
        if progress is not None:
            progress.update(trainer.epoch)
    if progress is not None:
        progress.close()
    return trainer


def _train(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    config = _config(args)
    _exports(args)
    dataset = load_dataset(args)
    has_test = len(dataset.y_test) > 0
    trainer = _fit(args, err, dataset, config)
    theta = trainer.theta
    model = trainer.model
    result: dict[str, Any] = {
        "dataset": dataset.name,
        "feature_names": list(dataset.feature_names),
        "label": dataset.label_name,
        "positive": dataset.positive_label,
        "model": config.model,
        "optimizer": config.optimizer,
        "lr": config.lr,
        "parameter_names": model.param_names(dataset.feature_names),
        "parameters": [float(v) for v in theta],
        "steps": int(trainer.step_count),
        "epochs": float(trainer.epoch),
        "train_loss": float(model.loss(theta, dataset.X_train, dataset.y_train)),
        "test_loss": float(model.loss(theta, dataset.X_test, dataset.y_test)) if has_test else None,
        "train_accuracy": float(model.accuracy(theta, dataset.X_train, dataset.y_train)),
        "test_accuracy": (
            float(model.accuracy(theta, dataset.X_test, dataset.y_test)) if has_test else None
        ),
        "loss_history": epoch_losses(trainer),
        "stopped": trainer.status.value,
        "stop_reason": trainer.stop_reason,
    }
    if config.model == "mlp":
        result.update(hidden=config.hidden, activation=config.activation)
    else:  # d weights then the bias
        result.update(weights=[float(v) for v in theta[:-1]], bias=float(theta[-1]))
    _exports(args, dataset, trainer, None if args.json else out)
    if args.json:
        json.dump(result, out)
        out.write("\n")
    else:
        _print_train_summary(result, out)
    return 0


# -- the run as code: --export-script / --export-notebook (gdapp.exports) -------------------
def _add_export_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("export")
    g.add_argument("--export-script", metavar="PATH", help="write the run as a Python script")
    g.add_argument("--export-notebook", metavar="PATH", help="write the run as a notebook")


def _exports(args: argparse.Namespace, dataset=None, trainer=None, out=None) -> None:
    """Check the export paths (before training, no trainer yet) or write the files."""
    from gdapp.exports.command_line import check_export_paths, write_exports
    from gdapp.exports.errors import ExportError

    try:
        if trainer is None:
            check_export_paths(args)
        else:
            write_exports(args, dataset, trainer, out)
    except ExportError as exc:
        raise CliError(str(exc)) from None


def _fmt(value: float | None, spec: str = ".4f") -> str:
    return "—" if value is None else format(value, spec)


def _print_train_summary(r: dict[str, Any], out: TextIO) -> None:
    model = r["model"]
    if model == "mlp":
        model = f"mlp ({r['hidden']} {r['activation']} hidden units)"
    lines = [
        f"Dataset    {r['dataset']}  (label {r['label']!r}, positive = {r['positive']})",
        f"Model      {model}, optimizer {r['optimizer']}, learning rate {r['lr']:g}",
        f"Stopped    after {r['steps']} steps ({r['epochs']:g} epochs): {r['stop_reason']}",
        f"Loss       train {_fmt(r['train_loss'])}   test {_fmt(r['test_loss'])}",
        f"Accuracy   train {_fmt(r['train_accuracy'], '.1%')}   "
        f"test {_fmt(r['test_accuracy'], '.1%')}",
        "Weights" if r["model"] != "mlp" else "Parameters",
    ]
    names = r["parameter_names"]
    width = max(len(name) for name in names)
    lines += [f"  {n:<{width}}  {w:+.5f}" for n, w in zip(names, r["parameters"], strict=True)]
    out.write("\n".join(lines) + "\n")


def _dataset(args: argparse.Namespace, out: TextIO) -> int:
    dataset = load_dataset(args)
    if args.csv:
        header = [*dataset.feature_names, dataset.label_name]
        out.write(",".join(header) + "\n")
        table = np.column_stack([dataset.X, dataset.y])
        for row in table:
            *features, label = row
            out.write(",".join(repr(float(v)) for v in features) + f",{int(label)}\n")
        return 0
    summary = {
        "dataset": dataset.name,
        "rows": int(len(dataset.y)),
        "train_rows": int(len(dataset.y_train)),
        "test_rows": int(len(dataset.y_test)),
        "feature_names": list(dataset.feature_names),
        "label": dataset.label_name,
        "positive": dataset.positive_label,
        "positive_share": float(np.mean(dataset.y)),
    }
    if args.json:
        json.dump(summary, out)
        out.write("\n")
    else:
        for key, value in summary.items():
            out.write(f"{key:<15} {value}\n")
    return 0


def _gradcheck(args: argparse.Namespace, out: TextIO) -> int:
    from gdapp.core.gradcheck import check_gradient
    from gdapp.core.trainer import model_for

    config = _config(args)
    dataset = load_dataset(args)
    model = model_for(config)
    d = len(dataset.feature_names)
    rng = np.random.default_rng(args.seed)
    theta = rng.normal(0.0, 0.5, size=model.n_params(d))
    if args.no_bias:
        theta[~model.weight_mask(d)] = 0.0
    X, y = dataset.X_train, dataset.y_train
    check = check_gradient(
        lambda t: model.loss(t, X, y), lambda t: model.loss_and_grad(t, X, y)[1], theta, h=args.h
    )
    names = model.param_names(dataset.feature_names)
    rows = [
        {
            "parameter": n,
            "value": float(t),
            "analytic": float(a),
            "numeric": float(m),
            "rel_error": float(e),
        }
        for n, t, a, m, e in zip(
            names, theta, check.analytic, check.numeric, check.rel_error, strict=True
        )
    ]
    if args.json:
        json.dump(
            {"dataset": dataset.name, "h": args.h, "ok": bool(check.ok), "parameters": rows}, out
        )
        out.write("\n")
    else:
        width = max(len(n) for n in names)
        out.write(
            f"{'parameter':<{width}}  {'analytic':>14}  {'numeric':>14}  {'rel. error':>10}\n"
        )
        for r in rows:
            out.write(
                f"{r['parameter']:<{width}}  {r['analytic']:>14.8f}  {r['numeric']:>14.8f}"
                f"  {r['rel_error']:>10.2e}\n"
            )
        out.write("All gradients agree.\n" if check.ok else "Some gradients DISAGREE.\n")
    return 0 if check.ok else 1


# -- contributions: each training row's share of the gradient ------------------------------
CONTRIBUTIONS_SHOWN = 10  # rows the text summary lists (the largest contribution vectors)


def _contributions(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Train as ``train`` does, then share the final full-batch gradient out over the rows.

    ``contributions[i]`` is training row i's gradient of its own loss divided by the number
    of training rows, so ``sum(contributions) + penalty == gradient``. The rows come in
    the order ``gdapp dataset --csv`` writes them (the training rows, which are sorted);
    ``rows[i]`` is the 0-based data line of that file the contribution belongs to.
    """
    from gdapp.core.contributions import contributions

    config = _config(args)
    dataset = load_dataset(args)
    trainer = _fit(args, err, dataset, config)
    theta, model = trainer.theta, trainer.model
    X, y = dataset.X_train, dataset.y_train
    gradient = model.loss_and_grad(theta, X, y)[1]
    shares = contributions(model, theta, X, y)
    names = model.param_names(dataset.feature_names)
    result: dict[str, Any] = {
        "dataset": dataset.name,
        "feature_names": list(dataset.feature_names),
        "model": config.model,
        "parameter_names": names,
        "parameters": [float(v) for v in theta],
    }
    if config.model == "mlp":
        result.update(hidden=config.hidden, activation=config.activation)
    else:  # d weights then the bias
        result.update(weights=[float(v) for v in theta[:-1]], bias=float(theta[-1]))
    result |= {
        "steps": int(trainer.step_count),
        "stopped": trainer.status.value,
        "n_train": int(len(y)),
        "gradient": [float(v) for v in gradient],
        "penalty": [float(v) for v in shares.penalty],
        "rows": [int(i) for i in dataset.train_idx],
        "contributions": shares.rows.tolist(),
    }
    if args.json:
        json.dump(result, out)
        out.write("\n")
        return 0
    lengths = np.sqrt((shares.rows**2).sum(axis=1))
    largest = np.argsort(-lengths, kind="stable")[:CONTRIBUTIONS_SHOWN]
    width = max(len(n) for n in names)
    lines = [
        f"Full-batch gradient after {trainer.step_count} steps "
        f"({len(y)} training rows; each row adds its own gradient / {len(y)})",
        *(
            f"  {n:<{width}}  {g:+.6f}   (L2 part {p:+.6f})"
            for n, g, p in zip(names, gradient, shares.penalty, strict=True)
        ),
        f"The {len(largest)} rows that push hardest (row = data line of `gdapp dataset --csv`):",
        *(
            f"  row {int(dataset.train_idx[i]):>6}  label {int(y[i])}  length {lengths[i]:.6f}"
            for i in largest
        ),
    ]
    out.write("\n".join(lines) + "\n")
    return 0


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and not argv[0].startswith("-") and argv[0] not in SUBCOMMANDS:
            raise CliError(
                f"gdapp: unknown subcommand {argv[0]!r}; the subcommands are "
                f"{', '.join(SUBCOMMANDS)} (without arguments gdapp opens the window)"
            )
        args = build_parser().parse_args(argv)
        args.note_stream = err  # how a CSV was read ("12 rows ... left out") goes here
        if args.command == "train":
            return _train(args, out, err)
        if args.command == "dataset":
            return _dataset(args, out)
        if args.command == "contributions":
            return _contributions(args, out, err)
        return _gradcheck(args, out)
    except CliError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `gdapp dataset --csv | head`
        return 0
