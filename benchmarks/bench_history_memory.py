"""Memory the core Trainer holds for its history, and what stepping back costs.

Run from the repository root:

    .venv/bin/python benchmarks/bench_history_memory.py [--steps 1000000] [--optimizers gd adam]

For each optimizer the Trainer takes ``--steps`` steps (logistic regression, full batch)
on the diabetes preset as the app loads it (614 training rows, 154 test rows, 8
features), and the script prints:

- ``held``: what the Trainer allocated and still holds after the run, measured with
  ``tracemalloc`` (arrays and Python objects alike);
- ``arrays``: the sum of the ``nbytes`` of the history's arrays (``history_nbytes``);
- ``keep-all``: the same ``tracemalloc`` figure for a recorder that keeps what the
  Trainer used to keep for every step -- epoch, losses, accuracies and learning rate as
  float64, theta and gradient rows in buffers that double when full, and the optimizer
  state -- measured in the same process on the same run (the recorder's allocations
  only: total with the recorder minus the Trainer's own);

then, outside ``tracemalloc``: the time to step back 1,000 steps one at a time from
the end (against the time of one forward step), the time ``state_at`` takes for a row
far back (recomputed from its checkpoint) and for its neighbour (already recomputed), and
the cost per row of recomputing the parameters of the first 100,000 rows.  The growth
per 10**6 steps is the difference between the memory held after ``steps`` and after
``steps // 2`` steps, scaled; for the keep-all recorder it includes the spare capacity of
its doubling buffers.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gdapp.core.optimizers import OPTIMIZER_NAMES  # noqa: E402
from gdapp.core.trainer import TrainConfig, Trainer  # noqa: E402
from gdapp.datasets.presets import load_preset  # noqa: E402

MILLION = 10**6
CHUNK_STEPS = 1000  # steps per Trainer.run call
BACK_STEPS = 1000
LR = {"gd": 0.5, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01}
MB = 1e6


class KeepEverything:
    """Keeps every step's row the way a keep-everything history does (see the docstring)."""

    def __init__(self, p: int) -> None:
        self._n, self._capacity = 0, 1024
        self._scalars = np.zeros((6, self._capacity))  # epoch, losses, accuracies, lr
        self._theta = np.zeros((self._capacity, p))
        self._grad = np.zeros((self._capacity, p))
        self._states: list = []

    def add(self, trainer: Trainer) -> None:
        if self._n == self._capacity:
            self._capacity *= 2
            for name in ("_scalars", "_theta", "_grad"):
                old = getattr(self, name)
                new = np.zeros(
                    (old.shape[0], self._capacity)
                    if name == "_scalars"
                    else (
                        self._capacity,
                        old.shape[1],
                    )
                )
                if name == "_scalars":
                    new[:, : self._n] = old[:, : self._n]
                else:
                    new[: self._n] = old[: self._n]
                setattr(self, name, new)
        # Only the memory of the loss and accuracy entries matters here, not their values.
        self._scalars[:, self._n] = trainer.epoch, 0.0, 0.0, 0.0, 0.0, trainer.lr
        self._theta[self._n] = trainer.theta
        self._grad[self._n] = trainer.grad
        self._states.append(trainer.opt_state)
        self._n += 1


def make_trainer(data, name: str) -> Trainer:
    config = TrainConfig(optimizer=name, lr=LR[name], max_epochs=10**9)
    return Trainer(data.X_train, data.y_train, data.X_test, data.y_test, config)


def traced_run(data, name: str, steps: int, keep: bool) -> tuple[int, int, Trainer]:
    """Bytes held after ``steps // 2`` and after ``steps`` steps, and the trainer.

    The Trainer's allocations, plus the recorder's when ``keep``.
    """
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    trainer = make_trainer(data, name)
    recorder = KeepEverything(data.X_train.shape[1] + 1) if keep else None
    if recorder is not None:
        recorder.add(trainer)
    half = 0
    for done in range(CHUNK_STEPS, steps + 1, CHUNK_STEPS):
        if recorder is None:
            trainer.run(CHUNK_STEPS)
        else:
            for _ in range(CHUNK_STEPS):
                trainer.step()
                recorder.add(trainer)
        if done == steps // 2:
            half = tracemalloc.get_traced_memory()[0] - before
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert trainer.step_count == steps, f"{name} stopped at {trainer.step_count}: {trainer.status}"
    del recorder
    return half, held, trainer


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench(data, name: str, steps: int) -> None:
    half, held, trainer = traced_run(data, name, steps, keep=False)
    arrays = trainer.history_nbytes
    keep_half, keep_held, other = traced_run(data, name, steps, keep=True)
    del other
    keep_half, keep_held = keep_half - half, keep_held - held  # the recorder's part
    per_step = (held - half) / (steps - steps // 2)
    keep_per_step = (keep_held - keep_half) / (steps - steps // 2)
    # Best of five, as other processes may share the machine.
    step_time = min(timed(lambda: trainer.run(CHUNK_STEPS // 5)) for _ in range(5))
    step_time /= CHUNK_STEPS // 5
    back = timed(lambda: [trainer.step_back() for _ in range(BACK_STEPS)])
    assert trainer.step_count == steps + CHUNK_STEPS - BACK_STEPS
    far = steps // 3 + trainer.checkpoint_interval - 1  # the last row of its segment
    cold = timed(lambda: trainer.state_at(far))
    warm = timed(lambda: trainer.state_at(far - 1))
    rows = min(steps, 100_000)
    path = timed(lambda: trainer.theta_rows(0, rows)) / rows
    print(
        f"{name:9s} after {steps:,} steps: held {held / MB:6.1f} MB (arrays {arrays / MB:6.1f} MB),"
        f" keep-all {keep_held / MB:7.1f} MB, ratio {held / keep_held:.3f}\n"
        f"          growth per 10**6 steps: {per_step * MILLION / MB:6.1f} MB, keep-all "
        f"{keep_per_step * MILLION / MB:6.1f} MB\n"
        f"          one step {step_time * 1e6:5.1f} us; step back {BACK_STEPS} steps "
        f"{back * 1e3:6.1f} ms ({back / BACK_STEPS / step_time:.2f} steps' time each); "
        f"state_at far back {cold * 1e3:5.1f} ms, its neighbour {warm * 1e6:5.1f} us; "
        f"theta of every row {path * 1e6:5.1f} us/row"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=MILLION, help="steps per run")
    parser.add_argument("--optimizers", nargs="+", default=list(OPTIMIZER_NAMES))
    args = parser.parse_args()
    steps = max(CHUNK_STEPS, args.steps // CHUNK_STEPS * CHUNK_STEPS)
    data = load_preset("diabetes")
    print(
        f"diabetes preset: {data.X_train.shape[0]} training rows, {data.X_test.shape[0]} test "
        f"rows; {steps:,} full-batch steps per optimizer; a checkpoint every "
        f"{make_trainer(data, 'gd').checkpoint_interval} steps"
    )
    for name in args.optimizers:
        bench(data, name, steps)


if __name__ == "__main__":
    main()
