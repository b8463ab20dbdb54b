"""LNP step II: node pruning by betweenness (hetnet.pruning.nodes; betweenness itself: test_graph.py)."""
import numpy as np

from hetnet.pruning.networks import grid_network
from hetnet.pruning.nodes import prune_nodes


def test_prune_nodes_removes_lowest_betweenness():
    path = np.diag(np.ones(5), 1)  # 0 -> 1 -> ... -> 5: endpoints have betweenness 0
    result = prune_nodes(path, fraction=2 / 6, seed=0)
    assert result.removed.tolist() == [0, 5]
    assert result.weights.shape == (4, 4) and result.weights.nnz == 3
    network = grid_network(120, mean_degree=10, seed=1)
    result = prune_nodes(network.weights_mV, fraction=0.1, seed=0)
    assert result.removed.size == 12
    assert result.betweenness[result.removed].max() <= result.betweenness[result.surviving].min()
    threshold = prune_nodes(network.weights_mV, fraction=None, threshold=np.median(result.betweenness), seed=0)
    assert np.all(threshold.betweenness[threshold.removed] < np.median(result.betweenness))
    assert prune_nodes(path, fraction=1.0, min_neurons=3).surviving.size == 3
