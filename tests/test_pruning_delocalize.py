"""LNP step III: delocalising edges and the Laplacian IPR (hetnet.pruning.delocalize)."""
import itertools

import numpy as np
import pytest

from hetnet.pruning.delocalize import add_delocalizing_edges, laplacian_ipr, local_candidates
from hetnet.graph import degrees
from hetnet.pruning.networks import grid_network


def test_new_edges_are_local_new_and_follow_dale():
    network = grid_network(200, mean_degree=10, seed=0)
    original = network.weights_mV
    excluded = np.zeros(original.shape)
    excluded[3, :] = 1.0  # pretend neuron 3 had every synapse in the original network
    result = add_delocalizing_edges(original, network.positions, 50, is_excitatory=network.is_excitatory,
                                    radius=2.0, excluded=excluded, seed=0)
    assert result.new_pre.size == 50
    assert result.weights.nnz == original.nnz + 50
    distance = np.linalg.norm(network.positions[result.new_pre] - network.positions[result.new_post], axis=1)
    assert np.all(distance <= 2.0 + 1e-12)
    assert np.all(original.toarray()[result.new_pre, result.new_post] == 0)
    assert np.all(result.new_pre != 3)
    signs = np.sign(result.new_weights)
    assert np.all(signs[network.is_excitatory[result.new_pre]] > 0)
    assert np.all(signs[~network.is_excitatory[result.new_pre]] < 0)
    assert result.degree_variance_after > result.degree_variance_before


def test_greedy_beats_random_local_edges_and_is_optimal_for_one_edge():
    network = grid_network(150, mean_degree=8, seed=2)
    weights = network.weights_mV
    pre, post = local_candidates(network.positions, 2.0, exclude=weights)
    result = add_delocalizing_edges(weights, network.positions, 40, is_excitatory=network.is_excitatory,
                                    radius=2.0, seed=0)
    rng = np.random.default_rng(0)
    base = degrees(weights).astype(float)
    random_variances = []
    for _ in range(200):
        pick = rng.choice(pre.size, size=40, replace=False)
        degree = base.copy()
        np.add.at(degree, pre[pick], 1)
        np.add.at(degree, post[pick], 1)
        random_variances.append(degree.var())
    assert result.degree_variance_after > max(random_variances)
    # M = 1: brute force over every candidate
    single = add_delocalizing_edges(weights, network.positions, 1, is_excitatory=network.is_excitatory, radius=2.0)
    best = 0.0
    for a, b in zip(pre, post):
        degree = base.copy()
        degree[a] += 1
        degree[b] += 1
        best = max(best, degree.var())
    assert single.degree_variance_after == pytest.approx(best)


def test_greedy_matches_brute_force_on_a_tiny_graph():
    positions = np.array([[x, y, 0] for x in range(3) for y in range(2)], float)
    weights = np.zeros((6, 6))
    weights[0, 1] = weights[1, 2] = weights[2, 3] = 1.0
    pre, post = local_candidates(positions, 1.0, exclude=weights)
    base = degrees(weights).astype(float)
    best = 0.0
    for pair in itertools.combinations(range(pre.size), 2):
        degree = base.copy()
        for index in pair:
            degree[pre[index]] += 1
            degree[post[index]] += 1
        best = max(best, degree.var())
    result = add_delocalizing_edges(weights, positions, 2, is_excitatory=np.ones(6, bool), radius=1.0, seed=0)
    assert result.degree_variance_after == pytest.approx(best)


def test_laplacian_ipr_of_a_path_graph_is_analytic():
    n = 40
    path = np.diag(np.ones(n - 1), 1)
    mean, values = laplacian_ipr(path, return_all=True)
    # path Laplacian eigenvectors v_k(i) = cos(pi k (i + 1/2) / n), eigenvalues 2 - 2 cos(pi k / n)
    k, i = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    vectors = np.cos(np.pi * k * (i + 0.5) / n)
    expected = np.sum(vectors**4, axis=1) / np.sum(vectors**2, axis=1) ** 2
    np.testing.assert_allclose(values, expected, rtol=1e-8)
    # closed form: 1/n for k = 0 and k = n/2, 3 / (2n) for every other k
    assert expected[0] == pytest.approx(1 / n) and expected[1] == pytest.approx(3 / (2 * n))
    assert mean == pytest.approx(expected.mean())
    star = np.zeros((n, n))
    star[0, 1:] = 1.0  # a hub localises one eigenvector on itself
    assert laplacian_ipr(star) > mean


def test_ipr_is_reported_before_and_after():
    network = grid_network(100, mean_degree=6, seed=4)
    result = add_delocalizing_edges(network.weights_mV, network.positions, 20, is_excitatory=network.is_excitatory,
                                    radius=2.0, compute_ipr=True, seed=0)
    assert 1 / 100 <= result.ipr_before <= 1 and 1 / 100 <= result.ipr_after <= 1
    assert result.ipr_before == pytest.approx(laplacian_ipr(network.weights_mV))
