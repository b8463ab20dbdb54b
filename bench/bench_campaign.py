"""Benchmark of issue 17 item 4: where a Bayesian-optimisation campaign spends its time.

A campaign of ``--budget`` evaluations (default 30) of the efficiency objective at N =
``--n-neurons`` (default 500), architecture (C, lambda, p_in, w_scale) and distributions
searched, a new connectivity seed per evaluation, ``cpp_standalone``, ``--workers`` worker
processes (default 2), batches of ``--workers`` candidates, the objective's full protocol
(200 STDP and 2000 frozen input steps, MC up to k = 50, the Lyapunov surrogate), a cold
build cache. ``--envelope`` as ``hetnet optimize`` (default ``auto``: the complete envelope
up to N = 1000).

The breakdown, from the campaign's own records (``journal.jsonl``, ``results.json``):

- ``compile``: standalone compilation inside the evaluations (``compile_s``);
- ``compile_wait``: a worker waiting for another worker that is compiling the same program
  (``compile_wait_s``; before 2026-12-02 (fourth session) this was counted in ``project``);
- ``project``: builds taken from the cache whose Brian2 project was generated again
  (``project_s``: a process generating a program another process compiled);
- ``simulate_bare``: the compiled programs' network loops (``simulation_loop_s``);
- ``simulate_overhead``: the rest of the simulate calls (program start and file I/O,
  project generation, reading results back);
- ``analysis``: the rest of each evaluation (memory capacity and its null, the Lyapunov
  surrogate, building the network);
- the sums above are worker-seconds (evaluations run in parallel); ``gp_acquisition``: the
  optimiser's ask and tell in the main process (``session_optimizer_s``);
- ``other``: the campaign's wall time times the workers, less all of the above (idle
  workers while the optimiser thinks, pool start, journal and figure writing).

Reported: the campaign's wall time, the breakdown, the ratio the issue asks for (wall time to
the sum of the bare simulation times, ``ratio_wall_to_bare_simulation``: with ``w`` workers
the sum holds ``w`` loops per wall second at best), and the stricter ratios of wall time x
workers (the machine's core-seconds) to the sum of the bare simulation times and to the sum of
the simulate calls.

``--acquisition-restarts`` sets the campaign's L-BFGS starts of the acquisition (default
:data:`hetnet.bo.campaign.CAMPAIGN_ACQUISITION_RESTARTS`).
``--schedule pipeline`` (with ``--pipeline-depth``, default the workers) runs the campaign with
the pipelined schedule (:class:`hetnet.bo.optimizer.PipelinedProposals`); ``--warm`` first runs
a 2-evaluation campaign of the same settings in the same build cache (not timed), so the timed
campaign finds its programs compiled, as a second campaign on a machine does. Either writes
its record under ``variants`` (``<schedule>[-depth]-<cold|warm>``), the main record (batch, cold)
kept as it was. In pipelined campaigns the optimiser runs while the workers evaluate, so
``gp_acquisition`` is no longer idle worker time: ``other`` can then be below the idle time it
stands for in a batch campaign.

``--part reproduce`` (or ``both``, the default) does the same for a ``hetnet reproduce`` item
(``--item``, default ``separation``, full mode, ``--item-seeds`` seeds on ``--workers``
processes, a cold build cache): every seed record carries its own breakdown
(:func:`hetnet.network.timing.time_breakdown`, collected by
:func:`hetnet.network.timing.record_simulations` around the seed), summed here; the rest of
the core-seconds (pool start, the aggregate and its figure, idle workers) is ``other``. Each
part is written under its own key of the JSON file, the other part kept as it was.

Usage::

    .venv/bin/python bench/bench_campaign.py [--part both|campaign|reproduce] [--budget 30] [--workers 2] \
        [--envelope auto] [--item separation] [--item-seeds 2] [--out bench/results/campaign.json]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    from hetnet.io import write_json

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--n-neurons", type=int, default=500)
    parser.add_argument("--envelope", choices=("auto", "complete", "none"), default="auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--part", choices=("both", "campaign", "reproduce"), default="both")
    parser.add_argument("--item", default="separation")
    parser.add_argument("--item-seeds", type=int, default=2)
    parser.add_argument("--schedule", choices=("batch", "pipeline"), default="batch")
    parser.add_argument("--pipeline-depth", type=int, default=None)
    parser.add_argument("--warm", action="store_true")
    parser.add_argument("--acquisition-restarts", type=int, default=None,
                        help="L-BFGS starts of the acquisition (default: run_campaign's)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "campaign.json"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    record = json.loads(out.read_text()) if out.is_file() else {}
    if args.part in ("both", "campaign"):
        part = campaign_part(args)
        if args.schedule == "batch" and not args.warm:
            record = {**part, **{key: record[key] for key in ("reproduce_item", "variants") if key in record}}
        else:
            depth = f"-{args.pipeline_depth}" if args.pipeline_depth else ""
            label = f"{args.schedule}{depth if args.schedule == 'pipeline' else ''}-{'warm' if args.warm else 'cold'}"
            record.setdefault("variants", {})[label] = part
        write_json(out, record)
    if args.part in ("both", "reproduce"):
        record["reproduce_item"] = reproduce_part(args)
        write_json(out, record)
    print(json.dumps({key: value for key, value in record.items() if key != "provenance"}, indent=1))
    print(f"wrote {out}")
    return 0


def reproduce_part(args) -> dict:
    """A ``hetnet reproduce`` item in full mode on a cold cache, its seeds' time breakdowns summed."""
    from hetnet.provenance import provenance
    from hetnet.reproduce import reproduce

    os.environ["HETNET_CACHE"] = tempfile.mkdtemp(prefix="hetnet-bench-reproduce-")   # cold: compiles counted
    directory = Path(tempfile.mkdtemp(prefix="hetnet-bench-reproduce-run-"))
    clock = time.perf_counter()
    result = reproduce(args.item, out=directory, quick=False, seeds=args.item_seeds, workers=args.workers,
                       progress=lambda line: print(line, flush=True))
    wall = time.perf_counter() - clock
    timing = result["timing"]
    breakdown = {"compile": timing["compile_s"], "compile_wait": timing["wait_s"], "project": timing["project_s"],
                 "simulate_bare": timing["bare_s"],
                 "simulate_overhead": timing["simulate_overhead_s"],
                 "analysis_and_rest_of_seeds": timing["outside_simulation_s"]}
    breakdown["other"] = wall * args.workers - sum(breakdown.values())
    return {
        "benchmark": f"issue 17 item 4: a hetnet reproduce item's time ({args.item}, full mode), broken down",
        "provenance": provenance(seed=0, backend=result.get("backend"), item=args.item,
                                 settings={"seeds": args.item_seeds, "workers": args.workers,
                                           "item_settings": result.get("settings")}),
        "n_neurons": result.get("n_neurons"), "simulations": timing["simulations"],
        "wall_s": wall, "worker_seconds": {"total": wall * args.workers, **breakdown},
        "ratio_core_seconds_to_bare_simulation": wall * args.workers / timing["bare_s"] if timing["bare_s"] else None,
        "ratio_seed_seconds_to_bare_simulation": timing["ratio_wall_to_bare_loop"],
        "ratio_core_seconds_to_simulate_calls": (wall * args.workers / timing["simulate_wall_s"]
                                                 if timing["simulate_wall_s"] else None),
    }


def campaign_part(args) -> dict:
    """The BO campaign of the module docstring, its time broken down."""
    from hetnet.bo.campaign import run_campaign
    from hetnet.config import HRSNNConfig
    from hetnet.provenance import provenance

    os.environ["HETNET_CACHE"] = tempfile.mkdtemp(prefix="hetnet-bench-campaign-")   # cold: compiles counted

    config = HRSNNConfig(n_neurons=args.n_neurons, backend="cpp_standalone", variant="HeNHeS", seed=args.seed)
    options = {"n_steps": 2000, "train_steps": 200, "k_max": 50, "washout": 50, "n_null": 5}
    if args.envelope != "auto":
        options["envelope"] = None if args.envelope == "none" else args.envelope
    schedule = dict(schedule=args.schedule, pipeline_depth=args.pipeline_depth,
                    **({} if args.acquisition_restarts is None else {"acquisition_restarts": args.acquisition_restarts}))
    if args.warm:   # the same programs compiled by a short campaign first, as by an earlier campaign
        run_campaign(Path(tempfile.mkdtemp(prefix="hetnet-bench-campaign-warm-")), objective="efficiency",
                     config=config, budget=2, batch=args.workers, seed=args.seed + 1, objective_options=options,
                     engine="process", max_workers=args.workers, progress=None)
    directory = Path(tempfile.mkdtemp(prefix="hetnet-bench-campaign-run-"))
    clock = time.perf_counter()
    results = run_campaign(directory, objective="efficiency", config=config, budget=args.budget, batch=args.workers,
                           seed=args.seed, objective_options=options, engine="process", max_workers=args.workers,
                           progress=lambda line: print(line, flush=True), **schedule)
    wall = time.perf_counter() - clock
    evaluations = [json.loads(line) for line in (directory / "journal.jsonl").read_text().splitlines()
                   if line.strip() and json.loads(line).get("type") == "evaluation"]
    metrics = [e.get("metrics") or {} for e in evaluations]

    def total(key):
        return float(sum(m.get(key, 0.0) or 0.0 for m in metrics))

    evaluation_wall = float(sum(e.get("wall_time_s") or 0.0 for e in evaluations))
    compile_s, wait, project, bare, simulate = (total("compile_s"), total("compile_wait_s"), total("project_s"),
                                                total("simulation_loop_s"), total("simulate_s"))
    breakdown = {
        "compile": compile_s,
        "compile_wait": wait,
        "project": project,
        "simulate_bare": bare,
        "simulate_overhead": simulate - compile_s - wait - project - bare,
        "analysis": evaluation_wall - simulate,
        "gp_acquisition": float(results["session_optimizer_s"]),
    }
    breakdown["other"] = wall * args.workers - sum(breakdown.values())
    record = {
        "benchmark": "issue 17 item 4: a BO campaign's time, broken down",
        "provenance": provenance(seed=args.seed, backend="cpp_standalone", config=config,
                                 settings={"budget": args.budget, "workers": args.workers,
                                           "envelope": args.envelope, "objective_options": options,
                                           "build_cache": "warm" if args.warm else "cold",
                                           **schedule,
                                           "acquisition_restarts": results.get("acquisition_restarts")}),
        "wall_s": wall,
        "worker_seconds": {"total": wall * args.workers, **breakdown},
        "evaluations": len(evaluations),
        "failed": sum(1 for e in evaluations if e.get("objective") is None),
        "evaluations_that_compiled": sum(1 for m in metrics if m.get("compile_s", 0.0) > 0),
        "distinct_structures": len({m.get("structure_key") for m in metrics}),
        "ratio_wall_to_bare_simulation": wall / bare if bare else None,
        "ratio_core_seconds_to_bare_simulation": wall * args.workers / bare if bare else None,
        "ratio_core_seconds_to_simulate_calls": wall * args.workers / simulate if simulate else None,
        "best_objective": (results.get("best") or {}).get("objective"),
        "objectives": [e.get("objective") for e in sorted(evaluations, key=lambda e: e["index"])],
    }
    return record


if __name__ == "__main__":
    sys.exit(main())
