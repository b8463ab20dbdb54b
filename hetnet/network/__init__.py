"""The HRSNN: sampled network instances (numpy) and their simulation (Brian2).

Importing this package does not import Brian2; :func:`simulate` does, when called.
"""
from hetnet.network.instance import (
    INPUT_KINDS, NetworkInstance, PATHWAYS, PLASTIC_PATHWAYS, SynapseArrays, generate_network, input_kind_of,
)
from hetnet.network.envelope import complete_envelope, embed_in_envelope
from hetnet.network.simulate import simulate

__all__ = [
    "NetworkInstance", "SynapseArrays", "generate_network", "input_kind_of", "simulate", "PATHWAYS",
    "PLASTIC_PATHWAYS", "INPUT_KINDS", "complete_envelope", "embed_in_envelope",
]
