"""Spike statistics: counts, average activation, spike efficiency.

See :ref:`science-spikes`: ``S`` = average spike count per recurrent neuron; spike
efficiency ``E = MC / S``; average neuronal activation over ``T`` steps
``(1 / (N T)) sum_t sum_i s_i(t)``.
"""

from __future__ import annotations

import logging

import numpy as np

from ._validation import as_finite_array

__all__ = [
    "spike_counts",
    "mean_spike_count",
    "average_activation",
    "firing_rates_hz",
    "spike_efficiency",
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
