"""C++ (and CUDA) standalone: compile once per network structure, re-run with new values.

Everything a run may change — per-neuron parameters, per-synapse STDP
parameters and weights, the input rates (a ``TimedArray``), the plasticity
switch and the random seed — is handed to the compiled binary through
Brian2's ``run_args`` (and the ``HETNET_SEED`` environment variable, read by a
few lines of code inserted into ``main`` and set in the environment of that
one run's binary only, never in ``os.environ``). Only what the binary fixes —
sizes, connectivity, stimulus shape, integration step, plastic or frozen
synapses and the model's code —
goes into the build key, so a new seed or new heterogeneous parameters reuse
the binary, and a new structure gets a new build directory in the cache
(:func:`hetnet.backends.cache.cache_root`). The cache is kept under a size
limit, least recently used builds removed first, never one in use
(:mod:`hetnet.backends.cache`; ``hetnet cache info|clear``).

Each run writes to its own results directory inside the build directory, so
several processes can run one binary at once; the results are removed after
they are read unless ``keep_results`` is set (a 5000-neuron run writes about
200 MB), and also when the binary fails; the results folder of a process
that was killed is removed by the next process that uses the build. The
``run_args`` value files of a build are capped (:data:`MAX_VALUE_FILES`,
:data:`MAX_VALUE_BYTES`); runs hold a shared lock on them while their binary
may read them, and only a process holding the exclusive lock deletes any.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
from pathlib import Path

import numpy as np

from hetnet import __version__
from hetnet.backends import cache
from hetnet.backends import lean_results as lean_results_module
from hetnet.backends.cache import cache_root
from hetnet.backends.codegen_patch import WriterProxy, wrap_writer

__all__ = ["StandaloneBuild", "build_key", "run_standalone", "wait_for_cleanup", "READY_BUILDS",
           "remove_orphaned_results", "MAX_VALUE_FILES", "MAX_VALUE_BYTES", "TARGET_ORDERED_PATHWAYS",
           "target_ordered_pathways", "VECTORISE_HINT", "vectorisable_leak_source"]

logger = logging.getLogger(__name__)

_SEED_CODE = """
{
    const char* hetnet_seed = std::getenv("HETNET_SEED");
    if (hetnet_seed != NULL) {
        const unsigned long hetnet_seed_value = std::strtoul(hetnet_seed, NULL, 10);
        for (size_t _i = 0; _i < brian::_random_generators.size(); _i++)
            brian::_random_generators[_i].seed(hetnet_seed_value + _i);
    }
}
"""


def build_key(instance, stimulus, device_name: str, record_input: bool, plastic: bool = True) -> str:
    """Hash of everything compiled into the binary (not the per-run values)."""
    from hetnet.encoding import SpikeStimulus
    import brian2

    config = instance.config
    digest = hashlib.sha256()
    fixed = {
        "hetnet": __version__,
        "model_source": _model_source_digest(),
        "brian2": brian2.__version__,
        "device": device_name,
        "structure": instance.structure_key(),
        "dt_ms": config.dt_ms,
        "bounds": config.stdp.bounds,
        "w_min": config.weights.w_min,
        "w_max": config.weights.w_max,
        "trace_increments": [config.stdp.trace_increment_pre, config.stdp.trace_increment_post],
        "record_input": record_input,
        "plastic": bool(plastic),
        "float_dtype": str(np.dtype(brian2.prefs.core.default_float_dtype)),
        "stimulus": type(stimulus).__name__,
        "n_steps": stimulus.n_steps,
        "step_ms": stimulus.step_ms,
        "lean_results": bool(lean_results_module.LEAN_RESULTS),
        "target_ordered": list(target_ordered_pathways(instance, device_name, plastic)),
        "vectorise_hint": VECTORISE_HINT,
    }
    digest.update(json.dumps(fixed, sort_keys=True).encode())
    if isinstance(stimulus, SpikeStimulus):  # spike input is compiled in
        digest.update(np.ascontiguousarray(stimulus.indices).tobytes())
        digest.update(np.ascontiguousarray(stimulus.times_ms).tobytes())
        digest.update(repr(stimulus.duration_ms).encode())
    return f"{device_name}-{instance.n_neurons}n-{digest.hexdigest()[:16]}"


@functools.lru_cache(maxsize=1)
def _model_source_digest() -> str:
    """Hash of the code that generates the C++ (two checkouts of one version may differ)."""
    from hetnet.network import brian

    digest = hashlib.sha256()
    for path in (Path(brian.__file__), Path(__file__), Path(lean_results_module.__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def _directory_lock(directory: Path):
    """Exclusive lock on a build folder; yields the seconds spent waiting for it (another process compiling)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".hetnet-build.lock", "w") as handle:
        start = time.perf_counter()
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield time.perf_counter() - start
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


#: compiled programs a process keeps ready to re-run (its Brian2 objects and device): the
#: plastic and the frozen program of two structures, as many as it holds in the cache
READY_BUILDS = cache.MAX_HELD_BUILDS


class StandaloneBuild:
    """One compiled network held by this process, ready to re-run.

    Use :func:`run_standalone`; it reuses a ready build when the key
    matches and makes (or finds in the cache) a new one otherwise.

    On ``cpp_standalone`` every build has its own Brian2 device object (not
    Brian2's global ``cpp_standalone`` device, which is left to the caller),
    so the process keeps up to :data:`READY_BUILDS` builds — typically the
    plastic and the frozen program of a network — and switching between
    them regenerates nothing: before, every plastic <-> frozen switch
    generated the Brian2 project again (0.2 s on an idle machine, more under
    load; ``bench/bench_ready_builds.py``; at most 7 % of the Fig. 6
    reproduction's time, a figure that also counted waits for another
    worker's compile).
    Other devices (Brian2CUDA) have one global device and keep one build.
    """

    #: key -> build, least recently used first
    _ready: "dict[str, StandaloneBuild]" = {}

    def __init__(self, key: str, directory: Path, brian_network, device_name: str, build_seconds: float,
                 compiled: bool, setup_info: dict | None = None, device=None, wait_seconds: float = 0.0):
        self.key = key
        #: of ``build_seconds``, the time spent waiting for another process compiling the same build
        self.wait_seconds = wait_seconds
        self.setup_info = setup_info or {}
        self.directory = directory
        self.brian_network = brian_network
        self.device_name = device_name
        self.build_seconds = build_seconds
        self.compiled = compiled
        self.n_runs = 0
        self.device = device

    @classmethod
    def forget_ready(cls):
        """Drop the builds this process keeps ready (the next run of each generates its project again)."""
        cls._ready.clear()

    @classmethod
    def _keep_ready(cls, build: "StandaloneBuild"):
        if build.device_name != "cpp_standalone":  # one global device: a new build replaces the others
            cls._ready = {key: kept for key, kept in cls._ready.items() if kept.device_name != build.device_name}
        cls._ready.pop(build.key, None)
        cls._ready[build.key] = build
        # the process holds its READY_BUILDS most recent builds in the cache (hold_build); a build it no
        # longer holds may be removed by another process, so it is not ready any more
        cls._ready = {key: kept for key, kept in cls._ready.items() if cache.is_held(kept.directory)}

    @classmethod
    def obtain(cls, instance, stimulus, *, plastic=True, device_name="cpp_standalone", record_input=False, device_setup=None):
        """The build for ``instance``'s structure: in this process, in the cache, or new."""
        import brian2 as b2
        from hetnet.network.brian import isolated_names

        if not hasattr(b2.devices.cpp_standalone.device.CPPStandaloneDevice, "apply_run_args"):
            raise RuntimeError(
                f"brian2 {b2.__version__} has no run_args (needs brian2 >= 2.6): re-running a compiled "
                "binary with new values is impossible; use backend='runtime' or upgrade brian2"
            )
        key = build_key(instance, stimulus, device_name, record_input, plastic)
        limit = cache.max_cache_bytes()   # a bad HETNET_CACHE_MAX_GB fails before anything is compiled
        directory = cache_root() / key
        ready = cls._ready.get(key)
        if ready is not None and ready.directory == directory and _binary_mtime(directory) is not None:
            cache.hold_build(directory)   # most recently used, for the cache and for this process
            cls._keep_ready(ready)
            return ready
        cache.hold_build(directory)       # no process removes it while this one uses it
        start = time.perf_counter()
        setup_info = device_setup() if device_setup is not None else {}
        if device_name == "cpp_standalone":   # a device of its own, so that it stays ready
            from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

            b2.set_device(CPPStandaloneDevice(), build_on_run=False)
        else:
            b2.set_device(device_name, build_on_run=False)
            b2.device.reinit()
            b2.device.activate(build_on_run=False)
        # names, and so the code under this key, must not depend on what ran before in this process
        with isolated_names():
            build = cls._generate_and_compile(key, directory, instance, stimulus, device_name, plastic, record_input,
                                              start, setup_info)
        remove_orphaned_results(directory)
        if build.compiled and limit is not None:
            cache.evict(limit)
        cls._keep_ready(build)
        return build

    @classmethod
    def _generate_and_compile(cls, key, directory, instance, stimulus, device_name, plastic, record_input, start,
                              setup_info):
        import brian2 as b2
        from hetnet.network.brian import build_brian_network, default_clock_dt

        # the values reach the binary through run_args at every run, not as compiled-in initial values
        built = build_brian_network(instance, stimulus, plastic=plastic, record_input=record_input, apply_values=False,
                                    checked=True, order_by_target=target_ordered_pathways(instance, device_name,
                                                                                          plastic))
        if device_name == "cuda_standalone":
            from hetnet.backends.gpu.build import CUDA_SEED_CODE

            b2.device.insert_code("main", CUDA_SEED_CODE)  # Brian2CUDA seeds cuRAND, not brian::_random_generators
        else:
            b2.device.insert_code("main", _SEED_CODE)
        program = "plastic" if plastic else "frozen"
        with default_clock_dt(instance.config.dt_ms):   # the step is compiled in when the project is built
            built.network.run(stimulus.duration_ms * b2.ms, namespace={})
            with _directory_lock(directory) as wait_seconds, _lean_network_loop(), \
                    lean_results_module.lean_results(built), _project_include_dirs():
                binary_before = _binary_mtime(directory)
                if binary_before is None:
                    logger.info("%s: compiling the %s program of a new network structure (%d neurons; once per "
                                "structure, typically 20-60 s) in %s", device_name, program, instance.n_neurons,
                                directory)
                else:
                    logger.debug("%s: checking the cached %s program in %s", device_name, program, directory)
                b2.device.build(directory=str(directory), compile=True, run=False, with_output=False)
                compiled = _binary_mtime(directory) != binary_before
        build = cls(key, directory, built, device_name, time.perf_counter() - start, compiled, setup_info,
                    device=b2.get_device(), wait_seconds=wait_seconds)
        if compiled:
            logger.info("%s: compiled the %s program in %.1f s (cached: later runs of this structure reuse it)",
                        device_name, program, build.build_seconds)
        else:
            logger.debug("%s: cached %s program up to date (%.1f s)", device_name, program, build.build_seconds)
        return build

    def run(self, instance, stimulus, *, plastic: bool, seed: int, keep_results: bool = False, report_directory=None):
        """Run the binary with this instance's values; returns raw arrays."""
        import brian2 as b2

        if b2.get_device() is not self.device:
            b2.set_device(self.device, build_on_run=False)  # another build or a runtime run came in between
        from hetnet.backends.session import seeded_run_command

        values = self.brian_network.run_values(instance, stimulus, plastic)
        cache.touch_build(self.directory)   # its last use, for the cache's least-recently-used eviction
        results_name = f"{_RESULTS_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        results_path = self.directory / results_name
        # the seed code inserted into main reads HETNET_SEED from the environment of this binary only
        b2.prefs.devices.cpp_standalone.run_cmd_unix = seeded_run_command(seed)
        start = time.perf_counter()
        try:
            with _value_files_in_use(self.directory):
                b2.device.run(directory=str(self.directory), results_directory=results_name, with_output=False,
                              run_args=values)
        except RuntimeError as error:
            raise _binary_failure(error, self.directory, results_path) from None
        run_seconds = time.perf_counter() - start
        try:
            output = self.brian_network.output(
                run_seconds=run_seconds, binary_seconds=b2.device.timers.get("run_binary"),
                network_loop_seconds=getattr(b2.device, "_last_run_time", None), build_directory=str(self.directory))
        except BaseException:
            shutil.rmtree(results_path, ignore_errors=True)
            raise
        _prune_value_files(self.directory / "static_arrays")
        if keep_results:
            (results_path / _KEEP_MARKER).touch()
            output["results_directory"] = str(results_path)
        else:
            _remove_in_background(results_path)
        self.n_runs += 1
        return output


@contextlib.contextmanager
def _project_include_dirs():
    """Write the project's makefile without the include folders Brian2's Cython runtime slips in.

    Brian2 (2.9) appends numpy's and ``brian2/synapses``' include folders to
    the global ``prefs.codegen.cpp.include_dirs`` list every time it compiles a
    Cython extension (``cython_rt/extension_manager.py`` extends the
    preference's list in place). A runtime simulation, or a ``Synapses.connect``
    on the runtime device, in the same process therefore changed the makefile of
    the next standalone project, and ``make`` recompiled a cached build whole
    (20-60 s). Standalone code needs neither folder (Brian2 copies its headers
    into the project), so they are left out while the project is written,
    and repeated entries are written once.
    """
    import numpy
    import brian2
    import brian2.synapses

    prefs = brian2.prefs
    before = list(prefs.codegen.cpp.include_dirs)
    slipped_in = {os.path.normpath(numpy.get_include()), os.path.normpath(os.path.dirname(brian2.synapses.__file__))}
    kept = []
    for folder in before:
        if os.path.normpath(folder) not in slipped_in and folder not in kept:
            kept.append(folder)
    prefs.codegen.cpp.include_dirs = kept
    try:
        yield
    finally:
        prefs.codegen.cpp.include_dirs = before


_CLOCK_IN_LOOP = re.compile(
    r"\n[ \t]*current = std::clock\(\);\n[ \t]*elapsed_realtime = \(double\)\(current - start\)/\((\d+) \* CLOCKS_PER_SEC\);\n"
)
_AFTER_LOOP = "    Network::_globally_running = false;\n"
_lean_loop_active = False


def lean_network_source(cpp: str) -> str:
    """Brian2's ``network.cpp`` without the CPU-clock read at every time step.

    Brian2 reads ``std::clock()`` (a system call, about 0.5 us) after every
    step so that ``maximum_run_time`` can stop a run early; hetnet never sets
    it, and 10 000 steps per simulated second make that 5 ms, a fifth of a
    500-neuron network's loop. The elapsed time is read once after the loop
    instead (``_last_run_time`` stays right). Source that does not match
    (another Brian2 version, ``maximum_run_time`` set) is returned unchanged.
    """
    if "elapsed_realtime>" in cpp or cpp.count(_AFTER_LOOP) != 1:
        return cpp
    match = _CLOCK_IN_LOOP.search(cpp)
    if match is None:
        return cpp
    once = (f"    current = std::clock();\n"
            f"    elapsed_realtime = (double)(current - start)/({match.group(1)} * CLOCKS_PER_SEC);\n")
    cpp = cpp[:match.start()] + "\n" + cpp[match.end():]
    return cpp.replace(_AFTER_LOOP, once + _AFTER_LOOP)


class _LeanNetworkWriter(WriterProxy):
    """Wraps Brian2's writer; writes ``network.cpp`` through :func:`lean_network_source`."""

    def write(self, filename, contents):
        if filename != "network.*":
            return self._writer.write(filename, contents)
        self._writer.write("network.cpp", lean_network_source(str(contents.cpp_file)))
        self._writer.write("network.h", contents.h_file)


#: pathways a plastic cpp_standalone build stores in target order (``order_by_target`` of
#: :func:`hetnet.network.brian.build_brian_network`), when they are plastic. The input pathway's
#: postsynaptic STDP visits (each recurrent spike x its ~50 input synapses) outnumber its presynaptic
#: ones whenever the recurrent neurons fire faster than the inputs, and in source order each visit reads
#: 7 arrays at scattered places. Measured on the N = 2000 benchmark network (1 s, 12 Hz inputs, 23 Hz
#: recurrent, plastic): network loop 261 -> 229 ms, spikes and weights bitwise the same; also ordering
#: E->E and E->I gained nothing more (pre and post visits are as many there), and the frozen program,
#: which has only presynaptic code, ran 5 % slower in target order, so it keeps source order
#: (docs/notes/issue-17.md, sixth session).
TARGET_ORDERED_PATHWAYS = ("input",)


def target_ordered_pathways(instance, device_name: str, plastic: bool) -> tuple:
    """The pathways of ``instance`` that a build stores in target order (see :data:`TARGET_ORDERED_PATHWAYS`)."""
    if not plastic or device_name != "cpp_standalone" or instance.input_kind != "spikes":
        return ()  # with current input the input pathway has no STDP (it sums the input current)
    return tuple(name for name in TARGET_ORDERED_PATHWAYS
                 if name in instance.synapses and instance.synapses[name].plastic)


#: the per-neuron loop of the leak update's code object (``run_regularly`` template)
_LEAK_SOURCE = re.compile(r"code_objects/recurrent_leak_codeobject(_\d+)?\.cpp")
_NEURON_LOOP = "\n    for(int _idx=0; _idx<_N; _idx++)\n"
#: GCC's "no dependence between iterations" hint (other compilers ignore an unknown GCC pragma)
VECTORISE_HINT = "#pragma GCC ivdep"


def vectorisable_leak_source(cpp: str) -> str:
    """The leak update's code object with :data:`VECTORISE_HINT` before its loop over the neurons.

    Brian2 declares its array pointers ``__restrict`` locals, which GCC does
    not take as a promise: with the dozen arrays the leak reads it would
    need more run-time overlap checks than it allows (10), so it keeps the
    loop scalar. Each iteration reads and writes neuron ``_idx`` only, so
    the hint is true; with it the loop is vectorised (the same operations on
    the same values per neuron: results bitwise the same, tested). Source
    without the loop is returned unchanged.

    Examples
    --------
    >>> source = "void f()\\n{\\n    const int _N = N;\\n    for(int _idx=0; _idx<_N; _idx++)\\n    {\\n    }\\n}\\n"
    >>> print(vectorisable_leak_source(source).splitlines()[3])
    #pragma GCC ivdep
    """
    if not VECTORISE_HINT or VECTORISE_HINT in cpp or cpp.count(_NEURON_LOOP) != 1:
        return cpp  # "" switches the hint off (the benchmark's ablation)
    return cpp.replace(_NEURON_LOOP, f"\n{VECTORISE_HINT}{_NEURON_LOOP}")


class _LeakCodeWriter(WriterProxy):
    """Wraps Brian2's writer; writes the leak's code object through :func:`vectorisable_leak_source`."""

    def write(self, filename, contents):
        if isinstance(contents, str) and _LEAK_SOURCE.fullmatch(filename):
            return self._writer.write(filename, vectorisable_leak_source(contents))
        return self._writer.write(filename, contents)


def _lean_writer(device, writer):
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    # only hetnet's own cpp_standalone builds (not Brian2CUDA's subclass, not users' scripts)
    return _LeanNetworkWriter(writer) if _lean_loop_active and type(device) is CPPStandaloneDevice else writer


def _leak_writer(device, writer):
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    return _LeakCodeWriter(writer) if _lean_loop_active and type(device) is CPPStandaloneDevice else writer


@contextlib.contextmanager
def _lean_network_loop():
    """While hetnet builds, generate the lean network loop and the vectorisable leak (cpp_standalone only)."""
    global _lean_loop_active
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    wrap_writer(CPPStandaloneDevice, "generate_network_source", _lean_writer)
    wrap_writer(CPPStandaloneDevice, "generate_codeobj_source", _leak_writer)
    _lean_loop_active = True
    try:
        yield
    finally:
        _lean_loop_active = False


#: run_args value files kept per build (named by the hash of their content, so a value that
#: does not change between runs is written once and re-read)
MAX_VALUE_FILES = 256
#: and at most this many bytes of them
MAX_VALUE_BYTES = 1 << 30
#: past this many files, wait (up to :data:`VALUE_LOCK_WAIT_SECONDS`) for the other runs to let go
_FORCE_PRUNE_FILES = 4 * MAX_VALUE_FILES
VALUE_LOCK_WAIT_SECONDS = 60.0
_VALUE_LOCK_NAME = ".hetnet-values.lock"
_RESULTS_PREFIX = "results-"
_KEEP_MARKER = ".hetnet-keep"


@contextlib.contextmanager
def _value_files_in_use(directory: Path):
    """Shared lock on a build's value files while Brian2 writes them and the binary reads them."""
    (directory / "static_arrays").mkdir(parents=True, exist_ok=True)
    with open(directory / "static_arrays" / _VALUE_LOCK_NAME, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _prune_value_files(folder: Path):
    """Keep the newest :data:`MAX_VALUE_FILES` run_args value files of a build (at most :data:`MAX_VALUE_BYTES`).

    Deletes only under the exclusive lock, i.e. while no run of any process
    is between writing its value files and its binary's end. When other runs
    hold the lock this run skips pruning, unless the files have piled up past
    four times the cap: then it waits for the lock.
    """
    files = list(folder.glob("init_*.dat"))
    if len(files) <= MAX_VALUE_FILES and sum(_size(path) for path in files) <= MAX_VALUE_BYTES:
        return
    with open(folder / _VALUE_LOCK_NAME, "a") as handle:
        deadline = time.monotonic() + (VALUE_LOCK_WAIT_SECONDS if len(files) > _FORCE_PRUNE_FILES else 0.0)
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return  # other runs are using value files; a later run prunes
                time.sleep(0.05)
        try:
            files = sorted(folder.glob("init_*.dat"), key=_mtime, reverse=True)
            total = 0
            for rank, path in enumerate(files):
                total += _size(path)
                if rank >= MAX_VALUE_FILES or total > MAX_VALUE_BYTES:
                    path.unlink(missing_ok=True)
                    Path(str(path) + ".lock").unlink(missing_ok=True)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _binary_failure(error: RuntimeError, directory: Path, results_path: Path) -> BaseException:
    """The exception for a binary run that failed; its results folder is removed."""
    from brian2.core.network import Network

    from hetnet.errors import SimulationError, SimulationInterrupted

    output = ""
    with contextlib.suppress(OSError):
        output = (results_path / "stdout.txt").read_text(errors="replace")[-2000:].strip()
    shutil.rmtree(results_path, ignore_errors=True)
    if Network._globally_stopped:
        Network._globally_stopped = False
        return SimulationInterrupted("simulation interrupted by SIGINT (Ctrl-C) while the compiled binary ran; "
                                     "its results are discarded")
    return SimulationError(
        f"the compiled simulation in {directory} failed or was killed ({error}); its results were discarded"
        + (f"; its output ends with: {output}" if output else "")
    )


def remove_orphaned_results(directory: Path) -> list:
    """Remove the results folders of processes that no longer exist (a killed run); returns them.

    Folders kept on purpose (``keep_results=True``) are left alone.
    """
    removed = []
    for path in Path(directory).glob(f"{_RESULTS_PREFIX}*-*"):
        try:
            pid = int(path.name[len(_RESULTS_PREFIX):].split("-")[0])
        except ValueError:
            continue
        if pid == os.getpid() or _process_exists(pid) or (path / _KEEP_MARKER).exists():
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_cleanup_threads: list = []


def _remove_in_background(path: Path):
    """Delete a results directory that has been read, while the caller goes on.

    Its content is already in memory; deleting a hundred files takes a few
    milliseconds, a noticeable share of a small network's re-run. The
    thread is not a daemon: Python waits for it before exiting.
    """
    _cleanup_threads[:] = [thread for thread in _cleanup_threads if thread.is_alive()]
    thread = threading.Thread(target=shutil.rmtree, args=(path,), kwargs={"ignore_errors": True},
                              name="hetnet-results-cleanup")
    thread.start()
    _cleanup_threads.append(thread)


def wait_for_cleanup():
    """Block until the results directories of earlier runs are deleted."""
    for thread in list(_cleanup_threads):
        thread.join()
    _cleanup_threads.clear()


def _binary_mtime(directory: Path):
    binary = directory / "main"
    return binary.stat().st_mtime_ns if binary.exists() else None


def run_standalone(instance, stimulus, *, plastic, seed, record_input=False, keep_results=False,
                   device_name="cpp_standalone", device_setup=None):
    """Run ``instance`` on a standalone device, compiling only if its structure is new.

    Returns the raw output dictionary plus ``build`` information
    (``key``, ``directory``, ``compiled`` — whether this call compiled —,
    ``build_seconds``, and of it ``wait_seconds``, the time spent waiting for
    another process that was compiling the same build).
    """
    build = StandaloneBuild.obtain(
        instance, stimulus, plastic=plastic, device_name=device_name, record_input=record_input,
        device_setup=device_setup,
    )
    first_run = build.n_runs == 0
    output = build.run(instance, stimulus, plastic=plastic, seed=seed, keep_results=keep_results)
    output["build"] = {
        "key": build.key,
        "directory": str(build.directory),
        "compiled": bool(build.compiled and first_run),
        "build_seconds": build.build_seconds if first_run else 0.0,
        "wait_seconds": build.wait_seconds if first_run else 0.0,
        "device_setup": build.setup_info,
    }
    return output
