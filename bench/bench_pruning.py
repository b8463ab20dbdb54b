"""Benchmark of Lyapunov noise pruning (issue 6): one iteration and a 100-iteration run.

Usage::

    .venv/bin/python bench/bench_pruning.py            # one-iteration timings (a few minutes)
    .venv/bin/python bench/bench_pruning.py --full     # also 100 iterations from N = 2000

Writes ``bench/results/pruning.json`` (machine, versions, settings, timings).
The unpruned network is the project's HRSNN (``generate_network``) with
N = 2000 and ``lambda_grid = 5.2``, which gives about 2e5 synapses (the
default ``lambda_grid = 2`` gives about 2e4).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-neurons", type=int, default=2000)
    parser.add_argument("--lambda-grid", type=float, default=5.2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also run 100 LNP iterations (< 15 min target)")
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--networkx", action="store_true", help="also time networkx betweenness with k = 256")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "pruning.json")
    args = parser.parse_args(argv)

    from hetnet.analysis import network_lyapunov
    from hetnet.config import HRSNNConfig
    from hetnet.provenance import machine, package_versions
    from hetnet.graph import betweenness_centrality, subnetwork_weights
    from hetnet.pruning import (
        add_delocalizing_edges,
        laplacian_ipr,
        lyapunov_noise_pruning,
        network_from_config,
        noise_prune,
        prune_nodes,
    )
    from hetnet.pruning.driver import DEFAULT_LYAPUNOV_OPTIONS

    config = HRSNNConfig(n_neurons=args.n_neurons, seed=0).replace(connectivity={"lambda_grid": args.lambda_grid})
    (instance, network), build_seconds = timed(network_from_config, config)
    print(f"network: {network.n_neurons} neurons, {network.n_synapses} synapses ({build_seconds:.1f} s)", flush=True)
    load_before = os.getloadavg()

    exponents, lyapunov_seconds = timed(network_lyapunov, network.weights_mV / 13.0, network.tau_m_ms,
                                        **DEFAULT_LYAPUNOV_OPTIONS, seed=0)
    print(f"per-neuron Lyapunov exponents ({DEFAULT_LYAPUNOV_OPTIONS}): {lyapunov_seconds:.2f} s", flush=True)

    timings = {"noise_cold": [], "noise_warm": [], "nodes": [], "delocalize": [], "steps_1_to_3_cold": [],
               "steps_1_to_3_warm": []}
    covariance_iterations = {}
    parts = []
    rng = np.random.default_rng(0)
    previous = None
    for repeat in range(args.repeats):
        start = time.perf_counter()
        step, noise_seconds = timed(noise_prune, network.weights_mV, 1000.0 / network.tau_m_ms,
                                    per_neuron_exponents_per_s=exponents.per_neuron_per_s, keep_fraction=0.98,
                                    initial_covariance=previous, seed=rng)
        timings["noise_warm" if previous is not None else "noise_cold"].append(noise_seconds)
        parts.append(step.seconds)
        nodes, node_seconds = timed(prune_nodes, step.weights, fraction=0.01, seed=rng)
        timings["nodes"].append(node_seconds)
        kept = nodes.surviving
        excluded = subnetwork_weights(network.weights_mV, kept)
        added, delocalize_seconds = timed(add_delocalizing_edges, nodes.weights, network.positions[kept],
                                          int(0.005 * nodes.weights.nnz), is_excitatory=network.is_excitatory[kept],
                                          radius=3.0, excluded=excluded, seed=rng)
        timings["delocalize"].append(delocalize_seconds)
        total = time.perf_counter() - start
        timings["steps_1_to_3_warm" if previous is not None else "steps_1_to_3_cold"].append(total)
        print(f"repeat {repeat}: step I {noise_seconds:.2f} s ({ {k: round(v, 2) for k, v in step.seconds.items()} }), "
              f"step II {node_seconds:.2f} s, step III {delocalize_seconds:.2f} s "
              f"({added.new_pre.size} edges of {added.n_candidates} candidates), total {total:.2f} s", flush=True)
        previous = step.covariance  # same network each repeat: the warm start of the next iteration

    exact_bc, exact_seconds = timed(betweenness_centrality, network.weights_mV)
    sampled_bc, sampled_seconds = timed(betweenness_centrality, network.weights_mV, n_sources=256, seed=0)
    from scipy import stats

    sampling = {
        "exact_seconds": exact_seconds, "sampled_256_seconds": sampled_seconds,
        "relative_l1_error_256": float(np.abs(sampled_bc - exact_bc).mean() / exact_bc.mean()),
        "spearman_256": float(stats.spearmanr(sampled_bc, exact_bc).statistic),
        "lowest_1pct_overlap_256": float(len(set(np.argsort(exact_bc)[:20]) & set(np.argsort(sampled_bc)[:20])) / 20),
    }
    print(f"betweenness: exact {exact_seconds:.2f} s, 256 sources {sampled_seconds:.2f} s, {sampling}", flush=True)
    if args.networkx:
        import networkx as nx

        graph = nx.from_scipy_sparse_array(network.weights_mV, create_using=nx.DiGraph)
        _, sampling["networkx_k256_seconds"] = timed(nx.betweenness_centrality, graph, k=256, seed=0)
        print(f"networkx k=256: {sampling['networkx_k256_seconds']:.2f} s", flush=True)
    _, ipr_seconds = timed(laplacian_ipr, network.weights_mV)

    report = {
        "benchmark": "LNP (issue 6)",
        "machine": machine(),
        "versions": package_versions(("hetnet", "numpy", "scipy", "networkx", "scikit-optimize")),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "note": "cores are shared with other engineers' jobs: timings are upper bounds of an idle machine",
        "network": {"n_neurons": network.n_neurons, "n_synapses": network.n_synapses,
                    "lambda_grid": args.lambda_grid, "build_seconds": build_seconds},
        "per_iteration": {
            "target_seconds": 10.0,
            "median_seconds": {k: (statistics.median(v) if v else None) for k, v in timings.items()},
            "all_seconds": timings,
            "noise_parts_seconds": parts,
            "lyapunov_exponents_seconds": lyapunov_seconds,
            "laplacian_ipr_seconds": ipr_seconds,
        },
        "betweenness": sampling,
    }
    if args.full:
        clock = time.perf_counter()
        history = lyapunov_noise_pruning(instance, n_iterations=args.iterations, seed=0,
                                         callback=lambda r: print(f"  it {r.iteration}: {r.n_neurons} n, "
                                                                  f"{r.n_synapses} s, {r.seconds:.1f} s", flush=True))
        total = time.perf_counter() - clock
        report["full_run"] = {
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"), "iterations": args.iterations, "total_seconds": total, "target_seconds": 900.0,
            "final_neurons": history.network.n_neurons, "final_synapses": history.network.n_synapses,
            "seconds_per_iteration": history.series("seconds").tolist(),
            "timescales_seconds": history.timescales.seconds if history.timescales else None,
            "max_lyapunov_per_s": history.series("max_lyapunov_per_s").tolist(),
            "load_average_after": os.getloadavg(),
        }
        print(f"{args.iterations} iterations: {total:.0f} s", flush=True)
    elif args.output.is_file():
        previous = json.loads(args.output.read_text())
        if "full_run" in previous:  # keep the last 100-iteration measurement
            report["full_run"] = dict(previous["full_run"], from_previous_invocation=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
