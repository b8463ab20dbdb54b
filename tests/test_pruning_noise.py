"""LNP step I: noise pruning of synapses (hetnet.pruning.noise)."""
import numpy as np
import pytest
import scipy.sparse as sparse

from hetnet.pruning.noise import (
    keep_probabilities,
    linearise,
    lyapunov_matrix,
    noise_prune,
    noise_scores,
    rate_covariance,
)


def random_signed_network(n=120, density=0.15, seed=0):
    rng = np.random.default_rng(seed)
    mask = rng.random((n, n)) < density
    np.fill_diagonal(mask, False)
    excitatory = np.arange(n) < int(0.8 * n)
    magnitude = rng.uniform(0.2, 0.8, size=(n, n))
    weights = np.where(excitatory[:, None], 1.5 * magnitude, -4.0 * magnitude) * mask
    tau = rng.gamma(3.0, 20.0 / 3.0, size=n) + 2.0
    exponents = rng.normal(-5.0, 10.0, size=n)  # mixed signs, some near zero
    return weights, 1000.0 / tau, exponents


def symmetric_laplacian_case(n=40, seed=1, epsilon=1e-3):
    """Symmetric positive weights; leak = row sum + epsilon (A = -(Lap + eps I))."""
    rng = np.random.default_rng(seed)
    upper = np.triu((rng.random((n, n)) < 0.25) * rng.uniform(0.5, 2.0, size=(n, n)), 1)
    weights = upper + upper.T
    leak = weights.sum(axis=1) + epsilon
    return weights, leak


def test_expected_kept_edges_equals_target():
    weights, leak, exponents = random_signed_network()
    n_edges = np.count_nonzero(weights)
    for fraction in (0.1, 0.5, 0.9):
        result = noise_prune(weights, leak, per_neuron_exponents_per_s=exponents, keep_fraction=fraction, seed=0)
        assert result.expected_edges == pytest.approx(fraction * n_edges, rel=1e-9)
        assert np.all((result.probabilities >= 0) & (result.probabilities <= 1))
    # the realised count is a sum of Bernoullis: its mean over draws is the target
    target = 0.3 * n_edges
    result = noise_prune(weights, leak, per_neuron_exponents_per_s=exponents, target_edges=target, seed=0)
    counts = [result.resample(seed).weights.nnz for seed in range(200)]
    p = result.probabilities
    assert p.sum() == pytest.approx(target, rel=1e-9)
    standard_error = np.sqrt(np.sum(p * (1 - p))) / np.sqrt(200)
    assert abs(np.mean(counts) - target) < 5 * standard_error


def test_kept_weights_are_divided_by_probability_and_unbiased():
    weights, leak, exponents = random_signed_network(n=60, density=0.3)
    base = noise_prune(weights, leak, per_neuron_exponents_per_s=exponents, keep_fraction=0.4, seed=0)
    kept_values = base.weights.tocsr()
    original = sparse.csr_array(weights)
    pre = np.repeat(np.arange(60), np.diff(original.indptr))
    post = original.indices
    k = np.flatnonzero(base.kept)
    np.testing.assert_allclose(kept_values[pre[k], post[k]], original.data[k] / base.probabilities[k])
    assert np.all(np.sign(kept_values[pre[k], post[k]]) == np.sign(original.data[k]))  # Dale's law kept
    mean = sum(base.resample(seed).weights.toarray() for seed in range(300)) / 300
    # unbiased: average pruned matrix approaches W (total input per neuron within a few %)
    np.testing.assert_allclose(mean.sum(axis=0), weights.sum(axis=0), rtol=0.15, atol=1.0)


def quadratic_ratios(weights, leak, exponents, fraction, n_draws=8, n_vectors=200, seed=0):
    rng = np.random.default_rng(seed)
    ratios = []
    first = noise_prune(weights, leak, per_neuron_exponents_per_s=exponents, keep_fraction=fraction, seed=0)
    for draw in range(n_draws):
        result = first.resample(draw)
        a = result.system.matrix()
        a_tilde = result.pruned_system().matrix()
        x = rng.standard_normal((n_vectors, a.shape[0]))
        ratios.append(np.einsum("ki,ij,kj->k", x, a_tilde, x) / np.einsum("ki,ij,kj->k", x, a, x))
    return np.concatenate(ratios)


def test_quadratic_form_concentrates_and_spread_shrinks_with_kept_fraction():
    weights, leak, exponents = random_signed_network()
    spreads = []
    for fraction in (0.2, 0.5, 0.8):
        ratios = quadratic_ratios(weights, leak, exponents, fraction)
        assert abs(np.mean(ratios) - 1.0) < 0.02
        spreads.append(np.std(ratios))
    assert spreads[0] > spreads[1] > spreads[2] > 0


def test_homeostatic_diagonal_keeps_row_balance():
    weights, leak, exponents = random_signed_network()
    result = noise_prune(weights, leak, per_neuron_exponents_per_s=exponents, keep_fraction=0.5, seed=3)
    before = np.asarray(abs(result.system.coupling).sum(axis=1)).ravel()
    after = np.asarray(abs(result.pruned_system().coupling).sum(axis=1)).ravel()
    # D~ - sum|K~| == D - sum|K| for every neuron (the dominance margin is preserved)
    np.testing.assert_allclose(result.leak_per_s - after, result.system.leak_per_s - before, rtol=1e-10, atol=1e-9)


def test_symmetric_diagonally_dominant_case_is_moore_chaudhuri_effective_resistance():
    """On A = -(Lap + eps I) with L = 1 the scores are w_ij R_ij / 2 (Spielman-Srivastava)."""
    weights, leak = symmetric_laplacian_case()
    n = weights.shape[0]
    system = linearise(weights, leak, gain=1.0)
    covariance = rate_covariance(system, method="scipy")
    laplacian = np.diag(leak) - weights
    inverse = np.linalg.inv(laplacian)
    np.testing.assert_allclose(covariance, inverse / 2, rtol=1e-8, atol=1e-10)
    scores = noise_scores(system, covariance)
    w = sparse.csr_array(weights)
    pre = np.repeat(np.arange(n), np.diff(w.indptr))
    post = w.indices
    resistance = inverse[pre, pre] + inverse[post, post] - 2 * inverse[pre, post]
    np.testing.assert_allclose(scores, w.data * resistance / 2, rtol=1e-8)
    # Foster's theorem: sum over undirected edges of w_e R_e = n - 1 (connected graph, eps -> 0)
    assert np.sum(w.data * resistance) / 2 == pytest.approx(n - 1, rel=1e-2)
    # the homeostatic diagonal makes the pruned operator exactly -(Lap(W~) + eps I)
    result = noise_prune(weights, leak, gain=1.0, keep_fraction=0.5, seed=0, covariance_method="scipy")
    pruned = result.weights.toarray()
    # K = W~.T (rows = inputs) and D~_ii = sum of the inputs of i + eps
    expected = -np.diag(pruned.sum(axis=0) + 1e-3) + pruned.T
    np.testing.assert_allclose(result.pruned_system().matrix(), expected, atol=1e-9)


def test_noise_pruning_keeps_bridges_of_a_dumbbell_unlike_uniform_sampling():
    """Two dense clusters joined by one bridge: the bridge has high effective resistance."""
    rng = np.random.default_rng(0)
    size = 20
    block = (rng.random((size, size)) < 0.6).astype(float)
    block = np.triu(block, 1)
    block = block + block.T
    weights = np.zeros((2 * size, 2 * size))
    weights[:size, :size] = block
    weights[size:, size:] = block
    weights[0, size] = weights[size, 0] = 1.0
    leak = weights.sum(axis=1) + 1e-3
    result = noise_prune(weights, leak, gain=1.0, keep_fraction=0.3, seed=0)
    w = sparse.csr_array(weights)
    pre = np.repeat(np.arange(2 * size), np.diff(w.indptr))
    bridge = ((pre == 0) & (w.indices == size)) | ((pre == size) & (w.indices == 0))
    assert np.all(result.probabilities[bridge] == 1.0)
    # cut quadratic form x^T Lap x with x the cluster indicator is preserved exactly
    x = np.r_[np.ones(size), np.zeros(size)]
    a, a_tilde = result.system.matrix(), result.pruned_system().matrix()
    assert x @ a_tilde @ x / (x @ a @ x) == pytest.approx(1.0, rel=1e-6)


def test_lyapunov_matrix_is_harmonic_mean_over_pooled_neighbourhoods():
    weights = np.zeros((4, 4))
    weights[0, 1] = weights[1, 2] = weights[3, 0] = 1.0
    exponents = np.array([-1.0, 0.0, 2.0, 3.0])
    delta = 0.5
    matrix = lyapunov_matrix(weights, exponents, delta_per_s=delta).toarray()
    magnitude = np.abs(exponents) + delta
    neighbours = {0: [1, 3], 1: [0, 2], 2: [1], 3: [0]}
    for i, j in [(0, 1), (1, 2), (3, 0)]:
        pooled = magnitude[neighbours[i] + neighbours[j]]
        assert matrix[i, j] == pytest.approx(len(pooled) / np.sum(1.0 / pooled))
    assert np.all(np.isfinite(lyapunov_matrix(weights, np.zeros(4)).data))
    assert np.all(lyapunov_matrix(weights, None).data == 1.0)
    with pytest.raises(ValueError):
        lyapunov_matrix(weights, exponents, delta_per_s=0.0)


def test_covariance_methods_agree():
    weights, leak, exponents = random_signed_network(n=50)
    system = linearise(weights, leak, exponents)
    exact = rate_covariance(system, method="scipy")
    fixed = rate_covariance(system, method="fixed_point", rtol=1e-10)
    np.testing.assert_allclose(fixed, exact, atol=1e-9 * np.abs(exact).max())
    small = linearise(weights[:6, :6], leak[:6], exponents[:6])
    simulated = rate_covariance(small, method="simulation", seed=0, n_trajectories=256)
    reference = rate_covariance(small, method="scipy")
    np.testing.assert_allclose(np.diag(simulated), np.diag(reference), rtol=0.1)


def test_keep_probabilities_bisection():
    p, rho = keep_probabilities([1.0, 1.0, 2.0, 100.0, 0.0], 2.0)
    np.testing.assert_allclose(p, [0.25, 0.25, 0.5, 1.0, 0.0])
    assert rho == pytest.approx(0.25)
    scores = np.random.default_rng(0).lognormal(size=1000)
    for target in (1.0, 10.0, 500.0, 999.0):
        p, _ = keep_probabilities(scores, target)
        assert p.sum() == pytest.approx(target, rel=1e-9)
    with pytest.raises(ValueError):
        keep_probabilities([1.0, 0.0], 2.0)
