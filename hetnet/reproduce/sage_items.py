"""Which heterogeneity matters for what (arXiv 2407.06452, Fig. 4): SAGE importance of the parameter spreads.

The paper computes SAGE values (Covert et al. 2020) of the heterogeneity of
each parameter — the membrane time constant ``tau_m``, the threshold
``v_th`` and the STDP ``tau_pre``, ``tau_post``, ``eta_pre``, ``eta_post`` —
for the performance and for the spike count, on Lorenz-96 and SHD, and finds
that neuron heterogeneity (``tau_m`` first) matters most for performance
while STDP heterogeneity matters most for the spiking activity.

The item ``fig4``, per seed:

1. a designed sweep: ``n_networks`` HeNHeS networks (one structure, the
   seed's), whose six spreads are drawn by a seeded Latin hypercube — the
   coefficient of variation ``1 / sqrt(shape)`` of the Gamma distributions of
   ``tau_m`` (E and I alike) and of the four STDP parameters, in
   ``[CV_LOW, CV_HIGH]``, and the width of the uniform ``v_th`` (mV) in
   ``[WIDTH_LOW, WIDTH_HIGH]``; the means stay the configuration's;
2. each network on each task of ``tasks``: Lorenz-96 one-step prediction
   (:func:`hetnet.tasks.prediction.predict_series`, STDP then frozen, ridge
   readout; the test NRMSE and the spikes per neuron of the frozen run) and
   the spike-pattern benchmark, a stand-in for SHD offline
   (:func:`hetnet.tasks.classification.classify`; the test error 1 - accuracy
   and the spikes per sample) — the *performance* and the *spikes* targets;
3. a surrogate of each target over the six spreads (a Gaussian process with
   one length scale per spread on the design's unit cube; its leave-one-out
   R^2 says how much of the target it explains);
4. the SAGE values of the six spreads for each surrogate on the evaluated
   networks (:func:`hetnet.analysis.sage_values`, squared error, the
   design's rows as the background), with their standard errors.

The claims are tested per task across seeds on the mean SAGE value of the
neuron spreads (``tau_m``, ``v_th``) against the mean of the STDP spreads:
greater for the performance ("neuron heterogeneity matters most for
performance"), smaller for the spike count ("STDP heterogeneity matters most
for the spiking activity"). The quick mode runs Lorenz-96 only.

Examples
--------
>>> from hetnet.reproduce import get_item
>>> get_item("fig4").quick["features"]
['tau_m', 'v_th', 'tau_pre', 'tau_post', 'eta_pre', 'eta_post']
"""
from __future__ import annotations

import logging
import warnings

import numpy as np

from hetnet.reproduce.items import _config, _patterns, _verdict_title, claim_record, mean_sd
from hetnet.reproduce.registry import Item, register

__all__ = ["FEATURES", "NEURON_FEATURES", "STDP_FEATURES", "TARGETS", "TASKS", "spread_design", "spread_config",
           "fit_surrogate", "fig4_seed", "fig4_aggregate"]

logger = logging.getLogger(__name__)

#: the heterogeneity spreads, in the figure's order
FEATURES = ("tau_m", "v_th", "tau_pre", "tau_post", "eta_pre", "eta_post")
NEURON_FEATURES = ("tau_m", "v_th")
STDP_FEATURES = ("tau_pre", "tau_post", "eta_pre", "eta_post")
#: the two targets explained, for every task
TARGETS = ("performance", "spikes")
#: task -> what each target is there
TASKS = {
    "lorenz96": {"performance": "Lorenz-96 one-step NRMSE", "spikes": "spikes per neuron (frozen run)"},
    "spike-patterns": {"performance": "spike-pattern test error (1 - accuracy)",
                       "spikes": "spikes per sample (frozen run)"},
    "shd": {"performance": "SHD test error (1 - accuracy)", "spikes": "spikes per sample (frozen run)"},
}
#: SHD (``--data shd=PATH``): a stratified subset of this many samples is what every network of a seed sees
SHD_SAMPLES = {"quick": 40, "full": 300}
#: range of the Gamma spreads (coefficient of variation) and of the v_th width (mV)
CV_LOW, CV_HIGH = 0.05, 1.0
WIDTH_LOW, WIDTH_HIGH = 0.1, 8.0


def spread_design(n_networks: int, seed: int, features=FEATURES) -> np.ndarray:
    """A seeded Latin-hypercube design of the spreads, shape ``(n_networks, len(features))``.

    Columns are the features' spreads in their own units: CV for the Gamma
    parameters, width in mV for ``v_th``. Each column covers its range in
    ``n_networks`` equal strata, one point each, independently of the others.

    Examples
    --------
    >>> design = spread_design(4, seed=0)
    >>> design.shape, bool(np.all((design[:, 0] >= 0.05) & (design[:, 0] <= 1.0)))
    ((4, 6), True)
    >>> sorted(np.floor((design[:, 1] - 0.1) / (7.9 / 4)).astype(int).tolist())  # one point per stratum
    [0, 1, 2, 3]
    """
    if int(n_networks) < 2:
        raise ValueError(f"n_networks must be >= 2; got {n_networks}")
    unknown = [name for name in features if name not in FEATURES]
    if unknown:
        raise ValueError(f"unknown features {unknown}; allowed: {', '.join(FEATURES)}")
    rng = np.random.default_rng([int(seed), 4])
    n = int(n_networks)
    unit = (np.stack([rng.permutation(n) for _ in features], axis=1) + rng.random((n, len(features)))) / n
    low = np.array([WIDTH_LOW if name == "v_th" else CV_LOW for name in features])
    high = np.array([WIDTH_HIGH if name == "v_th" else CV_HIGH for name in features])
    return low + unit * (high - low)


def spread_config(base, spreads: dict):
    """``base`` (a :class:`hetnet.config.HRSNNConfig`) with the given spreads, means unchanged.

    Parameters
    ----------
    base : HRSNNConfig
    spreads : dict
        ``{feature: spread}``: a CV for ``tau_m`` (E and I), ``tau_pre``,
        ``tau_post``, ``eta_pre``, ``eta_post`` (Gamma shape ``1 / CV^2``), a
        width in mV for ``v_th`` (E and I, uniform around the mean).

    Examples
    --------
    >>> from hetnet.config import HRSNNConfig
    >>> config = spread_config(HRSNNConfig(), {"tau_m": 0.5, "v_th": 2.0})
    >>> config.excitatory.tau_m_ms.shape, config.excitatory.tau_m_ms.mean
    (4.0, 20.0)
    >>> config.inhibitory.v_th_mV.low, config.inhibitory.v_th_mV.high
    (-53.0, -51.0)
    """
    from hetnet.distributions import Gamma, Uniform

    def gamma(current, cv):
        return Gamma(shape=1.0 / float(cv) ** 2, mean=current.mean)

    changes = {}
    for population in ("excitatory", "inhibitory"):
        section = getattr(base, population)
        fields = {}
        if "tau_m" in spreads:
            fields["tau_m_ms"] = gamma(section.tau_m_ms, spreads["tau_m"])
        if "v_th" in spreads:
            centre, half = section.v_th_mV.mean, float(spreads["v_th"]) / 2.0
            fields["v_th_mV"] = Uniform(centre - half, centre + half)
        if fields:
            changes[population] = fields
    stdp = {}
    for name in STDP_FEATURES:
        if name in spreads:
            field = f"{name}_ms" if name.startswith("tau") else name
            stdp[field] = gamma(getattr(base.stdp, field), spreads[name])
    if stdp:
        changes["stdp"] = stdp
    return base.replace(**changes)


def fit_surrogate(unit_features: np.ndarray, targets: np.ndarray, seed: int = 0):
    """A Gaussian-process surrogate of ``targets`` over features scaled to the unit cube; ``(model, loo R^2)``.

    The kernel is a constant times an RBF with one length scale per feature
    (bounds 0.05 to 100: a feature with a long length scale barely matters)
    plus white noise; targets are normalised. The leave-one-out R^2 refits
    with the fitted kernel held fixed.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((30, 2))
    >>> model, r2 = fit_surrogate(X, np.sin(3 * X[:, 0]))
    >>> r2 > 0.9
    True
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    X = np.asarray(unit_features, dtype=float)
    y = np.asarray(targets, dtype=float)
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.ones(X.shape[1]), (0.05, 100.0)) + \
        WhiteKernel(0.1, (1e-6, 10.0))
    with warnings.catch_warnings():
        # a spread that does not matter runs its length scale to the bound: expected, not a problem
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=2,
                                         random_state=seed).fit(X, y)
    predictions = np.empty_like(y)
    for k in range(len(y)):
        keep = np.arange(len(y)) != k
        fixed = GaussianProcessRegressor(model.kernel_, normalize_y=True, optimizer=None).fit(X[keep], y[keep])
        predictions[k] = fixed.predict(X[k:k + 1])[0]
    total = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum((y - predictions) ** 2)) / total if total > 0 else float("nan")
    return model, r2


def _evaluate(task: str, config, options: dict, seed: int, data) -> dict:
    """``{"performance": ..., "spikes": ...}`` of one network on ``task`` (see :data:`TASKS`)."""
    if task == "lorenz96":
        from hetnet.tasks.prediction import predict_series

        series, dt, exponent = data
        train_steps = int(options["train_steps"])
        metrics = predict_series(config, series, train_steps=train_steps, test_steps=int(options["test_steps"]),
                                 variants=["HeNHeS"], washout_steps=min(50, train_steps // 4), dt=dt,
                                 lyapunov_exponent=exponent)["HeNHeS"]
        return {"performance": float(metrics["nrmse"]), "spikes": float(metrics["spikes_per_neuron"])}
    from hetnet.tasks.classification import classify

    data, encoder_options = data if isinstance(data, tuple) else (data, None)
    metrics = classify(config, data, variants=["HeNHeS"], seed=seed, encoder_options=encoder_options)["HeNHeS"]
    return {"performance": 1.0 - float(metrics["accuracy"]), "spikes": float(metrics["spikes_per_sample"])}


def _task_data(task: str, options: dict, config, seed: int, quick: bool = False):
    """The data every network of one seed sees: the Lorenz-96 series, the spike patterns, or SHD with its
    encoder options (a stratified subset of :data:`SHD_SAMPLES` samples)."""
    if task == "lorenz96":
        from hetnet.tasks.registry import task_series

        return task_series("lorenz96", int(options["train_steps"]) + int(options["test_steps"]) + 1, seed=seed)
    if task == "spike-patterns":
        return _patterns(options, config, seed)
    if task == "shd":
        from hetnet.datasets import stratified_split
        from hetnet.tasks.registry import classification_data

        data, encoder_options = classification_data("shd", config, data_path=options["data"]["shd"], quick=quick,
                                                    seed=seed)
        size = SHD_SAMPLES["quick" if quick else "full"]
        if len(data) > size:
            keep, _ = stratified_split(data.labels, size / len(data), seed=seed)
            data = data.subset(keep)
        return data, encoder_options
    raise ValueError(f"fig4 task must be one of {', '.join(TASKS)}; got {task!r}")


def _tasks(options: dict) -> list:
    """The item's tasks, and SHD when ``--data shd=PATH`` gave its file."""
    return list(options["tasks"]) + (["shd"] if (options.get("data") or {}).get("shd") else [])


def fig4_seed(seed: int, quick: bool, options: dict) -> dict:
    """The spread sweep on each task, the surrogates of both targets and their SAGE values; one seed.

    Returns
    -------
    dict
        ``features``, ``design`` (rows of spreads, shared by the tasks) and,
        per task, ``{"performance": [...], "spikes": [...]}`` (one value per
        network), ``sage`` (per target, :meth:`hetnet.analysis.SageResult.to_dict`)
        and ``surrogate_r2_loo`` (per target).

    Examples
    --------
    >>> from hetnet.reproduce import get_item
    >>> record = fig4_seed(0, True, dict(get_item("fig4").quick))  # doctest: +SKIP
    >>> sorted(record["lorenz96"]["sage"])  # doctest: +SKIP
    ['performance', 'spikes']
    """
    from hetnet.analysis import sage_values

    features = list(options["features"])
    design = spread_design(int(options["n_networks"]), seed, features)
    base = _config(options, seed, variant="HeNHeS")
    low, high = design.min(axis=0), design.max(axis=0)
    unit = (design - low) / np.where(high > low, high - low, 1.0)
    record = {"features": features, "design": design.tolist()}
    for task in _tasks(options):
        data = _task_data(task, options, base, seed, quick)
        measured = {target: [] for target in TARGETS}
        for number, row in enumerate(design):
            logger.info("fig4 seed %d, %s: network %d/%d", seed, task, number + 1, len(design))
            values = _evaluate(task, spread_config(base, dict(zip(features, row))), options, seed, data)
            for target in TARGETS:
                measured[target].append(values[target])
        entry = {**measured, "sage": {}, "surrogate_r2_loo": {}}
        for target in TARGETS:
            surrogate, r2 = fit_surrogate(unit, measured[target], seed=seed)
            result = sage_values(surrogate.predict, unit, np.asarray(measured[target]), background=unit,
                                 feature_names=features, threshold=float(options["sage_threshold"]),
                                 max_permutations=int(options["sage_max_permutations"]), seed=seed)
            entry["sage"][target] = result.to_dict()
            entry["surrogate_r2_loo"][target] = r2
        record[task] = entry
    return record


def _group_mean(sage: dict, group) -> float:
    values = [sage["values"][name] for name in group if name in sage["values"]]
    return float(np.mean(values)) if values else float("nan")


def fig4_aggregate(results: dict, options: dict):
    """SAGE values per task, target and feature (mean ± sd over seeds), the group claims, the bar figure."""
    from hetnet.plotting import new_figure, seeds_label

    seeds, tasks = list(results), _tasks(options)
    features = list(options["features"])
    summary, claims, rows = {}, {}, []
    figure, axes = new_figure(len(tasks), len(TARGETS), figsize=(6 * len(TARGETS), 4.5 * len(tasks)), squeeze=False)
    colours = ["C0" if name in NEURON_FEATURES else "C1" for name in features]
    for task, task_axes in zip(tasks, axes):
        summary[task], groups = {}, {}
        for ax, target in zip(task_axes, TARGETS):
            label = TASKS[task][target]
            sage = [results[s][task]["sage"][target] for s in seeds]
            values = np.array([[entry["values"][name] for name in features] for entry in sage])
            errors = np.array([[entry["std_errors"][name] for name in features] for entry in sage])
            summary[task][target] = {
                name: {**mean_sd(values[:, k]), "estimator_se": float(np.sqrt(np.mean(errors[:, k] ** 2)))}
                for k, name in enumerate(features)}
            summary[task][target]["surrogate_r2_loo"] = mean_sd(
                [results[s][task]["surrogate_r2_loo"][target] for s in seeds])
            groups[target] = {"neuron": [_group_mean(entry, NEURON_FEATURES) for entry in sage],
                              "stdp": [_group_mean(entry, STDP_FEATURES) for entry in sage]}
            # one seed: the estimator's error; several: the spread over seeds
            bars = values.std(axis=0, ddof=1) if len(seeds) > 1 else errors[0]
            ax.bar(features, values.mean(axis=0), yerr=bars, color=colours, capsize=3)
            ax.axhline(0.0, color="0.5", linewidth=0.8)
            what = "mean ± sd" if len(seeds) > 1 else "± SAGE s.e."
            ax.set(xlabel="heterogeneity (spread) of", ylabel="SAGE value (squared error removed)",
                   title=f"{label}: {seeds_label(len(seeds), what)}")
            for s, entry in zip(seeds, sage):
                rows += [{"seed": s, "task": task, "target": target, "feature": name,
                          "sage": entry["values"][name], "std_error": entry["std_errors"][name],
                          "converged": entry["converged"]} for name in features]
        claims[f"neuron heterogeneity matters most for performance ({task})"] = claim_record(
            groups["performance"]["neuron"], groups["performance"]["stdp"], "greater", a="neuron spreads",
            b="STDP spreads", metric=f"mean SAGE value for the {TASKS[task]['performance']}")
        claims[f"STDP heterogeneity matters most for spiking ({task})"] = claim_record(
            groups["spikes"]["stdp"], groups["spikes"]["neuron"], "greater", a="STDP spreads", b="neuron spreads",
            metric=f"mean SAGE value for the {TASKS[task]['spikes']}")
        summary[task]["groups"] = {target: {group: mean_sd(values) for group, values in by.items()}
                                   for target, by in groups.items()}
    first = axes[0][0]
    first.legend(handles=[first.patches[0], first.patches[-1]], labels=["neuron", "STDP"], fontsize=8)
    _verdict_title(figure, claims)
    return {"summary": summary, "claims": claims, "features": features, "tasks": tasks, "rows": rows}, figure


_SAGE = {"sage_threshold": 0.05, "sage_max_permutations": 4000}

register(Item(
    name="fig4", paper_item="arXiv 2407.06452, Fig. 4 (SAGE importance)",
    description=("A Latin-hypercube sweep of the six heterogeneity spreads (tau_m, v_th, STDP tau_pre, tau_post, "
                 "eta_pre, eta_post) of HeNHeS networks on Lorenz-96 one-step prediction and on the spike-pattern "
                 "benchmark (a stand-in for SHD; SHD itself with --data shd=PATH, 300 samples per seed); a "
                 "Gaussian-process surrogate of the performance (NRMSE, test "
                 "error) and of the spike count over the spreads; SAGE values of each spread with their standard "
                 "errors."),
    claims={"neuron heterogeneity matters most for performance ({task})":
            "tau_m has the greatest SAGE value for the performance: heterogeneity in the neuron dynamics improves it",
            "STDP heterogeneity matters most for spiking ({task})":
            "heterogeneous STDP parameters play the more critical role in the spike activation"},
    output="fig4_sage_importance",
    quick={"n_neurons": 20, "n_networks": 5, "features": list(FEATURES), "tasks": ["lorenz96"],
           "train_steps": 40, "test_steps": 20, "n_classes": 4, "per_class": 6, **_SAGE, "backend": "runtime"},
    full={"n_neurons": 200, "n_networks": 48, "features": list(FEATURES), "tasks": ["lorenz96", "spike-patterns"],
          "train_steps": 500, "test_steps": 100, "n_classes": 4, "per_class": 20, **_SAGE,
          "backend": "cpp_standalone"},
    run_seed=fig4_seed, aggregate=fig4_aggregate,
))
