"""Checkpointed history: step back and state_at recompute rows exactly; storage parts."""

import numpy as np
import pytest

from gdapp.core.history import Checkpoints, LrLog, ScalarCurves
from gdapp.core.optimizers import OPTIMIZER_NAMES, Optimizer
from gdapp.core.trainer import TrainConfig, Trainer

RNG = np.random.default_rng(314)
N, D = 90, 3
X = RNG.uniform(-1.0, 1.0, (N, D))
Y = (RNG.random(N) < 1.0 / (1.0 + np.exp(-(X @ [1.5, -2.0, 0.5] - 0.2)))).astype(float)
XT = RNG.uniform(-1.0, 1.0, (30, D))
YT = (RNG.random(30) < 0.5).astype(float)

LR = {"gd": 0.5, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.02}
INTERVAL = 7  # small, so that short runs cross many checkpoints
STEPS = 60
LR_CHANGE_AT = 23  # steps from this one on use half the rate


def row(t: Trainer) -> dict:
    """Everything the trainer says about its latest row, as plain copies."""
    h = t.history
    return {
        "theta": t.theta,
        "grad": t.grad,
        "state": tuple(np.array(f) for f in t.opt_state),
        "step_count": t.step_count,
        "epoch": t.epoch,
        "train_loss": float(h.train_loss[-1]),
        "test_loss": float(h.test_loss[-1]),
        "train_acc": float(h.train_acc[-1]),
        "test_acc": float(h.test_acc[-1]),
        "lr": float(h.lr[-1]),
    }


def assert_same_row(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key, value in a.items():
        if key == "state":
            assert len(value) == len(b[key])
            for u, v in zip(value, b[key], strict=True):
                assert u.dtype == v.dtype and np.array_equal(u, v), key
        elif isinstance(value, np.ndarray):
            assert np.array_equal(value, b[key]), key
        else:
            assert value == b[key], key


def run_keeping_every_row(t: Trainer, steps: int, lr_change_at: int | None) -> list[dict]:
    """Step ``t`` and keep a copy of every row (row k at index k): a keep-everything run."""
    rows = [row(t)]
    for k in range(1, steps + 1):
        if k == lr_change_at:
            t.set_lr(t.lr / 2)
        t.step()
        rows.append(row(t))
    return rows


def trainer(name: str, batch_size: int | None, interval: int = INTERVAL) -> Trainer:
    cfg = TrainConfig(
        optimizer=name, lr=LR[name], batch_size=batch_size, max_epochs=10**6, init="random", seed=4
    )
    return Trainer(X, Y, XT, YT, cfg, checkpoint_interval=interval)


@pytest.mark.parametrize("batch_size", [None, 32])
@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_step_back_across_checkpoints_equals_the_kept_rows(name, batch_size):
    t = trainer(name, batch_size)
    kept = run_keeping_every_row(t, STEPS, LR_CHANGE_AT)
    curves = {key: np.array(getattr(t.history, key)) for key in ("train_loss", "lr", "epoch")}
    for k in range(STEPS - 1, -1, -1):
        assert t.step_back()
        assert_same_row(row(t), kept[k])
        assert len(t.history) == k + 1
        for key, values in curves.items():
            np.testing.assert_array_equal(getattr(t.history, key), values[: k + 1])
    assert not t.step_back()


@pytest.mark.parametrize("batch_size", [None, 32])
@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_step_back_then_forward_repeats_the_trajectory(name, batch_size):
    t = trainer(name, batch_size)
    kept = run_keeping_every_row(t, STEPS, LR_CHANGE_AT)
    for _ in range(STEPS - 10):  # back to step 10, before the rate changed
        t.step_back()
    assert t.step_count == 10
    # The recorded rate change is history now; the trainer goes on with the rate last set.
    t.set_lr(LR[name])
    forward = run_keeping_every_row(t, STEPS - 10, LR_CHANGE_AT - 10)
    for k in range(10, STEPS + 1):
        assert_same_row(forward[k - 10], kept[k])
    np.testing.assert_array_equal(t.history.theta, [r["theta"] for r in kept])
    np.testing.assert_array_equal(t.history.grad, [r["grad"] for r in kept])


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_state_at_and_history_give_every_kept_row(name):
    t = trainer(name, 32)
    kept = run_keeping_every_row(t, STEPS, LR_CHANGE_AT)
    h = t.history
    for k in [0, 1, INTERVAL - 1, INTERVAL, INTERVAL + 1, LR_CHANGE_AT, 40, STEPS - 1, STEPS]:
        s = t.state_at(k)
        assert s.step == k
        np.testing.assert_array_equal(s.theta, kept[k]["theta"])
        np.testing.assert_array_equal(s.grad, kept[k]["grad"])
        for u, v in zip(s.opt_state, kept[k]["state"], strict=True):
            assert np.array_equal(u, v)
        assert (s.epoch, s.lr, s.train_loss, s.test_loss) == (
            kept[k]["epoch"],
            kept[k]["lr"],
            kept[k]["train_loss"],
            kept[k]["test_loss"],
        )
        assert (s.train_acc, s.test_acc) == (kept[k]["train_acc"], kept[k]["test_acc"])
        np.testing.assert_array_equal(h.theta[k], kept[k]["theta"])
        np.testing.assert_array_equal(h.grad[k], kept[k]["grad"])
    np.testing.assert_array_equal(t.theta_rows(5, 33), [r["theta"] for r in kept[5:33]])
    np.testing.assert_array_equal(t.history_rows(5, 33).theta, [r["theta"] for r in kept[5:33]])
    assert t.step_count == STEPS  # reading rows changes nothing
    assert_same_row(row(t), kept[STEPS])


# -- an independent reference: the optimizers written out as one plain numpy loop ---------


def ref_grad(theta, X, y):
    z = X @ theta[:-1] + theta[-1]
    r = 1.0 / (1.0 + np.exp(-z)) - y
    return np.append(X.T @ r, r.sum()) / len(y)


def ref_thetas(name, theta, lrs, batch_size, seed):
    """theta after steps 0..len(lrs), step k using rate lrs[k - 1] and the documented batches."""
    v = np.zeros_like(theta)  # momentum, or the running sum / average of squared gradients
    m = np.zeros_like(theta)  # Adam's first moment
    thetas = [theta]
    per_epoch = -(-N // batch_size)
    for k, lr in enumerate(lrs, start=1):
        epoch, j = divmod(k - 1, per_epoch)
        idx = np.random.default_rng([seed, epoch]).permutation(N)[
            j * batch_size : (j + 1) * batch_size
        ]
        g = ref_grad(theta, X[idx], Y[idx])
        if name == "gd":
            step = g
        elif name in ("momentum", "nesterov"):
            v = 0.9 * v + g
            step = v if name == "momentum" else g + 0.9 * v
        elif name == "adagrad":
            v = v + g**2
            step = g / (np.sqrt(v) + 1e-8)
        elif name == "rmsprop":
            v = 0.9 * v + 0.1 * g**2
            step = g / (np.sqrt(v) + 1e-8)
        else:
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g**2
            step = (m / (1 - 0.9**k)) / (np.sqrt(v / (1 - 0.999**k)) + 1e-8)
        theta = theta - lr * step
        thetas.append(theta)
    return thetas


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_state_at_matches_a_plain_numpy_loop(name):
    t = trainer(name, 32)
    run_keeping_every_row(t, STEPS, LR_CHANGE_AT)
    lrs = [LR[name]] * (LR_CHANGE_AT - 1) + [LR[name] / 2] * (STEPS - LR_CHANGE_AT + 1)
    start = np.random.default_rng(4).normal(0.0, 0.01, D + 1)
    expected = ref_thetas(name, start, lrs, 32, seed=4)
    for k in range(STEPS + 1):
        np.testing.assert_allclose(t.state_at(k).theta, expected[k], rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(t.state_at(k).grad, ref_grad(expected[k], X, Y), atol=1e-10)


def test_lr_changes_are_recorded_and_undone_with_their_steps():
    t = trainer("gd", None)
    t.run(5)
    t.set_lr(0.1)
    t.set_lr(0.2)  # only the rate a step used is recorded
    t.run(3)
    t.set_lr(0.2)
    t.run(2)
    t.set_lr(0.05)
    t.step()
    assert t.lr_changes == [(0, 0.5), (6, 0.2), (11, 0.05)]
    for _ in range(5):
        t.step_back()
    assert t.lr_changes == [(0, 0.5), (6, 0.2)]
    assert t.lr == 0.05  # stepping back does not change the rate the next step uses
    t.step_back()
    assert t.lr_changes == [(0, 0.5)]


def count_updates(t: Trainer) -> list[int]:
    """Make ``t`` count its optimizer updates (steps taken or recomputed)."""
    calls = [0]
    inner = t.optimizer

    def update(grads, state, params, lr):
        calls[0] += 1
        return inner.update(grads, state, params, lr)

    t.optimizer = Optimizer(inner.name, inner.init, update)
    return calls


def test_repeated_step_back_recomputes_each_segment_once():
    t = trainer("adam", 32, interval=50)
    t.run(1000)
    calls = count_updates(t)
    for _ in range(1000):
        t.step_back()
    assert t.step_count == 0
    # The latest 50-100 rows are kept; each earlier segment of 50 rows is recomputed once.
    assert calls[0] <= 1000
    calls[0] = 0
    t.run(10)
    assert calls[0] == 10


def test_state_at_keeps_the_segment_it_recomputed():
    t = trainer("momentum", 32, interval=50)
    t.run(500)
    calls = count_updates(t)
    first = t.state_at(120)
    assert calls[0] == 49  # from the checkpoint at row 100 to row 149
    for k in range(100, 150):
        t.state_at(k)
    assert calls[0] == 49
    np.testing.assert_array_equal(t.state_at(120).theta, first.theta)


def test_reset_clears_the_history():
    t = trainer("adam", 32)
    kept = run_keeping_every_row(t, 30, 10)
    t.reset()
    assert (t.step_count, len(t.history), t.lr_changes) == (0, 1, [(0, LR["adam"] / 2)])
    with pytest.raises(ValueError, match="0..0"):
        t.state_at(5)
    t.reset(TrainConfig(optimizer="adam", lr=LR["adam"], batch_size=32, init="random", seed=4))
    again = run_keeping_every_row(t, 30, 10)
    for a, b in zip(again, kept, strict=True):
        assert_same_row(a, b)


def test_history_read_before_a_step_back_refuses_to_recompute_its_rows():
    t = trainer("gd", None)
    t.run(20)
    h = t.history
    t.step_back()
    with pytest.raises(RuntimeError, match="read trainer.history again"):
        h.theta  # noqa: B018
    assert len(t.history.theta) == 20


def test_rows_outside_the_run_are_refused():
    t = trainer("gd", None)
    t.run(3)
    for bad in (-1, 4):
        with pytest.raises(ValueError, match="0..3"):
            t.state_at(bad)
    with pytest.raises(ValueError, match="not within"):
        t.theta_rows(2, 5)
    with pytest.raises(ValueError, match="checkpoint_interval"):
        Trainer(X, Y, checkpoint_interval=0)


# -- storage parts -------------------------------------------------------------------------


def test_scalar_curves_span_blocks_and_keep_accuracies_exact():
    curves = ScalarCurves(n_train=7, n_test=3, block_rows=4)
    for r in range(11):
        curves.set(r, loss=r + 0.25, acc=(r % 8) / 7, test=(-r, (r % 4) / 3))
    np.testing.assert_array_equal(curves.train_loss(2, 11), np.arange(2, 11) + 0.25)
    assert curves.train_acc(0, 11).tolist() == [(r % 8) / 7 for r in range(11)]
    assert curves.test_acc(0, 11).tolist() == [(r % 4) / 3 for r in range(11)]
    np.testing.assert_array_equal(curves.test_loss(3, 9), -np.arange(3, 9.0))
    curves.truncate(5)
    assert curves.nbytes == 2 * 4 * (8 + 4 + 8 + 4)  # two blocks of four rows
    curves.set(5, loss=-1.0, acc=1.0, test=(0.0, 0.0))
    assert curves.train_loss(3, 6).tolist() == [3.25, 4.25, -1.0]
    assert ScalarCurves(5, None).test_loss(0, 0) is None


def test_lr_log_stores_changes_only():
    log = LrLog(0.1)
    for r in range(1, 10):
        log.record(r, 0.1 if r < 4 else 0.3 if r < 7 else 0.2)
    assert log.changes() == [(0, 0.1), (4, 0.3), (7, 0.2)]
    assert log.rows(2, 9).tolist() == [0.1, 0.1, 0.3, 0.3, 0.3, 0.2, 0.2]
    assert [log.at(r) for r in (0, 3, 4, 6, 7, 50)] == [0.1, 0.1, 0.3, 0.3, 0.2, 0.2]
    log.truncate(7)
    assert log.changes() == [(0, 0.1), (4, 0.3)]
    log.truncate(0)
    assert log.changes() == [(0, 0.1)]


def test_checkpoints_keep_multiples_of_the_interval():
    cps = Checkpoints(5)
    for r in range(13):
        cps.offer(r, np.full(2, float(r)), np.zeros(2), (r,))
    assert len(cps) == 3
    assert [cps.at_or_before(r)[0] for r in (0, 4, 5, 9, 10, 12)] == [0, 0, 5, 5, 10, 10]
    cps.truncate(10)
    assert len(cps) == 2 and cps.at_or_before(12)[0] == 5
    cps.offer(10, np.zeros(2), np.zeros(2), (10,))
    assert cps.at_or_before(12)[1][2] == (10,)
