"""Sphinx extension: the configuration reference, generated from :mod:`hetnet.config`.

The directive ``.. hetnet-config-reference::`` walks :class:`hetnet.config.HRSNNConfig`
and its section dataclasses at build time and writes, for the top level and for each
TOML section, a table of every key with its default (taken from ``HRSNNConfig()``, so
the ``[inhibitory]`` defaults are the inhibitory ones) and its description (the
``Parameters`` / ``Attributes`` section of the class docstring), followed by the
complete default configuration as TOML (:func:`hetnet.config.config_to_toml`).

A field without a description in its class docstring is reported as a Sphinx warning,
so a new configuration field cannot reach the documentation undocumented.
"""
import dataclasses
import inspect

from docutils import nodes
from docutils.statemachine import StringList
from numpydoc.docscrape import NumpyDocString
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)


def _descriptions(cls) -> dict:
    """``{field: (type text, description)}`` from the class docstring's Parameters and Attributes."""
    doc = NumpyDocString(inspect.getdoc(cls) or "")
    out = {}
    for section in ("Parameters", "Attributes"):
        for parameter in doc[section]:
            for name in parameter.name.split(","):
                out[name.strip()] = (parameter.type, " ".join(line.strip() for line in parameter.desc))
    return out


def _value_text(value) -> str:
    from hetnet.config import _toml_value

    if value is None:
        return "*(omitted)*"
    return f"``{_toml_value(value)}``"


def _kind(value) -> str:
    if isinstance(value, dict) and "kind" in value:
        return "distribution"
    if isinstance(value, bool):
        return "true / false"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    return "—"


def _table(title: str, cls, defaults: dict, prefix: str, location: str) -> list:
    descriptions = _descriptions(cls)
    lines = [f".. list-table:: {title}", "   :header-rows: 1", "   :widths: 18 24 12 46", "",
             "   * - key", "     - default", "     - kind", "     - meaning"]
    for item in dataclasses.fields(cls):
        value = defaults.get(item.name)
        if isinstance(value, dict) and "kind" not in value:
            continue  # a section: documented in its own table
        type_text, description = descriptions.get(item.name, ("", ""))
        if not description:
            logger.warning("configuration field %s%s has no description in the docstring of %s "
                           "(add it to its 'Attributes' or 'Parameters' section)", prefix, item.name,
                           cls.__qualname__, location=location)
        lines += [f"   * - ``{prefix}{item.name}``", f"     - {_value_text(value)}", f"     - {_kind(value)}",
                  f"     - {description or '—'}"]
    return lines + [""]


class ConfigReference(SphinxDirective):
    """``.. hetnet-config-reference::``: the tables and the default TOML."""

    has_content = False

    def run(self):
        from hetnet.config import HRSNNConfig, config_to_toml

        config = HRSNNConfig()
        defaults = config.to_dict()
        location = self.get_location()
        lines = _table("top level", HRSNNConfig, defaults, "", location)
        for item in dataclasses.fields(HRSNNConfig):
            section = getattr(config, item.name)
            if dataclasses.is_dataclass(section):
                lines += [f".. rubric:: [{item.name}]", ""]
                summary = (inspect.getdoc(type(section)) or "").split("\n\n")[0].replace("\n", " ")
                lines += [f"{summary} (:class:`hetnet.config.{type(section).__name__}`)", ""]
                lines += _table(f"[{item.name}]", type(section), defaults[item.name], f"{item.name}.", location)
        lines += [".. rubric:: The defaults as TOML", "",
                  "What ``hetnet.config.config_to_toml(HRSNNConfig())`` writes (``hetnet run`` saves the "
                  "configuration it used the same way, as ``config.toml``):", "", ".. code-block:: toml", ""]
        lines += ["   " + line for line in config_to_toml(config).splitlines()] + [""]
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source="hetnet-config-reference"), self.content_offset, container)
        return container.children


def setup(app):
    app.add_directive("hetnet-config-reference", ConfigReference)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
