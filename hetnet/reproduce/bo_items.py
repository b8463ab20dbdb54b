"""The optimiser's objective ablation (ICLR 2023, Fig. 9 / Table III text): MC, spike count or E.

The paper optimises the heterogeneity distributions with three objectives —
the memory capacity MC, the spike count S (fewer is better) and the spike
efficiency E = MC / S — and reports that optimising E gives the best accuracy
with the fewest spikes. The item runs, per seed, one Bayesian-optimisation
campaign per objective (:func:`hetnet.bo.campaign.run_campaign`, the same
search space, budget and base network; the distributions only, so every
candidate shares the structure), then scores each campaign's best
configuration on one-step Lorenz-63 prediction (NRMSE of the reservoir state,
:func:`hetnet.tasks.prediction.predict_series`, STDP then frozen) beside its
MC and spikes. The best-so-far curve of each campaign is kept (the data of
the paper's Fig. 6 convergence plot for the default variant).

Examples
--------
>>> from hetnet.reproduce import get_item
>>> get_item("bo_objectives").quick["objectives"]
['memory-capacity', 'spike-count', 'efficiency']
"""
from __future__ import annotations

import logging
import tempfile

from hetnet.reproduce.items import _config, _verdict_title, claim_record, mean_sd
from hetnet.reproduce.registry import Item, register

__all__ = ["OBJECTIVES", "bo_objectives_seed", "bo_objectives_aggregate"]

logger = logging.getLogger(__name__)

#: the three objectives of the ablation, in the report's order
OBJECTIVES = ("memory-capacity", "spike-count", "efficiency")

#: ``(claim, metric, a, b, direction)``, objectives compared by their best network
_CLAIMS = (
    ("optimising E predicts better than optimising MC", "nrmse", "efficiency", "memory-capacity", "less"),
    ("optimising E predicts better than optimising S", "nrmse", "efficiency", "spike-count", "less"),
    ("optimising E spikes less than optimising MC", "spikes_per_neuron", "efficiency", "memory-capacity", "less"),
)

_MEASURED = ("memory_capacity", "spikes_per_neuron", "efficiency", "mean_rate_hz")


def bo_objectives_seed(seed: int, quick: bool, options: dict) -> dict:
    """One campaign per objective, then each best configuration on Lorenz-63; one seed.

    Returns ``{objective: {"best": {metric: value}, "nrmse": ..., "prediction_spikes_per_neuron": ...,
    "best_so_far": [...]}}``.
    """
    from hetnet.bo.campaign import run_campaign
    from hetnet.bo.space import network_search_space
    from hetnet.config import HRSNNConfig
    from hetnet.tasks.prediction import predict_series
    from hetnet.tasks.registry import task_series

    base = _config(options, seed)
    space = network_search_space(base, include_architecture=False)
    objective_options = {key: int(options[key]) for key in ("n_steps", "train_steps", "k_max", "washout", "n_null")}
    objective_options.update(lyapunov_steps=0, fixed_structure=True)
    train_steps, test_steps = int(options["prediction_train_steps"]), int(options["prediction_test_steps"])
    series, dt, exponent = task_series("lorenz63", train_steps + test_steps + 1, seed=seed)
    record = {}
    for objective in options["objectives"]:
        logger.info("bo_objectives seed %d: campaign on %s, %d evaluations", seed, objective, options["budget"])
        with tempfile.TemporaryDirectory(prefix=f"hetnet-bo-{objective}-") as directory:
            results = run_campaign(directory, objective=objective, config=base, space=space,
                                   budget=int(options["budget"]), batch=1, seed=seed, engine="serial",
                                   objective_options=objective_options, overwrite=True)
        best = results["best"]
        config = HRSNNConfig.from_dict(best["config"]).replace(seed=seed)
        predicted = predict_series(config, series, train_steps=train_steps, test_steps=test_steps,
                                   variants=[config.variant], washout_steps=min(50, train_steps // 4), dt=dt,
                                   lyapunov_exponent=exponent)[config.variant]
        record[objective] = {
            "best": {key: float(best["metrics"][key]) for key in _MEASURED},
            "nrmse": float(predicted["nrmse"]),
            "prediction_spikes_per_neuron": float(predicted["spikes_per_neuron"]),
            "best_so_far": [float(v) for v in results["best_so_far"]],
            "parameters": best["parameters"],
        }
    return record


def bo_objectives_aggregate(results: dict, options: dict):
    """Mean ± sd per objective, the claims tested across seeds, and the figure (best networks, convergence)."""
    from hetnet.plotting import dot_plot, new_figure

    seeds = list(results)
    objectives = list(results[seeds[0]])
    metric = {
        "nrmse": lambda r: r["nrmse"],
        "spikes_per_neuron": lambda r: r["best"]["spikes_per_neuron"],
        "memory_capacity": lambda r: r["best"]["memory_capacity"],
        "efficiency": lambda r: r["best"]["efficiency"],
    }
    values = {name: {o: [read(results[s][o]) for s in seeds] for o in objectives} for name, read in metric.items()}
    summary = {o: {name: mean_sd(values[name][o]) for name in metric} for o in objectives}
    claims = {name: claim_record(values[m][a], values[m][b], direction, a=a, b=b, metric=m)
              for name, m, a, b, direction in _CLAIMS if a in objectives and b in objectives}
    figure, axes = new_figure(1, 4, figsize=(19, 4.5))
    labels = {"nrmse": "Lorenz-63 one-step NRMSE of the best network",
              "spikes_per_neuron": "spikes per neuron per step (best network)",
              "memory_capacity": "memory capacity (best network)"}
    for ax, (name, label) in zip(axes, labels.items()):
        dot_plot(values[name], ax=ax, ylabel=label, title="objective optimised")
    for objective in objectives:
        for index, seed in enumerate(seeds):
            curve = results[seed][objective]["best_so_far"]
            axes[3].plot(range(1, len(curve) + 1), curve, color=f"C{objectives.index(objective)}", alpha=0.7,
                         label=objective if index == 0 else None)
    axes[3].set(xlabel="evaluations", ylabel="best objective so far (own units)",
                title=f"convergence, one line a seed ({len(seeds)} seeds)")
    axes[3].legend(fontsize=8)
    _verdict_title(figure, claims)
    rows = [{"seed": s, "objective": o, "nrmse": results[s][o]["nrmse"], **results[s][o]["best"]}
            for s in seeds for o in objectives]
    return {"summary": summary, "claims": claims, "objectives": objectives, "rows": rows}, figure


_PROTOCOL_QUICK = {"n_steps": 120, "train_steps": 10, "k_max": 5, "washout": 20, "n_null": 2}
_PROTOCOL_FULL = {"n_steps": 2000, "train_steps": 200, "k_max": 50, "washout": 50, "n_null": 5}

register(Item(
    name="bo_objectives", paper_item="ICLR 2023, Fig. 9 / Table III (BO objectives)",
    description=("One Bayesian-optimisation campaign per objective (MC, spike count S, E = MC / S) over the "
                 "heterogeneity distributions (same space, budget and structure), then each campaign's best "
                 "network on one-step Lorenz-63 prediction: NRMSE, spikes, MC; and each campaign's convergence."),
    claims={name: "optimising E gives the best accuracy with the fewest spikes" for name, *_ in _CLAIMS},
    output="bo_objectives_ablation",
    quick={"n_neurons": 20, **_PROTOCOL_QUICK, "budget": 2, "objectives": list(OBJECTIVES),
           "prediction_train_steps": 40, "prediction_test_steps": 20, "backend": "runtime"},
    full={"n_neurons": 500, **_PROTOCOL_FULL, "budget": 20, "objectives": list(OBJECTIVES),
          "prediction_train_steps": 500, "prediction_test_steps": 100, "backend": "cpp_standalone"},
    run_seed=bo_objectives_seed, aggregate=bo_objectives_aggregate,
))
