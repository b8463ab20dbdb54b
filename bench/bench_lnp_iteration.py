"""One LNP iteration at N = 2000 with rate homeostasis (issue 13 target: <= 10 s).

Usage::

    .venv/bin/python bench/bench_lnp_iteration.py          # 3 iterations, about a minute

Times whole iterations of :func:`hetnet.pruning.lyapunov_noise_pruning`
(steps I-III, the rate homeostasis after each, and the per-iteration Lyapunov
estimate; no spike measurements, no step IV) on the project's HRSNN with
N = 2000 and ``lambda_grid = 5.2`` (about 2e5 synapses, as
``bench_pruning.py``). Wall time and the process's CPU time are both written:
on a shared machine the CPU time is the better guide to an idle machine's
wall time. Writes ``bench/results/lnp_iteration.json``.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-neurons", type=int, default=2000)
    parser.add_argument("--lambda-grid", type=float, default=5.2)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "lnp_iteration.json")
    args = parser.parse_args(argv)

    from hetnet.config import HRSNNConfig
    from hetnet.io import write_json
    from hetnet.provenance import provenance
    from hetnet.pruning import lyapunov_noise_pruning, network_from_config

    config = HRSNNConfig(n_neurons=args.n_neurons, seed=0).replace(connectivity={"lambda_grid": args.lambda_grid})
    instance, start = network_from_config(config, n_input=6)
    wall, cpu, marks = [], [], []

    def mark(record):
        marks.append((time.perf_counter(), time.process_time(), record))

    load_before = os.getloadavg()
    history = lyapunov_noise_pruning(start, n_iterations=args.iterations, optimize_timescales=False, seed=0,
                                     callback=mark)
    for (w0, c0, _), (w1, c1, record) in zip(marks, marks[1:]):
        wall.append(w1 - w0)
        cpu.append(c1 - c0)
    result = {
        "benchmark": "one LNP iteration with rate homeostasis (issue 13)",
        "network": {"n_neurons": start.n_neurons, "n_synapses": start.n_synapses, "lambda_grid": args.lambda_grid},
        "target_seconds": 10.0,
        "iteration_wall_seconds": wall, "iteration_cpu_seconds": cpu,
        "step_seconds": [record.step_seconds for _, _, record in marks[1:]],
        "final": {"n_neurons": history.network.n_neurons, "n_synapses": history.network.n_synapses},
        "load_average_before": list(load_before), "load_average_after": list(os.getloadavg()),
        "note": "2 cores shared with other jobs: wall times are upper bounds of an idle machine; CPU time is "
                "the process's own (numpy may use both cores, so CPU time can exceed wall time)",
        "provenance": provenance(seed=0, config=config),
    }
    write_json(args.output, result)
    print(f"iteration wall seconds {[round(x, 2) for x in wall]}, cpu seconds {[round(x, 2) for x in cpu]}; "
          f"wrote {args.output}")


if __name__ == "__main__":
    main()
