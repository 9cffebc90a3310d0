"""Compiled (numba) core of ``overlap.align``: seeds -> runs -> chains -> extension -> filter.

``chains(sa, sb, ha, hb, k, max_rep, max_gap, min_tokens, min_density) -> int64 array (n, 5)``
    The kept chains as rows ``(a0, a1, b0, b1, matched)``: the same rows, in the same order, as the pure-Python steps of ``overlap.align``
    (``_seed_pairs``, ``_runs``, ``_chain``, ``_extend`` and the ``min_tokens`` /
    ``min_density`` filter); ``tests/test_align_jit.py`` checks both on the seeds and on
    random token sequences.
``overlap_counts(sa, sb) -> (distinct in sa, distinct in sb, distinct in both)``
    The counts behind ``compare``'s Jaccard and containment, from unsorted shingles.

The inputs are each text's k-token shingles (``shingle.shingles``, in text order) and
token hashes.  The steps differ from the Python ones only where no sort is needed: seeds
come from a hash table of b's shingles (with their positions, ascending) probed with a's
in text order, so seeds arrive in (i, j) order and runs are made in the (a0, b0) order
``_runs`` sorts them into; shingles repeated more than ``max_rep`` times on a side are
dropped as there.  The greedy chain keeps its open chains in the Python list's order, so
ties go the same way.  Cost: O(n + m + seeds + runs x open chains), no sort.

Only ``align.use_jit()`` imports this module (``import numba`` alone takes ~0.3 s, which
``overlap compare`` on two files must not pay); ``scan``'s workers have numba loaded
anyway for MinHash.  The one signature is compiled at import, or loaded from numba's
on-disk cache (``cache=True``): ~4 s the first time on a machine, then well under a
second.  Cost: about 0.02 ms per pair of 550-token news texts (call overhead included),
against ~0.35 ms for the Python steps.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["chains", "overlap_counts"]

_OPTS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}


@numba.njit("boolean(uint64[::1], uint64[::1], int64, int64)", inline="always", **_OPTS)
def _eq(ha, hb, x, y):  # pragma: no cover - compiled
    return 0 <= x < ha.shape[0] and 0 <= y < hb.shape[0] and ha[x] == hb[y]


@numba.njit(
    "int64[:, ::1](uint64[::1], uint64[::1], uint64[::1], uint64[::1], int64, int64, int64, int64, float64)",
    **_OPTS,
)
def chains(sa, sb, ha, hb, k, max_rep, max_gap, min_tokens, min_density):  # pragma: no cover - compiled
    na = ha.shape[0]
    nb = hb.shape[0]
    ma = sa.shape[0]
    mb = sb.shape[0]
    if na < k or nb < k or ma == 0 or mb == 0:
        return np.empty((0, 5), np.int64)
    # ---- seeds: a hash table of b's shingles (open addressing; the hashes are already
    # mixed, so their low bits index it), each slot with b's positions in ascending order
    size = 1
    while size < 2 * mb:
        size *= 2
    mask = size - 1
    keys = np.empty(size, np.uint64)
    head = np.full(size, -1, np.int64)
    count_b = np.zeros(size, np.int64)
    count_a = np.zeros(size, np.int64)
    nxt = np.empty(mb, np.int64)
    for j in range(mb - 1, -1, -1):
        h = sb[j]
        s = np.int64(h & np.uint64(mask))
        while head[s] >= 0 and keys[s] != h:
            s = (s + 1) & mask
        keys[s] = h
        nxt[j] = head[s]
        head[s] = j
        count_b[s] += 1
    slot_a = np.empty(ma, np.int64)
    for i in range(ma):
        h = sa[i]
        s = np.int64(h & np.uint64(mask))
        while head[s] >= 0 and keys[s] != h:
            s = (s + 1) & mask
        if head[s] >= 0:
            count_a[s] += 1
            slot_a[i] = s
        else:
            slot_a[i] = -1
    npairs = 0
    for i in range(ma):
        s = slot_a[i]
        if s >= 0 and count_a[s] <= max_rep and count_b[s] <= max_rep:
            npairs += count_b[s]
        else:
            slot_a[i] = -1
    if npairs == 0:
        return np.empty((0, 5), np.int64)
    # ---- runs: seeds on one diagonal that touch, as (a0, a1, b0, b1).  Seeds come in
    # (i, j) order, so runs are made in (a0, b0) order, the order ``_runs`` sorts them in.
    runs = np.empty((npairs, 4), np.int64)
    last_i = np.full(na + nb + 1, -2, np.int64)  # per diagonal j - i + na: its last seed's i
    run_of = np.empty(na + nb + 1, np.int64)
    nr = 0
    for i in range(ma):
        s = slot_a[i]
        if s < 0:
            continue
        j = head[s]
        while j >= 0:
            d = j - i + na
            if last_i[d] == i - 1:
                runs[run_of[d], 1] = i + k
            else:
                runs[nr, 0] = i
                runs[nr, 1] = i + k
                runs[nr, 2] = j
                run_of[d] = nr
                nr += 1
            last_i[d] = i
            j = nxt[j]
    for r in range(nr):
        runs[r, 3] = runs[r, 2] + runs[r, 1] - runs[r, 0]
    # ---- chains: greedy, in a-order; open chains kept in creation order
    ch = np.empty((nr, 5), np.int64)
    open_ = np.empty(nr, np.int64)
    nch = 0
    nopen = 0
    for r in range(nr):
        a0 = runs[r, 0]
        a1 = runs[r, 1]
        b0 = runs[r, 2]
        b1 = runs[r, 3]
        best = -1
        best_gap = 0
        w = 0
        for t in range(nopen):
            c = open_[t]
            if a0 - ch[c, 1] > max_gap:
                continue  # too far behind in a: closed for good
            open_[w] = c
            w += 1
            ga = a0 - ch[c, 1]
            gb = b0 - ch[c, 3]
            if ga < -k or gb < -k or gb > max_gap or a1 <= ch[c, 1] or b1 <= ch[c, 3]:
                continue
            if 2 * min(ch[c, 4], a1 - a0) < max(ga, gb):
                continue
            gap = max(ga, 0) + max(gb, 0)
            if best < 0 or gap < best_gap:
                best = c
                best_gap = gap
        nopen = w
        if best < 0:
            ch[nch, 0] = a0
            ch[nch, 1] = a1
            ch[nch, 2] = b0
            ch[nch, 3] = b1
            ch[nch, 4] = a1 - a0
            open_[nopen] = nch
            nopen += 1
            nch += 1
            continue
        trim = max(ch[best, 1] - a0, ch[best, 3] - b0, 0)
        ch[best, 1] = a1
        ch[best, 3] = b1
        ch[best, 4] += max(a1 - a0 - trim, 0)
    # ---- extension over up to 2 differing tokens at each end, then the filter.  The walk
    # from a position does not depend on the chain, so each position's outcome is kept in
    # a direct-mapped cache per direction (``align._walk`` keeps a dict): a walk that
    # reaches a cached position stops there, and chains that all extend through the
    # rest of the text cost linear time in all.  A collision only overwrites an entry.
    # As there, only positions with ``xa`` a multiple of 16 are cached (a walk meets one
    # within a few steps), and the slot uses ``xa >> 4`` times an odd number, so a long
    # diagonal fills distinct slots instead of overwriting itself.
    max_edit = 2
    csize = 64
    while csize < 2 * (na + 1) and csize < (1 << 20):
        csize *= 2
    cmask = csize - 1
    ckey = np.full((2, csize), -1, np.int64)
    cfx = np.empty((2, csize), np.int64)
    cfy = np.empty((2, csize), np.int64)
    cst = np.empty((2, csize), np.int64)
    px_buf = np.empty(64, np.int64)
    py_buf = np.empty(64, np.int64)
    stride = nb + 2
    out = np.empty((nch, 5), np.int64)
    nout = 0
    for c in range(nch):
        if ch[c, 4] + 2 * 2 < min_tokens:
            continue
        a0 = ch[c, 0]
        a1 = ch[c, 1]
        b0 = ch[c, 2]
        b1 = ch[c, 3]
        m = ch[c, 4]
        for side in range(2):
            direction = 1 if side == 0 else -1
            if direction == 1:
                xa = a1
                xb = b1
            else:
                xa = a0 - 1
                xb = b0 - 1
            npath = 0
            steps = 0
            while True:
                key = (xa + 1) * stride + (xb + 1)
                slot = ((xa >> 4) * 40503 + xb) & cmask
                if (xa & 15) == 0 and ckey[side, slot] == key:
                    steps = cst[side, slot]
                    nxa = cfx[side, slot]
                    xb = cfy[side, slot]
                    xa = nxa
                    break
                if _eq(ha, hb, xa, xb):
                    sa = 0
                    sb = 0
                else:
                    sa = -1
                    sb = -1
                    for da in range(max_edit + 1):
                        for db in range(max_edit + 1):
                            if (da == 0 and db == 0) or (sa >= 0 and da + db >= sa + sb):
                                continue
                            px = xa + direction * da
                            py = xb + direction * db
                            if _eq(ha, hb, px, py) and (da == db or _eq(ha, hb, px + direction, py + direction)):
                                sa = da
                                sb = db
                    if sa < 0:
                        break
                if npath == px_buf.shape[0]:
                    grown_x = np.empty(2 * npath, np.int64)
                    grown_y = np.empty(2 * npath, np.int64)
                    grown_x[:npath] = px_buf
                    grown_y[:npath] = py_buf
                    px_buf = grown_x
                    py_buf = grown_y
                px_buf[npath] = xa
                py_buf[npath] = xb
                npath += 1
                xa += direction * (sa + 1)
                xb += direction * (sb + 1)
            for t in range(npath):
                px = px_buf[t]
                py = py_buf[t]
                if (px & 15) != 0:
                    continue
                slot = ((px >> 4) * 40503 + py) & cmask
                ckey[side, slot] = (px + 1) * stride + (py + 1)
                cfx[side, slot] = xa
                cfy[side, slot] = xb
                cst[side, slot] = steps + npath - t
            m += steps + npath
            if direction == 1:
                a1 = xa
                b1 = xb
            else:
                a0 = xa + 1
                b0 = xb + 1
        if m < min_tokens:
            continue
        if m < min_density * (a1 - a0) or m < min_density * (b1 - b0):
            continue
        out[nout, 0] = a0
        out[nout, 1] = a1
        out[nout, 2] = b0
        out[nout, 3] = b1
        out[nout, 4] = m
        nout += 1
    return out[:nout].copy()


@numba.njit("UniTuple(int64, 3)(uint64[::1], uint64[::1])", **_OPTS)
def overlap_counts(sa, sb):  # pragma: no cover - compiled
    """(distinct values of sa, distinct values of sb, distinct values in both).

    What ``pipeline._similarity`` reads from two sorted unique shingle sets, here from
    the unsorted shingles through one hash table: no per-text sort.
    """
    size = 1
    while size < 2 * (sa.shape[0] + sb.shape[0]):
        size *= 2
    mask = size - 1
    keys = np.empty(size, np.uint64)
    state = np.zeros(size, np.uint8)  # 0 empty, 1 in a, 2 in b only, 3 in both
    na = 0
    for i in range(sa.shape[0]):
        h = sa[i]
        s = np.int64(h & np.uint64(mask))
        while state[s] != 0 and keys[s] != h:
            s = (s + 1) & mask
        if state[s] == 0:
            keys[s] = h
            state[s] = 1
            na += 1
    nb = 0
    both = 0
    for j in range(sb.shape[0]):
        h = sb[j]
        s = np.int64(h & np.uint64(mask))
        while state[s] != 0 and keys[s] != h:
            s = (s + 1) & mask
        if state[s] == 0:
            keys[s] = h
            state[s] = 2
            nb += 1
        elif state[s] == 1:
            state[s] = 3
            nb += 1
            both += 1
    return na, nb, both
