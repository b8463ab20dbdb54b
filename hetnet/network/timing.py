"""Where the time of a series of simulations went: compile, project generation, program run, network loop.

Every :func:`hetnet.network.simulate` call records its timings in its result's
``provenance``; :func:`simulation_timings` sums them over a series of results.
:func:`record_simulations` collects the provenance of every ``simulate`` call
made inside a ``with`` block (in this process, any thread), for code that does
not keep its results — the reproduction runner wraps each seed in it and
writes the breakdown (:func:`time_breakdown`) beside the seed's result.

Examples
--------
>>> from types import SimpleNamespace
>>> run = SimpleNamespace(provenance={"wall_seconds": 2.0, "binary_seconds": 0.5, "network_loop_seconds": 0.4,
...                                   "build": {"build_seconds": 1.0, "compiled": True}})
>>> simulation_timings([run, run])["compile_s"]
2.0
>>> breakdown = time_breakdown(10.0, simulation_timings([run, run]))
>>> breakdown["outside_simulation_s"], breakdown["ratio_wall_to_bare_loop"]
(6.0, 12.5)
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

__all__ = ["simulation_timings", "record_simulations", "time_breakdown"]

logger = logging.getLogger(__name__)

_LOCK = threading.Lock()
#: the lists of the active :func:`record_simulations` blocks of this process
_RECORDERS: list = []


def _provenance_of(result) -> dict:
    return result if isinstance(result, dict) else (getattr(result, "provenance", None) or {})


def simulation_timings(results) -> dict:
    """Seconds of a series of simulations, summed, from their provenance (``0`` where a backend gives none).

    Parameters
    ----------
    results : iterable
        :class:`~hetnet.result.SimulationResult` objects, or their
        ``provenance`` dicts (as :func:`record_simulations` collects them).

    Returns
    -------
    dict
        ``simulations``: how many; ``simulate_wall_s``: the
        :func:`~hetnet.network.simulate` calls end to end; ``compile_s``:
        standalone builds that compiled; ``project_s``: standalone builds taken
        from the cache (the Brian2 project generated again, not compiled);
        ``wait_s``: standalone builds waiting for another process that was
        compiling the same build (not in the two before; ``0`` for records
        written before it was measured);
        ``binary_s``: the compiled program's run (process start and file I/O
        included); ``loop_s``: its network loop alone (the bare simulation);
        ``bare_s``: ``loop_s`` where the backend measures a network loop, else
        the backend's run call (the runtime backend: Brian2's ``run``, its
        code generation for numpy included, so an upper bound of the bare loop).

    Examples
    --------
    >>> simulation_timings([{"wall_seconds": 3.0, "simulation_seconds": 2.5}])["bare_s"]
    2.5
    """
    records = [_provenance_of(result) for result in results]

    def total(read):
        return float(sum(read(record) or 0.0 for record in records))

    def build_seconds(compiled):
        def seconds(p):
            build = p.get("build") or {}
            if bool(build.get("compiled")) != compiled:
                return 0.0
            return (build.get("build_seconds") or 0.0) - (build.get("wait_seconds") or 0.0)
        return seconds

    def bare(record):
        loop = record.get("network_loop_seconds")
        return loop if loop is not None else record.get("simulation_seconds")

    return {"simulations": len(records),
            "simulate_wall_s": total(lambda p: p.get("wall_seconds")),
            "compile_s": total(build_seconds(True)),
            "project_s": total(build_seconds(False)),
            "wait_s": total(lambda p: (p.get("build") or {}).get("wait_seconds")),
            "binary_s": total(lambda p: p.get("binary_seconds")),
            "loop_s": total(lambda p: p.get("network_loop_seconds")),
            "bare_s": total(bare)}


@contextmanager
def record_simulations():
    """Collect the provenance of every ``simulate`` call made in the block (this process, every thread).

    Yields
    ------
    list of dict
        Filled as the simulations finish; blocks may nest (each sees its own
        and its inner blocks' simulations).

    Examples
    --------
    >>> with record_simulations() as records:
    ...     pass
    >>> simulation_timings(records)["simulations"]
    0
    """
    records: list = []
    with _LOCK:
        _RECORDERS.append(records)
    logger.debug("recording simulations (%d recorder(s) active)", len(_RECORDERS))
    try:
        yield records
    finally:
        with _LOCK:
            _RECORDERS.remove(records)


def note_simulation(provenance: dict) -> None:
    """Hand one ``simulate`` call's provenance to the active :func:`record_simulations` blocks (if any)."""
    with _LOCK:
        for records in _RECORDERS:
            records.append(provenance)


def time_breakdown(wall_s: float, timings: dict) -> dict:
    """Split ``wall_s`` seconds of work into its simulations' parts and the rest.

    Parameters
    ----------
    wall_s : float
        Wall time of the work (one process).
    timings : dict
        :func:`simulation_timings` of the simulations it ran.

    Returns
    -------
    dict
        ``wall_s``, the timings, ``simulate_overhead_s`` (the simulate calls
        less compile, waiting for a compile, project generation and the bare loop),
        ``outside_simulation_s`` (analysis, data, readouts, writing: the wall
        time less the simulate calls) and ``ratio_wall_to_bare_loop``
        (``None`` without a measured loop).
    """
    simulate = timings["simulate_wall_s"]
    return {"wall_s": float(wall_s), **timings,
            "simulate_overhead_s": simulate - timings["compile_s"] - timings["wait_s"] - timings["project_s"]
            - timings["bare_s"],
            "outside_simulation_s": float(wall_s) - simulate,
            "ratio_wall_to_bare_loop": float(wall_s) / timings["bare_s"] if timings["bare_s"] > 0 else None}
