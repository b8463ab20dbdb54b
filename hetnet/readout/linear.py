"""Linear readouts on state matrices (scikit-learn): ridge for prediction, logistic for classes.

States are standardised with statistics of the training rows only
(:class:`StateScaler`), then a linear model is fitted; the pipelines are
ordinary scikit-learn estimators. :class:`RidgeReadout` chooses its penalty
on a time-ordered validation split, for streamed (prediction) states.

Why a guarded scaler: a neuron that fired once, early in the training rows,
has a filtered trace that decays to ~1e-11 and a training spread of the
same size. Scikit-learn's ``StandardScaler`` divides by that spread, so the
neuron's first test spike becomes a feature of ~1e10 and the prediction
explodes (NRMSE up to 4.6e9 was seen on real series). :class:`StateScaler`
treats a column whose training spread is below ``relative_tolerance`` times
the largest spread (or exactly zero) as constant: it reads as 0. It also
clips each standardised column to the range it had in the training rows: a
neuron that was nearly silent in training and fires in a burst later cannot
push the linear readout far outside what it was fitted on (a column with a
single training spike otherwise scales a later burst by ~20 per spike).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> states = rng.normal(size=(200, 5))
>>> targets = states @ np.arange(5.0)
>>> readout = ridge_readout(alpha=1e-6).fit(states[:150], targets[:150])
>>> float(np.abs(readout.predict(states[:50]) - targets[:50]).max()) < 1e-3
True
"""
from __future__ import annotations

import logging

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline

__all__ = ["StateScaler", "RidgeReadout", "PredictionReadout", "ridge_readout", "logistic_readout", "check_states"]

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


class StateScaler(TransformerMixin, BaseEstimator):
    """Standardise columns with training statistics; near-constant columns read 0; clip to the training range.

    Like scikit-learn's ``StandardScaler`` (``(x - mean) / std`` with the
    training rows' mean and standard deviation), except that a column whose
    training standard deviation is at most ``relative_tolerance`` times the
    largest column's (or zero) reads as 0 whatever its value in new rows,
    and, with ``clip`` (default), standardised values are clipped to the
    column's range over the training rows.

    Parameters
    ----------
    relative_tolerance : float
        Columns with ``std <= relative_tolerance * max(std)`` are treated as constant.
    clip : bool
        Clip standardised values to the training range.

    Attributes
    ----------
    mean_, scale_ : ndarray
        Training mean and standard deviation (``inf`` for constant columns).
    n_constant_ : int
        Columns treated as constant.
    range_ : tuple of ndarray
        Minimum and maximum of each standardised training column.

    Examples
    --------
    >>> import numpy as np
    >>> train = np.array([[0.0, 1e-12], [1.0, 0.0], [2.0, 0.0]])
    >>> scaler = StateScaler().fit(train)
    >>> scaler.transform([[1.0, 1.0]]).tolist()
    [[0.0, 0.0]]
    >>> scaler.transform([[10.0, 0.0]]).round(3).tolist()     # clipped to the training maximum
    [[1.225, 0.0]]
    """

    def __init__(self, relative_tolerance: float = 1e-6, clip: bool = True):
        self.relative_tolerance = relative_tolerance
        self.clip = clip

    def fit(self, X, y=None):
        """Learn the mean, spread and range of each column of ``X``."""
        X = np.asarray(X, dtype=float)
        self.mean_ = X.mean(axis=0)
        spread = X.std(axis=0)
        constant = spread <= self.relative_tolerance * (spread.max() if spread.size else 0.0)
        self.scale_ = np.where(constant, np.inf, spread)
        self.n_constant_ = int(np.count_nonzero(constant))
        self.n_features_in_ = X.shape[1]
        scaled = (X - self.mean_) / self.scale_
        self.range_ = (scaled.min(axis=0), scaled.max(axis=0))
        return self

    def transform(self, X):
        """Standardised (and clipped) ``X``."""
        scaled = (np.asarray(X, dtype=float) - self.mean_) / self.scale_
        return (np.clip(scaled, *self.range_) if self.clip else scaled) + 0.0   # + 0.0: no -0.0


def ridge_readout(alpha: float = 1.0, clip: bool = True):
    """Standardise (:class:`StateScaler`, clipping to the training range unless ``clip=False``), then ridge regression."""
    if not alpha >= 0:
        raise ValueError(f"alpha must be >= 0; got {alpha}")
    return make_pipeline(StateScaler(clip=clip), Ridge(alpha=alpha))


def logistic_readout(regularization: float = 1.0, max_iterations: int = 2000):
    """Standardise (:class:`StateScaler`), then multinomial logistic regression (classification readout).

    ``regularization`` is scikit-learn's ``C`` (inverse strength).
    """
    if not regularization > 0:
        raise ValueError(f"regularization must be > 0; got {regularization}")
    return make_pipeline(StateScaler(), LogisticRegression(C=regularization, max_iter=max_iterations))


class RidgeReadout:
    """Ridge readout on standardised states with a time-ordered choice of the penalty; 2-D output.

    With ``ridge=None`` the penalty is chosen from :attr:`RIDGE_GRID`: fit on
    the first ``1 - validation_fraction`` of the rows, score the mean squared
    error on the rest (later in time, so no future leaks into the choice),
    keep the best penalty and refit on all rows.

    Parameters
    ----------
    ridge : float, optional
        A fixed penalty instead of the search.
    validation_fraction : float
        Last fraction of the rows used to choose the penalty.

    Examples
    --------
    >>> import numpy as np
    >>> states = np.random.default_rng(0).normal(size=(50, 4))
    >>> readout = RidgeReadout(ridge=1e-6).fit(states, states @ [1.0, 2.0, 0.0, -1.0])
    >>> bool(np.allclose(readout.predict(states[:3]).ravel(), states[:3] @ [1.0, 2.0, 0.0, -1.0], atol=1e-3))
    True
    """

    #: penalties tried when ``ridge`` is ``None`` (states are standardised, so they are comparable)
    RIDGE_GRID = tuple(10.0 ** k for k in range(-3, 6))

    def __init__(self, ridge: float | None = None, validation_fraction: float = 0.2):
        if not 0.0 < validation_fraction < 1.0:
            raise ValueError(f"validation_fraction must lie in (0, 1); got {validation_fraction!r}")
        self.ridge = None if ridge is None else float(ridge)
        self.validation_fraction = validation_fraction

    def fit(self, states, targets):
        """Fit the readout (choosing the penalty first when ``ridge`` is ``None``)."""
        states = check_states(states, targets)
        targets = np.asarray(targets, float).reshape(len(states), -1)
        alpha = self.ridge
        if alpha is None:
            split = int(len(states) * (1 - self.validation_fraction))
            if split < 2 or split >= len(states):
                raise ValueError("too few training rows to choose the ridge penalty; give ridge= explicitly")
            errors = [np.mean((ridge_readout(candidate).fit(states[:split], targets[:split]).predict(states[split:])
                               .reshape(len(states) - split, -1) - targets[split:]) ** 2)
                      for candidate in self.RIDGE_GRID]
            alpha = self.RIDGE_GRID[int(np.argmin(errors))]
        self.alpha_ = alpha
        self.model_ = ridge_readout(alpha=alpha).fit(states, targets)
        return self

    def predict(self, states) -> np.ndarray:
        prediction = self.model_.predict(check_states(states))
        return prediction.reshape(len(prediction), -1)


#: the ridge readout of the prediction pipeline, under the name it had in :mod:`hetnet.tasks.prediction`
PredictionReadout = RidgeReadout
