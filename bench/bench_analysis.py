"""Benchmark of hetnet.analysis (issue 3); writes bench/results/analysis.json.

1. memory_capacity on N = 2000 neurons, T = 10000 steps, k_max = 200 (one
   Cholesky factorisation, 200 right-hand sides) against a loop of 200
   scikit-learn ``Ridge`` fits (one per delay) on the same arrays: both
   times, the ratio and max |MC(k) difference|.
2. network_lyapunov: top-50 spectrum of a 2000-neuron sparse rate network.

Not a test: run ``python bench/bench_analysis.py`` (several minutes on two
cores, most of it the scikit-learn loop). ``--quick`` shrinks the sizes for
a smoke run. BLAS runs with ``--blas-threads`` threads (default 1, the same
for both methods, so the comparison is per core and does not oversubscribe a
shared machine).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import sys
import time

import numpy as np
import scipy
import scipy.sparse
import sklearn
import threadpoolctl
from sklearn.linear_model import Ridge

from hetnet.analysis import memory_capacity, network_lyapunov
from hetnet.analysis.memory import delayed_targets

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "analysis.json"


def esn_states(n_neurons, n_steps, seed, density=0.02, spectral_scale=0.9):
    """Tanh echo-state network driven by i.i.d. U[-1, 1] input."""
    rng = np.random.default_rng(seed)
    weights = scipy.sparse.random_array(
        (n_neurons, n_neurons), density=density, random_state=seed, data_sampler=rng.standard_normal, format="csr"
    ) * (spectral_scale / np.sqrt(n_neurons * density))
    input_weights = rng.uniform(-1.0, 1.0, n_neurons)
    inputs = rng.uniform(-1.0, 1.0, n_steps)
    states = np.empty((n_steps, n_neurons))
    state = np.zeros(n_neurons)
    weights_t = scipy.sparse.csr_array(weights.T)
    for t in range(n_steps):
        state = np.tanh(weights_t @ state + input_weights * inputs[t])
        states[t] = state
    return states, inputs


def sklearn_per_delay(states, inputs, k_max, washout, ridge, test_fraction):
    """Reference: one scikit-learn Ridge per delay, squared Pearson r on the test rows."""
    first = max(washout, k_max)
    n_rows = inputs.size - first
    n_test = int(round(n_rows * test_fraction))
    n_train = n_rows - n_test
    targets = delayed_targets(inputs, k_max, first)
    x_train, x_test = states[first:first + n_train], states[first + n_train:]
    curve = np.empty(k_max)
    for k in range(k_max):
        model = Ridge(alpha=ridge, fit_intercept=True).fit(x_train, targets[:n_train, k])
        prediction = model.predict(x_test)
        curve[k] = np.corrcoef(prediction, targets[n_train:, k])[0, 1] ** 2
    return curve


def machine():
    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "threadpoolctl": threadpoolctl.__version__,
        "blas": [
            {k: entry.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
            for entry in threadpoolctl.threadpool_info()
            if entry.get("user_api") == "blas"
        ],
    }
    try:
        with open("/proc/cpuinfo") as handle:
            names = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
        info["cpu_model"] = names[0] if names else None
    except OSError:
        pass
    return info


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    parser.add_argument("--blas-threads", type=int, default=1)
    parser.add_argument("--output", type=pathlib.Path, default=RESULTS)
    args = parser.parse_args(argv)

    if args.quick:
        n_neurons, n_steps, k_max, n_exp, lyap_n = 300, 2000, 40, 10, 300
    else:
        n_neurons, n_steps, k_max, n_exp, lyap_n = 2000, 10000, 200, 50, 2000
    washout, ridge, test_fraction = 200, 1e-4, 0.3
    report = {"machine": machine(), "blas_threads": args.blas_threads,
              "load_average_start": os.getloadavg()}

    with threadpoolctl.threadpool_limits(limits=args.blas_threads, user_api="blas"):
        start = time.perf_counter()
        states, inputs = esn_states(n_neurons, n_steps, seed=0)
        generation_s = time.perf_counter() - start

        start = time.perf_counter()
        result = memory_capacity(states, inputs, k_max=k_max, washout=washout, ridge=ridge,
                                 test_fraction=test_fraction)
        ours_s = time.perf_counter() - start
        print(f"memory_capacity: {ours_s:.2f} s, MC = {result.total:.4f}", flush=True)

        start = time.perf_counter()
        reference = sklearn_per_delay(states, inputs, k_max, washout, ridge, test_fraction)
        sklearn_s = time.perf_counter() - start
        difference = float(np.max(np.abs(result.curve - reference)))
        print(f"sklearn loop: {sklearn_s:.2f} s, max |dMC(k)| = {difference:.3e}", flush=True)

    report["memory_capacity"] = {
        "n_neurons": n_neurons, "n_steps": n_steps, "k_max": k_max, "washout": washout,
        "ridge": ridge, "test_fraction": test_fraction, "n_train": result.n_train, "n_test": result.n_test,
        "reservoir": "tanh ESN, sparse W density 0.02 scaled 0.9/sqrt(N p), i.i.d. U[-1,1] input, seed 0",
        "state_generation_s": generation_s,
        "hetnet_s": ours_s,
        "sklearn_per_delay_s": sklearn_s,
        "speedup": sklearn_s / ours_s,
        "max_abs_mc_k_difference": difference,
        "total_mc_hetnet": result.total,
        "total_mc_sklearn": float(reference.sum()),
        "target": ">= 10x faster and max |dMC(k)| <= 1e-8",
        "target_met": bool(sklearn_s / ours_s >= 10 and difference <= 1e-8),
    }

    rng = np.random.default_rng(1)
    density = 0.02
    weights = scipy.sparse.random_array(
        (lyap_n, lyap_n), density=density, random_state=2, data_sampler=rng.standard_normal, format="csr"
    ) * (1.5 / np.sqrt(lyap_n * density))
    tau_m_ms = rng.gamma(3.0, 20.0 / 3.0, lyap_n) + 2.0
    settings = dict(n_exponents=n_exp, dt_ms=1.0, n_steps=2000, warmup_steps=500, gain=1.0, seed=0)
    start = time.perf_counter()
    lyapunov = network_lyapunov(weights, tau_m_ms, blas_threads=args.blas_threads, **settings)
    lyapunov_s = time.perf_counter() - start
    print(f"network_lyapunov top-{n_exp}: {lyapunov_s:.2f} s, max = {lyapunov.max_exponent_per_s:.3f} /s",
          flush=True)
    report["network_lyapunov"] = {
        "n_neurons": lyap_n, "synapses": int(weights.nnz), "network": "sparse Gaussian W, density 0.02, "
        "scaled 1.5/sqrt(N p); tau_m ~ 2 ms + Gamma(k=3, mean 20 ms); tanh surrogate",
        **settings, "integrator": lyapunov.integrator,
        "time_s": lyapunov_s,
        "time_per_step_ms": 1000 * lyapunov_s / (settings["n_steps"] + settings["warmup_steps"]),
        "max_exponent_per_s": lyapunov.max_exponent_per_s,
        "exponents_per_s_first5": lyapunov.exponents_per_s[:5].tolist(),
        "exponents_per_s_last": float(lyapunov.exponents_per_s[-1]),
    }
    report["load_average_end"] = os.getloadavg()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.output}")
    return report


if __name__ == "__main__":
    main()
