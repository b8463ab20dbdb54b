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

:func:`ask_batch` and :func:`tell_batch` are skopt's constant-liar batch
``ask(n_points=q)`` and ``tell`` without the GP fit and acquisition skopt
computes and discards (the same proposals; half the work at q = 2:
``bench/results/acquisition_batch.json``); campaigns and :func:`minimize`
use them.

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
from hetnet.bo.engine import single_threaded_blas
from hetnet.bo.kernels import WassersteinEmbedding, WassersteinMatern
from hetnet.bo.wasserstein import DEFAULT_LEVELS

__all__ = ["KERNELS", "SCHEDULES", "DEFAULT_ACQUISITION_RESTARTS", "make_kernel", "make_optimizer", "minimize",
           "single_threaded_blas", "tell_batch", "ask_batch", "ask_pending", "PipelinedProposals"]

logger = logging.getLogger(__name__)

KERNELS = ("wasserstein", "matern")
#: L-BFGS starts of the acquisition optimiser (skopt's default): EI is evaluated at ``n_acquisition_points``
#: random candidates and maximised by L-BFGS from the best this many of them
DEFAULT_ACQUISITION_RESTARTS = 5
#: How a run with several evaluations at once proposes: ``"batch"`` (``q`` points together, wait for all
#: of them) or ``"pipeline"`` (:class:`PipelinedProposals`: one point each time the oldest finishes).
SCHEDULES = ("batch", "pipeline")


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
                   acq_optimizer: str = "lbfgs", n_acquisition_points: int = 2000,
                   acquisition_restarts: int = DEFAULT_ACQUISITION_RESTARTS) -> Optimizer:
    """A scikit-optimize ``Optimizer`` (minimisation, EI with ``xi``) with the chosen kernel.

    The kernel description is stored as ``optimizer.kernel_description``.

    Examples
    --------
    >>> from skopt.space import Real
    >>> opt = make_optimizer([Real(0, 1, name="x")], "matern", n_initial_points=2)
    >>> x = opt.ask(); _ = opt.tell(x, 0.3)
    """
    if isinstance(acquisition_restarts, bool) or not isinstance(acquisition_restarts, (int, np.integer)) \
            or acquisition_restarts < 1:
        raise ValueError(f"acquisition_restarts must be an integer >= 1; got {acquisition_restarts!r}")
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
        acq_optimizer_kwargs={"n_points": n_acquisition_points, "n_restarts_optimizer": int(acquisition_restarts),
                              "n_jobs": 1},
    )
    optimizer.kernel_description = description
    return optimizer


def tell_batch(optimizer: Optimizer, points, values, next_count: int):
    """``optimizer.tell(points, values)`` without the work the next ``ask_batch`` will not use.

    skopt's ``tell`` fits the GP and optimises the acquisition for the next
    single ``ask()``; but a constant-liar batch (``ask(n_points=q)``, q > 1)
    ignores that result: it refits a copy of the optimiser on the same data
    and proposes from the copy. When ``next_count > 1`` this tells without
    fitting and draws the skipped acquisition's random candidates from the
    optimiser's random stream (the only use it makes of it), so the stream —
    and every later proposal — is exactly what skopt's ``tell`` would leave.
    With ``next_count <= 1`` (a single point next, or no further ask) it is
    a plain ``tell``.

    Parameters
    ----------
    optimizer : skopt.Optimizer
        From :func:`make_optimizer` (expected improvement, the ``cl_min`` lie).
    points, values : lists
        Evaluated points and their values, as for ``Optimizer.tell``.
    next_count : int
        How many points the next ask will request (0: none).

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``Optimizer.tell``'s result (its ``models`` gain the skipped fit at
        the next :func:`ask_batch`, from the copy that fits the same data).

    Examples
    --------
    >>> from skopt.space import Real
    >>> optimizer = make_optimizer([Real(0, 1)], "matern", n_initial_points=2, random_state=0)
    >>> points = ask_batch(optimizer, 2)
    >>> _ = tell_batch(optimizer, points, [(p[0] - 0.3) ** 2 for p in points], next_count=2)
    >>> len(ask_batch(optimizer, 2))
    2

    References
    ----------
    Ginsbourger, Le Riche & Carraro, "Kriging is well-suited to parallelize
    optimization", 2010 (the constant liar).
    """
    if next_count <= 1 or optimizer.acq_func != "EI" or optimizer.acq_optimizer not in ("lbfgs", "sampling"):
        return optimizer.tell(points, values)
    result = optimizer.tell(points, values, fit=False)
    if optimizer._n_initial_points <= 0 and optimizer.base_estimator_ is not None:
        # the candidates the skipped acquisition would have drawn (skopt's _tell), so the stream stays in step
        optimizer.space.rvs(n_samples=optimizer.n_points, random_state=optimizer.rng)
        optimizer._hetnet_fit_skipped = True
    return result


def ask_batch(optimizer: Optimizer, count: int) -> list:
    """``count`` points to evaluate next: skopt's ``ask(n_points=count)`` (constant liar ``cl_min``).

    The same proposals as skopt's, with one GP fit and acquisition less: the
    copy is not told the lie of the last point (its result was never used).
    After :func:`tell_batch` skipped the fit, the copy's fit (on the same
    data, with the same GP seed: the same model) is appended to the
    optimiser's ``models``, as skopt's ``tell`` would have done. One point
    (``count == 1``) is ``[optimizer.ask()]``.
    """
    skipped = getattr(optimizer, "_hetnet_fit_skipped", False)
    if count <= 1:
        if skipped:
            raise RuntimeError("tell_batch(..., next_count > 1) was followed by a single ask; tell with next_count=1")
        return [optimizer.ask()]
    if "ps" in optimizer.acq_func:   # per-second acquisitions lie with (value, time) pairs: skopt's own path
        return optimizer.ask(n_points=count)
    if (count, "cl_min") in optimizer.cache_:
        return optimizer.cache_[(count, "cl_min")]
    copy = optimizer.copy(random_state=optimizer.rng.randint(0, np.iinfo(np.int32).max))
    if skipped:
        if copy.models:
            optimizer.models.append(copy.models[0])
        optimizer._hetnet_fit_skipped = False
    points = []
    for number in range(count):
        point = copy.ask()
        points.append(point)
        if number < count - 1:
            copy._tell(point, np.min(copy.yi) if copy.yi else 0.0)
    optimizer.cache_ = {(count, "cl_min"): points}
    return points


def _bare_copy(optimizer: Optimizer, random_state) -> Optimizer:
    """skopt's ``Optimizer.copy`` without telling the copy anything (so without its GP fit)."""
    copy = Optimizer(dimensions=optimizer.space.dimensions, base_estimator=optimizer.base_estimator_,
                     n_initial_points=optimizer.n_initial_points_,
                     initial_point_generator=optimizer._initial_point_generator, acq_func=optimizer.acq_func,
                     acq_optimizer=optimizer.acq_optimizer, acq_func_kwargs=optimizer.acq_func_kwargs,
                     acq_optimizer_kwargs=optimizer.acq_optimizer_kwargs, space_constraint=optimizer.space.constraint,
                     random_state=random_state)
    copy._initial_samples = optimizer._initial_samples
    if hasattr(optimizer, "gains_"):
        copy.gains_ = np.copy(optimizer.gains_)
    return copy


def ask_pending(optimizer: Optimizer, pending) -> list:
    """The next point to evaluate while the ``pending`` points are still being evaluated.

    The constant liar of :func:`ask_batch` (``cl_min``) for points proposed
    earlier whose results are not known yet: a copy of the optimiser is told
    its data and, for each pending point, the lie ``min(yi)`` (one GP fit on
    both), and proposes one point by expected improvement. While fewer than
    ``n_initial_points`` results and pending points together exist, the
    point is the optimiser's next random initial point, as ``ask()``.
    Deterministic: the point depends on the optimiser's data, its random
    stream and ``pending``, not on when anything finished. The optimiser
    itself is told nothing (call ``tell(..., fit=False)`` on it between
    asks: its own fit would not be used).

    Parameters
    ----------
    optimizer : skopt.Optimizer
        From :func:`make_optimizer`.
    pending : list of points
        Proposed, not yet told (may be empty: then a plain ``ask()``, which
        needs the optimiser fitted when past its initial points).

    Returns
    -------
    list
        One point.

    Examples
    --------
    >>> from skopt.space import Real
    >>> optimizer = make_optimizer([Real(0, 1)], "matern", n_initial_points=2, random_state=0)
    >>> first, second = ask_pending(optimizer, []), ask_pending(optimizer, [])
    >>> _ = optimizer.tell([first, second], [0.5, 0.2], fit=False)
    >>> third = ask_pending(optimizer, [])   # needs a fit: a plain tell would have given one
    Traceback (most recent call last):
    ...
    RuntimeError: ask_pending with no pending point after a tell without fit; tell with fit=True
    >>> third = ask_pending(optimizer, [[0.9]])
    >>> 0.0 <= third[0] <= 1.0
    True

    References
    ----------
    Ginsbourger, Le Riche & Carraro, "Kriging is well-suited to parallelize
    optimization", 2010 (the constant liar for pending evaluations).
    """
    pending = [list(point) for point in pending]
    if optimizer._n_initial_points > len(pending) or optimizer.base_estimator_ is None:
        return optimizer._ask()          # a random initial point, from the optimiser's own stream
    if not pending:
        if optimizer._n_initial_points <= 0 and not optimizer.models:
            raise RuntimeError("ask_pending with no pending point after a tell without fit; tell with fit=True")
        return optimizer.ask()
    copy = _bare_copy(optimizer, optimizer.rng.randint(0, np.iinfo(np.int32).max))
    lie = float(np.min(optimizer.yi)) if optimizer.yi else 0.0
    copy._tell(list(optimizer.Xi) + pending, list(optimizer.yi) + [lie] * len(pending))
    return copy._ask()


class PipelinedProposals:
    """Proposals for ``depth`` evaluations in flight, deterministic whatever order they finish in.

    A batch schedule (:func:`ask_batch`) proposes ``q`` points, waits for
    all of them, and only then proposes again: workers that finish early and
    every worker during the optimiser's step sit idle. Here a new point is
    proposed each time the *oldest* evaluation in flight is told, so up to
    ``depth`` evaluations are always running or queued. Results are told in
    proposal order, whatever order they arrive in, and point ``i`` is
    proposed right after point ``i - depth`` is told, with the points
    ``i - depth + 1 ... i - 1`` as pending lies (:func:`ask_pending`): the
    proposals are the same on one worker or many, fast or slow. With
    ``depth = q + 1`` on ``q`` workers one evaluation waits in the queue, so
    a worker that finishes starts the next at once while the optimiser
    computes the one after. The price is staleness: each proposal knows the
    results of all but the last ``depth - 1`` points (a batch of ``q``: all
    but 0 to ``q - 1`` of them); on the analytic benchmarks ``depth = q``
    was as good as a batch of ``q`` and ``depth = q + 1`` clearly worse
    (``bench/results/schedule.json``).

    Parameters
    ----------
    optimizer : skopt.Optimizer
        From :func:`make_optimizer`, already told any earlier results.
    depth : int
        Evaluations in flight (>= 1; 1 is the sequential loop).
    total : int
        Points to propose in all, counting ``first_index``.
    first_index : int
        Index of the next point to propose (earlier ones were proposed before).
    pending : mapping index -> point, optional
        Proposed earlier, not yet told (a resumed run): told when their
        results arrive, as lies meanwhile.

    Examples
    --------
    >>> from skopt.space import Real
    >>> optimizer = make_optimizer([Real(0, 1)], "matern", n_initial_points=3, random_state=0)
    >>> schedule = PipelinedProposals(optimizer, depth=3, total=6)
    >>> [index for index, _ in schedule.proposals()]      # three in flight
    [0, 1, 2]
    >>> schedule.record(1, 0.4)                            # the second finished first: kept back
    []
    >>> [index for index, _ in schedule.record(0, 0.1)]   # 0 and 1 told: 3 and 4 proposed
    [3, 4]
    """

    def __init__(self, optimizer: Optimizer, depth: int, total: int, first_index: int = 0, pending=None):
        if int(depth) < 1:
            raise ValueError(f"depth must be >= 1; got {depth}")
        self.optimizer = optimizer
        self.depth, self.total = int(depth), int(total)
        self.next_index = int(first_index)
        self.untold = {int(index): list(point) for index, point in (pending or {}).items()}
        self.arrived = {}

    def _next_to_tell(self):
        return min(self.untold) if self.untold else None

    def proposals(self) -> list:
        """New ``(index, point)`` pairs allowed now (keeps ``depth`` untold points)."""
        made = []
        while self.next_index < self.total and len(self.untold) < self.depth:
            point = ask_pending(self.optimizer, [self.untold[i] for i in sorted(self.untold)])
            made.append((self.next_index, point))
            self.untold[self.next_index] = list(point)
            self.next_index += 1
        return made

    def record(self, index: int, value) -> list:
        """Record point ``index``'s result (``None``: failed, not told); returns :meth:`proposals` made.

        Told in index order: a result that arrives before an older one waits
        for it. After each tell the proposals it allows are made, before the
        next result is told.
        """
        index = int(index)
        if index not in self.untold or index in self.arrived:
            raise ValueError(f"point {index} is not in flight")
        self.arrived[index] = value
        made = []
        while self._next_to_tell() is not None and self._next_to_tell() in self.arrived:
            oldest = self._next_to_tell()
            point, value = self.untold.pop(oldest), self.arrived.pop(oldest)
            if value is not None:
                # fitted only when the next ask has no pending point (depth 1) or none follows: otherwise
                # ask_pending fits a copy with the lies and the optimiser's own fit would go unused
                self.optimizer.tell(point, float(value), fit=not self.untold)
            made += self.proposals()
        return made


def minimize(objective: Callable, dimensions: Sequence, n_calls: int = 20, n_initial_points: int = 5,
             random_state=0, kernel="wasserstein", batch_size: int = 1, callback=None, distributions=None,
             xi: float = DEFAULT_XI, nu: float = 2.5, x0=None, schedule: str = "batch", depth: int | None = None,
             acquisition_restarts: int = DEFAULT_ACQUISITION_RESTARTS):
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
    schedule : {"batch", "pipeline"}
        ``"pipeline"``: the proposals of :class:`PipelinedProposals` with
        ``depth`` points in flight (default ``batch_size``: what a campaign
        on ``batch_size`` workers proposes with ``schedule="pipeline"``),
        evaluated oldest first; ``callback`` is called after each
        evaluation. Not with ``x0``.
    depth : int, optional
        Points in flight of the pipelined schedule (>= 1).
    acquisition_restarts : int
        L-BFGS starts of the acquisition optimiser (see :func:`make_optimizer`).

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
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}; got {schedule!r}")
    if schedule == "pipeline" and x0:
        raise ValueError("schedule='pipeline' does not take x0")
    depth = batch_size if depth is None else depth
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
        raise ValueError(f"depth must be an integer >= 1; got {depth!r}")
    options = dict(n_initial_points=min(n_initial_points, n_calls), random_state=random_state, xi=xi, nu=nu,
                   acquisition_restarts=acquisition_restarts)
    with single_threaded_blas():
        optimizer = make_optimizer(dimensions, kernel, distributions, **options)
        if schedule == "pipeline":
            return _minimize_pipelined(optimizer, objective, n_calls, int(depth), callback)
        return _minimize(optimizer, objective, n_calls, batch_size, callback, x0)


def _callbacks(callback) -> list:
    return [] if callback is None else (list(callback) if isinstance(callback, (list, tuple)) else [callback])


def _minimize_pipelined(optimizer, objective, n_calls, depth, callback):
    callbacks = _callbacks(callback)
    schedule = PipelinedProposals(optimizer, depth=depth, total=n_calls)
    queue = dict(schedule.proposals())
    while queue:
        index = min(queue)
        queue.update(schedule.record(index, float(objective(list(queue.pop(index))))))
        result = _result_so_far(optimizer)
        if any(bool(cb(result)) for cb in callbacks):
            break
    return _result_so_far(optimizer)


def _result_so_far(optimizer: Optimizer):
    from skopt.utils import create_result

    result = create_result(optimizer.Xi, optimizer.yi, optimizer.space, optimizer.rng, models=optimizer.models)
    result.kernel = optimizer.kernel_description
    return result


def _minimize(optimizer, objective, n_calls, batch_size, callback, x0):
    callbacks = _callbacks(callback)
    pending = [list(point) for point in (x0 or [])]
    result = None
    evaluated = 0
    while evaluated < n_calls:
        count = min(batch_size, n_calls - evaluated)
        if pending:
            batch, pending = pending[:count], pending[count:]
        else:
            batch = ask_batch(optimizer, count)
        values = [float(objective(list(point))) for point in batch]
        evaluated += len(batch)
        # the next ask's size (0 after the last batch, or while x0 points are pending: then a full tell)
        next_count = 0 if pending or evaluated >= n_calls else min(batch_size, n_calls - evaluated)
        result = tell_batch(optimizer, [list(p) for p in batch], values, next_count)
        result.kernel = optimizer.kernel_description
        if any(bool(cb(result)) for cb in callbacks):
            break
    result.kernel = optimizer.kernel_description
    return result
