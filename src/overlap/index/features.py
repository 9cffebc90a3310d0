"""Hashes of texts for the index: whole-text signatures, sentence-block and anchor keys.

``Features``
    One batch's hashes: signatures, document band keys, block and anchor keys.
``features(texts, settings, *, every_sentence=False) -> Features``
    Linear in the total length of ``texts``: one ``tokenize`` call and one signature
    kernel call per level for the whole batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..lsh import band_keys
from ..normalization import normalize
from ..segment import sentences
from ..shingle import shingles, tokenize
from ..signatures import SCAN_METHOD, signatures_from_shingles
from ..corpus.reworded import bag_keys, unit_bags
from .storage import BAG_BANDS, BAG_ROWS, Settings

__all__ = ["Features", "features"]

# Sentence anchors: a sentence of at least _ANCHOR_MIN_TOKENS tokens is also keyed by the
# hashes of its first and of its last _ANCHOR tokens, so one reused sentence (a quote, the
# line naming a delegation) finds its source even with a word changed in its middle.
_ANCHOR = 8
_ANCHOR_MIN_TOKENS = 12
_ANCHOR_SALT = np.uint64(0xA5C3_9E37_79B9_7F4A)
_BLOCK_BATCH = 1 << 14  # sentence blocks signed per kernel call


@dataclass(slots=True)
class Features:
    """Hashes of a batch of texts: one signature per text, band keys per text and block,
    and (reworded indexes) per sentence bag of content units."""

    signatures: np.ndarray  # (n, num_perm) uint32
    nonempty: np.ndarray  # (n,) bool: the text has at least one shingle
    doc_keys: np.ndarray  # (n, bands) uint64
    block_doc: np.ndarray  # (w,) int64: text of each sentence block
    block_keys: np.ndarray  # (w, passage_bands) uint64
    anchor_doc: np.ndarray  # (m,) int64: text of each long sentence
    anchor_keys: np.ndarray  # (m, 2) uint64: hashes of its first and last _ANCHOR tokens
    bag_doc: np.ndarray  # (g,) int64, ascending: text of each sentence bag (reworded indexes only)
    bag_keys: np.ndarray  # (g, BAG_BANDS) uint64


def _blocks(counts: list[int], s: Settings, every_sentence: bool) -> Iterator[tuple[int, int]]:
    """Sentence ranges ``[i, j)`` of the blocks: consecutive for a stored text, one
    starting at every sentence for a query.  ``block(i)`` depends only on the
    sentences from ``i`` on, so a query block equals a stored block whenever the
    same sentences follow the same start."""
    n = len(counts)
    i = 0
    while i < n:
        j, tokens = i, 0
        while j < n and (j - i < s.passage_sentences or tokens < s.passage_min_tokens) and j - i < s.passage_max_sentences:
            tokens += counts[j]
            j += 1
        if tokens >= s.passage_min_tokens:
            yield i, j
        i = i + 1 if every_sentence else j


def features(texts: Sequence[str], settings: Settings, *, every_sentence: bool = False) -> Features:
    """Signatures and band keys of ``texts``, batched: one ``tokenize`` call and one
    signature kernel call per level for the whole batch (``overlap.signatures`` does the
    same joins; the document signatures equal ``minhash(texts, method=SCAN_METHOD)``)."""
    k = settings.shingle_size
    views = [normalize(t) for t in texts]
    n = len(texts)
    lengths = np.fromiter((len(v.text) for v in views), dtype=np.int64, count=n)
    char_starts = np.zeros(n, dtype=np.int64)
    if n > 1:
        np.cumsum(lengths[:-1] + 1, out=char_starts[1:])
    toks = tokenize("\n".join(v.text for v in views))  # tokens never cross the "\n"
    hashes = toks.hashes
    tok_lo = np.searchsorted(toks.starts, char_starts, "left")
    tok_hi = np.append(tok_lo[1:], len(hashes))
    # all_sh[t] hashes tokens t .. t+k-1 of the joined stream; a slice is a text's
    # (or block's) shingles when it stops k - 1 tokens before the range ends.
    all_sh = shingles(hashes, k) if len(hashes) >= k else np.zeros(0, dtype=np.uint64)
    empty = np.zeros(0, dtype=np.uint64)
    doc_sh: list[np.ndarray] = []
    block_sh: list[np.ndarray] = []
    block_doc: list[int] = []
    anchor_doc: list[int] = []
    anchor_at: list[tuple[int, int]] = []  # token positions of a sentence's first and last anchor
    bags: list[np.ndarray] = []
    bag_doc: list[int] = []
    all_an = shingles(hashes, _ANCHOR) if len(hashes) >= _ANCHOR else np.zeros(0, dtype=np.uint64)
    for d in range(n):
        lo, hi = int(tok_lo[d]), int(tok_hi[d])
        if hi - lo >= k:
            doc_sh.append(all_sh[lo : hi - k + 1])
        elif hi > lo:
            doc_sh.append(shingles(hashes[lo:hi], k))  # fewer than k tokens: one shingle
        else:
            doc_sh.append(empty)
            continue
        view_starts = toks.starts[lo:hi] - char_starts[d]
        view = views[d]
        orig = view.orig_starts(view_starts)
        spans = sentences(texts[d])
        if not spans:
            continue
        if settings.reworded:
            got = unit_bags(texts[d], spans)
            bags.extend(got)
            bag_doc.extend([d] * len(got))
        s_lo = np.searchsorted(orig, [s.start for s in spans], "left")
        s_hi = np.searchsorted(orig, [s.end for s in spans], "left")
        counts = (s_hi - s_lo).tolist()
        for i, c in enumerate(counts):
            if c >= _ANCHOR_MIN_TOKENS:
                anchor_doc.append(d)
                anchor_at.append((lo + int(s_lo[i]), lo + int(s_hi[i]) - _ANCHOR))
        for i, j in _blocks(counts, settings, every_sentence):
            a, b = lo + int(s_lo[i]), lo + int(s_hi[j - 1])
            if b - a >= k:
                block_sh.append(all_sh[a : b - k + 1])
                block_doc.append(d)
    sig = signatures_from_shingles(doc_sh, num_perm=settings.num_perm, seed=settings.seed, method=SCAN_METHOD)
    nonempty = np.fromiter((len(s) > 0 for s in doc_sh), dtype=bool, count=n)
    doc_keys = band_keys(sig, settings.bands, settings.rows)
    if block_sh:
        # A batch of blocks at a time: a query has a block at every sentence, so its
        # blocks' shingles joined are a few times the text's (each block signed alone).
        bsig = np.concatenate([
            signatures_from_shingles(block_sh[lo : lo + _BLOCK_BATCH], num_perm=settings.passage_num_perm, seed=settings.seed,
                                     method=SCAN_METHOD)
            for lo in range(0, len(block_sh), _BLOCK_BATCH)
        ])
        bkeys = band_keys(bsig, settings.passage_bands, settings.passage_rows)
    else:
        bkeys = np.zeros((0, settings.passage_bands), dtype=np.uint64)
    at = np.asarray(anchor_at, dtype=np.int64).reshape(-1, 2)
    akeys = all_an[at] ^ _ANCHOR_SALT if len(at) else np.zeros((0, 2), dtype=np.uint64)
    return Features(
        sig, nonempty, doc_keys, np.asarray(block_doc, dtype=np.int64), bkeys,
        np.asarray(anchor_doc, dtype=np.int64), akeys,
        np.asarray(bag_doc, dtype=np.int64), bag_keys(bags, BAG_BANDS, BAG_ROWS, settings.seed),
    )

