"""The HRSNN as Brian2 objects (the only model module that imports Brian2).

Model (:ref:`science-network`), per recurrent neuron ``i``::

    tau_m_i dv/dt = -(v - v_rest_i)            (unless refractory)
    v > v_th_i  ->  v = v_reset_i, refractory for t_ref_i

Synaptic input is a current pulse (delta synapse): a presynaptic spike moves
``v_post`` by ``w * psp_scale`` (``R * I_syn`` integrated over the pulse),
positive for excitatory and input synapses, negative for inhibitory ones.
As in Brian2's ``(unless refractory)`` semantics, ``v`` is clamped while the
neuron is refractory: neither the leak nor synaptic input moves it.
Trace STDP on E->E, E->I and input->recurrent, per synapse::

    dxpre/dt  = -xpre / taupre    (event-driven)   on pre:  xpre  += A_pre
    dxpost/dt = -xpost / taupost  (event-driven)   on post: xpost += A_post
    on pre:  w = clip(w - plasticity * etapre  * xpost * (w - w_min), w_min, w_max)
    on post: w = clip(w + plasticity * etapost * xpre  * (w_max - w), w_min, w_max)

Two exact formulations of the membrane equation (``neuron_update``):

``"propagator"`` (default, what every backend but GeNN runs)
    The leak is advanced by its exact one-step propagator,
    ``v <- v_rest + (v - v_rest) * v_decay`` with the per-neuron constant
    ``v_decay = exp(-dt / tau_m)`` computed once per run in numpy, instead
    of Brian2's ``method="exact"`` update, which evaluates ``exp(-dt/tau_m)``
    for every neuron at every step. The clamp during refractoriness is
    written out (``int(not_refractory)``). Same trajectories to rounding
    (tested against the ODE form); about 2.5x faster per simulated second
    at 5000 neurons (``bench/bench_backends.py``).
``"ode"``
    The textbook Brian2 form, ``dv/dt = (v_rest - v) / tau_m : volt
    (unless refractory)`` with ``method="exact"``: the reference, and what
    Brian2GeNN gets (its ``run_regularly`` support copies state to the host).

The traces are written with rates ``inv_taupre = 1 / taupre`` (a multiply
instead of a division in every event-driven decay); the STDP time constants
stay ``tau_pre_ms`` / ``tau_post_ms`` everywhere outside this module.

(Brian2 reserves the suffixes ``_pre`` / ``_post`` for pre- and postsynaptic
variables, hence ``xpre``, ``inv_taupre``, ``etapre`` for the model's x_pre,
1/tau_pre, eta_pre. No two names differ only by case, which would make standalone code
generation non-deterministic.)

``plasticity`` is a shared variable (1 while learning, 0 to pause learning
in a plastic build); a frozen run (``plastic=False``) builds static synapses
instead, which run at the speed of a network without STDP. Every
parameter that may change between runs is a state variable, not a literal.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

import brian2 as b2
from brian2 import Hz, mV, ms

from hetnet.encoding import RateStimulus, SpikeStimulus
from hetnet.network.instance import PATHWAYS, NetworkInstance


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
    "NEURON_EQUATIONS", "ODE_NEURON_EQUATIONS", "LEAK_UPDATE", "NEURON_UPDATES",
    "PLASTIC_SYNAPSE_EQUATIONS", "STATIC_SYNAPSE_EQUATIONS", "BrianNetwork", "build_brian_network",
]

logger = logging.getLogger(__name__)

_NEURON_PARAMETERS = """
v_th : volt (constant)
v_rest : volt (constant)
v_reset : volt (constant)
t_ref : second (constant)
"""

#: "propagator" form: ``v`` is advanced by :data:`LEAK_UPDATE` (a ``run_regularly`` after
#: Brian2's refractoriness update), with ``v_decay = exp(-dt / tau_m)`` per neuron
NEURON_EQUATIONS = """
v : volt
v_decay : 1 (constant)
""" + _NEURON_PARAMETERS

#: the exact one-step solution of ``tau_m dv/dt = v_rest - v``, clamped while refractory
LEAK_UPDATE = "v = v_rest + (v - v_rest) * (1 + int(not_refractory) * (v_decay - 1))"

#: "ode" form: the textbook Brian2 equation (integrated with ``method="exact"``)
ODE_NEURON_EQUATIONS = """
dv/dt = (v_rest - v) / tau_m : volt (unless refractory)
tau_m : second (constant)
""" + _NEURON_PARAMETERS

NEURON_UPDATES = ("propagator", "ode")

STATIC_SYNAPSE_EQUATIONS = """
w : 1
psp_scale : volt (shared, constant)
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

#: synaptic input; the propagator form gates it by hand as ``(unless refractory)`` does for the ODE
_PSP = {"propagator": "v_post += int(not_refractory_post) * w * psp_scale", "ode": "v_post += w * psp_scale"}
_ON_PRE_STDP = {
    "soft": "xpre += xpre_increment\nw = clip(w - plasticity * etapre * xpost * (w - w_min), w_min, w_max)",
    "hard": "xpre += xpre_increment\nw = clip(w - plasticity * etapre * xpost, w_min, w_max)",
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
        """``{variable_view: values}`` for every per-run quantity (standalone ``run_args``, Brian2 >= 2.6)."""
        return dict(self.run_value_pairs(instance, stimulus, plastic))

    def run_value_pairs(self, instance: NetworkInstance, stimulus, plastic: bool) -> list:
        """``[(variable_view, values), ...]`` for every per-run quantity.

        A list, not a dict: Brian2 < 2.6 (what Brian2GeNN needs) cannot hash
        a ``VariableView``.
        """
        recurrent = self.recurrent
        if "v_decay" in recurrent.variables:  # the propagator form
            leak = (recurrent.v_decay, np.exp(-instance.config.dt_ms / np.asarray(instance.tau_m_ms, dtype=float)))
        else:
            leak = (recurrent.tau_m, instance.tau_m_ms * ms)
        values = [
            leak,
            (recurrent.v_th, instance.v_th_mV * mV),
            (recurrent.v_rest, instance.v_rest_mV * mV),
            (recurrent.v_reset, instance.v_reset_mV * mV),
            (recurrent.t_ref, instance.t_ref_ms * ms),
            (recurrent.v, instance.initial_v_mV * mV),
        ]
        for name, group in self.synapses.items():
            syn = instance.synapses[name]
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
        return values

    def apply(self, values):
        """Set the values directly (runtime mode); ``values`` from :meth:`run_value_pairs`."""
        for view, value in values:
            if isinstance(view, b2.TimedArray):
                continue  # built with its values already
            view[:] = value


def build_brian_network(instance: NetworkInstance, stimulus, *, plastic: bool = True, record_input: bool = False,
                        neuron_update: str = "propagator") -> BrianNetwork:
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
    neuron_update : {"propagator", "ode"}
        How the membrane equation is advanced (see the module docstring):
        both are exact; ``"propagator"`` skips an ``exp`` per neuron and step.
    """
    if neuron_update not in NEURON_UPDATES:
        raise ValueError(f"neuron_update must be one of {NEURON_UPDATES}; got {neuron_update!r}")
    config = instance.config
    # One clock for everything (the default clock): several clocks sit in a set whose order
    # changes between processes, which would make standalone code generation non-deterministic.
    b2.defaultclock.dt = config.dt_ms * ms
    propagator = neuron_update == "propagator"
    recurrent = b2.NeuronGroup(
        instance.n_neurons, NEURON_EQUATIONS if propagator else ODE_NEURON_EQUATIONS, threshold="v > v_th",
        reset="v = v_reset", refractory="t_ref", method="exact", name="recurrent", namespace={},
    )
    if propagator:  # after Brian2's state updater (order 0), which sets not_refractory for this step
        recurrent.run_regularly(LEAK_UPDATE, when="groups", order=1, name="recurrent_leak")
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
                on_pre=_PSP[neuron_update] + "\n" + _ON_PRE_STDP[bounds], on_post=_ON_POST_PLASTIC[bounds], method="exact",
                name=f"synapses_{name}", namespace=dict(namespace),
            )
        else:
            group = b2.Synapses(
                populations[pre_population], populations[post_population], STATIC_SYNAPSE_EQUATIONS,
                on_pre=_PSP[neuron_update], name=f"synapses_{name}", namespace={},
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
