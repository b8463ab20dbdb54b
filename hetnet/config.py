"""Validated configuration of an HRSNN, loadable from TOML.

Every field is checked when the object is made, before Brian2 is touched;
a bad value raises :class:`ConfigError` naming the field, the value and
what is allowed. Values are plain numbers with the unit in the name
(``tau_m_ms``); Brian2 units are attached only at the model boundary
(:mod:`hetnet.network.brian`).

Examples
--------
>>> from hetnet.config import HRSNNConfig
>>> config = HRSNNConfig(n_neurons=200, variant="HeNHeS", seed=3)
>>> config.n_excitatory, config.n_inhibitory
(160, 40)
>>> config.replace(variant="HoNHoS").neurons_heterogeneous
False
"""
from __future__ import annotations

import dataclasses
import logging
import math
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from hetnet.distributions import (
    Distribution,
    DistributionError,
    Gamma,
    LogNormal,
    Uniform,
    distribution_from_dict,
)
from hetnet.checks import underflow_problem
from hetnet.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "ConfigError",
    "VARIANTS",
    "BACKENDS",
    "NeuronConfig",
    "STDPConfig",
    "ConnectivityConfig",
    "WeightConfig",
    "InputConfig",
    "INPUT_MODES",
    "FRONTENDS",
    "HRSNNConfig",
    "load_config",
    "config_to_toml",
    "parse_assignment",
    "apply_assignments",
]

logger = logging.getLogger(__name__)

VARIANTS = ("HoNHoS", "HeNHoS", "HoNHeS", "HeNHeS")
#: ``auto``: ``cpp_standalone`` where a C++ compiler works, else ``runtime`` (:mod:`hetnet.backends.auto`)
BACKENDS = ("runtime", "cpp_standalone", "cuda_standalone", "genn", "auto")


# --- field checks ------------------------------------------------------------

def _number(name, value, *, low=None, high=None, low_open=False, integer=False):
    kind = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
        integer and not isinstance(value, int)
    ):
        raise ConfigError(name, value, f"must be {kind}")
    if not math.isfinite(value):
        raise ConfigError(name, value, "must be finite")
    if low is not None and (value <= low if low_open else value < low):
        raise ConfigError(name, value, f"must be {'>' if low_open else '>='} {low}")
    if high is not None and value > high:
        raise ConfigError(name, value, f"must be <= {high}")
    return int(value) if integer else float(value)


def _probability(name, value):
    return _number(name, value, low=0.0, high=1.0)


def _distribution(name, value, *, positive=False):
    try:
        dist = distribution_from_dict(value, field=name)
    except DistributionError as error:
        raise ConfigError(name, value, str(error)) from None
    # Gamma and LogNormal have support (0, inf): their infimum 0 is never drawn.
    if positive and not (dist.lower_bound > 0 or isinstance(dist, (Gamma, LogNormal))):
        raise ConfigError(name, dist.to_dict(), "must be > 0 (a time constant); use values > 0")
    problem = underflow_problem(dist) if positive else None
    if problem:
        raise ConfigError(name, dist.to_dict(), f"must be > 0 (a time constant), but {problem}; use a larger "
                          "shape (or std) or a distribution bounded away from 0")
    return dist


def _check_unknown(cls, data: Mapping, prefix: str):
    if not isinstance(data, Mapping):
        raise ConfigError(prefix or cls.__name__, data, "must be a table of settings")
    known = {f.name for f in fields(cls)}
    for key in data:
        if key not in known:
            raise ConfigError(
                f"{prefix}{key}" if prefix else key,
                data[key],
                f"unknown key; allowed keys: {', '.join(sorted(known))}",
            )


class _Section:
    """Shared behaviour of the configuration dataclasses."""

    @classmethod
    def from_dict(cls, data: Mapping, prefix: str = ""):
        _check_unknown(cls, data, prefix)
        return cls(**dict(data))

    def to_dict(self) -> dict:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, _Section):
                value = value.to_dict()
            elif isinstance(value, Distribution):
                value = value.to_dict()
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    def replace(self, **changes):
        """Copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class NeuronConfig(_Section):
    """Distributions of the LIF parameters of one population (E or I).

    Under a homogeneous-neuron variant (HoN...) every neuron takes each
    distribution's mean; under HeN... each neuron draws its own value
    (:ref:`science-neuron`). Each field is a distribution or a number.

    Attributes
    ----------
    tau_m_ms : distribution
        Membrane time constant (ms), > 0.
    v_th_mV : distribution
        Firing threshold (mV); every value must lie above ``v_rest_mV`` and ``v_reset_mV``.
    v_rest_mV : distribution
        Resting potential (mV), where the leak pulls the membrane.
    v_reset_mV : distribution
        Potential after a spike (mV).
    t_ref_ms : distribution
        Refractory period (ms), > 0, at least ``dt_ms``.
    bias_mV : distribution
        Background drive ``R * I_bg`` (mV): the depolarisation above ``v_rest_mV`` at which
        a neuron would settle without any other input.
    """

    tau_m_ms: Any = field(default_factory=lambda: Gamma(shape=3.0, mean=20.0))
    v_th_mV: Any = field(default_factory=lambda: Uniform(-55.0, -49.0))
    v_rest_mV: Any = -65.0
    v_reset_mV: Any = -65.0
    t_ref_ms: Any = 2.0
    bias_mV: Any = 26.0

    def validate(self, prefix: str):
        for name in ("tau_m_ms", "t_ref_ms"):
            object.__setattr__(self, name, _distribution(prefix + name, getattr(self, name), positive=True))
        for name in ("v_th_mV", "v_rest_mV", "v_reset_mV", "bias_mV"):
            object.__setattr__(self, name, _distribution(prefix + name, getattr(self, name)))
        if self.v_th_mV.lower_bound <= max(self.v_rest_mV.mean, self.v_reset_mV.mean):
            raise ConfigError(
                prefix + "v_th_mV",
                self.v_th_mV.to_dict(),
                f"every threshold must lie above v_rest ({self.v_rest_mV.mean} mV) "
                f"and v_reset ({self.v_reset_mV.mean} mV)",
            )


@dataclass(frozen=True)
class STDPConfig(_Section):
    """Trace-STDP parameter distributions (Diehl & Cook 2015 defaults).

    Depression on a presynaptic spike, ``w -= eta_pre * x_post * (w - w_min)``;
    potentiation on a postsynaptic spike, ``w += eta_post * x_pre * (w_max - w)``
    (soft bounds). ``bounds = "hard"`` drops the ``(w - w_min)`` and
    ``(w_max - w)`` factors and only clips (:ref:`science-stdp`). Under a HeS
    variant every plastic synapse draws its own values, under HoS every
    synapse takes the means.

    Attributes
    ----------
    tau_pre_ms : distribution
        Decay time constant of the presynaptic trace (ms), > 0.
    tau_post_ms : distribution
        Decay time constant of the postsynaptic trace (ms), > 0.
    eta_pre : distribution
        Learning rate of depression (on presynaptic spikes), >= 0.
    eta_post : distribution
        Learning rate of potentiation (on postsynaptic spikes), >= 0.
    trace_increment_pre : float
        Jump of the presynaptic trace at each presynaptic spike, > 0.
    trace_increment_post : float
        Jump of the postsynaptic trace at each postsynaptic spike, > 0.
    bounds : {"soft", "hard"}
        Soft bounds scale each change by the distance to the bound; hard bounds only clip.
    """

    tau_pre_ms: Any = field(default_factory=lambda: Gamma(shape=3.0, mean=20.0))
    tau_post_ms: Any = field(default_factory=lambda: Gamma(shape=3.0, mean=20.0))
    eta_pre: Any = field(default_factory=lambda: Gamma(shape=3.0, mean=1e-4))
    eta_post: Any = field(default_factory=lambda: Gamma(shape=3.0, mean=1e-2))
    trace_increment_pre: float = 1.0
    trace_increment_post: float = 1.0
    bounds: str = "soft"

    def validate(self, prefix: str):
        for name in ("tau_pre_ms", "tau_post_ms"):
            object.__setattr__(self, name, _distribution(prefix + name, getattr(self, name), positive=True))
        for name in ("eta_pre", "eta_post"):
            dist = _distribution(prefix + name, getattr(self, name))
            if dist.lower_bound < 0:
                raise ConfigError(prefix + name, dist.to_dict(), "learning rates must be >= 0")
            object.__setattr__(self, name, dist)
        for name in ("trace_increment_pre", "trace_increment_post"):
            object.__setattr__(self, name, _number(prefix + name, getattr(self, name), low=0.0, low_open=True))
        if self.bounds not in ("soft", "hard"):
            raise ConfigError(prefix + "bounds", self.bounds, "allowed: 'soft', 'hard'")


@dataclass(frozen=True)
class ConnectivityConfig(_Section):
    """Distance-dependent recurrent connectivity and input fan-out.

    ``P(i, j) = c_XY * exp(-(D(i, j) / lambda_grid)**2)`` for a synapse from
    population X to population Y on the 3-D grid; each input channel neuron
    projects to each recurrent neuron with probability ``p_in``
    (:ref:`science-connectivity`).

    Attributes
    ----------
    c_ee : float
        Peak connection probability (distance 0) from excitatory to excitatory neurons.
    c_ei : float
        Peak connection probability from excitatory to inhibitory neurons.
    c_ie : float
        Peak connection probability from inhibitory to excitatory neurons.
    c_ii : float
        Peak connection probability from inhibitory to inhibitory neurons.
    lambda_grid : float
        Length scale of the Gaussian fall-off with grid distance (grid units), > 0.
    p_in : float
        Probability that an input channel (an encoder neuron, or an input
        dimension with current input) reaches a recurrent neuron.

    The defaults (about 33 E and 11 I inputs per excitatory neuron at
    N = 500, input to half the neurons) were chosen by measurement for a
    network that computes (:ref:`science-connectivity`);
    :meth:`papers` gives the papers' sparser values (about 8 recurrent
    inputs per neuron).
    """

    c_ee: float = 0.6
    c_ei: float = 0.6
    c_ie: float = 0.8
    c_ii: float = 0.6
    lambda_grid: float = 3.0
    p_in: float = 0.5

    def validate(self, prefix: str):
        for name in ("c_ee", "c_ei", "c_ie", "c_ii", "p_in"):
            object.__setattr__(self, name, _probability(prefix + name, getattr(self, name)))
        object.__setattr__(
            self, "lambda_grid", _number(prefix + "lambda_grid", self.lambda_grid, low=0.0, low_open=True)
        )

    @classmethod
    def papers(cls, **changes) -> "ConnectivityConfig":
        """The HRSNN papers' connectivity: ``C = (0.3, 0.2, 0.4, 0.1)``, ``lambda = 2``, ``p_in = 0.2``.

        >>> ConnectivityConfig.papers().c_ee, ConnectivityConfig.papers().lambda_grid
        (0.3, 2.0)
        """
        return cls(**{"c_ee": 0.3, "c_ei": 0.2, "c_ie": 0.4, "c_ii": 0.1, "lambda_grid": 2.0, "p_in": 0.2,
                      **changes})


@dataclass(frozen=True)
class WeightConfig(_Section):
    """Synaptic weights and currents: dimensionless ``w`` in ``[w_min, w_max]`` times a scale.

    Synapses are current-based with exponential decay: a spike of an
    excitatory (or input) neuron adds ``w * scale`` mV to the postsynaptic
    excitatory current ``J_e = R * I_e`` (time constant ``tau_syn_e_ms``), an
    inhibitory one adds ``-w * scale`` mV to ``J_i`` (``tau_syn_i_ms``;
    stored as a negative weight). The membrane integrates the current, so
    the peak PSP is a fraction of the current jump (for ``tau_m`` = 20 ms and
    ``tau_syn`` = 3.5 ms, 0.12 of it; for inhibition onto a 10 ms neuron with 43 ms currents, 0.64). ``w_scale`` multiplies every scale (the
    architecture hyperparameter of the papers; :ref:`science-weights`).

    Attributes
    ----------
    w_min : float
        Lower bound of the dimensionless weight, >= 0.
    w_max : float
        Upper bound of the dimensionless weight, > ``w_min``.
    initial : distribution
        Distribution of the initial weights; must lie within ``[w_min, w_max]``.
    w_scale : float
        Factor on every scale below (the papers' weight-scale hyperparameter).
    excitatory_scale_mV : float
        Jump (mV) of the postsynaptic excitatory current ``J_e`` for one spike through an
        excitatory recurrent synapse of weight 1.
    inhibitory_scale_mV : float
        Drop (mV) of the postsynaptic inhibitory current ``J_i`` for one spike through an
        inhibitory synapse of weight 1.
    input_scale_mV : float
        Jump (mV) of ``J_e`` for one encoder spike through an input synapse of weight 1 (spike input).
    tau_syn_e_ms : float
        Decay time constant of the excitatory (and spike-input) synaptic current (ms), > 0.
    tau_syn_i_ms : float
        Decay time constant of the inhibitory synaptic current (ms), > 0.
    """

    w_min: float = 0.0
    w_max: float = 1.0
    initial: Any = field(default_factory=lambda: Uniform(0.2, 0.8))
    w_scale: float = 1.0
    excitatory_scale_mV: float = 2.0
    inhibitory_scale_mV: float = 2.9
    input_scale_mV: float = 5.0
    tau_syn_e_ms: float = 3.5
    tau_syn_i_ms: float = 43.0

    def validate(self, prefix: str):
        w_min = _number(prefix + "w_min", self.w_min, low=0.0)
        w_max = _number(prefix + "w_max", self.w_max)
        if not w_max > w_min:
            raise ConfigError(prefix + "w_max", w_max, f"must be > w_min ({w_min})")
        object.__setattr__(self, "w_min", w_min)
        object.__setattr__(self, "w_max", w_max)
        initial = _distribution(prefix + "initial", self.initial)
        low, high = float(initial.quantile(0.0)), float(initial.quantile(1.0))
        if low < w_min or high > w_max:
            raise ConfigError(
                prefix + "initial",
                initial.to_dict(),
                f"initial weights must lie within [w_min, w_max] = [{w_min}, {w_max}] "
                "(use a constant or uniform distribution inside the bounds)",
            )
        object.__setattr__(self, "initial", initial)
        for name in ("w_scale", "excitatory_scale_mV", "inhibitory_scale_mV", "input_scale_mV"):
            object.__setattr__(self, name, _number(prefix + name, getattr(self, name), low=0.0))
        for name in ("tau_syn_e_ms", "tau_syn_i_ms"):
            object.__setattr__(self, name, _number(prefix + name, getattr(self, name), low=0.0, low_open=True))


INPUT_MODES = ("current", "poisson")
#: ``input.frontend``: image, event and video samples passed on directly, or through the convolutional front-end
FRONTENDS = ("none", "conv")


@dataclass(frozen=True)
class InputConfig(_Section):
    """How inputs reach the recurrent layer.

    A time series is first standardised with the mean and standard deviation
    of its training steps (``z = (x - mean) / std``), then:

    ``mode = "current"``
        each recurrent neuron ``i`` receives the current
        ``J_in_i(t) = current_scale_mV * sum_d w_id * z_d(t)`` (mV of
        ``R * I_in``), with static signed weights ``w_id ~ U(-1, 1)``
        reaching a fraction ``connectivity.p_in`` of the neurons;
    ``mode = "poisson"``
        ``z / range_sd``, clipped to [-1, 1], drives Poisson encoder neurons
        at ``rate_min_hz + x * (rate_max_hz - rate_min_hz)``: with
        ``on_off`` the positive part drives an ON channel and the negative
        part an OFF channel, otherwise ``(x + 1) / 2`` drives one channel;
        each channel has ``neurons_per_channel`` encoder neurons, whose
        spikes reach the network through plastic excitatory synapses.

    Each series step lasts ``step_ms``. Images and spike data sets are always
    fed as spikes (images rate-coded, shown for ``present_ms`` followed by
    ``rest_ms`` of silence; :ref:`science-encoding`).

    Attributes
    ----------
    mode : {"current", "poisson"}
        How a time series reaches the network (above).
    current_scale_mV : float
        Current input: ``R * I_in`` (mV) per standard deviation of the input and unit input weight.
    range_sd : float
        Poisson input: standard deviations of the input that span the rate range, > 0.
    rate_min_hz : float
        Rate of an encoder neuron at the lowest input value (Hz), >= 0.
    rate_max_hz : float
        Rate at the highest input value (Hz), > ``rate_min_hz``.
    neurons_per_channel : int
        Encoder neurons per input channel (identical rates, independent spikes).
    on_off : bool
        Split each series dimension into an ON (positive part) and an OFF (negative part) channel.
    step_ms : float
        Duration of one series step (ms): the state is read once per step.
    present_ms : float
        Presentation time of one classification sample (ms).
    rest_ms : float
        Silence after each classification sample (ms), >= 0.
    frontend : {"none", "conv"}
        How image, event and video samples reach the network: ``"none"`` pools and
        passes them on directly; ``"conv"`` runs them first through the convolutional
        spiking front-end of the CHRSNN (:mod:`hetnet.encoding.convolution`: fixed
        Gabor and difference-of-Gaussians filters, integrate-and-fire neurons, spatial
        pooling; :ref:`science-chrsnn`). Spike data sets cannot use ``"conv"``.
    conv_orientations : int
        Front-end: orientations of the Gabor filters, >= 1 (the bank adds one
        centre-surround filter; each filter gives an ON and an OFF feature map).
    conv_kernel : int
        Front-end: side of the filters (pixels), odd, >= 3.
    conv_stride : int
        Front-end: the filters are applied at every ``conv_stride``-th pixel, >= 1.
    conv_pool : int
        Front-end: side of the square of feature-map positions pooled into one input channel, >= 1.
    conv_threshold : float
        Front-end: threshold of the integrate-and-fire neurons, > 0, dimensionless (in
        frames of a full-contrast, perfectly matched filter response).
    conv_frame_ms : float
        Front-end: duration of one frame, the time bin of the filters and of the
        integrate-and-fire neurons (ms), > 0.
    """

    mode: str = "current"
    current_scale_mV: float = 33.0
    range_sd: float = 2.0
    rate_min_hz: float = 0.0
    rate_max_hz: float = 64.0
    neurons_per_channel: int = 10
    on_off: bool = True
    step_ms: float = 20.0
    present_ms: float = 100.0
    rest_ms: float = 100.0
    frontend: str = "none"
    conv_orientations: int = 4
    conv_kernel: int = 5
    conv_stride: int = 1
    conv_pool: int = 8
    conv_threshold: float = 2.0
    conv_frame_ms: float = 1.0

    def validate(self, prefix: str):
        if self.mode not in INPUT_MODES:
            raise ConfigError(prefix + "mode", self.mode, f"allowed: {', '.join(repr(m) for m in INPUT_MODES)}")
        object.__setattr__(self, "current_scale_mV", _number(prefix + "current_scale_mV", self.current_scale_mV, low=0.0))
        object.__setattr__(self, "range_sd", _number(prefix + "range_sd", self.range_sd, low=0.0, low_open=True))
        low = _number(prefix + "rate_min_hz", self.rate_min_hz, low=0.0)
        high = _number(prefix + "rate_max_hz", self.rate_max_hz, low=0.0, low_open=True)
        if not high > low:
            raise ConfigError(prefix + "rate_max_hz", high, f"must be > rate_min_hz ({low})")
        object.__setattr__(self, "rate_min_hz", low)
        object.__setattr__(self, "rate_max_hz", high)
        object.__setattr__(
            self, "neurons_per_channel", _number(prefix + "neurons_per_channel", self.neurons_per_channel, low=1, integer=True)
        )
        if not isinstance(self.on_off, bool):
            raise ConfigError(prefix + "on_off", self.on_off, "must be true or false")
        for name in ("step_ms", "present_ms"):
            object.__setattr__(self, name, _number(prefix + name, getattr(self, name), low=0.0, low_open=True))
        object.__setattr__(self, "rest_ms", _number(prefix + "rest_ms", self.rest_ms, low=0.0))
        if self.frontend not in FRONTENDS:
            raise ConfigError(prefix + "frontend", self.frontend, f"allowed: {', '.join(repr(f) for f in FRONTENDS)}")
        for name in ("conv_orientations", "conv_stride", "conv_pool"):
            object.__setattr__(self, name, _number(prefix + name, getattr(self, name), low=1, integer=True))
        kernel = _number(prefix + "conv_kernel", self.conv_kernel, low=3, integer=True)
        if kernel % 2 == 0:
            raise ConfigError(prefix + "conv_kernel", kernel, "must be odd (the filters have a centre pixel)")
        object.__setattr__(self, "conv_kernel", kernel)
        for name in ("conv_threshold", "conv_frame_ms"):
            object.__setattr__(self, name, _number(prefix + name, getattr(self, name), low=0.0, low_open=True))


@dataclass(frozen=True)
class HRSNNConfig(_Section):
    """Full configuration of one heterogeneous recurrent spiking network.

    Parameters
    ----------
    n_neurons : int
        Recurrent neurons (the paper uses 100 to 5000).
    excitatory_fraction : float
        Fraction of excitatory neurons (0.8).
    grid_shape : tuple of 3 ints or None
        3-D integer grid the neurons sit on (unit spacing); ``None`` picks the
        most cubic grid with at least ``n_neurons`` points.
    variant : {"HoNHoS", "HeNHoS", "HoNHeS", "HeNHeS"}
        Which parameters are heterogeneous: HeN draws neuron parameters per
        neuron, HeS draws STDP parameters per synapse; Ho... uses the mean.
    dt_ms : float
        Integration step (ms); at most the refractory period.
    duration_ms : float
        Run length (ms) when no stimulus sets it.
    seed : int
        Seeds structure, parameters, Poisson input and Brian2's generator.
    backend : {"runtime", "auto", "cpp_standalone", "cuda_standalone", "genn"}
        Code-generation target (see the backends page of the documentation);
        ``"auto"`` is ``cpp_standalone`` where a C++ compiler works, else ``runtime``.
    excitatory, inhibitory : NeuronConfig
        LIF parameter distributions of each population (TOML sections ``[excitatory]``, ``[inhibitory]``).
    stdp : STDPConfig
        Trace-STDP parameter distributions (``[stdp]``).
    connectivity : ConnectivityConfig
        Connection probabilities and input fan-out (``[connectivity]``).
    weights : WeightConfig
        Weight bounds, initial weights and PSP scales (``[weights]``).
    input : InputConfig
        Poisson rate coding of the input (``[input]``).
    """

    n_neurons: int = 500
    excitatory_fraction: float = 0.8
    grid_shape: Any = None
    variant: str = "HeNHeS"
    dt_ms: float = 0.1
    duration_ms: float = 1000.0
    seed: int = 0
    backend: str = "runtime"
    excitatory: NeuronConfig = field(default_factory=NeuronConfig)
    inhibitory: NeuronConfig = field(
        default_factory=lambda: NeuronConfig(tau_m_ms=Gamma(shape=3.0, mean=10.0), bias_mV=19.0)
    )
    stdp: STDPConfig = field(default_factory=STDPConfig)
    connectivity: ConnectivityConfig = field(default_factory=ConnectivityConfig)
    weights: WeightConfig = field(default_factory=WeightConfig)
    input: InputConfig = field(default_factory=InputConfig)

    def __post_init__(self):
        n = _number("n_neurons", self.n_neurons, low=1, integer=True)
        object.__setattr__(self, "n_neurons", n)
        object.__setattr__(self, "excitatory_fraction", _probability("excitatory_fraction", self.excitatory_fraction))
        if self.variant not in VARIANTS:
            raise ConfigError("variant", self.variant, f"allowed: {', '.join(VARIANTS)}")
        if self.backend not in BACKENDS:
            raise ConfigError("backend", self.backend, f"allowed: {', '.join(BACKENDS)}")
        object.__setattr__(self, "dt_ms", _number("dt_ms", self.dt_ms, low=0.0, low_open=True))
        object.__setattr__(self, "duration_ms", _number("duration_ms", self.duration_ms, low=0.0, low_open=True))
        seed = _number("seed", self.seed, low=0, integer=True)
        if seed >= 2**32:
            raise ConfigError("seed", seed, "must be < 2**32")
        object.__setattr__(self, "seed", seed)
        if self.grid_shape is not None:
            shape = self.grid_shape
            if not isinstance(shape, (list, tuple)) or len(shape) != 3:
                raise ConfigError("grid_shape", shape, "must be three positive integers or omitted")
            shape = tuple(_number(f"grid_shape[{k}]", s, low=1, integer=True) for k, s in enumerate(shape))
            if math.prod(shape) < n:
                raise ConfigError("grid_shape", list(shape), f"needs at least n_neurons = {n} grid points")
            object.__setattr__(self, "grid_shape", shape)
        for name, cls in (
            ("excitatory", NeuronConfig),
            ("inhibitory", NeuronConfig),
            ("stdp", STDPConfig),
            ("connectivity", ConnectivityConfig),
            ("weights", WeightConfig),
            ("input", InputConfig),
        ):
            section = getattr(self, name)
            if isinstance(section, Mapping):
                # a table changes the section's defaults (the inhibitory population keeps its own
                # tau_m when a table sets only its bias), as replace() and TOML files do
                _check_unknown(cls, section, f"{name}.")
                section = dataclasses.replace(_SECTION_DEFAULTS[name](), **dict(section))
            if not isinstance(section, cls):
                raise ConfigError(name, section, f"must be a {cls.__name__} or a table")
            section.validate(f"{name}.")
            object.__setattr__(self, name, section)
        if self.dt_ms > min(self.excitatory.t_ref_ms.mean, self.inhibitory.t_ref_ms.mean):
            raise ConfigError("dt_ms", self.dt_ms, "must not exceed the refractory period")
        if self.n_excitatory == 0:
            raise ConfigError(
                "excitatory_fraction", self.excitatory_fraction,
                f"gives no excitatory neuron for n_neurons = {n}; STDP needs at least one",
            )

    # --- derived quantities -------------------------------------------------
    @property
    def n_excitatory(self) -> int:
        """Excitatory neurons: ``round(excitatory_fraction * n_neurons)``."""
        return int(round(self.excitatory_fraction * self.n_neurons))

    @property
    def n_inhibitory(self) -> int:
        return self.n_neurons - self.n_excitatory

    @property
    def neurons_heterogeneous(self) -> bool:
        """True for HeN variants (per-neuron parameters)."""
        return self.variant.startswith("HeN")

    @property
    def synapses_heterogeneous(self) -> bool:
        """True for ...HeS variants (per-synapse STDP parameters)."""
        return self.variant.endswith("HeS")

    def resolved_grid_shape(self) -> tuple:
        """The grid actually used: ``grid_shape`` or the most cubic one that fits."""
        if self.grid_shape is not None:
            return self.grid_shape
        side = max(1, round(self.n_neurons ** (1 / 3)))
        best = None
        for a in range(max(1, side - 2), side + 3):
            for b in range(a, side + 4):
                c = max(1, math.ceil(self.n_neurons / (a * b)))
                candidate = (a * b * c, max(a, b, c) - min(a, b, c), (c, b, a))
                best = candidate if best is None or candidate[:2] < best[:2] else best
        return best[2]

    def replace(self, **changes):
        """Copy with fields changed; sections may be given as dicts of changes.

        >>> HRSNNConfig().replace(connectivity={"c_ee": 0.1}).connectivity.c_ee
        0.1
        """
        for name, value in list(changes.items()):
            current = getattr(self, name, None)
            if isinstance(current, _Section) and isinstance(value, Mapping):
                _check_unknown(type(current), value, f"{name}.")
                changes[name] = dataclasses.replace(current, **value)
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, data: Mapping, prefix: str = ""):
        _check_unknown(cls, data, prefix)
        return cls(**dict(data))

    @classmethod
    def from_toml(cls, path) -> "HRSNNConfig":
        """Read a TOML file (sections ``[excitatory]``, ``[stdp]``, ... as in ``to_dict``)."""
        return load_config(path)


#: each section's default (what a partial table in the constructor or a TOML file starts from)
_SECTION_DEFAULTS = {item.name: item.default_factory for item in fields(HRSNNConfig)
                     if item.default_factory is not dataclasses.MISSING}


def load_config(path) -> HRSNNConfig:
    """Load and validate an :class:`HRSNNConfig` from a TOML file.

    Unknown keys, wrong types and invalid values raise :class:`ConfigError`;
    a missing or unreadable file raises it too, naming the path.
    """
    path = Path(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "no such file"
        raise ConfigError("config file", str(path), f"{what}; give a TOML file (hetnet config show prints one to start from)")
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError("config file", str(path), f"is not valid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError("config file", str(path), f"is not a UTF-8 text file (byte {error.start}: "
                          f"{error.reason}); give a TOML text file") from None
    except OSError as error:
        raise ConfigError("config file", str(path), f"cannot be read ({error.strerror or error})") from None
    return HRSNNConfig.from_dict(data)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return repr(value)


def config_to_toml(config: HRSNNConfig) -> str:
    """The TOML text of a configuration (what :func:`load_config` reads back).

    >>> text = config_to_toml(HRSNNConfig(n_neurons=64))
    >>> "n_neurons = 64" in text and "[excitatory]" in text
    True
    """
    data = config.to_dict()
    lines = [f"{key} = {_toml_value(value)}" for key, value in data.items()
             if not isinstance(value, Mapping) and value is not None]
    for key, value in data.items():
        if isinstance(value, Mapping):
            lines.append(f"\n[{key}]")
            lines.extend(f"{name} = {_toml_value(item)}" for name, item in value.items())
    return "\n".join(lines) + "\n"


def parse_assignment(text: str) -> tuple:
    """Split ``"section.field=value"`` into ``(("section", "field"), value)``, the value read as TOML.

    The value is read the way a TOML file reads it (``20``, ``0.5``, ``true``,
    ``[4, 4, 4]``, ``{ kind = "gamma", shape = 3.0, mean = 20.0 }``, ``"text"``);
    a value that is not TOML (``HeNHeS``, ``abc``) is taken as a string, so a
    wrong type is reported by the configuration's own checks, naming the field.

    >>> parse_assignment("input.current_scale_mV=40")
    (('input', 'current_scale_mV'), 40)
    >>> parse_assignment("variant=HoNHoS")
    (('variant',), 'HoNHoS')
    """
    key, sep, raw = str(text).partition("=")
    path = tuple(part.strip() for part in key.split("."))
    if not sep or not all(path):
        raise ConfigError("--set", text, "must be KEY=VALUE with KEY a field (n_neurons) or section.field "
                          "(input.current_scale_mV), as in the TOML file")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw
    return path, value


def apply_assignments(config: HRSNNConfig, assignments) -> HRSNNConfig:
    """``config`` with each ``"section.field=value"`` of ``assignments`` set, validated as a TOML file is.

    The assignments are applied to the configuration's table (as
    :func:`config_to_toml` writes it) and the result is checked by
    ``HRSNNConfig.from_dict``, so an unknown field or a bad value raises
    :class:`ConfigError` naming the field, exactly as in a TOML file. A
    distribution's own keys can be set too (``excitatory.tau_m_ms.mean=25``).

    >>> apply_assignments(HRSNNConfig(), ["n_neurons=64", "input.current_scale_mV=40"]).input.current_scale_mV
    40.0
    >>> apply_assignments(HRSNNConfig(), ["input.current_scale_mV=abc"])
    Traceback (most recent call last):
    ...
    hetnet.errors.ConfigError: invalid configuration: input.current_scale_mV = 'abc'; must be a number
    """
    assignments = list(assignments or ())
    if not assignments:
        return config
    data = config.to_dict()
    for text in assignments:
        path, value = parse_assignment(text)
        table = data
        for depth, key in enumerate(path[:-1]):
            where = ".".join(path[:depth + 1])
            if key not in table:
                raise ConfigError(where, value, f"unknown key; allowed keys: {', '.join(sorted(table))}")
            if not isinstance(table[key], dict):
                raise ConfigError(".".join(path), value, f"{where} is a single value, not a section; "
                                  f"set it with {where}=VALUE")
            table = table[key]
        table[path[-1]] = value
    return HRSNNConfig.from_dict(data)
