"""Surrogate-gradient training of HRSNNs (BPTT in JAX): the ``gradient`` extra.

The same :class:`~hetnet.network.NetworkInstance` as the STDP pipelines,
advanced by the Brian2 model's discrete-time update in JAX
(:mod:`hetnet.gradient.model`), trained by backpropagation through time with
a fast-sigmoid surrogate spike derivative (:mod:`hetnet.gradient.surrogate`)
on the prediction and classification pipelines' data
(:mod:`hetnet.gradient.training`). Needs ``pip install 'hetnet[gradient]'``
(JAX and optax, CPU wheels from the package registry; a GPU is used where
JAX finds one).
"""
try:
    import jax  # noqa: F401
    import optax  # noqa: F401
except ImportError as error:  # pragma: no cover - jax and optax are in the "gradient" and "test" extras
    raise ImportError("hetnet.gradient needs JAX and optax: pip install 'hetnet[gradient]'") from error

from hetnet.gradient.model import NetworkArrays, apply_params, network_arrays, run_network, stimulus_arrays
from hetnet.gradient.surrogate import DEFAULT_DAMPENING, DEFAULT_SLOPE, smooth_step, spike_function, surrogate_derivative
from hetnet.gradient.training import (
    GRADIENT_VARIANTS, GradientOptions, network_variant, train, train_classification, train_network, train_prediction,
)

__all__ = [
    "NetworkArrays", "network_arrays", "apply_params", "run_network", "stimulus_arrays",
    "DEFAULT_SLOPE", "DEFAULT_DAMPENING", "spike_function", "smooth_step", "surrogate_derivative",
    "GradientOptions", "GRADIENT_VARIANTS", "network_variant", "train", "train_prediction", "train_classification",
    "train_network",
]
