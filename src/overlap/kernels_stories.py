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
and the heap (4-ary) in one flat array of triples.  Cost: O(E log E) for E links,
as the Python loop.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["average_linkage_into"]

_OPTS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}
_STALE = 1e-12  # a heap entry whose mean differs more than this from the pair's is stale


@numba.njit("boolean(float64, float64, float64, float64, float64, float64)", inline="always", **_OPTS)
def _less(x, a, b, y, c, d):  # pragma: no cover - compiled
    """``(x, a, b) < (y, c, d)`` as Python compares tuples."""
    if x != y:
        return x < y
    if a != c:
        return a < c
    return b < d


# The heap: entry k is ``(-mean, a, b)`` at ``hp[3k : 3k + 3]`` (the documents as exact
# float64), 4 children per entry (``4k + 1 .. 4k + 4``): a pop reads about half the levels
# of a binary heap, and each entry is one contiguous triple, so a merge queue of millions
# costs a few cache misses per level instead of one per array per level.  Pop order is
# the same as any heap's: always the smallest tuple.


@numba.njit("void(float64[::1], int64)", **_OPTS)
def _sift_up(hp, k):  # pragma: no cover - compiled
    """Move heap entry ``k`` up to its place (after an append)."""
    x, a, b = hp[3 * k], hp[3 * k + 1], hp[3 * k + 2]
    while k > 0:
        p = (k - 1) >> 2
        if not _less(x, a, b, hp[3 * p], hp[3 * p + 1], hp[3 * p + 2]):
            break
        hp[3 * k], hp[3 * k + 1], hp[3 * k + 2] = hp[3 * p], hp[3 * p + 1], hp[3 * p + 2]
        k = p
    hp[3 * k], hp[3 * k + 1], hp[3 * k + 2] = x, a, b


@numba.njit("void(float64[::1], int64)", **_OPTS)
def _sift_down(hp, size):  # pragma: no cover - compiled
    """Move the root of a heap of ``size`` entries down to its place (after a pop)."""
    x, a, b = hp[0], hp[1], hp[2]
    k = 0
    while True:
        c = 4 * k + 1
        if c >= size:
            break
        best = c
        for c2 in range(c + 1, min(c + 4, size)):
            if _less(hp[3 * c2], hp[3 * c2 + 1], hp[3 * c2 + 2], hp[3 * best], hp[3 * best + 1], hp[3 * best + 2]):
                best = c2
        if not _less(hp[3 * best], hp[3 * best + 1], hp[3 * best + 2], x, a, b):
            break
        hp[3 * k], hp[3 * k + 1], hp[3 * k + 2] = hp[3 * best], hp[3 * best + 1], hp[3 * best + 2]
        k = best
    hp[3 * k], hp[3 * k + 1], hp[3 * k + 2] = x, a, b


@numba.njit("float64[::1](float64[::1])", **_OPTS)
def _grown(hp):  # pragma: no cover - compiled
    """The heap's array with twice the room."""
    h2 = np.empty(2 * hp.shape[0])
    h2[: hp.shape[0]] = hp
    return h2


_EMPTY = -1  # a free slot of the link table
_GONE = -2  # a deleted entry (probing goes on past it)
_MUL = np.uint64(0x9E3779B97F4A7C15)


@numba.njit("int64(int64, int64)", inline="always", **_OPTS)
def _home(key, cap):  # pragma: no cover - compiled
    """``key``'s first slot in a table of ``cap`` slots: the top 32 bits of a multiplicative
    hash scaled to ``[0, cap)`` (any capacity, not only powers of 2)."""
    h = (np.uint64(key) * _MUL) >> np.uint64(32)
    return np.int64((h * np.uint64(cap)) >> np.uint64(32))


@numba.njit("int64(int64[::1], int64)", inline="always", **_OPTS)
def _find(keys, key):  # pragma: no cover - compiled
    """The table position of ``key``, or -1 (linear probing)."""
    cap = keys.shape[0]
    i = _home(key, cap)
    while True:
        k = keys[i]
        if k == key:
            return i
        if k == _EMPTY:
            return -1
        i += 1
        if i == cap:
            i = 0


@numba.njit("int64(int64[::1], int64)", inline="always", **_OPTS)
def _free(keys, key):  # pragma: no cover - compiled
    """A position to insert ``key`` (absent) at: the first empty or deleted one probed."""
    cap = keys.shape[0]
    i = _home(key, cap)
    while keys[i] >= 0:
        i += 1
        if i == cap:
            i = 0
    return i


@numba.njit("int64(int64)", **_OPTS)
def _capacity(live):  # pragma: no cover - compiled
    """Slots (at least 256) that hold ``live`` entries at most 60% full: sized to the
    entries, not rounded up to a power of 2 (which could leave the table a third full)."""
    return max(256, (live * 5 + 2) // 3)


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


@numba.njit("int64(int64[::1], int64[::1], int64[::1], int64[::1])", **_OPTS)
def _compacted(pool, start, length, room):  # pragma: no cover - compiled
    """Slide every non-empty row's list, with its room, down to the pool's start in pool
    order: the places lists moved away from, and the empty rows' room, are reclaimed.
    Returns the pool's new end."""
    end = 0
    for r in np.argsort(start, kind="mergesort"):
        if length[r] == 0:
            room[r] = 0
            continue
        s = start[r]
        for x in range(length[r]):  # end <= s: a forward copy never overwrites unread items
            pool[end + x] = pool[s + x]
        start[r] = end
        end += room[r]
    return end


@numba.njit(
    "Tuple((int64[::1], int64))(int64[::1], int64[::1], int64[::1], int64[::1], int64, int64, int64)", **_OPTS
)
def _append(pool, start, length, room, used, r, g):  # pragma: no cover - compiled
    """Append ``g`` to row ``r``'s neighbour list; a full list moves to the pool's end
    with twice the room, and a full pool grows by half (rows keep their places, so a
    caller walking a row stays valid).  Returns ``(pool, used)``."""
    if length[r] == room[r]:
        need = 2 * room[r] + 1
        if used + need > pool.shape[0]:
            grown = np.empty(pool.shape[0] + pool.shape[0] // 2 + need, np.int64)
            grown[:used] = pool[:used]
            pool = grown
        pool[used : used + length[r]] = pool[start[r] : start[r] + length[r]]
        start[r] = used
        room[r] = need
        used += need
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
    strong = 0
    for k in range(e):
        if weight[k] >= threshold:
            strong += 1
    hp = np.empty(3 * max(16, strong))  # grows (``_grown``) as merges push means
    top = 0
    compacted = used
    for k in range(e):
        if weight[k] >= threshold:
            hp[3 * top], hp[3 * top + 1], hp[3 * top + 2] = -weight[k], lo[k], hi[k]
            _sift_up(hp, top)
            top += 1
    while top > 0:
        neg, a, b = hp[0], np.int64(hp[1]), np.int64(hp[2])
        top -= 1
        if top > 0:
            hp[0], hp[1], hp[2] = hp[3 * top], hp[3 * top + 1], hp[3 * top + 2]
            _sift_down(hp, top)
        if size[a] == 0 or size[b] == 0:
            continue  # one side was merged into another group since
        ra, rb = row[a], row[b]
        i = _find(keys, ra * n + b)
        mean = (vals[i] if i >= 0 else 0.0) / (size[a] * size[b])
        if abs(mean + neg) > _STALE:
            continue  # stale entry: a newer one for this pair is on the heap
        if 4 * used > 3 * pool.shape[0] and 8 * (used - compacted) > pool.shape[0]:
            # Reclaim moved and dead lists before the pool must grow; only here, between
            # merges, where no row is being walked.
            used = compacted = _compacted(pool, start, length, room)
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
        length[small] = 0  # no group's row any more: its room is reclaimed when compacting
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
                if 3 * top == hp.shape[0]:
                    hp = _grown(hp)
                hp[3 * top], hp[3 * top + 1], hp[3 * top + 2] = -m, min(a, g), max(a, g)
                _sift_up(hp, top)
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
