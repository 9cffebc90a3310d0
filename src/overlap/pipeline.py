"""The one place that knows the order of the stages: ``compare`` two texts end to end.

normalise -> tokenise/shingle -> similarity -> align passages -> edit blocks -> conflicts.

``compare(a, b, *, options=None, **overrides) -> Comparison``
``compare_files(path_a, path_b, *, options=None, encoding="utf-8", **overrides) -> Comparison``
``prepare(text) -> PreparedText`` and ``compare_prepared(a, b, *, options=None) -> Comparison``
    The same comparison with per-text work done once, for one text against many.

The stages live in their modules: ``overlap.prepared`` (one text's view, tokens and
cached facts), ``overlap.align`` (verbatim alignment), ``overlap.passages`` (passage
records, edit blocks, conflicts), ``overlap.paraphrase`` and ``overlap.combine``
(reworded passages, merged with the verbatim ones), ``overlap.confidence``.

``compare`` is symmetric by construction: it aligns the two texts in a canonical order
and mirrors the result, so ``compare(b, a)`` is ``compare(a, b)`` with sides swapped.
"""

from __future__ import annotations

import os
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from itertools import accumulate
from typing import Any

import numpy as np

from .align import LONG_PASSAGE, AlignOptions, align, token_opcodes
from .confidence import assess
from .errors import ConfigError
from .jit import aligner
from .passages import passage_record, slot_extend, trim_edges
from .prepared import PreparedText
from .records import Comparison, Conflict, DuplicateReason, Edit, Passage, SentencePair, Similarity, Span, Variant

__all__ = ["CompareOptions", "PreparedText", "compare", "compare_files", "compare_prepared", "prepare"]


@dataclass(frozen=True, slots=True)
class CompareOptions:
    """Settings of ``compare``, validated on construction.

    ``shingle_size``: tokens per shingle for the similarity scores (5: the size
    text-dedup and most near-duplicate work use for words).
    ``near_duplicate``: Jaccard at or above which two texts are near-duplicates (0.5).
    ``duplicate_coverage``: they are near-duplicates too when verbatim passages (the
    token aligner's, not reworded ones) cover at least this share of *both* texts
    (0.8): a copy with many small edits keeps its passages long after its shingle
    Jaccard has fallen.
    ``seed_size``, ``max_gap``, ``min_tokens``, ``min_density``: the passage aligner's
    knobs, in tokens (see ``overlap.align``).
    ``paraphrase``: also find reworded reuse (``overlap.paraphrase``), combined with the
    verbatim passages (``overlap.combine``); False gives verbatim passages only.  None
    (the default): on in ``compare`` and ``compare_files``, off in ``compare_prepared``,
    the batch path ``scan`` verifies its candidates with (they come from verbatim
    shingles, and a scan must stay as cheap and as its Spark twin).
    ``language``: the paraphrase stage's language, ``"auto"`` to detect it per text
    (``overlap.language``), or one of ``"en"``, ``"vi"``, ``"id"``, ``"other"``.
    """

    shingle_size: int = 5
    near_duplicate: float = 0.5
    duplicate_coverage: float = 0.8
    seed_size: int = 3
    max_gap: int = 12
    min_tokens: int = 15
    min_density: float = 0.5
    paraphrase: bool | None = None
    language: str = "auto"

    def __post_init__(self) -> None:
        from .language import LANGUAGES

        if self.language not in LANGUAGES:
            raise ConfigError(f"language must be one of {', '.join(LANGUAGES)}: {self.language!r}")
        if self.paraphrase is not None and not isinstance(self.paraphrase, bool):
            raise ConfigError(f"paraphrase must be True, False or None: {self.paraphrase!r}")
        for name in ("shingle_size", "seed_size", "min_tokens"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 1000:
                raise ConfigError(f"{name} must be an integer in [1, 1000]: {v!r}")
        if not isinstance(self.max_gap, int) or not 0 <= self.max_gap <= 1000:
            raise ConfigError(f"max_gap must be an integer in [0, 1000]: {self.max_gap!r}")
        for name in ("near_duplicate", "duplicate_coverage", "min_density"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0.0 <= v <= 1.0:
                raise ConfigError(f"{name} must be in [0.0, 1.0]: {v!r}")

    @property
    def align(self) -> AlignOptions:
        return AlignOptions(
            seed_size=self.seed_size, max_gap=self.max_gap, min_tokens=self.min_tokens, min_density=self.min_density
        )


def with_overrides(cls: Any, options: Any, overrides: dict[str, Any]) -> Any:
    """``options`` (or ``cls()``) with keyword ``overrides`` applied, unknown names refused.

    Shared by ``compare`` and ``scan``: their options are frozen dataclasses validated
    on construction, so ``replace`` re-validates the new values.
    """
    base = options or cls()
    if not overrides:
        return base
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ConfigError(f"unknown option(s) {', '.join(unknown)}; expected one of {', '.join(sorted(known))}")
    return replace(base, **overrides)


# --------------------------------------------------------------------------- stages


def _similarity(a: PreparedText, b: PreparedText, k: int) -> Similarity:
    jit = aligner()
    if jit is not None:  # compiled (``align.use_jit()``): one hash table, no sort per text
        return _counts_similarity(*jit.overlap_counts(a.shingles(k), b.shingles(k)))
    return set_similarity(a.shingle_set(k), b.shingle_set(k))


def set_similarity(sa: np.ndarray, sb: np.ndarray) -> Similarity:
    """Jaccard and containments of two sorted unique shingle arrays (``scan`` uses it too)."""
    return _counts_similarity(len(sa), len(sb), len(np.intersect1d(sa, sb, assume_unique=True)))


def _counts_similarity(na: int, nb: int, inter: int) -> Similarity:
    if na == 0 or nb == 0:
        return Similarity(0.0, 0.0, 0.0)
    return Similarity(inter / (na + nb - inter), inter / na, inter / nb)


def _compare_docs(
    a: PreparedText, b: PreparedText, o: CompareOptions, flip: bool = False
) -> tuple[Similarity, list[Passage], list[Conflict], list[Variant], list[Passage]]:
    """Similarity, passages, conflicts and variants of a aligned against b, and the
    verbatim passages alone (before reworded ones merge with them).

    With ``flip`` the records come out with sides swapped (b's spans first), as
    ``compare_prepared`` reports them when it aligned in swapped order.
    """
    sim = _similarity(a, b, o.shingle_size)
    passages: list[Passage] = []
    conflicts: list[Conflict] = []
    variants: list[Variant] = []
    for al in align(a.tokens, b.tokens, o.align, cache_a=a.align_cache, cache_b=b.align_cache):
        p, cs, vs = passage_record(slot_extend(trim_edges(al, a, b), a, b), a, b, flip)
        passages.append(p)
        conflicts.extend(cs)
        variants.extend(vs)
    verbatim = passages
    if o.paraphrase:  # None (batch default) is off
        passages = _with_reworded(a, b, o, passages, flip)
    return sim, passages, conflicts, variants, verbatim


def _units(doc: PreparedText, language: str) -> Any:
    """The paraphrase stage's unit bags of a text (cached per language on the handle)."""
    from .language import detect
    from .sentence_units import units

    lang = detect(doc.text) if language == "auto" else language
    got = doc.units_cache.get(lang)
    if got is None:
        got = doc.units_cache[lang] = units(doc.text, doc.sentence_spans, lang)
    return got


# The paraphrase stage scores every sentence of a against every sentence of b: over this
# many sentence pairs (about 2,000 sentences a side) it is skipped, and the result says so.
REWORDED_MAX_PAIRS = 4_000_000


def _reworded_capped(a: PreparedText, b: PreparedText) -> bool:
    return len(a.sentence_spans) * len(b.sentence_spans) > REWORDED_MAX_PAIRS


def _capped(a: PreparedText, b: PreparedText, o: CompareOptions, passages: list[Passage]) -> tuple[str, ...]:
    """What ``compare`` cut short on a very large input, one sentence each (``Comparison.capped``)."""
    out = [
        f"passage {k} is over {LONG_PASSAGE:,} tokens: its diff was computed piecewise, "
        "so its edits may not be the fewest"
        for k, p in enumerate(passages, 1) if p.piecewise
    ]
    if o.paraphrase and _reworded_capped(a, b):
        out.append(
            f"reworded passages were not searched: {len(a.sentence_spans):,} x {len(b.sentence_spans):,} "
            f"sentence pairs is over {REWORDED_MAX_PAIRS:,}"
        )
    return tuple(out)


def _with_reworded(a: PreparedText, b: PreparedText, o: CompareOptions, passages: list[Passage], flip: bool) -> list[Passage]:
    """The verbatim passages combined with the reworded ones (``overlap.combine``).

    A reworded passage reports no edits and, by itself, no conflicts: its words differ
    by design, so only the verbatim passages it absorbs keep their conflicts (facts both
    sides state in the same words).  Its ``pairs`` are the seed sentence pairs and the
    absorbed passages' pairs.
    """
    from .combine import combine
    from .paraphrase import paraphrase_passages

    if _reworded_capped(a, b):
        return passages
    spans = [(p.b, p.a) if flip else (p.a, p.b) for p in passages]
    matches = paraphrase_passages(_units(a, o.language), _units(b, o.language), known=spans)
    out: list[Passage] = []
    # Edited copies (under ``_EXACT`` of their tokens identical) that lie close on both
    # sides are pieces of one rewritten case; exact copies stay as the aligner split them.
    edited = [p.verbatim < _EXACT for p in passages]
    for m in combine(spans, [(x.a, x.b) for x in matches], edited=edited):
        if not m.reworded and len(m.verbatim) == 1 and passages[m.verbatim[0]].verbatim >= _REWRITE:
            out.append(passages[m.verbatim[0]])
            continue
        # A rewrite: reworded passages, merged pieces, or an aligned stretch under
        # ``_REWRITE`` identical; its edges widen to the sentences both sides begun.
        wa, wb = _snap(a, m.a, b, m.b)
        m = replace(m, a=wa, b=wb)
        ia0, ia1 = bisect_left(a.ostarts, m.a.start), bisect_left(a.ostarts, m.a.end)
        ib0, ib1 = bisect_left(b.ostarts, m.b.start), bisect_left(b.ostarts, m.b.end)
        ha, hb = a.hlist[ia0:ia1], b.hlist[ib0:ib1]
        same = 2 * sum(op[2] - op[1] for op in token_opcodes(ha, hb) if op[0] == "equal") / max(1, len(ha) + len(hb))
        got = [(sa, sb, sc) for k in m.reworded for sa, sb, sc in matches[k].pairs]
        # Seed a-spans by start, with the running maximum of their ends: some seed
        # overlaps t exactly when one starting before t's end ends after t's start.
        seeded = sorted((t[0].start, t[0].end) for t in got)
        starts, reach = [x[0] for x in seeded], list(accumulate((x[1] for x in seeded), max))
        got += [  # the absorbed passages' pairs where no seed pair already stands
            t for v in m.verbatim for q in passages[v].pairs
            for t in [(q.b, q.a, q.score) if flip else (q.a, q.b, q.score)]
            if not (k := bisect_left(starts, t[0].end)) or reach[k - 1] <= t[0].start
        ]
        got.sort(key=lambda t: (t[0].start, t[1].start))
        pairs = [SentencePair(sb, sa, sc) if flip else SentencePair(sa, sb, sc) for sa, sb, sc in got]
        members = [passages[v] for v in m.verbatim]
        if m.reworded:
            score, edits = max(matches[k].score for k in m.reworded), tuple[Edit, ...]()
        else:  # verbatim pieces that touch on both sides: their scores by length, their edits
            score = sum(p.score * len(p.a) for p in members) / max(1, sum(len(p.a) for p in members))
            edits = tuple(sorted((e for p in members for e in p.edits), key=lambda e: (e.a.start, e.b.start)))
        sa, sb = (m.b, m.a) if flip else (m.a, m.b)
        piecewise = any(p.piecewise for p in members) or (ha != hb and max(len(ha), len(hb)) > LONG_PASSAGE)
        out.append(Passage(sa, sb, float(score), tuple(pairs), edits, float(same), piecewise))
    return out


_EXACT = 0.98
_REWRITE = 0.8
_SNAP = 100


def _widths(doc: PreparedText, sp: Span, reach: int) -> tuple[int, int]:
    """Characters from the start of the sentence ``sp`` starts in to ``sp.start``, and from
    ``sp.end`` to the end of the sentence it ends in (-1: none, or more than ``reach``)."""
    starts, ends = doc.sent_bounds
    head = tail = -1
    k = bisect_right(starts, sp.start) - 1
    if k >= 0 and ends[k] > sp.start and sp.start - starts[k] <= reach:
        head = sp.start - starts[k]
    k = bisect_left(ends, sp.end)
    if k < len(ends) and starts[k] < sp.end and ends[k] - sp.end <= reach:
        tail = ends[k] - sp.end
    return head, tail


def _snap(a: PreparedText, sa: Span, b: PreparedText, sb: Span, reach: int = _SNAP) -> tuple[Span, Span]:
    """Both spans widened to the sentences they start and end in, at an edge where both
    stop short of a sentence boundary (by at most ``reach`` characters).

    A rewrite changes the words at a passage's edges, so the aligned words start a
    little after the reused sentences do and end a little before, and reuse is cut at
    sentence boundaries.  An edge that is a sentence boundary on one side stays: there
    only part of the other side's sentence was reused (an attribution clause, say).
    """
    ha, ta = _widths(a, sa, reach)
    hb, tb = _widths(b, sb, reach)
    if ha > 0 and hb > 0:
        sa, sb = Span(sa.start - ha, sa.end), Span(sb.start - hb, sb.end)
    if ta > 0 and tb > 0:
        sa, sb = Span(sa.start, sa.end + ta), Span(sb.start, sb.end + tb)
    return sa, sb


def compare(a: str, b: str, *, options: CompareOptions | None = None, **overrides: Any) -> Comparison:
    """Compare two texts: similarity, shared passages and conflicting details.

    Options are a ``CompareOptions`` or its fields as keywords.  Cost: linear in the
    texts for normalisation, shingles and seeds; one token Levenshtein per passage.

    >>> c = compare("Ông Ryabkov nói cuộc gặp với phái đoàn Mỹ kéo dài 7,5 giờ tại Geneva hôm thứ Hai.",
    ...             "Ông Ryabkov nói cuộc gặp với phái đoàn Mỹ kéo dài 8 giờ tại Geneva hôm thứ Hai.")
    >>> [(x.kind, x.a_text, x.b_text) for x in c.conflicts]
    [('number', '7,5 giờ', '8 giờ')]
    """
    if not isinstance(a, str) or not isinstance(b, str):
        raise TypeError("compare() takes two str; use compare_files() for paths")
    o = with_overrides(CompareOptions, options, overrides)
    if o.paraphrase is None:
        o = replace(o, paraphrase=True)
    pa = prepare(a)
    # Equal texts share one preparation: half the memory for a huge text against itself.
    return compare_prepared(pa, pa if b == a else prepare(b), options=o)


def prepare(text: str, *, sentence_spans: Sequence[Span] | None = None) -> PreparedText:
    """A reusable ``PreparedText`` of one text for ``compare_prepared``.

    Holds the normalised view and tokens, and caches what a comparison derives from the
    text alone (sentences, name flags, ...), so comparing one text against many (a scan,
    an index query) pays for them once.  ``sentence_spans``: ``overlap.segment.sentences(text)``
    when the caller already has it (``scan`` splits every text while signing).
    """
    if not isinstance(text, str):
        raise TypeError(f"prepare() takes str, got {type(text).__name__}")
    return PreparedText.of(text, sentence_spans)


def compare_prepared(a: PreparedText, b: PreparedText, *, options: CompareOptions | None = None) -> Comparison:
    """``compare`` on two ``prepare``d texts; the same result as ``compare(a.text, b.text)``."""
    o = options or CompareOptions()
    swap = (len(b.text), b.text) < (len(a.text), a.text)
    # Align in one canonical order (the result must not depend on argument order); the
    # records are built with their sides in the caller's order.
    sim, passages, conflicts, variants, copies = _compare_docs(b, a, o, True) if swap else _compare_docs(a, b, o)
    if swap:
        sim = Similarity(sim.jaccard, sim.containment_b, sim.containment_a)
    passages.sort(key=lambda p: (p.a.start, p.b.start))
    conflicts.sort(key=lambda c: (c.a.start, c.b.start))
    variants.sort(key=lambda v: (v.a.start, v.b.start))
    conflicts, variants = assess(a.text, b.text, passages, conflicts, variants)
    # The coverage rule counts the verbatim passages (the token aligner's) alone:
    # reworded passages, and the gaps they bridge when they merge with verbatim ones,
    # tell the same story in other words, which does not make two texts near-duplicates.
    shared_a = _coverage(a, [p.a for p in copies])
    shared_b = _coverage(b, [p.b for p in copies])
    near = sim.jaccard >= o.near_duplicate or min(shared_a, shared_b) >= o.duplicate_coverage
    reason = None
    if near:
        by_jaccard = sim.jaccard >= o.near_duplicate
        reason = DuplicateReason(
            "jaccard" if by_jaccard else "coverage", sim.jaccard, min(shared_a, shared_b),
            o.near_duplicate if by_jaccard else o.duplicate_coverage,
        )
    return Comparison(
        a_length=len(a.text),
        b_length=len(b.text),
        similarity=sim,
        near_duplicate=near,
        passages=tuple(passages),
        conflicts=tuple(conflicts),
        variants=tuple(variants),
        duplicate=reason,
        capped=_capped(a, b, o, passages),
    )


def _coverage(doc: PreparedText, spans: list[Span]) -> float:
    """Share of the text's non-space characters inside the spans (overlaps counted once)."""
    if not spans:
        return 0.0
    total = doc.solid()
    if total <= 0:
        return 0.0
    covered = 0
    end = -1
    for s in sorted(spans, key=lambda s: s.start):
        lo = max(s.start, end)
        if s.end > lo:
            covered += doc.solid(lo, s.end)
            end = s.end
    return covered / total


def compare_files(
    path_a: str | os.PathLike[str],
    path_b: str | os.PathLike[str],
    *,
    options: CompareOptions | None = None,
    encoding: str = "utf-8",
    **overrides: Any,
) -> Comparison:
    """``compare`` two files read with ``read_text``; paths are recorded in the result."""
    from .textio import read_text

    o = with_overrides(CompareOptions, options, overrides)
    ta = read_text(path_a, encoding=encoding)
    tb = read_text(path_b, encoding=encoding)
    return replace(compare(ta, tb, options=o), a_path=str(path_a), b_path=str(path_b))
