"""One sampled network: positions, per-neuron and per-synapse arrays (numpy only).

A :class:`NetworkInstance` is what the simulator runs and what the pruning
and analysis code read. It is drawn from an :class:`~hetnet.config.HRSNNConfig`
by :func:`generate_network`; every random choice comes from one seed, split
into independent streams, so HoNHoS and HeNHeS built with the same seed share
positions, connectivity and initial weights and differ only in parameters.

Examples
--------
>>> from hetnet.config import HRSNNConfig
>>> network = generate_network(HRSNNConfig(n_neurons=100, seed=1), n_input=20)
>>> network.n_neurons, sorted(network.synapses)
(100, ['ee', 'ei', 'ie', 'ii', 'input'])
>>> bool((network.recurrent_weights_mV().toarray()[:80] >= 0).all())
True
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

from hetnet.checks import check_network_size, validate_network_arrays, validate_neuron_arrays
from hetnet.config import HRSNNConfig
from hetnet.encoding import CurrentStimulus, RateStimulus, SpikeStimulus
from hetnet.errors import UsageError
from hetnet.network.connectivity import distance_connections, grid_positions, random_connections

__all__ = ["SynapseArrays", "NetworkInstance", "generate_network", "input_kind_of", "check_stimulus", "PATHWAYS",
           "PLASTIC_PATHWAYS", "INPUT_KINDS"]

#: pathway name -> (presynaptic population, postsynaptic population)
PATHWAYS = {
    "input": ("input", "recurrent"),
    "ee": ("excitatory", "excitatory"),
    "ei": ("excitatory", "inhibitory"),
    "ie": ("inhibitory", "excitatory"),
    "ii": ("inhibitory", "inhibitory"),
}
#: pathways with trace STDP: E->E, E->I and input->recurrent
PLASTIC_PATHWAYS = ("input", "ee", "ei")
NEURON_PARAMETERS = ("tau_m_ms", "v_th_mV", "v_rest_mV", "v_reset_mV", "t_ref_ms", "bias_mV")
#: how the input pathway acts: ``"spikes"`` (input spikes through excitatory synapses) or
#: ``"current"`` (input values injected as currents through static signed weights)
INPUT_KINDS = ("spikes", "current")
STDP_PARAMETERS = ("tau_pre_ms", "tau_post_ms", "eta_pre", "eta_post")
logger = logging.getLogger(__name__)

_STREAMS = ("positions", "neurons", "connectivity", "weights", "stdp", "initial_state", "poisson")


@dataclass
class SynapseArrays:
    """Synapses of one pathway, indices local to the pre/post populations' global ids.

    ``pre`` indexes the input channels (pathway ``input``) or recurrent
    neurons; ``post`` always indexes recurrent neurons. ``w`` is the
    dimensionless weight (negative for inhibitory pathways); the membrane jump
    of one spike is ``w * scale_mV``. STDP arrays are ``None`` for static
    pathways.
    """

    pre: np.ndarray
    post: np.ndarray
    w: np.ndarray
    scale_mV: float
    tau_pre_ms: np.ndarray | None = None
    tau_post_ms: np.ndarray | None = None
    eta_pre: np.ndarray | None = None
    eta_post: np.ndarray | None = None

    @property
    def plastic(self) -> bool:
        return self.tau_pre_ms is not None

    @property
    def n_synapses(self) -> int:
        return int(self.pre.size)

    def subset(self, keep: np.ndarray) -> "SynapseArrays":
        """The synapses selected by a boolean mask or index array."""
        changes = {
            name: (value[keep] if isinstance(value, np.ndarray) else value)
            for name, value in dataclasses.asdict(self).items()
        }
        return SynapseArrays(**changes)


@dataclass
class NetworkInstance:
    """A concrete network drawn from a configuration.

    Attributes
    ----------
    config : HRSNNConfig
    n_input : int
        Input encoder neurons.
    n_excitatory : int
        Recurrent neurons ``0 .. n_excitatory-1`` are excitatory.
    positions : ndarray, shape (n_neurons, 3)
    tau_m_ms, v_th_mV, v_rest_mV, v_reset_mV, t_ref_ms, bias_mV : ndarray, shape (n_neurons,)
        ``bias_mV`` is the background drive ``R * I_bg`` (mV above ``v_rest``).
    initial_v_mV : ndarray, shape (n_neurons,)
    synapses : dict of SynapseArrays
        Keys ``input``, ``ee``, ``ei``, ``ie``, ``ii`` (see :data:`PATHWAYS`).
    neuron_ids : ndarray of int
        Original index of each neuron (changes only after pruning).
    input_kind : {"spikes", "current"}
        ``"spikes"``: the input pathway carries spikes of ``n_input`` encoder
        neurons (plastic, excitatory); ``"current"``: it injects ``n_input``
        input values as currents through static signed weights.
    """

    config: HRSNNConfig
    n_input: int
    n_excitatory: int
    positions: np.ndarray
    tau_m_ms: np.ndarray
    v_th_mV: np.ndarray
    v_rest_mV: np.ndarray
    v_reset_mV: np.ndarray
    t_ref_ms: np.ndarray
    initial_v_mV: np.ndarray
    synapses: dict
    neuron_ids: np.ndarray = field(default=None)
    bias_mV: np.ndarray = field(default=None)
    input_kind: str = "spikes"

    def __post_init__(self):
        if self.neuron_ids is None:
            self.neuron_ids = np.arange(self.n_neurons)
        if self.bias_mV is None:
            self.bias_mV = np.zeros(self.n_neurons)
        if self.input_kind not in INPUT_KINDS:
            raise ValueError(f"input_kind must be one of {INPUT_KINDS}; got {self.input_kind!r}")

    @property
    def n_neurons(self) -> int:
        return int(self.tau_m_ms.size)

    @property
    def n_inhibitory(self) -> int:
        return self.n_neurons - self.n_excitatory

    @property
    def is_excitatory(self) -> np.ndarray:
        return np.arange(self.n_neurons) < self.n_excitatory

    @property
    def n_synapses(self) -> int:
        """Recurrent synapses (input synapses excluded)."""
        return sum(s.n_synapses for name, s in self.synapses.items() if name != "input")

    def global_endpoints(self, pathway: str):
        """``(pre, post)`` of a pathway in recurrent-neuron numbering (input: channel numbering)."""
        syn = self.synapses[pathway]
        pre_population, post_population = PATHWAYS[pathway]
        pre = syn.pre + (self.n_excitatory if pre_population == "inhibitory" else 0)
        post = syn.post + (self.n_excitatory if post_population == "inhibitory" else 0)
        return pre, post

    def recurrent_weights_mV(self) -> sparse.csr_matrix:
        """Signed effective recurrent weights, ``[pre, post]``, in mV per spike."""
        rows, cols, values = [], [], []
        for name in ("ee", "ei", "ie", "ii"):
            pre, post = self.global_endpoints(name)
            rows.append(pre)
            cols.append(post)
            values.append(self.synapses[name].w * self.synapses[name].scale_mV)
        n = self.n_neurons
        return sparse.csr_matrix(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
        )

    def input_weights_mV(self) -> sparse.csr_matrix:
        """Effective input weights, ``[channel, neuron]``, in mV per spike."""
        syn = self.synapses["input"]
        return sparse.csr_matrix((syn.w * syn.scale_mV, (syn.pre, syn.post)), shape=(self.n_input, self.n_neurons))

    def with_weights(self, weights: dict) -> "NetworkInstance":
        """Copy with new dimensionless weights ``{pathway: w}`` (e.g. after STDP)."""
        synapses = dict(self.synapses)
        for name, w in weights.items():
            w = np.asarray(w, dtype=float)
            if w.shape != synapses[name].w.shape:
                raise ValueError(f"weights for {name!r} have shape {w.shape}, expected {synapses[name].w.shape}")
            synapses[name] = dataclasses.replace(synapses[name], w=w)
        return dataclasses.replace(self, synapses=synapses)

    def with_neuron_parameters(self, **arrays) -> "NetworkInstance":
        """Copy with new per-neuron arrays, e.g. ``tau_m_ms=...`` (timescale optimisation)."""
        for name, values in arrays.items():
            if name not in NEURON_PARAMETERS + ("initial_v_mV",):
                raise ValueError(f"unknown neuron parameter {name!r}; allowed: {NEURON_PARAMETERS}")
            values = np.asarray(values, dtype=float)
            if values.shape != (self.n_neurons,):
                raise ValueError(f"{name} must have shape ({self.n_neurons},); got {values.shape}")
            if name in ("tau_m_ms", "t_ref_ms") and np.any(values <= 0):
                raise ValueError(f"{name} must be > 0 for every neuron")
        return dataclasses.replace(self, **{k: np.asarray(v, dtype=float) for k, v in arrays.items()})

    def pruned(self, keep, recurrent_weights_mV=None, seed: int = 0) -> "NetworkInstance":
        """The sub-network of the neurons ``keep``, optionally with new recurrent weights.

        Parameters
        ----------
        keep : array of int or bool
            Surviving neurons (indices into this network).
        recurrent_weights_mV : array or sparse matrix, shape (n_keep, n_keep), optional
            New signed effective weights ``[pre, post]`` among the kept neurons
            (e.g. from Lyapunov noise pruning). Excitatory rows must be >= 0
            and inhibitory rows <= 0. Synapses that existed keep their STDP
            parameters; new ones draw them from the configuration (seeded).
        """
        keep = np.asarray(keep)
        keep = np.flatnonzero(keep) if keep.dtype == bool else np.unique(keep.astype(int))
        if keep.size == 0 or keep.min() < 0 or keep.max() >= self.n_neurons:
            raise ValueError("keep must select at least one existing neuron")
        new_index = np.full(self.n_neurons, -1)
        new_index[keep] = np.arange(keep.size)
        n_excitatory = int(np.count_nonzero(keep < self.n_excitatory))
        if n_excitatory == 0:
            raise ValueError("pruning removed every excitatory neuron")
        neuron_arrays = {name: getattr(self, name)[keep] for name in NEURON_PARAMETERS + ("initial_v_mV",)}
        synapses = {}
        for name, syn in self.synapses.items():
            pre, post = self.global_endpoints(name)
            alive = new_index[post] >= 0
            if name != "input":
                alive &= new_index[pre] >= 0
            kept = syn.subset(alive)
            pre_population, post_population = PATHWAYS[name]
            kept.post = (new_index[post[alive]] - (n_excitatory if post_population == "inhibitory" else 0)).astype(np.int32)
            if name != "input":
                kept.pre = (new_index[pre[alive]] - (n_excitatory if pre_population == "inhibitory" else 0)).astype(np.int32)
            synapses[name] = kept
        network = dataclasses.replace(
            self, n_excitatory=n_excitatory, positions=self.positions[keep], synapses=synapses,
            neuron_ids=self.neuron_ids[keep], **neuron_arrays,
        )
        if recurrent_weights_mV is not None:
            network = network._with_recurrent_matrix(recurrent_weights_mV, seed)
        return network

    def _with_recurrent_matrix(self, matrix, seed: int) -> "NetworkInstance":
        matrix = sparse.coo_matrix(matrix)
        n, n_e = self.n_neurons, self.n_excitatory
        if matrix.shape != (n, n):
            raise ValueError(f"recurrent weight matrix must be ({n}, {n}); got {matrix.shape}")
        pre, post, value = matrix.row, matrix.col, matrix.data
        nonzero = value != 0
        pre, post, value = pre[nonzero], post[nonzero], value[nonzero]
        if np.any(value[pre < n_e] < 0) or np.any(value[pre >= n_e] > 0):
            raise ValueError("excitatory weights must be >= 0 and inhibitory weights <= 0 (Dale's law)")
        rng = np.random.default_rng([seed, 7])
        synapses = {"input": self.synapses["input"]}
        for name, (pre_population, post_population) in PATHWAYS.items():
            if name == "input":
                continue
            old = self.synapses[name]
            select = ((pre < n_e) == (pre_population == "excitatory")) & ((post < n_e) == (post_population == "excitatory"))
            local_pre = pre[select] - (n_e if pre_population == "inhibitory" else 0)
            local_post = post[select] - (n_e if post_population == "inhibitory" else 0)
            order = np.lexsort((local_post, local_pre))
            local_pre, local_post, w_mV = local_pre[order], local_post[order], value[select][order]
            new = SynapseArrays(local_pre.astype(np.int32), local_post.astype(np.int32),
                                w_mV / old.scale_mV if old.scale_mV else w_mV, old.scale_mV)
            if old.plastic:
                key_old = old.pre.astype(np.int64) * n + old.post
                key_new = local_pre.astype(np.int64) * n + local_post
                position = np.searchsorted(key_old, key_new)
                position = np.minimum(position, max(key_old.size - 1, 0))
                existing = key_old.size > 0
                found = (key_old[position] == key_new) if existing else np.zeros(key_new.size, bool)
                fresh = _stdp_arrays(self.config, local_pre.size, rng)
                for parameter in STDP_PARAMETERS:
                    values = fresh[parameter]
                    if existing:
                        values[found] = getattr(old, parameter)[position[found]]
                    setattr(new, parameter, values)
            synapses[name] = new
        return dataclasses.replace(self, synapses=synapses)

    def __eq__(self, other):
        """Equal arrays, synapses and configuration (:func:`hetnet.io.values_equal`)."""
        if not isinstance(other, NetworkInstance):
            return NotImplemented
        from hetnet.io import values_equal

        return values_equal(self, other)

    # --- saving ----------------------------------------------------------------
    def to_arrays(self, prefix: str = "") -> dict:
        """Every array and value of the network as ``{name: ndarray}`` (for ``numpy.savez``).

        Array fields and per-synapse arrays are stored as they are; the
        configuration, ``n_input``, ``n_excitatory`` and each pathway's
        ``scale_mV`` go into a JSON string under ``prefix + "metadata"``.
        Fields are walked generically, so fields added to
        :class:`NetworkInstance` or :class:`SynapseArrays` are saved too.
        :meth:`from_arrays` reverses it.
        """
        from hetnet.io import to_jsonable

        arrays, scalars = {}, {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if item.name == "config":
                scalars["config"] = value.to_dict()
            elif item.name == "synapses":
                scalars["synapses"] = {}
                for pathway, syn in value.items():
                    scalars["synapses"][pathway] = {}
                    for syn_field in dataclasses.fields(syn):
                        syn_value = getattr(syn, syn_field.name)
                        if isinstance(syn_value, np.ndarray):
                            arrays[f"{prefix}synapses.{pathway}.{syn_field.name}"] = syn_value
                        else:
                            scalars["synapses"][pathway][syn_field.name] = syn_value
            elif isinstance(value, np.ndarray):
                arrays[prefix + item.name] = value
            else:
                scalars[item.name] = value
        arrays[prefix + "metadata"] = np.array(json.dumps(to_jsonable(scalars), allow_nan=False))
        return arrays

    @classmethod
    def from_arrays(cls, arrays, prefix: str = "") -> "NetworkInstance":
        """The network stored by :meth:`to_arrays` (a dict or an open ``.npz`` file)."""
        scalars = json.loads(str(arrays[prefix + "metadata"][()]))
        synapses = {}
        for pathway, values in scalars.pop("synapses").items():
            syn_values = dict(values)
            for syn_field in dataclasses.fields(SynapseArrays):
                key = f"{prefix}synapses.{pathway}.{syn_field.name}"
                if key in arrays:
                    syn_values[syn_field.name] = np.asarray(arrays[key])
            synapses[pathway] = SynapseArrays(**syn_values)
        values = {"config": HRSNNConfig.from_dict(scalars.pop("config")), "synapses": synapses, **scalars}
        for item in dataclasses.fields(cls):
            if prefix + item.name in arrays:
                values[item.name] = np.asarray(arrays[prefix + item.name])
        return cls(**values)

    def save(self, path) -> Path:
        """Write the network to an ``.npz`` file (:meth:`to_arrays`); :meth:`load` reads it.

        >>> import tempfile, pathlib
        >>> network = generate_network(HRSNNConfig(n_neurons=30, seed=4), n_input=5)
        >>> path = network.save(pathlib.Path(tempfile.mkdtemp()) / "net.npz")
        >>> NetworkInstance.load(path) == network
        True
        """
        path = Path(path)
        np.savez_compressed(path, **self.to_arrays())
        return path

    @classmethod
    def load(cls, path) -> "NetworkInstance":
        """Read a file written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as data:
            return cls.from_arrays(data)

    def to_networkx(self, include_input: bool = False):
        """The recurrent network as a :class:`networkx.DiGraph` (needs ``networkx``).

        Nodes ``0 .. n_neurons-1`` carry ``population`` (``"E"`` or ``"I"``),
        ``excitatory`` (bool), ``pos`` (grid position, a 3-tuple),
        ``neuron_id`` (index in the unpruned network) and the neuron
        parameters (``tau_m_ms``, ``v_th_mV``, ...). Each synapse ``i -> j``
        is an edge with ``weight`` (the signed effective weight in mV per
        spike, negative for inhibitory synapses), ``w`` (dimensionless),
        ``pathway`` (``"ee"``, ``"ei"``, ``"ie"``, ``"ii"``) and
        ``plastic``. With ``include_input`` the encoder neurons are added as
        nodes ``"input0"``, ``"input1"``, ... (``population="input"``) with
        their ``"input"`` edges.

        Examples
        --------
        >>> network = generate_network(HRSNNConfig(n_neurons=40, seed=1), n_input=4)
        >>> graph = network.to_networkx()
        >>> graph.number_of_nodes(), graph.number_of_edges() == network.n_synapses
        (40, True)
        >>> graph.nodes[39]["population"], all(d["weight"] < 0 for *_, d in graph.out_edges(39, data=True))
        ('I', True)
        """
        try:
            import networkx as nx
        except ImportError as error:  # pragma: no cover - networkx is in the "graph" and "test" extras
            raise ImportError("NetworkInstance.to_networkx needs networkx: pip install 'hetnet[graph]'") from error
        graph = nx.DiGraph(variant=self.config.variant, seed=self.config.seed)
        excitatory = self.is_excitatory
        parameters = {name: getattr(self, name) for name in NEURON_PARAMETERS}
        graph.add_nodes_from(
            (i, {"population": "E" if excitatory[i] else "I", "excitatory": bool(excitatory[i]),
                 "pos": tuple(self.positions[i].tolist()), "neuron_id": int(self.neuron_ids[i]),
                 **{name: float(values[i]) for name, values in parameters.items()}})
            for i in range(self.n_neurons)
        )
        pathways = [name for name in PATHWAYS if name != "input"] + (["input"] if include_input else [])
        if include_input:
            graph.add_nodes_from((f"input{c}", {"population": "input", "excitatory": True}) for c in range(self.n_input))
        for name in pathways:
            syn = self.synapses[name]
            pre, post = self.global_endpoints(name)
            sources = [f"input{c}" for c in pre.tolist()] if name == "input" else pre.tolist()
            graph.add_edges_from(
                (source, int(target), {"weight": float(w * syn.scale_mV), "w": float(w), "pathway": name,
                                       "plastic": syn.plastic})
                for source, target, w in zip(sources, post.tolist(), syn.w.tolist())
            )
        return graph

    def structure_key(self) -> str:
        """Hash of what a compiled standalone binary fixes: sizes and connectivity."""
        digest = hashlib.sha256()
        digest.update(np.array([self.n_neurons, self.n_excitatory, self.n_input], dtype=np.int64).tobytes())
        digest.update(self.input_kind.encode())
        for name in sorted(self.synapses):
            syn = self.synapses[name]
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(syn.pre, dtype=np.int32).tobytes())
            digest.update(np.ascontiguousarray(syn.post, dtype=np.int32).tobytes())
            digest.update(b"plastic" if syn.plastic else b"static")
        return digest.hexdigest()[:16]


def _neuron_arrays(population_config, n: int, heterogeneous: bool, rng) -> dict:
    arrays = {}
    for name in NEURON_PARAMETERS:
        distribution = getattr(population_config, name)
        if not heterogeneous:
            distribution = distribution.homogeneous()
        arrays[name] = distribution.sample(n, rng)
    return arrays


def _stdp_arrays(config: HRSNNConfig, n: int, rng) -> dict:
    arrays = {}
    for name in STDP_PARAMETERS:
        distribution = getattr(config.stdp, name)
        if not config.synapses_heterogeneous:
            distribution = distribution.homogeneous()
        arrays[name] = distribution.sample(n, rng)
    return arrays


def input_kind_of(stimulus) -> str:
    """``"current"`` for a :class:`~hetnet.encoding.CurrentStimulus`, ``"spikes"`` for rate or spike input."""
    return "current" if isinstance(stimulus, CurrentStimulus) else "spikes"


def check_stimulus(network: "NetworkInstance", stimulus) -> None:
    """Refuse a stimulus ``network`` cannot be driven by (every backend runs this one check).

    Raises
    ------
    TypeError
        Not a :class:`~hetnet.encoding.CurrentStimulus`, :class:`~hetnet.encoding.RateStimulus`
        or :class:`~hetnet.encoding.SpikeStimulus`.
    UsageError
        ``stimulus.n_channels`` differs from the network's ``n_input``.
    """
    if not isinstance(stimulus, (CurrentStimulus, RateStimulus, SpikeStimulus)):
        raise TypeError(
            f"stimulus must be a CurrentStimulus, RateStimulus or SpikeStimulus; got {type(stimulus).__name__}"
        )
    if stimulus.n_channels != network.n_input:
        raise UsageError("stimulus.n_channels", stimulus.n_channels,
                         f"must equal the network's n_input = {network.n_input} (give generate_network the "
                         "stimulus's n_channels)")


def generate_network(config: HRSNNConfig, n_input: int, *, input_kind: str | None = None) -> NetworkInstance:
    """Draw a network from ``config`` with ``n_input`` input channels.

    Heterogeneous neurons (HeN) draw each LIF parameter per neuron from the
    population's distribution; homogeneous neurons use its mean. The same
    holds for STDP parameters and HeS / HoS. Structure (positions,
    connectivity, initial weights) depends only on the seed and the
    connectivity settings, not on the variant.

    Parameters
    ----------
    config : HRSNNConfig
    n_input : int
        Input channels: encoder neurons (spike input) or input dimensions
        (current input); ``stimulus.n_channels``.
    input_kind : {"spikes", "current"}, optional
        How the input pathway acts (:data:`INPUT_KINDS`); defaults to
        ``"current"`` when ``config.input.mode == "current"`` and ``"spikes"``
        otherwise. Use :func:`input_kind_of` to match a stimulus. Current
        input: each channel reaches each neuron with probability ``p_in``
        through a static weight ``w ~ U(-1, 1)`` times
        ``input.current_scale_mV * w_scale``. Spike input: plastic
        excitatory synapses, weights from ``weights.initial`` times
        ``weights.input_scale_mV * w_scale``.

    Raises
    ------
    ResourceError
        The network's estimated memory exceeds what this machine has
        (:func:`hetnet.checks.check_network_size`), checked before sampling.
    ConfigError
        A sampled array is unusable (non-finite, a time constant of 0, a
        weight outside its bounds): :func:`hetnet.checks.validate_network_arrays`.
    """
    if isinstance(n_input, bool) or not isinstance(n_input, (int, np.integer)) or n_input < 1:
        raise UsageError("n_input", n_input, "must be a positive integer (input channels)")
    check_network_size(config, int(n_input))
    if input_kind is None:
        input_kind = "current" if config.input.mode == "current" else "spikes"
    if input_kind not in INPUT_KINDS:
        raise UsageError("input_kind", input_kind, f"allowed: {', '.join(INPUT_KINDS)}")
    streams = dict(zip(_STREAMS, (np.random.default_rng(s) for s in np.random.SeedSequence(config.seed).spawn(len(_STREAMS)))))
    n_e, n_i = config.n_excitatory, config.n_inhibitory
    positions = grid_positions(config.n_neurons, config.resolved_grid_shape(), streams["positions"])

    neuron_rng = streams["neurons"]
    excitatory = _neuron_arrays(config.excitatory, n_e, config.neurons_heterogeneous, neuron_rng)
    inhibitory = _neuron_arrays(config.inhibitory, n_i, config.neurons_heterogeneous, neuron_rng)
    neurons = {name: np.concatenate([excitatory[name], inhibitory[name]]) for name in NEURON_PARAMETERS}
    validate_neuron_arrays(config, n_e, neurons)

    connectivity, w = config.connectivity, config.weights
    conn_rng, weight_rng, stdp_rng = streams["connectivity"], streams["weights"], streams["stdp"]
    populations = {"excitatory": positions[:n_e], "inhibitory": positions[n_e:]}
    probabilities = {"ee": connectivity.c_ee, "ei": connectivity.c_ei, "ie": connectivity.c_ie, "ii": connectivity.c_ii}
    current_input = input_kind == "current"
    scales = {
        "input": (config.input.current_scale_mV if current_input else w.input_scale_mV) * w.w_scale,
        "ee": w.excitatory_scale_mV * w.w_scale,
        "ei": w.excitatory_scale_mV * w.w_scale,
        "ie": w.inhibitory_scale_mV * w.w_scale,
        "ii": w.inhibitory_scale_mV * w.w_scale,
    }
    synapses = {}
    for name, (pre_population, post_population) in PATHWAYS.items():
        if name == "input":
            pre, post = random_connections(n_input, config.n_neurons, connectivity.p_in, conn_rng)
        else:
            pre, post = distance_connections(
                populations[pre_population], populations[post_population], probabilities[name],
                connectivity.lambda_grid, conn_rng, exclude_self=pre_population == post_population,
            )
        if name == "input" and current_input:
            weights = weight_rng.uniform(-1.0, 1.0, pre.size)
        else:
            weights = w.initial.sample(pre.size, weight_rng)
        if pre_population == "inhibitory":
            weights = -weights
        syn = SynapseArrays(pre, post, weights, scales[name])
        if name in PLASTIC_PATHWAYS and not (name == "input" and current_input):
            for parameter, values in _stdp_arrays(config, pre.size, stdp_rng).items():
                setattr(syn, parameter, values)
        synapses[name] = syn

    initial_rng = streams["initial_state"]
    initial_v = initial_rng.uniform(neurons["v_reset_mV"], neurons["v_th_mV"])
    network = NetworkInstance(
        config=config, n_input=int(n_input), n_excitatory=n_e, positions=positions,
        initial_v_mV=initial_v, synapses=synapses, input_kind=input_kind, **neurons,
    )
    validate_network_arrays(network)
    return network


def poisson_seed(config: HRSNNConfig) -> int:
    """Seed for Brian2's generator (Poisson input), its own stream of ``config.seed``."""
    return int(np.random.SeedSequence(config.seed).spawn(len(_STREAMS))[_STREAMS.index("poisson")].generate_state(1)[0] % (2**31))
