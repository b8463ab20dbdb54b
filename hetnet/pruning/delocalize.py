"""Step III of Lyapunov noise pruning: add local edges that delocalise eigenvectors.

See :ref:`science-lnp-delocalize`. ``M`` new synapses are added between neurons within a
grid distance ``radius`` of each other (local neighbourhoods), never where
a synapse exists now nor where one is listed in ``excluded`` (the driver
passes the original network, so the edges are new to the graph's history).

**Objective.** Maximise the variance of the total (in + out) degree
distribution. Adding ``u -> v`` raises ``sum_k d_k^2`` by
``2 (d_u + d_v) + 2`` while the mean rises by ``2 / N`` whichever edge is
chosen, so the variance gain of a single edge is largest for the candidate
with the largest ``d_u + d_v``. We add the ``M`` edges greedily, one at a
time, re-scoring after every addition (exact for ``M = 1``; a greedy
heuristic for larger ``M``, since the objective is a convex function of
the added edge set). Ties are broken at random.

**New weights.** Dale's law: an edge from an excitatory neuron gets the
median weight of the existing excitatory synapses, one from an inhibitory
neuron the median of the inhibitory ones (weights in the ``[pre, post]``
matrix, mV).

**Check.** :func:`laplacian_ipr` reports the inverse participation ratio
``IPR_k = sum_i v_ik^4`` of the eigenvectors of the unweighted symmetrised
graph Laplacian (mean over ``k``; ``1/N`` = fully delocalised, 1 = one
neuron). A full ``eigh`` costs ~3 s at N = 2000, so the driver reports it
only every few iterations.

Examples
--------
>>> import numpy as np
>>> from hetnet.pruning.delocalize import add_delocalizing_edges
>>> positions = np.array([[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 0]], float)
>>> weights = np.zeros((4, 4)); weights[0, 1] = weights[1, 2] = 1.0
>>> result = add_delocalizing_edges(weights, positions, 1, radius=1.0, is_excitatory=np.ones(4, bool), seed=0)
>>> int(result.new_pre[0]) in (1, 2), result.degree_variance_after > result.degree_variance_before
(True, True)
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Optional

import numpy as np
import scipy.linalg
import scipy.sparse as sparse
from scipy.spatial import cKDTree

from hetnet.graph import as_sparse_weights, degrees, symmetric_adjacency

__all__ = ["DelocalizationResult", "add_delocalizing_edges", "local_candidates", "laplacian_ipr"]

logger = logging.getLogger(__name__)


def local_candidates(positions, radius: float, *, exclude=None) -> tuple:
    """Directed pairs ``(pre, post)`` within ``radius`` of each other, minus ``exclude``.

    Parameters
    ----------
    positions : array_like, shape (N, d)
    radius : float
        Largest Euclidean distance of a candidate pair.
    exclude : sparse or array_like, shape (N, N), optional
        Non-zero entries ``[pre, post]`` are not candidates (existing synapses).

    Returns
    -------
    pre, post : ndarray of int

    Examples
    --------
    >>> local_candidates([[0.0], [1.0], [5.0]], 1.5)
    (array([0, 1]), array([1, 0]))
    """
    points = np.asarray(positions, dtype=float)
    if points.ndim == 1:
        points = points[:, None]
    pairs = cKDTree(points).query_pairs(float(radius), output_type="ndarray")
    if pairs.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pre = np.concatenate([pairs[:, 0], pairs[:, 1]]).astype(np.int64)
    post = np.concatenate([pairs[:, 1], pairs[:, 0]]).astype(np.int64)
    if exclude is not None:
        matrix = sparse.csr_array(exclude)
        present = np.asarray(matrix[pre, post]).ravel() != 0
        pre, post = pre[~present], post[~present]
    order = np.lexsort((post, pre))
    return pre[order], post[order]


@dataclass
class DelocalizationResult:
    """Outcome of :func:`add_delocalizing_edges`.

    Attributes
    ----------
    weights : scipy.sparse.csr_array
        ``[pre, post]`` weights with the new synapses.
    new_pre, new_post : ndarray of int
        The added synapses, in the order they were chosen.
    new_weights : ndarray
        Their weights (mV).
    degree_variance_before, degree_variance_after : float
        Variance of the total degree distribution.
    ipr_before, ipr_after : float or None
        Mean Laplacian-eigenvector IPR (``None`` unless ``compute_ipr``).
    n_candidates : int
        Local candidate pairs available.
    """

    weights: sparse.csr_array
    new_pre: np.ndarray
    new_post: np.ndarray
    new_weights: np.ndarray
    degree_variance_before: float
    degree_variance_after: float
    ipr_before: Optional[float]
    ipr_after: Optional[float]
    n_candidates: int


def _greedy_degree_variance(pre, post, degree, n_edges, rng):
    """Greedy choice of ``n_edges`` candidates maximising the degree variance."""
    n = degree.size
    count = pre.size
    if n_edges >= count:
        return np.arange(count)
    degree = degree.astype(float).copy()
    jitter = rng.random(count) * 1e-3  # tie-break only (scores are integers)
    score = degree[pre] + degree[post] + jitter
    # candidates touching each neuron, as CSR lists
    endpoints = np.concatenate([pre, post])
    owners = np.concatenate([np.arange(count), np.arange(count)])
    order = np.argsort(endpoints, kind="stable")
    touching = owners[order]
    starts = np.searchsorted(endpoints[order], np.arange(n + 1))
    chosen = np.empty(n_edges, dtype=np.int64)
    for step in range(n_edges):
        best = int(np.argmax(score))
        chosen[step] = best
        score[best] = -np.inf
        for node in (pre[best], post[best]):
            score[touching[starts[node]:starts[node + 1]]] += 1.0
    return chosen


def laplacian_ipr(weights, *, return_all: bool = False):
    """Mean inverse participation ratio of the graph Laplacian's eigenvectors.

    Laplacian ``L = D - A`` of the unweighted, symmetrised graph; the IPR of a
    unit eigenvector ``v`` is ``sum_i v_i^4``.

    Parameters
    ----------
    weights : array_like or sparse, shape (N, N)
    return_all : bool
        Also return the per-eigenvector IPRs (ascending eigenvalue order).

    Returns
    -------
    float, or (float, ndarray)

    Examples
    --------
    >>> ring = np.roll(np.eye(6), 1, axis=1)   # directed ring, symmetrised: cycle graph
    >>> round(laplacian_ipr(ring), 3) < 0.3     # cycle eigenvectors are delocalised
    True
    """
    adjacency = symmetric_adjacency(weights).toarray()
    laplacian = np.diag(adjacency.sum(axis=1)) - adjacency
    _, vectors = scipy.linalg.eigh(laplacian, driver="evd")
    ipr = np.sum(vectors**4, axis=0)
    return (float(ipr.mean()), ipr) if return_all else float(ipr.mean())


def add_delocalizing_edges(weights, positions, n_new_edges: int, *, is_excitatory, radius: float = 2.0,
                           excluded=None, weight_mV: Optional[dict] = None, compute_ipr: bool = False,
                           seed=None) -> DelocalizationResult:
    """Add ``n_new_edges`` local synapses that maximise the degree variance (LNP step III).

    Parameters
    ----------
    weights : array_like or sparse, shape (N, N)
        ``[pre, post]`` weights (mV).
    positions : array_like, shape (N, 3)
        Grid positions of the neurons.
    n_new_edges : int
        ``M``; fewer are added if fewer local candidates exist.
    is_excitatory : array_like of bool, shape (N,)
        Sign of a new synapse follows its presynaptic neuron (Dale's law).
    radius : float
        Neighbourhood radius in grid units (the connectivity length scale
        ``lambda_grid`` = 2 by default).
    excluded : sparse or array_like, shape (N, N), optional
        Additional ``[pre, post]`` entries that may not be added (e.g. the
        original network's synapses).
    weight_mV : dict, optional
        ``{"excitatory": w_E, "inhibitory": w_I}`` for the new synapses;
        default: medians of the existing E and I weights.
    compute_ipr : bool
        Report the Laplacian IPR before and after (costs two ``eigh``).
    seed : int or numpy.random.Generator, optional
        Tie-breaking.

    Returns
    -------
    DelocalizationResult

    Examples
    --------
    >>> positions = np.array([[0, 0, 0], [1, 0, 0], [2, 0, 0]], float)
    >>> weights = np.zeros((3, 3)); weights[0, 1] = 1.0
    >>> r = add_delocalizing_edges(weights, positions, 2, is_excitatory=[True] * 3, radius=1.0, seed=0)
    >>> sorted(zip(r.new_pre.tolist(), r.new_post.tolist()))
    [(1, 0), (1, 2)]
    """
    rng = np.random.default_rng(seed)
    matrix = as_sparse_weights(weights)
    n = matrix.shape[0]
    excitatory = np.asarray(is_excitatory, dtype=bool)
    points = np.asarray(positions, dtype=float)
    if excitatory.shape != (n,) or points.shape[0] != n:
        raise ValueError("positions and is_excitatory need one entry per neuron")
    blocked = matrix if excluded is None else (abs(matrix) + abs(sparse.csr_array(excluded))).tocsr()
    pre, post = local_candidates(points, radius, exclude=blocked)
    degree = degrees(matrix)
    chosen = _greedy_degree_variance(pre, post, degree, int(n_new_edges), rng)
    new_pre, new_post = pre[chosen], post[chosen]
    if weight_mV is None:
        rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
        values = matrix.data
        from_e = values[excitatory[rows]]
        from_i = values[~excitatory[rows]]
        weight_mV = {
            "excitatory": float(np.median(from_e)) if from_e.size else 1.0,
            "inhibitory": float(np.median(from_i)) if from_i.size else -1.0,
        }
    new_values = np.where(excitatory[new_pre], abs(weight_mV["excitatory"]), -abs(weight_mV["inhibitory"]))
    added = sparse.csr_array((new_values, (new_pre, new_post)), shape=(n, n))
    updated = as_sparse_weights(matrix + added)
    after_degree = degrees(updated)
    return DelocalizationResult(
        weights=updated, new_pre=new_pre, new_post=new_post, new_weights=new_values,
        degree_variance_before=float(np.var(degree)), degree_variance_after=float(np.var(after_degree)),
        ipr_before=laplacian_ipr(matrix) if compute_ipr else None,
        ipr_after=laplacian_ipr(updated) if compute_ipr else None,
        n_candidates=int(pre.size),
    )
