"""hetnet's import graph, read from the source, and its picture (``docs/architecture.svg``).

Reads every module of ``hetnet/`` with :mod:`ast` (imports inside functions
count: a lazy import is still a dependency), resolves each import to the
module that defines the imported name (``from hetnet.network import simulate``
is ``hetnet.network.simulate``; a package's re-exports are followed through its
``__init__``), and groups modules into the components of
``docs/architecture.md`` (:func:`component`). A package ``__init__`` importing
its own modules is a re-export, not a dependency, and is left out of the
component graph; so are the lazy look-ups of the deprecation shims (they name
their targets as strings).

Run from the repository root::

    python docs/_ext/import_graph.py                        # docs/architecture.svg from ./hetnet
    python docs/_ext/import_graph.py --root OTHER_CHECKOUT --out before.svg --title "..."
    python docs/_ext/import_graph.py --edges                # the component edges as text

``tests/test_architecture.py`` checks the rules of ``docs/architecture.md``
against :func:`component_edges` and that the committed picture shows exactly
those edges (every arrow carries the id ``edge--<from>--<to>``).
"""
from __future__ import annotations

import argparse
import ast
from collections import defaultdict
from pathlib import Path

import numpy as np

PACKAGE = "hetnet"
#: modules that are components of their own inside a package (the rest go with their package)
OWN_COMPONENTS = ("hetnet.network.brian", "hetnet.network.simulate")
#: external packages drawn as boxes
DRAWN_EXTERNAL = ("brian2",)
#: the bottom row of the picture: small modules every component may import
FOUNDATION = ("_deprecation", "checks", "config", "distributions", "errors", "io", "progress", "provenance", "runfolder")


def module_files(root: Path, package: str = PACKAGE) -> dict:
    """``{module name: path}`` of every ``.py`` file of ``package`` under ``root``."""
    files = {}
    for path in sorted((Path(root) / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        files[".".join(parts)] = path
    return files


def _is_package(name: str, files: dict) -> bool:
    return name in files and files[name].name == "__init__.py"


def _reexports(files: dict) -> dict:
    """``{package: {name: module it is imported from}}`` from each package ``__init__``."""
    table = {}
    for name, path in files.items():
        if path.name != "__init__.py":
            continue
        names = {}
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ImportFrom):
                source = _absolute(node, name, True)
                for alias in node.names:
                    names[alias.asname or alias.name] = source
        table[name] = names
    return table


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _resolve(source: str, name: str, files: dict, reexports: dict, depth: int = 0) -> str:
    """The module that ``from source import name`` depends on."""
    if f"{source}.{name}" in files:
        return f"{source}.{name}"
    if depth < 5 and _is_package(source, files) and name in reexports.get(source, {}):
        origin = reexports[source][name]
        if origin != source and origin.startswith(PACKAGE):
            return _resolve(origin, name, files, reexports, depth + 1)
    return source


def module_imports(root, package: str = PACKAGE) -> dict:
    """``{module: set of modules it imports}``: internal module names and external top-level packages."""
    files = module_files(Path(root), package)
    reexports = _reexports(files)
    graph = {}
    for name, path in files.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    targets.add(alias.name if alias.name.startswith(package) else alias.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom):
                source = _absolute(node, name, path.name == "__init__.py")
                if source == "__future__":
                    continue
                if not source.startswith(package):
                    targets.add(source.split(".")[0])
                    continue
                for alias in node.names:
                    targets.add(_resolve(source, alias.name, files, reexports))
        targets.discard(name)
        graph[name] = targets
    return graph


def component(module: str) -> str:
    """The box of ``module`` in the picture: ``hetnet.tasks.memory`` -> ``tasks``."""
    for own in OWN_COMPONENTS:
        if module == own or module.startswith(own + "."):
            return own[len(PACKAGE) + 1:]
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def component_edges(root, package: str = PACKAGE) -> set:
    """``{(importer, imported)}`` between components, plus the drawn external packages.

    Left out: a package ``__init__`` importing its own modules (re-exports),
    imports of the top-level package itself (``hetnet.__version__``) and
    imports inside one component.
    """
    files = module_files(Path(root), package)
    edges = set()
    for module, targets in module_imports(root, package).items():
        for target in targets:
            if target == package:
                continue
            if target.startswith(package + "."):
                if _is_package(module, files) and target.startswith(module + "."):
                    continue            # a package re-exporting its own modules
                pair = (component(module), component(target))
            elif target in DRAWN_EXTERNAL:
                pair = (component(module), target)
            else:
                continue
            if pair[0] != pair[1]:
                edges.add(pair)
    return edges


def components(root, package: str = PACKAGE) -> set:
    """Every component of the package (boxes without arrows included)."""
    return {component(module) for module in module_files(Path(root), package) if module != package}


def layers(nodes, edges) -> tuple:
    """``({node: layer}, back_edges)``: layer 0 for nodes that import nothing drawn, else one more than
    their deepest import; ``back_edges`` are the edges that close an import cycle (left out of the depth)."""
    imports = defaultdict(set)
    for importer, imported in edges:
        imports[importer].add(imported)
    level, back = {}, set()

    def depth(node, stack):
        if node in level:
            return level[node]
        deepest = -1
        for target in sorted(imports[node]):
            if target in stack:
                back.add((node, target))
                continue
            deepest = max(deepest, depth(target, stack | {node}))
        level[node] = deepest + 1
        return level[node]

    for node in sorted(nodes):
        depth(node, frozenset())
    return level, back


def drawn(edges) -> set:
    """The edges the picture shows: all but those from the upper components into the foundation."""
    return {(a, b) for a, b in edges if not (b in FOUNDATION and a not in FOUNDATION)}


def _order(rows, edges, position, width):
    """Order each row by the mean horizontal position of its neighbours (fewer crossings)."""
    for number in sorted(rows):
        row = rows[number]
        if number > 0 or all(node in position for node in row):
            def key(node):
                near = [position[t][0] for a, t in edges if a == node and t in position]
                near += [position[a][0] for a, t in edges if t == node and a in position]
                return (sum(near) / len(near) if near else width / 2, node)
            row.sort(key=key)
        offset = (width - len(row)) / 2
        if len(row) == 1 and number > 0:
            offset += 0.55 * (1 if number % 2 else -1)      # a single box per row: zig-zag, so arrows pass by
        for index, node in enumerate(row):
            position[node] = (offset + index + 0.5, number)


def draw(nodes, edges, path, title: str = "") -> None:
    """Boxes (components, layered: what is imported sits lower) and arrows (importer -> imported).

    The foundation (:data:`FOUNDATION`) is one row at the bottom; every
    component may import it, so arrows into it are left out (arrows inside it
    are drawn). Arrows that close an import cycle are red and dashed.
    """
    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = "hetnet-architecture"   # the same file for the same graph
    matplotlib.rcParams["svg.fonttype"] = "none"                  # text stays text
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    shown = drawn(edges)
    upper = sorted(node for node in nodes if node not in FOUNDATION)
    level, back = layers(upper, {(a, b) for a, b in shown if a in upper and b in upper})
    _, foundation_back = layers([n for n in nodes if n in FOUNDATION],
                                {(a, b) for a, b in shown if a in FOUNDATION})
    back |= foundation_back
    rows = defaultdict(list)
    for node in upper:
        rows[level[node] + 1].append(node)
    rows[0] = sorted(node for node in nodes if node in FOUNDATION)
    width = max(len(row) for row in rows.values())
    position = {}
    for _ in range(3):       # a few sweeps of the barycentre ordering
        _order(rows, shown, position, width)
    height = max(rows) + 1
    figure = Figure(figsize=(1.75 * width + 0.6, 0.95 * height + 1.0))
    axis = figure.add_axes((0.01, 0.01, 0.98, 0.93 if title else 0.98))
    axis.set_xlim(0, width)
    axis.set_ylim(-0.75, height - 0.45)
    axis.axis("off")
    box_w, box_h = 0.84, 0.36
    axis.add_patch(FancyBboxPatch((0.05, -0.42), width - 0.1, 0.84, boxstyle="round,pad=0.02", facecolor="#f2f2f2",
                                  edgecolor="#bbbbbb", linewidth=0.8, zorder=0))
    axis.text(0.1, -0.62, "foundation: every component may import these (arrows into this row are not drawn)",
              fontsize=8, color="#555555", va="center")
    for node, (x, y) in position.items():
        external = node in DRAWN_EXTERNAL
        axis.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h, boxstyle="round,pad=0.02",
                                      facecolor="#fde2c8" if external else "#dbe8f6",
                                      edgecolor="#a05a00" if external else "#2f5d8a", linewidth=1.2,
                                      gid=f"box--{node}", zorder=2))
        axis.text(x, y, node, ha="center", va="center", fontsize=8.5, family="monospace", zorder=3)
    for importer, imported in sorted(shown):
        (x0, y0), (x1, y1) = position[importer], position[imported]
        cycle = (importer, imported) in back
        if y1 == y0:
            start, end = (x0 + np.sign(x1 - x0) * box_w / 2, y0), (x1 - np.sign(x1 - x0) * box_w / 2, y1)
            bend = "arc3,rad=-0.35"
        else:
            up = y1 > y0
            start = (x0, y0 + (box_h / 2 if up else -box_h / 2))
            end = (x1, y1 + (-box_h / 2 if up else box_h / 2))
            span = abs(y1 - y0)
            side = 1 if x1 >= x0 else -1
            bend = f"arc3,rad={0.0 if span == 1 else side * min(0.08 * span, 0.45):.2f}"
        axis.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9,
                                       linewidth=1.4 if cycle else 0.8, color="#c0392b" if cycle else "#4a4a4a",
                                       alpha=0.9 if cycle else 0.6, linestyle="--" if cycle else "-",
                                       connectionstyle=bend, gid=f"edge--{importer}--{imported}", zorder=1))
    if title:
        figure.suptitle(title, fontsize=10)
    figure.savefig(path, metadata={"Date": None} if str(path).endswith(".svg") else None)


def drawn_edges(svg_path) -> set:
    """The ``(importer, imported)`` arrows of a picture written by :func:`draw`."""
    import re

    text = Path(svg_path).read_text()
    return {tuple(match.split("--")) for match in re.findall(r'id="edge--([^"]+)"', text)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=".", help="checkout whose hetnet/ is read (default: .)")
    parser.add_argument("--out", default="docs/architecture.svg", help="picture (.svg or .png)")
    parser.add_argument("--title", default="hetnet: components (boxes) and imports (arrows: importer -> imported)")
    parser.add_argument("--edges", action="store_true", help="print the component edges instead of drawing")
    args = parser.parse_args(argv)
    edges = component_edges(args.root)
    nodes = components(args.root) | {node for edge in edges for node in edge}
    if args.edges:
        for importer, imported in sorted(edges):
            print(f"{importer} -> {imported}")
        return 0
    draw(nodes, edges, args.out, args.title)
    print(f"wrote {args.out}: {len(nodes)} boxes, {len(edges)} arrows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
