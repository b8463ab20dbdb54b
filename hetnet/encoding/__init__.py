"""Input encoding: everything that turns data into a stimulus the network is driven by.

=======================  ==========================================================
stimuli                  :class:`CurrentStimulus` (values injected as currents),
                         :class:`RateStimulus` (Poisson rates),
                         :class:`SpikeStimulus` (explicit spikes),
                         :func:`poisson_spikes`, :class:`EncodingError`
time series              :func:`encode_series`, :func:`standardise`,
                         :func:`encoded_channels`, :func:`rates_from_unit`
classification samples   :func:`encode_spike_samples` (SHD), :func:`encode_event_samples`
                         (DVS), :func:`encode_images`, :func:`encode_image_samples`,
                         :func:`pool_images`, :func:`encode_videos` (KTH),
                         :func:`samples_duration_steps`
convolutional front-end  :func:`encode_convolutional` (the CHRSNN's fixed filters,
                         integrate-and-fire neurons and pooling;
                         :mod:`hetnet.encoding.convolution`)
=======================  ==========================================================

No Brian2 import here: :mod:`hetnet.network.brian` turns a stimulus into
Brian2 objects.

Examples
--------
Every stimulus says how long it lasts and how many channels it drives
(:mod:`hetnet.encoding.series` shows :func:`encode_series`):

>>> import numpy as np
>>> from hetnet.encoding import RateStimulus, poisson_spikes
>>> stimulus = RateStimulus(np.full((5, 2), 50.0), step_ms=20.0)
>>> stimulus.duration_ms, stimulus.n_channels
(100.0, 2)
>>> poisson_spikes(stimulus, dt_ms=0.1, seed=0).n_channels
2
"""
from hetnet.encoding.samples import (
    encode_event_samples,
    encode_image_samples,
    encode_images,
    encode_spike_samples,
    encode_videos,
    pool_images,
    samples_duration_steps,
)
from hetnet.encoding.convolution import encode_convolutional
from hetnet.encoding.series import encode_series, encoded_channels, rates_from_unit, standardise
from hetnet.encoding.stimuli import CurrentStimulus, EncodingError, RateStimulus, SpikeStimulus, poisson_spikes

__all__ = [
    "CurrentStimulus", "RateStimulus", "SpikeStimulus", "poisson_spikes", "EncodingError",
    "standardise", "encode_series", "encoded_channels", "rates_from_unit",
    "encode_spike_samples", "encode_event_samples", "encode_images", "encode_image_samples", "pool_images",
    "encode_videos", "samples_duration_steps", "encode_convolutional",
]
