"""Reliability: interrupted runs, locked run folders, journal records, NaN, threads, workers, pickles.

Each test reproduces one failure of issue 14 and fails on the code before the fix.
"""
import dataclasses
import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from hetnet.bo import Journal, read_journal, resume_campaign, run_campaign
from hetnet.bo.engine import SerialEngine, evaluate_candidate
from hetnet.cli.main import main
from hetnet.config import HRSNNConfig
from hetnet.encoding import RateStimulus
from hetnet.errors import RunFolderLocked, SimulationError, SimulationInterrupted, UsageError
from hetnet.network import generate_network, simulate

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _evaluations(directory):
    return [e for e in read_journal(Path(directory) / "journal.jsonl") if e["type"] == "evaluation"]


def _wait_for(condition, timeout=120.0, process=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        if process is not None and process.poll() is not None:
            return False
        time.sleep(0.02)
    return False


# --- SIGINT -------------------------------------------------------------------------------------

_SIGINT_CHILD = """
import pathlib, sys, threading, time
import numpy as np
from brian2.core.network import Network
from hetnet.config import HRSNNConfig
from hetnet.encoding import RateStimulus
from hetnet.errors import SimulationInterrupted
from hetnet.network import generate_network, simulate

flag = pathlib.Path(sys.argv[1])

def announce():  # tell the parent when Brian2's run loop is going
    while not Network._globally_running:
        time.sleep(0.002)
    flag.write_text("running")

threading.Thread(target=announce, daemon=True).start()
stimulus = RateStimulus(np.full((3000, 20), 30.0), step_ms=10.0)   # 30 s: far longer than the test waits
network = generate_network(HRSNNConfig(n_neurons=30, seed=1), 20, input_kind="spikes")
try:
    result = simulate(network, stimulus, plastic=True)
except SimulationInterrupted as error:
    print("INTERRUPTED", error, flush=True)
    sys.exit(130)
print("COMPLETED", result.duration_ms, flush=True)
"""


def test_sigint_mid_simulation_raises_instead_of_returning_a_truncated_result(tmp_path):
    flag = tmp_path / "running"
    child = subprocess.Popen([sys.executable, "-c", _SIGINT_CHILD, str(flag)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=ENV)
    assert _wait_for(flag.exists, process=child), child.communicate()[1][-2000:]
    time.sleep(0.2)
    child.send_signal(signal.SIGINT)   # Brian2's handler turns this into "stop this run"
    out, err = child.communicate(timeout=120)
    assert child.returncode == 130, (out, err[-2000:])
    assert "INTERRUPTED" in out and "COMPLETED" not in out
    assert "of its 30000 ms" in out            # says how far it got


def test_hetnet_run_interrupted_exits_130_and_saves_nothing(tmp_path):
    out_dir = tmp_path / "out"
    command = [sys.executable, "-m", "hetnet.cli.main", "run", "--quick", "--n-neurons", "40", "--out", str(out_dir)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=tmp_path)
    lines = []

    def started():
        line = child.stdout.readline()
        lines.append(line)
        return "STDP" in line or "training" in line.lower()

    assert _wait_for(started, process=child), "".join(lines)
    time.sleep(0.3)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 130, err[-2000:]
    assert "interrupted by SIGINT" in err and "Traceback" not in err
    assert not (out_dir / "results.json").exists()


def test_interrupted_evaluation_is_never_journaled_and_resume_runs_it(tmp_path, monkeypatch):
    from hetnet.bo import campaign

    def interrupted(point, seed):
        raise SimulationInterrupted("simulation interrupted by SIGINT (Ctrl-C) at 40% of its 100 ms")

    # the record function lets an interruption through (a failure would be recorded as one)
    with pytest.raises(SimulationInterrupted):
        evaluate_candidate(interrupted, [1.0], 1, 0)

    calls = []

    def objective(point, seed):
        calls.append(seed)
        if len(calls) == 3:
            interrupted(point, seed)
        return {"objective": -float(point[0]), "metrics": {}}

    real_make_objective = campaign.make_objective
    monkeypatch.setattr(campaign, "make_objective",
                        lambda name, space, config, options: (objective, real_make_objective(name, space, config,
                                                                                             options)[1]))
    directory = tmp_path / "run"
    with pytest.raises(SimulationInterrupted):
        run_campaign(directory, objective="gamma-moments", budget=4, batch=1, n_initial_points=2,
                     engine=SerialEngine(), progress=None)
    assert [e["index"] for e in _evaluations(directory)] == [0, 1]   # evaluation 2 was cut short: not recorded
    proposals = [e["index"] for e in read_journal(directory / "journal.jsonl") if e["type"] == "proposal"]
    assert 2 in proposals
    resume_campaign(directory, engine=SerialEngine(), progress=None)
    after = _evaluations(directory)
    assert sorted(e["index"] for e in after) == [0, 1, 2, 3]
    assert all(e["status"] == "ok" for e in after)


# --- one process per run folder ------------------------------------------------------------------

def test_second_optimiser_on_a_busy_folder_is_refused_and_resume_works_after_the_first_dies(tmp_path, capsys):
    directory = tmp_path / "busy"
    command = [sys.executable, "-m", "hetnet.cli.main", "optimize", "--objective", "gamma-moments",
               "--budget", "400", "--batch", "1", "--initial-points", "2", "--serial", "--out", str(directory)]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    try:
        assert _wait_for(lambda: len(_evaluations(directory)) >= 1, process=first), first.stderr.read()
        assert main(["optimize", "--resume", str(directory), "--serial"]) == 1
        err = capsys.readouterr().err
        assert "in use by another hetnet process" in err and f"pid {first.pid}" in err and "Traceback" not in err
        assert main(["optimize", "--objective", "gamma-moments", "--budget", "2", "--serial",
                     "--out", str(directory)]) == 1
        assert "in use by another hetnet process" in capsys.readouterr().err
        with pytest.raises(RunFolderLocked):
            resume_campaign(directory, engine="serial", progress=None)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    before = _evaluations(directory)
    settings = json.loads((directory / "run.json").read_text())
    settings["budget"] = len(before) + 2
    (directory / "run.json").write_text(json.dumps(settings))
    assert main(["optimize", "--resume", str(directory), "--serial"]) == 0   # the OS released the dead holder's lock
    after = _evaluations(directory)
    assert sorted(e["index"] for e in after) == list(range(len(before) + 2))


def test_two_hetnet_runs_on_one_out_folder(tmp_path, capsys):
    from hetnet.runfolder import RunFolderLock

    with RunFolderLock(tmp_path):
        assert main(["run", "--quick", "--out", str(tmp_path)]) == 1
    assert "in use by another hetnet process" in capsys.readouterr().err


# --- journal records and failed starts ----------------------------------------------------------

def test_resume_keeps_a_complete_last_record_without_its_newline(tmp_path):
    directory = tmp_path / "run"
    run_campaign(directory, objective="gamma-moments", budget=4, batch=2, seed=1, n_initial_points=2,
                 engine="serial", progress=None)
    journal = directory / "journal.jsonl"
    text = journal.read_text()
    journal.write_text(text.rstrip("\n"))          # a kill between the record and its newline
    last = json.loads(text.rstrip("\n").rsplit("\n", 1)[1])
    assert last["type"] == "evaluation" and last["index"] == 3
    assert [e["index"] for e in _evaluations(directory)] == [0, 1, 2, 3]
    settings = json.loads((directory / "run.json").read_text())
    settings["budget"] = 6
    (directory / "run.json").write_text(json.dumps(settings))
    resume_campaign(directory, engine="serial", progress=None)
    after = _evaluations(directory)
    assert [e["index"] for e in after] == [0, 1, 2, 3, 4, 5]     # evaluation 3 neither lost nor repeated
    assert after[3] == last
    assert all(line.startswith("{") for line in journal.read_text().splitlines())


def test_journal_truncates_only_a_partial_last_line(tmp_path):
    path = tmp_path / "journal.jsonl"
    path.write_text('{"type": "evaluation", "index": 0}\n{"type": "evaluation", "index": 1}')
    with Journal(path) as journal:
        journal.append({"type": "evaluation", "index": 2})
    assert [e["index"] for e in read_journal(path)] == [0, 1, 2]
    path.write_text('{"type": "evaluation", "index": 0}\n{"type": "evalu')
    with Journal(path) as journal:
        journal.append({"type": "evaluation", "index": 1})
    assert [e["index"] for e in read_journal(path)] == [0, 1]


def test_failed_start_leaves_nothing_that_breaks_resume(tmp_path, capsys):
    directory = tmp_path / "failed"
    with pytest.raises(SystemExit) as parsed:   # argparse: usage error before anything runs
        main(["optimize", "--objective", "gamma-moments", "--xi", "nan", "--out", str(directory)])
    assert parsed.value.code == 2 and "--xi: must be a finite number >= 0.0; got 'nan'" in capsys.readouterr().err
    assert not directory.exists()
    with pytest.raises(UsageError, match="xi"):
        run_campaign(directory, objective="gamma-moments", xi=float("nan"), engine="serial", progress=None)
    assert not (directory / "run.json").exists()
    # a start that fails after the folder exists (the engine cannot start) writes no settings
    with pytest.raises(UsageError, match="engine"):
        run_campaign(directory, objective="gamma-moments", budget=2, engine="threads", progress=None)
    assert directory.is_dir() and not (directory / "run.json").exists()
    capsys.readouterr()
    assert main(["optimize", "--resume", str(directory), "--serial"]) == 2
    err = capsys.readouterr().err
    assert "not a hetnet optimize run folder" in err and "Traceback" not in err
    # and a fresh start into that folder works
    assert main(["optimize", "--objective", "gamma-moments", "--budget", "2", "--serial",
                 "--out", str(directory)]) == 0


# --- pool workers die with their parent -----------------------------------------------------------

_POOL_PARENT = """
import sys
from hetnet.bo import run_campaign
try:
    run_campaign(sys.argv[1], objective="gamma-moments", budget=4, batch=2, n_initial_points=2,
                 objective_options={"delay_s": 120.0}, engine="process", max_workers=2, progress=None)
except KeyboardInterrupt:
    sys.exit(130)
"""


def _children(pid):
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _leads_its_group(pid):
    """True once ``pid`` is in a process group of its own (the pool initializer ``watch_parent`` ran)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return False
    return int(fields[2]) == pid


def _pool_workers(pid):
    """The pool's spawned workers among ``pid``'s children (the resource tracker is a child too)."""
    workers = []
    for child in _children(pid):
        try:
            if "spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace"):
                workers.append(child)
        except OSError:
            continue
    return workers


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc (Linux)")
@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_optimiser_stopped_takes_its_pool_workers_with_it(tmp_path, signal_number):
    parent = subprocess.Popen([sys.executable, "-c", _POOL_PARENT, str(tmp_path / "run")], env=ENV)
    try:
        assert _wait_for(lambda: len(_pool_workers(parent.pid)) >= 2, process=parent)
        workers = _pool_workers(parent.pid)
        # both workers have run their initializer (a process group of their own, the parent watched);
        # on a loaded machine that can take seconds after they appear
        assert _wait_for(lambda: all(_leads_its_group(pid) for pid in workers), process=parent)
        time.sleep(1.0)   # both are inside a 120 s evaluation now
        parent.send_signal(signal_number)
        status = parent.wait(timeout=30)
        assert _wait_for(lambda: not any(_alive(pid) for pid in workers), timeout=20), \
            f"workers {workers} still running after their parent was stopped"
        if signal_number == signal.SIGINT:
            assert status == 130   # at once, not after the 120 s evaluations
            assert _evaluations(tmp_path / "run") == []   # the interrupted evaluations are not recorded
    finally:
        if parent.poll() is None:
            parent.kill()


# --- NaN detection ----------------------------------------------------------------------------------

def _small(seed=1, **changes):
    config = HRSNNConfig(n_neurons=40, seed=seed, **changes)
    stimulus = RateStimulus(np.full((20, 20), 40.0), step_ms=10.0)
    return generate_network(config, 20, input_kind="spikes"), stimulus


def test_nan_weights_after_stdp_fail_with_group_and_variable_named():
    network, stimulus = _small()
    ee = network.synapses["ee"]
    broken = dict(network.synapses)
    broken["ee"] = dataclasses.replace(ee, tau_pre_ms=np.zeros_like(ee.tau_pre_ms))   # bypasses generate_network
    with pytest.raises(SimulationError, match=r"synapses_ee\.w: \d+ of \d+ are NaN"):
        simulate(dataclasses.replace(network, synapses=broken), stimulus, plastic=True)


def test_nan_membrane_potential_fails_with_group_and_variable_named():
    network, stimulus = _small()
    broken = network.with_neuron_parameters(initial_v_mV=np.full(network.n_neurons, np.nan))
    with pytest.raises(SimulationError, match=r"recurrent\.v: 40 of 40 are NaN"):
        simulate(broken, stimulus, plastic=False)


def test_underflowing_time_constants_never_reach_the_simulator():
    from hetnet.config import ConfigError

    with pytest.raises(ConfigError, match=r"stdp\.tau_pre_ms.*underflow"):
        HRSNNConfig(n_neurons=40, stdp={"tau_pre_ms": {"kind": "gamma", "shape": 0.001, "mean": 20.0}})


def test_silent_network_is_reported(caplog):
    network, stimulus = _small(weights={"w_scale": 0.0}, input={"rate_max_hz": 1e-6, "rate_min_hz": 0.0},
                               excitatory={"bias_mV": 0.0}, inhibitory={"bias_mV": 0.0})
    with caplog.at_level("WARNING", logger="hetnet.checks"):
        result = simulate(network, stimulus, plastic=False)
    assert result.spike_indices.size == 0
    assert "no recurrent spike" in caplog.text


# --- threads and Brian2's global state -----------------------------------------------------------------

def test_two_simulations_in_two_threads_match_their_sequential_runs():
    first, stimulus = _small(seed=1)
    second, _ = _small(seed=2, variant="HoNHoS")
    expected = [simulate(first, stimulus, plastic=True, seed=11), simulate(second, stimulus, plastic=True, seed=12)]
    results, errors = [None, None], []

    def work(slot, network, seed):
        try:
            results[slot] = simulate(network, stimulus, plastic=True, seed=seed)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(0, first, 11)), threading.Thread(target=work, args=(1, second, 12))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for result, reference in zip(results, expected):
        assert result.spike_indices.size > 0
        np.testing.assert_array_equal(result.spike_indices, reference.spike_indices)
        np.testing.assert_array_equal(result.spike_times_ms, reference.spike_times_ms)
        np.testing.assert_array_equal(result.final_network.synapses["ee"].w, reference.final_network.synapses["ee"].w)
    assert "HETNET_SEED" not in os.environ


def test_simulate_restores_brian2_global_state():
    import brian2 as b2
    from brian2.devices.device import get_device

    network, stimulus = _small()
    device = get_device()
    previous_dt = b2.defaultclock.dt
    b2.defaultclock.dt = 0.25 * b2.ms
    target = b2.prefs.codegen.target
    b2.prefs.codegen.target = "cython"
    np.random.seed(123)
    expected_draw = np.random.random()
    np.random.seed(123)
    try:
        simulate(network, stimulus, plastic=False)   # runs on numpy, dt 0.1 ms, seeds numpy's generator
        assert get_device() is device
        assert b2.defaultclock.dt == 0.25 * b2.ms
        assert b2.prefs.codegen.target == "cython"
        assert np.random.random() == expected_draw
    finally:
        b2.defaultclock.dt = previous_dt
        b2.prefs.codegen.target = target


# --- data files are not code ---------------------------------------------------------------------------

class _Payload:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def _cifar10(root, batch_content):
    root.mkdir(parents=True)
    with open(root / "batches.meta", "wb") as handle:
        pickle.dump({b"label_names": [b"a", b"b"]}, handle)
    for name in [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]:
        with open(root / name, "wb") as handle:
            pickle.dump(batch_content, handle)


@pytest.mark.parametrize("where", ["top-level", "nested"])
def test_malicious_cifar_pickle_is_refused_without_running_it(tmp_path, where):
    from hetnet.datasets import DatasetError, load_cifar

    marker = tmp_path / "owned"
    valid = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 1]}
    content = _Payload(marker) if where == "top-level" else {**valid, b"extra": [{b"x": _Payload(marker)}]}
    _cifar10(tmp_path / "cifar-10-batches-py", content)
    with pytest.raises(DatasetError, match=r"data_batch_1: refused to load: the pickle calls pathlib\.Path\.touch"):
        load_cifar(tmp_path)
    assert not marker.exists(), "the payload ran"


def test_python2_style_cifar_pickle_still_loads(tmp_path):
    from hetnet.datasets import load_cifar

    root = tmp_path / "cifar-10-batches-py"
    _cifar10(root, {b"data": np.arange(2 * 3072, dtype=np.uint8).reshape(2, 3072), b"labels": [1, 0]})
    for name in ["data_batch_1", "test_batch"]:   # protocol 2 and numpy.core, as the original files
        data = pickle.dumps({b"data": np.full((2, 3072), 7, np.uint8), b"labels": [1, 0]}, protocol=2)
        (root / name).write_bytes(data.replace(b"numpy._core.multiarray", b"numpy.core.multiarray"))
    loaded = load_cifar(tmp_path, max_samples=2)
    assert loaded.samples.shape == (2, 32, 32, 3) and float(loaded.samples.max()) == 7.0
    assert loaded.labels.tolist() == [1, 0]


def test_object_arrays_in_a_pickle_are_refused():
    from hetnet.datasets import DatasetError
    from hetnet.datasets.safe_pickle import safe_loads

    with pytest.raises(DatasetError, match="Python objects are not allowed"):
        safe_loads(pickle.dumps({b"data": np.array([1, "a"], dtype=object)}), "batch")
    assert safe_loads(pickle.dumps({b"labels": np.int64(3)}), "batch") == {b"labels": 3}
