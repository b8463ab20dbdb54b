"""The Wasserstein–Matérn kernel (:ref:`science-bo-kernel`), usable inside scikit-optimize.

The kernel is ``k(x, x') = s^2 * 2^(1-nu)/Gamma(nu) * (sqrt(2 nu) d/h)^nu
* K_nu(sqrt(2 nu) d/h)`` with ``d`` the Wasserstein distance between the
candidates' parameter distributions. We take ``d`` to be the W2 distance of
each 1-D distribution computed on a fixed quantile grid, divided by a
per-distribution reference scale, combined in quadrature over the
distributions:

    d(x, x')^2 = sum_g W2(P_g(x), P_g(x'))^2 / (scale_g^2 * h_g^2).

**Construction.** Each candidate ``x`` is mapped to its quantile-function
embedding ``z(x)`` (:class:`WassersteinEmbedding`): for every distribution
``g`` the vector ``sqrt(w_i) * F_g^-1(Phi(t_i)) / scale_g`` on the
Gauss–Hermite grid of :mod:`hetnet.bo.wasserstein`. The grid W2 distance is
exactly the Euclidean distance between embeddings, so the kernel is a
standard Matérn kernel on a Euclidean feature map; it is therefore positive
semi-definite for every nu and every set of candidates (the paper asserts
this; the construction proves it). Architecture scalars are point masses:
their W2 distance is ``|a - b|``.

:class:`WassersteinMatern` subclasses scikit-optimize's kernel base class,
so it composes with skopt's ``ConstantKernel`` and ``WhiteKernel``; it
implements ``gradient_x`` (chain rule: the Matérn derivative in embedding
space times a finite-difference Jacobian of the embedding) and the gradient
with respect to its log length scales (one per distribution, or one shared),
so scikit-optimize fits the hyperparameters by maximising the marginal
likelihood and optimises the acquisition with L-BFGS.

Examples
--------
>>> import numpy as np
>>> from hetnet.bo.space import network_search_space
>>> from hetnet.bo.kernels import WassersteinEmbedding, WassersteinMatern
>>> space = network_search_space(include_stdp=False, include_architecture=False)
>>> kernel = WassersteinMatern(WassersteinEmbedding(space.dimensions, space), nu=2.5)
>>> X = np.random.default_rng(0).uniform(size=(5, len(space.dimensions)))   # skopt's normalised space
>>> K = kernel(X)
>>> K.shape, bool(np.allclose(np.diag(K), 1.0))
((5, 5), True)
"""
from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from typing import Mapping, Sequence

import numpy as np
from scipy import special
from sklearn.gaussian_process.kernels import Hyperparameter
from skopt.learning.gaussian_process.kernels import Kernel
from skopt.space import Space
from skopt.utils import normalize_dimensions

from hetnet.bo.space import DISTRIBUTION_KINDS, SearchSpace, ScalarParameter, normal_score_quantile_matrix
from hetnet.bo.wasserstein import DEFAULT_LEVELS, normal_score_quantile, quantile_grid

__all__ = [
    "SUPPORTED_NU",
    "matern_correlation",
    "DistributionGroups",
    "WassersteinEmbedding",
    "WassersteinMatern",
]

logger = logging.getLogger(__name__)

SUPPORTED_NU = (0.5, 1.5, 2.5)


def matern_correlation(distance, nu: float = 2.5) -> np.ndarray:
    """The Matérn correlation (:ref:`science-bo-kernel`) ``2^(1-nu)/Gamma(nu) (sqrt(2 nu) d)^nu K_nu(sqrt(2 nu) d)``.

    ``distance`` is already divided by the length scale. Closed forms for
    nu = 1/2, 3/2, 5/2; the Bessel formula for any other nu > 0 (value 1
    at distance 0).

    Examples
    --------
    >>> float(matern_correlation(0.0, 1.5))
    1.0
    >>> bool(np.isclose(matern_correlation(0.7, 2.5), matern_correlation(0.7, 2.5000001), atol=1e-6))
    True
    """
    d = np.abs(np.asarray(distance, dtype=float))
    if nu == 0.5:
        return np.exp(-d)
    if nu == 1.5:
        a = np.sqrt(3.0) * d
        return (1.0 + a) * np.exp(-a)
    if nu == 2.5:
        a = np.sqrt(5.0) * d
        return (1.0 + a + a * a / 3.0) * np.exp(-a)
    if not nu > 0:
        raise ValueError(f"nu must be > 0; got {nu!r}")
    a = np.sqrt(2.0 * nu) * d
    with np.errstate(invalid="ignore"):
        value = 2.0 ** (1.0 - nu) / special.gamma(nu) * a**nu * special.kv(nu, a)
    return np.where(a == 0, 1.0, np.nan_to_num(value, nan=0.0))


def _matern_slope(distance: np.ndarray, nu: float) -> np.ndarray:
    """``u(r) = -f'(r) / r`` for the Matérn correlation ``f`` (0 where undefined)."""
    r = distance
    if nu == 0.5:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.exp(-r) / r
        return np.where(r > 0, out, 0.0)
    if nu == 1.5:
        return 3.0 * np.exp(-np.sqrt(3.0) * r)
    if nu == 2.5:
        a = np.sqrt(5.0) * r
        return (5.0 / 3.0) * (1.0 + a) * np.exp(-a)
    raise ValueError(f"gradients are implemented for nu in {SUPPORTED_NU}; got {nu!r}")


class DistributionGroups:
    """Which dimensions parameterise which distribution (a picklable callable).

    Parameters
    ----------
    n_dimensions : int
        Length of a candidate.
    groups : sequence of (kind, indices) or (kind, indices, log_scale)
        ``kind`` in ``gamma`` (shape, mean), ``lognormal`` (mean, std),
        ``uniform`` (mean, width) or ``constant`` (one index); ``indices``
        the positions of its parameters in a candidate. Dimensions not
        listed become one ``constant`` group each.

    Calling it on a candidate returns the list of distributions.

    Examples
    --------
    >>> groups = DistributionGroups(3, [("gamma", (0, 1))])
    >>> groups([3.0, 20.0, 0.5])
    [Gamma(shape=3.0, mean_value=20.0), Constant(value=0.5)]
    """

    def __init__(self, n_dimensions: int, groups: Sequence[Sequence]):
        self.n_dimensions = int(n_dimensions)
        parsed, used = [], set()
        for group in groups:
            kind, indices = group[0], tuple(int(i) for i in group[1])
            log_scale = bool(group[2]) if len(group) > 2 else False
            expected = 1 if kind == "constant" else len(DISTRIBUTION_KINDS.get(kind, ())) or None
            if expected is None:
                raise ValueError(f"unknown kind {kind!r}; allowed: constant, {', '.join(DISTRIBUTION_KINDS)}")
            if len(indices) != expected:
                raise ValueError(f"a {kind} group takes {expected} dimension indices; got {indices}")
            if used & set(indices) or any(not 0 <= i < self.n_dimensions for i in indices):
                raise ValueError(f"group indices {indices} overlap another group or fall outside 0..{self.n_dimensions - 1}")
            used |= set(indices)
            parsed.append((kind, indices, log_scale))
        for index in range(self.n_dimensions):
            if index not in used:
                parsed.append(("constant", (index,), False))
        self.groups = parsed

    @classmethod
    def from_space(cls, space: SearchSpace) -> "DistributionGroups":
        groups = []
        for parameter, s in zip(space.parameters, space.slices):
            kind = "constant" if isinstance(parameter, ScalarParameter) else parameter.kind
            groups.append((kind, tuple(range(s.start, s.stop)), parameter.log_scale))
        return cls(len(space.dimensions), groups)

    @classmethod
    def from_mapping(cls, dimensions: Sequence, mapping: Mapping) -> "DistributionGroups":
        """From ``{label: (kind, [dimension names or indices])}`` (optionally a third item, log_scale)."""
        names = [getattr(dim, "name", None) for dim in dimensions]
        groups = []
        for label, spec in mapping.items():
            kind, members = spec[0], spec[1]
            indices = []
            for member in members:
                if isinstance(member, str):
                    if member not in names:
                        raise ValueError(f"distribution {label!r}: no dimension named {member!r}; names: {names}")
                    indices.append(names.index(member))
                else:
                    indices.append(int(member))
            groups.append((kind, indices) + tuple(spec[2:3]))
        return cls(len(dimensions), groups)

    def __call__(self, point: Sequence[float]) -> list:
        from hetnet.bo.space import build_distribution
        from hetnet.distributions import Constant

        point = list(point)
        return [Constant(float(point[i[0]])) if kind == "constant" else build_distribution(kind, [point[j] for j in i])
                for kind, i, _ in self.groups]

    def quantile_blocks(self, points: np.ndarray, normal_scores: np.ndarray) -> list:
        """Per group, the ``(n_points, n_levels)`` quantile matrix (log-transformed where flagged)."""
        out = []
        for kind, indices, log_scale in self.groups:
            if kind == "constant":
                block = np.repeat(points[:, indices[0]:indices[0] + 1], len(normal_scores), axis=1)
            else:
                block = normal_score_quantile_matrix(kind, points[:, list(indices)], normal_scores)
            out.append(np.log(block) if log_scale else block)
        return out


class WassersteinEmbedding:
    """Maps candidates to quantile-function vectors whose Euclidean distance is the combined W2.

    Parameters
    ----------
    dimensions : list of skopt dimensions
        The search space (original units).
    distributions : SearchSpace, DistributionGroups, mapping or callable
        How a candidate becomes distributions. A :class:`SearchSpace`, a
        :class:`DistributionGroups` or a mapping (see
        :meth:`DistributionGroups.from_mapping`) use a vectorised path; any
        callable ``point -> list of Distribution`` works too (slower).
    n_levels : int
        Gauss–Hermite grid size.
    scales : sequence of float or None
        Reference scale of each distribution; ``None`` estimates them as
        the root-mean-square W2 distance between ``n_reference`` random
        candidates (seeded), which makes every distribution dimensionless
        and of order one, like skopt's normalised dimensions.

    Examples
    --------
    >>> from skopt.space import Real
    >>> embedding = WassersteinEmbedding([Real(1, 10, name="k"), Real(5, 50, name="m")],
    ...                                  {"tau": ("gamma", ["k", "m"])})
    >>> embedding.embed_raw(np.array([[3.0, 20.0]])).shape
    (1, 32)
    """

    def __init__(self, dimensions, distributions, n_levels: int = DEFAULT_LEVELS, scales=None,
                 n_reference: int = 64, random_state: int = 0):
        self.dimensions = list(dimensions)
        self.distributions = distributions
        self.n_levels = int(n_levels)
        self.n_reference = int(n_reference)
        self.random_state = random_state
        if isinstance(distributions, SearchSpace):
            self._groups = DistributionGroups.from_space(distributions)
        elif isinstance(distributions, DistributionGroups):
            self._groups = distributions
        elif isinstance(distributions, Mapping):
            self._groups = DistributionGroups.from_mapping(self.dimensions, distributions)
        elif callable(distributions):
            self._groups = None
        else:
            raise TypeError("distributions must be a SearchSpace, DistributionGroups, mapping or callable")
        self._normalized_space = Space(normalize_dimensions(self.dimensions))
        self._scores, _, weights = quantile_grid(self.n_levels)
        self._root_weights = np.sqrt(weights)
        self._cache: OrderedDict = OrderedDict()
        self.scales = None
        if scales is None:
            reference = np.asarray(Space(self.dimensions).rvs(self.n_reference, random_state=random_state), dtype=float)
            blocks = self._blocks(reference)
            estimated = []
            for block in blocks:
                difference = block[:, None, :] - block[None, :, :]
                mean_square = np.mean(np.sum(difference**2, axis=-1)) * self.n_reference / max(self.n_reference - 1, 1)
                estimated.append(np.sqrt(mean_square) if mean_square > 0 else 1.0)
            scales = estimated
        self.scales = np.asarray(scales, dtype=float)
        self.n_groups = len(self.scales)
        self.group_of_coordinate = np.repeat(np.arange(self.n_groups), self.n_levels)

    def _blocks(self, points: np.ndarray) -> list:
        """Unscaled weighted quantile blocks ``sqrt(w) F^-1`` per group."""
        if self._groups is not None:
            blocks = self._groups.quantile_blocks(points, self._scores)
        else:
            rows = [[normal_score_quantile(d, self._scores) for d in self.distributions(list(p))] for p in points]
            blocks = [np.array([row[g] for row in rows]) for g in range(len(rows[0]))]
        return [block * self._root_weights[None, :] for block in blocks]

    def embed_raw(self, points) -> np.ndarray:
        """Embedding of candidates given in original units, shape ``(n, n_groups * n_levels)``."""
        points = np.atleast_2d(np.asarray(points, dtype=float))
        blocks = self._blocks(points)
        scales = self.scales if self.scales is not None else np.ones(len(blocks))
        return np.hstack([block / scale for block, scale in zip(blocks, scales)])

    def embed_normalized(self, X) -> np.ndarray:
        """Embedding of candidates in skopt's normalised space (what the GP sees)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        key = (X.shape, hashlib.blake2b(np.ascontiguousarray(X).tobytes(), digest_size=16).digest())
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        raw = np.asarray(self._normalized_space.inverse_transform(np.clip(X, 0.0, 1.0)), dtype=float)
        embedded = self.embed_raw(raw)
        self._cache[key] = embedded
        if len(self._cache) > 8:
            self._cache.popitem(last=False)
        return embedded

    def jacobian_normalized(self, x, step: float = 1e-5, blockwise: bool = True) -> np.ndarray:
        """Central-difference Jacobian ``dz/dx`` at one normalised point, shape ``(n_embed, n_dims)``.

        A distribution's block of the embedding depends only on its own
        dimensions, so the Jacobian is block-diagonal by group; with the
        groups known (a :class:`SearchSpace`, mapping or
        :class:`DistributionGroups`) each block is computed from its own
        perturbed candidates only — the same numbers as perturbing every
        dimension and embedding every group (what a plain callable gets), at
        about ``1 / n_groups`` of the cost. This is the acquisition
        optimiser's inner loop (measured at 20 dimensions, 10 groups: 80 % of
        a 30-point ask/tell cycle before this; docs/notes/issue-17.md).
        ``blockwise=False`` takes the dense path (the reference of the test
        and of ``bench/bench_acquisition.py``).
        """
        x = np.asarray(x, dtype=float)
        n = len(x)
        plus = np.repeat(x[None, :], n, axis=0)
        minus = plus.copy()
        index = np.arange(n)
        plus[index, index] = np.minimum(x + step, 1.0)
        minus[index, index] = np.maximum(x - step, 0.0)
        width = plus[index, index] - minus[index, index]
        raw_plus = np.asarray(self._normalized_space.inverse_transform(plus), dtype=float)
        raw_minus = np.asarray(self._normalized_space.inverse_transform(minus), dtype=float)
        if self._groups is None or not blockwise:
            difference = self.embed_raw(raw_plus) - self.embed_raw(raw_minus)
            # C order like the block-wise result: the same values in another memory layout would take
            # another BLAS path in the GP's products and round differently
            return np.ascontiguousarray((difference / width[:, None]).T)
        jacobian = np.zeros((self.n_groups * self.n_levels, n))
        for number, group in enumerate(self._groups.groups):
            rows = list(group[1])
            single = DistributionGroups.__new__(DistributionGroups)
            single.n_dimensions, single.groups = n, [group]
            # the operations of embed_raw in its order, so the numbers are identical to the dense path's
            plus_block, minus_block = (single.quantile_blocks(raw[rows], self._scores)[0] * self._root_weights[None, :]
                                       / self.scales[number] for raw in (raw_plus, raw_minus))
            columns = slice(number * self.n_levels, (number + 1) * self.n_levels)
            jacobian[columns, rows] = ((plus_block - minus_block) / width[rows, None]).T
        return jacobian

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_cache"] = OrderedDict()
        return state

    def __deepcopy__(self, memo):
        # The embedding is immutable once built: share it between kernel clones.
        return self


class WassersteinMatern(Kernel):
    """Matérn kernel on the Wasserstein (quantile-embedding) distance; an skopt kernel.

    Parameters
    ----------
    embedding : WassersteinEmbedding
    length_scale : float or array of length ``embedding.n_groups``
        One shared length scale, or one per distribution (ARD over
        distributions). Fitted by the GP (log scale) within
        ``length_scale_bounds``.
    length_scale_bounds : pair of float or "fixed"
    nu : {0.5, 1.5, 2.5}

    Use it as ``ConstantKernel() * WassersteinMatern(...)`` inside
    ``skopt.learning.GaussianProcessRegressor`` (see
    :func:`hetnet.bo.optimizer.make_optimizer`).

    Examples
    --------
    >>> from skopt.space import Real
    >>> dims = [Real(1, 10, name="k"), Real(5, 50, name="m")]
    >>> kernel = WassersteinMatern(WassersteinEmbedding(dims, {"tau": ("gamma", ["k", "m"])}), nu=1.5)
    >>> kernel(np.array([[0.2, 0.3]]), np.array([[0.2, 0.3]]))
    array([[1.]])
    """

    def __init__(self, embedding, length_scale=1.0, length_scale_bounds=(1e-2, 1e2), nu=2.5):
        self.embedding = embedding
        self.length_scale = length_scale
        self.length_scale_bounds = length_scale_bounds
        self.nu = nu

    @property
    def anisotropic(self) -> bool:
        return np.iterable(self.length_scale) and len(self.length_scale) > 1

    @property
    def hyperparameter_length_scale(self):
        if self.anisotropic:
            return Hyperparameter("length_scale", "numeric", self.length_scale_bounds, len(self.length_scale))
        return Hyperparameter("length_scale", "numeric", self.length_scale_bounds)

    def is_stationary(self):
        return False

    def diag(self, X):
        return np.ones(np.asarray(X).shape[0])

    def _coordinate_scales(self) -> np.ndarray:
        scales = np.broadcast_to(np.asarray(self.length_scale, dtype=float), (self.embedding.n_groups,))
        return scales[self.embedding.group_of_coordinate]

    def _group_squares(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Squared scaled distances per group, shape ``(n, m, n_groups)``."""
        scaled_first = first / self._coordinate_scales()
        scaled_second = second / self._coordinate_scales()
        out = np.empty((len(first), len(second), self.embedding.n_groups))
        for group in range(self.embedding.n_groups):
            columns = self.embedding.group_of_coordinate == group
            a, b = scaled_first[:, columns], scaled_second[:, columns]
            squares = np.sum(a * a, 1)[:, None] + np.sum(b * b, 1)[None, :] - 2.0 * a @ b.T
            out[:, :, group] = np.maximum(squares, 0.0)
        return out

    def __call__(self, X, Y=None, eval_gradient=False):
        if self.nu not in SUPPORTED_NU:
            raise ValueError(f"nu must be one of {SUPPORTED_NU}; got {self.nu!r}")
        X = np.atleast_2d(X)
        first = self.embedding.embed_normalized(X)
        if Y is None:
            second = first
        elif eval_gradient:
            raise ValueError("gradient can only be evaluated when Y is None")
        else:
            second = self.embedding.embed_normalized(np.atleast_2d(Y))
        squares = self._group_squares(first, second)
        distance = np.sqrt(np.sum(squares, axis=-1))
        if Y is None:
            np.fill_diagonal(distance, 0.0)
        K = matern_correlation(distance, self.nu)
        if not eval_gradient:
            return K
        if self.hyperparameter_length_scale.fixed:
            return K, np.empty((len(X), len(X), 0))
        # dK / dlog(l_g) = u(r) * d_g^2 / l_g^2, u(r) = -f'(r)/r.
        slope = _matern_slope(distance, self.nu)
        gradient = slope[:, :, None] * squares
        if not self.anisotropic:
            gradient = np.sum(gradient, axis=-1, keepdims=True)
        return K, gradient

    def gradient_x(self, x, X_train):
        """Gradient of ``K(x, X_train)`` with respect to ``x`` (normalised space), ``(n_train, n_dims)``."""
        x = np.asarray(x, dtype=float).reshape(-1)   # skopt's Product passes shape (1, n_dims)
        z = self.embedding.embed_normalized(x[None, :])
        Z_train = self.embedding.embed_normalized(np.atleast_2d(X_train))
        coordinate_scales = self._coordinate_scales()
        difference = (z - Z_train) / coordinate_scales**2            # (n_train, n_embed)
        squares = self._group_squares(z, Z_train)[0]
        distance = np.sqrt(np.sum(squares, axis=-1))
        slope = _matern_slope(distance, self.nu)
        gradient_z = -slope[:, None] * difference                      # dK/dz
        return gradient_z @ self.embedding.jacobian_normalized(x)

    def __repr__(self):
        scale = np.round(np.atleast_1d(self.length_scale), 3).tolist()
        return f"WassersteinMatern(length_scale={scale}, nu={self.nu}, n_groups={self.embedding.n_groups})"
