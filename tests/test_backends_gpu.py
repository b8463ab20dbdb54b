"""GPU backends: clear errors everywhere; Brian2CUDA code generation and nvcc compilation where possible.

The error tests run in any environment (they simulate what is missing).
The Brian2CUDA tests need brian2cuda (Python >= 3.12, ``hetnet[cuda]``) and
nvcc; they are skipped elsewhere. None of them needs a GPU: nothing is run.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from hetnet.backends import gpu
from hetnet.backends.gpu import BackendUnavailable, configure_cuda_standalone, configure_genn, detection, environment
from hetnet.backends.gpu import makefile as cuda_makefile


def _has_brian2cuda():
    try:
        import brian2cuda  # noqa: F401
    except Exception:
        return False
    return True


def _has_nvcc():
    try:
        gpu.find_cuda_toolkit()
    except BackendUnavailable:
        return False
    return True


needs_cuda = pytest.mark.skipif(not (_has_brian2cuda() and _has_nvcc()),
                                reason="needs brian2cuda (Python >= 3.12, hetnet[cuda]) and nvcc")


# --------------------------------------------------------------------------- errors (any environment)


def test_import_does_not_import_brian2():
    code = "import sys, hetnet.backends.gpu; print('brian2' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"


def test_cuda_without_brian2cuda_names_the_fix(monkeypatch):
    monkeypatch.setitem(sys.modules, "brian2cuda", None)  # import brian2cuda -> ImportError
    with pytest.raises(BackendUnavailable) as raised:
        configure_cuda_standalone(require_gpu=False)
    message = str(raised.value)
    assert "brian2cuda is not importable" in message
    assert 'pip install "hetnet[cuda]"' in message
    assert "Python >= 3.12" in message and "brian2 == 2.10.1" in message
    assert raised.value.backend == "cuda_standalone"


def test_cuda_requiring_a_gpu_without_one(monkeypatch):
    monkeypatch.setattr(detection, "detect_gpus", lambda: [])
    with pytest.raises(BackendUnavailable) as raised:
        configure_cuda_standalone(require_gpu=True)
    message = str(raised.value)
    assert "no NVIDIA GPU is visible" in message
    assert "require_gpu=False" in message


def test_all_problems_in_one_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "brian2cuda", None)
    monkeypatch.setattr(detection, "detect_gpus", lambda: [])
    with pytest.raises(BackendUnavailable) as raised:
        configure_cuda_standalone(require_gpu=True)
    whats = [what for what, _ in raised.value.problems]
    assert any("brian2cuda" in what for what in whats)
    assert any("GPU" in what for what in whats)
    assert all(fix for _, fix in raised.value.problems)


def test_missing_cuda_toolkit(tmp_path):
    with pytest.raises(BackendUnavailable) as raised:
        gpu.find_cuda_toolkit(cuda_path=tmp_path)
    assert "bin/nvcc" in str(raised.value) and "CUDA_PATH" in str(raised.value)


def test_detect_gpus_without_nvidia_smi(monkeypatch):
    monkeypatch.setattr(detection.shutil, "which", lambda name: None)
    assert gpu.detect_gpus() == []


def _fake_nvidia_smi(folder: Path, text: str, status: int = 0) -> None:
    script = folder / "nvidia-smi"
    script.write_text(f"#!/bin/sh\ncat <<'END'\n{text}\nEND\nexit {status}\n")
    script.chmod(0o755)


def test_detect_gpus_parses_nvidia_smi(tmp_path, monkeypatch):
    _fake_nvidia_smi(tmp_path, "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1)\nGPU 1: NVIDIA A100 (UUID: GPU-2)")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert gpu.detect_gpus() == ["NVIDIA H100 80GB HBM3", "NVIDIA A100"]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    assert gpu.detect_gpus() == ["NVIDIA A100"]


def test_detect_gpus_when_driver_fails(tmp_path, monkeypatch):
    _fake_nvidia_smi(tmp_path, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver", 9)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert gpu.detect_gpus() == []


def test_genn_without_genn_path(monkeypatch):
    monkeypatch.delenv("GENN_PATH", raising=False)
    with pytest.raises(BackendUnavailable) as raised:
        configure_genn(use_gpu=False)
    message = str(raised.value)
    assert "GENN_PATH is not set" in message
    assert "GeNN 4" in message and "export GENN_PATH=" in message
    assert raised.value.backend == "genn"


def test_genn_without_brian2genn_explains_the_separate_environment(monkeypatch):
    real_version = detection.package_version
    monkeypatch.setattr(environment, "package_version",
                        lambda name: None if name == "brian2genn" else real_version(name))
    with pytest.raises(BackendUnavailable) as raised:
        configure_genn(use_gpu=False, genn_path="/nonexistent")
    message = str(raised.value)
    assert "brian2genn is not installed" in message
    assert "brian2 < 2.6" in message and "numpy < 2" in message and '".[genn]"' in message


def test_genn_rejects_genn_5_and_non_trees(tmp_path, monkeypatch):
    monkeypatch.setattr(environment, "package_version", lambda name: None if name == "brian2genn" else "1.0")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "genn-buildmodel.sh").write_text("#!/bin/sh\n")
    (tmp_path / "version.txt").write_text("5.1.0\n")
    with pytest.raises(BackendUnavailable) as raised:
        configure_genn(use_gpu=False, genn_path=str(tmp_path))
    assert "GeNN 5.1.0" in str(raised.value)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(BackendUnavailable) as raised:
        configure_genn(use_gpu=False, genn_path=str(empty))
    assert "not a GeNN source tree" in str(raised.value)


def test_genn_with_gpu_requested_but_absent(monkeypatch):
    monkeypatch.setattr(detection, "detect_gpus", lambda: [])
    with pytest.raises(BackendUnavailable) as raised:
        configure_genn(use_gpu=True)
    assert "use_gpu=False" in str(raised.value)


def test_genn_rejects_new_brian2(tmp_path, monkeypatch):
    versions = {"brian2genn": "1.7.0", "brian2": "2.9.0", "numpy": "2.2.6"}
    monkeypatch.setattr(environment, "package_version", versions.get)
    monkeypatch.delenv("GENN_PATH", raising=False)
    with pytest.raises(BackendUnavailable) as raised:
        configure_genn(use_gpu=False)
    message = str(raised.value)
    assert "brian2 2.9.0" in message and "numpy < 2" in message


def test_curand_from_a_wheel_gets_a_link_folder(tmp_path, monkeypatch):
    toolkit = tmp_path / "cuda"
    (toolkit / "include").mkdir(parents=True)
    (toolkit / "lib").mkdir()
    wheel = tmp_path / "site" / "cu13"
    (wheel / "include").mkdir(parents=True)
    (wheel / "lib").mkdir()
    (wheel / "include" / "curand.h").write_text("")
    (wheel / "lib" / "libcurand.so.10").write_text("")
    monkeypatch.setitem(sys.modules, "nvidia", types.SimpleNamespace(__path__=[str(tmp_path / "site")]))
    monkeypatch.setenv("HETNET_CACHE", str(tmp_path / "cache"))
    found = gpu.find_curand(toolkit, "13.0")
    assert found["include_dir"] == str(wheel / "include")
    assert found["library_dir"] == str(wheel / "lib")
    link = Path(found["link_dir"]) / "libcurand.so"
    assert link.is_symlink() and link.resolve() == (wheel / "lib" / "libcurand.so.10").resolve()
    assert gpu.find_curand(toolkit, "13.0") == found  # a second call reuses the link


def test_curand_missing_names_the_wheel(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "nvidia", None)
    with pytest.raises(BackendUnavailable) as raised:
        gpu.find_curand(tmp_path, "13.0")
    assert "pip install nvidia-curand" in str(raised.value)
    with pytest.raises(BackendUnavailable) as raised:
        gpu.find_curand(tmp_path, "12.4")
    assert "pip install nvidia-curand-cu12" in str(raised.value)


def test_makefile_rewrite_sets_cxx17(monkeypatch):
    written = {}

    class Writer:
        source_files = {"main.cu"}

        def write(self, filename, contents):
            written[filename] = contents

    monkeypatch.setitem(cuda_makefile._makefile_settings, "cxx_standard", "c++17")
    writer = cuda_makefile._MakefileRewritingWriter(Writer())
    makefile = 'NVCCFLAGS = -I. -std=c++11 -arch=sm_80 -Xcompiler "-O3 -std=c++11"'
    writer.write("makefile", makefile)
    writer.write("main.cu", "// -std=c++11 stays in sources")
    assert written["makefile"] == 'NVCCFLAGS = -I. -std=c++17 -arch=sm_80 -Xcompiler "-O3 -std=c++17"'
    assert written["main.cu"] == "// -std=c++11 stays in sources"
    assert writer.source_files == {"main.cu"}


def test_check_default_clock_names_objects_with_their_own_clock():
    b2 = pytest.importorskip("brian2")
    own = b2.NeuronGroup(2, "v : 1", dt=0.1 * b2.ms, name="own_clock_group")
    shared = b2.NeuronGroup(2, "v : 1", name="default_clock_group")
    with pytest.raises(ValueError, match="own_clock_group") as raised:
        gpu.check_default_clock(b2.Network(own, shared))
    assert "default_clock_group" not in str(raised.value)
    gpu.check_default_clock(b2.Network(shared))


# --------------------------------------------------------------------------- Brian2CUDA (brian2cuda + nvcc)


def _small_network(n_neurons=100, n_input=10):
    from hetnet.config import HRSNNConfig
    from hetnet.encoding import RateStimulus
    from hetnet.network import generate_network

    stimulus = RateStimulus(np.full((10, n_input), 20.0), step_ms=10.0)
    return generate_network(HRSNNConfig(n_neurons=n_neurons, seed=3), n_input=n_input), stimulus


@needs_cuda
def test_cuda_configure_without_gpu_sets_preferences(monkeypatch):
    monkeypatch.setattr(detection, "detect_gpus", lambda: [])
    info = configure_cuda_standalone(require_gpu=False, compute_capability=9.0)
    from brian2 import prefs

    backend = prefs.devices.cuda_standalone.cuda_backend
    assert backend.detect_gpus is False and backend.gpu_id == 0 and backend.compute_capability == 9.0
    assert backend.cuda_path == info["cuda_path"]
    assert info["cxx_standard"] == "c++17" and info["gpu_detection"] is False
    again = configure_cuda_standalone(require_gpu=False, compute_capability=9.0)
    assert again["extra_compile_args_nvcc"] == info["extra_compile_args_nvcc"]  # nothing added twice
    assert again["library_dirs"] == info["library_dirs"]


@needs_cuda
def test_cuda_code_generation_writes_a_cxx17_makefile_with_curand(tmp_path, monkeypatch):
    monkeypatch.setattr(detection, "detect_gpus", lambda: [])
    network, stimulus = _small_network()
    result = gpu.build_cuda_project(network, stimulus, tmp_path / "project", compile=False)
    makefile = (tmp_path / "project" / "makefile").read_text()
    assert "-std=c++17" in makefile and "-std=c++11" not in makefile
    assert "-arch=sm_80" in makefile
    curand = result["setup"]["curand"]
    if curand["source"] != "toolkit":
        assert f"-I{curand['include_dir']}" in makefile and f"-L{curand['link_dir']}" in makefile
    assert "random_number_buffer.set_seed" in (tmp_path / "project" / "main.cu").read_text()
    import brian2

    assert brian2.get_device().__class__.__name__ == "RuntimeDevice"  # device restored


@needs_cuda
@pytest.mark.slow
def test_cuda_code_generation_and_nvcc_compilation(tmp_path, monkeypatch):
    """Full nvcc build of the HRSNN (about 5 minutes on 2 cores); the binary is not run."""
    monkeypatch.setattr(detection, "detect_gpus", lambda: [])
    network, stimulus = _small_network()
    result = gpu.build_cuda_project(network, stimulus, tmp_path / "project", compile=True, make_jobs=2)
    assert result["compiled"], "nvcc produced no binary"
    binary = Path(result["binary"])
    assert binary.stat().st_size > 0
    curand = result["setup"]["curand"]
    if curand["source"] != "toolkit" and shutil.which("readelf"):
        dynamic = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True).stdout
        assert curand["library_dir"] in dynamic  # the binary finds the wheel's libcurand at run time


# --------------------------------------------------------------------------- Brian2GeNN (brian2genn installed)


def _has_brian2genn():
    try:
        import brian2genn  # noqa: F401
    except Exception:
        return False
    return True


@pytest.mark.skipif(not _has_brian2genn(), reason="needs brian2genn (its own environment: hetnet[genn])")
def test_genn_configure_cpu_only_with_a_genn_tree(tmp_path, monkeypatch):
    """A folder shaped like a GeNN 4.9 tree is accepted; GeNN itself is not run."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "genn-buildmodel.sh").write_text("#!/bin/sh\n")
    (tmp_path / "version.txt").write_text("4.9.0\n")
    monkeypatch.setenv("GENN_PATH", str(tmp_path))
    info = configure_genn(use_gpu=False)
    from brian2 import prefs

    assert prefs.devices.genn.path == str(tmp_path)
    assert info["genn_version"] == "4.9.0" and info["set_device_options"] == {"use_GPU": False}


@pytest.mark.skipif(not _has_brian2genn(), reason="needs brian2genn (its own environment: hetnet[genn])")
def test_genn_generates_the_hrsnn_project_and_a_failed_build_is_explained(tmp_path, monkeypatch):
    """The real run_genn path up to GeNN: Brian2GeNN writes the whole project of the HRSNN
    (rate input as Poisson spikes, ODE neuron form, STDP); a GeNN tree whose
    genn-buildmodel.sh fails gives one GeNNBuildError, not Brian2GeNN's traceback."""
    import numpy as np

    from hetnet.backends.genn import GeNNBuildError, run_genn
    from hetnet.config import HRSNNConfig
    from hetnet.encoding import RateStimulus
    from hetnet.network import generate_network

    tree = tmp_path / "genn"
    (tree / "bin").mkdir(parents=True)
    (tree / "bin" / "genn-buildmodel.sh").write_text("#!/bin/sh\necho 'stub genn-buildmodel' >&2\nexit 3\n")
    (tree / "bin" / "genn-buildmodel.sh").chmod(0o755)
    (tree / "version.txt").write_text("4.9.0\n")
    monkeypatch.setenv("GENN_PATH", str(tree))
    monkeypatch.setenv("HETNET_GENN_CPU", "1")
    monkeypatch.setenv("HETNET_GENN_KEEP", "1")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    network = generate_network(HRSNNConfig(n_neurons=30, seed=1), n_input=3)
    stimulus = RateStimulus(np.full((3, 3), 20.0), step_ms=10.0)
    with pytest.raises(GeNNBuildError, match="GENN_PATH"):
        run_genn(network, stimulus, plastic=True, seed=1)
    (project,) = list(tmp_path.glob("hetnet-genn-*"))
    model = (project / "magicnetwork_model.cpp").read_text()
    assert "inv_taupre" in model and "xpost" in model  # the STDP synapses
    assert "tau_m" in model  # the ODE neuron form (no run_regularly for GeNN)
    assert (project / "main.cpp").exists() and (project / "engine.cpp").exists()
