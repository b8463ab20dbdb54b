"""``backend = "auto"``: C++ standalone where a C++ compiler works, the runtime otherwise.

:func:`choose_backend` decides once per process and logs what it picked and
why: ``cpp_standalone`` when Brian2 can re-run a compiled binary with new
values (``run_args``, Brian2 >= 2.6), ``make`` is found and the C++
compiler that Brian2's makefile calls (``$CXX``, else ``g++``; ``c++`` on
macOS) compiles and runs a two-line program (about 0.2 s); ``runtime`` (numpy) when any of
that fails. :func:`resolve_backend` maps ``"auto"`` to that choice and
leaves the other backends alone; :func:`hetnet.network.simulate` records the
backend actually used in the result's provenance (``backend``), next to
``backend_requested`` and ``backend_choice`` (the reason).

Examples
--------
>>> choice = choose_backend()
>>> choice.backend in ("cpp_standalone", "runtime"), bool(choice.reason)
(True, True)
>>> resolve_backend("auto") == choice.backend, resolve_backend("runtime")
(True, 'runtime')
"""
from __future__ import annotations

import functools
import logging
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

__all__ = ["BackendChoice", "choose_backend", "resolve_backend", "check_cpp_compiler", "AUTO"]

logger = logging.getLogger(__name__)

AUTO = "auto"
#: seconds the test compilation may take before the compiler counts as not working
COMPILE_CHECK_TIMEOUT = 120.0
#: a C++ program (a C compiler refuses the reference) that takes a fifth of a second to build
_PROGRAM = "static int answer(const int& value) { return value - 42; }\nint main() { return answer(42); }\n"


class BackendChoice(NamedTuple):
    """What ``"auto"`` stands for in this process, and why."""

    backend: str
    reason: str


def _compiler_command() -> list:
    compiler = os.environ.get("CXX") or ("c++" if sys.platform == "darwin" else "g++")
    return shlex.split(compiler)


def check_cpp_compiler() -> tuple:
    """Whether Brian2's C++ standalone build can work here: ``(ok, reason)``.

    Compiles and runs a two-line C++ program with the compiler Brian2's
    makefile uses (``$CXX``, else ``g++``) and checks that ``make`` is found.
    Takes a fraction of a second; :func:`choose_backend` calls it once per process.
    """
    import brian2
    from brian2 import prefs
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    if not hasattr(CPPStandaloneDevice, "apply_run_args"):
        return False, f"brian2 {brian2.__version__} cannot re-run a compiled binary with new values (needs >= 2.6)"
    if sys.platform.startswith("win"):
        return False, "hetnet's standalone builds need a POSIX system (file locks); this is Windows"
    make = shlex.split(prefs.devices.cpp_standalone.make_cmd_unix or "make")[0]
    if shutil.which(make) is None:
        return False, f"'{make}' (prefs.devices.cpp_standalone.make_cmd_unix) was not found"
    compiler = _compiler_command()
    if not compiler or shutil.which(compiler[0]) is None:
        return False, f"no C++ compiler: '{' '.join(compiler)}' ($CXX, else g++) was not found"
    with tempfile.TemporaryDirectory(prefix="hetnet-cxx-check-") as folder:
        source, program = os.path.join(folder, "check.cpp"), os.path.join(folder, "check")
        with open(source, "w") as handle:
            handle.write(_PROGRAM)
        try:
            built = subprocess.run([*compiler, source, "-o", program], capture_output=True, text=True,
                                   timeout=COMPILE_CHECK_TIMEOUT)
            if built.returncode != 0:
                message = " ".join((built.stderr or built.stdout).split())[:300]
                return False, f"the C++ compiler '{' '.join(compiler)}' failed on a test program: {message}"
            ran = subprocess.run([program], capture_output=True, timeout=COMPILE_CHECK_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as error:
            return False, f"the C++ compiler '{' '.join(compiler)}' could not build and run a test program: {error}"
        if ran.returncode != 0:
            return False, f"a test program built by '{' '.join(compiler)}' did not run (exit status {ran.returncode})"
    return True, f"the C++ compiler '{' '.join(compiler)}' and '{make}' work"


@functools.lru_cache(maxsize=1)
def choose_backend() -> BackendChoice:
    """The backend ``"auto"`` stands for in this process (decided on the first call, then cached; logged once).

    Returns
    -------
    BackendChoice
        ``("cpp_standalone", reason)`` when :func:`check_cpp_compiler` passes,
        else ``("runtime", reason)``.
    """
    import brian2  # noqa: F401 - imported before the clock starts: the simulation needs it anyway

    start = time.perf_counter()
    try:
        works, why = check_cpp_compiler()
    except Exception as error:  # noqa: BLE001 - any failure of the check means: use the runtime
        works, why = False, f"the C++ compiler check failed: {type(error).__name__}: {error}"
    seconds = time.perf_counter() - start
    if works:
        choice = BackendChoice("cpp_standalone", f"{why}: each network structure is compiled once (cached), "
                                                 "then re-run with new values")
    else:
        choice = BackendChoice("runtime", f"{why}; using Brian2's numpy runtime (slower, needs no compiler)")
    logger.info("backend 'auto': %s (%s; checked in %.1f s)", choice.backend, choice.reason, seconds)
    return choice


def resolve_backend(backend: str) -> str:
    """``backend`` itself, or for ``"auto"`` the backend :func:`choose_backend` picked."""
    return choose_backend().backend if backend == AUTO else backend
