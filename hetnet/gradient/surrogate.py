"""Spike functions: the Heaviside step with a fast-sigmoid surrogate derivative, and its smooth version.

With ``x = v - v_th`` in mV and slope ``beta`` in 1/mV (default
:data:`DEFAULT_SLOPE`), the forward pass of a hard spike is ``H(x)``
(``x > 0``) and its derivative is replaced by the fast sigmoid's
(SuperSpike, Zenke & Ganguli 2018; Neftci, Mostafa & Zenke 2019)::

    dS/dx = beta / (2 * (1 + beta * |x|) ** 2)

the exact derivative of the smooth step
``S(x) = (1 + beta * x / (1 + beta * |x|)) / 2``, which rises from 0 to 1
(so the surrogate integrates to 1, like the step it replaces) and reaches
1/2 at threshold. ``beta = 1 / mV`` puts a quarter of the step within
0.33 mV of threshold and half of it within 1 mV; the distance from reset to
threshold is 10 to 16 mV for the default neurons.

Examples
--------
>>> import jax
>>> hard = spike_function("hard", slope=1.0)
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

__all__ = ["DEFAULT_SLOPE", "spike_function", "smooth_step", "surrogate_derivative"]

logger = logging.getLogger(__name__)

#: surrogate slope beta in 1/mV
DEFAULT_SLOPE = 1.0


def smooth_step(x, slope: float = DEFAULT_SLOPE):
    """``S(x) = (1 + slope * x / (1 + slope * |x|)) / 2``: 0 far below threshold, 1 far above."""
    return 0.5 * (1.0 + slope * x / (1.0 + slope * jnp.abs(x)))


def surrogate_derivative(x, slope: float = DEFAULT_SLOPE):
    """``dS/dx = slope / (2 (1 + slope |x|)^2)``, the fast-sigmoid surrogate of the step's derivative."""
    return 0.5 * slope / (1.0 + slope * jnp.abs(x)) ** 2


@functools.lru_cache(maxsize=None)
def _hard(slope: float):
    @jax.custom_jvp
    def heaviside(x):
        x = jnp.asarray(x)
        return (x > 0).astype(jnp.result_type(x, float))

    @heaviside.defjvp
    def _jvp(primals, tangents):
        (x,), (dx,) = primals, tangents
        return heaviside(x), surrogate_derivative(x, slope) * dx

    return heaviside


def spike_function(kind: str = "hard", slope: float = DEFAULT_SLOPE):
    """The spike nonlinearity: ``"hard"`` (step, surrogate derivative) or ``"smooth"`` (:func:`smooth_step`).

    Parameters
    ----------
    kind : {"hard", "smooth"}
    slope : float
        ``beta`` in 1/mV, > 0.
    """
    if not slope > 0:
        raise ValueError(f"slope must be > 0; got {slope}")
    if kind == "hard":
        return _hard(float(slope))
    if kind == "smooth":
        return functools.partial(smooth_step, slope=float(slope))
    raise ValueError(f"kind must be 'hard' or 'smooth'; got {kind!r}")
