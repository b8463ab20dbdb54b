"""Benchmark of issue 5: distribution BO vs plain-Matérn BO vs random search, 10 seeds.

Runs the analytic problems of :mod:`hetnet.bo.benchmark` (known optima on
Gamma / LogNormal distributions) with the Wasserstein–Matérn GP, the plain
Matérn GP on raw normalised parameters and uniform random search, on the
same seeds and budget, and writes ``bench/results/bo.json`` (machine,
versions, settings, per-method medians and curves).

Usage: ``python bench/bench_bo.py [--budget 30] [--seeds 10] [--problems gamma-1,gamma-2-w2]
[--methods wasserstein,matern,random] [--acquisition-restarts 5] [--out bench/results/bo.json]``
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hetnet.bo.benchmark import analytic_problems, compare  # noqa: E402
from hetnet.bo.optimizer import DEFAULT_ACQUISITION_RESTARTS  # noqa: E402


def versions() -> dict:
    import numpy, scipy, sklearn, skopt, ot
    return {"python": platform.python_version(), "numpy": numpy.__version__, "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__, "scikit-optimize": skopt.__version__, "POT": ot.__version__}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--initial-points", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=0.01)
    parser.add_argument("--problems", default="gamma-1,gamma-2-w2,lognormal-gamma")
    parser.add_argument("--methods", default="wasserstein,matern,random")
    parser.add_argument("--acquisition-restarts", type=int, default=None,
                        help="L-BFGS starts of the acquisition (default: hetnet's, DEFAULT_ACQUISITION_RESTARTS)")
    parser.add_argument("--paired", nargs=2, metavar=("A.json", "B.json"),
                        help="compare two records of this benchmark seed by seed (same problems, methods and seeds; "
                             "e.g. two --acquisition-restarts values) and write the comparison to --out")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "bo.json"))
    args = parser.parse_args(argv)
    if args.paired:
        return paired(*args.paired, out=args.out)
    problems = analytic_problems()
    output = {
        "benchmark": "issue 5: Wasserstein-Matern BO vs Matern BO vs random search on analytic distribution problems",
        "machine": {"platform": platform.platform(), "processor": platform.processor(), "cpu_count": os.cpu_count(),
                    "load_average_at_start": os.getloadavg()},
        "versions": versions(),
        "settings": {"budget": args.budget, "seeds": list(range(args.seeds)), "n_initial_points": args.initial_points,
                     "threshold_regret": args.threshold, "acquisition": "EI, xi=0.01, batch 1",
                     "acquisition_restarts": args.acquisition_restarts or DEFAULT_ACQUISITION_RESTARTS,
                     "gp": "skopt GaussianProcessRegressor, ConstantKernel * kernel, normalize_y, fitted noise"},
        "problems": {},
    }
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        for name in args.problems.split(","):
            summary = compare(problems[name], range(args.seeds), args.budget, n_initial_points=args.initial_points,
                              methods=tuple(args.methods.split(",")),
                              acquisition_restarts=args.acquisition_restarts or DEFAULT_ACQUISITION_RESTARTS,
                              threshold=args.threshold)
            output["problems"][name] = summary
            line = ", ".join(f"{m}: median regret {s['median_final_regret']:.2e}, reached {s['fraction_reached']:.0%}"
                             for m, s in summary["methods"].items())
            print(f"{name}: {line}", flush=True)
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(json.dumps(output, indent=1) + "\n")
    output["wall_s"] = time.perf_counter() - start
    Path(args.out).write_text(json.dumps(output, indent=1) + "\n")
    print(f"wrote {args.out} in {output['wall_s']:.0f} s")
    return 0


def paired(path_a: str, path_b: str, out: str) -> int:
    """Seed-by-seed comparison of two records: final regrets, evaluations to the threshold, wall time."""
    import numpy as np

    from hetnet.io import write_json

    records = [json.loads(Path(path).read_text()) for path in (path_a, path_b)]
    labels = [f"{Path(path).stem} ({record['settings']})" for path, record in zip((path_a, path_b), records)]
    result = {"benchmark": "issue 17: two records of bench/bench_bo.py compared seed by seed",
              "a": {"file": path_a, "settings": records[0]["settings"], "versions": records[0].get("versions")},
              "b": {"file": path_b, "settings": records[1]["settings"], "versions": records[1].get("versions")},
              "problems": {}}
    for problem, summary_a in records[0]["problems"].items():
        summary_b = records[1]["problems"][problem]
        result["problems"][problem] = {}
        for method, a in summary_a["methods"].items():
            b = summary_b["methods"][method]
            final_a, final_b = np.array(a["final_regrets"]), np.array(b["final_regrets"])
            result["problems"][problem][method] = {
                "median_final_regret": [a["median_final_regret"], b["median_final_regret"]],
                "fraction_reached": [a["fraction_reached"], b["fraction_reached"]],
                "median_evaluations_to_threshold": [a["median_evaluations_to_threshold"],
                                                    b["median_evaluations_to_threshold"]],
                "seeds_a_better": int(np.sum(final_a < final_b)), "seeds_b_better": int(np.sum(final_b < final_a)),
                "seeds_equal": int(np.sum(final_a == final_b)),
                "median_log10_ratio_b_over_a": float(np.median(np.log10(np.maximum(final_b, 1e-12)
                                                                        / np.maximum(final_a, 1e-12)))),
                "wall_s": [a["wall_s"], b["wall_s"]],
            }
            row = result["problems"][problem][method]
            print(f"{problem:16s} {method:12s} median regret {row['median_final_regret'][0]:.2e} vs "
                  f"{row['median_final_regret'][1]:.2e}, reached {row['fraction_reached'][0]:.0%} vs "
                  f"{row['fraction_reached'][1]:.0%}, better on {row['seeds_a_better']} vs {row['seeds_b_better']} "
                  f"seeds, wall {row['wall_s'][0]:.0f} vs {row['wall_s'][1]:.0f} s")
    write_json(out, result)
    _plot_paired(records, [Path(path_a).stem, Path(path_b).stem], Path(out).with_suffix(".png"))
    print(f"a = {labels[0]}\nb = {labels[1]}\nwrote {out}")
    return 0


def _plot_paired(records, names, path: Path) -> None:
    """One panel per problem: each method's median best-regret curve in both records."""
    from hetnet.plotting import new_figure, regret_curves

    problems = list(records[0]["problems"])
    figure, axes = new_figure(1, len(problems), squeeze=False)
    for ax, problem in zip(axes[0], problems):
        curves = {f"{method} ({name})": record["problems"][problem]["methods"][method]["median_curve"]
                  for method in records[0]["problems"][problem]["methods"] for record, name in zip(records, names)}
        regret_curves(curves, ax, title=problem, threshold=records[0]["settings"]["threshold_regret"])
    figure.suptitle(f"median over {len(records[0]['settings']['seeds'])} seeds")
    figure.savefig(path, dpi=100, bbox_inches="tight")
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
