"""Guarded readout and the reference forecasts measured beside the HRSNN."""
import numpy as np
import pytest

from hetnet.readout import PredictionReadout, RidgeReadout, StateScaler, ridge_readout
from hetnet.tasks.references import (
    ar_forecast, esn_forecast, esn_states, persistence_forecast, reference_forecasts,
)


def test_a_neuron_that_fired_once_early_cannot_blow_up_the_prediction():
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    n = 300
    states = rng.uniform(0, 1, size=(n, 20))
    weights = rng.normal(size=20)
    z = rng.normal(size=n)
    target = states @ weights + 0.3 * z
    # a trace that decayed to ~1e-11 and happens to correlate with the residual in the training rows
    train = np.column_stack([states, 1e-11 * z])
    test = np.column_stack([states[:50], np.full(50, 1.0)])      # the neuron fires in the test steps
    truth = states[:50] @ weights
    plain = make_pipeline(StandardScaler(), Ridge(alpha=1e-3)).fit(train, target)
    guarded = ridge_readout(alpha=1e-3).fit(train, target)
    error_plain = np.sqrt(np.mean((plain.predict(test) - truth) ** 2)) / truth.std()
    error_guarded = np.sqrt(np.mean((guarded.predict(test) - truth) ** 2)) / truth.std()
    assert error_plain > 1e6         # scikit-learn's scaler turns the spike into a feature of ~1e11
    assert error_guarded < 0.5       # the guard reads the near-constant column as 0
    scaler = StateScaler().fit(train)
    assert scaler.n_constant_ == 1


def test_state_scaler_zeroes_constant_columns():
    scaler = StateScaler().fit(np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0 + 1e-13]]))
    assert scaler.n_constant_ == 1
    np.testing.assert_array_equal(scaler.transform([[2.0, 100.0]]), [[0.0, 0.0]])


def test_ridge_is_chosen_on_the_last_training_rows_only():
    rng = np.random.default_rng(1)
    states = rng.normal(size=(200, 30))
    informative = states @ rng.normal(size=30)
    noise = rng.normal(size=200)
    assert RidgeReadout().fit(states, informative).alpha_ <= 1.0
    assert RidgeReadout().fit(states, noise).alpha_ >= 100.0
    with pytest.raises(ValueError, match="validation_fraction"):
        RidgeReadout(validation_fraction=1.0)


def test_persistence_and_ar_references_on_an_ar2_process():
    rng = np.random.default_rng(2)
    x = np.zeros(800)
    for t in range(2, 800):
        x[t] = 1.6 * x[t - 1] - 0.8 * x[t - 2] + 0.1 * rng.normal()
    persistence = persistence_forecast(x, 600, 100)
    truth, previous = x[601:701], x[600:700]
    assert persistence.nrmse == pytest.approx(np.sqrt(np.mean((truth - previous) ** 2)) / x[:600].std())
    ar = ar_forecast(x, 600, 100)
    assert ar.settings["order"] >= 2
    # one-step error of the true AR(2) model is the innovation: 0.1 / std(x)
    assert ar.nrmse == pytest.approx(0.1 / x[:600].std(), rel=0.25)
    assert ar.nrmse < 0.8 * persistence.nrmse
    free = ar_forecast(x, 600, 100, mode="free-running")
    assert free.predictions.shape == (100, 1) and free.nrmse > ar.nrmse


def test_esn_reference_uses_reservoirpy_and_predicts_a_sine():
    series = np.sin(np.arange(400) * 0.2)
    states = esn_states(series[:50], 40, seed=0)
    assert states.shape == (50, 40) and np.all(np.abs(states) < 1)
    esn = esn_forecast(series, 300, 50, n_units=100, seed=0)
    assert esn.nrmse < 0.05 and esn.settings["n_units"] == 100
    references = reference_forecasts(series, 300, 50, n_units=50)
    assert set(references) == {"persistence", "ar", "esn"}
    assert set(reference_forecasts(series, 300, 50)) == {"persistence", "ar"}


def test_ridge_penalty_is_chosen_on_held_out_training_rows():
    rng = np.random.default_rng(0)
    states = rng.normal(size=(300, 20))
    informative = states @ rng.normal(size=20) + 0.01 * rng.normal(size=300)
    assert PredictionReadout().fit(states, informative).alpha_ <= 1.0
    noise = rng.normal(size=300)
    assert PredictionReadout().fit(states, noise).alpha_ >= 100.0
