"""Fig. 5 (Frontiers 2023): accuracy of HoNHoS and HeNHeS as the network shrinks.

Classification of jittered spike patterns (the built-in spatio-temporal
benchmark: fixed random spike templates, jittered copies, one class per
template; each sample 100 ms then 100 ms rest; spike-count states; logistic
readout) for several network sizes. The paper's claim: the accuracy gap
HeNHeS - HoNHoS grows as N shrinks.
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
    sizes = (30, 60) if args.quick else (100, 200, 500, 1000, 2000)
    per_class = 6 if args.quick else 25

    def run(size, seed):
        config = HRSNNConfig(n_neurons=size, seed=seed)
        data = make_spike_patterns(n_classes=4, samples_per_class=per_class, duration_ms=config.input.present_ms, seed=seed)
        return classify(config, data, variants=VARIANTS, seed=seed)

    rows = []
    accuracy = classification_sweep(sizes, run, VARIANTS, n_seeds, args.seed, "N =", rows=rows)
    figure = accuracy_plot(sizes, accuracy, "recurrent neurons N", "spike-pattern classification", log_x=True)
    save(args.out, "fig5_accuracy_vs_size", {"sizes": sizes, "seeds": n_seeds, "accuracy": accuracy}, figure,
         rows=rows, seed=args.seed, backend="runtime")


if __name__ == "__main__":
    main()
