"""Baselines for LNP (:ref:`science-lnp-baselines`): activity-based pruning and random Erdos-Renyi networks.

* **Activity-based pruning (AP)**: simulate the network on a stimulus with
  STDP on (training / retraining), remove the least active neurons
  (fewest spikes; ties at random), repeat on the trained, pruned network.
  Runs through the simulator (:func:`hetnet.network.simulate`, injectable).
  Its ``sops_estimate`` is measured from the (plastic) training run's
  spikes: ``sum_i (spikes_i / duration) * out_degree_i``; with a ``measure``
  probe the frozen network is also measured on the probe stimulus at
  checkpoints (``measured``), like LNP's.
* **Random ER**: at every LNP iteration a directed Erdos-Renyi G(n, m) graph
  with LNP's numbers of neurons, excitatory neurons and synapses; weights
  and tau_m bootstrapped from the unpruned network's; measured by the same
  probe at LNP's checkpoints.

Examples
--------
>>> from hetnet.pruning import grid_network, lyapunov_noise_pruning, random_baseline
>>> start = grid_network(60, mean_degree=8, seed=0)
>>> lnp = lyapunov_noise_pruning(start, n_iterations=2, optimize_timescales=False)
>>> er = random_baseline(lnp, start, compute_lyapunov=False)
>>> er.series("n_synapses").tolist() == lnp.series("n_synapses").tolist()
True
"""
from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Callable, Optional

import numpy as np

from hetnet.pruning.driver import (
    IterationRecord,
    PrunedNetwork,
    PruningHistory,
    _lyapunov,
    sops_estimate,
)
from hetnet.pruning.networks import erdos_renyi_network
from hetnet.pruning.timescales import resolve_lyapunov

__all__ = ["random_baseline", "activity_pruning"]

logger = logging.getLogger(__name__)


def _pools(network: PrunedNetwork):
    weights = network.weights_mV
    rows = np.repeat(np.arange(network.n_neurons), np.diff(weights.indptr))
    from_e = network.is_excitatory[rows]
    weight_pool = {"excitatory": np.abs(weights.data[from_e]), "inhibitory": np.abs(weights.data[~from_e])}
    for key, default in (("excitatory", 1.0), ("inhibitory", 2.0)):
        if weight_pool[key].size == 0:
            weight_pool[key] = np.array([default])
    tau_pool = {"excitatory": network.tau_m_ms[network.is_excitatory], "inhibitory": network.tau_m_ms[~network.is_excitatory]}
    for key, default in (("excitatory", 20.0), ("inhibitory", 10.0)):
        if tau_pool[key].size == 0:
            tau_pool[key] = np.array([default])
    return weight_pool, tau_pool


def random_baseline(reference: PruningHistory, original, *, rates_hz: float = 10.0, compute_lyapunov: bool = True,
                    lyapunov_function: Optional[Callable] = None, lyapunov_options: Optional[dict] = None,
                    weight_normalisation_mV: float = 13.0, seed: int = 0, measure: Optional[Callable] = None,
                    callback: Optional[Callable] = None) -> PruningHistory:
    """Erdos-Renyi networks with the neuron and synapse counts of ``reference`` at each iteration.

    Parameters
    ----------
    reference : PruningHistory
        Usually the LNP run; its records give ``n_neurons``, ``n_excitatory``
        and ``n_synapses`` per iteration.
    original : PrunedNetwork or hetnet.network.NetworkInstance
        Unpruned network (weights and tau_m are bootstrapped from it).
    rates_hz : float
        Assumed rate of every neuron for the labelled SOPs *estimate*.
    compute_lyapunov : bool
        Record the largest Lyapunov exponent of each ER network.
    seed : int
    measure : callable, optional
        Spike probe (:class:`hetnet.pruning.activity.SpikeProbe`), called on
        the ER network of every iteration where the reference has a
        measurement (its checkpoints); the numbers go to ``measured``.

    Returns
    -------
    PruningHistory
        ``method == "random"``; ``network`` is the last ER network. Its
        ``neuron_indices`` are original excitatory neurons for the ER
        excitatory ones and original inhibitory neurons for the inhibitory
        ones (the first of each), so
        ``PrunedNetwork.to_network_instance`` keeps each neuron's type.
    """
    if not isinstance(original, PrunedNetwork):
        original = PrunedNetwork.from_network_instance(original)
    rng = np.random.default_rng(seed)
    weight_pool, tau_pool = _pools(original)
    e_ids = original.neuron_indices[original.is_excitatory]
    i_ids = original.neuron_indices[~original.is_excitatory]
    estimator = resolve_lyapunov(lyapunov_function) if compute_lyapunov else None
    records = []
    snapshots = {}
    network = original
    checkpoints = set(getattr(reference, "snapshots", {}) or {})
    for record in reference.records:
        start = time.perf_counter()
        network = erdos_renyi_network(record.n_neurons, record.n_synapses, n_excitatory=record.n_excitatory,
                                      weight_pool=weight_pool, tau_pool=tau_pool, seed=rng)
        network = replace(network, neuron_indices=np.concatenate([e_ids[:record.n_excitatory],
                                                                  i_ids[:record.n_neurons - record.n_excitatory]]))
        exponent = float("nan")
        if estimator is not None:
            exponent = float(_lyapunov(estimator, network, lyapunov_options, weight_normalisation_mV, seed).max_exponent_per_s)
        measured = None
        if record.iteration in checkpoints:
            snapshots[record.iteration] = network
        if measure is not None and record.measured:
            measured = {"start": dict(measure(network))}
        records.append(IterationRecord(record.iteration, network.n_neurons, network.n_synapses, network.n_excitatory,
                                       sops_estimate(network.weights_mV, rates_hz), exponent,
                                       time.perf_counter() - start, measured=measured))
        if callback is not None:
            callback(records[-1])
    settings = {"reference": reference.method, "rates_hz_of_estimate": rates_hz, "seed": seed,
                "measured": measure is not None}
    history = PruningHistory("random", records, network, settings)
    history.snapshots = snapshots
    return history


def activity_pruning(instance, stimulus, *, n_iterations: int = 100, prune_fraction: float = 0.01,
                     retrain: bool = True, simulate: Optional[Callable] = None, min_neurons: int = 10,
                     compute_lyapunov: bool = True, lyapunov_function: Optional[Callable] = None,
                     lyapunov_options: Optional[dict] = None, weight_normalisation_mV: float = 13.0,
                     seed: int = 0, measure: Optional[Callable] = None, measure_every: Optional[int] = None,
                     callback: Optional[Callable] = None) -> PruningHistory:
    """Activity-based pruning: simulate, drop the least active neurons, retrain, repeat.

    Parameters
    ----------
    instance : hetnet.network.NetworkInstance
        The unpruned network.
    stimulus : hetnet.encoding.RateStimulus or SpikeStimulus
        Input of every (re)training run.
    n_iterations : int
    prune_fraction : float
        Fraction of the current neurons removed per iteration (``ceil``).
    retrain : bool
        STDP on during each run (the paper retrains after each pruning step);
        the next iteration starts from the run's ``final_network``.
    simulate : callable, optional
        ``simulate(network, stimulus, plastic=...) -> SimulationResult``;
        default :func:`hetnet.network.simulate`.
    min_neurons : int
        Never go below this many neurons (nor remove every excitatory one).
    compute_lyapunov : bool
        Record the largest Lyapunov exponent (rate surrogate) each iteration.
    seed : int
        Tie-breaking among equally active neurons.
    measure : callable, optional
        ``measure(NetworkInstance) -> dict``, e.g.
        :meth:`hetnet.pruning.activity.SpikeProbe.measure_instance`: the
        trained network of iteration 0, every ``measure_every`` iterations
        and the last one is run frozen on the probe stimulus and its rates
        and SOPs (from the spikes) go to ``measured["after retraining"]``.
    measure_every : int, optional

    Returns
    -------
    PruningHistory
        ``method == "ap"``; ``instance`` is the final trained, pruned network.
    """
    if simulate is None:
        from hetnet.network import simulate as simulate_network

        simulate = simulate_network
    rng = np.random.default_rng(seed)
    estimator = resolve_lyapunov(lyapunov_function) if compute_lyapunov else None
    records = []
    snapshots = {}
    network = instance
    for iteration in range(int(n_iterations) + 1):
        start = time.perf_counter()
        result = simulate(network, stimulus, plastic=retrain)
        trained = result.final_network if (retrain and result.final_network is not None) else network
        counts = np.asarray(result.total_spike_counts(), dtype=float)
        duration_s = float(result.duration_ms) / 1000.0
        view = PrunedNetwork.from_network_instance(trained)
        exponent = float("nan")
        if estimator is not None:
            exponent = float(_lyapunov(estimator, view, lyapunov_options, weight_normalisation_mV, seed).max_exponent_per_s)
        measured = None
        if iteration in (0, int(n_iterations)) or (measure_every and iteration % int(measure_every) == 0):
            snapshots[iteration] = trained
            if measure is not None:
                measured = {"after retraining": dict(measure(trained))}
        records.append(IterationRecord(
            iteration, view.n_neurons, view.n_synapses, view.n_excitatory,
            sops_estimate(view.weights_mV, counts / duration_s), exponent, 0.0,
            {"simulate": time.perf_counter() - start},
            {"mean_rate_hz": float(counts.sum() / max(view.n_neurons, 1) / duration_s),
             "sops_estimate_is": "measured from the (re)training run's spikes, per second"}, measured))
        if iteration == int(n_iterations):
            network = trained
            records[-1].seconds = time.perf_counter() - start
            if callback is not None:
                callback(records[-1])
            break
        n = view.n_neurons
        count = min(int(np.ceil(prune_fraction * n - 1e-9)), max(0, n - int(min_neurons)))
        order = np.lexsort((rng.random(n), counts))
        remove = np.zeros(n, dtype=bool)
        candidates = [index for index in order if not (view.is_excitatory[index] and
                                                       view.n_excitatory - np.count_nonzero(remove & view.is_excitatory) <= 1)]
        remove[np.asarray(candidates[:count], dtype=np.int64)] = True
        network = trained.pruned(np.flatnonzero(~remove))
        records[-1].seconds = time.perf_counter() - start
        if callback is not None:
            callback(records[-1])
    settings = {"n_iterations": n_iterations, "prune_fraction": prune_fraction, "retrain": retrain, "seed": seed,
                "measured": measure is not None, "measure_every": measure_every}
    history = PruningHistory("ap", records, PrunedNetwork.from_network_instance(network), settings, instance=network)
    history.snapshots = snapshots
    return history
