"""Raw texts to shingle hashes in one compiled pass: normalise, tokenise, shingle.

``shingle_batches(texts, k) -> iterator of (lo, hi, flat, counts)``
    Shingle hashes of ``texts[lo:hi]`` as one flat ``uint64`` array and one count per
    text, batch after batch of about ``BATCH_CHARS`` characters.
``shingle_texts(texts, k) -> (flat, offsets)``
    All of them at once, with ``n + 1`` offsets.
``shingle_codepoints(cps, offsets, k) -> (flat, offsets)``
    The same for texts given as code points (``uint32``) cut by ``n + 1`` offsets, as
    ``overlap.jsonl_fast`` reads them: no Python string per text.
``text_tokens(texts) -> [Tokens | None]``
    The tokens of each text's normalised view, where it keeps the text's offsets (what
    the scan's signing needs), by the same fold.

The result is bit-identical to ``shingles(tokenize(normalize(t).text).hashes, k)`` for
every text (``overlap.normalization``, ``overlap.shingle``): the compiled kernel
``overlap.kernels.text_shingles_into`` reads each text's code points once, folds them
through a table (case, quotes, dashes, spaces: what ``normalize``'s fast path does per
character), applies the tone and final-y rules at the few positions that can match,
finds the tokens and their hashes, and hashes the ``k``-token windows, with no Python
per token or per character.  The fold table (``uint32`` per code point) is filled lazily
from ``normalization.fold_char`` and ``shingle.char_classes``, so only code points a
corpus uses are ever looked at; invisible characters (zero-width space, BOM, soft hyphen)
are dropped as ``normalize`` drops them.  A text the table cannot fold (not NFC, a
combining character, a case change that alters its length) is declined by the kernel and
normalised in Python instead, exactly as before; on news text that is rare.

When the compiled kernels are unavailable (``overlap.jit``: ``OVERLAP_JIT=0``, numba
missing, or its cache still cold), the same batches come from ``normalize`` and the numpy
tokeniser.  Cost: linear in the characters; see ``benchmarks/results/`` for figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import numpy as np

from .codepoints import CodepointBatch, as_batch, run_filling
from .hashing import fmix64, q_powers
from .jit import load_kernels
from .normalization import fold_char, normalize
from .shingle import Tokens, char_classes, shingles_many, tokenize, tokenize_many

__all__ = ["BATCH_CHARS", "shingle_batches", "shingle_codepoints", "shingle_texts", "text_tokens"]

BATCH_CHARS = 1 << 17
"""Characters per kernel call: the batch's shingles stay in the L2 cache for signing."""
_NUMPY_BATCH_CHARS = 1 << 20  # the numpy path: fewer, larger calls; temporaries of tens of MB

_UNKNOWN = 0xFFFFFFFF
_PYTHON = 0xFFFFFFFE
_DELETE = 0xFFFFFFFD
_CLASS_SHIFT = 21
_WORD_BIT = 1 << 24
_TONE_BIT = 1 << 25
# Characters the tone and final-y rules of ``normalization`` can rewrite (as folded).
_TONE_CANDIDATES = frozenset("òóỏõọùúủũụyỳýỷỹỵ")
_WORD = re.compile(r"\w")  # the regex class the tone rules' look-ahead uses

# Fold entry per code point, filled lazily (only code points a text uses are looked at).
_FOLD = np.full(0x110000, _UNKNOWN, dtype=np.uint32)


def _entry(cp: int) -> int:
    """The fold-table entry of one code point (see ``overlap.kernels``' ``FOLD_*``)."""
    folded = fold_char(chr(cp))
    if folded is None:
        return _PYTHON
    if folded == "":
        return _DELETE
    f = ord(folded)
    cls = int(char_classes(np.array([f]))[0])
    entry = f | (cls << _CLASS_SHIFT)
    if _WORD.match(folded):
        entry |= _WORD_BIT
    if folded in _TONE_CANDIDATES:
        entry |= _TONE_BIT
    return entry


def _fill(cps: np.ndarray) -> None:
    """Fill the fold table for every code point of ``cps`` not looked at yet."""
    unknown = np.unique(cps[_FOLD[cps] == _UNKNOWN])
    for cp in unknown.tolist():
        _FOLD[cp] = _entry(cp)


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"shingle size k must be a positive integer, e.g. 5: {k!r}")
    return int(k)


def shingle_batches(texts: Sequence[str], k: int = 5) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """Yield ``(lo, hi, flat, counts)``: shingles of ``texts[lo:hi]``, batch by batch.

    ``flat`` holds the ``uint64`` shingle hashes of the batch's texts in order,
    ``counts`` (``int64``) how many each text has.  Batches cover about ``BATCH_CHARS``
    characters (a longer text is a batch of its own), so memory stays bounded.
    """
    k = _check_k(k)
    n = len(texts)
    lo = 0
    while lo < n:
        kern = load_kernels()
        limit = BATCH_CHARS if kern is not None else _NUMPY_BATCH_CHARS
        hi, size = lo, 0
        while hi < n and (hi == lo or size + len(texts[hi]) <= limit):
            size += len(texts[hi]) + 1
            hi += 1
        batch = texts[lo:hi]
        flat, counts = _compiled(batch, k, kern) if kern is not None else _fallback(batch, k)
        yield lo, hi, flat, counts
        lo = hi


def shingle_texts(texts: Sequence[str], k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of all ``texts``: flat ``uint64`` array and ``n + 1`` ``int64`` offsets.

    >>> flat, offs = shingle_texts(["Hoà BÌNH", "", "hòa bình"], k=2)
    >>> offs.tolist(), bool(flat[0] == flat[1])
    ([0, 1, 1, 2], True)
    """
    flats: list[np.ndarray] = [np.zeros(0, dtype=np.uint64)]
    counts: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    for _, _, flat, per_doc in shingle_batches(texts, k):
        flats.append(flat)
        counts.append(per_doc)
    offs = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.concatenate(counts), out=offs[1:])
    return np.concatenate(flats), offs


def shingle_codepoints(cps: np.ndarray, offsets: np.ndarray, k: int = 5, *,
                       scratch: list[np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``shingle_texts(texts, k)`` where text ``i`` is ``cps[offsets[i]:offsets[i + 1]]``
    as code points (``uint32``, C-contiguous); same batches of about ``BATCH_CHARS``.

    ``scratch``: a list the caller keeps between calls, holding (after the first call)
    one ``uint64`` buffer that the shingles are written into; the flat array returned is
    then a view of it, valid until the next call with the same list.  A caller signing
    batch after batch reuses the same memory instead of touching fresh pages each time
    (on this kind of VM first-touch page faults cost about as much as the text pass).

    >>> cps = np.frombuffer("Hoà BÌNHhòa bình".encode("utf-32-le"), dtype=np.uint32)
    >>> flat, offs = shingle_codepoints(cps, np.array([0, 8, 8, 16]), k=2)
    >>> offs.tolist(), bool(flat[0] == flat[1])
    ([0, 1, 1, 2], True)
    """
    k = _check_k(k)
    offsets = np.asarray(offsets, dtype=np.int64)
    n = len(offsets) - 1
    total = offsets + np.arange(n + 1, dtype=np.int64)  # characters plus one separator each
    # Room for the compiled pass's bound (len // 2 + 1 a text); pages never written cost nothing.
    bound = int(offsets[-1] - offsets[0]) // 2 + n + 1
    buf = scratch[0] if scratch else np.zeros(0, dtype=np.uint64)
    if len(buf) < bound:
        buf = np.empty(bound, dtype=np.uint64)
    written = 0
    counts: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    lo = 0
    while lo < n:
        kern = load_kernels()
        limit = BATCH_CHARS if kern is not None else _NUMPY_BATCH_CHARS
        hi = max(lo + 1, int(np.searchsorted(total, total[lo] + limit, "right")) - 1)
        hi = min(hi, n)
        sub = cps[offsets[lo] : offsets[hi]]
        sub_offs = offsets[lo : hi + 1] - offsets[lo]
        if kern is not None:
            flat, per_doc = _compiled_cps(sub, sub_offs, k, kern, out=buf[written:])
        else:
            flat, per_doc = _fallback([_text_of(sub, sub_offs, d) for d in range(hi - lo)], k)
        m = len(flat)
        if written + m > len(buf):  # texts normalised in Python may exceed the bound
            grown = np.empty(max(written + m + (bound - written) // 2, len(buf) * 3 // 2), dtype=np.uint64)
            grown[:written] = buf[:written]
            buf = grown
        if m and not np.may_share_memory(flat, buf):
            buf[written:written + m] = flat
        written += m
        counts.append(per_doc)
        lo = hi
    offs = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.concatenate(counts), out=offs[1:])
    if scratch is None:
        return buf[:written].copy(), offs
    scratch[:] = [buf]
    return buf[:written], offs


def text_tokens(texts: Sequence[str] | CodepointBatch) -> list[Tokens | None]:
    """``tokenize(normalize(t).text)`` of each text whose normalised view keeps the text's
    own offsets, in one compiled pass (``overlap.kernels.text_tokens_into``); None for the
    others (no kernels, or a text the fold table cannot fold, or with characters the view
    drops): the caller normalises those itself.  Token offsets are then offsets into the
    text as given.  Linear in the characters.

    >>> got = text_tokens(["Hoà BÌNH 7,5", "a\u0300"])
    >>> got[1] is None and (got[0] is None or len(got[0]) == 3)
    True
    """
    kern = load_kernels()
    n = len(texts)
    if kern is None or not n:
        return [None] * n
    batch = as_batch(texts)
    cps, offsets, lens = batch.cps, batch.offsets, batch.lengths
    cap = int(((lens + 1) // 2).sum()) + 1
    starts = np.empty(cap, dtype=np.int64)
    ends = np.empty(cap, dtype=np.int64)
    hashes = np.empty(cap, dtype=np.uint64)
    counts = np.zeros(n, dtype=np.int64)
    declined = np.zeros(n, dtype=np.uint8)
    longest = int(lens.max())
    f, sp = np.empty(longest + 1, dtype=np.uint32), np.empty(longest + 1, dtype=np.int64)

    def call(first: int) -> int:
        o = int(counts[:first].sum())
        return int(kern.text_tokens_into(cps, offsets, _FOLD, f, sp, starts, ends, hashes, counts, declined, first, o))

    run_filling(call, _fill, cps, offsets)
    cuts = np.concatenate(([0], np.cumsum(counts))).tolist()
    bad = declined.tolist()
    return [None if bad[d] else Tokens(starts[cuts[d] : cuts[d + 1]], ends[cuts[d] : cuts[d + 1]], hashes[cuts[d] : cuts[d + 1]])
            for d in range(n)]


def _text_of(cps: np.ndarray, offsets: np.ndarray, d: int) -> str:
    return str(cps[offsets[d] : offsets[d + 1]].tobytes().decode("utf-32-le", "surrogatepass"))


def _compiled(batch: Sequence[str], k: int, kern: object) -> tuple[np.ndarray, np.ndarray]:
    b = CodepointBatch.of(batch)
    return _compiled_cps(b.cps, b.offsets, k, kern, batch)


def _compiled_cps(cps: np.ndarray, doc_offsets: np.ndarray, k: int, kern: object,
                  batch: Sequence[str] | None = None, out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The kernel over code points; the texts it declines are normalised in Python (from
    ``batch`` when given, else decoded from ``cps``).  The shingles are written to the
    front of ``out`` when it is large enough (and returned as a view of it unless a
    text was declined)."""
    n = len(doc_offsets) - 1
    lens = np.diff(doc_offsets)
    need = int((lens // 2 + 1).sum())
    if out is None or len(out) < need:
        out = np.empty(need, dtype=np.uint64)
    counts = np.zeros(n, dtype=np.int64)
    declined = np.zeros(n, dtype=np.uint8)
    qs = q_powers(k)
    first = 0
    while True:
        at = int(kern.text_shingles_into(cps, doc_offsets, _FOLD, k, qs, out, counts, declined, first))  # type: ignore[attr-defined]
        if at < 0:
            break
        _fill(cps[doc_offsets[at] :])  # every new code point from there on, then resume
        first = at
    flat = out[: int(counts.sum())]
    if not declined.any():
        return flat, counts
    # Texts the table cannot fold: normalise them in Python and splice their shingles in.
    redo = np.flatnonzero(declined).tolist()
    texts = [batch[d] if batch is not None else _text_of(cps, doc_offsets, d) for d in redo]
    del cps  # 4 bytes a character: not needed from here (the caller may still hold it)
    if len(redo) == n:  # nothing of the compiled pass is kept: free it before normalising
        del out
        flat = np.zeros(0, dtype=np.uint64)
    toks = tokenize_many([normalize(t).text for t in texts])
    again = dict(zip(redo, shingles_many([t.hashes for t in toks], k)))
    cuts = np.concatenate(([0], np.cumsum(counts))).tolist()
    parts = [again[d] if d in again else flat[cuts[d] : cuts[d + 1]] for d in range(n)]
    for d, arr in again.items():
        counts[d] = len(arr)
    return np.concatenate(parts), counts


def _fallback(batch: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """The numpy path: one ``tokenize`` over the batch's views joined by newlines, and the
    windows of all texts at once (a window is kept when its tokens lie in one text)."""
    views = [normalize(t).text for t in batch]
    n = len(views)
    lengths = np.fromiter((len(v) for v in views), dtype=np.int64, count=n)
    char_starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=char_starts[1:])
    tokens = tokenize("\n".join(views))
    h = tokens.hashes
    # Token range of each document: tokens never cross the "\n" separators.
    tok_lo = np.searchsorted(tokens.starts, char_starts, "left").astype(np.int64)
    ntok = np.diff(np.append(tok_lo, len(h)))
    m = len(h)
    qs = q_powers(k)
    padded = np.concatenate((h, np.zeros(k - 1, dtype=np.uint64)))
    acc = padded[:m].copy()
    for j in range(1, k):
        acc += padded[j : j + m] * qs[j]
    per_doc = np.maximum(ntok - k + 1, 0)
    pos_in_doc = np.arange(m, dtype=np.int64) - np.repeat(tok_lo, ntok)
    valid = pos_in_doc < np.repeat(per_doc, ntok)
    # Short documents (0 < tokens < k): one shingle of all their tokens, same formula.
    short = np.flatnonzero((ntok > 0) & (ntok < k))
    if len(short):
        first = tok_lo[short]
        sacc = h[first].copy()
        for j in range(1, k):
            take = j < ntok[short]
            idx = np.where(take, first + j, first)
            sacc += np.where(take, h[idx] * qs[j], np.uint64(0))
        acc[first] = sacc
        valid[first] = True
        per_doc[short] = 1
    return fmix64(acc[valid]), per_doc.astype(np.int64)
