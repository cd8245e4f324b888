"""SessionHistory: the same rows as a plain list under truncate-then-append, within its bounds."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from support.history_rows import N_PARAMS, rows_snapshot, synthetic_rows

from gdapp.core.trainer import TrainConfig, Trainer
from gdapp.datasets import load_preset
from gdapp.ui.history import COLUMNS, SessionHistory
from gdapp.ui.training_thread import Snapshot


def row_values(row: int, tag: int, n_params: int) -> dict:
    """Values of one history row; ``tag`` tells rows written by different snapshots apart."""
    base = row * 1000.0 + tag
    return {
        "step": row,
        "epoch": row * 0.5,
        "train_loss": base + 0.1,
        "test_loss": base + 0.2,
        "train_acc": base + 0.3,
        "test_acc": base + 0.4,
        "lr": base + 0.5,
        "theta": base + np.arange(n_params) / 16.0,
    }


def make_snapshot(
    first: int, reference: list[dict], n_params: int = N_PARAMS, test: bool = True
) -> Snapshot:
    """A snapshot sending ``reference[first:]`` (a list of ``row_values`` dicts)."""
    sent = reference[first:]
    rows: dict = {name: np.array([r[name] for r in sent], dtype=float) for name in COLUMNS}
    rows["step"] = rows["step"].astype(np.int64)
    rows["theta"] = np.array([r["theta"] for r in sent]).reshape(len(sent), n_params)
    if not test:
        rows["test_loss"] = rows["test_acc"] = None
    return Snapshot(
        step_count=len(reference) - 1,
        epoch=reference[-1]["epoch"],
        status="ready",
        stop_reason="",
        theta=reference[-1]["theta"].copy(),
        grad=np.zeros(n_params),
        lr=0.1,
        config=TrainConfig(),
        first_row=first,
        rows=rows,
        steps_per_second=0.0,
        last_batch=np.arange(0),
    )


def assert_row_equals(got: dict | None, expected: dict) -> None:
    assert got is not None
    for name in COLUMNS:
        assert got[name] == expected[name], name
    np.testing.assert_array_equal(got["theta"], expected["theta"])


def check_against(history: SessionHistory, reference: list[dict]) -> None:
    """Every point held is the reference row; the held rows are the ones the design keeps."""
    assert history.total_rows == len(reference)
    assert history.point_count <= history.capacity
    assert_row_equals(history.last_row, reference[-1])
    held = history.rows()
    for position, row in enumerate(held.tolist()):
        expected = reference[row]
        for name in COLUMNS:
            assert history.column(name)[position] == expected[name]
        np.testing.assert_array_equal(history.theta()[position], expected["theta"])
    # Every stride-th row before the recent stretch, then every row.
    detail_start = len(reference) - history.recent_count
    expected_rows = [*range(0, detail_start, history.stride), *range(detail_start, len(reference))]
    assert held.tolist() == expected_rows
    assert history.recent_count >= 1  # the newest row at least
    for n in {1, (history.recent_count + 1) // 2, history.recent_count}:
        tail = reference[len(reference) - n :]
        assert history.recent("train_loss", n).tolist() == [r["train_loss"] for r in tail]
        np.testing.assert_array_equal(history.recent("theta", n), [r["theta"] for r in tail])
    kept = set(held.tolist())
    for row in range(len(reference)):
        if row in kept:
            assert_row_equals(history.row_at(row), reference[row])
        else:
            assert history.row_at(row) is None
    assert history.row_at(len(reference)) is None


operations = st.lists(
    st.one_of(
        st.tuples(st.just("steps"), st.integers(1, 40)),
        st.tuples(st.just("back"), st.integers(1, 30)),
        st.tuples(st.just("reset"), st.just(0)),
        st.tuples(st.just("resend"), st.just(0)),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(operations)
def test_truncate_then_append_matches_a_plain_list_of_rows(ops):
    history = SessionHistory(max_points=8, recent_rows=4)
    reference = [row_values(0, 0, N_PARAMS)]
    history.apply(make_snapshot(0, reference))
    tag = 0
    for kind, n in ops:
        tag += 1
        if kind == "steps":  # n steps, reported in one snapshot
            first = len(reference)
            reference += [row_values(first + k, tag, N_PARAMS) for k in range(n)]
        elif kind == "back":  # n steps back, one snapshot each (the new last row)
            for _ in range(min(n, len(reference) - 1)):
                reference.pop()
                reference[-1] = row_values(len(reference) - 1, tag, N_PARAMS)
                history.apply(make_snapshot(len(reference) - 1, reference))
                check_against(history, reference)
            continue
        elif kind == "reset":
            reference = [row_values(0, tag, N_PARAMS)]
            first = 0
        else:
            first = 0
        history.apply(make_snapshot(first, reference))
        assert history.changed_from == first
        check_against(history, reference)


def feed(history: SessionHistory, first: int, stop: int, n_params: int) -> None:
    history.apply(rows_snapshot(first, synthetic_rows(first, stop, n_params)))


def test_a_million_rows_stay_within_ten_megabytes():
    history = SessionHistory()
    total, block = 1_000_001, 50_000
    sizes = {}
    for first in range(0, total, block):
        feed(history, first, min(first + block, total), N_PARAMS)
        sizes[history.total_rows] = history.nbytes
    assert history.total_rows == total
    # 65,536 downsampled points + up to 2 x 4,096 recent rows, each 7 columns, the row index
    # and nine parameters of 8 bytes: 73,728 x 136 B = 10,027,008 B.
    assert history.nbytes <= 73_728 * 136
    assert sizes[500_000] == sizes[total]  # no growth in the second half of the run
    assert history.stride >= 16  # 10^6 rows in at most 65,536 points: a stride of 2^4 or more
    last = history.last_row
    assert last["step"] == 1_000_000 and last["train_loss"] == 1.0 / 1_000_001.0
    np.testing.assert_array_equal(last["theta"], 1_000_000.0 * np.arange(1, N_PARAMS + 1))
    recent = history.recent("epoch", 4096)
    np.testing.assert_array_equal(recent, np.arange(total - 4096, total, dtype=float))
    np.testing.assert_array_equal(
        history.recent("theta", 4096)[:, 3], 4.0 * np.arange(total - 4096, total)
    )
    rows = history.rows()
    assert rows[0] == 0 and np.all(np.diff(rows) > 0)
    np.testing.assert_array_equal(history.column("epoch"), rows.astype(float))
    np.testing.assert_array_equal(history.param(2), 3.0 * rows)


def test_ten_thousand_parameters_stay_within_the_budget():
    n_params = 10_001
    history = SessionHistory()
    for first in range(0, 3000, 100):
        feed(history, first, first + 100, n_params)
    assert history.total_rows == 3000
    assert history.nbytes <= 32 * 2**20  # the budget the module documents
    np.testing.assert_array_equal(history.last_row["theta"], 2999.0 * np.arange(1, 10_002))
    n = history.recent_count
    assert n >= 50
    np.testing.assert_array_equal(history.recent("step", n), np.arange(3000 - n, 3000))
    assert history.row_at(0) is not None  # the start is always held


def test_missing_rows_ask_once_for_the_whole_history():
    asked = []
    history = SessionHistory(request_full=lambda: asked.append(True))
    feed(history, 0, 10, N_PARAMS)
    feed(history, 20, 25, N_PARAMS)  # rows 10..19 never arrived
    feed(history, 25, 30, N_PARAMS)
    assert len(asked) == 1
    assert history.total_rows == 10 and history.changed_from == -1  # nothing applied
    feed(history, 0, 30, N_PARAMS)  # the whole history, resent
    assert history.total_rows == 30 and history.changed_from == 0
    feed(history, 40, 41, N_PARAMS)
    assert len(asked) == 2  # a new gap asks again


def test_a_dataset_without_test_rows_has_no_test_values():
    reference = [row_values(k, 0, 3) for k in range(5)]
    history = SessionHistory()
    history.apply(make_snapshot(0, reference, n_params=3, test=False))
    assert not history.has_test
    assert np.all(np.isnan(history.column("test_loss")))
    assert history.row_at(2)["test_loss"] is None
    assert history.row_at(2)["train_loss"] == reference[2]["train_loss"]
    history.clear()
    assert history.total_rows == 0 and history.last_row is None and history.point_count == 0


def test_the_controller_history_follows_the_trainer(qtbot, controller):
    qtbot.waitUntil(lambda: controller.history.total_rows == 1)
    changes = []
    controller.history_changed.connect(changes.append)
    controller.set_config(optimizer="momentum", batch_size=64)
    for _ in range(6):
        controller.step()
    qtbot.waitUntil(
        lambda: controller.last_snapshot is not None and controller.last_snapshot.step_count == 6
    )
    controller.step_back()
    qtbot.waitUntil(
        lambda: controller.last_snapshot is not None and controller.last_snapshot.step_count == 5
    )
    data = controller.dataset
    reference = Trainer(data.X_train, data.y_train, data.X_test, data.y_test, controller.config)
    reference.run(5)
    history = controller.history
    assert history.total_rows == 6
    np.testing.assert_array_equal(history.theta(), reference.history.theta)
    np.testing.assert_array_equal(history.column("train_loss"), reference.history.train_loss)
    np.testing.assert_array_equal(history.column("test_acc"), reference.history.test_acc)
    assert changes[0] == 0 and changes[-1] == 5  # the reset, then the step back to row 5
    controller.set_dataset(load_preset("diabetes", test_fraction=0.0))
    assert controller.history.total_rows == 0  # emptied with the dataset change
    qtbot.waitUntil(lambda: controller.history.total_rows == 1)
    assert not controller.history.has_test


def test_a_gap_makes_the_controller_ask_once_for_the_whole_history(qtbot, controller):
    qtbot.waitUntil(lambda: controller.history.total_rows == 1)
    asked = []
    controller._snapshot_requested.connect(lambda: asked.append(True))
    changes = []
    controller.history_changed.connect(changes.append)
    rows = [row_values(k, 0, N_PARAMS) for k in range(5)]
    gap = dataclasses.replace(make_snapshot(3, rows), generation=controller._generation)
    controller._on_worker_snapshot_ready(gap)  # rows 1 and 2 never arrived
    controller._on_worker_snapshot_ready(gap)
    assert len(asked) == 1
    qtbot.waitUntil(lambda: changes == [0])  # the worker sent its whole history again
    assert controller.history.total_rows == 1  # the trainer is still at step 0
