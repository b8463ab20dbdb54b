"""The time breakdown of simulations (hetnet.network.timing): what simulate records, what a block collects."""
import threading

import numpy as np
import pytest

from hetnet.config import HRSNNConfig
from hetnet.encoding import encode_series
from hetnet.network import generate_network, simulate
from hetnet.network.timing import record_simulations, simulation_timings, time_breakdown


@pytest.fixture(scope="module")
def small():
    config = HRSNNConfig(n_neurons=30, seed=4)
    stimulus = encode_series(np.sin(np.arange(15) / 3.0), config.input)
    return generate_network(config, n_input=stimulus.n_channels), stimulus


def test_a_block_collects_every_simulation_made_inside_it_and_only_those(small):
    network, stimulus = small
    simulate(network, stimulus, plastic=False, backend="runtime")              # before: not collected
    with record_simulations() as outer:
        first = simulate(network, stimulus, plastic=True, backend="runtime")
        with record_simulations() as inner:
            thread = threading.Thread(target=lambda: simulate(network, stimulus, plastic=False, backend="runtime"))
            thread.start()
            thread.join()
    simulate(network, stimulus, plastic=False, backend="runtime")              # after: not collected
    assert len(outer) == 2 and len(inner) == 1 and outer[0] is first.provenance and outer[1] is inner[0]
    assert inner[0]["plastic"] is False
    timings = simulation_timings(outer)
    # the runtime backend measures no separate network loop: the bare time is its Brian2 run call
    assert timings["loop_s"] == 0.0 and timings["compile_s"] == 0.0
    assert timings["bare_s"] == pytest.approx(sum(p["simulation_seconds"] for p in outer))
    assert 0.0 < timings["bare_s"] <= timings["simulate_wall_s"]
    assert simulation_timings([first]) == simulation_timings([first.provenance])


def test_the_breakdown_adds_up_to_the_wall_time():
    records = [{"wall_seconds": 5.0, "binary_seconds": 1.5, "network_loop_seconds": 1.0,
                "build": {"build_seconds": 3.0, "compiled": True}},
               {"wall_seconds": 2.0, "binary_seconds": 1.2, "network_loop_seconds": 1.0,
                "build": {"build_seconds": 0.5, "compiled": False}}]
    breakdown = time_breakdown(20.0, simulation_timings(records))
    parts = ("compile_s", "project_s", "bare_s", "simulate_overhead_s", "outside_simulation_s")
    assert [breakdown[key] for key in parts] == [3.0, 0.5, 2.0, 1.5, 13.0]
    assert sum(breakdown[key] for key in parts) == breakdown["wall_s"] and breakdown["ratio_wall_to_bare_loop"] == 10.0
    assert time_breakdown(1.0, simulation_timings([]))["ratio_wall_to_bare_loop"] is None


def test_waiting_for_another_process_compiling_is_its_own_part():
    """A worker whose build waited for another worker compiling it used to have the wait counted as
    project generation (the campaign benchmark's 'project' was mostly that); it is its own part now."""
    records = [{"wall_seconds": 14.0, "binary_seconds": 1.0, "network_loop_seconds": 1.0,
                "build": {"build_seconds": 12.5, "wait_seconds": 12.0, "compiled": False}},
               {"wall_seconds": 5.0, "binary_seconds": 1.0, "network_loop_seconds": 1.0,
                "build": {"build_seconds": 3.5, "wait_seconds": 0.5, "compiled": True}}]
    timings = simulation_timings(records)
    assert (timings["wait_s"], timings["project_s"], timings["compile_s"]) == (12.5, 0.5, 3.0)
    breakdown = time_breakdown(19.0, timings)
    parts = ("compile_s", "wait_s", "project_s", "bare_s", "simulate_overhead_s", "outside_simulation_s")
    assert sum(breakdown[key] for key in parts) == pytest.approx(19.0) and breakdown["simulate_overhead_s"] == 1.0
    # records written before the wait was measured read as no wait
    assert simulation_timings([{"build": {"build_seconds": 2.0, "compiled": False}}])["wait_s"] == 0.0


def test_the_build_lock_reports_how_long_it_waited(tmp_path):
    import fcntl
    import time

    from hetnet.backends.standalone import _directory_lock

    with _directory_lock(tmp_path) as waited:
        assert 0.0 <= waited < 0.2
    held = threading.Event()

    def hold():
        with open(tmp_path / ".hetnet-build.lock", "w") as handle:   # another open file: another lock owner
            fcntl.flock(handle, fcntl.LOCK_EX)
            held.set()
            time.sleep(0.4)
            fcntl.flock(handle, fcntl.LOCK_UN)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    with _directory_lock(tmp_path) as waited:
        assert waited >= 0.3
    thread.join()
