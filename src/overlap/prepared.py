"""One text prepared for comparison: the original, its normalised view and tokens, and
the facts the later stages derive from the text alone, computed once and cached.

``PreparedText.of(text, sentence_spans=None) -> PreparedText``
    What ``overlap.pipeline.prepare`` returns; comparing one text against many (a scan,
    an index query) pays for its per-text work once.

Cost: normalisation and tokenisation are linear in the text; every other fact
(sentences, name flags, shingle sets, code points, ...) is computed on first use.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from ._arrays import unique
from .codepoints import CodepointTable
from .align import cached_shingles
from .jit import aligner
from .normalization import NormText, normalize
from .records import Span
from .segment import sentences
from .shingle import Tokens, shingles, tokenize, tokenize_many

__all__ = ["PreparedText"]

# Letters only Vietnamese uses; a text where more than 1% of characters are among them
# follows the Vietnamese number convention.  A boolean table by code point counts them
# in one numpy pass (a regex ``findall`` was 4x slower).
_VI_MARKS = "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
_VI_TABLE = np.zeros(max(map(ord, _VI_MARKS)) + 2, dtype=bool)
_VI_TABLE[[ord(c) for c in _VI_MARKS]] = True

# Per code point: whether ``str.isupper``, for the code points texts actually use.
_UPPER = CodepointTable(lambda ch: int(ch.isupper()))


# Tokens per slice where a per-token Python loop runs over a whole text.
_CHUNK = 1 << 16


def _per_token(a: np.ndarray) -> memoryview:
    """A read-only view of a per-token array: indexing returns Python ints (bools for a
    bool array) at list speed, without a list's 40 bytes per element."""
    return np.ascontiguousarray(a).data.toreadonly()


def _flags(a: np.ndarray) -> Sequence[bool]:
    """``_per_token`` of a bool array, typed as what indexing it returns."""
    return cast("Sequence[bool]", _per_token(a))


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


# Characters per slice where a whole text's code points are read a slice at a time (all
# of them at once cost 4 bytes a character, kept as long as the text).
_CP_SLICE = 1 << 20


def _codepoints_at(text: str, pos: np.ndarray) -> np.ndarray:
    """Code points of ``text`` at the sorted positions ``pos``, a slice of text at a time."""
    out = np.empty(len(pos), dtype=np.uint32)
    cuts = np.searchsorted(pos, np.arange(0, len(text) + _CP_SLICE, _CP_SLICE)).tolist()
    for k, lo in enumerate(range(0, len(text), _CP_SLICE)):
        i0, i1 = cuts[k], cuts[k + 1]
        if i1 > i0:
            out[i0:i1] = _codepoints(text[lo : lo + _CP_SLICE])[pos[i0:i1] - lo]
    return out


# Per code point below U+3002: not ``str.isspace`` (U+3000 is the last whitespace
# character; ``take(..., mode="clip")`` reads the last entry, True, for anything above).
_SOLID_TABLE: np.ndarray | None = None


def _nonspace(cps: np.ndarray) -> np.ndarray:
    global _SOLID_TABLE
    if _SOLID_TABLE is None:
        _SOLID_TABLE = np.array([not chr(c).isspace() for c in range(0x3001)] + [True], dtype=bool)
    return _SOLID_TABLE.take(cps, mode="clip")


@dataclass(slots=True)
class PreparedText:
    """One text as the stages see it: original, view, tokens, and lazily derived facts.

    Per-token facts the per-passage stages read one token at a time are read-only
    ``memoryview``s over the numpy arrays: indexing one returns a Python ``int`` (or
    ``bool``) as fast as indexing a list, where a numpy scalar costs several times more
    plus ``int()``, and it copies nothing.  A list of Python ints costs about 40 bytes a
    token (an 8.5 million-token text would hold several such lists); the view costs none
    beyond its array.  Slices are views too: copy one (``tolist()``) before changing it.
    """

    text: str
    view: NormText
    tokens: Tokens
    orig_starts: np.ndarray
    orig_ends: np.ndarray
    _ostarts: memoryview | None = field(default=None)
    _oends: memoryview | None = field(default=None)
    _hlist: memoryview | None = field(default=None)
    _sentences: tuple[Span, ...] | None = field(default=None)
    _sent_bounds: tuple[list[int], list[int]] | None = field(default=None)
    _names: Sequence[bool] | None = field(default=None)
    _upper: Sequence[bool] | None = field(default=None)
    _initial: Sequence[bool] | None = field(default=None)
    _vietnamese: bool | None = field(default=None)
    _shingle_sets: dict[int, np.ndarray] = field(default_factory=dict)
    align_cache: dict[tuple[str, int], Any] = field(default_factory=dict)
    _solid: np.ndarray | None = field(default=None)
    _cps: np.ndarray | None = field(default=None)
    _lowered: str | None = field(default=None)
    _folded: list[int] | None = field(default=None)
    units_cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str, sentence_spans: Sequence[Span] | None = None) -> "PreparedText":
        """``text`` normalised and tokenised; ``sentence_spans``: ``overlap.segment.sentences(text)``
        when the caller already has it."""
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
            os_ = view.orig_starts(toks.starts)
            oe = view.orig_ends(toks.ends - 1)
        doc = cls(text, view, toks, os_, oe)
        if sentence_spans is not None:
            doc._sentences = tuple(sentence_spans)
        return doc

    def shingles(self, k: int) -> np.ndarray:
        """k-token shingle hashes in text order (cached with the aligner's, which uses them too)."""
        return cached_shingles(self.tokens.hashes, k, self.align_cache)

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
            solid = np.empty(len(self.text), dtype=bool)
            for lo in range(0, len(self.text), _CP_SLICE):
                solid[lo : lo + _CP_SLICE] = _nonspace(_codepoints(self.text[lo : lo + _CP_SLICE]))
            self._solid = solid
        return int(np.count_nonzero(self._solid[start:end]))

    @property
    def ostarts(self) -> memoryview:
        """Per token: original start offset (a read-only view of ``orig_starts``, cached)."""
        if self._ostarts is None:
            self._ostarts = _per_token(self.orig_starts)
        return self._ostarts

    @property
    def oends(self) -> memoryview:
        """Per token: original end offset (cached)."""
        if self._oends is None:
            self._oends = _per_token(self.orig_ends)
        return self._oends

    @property
    def hlist(self) -> memoryview:
        """Token hashes, indexed as Python ints (cached).  Slices compare with ``==`` by
        value; rapidfuzz wants lists (``overlap.align.token_opcodes`` converts)."""
        if self._hlist is None:
            self._hlist = _per_token(self.tokens.hashes)
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
                # A slice of tokens at a time: lists of offsets for the whole text would
                # cost about 80 bytes a token.
                self._folded = []
                for lo in range(0, len(ts), _CHUNK):
                    vs, ve = ts[lo : lo + _CHUNK].tolist(), te[lo : lo + _CHUNK].tolist()
                    self._folded += [lo + k for k in range(len(vs)) if self.raw_word(lo + k) != vt[vs[k] : ve[k]]]
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
    def names(self) -> Sequence[bool]:
        """Per token: written as a name (capitalised, and not only because a sentence starts there)."""
        if self._names is None:
            n = len(self.tokens)
            if n == 0:
                self._names = self._initial = self._upper = _flags(np.zeros(0, dtype=bool))
                return self._names
            upper = _UPPER.values(_codepoints_at(self.text, self.orig_starts)).astype(bool)
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
            self._names = _flags(names)
            self._initial = _flags(initial)
            self._upper = _flags(upper)
        return self._names

    def capitalised(self, i: int) -> bool:
        """``upper[i]``, read off the text while the per-token flags are not computed yet:
        most tokens asked about are not capitalised, and then no flags are needed (a
        name is capitalised, so neither is it a name)."""
        if self._upper is not None:
            return self._upper[i]
        return self.text[self.ostarts[i]].isupper()

    @property
    def upper(self) -> Sequence[bool]:
        """Per token: its first character is upper case (cached with ``names``)."""
        if self._upper is None:
            _ = self.names
        return self._upper  # type: ignore[return-value]

    @property
    def initial(self) -> Sequence[bool]:
        """Per token: the first word of a sentence (or of a standalone line)."""
        if self._initial is None:
            _ = self.names
        return self._initial  # type: ignore[return-value]
