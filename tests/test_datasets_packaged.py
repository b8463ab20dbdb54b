"""Offline real data shipped inside installed packages."""

import numpy as np
import pytest

from hetnet.datasets import load_co2, load_digits, load_santafe_laser, load_sunspots, stratified_split
from hetnet.datasets.base import optional_import


def test_sunspots_and_co2():
    pytest.importorskip("statsmodels")
    sunspots = load_sunspots()
    assert sunspots.shape == (309, 1)
    assert sunspots[0, 0] == 5.0 and sunspots.min() >= 0
    co2 = load_co2()
    assert co2.shape == (2284, 1) and np.isfinite(co2).all()
    assert 310 < co2[0, 0] < 320 and co2[-1, 0] > 360  # rising trend


def test_santafe_laser():
    pytest.importorskip("reservoirpy")
    laser = load_santafe_laser()
    assert laser.shape == (10093, 1)
    np.testing.assert_array_equal(laser[:3, 0], [86, 141, 95])


def test_digits_and_split():
    data = load_digits()
    assert data.samples.shape == (1797, 8, 8) and data.samples.max() == 16
    train, test = stratified_split(data.labels, 0.7, seed=0)
    assert len(set(train) & set(test)) == 0 and len(train) + len(test) == 1797
    assert set(data.labels[test]) == set(range(10))
    again, _ = stratified_split(data.labels, 0.7, seed=0)
    np.testing.assert_array_equal(train, again)
    small = data.subset(train[:5])
    assert len(small) == 5 and small.class_names == data.class_names


def test_optional_import_names_the_extra():
    with pytest.raises(ImportError, match=r"hetnet\[data\]"):
        optional_import("no_such_module_hetnet", "a loader")
