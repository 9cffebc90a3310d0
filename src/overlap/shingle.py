"""Tokens and word shingles of a normalised view, hashed to 64 bits with numpy.

``tokenize(view) -> Tokens`` finds the words of a normalised text (``normalize.py``) with
their view offsets and a 64-bit hash each; ``shingles(tokens.hashes, k)`` hashes every run
of ``k`` consecutive tokens.  Both are vectorised: no Python loop per character or token.

``tokenize_many(views) -> list[Tokens]`` and ``shingles_many(hash_arrays, k)`` do the same
for a batch of documents, bit-identical, in one compiled pass (``overlap.kernels``, numba)
when numba is usable, else through the numpy functions (``OVERLAP_JIT=0`` forces that).
Only these two import numba, so ``tokenize`` and ``overlap compare`` never pay for it.

A token is a maximal run of word characters (letters, digits, combining marks).  A ``.``,
``,``, ``/`` or ``-`` between two digits joins them, so "7,5", "100.000", "11/01/2022"
and "6-2021" are single tokens; an apostrophe between two letters joins them ("don't").

Hashes: a token's hash is ``fmix64(sum((ord(c) + 1) * P**j))`` over its characters
(mod 2**64), computed for all tokens at once from prefix sums; a shingle's hash is
``fmix64(sum(h[i + j] * Q**j))``.  ``_reference_tokenize`` spells out the same rules
in plain Python for tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._arrays import unique
from .hashing import P as _P
from .hashing import Q as _Q
from .hashing import fmix64 as _fmix64
from .hashing import q_powers as _q_powers

__all__ = ["Tokens", "char_classes", "shingle_set", "shingles", "shingles_many", "span_hashes", "tokenize", "tokenize_many"]

_JOIN_DIGITS = ".,/-"
_JOIN_LETTERS = "'"


@dataclass(frozen=True, slots=True)
class Tokens:
    """The tokens of a view: half-open view offsets and 64-bit hashes, in text order."""

    starts: np.ndarray  # int64
    ends: np.ndarray  # int64
    hashes: np.ndarray  # uint64

    def __len__(self) -> int:
        return len(self.starts)


_UNKNOWN = 255
# Class of each code point, filled in lazily: only the code points a text actually uses
# are classified (a few hundred calls once), so start-up pays nothing for the table.
_TABLE = np.full(0x110000, _UNKNOWN, dtype=np.uint8)


def _classify(ch: str) -> int:
    """5 letter (``isalpha``), 2 digit, 1 other word character, 3/4 digit/letter joiner, 0 other."""
    import unicodedata

    if ch in _JOIN_DIGITS:
        return 3
    if ch in _JOIN_LETTERS:
        return 4
    if ch.isdigit():
        return 2
    if ch.isalpha():
        return 5
    if ch.isalnum() or unicodedata.category(ch).startswith("M"):
        return 1  # word characters that are not letters: "½", "Ⅷ", combining marks
    return 0


def _classes(cps: np.ndarray) -> np.ndarray:
    cls = _TABLE[cps]
    unknown = cls == _UNKNOWN
    if unknown.any():
        for cp in np.unique(cps[unknown]).tolist():
            _TABLE[cp] = _classify(chr(cp))
        cls = _TABLE[cps]
    return cls


def char_classes(cps: np.ndarray) -> np.ndarray:
    """Token class of each code point (``uint8``): 5 letter, 2 digit, 1 other word
    character, 3 digit joiner, 4 letter joiner, 0 other.  Table lookups, classifying
    code points never seen before once."""
    return _classes(np.asarray(cps, dtype=np.int64))


@lru_cache(maxsize=8)
def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P**j and P**-j mod 2**64 for j < n (cached by size class)."""
    mask = 2**64 - 1
    pw = np.empty(n, dtype=np.uint64)
    ipw = np.empty(n, dtype=np.uint64)
    if n:
        pw[0] = ipw[0] = 1
        # doubling: fill [m, 2m) from [0, m) with one multiply each
        m = 1
        step, istep = int(_P), pow(int(_P), -1, 2**64)
        while m < n:
            k = min(m, n - m)
            pw[m : m + k] = pw[:k] * np.uint64(step)
            ipw[m : m + k] = ipw[:k] * np.uint64(istep)
            step, istep = (step * step) & mask, (istep * istep) & mask
            m += k
    return pw, ipw


# Characters tokenised per numpy pass.  Each pass holds about 60 bytes per character
# (code points, classes, masks, prefix sums, powers of P), so a 50 MB one-line text
# is cut into passes at whitespace instead of being held that way whole.
_CHUNK = 1 << 20
_SPACE = re.compile(r"\s")


def tokenize(text: str) -> Tokens:
    """Tokens of an already-normalised text, with view offsets and hashes.

    Cost: linear; memory about 60 bytes per character of a pass of at most ~1M
    characters, plus 24 bytes per token.

    >>> t = tokenize("quân số 100.000, kéo dài 7,5 giờ")
    >>> [ "quân số 100.000, kéo dài 7,5 giờ"[s:e] for s, e in zip(t.starts, t.ends)]
    ['quân', 'số', '100.000', 'kéo', 'dài', '7,5', 'giờ']
    """
    if len(text) <= _CHUNK:
        return _tokenize(text)
    # A token never spans whitespace, and a joiner's neighbours are only tested for
    # being digits or letters, which whitespace is not: cutting right before a
    # whitespace character gives the same tokens and hashes (a token's hash depends on
    # its characters alone).
    parts: list[Tokens] = []
    lo = 0
    while lo < len(text):
        m = _SPACE.search(text, lo + _CHUNK) if lo + _CHUNK < len(text) else None
        hi = m.start() if m else len(text)
        t = _tokenize(text[lo:hi])
        parts.append(Tokens(t.starts + lo, t.ends + lo, t.hashes))
        lo = hi
    return Tokens(
        np.concatenate([p.starts for p in parts]),
        np.concatenate([p.ends for p in parts]),
        np.concatenate([p.hashes for p in parts]),
    )


def _tokenize(text: str) -> Tokens:
    n = len(text)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Tokens(empty, empty.copy(), np.zeros(0, dtype=np.uint64))
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    cls = _classes(cps)
    letter = cls == 5
    digit = cls == 2
    word = letter | digit | (cls == 1)
    # A joiner counts as a word character only between two digits (or two letters).
    prev_digit = np.concatenate(([False], digit[:-1]))
    next_digit = np.concatenate((digit[1:], [False]))
    prev_letter = np.concatenate(([False], letter[:-1]))
    next_letter = np.concatenate((letter[1:], [False]))
    word |= ((cls == 3) & prev_digit & next_digit) | ((cls == 4) & prev_letter & next_letter)
    edges = np.diff(np.concatenate(([False], word, [False])).astype(np.int8))
    starts = np.flatnonzero(edges == 1).astype(np.int64)
    ends = np.flatnonzero(edges == -1).astype(np.int64)
    pw, ipw = _powers(1 << max(0, n - 1).bit_length())
    # prefix[i] = sum_{j<i} (c_j + 1) * P**j  (wrapping uint64 arithmetic)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum((cps.astype(np.uint64) + np.uint64(1)) * pw[:n], out=prefix[1:])
    raw = (prefix[ends] - prefix[starts]) * ipw[starts]
    return Tokens(starts, ends, _fmix64(raw))


def _jit():  # type: ignore[no-untyped-def]
    """The compiled kernels (``overlap.jit.load_kernels()``), or None for the numpy path.  Only
    the batch functions below call this, so ``tokenize`` and ``overlap compare`` never
    import numba."""
    from .jit import load_kernels

    return load_kernels()


# Views tokenised per numpy call on the fallback path: joined by "\n", the per-call
# overhead is shared (0.065 -> 0.030 ms per article) while temporaries stay small.
_NUMPY_GROUP = 16


def tokenize_many(views: list[str]) -> list[Tokens]:
    """``[tokenize(v) for v in views]``, bit-identical, in one compiled pass when numba is usable.

    The views' code points go to ``overlap.kernels.tokenize_into`` as one UTF-32 buffer;
    classes come from the same lazily filled table as ``tokenize`` (a code point never
    seen before is classified in Python, then the kernel runs again).  The returned
    arrays are slices of three buffers shared by the batch (about 12 bytes per character
    of the batch in all).  Cost, on 2,600-character Baomoi articles, one core: about
    0.015 ms per article with numba, 16-64 views per call (larger batches run out of
    cache: 0.019 ms at 1,024 per call), against 0.04-0.055 ms with the numpy fallback,
    which tokenises 16 views per call joined by "\\n" (never part of a token).

    >>> [len(t) for t in tokenize_many(["quân số 100.000", "", "7,5 giờ"])]
    [3, 0, 2]
    """
    kern = _jit()
    if kern is None:
        return _tokenize_many_numpy(views)
    lens = np.fromiter(map(len, views), dtype=np.int64, count=len(views))
    doc_offsets = np.zeros(len(views) + 1, dtype=np.int64)
    np.cumsum(lens + 1, out=doc_offsets[1:])
    # Each view is followed by a newline (class 0, never part of a token): the kernel's
    # look-ahead past a view's last character reads it instead of testing bounds.
    cps = np.frombuffer("\n".join([*views, ""]).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cap = int(((lens + 1) // 2).sum()) + 1  # at most one token per two characters, + 1 (the kernel writes ahead)
    starts = np.empty(cap, dtype=np.int64)
    ends = np.empty(cap, dtype=np.int64)
    hashes = np.empty(cap, dtype=np.uint64)
    tok_offsets = np.empty(len(views) + 1, dtype=np.int64)
    while True:
        at = kern.tokenize_into(cps, _TABLE, doc_offsets, starts, ends, hashes, tok_offsets)
        if at < 0:
            break
        _classes(cps[at:])  # fills the table for every unknown code point from there on
    cuts = tok_offsets.tolist()
    return [Tokens(starts[a:b], ends[a:b], hashes[a:b]) for a, b in zip(cuts, cuts[1:])]


def _tokenize_many_numpy(views: list[str]) -> list[Tokens]:
    out: list[Tokens] = []
    for g in range(0, len(views), _NUMPY_GROUP):
        group = views[g : g + _NUMPY_GROUP]
        lens = np.fromiter((len(v) + 1 for v in group), dtype=np.int64, count=len(group))
        base = np.concatenate(([0], np.cumsum(lens)))
        t = tokenize("\n".join(group))
        cut = np.searchsorted(t.starts, base).tolist()
        for j in range(len(group)):
            lo, hi, b = cut[j], cut[j + 1], base[j]
            out.append(Tokens(t.starts[lo:hi] - b, t.ends[lo:hi] - b, t.hashes[lo:hi]))
    return out


def span_hashes(text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Token hashes (the same function as ``tokenize``) of given ``[start, end)`` spans of ``text``.

    Used to hash the *original* characters at a view's token positions, e.g. to see
    which aligned words differ only in ways the view folds away ("Sỹ"/"Sĩ").
    """
    n = len(text)
    if n == 0 or len(starts) == 0:
        return np.zeros(len(starts), dtype=np.uint64)
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    pw, ipw = _powers(1 << max(0, n - 1).bit_length())
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum((cps + np.uint64(1)) * pw[:n], out=prefix[1:])
    raw = (prefix[ends] - prefix[starts]) * ipw[starts]
    return _fmix64(raw)


def shingles(hashes: np.ndarray, k: int) -> np.ndarray:
    """Hashes of every run of ``k`` consecutive tokens (all tokens as one if fewer than k).

    >>> h = tokenize("a b c d").hashes
    >>> len(shingles(h, 2)), len(shingles(h, 9))
    (3, 1)
    """
    if k < 1:
        raise ValueError(f"shingle size k must be >= 1: {k!r}")
    n = len(hashes)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    k = min(k, n)
    m = n - k + 1
    acc = hashes[:m].copy()
    q = 1
    for j in range(1, k):
        q = (q * int(_Q)) & (2**64 - 1)
        acc += hashes[j : j + m] * np.uint64(q)
    return _fmix64(acc)


def shingles_many(hash_arrays: list[np.ndarray], k: int) -> list[np.ndarray]:
    """``[shingles(h, k) for h in hash_arrays]``, bit-identical, in one compiled call when numba is usable.

    For the per-document token hashes of a batch (e.g. ``[t.hashes for t in
    tokenize_many(views)]``); the results are slices of one buffer.  Cost: about 0.005 ms
    per 560-token Baomoi article for k = 5 with numba, 16 per call, against 0.015 ms per
    ``shingles`` call.

    >>> [len(s) for s in shingles_many([tokenize("a b c d").hashes, tokenize("").hashes], 2)]
    [3, 0]
    """
    if k < 1:
        raise ValueError(f"shingle size k must be >= 1: {k!r}")
    kern = _jit()
    if kern is None:
        return [shingles(h, k) for h in hash_arrays]
    n = len(hash_arrays)
    ntok = np.fromiter(map(len, hash_arrays), dtype=np.int64, count=n)
    tok_lo = np.zeros(n, dtype=np.int64)
    np.cumsum(ntok[:-1], out=tok_lo[1:])
    per_doc = np.where(ntok >= k, ntok - k + 1, (ntok > 0).astype(np.int64))
    out_offs = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_doc, out=out_offs[1:])
    flat = np.concatenate(hash_arrays).astype(np.uint64, copy=False) if n else np.zeros(0, dtype=np.uint64)
    out = np.empty(int(out_offs[-1]), dtype=np.uint64)
    kern.windows_into(flat, tok_lo, ntok, k, _q_powers(k), out, out_offs)
    cuts = out_offs.tolist()
    return [out[a:b] for a, b in zip(cuts, cuts[1:])]


def shingle_set(text: str, k: int) -> np.ndarray:
    """Sorted unique shingle hashes of a normalised text."""
    return unique(shingles(tokenize(text).hashes, k))


def _reference_tokenize(text: str) -> list[tuple[int, int, int]]:
    """Plain-Python statement of the token rules and hash, for tests."""
    import unicodedata

    def is_word(i: int) -> bool:
        ch = text[i]
        if ch.isalnum() or unicodedata.category(ch).startswith("M"):
            return True
        inner = 0 < i < len(text) - 1
        if ch in _JOIN_DIGITS and inner:
            return text[i - 1].isdigit() and text[i + 1].isdigit()
        if ch in _JOIN_LETTERS and inner:
            return text[i - 1].isalpha() and text[i + 1].isalpha()
        return False

    out = []
    i = 0
    mask = 2**64 - 1
    while i < len(text):
        if not is_word(i):
            i += 1
            continue
        j = i
        while j < len(text) and is_word(j):
            j += 1
        h, p = 0, 1
        for ch in text[i:j]:
            h = (h + (ord(ch) + 1) * p) & mask
            p = (p * int(_P)) & mask
        out.append((i, j, int(_fmix64(np.array([h], dtype=np.uint64))[0])))
        i = j
    return out
