"""Small graph helpers shared by the pruning steps (numpy / scipy only).

Weight matrices follow the project convention ``[pre, post]``: entry
``(i, j)`` is the synapse from neuron ``i`` to neuron ``j``. Internally the
pruning code keeps them as :class:`scipy.sparse.csr_array` with explicit
zeros removed and indices sorted.

Examples
--------
>>> import numpy as np
>>> from hetnet.pruning.graph import as_sparse_weights, degrees
>>> weights = as_sparse_weights(np.array([[0.0, 1.0], [-2.0, 0.0]]))
>>> weights.nnz, degrees(weights).tolist()
(2, [2, 2])
"""
from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sparse

__all__ = [
    "as_sparse_weights",
    "degrees",
    "in_degrees",
    "out_degrees",
    "subnetwork_weights",
    "symmetric_adjacency",
]

logger = logging.getLogger(__name__)


def as_sparse_weights(weights) -> sparse.csr_array:
    """Return ``weights`` ([pre, post], dense or sparse) as a clean float CSR array.

    The diagonal (self-synapses) is dropped, explicit zeros are removed and
    indices are sorted, so ``nnz`` is the number of synapses.

    >>> as_sparse_weights([[1.0, 2.0], [0.0, 0.0]]).nnz
    1
    """
    matrix = sparse.csr_array(weights, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"weights must be a square [pre, post] matrix; got shape {matrix.shape}")
    matrix = matrix.tocoo()
    keep = (matrix.row != matrix.col) & (matrix.data != 0) & np.isfinite(matrix.data)
    if not np.all(np.isfinite(matrix.data)):
        raise ValueError("weights contain NaN or infinite values")
    cleaned = sparse.csr_array(
        (matrix.data[keep], (matrix.row[keep], matrix.col[keep])), shape=matrix.shape
    )
    cleaned.sum_duplicates()
    cleaned.sort_indices()
    return cleaned


def out_degrees(weights) -> np.ndarray:
    """Number of outgoing synapses of each neuron (row counts of ``[pre, post]``).

    >>> out_degrees(as_sparse_weights([[0, 1, 1], [0, 0, 0], [1, 0, 0]])).tolist()
    [2, 0, 1]
    """
    matrix = as_sparse_weights(weights)
    return np.diff(matrix.indptr).astype(np.int64)


def in_degrees(weights) -> np.ndarray:
    """Number of incoming synapses of each neuron (column counts of ``[pre, post]``).

    >>> in_degrees(as_sparse_weights([[0, 1, 1], [0, 0, 0], [1, 0, 0]])).tolist()
    [1, 1, 1]
    """
    matrix = as_sparse_weights(weights)
    return np.bincount(matrix.indices, minlength=matrix.shape[0]).astype(np.int64)


def degrees(weights) -> np.ndarray:
    """Total degree (in + out) of each neuron of a directed ``[pre, post]`` graph.

    >>> degrees([[0, 1], [0, 0]]).tolist()
    [1, 1]
    """
    matrix = as_sparse_weights(weights)
    return out_degrees(matrix) + in_degrees(matrix)


def symmetric_adjacency(weights) -> sparse.csr_array:
    """Unweighted undirected adjacency (0/1) of a directed ``[pre, post]`` graph.

    >>> symmetric_adjacency([[0, 1], [0, 0]]).toarray().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    matrix = as_sparse_weights(weights)
    pattern = sparse.csr_array((np.ones(matrix.nnz), matrix.indices, matrix.indptr), shape=matrix.shape)
    both = ((pattern + pattern.T) > 0).astype(float)
    return sparse.csr_array(both)


def subnetwork_weights(weights, surviving) -> sparse.csr_array:
    """Weights restricted to the neurons ``surviving`` (indices, in that order).

    >>> subnetwork_weights([[0, 1, 2], [3, 0, 4], [5, 6, 0]], [0, 2]).toarray().tolist()
    [[0.0, 2.0], [5.0, 0.0]]
    """
    matrix = as_sparse_weights(weights)
    index = np.asarray(surviving, dtype=np.int64)
    return as_sparse_weights(matrix[index][:, index])
