"""Generate and nvcc-compile the HRSNN for Brian2CUDA (no GPU run) and record the figures.

Run in the Python >= 3.12 environment that has ``hetnet[cuda]``::

    .venv-cuda/bin/python bench/gpu_codegen.py --output bench/results/gpu_codegen.json

Writes machine, versions (Python, brian2, brian2cuda, nvcc, host compiler),
network size, code-generation and compilation seconds, whether the binary was
produced, and how the binary finds cuRAND. Nothing is run on a GPU.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

__all__ = ["main"]


def _command_output(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=60).stdout.strip()
    except OSError:
        return None


def main(argv=None):
    """Command-line entry point; returns the record written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-neurons", type=int, default=500)
    parser.add_argument("--n-input", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--compute-capability", type=float, default=None)
    parser.add_argument("--make-jobs", type=int, default=2)
    parser.add_argument("--directory", default=None, help="project folder (default: a temporary one, removed)")
    parser.add_argument("--output", default="bench/results/gpu_codegen.json")
    arguments = parser.parse_args(argv)

    from hetnet.backends.gpu import build_cuda_project, detect_gpus
    from hetnet.config import HRSNNConfig
    from hetnet.encoding import RateStimulus
    from hetnet.network import generate_network
    from hetnet.provenance import machine, package_versions

    config = HRSNNConfig(n_neurons=arguments.n_neurons, seed=arguments.seed)
    stimulus = RateStimulus(np.full((100, arguments.n_input), 20.0), step_ms=10.0)
    network = generate_network(config, n_input=arguments.n_input)
    directory = Path(arguments.directory or tempfile.mkdtemp(prefix="hetnet_cuda_"))
    start = time.perf_counter()
    error = None
    try:
        result = build_cuda_project(network, stimulus, directory, compile=True, require_gpu=False,
                                    compute_capability=arguments.compute_capability, make_jobs=arguments.make_jobs)
    except Exception as exception:  # recorded, then re-raised after writing
        result, error = None, exception
    total_seconds = time.perf_counter() - start

    setup = result["setup"] if result else {}
    binary = result["binary"] if result else None
    record = {
        "benchmark": "brian2cuda code generation + nvcc compilation of the HRSNN (no GPU run)",
        "machine": machine(),
        "versions": package_versions(),
        "nvcc_version": _command_output([setup.get("nvcc", "nvcc"), "--version"]),
        "host_compiler": (_command_output(["c++", "--version"]) or "").splitlines()[:1],
        "gpus": detect_gpus(),
        "backend": "cuda_standalone",
        "network": {
            "n_neurons": network.n_neurons,
            "n_input": network.n_input,
            "n_synapses": int(sum(len(s.pre) for s in network.synapses.values())),
            "simulated_ms": stimulus.duration_ms,
        },
        "make_jobs": arguments.make_jobs,
        "builder": "hetnet.network.brian.build_brian_network",
        "codegen_seconds": result["codegen_seconds"] if result else None,
        "compile_seconds": result["compile_seconds"] if result else None,
        "total_seconds": total_seconds,
        "compiled": bool(result and result["compiled"]),
        "binary_bytes": Path(binary).stat().st_size if binary else None,
        "binary_runpath": _command_output(["sh", "-c", f"readelf -d {binary} | grep -i path"]) if binary else None,
        "binary_curand": _command_output(["sh", "-c", f"ldd {binary} | grep -i curand"]) if binary else None,
        "load_average_after": list(os.getloadavg()),
        "ran_on_gpu": False,
        "setup": setup,
        "error": None if error is None else f"{type(error).__name__}: {error}",
    }
    output = Path(arguments.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(record, indent=2, default=str) + "\n")
    if arguments.directory is None:
        shutil.rmtree(directory, ignore_errors=True)
    print(json.dumps({key: record[key] for key in ("compiled", "codegen_seconds", "compile_seconds", "error")}))
    if error is not None:
        raise error
    return record


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
