"""Combine verbatim passages and reworded (paraphrase) passages into one set, one per case.

``combine(verbatim, reworded, *, explained=0.8) -> list[Merged]``

The verbatim aligner is trusted where it speaks: a reworded passage is kept only for
text the verbatim passages leave unexplained.  For each reworded passage, in order of
size:

* a verbatim passage that overlaps it on one side only (its other side elsewhere)
  contradicts it: the reworded passage is dropped (a copied paragraph placed elsewhere
  is better evidence than shared vocabulary);
* when the verbatim passages inside it on both sides cover ``explained`` or more of
  either of its sides, it adds nothing: dropped;
* otherwise it absorbs those verbatim passages (they were fragments of one reworded
  case) and its spans grow to include them;
* a reworded passage meeting one already kept is dropped.

Verbatim passages not absorbed stay as they are.  Cost: quadratic in the number of
passages of one pair (a handful).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .records import Span

__all__ = ["Merged", "combine"]


@dataclass(frozen=True, slots=True)
class Merged:
    """One passage of the combined set.

    ``verbatim``: index into the verbatim list when it is a verbatim passage kept as is;
    otherwise ``reworded`` indexes the reworded list and ``absorbed`` lists the verbatim
    passages it took in, with ``a``/``b`` the grown spans.
    """

    a: Span
    b: Span
    verbatim: int | None = None
    reworded: int | None = None
    absorbed: tuple[int, ...] = ()


def _meets(x: Span, y: Span) -> bool:
    return x.start < y.end and y.start < x.end


def _inside_share(outer: Span, inner: Sequence[Span]) -> float:
    """Share of ``outer`` covered by the union of ``inner`` (clipped to it)."""
    if len(outer) == 0:
        return 1.0
    covered, end = 0, outer.start
    for s in sorted(inner, key=lambda s: s.start):
        lo, hi = max(s.start, end, outer.start), min(s.end, outer.end)
        if hi > lo:
            covered += hi - lo
            end = hi
    return covered / len(outer)


def combine(
    verbatim: Sequence[tuple[Span, Span]],
    reworded: Sequence[tuple[Span, Span]],
    *,
    explained: float = 0.8,
) -> list[Merged]:
    """The combined passages, sorted by (a.start, b.start)."""
    if not 0.0 <= explained <= 1.0:
        raise ValueError(f"explained must be in [0.0, 1.0]: {explained!r}")
    taken: set[int] = set()
    kept: list[Merged] = []
    order = sorted(range(len(reworded)), key=lambda k: -(len(reworded[k][0]) + len(reworded[k][1])))
    for k in order:
        ra, rb = reworded[k]
        inside, contradicts = [], False
        for v, (va, vb) in enumerate(verbatim):
            ma, mb = _meets(ra, va), _meets(rb, vb)
            if ma and mb:
                inside.append(v)
            elif ma or mb:
                contradicts = True
                break
        if contradicts:
            continue
        if inside and (
            _inside_share(ra, [verbatim[v][0] for v in inside]) >= explained
            or _inside_share(rb, [verbatim[v][1] for v in inside]) >= explained
        ):
            continue
        ga = Span(min([ra.start] + [verbatim[v][0].start for v in inside]),
                  max([ra.end] + [verbatim[v][0].end for v in inside]))
        gb = Span(min([rb.start] + [verbatim[v][1].start for v in inside]),
                  max([rb.end] + [verbatim[v][1].end for v in inside]))
        if any(_meets(ga, m.a) or _meets(gb, m.b) for m in kept):
            continue
        # Grown spans must not reach a verbatim passage they did not take in.
        if any((_meets(ga, va) or _meets(gb, vb)) for v, (va, vb) in enumerate(verbatim) if v not in inside):
            continue
        if any(v in taken for v in inside):
            continue
        taken.update(inside)
        kept.append(Merged(ga, gb, reworded=k, absorbed=tuple(inside)))
    for v, (va, vb) in enumerate(verbatim):
        if v not in taken:
            kept.append(Merged(va, vb, verbatim=v))
    kept.sort(key=lambda m: (m.a.start, m.b.start))
    return kept
