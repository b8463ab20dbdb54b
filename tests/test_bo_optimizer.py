"""Expected improvement, the gp_minimize-style API and a small evidence run."""
import numpy as np
import pytest
from skopt.acquisition import gaussian_ei
from skopt.space import Integer, Real

from hetnet.bo import expected_improvement, minimize
from hetnet.bo.benchmark import analytic_problems, compare


class _FakeModel:
    def __init__(self, mean, std):
        self.mean, self.std = mean, std

    def predict(self, X, return_std=True):
        return self.mean, self.std


def test_expected_improvement_is_spec_formula_and_skopt_ei_of_negated_objective():
    rng = np.random.default_rng(0)
    mean, std = rng.normal(size=50), rng.uniform(0.01, 2.0, size=50)
    best, xi = 0.3, 0.01
    z = (mean - best - xi) / std
    from scipy.stats import norm
    spec = (mean - best - xi) * norm.cdf(z) + std * norm.pdf(z)
    np.testing.assert_allclose(expected_improvement(mean, std, best, xi), spec)
    # skopt minimises -f: its EI with y_opt = -best on the model (-mean, std) is the same number.
    skopt_value = gaussian_ei(np.zeros((50, 1)), _FakeModel(-mean, std), y_opt=-best, xi=xi)
    np.testing.assert_allclose(expected_improvement(mean, std, best, xi), skopt_value, rtol=1e-10)
    assert expected_improvement([1.0], [0.0], best=0.5, xi=0.0)[0] == 0.5


def _gamma_regret(x):
    mean, std = x[1], x[1] / np.sqrt(x[0])
    return ((mean - 20.0) / 20.0) ** 2 + ((std - 10.0) / 10.0) ** 2


DIMS = [Real(1.0, 20.0, name="shape"), Real(5.0, 50.0, name="mean")]


def test_minimize_result_fields_batches_and_callback():
    seen = []
    result = minimize(_gamma_regret, DIMS, n_calls=9, n_initial_points=4, random_state=1, batch_size=2,
                      distributions={"tau": ("gamma", ["shape", "mean"])}, callback=lambda r: seen.append(len(r.x_iters)))
    assert len(result.x_iters) == len(result.func_vals) == 9
    assert result.fun == pytest.approx(min(result.func_vals))
    assert result.x == result.x_iters[int(np.argmin(result.func_vals))]
    assert seen == [2, 4, 6, 8, 9]
    assert result.kernel.startswith("wasserstein-matern")
    stopped = minimize(_gamma_regret, DIMS, n_calls=9, n_initial_points=3, kernel="matern",
                       callback=lambda r: len(r.x_iters) >= 4)
    assert len(stopped.x_iters) == 4


def test_minimize_without_mapping_falls_back_to_matern_and_says_so():
    with pytest.warns(UserWarning, match="plain Mat"):
        result = minimize(lambda x: (x[0] - 0.2) ** 2 + 0.01 * x[1], [Real(0.0, 1.0), Integer(0, 5)],
                          n_calls=5, n_initial_points=3)
    assert result.kernel.startswith("matern")


def test_distribution_bo_beats_random_search_small():
    """Fast version of bench/bench_bo.py: 3 seeds, budget 15, one-Gamma problem."""
    summary = compare(analytic_problems()["gamma-1"], seeds=range(3), budget=15, methods=("wasserstein", "random"),
                      n_initial_points=5, threshold=0.01)
    bo, random = summary["methods"]["wasserstein"], summary["methods"]["random"]
    assert bo["median_final_regret"] < random["median_final_regret"]
    assert bo["median_final_regret"] < 0.01


@pytest.mark.parametrize("kernel,count,n_initial", [("wasserstein", 2, 3), ("wasserstein", 3, 4), ("matern", 2, 5)])
def test_batch_ask_and_tell_propose_exactly_what_skopt_proposes_with_half_the_fits(kernel, count, n_initial,
                                                                                    monkeypatch):
    """tell_batch / ask_batch against skopt's tell / ask(n_points): the same points at every step
    (so the same campaign), the same fitted GP in ``models``, and fewer GP fits. Fails if the random
    stream is not advanced exactly as skopt's skipped acquisition would (the next copy gets another seed)."""
    from skopt.learning import GaussianProcessRegressor

    from hetnet.bo.optimizer import ask_batch, make_optimizer, tell_batch

    fits = {"count": 0}
    original_fit = GaussianProcessRegressor.fit

    def counted_fit(self, X, y):
        fits["count"] += 1
        return original_fit(self, X, y)

    monkeypatch.setattr(GaussianProcessRegressor, "fit", counted_fit)
    distributions = {"tau": ("gamma", ["shape", "mean"])}
    ours = make_optimizer(DIMS, kernel, distributions, n_initial_points=n_initial, random_state=3)
    skopts = make_optimizer(DIMS, kernel, distributions, n_initial_points=n_initial, random_state=3)
    budget, told = 5 * count, 0
    fits_ours = fits_skopt = 0
    while told < budget:
        fits["count"] = 0
        expected = skopts.ask(n_points=count)
        values = [_gamma_regret(p) for p in expected]
        skopts.tell(expected, values)
        fits_skopt += fits["count"]
        fits["count"] = 0
        points = ask_batch(ours, count)
        assert points == expected, f"proposals differ after {told} evaluations"
        told += count
        tell_batch(ours, points, values, next_count=min(count, budget - told))
        fits_ours += fits["count"]
    assert len(ours.models) == len(skopts.models)
    assert [str(m.kernel_) for m in ours.models] == [str(m.kernel_) for m in skopts.models]
    np.testing.assert_array_equal(ours.models[-1].alpha_, skopts.models[-1].alpha_)
    # skopt per batch after the initial points: its tell, the copy's refit, one lie per point;
    # ours: the copy's refit and count - 1 lies (and a full tell after the last batch)
    assert fits_ours < fits_skopt
    assert fits_ours <= fits_skopt * count / (count + 2) + 2


def test_a_single_ask_after_a_batch_tell_is_refused():
    from hetnet.bo.optimizer import ask_batch, make_optimizer, tell_batch

    optimizer = make_optimizer(DIMS, "matern", n_initial_points=2, random_state=0)
    points = ask_batch(optimizer, 2)
    tell_batch(optimizer, points, [_gamma_regret(p) for p in points], next_count=2)
    with pytest.raises(RuntimeError, match="next_count=1"):
        ask_batch(optimizer, 1)


def _pipelined_run(arrival_order, depth=3, total=10, n_initial=4, seed=2):
    """Run PipelinedProposals on the Gamma problem; results arrive in ``arrival_order(in_flight)``."""
    from hetnet.bo.optimizer import PipelinedProposals, make_optimizer

    optimizer = make_optimizer(DIMS, "wasserstein", {"tau": ("gamma", ["shape", "mean"])},
                               n_initial_points=n_initial, random_state=seed)
    schedule = PipelinedProposals(optimizer, depth=depth, total=total)
    in_flight, proposed, told_before = dict(schedule.proposals()), {}, {}
    proposed.update(in_flight)
    for index in in_flight:
        told_before[index] = 0
    while in_flight:
        index = arrival_order(sorted(in_flight))
        made = schedule.record(index, _gamma_regret(in_flight.pop(index)))
        for new_index, point in made:
            told_before[new_index] = len(optimizer.yi)
        in_flight.update(made)
        proposed.update(made)
    return proposed, told_before, optimizer


def test_pipelined_proposals_do_not_depend_on_the_order_results_arrive_in():
    """Point i is proposed once the points up to i - depth are told, with i - depth + 1 .. i - 1 as
    lies, whatever finishes first: oldest first, youngest first and a random order agree."""
    rng = np.random.default_rng(0)
    oldest, told = _pipelined_run(lambda flight: flight[0])[:2]
    youngest = _pipelined_run(lambda flight: flight[-1])[0]
    shuffled, _, optimizer = _pipelined_run(lambda flight: flight[int(rng.integers(len(flight)))])
    assert oldest == youngest == shuffled
    assert sorted(oldest) == list(range(10))
    assert told == {i: max(0, i - 3 + 1) for i in range(10)}   # proposed after telling 0 .. i - depth
    assert len(optimizer.yi) == 10 and optimizer.models        # all told; the last tell fitted the model
    assert len({tuple(p) for p in oldest.values()}) == 10


def test_pipelined_depth_one_is_skopts_sequential_loop():
    from skopt import Optimizer  # noqa: F401 - the reference is make_optimizer's plain ask/tell
    from hetnet.bo.optimizer import make_optimizer

    proposed, _, _ = _pipelined_run(lambda flight: flight[0], depth=1, total=8, n_initial=3)
    reference = make_optimizer(DIMS, "wasserstein", {"tau": ("gamma", ["shape", "mean"])},
                               n_initial_points=3, random_state=2)
    points = []
    for _ in range(8):
        point = reference.ask()
        points.append(point)
        reference.tell(point, _gamma_regret(point))
    assert [proposed[i] for i in range(8)] == points


def test_a_pending_point_is_lied_about_with_the_best_value():
    """ask_pending's point is the one an optimiser told the pending points with min(yi) proposes."""
    from hetnet.bo.optimizer import _bare_copy, ask_pending, make_optimizer

    optimizer = make_optimizer(DIMS, "matern", n_initial_points=3, random_state=4)
    points = [optimizer.ask() for _ in range(3)]
    optimizer.tell(points, [_gamma_regret(p) for p in points])
    pending = [[3.0, 20.0], [8.0, 40.0]]
    state = optimizer.rng.get_state()
    ours = ask_pending(optimizer, pending)
    optimizer.rng.set_state(state)
    told = _bare_copy(optimizer, optimizer.rng.randint(0, np.iinfo(np.int32).max))
    told.tell(points + pending, [_gamma_regret(p) for p in points] + [min(optimizer.yi)] * 2)
    assert ours == told.ask()
    assert len(optimizer.yi) == 3          # the optimiser itself learnt nothing from the lies


def test_pipelined_minimize_finds_the_gamma_optimum():
    """The pipelined schedule still optimises (its quality against batches: bench/results/schedule.json)."""
    summary = compare(analytic_problems()["gamma-1"], seeds=range(3), budget=15, methods=("wasserstein", "random"),
                      n_initial_points=5, threshold=0.01, batch_size=2, schedule="pipeline")
    bo, random = summary["methods"]["wasserstein"], summary["methods"]["random"]
    assert bo["median_final_regret"] < random["median_final_regret"]
    assert bo["median_final_regret"] < 0.01


def test_schedule_errors():
    from hetnet.bo.optimizer import PipelinedProposals, make_optimizer

    with pytest.raises(ValueError, match="schedule must be one of"):
        minimize(_gamma_regret, DIMS, n_calls=3, schedule="async")
    with pytest.raises(ValueError, match="x0"):
        minimize(_gamma_regret, DIMS, n_calls=3, schedule="pipeline", x0=[[2.0, 20.0]])
    schedule = PipelinedProposals(make_optimizer(DIMS, "matern"), depth=2, total=4)
    schedule.proposals()
    with pytest.raises(ValueError, match="not in flight"):
        schedule.record(7, 0.1)


def test_acquisition_restarts_reach_skopts_acquisition_optimiser():
    from unittest import mock

    from hetnet.bo.optimizer import DEFAULT_ACQUISITION_RESTARTS, make_optimizer

    assert make_optimizer(DIMS, "matern").acq_optimizer_kwargs["n_restarts_optimizer"] == DEFAULT_ACQUISITION_RESTARTS
    assert make_optimizer(DIMS, "matern", acquisition_restarts=2).n_restarts_optimizer == 2
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="acquisition_restarts"):
            make_optimizer(DIMS, "matern", acquisition_restarts=bad)
    import scipy.optimize
    calls = []
    real = scipy.optimize.fmin_l_bfgs_b

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    with mock.patch("skopt.optimizer.optimizer.fmin_l_bfgs_b", counting):
        minimize(_gamma_regret, DIMS, n_calls=5, n_initial_points=4, kernel="matern", acquisition_restarts=3)
        assert len(calls) == 6      # the fourth and the fifth tell fit and acquire: 3 L-BFGS starts each
        calls.clear()
        minimize(_gamma_regret, DIMS, n_calls=5, n_initial_points=4, kernel="matern", acquisition_restarts=1)
        assert len(calls) == 2
