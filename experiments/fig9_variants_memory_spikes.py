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

A thin wrapper over the registry item ``fig9`` (``hetnet reproduce fig9``):
one resumable file per seed under OUT/fig9/, the aggregate in
OUT/fig9_variants_memory_spikes.json (``.quick.json`` with --quick), .csv and .png.
"""
from pathlib import Path

# _common.py sits next to this script, and Python puts a script's folder first on sys.path
from _common import run_item, say


def replot(out):
    """Draw the figure again from the JSON in ``out`` (no simulation)."""
    from hetnet.io import read_json
    from hetnet.reproduce.items import fig9_figure

    record = read_json(Path(out) / "fig9_variants_memory_spikes.json")
    runs = {variant: [dict(run, curve=curve) for run, curve in zip(record["runs"][variant], record["mc_curves"][variant])]
            for variant in record["runs"]}
    figure = fig9_figure(runs, len(record["seeds"]), record["protocol"]["k_max"], record["claims"])
    figure.savefig(Path(out) / "fig9_variants_memory_spikes.png", dpi=110)
    say(f"redrew {Path(out) / 'fig9_variants_memory_spikes.png'}")


def main(argv=None):
    def extra(command_line):
        command_line.add_argument("--replot", action="store_true", help="redraw the figure from the JSON in --out")
        return lambda args: bool(args.replot and replot(args.out) is None)

    return run_item("fig9", __doc__, argv, extra)


if __name__ == "__main__":
    main()
