"""Benchmark of issue 17 item 2: the plastic and the frozen program kept ready in the process.

An evaluation of the memory protocol runs the network's plastic program
(STDP phase) and then its frozen program (measured run). Until this change
a process held one Brian2 standalone build at a time, so every switch
between the two generated the other program's Brian2 project again (the
binary itself came from the cache: nothing compiled). Now each build has
its own Brian2 device and the process keeps both ready.

Both ways run in one process, interleaved, the order alternating per round:
``ready`` = :func:`hetnet.tasks.memory.measure_memory` as it runs now;
``regenerate`` = the same call after
:meth:`hetnet.backends.standalone.StandaloneBuild.forget_ready`, which is
what every switch cost before. Each call has a new seed (new input drive and
random streams, same structure, so the same two programs). Reported: medians
of the wall time per evaluation, of the paired (same round) differences,
and of the project-generation time the timing records show; the memory
capacities of the two ways must be equal (same seed, same programs).

Usage::

    .venv/bin/python bench/bench_ready_builds.py [--sizes 500 2000] [--rounds 8]
        [--out bench/results/ready_builds.json]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: the BO objective's protocol: STDP phase, frozen measured run, memory capacity to k = 50 with 5 nulls
TRAIN_STEPS, MEASURED_STEPS, K_MAX, N_NULL = 200, 2000, 50, 5


def evaluation(config, network, seed: int, *, ready: bool) -> dict:
    """One memory-protocol evaluation on cpp_standalone; wall time and the time breakdown."""
    from hetnet.backends.standalone import StandaloneBuild
    from hetnet.network.timing import record_simulations, simulation_timings, time_breakdown
    from hetnet.tasks.memory import measure_memory

    if not ready:
        StandaloneBuild.forget_ready()
    start = time.perf_counter()
    with record_simulations() as simulations:
        measurement = measure_memory(config, network=network, n_steps=MEASURED_STEPS, train_steps=TRAIN_STEPS,
                                     k_max=K_MAX, n_null=N_NULL, seed=seed, backend="cpp_standalone")
    wall = time.perf_counter() - start
    breakdown = time_breakdown(wall, simulation_timings(simulations))
    return {"seed": seed, "wall_seconds": wall, "memory_capacity": float(measurement.capacity.total),
            **{key: breakdown[key] for key in ("compile_s", "project_s", "bare_s", "simulate_wall_s")}}


def bench_size(n: int, rounds: int) -> dict:
    from hetnet.config import HRSNNConfig
    from hetnet.network import generate_network

    config = HRSNNConfig(n_neurons=n, seed=0)
    network = generate_network(config, n_input=1)
    warm = evaluation(config, network, 10_000, ready=True)   # compiles (or finds) both programs
    runs = {"ready": [], "regenerate": []}
    for round_index in range(rounds):
        order = ("ready", "regenerate") if round_index % 2 == 0 else ("regenerate", "ready")
        for side in order:
            runs[side].append(evaluation(config, network, 10_001 + round_index, ready=side == "ready"))
        print(f"[{time.strftime('%H:%M:%S')}] N = {n}, round {round_index + 1}/{rounds}: "
              f"ready {runs['ready'][-1]['wall_seconds']:.2f} s, "
              f"regenerate {runs['regenerate'][-1]['wall_seconds']:.2f} s", file=sys.stderr, flush=True)
    medians = {side: {key: statistics.median(run[key] for run in records)
                      for key in ("wall_seconds", "project_s", "compile_s", "bare_s", "simulate_wall_s")}
               for side, records in runs.items()}
    paired = [regenerate["wall_seconds"] - ready["wall_seconds"]
              for ready, regenerate in zip(runs["ready"], runs["regenerate"])]
    return {
        "n_neurons": n, "rounds": rounds, "first_evaluation": warm, "medians": medians,
        "median_paired_saving_seconds": statistics.median(paired),
        "median_paired_ratio": statistics.median(
            regenerate["wall_seconds"] / ready["wall_seconds"]
            for ready, regenerate in zip(runs["ready"], runs["regenerate"])),
        "same_memory_capacity": all(ready["memory_capacity"] == regenerate["memory_capacity"]
                                    for ready, regenerate in zip(runs["ready"], runs["regenerate"])),
        "compiled_after_first": any(run["compile_s"] > 0 for records in runs.values() for run in records),
        "runs": runs,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "ready_builds.json"))
    args = parser.parse_args(argv)
    from hetnet.io import write_json
    from hetnet.provenance import provenance

    load_before = os.getloadavg()
    sizes = {str(n): bench_size(n, args.rounds) for n in args.sizes}
    report = {
        "what": "memory-protocol evaluations (STDP phase then frozen run, MC to k = 50 with 5 nulls) on "
                "cpp_standalone, same structure, new seed per evaluation; ready = plastic and frozen programs "
                "kept ready in the process (now), regenerate = the Brian2 project generated again at every "
                "switch (before); interleaved, order alternating",
        "provenance": provenance(backend="cpp_standalone"),   # versions, machine, date
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "protocol": {"train_steps": TRAIN_STEPS, "measured_steps": MEASURED_STEPS, "k_max": K_MAX, "n_null": N_NULL},
        "sizes": sizes,
    }
    write_json(args.out, report)
    for n, record in sizes.items():
        medians = record["medians"]
        print(f"N = {n}: per evaluation ready {medians['ready']['wall_seconds']:.2f} s (project "
              f"{medians['ready']['project_s']:.2f} s), regenerate {medians['regenerate']['wall_seconds']:.2f} s "
              f"(project {medians['regenerate']['project_s']:.2f} s); paired saving "
              f"{record['median_paired_saving_seconds']:.2f} s, ratio {record['median_paired_ratio']:.2f}; "
              f"same MC: {record['same_memory_capacity']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
