"""Entry point of the ``hetnet`` command.

Each sub-command lives in its own module of :mod:`hetnet.cli` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a
callable taking the parsed arguments and returning an exit status.

The sub-commands that run a network (``run``, ``optimize``, ``prune``,
``reproduce``) share one set of options (``hetnet.cli._args.common_options``):
``--config FILE``, ``--set KEY=VALUE``, ``--out DIR`` / ``--force``,
``--seed``, ``--backend``, ``-q/--quiet``, ``-v/--verbose``.

Exit status: 0 success; 1 a runtime error (a bad data file, a simulation
that produced NaN, a run folder in use, an unexpected exception, ...); 2 a
usage error (a bad flag, configuration value or ``--set``, an ``--out``
folder that is not empty without ``--force`` — for ``reproduce``, one that is
not its own or holds another configuration; ``argparse`` errors too); 130
interrupted by SIGINT (Ctrl-C), with nothing saved for the interrupted work.
Every error is one line on stderr, ``hetnet COMMAND: error: ...``; with
``--verbose`` the traceback is printed above it.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys
import traceback

__all__ = ["main", "build_parser", "verbosity"]

logger = logging.getLogger(__name__)

SUBCOMMANDS = ("run", "optimize", "prune", "export", "config", "reproduce", "cache")
#: sub-command -> module of hetnet.cli (where the two differ)
_MODULES = {"config": "config_command"}


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
        module_name = f"hetnet.cli.{_MODULES.get(name, name)}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
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
    from hetnet.errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, HetnetError, SimulationInterrupted
    from hetnet.progress import configure_logging

    command = "hetnet"
    level = 0
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        level = verbosity(args)
        configure_logging(level)  # hetnet's log records on stderr; progress bars follow the same level
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        command = f"hetnet {args.command}"
        return int(args.func(args) or 0)
    except KeyboardInterrupt as interruption:  # SimulationInterrupted included
        what = interruption if isinstance(interruption, SimulationInterrupted) else "interrupted by SIGINT (Ctrl-C)"
        print(f"{command}: {what}; the interrupted work was not saved", file=sys.stderr)
        return EXIT_INTERRUPTED
    except HetnetError as error:
        if level > 0:
            traceback.print_exc(file=sys.stderr)
        print(f"{command}: error: {error}", file=sys.stderr)
        return error.exit_code
    except Exception as error:  # an unexpected failure: one line, the traceback with --verbose
        if level > 0:
            traceback.print_exc(file=sys.stderr)
        hint = "" if level > 0 else "; run again with --verbose for the traceback"
        message = " ".join(str(error).split()) or "(no message)"
        print(f"{command}: error: unexpected {type(error).__name__}: {message}{hint}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
