"""Evaluation engines: in-process, a local process pool, or a Dask cluster.

Every engine has the same small interface:

* ``submit(function, *args) -> handle`` starts one evaluation;
* ``as_completed(handles)`` yields ``(handle, value)`` as evaluations finish
  (a worker exception is re-raised in the caller);
* ``first_completed(handles) -> (handle, value)`` waits for one of them
  (the pipelined campaign: one new proposal per finished evaluation);
* ``close(abort=False)``; engines are context managers. ``abort=True``
  (an interrupted or failed campaign) stops running evaluations at once.

Local pool workers cannot outlive their parent: each runs in a process
group of its own (its standalone binaries too) and a watchdog thread kills
that group within half a second of the parent's death, ``kill -9``
included; an aborted pool kills its workers' groups.

:func:`evaluate_candidate` is the function shipped to workers: it times
the objective, catches its errors and returns a JSON-ready record.
Objectives must be picklable (module-level classes or functions), since
the process pool and Dask serialise them to the workers.

Examples
--------
>>> from hetnet.bo.engine import make_engine
>>> with make_engine("serial") as engine:
...     handles = [engine.submit(pow, 2, k) for k in range(3)]
...     sorted(value for _, value in engine.as_completed(handles))
[1, 2, 4]
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import math
import multiprocessing
import os
import signal
import threading
import time
import traceback

from hetnet.errors import EngineError, UsageError

#: how long a Dask client waits for the scheduler before :class:`~hetnet.errors.EngineError`
DASK_TIMEOUT = "30s"

__all__ = ["SerialEngine", "ProcessPoolEngine", "DaskEngine", "make_engine", "evaluate_candidate", "watch_parent",
           "single_threaded_blas", "DASK_TIMEOUT"]

logger = logging.getLogger(__name__)


def single_threaded_blas():
    """Context manager limiting BLAS/OpenMP to one thread (threadpoolctl).

    Every job an engine runs (a campaign's evaluations, a reproduction's
    seeds) and the optimiser use it. The GP's matrices are small; on a loaded
    machine multi-threaded BLAS made one ask/tell cycle about 4x slower
    (measured: 45 s vs 11 s for 8 evaluations of the analytic campaign). In
    worker processes a thread-per-core pool each oversubscribed the cores,
    and the thread count changed the readouts' last bits (see
    :func:`evaluate_candidate`).

    Examples
    --------
    >>> with single_threaded_blas():
    ...     pass
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def evaluate_candidate(objective, point, seed: int, index: int) -> dict:
    """Run ``objective(point, seed)`` and wrap its outcome in an evaluation record.

    The objective returns ``{"objective": value to maximise, "metrics": {...},
    ...}``; extra keys (``provenance``) are kept. An exception becomes
    ``{"status": "failed", "error": ..., "objective": None}``; so does a
    NaN or infinite objective value, which the GP could not be told. An
    interruption (``KeyboardInterrupt``, which includes
    :class:`~hetnet.errors.SimulationInterrupted`) is not caught, so an
    interrupted evaluation is never recorded.

    The objective runs with one BLAS / OpenMP thread
    (:func:`single_threaded_blas`) on every engine, as the optimiser does.
    Worker processes used to run it with OpenBLAS's default pool (one thread per core) each: two workers on two
    cores spent 2-4 s per evaluation outside the simulation instead of
    0.5 s (N = 500, the memory-capacity readouts and the Lyapunov surrogate;
    docs/notes/issue-17.md), and the thread count changed the last bits of
    the readouts, so a campaign's numbers depended on the engine and on the
    machine's core count.

    Examples
    --------
    >>> record = evaluate_candidate(lambda x, s: {"objective": -x[0] ** 2, "metrics": {}}, [0.5], 1, 0)
    >>> record["objective"], record["status"]
    (-0.25, 'ok')
    """
    start = time.perf_counter()
    try:
        with single_threaded_blas():
            outcome = dict(objective(list(point), int(seed)))
        status, error = "ok", None
        if outcome.get("objective") is None:
            raise ValueError("objective returned no 'objective' value")
        outcome["objective"] = float(outcome["objective"])
        if not math.isfinite(outcome["objective"]):
            raise ValueError(f"objective is not finite ({outcome['objective']}); a surrogate cannot learn from it")
    except Exception as exception:  # recorded, not raised: one bad candidate must not end the run
        outcome, status = {"objective": None, "metrics": {}}, "failed"
        error = "".join(traceback.format_exception_only(type(exception), exception)).strip()
    record = {
        "type": "evaluation",
        "index": int(index),
        "x": [float(v) if isinstance(v, float) else v for v in point],
        "seed": int(seed),
        "status": status,
        "wall_time_s": time.perf_counter() - start,
    }
    if error:
        record["error"] = error
    record.update(outcome)
    record.setdefault("metrics", {})
    return record


class _EngineBase:
    name = "engine"

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.close(abort=exc_type is not None)

    def close(self, abort: bool = False):
        pass

    def describe(self) -> dict:
        return {"engine": self.name}

    def first_completed(self, handles):
        """``(handle, value)`` of one finished evaluation among ``handles`` (waits for the first)."""
        return next(iter(self.as_completed(handles)))


def _first_done(handles: list, done) -> tuple:
    """``(future, result)`` of the first of ``handles`` (in their order) that is in ``done``."""
    future = next(handle for handle in handles if handle in done)
    return future, future.result()


class SerialEngine(_EngineBase):
    """Runs each evaluation in the calling process when it is collected (tests, debugging)."""

    name = "serial"

    def submit(self, function, *args):
        return (function, args)

    def as_completed(self, handles):
        for handle in handles:
            function, args = handle
            yield handle, function(*args)


class ProcessPoolEngine(_EngineBase):
    """A local ``concurrent.futures.ProcessPoolExecutor`` (spawned workers).

    Parameters
    ----------
    max_workers : int or None
        Worker processes (default: ``os.cpu_count()``).
    """

    name = "process-pool"

    def __init__(self, max_workers=None):
        if max_workers is not None and (isinstance(max_workers, bool) or not isinstance(max_workers, int)
                                        or max_workers < 1):
            raise UsageError("max_workers", max_workers, "must be an integer >= 1 (or None: one per CPU core)")
        self.max_workers = max_workers
        self._executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=max_workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=watch_parent, initargs=(os.getpid(),),
        )

    def submit(self, function, *args):
        return self._executor.submit(function, *args)

    def as_completed(self, handles):
        for future in concurrent.futures.as_completed(handles):
            yield future, future.result()

    def first_completed(self, handles):
        handles = list(handles)
        done, _ = concurrent.futures.wait(handles, return_when=concurrent.futures.FIRST_COMPLETED)
        return _first_done(handles, done)

    def worker_pids(self) -> list:
        """Process ids of the pool's live workers."""
        processes = getattr(self._executor, "_processes", None) or {}
        return [process.pid for process in list(processes.values()) if process.is_alive()]

    def close(self, abort: bool = False):
        if abort:
            for pid in self.worker_pids():
                try:  # each worker leads its own process group (watch_parent): it and its binaries
                    os.killpg(pid, signal.SIGKILL)
                except OSError:  # still starting: not yet in a group of its own, nor running anything
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
            self._executor.shutdown(wait=False, cancel_futures=True)
        else:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def describe(self):
        return {"engine": self.name, "max_workers": self.max_workers}


def watch_parent(parent_pid: int, interval_s: float = 0.5) -> None:
    """Pool worker initializer: a process group of its own, and death with the parent.

    Puts the worker (and so the binaries it starts) into a new process group
    and starts a daemon thread that, once the worker's parent is no longer
    ``parent_pid`` (it died; the worker was re-parented), kills that group.
    """
    os.setpgrp()

    def watch():
        while True:
            time.sleep(interval_s)
            if os.getppid() != parent_pid:
                with contextlib.suppress(OSError):
                    os.killpg(os.getpgrp(), signal.SIGKILL)
                os._exit(1)

    threading.Thread(target=watch, name="hetnet-parent-watch", daemon=True).start()


class DaskEngine(_EngineBase):
    """Any Dask distributed cluster, by scheduler address (``tcp://host:8786``) or a ``Client``.

    Needs the ``dask`` extra (``pip install hetnet[dask]``). An address that
    cannot be reached within ``timeout`` raises :class:`~hetnet.errors.EngineError`.
    """

    name = "dask"

    def __init__(self, address, timeout: str | None = None):
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover - depends on the installation
            raise EngineError("--dask needs dask.distributed, which is not installed: "
                              "pip install 'hetnet[dask]'") from None
        timeout = timeout or DASK_TIMEOUT
        if isinstance(address, Client):
            self._client, self._owns_client = address, False
        else:
            try:
                self._client, self._owns_client = Client(address, timeout=timeout), True
            except (OSError, TimeoutError, ValueError, TypeError) as error:
                raise EngineError(
                    f"cannot reach a Dask scheduler at {address!r} within {timeout} ({type(error).__name__}: "
                    f"{error}); give the address of a running scheduler, e.g. tcp://host:8786"
                ) from None
        self.address = self._client.scheduler.address

    def submit(self, function, *args):
        return self._client.submit(function, *args, pure=False)

    def as_completed(self, handles):
        from distributed import as_completed

        for future in as_completed(list(handles)):
            yield future, future.result()

    def first_completed(self, handles):
        from distributed import wait

        handles = list(handles)
        return _first_done(handles, wait(handles, return_when="FIRST_COMPLETED").done)

    def close(self, abort: bool = False):
        if self._owns_client:
            self._client.close()

    def describe(self):
        return {"engine": self.name, "address": self.address}


def make_engine(kind: str = "process", *, dask_address=None, max_workers=None, dask_timeout=None):
    """Build an engine: ``"serial"``, ``"process"`` (default) or a Dask cluster when ``dask_address`` is given.

    ``dask_timeout`` (default :data:`DASK_TIMEOUT`) bounds the wait for the scheduler.

    Examples
    --------
    >>> make_engine("serial").name
    'serial'
    """
    if dask_address:
        return DaskEngine(dask_address, timeout=dask_timeout)
    if kind == "serial":
        return SerialEngine()
    if kind == "process":
        return ProcessPoolEngine(max_workers)
    raise UsageError("engine", kind, "allowed: serial, process (or a Dask address)")
