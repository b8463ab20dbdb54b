"""Brian2CUDA code generation and nvcc compilation of one HRSNN without running it, and the clock check.

This is the check that works on a machine without a GPU; running the binary
needs one. Importing this module does not import Brian2.
"""
from __future__ import annotations

import logging
from pathlib import Path

from hetnet.backends.gpu.environment import configure_cuda_standalone

__all__ = ["build_cuda_project", "check_default_clock", "CUDA_SEED_CODE"]

logger = logging.getLogger(__name__)

#: Code for ``brian2.device.insert_code("main", ...)`` on ``cuda_standalone``: seeds
#: Brian2CUDA's cuRAND generators from the ``HETNET_SEED`` environment variable (the
#: C++ standalone version, which seeds ``brian::_random_generators``, does not compile
#: under Brian2CUDA, which has no such object).
CUDA_SEED_CODE = """
{
    const char* hetnet_seed = std::getenv("HETNET_SEED");
    if (hetnet_seed != NULL) {
        random_number_buffer.set_seed((unsigned long long) std::strtoull(hetnet_seed, NULL, 10));
    }
}
"""


def build_cuda_project(instance, stimulus, directory, *, compile=True, plastic=True, require_gpu=False,
                       compute_capability=None, cuda_path=None, insert_seed_code=True, make_jobs=None,
                       builder=None) -> dict:
    """Generate (and compile with nvcc) the Brian2CUDA project of one HRSNN, without running it.

    This is the check that works on a machine without a GPU; running the
    binary needs one. Brian2's device is reset to ``runtime`` afterwards.

    Parameters
    ----------
    instance : hetnet.network.NetworkInstance
    stimulus : hetnet.encoding.RateStimulus or SpikeStimulus
    directory : str or path-like
        Project folder (created; an existing project is rebuilt incrementally).
    compile : bool
        Run ``make`` (nvcc) after code generation.
    plastic : bool
        STDP on in the generated network.
    require_gpu, compute_capability, cuda_path
        Passed to :func:`configure_cuda_standalone`.
    insert_seed_code : bool
        Insert :data:`CUDA_SEED_CODE` into ``main`` (checks that it compiles).
    make_jobs : int, optional
        ``make -j<make_jobs>`` (Brian2's default is an unbounded ``-j``).
    builder : callable, optional
        ``builder(instance, stimulus, plastic=...)`` returning an object with a
        ``network`` attribute; default :func:`hetnet.network.brian.build_brian_network`.

    Raises
    ------
    ValueError
        An object of the network runs on a clock other than Brian2's
        ``defaultclock``: Brian2CUDA 1.0b1's synapse template refers to
        ``defaultclock`` by name, so nvcc would fail with ``identifier
        "defaultclock" is undefined`` after minutes of compilation.

    Returns
    -------
    dict
        ``directory``, ``binary`` (path or None), ``codegen_seconds``,
        ``compile_seconds``, ``compiled`` and ``setup`` (the configuration dict).
    """
    import time

    import brian2 as b2
    from hetnet.network.brian import build_brian_network

    setup = configure_cuda_standalone(require_gpu=require_gpu, compute_capability=compute_capability,
                                      cuda_path=cuda_path)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    make_args = list(b2.prefs.devices.cpp_standalone.extra_make_args_unix)
    if make_jobs is not None:
        b2.prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{int(make_jobs)}"]
    try:
        b2.set_device("cuda_standalone", directory=str(directory), build_on_run=False)
        b2.device.reinit()
        b2.device.activate(build_on_run=False)
        start = time.perf_counter()
        built = (builder or build_brian_network)(instance, stimulus, plastic=plastic)
        check_default_clock(built.network)
        if insert_seed_code:
            b2.device.insert_code("main", CUDA_SEED_CODE)
        built.network.run(stimulus.duration_ms * b2.ms, namespace={})
        b2.device.build(directory=str(directory), compile=False, run=False, with_output=False)
        codegen_seconds = time.perf_counter() - start
        compile_seconds = 0.0
        if compile:
            start = time.perf_counter()
            from brian2.codegen.cpp_prefs import get_compiler_and_args

            b2.device.compile_source(str(directory), get_compiler_and_args()[0], False, False)
            compile_seconds = time.perf_counter() - start
    finally:
        b2.prefs.devices.cpp_standalone.extra_make_args_unix = make_args
        b2.device.reinit()
        b2.set_device("runtime")
    binary = directory / "main"
    return {
        "directory": str(directory),
        "binary": str(binary) if binary.is_file() else None,
        "codegen_seconds": codegen_seconds,
        "compile_seconds": compile_seconds,
        "compiled": bool(compile and binary.is_file()),
        "setup": setup,
    }


def check_default_clock(network) -> None:
    """Raise ValueError unless every object of ``network`` runs on ``brian2.defaultclock``.

    Brian2CUDA 1.0b1 (``templates/synapses.cu``: ``defaultclock.timestep[0]``,
    and ``main.cu``'s ``dt``) and Brian2GeNN ("Multiple clocks are not supported
    for the genn device") both assume one clock, Brian2's ``defaultclock``: set
    ``brian2.defaultclock.dt`` and create the objects without ``dt=``.
    """
    import brian2 as b2

    default = b2.get_device().defaultclock  # brian2.defaultclock is a proxy for this
    others = sorted({obj.name for obj in network.objects if getattr(obj, "clock", default) is not default})
    if others:
        raise ValueError(
            "Brian2CUDA and Brian2GeNN need every object on brian2.defaultclock (Brian2CUDA's synapse code "
            "refers to 'defaultclock' by name); these have their own clock: " + ", ".join(others)
            + ". Set brian2.defaultclock.dt = dt and create the objects without dt=."
        )
