"""Iterative Lyapunov noise pruning (LNP): steps I-III repeated, then IV.

The method is described in the "Lyapunov noise pruning" section of the
:doc:`/science` page (:ref:`science-lnp`). One iteration on the current
network ``(W [pre, post] in mV, tau_m_ms)``:

- *exponents*: per-neuron and largest Lyapunov exponents of the rate
  surrogate (:func:`hetnet.analysis.network_lyapunov` on ``W / 13 mV``,
  cheap settings: 10 exponents, 300 steps after 100 warm-up steps);
- *step I*: noise pruning of synapses to ``synapse_keep_fraction`` of the
  current count (:func:`hetnet.pruning.noise.noise_prune`), warm-starting
  the covariance from the previous iteration; the homeostatic diagonal
  becomes the new leak, ``tau_m_ms = 1000 / leak_per_s``;
- *step II*: removal of the ``node_prune_fraction`` neurons of lowest
  betweenness (:func:`hetnet.pruning.nodes.prune_nodes`);
- *step III*: ``new_edge_fraction`` x synapses new local edges maximising
  the degree variance (:func:`hetnet.pruning.delocalize.add_delocalizing_edges`),
  never re-adding a synapse of the original network.

After the last iteration (and every ``timescale_every`` iterations if set)
step IV re-draws tau_m by Bayesian optimisation
(:func:`hetnet.pruning.timescales.optimize_timescales`).

Recorded per iteration (:class:`IterationRecord`): neurons, synapses, SOPs
estimate, largest Lyapunov exponent, wall time. The SOPs estimate is
``sum_i rate_i * out_degree_i`` (synaptic operations per second of activity)
with ``rates_hz`` per neuron (default 10 Hz for every neuron, so it is
proportional to the synapse count unless measured rates are given; the
simulator's spike counts give the real number through
:func:`hetnet.analysis.synaptic_operations`).

The output :class:`PrunedNetwork` is what the simulator runs:
:meth:`PrunedNetwork.to_network_instance` turns it into a
:class:`hetnet.network.NetworkInstance` through ``NetworkInstance.pruned``.

Examples
--------
>>> import numpy as np
>>> from hetnet.pruning.driver import PrunedNetwork, lyapunov_noise_pruning
>>> from hetnet.pruning.networks import grid_network
>>> start = grid_network(64, mean_degree=10, seed=0)
>>> history = lyapunov_noise_pruning(start, n_iterations=2, optimize_timescales=False, seed=0)
>>> [record.iteration for record in history.records]
[0, 1, 2]
>>> history.network.n_neurons < 64
True
"""
from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import scipy.sparse as sparse

from hetnet.io import to_jsonable, write_json
from hetnet.pruning.delocalize import add_delocalizing_edges
from hetnet.graph import as_sparse_weights, edge_pattern, out_degrees, subnetwork_weights
from hetnet.pruning.noise import noise_prune
from hetnet.pruning.nodes import prune_nodes
from hetnet.pruning.timescales import optimize_timescales as run_timescale_optimisation
from hetnet.pruning.timescales import resolve_lyapunov

__all__ = [
    "PrunedNetwork",
    "IterationRecord",
    "PruningHistory",
    "sops_estimate",
    "lyapunov_noise_pruning",
    "DEFAULT_LYAPUNOV_OPTIONS",
]

logger = logging.getLogger(__name__)

#: cheap settings of the per-iteration Lyapunov estimate
DEFAULT_LYAPUNOV_OPTIONS = {"n_exponents": 10, "n_steps": 300, "warmup_steps": 100, "dt_ms": 1.0, "input_std": 0.1}


@dataclass
class PrunedNetwork:
    """A (pruned) recurrent network the simulator can run.

    Attributes
    ----------
    weights_mV : scipy.sparse.csr_array, shape (n, n)
        Signed effective weights ``[pre, post]`` (mV per spike).
    neuron_indices : ndarray of int, shape (n,)
        Index of each surviving neuron in the original network (ascending,
        so excitatory neurons stay first).
    tau_m_ms : ndarray, shape (n,)
    positions : ndarray, shape (n, 3)
    is_excitatory : ndarray of bool, shape (n,)
    """

    weights_mV: sparse.csr_array
    neuron_indices: np.ndarray
    tau_m_ms: np.ndarray
    positions: np.ndarray
    is_excitatory: np.ndarray

    def __post_init__(self):
        self.weights_mV = as_sparse_weights(self.weights_mV)
        self.neuron_indices = np.asarray(self.neuron_indices, dtype=np.int64)
        self.tau_m_ms = np.asarray(self.tau_m_ms, dtype=float)
        self.positions = np.asarray(self.positions, dtype=float)
        self.is_excitatory = np.asarray(self.is_excitatory, dtype=bool)
        n = self.weights_mV.shape[0]
        for name in ("neuron_indices", "tau_m_ms", "is_excitatory"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have shape ({n},); got {getattr(self, name).shape}")
        if self.positions.shape[0] != n:
            raise ValueError(f"positions must have {n} rows; got {self.positions.shape}")

    @property
    def n_neurons(self) -> int:
        return int(self.tau_m_ms.size)

    @property
    def n_synapses(self) -> int:
        return int(self.weights_mV.nnz)

    @property
    def n_excitatory(self) -> int:
        return int(np.count_nonzero(self.is_excitatory))

    @classmethod
    def from_network_instance(cls, instance) -> "PrunedNetwork":
        """Start from a :class:`hetnet.network.NetworkInstance` (its recurrent part)."""
        return cls(
            weights_mV=instance.recurrent_weights_mV(),
            neuron_indices=getattr(instance, "neuron_ids", None) if getattr(instance, "neuron_ids", None) is not None
            else np.arange(instance.n_neurons),
            tau_m_ms=instance.tau_m_ms, positions=instance.positions, is_excitatory=instance.is_excitatory,
        )

    def subnetwork(self, surviving, weights_mV=None, tau_m_ms=None) -> "PrunedNetwork":
        """Keep the neurons ``surviving`` (local indices), optionally with new weights / tau."""
        index = np.asarray(surviving, dtype=np.int64)
        weights = subnetwork_weights(self.weights_mV, index) if weights_mV is None else weights_mV
        tau = self.tau_m_ms[index] if tau_m_ms is None else tau_m_ms
        return PrunedNetwork(weights, self.neuron_indices[index], tau, self.positions[index], self.is_excitatory[index])

    def to_network_instance(self, original):
        """The :class:`hetnet.network.NetworkInstance` of this network.

        ``original`` is the unpruned instance ``neuron_indices`` refer to;
        neuron parameters other than ``tau_m_ms`` and the input synapses
        come from it, recurrent synapses and ``tau_m_ms`` from here.
        """
        pruned = original.pruned(self.neuron_indices, recurrent_weights_mV=sparse.coo_matrix(self.weights_mV))
        return pruned.with_neuron_parameters(tau_m_ms=self.tau_m_ms)

    def save(self, path) -> Path:
        """Write an ``.npz`` file (weights as COO triplets); see :meth:`load`."""
        path = Path(path)
        coo = self.weights_mV.tocoo()
        np.savez_compressed(
            path, pre=coo.row, post=coo.col, weights_mV=coo.data, n_neurons=self.n_neurons,
            neuron_indices=self.neuron_indices, tau_m_ms=self.tau_m_ms, positions=self.positions,
            is_excitatory=self.is_excitatory,
        )
        return path

    @classmethod
    def load(cls, path) -> "PrunedNetwork":
        """Read a file written by :meth:`save`."""
        with np.load(path) as data:
            n = int(data["n_neurons"])
            weights = sparse.csr_array((data["weights_mV"], (data["pre"], data["post"])), shape=(n, n))
            return cls(weights, data["neuron_indices"], data["tau_m_ms"], data["positions"], data["is_excitatory"])


@dataclass
class IterationRecord:
    """What one LNP (or baseline) iteration leaves behind. Iteration 0 is the start."""

    iteration: int
    n_neurons: int
    n_synapses: int
    n_excitatory: int
    sops_estimate: float
    max_lyapunov_per_s: float
    seconds: float
    step_seconds: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


@dataclass
class PruningHistory:
    """Records of every iteration and the final network.

    Attributes
    ----------
    method : str
        ``"lnp"``, ``"ap"`` or ``"random"``.
    records : list of IterationRecord
    network : PrunedNetwork
        The final network.
    settings : dict
    timescales : object
        :class:`hetnet.pruning.timescales.TimescaleResult` of step IV, if run.
    instance : object
        The final :class:`hetnet.network.NetworkInstance` when the method
        worked on one (activity-based pruning), else ``None``.
    """

    method: str
    records: list
    network: PrunedNetwork
    settings: dict = field(default_factory=dict)
    timescales: object = None
    instance: object = None

    def series(self, name: str) -> np.ndarray:
        """One recorded quantity over iterations, e.g. ``series("n_synapses")``."""
        return np.array([getattr(record, name) for record in self.records], dtype=float)

    def to_dict(self) -> dict:
        """JSON-ready summary (records, settings, step IV outcome; not the weights)."""
        out = {"method": self.method, "settings": to_jsonable(self.settings),
               "records": [to_jsonable(asdict(record)) for record in self.records],
               "final": {"n_neurons": self.network.n_neurons, "n_synapses": self.network.n_synapses,
                         "n_excitatory": self.network.n_excitatory,
                         "tau_m_ms": self.network.tau_m_ms.tolist()}}
        if self.timescales is not None:
            step = self.timescales
            out["timescales"] = to_jsonable({
                "parameters": step.parameters, "max_exponent_per_s": step.max_exponent_per_s,
                "initial_max_exponent_per_s": step.initial_max_exponent_per_s,
                "objective_values": step.objective_values, "optimizer": step.optimizer, "seconds": step.seconds,
            })
        return out

    def save_json(self, path) -> Path:
        """Write :meth:`to_dict` as JSON (:func:`hetnet.io.write_json`: NaN as ``null``, atomic)."""
        return write_json(path, self.to_dict())


def sops_estimate(weights, rates_hz) -> float:
    """Synaptic operations per second: ``sum_i rate_i * out_degree_i``.

    >>> sops_estimate(np.array([[0, 1, 1], [0, 0, 0], [1, 0, 0]]), [10.0, 5.0, 2.0])
    22.0
    """
    degree = out_degrees(weights)
    rates = np.broadcast_to(np.asarray(rates_hz, dtype=float), degree.shape)
    return float(np.dot(rates, degree))


def _lyapunov(estimator, network, options, normalisation_mV, seed):
    settings = dict(DEFAULT_LYAPUNOV_OPTIONS)
    settings.update(options or {})
    settings["n_exponents"] = int(min(settings["n_exponents"], network.n_neurons))
    settings.setdefault("seed", seed)
    return estimator(network.weights_mV / normalisation_mV, network.tau_m_ms, **settings)


def lyapunov_noise_pruning(network, *, n_iterations: int = 100, synapse_keep_fraction: float = 0.98,
                           node_prune_fraction: float = 0.01, new_edge_fraction: float = 0.005,
                           neighbourhood_radius: float = 3.0, betweenness_sources="auto",
                           dominance: float = 0.5, delta_per_s: Optional[float] = None,
                           covariance_method: str = "auto", homeostatic_timescales: bool = True,
                           rates_hz=10.0, lyapunov_function: Optional[Callable] = None,
                           lyapunov_options: Optional[dict] = None, weight_normalisation_mV: float = 13.0,
                           optimize_timescales: bool = True, timescale_every: Optional[int] = None,
                           timescale_options: Optional[dict] = None, minimize: Optional[Callable] = None,
                           ipr_every: Optional[int] = None, min_neurons: int = 10, seed: int = 0,
                           callback: Optional[Callable] = None) -> PruningHistory:
    """Run LNP for ``n_iterations`` iterations (steps I-III each, step IV at the end).

    Parameters
    ----------
    network : PrunedNetwork or hetnet.network.NetworkInstance
        The unpruned network (a ``NetworkInstance`` is converted with
        :meth:`PrunedNetwork.from_network_instance`).
    n_iterations : int
        Iterations (the paper: 100).
    synapse_keep_fraction : float
        Step I keeps this fraction of the current synapses in expectation.
    node_prune_fraction : float
        Step II removes this fraction of the current neurons.
    new_edge_fraction : float
        Step III adds ``round(new_edge_fraction * synapses)`` edges.
    neighbourhood_radius : float
        Step III neighbourhood (grid units).
    betweenness_sources : int, None or "auto"
        Step II sampled sources (see :func:`hetnet.pruning.nodes.prune_nodes`).
    dominance, delta_per_s, covariance_method :
        Step I (see :func:`hetnet.pruning.noise.noise_prune`).
    homeostatic_timescales : bool
        Carry step I's homeostatic diagonal into ``tau_m_ms``.
    rates_hz : float or array_like
        Firing rates for the SOPs estimate (per original neuron, or one value).
    lyapunov_function : callable, optional
        Default :func:`hetnet.analysis.network_lyapunov`.
    lyapunov_options : dict, optional
        Overrides of :data:`DEFAULT_LYAPUNOV_OPTIONS`.
    weight_normalisation_mV : float
        Weights are divided by this for the rate surrogate.
    optimize_timescales : bool
        Run step IV after the last iteration.
    timescale_every : int, optional
        Also run step IV every this many iterations.
    timescale_options : dict, optional
        Keyword arguments of :func:`hetnet.pruning.timescales.optimize_timescales`.
    minimize : callable, optional
        Optimiser for step IV (default ``hetnet.bo.minimize``).
    ipr_every : int, optional
        Report the Laplacian IPR before/after step III every this many iterations.
    min_neurons : int
        Step II never goes below this.
    seed : int
    callback : callable, optional
        Called with each :class:`IterationRecord` (progress reporting).

    Returns
    -------
    PruningHistory
    """
    if not isinstance(network, PrunedNetwork):
        network = PrunedNetwork.from_network_instance(network)
    estimator = resolve_lyapunov(lyapunov_function)
    rng = np.random.default_rng(seed)
    original = network
    original_pattern = edge_pattern(network.weights_mV)
    rate_vector = np.broadcast_to(np.asarray(rates_hz, dtype=float), (original.n_neurons,)).copy()
    settings = {
        "n_iterations": n_iterations, "synapse_keep_fraction": synapse_keep_fraction,
        "node_prune_fraction": node_prune_fraction, "new_edge_fraction": new_edge_fraction,
        "neighbourhood_radius": neighbourhood_radius, "betweenness_sources": betweenness_sources,
        "dominance": dominance, "delta_per_s": delta_per_s, "covariance_method": covariance_method,
        "homeostatic_timescales": homeostatic_timescales, "weight_normalisation_mV": weight_normalisation_mV,
        "lyapunov_options": {**DEFAULT_LYAPUNOV_OPTIONS, **(lyapunov_options or {})},
        "optimize_timescales": optimize_timescales, "timescale_every": timescale_every, "seed": seed,
        "rates_hz": "per-neuron" if np.ndim(rates_hz) else float(rates_hz),
    }
    records = []
    clock = time.perf_counter()
    exponents = _lyapunov(estimator, network, lyapunov_options, weight_normalisation_mV, seed)
    records.append(IterationRecord(0, network.n_neurons, network.n_synapses, network.n_excitatory,
                                   sops_estimate(network.weights_mV, rate_vector[network.neuron_indices]),
                                   float(exponents.max_exponent_per_s), time.perf_counter() - clock,
                                   {"lyapunov": time.perf_counter() - clock}))
    if callback is not None:
        callback(records[-1])
    covariance = None
    timescale_result = None
    for iteration in range(1, int(n_iterations) + 1):
        start = time.perf_counter()
        steps = {}
        extra = {}
        # step I: noise pruning of synapses
        if network.n_synapses > 0:
            step = noise_prune(network.weights_mV, 1000.0 / network.tau_m_ms,
                               per_neuron_exponents_per_s=np.nan_to_num(exponents.per_neuron_per_s),
                               keep_fraction=synapse_keep_fraction, delta_per_s=delta_per_s, dominance=dominance,
                               covariance_method=covariance_method, initial_covariance=covariance, seed=rng)
            tau = 1000.0 / step.leak_per_s if homeostatic_timescales else network.tau_m_ms
            network = replace(network, weights_mV=step.weights, tau_m_ms=tau)
            steps.update({f"noise_{k}": v for k, v in step.seconds.items()})
            extra["rho"] = step.rho
            previous_covariance = step.covariance
        else:
            previous_covariance = None
        # step II: node pruning
        moment = time.perf_counter()
        nodes = prune_nodes(network.weights_mV, fraction=node_prune_fraction, n_sources=betweenness_sources,
                            seed=rng, min_neurons=min_neurons)
        network = network.subnetwork(nodes.surviving, weights_mV=nodes.weights)
        covariance = None if previous_covariance is None else previous_covariance[np.ix_(nodes.surviving, nodes.surviving)]
        steps["nodes"] = time.perf_counter() - moment
        # step III: delocalising edges
        moment = time.perf_counter()
        n_new = int(round(new_edge_fraction * network.n_synapses))
        excluded = subnetwork_weights(original_pattern, network.neuron_indices)
        report_ipr = bool(ipr_every) and (iteration % int(ipr_every) == 0 or iteration == 1)
        added = add_delocalizing_edges(network.weights_mV, network.positions, n_new,
                                       is_excitatory=network.is_excitatory, radius=neighbourhood_radius,
                                       excluded=excluded, compute_ipr=report_ipr, seed=rng)
        network = replace(network, weights_mV=added.weights)
        steps["delocalize"] = time.perf_counter() - moment
        extra.update({"new_edges": int(added.new_pre.size),
                      "degree_variance_before": added.degree_variance_before,
                      "degree_variance_after": added.degree_variance_after})
        if report_ipr:
            extra.update({"ipr_before": added.ipr_before, "ipr_after": added.ipr_after})
        extra.update({"tau_m_mean_ms": float(network.tau_m_ms.mean()), "tau_m_std_ms": float(network.tau_m_ms.std())})
        steps["steps_1_to_3"] = time.perf_counter() - start
        # step IV (optional, periodic)
        if timescale_every and iteration % int(timescale_every) == 0 and iteration != n_iterations:
            moment = time.perf_counter()
            timescale_result = run_timescale_optimisation(
                network.weights_mV, network.tau_m_ms, network.is_excitatory, seed=seed, minimize=minimize,
                lyapunov_function=estimator, weight_normalisation_mV=weight_normalisation_mV,
                **(timescale_options or {}))
            network = replace(network, tau_m_ms=timescale_result.tau_m_ms)
            steps["timescales"] = time.perf_counter() - moment
        # exponents of the new network (step I of the next iteration, and the record)
        moment = time.perf_counter()
        exponents = _lyapunov(estimator, network, lyapunov_options, weight_normalisation_mV, seed)
        steps["lyapunov"] = time.perf_counter() - moment
        records.append(IterationRecord(
            iteration, network.n_neurons, network.n_synapses, network.n_excitatory,
            sops_estimate(network.weights_mV, rate_vector[network.neuron_indices]),
            float(exponents.max_exponent_per_s), time.perf_counter() - start, steps, extra))
        logger.debug("LNP iteration %d/%d: %d neurons, %d synapses, lambda_max %.3g 1/s, %.2f s", iteration,
                     n_iterations, network.n_neurons, network.n_synapses, records[-1].max_lyapunov_per_s,
                     records[-1].seconds)
        if callback is not None:
            callback(records[-1])
    if optimize_timescales:
        moment = time.perf_counter()
        timescale_result = run_timescale_optimisation(
            network.weights_mV, network.tau_m_ms, network.is_excitatory, seed=seed, minimize=minimize,
            lyapunov_function=estimator, weight_normalisation_mV=weight_normalisation_mV,
            **(timescale_options or {}))
        network = replace(network, tau_m_ms=timescale_result.tau_m_ms)
        records[-1].step_seconds["timescales"] = time.perf_counter() - moment
        records[-1].extra["max_lyapunov_after_timescales_per_s"] = timescale_result.max_exponent_per_s
    return PruningHistory("lnp", records, network, settings, timescale_result)
