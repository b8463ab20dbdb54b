"""Environment checks of the GPU backends: everything missing in one message, then Brian2's preferences.

- :func:`configure_cuda_standalone` for Brian2CUDA (``pip install "hetnet[cuda]"``,
  Python >= 3.12 because brian2cuda 1.0b1 pins brian2 == 2.10.1);
- :func:`configure_genn` for Brian2GeNN (``pip install "hetnet[genn]"`` in its own
  environment: brian2genn 1.7 needs brian2 < 2.6 and numpy < 2, plus a GeNN 4.x
  source tree found through ``GENN_PATH``).

Neither calls ``brian2.set_device``, which the caller does afterwards. When
something is missing, both raise one
:class:`~hetnet.backends.gpu.detection.BackendUnavailable` that lists
everything missing at once, each item with how to fix it. Importing this
module does not import Brian2.
"""
from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

from hetnet.backends.gpu import detection
from hetnet.backends.gpu.curand import find_curand
from hetnet.backends.gpu.detection import BackendUnavailable, package_version, python_version
from hetnet.backends.gpu.makefile import use_cxx_standard

__all__ = ["configure_cuda_standalone", "configure_genn", "DEFAULT_COMPUTE_CAPABILITY"]

logger = logging.getLogger(__name__)

#: Compute capability compiled for when no GPU is there to ask (sm_80, A100 class).
#: CUDA 13 supports compute capability 7.5 and above.
DEFAULT_COMPUTE_CAPABILITY = 8.0

_CUDA_INSTALL_HINT = (
    'pip install "hetnet[cuda]" in a Python >= 3.12 environment (brian2cuda 1.0b1 pins '
    "brian2 == 2.10.1, which needs Python >= 3.12), e.g. "
    "python3.12 -m venv .venv-cuda && .venv-cuda/bin/pip install -e \".[cuda]\""
)
_GENN_INSTALL_HINT = (
    "brian2genn 1.7 needs brian2 < 2.6 and numpy < 2, so it needs an environment of its own: "
    "python3.11 -m venv .venv-genn && .venv-genn/bin/pip install -e \".[genn]\""
)
_GENN_PATH_HINT = (
    "GeNN 4.x (>= 4.2.1, not GeNN 5) is a source tree, not a pip or Debian package: download a "
    "GeNN 4 release (e.g. 4.9.0) from the genn-team/genn releases page, unpack it and "
    "export GENN_PATH=/path/to/genn-4.9.0 (the folder holding version.txt and bin/genn-buildmodel.sh)"
)

# what this module added to Brian2's preferences, so that a second call replaces it
_added = {"nvcc_args": [], "library_dirs": [], "runtime_library_dirs": []}


def _replace_added(preference_list, key, new_items):
    """``preference_list`` without what this module added before, plus ``new_items``."""
    kept = [item for item in preference_list if item not in _added[key]]
    _added[key] = list(new_items)
    return kept + [item for item in new_items if item not in kept]


def configure_cuda_standalone(require_gpu=True, gpu_id=None, compute_capability=None, cuda_path=None) -> dict:
    """Prepare Brian2's preferences for Brian2CUDA (does not call ``set_device``).

    Parameters
    ----------
    require_gpu : bool
        If True (to run the network), a GPU must be visible (``nvidia-smi -L``).
        If False (code generation and nvcc compilation only) and no GPU is
        visible, Brian2CUDA's GPU detection is switched off and the GPU id,
        compute capability and CUDA path are set by hand. A visible GPU is
        always used for detection.
    gpu_id : int, optional
        GPU to run on (default: Brian2CUDA's choice with a GPU, 0 without).
    compute_capability : float, optional
        Architecture to compile for, e.g. ``9.0`` (H100). Default: the GPU's own;
        :data:`DEFAULT_COMPUTE_CAPABILITY` when there is no GPU.
    cuda_path : str, optional
        CUDA toolkit folder (see :func:`~hetnet.backends.gpu.detection.find_cuda_toolkit`).

    Returns
    -------
    dict
        What was configured, for provenance: versions, toolkit, GPUs, GPU id,
        compute capability, cuRAND location, C++ standard and the flags added.

    Raises
    ------
    BackendUnavailable
        brian2cuda not installed, no CUDA toolkit, no cuRAND, or (with
        ``require_gpu``) no GPU; every missing item is listed in one message.
    """
    problems = []
    try:
        import brian2cuda  # noqa: F401  (registers the cuda_standalone device)
    except ImportError as error:
        here = f"this is Python {python_version()}"
        if sys.version_info < (3, 12):
            here += ", too old for brian2cuda 1.0b1: use a Python >= 3.12 environment"
        problems.append((f"brian2cuda is not importable ({error}); {here}", _CUDA_INSTALL_HINT))
        brian2cuda = None

    toolkit = None
    try:
        toolkit = detection.find_cuda_toolkit(cuda_path)
    except BackendUnavailable as error:
        problems += error.problems

    curand = None
    if toolkit is not None:
        try:
            curand = find_curand(toolkit["cuda_path"], toolkit["version"])
        except BackendUnavailable as error:
            problems += error.problems

    gpus = detection.detect_gpus()
    if require_gpu and not gpus:
        problems.append((
            "no NVIDIA GPU is visible (nvidia-smi is missing, fails, or lists no GPU); "
            "a Brian2CUDA binary needs one to run",
            "run on a machine with an NVIDIA GPU and driver, or pass require_gpu=False to only "
            "generate and compile the CUDA code",
        ))
    if compute_capability is not None:
        compute_capability = float(compute_capability)
        if toolkit is not None and int(toolkit["version"].split(".")[0]) >= 13 and compute_capability < 7.5:
            problems.append((f"compute capability {compute_capability} is not supported by CUDA {toolkit['version']}",
                             "use compute_capability >= 7.5 or a CUDA 12 toolkit"))
    if problems:
        raise BackendUnavailable("cuda_standalone", problems)

    from brian2 import prefs
    from brian2cuda.utils import gputools

    backend_prefs = prefs.devices.cuda_standalone.cuda_backend
    cuda_major = int(toolkit["version"].split(".")[0])
    backend_prefs.cuda_path = toolkit["cuda_path"]
    backend_prefs.detect_cuda = True
    backend_prefs.cuda_runtime_version = float(toolkit["version"])
    detect = bool(gpus)
    backend_prefs.detect_gpus = detect
    if detect:
        backend_prefs.gpu_id = None if gpu_id is None else int(gpu_id)
        backend_prefs.compute_capability = compute_capability
    else:
        backend_prefs.gpu_id = 0 if gpu_id is None else int(gpu_id)
        backend_prefs.compute_capability = (
            DEFAULT_COMPUTE_CAPABILITY if compute_capability is None else compute_capability
        )
    gputools.reset_cuda_installation()
    gputools.reset_gpu_selection()

    # C++ standard: CUDA 13's Thrust needs C++17; C++17 works from CUDA 11 on.
    cxx_standard = "c++17" if cuda_major >= 11 else None
    use_cxx_standard(cxx_standard)

    # cuRAND: header for nvcc, library for the linker and the binary's run path
    nvcc_args = [f"-I{curand['include_dir']}"] if curand["source"] != "toolkit" else []
    backend_prefs.extra_compile_args_nvcc = _replace_added(
        [arg for arg in backend_prefs.extra_compile_args_nvcc if not arg.startswith("-NDEBUG")],
        "nvcc_args", nvcc_args,
    )
    library_dirs = [curand["link_dir"]] if curand["source"] != "toolkit" else []
    runtime_dirs = [curand["library_dir"]] if curand["source"] != "toolkit" else []
    prefs.codegen.cpp.library_dirs = _replace_added(list(prefs.codegen.cpp.library_dirs), "library_dirs", library_dirs)
    prefs.codegen.cpp.runtime_library_dirs = _replace_added(
        list(prefs.codegen.cpp.runtime_library_dirs), "runtime_library_dirs", runtime_dirs
    )

    return {
        "backend": "cuda_standalone",
        "python": python_version(),
        "brian2": package_version("brian2"),
        "brian2cuda": package_version("brian2cuda"),
        "cuda_path": toolkit["cuda_path"],
        "nvcc": toolkit["nvcc"],
        "cuda_version": toolkit["version"],
        "gpus": gpus,
        "require_gpu": bool(require_gpu),
        "gpu_detection": detect,
        "gpu_id": backend_prefs.gpu_id,
        "compute_capability": backend_prefs.compute_capability,
        "curand": curand,
        "cxx_standard": cxx_standard,
        "extra_compile_args_nvcc": list(backend_prefs.extra_compile_args_nvcc),
        "library_dirs": list(prefs.codegen.cpp.library_dirs),
        "runtime_library_dirs": list(prefs.codegen.cpp.runtime_library_dirs),
        "seed_code": "hetnet.backends.gpu.CUDA_SEED_CODE",
    }


def _genn_version(genn_path: Path):
    """GeNN's version from ``version.txt`` as a tuple of ints, or None."""
    version_file = genn_path / "version.txt"
    try:
        text = version_file.read_text().strip()
    except OSError:
        return None
    match = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    if not match:
        return None
    return tuple(int(part) if part is not None else 0 for part in match.groups())


def configure_genn(use_gpu=True, genn_path=None, cuda_path=None) -> dict:
    """Prepare Brian2's preferences for Brian2GeNN (does not call ``set_device``).

    Parameters
    ----------
    use_gpu : bool
        If False, GeNN's CPU-only backend is used (no GPU or CUDA needed); pass
        the returned ``set_device_options`` to ``brian2.set_device("genn", ...)``,
        where Brian2GeNN takes ``use_GPU``.
    genn_path : str, optional
        GeNN 4.x source tree; default ``$GENN_PATH``.
    cuda_path : str, optional
        CUDA toolkit folder (with ``use_gpu``); default as :func:`~hetnet.backends.gpu.detection.find_cuda_toolkit`.

    Returns
    -------
    dict
        Versions, GeNN path and version, GPUs, CUDA path and
        ``set_device_options`` (``{"use_GPU": use_gpu}``).

    Raises
    ------
    BackendUnavailable
        brian2genn not importable or paired with brian2 >= 2.6 / numpy >= 2,
        no valid GeNN 4.x tree through ``GENN_PATH``, or (with ``use_gpu``) no
        GPU or CUDA toolkit; every missing item is listed in one message.
    """
    problems = []
    brian2_version = package_version("brian2")
    numpy_version = package_version("numpy")
    if package_version("brian2genn") is None:
        problems.append(("brian2genn is not installed in this environment "
                         f"(Python {python_version()}, brian2 {brian2_version}, numpy {numpy_version})",
                         _GENN_INSTALL_HINT))
    else:
        if brian2_version is not None and tuple(int(p) for p in re.findall(r"\d+", brian2_version)[:2]) >= (2, 6):
            problems.append((f"brian2genn 1.7 fails with brian2 {brian2_version} (it needs brian2 < 2.6)",
                             _GENN_INSTALL_HINT))
        if numpy_version is not None and int(numpy_version.split(".")[0]) >= 2:
            problems.append((f"brian2genn 1.7 with brian2 2.5 needs numpy < 2 (found {numpy_version})",
                             'pip install "numpy<2" in the GeNN environment'))

    path_text = genn_path if genn_path is not None else os.environ.get("GENN_PATH")
    genn_version = None
    if not path_text:
        problems.append(("GENN_PATH is not set (Brian2GeNN needs a GeNN 4.x source tree)", _GENN_PATH_HINT))
    else:
        folder = Path(path_text).expanduser()
        genn_version = _genn_version(folder)
        if not folder.is_dir():
            problems.append((f"GENN_PATH={path_text} is not a folder", _GENN_PATH_HINT))
        elif genn_version is None or not (folder / "bin" / "genn-buildmodel.sh").is_file():
            problems.append((f"GENN_PATH={path_text} is not a GeNN source tree (no version.txt or "
                             "bin/genn-buildmodel.sh)", _GENN_PATH_HINT))
        elif not ((4, 2, 1) <= genn_version < (5, 0, 0)):
            problems.append((f"GeNN {'.'.join(map(str, genn_version))} at {path_text}: Brian2GeNN 1.7 needs "
                             "GeNN 4.x >= 4.2.1 (GeNN 5 has a different interface)", _GENN_PATH_HINT))

    gpus = detection.detect_gpus() if use_gpu else []
    toolkit = None
    if use_gpu:
        if not gpus:
            problems.append(("no NVIDIA GPU is visible (nvidia-smi is missing, fails, or lists no GPU)",
                             "run on a machine with an NVIDIA GPU and driver, or pass use_gpu=False for "
                             "GeNN's CPU-only backend"))
        try:
            toolkit = detection.find_cuda_toolkit(cuda_path)
        except BackendUnavailable as error:
            problems += [(what, fix + " (or use_gpu=False)") for what, fix in error.problems]
    if problems:
        raise BackendUnavailable("genn", problems)

    import brian2genn  # noqa: F401  (registers the genn device and its preferences)
    from brian2 import prefs

    prefs.devices.genn.path = str(Path(path_text).expanduser())
    if toolkit is not None:
        prefs.devices.genn.cuda_backend.cuda_path = toolkit["cuda_path"]
    return {
        "backend": "genn",
        "python": python_version(),
        "brian2": brian2_version,
        "brian2genn": package_version("brian2genn"),
        "numpy": numpy_version,
        "genn_path": prefs.devices.genn.path,
        "genn_version": ".".join(map(str, genn_version)),
        "use_gpu": bool(use_gpu),
        "gpus": gpus,
        "cuda_path": None if toolkit is None else toolkit["cuda_path"],
        "cuda_version": None if toolkit is None else toolkit["version"],
        "set_device_options": {"use_GPU": bool(use_gpu)},
    }
