"""``hetnet reproduce``: the registry, resumable seeds, the quick smoke run of every item, the report."""
import json
import os
import re
from pathlib import Path

import pytest

from hetnet.cli.main import main
from hetnet.io import read_json
from hetnet.reproduce import ITEMS, Item, reproduce, runnable_items, seed_path, write_report
from hetnet.reproduce.items import claim_record, mean_sd
from hetnet.reproduce.report import BEGIN, END, report_text

ROOT = Path(__file__).resolve().parents[1]

CALLS = []
FAIL_AT = []   # a seed listed here is "killed" (KeyboardInterrupt) when it starts


def toy_seed(seed, quick, options):
    CALLS.append(seed)
    if seed in FAIL_AT:
        raise KeyboardInterrupt("killed midway")
    return {"a": 1.0 + 0.1 * seed + (0.05 if seed % 2 else 0.0), "b": 0.5 + 0.1 * seed}


def toy_aggregate(results, options):
    a = [results[s]["a"] for s in results]
    b = [results[s]["b"] for s in results]
    claims = {"a > b": claim_record(a, b, "greater", a="A", b="B", metric="value")}
    return {"summary": {"A": {"value": mean_sd(a)}, "B": {"value": mean_sd(b)}}, "claims": claims}, None


@pytest.fixture
def toy(monkeypatch):
    CALLS.clear()
    FAIL_AT.clear()
    item = Item(name="toy", paper_item="Toy paper, Fig. 0", description="a toy item", claims={"a > b": "A beats B"},
                output="toy_item", quick={"scale": 1}, full={"scale": 1}, run_seed=toy_seed,
                aggregate=toy_aggregate, seeds_quick=3)
    monkeypatch.setitem(ITEMS, "toy", item)
    return item


def test_seeds_resume_after_a_deleted_file_and_after_a_kill_midway(toy, tmp_path):
    record = reproduce("toy", out=tmp_path, quick=True)
    assert CALLS == [0, 1, 2] and record["ran"] == [0, 1, 2] and record["quick"] is True
    assert record["claims"]["a > b"]["verdict"] == "holds" and record["seeds"] == [0, 1, 2]
    assert set(record["wall_time_s"]["per_seed"]) == {"0", "1", "2"} and record["provenance"]["versions"]["brian2"]
    files = {seed: seed_path(tmp_path, "toy", seed, quick=True) for seed in range(3)}
    times = {seed: files[seed].stat().st_mtime_ns for seed in range(3)}
    written = read_json(tmp_path / "toy_item.quick.json")
    assert written["quick"] is True and written["item"] == "toy"
    assert not (tmp_path / "toy_item.json").exists()        # a quick run never writes the full record

    files[1].unlink()                                         # one seed lost
    CALLS.clear()
    record = reproduce("toy", out=tmp_path, quick=True)
    assert CALLS == [1] and record["ran"] == [1]
    assert files[0].stat().st_mtime_ns == times[0] and files[2].stat().st_mtime_ns == times[2]

    # killed midway through a 5-seed run (a fresh folder): the finished seeds stay, the rerun does only the rest
    out = tmp_path / "killed"
    CALLS.clear()
    FAIL_AT.append(3)
    with pytest.raises(KeyboardInterrupt):
        reproduce("toy", out=out, quick=True, seeds=5)
    assert CALLS == [0, 1, 2, 3] and not seed_path(out, "toy", 3, quick=True).exists()
    done = {seed: seed_path(out, "toy", seed, quick=True).stat().st_mtime_ns for seed in range(3)}
    assert not (out / "toy_item.quick.json").exists()
    CALLS.clear()
    FAIL_AT.clear()
    record = reproduce("toy", out=out, quick=True, seeds=5)
    assert CALLS == [3, 4] and record["ran"] == [3, 4] and record["seeds"] == [0, 1, 2, 3, 4]
    assert {seed: seed_path(out, "toy", seed, quick=True).stat().st_mtime_ns for seed in range(3)} == done
    # other settings: the seeds are run again
    CALLS.clear()
    reproduce("toy", out=out, quick=True, seeds=2, options={"scale": 2})
    assert CALLS == [0, 1]


def _threads_seed(seed, quick, options):
    from threadpoolctl import threadpool_info

    return {"a": 1.0, "b": 0.0,
            "threads": max(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] in ("blas", "openmp"))}


def test_a_seed_runs_with_one_blas_thread_and_says_so(monkeypatch, tmp_path):
    """BLAS pools of a thread per core in each worker oversubscribed the cores, and the thread count
    changed the readouts' last bits with the machine: every seed now runs with one thread."""
    item = Item(name="threads", paper_item="Toy", description="reports its BLAS threads", claims={"a > b": "A beats B"},
                output="threads_item", quick={}, full={}, run_seed=_threads_seed, aggregate=toy_aggregate, seeds_quick=1)
    monkeypatch.setitem(ITEMS, "threads", item)
    reproduce("threads", out=tmp_path, quick=True)
    seed_record = read_json(seed_path(tmp_path, "threads", 0, quick=True))
    assert seed_record["result"]["threads"] == 1 and seed_record["provenance"]["blas_threads"] == 1


@pytest.fixture
def pending(monkeypatch):
    """A registered item without functions (every paper item is runnable now)."""
    item = Item(name="later", paper_item="Toy paper, Fig. 99", description="not yet", claims={"c": "C"},
                output="later_item", pending_reason="waiting for its issue")
    monkeypatch.setitem(ITEMS, "later", item)
    return item


def test_list_names_every_item_and_the_pending_ones(capsys, pending):
    assert main(["reproduce", "--list"]) == 0
    text = capsys.readouterr().out
    for name in ("fig5", "fig7", "fig8", "fig9", "separation", "table1", "table5", "fig10", "fig12", "bo_objectives",
                 "fig6", "fig4", "table3", "table5_sg", "later"):
        assert f"\n{name} " in f"\n{text}", name
    assert text.count("PENDING") == 1 and "quick:" in text and "full:" in text


def test_usage_errors(capsys, tmp_path, pending):
    assert main(["reproduce", "later", "--out", str(tmp_path)]) == 2
    assert "not runnable yet" in capsys.readouterr().err
    assert main(["reproduce", "nosuch", "--out", str(tmp_path)]) == 2
    assert main(["reproduce", "fig9", "--data", "shd=/x", "--out", str(tmp_path)]) == 2
    assert main(["reproduce"]) == 2


def test_report_is_deterministic_keeps_hand_written_text_and_labels_quick(toy, tmp_path):
    results = tmp_path / "results"
    reproduce("toy", out=results, quick=True)
    page = tmp_path / "docs" / "results.md"
    page.parent.mkdir()
    page.write_text(f"# Results\n\nHand-written measurements.\n\n{BEGIN}\nSTALE-GENERATED-TEXT\n{END}\n\nMore hand-written text.\n")
    first = write_report(results, page).read_text()
    second = write_report(results, page).read_text()
    assert first == second
    assert first.startswith("# Results\n\nHand-written measurements.\n") and first.endswith("More hand-written text.\n")
    assert "STALE-GENERATED-TEXT" not in first.split(BEGIN)[1].split(END)[0]
    assert "Toy paper, Fig. 0" in first and "quick (smoke test, not a result)" in first and "A beats B" in first
    for name, item in ITEMS.items():
        assert item.paper_item in first, name
    assert first.count("not run") >= 3     # the items without a record in this folder have rows too


def test_committed_results_page_is_the_report_of_the_committed_records():
    """``hetnet reproduce --report`` regenerates docs/results.md identically from experiments/results."""
    page = (ROOT / "docs" / "results.md").read_text()
    assert BEGIN in page and END in page
    committed = BEGIN + page.split(BEGIN, 1)[1].split(END, 1)[0] + END + "\n"
    assert committed == report_text(ROOT / "experiments" / "results")
    for png in (ROOT / "experiments" / "results").glob("*.png"):
        if png.stem in {item.output for item in ITEMS.values() if not item.pending}:
            assert (ROOT / "docs" / "results_figures" / png.name).read_bytes() == png.read_bytes()
    # every table row has as many cells as its header (a literal | in a cell must be escaped)
    columns = None
    for line in committed.splitlines():
        if not line.startswith("|"):
            columns = None
            continue
        cells = len(re.split(r"(?<!\\)\|", line)) - 2
        if columns is None:
            columns = cells
        assert cells == columns, line


def test_every_item_runs_quick_and_resumes(tmp_path, capsys):
    """``hetnet reproduce all --quick``: every runnable item, one seed, tiny networks (the CI smoke run)."""
    assert main(["reproduce", "all", "--quick", "--out", str(tmp_path)]) == 0
    output = capsys.readouterr().out
    assert "table5" in runnable_items() and "pending, skipped: table5" not in output
    for name in runnable_items():
        item = ITEMS[name]
        record = json.loads((tmp_path / f"{item.output}.quick.json").read_text())
        assert record["quick"] is True and record["seeds"] == [0] and record["ran"] == [0], name
        assert record["claims"] and all(c["verdict"] == "inconclusive" for c in record["claims"].values()), name
        assert record["provenance"]["versions"]["brian2"] and record["backend"] == "runtime"
        assert (tmp_path / f"{item.output}.quick.png").stat().st_size > 5_000, name
        assert seed_path(tmp_path, name, 0, quick=True).is_file()
        # each seed's wall time split into its simulations' parts and the rest (issue 17 item 4)
        seed_record = read_json(seed_path(tmp_path, name, 0, quick=True))
        timing = seed_record["timing"]
        assert timing["wall_s"] == seed_record["wall_time_s"] == record["timing"]["wall_s"], name
        assert 0.0 <= timing["bare_s"] <= timing["simulate_wall_s"] <= timing["wall_s"], name
        assert timing["outside_simulation_s"] == pytest.approx(timing["wall_s"] - timing["simulate_wall_s"]), name
    # the pruning items share one pruning run per seed, kept beside the seed files: fig10 only reads it back
    assert list((tmp_path / "pruning-runs" / "quick").glob("seed0-*_lnp.npz"))
    assert read_json(seed_path(tmp_path, "fig10", 0, quick=True))["wall_time_s"] < 5.0
    # Table V's SG rows train the very networks of Table V: their STDP rows are table5's
    sg = read_json(seed_path(tmp_path, "table5_sg", 0, quick=True))["result"]
    table5 = read_json(seed_path(tmp_path, "table5", 0, quick=True))["result"]["table"]["lorenz63"]
    for network in ("unpruned", "AP", "LNP"):
        assert sg["stdp"][network]["nrmse"] == table5[network]["nrmse"], network
        assert sg["sg"][network]["n_synapses"] == sg["stdp"][network]["n_synapses"], network   # the mask is kept
    mtime = seed_path(tmp_path, "fig9", 0, quick=True).stat().st_mtime_ns
    assert main(["reproduce", "fig9", "--quick", "--out", str(tmp_path)]) == 0
    assert "already done" in capsys.readouterr().out
    assert json.loads((tmp_path / "fig9_variants_memory_spikes.quick.json").read_text())["ran"] == []
    assert seed_path(tmp_path, "fig9", 0, quick=True).stat().st_mtime_ns == mtime
    # and its report labels every record as a quick smoke test
    page = write_report(tmp_path, tmp_path / "results.md").read_text()
    assert page.count("quick (smoke test, not a result)") >= len(runnable_items())
    assert os.path.isfile(tmp_path / "results_figures" / "fig9_variants_memory_spikes.quick.png")


def test_seeds_fan_out_over_a_process_pool(tmp_path):
    """Two seeds in two pool workers (the engine of ``hetnet optimize``); each writes its own seed file."""
    options = {"n_neurons": 12, "n_steps": 150, "train_steps": 0, "k_max": 5, "washout": 10, "n_null": 2}
    record = reproduce("separation", out=tmp_path, quick=True, seeds=2, options=options, workers=2)
    assert record["engine"] == {"engine": "process-pool", "max_workers": 2} and record["ran"] == [0, 1]
    pids = {read_json(seed_path(tmp_path, "separation", seed, quick=True))["provenance"]["pid"] for seed in (0, 1)}
    assert len(pids) == 2 and os.getpid() not in pids
    assert set(record["claims"]) == {"rank(HeNHeS) > rank(HoNHoS)", "MC(HeNHeS) > MC(HoNHoS)"}
    # the simulations ran in the workers and were counted there: 2 variants x (STDP + frozen) per seed
    assert record["timing"]["simulations"] == sum(
        read_json(seed_path(tmp_path, "separation", seed, quick=True))["timing"]["simulations"] for seed in (0, 1)) > 0


def test_data_option_reaches_the_items_that_read_it(monkeypatch, tmp_path, capsys):
    """``--data csv=PATH:COLUMN`` becomes the pruning items' real series; the wrong item or form is a usage error."""
    import hetnet.reproduce as package

    seen = {}

    def fake(name, *, options=None, **_):
        seen[name] = dict(options or {})
        return {"seeds": [0], "claims": {}}

    monkeypatch.setattr(package, "reproduce", fake)
    assert main(["reproduce", "table5", "fig10", "--quick", "--data", "csv=/data/my:series.csv:speed",
                 "--out", str(tmp_path / "a")]) == 0
    assert seen["table5"] == seen["fig10"] == {"data": "/data/my:series.csv", "column": "speed"}
    assert main(["reproduce", "table1", "--quick", "--data", "shd=/x.h5", "--out", str(tmp_path / "b")]) == 0
    assert seen["table1"] == {"data": {"shd": "/x.h5"}}
    assert main(["reproduce", "fig4", "--quick", "--data", "shd=/x.h5", "--out", str(tmp_path / "e")]) == 0
    assert seen["fig4"] == {"data": {"shd": "/x.h5"}}
    capsys.readouterr()
    assert main(["reproduce", "fig9", "--quick", "--data", "csv=/x.csv:c", "--out", str(tmp_path / "c")]) == 2
    assert "read by table5, fig10, fig12 only" in capsys.readouterr().err
    assert main(["reproduce", "table5", "--quick", "--data", "csv=/x.csv", "--out", str(tmp_path / "d")]) == 2


def test_an_item_campaign_interrupted_midway_resumes_from_its_journal(tmp_path):
    """fig6 / bo_objectives campaigns keep their journal beside the seed files: a killed seed loses no evaluation."""
    from hetnet.bo.journal import JOURNAL_NAME
    from hetnet.config import HRSNNConfig
    from hetnet.reproduce.bo_items import campaign_folder, run_item_campaign
    from hetnet.reproduce.runner import _CURRENT_OUT

    options = {**ITEMS["fig6"].quick, "budget": 2}
    base = HRSNNConfig(n_neurons=12, variant="HeNHeS", seed=1, backend="runtime")
    _CURRENT_OUT.append(tmp_path)
    try:
        folder = campaign_folder(base, "efficiency", 1, options)
        first = run_item_campaign(base, "efficiency", 1, options)
        journal = folder / JOURNAL_NAME
        lines = journal.read_text().splitlines()
        evaluations = [json.loads(line) for line in lines if json.loads(line).get("type") == "evaluation"]
        assert folder.parent == tmp_path / "bo-campaigns" and len(evaluations) == 2
        # a kill after the first evaluation: the journal ends there
        cut = next(i for i, line in enumerate(lines) if json.loads(line).get("type") == "evaluation")
        journal.write_text("\n".join(lines[:cut + 1]) + "\n")
        resumed = run_item_campaign(base, "efficiency", 1, options)
        assert len(resumed["evaluations"]) == 2
        assert resumed["evaluations"][0]["wall_time_s"] == evaluations[0]["wall_time_s"]      # replayed, not run
        assert resumed["evaluations"][0]["objective"] == first["evaluations"][0]["objective"]
        # finished: a third call runs nothing; other settings get another folder
        again = run_item_campaign(base, "efficiency", 1, options)
        assert [e["wall_time_s"] for e in again["evaluations"]] == [e["wall_time_s"] for e in resumed["evaluations"]]
        assert campaign_folder(base, "efficiency", 1, {**options, "budget": 3}) != folder
    finally:
        _CURRENT_OUT.pop()
    assert campaign_folder(base, "efficiency", 1, options) is None
