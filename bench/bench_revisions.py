"""Network-loop time of two hetnet revisions on the same network, in paired, interleaved rounds.

A kernel change is judged against the code before it *in the same run*: this
script extracts a git revision (``--baseline``, default ``HEAD~1``) into a
temporary folder and starts two worker processes, one importing that
revision and one importing this checkout, each with its own fresh build
cache. Each worker builds the benchmark network of ``bench_backends.py``
(N neurons, 100 Poisson inputs at 12 Hz, 1 s, cpp_standalone), runs it once
to compile, then runs it once per round when asked; the rounds alternate
baseline / current, so the host's load hits both alike. Every round checks
that both revisions produce the same spikes (a kernel change must not change
results), and the JSON records each side's network-loop times
(``provenance["network_loop_seconds"]``) and the paired ratios
baseline / current (> 1: the current checkout is faster).

Usage::

    .venv/bin/python bench/bench_revisions.py [--baseline REV] [--sizes 500 2000 5000]
        [--modes static plastic] [--rounds 9] [--out bench/results/revisions.json]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

_WORKER = """
import hashlib
import sys
import numpy as np
from hetnet.config import HRSNNConfig
from hetnet.encoding import RateStimulus
from hetnet.network import generate_network, simulate

n, plastic = int(sys.argv[1]), sys.argv[2] == "plastic"
stimulus = RateStimulus(np.full((100, 100), 12.0), step_ms=10.0)
network = generate_network(HRSNNConfig(n_neurons=n, seed=0), n_input=100, input_kind="spikes")
simulate(network, stimulus, plastic=plastic, backend="cpp_standalone", seed=3)   # compiles
import hetnet
print("ready", hetnet.__file__, flush=True)
for _ in sys.stdin:
    result = simulate(network, stimulus, plastic=plastic, backend="cpp_standalone", seed=3)
    digest = hashlib.sha256(result.spike_indices.tobytes() + result.spike_times_ms.tobytes()).hexdigest()
    print(result.provenance["network_loop_seconds"], digest, flush=True)
"""


def log(message: str):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Worker:
    """One revision's worker process (see the module docstring)."""

    def __init__(self, tree: Path, cache: Path, n: int, mode: str):
        # run from the cache folder: the folder a process starts in comes first on its import path
        env = dict(os.environ, HETNET_CACHE=str(cache), PYTHONPATH=str(tree))
        cache.mkdir(parents=True)
        self.process = subprocess.Popen([sys.executable, "-c", _WORKER, str(n), mode], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                                        cwd=cache)
        line = self.process.stdout.readline().split()
        if line[:1] != ["ready"] or not Path(line[1]).is_relative_to(tree):
            raise RuntimeError(f"a worker did not start on the revision in {tree} (printed {' '.join(line)!r})")

    def run(self) -> tuple:
        self.process.stdin.write("run\n")
        self.process.stdin.flush()
        loop, digest = self.process.stdout.readline().split()
        return float(loop), digest

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=60)


def revision_info(revision: str) -> dict:
    commit = subprocess.run(["git", "rev-parse", revision], cwd=ROOT, capture_output=True, text=True, check=True)
    subject = subprocess.run(["git", "log", "-1", "--format=%s", revision], cwd=ROOT, capture_output=True,
                             text=True, check=True)
    return {"revision": revision, "commit": commit.stdout.strip(), "subject": subject.stdout.strip()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="HEAD~1", help="git revision to compare this checkout against")
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--modes", nargs="+", choices=("static", "plastic"), default=["static", "plastic"])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "revisions.json"))
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds must be >= 1; got {args.rounds}")
    sys.path.insert(0, str(ROOT))
    from hetnet.io import write_json
    from hetnet.provenance import provenance

    workdir = Path(tempfile.mkdtemp(prefix="hetnet-revisions-"))
    baseline_tree = workdir / "baseline"
    baseline_tree.mkdir()
    archive = subprocess.run(["git", "archive", args.baseline], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(baseline_tree)], input=archive.stdout, check=True)
    output = {
        "benchmark": "network-loop time of two hetnet revisions, paired interleaved rounds (bench/bench_revisions.py)",
        "provenance": provenance(backend="cpp_standalone"),
        "baseline": revision_info(args.baseline),
        "current": {**revision_info("HEAD"), "working_tree_changes": bool(subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
            text=True).stdout.strip())},
        "settings": {"sizes": args.sizes, "modes": args.modes, "rounds": args.rounds, "n_input": 100,
                     "input_rate_hz": 12.0, "biological_time_ms": 1000.0, "dt_ms": 0.1, "backend": "cpp_standalone"},
        "load_average_at_start": os.getloadavg(),
        "results": {},
    }
    for n in args.sizes:
        for mode in args.modes:
            log(f"N={n} {mode}: compiling both revisions")
            baseline = Worker(baseline_tree, workdir / f"cache-baseline-{n}-{mode}", n, mode)
            current = Worker(ROOT, workdir / f"cache-current-{n}-{mode}", n, mode)
            times = {"baseline": [], "current": []}
            for _ in range(args.rounds):
                (loop_b, spikes_b), (loop_c, spikes_c) = baseline.run(), current.run()
                if spikes_b != spikes_c:
                    raise RuntimeError(f"N={n} {mode}: the two revisions produced different spikes")
                times["baseline"].append(loop_b)
                times["current"].append(loop_c)
            baseline.close()
            current.close()
            ratios = [b / c for b, c in zip(times["baseline"], times["current"])]
            output["results"][f"{n}-{mode}"] = {
                "n_neurons": n, "mode": mode, "same_spikes_every_round": True,
                "network_loop_seconds": times,
                "median_network_loop_seconds": {side: float(np.median(values)) for side, values in times.items()},
                "ratio_baseline_over_current_paired": ratios,
                "ratio_baseline_over_current_paired_median": float(np.median(ratios)),
            }
            log(f"N={n} {mode}: loop {np.median(times['baseline']) * 1e3:.1f} ms -> "
                f"{np.median(times['current']) * 1e3:.1f} ms, paired median {np.median(ratios):.2f}x faster")
    output["load_average_at_end"] = os.getloadavg()
    write_json(args.out, output)
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
