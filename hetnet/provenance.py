"""Provenance: what produced a result (seed, versions, backend, configuration, machine).

Examples
--------
>>> record = provenance(seed=3, backend="runtime")
>>> record["seed"], "numpy" in record["versions"]
(3, True)
"""
from __future__ import annotations

import datetime
import functools
import importlib.metadata
import logging
import os
import platform
import sys

__all__ = ["provenance", "package_versions", "machine", "json_default"]

logger = logging.getLogger(__name__)

_PACKAGES = (
    "hetnet", "brian2", "numpy", "scipy", "sympy", "networkx", "POT", "scikit-optimize",
    "scikit-learn", "matplotlib", "brian2cuda", "brian2genn", "dask", "distributed",
)


@functools.lru_cache(maxsize=8)
def package_versions(packages=_PACKAGES) -> dict:
    """Installed versions of the packages hetnet depends on (``None`` when absent).

    Read once per process (the metadata look-ups cost about 20 ms).
    """
    versions = {"python": platform.python_version()}
    for name in packages:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


@functools.lru_cache(maxsize=1)
def machine() -> dict:
    """Host name, platform, processor count."""
    return {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
    }


def provenance(*, seed=None, backend=None, config=None, **extra) -> dict:
    """A JSON-ready record to store next to every result.

    Parameters
    ----------
    seed : int, optional
    backend : str, optional
    config : HRSNNConfig or dict, optional
        Stored in full (``to_dict()``).
    **extra
        Anything else worth keeping (e.g. ``task="lorenz63"``).
    """
    if config is not None and hasattr(config, "to_dict"):
        config = config.to_dict()
    record = {
        "seed": seed,
        "backend": backend,
        "config": config,
        "versions": dict(package_versions()),
        "machine": dict(machine()),
        "command": " ".join(sys.argv),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    record.update(extra)
    return record


def json_default(value):
    """``json.dumps(..., default=json_default)``: numpy scalars and arrays as numbers and lists."""
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
