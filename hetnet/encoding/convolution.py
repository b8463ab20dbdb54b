"""The convolutional spiking front-end of the CHRSNN: fixed filters, integrate-and-fire neurons, pooling.

The convolutional HRSNN (CHRSNN) puts a convolutional spiking layer in front of
the recurrent HRSNN layer (:ref:`science-chrsnn`). With
``input.frontend = "conv"`` every image, event or video sample goes through it
before it reaches the network:

1. **Frames.** The sample becomes a sequence of frames, one per
   ``conv_frame_ms`` (1 ms) of its ``present_ms`` window: events are binned by
   time, each pixel holding its ON events minus its OFF events in the bin;
   an image is the same frame in every bin (intensity divided by the largest
   intensity of the data); a video's frames are spread evenly over the bins
   (frame ``floor(k * n_frames / n_bins)`` in bin ``k``, as
   :func:`~hetnet.encoding.samples.encode_videos` does). Frames are first
   summed over squares of ``pool x pool`` pixels (the task's ``pool``; the
   mean of :func:`~hetnet.encoding.samples.pool_images` times ``pool ** 2``), and
   an image or video intensity ``u`` in [0, 1] counts as the
   ``u * rate_max_hz * conv_frame_ms / 1000`` events a pixel firing at ``u * rate_max_hz``
   would send in a frame, so every frame is in events.
2. **Filters** (:func:`filter_bank`): a fixed, deterministic bank of
   ``conv_orientations`` even Gabor filters and one centre-surround difference
   of Gaussians, each of zero mean and unit L1 norm, is correlated with every
   frame at every ``conv_stride``-th pixel (edge pixels replicated at the
   border, so a map has ``ceil(height / stride) x ceil(width / stride)``
   positions). The filters are point-symmetric, so correlation and
   convolution agree. Each response is split into its positive part (the ON
   map) and its negative part (the OFF map): ``2 * (conv_orientations + 1)``
   rectified feature maps, each value at most the frame's largest absolute
   value.
3. **Integrate-and-fire neurons** (:func:`integrate_and_fire`), one per map
   position, integrate the rectified response frame by frame without leak,
   from 0 at the start of each sample; a neuron whose potential reaches
   ``conv_threshold`` fires ``floor(potential / threshold)`` spikes and loses
   that many thresholds (reset by subtraction), so a constant input ``c``
   gives ``floor(c * n_frames / threshold)`` spikes.
4. **Pooling** (:func:`pool_spikes`): the positions of a map are grouped into
   squares of ``conv_pool x conv_pool`` (partial squares at the border kept);
   an input channel fires in a frame when any neuron of its square fires (the
   spiking counterpart of max pooling), at the start of the frame.

The channel spikes are then passed on like any other spike input
(:class:`~hetnet.encoding.stimuli.SpikeStimulus`, ``rest_ms`` of silence after
each sample, times snapped to the simulation step), so they reach the
recurrent layer through the plastic input synapses. The filters are fixed, not
learned (no STDP in the front-end); only the recurrent layer and its input
synapses learn. Everything here is numpy, deterministic and free of Brian2:
the front-end is a fixed transformation of the data, simulated before the
network is built.

Examples
--------
>>> import numpy as np
>>> from hetnet.config import InputConfig
>>> image = np.zeros((1, 16, 16)); image[0, :, 8:] = 1.0  # a vertical edge
>>> config = InputConfig(frontend="conv", conv_pool=16)
>>> stimulus = encode_convolutional(image, "images", config)
>>> stimulus.n_channels  # 5 filters x (ON, OFF) x one pooled square
10
>>> responses = filter_responses(image, filter_bank(4, 5))
>>> int(np.argmax(responses.sum(axis=(0, 2, 3))[:4]))  # the vertical Gabor, ON half
0

References
----------
Chakraborty, B. & Mukhopadhyay, S. (2023). Heterogeneous recurrent spiking neural network
for spatio-temporal classification. Frontiers in Neuroscience 17; arXiv:2211.04297 (the CHRSNN).

Kheradpisheh, S. R., Ganjtabesh, M., Thorpe, S. J. & Masquelier, T. (2018). STDP-based
spiking deep convolutional neural networks for object recognition. Neural Networks 99,
56-67 (difference-of-Gaussians input layer, integrate-and-fire neurons, spike pooling).

Masquelier, T. & Thorpe, S. J. (2007). Unsupervised learning of visual features through
spike timing dependent plasticity. PLoS Computational Biology 3(2), e31 (oriented Gabor
filters as the first layer).
"""
from __future__ import annotations

import logging
import math
from typing import Optional

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from hetnet.config import InputConfig
from hetnet.encoding.samples import _concatenate, _window, pool_images
from hetnet.encoding.stimuli import EncodingError, SpikeStimulus

logger = logging.getLogger(__name__)

__all__ = [
    "FRONTEND_KINDS",
    "filter_bank",
    "filter_responses",
    "integrate_and_fire",
    "pool_spikes",
    "sample_frames",
    "encode_convolutional",
]

#: data kinds the convolutional front-end accepts (spike data sets have no pixels)
FRONTEND_KINDS = ("images", "events", "video")
#: tolerance of the threshold crossing and of the time binning (as in :func:`hetnet.encoding.samples._window`)
_TOLERANCE = 1e-9


def filter_bank(orientations: int = 4, kernel: int = 5) -> np.ndarray:
    """The fixed filters: ``orientations`` even Gabor filters and one difference of Gaussians.

    On a ``kernel x kernel`` grid of offsets ``(x, y)`` from the centre (``x``
    along columns, ``y`` along rows), with wavelength ``lambda = kernel - 1``
    and envelope width ``sigma = lambda / 2``:

    - Gabor ``k`` (``k = 0 .. orientations - 1``, angle ``a = pi k / orientations``):
      ``exp(-(x^2 + y^2) / (2 sigma^2)) * (cos(2 pi (x cos a + y sin a) / lambda) - c)``,
      ``c`` the envelope-weighted mean of the cosine, so the filter has zero
      mean. Filter 0 varies along ``x``: it prefers vertical bars and edges;
      filter ``orientations / 2`` (when even) horizontal ones. A pattern that
      does not vary along the filter's direction (e.g. a vertical edge for
      the horizontal filter) gives exactly zero.
    - the difference of Gaussians (last): a centre Gaussian of width
      ``sigma / 2`` minus a surround of width ``sigma``, each summing to 1 over
      the grid (ON-centre; its negative, the OFF-centre filter, is the OFF map
      of :func:`filter_responses`).

    Every filter is then divided by the sum of its absolute values (unit L1
    norm): its response to a frame with values in ``[-m, m]`` lies in ``[-m, m]``.

    Parameters
    ----------
    orientations : int
        Gabor orientations, >= 1.
    kernel : int
        Side of the filters (pixels), odd, >= 3.

    Returns
    -------
    numpy.ndarray, shape (orientations + 1, kernel, kernel)

    Examples
    --------
    >>> bank = filter_bank(4, 5)
    >>> bank.shape, bool(np.allclose(bank.sum(axis=(1, 2)), 0)), bool(np.allclose(abs(bank).sum(axis=(1, 2)), 1))
    ((5, 5, 5), True, True)
    """
    orientations, kernel = int(orientations), int(kernel)
    if orientations < 1 or kernel < 3 or kernel % 2 == 0:
        raise EncodingError(f"orientations must be >= 1 and kernel odd and >= 3; got {orientations}, {kernel}")
    offsets = np.arange(kernel) - kernel // 2
    y, x = np.meshgrid(offsets, offsets, indexing="ij")
    wavelength = kernel - 1.0
    sigma = wavelength / 2.0
    envelope = np.exp(-(x ** 2 + y ** 2) / (2.0 * sigma ** 2))
    filters = []
    for number in range(orientations):
        angle = math.pi * number / orientations
        carrier = np.cos(2.0 * math.pi * (x * math.cos(angle) + y * math.sin(angle)) / wavelength)
        carrier -= (envelope * carrier).sum() / envelope.sum()
        filters.append(envelope * carrier)

    def gaussian(width):
        values = np.exp(-(x ** 2 + y ** 2) / (2.0 * width ** 2))
        return values / values.sum()

    filters.append(gaussian(sigma / 2.0) - gaussian(sigma))
    bank = np.array(filters)
    return bank / np.abs(bank).sum(axis=(1, 2), keepdims=True)


def filter_responses(frames, filters, stride: int = 1) -> np.ndarray:
    """Rectified ON and OFF responses of every filter at every ``stride``-th pixel of every frame.

    Parameters
    ----------
    frames : array_like, shape (n_frames, height, width)
    filters : array_like, shape (n_filters, kernel, kernel)
        Odd ``kernel`` (e.g. :func:`filter_bank`).
    stride : int
        Step between the positions the filters are applied at, >= 1.

    Returns
    -------
    numpy.ndarray, shape (n_frames, 2 * n_filters, ceil(height / stride), ceil(width / stride))
        Maps ``0 .. n_filters - 1``: ``max(r, 0)`` of each filter's response
        ``r``; maps ``n_filters ..``: ``max(-r, 0)``. The frame's border
        pixels are replicated outwards, so a uniform frame gives zero.

    Examples
    --------
    >>> responses = filter_responses(np.ones((2, 6, 6)), filter_bank(2, 3), stride=2)
    >>> responses.shape, float(abs(responses).max()) < 1e-12
    ((2, 6, 3, 3), True)
    """
    frames = np.asarray(frames, dtype=np.float64)
    filters = np.asarray(filters, dtype=np.float64)
    if frames.ndim != 3:
        raise EncodingError(f"frames must have shape (n_frames, height, width); got {frames.shape}")
    if filters.ndim != 3 or filters.shape[1] != filters.shape[2] or filters.shape[1] % 2 == 0:
        raise EncodingError(f"filters must have shape (n_filters, k, k) with k odd; got {filters.shape}")
    if int(stride) < 1:
        raise EncodingError(f"stride must be >= 1; got {stride}")
    half = filters.shape[1] // 2
    padded = np.pad(frames, ((0, 0), (half, half), (half, half)), mode="edge")
    windows = sliding_window_view(padded, filters.shape[1:], axis=(1, 2))[:, ::int(stride), ::int(stride)]
    response = np.einsum("thwij,fij->tfhw", windows, filters, optimize=True)
    return np.concatenate([np.maximum(response, 0.0), np.maximum(-response, 0.0)], axis=1)


def integrate_and_fire(currents, threshold: float) -> np.ndarray:
    """Spike counts of non-leaky integrate-and-fire neurons driven by ``currents``, step by step.

    Each neuron starts at potential 0 and adds its input every step; when the
    potential reaches ``threshold`` it fires ``floor(potential / threshold)``
    spikes in that step and loses as many thresholds (reset by subtraction,
    so no input is lost). A constant input ``c >= 0`` over ``n`` steps
    therefore gives ``floor(c * n / threshold)`` spikes. Everything is
    dimensionless; a crossing within a relative ``1e-9`` of the threshold
    counts (rounding of the running sum).

    Parameters
    ----------
    currents : array_like, shape (n_steps, ...)
        Input of each neuron in each step, >= 0.
    threshold : float
        > 0, in the units of ``currents``.

    Returns
    -------
    numpy.ndarray of int64, the shape of ``currents``
        Spikes of each neuron in each step.

    Examples
    --------
    >>> integrate_and_fire(np.full((10, 2), [0.3, 1.5]), 1.0).sum(axis=0).tolist()
    [3, 15]
    """
    currents = np.asarray(currents, dtype=np.float64)
    if not threshold > 0:
        raise EncodingError(f"threshold must be > 0; got {threshold}")
    if currents.ndim < 1 or (currents.size and not (np.all(np.isfinite(currents)) and currents.min() >= 0)):
        raise EncodingError("currents must be finite and >= 0, shape (n_steps, ...)")
    potential = np.zeros(currents.shape[1:])
    counts = np.zeros(currents.shape, dtype=np.int64)
    for step, current in enumerate(currents):
        potential += current
        fired = np.floor(potential / threshold + _TOLERANCE)
        counts[step] = fired
        potential -= fired * threshold
    return counts


def pool_spikes(counts, pool: int) -> np.ndarray:
    """Which input channel fires in which step: any neuron of its ``pool x pool`` square.

    Parameters
    ----------
    counts : array_like, shape (n_steps, n_maps, height, width)
        Spike counts of the neurons of each feature map (:func:`integrate_and_fire`).
    pool : int
        Side of the squares, >= 1; squares cut by the border are kept.

    Returns
    -------
    numpy.ndarray of bool, shape (n_steps, n_maps * ceil(height / pool) * ceil(width / pool))
        Channel ``(map * rows + row) * columns + column``.

    Examples
    --------
    >>> counts = np.zeros((1, 1, 3, 3), int); counts[0, 0, 2, 2] = 4
    >>> pool_spikes(counts, 2).astype(int).tolist()
    [[0, 0, 0, 1]]
    """
    counts = np.asarray(counts)
    if counts.ndim != 4 or int(pool) < 1:
        raise EncodingError(f"counts must have shape (n_steps, n_maps, height, width) and pool >= 1; "
                            f"got {counts.shape}, {pool}")
    pool = int(pool)
    steps, maps, height, width = counts.shape
    rows, columns = -(-height // pool), -(-width // pool)
    padded = np.zeros((steps, maps, rows * pool, columns * pool), dtype=bool)
    padded[:, :, :height, :width] = counts > 0
    return padded.reshape(steps, maps, rows, pool, columns, pool).any(axis=(3, 5)).reshape(steps, -1)


def sample_frames(sample, kind: str, config: InputConfig, *, pool: int = 1, sensor_size=(128, 128, 2),
                  time_scale: float = 1.0, scale: float = 1.0):
    """The distinct frames of one sample and which frame each time bin shows.

    Parameters
    ----------
    sample : array_like
        ``kind="events"``: ``(n_events, 4)`` x, y, p, t_ms (p = 1 ON, 0 OFF);
        ``"images"``: ``(height, width[, colours])``; ``"video"``: ``(n_frames, height, width)``.
    kind : {"events", "images", "video"}
    config : InputConfig
        ``present_ms`` and ``conv_frame_ms`` give ``n_bins = ceil(present_ms / conv_frame_ms)``.
    pool : int
        Side of the squares of pixels summed before the filters (:func:`~hetnet.encoding.samples.pool_images`
        times ``pool ** 2``).
    sensor_size : (width, height, polarities)
        Events only.
    time_scale : float
        Events only: multiplies the event times before binning.
    scale : float
        Images and videos: divides the values (the data's largest value, so frames lie in [0, 1]).

    Returns
    -------
    frames : numpy.ndarray, shape (n_distinct, height // pool, width // pool)
        Events: ON minus OFF events per bin in each pooled square of pixels.
    frame_of_bin : numpy.ndarray of int, shape (n_bins,)

    Examples
    --------
    >>> events = np.array([[1, 0, 1, 0.5], [1, 0, 0, 2.5], [0, 1, 1, 2.7]])
    >>> frames, frame_of_bin = sample_frames(events, "events", InputConfig(present_ms=3.0, conv_frame_ms=1.0),
    ...                                      sensor_size=(2, 2, 2))
    >>> frames[:, 0, 1].tolist(), float(frames[2, 1, 0]), frame_of_bin.tolist()
    ([1.0, 0.0, -1.0], 1.0, [0, 1, 2])
    """
    n_bins = int(math.ceil(config.present_ms / config.conv_frame_ms - _TOLERANCE))
    if kind == "events":
        events = np.asarray(sample, dtype=np.float64)
        if events.ndim != 2 or events.shape[1] != 4:
            raise EncodingError(f"events must have shape (n_events, 4) x, y, p, t_ms; got {events.shape}")
        width, height = int(sensor_size[0]), int(sensor_size[1])
        times = events[:, 3] * time_scale
        keep = (times >= 0) & (times < config.present_ms)
        events, times = events[keep], times[keep]
        bins = np.minimum(np.floor(times / config.conv_frame_ms + _TOLERANCE).astype(np.int64), n_bins - 1)
        frames = np.zeros((n_bins, height, width))
        np.add.at(frames, (bins, events[:, 1].astype(np.int64), events[:, 0].astype(np.int64)),
                  np.where(events[:, 2] > 0, 1.0, -1.0))
        return pool_images(frames, pool) * pool ** 2, np.arange(n_bins)
    # an intensity u in [0, 1] counts as the events a pixel firing at u * rate_max_hz would send in a frame
    events_per_unit = pool ** 2 * config.rate_max_hz * config.conv_frame_ms / 1000.0 / scale
    if kind == "images":
        frames = pool_images(np.asarray(sample, dtype=np.float64)[None], pool) * events_per_unit
        return frames, np.zeros(n_bins, dtype=np.int64)
    if kind == "video":
        frames = pool_images(np.asarray(sample, dtype=np.float64), pool) * events_per_unit
        return frames, (np.arange(n_bins) * len(frames)) // n_bins
    raise EncodingError(f"the convolutional front-end encodes {', '.join(FRONTEND_KINDS)}; got kind {kind!r}")


def encode_convolutional(
    samples,
    kind: str,
    config: InputConfig,
    *,
    pool: int = 1,
    sensor_size=(128, 128, 2),
    time_scale: float = 1.0,
    max_value: Optional[float] = None,
    resolution_ms: float = 0.1,
) -> SpikeStimulus:
    """Run samples through the convolutional front-end and pass its spikes on, one sample after another.

    Frames (:func:`sample_frames`), filters (:func:`filter_bank`,
    :func:`filter_responses`), integrate-and-fire neurons
    (:func:`integrate_and_fire`) and pooling (:func:`pool_spikes`), with the
    ``conv_*`` fields of ``config``; a channel's spike in frame ``k`` is at
    ``k * conv_frame_ms`` into the sample's slot, snapped to the
    ``resolution_ms`` grid, and each sample is followed by ``rest_ms`` of
    silence (as :func:`~hetnet.encoding.samples.encode_event_samples`).

    Parameters
    ----------
    samples : sequence
        Samples of one ``kind`` (see :func:`sample_frames`).
    kind : {"events", "images", "video"}
    config : InputConfig
    pool : int
        Side of the squares of pixels summed before the filters.
    sensor_size : (width, height, polarities)
        Events only.
    time_scale : float
        Events only: multiplies the event times (e.g. squeezing a 6 s recording into ``present_ms``).
    max_value : float, optional
        Images and videos: the value mapped to 1 (default: the largest value in ``samples``).
    resolution_ms : float
        Grid of the spike times (use the simulation ``dt_ms``).

    Returns
    -------
    SpikeStimulus
        ``n_channels = 2 * (conv_orientations + 1) * ceil(h / conv_pool) * ceil(w / conv_pool)``
        with ``h = ceil(height / pool / conv_stride)`` (and ``w`` alike).

    Examples
    --------
    >>> from hetnet.datasets import make_moving_shapes
    >>> data = make_moving_shapes(n_classes=2, samples_per_class=1, duration_ms=20.0, seed=0)
    >>> stimulus = encode_convolutional(data.samples, "events", InputConfig(present_ms=20.0, rest_ms=20.0), pool=4)
    >>> stimulus.n_channels, stimulus.sample_steps.tolist()
    (160, [[0, 1], [2, 3]])
    """
    if len(samples) == 0:
        raise EncodingError("no samples to encode")
    if kind not in FRONTEND_KINDS:
        raise EncodingError(f"the convolutional front-end encodes {', '.join(FRONTEND_KINDS)}; got kind {kind!r}")
    scale = 1.0
    if kind != "events":
        scale = float(max_value if max_value is not None else max(np.max(sample) for sample in samples)) or 1.0
    filters = filter_bank(config.conv_orientations, config.conv_kernel)
    per_sample, n_channels = [], None
    for sample in samples:
        frames, frame_of_bin = sample_frames(sample, kind, config, pool=pool, sensor_size=sensor_size,
                                             time_scale=time_scale, scale=scale)
        currents = filter_responses(frames, filters, config.conv_stride)[frame_of_bin]
        spikes = pool_spikes(integrate_and_fire(currents, config.conv_threshold), config.conv_pool)
        if n_channels is not None and spikes.shape[1] != n_channels:
            raise EncodingError(f"samples must share a frame size: {n_channels} channels, then {spikes.shape[1]}")
        n_channels = spikes.shape[1]
        steps, channels = np.nonzero(spikes)
        per_sample.append(_window(steps * config.conv_frame_ms, channels, config.present_ms, 1.0, resolution_ms))
    return _concatenate(per_sample, n_channels, config)
