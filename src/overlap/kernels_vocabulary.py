"""Compiled (numba) kernels behind ``overlap.vocabulary``: sampled terms, rare postings, links.

``sampled_terms_into(h, offsets, mask, out, out_offsets)``
    The sampled terms of many documents' bigram hashes (``overlap.vocabulary.terms_many``),
    equal to ``terms_from_bigrams`` of each.
``term_buckets(flat, lens)``, ``rare_postings_of(low, doc, bstart, n, max_df, wsq)``, ``postings_by_document(doc, size, partners, n, base)``
    ``overlap.vocabulary.vocabulary_link_arrays``'s rare postings from the documents'
    sampled terms, equal to its numpy path's (a bucket sort by the terms' top bits
    instead of one sort of every posting, no array of all postings but the buckets'),
    and those with partners by document, in the order the links kernel reads them.
``vocabulary_links_of(starts, first, count, df, doc, norms, wsq, min_shared, min_cosine)``
    ``overlap.vocabulary.vocabulary_link_arrays``'s links from its rare postings, the
    same floats as its numpy slices, without one sort key per (pair, shared bigram).

``overlap.jit.load_kernels()`` gives these through ``overlap.kernels`` (re-exported
there); callers fall back to their numpy code when numba is missing or off, with the
same results: the postings and norms are the same numbers added in the same order, and
each dot product is summed as ``numpy.add.reduceat`` sums it (``_pairwise_sum``).

Why compiled: at 100k documents the scan samples about 20 million terms; one numpy sort
of them all, then arrays as long as the postings for each step, cost seconds and
hundreds of MB, where the buckets are sorted one at a time in cache and only the rare
postings (a third) are kept.  All inputs are C-contiguous with exactly the dtypes of the
signatures; postings are indexed with int32 (the caller checks there are fewer than 2**31).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["postings_by_document", "rare_postings_of", "sampled_terms_into", "term_buckets", "vocabulary_links_of"]

_OPTS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}
_LOW_BITS = 12  # term_buckets: a term's low bits kept per posting; its top 20 name its bucket
_LOW_MASK = (1 << _LOW_BITS) - 1
_BUCKETS = 1 << (32 - _LOW_BITS)


@numba.njit("float64(float64[::1], int64, int64)", **_OPTS)
def _pairwise_sum(a, start, count):  # pragma: no cover - compiled
    """``numpy.add.reduce(a[start:start + count])`` to the last bit: numpy's pairwise sum
    (eight running sums up to 128 values, halves beyond), not a left-to-right one."""
    if count < 8:
        s = 0.0
        for k in range(start, start + count):
            s += a[k]
        return s
    if count <= 128:
        r0, r1, r2, r3 = a[start], a[start + 1], a[start + 2], a[start + 3]
        r4, r5, r6, r7 = a[start + 4], a[start + 5], a[start + 6], a[start + 7]
        end8 = start + count - count % 8
        k = start + 8
        while k < end8:
            r0 += a[k]
            r1 += a[k + 1]
            r2 += a[k + 2]
            r3 += a[k + 3]
            r4 += a[k + 4]
            r5 += a[k + 5]
            r6 += a[k + 6]
            r7 += a[k + 7]
            k += 8
        s = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while k < start + count:
            s += a[k]
            k += 1
        return s
    half = count // 2
    half -= half % 8
    return _pairwise_sum(a, start, half) + _pairwise_sum(a, start + half, count - half)


@numba.njit("void(uint64[::1], int64[::1], uint64, uint32[::1], int64[::1])", **_OPTS)
def sampled_terms_into(h, offsets, mask, out, out_offsets):  # pragma: no cover - compiled
    """``overlap.vocabulary.terms_from_bigrams`` of many documents: the top 32 bits of
    document ``d``'s bigram hashes ``h[offsets[d]:offsets[d + 1]]`` with no bit of
    ``mask`` set (divisible by ``mask + 1``, a power of 2: no division), ascending and
    distinct, into ``out[out_offsets[d]:out_offsets[d + 1]]``.
    ``out`` needs room for every hash.  Linear in the hashes, plus a sort per document."""
    o = 0
    out_offsets[0] = 0
    for d in range(offsets.shape[0] - 1):
        s = o
        for x in range(offsets[d], offsets[d + 1]):
            if h[x] & mask == 0:
                out[o] = np.uint32(h[x] >> np.uint64(32))
                o += 1
        if o > s:
            out[s:o].sort()
            m = s + 1
            for x in range(s + 1, o):
                if out[x] != out[m - 1]:
                    out[m] = out[x]
                    m += 1
            o = m
        out_offsets[d + 1] = o


@numba.njit("Tuple((uint16[::1], int32[::1], int64[::1]))(uint32[::1], int64[::1])", **_OPTS)
def term_buckets(flat, lens):  # pragma: no cover - compiled
    """Every (term, document) posting of the documents' terms (``flat``, ``lens[d]`` of
    document ``d`` after those of ``d - 1``) in ``2**20`` buckets by the term's top 20 bits,
    documents ascending in each (a counting sort, stable): each posting's low 12 term bits,
    its document, and where each bucket starts (``2**20 + 1``).  Two passes, O(T)."""
    total = flat.shape[0]
    bstart = np.zeros(_BUCKETS + 1, np.int64)
    for x in range(total):
        bstart[(flat[x] >> _LOW_BITS) + 1] += 1
    for b in range(_BUCKETS):
        bstart[b + 1] += bstart[b]
    fill = bstart[:_BUCKETS].copy()
    low = np.empty(total, np.uint16)
    doc = np.empty(total, np.int32)
    x = 0
    for d in range(lens.shape[0]):
        for _ in range(lens[d]):
            t = flat[x]
            k = fill[t >> _LOW_BITS]
            fill[t >> _LOW_BITS] = k + 1
            low[k] = t & _LOW_MASK
            doc[k] = d
            x += 1
    return low, doc, bstart


@numba.njit("void(uint16[::1], int32[::1], int64, int64, uint64[::1])", **_OPTS)
def _sorted_bucket(low, doc, s, m, keys):  # pragma: no cover - compiled
    """``keys[:m]``: the bucket's postings ``s .. s + m - 1`` as ``low << 32 | doc``, ascending
    (insertion sort while few, as most buckets are)."""
    if m <= 48:
        for y in range(m):
            key = (np.uint64(low[s + y]) << np.uint64(32)) | np.uint64(doc[s + y])
            z = y
            while z > 0 and keys[z - 1] > key:
                keys[z] = keys[z - 1]
                z -= 1
            keys[z] = key
        return
    for y in range(m):
        keys[y] = (np.uint64(low[s + y]) << np.uint64(32)) | np.uint64(doc[s + y])
    keys[:m].sort()


@numba.njit(
    "Tuple((int32[::1], int32[::1], int32[::1], float64[::1]))(uint16[::1], int32[::1], int64[::1], int64, int64, "
    "float64[::1])",
    **_OPTS,
)
def rare_postings_of(low, doc, bstart, n, max_df, wsq):  # pragma: no cover - compiled
    """The postings of rare terms (held by 2 to ``max_df`` documents) from ``term_buckets``,
    by term ascending, then document: each one's document (written over ``doc``'s front),
    its term's df, how many later postings share its term; and every document's squared
    norm, ``sum(wsq[df])`` over its rare terms in term order (``numpy.bincount``'s order).
    Each bucket is sorted alone (a few keys, in cache).  O(T log(T / 2**20))."""
    total = doc.shape[0]
    size = np.empty(total, np.int32)  # only the front (the rare postings) is ever written
    partners = np.empty(total, np.int32)
    norms = np.zeros(n)
    keys = np.empty(1024, np.uint64)
    out = 0
    for b in range(_BUCKETS):
        s = bstart[b]
        m = bstart[b + 1] - s
        if m > keys.shape[0]:
            keys = np.empty(2 * m, np.uint64)
        _sorted_bucket(low, doc, s, m, keys)
        r = 0
        while r < m:
            t = keys[r] >> np.uint64(32)
            z = r + 1
            while z < m and (keys[z] >> np.uint64(32)) == t:
                z += 1
            if 2 <= z - r <= max_df:
                w = wsq[z - r]
                for y in range(r, z):
                    d = np.int32(keys[y] & np.uint64(0xFFFFFFFF))
                    doc[out], size[out], partners[out] = d, z - r, z - 1 - y
                    norms[d] += w
                    out += 1
            r = z
    return doc[:out], size[:out], partners[:out], norms


@numba.njit(
    "Tuple((int64[::1], int32[::1], int32[::1], int32[::1]))(int32[::1], int32[::1], int32[::1], int64, int64)", **_OPTS
)
def postings_by_document(doc, size, partners, n, base):  # pragma: no cover - compiled
    """The postings that have partners by document, each document's ascending by df, ties
    by posting (two stable counting sorts, by df ``< base``, then by document): where each
    document's start (``starts``, ``n + 1``), and per posting, in that order, its first
    partner posting (``first``: the next one), its partners' count and its df.  Laid out
    so that ``vocabulary_links_of`` reads them in sequence.  O(P + n + base)."""
    cnt = np.zeros(base + 1, np.int64)
    for x in range(doc.shape[0]):
        if partners[x] > 0:
            cnt[size[x] + 1] += 1
    for v in range(base):
        cnt[v + 1] += cnt[v]
    by_df = np.empty(cnt[base], np.int32)
    for x in range(doc.shape[0]):
        if partners[x] > 0:
            by_df[cnt[size[x]]] = x
            cnt[size[x]] += 1
    starts = np.zeros(n + 1, np.int64)
    for x in by_df:
        starts[doc[x] + 1] += 1
    for d in range(n):
        starts[d + 1] += starts[d]
    fill = starts[:n].copy()
    first = np.empty(by_df.shape[0], np.int32)
    count = np.empty(by_df.shape[0], np.int32)
    df = np.empty(by_df.shape[0], np.int32)
    for x in by_df:
        k = fill[doc[x]]
        fill[doc[x]] = k + 1
        first[k], count[k], df[k] = x + 1, partners[x], size[x]
    return starts, first, count, df


@numba.njit(
    "Tuple((int64[::1], int64[::1], float64[::1]))(int64[::1], int32[::1], int32[::1], int32[::1], int32[::1], "
    "float64[::1], float64[::1], int64, float64)",
    **_OPTS,
)
def vocabulary_links_of(starts, first, count, df, doc, norms, wsq, min_shared, min_cosine):  # pragma: no cover
    """``overlap.vocabulary``'s links ``(i, j, cosine)``, ``i < j`` ascending, without a
    (pair, bigram) key: per first document ``i``, its partners' shared rare bigrams are
    counted, then, for the partners sharing at least ``min_shared``, their weights are
    gathered in ascending df order (the order the numpy path's sort gives), and each dot
    product is ``w[0] + pairwise_sum(w[1:])``, as ``numpy.add.reduceat`` computes it.
    Document ``i``'s postings are ``starts[i]:starts[i + 1]`` of ``postings_by_document``'s
    arrays: posting ``x`` shares its bigram (df ``df[x]``) with the documents
    ``doc[first[x]:first[x] + count[x]]``.  Linear in the (pair, bigram) keys (two visits
    each), plus a sort of each document's links.  The returned arrays may have room
    beyond their ends (never written: not resident)."""
    n = starts.shape[0] - 1
    cnt = np.zeros(n, np.int32)
    fill = np.zeros(n, np.int64)
    touched = np.empty(n, np.int32)
    hit_j, hit_cos = np.empty(n, np.int64), np.empty(n)
    buf = np.empty(1024)
    cap = 1024
    oi, oj, oc = np.empty(cap, np.int64), np.empty(cap, np.int64), np.empty(cap)
    out = 0
    least = max(min_shared, 1)
    for i in range(n):
        nt = 0
        for x in range(starts[i], starts[i + 1]):
            for q in range(first[x], first[x] + count[x]):
                j = doc[q]
                if cnt[j] == 0:
                    touched[nt] = j
                    nt += 1
                cnt[j] += 1
        kept = 0
        pos = 0
        for t in range(nt):  # room in buf for the partners sharing enough; forget the others
            j = touched[t]
            if cnt[j] >= least:
                fill[j] = pos
                pos += cnt[j]
                touched[kept] = j
                kept += 1
            else:
                cnt[j] = 0
        if kept == 0:
            continue
        if pos > buf.shape[0]:
            buf = np.empty(2 * pos)
        for x in range(starts[i], starts[i + 1]):
            v = wsq[df[x]]
            for q in range(first[x], first[x] + count[x]):
                j = doc[q]
                if cnt[j] != 0:
                    buf[fill[j]] = v
                    fill[j] += 1
        hits = 0
        for t in range(kept):
            j = touched[t]
            c = cnt[j]
            cnt[j] = 0
            at = fill[j] - c
            cos = (buf[at] + _pairwise_sum(buf, at + 1, c - 1)) / np.sqrt(norms[i] * norms[j])
            if cos >= min_cosine:
                hit_j[hits], hit_cos[hits] = j, cos
                hits += 1
        while out + hits > cap:
            cap *= 2
            oi2, oj2, oc2 = np.empty(cap, np.int64), np.empty(cap, np.int64), np.empty(cap)
            oi2[:out], oj2[:out], oc2[:out] = oi[:out], oj[:out], oc[:out]
            oi, oj, oc = oi2, oj2, oc2
        for y in np.argsort(hit_j[:hits]):
            oi[out], oj[out], oc[out] = i, hit_j[y], hit_cos[y]
            out += 1
    return oi[:out], oj[:out], oc[:out]
