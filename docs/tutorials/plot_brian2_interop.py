"""
Your own Brian2 monitors on the HRSNN
=====================================

hetnet builds its network with ordinary Brian2 objects, so anything Brian2 can record
or change can be added to it. :func:`hetnet.network.brian.build_brian_network` returns the
groups, synapses and monitors of one network with every per-neuron and per-synapse
value already set; here we add a Brian2 ``StateMonitor`` of the membrane
potential and the two synaptic currents, and a ``PopulationRateMonitor``,
run the network under its own clock and plot what they recorded. Brian2's global state
(the default clock, the device) is left as it was.
"""
import brian2 as b2
import numpy as np

from hetnet.config import HRSNNConfig
from hetnet.datasets import lorenz63
from hetnet.encoding import encode_series
from hetnet.network import generate_network
from hetnet.network.brian import build_brian_network
from hetnet.plotting import new_figure

# %%
# A small network and its input
# -----------------------------
# 100 recurrent neurons, the default (fully heterogeneous) variant and the default input:
# the first Lorenz-63 coordinate, standardised and injected as a current, one value per
# 20 ms step.
config = HRSNNConfig(n_neurons=100, seed=3)
stimulus = encode_series(lorenz63(40)[:, :1], config.input)
network = generate_network(config, n_input=stimulus.n_channels)

# %%
# Build, then add your own monitors
# ---------------------------------
# ``state_variables`` asks hetnet for a StateMonitor of its own; any other Brian2
# object can be added to ``built.network``. The neuron group's variables are the
# membrane potential ``v`` and the excitatory and inhibitory currents ``J_e`` and
# ``J_i`` (all in volts; see the "The network" section of the science page).
built = build_brian_network(network, stimulus, plastic=False,
                            state_variables=("v", "J_e", "J_i"), state_record=[0, 1, 90])
population_rate = b2.PopulationRateMonitor(built.recurrent, name="population_rate")
built.network.add(population_rate)
built.run(stimulus.duration_ms)

traces = built.state_monitor
time_ms = np.asarray(traces.t / b2.ms)
print(f"{built.recurrent_monitor.num_spikes} spikes; recorded {traces.v.shape[1]} steps "
      f"of dt = {built.dt_ms} ms for neurons {[int(i) for i in traces.record]}")

# %%
# What they recorded
# ------------------
# Neurons 0 and 1 are excitatory (E neurons come first), neuron 90 is inhibitory.
figure, axes = new_figure(nrows=3, figsize=(8, 7), sharex=True)
for row, neuron in enumerate(traces.record):
    axes[0].plot(time_ms, traces.v[row] / b2.mV, lw=0.7, label=f"neuron {neuron}")
    axes[1].plot(time_ms, (traces.J_e[row] - traces.J_i[row]) / b2.mV, lw=0.7)
axes[0].set_ylabel("v (mV)")
axes[0].legend(loc="upper right", fontsize=8)
axes[1].set_ylabel("J_e - J_i (mV)")
smoothed_hz = np.asarray(population_rate.smooth_rate(width=5 * b2.ms) / b2.Hz)
axes[2].plot(np.asarray(population_rate.t / b2.ms), smoothed_hz, color="k", lw=0.8)
axes[2].set_ylabel("population rate (Hz)")
axes[2].set_xlabel("time (ms)")
