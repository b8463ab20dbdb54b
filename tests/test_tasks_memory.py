"""The memory protocol on a small network, and its no-recurrence control."""
import numpy as np
import pytest

from hetnet.config import HRSNNConfig
from hetnet.encoding import encode_series
from hetnet.tasks.memory import measure_memory, memory_drive, without_recurrence

CONFIG = HRSNNConfig(n_neurons=60, seed=4)


@pytest.fixture(scope="module")
def measured():
    return measure_memory(CONFIG, n_steps=500, train_steps=40, k_max=8, washout=20, n_null=8)


def test_memory_protocol_reports_capacity_with_its_chance_levels_and_regime(measured):
    capacity = measured.capacity
    assert capacity.k_max == 8 and capacity.n_test == round((500 - 20) * 0.3)
    assert capacity.chance_level == pytest.approx(8 / (capacity.n_test - 1))
    assert capacity.null_totals.size == 8
    # the network remembers the last input steps far above the chance level of its own protocol
    assert capacity.total > capacity.null_mean + 6 * capacity.null_sd
    assert capacity.curve[0] > 0.3
    assert measured.regime.mean_rate_hz > 1 and 0 <= measured.regime.silent_fraction <= 1
    assert measured.spikes_per_neuron == pytest.approx(measured.frozen.spikes_per_neuron / 500)
    assert measured.efficiency == pytest.approx(capacity.total / measured.spikes_per_neuron)
    summary = measured.summary()
    assert summary["memory_capacity"]["chance_level"] == capacity.chance_level and summary["state_kind"]


def test_drive_is_seeded_iid_uniform():
    drive = memory_drive(20_000, 3)
    np.testing.assert_array_equal(drive, memory_drive(20_000, 3))
    assert -1 <= drive.min() and drive.max() <= 1 and abs(drive.mean()) < 0.02
    assert abs(np.corrcoef(drive[1:], drive[:-1])[0, 1]) < 0.03


def test_no_recurrence_control_matches_the_rate_with_every_recurrent_weight_zero(measured):
    stimulus = encode_series(memory_drive(60, 9)[:, None], CONFIG.input)
    target = measured.regime.mean_rate_hz
    control, offset, rate = without_recurrence(measured.network, stimulus, target, iterations=8, tolerance=0.05)
    assert all(np.all(control.synapses[name].w == 0) for name in ("ee", "ei", "ie", "ii"))
    np.testing.assert_array_equal(control.synapses["input"].w, measured.network.synapses["input"].w)
    np.testing.assert_allclose(control.bias_mV, measured.network.bias_mV + offset)
    assert rate == pytest.approx(target, rel=0.25)
    with pytest.raises(ValueError, match="no drive offset"):
        without_recurrence(measured.network, stimulus, 5000.0, iterations=2)
