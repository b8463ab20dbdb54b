"""Benchmark of issue 4: hetnet on C++ standalone vs a plain hand-written Brian2 script.

Measures, in one run, for N = 500, 2000, 5000 recurrent neurons (100 Poisson
inputs, 1 s of biological time, dt = 0.1 ms):

1. synaptic events per second, static (plasticity frozen) and plastic (trace
   STDP on), for hetnet's network on ``cpp_standalone`` and for a plain
   Brian2 ``cpp_standalone`` script of the *same* network (same neurons,
   same synapse lists, same LIF / trace-STDP equations, same per-neuron and
   per-synapse values, same input rate and duration), with the ratio
   hetnet / plain;
2. compile time vs re-run time: hetnet's first ``simulate`` (build +
   compile) vs a second call with new heterogeneous parameters (another
   variant, same seed, hence same structure) that must not recompile;
3. an ablation: the plain script again with hetnet's speed-ups added one
   at a time (``propagator``: the membrane and its synaptic currents advanced
   by their exact one-step propagator with per-neuron coefficients
   precomputed instead of Brian2's ``method="exact"`` evaluating the
   exponentials at every step; ``+rates``: event-driven traces decayed with
   ``1/tau`` as a multiply), so each gain is measured in the same run; and
   hetnet with one of its later kernel changes taken out (``HETNET_ABLATIONS``:
   the plastic input pathway in source order, the leak loop without the
   vectorisation hint), each its own build, run in the same rounds;
4. the per-run overhead of hetnet's Python side after the build,
   ``wall_seconds - simulation_seconds``, as a fraction of the simulation
   time (median over the re-runs), plus a breakdown of where it goes;
5. the fixed cost of a re-run on its own line (``fixed_cost_per_run_seconds``,
   issue 17 item 5): hetnet's whole ``simulate`` call and the binary's run
   less the network loop, and the plain binary's run less its loop.

Synaptic events = presynaptic spikes x out-degree (all pathways, the input
pathway included) and, when plastic, + postsynaptic spikes x in-degree of the
plastic synapses. Events/s = events / binary run time, where the binary run
time is the wall time of Brian2's ``device.run`` (hetnet:
``provenance["simulation_seconds"]``; plain: timed around ``device.run``).
The time the network loop itself reports (``device._last_run_time``) is
recorded too.

Each plain script (and each ablation variant) runs in its own process
(``python bench/bench_backends.py --plain ...``): it builds once, then does
one run per ``run`` line on its stdin and prints JSON. The runs are
interleaved — one hetnet run, then one run of each plain script, repeated —
so a change in the shared host's load hits every side alike. hetnet's
builds go to a temporary ``HETNET_CACHE`` so they are fresh.

Usage::

    .venv/bin/python bench/bench_backends.py [--sizes 500 2000 5000] [--quick]
        [--rate 12] [--repeats 7] [--out bench/results/backends.json]
"""
from __future__ import annotations

import argparse
import cProfile
import contextlib
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N_INPUT = 100
DURATION_STEPS = 100  # x 10 ms = 1 s of biological time
STEP_MS = 10.0
PATHWAY_NAMES = ("input", "ee", "ei", "ie", "ii")
#: the plain script, and the plain script with hetnet's two speed-ups added one at a time (ablation)
PLAIN_VARIANTS = ("plain", "propagator", "propagator+rates")
#: hetnet with one kernel change taken out: (module attribute of hetnet.backends.standalone, value)
HETNET_ABLATIONS = {
    "source_order": ("TARGET_ORDERED_PATHWAYS", ()),     # plastic input synapses in source order
    "scalar_leak": ("VECTORISE_HINT", ""),                # the leak loop without GCC's ivdep hint
}


@contextlib.contextmanager
def hetnet_ablation(name: str):
    """hetnet with the change ``name`` of :data:`HETNET_ABLATIONS` taken out (the build key follows)."""
    from hetnet.backends import standalone

    attribute, value = HETNET_ABLATIONS[name]
    before = getattr(standalone, attribute)
    setattr(standalone, attribute, value)
    try:
        yield
    finally:
        setattr(standalone, attribute, before)


def log(message: str):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------
# event counting (shared by both sides)
# ---------------------------------------------------------------------------

def count_events(arrays: dict, rec_counts: np.ndarray, input_counts: np.ndarray, plastic: bool) -> dict:
    """Synaptic events of one run from per-neuron spike counts and the synapse lists.

    ``arrays[f"{name}_pre"]`` / ``[f"{name}_post"]`` are global endpoints
    (input channels for the input pathway's ``pre``).
    """
    pre_events = 0
    post_events = 0
    for name in PATHWAY_NAMES:
        pre, post = arrays[f"{name}_pre"], arrays[f"{name}_post"]
        source = input_counts if name == "input" else rec_counts
        pre_events += int(source[pre].sum())  # sum over synapses of the pre neuron's spikes
        if plastic and bool(arrays[f"{name}_plastic"]):
            post_events += int(rec_counts[post].sum())
    return {"pre_events": pre_events, "post_events": post_events, "events": pre_events + post_events}


def network_arrays(network) -> dict:
    """Everything the plain script needs, as plain numpy arrays (global indices)."""
    config = network.config
    data = {
        "n_neurons": network.n_neurons, "n_excitatory": network.n_excitatory, "n_input": network.n_input,
        "dt_ms": config.dt_ms, "w_min": config.weights.w_min, "w_max": config.weights.w_max,
        "xpre_increment": config.stdp.trace_increment_pre, "xpost_increment": config.stdp.trace_increment_post,
        "tau_m_ms": network.tau_m_ms, "v_th_mV": network.v_th_mV, "v_rest_mV": network.v_rest_mV,
        "v_reset_mV": network.v_reset_mV, "t_ref_ms": network.t_ref_ms, "initial_v_mV": network.initial_v_mV,
        "bias_mV": network.bias_mV, "tau_syn_e_ms": config.weights.tau_syn_e_ms,
        "tau_syn_i_ms": config.weights.tau_syn_i_ms,
    }
    if config.stdp.bounds != "soft":
        raise SystemExit("the plain script implements soft-bound STDP only")
    for name in PATHWAY_NAMES:
        syn = network.synapses[name]
        pre, post = network.global_endpoints(name)
        data[f"{name}_pre"] = np.asarray(pre, dtype=np.int64)
        data[f"{name}_post"] = np.asarray(post, dtype=np.int64)
        data[f"{name}_w"] = syn.w
        data[f"{name}_scale_mV"] = syn.scale_mV
        data[f"{name}_plastic"] = syn.plastic
        if syn.plastic:
            data[f"{name}_tau_pre_ms"] = syn.tau_pre_ms
            data[f"{name}_tau_post_ms"] = syn.tau_post_ms
            data[f"{name}_eta_pre"] = syn.eta_pre
            data[f"{name}_eta_post"] = syn.eta_post
    return data


# ---------------------------------------------------------------------------
# the plain hand-written Brian2 script (runs in its own process)
# ---------------------------------------------------------------------------

def plain_main(args) -> int:
    """Plain Brian2 cpp_standalone script of the same network; prints one JSON line."""
    import brian2 as b2
    from brian2 import Hz, mV, ms

    b2.prefs.logging.file_log = False
    data = dict(np.load(args.arrays))
    plastic = args.mode == "plastic"
    build_dir = args.build_dir
    b2.set_device("cpp_standalone", build_on_run=False, directory=build_dir)
    dt = float(data["dt_ms"]) * ms
    b2.defaultclock.dt = dt
    b2.seed(args.seed)
    n, n_input = int(data["n_neurons"]), int(data["n_input"])

    start_codegen = time.perf_counter()
    propagator = args.variant in ("propagator", "propagator+rates")
    trace_rates = args.variant == "propagator+rates"
    tau_e, tau_i = float(data["tau_syn_e_ms"]), float(data["tau_syn_i_ms"])
    if propagator:  # ablation: hetnet's update (the exact one-step propagator computed once, not every step)
        neurons = b2.NeuronGroup(
            n,
            """
            v : volt
            J_e : volt
            J_i : volt
            v_decay : 1 (constant)
            k_e : 1 (constant)
            k_i : 1 (constant)
            decay_e : 1 (shared, constant)
            decay_i : 1 (shared, constant)
            v_th : volt (constant)
            v_rest : volt (constant)
            v_reset : volt (constant)
            v_bias : volt (constant)
            t_ref : second (constant)
            """,
            threshold="v > v_th", reset="v = v_reset", refractory="t_ref", namespace={},
        )
        neurons.run_regularly(
            "v = v + int(not_refractory) * ((v_rest + v_bias - v) * (1 - v_decay) + k_e * J_e + k_i * J_i)\n"
            "J_e = J_e * decay_e\nJ_i = J_i * decay_i", when="groups", order=1)
        dt_ms = float(data["dt_ms"])
        v_decay = np.exp(-dt_ms / data["tau_m_ms"])
        neurons.v_decay = v_decay
        for name, tau in (("e", tau_e), ("i", tau_i)):  # k = tau_s / (tau_s - tau_m) * (decay - v_decay)
            decay = np.exp(-dt_ms / tau)
            setattr(neurons, f"k_{name}", tau / (tau - data["tau_m_ms"]) * (decay - v_decay))
            setattr(neurons, f"decay_{name}", decay)
    else:  # the plain script: the textbook Brian2 form
        neurons = b2.NeuronGroup(
            n,
            """
            dv/dt = (v_rest + v_bias + J_e + J_i - v) / tau_m : volt (unless refractory)
            dJ_e/dt = -J_e / tau_syn_e : volt
            dJ_i/dt = -J_i / tau_syn_i : volt
            tau_m : second (constant)
            v_th : volt (constant)
            v_rest : volt (constant)
            v_reset : volt (constant)
            v_bias : volt (constant)
            t_ref : second (constant)
            """,
            threshold="v > v_th", reset="v = v_reset", refractory="t_ref", method="exact",
            namespace={"tau_syn_e": tau_e * ms, "tau_syn_i": tau_i * ms},
        )
        neurons.tau_m = data["tau_m_ms"] * ms
    neurons.v_th = data["v_th_mV"] * mV
    neurons.v_rest = data["v_rest_mV"] * mV
    neurons.v_reset = data["v_reset_mV"] * mV
    neurons.v_bias = data["bias_mV"] * mV
    neurons.t_ref = data["t_ref_ms"] * ms
    neurons.v = data["initial_v_mV"] * mV
    inputs = b2.PoissonGroup(n_input, rates=args.rate * Hz, namespace={})

    constants = {"w_min": float(data["w_min"]), "w_max": float(data["w_max"]),
                 "xpre_increment": float(data["xpre_increment"]), "xpost_increment": float(data["xpost_increment"])}
    synapses = []
    for name in PATHWAY_NAMES:
        source = inputs if name == "input" else neurons
        namespace = dict(constants, psp_scale=float(data[f"{name}_scale_mV"]) * mV)
        psp = "J_i_post += w * psp_scale" if name in ("ie", "ii") else "J_e_post += w * psp_scale"
        if plastic and bool(data[f"{name}_plastic"]):
            trace = "inv_tau{0} : Hz (constant)" if trace_rates else "tau{0} : second (constant)"
            decay = "-x{0} * inv_tau{0}" if trace_rates else "-x{0} / tau{0}"
            syn = b2.Synapses(
                source, neurons,
                f"""
                w : 1
                {trace.format("pre")}
                {trace.format("post")}
                etapre : 1 (constant)
                etapost : 1 (constant)
                dxpre/dt = {decay.format("pre")} : 1 (event-driven)
                dxpost/dt = {decay.format("post")} : 1 (event-driven)
                """,
                on_pre=psp + """
                xpre += xpre_increment
                w = clip(w - etapre * xpost * (w - w_min), w_min, w_max)
                """,
                on_post="""
                xpost += xpost_increment
                w = clip(w + etapost * xpre * (w_max - w), w_min, w_max)
                """,
                method="exact", namespace=namespace, name=f"plain_{name}",
            )
            syn.connect(i=data[f"{name}_pre"], j=data[f"{name}_post"])
            if trace_rates:
                syn.inv_taupre = 1 / (data[f"{name}_tau_pre_ms"] * ms)
                syn.inv_taupost = 1 / (data[f"{name}_tau_post_ms"] * ms)
            else:
                syn.taupre = data[f"{name}_tau_pre_ms"] * ms
                syn.taupost = data[f"{name}_tau_post_ms"] * ms
            syn.etapre = data[f"{name}_eta_pre"]
            syn.etapost = data[f"{name}_eta_post"]
        else:
            syn = b2.Synapses(source, neurons, "w : 1", on_pre=psp,
                              namespace=namespace, name=f"plain_{name}")
            syn.connect(i=data[f"{name}_pre"], j=data[f"{name}_post"])
        syn.w = data[f"{name}_w"]
        synapses.append(syn)
    recurrent_monitor = b2.SpikeMonitor(neurons)
    input_monitor = b2.SpikeMonitor(inputs)
    net = b2.Network(neurons, inputs, *synapses, recurrent_monitor, input_monitor)
    net.run(args.duration_ms * ms, namespace={})
    codegen_seconds = time.perf_counter() - start_codegen
    start = time.perf_counter()
    b2.device.build(directory=build_dir, compile=True, run=False, with_output=False)
    compile_seconds = time.perf_counter() - start

    print("PLAIN-READY " + json.dumps({"mode": args.mode, "variant": args.variant, "codegen_seconds": codegen_seconds,
                                       "compile_seconds": compile_seconds}), flush=True)
    for command in sys.stdin:  # one run per "run" line, so the caller can interleave runs of several scripts
        if command.strip() != "run":
            break
        start = time.perf_counter()
        b2.device.run(directory=build_dir, with_output=False)
        run_seconds = time.perf_counter() - start
        rec_counts = np.bincount(np.asarray(recurrent_monitor.i[:]), minlength=n)
        input_counts = np.bincount(np.asarray(input_monitor.i[:]), minlength=n_input)
        events = count_events(data, rec_counts, input_counts, plastic)
        print("PLAIN-RUN " + json.dumps({
            "run_seconds": run_seconds,
            "binary_seconds": b2.device.timers.get("run_binary"),
            "network_loop_seconds": b2.device._last_run_time,
            "recurrent_rate_hz": float(rec_counts.sum() / n / (args.duration_ms / 1000.0)),
            "input_rate_hz": float(input_counts.sum() / n_input / (args.duration_ms / 1000.0)),
            **events,
        }), flush=True)
    return 0


class PlainScript:
    """The plain script in its own process: built once, then one run per :meth:`run` call."""

    def __init__(self, arrays_path: Path, mode: str, build_dir: Path, *, rate: float, seed: int,
                 variant: str = "plain"):
        command = [sys.executable, str(Path(__file__).resolve()), "--plain", "--arrays", str(arrays_path),
                   "--mode", mode, "--variant", variant, "--build-dir", str(build_dir), "--rate", str(rate),
                   "--seed", str(seed), "--duration-ms", str(DURATION_STEPS * STEP_MS)]
        self.build_dir = build_dir
        self.variant = variant
        self.log_path = build_dir.with_suffix(".log")
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=open(self.log_path, "w"), text=True)
        self.record = None
        self.runs = []

    def _read(self, prefix: str) -> dict:
        for line in self.process.stdout:
            if line.startswith(prefix):
                return json.loads(line[len(prefix):])
        raise RuntimeError(f"plain script ({self.variant}) ended early with exit code {self.process.wait()}:\n"
                           + self.log_path.read_text()[-3000:])

    def wait_ready(self):
        self.record = self._read("PLAIN-READY ")
        return self

    def run(self) -> dict:
        self.process.stdin.write("run\n")
        self.process.stdin.flush()
        self.runs.append(self._read("PLAIN-RUN "))
        return self.runs[-1]

    def close(self) -> dict:
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
        self.process.wait(timeout=120)
        shutil.rmtree(self.build_dir, ignore_errors=True)
        return {**self.record, "runs": self.runs}


# ---------------------------------------------------------------------------
# hetnet side
# ---------------------------------------------------------------------------

def hetnet_run_record(result, arrays: dict, plastic: bool) -> dict:

    prov = result.provenance
    n = int(arrays["n_neurons"])
    rec_counts = np.bincount(result.spike_indices, minlength=n)
    input_counts = np.bincount(result.input_spike_indices, minlength=int(arrays["n_input"]))
    events = count_events(arrays, rec_counts, input_counts, plastic)
    duration_s = DURATION_STEPS * STEP_MS / 1000.0
    return {
        "wall_seconds": prov["wall_seconds"],
        "simulation_seconds": prov["simulation_seconds"],
        "binary_seconds": prov.get("binary_seconds"),
        "network_loop_seconds": prov.get("network_loop_seconds"),
        "python_overhead_seconds": prov["wall_seconds"] - prov["simulation_seconds"],
        "compiled": prov["build"]["compiled"],
        "build_seconds": prov["build"]["build_seconds"],
        "recurrent_rate_hz": float(rec_counts.sum() / n / duration_s),
        "input_rate_hz": float(input_counts.sum() / input_counts.size / duration_s),
        **events,
    }


def overhead_breakdown(network, stimulus) -> dict:
    """Time the pieces of hetnet's Python side around the binary (one extra re-run, profiled)."""
    from hetnet.backends.standalone import StandaloneBuild, build_key
    from hetnet.network import simulate
    from hetnet.provenance import provenance

    def timed(function, repeats=5):
        values = []
        for _ in range(repeats):
            start = time.perf_counter()
            function()
            values.append(time.perf_counter() - start)
        return float(np.median(values))

    simulate(network, stimulus, plastic=True, backend="cpp_standalone", record_input=True)  # back to the plastic build
    build = list(StandaloneBuild._ready.values())[-1]   # the most recently used: the plastic build
    parts = {
        "structure_key": timed(network.structure_key),
        "build_key (hashes the structure again)": timed(lambda: build_key(network, stimulus, "cpp_standalone", True)),
        "provenance()": timed(lambda: provenance(seed=1, backend="cpp_standalone", config=network.config,
                                                 structure_key="x")),
        "run_values (Quantity arrays)": timed(lambda: build.brian_network.run_values(network, stimulus, True)),
        "with_weights (copy of final weights)": timed(
            lambda: network.with_weights({k: v.w for k, v in network.synapses.items()})),
    }
    profile = cProfile.Profile()
    profile.enable()
    profiled = simulate(network, stimulus, plastic=True, backend="cpp_standalone", record_input=True)
    profile.disable()
    stats = pstats.Stats(profile)
    rows = []
    for (filename, line, function), (_, _, _, cumulative, _) in stats.stats.items():
        rows.append((cumulative, f"{Path(filename).name}:{line}({function})"))
    rows.sort(reverse=True)
    interesting = ("run_values", "structure_key", "build_key", "provenance", "package_versions", "with_weights",
                   "rmtree", "_prepare_variableview_run_arg", "get_value", "call", "remove", "obtain",
                   "__getitem__", "_check_", "run(", "tofile", "sha", "FileLock")
    top = [{"function": name, "cumulative_seconds": round(seconds, 4)} for seconds, name in rows[:40]
           if any(key in name for key in interesting)]
    return {"direct_timings_seconds": parts, "profile_of_one_rerun_top": top[:20],
            "profiled_rerun": {"wall_seconds": profiled.provenance["wall_seconds"],
                               "simulation_seconds": profiled.provenance["simulation_seconds"],
                               "compiled": profiled.provenance["build"]["compiled"]}}


def bench_config(n: int, args, **changes):
    """The benchmarked configuration: the defaults, or the papers' sparser connectivity (``--connectivity papers``)."""
    from hetnet.config import ConnectivityConfig, HRSNNConfig

    if args.connectivity == "papers":
        changes["connectivity"] = ConnectivityConfig.papers()
    return HRSNNConfig(n_neurons=n, seed=0, **changes)


def bench_size(n: int, args, workdir: Path) -> dict:
    from hetnet.distributions import Gamma
    from hetnet.encoding import RateStimulus
    from hetnet.network import generate_network, simulate

    record = {"n_neurons": n, "n_input": N_INPUT}
    stimulus = RateStimulus(np.full((DURATION_STEPS, N_INPUT), args.rate), step_ms=STEP_MS)
    start = time.perf_counter()
    network = generate_network(bench_config(n, args), n_input=N_INPUT, input_kind="spikes")
    record["generate_seconds"] = time.perf_counter() - start
    record["synapses"] = {name: syn.n_synapses for name, syn in network.synapses.items()}
    record["synapses_total"] = int(sum(record["synapses"].values()))
    arrays = network_arrays(network)
    arrays_path = workdir / f"network-{n}.npz"
    np.savez(arrays_path, **arrays)

    # 2. compile vs re-run ---------------------------------------------------
    log(f"N={n}: hetnet first simulate (build + compile), {record['synapses_total']} synapses")
    first = simulate(network, stimulus, plastic=True, backend="cpp_standalone", record_input=True)
    first_rec = hetnet_run_record(first, arrays, True)
    log(f"N={n}: compiled={first_rec['compiled']} build {first_rec['build_seconds']:.1f} s, "
        f"wall {first_rec['wall_seconds']:.1f} s, rate {first_rec['recurrent_rate_hz']:.1f} Hz")
    # new heterogeneous parameters, same structure: another variant (homogeneous STDP) and another
    # distribution of the excitatory membrane time constants, same seed
    other_config = bench_config(n, args, variant="HeNHoS", excitatory={"tau_m_ms": Gamma(shape=5.0, mean=25.0)})
    other = generate_network(other_config, n_input=N_INPUT, input_kind="spikes")
    if other.structure_key() != network.structure_key():
        raise RuntimeError("the second variant has a different structure")
    changed = float(np.mean(other.tau_m_ms != network.tau_m_ms))
    second = simulate(other, stimulus, plastic=True, backend="cpp_standalone", record_input=True)
    second_rec = hetnet_run_record(second, network_arrays(other), True)
    log(f"N={n}: second call (HeNHoS, new tau_m): compiled={second_rec['compiled']} wall {second_rec['wall_seconds']:.2f} s")
    record["compile_vs_rerun"] = {
        "first_call": {"variant": network.config.variant, **first_rec},
        "second_call": {"variant": other.config.variant, "change": "excitatory tau_m ~ Gamma(5, mean 25 ms), "
                        "homogeneous STDP", "fraction_of_tau_m_changed": changed,
                        "same_structure_key": True, **second_rec},
        "build_seconds_over_rerun_wall": first_rec["build_seconds"] / second_rec["wall_seconds"],
    }

    # 1 + 3 + 4. re-runs: events/s, ablation and overhead, hetnet and plain runs interleaved -------
    for plastic in (True, False):
        mode = "plastic" if plastic else "static"
        if not plastic:  # frozen runs have their own binary (static synapses): build it once first
            warm = simulate(network, stimulus, plastic=False, backend="cpp_standalone", record_input=True)
            record["static_build"] = {"compiled": warm.provenance["build"]["compiled"],
                                      "build_seconds": warm.provenance["build"]["build_seconds"]}
            log(f"N={n}: static-synapse binary built in {record['static_build']['build_seconds']:.1f} s")
        variants = PLAIN_VARIANTS if plastic else PLAIN_VARIANTS[:2]
        log(f"N={n}: building the plain {mode} script and its ablation variants {variants[1:]}")
        scripts = [PlainScript(arrays_path, mode, workdir / f"plain-{mode}-{variant}-{n}", rate=args.rate,
                               seed=args.seed, variant=variant) for variant in variants]
        for script in scripts:
            script.wait_ready()
        ablations = [name for name in HETNET_ABLATIONS if plastic or name != "source_order"]  # frozen: no order
        ablation_runs = {name: [] for name in ablations}
        for name in ablations:  # each its own program: build it before the timed rounds
            with hetnet_ablation(name):
                simulate(network, stimulus, plastic=plastic, backend="cpp_standalone", record_input=True)
        runs = []
        for repeat in range(args.repeats):  # one run of each side per round: the host's load hits all alike
            result = simulate(network, stimulus, plastic=plastic, backend="cpp_standalone", record_input=True)
            runs.append(hetnet_run_record(result, arrays, plastic))
            if runs[-1]["compiled"]:
                raise RuntimeError("a re-run recompiled")
            for name in ablations:
                with hetnet_ablation(name):
                    other = simulate(network, stimulus, plastic=plastic, backend="cpp_standalone", record_input=True)
                if not (np.array_equal(other.spike_indices, result.spike_indices)
                        and np.array_equal(other.spike_times_ms, result.spike_times_ms)):
                    raise RuntimeError(f"hetnet ablated to {name} gave other spikes")
                ablation_runs[name].append(hetnet_run_record(other, arrays, plastic))
            for script in scripts:
                script.run()
        plain, *ablation = [script.close() for script in scripts]
        record[mode] = summarise(runs, plain)
        record[mode]["hetnet_ablation"] = {}
        for name, other_runs in ablation_runs.items():  # same spikes (checked above), paired loop times
            slower = _paired([r["network_loop_seconds"] for r in other_runs],
                             [r["network_loop_seconds"] for r in runs])
            record[mode]["hetnet_ablation"][name] = {
                "without": HETNET_ABLATIONS[name][0], "same_spikes_every_round": True,
                "median_network_loop_seconds": _median([r["network_loop_seconds"] for r in other_runs]),
                "loop_time_over_hetnet_paired_rounds": slower,
                "loop_time_over_hetnet_paired_rounds_median": _median(slower),
                "runs": other_runs,
            }
            log(f"N={n} {mode}: hetnet ablated to {name}: loop {_median(slower):.2f}x hetnet's (paired)")
        record[mode]["ablation"] = {}
        for extra in ablation:  # the plain script with hetnet's speed-ups added one at a time
            summary = summarise_plain(extra)
            summary["speedup_over_plain"] = summary["events_per_second"] / record[mode]["plain"]["events_per_second"]
            summary["speedup_over_plain_paired_rounds_median"] = _median(
                _paired(_rates(extra["runs"], "run_seconds"), _rates(plain["runs"], "run_seconds")))
            record[mode]["ablation"][extra["variant"]] = summary
            log(f"N={n} plain {mode} + {extra['variant']}: {summary['events_per_second']:.3g} ev/s "
                f"({summary['speedup_over_plain']:.2f}x plain)")
        log(f"N={n} {mode}: hetnet runs {[round(r['simulation_seconds'], 3) for r in runs]} s "
            f"(overhead {[round(r['python_overhead_seconds'], 3) for r in runs]} s), plain runs "
            f"{[round(r['run_seconds'], 3) for r in plain['runs']]} s")
        log(f"N={n} {mode}: hetnet {record[mode]['hetnet']['events_per_second']:.3g} ev/s, plain "
            f"{record[mode]['plain']['events_per_second']:.3g} ev/s, ratio {record[mode]['ratio_hetnet_over_plain']:.2f}")

    log(f"N={n}: overhead breakdown (one profiled re-run)")
    record["overhead_breakdown"] = overhead_breakdown(network, stimulus)
    return record


def _median(values):
    values = [v for v in values if v is not None]
    return float(np.median(values)) if values else None


def _rates(runs, time_key):
    """Events per second of each run (``None`` where the time is missing)."""
    return [r["events"] / r[time_key] if r[time_key] else None for r in runs]


def _paired(rates, reference_rates):
    """Ratios of round-by-round rates (the runs were interleaved: same load in a round)."""
    return [a / b for a, b in zip(rates, reference_rates) if a is not None and b is not None]


def _side(runs, time_key):
    return {
        "median_events": _median([r["events"] for r in runs]),
        "median_run_seconds": _median([r[time_key] for r in runs]),
        "median_network_loop_seconds": _median([r["network_loop_seconds"] for r in runs]),
        "events_per_second": _median(_rates(runs, time_key)),
        "events_per_second_network_loop": _median(_rates(runs, "network_loop_seconds")),
        "median_recurrent_rate_hz": _median([r["recurrent_rate_hz"] for r in runs]),
        "median_input_rate_hz": _median([r["input_rate_hz"] for r in runs]),
        "runs": runs,
    }


def summarise_plain(plain: dict) -> dict:
    summary = _side(plain["runs"], "run_seconds")
    summary["compile_seconds"] = plain["compile_seconds"]
    summary["codegen_seconds"] = plain["codegen_seconds"]
    return summary


def summarise(hetnet_runs: list, plain: dict) -> dict:
    het = _side(hetnet_runs, "simulation_seconds")
    het["median_python_overhead_seconds"] = _median([r["python_overhead_seconds"] for r in hetnet_runs])
    het["median_overhead_fraction"] = _median([r["python_overhead_seconds"] / r["simulation_seconds"]
                                               for r in hetnet_runs])
    het["median_wall_seconds"] = _median([r["wall_seconds"] for r in hetnet_runs])
    pl = summarise_plain(plain)
    paired = _paired(_rates(hetnet_runs, "simulation_seconds"), _rates(plain["runs"], "run_seconds"))
    paired_loop = _paired(_rates(hetnet_runs, "network_loop_seconds"), _rates(plain["runs"], "network_loop_seconds"))
    return {
        "hetnet": het,
        "plain": pl,
        "ratio_paired_rounds_median": _median(paired),
        "ratio_paired_rounds": paired,
        "ratio_paired_rounds_network_loop_median": _median(paired_loop),
        "ratio_hetnet_over_plain": het["events_per_second"] / pl["events_per_second"],
        "ratio_hetnet_over_plain_network_loop": (het["events_per_second_network_loop"]
                                                 / pl["events_per_second_network_loop"]
                                                 if pl["events_per_second_network_loop"] else None),
        # issue 17 item 5: what a re-run costs besides its network loop, per run (medians), on its own line
        "fixed_cost_per_run_seconds": {
            "hetnet_simulate_minus_loop": _median([r["wall_seconds"] - r["network_loop_seconds"]
                                                   for r in hetnet_runs]),
            "hetnet_binary_minus_loop": _median([r["binary_seconds"] - r["network_loop_seconds"] for r in hetnet_runs
                                                 if r.get("binary_seconds") is not None]),
            "plain_binary_minus_loop": _median([r["binary_seconds"] - r["network_loop_seconds"] for r in plain["runs"]
                                                if r.get("binary_seconds") is not None]),
            "hetnet_network_loop": _median([r["network_loop_seconds"] for r in hetnet_runs]),
        },
        "overhead_target_met": het["median_overhead_fraction"] <= 0.10,
        "throughput_target_met": _median(paired) >= 1.0,
        "twice_plain_met": _median(paired) >= 2.0,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--quick", action="store_true", help="N = 500 only")
    parser.add_argument("--rate", type=float, default=12.0, help="input rate per channel (Hz)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1, help="Poisson seed of the plain script")
    parser.add_argument("--connectivity", choices=("default", "papers"), default="default",
                        help="the default connectivity, or the papers' sparser one (ConnectivityConfig.papers(): "
                             "the synapse density of the network before issue 11)")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="skip sizes not started after this many seconds of wall time")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "backends.json"))
    # internal: the plain script
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--arrays", help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=("static", "plastic"), help=argparse.SUPPRESS)
    parser.add_argument("--build-dir", help=argparse.SUPPRESS)
    parser.add_argument("--variant", choices=PLAIN_VARIANTS, default="plain", help=argparse.SUPPRESS)
    parser.add_argument("--duration-ms", type=float, default=DURATION_STEPS * STEP_MS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.plain:
        return plain_main(args)
    sizes = [500] if args.quick else args.sizes

    workdir = Path(tempfile.mkdtemp(prefix="hetnet-bench-"))
    os.environ["HETNET_CACHE"] = str(workdir / "cache")  # fresh builds
    from hetnet.provenance import provenance

    started = time.perf_counter()
    output = {
        "benchmark": "issue 4: hetnet cpp_standalone vs plain hand-written Brian2 cpp_standalone script",
        "provenance": provenance(backend="cpp_standalone"),
        "load_average_at_start": os.getloadavg(),
        "backend": "cpp_standalone",
        "settings": {
            "sizes": sizes, "n_input": N_INPUT, "input_rate_hz": args.rate,
            "biological_time_ms": DURATION_STEPS * STEP_MS, "dt_ms": 0.1, "repeats": args.repeats,
            "connectivity": args.connectivity,
            "config": "HRSNNConfig(n_neurons=N, seed=0) [connectivity=ConnectivityConfig.papers() with --connectivity papers], spike input (Poisson) (variant HeNHeS, soft-bound trace STDP, current-based synapses, background drive)",
            "events": "pre spikes x out-degree (all pathways incl. input) [+ post spikes x in-degree of "
                      "plastic synapses when plastic]",
            "events_per_second": "events / wall time of Brian2 device.run (hetnet: provenance simulation_seconds)",
            "static": "hetnet: simulate(plastic=False) (its own binary with static synapses); "
                      "plain: Synapses without STDP",
            "ablation": "the plain script with hetnet's speed-ups added one at a time: 'propagator' = "
                        "(v, J_e, J_i) advanced by their exact one-step propagator with coefficients "
                        "precomputed per neuron (a run_regularly) instead of method='exact' evaluating the "
                        "exponentials every step; '+rates' = event-driven traces written with 1/tau "
                        "(multiply) instead of /tau",
            "record_input": True,
        },
        "sizes": {},
    }
    try:
        for n in sizes:
            if args.time_limit is not None and time.perf_counter() - started > args.time_limit:
                output["sizes"][str(n)] = {"skipped": f"time limit of {args.time_limit:.0f} s reached before N={n}"}
                log(f"N={n}: skipped (time limit)")
                continue
            size_start = time.perf_counter()
            output["sizes"][str(n)] = bench_size(n, args, workdir)
            output["sizes"][str(n)]["bench_wall_seconds"] = time.perf_counter() - size_start
    finally:
        output["total_wall_seconds"] = time.perf_counter() - started
        output["load_average_at_end"] = os.getloadavg()
        shutil.rmtree(workdir, ignore_errors=True)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(output, indent=2, default=float) + "\n")
        log(f"wrote {out}")
    for n, record in output["sizes"].items():
        if "static" in record:
            log(f"N={n}: static ratio {record['static']['ratio_hetnet_over_plain']:.2f} (paired "
                f"{record['static']['ratio_paired_rounds_median']:.2f}), plastic ratio "
                f"{record['plastic']['ratio_hetnet_over_plain']:.2f} (paired "
                f"{record['plastic']['ratio_paired_rounds_median']:.2f}), overhead "
                f"{record['plastic']['hetnet']['median_overhead_fraction']:.1%} (plastic) "
                f"{record['static']['hetnet']['median_overhead_fraction']:.1%} (static), compile "
                f"{record['compile_vs_rerun']['first_call']['build_seconds']:.1f} s vs re-run "
                f"{record['compile_vs_rerun']['second_call']['wall_seconds']:.2f} s; loop ratios "
                f"{record['static']['ratio_paired_rounds_network_loop_median']:.2f} (static) "
                f"{record['plastic']['ratio_paired_rounds_network_loop_median']:.2f} (plastic)")
            for mode in ("static", "plastic"):
                fixed = record[mode]["fixed_cost_per_run_seconds"]
                log(f"N={n} {mode}: fixed cost per run: hetnet simulate - loop {fixed['hetnet_simulate_minus_loop']:.3f} s, "
                    f"binary - loop {fixed['hetnet_binary_minus_loop']:.3f} s (plain "
                    f"{fixed['plain_binary_minus_loop']:.3f} s); loop {fixed['hetnet_network_loop']:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
