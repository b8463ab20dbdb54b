"""Task pipelines: prediction, classification, spike patterns, MLP readout, registry.

Examples
--------
>>> from hetnet.tasks import TASKS
>>> "lorenz63" in TASKS
True
"""

from hetnet.tasks.classification import classify, encode_labelled, sample_states
from hetnet.tasks.mlp_readout import MLPReadout, top_betweenness_neurons
from hetnet.tasks.prediction import predict_series
from hetnet.tasks.registry import TASKS, format_task_table, run_task
from hetnet.tasks.spike_patterns import make_spike_patterns

__all__ = [
    "predict_series",
    "classify",
    "encode_labelled",
    "sample_states",
    "make_spike_patterns",
    "MLPReadout",
    "top_betweenness_neurons",
    "TASKS",
    "run_task",
    "format_task_table",
]
