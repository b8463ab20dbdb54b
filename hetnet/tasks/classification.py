"""Classification with an HRSNN: unsupervised STDP, spike-count states, readout.

Protocol (:ref:`science-states`): every sample is presented for ``present_ms``
(``T_in``, 100 ms) followed by ``rest_ms`` (100 ms) of silence. A seeded
stratified split gives training and test samples; ``training_fraction``
keeps only that share of the training samples (limited-data experiments).
For each variant a network is generated, trained with STDP on the training
samples, frozen, and run on all samples; the state of a sample is the spike
count of each recurrent neuron over its presentation window (rest
excluded). A readout (logistic regression on standardised counts, or the
paper's MLP) is fitted on the training states and scored on the test ones.

Examples
--------
>>> from hetnet.config import HRSNNConfig
>>> from hetnet.tasks.spike_patterns import make_spike_patterns
>>> data = make_spike_patterns(n_classes=2, samples_per_class=6, n_channels=20, seed=0)
>>> results = classify(HRSNNConfig(n_neurons=50, dt_ms=0.5), data, variants=("HeNHeS",))  # doctest: +SKIP
>>> 0 <= results["HeNHeS"]["accuracy"] <= 1  # doctest: +SKIP
True
"""

from __future__ import annotations

import logging
from typing import Callable, Optional, Sequence

import numpy as np

from hetnet.config import HRSNNConfig
from hetnet.datasets.base import LabelledData, stratified_split
from hetnet.readout import MLPReadout, logistic_readout
from hetnet.encoding import (
    encode_event_samples,
    encode_image_samples,
    encode_spike_samples,
    encode_videos,
)

__all__ = ["classify", "encode_labelled", "sample_states", "split_and_encode", "classification_metrics",
           "input_readout_accuracy"]

logger = logging.getLogger(__name__)


def encode_labelled(data: LabelledData, input_config, **options):
    """Encode a :class:`LabelledData` with the encoder matching its ``kind``.

    ``options`` go to the encoder (``pool``, ``channel_pool``,
    ``time_scale``, ...). With ``input_config.frontend == "conv"`` image,
    event and video data go through the convolutional front-end of the
    CHRSNN instead (:func:`hetnet.encoding.convolution.encode_convolutional`,
    which takes ``pool``, ``time_scale``, ``sensor_size``, ``max_value`` and
    ``resolution_ms``); spike data cannot (a :class:`~hetnet.errors.ConfigError`).

    Examples
    --------
    >>> from hetnet.config import InputConfig
    >>> from hetnet.datasets import load_digits
    >>> encode_labelled(load_digits().subset([0, 1]), InputConfig(neurons_per_channel=1)).n_channels
    64
    """
    if input_config.frontend == "conv":
        return _encode_convolutional(data, input_config, options)
    if data.kind == "images":
        options.setdefault("max_value", data.metadata.get("max_value"))
        return encode_image_samples(data.samples, input_config, **options)
    if data.kind == "spikes":
        return encode_spike_samples(data.samples, input_config, **options)
    if data.kind == "events":
        options.setdefault("sensor_size", data.metadata.get("sensor_size", (128, 128, 2)))
        return encode_event_samples(data.samples, input_config, **options)
    if data.kind == "video":
        return encode_videos(data.samples, input_config, **options)
    raise ValueError(f"unknown data kind {data.kind!r}")


def _encode_convolutional(data: LabelledData, input_config, options: dict):
    from hetnet.encoding.convolution import FRONTEND_KINDS, encode_convolutional
    from hetnet.errors import ConfigError

    if data.kind not in FRONTEND_KINDS:
        raise ConfigError("input.frontend", input_config.frontend,
                          f"the convolutional front-end needs image, event or video data, not {data.kind!r} "
                          "data; use input.frontend = 'none'")
    if data.kind == "events":
        options.setdefault("sensor_size", data.metadata.get("sensor_size", (128, 128, 2)))
    else:
        options.setdefault("max_value", data.metadata.get("max_value"))
    return encode_convolutional(data.samples, data.kind, input_config, **options)


def sample_states(result, stimulus) -> np.ndarray:
    """Spike counts per sample and neuron over each presentation window.

    Parameters
    ----------
    result : SimulationResult
    stimulus : RateStimulus or SpikeStimulus with ``sample_steps``

    Returns
    -------
    ndarray, shape (n_samples, n_neurons)
    """
    counts = result.spike_counts(stimulus.step_ms)
    return np.array([counts[start:stop].sum(axis=0) for start, stop in stimulus.sample_steps], dtype=float)


def _split(labels, train_fraction: float, training_fraction: float, seed: int):
    """``(train, test)`` indices: the stratified split, then ``training_fraction`` of the training part."""
    if not 0 < training_fraction <= 1:
        raise ValueError(f"training_fraction must lie in (0, 1]; got {training_fraction}")
    train, test = stratified_split(labels, train_fraction, seed=seed)
    if training_fraction < 1:
        keep, _ = stratified_split(labels[train], training_fraction, seed=seed + 1)
        train = train[keep]
    return train, test


def input_readout_accuracy(data: LabelledData, *, duration_ms: float, bin_ms: float, train_fraction: float = 0.7,
                           training_fraction: float = 1.0, seed: int = 0) -> float:
    """Test accuracy of the classification readout fitted on the *input* itself, without a network.

    The reference of a classification result: each spike sample becomes its
    spike counts per channel and time bin of ``bin_ms`` over ``[0,
    duration_ms)`` (``bin_ms = duration_ms``: counts only, no timing), and the
    same readout as :func:`classify` (standardised multinomial logistic
    regression) is fitted on the same split (same ``train_fraction``,
    ``training_fraction`` and ``seed``). A network earns its keep when its
    accuracy exceeds this one.

    Parameters
    ----------
    data : LabelledData
        ``kind="spikes"``.
    duration_ms, bin_ms : float
        Window and bin width (ms), ``0 < bin_ms <= duration_ms``.
    train_fraction, training_fraction : float
    seed : int

    Returns
    -------
    float

    Examples
    --------
    >>> from hetnet.tasks.spike_patterns import make_spike_patterns
    >>> data = make_spike_patterns(n_classes=3, samples_per_class=10, seed=0, same_counts=True)
    >>> input_readout_accuracy(data, duration_ms=100.0, bin_ms=10.0, seed=0) > 1 / 3
    True
    """
    if data.kind != "spikes":
        raise ValueError(f"input_readout_accuracy needs spike samples; got kind {data.kind!r}")
    if not 0 < bin_ms <= duration_ms:
        raise ValueError(f"need 0 < bin_ms <= duration_ms; got bin_ms={bin_ms}, duration_ms={duration_ms}")
    n_bins = int(np.ceil(duration_ms / bin_ms))
    features = np.zeros((len(data), data.samples[0].n_units * n_bins))
    for row, sample in enumerate(data.samples):
        inside = (sample.times_ms >= 0) & (sample.times_ms < duration_ms)
        bins = (sample.times_ms[inside] // bin_ms).astype(np.int64)
        np.add.at(features[row], sample.units[inside] * n_bins + bins, 1.0)
    train, test = _split(data.labels, train_fraction, training_fraction, seed)
    model = logistic_readout().fit(features[train], data.labels[train])
    return float(np.mean(model.predict(features[test]) == data.labels[test]))


def split_and_encode(data: LabelledData, config: HRSNNConfig, *, train_fraction: float = 0.7,
                     training_fraction: float = 1.0, encoder_options: Optional[dict] = None, seed: int = 0):
    """The stratified train / test split of ``data`` and its encoded stimuli (all samples, training samples).

    Parameters
    ----------
    data : LabelledData
    config : HRSNNConfig
        ``config.input`` encodes; spike and event data (and all data under
        ``input.frontend = "conv"``) are binned at ``config.dt_ms`` unless
        ``encoder_options`` says otherwise.
    train_fraction : float
        Share of each class in the training split.
    training_fraction : float
        Share of the training split actually used, in (0, 1] (stratified, seed ``seed + 1``).
    encoder_options : dict, optional
        Passed to :func:`encode_labelled`.
    seed : int
        Seed of the split.

    Returns
    -------
    train, test : numpy.ndarray
        Sample indices.
    all_stimulus, train_stimulus
        Every sample in order, and the training samples only.

    Examples
    --------
    >>> from hetnet.config import HRSNNConfig
    >>> from hetnet.tasks.spike_patterns import make_spike_patterns
    >>> data = make_spike_patterns(n_classes=2, samples_per_class=5, seed=0)
    >>> train, test, everything, training = split_and_encode(data, HRSNNConfig(), train_fraction=0.6)
    >>> len(train), len(test), len(training.sample_steps)
    (6, 4, 6)
    """
    train, test = _split(data.labels, train_fraction, training_fraction, seed)
    options = dict(encoder_options or {})
    if data.kind in ("spikes", "events") or config.input.frontend == "conv":
        options.setdefault("resolution_ms", config.dt_ms)
    return train, test, encode_labelled(data, config.input, **options), \
        encode_labelled(data.subset(train), config.input, **options)


def classification_metrics(model, states, labels, train, test, mean_rate_hz: float) -> dict:
    """Test and training accuracy of a fitted readout, and the activity behind them.

    Parameters
    ----------
    model
        A fitted classifier with ``predict``.
    states : numpy.ndarray, shape (n_samples, n_neurons)
        Spike counts per sample (:func:`sample_states`).
    labels : numpy.ndarray, shape (n_samples,)
    train, test : numpy.ndarray
        Sample indices.
    mean_rate_hz : float
        Mean recurrent rate of the frozen run.

    Returns
    -------
    dict
        ``accuracy``, ``train_accuracy``, ``n_train``, ``n_test``, ``spikes_per_sample``, ``mean_rate_hz``.

    Examples
    --------
    >>> class Threshold:
    ...     def predict(self, x):
    ...         return (x[:, 0] > 1).astype(int)
    >>> states = np.array([[0.0], [2.0], [3.0], [0.0]])
    >>> metrics = classification_metrics(Threshold(), states, np.array([0, 1, 1, 1]), np.array([0, 1]),
    ...                                  np.array([2, 3]), 5.0)
    >>> metrics["accuracy"], metrics["train_accuracy"], metrics["spikes_per_sample"]
    (0.5, 1.0, 1.25)
    """
    return {
        "accuracy": float(np.mean(model.predict(states[test]) == labels[test])),
        "train_accuracy": float(np.mean(model.predict(states[train]) == labels[train])),
        "n_train": int(train.size),
        "n_test": int(test.size),
        "spikes_per_sample": float(states.sum(axis=1).mean()),
        "mean_rate_hz": float(mean_rate_hz),
    }


def _readout(kind: str, network, seed: int):
    if kind == "logistic":
        return logistic_readout()
    if kind == "mlp":
        return MLPReadout(network.recurrent_weights_mV(), task="classification", seed=seed)
    raise ValueError(f"readout must be 'logistic' or 'mlp'; got {kind!r}")


def classify(
    config: HRSNNConfig,
    data: LabelledData,
    *,
    variants: Sequence[str] = ("HoNHoS", "HeNHeS"),
    train_fraction: float = 0.7,
    training_fraction: float = 1.0,
    readout: str = "logistic",
    encoder_options: Optional[dict] = None,
    seed: int = 0,
    progress: Optional[Callable[[str], None]] = None,
) -> dict:
    """Run the classification pipeline for each variant.

    Parameters
    ----------
    config : HRSNNConfig
        ``config.input`` sets ``present_ms`` / ``rest_ms`` / ``step_ms``.
    data : LabelledData
    variants : sequence of str
    train_fraction : float
        Share of each class in the training split (the rest is the test set).
    training_fraction : float
        Share of the training split actually used (stratified, seeded), in
        (0, 1]; the test set is unchanged.
    readout : {"logistic", "mlp"}
    encoder_options : dict, optional
        Passed to :func:`encode_labelled`.
    seed : int
        Seed of the splits (the network seed is ``config.seed``).
    progress : callable, optional

    Returns
    -------
    dict
        ``{variant: {"accuracy", "train_accuracy", "n_train", "n_test",
        "spikes_per_sample", "mean_rate_hz", "active_fraction", "n_synapses"}}``
        (``active_fraction``: share of recurrent neurons that spike at least
        once in the frozen run's presentation windows; ``n_synapses``:
        recurrent synapses of the trained network).
    """
    from hetnet.network import generate_network, input_kind_of, simulate

    train, test, all_stimulus, train_stimulus = split_and_encode(
        data, config, train_fraction=train_fraction, training_fraction=training_fraction,
        encoder_options=encoder_options, seed=seed)
    report = progress or logger.debug
    results = {}
    for variant in variants:
        variant_config = config.replace(variant=variant)
        network = generate_network(variant_config, n_input=all_stimulus.n_channels,
                                   input_kind=input_kind_of(all_stimulus))
        report(f"{variant}: STDP training on {train.size} samples")
        trained = simulate(network, train_stimulus, plastic=True)
        report(f"{variant}: frozen run on {len(data)} samples")
        frozen = simulate(trained.final_network, all_stimulus, plastic=False)
        states = sample_states(frozen, all_stimulus)
        model = _readout(readout, trained.final_network, variant_config.seed)
        model.fit(states[train], data.labels[train])
        results[variant] = {
            **classification_metrics(model, states, data.labels, train, test, frozen.mean_rate_hz),
            "active_fraction": float(np.mean(states.sum(axis=0) > 0)),
            "n_synapses": int(trained.final_network.n_synapses),
        }
    return results
