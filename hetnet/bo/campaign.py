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

Resume: read ``run.json`` and the journal, tell the optimiser every finished
evaluation, re-submit the proposals of the interrupted batch that have no
evaluation (same index, same seed), then carry on. Finished evaluations are
never lost nor repeated. Failed evaluations (the objective raised) are
journaled with their error, count toward the budget and are not told to the
GP.

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

from hetnet.bo.engine import evaluate_candidate, make_engine
from hetnet.bo.journal import JOURNAL_NAME, SETTINGS_NAME, Journal, read_journal, to_jsonable, write_json_atomic
from hetnet.bo.objectives import make_objective
from hetnet.bo.optimizer import make_optimizer, single_threaded_blas
from hetnet.bo.space import SearchSpace
from hetnet.io import tidy_rows, write_tidy_csv

__all__ = ["run_campaign", "resume_campaign", "evaluation_seed", "evaluation_rows", "best_so_far",
           "plot_best_so_far", "RESULTS_NAME", "TABLE_NAME", "PLOT_NAME"]

logger = logging.getLogger(__name__)

RESULTS_NAME = "results.json"
TABLE_NAME = "results.csv"
PLOT_NAME = "best_so_far.png"


def evaluation_seed(run_seed: int, index: int) -> int:
    """Seed of evaluation ``index`` of a run seeded ``run_seed`` (a 31-bit integer).

    >>> evaluation_seed(0, 1) == evaluation_seed(0, 1) != evaluation_seed(0, 2)
    True
    """
    return int(np.random.SeedSequence([int(run_seed), int(index)]).generate_state(1)[0] >> 1)


def best_so_far(values) -> list:
    """Running maximum of the objective values (``None`` entries, failures, are skipped).

    >>> best_so_far([1.0, None, 0.5, 2.0])
    [1.0, 1.0, 1.0, 2.0]
    """
    out, best = [], None
    for value in values:
        if value is not None and (best is None or value > best):
            best = value
        out.append(best)
    return out


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


def _results(settings, space, evaluations, optimizer, engine_description, started) -> dict:
    ok = [e for e in evaluations if e.get("objective") is not None]
    best = max(ok, key=lambda e: e["objective"]) if ok else None
    results = {
        "objective": settings["objective"],
        "budget": settings["budget"],
        "batch": settings["batch"],
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
    optimizer = make_optimizer(space.dimensions, settings["kernel"], space,
                               n_initial_points=settings["n_initial_points"], random_state=settings["seed"],
                               xi=settings["xi"])
    entries = read_journal(directory / JOURNAL_NAME)
    evaluations = sorted((e for e in entries if e.get("type") == "evaluation"), key=lambda e: e["index"])
    done = {e["index"] for e in evaluations}
    proposals = {e["index"]: e for e in entries if e.get("type") == "proposal"}
    pending = [proposals[i] for i in sorted(proposals) if i not in done]
    told = [e for e in evaluations if e.get("objective") is not None]
    if told:
        optimizer.tell([list(e["x"]) for e in told], [-e["objective"] for e in told])
    next_index = max(list(proposals) + list(done), default=-1) + 1
    budget, batch_size = int(settings["budget"]), int(settings["batch"])
    if evaluations or pending:
        _report(progress, f"resuming: {len(evaluations)} finished evaluations replayed, "
                          f"{len(pending)} pending re-submitted", logging.INFO)

    with Journal(directory / JOURNAL_NAME) as journal:
        while len(evaluations) < budget:
            if pending:
                batch, pending = pending, []
            else:
                count = min(batch_size, budget - len(evaluations))
                points = optimizer.ask(n_points=count) if count > 1 else [optimizer.ask()]
                batch = []
                for point in points:
                    proposal = {"type": "proposal", "index": next_index, "x": to_jsonable(list(point)),
                                "seed": evaluation_seed(settings["seed"], next_index)}
                    journal.append(proposal)
                    batch.append(proposal)
                    next_index += 1
            handles = [engine.submit(evaluate_candidate, objective, p["x"], p["seed"], p["index"]) for p in batch]
            finished = []
            for _, record in engine.as_completed(handles):
                journal.append(record)
                evaluations.append(record)
                finished.append(record)
                best = max((e["objective"] for e in evaluations if e.get("objective") is not None), default=None)
                value = "failed: " + record.get("error", "") if record.get("objective") is None else \
                    f"objective={record['objective']:.6g}"
                _report(progress, f"[{len(evaluations)}/{budget}] evaluation {record['index']}: {value}  "
                                  f"best={best if best is None else format(best, '.6g')}  ({record['wall_time_s']:.2f} s)")
                if on_evaluation is not None:
                    on_evaluation(record, len(evaluations), budget, best)
            good = [r for r in finished if r.get("objective") is not None]
            if good:
                optimizer.tell([list(r["x"]) for r in good], [-r["objective"] for r in good])
            evaluations.sort(key=lambda e: e["index"])
            results = _results(settings, space, evaluations, optimizer, engine.describe(), started)
            _write_outputs(directory, settings, results, evaluations)
    results = _results(settings, space, evaluations, optimizer, engine.describe(), started)
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


def _with_engine(directory, settings, engine, dask_address, max_workers, progress, on_evaluation=None):
    started = time.time()
    owned = None
    if engine is None or isinstance(engine, str):
        owned = make_engine(engine or "process", dask_address=dask_address, max_workers=max_workers)
        engine = owned
    try:
        with single_threaded_blas():
            return _loop(Path(directory), settings, engine, progress, started, on_evaluation)
    finally:
        if owned is not None:
            owned.close()


def run_campaign(directory, *, objective: str = "efficiency", config=None, space: SearchSpace | None = None,
                 budget: int = 50, batch: int = 2, seed: int = 0, kernel: str = "wasserstein",
                 n_initial_points: int | None = None, xi: float = 0.01, objective_options: Mapping | None = None,
                 engine=None, dask_address=None, max_workers=None, progress: Callable | None = None,
                 on_evaluation: Callable | None = None) -> dict:
    """Start an optimisation run in ``directory`` (must not hold a journal yet).

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
        Total evaluations and proposals per step.
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

    Returns
    -------
    dict
        The content of ``results.json``.
    """
    directory = Path(directory)
    if (directory / JOURNAL_NAME).exists():
        raise FileExistsError(f"{directory} already holds a run; use --resume {directory} to continue it")
    directory.mkdir(parents=True, exist_ok=True)
    if budget < 1 or batch < 1:
        raise ValueError(f"budget and batch must be >= 1; got {budget}, {batch}")
    objective_instance, default_space = make_objective(objective, space, config, objective_options)
    space = space or default_space
    settings = {
        "objective": objective,
        "objective_options": objective_instance.to_options() if hasattr(objective_instance, "to_options") else {},
        "config": config.to_dict() if config is not None else None,
        "space": space.to_dict(),
        "budget": int(budget),
        "batch": int(batch),
        "seed": int(seed),
        "kernel": kernel,
        "n_initial_points": int(n_initial_points if n_initial_points is not None else max(batch, min(10, budget // 3))),
        "xi": float(xi),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    write_json_atomic(directory / SETTINGS_NAME, settings)
    return _with_engine(directory, settings, engine, dask_address, max_workers, progress, on_evaluation)


def resume_campaign(directory, *, engine=None, dask_address=None, max_workers=None,
                    progress: Callable | None = None, on_evaluation: Callable | None = None) -> dict:
    """Continue the run in ``directory`` after a crash or kill (see module docstring).

    ``progress`` and ``on_evaluation`` as in :func:`run_campaign`.
    """
    import json

    directory = Path(directory)
    if not (directory / SETTINGS_NAME).is_file():
        raise FileNotFoundError(f"{directory} holds no {SETTINGS_NAME}: not an optimisation run directory")
    settings = json.loads((directory / SETTINGS_NAME).read_text())
    return _with_engine(directory, settings, engine, dask_address, max_workers, progress, on_evaluation)
