"""Iterative Lyapunov noise pruning (LNP): steps I-III repeated, then IV.

The method is described in the "Lyapunov noise pruning" section of the
:doc:`/science` page (:ref:`science-lnp`). One iteration on the current
network ``(W [pre, post] in mV, tau_m_ms)``:

- *exponents*: per-neuron and largest Lyapunov exponents of the rate
  surrogate (:func:`hetnet.analysis.network_lyapunov` on ``W / 13 mV``,
  cheap settings: 10 exponents, 300 steps after 100 warm-up steps);
- *step I*: noise pruning of synapses to ``synapse_keep_fraction`` of the
  current count (:func:`hetnet.pruning.noise.noise_prune`), warm-starting
  the covariance from the previous iteration;
- *step II*: removal of the ``node_prune_fraction`` neurons of lowest
  betweenness (:func:`hetnet.pruning.nodes.prune_nodes`);
- *step III*: ``new_edge_fraction`` x synapses new local edges maximising
  the degree variance (:func:`hetnet.pruning.delocalize.add_delocalizing_edges`),
  never re-adding a synapse of the original network.
- *rate homeostasis* (``rate_homeostasis="input-totals"``, the default):
  after each of steps I-III every neuron's incoming excitatory and
  inhibitory weights are rescaled so that its total excitatory and total
  inhibitory input equal the unpruned network's
  (:func:`hetnet.pruning.activity.restore_input_totals`, gain capped at
  ``max_input_gain``). This is the spiking counterpart of step I's
  homeostatic diagonal (which keeps each neuron's total input in the rate
  model); with it ``tau_m`` is left to step IV. ``rate_homeostasis="none"``
  gives the earlier behaviour (kept weights ``w / p``, the diagonal carried
  into ``tau_m_ms = 1000 / leak_per_s``).

After the last iteration (and every ``timescale_every`` iterations if set)
step IV re-draws tau_m by Bayesian optimisation
(:func:`hetnet.pruning.timescales.optimize_timescales`). Which steps run is
``LNPOptions.steps`` (the ablations of Fig. 12).

Settings: one validated :class:`hetnet.pruning.options.LNPOptions` (the
same names are accepted as keyword arguments).

Recorded per iteration (:class:`IterationRecord`): neurons, synapses,
largest Lyapunov exponent, wall time, and

- ``measured`` (checkpoints only, when a ``measure`` probe is given, e.g.
  :class:`hetnet.pruning.activity.SpikeProbe`): firing rate and the
  recurrent, input and readout SOPs *counted from the simulated spikes* of
  the pruned network, at iteration 0, every ``measure_every`` iterations,
  the last one and after step IV, after steps I, II and III separately
  (``measure_steps``), so the rate before and after each step is on record;
- ``sops_estimate``: a labelled *estimate*, ``sum_i rate_i * out_degree_i``
  at an assumed ``rates_hz`` (10 Hz per neuron by default), i.e. a
  synapse-count proxy, never to be reported as measured SOPs.

The output :class:`PrunedNetwork` is what the simulator runs:
``PrunedNetwork.to_network_instance`` turns it into a
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
from hetnet.pruning.activity import input_totals, restore_input_totals
from hetnet.pruning.noise import noise_prune
from hetnet.pruning.options import LNPOptions
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
    "LNPOptions",
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
    """What one LNP (or baseline) iteration leaves behind. Iteration 0 is the start.

    Attributes
    ----------
    iteration, n_neurons, n_synapses, n_excitatory : int
    sops_estimate : float
        *Estimate*, not a measurement: ``sum_i rate_i * out_degree_i`` at an
        assumed rate (default 10 Hz for every neuron), so proportional to the
        synapse count. Measured SOPs are in ``measured``.
    max_lyapunov_per_s : float
    seconds : float
        Wall time of the iteration (spike measurements excluded).
    step_seconds, extra : dict
    measured : dict or None
        At checkpoints: ``{"start" | "after I" | "after II" | "after III" |
        "after IV": numbers}`` from the spike probe (measured rates and SOPs
        of the simulated pruned network, see
        :func:`hetnet.pruning.activity.measured_sops`).
    """

    iteration: int
    n_neurons: int
    n_synapses: int
    n_excitatory: int
    sops_estimate: float
    max_lyapunov_per_s: float
    seconds: float
    step_seconds: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    measured: Optional[dict] = None

    def measured_value(self, name: str = "recurrent_sops"):
        """``name`` from the last measurement of this iteration (``None`` if none was taken).

        >>> IterationRecord(1, 5, 9, 4, 90.0, 0.0, 0.1, measured={"after I": {"mean_rate_hz": 3.0},
        ...                 "after III": {"mean_rate_hz": 2.5}}).measured_value("mean_rate_hz")
        2.5
        """
        if not self.measured:
            return None
        last = list(self.measured.values())[-1]
        return None if last is None else last.get(name)


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
    before_timescales : PrunedNetwork or None
        LNP: the network after the last iteration of steps I-III, before
        step IV (the "I+II+III" ablation of Fig. 12).
    snapshots : dict
        ``{iteration: network}`` at the checkpoints (iteration 0, every
        ``measure_every`` iterations, the last one; AP: NetworkInstance
        objects), for evaluating the networks along the way. Not in
        :meth:`to_dict`.
    """

    method: str
    records: list
    network: PrunedNetwork
    settings: dict = field(default_factory=dict)
    timescales: object = None
    instance: object = None
    before_timescales: object = None
    snapshots: dict = field(default_factory=dict, repr=False)

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


def _measure(measure, network, label, clock=None):
    """Run the spike probe, log and return its numbers (``None`` without a probe)."""
    if measure is None:
        return None
    result = dict(measure(network))
    result["after"] = label
    logger.info("measured (%s): %d neurons, %d synapses, mean rate %.3g Hz, recurrent SOPs %.4g", label,
                network.n_neurons, network.n_synapses, result.get("mean_rate_hz", float("nan")),
                result.get("recurrent_sops", float("nan")))
    return result


def _homeostasis(network, targets, options):
    """Restore each neuron's E and I input totals to the unpruned network's (``rate_homeostasis="input-totals"``)."""
    if options.rate_homeostasis != "input-totals" or network.n_synapses == 0:
        return network, None
    target_e, target_i = targets
    index = network.neuron_indices
    weights, gain_e, gain_i = restore_input_totals(network.weights_mV, network.is_excitatory, target_e[index],
                                                   target_i[index], max_gain=options.max_input_gain)
    return replace(network, weights_mV=weights), float(np.median(np.concatenate([gain_e, gain_i])))


def _step_iv(network, options, estimator, minimize, normalisation_mV):
    """Step IV: re-draw ``tau_m`` by Bayesian optimisation; the new network, the result and the seconds taken."""
    moment = time.perf_counter()
    result = run_timescale_optimisation(
        network.weights_mV, network.tau_m_ms, network.is_excitatory, seed=options.seed, minimize=minimize,
        lyapunov_function=estimator, weight_normalisation_mV=normalisation_mV, **(options.timescale_options or {}))
    return replace(network, tau_m_ms=result.tau_m_ms), result, time.perf_counter() - moment


def lyapunov_noise_pruning(network, options: Optional[LNPOptions] = None, *, measure: Optional[Callable] = None,
                           rates_hz=10.0, lyapunov_function: Optional[Callable] = None,
                           minimize: Optional[Callable] = None, callback: Optional[Callable] = None,
                           **settings) -> PruningHistory:
    """Run LNP (steps I-III each iteration, step IV at the end) with spike measurements at checkpoints.

    Parameters
    ----------
    network : PrunedNetwork or hetnet.network.NetworkInstance
        The unpruned network (a ``NetworkInstance`` is converted with
        :meth:`PrunedNetwork.from_network_instance`).
    options : LNPOptions, optional
        Every setting (:class:`hetnet.pruning.options.LNPOptions`); default
        ``LNPOptions()``.
    measure : callable, optional
        ``measure(PrunedNetwork) -> dict`` with at least ``mean_rate_hz`` and
        ``recurrent_sops``, usually a :class:`hetnet.pruning.activity.SpikeProbe`
        (simulated spikes of the pruned network). Called at iteration 0,
        every ``options.measure_every`` iterations, at the last iteration
        and after step IV; at those iterations also after steps I and II
        when ``options.measure_steps``. The numbers go to
        ``IterationRecord.measured`` (``{"after I": ..., "after II": ...,
        "after III": ..., "after IV": ...}``). Without it no SOPs are measured
        and only the labelled ``sops_estimate`` is recorded.
    rates_hz : float or array_like
        Assumed firing rate of the *estimate* ``sops_estimate`` (per original
        neuron, or one value; default 10 Hz): a synapse-count proxy, not a
        measurement.
    lyapunov_function : callable, optional
        Default :func:`hetnet.analysis.network_lyapunov`.
    minimize : callable, optional
        Optimiser for step IV (default ``hetnet.bo.minimize``).
    callback : callable, optional
        Called with each :class:`IterationRecord` (progress reporting).
    **settings
        Any field of :class:`LNPOptions` (``n_iterations``,
        ``synapse_keep_fraction``, ...), overriding ``options``; the earlier
        keyword ``optimize_timescales=False`` removes step IV.

    Returns
    -------
    PruningHistory
        ``settings`` holds ``options.to_dict()``.

    Raises
    ------
    hetnet.errors.FieldError
        A setting out of range (checked before anything runs).
    TypeError
        An unknown setting.
    """
    options = LNPOptions.from_keywords(options, **settings)
    if not isinstance(network, PrunedNetwork):
        network = PrunedNetwork.from_network_instance(network)
    estimator = resolve_lyapunov(lyapunov_function)
    seed = options.seed
    n_iterations = options.n_iterations
    lyapunov_options = options.lyapunov_options
    normalisation = options.weight_normalisation_mV
    rng = np.random.default_rng(seed)
    original = network
    original_pattern = edge_pattern(network.weights_mV)
    rate_vector = np.broadcast_to(np.asarray(rates_hz, dtype=float), (original.n_neurons,)).copy()
    # input totals of the unpruned network, indexed by original neuron index
    totals = input_totals(original.weights_mV, original.is_excitatory)
    targets = tuple(np.zeros(int(original.neuron_indices.max()) + 1) for _ in range(2))
    for target, total in zip(targets, totals):
        target[original.neuron_indices] = total
    record_settings = options.to_dict()
    record_settings["rates_hz_of_estimate"] = "per-neuron" if np.ndim(rates_hz) else float(rates_hz)
    record_settings["measured"] = measure is not None
    records = []
    clock = time.perf_counter()
    exponents = _lyapunov(estimator, network, lyapunov_options, normalisation, seed)
    first = IterationRecord(0, network.n_neurons, network.n_synapses, network.n_excitatory,
                            sops_estimate(network.weights_mV, rate_vector[network.neuron_indices]),
                            float(exponents.max_exponent_per_s), time.perf_counter() - clock,
                            {"lyapunov": time.perf_counter() - clock})
    moment = time.perf_counter()
    measured = _measure(measure, network, "start")
    if measured is not None:
        first.measured = {"start": measured}
        first.step_seconds["measure"] = time.perf_counter() - moment
    records.append(first)
    snapshots = {0: network}
    if callback is not None:
        callback(records[-1])
    covariance = None
    timescale_result = None
    run_nodes = "II" in options.steps
    run_edges = "III" in options.steps
    for iteration in range(1, int(n_iterations) + 1):
        start = time.perf_counter()
        steps = {}
        extra = {}
        checkpoint = measure is not None and (iteration == n_iterations or (
            options.measure_every is not None and iteration % options.measure_every == 0))
        measurements = {}
        measure_seconds = 0.0
        # step I: noise pruning of synapses (+ rate homeostasis)
        if network.n_synapses > 0:
            step = noise_prune(network.weights_mV, 1000.0 / network.tau_m_ms,
                               per_neuron_exponents_per_s=np.nan_to_num(exponents.per_neuron_per_s),
                               keep_fraction=options.synapse_keep_fraction, delta_per_s=options.delta_per_s,
                               dominance=options.dominance, covariance_method=options.covariance_method,
                               initial_covariance=covariance, seed=rng)
            carry_diagonal = options.rate_homeostasis == "none" and options.homeostatic_timescales
            tau = 1000.0 / step.leak_per_s if carry_diagonal else network.tau_m_ms
            network = replace(network, weights_mV=step.weights, tau_m_ms=tau)
            network, gain = _homeostasis(network, targets, options)
            if gain is not None:
                extra["median_gain_after_I"] = gain
            steps.update({f"noise_{k}": v for k, v in step.seconds.items()})
            extra["rho"] = step.rho
            previous_covariance = step.covariance
        else:
            previous_covariance = None
        if checkpoint and options.measure_steps:
            moment = time.perf_counter()
            measurements["after I"] = _measure(measure, network, f"iteration {iteration}, step I")
            measure_seconds += time.perf_counter() - moment
        # step II: node pruning
        if run_nodes:
            moment = time.perf_counter()
            nodes = prune_nodes(network.weights_mV, fraction=options.node_prune_fraction,
                                n_sources=options.betweenness_sources, seed=rng, min_neurons=options.min_neurons)
            network = network.subnetwork(nodes.surviving, weights_mV=nodes.weights)
            network, gain = _homeostasis(network, targets, options)
            if gain is not None:
                extra["median_gain_after_II"] = gain
            covariance = None if previous_covariance is None else previous_covariance[np.ix_(nodes.surviving, nodes.surviving)]
            steps["nodes"] = time.perf_counter() - moment
            if checkpoint and options.measure_steps:
                moment = time.perf_counter()
                measurements["after II"] = _measure(measure, network, f"iteration {iteration}, step II")
                measure_seconds += time.perf_counter() - moment
        else:
            covariance = previous_covariance
        # step III: delocalising edges
        if run_edges:
            moment = time.perf_counter()
            n_new = int(round(options.new_edge_fraction * network.n_synapses))
            excluded = subnetwork_weights(original_pattern, network.neuron_indices)
            report_ipr = bool(options.ipr_every) and (iteration % int(options.ipr_every) == 0 or iteration == 1)
            added = add_delocalizing_edges(network.weights_mV, network.positions, n_new,
                                           is_excitatory=network.is_excitatory, radius=options.neighbourhood_radius,
                                           excluded=excluded, compute_ipr=report_ipr, seed=rng)
            network = replace(network, weights_mV=added.weights)
            network, gain = _homeostasis(network, targets, options)
            steps["delocalize"] = time.perf_counter() - moment
            extra.update({"new_edges": int(added.new_pre.size),
                          "degree_variance_before": added.degree_variance_before,
                          "degree_variance_after": added.degree_variance_after})
            if report_ipr:
                extra.update({"ipr_before": added.ipr_before, "ipr_after": added.ipr_after})
        extra.update({"tau_m_mean_ms": float(network.tau_m_ms.mean()), "tau_m_std_ms": float(network.tau_m_ms.std())})
        steps["steps_1_to_3"] = time.perf_counter() - start
        # step IV (optional, periodic)
        if (options.timescale_every and "IV" in options.steps and iteration % int(options.timescale_every) == 0
                and iteration != n_iterations):
            network, timescale_result, steps["timescales"] = _step_iv(network, options, estimator, minimize,
                                                                       normalisation)
        if iteration == n_iterations or (options.measure_every is not None and iteration % options.measure_every == 0):
            snapshots[iteration] = network
        if checkpoint:
            moment = time.perf_counter()
            measurements["after III" if run_edges else ("after II" if run_nodes else "after I")] = _measure(
                measure, network, f"iteration {iteration}, end")
            measure_seconds += time.perf_counter() - moment
        # exponents of the new network (step I of the next iteration, and the record)
        moment = time.perf_counter()
        exponents = _lyapunov(estimator, network, lyapunov_options, normalisation, seed)
        steps["lyapunov"] = time.perf_counter() - moment
        if measurements:
            steps["measure"] = measure_seconds
        records.append(IterationRecord(
            iteration, network.n_neurons, network.n_synapses, network.n_excitatory,
            sops_estimate(network.weights_mV, rate_vector[network.neuron_indices]),
            float(exponents.max_exponent_per_s), time.perf_counter() - start - measure_seconds, steps, extra,
            measurements or None))
        logger.debug("LNP iteration %d/%d: %d neurons, %d synapses, lambda_max %.3g 1/s, %.2f s", iteration,
                     n_iterations, network.n_neurons, network.n_synapses, records[-1].max_lyapunov_per_s,
                     records[-1].seconds)
        if callback is not None:
            callback(records[-1])
    before_timescales = network
    if options.optimize_timescales:
        network, timescale_result, seconds = _step_iv(network, options, estimator, minimize, normalisation)
        records[-1].step_seconds["timescales"] = seconds
        records[-1].extra["max_lyapunov_after_timescales_per_s"] = timescale_result.max_exponent_per_s
        if measure is not None:
            moment = time.perf_counter()
            records[-1].measured = dict(records[-1].measured or {})
            records[-1].measured["after IV"] = _measure(measure, network, "step IV")
            records[-1].step_seconds["measure"] = records[-1].step_seconds.get("measure", 0.0) + time.perf_counter() - moment
    history = PruningHistory("lnp", records, network, record_settings, timescale_result)
    history.before_timescales = before_timescales
    history.snapshots = snapshots
    return history
