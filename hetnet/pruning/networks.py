"""Starting networks for pruning: from a configuration, a quick grid network, Erdos-Renyi.

:func:`network_from_config` draws the HRSNN through
:func:`hetnet.network.generate_network` (the simulator's own networks);
:func:`grid_network` is a light stand-in with the same ingredients (3-D grid,
Gaussian distance-dependent connectivity, 80 % excitatory, Gamma tau_m,
weights in mV) whose mean degree is set directly, for tests and benchmarks;
:func:`erdos_renyi_network` is the random baseline's graph.

Examples
--------
>>> from hetnet.pruning.networks import grid_network, erdos_renyi_network
>>> network = grid_network(200, mean_degree=20, seed=0)
>>> network.n_neurons, 3000 < network.n_synapses < 5000
(200, True)
>>> erdos_renyi_network(50, 300, seed=0).n_synapses
300
"""
from __future__ import annotations

import logging
import math

import numpy as np
import scipy.sparse as sparse
from scipy.spatial.distance import cdist

from hetnet.distributions import Gamma
from hetnet.pruning.driver import PrunedNetwork

__all__ = ["grid_network", "erdos_renyi_network", "network_from_config", "cubic_grid"]

logger = logging.getLogger(__name__)


def cubic_grid(n_neurons: int) -> np.ndarray:
    """First ``n_neurons`` points of the smallest cube grid holding them, shape (n, 3).

    >>> cubic_grid(9).max(axis=0).tolist()
    [2.0, 2.0, 0.0]
    """
    side = max(1, math.ceil(n_neurons ** (1 / 3) - 1e-9))
    points = np.stack(np.unravel_index(np.arange(side**3), (side, side, side)), axis=1)[:, ::-1]
    return points[:n_neurons].astype(float)


def _weights_and_tau(n_neurons, excitatory, pre, rng):
    magnitude = rng.uniform(0.2, 0.8, size=pre.size)
    values = np.where(excitatory[pre], 1.5 * magnitude, -4.0 * magnitude)
    n_e = int(excitatory.sum())
    tau = np.concatenate([Gamma(3.0, 20.0).sample(n_e, rng), Gamma(3.0, 10.0).sample(n_neurons - n_e, rng)])
    return values, tau


def grid_network(n_neurons: int, *, mean_degree: float = 100.0, length_scale: float = 2.0,
                 excitatory_fraction: float = 0.8, seed=0) -> PrunedNetwork:
    """A grid network with Gaussian distance-dependent connectivity of a given mean out-degree.

    ``P(i -> j) = c * exp(-(D_ij / length_scale)^2)`` with ``c`` chosen so
    that the expected out-degree is ``mean_degree`` (probabilities capped at 1);
    weights ``U(0.2, 0.8) * 1.5 mV`` (E) and ``-U(0.2, 0.8) * 4 mV`` (I),
    ``tau_m ~ Gamma(3, 20 ms)`` (E) and ``Gamma(3, 10 ms)`` (I), neurons
    ``0 .. n_E-1`` excitatory, placed at random on a cube grid.

    >>> grid_network(50, mean_degree=5, seed=1).n_excitatory
    40
    """
    rng = np.random.default_rng(seed)
    points = cubic_grid(n_neurons)
    positions = points[rng.permutation(n_neurons)]
    n_e = int(round(excitatory_fraction * n_neurons))
    excitatory = np.arange(n_neurons) < n_e
    kernel = np.exp(-cdist(positions, positions, "sqeuclidean") / length_scale**2)
    np.fill_diagonal(kernel, 0.0)
    scale = mean_degree * n_neurons / kernel.sum()
    for _ in range(20):  # account for the cap at 1
        expected = np.minimum(1.0, scale * kernel).sum() / n_neurons
        if expected <= 0 or abs(expected - mean_degree) < 1e-3 * mean_degree:
            break
        scale *= mean_degree / expected
    probability = np.minimum(1.0, scale * kernel)
    pre, post = np.nonzero(rng.random((n_neurons, n_neurons)) < probability)
    values, tau = _weights_and_tau(n_neurons, excitatory, pre, rng)
    weights = sparse.csr_array((values, (pre, post)), shape=(n_neurons, n_neurons))
    return PrunedNetwork(weights, np.arange(n_neurons), tau, positions, excitatory)


def erdos_renyi_network(n_neurons: int, n_synapses: int, *, n_excitatory=None, excitatory_fraction: float = 0.8,
                        weight_pool=None, tau_pool=None, positions=None, seed=0) -> PrunedNetwork:
    """Directed Erdos-Renyi G(n, m): exactly ``n_synapses`` distinct off-diagonal synapses.

    Parameters
    ----------
    n_neurons, n_synapses : int
    n_excitatory : int, optional
        Default ``round(excitatory_fraction * n_neurons)``.
    weight_pool : dict, optional
        ``{"excitatory": magnitudes_mV, "inhibitory": magnitudes_mV}`` to
        bootstrap weights from (default ``U(0.2, 0.8)`` x 1.5 / 4 mV).
    tau_pool : dict, optional
        ``{"excitatory": tau_ms, "inhibitory": tau_ms}`` to bootstrap from
        (default Gamma(3, 20 ms) / Gamma(3, 10 ms)).
    positions : array_like, shape (n_neurons, 3), optional
        Default: a cube grid (ER ignores space).
    seed : int or numpy.random.Generator

    >>> int(erdos_renyi_network(3, 6, seed=0).weights_mV.toarray().astype(bool).sum())
    6
    """
    rng = np.random.default_rng(seed)
    n = int(n_neurons)
    m = int(n_synapses)
    if m > n * (n - 1):
        raise ValueError(f"at most n(n-1) = {n * (n - 1)} synapses fit in {n} neurons; got {m}")
    n_e = int(round(excitatory_fraction * n)) if n_excitatory is None else int(n_excitatory)
    excitatory = np.arange(n) < n_e
    codes = rng.choice(n * (n - 1), size=m, replace=False)
    pre = codes // (n - 1)
    post = codes % (n - 1)
    post = post + (post >= pre)  # skip the diagonal
    values, tau = _weights_and_tau(n, excitatory, pre, rng)
    if weight_pool is not None:
        from_e = excitatory[pre]
        values = np.empty(m)
        values[from_e] = np.abs(rng.choice(np.asarray(weight_pool["excitatory"]), size=int(from_e.sum())))
        values[~from_e] = -np.abs(rng.choice(np.asarray(weight_pool["inhibitory"]), size=int((~from_e).sum())))
    if tau_pool is not None:
        tau = np.concatenate([rng.choice(np.asarray(tau_pool["excitatory"]), size=n_e),
                              rng.choice(np.asarray(tau_pool["inhibitory"]), size=n - n_e)])
    weights = sparse.csr_array((values, (pre, post)), shape=(n, n))
    where = cubic_grid(n) if positions is None else np.asarray(positions, dtype=float)
    return PrunedNetwork(weights, np.arange(n), tau, where, excitatory)


def network_from_config(config, n_input: int = 1):
    """``(NetworkInstance, PrunedNetwork)`` drawn from an :class:`hetnet.config.HRSNNConfig`.

    >>> from hetnet.config import HRSNNConfig
    >>> instance, network = network_from_config(HRSNNConfig(n_neurons=100, seed=0))
    >>> network.n_synapses == instance.n_synapses
    True
    """
    from hetnet.network import generate_network

    instance = generate_network(config, n_input=int(n_input))
    return instance, PrunedNetwork.from_network_instance(instance)
