"""Run a :class:`~hetnet.network.instance.NetworkInstance` on a Brian2 backend.

Examples
--------
>>> import numpy as np
>>> from hetnet.config import HRSNNConfig
>>> from hetnet.encoding import encode_series
>>> from hetnet.network import generate_network, simulate
>>> config = HRSNNConfig(n_neurons=50, seed=2)
>>> stimulus = encode_series(np.sin(np.arange(20) / 3.0), config.input)
>>> network = generate_network(config, n_input=stimulus.n_channels)
>>> result = simulate(network, stimulus, plastic=True)
>>> result.spike_counts().shape
(20, 50)
"""
from __future__ import annotations

import logging
import time

import numpy as np

from hetnet.backends.auto import AUTO, choose_backend
from hetnet.backends.session import brian_session, raise_if_interrupted
from hetnet.checks import check_simulation_output
from hetnet.config import BACKENDS
from hetnet.encoding import CurrentStimulus, RateStimulus
from hetnet.errors import UsageError
from hetnet.network.instance import NetworkInstance, check_stimulus, poisson_seed
from hetnet.network.timing import note_simulation
from hetnet.provenance import provenance
from hetnet.result import SimulationResult

__all__ = ["simulate"]

logger = logging.getLogger(__name__)

#: backends that compile the network's structure into a program (where ``envelope`` applies)
STANDALONE_BACKENDS = ("cpp_standalone", "cuda_standalone")


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise UsageError("seed", seed, "must be an integer in [0, 2**32)")
    return int(seed)


def _silence(network: NetworkInstance):
    config = network.config
    n_steps = max(1, int(round(config.duration_ms / config.input.step_ms)))
    kind = CurrentStimulus if network.input_kind == "current" else RateStimulus
    return kind(np.zeros((n_steps, network.n_input)), config.input.step_ms)


def simulate(
    network: NetworkInstance,
    stimulus=None,
    *,
    plastic: bool = True,
    backend: str | None = None,
    seed: int | None = None,
    record_input: bool = False,
    keep_results: bool = False,
    codegen_target: str = "numpy",
    report=None,
    envelope=None,
) -> SimulationResult:
    """Simulate ``network`` driven by ``stimulus``.

    Parameters
    ----------
    network : NetworkInstance
        From :func:`hetnet.network.generate_network` (or a pruned / trained copy).
    stimulus : CurrentStimulus, RateStimulus or SpikeStimulus, optional
        Input; ``None`` runs ``config.duration_ms`` of silence.
    plastic : bool
        STDP on (learning) or frozen (readout phase).
    backend : {"runtime", "auto", "cpp_standalone", "cuda_standalone", "genn"}, optional
        Defaults to ``network.config.backend``. ``"auto"``: ``cpp_standalone``
        where a C++ compiler works, else ``runtime``
        (:func:`hetnet.backends.auto.choose_backend`); the provenance records
        the backend used (``backend``), ``backend_requested`` and ``backend_choice``.
    seed : int, optional
        Seed of the Poisson input; defaults to a stream derived from ``config.seed``.
    record_input : bool
        Also return the input spikes.
    keep_results : bool
        Standalone only: keep the binary's results directory.
    codegen_target : {"numpy", "cython"}
        Runtime only (``numpy`` needs no compiler; ``cython`` compiles for
        minutes on first use, then runs faster).
    report : str or callable, optional
        Brian2 progress report for long runtime runs: ``"text"``, or a
        callable such as :func:`hetnet.progress.simulation_report` (a
        progress bar).
    envelope : NetworkInstance or "complete", optional
        Standalone backends only (the others ignore it): run ``network``
        inside the compiled program of a larger structure that holds all its
        synapses (:mod:`hetnet.network.envelope`), so networks that differ in
        connectivity share one build; ``"complete"`` connects every pair, one
        build per size. The results are those of the network's own build,
        bit for bit; each run pays for delivering the added synapses' events.

    Returns
    -------
    SimulationResult
        Spikes, the network with its final weights, and provenance.

    Raises
    ------
    SimulationInterrupted
        SIGINT (Ctrl-C) stopped the run before its end (a ``KeyboardInterrupt``:
        the truncated run is never returned).
    SimulationError
        The weights or membrane potentials hold NaN or infinite values after
        the run (the message names the group and variable), or a compiled
        binary failed.

    Notes
    -----
    Calls from several threads run one at a time; Brian2's device,
    ``defaultclock.dt``, code-generation target and the global numpy random
    state are restored when the call returns
    (:func:`hetnet.backends.session.brian_session`).
    """
    from hetnet.backends import run_backend

    if not isinstance(network, NetworkInstance):
        raise TypeError(f"network must be a NetworkInstance (from generate_network); got {type(network).__name__}")
    if stimulus is None:
        stimulus = _silence(network)
    check_stimulus(network, stimulus)
    requested = backend or network.config.backend
    if requested not in BACKENDS:
        raise UsageError("backend", requested, f"allowed: {', '.join(BACKENDS)}")
    choice = choose_backend() if requested == AUTO else None
    backend = choice.backend if choice else requested
    seed = poisson_seed(network.config) if seed is None else _check_seed(seed)
    logger.debug("simulating %d neurons, %d input channels, %d steps of %g ms on %s (STDP %s)", network.n_neurons,
                 network.n_input, stimulus.n_steps, stimulus.step_ms, backend, "on" if plastic else "off")
    start = time.perf_counter()
    embedding = None
    if envelope is not None and backend in STANDALONE_BACKENDS:
        from hetnet.network.envelope import embed_in_envelope, resolve_envelope

        embedding = embed_in_envelope(network, resolve_envelope(network, envelope), plastic=plastic)
    with brian_session():
        run_network = network if embedding is None else embedding.network
        output = run_backend(backend, run_network, stimulus, plastic=plastic, seed=seed, record_input=record_input,
                             keep_results=keep_results, codegen_target=codegen_target, report=report)
        raise_if_interrupted(stimulus.duration_ms)
    if embedding is not None:
        output["weights"] = embedding.network_weights(output["weights"])
    check_simulation_output(output)
    wall_seconds = time.perf_counter() - start
    logger.debug("simulation done in %.2f s: %d spikes", wall_seconds, output["spike_indices"].size)
    record = provenance(
        seed=seed, backend=backend, config=network.config, plastic=plastic,
        wall_seconds=wall_seconds, simulation_seconds=output.get("run_seconds"),
        binary_seconds=output.get("binary_seconds"), network_loop_seconds=output.get("network_loop_seconds"),
        build=output.get("build"), structure_key=network.structure_key(),
        **({"envelope_structure_key": embedding.network.structure_key()} if embedding is not None else {}),
        **({"backend_requested": requested, "backend_choice": choice.reason} if choice else {}),
    )
    note_simulation(record)
    return SimulationResult(
        spike_indices=output["spike_indices"],
        spike_times_ms=output["spike_times_ms"],
        n_neurons=network.n_neurons,
        n_excitatory=network.n_excitatory,
        duration_ms=float(stimulus.duration_ms),
        step_ms=float(stimulus.step_ms),
        input_spike_indices=output.get("input_spike_indices"),
        input_spike_times_ms=output.get("input_spike_times_ms"),
        final_network=network.with_weights(output["weights"]),
        provenance=record,
    )
