"""Fig. 9 / Table III (ICLR 2023): memory capacity, spikes and spike efficiency of the four variants.

Each variant's network learns with STDP on i.i.d. input, is frozen, and is
driven by i.i.d. input u(t) ~ U[-1, 1]; memory capacity MC (ridge readouts of
u(t-k), k = 1..k_max, held-out steps), the average spike count per neuron S
and the efficiency E = MC / S are measured (hetnet.bo.objectives.NetworkObjective,
the same evaluation the optimiser uses). The paper's claim: HeN raises MC,
HeS lowers S, HeNHeS has the best E. Same seeds across variants, so the
variants share structure and differ only in parameters.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import mean_and_spread, parser, pyplot, save, say  # noqa: E402

from hetnet.bo.objectives import NetworkObjective  # noqa: E402
from hetnet.bo.space import SearchSpace  # noqa: E402
from hetnet.config import VARIANTS, HRSNNConfig  # noqa: E402


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    n_seeds = args.seeds or (1 if args.quick else 3)
    size = 60 if args.quick else 500
    steps = dict(n_steps=150, train_steps=50, k_max=10) if args.quick else dict(n_steps=1000, train_steps=300, k_max=40)
    base = HRSNNConfig(n_neurons=size)
    rows = {}
    for variant in VARIANTS:
        objective = NetworkObjective(SearchSpace([]), base_config=base.replace(variant=variant), lyapunov_steps=0, **steps)
        runs = []
        for seed in range(args.seed, args.seed + n_seeds):
            metrics = objective([], seed=seed)["metrics"]
            runs.append(metrics)
            say(f"{variant} seed {seed}: MC {metrics['memory_capacity']:.2f}, S {metrics['spikes_per_neuron']:.1f}, "
                f"E {metrics['efficiency']:.4f}")
        rows[variant] = {key: mean_and_spread([run[key] for run in runs])
                         for key in ("memory_capacity", "spikes_per_neuron", "efficiency")}
    plt = pyplot()
    figure, axes = plt.subplots(1, 3, figsize=(12, 3.5))
    for axis, key, label in zip(axes, ("memory_capacity", "spikes_per_neuron", "efficiency"),
                                ("memory capacity", "spikes per neuron S", "efficiency MC / S")):
        axis.bar(list(rows), [rows[v][key][0] for v in rows], yerr=[rows[v][key][1] for v in rows], capsize=4)
        axis.set_title(label)
    save(args.out, "fig9_variants_memory_spikes", {"n_neurons": size, "seeds": n_seeds, **steps, "variants": rows},
         figure, seed=args.seed, backend=base.backend, config=base)


if __name__ == "__main__":
    main()
