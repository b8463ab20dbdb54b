"""Reference forecasts measured on the same data as the HRSNN: persistence, ridge AR(k), an ESN.

A spiking reservoir's prediction error means little on its own; these
references are computed in the same run, on the same training and test
steps, with the same normalisation (:func:`hetnet.analysis.nrmse` with the
standard deviation of the training steps):

- **persistence**: the next value is the current value;
- **AR(k)**: ridge regression of ``x(t + 1)`` on ``x(t), ..., x(t - k + 1)``
  (all dimensions), fitted on the training steps; the order ``k`` and the
  penalty are chosen on the last 20 % of the training steps (time-ordered);
- **ESN**: a reservoirpy echo-state network of the given size (tanh units,
  spectral radius 0.9, input scaling 0.5, 10 % connectivity), its ridge
  readout's penalty and leak rate chosen the same way; only when reservoirpy
  is installed (``pip install "hetnet[data]"``).

The AR and ESN free-running forecasts feed their predictions back; the
free-running persistence forecast repeats the last training value.

One-step forecasts use the true history (teacher forcing), like the HRSNN's
``mode="one-step"``; free-running forecasts feed each prediction back.

Examples
--------
>>> import numpy as np
>>> series = np.sin(np.arange(300) * 0.3)[:, None]
>>> round(persistence_forecast(series, 200, 50).nrmse, 3) > 0.1
True
>>> ar_forecast(series, 200, 50).nrmse < 1e-3      # a sine is an AR(2) process
True
"""
from __future__ import annotations

import logging

from dataclasses import dataclass, field

import numpy as np

from hetnet.analysis import nrmse

__all__ = ["ReferenceForecast", "persistence_forecast", "ar_forecast", "esn_forecast", "esn_states", "reference_forecasts",
           "AR_ORDERS"]

logger = logging.getLogger(__name__)

#: AR orders tried by :func:`ar_forecast`
AR_ORDERS = (1, 2, 3, 5, 10, 20)
_PENALTIES = tuple(10.0 ** k for k in range(-8, 3))


@dataclass
class ReferenceForecast:
    """A reference's held-out forecast and its error (NRMSE by the training standard deviation)."""

    name: str
    nrmse: float
    predictions: np.ndarray = field(repr=False)
    settings: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {"name": self.name, "nrmse": float(self.nrmse), **self.settings}


def _prepare(series, train_steps, test_steps):
    values = np.asarray(series, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or len(values) < train_steps + test_steps + 1:
        raise ValueError(f"series needs shape (>= {train_steps + test_steps + 1}, dims); got {values.shape}")
    if train_steps < 10 or test_steps < 1:
        raise ValueError("needs train_steps >= 10 and test_steps >= 1")
    scale = values[:train_steps].std(axis=0)
    scale[scale == 0] = 1.0
    truth = values[train_steps + 1: train_steps + test_steps + 1]
    return values, scale, truth


def persistence_forecast(series, train_steps: int, test_steps: int) -> ReferenceForecast:
    """``x(t + 1) = x(t)`` on the test steps."""
    values, scale, truth = _prepare(series, train_steps, test_steps)
    predictions = values[train_steps: train_steps + test_steps]
    return ReferenceForecast("persistence", float(nrmse(truth, predictions, norm=scale)), predictions)


def _lagged(values, order, rows):
    """Rows ``[x(t), x(t-1), ..., x(t-order+1)]`` for each ``t`` in ``rows``."""
    return np.hstack([values[rows - lag] for lag in range(order)])


def _ridge(x, y, penalty):
    x_mean, y_mean = x.mean(axis=0), y.mean(axis=0)
    xc = x - x_mean
    system = xc.T @ xc + penalty * len(x) * np.eye(x.shape[1])
    try:
        coefficients = np.linalg.solve(system, xc.T @ (y - y_mean))
    except np.linalg.LinAlgError:   # a constant series or fewer rows than lags: minimum-norm solution
        coefficients = np.linalg.pinv(system) @ (xc.T @ (y - y_mean))
    return lambda z: (z - x_mean) @ coefficients + y_mean


def ar_forecast(series, train_steps: int, test_steps: int, *, mode: str = "one-step",
                orders=AR_ORDERS) -> ReferenceForecast:
    """Ridge AR(k) forecast; ``k`` and the penalty chosen on the last 20 % of the training steps.

    The penalty is relative (``penalty * n_rows`` on the normal equations).
    """
    if mode not in ("one-step", "free-running"):
        raise ValueError(f"mode must be 'one-step' or 'free-running'; got {mode!r}")
    values, scale, truth = _prepare(series, train_steps, test_steps)
    split = int(0.8 * train_steps)
    best = None
    for order in orders:
        if order >= split - 5:
            continue
        fit_rows = np.arange(order - 1, split - 1)
        check_rows = np.arange(split - 1, train_steps - 1)
        for penalty in _PENALTIES:
            model = _ridge(_lagged(values, order, fit_rows), values[fit_rows + 1], penalty)
            error = np.mean(((model(_lagged(values, order, check_rows)) - values[check_rows + 1]) / scale) ** 2)
            if best is None or error < best[0]:
                best = (error, order, penalty)
    _, order, penalty = best
    rows = np.arange(order - 1, train_steps - 1)
    model = _ridge(_lagged(values, order, rows), values[rows + 1], penalty)
    if mode == "one-step":
        predictions = model(_lagged(values, order, np.arange(train_steps, train_steps + test_steps)))
    else:
        history = list(values[: train_steps + 1])
        predictions = []
        for _ in range(test_steps):
            window = np.array(history[-order:])[::-1].reshape(1, -1)
            predictions.append(model(window)[0])
            history.append(predictions[-1])
        predictions = np.array(predictions)
    return ReferenceForecast(f"AR({order})", float(nrmse(truth, predictions, norm=scale)), predictions,
                             {"order": int(order), "penalty": float(penalty), "mode": mode})


def _reservoir(n_units, seed, leak_rate=1.0, spectral_radius=0.9, input_scaling=0.5, connectivity=0.1):
    try:
        from reservoirpy.nodes import Reservoir
    except ImportError as error:  # pragma: no cover - reservoirpy is in the test extra
        raise ImportError("the ESN reference needs reservoirpy: pip install 'hetnet[data]'") from error
    return Reservoir(int(n_units), sr=spectral_radius, lr=leak_rate, input_scaling=input_scaling,
                     rc_connectivity=connectivity, seed=int(seed))


def esn_states(inputs, n_units: int, *, seed: int = 0, leak_rate: float = 1.0, spectral_radius: float = 0.9,
               input_scaling: float = 0.5, connectivity: float = 0.1) -> np.ndarray:
    """States of a reservoirpy echo-state network (tanh units) driven by ``inputs``, shape ``(n_steps, n_units)``.

    Raises
    ------
    ImportError
        When reservoirpy is not installed.
    """
    values = np.asarray(inputs, dtype=float)
    values = values[:, None] if values.ndim == 1 else values
    reservoir = _reservoir(n_units, seed, leak_rate, spectral_radius, input_scaling, connectivity)
    return np.asarray(reservoir.run(values))


def esn_forecast(series, train_steps: int, test_steps: int, *, n_units: int = 500, seed: int = 0,
                 washout_steps: int = 50, mode: str = "one-step") -> ReferenceForecast:
    """Forecast of a reservoirpy echo-state network of ``n_units`` tanh units.

    The input is standardised with the training steps' statistics; the leak
    rate (0.3 or 1.0) and the ridge penalty are chosen on the last 20 % of
    the training steps (one-step error), then the readout is refitted on
    all of them. The washout is at most a quarter of the training steps. ``mode="free-running"`` feeds each prediction back as the
    next input after the training steps.

    Raises
    ------
    ImportError
        When reservoirpy is not installed.
    """
    if mode not in ("one-step", "free-running"):
        raise ValueError(f"mode must be 'one-step' or 'free-running'; got {mode!r}")
    values, scale, truth = _prepare(series, train_steps, test_steps)
    washout_steps = min(int(washout_steps), train_steps // 4)   # short series: a shorter washout
    centre = values[:train_steps].mean(axis=0)
    inputs = (values - centre) / scale
    split = int(0.8 * train_steps)
    fit_rows = np.arange(washout_steps, split - 1)
    check_rows = np.arange(split - 1, train_steps - 1)
    best = None
    for leak in (0.3, 1.0):
        states = esn_states(inputs[:train_steps], n_units, seed=seed, leak_rate=leak)
        for penalty in _PENALTIES:
            model = _ridge(states[fit_rows], values[fit_rows + 1], penalty)
            error = np.mean(((model(states[check_rows]) - values[check_rows + 1]) / scale) ** 2)
            if best is None or error < best[0]:
                best = (error, leak, penalty)
    _, leak, penalty = best
    reservoir = _reservoir(n_units, seed, leak)
    if mode == "one-step":
        states = np.asarray(reservoir.run(inputs[: train_steps + test_steps]))
        rows = np.arange(washout_steps, train_steps - 1)
        model = _ridge(states[rows], values[rows + 1], penalty)
        predictions = model(states[train_steps: train_steps + test_steps])
    else:
        states = np.asarray(reservoir.run(inputs[:train_steps]))
        rows = np.arange(washout_steps, train_steps - 1)
        model = _ridge(states[rows], values[rows + 1], penalty)
        state = np.asarray(reservoir.run(inputs[train_steps: train_steps + 1]))
        predictions = []
        for _ in range(test_steps):
            predictions.append(model(state)[0])
            state = np.asarray(reservoir.run(((predictions[-1] - centre) / scale)[None, :]))
        predictions = np.array(predictions)
    return ReferenceForecast(f"ESN({n_units})", float(nrmse(truth, predictions, norm=scale)), predictions,
                             {"n_units": int(n_units), "leak_rate": leak, "penalty": float(penalty), "mode": mode,
                              "spectral_radius": 0.9, "input_scaling": 0.5, "connectivity": 0.1, "seed": int(seed)})


def reference_forecasts(series, train_steps: int, test_steps: int, *, mode: str = "one-step",
                        n_units: int | None = None, seed: int = 0) -> dict:
    """Persistence, AR(k) and (reservoirpy installed, ``n_units`` given) an ESN.

    Returns
    -------
    dict
        ``{"persistence": ReferenceForecast, "ar": ..., "esn": ...}`` (``esn``
        absent when it cannot be computed; free-running persistence is the
        last training value repeated).
    """
    references = {}
    if mode == "one-step":
        references["persistence"] = persistence_forecast(series, train_steps, test_steps)
    else:
        values, scale, truth = _prepare(series, train_steps, test_steps)
        held = np.repeat(values[train_steps: train_steps + 1], test_steps, axis=0)
        references["persistence"] = ReferenceForecast("persistence", float(nrmse(truth, held, norm=scale)), held)
    references["ar"] = ar_forecast(series, train_steps, test_steps, mode=mode)
    if n_units:
        try:
            references["esn"] = esn_forecast(series, train_steps, test_steps, n_units=n_units, seed=seed, mode=mode)
        except ImportError:
            pass
    return references
