"""Bayesian optimisation over parameter distributions (:ref:`science-bo`). No Brian2 here.

================================  ==============================================
search space                      :class:`SearchSpace`, :func:`network_search_space`,
                                  :class:`DistributionParameter`, :class:`ScalarParameter`
Wasserstein distances             :func:`wasserstein_1d_grid`, :func:`wasserstein_1d_exact`,
                                  :func:`wasserstein_samples`, :func:`sinkhorn_divergence`,
                                  :func:`quantile_embedding`, :func:`combined_distance`
kernel                            :class:`WassersteinMatern`, :class:`WassersteinEmbedding`,
                                  :class:`DistributionGroups`, :func:`matern_correlation`
acquisition, optimiser            :func:`expected_improvement`, :func:`make_optimizer`,
                                  :func:`minimize` (gp_minimize idiom)
objectives                        :class:`NetworkObjective`, :class:`AnalyticObjective`,
                                  :func:`make_objective`
engines                           :func:`make_engine` (process pool, Dask, serial)
campaigns                         :func:`run_campaign`, :func:`resume_campaign`, :class:`Journal`
================================  ==============================================

Examples
--------
>>> from skopt.space import Real
>>> from hetnet.bo import minimize
>>> result = minimize(lambda x: (x[0] - 20.0) ** 2 + (x[1] - 3.0) ** 2,
...                   [Real(1.0, 10.0, name="shape"), Real(5.0, 50.0, name="mean")][::-1],
...                   n_calls=6, distributions={"tau": ("gamma", ["shape", "mean"])})
>>> len(result.x_iters)
6
"""
from hetnet.bo.acquisition import DEFAULT_XI, expected_improvement
from hetnet.bo.campaign import best_so_far, evaluation_seed, plot_best_so_far, resume_campaign, run_campaign
from hetnet.bo.engine import DaskEngine, ProcessPoolEngine, SerialEngine, evaluate_candidate, make_engine
from hetnet.bo.journal import Journal, read_journal
from hetnet.bo.kernels import DistributionGroups, WassersteinEmbedding, WassersteinMatern, matern_correlation
from hetnet.bo.objectives import (
    NETWORK_OBJECTIVES,
    OBJECTIVES,
    AnalyticObjective,
    NetworkObjective,
    analytic_space,
    analytic_targets,
    make_objective,
)
from hetnet.bo.optimizer import KERNELS, make_kernel, make_optimizer, minimize
from hetnet.bo.space import DistributionParameter, ScalarParameter, SearchSpace, network_search_space
from hetnet.bo.wasserstein import (
    combined_distance,
    quantile_embedding,
    sinkhorn_divergence,
    wasserstein_1d_exact,
    wasserstein_1d_grid,
    wasserstein_samples,
)

__all__ = [
    "DEFAULT_XI", "expected_improvement",
    "best_so_far", "evaluation_seed", "plot_best_so_far", "resume_campaign", "run_campaign",
    "DaskEngine", "ProcessPoolEngine", "SerialEngine", "evaluate_candidate", "make_engine",
    "Journal", "read_journal",
    "DistributionGroups", "WassersteinEmbedding", "WassersteinMatern", "matern_correlation",
    "NETWORK_OBJECTIVES", "OBJECTIVES", "AnalyticObjective", "NetworkObjective", "analytic_space",
    "analytic_targets", "make_objective",
    "KERNELS", "make_kernel", "make_optimizer", "minimize",
    "DistributionParameter", "ScalarParameter", "SearchSpace", "network_search_space",
    "combined_distance", "quantile_embedding", "sinkhorn_divergence", "wasserstein_1d_exact",
    "wasserstein_1d_grid", "wasserstein_samples",
]
