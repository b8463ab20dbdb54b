"""The HRSNN as Brian2 objects (the only model module that imports Brian2).

Model (SPEC section 1), per recurrent neuron ``i``::

    tau_m_i dv/dt = -(v - v_rest_i)            (unless refractory)
    v > v_th_i  ->  v = v_reset_i, refractory for t_ref_i

Synaptic input is a current pulse (delta synapse): a presynaptic spike moves
``v_post`` by ``w * psp_scale`` (``R * I_syn`` integrated over the pulse),
positive for excitatory and input synapses, negative for inhibitory ones.
Trace STDP on E->E, E->I and input->recurrent, per synapse::

    dxpre/dt  = -xpre / taupre    (event-driven)   on pre:  xpre  += A_pre
    dxpost/dt = -xpost / taupost  (event-driven)   on post: xpost += A_post
    on pre:  w = clip(w - plasticity * etapre  * xpost * (w - w_min), w_min, w_max)
    on post: w = clip(w + plasticity * etapost * xpre  * (w_max - w), w_min, w_max)

(Brian2 reserves the suffixes ``_pre`` / ``_post`` for pre- and postsynaptic
variables, hence ``xpre``, ``taupre``, ``etapre`` for SPEC's x_pre, tau_pre,
eta_pre. No two names differ only by case, which would make standalone code
generation non-deterministic.)

``plasticity`` is a shared variable (1 while learning, 0 to pause learning
in a plastic build); a frozen run (``plastic=False``) builds static synapses
instead, which run at the speed of a network without STDP. Every
parameter that may change between runs is a state variable, not a literal.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import brian2 as b2
from brian2 import Hz, mV, ms

from hetnet.encoding import RateStimulus, SpikeStimulus
from hetnet.network.instance import PATHWAYS, NetworkInstance

b2.prefs.logging.file_log = False  # no brian_debug_*.log files in the temp folder

__all__ = ["NEURON_EQUATIONS", "PLASTIC_SYNAPSE_EQUATIONS", "STATIC_SYNAPSE_EQUATIONS", "BrianNetwork", "build_brian_network"]

NEURON_EQUATIONS = """
dv/dt = (v_rest - v) / tau_m : volt (unless refractory)
tau_m : second (constant)
v_th : volt (constant)
v_rest : volt (constant)
v_reset : volt (constant)
t_ref : second (constant)
"""

STATIC_SYNAPSE_EQUATIONS = """
w : 1
psp_scale : volt (shared, constant)
"""

PLASTIC_SYNAPSE_EQUATIONS = STATIC_SYNAPSE_EQUATIONS + """
taupre : second (constant)
taupost : second (constant)
etapre : 1 (constant)
etapost : 1 (constant)
plasticity : 1 (shared, constant)
dxpre/dt = -xpre / taupre : 1 (event-driven)
dxpost/dt = -xpost / taupost : 1 (event-driven)
"""

_ON_PRE_STATIC = "v_post += w * psp_scale"
_ON_PRE_PLASTIC = {
    "soft": "v_post += w * psp_scale\nxpre += xpre_increment\n"
    "w = clip(w - plasticity * etapre * xpost * (w - w_min), w_min, w_max)",
    "hard": "v_post += w * psp_scale\nxpre += xpre_increment\n"
    "w = clip(w - plasticity * etapre * xpost, w_min, w_max)",
}
_ON_POST_PLASTIC = {
    "soft": "xpost += xpost_increment\n"
    "w = clip(w + plasticity * etapost * xpre * (w_max - w), w_min, w_max)",
    "hard": "xpost += xpost_increment\nw = clip(w + plasticity * etapost * xpre, w_min, w_max)",
}


@dataclass
class BrianNetwork:
    """Brian2 objects of one HRSNN and the variables a re-run may change."""

    network: b2.Network
    recurrent: b2.NeuronGroup
    input_group: object
    synapses: dict
    recurrent_monitor: b2.SpikeMonitor
    input_monitor: object
    stimulus_array: object

    def run_values(self, instance: NetworkInstance, stimulus, plastic: bool) -> dict:
        """``{variable_view: values}`` for every per-run quantity (standalone ``run_args``)."""
        values = {
            self.recurrent.tau_m: instance.tau_m_ms * ms,
            self.recurrent.v_th: instance.v_th_mV * mV,
            self.recurrent.v_rest: instance.v_rest_mV * mV,
            self.recurrent.v_reset: instance.v_reset_mV * mV,
            self.recurrent.t_ref: instance.t_ref_ms * ms,
            self.recurrent.v: instance.initial_v_mV * mV,
        }
        for name, group in self.synapses.items():
            syn = instance.synapses[name]
            values[group.w] = syn.w
            values[group.psp_scale] = syn.scale_mV * mV
            if "taupre" in group.variables:
                values[group.taupre] = syn.tau_pre_ms * ms
                values[group.taupost] = syn.tau_post_ms * ms
                values[group.etapre] = syn.eta_pre
                values[group.etapost] = syn.eta_post
                values[group.plasticity] = 1.0 if plastic else 0.0
        if self.stimulus_array is not None and isinstance(stimulus, RateStimulus):
            values[self.stimulus_array] = stimulus.rates_hz * Hz
        return values

    def apply(self, values: dict):
        """Set the values directly (runtime mode)."""
        for view, value in values.items():
            if isinstance(view, b2.TimedArray):
                continue  # built with its values already
            view[:] = value


def build_brian_network(instance: NetworkInstance, stimulus, *, plastic: bool = True, record_input: bool = False) -> BrianNetwork:
    """Create the Brian2 groups, synapses and monitors for ``instance``.

    Parameters
    ----------
    instance : NetworkInstance
    stimulus : RateStimulus or SpikeStimulus
    plastic : bool
        STDP on, or frozen: a frozen network is built with static synapses
        only (no traces, no weight updates, no postsynaptic pathway), so
        it runs as fast as a network that never had STDP.
    record_input : bool
        Also record the input spikes.
    """
    config = instance.config
    # One clock for everything (the default clock): several clocks sit in a set whose order
    # changes between processes, which would make standalone code generation non-deterministic.
    b2.defaultclock.dt = config.dt_ms * ms
    recurrent = b2.NeuronGroup(
        instance.n_neurons, NEURON_EQUATIONS, threshold="v > v_th", reset="v = v_reset",
        refractory="t_ref", method="exact", name="recurrent", namespace={},
    )
    stimulus_array = None
    if isinstance(stimulus, RateStimulus):
        if stimulus.n_channels != instance.n_input:
            raise ValueError(f"stimulus has {stimulus.n_channels} channels; the network has n_input = {instance.n_input}")
        stimulus_array = b2.TimedArray(stimulus.rates_hz * Hz, dt=stimulus.step_ms * ms, name="stimulus_rates")
        input_group = b2.PoissonGroup(
            instance.n_input, rates="stimulus_rates(t, i)", name="input",
            namespace={"stimulus_rates": stimulus_array},
        )
    elif isinstance(stimulus, SpikeStimulus):
        if stimulus.n_channels != instance.n_input:
            raise ValueError(f"stimulus has {stimulus.n_channels} channels; the network has n_input = {instance.n_input}")
        input_group = b2.SpikeGeneratorGroup(
            instance.n_input, stimulus.indices, _round_to_grid(stimulus.times_ms, config.dt_ms) * ms,
            name="input", sorted=True,
        )
    else:
        raise TypeError(f"stimulus must be a RateStimulus or SpikeStimulus; got {type(stimulus).__name__}")

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
    synapses = {}
    for name, (pre_population, post_population) in PATHWAYS.items():
        syn = instance.synapses[name]
        if pre_population not in populations or post_population not in populations or syn.n_synapses == 0:
            continue  # no inhibitory neurons, or no synapse drawn
        if syn.plastic and plastic:
            group = b2.Synapses(
                populations[pre_population], populations[post_population], PLASTIC_SYNAPSE_EQUATIONS,
                on_pre=_ON_PRE_PLASTIC[bounds], on_post=_ON_POST_PLASTIC[bounds], method="exact",
                name=f"synapses_{name}", namespace=dict(namespace),
            )
        else:
            group = b2.Synapses(
                populations[pre_population], populations[post_population], STATIC_SYNAPSE_EQUATIONS,
                on_pre=_ON_PRE_STATIC, name=f"synapses_{name}", namespace={},
            )
        group.connect(i=syn.pre, j=syn.post)
        synapses[name] = group

    recurrent_monitor = b2.SpikeMonitor(recurrent, record=True, name="recurrent_spikes")
    input_monitor = b2.SpikeMonitor(input_group, record=True, name="input_spikes") if record_input else None
    objects = [recurrent, input_group, recurrent_monitor, *synapses.values()]
    if input_monitor is not None:
        objects.append(input_monitor)
    network = b2.Network(*objects, name="hrsnn")
    return BrianNetwork(network, recurrent, input_group, synapses, recurrent_monitor, input_monitor, stimulus_array)


def _round_to_grid(times_ms, dt_ms):
    """Spike times on the simulation grid (Brian2 rejects two spikes of one neuron in one step)."""
    return np.round(np.asarray(times_ms) / dt_ms) * dt_ms
