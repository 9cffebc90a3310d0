"""Small frozen records that carry results between stages and out of the public API.

Every position is a half-open character span into the text *as the user gave it*
(after decoding): ``text[span.start:span.end]`` is the quoted text.  Scores are floats
in [0, 1].  Each record has ``to_dict()`` for JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar

__all__ = ["Comparison", "Conflict", "Document", "Edit", "Passage", "SentencePair", "Similarity", "Span", "Variant"]

_R = TypeVar("_R")


def _pickled_by_fields(cls: type[_R]) -> type[_R]:
    """Pickle as ``cls(*fields)`` instead of the slots default (``__setstate__`` in Python).

    Workers send tens of thousands of comparisons back to ``scan``, about 100 records
    each: this makes loading them a third faster (0.35 -> 0.23 ms per comparison) and
    the pickles a quarter smaller.
    """
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    get = attrgetter(*names)
    if len(names) == 1:
        cls.__reduce__ = lambda self: (cls, (get(self),))  # type: ignore[method-assign]
    else:
        cls.__reduce__ = lambda self: (cls, get(self))  # type: ignore[method-assign]
    return cls


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Document:
    """One input document: a stable ``id``, its decoded ``text``, and ``origin``, where it
    came from ("seeds/000.txt", "feed.jsonl:17") for error messages and reports;
    ``metadata``: fields the reader was asked to keep (``keep_fields``: title, url...)."""

    id: str
    text: str
    origin: str = ""
    metadata: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


@_pickled_by_fields
@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open ``[start, end)`` character range into an original text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"span must satisfy 0 <= start <= end: ({self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def of(self, text: str) -> str:
        """The quoted text: ``text[start:end]``."""
        return text[self.start : self.end]

    def to_dict(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end}


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Similarity:
    """Set overlap of the two texts' word shingles.

    ``jaccard`` is |A∩B| / |A∪B|; ``containment_a`` is |A∩B| / |A| (how much of a is in b)
    and ``containment_b`` is |A∩B| / |B|.  All are 0.0 when a side has no shingles.
    """

    jaccard: float
    containment_a: float
    containment_b: float

    def to_dict(self) -> dict[str, float]:
        return {
            "jaccard": round(self.jaccard, 4),
            "containment_a": round(self.containment_a, 4),
            "containment_b": round(self.containment_b, 4),
        }


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class SentencePair:
    """Two aligned stretches of text (a sentence or the reused part of one) and their score."""

    a: Span
    b: Span
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a.to_dict(), "b": self.b.to_dict(), "score": round(self.score, 4)}


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Edit:
    """A run of words that differs inside a passage: ``a`` replaced by ``b``.

    One side is empty (``start == end``) for a pure insertion or deletion.
    """

    a: Span
    b: Span

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a.to_dict(), "b": self.b.to_dict()}


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Passage:
    """A shared passage: a run of aligned text, adjacent on both sides.

    ``score`` is the similarity of the two sides in [0, 1] (1.0 = same words after
    normalisation); ``pairs`` are the aligned sentences (or reused parts of sentences)
    inside it, and ``edits`` the word runs that differ between the sides.  ``verbatim``
    is the share of the passage's tokens that are identical on the two sides (aligned
    in order): near 1.0 for a copy, low for a rewrite found by the paraphrase stage,
    whose ``score`` is then the tf-idf cosine of its two sides and ``edits`` empty.
    ``piecewise``: the passage is over ``token_diff.LONG_PASSAGE`` tokens, so its diff was
    computed piece by piece (linear time; ``edits`` may be longer than the least ones).
    """

    a: Span
    b: Span
    score: float
    pairs: tuple[SentencePair, ...] = ()
    edits: tuple[Edit, ...] = ()
    verbatim: float = 1.0
    piecewise: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "score": round(self.score, 4),
            "verbatim": round(self.verbatim, 4),
            "pairs": [p.to_dict() for p in self.pairs],
            "edits": [e.to_dict() for e in self.edits],
            "piecewise": self.piecewise,
        }


def _detail_dict(x: "Conflict | Variant") -> dict[str, Any]:
    """The JSON of a conflict or variant: kind, span plus quoted text on each side, and
    the confidence with its reason and explanation."""
    return {
        "kind": x.kind, "a": {**x.a.to_dict(), "text": x.a_text}, "b": {**x.b.to_dict(), "text": x.b_text},
        "confidence": round(x.confidence, 3), "reason": x.reason, "explanation": x.explanation,
    }


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Conflict:
    """A detail two aligned passages disagree on.

    ``kind`` is one of ``"spelling"`` (one entity spelled two ways), ``"name"`` (a
    different name in the same slot), ``"number"`` (different quantities by value) or
    ``"date"`` (different dates or years).  ``a_text``/``b_text`` are the quoted texts.
    ``confidence`` in [0, 1] is how sure it is that both sides state the same fact with
    different values (``overlap.confidence``); ``reason`` names what decided it and
    ``explanation`` lists the evidence.
    """

    kind: str
    a: Span
    b: Span
    a_text: str
    b_text: str
    confidence: float = 1.0
    reason: str = ""
    explanation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return _detail_dict(self)


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Variant:
    """The same detail written two ways inside aligned passages: *not* a conflict.

    ``kind`` is ``"number"`` or ``"date"`` (same value: "7,5 giờ"/"7,5 tiếng",
    "100.000"/"100 nghìn", "tháng 6-2021"/"tháng 6/2021"), ``"name"`` (one entity:
    "TQ"/"Trung Quốc", "Mỹ"/"Hoa Kỳ") or ``"orthography"`` (Vietnamese spelling
    conventions: "Thụy Sỹ"/"Thụy Sĩ", "hoà"/"hòa").  ``reason`` says why it is the same
    detail ("same-value", "age-vs-birth-year", "rounded", "spacing", ...), ``confidence``
    how sure that is, ``explanation`` the evidence.
    """

    kind: str
    a: Span
    b: Span
    a_text: str
    b_text: str
    confidence: float = 1.0
    reason: str = ""
    explanation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return _detail_dict(self)


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class DuplicateReason:
    """Why two texts are near-duplicates, and how sure that is.

    ``rule`` is ``"jaccard"`` when the shingle Jaccard reached ``threshold``, else
    ``"coverage"``: shared passages cover at least ``threshold`` of *both* texts
    (``coverage`` is the smaller of the two shares).  ``confidence`` (in [0, 1]) is the
    larger of ``jaccard`` and ``coverage``: how much of the texts is the same text.
    """

    rule: str
    jaccard: float
    coverage: float
    threshold: float

    @property
    def confidence(self) -> float:
        return max(self.jaccard, self.coverage)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "jaccard": round(self.jaccard, 4),
            "coverage": round(self.coverage, 4),
            "threshold": self.threshold,
            "confidence": round(self.confidence, 4),
        }


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Comparison:
    """What ``overlap.compare(a, b)`` finds: similarity, shared passages, conflicts and
    variants (the same detail written two ways)."""

    a_length: int
    b_length: int
    similarity: Similarity
    near_duplicate: bool
    passages: tuple[Passage, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    a_path: str | None = None
    b_path: str | None = None
    variants: tuple[Variant, ...] = ()
    duplicate: DuplicateReason | None = None  # set when near_duplicate: which rule fired
    capped: tuple[str, ...] = ()  # work cut short on a very large input, one sentence each

    @property
    def shared_a(self) -> int:
        """Characters of a covered by shared passages."""
        return sum(len(p.a) for p in self.passages)

    @property
    def shared_b(self) -> int:
        """Characters of b covered by shared passages."""
        return sum(len(p.b) for p in self.passages)

    def to_dict(self, a_text: str | None = None) -> dict[str, Any]:
        """The JSON schema (``"schema": 1``) documented in the README.

        With ``a_text`` (the text ``a_length`` counts), each passage also carries its
        ``"text"`` (a's side, as ``overlap scan --json`` gives it).
        """
        passages = [p.to_dict() for p in self.passages]
        if a_text is not None:
            for d, p in zip(passages, self.passages):
                d["text"] = p.a.of(a_text)
        return {
            "schema": 1,
            "a": {"path": self.a_path, "length": self.a_length},
            "b": {"path": self.b_path, "length": self.b_length},
            "similarity": self.similarity.to_dict(),
            "near_duplicate": self.near_duplicate,
            "near_duplicate_reason": self.duplicate.to_dict() if self.duplicate else None,
            "passages": passages,
            "conflicts": [c.to_dict() for c in self.conflicts],
            "variants": [v.to_dict() for v in self.variants],
            "capped": list(self.capped),
        }
