"""Backpropagation-through-time training of HRSNNs on the prediction and classification pipelines' data.

The HRSNN and the LNP papers compare STDP-trained networks with the same
networks trained by BPTT with surrogate gradients: *HoNB* (homogeneous
neurons) and *HeNB* (heterogeneous neurons) in the HRSNN paper's tables,
"HRSNN-SG" in the LNP paper. Here a variant ``HoNB`` draws the network of
``HoNHoS`` and ``HeNB`` that of ``HeNHoS`` (the synapses' STDP parameters
play no part in gradient training); ``networks=`` trains given networks
instead (unpruned, AP- or LNP-pruned: the SG rows of the LNP paper).

Protocol (the same data, split and readouts as
:func:`hetnet.tasks.prediction.predict_series` and
:func:`hetnet.tasks.classification.classify`, with BPTT in place of STDP):

1. the network's recurrent weights, input weights and (``learn_tau``) membrane
   time constants are trained with Adam, jointly with a linear readout of the
   states (prediction: spike counts and filtered spike trains per step,
   mean-squared error of the next standardised value over the fit rows;
   classification: spike counts over each sample's presentation, softmax
   cross-entropy), through the discrete-time model of
   :mod:`hetnet.gradient.model` with the fast-sigmoid surrogate. Dale's law
   holds throughout (excitatory weights in ``[w_min, w_max]``, inhibitory ones
   in ``[-w_max, -w_min]``); with ``fixed_mask`` (default) only existing
   synapses are trained, so a pruned network stays pruned;
2. the trained network is frozen and run in Brian2 (:func:`hetnet.network.simulate`,
   the configuration's ``dt_ms`` and backend) on all the data, and the
   readout of today's pipelines (ridge with its penalty chosen on the
   training rows; logistic regression) is fitted on its training states and
   scored on the held-out ones: the reported NRMSE, accuracy, spikes and
   synaptic operations are those of that run, comparable with the STDP rows.

A 0.1 ms integration step over hundreds of 20 ms input steps is long for
BPTT; training runs on a coarser grid, ``train_dt_ms`` (1 ms by default),
with the same exact propagator, refractory period and spike-timing rule
(refractory steps ``floor(t_ref / dt)``); the evaluation runs at the model's
``dt_ms``. ``train_dt_ms=None`` trains at the model's step (exact, slower).

Examples
--------
>>> import numpy as np
>>> from hetnet.config import HRSNNConfig
>>> series = np.sin(np.arange(80) / 4.0)
>>> results = train_prediction(HRSNNConfig(n_neurons=30, seed=1), series, train_steps=60, test_steps=15,
...                            washout_steps=10, variants=("HeNB",), options=GradientOptions(epochs=2))
>>> sorted(results["HeNB"]["training"])[:3]
['epochs', 'final_loss', 'initial_loss']
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass
from typing import Callable, Optional, Sequence

import numpy as np

import jax
import jax.numpy as jnp
import optax

from hetnet.config import VARIANTS, HRSNNConfig
from hetnet.encoding import encode_series, standardise
from hetnet.gradient.model import _compiled_runner, apply_params, network_arrays, stimulus_arrays
from hetnet.gradient.surrogate import DEFAULT_DAMPENING, DEFAULT_SLOPE
from hetnet.readout import RidgeReadout

__all__ = ["GradientOptions", "GRADIENT_VARIANTS", "train", "train_prediction", "train_classification",
           "train_network", "network_variant"]

logger = logging.getLogger(__name__)

#: the papers' BPTT variants -> the network variant drawn for them
GRADIENT_VARIANTS = {"HoNB": "HoNHoS", "HeNB": "HeNHoS"}


def network_variant(variant: str) -> str:
    """The network variant drawn for ``variant`` (``HoNB`` / ``HeNB``, or one of the four variants as is).

    >>> network_variant("HeNB"), network_variant("HoNHeS")
    ('HeNHoS', 'HoNHeS')
    """
    if variant in GRADIENT_VARIANTS:
        return GRADIENT_VARIANTS[variant]
    if variant in VARIANTS:
        return variant
    raise ValueError(f"variant must be one of {tuple(GRADIENT_VARIANTS) + VARIANTS}; got {variant!r}")


@dataclass(frozen=True)
class GradientOptions:
    """Settings of BPTT training.

    Attributes
    ----------
    epochs : int
        Passes over the training data (prediction: one gradient step per
        pass over the training sequence; classification: minibatches).
    learning_rate : float
        Adam step for the dimensionless weights and ``log(tau_m)``.
    readout_learning_rate : float or None
        Adam step for the jointly trained linear readout; ``None`` (default):
        ``0.2 / n_features`` (the readout's input count, 2 N for prediction).
        Adam moves every readout weight by about this step, so the prediction
        moves by about ``step x n_features`` per update: a fixed step that
        suits a small network makes a large one oscillate. Measured on
        Lorenz-96 one-step training (12 epochs, training MSE per epoch):
        N = 100 with 1e-2 went 0.97 -> 0.22 -> 1.29 and back; N = 500 with
        1e-2 diverged (1.04 -> 326 in 30 epochs), with 1e-3 it oscillated
        (0.18 -> 0.24 -> 0.09 -> 0.13), with 2e-4 = 0.2 / 1000 it fell
        steadily (1.04 -> 0.20).
    batch_size : int
        Classification minibatch size.
    train_dt_ms : float or None
        Integration step of training (``None``: the model's ``dt_ms``).
    slope, dampening : float
        Surrogate slope in 1/mV and its dampening (:mod:`hetnet.gradient.surrogate`).
    learn_tau : bool
        Also learn each neuron's membrane time constant (Perez-Nieves et al. 2021),
        kept within ``tau_bounds_ms``.
    learn_input : bool
        Also learn the input weights.
    fixed_mask : bool
        Train existing synapses only (pruned synapses stay absent); ``False``
        lets any E->* / I->* pair (no self-connections) grow a weight.
    tau_bounds_ms : tuple of float
    max_gradient_norm : float
        Gradients are clipped to this global norm before the Adam step.
    precision : {"float32", "float64"}
    seed : int
        Seed of the readout initialisation, minibatches and Poisson input spikes.
    """

    epochs: int = 30
    learning_rate: float = 5e-3
    readout_learning_rate: Optional[float] = None
    batch_size: int = 16
    train_dt_ms: Optional[float] = 1.0
    slope: float = DEFAULT_SLOPE
    dampening: float = DEFAULT_DAMPENING
    learn_tau: bool = False
    learn_input: bool = True
    fixed_mask: bool = True
    tau_bounds_ms: tuple = (1.0, 200.0)
    max_gradient_norm: float = 1.0
    precision: str = "float32"
    seed: int = 0

    def __post_init__(self):
        if not (isinstance(self.epochs, int) and self.epochs >= 0):
            raise ValueError(f"epochs must be an integer >= 0; got {self.epochs!r}")
        for name in ("learning_rate", "readout_learning_rate", "slope"):
            if name == "readout_learning_rate" and self.readout_learning_rate is None:
                continue
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0; got {getattr(self, name)!r}")
        if self.train_dt_ms is not None and not self.train_dt_ms > 0:
            raise ValueError(f"train_dt_ms must be > 0 or None; got {self.train_dt_ms!r}")
        if not 0 < self.tau_bounds_ms[0] < self.tau_bounds_ms[1]:
            raise ValueError(f"tau_bounds_ms must be (low, high) with 0 < low < high; got {self.tau_bounds_ms!r}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1; got {self.batch_size!r}")


def _trainable(arrays, options: GradientOptions) -> dict:
    params = {"w": jnp.asarray(arrays.w, jnp.float32)}
    if options.learn_input:
        params["w_in"] = jnp.asarray(arrays.w_in, jnp.float32)
    if options.learn_tau:
        params["log_tau"] = jnp.log(jnp.asarray(arrays.tau_m_ms, jnp.float32))
    return params


def _model_params(arrays, trainable: dict) -> dict:
    """The simulator's parameters from the trained ones (fixed arrays where not trained)."""
    return {
        "w": trainable["w"],
        "w_in": trainable.get("w_in", arrays.w_in),
        "tau_m_ms": jnp.exp(trainable["log_tau"]) if "log_tau" in trainable else arrays.tau_m_ms,
        "v_th_mV": arrays.v_th_mV,
    }


def _project(arrays, options: GradientOptions, trainable: dict) -> dict:
    """Dale's law, the weight bounds, the mask and the time-constant bounds."""
    w_min, w_max = arrays.w_bounds
    sign = jnp.asarray(arrays.sign, jnp.float32)[:, None]
    allowed = arrays.mask if options.fixed_mask else ~np.eye(arrays.n_neurons, dtype=bool)
    w = sign * jnp.clip(sign * trainable["w"], w_min, w_max) * jnp.asarray(allowed, jnp.float32)
    if not options.fixed_mask:   # a weight that reaches 0 is no synapse: keep it at 0 rather than w_min
        w = jnp.where(sign * trainable["w"] <= 0, 0.0, w)
    out = dict(trainable, w=w)
    if "w_in" in trainable:
        bounds = (-1.0, 1.0) if arrays.input_kind == "current" else (w_min, w_max)
        out["w_in"] = jnp.clip(trainable["w_in"], *bounds) * jnp.asarray(arrays.in_mask, jnp.float32)
    if "log_tau" in trainable:
        low, high = options.tau_bounds_ms
        out["log_tau"] = jnp.clip(trainable["log_tau"], math.log(low), math.log(high))
    return out


def _optimizer(options: GradientOptions, trainable: dict):
    labels = {key: "readout" if key in ("readout", "bias") else "network" for key in trainable}
    readout_rate = options.readout_learning_rate
    if readout_rate is None:
        readout_rate = 0.2 / max(int(np.shape(trainable["readout"])[0]), 1) if "readout" in trainable else 1e-2
    return optax.chain(optax.clip_by_global_norm(options.max_gradient_norm), optax.multi_transform(
        {"network": optax.adam(options.learning_rate), "readout": optax.adam(readout_rate)}, labels))


def train_network(network, stimulus, loss_of_states: Callable, readout: dict, options: GradientOptions, *,
                  batch_indices: Optional[Callable] = None, progress: Optional[Callable[[str], None]] = None):
    """Train ``network`` by BPTT on one stimulus; the generic loop behind the pipelines.

    Parameters
    ----------
    network : NetworkInstance
    stimulus : CurrentStimulus, RateStimulus or SpikeStimulus
        The training input; states are read per stimulus step.
    loss_of_states : callable
        ``loss_of_states(counts, filtered, readout, rows) -> scalar`` (JAX),
        with ``counts`` / ``filtered`` of shape ``(n_steps, n_neurons)`` and
        ``rows`` the minibatch (``None`` for all).
    readout : dict
        Initial readout parameters (trained jointly).
    options : GradientOptions
    batch_indices : callable, optional
        ``batch_indices(epoch) -> list of rows``: one gradient step per entry
        (default: one step on all rows per epoch).
    progress : callable, optional

    Returns
    -------
    trained : NetworkInstance
    history : dict
        ``loss`` per epoch (mean over its steps), ``initial_loss``,
        ``final_loss`` (of the returned parameters), ``kept_after_epochs``,
        ``seconds``, ``train_dt_ms``. With full-batch steps (prediction) the
        returned parameters are those of the lowest training loss seen (the
        training loss only, never test data): after the last epoch unless a
        later step made it worse, so an oscillating or diverging run cannot
        end on its worst point. With minibatches (classification) only the
        start and the end are compared on the full training loss.
    readout : dict
        The trained readout parameters (numpy).
    """
    start = time.perf_counter()
    dt = network.config.dt_ms if options.train_dt_ms is None else options.train_dt_ms
    arrays = network_arrays(network, dt_ms=dt)
    data = stimulus_arrays(stimulus, dt, seed=options.seed)
    current = "values" in data
    with jax.enable_x64(options.precision == "float64"):
        dtype = jnp.float64 if options.precision == "float64" else jnp.float32
        simulate = _compiled_runner(arrays, int(data["steps_per_input"]), current, "hard", float(options.slope),
                                    4 * data["steps_per_input"] * dt, False, dtype, options.fixed_mask, False,
                                    True, float(options.dampening))
        inputs = jnp.asarray(data["values"] if current else data["spikes"], dtype)
        trainable = _trainable(arrays, options)
        trainable.update({key: jnp.asarray(value, dtype) for key, value in readout.items()})
        trainable = {key: jnp.asarray(value, dtype) for key, value in trainable.items()}

        def loss_fn(params, rows):
            model = {key: jnp.asarray(value, dtype) for key, value in _model_params(arrays, params).items()}
            out = simulate(model, inputs)
            return loss_of_states(out["counts"], out["filtered"], {k: params[k] for k in readout}, rows)

        optimizer = _optimizer(options, trainable)
        state = optimizer.init(trainable)

        @jax.jit
        def step(params, opt_state, rows):
            loss, grads = jax.value_and_grad(loss_fn)(params, rows)
            updates, opt_state = optimizer.update(grads, opt_state, params)
            params = _project(arrays, options, optax.apply_updates(params, updates))
            return params, opt_state, loss

        evaluate = jax.jit(loss_fn)
        batches = batch_indices or (lambda epoch: [None])
        history = []
        initial = float(evaluate(trainable, None))
        best = (initial, trainable, 0)     # (training loss, parameters, epochs done) of the best full-batch point
        for epoch in range(options.epochs):
            losses = []
            for rows in batches(epoch):
                before = trainable
                trainable, state, loss = step(trainable, state, None if rows is None else jnp.asarray(rows))
                losses.append(float(loss))
                if rows is None and float(loss) < best[0]:
                    best = (float(loss), before, epoch)
            history.append(float(np.mean(losses)))
            if not np.isfinite(history[-1]):
                raise FloatingPointError(f"the training loss became {history[-1]} at epoch {epoch + 1}")
            logger.info("epoch %d/%d: loss %.5g", epoch + 1, options.epochs, history[-1])
            if progress is not None:
                progress(f"epoch {epoch + 1}/{options.epochs}: loss {history[-1]:.4g}")
        final = float(evaluate(trainable, None))
        kept_epoch = options.epochs
        if final > best[0]:       # the last step made things worse: keep the best point on the training loss
            final, trainable, kept_epoch = best
        model = _model_params(arrays, trainable)
    params = {key: np.asarray(value, dtype=float) for key, value in model.items()}
    trained = apply_params(network, arrays, params, fixed_mask=options.fixed_mask)
    record = {"loss": history, "initial_loss": initial, "final_loss": final, "epochs": options.epochs,
              "kept_after_epochs": kept_epoch,
              "seconds": time.perf_counter() - start, "train_dt_ms": float(dt), "options": asdict(options)}
    return trained, record, {key: np.asarray(trainable[key]) for key in readout}


def _state_scale(states):
    spread = states.std(axis=0)
    return jnp.where(spread > 0, spread, 1.0)


def train_prediction(
    config: HRSNNConfig,
    series,
    *,
    train_steps: int = 500,
    test_steps: int = 100,
    variants: Sequence[str] = ("HoNB", "HeNB"),
    washout_steps: int = 50,
    options: Optional[GradientOptions] = None,
    networks: Optional[dict] = None,
    ridge: Optional[float] = None,
    state_kind: str = "counts+filtered",
    tau_ms: Optional[float] = None,
    dt: float = 1.0,
    lyapunov_exponent: Optional[float] = None,
    backend: Optional[str] = None,
    progress: Optional[Callable[[str], None]] = None,
) -> dict:
    """One-step prediction with BPTT-trained networks; the metrics of :func:`hetnet.tasks.prediction.predict_series`.

    Parameters
    ----------
    config : HRSNNConfig
    series : array_like, shape (n_steps,) or (n_steps, dims)
        Needs ``train_steps + test_steps + 1`` steps.
    train_steps, test_steps, washout_steps : int
        As in ``predict_series``: BPTT and the readout use the training steps
        after the washout; the next ``test_steps`` are scored.
    variants : sequence of str
        ``HoNB`` / ``HeNB`` (or any of the four variants: its network is trained).
    options : GradientOptions, optional
    networks : dict of NetworkInstance, optional
        ``{label: network}`` to train instead of drawing one per variant
        (pruned networks, for the LNP paper's SG rows).
    ridge, state_kind, tau_ms, dt, lyapunov_exponent, backend :
        As in ``predict_series`` (evaluation).
    progress : callable, optional

    Returns
    -------
    dict
        ``{label: metrics}`` with the keys of ``predict_series`` (``nrmse``,
        ``nrmse_with_input``, ``vpt_steps``, ``mean_rate_hz``,
        ``spikes_per_neuron``, ``recurrent_sops``, ...) plus ``training``
        (the loss history, :func:`train_network`), ``training_method``
        (``"gradient"``) and ``network`` (the trained
        :class:`~hetnet.network.NetworkInstance`).
    """
    from hetnet.network import generate_network, input_kind_of, simulate
    from hetnet.tasks.memory import state_tau_ms
    from hetnet.tasks.prediction import prediction_series

    options = options or GradientOptions()
    values, scale = prediction_series(series, train_steps, test_steps, washout_steps)
    z = standardise(values, train_steps)
    fit_rows = np.arange(washout_steps, train_steps)
    targets = jnp.asarray(z[fit_rows + 1], jnp.float32)
    report = progress or (lambda message: None)
    jobs = [(v, None) for v in variants] if networks is None else list(networks.items())
    results = {}
    for label, given in jobs:
        start = time.perf_counter()
        variant_config = config.replace(variant=network_variant(label)) if given is None else given.config
        full = encode_series(values[: train_steps + test_steps], variant_config.input, fit_steps=train_steps)
        network = given if given is not None else generate_network(
            variant_config, n_input=full.n_channels, input_kind=input_kind_of(full))
        if network.n_input != full.n_channels:
            raise ValueError(f"network {label!r} has n_input = {network.n_input}; the series has {full.n_channels} channels")
        n = network.n_neurons
        rng = np.random.default_rng(options.seed)
        readout = {"readout": rng.normal(0.0, 0.1 / math.sqrt(2 * n), (2 * n, values.shape[1])),
                   "bias": np.zeros(values.shape[1])}
        rows = jnp.asarray(fit_rows)

        def loss_of_states(counts, filtered, params, _rows, rows=rows):
            states = jnp.concatenate([counts, filtered], axis=1)[rows]
            states = (states - states.mean(axis=0)) / jax.lax.stop_gradient(_state_scale(states))
            prediction = states @ params["readout"] + params["bias"]
            return jnp.mean((prediction - targets.astype(prediction.dtype)) ** 2)

        report(f"{label}: BPTT on {train_steps} steps ({options.epochs} epochs)")
        trained, history, _ = train_network(network, full.slice_steps(0, train_steps), loss_of_states, readout,
                                            options, progress=lambda m: report(f"{label}: {m}"))
        report(f"{label}: frozen run on {train_steps + test_steps} steps")
        frozen = simulate(trained, full, plastic=False, backend=backend)
        metrics = _prediction_metrics(frozen, trained, values, z, scale, train_steps, test_steps, fit_rows,
                                      ridge, state_kind, state_tau_ms(variant_config, tau_ms), dt, lyapunov_exponent)
        metrics.update(training=history, training_method="gradient", network=trained, n_neurons=int(n),
                       n_synapses=int(trained.n_synapses), wall_seconds=time.perf_counter() - start)
        results[label] = metrics
    return results


def _prediction_metrics(frozen, network, values, z, scale, train_steps, test_steps, fit_rows, ridge, state_kind,
                        tau, dt, lyapunov_exponent):
    from hetnet.analysis import firing_regime, nrmse, rmse, synaptic_operations, valid_prediction_time

    states = frozen.state_matrix(kind=state_kind, tau_ms=tau)
    test_rows = np.arange(train_steps, train_steps + test_steps)
    truth = values[test_rows + 1]
    model = RidgeReadout(ridge).fit(states[fit_rows], values[fit_rows + 1])
    predictions = model.predict(states[test_rows])
    with_input = np.hstack([states, z[: len(states)]])
    augmented = RidgeReadout(ridge).fit(with_input[fit_rows], values[fit_rows + 1])
    vpt = valid_prediction_time(truth, predictions, dt=dt, threshold=0.5, lyapunov_exponent=lyapunov_exponent,
                                norm=scale)
    regime = firing_regime(frozen.spike_indices, frozen.spike_times_ms, frozen.n_neurons, frozen.duration_ms)
    return {
        "mode": "one-step",
        "rmse": float(rmse(truth, predictions)),
        "nrmse": float(nrmse(truth, predictions, norm=scale)),
        "nrmse_with_input": float(nrmse(truth, augmented.predict(with_input[test_rows]), norm=scale)),
        "vpt_steps": int(vpt.steps),
        "vpt_time": float(vpt.time),
        "vpt_lyapunov_times": None if vpt.lyapunov_times is None else float(vpt.lyapunov_times),
        "ridge_alpha": model.alpha_,
        "train_nrmse": float(nrmse(values[fit_rows + 1], model.predict(states[fit_rows]), norm=scale)),
        "mean_rate_hz": float(frozen.mean_rate_hz),
        "spikes_per_neuron": float(frozen.spikes_per_neuron),
        "synchrony": regime.synchrony,
        "isi_cv": regime.isi_cv,
        "fano_factor": regime.fano_factor,
        "silent_fraction": regime.silent_fraction,
        "recurrent_sops": float(synaptic_operations(frozen.total_spike_counts(),
                                                    network.recurrent_weights_mV()).recurrent),
        "predictions": predictions,
        "truth": truth,
        "frozen": frozen,
    }


def train_classification(
    config: HRSNNConfig,
    data,
    *,
    variants: Sequence[str] = ("HoNB", "HeNB"),
    train_fraction: float = 0.7,
    training_fraction: float = 1.0,
    encoder_options: Optional[dict] = None,
    seed: int = 0,
    options: Optional[GradientOptions] = None,
    networks: Optional[dict] = None,
    progress: Optional[Callable[[str], None]] = None,
) -> dict:
    """Classification with BPTT-trained networks; the metrics of :func:`hetnet.tasks.classification.classify`.

    The training samples are presented one after another as in ``classify``
    (each ``present_ms`` then ``rest_ms`` of silence, one continuous run); the
    loss is the softmax cross-entropy of a linear readout of each sample's
    standardised spike counts over its presentation, minibatches of
    ``options.batch_size`` samples (the whole run is simulated for each step;
    the gradient flows through the minibatch's samples only).

    Parameters
    ----------
    config : HRSNNConfig
    data : LabelledData
    variants, train_fraction, training_fraction, encoder_options, seed :
        As in ``classify``.
    options : GradientOptions, optional
    networks : dict of NetworkInstance, optional
    progress : callable, optional

    Returns
    -------
    dict
        ``{label: {"accuracy", "train_accuracy", "n_train", "n_test",
        "spikes_per_sample", "mean_rate_hz", "recurrent_sops", "training",
        "training_method", "network"}}``.
    """
    from hetnet.analysis import synaptic_operations
    from hetnet.network import generate_network, input_kind_of, simulate
    from hetnet.readout import logistic_readout
    from hetnet.tasks.classification import classification_metrics, sample_states, split_and_encode

    options = options or GradientOptions()
    train, test, all_stimulus, train_stimulus = split_and_encode(
        data, config, train_fraction=train_fraction, training_fraction=training_fraction,
        encoder_options=encoder_options, seed=seed)
    classes = np.unique(data.labels)
    labels = jnp.asarray(np.searchsorted(classes, data.labels[train]))
    windows = np.asarray(train_stimulus.sample_steps)
    window_mask = np.zeros((len(windows), train_stimulus.n_steps), dtype=np.float32)
    for row, (begin, end) in enumerate(windows):
        window_mask[row, begin:end] = 1.0
    window_mask = jnp.asarray(window_mask)
    report = progress or logger.debug
    jobs = [(v, None) for v in variants] if networks is None else list(networks.items())
    results = {}
    for label, given in jobs:
        start = time.perf_counter()
        variant_config = config.replace(variant=network_variant(label)) if given is None else given.config
        network = given if given is not None else generate_network(
            variant_config, n_input=all_stimulus.n_channels, input_kind=input_kind_of(all_stimulus))
        rng = np.random.default_rng(options.seed)
        n = network.n_neurons
        readout = {"readout": rng.normal(0.0, 0.1 / math.sqrt(n), (n, classes.size)), "bias": np.zeros(classes.size)}

        def loss_of_states(counts, filtered, params, rows):
            states = window_mask @ counts
            states = (states - states.mean(axis=0)) / jax.lax.stop_gradient(_state_scale(states))
            logits = states @ params["readout"] + params["bias"]
            losses = optax.softmax_cross_entropy_with_integer_labels(logits, labels)
            return jnp.mean(losses if rows is None else losses[rows])

        order_rng = np.random.default_rng(options.seed + 1)

        def batches(epoch):
            order = order_rng.permutation(len(windows))
            return [order[i: i + options.batch_size] for i in range(0, len(order), options.batch_size)
                    if len(order[i: i + options.batch_size]) == min(options.batch_size, len(order))]

        report(f"{label}: BPTT on {train.size} samples ({options.epochs} epochs)")
        trained, history, _ = train_network(network, train_stimulus, loss_of_states, readout, options,
                                            batch_indices=batches)
        report(f"{label}: frozen run on {len(data)} samples")
        frozen = simulate(trained, all_stimulus, plastic=False)
        states = sample_states(frozen, all_stimulus)
        model = logistic_readout().fit(states[train], data.labels[train])
        results[label] = {
            **classification_metrics(model, states, data.labels, train, test, frozen.mean_rate_hz),
            "recurrent_sops": float(synaptic_operations(frozen.total_spike_counts(),
                                                        trained.recurrent_weights_mV()).recurrent),
            "training": history,
            "training_method": "gradient",
            "network": trained,
            "wall_seconds": time.perf_counter() - start,
        }
    return results


def train(config: HRSNNConfig, data, **options) -> dict:
    """Gradient-train HRSNNs on a series (prediction) or a :class:`~hetnet.datasets.LabelledData` (classification).

    Dispatches to :func:`train_prediction` (an array) or
    :func:`train_classification` (labelled data); ``options`` are their
    keyword arguments. The result has the metrics of
    :func:`hetnet.tasks.prediction.predict_series` / :func:`hetnet.tasks.classification.classify`
    for each variant, plus the training record and the trained network.
    """
    from hetnet.datasets.base import LabelledData

    if isinstance(data, LabelledData):
        return train_classification(config, data, **options)
    return train_prediction(config, data, **options)
