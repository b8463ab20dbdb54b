"""Deprecated: the sparse-graph helpers moved to :mod:`hetnet.graph` (shared by pruning and the MLP readout).

``from hetnet.pruning.graph import as_sparse_weights`` (and ``degrees``,
``in_degrees``, ``out_degrees``, ``subnetwork_weights``,
``symmetric_adjacency``) still works for one release, with a
:class:`DeprecationWarning`; import them from :mod:`hetnet.graph`.
"""
import logging

from hetnet._deprecation import moved

__all__ = []

logger = logging.getLogger(__name__)

__getattr__ = moved(__name__, dict.fromkeys(
    ["as_sparse_weights", "degrees", "in_degrees", "out_degrees", "subnetwork_weights", "symmetric_adjacency"],
    "hetnet.graph"))
