"""Envelopes: a network run inside a larger compiled structure gives its own results, one build for many structures."""
import os

import numpy as np
import pytest

from hetnet.config import HRSNNConfig
from hetnet.encoding import RateStimulus
from hetnet.errors import UsageError
from hetnet.network import complete_envelope, embed_in_envelope, generate_network, simulate

CONFIG = HRSNNConfig(n_neurons=40, seed=3, input={"mode": "poisson"})  # Poisson input: plastic input pathway
N_INPUT = 8


def test_complete_envelope_holds_every_pair_and_the_embedding_round_trips():
    network = generate_network(CONFIG, N_INPUT)
    envelope = complete_envelope(network)
    n_e, n_i = network.n_excitatory, network.n_inhibitory
    expected = {"input": N_INPUT * 40, "ee": n_e * (n_e - 1), "ei": n_e * n_i, "ie": n_i * n_e, "ii": n_i * (n_i - 1)}
    assert {name: s.n_synapses for name, s in envelope.synapses.items()} == expected
    assert not any(np.any(s.pre == s.post) for name, s in envelope.synapses.items() if name in ("ee", "ii"))
    embedding = embed_in_envelope(network, envelope)
    for name, own in network.synapses.items():
        padded, index = embedding.network.synapses[name], embedding.positions[name]
        np.testing.assert_array_equal(padded.pre[index], own.pre)          # the same pairs, in the same order
        np.testing.assert_array_equal(padded.post[index], own.post)
        np.testing.assert_array_equal(padded.w[index], own.w)
        others = np.setdiff1d(np.arange(padded.n_synapses), index)
        assert np.all(padded.w[others] == 0.0)
        if own.plastic:
            np.testing.assert_array_equal(padded.eta_post[index], own.eta_post)
            assert np.all(padded.eta_pre[others] == 0.0) and np.all(padded.eta_post[others] == 0.0)
    np.testing.assert_array_equal(embedding.network.tau_m_ms, network.tau_m_ms)
    # every structure of these sizes, whatever its connectivity or seed, compiles to one build key's structure
    other = generate_network(CONFIG.replace(seed=8, connectivity={"c_ee": 0.2, "lambda_grid": 1.5, "p_in": 0.9}), N_INPUT)
    assert other.structure_key() != network.structure_key()
    assert (embed_in_envelope(other, complete_envelope(other)).network.structure_key()
            == embedding.network.structure_key())


def test_embedding_refuses_what_the_envelope_does_not_hold():
    network = generate_network(CONFIG, N_INPUT)
    sparse_one = generate_network(CONFIG.replace(connectivity={"c_ee": 0.05}), N_INPUT)
    with pytest.raises(UsageError, match="lacks the network's synapse"):
        embed_in_envelope(network, sparse_one)          # same seed, lower C: a subset, not a superset
    embed_in_envelope(sparse_one, network)              # the other way round it holds (same uniforms, higher C)
    with pytest.raises(UsageError, match="n_input"):
        embed_in_envelope(network, complete_envelope(generate_network(CONFIG, N_INPUT + 1)))
    with pytest.raises(UsageError, match="w_min"):
        raised = CONFIG.replace(weights={"w_min": 0.01})
        embed_in_envelope(generate_network(raised, N_INPUT), complete_envelope(generate_network(raised, N_INPUT)))


@pytest.fixture
def cache(tmp_path):
    previous = os.environ.get("HETNET_CACHE")
    os.environ["HETNET_CACHE"] = str(tmp_path / "cache")
    yield tmp_path / "cache"
    if previous is None:
        os.environ.pop("HETNET_CACHE", None)
    else:
        os.environ["HETNET_CACHE"] = previous


@pytest.mark.standalone
def test_network_in_the_complete_envelope_runs_bit_for_bit_like_its_own_build_and_shares_it(cache):
    stimulus = RateStimulus(np.random.default_rng(0).uniform(0, 80, size=(30, N_INPUT)), step_ms=10.0)
    network = generate_network(CONFIG, N_INPUT)
    for plastic in (True, False):
        own = simulate(network, stimulus, plastic=plastic, backend="cpp_standalone", seed=11)
        inside = simulate(network, stimulus, plastic=plastic, backend="cpp_standalone", seed=11, envelope="complete")
        assert own.spike_indices.size > 100
        np.testing.assert_array_equal(inside.spike_indices, own.spike_indices)
        np.testing.assert_array_equal(inside.spike_times_ms, own.spike_times_ms)
        for name, syn in own.final_network.synapses.items():
            np.testing.assert_array_equal(inside.final_network.synapses[name].w, syn.w)
        if plastic:   # STDP did change the weights the comparison covers
            assert not np.array_equal(own.final_network.synapses["ee"].w, network.synapses["ee"].w)
        assert inside.provenance["build"]["key"] != own.provenance["build"]["key"]
        assert inside.provenance["structure_key"] == network.structure_key()
        # another connectivity (C, lambda, p_in) and connectivity seed: the envelope's program, not compiled again
        other = generate_network(CONFIG.replace(seed=8, connectivity={"c_ee": 0.2, "lambda_grid": 1.5, "p_in": 0.9}),
                                 N_INPUT)
        reused = simulate(other, stimulus, plastic=plastic, backend="cpp_standalone", seed=11, envelope="complete")
        assert reused.provenance["build"]["compiled"] is False
        assert reused.provenance["build"]["key"] == inside.provenance["build"]["key"]
        assert reused.final_network.synapses["ee"].w.shape == other.synapses["ee"].w.shape
    # the runtime backend has nothing to compile: the envelope is ignored there
    runtime = simulate(network, stimulus, plastic=False, backend="runtime", seed=11, envelope="complete")
    assert "envelope_structure_key" not in runtime.provenance


def test_optimize_envelope_flag_reaches_the_objective_and_its_record(tmp_path, monkeypatch):
    import hetnet.bo.campaign as campaign
    from hetnet.bo.objectives import NetworkObjective, make_objective
    from hetnet.cli.main import main

    seen = {}

    def fake_run_campaign(directory, **options):
        seen.update(options)
        return {"best": None}

    monkeypatch.setattr(campaign, "run_campaign", fake_run_campaign)
    assert main(["optimize", "--envelope", "complete", "--out", str(tmp_path / "run"), "--budget", "2"]) == 1
    assert seen["objective_options"]["envelope"] == "complete"
    objective, _ = make_objective("efficiency", options=seen["objective_options"])
    assert objective.envelope == "complete" and objective.to_options()["envelope"] == "complete"
    assert main(["optimize", "--envelope", "none", "--out", str(tmp_path / "run2"), "--budget", "2"]) == 1
    assert seen["objective_options"]["envelope"] is None
    # the default, "auto", is not written: records from before envelopes read back with the same meaning
    default = NetworkObjective(objective.space)
    assert default.envelope == "auto" and "envelope" not in default.to_options()
    with pytest.raises(ValueError, match="envelope"):
        NetworkObjective(objective.space, envelope="bounds")


def test_auto_envelope_applies_where_the_structure_changes_and_the_network_is_small():
    from hetnet.bo.objectives import NetworkObjective
    from hetnet.bo.space import network_search_space
    from hetnet.network.envelope import COMPLETE_ENVELOPE_MAX_NEURONS
    from hetnet.network.instance import NetworkInstance

    small, large = HRSNNConfig(n_neurons=200), HRSNNConfig(n_neurons=COMPLETE_ENVELOPE_MAX_NEURONS + 1)
    distributions = NetworkObjective(network_search_space(include_architecture=False), fixed_structure=True)
    new_seeds = NetworkObjective(network_search_space(include_architecture=False), fixed_structure=False)
    assert new_seeds.envelope_for(small) == "complete"
    assert new_seeds.envelope_for(large) is None                      # compiling is cheaper than delivering
    assert distributions.envelope_for(small) is None                  # one structure: its own build is reused
    for config in (small, large):   # architecture searched on one connectivity seed: the bounds envelope, any size
        architecture = NetworkObjective(network_search_space(config), base_config=config, fixed_structure=True)
        chosen = architecture.envelope_for(config)
        assert isinstance(chosen, NetworkInstance) and chosen.n_neurons == config.n_neurons
        assert architecture.envelope_for(config) is chosen            # drawn once per process
    assert architecture.envelope_for(large.replace(weights={"w_min": 0.01})) is None
    assert NetworkObjective(network_search_space(), envelope=None).envelope_for(small) is None


def test_bounds_envelope_holds_every_candidate_of_a_common_seed_search():
    """Candidates drawn anywhere in the space (C, lambda, p_in, w_scale and the distributions) with the base seed
    all embed in the network drawn at the upper ends of the connectivity ranges, which is far from complete."""
    from hetnet.bo.objectives import NetworkObjective
    from hetnet.bo.space import network_search_space
    from hetnet.encoding import encode_series
    from hetnet.network import input_kind_of

    base = HRSNNConfig(n_neurons=300, seed=4)
    space = network_search_space(base)
    objective = NetworkObjective(space, base_config=base, fixed_structure=True, envelope="bounds")
    envelope = objective.bounds_envelope(base)
    generator = np.random.default_rng(0)
    lows = np.array([dimension.low for dimension in space.dimensions], dtype=float)
    highs = np.array([dimension.high for dimension in space.dimensions], dtype=float)
    for trial in range(6):
        point = list(lows + (highs - lows) * generator.uniform(size=lows.size))
        if trial == 0:       # the upper ends themselves
            point = list(highs)
        config = space.to_config(point, base)
        probe = encode_series(np.zeros((2, 1)), config.input)
        network = generate_network(config, probe.n_channels, input_kind=input_kind_of(probe))
        embedding = embed_in_envelope(network, envelope)        # raises if a synapse is missing
        for name, own in network.synapses.items():
            np.testing.assert_array_equal(embedding.network.synapses[name].pre[embedding.positions[name]], own.pre)
    recurrent = sum(s.n_synapses for name, s in envelope.synapses.items() if name != "input")
    assert recurrent < 0.8 * base.n_neurons * (base.n_neurons - 1)
    with pytest.raises(ValueError, match="fixed_structure"):
        NetworkObjective(space, base_config=base, envelope="bounds")


def test_optimize_common_seed_and_bounds_flags(tmp_path, monkeypatch):
    import hetnet.bo.campaign as campaign
    from hetnet.bo.objectives import make_objective
    from hetnet.cli.main import main

    seen = {}
    monkeypatch.setattr(campaign, "run_campaign", lambda directory, **options: seen.update(options) or {"best": None})
    assert main(["optimize", "--common-seed", "--envelope", "bounds", "--out", str(tmp_path / "a"), "--budget", "2"]) == 1
    objective, space = make_objective("efficiency", options=seen["objective_options"])
    assert objective.fixed_structure and objective.envelope == "bounds"
    assert any(name.startswith("connectivity.") for name in space.names)   # the architecture is still searched
    assert main(["optimize", "--envelope", "bounds", "--out", str(tmp_path / "b"), "--budget", "2"]) == 2


@pytest.mark.standalone
@pytest.mark.parametrize("common_seed", [False, True], ids=["complete", "bounds"])
def test_architecture_search_compiles_once_per_size(cache, common_seed):
    """The default objective on cpp_standalone: candidates of new C, lambda, p_in (and seed, unless common) share one
    build — the complete envelope's, or with a common seed the bounds envelope's; the same metrics as own builds."""
    from hetnet.bo.engine import evaluate_candidate
    from hetnet.bo.objectives import make_objective

    base = HRSNNConfig(n_neurons=60, backend="cpp_standalone", seed=3)
    options = {"n_steps": 80, "train_steps": 20, "k_max": 5, "washout": 5, "lyapunov_steps": 0,
               "fixed_structure": common_seed}
    objective, space = make_objective("efficiency", base_config=base, options=options)
    first_point = space.default_point()
    second_point = list(first_point)
    for name, value in (("connectivity.c_scale", 0.5), ("connectivity.lambda_grid", 2.0), ("connectivity.p_in", 0.8)):
        second_point[space.names.index(name)] = value
    first = evaluate_candidate(objective, first_point, seed=1, index=0)
    second = evaluate_candidate(objective, second_point, seed=2, index=1)
    assert first["status"] == second["status"] == "ok", (first.get("error"), second.get("error"))
    assert first["metrics"]["structure_key"] != second["metrics"]["structure_key"]
    assert first["metrics"]["compiled"] is True and second["metrics"]["compiled"] is False
    built = sorted(path.name for path in cache.iterdir() if path.is_dir() and path.name.startswith("cpp_standalone-"))
    assert len(built) == 2, built          # the plastic and the frozen program of the envelope
    if common_seed:   # the bounds envelope gives the metrics of the candidate's own build
        own, _ = make_objective("efficiency", base_config=base, options={**options, "envelope": None})
        alone = evaluate_candidate(own, second_point, seed=2, index=1)
        assert alone["metrics"]["compiled"] is True
        assert alone["metrics"]["memory_capacity"] == second["metrics"]["memory_capacity"]
        assert alone["metrics"]["spikes_per_neuron"] == second["metrics"]["spikes_per_neuron"]
