"""Readouts: from a state matrix ``(n_samples, n_features)`` to predictions or classes.

=====================  ==========================================================
linear (scikit-learn)  :class:`StateScaler` (guarded standardisation),
                       :func:`ridge_readout`, :func:`logistic_readout`,
                       :class:`RidgeReadout` (penalty chosen on a time-ordered
                       split; :data:`PredictionReadout` is its earlier name),
                       :func:`check_states`
the paper's MLP        :class:`MLPReadout` on the most central neurons
                       (:func:`top_betweenness_neurons`, betweenness from
                       :mod:`hetnet.graph`)
=====================  ==========================================================

Examples
--------
>>> import numpy as np
>>> from hetnet.readout import RidgeReadout
>>> states = np.random.default_rng(0).normal(size=(50, 4))
>>> RidgeReadout(ridge=1e-6).fit(states, states @ [1.0, 2.0, 0.0, -1.0]).predict(states[:2]).shape
(2, 1)
"""
from hetnet.readout.linear import (
    PredictionReadout,
    RidgeReadout,
    StateScaler,
    check_states,
    logistic_readout,
    ridge_readout,
)
from hetnet.readout.mlp import MLPReadout, top_betweenness_neurons

__all__ = [
    "StateScaler", "RidgeReadout", "PredictionReadout", "ridge_readout", "logistic_readout", "check_states",
    "MLPReadout", "top_betweenness_neurons",
]
