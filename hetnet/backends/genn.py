"""Brian2GeNN backend: generate, build and run through GeNN on every run.

Brian2GeNN (1.7) has no ``run_args`` and no ``TimedArray``: each run
regenerates and rebuilds the project (FACTS: about 25 s per run of the test
network on a CPU-only GeNN, against about 1.6 s for a cpp_standalone
re-run), and rate input is drawn as Poisson spikes in numpy
(:func:`hetnet.encoding.poisson_spikes`) and fed through a spike generator.
Set ``HETNET_GENN_CPU=1`` to use GeNN's CPU-only mode (no GPU needed).
:func:`hetnet.backends.gpu.configure_genn` checks the environment first and
raises one :class:`~hetnet.backends.gpu.BackendUnavailable` naming what is
missing (brian2genn, a compatible brian2 / numpy, ``GENN_PATH``, a GPU).
Not run on this project's machines (no GeNN source tree is installable here).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time

import numpy as np

__all__ = ["run_genn"]


def run_genn(network, stimulus, *, plastic, seed, record_input=False):
    """Build and run ``network`` with Brian2GeNN; returns the raw output dictionary."""
    from hetnet.backends.gpu import configure_genn
    from hetnet.encoding import RateStimulus, poisson_spikes

    use_gpu = os.environ.get("HETNET_GENN_CPU", "") not in ("1", "true", "yes")
    info = configure_genn(use_gpu=use_gpu)
    import brian2 as b2
    import brian2genn  # noqa: F401  (registers the 'genn' device)

    from hetnet.network.brian import build_brian_network

    if isinstance(stimulus, RateStimulus):
        stimulus = poisson_spikes(stimulus, network.config.dt_ms, seed)
    directory = tempfile.mkdtemp(prefix="hetnet-genn-")
    try:
        b2.set_device("genn", directory=directory, build_on_run=True, **info.get("set_device_options", {}))
        b2.device.reinit()
        b2.device.activate(directory=directory, build_on_run=True, **info.get("set_device_options", {}))
        built = build_brian_network(network, stimulus, plastic=plastic, record_input=record_input)
        built.apply(built.run_values(network, stimulus, plastic))
        start = time.perf_counter()
        built.network.run(stimulus.duration_ms * b2.ms, namespace={})   # builds and runs
        output = {
            "spike_indices": np.asarray(built.recurrent_monitor.i[:], dtype=np.int64),
            "spike_times_ms": np.asarray(built.recurrent_monitor.t[:] / b2.ms, dtype=np.float64),
            "weights": {name: np.asarray(group.w[:], dtype=float) for name, group in built.synapses.items()},
            "run_seconds": time.perf_counter() - start,
            "build": {"key": None, "directory": directory, "compiled": True, "device_setup": info},
        }
        if built.input_monitor is not None:
            output["input_spike_indices"] = np.asarray(built.input_monitor.i[:], dtype=np.int64)
            output["input_spike_times_ms"] = np.asarray(built.input_monitor.t[:] / b2.ms)
        return output
    finally:
        shutil.rmtree(directory, ignore_errors=True)
