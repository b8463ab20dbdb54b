"""Shared command line and output of the experiment scripts (not an experiment itself)."""
import argparse
import os
import time
from pathlib import Path

import numpy as np

from hetnet.io import tidy_rows, write_json, write_tidy_csv
from hetnet.provenance import provenance


def parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny networks and data: a smoke test, not the result")
    parser.add_argument("--out", default="experiment-results", help="output folder (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default: %(default)s)")
    parser.add_argument("--seeds", type=int, default=None, help="number of seeds (default: 3, quick: 1)")
    return parser


def run_seeds(args, settings, run_seed):
    """Run ``run_seed(seed, settings, out)`` for ``--seeds`` seeds from ``--seed`` (1 quick, 5 full)
    into ``--out``, unless ``--aggregate-only``."""
    Path(args.out).mkdir(parents=True, exist_ok=True)
    if not args.aggregate_only:
        for seed in range(args.seed, args.seed + (args.seeds or (1 if args.quick else 5))):
            run_seed(seed, settings, args.out)


def say(message: str):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def save(out, name: str, record: dict, figure=None, rows=None, **provenance_fields):
    """Write ``name.json`` (with provenance), ``name.png`` and, given per-run ``rows``, ``name.csv``.

    ``rows`` are one mapping per run (``seed``, ``variant`` and the metrics),
    written as a tidy table (seed, variant, metric, value) by
    :func:`hetnet.io.write_tidy_csv`; the JSON goes through
    :func:`hetnet.io.write_json` (NaN as ``null``).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    record["provenance"] = provenance(**provenance_fields)
    written = [write_json(out / f"{name}.json", record).name]
    if rows is not None:
        written.append(write_tidy_csv(out / f"{name}.csv", tidy_rows(rows)).name)
    if figure is not None:
        if figure.get_layout_engine() is None:
            figure.tight_layout()
        figure.savefig(out / f"{name}.png", dpi=110)
        written.append(f"{name}.png")
    say(f"wrote {', '.join(written)} in {out}")


def pyplot():
    """``matplotlib.pyplot`` for the scripts: the Agg backend unless ``MPLBACKEND`` names another.

    Only the experiment scripts (run as programs) import this module; the
    library never selects a backend.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt

    return plt


def mean_and_spread(values):
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else 0.0


def classification_sweep(values, make_run, variants, n_seeds, base_seed, label, rows=None):
    """Mean and spread of test accuracy per variant over ``values`` and seeds.

    ``make_run(value, seed)`` returns the ``classify`` results of one seed.
    Each run's accuracy is appended to ``rows`` (if given) as
    ``{"seed", "variant", "accuracy[<label>=<value>]"}``, ready for :func:`save`.
    """
    accuracy = {variant: {} for variant in variants}
    for value in values:
        runs = {variant: [] for variant in variants}
        for seed in range(base_seed, base_seed + n_seeds):
            results = make_run(value, seed)
            for variant in variants:
                runs[variant].append(results[variant]["accuracy"])
                if rows is not None:
                    rows.append({"seed": seed, "variant": variant,
                                 f"accuracy[{label.strip(' =:')}={value}]": results[variant]["accuracy"]})
        for variant in variants:
            accuracy[variant][value] = mean_and_spread(runs[variant])
        say(f"{label} {value}: " + ", ".join(f"{v} {accuracy[v][value][0]:.3f}" for v in variants))
    return accuracy


def accuracy_plot(values, accuracy, xlabel, title, log_x=False):
    """Accuracy with error bars against ``values``, one line per variant."""
    from hetnet.plotting import new_figure

    figure, axis = new_figure(figsize=(6, 4))
    for variant, by_value in accuracy.items():
        axis.errorbar(values, [by_value[v][0] for v in values], yerr=[by_value[v][1] for v in values],
                      marker="o", capsize=3, label=variant)
    axis.set(xlabel=xlabel, ylabel="test accuracy", title=title)
    if log_x:
        axis.set_xscale("log")
    axis.legend()
    return figure


def run_item(name: str, description: str, argv=None, extra=None):
    """The command line of a thin experiment script: run registry item ``name`` with :func:`hetnet.reproduce.reproduce`.

    ``extra(parser)`` may add options; it returns a callable ``(args) -> bool``
    that handles them (True: done, do not run the item).
    """
    command_line = parser(description)
    command_line.add_argument("--workers", type=int, default=None, help="local worker processes for the seeds")
    handle = extra(command_line) if extra else None
    args = command_line.parse_args(argv)
    if handle is not None and handle(args):
        return None
    from hetnet.reproduce import reproduce

    record = reproduce(name, out=args.out, quick=args.quick, seeds=args.seeds, base_seed=args.seed,
                       workers=args.workers, progress=say)
    for claim_name, claim in record.get("claims", {}).items():
        say(f"claim '{claim_name}': {claim['verdict']} ({claim['a']} {claim['mean_a']:.3f} vs {claim['b']} "
            f"{claim['mean_b']:.3f}, p = {claim['p_value_t']:.3g})")
    return record
