"""HeNHeS: a heterogeneous recurrent spiking neural network in plain Brian2.
=========================================================================

Chakraborty & Mukhopadhyay, "Heterogeneous recurrent spiking neural network
for spatio-temporal classification", Frontiers in Neuroscience 17 (2023),
arXiv:2211.04297 (the HRSNN); the equations are written out in the
"Network" section of hetnet's science page (docs/science.rst).

Leaky integrate-and-fire neurons with per-neuron membrane time constants and
thresholds (heterogeneous neurons, HeN) and a background drive,
current-based synapses (fast excitation, slow inhibition), trace STDP with
per-synapse time constants and learning rates (heterogeneous synapses,
HeS), 80 % excitatory neurons on a 3-D grid connected with probability
C * exp(-(D/lambda)^2), and an input value injected as a current into half
of the neurons through signed weights. The parameters are hetnet's defaults
(``hetnet.config.HRSNNConfig()``; a test keeps them equal); the library
builds the same model in ``hetnet.network`` (``hetnet run`` compares it with
the homogeneous one). Edit the parameters below and run
``python models/hrsnn.py`` (``--quick`` for a short run, ``--plot FILE`` for
a raster).
"""
import argparse

import numpy as np
from brian2 import *  # noqa: F401,F403  (model scripts use Brian2's namespace)

# --- parameters (units attached) ---------------------------------------------
N = 500                          # recurrent neurons
excitatory_fraction = 0.8
grid_shape = (5, 10, 10)         # 3-D grid, unit spacing (hetnet picks the most cubic grid that fits)
C = {"EE": 0.6, "EI": 0.6, "IE": 0.8, "II": 0.6}   # peak connection probabilities
lambda_grid = 3.0                # connection length scale (grid units)
p_in = 0.5                       # fraction of the neurons the input reaches

tau_m_shape, tau_m_E, tau_m_I = 3.0, 20 * ms, 10 * ms    # Gamma(shape, mean)
v_th_low, v_th_high = -55 * mV, -49 * mV                 # uniform thresholds
v_rest = -65 * mV
v_reset = -65 * mV
t_ref = 2 * ms
bias_E, bias_I = 26 * mV, 19 * mV                        # background drive R * I_bg

tau_syn_E, tau_syn_I = 3.5 * ms, 43 * ms                 # fast excitation, slow inhibition
J_E, J_I = 2.0 * mV, 2.9 * mV                            # current jump per spike and unit weight
input_scale = 33 * mV                                    # R * I_in per standard deviation of the input
step = 20 * ms                                           # one input value per step

stdp_shape = 3.0                 # Gamma shape of the per-synapse STDP parameters
tau_trace_mean = 20 * ms         # tau_pre = tau_post (Diehl & Cook 2015)
eta_pre_mean, eta_post_mean = 1e-4, 1e-2
w_min, w_max = 0.0, 1.0

duration = 2 * second
seed_value = 1

# --- equations ----------------------------------------------------------------
# The textbook Brian2 form. hetnet's library (hetnet/network/brian.py) runs the
# same model with the exact one-step propagator of (v, J_e, J_i) computed once
# per neuron instead of Brian2's exact integration at every step, and 1/tau in
# the traces: same spikes to rounding, faster in C++ standalone
# (bench/bench_backends.py).
neuron_equations = """
dv/dt = (v_rest + v_bias + J_in + J_e + J_i - v) / tau_m : volt (unless refractory)
dJ_e/dt = -J_e / tau_syn_E : volt
dJ_i/dt = -J_i / tau_syn_I : volt
J_in = w_in * input_scale * u(t) : volt
tau_m : second (constant)
v_th : volt (constant)
v_bias : volt (constant)
w_in : 1 (constant)
"""

stdp_equations = """
w : 1
taupre : second (constant)
taupost : second (constant)
etapre : 1 (constant)
etapost : 1 (constant)
dxpre/dt = -xpre / taupre : 1 (event-driven)
dxpost/dt = -xpost / taupost : 1 (event-driven)
"""
stdp_on_pre = """
J_e_post += w * J_E
xpre += 1
w = clip(w - etapre * xpost * (w - w_min), w_min, w_max)
"""
stdp_on_post = """
xpost += 1
w = clip(w + etapost * xpre * (w_max - w), w_min, w_max)
"""


def grid_connections(pre_positions, post_positions, c, same_population, rng):
    """Synapses with probability c * exp(-(D / lambda)^2) (numpy, vectorised)."""
    d2 = ((pre_positions[:, None, :] - post_positions[None, :, :]) ** 2).sum(axis=2)
    probability = c * np.exp(-d2 / lambda_grid**2)
    if same_population:
        np.fill_diagonal(probability, 0.0)
    return np.nonzero(rng.random(probability.shape) < probability)


def build_and_run(duration, plot_file=None):
    seed(seed_value)
    rng = np.random.default_rng(seed_value)
    n_e = int(round(excitatory_fraction * N))
    points = rng.permutation(np.prod(grid_shape))[:N]
    positions = np.stack(np.unravel_index(points, grid_shape), axis=1).astype(float)

    # i.i.d. input values, standardised (zero mean, unit variance), one per step
    n_steps = int(round(duration / step))
    u = TimedArray(rng.uniform(-np.sqrt(3), np.sqrt(3), n_steps), dt=step)

    neurons = NeuronGroup(N, neuron_equations, threshold="v > v_th", reset="v = v_reset",
                          refractory=t_ref, method="exact", name="recurrent",
                          namespace={"v_rest": v_rest, "v_reset": v_reset, "tau_syn_E": tau_syn_E,
                                     "tau_syn_I": tau_syn_I, "input_scale": input_scale, "u": u})
    tau_mean = np.r_[np.full(n_e, tau_m_E / ms), np.full(N - n_e, tau_m_I / ms)]
    neurons.tau_m = rng.gamma(tau_m_shape, tau_mean / tau_m_shape) * ms            # HeN
    neurons.v_th = rng.uniform(v_th_low / mV, v_th_high / mV, N) * mV              # HeN
    neurons.v_bias = np.r_[np.full(n_e, bias_E / mV), np.full(N - n_e, bias_I / mV)] * mV
    neurons.w_in = np.where(rng.random(N) < p_in, rng.uniform(-1, 1, N), 0.0)      # signed input weights
    neurons.v = rng.uniform(v_reset / mV, v_th_low / mV, N) * mV
    excitatory, inhibitory = neurons[:n_e], neurons[n_e:]

    def stdp_synapses(source, target, name, i, j):
        synapses = Synapses(source, target, stdp_equations, on_pre=stdp_on_pre, on_post=stdp_on_post,
                            method="exact", name=name, namespace={"J_E": J_E, "w_min": w_min, "w_max": w_max})
        synapses.connect(i=i, j=j)
        n = len(synapses)
        synapses.w = rng.uniform(0.2, 0.8, n)
        synapses.taupre = rng.gamma(stdp_shape, tau_trace_mean / ms / stdp_shape, n) * ms   # HeS
        synapses.taupost = rng.gamma(stdp_shape, tau_trace_mean / ms / stdp_shape, n) * ms  # HeS
        synapses.etapre = rng.gamma(stdp_shape, eta_pre_mean / stdp_shape, n)              # HeS
        synapses.etapost = rng.gamma(stdp_shape, eta_post_mean / stdp_shape, n)            # HeS
        return synapses

    def inhibitory_synapses(source, target, name, i, j):
        synapses = Synapses(source, target, "w : 1", on_pre="J_i_post += w * J_I", name=name,
                            namespace={"J_I": J_I})
        synapses.connect(i=i, j=j)
        synapses.w = -rng.uniform(0.2, 0.8, len(synapses))    # inhibitory: negative
        return synapses

    pos_e, pos_i = positions[:n_e], positions[n_e:]
    synapses = [
        stdp_synapses(excitatory, excitatory, "synapses_ee", *grid_connections(pos_e, pos_e, C["EE"], True, rng)),
        stdp_synapses(excitatory, inhibitory, "synapses_ei", *grid_connections(pos_e, pos_i, C["EI"], False, rng)),
        inhibitory_synapses(inhibitory, excitatory, "synapses_ie", *grid_connections(pos_i, pos_e, C["IE"], False, rng)),
        inhibitory_synapses(inhibitory, inhibitory, "synapses_ii", *grid_connections(pos_i, pos_i, C["II"], True, rng)),
    ]
    spikes = SpikeMonitor(neurons, name="recurrent_spikes")
    network = Network(neurons, spikes, *synapses, name="hrsnn")
    network.run(duration, namespace={})

    rate = spikes.num_spikes / N / float(duration / second)
    print(f"HeNHeS, {N} neurons, {sum(len(s) for s in synapses)} recurrent synapses: mean rate {rate:.2f} Hz, "
          f"E->E weight {np.mean(synapses[0].w[:]):.3f} after STDP (started at 0.5)")
    if plot_file:
        import matplotlib.pyplot as plt  # saves to a file: any backend works, Agg where there is no display

        plt.figure(figsize=(8, 4))
        plt.plot(spikes.t / ms, spikes.i, ",k")
        plt.xlabel("time (ms)")
        plt.ylabel("neuron")
        plt.title(f"HeNHeS raster, {rate:.1f} Hz")
        plt.savefig(plot_file, dpi=100)
    return spikes, synapses


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="200 ms instead of 2 s (smoke test)")
    parser.add_argument("--plot", metavar="FILE", help="save a spike raster to FILE (PNG)")
    options = parser.parse_args()
    prefs.codegen.target = "numpy"
    prefs.logging.file_log = False
    build_and_run(0.2 * second if options.quick else duration, options.plot)
