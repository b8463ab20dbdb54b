"""Network objectives on a tiny HRSNN (runtime backend, numpy target)."""
import pickle

import numpy as np
import pytest

pytest.importorskip("brian2")

from hetnet.bo.engine import evaluate_candidate
from hetnet.bo.objectives import make_objective
from hetnet.bo.space import network_search_space
from hetnet.config import HRSNNConfig

TINY = {"n_steps": 80, "train_steps": 20, "k_max": 5, "washout": 5, "lyapunov_steps": 200}


def test_space_maps_candidates_to_configurations():
    base = HRSNNConfig(n_neurons=50)
    space = network_search_space(base)
    point = space.default_point()
    point[space.names.index("connectivity.c_scale")] = 0.5
    point[space.names.index("excitatory.tau_m_ms.shape")] = 7.0
    config = space.to_config(point)
    assert config.n_neurons == 50
    assert config.connectivity.c_ee == pytest.approx(0.5 * base.connectivity.c_ee)
    assert config.connectivity.c_ii == pytest.approx(0.5 * base.connectivity.c_ii)
    assert config.excitatory.tau_m_ms.shape == 7.0 and config.excitatory.tau_m_ms.mean == 20.0
    assert config.excitatory.v_th_mV.low == pytest.approx(-55.0)
    assert len(space.distributions(point)) == len(space.parameters) == 12
    rng = np.random.default_rng(0)
    from skopt.space import Space
    for candidate in Space(space.dimensions).rvs(20, random_state=rng.integers(1000)):
        space.to_config(candidate)   # every candidate in the bounds is a valid configuration


def test_efficiency_objective_on_tiny_network_records_every_metric():
    base = HRSNNConfig(n_neurons=50)
    objective, space = make_objective("efficiency", base_config=base, options=TINY)
    objective = pickle.loads(pickle.dumps(objective))   # shipped to process-pool / Dask workers
    record = evaluate_candidate(objective, space.default_point(), seed=4, index=0)
    assert record["status"] == "ok", record.get("error")
    metrics = record["metrics"]
    for name in ("memory_capacity", "spikes_per_neuron", "efficiency", "max_lyapunov_per_s", "mean_rate_hz"):
        assert np.isfinite(metrics[name])
    assert 0 <= metrics["memory_capacity"] <= 50
    expected = metrics["memory_capacity"] / metrics["spikes_per_neuron"] if metrics["spikes_per_neuron"] else 0.0
    assert record["objective"] == pytest.approx(expected)
    assert record["provenance"]["seed"] == 4
    # where the time went: two runtime simulations (nothing compiled), inside the whole measurement
    assert metrics["compile_s"] == 0.0 and metrics["project_s"] == 0.0
    assert 0 < metrics["simulate_s"] <= metrics["simulation_wall_s"]


@pytest.mark.standalone
def test_fixed_structure_reuses_the_compiled_binaries(tmp_path, monkeypatch):
    """Distribution-only search on cpp_standalone: compile for the first candidate, re-run after."""
    monkeypatch.setenv("HETNET_CACHE", str(tmp_path))
    base = HRSNNConfig(n_neurons=60, backend="cpp_standalone", seed=3)
    objective, space = make_objective("efficiency", base_config=base,
                                      options={**TINY, "lyapunov_steps": 0, "fixed_structure": True,
                                               "search_architecture": False})
    assert "connectivity.c_scale" not in space.names
    first_point = space.default_point()
    second_point = list(first_point)
    second_point[space.names.index("excitatory.tau_m_ms.mean")] = 35.0
    first = evaluate_candidate(objective, first_point, seed=1, index=0)
    second = evaluate_candidate(objective, second_point, seed=2, index=1)
    assert first["status"] == second["status"] == "ok", (first.get("error"), second.get("error"))
    assert first["metrics"]["structure_key"] == second["metrics"]["structure_key"]
    assert first["metrics"]["compiled"] is True and second["metrics"]["compiled"] is False
    assert first["metrics"]["spikes_per_neuron"] != second["metrics"]["spikes_per_neuron"]
