"""Sphinx extension for hetnet's API reference: one page per module, each object documented once.

At ``builder-inited`` it writes ``api/<module>.rst`` for every module of the
package: the module docstring, an autosummary table of the module's public
objects and their autodoc entries (classes with their methods, functions,
constants), and for packages a table of their modules. (Autosummary's own
recursive mode cannot be used: ``hetnet.analysis.energy`` is both a module and,
re-exported, a function of ``hetnet.analysis``, and autosummary picks the function.)

Every public object is documented in the module that defines it
(``hetnet.analysis.memory.memory_capacity``). Users import many of them from a
package (``from hetnet.analysis import memory_capacity``) and the docstrings refer
to them that way, or by their short name inside the package's docstring. Python's
import system knows the answer, so a reference Sphinx cannot resolve is imported
and, when the object behind it is documented under its defining module, linked
there (``missing-reference`` handler). A name that still resolves to nothing stays
a warning, so broken references fail the ``-n -W`` build.
"""
import importlib
import inspect
import pkgutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)


def api_members(package_name: str = "hetnet") -> dict:
    """``{module: [names]}``: the ``__all__`` names each module documents (those it defines).

    Classes and functions are documented where ``__module__`` says they are
    defined; data (constants) in the deepest module whose ``__all__`` lists them.
    """
    package = importlib.import_module(package_name)
    names = [package_name] + [name for _, name, _ in pkgutil.walk_packages(package.__path__, package_name + ".")]
    modules = {name: importlib.import_module(name) for name in names}
    members = {}
    for name, module in modules.items():
        children = [other for other in modules.values() if other.__name__.startswith(name + ".")]
        public = []
        for item in getattr(module, "__all__", []):
            if item.startswith("__"):
                continue
            obj = getattr(module, item, None)
            defined_in = getattr(obj, "__module__", None) if callable(obj) or isinstance(obj, type) else None
            if defined_in is not None:
                if defined_in == name:
                    public.append(item)
            elif not any(item in getattr(child, "__all__", []) and getattr(child, item, None) is obj
                         for child in children):
                public.append(item)
        members[name] = public
    return members


def _summary_line(module) -> str:
    doc = inspect.getdoc(module) or ""
    return doc.split("\n\n")[0].replace("\n", " ").strip()


def _kind(obj) -> str:
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "data"


def module_page(name: str, members: dict, modules: list) -> str:
    """The reStructuredText of the API page of module ``name``."""
    module = importlib.import_module(name)
    lines = [name, "=" * len(name), "", f".. automodule:: {name}", "   :no-members:", ""]
    names = members.get(name, [])
    if names:
        lines += [".. rubric:: Contents", "", ".. autosummary::", ""]
        lines += [f"   {item}" for item in names] + [""]
        for item in names:
            kind = _kind(getattr(module, item))
            if kind == "class":
                lines += [f".. autoclass:: {name}.{item}", "   :members:", ""]
            elif kind == "function":
                lines += [f".. autofunction:: {name}.{item}", ""]
            else:
                lines += [f".. autodata:: {name}.{item}", "   :no-value:", ""]
    children = [child for child in modules if child.rpartition(".")[0] == name and not child.rpartition(".")[2].startswith("_")]
    if children:
        lines += [".. rubric:: Modules", "", ".. list-table::", "   :widths: 30 70", ""]
        for child in children:
            lines += [f"   * - :doc:`{child}`", f"     - {_summary_line(importlib.import_module(child))}"]
        lines += ["", ".. toctree::", "   :hidden:", ""] + [f"   {child}" for child in children] + [""]
    return "\n".join(lines)


def write_api_pages(app):
    """``builder-inited``: (re)write ``api/*.rst`` (only files whose text changed, so builds stay incremental)."""
    folder = Path(app.srcdir) / "api"
    folder.mkdir(exist_ok=True)
    members = api_members()
    modules = sorted(members)
    for name in modules:
        if any(part.startswith("_") for part in name.split(".")):
            continue
        path = folder / f"{name}.rst"
        text = module_page(name, members, modules)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


def _lookup(path: str):
    """The object a dotted path names (importing the longest module prefix), or ``None``."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            return None
        return obj
    return None


def _documented_name(env, obj, target: str):
    """The documented name of ``obj`` (its defining module's name for it), if there is one."""
    objects = env.get_domain("py").objects
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str) and f"{module}.{qualname}" in objects:
        return f"{module}.{qualname}"
    last = target.rpartition(".")[2]
    for name in objects:  # data: find the documented constant that is the same object
        if name.rpartition(".")[2] == last and name != target and _lookup(name) is obj:
            return name
    return None


def resolve_reexports(app, env, node, contnode):
    """``missing-reference`` handler: link a package path or short name to the defining module's entry."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if not target.startswith("hetnet") and not (node.get("py:module") or "").startswith("hetnet"):
        return None
    candidates = [target]
    for context in (node.get("py:class"), node.get("py:module")):
        if context:
            prefix = context if context.startswith("hetnet") else f"{node.get('py:module')}.{context}"
            candidates.append(f"{prefix}.{target}")
    domain = env.get_domain("py")
    for candidate in candidates:
        if not candidate.startswith("hetnet"):
            continue
        obj = _lookup(candidate)
        if obj is None:
            continue
        name = _documented_name(env, obj, candidate)
        if name is not None:
            return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], name, node, contnode) or \
                domain.resolve_xref(env, node["refdoc"], app.builder, "obj", name, node, contnode)
    return None


def setup(app):
    app.connect("builder-inited", write_api_pages)
    app.connect("missing-reference", resolve_reexports)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
