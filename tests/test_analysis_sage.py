"""SAGE values by permutation sampling (:mod:`hetnet.analysis.sage`) against cases with a known answer."""
import logging

import numpy as np
import pytest

from hetnet.analysis import SageResult, sage_values


def _linear(b):
    b = np.asarray(b, dtype=float)
    return lambda rows: rows @ b


def test_linear_model_matches_the_closed_form_with_correlated_features():
    """Background = the rows: SAGE value i = b_i (C b)_i exactly, C the rows' covariance (ddof 0)."""
    rng = np.random.default_rng(3)
    mixing = np.array([[1.0, 0.6, 0.0], [0.0, 1.0, 0.0], [0.0, 0.3, 0.5]])
    X = rng.normal(size=(300, 3)) @ mixing
    b = np.array([1.5, -1.0, 2.0])
    result = sage_values(_linear(b), X, X @ b, background=X, threshold=0.02, max_permutations=40000, seed=0)
    exact = b * (np.cov(X.T, bias=True) @ b)
    assert result.converged
    assert np.all(np.abs(result.values - exact) < 4 * result.std_errors), (result.values, exact, result.std_errors)
    # the values share out the loss the model removes: exact, draw by draw
    assert result.values.sum() == pytest.approx(result.base_loss - result.full_loss, rel=1e-9)
    assert result.full_loss == pytest.approx(0.0, abs=1e-20)


def test_independent_features_give_the_variance_each_explains():
    """f = 2 x0 + x1 + 0.5 x2 + 0 x3 with Var = 1, 1, 4, 1: SAGE = 4, 1, 1, 0 (b_i^2 Var x_i); y has noise."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 4)) * [1.0, 1.0, 2.0, 1.0]
    b = np.array([2.0, 1.0, 0.5, 0.0])
    y = X @ b + rng.normal(0, 0.5, 5000)
    result = sage_values(_linear(b), X, y, n_background=256, threshold=0.01, max_permutations=40000, seed=1,
                         feature_names=["a", "b", "c", "dummy"])
    np.testing.assert_allclose(result.values, [4.0, 1.0, 1.0, 0.0], atol=0.15)
    assert result.values[3] == 0.0 and result.std_errors[3] == 0.0   # a feature the model ignores
    assert result.ranking()[0] == "a" and result.ranking()[-1] == "dummy"
    assert result.full_loss == pytest.approx(0.25, rel=0.1)            # the noise is left unexplained
    low, high = result.interval().T
    assert np.all(low <= result.values) and np.all(result.values <= high)


def test_symmetric_interaction_is_shared_equally():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(400, 3))
    model = lambda rows: rows[:, 0] * rows[:, 1]  # noqa: E731
    result = sage_values(model, X, model(X), threshold=0.02, seed=3)
    assert abs(result.values[0] - result.values[1]) < 4 * np.hypot(*result.std_errors[:2])
    assert result.values[0] > 0.3 and result.values[2] == 0.0


def test_standard_errors_shrink_as_one_over_the_square_root_of_the_draws():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(200, 3))
    b = np.array([1.0, 2.0, 3.0])
    few = sage_values(_linear(b), X, X @ b, threshold=1e-6, min_permutations=400, max_permutations=400, seed=0)
    many = sage_values(_linear(b), X, X @ b, threshold=1e-6, min_permutations=6400, max_permutations=6400, seed=0)
    assert few.n_permutations == 400 and many.n_permutations == 6400
    assert np.all((few.std_errors / many.std_errors > 2.5) & (few.std_errors / many.std_errors < 6.0))


def test_not_converging_is_reported_and_logged(caplog):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(100, 2))
    with caplog.at_level(logging.WARNING, logger="hetnet.analysis.sage"):
        result = sage_values(_linear([1.0, 1.1]), X, X @ [1.0, 1.1], threshold=0.001, min_permutations=64,
                             max_permutations=128, batch_size=64)
    assert not result.converged and result.ratio > 0.001 and result.n_permutations == 128
    assert "did not converge" in caplog.text


def test_the_seed_fixes_the_estimate_and_multi_output_models_work():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(120, 2))
    model = lambda rows: np.column_stack([rows[:, 0], 2 * rows[:, 1]])  # noqa: E731
    y = model(X)
    a, b = sage_values(model, X, y, seed=7), sage_values(model, X, y, seed=7)
    assert np.array_equal(a.values, b.values) and np.array_equal(a.std_errors, b.std_errors)
    assert a.ranking() == ["x1", "x0"] and a.to_dict()["values"]["x1"] == pytest.approx(4 * X[:, 1].var(), rel=0.3)


def test_agrees_with_the_reference_implementation():
    """sage-importance (Covert's package) on the same model, data and background: the same values within errors."""
    sage = pytest.importorskip("sage")
    rng = np.random.default_rng(8)
    X = rng.normal(size=(300, 3)) * [1.0, 0.5, 2.0]
    model = lambda rows: np.tanh(rows[:, 0]) + rows[:, 1] * rows[:, 2]  # noqa: E731
    y = model(X) + rng.normal(0, 0.1, 300)
    background = X[:16]
    ours = sage_values(model, X, y, background=background, threshold=0.02, seed=0)
    estimator = sage.PermutationEstimator(sage.MarginalImputer(model, background), "mse", random_state=0)
    theirs = estimator(X, y, batch_size=128, thresh=0.02, bar=False, verbose=False)
    assert np.all(np.abs(ours.values - theirs.values) < 4 * np.hypot(ours.std_errors, theirs.std))


@pytest.mark.parametrize("kwargs, message", [
    ({"y": np.zeros(5)}, "X has 10 rows but y has 5"),
    ({"loss": "hinge"}, "loss must be one of mse, mae"),
    ({"threshold": 1.5}, "threshold must lie in"),
    ({"feature_names": ["a"]}, "1 feature names for 2 features"),
    ({"background": np.zeros((4, 3))}, "background must have shape"),
    ({"model": lambda rows: rows[:1, 0]}, "model returned 1 predictions"),
])
def test_bad_input_is_refused(kwargs, message):
    X = np.arange(20.0).reshape(10, 2)
    arguments = {"model": _linear([1.0, 1.0]), "X": X, "y": X.sum(axis=1), **kwargs}
    with pytest.raises(ValueError, match=message):
        sage_values(arguments.pop("model"), arguments.pop("X"), arguments.pop("y"), **arguments)


def test_result_is_json_ready():
    result = SageResult(np.array([0.2, 0.1]), np.array([0.01, 0.02]), ("p", "q"), 300, True, 0.3, 0.05, "mse", 1.0,
                        0.7)
    data = result.to_dict()
    assert data["ranking"] == ["p", "q"] and data["std_errors"]["q"] == 0.02 and data["converged"] is True
