"""Real data that ships inside installed packages (nothing downloads).

- :func:`load_sunspots`: yearly sunspot numbers 1700-2008 (statsmodels).
- :func:`load_co2`: weekly Mauna Loa CO2 1958-2001 (statsmodels), gaps
  filled by linear interpolation in time.
- :func:`load_santafe_laser`: Santa Fe competition laser series A
  (reservoirpy).
- :func:`load_digits`: scikit-learn's 8x8 handwritten digits.

statsmodels and reservoirpy belong to the optional ``[data]`` extra and are
imported only when a loader is called.

Examples
--------
>>> from hetnet.datasets.packaged import load_digits
>>> data = load_digits()
>>> data.samples.shape, data.n_classes
((1797, 8, 8), 10)
"""

from __future__ import annotations

import logging

import numpy as np

from hetnet.datasets.base import LabelledData, optional_import

__all__ = ["load_sunspots", "load_co2", "load_santafe_laser", "load_digits", "PACKAGED_SERIES"]

logger = logging.getLogger(__name__)


def load_sunspots() -> np.ndarray:
    """Yearly sunspot activity 1700-2008, shape (309, 1).

    Examples
    --------
    >>> load_sunspots().shape
    (309, 1)
    """
    datasets = optional_import("statsmodels.datasets", "load_sunspots")
    frame = datasets.sunspots.load_pandas().data
    return frame["SUNACTIVITY"].to_numpy(dtype=float)[:, np.newaxis]


def load_co2() -> np.ndarray:
    """Weekly atmospheric CO2 (ppm) at Mauna Loa, shape (2284, 1).

    The 59 missing weeks are filled by linear interpolation between the
    neighbouring weeks.

    Examples
    --------
    >>> series = load_co2()
    >>> series.shape, bool(np.isfinite(series).all())
    ((2284, 1), True)
    """
    datasets = optional_import("statsmodels.datasets", "load_co2")
    values = np.array(datasets.co2.load_pandas().data["co2"].to_numpy(dtype=float), copy=True)
    missing = ~np.isfinite(values)
    if missing.any():
        positions = np.arange(values.size)
        values[missing] = np.interp(positions[missing], positions[~missing], values[~missing])
    return values[:, np.newaxis]


def load_santafe_laser() -> np.ndarray:
    """Santa Fe laser series A (10093 intensity samples), shape (10093, 1).

    Examples
    --------
    >>> load_santafe_laser().shape
    (10093, 1)
    """
    datasets = optional_import("reservoirpy.datasets", "load_santafe_laser")
    return np.asarray(datasets.santafe_laser(), dtype=float).reshape(-1, 1)


def load_digits() -> LabelledData:
    """scikit-learn's digits: 1797 images of 8x8 pixels, intensities 0..16.

    Returns
    -------
    LabelledData
        ``kind="images"``, samples shape (1797, 8, 8), class names "0".."9".

    Examples
    --------
    >>> load_digits().labels[:3].tolist()
    [0, 1, 2]
    """
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    return LabelledData(
        samples=np.asarray(bunch.images, dtype=float),
        labels=bunch.target,
        class_names=tuple(str(name) for name in bunch.target_names),
        kind="images",
        metadata={"source": "sklearn.datasets.load_digits", "max_value": 16.0},
    )


#: Name -> loader of every packaged series.
PACKAGED_SERIES = {
    "sunspots": load_sunspots,
    "co2": load_co2,
    "santafe-laser": load_santafe_laser,
}
