"""Bad inputs: TOML files, command-line flags, data files and the Python API.

Every case asserts the error type, the exit status the command gives (2 usage,
1 runtime; argparse errors are usage errors) and that the message names the
field or file, the value and what is allowed; no case may end in a traceback
or in exit status 0.
"""
import json
import pickle

import numpy as np
import pytest

from hetnet.cli.main import build_parser, main
from hetnet.config import ConfigError, HRSNNConfig, load_config
from hetnet.datasets import DatasetError
from hetnet.distributions import DistributionError
from hetnet.errors import EngineError, HetnetError, ResourceError, RunFolderError, UsageError

ARGPARSE = "argparse"


def _cli(argv, capsys):
    """``(error type, exit status, stderr)`` of ``hetnet ARGV``.

    The error type is what the sub-command raises (``"argparse"`` for a
    rejected flag); the exit status and message are what :func:`main` gives.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return ARGPARSE, exit_.code, capsys.readouterr().err
    raised = None
    try:
        args.func(args)
    except HetnetError as error:
        raised = type(error)
    capsys.readouterr()
    status = main(argv)
    return raised, status, capsys.readouterr().err


def _check_cli(argv, capsys, error_type, status, needles):
    raised, code, err = _cli(argv, capsys)
    assert raised is error_type, (raised, err)
    assert code == status, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)


# --- TOML configuration files ----------------------------------------------------------------------

TOML_CASES = [
    ("negative-n", "n_neurons = -4", ["n_neurons", "-4", "must be >= 1"]),
    ("string-n", 'n_neurons = "many"', ["n_neurons", "'many'", "must be an integer"]),
    ("float-n", "n_neurons = 1.5", ["n_neurons", "1.5", "must be an integer"]),
    ("bool-n", "n_neurons = true", ["n_neurons", "True", "must be an integer"]),
    ("unknown-key", "n_nuerons = 10", ["n_nuerons", "10", "unknown key; allowed keys: backend"]),
    ("variant", 'variant = "HeNHoX"', ["variant", "'HeNHoX'", "allowed: HoNHoS, HeNHoS"]),
    ("backend", 'backend = "tpu"', ["backend", "'tpu'", "allowed: runtime, cpp_standalone"]),
    ("zero-dt", "dt_ms = 0", ["dt_ms", "= 0", "must be > 0"]),
    ("nan-dt", "dt_ms = nan", ["dt_ms", "nan", "must be finite"]),
    ("inf-duration", "duration_ms = inf", ["duration_ms", "inf", "must be finite"]),
    ("negative-seed", "seed = -1", ["seed", "-1", "must be >= 0"]),
    ("huge-seed", "seed = 4294967296", ["seed", "4294967296", "must be < 2**32"]),
    ("grid-2d", "grid_shape = [2, 2]", ["grid_shape", "[2, 2]", "three positive integers"]),
    ("grid-small", "n_neurons = 10\ngrid_shape = [1, 1, 1]", ["grid_shape", "[1, 1, 1]", "at least n_neurons = 10"]),
    ("fraction", "excitatory_fraction = 1.5", ["excitatory_fraction", "1.5", "must be <= 1"]),
    ("no-excitatory", "n_neurons = 2\nexcitatory_fraction = 0.1",
     ["excitatory_fraction", "0.1", "STDP needs at least one"]),
    ("tau-m-underflow", '[excitatory]\ntau_m_ms = { kind = "gamma", shape = 0.001, mean = 20.0 }',
     ["excitatory.tau_m_ms", "'shape': 0.001", "underflow"]),
    ("tau-pre-underflow", '[stdp]\ntau_pre_ms = { kind = "gamma", shape = 0.001, mean = 20.0 }',
     ["stdp.tau_pre_ms", "'shape': 0.001", "must be > 0 (a time constant)"]),
    ("tau-post-underflow", '[stdp]\ntau_post_ms = { kind = "lognormal", mean = 1.0, std = 1e300 }',
     ["stdp.tau_post_ms", "1e+300", "underflow"]),
    ("unknown-kind", '[excitatory]\ntau_m_ms = { kind = "weibull" }',
     ["excitatory.tau_m_ms", "'weibull'", "allowed: constant, gamma, lognormal, uniform"]),
    ("missing-mean", '[excitatory]\ntau_m_ms = { kind = "gamma", shape = 3.0 }',
     ["excitatory.tau_m_ms", "'shape': 3.0", "takes exactly shape, mean; missing: mean"]),
    ("zero-t-ref", "[inhibitory]\nt_ref_ms = 0", ["inhibitory.t_ref_ms", "0", "must be > 0"]),
    ("negative-tau", '[excitatory]\ntau_m_ms = { kind = "uniform", low = -1.0, high = 5.0 }',
     ["excitatory.tau_m_ms", "-1.0", "must be > 0"]),
    ("negative-std", '[excitatory]\ntau_m_ms = { kind = "lognormal", mean = 20.0, std = -1.0 }',
     ["excitatory.tau_m_ms", "-1.0", "finite number > 0"]),
    ("threshold", "[excitatory]\nv_th_mV = -70.0", ["excitatory.v_th_mV", "-70.0", "must lie above v_rest"]),
    ("negative-eta", "[stdp]\neta_pre = -0.1", ["stdp.eta_pre", "-0.1", "learning rates must be >= 0"]),
    ("bounds", '[stdp]\nbounds = "medium"', ["stdp.bounds", "'medium'", "allowed: 'soft', 'hard'"]),
    ("probability", "[connectivity]\nc_ee = 2", ["connectivity.c_ee", "2", "must be <= 1"]),
    ("lambda", "[connectivity]\nlambda_grid = 0", ["connectivity.lambda_grid", "0", "must be > 0"]),
    ("w-max", "[weights]\nw_max = 0.0", ["weights.w_max", "0.0", "must be > w_min"]),
    ("initial-weights", '[weights]\ninitial = { kind = "uniform", low = 0.5, high = 2.0 }',
     ["weights.initial", "2.0", "within [w_min, w_max]"]),
    ("rate", "[input]\nrate_max_hz = 0", ["input.rate_max_hz", "0", "must be > 0"]),
    ("per-channel", "[input]\nneurons_per_channel = 0", ["input.neurons_per_channel", "0", "must be >= 1"]),
    ("on-off", '[input]\non_off = "yes"', ["input.on_off", "'yes'", "must be true or false"]),
    ("step", "[input]\nstep_ms = -1", ["input.step_ms", "-1", "must be > 0"]),
    ("unknown-section", "[neurons]\ntau_m_ms = 20", ["neurons", "{'tau_m_ms': 20}", "unknown key; allowed keys"]),
    ("section-not-table", "stdp = 3", ["stdp", "3", "must be a STDPConfig or a table"]),
    ("dt-above-refractory", "dt_ms = 5.0", ["dt_ms", "5.0", "must not exceed the refractory period"]),
    ("invalid-toml", "n_neurons = = 3", ["config file", "bad.toml", "is not valid TOML"]),
]


@pytest.mark.parametrize("text, needles", [case[1:] for case in TOML_CASES], ids=[case[0] for case in TOML_CASES])
def test_bad_toml(tmp_path, capsys, text, needles):
    path = tmp_path / "bad.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    for needle in needles:
        assert needle in str(caught.value)
    assert caught.value.exit_code == 2
    _check_cli(["run", "--config", str(path), "--out", str(tmp_path / "out")], capsys, ConfigError, 2, needles)


def test_binary_config_file(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\x80\x81\xff binary")
    _check_cli(["run", "--config", str(path), "--out", str(tmp_path / "out")], capsys, ConfigError, 2,
               ["config file", str(path), "is not a UTF-8 text file", "give a TOML text file"])


@pytest.mark.parametrize("kind", ["folder", "missing"])
def test_config_path_that_is_not_a_file(tmp_path, capsys, kind):
    path = tmp_path if kind == "folder" else tmp_path / "missing.toml"
    _check_cli(["run", "--config", str(path), "--out", str(tmp_path / "out")], capsys, ConfigError, 2,
               ["config file", str(path), "is a folder" if kind == "folder" else "no such file", "give a TOML file"])


def test_network_too_large_for_memory_is_refused_with_the_estimate(tmp_path, capsys):
    path = tmp_path / "huge.toml"
    path.write_text("n_neurons = 1000000000\n")
    _check_cli(["run", "--config", str(path), "--out", str(tmp_path / "out")], capsys, ResourceError, 2,
               ["n_neurons", "1000000000", "needs an estimated", "GiB of memory", "is available here"])


def test_sampled_reset_above_threshold_is_refused(tmp_path, capsys):
    path = tmp_path / "reset.toml"
    path.write_text('n_neurons = 200\n[excitatory]\nv_reset_mV = { kind = "uniform", low = -80.0, high = -50.0 }\n')
    _check_cli(["run", "--config", str(path), "--variants", "HeNHeS", "--out", str(tmp_path / "out")], capsys, ConfigError, 2,
               ["excitatory.v_reset_mV", "'high': -50.0", "must lie below its v_th_mV", "have v_reset >= v_th"])


# --- hetnet run flags -------------------------------------------------------------------------------

RUN_CASES = [
    ("variants", ["--variants", "HoNHoX"], UsageError, 2, ["--variants", "'HoNHoX'", "comma-separated list of HoNHoS"]),
    ("empty-variants", ["--variants", ","], UsageError, 2, ["--variants", "','", "comma-separated list"]),
    ("shd-without-data", ["--task", "shd"], UsageError, 2, ["--data", "None", "needs --data PATH"]),
    ("data-ignored", ["--data", "series.csv"], UsageError, 2,
     ["--data", "'series.csv'", "task 'lorenz63' reads no data file", "task(s) shd, dvs128, kth, cifar10 only"]),
    ("train-steps", ["--train-steps", "5"], ARGPARSE, 2, ["--train-steps", "'5'", "must be an integer >= 10"]),
    ("test-steps", ["--test-steps", "1"], ARGPARSE, 2, ["--test-steps", "'1'", "must be an integer >= 2"]),
    ("washout", ["--washout-steps", "600"], UsageError, 2, ["--washout-steps", "600", "must be < --train-steps - 1 = 499"]),
    ("washout-quick", ["--quick", "--washout-steps", "200"], UsageError, 2,
     ["--washout-steps", "200", "must be < --train-steps - 1 = 149"]),
    ("n-neurons", ["--n-neurons", "0"], ARGPARSE, 2, ["--n-neurons", "'0'", "must be an integer >= 1"]),
    ("seed", ["--seed", "-3"], ARGPARSE, 2, ["--seed", "'-3'", "must be an integer in [0, 4294967295]"]),
    ("seed-text", ["--seed", "abc"], ARGPARSE, 2, ["--seed", "'abc'", "must be an integer"]),
    ("mode", ["--mode", "sideways"], ARGPARSE, 2, ["--mode", "'sideways'", "choose from", "free-running"]),
    ("task", ["--task", "weather"], ARGPARSE, 2, ["--task", "'weather'", "choose from", "lorenz63"]),
    ("backend", ["--backend", "tpu"], ARGPARSE, 2, ["--backend", "'tpu'", "choose from", "cpp_standalone"]),
]


@pytest.mark.parametrize("argv, error_type, status, needles", [case[1:] for case in RUN_CASES],
                         ids=[case[0] for case in RUN_CASES])
def test_bad_run_flags(tmp_path, capsys, argv, error_type, status, needles):
    _check_cli(["run", *argv, "--out", str(tmp_path / "out")], capsys, error_type, status, needles)
    assert not (tmp_path / "out" / "results.json").exists()


@pytest.mark.parametrize("where", ["existing-file", "under-a-file", "unwritable"])
def test_bad_out_folder(tmp_path, capsys, where):
    (tmp_path / "file.txt").write_text("not a folder")
    out, allowed = {
        "existing-file": (tmp_path / "file.txt", "is an existing file, not a folder"),
        "under-a-file": (tmp_path / "file.txt" / "results", "lies under"),
        "unwritable": ("/sys/hetnet-results-test", "cannot be created"),
    }[where]
    for command in (["run", "--quick"], ["optimize", "--objective", "gamma-moments", "--serial"],
                    ["prune", "--quick"]):
        _check_cli([*command, "--out", str(out)], capsys, UsageError, 2, ["--out", str(out), allowed])


def test_shd_data_file_missing_or_not_hdf5(tmp_path, capsys):
    pytest.importorskip("h5py")
    missing = tmp_path / "shd_train.h5"
    _check_cli(["run", "--task", "shd", "--data", str(missing), "--out", str(tmp_path / "out")], capsys, DatasetError,
               1, ["dataset file not found", str(missing), "expected an HDF5 file (SHD/SSC format)"])
    text = tmp_path / "text.h5"
    text.write_text("this is not HDF5")
    _check_cli(["run", "--task", "shd", "--data", str(text), "--out", str(tmp_path / "out")], capsys, DatasetError,
               1, ["cannot read dataset file", str(text), "expected an HDF5 file"])


def test_gpu_backend_that_cannot_run_gives_one_message(tmp_path, capsys):
    from hetnet.backends.gpu import BackendUnavailable

    _check_cli(["run", "--quick", "--n-neurons", "20", "--backend", "genn", "--out", str(tmp_path / "out")], capsys,
               BackendUnavailable, 1, ["the 'genn' backend is not usable here", "fix:"])


# --- hetnet optimize flags and run folders -------------------------------------------------------------

OPTIMIZE_FLAG_CASES = [
    ("xi-nan", ["--xi", "nan"], ["--xi", "'nan'", "must be a finite number >= 0.0"]),
    ("xi-negative", ["--xi", "-1"], ["--xi", "'-1'", "must be a finite number >= 0.0"]),
    ("budget", ["--budget", "0"], ["--budget", "'0'", "must be an integer >= 1"]),
    ("batch", ["--batch", "0"], ["--batch", "'0'", "must be an integer >= 1"]),
    ("workers", ["--workers", "0"], ["--workers", "'0'", "must be an integer >= 1"]),
    ("initial-points", ["--initial-points", "0"], ["--initial-points", "'0'", "must be an integer >= 1"]),
    ("seed", ["--seed", "-1"], ["--seed", "'-1'", "must be an integer in [0, 4294967295]"]),
    ("objective", ["--objective", "speed"], ["--objective", "'speed'", "choose from", "efficiency"]),
    ("kernel", ["--kernel", "rbf"], ["--kernel", "'rbf'", "choose from", "wasserstein"]),
]


@pytest.mark.parametrize("argv, needles", [case[1:] for case in OPTIMIZE_FLAG_CASES],
                         ids=[case[0] for case in OPTIMIZE_FLAG_CASES])
def test_bad_optimize_flags(tmp_path, capsys, argv, needles):
    _check_cli(["optimize", *argv, "--serial", "--out", str(tmp_path / "run")], capsys, ARGPARSE, 2, needles)
    assert not (tmp_path / "run").exists()


def _run_folder(tmp_path, settings=None, text=None):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "run.json").write_text(text if text is not None else json.dumps(settings))
    return folder


GOOD_SETTINGS = {"objective": "gamma-moments", "space": None, "budget": 2, "batch": 1, "seed": 0,
                 "kernel": "wasserstein", "n_initial_points": 1, "xi": 0.01}

RESUME_CASES = [
    ("missing-keys", {"objective": "gamma-moments", "seed": 0},
     ["run.json", "lacks the setting(s) space, budget, batch", "holds objective, space, budget"]),
    ("bad-budget", {**GOOD_SETTINGS, "budget": "many"}, ["run.json", "budget = 'many'", "must be an integer >= 1"]),
    ("bad-xi", {**GOOD_SETTINGS, "xi": -2.0}, ["run.json", "xi = -2.0", "must be a finite number >= 0"]),
    ("bad-objective", {**GOOD_SETTINGS, "objective": "speed"}, ["run.json", "objective = 'speed'", "allowed: efficiency"]),
    ("not-a-table", [1, 2], ["run.json", "holds a list", "not the settings table"]),
    ("bad-space", {**GOOD_SETTINGS, "space": {"parameters": "x"}}, ["run.json", "cannot build the run from its settings",
                                                                   "the settings of a hetnet optimize run are"]),
]


@pytest.mark.parametrize("settings, needles", [case[1:] for case in RESUME_CASES], ids=[case[0] for case in RESUME_CASES])
def test_bad_run_json_on_resume(tmp_path, capsys, settings, needles):
    folder = _run_folder(tmp_path, settings)
    _check_cli(["optimize", "--resume", str(folder), "--serial"], capsys, RunFolderError, 1, [str(folder), *needles])


def test_run_json_that_is_not_json(tmp_path, capsys):
    folder = _run_folder(tmp_path, text="{ not json")
    _check_cli(["optimize", "--resume", str(folder), "--serial"], capsys, RunFolderError, 1,
               [str(folder / "run.json"), "is not readable JSON", "settings of a hetnet optimize run"])


def test_corrupt_journal_line_on_resume(tmp_path, capsys):
    folder = _run_folder(tmp_path, GOOD_SETTINGS)
    (folder / "journal.jsonl").write_text('garbage\n{"type": "proposal", "index": 0, "x": [1, 2, 3, 4], "seed": 1}\n')
    _check_cli(["optimize", "--resume", str(folder), "--serial"], capsys, RunFolderError, 1,
               [str(folder / "journal.jsonl"), "line 1 is not a JSON record ('garbage')", "one JSON object"])


def test_resume_of_a_folder_that_is_not_a_run(tmp_path, capsys):
    _check_cli(["optimize", "--resume", str(tmp_path / "nothing"), "--serial"], capsys, UsageError, 2,
               ["--resume", str(tmp_path / "nothing"), "is not a hetnet optimize run folder", "start a run with --out"])


def test_resume_with_a_config_or_out(tmp_path, capsys):
    folder = _run_folder(tmp_path, GOOD_SETTINGS)
    _check_cli(["optimize", "--config", "other.toml", "--resume", str(folder)], capsys, UsageError, 2,
               ["--config", "'other.toml'", "cannot be combined with --resume"])
    _check_cli(["optimize", "--out", "elsewhere", "--resume", str(folder)], capsys, UsageError, 2,
               ["--out", "'elsewhere'", "cannot be combined with --resume"])


def test_new_run_into_a_folder_holding_one(tmp_path, capsys):
    argv = ["optimize", "--objective", "gamma-moments", "--budget", "2", "--serial", "--out", str(tmp_path / "run")]
    assert main(argv) == 0
    capsys.readouterr()
    _check_cli(argv, capsys, UsageError, 2, ["--out", str(tmp_path / "run"), "already holds a run", "--resume"])


def test_optimize_with_a_bad_config(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text("[connectivity]\np_in = -0.5\n")
    _check_cli(["optimize", "--config", str(path), "--serial", "--out", str(tmp_path / "run")], capsys, ConfigError, 2,
               ["connectivity.p_in", "-0.5", "must be >= 0"])


def test_unreachable_dask_scheduler(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    from hetnet.bo import engine

    monkeypatch.setattr(engine, "DASK_TIMEOUT", "1s")
    _check_cli(["optimize", "--objective", "gamma-moments", "--dask", "tcp://127.0.0.1:9", "--out",
                str(tmp_path / "run")], capsys, EngineError, 1,
               ["cannot reach a Dask scheduler", "'tcp://127.0.0.1:9'", "address of a running scheduler"])
    assert not (tmp_path / "run" / "run.json").exists()


# --- hetnet prune flags -------------------------------------------------------------------------------

PRUNE_CASES = [
    ("keep-fraction", ["--synapse-keep-fraction", "1.5"],
     ["--synapse-keep-fraction", "'1.5'", "must be a finite number in [0.0, 1.0]"]),
    ("node-fraction", ["--node-prune-fraction", "1"],
     ["--node-prune-fraction", "'1'", "must be a finite number in [0.0, 1.0)"]),
    ("edge-fraction", ["--new-edge-fraction", "-1"], ["--new-edge-fraction", "'-1'", "must be a finite number >= 0.0"]),
    ("bo-calls", ["--bo-calls", "0"], ["--bo-calls", "'0'", "must be an integer >= 1"]),
    ("ap-steps", ["--ap-steps", "1"], ["--ap-steps", "'1'", "must be an integer >= 2"]),
    ("iterations", ["--iterations", "-1"], ["--iterations", "'-1'", "must be an integer >= 0"]),
    ("n-neurons", ["--n-neurons", "5"], ["--n-neurons", "'5'", "must be an integer >= 10"]),
    ("lambda", ["--lambda-grid", "0"], ["--lambda-grid", "'0'", "must be a finite number > 0.0"]),
    ("method", ["--method", "magic"], ["--method", "'magic'", "choose from", "lnp"]),
    ("seeds", ["--seed", "x"], ["--seed", "'x'", "must be an integer"]),
]


@pytest.mark.parametrize("argv, needles", [case[1:] for case in PRUNE_CASES], ids=[case[0] for case in PRUNE_CASES])
def test_bad_prune_flags(tmp_path, capsys, argv, needles):
    _check_cli(["prune", *argv, "--out", str(tmp_path / "out")], capsys, ARGPARSE, 2, needles)


def test_prune_with_a_missing_config(tmp_path, capsys):
    _check_cli(["prune", "--quick", "--config", str(tmp_path / "none.toml"), "--out", str(tmp_path / "out")], capsys,
               ConfigError, 2, ["config file", str(tmp_path / "none.toml"), "no such file"])


def test_prune_into_a_folder_with_a_corrupt_results_file(tmp_path, capsys):
    (tmp_path / "results.json").write_text("{ truncated")
    _check_cli(["prune", "--quick", "--out", str(tmp_path), "--force"], capsys, RunFolderError, 1,
               [str(tmp_path / "results.json"), "is not readable JSON", "results of earlier hetnet prune runs"])


# --- data files ----------------------------------------------------------------------------------------

def _write_cifar(root, batch, meta=None):
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "batches.meta", "wb") as handle:
        pickle.dump(meta or {b"label_names": [b"a", b"b"]}, handle)
    for name in [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]:
        with open(root / name, "wb") as handle:
            pickle.dump(batch, handle)
    return root


class _Exec:
    def __reduce__(self):
        return (exec, ("raise SystemExit('the payload ran')",))


CIFAR_CASES = [
    ("payload", _Exec(), ["data_batch_1", "refused to load: the pickle calls builtins.exec", "may hold only dict, list"]),
    ("nested-payload", {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 1], b"x": {b"y": [_Exec()]}},
     ["data_batch_1", "builtins.exec", "no code is run from data files"]),
    ("not-a-dict", [1, 2, 3], ["data_batch_1", "pickle holds a list, not a dict", "each batch a dict with b'data'"]),
    ("shape", {b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]},
     ["data_batch_1", "data of shape (2, 100)", "expected (n, 3072) uint8"]),
    ("labels", {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 7]}, ["cifar-10-batches-py", "label 7",
                                                                             "labels must lie in 0..1"]),
    ("no-labels", {b"data": np.zeros((2, 3072), np.uint8)}, ["data_batch_1", "missing 'data' or 'labels'",
                                                            "b'labels' (CIFAR-10)"]),
]


@pytest.mark.parametrize("batch, needles", [case[1:] for case in CIFAR_CASES], ids=[case[0] for case in CIFAR_CASES])
def test_bad_cifar_files(tmp_path, batch, needles):
    from hetnet.datasets import load_cifar

    _write_cifar(tmp_path / "cifar-10-batches-py", batch)
    with pytest.raises(DatasetError) as caught:
        load_cifar(tmp_path)
    for needle in needles:
        assert needle in str(caught.value)
    assert caught.value.exit_code == 1


def test_missing_cifar_folder(tmp_path):
    from hetnet.datasets import load_cifar

    with pytest.raises(DatasetError, match=r"dataset folder not found: .*nothing; expected the CIFAR python pickles"):
        load_cifar(tmp_path / "nothing")


def _write_shd(path, times, units, labels, keys=None):
    h5py = pytest.importorskip("h5py")
    with h5py.File(path, "w") as handle:
        times_set = handle.create_dataset("spikes/times", (len(times),), dtype=h5py.vlen_dtype(np.dtype("float16")))
        units_set = handle.create_dataset("spikes/units", (len(units),), dtype=h5py.vlen_dtype(np.dtype("uint16")))
        for index, (sample_times, sample_units) in enumerate(zip(times, units)):
            times_set[index] = np.asarray(sample_times, dtype=np.float16)
            units_set[index] = np.asarray(sample_units, dtype=np.uint16)
        if labels is not None:
            handle.create_dataset("labels", data=np.asarray(labels))
        if keys is not None:
            handle.create_dataset("extra/keys", data=np.array(keys, dtype="S"))
    return path


SHD_CASES = [
    ("float-labels", dict(times=[[0.1], [0.2]], units=[[1], [2]], labels=[0.0, 1.5]),
     ["labels[1] = 1.5 is not a whole number", "labels must be integer class indices"]),
    ("units", dict(times=[[0.1, 0.2]], units=[[1, 800]], labels=[0]), ["sample 0 has unit 800, outside 0..699",
                                                                       "below n_units = 700"]),
    ("negative-time", dict(times=[[-0.5]], units=[[1]], labels=[0]), ["sample 0 has spike time -0.5 s",
                                                                      "must be finite and >= 0"]),
    ("ragged", dict(times=[[0.1], [0.2]], units=[[1], [2]], labels=[0]), ["2 spike-time rows, 2 unit rows and 1 labels differ",
                                                                          "expected an HDF5 file"]),
    ("no-labels", dict(times=[[0.1]], units=[[1]], labels=None), ["has no dataset 'labels'", "expected an HDF5 file"]),
    ("label-range", dict(times=[[0.1]], units=[[1]], labels=[3], keys=["zero", "one"]),
     ["label 3", "labels must lie in 0..1"]),
]


@pytest.mark.parametrize("content, needles", [case[1:] for case in SHD_CASES], ids=[case[0] for case in SHD_CASES])
def test_bad_shd_files(tmp_path, capsys, content, needles):
    from hetnet.datasets import load_shd

    path = _write_shd(tmp_path / "shd.h5", **content)
    with pytest.raises(DatasetError) as caught:
        load_shd(path)
    for needle in [str(path), *needles]:
        assert needle in str(caught.value)
    _check_cli(["run", "--task", "shd", "--data", str(path), "--out", str(tmp_path / "out")], capsys, DatasetError, 1,
               [str(path), *needles])


DVS_CASES = [
    ("shape", "user01_fluorescent/3.npy", np.zeros((5, 3)), ["3.npy", "array of shape (5, 3)", "each an (N, 4) array"]),
    ("name", "user01_fluorescent/three.npy", np.zeros((5, 4)), ["three.npy", "file name must be the class label 0..10"]),
    ("label", "user01_fluorescent/12.npy", np.zeros((5, 4)), ["12.npy", "label 12 outside 0..10"]),
    ("objects", "user01_fluorescent/2.npy", np.array([{"a": 1}], dtype=object), ["2.npy", "cannot read dataset file",
                                                                                 "Object arrays cannot be loaded"]),
    ("sensor", "user01_fluorescent/1.npy", np.array([[500.0, 1.0, 0.0, 1.0]]),
     ["1.npy", "event 0 at x=500", "outside the (128, 128, 2) sensor", "0 <= x < 128"]),
]


@pytest.mark.parametrize("name, array, needles", [case[1:] for case in DVS_CASES], ids=[case[0] for case in DVS_CASES])
def test_bad_dvs_files(tmp_path, name, array, needles):
    from hetnet.datasets import load_dvs_gesture

    path = tmp_path / "ibmGestureTrain" / name
    path.parent.mkdir(parents=True)
    np.save(path, array, allow_pickle=True)
    with pytest.raises(DatasetError) as caught:
        load_dvs_gesture(tmp_path)
    for needle in needles:
        assert needle in str(caught.value)


CSV_CASES = [
    ("column", "time,Close\n0,1\n", "Volume", ["no column Volume", "columns are time, Close"]),
    ("text", "time,Close\n0,1\n1,abc\n", "Close", ["line 3 has a non-numeric value ['abc']"]),
    ("fields", "time,Close\n0\n", "Close", ["line 2 has 1 fields, header has 2"]),
    ("infinite", "time,Close\n0,inf\n", "Close", ["non-finite values in column(s) Close (e.g. inf)",
                                                  "must be finite numbers"]),
]


@pytest.mark.parametrize("text, column, needles", [case[1:] for case in CSV_CASES], ids=[case[0] for case in CSV_CASES])
def test_bad_csv_files(tmp_path, text, column, needles):
    from hetnet.datasets import load_csv_series

    path = tmp_path / "prices.csv"
    path.write_text(text)
    with pytest.raises(DatasetError) as caught:
        load_csv_series(path, column)
    for needle in [str(path), *needles]:
        assert needle in str(caught.value)


def test_kth_without_a_class_folder(tmp_path):
    from hetnet.datasets import load_kth

    (tmp_path / "boxing").mkdir()
    np.save(tmp_path / "boxing" / "v.npy", np.zeros((3, 4, 4)))
    with pytest.raises(DatasetError, match=r"dataset folder not found: .*handclapping; expected <root>/<class>"):
        load_kth(tmp_path)


# --- Python API ------------------------------------------------------------------------------------------

def _network(n_input=20):
    from hetnet.network import generate_network

    return generate_network(HRSNNConfig(n_neurons=30, seed=1), n_input)


def _stimulus(channels):
    from hetnet.encoding import RateStimulus

    return RateStimulus(np.full((5, channels), 10.0), step_ms=10.0)


def _simulate(**options):
    from hetnet.network import simulate

    return simulate(_network(), _stimulus(20), **options)


def _campaign(tmp_path, **options):
    from hetnet.bo import run_campaign

    return run_campaign(tmp_path / "run", **{"objective": "gamma-moments", "engine": "serial", "progress": None,
                                             **options})


API_CASES = [
    ("n-input-zero", lambda tmp: _network(0), UsageError, ["n_input", "0", "must be a positive integer"]),
    ("n-input-bool", lambda tmp: _network(True), UsageError, ["n_input", "True", "must be a positive integer"]),
    ("stimulus-channels", lambda tmp: __import__("hetnet.network", fromlist=["simulate"]).simulate(
        _network(), _stimulus(7)), UsageError, ["stimulus.n_channels", "7", "must equal the network's n_input = 20"]),
    ("backend", lambda tmp: _simulate(backend="tpu"), UsageError, ["backend", "'tpu'", "allowed: runtime"]),
    ("seed", lambda tmp: _simulate(seed=-1), UsageError, ["seed", "-1", "must be an integer in [0, 2**32)"]),
    ("gamma-shape", lambda tmp: __import__("hetnet.distributions", fromlist=["Gamma"]).Gamma(0.0, 1.0),
     DistributionError, ["shape", "0.0", "must be a finite number > 0"]),
    ("gamma-nan", lambda tmp: __import__("hetnet.distributions", fromlist=["Gamma"]).Gamma(3.0, float("nan")),
     DistributionError, ["mean", "nan", "must be a finite number > 0"]),
    ("uniform-order", lambda tmp: __import__("hetnet.distributions", fromlist=["Uniform"]).Uniform(2.0, 1.0),
     DistributionError, ["low=2.0", "high=1.0", "uniform needs low < high"]),
    ("distribution-missing", lambda tmp: __import__("hetnet.distributions", fromlist=["x"]).distribution_from_dict(
        {"kind": "gamma", "shape": 1.0}, field="stdp.eta_pre"), DistributionError,
     ["stdp.eta_pre", "gamma", "takes exactly shape, mean; missing: mean"]),
    ("config-seed", lambda tmp: HRSNNConfig(seed=2**32), ConfigError, ["seed", "4294967296", "must be < 2**32"]),
    ("config-replace", lambda tmp: HRSNNConfig().replace(connectivity={"c_ei": -1.0}), ConfigError,
     ["connectivity.c_ei", "-1.0", "must be >= 0"]),
    ("memory", lambda tmp: __import__("hetnet.checks", fromlist=["x"]).check_network_size(
        HRSNNConfig(n_neurons=5000), 40, available=2**20), ResourceError,
     ["n_neurons", "5000", "needs an estimated", "0.000977 GiB is available"]),
    ("budget", lambda tmp: _campaign(tmp, budget=0), UsageError, ["budget", "0", "must be an integer >= 1"]),
    ("kernel", lambda tmp: _campaign(tmp, kernel="rbf"), UsageError, ["kernel", "'rbf'", "allowed: wasserstein, matern"]),
    ("objective", lambda tmp: _campaign(tmp, objective="speed"), UsageError, ["objective", "'speed'", "allowed: efficiency"]),
    ("xi", lambda tmp: _campaign(tmp, xi=float("inf")), UsageError, ["xi", "inf", "must be a finite number >= 0"]),
    ("engine", lambda tmp: __import__("hetnet.bo", fromlist=["make_engine"]).make_engine("threads"), UsageError,
     ["engine", "'threads'", "allowed: serial, process"]),
    ("workers", lambda tmp: __import__("hetnet.bo", fromlist=["x"]).ProcessPoolEngine(max_workers=0), UsageError,
     ["max_workers", "0", "must be an integer >= 1"]),
    ("journal", lambda tmp: (tmp / "j.jsonl").write_text("[1]\n{}\n") and __import__(
        "hetnet.bo", fromlist=["read_journal"]).read_journal(tmp / "j.jsonl"), RunFolderError,
     ["j.jsonl", "line 1 is not a JSON record ('[1]')", "every line of a journal is one JSON object"]),
]


@pytest.mark.parametrize("call, error_type, needles", [case[1:] for case in API_CASES], ids=[case[0] for case in API_CASES])
def test_bad_python_api_calls(tmp_path, call, error_type, needles):
    with pytest.raises(error_type) as caught:
        call(tmp_path)
    assert type(caught.value) is error_type
    for needle in needles:
        assert needle in str(caught.value), (needle, str(caught.value))
    assert caught.value.exit_code == (2 if error_type in (UsageError, ConfigError, ResourceError, DistributionError)
                                      else 1)



JOURNAL_CASES = [
    ("no-index", {"type": "evaluation", "x": [1, 2, 3, 4], "seed": 1, "objective": 1.0}, "index = None"),
    ("short-x", {"type": "proposal", "index": 0, "x": [1], "seed": 1}, "x = [1]; must be a list of 4 values"),
    ("text-objective", {"type": "evaluation", "index": 0, "x": [1, 2, 3, 4], "seed": 1, "objective": "best"},
     "objective = 'best'; must be a number or null"),
]


@pytest.mark.parametrize("record, needle", [case[1:] for case in JOURNAL_CASES], ids=[case[0] for case in JOURNAL_CASES])
def test_journal_record_missing_what_resume_needs(tmp_path, capsys, record, needle):
    folder = _run_folder(tmp_path, GOOD_SETTINGS)
    (folder / "journal.jsonl").write_text(json.dumps(record) + "\n")
    _check_cli(["optimize", "--resume", str(folder), "--serial"], capsys, RunFolderError, 1,
               [str(folder / "journal.jsonl"), "record 1", needle])
