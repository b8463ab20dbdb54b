"""``hetnet optimize``: Bayesian optimisation of an HRSNN's parameter distributions.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="hetnet")
>>> _ = register(parser.add_subparsers(dest="command"))
>>> parser.parse_args(["optimize", "--objective", "gamma-moments", "--budget", "4"]).budget
4
"""
from __future__ import annotations

import argparse
import logging
import sys

from hetnet.cli._args import common_options, config_from_args, integer, new_run_folder, number, quiet, refuse_busy_folder

__all__ = ["register", "run_optimize"]

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Bayesian optimisation over parameter distributions (the science page of the
documentation writes out the kernel and the acquisition).

Searches the Gamma shape and mean of the membrane time constants (E and I),
the threshold spreads, the STDP time constants and learning rates, and the
architecture scalars (connection scale C, lambda, p_in, w_scale). The GP uses
a Matern kernel on the Wasserstein (W2) distance between the candidates'
distributions; the acquisition is expected improvement; each step proposes
--batch candidates, evaluated in parallel on a local process pool or a Dask
cluster (--dask). Every finished evaluation is appended to DIR/journal.jsonl
as it completes, so --resume DIR continues after a crash or kill with nothing
lost or repeated.

Outputs in DIR: run.json (settings), journal.jsonl (every evaluation with
parameters, objective, all metrics, seed, wall time, provenance),
results.json (best candidate, its configuration, best-so-far curve) and
best_so_far.png.
"""

EPILOG = """\
objectives (all maximised):
  efficiency       E = MC / S, memory capacity per spike per neuron (default)
  memory-capacity  MC (Jaeger), i.i.d. U[-1,1] drive
  spike-count      -S, mean spikes per neuron
  nrmse            -NRMSE of one-step Lorenz-63 prediction
  lyapunov         -|largest Lyapunov exponent| of the rate surrogate (edge of chaos)
  gamma-moments    analytic test objective on two Gamma distributions (no simulation)

examples:
  hetnet optimize --objective gamma-moments --budget 30 --out runs/analytic
  hetnet optimize --config config.toml --objective efficiency --budget 50 --batch 2 --out runs/e
  hetnet optimize --quick --budget 6 --out runs/quick
  hetnet optimize --resume runs/e
  hetnet optimize --config config.toml --dask tcp://scheduler:8786 --batch 16 --out runs/big
  hetnet optimize --set n_neurons=200 --set input.current_scale_mV=40 --budget 20 --out runs/small
"""

QUICK_OPTIONS = {"n_steps": 150, "train_steps": 50, "k_max": 10, "washout": 10, "lyapunov_steps": 200}


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``optimize`` sub-command to ``subparsers``."""
    parser = subparsers.add_parser(
        "optimize",
        help="Bayesian optimisation of parameter distributions (Wasserstein-Matern GP)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common_options()],
    )
    parser.add_argument("--objective", default="efficiency",
                        choices=("efficiency", "memory-capacity", "spike-count", "nrmse", "lyapunov", "gamma-moments"),
                        help="what to maximise (default: efficiency = MC / S)")
    parser.add_argument("--budget", type=integer(low=1), default=None,
                        help="total evaluations (default 50; 10 with --quick)")
    parser.add_argument("--batch", type=integer(low=1), default=2, help="candidates proposed and evaluated in parallel per step (default 2)")
    parser.add_argument("--acquisition-restarts", type=integer(low=1), default=None,
                        help="L-BFGS starts of the acquisition optimiser per proposal (default 2: as good as "
                             "skopt's 5 on the analytic benchmarks, 1.4-1.6x faster)")
    parser.add_argument("--schedule", choices=("batch", "pipeline"), default=None,
                        help="batch: propose --batch candidates, wait for all, propose again (default); pipeline: "
                             "--batch in flight, a new candidate each time the oldest finishes (the other workers "
                             "go on while the optimiser thinks; other proposals, equally reproducible)")
    parser.add_argument("--resume", metavar="DIR", help="continue the run in DIR (its settings are read from DIR/run.json; "
                        "not combined with --config, --set, --out, --seed, --backend)")
    parser.add_argument("--dask", metavar="ADDRESS", help="evaluate on the Dask cluster at ADDRESS (e.g. tcp://host:8786)")
    parser.add_argument("--workers", type=integer(low=1), default=None,
                        help="local worker processes (default: one per CPU core)")
    parser.add_argument("--serial", action="store_true", help="evaluate in this process (no pool; for debugging)")
    parser.add_argument("--kernel", choices=("wasserstein", "matern"), default="wasserstein",
                        help="GP kernel: Matern on the Wasserstein distance (default) or on raw parameters")
    parser.add_argument("--initial-points", type=integer(low=1), default=None,
                        help="random evaluations before the GP drives the search (default: min(10, budget/3))")
    parser.add_argument("--xi", type=number(low=0.0), default=0.01, help="expected-improvement margin xi (default 0.01)")
    parser.add_argument("--distributions-only", action="store_true",
                        help="search the parameter distributions only (no C, lambda, p_in, w_scale) on one fixed "
                             "network structure (the config's seed): with a standalone backend every evaluation "
                             "re-runs the same compiled binaries instead of compiling")
    parser.add_argument("--common-seed", action="store_true",
                        help="draw every candidate with the configuration's seed (common random numbers: the same "
                             "grid, per-pair uniforms and parameter draws; the evaluation seed drives the input "
                             "only), the architecture still searched: candidates then differ in C, lambda and p_in "
                             "only, and '--envelope auto' runs them all in one 'bounds' program")
    parser.add_argument("--envelope", choices=("auto", "complete", "bounds", "none"), default="auto",
                        help="standalone backends: 'complete' runs every candidate inside one compiled program of "
                             "the complete structure (every pair connected, the candidate's own synapses carrying its "
                             "weights, the others weight 0), so an architecture search compiles once per size "
                             "instead of once per candidate, with identical results, each run delivering every "
                             "pair's events; 'bounds' (needs --common-seed or --distributions-only) inside the "
                             "network drawn at the upper ends of the connectivity ranges, far fewer pairs; 'none' "
                             "compiles each structure; 'auto' (default): 'bounds' with --common-seed, else "
                             "'complete' when the structure changes between candidates and N <= 1000, where each "
                             "was measured faster")
    parser.add_argument("--quick", action="store_true",
                        help="small and short: 100 neurons, 150-step drive, budget 10 unless --budget is given")
    parser.set_defaults(func=run_optimize)
    return parser


def run_optimize(args) -> int:
    """Run (or resume) an optimisation from parsed arguments; returns the exit status.

    Errors are :class:`hetnet.errors.HetnetError` for :func:`hetnet.cli.main.main` to report.
    """
    from hetnet.bo.campaign import resume_campaign, run_campaign
    from hetnet.cli._args import explicit_fields
    from hetnet.config import HRSNNConfig
    from hetnet.errors import UsageError
    from hetnet.progress import progress_bar

    engine = "serial" if args.serial else "process"
    bar = progress_bar(desc="evaluations", unit="eval")

    def progress(line):
        if bar.disable and not quiet():  # not a terminal (log file, pipe, CI): one line per evaluation
            print(line, flush=True)

    def on_evaluation(record, finished, budget, best):
        bar.total = budget
        bar.update(finished - bar.n)
        if best is not None:
            bar.set_postfix(best=f"{best:.4g}")

    try:
        if args.resume:
            for flag, value in (("--config", args.config), ("--out", args.out), ("--set", args.settings or None),
                                ("--seed", args.seed), ("--backend", args.backend),
                                ("--common-seed", args.common_seed or None), ("--schedule", args.schedule),
                                ("--acquisition-restarts", args.acquisition_restarts)):
                if value is not None:
                    raise UsageError(flag, value, f"cannot be combined with --resume: a resumed run keeps the "
                                     f"settings in {args.resume}/run.json")
            results = resume_campaign(args.resume, engine=engine, dask_address=args.dask, max_workers=args.workers,
                                      progress=progress, on_evaluation=on_evaluation, directory_option="--resume")
            directory = args.resume
        else:
            configured = args.config or args.settings or args.backend is not None
            config = config_from_args(args) if configured else None
            seed = args.seed if args.seed is not None else (config.seed if config is not None else 0)
            options = None
            if args.quick and args.objective != "gamma-moments":
                config = (config or HRSNNConfig()).replace(
                    **({} if "n_neurons" in explicit_fields(args) else {"n_neurons": 100}))
                options = dict(QUICK_OPTIONS)
            if args.distributions_only and args.objective != "gamma-moments":
                options = {**(options or {}), "fixed_structure": True, "search_architecture": False}
            if args.common_seed and args.objective != "gamma-moments":
                options = {**(options or {}), "fixed_structure": True}
            if args.envelope == "bounds" and not (args.common_seed or args.distributions_only):
                raise UsageError("--envelope", "bounds", "needs --common-seed (or --distributions-only): the bounds "
                                 "program holds the candidates of one connectivity seed only")
            if args.envelope != "auto" and args.objective != "gamma-moments":
                options = {**(options or {}), "envelope": None if args.envelope == "none" else args.envelope}
            budget = args.budget if args.budget is not None else (10 if args.quick else 50)
            directory = _new_folder(args)
            results = run_campaign(directory, objective=args.objective, config=config, budget=budget,
                                   batch=args.batch, seed=seed, kernel=args.kernel,
                                   n_initial_points=args.initial_points, xi=args.xi, objective_options=options,
                                   engine=engine, dask_address=args.dask, max_workers=args.workers,
                                   progress=progress, on_evaluation=on_evaluation, directory_option="--out",
                                   overwrite=args.force,
                                   **{key: value for key, value in (("schedule", args.schedule),
                                                                    ("acquisition_restarts", args.acquisition_restarts))
                                      if value is not None})   # else run_campaign's defaults
    finally:
        bar.close()
    best = results.get("best")
    if best is None:
        print(f"hetnet optimize: error: no evaluation succeeded; each failed record in {directory}/journal.jsonl "
              "says why", file=sys.stderr)
        return 1
    print(f"best objective {best['objective']:.6g} at evaluation {best['index']}")
    for name, value in best["parameters"].items():
        print(f"  {name} = {value:.6g}")
    print(f"results: {directory}/results.json, plot: {directory}/best_so_far.png")
    return 0


def _new_folder(args):
    """--out under the one policy; a folder that holds an optimisation run points to --resume as well."""
    from pathlib import Path

    from hetnet.bo.journal import JOURNAL_NAME
    from hetnet.errors import UsageError

    if args.out is not None:
        refuse_busy_folder(args.out)
    if args.out is not None and not args.force and (Path(args.out) / JOURNAL_NAME).exists():
        raise UsageError("--out", str(args.out), f"already holds a run ({JOURNAL_NAME}); continue it with hetnet "
                         f"optimize --resume {args.out}, start it over with --force (its files are replaced), or "
                         "choose a new folder")
    return new_run_folder(args, "optimize")
