"""Run a network inside a larger compiled structure: one standalone build for many structures (numpy only).

A C++ standalone program fixes the synapses it was compiled with, so every
new connectivity (a new connection-probability scale ``C``, length scale
``lambda``, input fan-out ``p_in`` or connectivity seed, as an optimiser
searching the architecture proposes) would need a new compilation of 40-60
seconds. An **envelope** is a network whose synapses include those of every
network to be run in it: the network is *embedded* in the envelope's
structure, its own synapses carrying its weights and STDP parameters, the
others weight 0 with learning rates 0, and the compiled program of the
envelope runs it. Only the sizes (neurons, excitatory neurons, input
channels), the input kind and which pathways are plastic key the build.

The embedded run is the network's own run, not an approximation: an added
synapse of weight 0 adds exactly 0 to its target's current when its
presynaptic neuron fires, and with learning rates 0 its STDP update
``w = clip(w - 0 * ..., w_min, w_max)`` leaves ``w = 0`` unchanged as long
as ``w_min = 0`` (the default; a plastic embedded run with ``w_min > 0``
is refused). The synapses of the network keep their order, so each
postsynaptic current adds the same terms in the same order: spikes and final
weights are those of the network's own build, bit for bit (tested in
``tests/test_envelope.py``). What the envelope costs is the delivery of the
added synapses' events, which grows with their number.

:func:`complete_envelope` connects every pair of the pathways (no self
connection within a population), so it holds any structure of the same sizes
and connectivity seed, and the program is compiled once per size.

Examples
--------
>>> from hetnet.config import HRSNNConfig
>>> from hetnet.network import generate_network
>>> network = generate_network(HRSNNConfig(n_neurons=20, seed=1), n_input=4)
>>> embedding = embed_in_envelope(network, complete_envelope(network))
>>> embedding.network.synapses["ee"].n_synapses       # 16 excitatory neurons, all pairs but i -> i
240
>>> restored = embedding.network_weights({name: s.w for name, s in embedding.network.synapses.items()})
>>> bool(all(np.array_equal(restored[name], network.synapses[name].w) for name in restored))
True
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import numpy as np

from hetnet.errors import UsageError
from hetnet.network.instance import PATHWAYS, STDP_PARAMETERS, NetworkInstance, SynapseArrays

__all__ = ["ENVELOPES", "COMPLETE_ENVELOPE_MAX_NEURONS", "EnvelopeEmbedding", "complete_envelope", "embed_in_envelope",
           "resolve_envelope", "choose_envelope"]

logger = logging.getLogger(__name__)

#: named envelopes :func:`resolve_envelope` builds (``simulate(..., envelope="complete")``)
ENVELOPES = ("complete",)

#: largest network :func:`choose_envelope` runs inside the complete envelope (see its docstring for the numbers)
COMPLETE_ENVELOPE_MAX_NEURONS = 1000

#: STDP time constant (ms) of an added synapse: any positive value, since its learning rates are 0
_PADDING_TAU_MS = 10.0


def _padding_stdp(n: int) -> dict:
    """STDP parameters of ``n`` added synapses: learning rates 0 (so they never learn), any positive time constant."""
    return {parameter: np.zeros(n) if parameter.startswith("eta") else np.full(n, _PADDING_TAU_MS)
            for parameter in STDP_PARAMETERS}


def _population_sizes(network: NetworkInstance) -> dict:
    return {"input": network.n_input, "excitatory": network.n_excitatory, "inhibitory": network.n_inhibitory,
            "recurrent": network.n_neurons}


def complete_envelope(network: NetworkInstance) -> NetworkInstance:
    """The envelope that connects every pair of every pathway of ``network`` (weights 0).

    Every input channel reaches every recurrent neuron; every excitatory and
    inhibitory neuron reaches every neuron of each population except itself.
    It holds every network with the same sizes, input kind and plastic
    pathways, whatever its connectivity settings or seed.

    Parameters
    ----------
    network : NetworkInstance

    Returns
    -------
    NetworkInstance
        ``network``'s neurons with complete pathways: weights 0, learning
        rates 0 on the plastic pathways.

    Examples
    --------
    >>> from hetnet.config import HRSNNConfig
    >>> from hetnet.network import generate_network
    >>> network = generate_network(HRSNNConfig(n_neurons=10, seed=0), n_input=3)
    >>> envelope = complete_envelope(network)
    >>> envelope.synapses["input"].n_synapses, envelope.synapses["ii"].n_synapses
    (30, 2)
    """
    sizes = _population_sizes(network)
    synapses = {}
    for name, (pre_population, post_population) in PATHWAYS.items():
        own = network.synapses[name]
        n_pre, n_post = sizes[pre_population], sizes[post_population]
        pre, post = np.divmod(np.arange(n_pre * n_post, dtype=np.int64), max(n_post, 1))
        if pre_population == post_population:
            keep = pre != post
            pre, post = pre[keep], post[keep]
        stdp = _padding_stdp(pre.size) if own.plastic else {}
        synapses[name] = SynapseArrays(pre.astype(np.int32), post.astype(np.int32), np.zeros(pre.size), own.scale_mV,
                                       **stdp)
    return dataclasses.replace(network, synapses=synapses)


@dataclass
class EnvelopeEmbedding:
    """A network embedded in an envelope's structure (from :func:`embed_in_envelope`).

    Attributes
    ----------
    network : NetworkInstance
        The envelope's synapses carrying the embedded network's values; what
        the backend runs.
    positions : dict
        Per pathway, the index of each of the embedded network's synapses in
        the envelope's synapse list.
    """

    network: NetworkInstance
    positions: dict

    def network_weights(self, weights: dict) -> dict:
        """The embedded network's weights, ``{pathway: w}``, from the envelope run's (pathways it has synapses in)."""
        return {name: np.asarray(weights[name])[index] for name, index in self.positions.items() if index.size}


def _pair_keys(syn: SynapseArrays, n_post: int) -> np.ndarray:
    return syn.pre.astype(np.int64) * max(n_post, 1) + syn.post.astype(np.int64)


def embed_in_envelope(network: NetworkInstance, envelope: NetworkInstance, *, plastic: bool = True) -> EnvelopeEmbedding:
    """Put ``network``'s synapses into ``envelope``'s structure, the others at weight 0.

    Parameters
    ----------
    network : NetworkInstance
        The network to run.
    envelope : NetworkInstance
        Same neurons (sizes), input channels and input kind, each pathway
        holding all of ``network``'s synapses of that pathway, sorted by
        ``(pre, post)`` as :func:`~hetnet.network.generate_network` and
        :func:`complete_envelope` give them, plastic where ``network``'s is.
    plastic : bool
        The run will learn: the added synapses then need ``weights.w_min = 0``.

    Returns
    -------
    EnvelopeEmbedding

    Raises
    ------
    UsageError
        The envelope does not hold the network (sizes, input kind, a
        pathway's plasticity, a synapse it lacks), or a plastic run with
        ``weights.w_min > 0``.
    """
    for attribute in ("n_neurons", "n_excitatory", "n_input", "input_kind"):
        if getattr(network, attribute) != getattr(envelope, attribute):
            raise UsageError("envelope", f"{attribute} = {getattr(envelope, attribute)!r}",
                             f"must equal the network's {attribute} = {getattr(network, attribute)!r}")
    w_min = float(network.config.weights.w_min)
    sizes = _population_sizes(network)
    synapses, positions = {}, {}
    for name, (_, post_population) in PATHWAYS.items():
        own, outer = network.synapses[name], envelope.synapses[name]
        if own.plastic != outer.plastic:
            raise UsageError("envelope", f"pathway {name!r} {'plastic' if outer.plastic else 'static'}",
                             f"must be {'plastic' if own.plastic else 'static'} like the network's")
        keys, outer_keys = _pair_keys(own, sizes[post_population]), _pair_keys(outer, sizes[post_population])
        if outer_keys.size > 1 and not np.all(np.diff(outer_keys) > 0):
            raise UsageError("envelope", f"pathway {name!r}", "must list its synapses sorted by (pre, post), once each")
        index = np.searchsorted(outer_keys, keys)
        inside = index < outer_keys.size
        inside[inside] = outer_keys[index[inside]] == keys[inside]
        if not inside.all():
            missing = int(np.flatnonzero(~inside)[0])
            raise UsageError("envelope", f"pathway {name!r}",
                             f"lacks the network's synapse {int(own.pre[missing])} -> {int(own.post[missing])}")
        if own.plastic and plastic and w_min > 0 and index.size < outer_keys.size:
            raise UsageError("weights.w_min", w_min, "must be 0 for a plastic run inside an envelope (its added "
                             "synapses hold weight 0, which clipping to w_min would change)")
        w = np.zeros(outer.n_synapses)
        w[index] = own.w
        stdp = _padding_stdp(outer.n_synapses) if own.plastic else {}
        for parameter, values in stdp.items():
            values[index] = getattr(own, parameter)
        synapses[name] = SynapseArrays(outer.pre, outer.post, w, own.scale_mV, **stdp)
        positions[name] = index
    logger.debug("embedded %d recurrent synapses in an envelope of %d", network.n_synapses,
                 sum(s.n_synapses for n, s in synapses.items() if n != "input"))
    return EnvelopeEmbedding(dataclasses.replace(network, synapses=synapses), positions)


def resolve_envelope(network: NetworkInstance, envelope) -> NetworkInstance:
    """``envelope`` as a network: a :class:`NetworkInstance` as it is, ``"complete"`` from :func:`complete_envelope`."""
    if isinstance(envelope, NetworkInstance):
        return envelope
    if envelope == "complete":
        return complete_envelope(network)
    raise UsageError("envelope", envelope, f"must be a NetworkInstance or one of {', '.join(ENVELOPES)}")


def choose_envelope(n_neurons: int, *, structure_varies: bool, w_min: float = 0.0, seed_fixed: bool = False):
    """The envelope for a series of runs whose structure may change: ``"bounds"``, ``"complete"`` or ``None``.

    The complete envelope pays off when the structure changes between runs
    and the network is small enough that delivering every pair's events
    costs less than compiling. Measured (``bench/bench_envelope.py``,
    ``bench/results/envelope.json``; the memory protocol, 200 plastic and
    2000 frozen input steps, default HeNHeS, one process on a loaded 2-core
    machine), per evaluation of a new structure, own build (two compiles
    and two runs) against the envelope's runs, medians of paired rounds:
    N = 500, 32.0 s against 2.8 s (11x faster); N = 1000, 29.4 s against
    9.9 s (3.3x faster); N = 2000, 35.9 s against 65 s (99 and 31 s in two
    rounds, slower: each run delivers 4 million synapses' events, the cost
    growing with the network's activity). Hence the complete envelope up to
    :data:`COMPLETE_ENVELOPE_MAX_NEURONS` neurons.

    When the runs share their connectivity seed (``seed_fixed``: an
    architecture search with common random numbers), the structures differ
    only through ``C``, ``lambda`` and ``p_in``, and the network drawn with that
    seed at the upper ends of their ranges holds them all (``"bounds"``; the
    caller draws it, e.g. :meth:`hetnet.bo.objectives.NetworkObjective.envelope_for`).
    It has fewer synapses than the complete envelope (the default search ranges
    at N = 2000: 937,075 recurrent synapses against 3,998,000, 7.7x the default
    network's). Measured (same benchmark, ``--kind bounds``), a new structure
    took 6.7 s in it against 22.5 s for its own build at N = 2000 (3.7x faster,
    two rounds; a re-run 3.0x the own build's) and 0.9 s against 19.0 s at
    N = 500 (21x, three rounds; a re-run 1.4x the own build's, the complete
    envelope's 1.9x). Hence ``"bounds"`` at every size when the seed is fixed.

    Parameters
    ----------
    n_neurons : int
    structure_varies : bool
        The runs' connectivity changes (architecture search, a new
        connectivity seed per run); otherwise the own build is reused and is
        faster.
    w_min : float
        The weights' lower bound; plastic runs inside an envelope need 0.
    seed_fixed : bool
        Every run draws its connectivity with the same seed.

    Examples
    --------
    >>> choose_envelope(500, structure_varies=True)
    'complete'
    >>> choose_envelope(500, structure_varies=False) is None, choose_envelope(5000, structure_varies=True) is None
    (True, True)
    >>> choose_envelope(5000, structure_varies=True, seed_fixed=True)
    'bounds'
    """
    if not structure_varies or w_min != 0.0:
        return None
    if seed_fixed:
        return "bounds"
    return "complete" if n_neurons <= COMPLETE_ENVELOPE_MAX_NEURONS else None
