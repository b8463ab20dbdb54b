"""Memory capacity: delay line (MC = N), agreement with per-delay scikit-learn
Ridge fits, the bound MC <= N, and error handling."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from hetnet.analysis import MemoryCapacityResult, delayed_targets, memory_capacity


pytestmark = pytest.mark.usefixtures("single_blas_thread")   # tests/conftest.py


def delay_line_states(inputs, n_units):
    """Shift register: unit i holds u(t - 1 - i) (zeros before the start)."""
    states = np.zeros((inputs.size, n_units))
    for unit in range(n_units):
        states[unit + 1:, unit] = inputs[: inputs.size - unit - 1]
    return states


def linear_esn_states(inputs, n_units, spectral_radius, seed, nonlinear=False):
    rng = np.random.default_rng(seed)
    weights = rng.standard_normal((n_units, n_units))
    weights *= spectral_radius / np.max(np.abs(np.linalg.eigvals(weights)))
    input_weights = rng.uniform(-1, 1, n_units)
    states = np.zeros((inputs.size, n_units))
    state = np.zeros(n_units)
    for t, value in enumerate(inputs):
        state = weights @ state + input_weights * value
        if nonlinear:
            state = np.tanh(state)
        states[t] = state
    return states


def test_delayed_targets_layout():
    targets = delayed_targets(np.arange(10.0), 3, 4)
    assert targets.shape == (6, 3)
    # row r is time t = 4 + r; column k - 1 is u(t - k)
    np.testing.assert_array_equal(targets[0], [3.0, 2.0, 1.0])
    np.testing.assert_array_equal(targets[-1], [8.0, 7.0, 6.0])


def test_delay_line_capacity_equals_n_units():
    """Tolerance: |MC - N| < 1e-6 with k_max = N (each MC(k) = 1 up to ridge)."""
    n_units = 20
    inputs = np.random.default_rng(3).uniform(-1, 1, 4000)
    result = memory_capacity(delay_line_states(inputs, n_units), inputs, k_max=n_units, ridge=1e-10)
    assert isinstance(result, MemoryCapacityResult)
    assert abs(result.total - n_units) < 1e-6
    np.testing.assert_allclose(result.curve, 1.0, atol=1e-7)
    np.testing.assert_array_equal(result.delays, np.arange(1, n_units + 1))
    assert float(result) == result.total


def test_delay_line_longer_k_max_adds_only_chance_correlation():
    """Delays beyond the register are unrecoverable: MC(k > N) is chance
    correlation (~1 / n_test each); tolerance |MC - N| < 0.05."""
    n_units = 20
    inputs = np.random.default_rng(4).uniform(-1, 1, 10000)
    result = memory_capacity(delay_line_states(inputs, n_units), inputs, k_max=2 * n_units,
                             washout=50, ridge=1e-10, test_fraction=0.4)
    np.testing.assert_allclose(result.curve[:n_units], 1.0, atol=1e-7)
    assert np.all(result.curve[n_units:] < 0.005)
    assert abs(result.total - n_units) < 0.05


def sklearn_curve(states, inputs, k_max, washout, ridge, test_fraction):
    """Independent per-delay computation: one scikit-learn Ridge per delay."""
    first = max(washout, k_max)
    n_rows = inputs.size - first
    n_test = int(round(n_rows * test_fraction))
    n_train = n_rows - n_test
    train = slice(first, first + n_train)
    test = slice(first + n_train, inputs.size)
    curve = []
    for k in range(1, k_max + 1):
        target = np.roll(inputs, k)  # target[t] = inputs[t - k] for t >= k
        model = Ridge(alpha=ridge, fit_intercept=True, solver="cholesky").fit(states[train], target[train])
        prediction = model.predict(states[test])
        curve.append(np.corrcoef(prediction, target[test])[0, 1] ** 2)
    return np.array(curve)


@pytest.mark.parametrize("nonlinear", [False, True])
def test_memory_capacity_matches_per_delay_sklearn_ridge(nonlinear):
    inputs = np.random.default_rng(5).uniform(-1, 1, 2500)
    states = linear_esn_states(inputs, 40, 0.9, seed=6, nonlinear=nonlinear)
    kwargs = dict(k_max=60, washout=100, ridge=1e-3, test_fraction=0.3)
    result = memory_capacity(states, inputs, **kwargs)
    reference = sklearn_curve(states, inputs, **kwargs)
    np.testing.assert_allclose(result.curve, reference, rtol=0, atol=1e-8)
    assert abs(result.total - reference.sum()) < 1e-8
    assert 5.0 < result.total < 40.0  # a sensible, non-trivial memory


@pytest.mark.parametrize(
    "make_states",
    [
        lambda u: linear_esn_states(u, 30, 0.5, seed=1),
        lambda u: linear_esn_states(u, 30, 0.95, seed=2),
        lambda u: linear_esn_states(u, 30, 0.99, seed=3),
        lambda u: linear_esn_states(u, 30, 1.2, seed=4, nonlinear=True),
        lambda u: delay_line_states(u, 30),
    ],
)
def test_memory_capacity_never_exceeds_n_units(make_states):
    inputs = np.random.default_rng(7).uniform(-1, 1, 4000)
    states = make_states(inputs)
    result = memory_capacity(states, inputs, k_max=30, washout=100, ridge=1e-8)
    assert np.all((result.curve >= 0) & (result.curve <= 1))
    assert result.total <= 30 + 1e-9
    # With k_max = 3 N the estimate may only exceed N by chance correlation
    # (about 1 / n_test per unrecoverable delay; see memory_capacity's docstring).
    longer = memory_capacity(states, inputs, k_max=90, washout=100, ridge=1e-8)
    assert longer.total <= 30 + 3 * 90 / longer.n_test


def test_memory_capacity_accepts_column_input_and_partly_constant_states():
    inputs = np.random.default_rng(8).uniform(-1, 1, 1500)
    states = delay_line_states(inputs, 5)
    states = np.column_stack([states, np.full(inputs.size, 3.0)])  # one silent-but-biased neuron
    result = memory_capacity(states, inputs[:, None], k_max=5, ridge=1e-9)
    assert np.all(np.isfinite(result.curve))
    assert abs(result.total - 5) < 1e-6


def test_memory_capacity_in_sample_scoring():
    inputs = np.random.default_rng(9).uniform(-1, 1, 800)
    result = memory_capacity(delay_line_states(inputs, 4), inputs, k_max=4, test_fraction=0.0, ridge=1e-9)
    assert result.n_test == result.n_train
    assert abs(result.total - 4) < 1e-6


def test_memory_capacity_errors_are_clear():
    rng = np.random.default_rng(10)
    inputs = rng.uniform(-1, 1, 500)
    states = rng.standard_normal((500, 8))
    with pytest.raises(ValueError, match="different lengths"):
        memory_capacity(states[:-1], inputs, k_max=5)
    with pytest.raises(ValueError, match="too few time steps"):
        memory_capacity(states, inputs, k_max=495)
    with pytest.raises(ValueError, match="too few time steps"):
        memory_capacity(states, inputs, k_max=5, washout=499)
    with pytest.raises(ValueError, match="inputs are constant"):
        memory_capacity(states, np.ones(500), k_max=5)
    with pytest.raises(ValueError, match="states are constant"):
        memory_capacity(np.ones((500, 8)), inputs, k_max=5)
    with pytest.raises(ValueError, match="NaN"):
        memory_capacity(np.where(states > 2, np.nan, states), inputs, k_max=5)
    with pytest.raises(ValueError, match="k_max"):
        memory_capacity(states, inputs, k_max=0)
    with pytest.raises(ValueError, match="test_fraction"):
        memory_capacity(states, inputs, k_max=5, test_fraction=1.0)
    with pytest.raises(ValueError, match="scalar sequence"):
        memory_capacity(states, np.column_stack([inputs, inputs]), k_max=5)


def test_memory_capacity_without_ridge_and_collinear_states_is_finite():
    inputs = np.random.default_rng(11).uniform(-1, 1, 1000)
    base = delay_line_states(inputs, 3)
    states = np.column_stack([base, base[:, 0] + base[:, 1]])  # exactly collinear
    result = memory_capacity(states, inputs, k_max=4, ridge=0.0)
    assert np.all(np.isfinite(result.curve))
    assert abs(result.curve[:3].sum() - 3) < 1e-6


def test_wide_states_use_the_dual_form_with_the_same_readouts_as_sklearn():
    """More features than training rows (N = 2000 read out as counts + traces): the dual system, same numbers."""
    inputs = np.random.default_rng(12).uniform(-1, 1, 400)
    narrow = linear_esn_states(inputs, 60, 0.9, seed=13, nonlinear=True)
    states = np.column_stack([narrow, np.tanh(narrow @ np.random.default_rng(14).normal(size=(60, 440)) / 8.0)])
    kwargs = dict(k_max=20, washout=40, ridge=1e-2, test_fraction=0.3)
    assert states.shape[1] > 400 * 0.7      # 500 features, 252 training rows
    result = memory_capacity(states, inputs, **kwargs)
    reference = sklearn_curve(states, inputs, **kwargs)
    np.testing.assert_allclose(result.curve, reference, rtol=0, atol=1e-8)
    # without a penalty both forms give the minimum-norm readouts pinv(Xc) Yc (which interpolate the training rows)
    in_sample = memory_capacity(states, inputs, k_max=5, washout=40, ridge=0.0, test_fraction=0.0)
    np.testing.assert_allclose(in_sample.curve, 1.0, atol=1e-8)


def test_the_dual_form_chooses_the_penalties_and_readouts_of_the_primal_form():
    """``_fit_readouts`` on wide states against the primal normal equations written out here."""
    from hetnet.analysis.memory import _fit_readouts

    rng = np.random.default_rng(15)
    x = rng.normal(size=(120, 300)) + rng.normal(size=(1, 300))
    y = x[:, :4] @ rng.normal(size=(4, 6)) + 0.5 * rng.normal(size=(120, 6))
    candidates = (1e-2, 1.0, 30.0, 1e3, 1e5)
    x_mean, y_mean, coefficients, chosen = _fit_readouts(x, y, candidates)

    def primal(rows_x, rows_y, penalty):
        xc, yc = rows_x - rows_x.mean(axis=0), rows_y - rows_y.mean(axis=0)
        return np.linalg.solve(xc.T @ xc + penalty * np.eye(xc.shape[1]), xc.T @ yc)

    split = 96
    errors = [np.mean(((x[split:] - x[:split].mean(axis=0)) @ primal(x[:split], y[:split], c)
                       + y[:split].mean(axis=0) - y[split:]) ** 2, axis=0) for c in candidates]
    expected_chosen = np.asarray(candidates)[np.argmin(errors, axis=0)]
    np.testing.assert_array_equal(chosen, expected_chosen)
    assert len(set(chosen)) > 1             # the columns do not all take one penalty: each is checked
    expected = np.column_stack([primal(x, y, c)[:, j] for j, c in enumerate(chosen)])
    np.testing.assert_allclose(coefficients, expected, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(x_mean, x.mean(axis=0)) and np.testing.assert_allclose(y_mean, y.mean(axis=0))
