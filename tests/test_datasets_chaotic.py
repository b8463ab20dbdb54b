"""Chaotic generators: shapes, seeding, fixed points, attractor statistics and
agreement with independent integrators."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from hetnet.datasets import chaotic
from hetnet.datasets.chaotic import (
    integrate_ode,
    lorenz63,
    lorenz63_derivative,
    lorenz63_fixed_points,
    lorenz96_two_scale,
    lorenz96_two_scale_derivative,
    mackey_glass,
    rossler,
    rossler_derivative,
    rossler_fixed_points,
)


def test_lorenz63_shape_seed_and_transient():
    first = lorenz63(300, seed=3)
    again = lorenz63(300, seed=3)
    other = lorenz63(300, seed=4)
    assert first.shape == (300, 3)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    # transient discarded: starting later along the same trajectory
    start = np.array([1.0, 2.0, 20.0])
    long = lorenz63(200, initial_state=start, transient_steps=0)
    shifted = lorenz63(100, initial_state=start, transient_steps=100)
    np.testing.assert_allclose(shifted, long[100:], atol=1e-6)


def test_lorenz63_fixed_points_are_stationary():
    for point in lorenz63_fixed_points():
        np.testing.assert_allclose(lorenz63_derivative(0.0, point), 0.0, atol=1e-12)
    # a trajectory started on C+ stays there
    stay = lorenz63(50, initial_state=lorenz63_fixed_points()[1], transient_steps=0)
    np.testing.assert_allclose(stay, np.tile(lorenz63_fixed_points()[1], (50, 1)), atol=1e-8)


def test_lorenz63_attractor_statistics():
    series = lorenz63(10000, seed=0)
    # known long-run statistics of the classical attractor
    assert abs(series[:, 0].mean()) < 1.5
    assert 22.5 < series[:, 2].mean() < 24.5
    assert 7.3 < series[:, 0].std() < 8.5
    assert 0.5 < series[:, 2].min() and series[:, 2].max() < 50.0
    # x changes sign (both wings are visited)
    assert (series[:, 0] > 0).mean() > 0.3 and (series[:, 0] < 0).mean() > 0.3


def test_lorenz63_matches_independent_integrator():
    start = [1.0, 1.0, 1.0]
    ours = lorenz63(250, initial_state=start, transient_steps=0)
    times = np.arange(250) * 0.02
    reference = solve_ivp(
        lorenz63_derivative, (0, times[-1]), start, method="Radau", t_eval=times, rtol=1e-12, atol=1e-12
    ).y.T
    np.testing.assert_allclose(ours, reference, atol=1e-5)


def test_lorenz63_matches_reservoirpy_at_tight_tolerance():
    datasets = pytest.importorskip("reservoirpy.datasets")
    # reservoirpy samples on linspace(0, n h, n): a spacing of n h / (n - 1),
    # and passes extra keywords to solve_ivp, so tolerances can be matched.
    n_steps, step = 200, 0.02
    theirs = datasets.lorenz(n_steps, x0=[1.0, 1.0, 1.0], h=step, rtol=1e-11, atol=1e-12, method="DOP853")
    ours = lorenz63(n_steps, dt=n_steps * step / (n_steps - 1), initial_state=[1.0, 1.0, 1.0], transient_steps=0)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_rossler_fixed_points_statistics_and_reference():
    for point in rossler_fixed_points():
        np.testing.assert_allclose(rossler_derivative(0.0, point), 0.0, atol=1e-12)
    series = rossler(5000, seed=1)
    assert series.shape == (5000, 3)
    assert 8.0 < series[:, 0].max() < 13.0
    assert -11.0 < series[:, 0].min() < -7.0
    assert series[:, 2].min() > -0.01 and series[:, 2].max() > 10.0
    start = [-0.1, 0.0, 0.02]
    ours = rossler(200, initial_state=start, transient_steps=0)
    times = np.arange(200) * 0.1
    reference = solve_ivp(
        rossler_derivative, (0, times[-1]), start, method="LSODA", t_eval=times, rtol=1e-12, atol=1e-12
    ).y.T
    np.testing.assert_allclose(ours, reference, atol=1e-6)
    datasets = pytest.importorskip("reservoirpy.datasets")
    theirs = datasets.rossler(200, x0=start, h=0.1, rtol=1e-11, atol=1e-12, method="DOP853")
    ours_grid = rossler(200, dt=200 * 0.1 / 199, initial_state=start, transient_steps=0)
    np.testing.assert_allclose(ours_grid, theirs, atol=1e-6)


def test_lorenz96_two_scale_small_and_energy_balance():
    small = dict(n_slow=4, n_fast_per_slow=4)
    size = 4 + 16
    state = np.random.default_rng(0).normal(size=size)
    derivative = lorenz96_two_scale_derivative(0.0, state, **small)
    # the advection terms conserve energy: d/dt (|X|^2 + |Y|^2)/2 equals the
    # linear part only (-|X|^2 + F sum X - c |Y|^2), coupling cancels.
    slow, fast = state[:4], state[4:]
    expected = -np.sum(slow**2) + 20.0 * slow.sum() - 10.0 * np.sum(fast**2)
    np.testing.assert_allclose(slow @ derivative[:4] + fast @ derivative[4:], expected, rtol=1e-10)
    series = lorenz96_two_scale(100, transient_steps=50, seed=2, **small)
    assert series.shape == (100, 4)
    full = lorenz96_two_scale(100, transient_steps=50, seed=2, include_fast=True, **small)
    assert full.shape == (100, 20)
    np.testing.assert_array_equal(full[:, :4], series)


def test_lorenz96_two_scale_reference_and_statistics():
    small = dict(n_slow=8, n_fast_per_slow=8)
    start = np.concatenate([20.0 + np.arange(8) * 0.1, 0.01 * np.sin(np.arange(64))])
    # the fast scale has a large Lyapunov exponent (errors grow ~10x per 0.05
    # time units), so the comparison horizon is short: 0.2 time units.
    ours = lorenz96_two_scale(21, initial_state=start, transient_steps=0, include_fast=True, **small)
    times = np.arange(21) * 0.01
    reference = solve_ivp(
        lambda t, y: lorenz96_two_scale_derivative(t, y, **small),
        (0, times[-1]), start, method="RK45", t_eval=times, rtol=1e-12, atol=1e-12,
    ).y.T
    np.testing.assert_allclose(ours, reference, atol=1e-5)
    series = lorenz96_two_scale(400, seed=0, transient_steps=200, **small)
    assert np.all(np.isfinite(series))
    assert 0.5 < series.std() < 15.0


def _mackey_glass_method_of_steps(tau, value, n_intervals, beta=0.2, gamma=0.1, exponent=10.0):
    """Independent reference: solve_ivp on successive delay intervals, the
    delayed term read from the previous interval's dense output."""
    previous = lambda t: np.full_like(np.atleast_1d(t), value, dtype=float)
    pieces = []
    state = value
    for k in range(n_intervals):
        history = previous

        def rhs(t, y, history=history):
            delayed = float(history(t - tau)[0])
            return [beta * delayed / (1 + delayed**exponent) - gamma * y[0]]

        solution = solve_ivp(
            rhs, (k * tau, (k + 1) * tau), [state], method="DOP853", dense_output=True, rtol=1e-12, atol=1e-12
        )
        pieces.append(solution.sol)
        state = solution.y[0, -1]
        previous = lambda t, sol=solution.sol: np.atleast_1d(sol(t)[0])
    def evaluate(times):
        out = []
        for t in times:
            index = min(int(t // tau), n_intervals - 1)
            out.append(pieces[index](t)[0])
        return np.array(out)
    return evaluate


def test_mackey_glass_matches_method_of_steps_reference():
    value = 1.1
    ours = mackey_glass(120, initial_value=value, transient_steps=0, integration_step=0.05)
    reference = _mackey_glass_method_of_steps(17.0, value, 8)(np.arange(120) * 1.0)
    np.testing.assert_allclose(ours[:, 0], reference, atol=1e-5)


def test_mackey_glass_convergence_and_statistics():
    coarse = mackey_glass(150, initial_value=1.2, transient_steps=0, integration_step=0.2)
    fine = mackey_glass(150, initial_value=1.2, transient_steps=0, integration_step=0.1)
    finest = mackey_glass(150, initial_value=1.2, transient_steps=0, integration_step=0.05)
    error_coarse = np.abs(coarse - finest).max()
    error_fine = np.abs(fine - finest).max()
    assert error_fine < 1e-4
    assert error_coarse / error_fine > 6.0  # high order (>= 3) convergence
    series = mackey_glass(3000, seed=0)
    assert series.shape == (3000, 1)
    assert 0.85 < series.mean() < 0.95
    assert 0.2 < series.std() < 0.27
    assert 0.2 < series.min() and series.max() < 1.45
    # statistics agree with reservoirpy's coarse (h = 1) integrator
    datasets = pytest.importorskip("reservoirpy.datasets")
    theirs = datasets.mackey_glass(4000, seed=0)[1000:]
    assert abs(theirs.mean() - series.mean()) < 0.05
    assert abs(theirs.std() - series.std()) < 0.04
    np.testing.assert_array_equal(series, mackey_glass(3000, seed=0))


@pytest.mark.parametrize(
    "call",
    [
        lambda: lorenz63(0),
        lambda: lorenz63(10, dt=-1),
        lambda: lorenz63(10, initial_state=[1, 2]),
        lambda: rossler(10, transient_steps=-1),
        lambda: lorenz96_two_scale(10, n_slow=2),
        lambda: mackey_glass(10, tau=17.05, integration_step=0.1),
        lambda: mackey_glass(10, dt=0.25, integration_step=0.1),
    ],
)
def test_generators_reject_bad_arguments(call):
    with pytest.raises(ValueError):
        call()


def test_integrate_ode_single_sample_and_all_exports():
    np.testing.assert_array_equal(integrate_ode(lambda t, y: -y, [2.0], 1, 0.1), [[2.0]])
    for name in chaotic.__all__:
        assert hasattr(chaotic, name)
