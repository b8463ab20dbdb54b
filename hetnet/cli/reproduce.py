"""``hetnet reproduce``: run the papers' figures and tables (resumable, fanned out), and write the report."""
from __future__ import annotations

import argparse
import json
import logging

from hetnet.cli._args import integer

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
"""

EPILOG = """\
examples:
  hetnet reproduce --list
  hetnet reproduce fig9 --quick
  hetnet reproduce fig9 --seeds 5 --workers 2 --out experiments/results
  hetnet reproduce all --quick --out /tmp/smoke
  hetnet reproduce table1 --data shd=/data/shd_train.h5
  hetnet reproduce --report
"""


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``reproduce`` sub-command to ``subparsers``."""
    parser = subparsers.add_parser("reproduce", help="reproduce the papers' figures and tables; write the report",
                                   description=DESCRIPTION, epilog=EPILOG,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
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
    parser.add_argument("--seed", type=integer(0, 2**32 - 1), default=0, metavar="S", help="first seed (default 0)")
    parser.add_argument("--out", default="experiment-results", metavar="DIR",
                        help="output folder (default: %(default)s); use experiments/results for records to commit")
    engine = parser.add_mutually_exclusive_group()
    engine.add_argument("--workers", type=integer(low=1), default=None, metavar="K",
                        help="run the seeds in a local process pool of K workers (default: one after the other)")
    engine.add_argument("--dask", metavar="ADDRESS", help="run the seeds on the Dask cluster at ADDRESS")
    parser.add_argument("--data", action="append", default=[], metavar="NAME=PATH",
                        help="a data file for table1 (shd=PATH); repeatable")
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


def _data_option(values) -> dict:
    from hetnet.errors import UsageError

    data = {}
    for value in values:
        name, _, path = value.partition("=")
        if not path or name not in ("shd",):
            raise UsageError("--data", value, "give NAME=PATH with NAME shd (DVS128 and KTH are not wired yet)")
        data[name] = path
    return data


def run_reproduce(args) -> int:
    """Run the parsed ``hetnet reproduce`` command; returns the exit status."""
    from hetnet.errors import UsageError
    from hetnet.reproduce import get_item, reproduce, runnable_items, write_report

    if args.list:
        print(format_list())
        return 0
    if args.report and not args.items:
        page = write_report(args.results, args.page)
        print(f"wrote {page} from the records in {args.results}")
        return 0
    if not args.items:
        raise UsageError("ITEM", None, "name an item (see --list), 'all', or give --list / --report")
    names = runnable_items() if args.items == ["all"] else list(args.items)
    for name in names:
        item = get_item(name)
        if item.pending:
            raise UsageError("item", name, f"is not runnable yet: {item.pending_reason}")
    data = _data_option(args.data)
    if data and "table1" not in names:
        raise UsageError("--data", args.data, "only the item table1 reads data files")
    if args.items == ["all"]:
        from hetnet.reproduce import ITEMS

        print("pending, skipped: " + ", ".join(name for name, item in ITEMS.items() if item.pending))
    for name in names:
        options = {"data": data} if (data and name == "table1") else None
        record = reproduce(name, out=args.out, quick=args.quick, seeds=args.seeds, base_seed=args.seed,
                           options=options, workers=args.workers, dask_address=args.dask,
                           progress=lambda line: print(line, flush=True))
        print(f"{name} ({'quick: a smoke test, not a result' if args.quick else 'full'}, seeds {record['seeds']}):")
        for claim_name, claim in record.get("claims", {}).items():
            p_value = claim["p_value_t"]
            p_text = "n/a" if p_value is None or p_value != p_value else f"{p_value:.3g}"
            print(f"  {claim_name}: {claim['verdict']} ({claim['a']} {claim['mean_a']:.4g} vs {claim['b']} "
                  f"{claim['mean_b']:.4g}, p = {p_text})")
    if args.report:
        page = write_report(args.results, args.page)
        print(f"wrote {page} from the records in {args.results}")
    return 0
