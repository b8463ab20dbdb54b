"""The results folder of ``hetnet reproduce``: a resumable folder with a manifest of the configuration used.

``hetnet reproduce --out DIR`` writes one file per (item, seed) and resumes an
interrupted reproduction from them, so its folder cannot follow the
new-folder policy of ``run`` / ``optimize`` / ``prune`` as it stands. Its rule
(:func:`prepare_results_folder`):

* a new or empty folder is used, and :data:`MANIFEST_NAME` is written into it;
* a folder with a manifest is a reproduction to resume: accepted, provided the
  base configuration (``--config`` / ``--set`` / ``--backend``) of this mode
  (quick or full) is the one the manifest records — otherwise a usage error
  naming the fields that differ, so a resumed run never mixes settings;
* a folder without a manifest that holds only what ``hetnet reproduce``
  writes (item folders of seed files, aggregated records and figures; an
  earlier version wrote no manifest) is adopted the same way, the
  configuration of its seed files standing in for the manifest's;
* anything else is refused (a usage error, exit status 2);
* ``force`` overrides both refusals: the manifest then records the new
  configuration, and seed files written with other settings are run again by
  :func:`hetnet.reproduce.reproduce`.

The quick and the full mode write separate files (``ITEM/quick``,
``OUTPUT.quick.json``), so the manifest records and checks one configuration
per mode. The seed (``--seed``, first seed) is not part of the comparison:
each seed has its own file.

Examples
--------
>>> import tempfile
>>> from hetnet.config import HRSNNConfig
>>> folder = prepare_results_folder(tempfile.mkdtemp(), HRSNNConfig(), quick=True)
>>> sorted(read_manifest(folder)["modes"])
['quick']
>>> prepare_results_folder(folder, HRSNNConfig(n_neurons=64), quick=True)
Traceback (most recent call last):
...
hetnet.errors.UsageError: --out = '...'; holds a quick reproduction ... (differs in: n_neurons: 500 -> 64); ...
"""
from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Optional

from hetnet.io import read_json, to_jsonable, write_json

__all__ = ["MANIFEST_NAME", "prepare_results_folder", "read_manifest", "config_key", "config_option"]

logger = logging.getLogger(__name__)

#: the manifest file ``hetnet reproduce`` writes into its results folder
MANIFEST_NAME = "reproduce-manifest.json"
_WRITER = "hetnet reproduce"
_SEED_FILE = re.compile(r"seed-\d+\.json")


def config_key(config) -> dict:
    """The JSON form of a base configuration as recorded and compared (``seed`` left out)."""
    data = to_jsonable(config.to_dict())
    data.pop("seed", None)
    return data


def config_option(config) -> Optional[dict]:
    """The ``"config"`` setting passed to the items: :func:`config_key`, or ``None`` for the defaults.

    Leaving the defaults out keeps the settings of a run without ``--config``
    / ``--set`` equal to those of seed files written before the option
    existed, so such folders resume.
    """
    from hetnet.config import HRSNNConfig

    key = config_key(config)
    return None if key == config_key(HRSNNConfig()) else key


def read_manifest(out) -> Optional[dict]:
    """The manifest of results folder ``out``, or ``None`` if it has none.

    Raises :class:`hetnet.errors.UsageError` if the file is not a readable manifest.
    """
    from hetnet.errors import UsageError

    path = Path(out) / MANIFEST_NAME
    if not path.is_file():
        return None
    try:
        manifest = read_json(path)
    except (OSError, ValueError) as error:
        raise UsageError("--out", str(out), f"has a {MANIFEST_NAME} that is not readable ({error}); "
                         "add --force to write a new one") from None
    if not isinstance(manifest, dict) or manifest.get("written_by") != _WRITER or \
            not isinstance(manifest.get("modes"), dict):
        raise UsageError("--out", str(out), f"has a {MANIFEST_NAME} not written by {_WRITER}; "
                         "add --force to write a new one")
    return manifest


def _with_new_fields(recorded, default):
    """``recorded`` (a :func:`config_key`) with the fields it lacks taken from ``default``.

    A configuration field added by a later hetnet version is absent from an
    older manifest; it counts as its default value, so adding a field (with a
    default that changes nothing) does not make every earlier folder
    unresumable.

    >>> _with_new_fields({"a": 1, "s": {"x": 2}}, {"a": 0, "s": {"x": 0, "y": 3}, "b": 4})
    {'a': 1, 's': {'x': 2, 'y': 3}, 'b': 4}
    """
    if not (isinstance(recorded, dict) and isinstance(default, dict)):
        return recorded
    return {**{key: _with_new_fields(value, default.get(key)) for key, value in recorded.items()},
            **{key: value for key, value in default.items() if key not in recorded}}


def _differences(old, new, prefix: str = "") -> list:
    """Dotted keys where two configuration dicts differ, with both values."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            out += _differences(old.get(key), new.get(key), f"{prefix}{key}.")
        return out
    return [] if old == new else [f"{prefix[:-1]}: {old!r} -> {new!r}"]


def _own_entries() -> tuple:
    """Folder names and file names ``hetnet reproduce`` writes (for folders without a manifest)."""
    from hetnet.reproduce.registry import ITEMS
    from hetnet.runfolder import LOCK_NAME

    folders = set(ITEMS) | {"pruning-runs", "bo-campaigns"}     # the pruning memo, the campaigns' journals
    files = {MANIFEST_NAME, LOCK_NAME}
    for item in ITEMS.values():
        for mode in ("", ".quick"):
            files |= {f"{item.output}{mode}{suffix}" for suffix in (".json", ".png", ".csv")}
    return folders, files


def _seed_configs(out: Path, quick: bool) -> list:
    """The base configurations (:func:`config_key`) the seed files of one mode were written with."""
    from hetnet.config import HRSNNConfig

    default = config_key(HRSNNConfig())
    found = []
    for path in sorted(out.glob(f"*/{'quick' if quick else 'full'}/seed-*.json")):
        try:
            record = read_json(path)
        except (OSError, ValueError):
            continue  # the runner runs such a seed again
        key = (record.get("options") or {}).get("config") or default
        if key not in found:
            found.append(key)
    return found


def prepare_results_folder(out, config, *, quick: bool, force: bool = False, argv=None) -> Path:
    """Check ``out`` under the results-folder rule (module docstring) and write its manifest.

    Parameters
    ----------
    out : str or Path
        The results folder (created if missing).
    config : hetnet.config.HRSNNConfig
        Base configuration the items start from (``--config`` / ``--set`` / ``--backend``).
    quick : bool
        Mode of this call; the manifest keeps one configuration per mode.
    force : bool
        Use a folder that holds other files, or another configuration of this mode.
    argv : list of str, optional
        Command line recorded in the manifest (information only).

    Returns
    -------
    Path
        ``out``, with the manifest written.

    Raises
    ------
    hetnet.errors.UsageError
        Exit status 2: ``out`` is a file, holds files not written by
        ``hetnet reproduce``, or a reproduction of this mode with another
        configuration (without ``force``).
    """
    from hetnet import __version__
    from hetnet.config import HRSNNConfig
    from hetnet.errors import UsageError

    out = Path(out)
    mode = "quick" if quick else "full"
    current = config_key(config)
    if out.exists() and not out.is_dir():
        raise UsageError("--out", str(out), "is a file; give a folder")
    default = config_key(HRSNNConfig())
    manifest = None
    if out.is_dir():
        try:
            manifest = read_manifest(out)
        except UsageError:
            if not force:
                raise
        if manifest is None:
            folders, files = _own_entries()
            foreign = sorted(entry.name for entry in out.iterdir()
                             if not ((entry.is_dir() and entry.name in folders) or
                                     (entry.is_file() and entry.name in files)))
            if foreign and not force:
                shown = ", ".join(foreign[:4]) + (", ..." if len(foreign) > 4 else "")
                raise UsageError("--out", str(out), f"holds files not written by {_WRITER} ({shown}); choose a new "
                                 "folder or one of an earlier 'hetnet reproduce' (it resumes), or add --force to use "
                                 "it (a manifest is written; later runs resume without --force)")
            recorded = [key for key in _seed_configs(out, quick) if _with_new_fields(key, default) != current]
        else:
            entry = manifest["modes"].get(mode)
            recorded = [entry["config"]] if entry and _with_new_fields(entry.get("config"), default) != current \
                else []
        if recorded:
            changes = _differences(recorded[0], current)
            shown = "; ".join(changes[:4]) + ("; ..." if len(changes) > 4 else "")
            if not force:
                raise UsageError("--out", str(out), f"holds a {mode} reproduction with another configuration "
                                 f"(differs in: {shown}); resume it with the same --config / --set / --backend, "
                                 "choose a new folder, or add --force to run these settings there (seeds written "
                                 "with other settings are then run again)")
            logger.warning("%s: replacing the %s configuration of the manifest (differs in: %s); seeds written "
                           "with other settings are run again", out, mode, shown)
    manifest = manifest or {"written_by": _WRITER, "format": 1, "modes": {}}
    previous = manifest["modes"].get(mode) or {}
    if _with_new_fields(previous.get("config"), default) == current and (out / MANIFEST_NAME).exists():
        return out          # a resume with the manifest's settings: the manifest stays as it is
    manifest["modes"][mode] = {
        "config": current,
        "created": previous.get("created") if previous.get("config") == current else None,
        "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "hetnet_version": __version__,
        "command": list(argv) if argv is not None else previous.get("command"),
    }
    manifest["modes"][mode]["created"] = manifest["modes"][mode]["created"] or manifest["modes"][mode]["updated"]
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / MANIFEST_NAME, manifest)
    return out
