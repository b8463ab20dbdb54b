"""Lyapunov noise pruning (LNP) and its baselines (:ref:`science-lnp`).

numpy and scipy only (graph algorithms: :mod:`hetnet.graph`); no Brian2 (the activity-based baseline
reaches the simulator through :mod:`hetnet.network` when it runs).

=====================  ==========================================================
step I (synapses)      :func:`noise_prune`, :func:`lyapunov_matrix`,
                       :func:`linearise`, :func:`rate_covariance`,
                       :func:`keep_probabilities`
step II (neurons)      :func:`prune_nodes` (betweenness:
                       :func:`hetnet.graph.betweenness_centrality`)
step III (edges)       :func:`add_delocalizing_edges`, :func:`laplacian_ipr`
step IV (timescales)   :func:`optimize_timescales`
driver                 :func:`lyapunov_noise_pruning` -> :class:`PruningHistory`
                       (final :class:`PrunedNetwork`); settings :class:`LNPOptions`
measured activity      :func:`measured_sops`, :class:`SpikeProbe` (SOPs from
                       simulated spikes), :func:`restore_input_totals`
                       (rate homeostasis)
baselines              :func:`activity_pruning`, :func:`random_baseline`
networks               :func:`grid_network`, :func:`erdos_renyi_network`,
                       :func:`network_from_config`
=====================  ==========================================================

Examples
--------
>>> from hetnet.pruning import grid_network, lyapunov_noise_pruning
>>> history = lyapunov_noise_pruning(grid_network(60, mean_degree=8, seed=0), n_iterations=1,
...                                  optimize_timescales=False)
>>> history.records[-1].n_neurons
59
"""
from hetnet._deprecation import moved
from hetnet.pruning.activity import (
    SOP_ENERGY_PJ,
    SpikeProbe,
    input_totals,
    measure_run,
    measured_sops,
    restore_input_totals,
)
from hetnet.pruning.baselines import activity_pruning, random_baseline
from hetnet.pruning.delocalize import DelocalizationResult, add_delocalizing_edges, laplacian_ipr, local_candidates
from hetnet.pruning.driver import (
    DEFAULT_LYAPUNOV_OPTIONS,
    IterationRecord,
    PrunedNetwork,
    PruningHistory,
    lyapunov_noise_pruning,
    sops_estimate,
)
from hetnet.pruning.networks import erdos_renyi_network, grid_network, network_from_config
from hetnet.pruning.noise import (
    LinearisedNetwork,
    NoisePruningResult,
    keep_probabilities,
    linearise,
    lyapunov_matrix,
    noise_prune,
    noise_scores,
    rate_covariance,
)
from hetnet.pruning.options import ABLATIONS, RATE_HOMEOSTASIS, LNPOptions
from hetnet.pruning.nodes import NodePruningResult, prune_nodes
from hetnet.pruning.timescales import TimescaleResult, optimize_timescales, quantile_timescales

__all__ = [
    # step I
    "noise_prune", "NoisePruningResult", "lyapunov_matrix", "linearise", "LinearisedNetwork",
    "rate_covariance", "noise_scores", "keep_probabilities",
    # step II
    "prune_nodes", "NodePruningResult",
    # step III
    "add_delocalizing_edges", "DelocalizationResult", "laplacian_ipr", "local_candidates",
    # step IV
    "optimize_timescales", "TimescaleResult", "quantile_timescales",
    # driver
    "lyapunov_noise_pruning", "PruningHistory", "IterationRecord", "PrunedNetwork", "sops_estimate",
    "DEFAULT_LYAPUNOV_OPTIONS", "LNPOptions", "ABLATIONS", "RATE_HOMEOSTASIS",
    # measured activity and rate homeostasis
    "measured_sops", "measure_run", "SpikeProbe", "input_totals", "restore_input_totals", "SOP_ENERGY_PJ",
    # baselines and networks
    "activity_pruning", "random_baseline", "grid_network", "erdos_renyi_network", "network_from_config",
]

# hetnet.pruning.betweenness_centrality: moved to hetnet.graph (this name warns for one release)
__getattr__ = moved(__name__, {"betweenness_centrality": "hetnet.graph"})
