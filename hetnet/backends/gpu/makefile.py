"""Brian2CUDA's makefile with the C++ standard CUDA 13 needs, rewritten as it is written.

brian2cuda's makefile template compiles with ``-std=c++11`` (for nvcc and,
through ``-Xcompiler``, for the host compiler), while the Thrust shipped with
CUDA 13 stops with ``#error Thrust requires at least C++17``. Once
:func:`use_cxx_standard` has been called, every ``-std=c++NN`` in the
generated makefile becomes that standard as the file is written (by wrapping
``CUDAStandaloneDevice.generate_makefile``, :mod:`hetnet.backends.codegen_patch`),
so the text on disk is the same at every build. Importing this module does
not import Brian2.
"""
from __future__ import annotations

import logging
import re

from hetnet.backends.codegen_patch import WriterProxy, wrap_writer

__all__ = ["use_cxx_standard"]

logger = logging.getLogger(__name__)

# C++ standard written into brian2cuda's makefile (None: leave it as brian2cuda writes it)
_makefile_settings = {"cxx_standard": None}


def use_cxx_standard(standard) -> None:
    """Write ``-std=<standard>`` (e.g. ``"c++17"``; ``None``: brian2cuda's own) into the makefiles brian2cuda generates."""
    _makefile_settings["cxx_standard"] = standard
    _install_makefile_patch()


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
