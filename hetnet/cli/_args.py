"""The shared options of the ``hetnet`` sub-commands and argument types that name what is allowed.

:func:`common_options` is the parent parser every sub-command that runs a
network uses (``run``, ``optimize``, ``prune``, ``reproduce``; ``config show``
takes its configuration part): ``--config FILE``, ``--set KEY=VALUE`` (repeatable),
``--out DIR`` / ``--force``, ``--seed``, ``--backend``, ``-q/--quiet``,
``-v/--verbose``. :func:`config_from_args` builds the configuration they
describe and :func:`new_run_folder` applies the one output-folder policy.

``argparse`` reports a ``type=`` function's :class:`argparse.ArgumentTypeError`
as ``hetnet CMD: error: argument --flag: MESSAGE`` and exits with status 2,
so each message below says what is allowed and repeats the value given.

Examples
--------
>>> integer(low=1)("3")
3
>>> integer(low=1)("0")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: must be an integer >= 1; got '0'
>>> number(low=0.0, high=1.0)("nan")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: must be a finite number in [0.0, 1.0]; got 'nan'
"""
from __future__ import annotations

import argparse
import logging
import math
import time
from pathlib import Path

__all__ = ["integer", "number", "assignment", "quiet", "common_options", "verbosity_options", "config_from_args",
           "explicit_fields", "new_run_folder", "refuse_busy_folder", "require_action", "DEFAULT_OUT_ROOT", "SEED_RANGE"]

#: where a command writes when --out is not given: DEFAULT_OUT_ROOT/<command>-<date>-<time>
DEFAULT_OUT_ROOT = "hetnet-results"
SEED_RANGE = (0, 2**32 - 1)
COMMON_TITLE = "common options (the same in run, optimize, prune and reproduce)"

logger = logging.getLogger(__name__)


def _bounds(low, high, low_open=False, high_open=False) -> str:
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high}"
    return ""


def integer(low=None, high=None):
    """An ``argparse`` type: an integer within ``[low, high]`` (either bound optional)."""
    allowed = "must be an integer" + _bounds(low, high)

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{allowed}; got {text!r}") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{allowed}; got {text!r}")
        return value

    parse.__name__ = "integer"
    return parse


def number(low=None, high=None, *, low_open=False, high_open=False):
    """An ``argparse`` type: a finite number within the bounds (open or closed)."""
    allowed = "must be a finite number" + _bounds(low, high, low_open, high_open)

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{allowed}; got {text!r}") from None
        too_low = low is not None and (value <= low if low_open else value < low)
        too_high = high is not None and (value >= high if high_open else value > high)
        if not math.isfinite(value) or too_low or too_high:
            raise argparse.ArgumentTypeError(f"{allowed}; got {text!r}")
        return value

    parse.__name__ = "number"
    return parse


def assignment(text: str) -> str:
    """An ``argparse`` type for ``--set``: ``KEY=VALUE`` with ``KEY`` a field or ``section.field``.

    Only the form is checked here; the value is checked with the whole
    configuration (:func:`hetnet.config.apply_assignments`), as a TOML file is.
    """
    from hetnet.config import ConfigError, parse_assignment

    try:
        parse_assignment(text)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(f"{error.allowed}; got {text!r}") from None
    return text


def verbosity_options(parser: argparse.ArgumentParser, title: str = "output") -> None:
    """``-q/--quiet`` and ``-v/--verbose`` (counts; see :func:`hetnet.cli.main.verbosity`)."""
    _verbosity_arguments(parser.add_argument_group(title))


def _verbosity_arguments(group) -> None:
    group.add_argument("-q", "--quiet", action="count", default=0,
                       help="warnings and errors only: no progress bars, no information lines")
    group.add_argument("-v", "--verbose", action="count", default=0,
                       help="debug log lines with module names; an unexpected error shows its traceback")


def common_options(*, run_folder: bool = True, several_seeds: bool = False, title: str = COMMON_TITLE,
                   out_help: str | None = None, force_help: str | None = None,
                   seed_help: str | None = None, backend_help: str | None = None) -> argparse.ArgumentParser:
    """The parent parser of the shared options (``argparse`` ``parents=[...]``).

    Parameters
    ----------
    run_folder : bool
        Add ``--out DIR`` and ``--force`` (commands that write a run folder).
    several_seeds : bool
        ``--seed`` takes one or more seeds (one run each; ``hetnet prune``).
    title : str
        Title of the help group.
    out_help, force_help, seed_help, backend_help : str, optional
        Help of ``--out``, ``--force``, ``--seed`` and ``--backend`` for a
        command where they mean more (``hetnet reproduce``: a resumable
        folder, the first seed, each item's own backend by default);
        default: the new-run-folder policy, one seed, the configuration's backend.
    """
    from hetnet.config import BACKENDS

    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group(title)
    group.add_argument("--config", metavar="FILE", default=None,
                       help="network configuration (TOML); 'hetnet config show' prints the defaults to start from "
                            "(default: the built-in defaults)")
    group.add_argument("--set", dest="settings", action="append", type=assignment, default=[],
                       metavar="KEY=VALUE",
                       help="set one configuration field, as in the TOML file: n_neurons=200, "
                            "input.current_scale_mV=40, excitatory.tau_m_ms.mean=25 (repeatable; applied after "
                            "--config, checked like the file)")
    if run_folder:
        group.add_argument("--out", metavar="DIR", default=None,
                           help=out_help or f"new run folder for the results (default: {DEFAULT_OUT_ROOT}/COMMAND-"
                                            "DATE-TIME); an existing folder that is not empty is refused unless "
                                            "--force")
        group.add_argument("--force", action="store_true",
                           help=force_help or "write into an existing, non-empty --out folder (files of the same "
                                              "name are replaced)")
    seed = integer(*SEED_RANGE)
    if several_seeds:
        group.add_argument("--seed", "--seeds", dest="seed", type=seed, nargs="+", default=None, metavar="S",
                           help="one or more seeds, one run each (default: the configuration's seed, 0)")
    else:
        group.add_argument("--seed", type=seed, default=None, metavar="S",
                           help=seed_help or "random seed (default: the configuration's seed, 0)")
    group.add_argument("--backend", choices=BACKENDS, default=None,
                       help=backend_help or "Brian2 code-generation backend; 'auto': cpp_standalone where a C++ compiler works, "
                            "else runtime (default: the configuration's, 'runtime')")
    _verbosity_arguments(group)
    return parent


def config_from_args(args, *, seed=True, backend=True):
    """The configuration of ``--config`` (or the defaults) with ``--set``, ``--seed`` and ``--backend`` applied.

    Raises :class:`hetnet.config.ConfigError` (exit status 2) naming the
    field for a bad file or a bad ``--set``.
    """
    from hetnet.config import HRSNNConfig, apply_assignments, load_config

    config = load_config(args.config) if getattr(args, "config", None) else HRSNNConfig()
    config = apply_assignments(config, getattr(args, "settings", None) or ())
    changes = {}
    chosen_seed = getattr(args, "seed", None)
    if seed and chosen_seed is not None:
        changes["seed"] = chosen_seed[0] if isinstance(chosen_seed, (list, tuple)) else chosen_seed
    if backend and getattr(args, "backend", None) is not None:
        changes["backend"] = args.backend
    return config.replace(**changes) if changes else config


def explicit_fields(args, *, config_file: bool = True) -> set:
    """Top-level configuration fields the user set: the ``--set`` fields and (``config_file``) the file's keys.

    Commands use it so that their own presets (``--quick``, a larger default
    network) do not override what the user asked for.
    """
    import sys

    from hetnet.config import parse_assignment

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    keys = {parse_assignment(text)[0][0] for text in getattr(args, "settings", None) or ()}
    if config_file and getattr(args, "config", None):
        try:
            with open(args.config, "rb") as handle:
                keys |= set(tomllib.load(handle))
        except (OSError, ValueError):
            pass  # load_config reports the problem
    return keys


def refuse_busy_folder(path) -> None:
    """Raise :class:`hetnet.errors.RunFolderLocked` (exit status 1) if another hetnet process works in ``path``.

    Checked before the not-empty rule, so a folder in use is reported as such.
    """
    from hetnet.runfolder import LOCK_NAME, RunFolderLock

    path = Path(path)
    if (path / LOCK_NAME).is_file():
        try:
            with RunFolderLock(path):
                pass
        except OSError:
            pass  # cannot even open the lock file: the command reports the folder itself


def new_run_folder(args, command: str) -> Path:
    """The run folder of ``--out`` under the one policy; returns its path (not created yet).

    ``--out`` omitted: a new folder ``hetnet-results/COMMAND-DATE-TIME``. An
    existing folder that holds anything besides a stale ``.hetnet.lock`` is
    refused with :class:`hetnet.errors.UsageError` (exit status 2) unless
    ``--force``; a path that is a file or cannot be created is refused by
    :func:`hetnet.runfolder.prepare_output_directory` when the command
    creates it.
    """
    from hetnet.errors import UsageError
    from hetnet.runfolder import LOCK_NAME

    if getattr(args, "out", None) is None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = Path(DEFAULT_OUT_ROOT) / f"{command}-{stamp}"
        suffix = 2
        while path.exists():
            path = Path(DEFAULT_OUT_ROOT) / f"{command}-{stamp}-{suffix}"
            suffix += 1
        return path
    path = Path(args.out)
    refuse_busy_folder(path)
    if path.is_dir() and not getattr(args, "force", False):
        try:
            content = sorted(entry.name for entry in path.iterdir() if entry.name != LOCK_NAME)
        except OSError:
            content = []  # unreadable: prepare_output_directory says why
        if content:
            shown = ", ".join(content[:4]) + (", ..." if len(content) > 4 else "")
            raise UsageError("--out", str(path), f"already exists and is not empty ({shown}); choose a new folder, "
                             "or add --force to write into it (files of the same name are replaced)")
    return path


def quiet() -> bool:
    """True under ``--quiet``: the command prints no information or progress lines (results and errors only)."""
    return logging.getLogger("hetnet").level >= logging.WARNING


def require_action(parser, actions: str) -> None:
    """Make ``hetnet COMMAND`` without an action print the usage and exit with status 2.

    ``actions`` names them for the message (``"show or check"``).
    """
    import sys

    from hetnet.errors import EXIT_USAGE

    def no_action(args) -> int:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: choose an action: {actions}", file=sys.stderr)
        return EXIT_USAGE

    parser.set_defaults(func=no_action)
