"""A small value per Unicode code point, computed the first time a text uses that code point.

``CodepointTable(classify)``: ``values(cps)`` gives ``classify(chr(cp))`` (0-254) for each
code point of a ``uint32`` array, calling ``classify`` once per code point ever seen, so
start-up pays nothing and a text costs one table gather.

Cost: one 1.1 MB table per instance, allocated on first use; a gather per call.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["CodepointTable"]

_UNKNOWN = 255


class CodepointTable:
    """``classify(ch)`` for every code point, cached in a ``uint8`` table filled lazily."""

    __slots__ = ("_classify", "_table")

    def __init__(self, classify: Callable[[str], int]) -> None:
        self._classify = classify
        self._table: np.ndarray | None = None

    def values(self, cps: np.ndarray) -> np.ndarray:
        """``uint8`` values of the code points ``cps`` (any integer array, in range)."""
        if self._table is None:
            self._table = np.full(0x110000, _UNKNOWN, dtype=np.uint8)
        got: np.ndarray = self._table[cps]
        unknown = got == _UNKNOWN
        if unknown.any():
            for cp in np.unique(cps[unknown]).tolist():
                self._table[cp] = self._classify(chr(cp))
            got = self._table[cps]
        return got
