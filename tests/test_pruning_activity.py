"""Measured SOPs, rate homeostasis and the validated LNP options (hetnet.pruning.activity / options)."""
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sparse

from hetnet.errors import FieldError
from hetnet.pruning import (
    LNPOptions,
    SpikeProbe,
    grid_network,
    input_totals,
    lyapunov_noise_pruning,
    measure_run,
    measured_sops,
    random_baseline,
    restore_input_totals,
)

CHEAP = {"n_steps": 40, "warmup_steps": 10}


def test_measured_sops_match_a_hand_count():
    # 4 neurons, [pre, post]; neuron 3 has no outgoing synapse; the 0 entry is not a synapse
    weights = np.array([[0.0, 1.0, 2.0, 0.0],
                        [0.0, 0.0, 0.0, 1.0],
                        [-1.0, -1.0, 0.0, -1.0],
                        [0.0, 0.0, 0.0, 0.0]])
    spikes = [5, 2, 3, 7]
    # by hand: 5 x 2 + 2 x 1 + 3 x 3 + 7 x 0 = 21 recurrent; input channel 0 -> {0, 1}, 1 -> {3}
    # spiking 4 and 6 times: 4 x 2 + 6 x 1 = 14; readout 2 outputs: 17 spikes x 2 = 34
    out = measured_sops(spikes, weights, duration_s=0.5, input_spike_counts=[4, 6],
                        input_weights=[[1, 1, 0, 0], [0, 0, 0, 3]], n_outputs=2)
    assert out["recurrent_sops"] == 21 and out["input_sops"] == 14 and out["readout_sops"] == 34
    assert out["total_sops"] == 69 and out["energy_pJ"] == pytest.approx(0.9 * 69)
    assert out["recurrent_sops_per_s"] == 42 and out["mean_rate_hz"] == pytest.approx(17 / 4 / 0.5)
    # a dead neuron's spikes and the synapses onto it do not count
    alive = measured_sops(spikes, weights, duration_s=1.0, n_outputs=0, alive=[True, True, True, False])
    assert alive["recurrent_sops"] == 5 * 2 + 2 * 0 + 3 * 2
    # a current input: no input SOPs, one MAC per input synapse per step instead
    current = measured_sops(spikes, weights, duration_s=1.0, input_weights=[[1, 1, 0, 0]], n_steps=10)
    assert current["input_sops"] == 0 and current["input_current_macs"] == 20
    with pytest.raises(ValueError, match="duration_s"):
        measured_sops(spikes, weights, duration_s=0.0)
    with pytest.raises(ValueError, match="spike_counts"):
        measured_sops([1, 2], weights, duration_s=1.0)


def test_measured_sops_of_a_simulated_small_network_match_a_hand_count():
    pytest.importorskip("brian2")
    from hetnet.config import HRSNNConfig
    from hetnet.encoding import encode_series
    from hetnet.network import generate_network, input_kind_of, simulate

    config = HRSNNConfig(n_neurons=12, seed=3)
    series = np.sin(np.linspace(0, 6, 30))[:, None]
    stimulus = encode_series(series, config.input)
    network = generate_network(config, n_input=stimulus.n_channels, input_kind=input_kind_of(stimulus))
    result = simulate(network, stimulus, plastic=False)
    assert result.spike_indices.size > 0, "the small network fires"
    dense = network.recurrent_weights_mV().toarray()
    by_hand = 0
    for neuron in result.spike_indices:          # one spike at a time, every surviving outgoing synapse
        by_hand += sum(1 for post in range(network.n_neurons) if dense[neuron, post] != 0)
    counted = measure_run(result, network, n_outputs=3)
    assert counted["recurrent_sops"] == by_hand
    assert counted["readout_sops"] == 3 * result.spike_indices.size
    assert counted["mean_rate_hz"] == pytest.approx(result.mean_rate_hz)


def test_restore_input_totals_keeps_each_neurons_input_and_dales_law():
    start = grid_network(60, mean_degree=8, seed=1)
    target_e, target_i = input_totals(start.weights_mV, start.is_excitatory)
    # thin the synapses at random: totals fall
    rng = np.random.default_rng(0)
    coo = start.weights_mV.tocoo()
    keep = rng.random(coo.nnz) < 0.5
    thinned = sparse.csr_array((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=coo.shape)
    restored, gain_e, gain_i = restore_input_totals(thinned, start.is_excitatory, target_e, target_i, max_gain=100)
    after_e, after_i = input_totals(restored, start.is_excitatory)
    has_e = input_totals(thinned, start.is_excitatory)[0] > 0
    np.testing.assert_allclose(after_e[has_e], target_e[has_e])
    has_i = input_totals(thinned, start.is_excitatory)[1] > 0
    np.testing.assert_allclose(after_i[has_i], target_i[has_i])
    rows = np.repeat(np.arange(60), np.diff(restored.indptr))
    assert np.all((restored.data > 0) == start.is_excitatory[rows]) and restored.nnz == thinned.nnz
    capped, gain_e, _ = restore_input_totals(thinned, start.is_excitatory, 100 * target_e, target_i, max_gain=2)
    assert gain_e.max() <= 2
    with pytest.raises(ValueError, match="max_gain"):
        restore_input_totals(thinned, start.is_excitatory, target_e, target_i, max_gain=0.5)


def test_options_validate_and_old_keywords_still_work():
    with pytest.raises(FieldError, match="synapse_keep_fraction = 0"):
        LNPOptions(synapse_keep_fraction=0)
    with pytest.raises(FieldError, match="node_prune_fraction"):
        LNPOptions(node_prune_fraction=1.0)
    with pytest.raises(FieldError, match="n_iterations"):
        LNPOptions(n_iterations=2.5)
    with pytest.raises(FieldError, match="rate_homeostasis"):
        LNPOptions(rate_homeostasis="rates")
    with pytest.raises(FieldError, match="steps"):
        LNPOptions(steps=("II",))
    with pytest.raises(FieldError, match="measure_every"):
        LNPOptions(measure_every=0)
    with pytest.raises(FieldError, match="covariance_method"):
        LNPOptions(covariance_method="magic")
    with pytest.raises(FieldError, match="ablation"):
        LNPOptions.ablation("II")
    with pytest.raises(TypeError, match="unknown LNP setting 'n_iteration'"):
        lyapunov_noise_pruning(grid_network(20, mean_degree=4, seed=0), n_iteration=2)
    assert LNPOptions(steps="I").steps == ("I",)
    assert LNPOptions(steps=("III", "I")).steps == ("I", "III")
    # keyword arguments (the earlier interface) and an options object give the same run
    start = grid_network(50, mean_degree=6, seed=0)
    by_keywords = lyapunov_noise_pruning(start, n_iterations=2, node_prune_fraction=0.1, optimize_timescales=False,
                                         lyapunov_options=CHEAP, seed=4)
    options = LNPOptions(n_iterations=2, node_prune_fraction=0.1, steps=("I", "II", "III"), lyapunov_options=CHEAP,
                         seed=4)
    by_options = lyapunov_noise_pruning(start, options)
    assert by_keywords.series("n_synapses").tolist() == by_options.series("n_synapses").tolist()
    assert (by_keywords.network.weights_mV != by_options.network.weights_mV).nnz == 0
    assert by_keywords.settings["steps"] == ["I", "II", "III"]


def fake_probe(calls):
    """A probe that 'fires' every neuron at 10 Hz for 1 s."""
    def measure(network):
        calls.append(network.n_neurons)
        return measured_sops(np.full(network.n_neurons, 10.0), network.weights_mV, duration_s=1.0)
    return measure


def test_driver_measures_at_its_checkpoints_after_every_step_and_keeps_rates_with_homeostasis():
    start = grid_network(80, mean_degree=10, seed=2)
    calls = []
    history = lyapunov_noise_pruning(start, n_iterations=4, measure_every=2, measure=fake_probe(calls),
                                     lyapunov_options=CHEAP, minimize=lambda f, d, **k: SimpleNamespace(
                                         x=[3.0, 20.0, 3.0, 10.0], func_vals=np.array([f([3.0, 20.0, 3.0, 10.0])])))
    measured = {record.iteration: sorted(record.measured) for record in history.records if record.measured}
    assert measured == {0: ["start"], 2: ["after I", "after II", "after III"],
                        4: ["after I", "after II", "after III", "after IV"]}
    assert len(calls) == 1 + 3 + 4
    last = history.records[-1]
    assert last.measured_value("recurrent_sops") == pytest.approx(10.0 * history.network.n_synapses)
    assert sorted(history.snapshots) == [0, 2, 4]
    assert history.before_timescales.n_synapses == history.network.n_synapses
    # homeostasis: every surviving neuron with inputs keeps its unpruned totals (up to the gain cap)
    target_e, target_i = input_totals(start.weights_mV, start.is_excitatory)
    before_iv = history.before_timescales
    after_e, after_i = input_totals(before_iv.weights_mV, before_iv.is_excitatory)
    index = before_iv.neuron_indices
    ratio = after_e[after_e > 0] / target_e[index][after_e > 0]
    assert np.all((ratio > 0.25 - 1e-9) & (ratio < 4 + 1e-9)) and np.median(np.abs(ratio - 1)) < 1e-9
    assert history.settings["rate_homeostasis"] == "input-totals" and history.settings["measured"] is True


def test_random_baseline_keeps_neuron_types_and_is_measured_at_lnp_checkpoints():
    start = grid_network(60, mean_degree=8, seed=3)
    lnp = lyapunov_noise_pruning(start, n_iterations=2, measure_every=1, measure=fake_probe([]),
                                 optimize_timescales=False, lyapunov_options=CHEAP)
    calls = []
    er = random_baseline(lnp, start, compute_lyapunov=False, measure=fake_probe(calls))
    assert len(calls) == 3 and all(record.measured for record in er.records)
    final = er.network
    assert np.array_equal(start.is_excitatory[final.neuron_indices], final.is_excitatory)
    assert sorted(er.snapshots) == [0, 1, 2]


def test_spike_probe_runs_the_pruned_network_through_the_injected_simulator():
    from hetnet.config import HRSNNConfig
    from hetnet.pruning import network_from_config

    instance, start = network_from_config(HRSNNConfig(n_neurons=40, seed=1), n_input=2)
    seen = []

    def simulate(network, stimulus, plastic=False):
        seen.append((network.n_neurons, plastic))
        counts = np.arange(network.n_neurons, dtype=float)
        return SimpleNamespace(total_spike_counts=lambda: counts, duration_ms=2000.0, n_steps=100,
                               input_spike_indices=None)

    probe = SpikeProbe(instance, stimulus="probe", n_outputs=2, simulate=simulate)
    history = lyapunov_noise_pruning(instance, n_iterations=1, node_prune_fraction=0.1, optimize_timescales=False,
                                     lyapunov_options=CHEAP, measure=probe)
    assert seen == [(40, False), (40, False), (36, False), (36, False)]
    final = history.records[-1].measured["after III"]
    counts = np.arange(36, dtype=float)
    degree = np.diff(history.network.weights_mV.indptr)
    assert final["recurrent_sops"] == pytest.approx(float(counts @ degree))
    assert final["readout_sops"] == pytest.approx(2 * counts.sum())
    assert final["mean_rate_hz"] == pytest.approx(counts.mean() / 2.0)


def test_pruning_package_does_not_import_brian2():
    import subprocess
    import sys

    code = "import sys, hetnet.pruning, hetnet.pruning.activity, hetnet.pruning.options; print('brian2' in sys.modules)"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert completed.stdout.strip() == "False", completed.stderr
