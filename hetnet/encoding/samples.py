"""Encoders of classification samples (spikes, events, images, videos) into network stimuli.

- :func:`encode_spike_samples`: SHD-style spike samples passed through as a
  :class:`~hetnet.encoding.stimuli.SpikeStimulus`, optionally pooled onto fewer
  channels and cut to ``present_ms``, each followed by ``rest_ms`` silence.
- :func:`encode_event_samples`: DVS events (x, y, p, t_ms) pooled onto a
  coarse grid of channels (``(x // pool, y // pool, p)``), with optional
  time compression, passed through the same way.
- :func:`encode_videos`: video frames (e.g. KTH frame differences) pooled
  spatially and rate-coded, frame by frame, ``present_ms`` per video.
- :func:`encode_images`: images rate-coded, pixel intensity to rate, and
  :func:`encode_image_samples`: the same after optional pooling.

Every encoder returns a stimulus whose ``sample_steps`` holds each sample's
``[start, stop)`` presentation steps (``stop`` excludes the rest period), so
the pipeline can cut the network state per sample.  Where randomness enters
(jitter, thinning) it is seeded.

Examples
--------
>>> import numpy as np
>>> from hetnet.config import InputConfig
>>> from hetnet.datasets.base import SpikeSample
>>> samples = [SpikeSample(np.array([5.0, 20.0]), np.array([0, 3]), 4)]
>>> stimulus = encode_spike_samples(samples, InputConfig(step_ms=10.0))
>>> stimulus.n_channels, stimulus.duration_ms, stimulus.sample_steps.tolist()
(4, 200.0, [[0, 10]])
"""

from __future__ import annotations

import logging
import math
from typing import Optional, Sequence

import numpy as np

from hetnet.config import InputConfig
from hetnet.encoding.series import rates_from_unit
from hetnet.encoding.stimuli import EncodingError, RateStimulus, SpikeStimulus

__all__ = [
    "encode_spike_samples",
    "encode_event_samples",
    "encode_videos",
    "encode_images",
    "encode_image_samples",
    "pool_images",
    "samples_duration_steps",
]

logger = logging.getLogger(__name__)


def samples_duration_steps(config: InputConfig) -> tuple:
    """Steps of one presentation and of one rest: ``(present, rest)``.

    ``present_ms`` and ``rest_ms`` must be multiples of ``step_ms``.

    Examples
    --------
    >>> samples_duration_steps(InputConfig(step_ms=10.0, present_ms=100.0, rest_ms=50.0))
    (10, 5)
    """
    present = config.present_ms / config.step_ms
    rest = config.rest_ms / config.step_ms
    if abs(present - round(present)) > 1e-9 or abs(rest - round(rest)) > 1e-9:
        raise EncodingError(
            f"present_ms ({config.present_ms}) and rest_ms ({config.rest_ms}) must be multiples of "
            f"step_ms ({config.step_ms})"
        )
    return int(round(present)), int(round(rest))


def _concatenate(per_sample: Sequence[tuple], n_channels: int, config: InputConfig) -> SpikeStimulus:
    present_steps, rest_steps = samples_duration_steps(config)
    period_ms = (present_steps + rest_steps) * config.step_ms
    indices, times = [], []
    for number, (sample_channels, sample_times) in enumerate(per_sample):
        indices.append(np.asarray(sample_channels, dtype=np.int64))
        times.append(np.asarray(sample_times, dtype=np.float64) + number * period_ms)
    starts = np.arange(len(per_sample)) * (present_steps + rest_steps)
    return SpikeStimulus(
        np.concatenate(indices) if indices else np.zeros(0, np.int64),
        np.concatenate(times) if times else np.zeros(0),
        int(n_channels),
        max(len(per_sample), 1) * period_ms,
        config.step_ms,
        np.stack([starts, starts + present_steps], axis=1) if len(per_sample) else np.zeros((0, 2), int),
    )


def _window(times_ms, channels, present_ms: float, time_scale: float, resolution_ms: float):
    """Scale times, keep those inside the window, snap them down to the
    ``resolution_ms`` grid and drop duplicate (channel, tick) spikes."""
    if not resolution_ms > 0:
        raise EncodingError(f"resolution_ms must be > 0; got {resolution_ms}")
    times = np.asarray(times_ms, dtype=np.float64) * time_scale
    keep = (times >= 0) & (times < present_ms)
    times, channels = times[keep], np.asarray(channels, dtype=np.int64)[keep]
    # one spike per channel per simulation step: Brian2's SpikeGeneratorGroup
    # refuses two spikes of one neuron within a time step.
    ticks = np.floor(times / resolution_ms + 1e-9).astype(np.int64)
    _, unique = np.unique(np.stack([channels, ticks]), axis=1, return_index=True)
    return channels[unique], ticks[unique] * resolution_ms


def encode_spike_samples(
    samples,
    config: InputConfig,
    *,
    channel_pool: int = 1,
    n_units: Optional[int] = None,
    time_scale: float = 1.0,
    resolution_ms: float = 0.1,
) -> SpikeStimulus:
    """Pass spike samples (SHD/SSC) through, one after another.

    Each sample's spikes ``t * time_scale`` that fall in ``[0, present_ms)``
    are kept, shifted to the sample's slot, and followed by ``rest_ms`` of
    silence. Units are pooled by ``unit // channel_pool`` (700 SHD channels
    with ``channel_pool=7`` give 100 channels). Times are snapped down to
    the ``resolution_ms`` grid (use the simulation ``dt_ms``) and spikes of
    one channel on the same grid point are merged.

    Parameters
    ----------
    samples : sequence of SpikeSample
    config : InputConfig
        ``present_ms``, ``rest_ms`` and ``step_ms`` (readout step).
    channel_pool : int
        Units per input channel.
    n_units : int, optional
        Units of the dataset; default ``samples[0].n_units``.
    time_scale : float
        Multiplies spike times (e.g. 0.1 squeezes a 1 s SHD sample into
        100 ms).

    Returns
    -------
    SpikeStimulus
        ``n_channels = ceil(n_units / channel_pool)``; ``sample_steps``
        gives each sample's presentation steps.
    """
    if len(samples) == 0:
        raise EncodingError("no samples to encode")
    if channel_pool < 1 or not time_scale > 0:
        raise EncodingError("channel_pool must be >= 1 and time_scale > 0")
    n_units = int(n_units if n_units is not None else samples[0].n_units)
    n_channels = int(math.ceil(n_units / channel_pool))
    per_sample = []
    for sample in samples:
        channels, times = _window(sample.times_ms, np.asarray(sample.units) // channel_pool,
                                  config.present_ms, time_scale, resolution_ms)
        per_sample.append((channels, times))
    return _concatenate(per_sample, n_channels, config)


def encode_event_samples(
    samples,
    config: InputConfig,
    *,
    sensor_size=(128, 128, 2),
    pool: int = 16,
    time_scale: float = 1.0,
    max_events_per_sample: Optional[int] = None,
    seed: int = 0,
    resolution_ms: float = 0.1,
) -> SpikeStimulus:
    """Pass DVS events through, pooled onto a coarse grid of channels.

    An event at ``(x, y, p)`` feeds channel
    ``((x // pool) * ny + y // pool) * n_polarities + p`` with
    ``ny = ceil(height / pool)``: 128x128x2 with ``pool=16`` gives 128
    channels. Times (ms) are multiplied by ``time_scale`` and cut to
    ``present_ms``; when ``max_events_per_sample`` is set a seeded random
    subset of that many events is kept (uniform thinning). Times are
    snapped to the ``resolution_ms`` grid as in :func:`encode_spike_samples`.

    Parameters
    ----------
    samples : sequence of ndarray (n_events, 4)
        Columns x, y, p, t_ms (as from :func:`hetnet.datasets.load_dvs_gesture`).
    config : InputConfig
    sensor_size : (width, height, polarities)
    pool : int
        Pixels per channel side.
    time_scale : float
    max_events_per_sample : int, optional
    seed : int

    Returns
    -------
    SpikeStimulus

    Examples
    --------
    >>> import numpy as np
    >>> events = [np.array([[0, 0, 1, 3.0], [127, 127, 0, 7.0]])]
    >>> stimulus = encode_event_samples(events, InputConfig())
    >>> stimulus.n_channels, stimulus.indices.tolist()
    (128, [1, 126])
    """
    if len(samples) == 0:
        raise EncodingError("no samples to encode")
    width, height, polarities = sensor_size
    nx, ny = int(math.ceil(width / pool)), int(math.ceil(height / pool))
    generator = np.random.default_rng(seed)
    per_sample = []
    for events in samples:
        events = np.asarray(events, dtype=np.float64)
        if events.ndim != 2 or events.shape[1] != 4:
            raise EncodingError(f"events must have shape (n_events, 4) x, y, p, t_ms; got {events.shape}")
        if max_events_per_sample is not None and len(events) > max_events_per_sample:
            keep = np.sort(generator.choice(len(events), int(max_events_per_sample), replace=False))
            events = events[keep]
        x = events[:, 0].astype(np.int64) // pool
        y = events[:, 1].astype(np.int64) // pool
        polarity = events[:, 2].astype(np.int64)
        channels = (x * ny + y) * polarities + polarity
        per_sample.append(_window(events[:, 3], channels, config.present_ms, time_scale, resolution_ms))
    return _concatenate(per_sample, nx * ny * polarities, config)


def pool_images(images, pool: int = 1) -> np.ndarray:
    """Average-pool the last two spatial axes by ``pool`` (trailing pixels dropped).

    Colour images ``(n, h, w, 3)`` are first averaged over channels.

    Examples
    --------
    >>> pool_images(np.arange(16.0).reshape(1, 4, 4), 2).tolist()
    [[[2.5, 4.5], [10.5, 12.5]]]
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 4 and images.shape[-1] in (1, 3):
        images = images.mean(axis=-1)
    if images.ndim != 3:
        raise EncodingError(f"images must have shape (n, height, width[, channels]); got {images.shape}")
    if pool == 1:
        return images
    n, height, width = images.shape
    height, width = height // pool * pool, width // pool * pool
    cropped = images[:, :height, :width]
    return cropped.reshape(n, height // pool, pool, width // pool, pool).mean(axis=(2, 4))


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
    rates[on] = np.repeat(rates_from_unit(unit, config), present_steps, axis=0)
    starts = np.arange(len(pixels)) * per_sample
    return RateStimulus(rates, step * tick, np.stack([starts, starts + present_steps], axis=1))


def encode_image_samples(images, config: InputConfig, *, pool: int = 1, max_value: Optional[float] = None) -> RateStimulus:
    """Pool then rate-code images with :func:`encode_images`.

    Examples
    --------
    >>> stimulus = encode_image_samples(np.ones((2, 8, 8)), InputConfig(neurons_per_channel=1), pool=2)
    >>> stimulus.n_channels, stimulus.sample_steps.tolist()
    (16, [[0, 1], [2, 3]])
    """
    return encode_images(pool_images(images, pool), config, max_value=max_value)


def encode_videos(videos, config: InputConfig, *, pool: int = 8, max_value: Optional[float] = None) -> RateStimulus:
    """Rate-code videos frame by frame, ``present_ms`` per video then ``rest_ms``.

    Each video (n_frames, height, width), e.g. KTH frame differences in
    [0, 1], is average-pooled by ``pool``; its frames are spread evenly over
    the ``present_ms / step_ms`` presentation steps (frame
    ``floor(k * n_frames / present_steps)`` at step ``k``), so videos of
    different lengths take the same time. Pixel value ``v / max_value``
    drives ``neurons_per_channel`` encoder neurons at
    ``rate_min_hz + v * (rate_max_hz - rate_min_hz)``; rest steps are silent.

    Returns
    -------
    RateStimulus
        ``sample_steps`` gives each video's presentation steps.

    Examples
    --------
    >>> video = np.zeros((4, 16, 16)); video[:, :8, :8] = 1.0
    >>> stimulus = encode_videos([video], InputConfig(neurons_per_channel=1), pool=8)
    >>> stimulus.n_channels, stimulus.rates_hz[0].tolist()
    (4, [64.0, 0.0, 0.0, 0.0])
    """
    if len(videos) == 0:
        raise EncodingError("no videos to encode")
    present_steps, rest_steps = samples_duration_steps(config)
    pooled = [pool_images(np.asarray(video, dtype=np.float64), pool) for video in videos]
    shapes = {video.shape[1:] for video in pooled}
    if len(shapes) != 1:
        raise EncodingError(f"videos must share a frame size after pooling; got {sorted(shapes)}")
    scale = float(max_value if max_value is not None else max(video.max() for video in pooled)) or 1.0
    n_pixels = int(np.prod(next(iter(shapes))))
    period = present_steps + rest_steps
    unit = np.zeros((len(pooled) * period, n_pixels))
    present_mask = np.zeros(len(pooled) * period, dtype=bool)
    for number, video in enumerate(pooled):
        frames = np.clip(video.reshape(len(video), -1) / scale, 0.0, 1.0)
        choose = (np.arange(present_steps) * len(frames)) // present_steps
        unit[number * period: number * period + present_steps] = frames[choose]
        present_mask[number * period: number * period + present_steps] = True
    rates = rates_from_unit(unit, config)
    rates[~present_mask] = 0.0
    rates = np.repeat(rates, config.neurons_per_channel, axis=1)
    starts = np.arange(len(pooled)) * period
    return RateStimulus(rates, config.step_ms, np.stack([starts, starts + present_steps], axis=1))
