"""Sentence-level alignment of reworded reuse: what verbatim seed-and-extend misses.

``units(text, sentences, language) -> Units``
    A text's sentences as bags of content units (``overlap.sentence_units``, re-exported).
``paraphrase_passages(a, b, options=None) -> list[Match]``
    Passages of a and b that say the same things in other words, as ``Match`` records
    (character spans on both sides, the seed sentence pairs, ``summary`` when one side
    condenses the other).

Method (after Sanchez-Perez, Sidorov and Gelbukh 2014): two sentences are a *seed* when
both the tf-idf cosine and the Dice coefficient of their units reach a threshold; seeds
are clustered into passages across small gaps in either text (so reordered and split
sentences join), seeds off the best partners of their sentences are left out, each
passage grows by neighbouring sentence pairs that still share words, is validated by the
cosine of its two sides taken whole, and short or overlapping ones are dropped. A
passage whose one side is several times shorter than the other is a *summary*: it is
clustered again with a wide gap on the long side, and it must span a good share of its
text, for which it then stands (a summary condenses a document, not the sentences that
happen to share words); its short side is only part of its own text, whose other
sentences pair hardly at all; and no other passage may pair part of that text with text
outside the summary.

Cost: linear in the texts for the units; sentence pairs are scored by one matrix product
over the units the two texts share (quadratic in sentences, small: hundreds of rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .records import Span
from .sentence_units import (
    MAX_SENTENCE,
    Units,
    sentence_range,
    similarity_matrices,
    span_cosine,
    specific_shared,
    unit_counts,
    units,
)
from .summary import SideText, summaries

__all__ = ["MAX_SENTENCE", "Match", "ParaphraseOptions", "Units", "paraphrase_passages", "units"]

@dataclass(frozen=True, slots=True)
class ParaphraseOptions:
    """Thresholds of the paraphrase stage (values of Sanchez-Perez et al. unless noted).

    ``seed_cosine``, ``seed_dice``: a sentence pair is a seed when both reach these.
    ``max_gap``: sentences a passage may skip on either side between seeds.
    ``validate``: cosine the two sides of a passage, taken whole, must reach.
    ``min_chars``: characters the longer side of a passage needs, ``min_short`` the
    shorter (reworded reuse is often shortened: words dropped, clauses merged).
    ``min_seeds``: seed pairs a passage needs (2: one shared sentence is a quotation or
    a coincidence, not reuse; ``strong_seed`` cosine lets a single pair through).
    ``anchor``: cosine the best seed of a (non-summary) passage must reach: texts on one
    topic share many weak sentence pairs, reworded reuse has at least one close one
    (this threshold is ours, chosen on PAN-13 training samples); ``anchor_rows``
    distinct sentences seeding on each side are evidence enough without it (a run of
    weak pairs in step is a rewrite, one weak pair a shared topic).
    ``partner_reach``: a seed shapes a passage only when it lies within this many
    sentences of the best partner of its sentence on each side: a sentence restated
    once in a case and echoed by a look-alike sentence further on must not stretch
    the passage over the look-alike (ours, PAN-13 training samples).
    ``extend``: a passage grows by the next (previous) sentence of both sides while
    that pair reaches this cosine: the first and last sentences of a rewrite are often
    shortened below the seed thresholds (ours, PAN-13 training samples).
    ``summary_cosine``, ``summary_dice``: the lower seed thresholds of summary mode.
    ``summary_ratio``: long side at least this many times the short side makes a summary;
    ``summary_gap``: the gap allowed on the long side then; ``summary_whole``: share of
    the long text its seeds must span for a summary (which then stands for the whole text).
    ``summary_hit``, ``summary_background``: at most this share of the short text's
    sentences outside a summary may reach cosine ``summary_hit`` with some sentence of
    the long text (the contrast of ``overlap.summary``, with its values).
    ``summary_part``: the largest share of its own text a summary's short side may be:
    where most of a short text pairs loosely with the whole of a long one, the two are
    texts on one topic (or a rewrite of like length padded by stray pairs), not a
    condensed passage of one inside the other.
    ``rewrite_hull``, ``rewrite_gap``: a summary whose stronger half of sentence pairs
    lies in a long-side region under ``rewrite_hull`` times its short side, and whose
    sentences pair in order with partners separated by under ``rewrite_gap`` times the
    short side in all, is a rewrite of like length, not a summary; when its pairs span
    ``rewrite_spread`` times the short side or more (under that, a summary of a short
    text has its partners close by necessity).  Ours, chosen on PAN-13 training
    samples: 03/04 cases against 05 summaries.
    ``specific``, ``summary_specific``: the rare units (``sentence_units.specific_shared``)
    the two sides of a passage (of a summary, or a passage whose sides differ by
    ``summary_ratio``) must share, unless a verbatim passage lies
    within ``corroborate`` characters of it on both sides: texts on one topic restate
    its commonplaces in sentences that pair well, but share few words found nowhere
    else in either text.  Ours, chosen on PAN-13 training pairs (01 against 03/04/05,
    two folds; benchmarks/results/quality_pan13_train.md).
    """

    seed_cosine: float = 0.33
    seed_dice: float = 0.33
    max_gap: int = 4
    validate: float = 0.34
    min_chars: int = 150
    min_short: int = 120
    min_seeds: int = 2
    strong_seed: float = 0.6
    min_units: int = 3
    anchor: float = 0.48
    anchor_rows: int = 3
    partner_reach: int = 2
    extend: float = 0.25
    summary_ratio: float = 3.0
    summary_gap: int = 24
    summary_whole: float = 0.25
    summary_part: float = 0.5
    summary_hit: float = 0.2
    summary_background: float = 0.1
    summary_cosine: float = 0.25
    summary_dice: float = 0.25
    summary_seeds: int = 2
    summary_chars: int = 250
    summary_dense: float = 0.5
    rewrite_hull: float = 1.0
    rewrite_gap: float = 2.0
    rewrite_spread: float = 2.2
    edge_gap: int = 2
    specific: float = 2.5
    summary_specific: float = 6.0
    corroborate: int = 300


@dataclass(frozen=True, slots=True)
class Match:
    """A reworded passage: spans of a and b, its seed sentence pairs, and the cosine of
    its two sides (``score``).  ``summary``: one side condenses the other."""

    a: Span
    b: Span
    score: float
    pairs: tuple[tuple[Span, Span, float], ...]
    summary: bool = False


# --------------------------------------------------------------------------- extension


def _split(seeds: list[tuple[int, int]], axis: int, gap: int) -> list[list[tuple[int, int]]]:
    seeds = sorted(seeds, key=lambda s: (s[axis], s[1 - axis]))
    out = [[seeds[0]]]
    for s in seeds[1:]:
        if s[axis] - out[-1][-1][axis] > gap + 1:
            out.append([s])
        else:
            out[-1].append(s)
    return out


def _clusters(seeds: list[tuple[int, int]], gap_a: int, gap_b: int) -> list[list[tuple[int, int]]]:
    """Seeds grouped so that neither side skips more than its gap between neighbours.

    Splitting alternately by a and by b until nothing changes (each split only ever
    separates seeds, so this ends after at most as many rounds as seeds).
    """
    todo = [seeds] if seeds else []
    done: list[list[tuple[int, int]]] = []
    while todo:
        c = todo.pop()
        parts = [q for p in _split(c, 0, gap_a) for q in _split(p, 1, gap_b)]
        if len(parts) == 1:
            done.append(parts[0])
        else:
            todo.extend(parts)
    done.sort(key=lambda c: min(c))
    return done


def _char_span(x: Units, i0: int, i1: int) -> Span:
    return Span(x.spans[i0].start, x.spans[i1].end)


def _whole(text_len: int, x: Units) -> Span:
    return Span(x.spans[0].start, x.spans[-1].end) if x.spans else Span(0, text_len)


def _covered(x: Units, spans: Sequence[Span], share: float) -> np.ndarray:
    """Per sentence of x: at least ``share`` of its characters lie inside ``spans``."""
    out = np.zeros(len(x.spans), dtype=bool)
    if not spans:
        return out
    # Characters inside, overlaps counted as often as spans overlap: the integral of the
    # number of spans over each sentence, from its running sum at the span ends (linear,
    # not sentences x spans).
    ends = np.array([(s.start, 1) for s in spans] + [(s.end, -1) for s in spans], dtype=np.int64)
    ends = ends[np.argsort(ends[:, 0], kind="stable")]
    depth = np.cumsum(ends[:, 1])  # spans open just after each end point
    area = np.concatenate(([0], np.cumsum(depth[:-1] * np.diff(ends[:, 0]))))

    def integral(pos: np.ndarray) -> np.ndarray:
        k = np.searchsorted(ends[:, 0], pos, side="right") - 1
        kk = np.maximum(k, 0)
        return np.where(k < 0, 0, area[kk] + depth[kk] * (pos - ends[kk, 0]))

    starts = np.array([sp.start for sp in x.spans], dtype=np.int64)
    stops = np.array([sp.end for sp in x.spans], dtype=np.int64)
    inside = integral(stops) - integral(starts)
    out[:] = inside >= share * np.maximum(1, stops - starts)
    return out


@dataclass(frozen=True, slots=True)
class _Scored:
    """One pair of texts as the passage builders read it: units, the sentence-pair
    cosine matrix, the idf per unit, the seeds outside known passages, the options."""

    a: Units
    b: Units
    cos: np.ndarray
    idf: dict[str, float]
    fresh: frozenset[tuple[int, int]]
    o: ParaphraseOptions


def paraphrase_passages(
    a: Units, b: Units, options: ParaphraseOptions | None = None, *, known: Sequence[tuple[Span, Span]] = ()
) -> list[Match]:
    """Reworded passages shared by a and b, non-overlapping on each side, in a's order.

    ``known``: passages already found (the verbatim ones, as (a span, b span)); a
    sentence mostly inside one of them on either side seeds nothing, so reworded
    passages come only from what the verbatim stage left unexplained.
    """
    o = options or ParaphraseOptions()
    if not a.bags or not b.bags:
        return []
    cos, dice, idf = similarity_matrices(a, b)
    # Summary seeds use lower thresholds: a summary sentence restates a few source
    # sentences at once, so it shares fewer units with each.
    low = (cos >= o.summary_cosine) & (dice >= o.summary_dice)
    ii, jj = np.nonzero(low)
    loose = list(zip(ii.tolist(), jj.tolist()))
    strict = cos[ii, jj] >= o.seed_cosine
    strict &= dice[ii, jj] >= o.seed_dice
    seeds = [s for s, ok in zip(loose, strict.tolist()) if ok]
    fresh = set(loose)
    if known:
        ca = _covered(a, [k[0] for k in known], 0.5)
        cb = _covered(b, [k[1] for k in known], 0.5)
        fresh = {(i, j) for i, j in loose if not ca[i] and not cb[j]}
    ctx = _Scored(a, b, cos, idf, frozenset(fresh), o)
    found: list[tuple[float, Match]] = []
    for c in _clusters(seeds, o.max_gap, o.max_gap) if seeds else []:
        m = _build(ctx, _trim(_best_partners(ctx, c, known), o.edge_gap), False)
        if m is not None:
            found.append((len(m.a) + len(m.b), m))
    balanced = list(known) + [(m.a, m.b) for _, m in found]
    # Ranked first: a summary explains all the normal passages inside it.
    found += [(10.0 * (len(m.a) + len(m.b)), m) for m in _summaries(ctx, loose, known, balanced)
              if not _rewrite_shaped(m, o) and _part_of_text(m, ctx)]
    # Condensed reuse of a whole text (``overlap.summary``), ranked like the summaries above.
    for sm in summaries(cos, SideText(a.spans, a.length), SideText(b.spans, b.length),
                        copies=known, found=list(known) + [(m.a, m.b) for _, m in found if not m.summary]):
        m = Match(sm.a, sm.b, sm.score, sm.pairs, True)
        if not _rewrite_shaped(m, o) and _part_of_text(m, ctx):
            found.append((10.0 * (len(sm.a) + len(sm.b)), m))
    found = _specific(ctx, found, known)
    found.sort(key=lambda t: -t[0])
    kept: list[Match] = []
    for _, m in found:
        # A reworded passage overlapping a verbatim one on one side only is contradicted
        # by it (``overlap.combine`` drops it): dropped here already, so that it cannot
        # shadow a smaller passage that agrees with the verbatim ones.
        if not m.summary and any(_meets(m.a, ka) != _meets(m.b, kb) for ka, kb in known):
            continue
        if any(_meets(m.a, k.a) or _meets(m.b, k.b) for k in kept):
            continue
        kept.append(m)
    kept.sort(key=lambda m: (m.a.start, m.b.start))
    return kept


def _specific(
    ctx: _Scored, found: list[tuple[float, Match]], known: Sequence[tuple[Span, Span]]
) -> list[tuple[float, Match]]:
    """``found`` without the passages that share too few rare units and lie near no
    verbatim passage (``ParaphraseOptions.specific``).  Linear in the units, once."""
    o = ctx.o
    counts: dict[str, int] | None = None
    out: list[tuple[float, Match]] = []
    for rank, m in found:
        if any(_near(m.a, ka, o.corroborate) and _near(m.b, kb, o.corroborate) for ka, kb in known):
            out.append((rank, m))
            continue
        counts = counts if counts is not None else unit_counts(ctx.a, ctx.b)
        got = specific_shared(ctx.a, sentence_range(ctx.a, m.a), ctx.b, sentence_range(ctx.b, m.b), counts)
        # A passage condensing the other side (``summary_ratio``) is held to the bar of
        # summaries, whether or not summary mode found it.
        condensed = m.summary or max(len(m.a), len(m.b)) >= o.summary_ratio * max(1, min(len(m.a), len(m.b)))
        if got >= (o.summary_specific if condensed else o.specific):
            out.append((rank, m))
    return out


def _near(x: Span, y: Span, gap: int) -> bool:
    return x.start - gap < y.end and y.start - gap < x.end


def _trim(c: list[tuple[int, int]], edge_gap: int) -> list[tuple[int, int]]:
    """``c`` without stray seeds at either end: a run of at most a quarter of its seeds
    more than ``edge_gap`` sentences from the rest on either side is sentences that
    share words, not the case (a cluster of under four seeds has no such run: of two
    seeds neither is the stray one)."""
    c = sorted(c)
    changed = True
    while changed and len(c) > 1:
        changed = False
        for axis in (0, 1):
            c.sort(key=lambda s: (s[axis], s[1 - axis]))
            k = len(c) // 4
            for t in range(1, min(k, len(c) - 1) + 1):
                if c[t][axis] - c[t - 1][axis] > edge_gap + 1:
                    c, changed = c[t:], True
                    break
            for t in range(1, min(k, len(c) - 1) + 1):
                if c[-t][axis] - c[-t - 1][axis] > edge_gap + 1:
                    c, changed = c[:-t], True
                    break
    return c


def _build(ctx: _Scored, c: list[tuple[int, int]], summary: bool) -> Match | None:
    """The passage of one seed cluster, or None when it fails a filter."""
    a, b, o = ctx.a, ctx.b, ctx.o
    i0, i1 = min(s[0] for s in c), max(s[0] for s in c)
    j0, j1 = min(s[1] for s in c), max(s[1] for s in c)
    # Seeds inside known (verbatim) passages join clusters but do not make them:
    # a passage needs its own evidence where the verbatim stage found nothing.
    # Once it has some, the seeds inside known passages count as evidence too: a
    # reworded sentence next to a verbatim fragment of the same case extends it.
    own = [s for s in c if s in ctx.fresh]
    if not own:
        return None
    best = max(float(ctx.cos[i, j]) for i, j in c)
    if len({s[0] for s in c}) < o.min_seeds and len({s[1] for s in c}) < o.min_seeds and best < o.strong_seed:
        return None
    if not summary and best < o.anchor and min(len({s[0] for s in c}), len({s[1] for s in c})) < o.anchor_rows:
        return None
    if not summary:
        i0, i1, j0, j1 = _extend(ctx.cos, i0, i1, j0, j1, o.extend)
    sa, sb = _char_span(a, i0, i1), _char_span(b, j0, j1)
    if min(len(sa), len(sb)) < o.min_short or max(len(sa), len(sb)) < o.min_chars:
        return None
    score = span_cosine(a, (i0, i1), b, (j0, j1), ctx.idf)
    if score < o.validate:
        return None
    if summary:
        got = _summary_spans(ctx, c, len(own), sa, sb)
        if got is None:
            return None
        sa, sb = got
    pairs = tuple((a.spans[i], b.spans[j], round(float(ctx.cos[i, j]), 4)) for i, j in sorted(c))
    return Match(sa, sb, score, pairs, summary)


def _best_partners(
    ctx: _Scored, c: list[tuple[int, int]], known: Sequence[tuple[Span, Span]] = ()
) -> list[tuple[int, int]]:
    """The seeds of ``c`` within ``partner_reach`` sentences of the best partner (in
    ``c``) of their sentence, on both sides, and those whose two sentences a known
    (verbatim) passage pairs: copied words outweigh a closer cosine.  Linear in the
    seeds (times the known passages for the seeds left out)."""
    reach = ctx.o.partner_reach
    row: dict[int, tuple[float, int]] = {}
    col: dict[int, tuple[float, int]] = {}
    for i, j in c:
        v = float(ctx.cos[i, j])
        if i not in row or v > row[i][0]:
            row[i] = (v, j)
        if j not in col or v > col[j][0]:
            col[j] = (v, i)
    a, b = ctx.a.spans, ctx.b.spans
    return [
        (i, j) for i, j in c
        if (abs(j - row[i][1]) <= reach and abs(i - col[j][1]) <= reach)
        or any(_meets(a[i], ka) and _meets(b[j], kb) for ka, kb in known)
    ]


def _extend(cos: np.ndarray, i0: int, i1: int, j0: int, j1: int, t: float) -> tuple[int, int, int, int]:
    """Sentence ranges ``i0..i1`` and ``j0..j1`` grown at each end while the next pair
    of sentences (one more on both sides) reaches cosine ``t``.  Linear in the growth."""
    na, nb = cos.shape
    while i1 + 1 < na and j1 + 1 < nb and cos[i1 + 1, j1 + 1] >= t:
        i1, j1 = i1 + 1, j1 + 1
    while i0 > 0 and j0 > 0 and cos[i0 - 1, j0 - 1] >= t:
        i0, j0 = i0 - 1, j0 - 1
    return i0, i1, j0, j1


def _summary_spans(ctx: _Scored, c: list[tuple[int, int]], own: int, sa: Span, sb: Span) -> tuple[Span, Span] | None:
    """A summary cluster's spans, its long side standing for the whole text, or None
    when the cluster is no summary."""
    a, b, o = ctx.a, ctx.b, ctx.o
    long_a = len(sa) >= len(sb)
    # A summary restates most of its sentences: most of the short side seeds.
    short_rows = {s[1] for s in c} if long_a else {s[0] for s in c}
    if own < o.summary_seeds or len(short_rows) < o.summary_dense * (max(short_rows) - min(short_rows) + 1):
        return None
    if min(len(sa), len(sb)) < o.summary_chars:
        return None
    lx, ls = (a, sa) if long_a else (b, sb)
    whole = _whole(lx.length, lx)
    # A summary condenses a whole text: a long side that spans too little of its
    # text is a topic shared with part of it, not a summary of it.
    if len(ls) < o.summary_whole * len(whole):
        return None
    # Contrast, as in ``overlap.summary``: the rest of the short text pairs hardly at
    # all; where it pairs as much as the summary does, the texts share a topic.
    best = ctx.cos.max(axis=0) if long_a else ctx.cos.max(axis=1)
    r0, r1 = min(short_rows), max(short_rows)
    others = np.concatenate((best[:r0], best[r1 + 1 :]))
    if len(others) and int((others >= o.summary_hit).sum()) > o.summary_background * len(others):
        return None
    return (whole, sb) if long_a else (sa, whole)


def _summaries(
    ctx: _Scored, loose: list[tuple[int, int]], known: Sequence[tuple[Span, Span]],
    balanced: Sequence[tuple[Span, Span]],
) -> list[Match]:
    """Summary mode, chosen by the data: a cluster of ``loose`` seeds with a wide gap on
    one side whose spans differ by ``summary_ratio`` is one text condensing the other.

    ``known``: the verbatim passages; ``balanced``: those and the reworded passages
    with sides of like length found before.
    """
    a, b, o = ctx.a, ctx.b, ctx.o
    out: list[Match] = []
    for gap_a, gap_b in ((o.max_gap, o.summary_gap), (o.summary_gap, o.max_gap)):
        for c in _clusters(loose, gap_a, gap_b):
            if len(c) < 2:
                continue
            i0, i1 = min(s[0] for s in c), max(s[0] for s in c)
            j0, j1 = min(s[1] for s in c), max(s[1] for s in c)
            la, lb = len(_char_span(a, i0, i1)), len(_char_span(b, j0, j1))
            long_b = gap_b > gap_a
            if (lb if long_b else la) < o.summary_ratio * (la if long_b else lb):
                continue
            m = _build(ctx, c, True)
            # Adaptive: a summary only where no balanced passage (verbatim, or reworded
            # with sides of like length) already explains most of the short side, and no
            # verbatim copy a tenth of it: there the text is a copy or a rewrite, and
            # the wide gap merely swept up stray sentences.
            if m is None or _explained(m, balanced, o.summary_ratio, 0.8) or _explained(m, known, 0.0, 0.1) \
                    or _elsewhere(m, balanced):
                continue
            out.append(m)
    return out


def _rewrite_shaped(m: Match, o: ParaphraseOptions) -> bool:
    """The summary ``m`` pairs like a rewrite of like length: its short side's sentences
    pair, in order, with partners close together (forwards or backwards), and its
    stronger half of pairs with a long-side region no longer than the short side, while
    all its pairs spread wide (``rewrite_hull``, ``rewrite_gap``, ``rewrite_spread``).

    A summary restates its source from all over it: each of its sentences draws on
    sentences far apart.  Where the strong pairs sit in one region as long as the short
    side, the rest of the wide region is stray same-topic pairs, and the case is that
    region.  Linear in the pairs.
    """
    a_short = len(m.a) < len(m.b)
    best: dict[int, tuple[Span, float]] = {}
    for pa, pb, c in m.pairs:
        short, long_ = (pa, pb) if a_short else (pb, pa)
        if short.start not in best or c > best[short.start][1]:
            best[short.start] = (long_, c)
    size = max(1, len(m.a) if a_short else len(m.b))
    longs = [pb if a_short else pa for pa, pb, _ in m.pairs]
    spread = max(x.end for x in longs) - min(x.start for x in longs)
    if len(best) < 2 or spread < o.rewrite_spread * size:
        return False
    partners = [best[k] for k in sorted(best)]
    # Distance between consecutive partners, backwards too: a rewrite keeps its order.
    gap = sum(max(0, y[0].start - x[0].end, x[0].start - y[0].end) for x, y in zip(partners, partners[1:]))
    top = sorted(partners, key=lambda t: -t[1])[: max(2, (len(partners) + 1) // 2)]
    hull = max(t[0].end for t in top) - min(t[0].start for t in top)
    return hull <= o.rewrite_hull * size and gap <= o.rewrite_gap * size


def _part_of_text(m: Match, ctx: _Scored) -> bool:
    """The summary's short side is at most ``summary_part`` of its own text."""
    short, length = (m.a, ctx.a.length) if len(m.a) < len(m.b) else (m.b, ctx.b.length)
    return len(short) <= ctx.o.summary_part * length


def _explained(m: Match, passages: Sequence[tuple[Span, Span]], ratio: float, share: float) -> bool:
    """``share`` of the summary's short side lies in ``passages`` whose sides are of like
    length (longer side under ``ratio`` times the shorter; ``ratio`` 0: any passage)."""
    side = 0 if len(m.a) < len(m.b) else 1
    short = (m.a, m.b)[side]
    spans = [
        p[side] for p in passages
        if not ratio or max(len(p[0]), len(p[1])) < ratio * max(1, min(len(p[0]), len(p[1])))
    ]
    inside = sum(max(0, min(short.end, s.end) - max(short.start, s.start)) for s in spans)
    return inside >= share * max(1, len(short))


def _elsewhere(m: Match, passages: Sequence[tuple[Span, Span]]) -> bool:
    """A passage pairs part of the summary's long side with text outside its short side.

    A summary condenses the whole long side; when a stretch of it is reused at another
    place of the other text, the two texts share passages, and the wide gap of summary
    mode merely swept sentences of both into one cluster.
    """
    side = 0 if len(m.a) < len(m.b) else 1
    short, long_ = (m.a, m.b) if side == 0 else (m.b, m.a)
    return any(_meets(p[1 - side], long_) and not _meets(p[side], short) for p in passages)


def _meets(x: Span, y: Span) -> bool:
    return x.start < y.end and y.start < x.end


def describe(m: Match) -> dict[str, Any]:
    """A ``Match`` as a plain dict (for debugging and benchmarks)."""
    return {"a": m.a.to_dict(), "b": m.b.to_dict(), "score": round(m.score, 4), "summary": m.summary,
            "pairs": len(m.pairs)}
