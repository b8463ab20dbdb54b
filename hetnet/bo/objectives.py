"""Objectives for the optimiser: analytic ones on distributions, and network ones.

Every objective is a picklable callable ``objective(point, seed) -> dict``
with ``"objective"`` (a float to **maximise**), ``"metrics"`` (every metric
it measured) and optionally ``"provenance"``. The campaign runner hands it
to worker processes or Dask workers as is.

Network objectives (:class:`NetworkObjective`; :ref:`science-bo-objectives`), one
evaluation = one sampled network:

* the memory protocol of :func:`hetnet.tasks.memory.measure_memory`: i.i.d.
  drive ``u(t) ~ U[-1, 1]`` encoded by the configuration's input encoding,
  an STDP phase of ``train_steps`` steps on a separate drive, then a frozen
  run of ``n_steps`` steps whose spike trains (``state_kind``) are the states;
* ``memory_capacity``: :func:`hetnet.analysis.memory_capacity` (``k_max``,
  ``washout``, ``ridge``), reported beside its chance level measured on the
  same states (``memory_capacity_chance``, the analytic level
  ``memory_capacity_chance_analytic``) and ``memory_capacity_above_chance``;
* ``spikes_per_neuron``: S, mean spike count per recurrent neuron and input step of the frozen run;
* ``mean_rate_hz``, ``synchrony``, ``silent_fraction``: the firing regime of the frozen run;
* ``efficiency``: E = MC / S (0 when the network is silent; ``silent`` flags it);
* ``nrmse`` (objective ``"nrmse"`` only, a second frozen run): one-step
  prediction of Lorenz-63 x(t+1) from the state driven by x(t), ridge readout, normalised
  by the standard deviation of the target;
* ``max_lyapunov_per_s``: largest exponent of the rate surrogate
  (:func:`hetnet.analysis.network_lyapunov`, weights divided by
  ``v_th - v_rest``); the ``"lyapunov"`` objective is ``-|lambda_max|``
  (edge of chaos).

Objective names: ``efficiency`` (default), ``memory-capacity``,
``spike-count`` (maximises -S), ``nrmse`` (maximises -NRMSE), ``lyapunov``,
and ``gamma-moments`` (:class:`AnalyticObjective`, no simulator).

Examples
--------
>>> from hetnet.bo.objectives import AnalyticObjective, analytic_space
>>> from hetnet.distributions import Gamma
>>> space = analytic_space()
>>> objective = AnalyticObjective(space, {"excitatory.tau_m_ms": Gamma(6.25, 25.0)})
>>> objective([6.25, 25.0, 3.0, 10.0], seed=0)["metrics"]["regret"]
0.0
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from hetnet.bo.space import DistributionParameter, SearchSpace, network_search_space
from hetnet.bo.wasserstein import wasserstein_1d_grid
from hetnet.distributions import Gamma, distribution_from_dict

__all__ = [
    "OBJECTIVES",
    "NETWORK_OBJECTIVES",
    "AnalyticObjective",
    "NetworkObjective",
    "analytic_space",
    "analytic_targets",
    "make_objective",
]

logger = logging.getLogger(__name__)

NETWORK_OBJECTIVES = ("efficiency", "memory-capacity", "spike-count", "nrmse", "lyapunov")
OBJECTIVES = NETWORK_OBJECTIVES + ("gamma-moments",)


def analytic_space() -> SearchSpace:
    """Two Gamma distributions (E and I membrane time constants): the analytic test space.

    >>> analytic_space().names
    ['excitatory.tau_m_ms.shape', 'excitatory.tau_m_ms.mean', 'inhibitory.tau_m_ms.shape', 'inhibitory.tau_m_ms.mean']
    """
    return SearchSpace([
        DistributionParameter("excitatory.tau_m_ms", "gamma", {"shape": (1.0, 20.0), "mean": (5.0, 50.0)}),
        DistributionParameter("inhibitory.tau_m_ms", "gamma", {"shape": (1.0, 20.0), "mean": (2.0, 30.0)}),
    ])


def analytic_targets() -> dict:
    """Default targets of ``gamma-moments``: E tau_m mean 25 ms, std 10 ms; I mean 8 ms, std 4 ms."""
    return {"excitatory.tau_m_ms": Gamma(shape=6.25, mean=25.0), "inhibitory.tau_m_ms": Gamma(shape=4.0, mean=8.0)}


@dataclass
class AnalyticObjective:
    """An objective with a known optimum, defined on the candidate's distributions.

    For each target distribution ``T_g`` (keyed by the configuration field it
    matches in ``space``), with the candidate's distribution ``P_g``:

    * ``criterion="moments"``: ``-sum_g ((mean_g - mean*_g) / mean*_g)^2 +
      ((std_g - std*_g) / std*_g)^2``;
    * ``criterion="w2"``: ``-sum_g (W2(P_g, T_g) / std*_g)^2``.

    Both are 0 exactly at the targets and negative elsewhere. ``delay_s``
    sleeps per evaluation (to exercise parallel engines and kills).

    Examples
    --------
    >>> objective = AnalyticObjective(analytic_space(), analytic_targets(), criterion="w2")
    >>> abs(objective([6.25, 25.0, 4.0, 8.0], 0)["objective"]) < 1e-12
    True
    """

    space: SearchSpace
    targets: Mapping[str, Any]
    criterion: str = "moments"
    delay_s: float = 0.0

    def __post_init__(self):
        self.targets = {k: distribution_from_dict(v) for k, v in self.targets.items()}
        known = [p.target for p in self.space.parameters if isinstance(p, DistributionParameter)]
        missing = [k for k in self.targets if k not in known]
        if missing:
            raise ValueError(f"targets {missing} are not distributions of the space ({known})")
        if self.criterion not in ("moments", "w2"):
            raise ValueError(f"criterion must be 'moments' or 'w2'; got {self.criterion!r}")

    def __call__(self, point, seed: int = 0) -> dict:
        if self.delay_s:
            time.sleep(self.delay_s)
        distributions = dict(zip([p.target for p in self.space.parameters], self.space.distributions(point)))
        metrics, total = {}, 0.0
        for name, target in self.targets.items():
            candidate = distributions[name]
            w2 = wasserstein_1d_grid(candidate, target)
            metrics[f"{name}.mean"] = candidate.mean
            metrics[f"{name}.std"] = candidate.std
            metrics[f"{name}.w2_to_target"] = w2
            if self.criterion == "moments":
                total += ((candidate.mean - target.mean) / target.mean) ** 2 + ((candidate.std - target.std) / target.std) ** 2
            else:
                total += (w2 / target.std) ** 2
        metrics["regret"] = total
        return {"objective": 0.0 - total if total else 0.0, "metrics": metrics}

    def to_options(self) -> dict:
        return {"targets": {k: v.to_dict() for k, v in self.targets.items()}, "criterion": self.criterion,
                "delay_s": self.delay_s}


@dataclass
class NetworkObjective:
    """Simulate one sampled HRSNN per candidate and score it (see module docstring).

    Parameters
    ----------
    space : SearchSpace
    base_config : HRSNNConfig
        Everything not searched (size, variant, backend, ...). The
        evaluation seed replaces ``config.seed``.
    objective : str
        One of :data:`NETWORK_OBJECTIVES`.
    n_steps, train_steps : int
        Steps of the frozen (measured) run and of the STDP phase (0 skips it).
    k_max, washout, ridge, n_null : memory-capacity settings (the defaults hold the
        analytic chance level ``k_max / n_test`` near 0.07).
    state_kind, state_tau_ms :
        The states (``state_tau_ms`` ``None``: four input steps).
    codegen_target : {"numpy", "cython"}
        Runtime code generation (standalone backends come from the config).
    lyapunov_steps : int
        Measured steps of the rate surrogate (0 skips the Lyapunov metric
        unless the objective needs it).
    fixed_structure : bool
        Keep ``base_config.seed`` for every candidate (same grid positions,
        connectivity and random draws of the heterogeneous parameters, i.e.
        common random numbers), the evaluation seed only driving the input.
        With a standalone backend and no architecture scalar in the space,
        every evaluation then re-runs the same compiled binaries (``run_args``)
        instead of compiling.
    envelope : {"auto", "complete", "bounds", None}
        Standalone backends: ``"complete"`` runs every candidate inside the
        compiled program of the complete structure
        (:mod:`hetnet.network.envelope`), so a search over the architecture
        (C, lambda, p_in, connectivity seed) compiles once per size instead
        of once per candidate; identical results, each run delivering every
        pair's events. ``"bounds"`` (needs ``fixed_structure``): inside the
        network drawn with ``base_config.seed`` at the upper ends of the
        space's connectivity ranges (:meth:`bounds_envelope`), which holds
        every candidate and has far fewer synapses than the complete one.
        ``None``: each structure its own build. ``"auto"`` (default):
        :func:`hetnet.network.envelope.choose_envelope` — ``"bounds"`` where
        connectivity is searched with ``fixed_structure``, the complete
        envelope where the connectivity seed changes between candidates and
        the network is small enough for it to pay off, own builds otherwise.
    """

    space: SearchSpace
    base_config: Any = None
    objective: str = "efficiency"
    n_steps: int = 1000
    train_steps: int = 100
    k_max: int = 20
    washout: int = 20
    ridge: Any = "auto"
    state_tau_ms: Any = None
    codegen_target: str = "numpy"
    lyapunov_steps: int = 500
    fixed_structure: bool = False
    state_kind: str = "counts+filtered"
    n_null: int = 10
    envelope: Any = "auto"

    def __post_init__(self):
        if self.envelope not in ("auto", "complete", "bounds", None):
            raise ValueError(f"envelope must be 'auto', 'complete', 'bounds' or None; got {self.envelope!r}")
        if self.envelope == "bounds" and not self.fixed_structure:
            raise ValueError("envelope='bounds' needs fixed_structure=True (every candidate drawn with the base "
                             "configuration's seed); use 'complete' when the connectivity seed changes")
        if self.objective not in NETWORK_OBJECTIVES:
            raise ValueError(f"unknown network objective {self.objective!r}; allowed: {', '.join(NETWORK_OBJECTIVES)}")
        if self.base_config is None:
            from hetnet.config import HRSNNConfig

            self.base_config = HRSNNConfig()

    def __call__(self, point, seed: int = 0) -> dict:
        from hetnet.analysis import network_lyapunov
        from hetnet.provenance import provenance
        from hetnet.tasks.memory import measure_memory

        config = self.space.to_config(point, self.base_config)
        if not self.fixed_structure:
            config = config.replace(seed=int(seed))
        start = time.perf_counter()
        measured = measure_memory(config, n_steps=self.n_steps, train_steps=self.train_steps, k_max=self.k_max,
                                  washout=self.washout, state_kind=self.state_kind, tau_ms=self.state_tau_ms,
                                  n_null=self.n_null, seed=int(seed), codegen_target=self.codegen_target,
                                  ridge=self.ridge, envelope=self.envelope_for(config))
        network, frozen, capacity = measured.network, measured.frozen, measured.capacity
        spikes = measured.spikes_per_neuron
        metrics: dict = {
            "n_synapses": int(network.n_synapses),
            "memory_capacity": float(capacity.total),
            "memory_capacity_chance": capacity.null_mean,
            "memory_capacity_chance_analytic": capacity.chance_level,
            "memory_capacity_above_chance": capacity.above_chance,
            "memory_capacity_curve": np.asarray(capacity.curve, dtype=float).tolist(),
            "spikes_per_neuron": spikes,
            "mean_rate_hz": measured.regime.mean_rate_hz,
            "synchrony": measured.regime.synchrony,
            "silent_fraction": measured.regime.silent_fraction,
            "silent": spikes == 0.0,
            "efficiency": measured.efficiency,
        }
        if self.objective == "nrmse":
            metrics["nrmse"] = self._nrmse(network, seed)
        if self.lyapunov_steps > 0 or self.objective == "lyapunov":
            gap_mV = np.maximum(network.v_th_mV - network.v_rest_mV, 1e-3)
            weights = network.recurrent_weights_mV().multiply(1.0 / gap_mV[None, :])   # [pre, post]: scale by the post neuron.tocsr()
            spectrum = network_lyapunov(weights, network.tau_m_ms, n_exponents=min(5, network.n_neurons),
                                        n_steps=max(self.lyapunov_steps, 200), warmup_steps=200, seed=seed)
            metrics["max_lyapunov_per_s"] = float(spectrum.max_exponent_per_s)
        metrics["simulation_wall_s"] = time.perf_counter() - start      # the whole measurement, analysis included
        timings = measured.timings
        metrics.update(simulate_s=timings["simulate_wall_s"], compile_s=timings["compile_s"],
                       compile_wait_s=timings["wait_s"], project_s=timings["project_s"],
                       simulation_binary_s=timings["binary_s"],
                       simulation_loop_s=timings["loop_s"])
        metrics["structure_key"] = network.structure_key()
        build = frozen.provenance.get("build") or {}
        metrics["compiled"] = bool(build.get("compiled", False))
        value = {
            "efficiency": metrics["efficiency"],
            "memory-capacity": metrics["memory_capacity"],
            "spike-count": -spikes,
            "nrmse": -metrics.get("nrmse", np.inf),
            "lyapunov": -abs(metrics.get("max_lyapunov_per_s", np.inf)),
        }[self.objective]
        return {
            "objective": float(value),
            "metrics": metrics,
            "provenance": provenance(seed=int(seed), backend=frozen.provenance.get("backend", config.backend),
                                     config=config, objective=self.objective, codegen_target=self.codegen_target),
        }

    def _nrmse(self, network, seed: int) -> float:
        """One-step NRMSE of Lorenz-63 ``x(t+1)`` from the frozen state driven by ``x(t)`` (ridge readout)."""
        from hetnet.analysis import nrmse
        from hetnet.datasets.chaotic import lorenz63
        from hetnet.encoding import encode_series
        from hetnet.network import simulate
        from hetnet.readout import RidgeReadout
        from hetnet.tasks.memory import state_tau_ms

        series = lorenz63(self.n_steps + 1, seed=seed)
        stimulus = encode_series(series[:-1, :1], network.config.input)   # x(t) in, same channels as the MC drive
        result = simulate(network, stimulus, plastic=False, seed=seed + 3, codegen_target=self.codegen_target)
        states = result.state_matrix(kind=self.state_kind, tau_ms=state_tau_ms(network.config, self.state_tau_ms))
        target = series[1:, 0]
        usable = slice(self.washout, None)
        X, y = states[usable], target[usable]
        split = int(0.7 * len(y))
        prediction = RidgeReadout().fit(X[:split], y[:split]).predict(X[split:])[:, 0]
        return float(nrmse(y[split:], prediction))

    def to_options(self) -> dict:
        return {"n_steps": self.n_steps, "train_steps": self.train_steps, "k_max": self.k_max,
                "washout": self.washout, "ridge": self.ridge, "state_tau_ms": self.state_tau_ms,
                "codegen_target": self.codegen_target, "lyapunov_steps": self.lyapunov_steps,
                "fixed_structure": self.fixed_structure, "state_kind": self.state_kind, "n_null": self.n_null,
                **({"envelope": self.envelope} if self.envelope != "auto" else {})}

    def envelope_for(self, config):
        """The ``envelope`` of one candidate's simulations (``"complete"``, a network or ``None``; see ``envelope``)."""
        choice = self.envelope
        if choice == "auto":
            from hetnet.network.envelope import choose_envelope

            varies = not self.fixed_structure or any(p.target.startswith("connectivity.") for p in self.space.parameters)
            choice = choose_envelope(config.n_neurons, structure_varies=varies, w_min=config.weights.w_min,
                                     seed_fixed=self.fixed_structure)
        return self.bounds_envelope(config) if choice == "bounds" else choice

    def bounds_envelope(self, config=None):
        """The network drawn with the base seed at the upper ends of the space's connectivity ranges.

        Connection probabilities grow with ``C`` (``c_scale``), ``lambda`` and
        ``p_in``, and every candidate of a ``fixed_structure`` search draws its
        pairs from the same per-pair uniforms (``base_config.seed``), so this
        network holds every candidate's synapses
        (:func:`hetnet.network.envelope.embed_in_envelope` checks it at every
        run and names a missing synapse). Drawn once per process and kept.
        ``config`` (a candidate's) is only checked for its size.
        """
        from hetnet.encoding import encode_series
        from hetnet.network import generate_network, input_kind_of

        base = self.base_config
        point = self.space.default_point(base)
        for parameter, part in zip(self.space.parameters, self.space.slices):
            if parameter.target.startswith("connectivity."):
                for offset, dimension in enumerate(parameter.dimensions):
                    point[part.start + offset] = dimension.high
        upper = base.replace(connectivity=self.space.to_config(point, base).connectivity)
        if config is not None and config.n_neurons != upper.n_neurons:
            raise ValueError(f"the bounds envelope has {upper.n_neurons} neurons; the candidate {config.n_neurons}")
        key = repr(upper)
        cached = _BOUNDS_ENVELOPES.get(key)
        if cached is None:
            probe = encode_series(np.zeros((2, 1)), upper.input)
            cached = generate_network(upper, n_input=probe.n_channels, input_kind=input_kind_of(probe))
            logger.info("bounds envelope: %d recurrent and input synapses (connectivity at the search's upper "
                        "ends, seed %d)", cached.n_synapses, upper.seed)
            _BOUNDS_ENVELOPES.clear()     # one kept: a process runs one campaign at a time
            _BOUNDS_ENVELOPES[key] = cached
        return cached


#: the bounds envelope of this process's campaign (:meth:`NetworkObjective.bounds_envelope`)
_BOUNDS_ENVELOPES: dict = {}


def make_objective(name: str, space: SearchSpace | None = None, base_config=None, options: Mapping | None = None):
    """Build the objective ``name`` with ``options`` (the JSON form stored in ``run.json``).

    Returns ``(objective, space)``: ``gamma-moments`` defaults to
    :func:`analytic_space`, network objectives to
    :func:`~hetnet.bo.space.network_search_space`.

    Examples
    --------
    >>> objective, space = make_objective("gamma-moments")
    >>> len(space.dimensions)
    4
    """
    options = dict(options or {})
    if name == "gamma-moments":
        space = space or analytic_space()
        targets = options.pop("targets", None) or analytic_targets()
        return AnalyticObjective(space, targets, **options), space
    if name in NETWORK_OBJECTIVES:
        architecture = options.pop("search_architecture", True)
        space = space or network_search_space(base_config, include_architecture=architecture)
        return NetworkObjective(space, base_config, objective=name, **options), space
    raise ValueError(f"unknown objective {name!r}; allowed: {', '.join(OBJECTIVES)}")
