"""The documentation builds with warnings as errors and broken references failing; packaging files are right."""
import configparser
import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_docstrings_cite_the_documentation_not_internal_files_and_use_numpydoc_headers():
    stale, example_headers = [], []
    for path in sorted((ROOT / "hetnet").rglob("*.py")) + sorted((ROOT / "models").glob("*.py")):
        text = path.read_text()
        if re.search(r"SPEC(\.md|'s| section|:)|FACTS", text):
            stale.append(str(path.relative_to(ROOT)))
        if re.search(r"^\s*Example\n\s*-------\n", text, re.M):
            example_headers.append(str(path.relative_to(ROOT)))
    assert stale == [] and example_headers == []


def test_quick_docs_build_has_no_warnings_and_generates_reference_pages(tmp_path):
    for module in ("sphinx", "sphinx_gallery", "numpydoc", "myst_parser"):
        pytest.importorskip(module)
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-E", "-q", "-b", "html",
               "-D", "plot_gallery=0", "-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert completed.returncode == 0, completed.stderr[-6000:]
    html = tmp_path / "html"
    science = (html / "science.html").read_text()
    for section in ("Memory capacity", "Wasserstein", "Step I: noise pruning", "expected improvement",
                    "Synaptic operations", "Lyapunov spectrum", "Heterogeneity", "valid prediction time",
                    "Firing regime", "How the defaults were chosen", "Neurons and synaptic currents"):
        assert section in science, section
    # the configuration reference is generated from the dataclasses: every field is there
    from hetnet.config import HRSNNConfig

    reference = (html / "config_reference.html").read_text()
    config = HRSNNConfig()
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        names = [f"{field.name}.{f.name}" for f in dataclasses.fields(value)] if dataclasses.is_dataclass(value) \
            else [field.name]
        for name in names:
            assert f"<span class=\"pre\">{name}</span>" in reference, name
    # API pages, tutorials (not executed) and the model scripts' gallery exist
    assert "memory_capacity" in (html / "api" / "hetnet.analysis.memory.html").read_text()
    for page in ("auto_tutorials/index.html", "auto_tutorials/plot_pruning.html", "auto_tutorials/plot_brian2_interop.html", "auto_models/hrsnn.html",
                 "howto/pruning.html", "howto/bo_dask.html", "howto/custom_model.html", "gpu.html",
                 "notes/issue-7.html", "getting_started.html", "results.html",
                 # the reliability work: its guarantees page, its notes and its modules' API pages
                 "reliability.html", "notes/issue-14.html", "api/hetnet.errors.html", "api/hetnet.checks.html",
                 "api/hetnet.runfolder.html", "api/hetnet.backends.session.html",
                 "api/hetnet.datasets.safe_pickle.html"):
        assert (html / page).is_file(), page


def test_license_and_citation_match_the_package():
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    assert setup["metadata"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    yaml = pytest.importorskip("yaml")
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    from hetnet import __version__

    assert citation["cff-version"] == "1.2.0" and citation["license"] == "MIT"
    assert citation["version"] == __version__
    titles = [reference["title"] for reference in citation["references"]]
    assert len(titles) == 3 and any("pruning recurrent SNN" in t for t in titles)
    years = sorted(reference["year"] for reference in citation["references"])
    assert years == [2023, 2023, 2024]
    assert "2211.04297" in citation["preferred-citation"]["url"]
    for reference in citation["references"]:
        assert [a["family-names"] for a in reference["authors"]] == ["Chakraborty", "Mukhopadhyay"]


def test_requirements_are_only_what_the_package_imports():
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    required = setup["options"]["install_requires"]
    assert "networkx" not in required and "sympy" not in required     # networkx: the 'graph' extra
    assert "networkx" in setup["options.extras_require"]["graph"]
    assert "package_data" not in setup or all(
        list((ROOT / "hetnet").glob(pattern.strip())) for patterns in setup["options.package_data"].values()
        for pattern in patterns.split(","))
    for extra in ("docs", "test"):
        for package in ("sphinx", "sphinx-gallery", "numpydoc", "myst-parser"):
            assert package in setup["options.extras_require"][extra], (extra, package)
