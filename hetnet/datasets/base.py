"""Shared pieces of the dataset loaders: the error type, the labelled-data
container and lazy imports of the optional ``[data]`` extra.

Examples
--------
>>> import numpy as np
>>> from hetnet.datasets.base import LabelledData
>>> data = LabelledData(samples=np.zeros((4, 2, 2)), labels=np.array([0, 1, 0, 1]),
...                     class_names=("a", "b"), kind="images")
>>> len(data), data.n_classes
(4, 2)
>>> len(data.subset([0, 2]))
2
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from hetnet.errors import HetnetError

__all__ = ["DatasetError", "LabelledData", "SpikeSample", "optional_import", "stratified_split"]

logger = logging.getLogger(__name__)


class DatasetError(HetnetError, ValueError):
    """A dataset file that is missing, corrupted, truncated or wrongly shaped.

    The message names the path and the expected layout.
    """


@dataclass(frozen=True)
class SpikeSample:
    """One spike-train sample: ``units[k]`` fires at ``times_ms[k]``.

    Attributes
    ----------
    times_ms : ndarray of float64, shape (n_spikes,)
    units : ndarray of int64, shape (n_spikes,)
    n_units : int
        Number of input channels of the dataset (e.g. 700 for SHD).
    """

    times_ms: np.ndarray
    units: np.ndarray
    n_units: int

    @property
    def duration_ms(self) -> float:
        """Time of the last spike (0 for an empty sample)."""
        return float(self.times_ms.max()) if self.times_ms.size else 0.0


@dataclass(frozen=True)
class LabelledData:
    """Samples with integer labels.

    Attributes
    ----------
    samples : ndarray or list
        ``images``: array (n_samples, height, width[, channels]);
        ``spikes``: list of :class:`SpikeSample`;
        ``events``: list of (n_events, 4) arrays with columns x, y, p, t_ms;
        ``video``: list of (n_frames, height, width) float arrays.
    labels : ndarray of int64, shape (n_samples,)
    class_names : tuple of str
    kind : str
        One of ``"images"``, ``"spikes"``, ``"events"``, ``"video"``.
    metadata : dict
        Loader-specific extras (sensor size, source path, ...).
    """

    samples: Any
    labels: np.ndarray
    class_names: tuple
    kind: str
    metadata: dict = field(default_factory=dict)

    def __post_init__(self):
        labels = np.asarray(self.labels, dtype=np.int64).ravel()
        if len(self.samples) != labels.size:
            raise DatasetError(f"{len(self.samples)} samples but {labels.size} labels")
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "class_names", tuple(str(name) for name in self.class_names))

    def __len__(self) -> int:
        return int(self.labels.size)

    @property
    def n_classes(self) -> int:
        """Number of class names (not only the classes present)."""
        return len(self.class_names)

    def subset(self, indices: Sequence[int]) -> "LabelledData":
        """The samples at ``indices`` (same class names and metadata)."""
        indices = np.asarray(indices, dtype=np.int64)
        if isinstance(self.samples, np.ndarray):
            samples = self.samples[indices]
        else:
            samples = [self.samples[int(index)] for index in indices]
        return LabelledData(samples, self.labels[indices], self.class_names, self.kind, dict(self.metadata))


def stratified_split(labels, train_fraction: float = 0.7, seed: int = 0):
    """Seeded stratified split into train and test indices.

    Every class with at least two samples keeps at least one in each part.

    Parameters
    ----------
    labels : array_like of int
    train_fraction : float
        Fraction of each class used for training, in (0, 1).
    seed : int

    Returns
    -------
    train_indices, test_indices : ndarray of int

    Examples
    --------
    >>> train, test = stratified_split([0, 0, 1, 1, 1, 1], 0.5, seed=0)
    >>> sorted(train.tolist() + test.tolist())
    [0, 1, 2, 3, 4, 5]
    """
    labels = np.asarray(labels).ravel()
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction must lie in (0, 1), got {train_fraction}")
    generator = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(labels):
        members = generator.permutation(np.flatnonzero(labels == label))
        count = int(round(train_fraction * members.size))
        if members.size >= 2:
            count = min(max(count, 1), members.size - 1)
        train.extend(members[:count])
        test.extend(members[count:])
    return np.sort(np.array(train, dtype=np.int64)), np.sort(np.array(test, dtype=np.int64))


def optional_import(module: str, purpose: str):
    """Import a module of the optional ``[data]`` extra, or raise ImportError.

    Examples
    --------
    >>> optional_import("numpy", "tests").__name__
    'numpy'
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{purpose} needs the optional package '{module.split('.')[0]}'; "
            "install the data extra: pip install 'hetnet[data]'"
        ) from error
