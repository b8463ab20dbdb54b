"""Jittered spike-pattern classification (Legenstein & Maass style).

``n_classes`` fixed random templates: each channel fires Poisson spikes at
``rate_hz`` during ``duration_ms``. A sample of class ``c`` is a jittered
copy of template ``c``: every spike moves by Gaussian noise of standard
deviation ``jitter_ms`` (spikes leaving ``[0, duration_ms)`` are dropped).
The classes are the templates; the task tests whether the network's state
separates spatio-temporal patterns despite the noise.

Examples
--------
>>> data = make_spike_patterns(n_classes=3, samples_per_class=4, n_channels=10, seed=1)
>>> len(data), data.n_classes, data.kind
(12, 3, 'spikes')
"""

from __future__ import annotations

import logging

import numpy as np

from hetnet.datasets.base import LabelledData, SpikeSample

__all__ = ["make_spike_patterns"]

logger = logging.getLogger(__name__)


def make_spike_patterns(
    n_classes: int = 4,
    samples_per_class: int = 20,
    n_channels: int = 40,
    duration_ms: float = 100.0,
    rate_hz: float = 20.0,
    jitter_ms: float = 4.0,
    seed: int = 0,
    same_counts: bool = False,
) -> LabelledData:
    """Seeded jittered spike-pattern dataset.

    Parameters
    ----------
    n_classes : int
        Number of templates (classes).
    samples_per_class : int
    n_channels : int
        Input spike trains per pattern.
    duration_ms : float
        Pattern length (the presentation ``T_in``).
    rate_hz : float
        Poisson rate of every template channel.
    jitter_ms : float
        Standard deviation of the Gaussian jitter of each spike.
    seed : int
    same_counts : bool
        If true, every template has the same number of spikes on each channel
        (one Poisson draw shared by the classes); only the spike times differ,
        so a readout of the input's spike counts is at chance and a class can
        be told only from timing.

    Returns
    -------
    LabelledData
        ``kind="spikes"``; samples ordered class by class; ``metadata``
        holds the templates.
    """
    if n_classes < 2 or samples_per_class < 1 or n_channels < 1:
        raise ValueError("need n_classes >= 2, samples_per_class >= 1 and n_channels >= 1")
    if not (duration_ms > 0 and rate_hz > 0 and jitter_ms >= 0):
        raise ValueError("duration_ms and rate_hz must be > 0 and jitter_ms >= 0")
    generator = np.random.default_rng(seed)
    templates = []
    shared = generator.poisson(rate_hz * duration_ms / 1000.0, n_channels) if same_counts else None
    for _ in range(n_classes):
        counts = shared if same_counts else generator.poisson(rate_hz * duration_ms / 1000.0, n_channels)
        units = np.repeat(np.arange(n_channels), counts)
        times = generator.uniform(0.0, duration_ms, units.size)
        templates.append((times, units))
    samples, labels = [], []
    for label, (times, units) in enumerate(templates):
        for _ in range(samples_per_class):
            moved = times + generator.normal(0.0, jitter_ms, times.size)
            keep = (moved >= 0) & (moved < duration_ms)
            order = np.argsort(moved[keep], kind="stable")
            samples.append(SpikeSample(moved[keep][order], units[keep][order], n_channels))
            labels.append(label)
    return LabelledData(
        samples, np.array(labels), tuple(f"pattern {k}" for k in range(n_classes)), "spikes",
        {"templates": templates, "jitter_ms": jitter_ms, "duration_ms": duration_ms, "same_counts": same_counts},
    )
