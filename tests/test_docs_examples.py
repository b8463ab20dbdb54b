"""The documentation's examples stay true: written-out defaults match the code, tutorials run."""
import re
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_written_in_the_configuration_page_are_the_code_defaults():
    from hetnet.config import HRSNNConfig, config_to_toml

    text = (ROOT / "docs" / "configuration.md").read_text()
    written = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    assert written == config_to_toml(HRSNNConfig())


def test_brian2_interop_tutorial_adds_monitors_and_leaves_brian2_as_it_was(tmp_path, monkeypatch):
    import brian2 as b2

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    dt_before, device_before = b2.defaultclock.dt, b2.get_device()
    namespace = runpy.run_path(str(ROOT / "docs" / "tutorials" / "plot_brian2_interop.py"), run_name="__main__")
    traces, rate = namespace["traces"], namespace["population_rate"]
    # the user's monitors recorded the whole run at the network's own step
    assert traces.v.shape == (3, round(namespace["stimulus"].duration_ms / namespace["built"].dt_ms))
    assert len(rate.t) == traces.v.shape[1]
    # the population rate the user's monitor saw is the spike monitor's count
    duration_s = namespace["stimulus"].duration_ms / 1000.0
    expected_hz = namespace["built"].recurrent_monitor.num_spikes / namespace["network"].n_neurons / duration_s
    assert abs(float((rate.rate / b2.Hz).mean()) - expected_hz) < 1e-6 * max(expected_hz, 1.0)
    assert b2.defaultclock.dt == dt_before and b2.get_device() is device_before
