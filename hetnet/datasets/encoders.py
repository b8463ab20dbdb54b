"""Deprecated: the sample encoders moved to :mod:`hetnet.encoding` (one package for every encoder).

``from hetnet.datasets.encoders import encode_spike_samples`` (and
``encode_event_samples``, ``encode_videos``, ``encode_image_samples``,
``pool_images``, ``samples_duration_steps``) still works for one release,
with a :class:`DeprecationWarning`; import them from :mod:`hetnet.encoding`.
"""
import logging

from hetnet._deprecation import moved

__all__ = []

logger = logging.getLogger(__name__)

__getattr__ = moved(__name__, dict.fromkeys(
    ["encode_spike_samples", "encode_event_samples", "encode_videos", "encode_image_samples", "pool_images",
     "samples_duration_steps"], "hetnet.encoding"))
