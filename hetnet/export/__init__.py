"""Export of frozen (trained and / or pruned) HRSNNs for neuromorphic hardware: NIR (the ``nir`` extra)."""
try:
    import nir  # noqa: F401
except ImportError as error:  # pragma: no cover - nir is in the "nir" and "test" extras
    raise ImportError("hetnet.export needs the NIR package: pip install 'hetnet[nir]'") from error

from hetnet.export.nir import NIR_TARGETS, from_nir, read_nir, spyx_graph, to_nir, write_nir

__all__ = ["to_nir", "from_nir", "spyx_graph", "write_nir", "read_nir", "NIR_TARGETS"]
