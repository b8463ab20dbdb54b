"""Analysis toolkit (:ref:`science-analysis`): arrays in, numbers out.

No Brian2 here: the simulator hands over numpy arrays (states, spike
counts, weights, per-neuron parameters).

================================  ==========================================
separation / kernel quality       :func:`effective_rank`, :func:`singular_values`
memory capacity                   :func:`memory_capacity` -> :class:`MemoryCapacityResult`
spike statistics                  :func:`spike_counts`, :func:`mean_spike_count`,
                                  :func:`average_activation`, :func:`firing_rates_hz`,
                                  :func:`spike_efficiency`
paired claims across seeds        :func:`paired_comparison` -> :class:`PairedComparison`,
                                  :func:`best_so_far`
firing regime                     :func:`firing_regime` -> :class:`FiringRegime`,
                                  :func:`synchrony`, :func:`isi_cv`, :func:`fano_factor`,
                                  :func:`silent_fraction`, :func:`binned_spike_counts`
heterogeneity                     :func:`heterogeneity`, :func:`parameter_matrix`
prediction                        :func:`rmse`, :func:`nrmse`, :func:`valid_prediction_time`
energy                            :func:`synaptic_operations`, :func:`energy`, :func:`sop_ratio`
Lyapunov                          :func:`lyapunov_spectrum`, :func:`network_lyapunov`,
                                  :func:`kaplan_yorke_dimension`
feature importance (SAGE)         :func:`sage_values` -> :class:`SageResult`
================================  ==========================================
"""

from .energy import (
    JOULES_PER_MAC,
    JOULES_PER_SOP,
    SynapticOperations,
    energy,
    sop_ratio,
    synaptic_operations,
)
from .heterogeneity import heterogeneity, parameter_matrix
from .lyapunov import (
    LyapunovSpectrum,
    NetworkLyapunov,
    kaplan_yorke_dimension,
    lyapunov_spectrum,
    network_lyapunov,
)
from .memory import MemoryCapacityResult, delayed_targets, memory_capacity
from .prediction import (
    ValidPredictionTime,
    normalisation_scale,
    nrmse,
    rmse,
    valid_prediction_time,
)
from .sage import SageResult, sage_values
from .separation import effective_rank, singular_values
from .statistics import PairedComparison, best_so_far, paired_comparison
from .spikes import (
    FiringRegime,
    binned_spike_counts,
    fano_factor,
    firing_regime,
    isi_cv,
    silent_fraction,
    synchrony,
    average_activation,
    firing_rates_hz,
    mean_spike_count,
    spike_counts,
    spike_efficiency,
)

__all__ = [
    # feature importance
    "SageResult",
    "sage_values",
    # separation
    "effective_rank",
    "singular_values",
    # memory
    "MemoryCapacityResult",
    "memory_capacity",
    "delayed_targets",
    # spikes
    "spike_counts",
    "mean_spike_count",
    "average_activation",
    "firing_rates_hz",
    "spike_efficiency",
    "binned_spike_counts",
    "synchrony",
    "isi_cv",
    "fano_factor",
    "silent_fraction",
    "FiringRegime",
    "firing_regime",
    # heterogeneity
    "heterogeneity",
    "parameter_matrix",
    # prediction
    "rmse",
    "nrmse",
    "normalisation_scale",
    "ValidPredictionTime",
    "valid_prediction_time",
    # energy
    "SynapticOperations",
    "synaptic_operations",
    "energy",
    "sop_ratio",
    "JOULES_PER_SOP",
    "JOULES_PER_MAC",
    # statistics
    "PairedComparison",
    "paired_comparison",
    "best_so_far",
    # Lyapunov
    "LyapunovSpectrum",
    "lyapunov_spectrum",
    "NetworkLyapunov",
    "network_lyapunov",
    "kaplan_yorke_dimension",
]
