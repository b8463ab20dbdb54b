"""The stimuli a network is driven by: values injected as currents, Poisson rates, explicit spikes.

A :class:`CurrentStimulus` holds the standardised input value of every input
dimension for every stimulus step (a piecewise-constant value, streamed to
the network through a ``TimedArray`` and injected into each recurrent neuron
with its own signed input weight); a :class:`RateStimulus` holds the firing
rate of every encoder neuron for every stimulus step (streamed to a Brian2
``PoissonGroup``); a :class:`SpikeStimulus` holds explicit input spikes
(e.g. SHD). :func:`poisson_spikes` draws a rate stimulus's spikes in numpy.
No Brian2 import here.

Examples
--------
>>> import numpy as np
>>> stimulus = RateStimulus(np.full((4, 2), 50.0), step_ms=10.0)
>>> stimulus.n_steps, stimulus.n_channels, stimulus.duration_ms
(4, 2, 40.0)
>>> poisson_spikes(stimulus, dt_ms=0.1, seed=0).n_channels
2
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

from hetnet.errors import HetnetError

__all__ = ["CurrentStimulus", "RateStimulus", "SpikeStimulus", "poisson_spikes", "EncodingError"]

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
