"""GPU set-up for the Brian2CUDA (``cuda_standalone``) and Brian2GeNN (``genn``) backends.

One module per concern; this package re-exports their public names:

=======================  =========================================================
``detection``            :func:`detect_gpus`, :func:`find_cuda_toolkit`, installed
                         package versions, :class:`BackendUnavailable`
``environment``          :func:`configure_cuda_standalone`, :func:`configure_genn`:
                         check everything, then set Brian2's preferences
``curand``               :func:`find_curand` (toolkit or pip wheel, link folder)
``makefile``             the C++ standard written into brian2cuda's makefile
``build``                :func:`build_cuda_project` (code generation and nvcc, no
                         run), :func:`check_default_clock`, :data:`CUDA_SEED_CODE`
=======================  =========================================================

Two functions prepare Brian2's preferences for a GPU device; neither calls
``brian2.set_device``, which the caller does afterwards:

- :func:`configure_cuda_standalone` for Brian2CUDA (``pip install "hetnet[cuda]"``,
  Python >= 3.12 because brian2cuda 1.0b1 pins brian2 == 2.10.1);
- :func:`configure_genn` for Brian2GeNN (``pip install "hetnet[genn]"`` in its own
  environment: brian2genn 1.7 needs brian2 < 2.6 and numpy < 2, plus a GeNN 4.x
  source tree found through ``GENN_PATH``).

When something is missing, both raise one :class:`BackendUnavailable` that
lists everything missing at once, each item with how to fix it.

CUDA 13 obstacles handled here (not by hand):

- brian2cuda's makefile template compiles with ``-std=c++11`` (for nvcc and, through
  ``-Xcompiler``, for the host compiler), while the Thrust shipped with CUDA 13 stops
  with ``#error Thrust requires at least C++17``. hetnet rewrites every
  ``-std=c++NN`` in the generated makefile to ``-std=c++17`` (CUDA >= 11) as it is
  written, by wrapping ``CUDAStandaloneDevice.generate_makefile``.
- cuRAND is not part of a minimal (pip-installed) CUDA toolkit. When the toolkit has
  no ``curand.h`` / ``libcurand.so``, hetnet uses the pip wheel ``nvidia-curand``
  (CUDA 13, files under ``nvidia/cu13``) or ``nvidia-curand-cu12`` (files under
  ``nvidia/curand``): its include directory goes into the nvcc flags, its library
  directory into the link flags and the binary's run path. The wheels ship only
  ``libcurand.so.10``, so hetnet links through a ``libcurand.so`` symbolic link in
  its cache (brian2cuda's makefile links with ``-lcurand``; the cache folder is
  :func:`hetnet.backends.cache.cache_root`, the same as the standalone builds').

Importing this module does not import Brian2.

Examples
--------
>>> from hetnet.backends.gpu import configure_cuda_standalone   # doctest: +SKIP
>>> info = configure_cuda_standalone(require_gpu=False)          # doctest: +SKIP
>>> import brian2                                               # doctest: +SKIP
>>> brian2.set_device("cuda_standalone", directory="build", build_on_run=False)  # doctest: +SKIP
"""
from hetnet.backends.gpu.build import CUDA_SEED_CODE, build_cuda_project, check_default_clock
from hetnet.backends.gpu.curand import find_curand
from hetnet.backends.gpu.detection import BackendUnavailable, detect_gpus, find_cuda_toolkit
from hetnet.backends.gpu.environment import DEFAULT_COMPUTE_CAPABILITY, configure_cuda_standalone, configure_genn

__all__ = [
    "BackendUnavailable",
    "configure_cuda_standalone",
    "configure_genn",
    "detect_gpus",
    "find_cuda_toolkit",
    "find_curand",
    "build_cuda_project",
    "check_default_clock",
    "DEFAULT_COMPUTE_CAPABILITY",
    "CUDA_SEED_CODE",
]
