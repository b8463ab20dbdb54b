"""Local-file loaders: small files written in the exact public formats and
read back; missing and corrupted files give one DatasetError."""

import pickle

import numpy as np
import pytest

from hetnet.datasets import (
    DatasetError,
    frame_differences,
    load_cifar,
    load_csv_series,
    load_dvs_gesture,
    load_kth,
    load_shd,
)

h5py = pytest.importorskip("h5py")


def _write_shd(path, times, units, labels, keys=("zero", "one")):
    with h5py.File(path, "w") as handle:
        float_type = h5py.vlen_dtype(np.dtype("float16"))
        int_type = h5py.vlen_dtype(np.dtype("uint16"))
        times_set = handle.create_dataset("spikes/times", (len(times),), dtype=float_type)
        units_set = handle.create_dataset("spikes/units", (len(units),), dtype=int_type)
        for index, (sample_times, sample_units) in enumerate(zip(times, units)):
            times_set[index] = np.asarray(sample_times, dtype=np.float16)
            units_set[index] = np.asarray(sample_units, dtype=np.uint16)
        handle.create_dataset("labels", data=np.asarray(labels, dtype=np.uint8))
        handle.create_dataset("extra/keys", data=np.array([key.encode() for key in keys]))


def test_shd_round_trip_casts_float16_before_arithmetic(tmp_path):
    path = tmp_path / "shd_train.h5"
    # 60.0 s in float16 * 1e6 would overflow float16; the loader casts first
    times = [[0.5, 0.001, 60.0], [0.25]]
    units = [[3, 699, 0], [10]]
    _write_shd(path, times, units, [1, 0])
    data = load_shd(path)
    assert data.kind == "spikes" and len(data) == 2
    assert data.class_names == ("zero", "one")
    np.testing.assert_array_equal(data.labels, [1, 0])
    first = data.samples[0]
    assert first.times_ms.dtype == np.float64
    np.testing.assert_allclose(first.times_ms, np.sort(np.float16([0.5, 0.001, 60.0]).astype(float)) * 1000)
    np.testing.assert_array_equal(first.units, [699, 3, 0])  # sorted by time
    assert np.isfinite(first.times_ms).all() and first.n_units == 700
    assert len(load_shd(path, max_samples=1)) == 1


def test_shd_errors(tmp_path):
    with pytest.raises(DatasetError, match="not found.*spikes/times"):
        load_shd(tmp_path / "missing.h5")
    broken = tmp_path / "broken.h5"
    broken.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 20)
    with pytest.raises(DatasetError, match="cannot read"):
        load_shd(broken)
    with h5py.File(tmp_path / "nolabels.h5", "w") as handle:
        handle.create_dataset("spikes/times", data=np.zeros(2))
        handle.create_dataset("spikes/units", data=np.zeros(2))
    with pytest.raises(DatasetError, match="no dataset 'labels'"):
        load_shd(tmp_path / "nolabels.h5")
    _write_shd(tmp_path / "ragged.h5", [[0.1]], [[1]], [0, 1])
    with pytest.raises(DatasetError, match="differ"):
        load_shd(tmp_path / "ragged.h5")
    _write_shd(tmp_path / "units.h5", [[0.1]], [[900]], [0])
    with pytest.raises(DatasetError, match="outside 0..699"):
        load_shd(tmp_path / "units.h5")
    # truncated copy of a valid file
    good = tmp_path / "good.h5"
    _write_shd(good, [[0.1, 0.2]] * 50, [[1, 2]] * 50, [0] * 50)
    content = good.read_bytes()
    (tmp_path / "truncated.h5").write_bytes(content[: len(content) // 3])
    with pytest.raises(DatasetError):
        load_shd(tmp_path / "truncated.h5")


def _write_dvs(root, split="ibmGestureTrain"):
    generator = np.random.default_rng(0)
    written = {}
    for user in ("user01_fluorescent", "user02_led"):
        folder = root / split / user
        folder.mkdir(parents=True)
        for label in (0, 2, 10):
            count = 30
            events = np.column_stack(
                [
                    generator.integers(0, 128, count),
                    generator.integers(0, 128, count),
                    generator.integers(0, 2, count),
                    np.sort(generator.uniform(0, 500, count)),
                ]
            )
            np.save(folder / f"{label}.npy", events)
            written[(user, label)] = events
    return written


def test_dvs_gesture_tonic_layout_round_trip(tmp_path):
    written = _write_dvs(tmp_path / "DVSGesture")
    data = load_dvs_gesture(tmp_path / "DVSGesture")
    assert data.kind == "events" and len(data) == 6 and data.n_classes == 11
    np.testing.assert_array_equal(data.labels, [0, 2, 10, 0, 2, 10])
    np.testing.assert_allclose(data.samples[2], written[("user01_fluorescent", 10)])
    assert data.metadata["sensor_size"] == (128, 128, 2)
    assert len(load_dvs_gesture(tmp_path / "DVSGesture" / "ibmGestureTrain", max_samples=2)) == 2
    with pytest.raises(DatasetError, match="ibmGestureTest"):
        load_dvs_gesture(tmp_path / "DVSGesture", train=False)


def test_dvs_gesture_corrupt_and_wrong_shape(tmp_path):
    folder = tmp_path / "ibmGestureTrain" / "user01_led"
    folder.mkdir(parents=True)
    np.save(folder / "1.npy", np.zeros((5, 3)))
    with pytest.raises(DatasetError, match=r"shape \(5, 3\)"):
        load_dvs_gesture(tmp_path)
    (folder / "1.npy").write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(DatasetError, match="cannot read"):
        load_dvs_gesture(tmp_path)
    (folder / "1.npy").unlink()
    np.save(folder / "3.npy", np.array([[200.0, 1, 0, 5]]))
    with pytest.raises(DatasetError, match="sensor"):
        load_dvs_gesture(tmp_path)


def test_kth_npy_layout_and_frame_differences(tmp_path):
    generator = np.random.default_rng(1)
    for name in ("boxing", "walking"):
        (tmp_path / name).mkdir()
        for video in range(2):
            frames = generator.integers(0, 256, (6, 12, 16), dtype=np.uint8)
            np.save(tmp_path / name / f"person0{video}_{name}_d1.npy", frames)
    data = load_kth(tmp_path, classes=("boxing", "walking"))
    assert data.kind == "video" and len(data) == 4
    np.testing.assert_array_equal(data.labels, [0, 0, 1, 1])
    frames = np.load(tmp_path / "boxing" / "person00_boxing_d1.npy")
    np.testing.assert_allclose(data.samples[0], np.abs(np.diff(frames.astype(float), axis=0)) / 255)
    assert data.samples[0].shape == (5, 12, 16)
    assert 0 <= data.samples[0].min() and data.samples[0].max() <= 1
    raw = load_kth(tmp_path, classes=("boxing",), differences=False, max_frames=3, max_per_class=1)
    assert raw.samples[0].shape == (3, 12, 16)
    with pytest.raises(DatasetError, match="handclapping"):
        load_kth(tmp_path)  # default six classes: missing folders are named
    np.save(tmp_path / "boxing" / "zz_bad.npy", np.zeros((4, 4)))
    with pytest.raises(DatasetError, match="n_frames"):
        load_kth(tmp_path, classes=("boxing",))
    with pytest.raises(DatasetError):
        frame_differences(np.zeros((1, 2, 2)))


def _write_cifar10(root, n_per_batch=4):
    root.mkdir()
    generator = np.random.default_rng(2)
    names = [f"class{k}".encode() for k in range(10)]
    with open(root / "batches.meta", "wb") as handle:
        pickle.dump({b"label_names": names, b"num_cases_per_batch": n_per_batch}, handle)
    batches = {}
    for name in [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]:
        data = generator.integers(0, 256, (n_per_batch, 3072), dtype=np.uint8)
        labels = list(generator.integers(0, 10, n_per_batch))
        with open(root / name, "wb") as handle:
            pickle.dump({b"data": data, b"labels": labels, b"batch_label": name.encode()}, handle)
        batches[name] = (data, labels)
    return batches


def test_cifar10_and_cifar100_round_trip(tmp_path):
    batches = _write_cifar10(tmp_path / "cifar-10-batches-py")
    data = load_cifar(tmp_path)
    assert data.samples.shape == (20, 32, 32, 3) and data.n_classes == 10
    first, labels = batches["data_batch_1"]
    # channel-first rows of 1024 red, 1024 green, 1024 blue values
    np.testing.assert_array_equal(data.samples[0, :, :, 1], first[0, 1024:2048].reshape(32, 32))
    np.testing.assert_array_equal(data.labels[:4], labels)
    test = load_cifar(tmp_path / "cifar-10-batches-py", train=False, grey=True)
    assert test.samples.shape == (4, 32, 32)
    assert len(load_cifar(tmp_path, max_samples=6)) == 6
    # CIFAR-100
    root = tmp_path / "cifar-100-python"
    root.mkdir()
    with open(root / "meta", "wb") as handle:
        pickle.dump({b"fine_label_names": [f"f{k}".encode() for k in range(100)],
                     b"coarse_label_names": [f"c{k}".encode() for k in range(20)]}, handle)
    with open(root / "train", "wb") as handle:
        pickle.dump({b"data": np.zeros((3, 3072), np.uint8), b"fine_labels": [5, 99, 0],
                     b"coarse_labels": [1, 19, 0]}, handle)
    fine = load_cifar(root)
    assert fine.n_classes == 100 and fine.labels.tolist() == [5, 99, 0]
    assert load_cifar(root, coarse=True).labels.tolist() == [1, 19, 0]


def test_cifar_errors(tmp_path):
    with pytest.raises(DatasetError, match="not found.*cifar-10-batches-py"):
        load_cifar(tmp_path / "nothing")
    _write_cifar10(tmp_path / "cifar-10-batches-py")
    (tmp_path / "cifar-10-batches-py" / "data_batch_3").write_bytes(b"\x80\x04truncated")
    with pytest.raises(DatasetError, match="data_batch_3"):
        load_cifar(tmp_path)
    with open(tmp_path / "cifar-10-batches-py" / "test_batch", "wb") as handle:
        pickle.dump({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}, handle)
    with pytest.raises(DatasetError, match="3072"):
        load_cifar(tmp_path, train=False)
    (tmp_path / "cifar-10-batches-py" / "data_batch_1").unlink()
    with pytest.raises(DatasetError, match="not found.*data_batch_1"):
        load_cifar(tmp_path)


def test_csv_series(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_text("Date,Open,Close\n2020-01-01,1,10.5\n2020-01-02,2,NA\n2020-01-03,3,11.25\n")
    np.testing.assert_array_equal(load_csv_series(path, "Close"), [[10.5], [11.25]])
    assert load_csv_series(path, ["Open", "Close"]).shape == (2, 2)
    with pytest.raises(DatasetError, match="missing value"):
        load_csv_series(path, "Close", drop_missing=False)
    with pytest.raises(DatasetError, match="no column Volume"):
        load_csv_series(path, "Volume")
    with pytest.raises(DatasetError, match="not found.*column"):
        load_csv_series(tmp_path / "none.csv", "Close")
    (tmp_path / "bad.csv").write_text("Close\nabc\n")
    with pytest.raises(DatasetError, match="non-numeric"):
        load_csv_series(tmp_path / "bad.csv", "Close")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x00garbage")
    with pytest.raises(DatasetError):
        load_csv_series(tmp_path / "binary.csv", "Close")
