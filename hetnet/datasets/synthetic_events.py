"""Synthetic event streams: bright shapes moving across a 128x128 event sensor (offline, seeded).

A stand-in for DVS128 Gesture that needs no file, so the event path
(:func:`hetnet.encoding.encode_event_samples`, ``hetnet run --task
synthetic-events``) runs in tests and in ``--quick`` mode. It is *synthetic*:
its class names, its metadata (``"synthetic": True``) and the task's name say
so wherever it appears.

The sensor model is the ideal one of a dynamic vision sensor: a bright shape
(``bar``, ``square`` or ``circle``) on a dark background is rendered on the
pixel grid every ``frame_ms``; a pixel that turns bright emits an ON event
(polarity 1, the shape's leading edge), one that turns dark an OFF event
(polarity 0, the trailing edge), at a time drawn uniformly inside that frame
interval. Uniform background noise events (``noise_hz`` per pixel) are added.

The class of a sample is its motion direction: class ``k`` of ``n_classes``
moves at angle ``2 pi k / n_classes`` (0 = +x, counter-clockwise, y up the
array's second axis). The shape, its start position, size and speed are
drawn per sample, so only the direction tells the classes apart.

Samples use the layout of :func:`hetnet.datasets.load_dvs_gesture`: each an
``(n_events, 4)`` float64 array of columns ``x, y, p, t_ms`` sorted by time,
in a :class:`~hetnet.datasets.base.LabelledData` of kind ``"events"`` with
``metadata["sensor_size"] = (128, 128, 2)``.

Examples
--------
>>> data = make_moving_shapes(n_classes=4, samples_per_class=2, seed=0)
>>> len(data), data.kind, data.metadata["synthetic"], data.class_names[0]
(8, 'events', True, 'synthetic moving shape, direction 0 deg')
>>> events = data.samples[0]
>>> events.shape[1], sorted(set(events[:, 2].tolist()))
(4, [0.0, 1.0])
"""
from __future__ import annotations

import logging
import math
from typing import Sequence

import numpy as np

from hetnet.datasets.base import DatasetError, LabelledData

__all__ = ["SHAPES", "make_moving_shapes", "motion_direction_deg"]

logger = logging.getLogger(__name__)

#: the shapes a sample may show
SHAPES = ("bar", "square", "circle")


def _mask(shape: str, cx: float, cy: float, size: float, angle: float, xs, ys) -> np.ndarray:
    """Bright pixels of ``shape`` centred at ``(cx, cy)``; ``xs, ys`` are the pixel-centre grids."""
    dx, dy = xs - cx, ys - cy
    if shape == "circle":
        return dx * dx + dy * dy <= size * size
    if shape == "square":
        return (np.abs(dx) <= size) & (np.abs(dy) <= size)
    # a bar across the motion: long side perpendicular to the direction of travel
    along = dx * math.cos(angle) + dy * math.sin(angle)
    across = -dx * math.sin(angle) + dy * math.cos(angle)
    return (np.abs(along) <= max(size / 3.0, 1.5)) & (np.abs(across) <= 1.6 * size)


def make_moving_shapes(
    n_classes: int = 4,
    samples_per_class: int = 10,
    *,
    duration_ms: float = 100.0,
    frame_ms: float = 1.0,
    speed_px_per_ms: float = 0.5,
    size_px: float = 12.0,
    shapes: Sequence[str] = SHAPES,
    noise_hz: float = 0.5,
    sensor_size=(128, 128, 2),
    seed: int = 0,
) -> LabelledData:
    """Seeded synthetic event streams of shapes moving in ``n_classes`` directions.

    Parameters
    ----------
    n_classes : int
        Motion directions (classes), evenly spaced on the circle, 2..16.
    samples_per_class : int
        Samples of each class (ordered class by class).
    duration_ms : float
        Length of a sample (events have ``0 <= t < duration_ms``).
    frame_ms : float
        Rendering interval of the sensor model (the events' time resolution).
    speed_px_per_ms : float
        Mean speed; each sample's speed is drawn in [0.75, 1.25] times this.
    size_px : float
        Mean half-size (radius) of the shape; each sample draws [0.75, 1.25] times this.
    shapes : sequence of str
        Shapes drawn from per sample (any of :data:`SHAPES`).
    noise_hz : float
        Rate of uniform background events per pixel (either polarity), >= 0.
    sensor_size : (width, height, polarities)
        Sensor of the events; polarities must be 2 (OFF = 0, ON = 1).
    seed : int
        Everything random (shape, start, size, speed, event times, noise) follows it.

    Returns
    -------
    LabelledData
        ``kind="events"``; samples ``(n_events, 4)`` float64 ``x, y, p, t_ms``
        sorted by time; class names ``"synthetic moving shape, direction D deg"``;
        ``metadata`` holds ``synthetic=True``, ``sensor_size``, ``directions_deg``,
        ``shapes`` (per sample) and the generator settings.

    Raises
    ------
    DatasetError
        A setting out of range (the message names it and what is allowed).

    Examples
    --------
    >>> data = make_moving_shapes(n_classes=2, samples_per_class=1, duration_ms=40.0, noise_hz=0.0, seed=3)
    >>> [round(motion_direction_deg(events)) % 360 for events in data.samples]
    [0, 180]
    """
    width, height, polarities = (int(v) for v in sensor_size)
    problems = []
    if not 2 <= int(n_classes) <= 16:
        problems.append(f"n_classes = {n_classes} must lie in 2..16")
    if int(samples_per_class) < 1:
        problems.append(f"samples_per_class = {samples_per_class} must be >= 1")
    if not (np.isfinite(duration_ms) and np.isfinite(frame_ms) and 0 < frame_ms <= duration_ms):
        problems.append(f"frame_ms = {frame_ms} and duration_ms = {duration_ms} must be finite with "
                        "0 < frame_ms <= duration_ms")
    if not (np.isfinite(speed_px_per_ms) and speed_px_per_ms > 0):
        problems.append(f"speed_px_per_ms = {speed_px_per_ms} must be > 0")
    if not (np.isfinite(size_px) and 1 <= size_px <= min(width, height) / 4):
        problems.append(f"size_px = {size_px} must lie in [1, {min(width, height) / 4:g}]")
    if not (np.isfinite(noise_hz) and noise_hz >= 0):
        problems.append(f"noise_hz = {noise_hz} must be >= 0")
    unknown = [shape for shape in shapes if shape not in SHAPES]
    if unknown or not len(shapes):
        problems.append(f"shapes = {list(shapes)}; allowed: {', '.join(SHAPES)}")
    if polarities != 2 or width < 16 or height < 16:
        problems.append(f"sensor_size = {tuple(sensor_size)} must be (width >= 16, height >= 16, 2)")
    if problems:
        raise DatasetError("make_moving_shapes: " + "; ".join(problems))
    n_classes, samples_per_class = int(n_classes), int(samples_per_class)
    xs, ys = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5, indexing="ij")
    n_frames = int(math.floor(duration_ms / frame_ms + 1e-9))
    directions = 2 * math.pi * np.arange(n_classes) / n_classes
    samples, labels, drawn_shapes = [], [], []
    for label in range(n_classes):
        angle = float(directions[label])
        for number in range(samples_per_class):
            # one stream per sample for the shape and its events, one for the noise: a sample does not
            # change when the noise rate or the number of samples does
            rng = np.random.default_rng([int(seed), label, number])
            noise_rng = np.random.default_rng([int(seed), label, number, 1])
            shape = str(shapes[rng.integers(len(shapes))])
            size = size_px * rng.uniform(0.75, 1.25)
            speed = speed_px_per_ms * rng.uniform(0.75, 1.25)
            travel = speed * n_frames * frame_ms
            # start so that the path's midpoint lies near the centre: the shape stays mostly on the sensor
            mid = np.array([width / 2, height / 2]) + rng.uniform(-0.1, 0.1, 2) * (width, height)
            start = mid - 0.5 * travel * np.array([math.cos(angle), math.sin(angle)])
            previous = _mask(shape, start[0], start[1], size, angle, xs, ys)
            chunks = []
            for frame in range(1, n_frames + 1):
                centre = start + speed * frame * frame_ms * np.array([math.cos(angle), math.sin(angle)])
                current = _mask(shape, centre[0], centre[1], size, angle, xs, ys)
                for polarity, changed in ((1, current & ~previous), (0, previous & ~current)):
                    px, py = np.nonzero(changed)
                    if px.size:
                        times = (frame - 1 + rng.random(px.size)) * frame_ms
                        chunks.append(np.column_stack([px, py, np.full(px.size, polarity), times]))
                previous = current
            n_noise = noise_rng.poisson(noise_hz * width * height * n_frames * frame_ms / 1000.0)
            if n_noise:
                chunks.append(np.column_stack([
                    noise_rng.integers(width, size=n_noise), noise_rng.integers(height, size=n_noise),
                    noise_rng.integers(2, size=n_noise), noise_rng.random(n_noise) * n_frames * frame_ms]))
            events = np.concatenate(chunks).astype(np.float64) if chunks else np.zeros((0, 4))
            samples.append(events[np.argsort(events[:, 3], kind="stable")])
            labels.append(label)
            drawn_shapes.append(shape)
    degrees = [round(math.degrees(a), 6) for a in directions]
    names = tuple(f"synthetic moving shape, direction {d:g} deg" for d in degrees)
    logger.debug("make_moving_shapes: %d samples, %.0f events per sample on average", len(samples),
                 np.mean([len(s) for s in samples]))
    return LabelledData(samples, np.array(labels), names, "events", {
        "synthetic": True, "source": "hetnet.datasets.synthetic_events.make_moving_shapes",
        "sensor_size": (width, height, polarities), "directions_deg": degrees, "shapes": drawn_shapes,
        "duration_ms": float(n_frames * frame_ms), "speed_px_per_ms": float(speed_px_per_ms),
        "size_px": float(size_px), "noise_hz": float(noise_hz), "seed": int(seed),
    })


def motion_direction_deg(events) -> float:
    """Direction of motion (degrees, 0 = +x, counter-clockwise) measured from an event stream.

    The ON events' centroid is tracked over time: the least-squares slopes of
    its x and y against time give the velocity, whose angle is returned.
    Noise events spread uniformly pull the slope towards zero but not its angle.

    Parameters
    ----------
    events : array_like, shape (n_events, 4)
        Columns ``x, y, p, t_ms``.

    Returns
    -------
    float
        ``atan2(vy, vx)`` in degrees, in (-180, 180].

    Examples
    --------
    >>> t = np.arange(10.0)
    >>> events = np.column_stack([10 + t, np.full(10, 5.0), np.ones(10), t])
    >>> motion_direction_deg(events)
    0.0
    """
    events = np.asarray(events, dtype=np.float64)
    if events.ndim != 2 or events.shape[1] != 4:
        raise DatasetError(f"events must have shape (n_events, 4) x, y, p, t_ms; got {events.shape}")
    on = events[events[:, 2] == 1]
    if len(on) < 2 or np.ptp(on[:, 3]) == 0:
        raise DatasetError("motion_direction_deg needs ON events at two or more distinct times")
    t = on[:, 3] - on[:, 3].mean()
    vx = float(np.dot(t, on[:, 0] - on[:, 0].mean()) / np.dot(t, t))
    vy = float(np.dot(t, on[:, 1] - on[:, 1].mean()) / np.dot(t, t))
    return float(math.degrees(math.atan2(vy, vx)))
