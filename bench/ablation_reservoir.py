"""Ablation of the default HRSNN (issue 11): what each modelling choice contributes, measured.

Starting from the default configuration (HeNHeS, N = 500), each row changes
one ingredient back to the alternative it was chosen over and measures, on
the same seeds and data, the memory capacity (the protocol of
:func:`hetnet.tasks.memory.measure_memory`), the one-step NRMSE on
Lorenz-63 and on the Santa Fe laser (train 500, test 100, state alone) and
the firing regime of the memory run (rate, synchrony chi, silent fraction).
Writes ``bench/results/reservoir_ablation.json``; the numbers decide the
defaults documented in the model's docstring and ``docs/science.rst``.

Rows:

- ``default``: the configuration as shipped;
- ``delta-like synapses``: synaptic currents decaying in one integration step
  (``tau_syn`` = 0.1 ms), scaled to carry the same charge (the old delta
  synapses' behaviour: every spike a voltage jump);
- ``no background drive``: ``bias_mV`` = 0 (input-driven network, the old default);
- ``Poisson input``: the series rate-coded by Poisson encoder neurons
  (ON/OFF, 10 per channel, 64 Hz, through plastic input synapses) instead of
  injected as a current;
- ``input to every neuron``: ``p_in`` = 1;
- ``sparse connectivity (the papers' C and lambda)``: ``C = (0.3, 0.2, 0.4, 0.1)``,
  ``lambda`` = 2 (about 8 recurrent inputs per neuron);
- ``10 ms steps``: half the input step;
- ``filtered-only states``: the readout sees the filtered spike trains only
  (no spike counts of the last step), ``tau`` = 20 ms;
- ``fixed tiny ridge``: memory capacity with the penalty fixed at 1e-6
  instead of chosen per delay on the training steps (the estimator, not the network).

Usage: ``python bench/ablation_reservoir.py [--seeds 3] [--quick]``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hetnet.config import ConnectivityConfig, HRSNNConfig  # noqa: E402
from hetnet.datasets.chaotic import lorenz63  # noqa: E402
from hetnet.datasets.packaged import load_santafe_laser  # noqa: E402
from hetnet.io import write_json  # noqa: E402
from hetnet.provenance import provenance  # noqa: E402
from hetnet.tasks.memory import measure_memory  # noqa: E402
from hetnet.tasks.prediction import predict_series  # noqa: E402


def log(message: str):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def ablations(base: HRSNNConfig) -> dict:
    """``{name: (config, measurement options)}``: the default and one change each."""
    weights = base.weights
    dt = base.dt_ms
    charge = {"excitatory_scale_mV": weights.excitatory_scale_mV * weights.tau_syn_e_ms / dt,
              "inhibitory_scale_mV": weights.inhibitory_scale_mV * weights.tau_syn_i_ms / dt,
              "input_scale_mV": weights.input_scale_mV * weights.tau_syn_e_ms / dt,
              "tau_syn_e_ms": dt, "tau_syn_i_ms": dt}
    return {
        "default": (base, {}),
        "delta-like synapses": (base.replace(weights=charge), {}),
        "no background drive": (base.replace(excitatory={"bias_mV": 0.0}, inhibitory={"bias_mV": 0.0}), {}),
        "Poisson input": (base.replace(input={"mode": "poisson"}), {}),
        "input to every neuron": (base.replace(connectivity={"p_in": 1.0}), {}),
        "sparse connectivity (the papers' C and lambda)": (base.replace(connectivity=ConnectivityConfig.papers(
            p_in=base.connectivity.p_in).to_dict()), {}),
        "10 ms steps": (base.replace(input={"step_ms": base.input.step_ms / 2}), {}),
        "filtered-only states": (base, {"state_kind": "filtered", "tau_ms": 20.0}),
        "fixed tiny ridge": (base, {"ridge": 1e-6}),
    }


def measure(config, options, steps, santafe, backend):
    memory_options = {k: v for k, v in options.items() if k in ("state_kind", "tau_ms", "ridge")}
    measured = measure_memory(config, n_steps=steps["n_steps"], train_steps=steps["train_steps"],
                              k_max=steps["k_max"], washout=steps["washout"], backend=backend, n_null=5,
                              **memory_options)
    row = {"memory_capacity": measured.capacity.total, "mc_chance": measured.capacity.null_mean,
           "rate_hz": measured.regime.mean_rate_hz, "synchrony": measured.regime.synchrony,
           "silent_fraction": measured.regime.silent_fraction}
    series_options = {"state_kind": options["state_kind"], "tau_ms": options["tau_ms"]} if "state_kind" in options else {}
    lorenz = lorenz63(steps["series_train"] + steps["series_test"] + 1, seed=config.seed)
    for name, series in (("lorenz", lorenz), ("santafe", santafe)):
        outcome = predict_series(config, series, train_steps=steps["series_train"], test_steps=steps["series_test"],
                                 variants=(config.variant,), washout_steps=50 if steps["series_train"] > 100 else 20,
                                 backend=backend, **series_options)[config.variant]
        row[f"{name}_nrmse"] = outcome["nrmse"]
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-neurons", type=int, default=500)
    parser.add_argument("--backend", default="cpp_standalone")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=None, help="comma-separated row names")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "reservoir_ablation.json"))
    args = parser.parse_args(argv)
    steps = (dict(n_steps=600, train_steps=100, k_max=20, washout=50, series_train=150, series_test=40) if args.quick
             else dict(n_steps=4000, train_steps=500, k_max=50, washout=100, series_train=500, series_test=100))
    n_neurons = 100 if args.quick else args.n_neurons
    seeds = list(range(min(args.seeds, 1) if args.quick else args.seeds))
    santafe = load_santafe_laser()[: steps["series_train"] + steps["series_test"] + 1]
    base = HRSNNConfig(n_neurons=n_neurons, backend=args.backend)
    rows = ablations(base)
    if args.only:
        rows = {name: rows[name] for name in args.only.split(",")}
    start = time.perf_counter()
    results = {}
    for name, (config, options) in rows.items():
        per_seed = []
        for seed in seeds:
            per_seed.append(measure(config.replace(seed=seed), options, steps, santafe, args.backend))
            log(f"{name} seed {seed}: " + ", ".join(f"{k} {v:.3f}" for k, v in per_seed[-1].items()))
        results[name] = {"per_seed": per_seed, **{key: {"mean": float(np.mean([r[key] for r in per_seed])),
                                                         "sd": float(np.std([r[key] for r in per_seed], ddof=1))
                                                         if len(per_seed) > 1 else 0.0}
                                                   for key in per_seed[0]}}
    record = {"description": __doc__.split("\n\n")[0], "quick": args.quick, "n_neurons": n_neurons, "seeds": seeds,
              "settings": steps, "variant": base.variant, "rows": results, "wall_seconds": time.perf_counter() - start,
              "provenance": provenance(seed=seeds, backend=args.backend, config=base)}
    write_json(args.out, record)
    log(f"wrote {args.out}")
    header = f"{'row':<36} {'MC':>6} {'Lorenz':>7} {'SantaFe':>8} {'rate':>6} {'chi':>6} {'silent':>7}"
    print(header)
    for name, row in results.items():
        print(f"{name:<36} {row['memory_capacity']['mean']:>6.2f} {row['lorenz_nrmse']['mean']:>7.3f} "
              f"{row['santafe_nrmse']['mean']:>8.3f} {row['rate_hz']['mean']:>6.1f} {row['synchrony']['mean']:>6.3f} "
              f"{row['silent_fraction']['mean']:>7.3f}")


if __name__ == "__main__":
    main()
