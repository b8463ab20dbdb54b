"""``hetnet prune`` command (hetnet.cli.prune)."""
import json

import pytest

from hetnet.cli.main import build_parser, main


def test_prune_help_lists_the_options(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["prune", "--help"])
    text = capsys.readouterr().out
    for option in ("--method", "--iterations", "--out", "--seed", "--n-neurons", "--quick"):
        assert option in text


def test_quick_lnp_and_random_run_writes_results_and_figure(tmp_path, capsys):
    status = main(["prune", "--method", "lnp", "random", "--quick", "--iterations", "2", "--bo-calls", "3",
                   "--out", str(tmp_path), "--seed", "0", "1"])
    assert status == 0
    output = capsys.readouterr().out
    assert "[lnp seed 1] iteration 2/2" in output and "[random seed 0] iteration 2/2" in output
    results = json.loads((tmp_path / "results.json").read_text())
    assert {"lnp", "random"} <= set(results["runs"])
    assert sorted(run["seed"] for run in results["runs"]["lnp"]) == [0, 1]
    assert results["provenance"]["versions"]["numpy"]
    lnp, er = results["runs"]["lnp"][0], results["runs"]["random"][0]
    assert [r["n_synapses"] for r in lnp["records"]] == [r["n_synapses"] for r in er["records"]]
    assert lnp["provenance"]["config"]["n_neurons"] == 100
    assert (tmp_path / "pruning.png").stat().st_size > 10_000
    assert (tmp_path / lnp["network_file"]).is_file()


def test_measure_every_records_rates_and_sops_from_simulated_spikes(tmp_path, capsys):
    pytest.importorskip("brian2")
    status = main(["prune", "--method", "lnp", "--quick", "--n-neurons", "40", "--iterations", "2", "--bo-calls", "3",
                   "--measure-every", "1", "--ap-steps", "10", "--out", str(tmp_path), "--no-plot"])
    assert status == 0
    output = capsys.readouterr().out
    assert "measured: rate" in output and "estimate at 10 Hz" in output
    results = json.loads((tmp_path / "results.json").read_text())
    records = results["runs"]["lnp"][0]["records"]
    assert set(records[0]["measured"]) == {"start"}
    assert {"after I", "after II", "after III", "after IV"} == set(records[-1]["measured"])
    assert records[-1]["measured"]["after III"]["recurrent_sops"] > 0
    assert "measured_recurrent_sops" in (tmp_path / "results.csv").read_text()


def test_bad_pruning_setting_is_a_clear_usage_error(tmp_path, capsys):
    status = main(["prune", "--quick", "--synapse-keep-fraction", "0", "--out", str(tmp_path)])
    assert status == 2
    assert "synapse_keep_fraction" in capsys.readouterr().err
