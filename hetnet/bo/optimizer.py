"""Gaussian-process optimisers (scikit-optimize) with the Wasserstein–Matérn kernel.

:func:`make_optimizer` returns a ``skopt.Optimizer`` (ask/tell, batches by
the constant-liar strategy ``ask(n_points=q)``) whose GP uses

* ``kernel="wasserstein"``: ``ConstantKernel * WassersteinMatern`` on the
  candidates' distributions (needs ``distributions=``: a
  :class:`~hetnet.bo.space.SearchSpace`, a mapping or a callable, see
  :class:`~hetnet.bo.kernels.WassersteinEmbedding`);
* ``kernel="matern"``: ``ConstantKernel * Matern`` on the normalised raw
  parameters, one length scale per dimension (scikit-optimize's default GP).

Both share the GP settings of skopt's default (``normalize_y``, fitted
Gaussian noise, 2 optimiser restarts) and expected improvement with ``xi``.
skopt *minimises*; everything here minimises, and the campaign runner
(:mod:`hetnet.bo.engine`) negates the objectives it maximises.

:func:`minimize` is the ``gp_minimize``-style entry point used by the
pruning code (timescale optimisation).

Examples
--------
>>> from skopt.space import Real
>>> from hetnet.bo.optimizer import minimize
>>> dims = [Real(1.0, 20.0, name="shape"), Real(5.0, 50.0, name="mean")]
>>> def f(x):                       # optimum: Gamma with mean 20 and std 10
...     mean, std = x[1], x[1] / x[0] ** 0.5
...     return ((mean - 20) / 20) ** 2 + ((std - 10) / 10) ** 2
>>> result = minimize(f, dims, n_calls=12, random_state=0,
...                   distributions={"tau": ("gamma", ["shape", "mean"])})
>>> len(result.func_vals), bool(result.fun <= min(result.func_vals[:5]))
(12, True)
"""
from __future__ import annotations

import logging
import warnings
from typing import Callable, Sequence

import numpy as np
from skopt import Optimizer
from skopt.learning import GaussianProcessRegressor
from skopt.learning.gaussian_process.kernels import ConstantKernel, Matern

from hetnet.bo.acquisition import DEFAULT_XI
from hetnet.bo.kernels import WassersteinEmbedding, WassersteinMatern
from hetnet.bo.wasserstein import DEFAULT_LEVELS

__all__ = ["KERNELS", "make_kernel", "make_optimizer", "minimize", "single_threaded_blas"]

logger = logging.getLogger(__name__)

KERNELS = ("wasserstein", "matern")


def single_threaded_blas():
    """Context manager limiting BLAS/OpenMP to one thread (threadpoolctl).

    The GP's matrices are small; on a loaded machine multi-threaded BLAS
    made one ask/tell cycle about 4x slower (measured: 45 s vs 11 s for 8
    evaluations of the analytic campaign).
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def make_kernel(dimensions, kernel: str = "wasserstein", distributions=None, *, nu: float = 2.5,
                ard: bool = True, n_levels: int = DEFAULT_LEVELS, random_state: int = 0):
    """The GP covariance (amplitude times correlation) for ``kernel``.

    Parameters
    ----------
    dimensions : list of skopt dimensions
    kernel : {"wasserstein", "matern"} or an skopt kernel
        An skopt kernel object is returned unchanged.
    distributions : SearchSpace, mapping, callable or None
        Needed for ``"wasserstein"``; without it the function warns and
        returns the plain Matérn on the normalised raw parameters.
    nu : {0.5, 1.5, 2.5}
    ard : bool
        One length scale per distribution (Wasserstein) or per dimension
        (Matérn), else a single shared one.

    Returns
    -------
    kernel, description : skopt kernel, str

    Examples
    --------
    >>> from skopt.space import Real
    >>> kernel, text = make_kernel([Real(0, 1, name="x")], "matern")
    >>> text
    'matern(nu=2.5) on normalised raw parameters'
    """
    if not isinstance(kernel, str):
        return kernel, repr(kernel)
    n_dims = len(dimensions)
    amplitude = ConstantKernel(1.0, (0.01, 1000.0))
    if kernel == "wasserstein" and distributions is None:
        warnings.warn(
            "kernel='wasserstein' without distributions=: no dimension is known to parameterise a "
            "distribution, so the GP uses a plain Matérn kernel on the normalised raw parameters",
            stacklevel=3,
        )
        kernel = "matern"
    if kernel == "matern":
        length = np.ones(n_dims) if ard and n_dims > 1 else 1.0
        correlation = Matern(length_scale=length, length_scale_bounds=(0.01, 100.0), nu=nu)
        return amplitude * correlation, f"matern(nu={nu}) on normalised raw parameters"
    if kernel == "wasserstein":
        embedding = WassersteinEmbedding(dimensions, distributions, n_levels=n_levels, random_state=random_state)
        length = np.ones(embedding.n_groups) if ard and embedding.n_groups > 1 else 1.0
        correlation = WassersteinMatern(embedding, length_scale=length, length_scale_bounds=(0.01, 100.0), nu=nu)
        return amplitude * correlation, (
            f"wasserstein-matern(nu={nu}) on {embedding.n_groups} distributions, "
            f"{n_levels}-level quantile grid"
        )
    raise ValueError(f"unknown kernel {kernel!r}; allowed: {', '.join(KERNELS)} or an skopt kernel")


def make_optimizer(dimensions, kernel="wasserstein", distributions=None, *, n_initial_points: int = 5,
                   random_state=0, xi: float = DEFAULT_XI, nu: float = 2.5, ard: bool = True,
                   acq_optimizer: str = "lbfgs", n_acquisition_points: int = 2000) -> Optimizer:
    """A scikit-optimize ``Optimizer`` (minimisation, EI with ``xi``) with the chosen kernel.

    The kernel description is stored as ``optimizer.kernel_description``.

    Examples
    --------
    >>> from skopt.space import Real
    >>> opt = make_optimizer([Real(0, 1, name="x")], "matern", n_initial_points=2)
    >>> x = opt.ask(); _ = opt.tell(x, 0.3)
    """
    seed = random_state if isinstance(random_state, (int, np.integer)) else 0
    covariance, description = make_kernel(dimensions, kernel, distributions, nu=nu, ard=ard,
                                          random_state=int(seed))
    estimator = GaussianProcessRegressor(kernel=covariance, normalize_y=True, noise="gaussian",
                                         n_restarts_optimizer=2, random_state=random_state)
    optimizer = Optimizer(
        dimensions,
        base_estimator=estimator,
        n_initial_points=n_initial_points,
        initial_point_generator="random",
        acq_func="EI",
        acq_optimizer=acq_optimizer,
        random_state=random_state,
        acq_func_kwargs={"xi": xi},
        acq_optimizer_kwargs={"n_points": n_acquisition_points, "n_restarts_optimizer": 5, "n_jobs": 1},
    )
    optimizer.kernel_description = description
    return optimizer


def minimize(objective: Callable, dimensions: Sequence, n_calls: int = 20, n_initial_points: int = 5,
             random_state=0, kernel="wasserstein", batch_size: int = 1, callback=None, distributions=None,
             xi: float = DEFAULT_XI, nu: float = 2.5, x0=None):
    """Minimise ``objective(list_of_values) -> float`` by GP Bayesian optimisation (gp_minimize idiom).

    Parameters
    ----------
    objective : callable
        Takes a list with one value per dimension, returns the value to minimise.
    dimensions : list of skopt dimensions (``Real``, ``Integer``), possibly named
    n_calls : int
        Total evaluations, the random initial ones included.
    n_initial_points : int
        Random points before the GP drives the search.
    random_state : int
    kernel : {"wasserstein", "matern"} or an skopt kernel
        ``"wasserstein"`` needs ``distributions``; without it a Matérn on the
        normalised raw parameters is used (a warning says so and
        ``result.kernel`` records it).
    batch_size : int
        Points proposed per step (constant liar); evaluated in order.
    callback : callable or list of callables, optional
        Called with the running result after each step; returning True stops.
    distributions : SearchSpace, mapping or callable, optional
        Which dimensions parameterise which distribution, e.g.
        ``{"tau_m": ("gamma", ["tau_shape", "tau_mean"])}`` (kinds: gamma
        (shape, mean), lognormal (mean, std), uniform (mean, width),
        constant); or a callable ``point -> list of Distribution``.
    xi : float
        Expected-improvement margin.
    x0 : list of points, optional
        Evaluated first (counted in ``n_calls``).

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (best point), ``fun``, ``x_iters``, ``func_vals``, ``space``,
        ``models``, plus ``kernel`` (description of the kernel used).

    Examples
    --------
    >>> from skopt.space import Real
    >>> result = minimize(lambda x: (x[0] - 0.3) ** 2, [Real(0.0, 1.0)], n_calls=8, kernel="matern")
    >>> abs(result.x[0] - 0.3) < 0.2
    True
    """
    if n_calls < 1:
        raise ValueError(f"n_calls must be >= 1; got {n_calls}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1; got {batch_size}")
    with single_threaded_blas():
        return _minimize(objective, dimensions, n_calls, n_initial_points, random_state, kernel, batch_size,
                         callback, distributions, xi, nu, x0)


def _minimize(objective, dimensions, n_calls, n_initial_points, random_state, kernel, batch_size, callback,
              distributions, xi, nu, x0):
    optimizer = make_optimizer(dimensions, kernel, distributions, n_initial_points=min(n_initial_points, n_calls),
                               random_state=random_state, xi=xi, nu=nu)
    callbacks = [] if callback is None else (list(callback) if isinstance(callback, (list, tuple)) else [callback])
    pending = [list(point) for point in (x0 or [])]
    result = None
    evaluated = 0
    while evaluated < n_calls:
        count = min(batch_size, n_calls - evaluated)
        if pending:
            batch, pending = pending[:count], pending[count:]
        else:
            batch = optimizer.ask(n_points=count) if count > 1 else [optimizer.ask()]
        values = [float(objective(list(point))) for point in batch]
        result = optimizer.tell([list(p) for p in batch], values)
        evaluated += len(batch)
        result.kernel = optimizer.kernel_description
        if any(bool(cb(result)) for cb in callbacks):
            break
    result.kernel = optimizer.kernel_description
    return result
