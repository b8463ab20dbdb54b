"""Synaptic operations (SOPs) and energy.

See :ref:`science-energy`: ``SOPs = sum over time and presynaptic neurons of spikes x
number of surviving outgoing synapses``; a synapse counts only when its
presynaptic neuron, the synapse itself and its postsynaptic neuron are all
alive. ``energy = 0.9 pJ x SOPs``; ``SOP ratio = SOPs(unpruned) /
SOPs(pruned)``. Recurrent, input and readout SOPs are reported separately.

Adjacency matrices follow the project convention ``[pre, post]``: entry
``(i, j)`` is the synapse ``i -> j``; a synapse exists iff its entry is
non-zero (a pruned synapse has weight 0 or is absent from the sparse matrix).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.sparse

from ._validation import as_finite_array

__all__ = [
    "SynapticOperations",
    "synaptic_operations",
    "energy",
    "sop_ratio",
    "JOULES_PER_SOP",
    "JOULES_PER_MAC",
]

logger = logging.getLogger(__name__)

#: Energy of one synaptic operation (:ref:`science-energy`), joules.
JOULES_PER_SOP = 0.9e-12
#: Energy of one multiply-accumulate of an ANN, for comparison, joules.
JOULES_PER_MAC = 4.6e-12


@dataclass(frozen=True)
class SynapticOperations:
    """SOP counts of :func:`synaptic_operations` (floats, or arrays with one
    entry per sample when the spike counts were 2-D)."""

    recurrent: float | np.ndarray
    input: float | np.ndarray
    readout: float | np.ndarray

    @property
    def total(self):
        """Recurrent + input + readout SOPs."""
        return self.recurrent + self.input + self.readout


def _mask(alive, n, name):
    if alive is None:
        return np.ones(n, dtype=bool)
    alive = np.asarray(alive)
    if alive.dtype == bool:
        if alive.shape != (n,):
            raise ValueError(f"{name} must have shape ({n},), got {alive.shape}")
        return alive.copy()
    # integer indices of the surviving neurons
    if alive.ndim != 1 or (alive.size and not np.issubdtype(alive.dtype, np.integer)):
        raise ValueError(f"{name} must be a boolean mask or an array of integer indices")
    if alive.size and (alive.min() < 0 or alive.max() >= n):
        raise ValueError(f"{name} indices must lie in [0, {n - 1}]")
    mask = np.zeros(n, dtype=bool)
    mask[alive] = True
    return mask


def _out_degree(adjacency, pre_alive, post_alive, name):
    """Surviving outgoing synapses of each presynaptic neuron."""
    if scipy.sparse.issparse(adjacency):
        matrix = scipy.sparse.csr_array(adjacency)
        matrix.eliminate_zeros()
        shape = matrix.shape
    else:
        matrix = np.asarray(adjacency)
        if matrix.ndim != 2:
            raise ValueError(f"{name} must be 2-D [pre, post], got shape {matrix.shape}")
        shape = matrix.shape
    if shape[0] != pre_alive.shape[0] or shape[1] != post_alive.shape[0]:
        raise ValueError(
            f"{name} has shape {shape}, expected ({pre_alive.shape[0]}, {post_alive.shape[0]}) [pre, post]"
        )
    if scipy.sparse.issparse(matrix):
        exists = (matrix != 0).astype(np.int64)
        degree = np.asarray(exists @ post_alive.astype(np.int64)).ravel()
    else:
        degree = ((matrix != 0) & post_alive[None, :]).sum(axis=1)
    return np.where(pre_alive, degree, 0).astype(float)


def _spikes(counts, n, name):
    array = as_finite_array(counts, name, ndim=(1, 2))
    if array.shape[-1] != n:
        raise ValueError(f"{name} has {array.shape[-1]} neurons, expected {n}")
    if np.any(array < 0):
        raise ValueError(f"{name} must be non-negative")
    return array


def _dot(spikes, degree):
    value = spikes @ degree
    return float(value) if np.ndim(value) == 0 else value


def synaptic_operations(
    spike_counts,
    adjacency,
    alive=None,
    *,
    input_spike_counts=None,
    input_adjacency=None,
    readout_adjacency=None,
    n_readout=None,
):
    """Synaptic operations of a (possibly pruned) network.

    ``recurrent = sum_i s_i * #{j : A_ij != 0, alive_i, alive_j}``;
    ``input = sum_c s^in_c * #{j : A^in_cj != 0, alive_j}``;
    ``readout = sum_i s_i * #{o : A^out_io != 0}`` over alive ``i`` (or
    ``n_readout`` synapses per alive neuron for a dense readout).

    Parameters
    ----------
    spike_counts : array_like, shape (n_neurons,) or (n_samples, n_neurons)
        Spikes of each recurrent neuron over the run (per sample for 2-D).
    adjacency : array_like or scipy.sparse matrix, shape (n_neurons, n_neurons)
        Recurrent weights or a boolean adjacency, ``[pre, post]``.
    alive : array_like of bool (n_neurons,) or int indices, optional
        Surviving recurrent neurons (default: all). Spikes of dead neurons
        and synapses onto dead neurons are not counted.
    input_spike_counts : array_like, shape (n_input,) or (n_samples, n_input), optional
        Spikes of the input (encoder) neurons; needs ``input_adjacency``.
    input_adjacency : array_like or sparse, shape (n_input, n_neurons), optional
    readout_adjacency : array_like or sparse, shape (n_neurons, n_outputs), optional
        Spike-driven readout synapses.
    n_readout : int, optional
        Dense readout: every alive neuron drives ``n_readout`` outputs.

    Returns
    -------
    SynapticOperations
        ``recurrent``, ``input``, ``readout`` and ``total``.

    Examples
    --------
    >>> adjacency = np.array([[0, 1, 1], [0, 0, 1], [1, 0, 0]])
    >>> sops = synaptic_operations([2, 3, 5], adjacency, alive=[True, True, False])
    >>> sops.recurrent   # neuron 0: 2 spikes x 1 synapse, neuron 1: 3 x 0
    2.0
    """
    adjacency_shape = adjacency.shape if scipy.sparse.issparse(adjacency) else np.shape(adjacency)
    if len(adjacency_shape) != 2 or adjacency_shape[0] != adjacency_shape[1]:
        raise ValueError(f"adjacency must be square (n_neurons, n_neurons), got shape {adjacency_shape}")
    n_neurons = adjacency_shape[0]
    spikes = _spikes(spike_counts, n_neurons, "spike_counts")
    alive_mask = _mask(alive, n_neurons, "alive")
    recurrent = _dot(spikes, _out_degree(adjacency, alive_mask, alive_mask, "adjacency"))

    zero = 0.0 if spikes.ndim == 1 else np.zeros(spikes.shape[0])
    if (input_spike_counts is None) != (input_adjacency is None):
        raise ValueError("input_spike_counts and input_adjacency must be given together")
    if input_adjacency is not None:
        input_shape = (
            input_adjacency.shape if scipy.sparse.issparse(input_adjacency) else np.shape(input_adjacency)
        )
        input_spikes = _spikes(input_spike_counts, input_shape[0], "input_spike_counts")
        input_alive = np.ones(input_shape[0], dtype=bool)
        input_ops = _dot(input_spikes, _out_degree(input_adjacency, input_alive, alive_mask, "input_adjacency"))
    else:
        input_ops = zero

    if readout_adjacency is not None and n_readout is not None:
        raise ValueError("give readout_adjacency or n_readout, not both")
    if readout_adjacency is not None:
        readout_shape = (
            readout_adjacency.shape if scipy.sparse.issparse(readout_adjacency) else np.shape(readout_adjacency)
        )
        outputs_alive = np.ones(readout_shape[1], dtype=bool)
        readout = _dot(spikes, _out_degree(readout_adjacency, alive_mask, outputs_alive, "readout_adjacency"))
    elif n_readout is not None:
        if int(n_readout) != n_readout or n_readout < 0:
            raise ValueError(f"n_readout must be a non-negative integer, got {n_readout!r}")
        readout = _dot(spikes, alive_mask.astype(float) * n_readout)
    else:
        readout = zero
    return SynapticOperations(recurrent=recurrent, input=input_ops, readout=readout)


def energy(sops, joules_per_op=JOULES_PER_SOP):
    """Energy in joules of ``sops`` synaptic operations.

    Parameters
    ----------
    sops : float, array_like or SynapticOperations
        A count (its ``total`` for a :class:`SynapticOperations`).
    joules_per_op : float, default 0.9e-12
        Energy per operation (use :data:`JOULES_PER_MAC` = 4.6e-12 for ANN MACs).

    Examples
    --------
    >>> energy(1e6)
    9e-07
    """
    count = getattr(sops, "total", sops)
    value = np.asarray(count, dtype=float) * joules_per_op
    return float(value) if value.ndim == 0 else value


def sop_ratio(unpruned, pruned):
    """``SOPs(unpruned) / SOPs(pruned)`` (numbers or :class:`SynapticOperations`).

    Examples
    --------
    >>> sop_ratio(1000.0, 250.0)
    4.0
    """
    numerator = float(getattr(unpruned, "total", unpruned))
    denominator = float(getattr(pruned, "total", pruned))
    if denominator <= 0:
        raise ValueError("the pruned network performs no synaptic operations: SOP ratio undefined")
    return numerator / denominator
