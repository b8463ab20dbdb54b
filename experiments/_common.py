"""Shared command line and output of the experiment scripts (not an experiment itself)."""
import argparse
import time


def parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny networks and data: a smoke test, not the result")
    parser.add_argument("--out", default="experiment-results", help="output folder (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default: %(default)s)")
    parser.add_argument("--seeds", type=int, default=None, help="number of seeds (default: the item's, 5 full, 1 quick)")
    return parser


def say(message: str):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run_item(name, description: str, argv=None, extra=None):
    """The command line of a thin experiment script: run registry item(s) ``name`` with :func:`hetnet.reproduce.reproduce`.

    ``name`` is one item or a tuple of items (run in turn, same options);
    the record of the last one is returned. ``extra(parser)`` may add
    options; it returns a callable ``(args) -> bool`` that handles them
    (True: done, do not run the item).
    """
    command_line = parser(description)
    command_line.add_argument("--workers", type=int, default=None, help="local worker processes for the seeds")
    handle = extra(command_line) if extra else None
    args = command_line.parse_args(argv)
    if handle is not None and handle(args):
        return None
    from hetnet.reproduce import reproduce

    for item in ((name,) if isinstance(name, str) else name):
        record = reproduce(item, out=args.out, quick=args.quick, seeds=args.seeds, base_seed=args.seed,
                           workers=args.workers, progress=say)
        for claim_name, claim in record.get("claims", {}).items():
            say(f"{item}: claim '{claim_name}': {claim['verdict']} ({claim['a']} {claim['mean_a']:.3g} vs "
                f"{claim['b']} {claim['mean_b']:.3g}, p = {claim['p_value_t']:.3g})")
    return record
