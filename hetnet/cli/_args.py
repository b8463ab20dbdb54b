"""Argument types for the ``hetnet`` sub-commands: a bad value is a usage error naming what is allowed.

``argparse`` reports a ``type=`` function's :class:`argparse.ArgumentTypeError`
as ``hetnet CMD: error: argument --flag: MESSAGE`` and exits with status 2,
so each message below says what is allowed and repeats the value given.

Examples
--------
>>> integer(low=1)("3")
3
>>> integer(low=1)("0")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: must be an integer >= 1; got '0'
>>> number(low=0.0, high=1.0)("nan")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: must be a finite number in [0.0, 1.0]; got 'nan'
"""
from __future__ import annotations

import argparse
import logging
import math

__all__ = ["integer", "number"]

logger = logging.getLogger(__name__)


def _bounds(low, high, low_open=False, high_open=False) -> str:
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high}"
    return ""


def integer(low=None, high=None):
    """An ``argparse`` type: an integer within ``[low, high]`` (either bound optional)."""
    allowed = "must be an integer" + _bounds(low, high)

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{allowed}; got {text!r}") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{allowed}; got {text!r}")
        return value

    parse.__name__ = "integer"
    return parse


def number(low=None, high=None, *, low_open=False, high_open=False):
    """An ``argparse`` type: a finite number within the bounds (open or closed)."""
    allowed = "must be a finite number" + _bounds(low, high, low_open, high_open)

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{allowed}; got {text!r}") from None
        too_low = low is not None and (value <= low if low_open else value < low)
        too_high = high is not None and (value >= high if high_open else value > high)
        if not math.isfinite(value) or too_low or too_high:
            raise argparse.ArgumentTypeError(f"{allowed}; got {text!r}")
        return value

    parse.__name__ = "number"
    return parse
