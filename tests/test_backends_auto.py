"""``backend = "auto"`` (issue 17 item 3): cpp_standalone where a C++ compiler works, the runtime otherwise.

Fast: the fallback runs a tiny network on the runtime; nothing is compiled
but the two-line test program of the compiler check.
"""
import logging
import shutil

import numpy as np
import pytest

from hetnet.backends import auto
from hetnet.config import BACKENDS, ConfigError, HRSNNConfig
from hetnet.encoding import CurrentStimulus
from hetnet.network import generate_network, simulate


@pytest.fixture
def fresh_choice():
    auto.choose_backend.cache_clear()
    yield
    auto.choose_backend.cache_clear()


def test_auto_is_a_backend_of_the_configuration_and_the_command_line():
    assert "auto" in BACKENDS
    assert HRSNNConfig(backend="auto").backend == "auto"
    with pytest.raises(ConfigError, match="allowed: runtime, cpp_standalone, cuda_standalone, genn, auto"):
        HRSNNConfig(backend="fastest")
    from hetnet.cli.main import build_parser

    assert build_parser().parse_args(["run", "--backend", "auto"]).backend == "auto"


@pytest.mark.skipif(shutil.which("g++") is None or shutil.which("make") is None, reason="needs g++ and make")
def test_a_working_compiler_picks_cpp_standalone_once_per_process(fresh_choice, monkeypatch, caplog):
    monkeypatch.delenv("CXX", raising=False)
    calls = []
    check = auto.check_cpp_compiler

    def counted():
        calls.append(1)
        return check()

    monkeypatch.setattr(auto, "check_cpp_compiler", counted)
    with caplog.at_level(logging.INFO, logger="hetnet.backends.auto"):
        choices = [auto.choose_backend() for _ in range(3)]
    assert len(calls) == 1                                   # checked once, then cached
    assert choices[0].backend == "cpp_standalone" and "'g++'" in choices[0].reason
    assert auto.resolve_backend("auto") == "cpp_standalone"
    assert [record.getMessage() for record in caplog.records if "backend 'auto'" in record.getMessage()] == [
        f"backend 'auto': cpp_standalone ({choices[0].reason}; checked in "
        + caplog.records[-1].getMessage().rsplit("checked in ", 1)[1]]


@pytest.mark.parametrize("compiler, needle", [
    ("/nonexistent/c++", "no C++ compiler: '/nonexistent/c++'"),
    ("gcc -x c", "failed on a test program"),                 # a C compiler is not a C++ compiler
])
def test_no_working_compiler_falls_back_to_the_runtime_and_says_why(fresh_choice, monkeypatch, caplog, compiler,
                                                                     needle):
    if needle.startswith("failed") and shutil.which("gcc") is None:
        pytest.skip("needs gcc")
    monkeypatch.setenv("CXX", compiler)
    with caplog.at_level(logging.INFO, logger="hetnet.backends.auto"):
        choice = auto.choose_backend()
    assert choice.backend == "runtime" and needle in choice.reason
    assert any("backend 'auto': runtime" in record.getMessage() and needle in record.getMessage()
               for record in caplog.records)


def test_results_record_the_backend_actually_used(fresh_choice, monkeypatch):
    monkeypatch.setenv("CXX", "/nonexistent/c++")           # this machine has no compiler: auto is the runtime
    network = generate_network(HRSNNConfig(n_neurons=30, seed=2, backend="auto"), n_input=1)
    stimulus = CurrentStimulus(np.full((10, 1), 0.5), 20.0)
    result = simulate(network, stimulus, plastic=False, seed=1)
    assert result.provenance["backend"] == "runtime"
    assert result.provenance["backend_requested"] == "auto"
    assert "no C++ compiler" in result.provenance["backend_choice"]
    explicit = simulate(network, stimulus, plastic=False, seed=1, backend="runtime")
    assert "backend_requested" not in explicit.provenance
    np.testing.assert_array_equal(explicit.spike_times_ms, result.spike_times_ms)


def test_the_run_command_records_and_says_the_backend_it_uses(fresh_choice, monkeypatch):
    from hetnet.cli.run import _backend_used

    monkeypatch.setenv("CXX", "/nonexistent/c++")
    assert _backend_used("runtime") == ("runtime", {})
    backend, record = _backend_used("auto")
    assert backend == "runtime" and record["backend_requested"] == "auto" and "no C++ compiler" in record[
        "backend_choice"]


def test_hetnet_run_defaults_to_auto_unless_a_backend_is_set_or_quick(tmp_path):
    from hetnet.cli.main import build_parser
    from hetnet.cli.run import _config_from_args

    def backend(*argv):
        return _config_from_args(build_parser().parse_args(["run", *argv])).backend

    path = tmp_path / "runtime.toml"
    path.write_text('backend = "runtime"\n')
    assert backend() == "auto"
    assert backend("--quick") == "runtime"                    # a smoke run compiles longer than it simulates
    assert backend("--quick", "--backend", "auto") == "auto"
    assert backend("--backend", "cpp_standalone") == "cpp_standalone"
    assert backend("--set", "backend=runtime") == "runtime"
    assert backend("--config", str(path)) == "runtime"
    assert HRSNNConfig().backend == "runtime"                 # the library's default is unchanged
