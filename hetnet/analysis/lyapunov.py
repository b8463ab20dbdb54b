"""Lyapunov spectra by repeated QR (Benettin et al. 1980).

See :ref:`science-lyapunov`: iterate ``Q_{t+1} R_{t+1} = J_t Q_t`` (reduced QR of the
tangent map applied to ``k`` orthonormal vectors); the exponents are the time
averages of ``log |diag R|`` after a warm-up, divided by the step ``dt``.
Only an ``n x k`` QR is done per step, so the top-``k`` spectrum of a large
system costs ``O(n k^2)`` per step plus ``k`` Jacobian-vector products.

:func:`lyapunov_spectrum` is the generic estimator (any map and its
Jacobian); :func:`network_lyapunov` applies it to the rate surrogate of a
spiking network and also returns the per-neuron exponent used by Lyapunov
noise pruning (:ref:`science-lnp-noise`).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse
import threadpoolctl

from ._validation import as_finite_array

__all__ = [
    "LyapunovSpectrum",
    "lyapunov_spectrum",
    "NetworkLyapunov",
    "network_lyapunov",
    "kaplan_yorke_dimension",
]

logger = logging.getLogger(__name__)


def _random_orthonormal(n, k, rng):
    q, r = np.linalg.qr(rng.standard_normal((n, k)))
    return q * np.sign(np.diag(r))


_CHOLESKY_QR_MIN_SIZE = 256  # rows from which CholeskyQR2 beats Householder QR
_CHOLESKY_QR_MAX_CONDITION = 1e5


def _orthonormalise(tangent):
    """Reduced QR ``tangent = Q R``; returns ``Q`` and ``|diag R|``.

    Tall matrices use CholeskyQR2 (two Cholesky-based passes, BLAS-3 and
    several times faster than Householder for ``n x k`` with ``n >> k``);
    it is exact to rounding for the moderately conditioned one-step tangent
    maps met here, and falls back to Householder QR (``numpy.linalg.qr``)
    when the Gram matrix is ill-conditioned or not positive definite."""
    n, k = tangent.shape
    if n >= _CHOLESKY_QR_MIN_SIZE and n >= 4 * k:
        try:
            r1 = np.linalg.cholesky(tangent.T @ tangent).T
            diagonal = np.diag(r1)
            if diagonal.min() > diagonal.max() / _CHOLESKY_QR_MAX_CONDITION:
                q1 = scipy.linalg.solve_triangular(r1, tangent.T, trans="T", check_finite=False).T
                r2 = np.linalg.cholesky(q1.T @ q1).T
                q = scipy.linalg.solve_triangular(r2, q1.T, trans="T", check_finite=False).T
                return q, np.diag(r2) * diagonal
        except np.linalg.LinAlgError:
            pass
    q, r = np.linalg.qr(tangent)
    return q, np.abs(np.diag(r))


def _benettin(advance, x0, q0, n_steps, warmup, blas_threads=1):
    """Core loop. ``advance(x, Q) -> (x_next, J(x) @ Q)``.

    Returns the sums of ``log|diag R|`` over the measured steps and the sums
    of ``Q**2`` (the squared components of the Gram-Schmidt vectors after
    each re-orthonormalisation), plus the final state and vectors.

    The per-step linear algebra is small (``n x k``); multi-threaded BLAS
    only adds synchronisation cost there (and is pathologically slow on a
    busy machine), so the loop runs with ``blas_threads`` threads
    (``None`` leaves the BLAS setting alone)."""
    x, q = x0, q0
    n, k = q.shape
    log_sums = np.zeros(k)
    weight_sums = np.zeros((n, k))
    limits = (
        threadpoolctl.threadpool_limits(limits=int(blas_threads), user_api="blas")
        if blas_threads is not None
        else contextlib.nullcontext()
    )
    with limits, np.errstate(divide="ignore"):
        for step_index in range(warmup + n_steps):
            x, tangent = advance(x, q)
            q, stretch = _orthonormalise(tangent)
            if step_index >= warmup:
                log_sums += np.log(stretch)
                weight_sums += q * q
    return log_sums, weight_sums, x, q


def _sorted(exponents, weights):
    order = np.argsort(-exponents, kind="stable")
    return exponents[order], weights[:, order]


@dataclass(frozen=True)
class LyapunovSpectrum:
    """Result of :func:`lyapunov_spectrum`.

    Attributes
    ----------
    exponents : numpy.ndarray, shape (n_exponents,)
        Lyapunov exponents in descending order, per unit of ``dt``.
    vector_weights : numpy.ndarray, shape (n_dims, n_exponents)
        Time average of ``Q_ik^2``: squared component ``i`` of the ``k``-th
        orthonormal (Gram-Schmidt) Lyapunov vector; each column sums to 1.
    final_state : numpy.ndarray
    n_steps, warmup : int
    dt : float
    """

    exponents: np.ndarray
    vector_weights: np.ndarray
    final_state: np.ndarray
    n_steps: int
    warmup: int
    dt: float

    @property
    def max_exponent(self):
        """The largest exponent."""
        return float(self.exponents[0])


def _apply(jacobian, q):
    if callable(jacobian) and not hasattr(jacobian, "__matmul__"):
        return np.asarray(jacobian(q))
    return np.asarray(jacobian @ q)


def lyapunov_spectrum(
    step, jacobian, x0, n_exponents=None, n_steps=10_000, dt=1.0, warmup=1_000, *, seed=0, blas_threads=1
):
    """Lyapunov spectrum of a map by the QR (Benettin) method.

    Parameters
    ----------
    step : callable
        ``step(x) -> x_next``, one step of the map (e.g. one integrator step
        of an ODE with time step ``dt``).
    jacobian : callable
        ``jacobian(x)`` returns the Jacobian ``d step(x) / dx`` of the map at
        ``x``: an ndarray, a scipy.sparse matrix, a LinearOperator, or a
        function ``Q -> J @ Q``.
    x0 : array_like, shape (n_dims,)
        Initial state.
    n_exponents : int, optional
        Number of leading exponents (default: all ``n_dims``).
    n_steps : int
        Steps averaged after the warm-up.
    dt : float
        Time per step; exponents are returned per unit of ``dt``.
    warmup : int
        Steps run (state and vectors evolved, nothing averaged) before the
        measurement, so the orthonormal vectors align with the leading
        directions.
    seed : int
        Seed of the random initial orthonormal vectors.
    blas_threads : int or None, default 1
        BLAS threads inside the loop (``None``: leave unchanged).

    Returns
    -------
    LyapunovSpectrum
        ``exponents`` (descending, per unit time) and ``vector_weights``.
        A singular tangent map gives ``-inf`` exponents.

    Examples
    --------
    >>> a = np.array([[2.0, 1.0], [0.0, 0.5]])
    >>> spectrum = lyapunov_spectrum(lambda x: a @ x, lambda x: a, np.zeros(2),
    ...                              n_steps=200, warmup=50)
    >>> np.allclose(spectrum.exponents, np.log([2.0, 0.5]))
    True
    """
    x0 = as_finite_array(x0, "x0").ravel()
    n_dims = x0.size
    n_exponents = n_dims if n_exponents is None else int(n_exponents)
    if not 1 <= n_exponents <= n_dims:
        raise ValueError(f"n_exponents must be in [1, {n_dims}], got {n_exponents}")
    if n_steps < 1 or warmup < 0:
        raise ValueError(f"need n_steps >= 1 and warmup >= 0, got {n_steps}, {warmup}")
    if not (np.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be a positive number, got {dt!r}")

    def advance(x, q):
        tangent = _apply(jacobian(x), q)
        return np.asarray(step(x), dtype=float), tangent

    rng = np.random.default_rng(seed)
    q0 = _random_orthonormal(n_dims, n_exponents, rng)
    log_sums, weight_sums, x_final, _ = _benettin(
        advance, x0.copy(), q0, int(n_steps), int(warmup), blas_threads
    )
    exponents, weights = _sorted(log_sums / (n_steps * dt), weight_sums / n_steps)
    return LyapunovSpectrum(exponents, weights, x_final, int(n_steps), int(warmup), float(dt))


@dataclass(frozen=True)
class NetworkLyapunov:
    """Result of :func:`network_lyapunov` (all rates in 1/s).

    Attributes
    ----------
    exponents_per_s : numpy.ndarray, shape (n_exponents,)
        Top-``k`` Lyapunov exponents, descending.
    per_neuron_per_s : numpy.ndarray, shape (n_neurons,)
        Per-neuron exponent ``lambda_i`` (see :func:`network_lyapunov`).
    max_exponent_per_s : float
        ``exponents_per_s[0]``.
    vector_weights : numpy.ndarray, shape (n_neurons, n_exponents)
        ``<Q_ik^2>_t``, time-averaged squared components of the leading
        Gram-Schmidt Lyapunov vectors.
    leading_weight : numpy.ndarray, shape (n_neurons,)
        ``w_i = sum_k <Q_ik^2>_t`` in [0, 1]: how much of neuron ``i`` lies
        in the leading ``k``-dimensional subspace.
    local_rate_per_s : numpy.ndarray, shape (n_neurons,)
        ``d_i = < (-1 + W_ii phi'(r_i)) / tau_i >_t``, the neuron's own
        (diagonal) expansion rate; ``-1/tau_i`` without autapses.
    mean_slope : numpy.ndarray, shape (n_neurons,)
        Time-averaged surrogate slope ``<phi'(r_i)>_t``.
    final_rates : numpy.ndarray, shape (n_neurons,)
    dt_ms : float
    n_steps, warmup_steps : int
    integrator : str
    """

    exponents_per_s: np.ndarray
    per_neuron_per_s: np.ndarray
    max_exponent_per_s: float
    vector_weights: np.ndarray
    leading_weight: np.ndarray
    local_rate_per_s: np.ndarray
    mean_slope: np.ndarray
    final_rates: np.ndarray
    dt_ms: float
    n_steps: int
    warmup_steps: int
    integrator: str


def _prepare_weights(weights):
    """Return ``W.T`` in the fastest form for ``W.T @ dense`` plus ``diag(W)``."""
    if scipy.sparse.issparse(weights):
        matrix = scipy.sparse.csr_array(weights, dtype=float)
        if matrix.shape[0] != matrix.shape[1]:
            raise ValueError(f"weights must be square (n_neurons, n_neurons), got {matrix.shape}")
        if not np.all(np.isfinite(matrix.data)):
            raise ValueError("weights contain NaN or infinite values")
        diagonal = matrix.diagonal()
        n = matrix.shape[0]
        density = matrix.nnz / max(n * n, 1)
        if density > 0.15:
            return np.ascontiguousarray(matrix.toarray().T), diagonal
        return scipy.sparse.csr_array(matrix.T), diagonal
    matrix = as_finite_array(weights, "weights", ndim=2)
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"weights must be square (n_neurons, n_neurons), got {matrix.shape}")
    n = matrix.shape[0]
    diagonal = np.diag(matrix).copy()
    if n >= 500 and np.count_nonzero(matrix) < 0.05 * n * n:
        return scipy.sparse.csr_array(matrix.T), diagonal
    return np.ascontiguousarray(matrix.T), diagonal


def network_lyapunov(
    weights,
    tau_m_ms,
    *,
    n_exponents=10,
    dt_ms=1.0,
    n_steps=2000,
    warmup_steps=500,
    gain=1.0,
    bias=0.0,
    input_std=0.0,
    seed=0,
    integrator="exponential",
    initial_rates=None,
    blas_threads=1,
):
    """Top-``k`` Lyapunov spectrum and per-neuron exponents of a network's rate surrogate.

    **Surrogate** (:ref:`science-lyapunov`). Rates ``r`` (one per neuron) follow
    ``tau_i dr_i/dt = -r_i + sum_j W_ji phi(r_j) + b_i + u_i(t)``, i.e.
    ``dr/dt = D (-r + W.T @ phi(r) + b + u)`` with ``D = diag(1/tau_m)`` and
    ``W`` in the project's ``[pre, post]`` convention, ``phi(r) =
    tanh(gain * r)`` the smooth surrogate of the spike threshold (slope
    ``phi'(r) = gain (1 - tanh^2(gain r))``), ``b = bias`` and ``u`` white
    noise of standard deviation ``input_std`` drawn once per step and held
    over it. It is discretised with step ``dt_ms`` as
    ``r_{t+1} = a * r_t + c * (W.T @ phi(r_t) + b + u_t)`` with

    * ``integrator="exponential"`` (default, exact leak):
      ``a = exp(-dt/tau)``, ``c = 1 - a``;
    * ``integrator="euler"``: ``a = 1 - dt/tau``, ``c = dt/tau`` (the map
      ``r + dt/tau (-r + W.T phi(r) + b + u)``).

    Its Jacobian is ``J_t = diag(a) + diag(c) W.T diag(phi'(r_t))`` (for Euler
    ``I + dt diag(1/tau) (-I + W.T diag(phi'(r_t)))``). The exponential form
    makes an uncoupled network (``W = 0``) give exactly ``-1/tau_i``; both
    agree to first order in ``dt/tau``.

    **Weights.** ``weights`` are used as given, as the dimensionless coupling
    of the surrogate: a weight of 1 moves the postsynaptic rate variable by
    the same amount as a unit of its own state. Effective weights in mV
    should be divided by the distance from rest to threshold
    (``v_th - v_rest``) before the call so that 1 means "one presynaptic unit
    of activity drives the neuron to threshold"; any other consistent
    normalisation is fine, the spectrum depends only on ``gain * W``.

    **Per-neuron exponent** (used by LNP). With ``Q_t`` the ``n x k``
    orthonormal Gram-Schmidt (forward, QR) Lyapunov vectors after each step
    and ``lambda_1 >= .. >= lambda_k`` the exponents,

    ``lambda_i^neuron = sum_{k} lambda_k <Q_ik^2>_t + (1 - w_i) d_i``,
    ``w_i = sum_k <Q_ik^2>_t``,

    i.e. neuron ``i``'s projection onto the leading directions weighted by
    their exponents, with the part of neuron ``i`` outside the resolved
    ``k``-dimensional subspace (weight ``1 - w_i``) assigned its own local
    rate ``d_i = <(-1 + W_ii phi'(r_i)) / tau_i>_t`` (``-1/tau_i`` without
    autapses). When ``k = n`` the correction vanishes and
    ``sum_i lambda_i^neuron = sum_k lambda_k``; an uncoupled network gives
    ``lambda_i^neuron = -1/tau_i`` for every ``k``. Averages run over the
    ``n_steps`` measured steps.

    Parameters
    ----------
    weights : (n, n) array or scipy.sparse matrix
        Effective recurrent weights ``[pre, post]`` (see **Weights**).
    tau_m_ms : array_like, shape (n,)
        Membrane time constants in ms, all positive.
    n_exponents : int, default 10
        Number of leading exponents ``k`` (``1 <= k <= n``).
    dt_ms : float, default 1.0
        Time step in ms (Euler needs ``dt_ms < min(tau_m_ms)``).
    n_steps, warmup_steps : int
        Measured steps and warm-up steps (transient of both the rates and
        the orthonormal vectors).
    gain : float, default 1.0
        Slope of the surrogate ``phi`` at 0.
    bias : float or array_like (n,), default 0.0
        Constant drive ``b`` (sets the operating point).
    input_std : float, default 0.0
        Standard deviation of the per-step white-noise drive.
    seed : int, default 0
        Seeds the initial rates ``r_0 ~ N(0, 1)``, the initial vectors and
        the noise.
    integrator : {"exponential", "euler"}
    initial_rates : array_like (n,), optional
        Overrides the random ``r_0``.
    blas_threads : int or None, default 1
        BLAS threads inside the loop (``None``: leave unchanged).

    Returns
    -------
    NetworkLyapunov
        ``exponents_per_s``, ``per_neuron_per_s``, ``max_exponent_per_s`` and
        diagnostics, all in 1/s.

    Examples
    --------
    >>> result = network_lyapunov(np.zeros((3, 3)), [10.0, 20.0, 40.0], n_exponents=2,
    ...                           n_steps=100, warmup_steps=1000)
    >>> np.round(result.exponents_per_s, 6)
    array([-25., -50.])
    >>> np.round(result.per_neuron_per_s, 6)
    array([-100.,  -50.,  -25.])
    """
    tau = as_finite_array(tau_m_ms, "tau_m_ms", ndim=1)
    n_neurons = tau.size
    if n_neurons == 0:
        raise ValueError("tau_m_ms is empty")
    if np.any(tau <= 0):
        raise ValueError("tau_m_ms must be positive")
    weights_t, diagonal = _prepare_weights(weights)
    if weights_t.shape != (n_neurons, n_neurons):
        raise ValueError(f"weights have shape {weights_t.shape}, expected ({n_neurons}, {n_neurons}) from tau_m_ms")
    k = int(n_exponents)
    if not 1 <= k <= n_neurons:
        raise ValueError(f"n_exponents must be in [1, {n_neurons}], got {n_exponents}")
    if not (np.isfinite(dt_ms) and dt_ms > 0):
        raise ValueError(f"dt_ms must be a positive number, got {dt_ms!r}")
    if int(n_steps) < 1 or int(warmup_steps) < 0:
        raise ValueError(f"need n_steps >= 1 and warmup_steps >= 0, got {n_steps}, {warmup_steps}")
    if not input_std >= 0:
        raise ValueError(f"input_std must be >= 0, got {input_std!r}")
    bias = np.broadcast_to(as_finite_array(bias, "bias"), (n_neurons,)).astype(float)

    if integrator == "exponential":
        leak = np.exp(-dt_ms / tau)
        coupling = -np.expm1(-dt_ms / tau)
    elif integrator == "euler":
        if np.any(dt_ms >= tau):
            raise ValueError("Euler needs dt_ms < min(tau_m_ms); use integrator='exponential'")
        leak = 1.0 - dt_ms / tau
        coupling = dt_ms / tau
    else:
        raise ValueError(f"integrator must be 'exponential' or 'euler', got {integrator!r}")

    rng = np.random.default_rng(seed)
    if initial_rates is None:
        rates = rng.standard_normal(n_neurons)
    else:
        rates = as_finite_array(initial_rates, "initial_rates", ndim=1).copy()
        if rates.size != n_neurons:
            raise ValueError(f"initial_rates has {rates.size} entries, expected {n_neurons}")
    q0 = _random_orthonormal(n_neurons, k, rng)
    noise_rng = np.random.default_rng(rng.integers(2**63))
    warmup_steps, n_steps = int(warmup_steps), int(n_steps)
    slope_sum = np.zeros(n_neurons)
    counter = [0]
    leak_col, coupling_col = leak[:, None], coupling[:, None]

    def advance(r, q):
        activation = np.tanh(gain * r)
        slope = gain * (1.0 - activation**2)
        if counter[0] >= warmup_steps:
            slope_sum[:] += slope
        counter[0] += 1
        tangent = leak_col * q + coupling_col * (weights_t @ (slope[:, None] * q))
        drive = weights_t @ activation + bias
        if input_std > 0:
            drive = drive + input_std * noise_rng.standard_normal(n_neurons)
        return leak * r + coupling * drive, tangent

    log_sums, weight_sums, final_rates, _ = _benettin(
        advance, rates, q0, n_steps, warmup_steps, blas_threads
    )
    per_ms = log_sums / (n_steps * dt_ms)
    exponents_per_ms, vector_weights = _sorted(per_ms, weight_sums / n_steps)
    exponents_per_s = exponents_per_ms * 1000.0
    mean_slope = slope_sum / n_steps
    local_rate_per_s = 1000.0 * (-1.0 + diagonal * mean_slope) / tau
    leading_weight = vector_weights.sum(axis=1)
    residual = np.clip(1.0 - leading_weight, 0.0, 1.0)
    with np.errstate(invalid="ignore"):
        per_neuron = vector_weights @ exponents_per_s + residual * local_rate_per_s
    return NetworkLyapunov(
        exponents_per_s=exponents_per_s,
        per_neuron_per_s=per_neuron,
        max_exponent_per_s=float(exponents_per_s[0]),
        vector_weights=vector_weights,
        leading_weight=leading_weight,
        local_rate_per_s=local_rate_per_s,
        mean_slope=mean_slope,
        final_rates=final_rates,
        dt_ms=float(dt_ms),
        n_steps=n_steps,
        warmup_steps=warmup_steps,
        integrator=integrator,
    )


def kaplan_yorke_dimension(exponents):
    """Kaplan-Yorke (Lyapunov) dimension of a spectrum.

    ``D = j + sum_{i<=j} lambda_i / |lambda_{j+1}|`` with ``j`` the largest
    index whose partial sum is non-negative (0 if ``lambda_1 < 0``). With a
    truncated spectrum whose partial sums never turn negative the value is a
    lower bound and equals the number of exponents given.

    Examples
    --------
    >>> round(kaplan_yorke_dimension([0.906, 0.0, -14.572]), 3)
    2.062
    """
    values = np.sort(as_finite_array(exponents, "exponents", ndim=1))[::-1]
    partial = np.cumsum(values)
    nonnegative = np.flatnonzero(partial >= 0)
    if nonnegative.size == 0:
        return 0.0
    j = int(nonnegative[-1]) + 1
    if j == values.size:
        return float(j)
    return float(j + partial[j - 1] / abs(values[j]))
