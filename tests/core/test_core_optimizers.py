"""Optimizers: single steps by hand, purity, and minimising a bowl and Rosenbrock's valley."""

import numpy as np
import pytest

from gdapp.core.optimizers import (
    OPTIMIZER_NAMES,
    AdamState,
    MomentumState,
    make_optimizer,
)

BOWL_A = np.array([1.0, 10.0])  # curvatures of f(p) = sum a_i (p_i - c_i)^2 / 2
BOWL_C = np.array([1.0, -2.0])  # its minimum


def bowl_grad(p):
    return BOWL_A * (p - BOWL_C)


def rosenbrock_grad(p):
    # f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, minimum at (1, 1)
    x, y = p
    return np.array([-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)])


def minimise(name, grad_fn, p0, lr, steps):
    opt = make_optimizer(name)
    p = np.array(p0, dtype=float)
    state = opt.init(p)
    for _ in range(steps):
        updates, state = opt.update(grad_fn(p), state, p, lr)
        p = p + updates
    return p, state


@pytest.mark.parametrize(
    ("name", "lr", "steps", "tol"),
    [
        ("gd", 0.15, 300, 1e-9),
        ("momentum", 0.05, 600, 1e-9),
        ("nesterov", 0.05, 600, 1e-9),
        ("adagrad", 1.0, 1000, 1e-9),
        ("rmsprop", 0.01, 2000, 1e-6),
        ("adam", 0.1, 2000, 1e-6),
    ],
)
def test_minimises_a_quadratic_bowl(name, lr, steps, tol):
    p, state = minimise(name, bowl_grad, [-3.0, 4.0], lr, steps)
    np.testing.assert_allclose(p, BOWL_C, rtol=0, atol=tol)
    assert state.count == steps


@pytest.mark.parametrize(
    ("name", "lr", "steps", "tol"),
    [
        ("gd", 1e-3, 20_000, 1e-3),
        ("momentum", 1e-3, 5_000, 1e-6),
        ("nesterov", 1e-3, 5_000, 1e-6),
        ("adagrad", 0.5, 20_000, 1e-5),
        ("rmsprop", 3e-4, 20_000, 1e-3),
        ("adam", 3e-3, 20_000, 1e-5),
    ],
)
def test_minimises_rosenbrock(name, lr, steps, tol):
    p, _ = minimise(name, rosenbrock_grad, [-1.2, 1.0], lr, steps)
    np.testing.assert_allclose(p, [1.0, 1.0], rtol=0, atol=tol)


G1 = np.array([0.5, -2.0])
G2 = np.array([1.0, 1.0])
P = np.array([0.1, 0.2])


def two_steps(name, lr1=0.1, lr2=0.3, **hyper):
    opt = make_optimizer(name, **hyper)
    s0 = opt.init(P)
    u1, s1 = opt.update(G1, s0, P, lr1)
    u2, s2 = opt.update(G2, s1, P + u1, lr2)
    return u1, u2, s2


def test_gd_steps_by_hand():
    u1, u2, s = two_steps("gd")
    np.testing.assert_array_equal(u1, -0.1 * G1)
    np.testing.assert_array_equal(u2, -0.3 * G2)  # lr may change between steps
    assert s.count == 2


def test_momentum_and_nesterov_steps_by_hand():
    beta = 0.9
    v2 = beta * G1 + G2
    u1, u2, s = two_steps("momentum")
    np.testing.assert_allclose(u1, -0.1 * G1, rtol=1e-15)
    np.testing.assert_allclose(u2, -0.3 * v2, rtol=1e-15)
    assert isinstance(s, MomentumState)
    np.testing.assert_allclose(s.velocity, v2, rtol=1e-15)

    u1, u2, s = two_steps("nesterov")
    np.testing.assert_allclose(u1, -0.1 * (G1 + beta * G1), rtol=1e-15)
    np.testing.assert_allclose(u2, -0.3 * (G2 + beta * v2), rtol=1e-15)


def test_adaptive_steps_by_hand():
    eps = 1e-8
    u1, u2, _ = two_steps("adagrad")
    np.testing.assert_allclose(u1, -0.1 * G1 / (np.abs(G1) + eps), rtol=1e-14)
    np.testing.assert_allclose(u2, -0.3 * G2 / (np.sqrt(G1**2 + G2**2) + eps), rtol=1e-14)

    u1, u2, _ = two_steps("rmsprop")
    s1 = 0.1 * G1**2
    s2 = 0.9 * s1 + 0.1 * G2**2
    np.testing.assert_allclose(u1, -0.1 * G1 / (np.sqrt(s1) + eps), rtol=1e-14)
    np.testing.assert_allclose(u2, -0.3 * G2 / (np.sqrt(s2) + eps), rtol=1e-14)

    u1, u2, s = two_steps("adam")
    # The first bias-corrected Adam step is lr * sign(g), up to eps.
    np.testing.assert_allclose(u1, -0.1 * np.sign(G1), rtol=1e-7)
    mu = 0.9 * 0.1 * G1 + 0.1 * G2
    nu = 0.999 * 0.001 * G1**2 + 0.001 * G2**2
    expected = -0.3 * (mu / (1 - 0.9**2)) / (np.sqrt(nu / (1 - 0.999**2)) + eps)
    np.testing.assert_allclose(u2, expected, rtol=1e-13)
    assert isinstance(s, AdamState)
    assert s.count == 2
    np.testing.assert_allclose(s.mu, mu, rtol=1e-15)
    np.testing.assert_allclose(s.nu, nu, rtol=1e-15)


def test_hyperparameters_reach_the_update():
    u1, u2, _ = two_steps("momentum", beta=0.0)
    np.testing.assert_allclose(u2, -0.3 * G2, rtol=1e-15)  # no memory: plain GD
    u1, _, _ = two_steps("adam", eps=1.0)
    np.testing.assert_allclose(u1, -0.1 * G1 / (np.abs(G1) + 1.0), rtol=1e-14)


# What each optimizer must remember between steps (see the maths in optimizers.py): plain
# gradient descent only counts steps; the others keep one (p,) array per running average.
STATE_FIELDS = {
    "gd": ("count",),
    "momentum": ("count", "velocity"),
    "nesterov": ("count", "velocity"),
    "adagrad": ("count", "sum_sq"),
    "rmsprop": ("count", "nu"),
    "adam": ("count", "mu", "nu"),
}


def test_state_fields_cover_every_optimizer():
    assert set(STATE_FIELDS) == set(OPTIMIZER_NAMES)


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_update_is_pure(name):
    opt = make_optimizer(name)
    params, grads = P.copy(), G1.copy()
    state = opt.init(params)
    state = opt.update(grads, state, params, 0.1)[1]
    before = [np.copy(f) for f in state]
    updates, new_state = opt.update(grads, state, params, 0.1)
    np.testing.assert_array_equal(params, P)
    np.testing.assert_array_equal(grads, G1)
    for field, kept in zip(state, before, strict=True):
        np.testing.assert_array_equal(field, kept)
    assert type(new_state) is type(state)
    assert new_state._fields == STATE_FIELDS[name]
    assert new_state.count == state.count + 1 == 2
    if name == "gd":
        assert tuple(new_state) == (2,)  # nothing but the count to keep
    arrays = list(new_state[1:])
    for field in arrays:
        assert isinstance(field, np.ndarray) and field.shape == P.shape
        assert np.any(field != 0)  # two steps with a non-zero gradient have been taken
        # Fresh memory: neither the old state, nor the arguments, nor another field.
        for other in (*state[1:], params, grads, updates):
            assert not np.shares_memory(field, other)
    for i, field in enumerate(arrays):
        assert not any(np.shares_memory(field, other) for other in arrays[i + 1 :])


def test_make_optimizer_names_and_errors():
    assert OPTIMIZER_NAMES == ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
    for name in OPTIMIZER_NAMES:
        assert make_optimizer(name).name == name
    with pytest.raises(ValueError, match="Unknown optimizer"):
        make_optimizer("lbfgs")
    with pytest.raises(ValueError, match="no hyperparameter"):
        make_optimizer("gd", beta=0.9)
    with pytest.raises(ValueError, match="beta"):
        make_optimizer("momentum", beta=1.0)
