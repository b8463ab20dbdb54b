"""Memory capacity (Jaeger 2001) from one regularised least-squares solve.

See :ref:`science-memory`: drive the network with i.i.d. input ``u(t)``; for each delay
``k = 1 .. k_max`` a ridge readout ``y_k(t) = b_k . x(t) + c_k`` is trained
to reproduce ``u(t - k)``; ``MC(k)`` is the squared Pearson correlation of
``y_k`` and ``u(t - k)`` on held-out time steps, and ``MC = sum_k MC(k)``.

All delays share the same design matrix, so the ridge normal equations
``(Xc^T Xc + ridge * I) B = Xc^T Yc`` are factorised once per penalty
(Cholesky) and solved for the ``k_max`` right-hand sides at once (in their
dual form ``(Xc Xc^T + ridge * I) A = Yc``, ``B = Xc^T A``, when the states
have more features than training rows: the same readouts, a smaller system). The
penalty is chosen per delay on a time-ordered validation split of the
training steps (``ridge="auto"``), or fixed.

Chance level. Held-out squared correlations are positive even for states
unrelated to the input: a readout's prediction and an independent target
of ``n_test`` steps have ``E[r^2] = 1 / (n_test - 1)``, so an estimate of
``MC`` carries about ``k_max / n_test`` of pure chance. Every result
reports that analytic level and an empirical null: the same states and
readouts scored against ``n_null`` time-permuted copies of the input (the
input's distribution, no relation to the states); ``above_chance`` is the
total minus the null's mean.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from ._validation import as_finite_array

__all__ = ["MemoryCapacityResult", "memory_capacity", "delayed_targets", "RELATIVE_RIDGE_GRID"]

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
    ridge : float
        The penalty used (the median over delays when chosen per delay).
    ridges : numpy.ndarray, shape (k_max,)
        The penalty of each delay's readout.
    test_fraction : float
    n_train, n_test : int
        Time steps used to fit and to score the readouts.
    first_step : int
        Index of the first state row used (``max(washout, k_max)``).
    chance_level : float
        Analytic chance level ``k_max / (n_test - 1)`` of held-out scoring
        (``nan`` for in-sample scoring, ``test_fraction = 0``).
    null_totals : numpy.ndarray, shape (n_null,)
        ``MC`` of the same states against time-permuted inputs (empirical null).
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
    chance_level: float = float("nan")
    null_totals: np.ndarray = None
    ridges: np.ndarray = None

    def __float__(self):
        return float(self.total)

    @property
    def null_mean(self) -> float:
        """Mean of the empirical null (``nan`` without one)."""
        return float(np.mean(self.null_totals)) if self.null_totals is not None and len(self.null_totals) else float("nan")

    @property
    def null_sd(self) -> float:
        """Standard deviation of the empirical null (``nan`` with fewer than two draws)."""
        if self.null_totals is None or len(self.null_totals) < 2:
            return float("nan")
        return float(np.std(self.null_totals, ddof=1))

    @property
    def above_chance(self) -> float:
        """``total`` minus the empirical null's mean (the analytic level without a null)."""
        reference = self.null_mean if np.isfinite(self.null_mean) else self.chance_level
        return float(self.total - reference)

    def summary(self) -> dict:
        """JSON-ready numbers: total, chance levels, above chance, settings and the curve."""
        return {
            "total": float(self.total), "chance_level": float(self.chance_level), "null_mean": self.null_mean,
            "null_sd": self.null_sd, "above_chance": self.above_chance, "k_max": self.k_max,
            "washout": self.washout, "ridge": self.ridge, "n_train": self.n_train, "n_test": self.n_test,
            "curve": np.asarray(self.curve, dtype=float).tolist(),
        }


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


#: relative ridge penalties tried by ``ridge="auto"`` (times the mean diagonal of ``Xc^T Xc``)
RELATIVE_RIDGE_GRID = tuple(10.0 ** k for k in range(-6, 2))


def _ridge_solve(gram, rhs, ridge):
    """Coefficients of ``(gram + ridge I) B = rhs`` (minimum-norm least squares if singular)."""
    system = gram.copy()
    if ridge > 0:
        system[np.diag_indices_from(system)] += ridge
    try:
        factor = scipy.linalg.cho_factor(system, lower=False, check_finite=False)
        return scipy.linalg.cho_solve(factor, rhs, check_finite=False)
    except np.linalg.LinAlgError:
        # Singular normal equations (ridge = 0 and collinear states): the
        # minimum-norm least-squares solution, pinv(X^T X) X^T y = pinv(X) y.
        return scipy.linalg.pinvh(system) @ rhs


def _fit_readouts(x_train, y_train, candidates, validation_fraction=0.2):
    """Ridge readouts of every column of ``y_train``; the penalty per column from ``candidates``.

    With one candidate it is used for every column. With several, each
    column's penalty minimises the squared error on the last
    ``validation_fraction`` of the rows when fitted on the rows before
    (time-ordered), and the readouts are refitted on all rows.
    Returns ``(x_mean, y_mean, coefficients, chosen_ridges)``.

    The normal equations are solved in the smaller of their two forms: the
    primal ``(Xc^T Xc + a I) B = Xc^T Yc`` (features x features) when there
    are fewer features than rows, else the dual ``(Xc Xc^T + a I) A = Yc``,
    ``B = Xc^T A`` (rows x rows). The two give the same readouts (the
    push-through identity ``(Xc^T Xc + a I)^-1 Xc^T = Xc^T (Xc Xc^T + a I)^-1``;
    at ``a = 0`` both fall back to the minimum-norm solution ``pinv(Xc) Yc``),
    and the dual is the cheaper one for large networks: N = 2000 read out as
    counts and filtered traces gives 4000 features for 1400 training rows
    (measured in ``tests/test_analysis_memory.py`` against the primal form
    and per-delay scikit-learn ridges).
    """
    x_mean, y_mean = x_train.mean(axis=0), y_train.mean(axis=0)
    x_centred = x_train - x_mean
    dual = x_centred.shape[1] > x_centred.shape[0]
    if len(candidates) == 1:
        chosen = np.full(y_train.shape[1], candidates[0])
    else:
        split = int(round(len(x_train) * (1 - validation_fraction)))
        fit_x, fit_y = x_train[:split], y_train[:split]
        fit_xm, fit_ym = fit_x.mean(axis=0), fit_y.mean(axis=0)
        fit_xc, held_out = fit_x - fit_xm, x_train[split:] - fit_xm
        if dual:         # predictions on the held-out rows through the cross-kernel: no coefficients needed
            system, fit_rhs, project = fit_xc @ fit_xc.T, fit_y - fit_ym, held_out @ fit_xc.T
        else:
            system, fit_rhs, project = fit_xc.T @ fit_xc, fit_xc.T @ (fit_y - fit_ym), held_out
        errors = np.empty((len(candidates), y_train.shape[1]))
        for index, candidate in enumerate(candidates):
            residual = project @ _ridge_solve(system, fit_rhs, candidate) + fit_ym - y_train[split:]
            errors[index] = np.mean(residual**2, axis=0)
        chosen = np.asarray(candidates)[np.argmin(errors, axis=0)]
    if dual:
        system, rhs = x_centred @ x_centred.T, y_train - y_mean
    else:
        system, rhs = x_centred.T @ x_centred, x_centred.T @ (y_train - y_mean)
    coefficients = np.empty((x_train.shape[1], y_train.shape[1]))
    for candidate in np.unique(chosen):
        columns = chosen == candidate
        solution = _ridge_solve(system, rhs[:, columns], candidate)
        coefficients[:, columns] = x_centred.T @ solution if dual else solution
    return x_mean, y_mean, coefficients, chosen


def memory_capacity(states, inputs, k_max, washout=0, ridge="auto", test_fraction=0.3, n_null=20, seed=0):
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
    ridge : float, sequence of float or "auto", default "auto"
        Ridge (Tikhonov) regularisation ``alpha >= 0``, the same as
        scikit-learn's ``Ridge(alpha=ridge, fit_intercept=True)``. A
        sequence: each delay's readout takes the candidate with the lowest
        error on the last 20 % of the training steps (fitted on the steps
        before them), then is refitted on all training steps; the test steps
        take no part in the choice. ``"auto"``: the candidates
        :data:`RELATIVE_RIDGE_GRID` times the mean diagonal of
        ``Xc^T Xc`` (scale-free). Noisy spiking states need a penalty: a
        fixed tiny one overfits the readouts and underestimates MC.
    test_fraction : float, default 0.3
        Fraction of the usable steps held out for scoring, in [0, 1). With
        0, the readouts are scored on their training steps (in-sample).
    n_null : int, default 20
        Time-permuted copies of the input scored with the same states (the
        empirical chance level; 0 skips it).
    seed : int, default 0
        Seed of the permutations.

    Returns
    -------
    MemoryCapacityResult
        ``total``, the ``curve`` MC(k), the chance levels and the settings used.

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
    >>> round(result.total, 4), round(result.chance_level, 4), result.null_mean < 0.02
    (5.0, 0.0056, True)
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
    if isinstance(ridge, str):
        if ridge != "auto":
            raise ValueError(f"ridge must be a number >= 0, a sequence of them or 'auto', got {ridge!r}")
        candidates = None
    else:
        candidates = np.atleast_1d(np.asarray(ridge, dtype=float))
        if candidates.ndim != 1 or candidates.size == 0 or not np.all(np.isfinite(candidates) & (candidates >= 0)):
            raise ValueError(f"ridge must be a finite number >= 0 (or a sequence of them), got {ridge!r}")
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction!r}")
    if int(n_null) != n_null or n_null < 0:
        raise ValueError(f"n_null must be a non-negative integer, got {n_null!r}")
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

    rng = np.random.default_rng(seed)
    sequences = [inputs] + [rng.permutation(inputs) for _ in range(int(n_null))]
    targets = np.concatenate([delayed_targets(sequence, k_max, first_step) for sequence in sequences], axis=1)
    x_train = states[first_step:first_step + n_train]
    y_train = targets[:n_train]
    if n_test:
        x_test = states[first_step + n_train:]
        y_test = targets[n_train:]
    else:
        x_test, y_test = x_train, y_train

    if not np.any(np.ptp(x_train, axis=0) > 0.0):
        raise ValueError(
            "states are constant over the training steps (every neuron): "
            "the network carries no information about the input"
        )
    if candidates is None:
        centred = x_train - x_train.mean(axis=0)
        scale = float(np.einsum("ij,ij->", centred, centred)) / x_train.shape[1]
        candidates = scale * np.asarray(RELATIVE_RIDGE_GRID)
    x_mean, y_mean, coefficients, chosen = _fit_readouts(x_train, y_train, tuple(candidates))
    prediction = (x_test - x_mean) @ coefficients + y_mean
    scores = _r_squared(y_test, prediction).reshape(len(sequences), k_max)
    curve = scores[0]
    scored = n_test if n_test else n_train
    return MemoryCapacityResult(
        total=float(curve.sum()),
        curve=curve,
        delays=np.arange(1, k_max + 1),
        k_max=k_max,
        washout=washout,
        ridge=float(np.median(chosen[:k_max])),
        test_fraction=float(test_fraction),
        n_train=n_train,
        n_test=scored,
        first_step=first_step,
        chance_level=float(k_max / (n_test - 1)) if n_test else float("nan"),
        null_totals=scores[1:].sum(axis=1),
        ridges=chosen[:k_max],
    )
