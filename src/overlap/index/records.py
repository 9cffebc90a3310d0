"""The frozen result records of ``overlap.index``; each has ``to_dict()``.

``AddReport``, ``Match``, ``IndexStats``, ``RemoveReport``, ``IndexEntry``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..records import Conflict, Passage

__all__ = ["AddReport", "IndexEntry", "IndexStats", "Match", "RemoveReport"]


@dataclass(frozen=True, slots=True)
class AddReport:
    """What one ``Index.add`` call did: new ids ``added``, old ones ``replaced`` by a new
    text, and documents ``skipped`` because their id was already there (``"skip"``)."""

    added: int
    replaced: int
    skipped: int

    def to_dict(self) -> dict[str, int]:
        return {"added": self.added, "replaced": self.replaced, "skipped": self.skipped}


@dataclass(frozen=True, slots=True)
class Match:
    """A stored document that shares text with a query.

    ``jaccard`` is the exact Jaccard similarity of the two texts' word-shingle sets,
    recomputed from the stored text (the same number as ``compare(query, stored)``);
    ``containment`` is the share of the query's shingles found in the stored document
    (1.0: every sentence of the query was seen before).  ``passages`` and ``conflicts``
    come from ``overlap.compare(query, stored)``: span ``a`` is in the query, ``b`` in
    the stored text.  They are empty when the query asked for ``passages=False``.
    ``metadata`` holds the fields stored with the document (``index add --keep-fields``).
    """

    id: str
    origin: str
    jaccard: float
    containment: float
    passages: tuple[Passage, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "origin": self.origin,
            "jaccard": round(self.jaccard, 4),
            "containment": round(self.containment, 4),
            "passages": [p.to_dict() for p in self.passages],
            "conflicts": [c.to_dict() for c in self.conflicts],
        }
        if self.metadata:
            out["metadata"] = self.metadata
        return out


@dataclass(frozen=True, slots=True)
class IndexStats:
    """Size and settings of an index.  ``file_bytes`` counts the database file and its
    write-ahead log; ``passage_*`` are the sentence-block LSH settings; ``reworded``: whether
    sentences are also keyed by their content words (``Index(reworded=True)``)."""

    path: str
    documents: int
    schema_version: int
    num_perm: int
    seed: int
    shingle_size: int
    threshold: float
    bands: int
    rows: int
    passage_num_perm: int
    passage_bands: int
    passage_rows: int
    file_bytes: int
    reworded: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "documents": self.documents,
            "schema_version": self.schema_version,
            "num_perm": self.num_perm,
            "seed": self.seed,
            "shingle_size": self.shingle_size,
            "threshold": self.threshold,
            "bands": self.bands,
            "rows": self.rows,
            "passage_num_perm": self.passage_num_perm,
            "passage_bands": self.passage_bands,
            "passage_rows": self.passage_rows,
            "file_bytes": self.file_bytes,
            "reworded": self.reworded,
        }


@dataclass(frozen=True, slots=True)
class RemoveReport:
    """What ``Index.remove`` did: how many documents it deleted, and the ids it was given
    that were not in the index (in the order given)."""

    removed: int
    missing: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"removed": self.removed, "missing": list(self.missing)}


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One stored document as ``Index.entries`` lists it: ``id``, ``origin`` (where it was
    read from), ``length`` in characters, ``added_at`` in Unix seconds and the
    ``metadata`` fields stored with it."""

    id: str
    origin: str
    length: int
    added_at: float
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "origin": self.origin, "length": self.length, "added_at": self.added_at}
        if self.metadata:
            out["metadata"] = self.metadata
        return out

