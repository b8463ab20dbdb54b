"""Benchmark of issue 11: does the HRSNN compute? Writes ``bench/results/reservoir.json``.

For the four variants (HoNHoS, HeNHoS, HoNHeS, HeNHeS) of the default
configuration at N = 500, over several seeds, and, measured in the same run
on the same data, for its references:

- memory capacity (i.i.d. ``U[-1, 1]`` drive, k_max 100, >= 2000 held-out
  test steps; :func:`hetnet.tasks.memory.measure_memory`, STDP phase of 500
  steps first) with its analytic and empirical chance levels;
- the same MC of the same neurons with every recurrent weight removed and
  the background drive shifted to the recurrent network's mean rate
  (:func:`hetnet.tasks.memory.without_recurrence`), and the ratio;
- firing regime of the MC run: rate, synchrony chi, ISI CV, Fano factor,
  silent fraction;
- one-step NRMSE on Lorenz-63 (dt 0.02) and on the Santa Fe laser (train
  500, test 100; NRMSE by the training standard deviation), from the
  reservoir state alone and with the current input appended;
- the valid prediction time of the free-running Lorenz-63 forecast (VPT at
  error 0.5, in steps and Lyapunov times);
- references: a reservoirpy echo-state network of the same N (MC in the same
  protocol; one-step and free-running forecasts), a ridge AR(k) (order and
  penalty chosen on the training steps) and persistence.

``--all-tasks`` runs, instead, every built-in prediction task of ``hetnet
run`` (one-step, train 500 / test 100, the four variants and the seeds) with
persistence and AR(k) beside each, and writes
``bench/results/reservoir_tasks.json``: the check that no task blows up.

Usage::

    .venv/bin/python bench/bench_reservoir.py [--seeds 5] [--n-neurons 500] [--quick]
        [--backend cpp_standalone] [--out bench/results/reservoir.json] [--all-tasks]

``--quick`` (a smoke run: 2 seeds, N = 100, short series) does not give the
figures of merit. Records each seed's numbers, mean and standard deviation,
the targets of issue 11 with pass / fail, and the provenance (machine,
versions, configuration, seeds, wall time).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hetnet.analysis import memory_capacity, valid_prediction_time  # noqa: E402
from hetnet.config import VARIANTS, HRSNNConfig  # noqa: E402
from hetnet.datasets.chaotic import lorenz63  # noqa: E402
from hetnet.datasets.packaged import load_santafe_laser  # noqa: E402
from hetnet.encoding import encode_series  # noqa: E402
from hetnet.io import write_json  # noqa: E402
from hetnet.provenance import provenance  # noqa: E402
from hetnet.tasks.memory import measure_memory, memory_drive, without_recurrence  # noqa: E402
from hetnet.tasks.prediction import LYAPUNOV_EXPONENTS, predict_series  # noqa: E402
from hetnet.tasks.references import (  # noqa: E402
    ar_forecast, esn_forecast, esn_states, persistence_forecast,
)

LORENZ_DT = 0.02


def log(message: str):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def settings(quick: bool) -> dict:
    if quick:
        return dict(n_steps=1200, train_steps=200, k_max=20, washout=50, series_train=150, series_test=40,
                    free_test=20)
    # usable rows 7000 - max(washout, k_max) = 6900, 30 % held out: 2070 test steps (>= 2000)
    return dict(n_steps=7000, train_steps=500, k_max=100, washout=100, series_train=500, series_test=100,
                free_test=100)


def series_metrics(config, series, steps, backend, mode="one-step", lyapunov=None):
    """HRSNN one-step or free-running metrics on one series (one variant)."""
    outcome = predict_series(config, series, train_steps=steps["series_train"],
                             test_steps=steps["series_test"] if mode == "one-step" else steps["free_test"],
                             variants=(config.variant,), mode=mode, dt=LORENZ_DT, lyapunov_exponent=lyapunov,
                             washout_steps=50 if steps["series_train"] > 100 else 20, backend=backend)[config.variant]
    keys = ("nrmse", "nrmse_with_input") if mode == "one-step" else ("nrmse", "vpt_steps", "vpt_lyapunov_times")
    return {key: outcome.get(key) for key in keys}


def network_row(variant, seed, n_neurons, steps, backend, santafe):
    config = HRSNNConfig(n_neurons=n_neurons, variant=variant, seed=seed, backend=backend)
    start = time.perf_counter()
    measured = measure_memory(config, n_steps=steps["n_steps"], train_steps=steps["train_steps"],
                              k_max=steps["k_max"], washout=steps["washout"], backend=backend)
    capacity, regime = measured.capacity, measured.regime
    drive = memory_drive(steps["n_steps"], seed)
    short = encode_series(memory_drive(min(1000, steps["n_steps"]), seed + 5)[:, None], config.input)
    control, offset, control_rate = without_recurrence(measured.network, short, regime.mean_rate_hz, backend=backend)
    control_measured = measure_memory(config, network=control, n_steps=steps["n_steps"], train_steps=0,
                                      k_max=steps["k_max"], washout=steps["washout"], backend=backend)
    lorenz = lorenz63(steps["series_train"] + max(steps["series_test"], steps["free_test"]) + 1, seed=seed)
    row = {
        "memory_capacity": capacity.total,
        "mc_chance_analytic": capacity.chance_level,
        "mc_chance_null_mean": capacity.null_mean,
        "mc_chance_null_sd": capacity.null_sd,
        "mc_above_chance": capacity.above_chance,
        "mc_over_chance": capacity.total / capacity.null_mean,
        "mc_curve_first10": np.asarray(capacity.curve[:10]).round(4).tolist(),
        "mc_n_test": capacity.n_test,
        "mc_without_recurrence": control_measured.capacity.total,
        "mc_recurrence_ratio": capacity.total / control_measured.capacity.total,
        "control_drive_offset_mV": offset,
        "control_rate_hz": control_measured.regime.mean_rate_hz,
        "rate_hz": regime.mean_rate_hz,
        "synchrony": regime.synchrony,
        "isi_cv": regime.isi_cv,
        "fano_factor": regime.fano_factor,
        "silent_fraction": regime.silent_fraction,
        "spikes_per_neuron": measured.spikes_per_neuron,
        "efficiency": measured.efficiency,
    }
    for key, value in series_metrics(config, lorenz, steps, backend).items():
        row[f"lorenz_{key}"] = value
    for key, value in series_metrics(config, santafe, steps, backend).items():
        row[f"santafe_{key}"] = value
    free = series_metrics(config, lorenz, steps, backend, mode="free-running", lyapunov=LYAPUNOV_EXPONENTS["lorenz63"])
    row.update({f"lorenz_free_{key}": value for key, value in free.items()})
    row["wall_seconds"] = time.perf_counter() - start
    del drive
    return row


def reference_rows(seed, n_neurons, steps, santafe):
    drive = memory_drive(steps["n_steps"], seed)
    first = max(steps["washout"], steps["k_max"])
    states = esn_states(drive, n_neurons, seed=seed, input_scaling=0.1, connectivity=0.02)
    esn_mc = memory_capacity(states, drive, steps["k_max"], washout=steps["washout"], seed=seed)
    lorenz = lorenz63(steps["series_train"] + max(steps["series_test"], steps["free_test"]) + 1, seed=seed)
    train, test, free_test = steps["series_train"], steps["series_test"], steps["free_test"]
    truth_free = lorenz[train + 1: train + free_test + 1]
    scale = lorenz[:train].std(axis=0)

    def vpt(predictions):
        value = valid_prediction_time(truth_free, predictions, dt=LORENZ_DT, threshold=0.5,
                                      lyapunov_exponent=LYAPUNOV_EXPONENTS["lorenz63"], norm=scale)
        return int(value.steps), float(value.lyapunov_times)

    esn_free = esn_forecast(lorenz, train, free_test, n_units=n_neurons, seed=seed, mode="free-running")
    ar_free = ar_forecast(lorenz, train, free_test, mode="free-running")
    rows = {
        "ESN": {"memory_capacity": esn_mc.total, "mc_chance_null_mean": esn_mc.null_mean,
                "lorenz_nrmse": esn_forecast(lorenz, train, test, n_units=n_neurons, seed=seed).nrmse,
                "santafe_nrmse": esn_forecast(santafe, train, test, n_units=n_neurons, seed=seed).nrmse,
                "lorenz_free_vpt_steps": vpt(esn_free.predictions)[0],
                "lorenz_free_vpt_lyapunov_times": vpt(esn_free.predictions)[1]},
        "AR": {"lorenz_nrmse": ar_forecast(lorenz, train, test).nrmse,
               "santafe_nrmse": ar_forecast(santafe, train, test).nrmse,
               "lorenz_free_vpt_steps": vpt(ar_free.predictions)[0],
               "lorenz_free_vpt_lyapunov_times": vpt(ar_free.predictions)[1],
               "lorenz_order": ar_forecast(lorenz, train, test).settings["order"],
               "santafe_order": ar_forecast(santafe, train, test).settings["order"]},
        "persistence": {"lorenz_nrmse": persistence_forecast(lorenz, train, test).nrmse,
                        "santafe_nrmse": persistence_forecast(santafe, train, test).nrmse,
                        "lorenz_free_vpt_steps": vpt(np.repeat(lorenz[train:train + 1], free_test, axis=0))[0]},
    }
    del first
    return rows


def summarise(per_seed: list) -> dict:
    keys = [key for key, value in per_seed[0].items() if isinstance(value, (int, float)) and value is not None]
    summary = {}
    for key in keys:
        values = np.array([row[key] for row in per_seed if row.get(key) is not None], dtype=float)
        summary[key] = {"mean": float(values.mean()), "sd": float(values.std(ddof=1)) if values.size > 1 else 0.0,
                        "min": float(values.min()), "max": float(values.max())}
    return summary


def check_targets(summary: dict, seeds_rows: dict, references: dict) -> dict:
    """Issue 11's targets, each with the measured value and pass / fail."""
    he = summary["HeNHeS"]
    worst_task = max(max(row["lorenz_nrmse"], row["santafe_nrmse"]) for rows in seeds_rows.values() for row in rows)
    checks = {
        "MC of HeNHeS >= 2": (he["memory_capacity"]["mean"], he["memory_capacity"]["mean"] >= 2.0),
        "MC of HeNHeS >= 20x its chance level": (he["mc_over_chance"]["min"], he["mc_over_chance"]["min"] >= 20.0),
        "MC with recurrence >= 1.5x without (HeNHeS)": (he["mc_recurrence_ratio"]["mean"],
                                                        he["mc_recurrence_ratio"]["mean"] >= 1.5),
        "Lorenz-63 one-step NRMSE of HeNHeS <= 0.09 (state alone)": (he["lorenz_nrmse"]["mean"],
                                                                     he["lorenz_nrmse"]["mean"] <= 0.09),
        "Santa Fe one-step NRMSE <= 0.8 (HeNHeS)": (he["santafe_nrmse"]["mean"], he["santafe_nrmse"]["mean"] <= 0.8),
        "synchrony chi <= 0.2 (HeNHeS, i.i.d. input)": (he["synchrony"]["mean"], he["synchrony"]["mean"] <= 0.2),
        "mean rate 2-30 Hz (HeNHeS)": (he["rate_hz"]["mean"], 2.0 <= he["rate_hz"]["mean"] <= 30.0),
        "silent neurons <= 15 % (HeNHeS)": (he["silent_fraction"]["mean"], he["silent_fraction"]["mean"] <= 0.15),
        "no prediction NRMSE > 2 on any seed and variant": (worst_task, worst_task <= 2.0),
    }
    return {name: {"value": float(value), "pass": bool(ok)} for name, (value, ok) in checks.items()}


def all_tasks(args, steps, n_neurons, seeds, variants):
    """Every built-in prediction task, one-step, with persistence and AR(k): the no-blow-up check."""
    from hetnet.tasks.registry import PREDICTION_TASKS, task_series

    train, test = steps["series_train"], steps["series_test"]
    rows, start = [], time.perf_counter()
    for task in PREDICTION_TASKS:
        for seed in seeds:
            series, dt, exponent = task_series(task, train + test + 1, seed)
            task_train = min(train, len(series) - test - 1)   # short real series (sunspots: 309 years)
            series = series[: task_train + test + 1]
            config = HRSNNConfig(n_neurons=n_neurons, seed=seed, backend=args.backend)
            outcomes = predict_series(config, series, train_steps=task_train, test_steps=test, variants=variants,
                                      washout_steps=50 if task_train > 100 else 20, dt=dt, backend=args.backend)
            persistence = persistence_forecast(series, task_train, test).nrmse
            ar = ar_forecast(series, task_train, test)
            for variant, outcome in outcomes.items():
                rows.append({"task": task, "seed": seed, "variant": variant, "train_steps": task_train,
                             "nrmse": outcome["nrmse"],
                             "nrmse_with_input": outcome["nrmse_with_input"], "persistence_nrmse": persistence,
                             "ar_nrmse": ar.nrmse, "ar_order": ar.settings["order"],
                             "rate_hz": outcome["mean_rate_hz"]})
            log(f"{task} seed {seed}: " + ", ".join(f"{v} {o['nrmse']:.3f}" for v, o in outcomes.items())
                + f"; persistence {persistence:.3f}, {ar.name} {ar.nrmse:.4f}")
    worst = max(row["nrmse"] for row in rows)
    summary = {}
    for task in PREDICTION_TASKS:
        for variant in variants:
            values = [row["nrmse"] for row in rows if row["task"] == task and row["variant"] == variant]
            summary.setdefault(task, {})[variant] = {"mean": float(np.mean(values)), "max": float(np.max(values))}
        summary[task]["persistence"] = float(np.mean([r["persistence_nrmse"] for r in rows if r["task"] == task]))
        summary[task]["AR"] = float(np.mean([r["ar_nrmse"] for r in rows if r["task"] == task]))
    record = {"description": "every built-in prediction task, one-step (train/test steps in settings)",
              "quick": args.quick, "n_neurons": n_neurons, "seeds": seeds, "settings": steps, "summary": summary,
              "worst_nrmse": worst, "target": {"no task NRMSE > 2 on any seed": worst <= 2.0}, "rows": rows,
              "wall_seconds": time.perf_counter() - start,
              "provenance": provenance(seed=seeds, backend=args.backend,
                                       config=HRSNNConfig(n_neurons=n_neurons, backend=args.backend))}
    out = args.out if args.out != str(ROOT / "bench" / "results" / "reservoir.json") else \
        str(ROOT / "bench" / "results" / "reservoir_tasks.json")
    write_json(out, record)
    log(f"wrote {out}; worst NRMSE over tasks, seeds and variants {worst:.3f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--n-neurons", type=int, default=500)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--backend", default="cpp_standalone")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "reservoir.json"))
    parser.add_argument("--all-tasks", action="store_true", help="every built-in prediction task instead")
    args = parser.parse_args(argv)
    steps = settings(args.quick)
    n_neurons = 100 if args.quick else args.n_neurons
    seeds = list(range(args.first_seed, args.first_seed + (min(args.seeds, 2) if args.quick else args.seeds)))
    variants = [v for v in args.variants.split(",") if v]
    if args.all_tasks:
        return all_tasks(args, steps, n_neurons, seeds, variants)
    santafe = load_santafe_laser()[: steps["series_train"] + max(steps["series_test"], steps["free_test"]) + 1]
    start = time.perf_counter()
    rows = {variant: [] for variant in variants}
    references = {"ESN": [], "AR": [], "persistence": []}
    for seed in seeds:
        for variant in variants:
            log(f"{variant} seed {seed}")
            row = network_row(variant, seed, n_neurons, steps, args.backend, santafe)
            rows[variant].append(row)
            log(f"  MC {row['memory_capacity']:.2f} (chance {row['mc_chance_null_mean']:.3f}, without recurrence "
                f"{row['mc_without_recurrence']:.2f}), Lorenz {row['lorenz_nrmse']:.3f}, Santa Fe "
                f"{row['santafe_nrmse']:.3f}, VPT {row['lorenz_free_vpt_steps']}, rate {row['rate_hz']:.1f} Hz, "
                f"chi {row['synchrony']:.3f}, silent {row['silent_fraction']:.2f} ({row['wall_seconds']:.0f} s)")
        for name, reference in reference_rows(seed, n_neurons, steps, santafe).items():
            references[name].append(reference)
        log(f"  references seed {seed}: ESN MC {references['ESN'][-1]['memory_capacity']:.2f}, Lorenz ESN "
            f"{references['ESN'][-1]['lorenz_nrmse']:.4f} AR {references['AR'][-1]['lorenz_nrmse']:.4f} "
            f"persistence {references['persistence'][-1]['lorenz_nrmse']:.3f}")
    summary = {variant: summarise(values) for variant, values in rows.items()}
    reference_summary = {name: summarise(values) for name, values in references.items()}
    record = {
        "description": __doc__.split("\n\n")[0],
        "quick": args.quick,
        "n_neurons": n_neurons,
        "seeds": seeds,
        "settings": steps,
        "summary": summary,
        "references": reference_summary,
        "targets": check_targets(summary, rows, references) if "HeNHeS" in summary and not args.quick else None,
        "per_seed": rows,
        "references_per_seed": references,
        "wall_seconds": time.perf_counter() - start,
        "provenance": provenance(seed=seeds, backend=args.backend,
                                 config=HRSNNConfig(n_neurons=n_neurons, backend=args.backend)),
    }
    write_json(args.out, record)
    log(f"wrote {args.out}")
    if record["targets"]:
        for name, check in record["targets"].items():
            log(f"  {'PASS' if check['pass'] else 'FAIL'}  {name}: {check['value']:.3f}")


if __name__ == "__main__":
    main()
