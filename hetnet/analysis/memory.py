"""Memory capacity (Jaeger 2001) from one regularised least-squares solve.

See :ref:`science-memory`: drive the network with i.i.d. input ``u(t)``; for each delay
``k = 1 .. k_max`` a ridge readout ``y_k(t) = b_k . x(t) + c_k`` is trained
to reproduce ``u(t - k)``; ``MC(k)`` is the squared Pearson correlation of
``y_k`` and ``u(t - k)`` on held-out time steps, and ``MC = sum_k MC(k)``.

All delays share the same design matrix, so the ridge normal equations
``(Xc^T Xc + ridge * I) B = Xc^T Yc`` are factorised once (Cholesky) and
solved for the ``k_max`` right-hand sides at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from ._validation import as_finite_array

__all__ = ["MemoryCapacityResult", "memory_capacity", "delayed_targets"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MemoryCapacityResult:
    """Result of :func:`memory_capacity`.

    Attributes
    ----------
    total : float
        ``MC = sum_k MC(k)``.
    curve : numpy.ndarray, shape (k_max,)
        ``MC(k)`` for ``k = 1 .. k_max`` (``curve[k - 1]``).
    delays : numpy.ndarray, shape (k_max,)
        The delays ``1 .. k_max``.
    k_max, washout : int
    ridge, test_fraction : float
    n_train, n_test : int
        Time steps used to fit and to score the readouts.
    first_step : int
        Index of the first state row used (``max(washout, k_max)``).
    """

    total: float
    curve: np.ndarray
    delays: np.ndarray
    k_max: int
    washout: int
    ridge: float
    test_fraction: float
    n_train: int
    n_test: int
    first_step: int

    def __float__(self):
        return float(self.total)


def delayed_targets(inputs, k_max, first_step):
    """Matrix of delayed inputs ``Y[r, k - 1] = inputs[first_step + r - k]``.

    Parameters
    ----------
    inputs : array_like, shape (n_steps,)
    k_max : int
    first_step : int
        First time step (row) used; must be ``>= k_max``.

    Returns
    -------
    numpy.ndarray, shape (n_steps - first_step, k_max)

    Examples
    --------
    >>> delayed_targets(np.arange(5.0), 2, 2)
    array([[1., 0.],
           [2., 1.],
           [3., 2.]])
    """
    inputs = np.asarray(inputs, dtype=float)
    if first_step < k_max:
        raise ValueError(f"first_step ({first_step}) must be >= k_max ({k_max})")
    n_rows = inputs.shape[0] - first_step
    # windows[s] = inputs[s : s + k_max]; row r needs inputs[first_step + r - k]
    # for k = 1..k_max, i.e. windows[first_step + r - k_max] reversed.
    windows = np.lib.stride_tricks.sliding_window_view(inputs, k_max)
    start = first_step - k_max
    return np.ascontiguousarray(windows[start:start + n_rows, ::-1])


def _r_squared(target, prediction):
    """Column-wise squared Pearson correlation; 0 where the prediction is
    constant, ``ValueError`` where the target is constant."""
    target = target - target.mean(axis=0)
    prediction = prediction - prediction.mean(axis=0)
    target_var = np.einsum("ij,ij->j", target, target)
    prediction_var = np.einsum("ij,ij->j", prediction, prediction)
    covariance = np.einsum("ij,ij->j", target, prediction)
    if np.any(target_var <= 0.0):
        bad = int(np.flatnonzero(target_var <= 0.0)[0]) + 1
        raise ValueError(
            f"the delayed input u(t-{bad}) is constant over the test steps: "
            "r^2 is undefined (use a longer input or a larger test_fraction)"
        )
    degenerate = prediction_var == 0.0
    safe_var = np.where(degenerate, 1.0, prediction_var)
    r2 = covariance**2 / (target_var * safe_var)
    r2[degenerate] = 0.0
    return np.clip(r2, 0.0, 1.0)


def memory_capacity(states, inputs, k_max, washout=0, ridge=1e-6, test_fraction=0.3):
    """Linear short-term memory capacity of a driven network.

    ``states[t]`` is the network state used to read out the past inputs
    ``inputs[t - k]``, ``k = 1 .. k_max`` (delay 0, the current input, is not
    counted). The rows ``t = max(washout, k_max) .. n_steps - 1`` are used;
    the first ``1 - test_fraction`` of them train the ridge readouts (with an
    intercept, i.e. states and targets are centred on the training means) and
    the last ``test_fraction`` score them. The readouts of all delays come
    from one Cholesky factorisation of ``Xc^T Xc + ridge * I``.

    For i.i.d. input the true capacity satisfies ``MC <= n_neurons``
    (Jaeger 2001). The finite-sample estimate carries a small positive bias
    from chance correlations, about ``1 / n_test`` per delay beyond the
    network's memory, so keep ``k_max`` moderate relative to ``n_test``.

    Parameters
    ----------
    states : array_like, shape (n_steps, n_neurons)
        Network states, one row per time step.
    inputs : array_like, shape (n_steps,) or (n_steps, 1)
        The scalar input sequence, ideally i.i.d. (the papers use ``U[-1, 1]``).
    k_max : int
        Largest delay, ``>= 1``.
    washout : int, default 0
        Initial steps to discard.
    ridge : float, default 1e-6
        Ridge (Tikhonov) regularisation ``alpha >= 0``, the same as
        scikit-learn's ``Ridge(alpha=ridge, fit_intercept=True)``.
    test_fraction : float, default 0.3
        Fraction of the usable steps held out for scoring, in [0, 1). With
        0, the readouts are scored on their training steps (in-sample).

    Returns
    -------
    MemoryCapacityResult
        ``total``, the ``curve`` MC(k) and the settings used.

    Raises
    ------
    ValueError
        Mismatched lengths, too few steps for ``k_max`` / ``washout``,
        constant input, constant states, non-finite values, bad settings.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> u = rng.uniform(-1, 1, 3000)
    >>> delay_line = np.stack([np.roll(u, i + 1) for i in range(5)], axis=1)
    >>> result = memory_capacity(delay_line, u, k_max=5, washout=10, ridge=1e-9)
    >>> round(result.total, 4)
    5.0
    """
    states = as_finite_array(states, "states", ndim=(1, 2))
    if states.ndim == 1:
        states = states[:, None]
    inputs = as_finite_array(inputs, "inputs", ndim=(1, 2))
    if inputs.ndim == 2:
        if inputs.shape[1] != 1:
            raise ValueError(
                f"inputs must be a scalar sequence (n_steps,) or (n_steps, 1), got shape {inputs.shape}"
            )
        inputs = inputs[:, 0]
    if states.shape[0] != inputs.shape[0]:
        raise ValueError(
            f"states and inputs have different lengths: {states.shape[0]} time steps "
            f"vs {inputs.shape[0]} inputs"
        )
    if int(k_max) != k_max or k_max < 1:
        raise ValueError(f"k_max must be a positive integer, got {k_max!r}")
    if int(washout) != washout or washout < 0:
        raise ValueError(f"washout must be a non-negative integer, got {washout!r}")
    if not (np.isfinite(ridge) and ridge >= 0):
        raise ValueError(f"ridge must be a finite number >= 0, got {ridge!r}")
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction!r}")
    k_max, washout = int(k_max), int(washout)

    n_steps = states.shape[0]
    first_step = max(washout, k_max)
    n_rows = n_steps - first_step
    n_test = int(round(n_rows * test_fraction))
    n_train = n_rows - n_test
    minimum = 3
    if n_train < minimum or (test_fraction > 0 and n_test < minimum):
        raise ValueError(
            f"too few time steps: {n_steps} steps leave {n_rows} usable rows after "
            f"max(washout={washout}, k_max={k_max}) = {first_step}, split into "
            f"{n_train} training and {n_test} test rows (need >= {minimum} each); "
            "use a longer run, a smaller k_max or washout"
        )
    if np.ptp(inputs[first_step - k_max:]) == 0.0:
        raise ValueError("inputs are constant: memory capacity is undefined for a constant input")

    targets = delayed_targets(inputs, k_max, first_step)
    x_train = states[first_step:first_step + n_train]
    y_train = targets[:n_train]
    if n_test:
        x_test = states[first_step + n_train:]
        y_test = targets[n_train:]
    else:
        x_test, y_test = x_train, y_train

    x_mean = x_train.mean(axis=0)
    y_mean = y_train.mean(axis=0)
    x_centred = x_train - x_mean
    if not np.any(np.ptp(x_train, axis=0) > 0.0):
        raise ValueError(
            "states are constant over the training steps (every neuron): "
            "the network carries no information about the input"
        )
    gram = x_centred.T @ x_centred
    if ridge > 0:
        gram[np.diag_indices_from(gram)] += ridge
    rhs = x_centred.T @ (y_train - y_mean)
    try:
        factor = scipy.linalg.cho_factor(gram, lower=False, check_finite=False)
        coefficients = scipy.linalg.cho_solve(factor, rhs, check_finite=False)
    except np.linalg.LinAlgError:
        # Singular normal equations (ridge = 0 and collinear states): use the
        # minimum-norm least-squares solution for all delays at once.
        coefficients = scipy.linalg.lstsq(x_centred, y_train - y_mean, check_finite=False)[0]
    prediction = (x_test - x_mean) @ coefficients + y_mean
    curve = _r_squared(y_test, prediction)
    return MemoryCapacityResult(
        total=float(curve.sum()),
        curve=curve,
        delays=np.arange(1, k_max + 1),
        k_max=k_max,
        washout=washout,
        ridge=float(ridge),
        test_fraction=float(test_fraction),
        n_train=n_train,
        n_test=n_test if n_test else n_train,
        first_step=first_step,
    )
