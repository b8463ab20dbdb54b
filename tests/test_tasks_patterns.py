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


def test_same_counts_templates_differ_only_in_timing_and_the_input_reference_sees_it():
    from hetnet.tasks.classification import input_readout_accuracy

    data = make_spike_patterns(n_classes=4, samples_per_class=10, n_channels=20, jitter_ms=0.0, seed=3,
                               same_counts=True)
    counts = [np.bincount(units, minlength=20) for _, units in data.metadata["templates"]]
    for other in counts[1:]:
        np.testing.assert_array_equal(other, counts[0])
    assert not np.array_equal(data.metadata["templates"][0][0], data.metadata["templates"][1][0])
    # without jitter the samples of a class are identical copies of its template: counts alone carry nothing
    # (every feature row is the same, so the readout predicts one class: exactly chance on a balanced test set),
    # the counts per 10 ms bin separate the templates
    assert input_readout_accuracy(data, duration_ms=100.0, bin_ms=100.0, seed=0) == pytest.approx(0.25)
    assert input_readout_accuracy(data, duration_ms=100.0, bin_ms=10.0, seed=0) == 1.0
    # the default draws counts per class: counts alone separate them
    distinct = make_spike_patterns(n_classes=4, samples_per_class=10, n_channels=20, jitter_ms=0.0, seed=3)
    assert input_readout_accuracy(distinct, duration_ms=100.0, bin_ms=100.0, seed=0) == 1.0
    with pytest.raises(ValueError, match="bin_ms"):
        input_readout_accuracy(data, duration_ms=100.0, bin_ms=0.0)


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
