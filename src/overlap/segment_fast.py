"""Sentence spans of many texts in one compiled pass, equal to ``overlap.segment.sentences``.

``sentence_rows(texts) -> list[np.ndarray] | None``
    Per text, its sentences as ``(s, 2)`` ``int32`` rows of ``(start, end)``, or None
    when the compiled kernels are not loaded (the caller then runs ``sentences``).

The scan signs every document and splits each into sentences; in Python that is most of
a worker's time per document after the compiled passes.  The kernel
(``overlap.kernels_segment``) reads per code point a few class bits that this module
fills from Python's own ``str`` predicates, lazily (only code points a corpus uses), so
its decisions are Python's.  Linear in the characters.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .codepoints import CodepointBatch, CodepointTable, as_batch, run_filling
from .jit import load_kernels
from .segment import ABBREVIATIONS

__all__ = ["sentence_rows"]

# The character sets of ``overlap.segment``'s rules (its line pattern, ``_BREAK`` and
# ``_CLOSERS``); the tests check the two agree on real and random text.
_LINE_CHARS = "\n\r\u2028\u2029\x85"
_TERM_CHARS = ".!?\u2026\u3002\uff01\uff1f"
_CLOSE_CHARS = "\"'\u201d\u2019\u00bb)]"
_OPEN_CHARS = "\"'\u201c\u2018\u00ab([-\u2013\u2014"
_CLOSER_CHARS = ".!?…:;\"'”’»)]|"

_WIDTH = max(map(len, ABBREVIATIONS))
_ABBREV = np.zeros((len(ABBREVIATIONS), _WIDTH), dtype=np.uint32)
_ABBREV_LEN = np.zeros(len(ABBREVIATIONS), dtype=np.int64)
for _r, _word in enumerate(sorted(ABBREVIATIONS)):
    _ABBREV[_r, : len(_word)] = [ord(c) for c in _word]
    _ABBREV_LEN[_r] = len(_word)
del _r, _word


def _bits(ch: str) -> int:
    """The class bits (``overlap.kernels_segment.C_*``) of one character."""
    from . import kernels_segment as k  # numba is loaded: the kernel was asked for first

    flags = (
        (ch.isspace(), k.C_SPACE), (ch.islower(), k.C_LOWER), (ch.isupper(), k.C_UPPER),
        (ch.isdigit(), k.C_DIGIT), (ch.isalpha(), k.C_ALPHA), (ch.isalnum(), k.C_ALNUM),
        (ch.isalnum() or ch == "_", k.C_WORD), (ch in _LINE_CHARS, k.C_LINE),
        (ch in _TERM_CHARS, k.C_TERM), (ch in _CLOSE_CHARS, k.C_CLOSE),
        (ch in _OPEN_CHARS, k.C_OPEN), (ch in _CLOSER_CHARS, k.C_CLOSER),
        (ch in "\n\r", k.C_NL_CR), (ch in "._", k.C_DOT_OR_UNDERSCORE),
    )
    return sum(bit for on, bit in flags if on)


def _lower(ch: str) -> int:
    """The code point of ``ch.lower()``, or ``NO_LOWER`` when that is longer."""
    low = ch.lower()
    return ord(low) if len(low) == 1 else 0xFFFFFFFF


_CLASS = CodepointTable(_bits, np.uint16)
_LOWER = CodepointTable(_lower, np.uint32, unknown=0xFFFFFFFE)


def sentence_rows(texts: Sequence[str] | CodepointBatch) -> list[np.ndarray] | None:
    """``[[(s.start, s.end) for s in sentences(t)] for t in texts]`` as ``int32`` arrays
    of shape ``(s, 2)``, in one compiled pass; None without the compiled kernels.

    >>> rows = sentence_rows(["Một. Hai ba.", ""])
    >>> rows is None or [r.tolist() for r in rows] == [[[0, 4], [5, 12]], []]
    True
    """
    kern = load_kernels()
    if kern is None:
        return None
    spans_into = kern.sentence_spans_into
    batch = as_batch(texts)
    cps, offsets, lens = batch.cps, batch.offsets, batch.lengths
    spans = np.empty((int((lens // 2 + 1).sum()), 2), dtype=np.int32)
    counts = np.zeros(len(batch), dtype=np.int64)
    tables = (_CLASS.table(), _LOWER.table(), _ABBREV, _ABBREV_LEN)

    def call(first: int) -> int:
        return int(spans_into(cps, offsets, *tables, spans, counts, first, int(counts[:first].sum())))

    run_filling(call, lambda new: _LOWER.fill(_CLASS.fill(new)), cps, offsets)
    cuts = np.concatenate(([0], np.cumsum(counts))).tolist()
    spans = spans[: cuts[-1]].copy()  # the rows returned are views: keep no spare room alive
    return [spans[a:b] for a, b in zip(cuts, cuts[1:])]
