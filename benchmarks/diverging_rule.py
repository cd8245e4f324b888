"""How close ordinary runs come to the diverging rule, and when too-large rates trip it.

Run from the repository root:

    .venv/bin/python benchmarks/diverging_rule.py [--lr 0.1] [--seeds 2]

For every dataset preset (diabetes, diabetes with imputed zeros, diabetes-post), model,
optimizer and batch size (full, 1, 8, 16, 32, 64, 128; seeds 0.. for the mini-batch
orders) it trains with the diverging rule off and replays the losses through the rule's
own ``DivergenceWatch``, which gives the step at which the trainer would have stopped the
run as diverging, and the largest share of any window whose steps were high (loss above
``(1 + DIVERGING_MARGIN) * J_0``); the rule fires when that share reaches
``DIVERGING_SHARE``. Runs last 300 epochs with a full batch, 20 with batches of 8 or more
and 2 with single rows. The last lines summarise the largest share among runs that did
not blow up (the hard rule refuses a step), and list the runs the rule stops.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gdapp.core.optimizers import OPTIMIZER_NAMES  # noqa: E402
from gdapp.core.stops import (  # noqa: E402
    DIVERGING_SHARE,
    DIVERGING_WINDOW,
    DivergenceWatch,
)
from gdapp.core.trainer import Status, TrainConfig, Trainer  # noqa: E402
from gdapp.datasets import load_preset  # noqa: E402

BATCH_SIZES = (None, 1, 8, 16, 32, 64, 128)


def train(dataset, config: TrainConfig) -> Trainer:
    trainer = Trainer(dataset.X_train, dataset.y_train, config=config)
    while trainer.run(10_000) is Status.READY:
        pass
    return trainer


def replay(losses: np.ndarray, window: int) -> tuple[int | None, float]:
    """The step at which the rule fires (None: never) and the largest high share."""
    watch = DivergenceWatch(losses[0], window)
    fired, largest = None, 0.0
    for step, loss in enumerate(losses[1:], start=1):
        if watch.observe(loss) and fired is None:
            fired = step
        if step >= window:
            largest = max(largest, watch.high_steps / window)
    return fired, largest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lr", type=float, default=TrainConfig().lr)
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    datasets = {
        "diabetes": load_preset("diabetes"),
        "imputed": load_preset("diabetes", impute_zeros=True),
        "post": load_preset("diabetes-post"),
    }
    worst, stopped = 0.0, []
    for (name, data), model, optimizer, batch, seed in itertools.product(
        datasets.items(), ("logistic", "linear"), OPTIMIZER_NAMES, BATCH_SIZES, range(args.seeds)
    ):
        if batch is None and seed > 0:
            continue
        epochs = 300 if batch is None else 20 if batch >= 8 else 2
        config = TrainConfig(
            model=model,
            optimizer=optimizer,
            lr=args.lr,
            batch_size=batch,
            max_epochs=epochs,
            seed=seed,
            diverging_window=0,
        )
        run = train(data, config)
        per_epoch = 1 if batch is None else -(-len(data.y_train) // batch)
        window = max(DIVERGING_WINDOW, per_epoch)
        fired, share = replay(np.asarray(run.history.train_loss), window)
        label = f"{name:8} {model:8} {optimizer:8} batch {batch or 'full':>4} seed {seed}"
        end = "blew up" if run.status is Status.DIVERGED else "ran on"
        stop = "" if fired is None else f"  diverging at step {fired}"
        print(f"{label}  {end} {run.step_count:5} steps  high share {share:4.0%}{stop}")
        if run.status is not Status.DIVERGED:
            worst = max(worst, share)
        if fired is not None:
            stopped.append(f"{label} at step {fired} ({end} to step {run.step_count})")
    print(f"\nlearning rate {args.lr:g}: the rule stops at a share of {DIVERGING_SHARE:.0%}")
    print(f"largest share among runs that did not blow up: {worst:.0%}")
    print(f"stopped as diverging: {len(stopped)}")
    for line in stopped:
        print("  " + line)


if __name__ == "__main__":
    main()
