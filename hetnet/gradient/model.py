"""The HRSNN's discrete-time update in JAX: the Brian2 model step for step, with surrogate spikes.

A :class:`NetworkInstance` is turned into dense arrays (:func:`network_arrays`):
signed dimensionless weights ``[pre, post]`` with their connectivity mask
and per-pathway scales (mV per unit weight), and the per-neuron parameters.
:func:`run_network` advances them with the update of
:mod:`hetnet.network.brian` (:ref:`science-neuron`), in the order of Brian2's
schedule within one integration step ``n`` (time ``n * dt``):

1. the current input ``J_in`` of the step (the summed variable);
2. refractoriness: a neuron is refractory while fewer than
   ``floor(t_ref / dt + 1e-3)`` steps have passed since its last spike
   (Brian2's ``timestep(t - lastspike, dt) >= timestep(t_ref, dt)``);
3. the exact propagator, for non-refractory neurons only,
   ``v += (v_rest + b + J_in - v) * (1 - a_m) + k_e J_e + k_i J_i``, then
   ``J_e *= a_e`` and ``J_i *= a_i``
   (:func:`hetnet.network.brian.propagator_coefficients`);
4. threshold: ``s = H(v - v_th)`` for non-refractory neurons;
5. synapses: ``J_e += s_E @ W_E + s_input @ W_input`` (spike input) and
   ``J_i += s_I @ W_I``, seen by the next step's update;
6. reset ``v = v_reset * s + v * (1 - s)`` (exactly ``v_reset`` for a spike;
   no gradient through it unless ``detach_reset=False``) and the refractory
   clock restarts.

With ``spikes="hard"`` (default) the forward pass is exact: in float64 it
gives Brian2's spikes, spike for spike (tested against
:func:`hetnet.network.simulate`). The derivative of ``H`` is replaced by the
fast-sigmoid surrogate of :mod:`hetnet.gradient.surrogate`. With
``spikes="smooth"`` the forward pass uses the smooth step whose exact
derivative is that surrogate (the "smoothed model" the gradient check
compares against finite differences). The refractory clock follows the hard
threshold crossings in both cases (it carries no gradient).

States are accumulated inside the scan, per stimulus step: spike counts and
the exponentially filtered spike train read at the end of the step, the
same numbers as :meth:`hetnet.result.SimulationResult.state_matrix`. Only
with ``record_spikes=True`` are the per-step spikes returned (short runs:
the exactness tests). Each stimulus step's inner scan is wrapped in
``jax.checkpoint``, so backpropagation through time stores one carry per
stimulus step and recomputes the steps inside it.

Examples
--------
>>> import numpy as np
>>> from hetnet.config import HRSNNConfig
>>> from hetnet.encoding import CurrentStimulus
>>> from hetnet.network import generate_network
>>> network = generate_network(HRSNNConfig(n_neurons=20, seed=1), n_input=1, input_kind="current")
>>> arrays = network_arrays(network)
>>> arrays.w.shape, arrays.n_excitatory
((20, 20), 16)
>>> out = run_network(arrays, arrays.params(), CurrentStimulus(np.ones((3, 1)), 20.0), precision="float64")
>>> out["counts"].shape, out["filtered"].shape
((3, 20), (3, 20))
"""
from __future__ import annotations

import dataclasses
import logging
import math
from dataclasses import dataclass

import numpy as np

import jax
import jax.numpy as jnp

from hetnet.encoding import CurrentStimulus, RateStimulus, SpikeStimulus, poisson_spikes
from hetnet.gradient.surrogate import DEFAULT_DAMPENING, DEFAULT_SLOPE, spike_function
from hetnet.network.instance import PATHWAYS, NetworkInstance

__all__ = ["NetworkArrays", "network_arrays", "apply_params", "run_network", "stimulus_arrays",
           "propagator", "refractory_steps", "PRECISIONS"]

logger = logging.getLogger(__name__)

PRECISIONS = ("float32", "float64")


def refractory_steps(t_ref_ms, dt_ms: float) -> np.ndarray:
    """Integration steps a neuron stays refractory: Brian2's ``timestep(t_ref, dt)``.

    >>> refractory_steps([2.0, 0.25], 0.1).tolist()
    [20, 2]
    """
    return np.asarray((np.asarray(t_ref_ms, dtype=float) + 1e-3 * dt_ms) / dt_ms, dtype=np.int64)


def propagator(tau_m_ms, tau_syn_ms: float, dt_ms: float):
    """``(v_decay, k, decay)`` of :func:`hetnet.network.brian.propagator_coefficients`, differentiable in ``tau_m_ms``.

    >>> import numpy as np
    >>> from hetnet.network.brian import propagator_coefficients
    >>> v_decay, k, decay = propagator(jnp.array([20.0, 3.5]), 3.5, 0.1)
    >>> reference = propagator_coefficients([20.0, 3.5], 3.5, 0.1)
    >>> bool(np.allclose(np.asarray(k), reference[1], rtol=1e-6))
    True
    """
    a = dt_ms / tau_m_ms
    c = a - dt_ms / tau_syn_ms
    v_decay = jnp.exp(-a)
    small = jnp.abs(c) <= 1e-8
    safe = jnp.where(small, 1.0, c)
    ratio = jnp.where(small, 1.0 + c / 2, jnp.expm1(safe) / safe)
    return v_decay, a * v_decay * ratio, math.exp(-dt_ms / tau_syn_ms)


@dataclass
class NetworkArrays:
    """Dense arrays of one network for the JAX update (numpy; ``params()`` gives the trainable part).

    Attributes
    ----------
    n_excitatory, n_input : int
    input_kind : {"current", "spikes"}
    w : ndarray, shape (n_neurons, n_neurons)
        Signed dimensionless recurrent weights ``[pre, post]`` (0 where no synapse).
    mask : ndarray of bool, shape (n_neurons, n_neurons)
        Where a synapse exists (or may exist, after :func:`apply_params` with a free mask).
    scale : ndarray, shape (n_neurons, n_neurons)
        mV per unit weight of each entry (its pathway's ``scale_mV``).
    w_in, in_mask : ndarray, shape (n_input, n_neurons)
    in_scale : float
    tau_m_ms, v_th_mV, v_rest_mV, v_reset_mV, t_ref_ms, bias_mV, initial_v_mV : ndarray, shape (n_neurons,)
    tau_syn_e_ms, tau_syn_i_ms, dt_ms : float
    w_bounds : tuple of float
        ``(w_min, w_max)`` of the configuration: the magnitudes training keeps to.
    """

    n_excitatory: int
    n_input: int
    input_kind: str
    w: np.ndarray
    mask: np.ndarray
    scale: np.ndarray
    w_in: np.ndarray
    in_mask: np.ndarray
    in_scale: float
    tau_m_ms: np.ndarray
    v_th_mV: np.ndarray
    v_rest_mV: np.ndarray
    v_reset_mV: np.ndarray
    t_ref_ms: np.ndarray
    bias_mV: np.ndarray
    initial_v_mV: np.ndarray
    tau_syn_e_ms: float
    tau_syn_i_ms: float
    dt_ms: float
    w_bounds: tuple

    @property
    def n_neurons(self) -> int:
        return int(self.tau_m_ms.size)

    @property
    def sign(self) -> np.ndarray:
        """+1 for excitatory rows, -1 for inhibitory rows (Dale's law)."""
        return np.where(np.arange(self.n_neurons) < self.n_excitatory, 1.0, -1.0)

    def params(self) -> dict:
        """The trainable arrays ``{"w", "w_in", "tau_m_ms", "v_th_mV"}`` as numpy arrays."""
        return {"w": self.w.copy(), "w_in": self.w_in.copy(), "tau_m_ms": self.tau_m_ms.copy(),
                "v_th_mV": self.v_th_mV.copy()}

    def with_dt(self, dt_ms: float) -> "NetworkArrays":
        """The same network advanced with another integration step (training on a coarser grid)."""
        return dataclasses.replace(self, dt_ms=float(dt_ms))


def network_arrays(network: NetworkInstance, dt_ms: float | None = None) -> NetworkArrays:
    """Dense arrays of ``network`` (integration step ``dt_ms``, default the configuration's).

    Raises
    ------
    ValueError
        Two synapses join the same pair of neurons (a dense matrix cannot hold them).
    """
    n, n_e = network.n_neurons, network.n_excitatory
    w = np.zeros((n, n))
    mask = np.zeros((n, n), dtype=bool)
    scale = np.zeros((n, n))
    for name in PATHWAYS:
        if name == "input":
            continue
        syn = network.synapses[name]
        pre, post = network.global_endpoints(name)
        if np.any(mask[pre, post]) or np.unique(pre.astype(np.int64) * n + post).size != pre.size:
            raise ValueError(f"pathway {name!r} has two synapses between one pair of neurons")
        w[pre, post] = syn.w
        mask[pre, post] = True
        pre_rows = slice(0, n_e) if PATHWAYS[name][0] == "excitatory" else slice(n_e, n)
        post_cols = slice(0, n_e) if PATHWAYS[name][1] == "excitatory" else slice(n_e, n)
        scale[pre_rows, post_cols] = syn.scale_mV
    syn = network.synapses["input"]
    w_in = np.zeros((network.n_input, n))
    in_mask = np.zeros((network.n_input, n), dtype=bool)
    if np.unique(syn.pre.astype(np.int64) * n + syn.post).size != syn.pre.size:
        raise ValueError("the input pathway has two synapses between one channel and one neuron")
    w_in[syn.pre, syn.post] = syn.w
    in_mask[syn.pre, syn.post] = True
    config = network.config
    return NetworkArrays(
        n_excitatory=n_e, n_input=network.n_input, input_kind=network.input_kind, w=w, mask=mask, scale=scale,
        w_in=w_in, in_mask=in_mask, in_scale=float(syn.scale_mV),
        tau_m_ms=np.asarray(network.tau_m_ms, float).copy(), v_th_mV=np.asarray(network.v_th_mV, float).copy(),
        v_rest_mV=np.asarray(network.v_rest_mV, float), v_reset_mV=np.asarray(network.v_reset_mV, float),
        t_ref_ms=np.asarray(network.t_ref_ms, float), bias_mV=np.asarray(network.bias_mV, float),
        initial_v_mV=np.asarray(network.initial_v_mV, float),
        tau_syn_e_ms=float(config.weights.tau_syn_e_ms), tau_syn_i_ms=float(config.weights.tau_syn_i_ms),
        dt_ms=float(config.dt_ms if dt_ms is None else dt_ms),
        w_bounds=(float(config.weights.w_min), float(config.weights.w_max)),
    )


def apply_params(network: NetworkInstance, arrays: NetworkArrays, params: dict, *,
                 fixed_mask: bool = True) -> NetworkInstance:
    """``network`` with the trained ``params`` written back (weights, ``tau_m_ms``, ``v_th_mV``).

    With ``fixed_mask`` the synapses stay those of ``network`` (pruned ones stay
    pruned); otherwise every nonzero recurrent weight becomes a synapse (new
    synapses draw STDP parameters as in
    :meth:`~hetnet.network.NetworkInstance.pruned`) and input weights stay on
    the existing input synapses.

    Examples
    --------
    >>> from hetnet.config import HRSNNConfig
    >>> from hetnet.network import generate_network
    >>> network = generate_network(HRSNNConfig(n_neurons=20, seed=1), n_input=2)
    >>> arrays = network_arrays(network)
    >>> apply_params(network, arrays, arrays.params()) == network
    True
    """
    w = np.asarray(params["w"], dtype=float)
    w_in = np.asarray(params["w_in"], dtype=float)
    syn = network.synapses["input"]
    weights = {"input": w_in[syn.pre, syn.post]}
    if fixed_mask:
        for name in PATHWAYS:
            if name != "input":
                pre, post = network.global_endpoints(name)
                weights[name] = w[pre, post]
        updated = network.with_weights(weights)
    else:
        updated = network.with_weights({"input": weights["input"]})
        matrix = w * arrays.scale
        updated = updated.pruned(np.arange(network.n_neurons), recurrent_weights_mV=matrix,
                                 seed=network.config.seed)
        # _with_recurrent_matrix divides by the old scale: pathways keep their scales
    arrays_changed = {}
    for name in ("tau_m_ms", "v_th_mV"):
        if name in params and not np.array_equal(np.asarray(params[name], float), getattr(network, name)):
            arrays_changed[name] = np.asarray(params[name], dtype=float)
    return updated.with_neuron_parameters(**arrays_changed) if arrays_changed else updated


def _steps_per_input(step_ms: float, dt_ms: float) -> int:
    steps = int(round(step_ms / dt_ms))
    if steps < 1 or abs(steps * dt_ms - step_ms) > 1e-9 * max(1.0, step_ms):
        raise ValueError(f"the stimulus step ({step_ms} ms) must be a multiple of dt = {dt_ms} ms")
    return steps


def stimulus_arrays(stimulus, dt_ms: float, *, seed: int = 0) -> dict:
    """The input of a stimulus on the integration grid, shaped per stimulus step.

    Returns ``{"values": (n_steps, n_channels)}`` for a :class:`CurrentStimulus`,
    or ``{"spikes": (n_steps, steps_per_input, n_channels)}`` spike counts for a
    :class:`SpikeStimulus` (times rounded to the grid as Brian2 does) or a
    :class:`RateStimulus` (Poisson spikes drawn with ``seed``:
    :func:`hetnet.encoding.poisson_spikes`), plus ``steps_per_input``.

    >>> stimulus = SpikeStimulus([0, 1], [0.0, 1.04], n_channels=2, duration_ms=2.0, step_ms=1.0)
    >>> stimulus_arrays(stimulus, 0.1)["spikes"].sum(axis=(1, 2)).tolist()
    [1.0, 1.0]
    """
    per_input = _steps_per_input(stimulus.step_ms, dt_ms)
    if isinstance(stimulus, CurrentStimulus):
        return {"values": np.asarray(stimulus.values, dtype=float), "steps_per_input": per_input}
    if isinstance(stimulus, RateStimulus):
        stimulus = poisson_spikes(stimulus, dt_ms, seed)
    if not isinstance(stimulus, SpikeStimulus):
        raise TypeError(f"stimulus must be a CurrentStimulus, RateStimulus or SpikeStimulus; got {type(stimulus).__name__}")
    n_steps = stimulus.n_steps
    ticks = np.rint(np.asarray(stimulus.times_ms) / dt_ms).astype(np.int64)
    counts = np.zeros((n_steps * per_input, stimulus.n_channels))
    keep = ticks < counts.shape[0]
    np.add.at(counts, (ticks[keep], np.asarray(stimulus.indices)[keep]), 1.0)
    return {"spikes": counts.reshape(n_steps, per_input, stimulus.n_channels), "steps_per_input": per_input}


def _effective(arrays: NetworkArrays, params: dict, dtype, fixed_mask: bool = True):
    """Effective weights in mV with Dale's signs imposed (and the mask when it is fixed)."""
    sign = jnp.asarray(arrays.sign, dtype)[:, None]
    w = sign * jnp.abs(params["w"])
    if fixed_mask:
        w = w * jnp.asarray(arrays.mask, dtype)
    w_mV = w * jnp.asarray(arrays.scale, dtype)
    w_in = params["w_in"]
    if arrays.input_kind == "spikes":
        w_in = jnp.abs(w_in)
    w_in_mV = w_in * jnp.asarray(arrays.in_mask, dtype) * arrays.in_scale
    return w_mV, w_in_mV


def run_network(arrays: NetworkArrays, params: dict, stimulus, *, spikes: str = "hard",
                slope: float = DEFAULT_SLOPE, dampening: float = DEFAULT_DAMPENING, tau_filter_ms: float | None = None, record_spikes: bool = False,
                precision: str = "float32", fixed_mask: bool = True, detach_reset: bool = True, seed: int = 0,
                jit: bool = True) -> dict:
    """Run the network on a stimulus (differentiable in ``params``).

    Parameters
    ----------
    arrays : NetworkArrays
        From :func:`network_arrays`; its ``dt_ms`` is the integration step.
    params : dict
        ``{"w", "w_in", "tau_m_ms", "v_th_mV"}`` (numpy or JAX arrays), e.g.
        :meth:`NetworkArrays.params`. Recurrent weights enter with the sign of
        their presynaptic population (their magnitude is used), spike-input
        weights as magnitudes, current-input weights signed.
    stimulus : CurrentStimulus, RateStimulus, SpikeStimulus or dict
        A stimulus, or the output of :func:`stimulus_arrays`.
    spikes : {"hard", "smooth"}
        Heaviside forward with the surrogate derivative, or the smooth step.
    slope, dampening : float
        Surrogate slope in 1/mV and dampening of the hard spike (:mod:`hetnet.gradient.surrogate`).
    tau_filter_ms : float, optional
        Time constant of the filtered states (default: four stimulus steps).
    record_spikes : bool
        Also return the spikes of every integration step.
    precision : {"float32", "float64"}
        float64 (for exactness) runs with JAX's 64-bit mode switched on for the call.
    fixed_mask : bool
        Weights outside the connectivity mask are ignored.
    detach_reset : bool
        No gradient through the reset (Zenke & Vogels 2021): the reset's
        derivative ``v_reset - v`` (10-16 mV) times the surrogate compounds
        over thousands of steps and makes BPTT explode. Off, the gradient is
        that of the smoothed model's every operation (the finite-difference
        check).
    seed : int
        Seed of the Poisson spikes of a rate stimulus.
    jit : bool
        Compile the scan (off only for debugging).

    Returns
    -------
    dict
        ``counts`` and ``filtered``, shape ``(n_steps, n_neurons)`` (JAX arrays);
        with ``record_spikes``, ``spikes`` of shape ``(n_steps * steps_per_input, n_neurons)``.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}; got {precision!r}")
    if spikes not in ("hard", "smooth"):
        raise ValueError(f"spikes must be 'hard' or 'smooth'; got {spikes!r}")
    data = stimulus if isinstance(stimulus, dict) else stimulus_arrays(stimulus, arrays.dt_ms, seed=seed)
    current = "values" in data
    if current != (arrays.input_kind == "current"):
        raise ValueError(f"a {'current' if current else 'spike'} stimulus needs a network with input_kind "
                         f"{'current' if current else 'spikes'!r}; this one has {arrays.input_kind!r}")
    n_channels = (data["values"] if current else data["spikes"]).shape[-1]
    if n_channels != arrays.n_input:
        raise ValueError(f"stimulus has {n_channels} channels; the network has n_input = {arrays.n_input}")
    per_input = int(data["steps_per_input"])
    step_ms = per_input * arrays.dt_ms
    tau_filter_ms = 4 * step_ms if tau_filter_ms is None else float(tau_filter_ms)
    with jax.enable_x64(precision == "float64"):
        dtype = jnp.float64 if precision == "float64" else jnp.float32
        run = _compiled_runner(arrays, per_input, current, spikes, float(slope), float(tau_filter_ms),
                               bool(record_spikes), dtype, bool(fixed_mask), jit, bool(detach_reset),
                               float(dampening))
        inputs = jnp.asarray(data["values"] if current else data["spikes"], dtype)
        params = {key: jnp.asarray(value, dtype) for key, value in params.items()}
        return run(params, inputs)


def _compiled_runner(arrays, per_input, current, spikes, slope, tau_filter_ms, record_spikes, dtype, fixed_mask, jit,
                     detach_reset=True, dampening=DEFAULT_DAMPENING):
    n_e = arrays.n_excitatory
    dt = arrays.dt_ms
    constants = {
        "v_rest": jnp.asarray(arrays.v_rest_mV, dtype), "v_reset": jnp.asarray(arrays.v_reset_mV, dtype),
        "bias": jnp.asarray(arrays.bias_mV, dtype), "v0": jnp.asarray(arrays.initial_v_mV, dtype),
        "ref_steps": jnp.asarray(refractory_steps(arrays.t_ref_ms, dt)),
    }
    spike_fn = spike_function(spikes, slope, dampening)
    filter_decay = math.exp(-dt / tau_filter_ms)

    def simulate(params, inputs):
        w_mV, w_in_mV = _effective(arrays, params, dtype, fixed_mask)
        v_decay, k_e, decay_e = propagator(params["tau_m_ms"], arrays.tau_syn_e_ms, dt)
        _, k_i, decay_i = propagator(params["tau_m_ms"], arrays.tau_syn_i_ms, dt)
        leak = 1 - v_decay
        v_th = params["v_th_mV"]
        w_e, w_i = w_mV[:n_e], w_mV[n_e:]
        drive = constants["v_rest"] + constants["bias"]

        def dt_step(carry, step_input):
            v, j_e, j_i, last, trace, count, n = carry
            j_in, input_spikes = step_input
            not_refractory = (n - last) >= constants["ref_steps"]
            gate = not_refractory.astype(dtype)
            v = v + gate * ((drive + j_in - v) * leak + k_e * j_e + k_i * j_i)
            j_e = j_e * decay_e
            j_i = j_i * decay_i
            crossed = (v > v_th) & not_refractory
            s = spike_fn(v - v_th) * gate
            j_e = j_e + s[:n_e] @ w_e
            if not current:
                j_e = j_e + input_spikes @ w_in_mV
            j_i = j_i + s[n_e:] @ w_i
            r = jax.lax.stop_gradient(s) if detach_reset else s
            v = constants["v_reset"] * r + v * (1 - r)
            last = jnp.where(crossed, n, last)
            trace = trace * filter_decay + s
            return (v, j_e, j_i, last, trace, count + s, n + 1), (s if record_spikes else None)

        def input_step(carry, step):
            if current:
                j_in = step @ w_in_mV
                xs = (jnp.broadcast_to(j_in, (per_input,) + j_in.shape), jnp.zeros((per_input, 1), dtype))
            else:
                xs = (jnp.zeros((per_input, 1), dtype), step)
            carry = carry[:5] + (jnp.zeros_like(carry[5]),) + carry[6:]
            carry, recorded = jax.lax.scan(dt_step, carry, xs)
            return carry, (carry[4], carry[5], recorded)

        n = arrays.n_neurons
        index = jnp.asarray(0).dtype
        carry = (constants["v0"], jnp.zeros(n, dtype), jnp.zeros(n, dtype), jnp.full(n, -(2 ** 30), dtype=index),
                 jnp.zeros(n, dtype), jnp.zeros(n, dtype), jnp.asarray(0, dtype=index))
        _, (traces, counts, recorded) = jax.lax.scan(jax.checkpoint(input_step), carry, inputs)
        # the filtered state is read at the end of each stimulus step, one integration step after its last update
        out = {"counts": counts, "filtered": traces * filter_decay}
        if record_spikes:
            out["spikes"] = recorded.reshape((-1, n))
        return out

    return jax.jit(simulate) if jit else simulate
