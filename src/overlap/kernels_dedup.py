"""Compiled (numba) kernels of ``overlap.dedup`` and ``overlap.signature_store``: exact
verification, shingle sets and the keep-order pass.

``intersections_into(sets, offsets, left, right, out)``
    Sizes of the intersections of pairs of sorted per-document sets (``overlap.dedup``).
``distinct_sets_into(h, offsets, out, counts) -> int``
    Each document's distinct shingle hashes folded to 32 bits, sorted, written one
    document after another (``overlap.signature_store``'s shingle sets).
``greedy_into(better, worse, alive, chosen)``
    The keep-order removal pass of ``overlap.dedup`` over sorted edges.
``bucket_greedy_into(...)``
    The same pass straight from LSH buckets, checking each document only against the
    kept documents of its buckets (``overlap.dedup``'s default; no pair list).

Loaded through ``overlap.kernels`` (which re-exports them) by ``overlap.jit.load_kernels()``;
the dtypes and contiguity rules of ``overlap.kernels`` apply.  Each is linear in its
input (the bucket pass: in the kept members it checks).
"""

from __future__ import annotations


import numba
import numpy as np

__all__ = ["bucket_greedy_into", "distinct_sets_into", "greedy_into", "intersections_into"]

_S32 = np.uint64(32)
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


@numba.njit("int64(uint64[::1], int64[::1], uint32[::1], int64[::1])", **_OPTS)
def distinct_sets_into(h, offsets, out, counts):  # pragma: no cover - compiled
    """Per document, its distinct ``(x ^ (x >> 32)) mod 2**32`` values sorted, written to
    ``out`` one document after another; ``counts[i]`` gets document ``i``'s number.
    Returns how many values were written.  One small sort per document (cache-resident),
    where the numpy path sorts the whole batch's ``(document, value)`` keys at once."""
    n = offsets.shape[0] - 1
    w = 0
    for i in range(n):
        a = offsets[i]
        e = offsets[i + 1]
        if e == a:
            counts[i] = 0
            continue
        seg = np.empty(e - a, np.uint32)
        for s in range(a, e):
            v = h[s]
            seg[s - a] = np.uint32(v ^ (v >> _S32))
        seg.sort()
        out[w] = seg[0]
        w += 1
        c = 1
        for s in range(1, e - a):
            if seg[s] != seg[s - 1]:
                out[w] = seg[s]
                w += 1
                c += 1
        counts[i] = c
    return w


@numba.njit("void(int64[::1], int64[::1], uint8[::1], int64[::1])", **_OPTS)
def greedy_into(better, worse, alive, chosen):  # pragma: no cover - compiled
    """Keep-order removal over edges sorted by the worse end's rank (``overlap.dedup``):
    edge ``e`` removes ``worse[e]`` when both ends are still kept; ``chosen`` gets ``e``."""
    for e in range(better.shape[0]):
        w = worse[e]
        if alive[w] and alive[better[e]]:
            alive[w] = 0
            chosen[w] = e


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
    ``order[g]``: rank of global ``g``.  Going down the ranking, document ``v`` is checked
    against the kept members of its buckets (a bucket over ``max_bucket`` members: only
    its neighbours in index order, ``lsh.candidate_pairs``' chain), each once: estimate
    ``>= est_cut``, then exact similarity ``>= threshold``; the most similar (ties: the
    better-ranked) removes ``v``: ``chosen[g]`` = its global index, ``chosen_exact[g]``
    the similarity.  Otherwise ``v`` is kept and joins its buckets' kept lists.  These
    are exactly the edges the all-pairs pass (``greedy_into``) would take first."""
    m = ranked.shape[0]
    num_perm = sigs.shape[1]
    state = np.zeros(m, dtype=np.uint8)  # 0 undecided, 1 kept, 2 removed
    seen = np.full(m, -1, dtype=np.int64)
    kcount = np.zeros(members.shape[0], dtype=np.int32)  # kept members, at bucket starts
    kept = np.empty(members.shape[0], dtype=np.int32)  # kept lists, in each bucket's slots
    for r in range(m):
        v = ranked[r]
        gv = alive[v]
        best = -1
        best_exact = -1.0
        best_rank = 0
        va = offsets[gv]
        ve = offsets[gv + 1]
        for b in range(bands):
            p = pos[v * bands + b]
            s = bstart[p]
            size = bsize[s]
            if size < 2:
                continue
            if max_bucket >= 2 and size > max_bucket:
                lo = p - 1 if p > s else p
                hi = p + 1 if p + 1 < s + size else p
                c0 = lo
                c1 = hi + 1
            else:
                c0 = 0
                c1 = kcount[s]
            for c in range(c0, c1):
                if max_bucket >= 2 and size > max_bucket:
                    u = members[c]
                    if c == p or state[u] != 1:
                        continue
                else:
                    u = kept[s + c]
                if seen[u] == r:
                    continue
                seen[u] = r
                gu = alive[u]
                same = 0
                for k in range(num_perm):
                    if sigs[gu, k] == sigs[gv, k]:
                        same += 1
                if same / num_perm < est_cut:
                    continue
                a = offsets[gu]
                ae = offsets[gu + 1]
                x = va
                inter = 0
                while a < ae and x < ve:
                    if sets[a] == sets[x]:
                        inter += 1
                        a += 1
                        x += 1
                    elif sets[a] < sets[x]:
                        a += 1
                    else:
                        x += 1
                na = offsets[gu + 1] - offsets[gu]
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
        if best >= 0:
            state[v] = 2
            chosen[gv] = best
            chosen_exact[gv] = best_exact
        else:
            state[v] = 1
            for b in range(bands):
                p = pos[v * bands + b]
                s = bstart[p]
                size = bsize[s]
                if size >= 2 and not (max_bucket >= 2 and size > max_bucket):
                    kept[s + kcount[s]] = v
                    kcount[s] += 1
