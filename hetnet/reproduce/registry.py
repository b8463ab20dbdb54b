"""The registry of reproducible paper items: what each one claims, how to run a seed, how to aggregate seeds.

An :class:`Item` names one figure or table of the papers. It holds the
paper's claims (as the papers state them, and as they are tested), the
settings of its quick mode (a smoke test) and of its full mode, and two
functions:

* ``run_seed(seed, quick, options) -> dict``: everything measured with one
  seed (JSON-ready; it runs in a worker process or on a Dask worker, so it
  must be a module-level function);
* ``aggregate(results, options) -> (record, figure)``: ``results`` maps each
  seed to its ``run_seed`` result; ``record`` holds the per-variant summary
  (mean and sd) and the claims tested across seeds with
  :func:`hetnet.analysis.paired_comparison` (the one verdict rule);
  ``figure`` is a :class:`matplotlib.figure.Figure` or ``None``.

An item without functions is *pending*: it is listed (and has a row in the
report) but cannot be run yet.

Examples
--------
>>> from hetnet.reproduce import ITEMS, get_item
>>> "fig9" in ITEMS and get_item("fig9").paper_item
'ICLR 2023, Fig. 9 / Table III'
>>> get_item("table5").pending
False
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional

from hetnet.errors import UsageError

__all__ = ["Item", "ITEMS", "register", "get_item", "runnable_items"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    """One paper figure or table that ``hetnet reproduce`` can run.

    Attributes
    ----------
    name : str
        Short name on the command line (``fig9``).
    paper_item : str
        Paper and item (``ICLR 2023, Fig. 9 / Table III``).
    description : str
        What is measured, in one or two sentences.
    claims : mapping
        ``{claim name: the paper's statement or number}``; the claim names
        are those of the aggregated record's ``claims``.
    output : str
        Stem of the aggregated files (``OUTPUT.json``, ``OUTPUT.png``; quick
        runs write ``OUTPUT.quick.json``).
    quick, full : mapping
        Settings of each mode, passed to ``run_seed`` and ``aggregate`` as ``options``.
    run_seed, aggregate : callable or None
        See the module docstring; ``None`` for a pending item.
    seeds_quick, seeds_full : int
        Default number of seeds of each mode.
    pending : str
        Why the item cannot run yet (empty when it can).
    """

    name: str
    paper_item: str
    description: str
    claims: Mapping[str, str] = field(default_factory=dict)
    output: str = ""
    quick: Mapping = field(default_factory=dict)
    full: Mapping = field(default_factory=dict)
    run_seed: Optional[Callable] = None
    aggregate: Optional[Callable] = None
    seeds_quick: int = 1
    seeds_full: int = 5
    pending_reason: str = ""

    @property
    def pending(self) -> bool:
        """True when the item has no functions yet."""
        return self.run_seed is None or self.aggregate is None

    def settings(self, quick: bool, options: Optional[Mapping] = None) -> dict:
        """The mode's settings updated with ``options`` (unknown keys are a usage error)."""
        base = dict(self.quick if quick else self.full)
        for key, value in dict(options or {}).items():
            if key not in base:
                raise UsageError(f"{self.name} option", key, f"allowed: {', '.join(sorted(base)) or 'none'}")
            base[key] = value
        return base


#: name -> :class:`Item`, in the order of the report
ITEMS: dict = {}


def register(item: Item) -> Item:
    """Add ``item`` to :data:`ITEMS` (replacing one of the same name) and return it."""
    ITEMS[item.name] = item
    return item


def get_item(name: str) -> Item:
    """The registered item called ``name``; a usage error naming the known items otherwise."""
    from hetnet.reproduce import items  # noqa: F401  (registers the items)

    if name not in ITEMS:
        raise UsageError("item", name, f"known: {', '.join(ITEMS)}, all")
    return ITEMS[name]


def runnable_items() -> list:
    """Names of the items that can run (not pending), in registry order."""
    from hetnet.reproduce import items  # noqa: F401

    return [name for name, item in ITEMS.items() if not item.pending]
