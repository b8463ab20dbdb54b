"""NIR export: exact round trip, the file loads in hetnet and in Spyx, Spyx reproduces Brian2's rates."""
import numpy as np
import pytest

nir = pytest.importorskip("nir")

from hetnet.config import HRSNNConfig  # noqa: E402
from hetnet.encoding import encode_series  # noqa: E402
from hetnet.export import from_nir, read_nir, spyx_graph, to_nir, write_nir  # noqa: E402
from hetnet.network import generate_network, simulate  # noqa: E402


@pytest.mark.parametrize("input_kind", ["current", "spikes"])
def test_round_trip_is_exact_for_a_pruned_network(tmp_path, input_kind):
    network = generate_network(HRSNNConfig(n_neurons=40, seed=3, variant="HeNHeS"), n_input=3, input_kind=input_kind)
    pruned = network.pruned(np.arange(0, 40, 2))                                       # every other neuron
    path = write_nir(pruned, tmp_path / "net.nir")
    assert read_nir(path) == pruned                                                    # every array, bit for bit
    graph = nir.read(str(path))
    neurons = graph.nodes["neurons"]
    np.testing.assert_array_equal(neurons.tau, pruned.tau_m_ms)
    np.testing.assert_array_equal(neurons.v_leak, pruned.v_rest_mV + pruned.bias_mV)  # the drive as v_leak
    weights = graph.nodes["w_exc"].weight.T + graph.nodes["w_inh"].weight.T
    np.testing.assert_array_equal(weights, pruned.recurrent_weights_mV().toarray())
    assert (graph.nodes["w_exc"].weight >= 0).all() and (graph.nodes["w_inh"].weight <= 0).all()
    assert ("w_in", "neurons" if input_kind == "current" else "syn_exc") in graph.edges
    np.testing.assert_array_equal(graph.nodes["syn_inh"].tau, 43.0)


def test_edited_weights_read_back_as_edited():
    network = generate_network(HRSNNConfig(n_neurons=30, seed=1), n_input=2, input_kind="current")
    graph = to_nir(network)
    graph.nodes["w_exc"].weight = np.round(graph.nodes["w_exc"].weight * 4) / 4                 # quantised
    graph.nodes["neurons"].v_threshold = graph.nodes["neurons"].v_threshold + 1.0
    back = from_nir(graph)
    excitatory = back.recurrent_weights_mV().toarray()[: back.n_excitatory]
    np.testing.assert_allclose(excitatory, graph.nodes["w_exc"].weight.T[: back.n_excitatory], atol=1e-12)
    np.testing.assert_allclose(back.v_th_mV, network.v_th_mV + 1.0)
    assert back != network


def test_spyx_reads_the_exported_file_and_reproduces_brian2s_rates(tmp_path):
    """Tolerance: mean rate within 15 %, excitatory rate within 10 %, per-neuron rates correlated > 0.9.

    Not zero: Spyx's neuron has one synaptic current (the slow one is kept, excitatory charge preserved),
    no refractory period and a subtractive reset (:func:`hetnet.export.spyx_graph`).
    """
    spyx_nir = pytest.importorskip("spyx.nir")
    jnp = pytest.importorskip("jax.numpy")
    config = HRSNNConfig(n_neurons=100, seed=0)
    stimulus = encode_series(np.sin(np.arange(50) / 3.0), config.input)                # 1 s
    network = generate_network(config, n_input=1, input_kind="current")
    path = tmp_path / "net_spyx.nir"
    nir.write(str(path), spyx_graph(network))
    brian = simulate(network, stimulus, plastic=False)
    steps = int(round(stimulus.step_ms / config.dt_ms))
    inputs = jnp.asarray(np.repeat(stimulus.values, steps, axis=0)[:, None, :], jnp.float32)
    _, spikes = spyx_nir.from_nir(nir.read(str(path)), inputs, dt=config.dt_ms)
    spyx_rates = np.asarray(spikes)[:, 0, :].sum(axis=0) / (stimulus.duration_ms / 1000.0)
    brian_rates = np.bincount(brian.spike_indices, minlength=100) / (stimulus.duration_ms / 1000.0)
    n_e = network.n_excitatory
    assert brian_rates.mean() > 5
    assert abs(spyx_rates.mean() - brian_rates.mean()) <= 0.15 * brian_rates.mean()
    assert abs(spyx_rates[:n_e].mean() - brian_rates[:n_e].mean()) <= 0.10 * brian_rates[:n_e].mean()
    assert np.corrcoef(spyx_rates, brian_rates)[0, 1] > 0.9


def test_cli_export_writes_a_file_hetnet_reads(tmp_path, capsys):
    from hetnet.cli.main import main

    network = generate_network(HRSNNConfig(n_neurons=20, seed=2), n_input=1, input_kind="current")
    saved = network.save(tmp_path / "net.npz")
    assert main(["export", "--format", "nir", str(saved), "-o", str(tmp_path / "net.nir")]) == 0
    assert read_nir(tmp_path / "net.nir") == network and "wrote" in capsys.readouterr().out
    assert main(["export", str(tmp_path / "missing.npz"), "-o", str(tmp_path / "x.nir")]) == 2
