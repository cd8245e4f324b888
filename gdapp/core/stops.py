"""The diverging rule: stop a run whose loss stays well above where it started.

Conventions
-----------
``J_0`` is the training cost at the start of the run (history row 0) and ``J_k`` the cost
after committed step ``k``, both on the full training set; nothing here looks at
parameters or gradients.

Rule
----
With a window of ``W`` steps, a step is *high* when

    J_k > (1 + DIVERGING_MARGIN) * J_0

and the run is diverging once at least ``ceil(DIVERGING_SHARE * W)`` of the last ``W``
committed steps were high.  ``W`` is the trainer's ``diverging_window`` but never less
than one epoch of mini-batches: batches of a single row can lift the cost for a few dozen
steps in a row, but not for most of an epoch.

The trainer keeps its hard rule as well: a step whose loss would be non-finite or above
``DIVERGENCE_FACTOR * max(1, J_0)`` is never committed.  That rule catches losses that
explode; this one catches what a teacher calls diverging long before: a loss that jumps
far above its start and thrashes there (gradient descent on the logistic model with
learning rate 100 swings between about 3 and 50 and never comes down), or that stays above
its start in a cycle between two points on opposite slopes.

Why these numbers
-----------------
Measured with ``benchmarks/diverging_rule.py`` on the diabetes presets (with and without
imputed zeros, and the post's table), both models, all six optimizers, a full batch and
batches of 1 to 128 rows in two orders each.  At the default learning rate 0.1 no run
that did not blow up had more than 35 % of any window high, so 75 % leaves a wide margin
(the only runs that do blow up at that rate, momentum and Nesterov on the linear model with
one row per step, are stopped by the hard rule, or by this one when they take more than an
epoch to blow up).  At 100 times that rate, on the diabetes
preset with a full batch, every optimizer on the logistic model is stopped within 20 to 42
steps except AdaGrad: its accumulated squared gradients shrink its steps until the loss
comes back down (at most 65 % of a window high), and it goes on to converge.  The 25 %
margin keeps a run that starts at the bottom of the valley (a start clicked on the
landscape, say) from being called diverging because mini-batch noise keeps it a little
above its start.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable

__all__ = [
    "DIVERGING_MARGIN",
    "DIVERGING_SHARE",
    "DIVERGING_WINDOW",
    "DivergenceWatch",
]

DIVERGING_WINDOW = 20  # steps looked back over (at least one epoch of mini-batches)
DIVERGING_MARGIN = 0.25  # a high step's loss exceeds the start by more than this fraction
DIVERGING_SHARE = 0.75  # share of the window that must be high


class DivergenceWatch:
    """Counts the high steps among the last ``window`` committed ones (see the module).

    ``window == 0`` turns the rule off.  ``observe`` takes each committed step's loss in
    order; ``refill`` rebuilds the count from the losses of the steps that should count
    (after a step back, or empty to start afresh).
    """

    def __init__(self, start_loss: float, window: int) -> None:
        if window < 0:
            raise ValueError(f"window must be an integer >= 0, got {window!r}.")
        self.start_loss = float(start_loss)
        self.window = int(window)
        self.limit = (1.0 + DIVERGING_MARGIN) * self.start_loss
        self.needed = math.ceil(DIVERGING_SHARE * self.window)
        self._high: deque[bool] = deque(maxlen=max(self.window, 1))
        self._count = 0

    @property
    def high_steps(self) -> int:
        """How many of the steps in the current window were high."""
        return self._count

    def observe(self, loss: float) -> bool:
        """Record one committed step's loss; True when the run is now diverging."""
        if self.window == 0:
            return False
        high = loss > self.limit
        if len(self._high) == self.window:
            self._count -= self._high[0]
        self._high.append(high)
        self._count += high
        return len(self._high) == self.window and self._count >= self.needed

    def refill(self, losses: Iterable[float]) -> None:
        """Forget the window and observe ``losses`` (oldest first) without stopping."""
        self._high.clear()
        self._count = 0
        for loss in losses:
            self.observe(float(loss))

    def reason(self, loss: float, lr: float) -> str:
        """The stop message for a run that is diverging with latest loss ``loss``."""
        if self._count == self.window:
            when = f"for the last {self.window} steps the loss stayed"
        else:
            when = f"at {self._count} of the last {self.window} steps the loss was"
        return (
            f"Diverging: {when} more than {100 * DIVERGING_MARGIN:g} % above where it started "
            f"({self.start_loss:.3g} → {loss:.3g}). With learning rate {lr:g} the steps "
            "overshoot and the loss does not come down: the learning rate is too large. Lower "
            "it, or continue to watch what happens."
        )
