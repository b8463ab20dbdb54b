"""One command-line convention (issue 15, item 2): shared options, --set, the --out policy, exit codes.

Everything here is cheap: argument parsing, ``hetnet config``, refusals that
happen before any simulation, and the analytic optimisation objective.
"""
import json
import sys
from pathlib import Path

import pytest

from hetnet.cli._args import new_run_folder
from hetnet.io import read_json
from hetnet.cli.main import build_parser, main
from hetnet.config import HRSNNConfig, apply_assignments, config_to_toml, load_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SHARED = ("--config", "--set", "--out", "--force", "--seed", "--backend", "--quiet", "--verbose")
RUNNERS = ("run", "optimize", "prune")
COMMANDS = (*RUNNERS, "reproduce")          # every sub-command that runs networks takes the shared options


def _help(capsys, *argv):
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_each_command_lists_the_shared_options(capsys, command):
    text = _help(capsys, command)
    for option in SHARED:
        assert option in text, (command, option)
    group = text.split("common options (the same in run, optimize, prune and reproduce):")[1]
    for option in SHARED:
        assert f"  {option}" in group or f", {option}" in group, (command, option)   # in the one shared group


def test_help_of_reproduce_keeps_its_own_options_and_says_how_out_resumes(capsys):
    text = _help(capsys, "reproduce")
    own = text.split("common options")[0]
    for option in ("--seeds", "--quick", "--workers", "--dask", "--list", "--report", "--data"):
        assert option in own, option
    assert "reproduce-manifest.json" in text and "resumable" in text.split("\n  --out DIR")[1].split("\n  --force")[0]


def test_help_of_the_other_commands(capsys):
    top = _help(capsys)
    for command in (*COMMANDS, "export", "config"):
        assert command in top
    assert "--quiet" in _help(capsys, "export") and "--verbose" in _help(capsys, "export")
    show = _help(capsys, "config", "show")
    for option in ("--config", "--set", "--seed", "--backend", "--quiet", "--verbose"):
        assert option in show
    assert "--out" not in show
    assert "--verbose" in _help(capsys, "config", "check")


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_accepts_the_shared_options(tmp_path, command):
    argv = [command, "--config", "my.toml", "--set", "n_neurons=64", "--set", "input.current_scale_mV=40",
            "--out", str(tmp_path / "out"), "--force", "--seed", "7", "--backend", "runtime", "-v", "-v"]
    args = build_parser().parse_args(argv)
    assert args.config == "my.toml" and args.settings == ["n_neurons=64", "input.current_scale_mV=40"]
    assert args.out == str(tmp_path / "out") and args.force is True and args.backend == "runtime"
    assert args.seed == ([7] if command == "prune" else 7)
    assert args.verbose == 2 and args.quiet == 0
    assert build_parser().parse_args([command, "--quiet"]).quiet == 1


def test_prune_takes_several_seeds_and_the_old_spelling():
    assert build_parser().parse_args(["prune", "--seed", "0", "1", "2"]).seed == [0, 1, 2]
    assert build_parser().parse_args(["prune", "--seeds", "3", "4"]).seed == [3, 4]


# --- --set -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", RUNNERS)
@pytest.mark.parametrize("setting, needles", [
    ("input.current_scale_mV=abc", ["input.current_scale_mV", "'abc'", "must be a number"]),
    ("input.current_scale_mv=40", ["input.current_scale_mv", "unknown key", "current_scale_mV"]),
    ("nosuch.field=1", ["nosuch", "unknown key"]),
    ("n_neurons.x=1", ["n_neurons.x", "not a section"]),
])
def test_bad_set_is_a_usage_error_naming_the_field(tmp_path, capsys, command, setting, needles):
    out = tmp_path / "out"
    status = main([command, "--set", setting, "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.startswith(f"hetnet {command}: error: ") and "Traceback" not in captured.err
    for needle in needles:
        assert needle in captured.err, (needle, captured.err)
    assert not out.exists()                                  # refused before anything is written


def test_set_without_equals_is_an_argparse_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--set", "n_neurons"])
    assert exit_.value.code == 2
    assert "argument --set: must be KEY=VALUE" in capsys.readouterr().err


def test_set_reads_values_as_toml_and_nested_distribution_keys():
    config = apply_assignments(HRSNNConfig(), ["n_neurons=64", "variant=HoNHoS", "grid_shape=[4, 4, 4]",
                                               "excitatory.tau_m_ms.mean=25", "input.on_off=false",
                                               'stdp.tau_pre_ms={ kind = "constant", value = 15.0 }'])
    assert config.n_neurons == 64 and config.variant == "HoNHoS" and config.grid_shape == (4, 4, 4)
    assert config.excitatory.tau_m_ms.mean == 25 and config.input.on_off is False
    assert config.stdp.tau_pre_ms.mean == 15.0


def test_run_quick_keeps_a_size_given_with_set(tmp_path):
    from hetnet.cli.run import _config_from_args

    parse = build_parser().parse_args
    assert _config_from_args(parse(["run", "--quick", "--set", "n_neurons=64"])).n_neurons == 64
    assert _config_from_args(parse(["run", "--quick"])).n_neurons == 100
    path = tmp_path / "c.toml"
    path.write_text("n_neurons = 300\nseed = 4\n")
    config = _config_from_args(parse(["run", "--config", str(path), "--set", "input.current_scale_mV=40",
                                      "--seed", "9"]))
    assert (config.n_neurons, config.seed, config.input.current_scale_mV) == (300, 9, 40.0)


# --- hetnet config ---------------------------------------------------------------------------------

def test_config_show_prints_the_default_as_loadable_toml(capsys):
    assert main(["config", "show"]) == 0
    text = capsys.readouterr().out
    assert HRSNNConfig.from_dict(tomllib.loads(text)) == HRSNNConfig()
    assert text == config_to_toml(HRSNNConfig())


def test_config_show_reflects_config_and_set(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text('n_neurons = 300\nvariant = "HoNHoS"\n[connectivity]\nc_ee = 0.1\n')
    assert main(["config", "show", "--config", str(path), "--set", "input.current_scale_mV=40",
                 "--set", "n_neurons=250", "--seed", "5"]) == 0
    shown = tmp_path / "shown.toml"
    shown.write_text(capsys.readouterr().out)
    config = load_config(shown)
    assert (config.n_neurons, config.variant, config.seed) == (250, "HoNHoS", 5)
    assert config.connectivity.c_ee == 0.1 and config.input.current_scale_mV == 40.0


def test_config_check(tmp_path, capsys):
    good = tmp_path / "good.toml"
    good.write_text("n_neurons = 64\n[stdp]\ntau_pre_ms = 15.0\n")
    assert main(["config", "check", str(good)]) == 0
    captured = capsys.readouterr()
    assert "valid configuration" in captured.out and captured.err == ""
    bad = tmp_path / "bad.toml"
    bad.write_text("[input]\ncurrent_scale_mV = \"abc\"\n")
    assert main(["config", "check", str(bad)]) == 2
    captured = capsys.readouterr()
    assert "input.current_scale_mV = 'abc'; must be a number" in captured.err and captured.out == ""
    assert main(["config", "check", str(tmp_path / "missing.toml")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["config"]) == 2
    assert "choose an action" in capsys.readouterr().err


# --- --out policy ------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", RUNNERS)
def test_out_into_a_non_empty_folder_is_refused_without_force(tmp_path, capsys, command):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    extra = ["--objective", "gamma-moments", "--serial"] if command == "optimize" else ["--quick"]
    assert main([command, *extra, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "already exists and is not empty (notes.txt)" in err and "--force" in err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_an_empty_folder_or_a_stale_lock_is_a_new_folder(tmp_path):
    args = build_parser().parse_args(["run", "--out", str(tmp_path)])
    assert new_run_folder(args, "run") == tmp_path
    (tmp_path / ".hetnet.lock").write_text("")
    assert new_run_folder(args, "run") == tmp_path


def test_default_out_is_a_new_dated_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["prune"])
    first = new_run_folder(args, "prune")
    assert first.parent.name == "hetnet-results" and first.name.startswith("prune-")
    first.mkdir(parents=True)
    assert new_run_folder(args, "prune") != first


def test_optimize_force_starts_over(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["optimize", "--objective", "gamma-moments", "--budget", "2", "--initial-points", "1", "--serial",
            "--out", str(out)]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "already holds a run" in err and "--resume" in err and "--force" in err
    assert main([*argv[:-2], "--budget", "3", "--seed", "4", "--out", str(out), "--force", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "best objective" in captured.out and "[1/3]" not in captured.out   # --quiet: no per-evaluation lines
    settings = json.loads((out / "run.json").read_text())
    assert settings["budget"] == 3 and settings["seed"] == 4
    evaluations = [json.loads(line) for line in (out / "journal.jsonl").read_text().splitlines()]
    assert sorted(e["index"] for e in evaluations if e.get("type") == "evaluation") == [0, 1, 2]


def test_resume_refuses_the_shared_options_that_would_change_it(tmp_path, capsys):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "run.json").write_text("{}")
    for option in (["--set", "n_neurons=10"], ["--seed", "3"], ["--backend", "runtime"]):
        assert main(["optimize", "--resume", str(folder), *option]) == 2
        assert "cannot be combined with --resume" in capsys.readouterr().err


def test_prune_refuses_a_backend_it_does_not_use(tmp_path, capsys):
    assert main(["prune", "--quick", "--backend", "cpp_standalone", "--out", str(tmp_path / "p")]) == 2
    assert "runtime target (AP) only" in capsys.readouterr().err


# --- runtime failures -----------------------------------------------------------------------------

def test_unexpected_failure_is_one_line_with_exit_1_and_a_traceback_only_when_verbose(capsys, monkeypatch):
    import hetnet.config

    def broken(config):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(hetnet.config, "config_to_toml", broken)
    assert main(["config", "show"]) == 1
    err = capsys.readouterr().err
    assert err == ("hetnet config: error: unexpected RuntimeError: disk on fire second line; run again with "
                   "--verbose for the traceback\n")
    assert main(["config", "show", "--verbose"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and err.rstrip().endswith("hetnet config: error: unexpected RuntimeError: disk on fire "
                                                        "second line")


def test_runtime_error_of_hetnet_is_exit_1(tmp_path, capsys):
    (tmp_path / "results.json").write_text("{ truncated")
    assert main(["prune", "--quick", "--out", str(tmp_path), "--force"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not readable JSON" in err and "Traceback" not in err


# --- hetnet reproduce: the shared options and its resumable --out ---------------------------------

TOY_RUNS = []   # (seed, configuration built by the items' _config) of each seed run


def _toy_seed(seed, quick, options):
    from hetnet.reproduce.items import _config

    config = _config(options, seed)
    TOY_RUNS.append((seed, config))
    return {"a": 1.0 + 0.1 * seed + (0.05 if seed % 2 else 0.0), "b": 0.5 + 0.1 * seed}


def _toy_aggregate(results, options):
    from hetnet.reproduce.items import claim_record

    a, b = [results[s]["a"] for s in results], [results[s]["b"] for s in results]
    return {"claims": {"a > b": claim_record(a, b, "greater", a="A", b="B", metric="value")}}, None


@pytest.fixture
def toy(monkeypatch):
    """A registered item that builds its configuration as the real items do, and simulates nothing."""
    from hetnet.reproduce import ITEMS, Item

    TOY_RUNS.clear()
    settings = {"n_neurons": 30, "backend": "runtime"}
    item = Item(name="toy", paper_item="Toy paper, Fig. 0", description="a toy item", claims={"a > b": "A beats B"},
                output="toy_item", quick=settings, full=dict(settings, n_neurons=300), run_seed=_toy_seed,
                aggregate=_toy_aggregate, seeds_quick=2, seeds_full=1)
    monkeypatch.setitem(ITEMS, "toy", item)
    return item


def _reproduce(out, *extra):
    return main(["reproduce", "toy", "--quick", "--out", str(out), *extra])


def test_reproduce_config_and_set_reach_the_items_and_the_manifest(toy, tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text('variant = "HoNHoS"\nn_neurons = 999\n[connectivity]\nc_ee = 0.1\n')
    out = tmp_path / "out"
    assert _reproduce(out, "--config", str(path), "--set", "input.current_scale_mV=40", "--seed", "5") == 0
    assert [seed for seed, _ in TOY_RUNS] == [5, 6]                      # --seed is the first seed
    config = TOY_RUNS[0][1]
    assert (config.variant, config.connectivity.c_ee, config.input.current_scale_mV) == ("HoNHoS", 0.1, 40.0)
    assert config.n_neurons == 30 and config.backend == "runtime"     # the file's size does not beat the item's
    manifest = read_json(out / "reproduce-manifest.json")
    recorded = manifest["modes"]["quick"]["config"]
    assert manifest["written_by"] == "hetnet reproduce" and set(manifest["modes"]) == {"quick"}
    assert recorded["input"]["current_scale_mV"] == 40.0 and recorded["variant"] == "HoNHoS" and "seed" not in recorded
    assert read_json(out / "toy" / "quick" / "seed-5.json")["options"]["config"] == recorded
    assert f"results folder: {out}" in capsys.readouterr().out


def test_reproduce_set_and_backend_override_the_items_own_settings(toy, tmp_path):
    assert _reproduce(tmp_path / "out", "--set", "n_neurons=12", "--backend", "cpp_standalone", "--seeds", "1") == 0
    (_, config), = TOY_RUNS
    assert (config.n_neurons, config.backend) == (12, "cpp_standalone")
    record = read_json(tmp_path / "out" / "toy_item.quick.json")
    assert record["n_neurons"] == 12 and record["backend"] == "cpp_standalone"


def test_reproduce_resumes_its_own_folder_and_refuses_another_configuration(toy, tmp_path, capsys):
    out = tmp_path / "out"
    assert _reproduce(out, "--set", "input.current_scale_mV=40") == 0
    manifest = (out / "reproduce-manifest.json").read_text()
    TOY_RUNS.clear()
    capsys.readouterr()
    assert _reproduce(out, "--set", "input.current_scale_mV=40") == 0      # resumed: nothing run again
    assert TOY_RUNS == [] and "already done" in capsys.readouterr().out
    for other in (["--set", "input.current_scale_mV=50"], [], ["--backend", "cpp_standalone"]):
        assert _reproduce(out, *other) == 2, other
        err = capsys.readouterr().err
        assert err.startswith("hetnet reproduce: error: --out = ") and err.count("\n") == 1
        assert "holds a quick reproduction with another configuration" in err and "--force" in err
        assert TOY_RUNS == []
    assert "input.current_scale_mV: 40.0 -> 50.0" in main_err(out, "--set", "input.current_scale_mV=50")
    assert (out / "reproduce-manifest.json").read_text() == manifest    # a refusal writes nothing
    # --force: these settings, the seeds run again, the manifest records them
    assert _reproduce(out, "--set", "input.current_scale_mV=50", "--force") == 0
    assert [config.input.current_scale_mV for _, config in TOY_RUNS] == [50.0, 50.0]
    assert read_json(out / "reproduce-manifest.json")["modes"]["quick"]["config"]["input"]["current_scale_mV"] == 50.0
    # the full mode keeps its own files, so it records its own configuration
    assert main(["reproduce", "toy", "--out", str(out)]) == 0
    assert set(read_json(out / "reproduce-manifest.json")["modes"]) == {"quick", "full"}


def test_reproduce_resumes_a_manifest_written_before_a_config_field_existed(toy, tmp_path, capsys):
    """A field added later (absent from the manifest) counts as its default; another value still refuses."""
    out = tmp_path / "out"
    assert _reproduce(out) == 0
    path = out / "reproduce-manifest.json"
    manifest = read_json(path)
    del manifest["modes"]["quick"]["config"]["input"]["frontend"]       # as an older hetnet wrote it
    path.write_text(json.dumps(manifest))
    TOY_RUNS.clear()
    assert _reproduce(out) == 0 and TOY_RUNS == [] and "already done" in capsys.readouterr().out
    assert "input.frontend: None -> 'conv'" in main_err(out, "--set", "input.frontend=conv")


def main_err(out, *extra):
    import io
    from contextlib import redirect_stderr

    stream = io.StringIO()
    with redirect_stderr(stream):
        assert _reproduce(out, *extra) == 2
    return stream.getvalue()


def test_reproduce_refuses_a_foreign_folder_unless_force(toy, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert _reproduce(out) == 2
    err = capsys.readouterr().err
    assert "holds files not written by hetnet reproduce (notes.txt)" in err and "--force" in err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"] and TOY_RUNS == []
    assert _reproduce(out, "--force") == 0
    assert (out / "reproduce-manifest.json").is_file() and len(TOY_RUNS) == 2
    TOY_RUNS.clear()
    assert _reproduce(out) == 0 and TOY_RUNS == []                         # adopted: later runs resume
    (tmp_path / "file").write_text("")
    assert _reproduce(tmp_path / "file") == 2
    assert "is a file" in capsys.readouterr().err


def test_reproduce_refuses_a_folder_another_process_works_in(toy, tmp_path, capsys):
    from hetnet.runfolder import RunFolderLock

    out = tmp_path / "out"
    assert _reproduce(out) == 0
    TOY_RUNS.clear()
    with RunFolderLock(out):
        assert _reproduce(out, "--seeds", "3") == 1
    assert "in use by another hetnet process" in capsys.readouterr().err and TOY_RUNS == []
    assert _reproduce(out, "--seeds", "3") == 0 and [seed for seed, _ in TOY_RUNS] == [2]


def test_reproduce_adopts_a_folder_of_an_earlier_version_without_manifest(toy, tmp_path, capsys):
    from hetnet.reproduce import reproduce

    out = tmp_path / "old"
    reproduce("toy", out=out, quick=True)                                  # no manifest, default configuration
    TOY_RUNS.clear()
    assert _reproduce(out, "--set", "n_neurons=12") == 2                  # its seeds used another configuration
    assert "n_neurons: 500 -> 12" in capsys.readouterr().err
    assert not (out / "reproduce-manifest.json").exists()
    assert _reproduce(out) == 0 and TOY_RUNS == []                         # same settings: resumed
    assert (out / "reproduce-manifest.json").is_file()


@pytest.mark.parametrize("setting, needles", [
    ("input.current_scale_mV=abc", ["input.current_scale_mV", "'abc'", "must be a number"]),
    ("nosuch.field=1", ["nosuch", "unknown key"]),
])
def test_reproduce_bad_set_or_config_is_a_usage_error_before_anything_is_written(toy, tmp_path, capsys, setting,
                                                                                 needles):
    out = tmp_path / "out"
    assert _reproduce(out, "--set", setting) == 2
    err = capsys.readouterr().err
    assert err.startswith("hetnet reproduce: error: invalid configuration: ") and "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)
    assert not out.exists() and TOY_RUNS == []
    assert main(["reproduce", "toy", "--quick", "--config", str(tmp_path / "missing.toml"), "--out", str(out)]) == 2
    assert "no such file" in capsys.readouterr().err and not out.exists()


def test_reproduce_quiet_prints_results_only_and_verbose_logs_debug(toy, tmp_path, capsys):
    import logging

    assert _reproduce(tmp_path / "loud") == 0
    loud = capsys.readouterr().out
    assert "toy seed 0: done" in loud and "a > b:" in loud
    assert _reproduce(tmp_path / "quiet", "--quiet") == 0
    quiet_run = capsys.readouterr()
    assert "seed 0: done" not in quiet_run.out and "wrote" not in quiet_run.out
    assert "a > b:" in quiet_run.out and "results folder:" in quiet_run.out and quiet_run.err == ""
    assert logging.getLogger("hetnet").level == logging.WARNING
    assert _reproduce(tmp_path / "verbose", "-v") == 0
    assert logging.getLogger("hetnet").level == logging.DEBUG


def test_reproduce_default_out_is_a_new_dated_folder(toy, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["reproduce", "toy", "--quick"]) == 0
    folder, = (tmp_path / "hetnet-results").iterdir()
    assert folder.name.startswith("reproduce-") and (folder / "toy_item.quick.json").is_file()
    assert f"--out {Path('hetnet-results') / folder.name}" in capsys.readouterr().out
