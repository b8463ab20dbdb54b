"""Current-based synapses, background drive and current input against analytic solutions."""
import dataclasses

import numpy as np
import pytest

from hetnet.config import HRSNNConfig
from hetnet.encoding import CurrentStimulus, SpikeStimulus, encode_series
from hetnet.network import SynapseArrays, generate_network, input_kind_of, simulate
from hetnet.network.brian import propagator_coefficients

TAU_M, TAU_E, TAU_I = 10.0, 4.0, 7.0
EMPTY = SynapseArrays(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0), 1.0)


def _one_neuron(input_kind, *, bias_mV=0.0, w=1.0, scale_mV=5.0):
    """One excitatory neuron, one input channel onto it, no recurrent synapse, threshold out of reach."""
    config = HRSNNConfig(
        n_neurons=1, excitatory_fraction=1.0, variant="HoNHoS", dt_ms=0.1,
        excitatory={"tau_m_ms": TAU_M, "v_th_mV": 0.0, "bias_mV": bias_mV},
        weights={"tau_syn_e_ms": TAU_E, "tau_syn_i_ms": TAU_I},
    )
    network = generate_network(config, n_input=1, input_kind=input_kind)
    synapses = {name: EMPTY for name in ("ee", "ei", "ie", "ii")}
    synapses["input"] = SynapseArrays(np.array([0], np.int32), np.array([0], np.int32), np.array([w]), scale_mV)
    return dataclasses.replace(network, synapses=synapses, initial_v_mV=np.array([-65.0]))


def _trace(network, stimulus, neuron_update="propagator"):
    import brian2 as b2
    from hetnet.network.brian import build_brian_network

    b2.set_device("runtime")
    b2.prefs.codegen.target = "numpy"
    b2.start_scope()
    built = build_brian_network(network, stimulus, plastic=False, neuron_update=neuron_update, state_variables=("v",))
    built.run(stimulus.duration_ms)
    monitor = built.state_monitor
    return np.asarray(monitor.t / b2.ms), np.asarray(monitor.v[0] / b2.mV)


@pytest.mark.parametrize("neuron_update", ["propagator", "ode"])
def test_postsynaptic_potential_of_a_current_synapse_is_the_difference_of_exponentials(neuron_update):
    network = _one_neuron("spikes", w=0.5, scale_mV=8.0)
    stimulus = SpikeStimulus([0], [5.0], n_channels=1, duration_ms=60.0, step_ms=10.0)
    t, v = _trace(network, stimulus, neuron_update)
    arrival = 5.0 + 0.1  # applied at the end of the spike's time step, after the state update
    s = np.clip(t - arrival, 0.0, None)
    jump = 0.5 * 8.0
    analytic = -65.0 + np.where(t >= arrival - 1e-9,
                                jump * TAU_E / (TAU_E - TAU_M) * (np.exp(-s / TAU_E) - np.exp(-s / TAU_M)), 0.0)
    assert np.max(np.abs(v - analytic)) < 1e-9
    assert 0.5 < v.max() + 65.0 < jump  # the PSP is a fraction of the current jump


@pytest.mark.parametrize("neuron_update", ["propagator", "ode"])
def test_current_input_and_background_drive_charge_the_membrane_exponentially(neuron_update):
    network = _one_neuron("current", bias_mV=3.0, w=-0.5, scale_mV=6.0)
    stimulus = CurrentStimulus(np.array([[0.0], [2.0], [2.0], [0.0]]), step_ms=10.0)
    t, v = _trace(network, stimulus, neuron_update)
    # J_in = w * scale * u = -6 mV during [10, 30) ms; bias 3 mV throughout. Brian2's TimedArray
    # switches at the step boundary, the state update of step k uses the value at t_k.
    drive = 3.0 + np.where((t >= 10.0 - 1e-9) & (t < 30.0 - 1e-9), -6.0, 0.0)
    expected = np.empty_like(v)
    value = -65.0
    decay = np.exp(-0.1 / TAU_M)
    for k, d in enumerate(drive):
        expected[k] = value
        value = -65.0 + d + (value + 65.0 - d) * decay
    assert np.max(np.abs(v - expected)) < 1e-9
    assert v[int(9.9 / 0.1)] == pytest.approx(-65.0 + 3.0 * (1 - np.exp(-9.9 / TAU_M)), abs=1e-9)


def test_propagator_coefficients_handle_equal_time_constants():
    v_decay, k, decay = propagator_coefficients(np.array([5.0, 5.0 + 1e-10, 20.0]), 5.0, 0.1)
    assert k[0] == pytest.approx(0.1 / 5.0 * np.exp(-0.02), rel=1e-12)
    assert k[1] == pytest.approx(k[0], rel=1e-8)
    assert k[2] == pytest.approx(5.0 / (5.0 - 20.0) * (np.exp(-0.1 / 5.0) - np.exp(-0.1 / 20.0)), rel=1e-12)
    assert decay == pytest.approx(np.exp(-0.02)) and v_decay[2] == pytest.approx(np.exp(-0.005))


def test_current_input_pathway_is_static_signed_and_uniform():
    config = HRSNNConfig(n_neurons=2000, seed=1, connectivity={"p_in": 0.5}, input={"current_scale_mV": 7.0})
    network = generate_network(config, n_input=3)
    syn = network.synapses["input"]
    assert network.input_kind == "current" and not syn.plastic and syn.scale_mV == 7.0
    assert abs(syn.n_synapses / 6000 - 0.5) < 4 * np.sqrt(0.25 / 6000)
    # U(-1, 1): mean 0, variance 1/3, within 4 standard errors
    assert abs(syn.w.mean()) < 4 * np.sqrt(1 / 3 / syn.n_synapses)
    assert abs(syn.w.var() - 1 / 3) < 4 * np.sqrt((1 / 5 - 1 / 9) / syn.n_synapses)
    spikes = generate_network(config, n_input=3, input_kind="spikes").synapses["input"]
    assert spikes.plastic and np.all(spikes.w > 0)


def test_stimulus_and_input_kind_must_match():
    config = HRSNNConfig(n_neurons=20, seed=1)
    stimulus = encode_series(np.sin(np.arange(30.0)), config.input)
    assert isinstance(stimulus, CurrentStimulus) and input_kind_of(stimulus) == "current"
    spiking = generate_network(config, n_input=1, input_kind="spikes")
    with pytest.raises(ValueError, match="input_kind"):
        simulate(spiking, stimulus)


def test_current_input_modulates_the_rate_and_runs_identically_on_standalone_and_runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("HETNET_CACHE", str(tmp_path))
    config = HRSNNConfig(n_neurons=80, seed=2, connectivity={"p_in": 1.0}, input={"current_scale_mV": 10.0},
                         excitatory={"bias_mV": 14.0}, inhibitory={"bias_mV": 14.0})
    u = np.repeat([[1.0], [-1.0]], 10, axis=0)
    network = generate_network(config, n_input=1)
    runtime = simulate(network, CurrentStimulus(np.tile(u, (3, 1)), 10.0), plastic=False)
    counts = runtime.spike_counts()
    assert runtime.spike_indices.size > 100
    # neurons with a positive input weight fire more while u = +1 than while u = -1
    w = np.zeros(80)
    syn = network.synapses["input"]
    w[syn.post] = syn.w
    plus, minus = counts[np.tile(u[:, 0], 3) > 0].sum(0), counts[np.tile(u[:, 0], 3) < 0].sum(0)
    assert (plus - minus)[w > 0.5].mean() > 0 > (plus - minus)[w < -0.5].mean()
    standalone = simulate(network, CurrentStimulus(np.tile(u, (3, 1)), 10.0), plastic=False, backend="cpp_standalone")
    np.testing.assert_array_equal(standalone.spike_indices, runtime.spike_indices)
    np.testing.assert_allclose(standalone.spike_times_ms, runtime.spike_times_ms, atol=1e-9)


def test_built_network_is_ready_to_run_and_leaves_the_default_clock_alone():
    import brian2 as b2
    from hetnet.network.brian import build_brian_network

    b2.set_device("runtime")
    b2.start_scope()
    b2.defaultclock.dt = 0.25 * b2.ms                       # the caller's own step
    config = HRSNNConfig(n_neurons=40, seed=3, dt_ms=0.1)
    stimulus = encode_series(np.sin(np.arange(10.0)), config.input)
    network = generate_network(config, n_input=stimulus.n_channels)
    built = build_brian_network(network, stimulus, plastic=False, state_variables=("v", "J_i"), state_record=[0, 1])
    assert b2.defaultclock.dt == 0.25 * b2.ms               # building changes nothing global
    np.testing.assert_allclose(built.recurrent.v_th[:] / b2.mV, network.v_th_mV)   # values already set
    # a monitor of the user's own, added before the run
    own = b2.SpikeMonitor(built.recurrent[:5], name="own_spikes")
    built.network.add(own)
    built.run(stimulus.duration_ms)
    assert b2.defaultclock.dt == 0.25 * b2.ms               # running restores it too
    assert built.state_monitor.v.shape == (2, int(round(stimulus.duration_ms / 0.1)))
    assert np.all(built.state_monitor.J_i[:] <= 0)
    result = simulate(network, stimulus, plastic=False)     # the same network through simulate
    np.testing.assert_array_equal(np.asarray(built.recurrent_monitor.i[:]), result.spike_indices)
    assert own.num_spikes == int(np.count_nonzero(result.spike_indices < 5))
    b2.defaultclock.dt = 0.1 * b2.ms
