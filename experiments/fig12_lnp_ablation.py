"""Fig. 12 (ICLR 2024): ablation of the four LNP steps, NRMSE against measured SOPs.

Per seed, the HeNHeS network of ``table5_pruning.py`` (same seed, same size)
is pruned by LNP with only step I; steps I+II; steps I+II+III; and all four
steps (``hetnet.pruning.ABLATIONS``), the same number of iterations
each. The last two are the LNP run of ``table5_pruning.py`` before and
after step IV: when its ``.npz`` files are in ``--out`` they are reused, else
that run is made here (and then the unpruned and full-LNP prediction results of that
seed are reused too: same networks, same seeded pipeline). Each network and the unpruned one go through the
prediction pipeline on Lorenz-63 (STDP training, frozen run, ridge readout,
one-step NRMSE); SOPs are counted from the frozen run's spikes
(:func:`hetnet.pruning.measure_run`). Mean ± sd over seeds.
"""
import time
from pathlib import Path


# _common.py sits next to this script, and Python puts a script's folder first on sys.path
from _common import mean_and_spread, pyplot, run_seeds, save, say
from table5_pruning import NAME as TABLE5, arguments, predict, settings_for

from hetnet.config import HRSNNConfig
from hetnet.encoding import encode_series
from hetnet.io import read_json, to_jsonable, write_json
from hetnet.network import generate_network, input_kind_of
from hetnet.provenance import provenance
from hetnet.pruning import ABLATIONS, LNPOptions, PrunedNetwork, lyapunov_noise_pruning
from hetnet.tasks.registry import task_series

NAME = "fig12_lnp_ablation"
METRICS = ("n_neurons", "n_synapses", "recurrent_sops", "total_sops", "mean_rate_hz", "nrmse", "rmse")


def run_seed(seed, settings, out):
    clock = time.perf_counter()
    out = Path(out)
    train, test = settings["train_steps"], settings["test_steps"]
    config = HRSNNConfig(n_neurons=settings["n_neurons"], seed=seed)
    lorenz, dt, exponent = task_series("lorenz63", train + test + 1, seed)
    stimulus = encode_series(lorenz[: train + test], config.input, fit_steps=train)
    original = generate_network(config, n_input=stimulus.n_channels, input_kind=input_kind_of(stimulus))
    base = dict(n_iterations=settings["iterations"], synapse_keep_fraction=settings["synapse_keep_fraction"],
                node_prune_fraction=settings["node_prune_fraction"], new_edge_fraction=settings["new_edge_fraction"],
                timescale_options={"n_calls": settings["bo_calls"], "n_initial_points": min(5, settings["bo_calls"])},
                seed=seed)
    stored = {"I+II+III": out / f"{TABLE5}_seed{seed}_lnp_steps_1_3.npz", "I+II+III+IV": out / f"{TABLE5}_seed{seed}_lnp.npz"}
    table5_path = out / f"{TABLE5}_seed{seed}.json"
    table5 = read_json(table5_path) if table5_path.is_file() else None
    if table5 is not None and table5.get("settings") != settings:
        table5 = None
    reuse = all(p.is_file() for p in stored.values())
    networks, reused = {}, {}
    if reuse:
        # table5_pruning.py's LNP run of this seed (same settings): its networks before and after step IV.
        # The unpruned and full-LNP networks go through the same seeded pipeline there, so their results are
        # taken from its seed file (now, or when aggregating if that seed is still running).
        say(f"seed {seed}: reusing {TABLE5}'s LNP networks (steps I-III, I-IV)")
        if table5 is not None:
            reused = {"unpruned": table5["table"]["lorenz63"]["unpruned"], "I+II+III+IV": table5["table"]["lorenz63"]["LNP"]}
        networks["I+II+III"] = PrunedNetwork.load(stored["I+II+III"]).to_network_instance(original)
    else:
        say(f"seed {seed}: LNP with all four steps")
        full = lyapunov_noise_pruning(original, LNPOptions.ablation("I+II+III+IV", **base))
        networks["unpruned"] = original
        networks["I+II+III"] = full.before_timescales.to_network_instance(original)
        networks["I+II+III+IV"] = full.network.to_network_instance(original)
    for name in ("I", "I+II"):
        say(f"seed {seed}: LNP with steps {name}")
        history = lyapunov_noise_pruning(original, LNPOptions.ablation(name, **base))
        networks[name] = history.network.to_network_instance(original)
    results = predict(config, lorenz, dt, exponent, networks, settings, f"seed {seed} ablation")
    results.update(reused)
    record = {"seed": seed, "settings": settings, "results": results, "reused_from_table5": sorted(reused),
              "seconds": time.perf_counter() - clock, "provenance": provenance(seed=seed, config=config)}
    write_json(out / f"{NAME}_seed{seed}.json", to_jsonable(record))
    say(f"seed {seed} done in {record['seconds']:.0f} s")


def aggregate(out, settings):
    out = Path(out)
    records = [r for r in (read_json(p) for p in sorted(out.glob(f"{NAME}_seed*.json"))) if r.get("settings") == settings]
    if not records:
        raise SystemExit(f"no ablation seed results with these settings in {out}")
    records.sort(key=lambda r: r["seed"])
    for record in records:   # results left to table5_pruning.py's seed file (see run_seed)
        missing = [label for label in ("unpruned", "I+II+III+IV") if label not in record["results"]]
        table5_path = out / f"{TABLE5}_seed{record['seed']}.json"
        if missing and table5_path.is_file() and read_json(table5_path).get("settings") == settings:
            rows = read_json(table5_path)["table"]["lorenz63"]
            record["results"].update({"unpruned": rows["unpruned"], "I+II+III+IV": rows["LNP"]})
            record["reused_from_table5"] = sorted(set(record.get("reused_from_table5", [])) | set(missing))
    records = [r for r in records if all(label in r["results"] for label in ("unpruned", *ABLATIONS))]
    if not records:
        raise SystemExit(f"no complete ablation results in {out} (the matching {TABLE5} seed files are missing)")
    labels = ("unpruned", *ABLATIONS)
    table = {label: {key: mean_and_spread([r["results"][label][key] for r in records]) for key in METRICS}
             for label in labels}
    tidy = [{"seed": r["seed"], "variant": label, **{key: r["results"][label][key] for key in METRICS}}
            for r in records for label in labels]
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(6.4, 4.6))
    markers = {"unpruned": "*", "I": "v", "I+II": "s", "I+II+III": "D", "I+II+III+IV": "o"}
    for label in labels:
        axis.errorbar(table[label]["recurrent_sops"][0], table[label]["nrmse"][0], xerr=table[label]["recurrent_sops"][1],
                      yerr=table[label]["nrmse"][1], marker=markers[label], markersize=9, capsize=3, linestyle="none",
                      label=("unpruned" if label == "unpruned" else f"LNP steps {label}"))
        for r in records:
            axis.plot(r["results"][label]["recurrent_sops"], r["results"][label]["nrmse"], marker=markers[label],
                      color="grey", alpha=0.35, linestyle="none", markersize=4)
    axis.set(xscale="log", xlabel="measured recurrent SOPs (frozen run)", ylabel="NRMSE, Lorenz-63 one-step",
             title=f"Fig. 12: LNP ablation, N = {settings['n_neurons']}, {len(records)} seed(s)"
             + (" (quick)" if settings["quick"] else ""))
    axis.legend(fontsize=8)
    figure.tight_layout()
    save(out, NAME, {"settings": settings, "seeds": [r["seed"] for r in records], "n_seeds": len(records),
                     "mode": "quick" if settings["quick"] else "full", "table": table,
                     "steps": {k: list(v) for k, v in ABLATIONS.items()}},
         figure, rows=tidy, seed=[r["seed"] for r in records], backend="runtime")


def main(argv=None):
    args = arguments(__doc__).parse_args(argv)
    settings = settings_for(args)
    run_seeds(args, settings, run_seed)
    aggregate(args.out, settings)


if __name__ == "__main__":
    main()
