"""Sentences as bags of content units, and how alike two texts' sentences are.

``units(text, sentences, language) -> Units``
    A text's sentences as bags of content units: stemmed content words (English,
    Indonesian: Snowball stemmers), lower-cased words (other Latin-script languages), or
    syllables plus syllable bigrams (Vietnamese, whose words are several syllables).
``similarity_matrices(a, b)``
    tf-idf cosine and Dice of every sentence pair, the seeds of the paraphrase stage.
``span_cosine(a, ia, b, ib, idf)``
    tf-idf cosine of two runs of sentences taken whole (a passage's validation).
``sentence_range(x, span) -> (first, last)``
    The sentences of x that a character span meets.
``specific_shared(a, ia, b, ib, counts)``
    How many units two runs of sentences share that are rare in the two texts (a unit
    found once in each counts 1, one found k times in all ``1 / (k - 1)``): what tells
    a restated passage from two texts on one topic.

Cost: linear in the texts for the units; the matrices are a sparse join over the units
both texts hold (quadratic in sentences at worst, small: hundreds of rows).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .records import Span

__all__ = ["MAX_SENTENCE", "Units", "sentence_range", "similarity_matrices", "span_cosine", "specific_shared",
           "unit_counts", "units"]

_WORD = re.compile(r"[^\W_]+")
# Longest unit bag, in characters, before a sentence is cut into pieces: where the
# sentence splitter finds no boundary (punctuation lost by obfuscation, OCR, lists), one
# "sentence" can hold a whole paragraph, whose bag dilutes every cosine it enters.
# About two ordinary sentences; chosen on PAN-13 training samples (03/04 pairs 300-600).
MAX_SENTENCE = 250

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


# --------------------------------------------------------------------------- units


_STEMS: dict[str, dict[str, str]] = {}


def _stem_all(words: set[str], language: str) -> dict[str, str]:
    """Stems of ``words`` (a per-language cache; new words stemmed in one C call)."""
    cache = _STEMS.setdefault(language, {})
    new = [w for w in words if w not in cache]
    if new:
        if len(cache) > 500_000:
            cache.clear()
        import Stemmer  # type: ignore[import-not-found]  # PyStemmer, lazy: only the paraphrase stage needs it

        st = _STEMMERS.get(language)
        if st is None:
            st = _STEMMERS[language] = Stemmer.Stemmer({"en": "english", "id": "indonesian"}[language])
        cache.update(zip(new, st.stemWords(new)))
    return cache


_STEMMERS: dict[str, Any] = {}


def _sentence_words(s: str, language: str) -> list[str]:
    """Content words (before stemming) or Vietnamese syllable units of one sentence."""
    words = _WORD.findall(s.lower())
    if language == "vi":
        syl = [w for w in words if not w.isdigit() or len(w) > 1]
        out = [w for w in syl if w not in _VI_STOP]
        out.extend(f"{x} {y}" for x, y in zip(syl, syl[1:]))
        return out
    if language in ("en", "id"):
        stop = _EN_STOP if language == "en" else _ID_STOP
        return [w for w in words if w not in stop and (len(w) > 1 or w.isdigit())]
    return [w for w in words if len(w) > 2 or w.isdigit()]


def units(
    text: str, sentences: Sequence[Span], language: str, *, min_units: int = 3, max_chars: int = MAX_SENTENCE
) -> Units:
    """The unit bags of ``text``'s sentences (``language`` as ``overlap.language.detect`` says);
    a sentence longer than ``max_chars`` is cut at spaces into pieces of like length.

    Cost: one regex pass, and one stemmer call (C, PyStemmer) for the distinct words not
    seen before in this process.
    """
    spans: list[Span] = []
    bags: list[tuple[str, ...]] = []
    pending: list[str] = []
    start = -1
    # One string object per distinct unit: a huge text repeats its words, and a new
    # string per occurrence cost about 60 bytes each (bags of a 25 MB text took GBs).
    one: dict[str, str] = {}
    for sp in _pieces(text, sentences, max_chars):
        got = [one.setdefault(w, w) for w in _sentence_words(text[sp.start : sp.end], language)]
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
    if language in ("en", "id") and bags:
        stems = _stem_all({w for bag in bags for w in bag}, language)
        bags = [tuple([stems[w] for w in bag]) for bag in bags]
    return Units(tuple(spans), tuple(bags), len(text))


def _pieces(text: str, sentences: Sequence[Span], max_chars: int) -> list[Span]:
    """``sentences`` with each one longer than ``max_chars`` cut at spaces into pieces of
    like length under it.  Linear in the text."""
    out: list[Span] = []
    for sp in sentences:
        n = math.ceil(len(sp) / max_chars) if max_chars > 0 else 1
        if n <= 1:
            out.append(sp)
            continue
        start = sp.start
        for k in range(1, n):
            cut = text.find(" ", sp.start + k * len(sp) // n, sp.end)
            if cut <= start:
                continue
            out.append(Span(start, cut))
            start = cut
        out.append(Span(start, sp.end))
    return out


# --------------------------------------------------------------------------- seeds


def similarity_matrices(a: Units, b: Units) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Per sentence pair (rows a, columns b): tf-idf cosine and Dice; and the idf per unit.

    tf is the count in the sentence, idf ``1 + log(N / df)`` over the sentences of both
    texts.  Only units both texts hold can contribute to a product, so the matrices
    are built over those columns alone (norms and sizes count every unit).
    """
    ids: dict[str, int] = {}
    rows_ids: list[np.ndarray] = []
    for x in (a, b):
        r: list[int] = []
        u: list[int] = []
        for k, bag in enumerate(x.bags):
            r.extend([k] * len(bag))
            u.extend([ids.setdefault(t, len(ids)) for t in bag])
        rows_ids.append(np.asarray(r, dtype=np.int64))
        rows_ids.append(np.asarray(u, dtype=np.int64))
    nv = len(ids)
    ra, ua, rb, ub = rows_ids
    # (row, unit) pairs with their counts, per side.
    ka, ca = np.unique(ra * nv + ua, return_counts=True)
    kb, cb = np.unique(rb * nv + ub, return_counts=True)
    rowa, unita = ka // nv, ka % nv
    rowb, unitb = kb // nv, kb % nv
    df = np.bincount(unita, minlength=nv) + np.bincount(unitb, minlength=nv)
    n = len(a.bags) + len(b.bags)
    idf = 1.0 + np.log(n / np.maximum(df, 1))
    wa, wb = ca * idf[unita], cb * idf[unitb]
    norma = np.sqrt(np.bincount(rowa, weights=wa * wa, minlength=len(a.bags)))
    normb = np.sqrt(np.bincount(rowb, weights=wb * wb, minlength=len(b.bags)))
    sizea = np.bincount(rowa, minlength=len(a.bags)).astype(np.float64)
    sizeb = np.bincount(rowb, minlength=len(b.bags)).astype(np.float64)
    in_a = np.zeros(nv, dtype=bool)
    in_a[unita] = True
    in_b = np.zeros(nv, dtype=bool)
    in_b[unitb] = True
    # Join the (row, unit) entries of a and b on the units both hold: every joined pair
    # adds w_a * w_b to its cosine cell and 1 to its Dice cell.  A sparse join, not a
    # dense matrix product: the matrices are small and mostly empty, and a BLAS call
    # would start threads that fight over a busy machine's cores.
    shared = in_a & in_b
    sa_ = shared[unita]
    rowa, unita, wa_s = rowa[sa_], unita[sa_], wa[sa_]
    sb_ = shared[unitb]
    rowb, unitb, wb_s = rowb[sb_], unitb[sb_], wb[sb_]
    order = np.argsort(unitb, kind="stable")
    rowb, unitb, wb_s = rowb[order], unitb[order], wb_s[order]
    first = np.searchsorted(unitb, unita, side="left")
    count = np.searchsorted(unitb, unita, side="right") - first
    total = int(count.sum())
    nb_rows = len(b.bags)
    cells = len(a.bags) * nb_rows
    if total:
        rep = np.repeat(np.arange(len(unita)), count)
        offs = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
        jb = first[rep] + offs
        cell = rowa[rep] * nb_rows + rowb[jb]
        dot: np.ndarray = np.bincount(cell, weights=wa_s[rep] * wb_s[jb], minlength=cells)
        inter: np.ndarray = np.bincount(cell, minlength=cells).astype(np.float64)
    else:
        dot = np.zeros(cells)
        inter = np.zeros(cells)
    cos = dot.reshape(len(a.bags), nb_rows) / np.maximum(np.outer(norma, normb), 1e-12)
    dice = 2.0 * inter.reshape(len(a.bags), nb_rows) / np.maximum(sizea[:, None] + sizeb[None, :], 1.0)
    idf_of = dict(zip(ids, idf.tolist()))
    return cos, dice, idf_of


def span_cosine(a: Units, ia: tuple[int, int], b: Units, ib: tuple[int, int], idf: dict[str, float]) -> float:
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


def sentence_range(x: Units, sp: Span) -> tuple[int, int]:
    """First and last sentence of x that ``sp`` meets (the nearest one when it meets
    none).  Logarithmic in the sentences, after a linear pass for the bounds."""
    i0 = bisect_right([s.end for s in x.spans], sp.start)
    i1 = bisect_left([s.start for s in x.spans], sp.end) - 1
    i0 = min(i0, len(x.spans) - 1)
    return i0, max(i0, i1)


def unit_counts(a: Units, b: Units) -> dict[str, int]:
    """Occurrences of every unit in the two texts together (linear in the units)."""
    out: dict[str, int] = {}
    for x in (a, b):
        for bag in x.bags:
            for u in bag:
                out[u] = out.get(u, 0) + 1
    return out


def specific_shared(
    a: Units, ia: tuple[int, int], b: Units, ib: tuple[int, int], counts: dict[str, int]
) -> float:
    """Units shared by sentences ``ia[0]..ia[1]`` of a and ``ib[0]..ib[1]`` of b, each
    weighted by how rare it is in the two texts: ``1 / (k - 1)`` for a unit found k
    times in all (``counts``: ``unit_counts(a, b)``), so one found once in each counts 1.

    Two texts on one topic share its words all over, and a sentence pair of them shares
    those; a passage restated from the other text shares the words only it holds (its
    names, figures and terms), which occur in the two passages and hardly elsewhere.
    Linear in the units of the two runs.
    """
    ua = {u for bag in a.bags[ia[0] : ia[1] + 1] for u in bag}
    ub = {u for bag in b.bags[ib[0] : ib[1] + 1] for u in bag}
    return sum(1.0 / max(1, counts[u] - 1) for u in ua & ub)
