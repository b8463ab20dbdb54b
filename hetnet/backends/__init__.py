"""Code-generation backends: Brian2 runtime, C++ standalone, Brian2CUDA, Brian2GeNN.

``runtime`` runs in this Python process (numpy target by default; :mod:`hetnet.backends.runtime`);
``cpp_standalone`` and ``cuda_standalone`` compile once per network structure
and re-run the binary with new values (:mod:`hetnet.backends.standalone`);
``genn`` rebuilds on every run (Brian2GeNN has no ``run_args``); ``auto``
is ``cpp_standalone`` where a C++ compiler works, else ``runtime``
(:mod:`hetnet.backends.auto`).
GPU set-up and its error messages live in :mod:`hetnet.backends.gpu`.
"""
from __future__ import annotations

__all__ = ["run_backend", "resolve_backend", "BACKENDS"]

from hetnet.backends.auto import resolve_backend
from hetnet.config import BACKENDS


def run_backend(backend, network, stimulus, *, plastic, seed, record_input=False, keep_results=False,
                codegen_target="numpy", report=None):
    """Run ``network`` on ``backend``; returns the raw output dictionary
    (:meth:`hetnet.network.brian.BrianNetwork.output` plus the backend's timings and build information).

    ``codegen_target`` and ``report`` concern ``runtime`` only, ``keep_results`` the standalone devices.
    ``stimulus`` must fit ``network``: :func:`hetnet.network.simulate` has run
    :func:`hetnet.network.instance.check_stimulus` on it, so the backends build with ``checked=True``.
    """
    from hetnet.backends.standalone import run_standalone

    backend = resolve_backend(backend)
    if backend == "runtime":
        from hetnet.backends.runtime import run_runtime

        return run_runtime(network, stimulus, plastic=plastic, seed=seed, record_input=record_input,
                           codegen_target=codegen_target, report=report)
    if backend == "cpp_standalone":
        return run_standalone(network, stimulus, plastic=plastic, seed=seed, record_input=record_input,
                              keep_results=keep_results)
    if backend == "cuda_standalone":
        from hetnet.backends.gpu import configure_cuda_standalone

        return run_standalone(network, stimulus, plastic=plastic, seed=seed, record_input=record_input,
                              keep_results=keep_results, device_name="cuda_standalone",
                              device_setup=configure_cuda_standalone)
    if backend == "genn":
        from hetnet.backends.genn import run_genn

        return run_genn(network, stimulus, plastic=plastic, seed=seed, record_input=record_input)
    raise ValueError(f"unknown backend {backend!r}; allowed: {', '.join(BACKENDS)}")
