"""Where hetnet keeps what it compiles or links: one rule for every backend.

``$HETNET_CACHE`` when it is set, else ``~/.cache/hetnet/standalone``. The
standalone builds are folders named by their build key directly in it
(:mod:`hetnet.backends.standalone`); the ``libcurand.so`` links Brian2CUDA
needs live in its ``curand-link`` folder (:mod:`hetnet.backends.gpu.curand`).

Examples
--------
>>> import os
>>> expected = os.environ.get("HETNET_CACHE") or Path.home() / ".cache" / "hetnet" / "standalone"
>>> cache_root() == Path(expected)
True
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

__all__ = ["cache_root"]

logger = logging.getLogger(__name__)


def cache_root() -> Path:
    """Where builds are cached: ``$HETNET_CACHE`` or ``~/.cache/hetnet/standalone``."""
    root = os.environ.get("HETNET_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "hetnet", "standalone")
    return Path(root)
