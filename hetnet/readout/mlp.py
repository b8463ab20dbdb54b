"""The paper's MLP readout: top recurrent neurons by betweenness centrality.

The HRSNN paper reads out from the 10 % of recurrent neurons with the
highest betweenness centrality in the recurrent graph, through one hidden
layer of 20 units, to the classes (or to one output per predicted
dimension). Betweenness is computed by :func:`hetnet.graph.betweenness_centrality`
(hetnet's own vectorised code, the same as LNP's step II; networkx is not
used) on the directed graph of the recurrent weight matrix ``[pre, post]``
(edge length 1: unweighted shortest paths, a choice — the paper does not
say); above ``exact_limit`` neurons it is estimated from ``n_sources``
seeded source nodes.

Examples
--------
>>> import numpy as np
>>> weights = np.zeros((5, 5)); weights[0, 1] = weights[1, 2] = weights[2, 3] = weights[3, 4] = 1.0
>>> top_betweenness_neurons(weights, fraction=0.2).tolist()
[2]
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline

from hetnet.graph import betweenness_centrality
from hetnet.readout.linear import StateScaler

__all__ = ["top_betweenness_neurons", "MLPReadout"]

logger = logging.getLogger(__name__)


def top_betweenness_neurons(weights, fraction: float = 0.1, *, seed: int = 0, exact_limit: int = 4000,
                            n_sources: int = 256) -> np.ndarray:
    """Indices of the ``ceil(fraction * n)`` most central neurons (ties by index).

    Betweenness is :func:`hetnet.graph.betweenness_centrality` (unweighted,
    directed ``[pre, post]`` graph): exact up to ``exact_limit`` neurons
    (about 1-5 s at 2000 neurons), from ``n_sources`` sampled sources above.

    Examples
    --------
    >>> top_betweenness_neurons(np.eye(10), fraction=0.1).size
    1
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must lie in (0, 1]; got {fraction}")
    n_sources = None if sparse.csr_matrix(weights).shape[0] <= exact_limit else n_sources
    scores = betweenness_centrality(weights, n_sources=n_sources, seed=seed)
    count = max(1, int(np.ceil(fraction * scores.size)))
    order = np.lexsort((np.arange(scores.size), -scores))
    return np.sort(order[:count])


class MLPReadout:
    """Top-betweenness neurons -> ``hidden_units`` ReLU units -> outputs.

    Parameters
    ----------
    weights : array or sparse matrix, shape (n, n)
        Recurrent weights ``[pre, post]`` used to pick the neurons.
    task : {"classification", "regression"}
    fraction : float
        Fraction of neurons read (0.1).
    hidden_units : int
        Hidden layer size (20).
    seed : int
    max_iter : int

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> weights = (rng.random((30, 30)) < 0.2).astype(float)
    >>> states = rng.normal(size=(80, 30)); labels = (states[:, :].sum(axis=1) > 0).astype(int)
    >>> readout = MLPReadout(weights, fraction=1.0).fit(states, labels)
    >>> readout.predict(states).shape
    (80,)
    """

    def __init__(self, weights, task: str = "classification", fraction: float = 0.1,
                 hidden_units: int = 20, seed: int = 0, max_iter: int = 2000, alpha: float = 1e-3):
        if task not in ("classification", "regression"):
            raise ValueError(f"task must be 'classification' or 'regression'; got {task!r}")
        self.task = task
        self.hidden_units = int(hidden_units)
        self.seed = int(seed)
        self.max_iter = int(max_iter)
        self.alpha = float(alpha)
        self.neurons = top_betweenness_neurons(weights, fraction, seed=seed)
        self.n_neurons = int(weights.shape[0])

    def _columns(self, states) -> np.ndarray:
        """The selected neurons' columns; states of several blocks of ``n_neurons`` columns
        (e.g. ``"counts+filtered"``) contribute the selected neurons of every block."""
        states = np.asarray(states, float)
        blocks, remainder = divmod(states.shape[1], self.n_neurons)
        if remainder or blocks == 0:
            raise ValueError(f"states have {states.shape[1]} columns; expected a multiple of the network's "
                             f"{self.n_neurons} neurons")
        return states[:, np.concatenate([self.neurons + block * self.n_neurons for block in range(blocks)])]

    def _model(self):
        kind = MLPClassifier if self.task == "classification" else MLPRegressor
        return make_pipeline(
            StateScaler(clip=False),   # near-constant columns read 0; no clipping: the MLP was tested without it
            kind(hidden_layer_sizes=(self.hidden_units,), random_state=self.seed,
                 max_iter=self.max_iter, alpha=self.alpha),
        )

    def fit(self, states, targets):
        """Fit the MLP on the selected neurons' columns of ``states``."""
        targets = np.asarray(targets)
        if self.task == "regression" and targets.ndim == 2 and targets.shape[1] == 1:
            targets = targets[:, 0]
        self.model_ = self._model()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.model_.fit(self._columns(states), targets)
        return self

    def predict(self, states) -> np.ndarray:
        """Classes, or a ``(n_samples, n_outputs)`` array for regression."""
        prediction = self.model_.predict(self._columns(states))
        if self.task == "regression":
            return prediction.reshape(len(prediction), -1)
        return prediction

    def score(self, states, targets) -> float:
        """Accuracy (classification) or R^2 (regression)."""
        return float(self.model_.score(np.asarray(states, float)[:, self.neurons], np.asarray(targets)))
