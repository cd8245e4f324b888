"""Two small tables made by a formula, for the step past a straight decision line.

Both have ``GENERATED_ROWS`` rows, two features ``x1, x2`` and a 0/1 label, half of the rows
in each class; they are drawn from ``default_rng(GENERATED_SEED)``, so every call returns
the same table (the train/test split has its own seed, as for every preset).

``moons``: two interleaved half circles.  Class 0 lies on ``(cos t, sin t)``, class 1 on
``(1 - cos t, 1/2 - sin t)``, ``t`` uniform in ``[0, pi]``, each point moved by Gaussian
noise of standard deviation ``MOONS_NOISE``.  No straight line separates them, but a
curve does.

``xor``: four Gaussian clusters (standard deviation ``XOR_SPREAD``) centred at
``(+-XOR_CENTRE, +-XOR_CENTRE)``; the label is 1 when the centre's two coordinates have
different signs (the exclusive or of "x1 > 0" and "x2 > 0").  Any straight line leaves at
least one whole cluster on the wrong side, so a linear model cannot do much better than
about three quarters of the rows, and in practice stays near a half.

The raw values are a few units wide; the presets scale them to [-1, 1] with the
training split's min and max, like the diabetes preset.
"""

from __future__ import annotations

import numpy as np

GENERATED_SEED = 20261202
GENERATED_ROWS = 400
MOONS_NOISE = 0.15
XOR_CENTRE = 1.0
XOR_SPREAD = 0.35
FEATURES = ("x1", "x2")


def make_moons(
    n: int = GENERATED_ROWS, seed: int = GENERATED_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """``(X (n, 2), y (n,) int8)``: the interleaved half-moons described above."""
    rng = np.random.default_rng(seed)
    half = n // 2
    t = rng.uniform(0.0, np.pi, n)
    y = np.zeros(n, dtype=np.int8)
    y[half:] = 1
    X = np.column_stack([np.cos(t), np.sin(t)])
    X[half:, 0] = 1.0 - X[half:, 0]
    X[half:, 1] = 0.5 - X[half:, 1]
    X += rng.normal(0.0, MOONS_NOISE, X.shape)
    return X, y


def make_xor(n: int = GENERATED_ROWS, seed: int = GENERATED_SEED) -> tuple[np.ndarray, np.ndarray]:
    """``(X (n, 2), y (n,) int8)``: four clusters labelled by the exclusive or of the signs."""
    rng = np.random.default_rng(seed)
    quadrant = np.arange(n) % 4  # 0: (+, +), 1: (-, +), 2: (-, -), 3: (+, -)
    sx = np.where((quadrant == 0) | (quadrant == 3), 1.0, -1.0)
    sy = np.where(quadrant <= 1, 1.0, -1.0)
    centres = XOR_CENTRE * np.column_stack([sx, sy])
    X = centres + rng.normal(0.0, XOR_SPREAD, (n, 2))
    y = (sx != sy).astype(np.int8)
    return X, y
