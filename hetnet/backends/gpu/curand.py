"""cuRAND for Brian2CUDA: its header and library in the CUDA toolkit, else in NVIDIA's pip wheel.

cuRAND is not part of a minimal (pip-installed) CUDA toolkit. When the
toolkit has no ``curand.h`` / ``libcurand.so``, the pip wheel ``nvidia-curand``
(CUDA 13, files under ``nvidia/cu13``) or ``nvidia-curand-cu12`` (files
under ``nvidia/curand``) is used. The wheels ship only ``libcurand.so.10``,
and brian2cuda's makefile links with ``-lcurand``, so a ``libcurand.so``
symbolic link is made in hetnet's cache
(:func:`hetnet.backends.cache.cache_root` ``/ "curand-link"``).
Importing this module does not import Brian2.
"""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from hetnet.backends.cache import cache_root
from hetnet.backends.gpu.detection import BackendUnavailable

__all__ = ["find_curand"]

logger = logging.getLogger(__name__)


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
    folder = cache_root() / "curand-link" / hashlib.sha256(str(library).encode()).hexdigest()[:12]
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
