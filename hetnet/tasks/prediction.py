"""Time-series prediction with an HRSNN reservoir and a linear readout.

Protocol (:ref:`science-states`): the series is rate-coded (statistics of the
training steps only), a network is generated for each variant, trained
without supervision (STDP on) on the training steps, frozen, and run again
on the whole series. The state at step ``t`` (exponentially filtered spike
trains, read at the end of the step) is mapped by a ridge readout to the
next value ``series[t + 1]``.

- ``mode="one-step"``: teacher forcing; the test input is the true series,
  so each prediction of ``series[t + 1]`` uses the true values up to ``t``.
- ``mode="free-running"``: autoregressive; after the training steps the
  network only sees its own predictions. Because the simulator runs a whole
  stimulus at a time, each forecast step re-runs the frozen network on the
  last ``context_steps`` values (true history then predictions) and reads
  the state at the end: ``test_steps`` short simulations.

Metrics: RMSE, NRMSE (each dimension divided by its standard deviation over
the training steps: a fixed scale, independent of the short test window)
and the valid prediction time (first step whose normalised error exceeds
0.5, same scale), in steps and, when an exponent is known, Lyapunov times.
The readout (:class:`hetnet.readout.RidgeReadout`) chooses its penalty on
the last 20 % of the training rows. ``nrmse`` is the prediction from the
reservoir state alone; one-step runs also report ``nrmse_with_input``, the
same readout given the current (standardised) input value as well, so the
reservoir's own contribution shows against what the present value alone
brings. The frozen run's firing regime (:func:`hetnet.analysis.firing_regime`)
is reported beside the errors.

Examples
--------
>>> from hetnet.config import HRSNNConfig
>>> from hetnet.datasets import lorenz63
>>> config = HRSNNConfig(n_neurons=50, dt_ms=0.5)
>>> results = predict_series(config, lorenz63(161), train_steps=120, test_steps=40,
...                          variants=("HeNHeS",))  # doctest: +SKIP
>>> sorted(results["HeNHeS"])[:3]  # doctest: +SKIP
['mode', 'nrmse', 'predictions']
"""

from __future__ import annotations

import logging
import time
from typing import Callable, Optional, Sequence

import numpy as np

from hetnet._deprecation import moved
from hetnet.config import HRSNNConfig
from hetnet.encoding import encode_series, standardise
from hetnet.readout import MLPReadout, RidgeReadout

__all__ = ["predict_series", "prediction_series", "split_coverage", "LYAPUNOV_EXPONENTS"]

logger = logging.getLogger(__name__)

#: Largest Lyapunov exponents in 1 / (model time unit) for the VPT in Lyapunov times.
LYAPUNOV_EXPONENTS = {"lorenz63": 0.906, "rossler": 0.0714, "mackey-glass": 0.0086}

# hetnet.tasks.prediction.PredictionReadout: moved to hetnet.readout (this name warns for one release)
__getattr__ = moved(__name__, {"PredictionReadout": "hetnet.readout"})


def prediction_series(series, train_steps: int, test_steps: int, washout_steps: int = 0):
    """Check a series for one-step prediction and return its used part and the training spread.

    Parameters
    ----------
    series : array_like, shape (n_steps,) or (n_steps, dims)
    train_steps, test_steps : int
        The series needs ``train_steps + test_steps + 1`` steps (the last target).
    washout_steps : int
        Must be smaller than ``train_steps - 1``.

    Returns
    -------
    values : numpy.ndarray, shape (train_steps + test_steps + 1, dims)
    scale : numpy.ndarray, shape (dims,)
        Standard deviation of each dimension over the training steps (1 where it is 0),
        the denominator of the NRMSE.

    Examples
    --------
    >>> values, scale = prediction_series(np.arange(10.0), train_steps=6, test_steps=2)
    >>> values.shape, scale.round(3)
    ((9, 1), array([1.708]))
    """
    values = np.asarray(series, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    needed = train_steps + test_steps + 1
    if values.ndim != 2 or len(values) < needed:
        raise ValueError(f"series needs shape (>= {needed}, dims); got {values.shape}")
    if not 0 <= washout_steps < train_steps - 1:
        raise ValueError("washout_steps must be smaller than train_steps - 1")
    values = values[:needed]
    scale = values[:train_steps].std(axis=0)
    scale[scale == 0] = 1.0
    return values, scale


def split_coverage(values, train_steps: int, test_steps: int) -> float:
    """Fraction of the test targets with a dimension outside the training range.

    The targets are ``values[train_steps + 1: train_steps + test_steps + 1]``
    (one-step prediction); the range is the min..max of each dimension over
    the first ``train_steps`` values. A readout fitted on states of the
    training range extrapolates on the others: a large fraction makes the
    NRMSE of any reservoir meaningless.

    Parameters
    ----------
    values : array_like, shape (n_steps,) or (n_steps, dims)
    train_steps, test_steps : int

    Returns
    -------
    float

    Examples
    --------
    >>> split_coverage(np.r_[0.0, 2.0, 1.0, 1.0, 3.0], train_steps=2, test_steps=2)   # targets 1.0, 3.0
    0.5
    >>> from hetnet.datasets.chaotic import lorenz63
    >>> round(split_coverage(lorenz63(401, seed=1), 300, 100), 2)   # one wing in training
    0.5
    >>> split_coverage(lorenz63(601, seed=1), 500, 100)
    0.0
    """
    values = np.asarray(values, dtype=float)
    values = values[:, None] if values.ndim == 1 else values
    if values.ndim != 2 or len(values) < train_steps + test_steps + 1 or train_steps < 1 or test_steps < 1:
        raise ValueError(f"split_coverage needs >= {train_steps + test_steps + 1} steps and positive train/test "
                         f"steps; got shape {values.shape}, train {train_steps}, test {test_steps}")
    train = values[:train_steps]
    test = values[train_steps + 1: train_steps + test_steps + 1]
    outside = (test < train.min(axis=0)) | (test > train.max(axis=0))
    return float(outside.any(axis=1).mean())


def _metrics(truth, prediction, scale, dt, lyapunov_exponent):
    from hetnet.analysis import nrmse, rmse, valid_prediction_time

    vpt = valid_prediction_time(truth, prediction, dt=dt, threshold=0.5,
                                lyapunov_exponent=lyapunov_exponent, norm=scale)
    return {
        "rmse": float(rmse(truth, prediction)),
        "nrmse": float(nrmse(truth, prediction, norm=scale)),
        "vpt_steps": int(vpt.steps),
        "vpt_time": float(vpt.time),
        "vpt_lyapunov_times": None if vpt.lyapunov_times is None else float(vpt.lyapunov_times),
    }


def predict_series(
    config: HRSNNConfig,
    series,
    *,
    train_steps: int = 500,
    test_steps: int = 100,
    variants: Sequence[str] = ("HoNHoS", "HeNHeS"),
    mode: str = "one-step",
    washout_steps: int = 50,
    context_steps: int = 50,
    ridge: Optional[float] = None,
    state_kind: str = "counts+filtered",
    tau_ms: Optional[float] = None,
    readout: str = "ridge",
    dt: float = 1.0,
    lyapunov_exponent: Optional[float] = None,
    progress: Optional[Callable[[str], None]] = None,
    backend: Optional[str] = None,
    networks: Optional[dict] = None,
) -> dict:
    """Train on ``train_steps`` values, predict the next ``test_steps``.

    Parameters
    ----------
    config : HRSNNConfig
        Network; ``variant`` is replaced by each entry of ``variants``.
    series : array_like, shape (n_steps, dims)
        Needs at least ``train_steps + test_steps + 1`` steps (the first
        ``train_steps + test_steps + 1`` are used).
    train_steps, test_steps : int
    variants : sequence of str
    mode : {"one-step", "free-running"}
    washout_steps : int
        First training steps left out of the readout fit.
    context_steps : int
        Free-running only: history length of each re-run.
    ridge : float, optional
        Ridge penalty (states standardised); ``None`` (default) chooses it
        from 1e-3 .. 1e4 on the last 20 % of the training rows (time-ordered).
    state_kind, tau_ms :
        Passed to ``SimulationResult.state_matrix``; ``tau_ms`` ``None``
        (default): four input steps (:func:`hetnet.tasks.memory.state_tau_ms`).
    readout : {"ridge", "mlp"}
        ``"mlp"``: the paper's readout (:class:`hetnet.readout.MLPReadout`).
    dt : float
        Time between series steps (model units) for the VPT.
    lyapunov_exponent : float, optional
        Gives the VPT in Lyapunov times.
    progress : callable, optional
        Called with a short message per stage.
    backend : str, optional
        Overrides ``config.backend`` (e.g. ``"cpp_standalone"``).
    networks : dict of NetworkInstance, optional
        Run these networks (e.g. pruned ones) instead of generating one per
        variant: ``{label: network}``; ``variants`` and ``config`` are then
        ignored (each network carries its configuration). Their ``n_input``
        must match the encoded series.

    Returns
    -------
    dict
        ``{variant: {"mode", "rmse", "nrmse", "nrmse_with_input" (one-step, ridge readout),
        "vpt_steps", "vpt_time", "vpt_lyapunov_times", "train_nrmse", "mean_rate_hz",
        "spikes_per_neuron", "synchrony", "isi_cv", "fano_factor", "silent_fraction",
        "n_neurons", "n_synapses", "recurrent_sops" (synaptic
        operations of the frozen run over the whole series), "training_mean_rate_hz",
        "test_outside_training_range" (:func:`split_coverage`; above 0.1 a warning is logged), "wall_seconds",
        "predictions", "truth", "frozen"}}`` (``frozen``: the
        :class:`~hetnet.result.SimulationResult` of the frozen run) with ``predictions`` / ``truth`` of shape
        ``(test_steps, dims)``.
    """
    from hetnet.analysis import firing_regime, nrmse, synaptic_operations
    from hetnet.network import generate_network, input_kind_of, simulate
    from hetnet.tasks.memory import state_tau_ms

    if mode not in ("one-step", "free-running"):
        raise ValueError(f"mode must be 'one-step' or 'free-running'; got {mode!r}")
    values, scale = prediction_series(series, train_steps, test_steps, washout_steps)
    truth = values[train_steps + 1: train_steps + test_steps + 1]
    outside = split_coverage(values, train_steps, test_steps)
    if outside > 0.1:
        logger.warning("%.0f %% of the test targets lie outside the training range: the readout extrapolates "
                       "(a longer training window helps)", 100 * outside)
    current_input = standardise(values[: train_steps + test_steps], train_steps)
    report = progress or (lambda message: None)
    results = {}
    jobs = [(variant, None) for variant in variants] if networks is None else list(networks.items())
    for variant, given in jobs:
        start = time.perf_counter()
        variant_config = config.replace(variant=variant) if given is None else given.config
        tau = state_tau_ms(variant_config, tau_ms)
        full = encode_series(values[: train_steps + test_steps], variant_config.input, fit_steps=train_steps)
        if given is None:
            network = generate_network(variant_config, n_input=full.n_channels, input_kind=input_kind_of(full))
        elif given.n_input != full.n_channels:
            raise ValueError(f"network {variant!r} has n_input = {given.n_input}; the encoded series has {full.n_channels} channels")
        else:
            network = given
        report(f"{variant}: STDP training on {train_steps} steps")
        trained = simulate(network, full.slice_steps(0, train_steps), plastic=True, backend=backend)
        report(f"{variant}: frozen run on {train_steps + test_steps} steps")
        frozen = simulate(trained.final_network, full, plastic=False, backend=backend)
        states = frozen.state_matrix(kind=state_kind, tau_ms=tau)
        fit_rows = np.arange(washout_steps, train_steps)
        test_rows = np.arange(train_steps, train_steps + test_steps)
        model = _make_readout(readout, ridge, trained.final_network, variant_config.seed)
        model.fit(states[fit_rows], values[fit_rows + 1])
        train_fit = model.predict(states[fit_rows])
        extra = {}
        if mode == "one-step":
            predictions = model.predict(states[test_rows])
        if mode == "one-step" and readout == "ridge":
            with_input = np.hstack([states, current_input])
            augmented = _make_readout(readout, ridge, trained.final_network, variant_config.seed)
            augmented.fit(with_input[fit_rows], values[fit_rows + 1])
            extra["nrmse_with_input"] = float(nrmse(truth, augmented.predict(with_input[test_rows]), norm=scale))
        if mode == "free-running":
            report(f"{variant}: free-running forecast of {test_steps} steps")
            history = list(values[:train_steps + 1])
            predictions = []
            for _ in range(test_steps):
                window = np.array(history[-context_steps:])
                stimulus = encode_series(
                    np.concatenate([values[:train_steps], window]), variant_config.input, fit_steps=train_steps
                ).slice_steps(train_steps, train_steps + len(window))
                run = simulate(trained.final_network, stimulus, plastic=False, backend=backend)
                state = run.state_matrix(kind=state_kind, tau_ms=tau)[-1:]
                predictions.append(model.predict(state)[0])
                history.append(predictions[-1])
            predictions = np.array(predictions)
        regime = firing_regime(frozen.spike_indices, frozen.spike_times_ms, frozen.n_neurons, frozen.duration_ms)
        metrics = _metrics(truth, predictions, scale, dt, lyapunov_exponent)
        metrics.update(
            mode=mode,
            **extra,
            ridge_alpha=getattr(model, "alpha_", None),
            train_nrmse=float(nrmse(values[fit_rows + 1], train_fit, norm=scale)),
            mean_rate_hz=float(frozen.mean_rate_hz),
            spikes_per_neuron=float(frozen.spikes_per_neuron),
            synchrony=regime.synchrony,
            isi_cv=regime.isi_cv,
            fano_factor=regime.fano_factor,
            silent_fraction=regime.silent_fraction,
            n_neurons=int(network.n_neurons),
            n_synapses=int(network.n_synapses),
            recurrent_sops=float(synaptic_operations(frozen.total_spike_counts(),
                                                     trained.final_network.recurrent_weights_mV()).recurrent),
            training_mean_rate_hz=float(trained.mean_rate_hz),
            test_outside_training_range=outside,
            predictions=predictions,
            truth=truth,
            frozen=frozen,
            wall_seconds=time.perf_counter() - start,
        )
        results[variant] = metrics
    return results


def _make_readout(kind: str, ridge: float, network, seed: int):
    if kind == "ridge":
        return RidgeReadout(ridge)
    if kind == "mlp":
        return MLPReadout(network.recurrent_weights_mV(), task="regression", seed=seed)
    raise ValueError(f"readout must be 'ridge' or 'mlp'; got {kind!r}")
