"""Sphinx configuration of the hetnet documentation.

Build (from the repository root)::

    python -m sphinx -W -b html docs docs/_build/html              # executes the gallery
    python -m sphinx -W --keep-going -n -b html -D plot_gallery=0 docs docs/_build/html   # quick

The quick build (gallery not executed) is what ``tests/test_docs.py`` and CI run.
"""
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")      # the gallery draws figures; the library never selects a backend

import hetnet  # noqa: E402

project = "hetnet"
author = "the hetnet developers"
copyright = "2026, the hetnet developers"  # noqa: A001 (Sphinx's name)
release = hetnet.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "hetnet_api",
    "hetnet_config_reference",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "tutorials"]
html_theme = "alabaster"
html_static_path = []
html_title = f"hetnet {release}"
html_theme_options = {
    "description": "Heterogeneous recurrent spiking neural networks in Brian2",
    "fixed_sidebar": True,
    "page_width": "1180px",
    "sidebar_width": "240px",
}
pygments_style = "sphinx"
nitpicky = True

# --- MyST (the Markdown pages: getting started, how-tos, notes) ---------------------------------
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]     # the per-issue notes start at level-2 headings

# --- API reference: autosummary + autodoc + numpydoc ----------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"               # the numpydoc "Parameters" sections carry the types
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()


# the module pages (api/*.rst) are written by the hetnet_api extension: each object is
# documented once, in the module that defines it, and other names of it resolve there

# references to other projects' objects are not checked (no network access at build time)
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|scipy|sklearn|skopt|brian2|b2|networkx|nx|matplotlib|dask|distributed|ot|tqdm|"
               r"concurrent|multiprocessing|argparse|logging|pathlib|collections|typing|threadpoolctl)(\..*)?"),
    (r"py:.*", r"(ndarray|array_like|array-like|optional|callable|Callable|Path|path|Generator|Axes|Figure|"
               r"Quantity|Network|NeuronGroup|Synapses|SpikeMonitor|VariableView|LinearOperator|csr_array|"
               r"csr_matrix|sparse matrix|DiGraph|Mapping|Sequence|Iterable|Any|Kernel|Space|Real|Integer|"
               r"OptimizeResult|Optimizer|GaussianProcessRegressor|Client|Future)"),
]

# --- sphinx-gallery: tutorials and the models/ scripts --------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["tutorials", "../models"],
    "gallery_dirs": ["auto_tutorials", "auto_models"],
    "filename_pattern": r"/plot_",          # only the tutorials run; models/hrsnn.py is shown as code
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib", "hetnet_gallery.figure_scraper"),
    "reset_modules": (),
    "show_memory": False,
    "min_reported_time": 1,
    "write_computation_times": False,
    "capture_repr": (),                      # a block ending in ``figure`` shows the figure, not its repr
}
