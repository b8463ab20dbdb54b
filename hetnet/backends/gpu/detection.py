"""What is installed here: NVIDIA GPUs, a CUDA toolkit, Python packages; the error that lists what is missing.

Nothing here changes a setting: :mod:`hetnet.backends.gpu.environment` checks
what it needs with these functions and prepares Brian2's preferences.
Importing this module does not import Brian2.

Examples
--------
>>> isinstance(detect_gpus(), list)
True
>>> package_version("numpy") is not None, package_version("no-such-package-here")
(True, None)
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from hetnet.errors import HetnetError

__all__ = ["BackendUnavailable", "detect_gpus", "find_cuda_toolkit", "package_version", "python_version",
           "run_text"]

logger = logging.getLogger(__name__)


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


def run_text(command, timeout=30.0):
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
    output = run_text([executable, "-L"])
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
    output = run_text([str(nvcc), "--version"])
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


def package_version(distribution):
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def python_version():
    return ".".join(str(part) for part in sys.version_info[:3])
