"""Saved results load back equal; one JSON policy (NaN as null); tidy CSV; networkx export."""
import json

import networkx as nx
import numpy as np
import pytest

from hetnet.bo.engine import evaluate_candidate
from hetnet.bo.journal import Journal, read_journal
from hetnet.config import HRSNNConfig
from hetnet.encoding import encode_series
from hetnet.io import read_tidy_csv, tidy_rows, values_equal, write_json, write_tidy_csv
from hetnet.network import NetworkInstance, generate_network, simulate
from hetnet.pruning.driver import IterationRecord, PrunedNetwork, PruningHistory
from hetnet.result import SimulationResult


@pytest.fixture(scope="module")
def simulated():
    config = HRSNNConfig(n_neurons=40, seed=5, input={"mode": "poisson"})   # input spikes to save too
    stimulus = encode_series(np.sin(np.arange(30) / 2.0), config.input)
    network = generate_network(config, n_input=stimulus.n_channels)
    return simulate(network, stimulus, plastic=True, record_input=True)


def test_saved_simulation_result_loads_back_equal(simulated, tmp_path):
    assert simulated.spike_indices.size > 0 and simulated.input_spike_indices.size > 0
    path = simulated.save(tmp_path / "run")
    assert path.name == "run.npz"
    loaded = SimulationResult.load(path)
    assert loaded == simulated
    # every part, not only __eq__
    np.testing.assert_array_equal(loaded.spike_times_ms, simulated.spike_times_ms)
    np.testing.assert_array_equal(loaded.input_spike_indices, simulated.input_spike_indices)
    assert loaded.provenance["config"] == simulated.provenance["config"]
    assert loaded.provenance["versions"]["brian2"] == simulated.provenance["versions"]["brian2"]
    # the final network (weights after STDP) with its configuration and STDP arrays
    network = loaded.final_network
    assert isinstance(network, NetworkInstance) and network.config == simulated.final_network.config
    for name, syn in simulated.final_network.synapses.items():
        np.testing.assert_array_equal(network.synapses[name].w, syn.w)
        assert network.synapses[name].plastic == syn.plastic
    # derived quantities agree
    np.testing.assert_array_equal(loaded.state_matrix("filtered"), simulated.state_matrix("filtered"))
    # the loaded network runs again
    rerun = simulate(network, encode_series(np.zeros(5), network.config.input), plastic=False)
    assert rerun.n_neurons == simulated.n_neurons


def test_equality_notices_a_changed_spike_and_weight(simulated, tmp_path):
    loaded = SimulationResult.load(simulated.save(tmp_path / "run.npz"))
    loaded.spike_times_ms = loaded.spike_times_ms.copy()
    loaded.spike_times_ms[0] += 0.1
    assert loaded != simulated
    changed = simulated.final_network.with_weights({"ee": simulated.final_network.synapses["ee"].w + 1e-9})
    assert changed != simulated.final_network


def test_result_without_network_and_input_and_bad_file(tmp_path):
    result = SimulationResult(np.array([1]), np.array([0.5]), n_neurons=2, n_excitatory=1, duration_ms=1.0,
                              step_ms=1.0, provenance={"wall": float("nan")})
    loaded = SimulationResult.load(result.save(tmp_path / "small.npz"))
    assert loaded.final_network is None and loaded.input_spike_indices is None
    assert loaded.provenance == {"wall": None}          # the JSON policy: NaN is stored as null
    np.savez(tmp_path / "other.npz", x=np.zeros(2))
    with pytest.raises(ValueError, match="not a saved SimulationResult"):
        SimulationResult.load(tmp_path / "other.npz")


def test_network_instance_saves_and_loads(tmp_path):
    network = generate_network(HRSNNConfig(n_neurons=60, variant="HoNHeS", seed=2), n_input=6)
    pruned = network.pruned(np.arange(0, 60, 2))
    for instance in (network, pruned):
        loaded = NetworkInstance.load(instance.save(tmp_path / "net.npz"))
        assert loaded == instance
        np.testing.assert_array_equal(loaded.neuron_ids, instance.neuron_ids)
        assert (loaded.recurrent_weights_mV() != instance.recurrent_weights_mV()).nnz == 0


def test_to_networkx_has_signed_mV_weights_populations_and_positions():
    network = generate_network(HRSNNConfig(n_neurons=50, seed=3), n_input=4, input_kind="spikes")
    graph = network.to_networkx()
    assert isinstance(graph, nx.DiGraph) and graph.number_of_nodes() == 50
    assert graph.number_of_edges() == network.n_synapses
    dense = network.recurrent_weights_mV().toarray()
    exported = nx.to_numpy_array(graph, nodelist=range(50), weight="weight")
    np.testing.assert_allclose(exported, dense)
    assert (exported[network.is_excitatory] >= 0).all() and (exported[~network.is_excitatory] <= 0).all()
    for i in (0, 49):
        assert graph.nodes[i]["population"] == ("E" if network.is_excitatory[i] else "I")
        assert graph.nodes[i]["pos"] == tuple(network.positions[i].tolist())
        assert graph.nodes[i]["tau_m_ms"] == network.tau_m_ms[i]
    plastic = {d["pathway"] for *_, d in graph.edges(data=True) if d["plastic"]}
    assert plastic == {"ee", "ei"}
    with_input = network.to_networkx(include_input=True)
    assert with_input.number_of_nodes() == 54
    assert with_input.number_of_edges() == network.n_synapses + network.synapses["input"].n_synapses
    assert all(d["weight"] > 0 for _, _, d in with_input.out_edges("input0", data=True))


def test_one_json_policy_everywhere(tmp_path):
    path = write_json(tmp_path / "a" / "r.json", {"x": float("nan"), "y": [np.float32(1.5), float("-inf")],
                                                  "z": np.int64(3), "p": tmp_path})
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text and '"nan"' not in text
    assert json.loads(text) == {"x": None, "y": [1.5, None], "z": 3, "p": str(tmp_path)}
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["r.json"]      # no temporary file left behind
    # the optimiser's journal lines follow the same policy
    with Journal(tmp_path / "journal.jsonl") as journal:
        journal.append({"type": "evaluation", "index": 0, "metrics": {"mc": float("nan")}})
    assert read_journal(tmp_path / "journal.jsonl")[0]["metrics"] == {"mc": None}
    # and the pruning history's JSON
    network = PrunedNetwork(np.zeros((2, 2)), np.arange(2), np.ones(2), np.zeros((2, 3)), np.array([True, False]))
    history = PruningHistory("ap", [IterationRecord(0, 2, 0, 1, 0.0, float("nan"), 0.1)], network)
    saved = json.loads(history.save_json(tmp_path / "h.json").read_text())
    assert saved["records"][0]["max_lyapunov_per_s"] is None


def test_non_finite_objective_is_a_failed_evaluation():
    record = evaluate_candidate(lambda x, s: {"objective": float("nan"), "metrics": {}}, [0.0], 1, 0)
    assert record["status"] == "failed" and record["objective"] is None and "not finite" in record["error"]


def test_tidy_rows_round_trip_through_csv(tmp_path):
    records = [{"seed": 0, "variant": "HoNHoS", "nrmse": 0.5, "silent": False, "info": {"mc": 2.0}, "name": "x"},
               {"seed": 1, "variant": "HeNHeS", "nrmse": float("inf"), "curve": [1, 2]}]
    rows = tidy_rows(records)
    assert [(r["seed"], r["variant"], r["metric"]) for r in rows] == [
        (0, "HoNHoS", "nrmse"), (0, "HoNHoS", "silent"), (0, "HoNHoS", "info.mc"), (1, "HeNHeS", "nrmse")]
    back = read_tidy_csv(write_tidy_csv(tmp_path / "t.csv", rows))
    assert back[0] == {"seed": 0, "variant": "HoNHoS", "metric": "nrmse", "value": 0.5}
    assert back[1]["value"] == 0.0 and back[3]["value"] is None
    assert (tmp_path / "t.csv").read_text().splitlines()[0] == "seed,variant,metric,value"


def test_values_equal_handles_nan_dtypes_and_nesting():
    assert values_equal({"a": [np.array([1, 2], np.int32)]}, {"a": [np.array([1, 2], np.int64)]})
    assert not values_equal({"a": 1}, {"b": 1})
    assert values_equal(float("nan"), float("nan")) and not values_equal(1.0, 2.0)
