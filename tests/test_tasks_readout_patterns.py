"""MLP readout, betweenness selection, spike-pattern data and the task table (no simulation)."""

import numpy as np
import pytest
from scipy import sparse

from hetnet.tasks import (
    MLPReadout,
    TASKS,
    format_task_table,
    make_spike_patterns,
    run_task,
    top_betweenness_neurons,
)
from hetnet.config import HRSNNConfig
from hetnet.pruning import betweenness_centrality


def test_betweenness_star_and_path():
    # directed star through hub 0: every leaf i -> 0 -> leaf j path passes the hub
    n = 8
    weights = np.zeros((n, n))
    weights[1:, 0] = 1.0
    weights[0, 1:] = 1.0
    scores = betweenness_centrality(weights)
    assert scores.argmax() == 0 and np.allclose(scores[1:], 0)
    np.testing.assert_array_equal(top_betweenness_neurons(sparse.csr_matrix(weights), 0.1), [0])
    sampled = betweenness_centrality(weights, n_sources=4, seed=1)
    assert sampled.argmax() == 0
    np.testing.assert_array_equal(top_betweenness_neurons(weights, 0.1, exact_limit=4, n_sources=8), [0])


def test_mlp_readout_classification_and_regression():
    rng = np.random.default_rng(0)
    weights = (rng.random((40, 40)) < 0.1).astype(float)
    states = rng.normal(size=(200, 40))
    readout = MLPReadout(weights, fraction=0.25, seed=0)
    assert readout.neurons.size == 10
    labels = (states[:, readout.neurons[0]] > 0).astype(int)
    readout.fit(states[:150], labels[:150])
    assert readout.score(states[150:], labels[150:]) > 0.85
    target = np.tanh(states[:, readout.neurons[0]] + 0.5 * states[:, readout.neurons[1]])[:, None]
    regression = MLPReadout(weights, task="regression", fraction=0.25).fit(states[:150], target[:150])
    assert regression.predict(states[150:]).shape == (50, 1)
    assert regression.score(states[150:], target[150:, 0]) > 0.8
    with pytest.raises(ValueError):
        MLPReadout(weights, task="ranking")


def test_spike_patterns_are_jittered_templates():
    data = make_spike_patterns(n_classes=3, samples_per_class=5, n_channels=30, jitter_ms=2.0, seed=4)
    assert len(data) == 15 and data.labels.tolist() == [0] * 5 + [1] * 5 + [2] * 5
    template_times, template_units = data.metadata["templates"][1]
    sample = data.samples[5]
    assert np.all((sample.times_ms >= 0) & (sample.times_ms < 100))
    # each jittered spike lies near a template spike of the same unit
    for time, unit in zip(sample.times_ms, sample.units):
        assert np.min(np.abs(template_times[template_units == unit] - time)) < 10.0
    same = make_spike_patterns(n_classes=3, samples_per_class=5, n_channels=30, jitter_ms=2.0, seed=4)
    np.testing.assert_array_equal(same.samples[7].times_ms, data.samples[7].times_ms)
    with pytest.raises(ValueError):
        make_spike_patterns(n_classes=1)


def test_task_table_and_registry_errors():
    assert set(TASKS) == {"lorenz63", "rossler", "lorenz96", "mackey-glass", "sunspots", "santafe-laser",
                          "digits", "spike-patterns", "shd"}
    table = format_task_table({"digits": {"HoNHoS": {"accuracy": 0.5}, "HeNHeS": {"accuracy": 0.75}}})
    lines = table.splitlines()
    assert lines[0].split() == ["task", "variant", "accuracy"]
    assert lines[2].split() == ["digits", "HeNHeS", "0.7500"]
    single = format_task_table({"HeNHeS": {"nrmse": 0.25, "vpt_lyapunov_times": None}})
    assert "0.2500" in single and "-" in single
    config = HRSNNConfig(n_neurons=20)
    with pytest.raises(ValueError, match="--data"):
        run_task("shd", config)
    with pytest.raises(KeyError, match="unknown task"):
        run_task("cifar-1000", config)
