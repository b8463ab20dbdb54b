"""The exceptions hetnet raises on purpose, and the exit status each one gives.

Every error hetnet raises about its *input* (a configuration value, a
command-line flag, a data file, a run folder) or about a simulation that
went wrong derives from :class:`HetnetError`. The command line catches
these, prints their one-line message and exits with its ``exit_code``;
anything else is a bug and surfaces with its traceback.

==========================  =====================  ==========
class                       also a                 exit code
==========================  =====================  ==========
:class:`HetnetError`        ``Exception``          1
:class:`FieldError`         ``ValueError``         2
:class:`UsageError`         ``FieldError``         2
:class:`ConfigError`        ``FieldError``         2  (also :mod:`hetnet.config`)
:class:`ResourceError`      ``FieldError``         2
``DistributionError``       ``ValueError``         2  (:mod:`hetnet.distributions`)
``DatasetError``            ``ValueError``         1  (:mod:`hetnet.datasets`)
``EncodingError``           ``ValueError``         1  (:mod:`hetnet.encoding`)
:class:`SimulationError`    ``RuntimeError``       1
:class:`RunFolderError`     ``RuntimeError``       1
:class:`RunFolderLocked`    ``RunFolderError``     1
:class:`EngineError`        ``RuntimeError``       1
``BackendUnavailable``      ``RuntimeError``       1  (:mod:`hetnet.backends.gpu`)
==========================  =====================  ==========

:class:`SimulationInterrupted` is *not* a :class:`HetnetError`: it derives
from ``KeyboardInterrupt``, so code that records failures
(``except Exception``) lets it through and an interrupted run is never
stored as a result; the command line exits with 130.

Each class keeps the built-in base it had before (``ValueError`` or
``RuntimeError``), so ``except ValueError`` in existing code still works.

Examples
--------
>>> from hetnet.errors import HetnetError, UsageError
>>> error = UsageError("--train-steps", 5, "must be >= 10")
>>> str(error), error.exit_code, isinstance(error, (HetnetError, ValueError))
('--train-steps = 5; must be >= 10', 2, True)
"""
from __future__ import annotations

import logging
from typing import Any

__all__ = [
    "HetnetError",
    "FieldError",
    "UsageError",
    "ConfigError",
    "ResourceError",
    "SimulationError",
    "SimulationInterrupted",
    "RunFolderError",
    "RunFolderLocked",
    "EngineError",
    "EXIT_OK",
    "EXIT_ERROR",
    "EXIT_USAGE",
    "EXIT_INTERRUPTED",
]

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
#: 128 + SIGINT, what shells report for a command stopped by Ctrl-C
EXIT_INTERRUPTED = 130


class HetnetError(Exception):
    """Base of every error hetnet raises on purpose (see the module table)."""

    #: exit status of the ``hetnet`` command for this error
    exit_code = EXIT_ERROR


class FieldError(HetnetError, ValueError):
    """An invalid value of a named setting; the message names it, the value and what is allowed.

    Parameters
    ----------
    field : str
        The setting: a configuration field (``"stdp.tau_pre_ms"``), a flag
        (``"--train-steps"``), a file.
    value : object
        What was given.
    allowed : str
        What is allowed instead.
    """

    exit_code = EXIT_USAGE
    #: text put before the field name in the message
    prefix = ""

    def __init__(self, field: str, value: Any, allowed: str):
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{self.prefix}{field} = {value!r}; {allowed}")

    def __reduce__(self):  # picklable, so it crosses process-pool and Dask boundaries
        return (type(self), (self.field, self.value, self.allowed))


class UsageError(FieldError):
    """A command-line flag or argument combination that cannot work (exit status 2)."""


class ConfigError(FieldError):
    """An invalid configuration value: names the field, the value and what is allowed.

    :mod:`hetnet.config` raises it and re-exports it (``hetnet.config.ConfigError``
    is this class); it lives here so that :mod:`hetnet.checks` need not import
    :mod:`hetnet.config`.
    """

    prefix = "invalid configuration: "


class ResourceError(FieldError):
    """A request this machine cannot satisfy, e.g. a network too large for its memory (exit status 2)."""


class SimulationError(HetnetError, RuntimeError):
    """A simulation that ran but cannot be trusted (NaN state, a failed or killed binary)."""


class SimulationInterrupted(KeyboardInterrupt):
    """A simulation stopped before its end by SIGINT (Ctrl-C); its numbers are not a result.

    Brian2 turns the first SIGINT during ``Network.run`` into "stop this run"
    and returns normally; hetnet checks the time reached and raises this
    instead of returning a truncated result.
    """

    def __init__(self, message: str = "simulation interrupted (SIGINT)"):
        super().__init__(message)


class RunFolderError(HetnetError, RuntimeError):
    """A run folder that cannot be used: unreadable settings, a corrupt journal, not a folder."""


class RunFolderLocked(RunFolderError):
    """Another process holds the run folder's lock."""


class EngineError(HetnetError, RuntimeError):
    """An evaluation engine that cannot start (an unreachable Dask scheduler, ...)."""
