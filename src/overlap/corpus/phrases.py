"""Name-phrase spans of many texts in one compiled pass (``overlap.kernels_names``).

``phrase_spans(texts, stop_words) -> list[array | None] | None``
    Per text, ``(m, 2)`` ``int32`` rows of ``(start, end)``: the spans whose case-folded text are ``events.name_phrases``' keys, in the
    order that function meets them (repeats included); None for a text the kernel
    declines, and None for all when the compiled kernels are not loaded.

The kernel reads per code point a few class bits and its case fold, filled here from
Python's own ``str`` predicates, lazily (only code points a corpus uses), so its
decisions are Python's; ``stop_words`` (already case-folded) end a phrase.  A text is
declined when a capitalised word holds a code point whose case fold is longer than
itself ("ß" -> "ss").  Linear in the characters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ..codepoints import CodepointBatch, CodepointTable, as_batch, run_filling
from ..jit import load_kernels, loaded_kernels

__all__ = ["phrase_spans"]

def _name_class(ch: str) -> int:
    """The class bits (``overlap.kernels_names.N_*``) of one character."""
    from .. import kernels_names as k  # numba is loaded: the kernel was asked for first

    letter = ch.isalnum() and not ch.isdecimal()  # the regex class [^\\W\\d_]
    return (
        (k.N_CAP if ord(ch) < 0x10000 and ch.isupper() else 0) | (k.N_LETTER if letter else 0)
        | (k.N_APOSTROPHE if ch in "'’" else 0) | (k.N_ALNUM if ch.isalnum() else 0)
        | (k.N_DECIMAL if ch.isdecimal() else 0) | (k.N_UPPER if ch.isupper() else 0)
        | (k.N_LOWER_OR_TITLE if ch.islower() or unicodedata.category(ch) == "Lt" else 0)
    )


def _case_fold(ch: str) -> int:
    """The code point of ``ch.casefold()``, or ``NO_FOLD`` when that is longer."""
    folded = ch.casefold()
    return ord(folded) if len(folded) == 1 else 0xFFFFFFFF


_CLASS = CodepointTable(_name_class, np.uint8)
_FOLD = CodepointTable(_case_fold, np.uint32, unknown=0xFFFFFFFE)


@lru_cache(maxsize=4)
def _stop_tables(stop_words: frozenset[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``stop_words`` for the kernel: their hashes (sorted), rows of code points, lengths."""
    from .. import kernels_names as k

    words = [[ord(c) for c in w] for w in stop_words]
    keyed = sorted((int(k.fold_hash(np.array(w, dtype=np.uint32), len(w))), w) for w in words)
    rows = np.zeros((len(words), max(map(len, words), default=1)), dtype=np.uint32)
    for r, (_, w) in enumerate(keyed):
        rows[r, : len(w)] = w
    keys = np.array([h for h, _ in keyed], dtype=np.uint64)
    return keys, rows, np.array([len(w) for _, w in keyed], dtype=np.int64)


def phrase_spans(
    texts: Sequence[str] | CodepointBatch, stop_words: frozenset[str], *, load: bool = True
) -> list[np.ndarray | None] | None:
    """The name-phrase key spans of each text (module docstring), or None without kernels
    (``load=False``: unless this process has loaded them already).

    >>> got = phrase_spans(["Ông Vladimir Putin và NATO"], frozenset({"ông"}))
    >>> got is None or got[0].tolist() == [[4, 18], [22, 26]]
    True
    """
    kern = load_kernels() if load else loaded_kernels()
    if kern is None:
        return None
    spans_into = kern.name_spans_into
    batch = as_batch(texts)
    cps, offsets, lens = batch.cps, batch.offsets, batch.lengths
    n = len(batch)
    # a word emits at most two keys and takes its characters and one before it
    spans = np.empty((int((lens // 2 + 1).sum()), 2), dtype=np.int32)
    counts = np.zeros(n, dtype=np.int64)
    declined = np.zeros(n, dtype=np.uint8)
    scratch = np.empty(int(lens.max(initial=0)) + 1, dtype=np.uint32)
    tables = (_CLASS.table(), _FOLD.table(), *_stop_tables(stop_words))

    def call(first: int) -> int:
        return int(spans_into(cps, offsets, *tables, scratch, spans, counts, declined, first, int(counts[:first].sum())))

    run_filling(call, lambda new: _FOLD.fill(_CLASS.fill(new)), cps, offsets)
    cuts = np.concatenate(([0], np.cumsum(counts))).tolist()
    spans = spans[: cuts[-1]].copy()  # the rows returned are views: keep no spare room alive
    return [None if declined[d] else spans[cuts[d] : cuts[d + 1]] for d in range(n)]
