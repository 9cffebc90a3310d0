"""Rare shared vocabulary: links between documents that use the same uncommon word pairs.

``terms(text) -> np.ndarray``
    The sampled, distinct bigram hashes of a text (``uint32``, ascending).
``terms_from_hashes(token_hashes) -> np.ndarray``, ``terms_from_bigrams(bigram_hashes) -> np.ndarray``
    The same from the token hashes of its normalised view (``overlap.shingle``), or
    from their 2-token shingles, which the scan's signing workers already have.
``terms_many(bigram_arrays) -> list[np.ndarray]``
    ``terms_from_bigrams`` of many documents in one compiled call.
``vocabulary_links(docs, *, max_df=None, min_shared=2, min_cosine=0.05, min_docs=MIN_DOCS) -> list[tuple[int, int, float]]``
    ``(i, j, cosine)`` for documents ``i < j`` that share at least ``min_shared`` rare
    bigrams and whose TF-IDF cosine over their rare bigrams reaches ``min_cosine``.
``vocabulary_link_arrays(docs, ...) -> (i, j, cosine)``
    The same as three numpy arrays, for corpora with millions of links.

Why: two reports of one event by different outlets often share no sentence and fewer
than three distinctive capitalised names, yet they share rare word pairs (the place,
the product, the unusual verb).  A bigram is *rare* when at most ``max_df`` documents
hold it (None: ``max(5, min(n // 200, MAX_DF))``); its weight is ``log(n / df)``, so the
rarer the pair, the more it counts.  The absolute cap: a bigram in more than
``MAX_DF`` documents is a phrase of the language or of a whole beat, not of one event
(a story of more articles than that is itself a sign of chaining), and each such
bigram would cost ``df (df - 1) / 2`` pairs, so without the cap a corpus ten times
larger would spend a hundred times more per bigram on what tells least.  Bigrams
rather than words because Vietnamese writes one word as several syllables, and a
single syllable is seldom rare.

Only the bigrams whose hash falls in one ``SAMPLE``-th of the hash space are kept (the
same bigrams in every document, so two documents' shared rare bigrams are sampled
alike): the cosine is estimated from that sample, and memory is a quarter.

Cost: ``terms`` is linear in the text (vectorised hashes, no Python loop per word).
``vocabulary_links`` sorts all sampled bigrams once (O(T log T) for T of them) and
enumerates the document pairs of each rare bigram (at most ``max_df (max_df - 1) / 2``
each, so at most ``T (MAX_DF - 1) / 2`` in all: linear in T), all in numpy; no pair of
documents is visited unless it shares a rare bigram.
Those (pair, bigram) keys grow with the square of a text's copies, so they are made and
reduced a slice of first documents at a time: memory is linear in T plus one slice
(``SLICE_PAIRS`` keys) plus the links kept.  From ``COMPILED_MIN_POSTINGS`` sampled
postings on, compiled kernels (``overlap.kernels_vocabulary``) do the same work: a bucket sort
by the terms' top 20 bits (each bucket sorted alone, in cache) keeps only the rare
postings, int32 throughout, and each first document's partners are counted, with no key
per (pair, bigram) and the same postings, norms and cosines to the last bit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

__all__ = [
    "COMPILED_MIN_POSTINGS", "MAX_DF", "MIN_DOCS", "SAMPLE", "SLICE_PAIRS", "terms", "terms_from_bigrams", "terms_from_hashes",
    "terms_many", "vocabulary_link_arrays", "vocabulary_links",
]

SAMPLE = 2
"""One bigram hash in ``SAMPLE`` is kept (those with ``hash % SAMPLE == 0``)."""
MIN_DOCS = 20
"""Fewer documents than this give no vocabulary links: rarity needs a corpus."""
MAX_DF = 100
"""A bigram held by more documents than this is never rare, however large the corpus."""
SLICE_PAIRS = 1 << 22
"""(pair, bigram) keys made at once by ``vocabulary_links``: about 40 bytes each at peak."""
_BLOCK = 1 << 22  # postings read back from the sorted keys at a time
COMPILED_MIN_POSTINGS = 200_000
"""Sampled postings (terms of all documents) from which ``vocabulary_link_arrays`` runs its
compiled kernels (loading numba costs a fraction of a second that a small corpus would notice)."""


def terms_from_hashes(token_hashes: np.ndarray) -> np.ndarray:
    """Sampled distinct bigram hashes from one document's token hashes (``uint32``, ascending)."""
    from .shingle import shingles

    if len(token_hashes) < 2:
        return np.zeros(0, dtype=np.uint32)
    return terms_from_bigrams(shingles(token_hashes, 2))


def terms_from_bigrams(bigram_hashes: np.ndarray) -> np.ndarray:
    """``terms`` from a document's 2-token shingle hashes (``overlap.shingle.shingles(h, 2)``)."""
    h = np.asarray(bigram_hashes, dtype=np.uint64)
    h = h[h % np.uint64(SAMPLE) == 0]
    # The top 32 bits: half the memory; a rare collision only adds a spurious shared term.
    return np.unique((h >> np.uint64(32)).astype(np.uint32))


def terms_many(bigram_arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    """``[terms_from_bigrams(b) for b in bigram_arrays]``, bit-identical, in one compiled call
    when numba is usable (the scan's signing workers call it once per batch).  The arrays
    returned are slices of one buffer of exactly their total length."""
    from .jit import load_kernels

    kernels = load_kernels() if bigram_arrays and SAMPLE & (SAMPLE - 1) == 0 else None
    if kernels is None:
        return [terms_from_bigrams(b) for b in bigram_arrays]
    offsets = np.zeros(len(bigram_arrays) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, bigram_arrays), dtype=np.int64, count=len(bigram_arrays)), out=offsets[1:])
    flat = np.concatenate(bigram_arrays).astype(np.uint64, copy=False)
    out = np.empty(len(flat), dtype=np.uint32)
    out_offsets = np.empty(len(bigram_arrays) + 1, dtype=np.int64)
    kernels.sampled_terms_into(flat, offsets, np.uint64(SAMPLE - 1), out, out_offsets)
    out = out[: out_offsets[-1]].copy()
    cuts = out_offsets.tolist()
    return [out[x:y] for x, y in zip(cuts, cuts[1:])]


def terms(text: str) -> np.ndarray:
    """Sampled distinct bigram hashes of ``text``'s normalised words (``uint32``, ascending).

    >>> a = terms("Xe buýt nhanh BRT chạy thử trên tuyến Kim Mã - Yên Nghĩa")
    >>> bool((terms("XE BUÝT NHANH BRT chạy thử trên tuyến Kim Mã - Yên Nghĩa") == a).all())
    True
    """
    from .normalization import normalize
    from .shingle import tokenize

    return terms_from_hashes(tokenize(normalize(text).text).hashes)


def vocabulary_links(
    docs: Sequence[np.ndarray],
    *,
    max_df: int | None = None,
    min_shared: int = 2,
    min_cosine: float = 0.05,
    min_docs: int = MIN_DOCS,
    slice_pairs: int = SLICE_PAIRS,
    compiled: bool | None = None,
) -> list[tuple[int, int, float]]:
    """Document pairs sharing rare bigrams, with their cosine over rare-bigram TF-IDF vectors.

    ``docs[i]`` holds document ``i``'s distinct bigram hashes (``terms``: 32-bit values).  Vectors are
    binary term presence weighted by ``log(n / df)``, over rare bigrams only.  Returns
    ``(i, j, cosine)``, ``i < j``, ascending, for pairs sharing at least ``min_shared``
    rare bigrams with a cosine of at least ``min_cosine``.  Below ``min_docs`` documents
    there is no corpus to call a bigram rare in, and nothing is returned.
    ``vocabulary_link_arrays`` gives the same as arrays.
    """
    i, j, cos = vocabulary_link_arrays(
        docs, max_df=max_df, min_shared=min_shared, min_cosine=min_cosine, min_docs=min_docs, slice_pairs=slice_pairs,
        compiled=compiled,
    )
    return [(int(a), int(b), float(c)) for a, b, c in zip(i, j, cos)]


def vocabulary_link_arrays(
    docs: Sequence[np.ndarray],
    *,
    max_df: int | None = None,
    min_shared: int = 2,
    min_cosine: float = 0.05,
    min_docs: int = MIN_DOCS,
    slice_pairs: int = SLICE_PAIRS,
    compiled: bool | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``vocabulary_links`` as three arrays ``(i, j, cosine)`` (int64, int64, float64),
    without a Python object per link (a scan may keep millions of them).

    The (pair, bigram) keys are made and reduced in slices of first documents holding
    about ``slice_pairs`` keys each, so memory is bounded by the slice and the postings,
    not by the square of the copies; the slicing never changes the result.  ``compiled``:
    count each first document's partners in a numba kernel (``overlap.kernels_vocabulary``)
    instead, with no key per (pair, bigram) and the same float operations (True, when
    loadable), the numpy slices (False), or the kernels from ``COMPILED_MIN_POSTINGS``
    sampled postings on when ``overlap.jit`` allows it (None).  The kernels also find the
    rare postings (a bucket sort, no array of every posting's sort key).
    """
    n = len(docs)
    if n < min_docs:
        return (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    if max_df is None:
        max_df = max(5, min(n // 200, MAX_DF))
    if isinstance(max_df, bool) or not isinstance(max_df, int) or max_df < 2:
        raise ValueError(f"max_df must be an integer >= 2: {max_df!r}")
    if isinstance(slice_pairs, bool) or not isinstance(slice_pairs, int) or slice_pairs < 1:
        raise ValueError(f"slice_pairs must be a positive integer: {slice_pairs!r}")
    if n < 2:
        return (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    base = max_df + 1
    wsq = np.zeros(base)
    wsq[2:] = np.log(n / np.arange(2, base)) ** 2
    lens = np.fromiter((len(d) for d in docs), dtype=np.int64, count=n)
    kernels = _kernels(int(lens.sum()), compiled)
    if kernels is not None and (flat := _flat_terms(docs, lens)) is not None:
        return _compiled_links(kernels, flat, lens, max_df, wsq, int(min_shared), float(min_cosine))
    post = _rare_postings(docs, n, max_df)
    if post is None:
        return (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    doc, size, partners, norms = post
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for rows in _slices(doc, partners, n, slice_pairs):
        if len(rows):
            found.append(_slice_links(rows, doc, size, partners, norms, wsq, n, base, min_shared, min_cosine))
    if not found:
        return (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    i = np.concatenate([f[0] for f in found])
    j = np.concatenate([f[1] for f in found])
    cos = np.concatenate([f[2] for f in found])
    return i, j, cos


def _kernels(postings: int, compiled: bool | None) -> Any:
    """``overlap.kernels`` when the compiled links are wanted (``compiled``; None: from
    ``COMPILED_MIN_POSTINGS`` sampled postings on) and loadable, else None."""
    if compiled is False or (compiled is None and postings < COMPILED_MIN_POSTINGS):
        return None
    from .jit import load_kernels

    return load_kernels()


def _compiled_links(
    kernels: Any, flat: np.ndarray, lens: np.ndarray, max_df: int, wsq: np.ndarray, min_shared: int, min_cosine: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``vocabulary_link_arrays`` by the kernels of ``overlap.kernels_vocabulary``, from every
    document's terms (``flat``, ``lens``).  Each array as long as the postings is dropped
    as soon as the next stage has read it (``flat`` stays alive in the caller)."""
    n = len(lens)
    low, doc, bucket_starts = kernels.term_buckets(flat, lens)
    del flat
    doc, size, partners, norms = kernels.rare_postings_of(low, doc, bucket_starts, n, max_df, wsq)
    del low
    doc = doc.copy()  # the rare postings' documents, without the rest of the buckets' array
    starts, first, count, df = kernels.postings_by_document(doc, size, partners, n, max_df + 1)
    del size, partners
    i, j, cos = kernels.vocabulary_links_of(starts, first, count, df, doc, norms, wsq, min_shared, min_cosine)
    return i, j, cos


def _flat_terms(docs: Sequence[np.ndarray], lens: np.ndarray) -> np.ndarray | None:
    """Every document's terms in one ``uint32`` array, or None when there are none or some
    term is not a 32-bit value (the numpy path then handles them as it always has)."""
    if not lens.sum() or lens.sum() >= 2**31:  # (the kernels index postings with int32)
        return None
    flat = np.concatenate([np.asarray(d) for d in docs])
    if flat.dtype != np.uint32:
        if flat.dtype.kind not in "iu" or flat.min() < 0 or flat.max() > 0xFFFFFFFF:
            return None
        flat = flat.astype(np.uint32)
    return flat


def _rare_postings(
    docs: Sequence[np.ndarray], n: int, max_df: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The postings of rare bigrams, grouped by bigram with documents ascending: each one's
    document, its bigram's df, how many later postings share its bigram, and every
    document's squared TF-IDF norm over rare bigrams.  None when no bigram is rare."""
    lens = np.fromiter((len(d) for d in docs), dtype=np.int64, count=n)
    if not lens.sum():
        return None
    first, doc = _sorted_postings(docs, int(lens.sum()))
    counts = np.diff(np.append(first, len(doc)))
    weight = np.log(n / counts)
    df_each = np.repeat(counts.astype(np.int32), counts)
    rare = (df_each >= 2) & (df_each <= max_df)
    if not rare.any():
        return None
    norms = np.bincount(doc[rare], weights=np.repeat(weight, counts)[rare] ** 2, minlength=n)
    del weight
    # A posting's place in its bigram's run; the later postings of the run are its partners.
    partners = np.arange(len(doc), dtype=np.int64)
    partners -= np.repeat(first, counts)
    del first, counts
    np.subtract(df_each - 1, partners, out=partners)
    return doc[rare], df_each[rare], partners[rare].astype(np.int32), norms


def _sorted_postings(docs: Sequence[np.ndarray], total: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (term, document) posting sorted by term, then document: where each term's run
    starts, and each posting's document (``int32``: half the memory; ``n < 2**31``).

    One sort of ``term << 32 | document`` keys, filled document by document and read back
    a block at a time, so that no other array as long as the postings is made at once."""
    keys = np.empty(total, dtype=np.uint64)
    at = 0
    for d, t in enumerate(docs):
        part = keys[at : at + len(t)]
        part[:] = t
        part <<= np.uint64(32)
        part |= np.uint64(d)
        at += len(t)
    keys.sort()
    new_term = np.empty(total, dtype=bool)
    doc = np.empty(total, dtype=np.int32)
    for s in range(0, total, _BLOCK):
        e = min(total, s + _BLOCK)
        term = keys[max(0, s - 1) : e] >> np.uint64(32)
        if s == 0:
            new_term[0] = True
            new_term[1:e] = term[1:] != term[:-1]
        else:
            new_term[s:e] = term[1:] != term[:-1]
        doc[s:e] = keys[s:e] & np.uint64(0xFFFFFFFF)
    del keys
    return np.flatnonzero(new_term), doc


def _slices(doc: np.ndarray, partners: np.ndarray, n: int, slice_pairs: int) -> Iterator[np.ndarray]:
    """Posting indices with a partner, by ranges of their document, each range holding about
    ``slice_pairs`` (pair, bigram) keys (more only when one document alone does).  A pair's
    keys all come from postings of its first document, so the slices split pairs cleanly."""
    has = np.flatnonzero(partners > 0)
    by_doc = has[np.argsort(doc[has], kind="stable")]
    per_doc = np.bincount(doc[has], weights=partners[has], minlength=n)
    total = float(per_doc.sum())
    cum = np.cumsum(per_doc)
    pieces = max(1, int(np.ceil(total / slice_pairs)))
    edges = np.searchsorted(cum, np.arange(1, pieces) * (total / pieces), side="right")
    cut = np.searchsorted(doc[by_doc], np.unique(edges), side="left")
    yield from np.split(by_doc, cut)


def _slice_links(
    rows: np.ndarray, doc: np.ndarray, size: np.ndarray, partners: np.ndarray, norms: np.ndarray,
    wsq: np.ndarray, n: int, base: int, min_shared: int, min_cosine: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Links whose first document's postings are ``rows``: one int64 key per (pair, bigram),
    ``(i * n + j) * base + df``; one sort groups them by pair, the df gives each weight."""
    reps = partners[rows].astype(np.int64)
    total = int(reps.sum())
    src = np.repeat(rows, reps)
    # The partners of posting r are r + 1 .. r + partners[r].
    dst = np.arange(1, total + 1, dtype=np.int64) - np.repeat(np.cumsum(reps) - reps, reps)
    dst += src
    key = (doc[src].astype(np.int64) * n + doc[dst]) * base + size[src]
    del src, dst
    key.sort()
    code, size_of = np.divmod(key, base)
    del key
    run = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1])))
    shared = np.diff(np.append(run, len(code)))
    dot = np.add.reduceat(wsq[size_of], run) if len(run) else np.zeros(0)
    i, j = np.divmod(code[run], n)
    cos = dot / np.sqrt(norms[i] * norms[j])
    keep = (shared >= min_shared) & (cos >= min_cosine)
    return i[keep], j[keep], cos[keep]
