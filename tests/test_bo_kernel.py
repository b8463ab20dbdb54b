"""Wasserstein-Matern kernel: positive semi-definiteness, gradients, use inside scikit-optimize."""
import numpy as np
import pytest
from scipy import special
from skopt.learning import GaussianProcessRegressor
from skopt.learning.gaussian_process.kernels import ConstantKernel
from skopt.space import Real

from hetnet.bo.kernels import DistributionGroups, WassersteinEmbedding, WassersteinMatern, matern_correlation
from hetnet.bo.space import network_search_space
from hetnet.bo.wasserstein import wasserstein_1d_grid
from hetnet.distributions import Gamma


@pytest.fixture(scope="module")
def embedding():
    space = network_search_space()
    return WassersteinEmbedding(space.dimensions, space)


@pytest.mark.parametrize("nu", [0.5, 1.5, 2.5])
@pytest.mark.parametrize("length_scale", [0.3, 3.0, "ard"])
def test_gram_of_200_random_candidates_is_psd(embedding, nu, length_scale):
    X = np.random.default_rng(11).uniform(size=(200, len(embedding.dimensions)))
    scale = np.linspace(0.5, 5.0, embedding.n_groups) if length_scale == "ard" else length_scale
    K = WassersteinMatern(embedding, length_scale=scale, nu=nu)(X)
    assert np.allclose(K, K.T)
    assert np.linalg.eigvalsh(K).min() >= -1e-10


def test_kernel_is_matern_of_combined_w2():
    dims = [Real(1.0, 20.0, name="k"), Real(5.0, 50.0, name="m")]
    embedding = WassersteinEmbedding(dims, {"tau": ("gamma", ["k", "m"])}, scales=[1.0])
    kernel = WassersteinMatern(embedding, length_scale=7.0, nu=1.5)
    a, b = [3.0, 20.0], [8.0, 30.0]
    normalised = np.array([[(a[0] - 1) / 19, (a[1] - 5) / 45], [(b[0] - 1) / 19, (b[1] - 5) / 45]])
    d = wasserstein_1d_grid(Gamma(*a), Gamma(*b)) / 7.0
    assert kernel(normalised)[0, 1] == pytest.approx(float(matern_correlation(d, 1.5)), rel=1e-6)


@pytest.mark.parametrize("nu", [0.5, 1.5, 2.5])
def test_closed_forms_match_bessel_formula(nu):
    d = np.linspace(0.05, 3.0, 20)
    a = np.sqrt(2 * nu) * d
    bessel = 2 ** (1 - nu) / special.gamma(nu) * a**nu * special.kv(nu, a)
    np.testing.assert_allclose(matern_correlation(d, nu), bessel, rtol=1e-10)
    assert matern_correlation(0.4, 1.2) == pytest.approx(float(
        2 ** (1 - 1.2) / special.gamma(1.2) * (np.sqrt(2.4) * 0.4) ** 1.2 * special.kv(1.2, np.sqrt(2.4) * 0.4)))


@pytest.mark.parametrize("nu", [1.5, 2.5])
@pytest.mark.parametrize("anisotropic", [False, True])
def test_gradients_match_finite_differences(embedding, nu, anisotropic):
    rng = np.random.default_rng(3)
    X = rng.uniform(0.05, 0.95, size=(15, len(embedding.dimensions)))
    scale = np.full(embedding.n_groups, 0.8) if anisotropic else 0.8
    kernel = WassersteinMatern(embedding, length_scale=scale, nu=nu)
    K, gradient = kernel(X, eval_gradient=True)
    step = 1e-6
    for j in range(len(kernel.theta)):
        shifted = kernel.clone_with_theta(kernel.theta + step * np.eye(len(kernel.theta))[j])
        np.testing.assert_allclose((shifted(X) - K) / step, gradient[:, :, j], atol=1e-5)
    x = X[0] * 0.9 + 0.03
    analytic = kernel.gradient_x(x, X[1:])
    numeric = np.array([
        (kernel(np.array([x + step * e]), X[1:])[0] - kernel(np.array([x - step * e]), X[1:])[0]) / (2 * step)
        for e in np.eye(len(x))
    ]).T
    np.testing.assert_allclose(analytic, numeric, atol=1e-6)


def test_hyperparameters_are_fitted_inside_skopt_gp():
    dims = [Real(1.0, 20.0, name="k"), Real(5.0, 50.0, name="m"), Real(0.0, 1.0, name="w")]
    embedding = WassersteinEmbedding(dims, {"tau": ("gamma", ["k", "m"])})
    assert embedding.n_groups == 2   # the Gamma and the scalar w
    kernel = ConstantKernel(1.0) * WassersteinMatern(embedding, length_scale=np.ones(2), nu=2.5)
    X = np.random.default_rng(0).uniform(size=(25, 3))
    y = np.sin(6 * X[:, 0]) + X[:, 1] + 0.01 * X[:, 2]
    gp = GaussianProcessRegressor(kernel=kernel, normalize_y=True, noise="gaussian", random_state=0).fit(X, y)
    fitted = gp.kernel_.k1.k2
    assert not np.allclose(fitted.length_scale, 1.0)
    assert fitted.length_scale[1] > fitted.length_scale[0]   # w barely matters
    mean, std, mean_grad, std_grad = gp.predict(X[:1] * 0.9, return_std=True, return_mean_grad=True,
                                                return_std_grad=True)
    assert mean_grad.shape == (3,) and np.all(np.isfinite(std_grad))


def test_distribution_groups_and_callable_embedding_agree():
    dims = [Real(1.0, 20.0, name="k"), Real(5.0, 50.0, name="m"), Real(0.0, 1.0, name="w")]
    groups = DistributionGroups.from_mapping(dims, {"tau": ("gamma", ["k", "m"])})
    fast = WassersteinEmbedding(dims, groups, scales=[1.0, 1.0])
    slow = WassersteinEmbedding(dims, lambda p: groups(p), scales=[1.0, 1.0])
    points = np.array([[3.0, 20.0, 0.5], [9.0, 12.0, 0.1]])
    np.testing.assert_allclose(fast.embed_raw(points), slow.embed_raw(points), rtol=1e-12)
    with pytest.raises(ValueError, match="no dimension named"):
        DistributionGroups.from_mapping(dims, {"tau": ("gamma", ["k", "nope"])})


def test_blockwise_jacobian_equals_perturbing_every_dimension_exactly(embedding):
    """The acquisition's Jacobian, computed group by group, is bitwise the dense finite difference (issue 17)."""
    x = np.random.default_rng(5).uniform(size=len(embedding.dimensions))
    x[0], x[1] = 1.0, 0.0                     # one-sided steps at the bounds
    blockwise = embedding.jacobian_normalized(x, 1e-5)
    dense = embedding.jacobian_normalized(x, 1e-5, blockwise=False)
    np.testing.assert_array_equal(blockwise, dense)
    # and the same memory layout: equal values in C and Fortran order take different BLAS paths in the GP's
    # products, which round differently (the two optimisers of bench_acquisition.py then diverged at 1e-10)
    assert blockwise.flags.c_contiguous and dense.flags.c_contiguous
    # and it is the derivative: the embedding of a small move along one dimension
    move = np.zeros_like(x)
    move[3] = 1e-3
    change = embedding.embed_normalized((x + move)[None, :]) - embedding.embed_normalized(x[None, :])
    np.testing.assert_allclose(change[0], blockwise[:, 3] * 1e-3, rtol=1e-2, atol=1e-8)
