"""The ``runtime`` backend: Brian2 in this Python process (numpy target by default, or cython).

Examples
--------
Through :func:`hetnet.network.simulate` (``backend="runtime"``, the default),
or directly, for the raw arrays of one run (here: half a unit of input
current on one channel for 200 ms):

>>> import numpy as np
>>> from hetnet import config, encoding, network
>>> instance = network.generate_network(config.HRSNNConfig(n_neurons=30, seed=2), n_input=1)
>>> raw = run_runtime(instance, encoding.CurrentStimulus(np.full((10, 1), 0.5), 20.0), plastic=False, seed=1)
>>> sorted(raw)
['final_v_mV', 'run_seconds', 'spike_indices', 'spike_times_ms', 'weights']
"""
from __future__ import annotations

import logging
import time

__all__ = ["run_runtime"]

logger = logging.getLogger(__name__)


def run_runtime(network, stimulus, *, plastic, seed, record_input=False, codegen_target="numpy", report=None) -> dict:
    """Build and run ``network`` with Brian2's runtime device; returns the raw output dictionary.

    Parameters
    ----------
    network : NetworkInstance
    stimulus : CurrentStimulus, RateStimulus or SpikeStimulus
        One that fits ``network`` (:func:`hetnet.network.instance.check_stimulus`, which
        :func:`hetnet.network.simulate` runs once before it chooses a backend).
    plastic : bool
    seed : int
        Brian2's random seed (Poisson input).
    record_input : bool
    codegen_target : {"numpy", "cython"}
    report : str or callable, optional
        Brian2 progress report.

    Returns
    -------
    dict
        :meth:`hetnet.network.brian.BrianNetwork.output` plus ``run_seconds``.
    """
    import brian2 as b2
    from brian2.devices.device import runtime_device

    from hetnet.network.brian import build_brian_network, isolated_names

    if b2.get_device() is not runtime_device:
        b2.set_device("runtime")
    b2.prefs.codegen.target = codegen_target
    b2.seed(seed)
    # names (and so the generated code and Cython's cache) must not depend on what ran before
    with isolated_names():
        built = build_brian_network(network, stimulus, plastic=plastic, record_input=record_input, checked=True)
        start = time.perf_counter()
        built.run(stimulus.duration_ms, report=report)
    return built.output(run_seconds=time.perf_counter() - start)
