"""Spike statistics: counts, average activation, spike efficiency, firing regime.

See :ref:`science-spikes`: ``S`` = average spike count per recurrent neuron; spike
efficiency ``E = MC / S``; average neuronal activation over ``T`` steps
``(1 / (N T)) sum_t sum_i s_i(t)``.

Firing-regime diagnostics (is the network asynchronous and irregular, or
does it fire in population bursts?):

- population synchrony ``chi`` (Golomb 2007): with ``c_i(t)`` the binned
  spike counts and ``C(t) = mean_i c_i(t)``,
  ``chi^2 = Var_t(C) / mean_i Var_t(c_i)``; about ``1 / sqrt(N)`` for
  independent neurons, 1 for identical spike trains;
- coefficient of variation of the inter-spike intervals (1 for a Poisson
  process, 0 for a clock);
- Fano factor ``Var / mean`` of the binned population spike count (1 for
  independent Poisson neurons, large for population bursts);
- fraction of silent neurons (no spike in the run).

References
----------
Golomb, D. (2007). Neuronal synchrony measures. Scholarpedia 2(1):1347.
Brunel, N. (2000). Dynamics of sparsely connected networks of excitatory and
inhibitory spiking neurons. J. Comput. Neurosci. 8, 183-208.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import numpy as np

from ._validation import as_finite_array

__all__ = [
    "spike_counts",
    "mean_spike_count",
    "average_activation",
    "firing_rates_hz",
    "spike_efficiency",
    "binned_spike_counts",
    "synchrony",
    "isi_cv",
    "fano_factor",
    "silent_fraction",
    "FiringRegime",
    "firing_regime",
]

logger = logging.getLogger(__name__)


def spike_counts(spike_indices, n_neurons, spike_times_ms=None, t_start_ms=None, t_stop_ms=None):
    """Number of spikes of each neuron.

    Parameters
    ----------
    spike_indices : array_like of int, shape (n_spikes,)
        Index of the neuron that emitted each spike (Brian2 ``SpikeMonitor.i``).
    n_neurons : int
        Number of neurons (silent neurons get a count of 0).
    spike_times_ms : array_like, shape (n_spikes,), optional
        Spike times in ms; needed only with ``t_start_ms`` / ``t_stop_ms``.
    t_start_ms, t_stop_ms : float, optional
        Count only spikes with ``t_start_ms <= t < t_stop_ms``.

    Returns
    -------
    numpy.ndarray of int, shape (n_neurons,)

    Examples
    --------
    >>> spike_counts([0, 2, 2, 2], n_neurons=4)
    array([1, 0, 3, 0])
    """
    if int(n_neurons) != n_neurons or n_neurons < 0:
        raise ValueError(f"n_neurons must be a non-negative integer, got {n_neurons!r}")
    indices = np.asarray(spike_indices)
    if indices.ndim != 1:
        raise ValueError(f"spike_indices must be 1-D, got shape {indices.shape}")
    if indices.size and not np.issubdtype(indices.dtype, np.integer):
        if not np.all(np.mod(indices, 1) == 0):
            raise ValueError("spike_indices must be integers")
    indices = indices.astype(np.int64)
    if indices.size and (indices.min() < 0 or indices.max() >= n_neurons):
        raise ValueError(
            f"spike_indices must lie in [0, {int(n_neurons) - 1}], got "
            f"[{indices.min()}, {indices.max()}]"
        )
    if t_start_ms is not None or t_stop_ms is not None:
        if spike_times_ms is None:
            raise ValueError("spike_times_ms is needed to select a time window")
        times = as_finite_array(spike_times_ms, "spike_times_ms", ndim=1)
        if times.shape != indices.shape:
            raise ValueError(
                f"spike_times_ms ({times.shape[0]}) and spike_indices ({indices.shape[0]}) differ in length"
            )
        keep = np.ones(times.shape, dtype=bool)
        if t_start_ms is not None:
            keep &= times >= t_start_ms
        if t_stop_ms is not None:
            keep &= times < t_stop_ms
        indices = indices[keep]
    return np.bincount(indices, minlength=int(n_neurons)).astype(np.int64)


def _counts(spike_counts_array):
    counts = as_finite_array(spike_counts_array, "spike_counts", ndim=(1, 2))
    if counts.size == 0:
        raise ValueError("spike_counts is empty")
    if np.any(counts < 0):
        raise ValueError("spike_counts must be non-negative")
    return counts


def mean_spike_count(spike_counts):
    """Average spike count per neuron, ``S`` (:ref:`science-spikes`).

    Parameters
    ----------
    spike_counts : array_like, shape (n_neurons,) or (n_samples, n_neurons)
        Counts per neuron; with a 2-D array (one row per sample) the result
        is the average per neuron *per sample*.

    Returns
    -------
    float

    Examples
    --------
    >>> mean_spike_count([[2, 0], [4, 2]])
    2.0
    """
    return float(_counts(spike_counts).mean())


def average_activation(spikes, n_steps=None):
    """Average neuronal activation ``(1 / (N T)) sum_t sum_i s_i(t)``.

    Parameters
    ----------
    spikes : array_like
        Either a binary (or count) raster of shape (n_steps, n_neurons), or
        per-neuron spike counts of shape (n_neurons,) together with
        ``n_steps``.
    n_steps : int, optional
        Number of time steps ``T``; required with 1-D counts, must match the
        raster otherwise.

    Returns
    -------
    float
        Spikes per neuron per time step.

    Examples
    --------
    >>> average_activation([[1, 0], [0, 0], [1, 1]])
    0.5
    >>> average_activation([2, 1], n_steps=3)
    0.5
    """
    array = _counts(spikes)
    if array.ndim == 2:
        if n_steps is not None and n_steps != array.shape[0]:
            raise ValueError(f"n_steps={n_steps} does not match the raster's {array.shape[0]} rows")
        return float(array.mean())
    if n_steps is None or n_steps <= 0:
        raise ValueError("n_steps (a positive integer) is required with per-neuron spike counts")
    return float(array.sum() / (array.size * n_steps))


def firing_rates_hz(spike_counts, duration_ms):
    """Per-neuron firing rate in Hz from counts over ``duration_ms``.

    Examples
    --------
    >>> firing_rates_hz([5, 10], duration_ms=500.0)
    array([10., 20.])
    """
    if not duration_ms > 0:
        raise ValueError(f"duration_ms must be positive, got {duration_ms!r}")
    return _counts(spike_counts) * (1000.0 / duration_ms)


def spike_efficiency(memory_capacity, spike_counts):
    """Spike efficiency ``E = MC / S`` (:ref:`science-spikes`).

    Parameters
    ----------
    memory_capacity : float or MemoryCapacityResult
        The memory capacity (its ``total`` for a result object).
    spike_counts : array_like, shape (n_neurons,) or (n_samples, n_neurons)
        Spike counts of the recurrent neurons over the same run; ``S`` is
        their mean (:func:`mean_spike_count`).

    Returns
    -------
    float
        Memory capacity per average spike per neuron.

    Raises
    ------
    ValueError
        When no neuron spiked (``S = 0``: the efficiency is undefined).

    Examples
    --------
    >>> spike_efficiency(12.0, [2, 4, 6])
    3.0
    """
    capacity = float(getattr(memory_capacity, "total", memory_capacity))
    if not np.isfinite(capacity):
        raise ValueError(f"memory_capacity must be finite, got {capacity!r}")
    mean = mean_spike_count(spike_counts)
    if mean == 0.0:
        raise ValueError("no spikes at all (average spike count 0): spike efficiency is undefined")
    return capacity / mean


def binned_spike_counts(spike_indices, spike_times_ms, n_neurons, duration_ms, bin_ms=10.0):
    """Spike counts per time bin and neuron, shape ``(n_bins, n_neurons)``.

    Bins are ``[k * bin_ms, (k + 1) * bin_ms)``; a final partial bin is dropped.

    Examples
    --------
    >>> binned_spike_counts([0, 1, 0], [1.0, 12.0, 15.0], 2, 20.0, bin_ms=10.0).tolist()
    [[1, 0], [1, 1]]
    """
    if not bin_ms > 0 or not duration_ms >= bin_ms:
        raise ValueError(f"need bin_ms > 0 and duration_ms >= bin_ms; got {bin_ms!r}, {duration_ms!r}")
    indices = np.asarray(spike_indices, dtype=np.int64)
    times = as_finite_array(spike_times_ms, "spike_times_ms", ndim=1)
    if indices.shape != times.shape:
        raise ValueError(f"spike_indices ({indices.size}) and spike_times_ms ({times.size}) differ in length")
    if indices.size and (indices.min() < 0 or indices.max() >= n_neurons):
        raise ValueError(f"spike_indices must lie in [0, {int(n_neurons) - 1}]")
    n_bins = int(np.floor(duration_ms / bin_ms + 1e-9))
    bins = np.floor(times / bin_ms).astype(np.int64)
    keep = (bins >= 0) & (bins < n_bins)
    counts = np.zeros((n_bins, int(n_neurons)), dtype=np.int64)
    np.add.at(counts, (bins[keep], indices[keep]), 1)
    return counts


def synchrony(counts):
    """Population synchrony ``chi`` of binned counts (Golomb 2007), in [0, 1].

    ``chi^2 = Var_t(mean_i c_i(t)) / mean_i Var_t(c_i(t))``.

    Parameters
    ----------
    counts : array_like, shape (n_bins, n_neurons)

    Returns
    -------
    float
        ``nan`` when no neuron's count varies (e.g. a silent network).

    Examples
    --------
    >>> synchrony([[1, 1], [0, 0], [1, 1]])      # identical trains
    1.0
    >>> synchrony([[1, 0], [0, 1], [1, 0], [0, 1]])   # anti-correlated
    0.0
    """
    counts = _counts(counts)
    if counts.ndim != 2 or counts.shape[0] < 2:
        raise ValueError(f"counts must have shape (n_bins >= 2, n_neurons); got {counts.shape}")
    individual = counts.var(axis=0).mean()
    if individual == 0:
        return float("nan")
    return float(np.sqrt(counts.mean(axis=1).var() / individual))


def isi_cv(spike_indices, spike_times_ms, n_neurons, min_spikes=3):
    """Coefficient of variation of the inter-spike intervals, per neuron.

    Parameters
    ----------
    spike_indices, spike_times_ms : array_like, shape (n_spikes,)
    n_neurons : int
    min_spikes : int
        Neurons with fewer spikes get ``nan``.

    Returns
    -------
    numpy.ndarray, shape (n_neurons,)
        ``std(ISI) / mean(ISI)``; average with ``np.nanmean``.

    Examples
    --------
    >>> isi_cv([0, 0, 0, 0], [0.0, 10.0, 20.0, 30.0], 2).tolist()   # a clock; neuron 1 silent
    [0.0, nan]
    """
    indices = np.asarray(spike_indices, dtype=np.int64)
    times = as_finite_array(spike_times_ms, "spike_times_ms", ndim=1)
    if indices.shape != times.shape:
        raise ValueError(f"spike_indices ({indices.size}) and spike_times_ms ({times.size}) differ in length")
    order = np.lexsort((times, indices))
    indices, times = indices[order], times[order]
    result = np.full(int(n_neurons), np.nan)
    if indices.size < 2:
        return result
    same = indices[1:] == indices[:-1]
    intervals = np.diff(times)[same]
    owner = indices[1:][same]
    n_intervals = np.bincount(owner, minlength=int(n_neurons))
    total = np.bincount(owner, weights=intervals, minlength=int(n_neurons))
    square = np.bincount(owner, weights=intervals**2, minlength=int(n_neurons))
    enough = n_intervals >= max(2, min_spikes - 1)
    mean = total[enough] / n_intervals[enough]
    variance = np.maximum(square[enough] / n_intervals[enough] - mean**2, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        result[enough] = np.where(mean > 0, np.sqrt(variance) / mean, np.nan)
    return result


def fano_factor(counts):
    """Fano factor ``Var / mean`` of the binned population spike count.

    Parameters
    ----------
    counts : array_like, shape (n_bins, n_neurons) or (n_bins,)
        Summed over neurons first when 2-D.

    Examples
    --------
    >>> fano_factor([[2, 2], [0, 0]])
    2.0
    """
    counts = _counts(counts)
    population = counts.sum(axis=1) if counts.ndim == 2 else counts
    mean = population.mean()
    if mean == 0:
        return float("nan")
    return float(population.var() / mean)


def silent_fraction(spike_counts):
    """Fraction of neurons without a spike.

    Examples
    --------
    >>> silent_fraction([0, 3, 0, 1])
    0.5
    """
    counts = _counts(spike_counts)
    return float(np.mean(counts.reshape(-1) == 0))


@dataclass(frozen=True)
class FiringRegime:
    """Firing-regime summary (:func:`firing_regime`)."""

    mean_rate_hz: float
    synchrony: float
    isi_cv: float
    fano_factor: float
    silent_fraction: float
    bin_ms: float

    def to_dict(self) -> dict:
        return asdict(self)


def firing_regime(spike_indices, spike_times_ms, n_neurons, duration_ms, bin_ms=10.0):
    """Rate, synchrony, ISI irregularity, population Fano factor and silent neurons of a run.

    Parameters
    ----------
    spike_indices, spike_times_ms : array_like, shape (n_spikes,)
    n_neurons : int
    duration_ms : float
    bin_ms : float
        Bin of :func:`synchrony` and :func:`fano_factor`.

    Returns
    -------
    FiringRegime
        ``isi_cv`` is the mean over neurons with at least 3 spikes (``nan`` if none).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> times = rng.uniform(0, 10_000, 20_000)           # 400 independent Poisson neurons, 5 Hz
    >>> regime = firing_regime(rng.integers(0, 400, 20_000), times, 400, 10_000.0)
    >>> round(regime.mean_rate_hz, 1), regime.synchrony < 0.1, round(regime.isi_cv, 1)
    (5.0, True, 1.0)
    """
    counts = binned_spike_counts(spike_indices, spike_times_ms, n_neurons, duration_ms, bin_ms)
    totals = spike_counts(spike_indices, n_neurons)
    cv = isi_cv(spike_indices, spike_times_ms, n_neurons)
    return FiringRegime(
        mean_rate_hz=float(totals.sum() / n_neurons / (duration_ms / 1000.0)),
        synchrony=synchrony(counts),
        isi_cv=float(np.nanmean(cv)) if np.any(np.isfinite(cv)) else float("nan"),
        fano_factor=fano_factor(counts),
        silent_fraction=silent_fraction(totals),
        bin_ms=float(bin_ms),
    )
