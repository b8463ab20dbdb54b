"""The HRSNN model against analytic results (runtime, numpy target)."""
import dataclasses

import numpy as np
import pytest

from hetnet.config import HRSNNConfig
from hetnet.encoding import RateStimulus, SpikeStimulus
from hetnet.network import SynapseArrays, generate_network, simulate
from hetnet.network.connectivity import connection_probability, distance_connections, grid_positions


def _two_neuron_network(eta_pre=0.05, eta_post=0.1, tau_pre_ms=15.0, tau_post_ms=25.0, w=0.5):
    """Input channel k drives recurrent neuron k hard; one E->E synapse 0 -> 1 under test."""
    config = HRSNNConfig(
        n_neurons=2, excitatory_fraction=1.0, variant="HoNHoS", dt_ms=0.1,
        excitatory={"tau_m_ms": 10.0, "v_th_mV": -50.0, "t_ref_ms": 20.0, "bias_mV": 0.0},  # 20 ms: the input current has decayed
        stdp={"tau_pre_ms": tau_pre_ms, "tau_post_ms": tau_post_ms, "eta_pre": eta_pre, "eta_post": eta_post},
        weights={"initial": 0.5, "input_scale_mV": 150.0, "excitatory_scale_mV": 0.1},
    )
    network = generate_network(config, n_input=2, input_kind="spikes")

    def plastic(pre, post, weight, scale):
        n = len(pre)
        return SynapseArrays(np.array(pre, np.int32), np.array(post, np.int32), np.full(n, weight), scale,
                             np.full(n, tau_pre_ms), np.full(n, tau_post_ms), np.full(n, eta_pre), np.full(n, eta_post))

    empty = SynapseArrays(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0), 1.0)
    synapses = {
        "input": plastic([0, 1], [0, 1], 1.0, 150.0),
        "ee": plastic([0], [1], w, 0.1),
        "ei": dataclasses.replace(plastic([], [], 0.0, 0.1)),
        "ie": empty,
        "ii": empty,
    }
    return dataclasses.replace(network, synapses=synapses, initial_v_mV=np.full(2, -65.0))


def _spike_time(result, neuron):
    times = result.spike_times_ms[result.spike_indices == neuron]
    assert times.size == 1, f"neuron {neuron} should spike exactly once, spiked {times.size} times"
    return times[0]


@pytest.mark.parametrize("order", ["pre_then_post", "post_then_pre"])
def test_stdp_weight_change_matches_trace_formula(order):
    network = _two_neuron_network()
    first, second = (0, 1) if order == "pre_then_post" else (1, 0)
    stimulus = SpikeStimulus([first, second], [5.0, 17.0], n_channels=2, duration_ms=60.0, step_ms=10.0)
    result = simulate(network, stimulus, plastic=True)
    t_pre, t_post = _spike_time(result, 0), _spike_time(result, 1)
    w_before = 0.5
    w_after = result.final_network.synapses["ee"].w[0]
    if order == "pre_then_post":
        delay = t_post - t_pre
        expected = 0.1 * 1.0 * np.exp(-delay / 15.0) * (1.0 - w_before)  # eta_post * A_pre * exp * (w_max - w)
    else:
        delay = t_pre - t_post
        expected = -0.05 * 1.0 * np.exp(-delay / 25.0) * (w_before - 0.0)  # -eta_pre * A_post * exp * (w - w_min)
    assert delay == pytest.approx(12.0, abs=0.11)
    assert w_after - w_before == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_frozen_stdp_leaves_weights_unchanged():
    network = _two_neuron_network()
    stimulus = SpikeStimulus([0, 1], [5.0, 17.0], n_channels=2, duration_ms=60.0, step_ms=10.0)
    result = simulate(network, stimulus, plastic=False)
    assert result.final_network.synapses["ee"].w[0] == 0.5


def test_heterogeneous_tau_m_matches_gamma_and_homogeneous_is_constant():
    config = HRSNNConfig(n_neurons=4000, variant="HeNHeS", seed=5, connectivity={"c_ee": 0.0, "c_ei": 0.0, "c_ie": 0.0, "c_ii": 0.0, "p_in": 0.5})
    network = generate_network(config, n_input=4, input_kind="spikes")
    tau_e = network.tau_m_ms[: network.n_excitatory]
    gamma = config.excitatory.tau_m_ms
    n = tau_e.size
    # mean within 4 standard errors; variance within 4 standard errors of the sample variance
    assert abs(tau_e.mean() - gamma.mean) < 4 * gamma.std / np.sqrt(n)
    fourth_moment = 6 * gamma.mean**4 / gamma.shape**3 + 3 * gamma.var**2  # Gamma: mu4 = 3 k(k+2) theta^4
    se_var = np.sqrt((fourth_moment - gamma.var**2) / n)
    assert abs(tau_e.var() - gamma.var) < 4 * se_var
    homogeneous = generate_network(config.replace(variant="HoNHeS"), n_input=4, input_kind="spikes")
    assert np.all(homogeneous.tau_m_ms[: homogeneous.n_excitatory] == gamma.mean)
    assert np.all(homogeneous.tau_m_ms[homogeneous.n_excitatory:] == config.inhibitory.tau_m_ms.mean)
    assert np.ptp(homogeneous.v_th_mV[: homogeneous.n_excitatory]) == 0
    # HoS: every plastic synapse has the mean STDP parameters; HeS: they vary
    assert np.ptp(homogeneous.synapses["input"].tau_pre_ms) > 0
    hos = generate_network(config.replace(variant="HeNHoS"), n_input=4, input_kind="spikes")
    assert np.all(hos.synapses["input"].eta_post == config.stdp.eta_post.mean)


def test_connection_probability_follows_gaussian_of_distance():
    rng = np.random.default_rng(11)
    positions = grid_positions(1000, (10, 10, 10), rng)
    c, lam = 0.3, 2.0
    observed_pairs = {}
    for repeat in range(3):
        pre, post = distance_connections(positions, positions, c, lam, rng, exclude_self=True)
        distance = np.linalg.norm(positions[pre] - positions[post], axis=1)
        observed_pairs[repeat] = np.round(distance**2).astype(int)
    all_d2 = np.round(((positions[:, None, :] - positions[None, :, :]) ** 2).sum(-1)).astype(int)
    np.fill_diagonal(all_d2, -1)
    for d2 in (1, 2, 3, 4, 5, 8, 9):
        n_pairs = np.count_nonzero(all_d2 == d2) * 3
        n_connected = sum(np.count_nonzero(v == d2) for v in observed_pairs.values())
        p = float(connection_probability(np.sqrt(d2), c, lam))
        standard_error = np.sqrt(p * (1 - p) / n_pairs)
        assert abs(n_connected / n_pairs - p) < 4 * standard_error, (d2, n_connected / n_pairs, p)


def test_excitatory_weights_positive_inhibitory_negative():
    network = generate_network(HRSNNConfig(n_neurons=300, seed=2), n_input=10, input_kind="spikes")
    weights = network.recurrent_weights_mV().toarray()
    assert (weights[: network.n_excitatory] >= 0).all() and (weights[: network.n_excitatory] > 0).any()
    assert (weights[network.n_excitatory:] <= 0).all() and (weights[network.n_excitatory:] < 0).any()
    assert (network.input_weights_mV().toarray() >= 0).all()


def test_same_seed_gives_identical_spikes_and_other_seed_differs():
    config = HRSNNConfig(n_neurons=80, seed=4)
    stimulus = RateStimulus(np.full((30, 20), 40.0), step_ms=10.0)
    first = simulate(generate_network(config, 20, input_kind="spikes"), stimulus)
    second = simulate(generate_network(config, 20, input_kind="spikes"), stimulus)
    assert first.spike_indices.size > 50
    np.testing.assert_array_equal(first.spike_indices, second.spike_indices)
    np.testing.assert_array_equal(first.spike_times_ms, second.spike_times_ms)
    other = simulate(generate_network(config.replace(seed=5), 20, input_kind="spikes"), stimulus)
    assert not np.array_equal(first.spike_times_ms[:50], other.spike_times_ms[:50])


def test_variants_share_structure_for_one_seed():
    config = HRSNNConfig(n_neurons=120, seed=9)
    homogeneous = generate_network(config.replace(variant="HoNHoS"), 12)
    heterogeneous = generate_network(config, 12)
    assert homogeneous.structure_key() == heterogeneous.structure_key()
    assert np.ptp(heterogeneous.tau_m_ms[:96]) > 0 and np.ptp(homogeneous.tau_m_ms[:96]) == 0


def test_pruned_network_runs_and_keeps_dale_law():
    network = generate_network(HRSNNConfig(n_neurons=100, seed=1), n_input=10, input_kind="spikes")
    keep = np.arange(0, 100, 2)
    weights = network.recurrent_weights_mV().toarray()[np.ix_(keep, keep)]
    pruned = network.pruned(keep, weights * 1.5)
    assert pruned.n_neurons == 50 and pruned.n_excitatory == 40
    np.testing.assert_allclose(pruned.recurrent_weights_mV().toarray(), weights * 1.5)
    result = simulate(pruned, RateStimulus(np.full((10, 10), 30.0), 10.0), plastic=True)
    assert result.spike_counts().shape == (10, 50)
    with pytest.raises(ValueError, match="Dale"):
        network.pruned(keep, -np.abs(weights))


def test_poisson_spikes_follow_the_rates():
    from hetnet.encoding import poisson_spikes

    stimulus = RateStimulus(np.array([[50.0, 0.0], [200.0, 10.0]]).repeat(50, axis=0), step_ms=10.0)
    spikes = poisson_spikes(stimulus, dt_ms=0.1, seed=1)
    for channel, step_slice, rate in ((0, slice(0, 500), 50.0), (0, slice(500, 1000), 200.0), (1, slice(500, 1000), 10.0)):
        window = (spikes.indices == channel) & (spikes.times_ms >= step_slice.start) & (spikes.times_ms < step_slice.stop)
        expected = rate * 0.5
        assert abs(window.sum() - expected) < 4 * np.sqrt(expected)
    assert not np.any((spikes.indices == 1) & (spikes.times_ms < 500))


def _run_runtime_form(network, stimulus, neuron_update):
    import brian2 as b2
    from hetnet.network.brian import build_brian_network

    b2.set_device("runtime")
    b2.prefs.codegen.target = "numpy"
    b2.start_scope()
    built = build_brian_network(network, stimulus, plastic=True, neuron_update=neuron_update, state_variables=("v",))
    built.run(stimulus.duration_ms)
    monitor = built.state_monitor
    return (np.asarray(built.recurrent_monitor.i[:]), np.asarray(built.recurrent_monitor.t[:] / b2.ms),
            np.asarray(monitor.v[:] / b2.mV), {name: np.array(g.w[:]) for name, g in built.synapses.items()})


def test_propagator_neuron_update_equals_brian2_exact_ode():
    """The default update (precomputed propagator) reproduces Brian2's exact ``(unless refractory)`` ODEs."""
    config = HRSNNConfig(n_neurons=60, variant="HeNHeS", seed=3, weights={"input_scale_mV": 60.0})
    network = generate_network(config, n_input=8, input_kind="spikes")
    rng = np.random.default_rng(0)
    slots = np.sort(rng.choice(1500 * 8, 600, replace=False))  # distinct (step, channel) pairs
    stimulus = SpikeStimulus(slots % 8, (slots // 8) * config.dt_ms, n_channels=8, duration_ms=150.0, step_ms=10.0)
    i_ode, t_ode, v_ode, w_ode = _run_runtime_form(network, stimulus, "ode")
    i_prop, t_prop, v_prop, w_prop = _run_runtime_form(network, stimulus, "propagator")
    assert i_ode.size > 100  # enough spikes (and refractory periods hit by input) to matter
    np.testing.assert_array_equal(i_prop, i_ode)
    np.testing.assert_allclose(t_prop, t_ode, atol=1e-12)
    assert np.max(np.abs(v_prop - v_ode)) < 1e-9
    for name in w_ode:
        np.testing.assert_allclose(w_prop[name], w_ode[name], rtol=1e-9, atol=1e-12)
    # the membrane is clamped while refractory in both forms (the currents keep flowing):
    # v sits at v_reset for the refractory steps after each spike
    dt = config.dt_ms
    first = int(round(t_prop[0] / dt))
    neuron = i_prop[0]
    refractory_steps = int(round(network.t_ref_ms[neuron] / dt))
    assert np.all(v_prop[neuron, first + 1: first + refractory_steps] == network.v_reset_mV[neuron])


def _run_runtime_output(network, stimulus, order_by_target):
    import brian2 as b2
    from hetnet.network.brian import build_brian_network

    b2.set_device("runtime")
    b2.prefs.codegen.target = "numpy"
    b2.start_scope()
    built = build_brian_network(network, stimulus, plastic=True, order_by_target=order_by_target)
    built.run(stimulus.duration_ms)
    stored = {name: (np.array(group.i[:]), np.array(group.j[:]), np.array(group.w[:]))
              for name, group in built.synapses.items()}
    return built.output(), built.synapse_order, stored


def test_synapses_stored_in_target_order_run_the_same_and_come_back_in_the_instances_order():
    """``order_by_target`` changes where Brian2 keeps the synapses, not what they do or how hetnet sees them."""
    config = HRSNNConfig(n_neurons=60, variant="HeNHeS", seed=3, weights={"input_scale_mV": 60.0})
    network = generate_network(config, n_input=8, input_kind="spikes")
    rng = np.random.default_rng(1)
    slots = np.sort(rng.choice(1000 * 8, 500, replace=False))
    stimulus = SpikeStimulus(slots % 8, (slots // 8) * config.dt_ms, n_channels=8, duration_ms=100.0, step_ms=10.0)
    plain, no_order, _ = _run_runtime_output(network, stimulus, ())
    ordered, order, stored = _run_runtime_output(network, stimulus, ("input", "ee"))
    assert no_order == {} and sorted(order) == ["ee", "input"]
    for name in ("input", "ee"):
        syn = network.synapses[name]
        pre, post, w_brian = stored[name]
        assert np.all(np.diff(post) >= 0) and not np.all(np.diff(syn.post) >= 0)  # Brian2 holds them by target
        np.testing.assert_array_equal(np.sort(order[name]), np.arange(syn.n_synapses))
        np.testing.assert_array_equal(pre, syn.pre[order[name]])
        np.testing.assert_array_equal(w_brian, ordered["weights"][name][order[name]])
    assert plain["spike_indices"].size > 100
    np.testing.assert_array_equal(ordered["spike_indices"], plain["spike_indices"])
    np.testing.assert_array_equal(ordered["spike_times_ms"], plain["spike_times_ms"])
    for name in plain["weights"]:  # STDP ran on the right synapses with the right values
        np.testing.assert_array_equal(ordered["weights"][name], plain["weights"][name])
    assert not np.array_equal(plain["weights"]["input"], network.synapses["input"].w)
    with pytest.raises(ValueError, match="unknown pathways"):
        _run_runtime_output(network, stimulus, ("inputs",))


def test_neuron_update_must_be_known():
    from hetnet.network.brian import build_brian_network

    network = generate_network(HRSNNConfig(n_neurons=10, seed=1), n_input=2)
    stimulus = SpikeStimulus([0], [1.0], n_channels=2, duration_ms=10.0, step_ms=10.0)
    with pytest.raises(ValueError, match="neuron_update"):
        build_brian_network(network, stimulus, neuron_update="euler")
