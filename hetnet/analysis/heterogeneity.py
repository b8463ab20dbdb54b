"""Heterogeneity measure: log-determinant of the parameter covariance.

See :ref:`science-heterogeneity`: ``log det Cov(p)`` over the per-neuron (or per-synapse)
parameter vectors ``p`` -- up to constants the differential entropy of a
Gaussian with that covariance.

Singular covariance (a homogeneous parameter, or parameters that are exact
linear functions of each other) returns ``-inf``: the entropy of a
degenerate Gaussian, i.e. "no heterogeneity along some direction". This is
the value a homogeneous (HoN / HoS) network gets.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np

from ._validation import as_finite_array

__all__ = ["heterogeneity", "parameter_matrix"]

logger = logging.getLogger(__name__)


def parameter_matrix(parameters):
    """Stack parameters into an (n_items, n_parameters) matrix.

    Parameters
    ----------
    parameters : array_like or mapping
        A 1-D array (one parameter), a 2-D array with one row per neuron or
        synapse, or a mapping ``name -> 1-D array`` (columns in the mapping's
        order).

    Returns
    -------
    numpy.ndarray, shape (n_items, n_parameters)

    Examples
    --------
    >>> parameter_matrix({"tau_m_ms": [10, 20], "v_th_mV": [-50, -52]}).shape
    (2, 2)
    """
    if isinstance(parameters, Mapping):
        if not parameters:
            raise ValueError("parameters mapping is empty")
        columns = []
        for name, values in parameters.items():
            column = as_finite_array(values, f"parameters[{name!r}]", ndim=1)
            columns.append(column)
        lengths = {column.shape[0] for column in columns}
        if len(lengths) != 1:
            raise ValueError(
                "parameter arrays differ in length: "
                + ", ".join(f"{name}={np.shape(v)[0]}" for name, v in parameters.items())
            )
        return np.column_stack(columns)
    matrix = as_finite_array(parameters, "parameters", ndim=(1, 2))
    return matrix[:, None] if matrix.ndim == 1 else matrix


def heterogeneity(parameters, relative_tolerance=1e-12):
    """Log-determinant of the covariance of per-neuron (or per-synapse) parameters.

    ``H = log det C`` with ``C`` the sample covariance (``ddof = 1``) of the
    rows of the parameter matrix. The value depends on the units of the
    parameters (rescaling parameter ``j`` by ``a`` adds ``2 log|a|``), so
    compare networks in the same units.

    Parameters
    ----------
    parameters : array_like or mapping
        See :func:`parameter_matrix`: shape (n_items, n_parameters).
    relative_tolerance : float, default 1e-12
        ``C`` counts as singular when its smallest eigenvalue is below
        ``relative_tolerance`` times its largest (or ``C`` is zero).

    Returns
    -------
    float
        ``log det C``, or ``-inf`` for a singular covariance (see module
        docstring: a homogeneous parameter gives ``-inf``).

    Raises
    ------
    ValueError
        Fewer than two items, non-finite values, mismatched lengths.

    Examples
    --------
    >>> heterogeneity([1.0, 2.0, 3.0])   # log of the variance 1.0
    0.0
    >>> heterogeneity({"tau_m_ms": [20.0, 20.0, 20.0]})
    -inf
    """
    matrix = parameter_matrix(parameters)
    n_items, n_parameters = matrix.shape
    if n_items < 2:
        raise ValueError(f"need at least 2 neurons/synapses to estimate a covariance, got {n_items}")
    if n_parameters == 0:
        raise ValueError("parameters has no columns")
    centred = matrix - matrix.mean(axis=0)
    covariance = centred.T @ centred / (n_items - 1)
    eigenvalues = np.linalg.eigvalsh(covariance)
    largest = eigenvalues[-1]
    if largest <= 0.0 or eigenvalues[0] <= relative_tolerance * largest:
        return float("-inf")
    return float(np.sum(np.log(eigenvalues)))
