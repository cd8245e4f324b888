"""The timeline: scrub through the steps of the run, and fork it from any of them.

``TimelineBar`` is a slider (objectName ``timelineSlider``, its value the step shown) over
the steps of the current branch, a readout, and "Continue from here" (``forkButton``).
Dragging sends ``TrainingSession.seek``: the trainer goes back to that step bit for bit (its
checkpoints make that cheap), or forward again by taking the same steps, so every panel,
the plots' play head, the graph's numbers, the landscape's point and the status bar show
that step. Step back is the same move by one step.

The branch: the furthest step this run has reached, whose history is kept (downsampled, the
training loss only) once the learner moves back from it. "Continue from here" runs on from
the step shown with whatever settings are in force; the steps left behind stay drawn faded
on the loss plot, so the two branches can be compared. Seeking while dragging is coalesced:
at most one seek waits at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

if TYPE_CHECKING:
    from gdapp.ui.controller import TrainingSession
    from gdapp.ui.training_thread import Snapshot

SEEK_COALESCE_MS = 30  # a drag sends at most one seek per this many ms


class TimelineBar(QWidget):
    """Slider, readout and fork button for ``session``'s run.

    Signal ``branch_left(epoch, loss)``: the learner moved back from the branch's end; the
    arrays are that branch's training loss, for a faded curve (``None, None``: no branch).
    """

    branch_left = Signal(object, object)

    def __init__(self, session: TrainingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineBar")
        self._session = session
        self._branch_end = 0  # the furthest step of this branch
        self._branch: tuple[np.ndarray, np.ndarray] | None = None
        self._kept_branch = False
        self._wanted: int | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        title = QLabel("&Timeline", self)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("timelineSlider")
        self.slider.setRange(0, 0)
        self.slider.setToolTip(
            "Drag to see any step of this run in every panel; the run goes back exactly "
            "and forward by taking the same steps again"
        )
        title.setBuddy(self.slider)
        self.readout = QLabel(self)
        self.readout.setObjectName("timelineReadout")
        widest = "step 1,000,000 of 1,000,000"
        self.readout.setMinimumWidth(self.fontMetrics().horizontalAdvance(widest))
        self.fork_button = QPushButton("Continue from here", self)
        self.fork_button.setObjectName("forkButton")
        self.fork_button.setToolTip(
            "Run on from the step shown with the settings in force now; the steps after it "
            "stay drawn faded on the loss plot"
        )
        self.fork_button.setEnabled(False)
        layout.addWidget(title)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.readout)
        layout.addWidget(self.fork_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEEK_COALESCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.fork_button.clicked.connect(self._on_fork_button_clicked)
        session.snapshot_ready.connect(self._on_session_snapshot_ready)
        session.dataset_changed.connect(self._on_session_dataset_changed)

    @property
    def branch_end(self) -> int:
        """The furthest step of the current branch (the slider's maximum)."""
        return self._branch_end

    def branch(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The branch left behind, as drawn: (epoch, training loss) points, or None."""
        return self._branch

    def restore_branch(self, epoch, loss) -> None:
        """Draw a saved branch faded again (a reopened session); it cannot be scrubbed."""
        self._branch = (np.asarray(epoch, dtype=float), np.asarray(loss, dtype=float))
        self.branch_left.emit(*self._branch)

    def show_step(self, step: int) -> None:
        """Move the timeline to ``step`` (as a drag to it would)."""
        self.slider.setValue(int(step))

    # -- session events -------------------------------------------------------------------

    def _on_session_snapshot_ready(self, snapshot: Snapshot) -> None:
        step = snapshot.step_count
        if step > self._branch_end or (self._wanted is None and not self._kept_branch):
            # Training went past the old end, or nobody is looking back: a new end.
            self._branch_end = max(step, self._branch_end if self._kept_branch else step)
        with QSignalBlocker(self.slider):
            self.slider.setMaximum(self._branch_end)
            if self._wanted is None:
                self.slider.setValue(step)
        self.readout.setText(f"step {step:,} of {self._branch_end:,}")
        self.fork_button.setEnabled(self._kept_branch and step < self._branch_end)

    def _on_session_dataset_changed(self, _dataset) -> None:
        self.forget_branch()

    # -- widget events --------------------------------------------------------------------

    def _on_slider_value_changed(self, value: int) -> None:
        snapshot = self._session.last_snapshot
        if snapshot is None:
            return
        if value < snapshot.step_count and not self._kept_branch:
            self._keep_branch()
        self._wanted = value
        if not self._timer.isActive():
            self._timer.start()

    def _on_timer_timeout(self) -> None:
        wanted, self._wanted = self._wanted, None
        if wanted is not None:
            self._session.seek(wanted)

    def _on_fork_button_clicked(self) -> None:
        """Run on from the step shown; the rest of the old branch stays faded."""
        snapshot = self._session.last_snapshot
        if snapshot is None:
            return
        self._kept_branch = False  # the run from here is the branch from now on
        self._branch_end = snapshot.step_count
        self.fork_button.setEnabled(False)
        self._session.run()

    # -- the branch -----------------------------------------------------------------------

    def _keep_branch(self) -> None:
        history = self._session.history
        if history.total_rows == 0:
            return
        self._branch = (
            np.array(history.column("epoch"), dtype=float),
            np.array(history.column("train_loss"), dtype=float),
        )
        self._kept_branch = True
        self.branch_left.emit(*self._branch)

    def forget_branch(self) -> None:
        """Start a new branch at the current step (a reset or a new dataset)."""
        self._branch = None
        self._kept_branch = False
        self._branch_end = 0
        self._wanted = None
        with QSignalBlocker(self.slider):
            self.slider.setRange(0, 0)
        self.readout.setText("step 0 of 0")
        self.fork_button.setEnabled(False)
        self.branch_left.emit(None, None)
