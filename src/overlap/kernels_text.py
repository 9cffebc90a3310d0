"""Compiled (numba) text kernels: tokens of code points, and raw text to shingles or tokens in one pass.

``tokenize_into(cps, table, doc_offsets, starts, ends, hashes, tok_offsets)``
    Tokens of many documents' code points, equal to ``overlap.shingle.tokenize``
    (``overlap.shingle.tokenize_many``).
``text_shingles_into(...)``
    Raw text -> normalised view -> tokens -> shingles, per document (``overlap.textpass``:
    ``minhash`` and ``dedup``).
``text_tokens_into(...)``
    Raw text -> tokens with their offsets, where the view keeps the text's offsets
    (``overlap.textpass.text_tokens``: the scan's signing).
``windows_into(h, tok_lo, ntok, k, qs, out, out_offsets)``
    Shingle hashes of many documents' tokens, equal to ``overlap.shingle.shingles``.

Re-exported by ``overlap.kernels`` (``overlap.jit.load_kernels()``), with the same
conventions: one explicit signature per kernel, ``cache=True``, ``nogil=True``.
Linear in the characters.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

__all__ = [
    "FOLD_CLASS_SHIFT", "FOLD_CP", "FOLD_DELETE", "FOLD_PYTHON", "FOLD_TONE_BIT", "FOLD_UNKNOWN", "FOLD_WORD_BIT",
    "text_shingles_into", "text_tokens_into", "tokenize_into", "windows_into",
]

_OPTS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}


_UNKNOWN_CLASS = 255  # overlap.shingle._UNKNOWN: a code point not classified yet
_P64 = np.uint64(0x100000001B3)  # overlap.shingle._P


def _word_table() -> np.ndarray:
    """``[(prev & 7) * 64 + (cls & 7) * 8 + (next & 7)] -> 1`` when the middle character is
    part of a word: letters (5), digits (2), other word characters (1); a digit joiner (3)
    between two digits; a letter joiner (4) between two letters."""
    t = np.zeros(512, dtype=np.uint8)
    for prev in range(8):
        for nxt in range(8):
            for c in (1, 2, 5):
                t[prev * 64 + c * 8 + nxt] = 1
        t[2 * 64 + 3 * 8 + 2] = 1
        t[5 * 64 + 4 * 8 + 5] = 1
    return t


_WORD = _word_table()
# The code points arrive read-only (np.frombuffer over the bytes of str.encode): no copy.
_CPS = numba.types.Array(numba.types.uint32, 1, "C", readonly=True)
_I64 = numba.types.int64[::1]


@numba.njit(inline="always", **_OPTS)
def _fmix64(x):  # pragma: no cover - compiled
    """murmur3's 64-bit finaliser, as ``overlap.hashing``'s."""
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> np.uint64(33))


@numba.njit(inline="always", **_OPTS)
def _window_hashes(h, base, nt, k, qs, out, o):  # pragma: no cover - compiled
    """``fmix64(sum(h[base + w + j] * qs[j]))`` of the ``nt - k + 1`` windows of the tokens
    ``h[base:base + nt]`` (one of all of them when ``0 < nt < k``) into ``out[o:]``; how many."""
    count = nt - k + 1 if nt >= k else (1 if nt > 0 else 0)
    width = k if nt >= k else nt
    for w in range(count):
        acc = np.uint64(0)
        for j in range(width):
            acc += h[base + w + j] * qs[j]
        out[o + w] = _fmix64(acc)
    return count


@numba.njit(**_OPTS)
def _token_edges(cps, table, starts, ends, raw):  # pragma: no cover - compiled
    """The scan behind ``tokenize_into``: token ``[starts, ends)`` of the whole buffer and
    raw (unfinalised) hashes; returns the number of tokens, or -1 when a code point's
    class is unknown.  Its own function: with ``tokenize_into``'s later passes in the same
    function, LLVM compiled this loop 1.5x slower.

    The loop has no data-dependent branch (token boundaries come every 4-5 characters in
    Vietnamese, too often to predict): every position writes a start and an end and the
    counts advance only at an edge; the hash restarts by a select and adds ``w * ...``.
    """
    n = cps.shape[0]
    unknown = False
    ns = 0  # starts written
    ne = 0  # ends (and raw hashes) written
    prev = np.uint32(0)
    cur = np.uint32(0)
    inside = np.uint32(0)
    h = np.uint64(0)
    p = np.uint64(1)
    if n > 0:
        c0 = table[cps[0]]
        unknown |= c0 == _UNKNOWN_CLASS
        cur = np.uint32(c0 & 7)
    for i in range(n - 1):
        c1 = table[cps[i + 1]]
        unknown |= c1 == _UNKNOWN_CLASS
        nxt = np.uint32(c1 & 7)
        w = np.uint32(_WORD[prev * 64 + cur * 8 + nxt])
        start = w & ~inside
        end = inside & ~w
        starts[ns] = i
        ns += start
        ends[ne] = i
        raw[ne] = h
        ne += end
        h = np.uint64(0) if start else h
        p = np.uint64(1) if start else p
        h += (np.uint64(cps[i]) + np.uint64(1)) * p * np.uint64(w)
        p *= _P64
        inside = w
        prev = cur
        cur = nxt
    if n > 0:  # a token ending at the last separator (the loop stops before it)
        ends[ne] = n - 1
        raw[ne] = h
        ne += inside
    return -1 if unknown else ne


@numba.njit(numba.types.int64(_CPS, numba.types.uint8[::1], _I64, _I64, _I64, numba.types.uint64[::1], _I64), **_OPTS)
def tokenize_into(cps, table, doc_offsets, starts, ends, hashes, tok_offsets):  # pragma: no cover - compiled
    """Tokens of many documents' code points; the rules and hashes of ``overlap.shingle.tokenize``.

    Document ``d`` is ``cps[doc_offsets[d]:doc_offsets[d + 1] - 1]``, followed by one
    separator of class 0 (the buffer is ``"\\n".join(views) + "\\n"``: a newline is never
    part of a token), so one scan covers all documents and its look-ahead needs no bounds
    test.  Document ``d``'s tokens go to ``starts/ends/hashes[tok_offsets[d]:tok_offsets[d + 1]]``
    with offsets relative to the document.  ``table`` is ``overlap.shingle._TABLE`` (class
    per code point: 5 letter, 2 digit, 1 other word character, 3 digit joiner, 4 letter
    joiner, 0 other).  Returns -1 when done, or the index of a code point whose class is
    still unknown (255): the caller classifies it and calls again (the outputs are then
    garbage).  The outputs need room for ``sum((len + 1) // 2)`` tokens, plus one.
    """
    ne = _token_edges(cps, table, starts, ends, hashes)
    if ne < 0:
        for i in range(cps.shape[0]):
            if table[cps[i]] == _UNKNOWN_CLASS:
                return i
    t = 0
    tok_offsets[0] = 0
    for d in range(doc_offsets.shape[0] - 1):
        lo = doc_offsets[d]
        hi = doc_offsets[d + 1]
        while t < ne and starts[t] < hi:
            starts[t] -= lo
            ends[t] -= lo
            t += 1
        tok_offsets[d + 1] = t
    for t in range(ne):  # fmix64, vectorised
        hashes[t] = _fmix64(hashes[t])
    return -1


# --------------------------------------------------------------------------- text pass
# ``text_shingles_into``: raw text -> normalised view -> tokens -> shingles, per document,
# with the rules of ``overlap.normalization`` (fast path), ``overlap.shingle.tokenize``
# and ``overlap.shingle.shingles``.  ``overlap.textpass`` fills the fold table and owns
# the documents this kernel declines.

_TYPED_OPTS: dict[str, Any] = dict(_OPTS)
FOLD_UNKNOWN = np.uint32(0xFFFFFFFF)  # code point not looked at yet: the caller fills it
FOLD_PYTHON = np.uint32(0xFFFFFFFE)  # the document takes the Python normaliser
FOLD_DELETE = np.uint32(0xFFFFFFFD)  # dropped from the view (invisible characters)
FOLD_CP = np.uint32(0x1FFFFF)  # bits 0-20: the folded code point
FOLD_CLASS_SHIFT = 21  # bits 21-23: its token class (``overlap.shingle._classify``)
FOLD_WORD_BIT = np.uint32(1 << 24)  # it matches the regex ``\w``
FOLD_TONE_BIT = np.uint32(1 << 25)  # it may be rewritten by the tone / final-y rules
_FOLD_TONE_SHIFT = np.uint32(25)
_FOLD_SPECIAL = np.uint32(1 << 31)  # set in FOLD_UNKNOWN, FOLD_PYTHON, FOLD_DELETE only


def _cps(s: str) -> np.ndarray:
    return np.array([ord(c) for c in s], dtype=np.uint32)


# overlap.normalization's tone rules, as code points: index t of the toned vowel in
# its row picks the tone.
_TONE_O = _cps("òóỏõọ")
_TONE_U = _cps("ùúủũụ")
_TONE_A = _cps("àáảãạ")
_TONE_E = _cps("èéẻẽẹ")
_TONE_Y = _cps("ỳýỷỹỵ")
_FINAL_Y = _cps("yỳýỷỹỵ")
_FINAL_I = _cps("iìíỉĩị")
_CONSONANT = np.zeros(0x112, dtype=np.uint8)
_CONSONANT[_cps("bcdđghklmnprstvx")] = 1
# (rule << 3) | t for the code points of the rules' rows: 1 _TONE_O, 2 _TONE_U, 3 _FINAL_Y
_ROWS = np.zeros(0x1F00, dtype=np.uint8)
for _rule, _row in ((1, _TONE_O), (2, _TONE_U), (3, _FINAL_Y)):
    _ROWS[_row] = (_rule << 3) | np.arange(len(_row))
del _rule, _row


@numba.njit(inline="always", **_TYPED_OPTS)
def _index(e, rule):  # pragma: no cover - compiled
    """Index of fold entry ``e``'s code point in the row of ``rule``, or -1 (one table read)."""
    c = e & FOLD_CP
    if c >= _ROWS.shape[0]:
        return -1
    v = _ROWS[c]
    return int(v & 7) if (v >> 3) == rule else -1


@numba.njit(**_TYPED_OPTS)
def _fold_tones(f, sp, nsp, n):  # pragma: no cover - compiled
    """The three substitutions of ``normalization._fold`` in their order, at the flagged positions ``sp``.

    ``f`` holds fold entries (``FOLD_*``): a rule compares and rewrites their code point
    bits only, so a rewritten character keeps the class and flags of the one it replaces.
    Each rule reads and writes only its match and the characters either side, and no rule
    produces a character an earlier rule matches, so visiting only candidates in text
    order gives the regexes' left-to-right, non-overlapping result.
    """
    o, u, y, q = np.uint32(ord("o")), np.uint32(ord("u")), np.uint32(ord("y")), np.uint32(ord("q"))
    a, e = np.uint32(ord("a")), np.uint32(ord("e"))
    rest = ~FOLD_CP
    for s in range(nsp):  # ([òóỏõọ])([ae])(?!\w), not after "q"
        i = sp[s]
        t = _index(f[i], 1)
        if t < 0 or i + 1 >= n:
            continue
        nx = f[i + 1] & FOLD_CP
        if nx != a and nx != e:
            continue
        if (i + 2 < n and (f[i + 2] & FOLD_WORD_BIT)) or (i > 0 and (f[i - 1] & FOLD_CP) == q):
            continue
        f[i + 1] = (f[i + 1] & rest) | (_TONE_A[t] if nx == a else _TONE_E[t])
        f[i] = (f[i] & rest) | o
    for s in range(nsp):  # ([ùúủũụ])(y)(?!\w), not after "q"
        i = sp[s]
        t = _index(f[i], 2)
        if t < 0 or i + 1 >= n or (f[i + 1] & FOLD_CP) != y:
            continue
        if (i + 2 < n and (f[i + 2] & FOLD_WORD_BIT)) or (i > 0 and (f[i - 1] & FOLD_CP) == q):
            continue
        f[i + 1] = (f[i + 1] & rest) | _TONE_Y[t]
        f[i] = (f[i] & rest) | u
    for s in range(nsp):  # ([yỳýỷỹỵ])(?!\w) after a consonant -> i
        i = sp[s]
        t = _index(f[i], 3)
        if t < 0 or (i + 1 < n and (f[i + 1] & FOLD_WORD_BIT)) or i == 0:
            continue
        prev = f[i - 1] & FOLD_CP
        if prev < _CONSONANT.shape[0] and _CONSONANT[prev]:
            f[i] = (f[i] & rest) | _FINAL_I[t]


_TEXT_SIG = numba.types.int64(
    _CPS, _I64, numba.types.uint32[::1], numba.types.int64, numba.types.uint64[::1],
    numba.types.uint64[::1], _I64, numba.types.uint8[::1], numba.types.int64,
)


@numba.njit(_TEXT_SIG, **_TYPED_OPTS)
def text_shingles_into(  # pragma: no cover - compiled
    cps: np.ndarray, doc_offsets: np.ndarray, fold: np.ndarray, k: int, qs: np.ndarray,
    out: np.ndarray, counts: np.ndarray, declined: np.ndarray, first: int,
) -> int:
    """Shingle hashes of raw texts, equal to ``shingles(tokenize(normalize(t).text).hashes, k)``.

    Document ``d`` is ``cps[doc_offsets[d]:doc_offsets[d + 1]]`` (code points of the raw
    text); its shingles go to ``out`` in document order, ``counts[d]`` of them.  ``fold``
    maps a code point to its folded code point, class and flags (``FOLD_*``; ``FOLD_DELETE``
    code points are left out of the view); a document holding a ``FOLD_PYTHON`` code point
    (not NFC, a combining mark, case changes length, ...) gets ``declined[d] = 1`` and no shingles: the caller normalises it in
    Python.  Starts at document ``first``; returns -1 when done, or the first document
    holding a ``FOLD_UNKNOWN`` code point (the caller fills the table and calls again from
    there).  ``out`` needs room for ``sum(len // 2 + 1)`` values.
    """
    n_docs = doc_offsets.shape[0] - 1
    longest = 0
    for d in range(n_docs):
        longest = max(longest, doc_offsets[d + 1] - doc_offsets[d])
    f = np.empty(longest + 1, np.uint32)  # fold entries of the view, then a zero (class 0)
    sp = np.empty(longest + 1, np.int64)
    tok = np.empty(longest // 2 + 2, np.uint64)
    o = 0
    for d in range(first):
        o += counts[d]
    for d in range(first, n_docs):
        lo = doc_offsets[d]
        n = doc_offsets[d + 1] - lo
        counts[d] = 0
        declined[d] = 0
        # 1. fold: one table read per character; then, only if an entry is special
        # (deleted, unknown, Python's), again with the view compacted; candidates of the
        # tone rules noted
        nsp = 0
        bad = np.uint32(0)
        seen = np.uint32(0)
        doc = cps[lo : lo + n]  # a view from 0: contiguous loads, not a gather of cps
        for i in range(n):
            e = fold[doc[i]]
            f[i] = e
            seen |= e
        if seen & _FOLD_SPECIAL:
            j = 0  # view position: deleted characters do not advance it
            for i in range(n):
                e = fold[cps[lo + i]]
                bad |= np.uint32(e >= FOLD_PYTHON)
                keep = e != FOLD_DELETE
                f[j] = e
                sp[nsp] = j
                nsp += ((e & FOLD_TONE_BIT) != 0) & keep
                j += keep
            n = j
        elif seen & FOLD_TONE_BIT:
            for i in range(n):
                sp[nsp] = i
                nsp += (f[i] >> _FOLD_TONE_SHIFT) & 1
        if bad:
            for i in range(doc_offsets[d + 1] - lo):
                if fold[cps[lo + i]] == FOLD_UNKNOWN:
                    return d
            declined[d] = 1
            continue
        f[n] = 0
        if nsp:
            _fold_tones(f, sp, nsp, n)
        # 2. tokens, as ``_token_edges`` (branch-free) but per document and hashes only;
        # ``ctx``: the classes of the previous, this and the next character.  Characters
        # outside tokens add to ``h`` too: a token's start resets it, and it is stored
        # (``tok[nt] = h``) before the character after its end adds anything.
        nt = 0
        ctx = (f[0] >> FOLD_CLASS_SHIFT) & 7 if n else np.uint32(0)
        inside = np.uint32(0)
        h = np.uint64(0)
        p = np.uint64(1)
        for i in range(n):
            ctx = ((ctx << np.uint32(3)) | ((f[i + 1] >> FOLD_CLASS_SHIFT) & 7)) & np.uint32(511)
            w = np.uint32(_WORD[ctx])
            start = w & ~inside
            end = inside & ~w
            tok[nt] = h
            nt += int(end)
            h = np.uint64(0) if start else h
            p = np.uint64(1) if start else p
            h += (np.uint64(f[i] & FOLD_CP) + np.uint64(1)) * p
            p *= _P64
            inside = w
        tok[nt] = h
        nt += int(inside)
        for t in range(nt):
            tok[t] = _fmix64(tok[t])
        # 3. shingles, as ``windows_into``
        count = _window_hashes(tok, 0, nt, k, qs, out, o)
        counts[d] = count
        o += count
    return -1


@numba.njit(numba.types.int64(
    _CPS, _I64, numba.types.uint32[::1], numba.types.uint32[::1], _I64, _I64, _I64, numba.types.uint64[::1], _I64,
    numba.types.uint8[::1], numba.types.int64, numba.types.int64,
), **_TYPED_OPTS)
def text_tokens_into(  # pragma: no cover - compiled
    cps: np.ndarray, doc_offsets: np.ndarray, fold: np.ndarray, f: np.ndarray, sp: np.ndarray, starts: np.ndarray,
    ends: np.ndarray, hashes: np.ndarray, counts: np.ndarray, declined: np.ndarray, first: int, o: int,
) -> int:
    """Tokens of raw texts, equal to ``tokenize(normalize(t).text)`` where that view has
    the text's own offsets: the fold and token rules of ``text_shingles_into``, keeping
    each token's ``[start, end)`` and hash instead of shingles.

    Document ``d``'s ``counts[d]`` tokens go to ``starts/ends/hashes`` in document order,
    offsets relative to the document.  A document holding a ``FOLD_PYTHON`` or
    ``FOLD_DELETE`` code point (its view would not keep its offsets) gets ``declined[d] =
    1`` and no tokens.  Starts at document ``first``, whose tokens go to position ``o``;
    returns -1 when done, or the first document holding a ``FOLD_UNKNOWN`` code point (the
    caller fills the table and calls again from there).  ``f`` and ``sp`` are scratch as
    long as the longest document plus one; the outputs need room for
    ``sum((len + 1) // 2)`` tokens, plus one.
    """
    for d in range(first, doc_offsets.shape[0] - 1):
        lo = doc_offsets[d]
        n = doc_offsets[d + 1] - lo
        counts[d] = 0
        declined[d] = 0
        seen = np.uint32(0)
        doc = cps[lo : lo + n]  # a view from 0: contiguous loads, not a gather of cps
        for i in range(n):
            e = fold[doc[i]]
            f[i] = e
            seen |= e
        if seen & _FOLD_SPECIAL:
            for i in range(n):
                if f[i] == FOLD_UNKNOWN:
                    return d
            declined[d] = 1
            continue
        nsp = 0
        if seen & FOLD_TONE_BIT:
            for i in range(n):
                sp[nsp] = i
                nsp += (f[i] >> _FOLD_TONE_SHIFT) & 1
        f[n] = 0
        if nsp:
            _fold_tones(f, sp, nsp, n)
        # tokens as in ``text_shingles_into``, with every start and end written and the
        # counters advanced only at an edge (no data-dependent branch).  The fold, tone and
        # token loops repeat that kernel's on purpose: through shared inline helpers,
        # dedup's text pass measured 2-5% slower.
        nt = 0
        ns = 0
        ctx = (f[0] >> FOLD_CLASS_SHIFT) & 7 if n else np.uint32(0)
        inside = np.uint32(0)
        h = np.uint64(0)
        p = np.uint64(1)
        for i in range(n):
            ctx = ((ctx << np.uint32(3)) | ((f[i + 1] >> FOLD_CLASS_SHIFT) & 7)) & np.uint32(511)
            w = np.uint32(_WORD[ctx])
            start = w & ~inside
            end = inside & ~w
            starts[o + ns] = i
            ns += int(start)
            ends[o + nt] = i
            hashes[o + nt] = h
            nt += int(end)
            h = np.uint64(0) if start else h
            p = np.uint64(1) if start else p
            h += (np.uint64(f[i] & FOLD_CP) + np.uint64(1)) * p
            p *= _P64
            inside = w
        ends[o + nt] = n
        hashes[o + nt] = h
        nt += int(inside)
        for t in range(o, o + nt):
            hashes[t] = _fmix64(hashes[t])
        counts[d] = nt
        o += nt
    return -1


@numba.njit("void(uint64[::1], int64[::1], int64[::1], int64, uint64[::1], uint64[::1], int64[::1])", **_OPTS)
def windows_into(h, tok_lo, ntok, k, qs, out, out_offsets):  # pragma: no cover - compiled
    """Shingle hashes ``fmix64(sum(h[i + j] * qs[j]))`` of every document's token windows.

    Document ``d`` owns tokens ``h[tok_lo[d]:tok_lo[d] + ntok[d]]`` and writes its shingles
    to ``out[out_offsets[d]:out_offsets[d + 1]]``: ``ntok - k + 1`` full windows, or one
    shingle of all its tokens when ``0 < ntok < k`` (``overlap.shingle.shingles``).
    """
    for d in range(tok_lo.shape[0]):
        _window_hashes(h, tok_lo[d], ntok[d], k, qs, out, out_offsets[d])
