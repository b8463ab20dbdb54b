"""Shared input checks for :mod:`hetnet.analysis` (private)."""

from __future__ import annotations

import logging

import numpy as np

__all__ = ["as_finite_array"]

logger = logging.getLogger(__name__)


def as_finite_array(values, name, ndim=None, dtype=float):
    """Return ``values`` as a numpy array, raising ``ValueError`` when it is
    not finite or (when ``ndim`` is given) has the wrong number of
    dimensions."""
    array = np.asarray(values, dtype=dtype)
    if ndim is not None:
        allowed = (ndim,) if np.isscalar(ndim) else tuple(ndim)
        if array.ndim not in allowed:
            raise ValueError(
                f"{name} must have {' or '.join(map(str, allowed))} dimension(s), "
                f"got shape {array.shape}"
            )
    if array.size and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array
