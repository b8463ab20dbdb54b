"""Synaptic operations on a small hand-computed graph with pruned neurons and
synapses; energy and SOP ratio."""

import numpy as np
import pytest
import scipy.sparse

from hetnet.analysis import JOULES_PER_SOP, energy, sop_ratio, synaptic_operations

# [pre, post]: 0->1, 0->2, 1->2, 1->3, 2->3, 3->0 (weights, one inhibitory)
RECURRENT = np.array(
    [
        [0.0, 0.5, 0.2, 0.0],
        [0.0, 0.0, 0.3, 0.7],
        [0.0, 0.0, 0.0, -0.4],
        [0.1, 0.0, 0.0, 0.0],
    ]
)
COUNTS = np.array([5.0, 3.0, 2.0, 7.0])
# input channels: c0 -> {0, 2}; c1 -> {1, 2, 3}
INPUT = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 1.0]])
INPUT_COUNTS = np.array([10.0, 4.0])
# readout [neuron, output]
READOUT = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]])


def test_unpruned_network_by_hand():
    sops = synaptic_operations(COUNTS, RECURRENT, input_spike_counts=INPUT_COUNTS,
                               input_adjacency=INPUT, readout_adjacency=READOUT)
    assert sops.recurrent == 5 * 2 + 3 * 2 + 2 * 1 + 7 * 1  # 25
    assert sops.input == 10 * 2 + 4 * 3  # 32
    assert sops.readout == 5 * 1 + 3 * 2 + 2 * 1  # 13
    assert sops.total == 70
    assert energy(sops) == pytest.approx(70 * 0.9e-12)
    assert JOULES_PER_SOP == 0.9e-12


def pruned_weights():
    weights = RECURRENT.copy()
    weights[1, 3] = 0.0  # pruned synapse 1 -> 3
    return weights


def test_pruned_neuron_and_synapse_by_hand():
    alive = np.array([True, True, False, True])  # neuron 2 removed
    # neuron 0: 0->1 counts, 0->2 has a dead post neuron -> 5 x 1
    # neuron 1: 1->2 dead post, 1->3 pruned -> 0
    # neuron 2: dead (its 2 spikes do not count)
    # neuron 3: 3->0 -> 7 x 1
    sops = synaptic_operations(COUNTS, pruned_weights(), alive=alive, input_spike_counts=INPUT_COUNTS,
                               input_adjacency=INPUT, readout_adjacency=READOUT)
    assert sops.recurrent == 12
    assert sops.input == 10 * 1 + 4 * 2  # synapses onto neuron 2 do not count
    assert sops.readout == 5 * 1 + 3 * 2  # dead neuron 2 drives nothing
    unpruned = synaptic_operations(COUNTS, RECURRENT, input_spike_counts=INPUT_COUNTS,
                                   input_adjacency=INPUT, readout_adjacency=READOUT)
    assert sop_ratio(unpruned, sops) == pytest.approx(70 / (12 + 18 + 11))
    assert sop_ratio(25.0, 12.0) == pytest.approx(25 / 12)


def test_sparse_matrices_index_masks_and_dense_readout():
    alive_indices = np.array([0, 1, 3])
    sops = synaptic_operations(COUNTS, scipy.sparse.csr_matrix(pruned_weights()), alive=alive_indices,
                               input_spike_counts=INPUT_COUNTS, input_adjacency=scipy.sparse.coo_array(INPUT),
                               n_readout=2)
    assert (sops.recurrent, sops.input, sops.readout) == (12, 18, (5 + 3 + 7) * 2)
    # explicit zeros stored in a sparse matrix are pruned synapses, not synapses
    stored_zero = scipy.sparse.csr_matrix(RECURRENT)
    stored_zero.data[stored_zero.indices == 3] = 0.0  # 1->3 and 2->3 zeroed but still stored
    assert synaptic_operations(COUNTS, stored_zero).recurrent == 25 - 3 - 2


def test_per_sample_counts():
    counts = np.vstack([COUNTS, 2 * COUNTS])
    sops = synaptic_operations(counts, RECURRENT, n_readout=1)
    np.testing.assert_allclose(sops.recurrent, [25, 50])
    np.testing.assert_allclose(sops.readout, [17, 34])
    np.testing.assert_allclose(energy(sops), np.array([42, 84]) * 0.9e-12)


def test_energy_and_errors():
    assert energy(1e6, joules_per_op=4.6e-12) == pytest.approx(4.6e-6)
    with pytest.raises(ValueError, match="square"):
        synaptic_operations(COUNTS, INPUT)
    with pytest.raises(ValueError, match="neurons"):
        synaptic_operations(COUNTS[:3], RECURRENT)
    with pytest.raises(ValueError, match="together"):
        synaptic_operations(COUNTS, RECURRENT, input_adjacency=INPUT)
    with pytest.raises(ValueError, match="alive"):
        synaptic_operations(COUNTS, RECURRENT, alive=np.array([True, False]))
    with pytest.raises(ValueError, match="undefined"):
        sop_ratio(10.0, 0.0)
