"""Writing results: one JSON policy and one tidy-table format for every writer.

Every JSON file hetnet writes (``hetnet run``, ``hetnet prune``, ``hetnet
optimize``, the experiment scripts, :meth:`hetnet.pruning.PruningHistory.save_json`)
goes through :func:`write_json`, and every journal line through
:func:`json_line`, so they agree on one policy:

* numpy scalars and arrays become plain numbers and lists;
* **NaN and infinities become** ``null`` (strict JSON: every JSON reader
  accepts the files, and a missing value reads back as ``None``);
* objects with a ``to_dict()`` method (configurations, distributions) are
  stored as that dictionary, paths as strings, anything else as ``str()``;
* files are written atomically: to a temporary file in the same folder,
  flushed, ``fsync``-ed, then renamed over the target, so a reader never
  sees half a file.

Tidy tables (one row per observation, columns ``seed, variant, metric,
value``) come from :func:`tidy_rows` and :func:`write_tidy_csv`; a missing
or non-finite value is an empty cell, which pandas and R read as NaN.

Examples
--------
>>> import json, tempfile, pathlib
>>> import numpy as np
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = write_json(folder / "r.json", {"mc": np.float64(2.5), "s": float("nan"), "k": np.arange(3)})
>>> json.loads(path.read_text())
{'mc': 2.5, 's': None, 'k': [0, 1, 2]}
>>> rows = tidy_rows([{"seed": 0, "variant": "HeNHeS", "mc": 2.5, "s": float("nan")}])
>>> rows
[{'seed': 0, 'variant': 'HeNHeS', 'metric': 'mc', 'value': 2.5}, {'seed': 0, 'variant': 'HeNHeS', 'metric': 's', 'value': None}]
>>> print(write_tidy_csv(folder / "r.csv", rows).read_text().strip())
seed,variant,metric,value
0,HeNHeS,mc,2.5
0,HeNHeS,s,
"""
from __future__ import annotations

import csv
import dataclasses
import io as _stringio
import hashlib
import json
import logging
import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["to_jsonable", "json_line", "settings_digest", "write_json", "read_json", "write_text_atomic",
           "TIDY_COLUMNS", "tidy_rows", "write_tidy_csv", "read_tidy_csv", "values_equal"]

logger = logging.getLogger(__name__)

#: columns of every tidy table
TIDY_COLUMNS = ("seed", "variant", "metric", "value")


def to_jsonable(value: Any) -> Any:
    """Plain-JSON form of ``value`` under hetnet's policy (non-finite numbers become ``None``).

    Examples
    --------
    >>> to_jsonable({"a": np.float32(2.0), "b": (1, np.int64(2)), "c": float("inf"), 3: np.bool_(True)})
    {'a': 2.0, 'b': [1, 2], 'c': None, '3': True}
    """
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if hasattr(value, "to_dict"):
        return to_jsonable(value.to_dict())
    return str(value)


def json_line(record: Mapping) -> str:
    """One compact JSON line (keys sorted, newline-terminated), for append-only journals.

    >>> json_line({"b": float("nan"), "a": 1})
    '{"a": 1, "b": null}\\n'
    """
    return json.dumps(to_jsonable(record), sort_keys=True, allow_nan=False) + "\n"


def settings_digest(value: Any, length: int = 16) -> str:
    """A short stable hash of ``value``'s JSON form (keys sorted): names a memo or a run folder by its settings.

    >>> settings_digest({"b": 1, "a": (2.0, 3)}) == settings_digest({"a": [2.0, 3], "b": 1})
    True
    >>> len(settings_digest({"a": 1}, length=12))
    12
    """
    return hashlib.sha256(json.dumps(to_jsonable(value), sort_keys=True).encode()).hexdigest()[:int(length)]


def write_text_atomic(path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file and a rename (never half-written).

    Creates the parent folder. Returns the path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp", delete=False, newline="")
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        if os.path.exists(handle.name):
            os.unlink(handle.name)
        raise
    logger.debug("wrote %s (%d characters)", path, len(text))
    return path


def write_json(path, record: Mapping, *, indent: int = 1, sort_keys: bool = False) -> Path:
    """Write ``record`` as JSON under the module's policy (NaN/inf as ``null``, atomic).

    Parameters
    ----------
    path : str or Path
        Target file; its folder is created if missing.
    record : mapping
        Anything :func:`to_jsonable` accepts.
    indent : int, default 1
    sort_keys : bool, default False

    Returns
    -------
    Path
    """
    text = json.dumps(to_jsonable(record), indent=indent, sort_keys=sort_keys, allow_nan=False) + "\n"
    return write_text_atomic(path, text)


def read_json(path) -> Any:
    """Read a JSON file written by :func:`write_json` (``null`` stays ``None``)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _flatten(prefix: str, value, out: dict):
    if isinstance(value, Mapping):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, out)
    elif isinstance(value, (bool, np.bool_)):
        out[prefix] = int(value)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        value = float(value) if isinstance(value, (float, np.floating)) else int(value)
        out[prefix] = value if math.isfinite(value) else None
    elif value is None:
        out[prefix] = None
    # strings, lists and arrays are not scalar observations: left out


def tidy_rows(records: Iterable[Mapping], *, seed_key: str = "seed", variant_key: str = "variant") -> list:
    """Long-format rows ``{seed, variant, metric, value}`` from one record per run.

    Parameters
    ----------
    records : iterable of mapping
        One mapping per run (a seed and a variant, method or evaluation),
        holding ``seed_key``, ``variant_key`` and the metrics. Nested
        mappings are flattened with dotted names (``metrics.mc``); numbers
        and booleans become rows (non-finite numbers and ``None`` a row with
        value ``None``); strings, lists and arrays are skipped.
    seed_key, variant_key : str
        Which keys hold the seed and the variant.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> tidy_rows([{"seed": 1, "method": "lnp", "final": {"n_neurons": 90}, "note": "x"}], variant_key="method")
    [{'seed': 1, 'variant': 'lnp', 'metric': 'final.n_neurons', 'value': 90}]
    """
    rows = []
    for record in records:
        metrics = {key: value for key, value in record.items() if key not in (seed_key, variant_key)}
        flat: dict = {}
        _flatten("", metrics, flat)
        for metric, value in flat.items():
            rows.append({"seed": to_jsonable(record.get(seed_key)), "variant": record.get(variant_key),
                         "metric": metric, "value": value})
    return rows


def write_tidy_csv(path, rows: Iterable[Mapping]) -> Path:
    """Write tidy rows (from :func:`tidy_rows`) as CSV with the columns :data:`TIDY_COLUMNS`.

    ``None`` and non-finite values become empty cells. Atomic, like :func:`write_json`.
    """
    buffer = _stringio.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TIDY_COLUMNS)
    for row in rows:
        cells = []
        for column in TIDY_COLUMNS:
            value = to_jsonable(row.get(column))
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return write_text_atomic(path, buffer.getvalue())


def read_tidy_csv(path) -> list:
    """Rows of a tidy CSV as dicts; ``value`` as float (``None`` for an empty cell).

    The seed is returned as an integer when it is one, else as text.
    """
    rows = []
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            value = row["value"]
            seed = row["seed"]
            rows.append({"seed": int(seed) if seed.lstrip("-").isdigit() else (seed or None),
                         "variant": row["variant"], "metric": row["metric"],
                         "value": float(value) if value != "" else None})
    return rows


def values_equal(first, second) -> bool:
    """Deep equality that understands numpy arrays, dataclasses, mappings and NaN.

    Arrays are equal when their shapes and values agree (NaN equals NaN;
    ``int32`` and ``int64`` holding the same numbers are equal); dataclasses
    when they are of the same type and their fields are equal; mappings
    and sequences element by element. Used by the ``==`` of
    :class:`~hetnet.result.SimulationResult` and
    :class:`~hetnet.network.NetworkInstance` (save / load round trips).

    Examples
    --------
    >>> values_equal({"a": np.array([1.0, np.nan])}, {"a": np.array([1.0, np.nan])})
    True
    >>> values_equal([1, 2], (1, 2)), values_equal(np.zeros(2), np.zeros(3))
    (True, False)
    """
    if first is second:
        return True
    if isinstance(first, np.ndarray) or isinstance(second, np.ndarray):
        a, b = np.asarray(first), np.asarray(second)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "fc" or b.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if dataclasses.is_dataclass(first) and not isinstance(first, type):
        if type(first) is not type(second):
            return False
        return all(values_equal(getattr(first, f.name), getattr(second, f.name)) for f in dataclasses.fields(first))
    if isinstance(first, Mapping) and isinstance(second, Mapping):
        return first.keys() == second.keys() and all(values_equal(first[k], second[k]) for k in first)
    if isinstance(first, (list, tuple)) and isinstance(second, (list, tuple)):
        return len(first) == len(second) and all(values_equal(a, b) for a, b in zip(first, second))
    if isinstance(first, (float, np.floating)) and isinstance(second, (float, np.floating)):
        return first == second or (math.isnan(first) and math.isnan(second))
    return bool(first == second)
