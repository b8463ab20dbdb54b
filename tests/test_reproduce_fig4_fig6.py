"""The Fig. 6 (BO convergence) and Fig. 4 (SAGE importance) items: their aggregation on made-up seeds.

The quick runs of both items are part of ``test_reproduce.py::test_every_item_runs_quick_and_resumes``;
here the aggregation is checked against seeds whose answer is known.
"""
import numpy as np
import pytest

from hetnet.reproduce import get_item
from hetnet.reproduce.bo_items import evaluations_to_converge, fig6_aggregate

pytestmark = pytest.mark.usefixtures("single_blas_thread")


def _fig6_seed(rng, spread):
    """Curves rising to 2.0 (+ noise of sd ``spread[variant]``) over 6 evaluations."""
    curves = {}
    for variant in ("HoNHoS", "HeNHeS"):
        curves[variant] = {}
        for size in ("100", "2000"):
            final = 2.0 + rng.normal(0, spread[variant])
            objective = [0.5, None, 1.2, final * 0.97, 1.0, final]
            best, so_far = None, []
            for value in objective:
                best = value if value is not None and (best is None or value > best) else best
                so_far.append(best)
            curves[variant][size] = {"best_so_far": so_far, "objective": objective, "best": {"efficiency": final}}
    return {"curves": curves}


def test_fig6_aggregate_finds_the_smaller_spread_and_draws_bands():
    rng = np.random.default_rng(0)
    results = {seed: _fig6_seed(rng, {"HoNHoS": 0.5, "HeNHeS": 0.02}) for seed in range(8)}
    options = get_item("fig6").settings(False)
    record, figure = fig6_aggregate(results, options)
    for size in ("100", "2000"):
        claim = record["claims"][f"HeNHeS varies less than HoNHoS once converged (N = {size})"]
        assert claim["verdict"] == "holds" and claim["a"] == "HeNHeS"
        assert record["summary"]["HeNHeS"][f"final_best_E[N={size}]"]["sd"] < 0.1
        assert record["summary"]["HoNHoS"][f"final_best_E[N={size}]"]["sd"] > 0.2
        # the 0.97 x final value at evaluation 4 is within 95 % of the final best
        assert record["summary"]["HeNHeS"][f"evaluations_to_95pct[N={size}]"] == {"mean": 4.0, "sd": 0.0}
    axes = figure.axes
    assert len(axes) == 2 and axes[0].get_xlabel() == "evaluations" and "E = MC / S" in axes[0].get_ylabel()
    assert len(axes[0].collections) == 2          # one band per variant
    assert [line.get_label() for line in axes[0].lines] == ["HoNHoS", "HeNHeS"]
    assert len(record["rows"]) == 8 * 2 * 2
    # the reverse: HoNHoS spread smaller, the claim does not hold
    rng = np.random.default_rng(1)
    results = {seed: _fig6_seed(rng, {"HoNHoS": 0.02, "HeNHeS": 0.5}) for seed in range(8)}
    record, _ = fig6_aggregate(results, options)
    assert {c["verdict"] for c in record["claims"].values()} == {"does not hold"}


def test_evaluations_to_converge():
    assert evaluations_to_converge([1.0, 2.0, 9.0, 9.6, 10.0]) == 4
    assert evaluations_to_converge([None, 3.0, 3.0]) == 2
    assert evaluations_to_converge([-4.0, -2.0, -1.0]) == 3
    assert evaluations_to_converge([]) is None


def test_fig6_settings_name_the_sizes_and_seeds():
    item = get_item("fig6")
    assert item.full["sizes"] == [100, 2000] and item.seeds_full == 5
    assert max(item.quick["sizes"]) <= 24 and item.quick["budget"] <= 3


# --------------------------------------------------------------------------------------------- Fig. 4

from hetnet.config import HRSNNConfig  # noqa: E402
from hetnet.reproduce.sage_items import (  # noqa: E402
    FEATURES, fig4_aggregate, fig4_seed, fit_surrogate, spread_config, spread_design)


def test_spread_design_is_a_seeded_latin_hypercube_in_range():
    design = spread_design(10, seed=3)
    assert design.shape == (10, 6) and np.array_equal(design, spread_design(10, seed=3))
    assert not np.array_equal(design, spread_design(10, seed=4))
    for k, name in enumerate(FEATURES):
        low, high = (0.1, 8.0) if name == "v_th" else (0.05, 1.0)
        strata = np.floor((design[:, k] - low) / (high - low) * 10).astype(int)
        assert sorted(strata.tolist()) == list(range(10)), name
    # columns drawn independently: no two columns ordered alike
    orders = {tuple(np.argsort(design[:, k])) for k in range(6)}
    assert len(orders) == 6
    with pytest.raises(ValueError, match="n_networks must be >= 2"):
        spread_design(1, 0)


def test_spread_config_sets_the_spreads_and_keeps_the_means():
    base = HRSNNConfig()
    config = spread_config(base, dict(zip(FEATURES, [0.5, 4.0, 0.25, 1.0, 0.1, 0.2])))
    for population in ("excitatory", "inhibitory"):
        section, old = getattr(config, population), getattr(base, population)
        assert section.tau_m_ms.std / section.tau_m_ms.mean == pytest.approx(0.5)
        assert section.tau_m_ms.mean == pytest.approx(old.tau_m_ms.mean)
        assert section.v_th_mV.high - section.v_th_mV.low == pytest.approx(4.0)
        assert section.v_th_mV.mean == pytest.approx(old.v_th_mV.mean)
    for name, cv in (("tau_pre_ms", 0.25), ("tau_post_ms", 1.0), ("eta_pre", 0.1), ("eta_post", 0.2)):
        dist = getattr(config.stdp, name)
        assert dist.std / dist.mean == pytest.approx(cv) and dist.mean == pytest.approx(getattr(base.stdp, name).mean)


def test_surrogate_explains_a_smooth_target_and_not_noise():
    rng = np.random.default_rng(1)
    X = rng.random((25, 3))
    _, r2 = fit_surrogate(X, np.cos(2 * X[:, 1]) + 0.5 * X[:, 2])
    assert r2 > 0.9
    _, r2 = fit_surrogate(X, rng.normal(size=25))
    assert r2 < 0.3


def _spreads(config):
    cv = lambda dist: dist.std / dist.mean  # noqa: E731
    return (cv(config.excitatory.tau_m_ms), cv(config.stdp.eta_post),
            config.excitatory.v_th_mV.high - config.excitatory.v_th_mV.low)


def _fake_predict_series(config, series, **kwargs):
    """NRMSE driven by the tau_m spread, spikes by the eta_post spread (and a little by v_th)."""
    tau_m, eta_post, width = _spreads(config)
    return {"HeNHeS": {"nrmse": 1.0 - 0.5 * tau_m, "spikes_per_neuron": 10.0 + 8.0 * eta_post ** 2 + 0.1 * width}}


def _fake_classify(config, data, **kwargs):
    """The spike-pattern stand-in: the error follows the v_th width, the spikes the eta_post spread."""
    _, eta_post, width = _spreads(config)
    return {"HeNHeS": {"accuracy": 0.5 + 0.05 * width, "spikes_per_sample": 100.0 - 60.0 * eta_post}}


def test_fig4_finds_the_parameter_that_drives_each_target(monkeypatch):
    import hetnet.tasks.classification as classification
    import hetnet.tasks.prediction as prediction

    monkeypatch.setattr(prediction, "predict_series", _fake_predict_series)
    monkeypatch.setattr(classification, "classify", _fake_classify)
    options = dict(get_item("fig4").full, n_networks=12, sage_max_permutations=1000, n_neurons=20, train_steps=40,
                   test_steps=20)
    assert options["tasks"] == ["lorenz96", "spike-patterns"]
    results = {seed: fig4_seed(seed, False, options) for seed in range(3)}
    top = {"lorenz96": ("tau_m", "eta_post"), "spike-patterns": ("v_th", "eta_post")}
    for record in results.values():
        assert len(record["design"]) == 12
        for task, (performance, spikes) in top.items():
            entry = record[task]
            assert entry["sage"]["performance"]["ranking"][0] == performance
            assert entry["sage"]["spikes"]["ranking"][0] == spikes
            assert entry["surrogate_r2_loo"]["performance"] > 0.9 and len(entry["performance"]) == 12
            values = entry["sage"]["performance"]["values"]
            assert all(error >= 0 for error in entry["sage"]["performance"]["std_errors"].values())
            assert values[performance] > 20 * max(abs(values[name]) for name in FEATURES if name != performance)
    record, figure = fig4_aggregate(results, options)
    assert {name: claim["verdict"] for name, claim in record["claims"].items()} == {
        f"{claim} ({task})": "holds" for task in top
        for claim in ("neuron heterogeneity matters most for performance", "STDP heterogeneity matters most for spiking")}
    summary = record["summary"]["lorenz96"]["performance"]
    assert summary["tau_m"]["mean"] > summary["eta_post"]["mean"] and summary["tau_m"]["estimator_se"] > 0
    assert len(figure.axes) == 4 and [ax.get_xlabel() for ax in figure.axes] == ["heterogeneity (spread) of"] * 4
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == list(FEATURES)
    assert "NRMSE" in figure.axes[0].get_title() and "1 - accuracy" in figure.axes[2].get_title()
    assert figure.axes[0].get_ylabel() == "SAGE value (squared error removed)"
    assert len(record["rows"]) == 3 * 2 * 2 * 6


def test_fig4_adds_shd_when_its_file_is_given(monkeypatch, tmp_path):
    """``--data shd=PATH``: SHD joins the tasks, a stratified subset, fed with SHD's encoder options."""
    h5py = pytest.importorskip("h5py")
    import hetnet.tasks.classification as classification

    rng = np.random.default_rng(0)
    path = tmp_path / "shd.h5"
    with h5py.File(path, "w") as handle:
        times = handle.create_dataset("spikes/times", (60,), dtype=h5py.vlen_dtype(np.dtype("float16")))
        units = handle.create_dataset("spikes/units", (60,), dtype=h5py.vlen_dtype(np.dtype("uint16")))
        for index in range(60):
            times[index] = np.sort(rng.uniform(0, 0.9, 30)).astype(np.float16)
            units[index] = rng.integers(0, 700, 30).astype(np.uint16)
        handle.create_dataset("labels", data=np.repeat(np.arange(20), 3).astype(np.uint8))
    seen = []

    def fake(config, data, **kwargs):
        seen.append((len(data), kwargs.get("encoder_options")))
        return _fake_classify(config, data, **kwargs)

    monkeypatch.setattr(classification, "classify", fake)
    options = dict(get_item("fig4").quick, n_networks=4, sage_max_permutations=300, tasks=[],
                   data={"shd": str(path)})
    record = fig4_seed(0, True, options)
    assert set(record) == {"features", "design", "shd"} and len(record["shd"]["performance"]) == 4
    assert len(seen) == 4 and all(size == 40 and opts["channel_pool"] == 7 for size, opts in seen)
    aggregated, _ = fig4_aggregate({0: record}, options)
    assert aggregated["tasks"] == ["shd"] and "SHD test error" in next(iter(aggregated["claims"].values()))["metric"]
