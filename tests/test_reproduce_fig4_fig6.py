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
