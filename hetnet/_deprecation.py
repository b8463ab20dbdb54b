"""Names that moved: a module ``__getattr__`` that hands over the object from its new home with a warning.

Old import paths keep working for one release: ``from hetnet.tasks.mlp_readout
import MLPReadout`` still gives the class (the same object as
``hetnet.readout.MLPReadout``) and warns with a :class:`DeprecationWarning`
naming the new path. The new module is imported only when an old name is
used, so importing the old module costs nothing and warns about nothing.

Examples
--------
>>> import warnings
>>> getattr_ = moved("old.place", {"sqrt": "math"})
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     getattr_("sqrt")(4.0), caught[0].category.__name__
(2.0, 'DeprecationWarning')
"""
from __future__ import annotations

import importlib
import logging
import warnings

__all__ = ["moved"]

logger = logging.getLogger(__name__)


def moved(module_name: str, names: dict):
    """A module-level ``__getattr__`` for names that moved.

    Parameters
    ----------
    module_name : str
        The old module (``__name__`` of the module assigning the result to ``__getattr__``).
    names : dict
        ``{old name: "new.module"}`` (the same name there) or
        ``{old name: "new.module:new_name"}``.

    Returns
    -------
    callable
        ``__getattr__(name)``: the object from its new module, after a
        :class:`DeprecationWarning`; ``AttributeError`` for any other name.
    """
    def __getattr__(name):
        try:
            target = names[name]
        except KeyError:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}") from None
        path, _, new_name = target.partition(":")
        new_name = new_name or name
        warnings.warn(f"{module_name}.{name} has moved to {path}.{new_name}; the old name will be removed in the "
                      "next release", DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(path), new_name)

    return __getattr__
