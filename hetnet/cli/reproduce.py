"""``hetnet reproduce``: run the papers' figures and tables (resumable, fanned out), and write the report.

It takes the shared options of ``run``, ``optimize`` and ``prune``
(``hetnet.cli._args.common_options``). Two of them mean more here:
``--seed S`` is the first seed (``--seeds N`` of them are run), and ``--out``
is a *resumable* results folder (:mod:`hetnet.reproduce.folder`): a folder
of an earlier ``hetnet reproduce`` is resumed, provided its manifest records
the same base configuration; any other non-empty folder is refused unless
``--force``.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys

from hetnet.cli._args import common_options, integer

__all__ = ["register", "run_reproduce", "format_list"]

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Reproduce the papers' figures and tables with error bars.

Each ITEM runs its seeds (each seed one job: in this process, a local process
pool with --workers, or a Dask cluster with --dask) and writes one file per
seed under OUT/ITEM/MODE/, so an interrupted reproduction resumes without
redoing finished seeds. The seeds are then aggregated into OUT/NAME.json
(quick mode: OUT/NAME.quick.json) and a figure: mean ± sd, and every paper
claim tested across seeds with one verdict rule (holds / does not hold /
inconclusive). --report writes docs/results.md from the committed records.

Configuration: the items' networks start from --config / --set (default: the
built-in defaults, 'hetnet config show'); each item then sets the seed and its
own settings (network size, backend, ...; see --list). --set n_neurons=N,
--set backend=B and --backend B override an item's own size and backend.

Results folder (--out): a new or empty folder gets a manifest
(reproduce-manifest.json) recording the configuration of each mode (quick,
full). A folder with a manifest, or holding only what hetnet reproduce writes,
is resumed; it is refused (exit status 2) when its configuration of this mode
differs (resume with the same --config / --set / --backend), and so is a
folder holding anything else. --force overrides both: the manifest records the
new configuration, and seeds written with other settings are run again.
"""

EPILOG = """\
examples:
  hetnet reproduce --list
  hetnet reproduce fig9 --quick
  hetnet reproduce fig9 --seeds 5 --workers 2 --out /tmp/fig9
  hetnet reproduce fig9 --out experiments/results --force   # first time: the folder holds other files
  hetnet reproduce all --quick --out /tmp/smoke
  hetnet reproduce fig9 --quick --set input.current_scale_mV=40 --out /tmp/scale40
  hetnet reproduce table1 --data shd=/data/shd_train.h5
  hetnet reproduce table5 --data csv=/data/wind.csv:speed
  hetnet reproduce --report
"""

OUT_HELP = ("results folder, resumable (default: a new hetnet-results/reproduce-DATE-TIME): a new or empty folder, "
            "or one of an earlier 'hetnet reproduce' with the same configuration (resumed); a folder holding other "
            "files or another configuration is refused unless --force. Use experiments/results for records to commit")
FORCE_HELP = ("use an --out folder that holds other files, or a reproduction with another configuration (the "
              "manifest then records this one; seeds written with other settings are run again)")
SEED_HELP = "first seed: seeds S, S+1, ... (default: the configuration's seed, 0)"
BACKEND_HELP = "Brian2 code-generation backend of every item (default: each item's own, see --list)"
#: configuration fields that, set with --set (or --backend), override an item's own setting of the same name
ITEM_FIELDS = ("n_neurons", "backend")


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``reproduce`` sub-command to ``subparsers``."""
    parser = subparsers.add_parser("reproduce", help="reproduce the papers' figures and tables; write the report",
                                   description=DESCRIPTION, epilog=EPILOG,
                                   formatter_class=argparse.RawDescriptionHelpFormatter,
                                   parents=[common_options(out_help=OUT_HELP, force_help=FORCE_HELP,
                                                           seed_help=SEED_HELP, backend_help=BACKEND_HELP)])
    parser.add_argument("items", nargs="*", metavar="ITEM", help="items to run (see --list), or 'all'")
    parser.add_argument("--list", action="store_true", help="list the items, their claims and settings")
    parser.add_argument("--report", action="store_true", help="write the results page from the records in --results")
    parser.add_argument("--results", default="experiments/results", metavar="DIR",
                        help="records read by --report (default: %(default)s)")
    parser.add_argument("--page", default="docs/results.md", metavar="FILE",
                        help="page written by --report (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="tiny networks and data: a smoke test, not a result")
    parser.add_argument("--seeds", type=integer(low=1), default=None, metavar="N",
                        help="number of seeds (default: 5 full, 1 quick)")
    engine = parser.add_mutually_exclusive_group()
    engine.add_argument("--workers", type=integer(low=1), default=None, metavar="K",
                        help="run the seeds in a local process pool of K workers (default: one after the other)")
    engine.add_argument("--dask", metavar="ADDRESS", help="run the seeds on the Dask cluster at ADDRESS")
    parser.add_argument("--data", action="append", default=[], metavar="NAME=PATH",
                        help="a data file: shd=PATH for table1 and fig4; csv=PATH:COLUMN for the pruning items (table5, "
                             "fig10, fig12: a user's series, e.g. a stock price or wind speed, in place of the "
                             "shipped real series); repeatable")
    parser.set_defaults(func=run_reproduce)
    return parser


def format_list() -> str:
    """The ``--list`` text: each item, its paper item, its claims and settings of both modes."""
    from hetnet.reproduce import ITEMS

    lines = []
    for item in ITEMS.values():
        state = f"PENDING ({item.pending_reason})" if item.pending else f"seeds: {item.seeds_full} full, {item.seeds_quick} quick"
        lines += [f"{item.name:<11} {item.paper_item}: {item.description}", f"{'':<11} {state}"]
        for text in dict.fromkeys(item.claims.values()):
            lines.append(f"{'':<11} claim: {text}")
        if not item.pending:
            lines.append(f"{'':<11} quick: {json.dumps(dict(item.quick))}")
            lines.append(f"{'':<11} full:  {json.dumps(dict(item.full))}")
    return "\n".join(lines)


#: ``--data`` name -> the items that read it
_DATA_ITEMS = {"shd": ("table1", "fig4"), "csv": ("table5", "fig10", "fig12")}


def _data_option(values) -> dict:
    from hetnet.errors import UsageError

    data = {}
    for value in values:
        name, _, path = value.partition("=")
        if not path or name not in _DATA_ITEMS:
            raise UsageError("--data", value, "give shd=PATH (table1, fig4) or csv=PATH:COLUMN (table5, fig10, fig12)")
        if name == "csv":
            path, _, column = path.rpartition(":")
            if not path or not column:
                raise UsageError("--data", value, "give csv=PATH:COLUMN, the CSV file and the column to predict")
            path = (path, column)
        data[name] = path
    return data


def _data_settings(name: str, data: dict) -> dict:
    """The settings of item ``name`` that ``--data`` gives."""
    if name in _DATA_ITEMS["shd"] and "shd" in data:
        return {"data": {"shd": data["shd"]}}
    if name in _DATA_ITEMS["csv"] and "csv" in data:
        path, column = data["csv"]
        return {"data": path, "column": column}
    return {}


def _item_options(item, config, explicit, quick: bool) -> dict:
    """Changes to ``item``'s settings asked for by ``--set`` / ``--backend`` (:data:`ITEM_FIELDS`)."""
    own = item.settings(quick)
    options = {}
    for name in ITEM_FIELDS:
        if name not in explicit:
            continue
        if name in own:
            options[name] = getattr(config, name)
        else:
            print(f"note: {item.name} sets {name} itself ({', '.join(sorted(own))}); {name} = "
                  f"{getattr(config, name)!r} is not used by it", file=sys.stderr)
    return options


def run_reproduce(args) -> int:
    """Run the parsed ``hetnet reproduce`` command; returns the exit status."""
    from pathlib import Path

    from hetnet.cli._args import config_from_args, explicit_fields, new_run_folder, quiet, refuse_busy_folder
    from hetnet.errors import UsageError
    from hetnet.reproduce import get_item, reproduce, runnable_items, write_report
    from hetnet.reproduce.folder import prepare_results_folder
    from hetnet.runfolder import RunFolderLock

    if args.list:
        print(format_list())
        return 0
    if args.report and not args.items:
        page = write_report(args.results, args.page)
        print(f"wrote {page} from the records in {args.results}")
        return 0
    config = config_from_args(args)                 # a bad file or --set: ConfigError, exit status 2
    if not args.items:
        raise UsageError("ITEM", None, "name an item (see --list), 'all', or give --list / --report")
    names = runnable_items() if args.items == ["all"] else list(args.items)
    for name in names:
        item = get_item(name)
        if item.pending:
            raise UsageError("item", name, f"is not runnable yet: {item.pending_reason}")
    data = _data_option(args.data)
    for kind in data:
        if not set(_DATA_ITEMS[kind]) & set(names):
            raise UsageError("--data", args.data, f"{kind}= is read by {', '.join(_DATA_ITEMS[kind])} only")
    explicit = explicit_fields(args, config_file=False) | ({"backend"} if args.backend else set())
    options = {}
    for name in names:
        options[name] = _item_options(get_item(name), config, explicit, args.quick)
        options[name].update(_data_settings(name, data))
    out = new_run_folder(argparse.Namespace(out=None), "reproduce") if args.out is None else Path(args.out)
    refuse_busy_folder(out)
    prepare_results_folder(out, config, quick=args.quick, force=args.force, argv=sys.argv[1:])
    print(f"results folder: {out} (an interrupted run resumes with --out {out})")
    if args.items == ["all"] and not quiet():
        from hetnet.reproduce import ITEMS

        print("pending, skipped: " + ", ".join(name for name, item in ITEMS.items() if item.pending))
    progress = None if quiet() else (lambda line: print(line, flush=True))
    with RunFolderLock(out):                        # one hetnet process per folder, as for run / prune
        for name in names:
            record = reproduce(name, out=out, quick=args.quick, seeds=args.seeds, base_seed=config.seed,
                               options=options[name] or None, workers=args.workers, dask_address=args.dask,
                               progress=progress, config=config)
            mode = "quick: a smoke test, not a result" if args.quick else "full"
            print(f"{name} ({mode}, seeds {record['seeds']}):")
            for claim_name, claim in record.get("claims", {}).items():
                p_value = claim["p_value_t"]
                p_text = "n/a" if p_value is None or p_value != p_value else f"{p_value:.3g}"
                print(f"  {claim_name}: {claim['verdict']} ({claim['a']} {claim['mean_a']:.4g} vs {claim['b']} "
                      f"{claim['mean_b']:.4g}, p = {p_text})")
    if args.report:
        page = write_report(args.results, args.page)
        print(f"wrote {page} from the records in {args.results}")
    return 0
