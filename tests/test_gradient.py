"""Surrogate-gradient training: the JAX forward pass is the Brian2 model spike for spike; gradients are right; it learns."""
import numpy as np
import pytest

jax = pytest.importorskip("jax")
pytest.importorskip("optax")

import jax.numpy as jnp  # noqa: E402

from hetnet.config import HRSNNConfig  # noqa: E402
from hetnet.encoding import SpikeStimulus, encode_series  # noqa: E402
from hetnet.gradient import (  # noqa: E402
    GradientOptions, apply_params, network_arrays, run_network, train_classification, train_prediction,
)
from hetnet.gradient.surrogate import smooth_step, spike_function, surrogate_derivative  # noqa: E402
from hetnet.network import generate_network, simulate  # noqa: E402


def _spike_pairs(result, dt_ms):
    ticks = np.rint(result.spike_times_ms / dt_ms).astype(int)
    order = np.lexsort((result.spike_indices, ticks))
    return np.stack([ticks[order], result.spike_indices[order]], axis=1)


def _jax_pairs(out):
    ticks, neurons = np.nonzero(np.asarray(out["spikes"]))
    return np.stack([ticks, neurons], axis=1)


def test_forward_pass_gives_brian2s_spikes_with_current_input():
    config = HRSNNConfig(n_neurons=60, seed=3)
    stimulus = encode_series(np.sin(np.arange(30) / 3.0), config.input)         # 600 ms, 6000 steps
    network = generate_network(config, n_input=1, input_kind="current")
    brian = simulate(network, stimulus, plastic=False)
    arrays = network_arrays(network)
    out = run_network(arrays, arrays.params(), stimulus, record_spikes=True, precision="float64")
    expected = _spike_pairs(brian, config.dt_ms)
    assert expected.shape[0] > 1000                                              # a busy network, not a silent one
    np.testing.assert_array_equal(_jax_pairs(out), expected)                    # spike for spike, same step
    np.testing.assert_array_equal(np.asarray(out["counts"]), brian.spike_counts())
    np.testing.assert_allclose(np.asarray(out["filtered"]), brian.state_matrix("filtered", tau_ms=80.0), atol=1e-9)


def test_forward_pass_gives_brian2s_spikes_with_spike_input_and_refractoriness():
    config = HRSNNConfig(n_neurons=60, seed=4)
    rng = np.random.default_rng(0)
    ticks = np.unique(np.stack([rng.integers(0, 8, 300), rng.integers(0, 4000, 300)], axis=1), axis=0)
    stimulus = SpikeStimulus(ticks[:, 0], ticks[:, 1] * 0.1, n_channels=8, duration_ms=400.0, step_ms=20.0)
    network = generate_network(config, n_input=8, input_kind="spikes")
    brian = simulate(network, stimulus, plastic=False)
    arrays = network_arrays(network)
    expected = _spike_pairs(brian, config.dt_ms)
    assert expected.shape[0] > 500
    # no neuron fires twice within t_ref (the clamp's length decides every later spike time too)
    gaps = np.concatenate([np.diff(expected[expected[:, 1] == neuron, 0]) for neuron in np.unique(expected[:, 1])])
    assert gaps.min() >= 20                                                      # t_ref = 2 ms = 20 steps
    for precision in ("float64",):
        out = run_network(arrays, arrays.params(), stimulus, record_spikes=True, precision=precision)
        np.testing.assert_array_equal(_jax_pairs(out), expected)


def test_surrogate_is_the_fast_sigmoid_and_the_smooth_steps_derivative():
    x = jnp.linspace(-5.0, 5.0, 11)
    hard = spike_function("hard", slope=2.0, dampening=0.5)
    assert np.array_equal(np.asarray(jax.vmap(hard)(x)), (np.asarray(x) > 0).astype(float))
    derivative = jax.vmap(jax.grad(hard))(x)
    np.testing.assert_allclose(derivative, 0.5 * 2.0 / (2 * (1 + 2.0 * np.abs(np.asarray(x))) ** 2), rtol=1e-6)
    np.testing.assert_allclose(jax.vmap(jax.grad(lambda v: smooth_step(v, 2.0)))(x), surrogate_derivative(x, 2.0),
                               rtol=1e-6)
    assert float(smooth_step(-1e6)) < 1e-6 and float(smooth_step(1e6)) > 1 - 1e-6 and float(smooth_step(0.0)) == 0.5


def test_gradient_matches_finite_differences_of_the_smoothed_model():
    config = HRSNNConfig(n_neurons=12, seed=5, dt_ms=0.5)
    network = generate_network(config, n_input=1, input_kind="current")
    stimulus = encode_series(np.sin(np.arange(6) / 2.0), config.input)
    arrays = network_arrays(network)
    params = {key: jnp.asarray(value) for key, value in arrays.params().items()}
    target = np.linspace(0.0, 1.0, 6)[:, None] * np.ones((1, 12))

    def loss(p):
        out = run_network(arrays, p, stimulus, spikes="smooth", slope=0.5, detach_reset=False, precision="float64",
                          jit=False)
        return jnp.sum((out["filtered"] - target) ** 2) + jnp.sum(out["counts"] ** 2) * 1e-3

    with jax.enable_x64(True):
        params = {key: jnp.asarray(value, jnp.float64) for key, value in params.items()}
        grads = jax.grad(loss)(params)
        rng = np.random.default_rng(0)
        checked = 0
        for name, index in [("tau_m_ms", (3,)), ("v_th_mV", (7,)), ("w_in", (0, int(np.flatnonzero(arrays.in_mask[0])[0])))] \
                + [("w", tuple(ij)) for ij in np.argwhere(arrays.mask)[rng.choice(int(arrays.mask.sum()), 3, replace=False)]]:
            step = 1e-5 * max(1.0, abs(float(params[name][index])))
            plus = dict(params, **{name: params[name].at[index].add(step)})
            minus = dict(params, **{name: params[name].at[index].add(-step)})
            numeric = (float(loss(plus)) - float(loss(minus))) / (2 * step)
            analytic = float(grads[name][index])
            assert abs(numeric - analytic) <= 1e-5 * max(1.0, abs(numeric)), (name, index, numeric, analytic)
            assert abs(analytic) > 1e-8                                            # not a trivially zero entry
            checked += 1
    assert checked == 6


def test_tiny_task_is_learned_by_the_recurrent_and_input_weights():
    """Two input patterns; the class is read from which of two output neurons fires more (no readout to train)."""
    optax = pytest.importorskip("optax")
    config = HRSNNConfig(n_neurons=20, seed=2, dt_ms=1.0)
    network = generate_network(config, n_input=4, input_kind="spikes")
    arrays = network_arrays(network)
    rng = np.random.default_rng(1)
    samples, labels = [], []
    for k in range(8):
        label = k % 2
        rates = np.where(np.arange(4) // 2 == label, 0.3, 0.02)               # channels 0-1 or 2-3 busy
        samples.append((rng.random((5, 10, 4)) < rates).astype(float))          # 5 steps of 10 ms
        labels.append(label)
    inputs, labels = jnp.asarray(np.stack(samples)), jnp.asarray(labels)
    readout = (0, 1)                                                           # two excitatory output neurons

    def logits(p, x):
        out = run_network(arrays, p, {"spikes": x, "steps_per_input": 10}, jit=False, dampening=0.3)
        return out["counts"].sum(axis=0)[jnp.array(readout)]

    def loss(p):
        return optax.softmax_cross_entropy_with_integer_labels(jax.vmap(logits, (None, 0))(p, inputs), labels).mean()

    def accuracy(p):
        return float(np.mean(np.argmax(np.asarray(jax.vmap(logits, (None, 0))(p, inputs)), axis=1) == np.asarray(labels)))

    params = {key: jnp.asarray(value, jnp.float32) for key, value in arrays.params().items()}
    before, initial_loss = accuracy(params), float(loss(params))
    optimizer = optax.adam(0.05)
    state = optimizer.init(params)
    step = jax.jit(lambda p, s: (lambda g: optimizer.update(g, s, p))(jax.grad(loss)(p)))
    for _ in range(60):
        updates, state = step(params, state)
        params = optax.apply_updates(params, updates)
        params["w_in"] = jnp.clip(params["w_in"], 0.0, 1.0)
    assert before <= 0.75
    assert accuracy(params) == 1.0 and float(loss(params)) < 0.5 * initial_loss


def test_apply_params_round_trips_and_keeps_dales_law_and_the_mask():
    config = HRSNNConfig(n_neurons=30, seed=1)
    network = generate_network(config, n_input=2, input_kind="current")
    arrays = network_arrays(network)
    assert apply_params(network, arrays, arrays.params()) == network
    params = arrays.params()
    params["w"] = params["w"] * 0.5
    params["tau_m_ms"] = params["tau_m_ms"] + 1.0
    changed = apply_params(network, arrays, params)
    np.testing.assert_allclose(changed.recurrent_weights_mV().toarray(), 0.5 * network.recurrent_weights_mV().toarray())
    np.testing.assert_allclose(changed.tau_m_ms, network.tau_m_ms + 1.0)
    assert changed.structure_key() == network.structure_key()                 # same synapses


def test_train_prediction_lowers_its_loss_and_reports_the_pipeline_metrics():
    config = HRSNNConfig(n_neurons=40, seed=0)
    series = np.sin(np.arange(100) / 4.0) + 0.3 * np.sin(np.arange(100) / 1.7)
    options = GradientOptions(epochs=8, learn_tau=True)
    results = train_prediction(config, series, train_steps=70, test_steps=20, washout_steps=10,
                               variants=("HoNB", "HeNB"), options=options)
    for label in ("HoNB", "HeNB"):
        row = results[label]
        assert row["training"]["final_loss"] < 0.5 * row["training"]["initial_loss"]
        assert row["training_method"] == "gradient" and len(row["training"]["loss"]) == 8
        assert 0 < row["nrmse"] < 1.0 and row["mean_rate_hz"] > 0 and row["recurrent_sops"] > 0
        trained = row["network"]
        weights = trained.recurrent_weights_mV().toarray()
        assert (weights[: trained.n_excitatory] >= 0).all() and (weights[trained.n_excitatory:] <= 0).all()
        assert trained.structure_key() == generate_network(config.replace(variant=row["network"].config.variant),
                                                           n_input=1, input_kind="current").structure_key()
    # HoNB has one time constant per population before training; learning tau_m spreads them
    assert np.unique(results["HoNB"]["network"].tau_m_ms).size > 2


def test_a_diverging_run_keeps_its_best_point_on_the_training_loss():
    """A readout step far too large makes the loss oscillate and grow; the returned parameters are the best seen."""
    config = HRSNNConfig(n_neurons=30, seed=0)
    series = np.sin(np.arange(90) / 4.0) + 0.3 * np.sin(np.arange(90) / 1.7)
    options = GradientOptions(epochs=6, readout_learning_rate=1.0)
    row = train_prediction(config, series, train_steps=60, test_steps=20, washout_steps=10, variants=("HoNB",),
                           options=options)["HoNB"]
    training = row["training"]
    seen = [training["initial_loss"]] + training["loss"]
    assert training["loss"][-1] > min(seen)                      # the run did end worse than its best point ...
    assert training["final_loss"] == pytest.approx(min(seen), rel=1e-4)   # ... and that point was kept
    assert training["kept_after_epochs"] < options.epochs


def test_default_readout_step_scales_with_the_number_of_readout_inputs():
    from hetnet.gradient.training import _optimizer

    small, large = ({"w": jnp.zeros(3), "readout": jnp.zeros((n, 2)), "bias": jnp.zeros(2)} for n in (10, 1000))
    for params, expected in ((small, 0.02), (large, 2e-4)):
        state = _optimizer(GradientOptions(max_gradient_norm=1e9), params).init(params)
        grads = {"w": jnp.zeros(3), "readout": jnp.ones_like(params["readout"]), "bias": jnp.zeros(2)}
        updates, _ = _optimizer(GradientOptions(max_gradient_norm=1e9), params).update(grads, state, params)
        assert float(jnp.abs(updates["readout"]).max()) == pytest.approx(expected, rel=1e-3)   # Adam's first step


def test_train_classification_runs_on_spike_patterns():
    from hetnet.tasks.spike_patterns import make_spike_patterns

    config = HRSNNConfig(n_neurons=30, seed=0, dt_ms=0.5)
    data = make_spike_patterns(n_classes=2, samples_per_class=6, n_channels=10, duration_ms=config.input.present_ms,
                               seed=0)
    results = train_classification(config, data, variants=("HeNB",), options=GradientOptions(epochs=2, batch_size=4))
    row = results["HeNB"]
    assert 0 <= row["accuracy"] <= 1 and row["n_train"] + row["n_test"] == 12
    assert len(row["training"]["loss"]) == 2 and np.isfinite(row["training"]["final_loss"])


def test_cli_run_with_gradient_training_writes_the_sg_rows(tmp_path):
    import json

    from hetnet.cli.main import main

    status = main(["run", "--training", "gradient", "--quick", "--n-neurons", "30", "--epochs", "2",
                   "--train-steps", "40", "--test-steps", "10", "--washout-steps", "5", "--out", str(tmp_path / "out")])
    assert status == 0
    record = json.loads((tmp_path / "out" / "results.json").read_text())
    assert record["training"] == "gradient" and sorted(record["variants"]) == ["HeNB", "HoNB"]
    for row in record["variants"].values():
        assert row["training_method"] == "gradient" and row["training_epochs"] == 2
        assert row["nrmse"] > 0 and row["recurrent_sops"] > 0 and row["spikes_per_neuron"] > 0
    assert main(["run", "--training", "gradient", "--variants", "HeNHeS,XYZ", "--out", str(tmp_path / "bad")]) == 2
