"""The command line and the scripts in models/ and experiments/ run (quick mode)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hetnet.cli.main import main

ROOT = Path(__file__).resolve().parents[1]


def test_help_explains_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    top = capsys.readouterr().out
    for command in ("run", "optimize", "prune"):
        assert command in top
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = capsys.readouterr().out
    for option in ("--out", "--seed", "--backend", "--variants", "--task", "--data", "--quick", "--train-steps"):
        assert option in text


def test_run_quick_writes_table_json_and_png(tmp_path, capsys):
    status = main(["run", "--quick", "--out", str(tmp_path), "--seed", "3"])
    assert status == 0
    output = capsys.readouterr().out
    assert "HoNHoS" in output and "HeNHeS" in output and "NRMSE" in output
    record = json.loads((tmp_path / "results.json").read_text())
    assert set(record["variants"]) == {"HoNHoS", "HeNHeS"}
    for row in record["variants"].values():
        assert 0 < row["nrmse"] < 5 and row["mean_rate_hz"] > 0
        assert 0 <= row["synchrony"] <= 1 and 0 <= row["silent_fraction"] <= 1 and row["nrmse_with_input"] > 0
    # the references of the same run: persistence, AR(k) and (reservoirpy is in the test extra) an ESN
    assert set(record["references"]) == {"persistence", "ar", "esn"}
    assert record["references"]["esn"]["n_units"] == 100
    assert "persistence" in output and "AR(" in output and "ESN(100)" in output and "synchrony" in output
    assert record["provenance"]["seed"] == 3 and record["provenance"]["versions"]["brian2"]
    assert record["provenance"]["config"]["n_neurons"] == 100
    assert (tmp_path / "hrsnn_run.png").stat().st_size > 10_000


def test_run_rejects_bad_input_cleanly(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("n_neurons = -4\n")
    assert main(["run", "--config", str(bad), "--out", str(tmp_path)]) == 2
    assert "n_neurons = -4" in capsys.readouterr().err
    assert main(["run", "--variants", "HoNHoX", "--out", str(tmp_path)]) == 2
    assert main(["run", "--task", "shd", "--quick", "--out", str(tmp_path)]) == 2
    assert "--data" in capsys.readouterr().err


def test_model_script_runs_in_quick_mode(tmp_path):
    raster = tmp_path / "raster.png"
    completed = subprocess.run([sys.executable, str(ROOT / "models" / "hrsnn.py"), "--quick", "--plot", str(raster)],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "mean rate" in completed.stdout and raster.stat().st_size > 5_000


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "experiments").glob("*.py") if not p.name.startswith("_")))
def test_experiment_scripts_run_in_quick_mode(script, tmp_path):
    completed = subprocess.run([sys.executable, str(ROOT / "experiments" / script), "--quick", "--out", str(tmp_path)],
                               capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert any(tmp_path.iterdir()), "an experiment writes its results"


def test_run_task_classification_prints_accuracy(tmp_path, capsys):
    status = main(["run", "--task", "spike-patterns", "--quick", "--n-neurons", "40", "--out", str(tmp_path)])
    assert status == 0
    assert "accuracy" in capsys.readouterr().out
    record = json.loads((tmp_path / "results.json").read_text())
    assert record["task"] == "spike-patterns"
    for row in record["variants"].values():
        assert 0.0 <= row["accuracy"] <= 1.0 and row["n_test"] > 0


@pytest.mark.standalone
def test_run_on_cpp_standalone_compiles_once_for_both_variants(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HETNET_CACHE", str(tmp_path / "cache"))
    status = main(["run", "--quick", "--n-neurons", "40", "--backend", "cpp_standalone", "--out", str(tmp_path)])
    assert status == 0
    record = json.loads((tmp_path / "results.json").read_text())
    builds = {variant: run["build"] for variant, run in record["simulation"].items()}
    assert builds["HoNHoS"]["compiled"] is True       # first variant: frozen-network binary compiled
    assert builds["HeNHeS"]["compiled"] is False      # second variant: same structure, re-run only
    assert builds["HoNHoS"]["key"] == builds["HeNHeS"]["key"]
    assert record["provenance"]["backend"] == "cpp_standalone"


def test_run_explicit_steps_win_over_quick_and_a_silent_network_is_flagged(tmp_path, capsys):
    config = tmp_path / "silent.toml"
    config.write_text("[weights]\nw_scale = 0.0\n[input]\nrate_max_hz = 1e-9\n"
                      "[excitatory]\nbias_mV = 0.0\n[inhibitory]\nbias_mV = 0.0\n")
    status = main(["run", "--config", str(config), "--quick", "--variants", "HeNHeS", "--n-neurons", "20", "--train-steps", "20",
                   "--test-steps", "5", "--washout-steps", "2", "--out", str(tmp_path / "out")])
    assert status == 0
    record = json.loads((tmp_path / "out" / "results.json").read_text())
    assert record["series"]["train_steps"] == 20 and record["series"]["test_steps"] == 5   # not --quick's 150 / 40
    assert record["series"]["washout_steps"] == 2
    assert record["provenance"]["config"]["n_neurons"] == 20
    assert record["variants"]["HeNHeS"]["spikes_per_neuron"] == 0
    assert "HeNHeS" in record["warnings"][0] and "no spike" in record["warnings"][0]
    assert "warning: the network of HeNHeS produced no spike" in capsys.readouterr().err


def test_model_script_parameters_are_the_library_defaults():
    """models/hrsnn.py and hetnet's default configuration describe one model."""
    import runpy

    import brian2

    from hetnet.config import HRSNNConfig

    script = runpy.run_path(str(ROOT / "models" / "hrsnn.py"), run_name="not_main")
    config = HRSNNConfig()
    ms, mV = brian2.ms, brian2.mV
    connectivity, weights, e, i = config.connectivity, config.weights, config.excitatory, config.inhibitory
    assert script["N"] == config.n_neurons and script["excitatory_fraction"] == config.excitatory_fraction
    assert tuple(script["grid_shape"]) == tuple(sorted(config.resolved_grid_shape()))
    assert script["C"] == {"EE": connectivity.c_ee, "EI": connectivity.c_ei, "IE": connectivity.c_ie,
                           "II": connectivity.c_ii}
    assert (script["lambda_grid"], script["p_in"]) == (connectivity.lambda_grid, connectivity.p_in)
    assert (script["tau_m_shape"], script["tau_m_E"] / ms, script["tau_m_I"] / ms) == (
        e.tau_m_ms.shape, e.tau_m_ms.mean, i.tau_m_ms.mean)
    assert (script["v_th_low"] / mV, script["v_th_high"] / mV) == (e.v_th_mV.low, e.v_th_mV.high)
    assert (script["v_rest"] / mV, script["v_reset"] / mV, script["t_ref"] / ms) == (
        e.v_rest_mV.mean, e.v_reset_mV.mean, e.t_ref_ms.mean)
    assert (script["bias_E"] / mV, script["bias_I"] / mV) == (e.bias_mV.mean, i.bias_mV.mean)
    assert (script["tau_syn_E"] / ms, script["tau_syn_I"] / ms) == (weights.tau_syn_e_ms, weights.tau_syn_i_ms)
    assert (script["J_E"] / mV, script["J_I"] / mV) == (weights.excitatory_scale_mV, weights.inhibitory_scale_mV)
    assert script["input_scale"] / mV == config.input.current_scale_mV and script["step"] / ms == config.input.step_ms
    assert (script["tau_trace_mean"] / ms, script["eta_pre_mean"], script["eta_post_mean"]) == (
        config.stdp.tau_pre_ms.mean, config.stdp.eta_pre.mean, config.stdp.eta_post.mean)
    assert config.input.mode == "current" and weights.w_scale == 1.0
