"""Session files through the real window: save a run, reopen it bit for bit, refuse bad files.

The reference weights come from the core ``Trainer`` driven directly (no window, no thread);
the windows must agree with it, and a reopened window with the one that saved the session.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QMenu, QMessageBox, QPushButton

from gdapp.core.trainer import TrainConfig, Trainer
from gdapp.datasets import load_csv, load_preset
from gdapp.ui.main_window import MainWindow
from gdapp.ui.session_commands import LAST_KEY
from gdapp.ui.session_file import VIEW_FIELDS
from gdapp.ui.view_state import ViewState

LONG = 10**7  # max epochs a test run never reaches
REPLAY_TIMEOUT_MS = 20_000


def open_window(qtbot) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.controller.last_snapshot is not None)
    qtbot.waitUntil(lambda: not win.sessions.is_replaying, timeout=REPLAY_TIMEOUT_MS)
    return win


def fresh_window(qtbot) -> MainWindow:
    """A new window that does not resume the last session (as if Start fresh was chosen)."""
    from gdapp.ui.settings import make_settings

    settings = make_settings()
    settings.setValue(LAST_KEY, "")
    settings.sync()
    return open_window(qtbot)


def steps_done(qtbot, win: MainWindow, n: int):
    """Take ``n`` steps and wait for the snapshot that answers them (commands run in order)."""
    ctrl = win.controller
    ctrl.step(n)
    asked = ctrl.commands_sent
    qtbot.waitUntil(
        lambda: ctrl.last_snapshot is not None and ctrl.last_snapshot.commands_seen >= asked,
        timeout=10_000,
    )
    return ctrl.last_snapshot


def train_with_lr_change(qtbot, win: MainWindow, **config) -> None:
    """Mini-batch momentum: 37 steps at lr 0.05, then 26 at lr 0.4."""
    win.controller.set_config(max_epochs=LONG, **config)
    win.controller.set_config(lr=0.05)
    steps_done(qtbot, win, 37)
    win.controller.set_config(lr=0.4)
    steps_done(qtbot, win, 26)


def core_theta(dataset, config: TrainConfig) -> np.ndarray:
    """The same run on the core Trainer alone: the reference for every window."""
    has_test = len(dataset.test_idx) > 0
    trainer = Trainer(
        dataset.X_train, dataset.y_train,
        dataset.X_test if has_test else None, dataset.y_test if has_test else None,
        config=dataclasses.replace(config, lr=0.05),
    )  # fmt: skip
    trainer.run(37)
    trainer.set_lr(0.4)
    trainer.run(26)
    assert trainer.step_count == 63
    return np.array(trainer.theta)


def state_of(win: MainWindow) -> dict:
    ctrl = win.controller
    snapshot = ctrl.last_snapshot
    return {
        "origin": ctrl.dataset_origin,
        "config": ctrl.config,
        "steps": snapshot.step_count,
        "epoch": snapshot.epoch,
        "theta": np.array(snapshot.theta).tobytes(),
        "loss": np.array(ctrl.history.column("train_loss")).tobytes(),
        "view": win.view_model.state,
    }


def reopened(qtbot, path: Path) -> MainWindow:
    win = fresh_window(qtbot)
    with qtbot.waitSignal(win.session_ready, timeout=REPLAY_TIMEOUT_MS) as ready:
        assert win.open_session(path)
    assert ready.args == [True]
    return win


def error_text(win: MainWindow) -> str:
    box = win.findChild(QMessageBox, "errorDialog")
    assert box is not None and box.isVisible(), "no error message was shown"
    return box.text()


@pytest.fixture
def csv_file(tmp_path) -> Path:
    """A small two-class table with a named label column, made for the test."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(160, 3)) * (1.0, 5.0, 0.2) + (0.0, 20.0, 1.0)
    y = (X @ (1.0, 0.3, -2.0) + rng.normal(size=160) > 7.2).astype(int)
    path = tmp_path / "measurements.csv"
    rows = (",".join(map(repr, map(float, r))) + f",{v}" for r, v in zip(X, y, strict=True))
    lines = ["a,b,c,outcome", *rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_view_fields_match_the_view_state():
    assert ViewState.field_names() == VIEW_FIELDS


def test_preset_session_reopens_bit_for_bit(qtbot, tmp_path):
    win = open_window(qtbot)
    lesson_place = (1, 2)
    win.lesson_panel.goto(*lesson_place)  # the lesson sets the app up its own way...
    win.lesson_panel.leave()
    win.controller.load_preset("diabetes")  # ...and the learner then explores
    win.controller.set_config(**dataclasses.asdict(TrainConfig()))
    win.controller.reset(None)
    train_with_lr_change(qtbot, win, optimizer="momentum", batch_size=50)
    reference = core_theta(load_preset("diabetes"), win.controller.config)
    assert np.array(win.controller.last_snapshot.theta).tobytes() == reference.tobytes()
    win.view_model.update(page="graph", graph_view="batch", table_scaled=True)
    before = state_of(win)
    path = tmp_path / "run.gdsession"
    win.save_session(path)
    saved = json.loads(path.read_text())
    assert saved["format"] == "gdapp-session" and saved["version"] == 1
    assert saved["lr_changes"] == [[1, 0.05], [38, 0.4]] and saved["steps"] == 63
    assert saved["forks"] == []
    win.close()

    again = reopened(qtbot, path)
    after = state_of(again)
    assert after == before
    assert np.array(again.controller.last_snapshot.theta).tobytes() == reference.tobytes()
    assert again.controller.config.batch_size == 50
    assert again.lesson_panel.runner.position == lesson_place


def test_csv_session_reopens_bit_for_bit(qtbot, tmp_path, csv_file):
    win = open_window(qtbot)
    options = {"label": "outcome", "scale": "standard", "test_fraction": 0.25}
    assert win.controller.load_csv(csv_file, **options)
    train_with_lr_change(qtbot, win, optimizer="adam", batch_size=16)
    win.view_model.update(page="landscape", landscape_mode="slice", landscape_params=(0,))
    reference = core_theta(load_csv(csv_file, **options), win.controller.config)
    before = state_of(win)
    assert before["theta"] == reference.tobytes()
    path = tmp_path / "csv-run.gdsession"
    win.save_session(path)
    win.close()

    again = reopened(qtbot, path)
    assert state_of(again) == before
    assert again.controller.dataset_origin == {"csv": str(csv_file), **options}


# -- refused files leave the window as it was ----------------------------------------------


@pytest.fixture
def trained(qtbot, tmp_path, csv_file):
    """A window with a CSV run in it, its saved session and the state before anything else."""
    win = open_window(qtbot)
    assert win.controller.load_csv(csv_file, label="outcome")
    train_with_lr_change(qtbot, win, batch_size=20)
    win.view_model.update(page="data", table_scaled=True)
    path = tmp_path / "good.gdsession"
    win.save_session(path)
    # A different run is on screen when the bad file is opened.
    win.controller.load_preset("diabetes")
    win.controller.set_config(lr=0.3, optimizer="gd", batch_size=None)
    steps_done(qtbot, win, 5)
    win.view_model.update(page="plots", table_scaled=False)
    return win, path, state_of(win)


def _edit(path: Path, change) -> Path:
    data = json.loads(path.read_text())
    change(data)
    bad = path.with_name("bad.gdsession")
    bad.write_text(json.dumps(data))
    return bad


HOSTILE = {
    "other_version": (lambda p: _edit(p, lambda d: d.update(version=2)), "version 2"),
    "not_a_session": (lambda p: _edit(p, lambda d: d.pop("format")), "not a session"),
    "truncated": (lambda p: _write(p, p.read_bytes()[: len(p.read_bytes()) // 2]), "not valid"),
    "deep_nesting": (lambda p: _write(p, b"[" * 200_000 + b"]" * 200_000), "nested"),
    "huge_number": (lambda p: _replace(p, '"steps": 63', '"steps": 1e999'), "out of range"),
    "long_integer": (lambda p: _replace(p, '"steps": 63', '"steps": ' + "9" * 5000), "too long"),
    "nan": (lambda p: _replace(p, '"lr": 0.4', '"lr": NaN'), "NaN"),
    "wrong_type": (lambda p: _edit(p, lambda d: d.update(steps="63")), "steps must be"),
    "negative_lr": (
        lambda p: _edit(p, lambda d: d["lr_changes"][1].__setitem__(1, -1.0)),
        "must be > 0",
    ),
    "steps_out_of_range": (lambda p: _edit(p, lambda d: d.update(steps=10**12)), "steps"),
    "bad_page": (lambda p: _edit(p, lambda d: d["view"].update(page="nowhere")), "page"),
    "bad_graph_view": (
        lambda p: _edit(p, lambda d: d["view"].update(graph_view="__import__('os')")),
        "view.graph_view",
    ),
    "bad_figure": (lambda p: _edit(p, lambda d: d["view"].update(figure="nope")), "figure"),
    "bad_config": (lambda p: _edit(p, lambda d: d["config"].update(optimizer="sgd9")), "sgd9"),
    "unknown_option": (
        lambda p: _edit(p, lambda d: d["dataset"]["options"].update(command="rm -rf /")),
        "command",
    ),
    "huge_file": (lambda p: _sparse(p, 2**30), "larger than 5 MB"),
}


def _write(path: Path, data: bytes) -> Path:
    bad = path.with_name("bad.gdsession")
    bad.write_bytes(data)
    return bad


def _replace(path: Path, old: str, new: str) -> Path:
    text = json.dumps(json.loads(path.read_text()))
    assert old in text
    return _write(path, text.replace(old, new, 1).encode())


def _sparse(path: Path, size: int) -> Path:
    bad = path.with_name("bad.gdsession")
    with open(bad, "wb") as handle:
        handle.write(path.read_bytes())
        handle.truncate(size)  # a sparse file: a gigabyte on paper, no disk space used
    return bad


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_file_is_refused_and_nothing_changes(trained, case):
    win, good, before = trained
    make, words = HOSTILE[case]
    bad = make(good)
    assert not win.open_session(bad)
    message = error_text(win)
    assert bad.name in message and words in message
    assert state_of(win) == before


def test_missing_and_changed_csv_are_refused(trained, csv_file):
    win, good, before = trained
    original = csv_file.read_bytes()
    csv_file.write_bytes(original + b"0.5,20.0,1.0,1\n")  # one more row
    assert not win.open_session(good)
    assert "has changed" in error_text(win) and csv_file.name in error_text(win)
    assert state_of(win) == before
    os.remove(csv_file)
    assert not win.open_session(good)
    assert "missing" in error_text(win)
    assert state_of(win) == before


def test_tampered_theta_hash_puts_the_previous_run_back(qtbot, trained):
    win, good, before = trained
    bad = _edit(good, lambda d: d.update(theta_sha256="0" * 64))
    with qtbot.waitSignal(win.session_ready, timeout=REPLAY_TIMEOUT_MS) as ready:
        assert win.open_session(bad)  # the file is well formed: only the replay can tell
    qtbot.waitUntil(lambda: ready.args == [False] and not win.sessions.is_replaying,
                    timeout=REPLAY_TIMEOUT_MS)  # fmt: skip
    assert "replayed weights differ" in error_text(win)
    assert state_of(win) == before


# -- recent files and resuming -------------------------------------------------------------


def test_save_then_open_recent(qtbot, tmp_path):
    win = open_window(qtbot)
    win.controller.set_config(max_epochs=LONG, lr=0.2)
    steps_done(qtbot, win, 12)
    first, second = tmp_path / "first.gdsession", tmp_path / "second.gdsession"
    win.save_session(first)
    steps_done(qtbot, win, 3)
    before = state_of(win)
    win.save_session(second)
    win.close()

    again = fresh_window(qtbot)
    menu = again.sessions.recent_menu
    menu.aboutToShow.emit()
    names = [a.text() for a in menu.actions()]
    assert names == ["&1 second.gdsession", "&2 first.gdsession"]
    first.unlink()  # a file that vanished leaves the list
    menu.aboutToShow.emit()
    assert [a.text() for a in menu.actions()] == ["&1 second.gdsession"]
    with qtbot.waitSignal(again.session_ready, timeout=REPLAY_TIMEOUT_MS):
        menu.actions()[0].trigger()
    assert state_of(again) == before


def test_resume_on_launch_then_start_fresh(qtbot, tmp_path):
    win = open_window(qtbot)
    win.controller.set_config(max_epochs=LONG, lr=0.2, batch_size=64)
    steps_done(qtbot, win, 20)
    win.view_model.update(page="graph")
    path = tmp_path / "left-off.gdsession"
    win.save_session(path)
    before = state_of(win)
    win.close()

    again = open_window(qtbot)  # resumes by itself
    assert state_of(again) == before
    bar = again.message_bar
    assert not bar.isHidden()
    assert "Resumed where you left off (left-off.gdsession)" in bar.text
    fresh = again.findChild(QPushButton, "startFreshButton")
    fresh.click()
    ctrl = again.controller
    qtbot.waitUntil(lambda: ctrl.last_snapshot is not None)
    assert ctrl.last_snapshot.step_count == 0
    assert again.controller.config == TrainConfig()
    assert again.controller.dataset_origin == {"preset": "diabetes"}
    assert again.view_model.state == ViewState()
    assert bar.isHidden()
    again.close()

    third = open_window(qtbot)  # fresh means fresh on the next launch too
    assert third.controller.last_snapshot.step_count == 0
    assert third.message_bar.isHidden()


@pytest.mark.first_launch
def test_a_new_learner_still_starts_on_lesson_one(qtbot):
    win = open_window(qtbot)
    qtbot.waitUntil(lambda: win.lesson_panel.is_active)
    assert win.lesson_panel.runner.position == (0, 0)


def test_a_chosen_start_is_kept(qtbot, tmp_path):
    win = open_window(qtbot)
    ctrl = win.controller
    start = np.linspace(-0.5, 0.5, ctrl.dataset.X.shape[1] + 1)
    ctrl.set_config(max_epochs=LONG, lr=0.3)
    ctrl.reset(start)
    steps_done(qtbot, win, 15)
    dataset = load_preset("diabetes")
    trainer = Trainer(dataset.X_train, dataset.y_train, dataset.X_test, dataset.y_test,
                      config=ctrl.config, theta0=start)  # fmt: skip
    trainer.run(15)
    before = state_of(win)
    assert before["theta"] == np.array(trainer.theta).tobytes()
    path = tmp_path / "start.gdsession"
    win.save_session(path)
    assert json.loads(path.read_text())["start"] == start.tolist()
    win.close()
    assert state_of(reopened(qtbot, path)) == before


def test_recent_list_keeps_the_last_eight(qtbot, tmp_path):
    win = open_window(qtbot)
    paths = [tmp_path / f"s{k}.gdsession" for k in range(10)]
    for path in paths:
        win.save_session(path)
    assert win.sessions.recent_paths() == [str(p.resolve()) for p in reversed(paths)][:8]


def test_file_menu_offers_the_session_commands(qtbot, tmp_path):
    win = open_window(qtbot)
    sessions = win.sessions
    assert sessions.save_action.shortcut().toString() == "Ctrl+S"
    assert sessions.save_as_action.shortcut().toString() == "Ctrl+Shift+S"
    (file_menu,) = [m for m in win.findChildren(QMenu) if m.title() == "&File"]
    titles = [a.text() for a in file_menu.actions()]
    for title in ("Open &session…", "&Save session", "Save session &as…", "Open &recent"):
        assert title in titles
    path = tmp_path / "menu.gdsession"
    win.save_session(path)
    assert json.loads(path.read_text())["steps"] == 0
    steps_done(qtbot, win, 4)
    sessions.save_action.trigger()  # Save goes to the current file, without a dialog
    assert json.loads(path.read_text())["steps"] == 4


def test_a_broken_last_session_is_not_resumed(qtbot, tmp_path):
    win = open_window(qtbot)
    path = tmp_path / "broken.gdsession"
    win.save_session(path)
    win.close()
    path.write_text('{"format": "gdapp-session", "version": 1, "steps": [')
    again = open_window(qtbot)
    assert again.message_bar.isHidden()
    assert again.findChild(QMessageBox, "errorDialog") is None  # no dialog at launch
    assert (
        "Could not resume the last session. broken.gdsession" in again.statusBar().currentMessage()
    )
    assert again.controller.dataset_origin == {"preset": "diabetes"}


def test_a_run_kept_going_past_a_diverging_stop_replays(qtbot, tmp_path):
    win = open_window(qtbot)
    ctrl = win.controller
    ctrl.set_config(max_epochs=LONG, lr=100.0)
    assert steps_done(qtbot, win, 30).step_count == 20  # the diverging rule stops it
    assert ctrl.last_snapshot.status == "diverging"
    ctrl.clear_stop()  # what Keep going does
    assert steps_done(qtbot, win, 10).step_count == 30
    before = state_of(win)
    path = tmp_path / "kept-going.gdsession"
    win.save_session(path)
    win.close()
    assert state_of(reopened(qtbot, path)) == before


@pytest.fixture
def large_csv(tmp_path) -> Path:
    """A CSV above the size checked at once, so it is hashed and loaded in the background."""
    from gdapp.ui.session_commands import SYNC_LOAD_BYTES

    rng = np.random.default_rng(11)
    X = rng.normal(size=(24_000, 3))
    y = (X @ (1.0, -0.5, 0.25) + rng.normal(size=len(X)) > 0).astype(int)
    rows = (f"{a!r},{b!r},{c!r},{v}" for (a, b, c), v in zip(X.tolist(), y, strict=True))
    path = tmp_path / "large.csv"
    path.write_text("\n".join(["a,b,c,outcome", *rows]) + "\n")
    assert path.stat().st_size > SYNC_LOAD_BYTES
    return path


def every_page_built(qtbot, win: MainWindow) -> None:
    """Wait for the pages built after the first frame: one of them (the landscape) replaces
    axes that do not fit the table with its own, which the view state then records."""
    from gdapp.ui.view_state import PAGES

    qtbot.waitUntil(lambda: all(win.workspace.is_built(p) for p in PAGES), timeout=30_000)


def test_a_large_csv_session_reopens(qtbot, tmp_path, large_csv):
    win = open_window(qtbot)
    assert win.controller.load_csv(large_csv, label="outcome")
    train_with_lr_change(qtbot, win, batch_size=500)
    every_page_built(qtbot, win)
    before = state_of(win)
    path = tmp_path / "large.gdsession"
    win.save_session(path)
    win.close()
    again = reopened(qtbot, path)
    every_page_built(qtbot, again)
    assert state_of(again) == before


def test_a_changed_large_csv_is_refused_later_and_nothing_changes(qtbot, tmp_path, large_csv):
    win = open_window(qtbot)
    assert win.controller.load_csv(large_csv, label="outcome")
    steps_done(qtbot, win, 3)
    path = tmp_path / "large.gdsession"
    win.save_session(path)
    with open(large_csv, "ab") as handle:
        handle.write(b"0.5,0.5,0.5,1\n")
    win.controller.load_preset("diabetes")
    steps_done(qtbot, win, 2)
    before = state_of(win)
    with qtbot.waitSignal(win.session_ready, timeout=REPLAY_TIMEOUT_MS) as ready:
        assert win.open_session(path)  # the file itself is fine; its CSV is checked later
    assert ready.args == [False]
    assert "large.csv has changed" in error_text(win)
    assert not win.sessions.is_replaying
    assert state_of(win) == before


def test_a_timeline_fork_is_saved_and_drawn_again(qtbot, tmp_path):
    win = fresh_window(qtbot)
    win.lesson_panel.leave()
    steps_done(qtbot, win, 80)
    win.timeline.show_step(30)  # back along the timeline: steps 31..80 become a branch
    ctrl = win.controller
    qtbot.waitUntil(
        lambda: (
            ctrl.last_snapshot.step_count == 30
            and ctrl.last_snapshot.commands_seen == ctrl.commands_sent
        ),
        timeout=10_000,
    )
    epoch, loss = win.timeline.branch()
    assert len(loss) == 81
    path = tmp_path / "fork.gdsession"
    win.save_session(path)
    saved = json.loads(path.read_text())
    assert saved["steps"] == 30 and len(saved["forks"]) == 1
    assert saved["forks"][0]["train_loss"] == [float(v) for v in loss]
    win.close()
    again = reopened(qtbot, path)
    again.show_page("plots")
    curve = again.plots_panel.branch_curve
    assert curve.isVisible()
    np.testing.assert_array_equal(curve.yData, loss)
    np.testing.assert_array_equal(curve.xData, epoch)
    again.close()
