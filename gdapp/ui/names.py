"""The words a learner reads for the app's internal names: optimizers, models, stops.

One table per kind, used by every panel, the status bar and the overlays, so that Controls,
the landscape's key and the messages all say "Gradient descent" where the core says "gd".
"""

from __future__ import annotations

# Kept beside the optimizers' own names.
from gdapp.core.optimizers import OPTIMIZER_LABELS

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


def optimizer_label(name: str) -> str:
    """The learner's name of an optimizer ("gd" -> "Gradient descent")."""
    return OPTIMIZER_LABELS.get(name, name)
