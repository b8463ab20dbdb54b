"""Figures of hetnet results that leave matplotlib's global state alone.

Every function draws on the axes it is given, or creates a
:class:`matplotlib.figure.Figure` of its own **without pyplot**: no backend
is selected, no figure is registered with pyplot (so a notebook or a GUI
session keeps its backend and its figure list), and no ``rcParams`` are
changed. Each function returns the figure; save it with
``figure.savefig(path)`` (Agg draws PNG, PDF and SVG without any backend
being chosen) or show it in Jupyter by leaving it as the cell's value.

================================  ==============================================
:func:`new_figure`                a figure and a grid of axes (constrained layout)
:func:`raster`                    spike raster, excitatory blue / inhibitory red
:func:`memory_capacity_curve`     ``MC(k)`` against the delay, with the chance level
:func:`bo_convergence`            every evaluation and the best so far
:func:`pruning_evolution`         a quantity against the pruning iteration, one
                                  line style and marker per method, mean ± sd
                                  band only over more than one seed
:func:`timescale_histogram`       distributions of membrane time constants
:func:`dot_plot`                  per-seed values and mean ± sd per group
                                  (no bars, so log axes are honest)
================================  ==============================================

Examples
--------
>>> import numpy as np
>>> from hetnet.result import SimulationResult
>>> result = SimulationResult(np.array([0, 3, 1]), np.array([1.0, 2.0, 5.0]), n_neurons=4, n_excitatory=2,
...                           duration_ms=10.0, step_ms=5.0)
>>> figure = raster(result)
>>> type(figure).__name__, figure.axes[0].get_xlabel()
('Figure', 'time (ms)')
"""
from __future__ import annotations

import logging
from typing import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

__all__ = [
    "POPULATION_COLOURS", "METHOD_STYLES", "new_figure", "seeds_label", "raster", "memory_capacity_curve",
    "bo_convergence", "regret_curves", "pruning_evolution", "timescale_histogram", "dot_plot",
]

logger = logging.getLogger(__name__)

#: colours of the excitatory and inhibitory populations
POPULATION_COLOURS = {"excitatory": "tab:blue", "inhibitory": "tab:red"}

#: colour, marker and line style of each pruning method; each is distinct, so
#: lines that coincide (random ER copies LNP's counts) stay visible
METHOD_STYLES = {
    "lnp": {"color": "tab:blue", "marker": "o", "linestyle": "-", "label": "LNP"},
    "ap": {"color": "tab:orange", "marker": "s", "linestyle": "--", "label": "activity-based"},
    "random": {"color": "tab:green", "marker": "^", "linestyle": ":", "label": "random ER"},
}
_FALLBACK_STYLES = [{"color": f"C{k}", "marker": m, "linestyle": ls}
                    for k, (m, ls) in enumerate(zip("DvPX*", ("-.", "-", "--", ":", "-.")), start=3)]


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize=None, squeeze: bool = True, **subplot_kw):
    """A :class:`~matplotlib.figure.Figure` (not registered with pyplot) and its axes.

    Parameters
    ----------
    nrows, ncols : int
    figsize : (float, float), optional
        Inches; default ``(5 * ncols, 3.6 * nrows)``.
    squeeze : bool
        As in :meth:`matplotlib.figure.Figure.subplots`.
    **subplot_kw
        Passed to :meth:`~matplotlib.figure.Figure.subplots` (``sharex=True``, ...).

    Returns
    -------
    figure : matplotlib.figure.Figure
    axes : Axes or ndarray of Axes

    Examples
    --------
    >>> figure, axes = new_figure(1, 2)
    >>> len(figure.axes)
    2
    """
    figure = Figure(figsize=figsize or (5.0 * ncols, 3.6 * nrows), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=squeeze, **subplot_kw)
    return figure, axes


def _axis(ax, figsize=None):
    if ax is not None:
        return ax.figure, ax
    return new_figure(figsize=figsize)


def seeds_label(n_seeds: int, what: str = "mean ± sd") -> str:
    """``"mean ± sd over 3 seeds"``, or ``"1 seed"`` when there is nothing to average.

    >>> seeds_label(3), seeds_label(1)
    ('mean ± sd over 3 seeds', '1 seed')
    """
    return f"{what} over {n_seeds} seeds" if n_seeds > 1 else f"{n_seeds} seed"


def raster(result, ax=None, *, t_max_ms: float | None = None, markersize: float = 1.0, title: str | None = None):
    """Spike raster of a :class:`~hetnet.result.SimulationResult`, excitatory and inhibitory in two colours.

    Parameters
    ----------
    result : SimulationResult
        Recurrent spikes; neurons ``0 .. n_excitatory-1`` are excitatory.
    ax : matplotlib Axes, optional
        Draw here; default a new figure.
    t_max_ms : float, optional
        Show only spikes before this time.
    markersize : float
    title : str, optional
        Default: the mean rate.

    Returns
    -------
    matplotlib.figure.Figure
    """
    figure, ax = _axis(ax, figsize=(7.0, 3.6))
    times, indices = np.asarray(result.spike_times_ms), np.asarray(result.spike_indices)
    window = np.ones(times.shape, bool) if t_max_ms is None else times < t_max_ms
    excitatory = indices < result.n_excitatory
    for population, mask in (("excitatory", excitatory), ("inhibitory", ~excitatory)):
        size = result.n_excitatory if population == "excitatory" else result.n_neurons - result.n_excitatory
        ax.scatter(times[window & mask], indices[window & mask], s=markersize, marker="|" if markersize < 2 else "o",
                   color=POPULATION_COLOURS[population], linewidths=0.6, rasterized=True,
                   label=f"{population} ({size} neurons)")
    ax.set_xlim(0, t_max_ms if t_max_ms is not None else result.duration_ms)
    ax.set_ylim(-0.5, result.n_neurons - 0.5)
    ax.set(xlabel="time (ms)", ylabel="neuron",
           title=title if title is not None else f"spikes, mean rate {result.mean_rate_hz:.2f} Hz")
    ax.legend(loc="upper right", markerscale=4, fontsize=8)
    return figure


def memory_capacity_curve(result, ax=None, *, label: str | None = None, chance: float | None = None,
                          color=None, marker: str = "o"):
    """``MC(k)`` against the delay ``k`` with the chance level of the estimator.

    For states unrelated to the input, the held-out squared correlation of
    each delay is about ``1 / n_test`` (the estimator's positive bias), so a
    curve at that line carries no memory. The legend gives the total
    ``MC = sum_k MC(k)``. Several curves can share one axis (call again with
    ``ax=``); the chance line is drawn once per axis.

    Parameters
    ----------
    result : MemoryCapacityResult or array_like
        A :class:`~hetnet.analysis.MemoryCapacityResult`, or the curve
        ``MC(1), MC(2), ...`` itself.
    ax : matplotlib Axes, optional
    label : str, optional
        Legend entry (the total MC is appended).
    chance : float, optional
        Chance level per delay; default ``1 / result.n_test`` (none for a bare curve).
    color, marker :
        Style of the curve.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> figure = memory_capacity_curve([0.9, 0.5, 0.1], chance=0.01, label="HeNHeS")
    >>> figure.axes[0].get_legend_handles_labels()[1]
    ['HeNHeS (MC = 1.50)', 'chance level (0.01 per delay)']
    """
    figure, ax = _axis(ax)
    curve = np.asarray(getattr(result, "curve", result), dtype=float)
    delays = np.asarray(getattr(result, "delays", np.arange(1, curve.size + 1)))
    if chance is None and getattr(result, "n_test", None):
        chance = 1.0 / result.n_test
    total = float(curve.sum())
    ax.plot(delays, curve, marker=marker, markersize=3, color=color,
            label=f"{label} (MC = {total:.2f})" if label else f"MC = {total:.2f}")
    if chance is not None and not any(line.get_gid() == "chance" for line in ax.get_lines()):
        ax.axhline(chance, color="0.35", linestyle="--", linewidth=1.0, gid="chance",
                   label=f"chance level ({chance:.2g} per delay)")
    ax.set(xlabel="delay k (steps)", ylabel="MC(k) = r²(u(t-k), y_k(t))", ylim=(0, max(1.0, curve.max(initial=0))))
    ax.legend(fontsize=8)
    return figure


def bo_convergence(objectives: Sequence, ax=None, *, title: str = "", ylabel: str = "objective (maximised)"):
    """Every evaluation's objective and the best value so far against the evaluation number.

    ``None`` entries (failed evaluations) are marked with a red ``x`` on the
    horizontal axis and skipped by the best-so-far line.

    Examples
    --------
    >>> figure = bo_convergence([1.0, None, 3.0, 2.0])
    >>> [line.get_label() for line in figure.axes[0].get_lines()]
    ['evaluation', 'best so far', 'failed (1)']
    """
    figure, ax = _axis(ax, figsize=(6.0, 4.0))
    from hetnet.analysis.statistics import best_so_far

    values = [None if value is None else float(value) for value in objectives]
    numbers = np.arange(1, len(values) + 1)
    ok = [(n, v) for n, v in zip(numbers, values) if v is not None]
    running = [np.nan if best is None else best for best in best_so_far(values)]
    if ok:
        ax.plot(*zip(*ok), "o", color="0.55", markersize=4, label="evaluation")
    ax.step(numbers, running, where="post", color="tab:blue", linewidth=2, label="best so far")
    failed = [n for n, v in zip(numbers, values) if v is None]
    if failed:
        ax.plot(failed, np.zeros(len(failed)), "x", color="tab:red", transform=ax.get_xaxis_transform(),
                clip_on=False, label=f"failed ({len(failed)})")
    ax.set(xlabel="evaluations", ylabel=ylabel, title=title)
    if values:
        ax.set_xlim(0.5, len(values) + 0.5)
    ax.legend(loc="lower right", fontsize=8)
    return figure


def _style(method: str, index: int) -> dict:
    style = dict(METHOD_STYLES.get(method) or _FALLBACK_STYLES[index % len(_FALLBACK_STYLES)])
    style.setdefault("label", method)
    return style


def pruning_evolution(runs: Mapping[str, Sequence], quantity: str = "n_synapses", ax=None, *,
                      ylabel: str | None = None, log: bool = False, max_markers: int = 12):
    """One recorded quantity against the pruning iteration, one line per method.

    Parameters
    ----------
    runs : mapping
        ``{method: [run, ...]}``, one run per seed; a run is a sequence of
        iteration records (mappings or :class:`~hetnet.pruning.IterationRecord`)
        or a mapping with ``"records"`` (the JSON of ``hetnet prune``).
    quantity : str
        Record field: ``n_neurons``, ``n_synapses``, ``sops_estimate``,
        ``max_lyapunov_per_s``...
    ax : matplotlib Axes, optional
    ylabel : str, optional
    log : bool
        Logarithmic vertical axis.
    max_markers : int
        Markers per line (spread evenly), so long runs stay readable.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Each method has its own colour, marker and line style, and later lines
    are drawn thinner than earlier ones, so a method that coincides with
    another (the random baseline copies LNP's counts) remains visible. The
    line is the mean over the seeds and the band ``mean ± sd``; with one
    seed there is no band and the legend says "1 seed".

    Examples
    --------
    >>> runs = {"lnp": [[{"n_synapses": 100}, {"n_synapses": 80}]],
    ...         "random": [[{"n_synapses": 100}, {"n_synapses": 80}]]}
    >>> figure = pruning_evolution(runs)
    >>> figure.axes[0].get_legend_handles_labels()[1]
    ['LNP (1 seed)', 'random ER (1 seed)']
    """
    figure, ax = _axis(ax)
    for index, (method, method_runs) in enumerate(runs.items()):
        records = [run["records"] if isinstance(run, Mapping) else run for run in method_runs]
        records = [run for run in records if len(run)]
        if not records:
            continue
        length = min(len(run) for run in records)
        values = np.array([[_field(record, quantity) for record in run[:length]] for run in records], dtype=float)
        iterations = np.array([_field(record, "iteration", k) for k, record in enumerate(records[0][:length])])
        mean = np.nanmean(values, axis=0)
        style = _style(method, index)
        label = f"{style.pop('label')} ({seeds_label(len(records))})"
        ax.plot(iterations, mean, markevery=max(1, length // max_markers), markersize=5, markerfacecolor="none",
                linewidth=2.2 - 0.5 * min(index, 2), zorder=3 + index, label=label, **style)
        if len(records) > 1:
            spread = np.nanstd(values, axis=0, ddof=1)
            ax.fill_between(iterations, mean - spread, mean + spread, color=style["color"], alpha=0.2, linewidth=0)
    ax.set(xlabel="iteration", ylabel=ylabel or quantity.replace("_", " "))
    if log:
        ax.set_yscale("log")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    return figure


def _field(record, name, default=None):
    if isinstance(record, Mapping):
        return record.get(name, default)
    return getattr(record, name, default)


def timescale_histogram(tau_by_method: Mapping[str, np.ndarray], ax=None, *, bins: int = 40):
    """Histograms (outlines) of membrane time constants, log-spaced bins, one per method.

    Examples
    --------
    >>> figure = timescale_histogram({"lnp": np.array([5.0, 10.0, 20.0])})
    >>> figure.axes[0].get_xscale()
    'log'
    """
    figure, ax = _axis(ax)
    arrays = {method: np.asarray(values, dtype=float) for method, values in tau_by_method.items()}
    pooled = np.concatenate([a for a in arrays.values() if a.size] or [np.array([1.0, 100.0])])
    edges = np.geomspace(max(pooled.min(), 0.1), max(pooled.max(), 1.0) * 1.01, bins)
    for index, (method, values) in enumerate(arrays.items()):
        if values.size:
            style = _style(method, index)
            ax.hist(values, bins=edges, density=True, histtype="step", color=style["color"],
                    linestyle=style["linestyle"], linewidth=1.5, label=style["label"])
    ax.set(xlabel="τ_m (ms)", ylabel="density", xscale="log")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    return figure


def regret_curves(curves: Mapping[str, Sequence[float]], ax=None, *, title: str = "", threshold: float | None = None):
    """Best regret so far against the evaluation number, one line per method (log scale).

    ``curves`` maps a label to a curve (for example the median over seeds of
    :func:`hetnet.bo.benchmark.compare`'s best-regret curves); ``threshold``
    draws the target regret as a dotted line.

    Examples
    --------
    >>> figure = regret_curves({"batch 2": [1.0, 0.1, 0.01], "random": [1.0, 0.5, 0.4]}, threshold=0.01)
    >>> [line.get_label() for line in figure.axes[0].get_lines()][:2]
    ['batch 2', 'random']
    """
    figure, ax = _axis(ax, figsize=(6.0, 4.0))
    for label, curve in curves.items():
        values = np.maximum(np.asarray(curve, dtype=float), 1e-12)   # a regret of exactly 0 on a log axis
        ax.step(np.arange(1, len(values) + 1), values, where="post", linewidth=1.8, label=label)
    if threshold is not None:
        ax.axhline(threshold, color="0.4", linestyle=":", linewidth=1, label=f"regret {threshold:g}")
    ax.set(yscale="log", xlabel="evaluations", ylabel="best regret so far", title=title)
    ax.legend(fontsize=7)
    return figure


def dot_plot(values_by_group: Mapping[str, Sequence[float]], ax=None, *, ylabel: str = "", log: bool = False,
             title: str = ""):
    """Each seed's value as a dot and, over more than one seed, the mean ± sd, per group.

    A dot plot instead of bars: a bar's length is meaningless on a log
    axis (it depends on where the axis starts), a dot's position is not.

    Parameters
    ----------
    values_by_group : mapping
        ``{group label: [value per seed, ...]}``.
    ax : matplotlib Axes, optional
    ylabel, title : str
    log : bool
        Logarithmic vertical axis (non-positive values are not drawn).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> figure = dot_plot({"unpruned": [7e8, 6e8], "LNP": [2e7, 1.8e7]}, log=True)
    >>> figure.axes[0].get_yscale(), len(figure.axes[0].patches)
    ('log', 0)
    """
    figure, ax = _axis(ax, figsize=(4.5, 3.6))
    labels = list(values_by_group)
    for position, label in enumerate(labels):
        values = np.asarray(values_by_group[label], dtype=float)
        values = values[np.isfinite(values) & ((values > 0) if log else True)]
        if not values.size:
            continue
        offsets = np.linspace(-0.12, 0.12, values.size) if values.size > 1 else np.zeros(1)
        ax.plot(position + offsets, values, "o", color=f"C{position}", markerfacecolor="none", markersize=6,
                label=None)
        if values.size > 1:
            ax.errorbar(position + 0.25, values.mean(), yerr=values.std(ddof=1), fmt="D", color=f"C{position}",
                        capsize=4, markersize=5)
    n = max((np.asarray(values).size for values in values_by_group.values()), default=0)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    legend = f"dots: {n} seeds, ◆: mean ± sd" if n > 1 else "1 seed"
    separator = "\n" if title and ("\n" in title or len(title) > 40) else " "   # a long title: the key on its own line
    ax.set(ylabel=ylabel, title=f"{title}{separator}({legend})" if title else legend)
    if log:
        ax.set_yscale("log")
    return figure
