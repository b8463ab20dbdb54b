"""Loaders of local dataset files in their public formats (nothing downloads).

Every loader raises one :class:`~hetnet.datasets.base.DatasetError` naming
the path and the expected layout when a file is missing, unreadable,
truncated or wrongly shaped.

Layouts
-------
SHD / SSC (Cramer et al. 2020), e.g. ``shd_train.h5``::

    spikes/times   vlen float16, seconds (cast to float64 before arithmetic)
    spikes/units   vlen integers 0..699
    labels         integers, one per sample
    extra/keys     class names (bytes), optional

DVS128 Gesture as tonic stores it::

    <root>/ibmGestureTrain/<user>_<lighting>/<label>.npy   (N, 4): x, y, p, t_ms
    <root>/ibmGestureTest/...

KTH actions (this project's local layout, no video library needed)::

    <root>/<class>/<video>.npy   (n_frames, height, width) grey frames
    classes: boxing, handclapping, handwaving, jogging, running, walking
    (``.avi`` files are read too when OpenCV (cv2) is installed).

CIFAR-10 / CIFAR-100 python pickles::

    cifar-10-batches-py/{data_batch_1..5, test_batch, batches.meta}
    cifar-100-python/{train, test, meta}

CSV time series: a header row and one column chosen by name.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "wind.csv").write_text("time,speed\\n0,1.5\\n1,2.5\\n")
>>> load_csv_series(folder / "wind.csv", "speed").ravel().tolist()
[1.5, 2.5]
"""

from __future__ import annotations

import contextlib
import csv
import logging
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from hetnet.datasets.base import DatasetError, LabelledData, SpikeSample, optional_import
from hetnet.datasets.safe_pickle import safe_load

__all__ = [
    "SHD_LAYOUT",
    "DVS_LAYOUT",
    "KTH_LAYOUT",
    "CIFAR_LAYOUT",
    "KTH_CLASSES",
    "DVS_GESTURE_CLASSES",
    "load_shd",
    "load_dvs_gesture",
    "load_kth",
    "load_cifar",
    "load_csv_series",
    "frame_differences",
]

logger = logging.getLogger(__name__)

SHD_LAYOUT = (
    "an HDF5 file (SHD/SSC format) with datasets spikes/times (vlen float16, seconds), "
    "spikes/units (vlen integers 0..n_units-1), labels (one integer per sample) and optionally extra/keys"
)
DVS_LAYOUT = (
    "tonic's DVSGesture layout: <root>/ibmGestureTrain/<user>_<lighting>/<label>.npy and "
    "<root>/ibmGestureTest/..., each an (N, 4) array with columns x, y, p, t (ms)"
)
KTH_CLASSES = ("boxing", "handclapping", "handwaving", "jogging", "running", "walking")
KTH_LAYOUT = (
    "<root>/<class>/<video>.npy with (n_frames, height, width) grey frames, class folders "
    + ", ".join(KTH_CLASSES)
    + " (.avi videos also read when OpenCV is installed)"
)
CIFAR_LAYOUT = (
    "the CIFAR python pickles: cifar-10-batches-py/{data_batch_1..5, test_batch, batches.meta} or "
    "cifar-100-python/{train, test, meta}; each batch a dict with b'data' (n, 3072) uint8 and "
    "b'labels' (CIFAR-10) or b'fine_labels' (CIFAR-100)"
)
DVS_GESTURE_CLASSES = (
    "hand clapping",
    "right hand wave",
    "left hand wave",
    "right arm clockwise",
    "right arm counter-clockwise",
    "left arm clockwise",
    "left arm counter-clockwise",
    "arm roll",
    "air drums",
    "air guitar",
    "other gestures",
)


def _require_path(path, layout: str, *, directory: bool = False) -> Path:
    path = Path(path)
    exists = path.is_dir() if directory else path.is_file()
    if not exists:
        kind = "folder" if directory else "file"
        raise DatasetError(f"dataset {kind} not found: {path}; expected {layout}")
    return path


@contextlib.contextmanager
def _reading(path, layout: str):
    """Turn any low-level read failure into one DatasetError."""
    try:
        yield
    except DatasetError:
        raise
    except Exception as error:  # noqa: BLE001 - everything becomes one clear error
        raise DatasetError(
            f"cannot read dataset file {path}: {type(error).__name__}: {error}; expected {layout}"
        ) from None


# --------------------------------------------------------------------------
# SHD / SSC
# --------------------------------------------------------------------------


def load_shd(path, *, n_units: int = 700, max_samples: Optional[int] = None) -> LabelledData:
    """Load a Spiking Heidelberg Digits (or SSC) HDF5 file.

    Parameters
    ----------
    path : str or Path
        e.g. ``shd_train.h5``.
    n_units : int, optional
        Input channels (700 cochlea channels).
    max_samples : int, optional
        Read only the first samples.

    Returns
    -------
    LabelledData
        ``kind="spikes"``; samples are :class:`SpikeSample` with times in ms
        (float64) and int64 units.

    Raises
    ------
    DatasetError
        Missing file, missing datasets, ragged lengths, units out of range,
        non-finite or negative times.

    Examples
    --------
    >>> load_shd("/nonexistent/shd_train.h5")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hetnet.datasets.base.DatasetError: dataset file not found: /nonexistent/shd_train.h5; ...
    """
    path = _require_path(path, SHD_LAYOUT)
    h5py = optional_import("h5py", "load_shd")
    with _reading(path, SHD_LAYOUT):
        with h5py.File(path, "r") as handle:
            for name in ("spikes/times", "spikes/units", "labels"):
                if name not in handle:
                    raise DatasetError(f"{path} has no dataset '{name}'; expected {SHD_LAYOUT}")
            times_set, units_set = handle["spikes/times"], handle["spikes/units"]
            labels = _integer_labels(np.asarray(handle["labels"][()]).ravel(), path)
            count = labels.size
            if len(times_set) != count or len(units_set) != count:
                raise DatasetError(
                    f"{path}: {len(times_set)} spike-time rows, {len(units_set)} unit rows and "
                    f"{count} labels differ; expected {SHD_LAYOUT}"
                )
            if max_samples is not None:
                count = min(count, int(max_samples))
            samples = []
            for index in range(count):
                # float16 seconds: cast first, then convert (float16 * 1000 may overflow).
                times_ms = np.asarray(times_set[index]).astype(np.float64) * 1000.0
                units = np.asarray(units_set[index]).astype(np.int64)
                if times_ms.shape != units.shape or times_ms.ndim != 1:
                    raise DatasetError(
                        f"{path}: sample {index} has {times_ms.size} times but {units.size} units"
                    )
                if units.size and (units.min() < 0 or units.max() >= n_units):
                    bad = units.min() if units.min() < 0 else units.max()
                    raise DatasetError(f"{path}: sample {index} has unit {bad}, outside 0..{n_units - 1}; units must "
                                       f"be channel indices below n_units = {n_units}")
                if times_ms.size and (not np.all(np.isfinite(times_ms)) or times_ms.min() < 0):
                    bad = float(times_ms[~np.isfinite(times_ms) | (times_ms < 0)][0] / 1000.0)
                    raise DatasetError(f"{path}: sample {index} has spike time {bad!r} s; spike times must be "
                                       "finite and >= 0 (seconds)")
                order = np.argsort(times_ms, kind="stable")
                samples.append(SpikeSample(times_ms[order], units[order], int(n_units)))
            labels = labels[:count]
            if "extra/keys" in handle:
                keys = [
                    key.decode("utf-8") if isinstance(key, bytes) else str(key)
                    for key in np.asarray(handle["extra/keys"][()]).ravel()
                ]
            else:
                keys = [str(label) for label in range(int(labels.max(initial=-1)) + 1)]
    if labels.size and (labels.min() < 0 or labels.max() >= len(keys)):
        bad = labels.min() if labels.min() < 0 else labels.max()
        raise DatasetError(f"{path}: label {bad}; labels must lie in 0..{len(keys) - 1} (one per extra/keys "
                           "class name)")
    return LabelledData(samples, labels, tuple(keys), "spikes", {"path": str(path), "n_units": int(n_units)})


def _integer_labels(labels: np.ndarray, path) -> np.ndarray:
    """Labels as int64; float labels must be whole numbers (never silently truncated)."""
    if labels.dtype.kind in "iu":
        return labels.astype(np.int64)
    if labels.dtype.kind == "f":
        bad = ~np.isfinite(labels) | (labels != np.round(labels))
        if not bad.any():
            return labels.astype(np.int64)
        first = int(np.flatnonzero(bad)[0])
        raise DatasetError(f"{path}: labels[{first}] = {float(labels[first])!r} is not a whole number ({int(bad.sum())} "
                           f"such labels); labels must be integer class indices; expected {SHD_LAYOUT}")
    raise DatasetError(f"{path}: labels have dtype {labels.dtype}; labels must be integer class indices; "
                       f"expected {SHD_LAYOUT}")


# --------------------------------------------------------------------------
# DVS128 Gesture (tonic layout)
# --------------------------------------------------------------------------


def load_dvs_gesture(
    root, *, train: bool = True, max_samples: Optional[int] = None, sensor_size=(128, 128, 2)
) -> LabelledData:
    """Load DVS128 Gesture samples stored as tonic does (one npy per sample).

    Parameters
    ----------
    root : str or Path
        Folder holding ``ibmGestureTrain`` / ``ibmGestureTest`` (tonic's
        ``<save_to>/DVSGesture``); a path that is itself one of those two
        folders is accepted too.
    train : bool
        Training or test split.
    max_samples : int, optional
        Read only the first samples (sorted by recording then label).
    sensor_size : tuple, optional
        (width, height, polarities) used to check the coordinates.

    Returns
    -------
    LabelledData
        ``kind="events"``; each sample an (N, 4) float64 array x, y, p, t_ms
        sorted by time.

    Examples
    --------
    >>> load_dvs_gesture("/nonexistent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hetnet.datasets.base.DatasetError: dataset folder not found: ...
    """
    root = Path(root)
    split = "ibmGestureTrain" if train else "ibmGestureTest"
    folder = root if root.name in ("ibmGestureTrain", "ibmGestureTest") else root / split
    _require_path(folder, DVS_LAYOUT, directory=True)
    files = sorted(folder.glob("*/*.npy"), key=lambda item: (item.parent.name, _label_order(item)))
    if not files:
        raise DatasetError(f"no .npy samples under {folder}; expected {DVS_LAYOUT}")
    if max_samples is not None:
        files = files[: int(max_samples)]
    samples, labels = [], []
    width, height, polarities = sensor_size
    for file in files:
        try:
            label = int(file.stem)
        except ValueError:
            raise DatasetError(f"{file}: file name must be the class label 0..10; expected {DVS_LAYOUT}") from None
        if not 0 <= label < len(DVS_GESTURE_CLASSES):
            raise DatasetError(f"{file}: label {label} outside 0..{len(DVS_GESTURE_CLASSES) - 1}")
        with _reading(file, DVS_LAYOUT):
            events = np.load(file, allow_pickle=False)
        if events.ndim != 2 or events.shape[1] != 4:
            raise DatasetError(f"{file}: array of shape {events.shape}; expected {DVS_LAYOUT}")
        events = events.astype(np.float64)
        if not np.all(np.isfinite(events)):
            raise DatasetError(f"{file}: non-finite values")
        x, y, polarity = events[:, 0], events[:, 1], events[:, 2]
        outside = (x < 0) | (x >= width) | (y < 0) | (y >= height) | (polarity < 0) | (polarity >= polarities)
        if outside.any():
            k = int(np.flatnonzero(outside)[0])
            raise DatasetError(f"{file}: event {k} at x={x[k]:g}, y={y[k]:g}, p={polarity[k]:g} lies outside the "
                               f"{sensor_size} sensor; coordinates must be 0 <= x < {width}, 0 <= y < {height}, "
                               f"0 <= p < {polarities}")
        samples.append(events[np.argsort(events[:, 3], kind="stable")])
        labels.append(label)
    return LabelledData(
        samples, np.array(labels), DVS_GESTURE_CLASSES, "events",
        {"path": str(folder), "sensor_size": tuple(sensor_size)},
    )


def _label_order(file: Path):
    try:
        return (0, int(file.stem))
    except ValueError:
        return (1, file.stem)


# --------------------------------------------------------------------------
# KTH actions
# --------------------------------------------------------------------------


def frame_differences(frames) -> np.ndarray:
    """Absolute differences of consecutive frames scaled to [0, 1].

    Parameters
    ----------
    frames : array_like, shape (n_frames, height, width)

    Returns
    -------
    ndarray, shape (n_frames - 1, height, width)
        ``|f[t+1] - f[t]| / 255`` for 8-bit frames, or divided by the frame
        range otherwise.

    Examples
    --------
    >>> frame_differences(np.array([[[0, 255]], [[255, 255]]], dtype=np.uint8)).tolist()
    [[[1.0, 0.0]]]
    """
    frames = np.asarray(frames)
    if frames.ndim != 3 or frames.shape[0] < 2:
        raise DatasetError(f"frames must have shape (n_frames >= 2, height, width); got {frames.shape}")
    scale = 255.0 if frames.dtype == np.uint8 else float(np.ptp(frames)) or 1.0
    values = frames.astype(np.float64)
    return np.abs(np.diff(values, axis=0)) / scale


def _read_avi(file: Path) -> np.ndarray:
    try:
        import cv2  # noqa: PLC0415
    except ImportError:
        raise DatasetError(
            f"{file}: reading .avi needs OpenCV (pip install opencv-python); or convert each video "
            f"to a .npy array; expected {KTH_LAYOUT}"
        ) from None
    capture = cv2.VideoCapture(str(file))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    capture.release()
    if not frames:
        raise DatasetError(f"{file}: no frames could be decoded")
    return np.stack(frames)


def load_kth(
    root,
    *,
    classes: Sequence[str] = KTH_CLASSES,
    max_per_class: Optional[int] = None,
    max_frames: Optional[int] = None,
    differences: bool = True,
) -> LabelledData:
    """Load KTH action videos from class folders.

    Parameters
    ----------
    root : str or Path
        Folder with one sub-folder per class.
    classes : sequence of str
        Class folders to read, in label order.
    max_per_class : int, optional
        First videos (sorted by name) of each class.
    max_frames : int, optional
        Keep only the first frames of each video.
    differences : bool
        Return frame differences (:func:`frame_differences`, values in
        [0, 1] usable as rates) instead of raw frames scaled to [0, 1].

    Returns
    -------
    LabelledData
        ``kind="video"``; samples float arrays (n_frames, height, width).

    Examples
    --------
    >>> load_kth("/nonexistent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hetnet.datasets.base.DatasetError: dataset folder not found: ...
    """
    root = _require_path(root, KTH_LAYOUT, directory=True)
    samples, labels = [], []
    for label, name in enumerate(classes):
        folder = root / name
        _require_path(folder, KTH_LAYOUT, directory=True)
        files = sorted(list(folder.glob("*.npy")) + list(folder.glob("*.avi")))
        if not files:
            raise DatasetError(f"no .npy or .avi videos in {folder}; expected {KTH_LAYOUT}")
        if max_per_class is not None:
            files = files[: int(max_per_class)]
        for file in files:
            if file.suffix == ".avi":
                frames = _read_avi(file)
            else:
                with _reading(file, KTH_LAYOUT):
                    frames = np.load(file, allow_pickle=False)
            if frames.ndim == 4 and frames.shape[-1] == 3:  # colour frames: average the channels
                frames = frames.mean(axis=-1)
            if frames.ndim != 3 or frames.shape[0] < 2 or not np.all(np.isfinite(frames)):
                raise DatasetError(
                    f"{file}: array of shape {frames.shape}; expected (n_frames >= 2, height, width) finite"
                )
            if max_frames is not None:
                frames = frames[: int(max_frames) + (1 if differences else 0)]
            if differences:
                video = frame_differences(frames)
            else:
                scale = 255.0 if frames.dtype == np.uint8 else float(np.max(np.abs(frames))) or 1.0
                video = frames.astype(np.float64) / scale
            samples.append(video)
            labels.append(label)
    return LabelledData(samples, np.array(labels), tuple(classes), "video", {"path": str(root)})


# --------------------------------------------------------------------------
# CIFAR-10 / CIFAR-100
# --------------------------------------------------------------------------


def _unpickle(file: Path) -> dict:
    """A CIFAR pickle, read without running code from it (:mod:`hetnet.datasets.safe_pickle`)."""
    _require_path(file, CIFAR_LAYOUT)
    with _reading(file, CIFAR_LAYOUT):
        content = safe_load(file)
    if not isinstance(content, dict):
        raise DatasetError(f"{file}: pickle holds a {type(content).__name__}, not a dict; expected {CIFAR_LAYOUT}")
    return {key.decode() if isinstance(key, bytes) else key: value for key, value in content.items()}


def load_cifar(
    root, *, train: bool = True, max_samples: Optional[int] = None, coarse: bool = False, grey: bool = False
) -> LabelledData:
    """Load CIFAR-10 or CIFAR-100 from the official python pickles.

    Parameters
    ----------
    root : str or Path
        ``cifar-10-batches-py`` or ``cifar-100-python`` (or a folder holding
        one of them).
    train : bool
        Training batches (CIFAR-10: ``data_batch_1..5``; CIFAR-100:
        ``train``) or the test batch.
    max_samples : int, optional
        Keep only the first samples.
    coarse : bool
        CIFAR-100 only: the 20 coarse classes instead of the 100 fine ones.
    grey : bool
        Average the colour channels (shape (n, 32, 32)).

    Returns
    -------
    LabelledData
        ``kind="images"``, samples float (n, 32, 32, 3) with values 0..255.

    Examples
    --------
    >>> load_cifar("/nonexistent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hetnet.datasets.base.DatasetError: dataset folder not found: ...
    """
    root = Path(root)
    for candidate in (root, root / "cifar-10-batches-py", root / "cifar-100-python"):
        if (candidate / "batches.meta").is_file() or (candidate / "meta").is_file():
            root = candidate
            break
    _require_path(root, CIFAR_LAYOUT, directory=True)
    if (root / "batches.meta").is_file():
        meta = _unpickle(root / "batches.meta")
        names = meta.get("label_names")
        files = [root / f"data_batch_{k}" for k in range(1, 6)] if train else [root / "test_batch"]
        label_key = "labels"
    elif (root / "meta").is_file():
        meta = _unpickle(root / "meta")
        names = meta.get("coarse_label_names" if coarse else "fine_label_names")
        files = [root / ("train" if train else "test")]
        label_key = "coarse_labels" if coarse else "fine_labels"
    else:
        raise DatasetError(f"no batches.meta or meta file in {root}; expected {CIFAR_LAYOUT}")
    if names is None:
        raise DatasetError(f"{root}: meta file has no class names; expected {CIFAR_LAYOUT}")
    names = tuple(name.decode() if isinstance(name, bytes) else str(name) for name in names)
    images, labels = [], []
    remaining = None if max_samples is None else int(max_samples)
    for file in files:
        if remaining is not None and remaining <= 0:
            break
        batch = _unpickle(file)
        if "data" not in batch or label_key not in batch:
            raise DatasetError(f"{file}: missing 'data' or '{label_key}'; expected {CIFAR_LAYOUT}")
        data = np.asarray(batch["data"])
        batch_labels = np.asarray(batch[label_key]).ravel()
        if data.ndim != 2 or data.shape[1] != 3072 or data.shape[0] != batch_labels.size:
            raise DatasetError(
                f"{file}: data of shape {data.shape} with {batch_labels.size} labels; "
                f"expected (n, 3072) uint8 and n labels"
            )
        if remaining is not None:
            data, batch_labels = data[:remaining], batch_labels[:remaining]
            remaining -= len(data)
        images.append(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype(np.float64))
        labels.append(batch_labels.astype(np.int64))
    images = np.concatenate(images)
    labels = np.concatenate(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= len(names)):
        bad = labels.min() if labels.min() < 0 else labels.max()
        raise DatasetError(f"{root}: label {bad}; labels must lie in 0..{len(names) - 1} (one per class name)")
    if grey:
        images = images.mean(axis=-1)
    return LabelledData(images, labels, names, "images", {"path": str(root), "max_value": 255.0})


# --------------------------------------------------------------------------
# CSV time series
# --------------------------------------------------------------------------


def load_csv_series(path, column, *, delimiter: str = ",", drop_missing: bool = True) -> np.ndarray:
    """One numeric column of a CSV file with a header row, shape (n_steps, 1).

    Parameters
    ----------
    path : str or Path
    column : str or sequence of str
        Column name(s) from the header (e.g. ``"Close"`` of a stock file or
        a wind-speed column); several names give several columns.
    delimiter : str
    drop_missing : bool
        Drop rows whose value is empty or ``NA``/``NaN``; otherwise they raise.

    Returns
    -------
    ndarray, shape (n_steps, n_columns)

    Examples
    --------
    >>> load_csv_series("/nonexistent.csv", "Close")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hetnet.datasets.base.DatasetError: dataset file not found: ...
    """
    columns = [column] if isinstance(column, str) else list(column)
    layout = f"a CSV file with a header row containing the column(s) {', '.join(columns)}"
    path = _require_path(path, layout)
    rows = []
    with _reading(path, layout):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                raise DatasetError(f"{path} is empty; expected {layout}")
            header = [name.strip() for name in header]
            missing = [name for name in columns if name not in header]
            if missing:
                raise DatasetError(f"{path}: no column {', '.join(missing)}; columns are {', '.join(header)}")
            positions = [header.index(name) for name in columns]
            for line_number, row in enumerate(reader, start=2):
                if not row:
                    continue
                if len(row) < len(header):
                    raise DatasetError(f"{path}: line {line_number} has {len(row)} fields, header has {len(header)}")
                cells = [row[position].strip() for position in positions]
                if any(cell.lower() in ("", "na", "nan", "null") for cell in cells):
                    if drop_missing:
                        continue
                    raise DatasetError(f"{path}: missing value on line {line_number}")
                try:
                    rows.append([float(cell) for cell in cells])
                except ValueError:
                    raise DatasetError(f"{path}: line {line_number} has a non-numeric value {cells}") from None
    if not rows:
        raise DatasetError(f"{path}: no numeric rows in column(s) {', '.join(columns)}")
    values = np.array(rows, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        bad = values[~np.isfinite(values)][0]
        raise DatasetError(f"{path}: non-finite values in column(s) {', '.join(columns)} (e.g. {bad}); values "
                           "must be finite numbers")
    return values
