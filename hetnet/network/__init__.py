"""The HRSNN: sampled network instances (numpy) and their simulation (Brian2).

Importing this package does not import Brian2; :func:`simulate` does, when called.
"""
from hetnet.network.instance import NetworkInstance, SynapseArrays, generate_network, PATHWAYS, PLASTIC_PATHWAYS
from hetnet.network.simulate import simulate

__all__ = ["NetworkInstance", "SynapseArrays", "generate_network", "simulate", "PATHWAYS", "PLASTIC_PATHWAYS"]
