"""Prediction metrics: RMSE, NRMSE, valid prediction time.

See :ref:`science-prediction`. NRMSE normalises each output dimension ``d`` by a scale
``n_d`` of the *true* series (default: its standard deviation over the data,
``ddof = 0``) and averages the normalised squared errors over dimensions:

``NRMSE = sqrt( (1/D) sum_d MSE_d / n_d^2 )``, ``MSE_d = mean_t (y_td - yhat_td)^2``.

For one dimension this is ``RMSE / std(y_true)``. The valid prediction time
uses the same normalisation per time step (Vlachas et al. 2020):
``e(t) = sqrt( (1/D) sum_d (y_td - yhat_td)^2 / n_d^2 )`` and
``VPT = first t with e(t) > threshold``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from ._validation import as_finite_array

__all__ = ["rmse", "nrmse", "normalisation_scale", "ValidPredictionTime", "valid_prediction_time"]

logger = logging.getLogger(__name__)

_NORMS = ("std", "var", "range", "mean", "q1q3")


def _pair(y_true, y_pred):
    truth = as_finite_array(y_true, "y_true", ndim=(1, 2))
    pred = as_finite_array(y_pred, "y_pred", ndim=(1, 2))
    if truth.ndim == 1:
        truth = truth[:, None]
    if pred.ndim == 1:
        pred = pred[:, None]
    if truth.shape != pred.shape:
        raise ValueError(f"y_true and y_pred have different shapes: {truth.shape} vs {pred.shape}")
    if truth.shape[0] == 0:
        raise ValueError("y_true is empty")
    return truth, pred


def normalisation_scale(y_true, norm="std"):
    """Per-dimension scale ``n_d`` used by :func:`nrmse`.

    Parameters
    ----------
    y_true : array_like, shape (n_steps,) or (n_steps, n_dims)
    norm : {"std", "var", "range", "mean", "q1q3"} or float or array_like
        ``"std"``: standard deviation over time (``ddof = 0``, the default);
        ``"var"``: variance (reservoirpy's ``norm="var"``); ``"range"``:
        max - min (reservoirpy's default); ``"mean"``: ``|mean|``;
        ``"q1q3"``: interquartile range. A number or an (n_dims,) array is
        used as given.

    Returns
    -------
    numpy.ndarray, shape (n_dims,)

    Examples
    --------
    >>> normalisation_scale([1.0, 3.0])
    array([1.])
    """
    truth = as_finite_array(y_true, "y_true", ndim=(1, 2))
    if truth.ndim == 1:
        truth = truth[:, None]
    if isinstance(norm, str):
        if norm == "std":
            scale = truth.std(axis=0)
        elif norm == "var":
            scale = truth.var(axis=0)
        elif norm == "range":
            scale = np.ptp(truth, axis=0)
        elif norm == "mean":
            scale = np.abs(truth.mean(axis=0))
        elif norm == "q1q3":
            q1, q3 = np.percentile(truth, [25, 75], axis=0)
            scale = q3 - q1
        else:
            raise ValueError(f"unknown norm {norm!r}; choose one of {_NORMS} or pass a number")
    else:
        scale = np.broadcast_to(as_finite_array(norm, "norm"), (truth.shape[1],)).astype(float)
    if np.any(scale <= 0):
        raise ValueError(
            f"normalisation scale ({norm!r}) is zero or negative for dimension(s) "
            f"{np.flatnonzero(scale <= 0).tolist()}: the true series is constant there; "
            "pass an explicit norm value"
        )
    return scale


def rmse(y_true, y_pred):
    """Root-mean-square error over all time steps and dimensions.

    Examples
    --------
    >>> rmse([0.0, 0.0], [2.0, -2.0])
    2.0
    """
    truth, pred = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((truth - pred) ** 2)))


def nrmse(y_true, y_pred, norm="std", multioutput="uniform_average"):
    """Normalised RMSE (module docstring for the formula).

    Parameters
    ----------
    y_true, y_pred : array_like, shape (n_steps,) or (n_steps, n_dims)
    norm : str or float or array_like, default "std"
        Normalisation of each dimension, see :func:`normalisation_scale`;
        computed from ``y_true``.
    multioutput : {"uniform_average", "raw_values"}
        ``"uniform_average"``: ``sqrt(mean_d MSE_d / n_d^2)`` (a float);
        ``"raw_values"``: ``RMSE_d / n_d`` per dimension (an array).

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> nrmse([1.0, 3.0], [1.0, 5.0])   # RMSE sqrt(2), std 1
    1.4142135623730951
    """
    truth, pred = _pair(y_true, y_pred)
    scale = normalisation_scale(truth, norm)
    normalised_mse = np.mean((truth - pred) ** 2, axis=0) / scale**2
    if multioutput == "raw_values":
        return np.sqrt(normalised_mse)
    if multioutput != "uniform_average":
        raise ValueError(f"multioutput must be 'uniform_average' or 'raw_values', got {multioutput!r}")
    return float(np.sqrt(np.mean(normalised_mse)))


@dataclass(frozen=True)
class ValidPredictionTime:
    """Result of :func:`valid_prediction_time`.

    Attributes
    ----------
    steps : int
        Number of valid forecast steps: the index of the first step whose
        normalised error exceeds the threshold (``n_steps`` if none does).
    time : float
        ``steps * dt`` (in the unit of ``dt``).
    lyapunov_times : float or None
        ``lyapunov_exponent * time`` when an exponent was given.
    error : numpy.ndarray, shape (n_steps,)
        The normalised error ``e(t)`` of every step.
    threshold : float
    """

    steps: int
    time: float
    lyapunov_times: float | None
    error: np.ndarray
    threshold: float


def valid_prediction_time(y_true, y_pred, dt, threshold=0.5, lyapunov_exponent=None, norm="std"):
    """Valid prediction time of a free-running forecast.

    ``e(t) = sqrt( (1/D) sum_d (y_td - yhat_td)^2 / n_d^2 )`` for each forecast
    step ``t = 0 .. n_steps - 1`` (``n_d`` from ``norm``, by default the
    standard deviation of ``y_true`` over the forecast window; pass the
    training-data standard deviation as ``norm`` for a fixed scale). The VPT
    is the number of steps before the first ``e(t) > threshold``.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (n_steps,) or (n_steps, n_dims)
        The truth and the forecast, aligned: row 0 is the first forecast step.
    dt : float
        Time between steps (e.g. 0.01 Lorenz time units, or ms).
    threshold : float, default 0.5
        The error level ``epsilon``.
    lyapunov_exponent : float, optional
        Largest Lyapunov exponent in 1 / (unit of ``dt``) (0.906 for
        Lorenz-63 in its natural time); gives the VPT in Lyapunov times.
    norm : str or float or array_like, default "std"
        See :func:`normalisation_scale`.

    Returns
    -------
    ValidPredictionTime

    Examples
    --------
    >>> truth = np.sin(np.arange(100) * 0.1)
    >>> forecast = truth.copy(); forecast[40:] += 10.0
    >>> result = valid_prediction_time(truth, forecast, dt=0.01, lyapunov_exponent=0.906)
    >>> result.steps, round(result.time, 2), round(result.lyapunov_times, 4)
    (40, 0.4, 0.3624)
    """
    truth, pred = _pair(y_true, y_pred)
    if not (np.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be a positive number, got {dt!r}")
    if not threshold > 0:
        raise ValueError(f"threshold must be positive, got {threshold!r}")
    scale = normalisation_scale(truth, norm)
    error = np.sqrt(np.mean(((truth - pred) / scale) ** 2, axis=1))
    exceeded = np.flatnonzero(error > threshold)
    steps = int(exceeded[0]) if exceeded.size else int(error.size)
    time = steps * float(dt)
    lyapunov_times = None if lyapunov_exponent is None else float(lyapunov_exponent) * time
    return ValidPredictionTime(steps, time, lyapunov_times, error, float(threshold))
