"""
A first heterogeneous network
=============================

Build the homogeneous (HoNHoS) and the fully heterogeneous (HeNHeS) variant of one
network, drive both with the same Lorenz-63 input, and compare their spikes. With one
seed the two variants share positions, connectivity and initial weights and differ only
in their parameters (see the "Heterogeneity and the four variants" section of the
science page).
"""
import numpy as np

from hetnet.config import HRSNNConfig
from hetnet.datasets import lorenz63
from hetnet.encoding import encode_series
from hetnet.network import generate_network, simulate
from hetnet.plotting import new_figure, raster

# %%
# The configuration and the input
# -------------------------------
# 200 recurrent neurons (160 excitatory, 40 inhibitory). Each of the series' 3
# dimensions is standardised and injected as a current into about half of the neurons
# (signed random input weights), one series value per 20 ms step.
config = HRSNNConfig(n_neurons=200, seed=1)
series = lorenz63(150)
stimulus = encode_series(series, config.input)
print(stimulus.n_channels, "input channels,", stimulus.n_steps, "steps of", stimulus.step_ms, "ms")

# %%
# Two variants, one structure
# ---------------------------
networks = {variant: generate_network(config.replace(variant=variant), n_input=stimulus.n_channels)
            for variant in ("HoNHoS", "HeNHeS")}
for variant, network in networks.items():
    print(f"{variant}: tau_m of the excitatory neurons {network.tau_m_ms[:160].mean():.1f} "
          f"± {network.tau_m_ms[:160].std():.1f} ms, {network.n_synapses} recurrent synapses")

# %%
# Learn with STDP, then run frozen
# --------------------------------
# The first run learns the weights without supervision; the second runs the trained
# network with its weights frozen, which gives the states a readout is trained on.
results = {}
for variant, network in networks.items():
    trained = simulate(network, stimulus, plastic=True)
    results[variant] = simulate(trained.final_network, stimulus, plastic=False)
    print(f"{variant}: {results[variant].mean_rate_hz:.2f} Hz, "
          f"{results[variant].spikes_per_neuron:.1f} spikes per neuron")

figure, axes = new_figure(1, 2, figsize=(11, 3.8))
for axis, (variant, result) in zip(axes, results.items()):
    raster(result, axis, title=f"{variant}, frozen weights, {result.mean_rate_hz:.2f} Hz")
figure

# %%
# States, saving and the graph
# ----------------------------
# The filtered spike trains, read at the end of every step, are the states; a result
# saves to one ``.npz`` file (spikes, network, provenance) and loads back equal.
states = results["HeNHeS"].state_matrix(kind="filtered", tau_ms=20.0)
print("states:", states.shape)

import tempfile
from pathlib import Path

from hetnet.result import SimulationResult

path = results["HeNHeS"].save(Path(tempfile.mkdtemp()) / "henhes.npz")
print("reloaded equal:", SimulationResult.load(path) == results["HeNHeS"])

graph = results["HeNHeS"].final_network.to_networkx()
in_degree = np.array([degree for _, degree in graph.in_degree()])
print(f"{graph.number_of_edges()} synapses, mean in-degree {in_degree.mean():.1f}")
