"""hetnet.plotting: figures without global state, honest pruning and summary plots."""
import ast
from pathlib import Path

import matplotlib
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from hetnet import plotting
from hetnet.analysis import memory_capacity
from hetnet.result import SimulationResult

ROOT = Path(__file__).resolve().parents[1]


def _result():
    return SimulationResult(np.array([0, 1, 2, 3, 0]), np.array([1.0, 2.0, 3.0, 4.0, 30.0]), n_neurons=4,
                            n_excitatory=2, duration_ms=50.0, step_ms=10.0)


def _all_figures():
    rng = np.random.default_rng(0)
    u = rng.uniform(-1, 1, 400)
    states = np.stack([np.roll(u, 1), np.roll(u, 2), rng.normal(size=400)], axis=1)
    runs = {"lnp": [[{"iteration": k, "n_synapses": 100 - 10 * k} for k in range(4)]]}
    return [
        plotting.raster(_result()),
        plotting.memory_capacity_curve(memory_capacity(states, u, k_max=5, washout=10)),
        plotting.bo_convergence([1.0, None, 2.0]),
        plotting.pruning_evolution(runs),
        plotting.timescale_histogram({"lnp": rng.gamma(3, 5, 50)}),
        plotting.dot_plot({"a": [1.0, 2.0], "b": [3.0]}, log=True),
    ]


def test_figures_leave_backend_rcparams_and_pyplot_alone():
    backend = matplotlib.rcParams._get_backend_or_none()     # reading rcParams["backend"] would resolve it
    params = matplotlib.rcParams.copy()
    open_figures = plt.get_fignums()
    figures = _all_figures()
    assert all(isinstance(figure, Figure) for figure in figures)
    assert plt.get_fignums() == open_figures                      # nothing registered with pyplot
    assert matplotlib.rcParams._get_backend_or_none() == backend
    changed = {key for key in params if key != "backend" and matplotlib.rcParams[key] != params[key]}
    assert not changed
    for figure in figures:                                       # and they render without pyplot
        figure.canvas.draw()


def test_raster_colours_excitatory_and_inhibitory_apart():
    figure = plotting.raster(_result())
    axis = figure.axes[0]
    excitatory, inhibitory = axis.collections
    assert excitatory.get_offsets()[:, 1].max() < 2 <= inhibitory.get_offsets()[:, 1].min()
    assert mcolors.same_color(excitatory.get_edgecolor()[0], "tab:blue")
    assert mcolors.same_color(inhibitory.get_edgecolor()[0], "tab:red")
    assert "excitatory (2 neurons)" in axis.get_legend_handles_labels()[1]


def test_memory_capacity_curve_draws_the_chance_level_once():
    rng = np.random.default_rng(1)
    u = rng.uniform(-1, 1, 500)
    result = memory_capacity(np.stack([np.roll(u, 1), np.roll(u, 3)], axis=1), u, k_max=6, washout=10)
    figure = plotting.memory_capacity_curve(result, label="delay line")
    plotting.memory_capacity_curve(result.curve * 0.5, figure.axes[0], label="half")
    chance = [line for line in figure.axes[0].get_lines() if line.get_gid() == "chance"]
    assert len(chance) == 1 and chance[0].get_ydata()[0] == pytest.approx(1.0 / result.n_test)
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert labels[0] == f"delay line (MC = {result.total:.2f})"


def test_bo_convergence_best_so_far_is_the_running_maximum():
    figure = plotting.bo_convergence([0.5, 2.0, None, 1.0, 3.0])
    best = [line for line in figure.axes[0].get_lines() if line.get_label() == "best so far"][0]
    assert list(best.get_ydata()) == [0.5, 2.0, 2.0, 2.0, 3.0]


def test_pruning_evolution_keeps_coinciding_curves_visible_and_labels_seeds_honestly():
    one = [{"iteration": k, "n_synapses": 100.0 - k} for k in range(20)]
    figure = plotting.pruning_evolution({"lnp": [one], "random": [one], "ap": [one]})
    lines = figure.axes[0].get_lines()
    styles = {(line.get_marker(), line.get_linestyle(), mcolors.to_hex(line.get_color())) for line in lines}
    assert len(styles) == 3                                   # distinct marker, line style and colour each
    assert len({line.get_marker() for line in lines}) == 3 and len({line.get_linestyle() for line in lines}) == 3
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert all("1 seed" in label and "±" not in label for label in labels)
    assert not any(isinstance(c, PolyCollection) for c in figure.axes[0].collections)   # no band for one seed
    seeds = [[{"iteration": k, "n_synapses": 100.0 - k * s} for k in range(5)] for s in (1, 2, 3)]
    figure = plotting.pruning_evolution({"lnp": seeds})
    assert figure.axes[0].get_legend_handles_labels()[1] == ["LNP (mean ± sd over 3 seeds)"]
    assert any(isinstance(c, PolyCollection) for c in figure.axes[0].collections)
    np.testing.assert_allclose(figure.axes[0].get_lines()[0].get_ydata(), [100, 98, 96, 94, 92])


def test_dot_plot_has_no_bars_on_a_log_axis():
    figure = plotting.dot_plot({"unpruned": [7e8, 6e8, 6.5e8], "LNP": [2e7, 1.9e7, 2.1e7]}, log=True,
                               ylabel="SOPs")
    axis = figure.axes[0]
    assert axis.get_yscale() == "log"
    assert not [p for p in axis.patches if isinstance(p, Rectangle)]
    assert "3 seeds" in axis.get_title()
    assert plotting.dot_plot({"a": [1.0]}).axes[0].get_title() == "1 seed"


def _calls_matplotlib_use(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "use":
            if isinstance(node.func.value, ast.Name) and node.func.value.id in ("matplotlib", "mpl"):
                return True
    return False


def test_no_library_module_or_script_helper_selects_a_backend():
    files = sorted((ROOT / "hetnet").rglob("*.py")) + [ROOT / "experiments" / "_common.py"]
    offenders = [str(path.relative_to(ROOT)) for path in files if _calls_matplotlib_use(path)]
    assert offenders == []
