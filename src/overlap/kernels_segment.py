"""Compiled (numba) sentence splitting: the rules of ``overlap.segment.sentences`` over code points.

``sentence_spans_into(cps, doc_offsets, table, lower, abbrev, abbrev_len, spans, counts, first, o)``
    Sentence spans of many documents, equal to ``sentences(text)`` of each
    (``overlap.segment_fast.sentence_rows`` fills the tables and calls it).

``table`` holds one ``uint16`` of class bits per code point (``C_*`` below; ``C_UNKNOWN``
for a code point not looked at yet), ``lower`` its lower case when that is one code
point (else ``NO_LOWER``), ``abbrev`` the abbreviations as rows of code points.  Every
rule reads only these, so the kernel follows ``str.isspace``, ``str.isupper`` and the
regex classes exactly as Python does.  Linear in the characters; loaded on first use
through ``overlap.kernels``.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "C_ALNUM", "C_ALPHA", "C_CLOSE", "C_CLOSER", "C_DIGIT", "C_DOT_OR_UNDERSCORE", "C_LINE", "C_LOWER", "C_NL_CR",
    "C_OPEN", "C_SPACE", "C_TERM", "C_UNKNOWN", "C_UPPER", "C_WORD", "NO_LOWER", "sentence_spans_into",
]

_OPTS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}

C_SPACE = 1  # str.isspace (the regex \s)
C_LOWER = 2  # str.islower
C_UPPER = 4  # str.isupper
C_DIGIT = 8  # str.isdigit
C_ALPHA = 16  # str.isalpha
C_ALNUM = 32  # str.isalnum
C_WORD = 64  # the regex \w
C_LINE = 128  # ends a line: \n \r \u2028 \u2029 \x85
C_TERM = 256  # ends a sentence: . ! ? … and the full-width ones
C_CLOSE = 512  # a closing quote or bracket after the terminators
C_OPEN = 1024  # an opening quote, bracket or dash before the next sentence
C_CLOSER = 2048  # closes a line, so that the next one is not a continuation
C_NL_CR = 4096  # \n or \r (a blank line is two of them)
C_DOT_OR_UNDERSCORE = 8192  # "." or "_": part of the word before a dot
C_UNKNOWN = 0xFFFF
NO_LOWER = np.uint32(0xFFFFFFFF)
_DOT = 0x2E
_NL = 0x0A


@numba.njit(inline="always", **_OPTS)
def _first_solid(table, cps, lo, s, e):  # pragma: no cover - compiled
    """The first position in ``[s, e)`` that is not white space, or -1."""
    for i in range(s, e):
        if not table[cps[lo + i]] & C_SPACE:
            return i
    return -1


@numba.njit(inline="always", **_OPTS)
def _emit(table, cps, lo, start, end, spans, o):  # pragma: no cover - compiled
    """``segment._emit``: write ``[start, end)`` trimmed, if it holds a word character;
    returns the number of spans written (0 or 1)."""
    s = _first_solid(table, cps, lo, start, end)
    if s < 0:
        return 0
    word = False
    for i in range(s, end):
        if table[cps[lo + i]] & C_WORD:
            word = True
            break
    if not word:
        return 0
    e = end
    while e > s and table[cps[lo + e - 1]] & C_SPACE:
        e -= 1
    spans[o, 0] = s
    spans[o, 1] = e
    return 1


@numba.njit(inline="always", **_OPTS)
def _abbreviation(cps, lo, lower, abbrev, abbrev_len, a, b):  # pragma: no cover - compiled
    """Whether ``text[a:b].lower()`` is one of ``abbrev``'s rows."""
    n = b - a
    for r in range(abbrev.shape[0]):
        if abbrev_len[r] != n:
            continue
        same = True
        for k in range(n):
            c = lower[cps[lo + a + k]]
            if c == NO_LOWER or c != abbrev[r, k]:
                same = False
                break
        if same:
            return True
    return False


@numba.njit(inline="always", **_OPTS)
def _is_break(table, cps, lo, lower, abbrev, abbrev_len, base, ms, single_dot, nxt, opened):  # pragma: no cover - compiled
    """``segment._is_break`` of a terminator run starting at ``ms``."""
    c = table[cps[lo + nxt]]
    if not (c & C_UPPER or c & C_DIGIT or (opened and c & C_ALPHA)):
        return False
    if not single_dot:
        return True
    # segment._word_before over at most 40 characters before the mark
    wlo = max(base, ms - 40)
    end = ms - 1 if ms > wlo and cps[lo + ms - 1] == _NL else ms
    i = end
    while i > wlo and table[cps[lo + i - 1]] & (C_ALNUM | C_DOT_OR_UNDERSCORE):
        i -= 1
    if i == end:
        return True
    # word = raw.lower().strip("."): an inner dot, or an abbreviation, is no break
    a, b = i, end
    while a < b and cps[lo + a] == _DOT:
        a += 1
    while b > a and cps[lo + b - 1] == _DOT:
        b -= 1
    for k in range(a, b):
        if cps[lo + k] == _DOT:
            return False
    if _abbreviation(cps, lo, lower, abbrev, abbrev_len, a, b):
        return False
    if end - i == 1:
        r = table[cps[lo + i]]
        if r & C_ALPHA and r & C_UPPER:
            return False  # an initial
    return True


@numba.njit(
    numba.types.int64(
        numba.types.Array(numba.types.uint32, 1, "C", readonly=True), numba.types.int64[::1], numba.types.uint16[::1],
        numba.types.uint32[::1], numba.types.uint32[:, ::1], numba.types.int64[::1], numba.types.int32[:, ::1],
        numba.types.int64[::1], numba.types.int64, numba.types.int64,
    ),
    **_OPTS,
)
def sentence_spans_into(cps, doc_offsets, table, lower, abbrev, abbrev_len, spans, counts, first, o):  # pragma: no cover - compiled
    """Sentence spans of documents ``first`` on (``cps[doc_offsets[d]:doc_offsets[d + 1]]``),
    written to ``spans`` from row ``o`` in document order, ``counts[d]`` rows each,
    offsets relative to the document.  Returns -1 when done, or the first document
    holding a code point whose class is ``C_UNKNOWN`` (the caller fills the tables and
    calls again from there).  ``spans`` needs ``len // 2 + 1`` rows a document: a
    sentence holds a word character and ends before white space or the end.
    """
    for d in range(first, doc_offsets.shape[0] - 1):
        lo = doc_offsets[d]
        n = doc_offsets[d + 1] - lo
        counts[d] = 0
        for i in range(n):
            if table[cps[lo + i]] == C_UNKNOWN:
                return d
        start_o = o
        # blocks: lines, hard-wrapped ones joined (segment._blocks), each split at once
        i = 0
        have = False
        b_start = 0
        b_end = 0
        prev_end = -1
        last_line = 0
        s = 0
        e = 0
        while True:
            while i < n and table[cps[lo + i]] & C_LINE:
                i += 1
            line = i < n
            if line:
                s = i
                while i < n and not table[cps[lo + i]] & C_LINE:
                    i += 1
                e = i
                if have:
                    head = _first_solid(table, cps, lo, s, e)
                    if head >= 0 and table[cps[lo + head]] & C_LOWER:
                        breaks = 0
                        for g in range(prev_end, s):
                            breaks += (table[cps[lo + g]] & C_NL_CR) != 0
                        if breaks == 1:
                            t = b_end
                            while t > last_line and table[cps[lo + t - 1]] & C_SPACE:
                                t -= 1
                            if t > last_line and not table[cps[lo + t - 1]] & C_CLOSER:
                                b_end = e
                                prev_end = e
                                last_line = s
                                continue
            if have:  # split the finished block [b_start, b_end)
                base = b_start
                end = b_end
                start = base
                resume = base
                j = base
                while j < end:
                    if not table[cps[lo + j]] & C_TERM:
                        j += 1
                        continue
                    ms = j
                    while j < end and table[cps[lo + j]] & C_TERM:
                        j += 1
                    if ms < resume:
                        continue
                    single_dot = j - ms == 1 and cps[lo + ms] == _DOT
                    p = j
                    while p < end and table[cps[lo + p]] & C_CLOSE:
                        p += 1
                    ws = p
                    while p < end and table[cps[lo + p]] & C_SPACE:
                        p += 1
                    if p == ws or p >= end:
                        continue
                    k = p
                    while k < end and table[cps[lo + k]] & C_OPEN:
                        k += 1
                    if k < end and not table[cps[lo + k]] & C_SPACE:
                        nxt = k
                    else:  # the last opening mark is the next character itself
                        nxt = k - 1
                    resume = p
                    if _is_break(table, cps, lo, lower, abbrev, abbrev_len, base, ms, single_dot, nxt, nxt > p):
                        o += _emit(table, cps, lo, start, ws, spans, o)
                        start = p
                o += _emit(table, cps, lo, start, end, spans, o)
            if not line:
                break
            have = True
            b_start = s
            b_end = e
            prev_end = e
            last_line = s
        counts[d] = o - start_o
    return -1
