"""Compiled (numba) name phrases: the rules of ``overlap.corpus.events.name_phrases`` over code points.

``name_spans_into(cps, doc_offsets, table, fold, stop_keys, stop_rows, stop_len, buf, spans, counts, declined, first, o)``
    Per document, the spans whose case-folded text are ``name_phrases``' keys (a phrase
    of two capitalised words, or one all-capital word of three letters or more), in text
    order, possibly repeated; ``overlap.corpus.events.name_hashes_many`` fills the tables,
    calls it and hashes the keys.

``table`` holds class bits per code point (``N_*``; ``N_UNKNOWN`` for a code point not
looked at yet) from Python's own ``str`` predicates, ``fold`` its case fold when that is
one code point (else ``NO_FOLD``: the document is declined and done in Python).  The
stop words (``events._NOT_NAME_WORDS``) are rows of folded code points, found by a hash
of the folded word (``stop_keys``, sorted) and checked code point by code point.
Linear in the characters; loaded on first use through ``overlap.kernels``.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "NO_FOLD", "N_ALNUM", "N_APOSTROPHE", "N_CAP", "N_DECIMAL", "N_LETTER", "N_LOWER_OR_TITLE", "N_UNKNOWN",
    "N_UPPER", "fold_hash", "name_spans_into",
]

_OPTS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}

N_CAP = 1  # starts a capitalised word: upper case, in the Basic Multilingual Plane
N_LETTER = 2  # continues one: the regex class [^\W\d_]
N_APOSTROPHE = 4  # ' or ’
N_ALNUM = 8  # str.isalnum
N_DECIMAL = 16  # str.isdecimal
N_UPPER = 32  # str.isupper
N_LOWER_OR_TITLE = 64  # str.islower or str.istitle: a word holding one is not all capitals
N_UNKNOWN = 0xFF
NO_FOLD = np.uint32(0xFFFFFFFF)
_SPACE = 0x20
_P = np.uint64(0x100000001B3)


@numba.njit("uint64(uint32[::1], int64)", **_OPTS)
def fold_hash(folded, n):  # pragma: no cover - compiled
    """The stop-word hash of ``n`` folded code points (also used by the caller to build ``stop_keys``)."""
    h = np.uint64(0xCBF29CE484222325)
    for k in range(n):
        h = (h ^ np.uint64(folded[k])) * _P
    return h


@numba.njit(**_OPTS)
def _stop_word(cps, lo, fold, a, b, stop_keys, stop_rows, stop_len, buf):  # pragma: no cover - compiled
    """Whether ``text[a:b].casefold()`` is a stop word; -1 when a code point has no
    one-code-point fold (the document goes to Python), else 0 or 1."""
    n = b - a
    for k in range(n):
        c = fold[cps[lo + a + k]]
        if c == NO_FOLD:
            return -1
        buf[k] = c
    if n > stop_rows.shape[1]:
        return 0
    h = fold_hash(buf, n)
    r = np.searchsorted(stop_keys, h)
    while r < stop_keys.shape[0] and stop_keys[r] == h:
        if stop_len[r] == n:
            same = True
            for k in range(n):
                if stop_rows[r, k] != buf[k]:
                    same = False
                    break
            if same:
                return 1
        r += 1
    return 0


@numba.njit(
    numba.types.int64(
        numba.types.Array(numba.types.uint32, 1, "C", readonly=True), numba.types.int64[::1], numba.types.uint8[::1],
        numba.types.uint32[::1], numba.types.uint64[::1], numba.types.uint32[:, ::1], numba.types.int64[::1],
        numba.types.uint32[::1], numba.types.int32[:, ::1], numba.types.int64[::1], numba.types.uint8[::1],
        numba.types.int64, numba.types.int64,
    ),
    **_OPTS,
)
def name_spans_into(cps, doc_offsets, table, fold, stop_keys, stop_rows, stop_len, buf, spans, counts, declined, first, o):  # pragma: no cover - compiled
    """Name-phrase key spans of documents ``first`` on, ``counts[d]`` rows each in
    ``spans`` from row ``o`` (offsets relative to the document); ``declined[d] = 1`` for a
    document the tables cannot decide.  Returns -1 when done, or the first document
    holding a code point whose class is ``N_UNKNOWN`` (the caller fills the tables and
    calls again from there).  ``buf`` is scratch as long as the longest document plus
    one; ``spans`` needs ``len // 2 + 1`` rows a document: a word emits at most two keys
    (itself, when three capitals or more, and the phrase it ends), and takes its
    characters and the space before it.
    """
    for d in range(first, doc_offsets.shape[0] - 1):
        lo = doc_offsets[d]
        n = doc_offsets[d + 1] - lo
        counts[d] = 0
        declined[d] = 0
        for i in range(n):
            if table[cps[lo + i]] == N_UNKNOWN:
                return d
        start_o = o
        has_prev = False
        prev_start = 0
        prev_end = -2
        i = 0
        while i < n:
            if not table[cps[lo + i]] & N_CAP:
                i += 1
                continue
            # a match of events._capitalised(): [capital][letter]*(['’][letter]+)?
            st = i
            j = i + 1
            while j < n and table[cps[lo + j]] & N_LETTER:
                j += 1
            if j + 1 < n and table[cps[lo + j]] & N_APOSTROPHE and table[cps[lo + j + 1]] & N_LETTER:
                j += 2
                while j < n and table[cps[lo + j]] & N_LETTER:
                    j += 1
            i = j
            if st > 0:
                before = table[cps[lo + st - 1]]
                if before & N_ALNUM and not before & N_DECIMAL:
                    continue  # upper case inside a word
            stop = _stop_word(cps, lo, fold, st, j, stop_keys, stop_rows, stop_len, buf)
            if stop < 0:
                declined[d] = 1
                break
            if stop:
                has_prev = False
                continue
            if j - st >= 3:
                upper = False
                other = False
                for k in range(st, j):
                    c = table[cps[lo + k]]
                    upper |= (c & N_UPPER) != 0
                    other |= (c & N_LOWER_OR_TITLE) != 0
                if upper and not other:
                    spans[o, 0] = st
                    spans[o, 1] = j
                    o += 1
            if has_prev and st == prev_end + 1 and cps[lo + prev_end] == _SPACE:
                spans[o, 0] = prev_start
                spans[o, 1] = j
                o += 1
            has_prev = True
            prev_start = st
            prev_end = j
        if declined[d]:
            o = start_o
        counts[d] = o - start_o
    return -1
