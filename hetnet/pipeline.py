"""The learning protocol of the papers on a streamed series (the main job).

STDP learns unsupervised on the training steps; the weights are frozen; the
frozen network is driven by the whole series and a ridge readout maps the
state after step ``t`` to the series value at step ``t + 1`` (one-step
prediction), fitted on the training steps and scored on held-out steps.

Example
-------
>>> from hetnet.analysis import nrmse
from hetnet.config import HRSNNConfig
>>> from hetnet.datasets import lorenz63
>>> series = lorenz63(90, seed=0)
>>> outcome = one_step_prediction(HRSNNConfig(n_neurons=60), series, washout_steps=10,
...                               train_steps=60, test_steps=19)
>>> sorted(outcome)[:3]
['mean_rate_hz', 'nrmse', 'predictions']
"""
from __future__ import annotations

import time

import numpy as np

from hetnet.analysis import nrmse
from hetnet.config import HRSNNConfig
from hetnet.encoding import encode_series
from hetnet.network import generate_network, simulate
from hetnet.readout import ridge_readout

__all__ = ["one_step_prediction"]


def one_step_prediction(
    config: HRSNNConfig,
    series,
    *,
    washout_steps: int = 50,
    train_steps: int = 500,
    test_steps: int = 100,
    state_kind: str = "filtered",
    state_tau_ms: float = 20.0,
    ridge_alpha: float = 1.0,
    backend: str | None = None,
    progress=None,
) -> dict:
    """Train STDP, freeze, fit a ridge readout for one-step prediction, score held-out steps.

    Parameters
    ----------
    config : HRSNNConfig
    series : ndarray, shape (n_steps, dims)
        Needs ``washout_steps + train_steps + test_steps + 1`` steps.
    washout_steps, train_steps, test_steps : int
        The first steps only settle the network; the readout is fitted on the
        next ``train_steps`` and scored on the ``test_steps`` after them.
    state_kind, state_tau_ms
        State matrix of :meth:`SimulationResult.state_matrix`.
    ridge_alpha : float
    backend : str, optional
        Overrides ``config.backend``.
    progress : callable, optional
        Called with a short message before each phase.

    Returns
    -------
    dict
        ``nrmse`` (held-out, normalised by the per-dimension standard
        deviation of the training targets), ``mean_rate_hz`` and
        ``spikes_per_neuron`` of the frozen run, ``predictions`` and
        ``targets`` (held-out), the ``trained`` and ``frozen``
        :class:`SimulationResult`, and wall times.
    """
    series = np.asarray(series, dtype=float)
    if series.ndim == 1:
        series = series[:, None]
    needed = washout_steps + train_steps + test_steps + 1
    if len(series) < needed:
        raise ValueError(f"series has {len(series)} steps; needs washout + train + test + 1 = {needed}")
    series = series[:needed]
    say = progress or (lambda message: None)
    learn_steps = washout_steps + train_steps
    stimulus = encode_series(series[:-1], config.input, fit_steps=learn_steps)
    network = generate_network(config, n_input=stimulus.n_channels)

    start = time.perf_counter()
    say(f"{config.variant}: STDP on {learn_steps} steps ({learn_steps * stimulus.step_ms / 1000:.1f} s of network time)")
    trained = simulate(network, stimulus.slice_steps(0, learn_steps), plastic=True, backend=backend)
    say(f"{config.variant}: frozen weights, readout run over {stimulus.n_steps} steps")
    frozen = simulate(trained.final_network, stimulus, plastic=False, backend=backend)
    states = frozen.state_matrix(kind=state_kind, tau_ms=state_tau_ms)

    targets = series[1:]
    train = slice(washout_steps, learn_steps)
    test = slice(learn_steps, learn_steps + test_steps)
    readout = ridge_readout(ridge_alpha).fit(states[train], targets[train])
    predictions = readout.predict(states[test]).reshape(-1, series.shape[1])
    return {
        "nrmse": float(nrmse(targets[test], predictions, norm=np.std(targets[train], axis=0))),
        "mean_rate_hz": frozen.mean_rate_hz,
        "spikes_per_neuron": frozen.spikes_per_neuron,
        "training_mean_rate_hz": trained.mean_rate_hz,
        "predictions": predictions,
        "targets": targets[test],
        "trained": trained,
        "frozen": frozen,
        "wall_seconds": time.perf_counter() - start,
    }
