"""The synthetic event-stream generator and the event / video / image tasks of ``hetnet run``.

The generator's properties (sensor, polarity, order, determinism, the motion
direction measurable from the events, leading ON / trailing OFF edge), the
``synthetic-events`` task end to end in quick mode above chance, and the
``--data`` tasks (``dvs128``, ``kth``, ``cifar10``): fed from files written in
each loader's layout, and a clear error (path and layout, exit status) when
the file is missing or wrong.
"""
import math
import pickle

import numpy as np
import pytest

from hetnet.cli.main import main
from hetnet.config import HRSNNConfig
from hetnet.datasets import DatasetError, make_moving_shapes, motion_direction_deg
from hetnet.errors import UsageError
from hetnet.tasks.classification import encode_labelled
from hetnet.tasks.registry import CLASSIFICATION_TASKS, DATA_TASKS, TASKS, classification_data, run_task

pytestmark = pytest.mark.usefixtures("single_blas_thread")


@pytest.fixture(scope="module")
def shapes():
    return make_moving_shapes(n_classes=4, samples_per_class=4, seed=11)


def _angle_error(measured_deg, true_deg):
    return abs((measured_deg - true_deg + 180.0) % 360.0 - 180.0)


def test_events_lie_on_the_sensor_with_on_off_polarity_sorted_in_time(shapes):
    assert shapes.kind == "events" and len(shapes) == 16 and shapes.metadata["sensor_size"] == (128, 128, 2)
    for events in shapes.samples:
        assert events.ndim == 2 and events.shape[1] == 4 and events.dtype == np.float64 and len(events) > 500
        x, y, p, t = events.T
        assert np.all((0 <= x) & (x < 128) & (x == np.round(x))) and np.all((0 <= y) & (y < 128) & (y == np.round(y)))
        assert set(np.unique(p).tolist()) == {0.0, 1.0}
        assert np.all(np.diff(t) >= 0) and t.min() >= 0 and t.max() < 100.0
    assert np.bincount(shapes.labels).tolist() == [4, 4, 4, 4]


def test_synthetic_is_said_everywhere(shapes):
    assert shapes.metadata["synthetic"] is True
    assert all(name.startswith("synthetic") for name in shapes.class_names)
    assert "synthetic-events" in TASKS and "synthetic-events" in CLASSIFICATION_TASKS


@pytest.mark.parametrize("n_classes", [4, 8])
def test_the_class_is_the_motion_direction_measured_from_the_events(n_classes):
    data = make_moving_shapes(n_classes=n_classes, samples_per_class=3, seed=n_classes)
    for events, label in zip(data.samples, data.labels):
        true = 360.0 * label / n_classes
        assert data.metadata["directions_deg"][label] == pytest.approx(true)
        # half the spacing of the directions: the nearest class direction is the true one
        assert _angle_error(motion_direction_deg(events), true) < 180.0 / n_classes


def test_on_events_lead_and_off_events_trail_the_shape():
    data = make_moving_shapes(n_classes=4, samples_per_class=2, noise_hz=0.0, seed=2)
    for events, label in zip(data.samples, data.labels):
        angle = 2 * math.pi * label / 4
        along = events[:, 0] * math.cos(angle) + events[:, 1] * math.sin(angle)
        late = events[:, 3] >= 50.0  # the same half of the path for both polarities
        on, off = along[late & (events[:, 2] == 1)], along[late & (events[:, 2] == 0)]
        assert on.mean() > off.mean() + 5.0  # leading edge ahead of the trailing edge (shape size >= 9 px)


def test_the_seed_fixes_every_event():
    a, b = make_moving_shapes(2, 2, seed=5), make_moving_shapes(2, 2, seed=5)
    c = make_moving_shapes(2, 2, seed=6)
    assert all(np.array_equal(x, y) for x, y in zip(a.samples, b.samples))
    assert a.metadata["shapes"] == b.metadata["shapes"]
    assert not all(len(x) == len(z) and np.array_equal(x, z) for x, z in zip(a.samples, c.samples))


def test_noise_rate_adds_the_expected_number_of_events():
    quiet = make_moving_shapes(2, 1, noise_hz=0.0, seed=1)
    noisy = make_moving_shapes(2, 1, noise_hz=5.0, seed=1)
    extra = sum(map(len, noisy.samples)) - sum(map(len, quiet.samples))
    expected = 2 * 5.0 * 128 * 128 * 0.1  # samples x rate x pixels x 100 ms
    assert abs(extra - expected) < 5 * math.sqrt(expected)
    # the shapes themselves are unchanged: every event of the quiet stream is in the noisy one
    for a, b in zip(quiet.samples, noisy.samples):
        assert len(np.intersect1d(a[:, 3], b[:, 3])) == len(a)


@pytest.mark.parametrize("kwargs, needle", [
    ({"n_classes": 1}, "n_classes = 1 must lie in 2..16"),
    ({"shapes": ("star",)}, "allowed: bar, square, circle"),
    ({"speed_px_per_ms": 0.0}, "speed_px_per_ms = 0.0 must be > 0"),
    ({"sensor_size": (128, 128, 1)}, "sensor_size = (128, 128, 1)"),
    ({"frame_ms": 200.0}, "0 < frame_ms <= duration_ms"),
])
def test_bad_generator_settings_are_refused(kwargs, needle):
    with pytest.raises(DatasetError, match=None) as error:
        make_moving_shapes(**kwargs)
    assert needle in str(error.value)


def test_synthetic_events_feed_the_dvs_encoder(shapes):
    data, options = classification_data("synthetic-events", HRSNNConfig(), quick=True)
    stimulus = encode_labelled(data, HRSNNConfig().input, **options)
    assert stimulus.n_channels == 128 and len(stimulus.sample_steps) == len(data) == 24
    assert stimulus.indices.size <= 1500 * len(data)


def test_synthetic_events_task_runs_end_to_end_above_chance():
    """Quick mode, 4 directions (chance 0.25), 8 test samples: at least 5 correct (by chance p = 0.027)."""
    config = HRSNNConfig(n_neurons=60, seed=0)
    results = run_task("synthetic-events", config, variants=("HeNHeS",), quick=True, seed=0)
    metrics = results["HeNHeS"]
    assert metrics["n_test"] == 8 and metrics["spikes_per_sample"] > 0
    assert metrics["accuracy"] >= 5 / 8


# --- the tasks that read --data ------------------------------------------------------------------

def _write_dvs(root, data):
    for number, (events, label) in enumerate(zip(data.samples, data.labels)):
        folder = root / "ibmGestureTrain" / f"user{number:02d}_natural"
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / f"{label}.npy", events)


def _write_kth(root, classes=("boxing", "handclapping", "handwaving", "jogging", "running", "walking")):
    rng = np.random.default_rng(0)
    for label, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for video in range(3):
            frames = np.zeros((8, 48, 64), np.uint8)
            for k in range(8):  # a bright block moving at a class-dependent speed
                frames[k, 10:20, (k * (label + 1)) % 50:(k * (label + 1)) % 50 + 10] = 200
            np.save(root / name / f"v{video}.npy", frames + rng.integers(0, 5, frames.shape).astype(np.uint8))


def _write_cifar10(root):
    root.mkdir(parents=True)
    rng = np.random.default_rng(0)
    with open(root / "batches.meta", "wb") as handle:
        pickle.dump({b"label_names": [f"class{k}".encode() for k in range(10)]}, handle)
    for name in [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]:
        with open(root / name, "wb") as handle:
            pickle.dump({b"data": rng.integers(0, 256, (10, 3072), dtype=np.uint8), b"labels": list(range(10))}, handle)


def test_data_tasks_read_their_loaders_layout(tmp_path, shapes):
    config = HRSNNConfig()
    _write_dvs(tmp_path / "dvs", shapes)
    data, options = classification_data("dvs128", config, data_path=tmp_path / "dvs", quick=True)
    assert data.kind == "events" and len(data) == 16 and options["pool"] == 16
    assert options["time_scale"] == pytest.approx(100.0 / 6000.0)
    assert encode_labelled(data, config.input, **options).n_channels == 128
    _write_kth(tmp_path / "kth")
    data, options = classification_data("kth", config, data_path=tmp_path / "kth", quick=True)
    assert data.kind == "video" and len(data) == 18 and data.samples[0].shape == (7, 48, 64)
    assert encode_labelled(data, config.input, **options).n_channels == 3 * 4 * config.input.neurons_per_channel
    _write_cifar10(tmp_path / "cifar-10-batches-py")
    data, options = classification_data("cifar10", config, data_path=tmp_path, quick=True)
    assert data.kind == "images" and data.n_classes == 10 and len(data) == 50 and data.samples.shape[1:] == (32, 32)
    assert encode_labelled(data, config.input, **options).n_channels == 64 * config.input.neurons_per_channel


def test_dvs128_task_runs_from_the_command_line(tmp_path, capsys):
    data = make_moving_shapes(n_classes=2, samples_per_class=4, duration_ms=100.0, seed=1)
    # stretched to a 6 s recording, as DVS128 Gesture's are; the task squeezes it back into 100 ms
    stretched = [np.column_stack([events[:, :3], events[:, 3] * 60.0]) for events in data.samples]
    _write_dvs(tmp_path / "dvs", type(data)(stretched, data.labels, data.class_names, "events", data.metadata))
    out = tmp_path / "out"
    status = main(["run", "--task", "dvs128", "--data", str(tmp_path / "dvs"), "--quick", "--n-neurons", "30",
                   "--variants", "HeNHeS", "--out", str(out)])
    assert status == 0
    assert "classification of dvs128" in capsys.readouterr().out
    assert (out / "results.json").is_file()


@pytest.mark.parametrize("task", ["dvs128", "kth", "cifar10"])
def test_data_task_without_data_is_a_usage_error(tmp_path, capsys, task):
    assert main(["run", "--task", task, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "--data" in err and f"task {task!r} needs --data PATH to" in err and DATA_TASKS[task] in err
    with pytest.raises(UsageError, match="needs --data PATH"):
        classification_data(task, HRSNNConfig())


@pytest.mark.parametrize("task, layout", [
    ("dvs128", "tonic's DVSGesture layout"), ("kth", "<root>/<class>/<video>.npy"),
    ("cifar10", "cifar-10-batches-py/{data_batch_1..5"),
])
def test_missing_data_file_names_the_path_and_the_layout(tmp_path, capsys, task, layout):
    missing = tmp_path / "nowhere"
    assert main(["run", "--task", task, "--data", str(missing), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "dataset folder not found" in err and str(missing) in err and layout in err
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "results.json").exists()


def test_cifar100_given_to_cifar10_is_refused(tmp_path):
    root = tmp_path / "cifar-100-python"
    root.mkdir()
    with open(root / "meta", "wb") as handle:
        pickle.dump({b"fine_label_names": [f"f{k}".encode() for k in range(100)]}, handle)
    with open(root / "train", "wb") as handle:
        pickle.dump({b"data": np.zeros((3, 3072), np.uint8), b"fine_labels": [5, 99, 0]}, handle)
    with pytest.raises(DatasetError, match="holds 100 classes, not CIFAR-10's 10.*cifar-10-batches-py"):
        classification_data("cifar10", HRSNNConfig(), data_path=root)
