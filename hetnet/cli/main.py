"""Entry point of the ``hetnet`` command.

Each sub-command lives in its own module of :mod:`hetnet.cli` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a
callable taking the parsed arguments and returning an exit status.
"""
from __future__ import annotations

import argparse
import importlib
import sys

__all__ = ["main", "build_parser"]

SUBCOMMANDS = ("run", "optimize", "prune")


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


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
