"""Firing-regime diagnostics, chance levels of memory capacity, paired claims: analytic cases."""
import numpy as np
import pytest

from hetnet.analysis import (
    binned_spike_counts, fano_factor, firing_regime, isi_cv, memory_capacity, paired_comparison, silent_fraction,
    synchrony,
)


def _poisson_trains(n_neurons, rate_hz, duration_ms, rng):
    counts = rng.poisson(rate_hz * duration_ms / 1000.0, n_neurons)
    indices = np.repeat(np.arange(n_neurons), counts)
    times = rng.uniform(0.0, duration_ms, counts.sum())
    return indices, times


@pytest.mark.parametrize("n_neurons", [100, 400])
def test_independent_poisson_neurons_have_synchrony_one_over_root_n_and_unit_cv_and_fano(n_neurons):
    rng = np.random.default_rng(n_neurons)
    indices, times = _poisson_trains(n_neurons, 20.0, 100_000.0, rng)
    regime = firing_regime(indices, times, n_neurons, 100_000.0, bin_ms=10.0)
    # chi^2 = Var(mean) / mean Var = (sigma^2 / N) / sigma^2 for independent neurons
    assert regime.synchrony == pytest.approx(1 / np.sqrt(n_neurons), rel=0.1)
    assert regime.isi_cv == pytest.approx(1.0, abs=0.03)
    assert regime.fano_factor == pytest.approx(1.0, abs=0.05)
    assert regime.mean_rate_hz == pytest.approx(20.0, rel=0.02) and regime.silent_fraction == 0.0


def test_identical_trains_have_synchrony_one_and_a_clock_has_cv_zero():
    times = np.arange(0.0, 1000.0, 25.0) + 3.0
    indices = np.tile(np.arange(50), times.size)
    regime = firing_regime(indices, np.repeat(times, 50), 50, 1000.0, bin_ms=10.0)
    assert regime.synchrony == pytest.approx(1.0)
    assert regime.isi_cv == pytest.approx(0.0, abs=1e-12)
    # every 25 ms all 50 neurons fire: population counts 50, 0, 0, 50, ... -> Var / mean >> 1
    assert regime.fano_factor > 10


def test_silent_neurons_and_degenerate_cases():
    assert silent_fraction([0, 0, 3, 1]) == 0.5
    assert np.isnan(synchrony(np.zeros((5, 3))))
    assert np.isnan(fano_factor(np.zeros((5, 3))))
    assert np.isnan(isi_cv([0, 0], [1.0, 2.0], 1)[0])          # two spikes: too few for a CV
    counts = binned_spike_counts([0, 1, 1], [0.5, 10.0, 19.99], 2, 20.0, bin_ms=10.0)
    np.testing.assert_array_equal(counts, [[1, 0], [0, 2]])
    with pytest.raises(ValueError, match="differ in length"):
        isi_cv([0, 1], [1.0], 2)


def test_memory_capacity_of_unrelated_states_is_at_its_chance_level():
    rng = np.random.default_rng(3)
    states = rng.normal(size=(3000, 50)) @ rng.normal(size=(50, 50))   # correlated, but unrelated to u
    u = rng.uniform(-1, 1, 3000)
    result = memory_capacity(states, u, k_max=40, washout=40, ridge=1e-3, n_null=30, seed=1)
    assert result.chance_level == pytest.approx(40 / (result.n_test - 1))
    # null mean and the analytic level agree; the unrelated states score within the null's spread
    assert result.null_mean == pytest.approx(result.chance_level, rel=0.15)
    assert abs(result.total - result.null_mean) < 4 * result.null_sd
    assert abs(result.above_chance) < 4 * result.null_sd


def test_memory_capacity_with_chosen_ridge_beats_a_tiny_fixed_ridge_on_noisy_states():
    rng = np.random.default_rng(0)
    u = rng.uniform(-1, 1, 1500)
    echoes = np.stack([np.roll(u, k) for k in range(1, 6)], axis=1)
    states = echoes @ rng.normal(size=(5, 600)) + 4.0 * rng.normal(size=(1500, 600))   # 600 noisy mixtures
    tiny = memory_capacity(states, u, 10, washout=10, ridge=1e-9, n_null=0)
    chosen = memory_capacity(states, u, 10, washout=10, n_null=0)
    assert chosen.total > tiny.total + 0.25      # measured: 4.61 vs 4.23
    assert chosen.total <= 5.0 + 0.2            # the true capacity is 5 delays
    assert np.all(chosen.ridges[:5] > 0)


def test_paired_comparison_verdicts():
    better = paired_comparison([2.1, 2.3, 2.2, 2.4, 2.0], [1.0, 1.25, 1.1, 1.3, 0.85], claim="greater")
    assert better.verdict == "holds" and better.p_value_t < 1e-5 and better.effect_size_dz > 5
    worse = paired_comparison([1.0, 1.25, 1.1, 1.3, 0.85], [2.1, 2.3, 2.2, 2.4, 2.0], claim="greater")
    assert worse.verdict == "does not hold"
    noise = paired_comparison([1.0, 1.5, 0.8, 1.2], [1.1, 1.3, 0.9, 1.25], claim="greater")
    assert noise.verdict == "inconclusive"
    assert paired_comparison([1.0], [0.0]).verdict == "inconclusive"     # one pair: no test
