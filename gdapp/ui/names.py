"""The words a learner reads for the app's internal names: models, activations, starts, stops.

One table per kind, used by every panel and the status bar. The optimizers' names live
beside the optimizers (``core.optimizers.OPTIMIZER_LABELS`` and ``run_label``), since the
lesson answers, which know no Qt, use them too.
"""

from __future__ import annotations

MODEL_LABELS = {
    "logistic": "Logistic (cross-entropy)",
    "linear": "Linear (squared error)",
    "mlp": "One hidden layer (cross-entropy)",
}
ACTIVATION_LABELS = {"tanh": "tanh", "relu": "ReLU"}
INIT_LABELS = {"zeros": "Zeros", "random": "Small random (seeded)"}
# Trainer status -> what the status bar says about it.
STATUS_WORDS = {
    "ready": "ready",
    "converged": "converged",
    "max_epochs": "finished",
    "diverged": "diverged",
    "diverging": "diverging",
}
