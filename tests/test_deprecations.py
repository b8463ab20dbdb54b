"""Names that moved in issue 19 still import for one release, warn, and are the very same objects."""
import importlib
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: (old module, name, new module)
MOVED = [
    ("hetnet.datasets.encoders", name, "hetnet.encoding")
    for name in ("encode_spike_samples", "encode_event_samples", "encode_videos", "encode_image_samples",
                 "pool_images", "samples_duration_steps")
] + [
    ("hetnet.tasks.mlp_readout", "MLPReadout", "hetnet.readout"),
    ("hetnet.tasks.mlp_readout", "top_betweenness_neurons", "hetnet.readout"),
    ("hetnet.tasks", "MLPReadout", "hetnet.readout"),
    ("hetnet.tasks", "top_betweenness_neurons", "hetnet.readout"),
    ("hetnet.tasks.prediction", "PredictionReadout", "hetnet.readout"),
    ("hetnet.pruning", "betweenness_centrality", "hetnet.graph"),
    ("hetnet.pruning.nodes", "betweenness_centrality", "hetnet.graph"),
] + [
    ("hetnet.pruning.graph", name, "hetnet.graph")
    for name in ("as_sparse_weights", "degrees", "in_degrees", "out_degrees", "subnetwork_weights",
                 "symmetric_adjacency")
]


@pytest.mark.parametrize("old, name, new", MOVED)
def test_moved_name_warns_and_is_the_new_object(old, name, new):
    module = importlib.import_module(old)
    with pytest.deprecated_call(match=rf"{old}\.{name} has moved to {new}\.{name}"):
        value = getattr(module, name)
    assert value is getattr(importlib.import_module(new), name)


def test_importing_an_old_module_does_not_warn_and_unknown_names_still_fail():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for old in sorted({old for old, _, _ in MOVED}):
            importlib.import_module(old)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        importlib.import_module("hetnet.tasks.mlp_readout").nothing


def test_readme_example_and_encode_series_work_without_a_warning():
    """The README's minimal script (a shorter series) runs with hetnet's deprecation warnings as errors."""
    readme = (ROOT / "README.md").read_text()
    script = readme.split("A minimal script:\n\n```python\n", 1)[1].split("```", 1)[0]
    assert "from hetnet.encoding import encode_series" in script
    script = script.replace("lorenz63(300)", "lorenz63(30)").replace('frozen.save("frozen.npz")', "")
    strict = 'import warnings\nwarnings.filterwarnings("error", ".*hetnet", DeprecationWarning)\n'
    completed = subprocess.run([sys.executable, "-c", strict + script],
                               capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from hetnet.encoding import encode_series  # noqa: F401
        from hetnet.readout import PredictionReadout, RidgeReadout  # noqa: F401
