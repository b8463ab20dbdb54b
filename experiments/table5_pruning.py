"""Table V and Fig. 10 (ICLR 2024): Lyapunov noise pruning vs activity-based pruning and random ER.

Per seed, one randomly initialised HeNHeS network (current input, the
prediction pipeline's network) is pruned

* task-agnostically by LNP (steps I-III per iteration, rate homeostasis,
  step IV at the end; :func:`hetnet.pruning.lyapunov_noise_pruning`),
* by activity-based pruning (AP: STDP run on the first ``ap_steps`` training
  steps, drop the least active 1 % of neurons, retrain, repeat), and
* as the random baseline, Erdos-Renyi networks with LNP's neuron and synapse
  counts at each iteration.

Measured SOPs: every network is run frozen on a fixed probe stimulus (the
first ``probe_steps`` steps of the training series) at the checkpoints
(iteration 0, every ``measure_every`` iterations, the last one; LNP also
after each of its steps there) and its recurrent, input and readout SOPs
are counted from the simulated spikes (:class:`hetnet.pruning.SpikeProbe`).
Table V's SOPs are counted the same way from the spikes of the prediction
pipeline's frozen run over the whole series.

Table V: the unpruned, AP, LNP and ER networks go through the prediction
pipeline (:func:`hetnet.tasks.prediction.predict_series`: STDP training on
``train_steps``, frozen run, ridge readout of the filtered spike counts,
one-step prediction of the next ``test_steps``) on Lorenz-63 and on one real
series (the Santa Fe laser series shipped with reservoirpy by default, or a
CSV column given with ``--data FILE --column NAME``). Reported per network:
neurons, synapses, measured SOPs (recurrent / input / readout), SOP ratio
(unpruned / pruned recurrent SOPs, per seed), energy (0.9 pJ per SOP), RMSE,
NRMSE, VPT; mean ± sd over seeds.

Fig. 10: neurons, synapses, measured recurrent SOPs per second and mean
firing rate (probe) against iteration, and NRMSE at the checkpoints 0, the
middle and the last iteration, for LNP, AP and ER, bands = sd over seeds.

Each seed is stored in ``table5_pruning_seed<k>.json`` (and the LNP networks
in ``.npz`` files, used by ``fig12_lnp_ablation.py``) as soon as it is done;
the table and figures aggregate every seed file in ``--out`` made with the
same settings, so seeds may be run by separate (parallel) commands.
"""
import dataclasses
import time
from pathlib import Path

import numpy as np

# _common.py sits next to this script, and Python puts a script's folder first on sys.path
from _common import mean_and_spread, parser, pyplot, run_seeds, save, say

from hetnet.config import HRSNNConfig
from hetnet.encoding import encode_series
from hetnet.io import read_json, to_jsonable, write_json
from hetnet.network import generate_network, input_kind_of
from hetnet.provenance import provenance
from hetnet.pruning import (
    SOP_ENERGY_PJ,
    LNPOptions,
    SpikeProbe,
    activity_pruning,
    lyapunov_noise_pruning,
    measure_run,
    random_baseline,
)
from hetnet.tasks.prediction import predict_series
from hetnet.tasks.registry import task_series

NAME = "table5_pruning"
METHODS = ("LNP", "AP", "ER")
TABLE_METRICS = ("n_neurons", "n_synapses", "recurrent_sops", "input_sops", "input_current_macs", "readout_sops",
                 "total_sops", "energy_uJ", "sop_ratio", "mean_rate_hz", "rmse", "nrmse", "vpt_steps")


def settings_for(args) -> dict:
    # full: 50 LNP iterations at twice the paper's per-iteration rates (keep 0.96 ~ 0.98^2, remove 2 % ~ 1 % x 2)
    # instead of 100 at 0.98 / 1 %: the same end point at half the cost. AP, whose every iteration is a
    # simulation, removes 9.6 % per iteration over 10 iterations (1 - 0.98^5: the same neurons left as LNP).
    quick = {"n_neurons": 40, "iterations": 2, "train_steps": 60, "test_steps": 20, "ap_steps": 10,
             "probe_steps": 10, "measure_every": 1, "bo_calls": 3, "synapse_keep_fraction": 0.98,
             "node_prune_fraction": 0.01, "new_edge_fraction": 0.005, "ap_iterations": 1, "ap_prune_fraction": 0.02}
    full = {"n_neurons": 500, "iterations": 50, "train_steps": 300, "test_steps": 100, "ap_steps": 50,
            "probe_steps": 50, "measure_every": 10, "bo_calls": 12, "synapse_keep_fraction": 0.96,
            "node_prune_fraction": 0.02, "new_edge_fraction": 0.01, "ap_iterations": 10, "ap_prune_fraction": 0.096}
    chosen = dict(quick if args.quick else full)
    if args.n_neurons:
        chosen["n_neurons"] = args.n_neurons
    if args.iterations:
        chosen["ap_iterations"] = max(1, round(chosen["ap_iterations"] * args.iterations / chosen["iterations"]))
        chosen["iterations"] = args.iterations
        chosen["measure_every"] = max(1, args.iterations // 4)
    chosen.update({"real_series": args.column if args.data else args.real, "data": str(args.data) if args.data else None,
                   "quick": bool(args.quick)})
    return chosen


def arguments(description):
    arguments = parser(description)
    arguments.add_argument("--iterations", type=int, default=None, help="pruning iterations (default 50; quick 2)")
    arguments.add_argument("--n-neurons", type=int, default=None, help="unpruned size (default 500; quick 40)")
    arguments.add_argument("--real", default="santafe-laser", choices=("santafe-laser", "sunspots"),
                           help="shipped real series of the second table (default: %(default)s)")
    arguments.add_argument("--data", type=Path, default=None, help="a CSV file to use as the real series instead")
    arguments.add_argument("--column", default=None, help="the CSV column (with --data)")
    arguments.add_argument("--aggregate-only", action="store_true", help="only aggregate the seed files in --out")
    return arguments


def real_series(settings, n_steps):
    """``(series, dt)`` of the real series: a CSV column (``--data``) or a shipped one."""
    if settings["data"]:
        from hetnet.datasets.files import load_csv_series

        values = load_csv_series(settings["data"], settings["real_series"])
    else:
        values, _, _ = task_series(settings["real_series"], n_steps, 0)
    if len(values) < n_steps:
        raise SystemExit(f"the real series has {len(values)} steps; {n_steps} are needed")
    return np.asarray(values, dtype=float)[:n_steps], 1.0


def with_input_of(instance, other):
    """``instance`` (its recurrent network) with the input pathway of ``other`` (another series' encoding)."""
    return dataclasses.replace(instance, n_input=other.n_input, input_kind=other.input_kind,
                               synapses={**instance.synapses, "input": other.synapses["input"]})


def _instance(history, key, original):
    """The NetworkInstance of a method's network ``key`` (``"final"`` or a checkpoint iteration)."""
    if history.method == "ap":
        return history.instance if key == "final" else history.snapshots[key]
    network = history.network if key == "final" else history.snapshots[key]
    return network.to_network_instance(original)


def predict(config, series, dt, exponent, networks, settings, label):
    """Prediction-pipeline metrics and SOPs (from the frozen run's spikes) of every network."""
    results = predict_series(config, series, train_steps=settings["train_steps"], test_steps=settings["test_steps"],
                             networks=networks, dt=dt, lyapunov_exponent=exponent,
                             progress=lambda message: say(f"{label} {message}"))
    out = {}
    for name, metrics in results.items():
        frozen = metrics["frozen"]
        sops = measure_run(frozen, frozen.final_network or networks[name], n_outputs=series.shape[1])
        out[name] = {
            "n_neurons": metrics["n_neurons"], "n_synapses": metrics["n_synapses"],
            "recurrent_sops": sops["recurrent_sops"], "input_sops": sops["input_sops"],
            "input_current_macs": sops["input_current_macs"], "readout_sops": sops["readout_sops"],
            "total_sops": sops["total_sops"], "energy_uJ": sops["energy_pJ"] * 1e-6,
            "mean_rate_hz": metrics["mean_rate_hz"], "rmse": metrics["rmse"], "nrmse": metrics["nrmse"],
            "vpt_steps": metrics["vpt_steps"], "vpt_lyapunov_times": metrics["vpt_lyapunov_times"],
            "duration_s": sops["duration_s"],
        }
        say(f"{label} {name}: NRMSE {out[name]['nrmse']:.4f}, recurrent SOPs {out[name]['recurrent_sops']:.4g}, "
            f"rate {out[name]['mean_rate_hz']:.3g} Hz")
    return out


def ap_checkpoint_every(settings):
    """AP iterations between measurements: the AP iteration matching LNP's ``measure_every``."""
    return max(1, round(settings["measure_every"] * settings["ap_iterations"] / settings["iterations"]))


def _x(method, iterations, settings):
    """Iterations on LNP's axis (AP's iteration k is LNP's k x iterations / ap_iterations)."""
    iterations = np.asarray(iterations, dtype=float)
    return iterations * settings["iterations"] / settings["ap_iterations"] if method == "AP" else iterations


def run_seed(seed, settings, out):
    clock = time.perf_counter()
    train, test = settings["train_steps"], settings["test_steps"]
    config = HRSNNConfig(n_neurons=settings["n_neurons"], seed=seed)
    lorenz, dt, exponent = task_series("lorenz63", train + test + 1, seed)
    stimulus = encode_series(lorenz[: train + test], config.input, fit_steps=train)
    original = generate_network(config, n_input=stimulus.n_channels, input_kind=input_kind_of(stimulus))
    probe = SpikeProbe(original, stimulus.slice_steps(0, settings["probe_steps"]), n_outputs=lorenz.shape[1])
    options = LNPOptions(n_iterations=settings["iterations"], synapse_keep_fraction=settings["synapse_keep_fraction"],
                         node_prune_fraction=settings["node_prune_fraction"],
                         new_edge_fraction=settings["new_edge_fraction"], measure_every=settings["measure_every"],
                         timescale_options={"n_calls": settings["bo_calls"],
                                            "n_initial_points": min(5, settings["bo_calls"])}, seed=seed)
    say(f"seed {seed}: LNP, {settings['iterations']} iterations from {original.n_neurons} neurons, "
        f"{original.n_synapses} synapses")
    lnp = lyapunov_noise_pruning(original, options, measure=probe)
    lnp.network.save(Path(out) / f"{NAME}_seed{seed}_lnp.npz")
    lnp.before_timescales.save(Path(out) / f"{NAME}_seed{seed}_lnp_steps_1_3.npz")
    say(f"seed {seed}: random ER with LNP's counts")
    er = random_baseline(lnp, original, measure=probe, compute_lyapunov=False, seed=seed)
    say(f"seed {seed}: activity-based pruning, {settings['ap_iterations']} iterations of {settings['ap_prune_fraction']}")
    ap_every = ap_checkpoint_every(settings)
    ap = activity_pruning(original, stimulus.slice_steps(0, settings["ap_steps"]), n_iterations=settings["ap_iterations"],
                          prune_fraction=settings["ap_prune_fraction"], compute_lyapunov=False, seed=seed,
                          measure=probe.measure_instance, measure_every=ap_every)
    histories = {"LNP": lnp, "AP": ap, "ER": er}
    middle = settings["measure_every"] * max(1, round(settings["iterations"] / 2 / settings["measure_every"]))
    ap_middle = round(middle * settings["ap_iterations"] / settings["iterations"])
    networks = {"unpruned": original}
    networks.update({method: _instance(history, "final", original) for method, history in histories.items()})
    if 0 < middle < settings["iterations"] and not settings["quick"]:   # quick: no mid-way predictions
        networks.update({f"{method}@{middle}": _instance(history, middle, original)
                         for method, history in (("LNP", lnp), ("ER", er))})
        if ap_middle in ap.snapshots:
            networks[f"AP@{middle}"] = ap.snapshots[ap_middle]
    table = {"lorenz63": predict(config, lorenz, dt, exponent, networks, settings, f"seed {seed} lorenz63")}
    # the real series: same recurrent networks, input pathway for its channels
    series, real_dt = real_series(settings, train + test + 1)
    real_stimulus = encode_series(series[: train + test], config.input, fit_steps=train)
    real_original = with_input_of(original, generate_network(config, n_input=real_stimulus.n_channels,
                                                             input_kind=input_kind_of(real_stimulus)))
    say(f"seed {seed}: activity-based pruning on the real series")
    ap_real = activity_pruning(real_original, real_stimulus.slice_steps(0, settings["ap_steps"]),
                               n_iterations=settings["ap_iterations"], prune_fraction=settings["ap_prune_fraction"],
                               compute_lyapunov=False, seed=seed)
    real_networks = {"unpruned": real_original, "AP": ap_real.instance,
                     "LNP": lnp.network.to_network_instance(real_original),
                     "ER": er.network.to_network_instance(real_original)}
    table[settings["real_series"]] = predict(config, series, real_dt, None, real_networks, settings,
                                             f"seed {seed} {settings['real_series']}")
    for rows in table.values():
        for name, row in rows.items():
            base = rows["unpruned"]["recurrent_sops"] if not name.startswith("unpruned") else row["recurrent_sops"]
            row["sop_ratio"] = base / max(row["recurrent_sops"], 1.0)
    record = {"seed": seed, "settings": settings, "table": table, "middle_iteration": middle,
              "histories": {method: history.to_dict() for method, history in histories.items()},
              "ap_real_series": ap_real.to_dict(), "seconds": time.perf_counter() - clock,
              "provenance": provenance(seed=seed, config=config, backend="runtime")}
    write_json(Path(out) / f"{NAME}_seed{seed}.json", to_jsonable(record))
    say(f"seed {seed} done in {record['seconds']:.0f} s")
    return record


# ---------------------------------------------------------------- aggregation
def _checkpoints(history_dict, key="mean_rate_hz"):
    """``(iterations, values)`` of a measured quantity (last measurement of each checkpoint)."""
    points = []
    for record in history_dict["records"]:
        if record.get("measured"):
            last = [value for value in record["measured"].values() if value][-1]
            points.append((record["iteration"], last[key]))
    return np.array(points, dtype=float).reshape(-1, 2)


def _band(axis, curves, label, style):
    """Mean line with a mean ± sd band over seeds; ``curves`` are ``(x, y)`` pairs on the same x."""
    x = curves[0][0]
    values = np.array([y for _, y in curves])
    mean = values.mean(axis=0)
    axis.plot(x, mean, label=f"{label} ({len(curves)} seed{'s' if len(curves) > 1 else ''})", **style)
    if len(curves) > 1:
        spread = values.std(axis=0, ddof=1)
        axis.fill_between(x, mean - spread, mean + spread, alpha=0.18, color=style.get("color"))


STYLES = {"LNP": {"color": "tab:blue", "marker": "o", "linestyle": "-", "linewidth": 2.6},
          "AP": {"color": "tab:orange", "marker": "s", "linestyle": "--", "linewidth": 1.8},
          "ER": {"color": "tab:green", "marker": "^", "linestyle": ":", "linewidth": 1.4, "markersize": 5}}


def rate_table(records):
    """Measured mean rate before/after each step at LNP's checkpoints: ``{iteration: {step: [mean, sd]}}``."""
    out = {}
    for seed_record in records:
        for record in seed_record["histories"]["LNP"]["records"]:
            for step, values in (record.get("measured") or {}).items():
                if values:
                    out.setdefault(record["iteration"], {}).setdefault(step, []).append(values["mean_rate_hz"])
    return {iteration: {step: mean_and_spread(v) for step, v in steps.items()} for iteration, steps in sorted(out.items())}


def targets(records, tables, real_name):
    """The issue's targets, each with its numbers and whether it holds."""
    lorenz = tables["lorenz63"]
    ratios = [r["table"]["lorenz63"]["LNP"]["sop_ratio"] for r in records]
    lnp_nrmse = [r["table"]["lorenz63"]["LNP"]["nrmse"] for r in records]
    er_nrmse = [r["table"]["lorenz63"]["ER"]["nrmse"] for r in records]
    rates = [r["table"]["lorenz63"]["LNP"]["mean_rate_hz"] / r["table"]["lorenz63"]["unpruned"]["mean_rate_hz"]
             for r in records]
    probe_rates = []
    for r in records:
        measured = [rec for rec in r["histories"]["LNP"]["records"] if rec.get("measured")]
        start = measured[0]["measured"]["start"]["mean_rate_hz"]
        probe_rates += [v["mean_rate_hz"] / start for rec in measured for v in rec["measured"].values() if v]
    out = {
        "lnp_recurrent_sops_10x_fewer": {
            "sop_ratio_per_seed": ratios, "mean": float(np.mean(ratios)), "holds": bool(min(ratios) >= 10)},
        "lnp_nrmse_better_than_ap_at_equal_or_fewer_sops": {
            "lnp_nrmse": lorenz["LNP"]["nrmse"], "ap_nrmse": lorenz["AP"]["nrmse"],
            "lnp_recurrent_sops": lorenz["LNP"]["recurrent_sops"], "ap_recurrent_sops": lorenz["AP"]["recurrent_sops"],
            "per_seed": [{"lnp_nrmse": r["table"]["lorenz63"]["LNP"]["nrmse"], "ap_nrmse": r["table"]["lorenz63"]["AP"]["nrmse"],
                          "lnp_sops": r["table"]["lorenz63"]["LNP"]["recurrent_sops"],
                          "ap_sops": r["table"]["lorenz63"]["AP"]["recurrent_sops"]} for r in records],
            "holds": bool(lorenz["LNP"]["nrmse"][0] < lorenz["AP"]["nrmse"][0]
                          and lorenz["LNP"]["recurrent_sops"][0] <= lorenz["AP"]["recurrent_sops"][0])},
        "lnp_spread_smaller_than_er": {
            "lnp_nrmse_sd": float(np.std(lnp_nrmse, ddof=1)) if len(records) > 1 else None,
            "er_nrmse_sd": float(np.std(er_nrmse, ddof=1)) if len(records) > 1 else None,
            "holds": (bool(np.std(lnp_nrmse, ddof=1) < np.std(er_nrmse, ddof=1)) if len(records) > 1 else None)},
        "rate_within_2x": {
            "frozen_run_rate_ratio_lnp_over_unpruned": rates,
            "probe_rate_ratios_range": [float(min(probe_rates)), float(max(probe_rates))],
            "holds": bool(all(0.5 <= x <= 2 for x in rates + probe_rates))},
    }
    if real_name in tables:
        real = tables[real_name]
        out["real_series_lnp_vs_ap"] = {"lnp_nrmse": real["LNP"]["nrmse"], "ap_nrmse": real["AP"]["nrmse"],
                                        "lnp_recurrent_sops": real["LNP"]["recurrent_sops"],
                                        "ap_recurrent_sops": real["AP"]["recurrent_sops"]}
    return out


def aggregate(out, settings, command_seed):
    out = Path(out)
    records = []
    for path in sorted(out.glob(f"{NAME}_seed*.json")):
        record = read_json(path)
        if record.get("settings") == settings:
            records.append(record)
    if not records:
        raise SystemExit(f"no seed results with these settings in {out}")
    records.sort(key=lambda r: r["seed"])
    seeds = [r["seed"] for r in records]
    tables, tidy = {}, []
    for series_name in records[0]["table"]:
        tables[series_name] = {}
        for label in records[0]["table"][series_name]:
            rows = [r["table"][series_name][label] for r in records]
            tables[series_name][label] = {key: mean_and_spread([row[key] for row in rows]) for key in TABLE_METRICS}
            for r in records:
                tidy.append({"seed": r["seed"], "variant": f"{series_name}/{label}",
                             **{key: r["table"][series_name][label][key] for key in TABLE_METRICS}})
    # Fig. 10
    plt = pyplot()
    figure, axes = plt.subplots(1, 5, figsize=(24, 4.4))
    for method in METHODS:
        histories = [r["histories"][method] for r in records]
        for axis, quantity in zip(axes[:2], ("n_neurons", "n_synapses")):
            curves = [(_x(method, [rec["iteration"] for rec in h["records"]], settings),
                       np.array([rec[quantity] for rec in h["records"]], float)) for h in histories]
            _band(axis, curves, method + (" (LNP's counts)" if method == "ER" else ""), dict(STYLES[method], markevery=0.1))
        for axis, quantity in ((axes[2], "recurrent_sops_per_s"), (axes[3], "mean_rate_hz")):
            curves = [(_x(method, _checkpoints(h, quantity)[:, 0], settings), _checkpoints(h, quantity)[:, 1])
                      for h in histories]
            _band(axis, curves, method, STYLES[method])
    middle = records[0]["middle_iteration"]
    for method in METHODS:
        points = [(0, "unpruned"), (middle, f"{method}@{middle}"), (settings["iterations"], method)]
        points = [(x, label) for x, label in points if label in records[0]["table"]["lorenz63"]]
        curves = [(np.array([x for x, _ in points], float),
                   np.array([r["table"]["lorenz63"][label]["nrmse"] for _, label in points])) for r in records]
        _band(axes[4], curves, method, STYLES[method])
    unpruned_rate = np.mean([_checkpoints(r["histories"]["LNP"])[0, 1] for r in records])
    axes[3].axhspan(unpruned_rate / 2, unpruned_rate * 2, color="grey", alpha=0.1, label="unpruned rate / 2 .. x 2")
    axes[0].text(0.02, 0.02, f"AP: {settings['ap_iterations']} iterations of {settings['ap_prune_fraction']:.3g}, "
                 "drawn at LNP's matching iteration", transform=axes[0].transAxes, fontsize=7)
    titles = ("neurons", "synapses", "measured recurrent SOPs / s (probe)", "mean rate, Hz (probe)",
              "NRMSE, Lorenz-63 one-step")
    for axis, title in zip(axes, titles):
        axis.set(xlabel="iteration", title=title)
        axis.legend(fontsize=8)
    axes[1].set_yscale("log")
    axes[2].set_yscale("log")
    figure.suptitle(f"Fig. 10: pruning, N = {settings['n_neurons']}, seeds {seeds}" + (" (quick)" if settings["quick"] else ""))
    figure.tight_layout()
    figure.savefig(out / "fig10_pruning_iterations.png", dpi=110)
    plt.close(figure)
    # Table V figure
    table_figure, table_axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for axis, (series_name, rows) in zip(table_axes, tables.items()):
        for label in ("unpruned", "AP", "LNP", "ER"):
            sops, sops_sd = rows[label]["recurrent_sops"]
            nrmse_mean, nrmse_sd = rows[label]["nrmse"]
            axis.errorbar(sops, nrmse_mean, xerr=sops_sd, yerr=nrmse_sd, marker="o", capsize=3, label=label,
                          linestyle="none")
        axis.set(xscale="log", xlabel="measured recurrent SOPs (frozen run)", ylabel="NRMSE",
                 title=f"Table V, {series_name}")
        axis.legend()
    table_figure.tight_layout()
    result = {"settings": settings, "seeds": seeds, "n_seeds": len(seeds), "mode": "quick" if settings["quick"] else "full",
              "table": tables, "rates_before_after_each_step": rate_table(records),
              "targets": targets(records, tables, settings["real_series"]),
              "sop_energy_pJ": SOP_ENERGY_PJ,
              "notes": ("SOPs are counted from simulated spikes (frozen run over train+test steps); input_sops is 0 "
                        "because the input is a current (input_current_macs = input synapses x steps instead); "
                        "readout_sops = spikes x outputs (dense readout). sop_ratio = unpruned / pruned recurrent "
                        "SOPs per seed. Rates in the figure are probe runs (first probe_steps training steps).")}
    save(out, NAME, result, table_figure, rows=tidy, seed=seeds, backend="runtime")
    return result


def main(argv=None):
    args = arguments(__doc__).parse_args(argv)
    settings = settings_for(args)
    run_seeds(args, settings, run_seed)
    aggregate(args.out, settings, args.seed)


if __name__ == "__main__":
    main()
