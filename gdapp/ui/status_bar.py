"""The status bar: dataset, epoch, losses, accuracies and speed, and short notes.

``TrainingStatusBar`` subscribes to ``TrainingSession``. During a run the numbers refresh at
most every ``STATUS_INTERVAL_MS`` (nobody reads digits changing 40 times a second); at rest
they follow every snapshot. A stop (divergence, max epochs, convergence) leaves a short
reason on the left; the controller's notices show there for ``NOTICE_TIMEOUT_MS``.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from gdapp.datasets import Dataset
from gdapp.ui.controller import TrainingSession
from gdapp.ui.names import STATUS_WORDS
from gdapp.ui.training_thread import Snapshot

STATUS_INTERVAL_MS = 100  # numbers refresh at most this often during a run
NOTICE_TIMEOUT_MS = 8000  # how long a note from the controller stays

# (key, tooltip, the widest text expected: labels keep that width so nothing jumps)
FIELDS = (
    ("dataset", "The dataset being trained on", "diabetes-post (759 rows)"),
    ("epoch", "Passes over the training rows so far", "Epoch 1,000,000"),
    ("loss", "Training loss (test loss)", "Loss 0.4567 (test 0.4567)"),
    ("accuracy", "Training accuracy (test accuracy)", "Accuracy 100.0% (test 100.0%)"),
    ("speed", "Training speed during a run", "100,000 epochs/s"),
)


STOP_TITLES = {
    "diverged": "Training diverged.",
    "diverging": "Training is diverging.",
    "max_epochs": "Run finished.",
    "converged": "Converged.",
}


def short_reason(snapshot: Snapshot) -> str:
    """A status-bar sized version of a stop reason (the message bar has the full text)."""
    if snapshot.status == "diverged":
        return f"Stopped: diverged at step {snapshot.step_count + 1}, learning rate too large"
    if snapshot.status == "diverging":
        return f"Stopped: diverging at step {snapshot.step_count}, learning rate too large"
    if snapshot.status == "max_epochs":
        return f"Stopped at max epochs ({snapshot.config.max_epochs:,})"
    if snapshot.status == "converged":
        return "Stopped: converged (gradient below the tolerance)"
    return snapshot.stop_reason


def stop_message(snapshot: Snapshot) -> tuple[str, str]:
    """(title, text) explaining a stop in words, for the message bar.

    The trainer's reason often starts with the status itself ("Converged: largest gradient
    entry ..."); that word is not said twice.
    """
    title = STOP_TITLES.get(snapshot.status, "Stopped.")
    reason = snapshot.stop_reason.strip()
    head, sep, rest = reason.partition(":")
    if sep and head.strip().lower() in {
        title.rstrip(".").lower(), snapshot.status.replace("_", " "), "diverged",
        "diverging", "converged", "max epochs", "max_epochs",
    }:  # fmt: skip
        reason = rest.strip()
    if reason:
        reason = reason[0].upper() + reason[1:]
        if not reason.endswith("."):
            reason += "."
    return title, reason


class TrainingStatusBar(QStatusBar):
    """Permanent labels (``labels``: dataset, epoch, loss, accuracy, speed) and notes."""

    def __init__(self, controller: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.labels: dict[str, QLabel] = {}
        for key, tip, widest in FIELDS:
            label = QLabel()
            label.setObjectName(f"{key}Status")
            label.setToolTip(tip)
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance(widest) + 8)
            self.addPermanentWidget(label)
            self.labels[key] = label
        self._snapshot: Snapshot | None = None
        self._metrics: tuple | None = None  # latest train/test loss and accuracy
        self._status = "ready"
        self._full_message = ""  # the note as given; the bar may show it cut with "…"
        self._message_until: float | None = None  # monotonic time it goes, None: stays
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(STATUS_INTERVAL_MS)
        self._timer.timeout.connect(self._show_numbers)
        controller.dataset_changed.connect(self._on_controller_dataset_changed)
        controller.snapshot_ready.connect(self._on_controller_snapshot_ready)
        controller.notice.connect(self._on_controller_notice)

    # -- notes: cut with an ellipsis where the labels leave too little room -----------------

    def showMessage(self, message: str, timeout: int = 0) -> None:  # noqa: N802 (Qt's name)
        """Show ``message``; one too long for the room left of the labels ends in "…" and is
        shown whole as the tooltip. ``currentMessage()`` gives the whole text."""
        self._full_message = message
        self._message_until = time.monotonic() + timeout / 1000 if timeout > 0 else None
        fitted = self._fitted(message)
        super().showMessage(fitted, timeout)
        self.setToolTip(message if fitted != message else "")

    def currentMessage(self) -> str:  # noqa: N802 (Qt's name)
        shown = super().currentMessage()
        full = self._full_message
        return full if shown and shown == self._fitted(full) else shown

    def _fitted(self, message: str) -> str:
        room = self.width() - sum(label.width() for label in self.labels.values()) - 24
        if room <= 0 or not self.isVisible():
            return message
        return self.fontMetrics().elidedText(message, Qt.TextElideMode.ElideRight, room)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        full = self._full_message
        if full and super().currentMessage():
            until = self._message_until
            left = 0 if until is None else max(1, int((until - time.monotonic()) * 1000))
            super().showMessage(self._fitted(full), left)

    def _on_controller_dataset_changed(self, dataset: Dataset) -> None:
        self.labels["dataset"].setText(f"{dataset.name} ({dataset.n_samples:,} rows)")
        self.labels["dataset"].setToolTip(dataset.description or dataset.source)
        self._metrics = None
        self._status = "ready"
        self.clearMessage()  # a stop of the old dataset's run says nothing about this one

    def _on_controller_notice(self, message: str) -> None:
        self.showMessage(message, NOTICE_TIMEOUT_MS)

    def _on_controller_snapshot_ready(self, snapshot: Snapshot) -> None:
        rows = snapshot.rows
        if len(rows["step"]):
            test = rows["test_loss"] is not None
            self._metrics = (
                rows["train_loss"][-1],
                rows["train_acc"][-1],
                rows["test_loss"][-1] if test else None,
                rows["test_acc"][-1] if test else None,
            )
        self._snapshot = snapshot
        if snapshot.running:
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()
            self._show_numbers()
        if snapshot.status != self._status:
            self._status = snapshot.status
            if snapshot.status == "ready":
                self.clearMessage()
            else:
                self.showMessage(short_reason(snapshot))

    def _show_numbers(self) -> None:
        snapshot, labels = self._snapshot, self.labels
        if snapshot is None:
            return
        labels["epoch"].setText(f"Epoch {snapshot.epoch:,.6g}")
        if self._metrics is not None:
            loss, acc, test_loss, test_acc = self._metrics
            if test_loss is not None:
                labels["loss"].setText(f"Loss {loss:.4f} (test {test_loss:.4f})")
                labels["accuracy"].setText(f"Accuracy {acc:.1%} (test {test_acc:.1%})")
            else:
                labels["loss"].setText(f"Loss {loss:.4f}")
                labels["accuracy"].setText(f"Accuracy {acc:.1%}")
        if snapshot.running and snapshot.step_count:
            epochs_per_step = snapshot.epoch / snapshot.step_count
            labels["speed"].setText(f"{snapshot.steps_per_second * epochs_per_step:,.0f} epochs/s")
        elif snapshot.status != "ready":
            labels["speed"].setText(STATUS_WORDS.get(snapshot.status, snapshot.status))
        else:
            labels["speed"].setText("paused" if snapshot.step_count else "ready")
