"""Expected improvement (:ref:`science-bo-acquisition`), written for maximisation.

``EI = (mu - f+ - xi) Phi(Z) + sigma phi(Z)``, ``Z = (mu - f+ - xi) / sigma``,
with ``f+`` the best objective value observed so far and ``xi = 0.01``.

The optimisation loop runs scikit-optimize's ``Optimizer`` on the *negated*
objective (skopt minimises) with ``acq_func="EI"`` and ``xi``; skopt's EI,
``(y_min - mu' - xi) Phi + sigma phi`` with ``mu' = -mu`` and
``y_min = -f+``, is the same number. The test suite checks that identity,
so this function is the reference implementation of what the loop uses.

Examples
--------
>>> import numpy as np
>>> from hetnet.bo.acquisition import expected_improvement
>>> float(expected_improvement(np.array([1.0]), np.array([0.0]), best=0.5, xi=0.0)[0])
0.5
"""
from __future__ import annotations

import logging

import numpy as np
from scipy import stats

__all__ = ["DEFAULT_XI", "expected_improvement"]

logger = logging.getLogger(__name__)

DEFAULT_XI = 0.01


def expected_improvement(mean, std, best: float, xi: float = DEFAULT_XI) -> np.ndarray:
    """Expected improvement over ``best`` of a Gaussian posterior (maximisation).

    Parameters
    ----------
    mean, std : array_like
        Posterior mean and standard deviation at the candidates.
    best : float
        Best (largest) objective value observed, ``f+``.
    xi : float
        Exploration margin (0.01 by default, as in the ICLR 2023 paper).

    Returns
    -------
    ndarray
        EI at each candidate; where ``std == 0`` it is ``max(mu - f+ - xi, 0)``.

    Examples
    --------
    >>> round(float(expected_improvement([0.0], [1.0], best=0.0, xi=0.0)[0]), 6)   # sigma * phi(0)
    0.398942
    """
    mean = np.asarray(mean, dtype=float)
    std = np.asarray(std, dtype=float)
    improvement = mean - best - xi
    with np.errstate(divide="ignore", invalid="ignore"):
        z = improvement / std
        value = improvement * stats.norm.cdf(z) + std * stats.norm.pdf(z)
    return np.where(std > 0, value, np.maximum(improvement, 0.0))
