"""Resumable optimisation campaigns: ask a batch, evaluate it in parallel, journal, tell.

:func:`run_campaign` starts a run in a directory; :func:`resume_campaign`
continues one after a crash or kill (``hetnet optimize --resume DIR``).

Loop (``budget`` evaluations, batches of ``batch`` proposals):

1. ask the optimiser for a batch (constant liar); journal one ``proposal``
   line per point with its evaluation index and seed;
2. submit the batch to the engine (process pool, Dask or serial); as each
   evaluation finishes, journal its record (fsynced) and report a progress
   line;
3. tell the optimiser the batch (skopt minimises ``-objective``); rewrite
   ``results.json``, the tidy table ``results.csv`` (seed, variant =
   ``evaluation-<index>``, metric, value) and the best-so-far plot
   ``best_so_far.png``.

With ``schedule="pipeline"`` there are no batch steps: ``pipeline_depth``
evaluations (default ``batch``) are in flight, and each time the oldest is
told one new point is proposed with the others as pending lies
(:class:`~hetnet.bo.optimizer.PipelinedProposals`), so the other workers go
on while the optimiser thinks; the proposals do not depend on the order
the workers finish in. The outputs are rewritten about once per ``batch``
evaluations.

Resume: read ``run.json`` and the journal, tell the optimiser every finished
evaluation, re-submit the proposals of the interrupted batch that have no
evaluation (same index, same seed), then carry on. Finished evaluations are
never lost nor repeated. Failed evaluations (the objective raised) are
journaled with their error, count toward the budget and are not told to the
GP. An interrupted evaluation (Ctrl-C, :class:`~hetnet.errors.SimulationInterrupted`)
is not a failure: nothing is journaled for it and a resume runs it again.

One process per run folder: a campaign holds the folder's lock
(:mod:`hetnet.runfolder`) from its start to its end, so a second
``run_campaign`` or ``resume_campaign`` on the same folder fails at once with
:class:`~hetnet.errors.RunFolderLocked`. Every setting is checked before
anything is written; ``run.json`` is written only once the objective, the
search space, the optimiser and the engine have been built, so a start that
fails leaves no settings behind.

The seed of evaluation ``i`` is ``SeedSequence([seed, i])``'s first word:
reproducible per run and distinct per evaluation.

Examples
--------
>>> import tempfile
>>> results = run_campaign(tempfile.mkdtemp(), objective="gamma-moments", budget=6, batch=2,
...                        n_initial_points=4, engine="serial", progress=None)
>>> results["n_evaluations"]
6
"""
from __future__ import annotations

import logging
import platform
import time
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from hetnet.analysis.statistics import best_so_far   # re-exported: hetnet.bo.best_so_far stays
from hetnet.bo.engine import evaluate_candidate, make_engine
from hetnet.bo.journal import JOURNAL_NAME, SETTINGS_NAME, Journal, read_journal, to_jsonable, write_json_atomic
from hetnet.bo.objectives import OBJECTIVES, make_objective
from hetnet.bo.optimizer import (DEFAULT_ACQUISITION_RESTARTS, KERNELS, SCHEDULES, PipelinedProposals, ask_batch,
                                  make_optimizer, single_threaded_blas, tell_batch)
from hetnet.bo.space import SearchSpace
from hetnet.errors import HetnetError, RunFolderError, UsageError
from hetnet.io import read_json, tidy_rows, write_tidy_csv
from hetnet.runfolder import RunFolderLock, prepare_output_directory

__all__ = ["run_campaign", "resume_campaign", "evaluation_seed", "evaluation_rows", "best_so_far",
           "plot_best_so_far", "setting_problems", "CAMPAIGN_ACQUISITION_RESTARTS", "RESULTS_NAME", "TABLE_NAME",
           "PLOT_NAME", "REQUIRED_SETTINGS"]

logger = logging.getLogger(__name__)

RESULTS_NAME = "results.json"
TABLE_NAME = "results.csv"
PLOT_NAME = "best_so_far.png"
#: L-BFGS starts of the acquisition in a new campaign (skopt's default 5 in :func:`hetnet.bo.optimizer.minimize`
#: and in campaigns whose run.json predates the setting): 2 were as good and 1.4-1.6x faster,
#: bench/results/acquisition_budget.json
CAMPAIGN_ACQUISITION_RESTARTS = 2

#: keys every run.json must hold
REQUIRED_SETTINGS = ("objective", "space", "budget", "batch", "seed", "kernel", "n_initial_points", "xi")
#: settings added later, and what a run.json written before them ran with (2026-12-02)
_EARLIER_RUNS = {"schedule": "batch", "pipeline_depth": None, "acquisition_restarts": DEFAULT_ACQUISITION_RESTARTS}


def _setting(settings: Mapping, key: str):
    """A setting of ``_EARLIER_RUNS``: its value, or what a run folder written before it existed ran with."""
    return settings.get(key, _EARLIER_RUNS[key])


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def setting_problems(settings: Mapping) -> list:
    """``[(key, value, what is allowed), ...]`` for every invalid campaign setting (empty when all are valid).

    >>> setting_problems({"objective": "gamma-moments", "budget": 0, "batch": 2, "seed": 0,
    ...                   "kernel": "wasserstein", "n_initial_points": 4, "xi": float("nan")})
    [('budget', 0, 'must be an integer >= 1'), ('xi', nan, 'must be a finite number >= 0')]
    """
    problems = []
    if settings.get("objective") not in OBJECTIVES:
        problems.append(("objective", settings.get("objective"), f"allowed: {', '.join(OBJECTIVES)}"))
    for key in ("budget", "batch", "n_initial_points"):
        value = settings.get(key)
        if not _is_int(value) or value < 1:
            problems.append((key, value, "must be an integer >= 1"))
    seed = settings.get("seed")
    if not _is_int(seed) or not 0 <= seed < 2**32:
        problems.append(("seed", seed, "must be an integer in [0, 2**32)"))
    if settings.get("kernel") not in KERNELS:
        problems.append(("kernel", settings.get("kernel"), f"allowed: {', '.join(KERNELS)}"))
    if _setting(settings, "schedule") not in SCHEDULES:
        problems.append(("schedule", settings.get("schedule"), f"allowed: {', '.join(SCHEDULES)}"))
    depth = _setting(settings, "pipeline_depth")
    if depth is not None and (not _is_int(depth) or depth < 1):
        problems.append(("pipeline_depth", depth, "must be an integer >= 1 (or null: batch)"))
    restarts = _setting(settings, "acquisition_restarts")
    if not _is_int(restarts) or restarts < 1:
        problems.append(("acquisition_restarts", restarts, "must be an integer >= 1"))
    xi = settings.get("xi")
    if isinstance(xi, bool) or not isinstance(xi, (int, float)) or not np.isfinite(xi) or xi < 0:
        problems.append(("xi", xi, "must be a finite number >= 0"))
    return problems


def evaluation_seed(run_seed: int, index: int) -> int:
    """Seed of evaluation ``index`` of a run seeded ``run_seed`` (a 31-bit integer).

    >>> evaluation_seed(0, 1) == evaluation_seed(0, 1) != evaluation_seed(0, 2)
    True
    """
    return int(np.random.SeedSequence([int(run_seed), int(index)]).generate_state(1)[0] >> 1)


def plot_best_so_far(evaluations: list, path, title: str = "") -> None:
    """PNG of every evaluation's objective and the best so far (:func:`hetnet.plotting.bo_convergence`)."""
    from hetnet.plotting import bo_convergence

    bo_convergence([entry.get("objective") for entry in evaluations], title=title).savefig(path, dpi=100)


def _base_config(settings: Mapping):
    from hetnet.config import HRSNNConfig

    return HRSNNConfig.from_dict(settings["config"]) if settings.get("config") is not None else None


def _build(settings: Mapping):
    base = _base_config(settings)
    space = SearchSpace.from_dict(settings["space"], base_config=base) if settings.get("space") else None
    objective, space = make_objective(settings["objective"], space, base, settings.get("objective_options"))
    return objective, space, base


def _make_optimizer(settings: Mapping, space):
    return make_optimizer(space.dimensions, settings["kernel"], space, n_initial_points=settings["n_initial_points"],
                          random_state=settings["seed"], xi=settings["xi"],
                          acquisition_restarts=_setting(settings, "acquisition_restarts"))


def _results(settings, space, evaluations, optimizer, engine_description, started, optimizer_seconds=0.0) -> dict:
    ok = [e for e in evaluations if e.get("objective") is not None]
    best = max(ok, key=lambda e: e["objective"]) if ok else None
    results = {
        "objective": settings["objective"],
        "budget": settings["budget"],
        "batch": settings["batch"],
        "schedule": _setting(settings, "schedule"),
        "acquisition_restarts": _setting(settings, "acquisition_restarts"),
        "seed": settings["seed"],
        "kernel": optimizer.kernel_description,
        "n_evaluations": len(evaluations),
        "n_failed": len(evaluations) - len(ok),
        "best_so_far": best_so_far([e.get("objective") for e in evaluations]),
        "evaluations": [{"index": e["index"], "objective": e.get("objective"), "seed": e["seed"],
                         "wall_time_s": e.get("wall_time_s"), "status": e.get("status")} for e in evaluations],
        "engine": engine_description,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "session_wall_s": time.time() - started,
        "session_optimizer_s": float(optimizer_seconds),
    }
    if best is not None:
        results["best"] = {"objective": best["objective"], "index": best["index"], "x": best["x"],
                           "parameters": space.as_dict(best["x"]), "metrics": best.get("metrics", {})}
        if settings["objective"] != "gamma-moments":
            results["best"]["config"] = space.to_config(best["x"]).to_dict()
    if optimizer.models:
        results["gp_kernel"] = str(optimizer.models[-1].kernel_)
    return results


def _report(progress: Callable | None, line: str, level: int = logging.DEBUG):
    """A progress line: to the ``progress`` callback when given, to the module's log otherwise."""
    if progress is not None:
        progress(line)
    else:
        logger.log(level, line)


def _loop(directory: Path, settings: dict, engine, progress: Callable | None, started: float,
          on_evaluation: Callable | None = None) -> dict:
    objective, space, _ = _build(settings)
    optimizer = _make_optimizer(settings, space)
    entries = _checked_entries(read_journal(directory / JOURNAL_NAME), directory / JOURNAL_NAME, len(space.dimensions))
    evaluations = sorted((e for e in entries if e.get("type") == "evaluation"), key=lambda e: e["index"])
    done = {e["index"] for e in evaluations}
    proposals = {e["index"]: e for e in entries if e.get("type") == "proposal"}
    pending = [proposals[i] for i in sorted(proposals) if i not in done]
    told = [e for e in evaluations if e.get("objective") is not None]
    if told:
        optimizer.tell([list(e["x"]) for e in told], [-e["objective"] for e in told])
    next_index = max(list(proposals) + list(done), default=-1) + 1
    optimizer_seconds = 0.0         # this session's ask and tell (GP fits and acquisition), in this process
    budget, batch_size = int(settings["budget"]), int(settings["batch"])
    if evaluations or pending:
        _report(progress, f"resuming: {len(evaluations)} finished evaluations replayed, "
                          f"{len(pending)} pending re-submitted", logging.INFO)

    def finished(record):
        journal.append(record)
        evaluations.append(record)
        best = max((e["objective"] for e in evaluations if e.get("objective") is not None), default=None)
        value = "failed: " + record.get("error", "") if record.get("objective") is None else \
            f"objective={record['objective']:.6g}"
        _report(progress, f"[{len(evaluations)}/{budget}] evaluation {record['index']}: {value}  "
                          f"best={best if best is None else format(best, '.6g')}  ({record['wall_time_s']:.2f} s)")
        if on_evaluation is not None:
            on_evaluation(record, len(evaluations), budget, best)

    def propose(index, point):
        proposal = {"type": "proposal", "index": index, "x": to_jsonable(list(point)),
                    "seed": evaluation_seed(settings["seed"], index)}
        journal.append(proposal)
        return proposal

    def submit(proposal):
        return engine.submit(evaluate_candidate, objective, proposal["x"], proposal["seed"], proposal["index"])

    def optimise(function, *args, **keywords):
        """An ask or tell of the optimiser, its time counted in ``optimizer_seconds``."""
        nonlocal optimizer_seconds
        clock = time.perf_counter()
        try:
            return function(*args, **keywords)
        finally:
            optimizer_seconds += time.perf_counter() - clock

    def write():
        evaluations.sort(key=lambda e: e["index"])
        _write_outputs(directory, settings, _results(settings, space, evaluations, optimizer, engine.describe(),
                                                     started, optimizer_seconds), evaluations)

    with Journal(directory / JOURNAL_NAME) as journal:
        if _setting(settings, "schedule") == "pipeline":
            # one new proposal each time the oldest evaluation is told (PipelinedProposals): the other
            # evaluations in flight go on while the optimiser thinks
            schedule = PipelinedProposals(optimizer, depth=int(_setting(settings, "pipeline_depth") or batch_size),
                                          total=budget, first_index=next_index,
                                          pending={p["index"]: p["x"] for p in pending})
            outstanding = {p["index"]: submit(p) for p in pending}
            outstanding.update((index, submit(propose(index, point))) for index, point in optimise(schedule.proposals))
            written = len(evaluations)
            while outstanding:
                order = sorted(outstanding)
                handle, record = engine.first_completed([outstanding[i] for i in order])
                index = next(i for i in order if outstanding[i] is handle)
                del outstanding[index]
                finished(record)
                value = None if record.get("objective") is None else -record["objective"]
                made = optimise(schedule.record, index, value)
                outstanding.update((new, submit(propose(new, point))) for new, point in made)
                if len(evaluations) - written >= batch_size or not outstanding:   # outputs about once a batch
                    write()
                    written = len(evaluations)
        else:
            while len(evaluations) < budget:
                if pending:
                    batch, pending = pending, []
                else:
                    points = optimise(ask_batch, optimizer, min(batch_size, budget - len(evaluations)))
                    batch = [propose(next_index + number, point) for number, point in enumerate(points)]
                    next_index += len(points)
                done = []
                for _, record in engine.as_completed([submit(p) for p in batch]):
                    finished(record)
                    done.append(record)
                # told in proposal order, not in the order the workers finished: the GP's fit depends on the
                # order of its data in the last bits, so telling in completion order made a campaign on
                # several workers propose other points on every run
                good = sorted((r for r in done if r.get("objective") is not None), key=lambda r: r["index"])
                if good:
                    next_count = min(batch_size, budget - len(evaluations))   # the next ask's size
                    optimise(tell_batch, optimizer, [list(r["x"]) for r in good], [-r["objective"] for r in good],
                             next_count)
                write()
    results = _results(settings, space, evaluations, optimizer, engine.describe(), started, optimizer_seconds)
    _write_outputs(directory, settings, results, evaluations)
    return results


def evaluation_rows(evaluations: list) -> list:
    """Tidy rows (:func:`hetnet.io.tidy_rows`) of the evaluations: the objective and every metric.

    ``variant`` is ``evaluation-<index>``, ``seed`` the evaluation's seed.

    >>> evaluation_rows([{"index": 0, "seed": 7, "objective": 1.5, "metrics": {"mc": 3.0}}])[0]
    {'seed': 7, 'variant': 'evaluation-0', 'metric': 'objective', 'value': 1.5}
    """
    return tidy_rows({"seed": e["seed"], "variant": f"evaluation-{e['index']}", "objective": e.get("objective"),
                      **e.get("metrics", {})} for e in evaluations)


def _write_outputs(directory: Path, settings: dict, results: dict, evaluations: list):
    write_json_atomic(directory / RESULTS_NAME, results)
    write_tidy_csv(directory / TABLE_NAME, evaluation_rows(evaluations))
    plot_best_so_far(evaluations, directory / PLOT_NAME, f"{settings['objective']} ({settings['kernel']})")


def _checked_entries(entries: list, path: Path, n_dimensions: int) -> list:
    """Journal entries after checking the keys resuming needs (a RunFolderError names the bad record)."""
    for number, entry in enumerate(entries, start=1):
        kind = entry.get("type")
        if kind not in ("proposal", "evaluation"):
            continue
        problem = None
        if not _is_int(entry.get("index")) or entry["index"] < 0:
            problem = f"index = {entry.get('index')!r}; must be an integer >= 0"
        elif not isinstance(entry.get("x"), list) or len(entry["x"]) != n_dimensions:
            problem = f"x = {entry.get('x')!r}; must be a list of {n_dimensions} values"
        elif not _is_int(entry.get("seed")):
            problem = f"seed = {entry.get('seed')!r}; must be an integer"
        elif kind == "evaluation" and entry.get("objective") is not None and (
                isinstance(entry["objective"], bool) or not isinstance(entry["objective"], (int, float))):
            problem = f"objective = {entry['objective']!r}; must be a number or null"
        if problem:
            raise RunFolderError(f"{path}: record {number} ({kind}): {problem}; restore the journal or start a new "
                                 "run")
    return entries


def _with_engine(directory, settings, engine, dask_address, max_workers, progress, on_evaluation=None, *,
                 write_settings=False):
    started = time.time()
    owned = None
    if engine is None or isinstance(engine, str):
        owned = make_engine(engine or "process", dask_address=dask_address, max_workers=max_workers)
        engine = owned
    finished = False
    try:
        if write_settings:  # only now: every part of the run could be built
            write_json_atomic(Path(directory) / SETTINGS_NAME, settings)
        with single_threaded_blas():
            results = _loop(Path(directory), settings, engine, progress, started, on_evaluation)
        finished = True
        return results
    finally:
        if owned is not None:
            owned.close(abort=not finished)  # an interrupted or failed run stops its workers at once


def _check_buildable(settings, source: str):
    """Build the objective, space and optimiser once, so that bad settings fail before anything runs."""
    try:
        _, space, _ = _build(settings)
        _make_optimizer(settings, space)
    except HetnetError:
        raise
    except (ValueError, KeyError, TypeError) as error:  # settings from a file: report, do not crash
        raise RunFolderError(f"{source}: cannot build the run from its settings ({type(error).__name__}: "
                             f"{error}); the settings of a hetnet optimize run are {', '.join(REQUIRED_SETTINGS)}"
                             ) from None


def run_campaign(directory, *, objective: str = "efficiency", config=None, space: SearchSpace | None = None,
                 budget: int = 50, batch: int = 2, seed: int = 0, kernel: str = "wasserstein",
                 n_initial_points: int | None = None, xi: float = 0.01, objective_options: Mapping | None = None,
                 engine=None, dask_address=None, max_workers=None, progress: Callable | None = None,
                 on_evaluation: Callable | None = None, directory_option: str = "directory",
                 overwrite: bool = False, schedule: str = "batch", pipeline_depth: int | None = None,
                 acquisition_restarts: int = CAMPAIGN_ACQUISITION_RESTARTS) -> dict:
    """Start an optimisation run in ``directory`` (must not hold a journal yet, unless ``overwrite``).

    Parameters
    ----------
    directory : path
        Receives ``run.json``, ``journal.jsonl``, ``results.json``, ``results.csv``, ``best_so_far.png``.
    objective : str
        See :data:`hetnet.bo.objectives.OBJECTIVES` (``efficiency`` by default).
    config : HRSNNConfig, optional
        Base configuration (network objectives).
    space : SearchSpace, optional
        Defaults to the objective's default space.
    budget, batch : int
        Total evaluations and proposals per step (the evaluations that run at once).
    seed : int
        Seeds the optimiser and, with the evaluation index, each evaluation.
    kernel : {"wasserstein", "matern"}
    n_initial_points : int, optional
        Random evaluations first (default ``max(batch, min(10, budget // 3))``).
    xi : float
        Expected-improvement margin.
    objective_options : mapping, optional
        Keyword arguments of the objective (JSON-ready; stored for resume).
    engine : {"process", "serial"} or an engine object, optional
    dask_address : str, optional
        Scheduler address of a Dask cluster (overrides ``engine``).
    progress : callable or None
        Receives one line per finished evaluation; ``None`` (default): the
        lines go to this module's logger (debug level).
    on_evaluation : callable, optional
        Called as ``on_evaluation(record, n_finished, budget, best)`` after
        each finished evaluation is journaled (progress bars).
    directory_option : str
        How the caller named ``directory`` (``"--out"`` for the command line), for messages.
    overwrite : bool
        Start over in a ``directory`` that holds a run (``hetnet optimize --force``): its
        settings, journal, results and plot are deleted once the new settings are checked.
    schedule : {"batch", "pipeline"}
        ``"batch"``: propose ``batch`` points, wait for all of them, tell, propose again;
        ``"pipeline"``: ``batch + 1`` in flight, one new point per finished oldest one (see
        the module docstring). Both are reproducible; they propose different points.
    pipeline_depth : int, optional
        Evaluations in flight with ``schedule="pipeline"`` (default ``batch``; ``batch + 1``
        queues one, so no worker waits for the optimiser, at a cost in BO quality measured in
        ``bench/results/schedule.json``).
    acquisition_restarts : int
        L-BFGS starts of the acquisition optimiser at each proposal (default
        :data:`CAMPAIGN_ACQUISITION_RESTARTS` = 2; skopt's and :func:`~hetnet.bo.optimizer.minimize`'s
        is 5). Measured on the analytic problems (``bench/results/acquisition_budget.json``, 10
        seeds x 3 problems, Wasserstein kernel): 2 starts reach the same or lower median final
        regret as 5 in 1.4–1.6x less optimiser time.

    Returns
    -------
    dict
        The content of ``results.json``.

    Raises
    ------
    UsageError
        An invalid setting (checked before anything is written), an unusable
        ``directory``, or a ``directory`` that already holds a run.
    RunFolderLocked
        Another process works in ``directory``.
    """
    if n_initial_points is None and _is_int(batch) and _is_int(budget):
        n_initial_points = max(batch, min(10, budget // 3))
    problems = setting_problems({"objective": objective, "budget": budget, "batch": batch, "seed": seed,
                                 "kernel": kernel, "xi": xi, "n_initial_points": n_initial_points,
                                 "schedule": schedule, "pipeline_depth": pipeline_depth,
                                 "acquisition_restarts": acquisition_restarts})
    if problems:
        raise UsageError(*problems[0])
    directory = prepare_output_directory(directory, directory_option)
    with RunFolderLock(directory):
        if (directory / JOURNAL_NAME).exists() and not overwrite:
            raise UsageError(directory_option, str(directory), "already holds a run (journal.jsonl); continue it "
                             f"with hetnet optimize --resume {directory} (resume_campaign), or choose another folder")
        objective_instance, default_space = make_objective(objective, space, config, objective_options)
        space = space or default_space
        settings = _settings(objective, objective_instance, config, space, budget, batch, seed, kernel,
                             n_initial_points, xi, schedule, pipeline_depth, acquisition_restarts)
        _check_buildable(settings, str(directory))
        if overwrite:
            for name in (SETTINGS_NAME, JOURNAL_NAME, RESULTS_NAME, TABLE_NAME, PLOT_NAME):
                (directory / name).unlink(missing_ok=True)
        return _with_engine(directory, settings, engine, dask_address, max_workers, progress, on_evaluation,
                            write_settings=True)


def _settings(objective, objective_instance, config, space, budget, batch, seed, kernel, n_initial_points, xi,
              schedule="batch", pipeline_depth=None, acquisition_restarts=DEFAULT_ACQUISITION_RESTARTS):
    return {
        "objective": objective,
        "objective_options": objective_instance.to_options() if hasattr(objective_instance, "to_options") else {},
        "config": config.to_dict() if config is not None else None,
        "space": space.to_dict(),
        "budget": int(budget),
        "batch": int(batch),
        "seed": int(seed),
        "kernel": kernel,
        "n_initial_points": int(n_initial_points),
        "xi": float(xi),
        "schedule": schedule,
        "pipeline_depth": None if pipeline_depth is None else int(pipeline_depth),
        "acquisition_restarts": int(acquisition_restarts),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def resume_campaign(directory, *, engine=None, dask_address=None, max_workers=None,
                    progress: Callable | None = None, on_evaluation: Callable | None = None,
                    directory_option: str = "directory") -> dict:
    """Continue the run in ``directory`` after a crash or kill (see module docstring).

    ``progress`` and ``on_evaluation`` as in :func:`run_campaign`;
    ``directory_option`` names ``directory`` in messages (``"--resume"``).

    Raises
    ------
    UsageError
        ``directory`` is not a run folder (no ``run.json``).
    RunFolderError
        Its ``run.json`` is unreadable, lacks settings or holds invalid ones
        (the message names the file, the key, the value and what is allowed),
        or its journal is corrupt.
    RunFolderLocked
        Another process works in ``directory``.
    """
    directory = Path(directory)
    path = directory / SETTINGS_NAME
    if not path.is_file():
        raise UsageError(directory_option, str(directory), f"is not a hetnet optimize run folder (it holds no "
                         f"{SETTINGS_NAME}); give the folder of an earlier run, or start a run with --out")
    with RunFolderLock(directory):
        settings = _read_settings(path)
        _check_buildable(settings, str(path))
        return _with_engine(directory, settings, engine, dask_address, max_workers, progress, on_evaluation)


def _read_settings(path: Path) -> dict:
    try:
        settings = read_json(path)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise RunFolderError(f"{path} is not readable JSON ({error}); it should hold the settings of a hetnet "
                             "optimize run") from None
    if not isinstance(settings, dict):
        raise RunFolderError(f"{path} holds a {type(settings).__name__}, not the settings table of a hetnet "
                             "optimize run")
    missing = [key for key in REQUIRED_SETTINGS if key not in settings]
    if missing:
        raise RunFolderError(f"{path} lacks the setting(s) {', '.join(missing)}; a hetnet optimize run.json holds "
                             f"{', '.join(REQUIRED_SETTINGS)} (start a new run with --out instead)")
    problems = setting_problems(settings)
    if problems:
        key, value, allowed = problems[0]
        raise RunFolderError(f"{path}: {key} = {value!r}; {allowed}")
    return settings
