"""The HRSNN as Brian2 objects (the only model module that imports Brian2).

Model (:ref:`science-network`), per recurrent neuron ``i`` (currents written as ``J = R * I``, in mV)::

    tau_m_i dv/dt = -(v - v_rest_i) + v_bias_i + J_e + J_i + J_in    (unless refractory)
    dJ_e/dt = -J_e / tau_syn_e        dJ_i/dt = -J_i / tau_syn_i
    v > v_th_i  ->  v = v_reset_i, refractory for t_ref_i

Synapses are current-based: a presynaptic spike adds ``w * psp_scale`` to
the postsynaptic ``J_e`` (excitatory and input synapses) or ``J_i``
(inhibitory synapses, negative ``w``); the currents decay with the shared
time constants ``tau_syn_e`` / ``tau_syn_i`` and keep flowing while the
neuron is refractory (as in Brian2's ``(unless refractory)`` semantics,
only ``v`` is clamped). ``v_bias_i`` is the background drive. With current
input, ``J_in_i = sum_d w_id * psp_scale * u_d(t)`` is a summed variable of
the input pathway, ``u_d(t)`` the standardised input values (a
``TimedArray``); with spike input, input spikes add to ``J_e``.

Trace STDP on E->E, E->I and (spike) input->recurrent, per synapse::

    dxpre/dt  = -xpre / taupre    (event-driven)   on pre:  xpre  += A_pre
    dxpost/dt = -xpost / taupost  (event-driven)   on post: xpost += A_post
    on pre:  w = clip(w - plasticity * etapre  * xpost * (w - w_min), w_min, w_max)
    on post: w = clip(w + plasticity * etapost * xpre  * (w_max - w), w_min, w_max)

Two exact formulations of the membrane equation (``neuron_update``):

``"propagator"`` (default, what every backend but GeNN runs)
    The linear system ``(v, J_e, J_i)`` is advanced by its exact one-step
    propagator with per-neuron constants computed once per run in numpy
    (:func:`propagator_coefficients`)::

        v   <- v + not_refractory * ((v_rest + v_bias + J_in - v) * (1 - v_decay)
                                     + k_e * J_e + k_i * J_i)
        J_e <- J_e * decay_e,   J_i <- J_i * decay_i

    with ``v_decay = exp(-dt / tau_m)``, ``decay_x = exp(-dt / tau_syn_x)``
    and ``k_x = tau_syn_x / (tau_syn_x - tau_m) * (decay_x - v_decay)``
    (its limit ``dt / tau_m * v_decay`` when the two time constants are
    equal), instead of Brian2's ``method="exact"`` update, which evaluates
    these exponentials for every neuron at every step. Same trajectories to
    rounding (tested against the ODE form).
``"ode"``
    The textbook Brian2 form, the equations above with ``method="exact"``:
    the reference, and what Brian2GeNN gets (its ``run_regularly`` support
    copies state to the host).

The traces are written with rates ``inv_taupre = 1 / taupre`` (a multiply
instead of a division in every event-driven decay); the STDP time constants
stay ``tau_pre_ms`` / ``tau_post_ms`` everywhere outside this module.

(Brian2 reserves the suffixes ``_pre`` / ``_post`` for pre- and postsynaptic
variables, hence ``xpre``, ``inv_taupre``, ``etapre`` for the model's x_pre,
1/tau_pre, eta_pre. No two names differ only by case, which would make standalone code
generation non-deterministic.)

The default parameters (background drive above threshold, fast excitatory
and slow, dominant inhibitory currents, current input to half of the
neurons, denser connectivity than the papers') were chosen by measurement;
the ablation that decided each is in the science page
(:ref:`science-choices`, ``bench/results/reservoir_ablation.json``).

``plasticity`` is a shared variable (1 while learning, 0 to pause learning
in a plastic build); a frozen run (``plastic=False``) builds static synapses
instead, which run at the speed of a network without STDP. Every
parameter that may change between runs is a state variable, not a literal.
"""
from __future__ import annotations

import logging
import contextlib
from dataclasses import dataclass, field

import numpy as np

import brian2 as b2
from brian2 import Hz, mV, ms

from hetnet.encoding import CurrentStimulus, RateStimulus
from hetnet.network.instance import PATHWAYS, NetworkInstance, check_stimulus


def _stop_brian_debug_log():
    """Stop Brian2's debug log file (``brian_debug_*.log`` in the temp folder).

    Brian2 opens it when it is imported, before ``prefs.logging.file_log``
    can be set, and writes every debug message to it: a few milliseconds of
    every standalone re-run (file locks log at debug level), and a file
    that grows over a long optimisation. Warnings still reach the console.
    """
    import logging
    import os

    from brian2.utils.logger import BrianLogger

    b2.prefs.logging.file_log = False
    # the file locks around run_args files log two debug records per file and run
    logging.getLogger("brian2.utils.filelock").setLevel(logging.INFO)
    handler = BrianLogger.file_handler
    if handler is not None:
        logging.getLogger("brian2").removeHandler(handler)
        handler.close()
        BrianLogger.file_handler = None
        for path in (BrianLogger.tmp_log, f"{BrianLogger.tmp_log}.1"):
            if path and os.path.exists(path):
                os.remove(path)
        BrianLogger.tmp_log = None


_stop_brian_debug_log()

__all__ = [
    "default_clock_dt", "isolated_names", "NEURON_EQUATIONS", "ODE_NEURON_EQUATIONS", "LEAK_UPDATE",
    "PROPAGATOR_THRESHOLD", "PROPAGATOR_RESET", "NEURON_UPDATES",
    "PLASTIC_SYNAPSE_EQUATIONS", "STATIC_SYNAPSE_EQUATIONS", "CURRENT_INPUT_SYNAPSE_EQUATIONS",
    "BrianNetwork", "build_brian_network", "propagator_coefficients",
]

logger = logging.getLogger(__name__)

_NEURON_PARAMETERS = """
J_in : volt
v_th : volt (constant)
v_rest : volt (constant)
v_reset : volt (constant)
v_bias : volt (constant)
t_ref : second (constant)
"""

#: "propagator" form: ``v``, ``J_e`` and ``J_i`` are advanced by :data:`LEAK_UPDATE` (one
#: ``run_regularly``) with per-neuron constants. Refractoriness is the propagator's own: ``excitable``
#: and ``last_spike`` play Brian2's ``not_refractory`` and ``lastspike`` (names Brian2 reserves), set by
#: :data:`PROPAGATOR_RESET` and tested by :data:`PROPAGATOR_THRESHOLD`, so that one loop over the neurons
#: does what Brian2's refractoriness update and the leak did in two (see :data:`LEAK_UPDATE`)
NEURON_EQUATIONS = """
v : volt
J_e : volt
J_i : volt
v_decay : 1 (constant)
k_e : 1 (constant)
k_i : 1 (constant)
decay_e : 1 (shared, constant)
decay_i : 1 (shared, constant)
last_spike : second
excitable : boolean
""" + _NEURON_PARAMETERS

#: the exact one-step solution of the membrane and current equations, ``v`` clamped while refractory.
#: Its first line is Brian2's own refractoriness test (``not_refractory = timestep(t - lastspike, dt) >=
#: timestep(t_ref, dt)``, the same expression on the same values), evaluated here instead of in a loop of
#: its own: on cpp_standalone the fused loop is also one GCC vectorises (a flag read back from memory kept
#: it scalar). Network loops of the benchmark network with plasticity frozen 1.18-1.27x faster than the
#: two loops (N = 500-5000, with the hint of hetnet.backends.standalone.vectorisable_leak_source;
#: bench/results/revisions.json), spikes and weights bitwise the same (docs/notes/issue-17.md, sixth session)
LEAK_UPDATE = """
excitable = timestep(t - last_spike, dt) >= timestep(t_ref, dt)
v = v + int(excitable) * ((v_rest + v_bias + J_in - v) * (1 - v_decay) + k_e * J_e + k_i * J_i)
J_e = J_e * decay_e
J_i = J_i * decay_i
"""
#: threshold and reset of the propagator form: what Brian2 adds for ``refractory="t_ref"``, on the form's own
#: variables (the thresholder of Brian2's mechanism sets them; the reset is the same step's end, and nothing
#: reads them in between)
PROPAGATOR_THRESHOLD = "v > v_th and excitable"
PROPAGATOR_RESET = """
v = v_reset
last_spike = t
excitable = False
"""
#: Brian2's initial ``lastspike`` (long ago: not refractory at the start)
_LONG_AGO_S = -1e4

#: "ode" form: the textbook Brian2 equations (integrated with ``method="exact"``)
ODE_NEURON_EQUATIONS = """
dv/dt = (v_rest + v_bias + J_in + J_e + J_i - v) / tau_m : volt (unless refractory)
dJ_e/dt = -J_e / tau_syn_e : volt
dJ_i/dt = -J_i / tau_syn_i : volt
tau_m : second (constant)
tau_syn_e : second (shared, constant)
tau_syn_i : second (shared, constant)
""" + _NEURON_PARAMETERS

NEURON_UPDATES = ("propagator", "ode")

STATIC_SYNAPSE_EQUATIONS = """
w : 1
psp_scale : volt (shared, constant)
"""

#: the input pathway of current input: each neuron's ``J_in`` sums its weighted input values
CURRENT_INPUT_SYNAPSE_EQUATIONS = STATIC_SYNAPSE_EQUATIONS + """
J_in_post = w * psp_scale * u_pre : volt (summed)
"""

PLASTIC_SYNAPSE_EQUATIONS = STATIC_SYNAPSE_EQUATIONS + """
inv_taupre : Hz (constant)
inv_taupost : Hz (constant)
etapre : 1 (constant)
etapost : 1 (constant)
plasticity : 1 (shared, constant)
dxpre/dt = -xpre * inv_taupre : 1 (event-driven)
dxpost/dt = -xpost * inv_taupost : 1 (event-driven)
"""

#: synaptic input: a spike adds to the postsynaptic current of its sign
_PSC = {"excitatory": "J_e_post += w * psp_scale", "inhibitory": "J_i_post += w * psp_scale"}
_ON_PRE_STDP = {
    "soft": "xpre += xpre_increment\nw = clip(w - plasticity * etapre * xpost * (w - w_min), w_min, w_max)",
    "hard": "xpre += xpre_increment\nw = clip(w - plasticity * etapre * xpost, w_min, w_max)",
}
_ON_POST_PLASTIC = {
    "soft": "xpost += xpost_increment\n"
    "w = clip(w + plasticity * etapost * xpre * (w_max - w), w_min, w_max)",
    "hard": "xpost += xpost_increment\nw = clip(w + plasticity * etapost * xpre, w_min, w_max)",
}


def propagator_coefficients(tau_m_ms, tau_syn_ms, dt_ms):
    """Exact one-step coefficients of ``tau_m dv/dt = -v + J``, ``dJ/dt = -J / tau_syn``.

    Over one step of ``dt_ms``: ``v <- v * v_decay + k * J`` and
    ``J <- J * decay``, with ``v_decay = exp(-dt / tau_m)``,
    ``decay = exp(-dt / tau_syn)`` and
    ``k = tau_syn / (tau_syn - tau_m) * (decay - v_decay)``, computed as
    ``dt / tau_m * v_decay * expm1(c) / c`` with ``c = dt / tau_m - dt / tau_syn``
    so that equal time constants (``k = dt / tau_m * v_decay``) are exact too.

    Parameters
    ----------
    tau_m_ms : array_like
        Membrane time constants (ms).
    tau_syn_ms : float
        Synaptic time constant (ms).
    dt_ms : float
        Integration step (ms).

    Returns
    -------
    v_decay, k : ndarray
    decay : float

    Examples
    --------
    >>> v_decay, k, decay = propagator_coefficients([20.0, 5.0], 5.0, 0.1)
    >>> bool(np.allclose(k, [5.0 / (5.0 - 20.0) * (decay - v_decay[0]), 0.1 / 5.0 * v_decay[1]]))
    True
    """
    tau_m = np.asarray(tau_m_ms, dtype=float)
    a = dt_ms / tau_m
    c = a - dt_ms / tau_syn_ms
    v_decay = np.exp(-a)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(np.abs(c) > 1e-8, np.expm1(c) / np.where(c == 0, 1.0, c), 1.0 + c / 2)
    return v_decay, a * v_decay * ratio, float(np.exp(-dt_ms / tau_syn_ms))


@contextlib.contextmanager
def isolated_names():
    """Inside the block, Brian2's automatic names see only the objects created inside it.

    Brian2 names an object whose name ends in ``*`` (subgroups, code objects,
    ``run_regularly`` operations) uniquely among *all* Brian2 objects alive in the
    process: while an earlier network is still referenced, a new build's
    ``recurrent_subgroup`` becomes ``recurrent_subgroup_1`` and its code objects
    ``..._codeobject_1``. Those names end up in the generated code, so the same
    network generated different code depending on what ran before in the process:
    a C++ standalone build under the same cache key recompiled, and a fresh
    process could not reuse a binary built in a busy one (measured: a pytest-xdist
    worker recompiled a build that the serial run reused). Hiding the earlier
    objects from the name search while a network is built and its code generated
    makes the names, and so the code, a function of the network alone. Explicitly
    named objects are not affected, and the earlier objects keep their names:
    they belong to other networks (and, for standalone, to a device that was
    re-initialised), where a repeated name does not clash.

    Examples
    --------
    >>> import brian2 as b2
    >>> kept = b2.Clock(dt=0.1 * b2.ms, name="step*")    # alive: it holds the name "step"
    >>> b2.Clock(dt=0.1 * b2.ms, name="step*").name
    'step_1'
    >>> with isolated_names():
    ...     b2.Clock(dt=0.1 * b2.ms, name="step*").name
    'step'
    """
    from brian2.core.names import Nameable

    tracked = Nameable.__instances__()      # a set of weak references, one per live named object
    hidden = set(tracked)
    tracked.difference_update(hidden)
    try:
        yield
    finally:
        set.update(tracked, (reference for reference in hidden if reference() is not None))


@contextlib.contextmanager
def default_clock_dt(dt_ms: float):
    """Set ``brian2.defaultclock.dt`` to ``dt_ms`` inside the block and put the caller's value back after.

    hetnet's objects run on Brian2's default clock (Brian2CUDA and Brian2GeNN
    accept no other, and one clock keeps standalone code generation
    deterministic); its step is read when a network runs or a standalone
    project is built, so those happen inside this block.
    """
    clock = b2.get_device().defaultclock
    before = clock.dt if clock is not None else None
    b2.defaultclock.dt = dt_ms * ms
    try:
        yield
    finally:
        if before is not None:
            b2.defaultclock.dt = before


@dataclass
class BrianNetwork:
    """Brian2 objects of one HRSNN and the variables a re-run may change.

    Attributes
    ----------
    network : brian2.Network
        Every object below; run it with :meth:`run` (which sets the
        integration step), or add your own objects first
        (``built.network.add(...)``).
    recurrent, input_group, synapses, recurrent_monitor, input_monitor :
        The groups, the synapses per pathway, the spike monitors.
    stimulus_array : brian2.TimedArray or None
        The input values or rates.
    state_monitor : brian2.StateMonitor or None
        Traces of ``state_variables`` (see :func:`build_brian_network`).
    dt_ms : float
        The integration step the network was built for.
    synapse_order : dict
        For each pathway stored in another order than the instance's
        (``order_by_target`` of :func:`build_brian_network`), the index
        array ``order``: Brian2's synapse ``k`` is the instance's synapse
        ``order[k]``.
    """

    network: b2.Network
    recurrent: b2.NeuronGroup
    input_group: object
    synapses: dict
    recurrent_monitor: b2.SpikeMonitor
    input_monitor: object
    stimulus_array: object
    state_monitor: object = None
    dt_ms: float = 0.1
    synapse_order: dict = field(default_factory=dict)

    def run(self, duration_ms: float, **options):
        """Run the network for ``duration_ms`` at its integration step, leaving ``defaultclock.dt`` as it was.

        ``options`` go to :meth:`brian2.Network.run` (``report=...``); the
        namespace is always empty (every name the equations use is the
        groups' own).
        """
        with default_clock_dt(self.dt_ms):
            self.network.run(duration_ms * ms, namespace={}, **options)

    def run_values(self, instance: NetworkInstance, stimulus, plastic: bool) -> dict:
        """``{variable_view: values}`` for every per-run quantity (standalone ``run_args``, Brian2 >= 2.6)."""
        return dict(self.run_value_pairs(instance, stimulus, plastic))

    def run_value_pairs(self, instance: NetworkInstance, stimulus, plastic: bool) -> list:
        """``[(variable_view, values), ...]`` for every per-run quantity.

        A list, not a dict: Brian2 < 2.6 (what Brian2GeNN needs) cannot hash
        a ``VariableView``.
        """
        recurrent = self.recurrent
        config = instance.config
        tau_e, tau_i = config.weights.tau_syn_e_ms, config.weights.tau_syn_i_ms
        if "v_decay" in recurrent.variables:  # the propagator form
            v_decay, k_e, decay_e = propagator_coefficients(instance.tau_m_ms, tau_e, config.dt_ms)
            _, k_i, decay_i = propagator_coefficients(instance.tau_m_ms, tau_i, config.dt_ms)
            dynamics = [(recurrent.v_decay, v_decay), (recurrent.k_e, k_e), (recurrent.k_i, k_i),
                        (recurrent.decay_e, decay_e), (recurrent.decay_i, decay_i)]
        else:
            dynamics = [(recurrent.tau_m, instance.tau_m_ms * ms), (recurrent.tau_syn_e, tau_e * ms),
                        (recurrent.tau_syn_i, tau_i * ms)]
        values = dynamics + [
            (recurrent.v_th, instance.v_th_mV * mV),
            (recurrent.v_rest, instance.v_rest_mV * mV),
            (recurrent.v_reset, instance.v_reset_mV * mV),
            (recurrent.v_bias, instance.bias_mV * mV),
            (recurrent.t_ref, instance.t_ref_ms * ms),
            (recurrent.v, instance.initial_v_mV * mV),
        ]
        for name, group in self.synapses.items():
            syn = instance.synapses[name]
            order = self.synapse_order.get(name)
            if order is not None:
                syn = syn.subset(order)  # Brian2's order
            values += [(group.w, syn.w), (group.psp_scale, syn.scale_mV * mV)]
            if "inv_taupre" in group.variables:
                values += [
                    (group.inv_taupre, 1.0 / (syn.tau_pre_ms * ms)),
                    (group.inv_taupost, 1.0 / (syn.tau_post_ms * ms)),
                    (group.etapre, syn.eta_pre),
                    (group.etapost, syn.eta_post),
                    (group.plasticity, 1.0 if plastic else 0.0),
                ]
        if self.stimulus_array is not None and isinstance(stimulus, RateStimulus):
            values.append((self.stimulus_array, stimulus.rates_hz * Hz))
        elif self.stimulus_array is not None and isinstance(stimulus, CurrentStimulus):
            values.append((self.stimulus_array, stimulus.values))
        return values

    def _in_instance_order(self, name: str, values: np.ndarray) -> np.ndarray:
        """Per-synapse ``values`` of pathway ``name`` read from Brian2, in the instance's order."""
        order = self.synapse_order.get(name)
        if order is None:
            return values
        ordered = np.empty_like(values)
        ordered[order] = values
        return ordered

    def apply(self, values):
        """Set the values directly (runtime mode); ``values`` from :meth:`run_value_pairs`."""
        for view, value in values:
            if isinstance(view, b2.TimedArray):
                continue  # built with its values already
            view[:] = value

    def output(self, *, membrane: bool = True, **extra) -> dict:
        """What every backend hands back from a finished run: the one raw output dictionary.

        ``spike_indices`` (int64) and ``spike_times_ms`` of the recurrent
        neurons, the final ``weights`` per pathway, ``final_v_mV`` (the
        membrane potentials after the run, unless ``membrane`` is false),
        ``input_spike_indices`` / ``input_spike_times_ms`` when input spikes
        were recorded, and the backend's ``extra`` entries (timings, build
        information). :func:`hetnet.network.simulate` makes the
        :class:`~hetnet.result.SimulationResult` of it.
        """
        output = {
            "spike_indices": np.asarray(self.recurrent_monitor.i[:], dtype=np.int64),
            "spike_times_ms": np.asarray(self.recurrent_monitor.t[:] / ms, dtype=np.float64),
            "weights": {name: self._in_instance_order(name, np.array(group.w[:], dtype=float))
                        for name, group in self.synapses.items()},
        }
        if membrane:
            output["final_v_mV"] = np.asarray(self.recurrent.v[:] / mV, dtype=float)
        if self.input_monitor is not None:
            output["input_spike_indices"] = np.asarray(self.input_monitor.i[:], dtype=np.int64)
            output["input_spike_times_ms"] = np.asarray(self.input_monitor.t[:] / ms)
        output.update(extra)
        return output


def build_brian_network(instance: NetworkInstance, stimulus, *, plastic: bool = True, record_input: bool = False,
                        neuron_update: str = "propagator", apply_values: bool = True, state_variables=(),
                        state_record=True, checked: bool = False, order_by_target=()) -> BrianNetwork:
    """Create the Brian2 groups, synapses and monitors for ``instance``, ready to run.

    Every per-neuron and per-synapse value of ``instance`` is set on the
    Brian2 objects (``apply_values``), so ``built.run(duration_ms)`` runs the
    network as :func:`hetnet.network.simulate` would on the runtime device.
    Brian2's ``defaultclock.dt`` is left as the caller had it:
    :meth:`BrianNetwork.run` sets the network's step for the run only (if
    you call ``built.network.run`` yourself, do it inside
    :func:`default_clock_dt`). Add monitors of your own with
    ``built.network.add(brian2.StateMonitor(built.recurrent, ...))``, or
    record state variables of the recurrent neurons with ``state_variables``.

    Parameters
    ----------
    instance : NetworkInstance
    stimulus : CurrentStimulus, RateStimulus or SpikeStimulus
        Must match ``instance.input_kind`` (current input for ``"current"``).
    plastic : bool
        STDP on, or frozen: a frozen network is built with static synapses
        only (no traces, no weight updates, no postsynaptic pathway), so
        it runs as fast as a network that never had STDP.
    record_input : bool
        Also record the input spikes.
    neuron_update : {"propagator", "ode"}
        How the membrane equation is advanced (see the module docstring):
        both are exact; ``"propagator"`` skips an ``exp`` per neuron and step.
    apply_values : bool
        Set the instance's values on the objects (runtime device). The
        standalone backends pass ``False`` and hand the values to the
        compiled program through ``run_args`` instead.
    state_variables : sequence of str
        Variables of the recurrent group to record every step (e.g.
        ``("v", "J_e", "J_i")``) in ``built.state_monitor``.
    state_record : bool or sequence of int
        Which neurons' state to record (``True``: all).
    order_by_target : sequence of str
        Pathways whose Brian2 synapses are stored in target order (by
        postsynaptic, then presynaptic neuron) instead of the instance's
        order: the postsynaptic STDP code then visits one neuron's synapses
        in one stretch of memory. ``built.synapse_order`` maps each to the
        instance's order; :meth:`BrianNetwork.run_value_pairs` and
        :meth:`BrianNetwork.output` translate, so values go in and weights
        come out in the instance's order. Where the spike queue adds a
        target's inputs in the order its sources spiked (Brian2's C++
        devices), the results do not change; the C++ standalone backend
        orders the plastic input pathway so (see
        :data:`hetnet.backends.standalone.TARGET_ORDERED_PATHWAYS`).
    checked : bool
        ``stimulus`` has passed :func:`hetnet.network.instance.check_stimulus`
        already: the backends pass ``True``, since :func:`hetnet.network.simulate`
        checks it once before choosing one.

    Examples
    --------
    >>> import numpy as np
    >>> from hetnet.config import HRSNNConfig
    >>> from hetnet.encoding import encode_series
    >>> from hetnet.network import generate_network
    >>> config = HRSNNConfig(n_neurons=20, seed=1)
    >>> stimulus = encode_series(np.sin(np.arange(5.0)), config.input)
    >>> network = generate_network(config, n_input=stimulus.n_channels)
    >>> built = build_brian_network(network, stimulus, plastic=False, state_variables=("v",), state_record=[0])
    >>> built.run(stimulus.duration_ms)
    >>> built.state_monitor.v.shape, bool(built.recurrent_monitor.num_spikes > 0)
    ((1, 1000), True)
    """
    if neuron_update not in NEURON_UPDATES:
        raise ValueError(f"neuron_update must be one of {NEURON_UPDATES}; got {neuron_update!r}")
    if not checked:
        check_stimulus(instance, stimulus)
    config = instance.config
    # One clock for everything (the default clock, whose step BrianNetwork.run sets): several clocks
    # sit in a set whose order changes between processes, which would make standalone code
    # generation non-deterministic, and Brian2CUDA and Brian2GeNN accept no other clock.
    propagator = neuron_update == "propagator"
    if propagator:  # refractoriness inside the leak update (LEAK_UPDATE); no state updater runs
        recurrent = b2.NeuronGroup(
            instance.n_neurons, NEURON_EQUATIONS, threshold=PROPAGATOR_THRESHOLD, reset=PROPAGATOR_RESET,
            name="recurrent", namespace={},
        )
        recurrent.last_spike = _LONG_AGO_S * b2.second
        recurrent.excitable = True
        recurrent.run_regularly(LEAK_UPDATE, when="groups", order=1, name="recurrent_leak")
    else:
        recurrent = b2.NeuronGroup(
            instance.n_neurons, ODE_NEURON_EQUATIONS, threshold="v > v_th", reset="v = v_reset",
            refractory="t_ref", method="exact", name="recurrent", namespace={},
        )
    current_input = isinstance(stimulus, CurrentStimulus)
    if current_input != (instance.input_kind == "current"):
        raise ValueError(
            f"a {type(stimulus).__name__} needs a network generated with input_kind = "
            f"{'current' if current_input else 'spikes'!r}; this one has input_kind = {instance.input_kind!r} "
            "(generate_network(..., input_kind=hetnet.network.input_kind_of(stimulus)))"
        )
    stimulus_array = None
    if current_input:
        stimulus_array = b2.TimedArray(stimulus.values, dt=stimulus.step_ms * ms, name="stimulus_values")
        input_group = b2.NeuronGroup(
            instance.n_input, "u = stimulus_values(t, i) : 1", name="input",
            namespace={"stimulus_values": stimulus_array},
        )
    elif isinstance(stimulus, RateStimulus):
        stimulus_array = b2.TimedArray(stimulus.rates_hz * Hz, dt=stimulus.step_ms * ms, name="stimulus_rates")
        input_group = b2.PoissonGroup(
            instance.n_input, rates="stimulus_rates(t, i)", name="input",
            namespace={"stimulus_rates": stimulus_array},
        )
    else:
        input_group = b2.SpikeGeneratorGroup(
            instance.n_input, stimulus.indices, _round_to_grid(stimulus.times_ms, config.dt_ms) * ms,
            name="input", sorted=True,
        )

    populations = {
        "input": input_group,
        "recurrent": recurrent,
        "excitatory": recurrent[: instance.n_excitatory],
    }
    if instance.n_inhibitory:
        populations["inhibitory"] = recurrent[instance.n_excitatory:]
    namespace = {
        "w_min": config.weights.w_min,
        "w_max": config.weights.w_max,
        "xpre_increment": config.stdp.trace_increment_pre,
        "xpost_increment": config.stdp.trace_increment_post,
    }
    bounds = config.stdp.bounds
    unknown = sorted(set(order_by_target) - set(PATHWAYS))
    if unknown:
        raise ValueError(f"order_by_target names unknown pathways {unknown}; pathways: {sorted(PATHWAYS)}")
    synapses, synapse_order = {}, {}
    for name, (pre_population, post_population) in PATHWAYS.items():
        syn = instance.synapses[name]
        if pre_population not in populations or post_population not in populations or syn.n_synapses == 0:
            continue  # no inhibitory neurons, or no synapse drawn
        if name in order_by_target:
            synapse_order[name] = np.lexsort((syn.pre, syn.post))
        psc = _PSC["inhibitory" if pre_population == "inhibitory" else "excitatory"]
        if name == "input" and current_input:
            group = b2.Synapses(
                populations[pre_population], populations[post_population], CURRENT_INPUT_SYNAPSE_EQUATIONS,
                name=f"synapses_{name}", namespace={"stimulus_values": stimulus_array},  # u_pre reads it
            )
        elif syn.plastic and plastic:
            group = b2.Synapses(
                populations[pre_population], populations[post_population], PLASTIC_SYNAPSE_EQUATIONS,
                on_pre=psc + "\n" + _ON_PRE_STDP[bounds], on_post=_ON_POST_PLASTIC[bounds], method="exact",
                name=f"synapses_{name}", namespace=dict(namespace),
            )
        else:
            group = b2.Synapses(
                populations[pre_population], populations[post_population], STATIC_SYNAPSE_EQUATIONS,
                on_pre=psc, name=f"synapses_{name}", namespace={},
            )
        order = synapse_order.get(name)
        group.connect(i=syn.pre if order is None else syn.pre[order], j=syn.post if order is None else syn.post[order])
        synapses[name] = group

    recurrent_monitor = b2.SpikeMonitor(recurrent, record=True, name="recurrent_spikes")
    input_monitor = (b2.SpikeMonitor(input_group, record=True, name="input_spikes")
                     if record_input and not current_input else None)
    state_monitor = (b2.StateMonitor(recurrent, list(state_variables), record=state_record, name="recurrent_state")
                     if state_variables else None)
    objects = [recurrent, input_group, recurrent_monitor, *synapses.values()]
    objects += [monitor for monitor in (input_monitor, state_monitor) if monitor is not None]
    network = b2.Network(*objects, name="hrsnn")
    built = BrianNetwork(network, recurrent, input_group, synapses, recurrent_monitor, input_monitor, stimulus_array,
                         state_monitor, float(config.dt_ms), synapse_order)
    if apply_values:
        built.apply(built.run_value_pairs(instance, stimulus, plastic))
    return built


def _round_to_grid(times_ms, dt_ms):
    """Spike times on the simulation grid (Brian2 rejects two spikes of one neuron in one step)."""
    return np.round(np.asarray(times_ms) / dt_ms) * dt_ms
