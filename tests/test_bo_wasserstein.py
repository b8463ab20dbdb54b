"""Grid W2 (Gauss-Hermite quantile grid) against exact references (scipy quadrature, POT)."""
import numpy as np
import ot
import pytest

from hetnet.bo.space import normal_score_quantile_matrix
from hetnet.bo.wasserstein import (
    combined_distance,
    normal_score_quantile,
    quantile_embedding,
    quantile_grid,
    sinkhorn_divergence,
    wasserstein_1d_exact,
    wasserstein_1d_grid,
    wasserstein_samples,
)
from hetnet.distributions import Constant, Gamma, LogNormal, Uniform

PAIRS = [
    (Gamma(3.0, 20.0), Gamma(1.5, 30.0)),
    (Gamma(1.0, 5.0), Gamma(10.0, 40.0)),
    (Gamma(0.5, 10.0), Gamma(20.0, 10.0)),
    (LogNormal(20.0, 10.0), LogNormal(15.0, 20.0)),
    (Gamma(3.0, 20.0), LogNormal(20.0, 30.0)),
    (LogNormal(8.0, 2.0), Gamma(4.0, 8.0)),
]

# Stated accuracy of the 32-level grid (docs/notes/issue-5.md): relative error
# below 1e-6 against adaptive quadrature of the quantile difference.
GRID_RELATIVE_ERROR = 1e-6


@pytest.mark.parametrize("first, second", PAIRS)
def test_grid_w2_matches_quadrature(first, second):
    exact = wasserstein_1d_exact(first, second)
    assert abs(wasserstein_1d_grid(first, second) / exact - 1) < GRID_RELATIVE_ERROR


@pytest.mark.parametrize("first, second", PAIRS)
def test_grid_w2_matches_pot_exact_on_samples(first, second):
    """POT exact 1-D transport between 400k-sample empirical measures: within 5 % (the sampling error
    of the empirical reference; 3.2 % for the heavy-tailed LogNormal(20, 30) pair with this seed)."""
    rng = np.random.default_rng(7)
    n = 400_000
    pot = wasserstein_samples(first.sample(n, rng), second.sample(n, rng), order=2)
    assert abs(wasserstein_1d_grid(first, second) / pot - 1) < 0.05


def test_pot_emd2_equals_wasserstein_1d_and_multivariate():
    rng = np.random.default_rng(0)
    x, y = rng.gamma(3.0, 5.0, 300), rng.lognormal(2.5, 0.5, 300)
    weights = np.full(300, 1 / 300)
    emd = ot.emd2(weights, weights, ot.dist(x[:, None], y[:, None], metric="sqeuclidean")) ** 0.5
    assert wasserstein_samples(x, y, order=2) == pytest.approx(emd, rel=1e-6)
    # Multivariate: W2 between a Gaussian cloud and its translate is the shift length.
    cloud = rng.normal(size=(200, 2))
    assert wasserstein_samples(cloud, cloud + [3.0, 4.0]) == pytest.approx(5.0, rel=1e-9)
    assert wasserstein_samples(cloud, cloud + [3.0, 4.0], order=1) == pytest.approx(5.0, rel=1e-9)


def test_sinkhorn_divergence_approaches_w2_squared():
    rng = np.random.default_rng(1)
    cloud = rng.normal(size=(150, 2))
    shifted = cloud + [1.0, 0.0]
    value = sinkhorn_divergence(cloud, shifted, regularisation=0.01)
    assert value == pytest.approx(1.0, rel=0.1)
    assert sinkhorn_divergence(cloud, cloud) == 0.0


def test_embedding_distance_is_grid_w2_and_closed_forms():
    a, b = Gamma(2.0, 10.0), LogNormal(12.0, 3.0)
    assert np.linalg.norm(quantile_embedding(a) - quantile_embedding(b)) == pytest.approx(wasserstein_1d_grid(a, b))
    assert wasserstein_1d_grid(Constant(1.0), Constant(4.0)) == pytest.approx(3.0)
    # Uniforms: W2^2 = (difference of means)^2 + (difference of stds)^2 for location-scale families.
    u, v = Uniform(0.0, 1.0), Uniform(2.0, 5.0)
    expected = np.sqrt((u.mean - v.mean) ** 2 + (u.std - v.std) ** 2)
    assert wasserstein_1d_grid(u, v) == pytest.approx(expected, rel=1e-3)
    assert combined_distance([a, Constant(0.0)], [b, Constant(2.0)], scales=[1.0, 2.0]) == pytest.approx(
        np.hypot(wasserstein_1d_grid(a, b), 1.0))


@pytest.mark.parametrize("kind, values, distribution", [
    ("gamma", [0.7, 12.0], Gamma(0.7, 12.0)),
    ("lognormal", [10.0, 4.0], LogNormal(10.0, 4.0)),
    ("uniform", [-52.0, 6.0], Uniform(-55.0, -49.0)),
])
def test_vectorised_quantiles_match_distribution_quantile(kind, values, distribution):
    scores, levels, _ = quantile_grid(32)
    matrix = normal_score_quantile_matrix(kind, np.array([values]), scores)[0]
    np.testing.assert_allclose(matrix, normal_score_quantile(distribution, scores), rtol=1e-12)
    inner = (levels > 1e-6) & (levels < 1 - 1e-6)
    np.testing.assert_allclose(matrix[inner], distribution.quantile(levels[inner]), rtol=1e-8)


@pytest.mark.parametrize("kind", ["gamma", "lognormal", "uniform"])
@pytest.mark.parametrize("n_levels", [32, 33])   # 33: a level at the median
def test_vectorised_quantiles_are_bitwise_the_scipy_stats_formula(kind, n_levels):
    """The fast path (special.ndtr for the normal CDF) gives exactly the numbers of the formula written
    with scipy.stats.norm, so the GP's embedding and the optimiser's proposals are unchanged by it."""
    from scipy import special, stats

    scores, _, _ = quantile_grid(n_levels)
    rng = np.random.default_rng(1)
    values = np.column_stack([rng.uniform(0.5, 20.0, 200), rng.uniform(1.0, 50.0, 200)])
    first, second, grid = values[:, :1], values[:, 1:2], scores[None, :]
    if kind == "gamma":
        reference = np.where(grid < 0, special.gammaincinv(first, stats.norm.cdf(np.minimum(grid, 0.0))),
                             special.gammainccinv(first, stats.norm.sf(np.maximum(grid, 0.0)))) * (second / first)
    elif kind == "lognormal":
        sigma = np.sqrt(np.log1p((second / first) ** 2))
        reference = np.exp(np.log(first) - 0.5 * sigma**2 + sigma * grid)
    else:
        reference = first + (stats.norm.cdf(grid) - 0.5) * second
    np.testing.assert_array_equal(normal_score_quantile_matrix(kind, values, scores), reference)
