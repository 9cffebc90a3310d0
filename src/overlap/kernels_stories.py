"""Compiled (numba) kernel behind ``overlap.stories.cluster``.

``average_linkage_into(lo, hi, weight, threshold, label)``
    Merge groups of documents greedily, best mean link weight first, exactly as
    ``overlap.stories``'s Python loop does, and write each linked document's final group
    (its smallest member) into ``label``; ``-1`` for documents without a link.

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

__all__ = ["average_linkage_into"]

_OPTS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}
_STALE = 1e-12  # a heap entry whose mean differs more than this from the pair's is stale


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
