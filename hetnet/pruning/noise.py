"""Step I of Lyapunov noise pruning (LNP): noise pruning of synapses.

See :ref:`science-lnp-noise`. The recurrent network is linearised around its operating
point as

``dr/dt = A r + u``,  ``A = -D + K``,  ``K = gain * (L o W).T``

with ``D = diag(leak_per_s)`` (``leak_per_s = 1000 / tau_m_ms``), ``W`` the
``[pre, post]`` weight matrix (so ``K`` is ``[post, pre]``: row ``i`` holds
the inputs of neuron ``i``, as in ``dr/dt = -r/tau + W.T @ phi(r)``) and
``L`` the *Lyapunov matrix* defined on the synapses of ``W``.

Choices made where the paper leaves room (also in the function docstrings):

* **Per-neuron exponent.** ``per_neuron_exponents_per_s`` is taken as given
  (``hetnet.analysis.network_lyapunov(...).per_neuron_per_s``). It may be
  zero or negative; only its magnitude enters: ``m_k = |lambda_k| + delta``
  with ``delta > 0`` so that every harmonic mean is defined and finite.
  Default ``delta = 0.01 * mean(|lambda|)`` (``1e-3`` 1/s if every exponent
  is zero), i.e. a 1 % floor relative to the network's typical exponent.
* **Lyapunov matrix.** For a synapse ``i -> j``,
  ``L_ij = (n_i + n_j) / (S_i + S_j)`` with ``N(k)`` the undirected
  neighbourhood of ``k`` (in- and out-neighbours, no self), ``n_k = |N(k)|``
  and ``S_k = sum_{l in N(k)} 1 / m_l``: the harmonic mean of ``m`` over the
  pooled neighbourhoods of ``i`` and ``j`` (a neighbour common to both counts
  twice; this keeps the computation O(synapses)). Without exponents
  ``L = 1`` and the method is Moore & Chaudhuri's noise pruning.
* **Coupling gain.** ``L o W`` mixes 1/s and mV, so a scalar ``gain`` sets the
  linear coupling. By default it is chosen so that ``A`` is strictly row
  diagonally dominant, ``sum_j |K_ij| <= dominance * D_ii`` for every row:
  ``A`` is then stable (Gershgorin), the covariance exists, and the
  linearisation lies in the regime where Moore & Chaudhuri's guarantees hold.
* **Covariance.** ``A C + C A.T + sigma^2 I = 0``: by
  ``scipy.linalg.solve_continuous_lyapunov`` (exact, O(N^3), about 20 s at
  N = 2000 on 2 idle cores, 117 s loaded), by a fixed-point (Jacobi /
  Smith-type) iteration, the default for the default gain,
  ``C <- (sigma^2 I + K C + (K C).T) / (d_i + d_j)``, that contracts
  by at least ``dominance`` per sweep and costs one sparse-times-dense product
  (about 0.35 s at N = 2000, 2e5 synapses) and can be warm-started from the
  previous LNP iteration, or from a noise-driven Euler-Maruyama simulation.
  ``sigma`` only rescales ``C`` and is absorbed in ``rho``.
* **Keep probabilities.** ``p_ij = min(1, rho * |K_ji| * (C_ii + C_jj - 2
  sign(w_ij) C_ij))`` with ``|K_ji| = gain * L_ij * |w_ij|`` (the entry of the
  linear operator, as Moore & Chaudhuri), ``rho`` found by bisection so that
  ``sum p_ij`` equals the target edge count; a kept synapse gets
  ``w_ij / p_ij`` (unbiased: ``E[w~] = w``).
* **Homeostatic diagonal.** ``D~_ii = D_ii - sum_j |K_ij| + sum_j |K~_ij|``
  (row = inputs of neuron ``i``), which preserves each neuron's diagonal
  dominance margin. ``leak_per_s`` of the result carries it; the LNP driver
  turns it back into ``tau_m_ms = 1000 / leak_per_s``.

Examples
--------
>>> import numpy as np
>>> from hetnet.pruning.noise import noise_prune
>>> rng = np.random.default_rng(0)
>>> weights = rng.normal(size=(30, 30)) * (rng.random((30, 30)) < 0.3)
>>> result = noise_prune(weights, np.full(30, 50.0), target_edges=100, seed=1)
>>> round(result.expected_edges, 6)
100.0
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np
import scipy.linalg
import scipy.sparse as sparse

from hetnet.graph import as_sparse_weights, symmetric_adjacency

__all__ = [
    "default_delta",
    "lyapunov_matrix",
    "LinearisedNetwork",
    "linearise",
    "rate_covariance",
    "noise_scores",
    "keep_probabilities",
    "NoisePruningResult",
    "noise_prune",
]

logger = logging.getLogger(__name__)


def default_delta(per_neuron_exponents_per_s) -> float:
    """Default offset ``delta`` (1/s) for ``|lambda| + delta``: 1 % of ``mean |lambda|``.

    Falls back to ``1e-3`` 1/s when every exponent is zero.

    >>> round(default_delta([-2.0, 0.0, 2.0]), 6)
    0.013333
    """
    magnitude = np.abs(np.asarray(per_neuron_exponents_per_s, dtype=float))
    scale = float(magnitude.mean()) if magnitude.size else 0.0
    return 0.01 * scale if scale > 0 else 1e-3


def lyapunov_matrix(weights, per_neuron_exponents_per_s=None, *, delta_per_s: Optional[float] = None) -> sparse.csr_array:
    """Lyapunov matrix ``L`` on the synapses of ``weights`` (same sparsity, 1/s).

    ``L_ij = (n_i + n_j) / (S_i + S_j)``: the harmonic mean of
    ``m_k = |lambda_k| + delta`` over the pooled undirected neighbourhoods of
    ``i`` and ``j`` (``n_k`` neighbours of ``k``, ``S_k = sum 1/m`` over
    them). Negative and near-zero exponents are handled through the
    magnitude plus ``delta`` (default :func:`default_delta`). With
    ``per_neuron_exponents_per_s=None`` every entry is 1.

    Parameters
    ----------
    weights : array_like or sparse, shape (N, N)
        ``[pre, post]`` weights; only the sparsity pattern is used.
    per_neuron_exponents_per_s : array_like, shape (N,), optional
        Per-neuron Lyapunov exponents in 1/s (any sign).
    delta_per_s : float, optional
        Offset added to ``|lambda|``; must be > 0.

    Returns
    -------
    scipy.sparse.csr_array
        ``L`` with the sparsity of ``weights``.

    Examples
    --------
    >>> L = lyapunov_matrix([[0, 1], [1, 0]], [1.0, 3.0], delta_per_s=1.0)
    >>> L.toarray().round(3).tolist()   # harmonic mean of 2 and 4, twice
    [[0.0, 2.667], [2.667, 0.0]]
    """
    matrix = as_sparse_weights(weights)
    n = matrix.shape[0]
    rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
    cols = matrix.indices
    if per_neuron_exponents_per_s is None:
        values = np.ones(matrix.nnz)
    else:
        exponents = np.asarray(per_neuron_exponents_per_s, dtype=float)
        if exponents.shape != (n,):
            raise ValueError(f"per_neuron_exponents_per_s must have shape ({n},); got {exponents.shape}")
        if not np.all(np.isfinite(exponents)):
            raise ValueError("per_neuron_exponents_per_s contains NaN or infinite values")
        delta = default_delta(exponents) if delta_per_s is None else float(delta_per_s)
        if not delta > 0:
            raise ValueError(f"delta_per_s must be > 0; got {delta_per_s!r}")
        magnitude = np.abs(exponents) + delta
        neighbours = symmetric_adjacency(matrix)
        count = np.diff(neighbours.indptr).astype(float)
        inverse_sum = neighbours @ (1.0 / magnitude)
        values = (count[rows] + count[cols]) / (inverse_sum[rows] + inverse_sum[cols])
    return sparse.csr_array((values, matrix.indices.copy(), matrix.indptr.copy()), shape=matrix.shape)


@dataclass
class LinearisedNetwork:
    """Linear rate model ``dr/dt = (-diag(leak_per_s) + coupling) r + u``.

    Attributes
    ----------
    weights : scipy.sparse.csr_array
        ``[pre, post]`` weights (mV) the model was built from.
    lyapunov : scipy.sparse.csr_array
        Lyapunov matrix on the synapses of ``weights``.
    leak_per_s : ndarray
        ``D_ii`` (1/s).
    gain : float
        Coupling gain: ``coupling = gain * (lyapunov o weights).T``.
    coupling : scipy.sparse.csr_array
        ``K`` in ``[post, pre]`` layout.
    """

    weights: sparse.csr_array
    lyapunov: sparse.csr_array
    leak_per_s: np.ndarray
    gain: float
    coupling: sparse.csr_array

    def matrix(self) -> np.ndarray:
        """Dense ``A = -D + K``."""
        dense = self.coupling.toarray()
        dense[np.diag_indices_from(dense)] -= self.leak_per_s
        return dense

    @property
    def row_dominance(self) -> np.ndarray:
        """``sum_j |K_ij| / D_ii`` per neuron (< 1: strictly diagonally dominant row)."""
        return np.asarray(abs(self.coupling).sum(axis=1)).ravel() / self.leak_per_s


def linearise(weights, leak_per_s, per_neuron_exponents_per_s=None, *, delta_per_s=None,
              gain: Optional[float] = None, dominance: float = 0.5) -> LinearisedNetwork:
    """Build the linearised network ``A = -D + gain * (L o W).T``.

    Parameters
    ----------
    weights : array_like or sparse, shape (N, N)
        ``[pre, post]`` weights (mV).
    leak_per_s : array_like, shape (N,)
        ``D_ii = 1000 / tau_m_ms`` (1/s), > 0.
    per_neuron_exponents_per_s : array_like, optional
        Per-neuron Lyapunov exponents (see :func:`lyapunov_matrix`).
    delta_per_s : float, optional
        Offset of ``|lambda| + delta``.
    gain : float, optional
        Coupling gain; default: the largest gain with every row's
        ``sum_j |K_ij| <= dominance * D_ii``.
    dominance : float
        Target diagonal-dominance ratio for the default gain, in (0, 1).

    Returns
    -------
    LinearisedNetwork

    Examples
    --------
    >>> system = linearise([[0, 2.0], [-1.0, 0]], [10.0, 10.0])
    >>> float(system.row_dominance.max())
    0.5
    """
    matrix = as_sparse_weights(weights)
    leak = np.asarray(leak_per_s, dtype=float)
    if leak.shape != (matrix.shape[0],) or not np.all(leak > 0):
        raise ValueError("leak_per_s must be a positive vector with one value per neuron")
    lyap = lyapunov_matrix(matrix, per_neuron_exponents_per_s, delta_per_s=delta_per_s)
    scaled = sparse.csr_array((lyap.data * matrix.data, matrix.indices, matrix.indptr), shape=matrix.shape)
    coupling_unit = sparse.csr_array(scaled.T)
    if gain is None:
        if not 0 < dominance < 1:
            raise ValueError(f"dominance must lie in (0, 1); got {dominance!r}")
        row_sums = np.asarray(abs(coupling_unit).sum(axis=1)).ravel()
        active = row_sums > 0
        gain = float(dominance * np.min(leak[active] / row_sums[active])) if np.any(active) else 1.0
    coupling = sparse.csr_array(coupling_unit * float(gain))
    coupling.sort_indices()
    return LinearisedNetwork(matrix, lyap, leak, float(gain), coupling)


def _fixed_point_covariance(system, noise_std, initial, rtol, max_iterations):
    leak = system.leak_per_s
    denominator = leak[:, None] + leak[None, :]
    source = np.zeros_like(denominator)
    source[np.diag_indices_from(source)] = noise_std**2
    if initial is None:
        covariance = source / denominator
    else:
        covariance = np.array(initial, dtype=float, copy=True)
    coupling = system.coupling
    for iteration in range(max_iterations):
        product = coupling @ covariance
        updated = source + product
        updated += product.T
        updated /= denominator
        change = np.max(np.abs(updated - covariance))
        covariance = updated
        scale = np.max(np.abs(np.diag(covariance)))
        if not np.isfinite(change):
            raise FloatingPointError("fixed-point covariance iteration diverged")
        if change <= rtol * scale:
            return covariance, iteration + 1
    return covariance, max_iterations


def _simulated_covariance(system, noise_std, seed, n_trajectories, duration_s, dt_s):
    rng = np.random.default_rng(seed)
    leak = system.leak_per_s
    n = leak.size
    slowest = 1.0 / np.min(leak)
    if dt_s is None:
        dt_s = 0.1 / np.max(leak)
    if duration_s is None:
        duration_s = 200.0 * slowest
    burn = int(np.ceil(5.0 * slowest / dt_s))
    n_steps = int(np.ceil(duration_s / dt_s))
    state = np.zeros((n, n_trajectories))
    accumulator = np.zeros((n, n))
    samples = 0
    stride = max(1, int(0.5 * slowest / dt_s / 10))
    for step in range(burn + n_steps):
        drift = system.coupling @ state - leak[:, None] * state
        state = state + dt_s * drift + noise_std * np.sqrt(dt_s) * rng.standard_normal(state.shape)
        if step >= burn and (step - burn) % stride == 0:
            accumulator += state @ state.T
            samples += n_trajectories
    return accumulator / samples


def rate_covariance(system: LinearisedNetwork, *, noise_std: float = 1.0, method: str = "auto",
                    initial=None, rtol: float = 1e-4, max_iterations: int = 500, seed=0,
                    n_trajectories: int = 64, duration_s=None, dt_s=None) -> np.ndarray:
    """Stationary rate covariance of the linearised network driven by white noise.

    Solves ``A C + C A.T + noise_std**2 I = 0``.

    Parameters
    ----------
    system : LinearisedNetwork
    noise_std : float
        Noise amplitude ``sigma`` (``C`` scales with ``sigma**2``).
    method : {"auto", "scipy", "fixed_point", "simulation"}
        ``"scipy"``: ``scipy.linalg.solve_continuous_lyapunov`` (exact);
        ``"fixed_point"``: iterate ``C <- (sigma^2 I + K C + (K C).T) / (d_i + d_j)``
        (needs every ``(r_i + r_j) / (d_i + d_j) < 1``; converges geometrically);
        ``"simulation"``: Euler-Maruyama estimate from ``n_trajectories``
        noise-driven runs; ``"auto"``: fixed point when every row's dominance
        ratio is <= 0.9 (fast contraction; the default gain gives 0.5), else
        scipy. The fixed point is faster at every size (scipy's Schur-based
        solver took 1-12 s at N = 300 and ~20-120 s at N = 2000 on the shared
        2-core machine) and agrees to ~1e-6 relative at the default ``rtol``.
    initial : ndarray, optional
        Warm start of the fixed-point iteration (e.g. the previous iteration's ``C``).
    rtol : float
        Fixed-point stop: largest change <= ``rtol * max(diag C)``.

    Returns
    -------
    ndarray, shape (N, N)

    Examples
    --------
    >>> system = linearise([[0, 1.0], [1.0, 0]], [10.0, 10.0], gain=5.0)
    >>> exact = rate_covariance(system, method="scipy")
    >>> bool(np.allclose(exact, rate_covariance(system, method="fixed_point", rtol=1e-12)))
    True
    """
    n = system.leak_per_s.size
    largest_dominance = float(np.max(system.row_dominance, initial=0.0))
    dominated = largest_dominance < 1.0
    if method == "auto":
        method = "fixed_point" if largest_dominance <= 0.9 else "scipy"
    if method == "scipy":
        return scipy.linalg.solve_continuous_lyapunov(system.matrix(), -(noise_std**2) * np.eye(n))
    if method == "fixed_point":
        if not dominated:
            raise ValueError("fixed_point needs a row diagonally dominant system; use method='scipy'")
        covariance, _ = _fixed_point_covariance(system, noise_std, initial, rtol, max_iterations)
        return covariance
    if method == "simulation":
        return _simulated_covariance(system, noise_std, seed, n_trajectories, duration_s, dt_s)
    raise ValueError(f"method must be 'auto', 'scipy', 'fixed_point' or 'simulation'; got {method!r}")


def noise_scores(system: LinearisedNetwork, covariance) -> np.ndarray:
    """Unscaled keep scores ``|K_ji| (C_ii + C_jj - 2 sign(w_ij) C_ij)`` per synapse.

    Aligned with ``system.weights.data`` (CSR order of the ``[pre, post]`` matrix).

    >>> system = linearise([[0, 1.0], [1.0, 0]], [10.0, 10.0], gain=5.0)
    >>> noise_scores(system, np.eye(2)).tolist()
    [10.0, 10.0]
    """
    weights = system.weights
    n = weights.shape[0]
    pre = np.repeat(np.arange(n), np.diff(weights.indptr))
    post = weights.indices
    covariance = np.asarray(covariance)
    diag = np.diag(covariance)
    cross = covariance[pre, post]
    spread = diag[pre] + diag[post] - 2.0 * np.sign(weights.data) * cross
    magnitude = system.gain * system.lyapunov.data * np.abs(weights.data)
    return magnitude * np.maximum(spread, 0.0)


def keep_probabilities(scores, target_edges: float, *, tolerance: float = 1e-10, max_iterations: int = 200):
    """``p = min(1, rho * scores)`` with ``rho`` bisected so that ``sum p = target_edges``.

    Parameters
    ----------
    scores : array_like
        Non-negative scores.
    target_edges : float
        Target expected number of kept edges, ``0 <= target <= #(scores > 0)``.

    Returns
    -------
    probabilities : ndarray
    rho : float

    Examples
    --------
    >>> p, rho = keep_probabilities([1.0, 1.0, 2.0, 100.0], 2.0)
    >>> p.round(4).tolist()
    [0.25, 0.25, 0.5, 1.0]
    """
    scores = np.asarray(scores, dtype=float)
    if np.any(scores < 0) or not np.all(np.isfinite(scores)):
        raise ValueError("scores must be finite and >= 0")
    positive = int(np.count_nonzero(scores))
    target = float(target_edges)
    if target < 0 or target > positive + 1e-9:
        raise ValueError(f"target_edges must lie in [0, {positive}] (edges with a positive score); got {target}")
    if target == 0:
        return np.zeros_like(scores), 0.0
    if target >= positive:
        rho = 1.0 / np.min(scores[scores > 0])
        return np.minimum(1.0, rho * scores), float(rho)

    def expected(rho):
        return float(np.minimum(1.0, rho * scores).sum())

    low, high = 0.0, target / float(scores.sum())  # expected(high) <= target: p <= rho*s summed
    while expected(high) < target:
        low, high = high, high * 2.0
    for _ in range(max_iterations):
        middle = 0.5 * (low + high)
        if expected(middle) < target:
            low = middle
        else:
            high = middle
        if high - low <= tolerance * high:
            break
    # close the remaining gap exactly: on the bracket, sum p is linear in rho over unsaturated edges
    rho = high
    saturated = rho * scores >= 1.0
    free = scores[~saturated].sum()
    if free > 0:
        rho_exact = (target - np.count_nonzero(saturated)) / free
        if np.all(rho_exact * scores[saturated] >= 1.0 - 1e-12) and np.all(rho_exact * scores[~saturated] <= 1.0 + 1e-12):
            rho = rho_exact
    return np.minimum(1.0, rho * scores), float(rho)


@dataclass
class NoisePruningResult:
    """Outcome of :func:`noise_prune`.

    Attributes
    ----------
    weights : scipy.sparse.csr_array
        Pruned ``[pre, post]`` weights; kept synapses carry ``w / p``.
    leak_per_s : ndarray
        Homeostatically corrected diagonal ``D~`` (1/s).
    probabilities : ndarray
        Keep probability of each original synapse (CSR order of the input).
    kept : ndarray of bool
        Which original synapses were kept.
    rho : float
        Scale of the keep probabilities.
    target_edges, expected_edges : float
        Requested and realised ``sum p``.
    system : LinearisedNetwork
        The linear model of the input network.
    covariance : ndarray
        Rate covariance used for the scores.
    seconds : dict
        Wall time of the parts (``linearise``, ``covariance``, ``sample``).
    """

    weights: sparse.csr_array
    leak_per_s: np.ndarray
    probabilities: np.ndarray
    kept: np.ndarray
    rho: float
    target_edges: float
    expected_edges: float
    system: LinearisedNetwork
    covariance: np.ndarray
    seconds: dict = field(default_factory=dict)

    def resample(self, seed=None) -> "NoisePruningResult":
        """Another independent draw with the same keep probabilities (no new covariance).

        >>> import numpy as np
        >>> first = noise_prune(np.ones((6, 6)), np.full(6, 20.0), keep_fraction=0.5, seed=0)
        >>> second = first.resample(seed=1)
        >>> bool(np.array_equal(first.probabilities, second.probabilities))
        True
        """
        pruned, kept, leak = _sample(self.system, self.probabilities, np.random.default_rng(seed))
        return replace(self, weights=pruned, kept=kept, leak_per_s=leak)

    def pruned_system(self) -> LinearisedNetwork:
        """The linear model of the pruned network (same ``L`` and gain, corrected diagonal)."""
        weights = self.weights
        original = self.system
        # L of a kept synapse is the original L of that synapse
        lyap_data = original.lyapunov.data[self.kept]
        lyap = sparse.csr_array((lyap_data, weights.indices, weights.indptr), shape=weights.shape)
        scaled = sparse.csr_array((lyap_data * weights.data, weights.indices, weights.indptr), shape=weights.shape)
        coupling = sparse.csr_array(scaled.T * original.gain)
        return LinearisedNetwork(weights, lyap, self.leak_per_s, original.gain, coupling)


def _sample(system, probabilities, rng):
    """Draw the kept synapses, rescale them by 1/p, apply the homeostatic diagonal."""
    matrix = system.weights
    n = matrix.shape[0]
    kept = rng.random(probabilities.size) < probabilities
    pre = np.repeat(np.arange(n), np.diff(matrix.indptr))
    new_data = matrix.data[kept] / probabilities[kept]
    pruned = sparse.csr_array((new_data, (pre[kept], matrix.indices[kept])), shape=matrix.shape)
    pruned.sort_indices()
    # homeostatic diagonal: D~_ii = D_ii - sum_j |K_ij| + sum_j |K~_ij| (inputs of neuron i = column i of W)
    magnitude = system.gain * system.lyapunov.data * np.abs(matrix.data)
    before = np.bincount(matrix.indices, weights=magnitude, minlength=n)
    after = np.bincount(matrix.indices[kept], weights=magnitude[kept] / probabilities[kept], minlength=n)
    return pruned, kept, system.leak_per_s - before + after


def noise_prune(weights, leak_per_s, *, per_neuron_exponents_per_s=None, target_edges=None,
                keep_fraction=None, delta_per_s=None, gain=None, dominance: float = 0.5,
                noise_std: float = 1.0, covariance_method: str = "auto", initial_covariance=None,
                covariance_rtol: float = 1e-4, seed=None) -> NoisePruningResult:
    """Noise-prune the synapses of a network (LNP step I).

    Parameters
    ----------
    weights : array_like or sparse, shape (N, N)
        ``[pre, post]`` weights (effective mV).
    leak_per_s : array_like, shape (N,)
        ``1000 / tau_m_ms`` (1/s).
    per_neuron_exponents_per_s : array_like, optional
        Per-neuron Lyapunov exponents; ``None``: ``L = 1`` (Moore & Chaudhuri).
    target_edges : float, optional
        Expected number of kept synapses. Give this or ``keep_fraction``.
    keep_fraction : float, optional
        ``target_edges = keep_fraction * nnz``.
    delta_per_s, gain, dominance :
        See :func:`linearise`.
    noise_std, covariance_method, initial_covariance, covariance_rtol :
        See :func:`rate_covariance`.
    seed : int or numpy.random.Generator, optional
        Randomness of the edge sampling.

    Returns
    -------
    NoisePruningResult

    Examples
    --------
    >>> import numpy as np
    >>> weights = np.ones((10, 10)) - np.eye(10)
    >>> result = noise_prune(weights, np.full(10, 30.0), keep_fraction=0.5, seed=0)
    >>> round(result.expected_edges, 6), result.weights.nnz > 0
    (45.0, True)
    """
    rng = np.random.default_rng(seed)
    clock = time.perf_counter()
    system = linearise(weights, leak_per_s, per_neuron_exponents_per_s, delta_per_s=delta_per_s,
                       gain=gain, dominance=dominance)
    seconds = {"linearise": time.perf_counter() - clock}
    matrix = system.weights
    if (target_edges is None) == (keep_fraction is None):
        raise ValueError("give exactly one of target_edges and keep_fraction")
    if target_edges is None:
        if not 0 <= keep_fraction <= 1:
            raise ValueError(f"keep_fraction must lie in [0, 1]; got {keep_fraction!r}")
        target_edges = keep_fraction * matrix.nnz
    clock = time.perf_counter()
    covariance = rate_covariance(system, noise_std=noise_std, method=covariance_method,
                                 initial=initial_covariance, rtol=covariance_rtol, seed=rng)
    seconds["covariance"] = time.perf_counter() - clock
    clock = time.perf_counter()
    scores = noise_scores(system, covariance)
    probabilities, rho = keep_probabilities(scores, min(float(target_edges), float(np.count_nonzero(scores))))
    pruned, kept, leak = _sample(system, probabilities, rng)
    seconds["sample"] = time.perf_counter() - clock
    return NoisePruningResult(
        weights=pruned, leak_per_s=leak, probabilities=probabilities, kept=kept, rho=rho,
        target_edges=float(target_edges), expected_edges=float(probabilities.sum()), system=system,
        covariance=covariance, seconds=seconds,
    )
