"""Separation property / kernel quality: effective rank of a state matrix.

See :ref:`science-separation`: the final-state matrix ``M`` (one column per distinct input,
one row per neuron) has singular values ``s_1 >= s_2 >= ...``; its effective
rank is the smallest ``k`` with ``sum_{i<=k} s_i >= threshold * sum_i s_i``.
"""

from __future__ import annotations

import logging

import numpy as np

from ._validation import as_finite_array

__all__ = ["effective_rank", "singular_values"]

logger = logging.getLogger(__name__)


def singular_values(state_matrix):
    """Singular values of a 2-D state matrix, in descending order.

    Parameters
    ----------
    state_matrix : array_like, shape (n_rows, n_columns)

    Returns
    -------
    numpy.ndarray, shape (min(n_rows, n_columns),)

    Examples
    --------
    >>> singular_values(np.diag([3.0, 1.0]))
    array([3., 1.])
    """
    matrix = as_finite_array(state_matrix, "state_matrix", ndim=2)
    if matrix.size == 0:
        raise ValueError(f"state_matrix is empty (shape {matrix.shape})")
    return np.linalg.svd(matrix, compute_uv=False)


def effective_rank(state_matrix, threshold=0.99):
    """Effective rank (kernel quality) of a state matrix.

    The smallest ``k`` such that the ``k`` largest singular values carry at
    least ``threshold`` of the sum of all singular values (:ref:`science-separation`).
    The orientation of the matrix does not matter (neurons x inputs or
    inputs x neurons give the same singular values).

    Parameters
    ----------
    state_matrix : array_like, shape (n_neurons, n_inputs)
        Final network states, one column per distinct input.
    threshold : float, default 0.99
        Fraction of the singular-value sum to capture, in (0, 1].

    Returns
    -------
    int
        The effective rank; 0 for an all-zero matrix.

    Examples
    --------
    >>> effective_rank(np.diag([10.0, 1.0, 1e-6]), threshold=0.99)
    2
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    values = singular_values(state_matrix)
    total = values.sum()
    if total == 0.0:
        return 0
    cumulative = np.cumsum(values)
    # A relative slack of a few ulps so that a sum that equals the target in
    # exact arithmetic is not missed because of rounding in cumsum.
    target = threshold * total * (1.0 - 8.0 * np.finfo(float).eps)
    return int(min(np.searchsorted(cumulative, target, side="left") + 1, values.size))
