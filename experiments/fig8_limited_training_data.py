"""Fig. 8 (Frontiers 2023): accuracy against the fraction of training data used.

Spike-pattern classification with the readout trained on a fraction of the
training samples (the STDP phase sees the same fraction). The paper's claim:
HeNHeS with less training data matches HoNHoS with more.
"""

# _common.py sits next to this script, and Python puts a script's folder first on sys.path
from _common import accuracy_plot, classification_sweep, parser, save

from hetnet.config import HRSNNConfig
from hetnet.tasks.classification import classify
from hetnet.tasks.spike_patterns import make_spike_patterns

VARIANTS = ("HoNHoS", "HeNHeS")


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    n_seeds = args.seeds or (1 if args.quick else 3)
    fractions = (0.5, 1.0) if args.quick else (0.2, 0.4, 0.6, 0.8, 1.0)
    size, per_class = (40, 8) if args.quick else (500, 40)

    def run(fraction, seed):
        config = HRSNNConfig(n_neurons=size, seed=seed)
        data = make_spike_patterns(n_classes=4, samples_per_class=per_class, duration_ms=config.input.present_ms, seed=seed)
        return classify(config, data, variants=VARIANTS, training_fraction=fraction, seed=seed)

    rows = []
    accuracy = classification_sweep(fractions, run, VARIANTS, n_seeds, args.seed, "fraction", rows=rows)
    figure = accuracy_plot(fractions, accuracy, "fraction of training data", "limited training data")
    save(args.out, "fig8_limited_training_data", {"fractions": fractions, "n_neurons": size, "seeds": n_seeds,
                                                  "accuracy": accuracy}, figure, rows=rows, seed=args.seed, backend="runtime")


if __name__ == "__main__":
    main()
