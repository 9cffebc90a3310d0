"""Rare shared vocabulary: links between documents that use the same uncommon word pairs.

``terms(text) -> np.ndarray``
    The sampled, distinct bigram hashes of a text (``uint32``, ascending).
``terms_from_hashes(token_hashes) -> np.ndarray``, ``terms_from_bigrams(bigram_hashes) -> np.ndarray``
    The same from the token hashes of its normalised view (``overlap.shingle``), or
    from their 2-token shingles, which the scan's signing workers already have.
``vocabulary_links(docs, *, max_df=None, min_shared=2, min_cosine=0.05, min_docs=MIN_DOCS) -> list[tuple[int, int, float]]``
    ``(i, j, cosine)`` for documents ``i < j`` that share at least ``min_shared`` rare
    bigrams and whose TF-IDF cosine over their rare bigrams reaches ``min_cosine``.

Why: two reports of one event by different outlets often share no sentence and fewer
than three distinctive capitalised names, yet they share rare word pairs (the place,
the product, the unusual verb).  A bigram is *rare* when at most ``max_df`` documents
hold it (None: ``max(5, n // 200)``); its weight is ``log(n / df)``, so the rarer the
pair, the more it counts.  Bigrams rather than words because Vietnamese writes one
word as several syllables, and a single syllable is seldom rare.

Only the bigrams whose hash falls in one ``SAMPLE``-th of the hash space are kept (the
same bigrams in every document, so two documents' shared rare bigrams are sampled
alike): the cosine is estimated from that sample, and memory is a quarter.

Cost: ``terms`` is linear in the text (vectorised hashes, no Python loop per word).
``vocabulary_links`` sorts all sampled bigrams once (O(T log T) for T of them) and
enumerates the document pairs of each rare bigram (at most ``max_df (max_df - 1) / 2``
each), all in numpy; no pair of documents is visited unless it shares a rare bigram.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np

__all__ = ["MIN_DOCS", "SAMPLE", "terms", "terms_from_bigrams", "terms_from_hashes", "vocabulary_links"]

SAMPLE = 2
MIN_DOCS = 20
"""Fewer documents than this give no vocabulary links: rarity needs a corpus."""
"""One bigram hash in ``SAMPLE`` is kept (those with ``hash % SAMPLE == 0``)."""


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
) -> list[tuple[int, int, float]]:
    """Document pairs sharing rare bigrams, with their cosine over rare-bigram TF-IDF vectors.

    ``docs[i]`` holds document ``i``'s distinct bigram hashes (``terms``: 32-bit values).  Vectors are
    binary term presence weighted by ``log(n / df)``, over rare bigrams only.  Returns
    ``(i, j, cosine)``, ``i < j``, ascending, for pairs sharing at least ``min_shared``
    rare bigrams with a cosine of at least ``min_cosine``.  Below ``min_docs`` documents
    there is no corpus to call a bigram rare in, and nothing is returned.
    """
    n = len(docs)
    if n < min_docs:
        return []
    if max_df is None:
        max_df = max(5, n // 200)
    if isinstance(max_df, bool) or not isinstance(max_df, int) or max_df < 2:
        raise ValueError(f"max_df must be an integer >= 2: {max_df!r}")
    if n < 2:
        return []
    lens = np.fromiter((len(d) for d in docs), dtype=np.int64, count=n)
    if not lens.sum():
        return []
    # One sort of (term << 32 | document) keys: by term, then document.
    keys = np.concatenate([np.asarray(d, dtype=np.uint64) for d in docs]) << np.uint64(32)
    keys |= np.repeat(np.arange(n, dtype=np.uint64), lens)
    keys.sort()
    allt = keys >> np.uint64(32)
    doc = (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)
    first = np.flatnonzero(np.concatenate(([True], allt[1:] != allt[:-1])))
    counts = np.diff(np.append(first, len(allt)))
    weight = np.log(n / counts)
    df_each = np.repeat(counts, counts)
    w_each = np.repeat(weight, counts)
    rare = (df_each >= 2) & (df_each <= max_df)
    norms = np.bincount(doc[rare], weights=w_each[rare] ** 2, minlength=n)
    # Every pair of documents under each rare bigram, as one int64 key per (pair, bigram):
    # (i * n + j) * (max_df + 1) + df.  One sort (no argsort) then groups them by pair, and
    # the df in the key gives each bigram's weight.
    base = max_df + 1
    codes: list[np.ndarray] = []
    for size in range(2, max_df + 1):
        starts = first[counts == size]
        if not len(starts):
            continue
        block = doc[starts[:, None] + np.arange(size)]  # (bigrams, size), documents ascending
        for x, y in combinations(range(size), 2):
            codes.append((block[:, x] * n + block[:, y]) * base + size)
    if not codes:
        return []
    key = np.concatenate(codes)
    key.sort()
    code, size_of = np.divmod(key, base)
    run = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1])))
    uniq = code[run]
    shared = np.diff(np.append(run, len(code)))
    wsq = np.zeros(base)
    wsq[2:] = np.log(n / np.arange(2, base)) ** 2
    dot = np.add.reduceat(wsq[size_of], run)
    i, j = np.divmod(uniq, n)
    cos = dot / np.sqrt(norms[i] * norms[j])
    keep = (shared >= min_shared) & (cos >= min_cosine)
    return [(int(a), int(b), float(c)) for a, b, c in zip(i[keep], j[keep], cos[keep])]
