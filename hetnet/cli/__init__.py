"""The ``hetnet`` command line: ``hetnet run``, ``optimize``, ``prune``, ``export`` and ``config``."""
