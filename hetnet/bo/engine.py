"""Evaluation engines: in-process, a local process pool, or a Dask cluster.

Every engine has the same small interface:

* ``submit(function, *args) -> handle`` starts one evaluation;
* ``as_completed(handles)`` yields ``(handle, value)`` as evaluations finish
  (a worker exception is re-raised in the caller);
* ``close()``; engines are context managers.

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
import logging
import math
import multiprocessing
import time
import traceback

__all__ = ["SerialEngine", "ProcessPoolEngine", "DaskEngine", "make_engine", "evaluate_candidate"]

logger = logging.getLogger(__name__)


def evaluate_candidate(objective, point, seed: int, index: int) -> dict:
    """Run ``objective(point, seed)`` and wrap its outcome in an evaluation record.

    The objective returns ``{"objective": value to maximise, "metrics": {...},
    ...}``; extra keys (``provenance``) are kept. An exception becomes
    ``{"status": "failed", "error": ..., "objective": None}``; so does a
    NaN or infinite objective value, which the GP could not be told.

    Examples
    --------
    >>> record = evaluate_candidate(lambda x, s: {"objective": -x[0] ** 2, "metrics": {}}, [0.5], 1, 0)
    >>> record["objective"], record["status"]
    (-0.25, 'ok')
    """
    start = time.perf_counter()
    try:
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

    def __exit__(self, *exc):
        self.close()

    def close(self):
        pass

    def describe(self) -> dict:
        return {"engine": self.name}


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
        self.max_workers = max_workers
        self._executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=max_workers, mp_context=multiprocessing.get_context("spawn")
        )

    def submit(self, function, *args):
        return self._executor.submit(function, *args)

    def as_completed(self, handles):
        for future in concurrent.futures.as_completed(handles):
            yield future, future.result()

    def close(self):
        self._executor.shutdown(wait=True, cancel_futures=True)

    def describe(self):
        return {"engine": self.name, "max_workers": self.max_workers}


class DaskEngine(_EngineBase):
    """Any Dask distributed cluster, by scheduler address (``tcp://host:8786``) or a ``Client``.

    Needs the ``dask`` extra (``pip install hetnet[dask]``).
    """

    name = "dask"

    def __init__(self, address):
        try:
            from distributed import Client
        except ImportError as error:  # pragma: no cover - depends on the installation
            raise ImportError("--dask needs dask.distributed: pip install 'hetnet[dask]'") from error
        if isinstance(address, Client):
            self._client, self._owns_client = address, False
        else:
            self._client, self._owns_client = Client(address, timeout="30s"), True
        self.address = self._client.scheduler.address

    def submit(self, function, *args):
        return self._client.submit(function, *args, pure=False)

    def as_completed(self, handles):
        from distributed import as_completed

        for future in as_completed(list(handles)):
            yield future, future.result()

    def close(self):
        if self._owns_client:
            self._client.close()

    def describe(self):
        return {"engine": self.name, "address": self.address}


def make_engine(kind: str = "process", *, dask_address=None, max_workers=None):
    """Build an engine: ``"serial"``, ``"process"`` (default) or a Dask cluster when ``dask_address`` is given.

    Examples
    --------
    >>> make_engine("serial").name
    'serial'
    """
    if dask_address:
        return DaskEngine(dask_address)
    if kind == "serial":
        return SerialEngine()
    if kind == "process":
        return ProcessPoolEngine(max_workers)
    raise ValueError(f"unknown engine {kind!r}; allowed: serial, process (or a Dask address)")
