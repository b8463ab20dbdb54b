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
=======================  ==========================================================

No Brian2 import here: :mod:`hetnet.network.brian` turns a stimulus into
Brian2 objects.

Examples
--------
>>> import numpy as np
>>> from hetnet.config import InputConfig
>>> from hetnet.encoding import encode_series
>>> series = np.sin(np.linspace(0, 6, 50))[:, None]
>>> encode_series(series, InputConfig()).values.shape          # current injection (default)
(50, 1)
>>> stimulus = encode_series(series, InputConfig(mode="poisson", neurons_per_channel=2))
>>> stimulus.rates_hz.shape, stimulus.step_ms
((50, 4), 20.0)
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
from hetnet.encoding.series import encode_series, encoded_channels, rates_from_unit, standardise
from hetnet.encoding.stimuli import CurrentStimulus, EncodingError, RateStimulus, SpikeStimulus, poisson_spikes

__all__ = [
    "CurrentStimulus", "RateStimulus", "SpikeStimulus", "poisson_spikes", "EncodingError",
    "standardise", "encode_series", "encoded_channels", "rates_from_unit",
    "encode_spike_samples", "encode_event_samples", "encode_images", "encode_image_samples", "pool_images",
    "encode_videos", "samples_duration_steps",
]
