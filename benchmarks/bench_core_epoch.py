"""Time one full-batch gradient-descent epoch of the core Trainer against plain NumPy.

Run from the repository root:

    .venv/bin/python benchmarks/bench_core_epoch.py [--steps 2000] [--repeats 15]

Both sides train logistic regression with plain gradient descent on the Pima data
(``data/diabetes.csv``, every feature min-max scaled to [-1, 1]) and, every epoch,
compute the same things:

- the update ``theta <- theta - lr * grad J(theta)`` with the full-batch gradient;
- at the new ``theta``: the mean cross-entropy on logits (``softplus(z) - y z``), its
  gradient ``X^T (sigmoid(z) - y) / n`` with the bias last, and the training accuracy;
- with ``--test-fraction`` > 0, also the test loss and test accuracy;
- one history row: epoch, loss, accuracy, lr, theta and gradient (plus test metrics).

The Trainer also keeps its undo stack, checks for divergence and applies its stop
rules; the hand-written loop does none of that.  The figure printed is microseconds per
epoch (best and median over repeats) and the ratio Trainer / NumPy loop.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gdapp.core.trainer import TrainConfig, Trainer  # noqa: E402

DATA_CSV = ROOT / "data" / "diabetes.csv"
LR = 2.0
WHAT_IS_TIMED = """\
Per epoch, both sides: one full-batch GD update of logistic regression, then at the new
theta the mean cross-entropy on logits, its gradient (bias last) and the accuracy on the
training set (and on the test set when there is one), stored as one history row.
The Trainer also keeps its undo stack, checks for divergence and applies its stop rules.
"""


def load_scaled() -> tuple[np.ndarray, np.ndarray]:
    """Features scaled to [-1, 1] per column, ``(768, 8)``, and 0/1 labels ``(768,)``."""
    data = np.loadtxt(DATA_CSV, delimiter=",", skiprows=1)
    X, y = data[:, :-1], data[:, -1]
    lo, hi = X.min(axis=0), X.max(axis=0)
    return 2.0 * (X - lo) / (hi - lo) - 1.0, y


def numpy_loop(X, y, Xt, yt, lr: float, steps: int) -> np.ndarray:
    """Hand-written full-batch GD with the same per-epoch metrics as the Trainer records."""
    n, d = X.shape
    rows = steps + 1
    epoch_h, loss_h, acc_h, lr_h = (np.zeros(rows) for _ in range(4))
    theta_h, grad_h = np.zeros((rows, d + 1)), np.zeros((rows, d + 1))
    tloss_h, tacc_h = np.zeros(rows), np.zeros(rows)
    has_test = Xt is not None

    def metrics(theta):
        z = X @ theta[:-1] + theta[-1]
        sp = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))  # softplus(z)
        loss = float((sp - y * z).sum()) / n
        dz = np.exp(z - sp) - y  # sigmoid(z) - y
        grad = np.empty(d + 1)
        grad[:-1] = dz @ X / n
        grad[-1] = dz.sum() / n
        acc = np.count_nonzero((z >= 0.0) == y) / n
        return loss, grad, acc

    def test_metrics(theta):
        zt = Xt @ theta[:-1] + theta[-1]
        spt = np.maximum(zt, 0.0) + np.log1p(np.exp(-np.abs(zt)))
        return float((spt - yt * zt).mean()), np.count_nonzero((zt >= 0.0) == yt) / zt.shape[0]

    theta = np.zeros(d + 1)
    loss, grad, acc = metrics(theta)
    for k in range(1, rows):
        theta = theta - lr * grad
        loss, grad, acc = metrics(theta)
        epoch_h[k], loss_h[k], acc_h[k], lr_h[k] = k, loss, acc, lr
        theta_h[k], grad_h[k] = theta, grad
        if has_test:
            tloss_h[k], tacc_h[k] = test_metrics(theta)
    return theta


def time_per_epoch(fn, steps: int, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) / steps * 1e6)
    return times


def bench(X, y, Xt, yt, steps: int, repeats: int) -> None:
    trainer = Trainer(X, y, Xt, yt, TrainConfig(optimizer="gd", lr=LR, max_epochs=10**9))

    def run_trainer():
        trainer.reset()
        trainer.run(steps)

    # Same trajectory on both sides, so both really compute the same thing.
    run_trainer()
    theta_np = numpy_loop(X, y, Xt, yt, LR, steps)
    assert np.allclose(trainer.theta, theta_np, rtol=1e-9, atol=1e-12)

    # Interleave the two so that both see the same machine load.
    t_trainer, t_numpy = [], []
    for _ in range(repeats):
        t_numpy += time_per_epoch(lambda: numpy_loop(X, y, Xt, yt, LR, steps), steps, 1)
        t_trainer += time_per_epoch(run_trainer, steps, 1)
    best_t, best_n = min(t_trainer), min(t_numpy)
    med_t, med_n = statistics.median(t_trainer), statistics.median(t_numpy)
    label = f"n_train={X.shape[0]}" + (
        f", n_test={Xt.shape[0]}" if Xt is not None else ", no test set"
    )
    print(f"{label}, {steps} epochs x {repeats} repeats")
    print(f"  Trainer    : best {best_t:7.2f} us/epoch, median {med_t:7.2f} us/epoch")
    print(f"  NumPy loop : best {best_n:7.2f} us/epoch, median {med_n:7.2f} us/epoch")
    print(f"  ratio Trainer / NumPy: best {best_t / best_n:.3f}, median {med_t / med_n:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000, help="epochs per timed run")
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per side")
    parser.add_argument(
        "--test-fraction", type=float, default=0.2, help="also time a run with this test split"
    )
    args = parser.parse_args()
    X, y = load_scaled()
    print(WHAT_IS_TIMED)
    bench(X, y, None, None, args.steps, args.repeats)
    if args.test_fraction > 0:
        order = np.random.default_rng(0).permutation(X.shape[0])
        n_test = int(round(args.test_fraction * X.shape[0]))
        test, train = order[:n_test], order[n_test:]
        bench(X[train], y[train], X[test], y[test], args.steps, args.repeats)


if __name__ == "__main__":
    main()
