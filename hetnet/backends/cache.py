"""Where hetnet keeps what it compiles or links, and how the build cache stays bounded: one place.

``$HETNET_CACHE`` when it is set, else ``~/.cache/hetnet/standalone``. The
standalone builds are folders named by their build key directly in it
(:mod:`hetnet.backends.standalone`); the ``libcurand.so`` links Brian2CUDA
needs live in its ``curand-link`` folder (:mod:`hetnet.backends.gpu.curand`).

A folder is a *build* when it holds the build lock file
(:data:`BUILD_LOCK_NAME`, created when the build is made). Each build
records its last use (the modification time of :data:`LAST_USE_NAME`,
touched whenever a process takes the build or re-runs its binary). After a
new build is compiled, the cache is trimmed to :func:`max_cache_bytes`
(``$HETNET_CACHE_MAX_GB``, default :data:`DEFAULT_MAX_GB` GB; ``0``: no
limit) by removing the least recently used builds first.

A build is never removed while it is in use: a process that holds a build
(it compiled it or runs its binary) keeps a shared lock on its
:data:`IN_USE_LOCK_NAME` (:func:`hold_build`), a build being compiled holds
the build lock, and removal takes both locks exclusively without waiting,
skipping the build when either is taken.

Examples
--------
>>> import os, tempfile
>>> expected = os.environ.get("HETNET_CACHE") or Path.home() / ".cache" / "hetnet" / "standalone"
>>> cache_root() == Path(expected)
True
>>> root = Path(tempfile.mkdtemp())
>>> for key, size in (("old", 3000), ("new", 2000)):
...     folder = root / key
...     folder.mkdir()
...     (folder / BUILD_LOCK_NAME).touch()
...     _ = (folder / "main").write_bytes(b"0" * size)
...     touch_build(folder)
>>> os.utime(root / "old" / LAST_USE_NAME, (1.0, 1.0))   # used long ago
>>> [build.key for build in list_builds(root)]            # least recently used first
['old', 'new']
>>> [build.key for build in evict(max_bytes=4000, root=root)]
['old']
>>> [build.key for build in list_builds(root)]
['new']
"""
from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import logging
import math
import os
import shutil
import time
import uuid
from pathlib import Path

__all__ = ["cache_root", "max_cache_bytes", "BuildInfo", "list_builds", "touch_build", "hold_build", "is_held",
           "release_build",
           "evict", "clear", "remove_build", "is_in_use", "DEFAULT_MAX_GB", "BUILD_LOCK_NAME", "IN_USE_LOCK_NAME",
           "LAST_USE_NAME", "MAX_GB_VARIABLE", "MAX_HELD_BUILDS"]

logger = logging.getLogger(__name__)

#: the cache's size limit when ``$HETNET_CACHE_MAX_GB`` is not set (a build of N = 500 takes 1.5-3 MB)
DEFAULT_MAX_GB = 5.0
#: environment variable of the size limit, in gigabytes (10**9 bytes); 0 turns the limit off
MAX_GB_VARIABLE = "HETNET_CACHE_MAX_GB"
#: a folder of the cache holding this file is a build (exclusive lock while it is compiled)
BUILD_LOCK_NAME = ".hetnet-build.lock"
#: shared lock held by every process that uses the build
IN_USE_LOCK_NAME = ".hetnet-in-use.lock"
#: its modification time is the build's last use
LAST_USE_NAME = ".hetnet-last-use"
#: folders being removed are first renamed to this prefix (never listed as builds)
_REMOVING_PREFIX = ".removing-"


def cache_root() -> Path:
    """Where builds are cached: ``$HETNET_CACHE`` or ``~/.cache/hetnet/standalone``."""
    root = os.environ.get("HETNET_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "hetnet", "standalone")
    return Path(root)


def max_cache_bytes() -> int | None:
    """The cache's size limit in bytes from ``$HETNET_CACHE_MAX_GB`` (default :data:`DEFAULT_MAX_GB`); None: no limit.

    Raises
    ------
    hetnet.errors.UsageError
        The variable is not a finite number >= 0 (exit status 2).

    Examples
    --------
    >>> import os
    >>> previous = os.environ.get("HETNET_CACHE_MAX_GB")
    >>> os.environ["HETNET_CACHE_MAX_GB"] = "0.5"
    >>> max_cache_bytes()
    500000000
    >>> os.environ["HETNET_CACHE_MAX_GB"] = "0"
    >>> max_cache_bytes() is None
    True
    >>> del os.environ["HETNET_CACHE_MAX_GB"]
    >>> max_cache_bytes() == DEFAULT_MAX_GB * 1e9
    True
    >>> if previous is not None:
    ...     os.environ["HETNET_CACHE_MAX_GB"] = previous
    """
    from hetnet.errors import UsageError

    text = os.environ.get(MAX_GB_VARIABLE, "").strip()
    if not text:
        return int(DEFAULT_MAX_GB * 1e9)
    try:
        gigabytes = float(text)
    except ValueError:
        gigabytes = math.nan
    if not math.isfinite(gigabytes) or gigabytes < 0:
        raise UsageError(MAX_GB_VARIABLE, text, "must be the build cache's size limit in GB, a number >= 0 "
                         f"(0: no limit; unset: {DEFAULT_MAX_GB:g})")
    return None if gigabytes == 0 else int(gigabytes * 1e9)


@dataclasses.dataclass(frozen=True)
class BuildInfo:
    """One build folder of the cache.

    Attributes
    ----------
    key : str
        The build key (the folder's name).
    path : pathlib.Path
    size_bytes : int
        Apparent size of every file in it.
    last_use : float
        Seconds since the epoch of its last use (the folder's own time if it never recorded one).
    in_use : bool
        A process holds it or is compiling it (it would not be removed).
    """

    key: str
    path: Path
    size_bytes: int
    last_use: float
    in_use: bool


def _folder_size(path: Path) -> int:
    total = 0
    for base, _folders, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(base, name)).st_size
    return total


def _last_use(path: Path) -> float:
    for candidate in (path / LAST_USE_NAME, path / "main", path):
        with contextlib.suppress(OSError):
            return candidate.stat().st_mtime
    return 0.0


def _try_lock(path: Path):
    """An exclusive, non-blocking lock on ``path`` (created if missing): the open handle, or None if it is taken."""
    try:
        handle = open(path, "a")
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


@contextlib.contextmanager
def _both_locks(path: Path):
    """Inside the block, whether this process holds both locks of the build in ``path`` (taken without waiting).

    ``False`` when another process holds either (:func:`hold_build`, or compiling); the locks are
    released when the block ends.
    """
    handles = []
    try:
        for name in (IN_USE_LOCK_NAME, BUILD_LOCK_NAME):
            handle = _try_lock(path / name)
            if handle is None:
                break
            handles.append(handle)
        yield len(handles) == 2
    finally:
        for handle in handles:
            handle.close()


def is_in_use(path: Path) -> bool:
    """Whether a process holds the build in ``path`` (:func:`hold_build`) or is compiling it."""
    with _both_locks(path) as free:
        return not free


def list_builds(root: Path | None = None, *, check_use: bool = True) -> list:
    """The builds in the cache, least recently used first.

    Parameters
    ----------
    root : pathlib.Path, optional
        The cache folder (default: :func:`cache_root`). A missing folder has no builds.
    check_use : bool
        Find out whether each build is in use (takes and drops its locks).

    Returns
    -------
    list of BuildInfo
    """
    root = cache_root() if root is None else Path(root)
    builds = []
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
            continue
        path = Path(entry.path)
        if not (path / BUILD_LOCK_NAME).exists():
            continue  # not a build (e.g. curand-link)
        builds.append(BuildInfo(key=entry.name, path=path, size_bytes=_folder_size(path), last_use=_last_use(path),
                                in_use=is_in_use(path) if check_use else False))
    return sorted(builds, key=lambda build: (build.last_use, build.key))


def touch_build(directory) -> None:
    """Record that the build in ``directory`` is used now (its last-use time)."""
    with contextlib.suppress(OSError):
        Path(directory, LAST_USE_NAME).touch()


#: builds this process holds: directory -> open handle of its in-use lock (shared)
_held: dict = {}


#: how many builds one process holds at most (the plastic and the frozen program of two structures)
MAX_HELD_BUILDS = 4


def hold_build(directory, *, keep: int = MAX_HELD_BUILDS) -> None:
    """Mark the build in ``directory`` as used by this process until :func:`release_build` (or the process ends).

    Takes a shared lock on its :data:`IN_USE_LOCK_NAME` (creating the folder
    when needed), so no process removes it meanwhile, and records its use.
    A build removed while this call waited for the lock is detected (the
    lock file is no longer the one at the path) and the lock taken again.
    The process holds the ``keep`` builds it took last; older ones are
    released (a campaign that makes a new structure per evaluation does not
    pin all of them).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "cpp_standalone-10n-0123456789abcdef"
    >>> hold_build(folder)
    >>> (folder / LAST_USE_NAME).exists(), is_in_use(folder)
    (True, True)
    >>> release_build(folder)
    >>> is_in_use(folder)
    False
    """
    directory = Path(directory)
    if str(directory) in _held:
        _held[str(directory)] = _held.pop(str(directory))   # most recently taken last
        touch_build(directory)
        return
    _take(directory)
    while len(_held) > max(1, keep):
        release_build(next(iter(_held)))


def _take(directory: Path) -> None:
    for _attempt in range(100):
        directory.mkdir(parents=True, exist_ok=True)
        handle = open(directory / IN_USE_LOCK_NAME, "a")
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            same = os.fstat(handle.fileno()).st_ino == os.stat(directory / IN_USE_LOCK_NAME).st_ino
        except FileNotFoundError:
            same = False
        if same:
            _held[str(directory)] = handle
            touch_build(directory)
            return
        handle.close()  # the folder was removed (renamed) while we waited: take the new one
    raise OSError(errno.EAGAIN, f"could not take the in-use lock of {directory}")


def is_held(directory) -> bool:
    """Whether this process holds the build in ``directory`` (:func:`hold_build`)."""
    return str(Path(directory)) in _held


def release_build(directory) -> None:
    """Let go of a build taken with :func:`hold_build` (it may be removed from then on)."""
    handle = _held.pop(str(Path(directory)), None)
    if handle is not None:
        handle.close()


def remove_build(path: Path) -> bool:
    """Remove one build folder unless it is in use; True when removed, False when in use (or gone).

    Takes the in-use and the build lock exclusively without waiting, renames
    the folder out of the way (a process arriving later makes a new one)
    and deletes it.

    Raises
    ------
    OSError
        The folder could not be moved away (permissions, a read-only file system).
    """
    path = Path(path)
    if not path.is_dir():
        return False
    with _both_locks(path) as free:
        if not free:
            return False
        doomed = path.with_name(f"{_REMOVING_PREFIX}{path.name}-{uuid.uuid4().hex[:8]}")
        os.rename(path, doomed)
    shutil.rmtree(doomed, ignore_errors=True)
    return True


def _remove_leftovers(root: Path) -> None:
    """Folders a killed process was removing."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(root):
            if entry.name.startswith(_REMOVING_PREFIX) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)


def evict(max_bytes: int | None = None, *, root: Path | None = None) -> list:
    """Remove least recently used builds until the cache holds at most ``max_bytes``; returns those removed.

    Parameters
    ----------
    max_bytes : int, optional
        Default: :func:`max_cache_bytes` (``None`` there: nothing is removed).
    root : pathlib.Path, optional
        The cache folder (default: :func:`cache_root`).

    Returns
    -------
    list of BuildInfo
        The removed builds, oldest first. Builds in use are skipped, so the
        cache may stay above the limit while they are.
    """
    root = cache_root() if root is None else Path(root)
    if max_bytes is None:
        max_bytes = max_cache_bytes()
        if max_bytes is None:
            return []
    _remove_leftovers(root)
    builds = list_builds(root, check_use=False)
    total = sum(build.size_bytes for build in builds)
    removed = []
    for build in builds:
        if total <= max_bytes:
            break
        try:
            gone = remove_build(build.path)
        except OSError as error:
            logger.warning("could not remove the cached build %s: %s", build.path, error)
            continue
        if gone:
            removed.append(build)
            total -= build.size_bytes
    if removed:
        logger.info("build cache over its limit of %.2f GB: removed the %d least recently used build(s) (%.1f MB); "
                    "it now holds %.2f GB (%s to change the limit)", max_bytes / 1e9, len(removed),
                    sum(build.size_bytes for build in removed) / 1e6, total / 1e9, MAX_GB_VARIABLE)
    elif total > max_bytes:
        logger.warning("build cache holds %.2f GB, over its limit of %.2f GB, but every build is in use",
                       total / 1e9, max_bytes / 1e9)
    return removed


def clear(older_than_days: float | None = None, *, root: Path | None = None) -> tuple:
    """Remove the builds (not in use) last used more than ``older_than_days`` ago (all when None).

    Returns
    -------
    tuple of (list of BuildInfo, list of BuildInfo, list of tuple)
        The builds removed, the builds kept because they are in use, and
        ``(BuildInfo, OSError)`` for each build that could not be removed.
    """
    root = cache_root() if root is None else Path(root)
    _remove_leftovers(root)
    cutoff = None if older_than_days is None else time.time() - older_than_days * 86400.0
    removed, in_use, failed = [], [], []
    for build in list_builds(root, check_use=False):
        if cutoff is not None and build.last_use >= cutoff:
            continue
        try:
            (removed if remove_build(build.path) else in_use).append(build)
        except OSError as error:
            failed.append((build, error))
    return removed, in_use, failed
