"""Step II of Lyapunov noise pruning: remove the neurons of lowest betweenness.

Betweenness centrality is that of the **unweighted, directed** synapse graph,
computed by :func:`hetnet.graph.betweenness_centrality` (hetnet's vectorised
Brandes algorithm, networkx's conventions; the graph module says why
unweighted). Exact up to 4000 neurons, from sampled sources above
(:func:`default_n_sources`).

Examples
--------
>>> import numpy as np
>>> prune_nodes(np.diag(np.ones(4), 1), fraction=0.4, seed=0).surviving.tolist()   # 0 -> 1 -> 2 -> 3 -> 4
[1, 2, 3]
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Optional

import numpy as np
import scipy.sparse as sparse

from hetnet._deprecation import moved
from hetnet import graph

__all__ = ["NodePruningResult", "prune_nodes", "default_n_sources"]

logger = logging.getLogger(__name__)

# hetnet.pruning.nodes.betweenness_centrality: moved to hetnet.graph (this name warns for one release)
__getattr__ = moved(__name__, {"betweenness_centrality": "hetnet.graph"})


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
    matrix = graph.as_sparse_weights(weights)
    n = matrix.shape[0]
    rng = np.random.default_rng(seed)
    if n_sources == "auto":
        n_sources = default_n_sources(n)
    scores = graph.betweenness_centrality(matrix, n_sources=n_sources, seed=rng)
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
        weights=graph.subnetwork_weights(matrix, surviving), n_sources=n_sources,
    )
