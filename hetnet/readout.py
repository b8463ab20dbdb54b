"""Readouts on state matrices (scikit-learn): ridge for prediction, logistic for classes.

States are standardised with statistics of the training rows only, then a
linear model is fitted; the pipelines are ordinary scikit-learn estimators.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> states = rng.normal(size=(200, 5))
>>> targets = states @ np.arange(5.0)
>>> readout = ridge_readout(alpha=1e-6).fit(states[:150], targets[:150])
>>> float(np.abs(readout.predict(states[150:]) - targets[150:]).max()) < 1e-3
True
"""
from __future__ import annotations

import logging

import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

__all__ = ["ridge_readout", "logistic_readout", "check_states"]

logger = logging.getLogger(__name__)


def check_states(states, targets=None, name: str = "states") -> np.ndarray:
    """Validate a state matrix ``(n_samples, n_features)`` (and matching targets)."""
    states = np.asarray(states, dtype=float)
    if states.ndim != 2 or states.shape[0] == 0 or states.shape[1] == 0:
        raise ValueError(f"{name} must have shape (n_samples, n_features); got {states.shape}")
    if not np.all(np.isfinite(states)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if targets is not None and len(targets) != len(states):
        raise ValueError(f"{name} has {len(states)} rows but targets have {len(targets)}")
    return states


def ridge_readout(alpha: float = 1.0):
    """Standardise, then ridge regression (prediction readout)."""
    if not alpha >= 0:
        raise ValueError(f"alpha must be >= 0; got {alpha}")
    return make_pipeline(StandardScaler(), Ridge(alpha=alpha))


def logistic_readout(regularization: float = 1.0, max_iterations: int = 2000):
    """Standardise, then multinomial logistic regression (classification readout).

    ``regularization`` is scikit-learn's ``C`` (inverse strength).
    """
    if not regularization > 0:
        raise ValueError(f"regularization must be > 0; got {regularization}")
    return make_pipeline(StandardScaler(), LogisticRegression(C=regularization, max_iter=max_iterations))
