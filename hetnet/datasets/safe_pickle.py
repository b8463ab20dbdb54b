"""Read data pickles (the CIFAR batches) without running code from the file.

``pickle.load`` calls whatever callable a file names: a ``__reduce__``
payload runs arbitrary code, top-level or nested inside valid data. The
:class:`RestrictedUnpickler` resolves only what the CIFAR python pickles
need and refuses every other global before anything is called:

* containers and scalars, which pickle builds without a global: ``dict``,
  ``list``, ``tuple``, ``bytes``, ``str``, ``int``, ``float``, ``bool``, ``None``;
* numpy arrays, scalars and dtypes, through numpy's own reconstruction
  functions (``numpy.core.multiarray._reconstruct`` and ``scalar``,
  ``numpy.ndarray``, ``numpy.dtype``; ``numpy._core.numeric._frombuffer``
  for protocol 5), each checked;
* ``_codecs.encode`` with the ``latin1`` codec (how protocol 2 stores bytes).

Arrays of Python objects are refused after loading, and so is any other
``persistent_load`` or extension code. A refusal raises
:class:`~hetnet.datasets.base.DatasetError` naming the file and the global.

Examples
--------
>>> import io, os, pickle
>>> class Payload:
...     def __reduce__(self):
...         return (os.system, ("echo owned",))
>>> data = pickle.dumps({b"labels": [1, 2], b"extra": Payload()})
>>> safe_loads(data, "batch")
Traceback (most recent call last):
...
hetnet.datasets.base.DatasetError: batch: refused to load: the pickle calls posix.system, which is not a data type; a data pickle may hold only dict, list, tuple, bytes, str, int, float, bool, None and numpy arrays and scalars (no code is run from data files)
"""
from __future__ import annotations

import codecs
import io
import logging
import pickle

import numpy as np

from hetnet.datasets.base import DatasetError

try:  # numpy >= 2
    from numpy._core.multiarray import _reconstruct as _numpy_reconstruct_array
    from numpy._core.multiarray import scalar as _numpy_scalar
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core.multiarray import _reconstruct as _numpy_reconstruct_array
    from numpy.core.multiarray import scalar as _numpy_scalar

__all__ = ["RestrictedUnpickler", "safe_load", "safe_loads", "ALLOWED_CONTENT"]

logger = logging.getLogger(__name__)

ALLOWED_CONTENT = "dict, list, tuple, bytes, str, int, float, bool, None and numpy arrays and scalars"


def _numpy_reconstruct(subtype, shape, dtype):
    if subtype is not np.ndarray:
        raise pickle.UnpicklingError(f"_reconstruct of {subtype!r}: only numpy.ndarray is allowed")
    return _numpy_reconstruct_array(np.ndarray, shape, dtype)


def _numpy_dtype(spec, *args):
    if not isinstance(spec, (str, bytes)):
        raise pickle.UnpicklingError(f"numpy.dtype({spec!r}): only dtype names are allowed")
    dtype = np.dtype(spec.decode("latin1") if isinstance(spec, bytes) else spec)
    if dtype.hasobject:
        raise pickle.UnpicklingError("arrays of Python objects are not allowed")
    return dtype


def _numpy_frombuffer(buffer, dtype, shape, order):
    if not isinstance(dtype, np.dtype) or dtype.hasobject:
        raise pickle.UnpicklingError("arrays of Python objects are not allowed")
    array = np.frombuffer(buffer, dtype=dtype)
    return array.reshape(shape, order=order) if shape else array


def _numpy_scalar_value(dtype, data):
    if not isinstance(dtype, np.dtype) or dtype.hasobject or not isinstance(data, bytes):
        raise pickle.UnpicklingError("numpy scalars must be numbers stored as bytes")
    return _numpy_scalar(dtype, data)


def _latin1_encode(text, encoding="latin1", *rest):
    if not isinstance(text, str) or codecs.lookup(encoding).name != "iso8859-1" or rest:
        raise pickle.UnpicklingError("_codecs.encode: only latin1 text is allowed")
    return text.encode("latin1")


_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _numpy_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _numpy_reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy.core.multiarray", "scalar"): _numpy_scalar_value,
    ("numpy._core.multiarray", "scalar"): _numpy_scalar_value,
    ("numpy", "dtype"): _numpy_dtype,
    ("numpy.core.numeric", "_frombuffer"): _numpy_frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _numpy_frombuffer,
    ("_codecs", "encode"): _latin1_encode,
}


class RestrictedUnpickler(pickle.Unpickler):
    """A ``pickle.Unpickler`` that resolves only the globals data pickles need (see module docstring)."""

    def find_class(self, module, name):
        try:
            return _GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"the pickle calls {module}.{name}, which is not a data type") from None

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("the pickle uses persistent ids, which data pickles never do")


def _check_arrays(value, depth=0):
    """Refuse object arrays anywhere in the loaded structure."""
    if depth > 100:
        raise pickle.UnpicklingError("the data is nested more than 100 levels deep")
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise pickle.UnpicklingError("arrays of Python objects are not allowed")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_arrays(key, depth + 1)
            _check_arrays(item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_arrays(item, depth + 1)


def safe_loads(data: bytes, source: str = "data"):
    """Unpickle ``data`` with :class:`RestrictedUnpickler` (``encoding="bytes"``, as for Python 2 pickles).

    ``source`` names the file in the :class:`DatasetError` raised on refusal or corruption.
    """
    try:
        value = RestrictedUnpickler(io.BytesIO(data), encoding="bytes").load()
        _check_arrays(value)
    except pickle.UnpicklingError as error:
        raise DatasetError(f"{source}: refused to load: {error}; a data pickle may hold only {ALLOWED_CONTENT} "
                           "(no code is run from data files)") from None
    except (EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError, MemoryError, RecursionError) as error:
        raise DatasetError(f"{source}: not a readable data pickle ({type(error).__name__}: {error}); expected a "
                           f"pickle of {ALLOWED_CONTENT}") from None
    return value


def safe_load(path):
    """Read and unpickle the file ``path`` with :func:`safe_loads`."""
    with open(path, "rb") as handle:
        return safe_loads(handle.read(), str(path))
