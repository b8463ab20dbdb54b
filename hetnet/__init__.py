"""hetnet: heterogeneous recurrent spiking neural networks in Brian2.

Every module logs through ``logging.getLogger(__name__)`` under the
``hetnet`` logger and prints nothing; applications choose what to show
(the ``hetnet`` command uses :func:`hetnet.progress.configure_logging`).
"""
import logging

__version__ = "0.1.0"
__all__ = ["__version__"]

logging.getLogger(__name__).addHandler(logging.NullHandler())
