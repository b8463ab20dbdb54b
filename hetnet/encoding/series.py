"""Time series to stimuli: standardised values injected as currents, or Poisson rates.

Examples
--------
>>> import numpy as np
>>> from hetnet.config import InputConfig
>>> series = np.sin(np.linspace(0, 6, 50))[:, None]
>>> encode_series(series, InputConfig()).values.shape          # current injection (default)
(50, 1)
>>> stimulus = encode_series(series, InputConfig(mode="poisson", neurons_per_channel=2))
>>> stimulus.rates_hz.shape, stimulus.step_ms
((50, 4), 20.0)
"""
from __future__ import annotations

import logging

import numpy as np

from hetnet.config import InputConfig
from hetnet.encoding.stimuli import CurrentStimulus, EncodingError, RateStimulus

__all__ = ["standardise", "encode_series", "encoded_channels", "rates_from_unit"]

logger = logging.getLogger(__name__)


def rates_from_unit(values, config: InputConfig) -> np.ndarray:
    """Rates of encoder neurons driven at ``values`` in [0, 1]: ``rate_min_hz + values * (rate_max_hz - rate_min_hz)``.

    Examples
    --------
    >>> rates_from_unit(np.array([0.0, 0.5, 1.0]), InputConfig()).tolist()
    [0.0, 32.0, 64.0]
    """
    return config.rate_min_hz + values * (config.rate_max_hz - config.rate_min_hz)


def standardise(series, fit_steps: int | None = None) -> np.ndarray:
    """``(x - mean) / std`` per dimension, with the statistics of the first ``fit_steps`` steps.

    Constant dimensions are only centred. Returns an ``(n_steps, dims)`` array.

    Examples
    --------
    >>> standardise([1.0, 3.0, 5.0], fit_steps=2).ravel().tolist()
    [-1.0, 1.0, 3.0]
    """
    values = np.asarray(series, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or values.shape[0] == 0:
        raise EncodingError(f"series must have shape (n_steps, dims); got {np.shape(series)}")
    if not np.all(np.isfinite(values)):
        raise EncodingError("series contains NaN or infinite values")
    if fit_steps is not None and not 1 <= fit_steps <= len(values):
        raise EncodingError(f"fit_steps must lie in [1, {len(values)}]; got {fit_steps}")
    reference = values[: fit_steps or len(values)]
    spread = reference.std(axis=0)
    spread[spread == 0] = 1.0
    return (values - reference.mean(axis=0)) / spread


def encode_series(series, config: InputConfig, *, fit_steps: int | None = None):
    """Encode a time series, one stimulus step per series step.

    Each dimension is standardised with the mean and standard deviation of
    the first ``fit_steps`` steps (all steps if ``None``), so held-out data
    does not leak into the encoding (:func:`standardise`). Then, by
    ``config.mode``:

    - ``"current"``: the standardised values themselves, a
      :class:`CurrentStimulus` with one channel per dimension;
    - ``"poisson"``: ``x = clip(z / range_sd, -1, 1)``; with ``on_off`` an
      ON channel fires at rate(max(x, 0)) and an OFF channel at
      rate(max(-x, 0)), otherwise one channel at rate((x + 1) / 2); every
      channel has ``neurons_per_channel`` encoder neurons (a
      :class:`RateStimulus`).

    Parameters
    ----------
    series : array_like, shape (n_steps,) or (n_steps, dims)
    config : InputConfig
    fit_steps : int, optional

    Returns
    -------
    CurrentStimulus or RateStimulus
        Poisson: ``n_channels = dims * (2 if on_off else 1) * neurons_per_channel``;
        channel order: dimension, then ON/OFF, then neuron.
    """
    z = standardise(series, fit_steps)
    if config.mode == "current":
        return CurrentStimulus(z, config.step_ms)
    scaled = np.clip(z / config.range_sd, -1.0, 1.0)
    if config.on_off:
        unit = np.stack([np.maximum(scaled, 0.0), np.maximum(-scaled, 0.0)], axis=2)
    else:
        unit = ((scaled + 1.0) / 2.0)[:, :, None]
    unit = np.repeat(unit.reshape(len(z), -1), config.neurons_per_channel, axis=1)
    return RateStimulus(rates_from_unit(unit, config), config.step_ms)


def encoded_channels(n_dims: int, config: InputConfig) -> int:
    """Input channels :func:`encode_series` makes of a series with ``n_dims`` dimensions.

    Examples
    --------
    >>> encoded_channels(3, InputConfig()), encoded_channels(3, InputConfig(mode="poisson", neurons_per_channel=5))
    (3, 30)
    """
    if config.mode == "current":
        return int(n_dims)
    return int(n_dims) * (2 if config.on_off else 1) * config.neurons_per_channel
