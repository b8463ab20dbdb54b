"""The results report: ``docs/results.md`` written from the committed result records.

For every item of :data:`hetnet.reproduce.ITEMS`, in registry order, the
report gives the paper's claim, ours (mean ± sd over the seeds, both sides of
the comparison), the p-values, the effect size, the verdict of the one rule
of :func:`hetnet.analysis.paired_comparison`, the mode (a quick record is
labelled as a smoke test), the seeds, N, backend, versions and wall time,
the item's own table of numbers when its record has one (``report_table``:
``{"columns": [...], "rows": [[...], ...]}``, e.g. Table V), and the figure (copied next to the page). Items without a record say
"not run"; pending items say why.

Only the part of the page between :data:`BEGIN` and :data:`END` is written;
the hand-written text around it is kept as it is (a page without the markers
gets the generated part appended). The output depends only on the records
and the registry, so regenerating from the same files gives the same page.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> page = write_report(folder / "results", folder / "results.md")
>>> "fig9" in page.read_text() and "not run" in page.read_text()
True
"""
from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

from hetnet.io import read_json, write_text_atomic

__all__ = ["write_report", "report_text", "load_record", "BEGIN", "END", "FIGURES"]

logger = logging.getLogger(__name__)

#: first line of the generated part of the page
BEGIN = "<!-- BEGIN: written by `hetnet reproduce --report` from experiments/results; do not edit by hand -->"
#: last line of the generated part
END = "<!-- END: written by `hetnet reproduce --report` -->"
#: folder, next to the page, of the copied figures
FIGURES = "results_figures"

_RULE = ("Each claim is tested across seeds with a paired t-test (the seeds pair the variants: they share "
         "structure and inputs); the Wilcoxon signed-rank p-value and the effect size d_z (mean difference / sd "
         "of the differences) are given beside it. One rule, written once in "
         "{func}`hetnet.analysis.paired_comparison`, gives every verdict: **holds** when the mean difference has "
         "the claimed sign and p < 0.05, **does not hold** when it has the opposite sign and p < 0.05, "
         "**inconclusive** otherwise (with one seed a claim is always inconclusive). A *quick* record is a smoke "
         "test of the code path with tiny networks, never a result.")


def load_record(results, item):
    """``(record, path)`` of an item's committed record (full preferred, else quick), or ``(None, None)``."""
    for suffix in (".json", ".quick.json"):
        path = Path(results) / f"{item.output}{suffix}"
        if path.is_file():
            return read_json(path), path
    return None, None


def _number(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 10:
        return f"{int(round(value))}"
    return f"{value:.{digits}g}"


def _paper_text(item, claim_name: str) -> str:
    for key, text in item.claims.items():
        pattern = "^" + re.sub(r"\\\{[^}]*\\\}", ".+", re.escape(key)) + "$"
        if re.match(pattern, claim_name):
            return text
    return ""


def _side_sd(record, claim, side):
    if claim.get(f"sd_{side}") is not None:
        return claim[f"sd_{side}"]
    stats = record.get("summary", {}).get(claim[side], {}).get(claim["metric"], {})
    return stats.get("sd")


def _mode(record) -> str:
    return "quick (smoke test, not a result)" if record.get("quick") else "full"


def _seeds(seeds) -> str:
    seeds = list(seeds or [])
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{len(seeds)} ({seeds[0]}–{seeds[-1]})"
    return f"{len(seeds)} ({', '.join(str(s) for s in seeds)})"


def _item_section(item, record, path, figure) -> list:
    lines = [f"### {item.paper_item} (`{item.name}`)", "", item.description, ""]
    if item.pending:
        lines += [f"**Not runnable yet** — {item.pending_reason}.", ""]
        lines += ["| the paper's claim | ours | verdict |", "|---|---|---|"]
        lines += [f"| {text} | – | not run |" for text in item.claims.values()] + [""]
        return lines
    if record is None:
        lines += [f"**Not run yet**: no record `{item.output}.json`; run `hetnet reproduce {item.name} "
                  f"--out experiments/results` (5 seeds).", ""]
        lines += ["| the paper's claim | ours | verdict |", "|---|---|---|"]
        lines += [f"| {text} | – | not run |" for text in dict.fromkeys(item.claims.values())] + [""]
        return lines
    provenance = record.get("provenance") or {}
    versions = provenance.get("versions") or {}
    wall = record.get("wall_time_s")
    wall_text = (f"{wall['total_seeds']:.0f} s of seed runs" if isinstance(wall, dict) and "total_seeds" in wall
                 else "wall time not recorded")
    timing = record.get("timing")
    if isinstance(timing, dict) and timing.get("wall_s"):
        wall_text += (f" ({100 * timing['simulate_wall_s'] / timing['wall_s']:.0f} % in {timing['simulations']:.0f} "
                      f"simulations, of which compile {timing['compile_s']:.0f} s and bare network loops "
                      f"{timing['bare_s']:.0f} s)")
    n_neurons = record.get("n_neurons")
    lines += [f"Record `{path.name}`: **{_mode(record)}**; seeds {_seeds(record.get('seeds'))}; "
              f"N = {n_neurons if not isinstance(n_neurons, list) else ', '.join(map(str, n_neurons))}; "
              f"backend {record.get('backend') or provenance.get('backend')}; hetnet {versions.get('hetnet')}, "
              f"brian2 {versions.get('brian2')}; {wall_text}; created {provenance.get('created', 'unknown')}.", ""]
    lines += ["| claim (as tested: a vs b) | the paper | ours: a vs b (mean ± sd) | p (t) | p (Wilcoxon) | d_z | verdict |",
              "|---|---|---|---|---|---|---|"]
    for name, claim in (record.get("claims") or {}).items():
        ours = (f"{claim['a']} {_number(claim['mean_a'])} ± {_number(_side_sd(record, claim, 'a'), 2)} vs "
                f"{claim['b']} {_number(claim['mean_b'])} ± {_number(_side_sd(record, claim, 'b'), 2)}")
        verdict = claim["verdict"] if claim["verdict"] == "inconclusive" else f"**{claim['verdict']}**"
        metric = str(claim["metric"]).replace("|", "\\|")     # a literal | would split the table's cell
        lines.append(f"| {name} ({metric}) | {_paper_text(item, name)} | {ours} | "
                     f"{_number(claim.get('p_value_t'), 2)} | {_number(claim.get('p_value_wilcoxon'), 2)} | "
                     f"{_number(claim.get('effect_size_dz'), 2)} | {verdict} |")
    lines.append("")
    table = record.get("report_table")
    if table:   # an item's own table of numbers (mean ± sd over the seeds), e.g. Table V
        lines += ["| " + " | ".join(table["columns"]) + " |", "|" + "---|" * len(table["columns"])]
        lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in table["rows"]] + [""]
    if figure:
        lines += [f"![{item.paper_item}: ours]({FIGURES}/{figure})", ""]
    return lines


def report_text(results, figures_dir=None) -> str:
    """The generated part of the page (between :data:`BEGIN` and :data:`END`) from the records in ``results``.

    With ``figures_dir``, each record's figure is copied there.
    """
    from hetnet.reproduce import ITEMS

    overview = ["| paper item | `hetnet reproduce` | record | verdicts |", "|---|---|---|---|"]
    sections = []
    for item in ITEMS.values():
        record, path = (None, None) if item.pending else load_record(results, item)
        figure = None
        if record is not None:
            png = path.with_suffix(".png")
            if png.is_file():
                figure = png.name
                if figures_dir is not None:
                    Path(figures_dir).mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(png, Path(figures_dir) / png.name)
            verdicts = [claim["verdict"] for claim in (record.get("claims") or {}).values()]
            counts = ", ".join(f"{verdicts.count(v)} {v}" for v in ("holds", "does not hold", "inconclusive")
                               if verdicts.count(v))
            status = f"{_mode(record)}, {len(record.get('seeds') or [])} seed(s)"
        else:
            counts = "not run"
            status = "pending (pruning issue)" if item.pending else "none yet"
        overview.append(f"| {item.paper_item} | `{item.name}` | {status} | {counts} |")
        sections += _item_section(item, record, path, figure)
    lines = [BEGIN, "", "## Paper items: the paper's claim, ours, the verdict", "", _RULE, "", *overview, "",
             *sections, END]
    return "\n".join(lines) + "\n"


def write_report(results="experiments/results", page="docs/results.md") -> Path:
    """Write the generated part of ``page`` from the records in ``results`` (figures beside the page).

    Parameters
    ----------
    results : str or Path
        Folder of the aggregated records (``OUTPUT.json`` / ``.png`` of each item).
    page : str or Path
        The Markdown page; the text outside the :data:`BEGIN` / :data:`END`
        markers is kept.

    Returns
    -------
    Path
        ``page``.
    """
    page = Path(page)
    generated = report_text(results, page.parent / FIGURES)
    existing = page.read_text() if page.is_file() else ""
    if BEGIN in existing and END in existing:
        head, rest = existing.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + generated.rstrip("\n") + tail
    else:
        text = existing.rstrip("\n") + ("\n\n" if existing.strip() else "") + generated
    write_text_atomic(page, text)
    logger.info("wrote %s", page)
    return page
