"""Running a registered item: seeds fanned out over an evaluation engine, one resumable file per seed.

Each (item, seed) writes ``OUT/ITEM/MODE/seed-SEED.json`` (``MODE`` is
``quick`` or ``full``) as soon as that seed finishes, in the worker that ran
it. A later call with the same item, mode and settings reads the seeds
already there instead of running them again, so a reproduction that was
interrupted (Ctrl-C, a killed job, a lost Dask worker) resumes where it
stopped. A seed file written with other settings is run again (and
overwritten).

Seeds are evaluated by the engines of the Bayesian-optimisation campaign
(:func:`hetnet.bo.engine.make_engine`): in this process (default), in a local
process pool (``workers``) or on a Dask cluster (``dask_address``).

When every seed is there, the item's ``aggregate`` turns them into one
record, written with the figure as ``OUT/OUTPUT.json`` and ``OUT/OUTPUT.png``
(``OUTPUT.quick.json`` / ``.png`` in quick mode, so that a smoke test never
replaces a full result). The record says whether it is quick, which seeds,
N, the backend, the package versions and the wall time of every seed.

Examples
--------
>>> from hetnet.reproduce.runner import seed_path
>>> seed_path("results", "fig9", 3, quick=True).as_posix()
'results/fig9/quick/seed-3.json'
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Mapping, Optional, Sequence

from hetnet.io import read_json, to_jsonable, write_json, write_tidy_csv, tidy_rows
from hetnet.provenance import provenance
from hetnet.reproduce.registry import get_item

__all__ = ["seed_path", "output_path", "run_one_seed", "reproduce", "reproduce_all", "current_out"]

logger = logging.getLogger(__name__)


def seed_path(out, item: str, seed: int, *, quick: bool) -> Path:
    """Where the result of one (item, seed) is written."""
    return Path(out) / item / ("quick" if quick else "full") / f"seed-{int(seed)}.json"


def output_path(out, item, *, quick: bool, suffix: str = ".json") -> Path:
    """Path of an item's aggregated file (``OUTPUT.json``, or ``OUTPUT.quick.json`` in quick mode)."""
    item = get_item(item) if isinstance(item, str) else item
    return Path(out) / f"{item.output}{'.quick' if quick else ''}{suffix}"


#: the output folder of the seed being run in this process (see :func:`current_out`)
_CURRENT_OUT: list = []


def current_out() -> Optional[Path]:
    """The output folder ``OUT`` of the seed that :func:`run_one_seed` is running in this process, else ``None``.

    Items whose seeds share work (the pruning items) keep it there, beside the seed files.

    >>> current_out() is None
    True
    """
    return _CURRENT_OUT[-1] if _CURRENT_OUT else None


def run_one_seed(name: str, seed: int, quick: bool, options: Mapping, path: str) -> dict:
    """Run one seed of item ``name`` and write its record to ``path`` (the function shipped to workers).

    Returns
    -------
    dict
        ``{"item", "seed", "quick", "options", "result", "wall_time_s", "timing", "provenance"}``;
        ``timing`` splits the seed's wall time into its simulations' compile,
        project generation, bare loop and overhead, and the rest
        (:func:`hetnet.network.timing.time_breakdown`).

    Notes
    -----
    The seed runs with one BLAS / OpenMP thread
    (:func:`hetnet.bo.engine.single_threaded_blas`; recorded as
    ``blas_threads`` in the provenance), on every engine: with OpenBLAS's
    default pool (a thread per core) in each of two workers on two cores,
    the work outside the simulations of a ``separation`` item (2 seeds, full
    mode) took 76.6 worker-seconds instead of 23.0
    (``bench/bench_campaign.py --part reproduce``; docs/notes/issue-17.md),
    and the readouts' last bits depended on the machine's core count.
    Records written before this (2026-12-02) ran with the default pool (two
    threads on the two-core machine that made them); a rerun may differ from
    them in the last bits.
    """
    from hetnet.bo.engine import single_threaded_blas
    from hetnet.network.timing import record_simulations, simulation_timings, time_breakdown

    item = get_item(name)
    start = time.perf_counter()
    _CURRENT_OUT.append(Path(path).parents[2])   # path is OUT/ITEM/MODE/seed-SEED.json
    try:
        with record_simulations() as simulations, single_threaded_blas():
            result = item.run_seed(int(seed), bool(quick), dict(options))
    finally:
        _CURRENT_OUT.pop()
    wall = time.perf_counter() - start
    record = {
        "item": name, "seed": int(seed), "quick": bool(quick), "options": to_jsonable(options),
        "result": result, "wall_time_s": wall, "timing": time_breakdown(wall, simulation_timings(simulations)),
        "provenance": provenance(seed=int(seed), backend=options.get("backend", "runtime"), item=name,
                                 quick=bool(quick), pid=os.getpid(), blas_threads=1),
    }
    write_json(path, record)
    return to_jsonable(record)


def _finished(path: Path, quick: bool, options) -> Optional[dict]:
    """The seed record at ``path`` if it was written with these settings, else ``None``."""
    if not path.is_file():
        return None
    try:
        record = read_json(path)
    except ValueError:
        logger.warning("%s is not readable JSON; running that seed again", path)
        return None
    if record.get("quick") != quick or record.get("options") != to_jsonable(options):
        logger.warning("%s was written with other settings; running that seed again", path)
        return None
    return record


def reproduce(name: str, *, out="experiment-results", quick: bool = False, seeds: Optional[int] = None,
              base_seed: int = 0, options: Optional[Mapping] = None, workers: Optional[int] = None,
              dask_address: Optional[str] = None, engine=None, progress=None, config=None) -> dict:
    """Run (or resume) every seed of one item and write its aggregated record and figure.

    Parameters
    ----------
    name : str
        A runnable item of :data:`hetnet.reproduce.ITEMS`.
    out : str or Path
        Output folder: seed files under ``OUT/NAME/MODE/``, the aggregate in ``OUT``.
    quick : bool
        The item's quick settings (a smoke test, not a result).
    seeds : int, optional
        Number of seeds (default: the item's default for the mode); seeds are
        ``base_seed, base_seed + 1, ...``.
    options : mapping, optional
        Changes to the mode's settings (keys must exist in them).
    workers : int, optional
        Run the seeds in a local process pool of this many workers (default:
        in this process, one after the other).
    dask_address : str, optional
        Run the seeds on the Dask cluster at this address.
    engine : optional
        An engine of :mod:`hetnet.bo.engine` to use instead (not closed here).
    progress : callable, optional
        Called with one line per finished seed (the CLI prints them).
    config : hetnet.config.HRSNNConfig, optional
        Base configuration the item's networks start from (``hetnet reproduce
        --config`` / ``--set``); the item still sets the seed and its own
        settings (``n_neurons``, ``backend``, ...). Passed to ``run_seed`` as
        the setting ``"config"`` (its JSON form, without the seed) unless it
        is the default, so it is part of the settings a seed file is resumed with.

    Returns
    -------
    dict
        The aggregated record, also written to :func:`output_path`; its
        ``"ran"`` lists the seeds computed by this call (the others were read back).

    Examples
    --------
    >>> import tempfile
    >>> record = reproduce("fig9", quick=True, out=tempfile.mkdtemp(),
    ...                    options={"n_neurons": 20, "n_steps": 200})  # doctest: +SKIP
    >>> record["quick"], record["seeds"]  # doctest: +SKIP
    (True, [0])
    """
    from hetnet.bo.engine import make_engine

    item = get_item(name)
    if item.pending:
        from hetnet.errors import UsageError

        raise UsageError("item", name, f"is not runnable yet: {item.pending_reason}")
    settings = item.settings(quick, options)
    if config is not None:
        from hetnet.reproduce.folder import config_option

        base = config_option(config)
        if base is not None:
            settings["config"] = base
    n_seeds = int(seeds) if seeds else (item.seeds_quick if quick else item.seeds_full)
    seed_list = list(range(int(base_seed), int(base_seed) + n_seeds))
    report = progress or logger.info
    records, todo = {}, []
    for seed in seed_list:
        found = _finished(seed_path(out, name, seed, quick=quick), quick, settings)
        if found is None:
            todo.append(seed)
        else:
            records[seed] = found
    if records:
        report(f"{name}: seeds {sorted(records)} already done in {Path(out) / name}; running {todo or 'none'}")
    start = time.perf_counter()
    own_engine = engine is None
    if own_engine:
        engine = make_engine("process" if (workers or dask_address) else "serial", dask_address=dask_address,
                             max_workers=workers)
    try:
        handles = [engine.submit(run_one_seed, name, seed, quick, settings,
                                 str(seed_path(out, name, seed, quick=quick))) for seed in todo]
        for _, record in engine.as_completed(handles):
            records[record["seed"]] = record
            report(f"{name} seed {record['seed']}: done in {record['wall_time_s']:.1f} s "
                   f"({len(records)}/{len(seed_list)})")
    finally:
        if own_engine:
            engine.close(abort=len(records) < len(seed_list))
    results = {seed: records[seed]["result"] for seed in seed_list}
    record, figure = item.aggregate(results, settings)
    rows = record.pop("rows", None)
    first = records[seed_list[0]]["provenance"]
    record = {
        "item": name, "paper_item": item.paper_item, "quick": bool(quick), "seeds": seed_list,
        "n_neurons": settings.get("n_neurons", settings.get("sizes")), "backend": settings.get("backend", "runtime"),
        "settings": to_jsonable(settings), **record,
        "wall_time_s": {"per_seed": {str(seed): records[seed]["wall_time_s"] for seed in seed_list},
                        "total_seeds": sum(records[seed]["wall_time_s"] for seed in seed_list),
                        "this_call": time.perf_counter() - start},
        "timing": _summed_timing([records[seed].get("timing") for seed in seed_list]),
        "ran": todo, "engine": engine.describe() if hasattr(engine, "describe") else None,
        "provenance": provenance(seed=seed_list[0], backend=settings.get("backend", "runtime"), item=name,
                                 quick=bool(quick), seeds=seed_list, seed_versions=first.get("versions")),
    }
    path = write_json(output_path(out, item, quick=quick), record)
    if rows:
        write_tidy_csv(output_path(out, item, quick=quick, suffix=".csv"), tidy_rows(rows))
    if figure is not None:
        figure.savefig(output_path(out, item, quick=quick, suffix=".png"), dpi=110)
    report(f"{name}: wrote {path}")
    return record


def _summed_timing(timings) -> Optional[dict]:
    """The seeds' :func:`~hetnet.network.timing.time_breakdown` summed (``None`` if a seed has none: older records)."""
    if not timings or any(timing is None for timing in timings):
        return None
    keys = [key for key, value in timings[0].items() if key != "ratio_wall_to_bare_loop" and value is not None]
    total = {key: float(sum(timing[key] for timing in timings)) for key in keys}
    total["simulations"] = int(total["simulations"])
    total["ratio_wall_to_bare_loop"] = total["wall_s"] / total["bare_s"] if total.get("bare_s") else None
    return total


def reproduce_all(names: Sequence[str], **kwargs) -> dict:
    """:func:`reproduce` for each name in turn; ``{name: record}``."""
    return {name: reproduce(name, **kwargs) for name in names}
