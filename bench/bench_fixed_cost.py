"""Benchmark of issue 17 item 5: the fixed cost of one standalone re-run, before and after lean results.

The network of ``bench_backends.py`` at N = 500 (100 Poisson inputs at 12 Hz,
1 s of biological time, dt = 0.1 ms), frozen synapses (the readout runs of
an evaluation). Two worker processes build the same network, one with
``hetnet.backends.lean_results.LEAN_RESULTS = False`` (``before``: the
binary writes every array back, as Brian2 does) and one with ``True``
(``after``: only the arrays hetnet reads), each in its own build cache.
Then the re-runs are interleaved, one of each per round (the order
alternating), so the shared machine's load hits both alike.

Per re-run: ``fixed`` = wall time of :func:`hetnet.network.simulate` minus
the network loop's own time (``network_loop_seconds``): process start,
value files, writing and reading the results, hetnet's Python side;
``binary_fixed`` = the binary's wall time (``binary_seconds``) minus the
loop. Reported: medians per side and the median of the paired (same round)
differences, and the results folder's files and bytes.

Usage::

    .venv/bin/python bench/bench_fixed_cost.py [--n 500] [--rounds 20] [--out bench/results/fixed_cost.json]
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
N_INPUT, DURATION_STEPS, STEP_MS, RATE_HZ = 100, 100, 10.0, 12.0


def worker(lean: bool, n: int) -> int:
    """Build once, then one frozen re-run per 'run' line on stdin; one JSON line each."""
    import numpy as np

    from hetnet.backends import lean_results
    from hetnet.backends.standalone import wait_for_cleanup
    from hetnet.config import HRSNNConfig
    from hetnet.encoding import RateStimulus
    from hetnet.network import generate_network, simulate

    lean_results.LEAN_RESULTS = lean
    stimulus = RateStimulus(np.full((DURATION_STEPS, N_INPUT), RATE_HZ), step_ms=STEP_MS)
    network = generate_network(HRSNNConfig(n_neurons=n, seed=0), n_input=N_INPUT, input_kind="spikes")
    first = simulate(network, stimulus, plastic=False, backend="cpp_standalone", keep_results=True)
    results = Path(first.provenance["build"]["directory"]).glob("results-*")
    folder = max(results, key=lambda path: path.stat().st_mtime)
    files = [path for path in folder.iterdir() if path.is_file()]
    print(json.dumps({"ready": True, "compiled": first.provenance["build"]["compiled"],
                      "results_files": len(files), "results_bytes": sum(path.stat().st_size for path in files),
                      "n_spikes": int(first.spike_indices.size)}), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        result = simulate(network, stimulus, plastic=False, backend="cpp_standalone")
        wait_for_cleanup()
        prov = result.provenance
        print(json.dumps({"wall_seconds": prov["wall_seconds"], "simulation_seconds": prov["simulation_seconds"],
                          "binary_seconds": prov["binary_seconds"], "loop_seconds": prov["network_loop_seconds"],
                          "compiled": prov["build"]["compiled"], "n_spikes": int(result.spike_indices.size),
                          "checksum": float(result.spike_times_ms.sum())}), flush=True)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--worker", choices=("lean", "full"), default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "fixed_cost.json"))
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker == "lean", args.n)
    load_before = os.getloadavg()
    sides = {}
    for side, mode in (("before", "full"), ("after", "lean")):
        env = dict(os.environ, HETNET_CACHE=tempfile.mkdtemp(prefix=f"hetnet-fixed-{side}-"),
                   PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
        sides[side] = subprocess.Popen([sys.executable, __file__, "--worker", mode, "--n", str(args.n)],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    ready = {side: json.loads(process.stdout.readline()) for side, process in sides.items()}
    print(f"[{time.strftime('%H:%M:%S')}] built: {ready}", file=sys.stderr, flush=True)
    runs = {side: [] for side in sides}
    for round_index in range(args.rounds):
        order = ("before", "after") if round_index % 2 == 0 else ("after", "before")
        for side in order:
            sides[side].stdin.write("run\n")
            sides[side].stdin.flush()
            record = json.loads(sides[side].stdout.readline())
            record["fixed_seconds"] = record["wall_seconds"] - record["loop_seconds"]
            record["binary_fixed_seconds"] = record["binary_seconds"] - record["loop_seconds"]
            runs[side].append(record)
    for process in sides.values():
        process.stdin.close()
        process.wait(timeout=120)
    summary = {}
    for side, records in runs.items():
        summary[side] = {key: statistics.median([record[key] for record in records])
                         for key in ("wall_seconds", "loop_seconds", "binary_seconds", "fixed_seconds",
                                     "binary_fixed_seconds")}
        summary[side].update(results_files=ready[side]["results_files"], results_bytes=ready[side]["results_bytes"],
                             recompiled=any(record["compiled"] for record in records))
    paired = {key: statistics.median([b[key] - a[key] for b, a in zip(runs["before"], runs["after"])])
              for key in ("fixed_seconds", "binary_fixed_seconds", "wall_seconds")}
    from hetnet.io import write_json
    from hetnet.provenance import provenance

    report = {
        "what": f"fixed cost of one cpp_standalone re-run (frozen synapses), N = {args.n}, {N_INPUT} Poisson inputs "
                f"at {RATE_HZ} Hz, {DURATION_STEPS * STEP_MS / 1000:g} s; fixed = simulate wall - network loop, "
                "binary_fixed = binary wall - network loop; before = every array written back (Brian2), "
                "after = only the arrays hetnet reads (hetnet.backends.lean_results)",
        "provenance": provenance(backend="cpp_standalone"),   # versions, machine, date
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "rounds": args.rounds,
        "medians": summary,
        "median_paired_saving_seconds": paired,
        "same_spikes": runs["before"][0]["checksum"] == runs["after"][0]["checksum"]
                       and runs["before"][0]["n_spikes"] == runs["after"][0]["n_spikes"],
        "runs": runs,
    }
    write_json(args.out, report)
    print(f"fixed cost median: before {summary['before']['fixed_seconds'] * 1e3:.1f} ms, after "
          f"{summary['after']['fixed_seconds'] * 1e3:.1f} ms (paired saving {paired['fixed_seconds'] * 1e3:.1f} ms); "
          f"binary fixed: before {summary['before']['binary_fixed_seconds'] * 1e3:.1f} ms, after "
          f"{summary['after']['binary_fixed_seconds'] * 1e3:.1f} ms; results files "
          f"{summary['before']['results_files']} -> {summary['after']['results_files']}, bytes "
          f"{summary['before']['results_bytes']} -> {summary['after']['results_bytes']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
