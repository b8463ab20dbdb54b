"""sphinx-gallery image scraper for figures made without pyplot (:mod:`hetnet.plotting`).

matplotlib's own scraper saves the figures registered with pyplot; hetnet's
plotting functions return :class:`matplotlib.figure.Figure` objects that pyplot
never sees, so this scraper saves every such figure the example created (a
variable of the example holding it), once, after the code block that made it.
"""
from matplotlib.figure import Figure
from sphinx_gallery.scrapers import figure_rst

_SAVED = {}


def figure_scraper(block, block_vars, gallery_conf, **kwargs):
    """Save the new :class:`~matplotlib.figure.Figure` objects of an example; return their rST."""
    source = str(block_vars.get("src_file"))
    saved = _SAVED.setdefault(source, set())
    paths = []
    for value in list(block_vars["example_globals"].values()):
        if isinstance(value, Figure) and id(value) not in saved:
            saved.add(id(value))
            path = next(block_vars["image_path_iterator"])
            value.savefig(path, dpi=100)
            paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])
