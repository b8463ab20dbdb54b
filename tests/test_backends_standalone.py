"""C++ standalone: agreement with the runtime, compile once and re-run with new values."""
import gc
import os
from pathlib import Path

import numpy as np
import pytest

from hetnet.config import HRSNNConfig
from hetnet.encoding import RateStimulus
from hetnet.network import generate_network, simulate

pytestmark = pytest.mark.standalone


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    directory = tmp_path_factory.mktemp("standalone-cache")
    previous = os.environ.get("HETNET_CACHE")
    os.environ["HETNET_CACHE"] = str(directory)
    yield directory
    if previous is None:
        os.environ.pop("HETNET_CACHE", None)
    else:
        os.environ["HETNET_CACHE"] = previous


@pytest.fixture(scope="module")
def stimulus():
    rng = np.random.default_rng(0)
    return RateStimulus(rng.uniform(0, 60, size=(40, 30)), step_ms=10.0)


CONFIG = HRSNNConfig(n_neurons=150, seed=3, input={"mode": "poisson"})  # Poisson input: spike input pathway


def test_standalone_matches_runtime_and_reruns_without_compiling(cache, stimulus, caplog):
    import logging

    heterogeneous = generate_network(CONFIG, stimulus.n_channels)
    with caplog.at_level(logging.INFO, logger="hetnet.backends.standalone"):
        first = simulate(heterogeneous, stimulus, plastic=True, backend="cpp_standalone")
    build = first.provenance["build"]
    assert build["compiled"] is True
    assert 0.0 <= build["wait_seconds"] < build["build_seconds"]   # nobody else was compiling it
    # the compilation is announced before it starts and reported with its duration after
    messages = [record.getMessage() for record in caplog.records if record.name == "hetnet.backends.standalone"]
    assert any(message.startswith("cpp_standalone: compiling the plastic program of a new network structure "
                                  "(150 neurons") for message in messages)
    assert any(message.startswith("cpp_standalone: compiled the plastic program in ") for message in messages)
    binary = Path(build["directory"]) / "main"
    binary_mtime = binary.stat().st_mtime_ns
    runtime = simulate(heterogeneous, stimulus, plastic=True, backend="runtime")

    # Statistically the same network: rates within 5 standard errors (Poisson counts).
    n_standalone, n_runtime = first.spike_indices.size, runtime.spike_indices.size
    assert n_runtime > 200
    assert abs(n_standalone - n_runtime) < 5 * np.sqrt(n_standalone + n_runtime)
    np.testing.assert_allclose(
        first.final_network.synapses["ee"].w.mean(), runtime.final_network.synapses["ee"].w.mean(), rtol=0.05
    )

    # New heterogeneous parameters (another variant), new weights and another seed: same binary.
    homogeneous = generate_network(CONFIG.replace(variant="HoNHoS"), stimulus.n_channels)
    homogeneous = homogeneous.with_weights({"ee": homogeneous.synapses["ee"].w * 0.5})
    second = simulate(homogeneous, stimulus, plastic=True, backend="cpp_standalone", seed=99)
    assert second.provenance["build"]["compiled"] is False
    assert second.provenance["build"]["key"] == build["key"]
    assert binary.stat().st_mtime_ns == binary_mtime
    assert not np.array_equal(second.spike_times_ms[:100], first.spike_times_ms[:100])
    # frozen runs have their own (static-synapse) binary, compiled once
    frozen = simulate(homogeneous, stimulus, plastic=False, backend="cpp_standalone", seed=99)
    assert frozen.provenance["build"]["compiled"] is True and frozen.provenance["build"]["key"] != build["key"]
    np.testing.assert_array_equal(frozen.final_network.synapses["ee"].w, homogeneous.synapses["ee"].w)
    frozen_again = simulate(heterogeneous, stimulus, plastic=False, backend="cpp_standalone", seed=98)
    assert frozen_again.provenance["build"]["compiled"] is False
    # and a re-run with the first values reproduces the first run exactly (same seed)
    again = simulate(heterogeneous, stimulus, plastic=True, backend="cpp_standalone")
    np.testing.assert_array_equal(again.spike_indices, first.spike_indices)
    np.testing.assert_array_equal(again.spike_times_ms, first.spike_times_ms)
    # results directories are removed after reading (in the background)
    from hetnet.backends.standalone import wait_for_cleanup

    wait_for_cleanup()
    assert not list(Path(build["directory"]).glob("results-*"))
    # the network loop reads the CPU clock once, after the loop, not at every step
    network_cpp = (Path(build["directory"]) / "network.cpp").read_text()
    step_end = network_cpp.index("clock = next_clocks();", network_cpp.index("while(clock"))
    rest_of_step = network_cpp[step_end:network_cpp.index("\n    }\n", step_end)]
    assert "std::clock()" not in rest_of_step and "elapsed_realtime = " not in rest_of_step
    import brian2

    assert brian2.device._last_run_time > 0  # still measured


def test_lean_network_source_leaves_other_sources_alone():
    from hetnet.backends.standalone import lean_network_source

    loop = ("    while(clock)\n    {\n        clock = next_clocks();\n\n"
            "        current = std::clock();\n"
            "        elapsed_realtime = (double)(current - start)/(1 * CLOCKS_PER_SEC);\n\n    }\n"
            "    Network::_globally_running = false;\n")
    lean = lean_network_source(loop)
    assert lean.index("elapsed_realtime = ") > lean.index("    }\n")  # moved after the loop
    assert lean.count("std::clock()") == 1
    with_limit = loop.replace("\n\n    }", "\n        if(elapsed_realtime>10.0) break;\n    }")
    assert lean_network_source(with_limit) == with_limit  # maximum_run_time needs the per-step clock
    assert lean_network_source("int main() {}") == "int main() {}"


def test_runtime_with_same_values_as_rerun_gives_same_rates(cache, stimulus):
    network = generate_network(CONFIG.replace(variant="HeNHoS"), stimulus.n_channels)
    standalone = simulate(network, stimulus, plastic=False, backend="cpp_standalone", seed=5)
    assert standalone.provenance["build"]["compiled"] is False  # the frozen build of the test above
    runtime = simulate(network, stimulus, plastic=False, backend="runtime", seed=5)
    rate_s, rate_r = standalone.mean_rate_hz, runtime.mean_rate_hz
    assert rate_r > 1.0
    assert abs(rate_s - rate_r) < 5 * np.sqrt((standalone.spike_indices.size + runtime.spike_indices.size)) / (
        network.n_neurons * standalone.duration_ms / 1000.0
    )


def test_structure_change_gives_new_build_key(stimulus):
    from hetnet.backends.standalone import build_key

    base = generate_network(CONFIG, stimulus.n_channels)
    same_structure = generate_network(CONFIG.replace(variant="HoNHoS", stdp={"eta_post": 0.05}), stimulus.n_channels)
    other_structure = generate_network(CONFIG.replace(connectivity={"c_ee": 0.2}), stimulus.n_channels)
    bigger = generate_network(CONFIG.replace(n_neurons=160), stimulus.n_channels)
    key = build_key(base, stimulus, "cpp_standalone", False)
    assert build_key(same_structure, stimulus, "cpp_standalone", False) == key
    assert build_key(other_structure, stimulus, "cpp_standalone", False) != key
    assert build_key(bigger, stimulus, "cpp_standalone", False) != key
    longer = RateStimulus(np.zeros((41, 30)), 10.0)
    assert build_key(base, longer, "cpp_standalone", False) != key


_WORKER = """
import json, sys
import numpy as np
from hetnet.config import HRSNNConfig
from hetnet.encoding import RateStimulus
from hetnet.network import generate_network, simulate
rng = np.random.default_rng(0)
stimulus = RateStimulus(rng.uniform(0, 60, size=(40, 30)), step_ms=10.0)
variant, seed = sys.argv[1], int(sys.argv[2])
network = generate_network(HRSNNConfig(n_neurons=150, seed=3, variant=variant, input={"mode": "poisson"}), stimulus.n_channels)
result = simulate(network, stimulus, plastic=True, backend="cpp_standalone", seed=seed)
print(json.dumps({"compiled": result.provenance["build"]["compiled"], "n_spikes": int(result.spike_indices.size),
                  "checksum": float(result.spike_times_ms.sum())}))
"""


def test_processes_share_one_binary_without_recompiling(cache, stimulus):
    """Two new processes re-use the cached build at once (own results folders, no rebuild)."""
    import json
    import subprocess
    import sys

    network = generate_network(CONFIG, stimulus.n_channels)
    reference = simulate(network, stimulus, plastic=True, backend="cpp_standalone", seed=21)
    binary = Path(reference.provenance["build"]["directory"]) / "main"
    mtime = binary.stat().st_mtime_ns
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, variant, str(seed)], stdout=subprocess.PIPE, text=True,
                                env=dict(os.environ))
               for variant, seed in (("HeNHeS", 21), ("HoNHoS", 22))]
    outputs = [json.loads(worker.communicate(timeout=600)[0].strip().splitlines()[-1]) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    assert [output["compiled"] for output in outputs] == [False, False]
    assert binary.stat().st_mtime_ns == mtime  # code generation is deterministic: make found nothing to do
    assert outputs[0]["n_spikes"] == reference.spike_indices.size
    assert outputs[0]["checksum"] == pytest.approx(float(reference.spike_times_ms.sum()), rel=1e-12)


def test_live_objects_of_earlier_networks_do_not_change_the_generated_code(cache, stimulus):
    """A network still referenced elsewhere in the process must not rename (and so recompile) a new build.

    Brian2 names subgroups and code objects uniquely among the live objects; before
    ``isolated_names`` a second build got ``recurrent_subgroup_1`` etc. in its code and
    recompiled under the same cache key (as a pytest-xdist worker did).
    """
    from hetnet.backends.standalone import StandaloneBuild
    from hetnet.network.brian import build_brian_network

    network = generate_network(CONFIG, stimulus.n_channels)
    reference = simulate(network, stimulus, plastic=True, backend="cpp_standalone", seed=5)
    binary = Path(reference.provenance["build"]["directory"]) / "main"
    mtime = binary.stat().st_mtime_ns
    StandaloneBuild.forget_ready()                       # the next call generates the code again
    import brian2 as b2

    b2.set_device("runtime")
    alive = build_brian_network(network, stimulus, plastic=True)   # holds every name the build uses
    again = simulate(network, stimulus, plastic=True, backend="cpp_standalone", seed=5)
    assert again.provenance["build"]["compiled"] is False
    assert binary.stat().st_mtime_ns == mtime
    np.testing.assert_array_equal(again.spike_times_ms, reference.spike_times_ms)
    from brian2.utils.logger import catch_logs

    with catch_logs():   # Brian2 warns that the objects kept alive here were never run
        del alive
        gc.collect()


def test_include_folders_added_by_brian2_cython_compiles_do_not_recompile_a_cached_build(cache, stimulus):
    """Brian2 appends numpy's and brian2/synapses' folders to ``prefs.codegen.cpp.include_dirs`` whenever it
    compiles a Cython extension (a runtime run, a runtime ``connect``); the next standalone project's makefile
    must not change, or ``make`` recompiles the cached build whole (seen with a cold Cython cache, as on CI)."""
    import brian2 as b2
    import numpy
    import brian2.synapses
    from hetnet.backends.standalone import StandaloneBuild

    network = generate_network(CONFIG, stimulus.n_channels)
    reference = simulate(network, stimulus, plastic=True, backend="cpp_standalone", seed=5)
    binary = Path(reference.provenance["build"]["directory"]) / "main"
    mtime = binary.stat().st_mtime_ns
    before = list(b2.prefs.codegen.cpp.include_dirs)
    b2.prefs.codegen.cpp.include_dirs.extend([numpy.get_include(), os.path.dirname(brian2.synapses.__file__)])
    try:
        StandaloneBuild.forget_ready()
        again = simulate(network, stimulus, plastic=True, backend="cpp_standalone", seed=5)
        assert again.provenance["build"]["compiled"] is False and binary.stat().st_mtime_ns == mtime
        assert again.provenance["build"]["build_seconds"] > 0.0      # the project was generated again
        np.testing.assert_array_equal(again.spike_times_ms, reference.spike_times_ms)
        assert len(b2.prefs.codegen.cpp.include_dirs) == len(before) + 2   # the caller's preference is left alone
    finally:
        b2.prefs.codegen.cpp.include_dirs = before


def test_alternating_plastic_and_frozen_builds_compile_once_each(cache, stimulus):
    """Issue 17 item 2: plastic, frozen, plastic, frozen in one process compiles each program at most once.

    Both programs stay ready in the process (each build has its own Brian2
    device), so a switch neither compiles nor generates the project again
    (``build_seconds`` 0), and the results repeat exactly. When a build is
    no longer ready, its project is generated again and must give the same
    code, so ``make`` finds nothing to do.
    """
    network = generate_network(CONFIG, stimulus.n_channels)
    runs = [simulate(network, stimulus, plastic=plastic, backend="cpp_standalone", seed=7)
            for plastic in (True, False, True, False)]
    builds = [run.provenance["build"] for run in runs]
    binaries = [Path(build["directory"]) / "main" for build in builds[:2]]
    assert builds[0]["key"] != builds[1]["key"] and binaries[0] != binaries[1]
    mtimes = [binary.stat().st_mtime_ns for binary in binaries]
    assert [build["compiled"] for build in builds[2:]] == [False, False]
    assert [build["key"] for build in builds[2:]] == [builds[0]["key"], builds[1]["key"]]
    assert [build["build_seconds"] for build in builds[2:]] == [0.0, 0.0]   # kept ready: no project generated
    from hetnet.backends.standalone import StandaloneBuild

    StandaloneBuild.forget_ready()      # generated again from scratch: the same code, nothing compiled
    regenerated = simulate(network, stimulus, plastic=True, backend="cpp_standalone", seed=7)
    assert regenerated.provenance["build"]["compiled"] is False
    assert regenerated.provenance["build"]["build_seconds"] > 0.0
    np.testing.assert_array_equal(regenerated.spike_times_ms, runs[0].spike_times_ms)
    assert [binary.stat().st_mtime_ns for binary in binaries] == mtimes
    for first, repeat in ((runs[0], runs[2]), (runs[1], runs[3])):
        assert first.spike_indices.size > 100
        np.testing.assert_array_equal(repeat.spike_indices, first.spike_indices)
        np.testing.assert_array_equal(repeat.spike_times_ms, first.spike_times_ms)
        np.testing.assert_array_equal(repeat.final_network.synapses["ee"].w, first.final_network.synapses["ee"].w)
    assert not np.array_equal(runs[0].final_network.synapses["ee"].w, network.synapses["ee"].w)  # STDP learnt
    # both builds are held by this process (no other process may evict them) and record their use
    from hetnet.backends import cache as build_cache

    assert all(build_cache.is_in_use(binary.parent) for binary in binaries)
    assert {build["key"] for build in builds} <= {build.key for build in build_cache.list_builds()}
    # the binary writes back only what hetnet reads (issue 17 item 5): spikes, weights, final v, one-value arrays
    kept = simulate(network, stimulus, plastic=False, backend="cpp_standalone", seed=7, keep_results=True)
    np.testing.assert_array_equal(kept.spike_times_ms, runs[1].spike_times_ms)
    written = sorted(path.name.rsplit("_", 1)[0] for path in Path(kept.provenance["build"]["directory"]).glob(
        "results-*/_*array_*"))
    assert "_dynamic_array_recurrent_spikes_t" in written and "_array_recurrent_v" in written
    assert "_dynamic_array_synapses_ee_w" in written
    assert not [name for name in written if "_synaptic_" in name or "last_spike" in name or "_spikespace" in name]


def test_plastic_build_keeps_the_input_pathway_in_target_order_with_the_same_results(cache, stimulus, monkeypatch):
    """The sixth-session kernel changes (target-ordered input synapses, the vectorised leak) change no result."""
    from hetnet.backends import standalone

    network = generate_network(CONFIG, stimulus.n_channels)
    assert standalone.target_ordered_pathways(network, "cpp_standalone", True) == ("input",)
    assert standalone.target_ordered_pathways(network, "cpp_standalone", False) == ()  # frozen: source order
    ordered = simulate(network, stimulus, plastic=True, backend="cpp_standalone", seed=11)
    directory = Path(ordered.provenance["build"]["directory"])
    leak = (directory / "code_objects" / "recurrent_leak_codeobject.cpp").read_text()
    assert standalone.VECTORISE_HINT + "\n    for(int _idx=0; _idx<_N; _idx++)" in leak
    assert not list(directory.glob("code_objects/recurrent_stateupdater*"))  # refractoriness is in the leak
    monkeypatch.setattr(standalone, "TARGET_ORDERED_PATHWAYS", ())
    in_source_order = simulate(network, stimulus, plastic=True, backend="cpp_standalone", seed=11)
    assert Path(in_source_order.provenance["build"]["directory"]) != directory   # its own build key
    np.testing.assert_array_equal(in_source_order.spike_indices, ordered.spike_indices)
    np.testing.assert_array_equal(in_source_order.spike_times_ms, ordered.spike_times_ms)
    for name, synapses in ordered.final_network.synapses.items():
        np.testing.assert_array_equal(in_source_order.final_network.synapses[name].w, synapses.w)
    assert not np.array_equal(ordered.final_network.synapses["input"].w, network.synapses["input"].w)


def test_two_threads_rerun_the_binary_each_with_its_own_seed(cache, stimulus):
    """The seed reaches each run's binary in its own environment: threads cannot swap seeds."""
    import threading

    network = generate_network(CONFIG, stimulus.n_channels)
    expected = {seed: simulate(network, stimulus, plastic=True, backend="cpp_standalone", seed=seed)
                for seed in (31, 32)}
    assert not np.array_equal(expected[31].spike_times_ms, expected[32].spike_times_ms)
    results, errors = {}, []

    def work(seed):
        try:
            results[seed] = simulate(network, stimulus, plastic=True, backend="cpp_standalone", seed=seed)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in (31, 32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for seed in (31, 32):
        assert results[seed].provenance["build"]["compiled"] is False
        np.testing.assert_array_equal(results[seed].spike_indices, expected[seed].spike_indices)
        np.testing.assert_array_equal(results[seed].spike_times_ms, expected[seed].spike_times_ms)
    assert "HETNET_SEED" not in os.environ


_SIGINT_WORKER = """
import os, signal, sys, threading, time
import numpy as np
from brian2.core.network import Network
from hetnet.config import HRSNNConfig
from hetnet.encoding import RateStimulus
from hetnet.errors import SimulationInterrupted
from hetnet.network import generate_network, simulate
rng = np.random.default_rng(0)
stimulus = RateStimulus(rng.uniform(0, 60, size=(40, 30)), step_ms=10.0)
network = generate_network(HRSNNConfig(n_neurons=150, seed=3, input={"mode": "poisson"}), stimulus.n_channels)

def interrupt():  # SIGINT to this process while its binary runs (what Ctrl-C does)
    while not Network._globally_running:
        time.sleep(0.001)
    os.kill(os.getpid(), signal.SIGINT)

threading.Thread(target=interrupt, daemon=True).start()
try:
    simulate(network, stimulus, plastic=True, backend="cpp_standalone", seed=5)
except SimulationInterrupted as error:
    print("INTERRUPTED", error)
    sys.exit(130)
print("COMPLETED")
"""


def test_sigint_while_the_binary_runs_discards_the_run(cache):
    import subprocess
    import sys

    child = subprocess.run([sys.executable, "-c", _SIGINT_WORKER], capture_output=True, text=True, timeout=600,
                           env=dict(os.environ))
    assert child.returncode == 130, child.stderr[-2000:]
    assert "INTERRUPTED" in child.stdout and "COMPLETED" not in child.stdout


def test_results_of_killed_processes_are_removed_and_value_files_capped(cache, stimulus, monkeypatch):
    from hetnet.backends import standalone

    network = generate_network(CONFIG, stimulus.n_channels)
    first = simulate(network, stimulus, plastic=True, backend="cpp_standalone", seed=41)
    directory = Path(first.provenance["build"]["directory"])
    orphan = directory / "results-999999999-deadbeef"      # a pid that cannot exist
    orphan.mkdir()
    (orphan / "spikemonitor_t").write_bytes(b"0" * 100)
    kept = directory / "results-999999998-cafecafe"
    kept.mkdir()
    (kept / ".hetnet-keep").touch()
    assert standalone.remove_orphaned_results(directory) == [orphan]
    assert not orphan.exists() and kept.exists()
    monkeypatch.setattr(standalone, "MAX_VALUE_FILES", 5)
    for seed in (42, 43):   # new weights each time: new value files
        simulate(network.with_weights({"ee": network.synapses["ee"].w * (seed / 50)}), stimulus, plastic=True,
                 backend="cpp_standalone", seed=seed)
    assert len(list((directory / "static_arrays").glob("init_*.dat"))) <= 5


def test_a_users_own_standalone_script_survives_a_hetnet_standalone_run(cache, stimulus, tmp_path):
    """hetnet's builds have devices of their own: Brian2's global cpp_standalone device, which the caller's
    script is filling, keeps its objects and initial values (it used to be reinitialised by every new build)."""
    import brian2 as b2
    from brian2.devices.device import all_devices

    b2.set_device("cpp_standalone", build_on_run=False, directory=str(tmp_path / "user"))
    try:
        group = b2.NeuronGroup(2, "dv/dt = -v / tau : 1", namespace={"tau": 10 * b2.ms}, name="user_group")
        group.v = 1.0                                    # an initial value the device must remember
        monitor = b2.StateMonitor(group, "v", record=[0], name="user_monitor")
        network = generate_network(CONFIG, stimulus.n_channels)
        result = simulate(network, stimulus, plastic=False, backend="cpp_standalone", seed=1)
        assert result.spike_indices.size > 0
        assert b2.get_device() is all_devices["cpp_standalone"]          # the caller's device is active again
        b2.Network(group, monitor).run(1 * b2.ms)
        b2.device.build(directory=str(tmp_path / "user"), compile=True, run=True, with_output=False)
        np.testing.assert_allclose(monitor.v[0][-1], np.exp(-0.9 / 10.0), rtol=1e-6)   # v(0.9 ms) from v = 1
    finally:
        b2.device.reinit()
        b2.set_device("runtime")
