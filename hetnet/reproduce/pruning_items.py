"""The pruning items of ``hetnet reproduce``: Table V, Fig. 10 and Fig. 12 (ICLR 2024).

Per seed, one randomly initialised HeNHeS network (current input, the
prediction pipeline's network) is pruned

* task-agnostically by Lyapunov noise pruning (LNP: steps I-III per
  iteration with rate homeostasis, step IV at the end;
  :func:`hetnet.pruning.lyapunov_noise_pruning`),
* by activity-based pruning (AP: STDP on the first ``ap_steps`` training
  steps, drop the least active neurons, retrain, repeat;
  :func:`hetnet.pruning.activity_pruning`), and
* as the random baseline, Erdos-Renyi networks with LNP's neuron, excitatory
  and synapse counts at each iteration (:func:`hetnet.pruning.random_baseline`).

Every network is judged by the library's prediction pipeline
(:func:`hetnet.tasks.prediction.predict_series`: STDP training on
``train_steps`` steps, frozen run, ridge readout of the filtered spike
counts, one-step NRMSE on the next ``test_steps``) on Lorenz-63 and on one
real series (the Santa Fe laser series shipped with the package, or a CSV
column: options ``data`` and ``column``). SOPs are counted from the spikes of
the frozen run (:func:`hetnet.pruning.measure_run`: recurrent, input and
readout separately) and along the pruning on a fixed probe stimulus (the
first ``probe_steps`` training steps) at the checkpoints of the iteration
(:class:`hetnet.pruning.SpikeProbe`).

The series split is the prediction pipeline's (train 500, test 100 steps in
full mode). A 300-step training window (the earlier experiment script) covers
only one wing of the Lorenz-63 attractor for some seeds (seed 1: half of the
test targets lie outside the training range and every network, unpruned
included, predicts with NRMSE ~1); :func:`hetnet.tasks.prediction.split_coverage`
measures this, the prediction pipeline warns about it and the seed record
stores it.

The three items share one computation per seed (:func:`pruning_run`), kept in
a small on-disk memo keyed by the settings and the seed (folder
:func:`memo_folder`), so ``hetnet reproduce table5 fig10 fig12`` prunes each
seed once.

Examples
--------
>>> from hetnet.reproduce.pruning_items import PRUNING_FULL, split_coverage
>>> PRUNING_FULL["train_steps"], PRUNING_FULL["test_steps"], PRUNING_FULL["n_neurons"]
(500, 100, 500)
>>> from hetnet.datasets.chaotic import lorenz63
>>> split_coverage(lorenz63(601, seed=1), PRUNING_FULL["train_steps"], PRUNING_FULL["test_steps"])
0.0
"""
from __future__ import annotations

import dataclasses
import logging
import os
import time
from pathlib import Path

import numpy as np

from hetnet.io import read_json, settings_digest, to_jsonable, write_json
from hetnet.reproduce.items import _verdict_title, claim_record, mean_sd
from hetnet.reproduce.registry import Item, register
from hetnet.tasks.prediction import split_coverage

__all__ = ["PRUNING_QUICK", "PRUNING_FULL", "pruning_run", "memo_folder", "series_for",
           "table5_seed", "table5_aggregate", "fig10_seed", "fig10_aggregate", "fig12_seed", "fig12_aggregate",
           "NETWORKS", "TABLE_METRICS", "FIG10_STYLES", "FIG12_LABELS"]

logger = logging.getLogger(__name__)

#: the four networks of Table V, in table order
NETWORKS = ("unpruned", "AP", "LNP", "ER")
#: the per-network numbers of Table V
TABLE_METRICS = ("n_neurons", "n_synapses", "recurrent_sops", "input_sops", "input_current_macs", "readout_sops",
                 "total_sops", "energy_uJ", "sop_ratio", "mean_rate_hz", "rmse", "nrmse", "vpt_steps")
_METHODS = ("LNP", "AP", "ER")

#: quick settings (a smoke test of the code path; seconds per item)
PRUNING_QUICK = {
    "n_neurons": 24, "iterations": 1, "train_steps": 50, "test_steps": 15, "washout_steps": 10, "ap_steps": 8,
    "probe_steps": 8, "measure_every": 1, "bo_calls": 2, "synapse_keep_fraction": 0.9, "node_prune_fraction": 0.05,
    "new_edge_fraction": 0.01, "ap_iterations": 1, "ap_prune_fraction": 0.1, "middle_predictions": False,
    "real_series": "santafe-laser", "data": None, "column": None, "backend": "runtime",
}
#: full settings: N = 500; LNP 50 iterations at twice the paper's per-iteration rates (keep 0.96 ~ 0.98^2,
#: remove 2 % ~ 2 x 1 %) instead of 100 at 0.98 / 1 %; AP 10 iterations of 9.6 % (1 - 0.98^5: about LNP's
#: neurons left); the prediction pipeline's split (train 500, test 100)
PRUNING_FULL = {
    "n_neurons": 500, "iterations": 50, "train_steps": 500, "test_steps": 100, "washout_steps": 50, "ap_steps": 50,
    "probe_steps": 50, "measure_every": 10, "bo_calls": 12, "synapse_keep_fraction": 0.96,
    "node_prune_fraction": 0.02, "new_edge_fraction": 0.01, "ap_iterations": 10, "ap_prune_fraction": 0.096,
    "middle_predictions": True, "real_series": "santafe-laser", "data": None, "column": None, "backend": "runtime",
}
_REAL_SERIES = ("santafe-laser", "sunspots")


def _say(message: str):
    logger.info(message)


def memo_folder(quick: bool = False) -> Path:
    """Folder of the per-seed memo of :func:`pruning_run`.

    ``OUT/pruning-runs/MODE`` beside the seed files when the seed runs under
    :func:`hetnet.reproduce.reproduce` (``OUT`` its output folder, ``MODE``
    ``quick`` or ``full``), else ``pruning-runs/MODE`` under ``$HETNET_CACHE``
    (or ``~/.cache/hetnet``). Like the seed files, the memo is keyed by the
    settings and the seed, not by the code: delete the folder after changing
    the pruning code.

    >>> memo_folder(quick=True).parts[-2:]
    ('pruning-runs', 'quick')
    """
    from hetnet.reproduce.runner import current_out

    out = current_out()
    if out is None:
        out = Path(os.environ.get("HETNET_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "hetnet"))
    return Path(out) / "pruning-runs" / ("quick" if quick else "full")


def _memo_stem(seed: int, settings: dict, quick: bool) -> Path:
    return memo_folder(quick) / f"seed{int(seed)}-{settings_digest({'seed': int(seed), **dict(settings)})}"


def _check(settings: dict):
    """A clear error for settings that cannot work."""
    from hetnet.errors import FieldError

    if int(settings["n_neurons"]) < 10:
        raise FieldError("n_neurons", settings["n_neurons"], "at least 10")
    if int(settings["iterations"]) < 1 or int(settings["ap_iterations"]) < 1:
        raise FieldError("iterations", (settings["iterations"], settings["ap_iterations"]), "at least 1 each")
    if not 0 <= int(settings["washout_steps"]) < int(settings["train_steps"]) - 1:
        raise FieldError("washout_steps", settings["washout_steps"], "0 <= washout_steps < train_steps - 1")
    for name in ("ap_steps", "probe_steps"):
        if not 1 <= int(settings[name]) <= int(settings["train_steps"]):
            raise FieldError(name, settings[name], f"1 .. train_steps ({settings['train_steps']})")
    if settings.get("data"):
        if not settings.get("column"):
            raise FieldError("column", settings.get("column"), "a CSV column name (with data)")
    elif settings["real_series"] not in _REAL_SERIES:
        raise FieldError("real_series", settings["real_series"], f"one of {', '.join(_REAL_SERIES)} (or data + column)")


def series_for(name: str, settings: dict, seed: int):
    """``(series, dt, lyapunov_exponent, label)`` of ``"lorenz63"`` or ``"real"`` for one seed.

    The real series is a CSV column (``settings["data"]``, ``settings["column"]``)
    or a shipped one (``settings["real_series"]``). A series shorter than
    ``train_steps + test_steps + 1`` is an error.

    >>> series, dt, exponent, label = series_for("lorenz63", PRUNING_QUICK, 0)
    >>> series.shape, dt, label
    ((66, 3), 0.02, 'lorenz63')
    """
    from hetnet.tasks.registry import task_series

    needed = int(settings["train_steps"]) + int(settings["test_steps"]) + 1
    if name == "lorenz63":
        series, dt, exponent = task_series("lorenz63", needed, seed)
        label = "lorenz63"
    elif name == "real" and settings.get("data"):
        from hetnet.datasets.files import load_csv_series

        series, dt, exponent = load_csv_series(settings["data"], settings["column"]), 1.0, None
        label = f"csv:{settings['column']}"
    elif name == "real":
        series, dt, exponent = task_series(settings["real_series"], needed, seed)
        label = settings["real_series"]
    else:
        raise ValueError(f"series must be 'lorenz63' or 'real'; got {name!r}")
    series = np.asarray(series, dtype=float)
    series = series[:, None] if series.ndim == 1 else series
    if len(series) < needed:
        raise ValueError(f"the series {label!r} has {len(series)} steps; train + test + 1 = {needed} are needed")
    return series[:needed], dt, exponent, label


def _with_input_of(instance, other):
    """``instance`` (its recurrent network) with the input pathway of ``other`` (another series' encoding)."""
    return dataclasses.replace(instance, n_input=other.n_input, input_kind=other.input_kind,
                               synapses={**instance.synapses, "input": other.synapses["input"]})


def _predict(config, series, dt, exponent, networks, settings, label):
    """Prediction-pipeline metrics and SOPs (counted from the frozen run's spikes) of every network."""
    from hetnet.pruning import measure_run
    from hetnet.tasks.prediction import predict_series

    results = predict_series(config, series, train_steps=int(settings["train_steps"]),
                             test_steps=int(settings["test_steps"]), washout_steps=int(settings["washout_steps"]),
                             networks=networks, dt=dt, lyapunov_exponent=exponent, backend=settings["backend"],
                             progress=lambda message: _say(f"{label} {message}"))
    out = {}
    for name, metrics in results.items():
        frozen = metrics["frozen"]
        sops = measure_run(frozen, frozen.final_network or networks[name], n_outputs=series.shape[1])
        out[name] = {
            "n_neurons": metrics["n_neurons"], "n_synapses": metrics["n_synapses"],
            **{key: sops[key] for key in ("recurrent_sops", "input_sops", "input_current_macs", "readout_sops",
                                          "total_sops", "duration_s")},
            "energy_uJ": sops["energy_pJ"] * 1e-6,
            **{key: metrics[key] for key in ("mean_rate_hz", "training_mean_rate_hz", "rmse", "nrmse", "train_nrmse",
                                             "nrmse_with_input", "ridge_alpha", "vpt_steps", "vpt_lyapunov_times",
                                             "silent_fraction")},
        }
        _say(f"{label} {name}: NRMSE {out[name]['nrmse']:.4f}, recurrent SOPs {out[name]['recurrent_sops']:.4g}, "
             f"rate {out[name]['mean_rate_hz']:.3g} Hz")
    return out


def _sop_ratios(rows: dict, unpruned: dict) -> dict:
    """``rows`` with ``sop_ratio`` = unpruned / own recurrent SOPs added to each."""
    for row in rows.values():
        row["sop_ratio"] = unpruned["recurrent_sops"] / max(row["recurrent_sops"], 1.0)
    return rows


def _lnp_options(settings, seed, steps="I+II+III+IV", measure=True):
    from hetnet.pruning import LNPOptions

    return LNPOptions.ablation(
        steps, n_iterations=int(settings["iterations"]), synapse_keep_fraction=settings["synapse_keep_fraction"],
        node_prune_fraction=settings["node_prune_fraction"], new_edge_fraction=settings["new_edge_fraction"],
        measure_every=int(settings["measure_every"]) if measure else None,
        timescale_options={"n_calls": int(settings["bo_calls"]), "n_initial_points": min(5, int(settings["bo_calls"]))},
        seed=int(seed))


def _start(settings, seed):
    """``(config, lorenz, dt, exponent, stimulus, original network)`` of one seed."""
    from hetnet.config import HRSNNConfig
    from hetnet.encoding import encode_series
    from hetnet.network import generate_network, input_kind_of

    config = HRSNNConfig(n_neurons=int(settings["n_neurons"]), seed=int(seed), backend=settings["backend"])
    lorenz, dt, exponent, _ = series_for("lorenz63", settings, seed)
    train = int(settings["train_steps"])
    stimulus = encode_series(lorenz[: train + int(settings["test_steps"])], config.input, fit_steps=train)
    original = generate_network(config, n_input=stimulus.n_channels, input_kind=input_kind_of(stimulus))
    return config, lorenz, dt, exponent, stimulus, original


def pruning_run(seed: int, settings: dict, quick: bool = False) -> dict:
    """The shared computation of one seed: LNP, AP, ER and the prediction pipeline on both series (memoised).

    Parameters
    ----------
    seed : int
    settings : dict
        :data:`PRUNING_QUICK` or :data:`PRUNING_FULL` (possibly changed).
    quick : bool
        Only selects the memo's folder (:func:`memo_folder`).

    Returns
    -------
    dict
        ``{"table": {series label: {network: metrics}}, "series": {"lorenz63": label, "real": label},
        "coverage": {label: split_coverage}, "histories": {method: PruningHistory.to_dict()},
        "ap_real_series": ..., "middle_iteration", "seconds", "memo": path stem}``; the LNP networks
        before and after step IV and the AP network (Lorenz-63) are saved next to the memo (``*_lnp.npz``,
        ``*_lnp_steps_1_3.npz``, ``*_ap.npz``).
        A second call with the same seed and settings reads the memo back.

    Examples
    --------
    >>> run = pruning_run(0, PRUNING_QUICK)  # doctest: +SKIP
    >>> sorted(run["table"]["lorenz63"])  # doctest: +SKIP
    ['AP', 'ER', 'LNP', 'unpruned']
    """
    from hetnet.encoding import encode_series
    from hetnet.network import generate_network, input_kind_of
    from hetnet.pruning import SpikeProbe, activity_pruning, lyapunov_noise_pruning, random_baseline

    settings = dict(settings)
    _check(settings)
    stem = _memo_stem(seed, settings, quick)
    memo = stem.with_suffix(".json")
    if memo.is_file() and all(stem.with_name(stem.name + suffix).is_file() for suffix in ("_lnp.npz", "_ap.npz")):
        try:
            return read_json(memo)
        except ValueError:
            logger.warning("unreadable memo %s; running the seed again", memo)
    clock = time.perf_counter()
    train, test = int(settings["train_steps"]), int(settings["test_steps"])
    config, lorenz, dt, exponent, stimulus, original = _start(settings, seed)
    probe = SpikeProbe(original, stimulus.slice_steps(0, int(settings["probe_steps"])), n_outputs=lorenz.shape[1])
    _say(f"seed {seed}: LNP, {settings['iterations']} iterations from {original.n_neurons} neurons")
    lnp = lyapunov_noise_pruning(original, _lnp_options(settings, seed), measure=probe)
    stem.parent.mkdir(parents=True, exist_ok=True)
    lnp.network.save(stem.with_name(stem.name + "_lnp_tmp.npz"))
    lnp.before_timescales.save(stem.with_name(stem.name + "_lnp_steps_1_3.npz"))
    _say(f"seed {seed}: random ER with LNP's counts")
    er = random_baseline(lnp, original, measure=probe, compute_lyapunov=False, seed=seed)
    ap_every = max(1, round(int(settings["measure_every"]) * int(settings["ap_iterations"]) / int(settings["iterations"])))
    _say(f"seed {seed}: AP, {settings['ap_iterations']} iterations of {settings['ap_prune_fraction']}")
    ap = activity_pruning(original, stimulus.slice_steps(0, int(settings["ap_steps"])),
                          n_iterations=int(settings["ap_iterations"]), prune_fraction=settings["ap_prune_fraction"],
                          compute_lyapunov=False, seed=seed, measure=probe.measure_instance, measure_every=ap_every)
    ap.instance.save(stem.with_name(stem.name + "_ap_tmp.npz"))
    networks = {"unpruned": original, "AP": ap.instance, "LNP": lnp.network.to_network_instance(original),
                "ER": er.network.to_network_instance(original)}
    middle = int(settings["measure_every"]) * max(1, round(int(settings["iterations"]) / 2 / int(settings["measure_every"])))
    ap_middle = round(middle * int(settings["ap_iterations"]) / int(settings["iterations"]))
    if settings["middle_predictions"] and 0 < middle < int(settings["iterations"]):
        networks[f"LNP@{middle}"] = lnp.snapshots[middle].to_network_instance(original)
        networks[f"ER@{middle}"] = er.snapshots[middle].to_network_instance(original)
        if ap_middle in ap.snapshots:
            networks[f"AP@{middle}"] = ap.snapshots[ap_middle]
    table = {"lorenz63": _predict(config, lorenz, dt, exponent, networks, settings, f"seed {seed} lorenz63")}
    _sop_ratios(table["lorenz63"], table["lorenz63"]["unpruned"])
    # the real series: the same recurrent networks with that series' input pathway; AP re-pruned on its steps
    series, real_dt, real_exponent, label = series_for("real", settings, seed)
    real_stimulus = encode_series(series[: train + test], config.input, fit_steps=train)
    real_original = _with_input_of(original, generate_network(config, n_input=real_stimulus.n_channels,
                                                              input_kind=input_kind_of(real_stimulus)))
    _say(f"seed {seed}: AP on {label}")
    ap_real = activity_pruning(real_original, real_stimulus.slice_steps(0, int(settings["ap_steps"])),
                               n_iterations=int(settings["ap_iterations"]), prune_fraction=settings["ap_prune_fraction"],
                               compute_lyapunov=False, seed=seed)
    real_networks = {"unpruned": real_original, "AP": ap_real.instance,
                     "LNP": lnp.network.to_network_instance(real_original),
                     "ER": er.network.to_network_instance(real_original)}
    table[label] = _predict(config, series, real_dt, real_exponent, real_networks, settings, f"seed {seed} {label}")
    _sop_ratios(table[label], table[label]["unpruned"])
    record = to_jsonable({
        "seed": int(seed), "table": table, "series": {"lorenz63": "lorenz63", "real": label},
        "coverage": {"lorenz63": split_coverage(lorenz, train, test), label: split_coverage(series, train, test)},
        "middle_iteration": middle, "histories": {"LNP": lnp.to_dict(), "AP": ap.to_dict(), "ER": er.to_dict()},
        "ap_real_series": ap_real.to_dict(), "seconds": time.perf_counter() - clock, "memo": str(stem)})
    write_json(memo, record)
    os.replace(stem.with_name(stem.name + "_ap_tmp.npz"), stem.with_name(stem.name + "_ap.npz"))
    os.replace(stem.with_name(stem.name + "_lnp_tmp.npz"), stem.with_name(stem.name + "_lnp.npz"))
    _say(f"seed {seed}: pruning run done in {record['seconds']:.0f} s")
    return record


# --------------------------------------------------------------------------------------------- Table V

def table5_seed(seed: int, quick: bool, options: dict) -> dict:
    """Table V of one seed: every network's metrics on both series (from :func:`pruning_run`).

    Parameters
    ----------
    seed : int
    quick : bool
        Quick mode (only the memo's folder depends on it).
    options : dict
        The item's settings (:data:`PRUNING_QUICK` or :data:`PRUNING_FULL`, possibly changed).

    Returns
    -------
    dict
        JSON-ready; ``{"table": {series: {network: metrics}}, "series", "coverage", "seconds", "lnp_probe_rates"}``.

    Examples
    --------
    >>> result = table5_seed(0, True, PRUNING_QUICK)  # doctest: +SKIP
    >>> sorted(result["table"]["lorenz63"])  # doctest: +SKIP
    ['AP', 'ER', 'LNP', 'unpruned']
    """
    run = pruning_run(seed, options, quick)
    return {key: run[key] for key in ("table", "series", "coverage", "seconds")} | {
        "lnp_probe_rates": _probe_rates(run["histories"]["LNP"])}


def _probe_rates(history: dict) -> dict:
    """``{iteration: {step: rate}}`` of the probe measurements of an LNP history."""
    return {str(record["iteration"]): {step: values["mean_rate_hz"] for step, values in record["measured"].items() if values}
            for record in history["records"] if record.get("measured")}


def _per_seed(results, series, network, key):
    return [results[seed]["table"][series][network][key] for seed in results]


def table5_aggregate(results: dict, options: dict):
    """Table V over the seeds: mean ± sd per series and network, the claims tested across seeds, the figure.

    Parameters
    ----------
    results : dict
        ``{seed: table5_seed(seed, ...)}``.
    options : dict
        The item's settings.

    Returns
    -------
    record : dict
        ``{"summary": {"SERIES/NETWORK": {metric: mean_sd}}, "claims", "report_table", "coverage", "lnp_probe_rates", "rows", ...}``.
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> from hetnet.reproduce import reproduce
    >>> record = reproduce("table5", quick=True, out="/tmp/hetnet-smoke")  # doctest: +SKIP
    >>> record["summary"]["lorenz63/LNP"]["sop_ratio"]["mean"] > 1  # doctest: +SKIP
    True
    """
    from matplotlib.ticker import NullFormatter

    from hetnet.plotting import new_figure, seeds_label

    seeds = list(results)
    labels = list(results[seeds[0]]["table"])
    lorenz, real = labels[0], labels[-1]
    summary = {f"{series}/{network}": {key: mean_sd(_per_seed(results, series, network, key)) for key in TABLE_METRICS}
               for series in labels for network in NETWORKS}
    ratio = _per_seed(results, lorenz, "LNP", "sop_ratio")
    rate = np.divide(_per_seed(results, lorenz, "LNP", "mean_rate_hz"), _per_seed(results, lorenz, "unpruned", "mean_rate_hz"))
    claims = {"LNP >= 10x fewer recurrent SOPs than unpruned": claim_record(
        ratio, [10.0] * len(seeds), "greater", a="LNP", b="10x", metric="unpruned / LNP recurrent SOPs (Lorenz-63)")}
    for series in labels:
        claims[f"LNP NRMSE < AP NRMSE ({series})"] = claim_record(
            _per_seed(results, series, "LNP", "nrmse"), _per_seed(results, series, "AP", "nrmse"), "less",
            a="LNP", b="AP", metric=f"NRMSE ({series})")
    claims["LNP fewer SOPs than AP"] = claim_record(
        _per_seed(results, lorenz, "LNP", "recurrent_sops"), _per_seed(results, lorenz, "AP", "recurrent_sops"), "less",
        a="LNP", b="AP", metric="recurrent SOPs (Lorenz-63)")
    claims["LNP rate within 2x of unpruned"] = claim_record(
        np.abs(np.log2(rate)), [1.0] * len(seeds), "less", a="LNP", b="2x",
        metric="abs(log2(LNP rate / unpruned rate)) (Lorenz-63 frozen run)")
    lnp_nrmse = np.array(_per_seed(results, lorenz, "LNP", "nrmse"))
    er_nrmse = np.array(_per_seed(results, lorenz, "ER", "nrmse"))
    claims["LNP NRMSE spread < ER spread"] = claim_record(
        np.abs(lnp_nrmse - np.median(lnp_nrmse)), np.abs(er_nrmse - np.median(er_nrmse)), "less", a="LNP", b="ER",
        metric="abs(NRMSE - seed median) (Lorenz-63)")
    figure, axes = new_figure(1, len(labels), figsize=(6 * len(labels), 5.6), squeeze=False)
    markers = {"unpruned": "*", "AP": "s", "LNP": "o", "ER": "^"}
    for axis, series in zip(axes[0], labels):
        for network in NETWORKS:
            sops = _per_seed(results, series, network, "recurrent_sops")
            nrmse = _per_seed(results, series, network, "nrmse")
            axis.errorbar(np.mean(sops), np.mean(nrmse), xerr=mean_sd(sops)["sd"], yerr=mean_sd(nrmse)["sd"],
                          marker=markers[network], markersize=9, capsize=3, linestyle="none", label=network)
            axis.plot(sops, nrmse, marker=markers[network], color="0.5", alpha=0.4, linestyle="none", markersize=4)
        axis.set(xscale="log", xlabel="measured recurrent SOPs (frozen run, train + test steps)",
                 ylabel="NRMSE, one-step", title=f"Table V, {series}: {seeds_label(len(seeds))}")
        axis.xaxis.set_minor_formatter(NullFormatter())
        axis.legend(fontsize=8, title="grey: single seeds", title_fontsize=7)
    _verdict_title(figure, claims)
    rows = [{"seed": seed, "variant": f"{series}/{network}",
             **{key: results[seed]["table"][series][network][key] for key in TABLE_METRICS}}
            for seed in seeds for series in labels for network in results[seed]["table"][series]]
    record = {"summary": summary, "claims": claims, "series": labels, "real_series": real,
              "report_table": _table5_report_table(summary, labels, len(seeds)),
              "coverage": {series: [results[seed]["coverage"][series] for seed in seeds] for series in labels},
              "lnp_probe_rates": {str(seed): results[seed]["lnp_probe_rates"] for seed in seeds},
              "notes": ("SOPs counted from simulated spikes of the frozen run (train + test steps); input_sops is 0 "
                        "with the current input (input_current_macs = input synapses x steps instead); readout_sops "
                        "= spikes x outputs; energy = 0.9 pJ x total SOPs; sop_ratio = unpruned / network recurrent "
                        "SOPs per seed; coverage = fraction of test targets outside the training range."),
              "rows": rows}
    return record, figure


_REPORT_COLUMNS = (("n_neurons", "neurons", 1.0, "{:.0f}"), ("n_synapses", "synapses", 1.0, "{:.0f}"),
                   ("recurrent_sops", "recurrent SOPs (M)", 1e-6, "{:.3g}"), ("sop_ratio", "SOP ratio", 1.0, "{:.3g}"),
                   ("energy_uJ", "energy (µJ)", 1.0, "{:.3g}"), ("mean_rate_hz", "rate (Hz)", 1.0, "{:.3g}"),
                   ("rmse", "RMSE", 1.0, "{:.3g}"), ("nrmse", "NRMSE", 1.0, "{:.3g}"), ("vpt_steps", "VPT (steps)", 1.0, "{:.3g}"))


def _table5_report_table(summary: dict, labels, n_seeds: int) -> dict:
    """Table V as the report prints it: one row per (series, network), mean ± sd over the seeds."""
    def cell(stats, factor, form):
        text = form.format(stats["mean"] * factor)
        return text + (f" ± {form.format(stats['sd'] * factor)}" if n_seeds > 1 else "")

    rows = [[series, network, *(cell(summary[f"{series}/{network}"][key], factor, form)
                                for key, _, factor, form in _REPORT_COLUMNS)]
            for series in labels for network in NETWORKS]
    return {"columns": ["series", "network", *(title for _, title, _, _ in _REPORT_COLUMNS)], "rows": rows}


# --------------------------------------------------------------------------------------------- Fig. 10

def fig10_seed(seed: int, quick: bool, options: dict) -> dict:
    """Fig. 10 of one seed: the LNP, AP and ER histories and the Lorenz-63 NRMSE at the checkpoints.

    Parameters
    ----------
    seed : int
    quick : bool
        Quick mode (only the memo's folder depends on it).
    options : dict
        The item's settings (:data:`PRUNING_QUICK` or :data:`PRUNING_FULL`, possibly changed).

    Returns
    -------
    dict
        JSON-ready; ``{"histories": {method: [iteration records]}, "nrmse": {method: {iteration: NRMSE}}, "seconds"}``.

    Examples
    --------
    >>> result = fig10_seed(0, True, PRUNING_QUICK)  # doctest: +SKIP
    >>> sorted(result["nrmse"]["LNP"], key=int)  # doctest: +SKIP
    ['0', '1']
    """
    run = pruning_run(seed, options, quick)
    table = run["table"]["lorenz63"]
    middle = run["middle_iteration"]
    nrmse = {method: {"0": table["unpruned"]["nrmse"], str(options["iterations"]): table[method]["nrmse"],
                      **({str(middle): table[f"{method}@{middle}"]["nrmse"]} if f"{method}@{middle}" in table else {})}
             for method in _METHODS}
    keep = ("iteration", "n_neurons", "n_synapses", "measured")
    return {"histories": {method: [{key: record.get(key) for key in keep} for record in run["histories"][method]["records"]]
                          for method in _METHODS},
            "nrmse": nrmse, "seconds": run["seconds"]}


def _measured_curve(records, key):
    """``(iterations, values)`` of a probe-measured quantity (last measurement of each checkpoint)."""
    points = [(record["iteration"], [values for values in record["measured"].values() if values][-1][key])
              for record in records if record.get("measured")]
    return np.array(points, dtype=float).reshape(-1, 2).T


#: line styles of Fig. 10: distinct markers, line styles and widths so that no curve hides another
FIG10_STYLES = {"LNP": {"color": "tab:blue", "marker": "o", "linestyle": "-", "linewidth": 2.8, "markersize": 7},
                "AP": {"color": "tab:orange", "marker": "s", "linestyle": "--", "linewidth": 1.8, "markersize": 6},
                "ER": {"color": "tab:green", "marker": "D", "linestyle": ":", "linewidth": 1.6, "markersize": 10,
                       "markerfacecolor": "none", "markeredgewidth": 1.5}}


def _band(axis, xs, curves, label, style, n_seeds):
    values = np.array(curves, dtype=float)
    mean = values.mean(axis=0)
    axis.plot(xs, mean, label=f"{label} ({n_seeds} seed{'s' if n_seeds > 1 else ''})", markevery=max(1, len(xs) // 12),
              **style)
    if n_seeds > 1:
        spread = values.std(axis=0, ddof=1)
        axis.fill_between(xs, mean - spread, mean + spread, alpha=0.15, color=style["color"])


def fig10_aggregate(results: dict, options: dict):
    """Fig. 10 over the seeds: neurons, synapses, probe SOPs and rate, NRMSE against the iteration (bands), claims.

    AP is drawn at LNP's matching iteration; ER (LNP's counts by construction)
    is shifted by 1 % of the iterations, with large hollow markers, so that no
    curve hides another.

    Parameters
    ----------
    results : dict
        ``{seed: fig10_seed(seed, ...)}``.
    options : dict
        The item's settings.

    Returns
    -------
    record : dict
        ``{"summary": {method: {...}}, "claims", "rows"}``.
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> from hetnet.reproduce import reproduce
    >>> record = reproduce("fig10", quick=True, out="/tmp/hetnet-smoke")  # doctest: +SKIP
    >>> list(record["claims"])  # doctest: +SKIP
    ['LNP ends with fewer synapses than AP', 'LNP ends with fewer probe SOPs than AP']
    """
    from hetnet.plotting import new_figure

    seeds = list(results)
    scale = int(options["iterations"]) / int(options["ap_iterations"])   # AP iteration k is drawn at LNP's k x scale
    figure, axes = new_figure(1, 5, figsize=(25, 4.6))
    summary = {}
    for method in _METHODS:
        histories = [results[seed]["histories"][method] for seed in seeds]
        stretch = scale if method == "AP" else 1.0
        xs = np.array([record["iteration"] for record in histories[0]], dtype=float) * stretch
        # ER has LNP's counts by construction: drawn shifted right by 1 % of the iterations (large hollow markers)
        # so that both curves stay visible
        shift = 0.01 * int(options["iterations"]) if method == "ER" else 0.0
        label = f"ER (LNP's counts, drawn +{shift:.2g} it.)" if method == "ER" else method
        for axis, key in zip(axes[:2], ("n_neurons", "n_synapses")):
            _band(axis, xs + shift, [[record[key] for record in h] for h in histories], label, FIG10_STYLES[method],
                  len(seeds))
        for axis, key in zip(axes[2:4], ("recurrent_sops_per_s", "mean_rate_hz")):
            curves = [_measured_curve(h, key) for h in histories]
            _band(axis, curves[0][0] * stretch, [c[1] for c in curves], method, FIG10_STYLES[method], len(seeds))
        points = sorted(results[seeds[0]]["nrmse"][method], key=int)
        _band(axes[4], [int(p) for p in points], [[results[seed]["nrmse"][method][p] for p in points] for seed in seeds],
              method, FIG10_STYLES[method], len(seeds))
        summary[method] = {"final neurons": mean_sd([h[-1]["n_neurons"] for h in histories]),
                           "final synapses": mean_sd([h[-1]["n_synapses"] for h in histories]),
                           "final probe recurrent SOPs/s": mean_sd([_measured_curve(h, "recurrent_sops_per_s")[1][-1]
                                                                   for h in histories]),
                           "final NRMSE": mean_sd([results[seed]["nrmse"][method][points[-1]] for seed in seeds])}
    start_rate = np.mean([_measured_curve(results[seed]["histories"]["LNP"], "mean_rate_hz")[1][0] for seed in seeds])
    axes[3].axhspan(start_rate / 2, start_rate * 2, color="0.85", alpha=0.5, label="unpruned rate / 2 .. x 2")
    titles = ("neurons", "synapses", "measured recurrent SOPs / s (probe, frozen)", "mean rate, Hz (probe, frozen)",
              "NRMSE, Lorenz-63 one-step (prediction pipeline)")
    for axis, title in zip(axes, titles):
        axis.set(xlabel="LNP iteration (AP: matching iteration)", title=title)
        axis.legend(fontsize=8)
    for axis in axes[1:3]:
        axis.set_yscale("log")
    claims = {
        # not tested: the neurons left, which both schedules set (LNP 50 x 2 %, AP 10 x 9.6 %: 168 and 178 of 500)
        "LNP ends with fewer synapses than AP": claim_record(
            [results[s]["histories"]["LNP"][-1]["n_synapses"] for s in seeds],
            [results[s]["histories"]["AP"][-1]["n_synapses"] for s in seeds], "less", a="LNP", b="AP",
            metric="synapses after pruning"),
        "LNP ends with fewer probe SOPs than AP": claim_record(
            [_measured_curve(results[s]["histories"]["LNP"], "recurrent_sops_per_s")[1][-1] for s in seeds],
            [_measured_curve(results[s]["histories"]["AP"], "recurrent_sops_per_s")[1][-1] for s in seeds], "less",
            a="LNP", b="AP", metric="recurrent SOPs / s on the probe, end of pruning"),
    }
    figure.suptitle(f"Fig. 10: pruning, N = {options['n_neurons']}, seeds {seeds}; AP: {options['ap_iterations']} "
                    f"iterations of {options['ap_prune_fraction']:.3g}, drawn at LNP's matching iteration; bands: sd "
                    "over seeds\n" + "; ".join(f"{name}: {claim['verdict']}" for name, claim in claims.items()),
                    fontsize=9)
    rows = [{"seed": s, "variant": m, "final_n_neurons": results[s]["histories"][m][-1]["n_neurons"],
             "final_n_synapses": results[s]["histories"][m][-1]["n_synapses"]} for s in seeds for m in _METHODS]
    return {"summary": summary, "claims": claims, "rows": rows}, figure


# --------------------------------------------------------------------------------------------- Fig. 12

#: the ablation's labels in plot order (``hetnet.pruning.ABLATIONS`` names the steps)
FIG12_LABELS = ("unpruned", "I", "I+II", "I+II+III", "I+II+III+IV")


def fig12_seed(seed: int, quick: bool, options: dict) -> dict:
    """Fig. 12 of one seed: LNP with steps I; I+II; I+II+III; I-IV, each through the Lorenz-63 pipeline.

    Parameters
    ----------
    seed : int
    quick : bool
        Quick mode (only the memo's folder depends on it).
    options : dict
        The item's settings (:data:`PRUNING_QUICK` or :data:`PRUNING_FULL`, possibly changed).

    Returns
    -------
    dict
        JSON-ready; ``{"results": {label: metrics}}`` for the labels of :data:`FIG12_LABELS`.

    Examples
    --------
    >>> result = fig12_seed(0, True, PRUNING_QUICK)  # doctest: +SKIP
    >>> list(result["results"])  # doctest: +SKIP
    ['unpruned', 'I', 'I+II', 'I+II+III', 'I+II+III+IV']
    """
    from hetnet.pruning import PrunedNetwork, lyapunov_noise_pruning

    run = pruning_run(seed, options, quick)
    config, lorenz, dt, exponent, _, original = _start(options, seed)
    stem = _memo_stem(seed, options, quick)
    networks = {"I+II+III": PrunedNetwork.load(stem.with_name(stem.name + "_lnp_steps_1_3.npz")).to_network_instance(original)}
    for steps in ("I", "I+II"):
        _say(f"seed {seed}: LNP with steps {steps}")
        history = lyapunov_noise_pruning(original, _lnp_options(options, seed, steps, measure=False))
        networks[steps] = history.network.to_network_instance(original)
    # the unpruned and the all-steps networks went through the same seeded pipeline in the shared run
    results = _predict(config, lorenz, dt, exponent, networks, options, f"seed {seed} ablation")
    results.update({"unpruned": run["table"]["lorenz63"]["unpruned"], "I+II+III+IV": run["table"]["lorenz63"]["LNP"]})
    _sop_ratios(results, results["unpruned"])
    return {"results": {label: results[label] for label in FIG12_LABELS}}


def fig12_aggregate(results: dict, options: dict):
    """Fig. 12 over the seeds: NRMSE against recurrent SOPs per ablation, and whether each step contributes.

    Parameters
    ----------
    results : dict
        ``{seed: fig12_seed(seed, ...)}``.
    options : dict
        The item's settings.

    Returns
    -------
    record : dict
        ``{"summary": {label: {metric: mean_sd}}, "claims", "rows"}``.
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> row = lambda sops, nrmse: {"n_neurons": 1, "n_synapses": 1, "recurrent_sops": sops,
    ...                          "total_sops": sops, "mean_rate_hz": 30.0, "nrmse": nrmse, "rmse": nrmse}
    >>> seed = {"results": {"unpruned": row(8e6, 0.03), "I": row(1e6, 0.03), "I+II": row(3e5, 0.06),
    ...                     "I+II+III": row(4e5, 0.05), "I+II+III+IV": row(4e5, 0.07)}}
    >>> record, figure = fig12_aggregate({0: seed}, PRUNING_FULL)
    >>> record["summary"]["I+II"]["recurrent_sops"]["mean"], record["claims"]["step I cuts SOPs"]["verdict"]
    (300000.0, 'inconclusive')
    """
    from hetnet.plotting import new_figure, seeds_label

    seeds = list(results)
    keys = ("n_neurons", "n_synapses", "recurrent_sops", "total_sops", "mean_rate_hz", "nrmse", "rmse")

    def values(label, key):
        return [results[seed]["results"][label][key] for seed in seeds]

    summary = {label: {key: mean_sd(values(label, key)) for key in keys} for label in FIG12_LABELS}
    claims = {
        "step I cuts SOPs": claim_record(values("I", "recurrent_sops"), values("unpruned", "recurrent_sops"), "less",
                                         a="I", b="unpruned", metric="recurrent SOPs"),
        "step II cuts SOPs further": claim_record(values("I+II", "recurrent_sops"), values("I", "recurrent_sops"), "less",
                                                  a="I+II", b="I", metric="recurrent SOPs"),
        "step III lowers the error": claim_record(values("I+II+III", "nrmse"), values("I+II", "nrmse"), "less",
                                                  a="I+II+III", b="I+II", metric="NRMSE"),
        "step IV lowers the error": claim_record(values("I+II+III+IV", "nrmse"), values("I+II+III", "nrmse"), "less",
                                                 a="I+II+III+IV", b="I+II+III", metric="NRMSE"),
    }
    figure, axis = new_figure(figsize=(7, 5.6))
    markers = {"unpruned": "*", "I": "v", "I+II": "s", "I+II+III": "D", "I+II+III+IV": "o"}
    for label in FIG12_LABELS:
        axis.errorbar(summary[label]["recurrent_sops"]["mean"], summary[label]["nrmse"]["mean"],
                      xerr=summary[label]["recurrent_sops"]["sd"], yerr=summary[label]["nrmse"]["sd"],
                      marker=markers[label], markersize=9, capsize=3, linestyle="none",
                      label="unpruned" if label == "unpruned" else f"LNP steps {label}")
        axis.plot(values(label, "recurrent_sops"), values(label, "nrmse"), marker=markers[label], color="0.5",
                  alpha=0.4, linestyle="none", markersize=4)
    axis.set(xscale="log", xlabel="measured recurrent SOPs (frozen run)", ylabel="NRMSE, Lorenz-63 one-step",
             title=f"Fig. 12: LNP ablation, N = {options['n_neurons']}, {seeds_label(len(seeds))} (grey: single seeds)")
    axis.legend(fontsize=8)
    _verdict_title(figure, claims)
    rows = [{"seed": s, "variant": label, **{key: results[s]["results"][label][key] for key in keys}}
            for s in seeds for label in FIG12_LABELS]
    return {"summary": summary, "claims": claims, "rows": rows}, figure


_SHARED = ("Table V, Fig. 10 and Fig. 12 share one pruning run per seed (hetnet.reproduce.pruning_items.pruning_run); "
           "run them with the same settings to prune each seed once.")

_TABLE5_DESCRIPTION = (
    "One-step prediction (Lorenz-63 and the Santa Fe laser series, train 500 / test 100 steps) by the unpruned, "
    "activity-pruned (AP), Lyapunov-noise-pruned (LNP) and random ER (LNP's counts) HRSNN: neurons, synapses, SOPs "
    "counted from simulated spikes, SOP ratio, energy, RMSE, NRMSE, VPT. ")
_TABLE5_CLAIMS = {
    "LNP >= 10x fewer recurrent SOPs than unpruned": "unpruned HRSNN-STDP 710.8 M SOPs, LNP-pruned 18.2 M (~39x fewer; target >= 10x)",
    "LNP NRMSE < AP NRMSE ({series})": "RMSE: unpruned 0.315, AP-pruned 1.718, LNP-pruned 0.705",
    "LNP fewer SOPs than AP": "AP-pruned 92.7 M SOPs, LNP-pruned 18.2 M",
    "LNP rate within 2x of unpruned": "target of the pruning issue: the pruned rate stays within 2x",
    "LNP NRMSE spread < ER spread": "LNP's error varies less across seeds than random ER's"}
_FIG10_DESCRIPTION = ("Neurons, synapses, measured recurrent SOPs and rate (probe) and NRMSE against the pruning "
                      "iteration, LNP against AP and random ER, bands over seeds. The neurons left are set by the "
                      "schedules (not a claim). ")
_FIG10_PAPER = "LNP ends with fewer neurons and synapses than AP, with lower variance"
_FIG10_CLAIMS = {"LNP ends with fewer synapses than AP": _FIG10_PAPER,
                 "LNP ends with fewer probe SOPs than AP": "LNP-pruned 18.2 M SOPs against AP-pruned 92.7 M (Table V)"}
_FIG12_DESCRIPTION = ("Ablation of the four LNP steps (I; I+II; I+II+III; all four; same iterations each): Lorenz-63 "
                      "NRMSE against SOPs counted from the frozen run's spikes. ")
_FIG12_CLAIMS = dict.fromkeys(("step I cuts SOPs", "step II cuts SOPs further", "step III lowers the error",
                               "step IV lowers the error"), "each of the four LNP steps contributes (accuracy against SOPs)")

for _name, _paper, _description, _claims, _output, _run_seed, _aggregate in (
        ("table5", "ICLR 2024, Table V", _TABLE5_DESCRIPTION, _TABLE5_CLAIMS, "table5_pruning", table5_seed,
         table5_aggregate),
        ("fig10", "ICLR 2024, Fig. 10", _FIG10_DESCRIPTION, _FIG10_CLAIMS, "fig10_pruning_evolution", fig10_seed,
         fig10_aggregate),
        ("fig12", "ICLR 2024, Fig. 12", _FIG12_DESCRIPTION, _FIG12_CLAIMS, "fig12_lnp_ablation", fig12_seed,
         fig12_aggregate)):
    register(Item(name=_name, paper_item=_paper, description=_description + _SHARED, claims=_claims, output=_output,
                  quick=PRUNING_QUICK, full=PRUNING_FULL, run_seed=_run_seed, aggregate=_aggregate))

