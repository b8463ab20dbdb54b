"""Parameter distributions for heterogeneous neurons and synapses.

A distribution is a first-class object: it can be sampled, it has a mean, a
variance and a quantile function (the optimiser in :mod:`hetnet.bo` compares
distributions through their quantile functions). Plain numpy, no Brian2:
values are in whatever unit the field name says (``tau_m_ms`` is in ms).

Examples
--------
>>> import numpy as np
>>> from hetnet.distributions import Gamma
>>> tau_m_ms = Gamma(shape=3.0, mean=20.0)
>>> samples = tau_m_ms.sample(1000, np.random.default_rng(0))
>>> round(tau_m_ms.mean, 1), round(tau_m_ms.var, 1)
(20.0, 133.3)
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from scipy import special, stats

from hetnet.errors import EXIT_USAGE, HetnetError

__all__ = [
    "Distribution",
    "Constant",
    "Gamma",
    "LogNormal",
    "Uniform",
    "DistributionError",
    "distribution_from_dict",
]

logger = logging.getLogger(__name__)


class DistributionError(HetnetError, ValueError):
    """Raised for invalid distribution parameters or quantile levels."""

    exit_code = EXIT_USAGE


def _check_levels(q) -> np.ndarray:
    levels = np.asarray(q, dtype=float)
    if np.any(~np.isfinite(levels)) or np.any((levels < 0) | (levels > 1)):
        raise DistributionError(f"quantile levels must lie in [0, 1]; got {q!r}")
    return levels


def _check_count(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise DistributionError(f"sample size must be a non-negative integer; got {n!r}")
    return int(n)


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise DistributionError(f"{name} must be a number; got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise DistributionError(f"{name} must be a finite number > 0; got {value!r}")
    return value


def _finite(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise DistributionError(f"{name} must be a number; got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise DistributionError(f"{name} must be finite; got {value!r}")
    return value


class Distribution:
    """Base class: ``sample(n, rng)``, ``mean``, ``var``, ``quantile(q)``.

    Subclasses are frozen dataclasses, so two distributions with equal
    parameters compare equal and can be used as dictionary keys.
    """

    kind: str = "distribution"

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``n`` independent values with the generator ``rng``."""
        raise NotImplementedError

    @property
    def mean(self) -> float:
        raise NotImplementedError

    @property
    def var(self) -> float:
        raise NotImplementedError

    @property
    def std(self) -> float:
        """Standard deviation, ``sqrt(var)``."""
        return math.sqrt(self.var)

    def quantile(self, q) -> np.ndarray:
        """Inverse cumulative distribution function at levels ``q`` in [0, 1]."""
        raise NotImplementedError

    @property
    def is_constant(self) -> bool:
        """True when every sample equals the mean (the homogeneous case)."""
        return False

    @property
    def lower_bound(self) -> float:
        """Smallest value the distribution can produce (its support's infimum)."""
        return float(self.quantile(0.0))

    def homogeneous(self) -> "Constant":
        """The homogeneous counterpart: a :class:`Constant` at this mean."""
        return Constant(self.mean)

    def to_dict(self) -> dict:
        """Plain dictionary form (the TOML / JSON representation)."""
        out = {"kind": self.kind}
        out.update({k: float(v) for k, v in self.__dict__.items()})
        return out


@dataclass(frozen=True)
class Constant(Distribution):
    """Every sample equals ``value``: the homogeneous (HoN / HoS) case."""

    value: float
    kind = "constant"

    def __post_init__(self):
        object.__setattr__(self, "value", _finite("value", self.value))

    def sample(self, n, rng=None):
        return np.full(_check_count(n), self.value)

    @property
    def mean(self):
        return self.value

    @property
    def var(self):
        return 0.0

    def quantile(self, q):
        levels = _check_levels(q)
        return np.full(levels.shape, self.value) if levels.ndim else np.float64(self.value)

    @property
    def is_constant(self):
        return True


@dataclass(frozen=True)
class Gamma(Distribution):
    """Gamma distribution parameterised by ``shape`` k and ``mean`` m.

    ``scale = m / k``; variance ``k * scale**2 = m**2 / k``. This is the
    paper's default for time constants (k = 3).
    """

    shape: float
    mean_value: float
    kind = "gamma"

    def __init__(self, shape: float, mean: float):
        object.__setattr__(self, "shape", _positive("shape", shape))
        object.__setattr__(self, "mean_value", _positive("mean", mean))

    @property
    def scale(self) -> float:
        return self.mean_value / self.shape

    def sample(self, n, rng):
        return rng.gamma(self.shape, self.scale, size=_check_count(n))

    @property
    def mean(self):
        return self.mean_value

    @property
    def var(self):
        return self.mean_value**2 / self.shape

    def quantile(self, q):
        return special.gammaincinv(self.shape, _check_levels(q)) * self.scale

    def to_dict(self):
        return {"kind": self.kind, "shape": self.shape, "mean": self.mean_value}


@dataclass(frozen=True)
class LogNormal(Distribution):
    """Log-normal distribution given by its own ``mean`` and ``std``.

    The underlying normal has ``sigma**2 = log(1 + std**2/mean**2)`` and
    ``mu = log(mean) - sigma**2 / 2``.
    """

    mean_value: float
    std_value: float
    kind = "lognormal"

    def __init__(self, mean: float, std: float):
        object.__setattr__(self, "mean_value", _positive("mean", mean))
        object.__setattr__(self, "std_value", _positive("std", std))

    @property
    def sigma(self) -> float:
        ratio = self.std_value / self.mean_value
        if ratio > 1.0:  # log(1 + r**2) = 2 log r + log1p(r**-2): no overflow for huge ratios
            return math.sqrt(2.0 * math.log(ratio) + math.log1p(ratio**-2))
        return math.sqrt(math.log1p(ratio**2))

    @property
    def mu(self) -> float:
        return math.log(self.mean_value) - 0.5 * self.sigma**2

    def sample(self, n, rng):
        return rng.lognormal(self.mu, self.sigma, size=_check_count(n))

    @property
    def mean(self):
        return self.mean_value

    @property
    def var(self):
        return self.std_value**2

    def quantile(self, q):
        levels = _check_levels(q)
        return np.exp(self.mu + self.sigma * stats.norm.ppf(levels))

    def to_dict(self):
        return {"kind": self.kind, "mean": self.mean_value, "std": self.std_value}


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform distribution on ``[low, high]`` (a bounded spread)."""

    low: float
    high: float
    kind = "uniform"

    def __post_init__(self):
        low = _finite("low", self.low)
        high = _finite("high", self.high)
        if not high > low:
            raise DistributionError(f"uniform needs low < high; got low={low!r}, high={high!r}")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def sample(self, n, rng):
        return rng.uniform(self.low, self.high, size=_check_count(n))

    @property
    def mean(self):
        return 0.5 * (self.low + self.high)

    @property
    def var(self):
        return (self.high - self.low) ** 2 / 12.0

    def quantile(self, q):
        return self.low + _check_levels(q) * (self.high - self.low)


_KINDS = {"constant": Constant, "gamma": Gamma, "lognormal": LogNormal, "uniform": Uniform}
_FIELDS = {
    "constant": ("value",),
    "gamma": ("shape", "mean"),
    "lognormal": ("mean", "std"),
    "uniform": ("low", "high"),
}


def distribution_from_dict(spec: Any, field: str = "distribution") -> Distribution:
    """Build a distribution from its dictionary (TOML) form or a plain number.

    A bare number means :class:`Constant`. ``field`` names the configuration
    entry in error messages.

    Examples
    --------
    >>> distribution_from_dict({"kind": "gamma", "shape": 3, "mean": 20})
    Gamma(shape=3.0, mean_value=20.0)
    >>> distribution_from_dict(-65.0)
    Constant(value=-65.0)
    """
    if isinstance(spec, Distribution):
        return spec
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return Constant(float(spec))
    if not isinstance(spec, Mapping):
        raise DistributionError(
            f"{field}: expected a number or a table with 'kind' "
            f"({', '.join(sorted(_KINDS))}); got {spec!r}"
        )
    kind = spec.get("kind")
    if kind not in _KINDS:
        raise DistributionError(
            f"{field}.kind: unknown distribution {kind!r}; allowed: {', '.join(sorted(_KINDS))}"
        )
    expected = _FIELDS[kind]
    extra = set(spec) - set(expected) - {"kind"}
    missing = set(expected) - set(spec)
    if extra or missing:
        raise DistributionError(
            f"{field}: a {kind} distribution takes exactly {', '.join(expected)}"
            + (f"; unknown: {', '.join(sorted(extra))}" if extra else "")
            + (f"; missing: {', '.join(sorted(missing))}" if missing else "")
        )
    try:
        return _KINDS[kind](**{k: spec[k] for k in expected})
    except DistributionError as error:
        raise DistributionError(f"{field}: {error}") from None
