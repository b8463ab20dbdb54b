"""Lyapunov spectra: linear maps (exact), Lorenz-63 (0.906, sum -(sigma+1+beta)),
and the network rate surrogate used by LNP."""

import numpy as np
import pytest
import scipy.sparse

from hetnet.analysis import (
    NetworkLyapunov,
    kaplan_yorke_dimension,
    lyapunov_spectrum,
    network_lyapunov,
)


pytestmark = pytest.mark.usefixtures("single_blas_thread")   # tests/conftest.py


# --------------------------------------------------------------- linear maps
def test_linear_map_with_known_eigenvalues_gives_log_moduli():
    rng = np.random.default_rng(0)
    eigenvalues = np.array([1.5, -0.8, 0.5, 0.2])
    basis = rng.standard_normal((4, 4)) + 3 * np.eye(4)  # non-normal map
    matrix = basis @ np.diag(eigenvalues) @ np.linalg.inv(basis)
    result = lyapunov_spectrum(lambda x: matrix @ x, lambda x: matrix, np.zeros(4),
                               n_steps=400, warmup=200, dt=1.0)
    np.testing.assert_allclose(result.exponents, np.log(np.abs(eigenvalues)), rtol=0, atol=1e-12)
    assert result.max_exponent == pytest.approx(np.log(1.5), abs=1e-12)
    # exponents are per unit of dt
    scaled = lyapunov_spectrum(lambda x: matrix @ x, lambda x: matrix, np.zeros(4),
                               n_steps=400, warmup=200, dt=0.25)
    np.testing.assert_allclose(scaled.exponents, 4 * np.log(np.abs(eigenvalues)), atol=1e-11)


def test_linear_map_complex_pair_and_truncated_spectrum():
    angle = 0.7
    rotation = 0.9 * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = np.zeros((3, 3))
    matrix[:2, :2] = rotation
    matrix[2, 2] = 1.1
    result = lyapunov_spectrum(lambda x: matrix @ x, lambda x: matrix, np.zeros(3),
                               n_exponents=3, n_steps=300, warmup=100)
    np.testing.assert_allclose(result.exponents, np.log([1.1, 0.9, 0.9]), atol=1e-12)
    top = lyapunov_spectrum(lambda x: matrix @ x, lambda x: matrix, np.zeros(3),
                            n_exponents=1, n_steps=300, warmup=100)
    np.testing.assert_allclose(top.exponents, [np.log(1.1)], atol=1e-12)


def test_large_sparse_linear_map_top_exponents():
    """n = 400, k = 6 uses the CholeskyQR2 path and a sparse Jacobian."""
    rng = np.random.default_rng(1)
    diagonal = rng.uniform(0.1, 0.9, 400)
    diagonal[:6] = [1.3, 1.2, 1.1, 0.99, 0.97, 0.95]
    matrix = scipy.sparse.diags_array(diagonal).tocsr()
    result = lyapunov_spectrum(lambda x: matrix @ x, lambda x: matrix, np.zeros(400),
                               n_exponents=6, n_steps=300, warmup=1500)
    np.testing.assert_allclose(result.exponents, np.log(diagonal[:6]), atol=1e-10)
    # the Gram-Schmidt vectors converge to the coordinate axes of those modes
    np.testing.assert_allclose(result.vector_weights[:6, :6], np.eye(6), atol=1e-8)


# ------------------------------------------------------------------ Lorenz-63
SIGMA, RHO, BETA = 10.0, 28.0, 8.0 / 3.0


def lorenz(x):
    return np.array([SIGMA * (x[1] - x[0]), x[0] * (RHO - x[2]) - x[1], x[0] * x[1] - BETA * x[2]])


def lorenz_jacobian(x):
    return np.array([[-SIGMA, SIGMA, 0.0], [RHO - x[2], -1.0, -x[0]], [x[1], x[0], -BETA]])


class LorenzRK4:
    """One RK4 step and its exact derivative (the tangent map of the step)."""

    def __init__(self, dt):
        self.dt = dt
        self._cache = (None, None, None)

    def _compute(self, x):
        if self._cache[0] is not None and np.array_equal(self._cache[0], x):
            return self._cache[1], self._cache[2]
        dt, eye = self.dt, np.eye(3)
        k1, d1 = lorenz(x), lorenz_jacobian(x)
        x2 = x + dt / 2 * k1
        k2, d2 = lorenz(x2), lorenz_jacobian(x2) @ (eye + dt / 2 * d1)
        x3 = x + dt / 2 * k2
        k3, d3 = lorenz(x3), lorenz_jacobian(x3) @ (eye + dt / 2 * d2)
        x4 = x + dt * k3
        k4, d4 = lorenz(x4), lorenz_jacobian(x4) @ (eye + dt * d3)
        result = (x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4), eye + dt / 6 * (d1 + 2 * d2 + 2 * d3 + d4))
        self._cache = (x.copy(), *result)
        return result

    def step(self, x):
        return self._compute(x)[0]

    def jacobian(self, x):
        return self._compute(x)[1]


def test_lorenz63_spectrum():
    """Largest 0.906 +- 0.05; sum -(sigma + 1 + beta) within 1 %; middle ~ 0."""
    dt = 0.02
    system = LorenzRK4(dt)
    result = lyapunov_spectrum(system.step, system.jacobian, np.array([1.0, 1.0, 1.0]),
                               n_steps=15000, dt=dt, warmup=1000, seed=0)
    largest, middle, smallest = result.exponents
    assert largest == pytest.approx(0.906, abs=0.05)
    assert middle == pytest.approx(0.0, abs=0.05)
    assert result.exponents.sum() == pytest.approx(-(SIGMA + 1 + BETA), rel=0.01)
    assert kaplan_yorke_dimension(result.exponents) == pytest.approx(2.06, abs=0.01)


def test_kaplan_yorke_dimension():
    assert kaplan_yorke_dimension([-1.0, -2.0]) == 0.0
    assert kaplan_yorke_dimension([0.5, 0.1]) == 2.0
    assert kaplan_yorke_dimension([1.0, -0.5, -2.0]) == pytest.approx(2.25)


def test_lyapunov_spectrum_input_errors():
    with pytest.raises(ValueError, match="n_exponents"):
        lyapunov_spectrum(lambda x: x, lambda x: np.eye(2), np.zeros(2), n_exponents=3)
    with pytest.raises(ValueError, match="dt"):
        lyapunov_spectrum(lambda x: x, lambda x: np.eye(2), np.zeros(2), dt=0.0)


def test_jacobian_may_be_a_function_of_the_vectors():
    matrix = np.diag([2.0, 0.5])
    result = lyapunov_spectrum(lambda x: matrix @ x, lambda x: (lambda q: matrix @ q), np.zeros(2),
                               n_steps=50, warmup=50)
    np.testing.assert_allclose(result.exponents, np.log([2.0, 0.5]), atol=1e-12)


# ------------------------------------------------------------ network version
TAU_MS = np.array([5.0, 12.0, 20.0, 8.0, 40.0, 30.0])


@pytest.mark.parametrize("n_exponents", [6, 3])
def test_uncoupled_network_gives_minus_one_over_tau(n_exponents):
    result = network_lyapunov(np.zeros((6, 6)), TAU_MS, n_exponents=n_exponents,
                              n_steps=200, warmup_steps=2000, input_std=0.3, bias=0.2)
    assert isinstance(result, NetworkLyapunov)
    expected = np.sort(-1000.0 / TAU_MS)[::-1][:n_exponents]
    np.testing.assert_allclose(result.exponents_per_s, expected, rtol=1e-9)
    assert result.max_exponent_per_s == pytest.approx(-1000.0 / 40.0, rel=1e-9)
    np.testing.assert_allclose(result.per_neuron_per_s, -1000.0 / TAU_MS, rtol=1e-9)
    np.testing.assert_allclose(result.local_rate_per_s, -1000.0 / TAU_MS, rtol=1e-12)


def test_uncoupled_network_euler_is_the_euler_map():
    result = network_lyapunov(np.zeros((6, 6)), TAU_MS, n_exponents=6, dt_ms=0.5,
                              n_steps=100, warmup_steps=3000, integrator="euler")
    expected = np.sort(np.log(1 - 0.5 / TAU_MS) / 0.5 * 1000.0)[::-1]
    np.testing.assert_allclose(result.exponents_per_s, expected, rtol=1e-9)


def random_weights(n, scale, seed, density=1.0):
    rng = np.random.default_rng(seed)
    weights = rng.standard_normal((n, n)) * scale / np.sqrt(n * density)
    weights *= rng.random((n, n)) < density
    np.fill_diagonal(weights, 0.0)
    return weights


def test_linear_regime_matches_eigenvalues_of_the_jacobian_pre_post_convention():
    """At the fixed point r = 0 (no bias, no noise, r0 = 0) the map is linear,
    J = diag(a) + diag(c) W.T * gain. W is built so that J has known real
    eigenvalues. (The [pre, post] convention itself is checked against an
    explicit W.T Jacobian in the next test.)"""
    n, dt, gain = 6, 1.0, 0.8
    eigenvalues = np.array([0.99, 0.95, 0.9, 0.8, 0.6, 0.3])
    basis = np.random.default_rng(2).standard_normal((n, n)) + 2 * np.eye(n)
    jacobian = basis @ np.diag(eigenvalues) @ np.linalg.inv(basis)
    leak = np.exp(-dt / TAU_MS)
    weights = (np.diag(1 / (1 - leak)) @ (jacobian - np.diag(leak)) / gain).T
    expected = np.log(eigenvalues) / dt * 1000.0
    result = network_lyapunov(weights, TAU_MS, n_exponents=n, dt_ms=dt, gain=gain,
                              n_steps=400, warmup_steps=3000, initial_rates=np.zeros(n))
    np.testing.assert_allclose(result.exponents_per_s, expected, rtol=1e-9)
    # with the full spectrum the per-neuron exponents partition its sum
    assert result.per_neuron_per_s.sum() == pytest.approx(expected.sum(), rel=1e-9)
    np.testing.assert_allclose(result.leading_weight, 1.0, atol=1e-12)


def test_network_matches_generic_estimator_with_explicit_jacobian():
    """Rates follow r' = a r + c (W.T tanh(g r) + b): the [pre, post] convention.
    Distinct tau and an asymmetric W make W vs W.T distinguishable."""
    n, k, dt, gain, bias = 30, 5, 1.0, 1.0, 0.1
    weights = random_weights(n, 2.5, seed=3)
    tau = np.random.default_rng(4).uniform(5, 30, n)
    rates0 = np.random.default_rng(5).standard_normal(n)
    leak = np.exp(-dt / tau)

    def step(r):
        return leak * r + (1 - leak) * (weights.T @ np.tanh(gain * r) + bias)

    def jacobian(r):
        slope = gain * (1 - np.tanh(gain * r) ** 2)
        return np.diag(leak) + np.diag(1 - leak) @ weights.T @ np.diag(slope)

    generic = lyapunov_spectrum(step, jacobian, rates0, n_exponents=k, n_steps=600, dt=dt,
                                warmup=200, seed=11)
    network = network_lyapunov(weights, tau, n_exponents=k, dt_ms=dt, n_steps=600, warmup_steps=200,
                               gain=gain, bias=bias, seed=11, initial_rates=rates0)
    np.testing.assert_allclose(network.exponents_per_s, generic.exponents * 1000.0, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(network.vector_weights, generic.vector_weights, atol=1e-9)
    expected_per_neuron = (generic.vector_weights @ (generic.exponents * 1000.0)
                           + (1 - generic.vector_weights.sum(axis=1)) * (-1000.0 / tau))
    np.testing.assert_allclose(network.per_neuron_per_s, expected_per_neuron, rtol=1e-9)
    transposed = network_lyapunov(weights.T, tau, n_exponents=k, dt_ms=dt, n_steps=600, warmup_steps=200,
                                  gain=gain, bias=bias, seed=11, initial_rates=rates0)
    assert not np.allclose(transposed.exponents_per_s, network.exponents_per_s, rtol=1e-3)


def test_sparse_and_dense_weights_agree():
    n = 80
    weights = random_weights(n, 2.0, seed=6, density=0.1)
    tau = np.random.default_rng(7).uniform(5, 30, n)
    kwargs = dict(n_exponents=8, n_steps=300, warmup_steps=100, seed=3, input_std=0.1)
    dense = network_lyapunov(weights, tau, **kwargs)
    sparse = network_lyapunov(scipy.sparse.csr_matrix(weights), tau, **kwargs)
    np.testing.assert_allclose(sparse.exponents_per_s, dense.exponents_per_s, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(sparse.per_neuron_per_s, dense.per_neuron_per_s, rtol=1e-9, atol=1e-9)


def test_coupling_strength_moves_network_into_chaos():
    """Random tanh rate networks: stable for weak coupling (all exponents < 0),
    chaotic (largest > 0) for strong coupling (Sompolinsky et al. 1988)."""
    n = 200
    tau = np.full(n, 10.0)
    weak = network_lyapunov(random_weights(n, 0.5, seed=8), tau, n_exponents=5,
                            n_steps=800, warmup_steps=400, seed=1)
    strong = network_lyapunov(random_weights(n, 3.0, seed=8), tau, n_exponents=5,
                              n_steps=800, warmup_steps=400, seed=1)
    assert weak.max_exponent_per_s < -10.0
    assert strong.max_exponent_per_s > 1.0
    assert np.all(np.diff(strong.exponents_per_s) <= 0)
    assert strong.per_neuron_per_s.shape == (n,)
    assert np.all(np.isfinite(strong.per_neuron_per_s))


def test_network_lyapunov_errors():
    with pytest.raises(ValueError, match="n_exponents"):
        network_lyapunov(np.zeros((3, 3)), [10.0, 10.0, 10.0], n_exponents=4)
    with pytest.raises(ValueError, match="expected"):
        network_lyapunov(np.zeros((3, 3)), [10.0, 10.0], n_exponents=1)
    with pytest.raises(ValueError, match="positive"):
        network_lyapunov(np.zeros((2, 2)), [10.0, -1.0], n_exponents=1)
    with pytest.raises(ValueError, match="Euler"):
        network_lyapunov(np.zeros((2, 2)), [10.0, 1.0], n_exponents=1, dt_ms=1.0, integrator="euler")


@pytest.mark.slow
def test_network_lyapunov_2000_neurons_top50():
    n = 2000
    rng = np.random.default_rng(0)
    weights = scipy.sparse.random_array((n, n), density=0.02, random_state=1,
                                        data_sampler=rng.standard_normal, format="csr") * (1.5 / np.sqrt(n * 0.02))
    tau = rng.gamma(3.0, 20.0 / 3.0, n) + 2.0
    result = network_lyapunov(weights, tau, n_exponents=50)
    assert result.exponents_per_s.shape == (50,)
    assert np.all(np.diff(result.exponents_per_s) <= 0)
    assert result.per_neuron_per_s.shape == (n,)
    assert result.leading_weight.sum() == pytest.approx(50.0, rel=1e-9)
