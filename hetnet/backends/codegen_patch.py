"""Rewrite files a Brian2 device writes, by wrapping its ``generate_*`` methods.

hetnet mends two things in generated projects this way: the C++ standard in
Brian2CUDA's makefile (:mod:`hetnet.backends.gpu`) and the per-step clock
read in Brian2's ``network.cpp`` (:mod:`hetnet.backends.standalone`). Both
happen while the file is written, so the text on disk is the same at every
build and ``make`` does not rebuild a cached project. Importing this module
does not import Brian2.
"""
from __future__ import annotations

import functools
import logging

__all__ = ["WriterProxy", "wrap_writer"]

logger = logging.getLogger(__name__)


class WriterProxy:
    """Stands in for a Brian2 code writer; subclasses change :meth:`WriterProxy.write`."""

    def __init__(self, writer):
        self._writer = writer

    def write(self, filename, contents):
        """Write ``contents`` to ``filename`` through the wrapped writer (override to rewrite them)."""
        return self._writer.write(filename, contents)

    def __getattr__(self, name):
        return getattr(self._writer, name)


def wrap_writer(device_class, method_name: str, proxy):
    """Make ``device_class.<method_name>(self, writer, ...)`` write through ``proxy(self, writer)``.

    ``proxy`` returns the writer to use (a :class:`WriterProxy`, or ``writer``
    itself to leave the output alone). Wrapping twice is a no-op.
    """
    original = getattr(device_class, method_name)
    if getattr(original, "_hetnet_patched", False):
        return

    @functools.wraps(original)
    def patched(self, writer, *args, **kwargs):
        return original(self, proxy(self, writer), *args, **kwargs)

    patched._hetnet_patched = True
    setattr(device_class, method_name, patched)
