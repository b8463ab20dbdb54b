"""Effective rank (kernel quality) on matrices with known singular values."""

import numpy as np
import pytest

from hetnet.analysis import effective_rank, singular_values


pytestmark = pytest.mark.usefixtures("single_blas_thread")   # tests/conftest.py


def matrix_with_singular_values(values, n_rows, n_columns, seed=0):
    rng = np.random.default_rng(seed)
    left, _ = np.linalg.qr(rng.standard_normal((n_rows, len(values))))
    right, _ = np.linalg.qr(rng.standard_normal((n_columns, len(values))))
    return left @ np.diag(values) @ right.T


VALUES = [10.0, 5.0, 2.0, 1.0, 0.5, 0.1]  # sum 18.6; cumsum 10, 15, 17, 18, 18.5, 18.6


@pytest.mark.parametrize(
    "threshold, expected",
    [(0.99, 5), (0.9, 3), (0.95, 4), (0.5, 1), (0.54, 2), (1.0, 6)],
)
def test_effective_rank_known_singular_values(threshold, expected):
    matrix = matrix_with_singular_values(VALUES, 40, 12)
    np.testing.assert_allclose(singular_values(matrix)[:6], VALUES, rtol=1e-12)
    assert effective_rank(matrix, threshold=threshold) == expected
    assert effective_rank(matrix.T, threshold=threshold) == expected


def test_effective_rank_exact_low_rank_matrix():
    matrix = matrix_with_singular_values([3.0, 2.0, 1.0], 50, 30, seed=1)
    assert effective_rank(matrix, threshold=1.0) == 3
    assert effective_rank(matrix) == 3  # 0.99 * 6 = 5.94 > 5


def test_effective_rank_identity_and_zero():
    assert effective_rank(np.eye(7)) == 7
    assert effective_rank(np.zeros((4, 5))) == 0


def test_effective_rank_rejects_bad_input():
    with pytest.raises(ValueError, match="threshold"):
        effective_rank(np.eye(3), threshold=0.0)
    with pytest.raises(ValueError, match="NaN"):
        effective_rank(np.array([[1.0, np.nan], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="dimension"):
        effective_rank(np.ones(3))
