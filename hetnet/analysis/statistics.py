"""Paired comparisons across seeds, and the one rule that turns them into a verdict on a claim.

A paper claim such as "MC(HeNHeS) > MC(HoNHoS)" is tested on values
measured with the same seeds (the variants of one seed share their structure
and inputs, so the seeds pair them). :func:`paired_comparison` reports the
mean difference, its standard deviation, the paired t-test and the Wilcoxon
signed-rank test (two-sided p-values), and the effect size (Cohen's ``d_z``
= mean difference / standard deviation of the differences).

The verdict rule, written down once and used for every claim:

- **holds**: the mean difference has the claimed sign and the paired t-test
  gives ``p < alpha`` (0.05);
- **does not hold**: the mean difference has the opposite sign and
  ``p < alpha``;
- **inconclusive**: otherwise (too few seeds or too small an effect to tell).

With 5 seeds the smallest two-sided Wilcoxon p-value is 0.0625, so the
verdict uses the t-test; the Wilcoxon p-value is reported beside it.

Examples
--------
>>> comparison = paired_comparison([3.1, 2.9, 3.4, 3.0, 3.2], [2.0, 2.2, 2.1, 1.9, 2.3], claim="greater")
>>> comparison.verdict, round(comparison.mean_difference, 2)
('holds', 1.02)
>>> paired_comparison([1.0, 2.0, 3.0], [1.1, 1.9, 3.0], claim="greater").verdict
'inconclusive'
"""
from __future__ import annotations

import logging

from dataclasses import asdict, dataclass

import numpy as np

from ._validation import as_finite_array

__all__ = ["PairedComparison", "paired_comparison", "best_so_far", "VERDICT_ALPHA"]

logger = logging.getLogger(__name__)

#: significance level of the verdict rule
VERDICT_ALPHA = 0.05


@dataclass(frozen=True)
class PairedComparison:
    """Result of :func:`paired_comparison` (``difference = a - b``)."""

    n: int
    mean_a: float
    mean_b: float
    mean_difference: float
    sd_difference: float
    effect_size_dz: float
    t_statistic: float
    p_value_t: float
    p_value_wilcoxon: float
    claim: str
    verdict: str

    def to_dict(self) -> dict:
        return asdict(self)


def paired_comparison(a, b, claim: str = "greater", alpha: float = VERDICT_ALPHA) -> PairedComparison:
    """Compare paired samples ``a`` and ``b`` (one pair per seed) for the claim ``a > b`` or ``a < b``.

    Parameters
    ----------
    a, b : array_like, shape (n,)
        Values of the two conditions, paired by index.
    claim : {"greater", "less"}
        The claimed direction of ``a`` against ``b``.
    alpha : float
        Significance level of the verdict.

    Returns
    -------
    PairedComparison
        p-values are two-sided; ``nan`` where a test is undefined (fewer than
        two pairs, or all differences zero), and the verdict is then
        "inconclusive".
    """
    from scipy import stats

    a = as_finite_array(a, "a", ndim=1)
    b = as_finite_array(b, "b", ndim=1)
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"a and b must be non-empty and of the same length; got {a.size} and {b.size}")
    if claim not in ("greater", "less"):
        raise ValueError(f"claim must be 'greater' or 'less'; got {claim!r}")
    difference = a - b
    mean = float(difference.mean())
    sd = float(difference.std(ddof=1)) if difference.size > 1 else float("nan")
    if difference.size > 1 and sd > 0:
        t_result = stats.ttest_rel(a, b)
        t_statistic, p_t = float(t_result.statistic), float(t_result.pvalue)
        p_w = float(stats.wilcoxon(a, b).pvalue)
        effect = mean / sd
    else:
        t_statistic = p_t = p_w = effect = float("nan")
    sign = 1.0 if claim == "greater" else -1.0
    if np.isfinite(p_t) and p_t < alpha and sign * mean > 0:
        verdict = "holds"
    elif np.isfinite(p_t) and p_t < alpha and sign * mean < 0:
        verdict = "does not hold"
    else:
        verdict = "inconclusive"
    return PairedComparison(int(a.size), float(a.mean()), float(b.mean()), mean, sd, float(effect), t_statistic,
                            p_t, p_w, claim, verdict)


def best_so_far(values) -> list:
    """Running maximum of the objective values (``None`` entries, failures, are skipped).

    The best-so-far curve of a Bayesian optimisation (:mod:`hetnet.bo.campaign`,
    :func:`hetnet.plotting.bo_convergence`).

    >>> best_so_far([1.0, None, 0.5, 2.0])
    [1.0, 1.0, 1.0, 2.0]
    """
    out, best = [], None
    for value in values:
        if value is not None and (best is None or value > best):
            best = value
        out.append(best)
    return out
