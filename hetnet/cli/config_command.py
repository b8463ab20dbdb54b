"""``hetnet config``: print a configuration as TOML, or check a configuration file.

``hetnet config show`` prints the built-in default configuration as TOML (every
field, ready to edit and pass to ``--config``); with ``--config FILE`` and
``--set KEY=VALUE`` it prints the configuration those options describe, as
``run``, ``optimize`` and ``prune`` would use it. ``hetnet config check FILE``
validates FILE exactly as the commands do: exit status 0 and one line on
stdout when it is valid, 2 and the reason (field, value, what is allowed) on
stderr when it is not.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="hetnet")
>>> _ = register(parser.add_subparsers(dest="command"))
>>> parser.parse_args(["config", "show", "--set", "n_neurons=64"]).settings
['n_neurons=64']
"""
from __future__ import annotations

import argparse
import logging

from hetnet.cli._args import common_options, config_from_args, require_action, verbosity_options

__all__ = ["register", "show_command", "check_command"]

logger = logging.getLogger(__name__)


def register(subparsers) -> argparse.ArgumentParser:
    """Add ``config show`` and ``config check`` to ``subparsers``."""
    parser = subparsers.add_parser("config", help="print the default (or a given) configuration as TOML; check a "
                                   "configuration file", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="config_command", metavar="ACTION")
    show = actions.add_parser(
        "show", help="print the configuration as TOML (default: the built-in defaults)",
        description="Print the configuration as TOML: the built-in defaults, or --config FILE with each --set "
                    "applied (what run, optimize, prune and reproduce would use). Redirect it to a file to start a "
                    "configuration of your own: hetnet config show > my.toml",
        parents=[common_options(run_folder=False, title="configuration (as in run, optimize, prune and reproduce)")])
    show.set_defaults(func=show_command)
    check = actions.add_parser(
        "check", help="validate a TOML configuration file (exit status 0 valid, 2 not valid)",
        description="Validate FILE as run, optimize, prune and reproduce do. Valid: one line on stdout, exit status 0. "
                    "Not valid: the field, its value and what is allowed on stderr, exit status 2.")
    check.add_argument("file", metavar="FILE", help="TOML configuration file")
    verbosity_options(check)
    check.set_defaults(func=check_command)
    require_action(parser, "show or check")
    return parser



def show_command(args) -> int:
    """Print the configuration of ``--config`` / ``--set`` / ``--seed`` / ``--backend`` as TOML."""
    from hetnet.config import config_to_toml

    print(config_to_toml(config_from_args(args)), end="")
    return 0


def check_command(args) -> int:
    """Validate ``args.file``; :class:`hetnet.config.ConfigError` (exit status 2) says what is wrong."""
    from hetnet.config import load_config

    config = load_config(args.file)
    print(f"{args.file}: valid configuration ({config.n_neurons} neurons, variant {config.variant}, "
          f"backend {config.backend}, seed {config.seed})")
    return 0
