"""Benchmark of issue 17 item 3: ``hetnet run`` (the default task) on each backend, cold and warm cache.

Runs the ``hetnet run`` command (default task: HoNHoS vs HeNHeS on Lorenz-63)
in fresh processes, as a user does, and records each run's wall time:

* ``runtime`` (the default before issue 17);
* ``cpp_standalone`` on an empty build cache (``cold``: compiles the plastic
  and the frozen program) and then on the filled one (``warm``), repeated;
* ``auto`` when this hetnet has it (what it picked is in the results).

The runs of a round are interleaved (runtime, standalone warm, ...) so a
change in the shared machine's load hits every side alike; the report gives
the medians of the paired ratios runtime / warm standalone. The metrics
printed by each run (NRMSE, rates, ...) are compared between backends: equal
to the last digit means the results are identical.

Usage::

    .venv/bin/python bench/bench_default_backend.py [--rounds 2] [--out bench/results/default_backend.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_COMMAND = "import sys; from hetnet.cli.main import main; sys.exit(main())"


def run_once(backend: str, cache: Path, extra=()) -> dict:
    """One ``hetnet run --backend BACKEND`` in a new process; wall time and the metrics it wrote."""
    out = Path(tempfile.mkdtemp(prefix="hetnet-bench-run-"))
    env = dict(os.environ, HETNET_CACHE=str(cache), PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    child = subprocess.run([sys.executable, "-c", _COMMAND, "run", "--out", str(out), "--force", "-q",
                            "--backend", backend, *extra], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"hetnet run --backend {backend} failed ({child.returncode}): {child.stderr[-2000:]}")
    results = json.loads((out / "results.json").read_text())
    metrics = {variant: {key: value for key, value in row.items() if key != "wall_seconds"}
               for variant, row in results.get("variants", results.get("results", {})).items()
               if isinstance(row, dict)}
    used = sorted({record.get("backend") for record in results.get("simulation", {}).values()})
    choice = [record.get("backend_choice") for record in results.get("simulation", {}).values()]
    return {"backend": backend, "wall_seconds": wall, "metrics": metrics, "backend_used": used,
            "backend_choice": choice[0] if choice else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--auto", action="store_true", help="also run --backend auto (this hetnet has it)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "default_backend.json"))
    args = parser.parse_args(argv)
    cache = Path(tempfile.mkdtemp(prefix="hetnet-bench-cache-"))
    load_before = os.getloadavg()
    runs = []

    def log(message):
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    cold = run_once("cpp_standalone", cache)
    cold["cache"] = "cold"
    runs.append(cold)
    log(f"cpp_standalone cold: {cold['wall_seconds']:.1f} s")
    for round_index in range(args.rounds):
        for backend in ("runtime", "cpp_standalone") + (("auto",) if args.auto else ()):
            record = run_once(backend, cache)
            record["cache"] = "warm" if backend != "runtime" else "-"
            record["round"] = round_index
            runs.append(record)
            log(f"round {round_index}: {backend}: {record['wall_seconds']:.1f} s")
    runtime = [r for r in runs if r["backend"] == "runtime"]
    warm = [r for r in runs if r["backend"] == "cpp_standalone" and r["cache"] == "warm"]
    ratios = [a["wall_seconds"] / b["wall_seconds"] for a, b in zip(runtime, warm)]
    identical_standalone = all(r["metrics"] == cold["metrics"] for r in warm)
    identical_backends = all(r["metrics"] == runtime[0]["metrics"] for r in runs)
    from hetnet.io import write_json
    from hetnet.provenance import provenance

    report = {
        "what": "hetnet run (default task, default options) per backend, fresh process each; cold = empty build "
                "cache (compiles the plastic and the frozen program), warm = cached binaries",
        "provenance": provenance(backend="runtime, cpp_standalone"),   # versions, machine, date
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "runs": runs,
        "cold_standalone_seconds": cold["wall_seconds"],
        "median_runtime_seconds": statistics.median([r["wall_seconds"] for r in runtime]),
        "median_warm_standalone_seconds": statistics.median([r["wall_seconds"] for r in warm]),
        "paired_ratios_runtime_over_warm": ratios,
        "median_ratio_runtime_over_warm": statistics.median(ratios),
        "target_ratio": 2.5,
        "standalone_results_identical_cold_and_warm": identical_standalone,
        "results_identical_runtime_and_standalone": identical_backends,
    }
    write_json(args.out, report)
    log(f"runtime {report['median_runtime_seconds']:.1f} s, warm standalone "
        f"{report['median_warm_standalone_seconds']:.1f} s (ratio {report['median_ratio_runtime_over_warm']:.2f}), "
        f"cold {cold['wall_seconds']:.1f} s; identical: standalone {identical_standalone}, "
        f"runtime vs standalone {identical_backends}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
