"""Public API of hetnet.analysis: exports, no Brian2, runnable docstring examples."""

import doctest
import importlib
import pathlib
import pkgutil
import subprocess
import sys

import numpy as np
import pytest

import hetnet.analysis as analysis

MODULES = [
    importlib.import_module(f"hetnet.analysis.{info.name}")
    for info in pkgutil.iter_modules(analysis.__path__)
]


def test_public_names_exist():
    for name in analysis.__all__:
        assert hasattr(analysis, name), name
    for required in [
        "effective_rank", "memory_capacity", "spike_counts", "average_activation", "spike_efficiency",
        "heterogeneity", "rmse", "nrmse", "valid_prediction_time", "synaptic_operations", "energy",
        "sop_ratio", "lyapunov_spectrum", "network_lyapunov", "NetworkLyapunov",
    ]:
        assert required in analysis.__all__


def test_every_module_declares_all():
    for module in MODULES:
        assert isinstance(getattr(module, "__all__", None), list), module.__name__


def test_no_brian2_anywhere():
    package = pathlib.Path(analysis.__file__).parent
    for path in package.glob("*.py"):
        assert "brian2" not in path.read_text(), path
    code = "import sys, hetnet.analysis; print('brian2' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "False"


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, extraglobs={"np": np}, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
