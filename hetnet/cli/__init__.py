"""The ``hetnet`` command line: ``hetnet run``, ``hetnet optimize``, ``hetnet prune``."""
