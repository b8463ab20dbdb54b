"""Spike functions: the Heaviside step with a fast-sigmoid surrogate derivative, and its smooth version.

With ``x = v - v_th`` in mV and slope ``beta`` in 1/mV (default
:data:`DEFAULT_SLOPE`), the forward pass of a hard spike is ``H(x)``
(``x > 0``) and its derivative is replaced by the fast sigmoid's
(SuperSpike, Zenke & Ganguli 2018; Neftci, Mostafa & Zenke 2019)::

    dS/dx = beta / (2 * (1 + beta * |x|) ** 2)

the exact derivative of the smooth step
``S(x) = (1 + beta * x / (1 + beta * |x|)) / 2``, which rises from 0 to 1
(so the surrogate integrates to 1, like the step it replaces) and reaches
1/2 at threshold, times a dampening factor ``gamma`` (Bellec et al. 2018):
the hard spike's surrogate is ``gamma * dS/dx``. ``beta = 1 / mV``
(:data:`DEFAULT_SLOPE`) puts half of the step within 1 mV of threshold (the
distance from reset to threshold is 10 to 16 mV for the default neurons);
``gamma = 0.1`` (:data:`DEFAULT_DAMPENING`) keeps backpropagation through
the default network's thousands of steps bounded: the network is strongly
recurrent (about 44 synapses per neuron, slow dominant inhibition), and
with ``gamma >= 0.3`` the gradient grew by orders of magnitude per 40 ms
and overflowed float32 within 150 ms.

Examples
--------
>>> import jax
>>> hard = spike_function("hard", slope=1.0, dampening=1.0)
>>> round(float(hard(0.5)), 6), round(float(jax.grad(hard)(0.5)), 6)
(1.0, 0.222222)
>>> smooth = spike_function("smooth", slope=1.0)
>>> round(float(smooth(0.5)), 6), round(float(jax.grad(smooth)(0.5)), 6)
(0.666667, 0.222222)
"""
from __future__ import annotations

import functools
import logging

import jax
import jax.numpy as jnp

__all__ = ["DEFAULT_SLOPE", "DEFAULT_DAMPENING", "spike_function", "smooth_step", "surrogate_derivative"]

logger = logging.getLogger(__name__)

#: surrogate slope beta in 1/mV
DEFAULT_SLOPE = 1.0
#: dampening gamma of the hard spike's surrogate (measured: BPTT through 3000 steps of the default
#: network stays bounded at 0.1 and explodes at 0.3 and above with the default slope)
DEFAULT_DAMPENING = 0.1


def smooth_step(x, slope: float = DEFAULT_SLOPE):
    """``S(x) = (1 + slope * x / (1 + slope * |x|)) / 2``: 0 far below threshold, 1 far above."""
    return 0.5 * (1.0 + slope * x / (1.0 + slope * jnp.abs(x)))


def surrogate_derivative(x, slope: float = DEFAULT_SLOPE):
    """``dS/dx = slope / (2 (1 + slope |x|)^2)``, the fast-sigmoid surrogate of the step's derivative."""
    return 0.5 * slope / (1.0 + slope * jnp.abs(x)) ** 2


@functools.lru_cache(maxsize=None)
def _hard(slope: float, dampening: float):
    @jax.custom_jvp
    def heaviside(x):
        x = jnp.asarray(x)
        return (x > 0).astype(jnp.result_type(x, float))

    @heaviside.defjvp
    def _jvp(primals, tangents):
        (x,), (dx,) = primals, tangents
        return heaviside(x), dampening * surrogate_derivative(x, slope) * dx

    return heaviside


def spike_function(kind: str = "hard", slope: float = DEFAULT_SLOPE, dampening: float = DEFAULT_DAMPENING):
    """The spike nonlinearity: ``"hard"`` (step, surrogate derivative) or ``"smooth"`` (:func:`smooth_step`).

    Parameters
    ----------
    kind : {"hard", "smooth"}
    slope : float
        ``beta`` in 1/mV, > 0.
    dampening : float
        ``gamma`` in (0, 1]: the hard spike's surrogate is ``gamma * dS/dx``
        (Bellec et al. 2018's dampening factor, which keeps BPTT through a
        strongly recurrent network from exploding); the smooth step keeps its
        exact derivative.
    """
    if not slope > 0:
        raise ValueError(f"slope must be > 0; got {slope}")
    if not 0 < dampening <= 1:
        raise ValueError(f"dampening must lie in (0, 1]; got {dampening}")
    if kind == "hard":
        return _hard(float(slope), float(dampening))
    if kind == "smooth":
        return functools.partial(smooth_step, slope=float(slope))
    raise ValueError(f"kind must be 'hard' or 'smooth'; got {kind!r}")
