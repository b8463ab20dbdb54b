"""Entry point of the ``hetnet`` command.

Each sub-command lives in its own module of :mod:`hetnet.cli` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a
callable taking the parsed arguments and returning an exit status.

Exit status: 0 success; 1 a runtime error (a bad data file, a simulation
that produced NaN, a run folder in use, ...); 2 a usage error (a bad flag
or configuration value; ``argparse`` errors too); 130 interrupted by SIGINT
(Ctrl-C), with nothing saved for the interrupted work. Errors hetnet raises
on purpose (:class:`hetnet.errors.HetnetError`) are printed as one line;
any other exception is a bug and keeps its traceback.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

__all__ = ["main", "build_parser", "verbosity"]

logger = logging.getLogger(__name__)

SUBCOMMANDS = ("run", "optimize", "prune", "export")


def build_parser() -> argparse.ArgumentParser:
    from hetnet import __version__

    parser = argparse.ArgumentParser(
        prog="hetnet",
        description=(
            "Heterogeneous recurrent spiking neural networks (HRSNN) in Brian2: "
            "simulate, optimise and prune. Run 'hetnet COMMAND --help' for the options of a command."
        ),
    )
    parser.add_argument("--version", action="version", version=f"hetnet {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"hetnet.cli.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"hetnet.cli.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def verbosity(args) -> int:
    """``--verbose`` count minus ``--quiet`` count (0 when a command has neither option).

    >>> verbosity(argparse.Namespace(verbose=2, quiet=False)), verbosity(argparse.Namespace(quiet=True))
    (2, -1)
    """
    return int(getattr(args, "verbose", 0) or 0) - int(getattr(args, "quiet", 0) or 0)


def main(argv=None) -> int:
    """Run the ``hetnet`` command with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    from hetnet.errors import EXIT_INTERRUPTED, EXIT_USAGE, HetnetError, SimulationInterrupted
    from hetnet.progress import configure_logging

    command = "hetnet"
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        configure_logging(verbosity(args))  # hetnet's log records on stderr; progress bars follow the same level
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_USAGE
        command = f"hetnet {args.command}"
        return int(args.func(args) or 0)
    except KeyboardInterrupt as interruption:  # SimulationInterrupted included
        what = interruption if isinstance(interruption, SimulationInterrupted) else "interrupted by SIGINT (Ctrl-C)"
        print(f"{command}: {what}; the interrupted work was not saved", file=sys.stderr)
        return EXIT_INTERRUPTED
    except HetnetError as error:
        print(f"{command}: error: {error}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
