"""Sentence-level alignment of reworded reuse: what verbatim seed-and-extend misses.

``units(text, sentences, language) -> Units``
    A text's sentences as bags of content units: stemmed content words (English,
    Indonesian: Snowball stemmers), lower-cased words (other Latin-script languages), or
    syllables plus syllable bigrams (Vietnamese, whose words are several syllables).
``paraphrase_passages(a, b, options=None) -> list[Match]``
    Passages of a and b that say the same things in other words, as ``Match`` records
    (character spans on both sides, the seed sentence pairs, ``summary`` when one side
    condenses the other).

Method (after Sanchez-Perez, Sidorov and Gelbukh 2014): two sentences are a *seed* when
both the tf-idf cosine and the Dice coefficient of their units reach a threshold; seeds
are clustered into passages across small gaps in either text (so reordered and split
sentences join), each passage is validated by the cosine of its two sides taken whole,
and short or overlapping ones are dropped.  A passage whose one side is several times
shorter than the other is a *summary*: it is clustered again with a wide gap on the long
side, and when the long side spans most of its text it stands for the whole text (a
summary condenses a document, not the sentences that happen to share words).

Cost: linear in the texts for the units; sentence pairs are scored by one matrix product
over the units the two texts share (quadratic in sentences, small: hundreds of rows).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import numpy as np

from .records import Span

__all__ = ["Match", "ParaphraseOptions", "Units", "paraphrase_passages", "units"]

_WORD = re.compile(r"[^\W_]+")

_EN_STOP = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves s t d ll m o re ve y said says one two may
    might must shall upon us many much
    """.split()
)
_ID_STOP = frozenset(
    """
    yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke karena adalah atau
    oleh sebagai telah bahwa ada bisa dapat sudah saat para kata mereka kami kita ia dia
    """.split()
)
_VI_STOP = frozenset(
    """
    và của là có được cho các những với này đã trong không người một để khi đến về từ
    thì sẽ ra tại nhiều đó theo như cũng vào nên bị rằng do lại mà nói
    """.split()
)


@dataclass(frozen=True, slots=True)
class Units:
    """A text's sentences as unit bags: ``spans[k]`` holds units ``bags[k]`` (hashed).

    Sentences with fewer than ``ParaphraseOptions.min_units`` units are joined to the
    next, so every bag is worth scoring.  ``length`` is the text's length in characters.
    """

    spans: tuple[Span, ...]
    bags: tuple[tuple[str, ...], ...]
    length: int


@dataclass(frozen=True, slots=True)
class ParaphraseOptions:
    """Thresholds of the paraphrase stage (values of Sanchez-Perez et al. unless noted).

    ``seed_cosine``, ``seed_dice``: a sentence pair is a seed when both reach these.
    ``max_gap``: sentences a passage may skip on either side between seeds.
    ``validate``: cosine the two sides of a passage, taken whole, must reach.
    ``min_chars``: characters each side of a passage needs.
    ``min_seeds``: seed pairs a passage needs (2: one shared sentence is a quotation or
    a coincidence, not reuse; ``strong_seed`` cosine lets a single pair through).
    ``summary_ratio``: long side at least this many times the short side makes a summary;
    ``summary_gap``: the gap allowed on the long side then; ``summary_whole``: share of
    the long text its seeds must span for the passage to stand for the whole text.
    """

    seed_cosine: float = 0.33
    seed_dice: float = 0.33
    max_gap: int = 4
    validate: float = 0.34
    min_chars: int = 150
    min_seeds: int = 2
    strong_seed: float = 0.6
    min_units: int = 3
    summary_ratio: float = 3.0
    summary_gap: int = 24
    summary_whole: float = 0.5


@dataclass(frozen=True, slots=True)
class Match:
    """A reworded passage: spans of a and b, its seed sentence pairs, and the cosine of
    its two sides (``score``).  ``summary``: one side condenses the other."""

    a: Span
    b: Span
    score: float
    pairs: tuple[tuple[Span, Span, float], ...]
    summary: bool = False


# --------------------------------------------------------------------------- units


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Callable[[str], str]:
    import snowballstemmer  # lazy: only the paraphrase stage needs it

    st = snowballstemmer.stemmer({"en": "english", "id": "indonesian"}[language])
    return lru_cache(maxsize=200_000)(st.stemWord)  # type: ignore[no-any-return]


def _sentence_units(s: str, language: str) -> list[str]:
    words = _WORD.findall(s.lower())
    if language == "vi":
        syl = [w for w in words if not w.isdigit() or len(w) > 1]
        out = [w for w in syl if w not in _VI_STOP]
        out.extend(f"{x} {y}" for x, y in zip(syl, syl[1:]))
        return out
    if language in ("en", "id"):
        stop = _EN_STOP if language == "en" else _ID_STOP
        stem = _stemmer(language)
        return [stem(w) for w in words if w not in stop and (len(w) > 1 or w.isdigit())]
    return [w for w in words if len(w) > 2 or w.isdigit()]


def units(text: str, sentences: Sequence[Span], language: str, *, min_units: int = 3) -> Units:
    """The unit bags of ``text``'s sentences (``language`` as ``overlap.language.detect`` says).

    Cost: one regex pass and one stemmer call per distinct word (cached).
    """
    spans: list[Span] = []
    bags: list[tuple[str, ...]] = []
    pending: list[str] = []
    start = -1
    for sp in sentences:
        got = _sentence_units(text[sp.start : sp.end], language)
        if not got and start < 0:
            continue
        if start < 0:
            start = sp.start
        pending.extend(got)
        if len(pending) >= min_units:
            spans.append(Span(start, sp.end))
            bags.append(tuple(pending))
            pending, start = [], -1
    if pending:
        if bags and len(pending) < min_units:
            spans[-1] = Span(spans[-1].start, sentences[-1].end)
            bags[-1] = bags[-1] + tuple(pending)
        else:
            spans.append(Span(start, sentences[-1].end))
            bags.append(tuple(pending))
    return Units(tuple(spans), tuple(bags), len(text))


# --------------------------------------------------------------------------- seeds


def _matrices(a: Units, b: Units) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, float]]:
    """Per sentence pair: tf-idf cosine and Dice; plus each side's per-sentence vectors' idf."""
    df: dict[str, int] = {}
    for bag in a.bags + b.bags:
        for u in set(bag):
            df[u] = df.get(u, 0) + 1
    n = len(a.bags) + len(b.bags)
    idf = {u: math.log(n / c) + 1.0 for u, c in df.items()}
    va = {u for bag in a.bags for u in bag}
    shared = sorted(va.intersection(u for bag in b.bags for u in bag))
    col = {u: k for k, u in enumerate(shared)}

    def side(x: Units) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        w = np.zeros((len(x.bags), len(shared)), dtype=np.float64)
        norms = np.zeros(len(x.bags))
        sizes = np.zeros(len(x.bags))
        for r, bag in enumerate(x.bags):
            counts: dict[str, int] = {}
            for u in bag:
                counts[u] = counts.get(u, 0) + 1
            sq = 0.0
            for u, c in counts.items():
                v = c * idf[u]
                sq += v * v
                k = col.get(u)
                if k is not None:
                    w[r, k] = v
            norms[r] = math.sqrt(sq)
            sizes[r] = len(counts)
        return w, norms, sizes, (w > 0).astype(np.float64)

    wa, na, sa, ba = side(a)
    wb, nb, sb, bb = side(b)
    cos = (wa @ wb.T) / np.maximum(np.outer(na, nb), 1e-12)
    dice = 2.0 * (ba @ bb.T) / np.maximum(sa[:, None] + sb[None, :], 1.0)
    return cos, dice, na, nb, idf


def _cosine(a: Units, ia: tuple[int, int], b: Units, ib: tuple[int, int], idf: dict[str, float]) -> float:
    """tf-idf cosine of sentences ``ia[0]..ia[1]`` of a against ``ib[0]..ib[1]`` of b, taken whole."""

    def vec(x: Units, r: tuple[int, int]) -> dict[str, float]:
        v: dict[str, float] = {}
        for bag in x.bags[r[0] : r[1] + 1]:
            for u in bag:
                v[u] = v.get(u, 0.0) + idf[u]
        return v

    va, vb = vec(a, ia), vec(b, ib)
    dot = sum(w * vb[u] for u, w in va.items() if u in vb)
    den = math.sqrt(sum(w * w for w in va.values())) * math.sqrt(sum(w * w for w in vb.values()))
    return dot / den if den else 0.0


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
    todo = [seeds]
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


def paraphrase_passages(a: Units, b: Units, options: ParaphraseOptions | None = None) -> list[Match]:
    """Reworded passages shared by a and b, non-overlapping on each side, in a's order."""
    o = options or ParaphraseOptions()
    if not a.bags or not b.bags:
        return []
    cos, dice, _, _, idf = _matrices(a, b)
    hit = (cos >= o.seed_cosine) & (dice >= o.seed_dice)
    ii, jj = np.nonzero(hit)
    if len(ii) == 0:
        return []
    seeds = list(zip(ii.tolist(), jj.tolist()))
    found: list[tuple[float, Match]] = []

    def build(c: list[tuple[int, int]], summary: bool) -> Match | None:
        i0, i1 = min(s[0] for s in c), max(s[0] for s in c)
        j0, j1 = min(s[1] for s in c), max(s[1] for s in c)
        best = max(float(cos[i, j]) for i, j in c)
        if len({s[0] for s in c}) < o.min_seeds and len({s[1] for s in c}) < o.min_seeds and best < o.strong_seed:
            return None
        sa, sb = _char_span(a, i0, i1), _char_span(b, j0, j1)
        if len(sa) < o.min_chars or len(sb) < o.min_chars:
            return None
        score = _cosine(a, (i0, i1), b, (j0, j1), idf)
        if not summary and score < o.validate:
            return None
        if summary:
            long_a = len(sa) >= len(sb)
            lx, ls = (a, sa) if long_a else (b, sb)
            whole = _whole(lx.length, lx)
            if len(ls) >= o.summary_whole * len(whole):
                if long_a:
                    sa = whole
                else:
                    sb = whole
        pairs = tuple(
            (a.spans[i], b.spans[j], round(float(cos[i, j]), 4)) for i, j in sorted(c)
        )
        return Match(sa, sb, score, pairs, summary)

    for c in _clusters(seeds, o.max_gap, o.max_gap):
        m = build(c, False)
        if m is not None:
            found.append((len(m.a) + len(m.b), m))
    # Summary mode, chosen by the data: a cluster with a wide gap on one side whose
    # spans differ by ``summary_ratio`` is one text condensing the other.
    for gap_a, gap_b in ((o.max_gap, o.summary_gap), (o.summary_gap, o.max_gap)):
        for c in _clusters(seeds, gap_a, gap_b):
            if len(c) < 2:
                continue
            i0, i1 = min(s[0] for s in c), max(s[0] for s in c)
            j0, j1 = min(s[1] for s in c), max(s[1] for s in c)
            la, lb = len(_char_span(a, i0, i1)), len(_char_span(b, j0, j1))
            long_b = gap_b > gap_a
            if (lb if long_b else la) < o.summary_ratio * (la if long_b else lb):
                continue
            m = build(c, True)
            if m is not None:
                # Ranked first: a summary explains all the normal passages inside it.
                found.append((10.0 * (len(m.a) + len(m.b)), m))
    found.sort(key=lambda t: -t[0])
    kept: list[Match] = []
    for _, m in found:
        if any(_meets(m.a, k.a) or _meets(m.b, k.b) for k in kept):
            continue
        kept.append(m)
    kept.sort(key=lambda m: (m.a.start, m.b.start))
    return kept


def _meets(x: Span, y: Span) -> bool:
    return x.start < y.end and y.start < x.end


def describe(m: Match) -> dict[str, Any]:
    """A ``Match`` as a plain dict (for debugging and benchmarks)."""
    return {"a": m.a.to_dict(), "b": m.b.to_dict(), "score": round(m.score, 4), "summary": m.summary,
            "pairs": len(m.pairs)}
