"""Spike statistics, spike efficiency and the heterogeneity measure."""

import numpy as np
import pytest

from hetnet.analysis import (
    average_activation,
    firing_rates_hz,
    heterogeneity,
    mean_spike_count,
    memory_capacity,
    spike_counts,
    spike_efficiency,
)


def test_spike_counts_and_time_window():
    indices = np.array([0, 3, 3, 1, 3, 0])
    times = np.array([1.0, 2.0, 5.0, 9.0, 10.0, 11.0])
    np.testing.assert_array_equal(spike_counts(indices, 5), [2, 1, 0, 3, 0])
    np.testing.assert_array_equal(
        spike_counts(indices, 5, spike_times_ms=times, t_start_ms=2.0, t_stop_ms=10.0), [0, 1, 0, 2, 0]
    )
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        spike_counts(indices, 3)
    with pytest.raises(ValueError, match="spike_times_ms"):
        spike_counts(indices, 5, t_start_ms=1.0)


def test_mean_count_activation_rates():
    assert mean_spike_count([4, 0, 2]) == 2.0
    raster = np.zeros((10, 4))
    raster[[0, 2, 2, 9], [1, 0, 3, 1]] = 1
    assert average_activation(raster) == pytest.approx(4 / 40)
    assert average_activation(raster.sum(axis=0), n_steps=10) == pytest.approx(4 / 40)
    with pytest.raises(ValueError, match="n_steps"):
        average_activation([1, 2])
    np.testing.assert_allclose(firing_rates_hz([2, 4], duration_ms=200.0), [10.0, 20.0])


def test_spike_efficiency():
    assert spike_efficiency(12.0, [2, 4, 6]) == pytest.approx(3.0)
    inputs = np.random.default_rng(0).uniform(-1, 1, 1000)
    states = np.column_stack([np.roll(inputs, 1), np.roll(inputs, 2)])
    result = memory_capacity(states, inputs, k_max=2, washout=5, ridge=1e-9)
    assert spike_efficiency(result, [[1, 3], [2, 2]]) == pytest.approx(result.total / 2.0)
    with pytest.raises(ValueError, match="no spikes"):
        spike_efficiency(5.0, [0, 0])


def test_heterogeneity_known_covariance():
    assert heterogeneity([1.0, 2.0, 3.0]) == pytest.approx(0.0, abs=1e-15)  # var 1
    # rows centred, orthogonal columns: cov = diag(2/3, 8/3)
    points = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0], [0.0, -2.0]])
    assert heterogeneity(points + 5.0) == pytest.approx(np.log(16.0 / 9.0), rel=1e-12)
    # units: scaling one parameter by a adds 2 log a
    scaled = points * np.array([1.0, 10.0])
    assert heterogeneity(scaled) == pytest.approx(np.log(16.0 / 9.0) + 2 * np.log(10.0), rel=1e-12)
    assert heterogeneity({"tau_m_ms": points[:, 0], "v_th_mV": points[:, 1]}) == pytest.approx(np.log(16 / 9))


def test_heterogeneity_singular_covariance_is_minus_infinity():
    rng = np.random.default_rng(1)
    tau = rng.gamma(3.0, 20.0 / 3.0, 500)
    assert heterogeneity({"tau_m_ms": np.full(500, 20.0), "v_th_mV": rng.normal(-50, 1, 500)}) == -np.inf
    assert heterogeneity(np.column_stack([tau, 2 * tau + 1])) == -np.inf  # collinear
    assert heterogeneity(np.ones((5, 1))) == -np.inf
    assert heterogeneity(rng.normal(size=(2, 3))) == -np.inf  # fewer items than parameters
    # wider spread -> larger heterogeneity
    narrow = rng.gamma(30.0, 20.0 / 30.0, 500)
    assert heterogeneity(tau) > heterogeneity(narrow)
    with pytest.raises(ValueError, match="at least 2"):
        heterogeneity([1.0])
    with pytest.raises(ValueError, match="differ in length"):
        heterogeneity({"a": [1.0, 2.0], "b": [1.0, 2.0, 3.0]})
