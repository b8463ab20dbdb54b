"""LNP driver, baselines and the hand-over to the simulator (hetnet.pruning)."""
from types import SimpleNamespace

import numpy as np
import pytest

from hetnet.config import HRSNNConfig
from hetnet.pruning import (
    PrunedNetwork,
    activity_pruning,
    grid_network,
    lyapunov_noise_pruning,
    network_from_config,
    random_baseline,
)


def grid_search(objective, dimensions, **options):
    points = [[3.0, mean, 3.0, mean / 2] for mean in (10.0, 30.0)]
    values = [objective(point) for point in points]
    return SimpleNamespace(x=points[int(np.argmin(values))], func_vals=np.array(values))


def test_lnp_records_every_iteration_and_shrinks_the_network():
    start = grid_network(120, mean_degree=15, seed=0)
    seen = []
    history = lyapunov_noise_pruning(start, n_iterations=4, synapse_keep_fraction=0.9, node_prune_fraction=0.05,
                                     new_edge_fraction=0.01, minimize=grid_search, ipr_every=2,
                                     lyapunov_options={"n_steps": 60, "warmup_steps": 20}, callback=seen.append)
    assert [record.iteration for record in history.records] == [0, 1, 2, 3, 4]
    assert len(seen) == 5
    neurons = history.series("n_neurons")
    synapses = history.series("n_synapses")
    assert neurons[0] == 120 and np.all(np.diff(neurons) < 0)
    assert synapses[-1] < 0.8 * synapses[0]
    assert np.all(np.isfinite(history.series("max_lyapunov_per_s")))
    assert np.all(history.series("sops_estimate") == pytest.approx(10.0 * synapses))
    assert history.records[2].extra["ipr_after"] > 0
    assert history.timescales is not None and history.timescales.optimizer == "injected"
    final = history.network
    assert final.n_neurons == neurons[-1] and final.n_synapses == synapses[-1]
    assert np.all(np.diff(final.neuron_indices) > 0)
    # Dale's law survives every step
    rows = np.repeat(np.arange(final.n_neurons), np.diff(final.weights_mV.indptr))
    assert np.all((final.weights_mV.data > 0) == final.is_excitatory[rows])
    summary = history.to_dict()
    assert summary["final"]["n_neurons"] == final.n_neurons and len(summary["records"]) == 5


def test_pruned_network_runs_as_a_network_instance(tmp_path):
    instance, start = network_from_config(HRSNNConfig(n_neurons=80, seed=2), n_input=4)
    history = lyapunov_noise_pruning(instance, n_iterations=2, node_prune_fraction=0.1, optimize_timescales=False,
                                     lyapunov_options={"n_steps": 40, "warmup_steps": 10})
    final = history.network
    pruned = final.to_network_instance(instance)
    assert pruned.n_neurons == final.n_neurons
    np.testing.assert_allclose(pruned.recurrent_weights_mV().toarray(), final.weights_mV.toarray(), atol=1e-12)
    np.testing.assert_allclose(pruned.tau_m_ms, final.tau_m_ms)
    assert np.array_equal(pruned.neuron_ids, final.neuron_indices)
    path = final.save(tmp_path / "network.npz")
    loaded = PrunedNetwork.load(path)
    assert (loaded.weights_mV != final.weights_mV).nnz == 0
    assert np.array_equal(loaded.neuron_indices, final.neuron_indices)


def test_random_baseline_matches_counts():
    start = grid_network(80, mean_degree=10, seed=1)
    lnp = lyapunov_noise_pruning(start, n_iterations=2, optimize_timescales=False,
                                 lyapunov_options={"n_steps": 40, "warmup_steps": 10})
    er = random_baseline(lnp, start, lyapunov_options={"n_steps": 40, "warmup_steps": 10})
    for name in ("n_neurons", "n_synapses", "n_excitatory"):
        assert er.series(name).tolist() == lnp.series(name).tolist()
    assert np.all(np.isfinite(er.series("max_lyapunov_per_s")))
    magnitudes = set(np.round(np.abs(start.weights_mV.data), 12))
    assert set(np.round(np.abs(er.network.weights_mV.data), 12)) <= magnitudes


def test_activity_pruning_removes_the_least_active_neurons():
    instance, _ = network_from_config(HRSNNConfig(n_neurons=50, seed=3), n_input=2)

    def fake_simulate(network, stimulus, plastic=True):
        counts = network.neuron_ids.astype(float)  # the neuron with the lowest original id is least active
        spike_indices = np.repeat(np.arange(network.n_neurons), counts.astype(int))
        return SimpleNamespace(total_spike_counts=lambda: np.bincount(spike_indices, minlength=network.n_neurons),
                               final_network=network, duration_ms=1000.0)

    history = activity_pruning(instance, None, n_iterations=3, prune_fraction=0.1, simulate=fake_simulate,
                               lyapunov_options={"n_steps": 30, "warmup_steps": 10})
    assert history.series("n_neurons").tolist() == [50, 45, 40, 36]
    assert history.network.neuron_indices.min() == 14  # ids 0..13 were the least active
    assert history.instance.n_neurons == 36
    assert history.records[1].sops_estimate > 0


@pytest.mark.slow
def test_activity_pruning_with_the_brian2_simulator():
    from hetnet.encoding import encode_series

    config = HRSNNConfig(n_neurons=40, seed=0)
    stimulus = encode_series(np.sin(np.arange(20) / 3.0), config.input)
    from hetnet.network import generate_network

    instance = generate_network(config, n_input=stimulus.n_channels)
    history = activity_pruning(instance, stimulus, n_iterations=2, prune_fraction=0.1,
                               lyapunov_options={"n_steps": 30, "warmup_steps": 10})
    assert history.series("n_neurons").tolist() == [40, 36, 32]
