"""A standalone binary that writes back only the arrays hetnet reads (issue 17 item 5).

At its end, Brian2's standalone program writes *every* array of the
network to its results folder: each neuron and synapse variable, the
synapses' index arrays, the spike queues' spaces, the clocks — 81 files for
a 150-neuron plastic network, most of them per-synapse arrays hetnet never
reads. hetnet reads the recurrent (and, when recorded, input) spike
monitor, the final weights and the final membrane potentials
(:meth:`hetnet.network.brian.BrianNetwork.output`). While hetnet builds a
``cpp_standalone`` project, :func:`lean_results` rewrites the generated
``objects.cpp`` so that ``_write_arrays()`` writes those arrays and the
one-value arrays (clocks, sizes) only; the rest of the program is unchanged.
A results folder kept with ``keep_results=True`` therefore holds these
arrays only.

Examples
--------
>>> block = '''    ofstream outfile__array_g_v;
...     outfile__array_g_v.open(results_dir + "_array_g_v_1", ios::binary | ios::out);
...     if(outfile__array_g_v.is_open())
...     {
...         outfile__array_g_v.write(reinterpret_cast<char*>(_array_g_v), 500*sizeof(_array_g_v[0]));
...         outfile__array_g_v.close();
...     } else
...     {
...         std::cout << "Error writing output file for _array_g_v." << endl;
...     }
... '''
>>> source = "void _write_arrays()\\n{\\n" + block + block.replace("_g_v", "_g_w") + "}\\n"
>>> lean = lean_objects_source(source, keep={"_array_g_w"})
>>> "_array_g_w" in lean, "_array_g_v" in lean
(True, False)
"""
from __future__ import annotations

import contextlib
import logging
import re

from hetnet.backends.codegen_patch import WriterProxy, wrap_writer

__all__ = ["LEAN_RESULTS", "lean_objects_source", "results_arrays", "lean_results"]

logger = logging.getLogger(__name__)

#: write back only what hetnet reads; False: every array, as Brian2 does (part of the build key)
LEAN_RESULTS = True

_WRITE_BLOCK = re.compile(
    r"[ \t]*ofstream outfile_(?P<name>\w+);\n"
    r"[ \t]*outfile_(?P=name)\.open\(results_dir \+ \"[^\"]+\", ios::binary \| ios::out\);\n"
    r".*?"
    r"[ \t]*std::cout << \"Error writing output file for (?P=name)\.\" << endl;\n[ \t]*\}\n",
    re.DOTALL,
)
_SIZE = re.compile(r"reinterpret_cast<char\*>\(\w+\), (\d+)\*sizeof")
_keep: "set | None" = None


def lean_objects_source(cpp: str, keep) -> str:
    """``objects.cpp`` whose ``_write_arrays()`` writes only the arrays named in ``keep`` and one-value arrays.

    Source without a recognisable ``_write_arrays()`` (another Brian2
    version) is returned unchanged.
    """
    start = cpp.find("void _write_arrays()\n{")
    if start < 0:
        return cpp
    end = cpp.find("\n}\n", start)
    if end < 0:
        return cpp
    body = cpp[start:end]

    def keep_or_drop(match):
        if match.group("name") in keep:
            return match.group(0)
        size = _SIZE.search(match.group(0))
        return match.group(0) if size is not None and int(size.group(1)) <= 1 else ""

    lean_body = _WRITE_BLOCK.sub(keep_or_drop, body)
    return cpp[:start] + lean_body + cpp[end:]


def results_arrays(built) -> set:
    """The names of the device arrays :meth:`~hetnet.network.brian.BrianNetwork.output` reads after a run."""
    import brian2 as b2

    variables = [built.recurrent_monitor.variables[name] for name in ("i", "t", "N")]
    variables.append(built.recurrent.variables["v"])
    variables += [group.variables[name] for group in built.synapses.values() for name in ("w", "N")]
    if built.input_monitor is not None:
        variables += [built.input_monitor.variables[name] for name in ("i", "t", "N")]
    if built.state_monitor is not None:
        variables += [variable for name, variable in built.state_monitor.variables.items()
                      if not name.startswith("_") or name in ("t", "N")]
    return {b2.device.get_array_name(variable, access_data=False) for variable in variables
            if hasattr(variable, "size")}


class _LeanObjectsWriter(WriterProxy):
    """Wraps Brian2's writer; writes ``objects.cpp`` through :func:`lean_objects_source`."""

    def write(self, filename, contents):
        if filename != "objects.*" or _keep is None:
            return self._writer.write(filename, contents)
        self._writer.write("objects.cpp", lean_objects_source(str(contents.cpp_file), _keep))
        self._writer.write("objects.h", contents.h_file)


def _lean_writer(device, writer):
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    # only hetnet's own cpp_standalone builds (not Brian2CUDA's subclass, not users' scripts)
    return _LeanObjectsWriter(writer) if _keep is not None and type(device) is CPPStandaloneDevice else writer


@contextlib.contextmanager
def lean_results(built):
    """While hetnet builds ``built``'s project, generate the lean ``_write_arrays()`` (when :data:`LEAN_RESULTS`)."""
    global _keep
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    if not LEAN_RESULTS:
        yield
        return
    wrap_writer(CPPStandaloneDevice, "generate_objects_source", _lean_writer)
    _keep = results_arrays(built)
    try:
        yield
    finally:
        _keep = None
