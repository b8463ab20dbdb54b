"""Named tasks for ``hetnet run --task NAME``.

``TASKS`` maps a task name to a callable with the signature of
:func:`run_task`; :func:`format_task_table` prints the metrics.

- prediction (one-step, ridge readout; train 500, test 100 steps, or
  ``quick``: 150 / 40): ``lorenz63`` (dt 0.02), ``rossler`` (dt 0.1),
  ``lorenz96`` (two-scale, dt 0.01, the 8 slow variables),
  ``mackey-glass`` (dt 1), ``sunspots`` (yearly; statsmodels), ``santafe-laser``
  (the Santa Fe competition laser series A; reservoirpy's copy).
- classification (each sample 100 ms then 100 ms rest; spike counts;
  logistic readout): ``digits`` (scikit-learn, pooled 2x2 to 16 pixels),
  ``spike-patterns`` (jittered templates), ``shd`` (``--data`` HDF5 file,
  700 units pooled by 7, times squeezed x0.1 so 1 s fits 100 ms).
- event and video classification (same protocol): ``synthetic-events``
  (offline, *synthetic*: shapes moving in 4 directions on a 128x128 on/off
  sensor, :func:`hetnet.datasets.make_moving_shapes`; a stand-in for DVS128),
  ``dvs128`` (``--data`` the DVS128 Gesture folder in tonic's layout),
  ``kth`` (``--data`` the KTH class folders of ``.npy`` / ``.avi`` videos, frame
  differences) and ``cifar10`` (``--data`` the ``cifar-10-batches-py`` folder,
  grey, pooled 4x4 to 64 pixels). Events are pooled 16x16 pixels to 128
  channels. :data:`DATA_TASKS` names the file each ``--data`` task reads.
- ``--set input.frontend=conv`` runs the image, event and video tasks (``digits``,
  ``synthetic-events``, ``dvs128``, ``kth``, ``cifar10``) through the convolutional
  front-end of the CHRSNN (:mod:`hetnet.encoding.convolution`) instead; their frames are
  summed over squares of 4x4 pixels first (events, KTH; 2x2 CIFAR-10, none for digits).

``quick`` shrinks the data so a task runs in about a minute per variant on
the numpy runtime with a small network.

Examples
--------
>>> sorted(TASKS)[:4]
['cifar10', 'digits', 'dvs128', 'kth']
>>> sorted(DATA_TASKS)
['cifar10', 'dvs128', 'kth', 'shd']
>>> print(format_task_table({"lorenz63": {"HeNHeS": {"nrmse": 0.5, "vpt_steps": 3}}}))
task      variant  nrmse   vpt_steps
lorenz63  HeNHeS   0.5000  3
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Callable, Optional, Sequence

import numpy as np

from hetnet.config import HRSNNConfig

__all__ = ["TASKS", "run_task", "classification_data", "format_task_table", "scalar_metrics", "task_series",
           "PREDICTION_TASKS", "CLASSIFICATION_TASKS", "DATA_TASKS"]

logger = logging.getLogger(__name__)

PREDICTION_TASKS = ("lorenz63", "rossler", "lorenz96", "mackey-glass", "sunspots", "santafe-laser")
CLASSIFICATION_TASKS = ("digits", "spike-patterns", "shd", "synthetic-events", "dvs128", "kth", "cifar10")

#: task -> what its ``--data PATH`` must be (the tasks that read a local file)
DATA_TASKS = {
    "shd": "an SHD HDF5 file, e.g. shd_train.h5",
    "dvs128": "the DVS128 Gesture folder in tonic's layout (holding ibmGestureTrain/<user>_<lighting>/<label>.npy)",
    "kth": "the KTH folder of class folders (boxing/, handclapping/, ... each of .npy or .avi videos)",
    "cifar10": "the CIFAR-10 python folder cifar-10-batches-py (data_batch_1..5, test_batch, batches.meta)",
}


def _series(name: str, n_steps: int, seed: int):
    from hetnet.datasets import chaotic, packaged

    if name == "lorenz63":
        return chaotic.lorenz63(n_steps, seed=seed), 0.02, 0.906
    if name == "rossler":
        return chaotic.rossler(n_steps, seed=seed), 0.1, 0.0714
    if name == "lorenz96":
        return chaotic.lorenz96_two_scale(n_steps, seed=seed), 0.01, None
    if name == "mackey-glass":
        return chaotic.mackey_glass(n_steps, seed=seed), 1.0, 0.0086
    if name == "sunspots":
        values = packaged.load_sunspots()
        return values, 1.0, None
    if name == "santafe-laser":
        return packaged.load_santafe_laser(), 1.0, None
    raise KeyError(name)


def scalar_metrics(metrics: dict) -> dict:
    """The numbers and labels of a metrics dictionary (arrays and result objects dropped)."""
    return {key: value for key, value in metrics.items()
            if value is None or isinstance(value, (str, bool, int, float, np.number))}


def task_series(name: str, n_steps: int, seed: int = 0):
    """``(series, dt, largest Lyapunov exponent or None)`` of a prediction task."""
    return _series(name, n_steps, seed)


def _at_most(data, max_samples, seed):
    """A seeded stratified subset of at most ``max_samples`` samples (``data`` itself when it is small enough)."""
    if max_samples is None or len(data) <= max_samples:
        return data
    from hetnet.datasets import stratified_split

    keep, _ = stratified_split(data.labels, max_samples / len(data), seed=seed)
    return data.subset(keep)


def run_task(
    name: str,
    config: HRSNNConfig,
    *,
    variants: Sequence[str] = ("HoNHoS", "HeNHeS"),
    data_path=None,
    quick: bool = False,
    progress: Optional[Callable[[str], None]] = None,
    seed: int = 0,
    mode: str = "one-step",
    max_samples: Optional[int] = None,
) -> dict:
    """Run one named task and return its metrics per variant.

    Parameters
    ----------
    name : str
        A key of :data:`TASKS`.
    config : HRSNNConfig
    variants : sequence of str
    data_path : str or Path, optional
        Required by the tasks of :data:`DATA_TASKS` (``shd``, ``dvs128``,
        ``kth``, ``cifar10``); ignored otherwise.
    quick : bool
        Smaller data for a fast check.
    progress : callable, optional
    seed : int
        Seed of the data (generators, splits).
    mode : {"one-step", "free-running"}
        Prediction tasks only.
    max_samples : int, optional
        Classification tasks only: keep at most this many samples (a seeded,
        stratified subset), after ``quick``'s own reduction.

    Returns
    -------
    dict
        ``{variant: {metric: value}}`` (arrays removed).
    """
    from hetnet.tasks.classification import classify
    from hetnet.tasks.prediction import predict_series

    if name in PREDICTION_TASKS:
        train_steps, test_steps = (150, 40) if quick else (500, 100)
        series, dt, exponent = _series(name, train_steps + test_steps + 1, seed)
        if len(series) < train_steps + test_steps + 1:
            train_steps = len(series) - test_steps - 1
        results = predict_series(
            config, series, train_steps=train_steps, test_steps=test_steps, variants=variants,
            mode=mode, dt=dt, lyapunov_exponent=exponent, washout_steps=min(50, train_steps // 4),
            progress=progress,
        )
        return {variant: scalar_metrics(metrics) for variant, metrics in results.items()}
    if name not in CLASSIFICATION_TASKS:
        raise KeyError(f"unknown task {name!r}; known: {', '.join(sorted(TASKS))}")
    data, encoder_options = classification_data(name, config, data_path=data_path, quick=quick, seed=seed)
    data = _at_most(data, max_samples, seed)
    return classify(config, data, variants=variants, encoder_options=encoder_options, seed=seed, progress=progress)


#: Task name -> callable ``(config, *, variants, data_path, quick, progress, seed) -> dict``.
TASKS = {name: partial(run_task, name) for name in PREDICTION_TASKS + CLASSIFICATION_TASKS}


def classification_data(name: str, config, *, data_path=None, quick: bool = False, seed: int = 0):
    """The data of a built-in classification task and the encoder options it is fed with.

    Parameters
    ----------
    name : str
        One of :data:`CLASSIFICATION_TASKS`.
    config : hetnet.config.HRSNNConfig
        For the presentation time of spike and event data.
    data_path : str or pathlib.Path, optional
        The local data of a task in :data:`DATA_TASKS` (required there).
    quick : bool
        A stratified subset of about 60 samples (digits, SHD, CIFAR-10), 8 per class (spike
        patterns), 6 per class (synthetic events), 3 videos per class (KTH) or the first 66
        DVS128 samples (6 recordings of the 11 gestures; 440 without ``quick``).
    seed : int
        Seed of the subset and of the generated patterns.

    Returns
    -------
    data : hetnet.datasets.LabelledData
    encoder_options : dict
        Keyword arguments of :func:`hetnet.tasks.classification.encode_labelled`. Under
        ``input.frontend = "conv"`` (image, event and video tasks) ``pool`` is the front-end's
        input pooling instead: 4 pixels per side for events and KTH, 2 for CIFAR-10, 1 for digits.

    Examples
    --------
    >>> from hetnet.config import HRSNNConfig
    >>> data, options = classification_data("spike-patterns", HRSNNConfig(), quick=True)
    >>> len(data), options
    (32, {})
    """
    data, options = _classification_data(name, config, data_path=data_path, quick=quick, seed=seed)
    if config.input.frontend == "conv" and name in _CONV_INPUT_POOL:
        options = {"pool": _CONV_INPUT_POOL[name], **{k: v for k, v in options.items() if k == "time_scale"}}
    return data, options


#: ``input.frontend = "conv"``: side of the squares of pixels summed before the filters (replacing the direct
#: encoders' ``pool``; the front-end pools its own feature maps by ``input.conv_pool``)
_CONV_INPUT_POOL = {"digits": 1, "synthetic-events": 4, "dvs128": 4, "kth": 4, "cifar10": 2}


def _classification_data(name: str, config, *, data_path=None, quick: bool = False, seed: int = 0):
    """:func:`classification_data` for the direct encoders."""
    from hetnet.datasets import stratified_split
    from hetnet.errors import UsageError

    if name == "digits":
        from hetnet.datasets import load_digits

        data = load_digits()
        if quick:
            keep, _ = stratified_split(data.labels, 60 / len(data), seed=seed)
            data = data.subset(keep)
        return data, {"pool": 2}
    if name == "spike-patterns":
        from hetnet.tasks.spike_patterns import make_spike_patterns

        return make_spike_patterns(n_classes=4, samples_per_class=8 if quick else 25,
                                   duration_ms=config.input.present_ms, seed=seed), {}
    if name in DATA_TASKS and data_path is None:
        raise UsageError("--data", None, f"task {name!r} needs --data PATH to {DATA_TASKS[name]}")
    if name in _EVENT_AND_VIDEO_TASKS:
        return _event_and_video_data(name, config, data_path, quick, seed)
    if name == "shd":
        from hetnet.datasets import load_shd

        data = load_shd(data_path)
        if quick and len(data) > 60:
            keep, _ = stratified_split(data.labels, 60 / len(data), seed=seed)
            data = data.subset(keep)
        return data, {"channel_pool": 7, "time_scale": config.input.present_ms / 1000.0}
    raise UsageError("--task", name, "is not a classification task")


_EVENT_AND_VIDEO_TASKS = ("synthetic-events", "dvs128", "kth", "cifar10")
#: events: 16x16 pixels per channel (128 channels from 128x128x2); at most this many events per sample
_EVENT_POOL, _MAX_EVENTS = 16, 1500
#: DVS128 Gesture recordings last about 6 s: squeezed into the presentation window
_DVS_RECORDING_MS = 6000.0


def _event_and_video_data(name: str, config, data_path, quick: bool, seed: int):
    """Data and encoder options of ``synthetic-events``, ``dvs128``, ``kth`` and ``cifar10``."""
    from hetnet.datasets import DatasetError, load_cifar, load_dvs_gesture, load_kth, make_moving_shapes

    present_ms = config.input.present_ms
    if name == "synthetic-events":
        data = make_moving_shapes(n_classes=4, samples_per_class=6 if quick else 25, duration_ms=present_ms,
                                  seed=seed)
        return data, {"pool": _EVENT_POOL, "max_events_per_sample": _MAX_EVENTS, "seed": seed}
    if name == "dvs128":
        # files come recording by recording, each with all 11 gestures: the first ones are balanced, and
        # reading only them keeps memory small (a recording holds up to 10^6 events)
        data = load_dvs_gesture(data_path, train=True, max_samples=66 if quick else 440)
        return data, {"pool": _EVENT_POOL, "time_scale": present_ms / _DVS_RECORDING_MS,
                      "max_events_per_sample": _MAX_EVENTS, "seed": seed}
    if name == "kth":
        data = load_kth(data_path, max_per_class=3 if quick else 25, max_frames=20 if quick else 60)
        return data, {"pool": 16}
    data = load_cifar(data_path, train=True, max_samples=600 if quick else 3000, grey=True)
    if data.n_classes != 10:
        raise DatasetError(f"{data_path}: holds {data.n_classes} classes, not CIFAR-10's 10; task 'cifar10' expects "
                           f"{DATA_TASKS['cifar10']}")
    return _at_most(data, 60 if quick else 1000, seed), {"pool": 4}


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "-" if value is None else str(value)


def format_task_table(results: dict) -> str:
    """Plain-text table of ``{task: {variant: {metric: value}}}``.

    A ``{variant: {metric: value}}`` mapping (one task) is accepted too.
    """
    if results and all(isinstance(value, dict) and all(isinstance(inner, dict) for inner in value.values())
                       for value in results.values()):
        nested = results
    else:
        nested = {"task": results}
    metrics = []
    for per_variant in nested.values():
        for values in per_variant.values():
            for key in values:
                if key not in metrics and key not in ("mode",):
                    metrics.append(key)
    header = ["task", "variant"] + metrics
    rows = [header]
    for task, per_variant in nested.items():
        for variant, values in per_variant.items():
            rows.append([task, variant] + [_format(values.get(metric)) for metric in metrics])
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)
