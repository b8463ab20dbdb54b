"""Table V / Fig. 10 (ICLR 2024): Lyapunov noise pruning vs activity-based pruning on Lorenz-63.

One randomly initialised HeNHeS network is pruned task-agnostically with LNP
(steps I-III per iteration, timescale optimisation at the end) and, as the
baseline, by activity-based pruning (simulate with STDP on the training
series, drop the least active neurons, retrain). The unpruned, AP-pruned and
LNP-pruned networks are then trained with STDP on 500 Lorenz-63 steps, frozen,
and read out for one-step prediction of the next 100 (ridge). Reported per
network: neurons, synapses, recurrent synaptic operations (SOPs) of the
frozen run, RMSE and NRMSE, and the SOP ratio unpruned / pruned. The paper's
shape: LNP ends with fewer neurons, synapses and SOPs than AP and predicts
better than AP.
"""

# _common.py sits next to this script, and Python puts a script's folder first on sys.path
from _common import mean_and_spread, parser, save, say

from hetnet.config import HRSNNConfig
from hetnet.encoding import encode_series
from hetnet.network import generate_network
from hetnet.plotting import dot_plot, new_figure
from hetnet.pruning import PrunedNetwork, activity_pruning, lyapunov_noise_pruning
from hetnet.tasks.prediction import predict_series
from hetnet.tasks.registry import task_series

METRICS = ("n_neurons", "n_synapses", "recurrent_sops", "rmse", "nrmse")


def main(argv=None):
    arguments = parser(__doc__)
    arguments.add_argument("--iterations", type=int, default=None, help="pruning iterations (default 50; quick 3)")
    arguments.add_argument("--n-neurons", type=int, default=None, help="unpruned size (default 500; quick 60)")
    args = arguments.parse_args(argv)
    n_seeds = args.seeds or (1 if args.quick else 3)
    size, iterations, train, test = (60, 3, 100, 30) if args.quick else (500, 50, 500, 100)
    size = args.n_neurons or size
    iterations = args.iterations or iterations
    runs = {"unpruned": [], "AP": [], "LNP": []}
    tidy = []
    for seed in range(args.seed, args.seed + n_seeds):
        config = HRSNNConfig(n_neurons=size, seed=seed)
        series, dt, exponent = task_series("lorenz63", train + test + 1, seed)
        stimulus = encode_series(series[: train + test], config.input, fit_steps=train)
        original = generate_network(config, stimulus.n_channels)
        say(f"seed {seed}: LNP, {iterations} iterations from {size} neurons")
        lnp = lyapunov_noise_pruning(PrunedNetwork.from_network_instance(original), n_iterations=iterations,
                                     seed=seed, optimize_timescales=not args.quick)
        say(f"seed {seed}: activity-based pruning, {iterations} iterations")
        ap = activity_pruning(original, stimulus.slice_steps(0, train), n_iterations=iterations, seed=seed,
                              compute_lyapunov=False)
        networks = {
            "unpruned": original,
            "AP": ap.instance if ap.instance is not None else ap.network.to_network_instance(original),
            "LNP": lnp.network.to_network_instance(original),
        }
        results = predict_series(config, series, train_steps=train, test_steps=test, networks=networks, dt=dt,
                                 lyapunov_exponent=exponent, progress=say)
        for label, metrics in results.items():
            runs[label].append({key: metrics[key] for key in METRICS})
            tidy.append({"seed": seed, "variant": label, **runs[label][-1]})
            say(f"seed {seed} {label}: " + ", ".join(f"{key} {metrics[key]:.4g}" for key in METRICS))
    table = {label: {key: mean_and_spread([run[key] for run in rows]) for key in METRICS} for label, rows in runs.items()}
    for label in ("AP", "LNP"):
        table[label]["sop_ratio"] = table["unpruned"]["recurrent_sops"][0] / max(table[label]["recurrent_sops"][0], 1.0)
    figure, axes = new_figure(1, 2, figsize=(10, 4))
    dot_plot({label: [run["recurrent_sops"] for run in seed_runs] for label, seed_runs in runs.items()}, axes[0],
             ylabel="recurrent SOPs (frozen run)", log=True, title="synaptic operations")
    dot_plot({label: [run["rmse"] for run in seed_runs] for label, seed_runs in runs.items()}, axes[1],
             ylabel="RMSE, one-step Lorenz-63", title="prediction")
    save(args.out, "table5_pruning", {"n_neurons": size, "iterations": iterations, "seeds": n_seeds, "table": table},
         figure, rows=tidy, seed=args.seed, backend="runtime")


if __name__ == "__main__":
    main()
