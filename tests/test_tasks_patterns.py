"""Spike-pattern data and the task table (no simulation); the MLP readout is in test_readout_mlp.py."""

import numpy as np
import pytest

from hetnet.tasks import (
    TASKS,
    format_task_table,
    make_spike_patterns,
    run_task,
)
from hetnet.config import HRSNNConfig


def test_spike_patterns_are_jittered_templates():
    data = make_spike_patterns(n_classes=3, samples_per_class=5, n_channels=30, jitter_ms=2.0, seed=4)
    assert len(data) == 15 and data.labels.tolist() == [0] * 5 + [1] * 5 + [2] * 5
    template_times, template_units = data.metadata["templates"][1]
    sample = data.samples[5]
    assert np.all((sample.times_ms >= 0) & (sample.times_ms < 100))
    # each jittered spike lies near a template spike of the same unit
    for time, unit in zip(sample.times_ms, sample.units):
        assert np.min(np.abs(template_times[template_units == unit] - time)) < 10.0
    same = make_spike_patterns(n_classes=3, samples_per_class=5, n_channels=30, jitter_ms=2.0, seed=4)
    np.testing.assert_array_equal(same.samples[7].times_ms, data.samples[7].times_ms)
    with pytest.raises(ValueError):
        make_spike_patterns(n_classes=1)


def test_task_table_and_registry_errors():
    assert set(TASKS) == {"lorenz63", "rossler", "lorenz96", "mackey-glass", "sunspots", "santafe-laser",
                          "digits", "spike-patterns", "shd", "synthetic-events", "dvs128", "kth", "cifar10"}
    table = format_task_table({"digits": {"HoNHoS": {"accuracy": 0.5}, "HeNHeS": {"accuracy": 0.75}}})
    lines = table.splitlines()
    assert lines[0].split() == ["task", "variant", "accuracy"]
    assert lines[2].split() == ["digits", "HeNHeS", "0.7500"]
    single = format_task_table({"HeNHeS": {"nrmse": 0.25, "vpt_lyapunov_times": None}})
    assert "0.2500" in single and "-" in single
    config = HRSNNConfig(n_neurons=20)
    with pytest.raises(ValueError, match="--data"):
        run_task("shd", config)
    with pytest.raises(KeyError, match="unknown task"):
        run_task("cifar-1000", config)
