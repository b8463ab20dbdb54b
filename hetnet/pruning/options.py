"""Settings of Lyapunov noise pruning as one validated object.

:class:`LNPOptions` gathers every setting of
:func:`hetnet.pruning.lyapunov_noise_pruning` (the loop, the four steps,
the rate homeostasis and the SOP checkpoints). Each value is checked when the
object is made, so a wrong value fails at once with a
:class:`hetnet.errors.FieldError` (a ``ValueError``) that names the setting,
the value and what is allowed, instead of deep inside an iteration.

The driver still takes the same settings as keyword arguments; they are
turned into an :class:`LNPOptions` (:meth:`LNPOptions.from_keywords`), so
both spellings are validated the same way.

Examples
--------
>>> from hetnet.pruning.options import LNPOptions
>>> options = LNPOptions(n_iterations=20, synapse_keep_fraction=0.95)
>>> options.n_iterations, options.rate_homeostasis
(20, 'input-totals')
>>> options.steps
('I', 'II', 'III', 'IV')
>>> LNPOptions(synapse_keep_fraction=1.5)
Traceback (most recent call last):
...
hetnet.errors.FieldError: synapse_keep_fraction = 1.5; must lie in (0, 1]
>>> LNPOptions.ablation("I+II").steps
('I', 'II')
"""
from __future__ import annotations

import logging
import numbers
from dataclasses import asdict, dataclass, fields, replace
from typing import Optional

from hetnet.errors import FieldError

__all__ = ["LNPOptions", "RATE_HOMEOSTASIS", "ABLATIONS"]

logger = logging.getLogger(__name__)

#: accepted values of ``LNPOptions.rate_homeostasis``
RATE_HOMEOSTASIS = ("input-totals", "none")

#: the ablations of Fig. 12: the steps each one runs
ABLATIONS = {"I": ("I",), "I+II": ("I", "II"), "I+II+III": ("I", "II", "III"), "I+II+III+IV": ("I", "II", "III", "IV")}


def _number(name, value, *, low=None, high=None, low_open=False, high_open=False, integer=False, allowed=None):
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind) or value != value:
        raise FieldError(name, value, allowed or f"must be {'an integer' if integer else 'a number'}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        if allowed is None:
            left = "(" if low_open else "["
            right = ")" if high_open else "]"
            allowed = f"must lie in {left}{low if low is not None else '-inf'}, {high if high is not None else 'inf'}{right}"
        raise FieldError(name, value, allowed)


@dataclass(frozen=True)
class LNPOptions:
    """Every setting of one LNP run, checked on creation.

    Attributes
    ----------
    n_iterations : int
        Iterations of steps I-III (the paper: 100), >= 0.
    synapse_keep_fraction : float
        Step I keeps this fraction of the current synapses in expectation, in (0, 1].
    node_prune_fraction : float
        Step II removes this fraction of the current neurons, in [0, 1).
    new_edge_fraction : float
        Step III adds ``round(new_edge_fraction * synapses)`` new local edges, >= 0.
    neighbourhood_radius : float
        Step III neighbourhood (grid units), > 0.
    betweenness_sources : int, None or "auto"
        Step II sampled sources (see :func:`hetnet.pruning.nodes.prune_nodes`).
    dominance : float
        Step I (see :func:`hetnet.pruning.noise.noise_prune`), in (0, 1).
    delta_per_s : float, optional
        Step I offset of the harmonic mean of the exponents, > 0.
    covariance_method : {"auto", "scipy", "fixed_point", "simulation"}
        Step I covariance solver.
    rate_homeostasis : {"input-totals", "none"}
        ``"input-totals"`` (default): after each step rescale every neuron's
        kept excitatory and inhibitory input weights so that its total
        excitatory and total inhibitory input (sum of ``|w|`` over its
        incoming synapses) equal those of the unpruned network; ``tau_m`` is
        then left to step IV (the rescaling is what keeps each neuron's total
        input, the job of step I's homeostatic diagonal). ``"none"``: the
        earlier behaviour (kept weights ``w / p``, diagonal carried into
        ``tau_m`` when ``homeostatic_timescales``).
    max_input_gain : float
        Largest factor one homeostasis rescaling may apply to a neuron's
        inputs of one sign (a neuron left with one weak synapse is not driven
        by one giant one), >= 1.
    homeostatic_timescales : bool
        With ``rate_homeostasis="none"``: carry step I's homeostatic diagonal
        into ``tau_m_ms``.
    steps : tuple of str
        The steps run, a subset of ``("I", "II", "III", "IV")`` that
        contains ``"I"`` (the ablations of Fig. 12: ``ABLATIONS``).
    weight_normalisation_mV : float
        Weights are divided by this for the rate surrogate, > 0.
    lyapunov_options : dict, optional
        Overrides of ``hetnet.pruning.driver.DEFAULT_LYAPUNOV_OPTIONS``.
    timescale_every : int, optional
        Also run step IV every this many iterations, >= 1.
    timescale_options : dict, optional
        Keyword arguments of :func:`hetnet.pruning.timescales.optimize_timescales`.
    measure_every : int, optional
        With a ``measure`` callable given to the driver: measure the spiking
        network (rates, SOPs from simulated spikes) at iteration 0, every
        this many iterations and at the last one; ``None``: at 0 and the
        last only, >= 1.
    measure_steps : bool
        At each measured iteration also measure after steps I and II (so
        the rate before and after every step is recorded).
    ipr_every : int, optional
        Report the Laplacian IPR before/after step III every this many iterations.
    min_neurons : int
        Step II never goes below this, >= 1.
    seed : int
    """

    n_iterations: int = 100
    synapse_keep_fraction: float = 0.98
    node_prune_fraction: float = 0.01
    new_edge_fraction: float = 0.005
    neighbourhood_radius: float = 3.0
    betweenness_sources: object = "auto"
    dominance: float = 0.5
    delta_per_s: Optional[float] = None
    covariance_method: str = "auto"
    rate_homeostasis: str = "input-totals"
    max_input_gain: float = 4.0
    homeostatic_timescales: bool = True
    steps: tuple = ("I", "II", "III", "IV")
    weight_normalisation_mV: float = 13.0
    lyapunov_options: Optional[dict] = None
    timescale_every: Optional[int] = None
    timescale_options: Optional[dict] = None
    measure_every: Optional[int] = None
    measure_steps: bool = True
    ipr_every: Optional[int] = None
    min_neurons: int = 10
    seed: int = 0

    def __post_init__(self):
        _number("n_iterations", self.n_iterations, low=0, integer=True)
        _number("synapse_keep_fraction", self.synapse_keep_fraction, low=0, high=1, low_open=True)
        _number("node_prune_fraction", self.node_prune_fraction, low=0, high=1, high_open=True)
        _number("new_edge_fraction", self.new_edge_fraction, low=0)
        _number("neighbourhood_radius", self.neighbourhood_radius, low=0, low_open=True)
        if not (self.betweenness_sources is None or self.betweenness_sources == "auto"
                or (isinstance(self.betweenness_sources, numbers.Integral) and not isinstance(self.betweenness_sources, bool)
                    and self.betweenness_sources >= 1)):
            raise FieldError("betweenness_sources", self.betweenness_sources, "must be 'auto', None or an integer >= 1")
        _number("dominance", self.dominance, low=0, high=1, low_open=True, high_open=True)
        if self.delta_per_s is not None:
            _number("delta_per_s", self.delta_per_s, low=0, low_open=True)
        if self.covariance_method not in ("auto", "scipy", "fixed_point", "simulation"):
            raise FieldError("covariance_method", self.covariance_method,
                             "must be one of 'auto', 'scipy', 'fixed_point', 'simulation'")
        if self.rate_homeostasis not in RATE_HOMEOSTASIS:
            raise FieldError("rate_homeostasis", self.rate_homeostasis, f"must be one of {RATE_HOMEOSTASIS}")
        _number("max_input_gain", self.max_input_gain, low=1)
        if not isinstance(self.homeostatic_timescales, bool):
            raise FieldError("homeostatic_timescales", self.homeostatic_timescales, "must be True or False")
        steps = (self.steps,) if isinstance(self.steps, str) else tuple(self.steps)
        if not steps or any(step not in ("I", "II", "III", "IV") for step in steps) or "I" not in steps:
            raise FieldError("steps", self.steps, "must be a subset of ('I', 'II', 'III', 'IV') that contains 'I'")
        object.__setattr__(self, "steps", tuple(step for step in ("I", "II", "III", "IV") if step in steps))
        _number("weight_normalisation_mV", self.weight_normalisation_mV, low=0, low_open=True)
        for name in ("lyapunov_options", "timescale_options"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), dict):
                raise FieldError(name, getattr(self, name), "must be a dict of keyword arguments or None")
        for name in ("timescale_every", "measure_every", "ipr_every"):
            if getattr(self, name) is not None:
                _number(name, getattr(self, name), low=1, integer=True, allowed="must be None or an integer >= 1")
        if not isinstance(self.measure_steps, bool):
            raise FieldError("measure_steps", self.measure_steps, "must be True or False")
        _number("min_neurons", self.min_neurons, low=1, integer=True)
        _number("seed", self.seed, low=0, integer=True)

    @classmethod
    def from_keywords(cls, options: Optional["LNPOptions"] = None, **keywords) -> "LNPOptions":
        """``options`` (or the defaults) with ``keywords`` replaced; also reads the legacy keywords.

        ``optimize_timescales=False`` removes step IV from ``steps``;
        ``rates_hz`` (the old SOPs estimate rate) is accepted and ignored
        here (the driver keeps it for its labelled estimate).

        >>> LNPOptions.from_keywords(n_iterations=3, optimize_timescales=False).steps
        ('I', 'II', 'III')
        >>> LNPOptions.from_keywords(n_iteration=3)
        Traceback (most recent call last):
        ...
        TypeError: unknown LNP setting 'n_iteration'; known: n_iterations, synapse_keep_fraction, ...
        """
        base = options if options is not None else cls()
        if not isinstance(base, cls):
            raise TypeError(f"options must be an LNPOptions; got {type(base).__name__}")
        keywords = dict(keywords)
        optimize = keywords.pop("optimize_timescales", None)
        names = [f.name for f in fields(cls)]
        unknown = [key for key in keywords if key not in names]
        if unknown:
            raise TypeError(f"unknown LNP setting {unknown[0]!r}; known: {', '.join(names[:2])}, ...")
        if optimize is not None:
            steps = keywords.get("steps", base.steps)
            steps = (steps,) if isinstance(steps, str) else tuple(steps)
            steps = tuple(s for s in steps if s != "IV") + (("IV",) if optimize else ())
            keywords["steps"] = steps
        return replace(base, **keywords)

    @classmethod
    def ablation(cls, name: str, **keywords) -> "LNPOptions":
        """Options running only the steps of one Fig. 12 ablation (a key of ``ABLATIONS``).

        >>> LNPOptions.ablation("I").steps
        ('I',)
        """
        if name not in ABLATIONS:
            raise FieldError("ablation", name, f"must be one of {tuple(ABLATIONS)}")
        return cls(steps=ABLATIONS[name], **keywords)

    @property
    def optimize_timescales(self) -> bool:
        """Whether step IV runs after the last iteration."""
        return "IV" in self.steps

    def to_dict(self) -> dict:
        """The settings as a JSON-ready dictionary.

        >>> LNPOptions(n_iterations=2).to_dict()["n_iterations"]
        2
        """
        out = asdict(self)
        out["steps"] = list(self.steps)
        return out
