"""Candidate pairs: which documents share a signature band, a passage window or a key.

``group_pairs(keys, members, max_group, n, star_above=None) -> codes``
    Pair codes ``i * n + j`` of members sharing a key: the one grouping rule of passage
    windows, name phrases and dates, for both engines.
``doc_candidates(sigs, options, n) -> codes``
    Document pairs that share a band of their MinHash signatures (``overlap.lsh``).
``band_codes(key_parts, wdoc, max_docs, n, b) -> codes``
    Document pairs with a passage window in one bucket of band ``b``.
``estimates(sigs, codes, n) -> float64 array``
    Estimated Jaccard of pairs, from their signatures.
``STAR_ABOVE``
    Passage-window groups larger than this pair as a star.

A pair code ``i * n + j`` (``i < j``, input positions) names a pair in every stage; codes
sort in input order.  No stage compares all pairs: the cost is linear in the number of
keys plus the pairs the groups give.
"""

from __future__ import annotations

import numpy as np

from .._arrays import unique
from ..lsh import band_keys, candidate_pairs, concat_ranges
from ..signatures import EMPTY, estimate_jaccard
from .options import ScanOptions

__all__ = ["PAIRS_PER_SLICE", "STAR_ABOVE", "band_codes", "doc_candidates", "estimates", "group_pairs"]

STAR_ABOVE = 12
"""Passage-window groups above this size pair as a star (see ``group_pairs``)."""


def group_pairs(
    keys: np.ndarray, members: np.ndarray, max_group: int, n: int, star_above: int | None = None
) -> np.ndarray:
    """Pair codes ``i * n + j`` (``i < j``) of members sharing a key, groups <= ``max_group``.

    ``(key, member)`` entries are de-duplicated first, so a member appears once per
    group.  Groups with more distinct members than ``max_group`` are skipped (too
    common to mean anything).  A group larger than ``star_above`` gives only the pairs of
    its first member with each other one (a star: it keeps the group connected with
    L - 1 pairs instead of L (L - 1) / 2; twenty copies of a story share every window).
    Returns the codes with repeats, one per shared key, so callers can count shared keys
    with ``_arrays.unique_counts``.
    """
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    mbits = max(1, (n - 1).bit_length())
    if mbits <= 32:
        # One sort of (key << mbits | member) instead of a lexsort, which is slower.  The key
        # loses its top mbits bits; two keys that then agree make a false group whose
        # pairs ``compare`` rejects (a 2**-32 chance per pair of keys at worst).
        packed = unique((keys.astype(np.uint64) << np.uint64(mbits)) | members.astype(np.uint64))
        k, m = packed >> np.uint64(mbits), (packed & np.uint64((1 << mbits) - 1)).astype(np.int64)
    else:
        order = np.lexsort((members, keys))
        k, m = keys[order], members[order].astype(np.int64)
        keep = np.ones(len(k), dtype=bool)
        keep[1:] = (k[1:] != k[:-1]) | (m[1:] != m[:-1])
        k, m = k[keep], m[keep]
    starts = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
    sizes = np.diff(np.append(starts, len(k)))
    ok = (sizes >= 2) & (sizes <= max_group)
    starts, sizes = starts[ok], sizes[ok]
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64)
    star = sizes > star_above if star_above is not None else np.zeros(len(sizes), dtype=bool)
    per = np.where(star, sizes - 1, sizes * (sizes - 1) // 2)
    ends = np.cumsum(per)
    out = np.empty(int(ends[-1]), dtype=np.int64)
    # Groups a slice at a time, about PAIRS_PER_SLICE pairs each: the temporaries of
    # one pass over all name pairs of a large corpus would take gigabytes.
    g0 = 0
    while g0 < len(starts):
        base = int(ends[g0 - 1]) if g0 else 0
        g1 = max(g0 + 1, int(np.searchsorted(ends, base + PAIRS_PER_SLICE, side="right")))
        st, sz, sr = starts[g0:g1], sizes[g0:g1], star[g0:g1]
        # Member t of a group of size L pairs with the L - 1 - t members after it
        # (only the first member does, in a group that is a star).
        idx = np.repeat(st, sz) + concat_ranges(sz)
        after = np.repeat(st + sz, sz) - idx - 1
        after[np.repeat(sr, sz) & (idx != np.repeat(st, sz))] = 0
        left = np.repeat(idx, after)
        right = left + 1 + concat_ranges(after)
        # members ascend within a group, so m[left] < m[right]
        out[base : int(ends[g1 - 1])] = m[left] * np.int64(n) + m[right]
        g0 = g1
    return out


PAIRS_PER_SLICE = 1 << 21
"""Pairs made per slice of groups in ``group_pairs`` (bounds its temporaries)."""


def doc_candidates(sigs: np.ndarray, o: ScanOptions, n: int) -> np.ndarray:
    """Codes ``i * n + j`` of the document pairs that share a band of their signatures."""
    bands, rows = o.document_bands
    nonempty = np.flatnonzero(~(sigs == EMPTY).all(axis=1))
    dc = candidate_pairs(band_keys(sigs[nonempty], bands, rows), max_bucket=o.max_bucket)
    if not len(dc):
        return np.zeros(0, dtype=np.int64)
    dc = nonempty[dc]
    return unique(dc[:, 0] * np.int64(n) + dc[:, 1])


def band_codes(key_parts: list[np.ndarray], wdoc: np.ndarray, max_docs: int, n: int, b: int) -> np.ndarray:
    """Codes of the document pairs with a passage window in one bucket of band ``b``.

    One band's column at a time: no second copy of all window keys."""
    col = np.concatenate([k[:, b] for k in key_parts]) if key_parts else np.zeros(0, dtype=np.uint64)
    return unique(group_pairs(col, wdoc, max_docs, n, STAR_ABOVE))


def estimates(sigs: np.ndarray, codes: np.ndarray, n: int, chunk: int = 1 << 15) -> np.ndarray:
    """Estimated Jaccard of the pairs ``codes`` (``i * n + j``), a chunk of pairs at a time:
    gathering both signature rows of every pair at once would take memory quadratic in
    a big cluster.  Linear in the number of pairs."""
    out = np.empty(len(codes), dtype=np.float64)
    for lo in range(0, len(codes), chunk):
        c = codes[lo : lo + chunk]
        out[lo : lo + len(c)] = estimate_jaccard(sigs[c // n], sigs[c % n])
    return out
