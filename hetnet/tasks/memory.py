"""The memory-capacity protocol on a simulated HRSNN, and its no-recurrence control.

:func:`measure_memory` runs the protocol the optimiser, the experiments and
the benchmarks share:

1. an i.i.d. drive ``u(t) ~ U[-1, 1]`` (one value per input step) is
   encoded with the configuration's input encoding;
2. optionally, STDP learns on a separate drive of ``train_steps`` steps;
3. the frozen network is driven by ``u`` for ``n_steps`` steps and its
   spike trains, read once per step (``state_kind``), are the states;
4. :func:`hetnet.analysis.memory_capacity` (ridge chosen per delay on the
   training steps, held-out test steps, analytic and empirical chance
   levels), the firing regime (:func:`hetnet.analysis.firing_regime`), the
   spike count ``S`` and the efficiency ``E = MC / S``. For streamed input
   ``S`` is the mean spike count per neuron **per input step** (so ``E``
   does not depend on the length of the run): memory per spike.

:func:`without_recurrence` gives the control the claim "recurrence adds
memory" needs: the same neurons, inputs and readout with every recurrent
weight set to zero and the background drive shifted (one offset for all
neurons, found by bisection) so that the mean rate matches the recurrent
network's; a network that only filters its input scores the same there.

Examples
--------
>>> from hetnet.config import HRSNNConfig
>>> measurement = measure_memory(HRSNNConfig(n_neurons=60, seed=1), n_steps=300, train_steps=0,
...                              k_max=5, washout=20)        # doctest: +SKIP
>>> measurement.capacity.total > measurement.capacity.null_mean   # doctest: +SKIP
True
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field

import numpy as np

__all__ = ["MemoryMeasurement", "measure_memory", "memory_drive", "without_recurrence",
           "DEFAULT_STATE_KIND", "STATE_TAU_STEPS", "state_tau_ms"]

logger = logging.getLogger(__name__)

#: the state read out by default: spike counts of the last step beside exponentially filtered spike trains
DEFAULT_STATE_KIND = "counts+filtered"
#: default filter time constant of the states, in input steps
STATE_TAU_STEPS = 4.0


def state_tau_ms(config, tau_ms: float | None = None) -> float:
    """The states' filter time constant: ``tau_ms``, or :data:`STATE_TAU_STEPS` input steps."""
    return float(tau_ms) if tau_ms is not None else STATE_TAU_STEPS * config.input.step_ms


@dataclass
class MemoryMeasurement:
    """Outcome of :func:`measure_memory`.

    Attributes
    ----------
    capacity : MemoryCapacityResult
        Total, curve, chance levels and settings.
    regime : FiringRegime
        Rate, synchrony, ISI CV, Fano factor and silent fraction of the frozen run.
    spikes_per_neuron : float
        ``S``: mean spike count per recurrent neuron and input step of the frozen run.
    efficiency : float
        ``E = MC / S`` (0 for a silent network).
    network : NetworkInstance
        The network that was measured (after STDP when ``train_steps > 0``).
    frozen : SimulationResult
        The measured run.
    settings : dict
        Protocol settings (steps, k_max, washout, state kind and filter, seed).
    timings : dict
        Seconds spent in the protocol's simulations, summed over them
        (:func:`hetnet.network.timing.simulation_timings`): ``simulations``, ``simulate_wall_s``,
        ``compile_s``, ``wait_s``, ``project_s``, ``binary_s``, ``loop_s``.
    """

    capacity: object
    regime: object
    spikes_per_neuron: float
    efficiency: float
    network: object = field(repr=False)
    frozen: object = field(repr=False)
    settings: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """JSON-ready numbers (the capacity's summary, the regime, S, E and the settings)."""
        return {"memory_capacity": self.capacity.summary(), "regime": self.regime.to_dict(),
                "spikes_per_neuron": self.spikes_per_neuron, "efficiency": self.efficiency, **self.settings}


def memory_drive(n_steps: int, seed: int) -> np.ndarray:
    """The i.i.d. drive ``u ~ U[-1, 1]`` of the protocol, shape ``(n_steps,)``."""
    return np.random.default_rng([int(seed), 11]).uniform(-1.0, 1.0, int(n_steps))


def measure_memory(config, *, network=None, n_steps: int = 3000, train_steps: int = 500, k_max: int = 50,
                   washout: int = 100, state_kind: str = DEFAULT_STATE_KIND, tau_ms: float | None = None,
                   n_null: int = 20, seed: int | None = None, backend: str | None = None,
                   codegen_target: str = "numpy", ridge="auto", envelope=None) -> MemoryMeasurement:
    """Memory capacity, spikes and firing regime of a network (see the module docstring).

    Parameters
    ----------
    config : HRSNNConfig
        The network's configuration (ignored for the structure when ``network`` is given).
    network : NetworkInstance, optional
        Measure this network (e.g. a pruned one) instead of generating one
        from ``config``; its input must take one channel of the encoding.
    n_steps, train_steps : int
        Steps of the measured (frozen) run and of the STDP phase (0 skips STDP).
    k_max, washout, ridge, n_null :
        Passed to :func:`hetnet.analysis.memory_capacity` (test fraction 0.3).
    state_kind, tau_ms :
        States (:meth:`hetnet.result.SimulationResult.state_matrix`); ``tau_ms``
        defaults to :data:`STATE_TAU_STEPS` input steps.
    seed : int, optional
        Seed of the drives and of the simulations' random streams; defaults to ``config.seed``.
    backend, codegen_target :
        Simulation backend (default: the configuration's) and runtime target.
    envelope : NetworkInstance or "complete", optional
        Standalone backends: run inside an envelope's build
        (:func:`hetnet.network.simulate`), so networks of other connectivity
        reuse one compiled program; same results.

    Returns
    -------
    MemoryMeasurement
    """
    from hetnet.analysis import firing_regime, memory_capacity
    from hetnet.encoding import encode_series
    from hetnet.network import generate_network, input_kind_of, simulate
    from hetnet.network.timing import simulation_timings

    seed = config.seed if seed is None else int(seed)
    tau = state_tau_ms(config, tau_ms)
    drive = memory_drive(n_steps, seed)
    stimulus = encode_series(drive[:, None], config.input)
    if network is None:
        network = generate_network(config, n_input=stimulus.n_channels, input_kind=input_kind_of(stimulus))
    runs = []
    if train_steps > 0:
        training = memory_drive(train_steps, seed + 1)
        logger.info("memory protocol: STDP on %d steps", train_steps)
        runs.append(simulate(network, encode_series(training[:, None], config.input), plastic=True, seed=seed + 1,
                             backend=backend, codegen_target=codegen_target, envelope=envelope))
        network = runs[-1].final_network
    logger.info("memory protocol: frozen run of %d steps", n_steps)
    frozen = simulate(network, stimulus, plastic=False, seed=seed + 2, backend=backend, codegen_target=codegen_target,
                      envelope=envelope)
    runs.append(frozen)
    states = frozen.state_matrix(kind=state_kind, tau_ms=tau)
    capacity = memory_capacity(states, drive, k_max, washout=washout, ridge=ridge, n_null=n_null, seed=seed)
    regime = firing_regime(frozen.spike_indices, frozen.spike_times_ms, frozen.n_neurons, frozen.duration_ms)
    spikes = float(frozen.spikes_per_neuron) / n_steps
    settings = {"n_steps": int(n_steps), "train_steps": int(train_steps), "k_max": int(k_max), "washout": int(washout),
                "state_kind": state_kind, "state_tau_ms": tau, "seed": seed, "step_ms": config.input.step_ms}
    return MemoryMeasurement(capacity, regime, spikes, float(capacity.total) / spikes if spikes > 0 else 0.0,
                             network, frozen, settings, simulation_timings(runs))


def without_recurrence(network, stimulus, target_rate_hz: float, *, iterations: int = 10, tolerance: float = 0.02,
                       search_mV: tuple = (-40.0, 40.0), backend: str | None = None, seed: int | None = None):
    """The network with every recurrent weight zero and its drive shifted to the mean rate ``target_rate_hz``.

    A single offset is added to every neuron's background drive
    (``bias_mV``); it is found by bisection on the mean rate of the frozen
    network driven by ``stimulus`` (the rate grows with the offset), stopping
    when it is within ``tolerance`` (relative) of the target or after
    ``iterations`` runs.

    Returns
    -------
    (NetworkInstance, float, float)
        The control network, the offset (mV) and its mean rate (Hz).

    Raises
    ------
    ValueError
        When no offset within ``search_mV`` reaches the target rate.
    """
    from hetnet.network import simulate

    silent = network.with_weights({name: np.zeros_like(network.synapses[name].w)
                                   for name in ("ee", "ei", "ie", "ii")})

    def rate(offset):
        shifted = dataclasses.replace(silent, bias_mV=silent.bias_mV + offset)
        return shifted, simulate(shifted, stimulus, plastic=False, backend=backend, seed=seed).mean_rate_hz

    low, high = search_mV
    best = None
    for _ in range(max(1, iterations)):
        middle = 0.5 * (low + high)
        candidate, value = rate(middle)
        if best is None or abs(value - target_rate_hz) < abs(best[2] - target_rate_hz):
            best = (candidate, middle, value)
        if abs(value - target_rate_hz) <= tolerance * target_rate_hz:
            break
        low, high = (middle, high) if value < target_rate_hz else (low, middle)
    candidate, offset, value = best
    if abs(value - target_rate_hz) > 0.25 * target_rate_hz:
        raise ValueError(f"no drive offset in {search_mV} mV brings the network without recurrence to "
                         f"{target_rate_hz:.2f} Hz (closest: {value:.2f} Hz at {offset:+.1f} mV)")
    logger.info("no-recurrence control: drive offset %+.2f mV, rate %.2f Hz (target %.2f Hz)", offset, value,
                target_rate_hz)
    return candidate, float(offset), float(value)
