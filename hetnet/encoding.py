"""Input encoding: values injected as currents, values to Poisson rates, spike input passed through.

A :class:`CurrentStimulus` holds the standardised input value of every input
dimension for every stimulus step (a piecewise-constant value, streamed to
the network through a ``TimedArray`` and injected into each recurrent neuron
with its own signed input weight); a :class:`RateStimulus` holds the firing
rate of every encoder neuron for every stimulus step (streamed to a Brian2
``PoissonGroup``); a :class:`SpikeStimulus` holds explicit input spikes
(e.g. SHD). No Brian2 import here.

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
import math
from dataclasses import dataclass, field

import numpy as np

from hetnet.config import InputConfig
from hetnet.errors import HetnetError

__all__ = ["CurrentStimulus", "RateStimulus", "SpikeStimulus", "standardise", "encode_series", "encoded_channels", "encode_images", "poisson_spikes", "EncodingError"]

logger = logging.getLogger(__name__)


class EncodingError(HetnetError, ValueError):
    """Input that cannot be encoded (wrong shape, NaN, empty)."""


class _StepSeries:
    """Shared behaviour of the stimuli given as one row of values per step (private).

    Subclasses name their ``(n_steps, n_channels)`` array in ``_ARRAY`` and
    say whether it must be non-negative in ``_NON_NEGATIVE``.
    """

    _ARRAY = ""
    _NON_NEGATIVE = False

    def __post_init__(self):
        array = np.asarray(getattr(self, self._ARRAY), dtype=float)
        if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
            raise EncodingError(f"{self._ARRAY} must have shape (n_steps, n_channels) with both > 0; got {array.shape}")
        if not np.all(np.isfinite(array)) or (self._NON_NEGATIVE and np.any(array < 0)):
            raise EncodingError(f"{self._ARRAY} must be finite" + (" and >= 0" if self._NON_NEGATIVE else ""))
        if not (isinstance(self.step_ms, (int, float)) and self.step_ms > 0):
            raise EncodingError(f"step_ms must be > 0; got {self.step_ms!r}")
        object.__setattr__(self, self._ARRAY, array)
        object.__setattr__(self, "sample_steps", np.asarray(self.sample_steps, dtype=int).reshape(-1, 2))

    @property
    def n_steps(self) -> int:
        return getattr(self, self._ARRAY).shape[0]

    @property
    def n_channels(self) -> int:
        return getattr(self, self._ARRAY).shape[1]

    @property
    def duration_ms(self) -> float:
        return self.n_steps * self.step_ms

    def slice_steps(self, start: int, stop: int):
        """The steps ``start .. stop-1`` as a stimulus of their own."""
        return type(self)(getattr(self, self._ARRAY)[start:stop], self.step_ms)


@dataclass(frozen=True)
class CurrentStimulus(_StepSeries):
    """Input values injected as currents: ``values[k, d]`` during step ``k``.

    Each recurrent neuron ``i`` receives ``J_in_i = sum_d w_id * scale * values[k, d]``
    (mV of ``R * I_in``) through the static ``input`` pathway of the network,
    whose ``n_input`` equals ``n_channels`` here.

    Attributes
    ----------
    values : ndarray, shape (n_steps, n_channels)
        Dimensionless (standardised) input values.
    step_ms : float
        Duration of one step; the network state is read once per step.
    sample_steps : ndarray of int, shape (n_samples, 2), optional
        ``[start, stop)`` step range of each sample (classification).
    """

    _ARRAY = "values"

    values: np.ndarray
    step_ms: float
    sample_steps: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=int))


@dataclass(frozen=True)
class RateStimulus(_StepSeries):
    """Rates of ``n_channels`` Poisson encoder neurons over ``n_steps`` steps.

    Attributes
    ----------
    rates_hz : ndarray, shape (n_steps, n_channels)
    step_ms : float
        Duration of one step; the network state is read once per step.
    sample_steps : ndarray of int, shape (n_samples, 2), optional
        ``[start, stop)`` step range of each sample's presentation
        (classification); empty for streamed series.
    """

    _ARRAY = "rates_hz"
    _NON_NEGATIVE = True

    rates_hz: np.ndarray
    step_ms: float
    sample_steps: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=int))


@dataclass(frozen=True)
class SpikeStimulus:
    """Explicit input spikes: ``indices[k]`` fires at ``times_ms[k]``.

    ``step_ms`` sets how often the network state is read (one step per
    readout bin); ``duration_ms`` the run length.
    """

    indices: np.ndarray
    times_ms: np.ndarray
    n_channels: int
    duration_ms: float
    step_ms: float
    sample_steps: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=int))

    def __post_init__(self):
        indices = np.asarray(self.indices, dtype=np.int64).ravel()
        times = np.asarray(self.times_ms, dtype=np.float64).ravel()
        if indices.shape != times.shape:
            raise EncodingError(f"indices and times_ms differ in length: {indices.size} vs {times.size}")
        if self.n_channels < 1:
            raise EncodingError(f"n_channels must be >= 1; got {self.n_channels}")
        if indices.size and (indices.min() < 0 or indices.max() >= self.n_channels):
            raise EncodingError(f"spike indices must lie in [0, {self.n_channels - 1}]")
        if times.size and (not np.all(np.isfinite(times)) or times.min() < 0 or times.max() >= self.duration_ms):
            raise EncodingError(f"spike times must be finite and in [0, duration_ms = {self.duration_ms})")
        if not self.step_ms > 0 or not self.duration_ms > 0:
            raise EncodingError("step_ms and duration_ms must be > 0")
        order = np.lexsort((indices, times))
        object.__setattr__(self, "indices", indices[order])
        object.__setattr__(self, "times_ms", times[order])
        object.__setattr__(self, "sample_steps", np.asarray(self.sample_steps, dtype=int).reshape(-1, 2))

    @property
    def n_steps(self) -> int:
        return int(math.ceil(self.duration_ms / self.step_ms - 1e-9))


def _rates_from_unit(values: np.ndarray, config: InputConfig) -> np.ndarray:
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
    return RateStimulus(_rates_from_unit(unit, config), config.step_ms)


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


def encode_images(images, config: InputConfig, *, max_value: float | None = None) -> RateStimulus:
    """Rate-code images: pixel intensity to rate, ``present_ms`` on, ``rest_ms`` off.

    Images are flattened (one encoder neuron per pixel and per
    ``neurons_per_channel``); intensities are divided by ``max_value``
    (default: the largest value in ``images``) so the brightest pixel fires at
    ``rate_max_hz`` (the paper's about 64 Hz).

    Returns
    -------
    RateStimulus
        Steps of ``gcd(present_ms, rest_ms)``; ``sample_steps`` gives each
        image's presentation steps.
    """
    pixels = np.asarray(images, dtype=float)
    if pixels.ndim < 2 or pixels.shape[0] == 0:
        raise EncodingError(f"images must have shape (n_samples, ...); got {pixels.shape}")
    pixels = pixels.reshape(len(pixels), -1)
    if not np.all(np.isfinite(pixels)) or pixels.min() < 0:
        raise EncodingError("image intensities must be finite and >= 0")
    scale = float(max_value if max_value is not None else pixels.max()) or 1.0
    unit = np.repeat(np.clip(pixels / scale, 0.0, 1.0), config.neurons_per_channel, axis=1)
    tick = 0.1  # ms resolution for the common step
    present, rest = round(config.present_ms / tick), round(config.rest_ms / tick)
    step = math.gcd(present, rest) if rest else present
    present_steps, rest_steps = present // step, rest // step
    per_sample = present_steps + rest_steps
    rates = np.zeros((len(pixels) * per_sample, unit.shape[1]))
    on = np.concatenate([np.arange(k * per_sample, k * per_sample + present_steps) for k in range(len(pixels))])
    rates[on] = np.repeat(_rates_from_unit(unit, config), present_steps, axis=0)
    starts = np.arange(len(pixels)) * per_sample
    return RateStimulus(rates, step * tick, np.stack([starts, starts + present_steps], axis=1))


def poisson_spikes(stimulus: RateStimulus, dt_ms: float, seed: int) -> SpikeStimulus:
    """Draw the Poisson spikes of a rate stimulus in numpy (one Bernoulli draw per time step).

    For devices without ``TimedArray`` support (Brian2GeNN): a spike of
    channel ``c`` in time step ``t`` with probability ``rate * dt``, the
    same rule as Brian2's ``PoissonGroup``.
    """
    rng = np.random.default_rng(seed)
    steps_per_stimulus_step = int(round(stimulus.step_ms / dt_ms))
    if steps_per_stimulus_step < 1 or abs(steps_per_stimulus_step * dt_ms - stimulus.step_ms) > 1e-9:
        raise EncodingError(f"step_ms = {stimulus.step_ms} must be a multiple of dt_ms = {dt_ms}")
    indices, times = [], []
    for step, rates in enumerate(stimulus.rates_hz):
        fired = rng.random((steps_per_stimulus_step, stimulus.n_channels)) < rates * dt_ms / 1000.0
        tick, channel = np.nonzero(fired)
        indices.append(channel)
        times.append((step * steps_per_stimulus_step + tick) * dt_ms)
    return SpikeStimulus(np.concatenate(indices), np.concatenate(times), stimulus.n_channels,
                         stimulus.duration_ms, stimulus.step_ms, stimulus.sample_steps)
