"""Benchmark: does the pipelined schedule find optima as well as the batch schedule? (issue 17)

A campaign on ``q`` workers can propose its points as a constant-liar batch of ``q`` (wait for
all, then propose ``q`` more) or pipelined (:class:`hetnet.bo.optimizer.PipelinedProposals`: a
new point each time the oldest in flight is told), with ``q`` in flight or with ``q + 1`` (one
queued, so a worker never waits for the optimiser). Each pipelined proposal knows all results but
those of the ``depth - 1`` points still in flight (a batch's: all but 0 to ``q - 1``).
This runs the analytic problems of :mod:`hetnet.bo.benchmark` (known optima, regret 0) with the
Wasserstein–Matérn GP both ways on the same seeds — the proposals a campaign on ``q`` workers
makes, evaluated in proposal order — and, as the reference measured in the same run, the
sequential loop (batch 1) and uniform random search. Reported per problem and schedule: the
median final best regret, the fraction of seeds reaching the threshold, the median evaluations
to reach it, and the per-seed final regrets (so paired differences can be read).

Writes ``--out`` and a PNG of the median best-regret curves beside it (``--plot-only``
redraws it from the JSON).

Usage::

    .venv/bin/python bench/bench_schedule.py [--budget 30] [--seeds 10] [--workers 2] \
        [--problems gamma-1,gamma-2-w2] [--out bench/results/schedule.json] [--plot-only]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hetnet.bo.benchmark import analytic_problems, compare  # noqa: E402
from hetnet.io import write_json  # noqa: E402
from hetnet.provenance import provenance  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--initial-points", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=0.01)
    parser.add_argument("--problems", default="gamma-1,gamma-2-w2")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "schedule.json"))
    parser.add_argument("--plot-only", action="store_true", help="redraw the PNG from the JSON at --out")
    args = parser.parse_args(argv)
    if args.plot_only:
        plot(json.loads(Path(args.out).read_text()), Path(args.out).with_suffix(".png"))
        return 0
    problems = analytic_problems()
    runs = {"sequential (batch 1)": dict(methods=("wasserstein",), batch_size=1, schedule="batch"),
            f"batch {args.workers}": dict(methods=("wasserstein",), batch_size=args.workers, schedule="batch"),
            f"pipeline {args.workers}": dict(methods=("wasserstein",), batch_size=args.workers, schedule="pipeline",
                                             depth=args.workers),
            f"pipeline {args.workers} + 1 queued": dict(methods=("wasserstein",), batch_size=args.workers,
                                                        schedule="pipeline", depth=args.workers + 1),
            "random search": dict(methods=("random",))}
    output = {"benchmark": "issue 17: BO quality of the pipelined schedule against the batch schedule",
              "provenance": provenance(seed=list(range(args.seeds)), settings={
                  "budget": args.budget, "seeds": args.seeds, "workers": args.workers,
                  "n_initial_points": args.initial_points, "threshold_regret": args.threshold,
                  "kernel": "wasserstein", "acquisition": "EI, xi=0.01, constant liar cl_min"}),
              "problems": {}}
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        for name in args.problems.split(","):
            output["problems"][name] = {}
            for label, options in runs.items():
                summary = compare(problems[name], range(args.seeds), args.budget,
                                  n_initial_points=args.initial_points, threshold=args.threshold, **options)
                (method,) = summary["methods"].values()
                output["problems"][name][label] = method
                print(f"{name:16s} {label:26s} median final regret {method['median_final_regret']:.2e}  "
                      f"reached {method['fraction_reached']:.0%}  median evaluations "
                      f"{method['median_evaluations_to_threshold']}  ({method['wall_s']:.0f} s)", flush=True)
                write_json(args.out, output)
            batch = np.array(output["problems"][name][f"batch {args.workers}"]["final_regrets"])
            output["problems"][name]["paired_against_batch"] = {}
            for label in (f"pipeline {args.workers}", f"pipeline {args.workers} + 1 queued"):
                pipe = np.array(output["problems"][name][label]["final_regrets"])
                output["problems"][name]["paired_against_batch"][label] = {
                    "seeds_pipeline_better": int(np.sum(pipe < batch)),
                    "seeds_batch_better": int(np.sum(batch < pipe)),
                    "median_log10_ratio_pipeline_to_batch": float(np.median(np.log10(
                        np.maximum(pipe, 1e-12) / np.maximum(batch, 1e-12))))}
            print(f"{name}: paired {output['problems'][name]['paired_against_batch']}", flush=True)
    output["wall_s"] = time.perf_counter() - start
    write_json(args.out, output)
    plot(output, Path(args.out).with_suffix(".png"))
    print(f"wrote {args.out} in {output['wall_s']:.0f} s")
    return 0


def plot(output: dict, path: Path) -> None:
    """One panel per problem: the median (over seeds) best-regret curve of each schedule."""
    from hetnet.plotting import new_figure, regret_curves

    problems = output["problems"]
    figure, axes = new_figure(1, len(problems), squeeze=False)
    for ax, (name, runs) in zip(axes[0], problems.items()):
        regret_curves({label: run["median_curve"] for label, run in runs.items() if "median_curve" in run}, ax,
                      title=name, threshold=output["provenance"]["settings"]["threshold_regret"])
    figure.suptitle(f"median over {output['provenance']['settings']['seeds']} seeds")
    figure.savefig(path, dpi=100, bbox_inches="tight")
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
