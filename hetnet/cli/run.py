"""``hetnet run``: the main job — HoNHoS vs HeNHeS on built-in Lorenz-63 data.

Generates a Lorenz-63 series (no download), lets STDP learn on the first 500
steps, freezes the weights, fits a ridge readout for one-step prediction and
reports the held-out NRMSE (next 100 steps), mean firing rate and spikes per
neuron of each variant side by side. ``--training gradient`` trains the
recurrent network by BPTT with surrogate gradients instead (HoNB / HeNB). Writes ``results.json`` (with
provenance), ``results.csv`` (one row per variant and metric) and
``hrsnn_run.png`` (raster + prediction vs truth) into the output folder. ``--task`` picks another prediction or classification task.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np

from hetnet.cli._args import common_options, config_from_args, explicit_fields, integer, new_run_folder, quiet
from hetnet.config import VARIANTS, HRSNNConfig, config_to_toml
from hetnet.errors import UsageError
from hetnet.tasks.registry import DATA_TASKS

__all__ = ["register", "run_command", "format_table"]

logger = logging.getLogger(__name__)

#: the backend of ``hetnet run`` when none is set: C++ standalone where a compiler works (issue 17, measured
#: in bench/results/default_backend.json); ``--quick`` runs on the runtime
DEFAULT_BACKEND = "auto"
_QUICK = {"n_neurons": 100, "washout_steps": 20, "train_steps": 150, "test_steps": 40}
_DEFAULT_STEPS = {"washout_steps": 50, "train_steps": 500, "test_steps": 100}
#: tasks that read the file given with --data (task -> what PATH must be)
_DATA_TASKS = DATA_TASKS


def register(subparsers):
    parser = subparsers.add_parser(
        "run",
        help="simulate HRSNN variants on a task and report metrics (default: Lorenz-63 one-step prediction)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common_options()],
    )
    parser.add_argument("--variants", default="HoNHoS,HeNHeS", metavar="LIST",
                        help=f"comma-separated variants from {', '.join(VARIANTS)} (default: %(default)s)")
    parser.add_argument("--n-neurons", type=integer(low=1), default=None, metavar="N",
                        help="recurrent neurons (the same as --set n_neurons=N)")
    parser.add_argument("--task", default="lorenz63", choices=sorted(_task_names()),
                        help="task (default: %(default)s): prediction of lorenz63, rossler, lorenz96, mackey-glass, "
                             "sunspots, santafe-laser; classification of digits, spike-patterns, synthetic-events "
                             "(offline, synthetic moving shapes), and shd, dvs128, kth, cifar10 (need --data)")
    parser.add_argument("--data", default=None, metavar="PATH",
                        help="local data for tasks that need it: "
                             + "; ".join(f"{task}: {what}" for task, what in _DATA_TASKS.items()))
    parser.add_argument("--mode", choices=("one-step", "free-running"), default="one-step",
                        help="prediction tasks: teacher-forced one-step or free-running forecast (default: %(default)s)")
    parser.add_argument("--train-steps", type=integer(low=10), default=None, metavar="T",
                        help=f"prediction: steps for STDP and the readout fit (default: {_DEFAULT_STEPS['train_steps']})")
    parser.add_argument("--test-steps", type=integer(low=2), default=None, metavar="T",
                        help=f"prediction: held-out steps scored (default: {_DEFAULT_STEPS['test_steps']})")
    parser.add_argument("--washout-steps", type=integer(low=0), default=None, metavar="T",
                        help="prediction: first training steps left out of the readout fit "
                             f"(default: {_DEFAULT_STEPS['washout_steps']})")
    parser.add_argument("--training", choices=("stdp", "gradient"), default="stdp",
                        help="how the recurrent network learns: unsupervised STDP, or BPTT with surrogate gradients "
                             "(needs the 'gradient' extra; variants HoNB / HeNB, default HoNB,HeNB) "
                             "(default: %(default)s)")
    parser.add_argument("--epochs", type=integer(low=0), default=None, metavar="E",
                        help="--training gradient: training epochs (default: 30; --quick: 10)")
    parser.add_argument("--quick", action="store_true",
                        help="small, fast run (100 neurons, 150 training steps, small data) for smoke tests; "
                             "--n-neurons, --set n_neurons=N and the --*-steps options given explicitly still apply")
    for action in parser._actions:
        if action.dest == "backend":
            action.help = ("Brian2 code-generation backend (default: the configuration's if it sets one, else "
                           f"'{DEFAULT_BACKEND}': cpp_standalone where a C++ compiler works, compiled once per network "
                           "structure and cached, else runtime; 'runtime' with --quick)")
    parser.set_defaults(func=run_command)
    return parser


def _say(message: str):
    if quiet():
        return
    print(f"[hetnet {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _stage_progress(n_stages: int):
    """Progress of the simulation stages (STDP run, frozen run per variant): a bar in a terminal, else lines."""
    from hetnet.progress import progress_bar

    bar = progress_bar(total=n_stages, desc="simulations", unit="stage")
    started = []

    def report(message: str):
        if bar.disable:
            _say(message)
            return
        if started:
            bar.update(1)
        started.append(message)
        bar.set_description(message)

    def close():
        if started and not bar.disable:
            bar.update(max(0, bar.total - bar.n))
        bar.close()

    report.close = close
    return report


def format_table(rows: dict, references: dict | None = None) -> str:
    """The variants side by side (NRMSE, NRMSE with the current input appended, firing regime), then the references."""
    header = (f"{'variant':<12} {'NRMSE':>8} {'+input':>8} {'rate (Hz)':>10} {'spikes/neuron':>14} "
              f"{'synchrony':>10} {'ISI CV':>7} {'silent':>7} {'time (s)':>9}")
    lines = [header, "-" * len(header)]

    def number(value, width, digits):
        return f"{value:>{width}.{digits}f}" if isinstance(value, (int, float)) and value is not None else f"{'-':>{width}}"

    for variant, row in rows.items():
        lines.append(
            f"{variant:<12} {number(row['nrmse'], 8, 4)} {number(row.get('nrmse_with_input'), 8, 4)} "
            f"{number(row['mean_rate_hz'], 10, 3)} {number(row['spikes_per_neuron'], 14, 2)} "
            f"{number(row.get('synchrony'), 10, 3)} {number(row.get('isi_cv'), 7, 2)} "
            f"{number(row.get('silent_fraction'), 7, 3)} {number(row['wall_seconds'], 9, 1)}"
        )
    for reference in (references or {}).values():
        lines.append(f"{'reference':<12} {reference['nrmse']:>8.4f}  {reference['name']}, same data and split")
    return "\n".join(lines)


def _plot(outcomes: dict, path: Path, dt_series: float):
    from hetnet.plotting import new_figure, raster

    variants = list(outcomes)
    figure, axes = new_figure(2, len(variants), figsize=(6 * len(variants), 7), squeeze=False)
    for column, variant in enumerate(variants):
        frozen = outcomes[variant]["frozen"]
        raster(frozen, axes[0, column], t_max_ms=min(2000.0, frozen.duration_ms),
               title=f"{variant}: spikes (frozen weights), {frozen.mean_rate_hz:.2f} Hz")
        prediction = axes[1, column]
        targets, predictions = outcomes[variant]["truth"], outcomes[variant]["predictions"]
        steps = np.arange(len(targets)) * dt_series
        for dimension, color in zip(range(min(3, targets.shape[1])), ("tab:blue", "tab:orange", "tab:green")):
            prediction.plot(steps, targets[:, dimension], color=color, label=f"truth {dimension}")
            prediction.plot(steps, predictions[:, dimension], color=color, linestyle="--", label=f"predicted {dimension}")
        prediction.set(title=f"{variant}: {outcomes[variant]['mode']} prediction, NRMSE {outcomes[variant]['nrmse']:.3f}",
                       xlabel="model time after training", ylabel="value")
        prediction.legend(fontsize=7, ncol=3)
    figure.savefig(path, dpi=110)


def _config_from_args(args) -> HRSNNConfig:
    """--config, --set, --seed, --backend (shared), then --n-neurons; --quick sizes only a size nobody set.

    The backend nobody set (no ``--backend``, none in ``--config`` or ``--set``)
    is :data:`DEFAULT_BACKEND` (``auto``), or ``runtime`` with ``--quick``: a
    smoke run compiles longer than it simulates.
    """
    config = config_from_args(args)
    if args.backend is None and "backend" not in explicit_fields(args):
        config = config.replace(backend="runtime" if args.quick else DEFAULT_BACKEND)
    if args.n_neurons is not None:
        return config.replace(n_neurons=args.n_neurons)
    if args.quick and "n_neurons" not in explicit_fields(args, config_file=False):
        return config.replace(n_neurons=_QUICK["n_neurons"])
    return config


def _task_names():
    from hetnet.tasks.registry import TASKS

    return TASKS


def _steps(args) -> dict:
    """washout, training and test steps of a prediction task (--quick's or the defaults unless given)."""
    defaults = _QUICK if args.quick else _DEFAULT_STEPS
    steps = {k: defaults[k] if getattr(args, k) is None else getattr(args, k)
             for k in ("washout_steps", "train_steps", "test_steps")}
    if not steps["washout_steps"] < steps["train_steps"] - 1:
        raise UsageError("--washout-steps", steps["washout_steps"],
                         f"must be < --train-steps - 1 = {steps['train_steps'] - 1}")
    return steps


def _prediction(args, config, variants, out: Path):
    from hetnet.tasks.prediction import predict_series
    from hetnet.tasks.references import reference_forecasts
    from hetnet.tasks.registry import scalar_metrics, task_series

    steps = _steps(args)
    series, dt_series, exponent = task_series(args.task, steps["train_steps"] + steps["test_steps"] + 1, config.seed)
    _say(f"{args.task} series: {len(series)} steps (dt = {dt_series}), seed {config.seed}")
    stages = _stage_progress(len(variants) * (3 if args.mode == "free-running" else 2))
    try:
        if args.training == "gradient":
            from hetnet.cli._gradient import train_prediction_rows

            outcomes = train_prediction_rows(args, config, series, variants, dt_series, exponent, stages, steps)
        else:
            outcomes = predict_series(config, series, variants=variants, mode=args.mode, dt=dt_series,
                                      lyapunov_exponent=exponent, progress=stages, **steps)
    finally:
        stages.close()
    rows = {variant: scalar_metrics(outcome) for variant, outcome in outcomes.items()}
    train, test = steps["train_steps"], steps["test_steps"]
    references = {name: reference.summary() for name, reference in reference_forecasts(
        series, train, test, mode=args.mode, n_units=config.n_neurons, seed=config.seed).items()}
    print(f"\n{args.mode} prediction of {args.task} (held-out NRMSE by the training standard deviation; lower is better;"
          f"\n'+input': the readout also sees the current input value; synchrony chi and silent fraction of the frozen run)")
    print(format_table(rows, references))
    _plot(outcomes, out / "hrsnn_run.png", dt_series)
    record = {
        "task": args.task,
        "mode": args.mode,
        "series": {"dt": dt_series, **steps},
        "variants": rows,
        "references": references,
        "predictions": {v: o["predictions"] for v, o in outcomes.items()},
        "targets": next(iter(outcomes.values()))["truth"],
        "simulation": {v: o["frozen"].provenance for v, o in outcomes.items()},
    }
    return record, ["results.json", "hrsnn_run.png"]


def _classification(args, config, variants):
    from hetnet.tasks.registry import format_task_table, run_task, scalar_metrics

    stages = _stage_progress(2 * len(variants))
    try:
        if args.training == "gradient":
            from hetnet.cli._gradient import train_classification_rows

            results = train_classification_rows(args, config, variants, stages)
        else:
            results = run_task(args.task, config, variants=variants, data_path=args.data, quick=args.quick,
                               progress=stages, seed=config.seed)
    finally:
        stages.close()
    rows = {variant: scalar_metrics(metrics) for variant, metrics in results.items()}
    print(f"\nclassification of {args.task}")
    print(format_task_table({args.task: rows}))
    return {"task": args.task, "variants": rows}, ["results.json"]


def _variants(text: str) -> list:
    variants = [v.strip() for v in text.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or not variants:
        raise UsageError("--variants", text, f"give a comma-separated list of {', '.join(VARIANTS)}")
    return variants


def _silent_variants(rows: dict) -> list:
    """Variants whose network never spiked (every metric then describes a silent network)."""
    return [variant for variant, row in rows.items()
            if row.get("spikes_per_neuron", row.get("spikes_per_sample")) == 0 or row.get("mean_rate_hz") == 0]


def _backend_used(requested: str) -> tuple:
    """The backend the runs use and, for ``auto``, what to add to the provenance (requested, reason)."""
    from hetnet.backends.auto import AUTO, choose_backend

    if requested != AUTO:
        return requested, {}
    choice = choose_backend()
    return choice.backend, {"backend_requested": AUTO, "backend_choice": choice.reason}


def run_command(args) -> int:
    """``hetnet run``; errors are :class:`hetnet.errors.HetnetError` for :func:`hetnet.cli.main.main` to report."""
    from hetnet.io import tidy_rows, write_json, write_text_atomic, write_tidy_csv
    from hetnet.provenance import provenance
    from hetnet.runfolder import locked_run_folder
    from hetnet.tasks.registry import PREDICTION_TASKS

    config = _config_from_args(args)
    if args.training == "gradient":
        from hetnet.cli._gradient import gradient_variants

        variants = gradient_variants(args)
    else:
        variants = _variants(args.variants)
    if args.data is not None and args.task not in _DATA_TASKS:
        raise UsageError("--data", args.data, f"task {args.task!r} reads no data file; --data is read by the "
                         f"task(s) {', '.join(_DATA_TASKS)} only")
    if args.data is None and args.task in _DATA_TASKS:
        raise UsageError("--data", None, f"task {args.task!r} needs --data PATH to {_DATA_TASKS[args.task]}")
    if args.task in PREDICTION_TASKS:
        _steps(args)  # usage errors before the run folder is touched
    backend, backend_record = _backend_used(config.backend)
    with locked_run_folder(new_run_folder(args, "run"), "--out") as out:
        _say(f"network: {config.n_neurons} neurons ({config.n_excitatory} E / {config.n_inhibitory} I), "
             f"backend {backend}{' (auto)' if backend_record else ''}, variants {', '.join(variants)}, "
             f"task {args.task}")
        if args.task in PREDICTION_TASKS:
            record, files = _prediction(args, config, variants, out)
        else:
            record, files = _classification(args, config, variants)
        silent = _silent_variants(record["variants"])
        if silent:
            warning = (f"the network of {', '.join(silent)} produced no spike: its metrics describe a silent "
                       "network (check weights.w_scale, the input rates and the thresholds)")
            print(f"hetnet run: warning: {warning}", file=sys.stderr)
            record["warnings"] = [warning]
        record["training"] = args.training
        record["provenance"] = provenance(seed=config.seed, backend=backend, config=config, variants=variants,
                                          **backend_record)
        write_json(out / "results.json", record)
        write_tidy_csv(out / "results.csv", tidy_rows({"seed": config.seed, "variant": variant, **row}
                                                      for variant, row in record["variants"].items()))
        write_text_atomic(out / "config.toml", config_to_toml(config))
        files += ["results.csv", "config.toml"]
        _say("wrote " + ", ".join(str(out / name) for name in files))
    return 0
