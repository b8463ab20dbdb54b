"""The gradient-trained rows: Table III of the HRSNN paper (STDP variants beside HoNB / HeNB) and Table V's SG rows.

The paper's ablation (its Table III) puts the networks trained without labels
(trace STDP, then a linear readout: HoNHoS, HeNHoS, HoNHeS, HeNHeS) next to
the same networks trained by backpropagation through time with a surrogate
spike derivative (HoNB: homogeneous neurons, HeNB: heterogeneous neurons;
:mod:`hetnet.gradient`), on one-step prediction of a chaotic series, with
the prediction error and the spike count. Every row of one seed shares the
series and the network structure; the persistence forecast (predict the last
value) is measured on the same test steps as the reference line.

Table V's SG rows (the LNP paper: "HRSNN-SG" beside "HRSNN-STDP"): the
unpruned, AP- and LNP-pruned Lorenz-63 networks of the pruning items trained
by BPTT with the pruning mask fixed, beside their STDP rows (``table5_sg``).

Both items require the ``gradient`` extra (JAX, optax); without it the item is listed
as pending and ``hetnet reproduce all`` passes over it.

Examples
--------
>>> from hetnet.reproduce import get_item
>>> get_item("table3").quick["tasks"]
['lorenz63']
"""
from __future__ import annotations

import importlib.util
import logging

from hetnet.reproduce.items import _config, _verdict_title, claim_record, mean_sd
from hetnet.reproduce.pruning_items import PRUNING_FULL, PRUNING_QUICK
from hetnet.reproduce.registry import Item, register

__all__ = ["STDP_VARIANTS", "GRADIENT_VARIANTS", "SG_NETWORKS", "table3_seed", "table3_aggregate", "table5_sg_seed",
           "table5_sg_aggregate"]

logger = logging.getLogger(__name__)

#: the rows of the table, in its order
STDP_VARIANTS = ("HoNHoS", "HeNHoS", "HoNHeS", "HeNHeS")
GRADIENT_VARIANTS = ("HoNB", "HeNB")

_BEST_NRMSE = "HeNHeS outperforms the other variants in NRMSE"

#: ``(claim, metric, a, b, direction, the paper's statement)`` about Table III, tested on each task
_CLAIMS = (
    ("HeNHeS has the lowest NRMSE (vs HoNHoS)", "nrmse", "HeNHeS", "HoNHoS", "less", _BEST_NRMSE),
    ("HeNHeS has the lowest NRMSE (vs HeNHoS)", "nrmse", "HeNHeS", "HeNHoS", "less", _BEST_NRMSE),
    ("HeNHeS has the lowest NRMSE (vs HoNHeS)", "nrmse", "HeNHeS", "HoNHeS", "less", _BEST_NRMSE),
    ("HeS lowers spikes (HeNHeS vs HeNHoS)", "spikes_per_neuron", "HeNHeS", "HeNHoS", "less",
     "heterogeneous STDP gives fewer spikes than homogeneous"),
    ("HeNB beats HoNB", "nrmse", "HeNB", "HoNB", "less",
     "heterogeneous neurons help the backpropagation-trained network too"),
)


def table3_seed(seed: int, quick: bool, options: dict) -> dict:
    """NRMSE and spikes of the six models on each task of the item, with one seed.

    Returns ``{task: {model: {"nrmse", "spikes_per_neuron", "mean_rate_hz"},
    "persistence": nrmse}}``.
    """
    from hetnet.gradient import GradientOptions, train_prediction
    from hetnet.tasks.prediction import predict_series
    from hetnet.tasks.references import persistence_forecast
    from hetnet.tasks.registry import task_series

    train_steps, test_steps = int(options["train_steps"]), int(options["test_steps"])
    washout = min(50, train_steps // 4)
    gradient = GradientOptions(epochs=int(options["epochs"]), seed=int(seed))
    keys = ("nrmse", "spikes_per_neuron", "mean_rate_hz")
    config = _config(options, seed)
    record = {}
    for task in options["tasks"]:
        series, dt, exponent = task_series(task, train_steps + test_steps + 1, seed=seed)
        common = dict(train_steps=train_steps, test_steps=test_steps, washout_steps=washout, dt=dt,
                      lyapunov_exponent=exponent)
        logger.info("table3 seed %d, %s: the four STDP variants", seed, task)
        stdp = predict_series(config, series, variants=STDP_VARIANTS, **common)
        logger.info("table3 seed %d, %s: HoNB and HeNB (BPTT, %d epochs)", seed, task, gradient.epochs)
        trained = train_prediction(config, series, variants=GRADIENT_VARIANTS, options=gradient, **common)
        rows = {model: {key: float(metrics[key]) for key in keys} for model, metrics in {**stdp, **trained}.items()}
        persistence = persistence_forecast(series, train_steps, test_steps)
        record[task] = {"models": rows, "persistence": float(persistence.nrmse)}
    return record


def table3_aggregate(results: dict, options: dict):
    """Mean ± sd per model and task, the claims tested across seeds, and the figure."""
    from hetnet.plotting import dot_plot, new_figure

    seeds = list(results)
    tasks = list(results[seeds[0]])
    models = list(results[seeds[0]][tasks[0]]["models"])
    values = {task: {model: {key: [results[s][task]["models"][model][key] for s in seeds]
                             for key in ("nrmse", "spikes_per_neuron", "mean_rate_hz")}
                     for model in models} for task in tasks}
    summary = {task: {model: {key: mean_sd(v) for key, v in metrics.items()} for model, metrics in by_model.items()}
               for task, by_model in values.items()}
    persistence = {task: mean_sd([results[s][task]["persistence"] for s in seeds]) for task in tasks}
    claims = {f"{name} on {task}": claim_record(values[task][a][metric], values[task][b][metric], direction,
                                                a=a, b=b, metric=f"{metric}[{task}]")
              for task in tasks for name, metric, a, b, direction, _ in _CLAIMS}
    figure, axes = new_figure(len(tasks), 2, figsize=(11, 4.2 * len(tasks)), squeeze=False)
    for row, task in enumerate(tasks):
        dot_plot({m: values[task][m]["nrmse"] for m in models}, ax=axes[row][0],
                 ylabel="one-step NRMSE (test steps)", title=f"{task}: prediction error")
        axes[row][0].axhline(persistence[task]["mean"], color="0.35", linestyle="--", linewidth=1.0,
                             label=f"persistence {persistence[task]['mean']:.3f}")
        axes[row][0].legend(fontsize=8)
        dot_plot({m: values[task][m]["spikes_per_neuron"] for m in models}, ax=axes[row][1],
                 ylabel="spikes per neuron (test run)", title=f"{task}: spike count")
    _verdict_title(figure, claims)
    rows = [{"seed": s, "task": task, "model": model, **results[s][task]["models"][model],
             "persistence_nrmse": results[s][task]["persistence"]}
            for s in seeds for task in tasks for model in models]
    record = {"summary": summary, "persistence": persistence, "claims": claims, "tasks": tasks, "models": models,
              "rows": rows}
    return record, figure


#: without JAX and optax the item is listed, not run
_MISSING_EXTRA = ("" if all(importlib.util.find_spec(name) for name in ("jax", "optax"))
                  else "needs the gradient extra: pip install 'hetnet[gradient]' (JAX, optax)")

register(Item(
    name="table3", paper_item="Frontiers 2023, Table III (SG rows: HoNB / HeNB)",
    description=("One-step prediction, the four STDP-trained variants beside the same networks trained by BPTT with "
                 "a surrogate gradient (HoNB, HeNB; hetnet.gradient), per seed on the same series and structure: "
                 "NRMSE with the persistence forecast as reference, and spikes per neuron. SPEC names Lorenz-96 "
                 "(the network loses to persistence there, issue 11); Lorenz-63 is run beside it."),
    claims={f"{name} on {task}": text for task in ("lorenz96", "lorenz63") for name, *_, text in _CLAIMS},
    output="table3_stdp_and_gradient",
    quick={"n_neurons": 20, "tasks": ["lorenz63"], "train_steps": 60, "test_steps": 20, "epochs": 2,
           "backend": "runtime"},
    full={"n_neurons": 500, "tasks": ["lorenz96", "lorenz63"], "train_steps": 500, "test_steps": 100, "epochs": 30,
          "backend": "cpp_standalone"},
    run_seed=None if _MISSING_EXTRA else table3_seed, aggregate=None if _MISSING_EXTRA else table3_aggregate,
    pending_reason=_MISSING_EXTRA,
))


# --------------------------------------------------------------------------------------------- Table V, SG rows

#: the networks trained by BPTT for Table V's SG rows (Lorenz-63), in table order
SG_NETWORKS = ("unpruned", "AP", "LNP")
_SG_METRICS = ("n_neurons", "n_synapses", "recurrent_sops", "total_sops", "energy_uJ", "rmse", "nrmse",
               "mean_rate_hz", "spikes_per_neuron")
_TABLE5_SG_PAPER = ("LNP-pruned models generally outperform the unpruned and AP-pruned ones across training methods "
                    "(HRSNN-SG rows of Table V: lower SOPs, competitive RMSE)")
#: ``(claim, metric, a, b, direction)`` of the SG rows, tested across seeds
_TABLE5_SG_CLAIMS = (
    ("LNP-SG has fewer SOPs than unpruned-SG", "recurrent_sops", "LNP (SG)", "unpruned (SG)", "less"),
    ("LNP-SG predicts better than AP-SG", "nrmse", "LNP (SG)", "AP (SG)", "less"),
)


def table5_sg_seed(seed: int, quick: bool, options: dict) -> dict:
    """Table V's SG rows of one seed: the unpruned, AP- and LNP-pruned Lorenz-63 networks trained by BPTT.

    The networks are those of ``hetnet.reproduce.pruning_items.pruning_run`` (shared with ``table5``
    when both run into one folder); each is trained with a surrogate gradient
    (:func:`hetnet.gradient.train_prediction`, the pruning mask fixed,
    ``sg_epochs`` epochs) and scored like the STDP rows (one-step NRMSE on
    the same split, SOPs from the frozen run's spikes).

    Returns
    -------
    dict
        ``{"stdp": {network: metrics}, "sg": {network: metrics}}`` for the networks of :data:`SG_NETWORKS`.
    """
    from pathlib import Path

    from hetnet.gradient import GradientOptions, train_prediction
    from hetnet.io import to_jsonable
    from hetnet.network import NetworkInstance
    from hetnet.pruning import PrunedNetwork, measure_run
    from hetnet.reproduce.pruning_items import _say, _start, pruning_run

    settings = {key: value for key, value in options.items() if key != "sg_epochs"}
    run = pruning_run(seed, settings, quick)
    config, lorenz, dt, exponent, _, original = _start(settings, seed)
    stem = Path(run["memo"])
    networks = {"unpruned": original, "AP": NetworkInstance.load(stem.with_name(stem.name + "_ap.npz")),
                "LNP": PrunedNetwork.load(stem.with_name(stem.name + "_lnp.npz")).to_network_instance(original)}
    gradient = GradientOptions(epochs=int(options["sg_epochs"]), seed=int(seed), fixed_mask=True)
    _say(f"seed {seed}: BPTT of the unpruned, AP and LNP networks ({gradient.epochs} epochs, mask fixed)")
    trained = train_prediction(config, lorenz, networks=networks, options=gradient,
                               train_steps=int(settings["train_steps"]), test_steps=int(settings["test_steps"]),
                               washout_steps=int(settings["washout_steps"]), dt=dt, lyapunov_exponent=exponent,
                               backend=settings["backend"], progress=lambda message: _say(f"seed {seed} {message}"))
    sg = {}
    for name, metrics in trained.items():
        sops = measure_run(metrics["frozen"], metrics["network"], n_outputs=lorenz.shape[1])
        sg[name] = {"n_neurons": metrics["n_neurons"], "n_synapses": metrics["n_synapses"],
                    "recurrent_sops": sops["recurrent_sops"], "total_sops": sops["total_sops"],
                    "energy_uJ": sops["energy_pJ"] * 1e-6,
                    **{key: float(metrics[key]) for key in ("rmse", "nrmse", "mean_rate_hz", "spikes_per_neuron")}}
        _say(f"seed {seed} {name} (SG): NRMSE {sg[name]['nrmse']:.4f}, recurrent SOPs {sg[name]['recurrent_sops']:.4g}")
    stdp = {name: {key: run["table"]["lorenz63"][name].get(key) for key in _SG_METRICS} for name in SG_NETWORKS}
    return to_jsonable({"stdp": stdp, "sg": sg})


def table5_sg_aggregate(results: dict, options: dict):
    """Mean ± sd of the STDP and SG rows, the claims tested across seeds, the figure (NRMSE against SOPs)."""
    from matplotlib.ticker import LogLocator, NullFormatter

    from hetnet.plotting import new_figure, seeds_label

    seeds = list(results)
    rows = {f"{name} ({training})": [results[s][training.lower()][name] for s in seeds]
            for training in ("STDP", "SG") for name in SG_NETWORKS}
    summary = {label: {key: mean_sd([r[key] for r in values]) for key in _SG_METRICS if values[0].get(key) is not None}
               for label, values in rows.items()}
    claims = {name: claim_record([r[metric] for r in rows[a]], [r[metric] for r in rows[b]], direction, a=a, b=b,
                                 metric=metric) for name, metric, a, b, direction in _TABLE5_SG_CLAIMS}
    figure, axis = new_figure(figsize=(6.5, 4.5))
    for label, values in rows.items():
        marker = "o" if label.endswith("(STDP)") else "s"
        axis.scatter([r["recurrent_sops"] for r in values], [r["nrmse"] for r in values], marker=marker, alpha=0.6,
                     label=label)
    axis.set(xscale="log", xlabel="recurrent SOPs (frozen run, counted from spikes)",
             ylabel="one-step NRMSE, Lorenz-63 (test steps)",
             title=f"Table V, STDP and SG rows: {seeds_label(len(seeds), 'one point per seed')}")
    axis.xaxis.set_major_locator(LogLocator(subs=(1.0, 3.0)))     # 1 and 3 per decade: minor labels overlap
    axis.xaxis.set_minor_formatter(NullFormatter())
    axis.legend(fontsize=7)
    _verdict_title(figure, claims)
    table = {"columns": ["network (training)", "neurons", "synapses", "recurrent SOPs", "NRMSE", "rate (Hz)"],
             "rows": [[label, f"{summary[label]['n_neurons']['mean']:.0f}", f"{summary[label]['n_synapses']['mean']:.0f}",
                       f"{summary[label]['recurrent_sops']['mean']:.3g} ± {summary[label]['recurrent_sops']['sd']:.2g}",
                       f"{summary[label]['nrmse']['mean']:.3f} ± {summary[label]['nrmse']['sd']:.3f}",
                       f"{summary[label]['mean_rate_hz']['mean']:.1f}"] for label in rows]}
    per_seed = [{"seed": s, "network": label, **values[i]} for label, values in rows.items()
                for i, s in enumerate(seeds)]
    return {"summary": summary, "claims": claims, "rows": per_seed, "report_table": table}, figure

register(Item(
    name="table5_sg", paper_item="ICLR 2024, Table V (SG rows)",
    description=("The unpruned, AP- and LNP-pruned Lorenz-63 networks of `table5` (the same seeds and settings; run "
                 "both into one folder and the pruning is shared) trained by BPTT with a surrogate gradient "
                 "(hetnet.gradient, the pruning mask fixed) beside their STDP rows: NRMSE, SOPs from the frozen "
                 "run's spikes. "),
    claims=dict.fromkeys((name for name, *_ in _TABLE5_SG_CLAIMS), _TABLE5_SG_PAPER),
    output="table5_sg_rows",
    quick={**PRUNING_QUICK, "sg_epochs": 2}, full={**PRUNING_FULL, "sg_epochs": 30},
    run_seed=None if _MISSING_EXTRA else table5_sg_seed, aggregate=None if _MISSING_EXTRA else table5_sg_aggregate,
    pending_reason=_MISSING_EXTRA,
))
