"""Find the passages two texts share, token by token, with offsets on both sides.

``align(a, b, options) -> list[Alignment]`` works on the token sequences of two normalised
views (``shingle.tokenize``) in four steps, cheapest first:

1. **Seeds.**  Every run of ``seed_size`` tokens that occurs in both texts (a hash join of
   their k-token shingles).  k-grams that recur more than ``max_seed_repeats`` times on a
   side ("của các nước", "one of the") are dropped: they pair everything with everything.
2. **Runs.**  Seeds on the same diagonal that touch or overlap merge into exact-match runs.
3. **Chains.**  Runs are chained in text order across small gaps (``max_gap`` tokens on
   each side), so a passage survives a changed name, number or inserted clause.  Chains
   on different diagonals stay apart, so reordered passages are found separately.
4. **Extension and filter.**  Each chain is extended over a mismatch at either end when a
   match follows ("Alexander Fomin" / "Alexandr Fomin" at the end of a sentence), then
   kept only when it has ``min_tokens`` matched tokens and a matched density of at least
   ``min_density`` on both sides.  Unrelated sentences sharing a few words never make a
   seed chain that long.

A passage covers only what is shared: part of a long sentence is reported as that part.

Cost: O(n + m) numpy work for seeds and runs, then Python over runs (a few per shared
passage, plus stray seeds: at most ``max_seed_repeats`` per token), extension walks
shared between chains (each position is walked once per direction), and one token-level
Levenshtein alignment per passage (``token_diff``), piecewise beyond ``LONG_PASSAGE`` tokens.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .jit import aligner, use_aligner
from .shingle import Tokens, shingles
from .token_diff import LONG_PASSAGE, token_opcodes, token_similarity

__all__ = ["LONG_PASSAGE", "AlignOptions", "Alignment", "align", "cached_shingles", "token_opcodes", "token_similarity", "use_jit"]

@dataclass(frozen=True, slots=True)
class AlignOptions:
    """Knobs of the passage aligner (token counts).  Validated by ``CompareOptions``."""

    seed_size: int = 3
    max_seed_repeats: int = 8
    max_gap: int = 12
    min_tokens: int = 15
    min_density: float = 0.5


@dataclass(frozen=True, slots=True)
class Alignment:
    """A shared passage in token indices: ``[a_start, a_end)`` of a, ``[b_start, b_end)`` of b."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    matched: int


def _groups(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``x`` sorted: (order, start of each run of equal values in sorted order, run lengths)."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    new = np.empty(len(xs), dtype=bool)
    new[:1] = True
    np.not_equal(xs[1:], xs[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    return order, starts, np.diff(np.append(starts, len(xs)))


def _seed_index(h: np.ndarray, k: int, cache: dict[tuple[str, int], Any] | None) -> tuple[np.ndarray, ...]:
    """One text's k-token shingles grouped by value: (order, group starts, counts, values).

    Depends on the text alone, so a caller comparing one text with many passes the same
    ``cache`` dict for it each time and the grouping is done once.
    """
    got = cache.get(("seeds", k)) if cache is not None else None
    if got is None:
        sh = shingles(h, k)
        order, starts, counts = _groups(sh)
        got = (order, starts, counts, sh[order[starts]])
        if cache is not None:
            cache[("seeds", k)] = got
    return got


def cached_shingles(h: np.ndarray, k: int, cache: dict[tuple[str, int], Any] | None) -> np.ndarray:
    """One text's k-token shingles in text order, cached like ``_seed_index`` (compiled path)."""
    got = cache.get(("shingles", k)) if cache is not None else None
    if got is None:
        got = shingles(h, k)
        if cache is not None:
            cache[("shingles", k)] = got
    return got


def _seed_chunks(
    ha: np.ndarray, hb: np.ndarray, k: int, max_rep: int, cache_a: dict[tuple[str, int], Any] | None = None, cache_b: dict[tuple[str, int], Any] | None = None
) -> tuple[int, Iterator[tuple[np.ndarray, np.ndarray]]]:
    """How many (i, j) pairs ``_seed_pairs`` returns, and the pairs as ``(i, j)`` arrays
    of about a million pairs each (the index arrays cost some 40 bytes a pair)."""
    if len(ha) < k or len(hb) < k:
        return 0, iter(())
    oa, sta, ca, va = _seed_index(ha, k, cache_a)
    ob, stb, cb, vb = _seed_index(hb, k, cache_b)
    # Keep shingles present on both sides and not too repetitive on either.
    pos = np.minimum(np.searchsorted(vb, va), len(vb) - 1)
    g = np.flatnonzero((vb[pos] == va) & (ca <= max_rep) & (cb[pos] <= max_rep))
    if len(g) == 0:
        return 0, iter(())
    a0, na = sta[g], ca[g]
    b0, nb = stb[pos[g]], cb[pos[g]]
    if na.max() == 1 and nb.max() == 1:  # the usual case: each shingle once per side
        return len(g), iter([(oa[a0], ob[b0])])
    # Every a-occurrence of a shared shingle with every b-occurrence.
    m = na * nb
    last = np.cumsum(m)

    def chunks() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        g0 = 0
        while g0 < len(g):
            g1 = max(g0 + 1, int(np.searchsorted(last, last[g0] - m[g0] + _PAIRS, side="right")))
            mm = m[g0:g1]
            rep = np.repeat(np.arange(g0, g1), mm)
            t = np.arange(len(rep)) - np.repeat(np.cumsum(mm) - mm, mm)
            nbr = nb[rep]
            yield oa[a0[rep] + t // nbr], ob[b0[rep] + t % nbr]
            g0 = g1

    return int(last[-1]), chunks()


_PAIRS = 1 << 20


def _seed_pairs(
    ha: np.ndarray, hb: np.ndarray, k: int, max_rep: int, cache_a: dict[tuple[str, int], Any] | None = None, cache_b: dict[tuple[str, int], Any] | None = None
) -> np.ndarray:
    """All (i, j) where the k-token shingle at a[i] equals the one at b[j], as an (n, 2) array.

    Rows come in no particular order (``_runs`` sorts them).  One stable argsort per side
    groups equal shingles (``np.unique`` hashes 64-bit keys and was 3-8x slower here).
    """
    total, chunks = _seed_chunks(ha, hb, k, max_rep, cache_a, cache_b)
    out = np.empty((total, 2), dtype=np.int64)  # filled in place, a chunk at a time
    at = 0
    for i, j in chunks:
        out[at : at + len(i), 0] = i
        out[at : at + len(i), 1] = j
        at += len(i)
    return out


def _seed_runs(
    ha: np.ndarray, hb: np.ndarray, k: int, max_rep: int, cache_a: dict[tuple[str, int], Any] | None = None, cache_b: dict[tuple[str, int], Any] | None = None
) -> np.ndarray:
    """``_runs(_seed_pairs(...), k)`` without the pair array: each pair goes straight to
    its sort key (8 bytes a pair, not the 32 of the pairs, their key and its diff)."""
    m, dmin = len(ha) + 2, -len(ha)  # bounds of i and of j - i: see ``_runs``
    if (len(hb) + len(ha) + 1) * m >= 2**63:  # over 3e9 tokens
        return _runs(_seed_pairs(ha, hb, k, max_rep, cache_a, cache_b), k)
    total, chunks = _seed_chunks(ha, hb, k, max_rep, cache_a, cache_b)
    if total == 0:
        return np.zeros((0, 4), dtype=np.int64)
    key = np.empty(total, dtype=np.int64)
    at = 0
    for i, j in chunks:
        part = key[at : at + len(i)]
        np.subtract(j, i, out=part)
        part -= dmin
        part *= m
        part += i
        at += len(i)
    held = [key]
    del key, part  # ``part`` is a view of the keys
    return _key_runs(held, m, dmin, k)


def _runs(pairs: np.ndarray, k: int) -> np.ndarray:
    """Merge seeds on one diagonal that touch into exact runs: rows (a0, a1, b0, b1).

    Seeds are sorted by diagonal, then position, as one int64 key per seed
    (``(d - min d) * m + i`` with ``m`` two past the largest i), sorted in place: seeds
    that touch on a diagonal are keys one apart.  A ``lexsort`` of the two columns held
    about four more arrays the size of the seeds.
    """
    if len(pairs) == 0:
        return np.zeros((0, 4), dtype=np.int64)
    i, j = pairs[:, 0], pairs[:, 1]
    key = j - i
    dmin = int(key.min())
    m = int(i.max()) + 2  # + 2, not + 1: the last i of a diagonal and i = 0 of the next must not be one apart
    if (int(key.max()) - dmin + 1) * m >= 2**63:  # over 3e9 tokens: two sort keys
        order = np.lexsort((i, key))
        i, d = i[order], key[order]
        new = np.ones(len(i), dtype=bool)
        new[1:] = (d[1:] != d[:-1]) | (i[1:] > i[:-1] + 1)
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:], len(i)) - 1
        return _sorted_runs(i[starts], i[ends] + k, i[starts] + d[starts])
    key -= dmin
    key *= m
    key += i
    held = [key]
    del i, j, pairs, key  # the caller's reference was handed over: the pairs go now
    return _key_runs(held, m, dmin, k)


def _key_runs(held: list[np.ndarray], m: int, dmin: int, k: int) -> np.ndarray:
    """Runs from the seeds' keys ``(d - dmin) * m + i`` (sorted here, in place).

    The keys come in a one-item list the caller hands over, so they are freed once the
    runs' first and last keys are gathered, before the runs are sorted into rows.
    """
    key = held.pop()
    key.sort()
    new = np.empty(len(key), dtype=bool)
    new[0] = True
    for lo in range(1, len(key), _PAIRS):  # a slice at a time: ``np.diff`` of all is 8 bytes a seed
        hi = min(len(key), lo + _PAIRS)
        np.greater(key[lo:hi] - key[lo - 1 : hi - 1], 1, out=new[lo:hi])
    starts = np.flatnonzero(new)
    del new
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    ends[-1] = len(key)
    ends -= 1
    b0 = key[starts]
    del starts
    a1 = key[ends]
    del ends, key
    a0 = b0 % m
    b0 //= m
    b0 += dmin
    b0 += a0
    a1 %= m
    a1 += k
    if len(a1) and int(a1.max()) + int(b0.max()) < 2**31:  # b1 <= b0 + a1 fits too: rows of int32, half the bytes
        a0, a1, b0 = a0.astype(np.int32), a1.astype(np.int32), b0.astype(np.int32)
    return _sorted_runs(a0, a1, b0)


def _sorted_runs(a0: np.ndarray, a1: np.ndarray, b0: np.ndarray) -> np.ndarray:
    """Rows (a0, a1, b0, b1) in a-order, then b-order (gathered column by column)."""
    order = np.lexsort((b0, a0))
    runs = np.empty((len(order), 4), dtype=a0.dtype)
    np.take(a0, order, out=runs[:, 0], mode="clip")  # "clip": no buffered copy (order is in range)
    np.take(a1, order, out=runs[:, 1], mode="clip")
    np.take(b0, order, out=runs[:, 2], mode="clip")
    np.subtract(runs[:, 1], runs[:, 0], out=runs[:, 3])
    runs[:, 3] += runs[:, 2]
    return runs


def _rows(runs: np.ndarray, chunk: int = 1 << 14) -> Iterator[list[int]]:
    """The rows of ``runs`` as lists of ints, a slice at a time: ``runs.tolist()`` of a
    long near-copy's million runs would hold about 180 bytes a run at once."""
    for lo in range(0, len(runs), chunk):
        yield from runs[lo : lo + chunk].tolist()


def _chain(runs: np.ndarray, max_gap: int, k: int, keep: int = 0) -> list[list[int]]:
    """Greedily chain runs in a-order into passages: [a0, a1, b0, b1, matched].

    Only chains of at least ``keep`` matched tokens are returned.  Chains closed with
    fewer are dropped on the way (a text against a near-copy of itself makes a stray
    chain on a side diagonal for most tokens, over a hundred bytes each if all kept).
    """
    chains: list[list[int]] = []
    open_: list[list[int]] = []
    limit = 1 << 14
    for a0, a1, b0, b1 in _rows(runs):
        if len(chains) >= limit:  # amortised linear: the list at least halves or the limit doubles
            alive = {id(c) for c in open_}
            chains = [c for c in chains if c[4] >= keep or id(c) in alive]
            limit = max(limit, 2 * len(chains))
        best = None
        best_gap = None
        still_open = []
        for c in open_:
            if a0 - c[1] > max_gap:
                continue  # too far behind in a: closed for good
            still_open.append(c)
            ga, gb = a0 - c[1], b0 - c[3]
            if ga < -k or gb < -k or gb > max_gap or a1 <= c[1] or b1 <= c[3]:
                continue
            # A gap is bridged only between pieces at least half as long as the gap:
            # a stray shared phrase ("Thứ trưởng Ngoại giao") must not pull a passage
            # across a sentence it does not share.
            if 2 * min(c[4], a1 - a0) < max(ga, gb):
                continue
            gap = max(ga, 0) + max(gb, 0)
            if best_gap is None or gap < best_gap:
                best, best_gap = c, gap
        open_ = still_open
        if best is None:
            c = [a0, a1, b0, b1, a1 - a0]
            chains.append(c)
            open_.append(c)
            continue
        # Trim an overlap with the chain's end so no token is counted twice.
        trim = max(best[1] - a0, best[3] - b0, 0)
        best[1], best[3] = a1, b1
        best[4] += max(a1 - a0 - trim, 0)
    return [c for c in chains if c[4] >= keep]


def _step(ha: Sequence[int], hb: Sequence[int], a: int, b: int, da_dir: int, max_edit: int) -> tuple[int, int] | None:
    """Smallest skip (da, db) past differing tokens after which the texts match again.

    ``a``/``b`` are the next positions to look at, moving by ``da_dir`` (+1 or -1).  A
    skip that is not a plain substitution (da != db) must be followed by two matches, so
    an end does not creep into unrelated text on a lone shared "và" or "the".
    """
    na, nb = len(ha), len(hb)

    def eq(x: int, y: int) -> bool:
        return 0 <= x < na and 0 <= y < nb and ha[x] == hb[y]

    if eq(a, b):
        return (0, 0)
    best = None
    for da in range(max_edit + 1):
        for db in range(max_edit + 1):
            if not (da or db) or (best is not None and da + db >= sum(best)):
                continue
            x, y = a + da_dir * da, b + da_dir * db
            if eq(x, y) and (da == db or eq(x + da_dir, y + da_dir)):
                best = (da, db)
    return best


_Memo = dict[tuple[int, int], tuple[int, int, int]]  # position -> (end position, steps to it)


_MEMO_MAX = 1 << 20  # positions remembered per direction; then the memo starts afresh
# Only positions whose x is a multiple of ``_MEMO_EVERY`` (a power of 2) are remembered:
# a walk that joins a known path meets one within a few dozen steps, and the memo stays
# small enough never to be cleared on a long near-copy (clearing it made every other
# chain walk again through the rest of the text: quadratic).
_MEMO_EVERY = 16
_MEMO_SPREAD = _MEMO_MAX // 8  # positions one long diagonal may put in the memo


def _extend(
    c: list[int], ha: Sequence[int], hb: Sequence[int], memo: tuple[_Memo, _Memo] | None = None, max_edit: int = 2,
    every: int = _MEMO_EVERY,
) -> None:
    """Extend a chain over up to ``max_edit`` differing tokens at each end when matches follow.

    ``memo``: one dict per direction, shared by the chains of one ``align`` call.  Where
    the texts agree for long stretches that seeds skip (a repeated token), every chain
    extends through the rest of the text; the walk from a position does not depend on
    the chain, so each position's outcome (end reached, steps taken) is stored and a
    walk that reaches a known position stops there.  Linear in all, not per chain.
    ``every``: the memo keeps positions whose x is a multiple of it (see ``_memo_every``).
    """
    memo = memo or ({}, {})
    c[1], c[3], n = _walk(ha, hb, c[1], c[3], 1, max_edit, memo[0], every)
    c[4] += n
    x, y, n = _walk(ha, hb, c[0] - 1, c[2] - 1, -1, max_edit, memo[1], every)
    c[0], c[2] = x + 1, y + 1
    c[4] += n


def _memo_every(tokens: int) -> int:
    """``_MEMO_EVERY``, doubled while a walk through two texts of ``tokens`` tokens in
    all would put more than ``_MEMO_SPREAD`` positions in the memo.

    A text holding copies of itself (a huge one-line document built from a smaller
    corpus) has several long diagonals, each walked through once: with a position every
    16 they overflowed the memo, which was cleared and walked again.  A sparser memo
    costs each walk at most ``every`` steps before it meets a known position; the memo
    is only a cache, so results do not change.
    """
    every = _MEMO_EVERY
    while tokens // every > _MEMO_SPREAD:
        every *= 2
    return every


def _walk(
    ha: Sequence[int], hb: Sequence[int], x: int, y: int, d: int, max_edit: int, memo: _Memo, every: int = _MEMO_EVERY
) -> tuple[int, int, int]:
    """Step from ``(x, y)`` in direction ``d`` while ``_step`` finds a way on: (x, y, steps) at the end.

    Only the positions the memo keeps are recorded on the way, with their step number
    (a walk can cross a whole book: a tuple per step would cost ~130 bytes a token).
    """
    path: list[tuple[int, int, int]] = []  # (step number, x, y) where x is a multiple of ``every``
    steps = 0
    na, nb = len(ha), len(hb)
    mask = every - 1
    while True:
        if not x & mask:
            if (got := memo.get((x, y))) is not None:
                x, y, n = got
                break
            path.append((steps, x, y))
        if 0 <= x < na and 0 <= y < nb and ha[x] == hb[y]:  # a match: ``_step`` would say (0, 0)
            steps += 1
            x, y = x + d, y + d
            continue
        st = _step(ha, hb, x, y, d, max_edit)
        if st is None:
            n = 0
            if path and path[-1][0] == steps:
                path.pop()  # the end itself is not a step of the path
            break
        steps += 1
        x, y = x + d * (st[0] + 1), y + d * (st[1] + 1)
    if len(memo) + steps // every > _MEMO_MAX:
        memo.clear()
    total = n + steps
    for k, px, py in path:
        memo[(px, py)] = (x, y, total - k)
    return x, y, total


def use_jit(on: bool = True) -> bool:
    """Run ``align``'s seeds-to-filter steps compiled from now on (``on=False``: stop).

    The switch lives in ``overlap.jit`` (``use_aligner``); see there.  Same results either
    way (``tests/test_align_jit.py``); ``pipeline`` also switches to the compiled
    tokenizer and Jaccard counts while it is on.
    """
    return use_aligner(on)


def align(
    ta: Tokens,
    tb: Tokens,
    options: AlignOptions | None = None,
    *,
    cache_a: dict[tuple[str, int], Any] | None = None,
    cache_b: dict[tuple[str, int], Any] | None = None,
) -> list[Alignment]:
    """Shared passages of two token sequences, in a-order (see the module docstring).

    ``cache_a``/``cache_b``: optional dicts, one per text, kept by a caller that aligns
    the same text many times; what depends on one text alone (its grouped seeds) is
    stored there and reused.
    """
    o = options or AlignOptions()
    ha, hb = ta.hashes, tb.hashes
    shorter = min(len(ha), len(hb))
    if shorter == 0:
        return []
    # A text shorter than a seed or a passage can still be shared whole (a headline).
    k = min(o.seed_size, shorter)
    min_tokens = min(o.min_tokens, max(shorter, k))
    jit = aligner()
    if jit is not None:
        rows = jit.chains(
            cached_shingles(ha, k, cache_a), cached_shingles(hb, k, cache_b), ha, hb,
            k, o.max_seed_repeats, o.max_gap, min_tokens, float(o.min_density),
        )
        return _one_to_one([Alignment(*r) for r in rows.tolist()])
    runs = _seed_runs(ha, hb, k, o.max_seed_repeats, cache_a, cache_b)
    chains = _chain(runs, o.max_gap, k, keep=min_tokens - 2 * 2)
    del runs  # not needed while the chains are extended
    out: list[Alignment] = []
    memo: tuple[_Memo, _Memo] = ({}, {})
    every = _memo_every(len(ha) + len(hb))
    # Token hashes read one at a time through memoryviews: an item reads as fast as a
    # list's (3x faster than a numpy scalar) without a list's 40 bytes a token.
    lists: tuple[memoryview, memoryview] | None = None
    for c in chains:
        if c[4] + 2 * 2 < min_tokens:  # cheapest check first: extension adds at most a few
            continue
        if lists is None:
            lists = np.ascontiguousarray(ha).data.toreadonly(), np.ascontiguousarray(hb).data.toreadonly()
        _extend(c, lists[0], lists[1], memo, every=every)
        a0, a1, b0, b1, matched = c
        if matched < min_tokens:
            continue
        if matched < o.min_density * (a1 - a0) or matched < o.min_density * (b1 - b0):
            continue
        out.append(Alignment(a0, a1, b0, b1, matched))
    return _one_to_one(out)


def _one_to_one(alns: list[Alignment]) -> list[Alignment]:
    """Keep each stretch of text in one passage: the best-matched of overlapping alignments.

    A sentence repeated on one side (a template, a lead quoted again in a caption) aligns
    with each copy; reporting every pairing would repeat its passages and conflicts.  An
    alignment is dropped when more than half of it, on either side, lies in one that
    matches more tokens.

    Cost: O(n log n) for n alignments.  More than half of ``[s, e)`` inside a kept
    ``[ys, ye)`` needs ``2 * ys < s + e < 2 * ye`` (the kept one holds the midpoint), so
    only kept alignments stabbing the midpoint are checked, found in a segment tree per
    side (``_Stabbing``) instead of testing every kept one (quadratic with thousands of
    passages).
    """
    order = sorted(alns, key=lambda x: (-x.matched, x.a_start, x.b_start))
    if len(order) <= _FEW_ALIGNMENTS:
        return _one_to_one_few(order)
    trees = (
        _Stabbing([x.a_start + x.a_end for x in order]),
        _Stabbing([x.b_start + x.b_end for x in order]),
    )
    kept: list[Alignment] = []
    for x in order:
        if any(
            2 * _inter(x.a_start, x.a_end, y.a_start, y.a_end) > x.a_end - x.a_start
            for y in trees[0].stabbing(x.a_start + x.a_end)
        ) or any(
            2 * _inter(x.b_start, x.b_end, y.b_start, y.b_end) > x.b_end - x.b_start
            for y in trees[1].stabbing(x.b_start + x.b_end)
        ):
            continue
        kept.append(x)
        trees[0].add(2 * x.a_start, 2 * x.a_end, x)
        trees[1].add(2 * x.b_start, 2 * x.b_end, x)
    kept.sort(key=lambda x: (x.a_start, x.b_start))
    return kept


_FEW_ALIGNMENTS = 16  # up to this many, every pair is checked: cheaper than two trees


def _one_to_one_few(order: list[Alignment]) -> list[Alignment]:
    """``_one_to_one`` of a few alignments (already in its order), each checked against
    every kept one: a kept one holding more than half of it holds its midpoint, so the
    trees' candidates are only a shortcut and the result is the same."""
    kept: list[Alignment] = []
    for x in order:
        na, nb = x.a_end - x.a_start, x.b_end - x.b_start
        if any(
            2 * _inter(x.a_start, x.a_end, y.a_start, y.a_end) > na
            or 2 * _inter(x.b_start, x.b_end, y.b_start, y.b_end) > nb
            for y in kept
        ):
            continue
        kept.append(x)
    kept.sort(key=lambda x: (x.a_start, x.b_start))
    return kept


class _Stabbing:
    """Intervals added over time; which of them strictly contain a query point.

    The query points are known in advance (``points``), so the tree is over their sorted
    distinct values: an interval is stored at O(log n) nodes, a query walks one
    leaf-to-root path.  Cost: O(log n) per add, O(log n + answers) per query.
    """

    def __init__(self, points: list[int]) -> None:
        self._pts = sorted(set(points))
        self._size = 1
        while self._size < len(self._pts):
            self._size *= 2
        self._nodes: dict[int, list[Alignment]] = {}

    def add(self, lo: int, hi: int, item: Alignment) -> None:
        """Store ``item`` for every point p with lo < p < hi."""
        i = bisect_right(self._pts, lo) + self._size
        j = bisect_left(self._pts, hi) + self._size
        while i < j:
            if i & 1:
                self._nodes.setdefault(i, []).append(item)
                i += 1
            if j & 1:
                j -= 1
                self._nodes.setdefault(j, []).append(item)
            i //= 2
            j //= 2

    def stabbing(self, p: int) -> list[Alignment]:
        """Items added with lo < p < hi (``p`` must be one of the points)."""
        out: list[Alignment] = []
        i = bisect_left(self._pts, p) + self._size
        while i >= 1:
            got = self._nodes.get(i)
            if got:
                out.extend(got)
            i //= 2
        return out


def _inter(s0: int, e0: int, s1: int, e1: int) -> int:
    return max(0, min(e0, e1) - max(s0, s1))
