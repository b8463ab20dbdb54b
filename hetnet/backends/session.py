"""One simulation at a time, Brian2's global state restored, interruptions detected.

Brian2 keeps its device, the default clock, its preferences and the numpy
random generator it seeds in process-global state. :func:`brian_session`
serialises hetnet's simulations between threads (a re-entrant lock) and puts
back, when a simulation ends, what it changed for the caller:

* the active device, with its ``build_on_run`` setting and build options
  (and Brian2's stack of previous devices);
* ``defaultclock.dt`` of the caller's device;
* ``prefs.codegen.target``, ``prefs.devices.cpp_standalone.run_cmd_unix`` and
  ``prefs.codegen.cpp.include_dirs`` (Brian2's Cython compiler appends to that list);
* the global numpy random state (``brian2.seed`` reseeds it);
* the level of the ``brian2.utils.filelock`` logger (set to INFO while
  hetnet runs: it logs two debug records per value file and run).

Two threads may therefore call :func:`hetnet.network.simulate` at once: the
calls run one after the other, each with its own seed, and each gets the
result it would get alone. (For parallel simulations use processes: the
optimiser's process pool or Dask.)

Brian2 turns the first SIGINT (Ctrl-C) during a run into "stop this run"
and returns normally, as does a standalone binary; :func:`raise_if_interrupted`
turns that into :class:`~hetnet.errors.SimulationInterrupted`, so a
truncated simulation never reaches a caller as a result.

Examples
--------
>>> import brian2
>>> before = brian2.prefs.codegen.target
>>> with brian_session():
...     brian2.prefs.codegen.target = "numpy" if before != "numpy" else "cython"
>>> brian2.prefs.codegen.target == before
True
"""
from __future__ import annotations

import contextlib
import importlib
import logging
import threading

import numpy as np

from hetnet.errors import SimulationInterrupted

__all__ = ["brian_session", "raise_if_interrupted", "seeded_run_command"]

logger = logging.getLogger(__name__)

_LOCK = threading.RLock()
_FILELOCK_LOGGER = "brian2.utils.filelock"


@contextlib.contextmanager
def brian_session():
    """Hold hetnet's Brian2 lock and restore Brian2's global state on exit (see module docstring)."""
    with _LOCK:
        import brian2 as b2
        from brian2.core.network import Network

        # the module, not the ``brian2.devices.device`` proxy object of the same name
        devices = importlib.import_module("brian2.devices.device")

        caller = devices.get_device()
        build_on_run = getattr(caller, "build_on_run", True)
        build_options = dict(getattr(caller, "build_options", None) or {})
        n_previous = len(devices.previous_devices)
        dt = caller.defaultclock.dt if caller.defaultclock is not None else None
        target = b2.prefs.codegen.target
        run_cmd = b2.prefs.devices.cpp_standalone.run_cmd_unix
        include_dirs = list(b2.prefs.codegen.cpp.include_dirs)   # Brian2's Cython compiler appends to it
        random_state = np.random.get_state()
        filelock_logger = logging.getLogger(_FILELOCK_LOGGER)
        filelock_level = filelock_logger.level
        filelock_logger.setLevel(logging.INFO)
        Network._globally_stopped = False  # a stop request of an earlier, already reported run
        try:
            yield
        finally:
            caller.build_on_run = build_on_run
            caller.build_options = build_options
            if devices.get_device() is not caller:
                devices.reset_device(caller)
            del devices.previous_devices[n_previous:]
            if dt is not None and caller.defaultclock.dt != dt:
                caller.defaultclock.dt = dt
            b2.prefs.codegen.target = target
            b2.prefs.devices.cpp_standalone.run_cmd_unix = run_cmd
            if list(b2.prefs.codegen.cpp.include_dirs) != include_dirs:
                b2.prefs.codegen.cpp.include_dirs = include_dirs
            np.random.set_state(random_state)
            filelock_logger.setLevel(filelock_level)


def seeded_run_command(seed: int) -> list:
    """Brian2's standalone run command with ``HETNET_SEED`` in the binary's environment only.

    Set as ``prefs.devices.cpp_standalone.run_cmd_unix`` inside
    :func:`brian_session` (which restores the preference): the seed reaches
    this run's binary, never ``os.environ``, so concurrent callers cannot
    hand each other their seeds.

    >>> seeded_run_command(7)[:2]
    ['env', 'HETNET_SEED=7']
    """
    import brian2 as b2

    command = b2.prefs.devices.cpp_standalone.run_cmd_unix
    command = [command] if isinstance(command, str) else list(command)
    if command[:1] == ["env"]:  # already seeded in this session: replace the seed
        command = command[2:]
    return ["env", f"HETNET_SEED={int(seed)}", *command]


def raise_if_interrupted(duration_ms: float) -> None:
    """Raise :class:`SimulationInterrupted` if the run that just ended stopped early.

    Checks Brian2's stop flag (set by its SIGINT handler while a run, or a
    standalone binary, is going) and the fraction of the requested
    duration the last run completed.
    """
    from brian2.core.network import Network
    from brian2.devices.device import get_device

    fraction = getattr(get_device(), "_last_run_completed_fraction", 1.0)
    fraction = 1.0 if fraction is None else float(fraction)
    if Network._globally_stopped or fraction < 1.0 - 1e-9:
        Network._globally_stopped = False
        raise SimulationInterrupted(
            f"simulation interrupted by SIGINT (Ctrl-C) at {100 * fraction:.0f}% of its "
            f"{duration_ms:g} ms; its results are discarded"
        )
