"""The paper's MLP readout and its choice of the most central neurons (hetnet.readout.mlp)."""

import numpy as np
import pytest
from scipy import sparse

from hetnet.graph import betweenness_centrality
from hetnet.readout import MLPReadout, top_betweenness_neurons


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
