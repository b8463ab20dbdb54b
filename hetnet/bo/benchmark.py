"""Analytic benchmark problems on distributions, and random search (evidence for issue 5).

Each problem is a search space of distributions and an
:class:`~hetnet.bo.objectives.AnalyticObjective` with a known optimum
(regret 0 at the target distributions). :func:`compare` runs the
Wasserstein–Matérn BO, the plain-Matérn BO (raw normalised parameters) and
uniform random search on the same problem and seeds and returns the best
regret after each evaluation. ``bench/bench_bo.py`` runs it over 10 seeds;
the test suite runs a small version.

Examples
--------
>>> problem = analytic_problems()["gamma-1"]
>>> problem.objective(problem.optimum, 0)["metrics"]["regret"]
0.0
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
from skopt.space import Space

from hetnet.bo.objectives import AnalyticObjective, analytic_space, analytic_targets
from hetnet.bo.optimizer import DEFAULT_ACQUISITION_RESTARTS, minimize
from hetnet.bo.space import DistributionParameter, SearchSpace
from hetnet.distributions import Gamma, LogNormal

__all__ = ["AnalyticProblem", "analytic_problems", "random_search", "run_method", "compare", "METHODS"]

logger = logging.getLogger(__name__)

METHODS = ("wasserstein", "matern", "random")


@dataclass
class AnalyticProblem:
    """A search space, an analytic objective (maximised, optimum 0) and the optimal point."""

    name: str
    space: SearchSpace
    objective: AnalyticObjective
    optimum: list
    description: str


def analytic_problems() -> dict:
    """Three problems with known optima.

    * ``gamma-1``: one Gamma (shape 1-20, mean 5-50 ms); target mean 25, std 10
      (shape 6.25); moment criterion.
    * ``gamma-2-w2``: E and I Gammas (:func:`~hetnet.bo.objectives.analytic_space`);
      targets Gamma(6.25, 25) and Gamma(4, 8); W2 criterion.
    * ``lognormal-gamma``: a LogNormal (mean 5-50, std 1-30; target 20, 6) and a
      Gamma (target shape 4, mean 8); moment criterion.
    """
    one = SearchSpace([DistributionParameter("excitatory.tau_m_ms", "gamma", {"shape": (1.0, 20.0), "mean": (5.0, 50.0)})])
    mixed = SearchSpace([
        DistributionParameter("excitatory.tau_m_ms", "lognormal", {"mean": (5.0, 50.0), "std": (1.0, 30.0)}),
        DistributionParameter("inhibitory.tau_m_ms", "gamma", {"shape": (1.0, 20.0), "mean": (2.0, 30.0)}),
    ])
    two = analytic_space()
    return {
        "gamma-1": AnalyticProblem("gamma-1", one, AnalyticObjective(one, {"excitatory.tau_m_ms": Gamma(6.25, 25.0)}),
                                   [6.25, 25.0], "one Gamma, target mean 25 std 10, moment criterion"),
        "gamma-2-w2": AnalyticProblem("gamma-2-w2", two, AnalyticObjective(two, analytic_targets(), criterion="w2"),
                                      [6.25, 25.0, 4.0, 8.0], "two Gammas, W2 to targets"),
        "lognormal-gamma": AnalyticProblem(
            "lognormal-gamma", mixed,
            AnalyticObjective(mixed, {"excitatory.tau_m_ms": LogNormal(20.0, 6.0), "inhibitory.tau_m_ms": Gamma(4.0, 8.0)}),
            [20.0, 6.0, 4.0, 8.0], "LogNormal + Gamma, moment criterion"),
    }


def random_search(problem: AnalyticProblem, budget: int, seed: int) -> np.ndarray:
    """Regrets of ``budget`` uniform random candidates (skopt ``Space.rvs``)."""
    points = Space(problem.space.dimensions).rvs(budget, random_state=seed)
    return np.array([problem.objective(p, seed)["metrics"]["regret"] for p in points])


def run_method(problem: AnalyticProblem, method: str, budget: int, seed: int, n_initial_points: int = 5,
               batch_size: int = 1, schedule: str = "batch", depth: int | None = None,
               acquisition_restarts: int = DEFAULT_ACQUISITION_RESTARTS) -> np.ndarray:
    """Regret of each evaluation of ``method`` (``wasserstein``, ``matern`` or ``random``).

    ``batch_size``, ``schedule``, ``depth`` and ``acquisition_restarts`` as in
    :func:`hetnet.bo.optimizer.minimize` (the proposals
    of a campaign on ``batch_size`` workers; random search ignores them).
    """
    if method == "random":
        return random_search(problem, budget, seed)

    def regret(point):
        return problem.objective(point, seed)["metrics"]["regret"]

    result = minimize(regret, problem.space.dimensions, n_calls=budget, n_initial_points=n_initial_points,
                      random_state=seed, kernel=method, distributions=problem.space, batch_size=batch_size,
                      schedule=schedule, depth=depth, acquisition_restarts=acquisition_restarts)
    return np.asarray(result.func_vals, dtype=float)


def compare(problem: AnalyticProblem, seeds, budget: int, methods=METHODS, n_initial_points: int = 5,
            threshold: float = 0.01, batch_size: int = 1, schedule: str = "batch", depth: int | None = None,
            acquisition_restarts: int = DEFAULT_ACQUISITION_RESTARTS) -> dict:
    """Run every method on every seed; summarise best regret and evaluations to reach ``threshold``.

    ``batch_size``, ``schedule``, ``depth`` and ``acquisition_restarts``: see :func:`run_method`.

    Returns a JSON-ready dict: per method the best-regret curve per seed,
    the median final best regret, the fraction of seeds reaching
    ``regret <= threshold`` within the budget, the median evaluations
    needed (``None`` where not reached) and the wall time.
    """
    summary = {"problem": problem.name, "description": problem.description, "budget": budget,
               "threshold": threshold, "seeds": list(seeds), "n_initial_points": n_initial_points, "methods": {}}
    for method in methods:
        curves, reached, start = [], [], time.perf_counter()
        for seed in seeds:
            regrets = run_method(problem, method, budget, seed, n_initial_points, batch_size, schedule, depth,
                                 acquisition_restarts)
            best = np.minimum.accumulate(regrets)
            curves.append(best.tolist())
            hits = np.flatnonzero(best <= threshold)
            reached.append(int(hits[0]) + 1 if hits.size else None)
        finals = np.array([c[-1] for c in curves])
        hit_counts = [r for r in reached if r is not None]
        summary["methods"][method] = {
            "median_final_regret": float(np.median(finals)),
            "final_regrets": finals.tolist(),
            "fraction_reached": len(hit_counts) / len(reached),
            "evaluations_to_threshold": reached,
            "median_evaluations_to_threshold": float(np.median(hit_counts)) if len(hit_counts) * 2 > len(reached) else None,
            "median_curve": np.median(np.array(curves), axis=0).tolist(),
            "wall_s": time.perf_counter() - start,
        }
    return summary
