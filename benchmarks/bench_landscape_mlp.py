"""How long a hidden layer's landscape grid takes, against evaluating it point by point.

Baseline (measured here, in this process): the 72 x 72 contour grid of two hidden-layer
parameters computed the plain way, one ``model.loss`` call per grid point.  Then the core's
``cost_grid`` for the same grid (every grid point at once, only the moved units evaluated
again), and for scale the logistic model's grid on the same rows.  Each figure is the best
of a few repeats; printed are the times and the ratios to the baseline.

    python benchmarks/bench_landscape_mlp.py
"""

from __future__ import annotations

import time
from functools import partial

import numpy as np

from gdapp.core import landscape
from gdapp.core.mlp import MLPModel
from gdapp.datasets import load_preset

GRID = 72
REPEATS = 5


def best_of(function, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def point_by_point(model, X, y, theta, i, j, u, v) -> np.ndarray:
    out = np.empty((len(v), len(u)))
    point = theta.copy()
    for r, b in enumerate(v):
        for c, a in enumerate(u):
            point[i], point[j] = a, b
            out[r, c] = model.loss(point, X, y)
    return out


def main() -> None:
    for name, hidden in (("diabetes", 4), ("diabetes", 16), ("xor", 4)):
        data = load_preset(name)
        X, y = data.X_train, data.y_train
        d = X.shape[1]
        model = MLPModel(hidden=hidden, activation="tanh")
        theta = model.initial_parameters(d, seed=0)
        i, j = 0, hidden * d + hidden  # W1[0, 0] against the output's weight on unit 1
        u = np.linspace(-2, 2, GRID)
        v = np.linspace(-2, 2, GRID)
        base = best_of(partial(point_by_point, model, X, y, theta, i, j, u, v), 1)
        grid = best_of(partial(landscape.cost_grid, X, y, theta, i, j, u, v, model))
        linear = best_of(partial(landscape.cost_grid, X, y, np.zeros(d + 1), 0, d, u, v))
        check = point_by_point(model, X, y, theta, i, j, u[:3], v[:3])
        np.testing.assert_allclose(
            landscape.cost_grid(X, y, theta, i, j, u[:3], v[:3], model), check, rtol=1e-12
        )
        print(
            f"{name:9} n={len(y):4} d={d} hidden={hidden:2}  {GRID}x{GRID} grid: "
            f"point by point {base * 1e3:8.1f} ms   cost_grid {grid * 1e3:6.1f} ms "
            f"(ratio {grid / base:.4f})   logistic grid {linear * 1e3:5.1f} ms "
            f"(ratio to the hidden layer's {grid / linear:.2f})"
        )


if __name__ == "__main__":
    main()
