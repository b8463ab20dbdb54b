"""Progress bars and log output for the command line.

The library never prints: modules log through ``logging.getLogger(__name__)``
(a :class:`logging.NullHandler` on the ``hetnet`` logger keeps them silent
unless the application configures logging), and long loops report to a
callback. This module turns both into terminal output:

* :func:`configure_logging` sets the ``hetnet`` logger's level from a
  verbosity (``-1`` quiet: warnings only; ``0``: information; ``1`` and
  more: debugging) and installs one handler that writes to standard error
  without breaking progress bars;
* :func:`progress_bar` is a :mod:`tqdm` bar (count, rate, elapsed time and
  ETA) that switches itself off when its stream is not a terminal (logs,
  pipes, CI, tests) or when the ``hetnet`` logger is quiet, so callers can
  fall back to one line per step when ``bar.disable`` is true;
* :func:`simulation_report` adapts a bar to Brian2's ``report=`` callback
  for long runtime simulations (:func:`hetnet.network.simulate`).

Examples
--------
>>> import io
>>> bar = progress_bar(total=3, desc="evaluations", file=io.StringIO())   # not a terminal: disabled
>>> bar.disable
True
>>> bar.update(1)   # a no-op, safe to call
>>> bar.close()
"""
from __future__ import annotations

import logging
import sys

from tqdm import tqdm

__all__ = ["configure_logging", "progress_bar", "simulation_report", "is_terminal", "LOGGER_NAME"]

logger = logging.getLogger(__name__)

#: the package logger every module logger descends from
LOGGER_NAME = "hetnet"


class _StderrHandler(logging.Handler):
    """Writes records to the *current* ``sys.stderr`` through ``tqdm.write`` (bars stay intact)."""

    def emit(self, record):
        try:
            tqdm.write(self.format(record), file=sys.stderr)
        except Exception:  # pragma: no cover - logging must never raise
            self.handleError(record)


def configure_logging(verbosity: int | None = 0) -> logging.Logger:
    """Show hetnet's log records on standard error at the level ``verbosity`` selects.

    Parameters
    ----------
    verbosity : int or None
        ``<= -1`` (``--quiet``): warnings and errors only, progress bars off;
        ``0``: information (the default of the ``hetnet`` command);
        ``1`` (``--verbose``): debugging records too, with the module name;
        ``None``: undo, back to the library default (records propagate to
        the application's handlers, nothing of hetnet's own).

    Returns
    -------
    logging.Logger
        The ``hetnet`` logger. Calling again replaces the handler (no duplicate lines).

    Examples
    --------
    >>> configure_logging(-1).level == logging.WARNING
    True
    >>> configure_logging(1).level == logging.DEBUG
    True
    >>> restored = configure_logging(None)
    >>> restored.propagate, restored.level == logging.NOTSET
    (True, True)
    """
    package = logging.getLogger(LOGGER_NAME)
    for handler in list(package.handlers):
        if isinstance(handler, _StderrHandler):
            package.removeHandler(handler)
    if verbosity is None:
        package.setLevel(logging.NOTSET)
        package.propagate = True
        return package
    level = logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG
    handler = _StderrHandler(level)
    detail = "%(levelname)s %(name)s: " if verbosity > 0 else ""
    handler.setFormatter(logging.Formatter(f"[hetnet %(asctime)s] {detail}%(message)s", datefmt="%H:%M:%S"))
    package.addHandler(handler)
    package.setLevel(level)
    package.propagate = False
    return package


def is_terminal(stream=None) -> bool:
    """True when ``stream`` (default ``sys.stderr``) is an interactive terminal."""
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def progress_bar(iterable=None, *, total=None, desc: str | None = None, unit: str = "it", enabled: bool | None = None,
                 file=None, **options):
    """A :class:`tqdm.tqdm` bar with ETA, disabled outside a terminal or when hetnet logging is quiet.

    Parameters
    ----------
    iterable : iterable, optional
        Wrap an iterable (``for item in progress_bar(items): ...``), or
        update the bar by hand with ``bar.update(n)``.
    total : int, optional
        Number of steps (gives the ETA).
    desc, unit : str
        Label and unit of the steps (``"evaluations"``, ``"eval"``).
    enabled : bool, optional
        Force the bar on or off; by default it is on when ``file`` is a
        terminal and the ``hetnet`` logger shows information-level records
        (:func:`configure_logging` with verbosity >= 0).
    file : stream, optional
        Where the bar is drawn (default ``sys.stderr``).
    **options
        Other :class:`tqdm.tqdm` arguments (``leave``, ``position``, ...).

    Returns
    -------
    tqdm.tqdm
        ``bar.disable`` is true for a disabled bar, whose methods do nothing.
    """
    file = sys.stderr if file is None else file
    if enabled is None:
        enabled = is_terminal(file) and logging.getLogger(LOGGER_NAME).isEnabledFor(logging.INFO)
    return tqdm(iterable, total=total, desc=desc, unit=unit, file=file, disable=not enabled, dynamic_ncols=True,
                **options)


def simulation_report(desc: str = "simulation", **options):
    """A Brian2 ``report=`` callback drawing a progress bar of one runtime simulation.

    Pass it to :func:`hetnet.network.simulate` (runtime backend; standalone
    binaries report only as text). The bar advances in percent of the
    simulated time and closes itself at 100 %.

    Examples
    --------
    >>> import io
    >>> report = simulation_report(file=io.StringIO(), enabled=True)
    >>> report(0.5, 0.5, 0.0, 1.0); report(1.0, 1.0, 0.0, 1.0)
    >>> report.bar.n
    100
    """
    bar = progress_bar(total=100, desc=desc, unit="%", bar_format="{l_bar}{bar}| {n:.0f}/100 % [{elapsed}<{remaining}]",
                       **options)

    def report(elapsed, completed, start, duration):
        target = int(round(100 * float(completed)))
        if target > bar.n:
            bar.update(target - bar.n)
        if target >= 100:
            bar.close()

    report.bar = bar
    return report
