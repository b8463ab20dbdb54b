"""Brian2GeNN backend: generate, build and run through GeNN on every run.

Brian2GeNN (1.7) has no ``run_args``, so each run regenerates and rebuilds
the project (FACTS: about 25 s per run of the test network on a CPU-only
GeNN, against about 1.6 s for a cpp_standalone re-run). Set
``HETNET_GENN_CPU=1`` to use GeNN's CPU-only mode (no GPU needed).
:func:`hetnet.backends.gpu.configure_genn` checks the environment first and
raises one :class:`~hetnet.backends.gpu.BackendUnavailable` naming what is
missing (brian2genn, a compatible brian2 / numpy, ``GENN_PATH``, a GPU).
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

    use_gpu = os.environ.get("HETNET_GENN_CPU", "") not in ("1", "true", "yes")
    info = configure_genn(use_gpu=use_gpu)
    import brian2 as b2
    import brian2genn  # noqa: F401  (registers the 'genn' device)

    from hetnet.network.brian import build_brian_network

    directory = tempfile.mkdtemp(prefix="hetnet-genn-")
    try:
        b2.set_device("genn", build_on_run=False, **info.get("set_device_options", {}))
        b2.device.reinit()
        b2.device.activate(build_on_run=False, **info.get("set_device_options", {}))
        b2.seed(seed)
        built = build_brian_network(network, stimulus, plastic=plastic, record_input=record_input)
        built.apply(built.run_values(network, stimulus, plastic))
        duration = stimulus.n_steps * stimulus.step_ms if hasattr(stimulus, "rates_hz") else stimulus.duration_ms
        built.network.run(duration * b2.ms, namespace={})
        start = time.perf_counter()
        b2.device.build(directory=directory, compile=True, run=True, with_output=False)
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
