"""``hetnet cache``: show or clear the cache of compiled standalone builds.

``hetnet cache info`` prints where the cache is (``$HETNET_CACHE`` or
``~/.cache/hetnet/standalone``), its size limit (``$HETNET_CACHE_MAX_GB``,
default 5 GB; least recently used builds are removed past it), the number
of builds, their total size and one line per build: key, size, last use
(least recently used first). ``hetnet cache clear`` removes every build;
``--older-than DAYS`` only those last used more than DAYS days ago. A build
in use by a running process is never removed (it is listed as kept).

Exit status: 0 done (also when the cache is empty or missing); 1 a build
could not be removed for another reason than being in use; 2 a usage error
(a bad flag, a bad ``$HETNET_CACHE_MAX_GB``).

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="hetnet")
>>> _ = register(parser.add_subparsers(dest="command"))
>>> parser.parse_args(["cache", "clear", "--older-than", "7"]).older_than
7.0
"""
from __future__ import annotations

import argparse
import logging
import sys
import time

from hetnet.cli._args import number, quiet, require_action, verbosity_options

__all__ = ["register", "info_command", "clear_command", "format_size"]

logger = logging.getLogger(__name__)


def register(subparsers) -> argparse.ArgumentParser:
    """Add ``cache info`` and ``cache clear`` to ``subparsers``."""
    parser = subparsers.add_parser("cache", help="show (info) or clear the cache of compiled standalone builds",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="cache_command", metavar="ACTION")
    info = actions.add_parser(
        "info", help="where the build cache is, its size and limit, and each build (key, size, last use)",
        description="Print the build cache's location, size limit, number of builds and total size, then one line "
                    "per build (key, size, last use, 'in use' when a running process holds it), least recently "
                    "used first.")
    verbosity_options(info)
    info.set_defaults(func=info_command)
    clear = actions.add_parser(
        "clear", help="remove cached builds (all, or those unused for --older-than DAYS); builds in use are kept",
        description="Remove the cached builds that no process is using: all of them, or with --older-than DAYS "
                    "those last used more than DAYS days ago. The next run of a removed structure compiles again.")
    clear.add_argument("--older-than", type=number(low=0.0), default=None, metavar="DAYS",
                       help="only builds last used more than DAYS days ago (a number >= 0; default: every build)")
    verbosity_options(clear)
    clear.set_defaults(func=clear_command)
    require_action(parser, "info or clear")
    return parser



def format_size(n_bytes: int) -> str:
    """A size in decimal units.

    >>> format_size(0), format_size(1234), format_size(12_345_678), format_size(5_000_000_000)
    ('0 B', '1.2 kB', '12.3 MB', '5.00 GB')
    """
    if n_bytes < 1000:
        return f"{n_bytes} B"
    if n_bytes < 1e6:
        return f"{n_bytes / 1e3:.1f} kB"
    if n_bytes < 1e9:
        return f"{n_bytes / 1e6:.1f} MB"
    return f"{n_bytes / 1e9:.2f} GB"


def _when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


def info_command(args) -> int:
    """``hetnet cache info``: location, limit, count and total size, then one line per build."""
    from hetnet.backends.cache import MAX_GB_VARIABLE, cache_root, list_builds, max_cache_bytes

    root = cache_root()
    limit = max_cache_bytes()
    builds = list_builds(root)
    total = sum(build.size_bytes for build in builds)
    limit_text = "none" if limit is None else format_size(limit)
    print(f"cache: {root}{'' if root.is_dir() else ' (does not exist yet)'}")
    print(f"limit: {limit_text} (${MAX_GB_VARIABLE}; least recently used builds are removed past it)")
    print(f"builds: {len(builds)}, total {format_size(total)}")
    if builds:
        width = max(len(build.key) for build in builds)
        print(f"{'key':<{width}}  {'size':>9}  last use")
        for build in builds:
            print(f"{build.key:<{width}}  {format_size(build.size_bytes):>9}  {_when(build.last_use)}"
                  f"{'  in use' if build.in_use else ''}")
    return 0


def clear_command(args) -> int:
    """``hetnet cache clear [--older-than DAYS]``: remove builds not in use; exit 1 if one could not be removed."""
    from hetnet.backends.cache import cache_root, clear

    root = cache_root()
    removed, in_use, failed = clear(args.older_than, root=root)
    days = "day" if args.older_than == 1 else "days"
    what = "" if args.older_than is None else f" last used more than {args.older_than:g} {days} ago"
    if not quiet():
        print(f"removed {len(removed)} build(s){what} from {root} ({format_size(sum(b.size_bytes for b in removed))})")
        if in_use:
            print(f"kept {len(in_use)} build(s) in use: {', '.join(build.key for build in in_use)}")
    if failed:
        reasons = "; ".join(f"{build.path}: {error.strerror or error}" for build, error in failed)
        print(f"hetnet cache clear: error: could not remove {len(failed)} build(s): {reasons}", file=sys.stderr)
        return 1
    return 0
