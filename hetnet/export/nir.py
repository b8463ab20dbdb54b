"""NIR export and import of a frozen (trained and / or pruned) HRSNN.

The Neuromorphic Intermediate Representation (NIR, Pedersen et al. 2024) is
a graph of continuous-time primitives read by Lava, Rockpool / Xylo,
SpiNNaker2, Sinabs / Speck, snnTorch, Norse and Spyx. :func:`to_nir` writes
the model of :mod:`hetnet.network.brian` node for node (times in ms,
potentials and currents ``J = R I`` in mV, one entry per neuron):

============  =============  ===========================================================
node          NIR type       parameters
============  =============  ===========================================================
``input``     Input          ``n_input`` channels (values or spikes)
``w_in``      Linear         input weights in mV, ``[post, channel]``
``w_exc``     Linear         excitatory weights ``w * scale`` (>= 0), ``[post, pre]``
``w_inh``     Linear         inhibitory weights (<= 0), ``[post, pre]``
``syn_exc``   LI             ``J_e``: ``tau = tau_syn_e``, ``r = tau_syn_e``, ``v_leak = 0``
``syn_inh``   LI             ``J_i``: ``tau = tau_syn_i``, ``r = tau_syn_i``, ``v_leak = 0``
``neurons``   LIF            ``tau = tau_m``, ``r = 1``, ``v_leak = v_rest + bias``,
                             ``v_threshold = v_th``, ``v_reset``
``output``    Output         the neurons' spikes
============  =============  ===========================================================

Edges: ``input -> w_in -> syn_exc`` (spike input) or ``input -> w_in ->
neurons`` (current input, ``J_in``); ``neurons -> w_exc -> syn_exc -> neurons``;
``neurons -> w_inh -> syn_inh -> neurons``; ``neurons -> output``. In NIR's
semantics a spike is a Dirac impulse, so an LI with ``r = tau`` jumps by
the weight: ``tau dJ/dt = -J + tau * sum_k w delta(t - t_k)``; the LIF's
inputs sum, ``tau_m dv/dt = (v_leak - v) + J_e + J_i + J_in``: the model's
equations exactly. What NIR has no field for is written to the graph's
``metadata`` (and read back by :func:`from_nir`): the refractory period
(``t_ref_ms``; NIR's LIF has none: a simulator reading the graph leaves it
out), the integration step, the initial potentials, the positions, STDP
parameters and the configuration (the whole network as
:meth:`~hetnet.network.NetworkInstance.to_arrays`), and the units.

``from_nir(to_nir(network)) == network``: the model's arrays are taken from
the nodes (the effective weights divided by the pathway scale, ``v_leak`` minus
``v_rest`` for the drive), and where a node's value equals the one the
stored network gives, the stored array is kept bit for bit. A graph edited
elsewhere (weights quantised for a chip, say) therefore reads back with the
edited values.

Hardware targets read different parts of the graph: Linear / Affine
weights are accepted everywhere; Lava (Loihi 2) and SpiNNaker2 take CubaLIF
/ LIF with per-neuron parameters; Xylo (Rockpool) takes CubaLIF with its
own synaptic time constants (one or two per neuron) but no LIF-only
neuron; Speck (Sinabs) takes IF and LIF without synaptic currents, so the
two-current neuron must be reduced first. None of them has a refractory
period field. :func:`to_nir` with ``target="spyx"`` writes such a reduction
(one synaptic current, a chain Spyx can read): :func:`spyx_graph`.

Examples
--------
>>> from hetnet.config import HRSNNConfig
>>> from hetnet.network import generate_network
>>> network = generate_network(HRSNNConfig(n_neurons=20, seed=1), n_input=2, input_kind="current")
>>> graph = to_nir(network)
>>> sorted(graph.nodes)
['input', 'neurons', 'output', 'syn_exc', 'syn_inh', 'w_exc', 'w_in', 'w_inh']
>>> from_nir(graph) == network
True
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

import nir

from hetnet.network.instance import PATHWAYS, NetworkInstance

__all__ = ["to_nir", "from_nir", "spyx_graph", "write_nir", "read_nir", "NIR_TARGETS"]

logger = logging.getLogger(__name__)

#: ``to_nir`` targets: the faithful graph, or the single-current chain Spyx reads
NIR_TARGETS = ("faithful", "spyx")
_METADATA_KEY = "hetnet_network"


def _matrices(network: NetworkInstance):
    """Effective weights ``[pre, post]`` in mV: excitatory rows, inhibitory rows, input."""
    dense = network.recurrent_weights_mV().toarray()
    n_e = network.n_excitatory
    excitatory, inhibitory = dense.copy(), dense.copy()
    excitatory[n_e:] = 0.0
    inhibitory[:n_e] = 0.0
    return excitatory, inhibitory, network.input_weights_mV().toarray()


def to_nir(network: NetworkInstance, *, target: str = "faithful", dt_ms: float | None = None) -> nir.NIRGraph:
    """The network as a NIR graph (module docstring for the mapping).

    Parameters
    ----------
    network : NetworkInstance
    target : {"faithful", "spyx"}
        ``"spyx"``: :func:`spyx_graph` (an approximation Spyx can run).
    dt_ms : float, optional
        Integration step for ``target="spyx"`` (default: the configuration's).

    Returns
    -------
    nir.NIRGraph
    """
    if not isinstance(network, NetworkInstance):
        raise TypeError(f"network must be a NetworkInstance; got {type(network).__name__}")
    if target == "spyx":
        return spyx_graph(network, dt_ms=dt_ms)
    if target != "faithful":
        raise ValueError(f"target must be one of {NIR_TARGETS}; got {target!r}")
    n, weights = network.n_neurons, network.config.weights
    excitatory, inhibitory, w_in = _matrices(network)
    ones = np.ones(n)
    nodes = {
        "input": nir.Input(input_type={"input": np.array([network.n_input])}),
        "w_in": nir.Linear(weight=w_in.T.copy()),
        "w_exc": nir.Linear(weight=excitatory.T.copy()),
        "w_inh": nir.Linear(weight=inhibitory.T.copy()),
        "syn_exc": nir.LI(tau=weights.tau_syn_e_ms * ones, r=weights.tau_syn_e_ms * ones, v_leak=np.zeros(n)),
        "syn_inh": nir.LI(tau=weights.tau_syn_i_ms * ones, r=weights.tau_syn_i_ms * ones, v_leak=np.zeros(n)),
        "neurons": nir.LIF(tau=np.asarray(network.tau_m_ms, float).copy(), r=ones.copy(),
                           v_leak=network.v_rest_mV + network.bias_mV, v_threshold=np.asarray(network.v_th_mV, float).copy(),
                           v_reset=np.asarray(network.v_reset_mV, float).copy(),
                           metadata={"t_ref_ms": np.asarray(network.t_ref_ms, float).copy(),
                                     "v_rest_mV": np.asarray(network.v_rest_mV, float).copy(),
                                     "initial_v_mV": np.asarray(network.initial_v_mV, float).copy(),
                                     "n_excitatory": network.n_excitatory}),
        "output": nir.Output(output_type={"output": np.array([n])}),
    }
    into = "neurons" if network.input_kind == "current" else "syn_exc"
    edges = [("input", "w_in"), ("w_in", into), ("neurons", "w_exc"), ("w_exc", "syn_exc"), ("syn_exc", "neurons"),
             ("neurons", "w_inh"), ("w_inh", "syn_inh"), ("syn_inh", "neurons"), ("neurons", "output")]
    arrays = network.to_arrays()
    metadata = {
        "generator": "hetnet", "time_unit": "ms", "voltage_unit": "mV", "input_kind": network.input_kind,
        "dt_ms": float(network.config.dt_ms), "refractory_period": "metadata t_ref_ms of node 'neurons'",
        _METADATA_KEY: {key.replace(".", "/"): value for key, value in arrays.items() if key != "metadata"},
        _METADATA_KEY + "_json": str(arrays["metadata"][()]),
    }
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata)


def _stored_network(graph: nir.NIRGraph) -> NetworkInstance | None:
    metadata = graph.metadata or {}
    if _METADATA_KEY not in metadata:
        return None
    arrays = {key.replace("/", "."): np.asarray(value) for key, value in _flatten(metadata[_METADATA_KEY]).items()}
    arrays["metadata"] = np.array(str(metadata[_METADATA_KEY + "_json"]))
    return NetworkInstance.from_arrays(arrays)


def _flatten(tree, prefix=""):
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}/"))
        else:
            out[prefix + key] = value
    return out


def _same_or(new, stored):
    """``stored`` where it gives the node's value exactly; else the node-derived ``new``."""
    new = np.asarray(new, dtype=float)
    return stored if stored is not None and np.array_equal(np.asarray(stored, float), new) else new


def from_nir(graph) -> NetworkInstance:
    """Read a graph written by :func:`to_nir` (``target="faithful"``; a path or a ``nir.NIRGraph``).

    The model's arrays come from the nodes; the rest (positions, STDP
    parameters, configuration, refractory periods, initial potentials) from
    the metadata hetnet writes.

    Raises
    ------
    ValueError
        The graph lacks hetnet's nodes or metadata.
    """
    if isinstance(graph, (str, Path)):
        graph = nir.read(str(graph))
    stored = _stored_network(graph)
    missing = {"w_in", "w_exc", "w_inh", "syn_exc", "syn_inh", "neurons"} - set(graph.nodes)
    if stored is None or missing:
        raise ValueError("not a graph written by hetnet.export.to_nir (target='faithful'): "
                         + (f"missing nodes {sorted(missing)}" if missing else "no hetnet metadata"))
    neurons = graph.nodes["neurons"]
    n_e = stored.n_excitatory
    tau_m = _same_or(neurons.tau, stored.tau_m_ms)
    v_th = _same_or(neurons.v_threshold, stored.v_th_mV)
    v_reset = _same_or(neurons.v_reset, stored.v_reset_mV)
    v_rest = np.asarray(neurons.metadata.get("v_rest_mV", stored.v_rest_mV), float)
    v_leak = np.asarray(neurons.v_leak, float)
    bias = stored.bias_mV if np.array_equal(v_rest + stored.bias_mV, v_leak) else v_leak - v_rest
    network = stored.with_neuron_parameters(tau_m_ms=tau_m, v_th_mV=v_th, v_reset_mV=v_reset, bias_mV=bias,
                                            v_rest_mV=v_rest)
    excitatory = np.asarray(graph.nodes["w_exc"].weight, float).T
    inhibitory = np.asarray(graph.nodes["w_inh"].weight, float).T
    dense = np.vstack([excitatory[:n_e], inhibitory[n_e:]])
    weights = {}
    for name in PATHWAYS:
        syn = stored.synapses[name]
        if name == "input":
            values = np.asarray(graph.nodes["w_in"].weight, float).T[syn.pre, syn.post]
        else:
            pre, post = stored.global_endpoints(name)
            values = dense[pre, post]
        weights[name] = syn.w if np.array_equal(syn.w * syn.scale_mV, values) else (
            values / syn.scale_mV if syn.scale_mV else values)
    unexpected = dense.copy()
    for name in ("ee", "ei", "ie", "ii"):
        pre, post = stored.global_endpoints(name)
        unexpected[pre, post] = 0.0
    if np.any(unexpected != 0):
        logger.warning("the graph has %d recurrent weights where the stored network has no synapse; they become "
                       "new synapses", int(np.count_nonzero(unexpected)))
        return network.with_weights(weights).pruned(np.arange(network.n_neurons), recurrent_weights_mV=dense,
                                                    seed=network.config.seed)
    return network.with_weights(weights)


def spyx_graph(network: NetworkInstance, *, dt_ms: float | None = None, current: str = "inhibitory") -> nir.NIRGraph:
    """A chain ``input -> Affine -> recurrent CubaLIF -> output`` that Spyx's NIR reader runs.

    Spyx (1.0) reads a sequential graph with one recurrent block (a LIF or
    CubaLIF with one synaptic current and a Linear), advances it as
    ``I <- alpha I + x + s W``, ``V <- beta V + I`` with ``alpha = 1 - dt / tau_syn``
    and ``beta = 1 - dt / tau_mem``, resets by subtracting the threshold and
    ignores ``v_leak``, ``v_reset`` and ``r``. This graph maps the model onto
    that form for a step ``dt_ms``, in potentials relative to ``v_rest``:
    ``beta = exp(-dt / tau_m)`` and ``alpha = exp(-dt / tau_syn_e)`` exactly
    (``tau_mem = dt / (1 - beta)``), excitatory weights ``k_e w`` (the
    propagator's coefficient), inhibitory weights scaled to the same charge
    on the fast current ``k_i w (1 - alpha) / (1 - a_i)``, the drive and current
    input through the Affine (``(1 - alpha)(1 - beta)`` times ``bias`` and the
    input weights: the stationary current is then the model's). What is lost:
    the slow time course of inhibition (its charge is kept), the refractory
    period, the reset to ``v_reset`` (Spyx subtracts the threshold), the
    initial potentials (Spyx starts at rest). Current input only (a value per
    step, repeated on the integration grid).
    """
    from hetnet.network.brian import propagator_coefficients

    if current not in ("inhibitory", "excitatory"):
        raise ValueError(f"current must be 'inhibitory' or 'excitatory'; got {current!r}")
    if network.input_kind != "current":
        raise ValueError("spyx_graph needs a network with current input (input_kind='current')")
    config = network.config
    dt = float(config.dt_ms if dt_ms is None else dt_ms)
    beta, k_e, a_e = propagator_coefficients(network.tau_m_ms, config.weights.tau_syn_e_ms, dt)
    _, k_i, a_i = propagator_coefficients(network.tau_m_ms, config.weights.tau_syn_i_ms, dt)
    alpha = {"excitatory": a_e, "inhibitory": a_i}[current]
    excitatory, inhibitory, w_in = _matrices(network)
    recurrent = (excitatory * (k_e * (1 - alpha) / (1 - a_e))[None, :]
                 + inhibitory * (k_i * (1 - alpha) / (1 - a_i))[None, :])
    gain = (1 - alpha) * (1 - beta)
    n = network.n_neurons
    nodes = {
        "input": nir.Input(input_type={"input": np.array([network.n_input])}),
        "w_in": nir.Affine(weight=(w_in * gain[None, :]).T.copy(), bias=gain * network.bias_mV),
        "rec.lif": nir.CubaLIF(tau_syn=np.full(n, dt / (1 - alpha)), tau_mem=dt / (1 - beta), r=np.ones(n),
                               v_leak=np.zeros(n), v_threshold=network.v_th_mV - network.v_rest_mV,
                               v_reset=network.v_reset_mV - network.v_rest_mV),
        "rec.w_rec": nir.Linear(weight=recurrent.T.copy()),
        "output": nir.Output(output_type={"output": np.array([n])}),
    }
    edges = [("input", "w_in"), ("w_in", "rec.lif"), ("rec.lif", "rec.w_rec"), ("rec.w_rec", "rec.lif"),
             ("rec.lif", "output")]
    metadata = {"generator": "hetnet", "target": "spyx", "dt": dt, "time_unit": "ms", "voltage_unit": "mV",
                "voltage_origin": "v_rest", "description": json.dumps("single-current reduction for Spyx")}
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata)


def write_nir(network: NetworkInstance, path, **options) -> Path:
    """Write :func:`to_nir` of ``network`` to ``path`` (NIR's HDF5 format); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nir.write(str(path), to_nir(network, **options))
    logger.info("wrote the NIR graph of %d neurons to %s", network.n_neurons, path)
    return path


def read_nir(path) -> NetworkInstance:
    """The network of a NIR file written by :func:`write_nir` (:func:`from_nir`)."""
    return from_nir(nir.read(str(path)))
