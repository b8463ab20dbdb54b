"""Step IV of Lyapunov noise pruning: optimise the tau_m distribution (edge of chaos).

See :ref:`science-lnp-timescales`. The membrane time constants of the pruned network are
re-drawn from a Gamma distribution per population (shape ``k``, mean ``m``;
four numbers: ``k_E, m_E, k_I, m_I``), and Bayesian optimisation searches
those four numbers for the network whose largest Lyapunov exponent is
closest to a target (default 0: the edge of chaos).

Choices:

* **Deterministic re-draw.** Neuron ``i`` of a population of size ``n``
  with rank ``r_i`` (by its current ``tau_m``) gets the Gamma quantile at
  ``(r_i + 1/2) / n``. The objective is then a deterministic function of
  the four parameters (no sampling noise for the GP), and slow neurons stay
  the slow ones.
* **Objective.** ``|lambda_max(tau) - target| `` in 1/s, with
  ``lambda_max`` from :func:`hetnet.analysis.network_lyapunov` on the
  weights divided by ``weight_normalisation_mV`` (distance from rest to
  threshold, 13 mV for the default thresholds), as that function asks.
* **Optimiser.** ``minimize`` is injectable with the
  ``skopt.gp_minimize`` signature; by default :func:`hetnet.bo.minimize`
  (the project's GP with the Wasserstein-Matern kernel; it is told that
  ``(shape_excitatory, mean_excitatory_ms)`` and
  ``(shape_inhibitory, mean_inhibitory_ms)`` are two Gamma distributions), or
  ``skopt.gp_minimize`` when ``hetnet.bo`` cannot be imported.

Examples
--------
>>> import numpy as np
>>> from hetnet.pruning.timescales import quantile_timescales
>>> quantile_timescales(np.array([5.0, 1.0, 3.0]), shape=3.0, mean=10.0).round(2).tolist()
[15.21, 4.67, 8.91]
"""
from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from hetnet.distributions import Gamma

__all__ = [
    "DEFAULT_BOUNDS",
    "MIN_TAU_MS",
    "quantile_timescales",
    "resolve_minimize",
    "resolve_lyapunov",
    "TimescaleResult",
    "optimize_timescales",
]

logger = logging.getLogger(__name__)

#: smallest time constant step IV assigns (ms)
MIN_TAU_MS = 1.0

#: search box: (shape_E, mean_E ms, shape_I, mean_I ms); shape >= 2 keeps the
#: lowest quantiles away from 0 ms (shape 1 is an exponential distribution)
DEFAULT_BOUNDS = {
    "shape_excitatory": (2.0, 20.0),
    "mean_excitatory_ms": (5.0, 60.0),
    "shape_inhibitory": (2.0, 20.0),
    "mean_inhibitory_ms": (2.0, 40.0),
}


def quantile_timescales(current_tau_ms, *, shape: float, mean: float) -> np.ndarray:
    """Gamma(shape, mean) quantiles assigned by the rank of ``current_tau_ms``.

    >>> int(quantile_timescales(np.array([2.0, 1.0]), shape=2.0, mean=10.0).argmax())
    0
    """
    current = np.asarray(current_tau_ms, dtype=float)
    n = current.size
    if n == 0:
        return current.copy()
    ranks = np.empty(n, dtype=float)
    ranks[np.argsort(current, kind="stable")] = np.arange(n)
    return np.asarray(Gamma(shape=float(shape), mean=float(mean)).quantile((ranks + 0.5) / n), dtype=float)


def resolve_minimize(minimize: Optional[Callable] = None):
    """The optimiser: ``minimize`` if given, else ``hetnet.bo.minimize``, else ``skopt.gp_minimize``.

    Returns ``(function, name)``.

    >>> resolve_minimize(lambda *a, **k: None)[1]
    'injected'
    """
    if minimize is not None:
        return minimize, "injected"
    try:
        from hetnet.bo import minimize as bo_minimize

        return bo_minimize, "hetnet.bo.minimize"
    except ImportError:
        from skopt import gp_minimize

        warnings.warn("hetnet.bo.minimize is not available; step IV falls back to skopt.gp_minimize", RuntimeWarning)
        return gp_minimize, "skopt.gp_minimize"


def resolve_lyapunov(lyapunov_function: Optional[Callable] = None):
    """The Lyapunov estimator: the argument, else :func:`hetnet.analysis.network_lyapunov`.

    >>> resolve_lyapunov().__name__
    'network_lyapunov'
    """
    if lyapunov_function is not None:
        return lyapunov_function
    from hetnet.analysis import network_lyapunov

    return network_lyapunov


@dataclass
class TimescaleResult:
    """Outcome of :func:`optimize_timescales`.

    Attributes
    ----------
    tau_m_ms : ndarray
        Optimised time constants of the network's neurons.
    parameters : dict
        Best ``shape_excitatory, mean_excitatory_ms, shape_inhibitory, mean_inhibitory_ms``.
    max_exponent_per_s : float
        Largest Lyapunov exponent at the optimum.
    initial_max_exponent_per_s : float
        The same for the input ``tau_m_ms``.
    objective_values : list of float
        Objective at every evaluation.
    optimizer : str
        Which optimiser ran.
    seconds : float
    """

    tau_m_ms: np.ndarray
    parameters: dict
    max_exponent_per_s: float
    initial_max_exponent_per_s: float
    objective_values: list = field(default_factory=list)
    optimizer: str = ""
    seconds: float = 0.0


def optimize_timescales(weights_mV, tau_m_ms, is_excitatory, *, target_exponent_per_s: float = 0.0,
                        n_calls: int = 20, n_initial_points: int = 5, seed: int = 0,
                        bounds: Optional[dict] = None, minimize: Optional[Callable] = None,
                        lyapunov_function: Optional[Callable] = None, lyapunov_options: Optional[dict] = None,
                        weight_normalisation_mV: float = 13.0) -> TimescaleResult:
    """Bayesian optimisation of the per-population Gamma tau_m distribution (LNP step IV).

    Parameters
    ----------
    weights_mV : array_like or sparse, shape (N, N)
        ``[pre, post]`` weights of the pruned network (mV).
    tau_m_ms : array_like, shape (N,)
        Current time constants (their ranks are kept).
    is_excitatory : array_like of bool, shape (N,)
    target_exponent_per_s : float
        Target largest exponent (0: edge of chaos).
    n_calls, n_initial_points, seed :
        Passed to the optimiser (``random_state=seed``).
    bounds : dict, optional
        Overrides of :data:`DEFAULT_BOUNDS`.
    minimize : callable, optional
        ``minimize(objective, dimensions, n_calls=, n_initial_points=, random_state=)``
        returning an object with ``.x`` and ``.func_vals``; see :func:`resolve_minimize`.
    lyapunov_function : callable, optional
        ``f(weights, tau_m_ms, **lyapunov_options)`` returning an object with
        ``max_exponent_per_s``; default :func:`hetnet.analysis.network_lyapunov`.
    lyapunov_options : dict, optional
        Keyword arguments of the Lyapunov estimator (default: 1 exponent,
        300 steps after 100 warm-up steps, ``dt_ms=1``, ``input_std=0.1``).
    weight_normalisation_mV : float
        Weights are divided by this before the Lyapunov estimate.

    Returns
    -------
    TimescaleResult

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> fake = lambda w, tau, **o: SimpleNamespace(max_exponent_per_s=float(np.mean(tau)) - 20.0)
    >>> def grid(objective, dimensions, **options):
    ...     points = [[2.0, m, 2.0, m] for m in (10.0, 20.0, 30.0)]
    ...     values = [objective(p) for p in points]
    ...     return SimpleNamespace(x=points[int(np.argmin(values))], func_vals=np.array(values))
    >>> result = optimize_timescales(np.zeros((4, 4)), [10.0, 20, 30, 40], [True, True, False, False],
    ...                              minimize=grid, lyapunov_function=fake)
    >>> result.parameters["mean_excitatory_ms"]
    20.0
    """
    from skopt.space import Real

    start = time.perf_counter()
    tau = np.asarray(tau_m_ms, dtype=float)
    excitatory = np.asarray(is_excitatory, dtype=bool)
    if tau.shape != excitatory.shape:
        raise ValueError("tau_m_ms and is_excitatory need one entry per neuron")
    box = dict(DEFAULT_BOUNDS)
    box.update(bounds or {})
    names = list(DEFAULT_BOUNDS)
    dimensions = [Real(float(box[name][0]), float(box[name][1]), name=name) for name in names]
    options = {"n_exponents": 1, "n_steps": 300, "warmup_steps": 100, "dt_ms": 1.0, "input_std": 0.1, "seed": seed}
    options.update(lyapunov_options or {})
    estimator = resolve_lyapunov(lyapunov_function)
    optimiser, optimiser_name = resolve_minimize(minimize)
    scaled = weights_mV / float(weight_normalisation_mV)

    def timescales(values):
        parameters = dict(zip(names, (float(v) for v in values)))
        new_tau = tau.copy()
        if excitatory.any():
            new_tau[excitatory] = quantile_timescales(tau[excitatory], shape=parameters["shape_excitatory"],
                                                      mean=parameters["mean_excitatory_ms"])
        if (~excitatory).any():
            new_tau[~excitatory] = quantile_timescales(tau[~excitatory], shape=parameters["shape_inhibitory"],
                                                       mean=parameters["mean_inhibitory_ms"])
        # floor: a time constant near the integration step would make the surrogate meaningless
        return np.maximum(new_tau, MIN_TAU_MS), parameters

    evaluations = []

    def objective(values):
        new_tau, _ = timescales(values)
        exponent = float(estimator(scaled, new_tau, **options).max_exponent_per_s)
        value = abs(exponent - target_exponent_per_s)
        evaluations.append((np.asarray(values, dtype=float), value, exponent))
        return value

    initial_exponent = float(estimator(scaled, np.maximum(tau, MIN_TAU_MS), **options).max_exponent_per_s)
    extra = {}
    if optimiser_name == "hetnet.bo.minimize":
        # the Wasserstein-Matern kernel compares the two Gamma distributions the point describes
        extra["distributions"] = {
            "tau_m_excitatory": ("gamma", ["shape_excitatory", "mean_excitatory_ms"]),
            "tau_m_inhibitory": ("gamma", ["shape_inhibitory", "mean_inhibitory_ms"]),
        }
    result = optimiser(objective, dimensions, n_calls=int(n_calls), n_initial_points=int(n_initial_points),
                       random_state=int(seed), **extra)
    best_tau, best_parameters = timescales(result.x)
    values = [value for _, value, _ in evaluations]
    best_x = np.asarray(result.x, dtype=float)
    matches = [exponent for point, _, exponent in evaluations if np.allclose(point, best_x)]
    if matches:
        best_exponent = matches[0]
    else:
        best_exponent = float(estimator(scaled, best_tau, **options).max_exponent_per_s)
    return TimescaleResult(
        tau_m_ms=best_tau, parameters=best_parameters, max_exponent_per_s=float(best_exponent),
        initial_max_exponent_per_s=initial_exponent, objective_values=values, optimizer=optimiser_name,
        seconds=time.perf_counter() - start,
    )
