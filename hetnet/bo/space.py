"""Search spaces over parameter distributions and architecture scalars.

A search space is a list of parameters in scikit-optimize's idiom: each
searched distribution contributes named ``skopt.space.Real`` dimensions
(e.g. ``excitatory.tau_m_ms.shape`` and ``excitatory.tau_m_ms.mean`` for a
Gamma), each architecture scalar one named ``Real`` or ``Integer``. A
candidate (one value per dimension, in order) maps to

* an :class:`~hetnet.config.HRSNNConfig` via :meth:`SearchSpace.to_config`
  (``config.replace(section={...})``), and
* the list of its distributions via :meth:`SearchSpace.distributions`
  (scalars become :class:`~hetnet.distributions.Constant`), which the
  Wasserstein kernel compares.

Distribution kinds and their searched parameters:

* ``gamma``: ``shape``, ``mean`` -> ``Gamma(shape, mean)``
* ``lognormal``: ``mean``, ``std`` -> ``LogNormal(mean, std)``
* ``uniform``: ``mean``, ``width`` -> ``Uniform(mean - width/2, mean + width/2)``
  (used for thresholds, which are negative in mV)

The pseudo-scalar ``connectivity.c_scale`` multiplies the four base
connection constants ``c_ee, c_ei, c_ie, c_ii`` (clipped to 1): the papers'
single architecture knob "C".

Examples
--------
>>> from hetnet.bo.space import network_search_space
>>> space = network_search_space()
>>> point = space.default_point()
>>> config = space.to_config(point)
>>> config.excitatory.tau_m_ms
Gamma(shape=3.0, mean_value=20.0)
>>> len(space.distributions(point)) == len(space.parameters)
True
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
from scipy import special
from skopt.space import Integer, Real

from hetnet.distributions import Constant, Distribution, Gamma, LogNormal, Uniform

__all__ = [
    "DISTRIBUTION_KINDS",
    "DistributionParameter",
    "ScalarParameter",
    "SearchSpace",
    "network_search_space",
    "dimension_to_dict",
    "dimension_from_dict",
]

logger = logging.getLogger(__name__)

DISTRIBUTION_KINDS = {"gamma": ("shape", "mean"), "lognormal": ("mean", "std"), "uniform": ("mean", "width")}


def dimension_to_dict(dimension) -> dict:
    """JSON form of a skopt ``Real`` or ``Integer`` dimension.

    >>> dimension_to_dict(Real(1.0, 2.0, name="x"))
    {'type': 'real', 'low': 1.0, 'high': 2.0, 'prior': 'uniform', 'name': 'x'}
    """
    if isinstance(dimension, Real):
        kind, low, high = "real", float(dimension.low), float(dimension.high)
    elif isinstance(dimension, Integer):
        kind, low, high = "integer", int(dimension.low), int(dimension.high)
    else:
        raise TypeError(f"only Real and Integer dimensions are supported; got {dimension!r}")
    return {"type": kind, "low": low, "high": high, "prior": dimension.prior, "name": dimension.name}


def dimension_from_dict(data: Mapping):
    """Inverse of :func:`dimension_to_dict`."""
    cls = Real if data["type"] == "real" else Integer
    return cls(data["low"], data["high"], prior=data.get("prior", "uniform"), name=data.get("name"))


def build_distribution(kind: str, values: Sequence[float]) -> Distribution:
    """Distribution of ``kind`` from its searched parameter values (see module doc).

    >>> build_distribution("uniform", [-52.0, 6.0])
    Uniform(low=-55.0, high=-49.0)
    """
    if kind == "gamma":
        return Gamma(shape=float(values[0]), mean=float(values[1]))
    if kind == "lognormal":
        return LogNormal(mean=float(values[0]), std=float(values[1]))
    if kind == "uniform":
        center, width = float(values[0]), float(values[1])
        return Uniform(center - 0.5 * width, center + 0.5 * width)
    raise ValueError(f"unknown distribution kind {kind!r}; allowed: {', '.join(DISTRIBUTION_KINDS)}")


def normal_score_quantile_matrix(kind: str, values: np.ndarray, normal_scores: np.ndarray) -> np.ndarray:
    """Vectorised quantiles ``F^-1(Phi(t))`` for many candidates of one kind.

    ``values`` has shape ``(n_candidates, 2)`` (the searched parameters);
    returns ``(n_candidates, n_levels)``. Equals
    :func:`hetnet.bo.wasserstein.normal_score_quantile` row by row.
    """
    values = np.asarray(values, dtype=float)
    scores = np.asarray(normal_scores, dtype=float)[None, :]
    first, second = values[:, :1], values[:, 1:2]
    if kind == "gamma":
        # special.ndtr is what stats.norm.cdf computes (sf(x) = ndtr(-x)), the same numbers without
        # scipy.stats' argument handling. The lower tail by gammaincinv, the upper by gammainccinv
        # (accurate there), each only at its own levels: inverting the incomplete gamma function is
        # most of the acquisition optimiser's time
        below = scores[0] < 0
        quantiles = np.empty((values.shape[0], scores.shape[1]))
        quantiles[:, below] = special.gammaincinv(first, special.ndtr(scores[:, below]))
        quantiles[:, ~below] = special.gammainccinv(first, special.ndtr(-scores[:, ~below]))
        return quantiles * (second / first)
    if kind == "lognormal":
        sigma = np.sqrt(np.log1p((second / first) ** 2))
        mu = np.log(first) - 0.5 * sigma**2
        return np.exp(mu + sigma * scores)
    if kind == "uniform":
        return first + (special.ndtr(scores) - 0.5) * second
    raise ValueError(f"unknown distribution kind {kind!r}")


@dataclass(frozen=True)
class DistributionParameter:
    """One searched distribution.

    Parameters
    ----------
    target : str
        Configuration field it sets, ``"section.field"`` (``"excitatory.tau_m_ms"``).
    kind : {"gamma", "lognormal", "uniform"}
    bounds : mapping
        ``{parameter: (low, high)}`` or ``{parameter: (low, high, prior)}`` for
        the two parameters of ``kind`` (``prior`` "uniform" or "log-uniform").
    log_scale : bool
        Compare this distribution on the log scale (W2 of ``log X``); for
        positive parameters spanning decades (learning rates).
    """

    target: str
    kind: str
    bounds: Mapping[str, tuple]
    log_scale: bool = False

    def __post_init__(self):
        if self.kind not in DISTRIBUTION_KINDS:
            raise ValueError(f"{self.target}: unknown kind {self.kind!r}; allowed: {', '.join(DISTRIBUTION_KINDS)}")
        expected = DISTRIBUTION_KINDS[self.kind]
        if set(self.bounds) != set(expected):
            raise ValueError(f"{self.target}: a {self.kind} needs bounds for exactly {expected}; got {sorted(self.bounds)}")

    @property
    def dimensions(self) -> list:
        """The skopt ``Real`` dimensions, named ``target.parameter``."""
        out = []
        for name in DISTRIBUTION_KINDS[self.kind]:
            low, high, *prior = self.bounds[name]
            out.append(Real(float(low), float(high), prior=prior[0] if prior else "uniform", name=f"{self.target}.{name}"))
        return out

    def distribution(self, values: Sequence[float]) -> Distribution:
        return build_distribution(self.kind, values)

    def to_dict(self) -> dict:
        return {"target": self.target, "kind": self.kind, "bounds": {k: list(v) for k, v in self.bounds.items()},
                "log_scale": self.log_scale}


@dataclass(frozen=True)
class ScalarParameter:
    """One architecture scalar (``"connectivity.lambda_grid"``, ``"weights.w_scale"``, ...).

    ``integer=True`` gives an skopt ``Integer`` dimension. The scalar is a
    point mass (:class:`Constant`) for the Wasserstein kernel.
    """

    target: str
    low: float
    high: float
    prior: str = "uniform"
    integer: bool = False
    log_scale: bool = False

    @property
    def dimensions(self) -> list:
        if self.integer:
            return [Integer(int(self.low), int(self.high), prior=self.prior, name=self.target)]
        return [Real(float(self.low), float(self.high), prior=self.prior, name=self.target)]

    def distribution(self, values: Sequence[float]) -> Distribution:
        return Constant(float(values[0]))

    def to_dict(self) -> dict:
        return {"target": self.target, "low": self.low, "high": self.high, "prior": self.prior,
                "integer": self.integer, "log_scale": self.log_scale}


@dataclass(frozen=True)
class SearchSpace:
    """An ordered list of searched distributions and scalars.

    Calling the space on a point returns its distributions, so a space can
    be passed as ``distributions=`` to :func:`hetnet.bo.minimize`.

    Examples
    --------
    >>> space = SearchSpace([DistributionParameter("excitatory.tau_m_ms", "gamma",
    ...                                            {"shape": (1, 20), "mean": (5, 50)})])
    >>> space.names
    ['excitatory.tau_m_ms.shape', 'excitatory.tau_m_ms.mean']
    >>> space([3.0, 20.0])
    [Gamma(shape=3.0, mean_value=20.0)]
    """

    parameters: Sequence[Any]
    base_config: Any = field(default=None, compare=False)

    @property
    def dimensions(self) -> list:
        """All skopt dimensions, in candidate order."""
        return [dim for parameter in self.parameters for dim in parameter.dimensions]

    @property
    def names(self) -> list:
        return [dim.name for dim in self.dimensions]

    @property
    def slices(self) -> list:
        """Index ranges of each parameter's values inside a candidate."""
        out, start = [], 0
        for parameter in self.parameters:
            width = len(parameter.dimensions)
            out.append(slice(start, start + width))
            start += width
        return out

    @property
    def log_flags(self) -> list:
        return [bool(parameter.log_scale) for parameter in self.parameters]

    def __call__(self, point: Sequence[float]) -> list:
        return self.distributions(point)

    def distributions(self, point: Sequence[float]) -> list:
        """The candidate's distributions (one per parameter, scalars as Constant)."""
        point = list(point)
        if len(point) != len(self.dimensions):
            raise ValueError(f"expected {len(self.dimensions)} values, got {len(point)}")
        return [parameter.distribution(point[s]) for parameter, s in zip(self.parameters, self.slices)]

    def as_dict(self, point: Sequence[float]) -> dict:
        """``{dimension name: value}`` with plain Python numbers (JSON-ready)."""
        return {name: (int(v) if isinstance(v, (int, np.integer)) else float(v)) for name, v in zip(self.names, point)}

    def default_point(self, config=None) -> list:
        """The candidate matching ``config`` (default: the base or default configuration), clipped to the bounds."""
        from hetnet.config import HRSNNConfig

        config = config or self.base_config or HRSNNConfig()
        values = []
        for parameter in self.parameters:
            if isinstance(parameter, ScalarParameter):
                if parameter.target == "connectivity.c_scale":
                    raw = 1.0
                else:
                    raw = _get(config, parameter.target)
                raws = [raw]
            else:
                dist = _get(config, parameter.target)
                if parameter.kind == "gamma":
                    raws = [getattr(dist, "shape", 3.0), dist.mean]
                elif parameter.kind == "lognormal":
                    raws = [dist.mean, max(dist.std, 1e-12)]
                else:
                    raws = [dist.mean, math.sqrt(12.0 * dist.var)]
            for raw, dim in zip(raws, parameter.dimensions):
                clipped = min(max(raw, dim.low), dim.high)
                values.append(int(round(clipped)) if isinstance(dim, Integer) else float(clipped))
        return values

    def to_config(self, point: Sequence[float], base_config=None):
        """The :class:`~hetnet.config.HRSNNConfig` of a candidate (``config.replace``)."""
        from hetnet.config import HRSNNConfig

        base = base_config or self.base_config or HRSNNConfig()
        point = list(point)
        changes: dict = {}
        for parameter, s in zip(self.parameters, self.slices):
            values = point[s]
            if isinstance(parameter, ScalarParameter) and parameter.target == "connectivity.c_scale":
                factor = float(values[0])
                section = changes.setdefault("connectivity", {})
                for name in ("c_ee", "c_ei", "c_ie", "c_ii"):
                    section[name] = min(1.0, getattr(base.connectivity, name) * factor)
                continue
            value = parameter.distribution(values) if isinstance(parameter, DistributionParameter) else (
                int(values[0]) if parameter.integer else float(values[0]))
            if "." in parameter.target:
                section, name = parameter.target.split(".", 1)
                changes.setdefault(section, {})[name] = value
            else:
                changes[parameter.target] = value
        return base.replace(**changes)

    def to_dict(self) -> dict:
        return {"parameters": [p.to_dict() for p in self.parameters]}

    @classmethod
    def from_dict(cls, data: Mapping, base_config=None) -> "SearchSpace":
        parameters = []
        for item in data["parameters"]:
            if "kind" in item:
                parameters.append(DistributionParameter(item["target"], item["kind"],
                                                        {k: tuple(v) for k, v in item["bounds"].items()},
                                                        bool(item.get("log_scale", False))))
            else:
                parameters.append(ScalarParameter(item["target"], item["low"], item["high"], item.get("prior", "uniform"),
                                                  bool(item.get("integer", False)), bool(item.get("log_scale", False))))
        return cls(parameters, base_config=base_config)


def _get(config, target: str):
    value = config
    for part in target.split("."):
        value = getattr(value, part)
    return value


def network_search_space(base_config=None, *, include_architecture: bool = True, include_stdp: bool = True) -> SearchSpace:
    """The default HRSNN search space (:ref:`science-bo-space`).

    Distributions (Gamma shape in [1, 20] and mean, unless noted):
    ``tau_m`` of E (mean 5-50 ms) and I (2-30 ms); ``v_th`` of E and I as
    uniform spreads (centre -58 to -48 mV, width 0.5-8 mV); STDP
    ``tau_pre``/``tau_post`` (mean 5-50 ms), ``eta_pre`` (mean 1e-5-1e-3,
    log-uniform, compared on the log scale), ``eta_post`` (1e-3-1e-1, idem).
    Architecture scalars: ``connectivity.c_scale`` (0.25-2), ``lambda_grid``
    (1-6), ``p_in`` (0.1-1), ``weights.w_scale`` (0.25-4, log-uniform).

    Examples
    --------
    >>> len(network_search_space().dimensions)
    20
    """
    gamma_shape = (1.0, 20.0)
    parameters: list = [
        DistributionParameter("excitatory.tau_m_ms", "gamma", {"shape": gamma_shape, "mean": (5.0, 50.0)}),
        DistributionParameter("inhibitory.tau_m_ms", "gamma", {"shape": gamma_shape, "mean": (2.0, 30.0)}),
        DistributionParameter("excitatory.v_th_mV", "uniform", {"mean": (-58.0, -48.0), "width": (0.5, 8.0)}),
        DistributionParameter("inhibitory.v_th_mV", "uniform", {"mean": (-58.0, -48.0), "width": (0.5, 8.0)}),
    ]
    if include_stdp:
        parameters += [
            DistributionParameter("stdp.tau_pre_ms", "gamma", {"shape": gamma_shape, "mean": (5.0, 50.0)}),
            DistributionParameter("stdp.tau_post_ms", "gamma", {"shape": gamma_shape, "mean": (5.0, 50.0)}),
            DistributionParameter("stdp.eta_pre", "gamma", {"shape": gamma_shape, "mean": (1e-5, 1e-3, "log-uniform")},
                                  log_scale=True),
            DistributionParameter("stdp.eta_post", "gamma", {"shape": gamma_shape, "mean": (1e-3, 1e-1, "log-uniform")},
                                  log_scale=True),
        ]
    if include_architecture:
        parameters += [
            ScalarParameter("connectivity.c_scale", 0.25, 2.0),
            ScalarParameter("connectivity.lambda_grid", 1.0, 6.0),
            ScalarParameter("connectivity.p_in", 0.1, 1.0),
            ScalarParameter("weights.w_scale", 0.25, 4.0, prior="log-uniform", log_scale=True),
        ]
    return SearchSpace(parameters, base_config=base_config)
