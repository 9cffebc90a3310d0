"""A small value per Unicode code point, computed the first time a text uses that code point.

``CodepointTable(classify, dtype=uint8)``: ``values(cps)`` gives ``classify(chr(cp))`` for
each code point of a ``uint32`` array, calling ``classify`` once per code point ever seen,
so start-up pays nothing and a text costs one table gather.  ``table()`` and ``fill(cps)``
serve compiled kernels that read the table themselves and report unknown code points.

``CodepointBatch.of(texts)``, ``as_batch(texts)``
    Texts end to end as ``uint32`` code points, the way those kernels read a batch: made
    once, read by every pass over the batch.
``run_filling(call, fill, cps, offsets)``
    Call such a kernel from document 0, filling the tables and calling again from the
    document it stopped at, until it finishes.

Cost: one table of 0x110000 entries per instance, allocated on first use; a gather per call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CodepointBatch", "CodepointTable", "as_batch", "run_filling"]


class CodepointTable:
    """``classify(ch)`` for every code point, cached in a table filled lazily; ``unknown``
    (default: the dtype's largest value) marks a code point not looked at yet, and is
    never a value ``classify`` may return."""

    __slots__ = ("_classify", "_dtype", "_table", "unknown")

    def __init__(self, classify: Callable[[str], int], dtype: Any = np.uint8, unknown: int | None = None) -> None:
        self._classify = classify
        self._dtype = np.dtype(dtype)
        self.unknown = int(np.iinfo(self._dtype).max) if unknown is None else unknown
        self._table: np.ndarray | None = None

    def table(self) -> np.ndarray:
        """The whole table (``unknown`` where not filled yet), for a kernel to read."""
        if self._table is None:
            self._table = np.full(0x110000, self.unknown, dtype=self._dtype)
        return self._table

    def fill(self, cps: np.ndarray) -> np.ndarray:
        """Classify every code point of ``cps`` not looked at yet; returns those (distinct)."""
        table = self.table()
        new = np.unique(cps[table[cps] == self.unknown])
        for cp in new.tolist():
            table[cp] = self._classify(chr(cp))
        return new

    def values(self, cps: np.ndarray) -> np.ndarray:
        """Values of the code points ``cps`` (any integer array, in range)."""
        table = self.table()
        got: np.ndarray = table[cps]
        if (got == self.unknown).any():
            self.fill(cps)
            got = table[cps]
        return got


@dataclass(frozen=True, slots=True)
class CodepointBatch:
    """Texts and their code points end to end, as the compiled text passes read a batch:
    ``cps`` (``uint32``, read-only; lone surrogates kept), ``n + 1`` ``int64`` ``offsets``
    and each text's length.  Made once per batch and handed to every pass over it."""

    texts: Sequence[str]
    cps: np.ndarray
    offsets: np.ndarray
    lengths: np.ndarray

    @classmethod
    def of(cls, texts: Sequence[str]) -> CodepointBatch:
        """The batch of ``texts``: one UTF-32 encoding of them all.  Linear in the characters."""
        n = len(texts)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        cps = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        return cls(texts, cps, offsets, lengths)

    def __len__(self) -> int:
        return len(self.texts)


def as_batch(texts: Sequence[str] | CodepointBatch) -> CodepointBatch:
    """``texts`` itself when it is a ``CodepointBatch`` already, else ``CodepointBatch.of(texts)``."""
    return texts if isinstance(texts, CodepointBatch) else CodepointBatch.of(texts)


def run_filling(call: Callable[[int], int], fill: Callable[[np.ndarray], object], cps: np.ndarray,
                offsets: np.ndarray) -> None:
    """Run ``call(first)`` from document 0: it returns -1 when done, or the first document
    holding a code point its tables do not know yet; ``fill`` then gets that document's
    code points and all after it, and the call resumes there."""
    first = 0
    while (at := call(first)) >= 0:
        fill(cps[offsets[at] :])
        first = at
