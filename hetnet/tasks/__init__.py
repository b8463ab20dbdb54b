"""Task pipelines: prediction, classification, spike patterns, registry.

The readouts they use live in :mod:`hetnet.readout`; ``hetnet.tasks.MLPReadout``
and ``hetnet.tasks.top_betweenness_neurons`` still work for one release, with a
:class:`DeprecationWarning`.

Examples
--------
>>> from hetnet.tasks import TASKS
>>> "lorenz63" in TASKS
True
"""

from hetnet._deprecation import moved
from hetnet.tasks.classification import classify, encode_labelled, sample_states
from hetnet.tasks.prediction import predict_series
from hetnet.tasks.registry import TASKS, format_task_table, run_task
from hetnet.tasks.spike_patterns import make_spike_patterns

__all__ = [
    "predict_series",
    "classify",
    "encode_labelled",
    "sample_states",
    "make_spike_patterns",
    "TASKS",
    "run_task",
    "format_task_table",
]

# moved to hetnet.readout (these names warn for one release)
__getattr__ = moved(__name__, {"MLPReadout": "hetnet.readout", "top_betweenness_neurons": "hetnet.readout"})
