"""Fig. 9 / Table III (ICLR 2023): memory capacity, spikes, spike efficiency and separation of the four variants.

For each seed, the four variants share their structure (positions,
connectivity, initial weights, inputs) and differ only in which parameters
are heterogeneous. Each learns with STDP on an i.i.d. drive, is frozen and
driven by i.i.d. ``u(t) ~ U[-1, 1]`` (:func:`hetnet.tasks.memory.measure_memory`,
the protocol the optimiser and the benchmarks use):

- MC: memory capacity (held-out steps, ridge per delay chosen on the
  training steps) beside its chance level measured on the same states
  (time-permuted inputs) and the analytic level ``k_max / n_test``;
- S: spikes per neuron per input step; E = MC / S;
- effective rank (99 % of the singular-value sum) of the state matrix over
  the measured steps (the separation property: each step's state is the
  final state of a distinct input history).

The papers' claims, each tested across seeds with a paired t-test by the
one rule of :func:`hetnet.analysis.paired_comparison` ("holds", "does not
hold", "inconclusive"): HeN raises MC (HeNHoS > HoNHoS, HeNHeS > HoNHeS);
HeS lowers S (HoNHeS < HoNHoS, HeNHeS < HeNHoS); HeNHeS has the highest E
(against each other variant); effective rank HeNHeS > HoNHoS.
"""
from pathlib import Path

import numpy as np

# _common.py sits next to this script, and Python puts a script's folder first on sys.path
from _common import parser, save, say

from hetnet.analysis import effective_rank, paired_comparison
from hetnet.config import VARIANTS, HRSNNConfig
from hetnet.tasks.memory import DEFAULT_STATE_KIND, measure_memory, state_tau_ms

CLAIMS = (
    ("HeN raises MC", "memory_capacity", "HeNHoS", "HoNHoS", "greater"),
    ("HeN raises MC (with HeS)", "memory_capacity", "HeNHeS", "HoNHeS", "greater"),
    ("HeS lowers spikes", "spikes_per_step", "HoNHeS", "HoNHoS", "less"),
    ("HeS lowers spikes (with HeN)", "spikes_per_step", "HeNHeS", "HeNHoS", "less"),
    ("HeNHeS has the best E (vs HoNHoS)", "efficiency", "HeNHeS", "HoNHoS", "greater"),
    ("HeNHeS has the best E (vs HeNHoS)", "efficiency", "HeNHeS", "HeNHoS", "greater"),
    ("HeNHeS has the best E (vs HoNHeS)", "efficiency", "HeNHeS", "HoNHeS", "greater"),
    ("separation: rank(HeNHeS) > rank(HoNHoS)", "effective_rank", "HeNHeS", "HoNHoS", "greater"),
)


def measure(config, steps):
    measured = measure_memory(config, **steps)
    capacity = measured.capacity
    states = measured.frozen.state_matrix(kind=DEFAULT_STATE_KIND, tau_ms=state_tau_ms(config))[capacity.first_step:]
    return {
        "memory_capacity": capacity.total, "chance_null": capacity.null_mean, "chance_analytic": capacity.chance_level,
        "mc_above_chance": capacity.above_chance, "spikes_per_step": measured.spikes_per_neuron,
        "efficiency": measured.efficiency, "effective_rank": int(effective_rank(states.T)),
        "rate_hz": measured.regime.mean_rate_hz, "synchrony": measured.regime.synchrony,
        "silent_fraction": measured.regime.silent_fraction, "curve": capacity.curve.tolist(), "n_test": capacity.n_test,
    }


def figure_of(runs, n_seeds, k_max, claims=None):
    from hetnet.plotting import dot_plot, memory_capacity_curve, new_figure

    figure, axes = new_figure(1, 5, figsize=(21, 4.8))
    if claims:
        verdicts = "; ".join(f"{name}: {claim['verdict']} (p = {claim['p_value_t']:.2g})"
                             for name, claim in claims.items() if "(vs" not in name or "HoNHoS" in name)
        figure.suptitle(f"The papers' claims, paired t-test over {n_seeds} seeds — {verdicts}", fontsize=8)
    dot_plot({v: [r["memory_capacity"] for r in runs[v]] for v in runs}, ax=axes[0],
             ylabel=f"memory capacity (k_max {k_max}, held out)", title="MC")
    chance = float(np.mean([r["chance_null"] for v in runs for r in runs[v]]))
    axes[0].axhline(chance, color="0.35", linestyle="--", linewidth=1.0, label=f"chance {chance:.3f}")
    axes[0].legend(fontsize=8)
    dot_plot({v: [r["spikes_per_step"] for r in runs[v]] for v in runs}, ax=axes[1],
             ylabel="spikes per neuron per step S", title="S")
    dot_plot({v: [r["efficiency"] for r in runs[v]] for v in runs}, ax=axes[2], ylabel="E = MC / S",
             title="efficiency")
    dot_plot({v: [r["effective_rank"] for r in runs[v]] for v in runs}, ax=axes[3],
             ylabel="effective rank of the states (99 %)", title="separation")
    for variant in runs:
        curve = np.mean([r["curve"] for r in runs[variant]], axis=0)
        memory_capacity_curve(curve, ax=axes[4], label=variant,
                              chance=1.0 / runs[variant][0]["n_test"])
    axes[4].set(xlim=(0.5, min(20, k_max) + 0.5), title=f"MC(k), mean over {n_seeds} seed(s)")
    return figure


def replot(out):
    """Draw the figure again from the committed JSON (no simulation)."""
    import json

    record = json.loads((Path(out) / "fig9_variants_memory_spikes.json").read_text())
    runs = {variant: [dict(run, curve=curve) for run, curve in zip(record["runs"][variant], record["mc_curves"][variant])]
            for variant in record["runs"]}
    figure = figure_of(runs, len(record["seeds"]), record["protocol"]["k_max"], record["claims"])
    figure.savefig(Path(out) / "fig9_variants_memory_spikes.png", dpi=110)
    say(f"redrew {Path(out) / 'fig9_variants_memory_spikes.png'}")


def main(argv=None):
    command_line = parser(__doc__)
    command_line.add_argument("--replot", action="store_true", help="redraw the figure from the JSON in --out")
    args = command_line.parse_args(argv)
    if args.replot:
        return replot(args.out)
    n_seeds = args.seeds or (1 if args.quick else 5)
    size = 60 if args.quick else 500
    steps = (dict(n_steps=400, train_steps=50, k_max=10, washout=20, n_null=5) if args.quick
             else dict(n_steps=7000, train_steps=500, k_max=100, washout=100, n_null=20))
    base = HRSNNConfig(n_neurons=size, backend="runtime" if args.quick else "cpp_standalone")
    seeds = list(range(args.seed, args.seed + n_seeds))
    runs = {variant: [] for variant in VARIANTS}
    rows = []
    for seed in seeds:
        for variant in VARIANTS:
            result = measure(base.replace(variant=variant, seed=seed), steps)
            runs[variant].append(result)
            rows.append({"seed": seed, "variant": variant,
                         **{k: v for k, v in result.items() if not isinstance(v, list)}})
            say(f"{variant} seed {seed}: MC {result['memory_capacity']:.2f} (chance {result['chance_null']:.3f}), "
                f"S {result['spikes_per_step']:.3f}, E {result['efficiency']:.2f}, rank {result['effective_rank']}")
    summary = {variant: {key: {"mean": float(np.mean([r[key] for r in results])),
                               "sd": float(np.std([r[key] for r in results], ddof=1)) if len(results) > 1 else 0.0}
                         for key in results[0] if not isinstance(results[0][key], list)}
               for variant, results in runs.items()}
    claims = {}
    for name, metric, a, b, direction in CLAIMS:
        comparison = paired_comparison([r[metric] for r in runs[a]], [r[metric] for r in runs[b]], claim=direction)
        claims[name] = {"metric": metric, "a": a, "b": b, **comparison.to_dict()}
        say(f"claim '{name}': {comparison.verdict} (mean {a} {comparison.mean_a:.3f} vs {b} "
            f"{comparison.mean_b:.3f}, p = {comparison.p_value_t:.3g})")
    record = {"quick": args.quick, "n_neurons": size, "seeds": seeds, "protocol": steps,
              "state_kind": DEFAULT_STATE_KIND, "summary": summary, "claims": claims,
              "runs": {v: [{k: x for k, x in r.items() if k != "curve"} for r in rs] for v, rs in runs.items()},
              "mc_curves": {v: [r["curve"] for r in rs] for v, rs in runs.items()}}
    save(args.out, "fig9_variants_memory_spikes", record, figure_of(runs, n_seeds, steps["k_max"], claims), rows=rows,
         seed=args.seed, backend=base.backend, config=base)


if __name__ == "__main__":
    main()
