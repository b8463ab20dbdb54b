"""``hetnet prune``: Lyapunov noise pruning and its baselines from the command line.

Examples
--------
``hetnet prune --method lnp random --iterations 100 --out runs/prune --seed 0 1 2``
writes ``runs/prune/results.json`` (records per method and seed, provenance),
``runs/prune/results.csv`` (the last iteration's numbers, one row per method, seed and metric),
with ``--measure-every K`` also the firing rates and SOPs counted from simulated spikes of the
pruned networks at iteration 0, every K iterations and the last one (``sops_estimate`` is only a
synapse-count proxy at an assumed 10 Hz),
``runs/prune/<method>_seed<k>.npz`` (final networks, see
:meth:`hetnet.pruning.PrunedNetwork.load`) and ``runs/prune/pruning.png``
(neurons and synapses vs iteration, mean and spread over seeds, and the final
tau_m distributions). ``--out`` must be a new (or empty) folder; with
``--force`` a prune command writes into a folder that holds earlier prune
results and adds to its ``results.json`` (a method and seed run again
replaces its entry), so the three methods may be run by separate commands
and still share one figure.
"""
from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np

from hetnet.cli._args import common_options, config_from_args, explicit_fields, integer, new_run_folder, number, quiet

__all__ = ["register", "run_prune", "plot_results", "final_rows"]

logger = logging.getLogger(__name__)

METHODS = ("lnp", "ap", "random")


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``prune`` sub-command to ``subparsers``."""
    parser = subparsers.add_parser(
        "prune",
        help="prune a recurrent network: Lyapunov noise pruning (LNP), activity-based (AP) or random ER",
        description=(
            "Prune a randomly initialised HRSNN task-agnostically with Lyapunov noise pruning "
            "(noise pruning of synapses, betweenness node pruning, delocalising edges, Bayesian "
            "optimisation of tau_m at the end; the documentation's science page gives the formulas), "
            "or run a baseline: activity-based "
            "pruning (simulate with STDP on a Lorenz-63 stimulus, drop the least active neurons, "
            "retrain; needs Brian2) or Erdos-Renyi networks with LNP's neuron and synapse counts. "
            "Writes results.json, results.csv, one .npz network per method and seed, and pruning.png into --out "
            "(with --force into a folder of earlier prune results, adding to its results.json)."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        parents=[common_options(several_seeds=True)],
    )
    parser.add_argument("--method", nargs="+", choices=METHODS, default=["lnp"], metavar="METHOD",
                        help="one or more of: lnp, ap, random ('random' reuses or runs LNP for its counts)")
    parser.add_argument("--iterations", type=integer(low=0), default=100, help="pruning iterations")
    parser.add_argument("--n-neurons", type=integer(low=10), default=None,
                        help="recurrent neurons of the unpruned network (default: 2000 unless --config or --set "
                             "n_neurons=N gives a size)")
    parser.add_argument("--lambda-grid", type=number(low=0.0, low_open=True), default=None,
                        help="connectivity length scale of the unpruned network (more synapses when larger)")
    parser.add_argument("--synapse-keep-fraction", type=number(0.0, 1.0), default=0.98,
                        help="LNP step I keep fraction")
    parser.add_argument("--node-prune-fraction", type=number(0.0, 1.0, high_open=True), default=0.01,
                        help="fraction of neurons removed per iteration (LNP step II and AP)")
    parser.add_argument("--new-edge-fraction", type=number(low=0.0), default=0.005,
                        help="LNP step III new edges per synapse")
    parser.add_argument("--bo-calls", type=integer(low=1), default=20, help="LNP step IV optimiser evaluations")
    parser.add_argument("--ap-steps", type=integer(low=2), default=200,
                        help="AP: Lorenz-63 steps of the (re)training stimulus per iteration")
    parser.add_argument("--rate-homeostasis", choices=("input-totals", "none"), default="input-totals",
                        help="LNP: rescale each neuron's kept inputs to its unpruned E and I input totals after "
                             "every step ('none': the earlier w / p weights and homeostatic tau_m)")
    parser.add_argument("--measure-every", type=integer(low=0), default=0,
                        help="simulate the pruned networks (frozen, on --ap-steps Lorenz-63 steps; needs Brian2) at "
                             "iteration 0, every this many iterations and the last one, and record their rates and "
                             "SOPs counted from the spikes; 0: no simulation, only the SOP estimate at 10 Hz")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 100 neurons, 5 iterations, 6 BO calls, 20 AP stimulus steps")
    parser.add_argument("--no-plot", action="store_true", help="skip the figure")
    parser.set_defaults(func=run_prune)
    return parser


def _progress(method, seed, total):
    """Per-iteration progress: a bar with ETA in a terminal, one line per iteration elsewhere."""
    from hetnet.progress import progress_bar

    bar = progress_bar(total=total, desc=f"{method} seed {seed}", unit="iteration")

    def report(record):
        if bar.disable:
            if quiet():
                return
            rate = record.measured_value("mean_rate_hz")
            measured = "" if rate is None else (f", measured: rate {rate:.3g} Hz, recurrent SOPs "
                                                f"{record.measured_value('recurrent_sops'):.4g}")
            print(f"[{method} seed {seed}] iteration {record.iteration}/{total}: {record.n_neurons} neurons, "
                  f"{record.n_synapses} synapses, SOPs/s estimate at 10 Hz {record.sops_estimate:.3g}{measured}, "
                  f"lambda_max {record.max_lyapunov_per_s:.3g} 1/s, {record.seconds:.2f} s", flush=True)
            return
        bar.update(record.iteration - bar.n)
        bar.set_postfix(neurons=record.n_neurons, synapses=record.n_synapses)
        if record.iteration >= total:
            bar.close()
    return report


def _config(args, seed):
    """The unpruned network's configuration: --config, --set, --backend, then --n-neurons, --lambda-grid and ``seed``."""
    base = config_from_args(args, seed=False)
    changes = {"n_neurons": args.n_neurons, "seed": seed}
    if args.lambda_grid is not None:
        changes["connectivity"] = {"lambda_grid": args.lambda_grid}
    return base.replace(**changes)


def _stimulus(config, n_steps, seed):
    from hetnet.datasets.chaotic import lorenz63
    from hetnet.encoding import encode_series

    series = lorenz63(int(n_steps), seed=seed)[:, :1]
    return encode_series(series, config.input)


def run_prune(args) -> int:
    """Run the requested methods and seeds; write JSON, CSV, networks and the figure (holding the --out lock)."""
    from hetnet.errors import UsageError
    from hetnet.runfolder import locked_run_folder

    if args.backend not in (None, "runtime"):
        raise UsageError("--backend", args.backend, "hetnet prune simulates with numpy (LNP, random) and Brian2's "
                         "runtime target (AP) only; use --backend runtime or leave it out")
    base = config_from_args(args, seed=False)  # a bad --config or --set is reported before anything is written
    if args.n_neurons is None:
        args.n_neurons = base.n_neurons if "n_neurons" in explicit_fields(args) else 2000
    if args.seed is None:
        args.seed = [base.seed]
    if args.quick:
        args.n_neurons = min(args.n_neurons, 100)
        args.iterations = min(args.iterations, 5)
        args.bo_calls = min(args.bo_calls, 6)
        args.ap_steps = min(args.ap_steps, 20)
    with locked_run_folder(new_run_folder(args, "prune"), "--out") as out:
        return _prune_into(args, out)


def _read_results(results_path: Path) -> dict:
    """The ``results.json`` of earlier prune commands in the folder (new runs are added to it)."""
    from hetnet.errors import RunFolderError
    from hetnet.io import read_json

    if not results_path.is_file():
        return {"runs": {}}
    try:
        results = read_json(results_path)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise RunFolderError(f"{results_path} is not readable JSON ({error}); it should hold the results of earlier "
                             "hetnet prune runs: move it away or choose another --out") from None
    if not isinstance(results, dict) or not isinstance(results.get("runs", {}), dict):
        raise RunFolderError(f"{results_path} is not a hetnet prune results file (a table with 'runs'); move it "
                             "away or choose another --out")
    results.setdefault("runs", {})
    return results


def _prune_into(args, out: Path) -> int:
    from hetnet.encoding import encoded_channels
    from hetnet.io import write_json, write_tidy_csv
    from hetnet.provenance import provenance
    from hetnet.pruning import (
        LNPOptions,
        SpikeProbe,
        activity_pruning,
        lyapunov_noise_pruning,
        network_from_config,
        random_baseline,
    )

    results_path = out / "results.json"
    results = _read_results(results_path)
    settings = {
        "iterations": args.iterations, "n_neurons": args.n_neurons, "synapse_keep_fraction": args.synapse_keep_fraction,
        "node_prune_fraction": args.node_prune_fraction, "new_edge_fraction": args.new_edge_fraction,
        "bo_calls": args.bo_calls, "ap_steps": args.ap_steps, "quick": args.quick,
        "rate_homeostasis": args.rate_homeostasis, "measure_every": args.measure_every,
    }
    methods = [m for m in METHODS if m in args.method]
    base_options = LNPOptions(n_iterations=args.iterations, synapse_keep_fraction=args.synapse_keep_fraction,
                              node_prune_fraction=args.node_prune_fraction, new_edge_fraction=args.new_edge_fraction,
                              rate_homeostasis=args.rate_homeostasis, measure_every=args.measure_every or None,
                              timescale_options={"n_calls": args.bo_calls, "n_initial_points": min(5, args.bo_calls)})
    for seed in args.seed:
        config = _config(args, seed)
        measuring = args.measure_every > 0
        stimulus = _stimulus(config, args.ap_steps, seed) if ("ap" in methods or measuring) else None
        n_input = stimulus.n_channels if stimulus is not None else encoded_channels(1, config.input)
        instance, start = network_from_config(config, n_input=n_input)
        probe = SpikeProbe(instance, stimulus, n_outputs=1) if measuring else None
        lnp_options = {"options": LNPOptions.from_keywords(base_options, seed=seed), "measure": probe}
        if not quiet():
            print(f"seed {seed}: unpruned network {start.n_neurons} neurons, {start.n_synapses} synapses", flush=True)
        lnp_history = None
        for method in methods:
            clock = time.perf_counter()
            if method == "lnp" or (method == "random" and lnp_history is None):
                lnp_history = lyapunov_noise_pruning(instance, callback=_progress("lnp", seed, args.iterations),
                                                     **lnp_options)
                history = lnp_history
                if method == "random":
                    if not quiet():
                        print(f"[random seed {seed}] ran LNP first for its neuron and synapse counts", flush=True)
                    _store(results, "lnp", seed, lnp_history, out, config, time.perf_counter() - clock, settings)
                    clock = time.perf_counter()
            if method == "random":
                history = random_baseline(lnp_history, start, seed=seed, measure=probe,
                                          callback=_progress("random", seed, args.iterations))
            elif method == "ap":
                history = activity_pruning(instance, stimulus, n_iterations=args.iterations,
                                           prune_fraction=args.node_prune_fraction, seed=seed,
                                           measure=None if probe is None else probe.measure_instance,
                                           measure_every=args.measure_every or None,
                                           callback=_progress("ap", seed, args.iterations))
            _store(results, method, seed, history, out, config, time.perf_counter() - clock, settings)
            write_json(results_path, results)
    results["provenance"] = provenance(seed=list(args.seed), config=_config(args, args.seed[0]),
                                       command_settings=settings)
    write_json(results_path, results)
    write_tidy_csv(out / "results.csv", final_rows(results))
    print(f"results: {results_path}, {out / 'results.csv'}")
    if not args.no_plot:
        figure = plot_results(results, out / "pruning.png")
        print(f"figure: {figure}")
    return 0


def _store(results, method, seed, history, out, config, seconds, settings):
    from hetnet.provenance import provenance

    entry = history.to_dict()
    entry["seed"] = seed
    entry["wall_seconds"] = seconds
    entry["network_file"] = history.network.save(out / f"{method}_seed{seed}.npz").name
    entry["provenance"] = provenance(seed=seed, config=config, method=method, command_settings=settings)
    runs = results["runs"].setdefault(method, [])
    runs[:] = [run for run in runs if run.get("seed") != seed] + [entry]


def final_rows(results: dict) -> list:
    """Tidy rows (seed, variant = method, metric, value) of each run's last iteration.

    >>> final_rows({"runs": {"lnp": [{"seed": 0, "wall_seconds": 2.0,
    ...     "records": [{"iteration": 3, "n_neurons": 97, "step_seconds": {}}]}]}})[2]
    {'seed': 0, 'variant': 'lnp', 'metric': 'n_neurons', 'value': 97}
    """
    from hetnet.io import tidy_rows

    return tidy_rows({"seed": run.get("seed"), "variant": method, "wall_seconds": run.get("wall_seconds"),
                      **{key: value for key, value in run["records"][-1].items()
                         if key not in ("step_seconds", "extra", "measured")},
                      **_last_measured(run["records"][-1])}
                     for method in METHODS for run in results.get("runs", {}).get(method, []))


def _last_measured(record: dict) -> dict:
    """``measured_rate_hz`` and ``measured_recurrent_sops`` of a record's last spike measurement (if any)."""
    values = [value for value in (record.get("measured") or {}).values() if value]
    if not values:
        return {}
    return {"measured_rate_hz": values[-1]["mean_rate_hz"], "measured_recurrent_sops": values[-1]["recurrent_sops"],
            "measured_input_sops": values[-1]["input_sops"], "measured_readout_sops": values[-1]["readout_sops"]}


def plot_results(results: dict, path) -> Path:
    """Neurons and synapses vs iteration per method (mean ± sd band over seeds) and final tau_m histograms."""
    from hetnet.plotting import new_figure, pruning_evolution, timescale_histogram

    runs = {method: results.get("runs", {}).get(method, []) for method in METHODS}
    runs = {method: method_runs for method, method_runs in runs.items() if method_runs}
    figure, axes = new_figure(1, 3, figsize=(15, 4.2))
    pruning_evolution(runs, "n_neurons", axes[0], ylabel="neurons")
    pruning_evolution(runs, "n_synapses", axes[1], ylabel="synapses", log=True)
    timescale_histogram({method: np.concatenate([np.asarray(run["final"]["tau_m_ms"], float) for run in method_runs])
                         for method, method_runs in runs.items()}, axes[2])
    axes[0].set_title("neurons")
    axes[1].set_title("synapses")
    axes[2].set_title("final membrane time constants")
    path = Path(path)
    figure.savefig(path, dpi=120)
    return path
