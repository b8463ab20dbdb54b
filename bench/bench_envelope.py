"""Benchmark of issue 17 item 1: a new network structure per evaluation, own build against the complete envelope.

An optimiser that searches the architecture (C, lambda, p_in, connectivity
seed) gives every evaluation a new structure. With its own build, each new
structure compiles two programs (plastic, frozen); inside the complete
envelope (:mod:`hetnet.network.envelope`) every structure of one size runs in
the same two programs, whose runs deliver every pair's events.

Protocol, per size N: the memory protocol's two runs (STDP on ``train_steps``
input steps, frozen on ``n_steps``; the objective's full settings 200 / 2000)
of default HeNHeS networks, ``cpp_standalone``, one process. First the four
programs are compiled (own plastic / frozen, envelope plastic / frozen) and
their compile times recorded; then ``--rounds`` paired rounds, the order
alternating, each round drawing a **new structure** (connectivity seed and C,
lambda, p_in drawn from the search space's ranges): the own side compiles it
(two programs) and runs it, the envelope side runs it in the envelope's
programs. Every round checks that both sides give the same spikes. Reported:
medians of the per-evaluation wall time (compile + runs) per side, the median
of the paired ratios, and the warm run times (the envelope's delivery cost,
against the own build re-run without compiling).

``--kind bounds`` measures the other envelope: the connectivity seed fixed for every
structure (``--seed``, as ``NetworkObjective(fixed_structure=True)`` does), the envelope the
network drawn with that seed at the upper ends of the ranges (``c_scale`` 2, ``lambda`` 6,
``p_in`` 1), which holds every structure drawn; recorded under the size key ``"N-bounds"``.

Usage (sizes measured by an earlier call stay in the JSON)::

    .venv/bin/python bench/bench_envelope.py [--sizes 500] [--rounds 3] [--kind complete|bounds]
        [--out bench/results/envelope.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _runs(network, config, train_steps, n_steps, envelope):
    """The memory protocol's two simulations; ``(seconds, frozen result, builds compiled)``."""
    from hetnet.encoding import encode_series
    from hetnet.network import simulate
    from hetnet.tasks.memory import memory_drive

    clock = time.perf_counter()
    trained = simulate(network, encode_series(memory_drive(train_steps, 1)[:, None], config.input), plastic=True,
                       seed=1, backend="cpp_standalone", envelope=envelope)
    frozen = simulate(trained.final_network, encode_series(memory_drive(n_steps, 0)[:, None], config.input),
                      plastic=False, seed=2, backend="cpp_standalone", envelope=envelope)
    compiled = int(trained.provenance["build"]["compiled"]) + int(frozen.provenance["build"]["compiled"])
    return time.perf_counter() - clock, frozen, compiled


def main(argv=None) -> int:
    from hetnet.config import HRSNNConfig
    from hetnet.encoding import encode_series
    from hetnet.io import write_json
    from hetnet.network import complete_envelope, generate_network, input_kind_of
    from hetnet.provenance import provenance

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--train-steps", type=int, default=200)
    parser.add_argument("--n-steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kind", choices=("complete", "bounds"), default="complete",
                        help="complete: every pair, a new connectivity seed per structure; bounds: the connectivity "
                             "seed fixed (--seed), the envelope drawn at the ranges' upper ends (c_scale 2, "
                             "lambda 6, p_in 1)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "envelope.json"))
    args = parser.parse_args(argv)
    os.environ["HETNET_CACHE"] = tempfile.mkdtemp(prefix="hetnet-bench-envelope-")   # cold cache: compiles counted

    generator = np.random.default_rng(args.seed)
    sizes = {}
    for n_neurons in args.sizes:
        start = time.perf_counter()
        base = HRSNNConfig(n_neurons=n_neurons, variant="HeNHeS", seed=args.seed)
        n_input = encode_series(np.zeros((2, 1)), base.input).n_channels
        kind = input_kind_of(encode_series(np.zeros((2, 1)), base.input))

        def structure(round_number):
            scale = generator.uniform(0.25, 2.0)
            connectivity = {name: min(1.0, getattr(base.connectivity, name) * scale)
                            for name in ("c_ee", "c_ei", "c_ie", "c_ii")}
            connectivity.update(lambda_grid=float(generator.uniform(1.0, 6.0)), p_in=float(generator.uniform(0.1, 1.0)))
            seed = args.seed if args.kind == "bounds" else 1000 + round_number
            config = base.replace(seed=seed, connectivity=connectivity)
            return config, generate_network(config, n_input, input_kind=kind)

        config, network = structure(-1)
        if args.kind == "bounds":   # same seed, every range at its upper end: holds every structure drawn
            upper = {name: min(1.0, getattr(base.connectivity, name) * 2.0) for name in ("c_ee", "c_ei", "c_ie", "c_ii")}
            upper.update(lambda_grid=6.0, p_in=1.0)
            envelope_network = generate_network(base.replace(connectivity=upper), n_input, input_kind=kind)
            chosen = envelope_network
        else:
            envelope_network = complete_envelope(network)
            chosen = "complete"
        first = {side: _runs(network, config, args.train_steps, args.n_steps, envelope)
                 for side, envelope in (("own", None), ("envelope", chosen))}
        warm = {side: [] for side in first}
        per_evaluation = {side: [] for side in first}
        compiled = {side: [] for side in first}
        for round_number in range(args.rounds):
            order = ("own", "envelope") if round_number % 2 == 0 else ("envelope", "own")
            for side in order:          # the same structure re-run: no compile on either side
                warm[side].append(_runs(network, config, args.train_steps, args.n_steps,
                                        chosen if side == "envelope" else None)[0])
            new_config, new_network = structure(round_number)
            results = {}
            for side in order:          # a new structure: the own side compiles it
                seconds, frozen, count = _runs(new_network, new_config, args.train_steps, args.n_steps,
                                               chosen if side == "envelope" else None)
                per_evaluation[side].append(seconds)
                compiled[side].append(count)
                results[side] = frozen
            if not (np.array_equal(results["own"].spike_indices, results["envelope"].spike_indices)
                    and np.array_equal(results["own"].spike_times_ms, results["envelope"].spike_times_ms)):
                raise AssertionError(f"N = {n_neurons}, round {round_number}: the two sides' spikes differ")
            print(f"N = {n_neurons}, round {round_number + 1}/{args.rounds}: new structure own "
                  f"{per_evaluation['own'][-1]:.1f} s ({compiled['own'][-1]} compiled), envelope "
                  f"{per_evaluation['envelope'][-1]:.1f} s ({compiled['envelope'][-1]} compiled); warm own "
                  f"{warm['own'][-1]:.2f} s, envelope {warm['envelope'][-1]:.2f} s", flush=True)
        sizes[str(n_neurons) if args.kind == "complete" else f"{n_neurons}-bounds"] = {
            "envelope": args.kind,
            "provenance": provenance(seed=args.seed, backend="cpp_standalone",
                                     settings={"rounds": args.rounds, "train_steps": args.train_steps,
                                               "n_steps": args.n_steps, "variant": "HeNHeS"}),
            "recurrent_synapses": {"own_first_structure": int(network.n_synapses),
                                   f"{args.kind}_envelope": int(envelope_network.n_synapses)},
            "first_call_seconds_including_compile": {side: value[0] for side, value in first.items()},
            "new_structure_seconds": {side: {"median": statistics.median(v), "all": v}
                                      for side, v in per_evaluation.items()},
            "programs_compiled_per_new_structure": compiled,
            "median_paired_ratio_own_over_envelope_new_structure": statistics.median(
                o / e for o, e in zip(per_evaluation["own"], per_evaluation["envelope"])),
            "warm_seconds": {side: {"median": statistics.median(v), "all": v} for side, v in warm.items()},
            "median_paired_ratio_envelope_over_own_warm": statistics.median(
                e / o for o, e in zip(warm["own"], warm["envelope"])),
            "same_spikes_every_round": True,
            "wall_s": time.perf_counter() - start,
        }
    earlier = {}
    if Path(args.out).is_file():      # sizes measured in earlier calls are kept (each with its own provenance)
        earlier = json.loads(Path(args.out).read_text()).get("sizes", {})
    record = {
        "benchmark": "issue 17 item 1: new structure per evaluation, own build vs the complete envelope (sizes "
                     "'N-bounds': the connectivity seed fixed, the envelope drawn at the ranges' upper ends)",
        "sizes": {**earlier, **sizes},
    }
    write_json(args.out, record)
    for n_neurons, entry in record["sizes"].items():
        print(f"N = {n_neurons}: new structure per evaluation, own build "
              f"{entry['new_structure_seconds']['own']['median']:.1f} s vs envelope "
              f"{entry['new_structure_seconds']['envelope']['median']:.1f} s "
              f"({entry['median_paired_ratio_own_over_envelope_new_structure']:.1f}x); warm runs: envelope "
              f"{entry['median_paired_ratio_envelope_over_own_warm']:.2f}x the own build's")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
