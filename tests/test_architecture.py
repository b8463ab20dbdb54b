"""docs/architecture.md against the code: the layering rules hold for the real imports, and the
committed picture (docs/architecture.svg) shows exactly the imports the code has."""
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import import_graph  # noqa: E402  (docs/_ext is not a package)

ARCHITECTURE = ROOT / "docs" / "architecture.md"


def _rules():
    """``{component: set of components it may import besides the foundation}`` from the doc's table."""
    text = ARCHITECTURE.read_text()
    section = text[text.index("## Layering rules"):]
    rules = {}
    for line in section.splitlines():
        match = re.fullmatch(r"\| `([\w.]+)` \| (.*) \|", line.strip())
        if match:
            rules[match.group(1)] = set(re.findall(r"`([\w.]+)`", match.group(2)))
    return rules


@pytest.fixture(scope="module")
def edges():
    return import_graph.component_edges(ROOT)


def test_every_component_has_a_rule():
    assert set(_rules()) == import_graph.components(ROOT)


def test_imports_follow_the_layering_rules(edges):
    rules = _rules()
    foundation = set(import_graph.FOUNDATION)
    broken = sorted((importer, imported) for importer, imported in edges
                    if imported not in rules[importer] and not (imported in foundation))
    assert not broken, f"imports that docs/architecture.md does not allow: {broken}"


def test_the_foundation_imports_only_the_foundation(edges):
    foundation = set(import_graph.FOUNDATION)
    assert {(a, b) for a, b in edges if a in foundation and b not in foundation} == set()


def test_brian2_only_in_network_brian_and_backends(edges):
    assert {importer for importer, imported in edges if imported == "brian2"} == {"network.brian", "backends"}


def test_no_import_cycle(edges):
    nodes = {node for edge in edges for node in edge}
    _, back = import_graph.layers(nodes, edges)
    assert back == set()


def test_the_picture_shows_the_code(edges):
    assert import_graph.drawn_edges(ROOT / "docs" / "architecture.svg") == import_graph.drawn(edges), (
        "docs/architecture.svg is out of date: python docs/_ext/import_graph.py")
