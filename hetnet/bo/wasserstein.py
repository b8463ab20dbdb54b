r"""Wasserstein distances between parameter distributions.

One-dimensional distributions are compared through their quantile
functions: for distributions P and Q on the real line,

.. math:: W_p(P, Q)^p = \int_0^1 \left|F_P^{-1}(u) - F_Q^{-1}(u)\right|^p \, du.

The integral is evaluated on a *fixed grid* of quantile levels. We
substitute ``u = Phi(t)`` (Phi the standard normal CDF), which turns the
integral into an expectation over a standard normal variable,
``E_t |F_P^-1(Phi(t)) - F_Q^-1(Phi(t))|^p``, and evaluate it with
probabilists' Gauss–Hermite quadrature (``n_levels`` nodes, positive
weights summing to one). The substitution puts nodes deep in both tails,
where heavy-tailed distributions (Gamma with small shape, LogNormal) carry
most of the distance; with 32 nodes the relative error against adaptive
quadrature is below 1e-6 for the Gamma/LogNormal pairs in the tests, whereas
a 64-point midpoint grid in ``u`` is off by up to 28 %.

Because the weights are positive, ``sqrt(w_i) * F^-1(Phi(t_i))`` is a
Euclidean embedding of each distribution in which the Euclidean distance
*is* the grid W2 distance (:func:`quantile_embedding`). The kernels in
:mod:`hetnet.bo.kernels` are built on that embedding.

Exact references: :func:`wasserstein_1d_exact` integrates the quantile
difference adaptively (scipy), :func:`wasserstein_samples` is POT's exact
optimal-transport value between two sample sets (1-D or multivariate) and
:func:`sinkhorn_divergence` POT's entropic (debiased) counterpart for
multivariate distributions.

Examples
--------
>>> from hetnet.distributions import Gamma
>>> from hetnet.bo.wasserstein import wasserstein_1d_grid
>>> round(wasserstein_1d_grid(Gamma(3.0, 20.0), Gamma(3.0, 25.0)), 6)   # pure scaling: |m1 - m2| * sqrt(E[X^2]) / m
5.773503
"""
from __future__ import annotations

import logging
import math
from typing import Sequence

import numpy as np
from scipy import integrate, special, stats

from hetnet.distributions import Constant, Distribution, Gamma, LogNormal, Uniform

__all__ = [
    "DEFAULT_LEVELS",
    "quantile_grid",
    "normal_score_quantile",
    "quantile_embedding",
    "wasserstein_1d_grid",
    "wasserstein_1d_exact",
    "wasserstein_samples",
    "sinkhorn_divergence",
    "combined_distance",
]

logger = logging.getLogger(__name__)

DEFAULT_LEVELS = 32


def quantile_grid(n_levels: int = DEFAULT_LEVELS):
    """Normal scores ``t``, quantile levels ``u = Phi(t)`` and weights of the grid.

    Parameters
    ----------
    n_levels : int
        Number of Gauss–Hermite nodes (probabilists' convention).

    Returns
    -------
    normal_scores, levels, weights : ndarray
        Each of length ``n_levels``; ``weights`` are positive and sum to 1.

    Examples
    --------
    >>> scores, levels, weights = quantile_grid(8)
    >>> round(float(weights.sum()), 12), bool(np.all(weights > 0))
    (1.0, True)
    """
    if int(n_levels) < 2:
        raise ValueError(f"n_levels must be >= 2; got {n_levels!r}")
    scores, weights = np.polynomial.hermite_e.hermegauss(int(n_levels))
    weights = weights / weights.sum()
    return scores, stats.norm.cdf(scores), weights


def normal_score_quantile(distribution: Distribution, normal_scores) -> np.ndarray:
    """Quantile function of ``distribution`` at levels ``Phi(normal_scores)``.

    Computed in a tail-accurate way for the built-in kinds (the upper tail
    goes through the survival function, so levels like ``1 - 1e-20`` are not
    rounded to 1); any other :class:`~hetnet.distributions.Distribution`
    falls back to ``distribution.quantile`` with levels clipped to
    ``[1e-15, 1 - 1e-15]``.

    Examples
    --------
    >>> from hetnet.distributions import LogNormal
    >>> d = LogNormal(mean=10.0, std=5.0)
    >>> bool(np.isclose(normal_score_quantile(d, [0.0])[0], d.quantile(0.5)))
    True
    """
    scores = np.asarray(normal_scores, dtype=float)
    if isinstance(distribution, Gamma):
        lower = special.gammaincinv(distribution.shape, stats.norm.cdf(np.minimum(scores, 0.0)))
        upper = special.gammainccinv(distribution.shape, stats.norm.sf(np.maximum(scores, 0.0)))
        return np.where(scores < 0, lower, upper) * distribution.scale
    if isinstance(distribution, LogNormal):
        return np.exp(distribution.mu + distribution.sigma * scores)
    if isinstance(distribution, Uniform):
        return distribution.low + stats.norm.cdf(scores) * (distribution.high - distribution.low)
    if isinstance(distribution, Constant):
        return np.full(scores.shape, distribution.value)
    levels = np.clip(stats.norm.cdf(scores), 1e-15, 1 - 1e-15)
    return np.asarray(distribution.quantile(levels), dtype=float)


def quantile_embedding(distribution: Distribution, n_levels: int = DEFAULT_LEVELS, *, log: bool = False) -> np.ndarray:
    """Euclidean embedding ``sqrt(w_i) * F^-1(Phi(t_i))`` of a 1-D distribution.

    The Euclidean distance between two embeddings equals the grid W2
    distance between the distributions (:func:`wasserstein_1d_grid`).
    With ``log=True`` the quantiles are log-transformed first: the distance
    is then W2 between the laws of ``log X`` (a valid Wasserstein distance
    on the log scale, meant for positive parameters spanning decades).

    Examples
    --------
    >>> from hetnet.distributions import Gamma
    >>> a, b = Gamma(2.0, 10.0), Gamma(5.0, 12.0)
    >>> d = np.linalg.norm(quantile_embedding(a) - quantile_embedding(b))
    >>> bool(np.isclose(d, wasserstein_1d_grid(a, b)))
    True
    """
    scores, _, weights = quantile_grid(n_levels)
    values = normal_score_quantile(distribution, scores)
    if log:
        values = np.log(values)
    return np.sqrt(weights) * values


def wasserstein_1d_grid(first: Distribution, second: Distribution, order: int = 2, n_levels: int = DEFAULT_LEVELS) -> float:
    """W_order between two 1-D distributions on the fixed Gauss–Hermite quantile grid.

    Parameters
    ----------
    first, second : Distribution
    order : {1, 2}
        1 gives W1, 2 gives W2.
    n_levels : int
        Grid size (32 by default; see the module docstring for its accuracy).

    Examples
    --------
    >>> from hetnet.distributions import Constant
    >>> wasserstein_1d_grid(Constant(1.0), Constant(4.0))
    3.0
    """
    scores, _, weights = quantile_grid(n_levels)
    difference = np.abs(normal_score_quantile(first, scores) - normal_score_quantile(second, scores))
    return float(np.sum(weights * difference**order) ** (1.0 / order))


def wasserstein_1d_exact(first: Distribution, second: Distribution, order: int = 2) -> float:
    """W_order by adaptive quadrature of the quantile difference (scipy ``quad``).

    The reference against which the grid is tested; slow (milliseconds).

    Examples
    --------
    >>> from hetnet.distributions import Gamma
    >>> a, b = Gamma(3.0, 20.0), Gamma(1.5, 30.0)
    >>> abs(wasserstein_1d_exact(a, b) / wasserstein_1d_grid(a, b) - 1) < 1e-6
    True
    """
    def integrand(score):
        difference = normal_score_quantile(first, np.array([score])) - normal_score_quantile(second, np.array([score]))
        return float(np.abs(difference[0]) ** order * stats.norm.pdf(score))

    value, _ = integrate.quad(
        integrand, -30.0, 30.0, points=[-5.0, -2.0, 0.0, 2.0, 5.0], limit=1000, epsabs=0.0, epsrel=1e-11
    )
    return float(value ** (1.0 / order))


def _as_samples(values) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array[:, None] if array.ndim == 1 else array


def wasserstein_samples(first_samples, second_samples, order: int = 2) -> float:
    """Exact W_order between two empirical distributions with POT.

    1-D samples use ``ot.wasserstein_1d`` (sorting, O(n log n)); multivariate
    samples (shape ``(n, dims)``) solve the exact transport problem with
    ``ot.emd2`` on the Euclidean cost raised to ``order``, uniform weights.

    Examples
    --------
    >>> wasserstein_samples([0.0, 1.0], [2.0, 3.0], order=1)
    2.0
    """
    import ot

    first, second = _as_samples(first_samples), _as_samples(second_samples)
    if first.shape[1] != second.shape[1]:
        raise ValueError(f"samples differ in dimension: {first.shape[1]} vs {second.shape[1]}")
    if first.shape[1] == 1:
        return float(ot.wasserstein_1d(first[:, 0], second[:, 0], p=order) ** (1.0 / order))
    cost = ot.dist(first, second, metric="euclidean") ** order
    weights_first = np.full(len(first), 1.0 / len(first))
    weights_second = np.full(len(second), 1.0 / len(second))
    return float(ot.emd2(weights_first, weights_second, cost) ** (1.0 / order))


def sinkhorn_divergence(first_samples, second_samples, regularisation: float = 0.05, order: int = 2) -> float:
    """Debiased Sinkhorn divergence between two (multivariate) sample sets, POT.

    ``S = OT_eps(a, b) - (OT_eps(a, a) + OT_eps(b, b)) / 2`` with ``OT_eps``
    the entropic transport cost (``ot.sinkhorn2``) on the Euclidean cost
    raised to ``order``; ``eps = regularisation * mean cost`` so the value
    is insensitive to the units. ``S >= 0``, ``S = 0`` for equal samples,
    and S tends to W_order^order as ``regularisation`` goes to 0.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(50, 2))
    >>> sinkhorn_divergence(x, x) == 0.0
    True
    """
    import ot

    first, second = _as_samples(first_samples), _as_samples(second_samples)

    def entropic(a, b, epsilon):
        cost = ot.dist(a, b, metric="euclidean") ** order
        return float(
            ot.sinkhorn2(np.full(len(a), 1.0 / len(a)), np.full(len(b), 1.0 / len(b)), cost, epsilon,
                         numItermax=5000, stopThr=1e-10)
        )

    scale = float(np.mean(ot.dist(first, second, metric="euclidean") ** order)) or 1.0
    epsilon = regularisation * scale
    value = entropic(first, second, epsilon) - 0.5 * (entropic(first, first, epsilon) + entropic(second, second, epsilon))
    return max(0.0, value)


def combined_distance(
    first: Sequence[Distribution],
    second: Sequence[Distribution],
    scales: Sequence[float] | None = None,
    n_levels: int = DEFAULT_LEVELS,
) -> float:
    """Distance between two candidates: per-parameter grid W2 combined in quadrature.

    ``d = sqrt(sum_p (W2(P_p, Q_p) / scale_p)^2)``; ``scales`` (default 1)
    make parameters with different units comparable.

    Examples
    --------
    >>> from hetnet.distributions import Constant
    >>> combined_distance([Constant(0.0), Constant(0.0)], [Constant(3.0), Constant(4.0)])
    5.0
    """
    if len(first) != len(second):
        raise ValueError(f"candidates have {len(first)} and {len(second)} distributions")
    scales = np.ones(len(first)) if scales is None else np.asarray(scales, dtype=float)
    parts = [wasserstein_1d_grid(a, b, 2, n_levels) / s for a, b, s in zip(first, second, scales)]
    return float(math.sqrt(sum(p * p for p in parts)))
