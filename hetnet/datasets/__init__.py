"""Datasets for hetnet: chaotic generators, offline real data and local-file loaders.

Nothing in this package imports Brian2. Generators and loaders return numpy
arrays of shape ``(n_steps, dims)`` (series) or :class:`LabelledData`
(classification sets); local-file loaders raise :class:`DatasetError` with
the expected path and layout.

Examples
--------
>>> from hetnet.datasets import lorenz63
>>> lorenz63(100).shape
(100, 3)
"""

from hetnet.datasets.base import DatasetError, LabelledData, SpikeSample, stratified_split
from hetnet.datasets.chaotic import (
    lorenz63,
    lorenz63_fixed_points,
    lorenz96_two_scale,
    mackey_glass,
    rossler,
    rossler_fixed_points,
)
from hetnet.datasets.files import (
    frame_differences,
    load_cifar,
    load_csv_series,
    load_dvs_gesture,
    load_kth,
    load_shd,
)
from hetnet.datasets.packaged import load_co2, load_digits, load_santafe_laser, load_sunspots
from hetnet.datasets.synthetic_events import make_moving_shapes, motion_direction_deg

__all__ = [
    "DatasetError",
    "LabelledData",
    "SpikeSample",
    "stratified_split",
    "lorenz63",
    "lorenz63_fixed_points",
    "rossler",
    "rossler_fixed_points",
    "lorenz96_two_scale",
    "mackey_glass",
    "load_sunspots",
    "load_co2",
    "load_santafe_laser",
    "load_digits",
    "load_shd",
    "load_dvs_gesture",
    "load_kth",
    "load_cifar",
    "load_csv_series",
    "frame_differences",
    "make_moving_shapes",
    "motion_direction_deg",
]
