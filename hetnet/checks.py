"""Checks that keep wrong numbers out of results.

* :func:`underflow_problem`: a time-constant distribution whose small
  quantiles underflow to 0 (``Gamma(shape=0.001, mean=20)`` draws exact
  zeros about half the time) is refused by the configuration;
* :func:`validate_network_arrays`: the arrays actually *sampled* for a
  network are finite, time constants are > 0 with a finite inverse, learning
  rates are >= 0, weights lie within ``[w_min, w_max]`` and every threshold
  lies above its reset (called by :func:`hetnet.network.generate_network`);
* :func:`check_network_size`: a network whose estimated memory exceeds what
  the machine has is refused with the estimate, before anything is allocated;
* :func:`check_simulation_output`: weights and membrane potentials are
  finite after every simulation; otherwise the group and variable are named.

Examples
--------
>>> from hetnet.distributions import Gamma
>>> underflow_problem(Gamma(shape=3.0, mean=20.0)) is None
True
>>> print(underflow_problem(Gamma(shape=0.001, mean=20.0)))
its 1e-09 quantile is 0 ms (underflow): sampled values would be exactly 0
"""
from __future__ import annotations

import logging
import math
import os
from pathlib import Path

import numpy as np

__all__ = [
    "underflow_problem",
    "estimate_network_memory",
    "available_memory_bytes",
    "check_network_size",
    "validate_neuron_arrays",
    "validate_network_arrays",
    "check_simulation_output",
    "UNDERFLOW_LEVEL",
    "BYTES_PER_SYNAPSE",
]

logger = logging.getLogger(__name__)

#: quantile level checked for underflow: about the smallest of a billion draws
UNDERFLOW_LEVEL = 1e-9
#: smallest time constant (ms) whose inverse in 1/s is still a finite double, with a margin
_SMALLEST_TIME_CONSTANT_MS = 1e-290
#: memory per synapse: hetnet's arrays, the sampling temporaries and Brian2's own arrays
#: (measured: 370 MB for 2.5 M synapses in runtime mode)
BYTES_PER_SYNAPSE = 200
#: memory per neuron: positions, parameters, Brian2 state and monitors
BYTES_PER_NEURON = 2048
#: the sampler's temporary block (4e6 pairs of float64, a few copies)
_SAMPLING_BLOCK_BYTES = 4_000_000 * 8 * 4


def underflow_problem(distribution, *, level: float = UNDERFLOW_LEVEL, unit: str = "ms"):
    """Why ``distribution`` cannot be a time constant, or ``None``.

    Its ``level`` quantile (about the smallest of ``1 / level`` draws) must
    be a positive number whose inverse is finite; a distribution so skewed
    that it underflows to 0 there draws exact zeros, which make STDP traces
    and weights NaN.
    """
    low = float(distribution.quantile(level))
    if not math.isfinite(low) or low < _SMALLEST_TIME_CONSTANT_MS:
        shown = "0" if low == 0 else f"{low:.3g}"
        return f"its {level:g} quantile is {shown} {unit} (underflow): sampled values would be exactly 0"
    return None


def _pair_sum(length: int, lambda_grid: float) -> float:
    """Sum over ordered pairs of points on a line of ``length`` points of ``exp(-d**2 / lambda**2)``."""
    reach = int(min(length - 1, math.ceil(40 * lambda_grid)))
    offsets = np.arange(-reach, reach + 1, dtype=float)
    return float(np.sum((length - np.abs(offsets)) * np.exp(-(offsets / lambda_grid) ** 2)))


def estimate_network_memory(config, n_input: int) -> dict:
    """Expected synapse count and memory of the network :func:`~hetnet.network.generate_network` would draw.

    The expected number of recurrent synapses from population X to Y is
    ``c_XY * n_X * n_Y / N**2 * prod_axes S(L)`` for ``N`` grid points, with
    ``S(L) = sum_d (L - |d|) exp(-d**2 / lambda**2)`` over the axis offsets
    (random placement on the grid); input synapses are
    ``n_input * n_neurons * p_in``.

    Returns
    -------
    dict
        ``synapses`` (expected), ``grid_points``, ``bytes`` (estimate).

    Examples
    --------
    >>> from hetnet.config import HRSNNConfig
    >>> estimate = estimate_network_memory(HRSNNConfig(n_neurons=2000), n_input=40)
    >>> 50_000 < estimate["synapses"] < 500_000
    True
    """
    shape = config.resolved_grid_shape()
    points = float(np.prod([float(s) for s in shape]))
    pairs = float(np.prod([_pair_sum(int(s), config.connectivity.lambda_grid) for s in shape]))
    n_e, n_i = float(config.n_excitatory), float(config.n_inhibitory)
    c = config.connectivity
    recurrent = pairs / points**2 * (c.c_ee * n_e * n_e + c.c_ei * n_e * n_i + c.c_ie * n_i * n_e + c.c_ii * n_i * n_i)
    synapses = recurrent + float(n_input) * config.n_neurons * c.p_in
    memory = (synapses * BYTES_PER_SYNAPSE + config.n_neurons * BYTES_PER_NEURON + 8 * points
              + _SAMPLING_BLOCK_BYTES)
    return {"synapses": synapses, "grid_points": points, "bytes": memory}


def available_memory_bytes():
    """Memory this process may still use (``MemAvailable``, capped by a cgroup limit), or ``None``."""
    available = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        try:
            available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            available = None
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
        if limit != "max":
            room = max(int(limit) - used, 0)
            available = room if available is None else min(available, room)
    except (OSError, ValueError):
        pass
    return available


def check_network_size(config, n_input: int, available=None) -> dict:
    """Refuse a network whose estimated memory exceeds what is available (:class:`~hetnet.errors.ResourceError`).

    ``available`` defaults to :func:`available_memory_bytes`; when that is
    unknown nothing is refused. Returns the estimate.
    """
    from hetnet.errors import ResourceError

    estimate = estimate_network_memory(config, n_input)
    available = available_memory_bytes() if available is None else available
    if available is not None and estimate["bytes"] > available:
        raise ResourceError(
            "n_neurons", config.n_neurons,
            f"needs an estimated {estimate['bytes'] / 2**30:.3g} GiB of memory (about {estimate['synapses']:.3g} "
            f"synapses at ~{BYTES_PER_SYNAPSE} bytes each on a grid of {estimate['grid_points']:.3g} points); "
            f"{available / 2**30:.3g} GiB is available here: use fewer neurons, lower connection "
            "probabilities (connectivity.c_*) or a smaller connectivity.lambda_grid",
        )
    return estimate


def _refuse(config, field, values, allowed, detail):
    """Raise ConfigError for ``field``: its configured value, what is allowed and what was sampled."""
    from hetnet.errors import ConfigError

    setting = config
    for part in field.split("."):
        setting = getattr(setting, part, None)
    shown = setting.to_dict() if hasattr(setting, "to_dict") else setting
    raise ConfigError(field, shown, f"{allowed}; of {np.size(values)} sampled values {detail}")


def _check_sampled(config, field, values, *, positive=False, non_negative=False, low=None, high=None):
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return
    bad = ~np.isfinite(values)
    if bad.any():
        _refuse(config, field, values, "every sampled value must be finite", f"{int(bad.sum())} are not finite")
    if positive:
        small = values < _SMALLEST_TIME_CONSTANT_MS
        if small.any():
            _refuse(config, field, values, "every sampled time constant must be > 0 (use a larger shape or a "
                    "distribution bounded away from 0)", f"{int(small.sum())} are 0 (smallest {values.min():.3g})")
    if non_negative and (values < 0).any():
        _refuse(config, field, values, "every sampled value must be >= 0",
                f"{int((values < 0).sum())} are negative (smallest {values.min():.3g})")
    if low is not None and (values < low).any():
        _refuse(config, field, values, f"every sampled value must be >= {low}",
                f"{int((values < low).sum())} are below (smallest {values.min():.6g})")
    if high is not None and (values > high).any():
        _refuse(config, field, values, f"every sampled value must be <= {high}",
                f"{int((values > high).sum())} are above (largest {values.max():.6g})")


def validate_neuron_arrays(config, n_excitatory: int, arrays) -> None:
    """Check sampled per-neuron arrays (a mapping or an object with ``tau_m_ms``, ``v_th_mV``, ...).

    Checked per population (``excitatory.tau_m_ms``, ``inhibitory.v_th_mV``,
    ...): finite, time constants > 0, every ``v_reset_mV`` below its
    ``v_th_mV``; ``initial_v_mV`` too when present.
    """
    get = arrays.get if isinstance(arrays, dict) else (lambda name: getattr(arrays, name, None))
    populations = {"excitatory": slice(0, n_excitatory), "inhibitory": slice(n_excitatory, None)}
    for population, part in populations.items():
        for name in ("tau_m_ms", "t_ref_ms"):
            _check_sampled(config, f"{population}.{name}", get(name)[part], positive=True)
        for name in ("v_th_mV", "v_rest_mV", "v_reset_mV", "initial_v_mV"):
            if get(name) is not None:
                _check_sampled(config, f"{population}.{name}", get(name)[part])
        gap = get("v_th_mV")[part] - get("v_reset_mV")[part]
        if gap.size and (gap <= 0).any():
            _refuse(config, f"{population}.v_reset_mV", gap, "every neuron's v_reset_mV must lie below its v_th_mV",
                    f"{int((gap <= 0).sum())} have v_reset >= v_th")


def validate_network_arrays(network) -> None:
    """Check the arrays sampled for ``network``; raise :class:`~hetnet.config.ConfigError` naming the field.

    Per-neuron arrays as in :func:`validate_neuron_arrays`, STDP arrays as
    ``stdp.*``, weights as ``weights.initial`` (their magnitude must lie in
    ``[w_min, w_max]``).
    """
    config = network.config
    validate_neuron_arrays(config, network.n_excitatory, network)
    weights = config.weights
    for name, synapses in network.synapses.items():
        if name == "input" and getattr(network, "input_kind", "spikes") == "current":
            _check_sampled(config, "input weights (current input)", np.abs(synapses.w), low=0.0, high=1.0)
        else:
            _check_sampled(config, "weights.initial", np.abs(synapses.w), low=weights.w_min, high=weights.w_max)
        if getattr(synapses, "plastic", False):
            for parameter in ("tau_pre_ms", "tau_post_ms"):
                _check_sampled(config, f"stdp.{parameter}", getattr(synapses, parameter), positive=True)
            for parameter in ("eta_pre", "eta_post"):
                _check_sampled(config, f"stdp.{parameter}", getattr(synapses, parameter), non_negative=True)


def check_simulation_output(output: dict) -> None:
    """Raise :class:`~hetnet.errors.SimulationError` if a simulation left NaN or infinite weights or potentials.

    ``output`` is a backend's raw dictionary: ``weights`` per pathway (group
    ``synapses_<pathway>``, variable ``w``) and, when the backend reads it,
    ``final_v_mV`` (group ``recurrent``, variable ``v``). A run without a
    single recurrent spike is logged as a warning.
    """
    from hetnet.errors import SimulationError

    checks = [(f"synapses_{name}", "w", values) for name, values in output.get("weights", {}).items()]
    if output.get("final_v_mV") is not None:
        checks.append(("recurrent", "v", output["final_v_mV"]))
    for group, variable, values in checks:
        values = np.asarray(values, dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            raise SimulationError(
                f"the simulation produced non-finite values in {group}.{variable}: {int(bad.sum())} of "
                f"{values.size} are NaN or infinite (first at index {int(np.flatnonzero(bad)[0])}); every "
                "value must be finite. Usual causes: a time constant of 0 or an overflowing weight update"
            )
    if "spike_indices" in output and np.size(output["spike_indices"]) == 0:
        logger.warning("the simulation produced no recurrent spike: every metric of this run describes a silent "
                       "network (check weights.w_scale, the input rates and the thresholds)")
