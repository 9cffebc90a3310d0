"""Summary reuse: a short span of one text that condenses a long region of the other.

``summaries(cos, a, b, *, copies=(), found=(), options=None) -> list[Summary]``
    The condensed spans of a (or of b) against the region of the other text they
    summarise, from the sentence cosine matrix of the paraphrase stage.

Why a stage of its own: a summary sentence restates several source sentences at once,
so it shares only a few words with each; pair by pair the evidence is weak and the
seed-and-extend of ``overlap.paraphrase`` either misses it or breaks it into pieces.
Taken together it is strong: a *run* of consecutive sentences on the short side, each
pairing with some sentence of the other text (tf-idf cosine at least ``hit``), while
the rest of the short text pairs hardly at all (the ``background`` rate), and the
paired sentences of the other text spread over a region ``ratio`` times longer.  Such
a run is reported as one passage: the run against the whole long region (and against
the whole long text when that region spans ``whole`` of it: a summary condenses a
document, not the sentences that happen to share words), one detection per case.

Adaptive, not a flag: the mode fires only on that shape.  Texts on one topic pair
sentences everywhere (a high background rate); a rewrite of like length pairs mostly
with one region about as long as itself (its pairs are *concentrated*); a copy is a
verbatim passage holding much of the run (``copies``); and where a passage already
found pairs the long region with text outside the run (``found``), the texts share
passages and the run is one of their echoes.  None of these becomes a summary.

Cost: linear in the size of the cosine matrix (one max per row), then linear in the
sentences of the short side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .records import Span

__all__ = ["SideText", "Summary", "SummaryOptions", "summaries"]


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    """Thresholds of summary mode (ours, chosen on PAN-13 training samples).

    ``hit``: tf-idf cosine a short-side sentence needs with its best partner to pair.
    ``max_miss``: unpaired sentences a run may skip between paired ones.
    ``min_hits``: paired sentences a run needs, each with a distinct best partner.
    ``mean``: mean best cosine of a run's paired sentences.
    ``ratio``: the long region (its paired sentences' hull) at least this many times
    the run.  ``background``: the largest share of the short text's other sentences
    that may pair (texts on one topic pair everywhere).  ``min_chars``: characters of
    the run.  ``whole``: share of the long text the region must span to stand for all
    of it.  ``copied``: share of the run inside one verbatim passage that makes it a
    copy, not a summary; from half that share on, the run's other sentences need a
    mean best cosine of ``rest``; a run half inside verbatim passages needs the long
    region ``copied_ratio`` times longer.  ``concentrated``: share of the run's pair weight
    (cosines) inside one long-side window ``near`` times the run that makes it a
    rewrite of like length.  ``covered``: share of the long region's sentences that
    must reach cosine ``touch`` with some run sentence.
    """

    hit: float = 0.2
    max_miss: int = 1
    min_hits: int = 3
    mean: float = 0.3
    ratio: float = 2.0
    background: float = 0.1
    min_chars: int = 200
    whole: float = 0.25
    copied: float = 0.5
    rest: float = 0.35
    copied_ratio: float = 3.0
    near: float = 1.5
    concentrated: float = 0.85
    touch: float = 0.08
    covered: float = 0.35


@dataclass(frozen=True, slots=True)
class SideText:
    """One text as the summary stage sees it: its sentence spans (the rows or columns
    of the cosine matrix: ``overlap.paraphrase.Units.spans``) and its length."""

    spans: tuple[Span, ...]
    length: int


@dataclass(frozen=True, slots=True)
class Summary:
    """A summary passage: spans ``a`` and ``b`` (one condenses the other), the mean best
    cosine of its paired sentences (``score``), and those pairs (a span, b span, cosine).
    ``a_short``: a is the condensed side."""

    a: Span
    b: Span
    score: float
    pairs: tuple[tuple[Span, Span, float], ...]
    a_short: bool


def _runs(hit: np.ndarray, max_miss: int) -> list[list[int]]:
    """Indices of paired sentences grouped into runs that skip at most ``max_miss``."""
    out: list[list[int]] = []
    cur: list[int] = []
    last = -(10**9)
    for k in np.flatnonzero(hit).tolist():
        if cur and k - last > max_miss + 1:
            out.append(cur)
            cur = []
        cur.append(k)
        last = k
    if cur:
        out.append(cur)
    return out


def _meets(x: Span, y: Span) -> bool:
    return x.start < y.end and y.start < x.end


def _covered(span: Span, spans: Sequence[Span]) -> int:
    """Characters of ``span`` inside the union of ``spans``."""
    total, reach = 0, span.start
    for s in sorted(spans, key=lambda s: s.start):
        lo, hi = max(reach, s.start), min(span.end, s.end)
        if hi > lo:
            total += hi - lo
            reach = hi
    return total


def _one_side(
    cos: np.ndarray, short: SideText, long: SideText, copies: Sequence[tuple[Span, Span]],
    found: Sequence[tuple[Span, Span]], o: SummaryOptions
) -> list[tuple[Span, Span, float, list[tuple[int, int, float]]]]:
    """Summaries whose short side is ``short`` (rows of ``cos``): (short span, long span,
    score, paired (row, column, cosine))."""
    if cos.size == 0:
        return []
    best = cos.max(axis=1)
    arg = cos.argmax(axis=1)
    hit = best >= o.hit
    n_hit = int(hit.sum())
    out: list[tuple[Span, Span, float, list[tuple[int, int, float]]]] = []
    for run in _runs(hit, o.max_miss):
        i0, i1 = run[0], run[-1]
        cols = arg[run]
        if len(run) < o.min_hits or len(set(cols.tolist())) < o.min_hits:
            continue
        score = float(best[run].mean())
        if score < o.mean:
            continue
        ss = Span(short.spans[i0].start, short.spans[i1].end)
        ls = Span(long.spans[int(cols.min())].start, long.spans[int(cols.max())].end)
        if len(ss) < o.min_chars or len(ls) < o.ratio * len(ss):
            continue
        # Contrast: the rest of the short text (at least as long as the run) pairs
        # hardly at all; without it a run of weak pairs is just text on one topic.
        others = len(short.spans) - (i1 - i0 + 1)
        if others < i1 - i0 + 1 or (n_hit - len(run)) > o.background * others:
            continue
        # Coverage: the long region is what the run condenses, so most of its
        # sentences share something with the run.
        c0, c1 = int(cols.min()), int(cols.max())
        if float((cos[i0 : i1 + 1, c0 : c1 + 1].max(axis=0) >= o.touch).mean()) < o.covered:
            continue
        # Spread: a summary draws on its whole source; a rewrite of like length pairs
        # mostly with one region about as long as the run (``near`` times), plus
        # stray weak pairs that only widen the hull.
        mid = np.array([(long.spans[j].start + long.spans[j].end) / 2 for j in cols.tolist()])
        w = best[run]
        reach = o.near * len(ss)
        if max(float(w[(mid >= x) & (mid <= x + reach)].sum()) for x in mid) > o.concentrated * float(w.sum()):
            continue
        # A run largely inside one verbatim copy is that copy with reworded text
        # around it; an extractive summary copies sentences from all over its source,
        # each a small part of the run.  Where a copy holds a fair part of the run, the
        # sentences it does not explain must pair as a summary's do, not as same-topic
        # neighbours of a copy.
        share = max((_covered(ss, [p[0]]) / len(ss) for p in copies), default=0.0)
        if share >= o.copied:
            continue
        # Mostly copied, the run must condense: a text reusing a few passages of a
        # longer one copies as much as an extractive summary does, but from a region
        # not much longer than itself.
        if _covered(ss, [p[0] for p in copies]) >= len(ss) / 2 and len(ls) < o.copied_ratio * len(ss):
            continue
        if share >= o.copied / 2:
            rest = [float(best[k]) for k in run
                    if not any(_covered(short.spans[k], [p[0]]) > len(short.spans[k]) / 2 for p in copies)]
            if rest and sum(rest) / len(rest) < o.rest:
                continue
        whole = Span(long.spans[0].start, long.spans[-1].end)
        if len(ls) >= o.whole * len(whole):
            ls = whole
        # A passage pairing part of the long region with text outside the run: the
        # texts share passages elsewhere, and the run is one of their echoes.
        if any(_meets(p[1], ls) and not _meets(p[0], ss) for p in found):
            continue
        out.append((ss, ls, score, [(k, int(arg[k]), float(best[k])) for k in run]))
    return out


def summaries(
    cos: np.ndarray,
    a: SideText,
    b: SideText,
    *,
    copies: Sequence[tuple[Span, Span]] = (),
    found: Sequence[tuple[Span, Span]] = (),
    options: SummaryOptions | None = None,
) -> list[Summary]:
    """Summary passages between a and b, either side condensed, sorted by (a, b) start.

    ``cos``: the tf-idf cosine of every sentence pair (rows: a's ``spans``, columns:
    b's).  ``copies``: the verbatim passages, ``found``: every passage found so far
    (both as (a span, b span)); see the module docstring for what they veto.
    """
    o = options or SummaryOptions()
    if cos.shape != (len(a.spans), len(b.spans)):
        raise ValueError(f"cos is {cos.shape}, spans are {len(a.spans)} x {len(b.spans)}")
    out: list[Summary] = []
    for ss, ls, score, pairs in _one_side(cos, a, b, copies, found, o):
        out.append(Summary(ss, ls, score, tuple((a.spans[i], b.spans[j], round(c, 4)) for i, j, c in pairs), True))
    for ss, ls, score, pairs in _one_side(cos.T, b, a, [(q, p) for p, q in copies], [(q, p) for p, q in found], o):
        out.append(Summary(ls, ss, score, tuple((a.spans[j], b.spans[i], round(c, 4)) for i, j, c in pairs), False))
    out.sort(key=lambda s: (s.a.start, s.b.start))
    return out
