"""Append-only journal of an optimisation run (JSON lines, flushed and fsynced).

A run directory holds

* ``run.json``: the settings needed to resume (space, objective, budget,
  batch size, seed, kernel, base configuration), written once, atomically;
* ``journal.jsonl``: one JSON object per line, appended as events happen:
  ``{"type": "proposal", "batch": b, "index": i, "x": [...], "seed": s}``
  when a batch is asked, and ``{"type": "evaluation", "index": i, "x": [...],
  "objective": f, "metrics": {...}, "seed": s, "wall_time_s": t,
  "provenance": {...}, ...}`` when an evaluation finishes.

Each line is written with one ``write`` call, flushed and ``os.fsync``-ed
before the runner moves on, so a SIGKILL loses at most the line being
written; :func:`read_journal` ignores a truncated last line. A last line
that is complete JSON but lost its newline (a kill between the two) is a
record: it is read, and :class:`Journal` completes it with its newline
instead of deleting it. Resuming
replays every finished evaluation into a fresh optimiser and first
evaluates the proposals of the interrupted batch that have no evaluation
yet: nothing finished is lost or repeated.

Examples
--------
>>> import tempfile, pathlib
>>> directory = pathlib.Path(tempfile.mkdtemp())
>>> with Journal(directory / "journal.jsonl") as journal:
...     journal.append({"type": "evaluation", "index": 0, "objective": 1.5})
>>> [entry["objective"] for entry in read_journal(directory / "journal.jsonl")]
[1.5]
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from hetnet import io

__all__ = ["Journal", "read_journal", "write_json_atomic", "to_jsonable", "JOURNAL_NAME", "SETTINGS_NAME"]

logger = logging.getLogger(__name__)

JOURNAL_NAME = "journal.jsonl"
SETTINGS_NAME = "run.json"


def to_jsonable(value: Any) -> Any:
    """Plain-JSON form (:func:`hetnet.io.to_jsonable`): NaN and infinities become ``None``.

    >>> to_jsonable({"a": np.float64(2.0), "b": np.arange(2), "c": float("nan")})
    {'a': 2.0, 'b': [0, 1], 'c': None}
    """
    return io.to_jsonable(value)


class Journal:
    """An append-only JSON-lines file; every :meth:`Journal.append` is flushed and fsynced.

    Parameters
    ----------
    path : str or Path
        Created if missing; appended to otherwise.
    """

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._repair_tail()
        self._handle = open(self.path, "a", encoding="utf-8")

    def _repair_tail(self):
        """Make the file end with a newline: complete a whole last record, drop a partial one."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with open(self.path, "rb+") as handle:
            data = handle.read()
            if data.endswith(b"\n"):
                return
            cut = data.rfind(b"\n") + 1
            if _parses(data[cut:]):  # a complete record that only lacks its newline: keep it
                handle.seek(0, os.SEEK_END)
                handle.write(b"\n")
            else:
                handle.seek(cut)
                handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())

    def append(self, entry: dict) -> None:
        """Write one entry as a line; returns once it is on disk."""
        self._handle.write(io.json_line(entry))
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _parses(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line.decode("utf-8")), dict)
    except (UnicodeDecodeError, ValueError):
        return False


def read_journal(path) -> list:
    """All complete entries of a journal (a truncated last line is skipped).

    Returns an empty list when the file does not exist; raises
    :class:`~hetnet.errors.RunFolderError` naming the file and the line for a
    corrupt line that is not the last.
    """
    path = Path(path)
    if not path.exists():
        return []
    from hetnet.errors import RunFolderError

    entries = []
    lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            entry = None
        if not isinstance(entry, dict):
            if number == len(lines) - 1:   # partial last line of a killed run
                break
            raise RunFolderError(f"{path}: line {number + 1} is not a JSON record ({line[:60]!r}); every line of "
                                 "a journal is one JSON object: restore the file or start a new run") from None
        entries.append(entry)
    return entries


def write_json_atomic(path, data: dict) -> None:
    """Write JSON to ``path`` atomically (:func:`hetnet.io.write_json`, keys sorted)."""
    io.write_json(path, data, indent=2, sort_keys=True)
