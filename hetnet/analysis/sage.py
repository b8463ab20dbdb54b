"""SAGE: Shapley additive global importance of features (Covert, Lundberg & Lee 2020), by permutation sampling.

For a model ``f``, data ``(X, y)`` and a per-sample loss ``l`` (squared error
by default), the value of a feature subset ``S`` is the loss it removes,

    v(S) = E[l(f_0, y)] - E[l(f_S(X_S), y)],

where ``f_S(x_S) = E[f(x_S, X_rest)]`` marginalises the other features over
background rows (the *marginal imputer*: exact when features are independent)
and ``f_0`` is the model with no feature known. The SAGE value of feature
``i`` is its Shapley value in this game; the values sum to ``v(all)``, the
loss the model removes, so each is a share of the explained loss in the
units of the loss.

The permutation estimator: draw a data row and a random order of the
features, add the features one by one and credit each with the loss drop it
causes; average over draws. Each draw gives one unbiased sample per feature,
so the standard error of each value is the sample standard deviation over
draws divided by the square root of their number. Draws come in batches; the
estimator stops once ``max(standard error) < threshold * (max(value) -
min(value))`` (the convergence rule of Covert et al.'s reference code,
``sage-importance``) and reports whether it converged before
``max_permutations``.

Analytic check: for a linear model ``f(x) = b . x``, ``y = f(x)``, the
squared error and the background's mean equal to the data's, ``v(S) =
Var(b . x) - Var(b_rest . x_rest)`` and the SAGE value of feature ``i`` is
``b_i (C b)_i`` with ``C`` the covariance of the rows; with independent
features that is ``b_i^2 Var(x_i)``, the share of the variance each explains.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(400, 3)) * [1.0, 2.0, 0.5]
>>> b = np.array([1.0, 1.0, 1.0])
>>> result = sage_values(lambda x: x @ b, X, X @ b, background=X, threshold=0.02, seed=1)
>>> result.ranking()
['x1', 'x0', 'x2']
>>> exact = b * (np.cov(X.T, bias=True) @ b)  # about the variances 1, 4 and 0.25
>>> bool(np.all(np.abs(result.values - exact) < 4 * result.std_errors))
True
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Optional, Sequence, Union

import numpy as np

from ._validation import as_finite_array

__all__ = ["SageResult", "sage_values"]

logger = logging.getLogger(__name__)


def _squared_error(prediction: np.ndarray, target: np.ndarray) -> np.ndarray:
    difference = np.asarray(prediction, dtype=float) - target
    return (difference.reshape(len(difference), -1) ** 2).sum(axis=1)


def _absolute_error(prediction: np.ndarray, target: np.ndarray) -> np.ndarray:
    return np.abs(prediction - target).reshape(len(prediction), -1).sum(axis=1)


_LOSSES = {"mse": _squared_error, "mae": _absolute_error}


@dataclass(frozen=True)
class SageResult:
    """SAGE values of the features, their standard errors and the estimator's state.

    Attributes
    ----------
    values : ndarray, shape (n_features,)
        SAGE value of each feature (loss removed by knowing it, in the loss's units).
    std_errors : ndarray, shape (n_features,)
        Standard error of each value (sd over permutation draws / sqrt(draws)).
    feature_names : tuple of str
    n_permutations : int
        Permutation draws used (one data row and one feature order each).
    converged : bool
        Whether ``ratio < threshold`` was reached before ``max_permutations``.
    ratio : float
        ``max(std_errors) / (max(values) - min(values))`` at the end.
    threshold : float
    loss : str
        Name of the loss (``"mse"``, ``"mae"`` or ``"custom"``).
    base_loss : float
        Mean loss with no feature known (``E[l(f_0, y)]``).
    full_loss : float
        Mean loss with every feature known (the model's own loss on the rows drawn).
    """

    values: np.ndarray
    std_errors: np.ndarray
    feature_names: tuple
    n_permutations: int
    converged: bool
    ratio: float
    threshold: float
    loss: str
    base_loss: float
    full_loss: float

    def ranking(self) -> list:
        """Feature names from the most to the least important.

        Examples
        --------
        >>> SageResult(np.array([0.1, 0.5]), np.zeros(2), ("a", "b"), 10, True, 0.0, 0.05, "mse", 1.0,
        ...            0.4).ranking()
        ['b', 'a']
        """
        return [self.feature_names[i] for i in np.argsort(-self.values, kind="stable")]

    def interval(self, z: float = 1.96) -> np.ndarray:
        """``(n_features, 2)`` normal confidence intervals ``value -/+ z * std_error``.

        Examples
        --------
        >>> SageResult(np.array([1.0]), np.array([0.5]), ("a",), 4, True, 0.0, 0.05, "mse", 1.0, 0.0).interval(2.0)
        array([[0., 2.]])
        """
        return np.stack([self.values - z * self.std_errors, self.values + z * self.std_errors], axis=1)

    def to_dict(self) -> dict:
        """JSON-ready form: ``{"values": {name: v}, "std_errors": {name: se}, ...}``.

        Examples
        --------
        >>> SageResult(np.array([1.0]), np.array([0.5]), ("a",), 4, True, 0.0, 0.05, "mse", 1.0,
        ...            0.0).to_dict()["values"]
        {'a': 1.0}
        """
        return {
            "values": {name: float(v) for name, v in zip(self.feature_names, self.values)},
            "std_errors": {name: float(v) for name, v in zip(self.feature_names, self.std_errors)},
            "ranking": self.ranking(), "n_permutations": int(self.n_permutations),
            "converged": bool(self.converged), "ratio": float(self.ratio), "threshold": float(self.threshold),
            "loss": self.loss, "base_loss": float(self.base_loss), "full_loss": float(self.full_loss),
        }


def sage_values(
    model: Callable[[np.ndarray], np.ndarray],
    X,
    y,
    *,
    loss: Union[str, Callable] = "mse",
    background=None,
    n_background: int = 64,
    feature_names: Optional[Sequence[str]] = None,
    batch_size: int = 128,
    threshold: float = 0.05,
    min_permutations: int = 256,
    max_permutations: int = 20000,
    seed: int = 0,
) -> SageResult:
    """Estimate the SAGE values of ``model``'s features on ``(X, y)`` by permutation sampling.

    Parameters
    ----------
    model : callable
        ``model(rows) -> predictions``: rows ``(n, n_features)`` to an array of
        ``n`` predictions (``(n,)`` or ``(n, k)``), comparable with ``y``.
    X : array_like, shape (n_samples, n_features)
        Rows whose loss is explained (each draw picks one).
    y : array_like, shape (n_samples,) or (n_samples, k)
        Targets.
    loss : {"mse", "mae"} or callable
        Per-sample loss ``loss(predictions, targets) -> (n,)``; squared error
        by default (summed over the outputs of a multi-output model).
    background : array_like, shape (m, n_features), optional
        Rows that the unknown features are drawn from (marginal imputation);
        default: ``n_background`` rows of ``X`` drawn with the seed.
    n_background : int
        Background rows when ``background`` is not given (all of ``X`` when
        it has fewer rows).
    feature_names : sequence of str, optional
        Default ``x0, x1, ...``.
    batch_size : int
        Permutation draws per batch (the convergence check runs after each).
    threshold : float
        Converged when ``max(std_errors) < threshold * (max(values) - min(values))``, in (0, 1).
    min_permutations, max_permutations : int
        Draws before the first convergence check may stop, and the most draws made.
    seed : int
        Seeds the background, the rows and the feature orders.

    Returns
    -------
    SageResult
        Values, standard errors, whether the estimate converged (a warning is
        logged when it did not), base and full loss.

    Raises
    ------
    ValueError
        Shapes that do not match, non-finite data, settings out of range, or a
        model whose output does not have one prediction per row.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> X = rng.normal(size=(300, 2))
    >>> result = sage_values(lambda x: 3.0 * x[:, 0], X, 3.0 * X[:, 0], feature_names=["signal", "noise"])
    >>> result.ranking(), result.converged, bool(abs(result.values[1]) < 1e-12)
    (['signal', 'noise'], True, True)
    """
    X = as_finite_array(X, "X", ndim=2)
    y = as_finite_array(y, "y", ndim=(1, 2))
    n_samples, n_features = X.shape
    if n_samples == 0 or n_features == 0:
        raise ValueError(f"X must have at least one row and one feature; got shape {X.shape}")
    if len(y) != n_samples:
        raise ValueError(f"X has {n_samples} rows but y has {len(y)}")
    names = tuple(f"x{i}" for i in range(n_features)) if feature_names is None else tuple(map(str, feature_names))
    if len(names) != n_features:
        raise ValueError(f"{len(names)} feature names for {n_features} features")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must lie in (0, 1); got {threshold}")
    if int(batch_size) < 2 or int(min_permutations) < 2 or int(max_permutations) < int(min_permutations):
        raise ValueError(f"need batch_size >= 2, min_permutations >= 2 and max_permutations >= min_permutations; "
                         f"got {batch_size}, {min_permutations}, {max_permutations}")
    if callable(loss):
        loss_fn, loss_name = loss, "custom"
    elif loss in _LOSSES:
        loss_fn, loss_name = _LOSSES[loss], str(loss)
    else:
        raise ValueError(f"loss must be one of {', '.join(_LOSSES)} or a callable; got {loss!r}")
    rng = np.random.default_rng(seed)
    if background is None:
        count = min(int(n_background), n_samples)
        if count < 1:
            raise ValueError(f"n_background must be >= 1; got {n_background}")
        background = X[rng.choice(n_samples, count, replace=False)]
    else:
        background = as_finite_array(background, "background", ndim=2)
        if background.shape[1] != n_features or len(background) == 0:
            raise ValueError(f"background must have shape (m >= 1, {n_features}); got {background.shape}")
    n_background_rows = len(background)

    def imputed(rows: np.ndarray, known: np.ndarray) -> np.ndarray:
        """``f_S(x_S)`` for each row, ``known`` its coalition mask: the mean over the background rows."""
        filled = np.where(known[:, None, :], rows[:, None, :], background[None, :, :]).reshape(-1, n_features)
        predictions = np.asarray(model(filled), dtype=float)
        if len(predictions) != len(filled):
            raise ValueError(f"model returned {len(predictions)} predictions for {len(filled)} rows")
        return predictions.reshape(len(rows), n_background_rows, *predictions.shape[1:]).mean(axis=1)

    def losses(predictions: np.ndarray, targets: np.ndarray) -> np.ndarray:
        values = np.asarray(loss_fn(predictions, targets), dtype=float).reshape(-1)
        if values.size != len(targets):
            raise ValueError(f"loss returned {values.size} values for {len(targets)} samples")
        return values

    # Welford running mean and sum of squared deviations per feature
    count, mean, squares = 0, np.zeros(n_features), np.zeros(n_features)
    base_total = full_total = 0.0
    ratio, converged = float("inf"), False
    while count < int(max_permutations):
        size = min(int(batch_size), int(max_permutations) - count)
        picked = rng.integers(n_samples, size=size)
        rows, targets = X[picked], y[picked]
        orders = rng.permuted(np.tile(np.arange(n_features), (size, 1)), axis=1)
        known = np.zeros((size, n_features), dtype=bool)
        previous = losses(imputed(rows, known), targets)
        base_total += previous.sum()
        scores = np.zeros((size, n_features))
        for step in range(n_features):
            known[np.arange(size), orders[:, step]] = True
            current = losses(imputed(rows, known), targets)
            scores[np.arange(size), orders[:, step]] = previous - current
            previous = current
        full_total += previous.sum()
        for score in scores:  # batches are small; the per-draw update keeps the variance exact
            count += 1
            delta = score - mean
            mean += delta / count
            squares += delta * (score - mean)
        std_errors = np.sqrt(squares / (count - 1) / count)
        gap = float(mean.max() - mean.min())
        ratio = float(std_errors.max() / gap) if gap > 0 else (0.0 if std_errors.max() == 0 else float("inf"))
        logger.debug("SAGE: %d permutations, std-error ratio %.4f (threshold %.4f)", count, ratio, threshold)
        if count >= int(min_permutations) and ratio < threshold:
            converged = True
            break
    if not converged:
        logger.warning("SAGE estimate did not converge in %d permutations (std-error ratio %.3f, threshold %.3f); "
                       "its standard errors say how far to trust it", count, ratio, threshold)
    return SageResult(mean.copy(), np.sqrt(squares / (count - 1) / count), names, int(count), bool(converged),
                      float(ratio), float(threshold), loss_name, base_total / count, full_total / count)
