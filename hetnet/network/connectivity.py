"""Neuron positions on a 3-D grid and distance-dependent connectivity (numpy only).

``P(i, j) = C * exp(-(D(i, j) / lambda)**2)`` with ``D`` the Euclidean grid
distance (:ref:`science-connectivity`). Sampling is vectorised over blocks of
presynaptic neurons; no Python loop over synapses.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> positions = grid_positions(27, (3, 3, 3), rng)
>>> pre, post = distance_connections(positions, positions, 0.3, 2.0, rng, exclude_self=True)
>>> bool(np.all(pre != post))
True
"""
from __future__ import annotations

import logging

import numpy as np

__all__ = ["grid_positions", "connection_probability", "distance_connections", "random_connections"]

logger = logging.getLogger(__name__)

_BLOCK_ENTRIES = 4_000_000  # pairs handled at once (about 32 MB of float64)


def grid_positions(n_neurons: int, grid_shape, rng: np.random.Generator) -> np.ndarray:
    """Place ``n_neurons`` on distinct random points of an integer grid.

    Returns an ``(n_neurons, 3)`` integer array; the order is random, so
    excitatory (first) and inhibitory (last) neurons interleave in space.
    """
    shape = tuple(int(s) for s in grid_shape)
    n_points = int(np.prod(shape))
    if n_neurons > n_points:
        raise ValueError(f"grid {shape} has {n_points} points, fewer than n_neurons = {n_neurons}")
    chosen = rng.permutation(n_points)[:n_neurons]
    return np.stack(np.unravel_index(chosen, shape), axis=1).astype(np.int64)


def connection_probability(distance, c: float, lambda_grid: float) -> np.ndarray:
    """``c * exp(-(distance / lambda_grid)**2)``."""
    return c * np.exp(-((np.asarray(distance, dtype=float) / lambda_grid) ** 2))


def _concatenate(pre_list, post_list):
    if not pre_list:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    return np.concatenate(pre_list).astype(np.int32), np.concatenate(post_list).astype(np.int32)


def _blocks(n_pre: int, n_post: int):
    rows = max(1, _BLOCK_ENTRIES // max(1, n_post))
    for start in range(0, n_pre, rows):
        yield start, min(n_pre, start + rows)


def distance_connections(pre_positions, post_positions, c, lambda_grid, rng, *, exclude_self=False):
    """Sample synapses with probability ``c * exp(-(D/lambda)**2)``.

    Parameters
    ----------
    pre_positions, post_positions : ndarray, shape (n, 3)
    c : float
        Peak probability (at distance 0).
    lambda_grid : float
        Length scale in grid units.
    rng : numpy.random.Generator
    exclude_self : bool
        Drop ``i == j`` pairs (use when pre and post are the same population).

    Returns
    -------
    pre, post : ndarray of int32
        Synapse endpoints, sorted by ``pre`` then ``post``.
    """
    pre_positions = np.asarray(pre_positions, dtype=float)
    post_positions = np.asarray(post_positions, dtype=float)
    pre_list, post_list = [], []
    for start, stop in _blocks(len(pre_positions), len(post_positions)):
        diff = pre_positions[start:stop, None, :] - post_positions[None, :, :]
        probability = c * np.exp(-np.einsum("ijk,ijk->ij", diff, diff) / lambda_grid**2)
        if exclude_self:
            rows = np.arange(start, stop)
            valid = rows < probability.shape[1]
            probability[np.flatnonzero(valid), rows[valid]] = 0.0
        pre, post = np.nonzero(rng.random(probability.shape) < probability)
        pre_list.append(pre + start)
        post_list.append(post)
    return _concatenate(pre_list, post_list)


def random_connections(n_pre: int, n_post: int, p: float, rng):
    """Each pair connected independently with probability ``p`` (input fan-out)."""
    pre_list, post_list = [], []
    for start, stop in _blocks(n_pre, n_post):
        pre, post = np.nonzero(rng.random((stop - start, n_post)) < p)
        pre_list.append(pre + start)
        post_list.append(post)
    return _concatenate(pre_list, post_list)
