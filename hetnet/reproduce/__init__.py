"""Reproducing the papers' figures and tables: a registry of items, a resumable runner, a report.

``hetnet reproduce`` (and the scripts in ``experiments/``) run the items of
:data:`ITEMS`: each seed of an item is one job for the evaluation engines of
:mod:`hetnet.bo.engine` (this process, a process pool or a Dask cluster) and
one JSON file, so an interrupted reproduction resumes without redoing the
seeds it finished; the seeds are then aggregated into one record (mean ± sd,
the claims tested across seeds by :func:`hetnet.analysis.paired_comparison`)
and a figure. :func:`write_report` turns the committed records into
``docs/results.md``.

Examples
--------
>>> from hetnet.reproduce import ITEMS, runnable_items
>>> runnable_items()
['fig5', 'fig7', 'fig8', 'fig9', 'separation', 'table1', 'table5', 'fig10', 'fig12', 'bo_objectives', 'fig6', 'fig4', 'table3', 'table5_sg']
>>> [name for name, item in ITEMS.items() if item.pending]
[]
"""
from hetnet.reproduce.registry import ITEMS, Item, get_item, register, runnable_items
from hetnet.reproduce import items  # noqa: F401  (registers the items)
from hetnet.reproduce import bo_items  # noqa: F401  (registers the BO objective ablation and Fig. 6)
from hetnet.reproduce import sage_items  # noqa: F401  (registers Fig. 4, the SAGE importance)
from hetnet.reproduce import gradient_items  # noqa: F401  (registers Table III with the gradient-trained rows)
from hetnet.reproduce.runner import output_path, reproduce, reproduce_all, seed_path
from hetnet.reproduce.report import write_report, report_text

__all__ = ["ITEMS", "Item", "get_item", "register", "runnable_items", "reproduce", "reproduce_all", "seed_path",
           "output_path", "write_report", "report_text"]
