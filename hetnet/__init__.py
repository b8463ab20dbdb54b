"""hetnet: heterogeneous recurrent spiking neural networks in Brian2."""
__version__ = "0.1.0"
__all__ = ["__version__"]
