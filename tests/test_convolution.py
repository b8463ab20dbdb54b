"""The convolutional spiking front-end of the CHRSNN (hetnet.encoding.convolution)."""
import math

import numpy as np
import pytest

from hetnet.config import ConfigError, HRSNNConfig, InputConfig
from hetnet.datasets import LabelledData, make_moving_shapes
from hetnet.encoding import EncodingError, SpikeStimulus
from hetnet.encoding.convolution import (
    encode_convolutional,
    filter_bank,
    filter_responses,
    integrate_and_fire,
    pool_spikes,
    sample_frames,
)
from hetnet.tasks.classification import classify, encode_labelled


def _vertical_edge(size=16):
    image = np.zeros((1, size, size))
    image[0, :, size // 2:] = 1.0
    return image


# --- filters ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("orientations, kernel", [(1, 3), (4, 5), (6, 7)])
def test_filters_have_zero_mean_and_unit_l1_norm(orientations, kernel):
    bank = filter_bank(orientations, kernel)
    assert bank.shape == (orientations + 1, kernel, kernel)
    np.testing.assert_allclose(bank.sum(axis=(1, 2)), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.abs(bank).sum(axis=(1, 2)), 1.0)
    # point-symmetric: correlation is convolution
    np.testing.assert_allclose(bank, bank[:, ::-1, ::-1], atol=1e-12)


def test_a_vertical_edge_excites_the_vertical_filter_most_and_the_horizontal_one_not_at_all():
    responses = filter_responses(_vertical_edge(), filter_bank(4, 5))  # ON maps 0..4, OFF maps 5..9
    per_filter = responses[:, :5].sum(axis=(0, 2, 3)) + responses[:, 5:].sum(axis=(0, 2, 3))
    assert int(np.argmax(per_filter)) == 0  # filter 0 varies along x: the vertical one
    assert per_filter[2] < 1e-12  # filter 2 varies along y: a vertical edge gives exactly 0
    assert per_filter[0] > per_filter[1] > per_filter[2] and per_filter[0] > per_filter[3] > per_filter[2]
    # transposing the image swaps the vertical and horizontal filters
    transposed = filter_responses(_vertical_edge().transpose(0, 2, 1), filter_bank(4, 5))
    per_filter_t = transposed[:, :5].sum(axis=(0, 2, 3)) + transposed[:, 5:].sum(axis=(0, 2, 3))
    assert int(np.argmax(per_filter_t)) == 2 and per_filter_t[0] < 1e-12


def test_responses_are_bounded_by_the_frame_and_the_stride_sets_the_map_size():
    frames = np.random.default_rng(0).uniform(-3, 3, size=(4, 11, 9))
    responses = filter_responses(frames, filter_bank(3, 5), stride=2)
    assert responses.shape == (4, 8, 6, 5)
    assert responses.min() >= 0 and responses.max() <= 3.0
    assert np.all(np.minimum(responses[:, :4], responses[:, 4:]) == 0)  # ON and OFF halves exclusive


# --- integrate-and-fire neurons and pooling --------------------------------------------------------

@pytest.mark.parametrize("current, threshold, steps", [(0.3, 0.7, 100), (0.25, 1.0, 8), (1.7, 0.5, 33),
                                                       (0.01, 2.0, 150), (0.0, 1.0, 10)])
def test_constant_input_gives_floor_of_input_times_steps_over_threshold_spikes(current, threshold, steps):
    counts = integrate_and_fire(np.full((steps, 1), current), threshold)
    assert counts.sum() == math.floor(current * steps / threshold + 1e-9)


def test_integrate_and_fire_resets_by_subtraction_and_refuses_negative_input():
    assert integrate_and_fire(np.array([0.6, 0.6, 0.6, 2.5]), 1.0).tolist() == [0, 1, 0, 3]  # 1.2 -> 0.2, 0.8, 3.3 -> 0.3
    with pytest.raises(EncodingError):
        integrate_and_fire(np.array([-0.1, 0.2]), 1.0)
    with pytest.raises(EncodingError):
        integrate_and_fire(np.ones(3), 0.0)


def test_pooling_is_any_spike_in_the_square_with_partial_squares_kept():
    counts = np.zeros((2, 2, 5, 3), dtype=int)
    counts[0, 0, 4, 2] = 3  # map 0, last (partial) square
    counts[1, 1, 0, 0] = 1  # map 1, first square
    counts[1, 1, 1, 1] = 2  # same square: still one channel spike
    spikes = pool_spikes(counts, 2)
    assert spikes.shape == (2, 2 * 3 * 2)
    assert np.flatnonzero(spikes[0]).tolist() == [5] and np.flatnonzero(spikes[1]).tolist() == [6]


# --- samples to stimulus ---------------------------------------------------------------------------

def test_event_frames_count_on_minus_off_events_per_bin_and_squeeze_time():
    events = np.array([[0, 0, 1, 0.2], [1, 1, 1, 0.4], [0, 0, 0, 30.0], [3, 3, 1, 99.0]])
    config = InputConfig(present_ms=10.0, conv_frame_ms=2.0)
    frames, frame_of_bin = sample_frames(events, "events", config, pool=2, sensor_size=(4, 4, 2), time_scale=0.1)
    assert frames.shape == (5, 2, 2) and frame_of_bin.tolist() == [0, 1, 2, 3, 4]
    assert frames[0, 0, 0] == 2.0 and frames[1, 0, 0] == -1.0  # 0.2, 0.4 -> 0.02, 0.04 ms; 30 -> 3 ms
    assert frames[4, 1, 1] == 1.0 and frames.sum() == 2.0


def test_channel_count_and_sample_slots():
    config = InputConfig(frontend="conv", conv_orientations=3, conv_kernel=3, conv_stride=2, conv_pool=3,
                         present_ms=50.0, rest_ms=30.0, step_ms=10.0)
    images = np.random.default_rng(1).uniform(0, 1, size=(3, 13, 10))
    stimulus = encode_convolutional(images, "images", config, resolution_ms=0.5)
    # 4 filters x (ON, OFF) x ceil(ceil(13 / 2) / 3) x ceil(ceil(10 / 2) / 3)
    assert isinstance(stimulus, SpikeStimulus)
    assert stimulus.n_channels == 8 * 3 * 2
    assert stimulus.duration_ms == 3 * 80.0
    assert stimulus.sample_steps.tolist() == [[0, 5], [8, 13], [16, 21]]
    slot = np.floor(stimulus.times_ms / 80.0)
    assert np.all(stimulus.times_ms - slot * 80.0 < 50.0)  # no spike in the rest periods


def test_the_front_end_is_deterministic():
    data = make_moving_shapes(n_classes=2, samples_per_class=2, duration_ms=30.0, seed=4)
    config = InputConfig(frontend="conv", present_ms=30.0, rest_ms=10.0, step_ms=10.0)
    first = encode_convolutional(data.samples, "events", config, pool=4)
    second = encode_convolutional(data.samples, "events", config, pool=4)
    assert first.indices.size > 0
    np.testing.assert_array_equal(first.indices, second.indices)
    np.testing.assert_array_equal(first.times_ms, second.times_ms)


def test_videos_show_their_frames_in_order_and_a_static_video_is_an_image():
    config = InputConfig(frontend="conv", conv_pool=16, present_ms=40.0, conv_threshold=0.05)
    still = _vertical_edge()
    as_image = encode_convolutional(still, "images", config)
    as_video = encode_convolutional([np.repeat(still, 4, axis=0)], "video", config)
    np.testing.assert_array_equal(as_image.indices, as_video.indices)
    np.testing.assert_array_equal(as_image.times_ms, as_video.times_ms)
    _, frame_of_bin = sample_frames(np.zeros((4, 8, 8)), "video", config)
    assert frame_of_bin.tolist() == [k * 4 // 40 for k in range(40)]


# --- configuration and pipeline --------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [("frontend", "cnn"), ("conv_kernel", 4), ("conv_kernel", 1),
                                          ("conv_stride", 0), ("conv_pool", 1.5), ("conv_orientations", 0),
                                          ("conv_threshold", 0.0), ("conv_frame_ms", -1.0)])
def test_bad_front_end_settings_name_the_field(field, value):
    with pytest.raises(ConfigError, match=f"input.{field}"):
        HRSNNConfig.from_dict({"input": {field: value}})


def test_spike_data_cannot_go_through_the_front_end():
    from hetnet.datasets.base import SpikeSample

    data = LabelledData([SpikeSample(np.array([1.0]), np.array([0]), 2)] * 2, np.array([0, 1]), ("a", "b"), "spikes")
    with pytest.raises(ConfigError, match="input.frontend.*image, event or video"):
        encode_labelled(data, InputConfig(frontend="conv"))


def test_encode_labelled_uses_the_front_end_only_when_asked():
    data = make_moving_shapes(n_classes=2, samples_per_class=1, duration_ms=20.0, seed=0)
    direct = encode_labelled(data, InputConfig(present_ms=20.0), pool=16)
    convolved = encode_labelled(data, InputConfig(present_ms=20.0, frontend="conv"), pool=4)
    assert direct.n_channels == 128 and convolved.n_channels == 10 * 4 * 4


def test_the_cli_runs_a_task_through_the_front_end_and_refuses_bad_values(tmp_path, monkeypatch, capsys):
    from hetnet.cli.main import main
    import hetnet.tasks.registry as registry

    seen = {}

    def fake_classify(config, data, **kwargs):
        stimulus = encode_labelled(data.subset([0]), config.input, **kwargs["encoder_options"])
        seen["channels"] = stimulus.n_channels
        return {variant: {"accuracy": 0.5} for variant in kwargs["variants"]}

    monkeypatch.setattr("hetnet.tasks.classification.classify", fake_classify)
    assert registry.classification_data("synthetic-events", HRSNNConfig().replace(
        input=InputConfig(frontend="conv")), quick=True)[1] == {"pool": 4}
    assert main(["run", "--task", "synthetic-events", "--quick", "--n-neurons", "10", "--set", "input.frontend=conv",
                 "--out", str(tmp_path / "ok")]) == 0
    assert seen["channels"] == 160
    assert main(["run", "--task", "synthetic-events", "--set", "input.conv_kernel=4",
                 "--out", str(tmp_path / "bad")]) == 2
    assert "input.conv_kernel" in capsys.readouterr().err


def test_classify_with_the_front_end_on_synthetic_events():
    """End to end at N = 20 on 4 directions x 4 samples (8 train, 8 test).

    No accuracy threshold: with 8 test samples one run says little (chance is
    0.25); the measured accuracies next to chance over seeds are in
    docs/notes/issue-18.md. This checks the pipeline's output.
    """
    data = make_moving_shapes(n_classes=4, samples_per_class=4, duration_ms=50.0, seed=2)
    config = HRSNNConfig(n_neurons=20, dt_ms=0.5, seed=1).replace(
        input=InputConfig(frontend="conv", present_ms=50.0, rest_ms=20.0, step_ms=10.0))
    results = classify(config, data, variants=("HoNHoS", "HeNHeS"), train_fraction=0.5,
                       encoder_options={"pool": 4})
    for metrics in results.values():
        assert metrics["n_train"] == 8 and metrics["n_test"] == 8
        assert 0.0 <= metrics["accuracy"] <= 1.0
        assert metrics["spikes_per_sample"] > 0 and metrics["active_fraction"] > 0


def test_every_image_event_and_video_task_has_front_end_options(monkeypatch):
    import hetnet.datasets as datasets
    from hetnet.tasks.registry import classification_data

    rng = np.random.default_rng(3)
    videos = LabelledData([rng.uniform(0, 1, size=(6, 48, 64)) for _ in range(2)], np.array([0, 1]), ("a", "b"),
                          "video")
    colour = LabelledData(rng.uniform(0, 255, size=(10, 32, 32, 3)), np.arange(10), tuple("abcdefghij"), "images",
                          {"max_value": 255.0})
    events = make_moving_shapes(n_classes=2, samples_per_class=1, duration_ms=20.0, seed=0)
    monkeypatch.setattr(datasets, "load_dvs_gesture", lambda *args, **kwargs: events)
    monkeypatch.setattr(datasets, "load_kth", lambda *args, **kwargs: videos)
    monkeypatch.setattr(datasets, "load_cifar", lambda *args, **kwargs: colour)
    config = HRSNNConfig().replace(input=InputConfig(frontend="conv"))
    expected = {"digits": ({"pool": 1}, 10), "synthetic-events": ({"pool": 4}, 160),
                "dvs128": ({"pool": 4, "time_scale": 100.0 / 6000.0}, 160),
                "kth": ({"pool": 4}, 10 * 2 * 2), "cifar10": ({"pool": 2}, 10 * 2 * 2)}
    for task, (options_wanted, channels) in expected.items():
        data, options = classification_data(task, config, data_path="unused", quick=True)
        assert options == options_wanted, task
        assert encode_labelled(data.subset([0, 1]), config.input, **options).n_channels == channels, task
