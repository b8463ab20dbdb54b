"""Encoders of spike, event, image and video samples (hetnet.encoding.samples)."""

import numpy as np
import pytest

from hetnet.config import InputConfig
from hetnet.datasets.base import SpikeSample
from hetnet.encoding import (
    EncodingError,
    SpikeStimulus,
    encode_event_samples,
    encode_image_samples,
    encode_spike_samples,
    encode_videos,
    pool_images,
    samples_duration_steps,
)


def test_spike_samples_concatenated_with_rest_and_pooling():
    config = InputConfig(step_ms=10.0, present_ms=100.0, rest_ms=100.0)
    samples = [
        SpikeSample(np.array([1.0, 50.0, 150.0]), np.array([0, 699, 5]), 700),  # 150 ms cut
        SpikeSample(np.array([2.0, 2.0]), np.array([13, 8]), 700),  # same tick, pooled 13//7=1, 8//7=1
    ]
    stimulus = encode_spike_samples(samples, config, channel_pool=7)
    assert isinstance(stimulus, SpikeStimulus)
    assert stimulus.n_channels == 100 and stimulus.duration_ms == 400.0
    np.testing.assert_array_equal(stimulus.sample_steps, [[0, 10], [20, 30]])
    np.testing.assert_allclose(stimulus.times_ms, [1.0, 50.0, 202.0])
    np.testing.assert_array_equal(stimulus.indices, [0, 99, 1])
    squeezed = encode_spike_samples(samples, config, time_scale=0.5)
    assert 75.0 in squeezed.times_ms.tolist()  # 150 ms * 0.5 now inside the window


def test_event_samples_pooled_channels_and_thinning():
    generator = np.random.default_rng(0)
    events = np.column_stack([generator.integers(0, 128, 500), generator.integers(0, 128, 500),
                              generator.integers(0, 2, 500), np.sort(generator.uniform(0, 90, 500))])
    config = InputConfig(present_ms=100.0, rest_ms=50.0, step_ms=10.0)
    stimulus = encode_event_samples([events, events], config, pool=32)
    assert stimulus.n_channels == 4 * 4 * 2
    assert stimulus.sample_steps.tolist() == [[0, 10], [15, 25]]
    first = stimulus.times_ms < 150
    # channel of the first event
    x, y, p = events[0, :3].astype(int)
    assert ((x // 32) * 4 + y // 32) * 2 + p in stimulus.indices[first]
    np.testing.assert_array_equal(np.sort(stimulus.indices[first]), np.sort(stimulus.indices[~first]))
    thinned = encode_event_samples([events], config, pool=32, max_events_per_sample=50, seed=3)
    assert thinned.indices.size <= 50
    again = encode_event_samples([events], config, pool=32, max_events_per_sample=50, seed=3)
    np.testing.assert_array_equal(thinned.times_ms, again.times_ms)
    with pytest.raises(EncodingError):
        encode_event_samples([np.zeros((3, 3))], config)


def test_images_and_videos():
    images = np.random.default_rng(1).uniform(0, 16, (3, 8, 8))
    pooled = pool_images(images, 2)
    np.testing.assert_allclose(pooled[0, 0, 0], images[0, :2, :2].mean())
    stimulus = encode_image_samples(images, InputConfig(neurons_per_channel=2), pool=2, max_value=16.0)
    assert stimulus.n_channels == 32 and len(stimulus.sample_steps) == 3
    videos = [np.random.default_rng(2).uniform(0, 1, (frames, 16, 16)) for frames in (5, 12)]
    config = InputConfig(neurons_per_channel=1, step_ms=10.0, present_ms=100.0, rest_ms=20.0)
    video_stimulus = encode_videos(videos, config, pool=4, max_value=1.0)
    assert video_stimulus.n_channels == 16 and video_stimulus.n_steps == 24
    np.testing.assert_array_equal(video_stimulus.sample_steps, [[0, 10], [12, 22]])
    assert np.all(video_stimulus.rates_hz[10:12] == 0)
    expected_first = pool_images(videos[0], 4)[0].ravel() * 64.0
    np.testing.assert_allclose(video_stimulus.rates_hz[0], expected_first)
    with pytest.raises(EncodingError, match="multiples"):
        samples_duration_steps(InputConfig(step_ms=30.0, present_ms=100.0))
