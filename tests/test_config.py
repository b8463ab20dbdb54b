"""Configuration validation and distributions (no Brian2 involved)."""
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from hetnet.config import ConnectivityConfig, ConfigError, HRSNNConfig, load_config
from hetnet.distributions import Constant, DistributionError, Gamma, LogNormal, Uniform


@pytest.mark.parametrize(
    "settings, field, fragment",
    [
        ({"n_neurons": 0}, "n_neurons", ">= 1"),
        ({"n_neurons": 10.5}, "n_neurons", "integer"),
        ({"n_neurons": "100"}, "n_neurons", "integer"),
        ({"variant": "HeNHeX"}, "variant", "HoNHoS"),
        ({"backend": "gpu"}, "backend", "cpp_standalone"),
        ({"excitatory_fraction": 1.2}, "excitatory_fraction", "<= 1"),
        ({"dt_ms": 0}, "dt_ms", "> 0"),
        ({"duration_ms": -5}, "duration_ms", "> 0"),
        ({"seed": -1}, "seed", ">= 0"),
        ({"grid_shape": [2, 2]}, "grid_shape", "three"),
        ({"grid_shape": [2, 2, 2], "n_neurons": 20}, "grid_shape", "at least"),
        ({"excitatory": {"tau_m_ms": -20.0}}, "excitatory.tau_m_ms", "> 0"),
        ({"inhibitory": {"tau_m_ms": {"kind": "gamma", "shape": 0, "mean": 10}}}, "inhibitory.tau_m_ms", "shape"),
        ({"inhibitory": {"t_ref_ms": 0.0}}, "inhibitory.t_ref_ms", "> 0"),
        ({"excitatory": {"v_th_mV": -70.0}}, "excitatory.v_th_mV", "above v_rest"),
        ({"excitatory": {"tau_m_ms": {"kind": "weibull"}}}, "excitatory.tau_m_ms", "unknown distribution"),
        ({"excitatory": {"tau_m": 20.0}}, "excitatory.tau_m", "unknown key"),
        ({"stdp": {"tau_post_ms": {"kind": "uniform", "low": 0.0, "high": 5.0}}}, "stdp.tau_post_ms", "> 0"),
        ({"stdp": {"eta_pre": -1e-4}}, "stdp.eta_pre", ">= 0"),
        ({"stdp": {"bounds": "sticky"}}, "stdp.bounds", "soft"),
        ({"connectivity": {"c_ee": 1.5}}, "connectivity.c_ee", "<= 1"),
        ({"connectivity": {"p_in": -0.1}}, "connectivity.p_in", ">= 0"),
        ({"connectivity": {"lambda_grid": 0}}, "connectivity.lambda_grid", "> 0"),
        ({"weights": {"w_min": 0.5, "w_max": 0.2}}, "weights.w_max", "> w_min"),
        ({"weights": {"initial": {"kind": "uniform", "low": 0.5, "high": 2.0}}}, "weights.initial", "within"),
        ({"input": {"rate_min_hz": 50.0, "rate_max_hz": 10.0}}, "input.rate_max_hz", "> rate_min_hz"),
        ({"input": {"neurons_per_channel": 0}}, "input.neurons_per_channel", ">= 1"),
        ({"input": {"on_off": "yes"}}, "input.on_off", "true or false"),
        ({"neurons": 100}, "neurons", "unknown key"),
        ({"connectivity": 3}, "connectivity", "table"),
    ],
)
def test_each_invalid_value_raises_one_clear_error(settings, field, fragment):
    with pytest.raises(ConfigError) as caught:
        HRSNNConfig.from_dict(settings)
    assert caught.value.field == field
    assert fragment in str(caught.value)
    assert repr(caught.value.value)[:10] in str(caught.value) or field in str(caught.value)


def test_validation_happens_before_brian2_is_imported():
    code = (
        "import sys\nfrom hetnet.config import HRSNNConfig, ConfigError\n"
        "try:\n    HRSNNConfig(n_neurons=0)\nexcept ConfigError:\n    pass\n"
        "print('brian2' in sys.modules)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "False"


def test_toml_round_trip_and_unknown_key(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(
        'n_neurons = 64\nvariant = "HoNHeS"\nseed = 7\n'
        '[excitatory]\ntau_m_ms = { kind = "lognormal", mean = 25.0, std = 5.0 }\n'
        '[connectivity]\nc_ee = 0.25\nlambda_grid = 1.5\n'
    )
    config = load_config(path)
    assert config.n_neurons == 64 and config.seed == 7 and config.connectivity.c_ee == 0.25
    assert config.excitatory.tau_m_ms == LogNormal(25.0, 5.0)
    assert HRSNNConfig.from_dict(config.to_dict()) == config
    (tmp_path / "bad.toml").write_text("[stdp]\ntau_pre = 20\n")
    with pytest.raises(ConfigError, match=r"stdp\.tau_pre.*unknown key"):
        load_config(tmp_path / "bad.toml")
    (tmp_path / "broken.toml").write_text("n_neurons = = 3\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path / "broken.toml")
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "missing.toml")


def test_variant_flags_and_defaults_follow_the_spec():
    config = HRSNNConfig()
    assert config.excitatory.tau_m_ms == Gamma(shape=3.0, mean=20.0)
    assert config.inhibitory.tau_m_ms == Gamma(shape=3.0, mean=10.0)
    papers = ConnectivityConfig.papers()
    assert (papers.c_ee, papers.c_ei, papers.c_ie, papers.c_ii, papers.lambda_grid) == (0.3, 0.2, 0.4, 0.1, 2.0)
    # the default connectivity is denser than the papers' (chosen by measurement, docs/science.rst):
    # the same distance rule, more recurrent inputs per neuron
    from hetnet.network import generate_network

    dense = generate_network(config, n_input=1).n_synapses
    sparse = generate_network(config.replace(connectivity=papers.to_dict()), n_input=1).n_synapses
    assert dense / config.n_neurons > 35 and sparse / config.n_neurons < 10
    assert config.stdp.eta_pre.mean == 1e-4 and config.stdp.eta_post.mean == 1e-2
    flags = {v: (HRSNNConfig(variant=v).neurons_heterogeneous, HRSNNConfig(variant=v).synapses_heterogeneous)
             for v in ("HoNHoS", "HeNHoS", "HoNHeS", "HeNHeS")}
    assert flags == {"HoNHoS": (False, False), "HeNHoS": (True, False), "HoNHeS": (False, True), "HeNHeS": (True, True)}


@pytest.mark.parametrize(
    "distribution, reference",
    [
        (Gamma(shape=3.0, mean=20.0), stats.gamma(3.0, scale=20.0 / 3.0)),
        (LogNormal(mean=20.0, std=8.0), stats.lognorm(s=np.sqrt(np.log1p(0.16)), scale=20.0 / np.sqrt(1.16))),
        (Uniform(-55.0, -49.0), stats.uniform(-55.0, 6.0)),
    ],
)
def test_distributions_match_scipy(distribution, reference):
    levels = np.linspace(0.01, 0.99, 17)
    np.testing.assert_allclose(distribution.quantile(levels), reference.ppf(levels), rtol=1e-10)
    assert distribution.mean == pytest.approx(reference.mean(), rel=1e-12)
    assert distribution.var == pytest.approx(reference.var(), rel=1e-12)
    samples = distribution.sample(20000, np.random.default_rng(3))
    assert stats.kstest(samples, reference.cdf).pvalue > 1e-3


def test_constant_and_bad_parameters():
    constant = Constant(4.0)
    assert constant.var == 0 and np.all(constant.sample(5, None) == 4.0)
    assert np.all(constant.quantile([0.1, 0.9]) == 4.0)
    assert Gamma(3.0, 20.0).homogeneous() == Constant(20.0)
    with pytest.raises(DistributionError):
        Gamma(shape=-1.0, mean=2.0)
    with pytest.raises(DistributionError):
        Uniform(1.0, 1.0)
    with pytest.raises(DistributionError):
        Gamma(3.0, 20.0).quantile(1.5)


def test_a_partial_section_table_keeps_that_sections_other_defaults():
    config = HRSNNConfig(inhibitory={"bias_mV": 5.0}, weights={"w_scale": 2.0})
    default = HRSNNConfig()
    assert config.inhibitory.bias_mV.mean == 5.0
    assert config.inhibitory.tau_m_ms == default.inhibitory.tau_m_ms      # not the excitatory default
    assert config.weights.tau_syn_i_ms == default.weights.tau_syn_i_ms
    assert config == default.replace(inhibitory={"bias_mV": 5.0}, weights={"w_scale": 2.0})
