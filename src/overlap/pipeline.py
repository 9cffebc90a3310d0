"""The one place that knows the order of the stages: ``compare`` two texts end to end.

normalise -> tokenise/shingle -> similarity -> align passages -> edit blocks -> conflicts.

``compare(a, b, *, options=None, **overrides) -> Comparison``
``compare_files(path_a, path_b, *, options=None, encoding="utf-8", **overrides) -> Comparison``
``prepare(text) -> handle`` and ``compare_prepared(a, b, *, options=None) -> Comparison``
    The same comparison with per-text work done once, for one text against many.

``compare`` is symmetric by construction: it aligns the two texts in a canonical order
and mirrors the result, so ``compare(b, a)`` is ``compare(a, b)`` with sides swapped.
"""

from __future__ import annotations

import os
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from itertools import accumulate
from typing import Any

import numpy as np

from ._arrays import unique
from . import align as _align
from .align import LONG_PASSAGE, AlignOptions, Alignment, align, token_opcodes, token_similarity
from .confidence import assess
from .conflicts import Side, classify, may_hold_quantity
from .errors import ConfigError
from .jit import aligner
from .normalization import NormText, normalize
from .records import Comparison, Conflict, DuplicateReason, Edit, Passage, SentencePair, Similarity, Span, Variant
from .segment import sentences
from .shingle import Tokens, shingles, tokenize, tokenize_many

__all__ = ["CompareOptions", "compare", "compare_files", "compare_prepared", "prepare"]


@dataclass(frozen=True, slots=True)
class CompareOptions:
    """Settings of ``compare``, validated on construction.

    ``shingle_size``: tokens per shingle for the similarity scores (5: the size
    text-dedup and most near-duplicate work use for words).
    ``near_duplicate``: Jaccard at or above which two texts are near-duplicates (0.5).
    ``duplicate_coverage``: they are near-duplicates too when shared passages cover at
    least this share of *both* texts (0.8): a copy with many small edits keeps its
    passages long after its shingle Jaccard has fallen.
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


# --------------------------------------------------------------------------- documents

# Letters only Vietnamese uses; a text where more than 1% of characters are among them
# follows the Vietnamese number convention.  A boolean table by code point counts them
# in one numpy pass (a regex ``findall`` was 4x slower).
_VI_MARKS = "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
_VI_TABLE = np.zeros(max(map(ord, _VI_MARKS)) + 2, dtype=bool)
_VI_TABLE[[ord(c) for c in _VI_MARKS]] = True

# Per code point: 1 when ``str.isupper``, 0 when not, 255 not yet asked.  Filled lazily
# with the code points texts actually use (as ``shingle._classes`` does).
_UPPER: np.ndarray | None = None


def _is_upper(cps: np.ndarray) -> np.ndarray:
    global _UPPER
    if _UPPER is None:
        _UPPER = np.full(0x110000, 255, dtype=np.uint8)
    got = _UPPER[cps]
    unknown = got == 255
    if unknown.any():
        for cp in np.unique(cps[unknown]).tolist():
            _UPPER[cp] = chr(cp).isupper()
        got = _UPPER[cps]
    return np.asarray(got, dtype=bool)


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


# Per code point below U+3002: not ``str.isspace`` (U+3000 is the last whitespace
# character; ``take(..., mode="clip")`` reads the last entry, True, for anything above).
_SOLID_TABLE: np.ndarray | None = None


def _nonspace(cps: np.ndarray) -> np.ndarray:
    global _SOLID_TABLE
    if _SOLID_TABLE is None:
        _SOLID_TABLE = np.array([not chr(c).isspace() for c in range(0x3001)] + [True], dtype=bool)
    return _SOLID_TABLE.take(cps, mode="clip")


@dataclass(slots=True)
class _Doc:
    """One text as the stages see it: original, view, tokens, and lazily derived facts.

    Per-token facts the per-passage stages read one token at a time are kept as plain
    lists: indexing a list costs ~30 ns, a numpy scalar ~100 ns plus ``int()``, and a
    numpy call on a 10-token slice about a microsecond.
    """

    text: str
    view: NormText
    tokens: Tokens
    orig_starts: np.ndarray
    orig_ends: np.ndarray
    _ostarts: list[int] | None = field(default=None)
    _oends: list[int] | None = field(default=None)
    _hlist: list[int] | None = field(default=None)
    _sentences: tuple[Span, ...] | None = field(default=None)
    _sent_bounds: tuple[list[int], list[int]] | None = field(default=None)
    _names: list[bool] | None = field(default=None)
    _upper: list[bool] | None = field(default=None)
    _initial: list[bool] | None = field(default=None)
    _vietnamese: bool | None = field(default=None)
    _shingle_sets: dict[int, np.ndarray] = field(default_factory=dict)
    _align_cache: dict[tuple[str, int], Any] = field(default_factory=dict)
    _solid: np.ndarray | None = field(default=None)
    _cps: np.ndarray | None = field(default=None)
    _lowered: str | None = field(default=None)
    _folded: list[int] | None = field(default=None)
    _units: dict[Any, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> "_Doc":
        view = normalize(text)
        if aligner() is not None:
            # Compiled paths on (``align.use_jit()``, numba loaded): the compiled tokenizer,
            # bit-identical, 0.018 instead of 0.05 ms per news article.
            toks = tokenize_many([view.text])[0]
        else:
            toks = tokenize(view.text)
        if view.identity or len(toks) == 0:
            os_, oe = toks.starts, toks.ends
        else:
            os_ = view.starts[toks.starts]  # type: ignore[index]
            oe = view.ends[toks.ends - 1]  # type: ignore[index]
        return cls(text, view, toks, os_, oe)

    def shingles(self, k: int) -> np.ndarray:
        """k-token shingle hashes in text order (cached with the aligner's, which uses them too)."""
        return _align._shingles(self.tokens.hashes, k, self._align_cache)

    def shingle_set(self, k: int) -> np.ndarray:
        """Sorted unique k-token shingle hashes (cached per k)."""
        got = self._shingle_sets.get(k)
        if got is None:
            got = self._shingle_sets[k] = unique(shingles(self.tokens.hashes, k))
        return got

    @property
    def cps(self) -> np.ndarray:
        """Code points of the original text (cached)."""
        if self._cps is None:
            self._cps = _codepoints(self.text)
        return self._cps

    def solid(self, start: int = 0, end: int | None = None) -> int:
        """Non-space characters in ``text[start:end]``: one count over a cached per-character mask.

        A mask and a count per span (a few per comparison) cost less than a prefix sum of
        the whole text (0.002 + 0.0005 per span against 0.012 ms per news article).
        """
        if self._solid is None:
            self._solid = _nonspace(self.cps)
        return int(np.count_nonzero(self._solid[start:end]))

    @property
    def ostarts(self) -> list[int]:
        """Per token: original start offset (``orig_starts`` as a list, cached)."""
        if self._ostarts is None:
            self._ostarts = self.orig_starts.tolist()
        return self._ostarts

    @property
    def oends(self) -> list[int]:
        """Per token: original end offset (cached)."""
        if self._oends is None:
            self._oends = self.orig_ends.tolist()
        return self._oends

    @property
    def hlist(self) -> list[int]:
        """Token hashes as a list of ints (cached): what rapidfuzz reads fastest."""
        if self._hlist is None:
            self._hlist = self.tokens.hashes.tolist()
        return self._hlist

    @property
    def vietnamese(self) -> bool:
        """Vietnamese number convention ("7,5", "100.000") when the text looks Vietnamese."""
        if self._vietnamese is None:
            sample = self.view.text[:4000]
            cps = _codepoints(sample)
            marks = int(np.count_nonzero(_VI_TABLE.take(cps, mode="clip")))  # above the table: False
            self._vietnamese = marks > len(sample) // 100
        return self._vietnamese

    @property
    def sentence_spans(self) -> tuple[Span, ...]:
        if self._sentences is None:
            self._sentences = sentences(self.text)
        return self._sentences

    @property
    def sent_bounds(self) -> tuple[list[int], list[int]]:
        """Sentence starts and ends as two sorted lists (sentences are disjoint and in order)."""
        if self._sent_bounds is None:
            spans = self.sentence_spans
            self._sent_bounds = ([s.start for s in spans], [s.end for s in spans])
        return self._sent_bounds

    def sentence_run(self, i: int) -> tuple[int, int]:
        """Tokens ``[r0, r1)`` in the same sentence as token i.

        A token belongs to the last sentence starting at or before it (tokens between
        sentences join the previous one; tokens before the first form a run of their own).
        """
        ss, st = self.sent_bounds[0], self.ostarts
        sid = bisect_right(ss, st[i]) - 1
        r0 = bisect_left(st, ss[sid]) if sid >= 0 else 0
        r1 = bisect_left(st, ss[sid + 1]) if sid + 1 < len(ss) else len(st)
        return r0, r1

    def raw_word(self, i: int) -> str:
        """Token i's original characters, lower-cased and NFC, but not folded.

        Two aligned tokens with equal view hashes and different raw words are the same
        word in two spellings the view treats as one ("Sỹ"/"Sĩ", "hoà"/"hòa").
        """
        if self.view.identity:
            if self._lowered is None:
                self._lowered = self.text.lower()  # lower the whole text: final sigma needs context
            return self._lowered[self.ostarts[i] : self.oends[i]]
        import unicodedata

        return unicodedata.normalize("NFC", self.word(i)).lower()

    @property
    def folded(self) -> list[int]:
        """Tokens whose view differs from their raw word (sorted, cached).

        Only these can take part in an orthographic variant: if neither of two aligned
        tokens was changed by folding, equal views mean equal raw words.
        """
        if self._folded is None:
            vt = self.view.text
            ts, te = self.tokens.starts, self.tokens.ends
            if not self.view.identity:
                vs, ve = ts.tolist(), te.tolist()
                self._folded = [i for i in range(len(vs)) if self.raw_word(i) != vt[vs[i] : ve[i]]]
            else:
                if self._lowered is None:
                    self._lowered = self.text.lower()
                if self._lowered == vt or len(ts) == 0:
                    self._folded = []
                else:
                    pos = np.flatnonzero(_codepoints(self._lowered) != _codepoints(vt))
                    t = np.searchsorted(ts, pos, side="right") - 1
                    inside = (t >= 0) & (pos < te[np.maximum(t, 0)])
                    self._folded = sorted(set(t[inside].tolist()))
        return self._folded

    def word(self, i: int) -> str:
        return self.text[self.ostarts[i] : self.oends[i]]

    def span(self, i: int, j: int) -> Span:
        """Original span from the start of token i to the end of token j-1 (empty at i if j <= i)."""
        if j <= i:
            pos = self.ostarts[i] if i < len(self.orig_starts) else len(self.text)
            return Span(pos, pos)
        return Span(self.ostarts[i], self.oends[j - 1])

    def gap_is_space(self, i: int) -> bool:
        """True when tokens i and i+1 are separated by whitespace only."""
        between = self.text[self.oends[i] : self.ostarts[i + 1]]
        return bool(between) and between.isspace()

    @property
    def names(self) -> list[bool]:
        """Per token: written as a name (capitalised, and not only because a sentence starts there)."""
        if self._names is None:
            n = len(self.tokens)
            if n == 0:
                self._names, self._initial, self._upper = [], [], []
                return self._names
            upper = _is_upper(self.cps[self.orig_starts])
            initial = np.zeros(n, dtype=bool)
            idx = np.searchsorted(self.orig_starts, np.asarray(self.sent_bounds[0], dtype=np.int64))
            initial[idx[idx < n]] = True
            names = upper & ~initial
            # A capitalised word opening a sentence is a name when it is capitalised
            # elsewhere too (few such words: a set lookup each, not ``np.isin``).
            again = np.flatnonzero(upper & initial)
            if len(again):
                hashes = self.tokens.hashes
                elsewhere = set(hashes[names].tolist())
                for i, h in zip(again.tolist(), hashes[again].tolist()):
                    if h in elsewhere:
                        names[i] = True
            self._names = names.tolist()
            self._initial = initial.tolist()
            self._upper = upper.tolist()
        return self._names

    @property
    def upper(self) -> list[bool]:
        """Per token: its first character is upper case (cached with ``names``)."""
        if self._upper is None:
            _ = self.names
        return self._upper  # type: ignore[return-value]

    @property
    def initial(self) -> list[bool]:
        """Per token: the first word of a sentence (or of a standalone line)."""
        if self._initial is None:
            _ = self.names
        return self._initial  # type: ignore[return-value]


# --------------------------------------------------------------------------- stages


def _similarity(a: _Doc, b: _Doc, k: int) -> Similarity:
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


def _slot_extend(al: Alignment, a: _Doc, b: _Doc) -> Alignment:
    """Take in one differing token at a passage edge when both are the same kind of detail.

    The aligner stops at a mismatch with no match after it, so a changed name or number
    that opens or closes a passage ("Ryabkov nói" / "Lavrov nói" at the start of a
    text) would fall outside it.  Both tokens being names, or both numbers, makes them
    the same slot.
    """

    def same_slot(i: int, j: int) -> bool:
        wa, wb = a.word(i), b.word(j)
        if any(c.isdigit() for c in wa) and any(c.isdigit() for c in wb):
            return True
        return a.names[i] and b.names[j]

    a0, a1, b0, b1, m = al.a_start, al.a_end, al.b_start, al.b_end, al.matched
    if a0 > 0 and b0 > 0 and a.gap_is_space(a0 - 1) and b.gap_is_space(b0 - 1) and same_slot(a0 - 1, b0 - 1):
        a0, b0 = a0 - 1, b0 - 1
    na, nb = len(a.tokens), len(b.tokens)
    if a1 < na and b1 < nb and a.gap_is_space(a1 - 1) and b.gap_is_space(b1 - 1) and same_slot(a1, b1):
        a1, b1 = a1 + 1, b1 + 1
    return Alignment(a0, a1, b0, b1, m)


def _trim_edges(al: Alignment, a: _Doc, b: _Doc, min_piece: int = 3) -> Alignment:
    """Cut a few matching tokens a passage took from the next or previous sentence.

    Extension stops only at a mismatch, so a passage that ends a paragraph can take the
    next paragraph's first word when both happen to start alike ("... Ukraine. Trong").
    A piece of fewer than ``min_piece`` tokens of a sentence that goes on outside the
    passage is cut when it is the same on both sides.
    """
    a0, a1, b0, b1 = al.a_start, al.a_end, al.b_start, al.b_end
    ha, hb = a.hlist, b.hlist

    def piece(doc: _Doc, lo: int, hi: int, tail: bool) -> int:
        r0, r1 = doc.sentence_run(hi - 1 if tail else lo)
        inside = min(hi, r1) - max(lo, r0)
        return inside if inside < min_piece and inside < r1 - r0 and inside < hi - lo else 0

    t = max(piece(a, a0, a1, True), piece(b, b0, b1, True))
    if t and a1 - t > a0 and ha[a1 - t : a1] == hb[b1 - t : b1]:
        a1, b1 = a1 - t, b1 - t
    h = max(piece(a, a0, a1, False), piece(b, b0, b1, False))
    if h and a0 + h < a1 and ha[a0 : a0 + h] == hb[b0 : b0 + h]:
        a0, b0 = a0 + h, b0 + h
    if (a0, a1, b0, b1) == (al.a_start, al.a_end, al.b_start, al.b_end):
        return al
    return Alignment(a0, a1, b0, b1, al.matched - (al.a_end - a1) - (a0 - al.a_start))


# Capitalised words that stand next to names without being part of them.
_NOT_NAMES = frozenset(
    "nga mỹ anh pháp đức trung quốc nhật hàn ấn ukraine kremlin điện nhà trắng ông bà "
    "tổng thống thủ tướng bộ trưởng mr mrs ms dr president minister russia russian us "
    "american ukrainian uk eu nato".split()
)


def _grow(doc: _Doc, lo: int, hi: int, other: _Doc, olo: int, ohi: int, kind: str) -> tuple[int, int, int, int]:
    """Widen a conflict over neighbours equal on both sides: the rest of a name, a unit."""
    ha, hb = doc.tokens.hashes, other.tokens.hashes
    if kind in ("spelling", "name"):
        # One name token on each side at most ("Sergei Ryabkov"), and not a country or
        # title that merely stands next to the name ("Nga Maria Zakharova").
        if lo > 0 and olo > 0 and ha[lo - 1] == hb[olo - 1] and doc.names[lo - 1] and other.names[olo - 1] \
                and doc.gap_is_space(lo - 1) and other.gap_is_space(olo - 1) \
                and doc.word(lo - 1).lower() not in _NOT_NAMES:
            lo, olo = lo - 1, olo - 1
        if hi < len(ha) and ohi < len(hb) and ha[hi] == hb[ohi] and doc.names[hi] and other.names[ohi] \
                and doc.gap_is_space(hi - 1) and other.gap_is_space(ohi - 1) \
                and doc.word(hi).lower() not in _NOT_NAMES:
            hi, ohi = hi + 1, ohi + 1
    else:
        # A number and its unit or date marker read as one: "năm 2014", "7,5 giờ".
        has_digit = any(ch.isdigit() for i in range(lo, hi) for ch in doc.word(i))
        if lo > 0 and olo > 0 and ha[lo - 1] == hb[olo - 1] and doc.gap_is_space(lo - 1) and other.gap_is_space(olo - 1):
            before = doc.word(lo - 1)
            if before.lower() in ("năm", "ngày", "tháng", "in", "on", "since") or (
                not has_digit and any(ch.isdigit() for ch in before)
            ):
                lo, olo = lo - 1, olo - 1
        if has_digit and hi < len(ha) and ohi < len(hb) and ha[hi] == hb[ohi] and doc.gap_is_space(hi - 1) \
                and other.gap_is_space(ohi - 1) and doc.word(hi).isalpha():
            hi, ohi = hi + 1, ohi + 1
    return lo, hi, olo, ohi


def _side(doc: _Doc, lo: int, hi: int) -> Side:
    # A syllable hyphenated to a name belongs to it: "Tô-ki-ô", "Ma-lai-xi-a".
    names = doc.names[lo:hi]
    text, starts, ends = doc.text, doc.ostarts, doc.oends
    for k in range(1, len(names)):
        if not names[k] and names[k - 1] and text[ends[lo + k - 1] : starts[lo + k]] == "-":
            names[k] = True
    tokens = tuple([text[s:e] for s, e in zip(starts[lo:hi], ends[lo:hi])])
    caps = [t[:1].isupper() or (k > 0 and names[k]) for k, t in enumerate(tokens)]
    return Side(
        tokens=tokens,
        before=text[starts[lo - 1] : ends[lo - 1]] if lo > 0 else "",
        after=text[starts[hi] : ends[hi]] if hi < len(starts) else "",
        names=tuple(names),
        vietnamese=doc.vietnamese,
        caps=tuple(caps),
        text=text[starts[lo] : ends[hi - 1]] if hi > lo else "",
        initial=tuple(doc.initial[lo:hi]),
    )


def _uncapitalised(doc: _Doc, lo: int, hi: int) -> bool:
    """Some token of the block is surely not capitalised as ``_side`` sets ``caps``.

    ``caps[k]`` is an upper-case first letter, or (k > 0) a name, where a token joined
    to a name by a hyphen counts as one: that case is left to ``classify``.
    """
    upper, names, text, starts, ends = doc.upper, doc.names, doc.text, doc.ostarts, doc.oends
    if not upper[lo]:
        return True
    for i in range(lo + 1, hi):
        if not upper[i] and not names[i] and text[ends[i - 1] : starts[i]] != "-":
            return True
    return False


def _no_quantity(doc: _Doc, lo: int, hi: int) -> bool:
    """The block and its neighbours hold no digit and no number word (see ``may_hold_quantity``)."""
    starts, ends = doc.ostarts, doc.oends
    i0, i1 = max(lo - 1, 0), min(hi + 1, len(starts))
    text = doc.text
    return not may_hold_quantity([text[s:e].lower() for s, e in zip(starts[i0:i1], ends[i0:i1])])


def _surely_unclassified(a: _Doc, lo: int, hi: int, b: _Doc, olo: int, ohi: int) -> bool:
    """True when ``classify`` would surely return None for this block: cheap checks first.

    ``classify`` reads numbers only when both sides hold some, and otherwise wants blocks
    of at most 4 tokens, every one capitalised.  So a block where either side has no
    quantity cue, and that is too long or has an uncapitalised token, is neither.
    Building the two ``Side`` records costs several times more than these checks.
    """
    if hi - lo <= 4 and ohi - olo <= 4 and not _uncapitalised(a, lo, hi) and not _uncapitalised(b, olo, ohi):
        return False
    return _no_quantity(a, lo, hi) or _no_quantity(b, olo, ohi)


def _trim_punct(a: _Doc, sa: Span, b: _Doc, sb: Span) -> tuple[Span, Span]:
    """Extend both spans over punctuation that is the same on both sides (closing quote, full stop)."""
    ta, tb = a.view.text, b.view.text
    va0, va1 = a.view.to_view(sa.start, sa.end)
    vb0, vb1 = b.view.to_view(sb.start, sb.end)
    for _ in range(3):
        if va1 < len(ta) and vb1 < len(tb) and ta[va1] == tb[vb1] and not ta[va1].isalnum() and not ta[va1].isspace():
            va1, vb1 = va1 + 1, vb1 + 1
        else:
            break
    for _ in range(3):
        if va0 > 0 and vb0 > 0 and ta[va0 - 1] == tb[vb0 - 1] and ta[va0 - 1] in "\"'([" :
            va0, vb0 = va0 - 1, vb0 - 1
        else:
            break
    oa = a.view.to_original(va0, va1)
    ob = b.view.to_original(vb0, vb1)
    return Span(*oa), Span(*ob)


def _passage(al: Alignment, a: _Doc, b: _Doc, flip: bool = False) -> tuple[Passage, list[Conflict], list[Variant]]:
    """The passage record of one alignment, with its conflicts and variants.

    ``flip``: the caller aligned the texts in swapped order; records come out with their
    sides swapped back (built once, in the caller's orientation).
    """
    hla, hlb = a.hlist, b.hlist
    ha = hla[al.a_start : al.a_end]
    hb = hlb[al.b_start : al.b_end]
    ops = token_opcodes(ha, hb)
    # A passage starts and ends on shared words: drop words only one side has at an edge
    # (a changed word in the same slot, a "replace", stays: it is a detail to report).
    indel = ("insert", "delete")
    head = ops[0] if ops and ops[0][0] in indel else None
    tail = ops[-1] if len(ops) > 1 and ops[-1][0] in indel else None
    if head or tail:
        a0, b0 = (head[2], head[4]) if head else (0, 0)
        a1, b1 = (tail[1], tail[3]) if tail else (len(ha), len(hb))
        al = Alignment(al.a_start + a0, al.a_start + a1, al.b_start + b0, al.b_start + b1, al.matched)
        ha = hla[al.a_start : al.a_end]
        hb = hlb[al.b_start : al.b_end]
        ops = token_opcodes(ha, hb)
    # Map each a-token of the passage to a b-token (or -1), and collect edit blocks:
    # maximal runs of non-equal opcodes ("100 nghìn" -> "100.000" is one block, not two).
    amap = [-1] * len(ha)
    blocks: list[list[int]] = []
    prev_equal = True
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            amap[i1:i2] = range(j1, j2)
            prev_equal = True
            continue
        if tag == "replace":
            last = j2 - 1
            amap[i1:i2] = [min(j, last) for j in range(j1, j1 + i2 - i1)]
        if prev_equal or not blocks:
            blocks.append([i1, i2, j1, j2])
        else:
            blocks[-1][1], blocks[-1][3] = i2, j2
        prev_equal = False

    edits: list[Edit] = []
    conflicts: list[Conflict] = []
    variants: list[Variant] = []
    if blocks:
        # Shared words right before and after each block: a name change is only trusted in
        # a slot both sides frame alike (a misaligned stretch has short, scattered matches).
        equal_at = {(op[1], op[3]): op[2] - op[1] for op in ops if op[0] == "equal"}
        equal_to = {(op[2], op[4]): op[2] - op[1] for op in ops if op[0] == "equal"}
    for i1, i2, j1, j2 in blocks:
        lo, hi, olo, ohi = al.a_start + i1, al.a_start + i2, al.b_start + j1, al.b_start + j2
        ea, eb = a.span(lo, hi), b.span(olo, ohi)
        edits.append(Edit(eb, ea) if flip else Edit(ea, eb))
        if lo == hi or olo == ohi:
            continue  # words on one side only: ``classify`` says None without looking
        if _surely_unclassified(a, lo, hi, b, olo, ohi):
            continue
        verdict = classify(_side(a, lo, hi), _side(b, olo, ohi))
        if verdict is None:
            continue
        kind, is_conflict = verdict
        if is_conflict and kind in ("name", "spelling"):
            before, after = equal_to.get((i1, j1), 0), equal_at.get((i2, j2), 0)
            if min(before, after) < 2 and max(before, after) < 4:
                continue
        glo, ghi, golo, gohi = _grow(a, lo, hi, b, olo, ohi, kind)
        sa, sb = a.span(glo, ghi), b.span(golo, gohi)
        ends = (sb, sa, sb.of(b.text), sa.of(a.text)) if flip else (sa, sb, sa.of(a.text), sb.of(b.text))
        if is_conflict:
            conflicts.append(Conflict(kind, *ends))
        else:
            variants.append(Variant(kind, *ends))
    variants.extend(_orthography(al, a, b, amap, flip))
    # A passage where many figures differ is a template filled in twice (a market
    # report at noon and at the close, two provinces' results), not one story told
    # twice with a wrong figure: it tells different things, so no figure conflicts.
    figures = [c for c in conflicts if c.kind in ("number", "date")]
    if len(figures) >= _TEMPLATE_FIGURES:
        conflicts = [c for c in conflicts if c.kind not in ("number", "date")]

    pa, pb = _trim_punct(a, a.span(al.a_start, al.a_end), b, b.span(al.b_start, al.b_end))
    score = 1.0 if ha == hb else token_similarity(ha, hb)
    pairs = _sentence_pairs(al, a, b, amap, pa, flip)
    same = 1.0 if ha == hb else 2 * sum(op[2] - op[1] for op in ops if op[0] == "equal") / (len(ha) + len(hb))
    piecewise = ha != hb and max(len(ha), len(hb)) > LONG_PASSAGE
    if flip:
        return Passage(pb, pa, float(score), tuple(pairs), tuple(edits), same, piecewise), conflicts, variants
    return Passage(pa, pb, float(score), tuple(pairs), tuple(edits), same, piecewise), conflicts, variants


_TEMPLATE_FIGURES = 4


def _orthography(al: Alignment, a: _Doc, b: _Doc, amap: list[int], flip: bool = False) -> list[Variant]:
    """Aligned words that are equal in the view but spelled differently ("Sỹ"/"Sĩ")."""
    # Two tokens with equal view hashes can differ in raw hash only when one of them
    # was changed by folding (raw hash != view hash): check those positions only.
    fa, fb = a.folded, b.folded
    a0, b0 = al.a_start, al.b_start
    lo_a, hi_a = bisect_left(fa, a0), bisect_left(fa, al.a_end)
    lo_b, hi_b = bisect_left(fb, b0), bisect_left(fb, al.b_end)
    if lo_a == hi_a and lo_b == hi_b:
        return []
    ks = {i - a0 for i in fa[lo_a:hi_a]}
    if lo_b < hi_b:
        wanted = {j - b0 for j in fb[lo_b:hi_b]}
        ks.update(k for k, j in enumerate(amap) if j in wanted)
    ha, hb = a.hlist, b.hlist
    out = []
    for k in sorted(ks):
        j = amap[k]
        if j < 0:
            continue
        i, j = a0 + k, b0 + j
        if ha[i] == hb[j] and a.raw_word(i) != b.raw_word(j):
            sa, sb = a.span(i, i + 1), b.span(j, j + 1)
            if flip:
                out.append(Variant("orthography", sb, sa, sb.of(b.text), sa.of(a.text)))
            else:
                out.append(Variant("orthography", sa, sb, sa.of(a.text), sb.of(b.text)))
    return out


def _sentence_pairs(
    al: Alignment, a: _Doc, b: _Doc, amap: list[int], pa: Span, flip: bool = False
) -> list[SentencePair]:
    """Split a passage at a's sentence boundaries and pair each piece with its b-range."""
    out: list[SentencePair] = []
    s_starts, s_ends = a.sent_bounds
    starts = a.ostarts
    ha, hb = a.hlist, b.hlist
    a0, a1 = al.a_start, al.a_end
    # Sentences are disjoint and in text order: those overlapping ``pa`` are one run.
    for k in range(bisect_right(s_ends, pa.start), bisect_left(s_starts, pa.end)):
        i = bisect_left(starts, s_starts[k], a0, a1) - a0
        j = bisect_left(starts, s_ends[k], a0, a1) - a0
        if j <= i:
            continue
        # Mapped b-positions never decrease along a, so the first and last mapped
        # tokens of the piece give its b-range.
        first = i
        while first < j and amap[first] < 0:
            first += 1
        if first == j:
            continue
        last = j - 1
        while amap[last] < 0:
            last -= 1
        bi, bj = al.b_start + amap[first], al.b_start + amap[last] + 1
        ai, aj = a0 + i, a0 + j
        xa, xb = ha[ai:aj], hb[bi:bj]
        score = 1.0 if xa == xb else token_similarity(xa, xb)
        sa, sb = a.span(ai, aj), b.span(bi, bj)
        out.append(SentencePair(sb, sa, float(score)) if flip else SentencePair(sa, sb, float(score)))
    return out


def _compare_docs(
    a: _Doc, b: _Doc, o: CompareOptions, flip: bool = False
) -> tuple[Similarity, list[Passage], list[Conflict], list[Variant]]:
    """Similarity, passages, conflicts and variants of a aligned against b.

    With ``flip`` the records come out with sides swapped (b's spans first), as
    ``compare_prepared`` reports them when it aligned in swapped order.
    """
    sim = _similarity(a, b, o.shingle_size)
    passages: list[Passage] = []
    conflicts: list[Conflict] = []
    variants: list[Variant] = []
    for al in align(a.tokens, b.tokens, o.align, cache_a=a._align_cache, cache_b=b._align_cache):
        p, cs, vs = _passage(_slot_extend(_trim_edges(al, a, b), a, b), a, b, flip)
        passages.append(p)
        conflicts.extend(cs)
        variants.extend(vs)
    if o.paraphrase:  # None (batch default) is off
        passages = _with_reworded(a, b, o, passages, flip)
    return sim, passages, conflicts, variants


def _units(doc: _Doc, language: str) -> Any:
    """The paraphrase stage's unit bags of a text (cached per language on the handle)."""
    from .language import detect
    from .paraphrase import units

    lang = detect(doc.text) if language == "auto" else language
    got = doc._units.get(lang)
    if got is None:
        got = doc._units[lang] = units(doc.text, doc.sentence_spans, lang)
    return got


# The paraphrase stage scores every sentence of a against every sentence of b: over this
# many sentence pairs (about 2,000 sentences a side) it is skipped, and the result says so.
REWORDED_MAX_PAIRS = 4_000_000


def _reworded_capped(a: _Doc, b: _Doc) -> bool:
    return len(a.sentence_spans) * len(b.sentence_spans) > REWORDED_MAX_PAIRS


def _capped(a: _Doc, b: _Doc, o: CompareOptions, passages: list[Passage]) -> tuple[str, ...]:
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


def _with_reworded(a: _Doc, b: _Doc, o: CompareOptions, passages: list[Passage], flip: bool) -> list[Passage]:
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
    for m in combine(spans, [(x.a, x.b) for x in matches]):
        if not m.reworded and len(m.verbatim) == 1:
            out.append(passages[m.verbatim[0]])
            continue
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
    return compare_prepared(prepare(a), prepare(b), options=o)


def prepare(text: str, *, sentence_spans: Sequence[Span] | None = None) -> _Doc:
    """An opaque, reusable handle on one text for ``compare_prepared``.

    Holds the normalised view and tokens, and caches what a comparison derives from the
    text alone (sentences, name flags, ...), so comparing one text against many (a scan,
    an index query) pays for them once.  ``sentence_spans``: ``overlap.segment.sentences(text)``
    when the caller already has it (``scan`` splits every text while signing).
    """
    if not isinstance(text, str):
        raise TypeError(f"prepare() takes str, got {type(text).__name__}")
    doc = _Doc.of(text)
    if sentence_spans is not None:
        doc._sentences = tuple(sentence_spans)
    return doc


def compare_prepared(a: _Doc, b: _Doc, *, options: CompareOptions | None = None) -> Comparison:
    """``compare`` on two ``prepare``d texts; the same result as ``compare(a.text, b.text)``."""
    o = options or CompareOptions()
    swap = (len(b.text), b.text) < (len(a.text), a.text)
    # Align in one canonical order (the result must not depend on argument order); the
    # records are built with their sides in the caller's order.
    sim, passages, conflicts, variants = _compare_docs(b, a, o, True) if swap else _compare_docs(a, b, o)
    if swap:
        sim = Similarity(sim.jaccard, sim.containment_b, sim.containment_a)
    passages.sort(key=lambda p: (p.a.start, p.b.start))
    conflicts.sort(key=lambda c: (c.a.start, c.b.start))
    variants.sort(key=lambda v: (v.a.start, v.b.start))
    conflicts, variants = assess(a.text, b.text, passages, conflicts, variants)
    # Reworded passages (no word-level edits, and under half their tokens identical)
    # tell the same story in other words: they do not make two texts near-duplicates.
    # Verbatim passages (with edits, or identical) and edited copies merged with a few
    # reworded sentences do.
    copies = [p for p in passages if p.edits or p.verbatim >= 0.5]
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


def _coverage(doc: _Doc, spans: list[Span]) -> float:
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
