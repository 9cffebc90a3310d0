"""Combine verbatim passages and reworded (paraphrase) passages into one set, one per case.

``combine(verbatim, reworded, *, gap=300, edited=()) -> list[Merged]``

The verbatim passages are trusted where they speak; the paraphrase stage is asked only
about what they leave unexplained (``paraphrase_passages(..., known=verbatim)``).  A
reworded case usually comes out as verbatim fragments (the sentences left nearly intact)
with reworded passages between them, so:

* a reworded passage overlapping a verbatim one on one side only contradicts it and is
  dropped (a copied paragraph placed elsewhere is better evidence than shared words);
* passages that overlap, or lie within ``gap`` characters of each other on *both* sides,
  are one case when at least one of them is reworded or both are *edited* verbatim
  passages (``edited[i]``: not a near-exact copy): they merge into one passage whose
  spans cover them all, in whichever order they come on the two sides (a rewrite
  shuffles clauses).  Two exact copies never merge here: the verbatim aligner has
  decided they are two, and reordered paragraphs stay apart;
* merged groups that end up overlapping merge too.

Cost: O(passages x flexible passages) per round of merging (exact copies alone
never merge, so they are not compared with one another).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .records import Span

__all__ = ["Merged", "combine"]


@dataclass(frozen=True, slots=True)
class Merged:
    """One passage of the combined set, spans ``a`` and ``b``.

    ``verbatim`` lists the verbatim passages (indices) it holds and ``reworded`` the
    reworded ones; a passage with no reworded part is a verbatim passage kept as is.
    """

    a: Span
    b: Span
    verbatim: tuple[int, ...] = ()
    reworded: tuple[int, ...] = ()


def _distance(x: Span, y: Span) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, max(x.start, y.start) - min(x.end, y.end))


def _meets(x: Span, y: Span) -> bool:
    return x.start < y.end and y.start < x.end


def combine(
    verbatim: Sequence[tuple[Span, Span]],
    reworded: Sequence[tuple[Span, Span]],
    *,
    gap: int = 300,
    edited: Sequence[bool] = (),
) -> list[Merged]:
    """The combined passages, sorted by (a.start, b.start).

    ``edited``: per verbatim passage, True when it is an edited copy (missing entries:
    False).
    """
    if gap < 0:
        raise ValueError(f"gap must be >= 0: {gap!r}")
    fused = [k < len(edited) and bool(edited[k]) for k in range(len(verbatim))]
    kept_r = [
        k for k, (ra, rb) in enumerate(reworded)
        if not any(_meets(ra, va) != _meets(rb, vb) for va, vb in verbatim)
    ]
    # Items: ("v", i) and ("r", k), each with its spans; merge by union-find.
    items: list[tuple[str, int, Span, Span]] = [("v", i, va, vb) for i, (va, vb) in enumerate(verbatim)]
    items += [("r", k, reworded[k][0], reworded[k][1]) for k in kept_r]
    parent = list(range(len(items)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # Only pairs holding a flexible item (reworded, or an edited copy) can merge: each
    # such pair once, so thousands of exact copies with a few others stay linear.
    flex = [k for k, it in enumerate(items) if it[0] == "r" or fused[it[1]]]
    flexible = set(flex)
    for j in flex:
        for i in range(len(items)):
            if i == j or (i in flexible and i > j):
                continue  # a pair of flexible items is seen once
            if items[j][0] == "v" and i not in flexible:
                continue  # an edited copy merges with an exact copy only through a rewrite
            if _distance(items[i][2], items[j][2]) <= gap and _distance(items[i][3], items[j][3]) <= gap:
                parent[find(i)] = find(j)
    changed = True
    groups: dict[int, list[int]] = {}
    while changed:
        groups = {}
        for i in range(len(items)):
            groups.setdefault(find(i), []).append(i)
        hulls = {
            g: (Span(min(items[i][2].start for i in m), max(items[i][2].end for i in m)),
                Span(min(items[i][3].start for i in m), max(items[i][3].end for i in m)))
            for g, m in groups.items()
        }
        changed = False
        keys = sorted(hulls)
        mixed = {g for g in keys if any(i in flexible for i in groups[g])}
        for gx in [g for g in keys if g in mixed]:
            for gy in keys:
                if gy == gx or (gy in mixed and gy < gx):
                    continue  # the pair is seen once, from its smaller flexible group
                if _meets(hulls[gx][0], hulls[gy][0]) or _meets(hulls[gx][1], hulls[gy][1]):
                    parent[find(gx)] = find(gy)
                    changed = True
    out: list[Merged] = []
    for m in groups.values():
        ha = Span(min(items[i][2].start for i in m), max(items[i][2].end for i in m))
        hb = Span(min(items[i][3].start for i in m), max(items[i][3].end for i in m))
        out.append(Merged(ha, hb, tuple(sorted(items[i][1] for i in m if items[i][0] == "v")),
                          tuple(sorted(items[i][1] for i in m if items[i][0] == "r"))))
    out.sort(key=lambda m: (m.a.start, m.b.start))
    return out
