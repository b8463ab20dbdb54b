"""Deprecated: the paper's MLP readout moved to :mod:`hetnet.readout.mlp`.

``from hetnet.tasks.mlp_readout import MLPReadout`` (and
``top_betweenness_neurons``) still works for one release, with a
:class:`DeprecationWarning`; import them from :mod:`hetnet.readout`.
"""
import logging

from hetnet._deprecation import moved

__all__ = []

logger = logging.getLogger(__name__)

__getattr__ = moved(__name__, {"MLPReadout": "hetnet.readout", "top_betweenness_neurons": "hetnet.readout"})
