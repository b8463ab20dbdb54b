"""GPU set-up for the Brian2CUDA (``cuda_standalone``) and Brian2GeNN (``genn``) backends.

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
  its cache (brian2cuda's makefile links with ``-lcurand``).

Importing this module does not import Brian2.

Examples
--------
>>> from hetnet.backends.gpu import configure_cuda_standalone   # doctest: +SKIP
>>> info = configure_cuda_standalone(require_gpu=False)          # doctest: +SKIP
>>> import brian2                                               # doctest: +SKIP
>>> brian2.set_device("cuda_standalone", directory="build", build_on_run=False)  # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from hetnet.backends.codegen_patch import WriterProxy, wrap_writer
from hetnet.errors import HetnetError

__all__ = [
    "BackendUnavailable",
    "configure_cuda_standalone",
    "configure_genn",
    "detect_gpus",
    "find_cuda_toolkit",
    "find_curand",
    "cuda_seed_code",
    "build_cuda_project",
    "check_default_clock",
    "DEFAULT_COMPUTE_CAPABILITY",
    "CUDA_SEED_CODE",
]

logger = logging.getLogger(__name__)

#: Compute capability compiled for when no GPU is there to ask (sm_80, A100 class).
#: CUDA 13 supports compute capability 7.5 and above.
DEFAULT_COMPUTE_CAPABILITY = 8.0

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
# C++ standard written into brian2cuda's makefile (None: leave it as brian2cuda writes it)
_makefile_settings = {"cxx_standard": None}


class BackendUnavailable(HetnetError, RuntimeError):
    """A GPU backend cannot be used here; the message says what is missing and how to fix it.

    Parameters
    ----------
    backend : str
        ``"cuda_standalone"`` or ``"genn"``.
    problems : list of (str, str)
        ``(what is missing, how to fix it)`` pairs.

    Attributes
    ----------
    backend : str
    problems : list of (str, str)
    """

    def __init__(self, backend: str, problems):
        self.backend = backend
        self.problems = list(problems)
        lines = [f"the {backend!r} backend is not usable here:"]
        for what, fix in self.problems:
            lines.append(f"  - {what}\n    fix: {fix}")
        super().__init__("\n".join(lines))


# --------------------------------------------------------------------------- helpers


def _run_text(command, timeout=30.0):
    """stdout of ``command`` (a list), or None if it cannot be run or fails."""
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    return completed.stdout


def detect_gpus() -> list:
    """Names of the NVIDIA GPUs visible here, from ``nvidia-smi -L``.

    Returns
    -------
    list of str
        Empty when ``nvidia-smi`` is missing, fails (no driver) or lists no GPU.
        ``CUDA_VISIBLE_DEVICES`` is honoured the way Brian2CUDA honours it.
    """
    executable = shutil.which("nvidia-smi")
    if executable is None:
        return []
    output = _run_text([executable, "-L"])
    if not output:
        return []
    names = []
    for line in output.splitlines():
        match = re.match(r"GPU (\d+): (.*?)(?: \(UUID.*)?$", line.strip())
        if match:
            names.append(match.group(2))
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and names:
        chosen = []
        for token in visible.split(","):
            token = token.strip()
            if token.isdigit() and int(token) < len(names):
                chosen.append(names[int(token)])
        names = chosen
    return names


def _nvcc_version(nvcc: Path):
    """``(major, minor)`` from ``nvcc --version``, or None."""
    output = _run_text([str(nvcc), "--version"])
    if not output:
        return None
    match = re.search(r"release (\d+)\.(\d+)", output)
    return (int(match.group(1)), int(match.group(2))) if match else None


def find_cuda_toolkit(cuda_path=None) -> dict:
    """Locate a CUDA toolkit with a working ``nvcc``.

    Parameters
    ----------
    cuda_path : str or path-like, optional
        Toolkit folder (the one holding ``bin/nvcc``). Otherwise ``$CUDA_PATH``,
        ``$CUDA_HOME``, ``/usr/local/cuda``, ``/opt/cuda`` and the folder of the
        ``nvcc`` found on ``PATH`` are tried in this order.

    Returns
    -------
    dict
        ``cuda_path``, ``nvcc`` (paths as str) and ``version`` (``"13.0"``).

    Raises
    ------
    BackendUnavailable
        No toolkit with a runnable ``nvcc``.
    """
    candidates = []
    if cuda_path is not None:
        candidates.append(Path(cuda_path).expanduser())
    else:
        for variable in ("CUDA_PATH", "CUDA_HOME"):
            if os.environ.get(variable):
                candidates.append(Path(os.environ[variable]).expanduser())
        candidates += [Path("/usr/local/cuda"), Path("/opt/cuda")]
        on_path = shutil.which("nvcc")
        if on_path is not None:
            # /usr/local/bin/nvcc may be a wrapper script: prefer the real toolkit folders above
            candidates.append(Path(on_path).resolve().parent.parent)
    for candidate in candidates:
        nvcc = candidate / "bin" / "nvcc"
        if nvcc.is_file() and os.access(nvcc, os.X_OK):
            version = _nvcc_version(nvcc)
            if version is not None:
                return {"cuda_path": str(candidate), "nvcc": str(nvcc), "version": f"{version[0]}.{version[1]}"}
    tried = ", ".join(str(c) for c in candidates) or "(none)"
    raise BackendUnavailable(
        "cuda_standalone",
        [(f"no CUDA toolkit with a runnable bin/nvcc (tried {tried})",
          "install the CUDA toolkit (>= 11; 13 is what hetnet was checked with) and set CUDA_PATH "
          "to its folder, or pass cuda_path=")],
    )


def _wheel_curand_dirs(cuda_major: int):
    """``(include, lib)`` folder pairs of pip cuRAND wheels, best match for ``cuda_major`` first."""
    try:
        import nvidia  # namespace package of NVIDIA's pip wheels
    except ImportError:
        return []
    if cuda_major >= 13:
        order = ("cu13", "cu12", "curand")
    else:
        order = ("cu12", "curand", "cu13")
    pairs = []
    for sub in order:
        for base in getattr(nvidia, "__path__", []):
            folder = Path(base) / sub
            pairs.append((folder / "include", folder / "lib", f"pip wheel ({folder})"))
    return pairs


def _library_in(folder: Path):
    """``libcurand.so`` or a versioned ``libcurand.so.N`` in ``folder``, or None."""
    plain = folder / "libcurand.so"
    if plain.exists():
        return plain
    versioned = sorted(folder.glob("libcurand.so.*"), key=lambda p: len(p.name))
    return versioned[0] if versioned else None


def _link_folder(library: Path) -> Path:
    """A cache folder whose ``libcurand.so`` points at ``library`` (for ``-lcurand``)."""
    root = os.environ.get("HETNET_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "hetnet")
    folder = Path(root) / "curand-link" / hashlib.sha256(str(library).encode()).hexdigest()[:12]
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "libcurand.so"
    if not (link.is_symlink() and os.readlink(link) == str(library)):
        temporary = folder / f".libcurand.so.{os.getpid()}"
        if temporary.is_symlink() or temporary.exists():
            temporary.unlink()
        temporary.symlink_to(library)
        os.replace(temporary, link)  # atomic: safe when several processes configure at once
    return folder


def find_curand(cuda_path, cuda_version="13.0") -> dict:
    """Locate cuRAND's header and library: in the toolkit, else in a pip wheel.

    Parameters
    ----------
    cuda_path : str or path-like
        CUDA toolkit folder.
    cuda_version : str
        ``"13.0"``: picks the wheel built for the same CUDA major version first.

    Returns
    -------
    dict
        ``source`` (``"toolkit"`` or ``"pip wheel (...)"``), ``include_dir``,
        ``library`` (the shared library), ``library_dir`` (its folder, for the run
        path) and ``link_dir`` (a folder with a ``libcurand.so`` for ``-lcurand``).

    Raises
    ------
    BackendUnavailable
        Neither the toolkit nor an installed wheel provides cuRAND.
    """
    cuda_major = int(str(cuda_version).split(".")[0])
    toolkit = Path(cuda_path)
    candidates = []
    for include in (toolkit / "include", *toolkit.glob("targets/*/include")):
        for lib in (toolkit / "lib64", toolkit / "lib", *toolkit.glob("targets/*/lib")):
            candidates.append((include, lib, "toolkit"))
    candidates += _wheel_curand_dirs(cuda_major)
    for include, lib, source in candidates:
        if not (include / "curand.h").is_file() or not lib.is_dir():
            continue
        library = _library_in(lib)
        if library is None:
            continue
        link_dir = lib if library.name == "libcurand.so" else _link_folder(library.resolve())
        return {"source": source, "include_dir": str(include), "library": str(library),
                "library_dir": str(lib), "link_dir": str(link_dir)}
    wheel = "nvidia-curand" if cuda_major >= 13 else "nvidia-curand-cu12"
    raise BackendUnavailable(
        "cuda_standalone",
        [(f"cuRAND (curand.h, libcurand.so) is neither in the CUDA toolkit at {toolkit} nor in an installed pip wheel",
          f"pip install {wheel} (the cuRAND wheel for CUDA {cuda_major}), or install the toolkit's cuRAND package")],
    )


def _install_makefile_patch():
    """Make brian2cuda write ``-std=<standard>`` into its makefile (idempotent)."""
    from brian2cuda.device import CUDAStandaloneDevice

    wrap_writer(CUDAStandaloneDevice, "generate_makefile", lambda device, writer: _MakefileRewritingWriter(writer))


class _MakefileRewritingWriter(WriterProxy):
    """Wraps brian2cuda's writer; rewrites ``-std=c++NN`` in the makefile it writes."""

    def write(self, filename, contents):
        standard = _makefile_settings["cxx_standard"]
        if filename == "makefile" and standard is not None and isinstance(contents, str):
            contents = re.sub(r"-std=c\+\+\d+", f"-std={standard}", contents)
        return self._writer.write(filename, contents)


def _replace_added(preference_list, key, new_items):
    """``preference_list`` without what this module added before, plus ``new_items``."""
    kept = [item for item in preference_list if item not in _added[key]]
    _added[key] = list(new_items)
    return kept + [item for item in new_items if item not in kept]


def _version(distribution):
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _python_version():
    return ".".join(str(part) for part in sys.version_info[:3])


def cuda_seed_code() -> str:
    """:data:`CUDA_SEED_CODE`, for ``brian2.device.insert_code("main", ...)``."""
    return CUDA_SEED_CODE


# --------------------------------------------------------------------------- Brian2CUDA


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
        CUDA toolkit folder (see :func:`find_cuda_toolkit`).

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
        here = f"this is Python {_python_version()}"
        if sys.version_info < (3, 12):
            here += ", too old for brian2cuda 1.0b1: use a Python >= 3.12 environment"
        problems.append((f"brian2cuda is not importable ({error}); {here}", _CUDA_INSTALL_HINT))
        brian2cuda = None

    toolkit = None
    try:
        toolkit = find_cuda_toolkit(cuda_path)
    except BackendUnavailable as error:
        problems += error.problems

    curand = None
    if toolkit is not None:
        try:
            curand = find_curand(toolkit["cuda_path"], toolkit["version"])
        except BackendUnavailable as error:
            problems += error.problems

    gpus = detect_gpus()
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
    _makefile_settings["cxx_standard"] = cxx_standard
    _install_makefile_patch()

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
        "python": _python_version(),
        "brian2": _version("brian2"),
        "brian2cuda": _version("brian2cuda"),
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


# --------------------------------------------------------------------------- Brian2GeNN


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
        CUDA toolkit folder (with ``use_gpu``); default as :func:`find_cuda_toolkit`.

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
    brian2_version = _version("brian2")
    numpy_version = _version("numpy")
    if _version("brian2genn") is None:
        problems.append(("brian2genn is not installed in this environment "
                         f"(Python {_python_version()}, brian2 {brian2_version}, numpy {numpy_version})",
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

    gpus = detect_gpus() if use_gpu else []
    toolkit = None
    if use_gpu:
        if not gpus:
            problems.append(("no NVIDIA GPU is visible (nvidia-smi is missing, fails, or lists no GPU)",
                             "run on a machine with an NVIDIA GPU and driver, or pass use_gpu=False for "
                             "GeNN's CPU-only backend"))
        try:
            toolkit = find_cuda_toolkit(cuda_path)
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
        "python": _python_version(),
        "brian2": brian2_version,
        "brian2genn": _version("brian2genn"),
        "numpy": numpy_version,
        "genn_path": prefs.devices.genn.path,
        "genn_version": ".".join(map(str, genn_version)),
        "use_gpu": bool(use_gpu),
        "gpus": gpus,
        "cuda_path": None if toolkit is None else toolkit["cuda_path"],
        "cuda_version": None if toolkit is None else toolkit["version"],
        "set_device_options": {"use_GPU": bool(use_gpu)},
    }


# --------------------------------------------------------------------------- code generation check


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
