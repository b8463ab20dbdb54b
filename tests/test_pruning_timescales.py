"""LNP step IV: timescale optimisation (hetnet.pruning.timescales)."""
from types import SimpleNamespace
import warnings

import numpy as np
import pytest

from hetnet.distributions import Gamma
from hetnet.pruning.networks import grid_network
from hetnet.pruning.timescales import optimize_timescales, quantile_timescales, resolve_minimize


def test_quantile_timescales_keep_ranks_and_match_the_distribution():
    rng = np.random.default_rng(0)
    current = rng.gamma(3.0, 5.0, size=500)
    new = quantile_timescales(current, shape=4.0, mean=25.0)
    assert np.array_equal(np.argsort(new), np.argsort(current))
    assert new.mean() == pytest.approx(25.0, rel=0.02)
    assert new.var() == pytest.approx(Gamma(4.0, 25.0).var, rel=0.1)


def fake_lyapunov(weights, tau, **options):
    """Exponent that crosses zero when the mean time constant is 30 ms."""
    return SimpleNamespace(max_exponent_per_s=float(np.mean(tau)) - 30.0)


def test_optimizer_finds_the_edge_of_chaos_with_an_injected_optimizer():
    from skopt import gp_minimize

    network = grid_network(40, mean_degree=5, seed=0)
    calls = []

    def optimiser(objective, dimensions, **options):
        calls.append(options)
        return gp_minimize(objective, dimensions, acq_optimizer="sampling", n_points=300, **options)

    result = optimize_timescales(network.weights_mV, network.tau_m_ms, network.is_excitatory, n_calls=12,
                                 n_initial_points=5, minimize=optimiser, lyapunov_function=fake_lyapunov)
    assert calls and calls[0]["n_calls"] == 12 and calls[0]["random_state"] == 0
    assert abs(result.max_exponent_per_s) < 3.0
    assert abs(result.max_exponent_per_s) < abs(result.initial_max_exponent_per_s)
    assert len(result.objective_values) == 12
    assert result.optimizer == "injected"
    assert np.array_equal(np.argsort(result.tau_m_ms[network.is_excitatory]),
                          np.argsort(network.tau_m_ms[network.is_excitatory]))


def test_default_optimizer_is_hetnet_bo_or_skopt_fallback():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        function, name = resolve_minimize(None)
    assert name in ("hetnet.bo.minimize", "skopt.gp_minimize")
    assert callable(function)


def test_real_lyapunov_objective_runs_on_a_small_network():
    network = grid_network(30, mean_degree=6, seed=1)

    def three_points(objective, dimensions, **options):
        points = [[3.0, mean, 3.0, mean / 2] for mean in (5.0, 20.0, 50.0)]
        values = [objective(point) for point in points]
        return SimpleNamespace(x=points[int(np.argmin(values))], func_vals=np.array(values))

    result = optimize_timescales(network.weights_mV, network.tau_m_ms, network.is_excitatory, minimize=three_points,
                                 lyapunov_options={"n_steps": 100, "warmup_steps": 50})
    assert len(result.objective_values) == 3
    assert np.isfinite(result.max_exponent_per_s)
    assert result.max_exponent_per_s == pytest.approx(-min(result.objective_values), abs=1e-9) or \
        result.max_exponent_per_s == pytest.approx(min(result.objective_values), abs=1e-9)
