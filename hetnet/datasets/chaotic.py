"""Seeded generators for chaotic benchmark time series.

All generators return arrays of shape ``(n_steps, dims)`` sampled every ``dt``
time units, after discarding ``transient_steps`` samples so the trajectory
lies on the attractor.  Ordinary differential equations are integrated with
:func:`scipy.integrate.solve_ivp` (``DOP853``, ``rtol=1e-10``,
``atol=1e-12``) and evaluated on the sampling grid through the dense output,
so the result does not depend on how the solver chooses its internal steps.

The Mackey-Glass delay equation cannot be given to ``solve_ivp`` directly;
it is integrated with a fixed-step fourth-order Runge-Kutta scheme whose
delayed term is read from the stored history, with cubic Hermite
interpolation of the history at the half-step points (see
:func:`mackey_glass`).

Examples
--------
>>> from hetnet.datasets.chaotic import lorenz63
>>> series = lorenz63(600, seed=1)
>>> series.shape
(600, 3)
"""

from __future__ import annotations

import logging
from typing import Callable, Optional, Sequence

import numpy as np
from scipy.integrate import solve_ivp

__all__ = [
    "lorenz63",
    "lorenz63_derivative",
    "lorenz63_fixed_points",
    "rossler",
    "rossler_derivative",
    "rossler_fixed_points",
    "lorenz96_two_scale",
    "lorenz96_two_scale_derivative",
    "mackey_glass",
    "integrate_ode",
    "ODE_RTOL",
    "ODE_ATOL",
]

logger = logging.getLogger(__name__)

#: Relative tolerance used for every ODE generator.
ODE_RTOL = 1e-10
#: Absolute tolerance used for every ODE generator.
ODE_ATOL = 1e-12


def _check_counts(n_steps: int, dt: float, transient_steps: int) -> None:
    if int(n_steps) != n_steps or n_steps < 1:
        raise ValueError(f"n_steps must be a positive integer, got {n_steps!r}")
    if not np.isfinite(dt) or dt <= 0:
        raise ValueError(f"dt must be a positive finite number, got {dt!r}")
    if int(transient_steps) != transient_steps or transient_steps < 0:
        raise ValueError(
            f"transient_steps must be a non-negative integer, got {transient_steps!r}"
        )


def _initial_state(initial_state, size: int, seed: int, draw) -> np.ndarray:
    """``initial_state`` as a float array of ``size`` values, or ``draw(numpy.random.default_rng(seed))``."""
    if initial_state is None:
        initial_state = draw(np.random.default_rng(seed))
    initial_state = np.asarray(initial_state, dtype=float)
    if initial_state.shape != (size,):
        raise ValueError(f"initial_state must have {size} values, got shape {initial_state.shape}")
    return initial_state


def integrate_ode(
    derivative: Callable[[float, np.ndarray], np.ndarray],
    initial_state: Sequence[float],
    n_steps: int,
    dt: float,
    transient_steps: int = 0,
    *,
    rtol: float = ODE_RTOL,
    atol: float = ODE_ATOL,
    method: str = "DOP853",
) -> np.ndarray:
    """Integrate an autonomous ODE and sample it on a regular grid.

    Parameters
    ----------
    derivative : callable
        ``derivative(time, state) -> d state / d time``.
    initial_state : sequence of float
        State at time 0.
    n_steps : int
        Number of samples returned.
    dt : float
        Sampling interval (time units of the system).
    transient_steps : int, optional
        Samples integrated and discarded before the returned ones.
    rtol, atol : float, optional
        Solver tolerances.
    method : str, optional
        :func:`scipy.integrate.solve_ivp` method.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_steps, dims)``; row 0 is the state at time
        ``transient_steps * dt``.

    Examples
    --------
    >>> import numpy as np
    >>> decay = integrate_ode(lambda t, y: -y, [1.0], 3, 1.0)
    >>> np.allclose(decay[:, 0], np.exp(-np.arange(3)))
    True
    """
    _check_counts(n_steps, dt, transient_steps)
    state = np.asarray(initial_state, dtype=float)
    total = int(transient_steps) + int(n_steps)
    times = np.arange(total) * float(dt)
    if total == 1:
        return state[np.newaxis, :].copy()
    solution = solve_ivp(
        derivative,
        (0.0, times[-1]),
        state,
        method=method,
        t_eval=times,
        rtol=rtol,
        atol=atol,
    )
    if not solution.success:  # pragma: no cover - scipy failure path
        raise RuntimeError(f"ODE integration failed: {solution.message}")
    return np.ascontiguousarray(solution.y.T[int(transient_steps):])


# --------------------------------------------------------------------------
# Lorenz-63
# --------------------------------------------------------------------------


def lorenz63_derivative(
    time: float,
    state: np.ndarray,
    sigma: float = 10.0,
    rho: float = 28.0,
    beta: float = 8.0 / 3.0,
) -> np.ndarray:
    """Right-hand side of the Lorenz-63 system.

    Examples
    --------
    >>> lorenz63_derivative(0.0, [1.0, 1.0, 1.0])
    array([ 0.        , 26.        , -1.66666667])
    """
    x, y, z = state
    return np.array([sigma * (y - x), x * (rho - z) - y, x * y - beta * z])


def lorenz63_fixed_points(
    rho: float = 28.0, beta: float = 8.0 / 3.0
) -> np.ndarray:
    """Fixed points of Lorenz-63: the origin and ``C±`` (rows, shape (3, 3)).

    Examples
    --------
    >>> lorenz63_fixed_points()[1].round(3)
    array([ 8.485,  8.485, 27.   ])
    """
    points = [np.zeros(3)]
    if rho > 1:
        radius = np.sqrt(beta * (rho - 1.0))
        points.append(np.array([radius, radius, rho - 1.0]))
        points.append(np.array([-radius, -radius, rho - 1.0]))
    return np.array(points)


def lorenz63(
    n_steps: int,
    dt: float = 0.02,
    sigma: float = 10.0,
    rho: float = 28.0,
    beta: float = 8.0 / 3.0,
    initial_state: Optional[Sequence[float]] = None,
    transient_steps: int = 1000,
    seed: int = 0,
) -> np.ndarray:
    """Lorenz-63 trajectory on the attractor.

    Parameters
    ----------
    n_steps : int
        Number of returned samples.
    dt : float, optional
        Sampling interval in model time units (0.02 by default, i.e. about
        0.018 Lyapunov times per step with the largest exponent 0.906).
    sigma, rho, beta : float, optional
        Classical parameters (10, 28, 8/3).
    initial_state : sequence of 3 floats, optional
        Start point.  When omitted a seeded random point near the attractor
        is drawn: ``(0, 1, 25)`` plus normal noise of standard deviation 5.
    transient_steps : int, optional
        Samples discarded before the returned ones (1000 × 0.02 = 20 time
        units by default).
    seed : int, optional
        Seed of the random initial state.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_steps, 3)`` with columns ``x, y, z``.

    Examples
    --------
    >>> series = lorenz63(500, seed=0)
    >>> series.shape
    (500, 3)
    >>> bool(series[:, 2].min() > 0)
    True
    """
    initial_state = _initial_state(initial_state, 3, seed,
                                   lambda generator: np.array([0.0, 1.0, 25.0]) + generator.normal(0.0, 5.0, 3))
    return integrate_ode(lambda time, state: lorenz63_derivative(time, state, sigma, rho, beta), initial_state,
                         n_steps, dt, transient_steps)


# --------------------------------------------------------------------------
# Rössler
# --------------------------------------------------------------------------


def rossler_derivative(
    time: float, state: np.ndarray, a: float = 0.2, b: float = 0.2, c: float = 5.7
) -> np.ndarray:
    """Right-hand side of the Rössler system.

    Examples
    --------
    >>> rossler_derivative(0.0, [1.0, 0.0, 1.0])
    array([-1. ,  1. , -4.5])
    """
    x, y, z = state
    return np.array([-y - z, x + a * y, b + z * (x - c)])


def rossler_fixed_points(a: float = 0.2, b: float = 0.2, c: float = 5.7) -> np.ndarray:
    """The two fixed points of the Rössler system (rows, shape (2, 3)).

    Examples
    --------
    >>> rossler_fixed_points().shape
    (2, 3)
    """
    discriminant = c * c - 4.0 * a * b
    if discriminant < 0:
        return np.empty((0, 3))
    points = []
    for sign in (-1.0, 1.0):
        x = (c + sign * np.sqrt(discriminant)) / 2.0
        points.append([x, -x / a, x / a])
    return np.array(points)


def rossler(
    n_steps: int,
    dt: float = 0.1,
    a: float = 0.2,
    b: float = 0.2,
    c: float = 5.7,
    initial_state: Optional[Sequence[float]] = None,
    transient_steps: int = 1000,
    seed: int = 0,
) -> np.ndarray:
    """Rössler trajectory on the attractor.

    Parameters
    ----------
    n_steps : int
        Number of returned samples.
    dt : float, optional
        Sampling interval (0.1; the largest Lyapunov exponent is about 0.071,
        so one Lyapunov time is about 140 samples).
    a, b, c : float, optional
        Classical parameters (0.2, 0.2, 5.7).
    initial_state : sequence of 3 floats, optional
        Start point; by default ``(1, 1, 0)`` plus seeded normal noise of
        standard deviation 1.
    transient_steps : int, optional
        Samples discarded first (100 time units by default).
    seed : int, optional
        Seed of the random initial state.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_steps, 3)``.

    Examples
    --------
    >>> rossler(200).shape
    (200, 3)
    """
    def draw(generator):
        start = np.array([1.0, 1.0, 0.0]) + generator.normal(0.0, 1.0, 3)
        start[2] = abs(start[2])
        return start

    initial_state = _initial_state(initial_state, 3, seed, draw)
    return integrate_ode(lambda time, state: rossler_derivative(time, state, a, b, c), initial_state,
                         n_steps, dt, transient_steps)


# --------------------------------------------------------------------------
# Two-scale Lorenz-96
# --------------------------------------------------------------------------


def lorenz96_two_scale_derivative(
    time: float,
    state: np.ndarray,
    n_slow: int = 8,
    n_fast_per_slow: int = 32,
    forcing: float = 20.0,
    coupling: float = 1.0,
    time_scale: float = 10.0,
    space_scale: float = 10.0,
) -> np.ndarray:
    """Right-hand side of the two-scale Lorenz-96 system (Lorenz 1996).

    The state is ``[X_1..X_K, Y_1..Y_{J K}]`` with ``K = n_slow`` and
    ``J = n_fast_per_slow``; the fast variables of slow variable ``k`` are
    ``Y_{(k-1)J+1} .. Y_{kJ}`` and the fast ring is cyclic over all ``J K``::

        dX_k/dt = X_{k-1}(X_{k+1} - X_{k-2}) - X_k + F - (h c / b) sum_j Y_{j,k}
        dY_j/dt = -c b Y_{j+1}(Y_{j+2} - Y_{j-1}) - c Y_j + (h c / b) X_{k(j)}

    with ``h = coupling``, ``c = time_scale``, ``b = space_scale``.

    Examples
    --------
    >>> import numpy as np
    >>> state = np.zeros(8 + 8 * 4)
    >>> lorenz96_two_scale_derivative(0.0, state, n_fast_per_slow=4)[:8]
    array([20., 20., 20., 20., 20., 20., 20., 20.])
    """
    state = np.asarray(state, dtype=float)
    slow = state[:n_slow]
    fast = state[n_slow:]
    factor = coupling * time_scale / space_scale
    fast_sums = fast.reshape(n_slow, n_fast_per_slow).sum(axis=1)
    d_slow = (
        np.roll(slow, 1) * (np.roll(slow, -1) - np.roll(slow, 2))
        - slow
        + forcing
        - factor * fast_sums
    )
    d_fast = (
        -time_scale * space_scale * np.roll(fast, -1) * (np.roll(fast, -2) - np.roll(fast, 1))
        - time_scale * fast
        + factor * np.repeat(slow, n_fast_per_slow)
    )
    return np.concatenate([d_slow, d_fast])


def lorenz96_two_scale(
    n_steps: int,
    dt: float = 0.01,
    n_slow: int = 8,
    n_fast_per_slow: int = 32,
    forcing: float = 20.0,
    coupling: float = 1.0,
    time_scale: float = 10.0,
    space_scale: float = 10.0,
    initial_state: Optional[Sequence[float]] = None,
    transient_steps: int = 500,
    seed: int = 0,
    include_fast: bool = False,
) -> np.ndarray:
    """Two-scale (multiscale) Lorenz-96 trajectory.

    Parameters
    ----------
    n_steps : int
        Number of returned samples.
    dt : float, optional
        Sampling interval (0.01 model time units).
    n_slow, n_fast_per_slow : int, optional
        ``K`` slow and ``J`` fast variables per slow one (8 and 32, as in
        Thornes et al. 2017 / Chattopadhyay et al. 2020).
    forcing, coupling, time_scale, space_scale : float, optional
        ``F = 20``, ``h = 1``, ``c = 10``, ``b = 10``.
    initial_state : sequence of float, optional
        Length ``K + J K``; by default slow variables ``F`` perturbed by
        seeded normal noise (standard deviation 1) and fast ones small
        normal noise (standard deviation 0.1).
    transient_steps : int, optional
        Samples discarded first (5 time units by default).
    seed : int, optional
        Seed of the random initial state.
    include_fast : bool, optional
        Return the fast variables as extra columns after the slow ones.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_steps, K)`` or ``(n_steps, K + J K)``.

    Examples
    --------
    >>> lorenz96_two_scale(50, n_slow=4, n_fast_per_slow=4, transient_steps=10).shape
    (50, 4)
    """
    n_slow = int(n_slow)
    n_fast_per_slow = int(n_fast_per_slow)
    if n_slow < 4:
        raise ValueError("n_slow must be at least 4")
    if n_fast_per_slow < 1:
        raise ValueError("n_fast_per_slow must be at least 1")
    size = n_slow + n_slow * n_fast_per_slow
    initial_state = _initial_state(initial_state, size, seed, lambda generator: np.concatenate(
        [forcing + generator.normal(0.0, 1.0, n_slow), generator.normal(0.0, 0.1, n_slow * n_fast_per_slow)]))

    def derivative(time: float, state: np.ndarray) -> np.ndarray:
        return lorenz96_two_scale_derivative(
            time, state, n_slow, n_fast_per_slow, forcing, coupling, time_scale, space_scale
        )

    trajectory = integrate_ode(derivative, initial_state, n_steps, dt, transient_steps)
    return trajectory if include_fast else np.ascontiguousarray(trajectory[:, :n_slow])


# --------------------------------------------------------------------------
# Mackey-Glass
# --------------------------------------------------------------------------


def _mackey_glass_rhs(current: float, delayed: float, beta: float, gamma: float, exponent: float) -> float:
    return beta * delayed / (1.0 + delayed ** exponent) - gamma * current


def mackey_glass(
    n_steps: int,
    dt: float = 1.0,
    tau: float = 17.0,
    beta: float = 0.2,
    gamma: float = 0.1,
    exponent: float = 10.0,
    initial_value: Optional[float] = None,
    transient_steps: int = 1000,
    integration_step: float = 0.1,
    seed: int = 0,
) -> np.ndarray:
    """Mackey-Glass delay differential equation.

    ``dx/dt = beta x(t - tau) / (1 + x(t - tau)^n) - gamma x(t)``.

    Integration: classical fourth-order Runge-Kutta with fixed step
    ``h = integration_step`` (``tau`` must be a multiple of ``h`` within
    1e-9 and ``dt`` a multiple of ``h``).  The delayed value at the grid
    points ``t - tau`` is read directly from the stored history; at the
    half-step points ``t + h/2 - tau`` it is interpolated with a cubic
    Hermite polynomial built from the stored values and derivatives of the
    two neighbouring history points, which keeps the scheme fourth-order.
    The history before ``t = 0`` is the constant ``initial_value``.

    Parameters
    ----------
    n_steps : int
        Number of returned samples.
    dt : float, optional
        Sampling interval (1.0).
    tau, beta, gamma, exponent : float, optional
        Classical chaotic parameters (17, 0.2, 0.1, 10).
    initial_value : float, optional
        Constant history; default ``1.2`` plus seeded uniform noise in
        ``[-0.1, 0.1]``.
    transient_steps : int, optional
        Samples (of spacing ``dt``) discarded first.
    integration_step : float, optional
        RK4 step ``h``.
    seed : int, optional
        Seed of the random initial value.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_steps, 1)``.

    Examples
    --------
    >>> series = mackey_glass(300)
    >>> series.shape
    (300, 1)
    >>> bool(0.2 < series.min() and series.max() < 1.5)
    True
    """
    _check_counts(n_steps, dt, transient_steps)
    step = float(integration_step)
    if step <= 0:
        raise ValueError("integration_step must be positive")
    delay_steps = int(round(tau / step))
    if delay_steps < 1 or abs(delay_steps * step - tau) > 1e-9 * max(1.0, tau):
        raise ValueError(f"tau={tau} must be a positive multiple of integration_step={step}")
    sample_every = int(round(dt / step))
    if sample_every < 1 or abs(sample_every * step - dt) > 1e-9 * max(1.0, dt):
        raise ValueError(f"dt={dt} must be a positive multiple of integration_step={step}")
    if initial_value is None:
        generator = np.random.default_rng(seed)
        initial_value = 1.2 + generator.uniform(-0.1, 0.1)
    initial_value = float(initial_value)

    total_samples = int(transient_steps) + int(n_steps)
    total_steps = (total_samples - 1) * sample_every
    # values[i] = x(i h) for i >= 0; history before 0 is constant.
    values = np.empty(total_steps + 1)
    slopes = np.empty(total_steps + 1)
    values[0] = initial_value

    def history(index: int) -> float:
        return values[index] if index >= 0 else initial_value

    def history_slope(index: int) -> float:
        return slopes[index] if index >= 0 else 0.0

    def delayed_midpoint(index: int) -> float:
        # x(index*h + h/2 - tau) by cubic Hermite between index-d and index-d+1.
        left = index - delay_steps
        right = left + 1
        if right <= 0:
            return initial_value
        y0, y1 = history(left), history(right)
        m0, m1 = history_slope(left) * step, history_slope(right) * step
        # Hermite basis at s = 0.5
        return 0.5 * (y0 + y1) + 0.125 * (m0 - m1)

    for index in range(total_steps):
        current = values[index]
        delayed_now = history(index - delay_steps)
        k1 = _mackey_glass_rhs(current, delayed_now, beta, gamma, exponent)
        slopes[index] = k1
        delayed_mid = delayed_midpoint(index)
        delayed_next = history(index + 1 - delay_steps)
        k2 = _mackey_glass_rhs(current + 0.5 * step * k1, delayed_mid, beta, gamma, exponent)
        k3 = _mackey_glass_rhs(current + 0.5 * step * k2, delayed_mid, beta, gamma, exponent)
        k4 = _mackey_glass_rhs(current + step * k3, delayed_next, beta, gamma, exponent)
        values[index + 1] = current + step / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    slopes[total_steps] = _mackey_glass_rhs(
        values[total_steps], history(total_steps - delay_steps), beta, gamma, exponent
    )
    samples = values[:: sample_every][int(transient_steps):]
    return samples[:, np.newaxis].copy()
