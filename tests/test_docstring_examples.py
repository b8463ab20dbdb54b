"""The examples in the docstrings run and print what they claim (so they cannot rot)."""
import doctest
import importlib
import pkgutil

import pytest

import hetnet

MODULES = sorted(name for _, name, _ in pkgutil.walk_packages(hetnet.__path__, "hetnet."))


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name):
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {module_name}"
