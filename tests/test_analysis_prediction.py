"""RMSE / NRMSE against hand computations; VPT of forecasts built to diverge
at a known step."""

import numpy as np
import pytest

from hetnet.analysis import normalisation_scale, nrmse, rmse, valid_prediction_time

# Two dimensions, four steps.
Y_TRUE = np.array([[1.0, 10.0], [2.0, 10.0], [3.0, 30.0], [4.0, 30.0]])
Y_PRED = np.array([[1.0, 12.0], [3.0, 10.0], [3.0, 30.0], [2.0, 26.0]])
# errors: dim0 [0, -1, 0, 2] -> MSE 5/4; dim1 [-2, 0, 0, 4] -> MSE 20/4
# std (ddof 0): dim0 sqrt(1.25); dim1 10.0


def test_rmse_by_hand():
    assert rmse(Y_TRUE, Y_PRED) == pytest.approx(np.sqrt((5 + 20) / 8))
    assert rmse([0.0, 0.0, 0.0], [1.0, 1.0, 4.0]) == pytest.approx(np.sqrt(18 / 3))


def test_nrmse_default_is_per_dimension_std():
    per_dimension = np.array([np.sqrt(1.25) / np.sqrt(1.25), np.sqrt(5.0) / 10.0])
    np.testing.assert_allclose(nrmse(Y_TRUE, Y_PRED, multioutput="raw_values"), per_dimension)
    expected = np.sqrt((1.25 / 1.25 + 5.0 / 100.0) / 2)
    assert nrmse(Y_TRUE, Y_PRED) == pytest.approx(expected, rel=1e-14)
    # one dimension: RMSE / std
    assert nrmse(Y_TRUE[:, 0], Y_PRED[:, 0]) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "norm, scales",
    [
        ("var", [1.25, 100.0]),
        ("range", [3.0, 20.0]),
        ("mean", [2.5, 20.0]),
        ("q1q3", [1.5, 20.0]),
        (4.0, [4.0, 4.0]),
        ([2.0, 5.0], [2.0, 5.0]),
    ],
)
def test_nrmse_other_normalisations(norm, scales):
    np.testing.assert_allclose(normalisation_scale(Y_TRUE, norm), scales)
    mse = np.array([1.25, 5.0])
    expected = np.sqrt(np.mean(mse / np.asarray(scales) ** 2))
    assert nrmse(Y_TRUE, Y_PRED, norm=norm) == pytest.approx(expected, rel=1e-14)


def test_nrmse_errors():
    with pytest.raises(ValueError, match="shapes"):
        nrmse(Y_TRUE, Y_PRED[:3])
    with pytest.raises(ValueError, match="constant"):
        nrmse(np.ones(5), np.zeros(5))
    with pytest.raises(ValueError, match="unknown norm"):
        nrmse(Y_TRUE, Y_PRED, norm="max")


def diverging_forecast(truth, initial_error, growth_per_step):
    """Forecast whose normalised error is exactly initial_error * exp(growth * t)
    in every dimension."""
    scale = truth.std(axis=0)
    steps = np.arange(truth.shape[0])[:, None]
    return truth + scale * initial_error * np.exp(growth_per_step * steps)


def test_vpt_of_exponentially_diverging_forecast():
    t = np.arange(300) * 0.01
    truth = np.column_stack([np.sin(3 * t), np.cos(2 * t), t])
    initial_error, growth = 1e-4, 0.05
    # first step with 1e-4 * exp(0.05 t) > 0.5: t > ln(5000) / 0.05 = 170.34
    forecast = diverging_forecast(truth, initial_error, growth)
    result = valid_prediction_time(truth, forecast, dt=0.01, lyapunov_exponent=0.906)
    assert result.steps == 171
    assert result.time == pytest.approx(1.71)
    assert result.lyapunov_times == pytest.approx(0.906 * 1.71)
    np.testing.assert_allclose(result.error, initial_error * np.exp(growth * np.arange(300)), rtol=1e-9)
    # a stricter threshold shortens it: 1e-4 exp(0.05 t) > 0.1 -> t > ln(1000) / 0.05 = 138.2
    assert valid_prediction_time(truth, forecast, dt=0.01, threshold=0.1).steps == 139


def test_vpt_step_divergence_and_edge_cases():
    truth = np.sin(np.arange(100) * 0.2)
    forecast = truth.copy()
    forecast[37:] += 3.0
    result = valid_prediction_time(truth, forecast, dt=2.0)
    assert result.steps == 37 and result.time == 74.0 and result.lyapunov_times is None
    assert valid_prediction_time(truth, truth, dt=1.0).steps == 100  # never diverges
    assert valid_prediction_time(truth, truth + 5.0, dt=1.0).steps == 0  # wrong from the start
    # an explicit scale (e.g. the training data's std) replaces the window's std
    assert valid_prediction_time(truth, truth + 0.4, dt=1.0, norm=1.0).steps == 100
    assert valid_prediction_time(truth, truth + 0.6, dt=1.0, norm=1.0).steps == 0
