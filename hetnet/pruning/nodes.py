"""Step II of Lyapunov noise pruning: remove the neurons of lowest betweenness.

Betweenness centrality is computed on the **unweighted, directed** synapse
graph (edge ``i -> j`` for every non-zero ``w_ij``), with networkx's
conventions (``endpoints=False``; ``normalized=True`` divides by
``(n - 1)(n - 2)``; with sampled sources networkx's rescaling is repeated
exactly). Unweighted because the synaptic weights are signed efficacies, not
lengths: any weight-to-length map (``1/|w|``, ``-log|w|``) would be an
arbitrary extra choice, and hop counts let every shortest-path search be a
breadth-first search.

Algorithm: Brandes (2001), vectorised over a batch of sources at once. For a
batch of ``B`` sources, each BFS level is one sparse-times-dense product
``A.T @ frontier`` (path counts ``sigma``), and the dependency accumulation
runs the levels backwards with ``A @ ((1 + delta) / sigma)``. The cost is
``O(levels * nnz * B)`` flops in scipy's sparse kernels instead of
networkx's Python loops: exact betweenness at N = 2000 / 2e5 synapses takes
seconds rather than networkx's ~81 s, and with ``n_sources`` sampled sources
(Brandes & Pich 2007; networkx's ``k``) it scales linearly in ``n_sources``.
The sampling error against the exact values is measured in
``tests/test_pruning_nodes.py``.

Examples
--------
>>> import networkx as nx
>>> import numpy as np
>>> from hetnet.pruning.nodes import betweenness_centrality
>>> graph = nx.gnp_random_graph(30, 0.2, seed=1, directed=True)
>>> adjacency = nx.to_scipy_sparse_array(graph, nodelist=range(30))
>>> reference = nx.betweenness_centrality(graph)
>>> bool(np.allclose(betweenness_centrality(adjacency), [reference[k] for k in range(30)]))
True
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Optional

import numpy as np
import scipy.sparse as sparse

from hetnet.pruning.graph import as_sparse_weights, subnetwork_weights

__all__ = ["betweenness_centrality", "NodePruningResult", "prune_nodes", "default_n_sources"]

logger = logging.getLogger(__name__)


def default_n_sources(n_neurons: int) -> Optional[int]:
    """Sources used when none are given: exact (``None``) up to 4000 neurons, else 512.

    The vectorised exact computation takes about 1.2 s at N = 2000 / 2e5
    synapses (bench/results/pruning.json), so exact values are affordable
    there; 256 sampled sources would cost 0.25 s but misplace about half of
    the lowest 1 % of neurons, which is exactly the set step II removes.

    >>> default_n_sources(2000), default_n_sources(5000)
    (None, 512)
    """
    return None if n_neurons <= 4000 else 512


def _batch_dependencies(pattern, pattern_t, sources, n):
    batch = sources.size
    columns = np.arange(batch)
    distance = np.full((n, batch), -1, dtype=np.int32)
    sigma = np.zeros((n, batch))
    distance[sources, columns] = 0
    sigma[sources, columns] = 1.0
    frontier = np.zeros((n, batch))
    frontier[sources, columns] = 1.0
    level = 0
    while True:
        reached = pattern_t @ frontier
        new = (reached > 0) & (distance < 0)
        if not new.any():
            break
        level += 1
        distance[new] = level
        frontier = np.where(new, reached, 0.0)
        sigma += frontier
    delta = np.zeros((n, batch))
    safe_sigma = np.where(sigma > 0, sigma, 1.0)
    for current in range(level, 0, -1):
        at_level = distance == current
        coefficient = np.where(at_level, (1.0 + delta) / safe_sigma, 0.0)
        pulled = pattern @ coefficient
        previous = distance == current - 1
        delta += np.where(previous, sigma * pulled, 0.0)
    delta[sources, columns] = 0.0
    return delta.sum(axis=1)


def betweenness_centrality(weights, *, n_sources: Optional[int] = None, sources=None, seed=None,
                           normalized: bool = True, batch_size: int = 256) -> np.ndarray:
    """Betweenness centrality of the unweighted directed graph of ``weights``.

    Parameters
    ----------
    weights : array_like or sparse, shape (N, N)
        ``[pre, post]`` weights; every non-zero entry is an edge ``pre -> post``.
    n_sources : int, optional
        Number of sampled sources (networkx's ``k``); ``None``: all (exact).
    sources : array_like of int, optional
        Explicit sources (overrides ``n_sources``); with the sources networkx
        would draw, the result equals ``networkx.betweenness_centrality(G, k, seed)``.
    seed : int or numpy.random.Generator, optional
        Source sampling.
    normalized : bool
        Divide as networkx does (by ``(n-1)(n-2)`` for directed graphs).
    batch_size : int
        Sources per vectorised BFS batch (memory ~ 5 * N * batch_size floats).

    Returns
    -------
    ndarray, shape (N,)

    Examples
    --------
    >>> path = np.diag(np.ones(3), 1)          # 0 -> 1 -> 2 -> 3
    >>> betweenness_centrality(path, normalized=False).tolist()
    [0.0, 2.0, 2.0, 0.0]
    """
    matrix = as_sparse_weights(weights)
    n = matrix.shape[0]
    pattern = sparse.csr_array((np.ones(matrix.nnz), matrix.indices, matrix.indptr), shape=matrix.shape)
    pattern_t = sparse.csr_array(pattern.T)
    if sources is not None:
        chosen = np.asarray(sources, dtype=np.int64)
        sampled = True
    elif n_sources is None or n_sources >= n:
        chosen = np.arange(n)
        sampled = False
    else:
        rng = np.random.default_rng(seed)
        chosen = np.sort(rng.choice(n, size=int(n_sources), replace=False))
        sampled = True
    total = np.zeros(n)
    for start in range(0, chosen.size, batch_size):
        total += _batch_dependencies(pattern, pattern_t, chosen[start:start + batch_size], n)
    # networkx _rescale, directed graph, endpoints=False
    big_n = n - 1
    if big_n < 2:
        return total
    if not sampled:
        scale = 1.0 / (big_n * (big_n - 1)) if normalized else 1.0
        return total * scale
    k = chosen.size
    is_source = np.zeros(n, dtype=bool)
    is_source[chosen] = True
    if normalized:
        scale_source = 1.0 / ((k - 1) * (big_n - 1)) if k > 1 else np.nan
        scale_other = 1.0 / (k * (big_n - 1))
    else:
        scale_source = big_n / (k - 1) if k > 1 else np.nan
        scale_other = big_n / k
    return total * np.where(is_source, scale_source, scale_other)


@dataclass
class NodePruningResult:
    """Outcome of :func:`prune_nodes`.

    Attributes
    ----------
    surviving : ndarray of int
        Indices (into the input) of the neurons kept, ascending.
    removed : ndarray of int
        Indices of the neurons removed.
    betweenness : ndarray
        Betweenness of every input neuron.
    weights : scipy.sparse.csr_array
        Weights among the surviving neurons.
    n_sources : int or None
        Sampled sources used (``None``: exact).
    """

    surviving: np.ndarray
    removed: np.ndarray
    betweenness: np.ndarray
    weights: sparse.csr_array
    n_sources: Optional[int]


def prune_nodes(weights, *, fraction: Optional[float] = 0.01, threshold: Optional[float] = None,
                n_sources="auto", seed=None, min_neurons: int = 3) -> NodePruningResult:
    """Remove the neurons with the lowest betweenness centrality (LNP step II).

    Parameters
    ----------
    weights : array_like or sparse, shape (N, N)
        ``[pre, post]`` weights.
    fraction : float, optional
        Fraction of the neurons removed (``ceil(fraction * N)``, lowest
        betweenness first; ties broken at random).
    threshold : float, optional
        Instead of a fraction: remove every neuron with betweenness below it.
    n_sources : int, None or "auto"
        Sampled BFS sources; ``"auto"``: :func:`default_n_sources`.
    seed : int or numpy.random.Generator, optional
    min_neurons : int
        Never go below this many neurons.

    Returns
    -------
    NodePruningResult

    Examples
    --------
    >>> path = np.diag(np.ones(4), 1)          # 0 -> 1 -> 2 -> 3 -> 4
    >>> prune_nodes(path, fraction=0.4, seed=0).surviving.tolist()
    [1, 2, 3]
    """
    matrix = as_sparse_weights(weights)
    n = matrix.shape[0]
    rng = np.random.default_rng(seed)
    if n_sources == "auto":
        n_sources = default_n_sources(n)
    scores = betweenness_centrality(matrix, n_sources=n_sources, seed=rng)
    if threshold is not None:
        remove_mask = scores < threshold
    else:
        if fraction is None or not 0 <= fraction <= 1:
            raise ValueError(f"fraction must lie in [0, 1]; got {fraction!r}")
        count = int(np.ceil(fraction * n - 1e-9))
        order = np.lexsort((rng.random(n), scores))
        remove_mask = np.zeros(n, dtype=bool)
        remove_mask[order[:count]] = True
    allowed = max(0, n - int(min_neurons))
    if remove_mask.sum() > allowed:
        order = np.lexsort((rng.random(n), scores))
        remove_mask = np.zeros(n, dtype=bool)
        remove_mask[order[:allowed]] = True
    surviving = np.flatnonzero(~remove_mask)
    return NodePruningResult(
        surviving=surviving, removed=np.flatnonzero(remove_mask), betweenness=scores,
        weights=subnetwork_weights(matrix, surviving), n_sources=n_sources,
    )
