"""Records of text found across a corpus: reused passages and names spelled two ways.

``Occurrence``, ``ReusedPassage``
    A stretch of text and every document span that holds it (``overlap.reuse``).
``Spelling``, ``NameVariant``
    One name spelled more than one way, and where each spelling occurs.
``excerpt(s, limit)``
    Text quoted in a record: white space collapsed, cut with an ellipsis.

Part of ``ScanResult`` (``overlap.corpus.records``, which re-exports them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..records import Span
from ..reuse import MIN_SIMILARITY as REUSE_MIN_SIMILARITY

__all__ = ["EXCERPT", "NameVariant", "Occurrence", "ReusedPassage", "Spelling", "excerpt"]

EXCERPT = 300
"""Characters of passage text quoted in cluster evidence."""


def excerpt(s: str, limit: int = EXCERPT) -> str:
    """``s`` with runs of white space as one space, cut to ``limit`` characters with an ellipsis."""
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Occurrence:
    """Where a text occurs: document ``doc`` (id), characters ``span`` of its text."""

    doc: str
    span: Span
    similarity: float | None = None  # to its reused passage's text (None: not a passage)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"doc": self.doc, "start": self.span.start, "end": self.span.end}
        if self.similarity is not None:
            out["similarity"] = self.similarity
        return out


@dataclass(frozen=True, slots=True)
class Spelling:
    """One spelling of a name and every place it occurs in the documents involved."""

    text: str
    occurrences: tuple[Occurrence, ...]

    @property
    def docs(self) -> tuple[str, ...]:
        """Ids of the documents with this spelling, in input order."""
        return tuple(dict.fromkeys(o.doc for o in self.occurrences))

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "docs": list(self.docs), "occurrences": [o.to_dict() for o in self.occurrences]}


@dataclass(frozen=True, slots=True)
class NameVariant:
    """One name spelled more than one way across the corpus, reported once.

    ``spellings`` are ordered by how many documents use them (most first); ``pairs`` are
    the ``(a, b)`` document pairs whose aligned passages showed the difference.
    """

    spellings: tuple[Spelling, ...]
    pairs: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"spellings": [s.to_dict() for s in self.spellings], "pairs": [list(p) for p in self.pairs]}


@dataclass(frozen=True, slots=True)
class ReusedPassage:
    """A stretch of text found in several documents.

    ``text`` is the group's text (``overlap.reuse``: the span with the most aligned
    partners); ``occurrences`` every document span that holds it, each matching ``text``
    at ``overlap.reuse.MIN_SIMILARITY`` or more (its ``similarity`` says how much).
    ``boilerplate`` marks text such as a site footer: found in 5+ documents that, pair
    by pair, share nothing else (fewer than 20% of the pairs do: share another passage,
    near-duplicate text, or two capitalised name phrases outside this passage).
    Boilerplate does not link stories.
    """

    text: str
    occurrences: tuple[Occurrence, ...]
    boilerplate: bool = False

    @property
    def docs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(o.doc for o in self.occurrences))

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": len(self.docs),
            "boilerplate": self.boilerplate,
            "min_similarity": REUSE_MIN_SIMILARITY,
            "text": excerpt(self.text, 1000),
            "occurrences": [o.to_dict() for o in self.occurrences],
        }
