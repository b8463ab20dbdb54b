"""Activity of pruned networks: measured synaptic operations and rate homeostasis.

Two jobs, both plain numpy (the simulator is reached only through a callable
the caller hands in, so this module never imports Brian2):

* **Measured SOPs** (:ref:`science-energy`): a synaptic
  operation is one spike arriving at one surviving synapse.
  :func:`measured_sops` counts, from the spike counts of a simulated run,

  - ``recurrent_sops = sum_i spikes_i * out_degree_i`` over the recurrent
    synapses whose pre and post neurons both survive;
  - ``input_sops = sum_c input_spikes_c * #{surviving targets of c}`` for a
    spiking input; a current input has no input spikes, so ``input_sops``
    is 0 and ``input_current_macs = steps * input synapses`` (one
    multiply-accumulate per input synapse per stimulus step) is reported
    beside it;
  - ``readout_sops = sum_i spikes_i * n_outputs`` (dense spike-driven
    readout, every surviving neuron feeds every output).

  :class:`SpikeProbe` runs a (pruned) network, frozen, on a fixed probe
  stimulus through an injected ``simulate`` and returns these counts with
  the mean firing rate: the driver calls it at its checkpoints.
* **Rate homeostasis**: :func:`restore_input_totals` rescales each neuron's
  incoming excitatory and inhibitory weights so their totals match targets
  (the unpruned network's, from :func:`input_totals`), which keeps the
  mean input, and so the firing rate, of the spiking network after a
  pruning step.

Examples
--------
>>> import numpy as np
>>> from hetnet.pruning.activity import measured_sops
>>> weights = np.array([[0, 1.0, 1.0], [0, 0, 0], [-2.0, 0, 0]])    # [pre, post]
>>> counts = measured_sops([4, 7, 1], weights, duration_s=2.0, n_outputs=3)
>>> counts["recurrent_sops"], counts["readout_sops"], counts["mean_rate_hz"]
(9.0, 36.0, 2.0)
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import scipy.sparse as sparse

from hetnet.graph import as_sparse_weights

__all__ = ["measured_sops", "measure_run", "SpikeProbe", "input_totals", "restore_input_totals", "SOP_ENERGY_PJ"]

logger = logging.getLogger(__name__)

#: energy per synaptic operation, in pJ (:ref:`science-energy`)
SOP_ENERGY_PJ = 0.9


def measured_sops(spike_counts, weights, *, duration_s: float, input_spike_counts=None, input_weights=None,
                  n_outputs: int = 1, n_steps: Optional[int] = None, alive=None) -> dict:
    """Synaptic operations of one simulated run, counted from its spikes.

    Parameters
    ----------
    spike_counts : array_like, shape (n_neurons,)
        Spikes of each recurrent neuron over the run.
    weights : array_like or sparse, shape (n_neurons, n_neurons)
        Recurrent weights ``[pre, post]`` (only the non-zero pattern counts).
    duration_s : float
        Length of the run (for rates and per-second numbers), > 0.
    input_spike_counts : array_like, shape (n_input,), optional
        Spikes of the input neurons (spiking input); ``None`` for a current input.
    input_weights : array_like or sparse, shape (n_input, n_neurons), optional
        Input synapses ``[channel, neuron]``.
    n_outputs : int
        Readout outputs (each surviving neuron drives each one).
    n_steps : int, optional
        Stimulus steps of the run (for ``input_current_macs`` of a current input).
    alive : array_like of bool, optional
        Surviving neurons (default all).

    Returns
    -------
    dict
        ``recurrent_sops``, ``input_sops``, ``readout_sops``, ``total_sops``
        (counts over the run), the same per second (``*_per_s``),
        ``energy_pJ`` (0.9 pJ x total), ``input_current_macs`` (current
        input only, else 0), ``mean_rate_hz``, ``spikes``, ``duration_s``.

    Examples
    --------
    Two neurons, 0 -> 1 and 1 -> 0 and 0 -> 0 is not a synapse; input channel
    0 projects to both neurons:

    >>> out = measured_sops([3, 1], [[0, 1], [1, 0]], duration_s=1.0, input_spike_counts=[5],
    ...                     input_weights=[[1, 1]], n_outputs=2)
    >>> out["recurrent_sops"], out["input_sops"], out["readout_sops"], out["total_sops"]
    (4.0, 10.0, 8.0, 22.0)
    """
    from hetnet.analysis import synaptic_operations

    if not duration_s > 0:
        raise ValueError(f"duration_s must be > 0; got {duration_s!r}")
    matrix = as_sparse_weights(weights)
    counts = np.asarray(spike_counts, dtype=float)
    if counts.shape != (matrix.shape[0],):
        raise ValueError(f"spike_counts must have shape ({matrix.shape[0]},); got {counts.shape}")
    pattern = sparse.csr_array((np.ones(matrix.nnz), matrix.indices, matrix.indptr), shape=matrix.shape)
    pattern.eliminate_zeros()
    spiking_input = input_spike_counts is not None
    input_pattern = None
    if input_weights is not None:
        input_pattern = sparse.csr_array(_as_csr(input_weights) != 0).astype(float)
    operations = synaptic_operations(
        counts, pattern, alive,
        input_spike_counts=np.asarray(input_spike_counts, float) if spiking_input and input_pattern is not None else None,
        input_adjacency=input_pattern if spiking_input and input_pattern is not None else None,
        n_readout=int(n_outputs) if n_outputs else None,
    )
    recurrent = float(operations.recurrent)
    input_ops = float(operations.input)
    readout = float(operations.readout)
    macs = 0.0
    if not spiking_input and input_pattern is not None and n_steps is not None:
        macs = float(input_pattern.nnz) * int(n_steps)
    total = recurrent + input_ops + readout
    return {
        "recurrent_sops": recurrent, "input_sops": input_ops, "readout_sops": readout, "total_sops": total,
        "recurrent_sops_per_s": recurrent / duration_s, "input_sops_per_s": input_ops / duration_s,
        "readout_sops_per_s": readout / duration_s, "total_sops_per_s": total / duration_s,
        "energy_pJ": SOP_ENERGY_PJ * total, "input_current_macs": macs,
        "mean_rate_hz": float(counts.sum() / max(counts.size, 1) / duration_s),
        "spikes": float(counts.sum()), "duration_s": float(duration_s),
    }


def _as_csr(matrix) -> sparse.csr_array:
    """Any 2-D array or sparse matrix as a float CSR array (rectangular allowed)."""
    if sparse.issparse(matrix):
        return sparse.csr_array(matrix, dtype=float)
    return sparse.csr_array(np.atleast_2d(np.asarray(matrix, dtype=float)))


def input_totals(weights, is_excitatory) -> tuple:
    """Each neuron's total excitatory and total inhibitory input, ``sum |w|`` over its incoming synapses.

    Parameters
    ----------
    weights : array_like or sparse, shape (n, n)
        ``[pre, post]`` signed weights.
    is_excitatory : array_like of bool, shape (n,)
        Type of each (pre) neuron.

    Returns
    -------
    (ndarray, ndarray)
        ``excitatory_mV``, ``inhibitory_mV``, shape (n,) each.

    Examples
    --------
    >>> e, i = input_totals([[0, 2.0], [-1.0, 0]], [True, False])
    >>> e.tolist(), i.tolist()
    ([0.0, 2.0], [1.0, 0.0])
    """
    matrix = as_sparse_weights(weights).tocoo()
    excitatory = np.asarray(is_excitatory, dtype=bool)
    n = matrix.shape[0]
    from_e = excitatory[matrix.row]
    magnitude = np.abs(matrix.data)
    return (np.bincount(matrix.col[from_e], weights=magnitude[from_e], minlength=n),
            np.bincount(matrix.col[~from_e], weights=magnitude[~from_e], minlength=n))


def restore_input_totals(weights, is_excitatory, target_excitatory_mV, target_inhibitory_mV, *,
                         max_gain: float = 4.0):
    """Rescale each neuron's incoming weights so its E and I input totals meet the targets.

    Neuron ``j``'s excitatory inputs are multiplied by
    ``clip(target_E_j / total_E_j, 1 / max_gain, max_gain)``, its inhibitory
    inputs likewise (a neuron without inputs of one sign keeps none). Signs
    and the synapse pattern are unchanged, so Dale's law holds.

    Parameters
    ----------
    weights : array_like or sparse, shape (n, n)
        ``[pre, post]`` signed weights.
    is_excitatory : array_like of bool, shape (n,)
    target_excitatory_mV, target_inhibitory_mV : array_like, shape (n,)
        Totals to restore (see :func:`input_totals`).
    max_gain : float
        Largest factor applied to one neuron's inputs of one sign (>= 1).

    Returns
    -------
    (scipy.sparse.csr_array, ndarray, ndarray)
        The rescaled weights and the excitatory and inhibitory gains per neuron.

    Examples
    --------
    >>> w, gain_e, gain_i = restore_input_totals([[0, 1.0], [-1.0, 0]], [True, False], [0, 3.0], [2.0, 0])
    >>> w.toarray().tolist(), gain_e.tolist(), gain_i.tolist()
    ([[0.0, 3.0], [-2.0, 0.0]], [1.0, 3.0], [2.0, 1.0])
    """
    if not max_gain >= 1:
        raise ValueError(f"max_gain must be >= 1; got {max_gain!r}")
    matrix = as_sparse_weights(weights).tocoo()
    excitatory = np.asarray(is_excitatory, dtype=bool)
    n = matrix.shape[0]
    total_e, total_i = input_totals(matrix, excitatory)
    gains = []
    for target, total in ((target_excitatory_mV, total_e), (target_inhibitory_mV, total_i)):
        target = np.asarray(target, dtype=float)
        if target.shape != (n,):
            raise ValueError(f"targets must have shape ({n},); got {target.shape}")
        gain = np.ones(n)
        has = total > 0
        gain[has] = np.clip(target[has] / total[has], 1.0 / max_gain, max_gain)
        gains.append(gain)
    from_e = excitatory[matrix.row]
    factor = np.where(from_e, gains[0][matrix.col], gains[1][matrix.col])
    out = sparse.csr_array((matrix.data * factor, (matrix.row, matrix.col)), shape=matrix.shape)
    out.sort_indices()
    return out, gains[0], gains[1]


@dataclass
class SpikeProbe:
    """Measure a (pruned) network's firing and SOPs on a fixed probe stimulus.

    Calling the probe with a :class:`hetnet.pruning.PrunedNetwork` builds its
    :class:`hetnet.network.NetworkInstance` from ``original``
    (``PrunedNetwork.to_network_instance``), runs it frozen (no STDP) on
    ``stimulus`` and returns :func:`measured_sops` of that run, plus
    ``seconds`` (wall time of the probe).

    Attributes
    ----------
    original : hetnet.network.NetworkInstance
        The unpruned network the pruned ones index into (input synapses and
        neuron parameters other than ``tau_m`` come from it).
    stimulus : object
        A stimulus for ``simulate`` (e.g. :func:`hetnet.encoding.encode_series` output).
    n_outputs : int
        Readout outputs for the readout SOPs (e.g. the series' dimensions).
    simulate : callable, optional
        ``simulate(instance, stimulus, plastic=False) -> SimulationResult``;
        default :func:`hetnet.network.simulate` (imported when first called).

    Examples
    --------
    With a fake simulator (every neuron spikes twice in 0.5 s):

    >>> from types import SimpleNamespace
    >>> from hetnet.pruning import grid_network
    >>> net = grid_network(8, mean_degree=3, seed=0)
    >>> class Original:
    ...     n_input = 1
    ...     def pruned(self, keep, recurrent_weights_mV=None):
    ...         return SimpleNamespace(with_neuron_parameters=lambda **k: SimpleNamespace(
    ...             n_neurons=len(keep), recurrent_weights_mV=lambda: recurrent_weights_mV,
    ...             input_weights_mV=lambda: np.zeros((1, len(keep))), input_kind="current"))
    >>> fake = lambda instance, stimulus, plastic=False: SimpleNamespace(
    ...     total_spike_counts=lambda: np.full(instance.n_neurons, 2.0), duration_ms=500.0, n_steps=25)
    >>> probe = SpikeProbe(Original(), stimulus=None, n_outputs=1, simulate=fake)
    >>> result = probe(net)
    >>> result["mean_rate_hz"], result["recurrent_sops"] == 2.0 * net.n_synapses
    (4.0, True)
    """

    original: object
    stimulus: object
    n_outputs: int = 1
    simulate: Optional[Callable] = None

    def __call__(self, network) -> dict:
        clock = time.perf_counter()
        simulate = self.simulate
        if simulate is None:
            from hetnet.network import simulate
        instance = network.to_network_instance(self.original)
        return self.measure_instance(instance, simulate, clock)

    def measure_instance(self, instance, simulate=None, clock=None) -> dict:
        """Measure a :class:`hetnet.network.NetworkInstance` directly (unpruned or AP networks)."""
        clock = time.perf_counter() if clock is None else clock
        if simulate is None:
            simulate = self.simulate
            if simulate is None:
                from hetnet.network import simulate
        result = simulate(instance, self.stimulus, plastic=False)
        return measure_run(result, instance, n_outputs=self.n_outputs) | {"seconds": time.perf_counter() - clock}


def measure_run(result, instance, *, n_outputs: int = 1) -> dict:
    """:func:`measured_sops` of a finished run ``result`` of the network ``instance``.

    ``result`` needs ``total_spike_counts()``, ``duration_ms`` and
    ``n_steps``; input spikes are counted when the network's input is
    spiking and the run recorded them (``input_spike_indices``).
    """
    spiking_input = getattr(instance, "input_kind", "spikes") == "spikes"
    input_counts = None
    if spiking_input and getattr(result, "input_spike_indices", None) is not None:
        input_counts = np.bincount(np.asarray(result.input_spike_indices, dtype=np.int64),
                                   minlength=int(instance.n_input))
    return measured_sops(np.asarray(result.total_spike_counts(), dtype=float), instance.recurrent_weights_mV(),
                         duration_s=float(result.duration_ms) / 1000.0, input_spike_counts=input_counts,
                         input_weights=instance.input_weights_mV(), n_outputs=n_outputs,
                         n_steps=getattr(result, "n_steps", None))
