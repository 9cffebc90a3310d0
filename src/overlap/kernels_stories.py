"""Compiled (numba) kernels behind ``overlap.stories.cluster`` and ``overlap.vocabulary``.

``average_linkage_into(lo, hi, weight, threshold, label)``
    Merge groups of documents greedily, best mean link weight first, exactly as
    ``overlap.stories``'s Python loop does, and write each linked document's final group
    (its smallest member) into ``label``; ``-1`` for documents without a link.
``sampled_terms_into(h, offsets, sample, out, out_offsets)``
    The sampled terms of many documents' bigram hashes (``overlap.vocabulary.terms_many``).
``term_buckets(flat, lens)``, ``rare_postings_of(low, doc, bstart, n, max_df, wsq)``, ``postings_by_document(doc, size, partners, n, base)``
    ``overlap.vocabulary.vocabulary_link_arrays``'s rare postings from the documents'
    sampled terms, equal to its numpy path's (a bucket sort by the terms' top bits
    instead of one sort of every posting, no array of all postings but the buckets'),
    and those with partners by document.
``vocabulary_links_of(starts, first, count, df, doc, norms, wsq, min_shared, min_cosine)``
    ``overlap.vocabulary.vocabulary_link_arrays``'s links from its rare postings, the
    same floats as its numpy slices, without one sort key per (pair, shared bigram).

The inputs are the distinct links ``lo[k] < hi[k]`` (``int64``) with their largest weight
``weight[k] > 0`` (``float64``); ``label`` is an ``int64`` array of the ``n`` documents.
``overlap.jit.load_kernels()`` gives this kernel through ``overlap.kernels`` (re-exported
there); callers fall back to the Python loop when numba is missing or off, with the same
groups: both use the same float operations in the same order (a merged group's link
to a neighbour is the sum of its two parts' links, one addition; a mean is that sum
divided by the product of the sizes) and the same heap order (``(-mean, a, b)`` tuples,
smallest first), so every merge happens in the same sequence.

Why compiled: a 100k-document scan clusters millions of links, and the Python loop
keeps one dict entry per link per end (about 100 bytes each) and spends most of its time
in dict updates.  Here every link (one per end) sits in one open-addressing hash table
of int64 keys and float64 values, each group's neighbour names in a shared int64 pool,
and the heap in three flat arrays.  Cost: O(E log E) for E links,
as the Python loop.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "average_linkage_into", "postings_by_document", "rare_postings_of", "sampled_terms_into", "term_buckets",
    "vocabulary_links_of",
]

_OPTS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}
_STALE = 1e-12  # a heap entry whose mean differs more than this from the pair's is stale
_LOW_BITS = 12  # term_buckets: a term's low bits kept per posting; its top 20 name its bucket
_LOW_MASK = (1 << _LOW_BITS) - 1
_BUCKETS = 1 << (32 - _LOW_BITS)


@numba.njit("boolean(float64, int64, int64, float64, int64, int64)", inline="always", **_OPTS)
def _less(x, a, b, y, c, d):  # pragma: no cover - compiled
    """``(x, a, b) < (y, c, d)`` as Python compares tuples."""
    if x != y:
        return x < y
    if a != c:
        return a < c
    return b < d


@numba.njit("void(float64[::1], int64[::1], int64[::1], int64)", **_OPTS)
def _sift_up(hw, ha, hb, k):  # pragma: no cover - compiled
    """Move heap entry ``k`` up to its place (after an append)."""
    x, a, b = hw[k], ha[k], hb[k]
    while k > 0:
        p = (k - 1) >> 1
        if not _less(x, a, b, hw[p], ha[p], hb[p]):
            break
        hw[k], ha[k], hb[k] = hw[p], ha[p], hb[p]
        k = p
    hw[k], ha[k], hb[k] = x, a, b


@numba.njit("void(float64[::1], int64[::1], int64[::1], int64)", **_OPTS)
def _sift_down(hw, ha, hb, size):  # pragma: no cover - compiled
    """Move the root of a heap of ``size`` entries down to its place (after a pop)."""
    x, a, b = hw[0], ha[0], hb[0]
    k = 0
    while True:
        c = 2 * k + 1
        if c >= size:
            break
        if c + 1 < size and _less(hw[c + 1], ha[c + 1], hb[c + 1], hw[c], ha[c], hb[c]):
            c += 1
        if not _less(hw[c], ha[c], hb[c], x, a, b):
            break
        hw[k], ha[k], hb[k] = hw[c], ha[c], hb[c]
        k = c
    hw[k], ha[k], hb[k] = x, a, b


@numba.njit(
    "Tuple((float64[::1], int64[::1], int64[::1]))(float64[::1], int64[::1], int64[::1])", **_OPTS
)
def _grown(hw, ha, hb):  # pragma: no cover - compiled
    """The heap's arrays with twice the room."""
    cap = 2 * hw.shape[0]
    w2, a2, b2 = np.empty(cap), np.empty(cap, np.int64), np.empty(cap, np.int64)
    w2[: hw.shape[0]] = hw
    a2[: ha.shape[0]] = ha
    b2[: hb.shape[0]] = hb
    return w2, a2, b2


_EMPTY = -1  # a free slot of the link table
_GONE = -2  # a deleted entry (probing goes on past it)
_MUL = np.uint64(0x9E3779B97F4A7C15)


@numba.njit("int64(int64[::1], int64)", inline="always", **_OPTS)
def _find(keys, key):  # pragma: no cover - compiled
    """The table position of ``key``, or -1 (linear probing; the capacity is a power of 2)."""
    mask = keys.shape[0] - 1
    h = np.uint64(key) * _MUL
    i = np.int64(h ^ (h >> np.uint64(29))) & mask
    while True:
        k = keys[i]
        if k == key:
            return i
        if k == _EMPTY:
            return -1
        i = (i + 1) & mask


@numba.njit("int64(int64[::1], int64)", inline="always", **_OPTS)
def _free(keys, key):  # pragma: no cover - compiled
    """A position to insert ``key`` (absent) at: the first empty or deleted one probed."""
    mask = keys.shape[0] - 1
    h = np.uint64(key) * _MUL
    i = np.int64(h ^ (h >> np.uint64(29))) & mask
    while keys[i] >= 0:
        i = (i + 1) & mask
    return i


@numba.njit("int64(int64)", **_OPTS)
def _capacity(live):  # pragma: no cover - compiled
    """A power of 2 (at least 256) that holds ``live`` entries at most 65% full."""
    cap = 256
    while cap * 13 < live * 20:
        cap *= 2
    return cap


@numba.njit("Tuple((int64[::1], float64[::1]))(int64[::1], float64[::1], int64)", **_OPTS)
def _rehashed(keys, vals, live):  # pragma: no cover - compiled
    """The table's live entries in a new table sized for them (deleted ones dropped)."""
    cap = _capacity(live)
    k2, v2 = np.full(cap, _EMPTY, np.int64), np.empty(cap)
    for i in range(keys.shape[0]):
        if keys[i] >= 0:
            j = _free(k2, keys[i])
            k2[j], v2[j] = keys[i], vals[i]
    return k2, v2


@numba.njit(
    "Tuple((int64[::1], float64[::1], int64, int64))(int64[::1], float64[::1], int64, int64, int64, float64)", **_OPTS
)
def _put(keys, vals, filled, live, key, w):  # pragma: no cover - compiled
    """Insert the absent ``key`` with value ``w``, rehashing first when the table is 80%
    filled (deleted entries count); returns ``(keys, vals, filled, live)``."""
    if filled * 5 >= keys.shape[0] * 4:
        keys, vals = _rehashed(keys, vals, live)
        filled = live
    j = _free(keys, key)
    if keys[j] == _EMPTY:
        filled += 1
    keys[j], vals[j] = key, w
    return keys, vals, filled, live + 1


@numba.njit(
    "Tuple((int64[::1], int64))(int64[::1], int64[::1], int64[::1], int64[::1], int64, int64, int64)", **_OPTS
)
def _append(pool, start, length, room, used, r, g):  # pragma: no cover - compiled
    """Append ``g`` to row ``r``'s neighbour list; a full list moves to the pool's end
    with twice the room (the pool grows as needed).  Returns ``(pool, used)``."""
    if length[r] == room[r]:
        if used + 2 * room[r] + 1 > pool.shape[0]:
            grown = np.empty(2 * (used + 2 * room[r] + 1), np.int64)
            grown[:used] = pool[:used]
            pool = grown
        pool[used : used + length[r]] = pool[start[r] : start[r] + length[r]]
        start[r] = used
        room[r] = 2 * room[r] + 1
        used += room[r]
    pool[start[r] + length[r]] = g
    length[r] += 1
    return pool, used


@numba.njit("void(int64[::1], int64[::1], float64[::1], float64, int64[::1])", **_OPTS)
def average_linkage_into(lo, hi, weight, threshold, label):  # pragma: no cover - compiled
    """Average-linkage groups of the links ``(lo[k], hi[k], weight[k])`` into ``label``.

    Each group (named by its smallest member) has a row: a list of neighbour names in a
    shared pool, and its links in one hash table keyed ``row * n + neighbour``; a name
    merged away stays in lists until a row is next walked (its key is gone by then)."""
    n = label.shape[0]
    e = lo.shape[0]
    deg = np.zeros(n, np.int64)  # by row: live neighbours
    for k in range(e):
        deg[lo[k]] += 1
        deg[hi[k]] += 1
    linked = deg > 0
    row = np.arange(n)  # group name -> its row (rows start as documents)
    size = np.zeros(n, np.int64)
    parent = np.arange(n)
    start = np.zeros(n, np.int64)
    length = np.zeros(n, np.int64)
    room = deg.copy()
    used = 0
    for d in range(n):
        start[d] = used
        used += room[d]
        if deg[d]:
            size[d] = 1
    pool = np.empty(max(16, used + used // 2), np.int64)
    keys, vals = np.full(_capacity(2 * e), _EMPTY, np.int64), np.empty(_capacity(2 * e))
    for k in range(e):
        x, y = lo[k], hi[k]
        i = _free(keys, x * n + y)
        keys[i], vals[i] = x * n + y, weight[k]
        i = _free(keys, y * n + x)
        keys[i], vals[i] = y * n + x, weight[k]
        pool[start[x] + length[x]] = y
        length[x] += 1
        pool[start[y] + length[y]] = x
        length[y] += 1
    live = filled = 2 * e
    cap = max(16, e)
    hw, ha, hb = np.empty(cap), np.empty(cap, np.int64), np.empty(cap, np.int64)
    top = 0
    for k in range(e):
        if weight[k] >= threshold:
            hw[top], ha[top], hb[top] = -weight[k], lo[k], hi[k]
            _sift_up(hw, ha, hb, top)
            top += 1
    while top > 0:
        neg, a, b = hw[0], ha[0], hb[0]
        top -= 1
        if top > 0:
            hw[0], ha[0], hb[0] = hw[top], ha[top], hb[top]
            _sift_down(hw, ha, hb, top)
        if size[a] == 0 or size[b] == 0:
            continue  # one side was merged into another group since
        ra, rb = row[a], row[b]
        i = _find(keys, ra * n + b)
        mean = (vals[i] if i >= 0 else 0.0) / (size[a] * size[b])
        if abs(mean + neg) > _STALE:
            continue  # stale entry: a newer one for this pair is on the heap
        # Merge b's group into a's (a < b): the larger row absorbs the smaller one's links.
        keys[i] = _GONE
        keys[_find(keys, rb * n + a)] = _GONE
        live -= 2
        deg[ra] -= 1
        deg[rb] -= 1
        big, small = (ra, rb) if deg[ra] >= deg[rb] else (rb, ra)
        row[a] = big
        for x in range(start[small], start[small] + length[small]):
            g = pool[x]
            i = _find(keys, small * n + g)
            if i < 0:
                continue
            w = vals[i]
            keys[i] = _GONE
            live -= 1
            j = _find(keys, big * n + g)
            if j >= 0:
                vals[j] = vals[j] + w
                continue
            keys, vals, filled, live = _put(keys, vals, filled, live, big * n + g, w)
            deg[big] += 1
            pool, used = _append(pool, start, length, room, used, big, g)
        size[a] += size[b]
        size[b] = 0
        parent[b] = a
        # Walk the merged row: drop names merged away, and move each neighbour's link
        # from a and b to the merged group a.
        out = start[big]
        for x in range(start[big], start[big] + length[big]):
            g = pool[x]
            i = _find(keys, big * n + g)
            if i < 0:
                continue
            pool[out] = g
            out += 1
            w = vals[i]
            rg = row[g]
            j = _find(keys, rg * n + b)
            if j >= 0:
                keys[j] = _GONE
                live -= 1
                deg[rg] -= 1
            j = _find(keys, rg * n + a)
            if j >= 0:
                vals[j] = w
            else:
                keys, vals, filled, live = _put(keys, vals, filled, live, rg * n + a, w)
                deg[rg] += 1
                pool, used = _append(pool, start, length, room, used, rg, a)
            m = w / (size[a] * size[g])
            if m >= threshold:
                if top == hw.shape[0]:
                    hw, ha, hb = _grown(hw, ha, hb)
                hw[top], ha[top], hb[top] = -m, min(a, g), max(a, g)
                _sift_up(hw, ha, hb, top)
                top += 1
        length[big] = out - start[big]
    for d in range(n):
        if not linked[d]:
            label[d] = -1
        else:
            r = d
            while parent[r] != r:
                r = parent[r]
            label[d] = r


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
def sampled_terms_into(h, offsets, sample, out, out_offsets):  # pragma: no cover - compiled
    """``overlap.vocabulary.terms_from_bigrams`` of many documents: the top 32 bits of
    document ``d``'s bigram hashes ``h[offsets[d]:offsets[d + 1]]`` divisible by
    ``sample``, ascending and distinct, into ``out[out_offsets[d]:out_offsets[d + 1]]``.
    ``out`` needs room for every hash.  Linear in the hashes, plus a sort per document."""
    o = 0
    out_offsets[0] = 0
    for d in range(offsets.shape[0] - 1):
        s = o
        for x in range(offsets[d], offsets[d + 1]):
            if h[x] % sample == 0:
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
