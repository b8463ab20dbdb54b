"""Prediction and classification pipelines on tiny simulated networks."""

import numpy as np
import pytest

from hetnet.config import HRSNNConfig
from hetnet.datasets import lorenz63
from hetnet.tasks import classify, make_spike_patterns, predict_series


@pytest.fixture(scope="module")
def small_config():
    return HRSNNConfig(n_neurons=40, dt_ms=0.5, seed=2).replace(
        weights={"input_scale_mV": 4.0}, input={"neurons_per_channel": 5}
    )


def test_one_step_prediction_lorenz63(small_config):
    series = lorenz63(101, seed=1)
    results = predict_series(small_config, series, train_steps=80, test_steps=20, washout_steps=10,
                             variants=("HeNHeS",), dt=0.02, lyapunov_exponent=0.906, ridge=1e-2)
    metrics = results["HeNHeS"]
    assert metrics["predictions"].shape == (20, 3)
    np.testing.assert_array_equal(metrics["truth"], series[81:101])
    assert metrics["mean_rate_hz"] > 0
    # the reservoir carries information about the next value: better than
    # the training mean (NRMSE 1) on the training and the test steps
    assert metrics["train_nrmse"] < 0.8
    assert metrics["nrmse"] < 1.0
    assert 0 <= metrics["vpt_steps"] <= 20
    assert metrics["vpt_lyapunov_times"] == pytest.approx(metrics["vpt_steps"] * 0.02 * 0.906)


def test_free_running_prediction_runs_closed_loop(small_config):
    series = lorenz63(64, seed=1)
    results = predict_series(small_config, series, train_steps=60, test_steps=3, washout_steps=10,
                             context_steps=20, variants=("HoNHoS",), mode="free-running", dt=0.02)
    metrics = results["HoNHoS"]
    assert metrics["mode"] == "free-running" and metrics["predictions"].shape == (3, 3)
    assert np.all(np.isfinite(metrics["predictions"]))
    with pytest.raises(ValueError, match="mode"):
        predict_series(small_config, series, train_steps=60, test_steps=3, mode="teacher")
    with pytest.raises(ValueError, match="series needs"):
        predict_series(small_config, series, train_steps=60, test_steps=10)


def test_spike_pattern_classification_and_training_fraction(small_config):
    config = small_config.replace(input={"present_ms": 50.0, "rest_ms": 50.0, "step_ms": 10.0})
    data = make_spike_patterns(n_classes=2, samples_per_class=8, n_channels=20, duration_ms=50.0,
                               rate_hz=30.0, jitter_ms=1.0, seed=0)
    results = classify(config, data, variants=("HeNHeS",), train_fraction=0.5)
    metrics = results["HeNHeS"]
    assert metrics["n_train"] == 8 and metrics["n_test"] == 8
    assert metrics["spikes_per_sample"] > 0
    assert 0.0 <= metrics["accuracy"] <= 1.0 and metrics["train_accuracy"] == 1.0
    limited = classify(config, data, variants=("HeNHeS",), train_fraction=0.5, training_fraction=0.5)
    assert limited["HeNHeS"]["n_train"] == 4 and limited["HeNHeS"]["n_test"] == 8
