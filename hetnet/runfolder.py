"""Run folders: one process per folder (an OS file lock), clear errors for unusable paths.

``hetnet run``, ``hetnet optimize`` and ``hetnet prune`` write into a
folder; :func:`locked_run_folder` creates it (or reports in one line why it
cannot: an existing file, a path under a file, no permission) and holds an
exclusive ``fcntl`` lock on ``<folder>/.hetnet.lock`` for as long as the
command works in it. A second process asking for the same folder gets
:class:`~hetnet.errors.RunFolderLocked` naming the holder (pid, command,
start time) at once, instead of both writing the same files. The operating
system releases the lock when the holder ends in any way (``kill -9``
included), so a stale lock never blocks a resume.

``flock`` locks are reliable on local file systems; on network file systems
(NFS) they depend on the server.

Examples
--------
>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> with locked_run_folder(folder, option="--out"):
...     try:
...         with locked_run_folder(folder, option="--out"):
...             pass
...     except RunFolderLocked as error:
...         print("locked:", "in use by another hetnet process" in str(error))
locked: True
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import sys
import time
from pathlib import Path

from hetnet.errors import RunFolderLocked, UsageError
from hetnet.io import json_line

__all__ = ["LOCK_NAME", "prepare_output_directory", "RunFolderLock", "locked_run_folder", "RunFolderLocked"]

logger = logging.getLogger(__name__)

LOCK_NAME = ".hetnet.lock"


def prepare_output_directory(path, option: str = "--out") -> Path:
    """Create ``path`` as a writable folder, or raise :class:`UsageError` saying why it cannot be one.

    Parameters
    ----------
    path : str or Path
    option : str
        The flag or parameter that named the folder, for the message.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(option, str(path), "is an existing file, not a folder; give a folder path (new or existing)")
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise UsageError(option, str(path), f"lies under {parent}, which is a file; give a folder path")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(option, str(path), f"cannot be created ({error.strerror or error}); give a folder in a "
                         "writable place") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise UsageError(option, str(path), "is not writable by this user; give a writable folder")
    return path


class RunFolderLock:
    """An exclusive, non-blocking ``fcntl.flock`` on ``<directory>/.hetnet.lock``.

    The lock file records the holder (pid, command line, start time) for the
    message another process gets. Use as a context manager or call
    :meth:`acquire` / :meth:`release`.
    """

    def __init__(self, directory):
        self.directory = Path(directory)
        self.path = self.directory / LOCK_NAME
        self._handle = None

    def acquire(self) -> "RunFolderLock":
        """Take the lock or raise :class:`RunFolderLocked` at once."""
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                handle.close()
                raise
            handle.seek(0)
            holder = _describe_holder(handle.read())
            handle.close()
            raise RunFolderLocked(
                f"{self.directory} is in use by another hetnet process ({holder}); one process per run folder: "
                "wait for it to finish or stop it, or choose another folder"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json_line({"pid": os.getpid(), "command": " ".join(sys.argv),
                                "since": time.strftime("%Y-%m-%dT%H:%M:%S")}))
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        """Let go of the lock (the file stays; its content is stale once unlocked)."""
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def _describe_holder(text: str) -> str:
    try:
        holder = json.loads(text)
        return f"pid {holder['pid']}, '{holder['command']}', since {holder['since']}"
    except (ValueError, KeyError, TypeError):
        return "holder unknown"


@contextlib.contextmanager
def locked_run_folder(path, option: str = "--out"):
    """Create the folder ``path`` if needed and hold its lock; yields the :class:`~pathlib.Path`."""
    directory = prepare_output_directory(path, option)
    with RunFolderLock(directory):
        yield directory
