"""Compiled (numba) kernels of ``overlap.dedup`` and ``overlap.signature_store``: exact
verification, shingle sets and the keep-order pass.

``intersections_into(sets, offsets, left, right, out)``
    Sizes of the intersections of pairs of sorted per-document sets (``overlap.dedup``).
``distinct_sets_into(h, offsets, out, counts) -> int``
    Each document's distinct shingle hashes folded to 32 bits, sorted, written one
    document after another (``overlap.signature_store``'s shingle sets).
``exact_keys_into(h, offsets, out)``
    A 64-bit key per document's shingle sequence (``overlap.signature_store.exact_keys``).
``greedy_into(better, worse, alive, chosen)``
    The keep-order removal pass of ``overlap.dedup`` over sorted edges.
``bucket_layout_into(sigs, alive, bands, rows, members, pos, bstart, bsize)``
    The LSH bucket layout of ``overlap.dedup_buckets.bucket_layout`` (its band keys are
    ``overlap.lsh.band_keys``), filled in one pass per band.
``bucket_greedy_into(...)``
    The same pass straight from LSH buckets, checking each document only against the
    kept documents of its buckets (``overlap.dedup``'s default; no pair list), each
    exact intersection stopped as soon as it cannot change the decision.

Loaded through ``overlap.kernels`` (which re-exports them) by ``overlap.jit.load_kernels()``;
the dtypes and contiguity rules of ``overlap.kernels`` apply.  Each is linear in its
input (the bucket pass: in the kept members it checks).
"""

from __future__ import annotations


import numba
import numpy as np

__all__ = ["bucket_greedy_into", "bucket_layout_into", "distinct_sets_into", "exact_keys_into", "greedy_into", "intersections_into"]

_S32 = np.uint64(32)
_S33 = np.uint64(33)
_M1 = np.uint64(0xFF51AFD7ED558CCD)  # MurmurHash3 fmix64, as overlap.hashing.fmix64
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_P = np.uint64(0x100000001B3)  # overlap.hashing.P and Q
_Q = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # overlap.lsh._MIX: band b's key starts at (b + 1) * _MIX
_LAYOUT_BITS = 16  # top key bits of the counting pass of bucket_layout_into
_OPTS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}


@numba.njit("void(uint32[::1], int64[::1], int64[::1], int64[::1], int64[::1])", **_OPTS)
def intersections_into(sets, offsets, left, right, out):  # pragma: no cover - compiled
    """``out[p] = |set(left[p]) & set(right[p])|`` for sorted, distinct per-document sets
    ``sets[offsets[d]:offsets[d + 1]]``: one merge per pair, linear in the two sizes."""
    for p in range(left.shape[0]):
        a = offsets[left[p]]
        ae = offsets[left[p] + 1]
        b = offsets[right[p]]
        be = offsets[right[p] + 1]
        c = 0
        while a < ae and b < be:
            x = sets[a]
            y = sets[b]
            if x == y:
                c += 1
                a += 1
                b += 1
            elif x < y:
                a += 1
            else:
                b += 1
        out[p] = c


_BIG_DOC = 65_536  # shingles above which a document is sorted by numba's quicksort


@numba.njit("int64(uint64[::1], int64[::1], uint32[::1], int64[::1])", **_OPTS)
def distinct_sets_into(h, offsets, out, counts):  # pragma: no cover - compiled
    """Per document, its distinct ``(x ^ (x >> 32)) mod 2**32`` values sorted, written to
    ``out`` one document after another; ``counts[i]`` gets document ``i``'s number.
    Returns how many values were written.  The values are hashes, so spread evenly: one
    counting pass on their top bits (about one bucket per value) leaves each close to
    its place and an insertion sort finishes in about one step per value, linear where
    a comparison sort is ``n log n`` (the numpy path sorts the batch's ``(document,
    value)`` keys at once; same arrays)."""
    n = offsets.shape[0] - 1
    longest = 0
    for i in range(n):
        longest = max(longest, offsets[i + 1] - offsets[i])
    seg = np.empty(longest, np.uint32)
    tmp = np.empty(longest, np.uint32)
    hist = np.zeros(4097, np.int64)
    w = 0
    for i in range(n):
        a = offsets[i]
        size = offsets[i + 1] - a
        if size == 0:
            counts[i] = 0
            continue
        if size > _BIG_DOC:
            for s in range(size):
                v = h[a + s]
                seg[s] = np.uint32(v ^ (v >> _S32))
            srt = np.sort(seg[:size])
        else:
            bits = 1
            while bits < 12 and (1 << bits) < size:
                bits += 1
            shift = np.uint32(32 - bits)
            hist[:(1 << bits) + 1] = 0
            for s in range(size):  # fold and count in one pass
                v = h[a + s]
                x = np.uint32(v ^ (v >> _S32))
                seg[s] = x
                hist[(x >> shift) + 1] += 1
            for b in range(1, (1 << bits) + 1):
                hist[b] += hist[b - 1]
            for s in range(size):
                x = seg[s]
                k = x >> shift
                tmp[hist[k]] = x
                hist[k] += 1
            for s in range(1, size):  # each value is within its bucket of its place
                x = tmp[s]
                j = s
                while j > 0 and tmp[j - 1] > x:
                    tmp[j] = tmp[j - 1]
                    j -= 1
                tmp[j] = x
            srt = tmp[:size]
        out[w] = srt[0]
        w += 1
        c = 1
        for s in range(1, size):
            if srt[s] != srt[s - 1]:
                out[w] = srt[s]
                w += 1
                c += 1
        counts[i] = c
    return w


@numba.njit(inline="always")
def _fmix(x):  # pragma: no cover - compiled
    x ^= x >> _S33
    x *= _M1
    x ^= x >> _S33
    x *= _M2
    return x ^ (x >> _S33)


@numba.njit("void(uint64[::1], int64[::1], uint64[::1])", **_OPTS)
def exact_keys_into(h, offsets, out):  # pragma: no cover - compiled
    """``out[i]``: the 64-bit key of document ``i``'s shingle sequence
    ``h[offsets[i]:offsets[i + 1]]``, ``fmix64(sum_j fmix64(h_j + (j + 1) Q) + n P)``
    (wrapping; ``overlap.signature_store.exact_keys`` computes the same in numpy).
    Equal sequences get equal keys; two different ones share a key with probability
    about ``2**-64``.  One pass, no Python object per document."""
    for i in range(offsets.shape[0] - 1):
        a = offsets[i]
        e = offsets[i + 1]
        acc = np.uint64(0)
        doc = h[a:e]  # a view from 0: contiguous vector loads, not a gather
        for j in range(doc.shape[0]):
            acc += _fmix(doc[j] + np.uint64(j + 1) * _Q)
        out[i] = _fmix(acc + np.uint64(e - a) * _P)


@numba.njit("void(int64[::1], int64[::1], uint8[::1], int64[::1])", **_OPTS)
def greedy_into(better, worse, alive, chosen):  # pragma: no cover - compiled
    """Keep-order removal over edges sorted by the worse end's rank (``overlap.dedup``):
    edge ``e`` removes ``worse[e]`` when both ends are still kept; ``chosen`` gets ``e``."""
    for e in range(better.shape[0]):
        w = worse[e]
        if alive[w] and alive[better[e]]:
            alive[w] = 0
            chosen[w] = e


@numba.njit(cache=True, nogil=True, error_model="numpy", boundscheck=False)
def _need(na, nb, cut, containment):  # pragma: no cover - compiled
    """The least intersection ``i`` whose similarity, computed as ``bucket_greedy_into``
    computes it (same float64 division), is ``>= cut``; ``min(na, nb) + 1`` when none is.
    The similarity grows with ``i`` and rounding is monotone, so any smaller
    intersection gives a similarity ``< cut``: pruning on it never changes a decision."""
    lo = min(na, nb)
    if containment:
        d = lo if lo > 1 else 1
        i = max(0, min(lo, np.int64(cut * d) - 1))
        while i > 0 and (i - 1) / d >= cut:
            i -= 1
        while i <= lo and i / d < cut:
            i += 1
        return i
    s = na + nb
    if s == 0:
        return 0
    i = max(0, min(lo, np.int64(cut * s / (1.0 + cut)) - 1))
    while i > 0 and (i - 1) / (s - i + 1) >= cut:
        i -= 1
    while i <= lo and i / (s - i) < cut:
        i += 1
    return i


@numba.njit(cache=True, nogil=True, error_model="numpy", boundscheck=False)
def _may_reach(sets, a, ae, bits, need):  # pragma: no cover - compiled
    """Whether ``sets[a:ae]`` may share ``need`` values with the set whose low 16 bits are
    marked in ``bits`` (a 65,536-bit map): each shared value hits a marked bit, so fewer
    hits means fewer shared values.  One pass, stopped at the first sure shortfall."""
    spare = ae - a - need  # values that may miss
    if spare < 0:
        return False
    for i in range(a, ae):
        x = sets[i] & 0xFFFF
        spare -= 1 - ((bits[x >> 6] >> np.uint64(x & 63)) & 1)
        if spare < 0:
            return False
    return True


@numba.njit(cache=True, nogil=True, error_model="numpy", boundscheck=False)
def _inter_at_least(sets, a, ae, x, ve, need):  # pragma: no cover - compiled
    """``|A & B|`` of the sorted sets ``sets[a:ae]`` and ``sets[x:ve]``, or -1 as soon as
    it cannot reach ``need``: each side may leave at most ``size - need`` of its values
    unmatched.  Branch-free steps (the comparisons are unpredictable)."""
    miss_a = ae - a - need
    miss_b = ve - x - need
    if miss_a < 0 or miss_b < 0:
        return -1
    inter = 0
    ma = 0
    mb = 0
    while a < ae and x < ve:
        p = sets[a]
        q = sets[x]
        lt = p < q
        gt = q < p
        inter += 1 - lt - gt
        ma += lt
        mb += gt
        a += 1 - gt
        x += 1 - lt
        if ma > miss_a or mb > miss_b:
            return -1
    return inter


@numba.njit("void(uint32[:, ::1], int64[::1], int64, int64, int32[::1], int32[::1], int32[::1], int32[::1])", **_OPTS)
def bucket_layout_into(sigs, alive, bands, rows, members, pos, bstart, bsize):  # pragma: no cover - compiled
    """``overlap.dedup_buckets.bucket_layout`` of the ``m`` documents ``alive``, into the
    four ``m * bands`` arrays (``bsize`` zero except at bucket starts).

    Band ``b``'s keys are ``lsh.band_keys``' (start at ``(b + 1) * _MIX``, then ``fmix64``
    of the key xor each of the band's ``rows`` values, in order).  Their stable argsort is
    a counting pass on the top ``_LAYOUT_BITS`` bits (stable: index order within a bin)
    and then an insertion sort (stable: it moves a key only past greater ones), which
    only moves keys within their bin: about one key per bin here, hash keys being
    uniform.  Then the runs of equal keys are the buckets."""
    m = alive.shape[0]
    keys = np.empty((bands, m), dtype=np.uint64)
    for i in range(m):
        g = alive[i]
        for b in range(bands):
            acc = np.uint64(b + 1) * _MIX
            for j in range(rows):
                x = acc ^ np.uint64(sigs[g, b * rows + j])
                x ^= x >> _S33
                x *= _M1
                x ^= x >> _S33
                x *= _M2
                acc = x ^ (x >> _S33)
            keys[b, i] = acc
    shift = np.uint64(64 - _LAYOUT_BITS)
    count = np.empty((1 << _LAYOUT_BITS) + 1, dtype=np.int64)
    sk = np.empty(m, dtype=np.uint64)
    for b in range(bands):
        base = b * m
        kb = keys[b]
        count[:] = 0
        for i in range(m):
            count[np.int64(kb[i] >> shift) + 1] += 1
        for c in range(1 << _LAYOUT_BITS):
            count[c + 1] += count[c]
        for i in range(m):
            c = np.int64(kb[i] >> shift)
            r = count[c]
            count[c] = r + 1
            sk[r] = kb[i]
            members[base + r] = i
        for r in range(1, m):
            x = sk[r]
            if sk[r - 1] <= x:
                continue
            d = members[base + r]
            q = r
            while q > 0 and sk[q - 1] > x:
                sk[q] = sk[q - 1]
                members[base + q] = members[base + q - 1]
                q -= 1
            sk[q] = x
            members[base + q] = d
        s = 0
        for r in range(1, m + 1):
            if r == m or sk[r] != sk[r - 1]:
                bsize[base + s] = r - s
                for q in range(s, r):
                    bstart[base + q] = base + s
                s = r
        for r in range(m):
            pos[np.int64(members[base + r]) * bands + b] = base + r


@numba.njit(
    "void(int32[::1], int32[::1], int32[::1], int32[::1], int64[::1], int64[::1], int64[::1], int64, int64,"
    " uint32[:, ::1], uint32[::1], int64[::1], float64, float64, boolean, int64[::1], float64[::1])",
    **_OPTS,
)
def bucket_greedy_into(  # pragma: no cover - compiled
    members, pos, bstart, bsize, alive, ranked, order, bands, max_bucket,
    sigs, sets, offsets, est_cut, threshold, containment, chosen, chosen_exact,
):
    """Keep-order removal straight from LSH buckets (``overlap.dedup``).

    ``members[p]``: local document at band-major sorted position ``p`` (buckets are runs);
    ``pos[d * bands + b]``: position of local document ``d`` in band ``b``; ``bstart[p]``:
    start of the bucket holding ``p``; ``bsize[s]``: size of the bucket starting at ``s``;
    ``alive[d]``: global index of local ``d``; ``ranked``: locals from first kept to last;
    ``order[g]``: rank of global ``g``.  ``pos`` is overwritten (with each document and
    band's bucket, coded as in the first loop).  Going down the ranking, document ``v`` is checked
    against the kept members of its buckets (a bucket over ``max_bucket`` members: only
    its neighbours in index order, ``lsh.candidate_pairs``' chain), each once: estimate
    ``>= est_cut``, then exact similarity ``>= threshold``; the most similar (ties: the
    better-ranked) removes ``v``: ``chosen[g]`` = its global index, ``chosen_exact[g]``
    the similarity.  Otherwise ``v`` is kept and joins its buckets' kept lists.  These
    are exactly the edges the all-pairs pass (``greedy_into``) would take first.

    Cheapest first, without changing a decision: the candidates that pass the estimate
    are verified most-agreeing signature first, and each exact intersection stops as
    soon as it cannot reach the threshold or the best similarity found so far
    (``_need``, ``_inter_at_least``), so once a close copy is found the others are
    dismissed within a few steps of their merge."""
    m = ranked.shape[0]
    num_perm = sigs.shape[1]
    state = np.zeros(m, dtype=np.uint8)  # 0 undecided, 1 kept, 2 removed
    seen = np.full(order.shape[0], -1, dtype=np.int64)  # by global index: no alive[] lookup
    kcount = np.zeros(members.shape[0], dtype=np.int32)  # kept members, at bucket starts
    kept = np.empty(members.shape[0], dtype=np.int32)  # kept lists (global), in each bucket's slots
    cand = np.empty(m, dtype=np.int64)  # one document's candidates: (disagreements << 32) | global
    bits = np.zeros(1024, dtype=np.uint64)  # the low 16 bits of the values of the document checked
    # ``pos`` becomes each (document, band)'s bucket code, written in one sequential pass
    # over the buckets so that the loop below needs no dependent lookups for it: -1 a
    # bucket of one, ``s >= 0`` the start of a bucket checked through its kept list,
    # ``-2 - p`` a bucket over ``max_bucket`` (chain: ``p`` is the document's position).
    for b in range(bands):
        base = b * m
        for q in range(m):
            p = base + q
            s = bstart[p]
            size = bsize[s]
            if size < 2:
                code = -1
            elif max_bucket >= 2 and size > max_bucket:
                code = -2 - p
            else:
                code = s
            pos[np.int64(members[p]) * bands + b] = code
    for r in range(m):
        v = ranked[r]
        gv = alive[v]
        k = 0
        for b in range(bands):
            code = np.int64(pos[v * bands + b])
            if code == -1:
                continue
            chain = code < 0
            if chain:
                p = -2 - code
                s = bstart[p]
                size = bsize[s]
                c0 = p - 1 if p > s else p
                c1 = (p + 1 if p + 1 < s + size else p) + 1
            else:
                p = -1
                s = code
                c0 = 0
                c1 = kcount[s]
            for c in range(c0, c1):
                if chain:
                    u = members[c]
                    if c == p or state[u] != 1:
                        continue
                    gu = alive[u]
                else:
                    gu = np.int64(kept[s + c])
                if seen[gu] == r:
                    continue
                seen[gu] = r
                same = 0
                for j in range(num_perm):
                    same += sigs[gu, j] == sigs[gv, j]
                if same / num_perm < est_cut:
                    continue
                key = (np.int64(num_perm - same) << 32) | gu  # insertion sort: few candidates
                i = k
                while i > 0 and cand[i - 1] > key:
                    cand[i] = cand[i - 1]
                    i -= 1
                cand[i] = key
                k += 1
        best = -1
        best_exact = -1.0
        best_rank = 0
        va = offsets[gv]
        ve = offsets[gv + 1]
        for i in range(va, ve if k else va):
            x = sets[i] & 0xFFFF
            bits[x >> 6] |= np.uint64(1) << np.uint64(x & 63)
        for i in range(k):
            gu = cand[i] & 0xFFFFFFFF
            a = offsets[gu]
            ae = offsets[gu + 1]
            need = _need(ae - a, ve - va, max(threshold, best_exact), containment)
            if not _may_reach(sets, a, ae, bits, need):
                continue
            inter = _inter_at_least(sets, a, ae, va, ve, need)
            if inter < 0:
                continue
            na = ae - a
            nb = ve - va
            if containment:
                lo_n = min(na, nb)
                exact = inter / (lo_n if lo_n > 1 else 1)
            else:
                union = na + nb - inter
                exact = inter / union if union > 0 else 1.0
            if exact >= threshold:
                ru = order[gu]
                if exact > best_exact or (exact == best_exact and ru < best_rank):
                    best = gu
                    best_exact = exact
                    best_rank = ru
        for i in range(va, ve if k else va):
            bits[(sets[i] & 0xFFFF) >> 6] = 0
        if best >= 0:
            state[v] = 2
            chosen[gv] = best
            chosen_exact[gv] = best_exact
        else:
            state[v] = 1
            for b in range(bands):
                s = pos[v * bands + b]
                if s >= 0:
                    kept[s + kcount[s]] = gv
                    kcount[s] += 1
