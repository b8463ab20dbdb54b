"""The paper items ``hetnet reproduce`` runs: one ``run_seed`` and one ``aggregate`` per item.

Every claim is tested across seeds by :func:`hetnet.analysis.paired_comparison`
(paired t-test, Wilcoxon beside it, Cohen's ``d_z``) and its one verdict rule
("holds", "does not hold", "inconclusive"); the variants of one seed share
their structure and inputs, so the seeds pair them. The quick settings are
a smoke test of the code path (tiny networks, few samples), never a result.

Items (in report order): ``fig5``, ``fig7``, ``fig8``, ``fig9``,
``separation``, ``table1`` (stand-in data sets offline; SHD with
``--data shd=PATH``), and the pruning items ``table5``, ``fig10``,
``fig12`` (:mod:`hetnet.reproduce.pruning_items`).

Examples
--------
>>> from hetnet.reproduce.items import claim_record
>>> claim = claim_record([0.8, 0.9, 0.85], [0.7, 0.72, 0.71], "greater", a="HeNHeS", b="HoNHoS", metric="accuracy")
>>> claim["verdict"], round(claim["mean_a"], 2), round(claim["sd_b"], 3)
('holds', 0.85, 0.01)
"""
from __future__ import annotations

import logging

import numpy as np

from hetnet.analysis import paired_comparison
from hetnet.reproduce.registry import Item, register

__all__ = ["claim_record", "mean_sd", "measure_memory_item", "fig9_figure", "FIG9_CLAIMS", "TWO_VARIANTS"]

logger = logging.getLogger(__name__)

#: the two variants of the classification items
TWO_VARIANTS = ("HoNHoS", "HeNHeS")


def mean_sd(values) -> dict:
    """``{"mean", "sd"}`` of ``values`` (sd with ``ddof=1``; 0 for one value).

    >>> mean_sd([1.0, 2.0, 3.0])
    {'mean': 2.0, 'sd': 1.0}
    """
    values = np.asarray(values, dtype=float)
    return {"mean": float(values.mean()), "sd": float(values.std(ddof=1)) if values.size > 1 else 0.0}


def claim_record(a_values, b_values, claim: str, *, a: str, b: str, metric: str) -> dict:
    """One claim ``a > b`` (``claim="greater"``) or ``a < b`` tested across seeds, as stored in a record.

    The fields of :class:`hetnet.analysis.PairedComparison` plus ``a``, ``b``,
    ``metric`` and each side's sd, so a report can print mean ± sd.
    """
    comparison = paired_comparison(a_values, b_values, claim=claim)
    return {"metric": metric, "a": a, "b": b, **comparison.to_dict(),
            "sd_a": mean_sd(a_values)["sd"], "sd_b": mean_sd(b_values)["sd"]}


def _config(options: dict, seed: int, **changes):
    from hetnet.config import HRSNNConfig

    base = HRSNNConfig.from_dict(options["config"]) if options.get("config") else HRSNNConfig()  # --config / --set
    return base.replace(n_neurons=int(options["n_neurons"]), seed=int(seed),
                        backend=options.get("backend", "runtime"), **changes)


#: The spike-pattern benchmark of the classification items (Fig. 5, 7, 8), chosen by measurement
#: (docs/notes/issue-12.md): with 4 classes, 4 ms jitter and per-class spike counts, both variants
#: scored 0.96-1.0 at N = 500 and 2000 (no room for a difference); with the counts shared by the
#: classes (only timing differs), 10 classes and 8 ms jitter, N = 500 scored 0.47-0.63.
PATTERN_BENCHMARK = {"n_classes": 10, "per_class": 20, "jitter_ms": 8.0, "same_counts": True}

#: time bin (ms) of the input reference: the same readout fitted on the input binned in time
INPUT_REFERENCE_BIN_MS = 10.0


def _patterns(options: dict, config, seed: int):
    from hetnet.tasks.spike_patterns import make_spike_patterns

    return make_spike_patterns(n_classes=int(options["n_classes"]), samples_per_class=int(options["per_class"]),
                               duration_ms=config.input.present_ms, seed=seed,
                               jitter_ms=float(options.get("jitter_ms", 4.0)),
                               same_counts=bool(options.get("same_counts", False)))


def _input_reference(data, config, seed: int, training_fraction: float = 1.0) -> float:
    """Accuracy of the readout on the input binned at :data:`INPUT_REFERENCE_BIN_MS` (no network), same split."""
    from hetnet.tasks.classification import input_readout_accuracy

    return input_readout_accuracy(data, duration_ms=config.input.present_ms, bin_ms=INPUT_REFERENCE_BIN_MS,
                                  training_fraction=training_fraction, seed=seed)


def _line_plot(ax, xs, by_variant: dict, n_seeds: int, *, xlabel: str, ylabel: str, chance=None, log_x=False,
               reference=None):
    """Mean ± sd against ``xs`` per variant; ``reference``: ``{x: mean_sd}`` of the input readout (dashed)."""
    from hetnet.plotting import seeds_label

    for variant, values in by_variant.items():
        means = [values[x]["mean"] for x in xs]
        sds = [values[x]["sd"] for x in xs]
        ax.errorbar(xs, means, yerr=sds if n_seeds > 1 else None, marker="o", capsize=3, label=variant)
    if reference is not None:
        ax.errorbar(xs, [reference[x]["mean"] for x in xs], yerr=[reference[x]["sd"] for x in xs] if n_seeds > 1
                    else None, color="0.3", linestyle=":", marker=".", capsize=2,
                    label=f"input readout, no network ({INPUT_REFERENCE_BIN_MS:g} ms bins)")
    if chance is not None:
        ax.axhline(chance, color="0.4", linestyle="--", linewidth=1, label=f"chance {chance:.2f}")
    if log_x:
        ax.set_xscale("log")
        ax.set_xticks(xs, [f"{x:g}" for x in xs])
        ax.minorticks_off()
    ax.set(xlabel=xlabel, ylabel=ylabel, title=seeds_label(n_seeds))
    ax.legend(fontsize=8)


def _verdict_title(figure, claims: dict):
    figure.suptitle("\n".join(f"{name}: {claim['verdict']} (paired t-test over seeds)" for name, claim in claims.items()),
                    fontsize=8)


def _accuracy_by(classify_at, keys) -> dict:
    """``{"accuracy": {variant: {str(key): accuracy}}}`` of ``classify_at(key)`` (``classify`` results) per key."""
    accuracy = {variant: {} for variant in TWO_VARIANTS}
    for key in keys:
        results = classify_at(key)
        for variant in TWO_VARIANTS:
            accuracy[variant][str(key)] = results[variant]["accuracy"]
    return {"accuracy": accuracy}


def _accuracy_table(results: dict, keys):
    """``(seeds, keys as str, {variant: {key: [accuracy per seed]}})`` of the seeds' :func:`_accuracy_by` results."""
    seeds, keys = list(results), [str(key) for key in keys]
    return seeds, keys, {v: {k: [results[s]["accuracy"][v][k] for s in seeds] for k in keys} for v in TWO_VARIANTS}


def _accuracy_summary(acc: dict, keys, label: str) -> dict:
    """``{variant: {"accuracy[LABEL=KEY]": mean_sd}}`` of an :func:`_accuracy_table`."""
    return {v: {f"accuracy[{label}={k}]": mean_sd(acc[v][k]) for k in keys} for v in TWO_VARIANTS}


def _pm(stats: dict, digits: int = 3) -> str:
    return f"{stats['mean']:.{digits}f} ± {stats['sd']:.{digits}f}"


def _accuracy_record(results: dict, keys, label: str, summary: dict, claims: dict, figure, chance: float):
    """``(record, figure)`` of an accuracy item: the verdicts in the figure's title, one tidy row per (seed,
    variant), and the report's table of accuracy per key beside the input reference and chance."""
    _verdict_title(figure, claims)
    rows = [{"seed": s, "variant": v, **{f"accuracy[{label}={k}]": results[s]["accuracy"][v][k] for k in keys}}
            for s in results for v in TWO_VARIANTS]
    reference = summary["input reference"]
    table = {"columns": [label, *(f"{v} accuracy" for v in TWO_VARIANTS),
                         f"input readout, no network ({INPUT_REFERENCE_BIN_MS:g} ms bins)", "chance"],
             "rows": [[k, *(_pm(summary[v][f"accuracy[{label}={k}]"]) for v in TWO_VARIANTS),
                       _pm(reference[f"accuracy[{label}={k}]"]), f"{chance:.3f}"] for k in keys]}
    return {"summary": summary, "claims": claims, "rows": rows, "report_table": table}, figure


def _reference_summary(results: dict, keys, label: str) -> dict:
    """``{"accuracy[LABEL=KEY]": mean_sd}`` of the seeds' input references (one value per seed, or one per key)."""
    def value(seed, key):
        reference = results[seed]["input_reference"]
        return reference[key] if isinstance(reference, dict) else reference

    return {f"accuracy[{label}={k}]": mean_sd([value(s, k) for s in results]) for k in keys}


# --------------------------------------------------------------------------------------------- Fig. 5

def fig5_seed(seed: int, quick: bool, options: dict) -> dict:
    """Accuracy of HoNHoS and HeNHeS on the spike-pattern benchmark at each size N, one seed."""
    from hetnet.tasks.classification import classify

    config = _config(dict(options, n_neurons=options["sizes"][0]), seed)
    data = _patterns(options, config, seed)

    def run(size):
        return classify(_config(dict(options, n_neurons=size), seed), data, variants=TWO_VARIANTS, seed=seed)

    return {**_accuracy_by(run, options["sizes"]), "input_reference": _input_reference(data, config, seed)}


def fig5_aggregate(results: dict, options: dict):
    from hetnet.plotting import new_figure

    seeds, sizes, acc = _accuracy_table(results, options["sizes"])
    gap = {n: np.subtract(acc["HeNHeS"][n], acc["HoNHoS"][n]) for n in sizes}
    small, large = sizes[0], sizes[-1]
    claims = {
        f"HeNHeS > HoNHoS at N = {small}": claim_record(acc["HeNHeS"][small], acc["HoNHoS"][small], "greater",
                                                          a="HeNHeS", b="HoNHoS", metric=f"accuracy[N={small}]"),
        f"gap(N = {small}) > gap(N = {large})": claim_record(gap[small], gap[large], "greater", a=f"gap[N={small}]",
                                                              b=f"gap[N={large}]", metric="HeNHeS - HoNHoS accuracy"),
    }
    summary = _accuracy_summary(acc, sizes, "N")
    summary["gap"] = {f"accuracy[N={n}]": mean_sd(gap[n]) for n in sizes}
    summary["input reference"] = _reference_summary(results, sizes, "N")
    figure, axes = new_figure(1, 2, figsize=(10, 4))
    xs = [int(n) for n in sizes]
    _line_plot(axes[0], xs, {v: {int(n): summary[v][f"accuracy[N={n}]"] for n in sizes} for v in TWO_VARIANTS},
               len(seeds), xlabel="recurrent neurons N", ylabel="test accuracy (spike patterns)",
               chance=1.0 / options["n_classes"], log_x=True,
               reference={int(n): summary["input reference"][f"accuracy[N={n}]"] for n in sizes})
    _line_plot(axes[1], xs, {"HeNHeS - HoNHoS": {int(n): summary["gap"][f"accuracy[N={n}]"] for n in sizes}},
               len(seeds), xlabel="recurrent neurons N", ylabel="accuracy gap HeNHeS - HoNHoS", log_x=True)
    axes[1].axhline(0.0, color="0.6", linewidth=0.8)
    return _accuracy_record(results, sizes, "N", summary, claims, figure, 1.0 / options["n_classes"])


register(Item(
    name="fig5", paper_item="Frontiers 2023, Fig. 5",
    description="Spike-pattern classification (the built-in benchmark) by HoNHoS and HeNHeS at several sizes N.",
    claims={"HeNHeS > HoNHoS at N = {small}": "HeNHeS is more accurate than HoNHoS, most of all in small networks",
            "gap(N = {small}) > gap(N = {large})": "the accuracy gap HeNHeS - HoNHoS grows as N shrinks from 2000 to 100"},
    output="fig5_accuracy_vs_size",
    quick={"sizes": [20, 40], **PATTERN_BENCHMARK, "n_classes": 3, "per_class": 4, "backend": "runtime"},
    full={"sizes": [100, 200, 500, 1000, 2000], **PATTERN_BENCHMARK, "backend": "runtime"},
    run_seed=fig5_seed, aggregate=fig5_aggregate,
))


# --------------------------------------------------------------------------------------------- Fig. 7

def fig7_seed(seed: int, quick: bool, options: dict) -> dict:
    """Accuracy, active neurons and synapses over the (C scale, w_scale) grid, both variants, one seed."""
    from hetnet.config import HRSNNConfig
    from hetnet.tasks.classification import classify

    base = HRSNNConfig().connectivity
    data = _patterns(options, _config(options, seed), seed)
    cells = []
    for c_scale in options["c_scales"]:
        for w_scale in options["w_scales"]:
            connectivity = {name: min(1.0, getattr(base, name) * c_scale) for name in ("c_ee", "c_ei", "c_ie", "c_ii")}
            config = _config(options, seed).replace(connectivity=connectivity, weights={"w_scale": float(w_scale)})
            results = classify(config, data, variants=TWO_VARIANTS, seed=seed)
            cells.append({"c_scale": c_scale, "w_scale": w_scale,
                          **{v: {k: results[v][k] for k in ("accuracy", "active_fraction", "n_synapses", "mean_rate_hz")}
                             for v in TWO_VARIANTS}})
    return {"cells": cells, "input_reference": _input_reference(data, _config(options, seed), seed)}


def _best_cell(cells, variant):
    """Index of the most accurate cell (ties: the one with the fewest synapses)."""
    return min(range(len(cells)), key=lambda i: (-cells[i][variant]["accuracy"], cells[i][variant]["n_synapses"]))


def fig7_aggregate(results: dict, options: dict):
    from hetnet.plotting import new_figure

    seeds = list(results)
    cs, ws = list(options["c_scales"]), list(options["w_scales"])
    best = {v: [results[s]["cells"][_best_cell(results[s]["cells"], v)] for s in seeds] for v in TWO_VARIANTS}
    claims = {
        "HeNHeS reaches its best accuracy with fewer synapses": claim_record(
            [cell["HeNHeS"]["n_synapses"] for cell in best["HeNHeS"]],
            [cell["HoNHoS"]["n_synapses"] for cell in best["HoNHoS"]], "less",
            a="HeNHeS", b="HoNHoS", metric="synapses at the best cell"),
        "HeNHeS best accuracy > HoNHoS best accuracy": claim_record(
            [cell["HeNHeS"]["accuracy"] for cell in best["HeNHeS"]],
            [cell["HoNHoS"]["accuracy"] for cell in best["HoNHoS"]], "greater",
            a="HeNHeS", b="HoNHoS", metric="best accuracy over the grid"),
    }
    grid = {v: {key: np.array([[np.mean([next(cell for cell in results[s]["cells"]
                                               if cell["c_scale"] == c and cell["w_scale"] == w)[v][key]
                                          for s in seeds]) for w in ws] for c in cs])
                for key in ("accuracy", "active_fraction", "n_synapses")} for v in TWO_VARIANTS}
    summary = {v: {"best accuracy": mean_sd([cell[v]["accuracy"] for cell in best[v]]),
                   "synapses at the best cell": mean_sd([cell[v]["n_synapses"] for cell in best[v]]),
                   **{f"{key}[C x{c}, w x{w}]": {"mean": float(grid[v][key][i, j])}
                      for key in ("accuracy", "active_fraction") for i, c in enumerate(cs) for j, w in enumerate(ws)}}
               for v in TWO_VARIANTS}
    summary["input reference"] = {"accuracy": mean_sd([results[s]["input_reference"] for s in seeds])}
    figure, axes = new_figure(2, 2, figsize=(10, 7.5), squeeze=False)
    for row, (key, label) in enumerate((("accuracy", "test accuracy"), ("active_fraction", "active neurons (fraction)"))):
        for col, variant in enumerate(TWO_VARIANTS):
            ax = axes[row][col]
            image = ax.imshow(grid[variant][key], origin="lower", vmin=0, vmax=1, cmap="viridis", aspect="auto")
            for i in range(len(cs)):
                for j in range(len(ws)):
                    value = grid[variant][key][i, j]
                    ax.text(j, i, f"{value:.2f}", ha="center", va="center", color="k" if value > 0.6 else "w",
                            fontsize=8)
            ax.set_xticks(range(len(ws)), [str(w) for w in ws])
            ax.set_yticks(range(len(cs)), [str(c) for c in cs])
            ax.set(xlabel="w_scale (x default weights)", ylabel="connection probabilities C (x default)",
                   title=f"{variant}: {label}, mean of {len(seeds)} seed(s)"
                   + (f"\n(chance {1.0 / options['n_classes']:.2f}; input readout, no network "
                      f"{summary['input reference']['accuracy']['mean']:.2f})" if key == "accuracy" else ""))
            figure.colorbar(image, ax=ax)
    _verdict_title(figure, claims)
    table = {"columns": ["", "best accuracy", "synapses at the best cell", "best cell (C x, w x) per seed"],
             "rows": [[v, _pm(summary[v]["best accuracy"]), _pm(summary[v]["synapses at the best cell"], 0),
                       ", ".join(f"({cell['c_scale']:g}, {cell['w_scale']:g})" for cell in best[v])]
                      for v in TWO_VARIANTS]
             + [[f"input readout, no network ({INPUT_REFERENCE_BIN_MS:g} ms bins)",
                 _pm(summary["input reference"]["accuracy"]), "–", "–"],
                ["chance", f"{1.0 / options['n_classes']:.3f}", "–", "–"]]}
    return {"summary": summary, "claims": claims, "report_table": table}, figure


register(Item(
    name="fig7", paper_item="Frontiers 2023, Fig. 7",
    description=("Spike-pattern classification over a grid of connection probabilities C (all four scaled "
                 "together) and weight scales w_scale: accuracy, active neurons and synapses of both variants."),
    claims={"HeNHeS reaches its best accuracy with fewer synapses": "HeNHeS reaches its best accuracy with fewer synapses",
            "HeNHeS best accuracy > HoNHoS best accuracy": "HeNHeS is more accurate than HoNHoS"},
    output="fig7_active_neurons_vs_connectivity",
    quick={"n_neurons": 20, "c_scales": [0.5, 1.0], "w_scales": [1.0], **PATTERN_BENCHMARK, "n_classes": 3,
           "per_class": 4, "backend": "runtime"},
    # N = 200 and 12 samples per class (the others: 20) keep the 9 cells x 2 variants at about 8 min per seed here
    full={"n_neurons": 200, "c_scales": [0.5, 1.0, 1.5], "w_scales": [0.5, 1.0, 2.0], **PATTERN_BENCHMARK,
          "per_class": 12, "backend": "runtime"},
    run_seed=fig7_seed, aggregate=fig7_aggregate,
))


# --------------------------------------------------------------------------------------------- Fig. 8

def fig8_seed(seed: int, quick: bool, options: dict) -> dict:
    """Accuracy of both variants with the readout (and STDP) given a fraction of the training data, one seed."""
    from hetnet.tasks.classification import classify

    config = _config(options, seed)
    data = _patterns(options, config, seed)
    return {**_accuracy_by(lambda fraction: classify(config, data, variants=TWO_VARIANTS, training_fraction=fraction,
                                                     seed=seed), options["fractions"]),
            "input_reference": {str(fraction): _input_reference(data, config, seed, fraction)
                                for fraction in options["fractions"]}}


def fig8_aggregate(results: dict, options: dict):
    from hetnet.plotting import new_figure

    seeds, fractions, acc = _accuracy_table(results, options["fractions"])
    least, most = fractions[0], fractions[-1]
    claims = {
        f"HeNHeS > HoNHoS with {least} of the data": claim_record(
            acc["HeNHeS"][least], acc["HoNHoS"][least], "greater", a="HeNHeS", b="HoNHoS",
            metric=f"accuracy[fraction={least}]"),
        f"HeNHeS ({least} of the data) vs HoNHoS ({most})": claim_record(
            acc["HeNHeS"][least], acc["HoNHoS"][most], "greater", a=f"HeNHeS[{least}]", b=f"HoNHoS[{most}]",
            metric="accuracy"),
    }
    summary = _accuracy_summary(acc, fractions, "fraction")
    summary["input reference"] = _reference_summary(results, fractions, "fraction")
    figure, axis = new_figure(figsize=(6, 4))
    _line_plot(axis, [float(f) for f in fractions],
               {v: {float(f): summary[v][f"accuracy[fraction={f}]"] for f in fractions} for v in TWO_VARIANTS},
               len(seeds), xlabel="fraction of the training data used", ylabel="test accuracy (spike patterns)",
               chance=1.0 / options["n_classes"],
               reference={float(f): summary["input reference"][f"accuracy[fraction={f}]"] for f in fractions})
    return _accuracy_record(results, fractions, "fraction", summary, claims, figure, 1.0 / options["n_classes"])


register(Item(
    name="fig8", paper_item="Frontiers 2023, Fig. 8",
    description="Spike-pattern classification with the STDP phase and the readout given a fraction of the training samples.",
    claims={"HeNHeS > HoNHoS with {least} of the data": "HeNHeS is more accurate with little training data",
            "HeNHeS ({least} of the data) vs HoNHoS ({most})": (
                "HeNHeS with less training data matches HoNHoS with more (tested as 'greater': "
                "'inconclusive' is what a match looks like, 'does not hold' means HeNHeS with less data is worse)")},
    output="fig8_limited_training_data",
    quick={"n_neurons": 20, "fractions": [0.5, 1.0], **PATTERN_BENCHMARK, "n_classes": 3, "per_class": 6,
           "backend": "runtime"},
    full={"n_neurons": 500, "fractions": [0.2, 0.4, 0.6, 0.8, 1.0], **PATTERN_BENCHMARK, "backend": "runtime"},
    run_seed=fig8_seed, aggregate=fig8_aggregate,
))


# --------------------------------------------------------------------------------------------- Fig. 9

#: the claims of Fig. 9 / Table III: (name, metric, a, b, direction)
FIG9_CLAIMS = (
    ("HeN raises MC", "memory_capacity", "HeNHoS", "HoNHoS", "greater"),
    ("HeN raises MC (with HeS)", "memory_capacity", "HeNHeS", "HoNHeS", "greater"),
    ("HeS lowers spikes", "spikes_per_step", "HoNHeS", "HoNHoS", "less"),
    ("HeS lowers spikes (with HeN)", "spikes_per_step", "HeNHeS", "HeNHoS", "less"),
    ("HeNHeS has the best E (vs HoNHoS)", "efficiency", "HeNHeS", "HoNHoS", "greater"),
    ("HeNHeS has the best E (vs HeNHoS)", "efficiency", "HeNHeS", "HeNHoS", "greater"),
    ("HeNHeS has the best E (vs HoNHeS)", "efficiency", "HeNHeS", "HoNHeS", "greater"),
    ("separation: rank(HeNHeS) > rank(HoNHoS)", "effective_rank", "HeNHeS", "HoNHoS", "greater"),
)

_MEMORY_STEPS = ("n_steps", "train_steps", "k_max", "washout", "n_null")


def measure_memory_item(config, steps: dict) -> dict:
    """MC (with chance levels), spikes per step, E = MC / S, effective rank and regime of one network.

    The protocol of :func:`hetnet.tasks.memory.measure_memory`; the effective
    rank (99 % of the singular-value sum) is that of the measured steps' states.
    """
    from hetnet.analysis import effective_rank
    from hetnet.tasks.memory import DEFAULT_STATE_KIND, measure_memory, state_tau_ms

    measured = measure_memory(config, **steps)
    capacity = measured.capacity
    states = measured.frozen.state_matrix(kind=DEFAULT_STATE_KIND, tau_ms=state_tau_ms(config))[capacity.first_step:]
    return {
        "memory_capacity": capacity.total, "chance_null": capacity.null_mean, "chance_analytic": capacity.chance_level,
        "mc_above_chance": capacity.above_chance, "spikes_per_step": measured.spikes_per_neuron,
        "efficiency": measured.efficiency, "effective_rank": int(effective_rank(states.T)),
        "rate_hz": measured.regime.mean_rate_hz, "synchrony": measured.regime.synchrony,
        "silent_fraction": measured.regime.silent_fraction, "curve": capacity.curve.tolist(), "n_test": capacity.n_test,
    }


def _memory_seed(seed: int, options: dict, variants) -> dict:
    base = _config(options, seed)
    steps = {key: int(options[key]) for key in _MEMORY_STEPS}
    return {variant: measure_memory_item(base.replace(variant=variant), steps) for variant in variants}


def fig9_seed(seed: int, quick: bool, options: dict) -> dict:
    """The four variants measured by the memory protocol with one seed (shared structure and inputs)."""
    from hetnet.config import VARIANTS

    return _memory_seed(seed, options, VARIANTS)


def fig9_figure(runs: dict, n_seeds: int, k_max: int, claims=None):
    """The Fig. 9 panels (MC with chance, S, E, effective rank, MC(k)) from ``{variant: [run per seed]}``."""
    from hetnet.plotting import dot_plot, memory_capacity_curve, new_figure

    figure, axes = new_figure(1, 5, figsize=(21, 4.8))
    if claims:
        verdicts = "; ".join(f"{name}: {claim['verdict']} (p = {claim['p_value_t']:.2g})"
                             for name, claim in claims.items() if "(vs" not in name or "HoNHoS" in name)
        figure.suptitle(f"The papers' claims, paired t-test over {n_seeds} seeds — {verdicts}", fontsize=8)
    dot_plot({v: [r["memory_capacity"] for r in runs[v]] for v in runs}, ax=axes[0],
             ylabel=f"memory capacity (k_max {k_max}, held out)", title="MC")
    chance = float(np.mean([r["chance_null"] for v in runs for r in runs[v]]))
    axes[0].axhline(chance, color="0.35", linestyle="--", linewidth=1.0, label=f"chance {chance:.3f}")
    axes[0].legend(fontsize=8)
    dot_plot({v: [r["spikes_per_step"] for r in runs[v]] for v in runs}, ax=axes[1],
             ylabel="spikes per neuron per step S", title="S")
    dot_plot({v: [r["efficiency"] for r in runs[v]] for v in runs}, ax=axes[2], ylabel="E = MC / S",
             title="efficiency")
    dot_plot({v: [r["effective_rank"] for r in runs[v]] for v in runs}, ax=axes[3],
             ylabel="effective rank of the states (99 %)", title="separation")
    for variant in runs:
        curve = np.mean([r["curve"] for r in runs[variant]], axis=0)
        memory_capacity_curve(curve, ax=axes[4], label=variant, chance=1.0 / runs[variant][0]["n_test"])
    axes[4].set(xlim=(0.5, min(20, k_max) + 0.5), title=f"MC(k), mean over {n_seeds} seed(s)")
    return figure


def _memory_aggregate(results: dict, options: dict, claim_list):
    seeds = list(results)
    variants = list(results[seeds[0]])
    runs = {v: [results[s][v] for s in seeds] for v in variants}
    summary = {v: {key: mean_sd([r[key] for r in rs]) for key in rs[0] if not isinstance(rs[0][key], list)}
               for v, rs in runs.items()}
    claims = {name: claim_record([r[metric] for r in runs[a]], [r[metric] for r in runs[b]], direction,
                                 a=a, b=b, metric=metric) for name, metric, a, b, direction in claim_list}
    rows = [{"seed": s, "variant": v, **{k: x for k, x in results[s][v].items() if not isinstance(x, list)}}
            for s in seeds for v in variants]
    record = {"protocol": {key: int(options[key]) for key in _MEMORY_STEPS}, "summary": summary, "claims": claims,
              "runs": {v: [{k: x for k, x in r.items() if k != "curve"} for r in rs] for v, rs in runs.items()},
              "mc_curves": {v: [r["curve"] for r in rs] for v, rs in runs.items()}, "rows": rows}
    return record, fig9_figure(runs, len(seeds), int(options["k_max"]), claims)


def fig9_aggregate(results: dict, options: dict):
    from hetnet.tasks.memory import DEFAULT_STATE_KIND

    record, figure = _memory_aggregate(results, options, FIG9_CLAIMS)
    record["state_kind"] = DEFAULT_STATE_KIND
    return record, figure


_QUICK_MEMORY = {"n_steps": 300, "train_steps": 40, "k_max": 10, "washout": 20, "n_null": 3}
_FULL_MEMORY = {"n_steps": 7000, "train_steps": 500, "k_max": 100, "washout": 100, "n_null": 20}

register(Item(
    name="fig9", paper_item="ICLR 2023, Fig. 9 / Table III",
    description=("The four variants (shared structure and inputs per seed), STDP then frozen, driven by i.i.d. "
                 "u(t): memory capacity beside its chance level, spikes per neuron per step S, E = MC / S and "
                 "the effective rank of the states."),
    claims={"HeN raises MC": "HeN raises the memory capacity",
            "HeN raises MC (with HeS)": "HeN raises the memory capacity",
            "HeS lowers spikes": "HeS lowers the spike count",
            "HeS lowers spikes (with HeN)": "HeS lowers the spike count",
            "HeNHeS has the best E (vs HoNHoS)": "HeNHeS has the best spike efficiency E",
            "HeNHeS has the best E (vs HeNHoS)": "HeNHeS has the best spike efficiency E",
            "HeNHeS has the best E (vs HoNHeS)": "HeNHeS has the best spike efficiency E",
            "separation: rank(HeNHeS) > rank(HoNHoS)": "heterogeneity raises the separation (effective rank)"},
    output="fig9_variants_memory_spikes",
    quick={"n_neurons": 30, **_QUICK_MEMORY, "backend": "runtime"},
    full={"n_neurons": 500, **_FULL_MEMORY, "backend": "cpp_standalone"},
    run_seed=fig9_seed, aggregate=fig9_aggregate,
))


# --------------------------------------------------------------------------------------------- separation

def separation_seed(seed: int, quick: bool, options: dict) -> dict:
    """HoNHoS and HeNHeS with one seed, on the same inputs, by the memory protocol (effective rank and MC)."""
    return _memory_seed(seed, options, TWO_VARIANTS)


#: the separation item's claims: (name, metric, a, b, direction, the paper's statement)
_SEPARATION_CLAIMS = (
    ("rank(HeNHeS) > rank(HoNHoS)", "effective_rank", "HeNHeS", "HoNHoS", "greater",
     "heterogeneity raises the separation property (effective rank of the states)"),
    ("MC(HeNHeS) > MC(HoNHoS)", "memory_capacity", "HeNHeS", "HoNHoS", "greater",
     "heterogeneity raises the memory capacity"))


def separation_aggregate(results: dict, options: dict):
    return _memory_aggregate(results, options, [claim[:5] for claim in _SEPARATION_CLAIMS])


register(Item(
    name="separation", paper_item="ICLR 2023, separation theorem",
    description=("HoNHoS and HeNHeS with the same structure and the same i.i.d. inputs: effective rank (99 % of "
                 "the singular-value sum) of the states of the measured steps, each the end of a distinct input history."),
    claims={claim[0]: claim[5] for claim in _SEPARATION_CLAIMS}, output="separation_effective_rank",
    quick={"n_neurons": 30, **_QUICK_MEMORY, "backend": "runtime"},
    full={"n_neurons": 1000, "n_steps": 3000, "train_steps": 500, "k_max": 50, "washout": 100, "n_null": 10,
          "backend": "cpp_standalone"},
    run_seed=separation_seed, aggregate=separation_aggregate,
))


# --------------------------------------------------------------------------------------------- Table I

#: the CHRSNN row: a data set key of Table I -> (task it runs, ``input`` fields it sets)
_TABLE1_CHRSNN = {"synthetic-events (CHRSNN)": ("synthetic-events", {"frontend": "conv"})}
#: chance level of each Table I data set (1 / classes)
_TABLE1_CHANCE = {"digits": 0.1, "shd": 1.0 / 20, "synthetic-events (CHRSNN)": 1.0 / 4}
#: what each data set stands for, in the claims and the figure
_TABLE1_STANDS_FOR = "stand-in for KTH 86.3 vs 94.3 % and DVS128 90.3 vs 96.5 % (HoNHoS vs HeNHeS, N = 2000)"


def table1_seed(seed: int, quick: bool, options: dict) -> dict:
    """Accuracy of HoNHoS and HeNHeS on each data set of the item (``data``: ``{"shd": path}``), one seed.

    ``"synthetic-events (CHRSNN)"`` is the convolutional HRSNN: the ``synthetic-events``
    task (:func:`hetnet.datasets.make_moving_shapes`, a stand-in for DVS128 / KTH) with
    ``input.frontend = "conv"`` (:mod:`hetnet.encoding.convolution`).
    """
    from hetnet.tasks.classification import classify
    from hetnet.tasks.registry import run_task

    datasets = list(options["datasets"]) + sorted(options.get("data") or {})
    accuracy = {}
    for dataset in datasets:
        config = _config(options, seed)
        task, input_changes = _TABLE1_CHRSNN.get(dataset, (dataset, {}))
        if input_changes:
            config = config.replace(input=config.input.replace(**input_changes))
        if dataset == "spike-patterns":   # the classification items' benchmark (PATTERN_BENCHMARK), not the task's
            results = classify(config, _patterns(options, config, seed), variants=TWO_VARIANTS, seed=seed)
        else:
            results = run_task(task, config, variants=TWO_VARIANTS, quick=quick, seed=seed,
                               data_path=(options.get("data") or {}).get(dataset), max_samples=options["max_samples"])
        accuracy[dataset] = {v: results[v]["accuracy"] for v in TWO_VARIANTS}
    return {"accuracy": accuracy}


def table1_aggregate(results: dict, options: dict):
    from hetnet.plotting import dot_plot, new_figure

    seeds = list(results)
    datasets = list(results[seeds[0]]["accuracy"])
    acc = {d: {v: [results[s]["accuracy"][d][v] for s in seeds] for v in TWO_VARIANTS} for d in datasets}
    claims = {f"HeNHeS > HoNHoS on {d}": claim_record(acc[d]["HeNHeS"], acc[d]["HoNHoS"], "greater", a="HeNHeS",
                                                      b="HoNHoS", metric=f"accuracy[{d}]") for d in datasets}
    summary = {v: {f"accuracy[{d}]": mean_sd(acc[d][v]) for d in datasets} for v in TWO_VARIANTS}
    figure, axes = new_figure(1, len(datasets), figsize=(4.5 * len(datasets), 4), squeeze=False)
    chance = dict(_TABLE1_CHANCE, **{"spike-patterns": 1.0 / int(options["n_classes"])})
    for ax, dataset in zip(axes[0], datasets):
        title = dataset if dataset not in _TABLE1_CHRSNN else \
            "CHRSNN on synthetic events\n(stand-in for DVS128 / KTH)"
        dot_plot(acc[dataset], ax=ax, ylabel="test accuracy", title=title)
        if dataset in chance:
            ax.axhline(chance[dataset], color="0.4", linestyle="--", linewidth=1, label=f"chance {chance[dataset]:.2f}")
            ax.legend(fontsize=8)
    _verdict_title(figure, claims)
    rows = [{"seed": s, "variant": v, **{f"accuracy[{d}]": results[s]["accuracy"][d][v] for d in datasets}}
            for s in seeds for v in TWO_VARIANTS]
    table = {"columns": ["data set", *(f"{v} accuracy" for v in TWO_VARIANTS), "chance"],
             "rows": [[d, *(_pm(summary[v][f"accuracy[{d}]"]) for v in TWO_VARIANTS),
                       f"{chance[d]:.3f}" if d in chance else "–"] for d in datasets]}
    return {"summary": summary, "claims": claims, "datasets": datasets, "rows": rows, "report_table": table}, figure


register(Item(
    name="table1", paper_item="Frontiers 2023, Table I",
    description=("HoNHoS against HeNHeS classification. Offline stand-ins for KTH / DVS128: the built-in "
                 "spike-pattern benchmark and scikit-learn's digits (rate-coded); the convolutional HRSNN "
                 "(CHRSNN: convolutional spiking front-end with fixed filters, then the HRSNN) on synthetic "
                 "events (stand-in for DVS128 / KTH: shapes moving in 4 directions); SHD when its file is given "
                 "(--data shd=PATH). The DVS128 and KTH files themselves are not wired into this item."),
    claims={"HeNHeS > HoNHoS on spike-patterns": _TABLE1_STANDS_FOR,
            "HeNHeS > HoNHoS on digits": _TABLE1_STANDS_FOR,
            "HeNHeS > HoNHoS on synthetic-events (CHRSNN)": (
                "CHRSNN on synthetic events (stand-in for DVS128 / KTH); " + _TABLE1_STANDS_FOR),
            "HeNHeS > HoNHoS on shd": "HeNHeS more accurate than HoNHoS (the Table I data sets are KTH and DVS128)"},
    output="table1_classification_standins",
    quick={"n_neurons": 20, "datasets": ["spike-patterns", "digits", "synthetic-events (CHRSNN)"], "data": {},
           "max_samples": 20, **PATTERN_BENCHMARK, "n_classes": 3, "per_class": 4, "backend": "runtime"},
    # N = 1000 and 200 digits (20 per class), not the paper's 2000 and all 1797: about 8 min per seed on the
    # shared 2 cores instead of about 45 (docs/notes/issue-12.md)
    full={"n_neurons": 1000, "datasets": ["spike-patterns", "digits", "synthetic-events (CHRSNN)"], "data": {},
          "max_samples": 200, **PATTERN_BENCHMARK, "backend": "runtime"},
    run_seed=table1_seed, aggregate=table1_aggregate,
))


# --------------------------------------------------------------------------------------------- pruning

# Table V, Fig. 10, Fig. 12: registered by their own module (it needs claim_record and mean_sd above)
from hetnet.reproduce import pruning_items  # noqa: E402,F401
