"""Benchmark of issue 5: distribution BO vs plain-Matérn BO vs random search, 10 seeds.

Runs the analytic problems of :mod:`hetnet.bo.benchmark` (known optima on
Gamma / LogNormal distributions) with the Wasserstein–Matérn GP, the plain
Matérn GP on raw normalised parameters and uniform random search, on the
same seeds and budget, and writes ``bench/results/bo.json`` (machine,
versions, settings, per-method medians and curves).

Usage: ``python bench/bench_bo.py [--budget 30] [--seeds 10] [--problems gamma-1,gamma-2-w2]``
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
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "bo.json"))
    args = parser.parse_args(argv)
    problems = analytic_problems()
    output = {
        "benchmark": "issue 5: Wasserstein-Matern BO vs Matern BO vs random search on analytic distribution problems",
        "machine": {"platform": platform.platform(), "processor": platform.processor(), "cpu_count": os.cpu_count(),
                    "load_average_at_start": os.getloadavg()},
        "versions": versions(),
        "settings": {"budget": args.budget, "seeds": list(range(args.seeds)), "n_initial_points": args.initial_points,
                     "threshold_regret": args.threshold, "acquisition": "EI, xi=0.01, batch 1",
                     "gp": "skopt GaussianProcessRegressor, ConstantKernel * kernel, normalize_y, fitted noise"},
        "problems": {},
    }
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        for name in args.problems.split(","):
            summary = compare(problems[name], range(args.seeds), args.budget, n_initial_points=args.initial_points,
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


if __name__ == "__main__":
    sys.exit(main())
