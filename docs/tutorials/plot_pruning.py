"""
Lyapunov noise pruning in a few iterations
==========================================

Prune a network task-agnostically with Lyapunov noise pruning (LNP) and compare it with
the random Erdős–Rényi baseline that has the same numbers of neurons and synapses at
every iteration (the "Lyapunov noise pruning" section of the science page). No
simulation is needed: LNP works on the weights and time constants.
"""
import numpy as np

from hetnet.plotting import new_figure, pruning_evolution, timescale_histogram
from hetnet.pruning import grid_network, lyapunov_noise_pruning, random_baseline

# %%
# A grid network of 300 neurons
# -----------------------------
# 80 % excitatory, Gaussian distance-dependent connectivity with about 20 synapses per
# neuron, Gamma-distributed membrane time constants.
start = grid_network(300, mean_degree=20, seed=0)
print(start.n_neurons, "neurons,", start.n_synapses, "synapses")

# %%
# Prune
# -----
# Each iteration keeps 90 % of the synapses (step I), removes the 3 % of neurons with the
# lowest betweenness (step II) and adds a few local edges (step III); step IV then
# re-draws the time constants to bring the largest Lyapunov exponent near 0.
lnp = lyapunov_noise_pruning(start, n_iterations=8, synapse_keep_fraction=0.9, node_prune_fraction=0.03,
                             timescale_options={"n_calls": 8, "n_initial_points": 4}, seed=0)
er = random_baseline(lnp, start, seed=0)
final = lnp.records[-1]
print(f"after {final.iteration} iterations: {final.n_neurons} neurons, {final.n_synapses} synapses, "
      f"largest exponent {final.max_lyapunov_per_s:.1f} 1/s")
print("after step IV:", round(lnp.timescales.max_exponent_per_s, 2), "1/s")

# %%
# The evolution
# -------------
# The random baseline copies LNP's counts, so the two curves coincide in the first two
# panels; their markers and line styles keep both visible. The largest exponent differs.
figure, axes = new_figure(1, 3, figsize=(14, 3.8))
runs = {"lnp": [lnp.records], "random": [er.records]}
pruning_evolution(runs, "n_synapses", axes[0], ylabel="synapses")
pruning_evolution(runs, "sops_estimate", axes[1], ylabel="synaptic operations per second")
pruning_evolution(runs, "max_lyapunov_per_s", axes[2], ylabel="largest Lyapunov exponent (1/s)")
figure

# %%
# Time constants before and after
# -------------------------------
figure = timescale_histogram({"lnp": lnp.network.tau_m_ms, "random": er.network.tau_m_ms})
figure.axes[0].set_title(f"tau_m after pruning (mean {np.mean(lnp.network.tau_m_ms):.1f} ms for LNP)")
figure
