"""Betweenness centrality of hetnet.graph against networkx, and its sampling error."""
import random

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from hetnet.graph import betweenness_centrality
from hetnet.pruning.networks import grid_network


def as_array(graph, values):
    return np.array([values[node] for node in range(graph.number_of_nodes())])


def adjacency(graph):
    return nx.to_scipy_sparse_array(graph, nodelist=range(graph.number_of_nodes()))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("normalized", [True, False])
def test_exact_betweenness_equals_networkx(seed, normalized):
    graph = nx.gnp_random_graph(60, 0.06, seed=seed, directed=True)  # sparse: several components
    graph.add_nodes_from([60, 61])  # isolated neurons
    expected = as_array(graph, nx.betweenness_centrality(graph, normalized=normalized))
    np.testing.assert_allclose(betweenness_centrality(adjacency(graph), normalized=normalized), expected,
                               rtol=1e-10, atol=1e-12)


def test_grid_network_betweenness_equals_networkx():
    network = grid_network(150, mean_degree=8, seed=3)
    graph = nx.from_scipy_sparse_array(network.weights_mV, create_using=nx.DiGraph)
    expected = as_array(graph, nx.betweenness_centrality(graph))
    np.testing.assert_allclose(betweenness_centrality(network.weights_mV), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("normalized", [True, False])
def test_sampled_sources_reproduce_networkx_k_sampling(normalized):
    graph = nx.gnp_random_graph(80, 0.08, seed=5, directed=True)
    k, seed = 20, 11
    sources = random.Random(seed).sample(list(graph.nodes()), k)  # what networkx draws for seed=11
    expected = as_array(graph, nx.betweenness_centrality(graph, k=k, seed=seed, normalized=normalized))
    np.testing.assert_allclose(betweenness_centrality(adjacency(graph), sources=sources, normalized=normalized),
                               expected, rtol=1e-10, atol=1e-12)


def test_sampling_error_against_exact_values():
    """Measured sampling error on a 300-neuron grid network (numbers in docs/notes/issue-6.md)."""
    network = grid_network(300, mean_degree=20, seed=0)
    exact = betweenness_centrality(network.weights_mV)
    errors, correlations, overlaps = {}, {}, {}
    for k in (30, 100):
        relative, rank, overlap = [], [], []
        for seed in range(5):
            estimate = betweenness_centrality(network.weights_mV, n_sources=k, seed=seed)
            relative.append(np.abs(estimate - exact).mean() / exact.mean())
            rank.append(stats.spearmanr(estimate, exact).statistic)
            lowest_exact = set(np.argsort(exact)[:30])
            overlap.append(len(lowest_exact & set(np.argsort(estimate)[:30])) / 30)
        errors[k], correlations[k], overlaps[k] = np.mean(relative), np.mean(rank), np.mean(overlap)
    assert errors[100] < errors[30]
    assert errors[100] < 0.2 and correlations[100] > 0.9
    assert overlaps[100] > 0.6  # the 10 % lowest neurons (what step II removes) are mostly found
